//! The protocol-neutral part of a Roomgate call.
//!
//! Every leg — SIP today, H.323 next — describes its media as one [`MediaSpec`]: the SIP
//! adapter maps SDP to it, the H.323 adapter will map H.245 capabilities and logical channels
//! to it. Everything that decides how media crosses between two legs works on `MediaSpec`
//! alone ([`bridge`]), so SDP ↔ H.245 interworking never becomes a special case.
//!
//! This crate cannot depend on a protocol crate (its manifest is checked by a test), which
//! makes the neutrality a compile-time fact rather than a convention.

#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

pub mod bridge;
pub mod call;
pub mod codecs;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod media_spec;

pub use bridge::{bridge_streams, pin_streams, reserve_streams, AudioPath, BridgeError};
pub use media_spec::{
    Codec, Direction, MediaSpec, SrtpKeys, StreamRole, StreamSpec, TelephoneEvent,
};
