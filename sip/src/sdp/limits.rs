//! Bounds on everything a peer controls.
//!
//! An SDP body arrives from an unauthenticated network peer, so every count and length
//! that drives an allocation or a loop is capped here. The values are far above what any
//! real endpoint sends (a large room system offer is about 2 KiB, 10 m-lines, 60 attributes
//! per section), so they never bite in practice but keep a hostile body from costing more
//! than a few hundred KiB of memory.

/// Largest SDP body accepted, in bytes. SIP over UDP cannot carry more than 64 KiB anyway,
/// and over TCP a bigger body is an attack, not an offer.
pub const MAX_SDP_SIZE: usize = 64 * 1024;

/// Largest single line (type letter, `=` and value, without the line end), in bytes.
/// Long `a=fmtp` lines (H.264 with sprop-parameter-sets) stay well below 1 KiB.
pub const MAX_LINE_LENGTH: usize = 4096;

/// Most lines in one body.
pub const MAX_LINES: usize = 2048;

/// Most `m=` sections. Room systems use 3 to 6 (audio, video, content, BFCP, FECC).
pub const MAX_MEDIA: usize = 64;

/// Most `a=` lines in one section (the session part or one media part).
pub const MAX_ATTRIBUTES_PER_SECTION: usize = 256;

/// Most formats (payload types) on one `m=` line. RTP has 128 payload types.
pub const MAX_FORMATS: usize = 128;

/// Most lines of one repeatable kind in one section: `e=`, `p=`, `b=`, `c=`, `t=`, `r=`.
pub const MAX_REPEATED_LINES: usize = 16;

/// Most offsets on one `r=` line and most adjustment pairs on one `z=` line.
pub const MAX_TIME_ITEMS: usize = 16;

/// Most key parameters (`inline:` entries) on one `a=crypto` line. RFC 4568 allows several
/// so that keys can be switched by MKI; nobody sends more than a handful.
pub const MAX_KEY_PARAMS: usize = 16;

/// Most session parameters on one `a=crypto` line.
pub const MAX_SESSION_PARAMS: usize = 16;

/// Most items in a list-valued attribute (`a=content`, `a=floorctrl`, `a=bfcpver`, the
/// `mstrm:` labels of `a=floorid`).
pub const MAX_LIST_ITEMS: usize = 32;

/// Most `key=value` pairs returned by `Fmtp::params`.
pub const MAX_FMTP_PARAMS: usize = 64;
