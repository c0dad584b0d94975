//! baresip as a real SIP peer with audio, for end-to-end tests: it sends a sine tone from a WAV
//! file and records what it receives to another WAV file, so a test can check which tone came
//! through. Driven over its `ctrl_tcp` interface (netstring-framed JSON), loopback only.
//!
//! Written against Debian bookworm's `baresip-core` 1.0.0 (libre 1.1.0), which behaves so:
//! - Headless: no audio player module is loaded at all (none is needed; ring and alert tones are
//!   just not played); the source is `aufile` (a WAV file, mono here, at `ausrc_srate`, loaded
//!   whole into memory, played once: **at its end baresip closes the call**, so the tone is made
//!   longer than any test call, 30 s by default).
//! - The `sndfile` filter writes `<snd_path>/dump-YYYY-MM-DD-HH-MM-SS-dec.wav` (what was received
//!   and decoded, before any playout) and `...-enc.wav` (what was sent), 16-bit PCM at the
//!   codec's rate and channel count (PCMU/PCMA 8 kHz mono, G.722 16 kHz mono, Opus 48 kHz
//!   stereo), one pair per call, named by local time to the second. The header gets its length
//!   when the call ends; `audio::read_wav` copes with a file still being written.
//! - SDES-SRTP (`srtp` module): as offerer it always offers exactly one line,
//!   `AES_CM_128_HMAC_SHA1_80` (hard-coded, not configurable); as answerer it accepts the first
//!   offered line among `AES_CM_128_HMAC_SHA1_80`, `AES_CM_128_HMAC_SHA1_32`, `AEAD_AES_128_GCM`
//!   and `AEAD_AES_256_GCM`. No `AES_256_CM_HMAC_SHA1_*`. `mediaenc=srtp` offers RTP/AVP with
//!   crypto (best effort), `srtp-mand` RTP/SAVP, `srtp-mandf` RTP/SAVPF. The `CALL_MENC` event's
//!   param is `0,audio,<suite>`.
//! - SIP: UDP and TCP on `sip_listen`, TLS always on `sip_listen` port + 1 (with
//!   `sip_certificate`, a PEM holding certificate then key, it can serve TLS). `dial` only
//!   understands `sip:` URIs (a `sips:` one is mangled into `sip:sips:...`): dial
//!   `sip:user@host:port;transport=tls`. As a TLS client it does **not** verify the server's
//!   certificate (a self-signed one of an unknown CA is accepted even with `sip_cafile` set), so
//!   it cannot be used to test certificate rejection. It answers a `sips:` Request-URI over TLS,
//!   with a `sip:...;transport=tls` Contact.
//! - An incoming request is matched to the account by the Request-URI user part; other users get
//!   404. Dial a `Baresip` at [`Baresip::uri`] (or with its `name` as the user part).
//! - DTMF (`sndcode`) goes as RFC 4733 telephone-events; received digits show up as
//!   `CALL_DTMF_START` events whose param is the digit.
#![allow(dead_code)]

use std::fs;
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{audio, free_port, free_port_pair, tail, ChildGuard, TempDir, LOCALHOST};

/// Where Debian's `baresip-core` puts its modules.
pub const MODULE_PATH: &str = "/usr/lib/baresip/modules";

/// How long a control command may take to be answered.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(5);

/// Bound on one netstring frame from ctrl_tcp (events are a few hundred bytes).
const MAX_FRAME: usize = 1 << 20;

/// The baresip executable on PATH. Missing baresip is a failure, not a skip: CI installs it
/// (Debian package `baresip-core`).
pub fn baresip_bin() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join("baresip"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("baresip not found on PATH: install it (Debian/Ubuntu package `baresip-core`)")
        })
}

/// SDP media encryption of the account (`;mediaenc=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaEnc {
    /// Plain RTP/AVP.
    None,
    /// RTP/AVP with `a=crypto`: SRTP when the peer takes it, RTP otherwise.
    Srtp,
    /// RTP/SAVP: SRTP or no call.
    SrtpMand,
    /// RTP/SAVPF.
    SrtpMandF,
}

impl MediaEnc {
    fn param(self) -> Option<&'static str> {
        match self {
            MediaEnc::None => None,
            MediaEnc::Srtp => Some("srtp"),
            MediaEnc::SrtpMand => Some("srtp-mand"),
            MediaEnc::SrtpMandF => Some("srtp-mandf"),
        }
    }
}

/// How a [`Baresip`] is set up. `BaresipOptions::new(name, tone_hz)` then adjust fields or use
/// the chaining helpers.
#[derive(Debug, Clone)]
pub struct BaresipOptions {
    /// User part of the account (`sip:<name>@127.0.0.1`); also names the temp dir.
    pub name: String,
    /// Frequency of the sine it sends.
    pub tone_hz: f64,
    /// Length of the tone file; the call ends when it runs out (aufile does not loop).
    pub tone_secs: f64,
    /// Sample rate of the tone file and of the source (`ausrc_srate`); baresip resamples to the
    /// codec's rate (integer ratios: 48000 suits 8, 16 and 48 kHz codecs).
    pub tone_rate: u32,
    pub media_enc: MediaEnc,
    /// `;audio_codecs=` in baresip's spelling: `pcmu`, `pcma`, `g722/16000/1`,
    /// `opus/48000/2`. Empty: every loaded codec (opus, G722, PCMU, PCMA).
    pub audio_codecs: Vec<String>,
    /// `answermode=auto` (answer every incoming call at once) instead of `manual`.
    pub auto_answer: bool,
    /// `sip_certificate`: a PEM file with the certificate (chain) then the private key, served
    /// on the TLS listener (SIP port + 1).
    pub certificate: Option<PathBuf>,
    /// `sip_cafile` (loaded, but baresip 1.0.0 does not enforce it, see the module doc).
    pub ca_file: Option<PathBuf>,
    /// The account's URI instead of `sip:<name>@127.0.0.1` (e.g. to register somewhere).
    pub aor: Option<String>,
    /// `regint`: 0 (no REGISTER) unless set.
    pub regint: u32,
    /// More `;key=value` account parameters, e.g. `auth_pass=secret`, `ptime=30`.
    pub account_params: Vec<String>,
    /// More config lines, e.g. `rtp_timeout 5`.
    pub extra_config: Vec<String>,
    /// `-s`: log every SIP message.
    pub sip_trace: bool,
}

impl BaresipOptions {
    pub fn new(name: &str, tone_hz: f64) -> BaresipOptions {
        BaresipOptions {
            name: name.to_owned(),
            tone_hz,
            tone_secs: 30.0,
            tone_rate: 48_000,
            media_enc: MediaEnc::None,
            audio_codecs: Vec::new(),
            auto_answer: false,
            certificate: None,
            ca_file: None,
            aor: None,
            regint: 0,
            account_params: Vec::new(),
            extra_config: Vec::new(),
            sip_trace: true,
        }
    }

    pub fn media_enc(mut self, enc: MediaEnc) -> Self {
        self.media_enc = enc;
        self
    }

    pub fn codecs(mut self, codecs: &[&str]) -> Self {
        self.audio_codecs = codecs.iter().map(|c| (*c).to_owned()).collect();
        self
    }

    pub fn auto_answer(mut self) -> Self {
        self.auto_answer = true;
        self
    }

    pub fn tls(mut self, certificate: Option<PathBuf>, ca_file: Option<PathBuf>) -> Self {
        self.certificate = certificate;
        self.ca_file = ca_file;
        self
    }
}

/// One event from ctrl_tcp, e.g. `CALL_ESTABLISHED`.
#[derive(Debug, Clone)]
pub struct Event {
    /// `type`: CALL_INCOMING, CALL_RINGING, CALL_PROGRESS, CALL_ESTABLISHED, CALL_CLOSED,
    /// CALL_MENC, CALL_DTMF_START, CALL_DTMF_END, CALL_RTPESTAB, CALL_RTCP, CALL_LOCAL_SDP,
    /// CALL_REMOTE_SDP, REGISTER_OK, REGISTER_FAIL, AUDIO_ERROR, SHUTDOWN, EXIT, ...
    pub kind: String,
    pub class: String,
    /// `param`: the reason for CALL_CLOSED, the digit for CALL_DTMF_START, `0,audio,<suite>`
    /// for CALL_MENC, the peer URI for CALL_ESTABLISHED.
    pub param: String,
    /// baresip's call id (the SIP Call-ID), when the event is about a call.
    pub call_id: Option<String>,
    pub peer_uri: Option<String>,
    /// `incoming` or `outgoing`.
    pub direction: Option<String>,
    pub json: Value,
}

impl Event {
    fn from_json(json: Value) -> Event {
        let s = |k: &str| json.get(k).and_then(Value::as_str).map(str::to_owned);
        Event {
            kind: s("type").unwrap_or_default(),
            class: s("class").unwrap_or_default(),
            param: s("param").unwrap_or_default(),
            call_id: s("id"),
            peer_uri: s("peeruri"),
            direction: s("direction"),
            json,
        }
    }
}

struct Ctrl {
    stream: TcpStream,
    buf: Vec<u8>,
    /// Every event so far, with whether a `wait_event` has returned it.
    events: Vec<(Event, bool)>,
    next_token: u64,
}

impl Ctrl {
    /// Reads frames until `deadline`, or until one is a response with `token` (returned).
    fn pump(&mut self, deadline: Instant, token: Option<&str>) -> Result<Option<Value>, String> {
        loop {
            while let Some(frame) = self.next_frame()? {
                let json: Value = serde_json::from_slice(&frame).map_err(|e| {
                    format!(
                        "ctrl_tcp sent bad JSON ({e}): {}",
                        String::from_utf8_lossy(&frame)
                    )
                })?;
                if json.get("event").is_some() {
                    self.events.push((Event::from_json(json), false));
                } else if json.get("response").is_some()
                    && token.is_some()
                    && json.get("token").and_then(Value::as_str) == token
                {
                    return Ok(Some(json));
                }
            }
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                return Ok(None);
            };
            if left.is_zero() {
                return Ok(None);
            }
            self.stream
                .set_read_timeout(Some(left.min(Duration::from_millis(100))))
                .map_err(|e| e.to_string())?;
            let mut chunk = [0u8; 8192];
            match self.stream.read(&mut chunk) {
                Ok(0) => return Err("ctrl_tcp connection closed".into()),
                Ok(n) => self
                    .buf
                    .extend_from_slice(chunk.get(..n).unwrap_or_default()),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(e) => return Err(format!("ctrl_tcp read: {e}")),
            }
        }
    }

    /// One netstring (`<len>:<payload>,`) off the front of the buffer.
    fn next_frame(&mut self) -> Result<Option<Vec<u8>>, String> {
        let Some(colon) = self.buf.iter().position(|&b| b == b':') else {
            if self.buf.len() > 20 {
                return Err("ctrl_tcp: netstring length prefix too long".into());
            }
            return Ok(None);
        };
        let len: usize = std::str::from_utf8(self.buf.get(..colon).unwrap_or_default())
            .ok()
            .and_then(|d| d.parse().ok())
            .ok_or_else(|| "ctrl_tcp: bad netstring length".to_owned())?;
        if len > MAX_FRAME {
            return Err(format!("ctrl_tcp: frame of {len} bytes"));
        }
        let end = colon + 1 + len;
        if self.buf.len() < end + 1 {
            return Ok(None);
        }
        if self.buf.get(end) != Some(&b',') {
            return Err("ctrl_tcp: netstring not terminated by ','".into());
        }
        let payload = self.buf.get(colon + 1..end).unwrap_or_default().to_vec();
        self.buf.drain(..=end);
        Ok(Some(payload))
    }

    fn send(&mut self, command: &str, params: Option<&str>) -> Result<String, String> {
        self.next_token += 1;
        let token = format!("t{}", self.next_token);
        let mut msg = serde_json::json!({ "command": command, "token": token });
        if let Some(p) = params {
            msg["params"] = Value::String(p.to_owned());
        }
        let body = msg.to_string();
        let frame = format!("{}:{body},", body.len());
        self.stream
            .write_all(frame.as_bytes())
            .map_err(|e| format!("ctrl_tcp write: {e}"))?;
        Ok(token)
    }
}

/// A running baresip on 127.0.0.1 with its own config dir, ports and tone. Quit (then killed)
/// on drop.
pub struct Baresip {
    pub name: String,
    /// SIP over UDP and TCP.
    pub sip: SocketAddr,
    /// SIP over TLS (always listening; serves `certificate` when one was given).
    pub sip_tls: SocketAddr,
    pub ctrl_addr: SocketAddr,
    /// The WAV file it sends.
    pub tone_wav: PathBuf,
    pub options: BaresipOptions,
    ctrl: Mutex<Ctrl>,
    process: Mutex<ChildGuard>,
    log_path: PathBuf,
    /// Last, so the process is gone before its directory is removed.
    pub dir: TempDir,
}

impl Baresip {
    /// Writes the config dir, starts `baresip -f <dir> -v`, waits (at most 10 s) until it is
    /// ready and its control socket is connected. Ports taken in between are retried.
    pub fn start(opts: BaresipOptions) -> Baresip {
        let mut last = String::new();
        for _attempt in 0..3 {
            match Baresip::try_start(&opts) {
                Ok(b) => return b,
                Err((retry, why)) => {
                    last = why;
                    if !retry {
                        break;
                    }
                }
            }
        }
        panic!("baresip {} failed to start: {last}", opts.name);
    }

    fn try_start(opts: &BaresipOptions) -> Result<Baresip, (bool, String)> {
        let dir = TempDir::new(&format!("baresip-{}", opts.name));
        let (sip_port, tls_port) = free_port_pair();
        let ctrl_port = free_port();
        let sip = SocketAddr::new(LOCALHOST, sip_port);
        let sip_tls = SocketAddr::new(LOCALHOST, tls_port);
        let ctrl_addr = SocketAddr::new(LOCALHOST, ctrl_port);

        let tone_wav = dir.join("tone.wav");
        audio::write_sine_wav(&tone_wav, opts.tone_hz, opts.tone_rate, opts.tone_secs)
            .map_err(|e| (false, format!("cannot write {}: {e}", tone_wav.display())))?;
        let config = config_text(opts, sip, ctrl_addr, &tone_wav, dir.path());
        let accounts = account_line(opts);
        let write = |name: &str, text: &str| {
            fs::write(dir.join(name), text).map_err(|e| (false, format!("write {name}: {e}")))
        };
        write("config", &config)?;
        write("accounts", &format!("{accounts}\n"))?;
        write("contacts", "")?;

        let log_path = dir.join("baresip.log");
        let log = fs::File::create(&log_path).map_err(|e| (false, e.to_string()))?;
        let log2 = log.try_clone().map_err(|e| (false, e.to_string()))?;
        let mut cmd = Command::new(baresip_bin());
        cmd.arg("-f").arg(dir.path()).arg("-v");
        if opts.sip_trace {
            cmd.arg("-s");
        }
        cmd.current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log2);
        let mut process = ChildGuard::spawn("baresip", &mut cmd);

        let describe = |text: &str| {
            format!(
                "\n--- config\n{config}\n--- accounts\n{accounts}\n--- log\n{}",
                tail(text, 6000)
            )
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let text = fs::read_to_string(&log_path).unwrap_or_default();
            if let Some(status) = process.try_status() {
                let busy = text.contains("Address already in use")
                    || text.contains("SIP Transport failed")
                    || text.contains("failed to listen");
                return Err((busy, format!("exited with {status}{}", describe(&text))));
            }
            if text.contains("baresip is ready") {
                break;
            }
            if Instant::now() >= deadline {
                return Err((false, format!("not ready within 10 s{}", describe(&text))));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let stream = loop {
            match TcpStream::connect_timeout(&ctrl_addr, Duration::from_secs(1)) {
                Ok(s) => break s,
                Err(e) if Instant::now() >= deadline => {
                    let text = fs::read_to_string(&log_path).unwrap_or_default();
                    return Err((false, format!("ctrl_tcp connect: {e}{}", describe(&text))));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        };
        let _ = stream.set_nodelay(true);
        Ok(Baresip {
            name: opts.name.clone(),
            sip,
            sip_tls,
            ctrl_addr,
            tone_wav,
            options: opts.clone(),
            ctrl: Mutex::new(Ctrl {
                stream,
                buf: Vec::new(),
                events: Vec::new(),
                next_token: 0,
            }),
            process: Mutex::new(process),
            log_path,
            dir,
        })
    }

    /// Where to dial it over UDP: `sip:<name>@127.0.0.1:<port>`.
    pub fn uri(&self) -> String {
        format!("sip:{}@{}", self.name, self.sip)
    }

    /// Over TCP.
    pub fn tcp_uri(&self) -> String {
        format!("sip:{}@{};transport=tcp", self.name, self.sip)
    }

    /// Over TLS, in the form baresip itself can dial (`sip:...;transport=tls`).
    pub fn tls_uri(&self) -> String {
        format!("sip:{}@{};transport=tls", self.name, self.sip_tls)
    }

    /// Everything baresip has logged (verbose, with SIP trace unless turned off).
    pub fn log(&self) -> String {
        fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    pub fn is_running(&self) -> bool {
        self.lock_process().try_status().is_none()
    }

    fn lock_ctrl(&self) -> std::sync::MutexGuard<'_, Ctrl> {
        self.ctrl.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lock_process(&self) -> std::sync::MutexGuard<'_, ChildGuard> {
        self.process.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn fail(&self, what: &str) -> ! {
        let events: Vec<String> = self
            .lock_ctrl()
            .events
            .iter()
            .map(|(e, _)| format!("{} {}", e.kind, e.param))
            .collect();
        panic!(
            "baresip {}: {what}\nevents: {events:#?}\n--- log ({})\n{}",
            self.name,
            self.log_path.display(),
            tail(&self.log(), 8000)
        );
    }

    /// Runs a control command (e.g. `dial`, `hangup`, `accept`, `sndcode`, `quit`, `listcalls`)
    /// and returns its `data` when `ok`, `Err(data)` when not. Fails the test when there is no
    /// answer within [`COMMAND_TIMEOUT`].
    pub fn command(&self, command: &str, params: Option<&str>) -> Result<String, String> {
        let result = {
            let mut ctrl = self.lock_ctrl();
            ctrl.send(command, params)
                .and_then(|token| ctrl.pump(Instant::now() + COMMAND_TIMEOUT, Some(&token)))
        };
        match result {
            Ok(Some(resp)) => {
                let data = resp
                    .get("data")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                if resp.get("ok").and_then(Value::as_bool) == Some(true) {
                    Ok(data)
                } else {
                    Err(data)
                }
            }
            Ok(None) => self.fail(&format!(
                "no answer to `{command}` within {COMMAND_TIMEOUT:?}"
            )),
            Err(e) => self.fail(&format!("`{command}`: {e}")),
        }
    }

    fn expect_ok(&self, command: &str, params: Option<&str>) {
        if let Err(e) = self.command(command, params) {
            self.fail(&format!(
                "`{command} {}` refused: {e}",
                params.unwrap_or("")
            ));
        }
    }

    /// Places a call (`dial <uri>`); wait for `CALL_ESTABLISHED` to know it was answered.
    pub fn dial(&self, uri: &str) {
        self.expect_ok("dial", Some(uri));
    }

    /// Answers the ringing incoming call (manual answer mode).
    pub fn accept(&self) {
        self.expect_ok("accept", None);
    }

    /// Hangs up the current call.
    pub fn hangup(&self) {
        self.expect_ok("hangup", None);
    }

    /// Sends `digits` (0-9, *, #, A-D) as RFC 4733 events on the current call (`sndcode`).
    pub fn send_dtmf(&self, digits: &str) {
        self.expect_ok("sndcode", Some(digits));
    }

    /// Every event received so far (reads what is waiting on the socket first).
    pub fn events(&self) -> Vec<Event> {
        let mut ctrl = self.lock_ctrl();
        if let Err(e) = ctrl.pump(Instant::now(), None) {
            drop(ctrl);
            self.fail(&e);
        }
        ctrl.events.iter().map(|(e, _)| e.clone()).collect()
    }

    /// The first event of `kind` that no earlier wait returned, waiting at most `timeout`.
    pub fn try_wait_event(&self, kind: &str, timeout: Duration) -> Option<Event> {
        self.try_wait_event_where(kind, timeout, |_| true)
    }

    /// As [`try_wait_event`](Self::try_wait_event), for an event also matching `pred`.
    pub fn try_wait_event_where(
        &self,
        kind: &str,
        timeout: Duration,
        pred: impl Fn(&Event) -> bool,
    ) -> Option<Event> {
        let deadline = Instant::now() + timeout;
        let mut ctrl = self.lock_ctrl();
        loop {
            if let Some((event, taken)) = ctrl
                .events
                .iter_mut()
                .find(|(e, taken)| !*taken && e.kind == kind && pred(e))
            {
                *taken = true;
                return Some(event.clone());
            }
            if Instant::now() >= deadline {
                return None;
            }
            let step = (Instant::now() + Duration::from_millis(100)).min(deadline);
            if let Err(e) = ctrl.pump(step, None) {
                drop(ctrl);
                self.fail(&e);
            }
        }
    }

    /// As [`try_wait_event`](Self::try_wait_event), failing the test (with the log) on timeout.
    pub fn wait_event(&self, kind: &str, timeout: Duration) -> Event {
        self.try_wait_event(kind, timeout)
            .unwrap_or_else(|| self.fail(&format!("no {kind} event within {timeout:?}")))
    }

    /// The WAV files `sndfile` wrote for `kind` (`dec` = received, `enc` = sent), oldest first.
    pub fn recordings(&self, kind: &str) -> Vec<PathBuf> {
        let suffix = format!("-{kind}.wav");
        let mut files: Vec<PathBuf> = fs::read_dir(self.dir.path())
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| {
                        p.file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| n.starts_with("dump-") && n.ends_with(&suffix))
                    })
                    .collect()
            })
            .unwrap_or_default();
        // The names carry the time to the second, so they sort by time.
        files.sort();
        files
    }

    /// The newest recording of received audio (`dump-<time>-dec.wav`), if any.
    pub fn recorded_wav(&self) -> Option<PathBuf> {
        self.recordings("dec").pop()
    }

    /// The newest recording of sent audio (`dump-<time>-enc.wav`), if any.
    pub fn sent_wav(&self) -> Option<PathBuf> {
        self.recordings("enc").pop()
    }

    /// Asserts the newest received recording holds this peer's expected tone (see
    /// [`audio::assert_tone`]).
    pub fn assert_heard(&self, expect_hz: f64, absent_hz: &[f64], min_secs: f64) {
        let Some(path) = self.recorded_wav() else {
            self.fail("no received-audio recording (dump-*-dec.wav)");
        };
        audio::assert_tone(&path, expect_hz, absent_hz, min_secs);
    }

    /// Asks baresip to quit and waits at most `limit` for it to exit.
    pub fn quit(&self, limit: Duration) -> bool {
        if self.lock_process().try_status().is_some() {
            return true;
        }
        {
            let mut ctrl = self.lock_ctrl();
            let _ = ctrl.send("quit", None);
        }
        self.lock_process().wait_timeout(limit).is_some()
    }
}

impl Drop for Baresip {
    fn drop(&mut self) {
        // A clean quit ends calls with BYE; then the ChildGuard kills whatever is left.
        let _ = self.quit(Duration::from_secs(2));
    }
}

fn config_text(
    opts: &BaresipOptions,
    sip: SocketAddr,
    ctrl: SocketAddr,
    tone: &Path,
    dir: &Path,
) -> String {
    let mut lines = vec![
        "poll_method epoll".to_owned(),
        format!("sip_listen {sip}"),
        // An address, not an interface name: `lo` is skipped as a loopback interface.
        "net_interface 127.0.0.1".to_owned(),
        "call_local_timeout 30".to_owned(),
        "call_max_calls 4".to_owned(),
        // No audio_player / audio_alert and no player module: nothing is played out.
        format!("audio_source aufile,{}", tone.display()),
        format!("ausrc_srate {}", opts.tone_rate),
        "ausrc_channels 1".to_owned(),
        "audio_buffer 20-160".to_owned(),
        "rtcp_mux no".to_owned(),
        "jitter_buffer_delay 1-10".to_owned(),
        "statmode_default off".to_owned(),
        format!("module_path {MODULE_PATH}"),
        "module g711.so".to_owned(),
        "module g722.so".to_owned(),
        "module opus.so".to_owned(),
        "module aufile.so".to_owned(),
        "module sndfile.so".to_owned(),
        "module srtp.so".to_owned(),
        "module_tmp account.so".to_owned(),
        "module_app menu.so".to_owned(),
        "module_app ctrl_tcp.so".to_owned(),
        format!("ctrl_tcp_listen {ctrl}"),
        format!("snd_path {}", dir.display()),
    ];
    if let Some(cert) = &opts.certificate {
        lines.push(format!("sip_certificate {}", cert.display()));
    }
    if let Some(ca) = &opts.ca_file {
        lines.push(format!("sip_cafile {}", ca.display()));
    }
    lines.extend(opts.extra_config.iter().cloned());
    lines.join("\n") + "\n"
}

fn account_line(opts: &BaresipOptions) -> String {
    let aor = opts
        .aor
        .clone()
        .unwrap_or_else(|| format!("sip:{}@127.0.0.1", opts.name));
    let mut line = format!(
        "<{aor}>;regint={};answermode={}",
        opts.regint,
        if opts.auto_answer { "auto" } else { "manual" }
    );
    if let Some(enc) = opts.media_enc.param() {
        line.push_str(&format!(";mediaenc={enc}"));
    }
    if !opts.audio_codecs.is_empty() {
        line.push_str(&format!(";audio_codecs={}", opts.audio_codecs.join(",")));
    }
    for p in &opts.account_params {
        line.push(';');
        line.push_str(p);
    }
    line
}

/// A private CA and a certificate for 127.0.0.1 signed by it, as PEM files in `dir`: the CA,
/// and the certificate followed by its key (the one-file form baresip's `sip_certificate`
/// wants).
pub fn make_pki(dir: &super::TempDir) -> (std::path::PathBuf, std::path::PathBuf) {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
        KeyUsagePurpose,
    };
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Roomgate peer test CA");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "127.0.0.1");
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    let cert = params.signed_by(&key, &ca, &ca_key).unwrap();
    let (ca_pem, cert_pem) = (dir.join("ca.pem"), dir.join("peer.pem"));
    std::fs::write(&ca_pem, ca.pem()).unwrap();
    std::fs::write(&cert_pem, format!("{}{}", cert.pem(), key.serialize_pem())).unwrap();
    (ca_pem, cert_pem)
}
