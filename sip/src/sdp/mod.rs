//! SDP (RFC 8866) codec and RFC 3264 offer/answer helpers.
//!
//! Bodies are small, so everything is owned. Parsing is line based rather than one big
//! grammar because the SDP grammar *is* a sequence of `<letter>=<value>` lines whose order
//! is what needs checking; each value then has its own small parser.
//!
//! Round trip: every `a=` line keeps the text it arrived with (see [`Attribute`]), IPv6
//! literals keep their spelling, and all other lines have one canonical form, so a body
//! with CRLF line ends that we accept serializes back byte for byte. The exceptions are
//! the tolerances listed in the parser docs (LF line ends, trailing blanks on structured
//! lines, trailing empty lines, a missing final line end); those come back normalized.
//!
//! Every count and length from the wire is bounded by [`limits`]; every failure is an
//! [`SdpError`] with its line and offset. Keys never appear in `Debug` or serde output.

mod attribute;
mod base64;
mod bfcp;
mod connection;
mod crypto;
mod error;
pub mod h264;
pub mod limits;
mod media;
pub mod offer_answer;
mod parse;
mod serialize;
mod session;
mod timing;

pub use attribute::{
    Attribute, AttributeValue, ContentRole, Direction, Fmtp, Rtcp, RtcpFb, Rtpmap,
};
pub use bfcp::{FloorCtrlRole, FloorId};
pub use connection::{AddrType, Connection, ConnectionAddress, Host, Origin};
pub use crypto::{
    Crypto, CryptoError, CryptoSuite, KeyMaterial, KeyParam, Lifetime, Mki, SessionParam,
};
pub use error::{AttributeError, Position, SdpError};
pub use media::{MediaDescription, MediaType, Proto};
pub use session::{Bandwidth, BandwidthType, Key, SessionDescription};
pub use timing::{Repeat, TimeUnit, Timing, TypedTime, ZoneAdjustment};

/// Fuzz entry point: parse; whatever parses must serialize to something that parses to
/// the same value.
// The assert is the oracle the fuzzer needs; it is the only panic allowed in this module.
#[allow(clippy::panic)]
pub fn fuzz_parse(data: &[u8]) {
    if let Ok(sdp) = SessionDescription::parse(data) {
        let bytes = sdp.to_bytes();
        match SessionDescription::parse(&bytes) {
            Ok(again) if again == sdp => {}
            Ok(again) => panic!("round trip changed the value: {sdp:?} became {again:?}"),
            Err(e) => panic!("serialized body does not parse: {e}"),
        }
    }
}
