//! SIP and SDP codec for Roomgate: a sans-IO parser, validator and serializer.
//!
//! Parsing borrows from the received bytes and stops at syntax; [`validate`] then checks what
//! RFC 3261 requires of a message, and [`uas_refusal`] what a UAS would still refuse. Nothing
//! here opens sockets or reads clocks.
//!
//! ```
//! let datagram = b"OPTIONS sip:1001@127.0.0.1 SIP/2.0\r\n\
//!     Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK776asdhds;rport\r\n\
//!     To: <sip:1001@127.0.0.1>\r\nFrom: <sip:room@example.com>;tag=1928301774\r\n\
//!     Call-ID: a84b4c76e66710\r\nCSeq: 63104 OPTIONS\r\nContent-Length: 0\r\n\r\n";
//! let msg = roomgate_sip::decode_datagram(datagram)?;
//! assert_eq!(msg.top_via()?.rport()?, Some(None));
//! assert_eq!(msg.cseq()?.seq, 63104);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

pub mod dialog;
pub mod digest;
pub mod error;
pub mod framing;
#[doc(hidden)]
pub mod fuzzing;
pub mod header_name;
pub mod headers;
mod lex;
pub mod limits;
pub mod message;
pub mod method;
pub mod owned;
pub mod sdp;
pub mod transaction;
pub mod uas_check;
pub mod uri;
pub mod validate;

pub use dialog::{Dialog, DialogError, DialogId, DialogState};
pub use error::{DecodeError, Fault, HeaderError, MessageKind, ParseError, ValidationError};
pub use framing::{Frame, FramingError, StreamFramer};
pub use header_name::HeaderName;
pub use lex::Param;
pub use message::{parse_datagram, Header, Message, RequestLine, StartLine, StatusLine, Version};
pub use method::Method;
pub use owned::{OwnedMessage, OwnedStartLine};
pub use uas_check::{uas_refusal, Refusal, UasCapabilities};
pub use uri::{Host, SipUri, Uri};
pub use validate::{decode_datagram, validate};
