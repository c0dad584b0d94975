//! `roomgate endpoint` against a real OpenSSH server: Debian's `/usr/sbin/sshd`, started here
//! on a free 127.0.0.1 port with its own config and host key (made by `ssh-keygen` in a temp
//! dir; never the system's sshd or keys). Its `authorized_keys` gives each client key a forced
//! command: `tests/ssh/console.sh`, which speaks the Cisco xAPI or Poly console dialect, never
//! answers, or floods. The real `roomgate` binary does the rest.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{free_port, ChildGuard, TempDir};
use serde_json::Value;

const SSHD: &str = "/usr/sbin/sshd";
const PASSPHRASE: &str = "correct horse battery staple 7731";
const DIAL_ADDRESS: &str = "gw.roomgate.test";

fn console_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ssh/console.sh")
}

/// Runs `ssh-keygen` with `args`; panics with its output when it fails.
fn keygen(args: &[&str]) -> String {
    let out = Command::new("ssh-keygen").args(args).output().unwrap();
    assert!(out.status.success(), "ssh-keygen {args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// A new ed25519 key pair at `path` (and `path.pub`), with `passphrase` ("" for none).
fn new_key(path: &Path, passphrase: &str) {
    keygen(&[
        "-q",
        "-t",
        "ed25519",
        "-N",
        passphrase,
        "-C",
        "roomgate-test",
        "-f",
        path.to_str().unwrap(),
    ]);
}

/// The SHA-256 fingerprint `ssh-keygen -l` prints for a public key.
fn fingerprint(public: &Path) -> String {
    let line = keygen(&["-l", "-E", "sha256", "-f", public.to_str().unwrap()]);
    let fp = line.split_whitespace().nth(1).unwrap().to_owned();
    assert!(fp.starts_with("SHA256:"), "{line}");
    fp
}

/// One room: an sshd, its host key, client keys for each console behaviour, and a data
/// directory for `roomgate`.
struct Room {
    dir: TempDir,
    port: u16,
    sshd: Option<ChildGuard>,
    host_fp: String,
}

impl Room {
    fn start(tag: &str) -> Room {
        assert!(
            Path::new(SSHD).exists(),
            "{SSHD} missing: apt-get install openssh-server"
        );
        let dir = TempDir::new(&format!("endpoint-{tag}"));
        std::fs::create_dir(dir.join("state")).unwrap();
        std::fs::create_dir(dir.join("data")).unwrap();
        new_key(&dir.join("host_key"), "");
        let host_fp = fingerprint(&dir.join("host_key.pub"));
        let mut authorized = String::new();
        for (key, dialect, passphrase) in [
            ("cisco", "cisco", ""),
            ("poly", "poly", PASSPHRASE),
            ("silent", "silent", ""),
            ("flood", "flood", ""),
        ] {
            let path = dir.join(&format!("key_{key}"));
            new_key(&path, passphrase);
            let public = std::fs::read_to_string(path.with_extension("pub")).unwrap();
            authorized.push_str(&format!(
                "command=\"/bin/bash {} {dialect} {}\",no-pty,no-port-forwarding,no-agent-forwarding,no-X11-forwarding {}",
                console_script().display(),
                dir.join("state").display(),
                public
            ));
        }
        // A key the room does not know.
        new_key(&dir.join("key_stranger"), "");
        std::fs::write(dir.join("authorized_keys"), authorized).unwrap();
        let mut room = Room {
            port: free_port(),
            dir,
            sshd: None,
            host_fp,
        };
        room.run_sshd("host_key");
        room.write_config("roomgate.toml", 10);
        room.write_config("short.toml", 2);
        room
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Starts sshd with host key `host_key` on the room's port and waits until it accepts.
    fn run_sshd(&mut self, host_key: &str) {
        // sshd run as root insists on its privilege separation directory.
        if std::fs::metadata("/proc/self")
            .map(|m| std::os::unix::fs::MetadataExt::uid(&m))
            .ok()
            == Some(0)
        {
            let _ = std::fs::create_dir_all("/run/sshd");
        }
        let config = format!(
            "ListenAddress 127.0.0.1:{port}\n\
             HostKey {dir}/{host_key}\n\
             PidFile none\n\
             AuthorizedKeysFile {dir}/authorized_keys\n\
             StrictModes no\n\
             UsePAM no\n\
             PubkeyAuthentication yes\n\
             PasswordAuthentication no\n\
             KbdInteractiveAuthentication no\n\
             PermitRootLogin prohibit-password\n\
             AllowTcpForwarding no\n\
             X11Forwarding no\n\
             LogLevel VERBOSE\n",
            port = self.port,
            dir = self.dir.path().display(),
        );
        std::fs::write(self.path("sshd_config"), config).unwrap();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.path("sshd.log"))
            .unwrap();
        self.sshd = None;
        let sshd = ChildGuard::spawn(
            "sshd",
            Command::new(SSHD)
                .args(["-D", "-e", "-f"])
                .arg(self.path("sshd_config"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(log),
        );
        self.sshd = Some(sshd);
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if let Some(s) = self.sshd.as_mut().unwrap().try_status() {
                panic!("sshd exited ({s}):\n{}", self.sshd_log());
            }
            assert!(
                Instant::now() < deadline,
                "sshd did not listen:\n{}",
                self.sshd_log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        // That probe was a connection too; let sshd log it before anyone counts.
        std::thread::sleep(Duration::from_millis(100));
    }

    fn sshd_log(&self) -> String {
        std::fs::read_to_string(self.path("sshd.log")).unwrap_or_default()
    }

    /// Connections sshd has accepted so far.
    fn connections(&self) -> usize {
        self.sshd_log().matches("Connection from 127.0.0.1").count()
    }

    fn write_config(&self, name: &str, command_timeout_s: u64) {
        std::fs::write(
            self.path(name),
            format!(
                "[endpoints]\ndial_address = \"{DIAL_ADDRESS}\"\nconnect_timeout_s = 5\ncommand_timeout_s = {command_timeout_s}\nmax_output_bytes = 4096\n"
            ),
        )
        .unwrap();
    }

    /// Lines the console received, over every session so far.
    fn received(&self) -> Vec<String> {
        std::fs::read_to_string(self.path("state/received"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    fn security_log(&self) -> Vec<Value> {
        std::fs::read_to_string(self.path("data/security.log"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// `roomgate endpoint ARGS --config roomgate.toml --data-dir data`, with `stdin`. Checks
    /// that the passphrase is in no argv, output or log, and that nothing panicked.
    fn roomgate(&self, args: &[&str], stdin: &str) -> Output {
        self.roomgate_with("roomgate.toml", args, stdin)
    }

    fn roomgate_with(&self, config: &str, args: &[&str], stdin: &str) -> Output {
        assert!(args.iter().all(|a| !a.contains(PASSPHRASE)), "test bug");
        let mut child = Command::new(env!("CARGO_BIN_EXE_roomgate"))
            .arg("endpoint")
            .args(args)
            .arg("--config")
            .arg(self.path(config))
            .arg("--data-dir")
            .arg(self.path("data"))
            .env_remove("ROOMGATE_DATA")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
        let out = child.wait_with_output().unwrap();
        let (o, e) = (text(&out.stdout), text(&out.stderr));
        assert!(!e.contains("panicked"), "{e}");
        for s in [&o, &e, &self.sshd_log()] {
            assert!(!s.contains(PASSPHRASE), "passphrase leaked: {s}");
        }
        let log = std::fs::read_to_string(self.path("data/security.log")).unwrap_or_default();
        assert!(!log.contains(PASSPHRASE));
        out
    }

    /// `endpoint add NAME` for key `key` and `dialect`, pinning `fp`.
    fn add(&self, name: &str, key: &str, dialect: &str, fp: Option<&str>, stdin: &str) -> Output {
        let host = format!("127.0.0.1:{}", self.port);
        let key = self.path(&format!("key_{key}"));
        let user = whoami();
        let mut args = vec![
            "add",
            name,
            "--host",
            &host,
            "--user",
            &user,
            "--key",
            key.to_str().unwrap(),
            "--dialect",
            dialect,
        ];
        if let Some(fp) = fp {
            args.extend(["--accept-host-key", fp]);
        }
        if !stdin.is_empty() {
            args.push("--passphrase-stdin");
        }
        self.roomgate(&args, stdin)
    }
}

/// The user this test runs as: the one sshd lets in with our keys.
fn whoami() -> String {
    let out = Command::new("id").arg("-un").output().unwrap();
    text(&out.stdout).trim().to_owned()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn ok(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "stdout: {}\nstderr: {}",
        text(&out.stdout),
        text(&out.stderr)
    );
    serde_json::from_str(&text(&out.stdout)).unwrap_or(Value::Null)
}

fn failed(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout: {}\nstderr: {}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stderr)
}

fn events<'a>(log: &'a [Value], kind: &str) -> Vec<&'a Value> {
    log.iter().filter(|e| e["event"] == kind).collect()
}

#[test]
fn cisco_room_add_dial_status_hangup() {
    let room = Room::start("cisco");
    // No fingerprint given: the room's is printed, and nothing is stored.
    let out = room.add("boardroom", "cisco", "cisco-xapi", None, "");
    let err = failed(&out);
    assert_eq!(text(&out.stdout).trim(), room.host_fp, "{err}");
    assert!(err.contains("not pinned"), "{err}");
    assert_eq!(text(&ok_list(&room)), "no endpoints\n");
    let refused = room.security_log();
    let refused = events(&refused, "endpoint_host_key_refused");
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0]["reason"], "unknown");
    assert_eq!(refused[0]["presented"], room.host_fp.as_str());

    // The right fingerprint: pinned, and our key accepted.
    let out = room.add("boardroom", "cisco", "cisco-xapi", Some(&room.host_fp), "");
    ok(&out);
    assert!(text(&out.stdout).starts_with("added endpoint boardroom"));
    let listed: Value =
        serde_json::from_str(text(&room.roomgate(&["list", "--json"], "").stdout).trim()).unwrap();
    assert_eq!(listed["host_key"], room.host_fp.as_str());
    assert_eq!(listed["dialect"], "cisco-xapi");
    assert_eq!(listed["key_file"], room.path("key_cisco").to_str().unwrap());

    let dial = ok(&room.roomgate(&["dial", "boardroom", "1001"], ""));
    assert_eq!(dial["dialled"], format!("1001@{DIAL_ADDRESS}"));
    assert_eq!(dial["result"]["call_id"], "1");
    assert_eq!(dial["truncated"], false);
    assert!(room.received().contains(&format!(
        "xCommand Dial Number: \"1001@{DIAL_ADDRESS}\" Protocol: Sip"
    )));

    let status = ok(&room.roomgate(&["status", "boardroom"], ""));
    let call = &status["result"]["calls"][0];
    assert_eq!(status["result"]["in_call"], true);
    assert_eq!(call["id"], "1");
    assert_eq!(call["state"], "connected");
    assert_eq!(call["remote"], format!("1001@{DIAL_ADDRESS}"));
    assert_eq!(call["direction"], "outgoing");
    assert_eq!(call["media"]["encryption"], "Aes-128");
    assert_eq!(call["media"]["transmit_kbps"], 1920);

    let hangup = ok(&room.roomgate(&["hangup", "boardroom"], ""));
    assert_eq!(hangup["result"]["hung_up"], true);
    let after = ok(&room.roomgate(&["status", "boardroom"], ""));
    assert_eq!(after["result"]["in_call"], false);
    assert_eq!(after["result"]["calls"], serde_json::json!([]));
    // A second hangup: the room says there is no call, and we say so.
    let err = failed(&room.roomgate(&["hangup", "boardroom"], ""));
    assert!(err.contains("No active call"), "{err}");

    let diag = ok(&room.roomgate(&["exec", "boardroom", "xStatus SystemUnit"], ""));
    assert!(diag["result"]["output"]
        .as_str()
        .unwrap()
        .contains("*s SystemUnit ProductId: \"Cisco Room Kit\""));

    // Every operation is in the audit trail with who asked.
    let log = room.security_log();
    let ops = events(&log, "endpoint_operation");
    let summary: Vec<(String, String)> = ops
        .iter()
        .map(|e| {
            assert!(e["who"].as_str().unwrap().starts_with("cli uid="), "{e}");
            (
                e["operation"].as_str().unwrap().to_owned(),
                e["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expect = [
        ("add", "host_key_unknown"),
        ("add", "ok"),
        ("dial", "ok"),
        ("status", "ok"),
        ("hangup", "ok"),
        ("status", "ok"),
        ("hangup", "refused_by_room"),
        ("exec", "ok"),
    ];
    assert_eq!(
        summary,
        expect.map(|(a, b)| (a.to_owned(), b.to_owned())).to_vec()
    );
    assert_eq!(ops[2]["dialled"], format!("1001@{DIAL_ADDRESS}"));

    ok(&room.roomgate(&["remove", "boardroom"], ""));
    let err = failed(&room.roomgate(&["status", "boardroom"], ""));
    assert!(err.contains("no endpoint boardroom"), "{err}");
}

fn ok_list(room: &Room) -> Vec<u8> {
    let out = room.roomgate(&["list"], "");
    assert!(out.status.success());
    out.stdout
}

#[test]
fn poly_room_with_an_encrypted_key() {
    let room = Room::start("poly");
    // The key is encrypted: without its passphrase nothing happens.
    let err = failed(&room.add("huddle", "poly", "poly", Some(&room.host_fp), ""));
    assert!(err.contains("encrypted"), "{err}");
    let stdin = format!("{PASSPHRASE}\n");
    ok(&room.add("huddle", "poly", "poly", Some(&room.host_fp), &stdin));
    let dial = ok(&room.roomgate(&["dial", "huddle", "2002", "--passphrase-stdin"], &stdin));
    assert_eq!(dial["result"]["call_id"], "40");
    assert!(room
        .received()
        .contains(&format!("dial manual 1920 \"2002@{DIAL_ADDRESS}\" sip")));
    let status = ok(&room.roomgate(&["status", "huddle", "--passphrase-stdin"], &stdin));
    let call = &status["result"]["calls"][0];
    assert_eq!(call["remote"], format!("2002@{DIAL_ADDRESS}"));
    assert_eq!(call["display_name"], "Roomgate: Gateway");
    assert_eq!(call["state"], "connected");
    assert_eq!(call["media"]["call_type"], "videocall");
    let hangup = ok(&room.roomgate(&["hangup", "huddle", "--passphrase-stdin"], &stdin));
    assert_eq!(hangup["result"]["hung_up"], true);
    let idle = ok(&room.roomgate(&["status", "huddle", "--passphrase-stdin"], &stdin));
    assert_eq!(idle["result"]["in_call"], false);
    let version = ok(&room.roomgate(&["exec", "huddle", "version", "--passphrase-stdin"], &stdin));
    assert!(version["result"]["output"]
        .as_str()
        .unwrap()
        .contains("6.2.2.4-test"));
    // A wrong passphrase is an error that does not repeat it.
    let err = failed(&room.roomgate(
        &["status", "huddle", "--passphrase-stdin"],
        "not the passphrase\n",
    ));
    assert!(err.contains("key_poly"), "{err}");
    assert!(!err.contains("not the passphrase"), "{err}");
}

#[test]
fn a_changed_host_key_is_refused_with_a_security_event() {
    let mut room = Room::start("hostkey");
    ok(&room.add("boardroom", "cisco", "cisco-xapi", Some(&room.host_fp), ""));
    // The room is replaced (or someone sits in between): same address, another host key.
    new_key(&room.path("other_host_key"), "");
    let other_fp = fingerprint(&room.path("other_host_key.pub"));
    room.run_sshd("other_host_key");
    let before = room.received().len();
    let err = failed(&room.roomgate(&["dial", "boardroom", "1001"], ""));
    assert!(err.contains("CHANGED"), "{err}");
    assert!(
        err.contains(&room.host_fp) && err.contains(&other_fp),
        "{err}"
    );
    // Refused before authentication: the console never ran.
    assert_eq!(room.received().len(), before);
    let log = room.security_log();
    let refused = events(&log, "endpoint_host_key_refused");
    assert_eq!(refused.len(), 1, "{log:?}");
    assert_eq!(refused[0]["reason"], "changed");
    assert_eq!(refused[0]["expected"], room.host_fp.as_str());
    assert_eq!(refused[0]["presented"], other_fp.as_str());
    assert_eq!(refused[0]["endpoint"], "boardroom");
    let last = events(&log, "endpoint_operation").pop().unwrap().clone();
    assert_eq!(last["outcome"], "host_key_changed");
    // A fingerprint that is not the room's is refused at add time as well.
    let err = failed(&room.add("other", "cisco", "cisco-xapi", Some(&room.host_fp), ""));
    assert!(err.contains("CHANGED"), "{err}");
}

#[test]
fn a_wrong_user_key_is_refused() {
    let room = Room::start("userkey");
    let err = failed(&room.add(
        "boardroom",
        "stranger",
        "cisco-xapi",
        Some(&room.host_fp),
        "",
    ));
    assert!(err.contains("refused public-key authentication"), "{err}");
    assert_eq!(text(&ok_list(&room)), "no endpoints\n");
    assert!(room.received().is_empty());
    let log = room.security_log();
    assert_eq!(
        events(&log, "endpoint_operation")[0]["outcome"],
        "auth_refused"
    );
    // A key file others can read is not used at all.
    let loose = room.path("key_loose");
    std::fs::copy(room.path("key_cisco"), &loose).unwrap();
    std::fs::set_permissions(&loose, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let host = format!("127.0.0.1:{}", room.port);
    let err = failed(&room.roomgate(
        &[
            "add",
            "boardroom",
            "--host",
            &host,
            "--user",
            &whoami(),
            "--key",
            loose.to_str().unwrap(),
            "--dialect",
            "cisco-xapi",
            "--accept-host-key",
            &room.host_fp,
        ],
        "",
    ));
    assert!(err.contains("readable by group or others"), "{err}");
}

#[test]
fn a_hostile_meeting_id_is_refused_before_any_ssh_traffic() {
    let room = Room::start("hostile");
    ok(&room.add("boardroom", "cisco", "cisco-xapi", Some(&room.host_fp), ""));
    let connections = room.connections();
    let received = room.received().len();
    for hostile in [
        "1234; xCommand SystemUnit FactoryReset Confirm: Yes",
        "1234\nxCommand Call Disconnect",
        "1234\" Protocol: H323",
        "1234'",
        "$(reboot)",
        "1234*5678",
        "",
    ] {
        let err = failed(&room.roomgate(&["dial", "boardroom", hostile], ""));
        assert!(err.contains("invalid meeting ID"), "{hostile:?}: {err}");
    }
    // Off the allow-list: refused the same way.
    let err = failed(&room.roomgate(&["exec", "boardroom", "xCommand SystemUnit Boot"], ""));
    assert!(err.contains("not allowed"), "{err}");
    assert_eq!(room.connections(), connections, "{}", room.sshd_log());
    assert_eq!(room.received().len(), received);
    let log = room.security_log();
    let refused: Vec<_> = events(&log, "endpoint_operation")
        .into_iter()
        .filter(|e| e["outcome"] == "invalid_input")
        .collect();
    assert_eq!(refused.len(), 8);
    assert!(refused.iter().all(|e| e["dialled"].is_null()));
}

#[test]
fn a_console_that_never_answers_times_out() {
    let room = Room::start("silent");
    ok(&room.add("mute", "silent", "cisco-xapi", Some(&room.host_fp), ""));
    let started = Instant::now();
    let err = failed(&room.roomgate_with("short.toml", &["status", "mute"], ""));
    let took = started.elapsed();
    assert!(err.contains("did not answer within 2 s (command)"), "{err}");
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(8),
        "{took:?}"
    );
    // It did get the command: the session was real, the answer never came.
    assert!(room.received().contains(&"xStatus Call".to_owned()));
    let log = room.security_log();
    assert_eq!(
        events(&log, "endpoint_operation").last().unwrap()["outcome"],
        "timeout"
    );
}

#[test]
fn output_past_the_bound_is_cut() {
    let room = Room::start("flood");
    ok(&room.add("chatty", "flood", "cisco-xapi", Some(&room.host_fp), ""));
    let started = Instant::now();
    let out = ok(&room.roomgate(&["exec", "chatty", "xStatus Diagnostics"], ""));
    assert!(started.elapsed() < Duration::from_secs(8));
    assert_eq!(out["truncated"], true);
    let output = out["result"]["output"].as_str().unwrap();
    assert!(
        output.len() <= 4096 && output.len() > 3000,
        "{}",
        output.len()
    );
    assert!(output.starts_with("*s SystemUnit Diagnostics Message 1"));
    // A status parsed from a cut answer is refused, and says why.
    let err = failed(&room.roomgate(&["status", "chatty"], ""));
    assert!(err.contains("cut at the bound"), "{err}");
}

/// One HTTP/1.1 request over a fresh connection, read to EOF: (status, JSON body).
async fn http(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    token: &str,
    body: &str,
) -> (u16, Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), s.read_to_end(&mut buf))
        .await
        .unwrap()
        .unwrap();
    let text = text(&buf);
    let status = text[9..12].parse().unwrap();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap();
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        // One or more chunks: hex size line, data, CRLF.
        let mut out = String::new();
        let mut r = rest;
        while let Some((size, tail)) = r.split_once("\r\n") {
            let n = usize::from_str_radix(size.trim(), 16).unwrap();
            if n == 0 {
                break;
            }
            out.push_str(&tail[..n]);
            r = &tail[n + 2..];
        }
        out
    } else {
        rest.to_owned()
    };
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_api_does_the_same() {
    use roomgate::admin::{AdminState, Token};
    use roomgate::endpoint::service::{EndpointsConfig, Service};
    use roomgate::lockout::{unix_seconds, Guard, LocalGuard, LockoutConfig, SecuritySink};
    use std::sync::Arc;

    const TOKEN: &str = "0123456789abcdef0123456789abcdef0123456789abcdef";
    let room = Room::start("api");
    ok(&room.add("boardroom", "cisco", "cisco-xapi", Some(&room.host_fp), ""));
    let store = roomgate::store::Store::open(&room.path("data")).unwrap();
    let sink = Arc::new(SecuritySink::to_file(&room.path("data/security.log")).unwrap());
    let guard = Arc::new(Guard::Local(
        LocalGuard::open(
            LockoutConfig::default(),
            &room.path("data"),
            unix_seconds(std::time::SystemTime::now()),
            sink.clone(),
        )
        .unwrap(),
    ));
    let (queries, _rx) = tokio::sync::mpsc::channel(4);
    let state = AdminState::new(
        queries,
        guard,
        store.clone(),
        sink.clone(),
        Token::new(TOKEN),
    )
    .with_endpoints(Service {
        store,
        sink,
        config: EndpointsConfig {
            command_timeout_s: 10,
            ..EndpointsConfig::default()
        },
        dial_address: Some(DIAL_ADDRESS.to_owned()),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (_stop, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(roomgate::admin::serve(listener, state, stop_rx));

    assert_eq!(http(addr, "GET", "/v1/endpoints", "wrong", "").await.0, 401);
    let (status, list) = http(addr, "GET", "/v1/endpoints", TOKEN, "").await;
    assert_eq!(status, 200);
    assert_eq!(list[0]["name"], "boardroom");
    assert_eq!(list[0]["host_key"], room.host_fp.as_str());

    // Adding over the API: first the fingerprint is only learned (409, nothing stored), then
    // pinned; a relative key path and an encrypted key are refused.
    let add = |fp: Option<&str>, key: &str| {
        let mut body = serde_json::json!({
            "name": "annex",
            "host": format!("127.0.0.1:{}", room.port),
            "user": whoami(),
            "key_file": key,
            "dialect": "cisco-xapi",
        });
        if let Some(fp) = fp {
            body["accept_host_key"] = fp.into();
        }
        body.to_string()
    };
    let cisco_key = room.path("key_cisco").display().to_string();
    let (status, body) = http(addr, "POST", "/v1/endpoints", TOKEN, &add(None, &cisco_key)).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["presented"], room.host_fp.as_str());
    assert_eq!(
        http(addr, "GET", "/v1/endpoints/annex", TOKEN, "").await.0,
        404
    );
    let (status, body) = http(
        addr,
        "POST",
        "/v1/endpoints",
        TOKEN,
        &add(Some(&room.host_fp), "key_cisco"),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let poly_key = room.path("key_poly").display().to_string();
    let (status, body) = http(
        addr,
        "POST",
        "/v1/endpoints",
        TOKEN,
        &add(Some(&room.host_fp), &poly_key),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("passphrase"),
        "{body}"
    );
    let (status, body) = http(
        addr,
        "POST",
        "/v1/endpoints",
        TOKEN,
        &add(Some(&room.host_fp), &cisco_key),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["host_key"], room.host_fp.as_str());
    let (status, body) = http(addr, "GET", "/v1/endpoints/annex", TOKEN, "").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["dialect"], "cisco-xapi");
    assert_eq!(
        http(addr, "DELETE", "/v1/endpoints/annex", TOKEN, "")
            .await
            .0,
        200
    );

    let connections = room.connections();
    let hostile = r#"{"meeting": "1234; xCommand SystemUnit Boot"}"#;
    let (status, body) = http(addr, "POST", "/v1/endpoints/boardroom/dial", TOKEN, hostile).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"]
        .as_str()
        .unwrap()
        .contains("invalid meeting ID"));
    let (status, _) = http(
        addr,
        "POST",
        "/v1/endpoints/boardroom/exec",
        TOKEN,
        r#"{"command": "xCommand Boot"}"#,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(room.connections(), connections);

    let (status, dial) = http(
        addr,
        "POST",
        "/v1/endpoints/boardroom/dial",
        TOKEN,
        r#"{"meeting": "3003"}"#,
    )
    .await;
    assert_eq!(status, 200, "{dial}");
    assert_eq!(dial["dialled"], format!("3003@{DIAL_ADDRESS}"));
    let (status, s) = http(addr, "GET", "/v1/endpoints/boardroom/status", TOKEN, "").await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(
        s["result"]["calls"][0]["remote"],
        format!("3003@{DIAL_ADDRESS}")
    );
    let (status, h) = http(addr, "POST", "/v1/endpoints/boardroom/hangup", TOKEN, "").await;
    assert_eq!(status, 200, "{h}");
    assert_eq!(h["result"]["hung_up"], true);

    let log = room.security_log();
    let dials: Vec<_> = events(&log, "endpoint_operation")
        .into_iter()
        .filter(|e| e["operation"] == "dial" && e["outcome"] == "ok")
        .collect();
    assert_eq!(dials.len(), 1);
    assert_eq!(dials[0]["who"], "admin-api 127.0.0.1");

    assert_eq!(
        http(addr, "DELETE", "/v1/endpoints/boardroom", TOKEN, "")
            .await
            .0,
        200
    );
    assert_eq!(
        http(addr, "GET", "/v1/endpoints/boardroom", TOKEN, "")
            .await
            .0,
        404
    );
    assert_eq!(
        http(addr, "GET", "/v1/endpoints/..", TOKEN, "").await.0,
        400
    );
}
