//! `roomgate serve` against sipp, a real SIP UAC: what it answers to OPTIONS, INVITE, CANCEL,
//! unknown and malformed requests over UDP and TCP, its 404 retransmissions (timer G), and a
//! small load run. Each test starts its own server on its own ports.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::time::{Duration, Instant};

use common::{ack_for, header, request, status_of, unique, Server, Sipp, UdpPeer, LOCALHOST};

const LIMIT: Duration = Duration::from_secs(40);

fn one_call(server: &Server, scenario: &str, transport: &str) {
    let target = if transport == "t1" {
        server.tcp
    } else {
        server.udp
    };
    Sipp::new(scenario, target)
        .args(&["-t", transport, "-m", "1", "-recv_timeout", "5000"])
        .run(LIMIT)
        .assert_success();
}

#[test]
fn options_over_udp_advertises_allow_supported_accept() {
    let server = Server::start("", "");
    one_call(&server, "options.xml", "u1");
}

#[test]
fn options_over_tcp_advertises_allow_supported_accept() {
    let server = Server::start("", "");
    one_call(&server, "options.xml", "t1");
}

/// The harness itself: a header assertion that does not hold must fail the sipp run, or the
/// passing runs above would prove nothing.
#[test]
fn sipp_header_assertions_can_fail() {
    let server = Server::start("", "");
    let run = Sipp::new("options_must_fail.xml", server.udp)
        .args(&["-m", "1", "-recv_timeout", "5000"])
        .run(LIMIT);
    assert_eq!(run.code, Some(1), "{}", run.report());
    assert!(
        run.errors.contains("Failed regexp match"),
        "{}",
        run.report()
    );
}

#[test]
fn invite_over_udp_gets_404_and_takes_the_ack() {
    let server = Server::start("", "");
    one_call(&server, "invite_404.xml", "u1");
}

#[test]
fn invite_over_tcp_gets_404_and_takes_the_ack() {
    let server = Server::start("", "");
    one_call(&server, "invite_404.xml", "t1");
}

/// Timer G as sipp sees it: the unacknowledged 404 comes again. `-nr` turns off sipp's own
/// retransmission handling, which would otherwise swallow the duplicate.
#[test]
fn unacknowledged_404_is_retransmitted_over_udp() {
    let server = Server::start("t1_ms = 100", "");
    Sipp::new("invite_404_retransmit.xml", server.udp)
        .args(&["-nr", "-m", "1", "-recv_timeout", "5000"])
        .run(LIMIT)
        .assert_success();
}

/// Timer G measured: copies of the 404 are identical, come at T1, 2·T1, 4·T1 after the first
/// (T1 = 100 ms), and stop once the ACK arrives (the ACK matched the transaction).
#[test]
fn retransmissions_double_their_interval_and_stop_on_ack() {
    let server = Server::start("t1_ms = 100\nt2_ms = 4000", "");
    let peer = UdpPeer::bind(LOCALHOST);
    let id = unique("retx");
    let invite = request("INVITE", "UDP", peer.local(), server.udp, &id, &id, 1, "");
    peer.send(server.udp, invite.as_bytes());
    let start = Instant::now();
    let mut copies: Vec<(Duration, String)> = Vec::new();
    let window = start + Duration::from_millis(1000);
    while let Some(resp) = peer.response_for(&id, window) {
        if status_of(&resp) == Some(100) {
            continue;
        }
        copies.push((start.elapsed(), resp));
    }
    let times: Vec<Duration> = copies.iter().map(|(t, _)| *t).collect();
    // At 0, ~100, ~300, ~700 ms; allow for a slow machine but demand the doubling.
    assert!(
        (3..=5).contains(&copies.len()),
        "404 copies in the first second at {times:?}"
    );
    assert_eq!(status_of(&copies[0].1), Some(404), "{}", copies[0].1);
    assert!(
        copies.iter().all(|(_, r)| *r == copies[0].1),
        "retransmissions differ from the original"
    );
    let gaps: Vec<Duration> = times.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(
        gaps[0] >= Duration::from_millis(80) && gaps[0] <= Duration::from_millis(400),
        "first retransmission after {:?}",
        gaps[0]
    );
    assert!(
        gaps[1] >= gaps[0] + gaps[0] / 2,
        "interval did not double: {gaps:?}"
    );
    peer.send(server.udp, ack_for(&invite, &copies[0].1).as_bytes());
    // Without the ACK the next copy is due ~800 ms after the last one.
    let quiet = peer.response_for(&id, Instant::now() + Duration::from_millis(1600));
    assert!(
        quiet.is_none(),
        "404 still retransmitted after the ACK: {quiet:?}"
    );
}

#[test]
fn cancel_of_answered_invite_gets_200() {
    let server = Server::start("", "");
    one_call(&server, "cancel_after_404.xml", "u1");
}

#[test]
fn cancel_matching_nothing_gets_481() {
    let server = Server::start("", "");
    one_call(&server, "cancel_unmatched.xml", "u1");
}

#[test]
fn unknown_method_gets_501() {
    let server = Server::start("", "");
    one_call(&server, "unknown_method.xml", "u1");
    one_call(&server, "unknown_method.xml", "t1");
}

#[test]
fn cseq_method_mismatch_gets_400() {
    let server = Server::start("", "");
    one_call(&server, "cseq_mismatch.xml", "u1");
    // The same fault with an unrelated CSeq method, sent raw (sipp cannot match its answer).
    let peer = UdpPeer::bind(LOCALHOST);
    let id = unique("bad");
    let bad = request("OPTIONS", "UDP", peer.local(), server.udp, &id, &id, 1, "")
        .replace("CSeq: 1 OPTIONS", "CSeq: 1 INVITE");
    let resp = peer
        .transact(server.udp, &bad, Duration::from_secs(5))
        .expect("an answer to the malformed request");
    assert_eq!(status_of(&resp), Some(400), "{resp}");
    assert!(
        header(&resp, "Warning").is_some_and(|w| w.contains("CSeq")),
        "{resp}"
    );
}

/// 300 OPTIONS at 50 per second over UDP: every one answered 200 (sipp exits 0 only if no
/// call failed).
#[test]
fn options_load_run_has_no_failed_calls() {
    let mut server = Server::start("", "");
    let run = Sipp::new("options.xml", server.udp)
        .no_trace_msg()
        .args(&["-r", "50", "-m", "300", "-recv_timeout", "5000"])
        .run(LIMIT);
    run.assert_success();
    assert!(run.stdout.contains("Successful call"), "{}", run.report());
    server.assert_running();
}
