//! Typed errors. Parse errors say what failed and where (byte offset into the message);
//! validation errors name the RFC 3261 rule that a well-formed message broke. The mapping to a
//! SIP status happens in one place, [`DecodeError::uas_status`], at the edge.

use crate::header_name::HeaderName;

/// A syntax fault found while splitting the message into start line, header fields and body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    #[error("message is {size} bytes, over the limit of {limit}")]
    TooLarge { size: usize, limit: usize },
    #[error("message is empty")]
    Empty,
    #[error("header section has no terminating empty line")]
    UnterminatedHeaders,
    #[error("start line at offset {offset}: {what}")]
    StartLine { offset: usize, what: &'static str },
    #[error("start line is longer than {limit} bytes")]
    StartLineTooLong { limit: usize },
    #[error("header line at offset {offset}: {what}")]
    HeaderLine { offset: usize, what: &'static str },
    #[error("header at offset {offset} is longer than {limit} bytes")]
    HeaderTooLong { offset: usize, limit: usize },
    #[error("more than {limit} header fields")]
    TooManyHeaders { limit: usize },
    #[error("invalid UTF-8 in the header section at offset {offset}")]
    InvalidUtf8 { offset: usize },
    #[error("invalid Content-Length: {0}")]
    ContentLength(HeaderError),
    #[error("Content-Length appears {count} times")]
    MultipleContentLength { count: usize },
    #[error("Content-Length is {declared} but only {available} body bytes arrived")]
    BodyTruncated { declared: usize, available: usize },
}

/// A header field value that does not match its grammar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{header}: {what}")]
pub struct HeaderError {
    /// The header field, by its full name.
    pub header: &'static str,
    /// Which rule failed.
    pub what: &'static str,
}

impl HeaderError {
    pub(crate) fn new(header: &HeaderName<'_>, what: &'static str) -> Self {
        Self {
            header: header.static_name(),
            what,
        }
    }
}

/// A message that parses but breaks a rule RFC 3261 sets for every message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationError {
    #[error("unsupported SIP version {0}")]
    UnsupportedVersion(String),
    #[error("required header {0} is missing")]
    MissingHeader(&'static str),
    #[error("header {0} must appear once but appears {1} times")]
    RepeatedHeader(&'static str, usize),
    #[error("CSeq method {cseq} does not match request method {method}")]
    CSeqMethodMismatch { method: String, cseq: String },
    #[error("Request-URI: {0}")]
    RequestUri(&'static str),
    #[error(transparent)]
    Header(#[from] HeaderError),
}

/// Whether a fault was found in a request, a response or something that is neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageKind {
    Request,
    Response,
    Unknown,
}

/// Why a received message was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Fault {
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error(transparent)]
    Invalid(#[from] ValidationError),
}

/// A fault together with the kind of message it was found in, which decides whether anyone is
/// answered (RFC 3261 §8.1.3.3: malformed responses are dropped, never answered).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{fault}")]
pub struct DecodeError {
    pub kind: MessageKind,
    pub fault: Fault,
}

impl DecodeError {
    /// The status a UAS answers a faulty message with, or `None` when it must stay silent.
    pub fn uas_status(&self) -> Option<u16> {
        match (self.kind, &self.fault) {
            (MessageKind::Response, _) => None,
            (_, Fault::Invalid(ValidationError::UnsupportedVersion(_))) => Some(505),
            (_, Fault::Parse(ParseError::TooLarge { .. })) => Some(513),
            _ => Some(400),
        }
    }
}
