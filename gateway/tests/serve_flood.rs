//! Per-source rate limiting in `roomgate serve`: a flooding source is answered 503 (with
//! Retry-After) beyond its budget, while other sources keep getting 200.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use common::{
    header, loopback, request, status_of, udp_options_status, unique, Server, Sipp, UdpPeer,
};

const LIMITS: &str = "transactions_per_source_per_second = 50\ntransactions_burst = 50";

/// sipp floods OPTIONS from 127.0.0.2 at 1000/s for 5 s while a polite sipp on 127.0.0.1 sends
/// 20/s for the same 5 s: every polite request gets 200; the flooder gets its budget in 200s
/// (burst plus rate over the run) and 503 for the rest.
#[test]
fn flooding_source_gets_503_while_polite_source_is_served() {
    let mut server = Server::start("", LIMITS);
    let started = Instant::now();
    let flooder = Sipp::new("options_or_503.xml", server.udp)
        .ip(loopback(2))
        .no_trace_msg()
        .args(&["-r", "1000", "-m", "5000", "-recv_timeout", "5000"])
        .spawn();
    let polite = Sipp::new("options.xml", server.udp)
        .no_trace_msg()
        .args(&["-r", "20", "-m", "100", "-recv_timeout", "5000"])
        .spawn();
    let polite = polite.wait(Duration::from_secs(40));
    let flooder = flooder.wait(Duration::from_secs(40));
    let elapsed = started.elapsed().as_secs_f64();

    polite.assert_success();
    assert_eq!(
        polite.cumulative("Successful call"),
        Some(100),
        "{}",
        polite.report()
    );
    assert_eq!(polite.message_count("200"), 100, "{}", polite.report());

    flooder.assert_success();
    let ok = flooder.message_count("200");
    let refused = flooder.message_count("503");
    assert_eq!(ok + refused, 5000, "{}", flooder.report());
    // The burst, then 50/s; bounded above by the rate over the whole (possibly slow) run.
    eprintln!(
        "flood: polite 127.0.0.1 got 100/100 200; flooder 127.0.0.2 got {ok} 200 and {refused} 503 in {elapsed:.1} s"
    );
    let budget = 50.0 + 50.0 * elapsed;
    assert!(
        ok >= 50 && (ok as f64) <= budget + 5.0,
        "flooder got {ok} 200s in {elapsed:.1} s (budget {budget:.0})"
    );
    assert!(refused >= 3000, "flooder got only {refused} 503s");
    server.assert_running();
}

/// 500 OPTIONS within a fraction of a second from 127.0.0.3 (5000/s, paced only so the kernel
/// does not drop datagrams at the server's default-sized receive buffer): every one is
/// answered, the
/// first 50 (the burst) with 200 and, beyond the rate, with 503 + Retry-After. Meanwhile
/// 127.0.0.4 is served at once, and 127.0.0.3 is served again once its bucket refills.
#[test]
fn burst_beyond_budget_is_answered_503_and_others_are_unaffected() {
    let server = Server::start("", LIMITS);
    let peer = UdpPeer::bind(loopback(3));
    let n = 500;
    let ids: Vec<String> = (0..n).map(|i| unique(&format!("b{i}"))).collect();
    let started = Instant::now();
    let reader = {
        let socket = peer.socket.try_clone().unwrap();
        std::thread::spawn(move || {
            let mut last = Duration::ZERO;
            let peer = UdpPeer { socket };
            let mut answers: HashMap<String, (u16, String)> = HashMap::new();
            let deadline = Instant::now() + Duration::from_secs(20);
            while answers.len() < n {
                let step = (Instant::now() + Duration::from_secs(3)).min(deadline);
                let Some(resp) = peer.recv_until(step) else {
                    break;
                };
                let id = header(&resp, "Call-ID").unwrap_or_default().to_owned();
                let code = status_of(&resp).unwrap_or(0);
                assert!(
                    answers.insert(id, (code, resp)).is_none(),
                    "two answers for one request"
                );
                last = started.elapsed();
            }
            (answers, last)
        })
    };
    for id in &ids {
        let req = request("OPTIONS", "UDP", peer.local(), server.udp, id, id, 1, "");
        peer.send(server.udp, req.as_bytes());
        std::thread::sleep(Duration::from_micros(200));
    }
    // Another source, in the middle of the flood.
    assert_eq!(udp_options_status(loopback(4), server.udp), Some(200));

    let (answers, last) = reader.join().unwrap();
    // Tokens accrue until the server handled the last request, i.e. until its answer.
    let span = last.as_secs_f64();
    assert_eq!(answers.len(), n, "every request answered");
    let ok = answers.values().filter(|(c, _)| *c == 200).count();
    let refused: Vec<&String> = answers
        .values()
        .filter(|(c, _)| *c == 503)
        .map(|(_, r)| r)
        .collect();
    assert_eq!(ok + refused.len(), n, "only 200 or 503");
    assert!(
        ok >= 50 && (ok as f64) <= 50.0 + 50.0 * span + 2.0,
        "{ok} answered 200 within {span:.2} s"
    );
    assert!(
        refused
            .iter()
            .all(|r| header(r, "Retry-After").is_some_and(|v| v.parse::<u32>().is_ok())),
        "a 503 without Retry-After"
    );
    // The first requests fit in the burst.
    for id in ids.iter().take(40) {
        assert_eq!(answers[id].0, 200, "request {id} within the burst");
    }
    // The limit is a rate, not a ban: after a second the source has tokens again.
    std::thread::sleep(Duration::from_millis(1000));
    assert_eq!(udp_options_status(loopback(3), server.udp), Some(200));
}
