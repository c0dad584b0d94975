//! Typed failures of the SDP codec.

use std::fmt;

use super::crypto::CryptoError;

/// Where in the input a fault was found: 1-based line number and byte offset of the line
/// start, so that a log line points at the exact spot of a peer's broken body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Position {
    /// 1-based line number.
    pub line: usize,
    /// Byte offset of the start of that line in the body.
    pub offset: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {} (offset {})", self.line, self.offset)
    }
}

/// Why an SDP body was refused.
///
/// Every variant that concerns a place in the body carries its [`Position`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SdpError {
    /// The body is bigger than [`super::limits::MAX_SDP_SIZE`].
    #[error("SDP body of {size} bytes exceeds the limit of {limit}")]
    TooLarge { size: usize, limit: usize },
    /// The body has no lines at all.
    #[error("empty SDP body")]
    Empty,
    /// More lines than [`super::limits::MAX_LINES`].
    #[error("{at}: more than {limit} lines")]
    TooManyLines { at: Position, limit: usize },
    /// A line longer than [`super::limits::MAX_LINE_LENGTH`].
    #[error("{at}: line longer than {limit} bytes")]
    LineTooLong { at: Position, limit: usize },
    /// A line is not UTF-8.
    #[error("{at}: not valid UTF-8")]
    InvalidUtf8 { at: Position },
    /// A NUL, a bare CR or another control character where SDP allows none.
    #[error("{at}: forbidden control character 0x{byte:02x}")]
    ControlCharacter { at: Position, byte: u8 },
    /// A line that is not `<letter>=<value>` (also an empty line inside the body).
    #[error("{at}: not a <type>=<value> line")]
    MalformedLine { at: Position },
    /// A type letter SDP does not define; RFC 8866 §5 requires the whole body be ignored.
    #[error("{at}: unknown line type '{kind}'")]
    UnknownLineType { at: Position, kind: char },
    /// A known line in the wrong place or repeated where only one is allowed.
    #[error("{at}: '{kind}=' line not allowed here: {reason}")]
    UnexpectedLine {
        at: Position,
        kind: char,
        reason: &'static str,
    },
    /// A mandatory line (`v=`, `o=`, `s=`, `t=`) is absent.
    #[error("missing mandatory '{kind}=' line")]
    MissingLine { kind: char },
    /// `v=` other than 0.
    #[error("{at}: unsupported SDP version {version:?}")]
    UnsupportedVersion { at: Position, version: String },
    /// A field of a structured line (`o=`, `c=`, `m=`, `b=`, `t=`, `r=`, `z=`) is wrong.
    #[error("{at}: invalid {field}: {reason}")]
    InvalidField {
        at: Position,
        field: &'static str,
        reason: &'static str,
    },
    /// Too many items of one kind (formats, attributes, media, repeated lines).
    #[error("{at}: more than {limit} {what}")]
    LimitExceeded {
        at: Position,
        what: &'static str,
        limit: usize,
    },
    /// A typed attribute whose value does not follow its grammar.
    #[error("{at}: invalid a={name}: {reason}")]
    InvalidAttribute {
        at: Position,
        name: String,
        reason: &'static str,
    },
    /// An `a=crypto` line that is malformed or whose key does not fit its suite.
    #[error("{at}: invalid a=crypto: {source}")]
    Crypto {
        at: Position,
        #[source]
        source: CryptoError,
    },
}

/// Failure of one attribute value, before the parser adds its position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AttributeError {
    /// The value does not follow the attribute's grammar.
    #[error("{0}")]
    Invalid(&'static str),
    /// An `a=crypto` fault.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}
