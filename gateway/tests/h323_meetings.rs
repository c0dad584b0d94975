//! H.323 room systems joining Roomgate meetings, end to end: `roomgate serve` as a user runs
//! it (its H.323 listener, the demo meetings, the built-in echo over SIP/TLS with SRTP), and
//! Asterisk with chan_ooh323 as the room system. Asterisk dials meeting 1001 (the echo) with
//! fastStart and tunnelled H.245, and with slow start over a separate H.245 connection; it
//! plays its 1004 Hz milliwatt tone and records what it hears, which must be its own tone
//! back through the gateway, the SRTP echo and the gateway again. It enters meeting 1000's
//! PIN as H.245 userInput and then hears its tone; three wrong PINs end its call with our
//! Release Complete (normal clearing) long before its dialplan would.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

#[path = "../../h323/tests/common/asterisk.rs"]
mod asterisk;

use std::time::{Duration, Instant};

use asterisk::{Asterisk, AsteriskConfig};
use common::{ServeOptions, Server};

const MILLIWATT_HZ: f64 = 1004.0;

/// How long the room plays its tone into the meeting before the test hangs up.
const TONE_TIME: Duration = Duration::from_secs(6);

/// A room system: after answer it records what it hears, waits `wait` seconds, sends
/// `digits` (when any) as H.245 userInput, waits `after` seconds and plays the milliwatt tone.
/// Its hang-up cause is logged for the test.
fn room_dialplan(wait: u32, digits: &str, after: u32) -> String {
    let send = if digits.is_empty() {
        String::new()
    } else {
        format!(" same => n,SendDTMF({digits})\n same => n,Wait({after})\n")
    };
    format!(
        "[default]\n\
         exten => call,1,MixMonitor(${{REC}}/both.wav,r(${{REC}}/heard.wav))\n \
         same => n,Wait({wait})\n{send} \
         same => n,Milliwatt()\n\
         exten => h,1,Verbose(1,ROOM-HANGUPCAUSE=${{HANGUPCAUSE}})\n"
    )
}

/// A gateway on free ports, and an Asterisk room that knows it as peer `roomgate`.
async fn gateway_and_room(
    dialplan: String,
    faststart: bool,
    tunnelling: bool,
) -> (Server, Asterisk) {
    let server = tokio::task::spawn_blocking(|| Server::start_with(ServeOptions::default()))
        .await
        .unwrap();
    let h323 = server.h323.expect("H.323 listener configured");
    let cfg = AsteriskConfig::new(&dialplan)
        .modes(faststart, tunnelling)
        .peer("roomgate", h323.port(), "1001");
    let ast = tokio::task::spawn_blocking(move || Asterisk::start("room", &cfg))
        .await
        .unwrap();
    (server, ast)
}

/// Waits until Asterisk has a channel up (our Connect), or panics with both logs.
fn wait_answered(server: &Server, ast: &Asterisk) {
    assert!(
        ast.wait_channels(1, Duration::from_secs(10)),
        "Asterisk's call never came up:\n{}\n--- roomgate ---\n{}",
        ast.log_tail(60),
        server.log()
    );
}

/// The room hangs up (the test's end of the call) and must have heard its own tone back.
fn hang_up_and_hear_own_tone(server: &Server, ast: &Asterisk, what: &str) {
    ast.cli("channel request hangup all");
    assert!(
        ast.wait_no_channels(Duration::from_secs(10)),
        "{what}: call not ended"
    );
    let rec = ast.recording("heard.wav");
    assert!(
        asterisk::has_tone(&rec, MILLIWATT_HZ, 1.5),
        "{what}: the room did not hear its own 1004 Hz back: {}\n{}\n--- roomgate ---\n{}",
        asterisk::describe(&rec, MILLIWATT_HZ),
        ast.log_tail(60),
        server.log()
    );
}

/// Waits (at most 30 s: PIN verification is slow on a loaded machine) until the gateway has
/// bridged the room's H.323 call to the meeting, then lets the tone play.
async fn bridged_over_h323(server: &Server, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let log = server.log();
        if log.contains("media bridged") {
            assert!(log.contains("H.323 Setup"), "{what}: no Setup seen:\n{log}");
            break;
        }
        assert!(Instant::now() < deadline, "{what}: never bridged:\n{log}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(TONE_TIME).await;
}

async fn joins_echo_meeting(faststart: bool, tunnelling: bool) {
    let what = format!("1001, faststart {faststart}, tunnelling {tunnelling}");
    let (server, ast) = gateway_and_room(room_dialplan(1, "", 0), faststart, tunnelling).await;
    ast.originate("OOH323/1001@roomgate", "extension call@default");
    wait_answered(&server, &ast);
    bridged_over_h323(&server, &what).await;
    hang_up_and_hear_own_tone(&server, &ast, &what);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asterisk_joins_the_echo_meeting_with_fast_start_and_tunnelled_h245() {
    joins_echo_meeting(true, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asterisk_joins_the_echo_meeting_with_slow_start_and_separate_h245() {
    joins_echo_meeting(false, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asterisk_enters_the_pin_by_h245_user_input_and_joins() {
    let what = "1000 with the right PIN";
    // The prompt starts at answer; the PIN goes in while it plays, the joining prompt
    // follows, then the tone.
    let (server, ast) = gateway_and_room(room_dialplan(2, "1234#", 5), true, true).await;
    ast.originate("OOH323/1000@roomgate", "extension call@default");
    wait_answered(&server, &ast);
    bridged_over_h323(&server, what).await;
    let log = server.log();
    assert!(
        log.contains("PIN accepted"),
        "{what}: PIN not taken:\n{log}"
    );
    hang_up_and_hear_own_tone(&server, &ast, what);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_wrong_pins_end_the_h323_call_with_release_complete() {
    // Three wrong entries, then a dialplan that would keep the call for a minute more.
    let dialplan = "[default]\n\
         exten => call,1,Wait(2)\n \
         same => n,SendDTMF(1111#)\n \
         same => n,Wait(4)\n \
         same => n,SendDTMF(2222#)\n \
         same => n,Wait(4)\n \
         same => n,SendDTMF(3333#)\n \
         same => n,Wait(60)\n\
         exten => h,1,Verbose(1,ROOM-HANGUPCAUSE=${HANGUPCAUSE})\n"
        .to_owned();
    let (server, ast) = gateway_and_room(dialplan, true, true).await;
    let started = Instant::now();
    ast.originate("OOH323/1000@roomgate", "extension call@default");
    wait_answered(&server, &ast);
    assert!(
        ast.wait_no_channels(Duration::from_secs(40)),
        "the call outlived three wrong PINs:\n{}\n--- roomgate ---\n{}",
        ast.log_tail(60),
        server.log()
    );
    assert!(
        started.elapsed() < Duration::from_secs(45),
        "ended by the dialplan, not by us"
    );
    // Our Release Complete said normal call clearing (Q.850 16), as a BYE would for SIP.
    let log = ast.log();
    assert!(
        log.contains("ROOM-HANGUPCAUSE=16"),
        "hang-up cause not ours:\n{}",
        ast.log_tail(60)
    );
    let ours = server.log();
    assert!(
        ours.contains("pin_failed"),
        "the gateway did not end it for wrong PINs:\n{ours}"
    );
}
