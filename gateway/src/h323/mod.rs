//! H.323 in the service: the TCP transport of call signalling and H.245. The calls
//! themselves run in the sans-IO machines of `roomgate_h323::endpoint`, driven by the call
//! layer; this module only moves TPKT packets.

pub mod load;
#[cfg(test)]
mod tests;
pub mod transport;

pub use transport::{ConnEvent, H323Received, H323Settings, H323Transport};
