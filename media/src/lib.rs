//! Roomgate media plane (RTP/RTCP, SRTP, RFC 4733, codecs, relay).
//!
//! This crate knows nothing of SIP or H.323; APIs take payload bytes and the few RTP header
//! fields they need as plain arguments.

pub mod codec;
pub mod dtmf;
pub mod h264;
