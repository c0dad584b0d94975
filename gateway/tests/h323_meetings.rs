//! H.323 room systems joining Roomgate meetings, end to end: `roomgate serve` as a user runs
//! it (its H.323 listener, the demo meetings, the built-in echo over SIP/TLS with SRTP), and
//! Asterisk with chan_ooh323 as the room system. Asterisk dials meeting 1001 (the echo) with
//! fastStart and tunnelled H.245, and with slow start over a separate H.245 connection; it
//! plays its 1004 Hz milliwatt tone and records what it hears, which must be its own tone
//! back through the gateway, the SRTP echo and the gateway again. It enters meeting 1000's
//! PIN as H.245 userInput and then hears its tone; three wrong PINs end its call with our
//! Release Complete (normal clearing) long before its dialplan would. Dialling the gateway's
//! bare address (a peer with no number: no destination alias), it hears the meeting-ID
//! prompt, enters 1001 as userInput and then hears its tone.
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
    gateway_and_room_as(dialplan, faststart, tunnelling, "1001").await
}

/// [`gateway_and_room`] with `e164` as the number Asterisk's peer `roomgate` has (empty: none).
async fn gateway_and_room_as(
    dialplan: String,
    faststart: bool,
    tunnelling: bool,
    e164: &str,
) -> (Server, Asterisk) {
    let server = tokio::task::spawn_blocking(|| Server::start_with(ServeOptions::default()))
        .await
        .unwrap();
    let h323 = server.h323.expect("H.323 listener configured");
    let cfg = AsteriskConfig::new(&dialplan)
        .modes(faststart, tunnelling)
        .peer("roomgate", h323.port(), e164);
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asterisk_dialling_the_bare_address_enters_the_meeting_id_and_hears_the_echo() {
    let what = "no destination, meeting ID 1001 by user input";
    // The peer has no number, so the Setup names no meeting: the gateway answers with the
    // meeting-ID prompt; the ID goes in as H.245 userInput, then "joining", then the tone.
    let (server, ast) = gateway_and_room_as(room_dialplan(2, "1001#", 5), true, true, "").await;
    ast.originate("OOH323/roomgate", "extension call@default");
    wait_answered(&server, &ast);
    bridged_over_h323(&server, what).await;
    let log = server.log();
    assert!(
        log.contains("meeting-ID entry") && log.contains("meeting ID entered"),
        "{what}: no meeting-ID entry:\n{log}"
    );
    hang_up_and_hear_own_tone(&server, &ast, what);
}

/// An H.323 MCU as Asterisk plays it: answers extension 200 with the milliwatt tone and
/// records what it hears.
const MCU: &str = "\
[default]
exten => 200,1,Answer()
 same => n,MixMonitor(${REC}/both.wav,r(${REC}/heard.wav))
 same => n,Milliwatt()
";

/// Our room's tone.
const ROOM_HZ: f64 = 440.0;

/// One µ-law RTP packet of the room's 440 Hz tone.
fn tone_packet(seq: u16) -> Vec<u8> {
    let mut p = vec![0x80, 0x00];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&(u32::from(seq) * 160).to_be_bytes());
    p.extend_from_slice(&0x5eed_0001u32.to_be_bytes());
    for i in 0..160u32 {
        let n = f64::from(u32::from(seq) * 160 + i);
        let s = (8000.0 * (2.0 * std::f64::consts::PI * ROOM_HZ * n / 8000.0).sin()) as i16;
        p.push(roomgate_media::codec::g711::linear_to_ulaw(s));
    }
    p
}

/// A SIP room (a raw UDP peer of the test, PCMU) calls meeting 2000, whose upstream is the
/// H.323 MCU: the gateway places the H.323 call, and audio flows both ways, each side's tone
/// found by frequency in what the other received.
async fn sip_room_reaches_h323_mcu(faststart: bool, tunnelling: bool) {
    use common::{header, status_of, UdpPeer, LOCALHOST};
    let what = format!("to the MCU, faststart {faststart}, tunnelling {tunnelling}");
    let server = tokio::task::spawn_blocking(|| Server::start_with(ServeOptions::default()))
        .await
        .unwrap();
    let cfg = AsteriskConfig::new(MCU).modes(faststart, tunnelling).peer(
        "roomgate",
        asterisk::free_tcp_port(),
        "1001",
    );
    let ast = tokio::task::spawn_blocking(move || Asterisk::start("mcu", &cfg))
        .await
        .unwrap();
    let added = std::process::Command::new(env!("CARGO_BIN_EXE_roomgate"))
        .args(["meeting", "add", "2000", "--upstream"])
        .arg(format!("h323:200@127.0.0.1:{}", ast.h323_port))
        .args(["--srtp", "off", "--data-dir"])
        .arg(server.dir.join("roomgate-data"))
        .output()
        .unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );

    let rtp = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let rtp_port = rtp.local_addr().unwrap().port();
    let gw = server.udp;
    let (ok, peer, invite) = tokio::task::spawn_blocking(move || {
        let peer = UdpPeer::bind(LOCALHOST);
        let local = peer.local();
        let sdp = format!(
            "v=0\r\no=room 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
             m=audio {rtp_port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
        );
        let invite = format!(
            "INVITE sip:2000@{gw} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bKmcu1;rport\r\n\
             From: \"Room\" <sip:5551234@{local}>;tag=rmcu\r\nTo: <sip:2000@{gw}>\r\n\
             Call-ID: mcu-call-1\r\nCSeq: 1 INVITE\r\nContact: <sip:room@{local}>\r\n\
             Max-Forwards: 70\r\nContent-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{sdp}",
            sdp.len()
        );
        let ok = peer.transact(gw, &invite, Duration::from_secs(20));
        (ok, peer, invite)
    })
    .await
    .unwrap();
    let ok = ok.unwrap_or_else(|| {
        panic!(
            "{what}: no final response\n{}\n--- roomgate ---\n{}",
            ast.log_tail(60),
            server.log()
        )
    });
    assert_eq!(status_of(&ok), Some(200), "{what}: {ok}\n{}", server.log());
    // Where the gateway wants the room's audio.
    let port: u16 = ok
        .lines()
        .find_map(|l| l.strip_prefix("m=audio "))
        .and_then(|l| l.split(' ').next())
        .and_then(|p| p.parse().ok())
        .unwrap();
    let to_tag = header(&ok, "To").unwrap();
    let ack = format!(
        "ACK sip:2000@{gw} SIP/2.0\r\nVia: SIP/2.0/UDP {};branch=z9hG4bKmcu2;rport\r\n\
         From: \"Room\" <sip:5551234@{}>;tag=rmcu\r\nTo: {to_tag}\r\nCall-ID: mcu-call-1\r\n\
         CSeq: 1 ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
        peer.local(),
        peer.local()
    );
    peer.send(gw, ack.as_bytes());
    let _ = invite;

    // The room plays its tone for five seconds and keeps what it hears.
    let mut heard: Vec<i16> = Vec::new();
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    let to = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut buf = [0u8; 2048];
    for seq in 0..250u16 {
        tick.tick().await;
        rtp.send_to(&tone_packet(seq), to).await.unwrap();
        while let Ok(Ok((n, _))) =
            tokio::time::timeout(Duration::from_millis(1), rtp.recv_from(&mut buf)).await
        {
            if n > 12 && buf[1] & 0x7f == 0 {
                let mut pcm = vec![0i16; n - 12];
                roomgate_media::codec::g711::decode_ulaw(&buf[12..n], &mut pcm);
                heard.extend_from_slice(&pcm);
            }
        }
    }
    let log = server.log();
    assert!(log.contains("H.323 upstream answered"), "{what}:\n{log}");
    let heard = asterisk::Wav {
        rate: 8000,
        samples: heard,
    };
    let secs = asterisk::tone_seconds(&heard, MILLIWATT_HZ);
    assert!(
        secs >= 1.5,
        "{what}: the room heard {secs:.2} s of the MCU's 1004 Hz\n{}",
        ast.log_tail(60)
    );
    // The room hangs up: the gateway releases the H.323 call.
    let bye = format!(
        "BYE sip:2000@{gw} SIP/2.0\r\nVia: SIP/2.0/UDP {};branch=z9hG4bKmcu3;rport\r\n\
         From: \"Room\" <sip:5551234@{}>;tag=rmcu\r\nTo: {to_tag}\r\nCall-ID: mcu-call-1\r\n\
         CSeq: 2 BYE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
        peer.local(),
        peer.local()
    );
    let bye_ok =
        tokio::task::spawn_blocking(move || peer.transact(gw, &bye, Duration::from_secs(5)))
            .await
            .unwrap();
    assert_eq!(bye_ok.as_deref().and_then(status_of), Some(200));
    assert!(
        ast.wait_no_channels(Duration::from_secs(10)),
        "{what}: the MCU kept the call after the room's BYE"
    );
    let rec = ast.recording("heard.wav");
    assert!(
        asterisk::has_tone(&rec, ROOM_HZ, 1.5),
        "{what}: the MCU did not hear the room's 440 Hz: {}",
        asterisk::describe(&rec, ROOM_HZ)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sip_room_reaches_an_h323_mcu_with_fast_start_and_tunnelled_h245() {
    sip_room_reaches_h323_mcu(true, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sip_room_reaches_an_h323_mcu_with_slow_start_and_separate_h245() {
    sip_room_reaches_h323_mcu(false, false).await;
}
