//! Symmetric RTP latching (RFC 4961 practice, "comedia").
//!
//! Who may feed a leg, and where the leg's media is sent:
//! - **SRTP leg**: any source, but only a packet that authenticates latches; the caller
//!   asks [`Latch::check`] first (which does no crypto), runs SRTP, and calls
//!   [`Latch::confirm`] only on success. A spoofer without the key never latches.
//! - **Plain leg**: only the signalled address; or, with `nat`, the first packet's source
//!   within [`NAT_WINDOW`] of the session start or last update (the far end is behind a
//!   NAT and its signalled address is private).
//! - Once latched, other sources are dropped until [`Latch::reset`] (a new offer/answer):
//!   re-latching on any packet would let an on-path attacker steal the stream.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// How long after a start or update a NAT leg may latch to an unsignalled source.
pub const NAT_WINDOW: Duration = Duration::from_secs(2);

/// Outcome of the pre-crypto check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LatchCheck {
    /// The source is the latched one: accept.
    Accepted,
    /// Not latched yet; accept and latch if the packet passes SRTP (or at once on plain legs).
    Candidate,
    /// Drop.
    Rejected,
}

/// Latch state of one leg's RTP (or RTCP) flow.
#[derive(Debug, Clone)]
pub struct Latch {
    signalled: Option<SocketAddr>,
    srtp: bool,
    nat: bool,
    window_end: Instant,
    latched: Option<SocketAddr>,
}

impl Latch {
    /// A fresh latch opened at `now`.
    pub fn new(now: Instant, signalled: Option<SocketAddr>, srtp: bool, nat: bool) -> Self {
        Self {
            signalled,
            srtp,
            nat,
            window_end: now + NAT_WINDOW,
            latched: None,
        }
    }

    /// New signalled address and security after an offer/answer; allows one new latch.
    pub fn reset(&mut self, now: Instant, signalled: Option<SocketAddr>, srtp: bool) {
        *self = Self::new(now, signalled, srtp, self.nat);
    }

    /// The pre-crypto decision for a packet from `source`.
    pub fn check(&self, now: Instant, source: SocketAddr) -> LatchCheck {
        match self.latched {
            Some(l) if l == source => LatchCheck::Accepted,
            Some(_) => LatchCheck::Rejected,
            None if self.srtp => LatchCheck::Candidate,
            None if self.signalled == Some(source) => LatchCheck::Candidate,
            None if self.nat && now < self.window_end => LatchCheck::Candidate,
            None => LatchCheck::Rejected,
        }
    }

    /// Latches to `source` (after the packet was accepted); true when newly latched.
    pub fn confirm(&mut self, source: SocketAddr) -> bool {
        if self.latched.is_none() {
            self.latched = Some(source);
            true
        } else {
            false
        }
    }

    /// The latched source, if any.
    pub fn latched(&self) -> Option<SocketAddr> {
        self.latched
    }

    /// Where to send: the latched source, else the signalled address.
    pub fn destination(&self) -> Option<SocketAddr> {
        self.latched.or(self.signalled)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn addr(p: u16) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], p))
    }

    #[test]
    fn plain_only_signalled() {
        let t0 = Instant::now();
        let mut l = Latch::new(t0, Some(addr(1)), false, false);
        assert_eq!(l.check(t0, addr(2)), LatchCheck::Rejected);
        assert_eq!(l.check(t0, addr(1)), LatchCheck::Candidate);
        assert!(l.confirm(addr(1)));
        assert_eq!(l.check(t0, addr(1)), LatchCheck::Accepted);
    }

    #[test]
    fn nat_window() {
        let t0 = Instant::now();
        let l = Latch::new(t0, Some(addr(1)), false, true);
        assert_eq!(
            l.check(t0 + Duration::from_millis(1999), addr(2)),
            LatchCheck::Candidate
        );
        assert_eq!(l.check(t0 + NAT_WINDOW, addr(2)), LatchCheck::Rejected);
        assert_eq!(l.check(t0 + NAT_WINDOW, addr(1)), LatchCheck::Candidate);
    }
}
