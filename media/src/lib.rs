//! Roomgate media plane (RTP/RTCP, SRTP, RFC 4733, codecs, relay).
//!
//! Sans-IO: this crate knows nothing of SIP, H.323 or sockets; callers hand it byte buffers.

pub mod rtcp;
pub mod rtp;
pub mod srtp;
