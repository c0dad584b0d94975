#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Call scenarios on a virtual clock: the call core with a scripted store, lockout guard and
//! legs (`harness/`). Each test is one behaviour a caller or an operator would notice.

mod harness;

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use harness::{Seen, UpstreamScript, World, ROOM};
use roomgate_core::call::*;

const SEC: Duration = Duration::from_secs(1);

#[test]
fn open_meeting_connects_and_room_hangs_up() {
    let mut w = World::new();
    w.now = w.now.after(Duration::from_millis(0));
    let call = w.dial("1000");
    assert!(w.saw(&Seen::Admit { call, pin: false }));
    assert!(w.saw(&Seen::Placed(call)));
    assert!(w.saw(&Seen::Connected(call)));
    assert_eq!(w.core.phase(call), Some(Phase::Connected));
    assert_eq!(w.core.stats().connected, 1);
    w.advance(5 * SEC);
    w.core.leg_ended(w.now, call, Side::Room);
    w.pump();
    let (cause, by, reason) = w.ended(call).expect("ended");
    assert_eq!(cause, EndCause::Normal);
    assert_eq!(by, Some(Side::Room));
    assert_eq!(reason.as_deref(), Some("room_bye"));
    let r = &w.records[0];
    assert_eq!(r.meeting, "1000");
    assert_eq!(r.setup_ms, Some(0));
    assert_eq!(r.ended - r.started, 5);
    assert!(w.core.is_empty());
}

#[test]
fn ringing_reaches_the_room_before_the_answer() {
    let mut w = World::new();
    w.upstream = UpstreamScript::RingThenAnswer;
    let call = w.dial("1000");
    let ring = w.seen.iter().position(|s| *s == Seen::Ringing(call));
    let conn = w.seen.iter().position(|s| *s == Seen::Connected(call));
    assert!(ring.is_some() && ring < conn, "{:?}", w.seen);
}

#[test]
fn upstream_hangs_up() {
    let mut w = World::new();
    let call = w.dial("1000");
    w.core.leg_ended(w.now, call, Side::Upstream);
    w.pump();
    let (_, by, reason) = w.ended(call).unwrap();
    assert_eq!(by, Some(Side::Upstream));
    assert_eq!(reason.as_deref(), Some("cloud_bye"));
}

#[test]
fn pin_right_from_keypad_joins_after_the_prompt() {
    let mut w = World::new();
    let call = w.dial("2000");
    assert!(w.saw(&Seen::Admit { call, pin: true }));
    assert!(w.saw(&Seen::AnsweredForPin(call)));
    assert!(!w.saw(&Seen::Placed(call)));
    w.advance(SEC);
    // "Enter the password" is 8,000 samples at 8 kHz: 50 frames of 160.
    assert_eq!(w.frames(call), 50);
    assert!(w.frames[&call].iter().all(|&n| n == 160));
    w.keys(call, "4321#");
    assert_eq!(w.attempts, 1);
    assert!(!w.saw(&Seen::Placed(call)), "not before the joining prompt");
    w.advance(SEC);
    assert!(w.saw(&Seen::Placed(call)));
    assert_eq!(w.core.phase(call), Some(Phase::Connected));
    assert_eq!(w.core.stats().pin_correct, 1);
}

#[test]
fn pin_in_the_dial_string_is_the_first_attempt() {
    let mut w = World::new();
    let call = w.dial("2000*4321");
    assert_eq!(w.attempts, 1, "tried at once");
    w.advance(SEC);
    assert_eq!(w.core.phase(call), Some(Phase::Connected));
}

#[test]
fn three_wrong_pins_disconnect() {
    let mut w = World::new();
    let call = w.dial("2000");
    w.advance(SEC);
    for _ in 0..3 {
        w.keys(call, "1111#");
        w.advance(3 * SEC);
    }
    assert_eq!(w.attempts, 3);
    let (cause, by, reason) = w.ended(call).expect("ended");
    assert_eq!((cause, by), (EndCause::Normal, None));
    assert_eq!(reason.as_deref(), Some("pin_failed"));
    assert_eq!(w.records[0].pin_failures, 3);
    assert_eq!(w.core.stats().refused_pin, 1);
    assert!(!w.saw(&Seen::Placed(call)));
}

#[test]
fn locked_meeting_sounds_like_a_wrong_pin() {
    let mut w = World::new();
    w.locked.insert("2000".into());
    let call = w.dial("2000*4321");
    w.advance(2 * SEC);
    assert_eq!(
        w.core.phase(call),
        Some(Phase::Pin),
        "right PIN, still refused"
    );
    assert_eq!(w.core.pin_failures(call), 1);
}

#[test]
fn unknown_meeting_runs_pin_entry_that_never_succeeds() {
    let mut w = World::new();
    let call = w.dial("9999*1234");
    assert!(
        w.saw(&Seen::Admit { call, pin: true }),
        "answered like a PIN meeting"
    );
    for _ in 0..2 {
        w.advance(3 * SEC);
        w.keys(call, "1234#");
    }
    w.advance(5 * SEC);
    assert_eq!(w.ended(call).unwrap().2.as_deref(), Some("pin_failed"));
    assert!(!w.saw(&Seen::Placed(call)));
}

#[test]
fn blocked_source_learns_nothing_else() {
    let mut w = World::new();
    w.blocked.insert(ROOM);
    let call = w.dial("1000");
    assert_eq!(w.refused(call), Some(EndCause::Forbidden));
    assert_eq!(w.lookups, 0, "no lookup for a blocked source");
    assert_eq!(w.core.stats().refused_blocked, 1);
    assert!(w.core.is_empty());
}

#[test]
fn store_unavailable_refuses_with_retry() {
    let mut w = World::new();
    w.store_down = true;
    let call = w.dial("1000");
    assert_eq!(
        w.refused(call),
        Some(EndCause::Unavailable {
            retry_after: Some(30)
        })
    );
    assert!(w.records.is_empty(), "a refusal is not a call");
}

#[test]
fn lockout_store_down_refuses_pin_meetings_only() {
    let mut w = World::new();
    w.lockout_healthy = false;
    let pin = w.dial("2000");
    assert_eq!(
        w.refused(pin),
        Some(EndCause::Unavailable {
            retry_after: Some(30)
        })
    );
    let open = w.dial("1000");
    assert_eq!(w.core.phase(open), Some(Phase::Connected));
    assert_eq!(w.core.stats().lockout_unavailable, 1);
}

#[test]
fn lockout_store_failing_during_an_attempt_fails_closed() {
    let mut w = World::new();
    w.attempts_unavailable = true;
    let call = w.dial("2000*4321");
    w.advance(2 * SEC);
    assert_eq!(
        w.ended(call).unwrap().2.as_deref(),
        Some("lockout_unavailable")
    );
    assert!(!w.saw(&Seen::Placed(call)));
}

#[test]
fn bad_dial_string_is_not_found() {
    let mut w = World::new();
    // (An empty one carries no meeting: meeting-ID entry, `tests/meeting_id.rs`.)
    for d in ["a/b", "1000*12x"] {
        let call = w.dial(d);
        assert_eq!(w.refused(call), Some(EndCause::NotFound), "{d:?}");
    }
    assert_eq!(w.core.stats().refused_unknown, 2);
}

#[test]
fn max_calls_refuses_before_any_lookup() {
    let mut w = World::new();
    w.upstream = UpstreamScript::Silent;
    for _ in 0..4 {
        w.dial("1000");
    }
    let lookups = w.lookups;
    let fifth = w.dial("1000");
    assert_eq!(
        w.refused(fifth),
        Some(EndCause::Unavailable {
            retry_after: Some(10)
        })
    );
    assert_eq!(w.lookups, lookups);
    assert_eq!(w.core.stats().refused_capacity, 1);
}

#[test]
fn capacity_returns_when_calls_end() {
    let mut w = World::new();
    let calls: Vec<_> = (0..4).map(|_| w.dial("1000")).collect();
    for c in &calls {
        w.core.leg_ended(w.now, *c, Side::Room);
    }
    w.pump();
    let next = w.dial("1000");
    assert_eq!(w.core.phase(next), Some(Phase::Connected));
}

#[test]
fn refused_media_frees_the_slot() {
    let mut w = World::new();
    w.media_ok = false;
    for _ in 0..6 {
        let c = w.dial("1000");
        assert_eq!(w.refused(c), Some(EndCause::NotAcceptable));
    }
    w.media_ok = true;
    let c = w.dial("1000");
    assert_eq!(w.core.phase(c), Some(Phase::Connected));
    assert_eq!(w.core.stats().started, 1, "refused calls never started");
}

#[test]
fn same_leg_twice_is_a_loop() {
    let mut w = World::new();
    w.upstream = UpstreamScript::Silent;
    let first = w.dial_from("abc@room", ROOM, "1000");
    let again = w.dial_from("abc@room", ROOM, "1000");
    assert_eq!(w.refused(again), Some(EndCause::Loop));
    assert_eq!(w.core.phase(first), Some(Phase::Placing));
}

#[test]
fn call_coming_back_on_its_upstream_leg_is_a_loop() {
    let mut w = World::new();
    w.upstream = UpstreamScript::Silent;
    let first = w.dial("1000");
    w.core.add_key(first, "up-1@gw".into());
    let back = w.dial_from("up-1@gw", ROOM, "1000");
    assert_eq!(w.refused(back), Some(EndCause::Loop));
}

#[test]
fn upstream_busy_ends_the_call() {
    let mut w = World::new();
    w.upstream = UpstreamScript::Fail(UpstreamFailure::Busy);
    let call = w.dial("1000");
    assert_eq!(
        w.ended(call).unwrap().0,
        EndCause::Upstream(UpstreamFailure::Busy)
    );
    assert_eq!(w.core.stats().upstream_failed, 1);
}

#[test]
fn upstream_not_found_and_unreachable_end_the_call() {
    for f in [UpstreamFailure::NotFound, UpstreamFailure::Unreachable] {
        let mut w = World::new();
        w.upstream = UpstreamScript::Fail(f);
        let call = w.dial("1000");
        assert_eq!(w.ended(call).unwrap().0, EndCause::Upstream(f));
    }
}

#[test]
fn silent_upstream_times_out_at_the_setup_time() {
    let mut w = World::new();
    w.upstream = UpstreamScript::Silent;
    let call = w.dial("1000");
    w.advance(Duration::from_millis(9_999));
    assert_eq!(w.core.phase(call), Some(Phase::Placing));
    w.advance(Duration::from_millis(1));
    assert_eq!(
        w.ended(call).unwrap().0,
        EndCause::Upstream(UpstreamFailure::Timeout)
    );
}

#[test]
fn setup_timer_starts_only_after_the_pin() {
    let mut w = World::new();
    w.upstream = UpstreamScript::Silent;
    let call = w.dial("2000");
    // Longer than the setup time, shorter than the PIN phase's total.
    w.advance(20 * SEC);
    assert_eq!(w.core.phase(call), Some(Phase::Pin));
    w.keys(call, "4321#");
    w.advance(SEC);
    assert_eq!(w.core.phase(call), Some(Phase::Placing));
    w.advance(10 * SEC);
    assert!(w.ended(call).is_some());
}

#[test]
fn room_cancel_while_the_upstream_rings() {
    let mut w = World::new();
    w.upstream = UpstreamScript::Silent;
    let call = w.dial("1000");
    assert!(w.core.cancelled(w.now, call));
    w.pump();
    let (cause, _, reason) = w.ended(call).unwrap();
    assert_eq!(cause, EndCause::Cancelled);
    assert_eq!(reason.as_deref(), Some("room_cancel"));
}

#[test]
fn room_answered_for_pin_cannot_cancel() {
    let mut w = World::new();
    let call = w.dial("2000");
    assert!(!w.core.cancelled(w.now, call));
    assert_eq!(w.core.phase(call), Some(Phase::Pin));
}

#[test]
fn media_inactivity_ends_only_connected_calls() {
    let mut w = World::new();
    let pin = w.dial("2000");
    w.core.media_inactive(w.now, pin);
    w.pump();
    assert!(w.ended(pin).is_none(), "PIN entry has its own timers");
    let open = w.dial("1000");
    w.core.media_inactive(w.now, open);
    w.pump();
    assert_eq!(w.ended(open).unwrap().2.as_deref(), Some("no_media"));
}

#[test]
fn pin_total_time_disconnects() {
    let mut w = World::new();
    let call = w.dial("2000");
    w.advance(59 * SEC);
    assert!(w.ended(call).is_none());
    w.advance(3 * SEC);
    assert_eq!(w.ended(call).unwrap().2.as_deref(), Some("pin_timeout"));
}

#[test]
fn digit_flood_disconnects() {
    let mut w = World::new();
    let call = w.dial("2000");
    for _ in 0..250 {
        w.core.digit(w.now, call, DigitSource::Info, '*');
    }
    w.pump();
    w.advance(2 * SEC);
    assert_eq!(w.ended(call).unwrap().2.as_deref(), Some("pin_flood"));
}

#[test]
fn digits_after_the_pin_phase_go_to_the_legs() {
    let mut w = World::new();
    let call = w.dial("1000");
    assert!(!w.core.digit(w.now, call, DigitSource::Rfc4733, '5'));
    let pin = w.dial("2000");
    assert!(w.core.digit(w.now, pin, DigitSource::Rfc4733, '5'));
}

#[test]
fn prompts_follow_the_room_rate() {
    let mut w = World::new();
    w.room_rate = 16_000;
    let call = w.dial("2000");
    w.advance(Duration::from_millis(100));
    assert!(w.frames[&call].iter().all(|&n| n == 320), "20 ms at 16 kHz");
    // A rate without prompts falls back to 8 kHz.
    w.room_rate = 48_000;
    let other = w.dial("2000");
    w.advance(Duration::from_millis(100));
    assert!(w.frames[&other].iter().all(|&n| n == 160));
}

#[test]
fn late_pin_outcome_after_hangup_is_ignored() {
    let mut w = World::new();
    w.hold_attempts = true;
    let call = w.dial("2000*4321");
    assert_eq!(w.held.len(), 1);
    w.core.leg_ended(w.now, call, Side::Room);
    w.pump();
    w.core.on_pin_outcome(w.now, call, Outcome::Correct);
    w.pump();
    assert!(!w.saw(&Seen::Placed(call)));
    assert!(w.core.is_empty());
}

#[test]
fn late_lookup_after_the_call_is_gone_is_ignored() {
    let mut w = World::new();
    let call = w.core.incoming(
        w.now,
        Incoming {
            key: "x".into(),
            source: ROOM,
            dialled: Some("1000".into()),
        },
    );
    // Answer the lookup before the screening: the core is not in that phase yet.
    w.core
        .on_lookup(w.now, call, Ok(Some(Meeting { pin_hash: None })));
    assert_eq!(w.core.phase(call), Some(Phase::Screening));
    w.pump();
    assert_eq!(w.core.phase(call), Some(Phase::Connected));
}

#[test]
fn shutdown_ends_every_call_with_unavailable() {
    let mut w = World::new();
    let a = w.dial("1000");
    let b = w.dial("2000");
    w.core.end_all(w.now);
    w.pump();
    for c in [a, b] {
        assert_eq!(
            w.ended(c).unwrap().0,
            EndCause::Unavailable { retry_after: None }
        );
    }
    assert_eq!(w.core.stats().ended, 2);
}

#[test]
fn blocked_source_does_not_affect_other_sources() {
    let mut w = World::new();
    let other = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 9));
    w.blocked.insert(other);
    let blocked = w.dial_from("b", other, "1000");
    let fine = w.dial("1000");
    assert_eq!(w.refused(blocked), Some(EndCause::Forbidden));
    assert_eq!(w.core.phase(fine), Some(Phase::Connected));
}

#[test]
fn out_of_phase_leg_events_change_nothing() {
    let mut w = World::new();
    w.upstream = UpstreamScript::Silent;
    let call = w.dial("1000");
    assert_eq!(w.core.phase(call), Some(Phase::Placing));
    // A PIN-phase or admission event for a call past them is ignored.
    w.core.admitted(w.now, call);
    w.core.pin_ready(w.now, call, 8_000);
    assert!(!w.core.digit(w.now, call, DigitSource::Info, '1'));
    w.pump();
    assert_eq!(w.core.phase(call), Some(Phase::Placing));
    // "Connected" before the upstream answered is not a connection.
    let pin = w.dial("2000");
    assert_eq!(w.core.connected(w.now, pin), None);
    assert_eq!(w.core.phase(pin), Some(Phase::Pin));
    assert_eq!(w.core.stats().connected, 0);
}
