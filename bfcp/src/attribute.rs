//! Attribute values (RFC 8855 §5.2). Wire handling lives in `attr_codec`.
//!
//! Every attribute is `Type (7 bits) | M (1 bit) | Length (8 bits) | contents | padding`;
//! Length counts the two header octets and the contents, never the padding, and a grouped
//! attribute's Length covers its nested attributes including their padding. Attributes are
//! kept in wire order with their M bit, so a decoded message encodes back to the same
//! octets (padding and reserved bits aside, which the receiver ignores and we send as zero).

use serde::Serialize;

/// Attribute type numbers (RFC 8855 §5.2 Table 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[repr(u8)]
pub enum AttributeType {
    BeneficiaryId = 1,
    FloorId = 2,
    FloorRequestId = 3,
    Priority = 4,
    RequestStatus = 5,
    ErrorCode = 6,
    ErrorInfo = 7,
    ParticipantProvidedInfo = 8,
    StatusInfo = 9,
    SupportedAttributes = 10,
    SupportedPrimitives = 11,
    UserDisplayName = 12,
    UserUri = 13,
    BeneficiaryInformation = 14,
    FloorRequestInformation = 15,
    RequestedByInformation = 16,
    FloorRequestStatus = 17,
    OverallRequestStatus = 18,
}

impl AttributeType {
    pub const ALL: [AttributeType; 18] = [
        AttributeType::BeneficiaryId,
        AttributeType::FloorId,
        AttributeType::FloorRequestId,
        AttributeType::Priority,
        AttributeType::RequestStatus,
        AttributeType::ErrorCode,
        AttributeType::ErrorInfo,
        AttributeType::ParticipantProvidedInfo,
        AttributeType::StatusInfo,
        AttributeType::SupportedAttributes,
        AttributeType::SupportedPrimitives,
        AttributeType::UserDisplayName,
        AttributeType::UserUri,
        AttributeType::BeneficiaryInformation,
        AttributeType::FloorRequestInformation,
        AttributeType::RequestedByInformation,
        AttributeType::FloorRequestStatus,
        AttributeType::OverallRequestStatus,
    ];

    pub fn code(self) -> u8 {
        self as u8
    }

    /// `None` for extension (unknown) types.
    pub fn from_code(code: u8) -> Option<AttributeType> {
        AttributeType::ALL.into_iter().find(|t| t.code() == code)
    }

    /// Grouped attributes carry a 16-bit ID and nested attributes.
    pub fn is_grouped(self) -> bool {
        self.code() >= AttributeType::BeneficiaryInformation.code()
    }

    pub fn name(self) -> &'static str {
        match self {
            AttributeType::BeneficiaryId => "BENEFICIARY-ID",
            AttributeType::FloorId => "FLOOR-ID",
            AttributeType::FloorRequestId => "FLOOR-REQUEST-ID",
            AttributeType::Priority => "PRIORITY",
            AttributeType::RequestStatus => "REQUEST-STATUS",
            AttributeType::ErrorCode => "ERROR-CODE",
            AttributeType::ErrorInfo => "ERROR-INFO",
            AttributeType::ParticipantProvidedInfo => "PARTICIPANT-PROVIDED-INFO",
            AttributeType::StatusInfo => "STATUS-INFO",
            AttributeType::SupportedAttributes => "SUPPORTED-ATTRIBUTES",
            AttributeType::SupportedPrimitives => "SUPPORTED-PRIMITIVES",
            AttributeType::UserDisplayName => "USER-DISPLAY-NAME",
            AttributeType::UserUri => "USER-URI",
            AttributeType::BeneficiaryInformation => "BENEFICIARY-INFORMATION",
            AttributeType::FloorRequestInformation => "FLOOR-REQUEST-INFORMATION",
            AttributeType::RequestedByInformation => "REQUESTED-BY-INFORMATION",
            AttributeType::FloorRequestStatus => "FLOOR-REQUEST-STATUS",
            AttributeType::OverallRequestStatus => "OVERALL-REQUEST-STATUS",
        }
    }
}

impl std::fmt::Display for AttributeType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// PRIORITY's 3-bit Prio field. Values 5..=7 are unassigned but fit the field, so they are
/// carried rather than refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Priority(pub u8);

impl Priority {
    pub const LOWEST: Priority = Priority(0);
    pub const LOW: Priority = Priority(1);
    pub const NORMAL: Priority = Priority(2);
    pub const HIGH: Priority = Priority(3);
    pub const HIGHEST: Priority = Priority(4);
}

/// REQUEST-STATUS values (RFC 8855 §5.2.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[repr(u8)]
pub enum RequestStatusValue {
    Pending = 1,
    Accepted = 2,
    Granted = 3,
    Denied = 4,
    Cancelled = 5,
    Released = 6,
    Revoked = 7,
}

impl RequestStatusValue {
    pub const ALL: [RequestStatusValue; 7] = [
        RequestStatusValue::Pending,
        RequestStatusValue::Accepted,
        RequestStatusValue::Granted,
        RequestStatusValue::Denied,
        RequestStatusValue::Cancelled,
        RequestStatusValue::Released,
        RequestStatusValue::Revoked,
    ];

    pub fn code(self) -> u8 {
        self as u8
    }

    pub fn from_code(code: u8) -> Option<RequestStatusValue> {
        RequestStatusValue::ALL
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// A request's state and, for Accepted requests, its place in the queue (0: not given).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RequestStatus {
    pub status: RequestStatusValue,
    pub queue_position: u8,
}

/// ERROR-CODE values (RFC 8855 §5.2.6 Table 5; 1..=9 were already in RFC 4582). Codes a
/// later RFC may register are kept as `Other` so an Error from a newer peer still decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ErrorCodeValue {
    ConferenceDoesNotExist,
    UserDoesNotExist,
    UnknownPrimitive,
    UnknownMandatoryAttribute,
    UnauthorizedOperation,
    InvalidFloorId,
    FloorRequestIdDoesNotExist,
    MaxFloorRequestsReached,
    UseTls,
    UnableToParseMessage,
    UseDtls,
    UnsupportedVersion,
    IncorrectMessageLength,
    GenericError,
    Other(u8),
}

impl ErrorCodeValue {
    const KNOWN: [ErrorCodeValue; 14] = [
        ErrorCodeValue::ConferenceDoesNotExist,
        ErrorCodeValue::UserDoesNotExist,
        ErrorCodeValue::UnknownPrimitive,
        ErrorCodeValue::UnknownMandatoryAttribute,
        ErrorCodeValue::UnauthorizedOperation,
        ErrorCodeValue::InvalidFloorId,
        ErrorCodeValue::FloorRequestIdDoesNotExist,
        ErrorCodeValue::MaxFloorRequestsReached,
        ErrorCodeValue::UseTls,
        ErrorCodeValue::UnableToParseMessage,
        ErrorCodeValue::UseDtls,
        ErrorCodeValue::UnsupportedVersion,
        ErrorCodeValue::IncorrectMessageLength,
        ErrorCodeValue::GenericError,
    ];

    pub fn code(self) -> u8 {
        match self {
            ErrorCodeValue::Other(c) => c,
            known => {
                let i = ErrorCodeValue::KNOWN
                    .iter()
                    .position(|k| *k == known)
                    .unwrap_or_default();
                u8::try_from(i + 1).unwrap_or_default()
            }
        }
    }

    pub fn from_code(code: u8) -> ErrorCodeValue {
        usize::from(code)
            .checked_sub(1)
            .and_then(|i| ErrorCodeValue::KNOWN.get(i).copied())
            .unwrap_or(ErrorCodeValue::Other(code))
    }
}

/// ERROR-CODE: the code and its Error Specific Details, kept as sent. For code 4 the
/// details list the unknown attribute types, one octet each (7-bit type, reserved bit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorCode {
    pub code: ErrorCodeValue,
    pub details: Vec<u8>,
}

impl ErrorCode {
    pub fn new(code: ErrorCodeValue) -> Self {
        ErrorCode {
            code,
            details: Vec::new(),
        }
    }

    /// Code 4 listing the attribute types the receiver did not understand.
    pub fn unknown_mandatory(types: &[u8]) -> Self {
        ErrorCode {
            code: ErrorCodeValue::UnknownMandatoryAttribute,
            details: types.iter().map(|t| t << 1).collect(),
        }
    }

    /// The attribute types listed by a code-4 error; empty for other codes.
    pub fn unknown_attributes(&self) -> Vec<u8> {
        if self.code == ErrorCodeValue::UnknownMandatoryAttribute {
            self.details.iter().map(|b| b >> 1).collect()
        } else {
            Vec::new()
        }
    }
}

/// The shared shape of the five grouped attributes: a 16-bit ID (beneficiary, floor request,
/// requested-by or floor ID, by type) and the nested attributes in wire order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    pub id: u16,
    pub attributes: Vec<Attribute>,
}

impl Group {
    pub fn new(id: u16, attributes: Vec<Attribute>) -> Self {
        Group { id, attributes }
    }

    /// Nested attributes of one type, in order.
    pub fn find(&self, ty: AttributeType) -> impl Iterator<Item = &Value> {
        find(&self.attributes, ty)
    }
}

/// One attribute's contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Value {
    BeneficiaryId(u16),
    FloorId(u16),
    FloorRequestId(u16),
    Priority(Priority),
    RequestStatus(RequestStatus),
    ErrorCode(ErrorCode),
    ErrorInfo(String),
    ParticipantProvidedInfo(String),
    StatusInfo(String),
    /// Attribute types, 7 bits each.
    SupportedAttributes(Vec<u8>),
    /// Primitive values, unknown ones included.
    SupportedPrimitives(Vec<u8>),
    UserDisplayName(String),
    UserUri(String),
    BeneficiaryInformation(Group),
    FloorRequestInformation(Group),
    RequestedByInformation(Group),
    FloorRequestStatus(Group),
    OverallRequestStatus(Group),
    /// An extension attribute: type not in RFC 8855, contents without padding.
    Unknown {
        attr_type: u8,
        contents: Vec<u8>,
    },
}

impl Value {
    /// `None` for an extension attribute.
    pub fn attribute_type(&self) -> Option<AttributeType> {
        Some(match self {
            Value::BeneficiaryId(_) => AttributeType::BeneficiaryId,
            Value::FloorId(_) => AttributeType::FloorId,
            Value::FloorRequestId(_) => AttributeType::FloorRequestId,
            Value::Priority(_) => AttributeType::Priority,
            Value::RequestStatus(_) => AttributeType::RequestStatus,
            Value::ErrorCode(_) => AttributeType::ErrorCode,
            Value::ErrorInfo(_) => AttributeType::ErrorInfo,
            Value::ParticipantProvidedInfo(_) => AttributeType::ParticipantProvidedInfo,
            Value::StatusInfo(_) => AttributeType::StatusInfo,
            Value::SupportedAttributes(_) => AttributeType::SupportedAttributes,
            Value::SupportedPrimitives(_) => AttributeType::SupportedPrimitives,
            Value::UserDisplayName(_) => AttributeType::UserDisplayName,
            Value::UserUri(_) => AttributeType::UserUri,
            Value::BeneficiaryInformation(_) => AttributeType::BeneficiaryInformation,
            Value::FloorRequestInformation(_) => AttributeType::FloorRequestInformation,
            Value::RequestedByInformation(_) => AttributeType::RequestedByInformation,
            Value::FloorRequestStatus(_) => AttributeType::FloorRequestStatus,
            Value::OverallRequestStatus(_) => AttributeType::OverallRequestStatus,
            Value::Unknown { .. } => return None,
        })
    }

    /// The wire type number.
    pub fn type_code(&self) -> u8 {
        match self {
            Value::Unknown { attr_type, .. } => *attr_type,
            known => known
                .attribute_type()
                .map(AttributeType::code)
                .unwrap_or_default(),
        }
    }

    /// The nested attributes of a grouped attribute.
    pub fn group(&self) -> Option<&Group> {
        match self {
            Value::BeneficiaryInformation(g)
            | Value::FloorRequestInformation(g)
            | Value::RequestedByInformation(g)
            | Value::FloorRequestStatus(g)
            | Value::OverallRequestStatus(g) => Some(g),
            _ => None,
        }
    }
}

/// An attribute with its M (mandatory) bit: when set, a receiver that does not know the type
/// must refuse the message with Error code 4 instead of skipping the attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attribute {
    pub mandatory: bool,
    pub value: Value,
}

impl Attribute {
    /// M bit set: what we send for every attribute the grammar requires.
    pub fn mandatory(value: Value) -> Self {
        Attribute {
            mandatory: true,
            value,
        }
    }

    /// M bit clear: a receiver that does not know the type skips it.
    pub fn optional(value: Value) -> Self {
        Attribute {
            mandatory: false,
            value,
        }
    }
}

/// Attributes of one type in a list, in order.
pub fn find(attributes: &[Attribute], ty: AttributeType) -> impl Iterator<Item = &Value> {
    attributes
        .iter()
        .map(|a| &a.value)
        .filter(move |v| v.attribute_type() == Some(ty))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_round_trip_and_keep_unassigned_ones() {
        for c in 0..=u8::MAX {
            assert_eq!(ErrorCodeValue::from_code(c).code(), c);
        }
        assert_eq!(
            ErrorCodeValue::from_code(4),
            ErrorCodeValue::UnknownMandatoryAttribute
        );
        assert_eq!(
            ErrorCodeValue::from_code(13),
            ErrorCodeValue::IncorrectMessageLength
        );
        assert_eq!(ErrorCodeValue::from_code(14), ErrorCodeValue::GenericError);
        assert_eq!(ErrorCodeValue::from_code(15), ErrorCodeValue::Other(15));
        assert_eq!(ErrorCodeValue::from_code(0), ErrorCodeValue::Other(0));
    }

    #[test]
    fn attribute_types_are_numbered_as_in_the_rfc() {
        for (i, t) in AttributeType::ALL.iter().enumerate() {
            assert_eq!(usize::from(t.code()), i + 1);
            assert_eq!(t.is_grouped(), t.code() >= 14, "{t}");
        }
        assert_eq!(AttributeType::from_code(19), None);
    }

    #[test]
    fn unknown_mandatory_list_uses_the_high_seven_bits() {
        let e = ErrorCode::unknown_mandatory(&[19, 127]);
        assert_eq!(e.details, [38, 254]);
        assert_eq!(e.unknown_attributes(), [19, 127]);
        assert!(ErrorCode::new(ErrorCodeValue::UseTls)
            .unknown_attributes()
            .is_empty());
    }
}
