#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

//! Round-trip delay, user input, fast update, flow control, end of session, and the
//! messages the session does not run a procedure for (untyped, unknown, generic).

use std::time::{Duration, Instant};

use super::tests::{drain, events, msd, none, over_the_wire, Pair};
use super::*;
use crate::h245::*;

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
