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
use common::pin::{keys, room_scenario, RoomEnd, RoomStep};
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
        &free_port().to_string(),
    ])
}

#[test]
fn right_pin_by_rfc4733_joins_the_meeting() {
    let dir = TempDir::new("pin-right");
    let cloud_port = free_port();
    let cloud = Sipp::uas("cloud_uas.xml", cloud_port)
        .args(&["-m", "1", "-mp", &free_port().to_string()])
        .spawn();
    let gw = gateway(
        &[(
            "3001",
            pin_route(&format!("sip:meeting@127.0.0.1:{cloud_port}")),
        )],
        |_| {},
    );
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
    let s = calls.stats;
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
