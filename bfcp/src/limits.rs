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

/// Octets a [`StreamFramer`](crate::stream::StreamFramer) holds at once: one partial message
/// of the largest size plus one read of at most [`MAX_MESSAGE_LEN`] octets. A caller that
/// drains every whole message after each push never reaches it; a peer cannot make us hold
/// more whatever it sends.
pub const MAX_STREAM_BUFFER: usize = 2 * MAX_MESSAGE_LEN;

/// Participants one floor control server keeps (one per BFCP connection of a conference).
/// A room call has a handful; this keeps a misbehaving caller from growing the table.
pub const MAX_PARTICIPANTS: usize = 64;

/// Floors one floor control server controls. RFC 8856 binds each to a content stream; calls
/// have one or two.
pub const MAX_FLOORS: usize = 16;

/// FLOOR-IDs honoured in one FloorRequest; more are refused (RFC 8855 allows a request to
/// span several floors, room systems send one).
pub const MAX_FLOORS_PER_REQUEST: usize = 4;

/// Live floor requests (pending, accepted or granted) one participant may have; the next
/// gets Error 8 (Max Floor Requests Reached). A repeated request for floors the participant
/// already asked for reuses the live one, so repeating never reaches this.
pub const MAX_REQUESTS_PER_PARTICIPANT: usize = 4;

/// Requests waiting in the queue of a floor control server (queue policy); the next one is
/// Denied.
pub const MAX_QUEUED_REQUESTS: usize = 64;

/// Outputs (messages to send, events) a state machine holds until polled. Every input adds a
/// bounded number; a caller that never polls loses the newest beyond this, counted in
/// `dropped_outputs`, instead of growing memory.
pub const MAX_QUEUED_OUTPUTS: usize = 4096;

/// Requests a participant has sent and not yet seen answered or timed out.
pub const MAX_OUTSTANDING_TRANSACTIONS: usize = 16;

/// Floors a participant tracks (its own requests and FloorStatus subscriptions).
pub const MAX_TRACKED_FLOORS: usize = 16;

/// Fragments one message may arrive in over UDP. Our own fragmenter needs at most 128 for a
/// message of [`MAX_MESSAGE_LEN`] at the smallest path MTU it accepts
/// ([`MIN_PATH_MTU`](crate::udp::MIN_PATH_MTU)); a peer cutting finer is refused, which bounds
/// the bookkeeping per message whatever the fragment sizes.
pub const MAX_FRAGMENTS_PER_MESSAGE: usize = 256;

/// Messages being reassembled at once from one peer. One more evicts the oldest: a peer that
/// abandons a message does not block its next one for [`FRAGMENT_TIMEOUT`].
pub const MAX_PENDING_REASSEMBLIES_PER_PEER: usize = 4;

/// Messages being reassembled at once, all peers together (oldest evicted beyond it).
pub const MAX_PENDING_REASSEMBLIES: usize = 64;

/// How long the fragments of a message wait for the rest, from the first one. As long as
/// the responder's T2: retransmissions of the message (every fragment sent again on T1) fill
/// the gaps a lost fragment left, and all of them arrive within it.
pub const FRAGMENT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Responses a responder keeps per peer for retransmitted requests (each for
/// [`T2`](crate::udp::T2)); the oldest goes first. Requests arrive one after another, so a
/// peer retransmitting anything older than its last few is long past its own T1 schedule.
pub const MAX_CACHED_RESPONSES_PER_PEER: usize = 32;

/// Octets of cached responses, all peers together; the oldest go first beyond it.
pub const MAX_RESPONSE_CACHE_BYTES: usize = 256 * 1024;

/// Messages a floor control server started over UDP (notifications, Goodbye) that one
/// participant has not yet acknowledged. Beyond it the oldest stops being retransmitted:
/// a participant that acknowledges nothing does not grow the server.
pub const MAX_UNACKED_PER_PARTICIPANT: usize = 16;
