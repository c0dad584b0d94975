//! Typed failures of Q.931 decoding and encoding. Offsets count octets from the protocol
//! discriminator, the first octet of the message (the TPKT payload).

use serde::Serialize;

/// Why octets are not a Q.931 message as H.225.0 profiles it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[non_exhaustive]
pub enum DecodeError {
    #[error("truncated {what} at offset {offset}: needs {needed} octets, {available} left")]
    Truncated {
        what: &'static str,
        offset: usize,
        needed: usize,
        available: usize,
    },
    #[error("message of {length} octets exceeds the limit of {limit}")]
    TooLong { length: usize, limit: usize },
    #[error("protocol discriminator {found:#04x} at offset 0, expected 0x08 (Q.931)")]
    ProtocolDiscriminator { found: u8 },
    #[error("call reference length octet {found:#04x} at offset 1: spare bits set or longer than {limit}")]
    CallReferenceLength { found: u8, limit: usize },
    #[error("dummy call reference (length 0) with the flag set is not possible")]
    CallReferenceFlag,
    #[error("message type {found:#04x} at offset {offset} has its extension bit set")]
    MessageTypeExtension { found: u8, offset: usize },
    #[error("more than {limit} information elements (the next at offset {offset})")]
    TooManyElements { limit: usize, offset: usize },
}

/// Why a message cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[non_exhaustive]
pub enum EncodeError {
    #[error("{what} = {value} does not fit its {bits}-bit field")]
    FieldRange {
        what: &'static str,
        value: u32,
        bits: u32,
    },
    #[error(
        "information element {id:#04x}: {length} octets of contents exceed the limit of {limit}"
    )]
    ElementTooLong { id: u8, length: usize, limit: usize },
    #[error("information element identifier {id:#04x} cannot head a {kind} element")]
    ElementId { id: u8, kind: &'static str },
    #[error("{what} contains octet {octet:#04x}, which is not a 7-bit IA5 character")]
    NotIa5 { what: &'static str, octet: u8 },
    #[error("{0}")]
    Inconsistent(&'static str),
    #[error("more than {limit} information elements")]
    TooManyElements { limit: usize },
    #[error("message of {length} octets exceeds the limit of {limit}")]
    TooLong { length: usize, limit: usize },
}
