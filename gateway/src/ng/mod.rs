//! rtpengine's ng control protocol, so a SIP proxy (Kamailio's or OpenSIPS's rtpengine
//! module) can put its calls' media through Roomgate's relay: the bencode codec and the
//! typed messages, the SDP rewrite and the calls' effect on the relay ([`sessions`]), all
//! sans-IO; the UDP listener ([`listen`]) runs them in `roomgate serve`.

pub mod bencode;
pub mod cache;
pub mod flags;
#[doc(hidden)]
pub mod fuzzing;
pub mod listen;
pub mod message;
pub mod rewrite;
#[cfg(test)]
mod session_tests;
pub mod sessions;
pub mod side;
#[cfg(test)]
mod tests;

pub use bencode::{BencodeError, Value};
pub use message::{Command, NgError, OfferAnswer, Request, Response};
pub use sessions::{CallError, NgCalls};
