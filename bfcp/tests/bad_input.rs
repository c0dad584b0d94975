//! Hostile and broken input: every failure is a typed error naming what and where, with the
//! header kept for the Error reply when it was readable, and the right RFC 8855 error code.
//! Also the per-primitive grammar, checked as a separate step.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::{examples, m, status};
use roomgate_bfcp::limits::{MAX_ATTRIBUTES, MAX_MESSAGE_LEN, MAX_NESTING_DEPTH};
use roomgate_bfcp::{
    AttributeType, Context, EncodeError, ErrorCodeValue, Fault, Fragment, GrammarError, Group,
    Header, Message, Primitive, RequestStatusValue, Value, Version,
};

fn fault(bytes: &[u8]) -> Fault {
    Message::decode(bytes).unwrap_err().fault
}

/// A version-1 message with `payload` as its attributes (length fixed up).
fn with_payload(primitive: u8, payload: &[u8]) -> Vec<u8> {
    let mut b = vec![0x20, primitive];
    b.extend_from_slice(&u16::try_from(payload.len() / 4).unwrap().to_be_bytes());
    b.extend_from_slice(&[0, 0, 0, 1, 0, 7, 0, 2]);
    b.extend_from_slice(payload);
    b
}

#[test]
fn every_truncation_and_extension_is_a_length_error() {
    for msg in examples(Version::V2) {
        let bytes = msg.encode().unwrap();
        for cut in 0..bytes.len() {
            let e = Message::decode(&bytes[..cut]).unwrap_err();
            if cut < 12 {
                assert!(matches!(e.fault, Fault::Truncated { .. }), "{cut}: {e}");
                assert_eq!(e.header, None);
            } else {
                assert_eq!(
                    e.fault,
                    Fault::LengthMismatch {
                        declared: bytes.len(),
                        actual: cut
                    }
                );
                assert_eq!(e.fault.error_code(), ErrorCodeValue::IncorrectMessageLength);
                assert_eq!(e.header.unwrap().transaction_id, msg.header.transaction_id);
            }
        }
        let mut longer = bytes.clone();
        longer.extend_from_slice(&[0; 4]);
        assert!(matches!(fault(&longer), Fault::LengthMismatch { .. }));
    }
}

#[test]
fn unknown_primitive_answers_code_3_with_the_ids() {
    for p in [0u8, 18, 99, 255] {
        let e = Message::decode(&with_payload(p, &[])).unwrap_err();
        assert_eq!(e.fault, Fault::UnknownPrimitive { primitive: p });
        assert_eq!(e.fault.error_code(), ErrorCodeValue::UnknownPrimitive);
        let h = e.header.unwrap();
        assert_eq!((h.conference_id, h.transaction_id, h.user_id), (1, 7, 2));
    }
}

#[test]
fn unsupported_version_answers_code_12() {
    for v in [0u8, 3, 4, 7] {
        let mut b = with_payload(11, &[]);
        b[0] = v << 5;
        let e = fault(&b);
        assert_eq!(e, Fault::UnsupportedVersion { version: v });
        assert_eq!(e.error_code(), ErrorCodeValue::UnsupportedVersion);
    }
}

#[test]
fn unknown_mandatory_attributes_are_all_listed_once_even_nested() {
    // Hello with unknown 100 (M), unknown 101 (no M), unknown 100 (M) again, and a
    // FLOOR-REQUEST-INFORMATION whose FLOOR-REQUEST-STATUS holds unknown 120 (M).
    let payload = [
        0xc9, 2, 0, 0, // 100, M
        0xca, 2, 0, 0, // 101
        0xc9, 3, 1, 0, // 100, M
        0x1f, 12, 0, 1, 0x23, 8, 0, 1, 0xf1, 4, 9, 9, // FRI > FRS > 120, M
    ];
    let e = Message::decode(&with_payload(4, &payload)).unwrap_err();
    assert_eq!(
        e.fault,
        Fault::UnknownMandatoryAttributes {
            types: vec![100, 120]
        }
    );
    assert_eq!(
        e.fault.error_code(),
        ErrorCodeValue::UnknownMandatoryAttribute
    );
    assert!(e.header.is_some());
}

#[test]
fn attribute_length_faults_name_type_and_offset() {
    let cases: [(&[u8], Fault); 7] = [
        (
            &[0x05, 1, 0, 0],
            Fault::AttributeTooShort {
                attr_type: 2,
                offset: 12,
                length: 1,
                min: 2,
            },
        ),
        (
            &[0x05, 4, 0, 1, 0x05, 6, 0, 1, 0, 0, 0, 0],
            Fault::WrongAttributeLength {
                attr_type: 2,
                offset: 16,
                length: 6,
                expected: 4,
            },
        ),
        (
            &[0x05, 9, 0, 1],
            Fault::AttributeOverrun {
                attr_type: 2,
                offset: 12,
                length: 9,
                available: 4,
            },
        ),
        (
            &[0x0d, 2, 0, 0],
            Fault::AttributeTooShort {
                attr_type: 6,
                offset: 12,
                length: 2,
                min: 3,
            },
        ),
        (
            &[0x1f, 3, 0, 0],
            Fault::AttributeTooShort {
                attr_type: 15,
                offset: 12,
                length: 3,
                min: 4,
            },
        ),
        (
            &[0x0b, 4, 0, 0],
            Fault::UnknownRequestStatus {
                value: 0,
                offset: 14,
            },
        ),
        (
            &[0x19, 4, 0xc3, 0x28],
            Fault::InvalidUtf8 {
                attr_type: 12,
                offset: 12,
            },
        ),
    ];
    for (payload, expected) in cases {
        let e = fault(&with_payload(1, payload));
        assert_eq!(e, expected);
        assert_eq!(e.error_code(), ErrorCodeValue::UnableToParseMessage);
    }
    assert_eq!(
        fault(&with_payload(4, &[0x0b, 4, 8, 0])),
        Fault::UnknownRequestStatus {
            value: 8,
            offset: 14
        }
    );
}

#[test]
fn groups_hold_only_what_their_grammar_lists() {
    // FLOOR-REQUEST-STATUS holding a FLOOR-REQUEST-INFORMATION, and BENEFICIARY-INFORMATION
    // holding a FLOOR-ID: both refused while decoding, which is what bounds nesting.
    let frs_in_frs = [0x23, 12, 0, 1, 0x1f, 8, 0, 1, 0x23, 4, 0, 1];
    assert_eq!(
        fault(&with_payload(4, &frs_in_frs)),
        Fault::NotAllowedInGroup {
            parent: AttributeType::FloorRequestStatus,
            child: AttributeType::FloorRequestInformation,
            offset: 16,
        }
    );
    assert!(matches!(
        fault(&with_payload(6, &[0x1d, 8, 0, 5, 0x05, 4, 0, 1])),
        Fault::NotAllowedInGroup {
            child: AttributeType::FloorId,
            ..
        }
    ));
}

#[test]
fn nesting_deeper_than_the_limit_is_not_encoded() {
    // The encoder does not check grammar, so build FRI > FRS > FRI > FRS by hand.
    let mut v = Value::FloorRequestStatus(Group::new(1, vec![]));
    for depth in 0..MAX_NESTING_DEPTH {
        v = if depth % 2 == 0 {
            Value::FloorRequestInformation(Group::new(1, vec![m(v)]))
        } else {
            Value::FloorRequestStatus(Group::new(1, vec![m(v)]))
        };
    }
    let msg = Message::new(
        Header::new(Version::V1, Primitive::ChairAction, 1, 1, 1),
        vec![m(v)],
    );
    assert_eq!(
        msg.encode(),
        Err(EncodeError::TooDeep {
            limit: MAX_NESTING_DEPTH
        })
    );
}

#[test]
fn attribute_count_is_bounded() {
    let payload: Vec<u8> = [0x05, 4, 0, 1].repeat(MAX_ATTRIBUTES + 1);
    assert_eq!(
        fault(&with_payload(7, &payload)),
        Fault::TooManyAttributes {
            limit: MAX_ATTRIBUTES,
            offset: 12 + 4 * MAX_ATTRIBUTES
        }
    );
    let ok: Vec<u8> = [0x05, 4, 0, 1].repeat(MAX_ATTRIBUTES);
    assert_eq!(
        Message::decode(&with_payload(7, &ok))
            .unwrap()
            .attributes
            .len(),
        MAX_ATTRIBUTES
    );
    let msg = Message::new(
        Header::new(Version::V1, Primitive::FloorQuery, 1, 1, 1),
        vec![m(Value::FloorId(1)); MAX_ATTRIBUTES + 1],
    );
    assert_eq!(
        msg.encode(),
        Err(EncodeError::TooManyAttributes {
            limit: MAX_ATTRIBUTES
        })
    );
}

#[test]
fn message_size_is_bounded() {
    // Unknown optional attributes of 252 octets each, past the limit.
    let one: Vec<u8> = [vec![0xc8, 252], vec![0; 250]].concat();
    let big = one.repeat(MAX_MESSAGE_LEN / 252 + 1);
    assert!(matches!(
        fault(&with_payload(11, &big)),
        Fault::TooLarge {
            limit: MAX_MESSAGE_LEN,
            ..
        }
    ));
}

#[test]
fn fragments_are_not_messages_and_must_fit() {
    let frag = [
        0x48, 4, 0, 2, 0, 0, 0, 1, 0, 7, 0, 2, 0, 0, 0, 1, 0x0b, 4, 3, 0,
    ];
    assert_eq!(fault(&frag), Fault::Fragmented);
    assert!(Fragment::decode(&frag).is_ok());
    let mut beyond = frag;
    beyond[13] = 2; // offset 2 + length 1 > 2 units
    assert_eq!(
        Fragment::decode(&beyond).unwrap_err().fault,
        Fault::FragmentOutOfRange {
            offset: 2,
            length: 1,
            total: 2
        }
    );
    assert!(Fragment::decode(&with_payload(4, &[])).is_err());
    let v1 = Fragment {
        header: Header::new(Version::V1, Primitive::Hello, 1, 1, 1),
        payload_units: 1,
        offset: 0,
        data: vec![0; 4],
    };
    assert_eq!(v1.encode(), Err(EncodeError::FragmentInVersion1));
}

#[test]
fn grammar_is_checked_separately() {
    let h = |p| Header::new(Version::V1, p, 1, 1, 1);
    let no_floor = Message::new(h(Primitive::FloorRequest), vec![m(Value::BeneficiaryId(3))]);
    let bytes = no_floor.encode().unwrap();
    let decoded = Message::decode(&bytes).unwrap();
    assert_eq!(
        decoded.validate(),
        Err(GrammarError::Missing {
            within: Context::Message(Primitive::FloorRequest),
            attribute: AttributeType::FloorId,
            min: 1,
            count: 0,
        })
    );
    let two_codes = Message::new(
        h(Primitive::Error),
        vec![
            m(Value::ErrorCode(roomgate_bfcp::ErrorCode::new(
                ErrorCodeValue::UseTls,
            ))),
            m(Value::ErrorCode(roomgate_bfcp::ErrorCode::new(
                ErrorCodeValue::UseDtls,
            ))),
        ],
    );
    assert!(matches!(
        two_codes.validate(),
        Err(GrammarError::TooMany {
            attribute: AttributeType::ErrorCode,
            max: 1,
            count: 2,
            ..
        })
    ));
    let release_with_floor = Message::new(
        h(Primitive::FloorRelease),
        vec![m(Value::FloorRequestId(1)), m(Value::FloorId(1))],
    );
    assert_eq!(
        release_with_floor.validate(),
        Err(GrammarError::NotAllowed {
            within: Context::Message(Primitive::FloorRelease),
            attribute: AttributeType::FloorId,
        })
    );
    let hello_ack = Message::new(
        h(Primitive::HelloAck),
        vec![m(Value::SupportedPrimitives(vec![1]))],
    );
    assert!(matches!(
        hello_ack.validate(),
        Err(GrammarError::Missing {
            attribute: AttributeType::SupportedAttributes,
            ..
        })
    ));
    // FLOOR-REQUEST-INFORMATION needs at least one FLOOR-REQUEST-STATUS.
    let empty_fri = Message::new(
        h(Primitive::ChairAction),
        vec![m(Value::FloorRequestInformation(Group::new(
            1,
            vec![m(Value::OverallRequestStatus(Group::new(
                1,
                vec![status(RequestStatusValue::Revoked, 0)],
            )))],
        )))],
    );
    assert_eq!(
        empty_fri.validate(),
        Err(GrammarError::Missing {
            within: Context::Group(AttributeType::FloorRequestInformation),
            attribute: AttributeType::FloorRequestStatus,
            min: 1,
            count: 0,
        })
    );
    // Extension attributes are allowed everywhere.
    let hello = Message::new(
        h(Primitive::Hello),
        vec![roomgate_bfcp::Attribute::optional(Value::Unknown {
            attr_type: 90,
            contents: vec![],
        })],
    );
    assert_eq!(hello.validate(), Ok(()));
}

#[test]
fn random_and_mutated_input_never_panics() {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let samples: Vec<Vec<u8>> = examples(Version::V1)
        .into_iter()
        .chain(examples(Version::V2))
        .map(|m| m.encode().unwrap())
        .collect();
    for i in 0..20_000 {
        let mut b = samples[i % samples.len()].clone();
        for _ in 0..(next() % 4 + 1) {
            let pos = (next() as usize) % b.len();
            b[pos] = next() as u8;
        }
        if i % 3 == 0 {
            let len = (next() as usize) % (b.len() + 1);
            b.truncate(len);
        }
        roomgate_bfcp::fuzzing::bfcp_codec(&b);
        let random: Vec<u8> = (0..(next() % 64)).map(|_| next() as u8).collect();
        roomgate_bfcp::fuzzing::bfcp_codec(&random);
    }
}
