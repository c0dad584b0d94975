//! Putting version-2 fragments back together (RFC 8855 §6.2.3), with bounded memory.
//!
//! Fragments of one message share its common header (version, R bit, primitive, conference,
//! transaction and user IDs, and the whole message's Payload Length); each says where its
//! data goes in 4-octet units. A message is complete when its fragments cover the payload
//! without gaps. What we refuse, dropping the datagram and (for the last two) the whole
//! message so far:
//!
//! - a datagram that is not a well-formed fragment ([`Fragment::decode`]: lengths, range,
//!   version, primitive, [`MAX_MESSAGE_LEN`]);
//! - more than [`MAX_FRAGMENTS_PER_MESSAGE`] pieces for one message;
//! - a fragment overlapping one already received unless it is the very same piece (a
//!   retransmission), or one whose Payload Length disagrees with the message's: the peer
//!   contradicts itself and nothing it sent for that message is trusted.
//!
//! At most [`MAX_PENDING_REASSEMBLIES_PER_PEER`] messages per peer and
//! [`MAX_PENDING_REASSEMBLIES`] overall are in progress (the oldest is evicted), and each is
//! abandoned [`FRAGMENT_TIMEOUT`] after its first fragment. Data is kept as received, never
//! preallocated from the declared length, so memory is what the peer actually sent, at most
//! the payload of one [`MAX_MESSAGE_LEN`] message per pending reassembly.

use std::time::Instant;

use crate::error::DecodeError;
use crate::header::CommonHeader;
use crate::limits::{
    FRAGMENT_TIMEOUT, HEADER_LEN, MAX_FRAGMENTS_PER_MESSAGE, MAX_MESSAGE_LEN,
    MAX_PENDING_REASSEMBLIES, MAX_PENDING_REASSEMBLIES_PER_PEER,
};
use crate::message::Fragment;

/// Why a datagram was dropped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReassemblyError {
    #[error("not a usable fragment: {0}")]
    Fragment(#[from] DecodeError),
    #[error("more than {limit} fragments for one message; the message is dropped")]
    TooManyFragments { limit: usize },
    #[error(
        "fragment at unit {offset} (+{length}) overlaps a different one; the message is dropped"
    )]
    Overlap { offset: u16, length: u16 },
    #[error("fragment says the message has {units} units, earlier ones said {expected}; the message is dropped")]
    LengthConflict { units: u16, expected: u16 },
}

/// What identifies the message a fragment belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key {
    peer: u16,
    version: u8,
    responder: bool,
    primitive: u8,
    conference_id: u32,
    transaction_id: u16,
    user_id: u16,
}

#[derive(Debug)]
struct Pending {
    key: Key,
    payload_units: u16,
    expires: Instant,
    /// Received pieces, sorted by offset, never overlapping: (offset in units, data).
    pieces: Vec<(u16, Vec<u8>)>,
    /// Units received so far.
    units: u32,
}

impl Pending {
    fn bytes(&self) -> usize {
        self.pieces.iter().map(|(_, d)| d.len()).sum()
    }
}

/// Reassembles version-2 fragments from any number of peers (`peer` is whatever the caller
/// names its datagram sources by: the floor control server uses the User ID of the
/// connection).
#[derive(Debug, Default)]
pub struct Reassembler {
    pending: Vec<Pending>,
    completed: u64,
    dropped: u64,
}

impl Reassembler {
    pub fn new() -> Self {
        Reassembler::default()
    }

    /// Takes one datagram whose F bit is set. Returns the whole message (F bit clear, ready
    /// for [`Message::decode`](crate::Message::decode)) once its last missing piece arrived,
    /// `None` while pieces are missing or when the fragment repeats one already held.
    pub fn push(
        &mut self,
        now: Instant,
        peer: u16,
        datagram: &[u8],
    ) -> Result<Option<Vec<u8>>, ReassemblyError> {
        let result = self.push_inner(now, peer, datagram);
        if result.is_err() {
            self.dropped += 1;
        }
        result
    }

    fn push_inner(
        &mut self,
        now: Instant,
        peer: u16,
        datagram: &[u8],
    ) -> Result<Option<Vec<u8>>, ReassemblyError> {
        let fragment = Fragment::decode(datagram)?;
        let h = fragment.header;
        let key = Key {
            peer,
            version: h.version.number(),
            responder: h.responder,
            primitive: h.primitive.code(),
            conference_id: h.conference_id,
            transaction_id: h.transaction_id,
            user_id: h.user_id,
        };
        let index = match self.pending.iter().position(|p| p.key == key) {
            Some(i) => i,
            None => self.start(now, key, fragment.payload_units),
        };
        let Some(p) = self.pending.get_mut(index) else {
            return Ok(None);
        };
        if p.payload_units != fragment.payload_units {
            let err = ReassemblyError::LengthConflict {
                units: fragment.payload_units,
                expected: p.payload_units,
            };
            self.pending.remove(index);
            return Err(err);
        }
        let start = u32::from(fragment.offset);
        let length = u32::try_from(fragment.data.len() / 4).unwrap_or(u32::MAX);
        let end = start + length;
        // Where the piece goes, and whether it touches its neighbours.
        let at = p.pieces.partition_point(|(o, _)| u32::from(*o) < start);
        let same = p
            .pieces
            .get(at)
            .is_some_and(|(o, d)| u32::from(*o) == start && *d == fragment.data);
        if same {
            return Ok(None);
        }
        let overlaps_next = p.pieces.get(at).is_some_and(|(o, _)| u32::from(*o) < end);
        let overlaps_prev = at
            .checked_sub(1)
            .and_then(|i| p.pieces.get(i))
            .is_some_and(|(o, d)| u32::from(*o) + piece_units(d) > start);
        if overlaps_next || overlaps_prev {
            let err = ReassemblyError::Overlap {
                offset: fragment.offset,
                length: u16::try_from(length).unwrap_or(u16::MAX),
            };
            self.pending.remove(index);
            return Err(err);
        }
        if p.pieces.len() >= MAX_FRAGMENTS_PER_MESSAGE {
            self.pending.remove(index);
            return Err(ReassemblyError::TooManyFragments {
                limit: MAX_FRAGMENTS_PER_MESSAGE,
            });
        }
        p.pieces.insert(at, (fragment.offset, fragment.data));
        p.units += length;
        if p.units < u32::from(p.payload_units) {
            return Ok(None);
        }
        let done = self.pending.remove(index);
        self.completed += 1;
        Ok(Some(whole(&done)))
    }

    /// Starts a reassembly, evicting the oldest of the peer's (or of everyone's) when full.
    fn start(&mut self, now: Instant, key: Key, payload_units: u16) -> usize {
        let of_peer = self
            .pending
            .iter()
            .filter(|p| p.key.peer == key.peer)
            .count();
        if of_peer >= MAX_PENDING_REASSEMBLIES_PER_PEER {
            if let Some(i) = self.pending.iter().position(|p| p.key.peer == key.peer) {
                self.pending.remove(i);
                self.dropped += 1;
            }
        }
        if self.pending.len() >= MAX_PENDING_REASSEMBLIES {
            self.pending.remove(0);
            self.dropped += 1;
        }
        self.pending.push(Pending {
            key,
            payload_units,
            expires: now + FRAGMENT_TIMEOUT,
            pieces: Vec::new(),
            units: 0,
        });
        self.pending.len() - 1
    }

    /// When the oldest reassembly expires.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.pending.iter().map(|p| p.expires).min()
    }

    /// Abandons reassemblies older than [`FRAGMENT_TIMEOUT`].
    pub fn handle_timeout(&mut self, now: Instant) {
        let before = self.pending.len();
        self.pending.retain(|p| p.expires > now);
        self.dropped += (before - self.pending.len()) as u64;
    }

    /// Drops everything from one peer (it left).
    pub fn forget_peer(&mut self, peer: u16) {
        self.pending.retain(|p| p.key.peer != peer);
    }

    /// Messages in progress.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Fragment data held, all messages together.
    pub fn buffered(&self) -> usize {
        self.pending.iter().map(Pending::bytes).sum()
    }

    /// Messages put back together so far.
    pub fn completed(&self) -> u64 {
        self.completed
    }

    /// Datagrams refused and messages abandoned (conflict, eviction, timeout).
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

fn piece_units(data: &[u8]) -> u32 {
    u32::try_from(data.len() / 4).unwrap_or(u32::MAX)
}

/// The reassembled message: its common header with the F bit clear, then the payload.
fn whole(p: &Pending) -> Vec<u8> {
    let k = &p.key;
    let mut out = Vec::with_capacity(HEADER_LEN + usize::from(p.payload_units) * 4);
    out.push((k.version << 5) | if k.responder { 0x10 } else { 0 });
    out.push(k.primitive);
    out.extend_from_slice(&p.payload_units.to_be_bytes());
    out.extend_from_slice(&k.conference_id.to_be_bytes());
    out.extend_from_slice(&k.transaction_id.to_be_bytes());
    out.extend_from_slice(&k.user_id.to_be_bytes());
    for (_, data) in &p.pieces {
        out.extend_from_slice(data);
    }
    debug_assert!(out.len() <= MAX_MESSAGE_LEN);
    out
}

/// Whether a datagram is a version-2 fragment (F bit set), without decoding it.
pub(crate) fn is_fragment(datagram: &[u8]) -> bool {
    matches!(CommonHeader::decode(datagram), Ok(h) if h.fragment.is_some())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::header::{Header, Version};
    use crate::primitive::Primitive;

    fn frag(tx: u16, total: u16, offset: u16, data: Vec<u8>) -> Vec<u8> {
        Fragment {
            header: Header::new(Version::V2, Primitive::Hello, 1, tx, 2),
            payload_units: total,
            offset,
            data,
        }
        .encode()
        .unwrap()
    }

    #[test]
    fn any_order_and_duplicates() {
        let now = Instant::now();
        let mut r = Reassembler::new();
        let a = frag(1, 3, 0, vec![0xc8, 12, 1, 2]);
        let b = frag(1, 3, 1, vec![3, 4, 5, 6]);
        let c = frag(1, 3, 2, vec![7, 8, 9, 10]);
        assert_eq!(r.push(now, 1, &c).unwrap(), None);
        assert_eq!(r.push(now, 1, &a).unwrap(), None);
        assert_eq!(r.push(now, 1, &a).unwrap(), None, "same piece again");
        let whole = r.push(now, 1, &b).unwrap().unwrap();
        assert_eq!(
            whole,
            [0x40, 11, 0, 3, 0, 0, 0, 1, 0, 1, 0, 2, 0xc8, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
        );
        assert!(crate::Message::decode(&whole).is_ok());
        assert_eq!((r.pending(), r.completed()), (0, 1));
    }

    #[test]
    fn overlap_and_conflict_drop_the_message() {
        let now = Instant::now();
        let mut r = Reassembler::new();
        r.push(now, 1, &frag(1, 4, 0, vec![0; 8])).unwrap();
        // Same offset, different data.
        let e = r.push(now, 1, &frag(1, 4, 0, vec![1; 8])).unwrap_err();
        assert!(matches!(e, ReassemblyError::Overlap { offset: 0, .. }));
        assert_eq!(r.pending(), 0);
        // Straddling the end of an earlier piece.
        r.push(now, 1, &frag(2, 4, 0, vec![0; 8])).unwrap();
        assert!(matches!(
            r.push(now, 1, &frag(2, 4, 1, vec![0; 8])),
            Err(ReassemblyError::Overlap { offset: 1, .. })
        ));
        // Covering the start of a later piece.
        r.push(now, 1, &frag(3, 4, 2, vec![0; 8])).unwrap();
        assert!(matches!(
            r.push(now, 1, &frag(3, 4, 1, vec![0; 8])),
            Err(ReassemblyError::Overlap { .. })
        ));
        // A different total length.
        r.push(now, 1, &frag(4, 4, 0, vec![0; 4])).unwrap();
        assert_eq!(
            r.push(now, 1, &frag(4, 5, 1, vec![0; 4])).unwrap_err(),
            ReassemblyError::LengthConflict {
                units: 5,
                expected: 4
            }
        );
        assert_eq!(r.pending(), 0);
    }

    #[test]
    fn peers_and_transactions_are_kept_apart_and_bounded() {
        let now = Instant::now();
        let mut r = Reassembler::new();
        for tx in 0..10u16 {
            r.push(now, 1, &frag(tx, 2, 0, vec![0; 4])).unwrap();
        }
        assert_eq!(r.pending(), MAX_PENDING_REASSEMBLIES_PER_PEER);
        // The newest survived: completing tx 9 works, tx 0 was evicted.
        assert!(r
            .push(now, 1, &frag(9, 2, 1, vec![0; 4]))
            .unwrap()
            .is_some());
        assert_eq!(r.push(now, 1, &frag(0, 2, 1, vec![0; 4])).unwrap(), None);
        // Another peer's fragment of the same transaction is another message.
        assert_eq!(r.push(now, 2, &frag(0, 2, 0, vec![0; 4])).unwrap(), None);
        for peer in 0..200u16 {
            r.push(now, 100 + peer, &frag(1, 2, 0, vec![0; 4])).unwrap();
        }
        assert_eq!(r.pending(), MAX_PENDING_REASSEMBLIES);
    }

    #[test]
    fn expiry() {
        let now = Instant::now();
        let mut r = Reassembler::new();
        r.push(now, 1, &frag(1, 2, 0, vec![0; 4])).unwrap();
        assert_eq!(r.poll_timeout(), Some(now + FRAGMENT_TIMEOUT));
        r.handle_timeout(now + FRAGMENT_TIMEOUT);
        assert_eq!(r.pending(), 0);
        assert_eq!(r.poll_timeout(), None);
    }

    #[test]
    fn fragment_count_is_bounded() {
        let now = Instant::now();
        let mut r = Reassembler::new();
        let total = u16::try_from(MAX_FRAGMENTS_PER_MESSAGE + 10).unwrap();
        for i in 0..MAX_FRAGMENTS_PER_MESSAGE as u16 {
            assert_eq!(
                r.push(now, 1, &frag(1, total, i, vec![0; 4])).unwrap(),
                None
            );
        }
        assert_eq!(
            r.push(now, 1, &frag(1, total, total - 1, vec![0; 4])),
            Err(ReassemblyError::TooManyFragments {
                limit: MAX_FRAGMENTS_PER_MESSAGE
            })
        );
        assert_eq!(r.pending(), 0);
    }
}
