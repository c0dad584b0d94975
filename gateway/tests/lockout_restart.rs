//! Wrong-PIN budgets with the real `roomgate serve` and real callers from distinct loopback
//! addresses (sipp pressing keys from the RFC 2833 captures, raw INVITEs for probes):
//! - a blocked source stays blocked across SIGKILL and restart (the budgets live in
//!   `<data dir>/lockout.sqlite3`), other sources are served throughout, `roomgate lockout
//!   list` shows the block and `roomgate lockout clear` lifts it for the next start;
//! - the per-meeting budget counts failures from every source: once it is spent, even the
//!   right PIN is refused, and `security.log` is what `fail2ban/roomgate.conf` expects.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use common::pin::{keys, room_scenario, RoomEnd, RoomStep};
use common::{
    ack_for, header, loopback, status_of, unique, ServeOptions, Server, Sipp, TempDir, UdpPeer,
};

const LIMIT: Duration = Duration::from_secs(60);
const WAIT: Duration = Duration::from_secs(10);

fn read_security_log(data: &Path) -> String {
    std::fs::read_to_string(data.join("security.log")).unwrap_or_default()
}

/// The security log's events named `event`, parsed.
fn events(data: &Path, event: &str) -> Vec<serde_json::Value> {
    read_security_log(data)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["event"] == event)
        .collect()
}

/// A room at `ip` dials `meeting`, runs `steps` and hangs up; the run must succeed.
fn room_call(server: &Server, ip: IpAddr, meeting: &str, steps: &[RoomStep]) {
    let dir = TempDir::new("room");
    let scenario = room_scenario(&dir, "room.xml", steps, RoomEnd::HangUp);
    let run = Sipp::new(scenario.to_str().unwrap(), server.udp)
        .ip(ip)
        .args(&[
            "-s",
            meeting,
            "-m",
            "1",
            "-mp",
            &common::sipp_media_port().to_string(),
        ])
        .run(LIMIT);
    run.assert_success();
}

fn invite(from: SocketAddr, to: SocketAddr, meeting: &str, call_id: &str, media: u16) -> String {
    let ip = from.ip();
    let sdp = format!(
        "v=0\r\no=probe 1 1 IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\n\
         m=audio {media} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n\
         a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n"
    );
    format!(
        "INVITE sip:{meeting}@{to} SIP/2.0\r\n\
         Via: SIP/2.0/UDP {from};branch=z9hG4bK{call_id};rport\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:probe@{from}>;tag=f{call_id}\r\n\
         To: <sip:{meeting}@{to}>\r\n\
         Call-ID: {call_id}\r\n\
         CSeq: 1 INVITE\r\n\
         Contact: <sip:probe@{from}>\r\n\
         Content-Type: application/sdp\r\n\
         Content-Length: {}\r\n\r\n{sdp}",
        sdp.len()
    )
}

/// An in-dialog request (ACK or BYE) after a 2xx to `invite`.
fn in_dialog(method: &str, cseq: u32, invite: &str, ok: &str, from: SocketAddr) -> String {
    let ruri = invite.split(' ').nth(1).unwrap();
    let branch = unique("b").replace('-', "");
    format!(
        "{method} {ruri} SIP/2.0\r\n\
         Via: SIP/2.0/UDP {from};branch=z9hG4bK{branch};rport\r\n\
         Max-Forwards: 70\r\n\
         From: {}\r\n\
         To: {}\r\n\
         Call-ID: {}\r\n\
         CSeq: {cseq} {method}\r\n\
         Content-Length: 0\r\n\r\n",
        header(invite, "From").unwrap(),
        header(ok, "To").unwrap(),
        header(invite, "Call-ID").unwrap(),
    )
}

/// The final status of an INVITE to `meeting` from `from` (a PIN meeting answers 200 to play
/// its prompt). A 200 is ACKed and the call hung up at once; anything else is ACKed.
fn invite_status(from: IpAddr, server: SocketAddr, meeting: &str) -> u16 {
    let peer = UdpPeer::bind(from);
    // Somewhere for the prompt's RTP to go.
    let media = UdpSocket::bind((from, 0)).unwrap();
    let call_id = unique("probe").replace('-', "");
    let inv = invite(
        peer.local(),
        server,
        meeting,
        &call_id,
        media.local_addr().unwrap().port(),
    );
    let resp = peer
        .transact(server, &inv, WAIT)
        .unwrap_or_else(|| panic!("no final response from {from} to INVITE {meeting}"));
    let status = status_of(&resp).unwrap();
    if status == 200 {
        peer.send(
            server,
            in_dialog("ACK", 1, &inv, &resp, peer.local()).as_bytes(),
        );
        let bye = in_dialog("BYE", 2, &inv, &resp, peer.local());
        let done = peer.transact(server, &bye, WAIT);
        assert_eq!(
            done.as_deref().and_then(status_of),
            Some(200),
            "BYE: {done:?}"
        );
    } else {
        peer.send(server, ack_for(&inv, &resp).as_bytes());
    }
    status
}

fn roomgate(args: &[&str], data: &Path) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_roomgate"))
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .env_remove("ROOMGATE_DATA")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "roomgate {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn kill_9(server: &mut Server) {
    let ok = Command::new("kill")
        .args(["-KILL", &server.process.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -KILL failed");
    assert!(
        server.process.wait_timeout(WAIT).is_some(),
        "roomgate serve survived SIGKILL"
    );
}

#[test]
fn blocked_source_stays_blocked_across_sigkill_until_cleared() {
    let keep = TempDir::new("lockout-data");
    let data: PathBuf = keep.join("data");
    let opts = ServeOptions {
        extra: format!(
            "[store]\npath = \"{}\"\n\
             [lockout]\nsource_failures = 2\nper_call_attempts = 3\n\
             [pin]\ninter_digit_timeout_s = 1\n",
            data.display()
        ),
        ..ServeOptions::default()
    };
    let (attacker, other) = (loopback(2), loopback(3));

    let mut first = Server::start_with(opts.clone());
    // Two wrong PINs in one call, each ended by the inter-digit timeout (1 s): "5", "6".
    room_call(
        &first,
        attacker,
        "1000",
        &[
            RoomStep::Wait(1000),
            RoomStep::Key('5'),
            RoomStep::Wait(2500),
            RoomStep::Key('6'),
            RoomStep::Wait(2500),
        ],
    );
    assert!(
        common::wait_until(WAIT, || !events(&data, "source_blocked").is_empty()),
        "no source_blocked event:\n{}\n{}",
        read_security_log(&data),
        first.log()
    );
    let failures = events(&data, "pin_failure");
    assert_eq!(failures.len(), 2, "{}", read_security_log(&data));
    assert!(
        failures
            .iter()
            .all(|f| f["source"] == "127.0.0.2" && f["meeting"] == "1000"),
        "{failures:?}"
    );
    let blocked = events(&data, "source_blocked");
    assert_eq!(blocked.len(), 1, "{blocked:?}");
    assert_eq!(blocked[0]["source"], "127.0.0.2", "{blocked:?}");

    assert_eq!(invite_status(attacker, first.udp, "1000"), 403);
    assert_eq!(invite_status(attacker, first.udp, "1001"), 403);
    assert_eq!(invite_status(other, first.udp, "1000"), 200);

    kill_9(&mut first);
    let mut second = Server::start_with(opts.clone());
    assert_eq!(
        invite_status(attacker, second.udp, "1000"),
        403,
        "the block did not survive SIGKILL and restart:\n{}",
        second.log()
    );
    assert_eq!(invite_status(other, second.udp, "1000"), 200);
    assert_eq!(invite_status(other, second.udp, "1001"), 200);

    let list = roomgate(&["lockout", "list"], &data);
    let table = String::from_utf8(list.stdout).unwrap();
    assert!(table.contains("source   127.0.0.2"), "{table}");
    assert!(!table.contains("127.0.0.3"), "{table}");

    // A running server keeps its budgets in memory and does not read clears made by the CLI
    // (no reload path exists yet): clear with the server stopped, then start it.
    kill_9(&mut second);
    let cleared = roomgate(&["lockout", "clear", "--source", "127.0.0.2"], &data);
    assert_eq!(
        String::from_utf8(cleared.stdout).unwrap(),
        "cleared source 127.0.0.2\n"
    );
    let mut third = Server::start_with(opts);
    assert_eq!(
        invite_status(attacker, third.udp, "1000"),
        200,
        "still blocked after `lockout clear` and restart:\n{}",
        third.log()
    );
    assert_eq!(invite_status(other, third.udp, "1000"), 200);
    third.assert_running();

    // Two failures and the block, each naming the attacker; nothing for the prober.
    let (summary, hosts) = common::fail2ban_regex(&data.join("security.log"));
    assert!(
        summary.contains("3 matched, 0 missed"),
        "{summary}\n{}",
        read_security_log(&data)
    );
    assert_eq!(hosts, ["127.0.0.2"; 3], "{summary}");
}

#[test]
fn meeting_budget_spent_from_several_sources_refuses_even_the_right_pin() {
    let mut server = Server::start_with(ServeOptions {
        extra: "[lockout]\nmeeting_failures = 3\n[pin]\ninter_digit_timeout_s = 1\n".into(),
        ..ServeOptions::default()
    });
    let data = server.dir.join("roomgate-data");
    // Three failures are tolerated, the fourth locks meeting 1000.
    for (n, x) in (2..=5u8).enumerate() {
        let mut steps = vec![RoomStep::Wait(1000)];
        steps.extend(keys("5#", 200));
        steps.push(RoomStep::Wait(1500));
        room_call(&server, loopback(x), "1000", &steps);
        assert!(
            common::wait_until(WAIT, || events(&data, "pin_failure").len() == n + 1),
            "failure {} from 127.0.0.{x} not logged:\n{}\n{}",
            n + 1,
            read_security_log(&data),
            server.log()
        );
    }
    let locked = events(&data, "meeting_locked");
    assert_eq!(locked.len(), 1, "{}", read_security_log(&data));
    assert_eq!(locked[0]["meeting"], "1000");
    assert!(!server.log().contains("PIN accepted"), "{}", server.log());

    // The right PIN from a fresh source: refused before verification, no cloud leg.
    let mut steps = vec![RoomStep::Wait(1000)];
    steps.extend(keys("1234#", 200));
    steps.push(RoomStep::Wait(2500));
    room_call(&server, loopback(6), "1000", &steps);
    assert!(
        common::wait_until(WAIT, || !events(&data, "pin_refused").is_empty()),
        "no pin_refused:\n{}\n{}",
        read_security_log(&data),
        server.log()
    );
    let refused = events(&data, "pin_refused");
    assert_eq!(refused.len(), 1, "{}", read_security_log(&data));
    assert_eq!(refused[0]["meeting"], "1000");
    assert_eq!(refused[0]["source"], "127.0.0.6");
    assert_eq!(events(&data, "pin_failure").len(), 4);
    server.assert_running();
    let log = server.log();
    assert!(log.contains("PIN entry started"), "{log}");
    assert!(
        !log.contains("PIN accepted"),
        "joined a locked meeting:\n{log}"
    );
    assert!(
        !log.contains("echo::uas"),
        "the echo meeting got a call:\n{log}"
    );
    // The open meeting is not affected by 1000's lock.
    assert_eq!(invite_status(loopback(6), server.udp, "1001"), 200);

    // fail2ban counts failures, refusals and blocks against their source, not the meeting
    // lock (which names no source): 5 of 6 lines.
    let (summary, hosts) = common::fail2ban_regex(&data.join("security.log"));
    assert!(
        summary.contains("Lines: 6 lines, 0 ignored, 5 matched, 1 missed"),
        "{summary}\n{}",
        read_security_log(&data)
    );
    assert_eq!(
        hosts,
        [
            "127.0.0.2",
            "127.0.0.3",
            "127.0.0.4",
            "127.0.0.5",
            "127.0.0.6"
        ],
        "{summary}"
    );
}
