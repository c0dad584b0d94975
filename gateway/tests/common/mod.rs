//! Shared harness for the `serve_*` end-to-end tests: the real `roomgate serve` binary and real
//! peers (sipp, raw sockets, rustls, openssl) on loopback. Every process is killed when its
//! guard drops, every wait is bounded, and every test gets its own ports and temp directory so
//! the tests of one binary run in parallel.
#![allow(dead_code)]

pub mod audio;
pub mod baresip;
pub mod inproc;
pub mod pin;
pub mod redis;

use std::fs;
use std::io::{ErrorKind, Read};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub const LOCALHOST: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

/// `127.0.0.x`: Linux routes all of 127/8 to loopback, so each is a distinct source address.
pub fn loopback(x: u8) -> IpAddr {
    IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, x))
}

/// A token unique within this machine for the life of the test run.
pub fn unique(tag: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{tag}-{}-{}-{nanos:x}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A directory under the system temp dir, removed on drop unless the test failed (then it is
/// kept, and its path printed, for inspection).
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let path = std::env::temp_dir().join(unique(&format!("roomgate-{tag}")));
        fs::create_dir_all(&path).unwrap();
        TempDir { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("kept for inspection: {}", self.path.display());
        } else {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

/// Ports handed out by this process, so two tests of one binary never get the same one.
static HANDED_OUT: Mutex<Vec<u16>> = Mutex::new(Vec::new());

/// A port free on 127.0.0.1 for both TCP and UDP at the time of asking.
pub fn free_port() -> u16 {
    for _ in 0..200 {
        let tcp = TcpListener::bind((LOCALHOST, 0)).unwrap();
        let port = tcp.local_addr().unwrap().port();
        if UdpSocket::bind((LOCALHOST, port)).is_err() {
            continue;
        }
        let mut taken = HANDED_OUT.lock().unwrap_or_else(|p| p.into_inner());
        if !taken.contains(&port) {
            taken.push(port);
            return port;
        }
    }
    panic!("no free port found");
}

/// Two consecutive ports `(p, p + 1)`, both free on 127.0.0.1 for TCP and UDP at the time of
/// asking (baresip, for one, listens for TLS on its SIP port plus one).
pub fn free_port_pair() -> (u16, u16) {
    for _ in 0..200 {
        let tcp = TcpListener::bind((LOCALHOST, 0)).unwrap();
        let port = tcp.local_addr().unwrap().port();
        let Some(next) = port.checked_add(1) else {
            continue;
        };
        if UdpSocket::bind((LOCALHOST, port)).is_err()
            || TcpListener::bind((LOCALHOST, next)).is_err()
            || UdpSocket::bind((LOCALHOST, next)).is_err()
        {
            continue;
        }
        let mut taken = HANDED_OUT.lock().unwrap_or_else(|p| p.into_inner());
        if !taken.contains(&port) && !taken.contains(&next) {
            taken.extend([port, next]);
            return (port, next);
        }
    }
    panic!("no free pair of ports found");
}

/// A child process killed (and reaped) when the guard drops.
pub struct ChildGuard {
    child: Child,
    name: String,
    status: Option<ExitStatus>,
}

impl ChildGuard {
    pub fn spawn(name: &str, cmd: &mut Command) -> ChildGuard {
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        ChildGuard {
            child,
            name: name.to_owned(),
            status: None,
        }
    }

    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// The exit status if the process has ended.
    pub fn try_status(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            self.status = self.child.try_wait().unwrap();
        }
        self.status
    }

    /// Waits at most `limit` for the process to end.
    pub fn wait_timeout(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(s) = self.try_status() {
                return Some(s);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends SIGTERM (through `kill(1)`: the tests have no libc binding).
    pub fn terminate(&self) {
        let ok = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -TERM {} failed", self.name);
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if self.try_status().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// What a `roomgate serve` under test is configured with, beyond its listeners.
#[derive(Default, Clone)]
pub struct ServeOptions {
    /// Extra `key = value` lines in `[sip]` (e.g. `t1_ms = 100`).
    pub sip: String,
    /// `key = value` lines in `[limits]`.
    pub limits: String,
    /// Certificate chain and key PEM files; when set, a TLS listener is configured too.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Extra environment, e.g. `ROOMGATE_LOG=debug`.
    pub log: Option<String>,
    /// More TOML after the generated sections (e.g. `[gateway]` keys).
    pub extra: String,
    /// `[media]` keys besides the port range (which is always a free one).
    pub media: String,
    /// Port pairs of the relay range (default 16: 8 calls).
    pub media_pairs: Option<u16>,
}

/// A running `roomgate serve` on its own loopback ports.
pub struct Server {
    pub udp: SocketAddr,
    pub tcp: SocketAddr,
    pub tls: Option<SocketAddr>,
    /// H.323 call signalling (TCP), unless the options configured `[h323]` themselves.
    pub h323: Option<SocketAddr>,
    pub process: ChildGuard,
    log_path: PathBuf,
    pub dir: TempDir,
}

impl Server {
    pub fn start(sip: &str, limits: &str) -> Server {
        Server::start_with(ServeOptions {
            sip: sip.to_owned(),
            limits: limits.to_owned(),
            ..ServeOptions::default()
        })
    }

    /// Starts the binary and waits (at most 15 s) until it logs that it is listening. A port
    /// taken between our probe and its bind is retried with new ports.
    pub fn start_with(opts: ServeOptions) -> Server {
        let mut last_log = String::new();
        for _attempt in 0..3 {
            let dir = TempDir::new("serve");
            let port = free_port();
            let udp = SocketAddr::new(LOCALHOST, port);
            let tcp = SocketAddr::new(LOCALHOST, port);
            let tls = opts
                .tls
                .as_ref()
                .map(|_| SocketAddr::new(LOCALHOST, free_port()));
            let mut toml = format!(
                "[sip]\nudp = [\"{udp}\"]\ntcp = [\"{tcp}\"]\ntls_listen = [{}]\n{}\n",
                tls.map(|a| format!("\"{a}\"")).unwrap_or_default(),
                opts.sip
            );
            if let Some((cert, key)) = &opts.tls {
                toml.push_str(&format!(
                    "[sip.tls]\ncertificate = \"{}\"\nprivate_key = \"{}\"\n",
                    cert.display(),
                    key.display()
                ));
            }
            toml.push_str(&format!("[limits]\n{}\n", opts.limits));
            let (min, max) = free_media_range(opts.media_pairs.unwrap_or(16));
            toml.push_str(&format!(
                "[media]\nport_min = {min}\nport_max = {max}\n{}\n{}\n",
                opts.media, opts.extra
            ));
            // Any free port: the default 1720 would collide between parallel tests.
            let h323 = (!opts.extra.contains("[h323]")).then(|| {
                let a = SocketAddr::new(LOCALHOST, free_port());
                toml.push_str(&format!("[h323]\nlisten = [\"{a}\"]\n"));
                a
            });
            if !opts.extra.contains("[admin]") {
                // Any free port: the default 8081 would collide between parallel tests.
                toml.push_str("[admin]\nlisten = \"127.0.0.1:0\"\n");
            }
            let config = dir.join("roomgate.toml");
            fs::write(&config, &toml).unwrap();
            let log_path = dir.join("roomgate.log");
            let log = fs::File::create(&log_path).unwrap();
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_roomgate"));
            cmd.arg("serve")
                .arg("--config")
                .arg(&config)
                .current_dir(dir.path())
                .env(
                    "ROOMGATE_LOG",
                    opts.log.clone().unwrap_or_else(|| "info".into()),
                )
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(log);
            let mut process = ChildGuard::spawn("roomgate serve", &mut cmd);
            let deadline = Instant::now() + Duration::from_secs(15);
            loop {
                let text = fs::read_to_string(&log_path).unwrap_or_default();
                if text.contains("roomgate listening") {
                    return Server {
                        udp,
                        tcp,
                        tls,
                        h323,
                        process,
                        log_path,
                        dir,
                    };
                }
                if let Some(status) = process.try_status() {
                    last_log = format!("exited with {status}:\n{text}\nconfig:\n{toml}");
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "roomgate serve did not start within 15 s:\n{text}"
                );
                std::thread::sleep(Duration::from_millis(20));
            }
            if !last_log.contains("cannot listen") && !last_log.contains("cannot bind the media") {
                break;
            }
        }
        panic!("roomgate serve failed to start: {last_log}");
    }

    /// Everything the server has logged so far.
    pub fn log(&self) -> String {
        fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    pub fn is_running(&mut self) -> bool {
        self.process.try_status().is_none()
    }

    pub fn assert_running(&mut self) {
        assert!(
            self.is_running(),
            "roomgate serve died: {:?}\n{}",
            self.process.try_status(),
            self.log()
        );
    }
}

/// A GET on the admin API of `server` (listening on `port`) with its bearer token: the
/// status line and the body.
pub fn admin_get(server: &Server, port: u16, path: &str) -> (String, String) {
    use std::io::Write;
    let token = fs::read_to_string(server.dir.join("roomgate-data").join("admin.token"))
        .unwrap()
        .trim()
        .to_owned();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\
         Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    let status = text.lines().next().unwrap_or_default().to_owned();
    let body = text.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned();
    (status, body)
}

/// `roomgate meeting add ARGS` on `server`'s data directory; panics unless it succeeds.
pub fn add_meeting(server: &Server, args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_roomgate"))
        .args(["meeting", "add"])
        .args(args)
        .arg("--data-dir")
        .arg(server.dir.join("roomgate-data"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "meeting add {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// ---------------------------------------------------------------------------------------------
// SIP messages on raw sockets

/// A request with the usual mandatory headers. `via_transport` is `UDP`, `TCP` or `TLS`.
#[allow(clippy::too_many_arguments)]
pub fn request(
    method: &str,
    via_transport: &str,
    local: SocketAddr,
    target: SocketAddr,
    call_id: &str,
    branch: &str,
    cseq: u32,
    extra_headers: &str,
) -> String {
    format!(
        "{method} sip:no~meeting@{target} SIP/2.0\r\n\
         Via: SIP/2.0/{via_transport} {local};branch=z9hG4bK{branch};rport\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:test@{local}>;tag=t{branch}\r\n\
         To: <sip:no~meeting@{target}>\r\n\
         Call-ID: {call_id}\r\n\
         CSeq: {cseq} {method}\r\n\
         {extra_headers}Content-Length: 0\r\n\r\n"
    )
}

/// The status code of a response, or None when `msg` is not a response.
pub fn status_of(msg: &str) -> Option<u16> {
    let rest = msg.strip_prefix("SIP/2.0 ")?;
    rest.get(..3)?.parse().ok()
}

/// The value of the first header named `name` (case-insensitive; compact forms not handled).
pub fn header<'a>(msg: &'a str, name: &str) -> Option<&'a str> {
    let head = msg.split("\r\n\r\n").next()?;
    head.split("\r\n").skip(1).find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// A UDP socket bound on a loopback address, reading with bounded waits.
pub struct UdpPeer {
    pub socket: UdpSocket,
}

impl UdpPeer {
    pub fn bind(ip: IpAddr) -> UdpPeer {
        let socket = UdpSocket::bind((ip, 0)).unwrap();
        UdpPeer { socket }
    }

    pub fn local(&self) -> SocketAddr {
        self.socket.local_addr().unwrap()
    }

    pub fn send(&self, to: SocketAddr, bytes: &[u8]) {
        self.socket.send_to(bytes, to).unwrap();
    }

    /// The next datagram before `deadline`, or None.
    pub fn recv_until(&self, deadline: Instant) -> Option<String> {
        let mut buf = vec![0u8; 65_536];
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            if left.is_zero() {
                return None;
            }
            self.socket.set_read_timeout(Some(left)).unwrap();
            match self.socket.recv_from(&mut buf) {
                Ok((n, _)) => return Some(String::from_utf8_lossy(&buf[..n]).into_owned()),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    return None
                }
                // ICMP port unreachable from an earlier send surfaces here; keep reading.
                Err(e) if e.kind() == ErrorKind::ConnectionRefused => continue,
                Err(e) => panic!("UDP receive: {e}"),
            }
        }
    }

    /// The next response whose Call-ID is `call_id` (others are skipped) before `deadline`.
    pub fn response_for(&self, call_id: &str, deadline: Instant) -> Option<String> {
        while let Some(msg) = self.recv_until(deadline) {
            if header(&msg, "Call-ID") == Some(call_id) && status_of(&msg).is_some() {
                return Some(msg);
            }
        }
        None
    }

    /// Sends `req` and returns its final response (skipping 1xx), retransmitting every 500 ms
    /// like a UAC would, within `limit`.
    pub fn transact(&self, to: SocketAddr, req: &str, limit: Duration) -> Option<String> {
        let call_id = header(req, "Call-ID").unwrap().to_owned();
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            self.send(to, req.as_bytes());
            let step = (Instant::now() + Duration::from_millis(500)).min(deadline);
            while let Some(resp) = self.response_for(&call_id, step) {
                if status_of(&resp).is_some_and(|s| s >= 200) {
                    return Some(resp);
                }
            }
        }
        None
    }
}

/// An OPTIONS over UDP from `from`, answered within 5 s; returns the status.
pub fn udp_options_status(from: IpAddr, server: SocketAddr) -> Option<u16> {
    let peer = UdpPeer::bind(from);
    let id = unique("opt");
    let req = request("OPTIONS", "UDP", peer.local(), server, &id, &id, 1, "");
    peer.transact(server, &req, Duration::from_secs(5))
        .and_then(|r| status_of(&r))
}

/// Reads one SIP message (head plus Content-Length body) from a stream before `deadline`.
/// `stream` must have a read timeout set, or reads may block past the deadline.
pub fn read_message(stream: &mut impl Read, deadline: Instant) -> Option<String> {
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let body_len: usize = head
                .split("\r\n")
                .find_map(|l| {
                    let (n, v) = l.split_once(':')?;
                    let n = n.trim();
                    (n.eq_ignore_ascii_case("Content-Length") || n == "l")
                        .then(|| v.trim().parse().ok())?
                })
                .unwrap_or(0);
            if buf.len() >= end + 4 + body_len {
                return Some(String::from_utf8_lossy(&buf[..end + 4 + body_len]).into_owned());
            }
        }
        if Instant::now() >= deadline {
            return None;
        }
        match stream.read(&mut chunk) {
            Ok(0) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return None,
        }
    }
}

/// How a stream ended while we waited for it to.
#[derive(Debug, PartialEq, Eq)]
pub enum StreamEnd {
    /// The peer closed (EOF or reset) after this long.
    Closed(Duration),
    /// Still open at the deadline.
    StillOpen,
}

/// Reads (discarding data) until the peer closes the stream or `limit` passes.
pub fn wait_for_close(stream: &mut TcpStream, limit: Duration) -> StreamEnd {
    let start = Instant::now();
    let deadline = start + limit;
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let Some(left) = deadline.checked_duration_since(Instant::now()) else {
            return StreamEnd::StillOpen;
        };
        if left.is_zero() {
            return StreamEnd::StillOpen;
        }
        stream.set_read_timeout(Some(left)).unwrap();
        match stream.read(&mut chunk) {
            Ok(0) => return StreamEnd::Closed(start.elapsed()),
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return StreamEnd::StillOpen
            }
            Err(_) => return StreamEnd::Closed(start.elapsed()),
        }
    }
}

/// A TCP connection to `to` from a chosen local address (std cannot bind before connecting,
/// so tokio's socket does it, and the stream is handed back as a blocking std stream).
pub fn connect_from(from: IpAddr, to: SocketAddr) -> std::io::Result<TcpStream> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let stream = rt.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4()?;
        socket.bind(SocketAddr::new(from, 0))?;
        tokio::time::timeout(Duration::from_secs(5), socket.connect(to))
            .await
            .map_err(|_| std::io::Error::new(ErrorKind::TimedOut, "connect timed out"))?
    })?;
    let std = stream.into_std()?;
    std.set_nonblocking(false)?;
    Ok(std)
}

// ---------------------------------------------------------------------------------------------
// sipp

/// The sipp executable on PATH. Missing sipp is a failure, not a skip: CI installs it
/// (Debian package `sip-tester`).
pub fn sipp_bin() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join("sipp"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("sipp not found on PATH: install it (Debian/Ubuntu package `sip-tester`)")
        })
}

pub fn scenario_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/sipp")
        .join(name)
}

/// One sipp invocation, built up then spawned.
pub struct Sipp {
    scenario: String,
    /// None: a UAS waiting for calls on `port`.
    target: Option<SocketAddr>,
    port: Option<u16>,
    ip: IpAddr,
    args: Vec<String>,
    trace_msg: bool,
}

/// A sipp process that is running.
pub struct RunningSipp {
    process: ChildGuard,
    dir: TempDir,
    description: String,
}

/// What a finished sipp run left behind.
pub struct SippRun {
    /// sipp's exit code: 0 when every call succeeded, 1 when one failed.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// `-trace_err`: every unexpected message, in full.
    pub errors: String,
    /// `-trace_msg`: every message sent and received (when enabled).
    pub messages: String,
    pub description: String,
}

impl Sipp {
    /// A UAC running `scenario` (a file in `tests/sipp/`) against `target`, from 127.0.0.1.
    pub fn new(scenario: &str, target: SocketAddr) -> Sipp {
        Sipp {
            scenario: scenario.to_owned(),
            target: Some(target),
            port: None,
            ip: LOCALHOST,
            args: Vec::new(),
            trace_msg: true,
        }
    }

    /// A UAS running `scenario` on 127.0.0.1:`port`.
    pub fn uas(scenario: &str, port: u16) -> Sipp {
        Sipp {
            scenario: scenario.to_owned(),
            target: None,
            port: Some(port),
            ip: LOCALHOST,
            args: Vec::new(),
            trace_msg: true,
        }
    }

    /// The local address sipp sends from.
    pub fn ip(mut self, ip: IpAddr) -> Sipp {
        self.ip = ip;
        self
    }

    pub fn args(mut self, args: &[&str]) -> Sipp {
        self.args.extend(args.iter().map(|a| (*a).to_owned()));
        self
    }

    /// Message tracing costs time and disk under load; off for load runs.
    pub fn no_trace_msg(mut self) -> Sipp {
        self.trace_msg = false;
        self
    }

    pub fn spawn(self) -> RunningSipp {
        let dir = TempDir::new("sipp");
        let port = self.port.unwrap_or_else(free_port).to_string();
        let mut args: Vec<String> = self.target.iter().map(|t| t.to_string()).collect();
        args.extend([
            "-sf".into(),
            scenario_path(&self.scenario).display().to_string(),
            "-i".into(),
            self.ip.to_string(),
            "-p".into(),
            port,
            "-nostdin".into(),
            // A run that hangs is a failure, and sipp says so in its exit code.
            "-timeout".into(),
            "30".into(),
            "-timeout_error".into(),
            "-trace_err".into(),
            "-error_file".into(),
            dir.join("errors.log").display().to_string(),
        ]);
        if self.trace_msg {
            args.extend([
                "-trace_msg".into(),
                "-message_file".into(),
                dir.join("messages.log").display().to_string(),
            ]);
        }
        args.extend(self.args);
        let description = format!("sipp {}", args.join(" "));
        let mut cmd = Command::new(sipp_bin());
        cmd.args(&args)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(fs::File::create(dir.join("stdout.log")).unwrap())
            .stderr(fs::File::create(dir.join("stderr.log")).unwrap());
        RunningSipp {
            process: ChildGuard::spawn("sipp", &mut cmd),
            dir,
            description,
        }
    }

    /// Runs to the end (at most `limit`, then the test fails).
    pub fn run(self, limit: Duration) -> SippRun {
        self.spawn().wait(limit)
    }
}

impl RunningSipp {
    /// Whether sipp has not ended yet.
    pub fn is_running(&mut self) -> bool {
        self.process.try_status().is_none()
    }

    pub fn wait(mut self, limit: Duration) -> SippRun {
        let status = self.process.wait_timeout(limit);
        let read = |name: &str| fs::read_to_string(self.dir.join(name)).unwrap_or_default();
        let run = SippRun {
            code: status.and_then(|s| s.code()),
            stdout: read("stdout.log"),
            stderr: read("stderr.log"),
            errors: read("errors.log"),
            messages: read("messages.log"),
            description: self.description.clone(),
        };
        assert!(
            status.is_some(),
            "sipp still running after {limit:?}\n{}",
            run.report()
        );
        run
    }
}

impl SippRun {
    pub fn report(&self) -> String {
        format!(
            "{}\nexit code: {:?}\n--- stdout (tail)\n{}\n--- stderr\n{}\n--- errors\n{}\n--- messages\n{}",
            self.description,
            self.code,
            tail(&self.stdout, 4000),
            tail(&self.stderr, 4000),
            tail(&self.errors, 8000),
            tail(&self.messages, 12000),
        )
    }

    /// Every call succeeded.
    pub fn assert_success(&self) {
        assert_eq!(self.code, Some(0), "sipp failed:\n{}", self.report());
    }
}

pub fn tail(s: &str, max: usize) -> &str {
    let mut start = s.len().saturating_sub(max);
    while !s.is_char_boundary(start) {
        start += 1;
    }
    &s[start..]
}

/// The ACK for a non-2xx final response to `invite` (RFC 3261 §17.1.1.3): same Via branch and
/// CSeq number, the response's To (with its tag).
pub fn ack_for(invite: &str, response: &str) -> String {
    let to = header(response, "To").unwrap();
    invite
        .split("\r\n")
        .enumerate()
        .map(|(i, line)| {
            if i == 0 {
                line.replacen("INVITE ", "ACK ", 1)
            } else if line.starts_with("To:") {
                format!("To: {to}")
            } else if line.starts_with("CSeq:") {
                line.replace(" INVITE", " ACK")
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\r\n")
}

impl SippRun {
    /// The cumulative count sipp's final screen shows for `label` (e.g. "Successful call").
    pub fn cumulative(&self, label: &str) -> Option<u64> {
        self.stdout
            .lines()
            .rev()
            .find(|l| l.trim_start().starts_with(label))?
            .rsplit('|')
            .next()?
            .trim()
            .parse()
            .ok()
    }
}

impl SippRun {
    /// How many `what` (a response code such as "503", or a method) the final scenario
    /// screen counts in its Messages column (summed over every scenario line showing it).
    pub fn message_count(&self, what: &str) -> u64 {
        let screen = self
            .stdout
            .rsplit("Scenario Screen")
            .next()
            .unwrap_or_default();
        screen
            .lines()
            .filter_map(|l| {
                let mut t = l.split_whitespace();
                (t.next()? == what && t.next()?.starts_with("<--"))
                    .then(|| t.next()?.parse::<u64>().ok())?
            })
            .sum()
    }
}

/// A free range of `pairs` even/odd UDP port pairs on loopback for a relay, below the
/// kernel's ephemeral range so sipp and clients never land in it. Random start, so parallel
/// test processes rarely collide; the bind at start fails loudly if they do.
pub fn free_media_range(pairs: u16) -> (u16, u16) {
    use std::sync::atomic::{AtomicU64, Ordering};
    static SALT: AtomicU64 = AtomicU64::new(0);
    let mut seed = u64::from(std::process::id())
        ^ SALT.fetch_add(0x9e37_79b9, Ordering::Relaxed)
        ^ std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
    for _ in 0..100 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let base = 20000 + ((seed >> 33) % 5000) as u16 * 2;
        let last = base + pairs * 2 - 1;
        let all_free = (base..=last).all(|p| UdpSocket::bind((LOCALHOST, p)).is_ok());
        if all_free {
            return (base, last);
        }
    }
    panic!("no free media port range");
}

/// A base port for sipp's `-mp`: sipp binds it and the next three (audio and video RTP and
/// RTCP), so one free port is not enough — a taken `+2` kills sipp at start ("Unable to bind
/// video RTP socket"). Four free ports below the ephemeral range.
pub fn sipp_media_port() -> u16 {
    for _ in 0..100 {
        let (base, last) = free_media_range(2);
        let mut taken = HANDED_OUT.lock().unwrap_or_else(|p| p.into_inner());
        if !(base..=last).any(|p| taken.contains(&p)) {
            taken.extend(base..=last);
            return base;
        }
    }
    panic!("no free port range for sipp's media");
}

/// Waits (at most `limit`) until `f` is true, polling every 50 ms; false when it never was.
pub fn wait_until(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if f() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Debian's `fail2ban-regex` on `log` with the shipped filter (`fail2ban/roomgate.conf`): its
/// summary, and the hosts it would ban (one per matched line).
pub fn fail2ban_regex(log: &Path) -> (String, Vec<String>) {
    let filter = concat!(env!("CARGO_MANIFEST_DIR"), "/../fail2ban/roomgate.conf");
    let run = |extra: &[&str]| {
        let out = Command::new("fail2ban-regex")
            .args(extra)
            .arg(log)
            .arg(filter)
            .output()
            .expect("fail2ban-regex (apt-get install fail2ban)");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    };
    let summary = run(&[]);
    let hosts = run(&["--out", "ip"]).lines().map(str::to_owned).collect();
    (summary, hosts)
}
