//! RFC 3261 Table 4 timer values, derived from T1, T2 and T4.
//!
//! | timer | meaning | unreliable transport | reliable transport |
//! |---|---|---|---|
//! | A | INVITE request retransmit (client) | T1, doubling | not used |
//! | B | INVITE transaction timeout (client) | 64*T1 | 64*T1 |
//! | C | proxy INVITE transaction timeout | > 3 min | > 3 min |
//! | D | wait for response retransmits (client INVITE) | ≥ 32 s | 0 |
//! | E | non-INVITE request retransmit (client) | T1, doubling to T2 | not used |
//! | F | non-INVITE transaction timeout (client) | 64*T1 | 64*T1 |
//! | G | INVITE final response retransmit (server) | T1, doubling to T2 | not used |
//! | H | wait for ACK receipt (server) | 64*T1 | 64*T1 |
//! | I | wait for ACK retransmits (server) | T4 | 0 |
//! | J | wait for non-INVITE request retransmits (server) | 64*T1 | 0 |
//! | K | wait for response retransmits (client non-INVITE) | T4 | 0 |
//! | L | wait for accepted INVITE retransmits (server, RFC 6026) | 64*T1 | 64*T1 |
//! | M | wait for 2xx retransmits (client, RFC 6026) | 64*T1 | 64*T1 |
//!
//! Timer C belongs to proxies (RFC 3261 §16.6 step 11), which a B2BUA's UA core is not: its TU
//! gives up on an unanswered INVITE with its own ring timeout and a CANCEL. We still bound the
//! two states the RFC leaves open-ended, so that every transaction ends (an abuse limit):
//! [`Timers::proceeding_guard`] plays the part of timer C (reset by each provisional) for a
//! client INVITE in Proceeding and for a server INVITE the TU never answers, and a server
//! non-INVITE transaction the TU never answers ends after 64*T1 (the client gave up by then
//! through its timer F).

use std::time::Duration;

/// Timer configuration of the transaction layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timers {
    /// RTT estimate (RFC 3261: 500 ms).
    pub t1: Duration,
    /// Maximum retransmit interval for non-INVITE requests and INVITE responses (4 s).
    pub t2: Duration,
    /// Maximum duration a message remains in the network (5 s).
    pub t4: Duration,
    /// Timer D on unreliable transports; RFC 3261 asks for at least 32 s.
    pub timer_d: Duration,
    /// Delay before a server INVITE transaction answers 100 Trying itself (§17.2.1: 200 ms).
    pub trying_delay: Duration,
    /// Bound on the Proceeding state of INVITE transactions (client: reset by provisionals,
    /// like timer C; server: the TU must send a final response within it). 3 min by default.
    pub proceeding_guard: Duration,
}

impl Default for Timers {
    fn default() -> Self {
        Self {
            t1: Duration::from_millis(500),
            t2: Duration::from_secs(4),
            t4: Duration::from_secs(5),
            timer_d: Duration::from_secs(32),
            trying_delay: Duration::from_millis(200),
            proceeding_guard: Duration::from_secs(180),
        }
    }
}

/// The smallest T1/T2 we accept: a zero retransmit interval would make the driver spin.
pub const MIN_RETRANSMIT_INTERVAL: Duration = Duration::from_millis(1);

impl Timers {
    /// The configuration with T1 at least [`MIN_RETRANSMIT_INTERVAL`] and T2 at least T1, so
    /// no retransmit timer has a zero interval. Every state machine applies it.
    pub fn sanitized(mut self) -> Self {
        self.t1 = self.t1.max(MIN_RETRANSMIT_INTERVAL);
        self.t2 = self.t2.max(self.t1);
        self
    }

    /// 64*T1: timers B, F, H, J (unreliable), L and M.
    pub fn t1_x64(&self) -> Duration {
        self.t1.saturating_mul(64)
    }

    /// Timer D: `timer_d` on unreliable transports, zero on reliable ones.
    pub fn d(&self, reliable: bool) -> Duration {
        if reliable {
            Duration::ZERO
        } else {
            self.timer_d
        }
    }

    /// Timers I and K: T4 on unreliable transports, zero on reliable ones.
    pub fn i_k(&self, reliable: bool) -> Duration {
        if reliable {
            Duration::ZERO
        } else {
            self.t4
        }
    }

    /// Timer J: 64*T1 on unreliable transports, zero on reliable ones.
    pub fn j(&self, reliable: bool) -> Duration {
        if reliable {
            Duration::ZERO
        } else {
            self.t1_x64()
        }
    }

    /// The next interval of a retransmit timer (E, G) that doubles up to T2.
    pub fn double_capped(&self, interval: Duration) -> Duration {
        interval.saturating_mul(2).min(self.t2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_rfc3261() {
        let t = Timers::default();
        assert_eq!(t.t1_x64(), Duration::from_secs(32));
        assert_eq!(t.d(false), Duration::from_secs(32));
        assert_eq!(t.d(true), Duration::ZERO);
        assert_eq!(t.i_k(false), Duration::from_secs(5));
        assert_eq!(t.j(true), Duration::ZERO);
        assert_eq!(
            t.double_capped(Duration::from_secs(2)),
            Duration::from_secs(4)
        );
        assert_eq!(
            t.double_capped(Duration::from_secs(4)),
            Duration::from_secs(4)
        );
        let zero = Timers {
            t1: Duration::ZERO,
            t2: Duration::ZERO,
            ..t
        }
        .sanitized();
        assert_eq!(
            (zero.t1, zero.t2),
            (MIN_RETRANSMIT_INTERVAL, MIN_RETRANSMIT_INTERVAL)
        );
    }
}
