//! rtpengine's ng control protocol, so a SIP proxy (Kamailio's or OpenSIPS's rtpengine
//! module) can put its calls' media through Roomgate's relay: the bencode codec and the
//! typed messages, sans-IO. The listener and the commands' effect on the relay build on them.

pub mod bencode;
#[doc(hidden)]
pub mod fuzzing;
pub mod message;
pub mod rewrite;
#[cfg(test)]
mod tests;

pub use bencode::{BencodeError, Value};
pub use message::{Command, NgError, OfferAnswer, Request, Response};
