//! Hand-written octets laid out from RFC 8855's figures: decode gives the expected value,
//! and encoding that value gives the same octets back.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::{m, status};
use roomgate_bfcp::{
    Attribute, ErrorCode, Fragment, Group, Header, Message, Primitive, Priority,
    RequestStatusValue, Value, Version,
};

fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s.bytes().filter(u8::is_ascii_hexdigit).collect();
    digits
        .chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap())
        .collect()
}

fn both_ways(bytes: &str, expected: &Message) {
    let bytes = hex(bytes);
    assert_eq!(&Message::decode(&bytes).unwrap(), expected);
    assert_eq!(expected.encode().unwrap(), bytes);
}

#[test]
fn hello_version_1() {
    both_ways(
        "20 0b 0000  00000001  0001 0002",
        &Message::new(Header::new(Version::V1, Primitive::Hello, 1, 1, 2), vec![]),
    );
}

#[test]
fn floor_request_with_priority() {
    // FLOOR-ID: type 2, M → 0x05; PRIORITY: type 4, M → 0x09, Highest (4) in the top 3 bits.
    both_ways(
        "20 01 0002  00000001  0007 0002  05 04 0001  09 04 8000",
        &Message::new(
            Header::new(Version::V1, Primitive::FloorRequest, 1, 7, 2),
            vec![m(Value::FloorId(1)), m(Value::Priority(Priority::HIGHEST))],
        ),
    );
}

#[test]
fn hello_ack_version_2_response_with_padding() {
    // Ver 2, R set → 0x50. SUPPORTED-PRIMITIVES (0x17) length 6 + 2 padding;
    // SUPPORTED-ATTRIBUTES (0x15) length 5, types shifted left by one, + 3 padding.
    let mut h = Header::new(Version::V2, Primitive::HelloAck, 1, 0x1234, 2);
    h.responder = true;
    both_ways(
        "50 0c 0004  00000001  1234 0002  17 06 01 02 0b 0c 0000  15 05 02 04 06 000000",
        &Message::new(
            h,
            vec![
                m(Value::SupportedPrimitives(vec![1, 2, 11, 12])),
                m(Value::SupportedAttributes(vec![1, 2, 3])),
            ],
        ),
    );
}

#[test]
fn floor_request_status_with_nested_groups() {
    // FLOOR-REQUEST-INFORMATION (0x1f) length 20 = 4 + OVERALL-REQUEST-STATUS (0x25, 8:
    // STATUS-INFO "ok") + FLOOR-REQUEST-STATUS (0x23, 8: REQUEST-STATUS Granted).
    both_ways(
        "20 04 0005  00000001  0007 0002
         1f 14 0021  25 08 0021  13 04 6f6b  23 08 0001  0b 04 03 00",
        &Message::new(
            Header::new(Version::V1, Primitive::FloorRequestStatus, 1, 7, 2),
            vec![m(Value::FloorRequestInformation(Group::new(
                0x21,
                vec![
                    m(Value::OverallRequestStatus(Group::new(
                        0x21,
                        vec![m(Value::StatusInfo("ok".into()))],
                    ))),
                    m(Value::FloorRequestStatus(Group::new(
                        1,
                        vec![status(RequestStatusValue::Granted, 0)],
                    ))),
                ],
            )))],
        ),
    );
}

#[test]
fn error_unknown_mandatory_attribute() {
    // ERROR-CODE (0x0d) length 4: code 4, then type 100 as 100 << 1 = 0xc8.
    // ERROR-INFO (0x0f) length 3: "x" + one padding octet.
    both_ways(
        "20 0d 0002  00000001  0007 0002  0d 04 04 c8  0f 03 78 00",
        &Message::new(
            Header::new(Version::V1, Primitive::Error, 1, 7, 2),
            vec![
                m(Value::ErrorCode(ErrorCode::unknown_mandatory(&[100]))),
                m(Value::ErrorInfo("x".into())),
            ],
        ),
    );
}

#[test]
fn optional_unknown_attribute_is_kept() {
    both_ways(
        "20 0b 0001  00000001  0007 0002  c8 03 aa 00",
        &Message::new(
            Header::new(Version::V1, Primitive::Hello, 1, 7, 2),
            vec![Attribute::optional(Value::Unknown {
                attr_type: 100,
                contents: vec![0xaa],
            })],
        ),
    );
}

#[test]
fn fragment_version_2() {
    // F set → 0x48; payload of 5 units, this fragment holds units 2..5.
    let bytes = hex("48 04 0005  00000001  0007 0002  0002 0003  0b040300 0b040300 0b040300");
    let frag = Fragment::decode(&bytes).unwrap();
    assert_eq!(
        frag,
        Fragment {
            header: Header::new(Version::V2, Primitive::FloorRequestStatus, 1, 7, 2),
            payload_units: 5,
            offset: 2,
            data: hex("0b040300 0b040300 0b040300"),
        }
    );
    assert_eq!(frag.encode().unwrap(), bytes);
}

#[test]
fn padding_octets_are_ignored_and_sent_as_zero() {
    let sent = hex("20 0d 0002  00000001  0007 0002  0d 04 04 c8  0f 03 78 ff");
    let msg = Message::decode(&sent).unwrap();
    assert_eq!(msg.find(roomgate_bfcp::AttributeType::ErrorInfo).count(), 1);
    let again = msg.encode().unwrap();
    assert_eq!(again[again.len() - 1], 0);
}

#[test]
fn group_length_with_or_without_its_last_members_padding() {
    // BENEFICIARY-INFORMATION holding USER-DISPLAY-NAME "abc" (length 5, 3 padding octets):
    // Length 12 counts that padding (what we send), Length 9 does not; both mean the same.
    let counted = hex("20 06 0003  00000001  0007 0002  1d 0c 0005  19 05 616263 000000");
    let uncounted = hex("20 06 0003  00000001  0007 0002  1d 09 0005  19 05 616263 000000");
    let a = Message::decode(&counted).unwrap();
    assert_eq!(Message::decode(&uncounted).unwrap(), a);
    assert_eq!(a.encode().unwrap(), counted);
    assert_eq!(
        a.attributes[0].value,
        Value::BeneficiaryInformation(Group::new(5, vec![m(Value::UserDisplayName("abc".into()))]))
    );
}
