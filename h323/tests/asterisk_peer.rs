//! The real H.323 peer works on this machine, and so does the harness the interop tests drive
//! it with: two Asterisk/chan_ooh323 instances call each other over H.323 on 127.0.0.1, in
//! both signalling modes (fastStart with tunnelled H.245, and a slow start over a separate
//! H.245 connection), and we check the audio that arrived both ways (the callee's 1004 Hz
//! milliwatt tone and the caller's 440 Hz, found by Goertzel in what each side recorded) and the digits (H.245 userInput alphanumeric, read by
//! the callee's dialplan). The tone detector and WAV reader are checked on generated files,
//! including ones that must not pass.
//!
//! A missing peer fails these tests: scripts/test-all.sh installs it (scripts/h323-peer.sh).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "common/asterisk.rs"]
mod asterisk;

use std::f64::consts::PI;
use std::time::{Duration, Instant};

use asterisk::{Asterisk, AsteriskConfig};

/// app_milliwatt's tone.
const MILLIWATT_HZ: f64 = 1004.0;
/// What A plays towards B.
const CALLER_HZ: f64 = 440.0;

/// B answers 200 with the milliwatt tone (recording what it hears) and 300 by reading digits
/// up to `#`.
const CALLEE: &str = "\
[default]
exten => 200,1,Answer()
 same => n,MixMonitor(${REC}/b.wav,r(${REC}/heard.wav))
 same => n,Milliwatt()
exten => 300,1,Answer()
 same => n,Read(DIGITS,,5,,,5)
 same => n,Verbose(1,GOT ${DIGITS})
 same => n,Hangup()
";

/// A sends 440 Hz for 3 s and records both directions of the call it placed (`r()` what it
/// received, `t()` what it sent), or sends digits as H.245 userInput.
const CALLER: &str = "\
[default]
exten => listen,1,MixMonitor(${REC}/both.wav,r(${REC}/heard.wav)t(${REC}/sent.wav))
 same => n,Playtones(440)
 same => n,Wait(3)
 same => n,Hangup()
exten => dial,1,Wait(1)
 same => n,SendDTMF(1234#)
 same => n,Wait(3)
 same => n,Hangup()
";

/// Two instances in one mode: A (the caller) knows B as `astB`, B knows A as `astA`.
fn pair(faststart: bool, tunnelling: bool) -> (Asterisk, Asterisk) {
    let mut a = AsteriskConfig::new(CALLER).modes(faststart, tunnelling);
    let mut b = AsteriskConfig::new(CALLEE).modes(faststart, tunnelling);
    a.e164 = "100".into();
    b.e164 = "200".into();
    let (a_port, b_port) = (a.h323_port, b.h323_port);
    let a = a.peer("astB", b_port, "200");
    let b = b.peer("astA", a_port, "100");
    let b = Asterisk::start("B", &b);
    let a = Asterisk::start("A", &a);
    (a, b)
}

/// The instance runs the mode asked for (chan_ooh323 falls back to defaults on a bad line).
fn config_says(ast: &Asterisk, faststart: bool, tunnelling: bool) {
    let cfg = ast.cli("ooh323 show config");
    let value = |key: &str| {
        cfg.lines()
            .find_map(|l| l.strip_prefix(key))
            .map(|v| v.trim().to_string())
    };
    let yn = |b| if b { "yes" } else { "no" };
    assert_eq!(value("FastStart").as_deref(), Some(yn(faststart)), "{cfg}");
    assert_eq!(value("Tunneling").as_deref(), Some(yn(tunnelling)), "{cfg}");
    assert_eq!(
        value("DTMF Mode:").as_deref(),
        Some("h245alphanumeric"),
        "{cfg}"
    );
}

fn tone_call(faststart: bool, tunnelling: bool) {
    let started = Instant::now();
    let (a, b) = pair(faststart, tunnelling);
    config_says(&a, faststart, tunnelling);
    a.originate("OOH323/200@astB", "extension listen@default");
    assert!(
        a.wait_channels(1, Duration::from_secs(5)),
        "the call never started\n{}",
        a.log()
    );
    assert!(
        a.wait_no_channels(Duration::from_secs(15)),
        "A's call did not end\n{}",
        a.log()
    );
    assert!(
        b.wait_no_channels(Duration::from_secs(10)),
        "B kept the call after A hung up\n{}",
        b.log()
    );
    let heard = a.recording("heard.wav");
    let sent = a.recording("sent.wav");
    let b_heard = b.recording("heard.wav");
    assert!(
        asterisk::has_tone(&heard, MILLIWATT_HZ, 1.5),
        "A did not hear B's 1004 Hz for 1.5 s: {}\n{}\n{}",
        asterisk::describe(&heard, MILLIWATT_HZ),
        a.log_tail(60),
        b.log_tail(60)
    );
    assert!(
        asterisk::has_tone(&b_heard, CALLER_HZ, 1.5),
        "B did not hear A's 440 Hz for 1.5 s: {}\n{}\n{}",
        asterisk::describe(&b_heard, CALLER_HZ),
        a.log_tail(60),
        b.log_tail(60)
    );
    // MixMonitor's r() is the received direction only and t() the sent one: each file has its
    // own tone and not the other's (so gateway tests can tell what the peer heard).
    assert!(
        asterisk::has_tone(&sent, CALLER_HZ, 1.5),
        "A's sent direction: {}",
        asterisk::describe(&sent, CALLER_HZ)
    );
    for (file, not) in [
        (&heard, CALLER_HZ),
        (&sent, MILLIWATT_HZ),
        (&b_heard, MILLIWATT_HZ),
    ] {
        assert!(
            !asterisk::has_tone(file, not, 0.1),
            "{not} Hz in {}",
            asterisk::describe(file, not)
        );
    }
    assert!(
        b.log().contains("Milliwatt"),
        "B never ran Milliwatt\n{}",
        b.log()
    );
    eprintln!(
        "faststart={faststart} tunnelling={tunnelling}: A {}; B {}; in {:?}",
        asterisk::describe(&heard, MILLIWATT_HZ),
        asterisk::describe(&b_heard, CALLER_HZ),
        started.elapsed()
    );
}

#[test]
fn tone_faststart_tunnelled_h245() {
    tone_call(true, true);
}

#[test]
fn tone_slow_start_separate_h245() {
    tone_call(false, false);
}

fn dtmf_call(faststart: bool, tunnelling: bool) {
    let (a, b) = pair(faststart, tunnelling);
    config_says(&b, faststart, tunnelling);
    a.originate("OOH323/300@astB", "extension dial@default");
    assert!(
        a.wait_channels(1, Duration::from_secs(5)),
        "the call never started\n{}",
        a.log()
    );
    assert!(
        a.wait_no_channels(Duration::from_secs(15)),
        "A's call did not end\n{}",
        a.log()
    );
    assert!(
        b.wait_no_channels(Duration::from_secs(10)),
        "B kept the call\n{}",
        b.log()
    );
    let log = b.log();
    assert!(
        log.contains("GOT 1234\n"),
        "B did not read 1234 then #:\n{log}\n{}",
        a.log_tail(60)
    );
}

#[test]
fn dtmf_h245_alphanumeric_faststart_tunnelled() {
    dtmf_call(true, true);
}

#[test]
fn dtmf_h245_alphanumeric_separate_h245() {
    dtmf_call(false, false);
}

fn sine(freq: f64, seconds: f64, amplitude: f64) -> Vec<i16> {
    (0..(8000.0 * seconds) as usize)
        .map(|i| (amplitude * (2.0 * PI * freq * i as f64 / 8000.0).sin()) as i16)
        .collect()
}

fn temp_wav(name: &str, samples: &[i16]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("roomgate-goertzel-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, asterisk::wav_bytes(8000, samples)).unwrap();
    path
}

#[test]
fn goertzel_finds_a_generated_tone_and_nothing_else() {
    let tone = temp_wav("tone.wav", &sine(MILLIWATT_HZ, 2.0, 16_000.0));
    assert!(asterisk::has_tone(&tone, MILLIWATT_HZ, 1.9));
    assert!(
        !asterisk::has_tone(&tone, MILLIWATT_HZ, 2.1),
        "longer than the file"
    );
    assert!(!asterisk::has_tone(&tone, 440.0, 0.05));
    assert!(!asterisk::has_tone(&tone, 1200.0, 0.05));
    let f = asterisk::dominant_frequency(&tone).unwrap();
    assert!((f - MILLIWATT_HZ).abs() <= 10.0, "dominant {f}");

    // Quiet but clean still counts; silence, another tone, and the tone under a louder one
    // do not.
    let quiet = temp_wav("quiet.wav", &sine(MILLIWATT_HZ, 2.0, 500.0));
    assert!(asterisk::has_tone(&quiet, MILLIWATT_HZ, 1.9));
    let silence = temp_wav("silence.wav", &vec![0; 16_000]);
    assert!(!asterisk::has_tone(&silence, MILLIWATT_HZ, 0.05));
    let other = temp_wav("other.wav", &sine(440.0, 2.0, 16_000.0));
    assert!(!asterisk::has_tone(&other, MILLIWATT_HZ, 0.05));
    assert!(asterisk::has_tone(&other, 440.0, 1.9));
    let mixed: Vec<i16> = sine(MILLIWATT_HZ, 2.0, 5_000.0)
        .iter()
        .zip(sine(2000.0, 2.0, 12_000.0))
        .map(|(a, b)| a + b)
        .collect();
    let mixed = temp_wav("mixed.wav", &mixed);
    assert!(!asterisk::has_tone(&mixed, MILLIWATT_HZ, 0.05));
    // Tone only in the first second: 1 s, not 1.5 s.
    let mut half = sine(MILLIWATT_HZ, 1.0, 16_000.0);
    half.extend(vec![0; 8000]);
    let half = temp_wav("half.wav", &half);
    assert!(asterisk::has_tone(&half, MILLIWATT_HZ, 0.95));
    assert!(!asterisk::has_tone(&half, MILLIWATT_HZ, 1.5));
    // Noise: no tone anywhere.
    let mut x: u32 = 1;
    let noise: Vec<i16> = (0..16_000)
        .map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            ((x >> 16) as i16) / 2
        })
        .collect();
    let noise = temp_wav("noise.wav", &noise);
    assert!(!asterisk::has_tone(&noise, MILLIWATT_HZ, 0.05));
    let _ = std::fs::remove_dir_all(tone.parent().unwrap());
}

#[test]
fn wav_reader_walks_chunks_and_refuses_other_formats() {
    let samples = sine(MILLIWATT_HZ, 0.1, 1000.0);
    let plain = asterisk::wav_bytes(8000, &samples);
    let w = asterisk::parse_wav(&plain).unwrap();
    assert_eq!((w.rate, w.samples.clone()), (8000, samples.clone()));

    // A LIST chunk of odd size (padded) between fmt and data.
    let mut listed = plain[..36].to_vec();
    listed.extend_from_slice(b"LIST");
    listed.extend_from_slice(&3u32.to_le_bytes());
    listed.extend_from_slice(b"abc\0");
    listed.extend_from_slice(&plain[36..]);
    let w = asterisk::parse_wav(&listed).unwrap();
    assert_eq!(w.samples, samples);

    let mut stereo = plain.clone();
    stereo[22] = 2;
    assert!(asterisk::parse_wav(&stereo).is_err());
    let mut ulaw = plain.clone();
    ulaw[20] = 7;
    assert!(asterisk::parse_wav(&ulaw).is_err());
    assert!(asterisk::parse_wav(&plain[..40]).is_err(), "no data chunk");
    assert!(asterisk::parse_wav(b"RIFF\0\0\0\0AVI ").is_err());
}
