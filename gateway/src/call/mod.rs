//! Calls: a room leg and a cloud leg with one relay session between them.
//!
//! [`calls::Calls`] is the back-to-back user agent: it owns the call core and, per call, a
//! SIP UAS leg and a SIP UAC leg ([`sip_leg`]). It is driven by the transaction user (events
//! in, requests and responses out through the transaction layer) and reads no clock and opens
//! no socket itself: what needs I/O (resolving a cloud URI) comes out as an [`Action`] for the
//! driver, and the media relay is reached through its synchronous core.

pub mod calls;
pub use roomgate_core::call::dial;
pub mod directory;
#[doc(hidden)]
pub mod fuzz_calls;
#[doc(hidden)]
pub mod fuzz_h323_calls;
pub mod h323_leg;
pub mod ivr;
pub mod media_plane;
pub mod negotiate;
pub mod pin_check;
#[cfg(test)]
mod scenarios;
pub mod sdes;
mod sim;
pub mod sip_leg;

pub use calls::{
    Action, BridgeSettings, CallStats, CallSummary, Calls, H323CallSettings, H323Input, H323Output,
    Protocol, SrtpRuleStats,
};
pub use directory::{Directory, MeetingRoute, StaticDirectory, Upstream};
