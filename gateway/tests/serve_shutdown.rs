//! SIGTERM drain of `roomgate serve`: new INVITEs and OPTIONS get 503 while the transactions
//! already in progress run to their end, then the process exits by itself with status 0.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::time::{Duration, Instant};

use common::{ack_for, header, request, status_of, unique, Server, UdpPeer, LOCALHOST};

/// An INVITE answered 404 and never ACKed keeps its server transaction alive until timer H
/// (64·T1 = 6.4 s with T1 = 100 ms). After SIGTERM the server keeps retransmitting that 404,
/// refuses new work with 503, and exits 0 only once the transaction is gone.
#[test]
fn sigterm_drains_live_transactions_then_exits_zero() {
    let mut server = Server::start("t1_ms = 100\nt4_ms = 500", "");
    let old = UdpPeer::bind(LOCALHOST);
    let old_id = unique("old");
    let invite = request(
        "INVITE",
        "UDP",
        old.local(),
        server.udp,
        &old_id,
        &old_id,
        1,
        "",
    );
    old.send(server.udp, invite.as_bytes());
    let invited = Instant::now();
    let first = old
        .response_for(&old_id, invited + Duration::from_secs(5))
        .expect("an answer to the INVITE");
    assert_eq!(status_of(&first), Some(404), "{first}");

    server.process.terminate();
    let terminated = Instant::now();
    // The signal is asynchronous: wait until the server says it is draining.
    while !server.log().contains("draining") {
        assert!(
            terminated.elapsed() < Duration::from_secs(5),
            "no drain 5 s after SIGTERM\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(10));
    }

    let new = UdpPeer::bind(LOCALHOST);
    let new_id = unique("new");
    let invite2 = request(
        "INVITE",
        "UDP",
        new.local(),
        server.udp,
        &new_id,
        &new_id,
        1,
        "",
    );
    let refused = new
        .transact(server.udp, &invite2, Duration::from_secs(5))
        .expect("an answer to the INVITE sent while draining");
    assert_eq!(status_of(&refused), Some(503), "{refused}");
    assert!(header(&refused, "Retry-After").is_some(), "{refused}");
    new.send(server.udp, ack_for(&invite2, &refused).as_bytes());

    let opt_id = unique("opt");
    let options = request(
        "OPTIONS",
        "UDP",
        new.local(),
        server.udp,
        &opt_id,
        &opt_id,
        1,
        "",
    );
    let resp = new
        .transact(server.udp, &options, Duration::from_secs(5))
        .expect("an answer to the OPTIONS sent while draining");
    assert_eq!(status_of(&resp), Some(503), "{resp}");

    // The old transaction is still served: its 404 keeps coming (timer G).
    let again = old.response_for(&old_id, Instant::now() + Duration::from_secs(3));
    assert_eq!(
        again.as_deref(),
        Some(first.as_str()),
        "no 404 retransmission while draining"
    );
    assert!(server.is_running(), "exited before the drain completed");

    let status = server
        .process
        .wait_timeout(Duration::from_secs(20))
        .unwrap_or_else(|| panic!("still running 20 s after SIGTERM\n{}", server.log()));
    let exited = invited.elapsed();
    assert!(status.success(), "exit status {status}\n{}", server.log());
    assert!(
        exited >= Duration::from_secs(5),
        "exited {exited:?} after the INVITE, before its transaction could end (timer H 6.4 s)"
    );
    let log = server.log();
    assert!(log.contains("SIGTERM received"), "{log}");
    assert!(log.contains("stopped"), "{log}");
    eprintln!("drain took {:?} after SIGTERM", terminated.elapsed());
}

/// With nothing in progress there is nothing to drain: SIGTERM ends the process at once.
#[test]
fn idle_server_exits_promptly_on_sigterm() {
    let mut server = Server::start("", "");
    // One completed exchange over TCP first, so a live connection does not hold the exit.
    let mut tcp = std::net::TcpStream::connect(server.tcp).unwrap();
    tcp.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let id = unique("idle");
    let req = request(
        "OPTIONS",
        "TCP",
        tcp.local_addr().unwrap(),
        server.tcp,
        &id,
        &id,
        1,
        "",
    );
    std::io::Write::write_all(&mut tcp, req.as_bytes()).unwrap();
    let resp = common::read_message(&mut tcp, Instant::now() + Duration::from_secs(3));
    assert_eq!(resp.as_deref().and_then(status_of), Some(200));
    server.process.terminate();
    let status = server
        .process
        .wait_timeout(Duration::from_secs(3))
        .unwrap_or_else(|| panic!("still running 3 s after SIGTERM\n{}", server.log()));
    assert!(status.success(), "exit status {status}\n{}", server.log());
}
