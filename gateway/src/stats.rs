//! Counters shared by transports and the SIP core; read by tests now and by the metrics
//! endpoint later. Every drop has a counter named for its reason.

use std::sync::atomic::AtomicU64;

#[derive(Debug, Default)]
pub struct Stats {
    pub udp_datagrams: AtomicU64,
    pub dropped_too_large: AtomicU64,
    pub dropped_queue_full: AtomicU64,
    pub dropped_unparseable: AtomicU64,
    pub connections_refused: AtomicU64,
    pub streams_closed_bad_framing: AtomicU64,
    pub rate_limited: AtomicU64,
    pub requests: AtomicU64,
    pub responses_sent: AtomicU64,
}
