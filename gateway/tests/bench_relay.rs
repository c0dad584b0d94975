//! `roomgate bench-relay` against real relays: our own (`roomgate serve` with `[ng] listen`)
//! in each mode, and a fake ng relay of the test's that corrupts what it forwards or answers
//! garbage, so the tool's verifier and its error paths are shown able to fail. Counters are
//! asserted, not rates: CI shares its cores.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{free_port, ServeOptions, Server, LOCALHOST};
use roomgate::bench_relay::{self, BenchError, Mode, Plan};
use roomgate::ng::Value;
use roomgate_sip::sdp::SessionDescription;

fn plan(ng: SocketAddr, mode: Mode) -> Plan {
    Plan {
        ng,
        calls: 10,
        seconds: 2,
        pps_per_stream: 50,
        payload: 160,
        mode,
        rtcp_mux: false,
        relay_pid: None,
    }
}

/// A call with rtcp-mux on both legs costs our relay no descriptor beyond the RTP ports it
/// bound at start; one without mux holds the RTCP port of each leg while it lasts (and SRTP
/// still flows intact either way).
#[test]
fn calls_with_rtcp_mux_hold_no_rtcp_socket_and_calls_without_hold_one_per_leg() {
    let ng = SocketAddr::new(LOCALHOST, free_port());
    let server = Server::start_with(ServeOptions {
        extra: format!("[ng]\nlisten = \"{ng}\"\n"),
        media_pairs: Some(64),
        ..ServeOptions::default()
    });
    for mux in [true, false] {
        let plan = Plan {
            relay_pid: Some(server.process.id()),
            rtcp_mux: mux,
            ..plan(ng, Mode::Srtp)
        };
        let r = bench_relay::run(&plan).unwrap_or_else(|e| panic!("mux {mux}: {e}"));
        assert_eq!((r.corrupted, r.undecryptable), (0, 0), "{r}");
        assert!(r.delivered >= r.sent * 9 / 10, "{r}");
        let (before, with) = (r.relay_fds_before.unwrap(), r.relay_fds.unwrap());
        let added = with.saturating_sub(before);
        if mux {
            // Slack for descriptors the gateway opens meanwhile (none expected).
            assert!(added <= 3, "10 muxed calls added {added} descriptors: {r}");
        } else {
            assert!(
                added >= 20,
                "10 calls without mux added {added} descriptors: {r}"
            );
        }
        assert_eq!(r.deleted, 10, "{r}");
    }
}

#[test]
fn our_relay_carries_every_mode_intact_and_every_call_is_deleted() {
    let ng = SocketAddr::new(LOCALHOST, free_port());
    let server = Server::start_with(ServeOptions {
        extra: format!("[ng]\nlisten = \"{ng}\"\n"),
        media_pairs: Some(64),
        ..ServeOptions::default()
    });
    for mode in [Mode::Plain, Mode::Srtp, Mode::Gcm] {
        let plan = Plan {
            relay_pid: Some(server.process.id()),
            ..plan(ng, mode)
        };
        let r = bench_relay::run(&plan).unwrap_or_else(|e| panic!("{mode:?}: {e}"));
        assert_eq!(r.calls, 10, "{r}");
        assert_eq!(r.offered, 10 * 2 * 2 * 50, "{r}");
        assert_eq!((r.corrupted, r.undecryptable), (0, 0), "{r}");
        assert!(r.sent >= r.offered * 9 / 10, "the generator kept up: {r}");
        // Loose: two shared cores may drop a few, never most.
        assert!(r.delivered >= r.sent * 9 / 10, "{r}");
        assert!(r.delivered <= r.sent, "{r}");
        assert!(
            r.latency.p50_us > 0 && r.latency.p50_us <= r.latency.p99_us,
            "{r}"
        );
        assert!(r.relay_cpu_s.is_some(), "the relay's CPU time is read: {r}");
        // The kernel's share is part of it, so packets per system second are at least as many.
        let (cpu, sys) = (r.relay_cpu_s.unwrap(), r.relay_sys_s.unwrap());
        assert!(sys <= cpu + 1e-9, "{r}");
        if let (Some(per_cpu), Some(per_sys)) = (r.pkts_per_relay_cpu_s, r.pkts_per_relay_sys_s) {
            assert!(per_sys >= per_cpu, "{r}");
        }
        let (before, at) = (r.relay_rss_before_kib, r.relay_rss_kib);
        assert!(
            before.is_some_and(|b| b > 0) && at.is_some(),
            "RSS read: {r}"
        );
        assert!(r.relay_rss_per_call_bytes.is_some(), "{r}");
        assert_eq!(r.deleted, 10, "{r}");
        assert_eq!(r.still_listed, Some(0), "{r}");
    }
    // The relay agrees: no call left.
    let mut ng_client = bench_relay::ng::NgClient::new(ng).unwrap();
    let l = ng_client
        .request(vec![("command", Value::bytes("list"))])
        .unwrap();
    assert_eq!(l.get("calls"), Some(&Value::List(vec![])), "{l:?}");
}

/// What the fake relay does wrong.
#[derive(Clone, Copy, PartialEq)]
enum Fault {
    /// Flips one payload byte of every tenth packet from A to B.
    FlipEveryTenth,
    /// Answers the offer with an SDP that does not parse.
    GarbageSdp,
}

/// A plain-RTP ng relay of the test's: each call gets one socket per side, and what arrives
/// on one is forwarded to the other side's endpoint. Runs until `stop`.
struct FakeRelay {
    ng: SocketAddr,
    stop: Arc<AtomicBool>,
    deletes: Arc<AtomicU64>,
}

impl Drop for FakeRelay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn sdp_port(sdp: &str) -> u16 {
    SessionDescription::parse(sdp.as_bytes()).unwrap().media[0].port
}

fn relay_sdp(port: u16) -> String {
    format!(
        "v=0\r\no=fake 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
m=audio {port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n"
    )
}

/// Forwards from `from` to `to`, flipping the last byte of every tenth packet when asked.
fn forward(from: UdpSocket, to: SocketAddr, flip: bool, stop: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        from.set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let mut buf = [0u8; 2048];
        let mut n_pkts = 0u64;
        while !stop.load(Ordering::Relaxed) {
            if let Ok((n, _)) = from.recv_from(&mut buf) {
                n_pkts += 1;
                if flip && n_pkts % 10 == 0 {
                    buf[n - 1] ^= 0x01;
                }
                let _ = from.send_to(&buf[..n], to);
            }
        }
    });
}

fn fake_relay(fault: Fault) -> FakeRelay {
    let socket = UdpSocket::bind((LOCALHOST, 0)).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let ng = socket.local_addr().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let deletes = Arc::new(AtomicU64::new(0));
    let (stop2, deletes2) = (stop.clone(), deletes.clone());
    std::thread::spawn(move || {
        // Per call: A's address and the socket B sends to (which forwards to A).
        let mut calls: Vec<(String, SocketAddr, UdpSocket)> = Vec::new();
        let mut buf = vec![0u8; 65_536];
        while !stop2.load(Ordering::Relaxed) {
            let Ok((n, from)) = socket.recv_from(&mut buf) else {
                continue;
            };
            let space = buf[..n].iter().position(|&b| b == b' ').unwrap();
            let cookie = buf[..space].to_vec();
            let req = Value::decode(&buf[space + 1..n]).unwrap();
            let field = |k: &str| req.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
            let mut reply = vec![(b"result".to_vec(), Value::bytes("ok"))];
            match field("command").as_str() {
                "offer" if fault == Fault::GarbageSdp => {
                    reply.push((b"sdp".to_vec(), Value::bytes("v=0\r\nm=garbage\r\n")));
                }
                "offer" => {
                    let a = SocketAddr::new(LOCALHOST, sdp_port(&field("sdp")));
                    let to_b = UdpSocket::bind((LOCALHOST, 0)).unwrap();
                    let port = to_b.local_addr().unwrap().port();
                    calls.push((field("call-id"), a, to_b));
                    reply.push((b"sdp".to_vec(), Value::bytes(relay_sdp(port))));
                }
                "answer" => {
                    let b = SocketAddr::new(LOCALHOST, sdp_port(&field("sdp")));
                    let i = calls.iter().position(|c| c.0 == field("call-id")).unwrap();
                    let (_, a, to_b) = calls.remove(i);
                    let to_a = UdpSocket::bind((LOCALHOST, 0)).unwrap();
                    let port = to_a.local_addr().unwrap().port();
                    forward(to_a, b, true, stop2.clone());
                    forward(to_b, a, false, stop2.clone());
                    reply.push((b"sdp".to_vec(), Value::bytes(relay_sdp(port))));
                }
                "delete" => {
                    deletes2.fetch_add(1, Ordering::Relaxed);
                }
                "list" => reply.push((b"calls".to_vec(), Value::List(vec![]))),
                _ => {}
            }
            let mut wire = cookie;
            wire.push(b' ');
            wire.extend(Value::Dict(reply).encode());
            let _ = socket.send_to(&wire, from);
        }
    });
    FakeRelay { ng, stop, deletes }
}

#[test]
fn payloads_a_relay_corrupts_are_counted_as_corrupted_not_delivered() {
    let relay = fake_relay(Fault::FlipEveryTenth);
    let r = bench_relay::run(&Plan {
        calls: 2,
        ..plan(relay.ng, Mode::Plain)
    })
    .unwrap();
    // A→B: every tenth of each call's 100 packets is flipped; B→A is intact.
    assert_eq!(r.offered, 400, "{r}");
    assert!(
        (15..=20).contains(&r.corrupted),
        "about a tenth of A→B corrupted: {r}"
    );
    assert!(r.delivered + r.corrupted <= r.sent, "{r}");
    assert!(
        r.lost >= r.corrupted,
        "a corrupted packet is not delivered: {r}"
    );
    assert!(
        bench_relay::verdict(&r).unwrap_err().contains("corrupted"),
        "{r}"
    );
    assert_eq!(relay.deletes.load(Ordering::Relaxed), 2);
}

#[test]
fn a_garbage_sdp_from_the_relay_is_an_error_and_the_call_is_still_deleted() {
    let relay = fake_relay(Fault::GarbageSdp);
    let e = bench_relay::run(&plan(relay.ng, Mode::Srtp)).unwrap_err();
    assert!(matches!(e, BenchError::RelaySdp { .. }), "{e}");
    assert!(e.to_string().contains("does not parse"), "{e}");
    assert_eq!(
        relay.deletes.load(Ordering::Relaxed),
        1,
        "the failed call is deleted"
    );
}

#[test]
fn a_relay_that_does_not_answer_times_out_with_an_error() {
    // A bound socket that never answers.
    let silent = UdpSocket::bind((LOCALHOST, 0)).unwrap();
    let started = std::time::Instant::now();
    let e = bench_relay::run(&Plan {
        calls: 1,
        ..plan(silent.local_addr().unwrap(), Mode::Plain)
    })
    .unwrap_err();
    assert!(matches!(e, BenchError::NgTimeout(_)), "{e}");
    // Offer, delete and list each give up after their attempts.
    assert!(started.elapsed() < Duration::from_secs(15));
}
