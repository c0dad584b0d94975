//! Encode→decode→equal for every primitive and attribute in both versions, and the edges of
//! every length rule (text padding residues, the 255-octet attribute limit).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::BTreeSet;

use common::{examples, m, status, types};
use roomgate_bfcp::{
    Attribute, AttributeType, EncodeError, ErrorCode, ErrorCodeValue, Fault, Group, Header,
    Message, Primitive, Priority, RequestStatusValue, Value, Version,
};

#[test]
fn every_primitive_round_trips_in_both_versions() {
    for version in [Version::V1, Version::V2] {
        for msg in examples(version) {
            let bytes = msg.encode().unwrap();
            assert_eq!(bytes.len() % 4, 0, "{}", msg.header.primitive);
            assert_eq!(
                usize::from(u16::from_be_bytes([bytes[2], bytes[3]])) * 4 + 12,
                bytes.len()
            );
            assert_eq!(bytes[0] >> 5, version.number());
            let back = Message::decode(&bytes).unwrap();
            assert_eq!(back, msg);
            assert_eq!(back.encode().unwrap(), bytes);
            msg.validate()
                .unwrap_or_else(|e| panic!("{}: {e}", msg.header.primitive));
        }
    }
}

#[test]
fn examples_cover_every_primitive_and_attribute() {
    let msgs = examples(Version::V2);
    let prims: BTreeSet<_> = msgs.iter().map(|m| m.header.primitive).collect();
    assert_eq!(prims.len(), Primitive::ALL.len());
    let mut seen = Vec::new();
    for msg in &msgs {
        types(&msg.attributes, &mut seen);
    }
    for t in AttributeType::ALL {
        assert!(seen.contains(&t.code()), "no example carries {t}");
    }
}

#[test]
fn responder_bit_and_ids_survive() {
    let mut h = Header::new(
        Version::V2,
        Primitive::GoodbyeAck,
        u32::MAX,
        u16::MAX,
        u16::MAX,
    );
    h.responder = true;
    let msg = Message::new(h, Vec::new());
    let bytes = msg.encode().unwrap();
    assert_eq!(
        bytes,
        [0x50, 17, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255]
    );
    assert_eq!(Message::decode(&bytes).unwrap(), msg);
}

fn round_trip(value: Value) -> Vec<u8> {
    let msg = Message::new(
        Header::new(Version::V1, Primitive::Hello, 1, 1, 1),
        vec![m(value)],
    );
    let bytes = msg.encode().unwrap();
    assert_eq!(Message::decode(&bytes).unwrap(), msg);
    bytes
}

#[test]
fn text_of_every_length_pads_to_four_with_zeros() {
    let makers: [fn(String) -> Value; 5] = [
        Value::ErrorInfo,
        Value::ParticipantProvidedInfo,
        Value::StatusInfo,
        Value::UserDisplayName,
        Value::UserUri,
    ];
    for make in makers {
        for len in 0..=253usize {
            let text: String = "é".repeat(len / 2) + &"x".repeat(len % 2);
            assert_eq!(text.len(), len);
            let bytes = round_trip(make(text.clone()));
            assert_eq!(usize::from(bytes[13]), len + 2, "Length excludes padding");
            assert_eq!(bytes.len(), 12 + (len + 2).div_ceil(4) * 4);
            assert!(bytes[14 + len..].iter().all(|b| *b == 0));
        }
        let msg = Message::new(
            Header::new(Version::V1, Primitive::Hello, 1, 1, 1),
            vec![m(make("x".repeat(254)))],
        );
        assert!(matches!(
            msg.encode(),
            Err(EncodeError::AttributeTooLong { length: 256, .. })
        ));
    }
}

#[test]
fn every_request_status_and_queue_position() {
    for s in RequestStatusValue::ALL {
        for q in [0u8, 1, 255] {
            let bytes = round_trip(status(s, q).value);
            assert_eq!(&bytes[12..], [0x0b, 4, s.code(), q]);
        }
    }
}

#[test]
fn every_error_code_with_and_without_details() {
    for c in 0..=u8::MAX {
        let code = ErrorCodeValue::from_code(c);
        round_trip(Value::ErrorCode(ErrorCode::new(code)));
        round_trip(Value::ErrorCode(ErrorCode {
            code,
            details: vec![c; usize::from(c % 7)],
        }));
    }
    let bytes = round_trip(Value::ErrorCode(ErrorCode::unknown_mandatory(&[
        19, 20, 127,
    ])));
    assert_eq!(&bytes[12..], [0x0d, 6, 4, 38, 40, 254, 0, 0]);
}

#[test]
fn priority_uses_the_top_three_bits() {
    for p in 0..=7u8 {
        let bytes = round_trip(Value::Priority(Priority(p)));
        assert_eq!(&bytes[12..], [0x09, 4, p << 5, 0]);
    }
    let msg = Message::new(
        Header::new(Version::V1, Primitive::Hello, 1, 1, 1),
        vec![m(Value::Priority(Priority(8)))],
    );
    assert!(matches!(
        msg.encode(),
        Err(EncodeError::ValueOutOfRange { .. })
    ));
}

#[test]
fn supported_lists_round_trip() {
    let all: Vec<u8> = (0..=127).collect();
    round_trip(Value::SupportedAttributes(all));
    round_trip(Value::SupportedPrimitives((0..=252).collect()));
    round_trip(Value::SupportedPrimitives(Vec::new()));
    let msg = Message::new(
        Header::new(Version::V1, Primitive::HelloAck, 1, 1, 1),
        vec![m(Value::SupportedAttributes(vec![128]))],
    );
    assert!(matches!(
        msg.encode(),
        Err(EncodeError::ValueOutOfRange { .. })
    ));
}

#[test]
fn unknown_attributes_keep_type_m_bit_and_contents() {
    for len in 0..=253usize {
        let value = Value::Unknown {
            attr_type: 127,
            contents: vec![0xaa; len],
        };
        let optional = Message::new(
            Header::new(Version::V1, Primitive::Hello, 1, 1, 1),
            vec![Attribute::optional(value.clone())],
        );
        let bytes = optional.encode().unwrap();
        assert_eq!(bytes[12], 0xfe);
        assert_eq!(Message::decode(&bytes).unwrap(), optional);
        // The same attribute with the M bit must be refused, naming its type.
        let mandatory = Message::new(optional.header, vec![m(value)]);
        let e = Message::decode(&mandatory.encode().unwrap()).unwrap_err();
        assert_eq!(
            e.fault,
            Fault::UnknownMandatoryAttributes { types: vec![127] }
        );
    }
    let msg = Message::new(
        Header::new(Version::V1, Primitive::Hello, 1, 1, 1),
        vec![m(Value::Unknown {
            attr_type: 2,
            contents: vec![0, 1],
        })],
    );
    assert_eq!(
        msg.encode(),
        Err(EncodeError::UnknownTypeIsKnown { attr_type: 2 })
    );
}

#[test]
fn grouped_attribute_length_stops_at_255() {
    // FLOOR-REQUEST-STATUS: 4-octet header + STATUS-INFO of n octets (2 + n, padded).
    let group = |n: usize| {
        Value::FloorRequestStatus(Group::new(1, vec![m(Value::StatusInfo("s".repeat(n)))]))
    };
    // The group's Length counts its members' padding, so it is always a multiple of four:
    // 252 is the largest, reached with 246 octets of text (2 + 246 = 248, no padding).
    let bytes = round_trip(group(246));
    assert_eq!(bytes[13], 252);
    let msg = Message::new(
        Header::new(Version::V1, Primitive::Hello, 1, 1, 1),
        vec![m(group(247))],
    );
    assert!(matches!(
        msg.encode(),
        Err(EncodeError::AttributeTooLong { length: 256, .. })
    ));
}

#[test]
fn serializes_to_json_for_the_decode_command() {
    let msg = &examples(Version::V1)[3];
    let json = serde_json::to_value(msg).unwrap();
    assert_eq!(json["header"]["primitive"], "FloorRequestStatus");
    assert_eq!(
        json["attributes"][0]["value"]["FloorRequestInformation"]["id"],
        33
    );
}
