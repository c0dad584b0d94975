//! Calls on a virtual clock: an outgoing and an incoming `Call` wired back to back, and
//! incoming or outgoing calls fed what chan_ooh323 sent in the captured calls.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::time::{Duration, Instant};

use super::*;
use crate::h225::{MessageBody, UserInformation};
use crate::h245::{
    MultimediaSystemControlMessage, RequestMessage, ResponseMessage, RoundTripDelayRequest,
    RoundTripDelayResponse,
};
use crate::q931::{InformationElement, Message, MessageType, UserUser};
use crate::ras::AliasAddress;
use crate::tpkt::TpktDecoder;

const ASTERISK_SETUP_FS: &[u8] =
    include_bytes!("../../tests/vectors/per/h225cs_fs_12030_1721_00_mt05.per");
const ASTERISK_SETUP_SS: &[u8] =
    include_bytes!("../../tests/vectors/per/h225cs_ss_12032_1721_00_mt05.per");
const ASTERISK_PROCEEDING_SS: &[u8] =
    include_bytes!("../../tests/vectors/per/h225cs_ss_1721_12032_00_mt02.per");
const ASTERISK_ALERTING_SS: &[u8] =
    include_bytes!("../../tests/vectors/per/h225cs_ss_1721_12032_01_mt01.per");
const ASTERISK_CONNECT_SS: &[u8] =
    include_bytes!("../../tests/vectors/per/h225cs_ss_1721_12032_02_mt07.per");
const ASTERISK_PROCEEDING_FS: &[u8] =
    include_bytes!("../../tests/vectors/per/h225cs_fs_1721_12030_00_mt02.per");
const ASTERISK_ALERTING_FS: &[u8] =
    include_bytes!("../../tests/vectors/per/h225cs_fs_1721_12030_01_mt01.per");
const ASTERISK_TCS_FACILITY_FS: &[u8] =
    include_bytes!("../../tests/vectors/per/h225cs_fs_1721_12030_02_mt62.per");
const ASTERISK_CONNECT_FS: &[u8] =
    include_bytes!("../../tests/vectors/per/h225cs_fs_1721_12030_03_mt07.per");

fn rtd(n: u8) -> MultimediaSystemControlMessage {
    MultimediaSystemControlMessage::Request(RequestMessage::RoundTripDelayRequest(Box::new(
        RoundTripDelayRequest {
            sequence_number: u32::from(n),
            extensions: Default::default(),
        },
    )))
}

fn rtd_response(n: u8) -> MultimediaSystemControlMessage {
    MultimediaSystemControlMessage::Response(ResponseMessage::RoundTripDelayResponse(Box::new(
        RoundTripDelayResponse {
            sequence_number: u32::from(n),
            extensions: Default::default(),
        },
    )))
}

/// Every TPKT packet the call wants written, as Q.931 payloads.
fn drain(call: &mut Call) -> Vec<Vec<u8>> {
    let mut d = TpktDecoder::default();
    while let Some(p) = call.poll_transmit() {
        d.push(&p);
    }
    let mut out = Vec::new();
    while let Some(p) = d.next_payload().unwrap() {
        out.push(p);
    }
    out
}

fn events(call: &mut Call) -> Vec<CallEvent> {
    std::iter::from_fn(|| call.poll_event()).collect()
}

fn decode(payload: &[u8]) -> (Message, UserInformation) {
    let m = Message::decode(payload).unwrap();
    let ui = UserInformation::decode(&m.user_user().unwrap().data).unwrap();
    (m, ui)
}

/// Moves every packet between the two calls until both are quiet; returns the Q.931 message
/// types each side sent, in order.
fn pump(now: Instant, a: &mut Call, b: &mut Call) -> (Vec<MessageType>, Vec<MessageType>) {
    let (mut sent_a, mut sent_b) = (Vec::new(), Vec::new());
    for _ in 0..32 {
        let from_a = drain(a);
        let from_b = drain(b);
        if from_a.is_empty() && from_b.is_empty() {
            return (sent_a, sent_b);
        }
        for p in from_a {
            sent_a.push(Message::decode(&p).unwrap().message_type);
            b.handle_payload(now, &p);
        }
        for p in from_b {
            sent_b.push(Message::decode(&p).unwrap().message_type);
            a.handle_payload(now, &p);
        }
    }
    panic!("the calls never went quiet");
}

fn audio_proposals() -> Vec<OpenLogicalChannel> {
    ["olc_fs_12030_1721_00_0", "olc_fs_12030_1721_00_1"]
        .iter()
        .map(|name| {
            let bytes = std::fs::read(format!(
                "{}/tests/vectors/h245/{name}.per",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap();
            OpenLogicalChannel::decode(&bytes).unwrap()
        })
        .collect()
}

fn dial() -> Dial {
    Dial {
        call_reference: 77,
        call_identifier: [3; 16],
        conference_id: [4; 16],
        destination: vec![AliasAddress::DialedDigits("1001".into())],
        called_number: Some("1001".into()),
        source: vec![AliasAddress::H323Id("room-a".into())],
        calling_number: Some("555".into()),
        fast_start: audio_proposals(),
        ..Dial::default()
    }
}

#[test]
fn fast_start_and_tunnelled_call_from_setup_to_release() {
    let t0 = Instant::now();
    let mut caller = Call::outgoing(t0, CallConfig::default(), &dial()).unwrap();
    let mut callee = Call::incoming(t0, CallConfig::default());
    pump(t0, &mut caller, &mut callee);

    let ev = events(&mut callee);
    let CallEvent::Setup(setup) = &ev[0] else {
        panic!("{ev:?}")
    };
    assert_eq!(setup.call_reference, 77);
    assert_eq!(setup.call_identifier, Some([3; 16]));
    assert!(setup.tunnelling);
    assert_eq!(setup.fast_start, audio_proposals());
    assert_eq!(setup.dialled().collect::<Vec<_>>(), ["1001", "1001"]);
    assert_eq!(setup.calling_number.as_deref(), Some("555"));
    assert_eq!(setup.vendor.as_ref().unwrap().0, "Roomgate");
    assert_eq!(callee.state(), CallState::Present);
    assert_eq!(callee.h245_transport(), H245Transport::Tunnelled);

    // H.245 queued before our first answer follows it, in a Facility of its own (never in
    // Call Proceeding or Alerting, where chan_ooh323 ignores it).
    callee.send_h245(&rtd(1)).unwrap();
    assert!(drain(&mut callee).is_empty(), "held until the first answer");
    callee.proceeding().unwrap();
    let accepted = vec![setup.fast_start[1].clone()];
    callee.alert(Some(&accepted)).unwrap();
    let (_, sent) = pump(t0, &mut caller, &mut callee);
    assert_eq!(
        sent,
        [
            MessageType::CallProceeding,
            MessageType::Facility,
            MessageType::Alerting
        ]
    );
    assert_eq!(
        events(&mut caller),
        [
            CallEvent::H245Transport(H245Transport::Tunnelled),
            CallEvent::Proceeding,
            CallEvent::H245(Box::new(rtd(1))),
            CallEvent::FastStartAccepted(accepted.clone()),
            CallEvent::Alerting,
        ]
    );

    // The caller answers H.245 in a Facility; fastStart is not repeated in Connect.
    caller.send_h245(&rtd_response(1)).unwrap();
    callee.connect(Some(&accepted), None).unwrap();
    let (from_caller, from_callee) = pump(t0, &mut caller, &mut callee);
    assert_eq!(from_caller, [MessageType::Facility]);
    assert_eq!(from_callee, [MessageType::Connect]);
    assert_eq!(
        events(&mut callee),
        [CallEvent::H245(Box::new(rtd_response(1)))]
    );
    assert_eq!(events(&mut caller), [CallEvent::Connected]);
    assert_eq!(caller.state(), CallState::Active);
    assert_eq!(callee.state(), CallState::Active);
    assert_eq!(caller.poll_timeout(), None, "no timer once connected");

    callee.release(cause::NORMAL);
    let (_, sent) = pump(t0, &mut caller, &mut callee);
    assert_eq!(sent, [MessageType::ReleaseComplete]);
    assert_eq!(
        events(&mut caller),
        [CallEvent::Released {
            cause: cause::NORMAL,
            by_peer: true
        }]
    );
    assert!(caller.is_released() && callee.is_released());
    assert!(caller.send_h245(&rtd(2)).is_err());
}

#[test]
fn several_tunnelled_messages_share_facilities_in_order() {
    let t0 = Instant::now();
    let mut caller = Call::outgoing(t0, CallConfig::default(), &dial()).unwrap();
    let mut callee = Call::incoming(t0, CallConfig::default());
    pump(t0, &mut caller, &mut callee);
    callee.connect(None, None).unwrap();
    pump(t0, &mut caller, &mut callee);
    events(&mut caller);
    for n in 0..10 {
        callee.send_h245(&rtd(n)).unwrap();
    }
    let (_, sent) = pump(t0, &mut caller, &mut callee);
    assert!(sent.iter().all(|t| *t == MessageType::Facility));
    assert!(sent.len() >= 10 / MAX_H245_PER_MESSAGE);
    let got: Vec<_> = events(&mut caller);
    let want: Vec<_> = (0..10).map(|n| CallEvent::H245(Box::new(rtd(n)))).collect();
    assert_eq!(got, want);
}

#[test]
fn connect_without_fast_start_refuses_it_and_the_caller_learns() {
    let t0 = Instant::now();
    let mut caller = Call::outgoing(t0, CallConfig::default(), &dial()).unwrap();
    let mut callee = Call::incoming(t0, CallConfig::default());
    pump(t0, &mut caller, &mut callee);
    events(&mut callee);
    callee.connect(None, None).unwrap();
    let connect = drain(&mut callee).remove(0);
    let (_, ui) = decode(&connect);
    let MessageBody::Connect(c) = ui.body() else {
        panic!()
    };
    assert_eq!(c.fast_connect_refused().map(Result::ok), Some(Some(())));
    caller.handle_payload(t0, &connect);
    let ev = events(&mut caller);
    assert!(ev.contains(&CallEvent::FastStartRefused), "{ev:?}");
    assert!(ev.contains(&CallEvent::Connected), "{ev:?}");
}

#[test]
fn no_tunnelling_means_separate_h245_and_the_address_is_passed_on() {
    let t0 = Instant::now();
    let mut caller = Call::outgoing(t0, CallConfig::default(), &dial()).unwrap();
    let config = CallConfig {
        tunnelling: false,
        ..CallConfig::default()
    };
    let mut callee = Call::incoming(t0, config);
    pump(t0, &mut caller, &mut callee);
    assert_eq!(callee.h245_transport(), H245Transport::Separate);
    assert!(matches!(
        callee.send_h245(&rtd(1)),
        Err(CallError::NotTunnelled)
    ));
    let ours = TransportAddress::Ip {
        ip: [127, 0, 0, 1],
        port: 40_000,
    };
    callee.connect(None, Some(ours.clone())).unwrap();
    pump(t0, &mut caller, &mut callee);
    let ev = events(&mut caller);
    assert_eq!(ev[0], CallEvent::H245Transport(H245Transport::Separate));
    assert!(ev.contains(&CallEvent::H245Address(ours)), "{ev:?}");
    assert!(matches!(
        caller.send_h245(&rtd(1)),
        Err(CallError::NotTunnelled)
    ));
}

#[test]
fn timers_release_with_their_causes() {
    let t0 = Instant::now();
    // T303: nothing back after Setup.
    let config = CallConfig::default();
    let mut caller = Call::outgoing(t0, config.clone(), &dial()).unwrap();
    drain(&mut caller);
    let at = caller.poll_timeout().unwrap();
    assert_eq!(at, t0 + config.t303);
    caller.handle_timeout(at - Duration::from_millis(1));
    assert!(!caller.is_released());
    caller.handle_timeout(at);
    let sent = drain(&mut caller);
    let (m, _) = decode(&sent[0]);
    assert_eq!(m.message_type, MessageType::ReleaseComplete);
    assert_eq!(m.cause().unwrap().value, cause::NO_USER_RESPONDING);
    assert_eq!(
        events(&mut caller),
        [CallEvent::Released {
            cause: cause::NO_USER_RESPONDING,
            by_peer: false
        }]
    );

    // T310 after Call Proceeding, T301 after Alerting.
    for (alert, timer, want) in [
        (false, config.t310, cause::NO_USER_RESPONDING),
        (true, config.t301, cause::NO_ANSWER),
    ] {
        let mut caller = Call::outgoing(t0, config.clone(), &dial()).unwrap();
        let mut callee = Call::incoming(t0, config.clone());
        pump(t0, &mut caller, &mut callee);
        let t1 = t0 + Duration::from_secs(1);
        callee.proceeding().unwrap();
        if alert {
            callee.alert(None).unwrap();
        }
        pump(t1, &mut caller, &mut callee);
        assert_eq!(caller.poll_timeout(), Some(t1 + timer));
        caller.handle_timeout(t1 + timer);
        pump(t1 + timer, &mut caller, &mut callee);
        assert!(events(&mut caller).contains(&CallEvent::Released {
            cause: want,
            by_peer: false
        }));
        assert!(events(&mut callee).contains(&CallEvent::Released {
            cause: want,
            by_peer: true
        }));
    }

    // An accepted connection that never sends a Setup.
    let mut idle = Call::incoming(t0, config.clone());
    idle.handle_timeout(t0 + config.setup_wait);
    assert!(idle.is_released());
    assert!(
        drain(&mut idle).is_empty(),
        "no call reference to answer with"
    );
}

#[test]
fn a_second_setup_gets_release_complete_and_the_first_call_stays() {
    let t0 = Instant::now();
    let mut caller = Call::outgoing(t0, CallConfig::default(), &dial()).unwrap();
    let mut callee = Call::incoming(t0, CallConfig::default());
    let setup = drain(&mut caller).remove(0);
    callee.handle_payload(t0, &setup);
    events(&mut callee);

    // The same Setup again (same call reference): ignored, Q.931 §5.8.3.2.
    callee.handle_payload(t0, &setup);
    assert!(drain(&mut callee).is_empty());
    assert!(matches!(events(&mut callee)[..], [CallEvent::Ignored(_)]));

    // Another call reference on this connection: refused with cause 47.
    let mut other = Message::decode(&setup).unwrap();
    other.call_reference.value = 78;
    callee.handle_payload(t0, &other.encode().unwrap());
    let sent = drain(&mut callee);
    let (m, _) = decode(&sent[0]);
    assert_eq!(m.message_type, MessageType::ReleaseComplete);
    assert_eq!(m.call_reference.value, 78);
    assert!(m.call_reference.from_destination);
    assert_eq!(m.cause().unwrap().value, cause::RESOURCE_UNAVAILABLE);
    assert_eq!(callee.state(), CallState::Present);
    callee.connect(None, None).unwrap();
    pump(t0, &mut caller, &mut callee);
    assert_eq!(caller.state(), CallState::Active);
}

#[test]
fn hostile_first_messages_end_the_connection_cleanly() {
    let t0 = Instant::now();
    // Not Q.931 at all.
    let mut c = Call::incoming(t0, CallConfig::default());
    c.handle_payload(t0, b"GET / HTTP/1.1\r\n\r\n");
    assert_eq!(
        events(&mut c),
        [CallEvent::Released {
            cause: cause::INVALID_MESSAGE,
            by_peer: false
        }]
    );
    c.handle_payload(t0, b"more");
    assert!(events(&mut c).is_empty() && drain(&mut c).is_empty());

    // A Setup whose H.225.0 does not decode: Release Complete with cause 95.
    let mut c = Call::incoming(t0, CallConfig::default());
    let bad = Message::new(CallReference::new(9, false), MessageType::Setup)
        .with(InformationElement::UserUser(UserUser::h225(vec![0xff; 40])));
    c.handle_payload(t0, &bad.encode().unwrap());
    let (m, _) = decode(&drain(&mut c)[0]);
    assert_eq!(m.message_type, MessageType::ReleaseComplete);
    assert_eq!(m.cause().unwrap().value, cause::INVALID_MESSAGE);
    assert!(c.is_released());

    // A Connect on a connection that never carried a Setup.
    let mut c = Call::incoming(t0, CallConfig::default());
    let stray = Message::new(CallReference::new(9, true), MessageType::Connect);
    c.handle_payload(t0, &stray.encode().unwrap());
    assert!(c.is_released());
}

#[test]
fn an_h245_flood_is_bounded_and_ends_the_call() {
    let t0 = Instant::now();
    let mut caller = Call::outgoing(t0, CallConfig::default(), &dial()).unwrap();
    drain(&mut caller);
    // Tunnelling not confirmed yet: messages wait, up to the limit.
    for n in 0..MAX_QUEUED_H245 {
        caller.send_h245(&rtd(n as u8)).unwrap();
    }
    assert!(matches!(
        caller.send_h245(&rtd(0)),
        Err(CallError::H245QueueFull)
    ));
    assert!(caller.is_released());
    let (m, _) = decode(&drain(&mut caller)[0]);
    assert_eq!(m.message_type, MessageType::ReleaseComplete);
}

#[test]
fn status_enquiry_is_answered_with_the_call_state() {
    let t0 = Instant::now();
    let mut caller = Call::outgoing(t0, CallConfig::default(), &dial()).unwrap();
    let mut callee = Call::incoming(t0, CallConfig::default());
    pump(t0, &mut caller, &mut callee);
    callee.connect(None, None).unwrap();
    pump(t0, &mut caller, &mut callee);
    let enquiry = Message::new(CallReference::new(77, false), MessageType::StatusEnquiry).with(
        InformationElement::UserUser(UserUser::h225(
            build::user_information(
                MessageBody::StatusInquiry(Box::new(crate::h225::StatusInquiryUuie {
                    protocol_identifier: build::protocol().unwrap(),
                    call_identifier: crate::ras::CallIdentifier::new([3; 16]),
                    tokens: None,
                    crypto_tokens: None,
                    extensions: Default::default(),
                })),
                &PduExtras {
                    tunnelling: true,
                    h245: &[],
                },
            )
            .unwrap()
            .encode()
            .unwrap(),
        )),
    );
    callee.handle_payload(t0, &enquiry.encode().unwrap());
    let (m, ui) = decode(&drain(&mut callee)[0]);
    assert_eq!(m.message_type, MessageType::Status);
    assert_eq!(m.cause().unwrap().value, 30);
    assert!(m.elements.contains(&InformationElement::Raw {
        id: 0x14,
        contents: vec![10]
    }));
    assert!(matches!(ui.body(), MessageBody::Status(_)));
}

/// Wraps a captured H323-UserInformation into a Q.931 message of ours.
fn wrap(reference: u16, from_destination: bool, t: MessageType, uu: &[u8]) -> Vec<u8> {
    Message::new(CallReference::new(reference, from_destination), t)
        .with(InformationElement::UserUser(UserUser::h225(uu.to_vec())))
        .encode()
        .unwrap()
}

#[test]
fn asterisk_fast_start_setup_is_read_and_answered() {
    let t0 = Instant::now();
    let mut callee = Call::incoming(t0, CallConfig::default());
    callee.handle_payload(t0, &wrap(45, false, MessageType::Setup, ASTERISK_SETUP_FS));
    let ev = events(&mut callee);
    let CallEvent::Setup(setup) = &ev[0] else {
        panic!("{ev:?}")
    };
    assert!(setup.tunnelling);
    assert_eq!(setup.fast_start.len(), 4);
    assert_eq!(setup.dialled().collect::<Vec<_>>(), ["200"]);
    assert_eq!(
        setup.vendor,
        Some(("ooh323".to_owned(), "v0.8.3m".to_owned()))
    );
    assert_eq!(setup.h245_address, None);
    // Accept the µ-law pair, as chan_ooh323 itself answered.
    let accepted = setup.fast_start[..2].to_vec();
    callee.proceeding().unwrap();
    callee.alert(Some(&accepted)).unwrap();
    callee.connect(None, None).unwrap();
    let sent = drain(&mut callee);
    let types: Vec<_> = sent.iter().map(|p| decode(p).0.message_type).collect();
    assert_eq!(
        types,
        [
            MessageType::CallProceeding,
            MessageType::Alerting,
            MessageType::Connect
        ]
    );
    for p in &sent {
        let (m, ui) = decode(p);
        assert_eq!(m.call_reference, CallReference::new(45, true));
        assert!(ui.h323_uu_pdu.h245_tunneling().unwrap().unwrap());
    }
    let (_, alerting) = decode(&sent[1]);
    let fs = crate::h245::fast_start(&alerting).unwrap().unwrap();
    assert_eq!(fs, accepted);
}

#[test]
fn asterisk_answers_are_read_by_an_outgoing_call() {
    let t0 = Instant::now();
    // Slow start without tunnelling: Connect carries the H.245 address.
    let mut d = dial();
    d.fast_start.clear();
    let config = CallConfig {
        tunnelling: false,
        ..CallConfig::default()
    };
    let mut caller = Call::outgoing(t0, config, &d).unwrap();
    drain(&mut caller);
    for (t, uu) in [
        (MessageType::CallProceeding, ASTERISK_PROCEEDING_SS),
        (MessageType::Alerting, ASTERISK_ALERTING_SS),
        (MessageType::Connect, ASTERISK_CONNECT_SS),
    ] {
        caller.handle_payload(t0, &wrap(77, true, t, uu));
    }
    let ev = events(&mut caller);
    assert!(ev.contains(&CallEvent::Connected), "{ev:?}");
    assert!(
        ev.iter().any(|e| matches!(e, CallEvent::H245Address(_))),
        "{ev:?}"
    );

    // fastStart with tunnelling: accepted channels, then TCS in a Facility.
    let mut caller = Call::outgoing(t0, CallConfig::default(), &dial()).unwrap();
    drain(&mut caller);
    for (t, uu) in [
        (MessageType::CallProceeding, ASTERISK_PROCEEDING_FS),
        (MessageType::Alerting, ASTERISK_ALERTING_FS),
        (MessageType::Facility, ASTERISK_TCS_FACILITY_FS),
        (MessageType::Connect, ASTERISK_CONNECT_FS),
    ] {
        caller.handle_payload(t0, &wrap(77, true, t, uu));
    }
    let ev = events(&mut caller);
    assert_eq!(ev[0], CallEvent::H245Transport(H245Transport::Tunnelled));
    assert!(ev
        .iter()
        .any(|e| matches!(e, CallEvent::FastStartAccepted(l) if l.len() == 2)));
    assert!(ev.iter().any(|e| matches!(
        e,
        CallEvent::H245(m) if matches!(**m, MultimediaSystemControlMessage::Request(RequestMessage::TerminalCapabilitySet(_)))
    )));
    assert_eq!(ev.last(), Some(&CallEvent::Connected));
}

#[test]
fn keypad_digits_and_the_slow_start_setup() {
    let t0 = Instant::now();
    let mut callee = Call::incoming(t0, CallConfig::default());
    callee.handle_payload(t0, &wrap(12, false, MessageType::Setup, ASTERISK_SETUP_SS));
    let ev = events(&mut callee);
    let CallEvent::Setup(setup) = &ev[0] else {
        panic!("{ev:?}")
    };
    assert!(!setup.tunnelling);
    assert!(setup.fast_start.is_empty());
    assert_eq!(callee.h245_transport(), H245Transport::Separate);
    callee.connect(None, None).unwrap();
    drain(&mut callee);
    let info = Message::new(CallReference::new(12, false), MessageType::Information)
        .with(InformationElement::Keypad {
            octets: b"1234#\0".to_vec(),
        })
        .with(InformationElement::UserUser(UserUser::h225(
            build::user_information(
                MessageBody::Information(Box::new(crate::h225::InformationUuie {
                    protocol_identifier: build::protocol().unwrap(),
                    extensions: Default::default(),
                })),
                &PduExtras {
                    tunnelling: false,
                    h245: &[],
                },
            )
            .unwrap()
            .encode()
            .unwrap(),
        )));
    callee.handle_payload(t0, &info.encode().unwrap());
    assert_eq!(events(&mut callee), [CallEvent::Keypad("1234#".into())]);
}

#[test]
fn hostile_setups_get_their_rejection_or_bounded_fields() {
    let t0 = Instant::now();
    // Thousands of fastStart elements cannot even be written: the list has a bound (64, the
    // decoder refuses more the same way). A Setup at the bound is a call like any other; one
    // whose H.225.0 is damaged is answered with Release Complete (invalid message).
    let mut d = dial();
    d.fast_start = Vec::new();
    let caller = Call::outgoing(t0, CallConfig::default(), &d);
    let mut caller = caller.unwrap();
    let setup = drain(&mut caller).remove(0);
    let mut m = Message::decode(&setup).unwrap();
    let mut ui = UserInformation::decode(&m.user_user().unwrap().data).unwrap();
    if let MessageBody::Setup(s) = &mut ui.h323_uu_pdu.h323_message_body {
        let many = vec![vec![0u8; 4]; 5000];
        assert!(s.set_fast_start(Some(&many)).is_err());
        let olc = audio_proposals()[0].encode().unwrap();
        s.set_fast_start(Some(&vec![olc; 64])).unwrap();
    }
    let at_bound = ui.encode().unwrap();
    let mut full = m.clone();
    for e in &mut full.elements {
        if let InformationElement::UserUser(u) = e {
            u.data = at_bound.clone();
        }
    }
    let mut callee = Call::incoming(t0, CallConfig::default());
    callee.handle_payload(t0, &full.encode().unwrap());
    let ev = events(&mut callee);
    assert!(
        matches!(&ev[0], CallEvent::Setup(s) if s.fast_start.len() == 64),
        "{ev:?}"
    );
    let mut bytes = at_bound;
    for b in bytes.iter_mut().skip(40).step_by(7) {
        *b = 0xff;
    }
    for e in &mut m.elements {
        if let InformationElement::UserUser(u) = e {
            u.data = bytes.clone();
        }
    }
    let mut callee = Call::incoming(t0, CallConfig::default());
    callee.handle_payload(t0, &m.encode().unwrap());
    assert!(callee.is_released());
    let (rc, _) = decode(&drain(&mut callee)[0]);
    assert_eq!(rc.message_type, MessageType::ReleaseComplete);
    assert_eq!(rc.cause().unwrap().value, cause::INVALID_MESSAGE);

    // Absurd aliases and numbers: kept, but bounded and printable.
    let mut d = dial();
    let long = "9".repeat(128);
    d.destination = vec![
        AliasAddress::DialedDigits(long.clone()),
        AliasAddress::H323Id("\u{7}x".repeat(128)),
    ];
    d.called_number = Some(format!("{long}\u{1}"));
    let mut caller = Call::outgoing(t0, CallConfig::default(), &d).unwrap();
    let mut callee = Call::incoming(t0, CallConfig::default());
    pump(t0, &mut caller, &mut callee);
    let ev = events(&mut callee);
    let CallEvent::Setup(s) = &ev[0] else {
        panic!("{ev:?}")
    };
    for text in s.dialled() {
        assert!(text.chars().count() <= MAX_TEXT, "{text}");
    }
    assert_eq!(
        s.called_number.as_deref(),
        Some(long.as_str()),
        "control octet dropped"
    );
}
