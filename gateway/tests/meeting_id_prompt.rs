//! The meeting-ID prompt with real peers: sipp plays a room that dials the gateway itself
//! (`sip:<gateway address>`, no user part) and enters the meeting ID with the RFC 2833 key
//! captures `sip-tester` ships; a sipp UAS plays the cloud meeting. The gateway runs
//! in-process on loopback.
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

fn gateway(meetings: &[(&str, MeetingRoute)]) -> Gateway {
    let routes: HashMap<String, MeetingRoute> = meetings
        .iter()
        .map(|(id, r)| ((*id).to_owned(), r.clone()))
        .collect();
    Gateway::start_routes(routes, |c| {
        c.pin.inter_digit_timeout_s = 1;
        // cloud_uas.xml checks the asserted identity, given only to trusted upstreams.
        c.gateway.trusted_upstreams = vec!["127.0.0.1".into()];
    })
}

/// A sipp cloud meeting taking one call; returns it and its URI.
fn cloud() -> (common::RunningSipp, String) {
    let port = free_port();
    let sipp = Sipp::uas("cloud_uas.xml", port)
        .args(&["-m", "1", "-mp", &common::sipp_media_port().to_string()])
        .spawn();
    (sipp, format!("sip:meeting@127.0.0.1:{port}"))
}

#[test]
fn sipp_dialling_the_bare_address_enters_the_meeting_id_by_rfc4733_and_joins() {
    let dir = TempDir::new("mid-sipp");
    let (cloud, uri) = cloud();
    let gw = gateway(&[("3579", route(&uri, SrtpPolicy::Off))]);
    let mut steps = vec![RoomStep::Wait(1000)];
    // Digits whose captures have rising RTP sequence numbers (the relay drops a stream going
    // backwards, and sipp replays each capture as it is).
    steps.extend(keys("3579#", 300));
    // The joining prompt, then the cloud leg; the room stays a little.
    steps.push(RoomStep::Wait(4000));
    let scenario = room_scenario(&dir, "room-bare.xml", &steps, RoomEnd::HangUp);
    // The same room, dialling `sip:<gateway>` with no user part.
    let xml = std::fs::read_to_string(&scenario).unwrap();
    assert!(xml.contains("sip:[service]@"));
    std::fs::write(&scenario, xml.replace("sip:[service]@", "sip:")).unwrap();
    let room = Sipp::new(scenario.to_str().unwrap(), gw.udp)
        .args(&["-m", "1", "-mp", &common::sipp_media_port().to_string()])
        .run(LIMIT);
    let cloud = cloud.wait(LIMIT);
    room.assert_success();
    cloud.assert_success();
    let tu = gw.stop();
    let calls = tu.calls.as_ref().unwrap();
    let s = calls.stats();
    assert_eq!(s.pin_attempts, 0, "a known ID costs no attempt: {s:?}");
    assert_eq!((s.connected, s.ended), (1, 1), "{s:?}");
    // The ID prompt played (a second of it at least) before the keys stopped it.
    assert!(calls.snapshot().relay.played >= 50);
}

#[test]
fn the_gateways_own_name_then_an_unknown_id_then_a_pin_meeting_by_info() {
    let (cloud, uri) = cloud();
    let gw = gateway(&[(
        "3102",
        MeetingRoute {
            pin_hash: Some(roomgate::pin::hash_pin(PIN).unwrap()),
            ..route(&uri, SrtpPolicy::Off)
        },
    )]);
    // The in-process gateway's domain.
    let mut room = RawRoom::new(&gw, common::LOCALHOST, "gw.example");
    assert_eq!(room.call().0, 200, "answered for meeting-ID entry");
    room.keys("3999#");
    // One verification, then "that meeting ID is not correct" and the prompt again.
    std::thread::sleep(Duration::from_secs(3));
    room.keys("3102#");
    std::thread::sleep(Duration::from_secs(2));
    room.keys(&format!("{PIN}#"));
    // The joining prompt (about 2 s), then the cloud answers.
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(room.request("BYE", "", ""), 200);
    cloud.wait(LIMIT).assert_success();
    let s = gw.stop().calls.unwrap().stats();
    assert_eq!(
        (s.pin_attempts, s.pin_wrong, s.pin_correct, s.connected),
        (2, 1, 1, 1),
        "the unknown ID was a failed attempt: {s:?}"
    );
}
