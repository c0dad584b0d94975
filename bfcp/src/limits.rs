//! Named bounds on what the decoder accepts and the encoder produces.
//!
//! BFCP itself allows a payload of 65,535 four-octet units (about 256 KiB) and attribute
//! lists of any length; a floor control exchange needs a tiny fraction of that, so the
//! limits below keep memory per datagram (or per reassembled message) small and fixed
//! whatever a peer sends.

/// Largest whole message, common header included, that we decode or encode. A FloorStatus
/// listing every request of a busy conference stays far below this.
pub const MAX_MESSAGE_LEN: usize = 65_536;

/// Most attributes in one message, nested ones included. Each attribute costs at least
/// four octets on the wire, so this bounds allocations before `MAX_MESSAGE_LEN` would.
pub const MAX_ATTRIBUTES: usize = 1024;

/// Deepest nesting of attributes. The RFC 8855 grammar nests at most three levels:
/// FLOOR-REQUEST-INFORMATION > FLOOR-REQUEST-STATUS > REQUEST-STATUS.
pub const MAX_NESTING_DEPTH: usize = 3;

/// The attribute Length field is one octet and counts the two-octet attribute header, so no
/// attribute (grouped ones included) can exceed this many octets before padding.
pub const MAX_ATTRIBUTE_LEN: usize = 255;

/// Longest UTF-8 text (display name, URI, status or error info): an attribute's maximum
/// length minus its two-octet header.
pub const MAX_TEXT_LEN: usize = MAX_ATTRIBUTE_LEN - 2;

/// Common header without the fragment fields.
pub const HEADER_LEN: usize = 12;

/// Common header of a version-2 fragment (F bit set): two more 16-bit fields.
pub const FRAGMENT_HEADER_LEN: usize = 16;
