//! Roomgate media plane (RTP/RTCP, SRTP, RFC 4733, codecs, relay).
//!
//! Sans-IO: this crate knows nothing of SIP, H.323 or sockets; callers hand it byte buffers
//! and the few RTP header fields they need as plain arguments.

pub mod codec;
pub mod dtmf;
pub mod h264;
pub mod relay;
pub mod rtcp;
pub mod rtp;
pub mod srtp;
