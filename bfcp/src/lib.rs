//! BFCP, the Binary Floor Control Protocol (RFC 8855, and the RFC 4582 version-1 wire form),
//! for Roomgate: who may present content in a call is a floor, requested, granted and
//! released over BFCP.
//!
//! This crate is sans-IO: no sockets, clocks or randomness (time comes in as an `Instant`,
//! transaction IDs from caller-seeded counters), and no dependency on the rest of the gateway:
//!
//! - [`header`]: the common header, versions 1 (TCP/TLS) and 2 (UDP, with the R and F bits
//!   and fragment fields);
//! - [`attribute`]: every RFC 8855 attribute, grouped ones included, and unknown extension
//!   attributes with their M bit;
//! - [`message`]: whole messages for every primitive, and version-2 fragments;
//! - grammar checking of a decoded message, a separate step ([`Message::validate`]);
//! - [`error`]: typed failures that carry the offset and, when readable, the header, and map
//!   to the Error code a floor control server answers with ([`Fault::error_code`]);
//! - [`limits`]: the named bounds on size, attribute count, nesting, text and state;
//! - [`transport`]: the four transports and which version each carries;
//! - [`stream`]: framing of messages on a TCP/TLS stream;
//! - [`udp`]: BFCP over UDP: retransmission on T1, the response cache kept for T2, the
//!   acknowledgements of server notifications, fragmentation and reassembly;
//! - [`server`]: the floor control server; [`participant`]: the floor participant (both
//!   use [`udp`] by themselves when their transport is UDP);
//! - [`negotiate`]: the RFC 8856 / RFC 4145 offer/answer rules over plain values.
//!
//! ```
//! use roomgate_bfcp::{Attribute, Header, Message, Primitive, Value, Version};
//!
//! let request = Message::new(
//!     Header::new(Version::V1, Primitive::FloorRequest, 1, 7, 2),
//!     vec![Attribute::mandatory(Value::FloorId(1))],
//! );
//! let bytes = request.encode()?;
//! assert_eq!(Message::decode(&bytes)?, request);
//! request.validate()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod attr_codec;
pub mod attribute;
mod compose;
pub mod error;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod grammar;
pub mod header;
pub mod limits;
pub mod message;
pub mod negotiate;
pub mod participant;
pub mod primitive;
pub mod server;
pub mod stream;
pub mod transport;
pub mod udp;
mod wire;

pub use attribute::{
    Attribute, AttributeType, ErrorCode, ErrorCodeValue, Group, Priority, RequestStatus,
    RequestStatusValue, Value,
};
pub use error::{Context, DecodeError, EncodeError, Fault, GrammarError};
pub use header::{CommonHeader, FragmentFields, Header, Version};
pub use message::{Fragment, Message};
pub use participant::{
    FloorState, Participant, ParticipantConfig, ParticipantError, ParticipantEvent,
    ParticipantOutput, SessionState,
};
pub use primitive::Primitive;
pub use server::{
    LeaveReason, Policy, Server, ServerConfig, ServerConfigError, ServerEvent, ServerOutput,
};
pub use stream::{StreamError, StreamFramer};
pub use transport::Transport;
pub use udp::{UdpConfig, UdpStats};
