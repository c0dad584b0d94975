//! Example messages shared by the integration tests: one per primitive, together using
//! every attribute, each valid under its primitive's grammar.
#![allow(dead_code)]

use roomgate_bfcp::{
    Attribute, ErrorCode, ErrorCodeValue, Group, Header, Message, Primitive, Priority,
    RequestStatus, RequestStatusValue, Value, Version,
};

pub fn m(value: Value) -> Attribute {
    Attribute::mandatory(value)
}

pub fn status(s: RequestStatusValue, queue_position: u8) -> Attribute {
    m(Value::RequestStatus(RequestStatus {
        status: s,
        queue_position,
    }))
}

fn user(id: u16, name: &str, uri: &str) -> Group {
    Group::new(
        id,
        vec![
            m(Value::UserDisplayName(name.into())),
            m(Value::UserUri(uri.into())),
        ],
    )
}

/// A floor request granted by the chair on behalf of a room.
pub fn granted_request(request_id: u16) -> Attribute {
    m(Value::FloorRequestInformation(Group::new(
        request_id,
        vec![
            m(Value::OverallRequestStatus(Group::new(
                request_id,
                vec![
                    status(RequestStatusValue::Granted, 0),
                    m(Value::StatusInfo("granted".into())),
                ],
            ))),
            m(Value::FloorRequestStatus(Group::new(
                1,
                vec![status(RequestStatusValue::Granted, 0)],
            ))),
            m(Value::BeneficiaryInformation(user(
                5,
                "Room A",
                "sip:room-a@example.com",
            ))),
            m(Value::RequestedByInformation(user(
                2,
                "Chair",
                "sip:chair@example.com",
            ))),
            m(Value::Priority(Priority::NORMAL)),
            m(Value::ParticipantProvidedInfo("slides".into())),
        ],
    )))
}

fn queued_request(request_id: u16, floor: u16, position: u8) -> Attribute {
    m(Value::FloorRequestInformation(Group::new(
        request_id,
        vec![m(Value::FloorRequestStatus(Group::new(
            floor,
            vec![
                status(RequestStatusValue::Accepted, position),
                m(Value::StatusInfo("queued".into())),
            ],
        )))],
    )))
}

/// The attributes of each primitive's example.
pub fn attributes(p: Primitive) -> Vec<Attribute> {
    match p {
        Primitive::FloorRequest => vec![
            m(Value::FloorId(1)),
            m(Value::FloorId(2)),
            m(Value::BeneficiaryId(5)),
            m(Value::ParticipantProvidedInfo("laptop HDMI".into())),
            m(Value::Priority(Priority::HIGH)),
        ],
        Primitive::FloorRelease | Primitive::FloorRequestQuery => {
            vec![m(Value::FloorRequestId(33))]
        }
        Primitive::FloorRequestStatus | Primitive::ChairAction => vec![granted_request(33)],
        Primitive::UserQuery => vec![m(Value::BeneficiaryId(5))],
        Primitive::UserStatus => vec![
            m(Value::BeneficiaryInformation(user(
                5,
                "Room A",
                "sip:room-a@example.com",
            ))),
            granted_request(33),
            queued_request(34, 1, 1),
        ],
        Primitive::FloorQuery => vec![m(Value::FloorId(1)), m(Value::FloorId(2))],
        Primitive::FloorStatus => vec![
            m(Value::FloorId(1)),
            granted_request(33),
            queued_request(34, 1, 1),
            queued_request(35, 1, 2),
        ],
        Primitive::HelloAck => vec![
            m(Value::SupportedPrimitives(
                Primitive::ALL.iter().map(|p| p.code()).collect(),
            )),
            m(Value::SupportedAttributes((1..=18).collect())),
        ],
        Primitive::Error => vec![
            m(Value::ErrorCode(ErrorCode::unknown_mandatory(&[100, 101]))),
            m(Value::ErrorInfo("unknown attributes".into())),
        ],
        Primitive::Hello => vec![Attribute::optional(Value::Unknown {
            attr_type: 100,
            contents: vec![1, 2, 3],
        })],
        Primitive::ChairActionAck
        | Primitive::FloorRequestStatusAck
        | Primitive::FloorStatusAck
        | Primitive::Goodbye
        | Primitive::GoodbyeAck => Vec::new(),
    }
}

pub fn is_response(p: Primitive) -> bool {
    matches!(
        p,
        Primitive::FloorRequestStatus
            | Primitive::UserStatus
            | Primitive::FloorStatus
            | Primitive::ChairActionAck
            | Primitive::HelloAck
            | Primitive::Error
            | Primitive::FloorRequestStatusAck
            | Primitive::FloorStatusAck
            | Primitive::GoodbyeAck
    )
}

/// One example per primitive in `version`; responses carry the R bit in version 2.
pub fn examples(version: Version) -> Vec<Message> {
    Primitive::ALL
        .iter()
        .enumerate()
        .map(|(i, &p)| {
            let mut h = Header::new(version, p, 0x0102_0304, 100 + i as u16, 7);
            h.responder = version == Version::V2 && is_response(p);
            Message::new(h, attributes(p))
        })
        .collect()
}

/// An Error message for every defined error code.
pub fn error_examples(version: Version) -> Vec<Message> {
    (1..=14u8)
        .map(|c| {
            let h = Header::new(version, Primitive::Error, 1, u16::from(c), 7);
            let code = if c == 4 {
                ErrorCode::unknown_mandatory(&[99])
            } else {
                ErrorCode::new(ErrorCodeValue::from_code(c))
            };
            Message::new(h, vec![m(Value::ErrorCode(code))])
        })
        .collect()
}

/// Every attribute type in `attrs`, nested ones included, depth first.
pub fn types(attrs: &[Attribute], out: &mut Vec<u8>) {
    for a in attrs {
        out.push(a.value.type_code());
        if let Some(g) = a.value.group() {
            types(&g.attributes, out);
        }
    }
}
