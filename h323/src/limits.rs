//! Named bounds on what the decoders accept and the encoders produce.
//!
//! The wire formats allow more than a gateway ever needs (a TPKT length field reaches 65,535
//! octets, Q.931 puts no bound on the number of information elements), so every length and
//! count below is fixed here: memory per connection stays small whatever a peer sends.

/// Largest TPKT packet, its 4-octet header included, that the framer accepts or the encoder
/// writes. A Setup carrying fastStart proposals for audio, video and data, or a full H.245
/// TerminalCapabilitySet, takes a few kilobytes; 32 KiB leaves ample room for tokens and
/// vendor non-standard data while halving what the 16-bit length field would let a peer
/// make us buffer.
pub const MAX_TPKT_LEN: usize = 32 * 1024;

/// The TPKT header: version, reserved, 16-bit length (RFC 1006 §6).
pub const TPKT_HEADER_LEN: usize = 4;

/// Largest Q.931 message: what one TPKT packet can carry.
pub const MAX_Q931_LEN: usize = MAX_TPKT_LEN - TPKT_HEADER_LEN;

/// Longest call reference value. H.225.0 uses two octets; Q.931 allows one on basic access
/// and zero for the dummy call reference, nothing else occurs on H.323 networks.
pub const MAX_CALL_REFERENCE_LEN: usize = 2;

/// Most information elements (single-octet ones included) in one message. An H.225.0 Setup
/// has about six; sixty-four tolerates generous vendors and bounds the element list.
pub const MAX_INFORMATION_ELEMENTS: usize = 64;

/// Longest contents of an ordinary variable-length element: its length field is one octet.
pub const MAX_IE_CONTENT_LEN: usize = 255;

/// Longest contents of the user-user element (protocol discriminator included): H.225.0 gives
/// it a two-octet length, and the whole message must still fit one TPKT packet.
pub const MAX_USER_USER_LEN: usize = MAX_Q931_LEN;

/// Largest OCTET STRING, open type or OBJECT IDENTIFIER contents the PER codec reads or
/// writes, fragments joined: nothing in H.225.0 or H.245 comes close, and a RAS datagram or a
/// TPKT packet is smaller anyway.
pub const MAX_PER_OCTETS: usize = MAX_TPKT_LEN;

/// Most items in one RAS SEQUENCE OF without a size constraint (aliases, transport
/// addresses, supported protocols, features, IRR routes). A gateway registers a handful of
/// aliases and addresses; sixty-four bounds what a datagram can make us allocate. The H.225.0
/// call signalling lists share it: a Setup proposes a handful of fastStart channels, a
/// Facility tunnels one or two H.245 PDUs in `h245Control`.
pub const MAX_RAS_SEQUENCE_OF: usize = 64;

/// Most parameters in one H.460 GenericData or compound Content (ASN.1 allows 512).
pub const MAX_GENERIC_PARAMETERS: usize = 64;

/// Deepest nesting of H.460 GenericData inside Content (`nested`, `compound`). Real
/// features nest one or two levels; the ASN.1 puts no bound on it, so a datagram could
/// otherwise recurse as deep as its bits allow.
pub const MAX_GENERIC_DEPTH: usize = 4;

/// Most hops of an IP source route in a TransportAddress.
pub const MAX_SOURCE_ROUTE: usize = 16;

/// Most items in one H.245 SEQUENCE OF or SET OF (capability table entries, descriptors,
/// alternative capability sets, generic parameters, requested modes). H.245 bounds most of
/// them at 256, which a full TerminalCapabilitySet stays well under; the few unbounded ones
/// get the same limit.
pub const MAX_H245_LIST: usize = 256;

/// Deepest nesting of H.245 GenericParameter inside ParameterValue `genericParameter`: the
/// recursion has no open type between levels, so the reader's open-type bound does not
/// apply. H.239 and H.264 parameters are flat; real parameters nest one level at most.
pub const MAX_H245_GENERIC_DEPTH: usize = 4;
