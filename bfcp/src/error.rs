//! Typed failures of decoding, encoding and grammar validation.
//!
//! A decode failure keeps the common header when its twelve octets could be read, because a
//! floor control server answers most bad requests with an Error message addressed by the
//! request's conference, transaction and user IDs; [`Fault::error_code`] says which code.

use serde::Serialize;

use crate::attribute::{AttributeType, ErrorCodeValue};
use crate::header::CommonHeader;
use crate::primitive::Primitive;

/// Why a datagram or stream message could not be decoded, and the header if it was readable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{fault}")]
pub struct DecodeError {
    /// `None` when fewer than twelve octets arrived; otherwise what the header said.
    pub header: Option<CommonHeader>,
    pub fault: Fault,
}

impl DecodeError {
    pub(crate) fn new(header: Option<CommonHeader>, fault: Fault) -> Self {
        DecodeError { header, fault }
    }
}

/// What was wrong; offsets count octets from the first octet of the common header.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
pub enum Fault {
    #[error("truncated {what} at offset {offset}: needs {needed} octets, {available} left")]
    Truncated {
        what: &'static str,
        offset: usize,
        needed: usize,
        available: usize,
    },
    #[error("unsupported BFCP version {version} (only 1 and 2 exist)")]
    UnsupportedVersion { version: u8 },
    #[error("header announces {declared} octets but {actual} arrived")]
    LengthMismatch { declared: usize, actual: usize },
    #[error("message of {size} octets exceeds the limit of {limit}")]
    TooLarge { size: usize, limit: usize },
    #[error("unknown primitive {primitive}")]
    UnknownPrimitive { primitive: u8 },
    #[error("F bit set: this datagram is a fragment, not a whole message")]
    Fragmented,
    #[error("fragment of {length} units at unit {offset} does not fit a message of {total} units")]
    FragmentOutOfRange {
        offset: u16,
        length: u16,
        total: u16,
    },
    #[error("unknown mandatory attributes {types:?}")]
    UnknownMandatoryAttributes { types: Vec<u8> },
    #[error(
        "attribute type {attr_type} at offset {offset}: length {length} is below its minimum {min}"
    )]
    AttributeTooShort {
        attr_type: u8,
        offset: usize,
        length: usize,
        min: usize,
    },
    #[error("attribute type {attr_type} at offset {offset}: length {length}, must be {expected}")]
    WrongAttributeLength {
        attr_type: u8,
        offset: usize,
        length: usize,
        expected: usize,
    },
    #[error("attribute type {attr_type} at offset {offset}: length {length} overruns its container ({available} octets left)")]
    AttributeOverrun {
        attr_type: u8,
        offset: usize,
        length: usize,
        available: usize,
    },
    #[error("attribute type {attr_type} at offset {offset}: text is not UTF-8")]
    InvalidUtf8 { attr_type: u8, offset: usize },
    #[error("REQUEST-STATUS at offset {offset}: unknown status {value}")]
    UnknownRequestStatus { value: u8, offset: usize },
    #[error("{child} at offset {offset} is not allowed inside {parent}")]
    NotAllowedInGroup {
        parent: AttributeType,
        child: AttributeType,
        offset: usize,
    },
    #[error("attribute at offset {offset} is nested deeper than {limit} levels")]
    TooDeep { offset: usize, limit: usize },
    #[error("more than {limit} attributes (at offset {offset})")]
    TooManyAttributes { limit: usize, offset: usize },
}

impl Fault {
    /// The RFC 8855 §5.2.6 error code a floor control server answers this fault with.
    pub fn error_code(&self) -> ErrorCodeValue {
        match self {
            Fault::UnsupportedVersion { .. } => ErrorCodeValue::UnsupportedVersion,
            Fault::LengthMismatch { .. } => ErrorCodeValue::IncorrectMessageLength,
            Fault::UnknownPrimitive { .. } => ErrorCodeValue::UnknownPrimitive,
            Fault::UnknownMandatoryAttributes { .. } => ErrorCodeValue::UnknownMandatoryAttribute,
            _ => ErrorCodeValue::UnableToParseMessage,
        }
    }
}

/// Why a message could not be put on the wire.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    #[error("{what} would be {length} octets; its one-octet Length field stops at 255")]
    AttributeTooLong { what: String, length: usize },
    #[error("message would be {size} octets, over the limit of {limit}")]
    MessageTooLarge { size: usize, limit: usize },
    #[error("more than {limit} attributes")]
    TooManyAttributes { limit: usize },
    #[error("attributes nested deeper than {limit} levels")]
    TooDeep { limit: usize },
    #[error("{what} = {value} does not fit its field")]
    ValueOutOfRange { what: &'static str, value: u32 },
    #[error("unknown attribute type {attr_type} collides with a type this codec knows; use the typed value")]
    UnknownTypeIsKnown { attr_type: u8 },
    #[error("version 1 has no fragments (RFC 8855 §5.1: fragmentation is for UDP, version 2)")]
    FragmentInVersion1,
    #[error("fragment data of {len} octets is not a whole number of 4-octet units")]
    UnalignedFragment { len: usize },
}

/// Where a grammar rule was broken: the message itself or one of its grouped attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Context {
    Message(Primitive),
    Group(AttributeType),
}

impl std::fmt::Display for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Context::Message(p) => write!(f, "{p}"),
            Context::Group(t) => write!(f, "{t}"),
        }
    }
}

/// A decoded message whose attributes do not follow its primitive's RFC 8855 §5.3 grammar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
pub enum GrammarError {
    #[error("{within} needs at least {min} {attribute}, has {count}")]
    Missing {
        within: Context,
        attribute: AttributeType,
        min: usize,
        count: usize,
    },
    #[error("{within} allows at most {max} {attribute}, has {count}")]
    TooMany {
        within: Context,
        attribute: AttributeType,
        max: usize,
        count: usize,
    },
    #[error("{attribute} is not part of {within}'s grammar")]
    NotAllowed {
        within: Context,
        attribute: AttributeType,
    },
}
