//! PIN entry with real peers: sipp plays the room system and presses keys from the RFC 2833
//! captures `sip-tester` ships; a sipp UAS plays the cloud meeting. The gateway runs
//! in-process on loopback with its own data directory (lockout records, security log).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::inproc::{route, Gateway};
use common::pin::{keys, room_scenario, RawRoom, RoomEnd, RoomStep};
use common::{free_port, Sipp, TempDir};
use roomgate::call::MeetingRoute;
use roomgate_sip::sdp::offer_answer::SrtpPolicy;

const LIMIT: Duration = Duration::from_secs(60);
const PIN: &str = "1234";

fn pin_route(uri: &str) -> MeetingRoute {
    MeetingRoute {
        pin_hash: Some(roomgate::pin::hash_pin(PIN).unwrap()),
        ..route(uri, SrtpPolicy::Off)
    }
}

fn gateway(
    meetings: &[(&str, MeetingRoute)],
    extra: impl FnOnce(&mut roomgate::config::Config),
) -> Gateway {
    let routes: HashMap<String, MeetingRoute> = meetings
        .iter()
        .map(|(id, r)| ((*id).to_owned(), r.clone()))
        .collect();
    Gateway::start_routes(routes, |c| {
        c.pin.inter_digit_timeout_s = 1;
        // cloud_uas.xml checks the asserted identity, given only to trusted upstreams.
        c.gateway.trusted_upstreams = vec!["127.0.0.1".into()];
        extra(c);
    })
}

fn room(gw: &Gateway, dir: &TempDir, dialled: &str, steps: &[RoomStep], end: RoomEnd) -> Sipp {
    let scenario = room_scenario(dir, &format!("room-{dialled}.xml"), steps, end);
    Sipp::new(scenario.to_str().unwrap(), gw.udp).args(&[
        "-s",
        dialled,
        "-m",
        "1",
        "-mp",
        &common::sipp_media_port().to_string(),
    ])
}

#[test]
fn right_pin_by_rfc4733_joins_the_meeting() {
    let dir = TempDir::new("pin-right");
    let (cloud, gw) = with_cloud("3001", 1);
    let mut steps = vec![RoomStep::Wait(1000)];
    steps.extend(keys("1234#", 300));
    // Joining prompt, then the cloud leg; the room stays a little.
    steps.push(RoomStep::Wait(4000));
    let room = room(&gw, &dir, "3001", &steps, RoomEnd::HangUp).run(LIMIT);
    let cloud = cloud.wait(LIMIT);
    room.assert_success();
    cloud.assert_success();
    let tu = gw.stop();
    let calls = tu.calls.as_ref().unwrap();
    let s = calls.stats();
    assert_eq!(
        (s.pin_attempts, s.pin_correct, s.pin_wrong),
        (1, 1, 0),
        "{s:?}"
    );
    assert_eq!((s.connected, s.ended), (1, 1), "{s:?}");
    let relay = calls.snapshot().relay;
    // The prompt was played (at least a second of it, at 50 frames a second) before the
    // keys stopped it.
    assert!(relay.played >= 50, "{relay:?}");
}

fn security_log(gw: &Gateway) -> String {
    std::fs::read_to_string(gw.data_dir.join("security.log")).unwrap_or_default()
}

/// A sipp cloud meeting taking `calls` calls, and a gateway whose meeting `id` (PIN 1234) is
/// bridged to it.
fn with_cloud(id: &str, calls: u32) -> (common::RunningSipp, Gateway) {
    let cloud_port = free_port();
    let cloud = Sipp::uas("cloud_uas.xml", cloud_port)
        .args(&[
            "-m",
            &calls.to_string(),
            "-mp",
            &common::sipp_media_port().to_string(),
        ])
        .spawn();
    let gw = gateway(
        &[(
            id,
            pin_route(&format!("sip:meeting@127.0.0.1:{cloud_port}")),
        )],
        |_| {},
    );
    (cloud, gw)
}

#[test]
fn info_keys_join_and_garbage_info_gets_400() {
    let (cloud, gw) = with_cloud("3002", 1);
    let mut room = RawRoom::new(&gw, common::LOCALHOST, "3002");
    assert_eq!(room.call().0, 200, "answered for PIN entry");
    assert_eq!(
        room.request("INFO", "application/dtmf-relay", "Signal=\r\n"),
        400
    );
    assert_eq!(room.request("INFO", "application/dtmf", "not a key"), 400);
    assert_eq!(
        room.request("INFO", "application/dtmf-relay", &"9".repeat(5000)),
        400
    );
    // Other INFO (a video fast-update request) is still accepted.
    assert_eq!(
        room.request("INFO", "application/media_control+xml", "<media_control/>"),
        200
    );
    room.keys("1234#");
    // The joining prompt (about 2 s), then the cloud answers.
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(room.request("BYE", "", ""), 200);
    cloud.wait(LIMIT).assert_success();
    let s = gw.stop().calls.unwrap().stats();
    assert_eq!(
        (s.pin_correct, s.pin_wrong, s.connected),
        (1, 0, 1),
        "{s:?}"
    );
}

#[test]
fn three_wrong_pins_end_the_call_with_security_events() {
    let dir = TempDir::new("pin-wrong");
    let gw = gateway(&[("3003", pin_route("sip:meeting@127.0.0.1:9"))], |_| {});
    // Keys 5, 6, 7, each ended by the 1 s inter-digit pause (a '#' could be pressed only once
    // from the captures).
    let mut steps = vec![RoomStep::Wait(800)];
    for k in ['5', '6', '7'] {
        steps.push(RoomStep::Key(k));
        steps.push(RoomStep::Wait(3500));
    }
    let room = room(&gw, &dir, "3003", &steps, RoomEnd::GatewayHangsUp(15_000)).run(LIMIT);
    room.assert_success();
    let log = security_log(&gw);
    let s = gw.stop().calls.unwrap().stats();
    assert_eq!(
        (s.pin_wrong, s.refused_pin, s.connected),
        (3, 1, 0),
        "{s:?}"
    );
    let failures: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("\"pin_failure\""))
        .collect();
    assert_eq!(failures.len(), 3, "{log}");
    assert!(
        failures
            .iter()
            .all(|l| l.contains("\"meeting\":\"3003\"") && l.contains("\"source\":\"127.0.0.1\"")),
        "{log}"
    );
}

#[test]
fn dial_string_pin_is_one_attempt_then_the_prompt() {
    let (cloud, gw) = with_cloud("3004", 2);
    // The right PIN in the dial string: joined without a key press.
    let mut right = RawRoom::new(&gw, common::LOCALHOST, "3004*1234");
    assert_eq!(right.call().0, 200);
    // A wrong one: prompted, and the right PIN by INFO still joins.
    let mut wrong = RawRoom::new(&gw, common::LOCALHOST, "3004.9999");
    assert_eq!(wrong.call().0, 200);
    std::thread::sleep(Duration::from_millis(500));
    wrong.keys("1234#");
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(right.request("BYE", "", ""), 200);
    assert_eq!(wrong.request("BYE", "", ""), 200);
    cloud.wait(LIMIT).assert_success();
    let s = gw.stop().calls.unwrap().stats();
    assert_eq!(
        (s.pin_attempts, s.pin_correct, s.pin_wrong),
        (3, 2, 1),
        "{s:?}"
    );
    assert_eq!(s.connected, 2, "{s:?}");
}

#[test]
fn unknown_meeting_is_prompted_like_a_pin_meeting_and_never_joins() {
    let gw = gateway(&[("3005", pin_route("sip:meeting@127.0.0.1:9"))], |_| {});
    let mut known = RawRoom::new(&gw, common::LOCALHOST, "3005");
    let mut unknown = RawRoom::new(&gw, common::LOCALHOST, "3999");
    let (kc, kr) = known.call();
    let (uc, ur) = unknown.call();
    assert_eq!((kc, uc), (200, 200));
    // The same answer apart from ports, keys and ids.
    let shape = |r: &str| -> Vec<String> {
        r.split("\r\n\r\n")
            .nth(1)
            .unwrap()
            .lines()
            .filter(|l| l.starts_with("m=") || l.starts_with("a=rtpmap"))
            .map(|l| {
                l.split(' ')
                    .filter(|w| w.parse::<u32>().map_or(true, |p| p < 1000))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    };
    assert_eq!(shape(&kr), shape(&ur));
    for r in [&mut known, &mut unknown] {
        r.keys("1234#");
    }
    std::thread::sleep(Duration::from_secs(2));
    for r in [&mut known, &mut unknown] {
        assert_eq!(r.request("BYE", "", ""), 200);
    }
    let s = gw.stop().calls.unwrap().stats();
    // The known meeting's PIN is right but its upstream (port 9) is unreachable; the unknown
    // meeting's attempt is wrong whatever was typed.
    assert_eq!((s.pin_correct, s.pin_wrong), (1, 1), "{s:?}");
}

#[test]
fn source_budget_blocks_with_403_and_only_that_source() {
    let gw = gateway(&[("3006", pin_route("sip:meeting@127.0.0.1:9"))], |c| {
        c.lockout.source_failures = 2;
    });
    let attacker = common::loopback(2);
    let mut room = RawRoom::new(&gw, attacker, "3006");
    assert_eq!(room.call().0, 200);
    room.keys("1111#");
    std::thread::sleep(Duration::from_millis(700));
    room.keys("2222#");
    std::thread::sleep(Duration::from_millis(700));
    assert_eq!(room.request("BYE", "", ""), 200);
    // Blocked: 403 for any meeting, known or not.
    std::thread::sleep(Duration::from_millis(500));
    for m in ["3006", "3999"] {
        assert_eq!(RawRoom::new(&gw, attacker, m).call().0, 403);
    }
    // Another source is still answered.
    assert_eq!(RawRoom::new(&gw, common::loopback(3), "3006").call().0, 200);
    let log = security_log(&gw);
    let s = gw.stop().calls.unwrap().stats();
    assert_eq!(s.refused_blocked, 2, "{s:?}");
    assert!(
        log.contains("\"source_blocked\"") && log.contains("\"key\":\"127.0.0.2\""),
        "{log}"
    );
}

#[test]
fn meeting_budget_holds_against_many_sources() {
    let gw = gateway(&[("3007", pin_route("sip:meeting@127.0.0.1:9"))], |c| {
        c.lockout.meeting_failures = 3;
    });
    // One wrong PIN from each of four sources: the fourth failure locks the meeting.
    for n in 2..=5 {
        let mut room = RawRoom::new(&gw, common::loopback(n), "3007");
        assert_eq!(room.call().0, 200);
        room.keys("99#");
        std::thread::sleep(Duration::from_millis(600));
        assert_eq!(room.request("BYE", "", ""), 200);
    }
    // The right PIN from a fifth source is refused now, like a wrong one.
    let mut late = RawRoom::new(&gw, common::loopback(6), "3007");
    assert_eq!(
        late.call().0,
        200,
        "a locked meeting is answered like any other"
    );
    late.keys("1234#");
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(late.request("BYE", "", ""), 200);
    let log = security_log(&gw);
    let s = gw.stop().calls.unwrap().stats();
    assert_eq!((s.pin_correct, s.pin_wrong), (0, 5), "{s:?}");
    assert!(log.contains("\"meeting_locked\""), "{log}");
    assert!(
        log.contains("\"pin_refused\"") && log.contains("\"reason\":\"meeting_locked\""),
        "{log}"
    );
}

#[test]
fn silent_flooding_and_vanishing_callers_end_cleanly() {
    let gw = gateway(&[("3008", pin_route("sip:meeting@127.0.0.1:9"))], |c| {
        c.pin.entry_timeout_s = 3;
    });
    // Never a key: "you have been disconnected" after the entry timeout, then BYE.
    let mut silent = RawRoom::new(&gw, common::LOCALHOST, "3008");
    assert_eq!(silent.call().0, 200);
    // Floods keys: disconnected once the per-call key limit is passed.
    let mut flood = RawRoom::new(&gw, common::LOCALHOST, "3008");
    assert_eq!(flood.call().0, 200);
    for _ in 0..=roomgate_core::call::pin::MAX_DIGITS_PER_CALL {
        assert_eq!(flood.info_key('*'), 200);
    }
    assert!(flood.wait_bye(Duration::from_secs(10)), "flooder hung up");
    // Hangs up in the middle of the PIN.
    let mut vanish = RawRoom::new(&gw, common::LOCALHOST, "3008");
    assert_eq!(vanish.call().0, 200);
    vanish.keys("12");
    assert_eq!(vanish.request("BYE", "", ""), 200);
    assert!(
        silent.wait_bye(Duration::from_secs(10)),
        "silent caller hung up"
    );
    let tu = gw.stop();
    let calls = tu.calls.unwrap();
    let s = calls.stats();
    assert!(calls.is_empty());
    assert_eq!((s.started, s.ended, s.pin_attempts), (3, 3, 0), "{s:?}");
    assert_eq!(s.refused_pin, 2, "timeout and flood: {s:?}");
}
