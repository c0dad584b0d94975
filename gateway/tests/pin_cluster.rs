//! Two gateway nodes sharing one real `redis-server` (meetings and wrong-PIN budgets), with
//! rooms played by sipp (keys from sip-tester's RFC 2833 captures) or raw UDP sockets (keys
//! over SIP INFO), and a sipp UAS as the cloud:
//! - a brute-forcer alternating between the nodes, many attempts at once, is stopped after
//!   exactly the number of tries one node alone would allow;
//! - when Redis goes away, PIN checks fail closed: new calls get 503, a caller in the middle
//!   of PIN entry is told "disconnected" and hung up, and a bridged call carries on.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::time::{Duration, Instant};

use common::inproc::Gateway;
use common::pin::{room_scenario, RawRoom, RoomEnd, RoomStep};
use common::redis::RedisServer;
use common::{free_port, loopback, Sipp, TempDir};
use roomgate::store::{Meeting, RedisMeetings, SrtpMode, Upstream};

const PREFIX: &str = "rg:";

/// Meeting 4000 with PIN 1234 (its upstream never reached in these tests), in Redis.
fn pin_meeting(redis: &RedisServer) -> RedisMeetings {
    let meetings = RedisMeetings::open(&redis.url(), PREFIX).unwrap();
    let mut m = Meeting::new("4000", Upstream::Uri("sip:meeting@127.0.0.1:9".into()));
    m.srtp = SrtpMode::Off;
    m.pin_hash = Some(roomgate::pin::hash_pin("1234").unwrap());
    meetings.put_meeting(&m).unwrap();
    meetings
}

fn events(gw: &Gateway, kind: &str) -> usize {
    std::fs::read_to_string(gw.data_dir.join("security.log"))
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains(&format!("\"event\":\"{kind}\"")))
        .count()
}

#[test]
fn brute_force_alternating_between_two_nodes_is_stopped_after_the_same_number_of_tries() {
    let redis = RedisServer::start();
    pin_meeting(&redis);
    let budget = |c: &mut roomgate::config::Config| {
        c.lockout.meeting_failures = 5;
        c.lockout.source_failures = 1000;
        c.pin.inter_digit_timeout_s = 1;
    };
    let nodes = [
        Gateway::start_cluster(&redis.url(), PREFIX, budget),
        Gateway::start_cluster(&redis.url(), PREFIX, budget),
    ];
    // Eight callers from eight addresses (sipp, pressing keys from sip-tester's RFC 2833
    // captures), alternating between the nodes, all at once; each tries three wrong PINs for
    // meeting 4000 (PIN 1234, stored once in Redis): keys 5, 6 and 7, each ended by the
    // inter-digit pause.
    let attempts_per_call = 3;
    let callers = 8;
    let dir = TempDir::new("brute");
    let mut steps = vec![RoomStep::Wait(500)];
    for k in ['5', '6', '7'] {
        steps.push(RoomStep::Key(k));
        steps.push(RoomStep::Wait(2500));
    }
    let scenario = room_scenario(&dir, "brute.xml", &steps, RoomEnd::GatewayHangsUp(15_000));
    let running: Vec<_> = (0..callers)
        .map(|i| {
            Sipp::new(scenario.to_str().unwrap(), nodes[i % 2].udp)
                .ip(loopback(10 + i as u8))
                .args(&[
                    "-s",
                    "4000",
                    "-m",
                    "1",
                    "-mp",
                    &common::sipp_media_port().to_string(),
                ])
                .spawn()
        })
        .collect();
    for r in running {
        // Each call ends by the gateway's BYE: the per-call budget.
        r.wait(Duration::from_secs(60)).assert_success();
    }
    let failures: usize = nodes.iter().map(|n| events(n, "pin_failure")).sum();
    let refused: usize = nodes.iter().map(|n| events(n, "pin_refused")).sum();
    let locks: usize = nodes.iter().map(|n| events(n, "meeting_locked")).sum();
    // "More than 5 failures lock": the sixth failure locks, whichever node it reached; every
    // other attempt was refused unverified.
    assert_eq!(failures, 6, "failures {failures}, refused {refused}");
    assert_eq!(locks, 1);
    assert_eq!(failures + refused, callers * attempts_per_call as usize);
    assert!(
        nodes
            .iter()
            .all(|n| events(n, "pin_failure") + events(n, "pin_refused") > 0),
        "both nodes took attempts"
    );
    // The right PIN is refused on both nodes now.
    for node in &nodes {
        let mut room = RawRoom::new(node, loopback(30), "4000");
        assert_eq!(room.call().0, 200);
        room.keys("1234#");
        std::thread::sleep(Duration::from_millis(900));
        assert_eq!(room.request("BYE", "", ""), 200);
    }
    let [a, b] = nodes;
    let (sa, sb) = (
        a.stop().calls.unwrap().stats(),
        b.stop().calls.unwrap().stats(),
    );
    assert_eq!(sa.pin_correct + sb.pin_correct, 0, "{sa:?} {sb:?}");
}

#[test]
fn redis_gone_fails_closed_and_bridged_calls_carry_on() {
    let mut redis = RedisServer::start();
    let cloud_port = free_port();
    let meetings = pin_meeting(&redis);
    let mut open = Meeting::new(
        "4001",
        Upstream::Uri(format!("sip:meeting@127.0.0.1:{cloud_port}")),
    );
    open.srtp = SrtpMode::Off;
    meetings.put_meeting(&open).unwrap();
    let cloud = Sipp::uas("cloud_uas.xml", cloud_port)
        .args(&["-m", "1", "-mp", &common::sipp_media_port().to_string()])
        .spawn();
    // cloud_uas.xml checks the asserted identity, given only to trusted upstreams.
    let node = Gateway::start_cluster(&redis.url(), PREFIX, |c| {
        c.gateway.trusted_upstreams = vec!["127.0.0.1".into()];
    });
    // A bridged call to the open meeting, and a caller in PIN entry for meeting 1000.
    let mut bridged = RawRoom::new(&node, loopback(2), "4001");
    assert_eq!(bridged.call().0, 200);
    let mut entering = RawRoom::new(&node, loopback(3), "4000");
    assert_eq!(entering.call().0, 200);
    redis.kill();
    // The caller's attempt cannot be counted: "disconnected" and BYE, not a free try.
    entering.keys("1234#");
    assert!(entering.wait_bye(Duration::from_secs(10)), "failed closed");
    // New calls get 503: the meeting lookup fails, and so would the lockout health check.
    let deadline = Instant::now() + Duration::from_secs(5);
    let code = loop {
        let code = RawRoom::new(&node, loopback(4), "4000").call().0;
        if code == 503 || Instant::now() > deadline {
            break code;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(code, 503);
    // The bridged call is unaffected: it still answers in-dialog requests and hangs up.
    assert_eq!(
        bridged.request("INFO", "application/media_control+xml", "<x/>"),
        200
    );
    assert_eq!(bridged.request("BYE", "", ""), 200);
    cloud.wait(Duration::from_secs(30)).assert_success();
    let s = node.stop().calls.unwrap().stats();
    assert_eq!(s.pin_correct, 0, "{s:?}");
    // The caller in PIN entry was failed closed; the 503s came before any call existed
    // (the meeting lookup needs Redis too).
    assert_eq!(s.lockout_unavailable, 1, "{s:?}");
    assert_eq!(s.connected, 1, "{s:?}");
}
