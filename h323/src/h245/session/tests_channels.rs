#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

//! Logical channel scenarios: open, accept, reject, T103, close with T108, replacement,
//! the peer's RequestChannelClose, and hostile peers (thousands of opens, number 0, stray
//! answers).

use std::time::{Duration, Instant};

use super::tests::{drain, events, none, over_the_wire, Pair};
use super::*;
use crate::h245::*;

fn olc() -> OpenLogicalChannel {
    samples::open_logical_channel_h264().unwrap()
}

fn olc_numbered(n: u32) -> Mscm {
    let mut o = olc();
    o.forward_logical_channel_number = n;
    Mscm::Request(RequestMessage::OpenLogicalChannel(Box::new(o)))
}

fn olc_ack() -> OpenLogicalChannelAck {
    let mut ack = OpenLogicalChannelAck {
        forward_logical_channel_number: 1,
        reverse_logical_channel_parameters: None,
        extensions: none(),
    };
    ack.set_forward_multiplex_ack_parameters(Some(
        &ForwardMultiplexAckParameters::H2250LogicalChannelAckParameters(
            H2250LogicalChannelAckParameters {
                non_standard: None,
                session_id: Some(2),
                media_channel: Some(TransportAddress::ipv4([192, 0, 2, 20], 6004)),
                media_control_channel: Some(TransportAddress::ipv4([192, 0, 2, 20], 6005)),
                dynamic_rtp_payload_type: Some(109),
                extensions: none(),
            },
        ),
    ))
    .unwrap();
    ack
}

fn requested(events: &[SessionEvent]) -> Vec<u16> {
    events
        .iter()
        .filter_map(|e| match e {
            SessionEvent::ChannelRequested { number, .. } => Some(*number),
            _ => None,
        })
        .collect()
}

#[test]
fn open_and_accept() {
    let mut p = Pair::gateway_and_terminal();
    let n = p.a.open_channel(p.now, olc()).unwrap();
    assert_eq!(n, 1);
    assert_eq!(p.a.channel(n), Some(ChannelState::Opening));
    p.run();
    let (_, b) = p.take_events();
    let [SessionEvent::ChannelRequested { number, olc: got }] = &b[..] else {
        panic!("{b:?}");
    };
    assert_eq!(*number, 1);
    assert_eq!(
        got.forward_logical_channel_parameters,
        olc().forward_logical_channel_parameters
    );
    assert_eq!(
        p.b.incoming_channel(1),
        Some(ChannelState::AwaitingAcceptance)
    );
    // The Ack's number is set by the session, whatever the application put there.
    let mut ack = olc_ack();
    ack.forward_logical_channel_number = 77;
    p.b.accept_channel(1, ack).unwrap();
    p.run();
    let (a, _) = p.take_events();
    let [SessionEvent::ChannelOpened { number: 1, ack }] = &a[..] else {
        panic!("{a:?}");
    };
    assert_eq!(ack.forward_logical_channel_number, 1);
    assert_eq!(p.a.channel(1), Some(ChannelState::Open));
    assert_eq!(p.b.incoming_channel(1), Some(ChannelState::Open));
    assert_eq!(p.a.poll_timeout(), None, "T103 stopped");
    // Answering twice is a misuse.
    assert_eq!(
        p.b.accept_channel(1, olc_ack()),
        Err(SessionError::WrongState {
            number: 1,
            state: ChannelState::Open
        })
    );
    assert_eq!(
        p.b.reject_channel(9, OlcRejectCause::Unspecified(())),
        Err(SessionError::UnknownChannel(9))
    );
}

#[test]
fn open_and_reject() {
    let mut p = Pair::gateway_and_terminal();
    let n = p.a.open_channel(p.now, olc()).unwrap();
    p.run();
    p.b.reject_channel(n, OlcRejectCause::DataTypeNotSupported(()))
        .unwrap();
    p.run();
    let (a, _) = p.take_events();
    assert_eq!(a, [SessionEvent::ChannelRejected { number: n }]);
    assert_eq!(p.a.channel(n), None);
    assert_eq!(p.b.incoming_channel(n), None);
    assert_eq!(p.a.channel_count(), (0, 0));
}

#[test]
fn t103_expiry_closes_the_channel() {
    let mut s = Session::new(SessionConfig::default());
    let t0 = Instant::now();
    let n = s.open_channel(t0, olc()).unwrap();
    drain(&mut s);
    assert_eq!(s.poll_timeout(), Some(t0 + Duration::from_secs(30)));
    s.handle_timeout(t0 + Duration::from_secs(30));
    assert_eq!(
        drain(&mut s),
        [Mscm::Request(RequestMessage::CloseLogicalChannel(
            Box::new(CloseLogicalChannel {
                forward_logical_channel_number: u32::from(n),
                source: ClcSource::Lcse(()),
                extensions: none(),
            })
        ))]
    );
    assert_eq!(
        events(&mut s),
        [SessionEvent::ChannelTimedOut { number: n }]
    );
    assert_eq!(s.channel(n), Some(ChannelState::Closing));
    // A late Ack is stray.
    let mut ack = olc_ack();
    ack.forward_logical_channel_number = u32::from(n);
    s.handle_message(
        t0,
        Mscm::Response(ResponseMessage::OpenLogicalChannelAck(Box::new(ack))),
    );
    assert!(matches!(
        events(&mut s)[..],
        [SessionEvent::ProtocolError(_)]
    ));
    // The close's Ack, or T108, ends it without another event.
    s.handle_timeout(t0 + Duration::from_secs(60));
    assert_eq!(s.channel(n), None);
    assert!(events(&mut s).is_empty());
}

#[test]
fn close_acked_and_close_timed_out() {
    let mut p = Pair::gateway_and_terminal();
    let n = p.a.open_channel(p.now, olc()).unwrap();
    p.run();
    p.b.accept_channel(n, olc_ack()).unwrap();
    p.run();
    p.take_events();
    p.a.close_channel(p.now, n).unwrap();
    assert_eq!(p.a.channel(n), Some(ChannelState::Closing));
    assert_eq!(
        p.a.close_channel(p.now, n),
        Err(SessionError::WrongState {
            number: n,
            state: ChannelState::Closing
        })
    );
    p.run();
    let (a, b) = p.take_events();
    assert_eq!(a, [SessionEvent::ChannelClosed { number: n }]);
    assert_eq!(b, [SessionEvent::ChannelClosedByPeer { number: n }]);
    assert_eq!(p.b.incoming_channel(n), None);
    assert_eq!(
        p.a.close_channel(p.now, n),
        Err(SessionError::UnknownChannel(n))
    );

    // No Ack: T108 ends the close anyway.
    let mut s = Session::new(SessionConfig {
        t108: Duration::from_secs(3),
        ..Default::default()
    });
    let t0 = Instant::now();
    let n = s.open_channel(t0, olc()).unwrap();
    s.close_channel(t0, n).unwrap();
    drain(&mut s);
    s.handle_timeout(t0 + Duration::from_secs(3));
    assert_eq!(events(&mut s), [SessionEvent::ChannelClosed { number: n }]);
    assert!(drain(&mut s).is_empty());
    assert_eq!(s.channel(n), None);
}

#[test]
fn timers_on_the_pair_clock() {
    // b never answers (it is not run): a's T103 fires when the clock passes it.
    let mut p = Pair::gateway_and_terminal();
    let n = p.a.open_channel(p.now, olc()).unwrap();
    let _ = p.a.poll_message();
    p.advance(Duration::from_secs(29));
    assert!(p.a_events.is_empty());
    p.advance(Duration::from_secs(1));
    let (a, b) = p.take_events();
    assert_eq!(a, [SessionEvent::ChannelTimedOut { number: n }]);
    // b saw only the CloseLogicalChannel of a channel it never knew: acknowledged, no event;
    // a takes the Ack silently.
    assert!(b.is_empty());
    assert_eq!(p.a.channel(n), None);
    assert!(matches!(
        p.wire.last(),
        Some((
            false,
            Mscm::Response(ResponseMessage::CloseLogicalChannelAck(_))
        ))
    ));
}

#[test]
fn reopening_a_number_replaces_the_channel() {
    let mut s = Session::new(SessionConfig::default());
    let t0 = Instant::now();
    s.handle_message(t0, olc_numbered(5));
    assert_eq!(requested(&events(&mut s)), [5]);
    s.accept_channel(5, olc_ack()).unwrap();
    drain(&mut s);
    s.handle_message(t0, olc_numbered(5));
    let e = events(&mut s);
    assert_eq!(e[0], SessionEvent::ChannelClosedByPeer { number: 5 });
    assert_eq!(requested(&e[1..]), [5]);
    assert_eq!(
        s.incoming_channel(5),
        Some(ChannelState::AwaitingAcceptance)
    );
    assert_eq!(s.channel_count(), (0, 1));
    assert!(drain(&mut s).is_empty(), "the application answers");
}

#[test]
fn channels_before_capabilities_are_offered() {
    // No MSD, no TCS yet: the open is still the application's decision (H.323 peers
    // open as soon as they have our capabilities).
    let mut s = Session::new(SessionConfig::default());
    s.handle_message(Instant::now(), olc_numbered(1));
    assert_eq!(requested(&events(&mut s)), [1]);
}

#[test]
fn thousands_of_opens_stay_bounded() {
    let mut s = Session::new(SessionConfig {
        max_channels: 4,
        ..Default::default()
    });
    let t0 = Instant::now();
    for n in 1..=5000u32 {
        s.handle_message(t0, olc_numbered(n));
    }
    assert_eq!(requested(&events(&mut s)), [1, 2, 3, 4]);
    let out = drain(&mut s);
    assert_eq!(out.len(), 4996);
    assert!(out.iter().all(|m| matches!(m,
        Mscm::Response(ResponseMessage::OpenLogicalChannelReject(r))
            if r.cause == OlcRejectCause::DataTypeNotAvailable(()) && r.forward_logical_channel_number > 4)));
    assert_eq!(s.channel_count(), (0, 4));
    // Our side is bounded the same way.
    for _ in 0..4 {
        s.open_channel(t0, olc()).unwrap();
    }
    assert_eq!(
        s.open_channel(t0, olc()),
        Err(SessionError::TooManyChannels { limit: 4 })
    );
}

#[test]
fn channel_number_zero_and_stray_answers() {
    let mut s = Session::new(SessionConfig::default());
    let t0 = Instant::now();
    s.handle_message(t0, olc_numbered(0));
    s.handle_message(t0, olc_numbered(70_000));
    let mut ack = olc_ack();
    ack.forward_logical_channel_number = 3;
    s.handle_message(
        t0,
        Mscm::Response(ResponseMessage::OpenLogicalChannelAck(Box::new(ack))),
    );
    s.handle_message(
        t0,
        Mscm::Response(ResponseMessage::OpenLogicalChannelReject(Box::new(
            OpenLogicalChannelReject {
                forward_logical_channel_number: 3,
                cause: OlcRejectCause::Unspecified(()),
                extensions: none(),
            },
        ))),
    );
    s.handle_message(
        t0,
        Mscm::Response(ResponseMessage::CloseLogicalChannelAck(Box::new(
            CloseLogicalChannelAck {
                forward_logical_channel_number: 3,
                extensions: none(),
            },
        ))),
    );
    let e = events(&mut s);
    assert_eq!(e.len(), 5, "{e:?}");
    assert!(e
        .iter()
        .all(|e| matches!(e, SessionEvent::ProtocolError(_))));
    assert!(drain(&mut s).is_empty());
    assert_eq!(s.channel_count(), (0, 0));
}

#[test]
fn numbers_are_unique_and_not_reused_at_once() {
    let mut s = Session::new(SessionConfig::default());
    let t0 = Instant::now();
    let a = s.open_channel(t0, olc()).unwrap();
    let b = s.open_channel(t0, olc()).unwrap();
    assert!(a != 0 && b != 0 && a != b);
    let out = drain(&mut s);
    // The number in the message is the one returned, whatever the template said.
    assert!(
        matches!(&out[1], Mscm::Request(RequestMessage::OpenLogicalChannel(o))
        if o.forward_logical_channel_number == u32::from(b))
    );
    s.handle_message(
        t0,
        Mscm::Response(ResponseMessage::OpenLogicalChannelReject(Box::new(
            OpenLogicalChannelReject {
                forward_logical_channel_number: u32::from(a),
                cause: OlcRejectCause::Unspecified(()),
                extensions: none(),
            },
        ))),
    );
    let c = s.open_channel(t0, olc()).unwrap();
    assert!(c != a && c != b);
}

#[test]
fn request_channel_close_from_the_receiver() {
    let mut p = Pair::gateway_and_terminal();
    let n = p.a.open_channel(p.now, olc()).unwrap();
    p.run();
    p.b.accept_channel(n, olc_ack()).unwrap();
    p.run();
    p.take_events();
    let rcc = |n: u32| {
        Mscm::Request(RequestMessage::RequestChannelClose(Box::new(
            RequestChannelClose {
                forward_logical_channel_number: n,
                extensions: none(),
            },
        )))
    };
    p.b.send_message(rcc(u32::from(n)));
    p.run();
    let (a, b) = p.take_events();
    assert_eq!(a, [SessionEvent::ChannelClosed { number: n }]);
    assert!(b.contains(&SessionEvent::ChannelClosedByPeer { number: n }));
    assert!(p.sent_by_a().iter().any(|m| matches!(
        m,
        Mscm::Response(ResponseMessage::RequestChannelCloseAck(_))
    )));
    // For a channel we do not have: refused.
    p.a.handle_message(p.now, rcc(42));
    assert!(matches!(&drain(&mut p.a)[..],
        [Mscm::Response(ResponseMessage::RequestChannelCloseReject(r))] if r.forward_logical_channel_number == 42));
}

#[test]
fn answers_reencode() {
    // Every answer the channel procedures produce survives the wire.
    let mut s = Session::new(SessionConfig {
        max_channels: 1,
        ..Default::default()
    });
    let t0 = Instant::now();
    s.handle_message(t0, olc_numbered(1));
    s.handle_message(t0, olc_numbered(2));
    s.accept_channel(1, olc_ack()).unwrap();
    s.handle_message(
        t0,
        Mscm::Request(RequestMessage::CloseLogicalChannel(Box::new(
            CloseLogicalChannel {
                forward_logical_channel_number: 1,
                source: ClcSource::User(()),
                extensions: none(),
            },
        ))),
    );
    let out = drain(&mut s);
    assert_eq!(out.len(), 3);
    for m in &out {
        assert_eq!(&over_the_wire(m), m);
    }
    assert_eq!(
        events(&mut s).last(),
        Some(&SessionEvent::ChannelClosedByPeer { number: 1 })
    );
}

#[test]
fn asking_the_peer_to_close_its_channel() {
    let mut p = Pair::gateway_and_terminal();
    let n = p.a.open_channel(p.now, olc()).unwrap();
    p.run();
    // Not yet accepted: the application rejects instead.
    assert_eq!(
        p.b.request_channel_close(p.now, n),
        Err(SessionError::WrongState {
            number: n,
            state: ChannelState::AwaitingAcceptance
        })
    );
    assert_eq!(
        p.b.request_channel_close(p.now, 99),
        Err(SessionError::UnknownChannel(99))
    );
    p.b.accept_channel(n, olc_ack()).unwrap();
    p.run();
    p.take_events();
    p.b.request_channel_close(p.now, n).unwrap();
    assert_eq!(
        p.b.poll_timeout(),
        Some(p.now + Duration::from_secs(30)),
        "T109"
    );
    p.run();
    let (a, b) = p.take_events();
    assert_eq!(a, [SessionEvent::ChannelClosed { number: n }]);
    assert_eq!(b, [SessionEvent::ChannelClosedByPeer { number: n }]);
    assert_eq!(p.b.poll_timeout(), None);
    assert_eq!(p.b.channel_count(), (0, 0));
}

#[test]
fn close_request_refused_or_unanswered() {
    let mut s = Session::new(SessionConfig {
        t109: Duration::from_secs(7),
        ..Default::default()
    });
    let t0 = Instant::now();
    for n in [1, 2] {
        s.handle_message(t0, olc_numbered(n));
        s.accept_channel(n as u16, olc_ack()).unwrap();
        s.request_channel_close(t0, n as u16).unwrap();
    }
    drain(&mut s);
    events(&mut s);
    s.handle_message(
        t0,
        Mscm::Response(ResponseMessage::RequestChannelCloseReject(Box::new(
            RequestChannelCloseReject {
                forward_logical_channel_number: 1,
                cause: RccRejectCause::Unspecified(()),
                extensions: none(),
            },
        ))),
    );
    assert_eq!(
        events(&mut s),
        [SessionEvent::ChannelCloseRefused { number: 1 }]
    );
    assert_eq!(s.incoming_channel(1), Some(ChannelState::Open));
    s.handle_timeout(t0 + Duration::from_secs(7));
    assert_eq!(
        drain(&mut s),
        [Mscm::Indication(
            IndicationMessage::RequestChannelCloseRelease(Box::new(RequestChannelCloseRelease {
                forward_logical_channel_number: 2,
                extensions: none()
            }))
        )]
    );
    assert_eq!(
        events(&mut s),
        [SessionEvent::ChannelCloseRefused { number: 2 }]
    );
    assert_eq!(s.poll_timeout(), None);
    // Answers now are stray.
    s.handle_message(
        t0,
        Mscm::Response(ResponseMessage::RequestChannelCloseAck(Box::new(
            RequestChannelCloseAck {
                forward_logical_channel_number: 2,
                extensions: none(),
            },
        ))),
    );
    assert!(matches!(
        events(&mut s)[..],
        [SessionEvent::ProtocolError(_)]
    ));
}
