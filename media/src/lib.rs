//! Roomgate media plane (RTP/RTCP, SRTP, RFC 4733, codecs, relay); nothing here yet.
