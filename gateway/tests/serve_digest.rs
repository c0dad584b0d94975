//! Digest authentication with a real peer: sipp's MD5 [authentication] against
//! `roomgate serve` with a configured trunk user.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::net::{TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Killed(Child);
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    loop {
        let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = udp.local_addr().unwrap().port();
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("roomgate-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn start_gateway(dir: &Path, port: u16) -> Killed {
    let (min, max) = common::free_media_range(8);
    let config = dir.join("roomgate.toml");
    std::fs::write(
        &config,
        format!(
            "[sip]\nudp = [\"127.0.0.1:{port}\"]\ntcp = [\"127.0.0.1:{port}\"]\n\
             [sip.auth]\nrealm = \"roomgate-test\"\nalgorithms = [\"MD5\"]\n\
             [[sip.auth.users]]\nusername = \"trunk1\"\npassword = \"correct horse\"\n\
             [media]\nport_min = {min}\nport_max = {max}\n\
             [admin]\nlisten = \"127.0.0.1:0\"\n[h323]\nlisten = []\n"
        ),
    )
    .unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_roomgate"))
        .args(["serve", "--config", config.to_str().unwrap()])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::from(
            std::fs::File::create(dir.join("roomgate.log")).unwrap(),
        ))
        .spawn()
        .unwrap();
    let guard = Killed(child);
    // Ready when the TCP listener accepts.
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "gateway did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    guard
}

fn sipp(dir: &Path, port: u16, password: &str, expect: u16) -> std::process::Output {
    let template = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sipp/digest_invite.xml"),
    )
    .unwrap();
    let scenario = dir.join(format!("digest_{expect}.xml"));
    std::fs::write(&scenario, template.replace("{FINAL}", &expect.to_string())).unwrap();
    let mut cmd = Command::new("sipp");
    cmd.current_dir(dir)
        .args(["-sf", scenario.to_str().unwrap()])
        .args(["-i", "127.0.0.1", "-p", &free_port().to_string()])
        // A dial string no meeting ID can have: 404 after authentication (an unknown but
        // well-formed meeting ID would be answered for PIN entry).
        .args(["-s", "x~y", "-m", "3", "-l", "1"])
        .args(["-au", "trunk1", "-ap", password])
        .args(["-auth_uri", &format!("x~y@127.0.0.1:{port}")])
        .args(["-timeout", "20", "-timeout_error", "-nostdin", "-trace_err"])
        .arg(format!("127.0.0.1:{port}"))
        .stdin(Stdio::null());
    cmd.output()
        .expect("sipp must be installed (Debian package sip-tester)")
}

#[test]
fn sipp_md5_digest_is_accepted_and_a_wrong_password_refused() {
    let dir = scratch("digest");
    let port = free_port();
    let _gw = start_gateway(&dir, port);
    let ok = sipp(&dir, port, "correct horse", 404);
    assert!(
        ok.status.success(),
        "right password: sipp failed\n{}\n{}",
        String::from_utf8_lossy(&ok.stdout),
        std::fs::read_to_string(dir.join("roomgate.log")).unwrap_or_default()
    );
    // A wrong password is challenged again (401 with a fresh nonce): the gateway keeps 403
    // for blocked sources.
    let bad = sipp(&dir, port, "wrong horse", 401);
    assert!(
        bad.status.success(),
        "wrong password must get a new challenge\n{}",
        String::from_utf8_lossy(&bad.stdout)
    );
    let log = std::fs::read_to_string(dir.join("roomgate.log")).unwrap_or_default();
    assert!(
        !log.contains("correct horse"),
        "passwords never reach the log"
    );
}
