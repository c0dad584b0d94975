//! Meeting passwords as a new user meets them: the real `roomgate serve` on its embedded
//! defaults (demo meeting 1000 with PIN 1234, bridged to the built-in echo service over
//! SIP/TLS and AES-256 SRTP), and a real baresip dialling it with SRTP and typing its digits
//! with `sndcode` (RFC 4733 telephone-events).
//! - The right PIN: the caller hears the spoken prompt first (and not its own voice), then,
//!   once joined, its own tone back through the echo meeting.
//! - Three wrong PINs: the gateway hangs up; the security log names each failure and the
//!   caller's address; no PIN (right or typed) appears in any log or in the data directory.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::audio::{self, Wav};
use common::baresip::{Baresip, BaresipOptions, MediaEnc};
use common::{ServeOptions, Server};

const SETUP: Duration = Duration::from_secs(10);
const TONE: f64 = 1000.0;

fn room() -> Baresip {
    Baresip::start(
        BaresipOptions::new("room", TONE)
            .media_enc(MediaEnc::SrtpMand)
            .codecs(&["pcmu"]),
    )
}

fn data_dir(server: &Server) -> PathBuf {
    server.dir.join("roomgate-data")
}

fn security_log(server: &Server) -> String {
    std::fs::read_to_string(data_dir(server).join("security.log")).unwrap_or_default()
}

/// The security log's events named `event`, parsed.
fn events(server: &Server, event: &str) -> Vec<serde_json::Value> {
    security_log(server)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["event"] == event)
        .collect()
}

/// Mono samples of `wav` between `from` and `to` seconds.
fn window(wav: &Wav, from: f64, to: f64) -> Vec<f64> {
    let mono = wav.mono();
    let rate = f64::from(wav.rate);
    let a = ((from * rate) as usize).min(mono.len());
    let b = ((to * rate) as usize).clamp(a, mono.len());
    mono[a..b].to_vec()
}

#[test]
fn new_user_dials_1000_hears_the_prompt_enters_1234_and_hears_the_echo() {
    let mut server = Server::start_with(ServeOptions::default());
    let room = room();
    room.dial(&format!("sip:1000@{}", server.udp));
    room.wait_event("CALL_ESTABLISHED", SETUP);
    let menc = room.wait_event("CALL_MENC", SETUP);
    assert!(
        menc.param.ends_with("AES_CM_128_HMAC_SHA1_80"),
        "room leg is SRTP: {menc:?}"
    );
    // Let the 4 s "please enter the meeting password" prompt play for a while, untouched.
    std::thread::sleep(Duration::from_millis(2500));
    assert!(
        !server.log().contains("PIN accepted"),
        "joined before any digit:\n{}",
        server.log()
    );
    room.send_dtmf("1234#");
    assert!(
        common::wait_until(SETUP, || server.log().contains("PIN accepted")),
        "1234# was not accepted within {SETUP:?}:\n{}\nsecurity log:\n{}",
        server.log(),
        security_log(&server)
    );
    let joined = Instant::now();
    // "You are now joining the meeting" (2 s), the TLS cloud leg, then the echo for 3 s+.
    std::thread::sleep(Duration::from_millis(6500));
    room.hangup();
    room.wait_event("CALL_CLOSED", SETUP);
    let call_secs = joined.elapsed().as_secs_f64();
    server.assert_running();

    let path = room
        .recorded_wav()
        .expect("baresip recorded nothing (dump-*-dec.wav)");
    let wav = audio::read_wav(&path).unwrap();
    let len = wav.duration_secs();
    eprintln!("recording {} is {len:.2} s long", path.display());
    assert!(
        len > 2.5 + call_secs - 1.0,
        "recording shorter than the call: {len:.2} s"
    );

    // Before any digit: the spoken prompt. Speech is loud and spread over many frequencies;
    // in particular it is not the caller's own tone (there is no echo before joining).
    let prompt = window(&wav, 0.3, 2.2);
    let prompt_rms = audio::rms(&prompt);
    let prompt_tone = audio::tone_power_ratio(&prompt, wav.rate, TONE);
    eprintln!("prompt window: rms {prompt_rms:.0}, {TONE} Hz share {prompt_tone:.3}");
    assert!(
        prompt_rms > 300.0,
        "no prompt heard before the digits (rms {prompt_rms:.0})"
    );
    assert!(
        prompt_tone < 0.1,
        "the caller's tone was heard before joining ({prompt_tone:.3})"
    );

    // The last seconds (the echo meeting): the caller's own tone and nothing else.
    let echo = window(&wav, len - 3.2, len - 0.2);
    let echo_rms = audio::rms(&echo);
    let echo_tone = audio::tone_power_ratio(&echo, wav.rate, TONE);
    let dominant = audio::dominant_frequency(&echo, wav.rate);
    let stray = audio::tone_power_ratio(&echo, wav.rate, 440.0);
    eprintln!(
        "echo window: rms {echo_rms:.0}, dominant {dominant:.0} Hz, {TONE} Hz share \
         {echo_tone:.3}, 440 Hz share {stray:.4}"
    );
    assert!(echo_rms > 300.0, "echo window is silent ({echo_rms:.0})");
    assert!(
        (dominant - TONE).abs() <= 5.0,
        "echo is not the caller's tone (dominant {dominant:.0} Hz)"
    );
    assert!(
        echo_tone >= 0.8,
        "the tone is only {echo_tone:.3} of the echo"
    );
    assert!(stray < 0.01, "440 Hz in the echo: {stray:.4}");

    let log = server.log();
    assert!(log.contains("PIN entry started"), "{log}");
    assert!(
        log.contains("cloud_suite=Some(\"AEAD_AES_256_GCM\")"),
        "the cloud leg is AES-256:\n{log}"
    );
    assert!(log.contains("echo::uas: call ended by BYE"), "{log}");
    assert!(
        events(&server, "pin_failure").is_empty(),
        "{}",
        security_log(&server)
    );
}

/// A right PIN no test ever types, and three wrong ones: ten digits each, so none can turn up
/// by chance in a port, a timestamp or a Call-ID (unix times start with 17 now).
const SECRET_PIN: &str = "8642097531";
const WRONG: [&str; 3] = ["9753124680", "8642013579", "7531908642"];

/// Every file under `dir`, recursively, as bytes.
fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push((p.clone(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn three_wrong_pins_end_the_call_and_no_pin_is_written_anywhere() {
    let mut server = Server::start_with(ServeOptions::default());
    // An operator gives meeting 1000 its own PIN, through stdin as documented.
    let mut set = Command::new(env!("CARGO_BIN_EXE_roomgate"))
        .args(["meeting", "set-pin", "1000", "--data-dir"])
        .arg(data_dir(&server))
        .env_remove("ROOMGATE_DATA")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(set.stdin.take().unwrap(), "{SECRET_PIN}").unwrap();
    let set = set.wait_with_output().unwrap();
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );

    let room = room();
    room.dial(&format!("sip:1000@{}", server.udp));
    room.wait_event("CALL_ESTABLISHED", SETUP);
    std::thread::sleep(Duration::from_millis(1500));
    for (n, pin) in WRONG.iter().enumerate() {
        room.send_dtmf(&format!("{pin}#"));
        assert!(
            common::wait_until(SETUP, || events(&server, "pin_failure").len() == n + 1),
            "wrong PIN {} not counted within {SETUP:?}:\n{}\n{}",
            n + 1,
            security_log(&server),
            server.log()
        );
        if n + 1 < WRONG.len() {
            // "That password is not correct" (2.2 s), then the prompt again.
            assert!(
                room.try_wait_event("CALL_CLOSED", Duration::from_millis(3000))
                    .is_none(),
                "call ended after only {} wrong PINs",
                n + 1
            );
        }
    }
    // After the third: "you have been disconnected" (1.8 s), then the gateway's BYE. This
    // test never hangs up, so CALL_CLOSED can only come from the gateway.
    let third = Instant::now();
    let closed = room.wait_event("CALL_CLOSED", Duration::from_secs(10));
    eprintln!(
        "call closed {:?} after the third failure: {closed:?}",
        third.elapsed()
    );
    assert!(
        third.elapsed() >= Duration::from_millis(1000),
        "hung up before the disconnected prompt could play ({:?})",
        third.elapsed()
    );
    assert!(!server.log().contains("PIN accepted"), "{}", server.log());
    server.assert_running();
    assert!(
        server
            .log()
            .lines()
            .any(|l| l.contains("PIN entry ended the call") && l.contains("pin_failed")),
        "{}",
        server.log()
    );
    assert_eq!(closed.param, "Connection reset by peer", "{closed:?}");
    // baresip's SIP trace: "UDP <from> -> <to>", then the message.
    let blog = room.log();
    let lines: Vec<&str> = blog.lines().collect();
    let from_gateway = format!("UDP {} -> ", server.udp);
    assert!(
        lines
            .windows(2)
            .any(|w| w[0].starts_with(&from_gateway) && w[1].starts_with("BYE sip:")),
        "baresip received no BYE from the gateway:\n{}",
        common::tail(&blog, 6000)
    );

    let failures = events(&server, "pin_failure");
    assert_eq!(failures.len(), 3, "{}", security_log(&server));
    for (n, f) in failures.iter().enumerate() {
        assert_eq!(f["meeting"], "1000", "{f}");
        assert_eq!(f["source"], "127.0.0.1", "{f}");
        assert_eq!(f["attempt"], n as u64 + 1, "{f}");
        assert!(f.get("pin").is_none(), "{f}");
    }

    // Neither the PIN given to the CLI nor any typed PIN is in the server's log, its data
    // directory (SQLite stores, security log) or what baresip saw of the gateway.
    let log = server.log();
    let mut haystacks: Vec<(PathBuf, Vec<u8>)> =
        vec![(PathBuf::from("server log"), log.into_bytes())];
    haystacks.extend(files_under(&data_dir(&server)));
    haystacks.push((
        PathBuf::from("meeting set-pin output"),
        [set.stdout, set.stderr].concat(),
    ));
    let names: Vec<String> = haystacks
        .iter()
        .map(|(p, b)| format!("{} ({} bytes)", p.display(), b.len()))
        .collect();
    eprintln!("searched for PINs in: {names:#?}");
    assert!(
        names.iter().any(|n| n.contains("security.log"))
            && names.iter().any(|n| n.contains("lockout.sqlite3")),
        "{names:#?}"
    );
    for (path, bytes) in &haystacks {
        for pin in std::iter::once(&SECRET_PIN).chain(WRONG.iter()) {
            assert!(
                !contains(bytes, pin),
                "{} contains the PIN {pin}",
                path.display()
            );
        }
    }
    // baresip logs its own commands (it typed the digits), once each; nothing the gateway
    // sent it (SIP, in its trace) repeats them.
    for pin in WRONG {
        let hits: Vec<&str> = lines.iter().copied().filter(|l| l.contains(pin)).collect();
        assert!(
            hits.len() == 1 && hits[0].contains("cmd='sndcode'"),
            "{pin} in baresip's log: {hits:#?}"
        );
    }
}
