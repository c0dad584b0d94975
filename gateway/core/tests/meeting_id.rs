#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Meeting-ID entry on a virtual clock: a call that dialled no meeting is answered, asked for
//! the meeting ID, and routed by the digits as if it had dialled them; unknown IDs cost what a
//! wrong PIN costs. Prompts heard are numbered as in the harness: 1 enter PIN, 2 wrong PIN,
//! 3 joining, 4 disconnected, 5 enter meeting ID, 6 wrong meeting ID.

mod harness;

use std::time::Duration;

use harness::{Seen, World};
use roomgate_core::call::*;

const SEC: Duration = Duration::from_secs(1);

/// A call that dialled nothing, answered, with the ID prompt played out.
fn no_meeting(w: &mut World) -> CallId {
    let call = w.dial("");
    assert!(w.saw(&Seen::Admit { call, pin: true }), "{:?}", w.seen);
    assert!(w.saw(&Seen::AnsweredForPin(call)));
    assert_eq!(w.core.phase(call), Some(Phase::MeetingId));
    assert_eq!(w.lookups, 0, "nothing to look up yet");
    w.advance(SEC);
    assert_eq!(w.heard(call), vec![5], "the meeting-ID prompt");
    call
}

#[test]
fn entered_id_of_an_open_meeting_joins_it() {
    let mut w = World::new();
    let call = no_meeting(&mut w);
    w.keys(call, "1000#");
    assert_eq!(w.lookups, 1);
    assert_eq!(w.attempts, 0, "a known ID costs nothing");
    w.advance(SEC);
    assert_eq!(w.heard(call), vec![5, 3], "then 'joining'");
    assert!(w.saw(&Seen::Placed(call)));
    assert_eq!(w.core.phase(call), Some(Phase::Connected));
    assert_eq!(w.core.info(call).unwrap().meeting, "1000");
    w.core.leg_ended(w.now, call, Side::Room);
    w.pump();
    assert_eq!(w.records[0].meeting, "1000");
    assert_eq!(w.records[0].pin_failures, 0);
    assert_eq!(w.core.stats().meeting_id_prompted, 1);
}

#[test]
fn entered_id_of_a_pin_meeting_asks_the_pin() {
    let mut w = World::new();
    let call = no_meeting(&mut w);
    w.keys(call, "2000#");
    assert_eq!(w.core.phase(call), Some(Phase::Pin));
    w.advance(SEC);
    assert_eq!(w.heard(call), vec![5, 1], "then 'enter the password'");
    assert!(!w.saw(&Seen::Placed(call)));
    w.keys(call, "4321#");
    assert_eq!(w.attempt_keys, vec![("2000".to_owned(), true)]);
    w.advance(SEC);
    assert!(w.saw(&Seen::Placed(call)));
    assert_eq!(w.core.phase(call), Some(Phase::Connected));
}

#[test]
fn unknown_id_costs_one_attempt_and_asks_again() {
    let mut w = World::new();
    let call = no_meeting(&mut w);
    w.keys(call, "9999#");
    // The same request a wrong PIN makes, with no hash, under a key of its own that is no
    // meeting ID and does not show the digits: the guard counts it against the source like
    // a wrong PIN.
    assert_eq!(w.attempt_keys.len(), 1);
    let (key, hash) = &w.attempt_keys[0];
    assert!(!hash);
    assert!(key.starts_with(UNKNOWN_ID_KEY_PREFIX), "{key}");
    assert!(!key.contains("9999"), "{key}");
    assert!(dial::parse(key).is_none());
    assert_eq!(w.core.pin_failures(call), 1);
    assert_eq!(w.core.stats().meeting_id_unknown, 1);
    w.advance(2 * SEC);
    assert_eq!(
        w.heard(call),
        vec![5, 6, 5],
        "'not correct', then the ID prompt"
    );
    assert_eq!(w.core.phase(call), Some(Phase::MeetingId));
    // The second try names a real meeting.
    w.keys(call, "1000#");
    w.advance(SEC);
    assert!(w.saw(&Seen::Placed(call)));
    w.core.leg_ended(w.now, call, Side::Room);
    w.pump();
    assert_eq!(w.records[0].pin_failures, 1);
}

#[test]
fn unknown_ids_spend_the_per_call_budget_then_disconnect() {
    let mut w = World::new();
    let call = no_meeting(&mut w);
    for id in ["9991#", "9992#", "9993#"] {
        w.keys(call, id);
        w.advance(2 * SEC);
    }
    assert_eq!(w.attempts, 3);
    let (cause, _, reason) = w.ended(call).expect("disconnected");
    assert_eq!(cause, EndCause::Normal);
    assert_eq!(reason.as_deref(), Some("pin_failed"));
    assert_eq!(w.heard(call).last(), Some(&4), "'disconnected' last");
    assert!(!w.saw(&Seen::Placed(call)));
    assert_eq!(w.records[0].pin_failures, 3);
    assert!(w.core.is_empty());
}

#[test]
fn wrong_ids_and_wrong_pins_share_one_budget() {
    let mut w = World::new();
    let call = no_meeting(&mut w);
    w.keys(call, "9999#");
    w.advance(2 * SEC);
    w.keys(call, "2000#");
    w.advance(SEC);
    w.keys(call, "1111#");
    w.advance(2 * SEC);
    assert!(w.ended(call).is_none(), "two tries so far");
    w.keys(call, "2222#");
    w.advance(2 * SEC);
    let (_, _, reason) = w.ended(call).expect("budget spent");
    assert_eq!(reason.as_deref(), Some("pin_failed"));
    assert_eq!(w.heard(call), vec![5, 6, 5, 1, 2, 1, 2, 4]);
}

#[test]
fn each_unknown_id_has_its_own_salted_key() {
    let keys = |salt: u64| {
        let mut w = World::new();
        w.core.set_id_salt(salt);
        let call = no_meeting(&mut w);
        for id in ["9999#", "8888#", "9999#"] {
            w.keys(call, id);
            w.advance(3 * SEC);
        }
        w.attempt_keys
            .into_iter()
            .map(|(k, _)| k)
            .collect::<Vec<_>>()
    };
    let a = keys(1);
    assert_eq!(a.len(), 3);
    // The same ID, the same key (its own meeting budget); another ID, another key.
    assert_eq!(a[0], a[2]);
    assert_ne!(a[0], a[1]);
    // Another salt (another gateway start), other keys: not a fixed table of digits.
    assert_ne!(keys(2)[0], a[0]);
}

#[test]
fn an_id_too_long_is_an_attempt_on_no_real_meeting() {
    let mut w = World::new();
    let call = no_meeting(&mut w);
    w.keys(call, &format!("{}#", "7".repeat(40)));
    assert_eq!(w.lookups, 0, "nothing that long is looked up");
    assert_eq!(w.attempt_keys.len(), 1);
    let (key, hash) = &w.attempt_keys[0];
    assert!(!hash);
    assert!(
        dial::parse(key).is_none(),
        "the key is no meeting ID: {key:?}"
    );
    w.advance(2 * SEC);
    assert_eq!(w.heard(call), vec![5, 6, 5]);
}

#[test]
fn silence_repeats_the_id_prompt_and_the_total_time_disconnects() {
    let mut w = World::new();
    let call = no_meeting(&mut w);
    // Inter-digit time 3 s after the 1 s prompt: asked again.
    w.advance(4 * SEC);
    assert_eq!(w.heard(call), vec![5, 5]);
    // A pause after digits submits them like '#'.
    w.keys(call, "1000");
    w.advance(4 * SEC);
    assert!(w.saw(&Seen::Placed(call)));

    let mut w = World::new();
    let call = no_meeting(&mut w);
    w.advance(70 * SEC);
    let (_, _, reason) = w.ended(call).expect("timed out");
    assert_eq!(reason.as_deref(), Some("pin_timeout"));
    assert_eq!(w.heard(call).last(), Some(&4));
    assert_eq!(w.attempts, 0);
}

#[test]
fn pin_time_starts_again_once_the_meeting_is_found() {
    let mut w = World::new();
    let call = no_meeting(&mut w);
    // Most of the total time on the ID (silence, repeated prompts), then the ID.
    w.advance(50 * SEC);
    w.keys(call, "2000#");
    w.advance(15 * SEC);
    assert!(w.ended(call).is_none(), "the PIN has its own total time");
    w.keys(call, "4321#");
    w.advance(SEC);
    assert!(w.saw(&Seen::Placed(call)));
}

#[test]
fn lockout_store_down_refuses_calls_without_a_meeting() {
    let mut w = World::new();
    w.lockout_healthy = false;
    let call = w.dial("");
    assert!(matches!(
        w.refused(call),
        Some(EndCause::Unavailable {
            retry_after: Some(_)
        })
    ));
    assert!(!w.saw(&Seen::AnsweredForPin(call)));
}

#[test]
fn meeting_store_down_during_entry_disconnects() {
    let mut w = World::new();
    let call = no_meeting(&mut w);
    w.store_down = true;
    w.keys(call, "1000#");
    w.advance(2 * SEC);
    let (_, _, reason) = w.ended(call).expect("ended");
    assert_eq!(reason.as_deref(), Some("store_unavailable"));
    assert_eq!(w.heard(call), vec![5, 4]);
}

#[test]
fn blocked_source_is_refused_before_any_prompt() {
    let mut w = World::new();
    w.blocked.insert(harness::ROOM);
    let call = w.dial("");
    assert_eq!(w.refused(call), Some(EndCause::Forbidden));
}

#[test]
fn a_dial_string_that_does_not_parse_is_still_not_found() {
    let mut w = World::new();
    let call = w.dial("a/b");
    assert_eq!(w.refused(call), Some(EndCause::NotFound));
}

#[test]
fn room_hanging_up_during_entry_leaves_a_record() {
    let mut w = World::new();
    let call = no_meeting(&mut w);
    assert!(!w.core.cancelled(w.now, call), "answered: no cancel");
    w.core.leg_ended(w.now, call, Side::Room);
    w.pump();
    let (_, by, reason) = w.ended(call).unwrap();
    assert_eq!(by, Some(Side::Room));
    assert_eq!(reason.as_deref(), Some("room_bye"));
    assert_eq!(w.records[0].meeting, "");
    assert!(w.core.is_empty());
}
