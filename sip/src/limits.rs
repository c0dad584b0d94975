//! Named limits on everything a peer controls. Each bound is generous for real SIP traffic
//! (the longest RFC 4475 message is 3.5 KB) and small enough that a hostile peer cannot make
//! one message cost more than a few hundred kilobytes of work.

/// Largest SIP message accepted, headers and body together. A UDP datagram cannot exceed
/// 65,535 bytes, and the TCP/TLS framer refuses anything larger so a peer cannot make us buffer
/// an unbounded message.
pub const MAX_MESSAGE_SIZE: usize = 65_535;

/// Most header fields in one message. Room systems send about 20; proxies add a few Via and
/// Record-Route each.
pub const MAX_HEADERS: usize = 256;

/// Longest single header field (name, value and folded continuation lines together).
pub const MAX_HEADER_LEN: usize = 8 * 1024;

/// Longest start line (the Request-URI is the only unbounded part).
pub const MAX_START_LINE_LEN: usize = 8 * 1024;

/// Most values in one comma-separated header field (e.g. Via entries in a single `Via:` line).
pub const MAX_LIST_ITEMS: usize = 64;

/// Most `;name=value` parameters on one URI or header value.
pub const MAX_PARAMS: usize = 64;

/// Largest Content-Length accepted; anything above cannot fit in [`MAX_MESSAGE_SIZE`] anyway.
pub const MAX_CONTENT_LENGTH: usize = MAX_MESSAGE_SIZE;
