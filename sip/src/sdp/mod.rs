//! SDP (RFC 8866) codec and RFC 3264 offer/answer helpers.
