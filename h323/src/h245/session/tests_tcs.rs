#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

//! Capability exchange scenarios: back to back, sequence numbers, superseded sets, T101,
//! the empty set that pauses media, SendTerminalCapabilitySet, duplicated sets.

use std::time::{Duration, Instant};

use super::tests::{drain, events, none, Pair};
use super::*;
use crate::h245::*;

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
