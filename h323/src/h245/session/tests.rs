#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

//! Scenario tests of the session: two sessions wired back to back on a virtual clock, and
//! single sessions fed scripted messages. Master/slave determination, capability exchange,
//! round-trip delay, user input and the other commands; channels are in `tests_channels`.

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

fn msd(terminal_type: u32, number: u32) -> Mscm {
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
    // Idle with a number: identical numbers are rejected.
    let mut s = Session::new(SessionConfig::default());
    s.handle_message(t0, msd(60, 1));
    drain(&mut s);
    s.handle_message(t0, msd_ack(true));
    let _ = events(&mut s);
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

fn tcs_ack(seq: u32) -> Mscm {
    Mscm::Response(ResponseMessage::TerminalCapabilitySetAck(Box::new(
        TerminalCapabilitySetAck {
            sequence_number: seq,
            extensions: none(),
        },
    )))
}

fn sent_tcs_seq(m: &Mscm) -> u32 {
    match m {
        Mscm::Request(RequestMessage::TerminalCapabilitySet(t)) => t.sequence_number,
        other => panic!("not a TerminalCapabilitySet: {other:?}"),
    }
}

#[test]
fn capability_exchange_back_to_back() {
    let mut p = Pair::gateway_and_terminal();
    let caps = samples::terminal_capability_set().unwrap();
    p.a.send_capabilities(p.now, caps.clone());
    p.b.send_capabilities(p.now, caps.clone());
    p.run();
    let (a, b) = p.take_events();
    let mut expected = caps.clone();
    expected.sequence_number = 1;
    for events in [&a, &b] {
        assert!(
            events.contains(&SessionEvent::CapabilitiesAcked),
            "{events:?}"
        );
        assert!(events.contains(&SessionEvent::RemoteCapabilities(expected.clone())));
        assert_eq!(events.len(), 2);
    }
    assert_eq!(p.a.remote_capabilities(), Some(&expected));
    assert_eq!(p.a.poll_timeout(), None, "T101 stopped");
}

#[test]
fn sequence_numbers_count_and_wrap() {
    let mut s = Session::new(SessionConfig::default());
    let t0 = Instant::now();
    let caps = samples::terminal_capability_set().unwrap();
    let mut seen = Vec::new();
    for _ in 0..258 {
        s.send_capabilities(t0, caps.clone());
        let out = drain(&mut s);
        let seq = sent_tcs_seq(&out[0]);
        seen.push(seq);
        s.handle_message(t0, tcs_ack(seq));
        assert_eq!(events(&mut s), [SessionEvent::CapabilitiesAcked]);
    }
    assert_eq!(&seen[..3], [1, 2, 3]);
    assert_eq!(&seen[254..], [255, 0, 1, 2]);
}

#[test]
fn superseded_set_answer_is_ignored() {
    let mut s = Session::new(SessionConfig::default());
    let t0 = Instant::now();
    let caps = samples::terminal_capability_set().unwrap();
    s.send_capabilities(t0, caps.clone());
    s.send_capabilities(t0, caps);
    assert_eq!(drain(&mut s).len(), 2);
    s.handle_message(t0, tcs_ack(1));
    assert!(events(&mut s).is_empty());
    s.handle_message(
        t0,
        Mscm::Response(ResponseMessage::TerminalCapabilitySetReject(Box::new(
            TerminalCapabilitySetReject {
                sequence_number: 2,
                cause: TcsRejectCause::Unspecified(()),
                extensions: none(),
            },
        ))),
    );
    assert_eq!(events(&mut s), [SessionEvent::CapabilitiesRejected]);
    // Nothing outstanding now: another answer is stray.
    s.handle_message(t0, tcs_ack(2));
    assert!(matches!(
        events(&mut s)[..],
        [SessionEvent::ProtocolError(_)]
    ));
}

#[test]
fn t101_expiry_releases() {
    let mut s = Session::new(SessionConfig {
        t101: Duration::from_secs(5),
        ..Default::default()
    });
    let t0 = Instant::now();
    s.send_capabilities(t0, samples::terminal_capability_set().unwrap());
    drain(&mut s);
    assert_eq!(s.poll_timeout(), Some(t0 + Duration::from_secs(5)));
    s.handle_timeout(t0 + Duration::from_secs(5));
    assert_eq!(
        drain(&mut s),
        [Mscm::Indication(
            IndicationMessage::TerminalCapabilitySetRelease(Box::new(
                TerminalCapabilitySetRelease { extensions: none() }
            ))
        )]
    );
    assert_eq!(events(&mut s), [SessionEvent::CapabilitiesRejected]);
    assert_eq!(s.poll_timeout(), None);
}

#[test]
fn empty_set_pauses_and_is_acked() {
    let mut p = Pair::gateway_and_terminal();
    p.a.send_empty_capabilities(p.now);
    p.run();
    let sent = p.sent_by_a();
    let Mscm::Request(RequestMessage::TerminalCapabilitySet(t)) = sent[0] else {
        panic!("{sent:?}");
    };
    assert!(t.capability_table.is_none() && t.capability_descriptors.is_none());
    assert!(t.multiplex_capability.is_none());
    let (a, b) = p.take_events();
    assert_eq!(a, [SessionEvent::CapabilitiesAcked]);
    assert_eq!(b, [SessionEvent::RemotePaused]);
    // A full set resumes.
    p.a.send_capabilities(p.now, samples::terminal_capability_set().unwrap());
    p.run();
    let (_, b) = p.take_events();
    assert!(matches!(&b[..], [SessionEvent::RemoteCapabilities(t)] if t.sequence_number == 2));
}

#[test]
fn send_terminal_capability_set_repeats_the_latest() {
    let mut s = Session::new(SessionConfig::default());
    let t0 = Instant::now();
    // Nothing sent yet: nothing to repeat.
    let cmd = Mscm::Command(CommandMessage::SendTerminalCapabilitySet(Box::new(
        SendTerminalCapabilitySet::GenericRequest(()),
    )));
    s.handle_message(t0, cmd.clone());
    assert!(drain(&mut s).is_empty());
    s.send_capabilities(t0, samples::terminal_capability_set().unwrap());
    drain(&mut s);
    s.handle_message(t0, cmd);
    let out = drain(&mut s);
    assert_eq!(out.len(), 1);
    assert_eq!(sent_tcs_seq(&out[0]), 2);
}

#[test]
fn duplicated_incoming_sets_are_each_acked() {
    let mut s = Session::new(SessionConfig::default());
    let t0 = Instant::now();
    let mut caps = samples::terminal_capability_set().unwrap();
    caps.sequence_number = 9;
    for _ in 0..3 {
        s.handle_message(
            t0,
            Mscm::Request(RequestMessage::TerminalCapabilitySet(Box::new(
                caps.clone(),
            ))),
        );
    }
    assert_eq!(drain(&mut s), [tcs_ack(9), tcs_ack(9), tcs_ack(9)]);
    assert_eq!(events(&mut s).len(), 3);
    assert_eq!(s.remote_capabilities(), Some(&caps));
}

#[test]
fn round_trip_delay_measured_on_the_virtual_clock() {
    let mut p = Pair::gateway_and_terminal();
    p.a.round_trip_delay(p.now);
    // The request crosses, the clock moves, the response comes back.
    let req = p.a.poll_message().unwrap();
    p.b.handle_message(p.now, over_the_wire(&req));
    p.now += Duration::from_millis(120);
    let resp = p.b.poll_message().unwrap();
    assert_eq!(
        resp,
        Mscm::Response(ResponseMessage::RoundTripDelayResponse(Box::new(
            RoundTripDelayResponse {
                sequence_number: 1,
                extensions: none()
            }
        )))
    );
    p.a.handle_message(p.now, over_the_wire(&resp));
    assert_eq!(
        events(&mut p.a),
        [SessionEvent::RoundTripDelay(Duration::from_millis(120))]
    );
    assert_eq!(p.a.poll_timeout(), None);
    // A second answer is stray.
    p.a.handle_message(p.now, resp);
    assert!(matches!(
        events(&mut p.a)[..],
        [SessionEvent::ProtocolError(_)]
    ));
}

#[test]
fn t105_expiry_reports_a_dead_peer() {
    let mut s = Session::new(SessionConfig {
        t105: Duration::from_secs(10),
        ..Default::default()
    });
    let t0 = Instant::now();
    s.round_trip_delay(t0);
    drain(&mut s);
    s.handle_timeout(t0 + Duration::from_secs(10));
    assert_eq!(events(&mut s), [SessionEvent::RoundTripDelayTimedOut]);
    assert!(drain(&mut s).is_empty());
}

#[test]
fn user_input_alphanumeric_and_signal() {
    let mut p = Pair::gateway_and_terminal();
    p.a.send_user_input("12#");
    p.a.send_user_input("");
    p.run();
    assert_eq!(p.wire.len(), 1);
    let (_, b) = p.take_events();
    assert_eq!(b, [SessionEvent::UserInput("12#".into())]);
    let signal = Mscm::Indication(IndicationMessage::UserInput(Box::new(
        UserInputIndication::Signal(Signal {
            signal_type: '*',
            duration: Some(100),
            rtp: None,
            extensions: none(),
        }),
    )));
    p.b.handle_message(p.now, over_the_wire(&signal));
    assert_eq!(events(&mut p.b), [SessionEvent::UserInput("*".into())]);
    // signalUpdate is no new input.
    let update = Mscm::Indication(IndicationMessage::UserInput(Box::new(
        UserInputIndication::SignalUpdate(SignalUpdate {
            duration: 300,
            rtp: None,
            extensions: none(),
        }),
    )));
    p.b.handle_message(p.now, update);
    assert!(events(&mut p.b).is_empty());
    assert!(drain(&mut p.b).is_empty());
}

#[test]
fn fast_update_and_flow_control_cross() {
    let mut p = Pair::gateway_and_terminal();
    p.a.request_fast_update(2);
    p.a.send_flow_control(Some(2), Some(3840));
    p.a.send_flow_control(None, None);
    p.run();
    let (_, b) = p.take_events();
    assert_eq!(
        b,
        [
            SessionEvent::FastUpdateRequested { channel: 2 },
            SessionEvent::FlowControl {
                channel: Some(2),
                max_bit_rate_100bps: Some(3840)
            },
            SessionEvent::FlowControl {
                channel: None,
                max_bit_rate_100bps: None
            },
        ]
    );
    // Other miscellaneous commands are understood and need nothing.
    let freeze = Mscm::Command(CommandMessage::MiscellaneousCommand(Box::new(
        MiscellaneousCommand {
            logical_channel_number: 2,
            r#type: MiscellaneousCommandType::VideoFreezePicture(()),
            extensions: none(),
        },
    )));
    p.b.handle_message(p.now, freeze);
    assert!(events(&mut p.b).is_empty() && drain(&mut p.b).is_empty());
}

#[test]
fn end_session_is_the_last_message() {
    let mut p = Pair::gateway_and_terminal();
    p.a.start_msd(p.now, 1);
    p.a.send_capabilities(p.now, samples::terminal_capability_set().unwrap());
    drain(&mut p.a);
    p.a.end_session();
    p.a.end_session();
    p.a.send_user_input("1");
    p.a.round_trip_delay(p.now);
    p.a.start_msd(p.now, 2);
    p.a.send_capabilities(p.now, samples::terminal_capability_set().unwrap());
    assert_eq!(
        p.a.open_channel(p.now, samples::open_logical_channel_h264().unwrap()),
        Err(SessionError::Ended)
    );
    assert_eq!(p.a.poll_timeout(), None, "every timer stopped");
    assert_eq!(p.a.is_master(), None, "determination never finished");
    assert!(p.a.is_ended());
    p.run();
    let end = Mscm::Command(CommandMessage::EndSessionCommand(Box::new(
        EndSessionCommand::Disconnect(()),
    )));
    // a sent one EndSessionCommand; b answered with its own (H.323 §8.5).
    assert_eq!(p.wire, [(true, end.clone()), (false, end.clone())]);
    let (a, b) = p.take_events();
    assert_eq!(a, [SessionEvent::EndSession]);
    assert_eq!(b, [SessionEvent::EndSession]);
    // Whatever comes after is not answered.
    p.a.handle_message(p.now, msd(50, 1));
    p.a.handle_message(p.now, end);
    assert!(drain(&mut p.a).is_empty() && events(&mut p.a).is_empty());
}

#[test]
fn untyped_and_unknown_messages() {
    let mut s = Session::new(SessionConfig::default());
    let t0 = Instant::now();
    // A maintenance loop request (an untyped root alternative), an unknown extension
    // command: both quoted back in FunctionNotUnderstood.
    let loop_request = Mscm::Request(RequestMessage::Untyped(Untyped {
        index: 10,
        bits: 8,
        data: vec![0x40],
    }));
    let unknown_command = Mscm::Command(CommandMessage::Unknown {
        index: 9,
        contents: vec![0],
    });
    let untyped_response = Mscm::Response(ResponseMessage::Untyped(Untyped {
        index: 12,
        bits: 0,
        data: vec![],
    }));
    for m in [&loop_request, &unknown_command, &untyped_response] {
        s.handle_message(t0, m.clone());
        // Compared before the wire: an untyped alternative's padding bits re-encode as
        // part of it.
        assert_eq!(s.poll_message(), m.function_not_understood());
        assert_eq!(s.poll_message(), None);
    }
    // Unknown indications and message classes are ignored.
    s.handle_message(
        t0,
        Mscm::Indication(IndicationMessage::Unknown {
            index: 20,
            contents: vec![1],
        }),
    );
    s.handle_message(
        t0,
        Mscm::Unknown {
            index: 0,
            contents: vec![],
        },
    );
    assert!(drain(&mut s).is_empty());
    assert!(events(&mut s).is_empty());
}

#[test]
fn function_not_understood_ends_the_procedure() {
    let mut s = Session::new(SessionConfig::default());
    let t0 = Instant::now();
    s.send_capabilities(t0, samples::terminal_capability_set().unwrap());
    s.start_msd(t0, 3);
    let out = drain(&mut s);
    for m in &out {
        s.handle_message(t0, m.function_not_understood().unwrap());
    }
    assert_eq!(
        events(&mut s),
        [SessionEvent::CapabilitiesRejected, SessionEvent::MsdFailed]
    );
    assert_eq!(s.poll_timeout(), None);
    // Quoting something not outstanding: handed to the application.
    s.handle_message(t0, out[0].function_not_understood().unwrap());
    assert!(matches!(events(&mut s)[..], [SessionEvent::Other(_)]));
}

#[test]
fn generic_messages_go_to_the_application() {
    let mut s = Session::new(SessionConfig::default());
    let t0 = Instant::now();
    for (name, m) in samples::all().unwrap() {
        let generic = matches!(
            &m,
            Mscm::Request(RequestMessage::GenericRequest(_))
                | Mscm::Response(ResponseMessage::GenericResponse(_))
                | Mscm::Command(CommandMessage::GenericCommand(_))
                | Mscm::Indication(IndicationMessage::GenericIndication(_))
        );
        if generic {
            s.handle_message(t0, m.clone());
            assert_eq!(events(&mut s), [SessionEvent::Other(Box::new(m))], "{name}");
            assert!(drain(&mut s).is_empty(), "{name}");
        }
    }
    s.send_message(msd(1, 1));
    assert_eq!(drain(&mut s), [msd(1, 1)]);
}

#[test]
fn every_sample_is_handled_without_panic_and_answers_encode() {
    // Each typed sample message, to a fresh session and to one in the middle of every
    // procedure: whatever comes out must encode.
    for (name, m) in samples::all().unwrap() {
        let mut s = Session::new(SessionConfig::default());
        let t0 = Instant::now();
        s.start_msd(t0, 9);
        s.send_capabilities(t0, samples::terminal_capability_set().unwrap());
        s.round_trip_delay(t0);
        let _ = s.open_channel(t0, samples::open_logical_channel_h264().unwrap());
        drain(&mut s);
        s.handle_message(t0, m);
        let _ = drain(&mut s);
        let _ = events(&mut s);
        s.handle_timeout(t0 + Duration::from_secs(60));
        for out in drain(&mut s) {
            out.encode().unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}
