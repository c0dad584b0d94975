//! A real H.323 peer for tests: Asterisk with chan_ooh323 from Debian sid, run in the chroot
//! `scripts/h323-peer.sh` installs (no H.323 program is packaged for the host's release).
//!
//! Every [`Asterisk`] is a private instance: its own configuration, sockets, logs and
//! recordings in a fresh folder inside the chroot, its own H.225.0 port and RTP/H.245 port
//! block, so tests run in parallel. Dropping it stops the process and removes the folder, also
//! when the test panics (then the log tail goes to stderr first).
//!
//! A missing peer fails the test with a message: CI installs it, and a skipped interop test
//! would pass without proving anything.
//!
//! What chan_ooh323 (Asterisk 22.10) needs that is easy to miss:
//! - `res_timing_timerfd` loaded: without a timing source no RTP is sent, and H.245 DTMF on an
//!   answered call crashed the callee.
//! - Both ends declared as peers (`type=friend`, `ip=`): a dial string with a bare IP is
//!   refused, and a Setup from an undeclared IP is rejected ("Unacceptable ip").
//! - `h225portrange` per instance: by default every instance takes its H.225.0/H.245 TCP ports
//!   from 12030–12230.
//! - Verbose() reaches a log file only with a level on the channel (`verbose(3)`).
//! - MixMonitor's `r()` file is what the channel received, `t()` what it sent (checked by the
//!   self-test); a direction with no frames gives an empty file, not silence.
//!
//! std only: the gateway's tests include this file with `#[path]`.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fmt::Write as _;
use std::io::Read as _;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// How long an instance may take from spawn to a listening H.225.0 port (about 1 s when idle;
/// the margin is for a loaded 2-core CI machine).
pub const START_TIMEOUT: Duration = Duration::from_secs(20);
/// How long one `asterisk -rx` may take before it is killed.
pub const CLI_TIMEOUT: Duration = Duration::from_secs(10);

/// The chroot holding Asterisk and chan_ooh323, installed (or found) by
/// `scripts/h323-peer.sh` once per test process.
pub fn sidroot() -> PathBuf {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        assert!(
            effective_uid() == Some(0),
            "the H.323 peer (Asterisk + chan_ooh323) runs in a chroot, so the tests that start it \
             must run as root (CI does); effective uid {:?}",
            effective_uid()
        );
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/h323-peer.sh");
        let out = Command::new("bash")
            .arg(&script)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
        let stdout = String::from_utf8_lossy(&out.stdout);
        let root = stdout.lines().rev().find(|l| !l.trim().is_empty());
        match root {
            Some(root) if out.status.success() => {
                let root = PathBuf::from(root.trim());
                assert!(
                    root.join("usr/sbin/asterisk").exists(),
                    "{} printed {}, which has no usr/sbin/asterisk",
                    script.display(),
                    root.display()
                );
                root
            }
            _ => panic!(
                "the H.323 peer (Asterisk + chan_ooh323 in a Debian sid chroot) is not \
                 available: {} exited with {}\n{}\nRun it as root once (scripts/test-all.sh \
                 does); ROOMGATE_SIDROOT chooses the chroot.",
                script.display(),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        }
    })
    .clone()
}

/// From /proc (std has no geteuid): `Uid:` lists real, effective, saved, fs.
fn effective_uid() -> Option<u32> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

/// A port nobody listens on now. The kernel may hand it out again later, so use it at once.
pub fn free_tcp_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind 127.0.0.1:0")
}

/// The first of `len` consecutive ports (even, so RTP/RTCP pairs line up) that are all free on
/// UDP and TCP now. Taken from 20000–29999, below the kernel's ephemeral range, so the
/// connections of parallel tests do not land in it; the start differs per process and per call
/// so parallel test processes rarely try the same block.
pub fn free_port_block(len: u16) -> u16 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let len = u32::from(len.max(2));
    let blocks = 10_000 / len;
    let seed = std::process::id().wrapping_mul(2_654_435_761);
    for _ in 0..blocks {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let start = 20_000 + (seed.wrapping_add(n.wrapping_mul(7)) % blocks) * len;
        let all_free = (start..start + len).all(|p| {
            let p = p as u16;
            UdpSocket::bind((Ipv4Addr::LOCALHOST, p)).is_ok()
                && TcpListener::bind((Ipv4Addr::LOCALHOST, p)).is_ok()
        });
        if all_free {
            return start as u16;
        }
    }
    panic!("no free block of {len} ports in 20000-29999");
}

/// Another H.323 endpoint the instance may call and accept calls from. chan_ooh323 refuses a
/// bare IP in a dial string: `OOH323/<exten>@<name>` needs this entry.
#[derive(Clone, Debug)]
pub struct Peer {
    pub name: String,
    pub ip: String,
    pub port: u16,
    pub e164: String,
}

impl Peer {
    pub fn new(name: &str, ip: &str, port: u16, e164: &str) -> Self {
        Self {
            name: name.into(),
            ip: ip.into(),
            port,
            e164: e164.into(),
        }
    }
}

/// One instance's settings. The dialplan can use `${REC}`: the folder (as Asterisk sees it)
/// whose files [`Asterisk::recording`] returns.
#[derive(Clone, Debug)]
pub struct AsteriskConfig {
    pub h323_port: u16,
    /// Even start, inclusive end.
    pub rtp_ports: (u16, u16),
    /// chan_ooh323's own TCP ports (outgoing H.225.0, H.245 listeners and connections); by
    /// default 12030–12230 for every instance, which parallel instances would share.
    pub h225_ports: (u16, u16),
    pub faststart: bool,
    pub tunnelling: bool,
    pub peers: Vec<Peer>,
    /// The body of extensions.conf (contexts and extensions; `[globals]` is written by us).
    pub dialplan: String,
    /// chan_ooh323's `dtmfmode` (`h245alphanumeric`, `h245signal`, `q931keypad`, `rfc2833`,
    /// `inband`).
    pub dtmf_mode: String,
    pub h323_id: String,
    pub e164: String,
}

impl AsteriskConfig {
    /// Free ports, fastStart and H.245 tunnelling on, DTMF as H.245 userInput alphanumeric.
    pub fn new(dialplan: &str) -> Self {
        let block = free_port_block(40);
        Self {
            h323_port: free_tcp_port(),
            rtp_ports: (block, block + 19),
            h225_ports: (block + 20, block + 39),
            faststart: true,
            tunnelling: true,
            peers: Vec::new(),
            dialplan: dialplan.into(),
            dtmf_mode: "h245alphanumeric".into(),
            h323_id: "roomgate-test-asterisk".into(),
            e164: "100".into(),
        }
    }

    /// Who calls this instance and whom it calls: `name` at 127.0.0.1:`port`.
    pub fn peer(mut self, name: &str, port: u16, e164: &str) -> Self {
        self.peers.push(Peer::new(name, "127.0.0.1", port, e164));
        self
    }

    pub fn modes(mut self, faststart: bool, tunnelling: bool) -> Self {
        self.faststart = faststart;
        self.tunnelling = tunnelling;
        self
    }
}

/// The modules a test call needs; `autoload=no` keeps startup fast and the log readable.
const MODULES: &[&str] = &[
    // res_rtp_asterisk is built with pjproject's ICE and needs these loaded.
    "res_sorcery_config.so",
    "res_sorcery_memory.so",
    "res_sorcery_astdb.so",
    "res_sorcery_realtime.so",
    "res_pjproject.so",
    "res_rtp_asterisk.so",
    // Without a timing source no RTP is sent, and H.245 DTMF on an answered call crashed.
    "res_timing_timerfd.so",
    "res_clioriginate.so",
    "pbx_config.so",
    "app_dial.so",
    "app_echo.so",
    "app_playback.so",
    "app_playtones.so",
    "app_milliwatt.so",
    "app_senddtmf.so",
    "app_read.so",
    "app_verbose.so",
    "app_mixmonitor.so",
    "app_record.so",
    "func_channel.so",
    "func_strings.so",
    "func_logic.so",
    "codec_ulaw.so",
    "codec_alaw.so",
    "format_pcm.so",
    "format_wav.so",
    "format_sln.so",
    "chan_ooh323.so",
];

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// A running instance, stopped and removed on drop.
pub struct Asterisk {
    pub name: String,
    pub h323_port: u16,
    root: PathBuf,
    /// The instance folder as Asterisk sees it (inside the chroot).
    inner: String,
    child: Option<Child>,
}

impl Asterisk {
    /// Writes the configuration, starts Asterisk in the foreground and returns once it has
    /// fully booted and its H.225.0 port accepts connections. Panics (with the log) otherwise.
    pub fn start(name: &str, cfg: &AsteriskConfig) -> Asterisk {
        static SEQ: AtomicU32 = AtomicU32::new(0);
        let root = sidroot();
        let inner = format!(
            "/tmp/roomgate-ast-{name}-{}-{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        );
        remove_stale_instances(&root);
        let host = root.join(inner.trim_start_matches('/'));
        let _ = std::fs::remove_dir_all(&host);
        for sub in ["etc", "run", "log", "lib", "spool", "rec"] {
            std::fs::create_dir_all(host.join(sub))
                .unwrap_or_else(|e| panic!("create {}/{sub}: {e}", host.display()));
        }
        for (file, text) in config_files(&inner, &module_dir(&root), cfg) {
            std::fs::write(host.join("etc").join(file), text)
                .unwrap_or_else(|e| panic!("write {file}: {e}"));
        }
        let console = std::fs::File::create(host.join("log/console.log")).expect("console.log");
        let console2 = console.try_clone().expect("console.log");
        // chroot execs asterisk, so the child's pid is Asterisk's own: kill() reaches it.
        let child = Command::new("chroot")
            .arg(&root)
            .arg("/usr/sbin/asterisk")
            .args(["-f", "-n", "-C"])
            .arg(format!("{inner}/etc/asterisk.conf"))
            .stdin(Stdio::null())
            .stdout(console)
            .stderr(console2)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("spawn chroot {} asterisk (needs root): {e}", root.display())
            });
        let mut ast = Asterisk {
            name: name.into(),
            h323_port: cfg.h323_port,
            root,
            inner,
            child: Some(child),
        };
        ast.wait_ready();
        ast
    }

    fn host_dir(&self) -> PathBuf {
        self.root.join(self.inner.trim_start_matches('/'))
    }

    fn conf(&self) -> String {
        format!("{}/etc/asterisk.conf", self.inner)
    }

    fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child
            .as_mut()
            .and_then(|c| c.try_wait().ok().flatten())
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + START_TIMEOUT;
        let mut booted = false;
        loop {
            if let Some(status) = self.exited() {
                panic!(
                    "asterisk {} exited during startup ({status})\n{}",
                    self.name,
                    self.log()
                );
            }
            if !booted {
                booted = self
                    .try_cli("core waitfullybooted", Duration::from_secs(3))
                    .is_some_and(|o| o.contains("fully booted"));
            }
            let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, self.h323_port));
            if booted
                && self.owns_listener()
                && TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_ok()
            {
                return;
            }
            if Instant::now() > deadline {
                panic!(
                    "asterisk {} not ready within {START_TIMEOUT:?} (booted: {booted}, H.225.0 \
                     port {} not listening, or not by this process)\n{}",
                    self.name,
                    self.h323_port,
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Whether the socket listening on the H.225.0 port is this process's: a free port can be
    /// taken by someone else between our check and Asterisk's bind, and then calls would reach
    /// another test's peer.
    fn owns_listener(&self) -> bool {
        let Some(pid) = self.child.as_ref().map(Child::id) else {
            return false;
        };
        let Ok(table) = std::fs::read_to_string("/proc/net/tcp") else {
            return false;
        };
        let local = format!("0100007F:{:04X}", self.h323_port);
        let inodes: Vec<String> = table
            .lines()
            .skip(1)
            .map(|l| l.split_whitespace().collect::<Vec<_>>())
            // local_address, state 0A = LISTEN, inode
            .filter(|f| f.get(1) == Some(&local.as_str()) && f.get(3) == Some(&"0A"))
            .filter_map(|f| f.get(9).map(|i| format!("socket:[{i}]")))
            .collect();
        let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
            return false;
        };
        fds.flatten().any(|fd| {
            std::fs::read_link(fd.path())
                .is_ok_and(|t| inodes.iter().any(|i| t.as_os_str() == i.as_str()))
        })
    }

    /// `asterisk -rx cmd` against this instance; None when it fails or times out.
    fn try_cli(&self, cmd: &str, timeout: Duration) -> Option<String> {
        let mut child = Command::new("chroot")
            .arg(&self.root)
            .arg("/usr/sbin/asterisk")
            .args(["-n", "-C", &self.conf(), "-rx", cmd])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .ok()?;
        let mut stdout = child.stdout.take()?;
        // Read while waiting, so a long answer cannot fill the pipe and stall the client.
        let reader = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = stdout.read_to_string(&mut s);
            s
        });
        let deadline = Instant::now() + timeout;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
            }
        };
        let out = reader.join().ok()?;
        status.filter(|s| s.success()).map(|_| out)
    }

    /// The output of a CLI command. Panics (with the log) when the command cannot run.
    pub fn cli(&self, cmd: &str) -> String {
        self.try_cli(cmd, CLI_TIMEOUT).unwrap_or_else(|| {
            panic!(
                "asterisk {}: `{cmd}` failed or timed out\n{}",
                self.name,
                self.log()
            )
        })
    }

    /// `channel originate <dest> <target>`, e.g. `("OOH323/200@astB", "extension
    /// listen@default")` or `(…, "application Milliwatt")`. Returns once the channel is
    /// requested; the call itself proceeds in the background.
    pub fn originate(&self, dest: &str, target: &str) -> String {
        self.cli(&format!("channel originate {dest} {target}"))
    }

    /// Active channels, from `core show channels count`.
    pub fn channel_count(&self) -> Option<usize> {
        let out = self.try_cli("core show channels count", CLI_TIMEOUT)?;
        out.lines()
            .find(|l| l.contains("active channel"))
            .and_then(|l| l.split_whitespace().next())
            .and_then(|n| n.parse().ok())
    }

    /// Polls until no channel is up; false when `timeout` passes first.
    pub fn wait_no_channels(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if self.channel_count() == Some(0) {
                return true;
            }
            if Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Polls until at least `n` channels are up (an originated call has really started).
    pub fn wait_channels(&self, n: usize, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if self.channel_count().is_some_and(|c| c >= n) {
                return true;
            }
            if Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The host path of `name` in the dialplan's `${REC}`, once Asterisk has finished writing
    /// it: MixMonitor closes its files a moment after the channel is gone, so this waits (5 s
    /// at most) for the file to exist and its size to stay put. Panics with the log if it never
    /// appears.
    pub fn recording(&self, name: &str) -> PathBuf {
        let path = self.host_dir().join("rec").join(name);
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut last = None;
        loop {
            let size = std::fs::metadata(&path).ok().map(|m| m.len());
            if size.is_some() && size == last {
                return path;
            }
            if Instant::now() > deadline {
                panic!(
                    "asterisk {}: no recording {name} (size {size:?})\n{}",
                    self.name,
                    self.log()
                );
            }
            last = size;
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// messages.log (notice and up, verbose to level 3: dialplan steps and Verbose(); DTMF) and the console output, for
    /// assertions and failure messages.
    pub fn log(&self) -> String {
        let dir = self.host_dir().join("log");
        let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap_or_default();
        format!(
            "--- asterisk {} messages.log ---\n{}--- console ---\n{}",
            self.name,
            read("messages.log"),
            read("console.log")
        )
    }

    /// The last `n` lines of [`Asterisk::log`].
    pub fn log_tail(&self, n: usize) -> String {
        let log = self.log();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(n)..].join("\n")
    }

    fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if matches!(child.try_wait(), Ok(None)) {
            let _ = self.try_cli("core stop now", Duration::from_secs(5));
            let deadline = Instant::now() + Duration::from_secs(5);
            while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for Asterisk {
    fn drop(&mut self) {
        self.stop();
        if std::thread::panicking() {
            eprintln!("{}", self.log_tail(80));
        }
        if std::env::var_os("ROOMGATE_KEEP_ASTERISK").is_some() {
            eprintln!("kept {}", self.host_dir().display());
        } else {
            let _ = std::fs::remove_dir_all(self.host_dir());
        }
    }
}

/// Asterisk's module folder inside the chroot: `/usr/lib/<multiarch triplet>/asterisk/modules`,
/// the triplet being the machine's (x86_64-linux-gnu, aarch64-linux-gnu, ...).
fn module_dir(root: &Path) -> String {
    let lib = root.join("usr/lib");
    std::fs::read_dir(&lib)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("asterisk/modules"))
        .find(|m| m.join("chan_ooh323.so").exists())
        .and_then(|m| {
            m.strip_prefix(root)
                .ok()
                .map(|p| format!("/{}", p.display()))
        })
        .unwrap_or_else(|| panic!("no asterisk/modules/chan_ooh323.so under {}", lib.display()))
}

/// Removes the folders of instances whose test process is gone (killed before its drop ran),
/// so repeated runs on a developer machine do not fill the chroot's /tmp.
fn remove_stale_instances(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root.join("tmp")) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix("roomgate-ast-") else {
            continue;
        };
        // roomgate-ast-<name>-<pid>-<n>
        let pid = rest.rsplit('-').nth(1).and_then(|p| p.parse::<u32>().ok());
        if let Some(pid) = pid {
            if !Path::new("/proc").join(pid.to_string()).exists() {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
}

/// The configuration files of an instance living in `inner` (a path inside the chroot).
fn config_files(inner: &str, moddir: &str, cfg: &AsteriskConfig) -> Vec<(&'static str, String)> {
    let asterisk = format!(
        "[directories]\n\
         astetcdir => {inner}/etc\n\
         astmoddir => {moddir}\n\
         astvarlibdir => /var/lib/asterisk\n\
         astdbdir => {inner}/lib\n\
         astkeydir => {inner}/lib\n\
         astdatadir => /usr/share/asterisk\n\
         astagidir => /usr/share/asterisk/agi-bin\n\
         astspooldir => {inner}/spool\n\
         astrundir => {inner}/run\n\
         astlogdir => {inner}/log\n\
         [options]\n\
         nofork = yes\n"
    );
    let mut modules = String::from("[modules]\nautoload=no\n");
    for m in MODULES {
        let _ = writeln!(modules, "load => {m}");
    }
    let logger = "[general]\n[logfiles]\n\
                  messages.log => notice,warning,error,verbose(3),dtmf\n\
                  console => notice,warning,error\n"
        .to_string();
    let rtp = format!(
        "[general]\nrtpstart={}\nrtpend={}\n",
        cfg.rtp_ports.0, cfg.rtp_ports.1
    );
    let (fs, tun, dtmf) = (
        yes_no(cfg.faststart),
        yes_no(cfg.tunnelling),
        &cfg.dtmf_mode,
    );
    let mut ooh323 = format!(
        "[general]\n\
         bindaddr=127.0.0.1\n\
         port={}\n\
         h225portrange={},{}\n\
         h323id={}\n\
         e164={}\n\
         gatekeeper=DISABLE\n\
         context=default\n\
         faststart={fs}\n\
         h245tunneling={tun}\n\
         disallow=all\n\
         allow=ulaw\n\
         allow=alaw\n\
         dtmfmode={dtmf}\n\
         logfile={inner}/log/h323_log\n",
        cfg.h323_port, cfg.h225_ports.0, cfg.h225_ports.1, cfg.h323_id, cfg.e164
    );
    for p in &cfg.peers {
        let _ = write!(
            ooh323,
            "\n[{}]\ntype=friend\ncontext=default\nip={}\nport={}\ne164={}\n\
             faststart={fs}\nh245tunneling={tun}\ndisallow=all\nallow=ulaw\nallow=alaw\n\
             dtmfmode={dtmf}\n",
            p.name, p.ip, p.port, p.e164
        );
    }
    let extensions = format!("[globals]\nREC={inner}/rec\n\n{}\n", cfg.dialplan);
    vec![
        ("asterisk.conf", asterisk),
        ("modules.conf", modules),
        ("logger.conf", logger),
        ("rtp.conf", rtp),
        ("pjproject.conf", "[general]\n".into()),
        ("ooh323.conf", ooh323),
        ("extensions.conf", extensions),
    ]
}

/// A mono 16-bit PCM WAV file.
#[derive(Clone, Debug)]
pub struct Wav {
    pub rate: u32,
    pub samples: Vec<i16>,
}

/// Reads a RIFF/WAVE file of 16-bit PCM mono, walking the chunks (Asterisk writes `fmt ` then
/// `data`, other writers put LIST or fact chunks between).
pub fn read_wav(path: &Path) -> Result<Wav, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse_wav(&bytes)
}

pub fn parse_wav(bytes: &[u8]) -> Result<Wav, String> {
    let u16_at = |b: &[u8], i: usize| b.get(i..i + 2).map(|s| u16::from_le_bytes([s[0], s[1]]));
    let u32_at = |b: &[u8], i: usize| {
        b.get(i..i + 4)
            .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    };
    if bytes.get(0..4) != Some(b"RIFF") || bytes.get(8..12) != Some(b"WAVE") {
        return Err("not a RIFF/WAVE file".into());
    }
    let mut pos = 12;
    let mut format = None;
    while pos + 8 <= bytes.len() {
        let id = &bytes[pos..pos + 4];
        let size = u32_at(bytes, pos + 4).ok_or("truncated chunk header")? as usize;
        let body_start = pos + 8;
        // Asterisk leaves the data size at its first value when a writer dies; clamp.
        let body = bytes
            .get(body_start..body_start.saturating_add(size).min(bytes.len()))
            .ok_or("truncated chunk")?;
        match id {
            b"fmt " => {
                let tag = u16_at(body, 0).ok_or("short fmt chunk")?;
                let channels = u16_at(body, 2).ok_or("short fmt chunk")?;
                let rate = u32_at(body, 4).ok_or("short fmt chunk")?;
                let bits = u16_at(body, 14).ok_or("short fmt chunk")?;
                if tag != 1 || channels != 1 || bits != 16 {
                    return Err(format!(
                        "want PCM mono 16-bit, got format {tag}, {channels} channels, {bits} bits"
                    ));
                }
                format = Some(rate);
            }
            b"data" => {
                let rate = format.ok_or("data chunk before fmt chunk")?;
                let samples = body
                    .chunks_exact(2)
                    .map(|s| i16::from_le_bytes([s[0], s[1]]))
                    .collect();
                return Ok(Wav { rate, samples });
            }
            _ => {}
        }
        // Chunks are padded to an even size.
        pos = body_start + size + (size & 1);
    }
    Err("no data chunk".into())
}

/// A 16-bit PCM mono WAV file's bytes.
pub fn wav_bytes(rate: u32, samples: &[i16]) -> Vec<u8> {
    let data_len = (samples.len() * 2) as u32;
    let mut out = Vec::with_capacity(44 + samples.len() * 2);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

/// The Goertzel power at `freq_hz` relative to the block's energy: about 1 for a pure tone at
/// that frequency, about 0 for silence or other frequencies. Scale-free, so one threshold
/// serves loud and quiet recordings.
pub fn tone_fraction(samples: &[i16], rate: u32, freq_hz: f64) -> f64 {
    let n = samples.len();
    let energy: f64 = samples.iter().map(|&s| f64::from(s).powi(2)).sum();
    if n == 0 || energy == 0.0 {
        return 0.0;
    }
    let w = 2.0 * std::f64::consts::PI * freq_hz / f64::from(rate);
    let coeff = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &x in samples {
        let s0 = f64::from(x) + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    let power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    // A sine of amplitude A over n samples: power ≈ (A·n/2)², energy ≈ A²·n/2.
    power * 2.0 / (n as f64 * energy)
}

/// 50 ms analysis blocks: 20 Hz resolution, and a tone must hold for the whole block.
const BLOCK_SECONDS: f64 = 0.05;
/// Quieter blocks count as silence (about −50 dBFS RMS; the milliwatt tone is about −6 dBFS).
const MIN_RMS: f64 = 100.0;
/// frequencies that must stay weak in a block where the tone counts.
const OTHERS: [f64; 6] = [300.0, 440.0, 697.0, 1400.0, 2000.0, 3000.0];

/// Seconds of `wav` (50 ms blocks) in which `freq_hz` dominates: at least 60% of the block's
/// energy, 20 times stronger than each of a few other frequencies at least 100 Hz away, and
/// the block not silent.
pub fn tone_seconds(wav: &Wav, freq_hz: f64) -> f64 {
    let block = ((f64::from(wav.rate) * BLOCK_SECONDS) as usize).max(1);
    let good = wav
        .samples
        .chunks_exact(block)
        .filter(|b| {
            let rms =
                (b.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / b.len() as f64).sqrt();
            let at = tone_fraction(b, wav.rate, freq_hz);
            rms >= MIN_RMS
                && at >= 0.6
                && OTHERS
                    .iter()
                    .filter(|&&o| (o - freq_hz).abs() >= 100.0)
                    .all(|&o| at >= 20.0 * tone_fraction(b, wav.rate, o))
        })
        .count();
    good as f64 * BLOCK_SECONDS
}

/// Whether the recording at `wav` carries `freq_hz` for at least `min_seconds` in total.
/// Panics if it is not a readable 16-bit mono WAV.
pub fn has_tone(wav: &Path, freq_hz: f64, min_seconds: f64) -> bool {
    let w = read_wav(wav).unwrap_or_else(|e| panic!("{}: {e}", wav.display()));
    tone_seconds(&w, freq_hz) >= min_seconds
}

/// The strongest frequency (10 Hz steps, 100–3900 Hz) summed over 50 ms blocks, for failure
/// messages: what was heard instead. Blocks, not the whole file: over seconds the Goertzel
/// filter is a fraction of a hertz wide and a 10 Hz grid would step over the tone.
pub fn dominant_frequency(wav: &Path) -> Option<f64> {
    let w = read_wav(wav).ok()?;
    let block = ((f64::from(w.rate) * BLOCK_SECONDS) as usize).max(1);
    (10..390)
        .map(|f| f64::from(f) * 10.0)
        .map(|f| {
            let sum: f64 = w
                .samples
                .chunks_exact(block)
                .map(|b| tone_fraction(b, w.rate, f))
                .sum();
            (f, sum)
        })
        .filter(|&(_, p)| p > 0.0)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(f, _)| f)
}

/// A one-line summary of a recording for assertion messages.
pub fn describe(wav: &Path, freq_hz: f64) -> String {
    match read_wav(wav) {
        Ok(w) => format!(
            "{}: {:.2} s at {} Hz, {:.2} s of {freq_hz} Hz, strongest {:?} Hz",
            wav.display(),
            w.samples.len() as f64 / f64::from(w.rate.max(1)),
            w.rate,
            tone_seconds(&w, freq_hz),
            dominant_frequency(wav)
        ),
        Err(e) => format!("{}: {e}", wav.display()),
    }
}
