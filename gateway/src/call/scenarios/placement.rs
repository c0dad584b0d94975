//! The relay's answers that come later (as the workers' do): a call waits in admission for
//! its relay session and is placed only when it comes, a room that cancels meanwhile gets
//! 487 and the late session is removed (an H.323 room that drops its connection likewise),
//! and a bridge the relay refuses after the answer ends the call on both legs.

use super::h323::RoomDial;
use super::sip_text::{pcmu, room_cancel, room_invite};
use super::*;
use crate::call::H323Input;

#[test]
fn a_call_whose_relay_session_comes_later_is_placed_only_then_and_completes() {
    let mut w = World::new();
    w.local().defer_answers();
    w.local().hold_answers(true);
    let invite = room_invite("later", OPEN, Some(&pcmu(1, ROOM_RTP)), "");
    w.send(ROOM, &invite);
    assert!(
        !w.has_request(CLOUD, "INVITE"),
        "nothing placed before the session"
    );
    assert_eq!(w.plane.session_count(), 1, "made, its answer held");
    assert_eq!(w.live_calls(), 0);

    w.local().hold_answers(false);
    w.settle();
    let out = w.request(CLOUD, "INVITE");
    let answer = sip_text::cloud_answer(&out, 1, CLOUD_RTP, "sendrecv");
    w.send(CLOUD, &out.reply(200, "OK", "c1", CLOUD, Some(&answer)));
    assert_eq!(w.request(CLOUD, "ACK").method(), Some("ACK"));
    let ok = w.final_response(ROOM);
    assert_eq!(ok.status(), Some(200));
    let mut room = Dialog::room(&invite, &ok);
    w.send(ROOM, &room.ack(1, None));
    assert_eq!(w.live_calls(), 1);
    // The ports in both SDPs are the session's.
    let (room_port, cloud_port) = (audio_port(&ok), audio_port(&out));
    assert!((40000..40200).contains(&room_port), "{room_port}");
    assert!((40000..40200).contains(&cloud_port), "{cloud_port}");
    assert_ne!(room_port, cloud_port);

    w.send(ROOM, &room.request("BYE", "", None));
    assert_eq!(w.statuses(ROOM), vec![200]);
    let bye = w.request(CLOUD, "BYE");
    w.send(CLOUD, &bye.reply(200, "OK", "c1", CLOUD, None));
    assert_eq!(w.live_calls(), 0);
    assert_eq!(w.plane.session_count(), 0);
}

#[test]
fn a_room_that_cancels_while_its_session_is_made_gets_487_and_the_late_session_goes() {
    let mut w = World::new();
    w.local().defer_answers();
    w.local().hold_answers(true);
    w.send(
        ROOM,
        &room_invite("gone", OPEN, Some(&pcmu(1, ROOM_RTP)), ""),
    );
    let _ = w.take(ROOM);
    w.send(ROOM, &room_cancel("gone", OPEN));
    let codes: Vec<u16> = w.take(ROOM).iter().filter_map(|m| m.status()).collect();
    assert!(codes.contains(&200), "CANCEL answered: {codes:?}");
    assert!(codes.contains(&487), "INVITE terminated: {codes:?}");
    assert_eq!(
        w.plane.session_count(),
        1,
        "the session is still on its way"
    );

    w.local().hold_answers(false);
    w.settle();
    assert_eq!(w.plane.session_count(), 0, "the late session was removed");
    assert!(!w.has_request(CLOUD, "INVITE"), "nothing placed upstream");
    assert_eq!(w.live_calls(), 0);
}

#[test]
fn an_h323_room_that_drops_its_connection_while_its_session_is_made_leaves_nothing_behind() {
    let mut w = World::new();
    w.local().defer_answers();
    w.local().hold_answers(true);
    let room = w.h323_dial(RoomDial::fast(OPEN));
    assert_eq!(w.plane.session_count(), 1, "made, its answer held");
    // The room gives up: its signalling connection closes before the call is made.
    w.h323_input(room, H323Input::Closed);
    w.settle();

    w.local().hold_answers(false);
    w.settle();
    assert_eq!(w.plane.session_count(), 0, "the late session was removed");
    assert!(
        !w.has_request(CLOUD, "INVITE"),
        "nothing placed upstream for a room that is gone"
    );
    assert_eq!(w.live_calls(), 0);
    assert_eq!(w.calls().calls_in_setup(), 0, "nothing left in set-up");
}

#[test]
fn a_bridge_the_relay_refuses_after_the_answer_ends_the_call_on_both_legs() {
    let mut w = World::new();
    w.local().defer_answers();
    let invite = room_invite("refused", OPEN, Some(&pcmu(1, ROOM_RTP)), "");
    w.send(ROOM, &invite);
    let out = w.request(CLOUD, "INVITE");
    // The bridge's reconfiguration, posted when the cloud answers, is refused after the
    // room was answered.
    w.local().refuse_reconfigurations();
    let answer = sip_text::cloud_answer(&out, 1, CLOUD_RTP, "sendrecv");
    w.send(CLOUD, &out.reply(200, "OK", "c1", CLOUD, Some(&answer)));
    assert_eq!(w.request(CLOUD, "ACK").method(), Some("ACK"));
    let bye = w.request(CLOUD, "BYE");
    w.send(CLOUD, &bye.reply(200, "OK", "c1", CLOUD, None));
    let ok = w.final_response(ROOM);
    assert_eq!(ok.status(), Some(200));
    let mut room = Dialog::room(&invite, &ok);
    w.send(ROOM, &room.ack(1, None));
    let room_bye = w.request(ROOM, "BYE");
    w.send(ROOM, &room_bye.reply(200, "OK", "x", ROOM, None));
    assert_eq!(w.live_calls(), 0, "{}", w.trace());
}
