#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

//! Round trips of the hand-built samples and the hostile-input cases: truncation, huge
//! counts, deep nesting, unknown extensions and untyped alternatives.

use super::codec::Extensions;
use super::*;
use crate::limits::{MAX_H245_GENERIC_DEPTH, MAX_H245_LIST};
use crate::per::{PerErrorKind, Writer, MAX_OPEN_TYPE_DEPTH};

type Mscm = MultimediaSystemControlMessage;

#[test]
fn every_sample_round_trips() {
    let samples = samples::all().unwrap();
    assert!(samples.len() >= 40);
    for (name, msg) in &samples {
        let octets = msg.encode().unwrap_or_else(|e| panic!("{name}: {e}"));
        let back = Mscm::decode(&octets).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(&back, msg, "{name}");
        assert_eq!(back.encode().unwrap(), octets, "{name}");
    }
    for (name, octets) in samples::fast_start().unwrap() {
        let olc = OpenLogicalChannel::decode(&octets).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(olc.encode().unwrap(), octets, "{name}");
    }
}

#[test]
fn round_trip_delay_octets_by_hand() {
    // X.691 by hand: extension bit 0, request (2 bits 00), extension bit 0,
    // roundTripDelayRequest (4 bits 1001), RoundTripDelayRequest's extension bit 0, then
    // sequenceNumber INTEGER (0..255): a range of 256 is one octet, aligned.
    let msg = Mscm::Request(RequestMessage::RoundTripDelayRequest(Box::new(
        RoundTripDelayRequest {
            sequence_number: 7,
            extensions: Extensions::default(),
        },
    )));
    assert_eq!(msg.encode().unwrap(), [0x09, 0x00, 0x07]);
}

#[test]
fn h264_and_h239_read_back() {
    let tcs = samples::terminal_capability_set().unwrap();
    let table = tcs.capability_table.unwrap();
    let h264 = table
        .iter()
        .find_map(|e| match &e.capability {
            Some(Capability::ReceiveVideoCapability(VideoCapability::GenericVideoCapability(
                g,
            ))) => Some(g.clone()),
            _ => None,
        })
        .unwrap();
    assert!(h264.capability_identifier.is_standard(oid::H264));
    assert_eq!(
        h264.parameter(h264::LEVEL),
        Some(&ParameterValue::UnsignedMin(71))
    );
    assert_eq!(
        h264.parameter(h264::PROFILE),
        Some(&ParameterValue::BooleanArray(64))
    );
    let msg = GenericMessage::h239(h239::PRESENTATION_TOKEN_REQUEST, vec![]).unwrap();
    assert_eq!(msg.h239_message(), Some(h239::PRESENTATION_TOKEN_REQUEST));
}

#[test]
fn every_truncation_is_a_typed_error() {
    for (name, msg) in samples::all().unwrap() {
        let octets = msg.encode().unwrap();
        for len in 0..octets.len() {
            assert!(
                Mscm::decode(&octets[..len]).is_err(),
                "{name} cut to {len} octets decoded"
            );
        }
    }
}

#[test]
fn octets_after_the_message_are_refused() {
    let mut octets = samples::all().unwrap()[0].1.encode().unwrap();
    octets.push(0);
    let err = Mscm::decode(&octets).unwrap_err();
    assert!(matches!(err.kind, PerErrorKind::BadLength { .. }), "{err}");
}

/// A GenericRequest whose messageContent claims `count` parameters and holds none.
fn generic_request_claiming(count: usize) -> Vec<u8> {
    let mut inner = Writer::new();
    inner.extension_bit(false);
    inner.bitmap(&[false, true]); // subMessageIdentifier absent, messageContent present
    inner.choice_root(0, 4, true, "id").unwrap();
    inner
        .object_identifier(&standard_oid(oid::H239_MESSAGE).unwrap(), "oid")
        .unwrap();
    inner.length(count, 0, None, "count").unwrap();
    let contents = inner.finish();
    let mut w = Writer::new();
    w.choice_root(0, 4, true, "mscm").unwrap();
    w.choice_extension(4, &contents, "request").unwrap();
    w.finish()
}

#[test]
fn huge_sequence_of_counts_are_refused_before_allocating() {
    let err = Mscm::decode(&generic_request_claiming(16_000)).unwrap_err();
    assert_eq!(
        err.kind,
        PerErrorKind::TooMany {
            what: "GenericParameter list",
            count: 16_000,
            limit: MAX_H245_LIST,
        }
    );
    // Within the limit but with nothing behind it: truncated, not a panic.
    let err = Mscm::decode(&generic_request_claiming(200)).unwrap_err();
    assert!(matches!(err.kind, PerErrorKind::Truncated { .. }), "{err}");
}

fn nested_video(depth: usize) -> VideoCapability {
    let mut v = VideoCapability::H261VideoCapability(H261VideoCapability {
        qcif_mpi: Some(1),
        cif_mpi: None,
        temporal_spatial_trade_off_capability: false,
        max_bit_rate: 100,
        still_image_transmission: false,
        extensions: Extensions::default(),
    });
    for _ in 0..depth {
        v = VideoCapability::ExtendedVideoCapability(ExtendedVideoCapability {
            video_capability: vec![v],
            video_capability_extension: None,
            extensions: Extensions::default(),
        });
    }
    v
}

fn tcs_with(capability: Capability) -> Mscm {
    Mscm::Request(RequestMessage::TerminalCapabilitySet(Box::new(
        TerminalCapabilitySet {
            sequence_number: 1,
            protocol_identifier: standard_oid(&[0, 0, 8, 245, 0, 17]).unwrap(),
            multiplex_capability: None,
            capability_table: Some(vec![CapabilityTableEntry {
                capability_table_entry_number: 1,
                capability: Some(capability),
            }]),
            capability_descriptors: None,
            extensions: Extensions::default(),
        },
    )))
}

#[test]
fn nesting_through_open_types_is_bounded() {
    // TCS (request) -> capability -> ExtendedVideoCapability open types, each one deeper.
    let fits = tcs_with(Capability::ReceiveVideoCapability(nested_video(
        MAX_OPEN_TYPE_DEPTH - 1,
    )));
    let octets = fits.encode().unwrap();
    assert_eq!(Mscm::decode(&octets).unwrap(), fits);
    let deep = tcs_with(Capability::ReceiveVideoCapability(nested_video(40)));
    let err = Mscm::decode(&deep.encode().unwrap()).unwrap_err();
    assert_eq!(
        err.kind,
        PerErrorKind::TooDeep {
            limit: MAX_OPEN_TYPE_DEPTH
        }
    );
}

#[test]
fn generic_parameter_nesting_is_bounded() {
    let nest = |depth: usize| {
        let mut p = GenericParameter::standard(1, ParameterValue::Logical);
        for _ in 0..depth {
            p = GenericParameter::standard(1, ParameterValue::GenericParameter(vec![p]));
        }
        p
    };
    let msg = |p| {
        Mscm::Request(RequestMessage::GenericRequest(Box::new(
            GenericMessage::h239(3, vec![p]).unwrap(),
        )))
    };
    let ok = msg(nest(MAX_H245_GENERIC_DEPTH));
    assert_eq!(Mscm::decode(&ok.encode().unwrap()).unwrap(), ok);
    let err = Mscm::decode(&msg(nest(100)).encode().unwrap()).unwrap_err();
    assert_eq!(
        err.kind,
        PerErrorKind::TooDeep {
            limit: MAX_H245_GENERIC_DEPTH
        }
    );
}

#[test]
fn unknown_extensions_are_kept_with_their_octets() {
    // A message class after H.245 v17.
    let mut w = Writer::new();
    w.choice_extension(3, &[0xde, 0xad], "mscm").unwrap();
    let octets = w.finish();
    let msg = Mscm::decode(&octets).unwrap();
    assert_eq!(
        msg,
        Mscm::Unknown {
            index: 3,
            contents: vec![0xde, 0xad]
        }
    );
    assert_eq!(msg.encode().unwrap(), octets);

    // A request alternative after genericRequest.
    let mut w = Writer::new();
    w.choice_root(0, 4, true, "mscm").unwrap();
    w.choice_extension(20, &[1, 2, 3], "request").unwrap();
    let octets = w.finish();
    let msg = Mscm::decode(&octets).unwrap();
    assert_eq!(
        msg,
        Mscm::Request(RequestMessage::Unknown {
            index: 20,
            contents: vec![1, 2, 3]
        })
    );
    assert_eq!(msg.encode().unwrap(), octets);
    assert!(msg.function_not_understood().is_some());

    // A capability this codec does not type, inside a typed TCS.
    let tcs = tcs_with(Capability::Unknown {
        index: 30,
        contents: vec![0x80, 0x01],
    });
    let octets = tcs.encode().unwrap();
    assert_eq!(Mscm::decode(&octets).unwrap(), tcs);

    // Extension additions a newer sender put in a MasterSlaveDetermination.
    let mut msd = MasterSlaveDetermination {
        terminal_type: 50,
        status_determination_number: 1,
        extensions: Extensions(Some(vec![None, Some(vec![7]), Some(vec![1, 2])])),
    };
    let msg = Mscm::Request(RequestMessage::MasterSlaveDetermination(Box::new(
        msd.clone(),
    )));
    let octets = msg.encode().unwrap();
    assert_eq!(Mscm::decode(&octets).unwrap(), msg);
    msd.extensions = Extensions::default();
    assert_ne!(
        Mscm::Request(RequestMessage::MasterSlaveDetermination(Box::new(msd)))
            .encode()
            .unwrap(),
        octets
    );
}

#[test]
fn untyped_root_alternatives_keep_the_rest_and_can_be_answered() {
    // request(0) multiplexEntrySend(6), then whatever an H.223 terminal put there.
    let mut w = Writer::new();
    w.choice_root(0, 4, true, "mscm").unwrap();
    w.choice_root(6, 11, true, "request").unwrap();
    w.octets(&[0x01, 0x23, 0x45, 0x67]);
    let octets = w.finish();
    let msg = Mscm::decode(&octets).unwrap();
    let Mscm::Request(RequestMessage::Untyped(u)) = &msg else {
        panic!("{msg:?}");
    };
    assert_eq!(u.index, 6);
    assert_eq!(msg.encode().unwrap(), octets);
    let answer = msg.function_not_understood().unwrap();
    let back = Mscm::decode(&answer.encode().unwrap()).unwrap();
    let Mscm::Indication(IndicationMessage::FunctionNotUnderstood(fnu)) = back else {
        panic!("{back:?}");
    };
    let FunctionNotUnderstood::Request(RequestMessage::Untyped(quoted)) = *fnu else {
        panic!("{fnu:?}");
    };
    assert_eq!(quoted.index, 6);
    // The quoted bits start with the original ones.
    assert_eq!(quoted.data.get(..u.data.len().min(2)), u.data.get(..2));
}

#[test]
fn older_senders_omit_additions() {
    // An OpenLogicalChannelAck of H.245 v1: no extension bit, so no H.225.0 ack parameters.
    let ack = OpenLogicalChannelAck {
        forward_logical_channel_number: 1,
        reverse_logical_channel_parameters: None,
        extensions: Extensions::default(),
    };
    let msg = Mscm::Response(ResponseMessage::OpenLogicalChannelAck(Box::new(ack)));
    let octets = msg.encode().unwrap();
    let Mscm::Response(ResponseMessage::OpenLogicalChannelAck(back)) =
        Mscm::decode(&octets).unwrap()
    else {
        panic!();
    };
    assert!(back.forward_multiplex_ack_parameters().is_none());
    assert!(back.encryption_sync().is_none());
}

#[test]
fn encryption_sync_keeps_the_h235_key() {
    let olc = samples::open_logical_channel_encrypted().unwrap();
    let back = OpenLogicalChannel::decode(&olc.encode().unwrap()).unwrap();
    let sync = back.encryption_sync().unwrap().unwrap();
    assert_eq!(sync.synch_flag, 96);
    assert_eq!(sync.h235_key.len(), 10);
}

#[test]
fn root_alternatives_not_typed_fail_typed() {
    // forwardLogicalChannelParameters with h223LogicalChannelParameters (root index 1).
    let mut w = Writer::new();
    w.extension_bit(false); // OLC
    w.bitmap(&[false]); // no reverse parameters
    w.constrained(1, 1, 65_535, "lcn").unwrap();
    w.extension_bit(false); // forward parameters
    w.bitmap(&[false]); // no port number
    w.choice_root(1, 6, true, "DataType").unwrap(); // nullData
    w.choice_root(1, 3, true, "multiplexParameters").unwrap();
    w.octets(&[0; 4]);
    let err = OpenLogicalChannel::decode(&w.finish()).unwrap_err();
    assert!(matches!(err.kind, PerErrorKind::NotTyped { .. }), "{err}");
}

#[test]
fn signal_type_alphabet_is_enforced() {
    let mut signal = Signal {
        signal_type: 'x',
        duration: None,
        rtp: None,
        extensions: Extensions::default(),
    };
    let msg = |s: &Signal| {
        Mscm::Indication(IndicationMessage::UserInput(Box::new(
            UserInputIndication::Signal(s.clone()),
        )))
    };
    assert!(msg(&signal).encode().is_err());
    signal.signal_type = '#';
    assert_eq!(
        Mscm::decode(&msg(&signal).encode().unwrap()).unwrap(),
        msg(&signal)
    );
}
