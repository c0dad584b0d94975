//! Meeting-ID entry over real SIP, RTP and H.323: a call that names no meeting (a SIP
//! Request-URI without a user part or with the gateway's own name; an H.323 Setup with no
//! destination alias or called number) is answered, hears the meeting-ID prompt, and the
//! digits route it as a dialled meeting would; unknown IDs are PIN attempts that fail.

use std::time::Duration;

use super::h323::{accepted_port, RoomDial};
use super::pin::{press, room_media};
use super::sip_text::{pcmu, room_invite};
use super::*;
use roomgate_core::call::UNKNOWN_ID_KEY_PREFIX;
use roomgate_h323::call::CallEvent;
use roomgate_h323::endpoint::Event;

/// A room INVITE whose Request-URI and To have no user part (`sip:<gateway>`).
fn bare_invite(call_id: &str) -> String {
    room_invite(call_id, "X", Some(&pcmu(1, ROOM_RTP)), "").replace("sip:X@", "sip:")
}

/// Sends `invite`; the gateway answers it at once (meeting-ID entry) and nothing goes
/// upstream. Returns the audio port of our answer.
fn answered(w: &mut World, invite: &str) -> u16 {
    w.send(ROOM, invite);
    let ok = w.final_response(ROOM);
    assert_eq!(ok.status(), Some(200), "answered for meeting-ID entry");
    assert!(
        w.take(CLOUD).is_empty(),
        "no upstream before the meeting ID"
    );
    let mut room = Dialog::room(invite, &ok);
    w.send(ROOM, &room.ack(1, None));
    audio_port(&ok)
}

#[test]
fn a_request_uri_without_a_user_part_is_asked_for_the_meeting_id_and_joins() {
    let mut w = World::new();
    let port = answered(&mut w, &bare_invite("mid-bare"));
    w.advance(Duration::from_secs(1));
    let prompt = w.take_rtp(room_media());
    assert!(
        prompt.len() >= 40,
        "the ID prompt: {} packets",
        prompt.len()
    );
    assert_eq!(w.calls().views()[0].state, "pin");
    let mut seq = 100;
    press(&mut w, room_media(), port, &format!("{OPEN}#"), &mut seq);
    assert!(w.pin_attempts.is_empty(), "a known ID costs no attempt");
    // "Joining", then the meeting's upstream.
    w.advance(Duration::from_secs(3));
    let out = w.request(CLOUD, "INVITE");
    assert_eq!(w.calls().views()[0].meeting, OPEN);
    let answer = sip_text::cloud_answer(&out, 1, CLOUD_RTP, "sendrecv");
    w.send(CLOUD, &out.reply(200, "OK", "c1", CLOUD, Some(&answer)));
    assert_eq!(w.request(CLOUD, "ACK").method(), Some("ACK"));
    assert_eq!(w.calls().stats().connected, 1);
}

#[test]
fn the_gateways_own_name_as_user_gets_the_id_then_the_pin() {
    let mut w = World::new();
    let invite = room_invite("mid-own", "gw.example", Some(&pcmu(1, ROOM_RTP)), "");
    let port = answered(&mut w, &invite);
    w.advance(Duration::from_secs(1));
    let mut seq = 100;
    press(&mut w, room_media(), port, &format!("{LOCKED}#"), &mut seq);
    w.advance(Duration::from_secs(4));
    assert!(!w.has_request(CLOUD, "INVITE"), "the PIN first");
    press(&mut w, room_media(), port, &format!("{PIN}#"), &mut seq);
    assert_eq!(
        w.pin_attempts,
        vec![(LOCKED.to_owned(), Some(PIN.to_owned()))]
    );
    w.advance(Duration::from_secs(3));
    assert_eq!(w.request(CLOUD, "INVITE").method(), Some("INVITE"));
    assert_eq!(w.calls().views()[0].meeting, LOCKED);
}

#[test]
fn unknown_ids_are_failed_attempts_and_three_hang_up() {
    let mut w = World::new();
    let port = answered(&mut w, &bare_invite("mid-unknown"));
    w.advance(Duration::from_secs(1));
    let mut seq = 100;
    for id in ["9991#", "9992#", "9993#"] {
        press(&mut w, room_media(), port, id, &mut seq);
        w.advance(Duration::from_secs(5));
    }
    // Each one an attempt with nothing to verify, under a key of its own that does not
    // show the digits: the lockout guard counts it against the source exactly like a wrong
    // PIN.
    assert_eq!(w.pin_attempts.len(), 3);
    for (i, (key, pin)) in w.pin_attempts.iter().enumerate() {
        assert!(pin.is_none());
        assert!(key.starts_with(UNKNOWN_ID_KEY_PREFIX), "{key}");
        assert!(!key.contains("999"), "{key}");
        assert!(
            w.pin_attempts[..i].iter().all(|(k, _)| k != key),
            "distinct"
        );
    }
    w.advance(Duration::from_secs(5));
    assert_eq!(w.request(ROOM, "BYE").method(), Some("BYE"));
    assert!(!w.has_request(CLOUD, "INVITE"));
    assert_eq!(w.live_calls(), 0);
}

#[test]
fn an_unparsable_user_part_is_still_not_found() {
    let mut w = World::new();
    w.send(
        ROOM,
        &room_invite("mid-404", "no%20meeting", Some(&pcmu(1, ROOM_RTP)), ""),
    );
    assert_eq!(w.final_response(ROOM).status(), Some(404));
}

#[test]
fn an_h323_room_with_no_destination_enters_the_meeting_id_by_user_input() {
    let mut w = World::new();
    let room = w.h323_dial(RoomDial::fast(""));
    // Answered by the gateway; nothing upstream yet.
    assert!(w.room_saw(room, |e| matches!(e, Event::Call(CallEvent::Connected))));
    assert!(!w.has_request(CLOUD, "INVITE"));
    let _ = accepted_port(&mut w, room);
    w.advance(Duration::from_secs(1));
    w.room(room)
        .call
        .session()
        .send_user_input(&format!("{LOCKED}#"));
    w.settle();
    w.advance(Duration::from_secs(4));
    assert!(!w.has_request(CLOUD, "INVITE"), "the PIN first");
    w.room(room)
        .call
        .session()
        .send_user_input(&format!("{PIN}#"));
    w.settle();
    assert_eq!(
        w.pin_attempts,
        vec![(LOCKED.to_owned(), Some(PIN.to_owned()))]
    );
    w.advance(Duration::from_secs(5));
    let (_cloud, _) = w.cloud_answers();
    assert_eq!(w.calls().views()[0].state, "active");
    assert_eq!(w.calls().views()[0].meeting, LOCKED);
}

#[test]
fn an_h323_room_entering_unknown_ids_is_released() {
    let mut w = World::new();
    let room = w.h323_dial(RoomDial::fast(""));
    for id in ["9991#", "9992#", "9993#"] {
        w.room(room).call.session().send_user_input(id);
        w.settle();
        w.advance(Duration::from_secs(4));
    }
    w.advance(Duration::from_secs(10));
    assert_eq!(w.pin_attempts.len(), 3);
    assert!(w.pin_attempts.iter().all(|(_, pin)| pin.is_none()));
    assert_eq!(w.room_released(room), Some(16));
    assert!(!w.has_request(CLOUD, "INVITE"));
}
