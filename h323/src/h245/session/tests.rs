#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

//! Scenario tests of the session: two sessions wired back to back on a virtual clock, and
//! single sessions fed scripted messages. The harness and master/slave determination here;
//! capability exchange in `tests_tcs`, channels in `tests_channels`, the rest in
//! `tests_misc`.

use std::time::{Duration, Instant};

use super::*;
use crate::h245::codec::Extensions;
use crate::h245::*;

pub(super) fn none() -> Extensions {
    Extensions::default()
}

/// Two sessions joined by a lossless wire that encodes and decodes every message, and a
/// virtual clock.
pub(super) struct Pair {
    pub a: Session,
    pub b: Session,
    pub now: Instant,
    /// Every message that crossed, as (from a, message).
    pub wire: Vec<(bool, Mscm)>,
    pub a_events: Vec<SessionEvent>,
    pub b_events: Vec<SessionEvent>,
}

/// What a peer sees: the message as octets and back.
pub(super) fn over_the_wire(m: &Mscm) -> Mscm {
    let octets = m
        .encode()
        .unwrap_or_else(|e| panic!("{m:?} does not encode: {e}"));
    Mscm::decode(&octets).unwrap_or_else(|e| panic!("{m:?} does not decode: {e}"))
}

impl Pair {
    pub fn new(a: SessionConfig, b: SessionConfig) -> Self {
        Self {
            a: Session::new(a),
            b: Session::new(b),
            now: Instant::now(),
            wire: Vec::new(),
            a_events: Vec::new(),
            b_events: Vec::new(),
        }
    }

    pub fn gateway_and_terminal() -> Self {
        Self::new(
            SessionConfig::default(),
            SessionConfig {
                terminal_type: 50,
                ..SessionConfig::default()
            },
        )
    }

    /// Moves messages both ways until neither side has any; collects events.
    pub fn run(&mut self) {
        for _ in 0..1000 {
            let mut moved = false;
            while let Some(m) = self.a.poll_message() {
                let m = over_the_wire(&m);
                self.wire.push((true, m.clone()));
                self.b.handle_message(self.now, m);
                moved = true;
            }
            while let Some(m) = self.b.poll_message() {
                let m = over_the_wire(&m);
                self.wire.push((false, m.clone()));
                self.a.handle_message(self.now, m);
                moved = true;
            }
            self.collect();
            if !moved {
                return;
            }
        }
        panic!("the sessions never went quiet");
    }

    pub fn collect(&mut self) {
        while let Some(e) = self.a.poll_event() {
            self.a_events.push(e);
        }
        while let Some(e) = self.b.poll_event() {
            self.b_events.push(e);
        }
    }

    /// Advances the clock to the earliest timer of either side and runs it.
    pub fn advance(&mut self, by: Duration) {
        self.now += by;
        self.a.handle_timeout(self.now);
        self.b.handle_timeout(self.now);
        self.run();
    }

    pub fn take_events(&mut self) -> (Vec<SessionEvent>, Vec<SessionEvent>) {
        (
            std::mem::take(&mut self.a_events),
            std::mem::take(&mut self.b_events),
        )
    }

    pub fn sent_by_a(&self) -> Vec<&Mscm> {
        self.wire
            .iter()
            .filter(|(a, _)| *a)
            .map(|(_, m)| m)
            .collect()
    }
}

pub(super) fn drain(s: &mut Session) -> Vec<Mscm> {
    std::iter::from_fn(|| s.poll_message())
        .map(|m| over_the_wire(&m))
        .collect()
}

pub(super) fn events(s: &mut Session) -> Vec<SessionEvent> {
    std::iter::from_fn(|| s.poll_event()).collect()
}

pub(super) fn msd(terminal_type: u32, number: u32) -> Mscm {
    Mscm::Request(RequestMessage::MasterSlaveDetermination(Box::new(
        MasterSlaveDetermination {
            terminal_type,
            status_determination_number: number,
            extensions: none(),
        },
    )))
}

fn msd_ack(master: bool) -> Mscm {
    let decision = if master {
        MsdDecision::Master(())
    } else {
        MsdDecision::Slave(())
    };
    Mscm::Response(ResponseMessage::MasterSlaveDeterminationAck(Box::new(
        MasterSlaveDeterminationAck {
            decision,
            extensions: none(),
        },
    )))
}

fn msd_reject() -> Mscm {
    Mscm::Response(ResponseMessage::MasterSlaveDeterminationReject(Box::new(
        MasterSlaveDeterminationReject {
            cause: MsdRejectCause::IdenticalNumbers(()),
            extensions: none(),
        },
    )))
}

fn msd_numbers(msgs: &[&Mscm]) -> Vec<u32> {
    msgs.iter()
        .filter_map(|m| match m {
            Mscm::Request(RequestMessage::MasterSlaveDetermination(d)) => {
                Some(d.status_determination_number)
            }
            _ => None,
        })
        .collect()
}

#[test]
fn determination_rule_of_figure_c4() {
    // The higher terminal type wins whatever the numbers.
    assert_eq!(determine(60, 5, 50, 5), Some(true));
    assert_eq!(determine(50, 0xFF_FFFF, 190, 0), Some(false));
    // Equal types: (remote - local) mod 2^24 below 2^23 makes us master.
    assert_eq!(determine(60, 100, 60, 101), Some(true));
    assert_eq!(determine(60, 101, 60, 100), Some(false));
    assert_eq!(
        determine(60, 0xFF_FFFF, 60, 0),
        Some(true),
        "the difference wraps"
    );
    assert_eq!(determine(60, 0, 60, 0x7F_FFFF), Some(true));
    assert_eq!(determine(60, 0, 60, 0x80_0001), Some(false));
    // Indeterminate: identical numbers, or exactly half the space apart.
    assert_eq!(determine(60, 7, 60, 7), None);
    assert_eq!(determine(60, 0, 60, 0x80_0000), None);
    assert_eq!(determine(60, 0x90_0000, 60, 0x10_0000), None);
    // Each side's result mirrors the other's.
    for (x, y) in [
        (1u32, 2u32),
        (0, 0xFF_FFFF),
        (0x12_3456, 0xAB_CDEF),
        (0x40_0000, 0xC0_0001),
    ] {
        assert_eq!(
            determine(60, x, 60, y).map(|m| !m),
            determine(60, y, 60, x),
            "{x:#x} {y:#x}"
        );
    }
}

#[test]
fn higher_terminal_type_is_master() {
    let mut p = Pair::gateway_and_terminal();
    p.a.start_msd(p.now, 1);
    p.b.start_msd(p.now, 1);
    p.run();
    let (a, b) = p.take_events();
    assert_eq!(a, [SessionEvent::MsdDone { master: true }]);
    assert_eq!(b, [SessionEvent::MsdDone { master: false }]);
    assert_eq!(
        (p.a.is_master(), p.b.is_master()),
        (Some(true), Some(false))
    );
    assert_eq!(p.a.poll_timeout(), None, "T106 stopped");
    assert_eq!(p.b.poll_timeout(), None);
    // The role outlives the session's end.
    p.a.end_session();
    assert_eq!(p.a.is_master(), Some(true));
}

#[test]
fn equal_types_decided_by_numbers() {
    let mut p = Pair::new(SessionConfig::default(), SessionConfig::default());
    p.a.start_msd(p.now, 100);
    p.b.start_msd(p.now, 200);
    p.run();
    // (200 - 100) mod 2^24 is below 2^23: a is master.
    assert_eq!(
        (p.a.is_master(), p.b.is_master()),
        (Some(true), Some(false))
    );
    let (a, b) = p.take_events();
    assert_eq!(a, [SessionEvent::MsdDone { master: true }]);
    assert_eq!(b, [SessionEvent::MsdDone { master: false }]);
}

#[test]
fn one_sided_determination_answers_the_peer() {
    // Only b starts; a answers with the roles and b acknowledges.
    let mut p = Pair::new(SessionConfig::default(), SessionConfig::default());
    p.b.start_msd(p.now, 0x0012_3456);
    p.run();
    let (a, b) = p.take_events();
    let a_master = p.a.is_master().unwrap();
    assert_eq!(p.b.is_master(), Some(!a_master));
    assert_eq!(a, [SessionEvent::MsdDone { master: a_master }]);
    assert_eq!(b, [SessionEvent::MsdDone { master: !a_master }]);
    // a sent no MasterSlaveDetermination of its own.
    assert!(msd_numbers(&p.sent_by_a()).is_empty());
}

#[test]
fn identical_numbers_retry_with_fresh_ones() {
    // The same 24 bits, different upper bits: the first round is indeterminate, the
    // retries draw from different seeds.
    let mut p = Pair::new(SessionConfig::default(), SessionConfig::default());
    p.a.start_msd(p.now, 0x0155_5555);
    p.b.start_msd(p.now, 0x0255_5555);
    p.run();
    let a_numbers = msd_numbers(&p.sent_by_a());
    assert!(a_numbers.len() >= 2, "{a_numbers:?}");
    assert_eq!(a_numbers[0], 0x55_5555);
    assert_ne!(a_numbers[1], a_numbers[0]);
    let a_master = p.a.is_master().unwrap();
    assert_eq!(p.b.is_master(), Some(!a_master));
}

#[test]
fn identical_numbers_give_up_after_n100() {
    let mut p = Pair::new(SessionConfig::default(), SessionConfig::default());
    p.a.start_msd(p.now, 0x0ABC_DEF0);
    p.b.start_msd(p.now, 0x0ABC_DEF0);
    p.run();
    assert_eq!(msd_numbers(&p.sent_by_a()).len(), 3, "N100 = 3 attempts");
    let (a, b) = p.take_events();
    assert_eq!(a, [SessionEvent::MsdFailed]);
    assert_eq!(b, [SessionEvent::MsdFailed]);
    assert_eq!(p.a.is_master(), None);
}

#[test]
fn t106_expiry_releases() {
    let mut s = Session::new(SessionConfig::default());
    let t0 = Instant::now();
    s.start_msd(t0, 42);
    assert_eq!(drain(&mut s), [msd(60, 42)]);
    assert_eq!(s.poll_timeout(), Some(t0 + Duration::from_secs(30)));
    s.handle_timeout(t0 + Duration::from_secs(29));
    assert!(drain(&mut s).is_empty());
    s.handle_timeout(t0 + Duration::from_secs(30));
    assert_eq!(
        drain(&mut s),
        [Mscm::Indication(
            IndicationMessage::MasterSlaveDeterminationRelease(Box::new(
                MasterSlaveDeterminationRelease { extensions: none() }
            ))
        )]
    );
    assert_eq!(events(&mut s), [SessionEvent::MsdFailed]);
    assert_eq!(s.poll_timeout(), None);
}

#[test]
fn reject_retries_until_n100() {
    let mut s = Session::new(SessionConfig::default());
    let t0 = Instant::now();
    s.start_msd(t0, 42);
    assert_eq!(drain(&mut s).len(), 1);
    s.handle_message(t0, msd_reject());
    let again = drain(&mut s);
    assert_eq!(again.len(), 1);
    assert_ne!(again[0], msd(60, 42), "a fresh number");
    s.handle_message(t0, msd_reject());
    assert_eq!(drain(&mut s).len(), 1);
    assert!(events(&mut s).is_empty());
    s.handle_message(t0, msd_reject());
    assert!(drain(&mut s).is_empty());
    assert_eq!(events(&mut s), [SessionEvent::MsdFailed]);
}

#[test]
fn incoming_determination_acked_then_confirmed() {
    let mut s = Session::new(SessionConfig::default());
    let t0 = Instant::now();
    s.handle_message(t0, msd(50, 9));
    // We are master (60 > 50): the Ack tells the peer it is slave.
    assert_eq!(drain(&mut s), [msd_ack(false)]);
    assert_eq!(s.poll_timeout(), Some(t0 + Duration::from_secs(30)));
    s.handle_message(t0, msd_ack(true));
    assert_eq!(events(&mut s), [SessionEvent::MsdDone { master: true }]);
    assert!(drain(&mut s).is_empty());
    // start_msd after the peer's determination does not start another.
    s.start_msd(t0, 5);
    assert!(drain(&mut s).is_empty());
    assert_eq!(s.is_master(), Some(true));
}

#[test]
fn inconsistent_ack_fails() {
    let mut s = Session::new(SessionConfig::default());
    let t0 = Instant::now();
    s.handle_message(t0, msd(50, 9));
    drain(&mut s);
    s.handle_message(t0, msd_ack(false));
    assert_eq!(events(&mut s), [SessionEvent::MsdFailed]);
    assert_eq!(s.is_master(), None);
}

#[test]
fn indeterminate_incoming_is_rejected() {
    let mut s = Session::new(SessionConfig::default());
    let t0 = Instant::now();
    s.start_msd(t0, 0x77);
    drain(&mut s);
    // While our own is outgoing, identical numbers make us send a fresh one instead.
    s.handle_message(t0, msd(60, 0x77));
    let out = drain(&mut s);
    assert_eq!(out.len(), 1);
    assert!(
        matches!(&out[0], Mscm::Request(RequestMessage::MasterSlaveDetermination(d))
        if d.status_determination_number != 0x77)
    );
    // Idle with a number (after a determination): half the space apart is rejected.
    let mut s2 = Session::new(SessionConfig::default());
    s2.start_msd(t0, 5);
    drain(&mut s2);
    s2.handle_message(t0, msd_ack(true));
    assert_eq!(events(&mut s2), [SessionEvent::MsdDone { master: true }]);
    drain(&mut s2);
    s2.handle_message(t0, msd(60, 5 ^ 0x80_0000));
    assert_eq!(drain(&mut s2), [msd_reject()]);
}

#[test]
fn stray_msd_answers_are_protocol_errors() {
    let mut s = Session::new(SessionConfig::default());
    let t0 = Instant::now();
    s.handle_message(t0, msd_ack(true));
    s.handle_message(t0, msd_reject());
    assert!(drain(&mut s).is_empty());
    let e = events(&mut s);
    assert_eq!(e.len(), 2);
    assert!(e
        .iter()
        .all(|e| matches!(e, SessionEvent::ProtocolError(_))));
    assert_eq!(s.is_master(), None);
}
