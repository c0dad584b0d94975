//! Real SIP endpoints (baresip, from Debian) calling through the real `roomgate serve`:
//! - dialling the demo meeting 1001 on the embedded defaults, with SRTP on the room leg, the
//!   caller hears its own tone back through both legs and both encryptions (the cloud leg is
//!   the built-in echo service over SIP/TLS with AEAD_AES_256_GCM), and its DTMF crosses to
//!   the cloud as RFC 4733 (the echo sends it back, so the caller sees its own digits);
//! - a baresip acting as the cloud meeting behind a meeting on `sips:`, answering
//!   AEAD_AES_256_GCM, talks with an Opus-only room through the transcoder.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::baresip::{make_pki, Baresip, BaresipOptions, MediaEnc};
use common::{ServeOptions, Server, TempDir};

const SETUP: Duration = Duration::from_secs(10);

fn suite_of(b: &Baresip) -> String {
    let ev = b.wait_event("CALL_MENC", SETUP);
    ev.param.rsplit(',').next().unwrap_or_default().to_owned()
}

#[test]
fn baresip_dials_1001_and_hears_its_own_tone_through_the_echo_meeting() {
    let mut server = Server::start_with(ServeOptions::default());
    let room = Baresip::start(
        BaresipOptions::new("room", 1000.0)
            .media_enc(MediaEnc::SrtpMand)
            .codecs(&["pcmu"]),
    );
    room.dial(&format!("sip:1001@{}", server.udp));
    room.wait_event("CALL_ESTABLISHED", SETUP);
    let up = Instant::now();
    assert_eq!(suite_of(&room), "AES_CM_128_HMAC_SHA1_80");
    std::thread::sleep(Duration::from_millis(800));
    room.send_dtmf("42#");
    let digits: Vec<String> = (0..3)
        .map(|_| {
            room.wait_event("CALL_DTMF_START", Duration::from_secs(3))
                .param
        })
        .collect();
    assert_eq!(
        digits,
        ["4", "2", "#"],
        "DTMF went to the cloud as RFC 4733 and came back"
    );
    std::thread::sleep(Duration::from_secs(4).saturating_sub(up.elapsed()));
    room.hangup();
    room.wait_event("CALL_CLOSED", SETUP);
    room.assert_heard(1000.0, &[600.0, 440.0], 2.5);
    server.assert_running();
    let log = server.log();
    assert!(
        log.contains("cloud_suite=Some(\"AEAD_AES_256_GCM\")")
            && log.contains("room_suite=Some(\"AES_CM_128_HMAC_SHA1_80\")"),
        "each leg its own suite, AES-256 toward the cloud:\n{log}"
    );
    assert!(log.contains("echo::uas: call ended by BYE"), "{log}");
}

#[test]
fn baresip_cloud_answers_aes_256_gcm_and_talks_with_an_opus_room() {
    let pki = TempDir::new("cloud-pki");
    let (ca, cert) = make_pki(&pki);
    let cloud = Baresip::start(
        BaresipOptions::new("cloud", 600.0)
            .media_enc(MediaEnc::SrtpMand)
            .codecs(&["pcmu"])
            .auto_answer()
            .tls(Some(cert), None),
    );
    let mut server = Server::start_with(ServeOptions {
        extra: format!("[sip.tls]\nca = \"{}\"\n", ca.display()),
        ..ServeOptions::default()
    });
    let added = Command::new(env!("CARGO_BIN_EXE_roomgate"))
        .args(["meeting", "add", "4000", "--upstream"])
        .arg(format!("sips:cloud@127.0.0.1:{}", cloud.sip_tls.port()))
        .args(["--srtp", "mandatory", "--data-dir"])
        .arg(server.dir.join("roomgate-data"))
        .output()
        .unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let room = Baresip::start(
        BaresipOptions::new("room", 1000.0)
            .media_enc(MediaEnc::SrtpMand)
            .codecs(&["opus/48000/2"]),
    );
    room.dial(&format!("sip:4000@{}", server.udp));
    room.wait_event("CALL_ESTABLISHED", SETUP);
    cloud.wait_event("CALL_ESTABLISHED", SETUP);
    assert_eq!(suite_of(&room), "AES_CM_128_HMAC_SHA1_80");
    assert_eq!(
        suite_of(&cloud),
        "AEAD_AES_256_GCM",
        "AES-256 first toward the cloud"
    );
    std::thread::sleep(Duration::from_secs(4));
    room.hangup();
    room.wait_event("CALL_CLOSED", SETUP);
    let closed = cloud.wait_event("CALL_CLOSED", SETUP);
    assert!(
        closed.param.contains("peer") || !closed.param.is_empty(),
        "{closed:?}"
    );
    room.assert_heard(600.0, &[1000.0, 440.0], 2.5);
    cloud.assert_heard(1000.0, &[600.0, 440.0], 2.5);
    server.assert_running();
    assert!(server.log().contains("audio=Transcode"), "{}", server.log());
}
