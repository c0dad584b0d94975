//! SIP and SDP codec for Roomgate.
pub mod sdp;
