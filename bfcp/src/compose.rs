//! Building and reading the grouped attributes both state machines exchange: a floor
//! request's FLOOR-REQUEST-INFORMATION, Error messages, HelloAck contents.

use crate::attribute::{
    Attribute, AttributeType, ErrorCode, Group, RequestStatus, RequestStatusValue, Value,
};
use crate::header::Header;
use crate::limits::MAX_TEXT_LEN;
use crate::message::Message;
use crate::primitive::Primitive;

/// What both ends know about one floor request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RequestView {
    pub id: u16,
    pub user_id: u16,
    pub floors: Vec<u16>,
    pub status: RequestStatusValue,
    pub queue_position: u8,
}

fn m(v: Value) -> Attribute {
    Attribute::mandatory(v)
}

/// FLOOR-REQUEST-INFORMATION: overall status, one FLOOR-REQUEST-STATUS per floor, and the
/// beneficiary (the requester: we take no third-party requests) so FloorStatus says who.
pub(crate) fn floor_request_information(r: &RequestView) -> Attribute {
    let mut inner = vec![m(Value::OverallRequestStatus(Group::new(
        r.id,
        vec![m(Value::RequestStatus(RequestStatus {
            status: r.status,
            queue_position: r.queue_position,
        }))],
    )))];
    inner.extend(
        r.floors
            .iter()
            .map(|f| m(Value::FloorRequestStatus(Group::new(*f, Vec::new())))),
    );
    inner.push(m(Value::BeneficiaryInformation(Group::new(
        r.user_id,
        Vec::new(),
    ))));
    m(Value::FloorRequestInformation(Group::new(r.id, inner)))
}

/// Reads a FLOOR-REQUEST-INFORMATION back. `user_id` is the beneficiary when given, else 0.
/// Requests without an overall REQUEST-STATUS take the first floor's one; none at all gives
/// `None` (nothing to track).
pub(crate) fn read_floor_request_information(g: &Group) -> Option<RequestView> {
    let status_in = |group: &Group| {
        group
            .find(AttributeType::RequestStatus)
            .find_map(|v| match v {
                Value::RequestStatus(s) => Some(*s),
                _ => None,
            })
    };
    let mut floors = Vec::new();
    let mut floor_status = None;
    for v in g.find(AttributeType::FloorRequestStatus) {
        if let Some(fg) = v.group() {
            floors.push(fg.id);
            floor_status = floor_status.or_else(|| status_in(fg));
        }
    }
    let overall = g
        .find(AttributeType::OverallRequestStatus)
        .find_map(|v| v.group().and_then(status_in));
    let status = overall.or(floor_status)?;
    let user_id = g
        .find(AttributeType::BeneficiaryInformation)
        .find_map(|v| v.group().map(|b| b.id))
        .unwrap_or_default();
    Some(RequestView {
        id: g.id,
        user_id,
        floors,
        status: status.status,
        queue_position: status.queue_position,
    })
}

/// Cuts text to what one attribute carries, on a character boundary.
pub(crate) fn clip(text: &str) -> String {
    let mut end = text.len().min(MAX_TEXT_LEN);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default().to_owned()
}

/// An Error message answering `request` (its IDs, the given version and R bit).
pub(crate) fn error_message(header: Header, code: ErrorCode, info: Option<&str>) -> Message {
    let mut attributes = vec![m(Value::ErrorCode(code))];
    if let Some(info) = info {
        attributes.push(m(Value::ErrorInfo(clip(info))));
    }
    Message::new(
        Header {
            primitive: Primitive::Error,
            ..header
        },
        attributes,
    )
}

/// Every attribute type this crate reads: what HelloAck's SUPPORTED-ATTRIBUTES lists.
pub(crate) fn supported_attributes() -> Vec<u8> {
    AttributeType::ALL.iter().map(|t| t.code()).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn floor_request_information_reads_back_and_validates() {
        let r = RequestView {
            id: 9,
            user_id: 4,
            floors: vec![1, 2],
            status: RequestStatusValue::Accepted,
            queue_position: 3,
        };
        let a = floor_request_information(&r);
        let g = a.value.group().unwrap();
        assert_eq!(read_floor_request_information(g), Some(r));
        let msg = Message::new(
            Header::new(crate::Version::V1, Primitive::FloorRequestStatus, 1, 1, 4),
            vec![a],
        );
        msg.validate().unwrap();
        let bytes = msg.encode().unwrap();
        assert_eq!(Message::decode(&bytes).unwrap(), msg);
    }

    #[test]
    fn clip_keeps_characters_whole() {
        let s = "é".repeat(200);
        let c = clip(&s);
        assert!(c.len() <= MAX_TEXT_LEN && c.len() % 2 == 0);
        assert_eq!(clip("short"), "short");
    }
}
