//! Answers kept by cookie: a proxy that got no answer in time sends the same datagram again
//! (same cookie), and must get the same answer, not a second offer's effect (a re-key, say).
//! rtpengine keeps answers the same way. Sans-IO: time is handed in.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// How long an answer is kept (Kamailio's module retransmits within a few seconds).
pub const REPLY_WINDOW: Duration = Duration::from_secs(30);

/// Most answers kept; the oldest go first.
pub const MAX_CACHED_REPLIES: usize = 4096;

/// Most bytes of answers kept (an answer carrying a large SDP is tens of kilobytes, so the
/// count alone would allow hundreds of megabytes).
pub const MAX_CACHED_BYTES: usize = 4 * 1024 * 1024;

type Key = (SocketAddr, String);

/// Recent answers by source and cookie.
#[derive(Debug, Default)]
pub struct ReplyCache {
    replies: HashMap<Key, (Instant, Vec<u8>)>,
    order: VecDeque<(Instant, Key)>,
    bytes: usize,
}

impl ReplyCache {
    /// The answer already sent to `source` for `cookie`, when still kept.
    pub fn get(&mut self, now: Instant, source: SocketAddr, cookie: &str) -> Option<&[u8]> {
        self.expire(now);
        self.replies
            .get(&(source, cookie.to_owned()))
            .map(|(_, r)| r.as_slice())
    }

    /// Keeps `reply` for `source` and `cookie`.
    pub fn put(&mut self, now: Instant, source: SocketAddr, cookie: &str, reply: Vec<u8>) {
        self.expire(now);
        if reply.len() > MAX_CACHED_BYTES {
            return;
        }
        while self.replies.len() >= MAX_CACHED_REPLIES
            || self.bytes + reply.len() > MAX_CACHED_BYTES
        {
            let Some((at, k)) = self.order.pop_front() else {
                break;
            };
            // An entry put again later is queued again: only its newest place counts.
            if self.replies.get(&k).is_some_and(|(t, _)| *t == at) {
                self.remove(&k);
            }
        }
        let key = (source, cookie.to_owned());
        self.remove(&key);
        self.order.push_back((now, key.clone()));
        self.bytes += reply.len();
        self.replies.insert(key, (now, reply));
    }

    pub fn len(&self) -> usize {
        self.replies.len()
    }

    pub fn is_empty(&self) -> bool {
        self.replies.is_empty()
    }

    fn remove(&mut self, key: &Key) {
        if let Some((_, r)) = self.replies.remove(key) {
            self.bytes = self.bytes.saturating_sub(r.len());
        }
    }

    /// Bytes of the answers kept.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    fn expire(&mut self, now: Instant) {
        while let Some((at, _)) = self.order.front() {
            if now.saturating_duration_since(*at) < REPLY_WINDOW {
                break;
            }
            if let Some((at, k)) = self.order.pop_front() {
                // A key put again later has a newer entry: keep that one.
                if self.replies.get(&k).is_some_and(|(t, _)| *t == at) {
                    self.remove(&k);
                }
            }
        }
    }
}
