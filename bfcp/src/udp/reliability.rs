//! The two halves of BFCP's reliability over UDP (RFC 8855 §6.2.2): the sender's
//! retransmission schedule, and the responder's cache of answers.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::{MAX_RETRANSMISSIONS, T1, T2};
use crate::header::Header;
use crate::limits::{MAX_CACHED_RESPONSES_PER_PEER, MAX_RESPONSE_CACHE_BYTES};

/// The retransmission schedule of one message awaiting its answer: first sent at `t`,
/// again at `t + T1`, `t + 3·T1`, `t + 7·T1` (T1 doubling), failed at `t + 15·T1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retransmit {
    datagrams: Vec<Vec<u8>>,
    retransmissions: u8,
    interval: Duration,
    next: Instant,
}

/// What to do when a [`Retransmit`] is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fire<'a> {
    /// Send these datagrams again.
    Resend(&'a [Vec<u8>]),
    /// Every retransmission went unanswered: the transaction failed.
    GiveUp,
}

impl Retransmit {
    /// A message just sent as `datagrams` at `now`.
    pub fn new(now: Instant, datagrams: Vec<Vec<u8>>) -> Self {
        Retransmit {
            datagrams,
            retransmissions: 0,
            interval: T1,
            next: now + T1,
        }
    }

    /// When T1 next fires.
    pub fn deadline(&self) -> Instant {
        self.next
    }

    /// Retransmissions so far.
    pub fn retransmissions(&self) -> u8 {
        self.retransmissions
    }

    /// Octets held for retransmission.
    pub fn bytes(&self) -> usize {
        self.datagrams.iter().map(Vec::len).sum()
    }

    /// T1 fired at `now`: resend (and double T1), or give up after the last retransmission.
    pub fn fire(&mut self, now: Instant) -> Fire<'_> {
        if self.retransmissions >= MAX_RETRANSMISSIONS {
            return Fire::GiveUp;
        }
        self.retransmissions += 1;
        self.interval = self.interval.saturating_mul(2);
        self.next = now + self.interval;
        Fire::Resend(&self.datagrams)
    }
}

#[derive(Debug)]
struct Cached {
    peer: u16,
    /// The request exactly as received: a retransmission repeats it octet for octet.
    request: Vec<u8>,
    datagrams: Vec<Vec<u8>>,
    expires: Instant,
}

impl Cached {
    fn bytes(&self) -> usize {
        self.request.len() + self.datagrams.iter().map(Vec::len).sum::<usize>()
    }
}

/// The request being answered, while its answer is collected.
#[derive(Debug)]
struct Answering {
    peer: u16,
    transaction_id: u16,
    request: Vec<u8>,
    datagrams: Vec<Vec<u8>>,
}

/// Answers kept for [`T2`] so a retransmitted request is answered again without being
/// processed again. Bounded by [`MAX_CACHED_RESPONSES_PER_PEER`] and
/// [`MAX_RESPONSE_CACHE_BYTES`]; the oldest entries go first.
#[derive(Debug, Default)]
pub(crate) struct ResponseCache {
    entries: VecDeque<Cached>,
    bytes: usize,
    answering: Option<Answering>,
    replayed: u64,
}

impl ResponseCache {
    /// The answer to `request` from `peer`, if it was answered within T2: a retransmission.
    pub(crate) fn replay(
        &mut self,
        now: Instant,
        peer: u16,
        request: &[u8],
    ) -> Option<Vec<Vec<u8>>> {
        self.expire(now);
        let hit = self
            .entries
            .iter()
            .find(|c| c.peer == peer && c.request == request)
            .map(|c| c.datagrams.clone());
        if hit.is_some() {
            self.replayed += 1;
        }
        hit
    }

    /// Starts collecting the answer to a request about to be processed.
    pub(crate) fn begin(&mut self, peer: u16, transaction_id: u16, request: &[u8]) {
        self.answering = Some(Answering {
            peer,
            transaction_id,
            request: request.to_vec(),
            datagrams: Vec::new(),
        });
    }

    /// A message being sent: kept when it answers the request being processed (R bit, same
    /// peer and Transaction ID).
    pub(crate) fn capture(&mut self, to: u16, header: &Header, datagrams: &[Vec<u8>]) {
        if let Some(a) = self.answering.as_mut() {
            if header.responder && a.peer == to && a.transaction_id == header.transaction_id {
                a.datagrams.extend(datagrams.iter().cloned());
            }
        }
    }

    /// The request is processed: cache what answered it.
    pub(crate) fn finish(&mut self, now: Instant) {
        let Some(a) = self.answering.take() else {
            return;
        };
        if a.datagrams.is_empty() {
            return;
        }
        self.expire(now);
        let entry = Cached {
            peer: a.peer,
            request: a.request,
            datagrams: a.datagrams,
            expires: now + T2,
        };
        let size = entry.bytes();
        if size > MAX_RESPONSE_CACHE_BYTES {
            return;
        }
        let of_peer = self.entries.iter().filter(|c| c.peer == entry.peer).count();
        if of_peer >= MAX_CACHED_RESPONSES_PER_PEER {
            if let Some(i) = self.entries.iter().position(|c| c.peer == entry.peer) {
                self.remove(i);
            }
        }
        while self.bytes + size > MAX_RESPONSE_CACHE_BYTES && !self.entries.is_empty() {
            self.remove(0);
        }
        self.bytes += size;
        self.entries.push_back(entry);
    }

    fn remove(&mut self, i: usize) {
        if let Some(c) = self.entries.remove(i) {
            self.bytes -= c.bytes();
        }
    }

    pub(crate) fn expire(&mut self, now: Instant) {
        while self.entries.front().is_some_and(|c| c.expires <= now) {
            self.remove(0);
        }
    }

    /// When the oldest answer expires.
    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        self.entries.front().map(|c| c.expires)
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }

    /// Retransmitted requests answered from the cache.
    pub(crate) fn replayed(&self) -> u64 {
        self.replayed
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::header::Version;
    use crate::primitive::Primitive;

    #[test]
    fn t1_doubles_three_times_then_gives_up() {
        let t0 = Instant::now();
        let mut r = Retransmit::new(t0, vec![vec![1, 2, 3, 4]]);
        let mut resent_at = Vec::new();
        loop {
            let now = r.deadline();
            match r.fire(now) {
                Fire::Resend(d) => {
                    assert_eq!(d, [vec![1, 2, 3, 4]]);
                    resent_at.push(now - t0);
                }
                Fire::GiveUp => {
                    assert_eq!(now - t0, Duration::from_millis(7500));
                    break;
                }
            }
        }
        let ms: Vec<u128> = resent_at.iter().map(Duration::as_millis).collect();
        assert_eq!(ms, [500, 1500, 3500]);
        assert_eq!(r.retransmissions(), MAX_RETRANSMISSIONS);
    }

    #[test]
    fn cache_answers_identical_requests_for_t2_only() {
        let now = Instant::now();
        let mut c = ResponseCache::default();
        let mut h = Header::new(Version::V2, Primitive::HelloAck, 1, 5, 2);
        h.responder = true;
        c.begin(2, 5, b"request");
        c.capture(2, &h, &[vec![9]]);
        let other = Header {
            transaction_id: 6,
            ..h
        };
        c.capture(2, &other, &[vec![8]]);
        c.finish(now);
        assert_eq!(c.replay(now, 2, b"request"), Some(vec![vec![9]]));
        assert_eq!(c.replay(now, 3, b"request"), None);
        assert_eq!(c.replay(now, 2, b"requesu"), None);
        assert_eq!(c.poll_timeout(), Some(now + T2));
        assert_eq!(c.replay(now + T2, 2, b"request"), None);
        assert_eq!((c.len(), c.bytes()), (0, 0));
    }

    #[test]
    fn cache_is_bounded_per_peer_and_in_bytes() {
        let now = Instant::now();
        let mut c = ResponseCache::default();
        let mut h = Header::new(Version::V2, Primitive::HelloAck, 1, 0, 2);
        h.responder = true;
        for tx in 0..1000u16 {
            h.transaction_id = tx;
            c.begin(2, tx, &tx.to_be_bytes());
            c.capture(2, &h, &[vec![0; 100]]);
            c.finish(now);
        }
        assert_eq!(c.len(), MAX_CACHED_RESPONSES_PER_PEER);
        for peer in 0..10_000u16 {
            c.begin(peer, 1, b"r");
            c.capture(
                peer,
                &Header {
                    transaction_id: 1,
                    ..h
                },
                &[vec![0; 1000]],
            );
            c.finish(now);
        }
        assert!(c.bytes() <= MAX_RESPONSE_CACHE_BYTES);
    }
}
