//! Per-source admission: a token bucket per source IP (IPv6 grouped by /64, since one host
//! owns a whole /64) so one flooder is answered 503 while other callers keep being served.
//! The table is bounded; idle sources are forgotten.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Instant;

/// Sources tracked at once. Beyond it, sources whose buckets have refilled are evicted; if
/// none has, the newcomer shares one overflow bucket (so spoofed floods from many addresses
/// cannot grow memory, and are limited together).
pub const MAX_TRACKED_SOURCES: usize = 65_536;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum SourceKey {
    V4(u32),
    V6Prefix(u64),
    Overflow,
}

fn key(ip: IpAddr) -> SourceKey {
    match ip {
        IpAddr::V4(a) => SourceKey::V4(u32::from(a)),
        IpAddr::V6(a) => match a.to_ipv4_mapped() {
            Some(v4) => SourceKey::V4(u32::from(v4)),
            None => SourceKey::V6Prefix((u128::from(a) >> 64) as u64),
        },
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    buckets: HashMap<SourceKey, Bucket>,
}

impl RateLimiter {
    pub fn new(per_second: u32, burst: u32) -> Self {
        RateLimiter {
            per_second: f64::from(per_second.max(1)),
            burst: f64::from(burst.max(1)),
            buckets: HashMap::new(),
        }
    }

    /// Takes one token for `ip`; false means "over the limit, answer 503".
    pub fn admit(&mut self, ip: IpAddr, now: Instant) -> bool {
        let mut k = key(ip);
        if !self.buckets.contains_key(&k) && self.buckets.len() >= MAX_TRACKED_SOURCES {
            self.evict_full(now);
            if self.buckets.len() >= MAX_TRACKED_SOURCES {
                k = SourceKey::Overflow;
            }
        }
        let (per_second, burst) = (self.per_second, self.burst);
        let b = self.buckets.entry(k).or_insert(Bucket {
            tokens: burst,
            last: now,
        });
        let elapsed = now.saturating_duration_since(b.last).as_secs_f64();
        b.tokens = (b.tokens + elapsed * per_second).min(burst);
        b.last = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    fn evict_full(&mut self, now: Instant) {
        let (per_second, burst) = (self.per_second, self.burst);
        self.buckets.retain(|k, b| {
            *k == SourceKey::Overflow
                || b.tokens + now.saturating_duration_since(b.last).as_secs_f64() * per_second
                    < burst
        });
    }

    pub fn tracked(&self) -> usize {
        self.buckets.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn burst_then_rate_and_sources_are_independent() {
        let mut r = RateLimiter::new(10, 5);
        let t0 = Instant::now();
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        assert!((0..5).all(|_| r.admit(a, t0)));
        assert!(!r.admit(a, t0));
        assert!(r.admit(b, t0), "another source is unaffected");
        assert!(
            r.admit(a, t0 + Duration::from_millis(100)),
            "refills at the rate"
        );
        assert!(!r.admit(a, t0 + Duration::from_millis(100)));
    }

    #[test]
    fn ipv6_sources_share_their_64() {
        let mut r = RateLimiter::new(1, 1);
        let t0 = Instant::now();
        assert!(r.admit("2001:db8::1".parse().unwrap(), t0));
        assert!(!r.admit("2001:db8::ffff".parse().unwrap(), t0));
        assert!(r.admit("2001:db8:0:1::1".parse().unwrap(), t0));
    }

    #[test]
    fn table_stays_bounded() {
        let mut r = RateLimiter::new(1, 2);
        let t0 = Instant::now();
        for i in 0..(MAX_TRACKED_SOURCES as u32 + 1000) {
            r.admit(IpAddr::from(i.to_be_bytes()), t0);
        }
        assert!(r.tracked() <= MAX_TRACKED_SOURCES + 1);
    }
}
