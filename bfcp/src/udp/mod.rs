//! BFCP over UDP (RFC 8855 §6.2, version 2): what a datagram transport needs that a stream
//! does not, sans-IO like the rest of the crate.
//!
//! - **Transaction IDs**: every request, and every message a floor control server starts
//!   (FloorRequestStatus and FloorStatus notifications, Goodbye), carries a non-zero
//!   Transaction ID that its answer repeats; answers have the R bit set.
//! - **Retransmission** ([`Retransmit`]): a request is sent again when timer T1 fires, T1
//!   starting at [`T1`] (500 ms) and doubling each time; after [`MAX_RETRANSMISSIONS`]
//!   retransmissions the next firing ends the transaction as failed (RFC 8855 §6.2.2 and the
//!   timer table of §8.3). Four transmissions in all, at 0, 0.5, 1.5 and 3.5 s, failure at
//!   7.5 s: libre (baresip's BFCP library, by one of the RFC's authors) does exactly this.
//! - **Acknowledgements**: a FloorRequestStatus or FloorStatus the server starts is a
//!   transaction of its own over UDP, answered by FloorRequestStatusAck or FloorStatusAck and
//!   retransmitted on T1 until it is; Goodbye likewise, answered by GoodbyeAck.
//! - **Response cache**: the responder keeps each answer for [`T2`] (10 s, which RFC 8855
//!   §8.3 derives as T1·2⁴·1.25: longer than any retransmission of the request can arrive)
//!   and answers a retransmitted request from it without processing the request again.
//! - **Fragmentation** ([`fragment`]) of a message larger than the path MTU allows in one
//!   datagram, and **reassembly** ([`Reassembler`]) with the named limits of
//!   [`crate::limits`].
//!
//! The floor control server and the participant use all of this by themselves when their
//! transport is `UDP/BFCP` or `UDP/TLS/BFCP` (DTLS carries the same datagrams once
//! decrypted); over TCP/TLS none of it applies.

mod reassembly;
pub(crate) mod reliability;

use std::time::{Duration, Instant};

pub use reassembly::{Reassembler, ReassemblyError};
pub use reliability::{Fire, Retransmit};

use crate::error::EncodeError;
use crate::header::{CommonHeader, FragmentFields, Version};
use crate::limits::{FRAGMENT_HEADER_LEN, HEADER_LEN, MAX_MESSAGE_LEN};
use crate::message::Message;

/// Initial value of the request retransmission timer T1 (RFC 8855 §8.3, RECOMMENDED).
pub const T1: Duration = Duration::from_millis(500);

/// Retransmissions of a request before the transaction fails: T1 fires four times, the
/// first three resend, the fourth gives up (RFC 8855 §6.2.2, §8.3).
pub const MAX_RETRANSMISSIONS: u8 = 3;

/// How long a responder keeps a response for retransmitted requests (RFC 8855 §8.3: T2 =
/// T1·2⁴·1.25 = 10 s).
pub const T2: Duration = Duration::from_secs(10);

/// Path MTU assumed when the caller knows no better: 1280 octets, the IPv6 minimum, which
/// every IPv6 path carries and IPv4 paths (tunnels and VPNs included) do in practice, so
/// BFCP datagrams are never fragmented by IP.
pub const DEFAULT_PATH_MTU: usize = 1280;

/// Smallest path MTU we accept (the IPv4 minimum datagram every host reassembles); smaller
/// settings are raised to it, so a message of [`MAX_MESSAGE_LEN`] never needs more than
/// [`MAX_FRAGMENTS_PER_MESSAGE`](crate::limits::MAX_FRAGMENTS_PER_MESSAGE) fragments.
pub const MIN_PATH_MTU: usize = 576;

/// IP and UDP headers in front of a BFCP datagram: IPv6 (40) plus UDP (8), the larger of
/// the two IP versions.
pub const IP_UDP_OVERHEAD: usize = 48;

/// What the UDP layer of a server or participant holds and has done: for tests, metrics
/// and the bounded-memory checks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UdpStats {
    /// Messages we sent that await their answer (requests, or a server's notifications and
    /// Goodbye awaiting their acknowledgement).
    pub awaiting_answer: usize,
    /// Answers kept for retransmitted requests, and their octets (requests included).
    pub cached_responses: usize,
    pub cached_bytes: usize,
    /// Messages being reassembled, and the fragment data they hold.
    pub reassemblies: usize,
    pub reassembly_bytes: usize,
    /// Datagrams sent again because T1 fired.
    pub retransmissions: u64,
    /// Retransmitted requests answered from the cache without being processed again.
    pub replayed: u64,
    /// Fragments refused and partial messages abandoned.
    pub dropped_fragments: u64,
    /// Messages that went unanswered through every retransmission, or that were pushed out
    /// by [`MAX_UNACKED_PER_PARTICIPANT`](crate::limits::MAX_UNACKED_PER_PARTICIPANT).
    pub unanswered: u64,
}

/// Settings of the UDP transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UdpConfig {
    /// Path MTU towards the peer, IP and UDP headers included ([`DEFAULT_PATH_MTU`]).
    pub path_mtu: usize,
}

impl Default for UdpConfig {
    fn default() -> Self {
        UdpConfig {
            path_mtu: DEFAULT_PATH_MTU,
        }
    }
}

impl UdpConfig {
    /// Largest BFCP datagram we send: the path MTU (at least [`MIN_PATH_MTU`]) less the IP
    /// and UDP headers.
    pub fn max_datagram(&self) -> usize {
        self.path_mtu.clamp(MIN_PATH_MTU, usize::from(u16::MAX)) - IP_UDP_OVERHEAD
    }
}

/// The datagrams that carry `msg` over UDP: the message itself when it fits in
/// `max_datagram` octets, else fragments (RFC 8855 §6.2.3) of a whole number of 4-octet
/// units each, in order, every one within `max_datagram`. Only version 2 has fragments.
pub fn fragment(msg: &Message, max_datagram: usize) -> Result<Vec<Vec<u8>>, EncodeError> {
    let payload = msg.encode_payload()?;
    let units = u16::try_from(payload.len() / 4).map_err(|_| EncodeError::MessageTooLarge {
        size: HEADER_LEN + payload.len(),
        limit: MAX_MESSAGE_LEN,
    })?;
    if HEADER_LEN + payload.len() <= max_datagram {
        let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
        msg.header.write(&mut out, units, None);
        out.extend_from_slice(&payload);
        return Ok(vec![out]);
    }
    if msg.header.version == Version::V1 {
        return Err(EncodeError::FragmentInVersion1);
    }
    // Whole units per fragment; at least one even for an absurdly small datagram size.
    let per = (max_datagram.saturating_sub(FRAGMENT_HEADER_LEN) / 4).max(1) * 4;
    let mut out = Vec::with_capacity(payload.len().div_ceil(per));
    for (i, chunk) in payload.chunks(per).enumerate() {
        let fields = FragmentFields {
            offset: units_of(i * per)?,
            length: units_of(chunk.len())?,
        };
        let mut datagram = Vec::with_capacity(FRAGMENT_HEADER_LEN + chunk.len());
        msg.header.write(&mut datagram, units, Some(fields));
        datagram.extend_from_slice(chunk);
        out.push(datagram);
    }
    Ok(out)
}

/// What became of one received datagram.
#[derive(Debug)]
pub(crate) enum Received {
    /// Nothing to process: a fragment of a message still incomplete, or a datagram dropped.
    Nothing,
    /// A retransmitted request: send these (the cached answer) again, process nothing.
    Replay(Vec<Vec<u8>>),
    /// A whole message to process. When it is a request, what the machine sends in answer
    /// is cached until [`UdpLayer::finish`].
    Process(Vec<u8>),
}

/// The UDP half of a server or participant: reassembly, the response cache, counters.
/// Retransmission schedules live with the transactions they belong to.
#[derive(Debug)]
pub(crate) struct UdpLayer {
    pub config: UdpConfig,
    reassembler: Reassembler,
    cache: reliability::ResponseCache,
    pub retransmissions: u64,
    pub unanswered: u64,
}

impl UdpLayer {
    pub(crate) fn new(config: UdpConfig) -> Self {
        UdpLayer {
            config,
            reassembler: Reassembler::new(),
            cache: reliability::ResponseCache::default(),
            retransmissions: 0,
            unanswered: 0,
        }
    }

    /// Reassembles fragments and answers retransmitted requests from the cache.
    pub(crate) fn receive(&mut self, now: Instant, peer: u16, datagram: &[u8]) -> Received {
        let whole = if reassembly::is_fragment(datagram) {
            match self.reassembler.push(now, peer, datagram) {
                Ok(Some(whole)) => whole,
                Ok(None) | Err(_) => return Received::Nothing,
            }
        } else {
            datagram.to_vec()
        };
        if let Ok(h) = CommonHeader::decode(&whole) {
            if !h.responder {
                if let Some(answer) = self.cache.replay(now, peer, &whole) {
                    return Received::Replay(answer);
                }
                self.cache.begin(peer, h.transaction_id, &whole);
            }
        }
        Received::Process(whole)
    }

    /// The datagrams of a message to send, kept in the cache when they answer the request
    /// being processed. `None` when it cannot be encoded.
    pub(crate) fn datagrams(&mut self, to: u16, msg: &Message) -> Option<Vec<Vec<u8>>> {
        let datagrams = fragment(msg, self.config.max_datagram()).ok()?;
        self.cache.capture(to, &msg.header, &datagrams);
        Some(datagrams)
    }

    /// The received message is processed: its answer, if any, goes into the cache.
    pub(crate) fn finish(&mut self, now: Instant) {
        self.cache.finish(now);
    }

    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        match (self.reassembler.poll_timeout(), self.cache.poll_timeout()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    pub(crate) fn handle_timeout(&mut self, now: Instant) {
        self.reassembler.handle_timeout(now);
        self.cache.expire(now);
    }

    pub(crate) fn forget_peer(&mut self, peer: u16) {
        self.reassembler.forget_peer(peer);
    }

    pub(crate) fn stats(&self, awaiting_answer: usize) -> UdpStats {
        UdpStats {
            awaiting_answer,
            cached_responses: self.cache.len(),
            cached_bytes: self.cache.bytes(),
            reassemblies: self.reassembler.pending(),
            reassembly_bytes: self.reassembler.buffered(),
            retransmissions: self.retransmissions,
            replayed: self.cache.replayed(),
            dropped_fragments: self.reassembler.dropped(),
            unanswered: self.unanswered,
        }
    }
}

fn units_of(octets: usize) -> Result<u16, EncodeError> {
    u16::try_from(octets / 4).map_err(|_| EncodeError::MessageTooLarge {
        size: octets,
        limit: MAX_MESSAGE_LEN,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::{Attribute, Fragment, Header, Primitive, Value};

    fn hello_with(octets: usize) -> Message {
        // Unknown optional attributes of 252 octets: as large as one attribute gets.
        let mut attributes = Vec::new();
        let mut left = octets;
        while left > 0 {
            let n = left.min(250);
            attributes.push(Attribute::optional(Value::Unknown {
                attr_type: 100,
                contents: vec![7; n],
            }));
            left -= n;
        }
        Message::new(
            Header::new(Version::V2, Primitive::Hello, 9, 33, 4),
            attributes,
        )
    }

    #[test]
    fn small_messages_go_whole() {
        let m = hello_with(100);
        let d = fragment(&m, UdpConfig::default().max_datagram()).unwrap();
        assert_eq!(d, vec![m.encode().unwrap()]);
    }

    #[test]
    fn large_messages_split_into_units_within_the_mtu_and_reassemble() {
        let m = hello_with(5000);
        let whole = m.encode().unwrap();
        for mtu in [MIN_PATH_MTU, 1000, DEFAULT_PATH_MTU, 1500] {
            let max = UdpConfig { path_mtu: mtu }.max_datagram();
            let d = fragment(&m, max).unwrap();
            assert!(d.len() > 1);
            let mut r = Reassembler::new();
            let now = Instant::now();
            let mut done = None;
            let mut next_offset = 0;
            for (i, datagram) in d.iter().enumerate() {
                assert!(datagram.len() <= max, "{} > {max}", datagram.len());
                let f = Fragment::decode(datagram).unwrap();
                assert_eq!(f.offset, next_offset);
                next_offset += u16::try_from(f.data.len() / 4).unwrap();
                let got = r.push(now, 1, datagram).unwrap();
                assert_eq!(got.is_some(), i == d.len() - 1);
                done = done.or(got);
            }
            assert_eq!(done.unwrap(), whole);
            assert_eq!(Message::decode(&whole).unwrap(), m);
        }
    }

    #[test]
    fn version_1_is_never_fragmented() {
        let mut m = hello_with(2000);
        m.header.version = Version::V1;
        assert_eq!(fragment(&m, 1000), Err(EncodeError::FragmentInVersion1));
        assert_eq!(fragment(&m, 4000).unwrap().len(), 1);
    }

    #[test]
    fn mtu_is_clamped() {
        assert_eq!(UdpConfig { path_mtu: 10 }.max_datagram(), MIN_PATH_MTU - 48);
        assert_eq!(UdpConfig::default().max_datagram(), 1232);
        assert_eq!(
            UdpConfig {
                path_mtu: usize::MAX
            }
            .max_datagram(),
            65_535 - 48
        );
    }
}
