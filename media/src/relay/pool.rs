//! UDP port pairs for sessions: even port for RTP, the odd one above it for RTCP
//! (RFC 3550 §11), handed out from a configured range and returned when a session ends.
//!
//! A pair is reserved even when the leg uses rtcp-mux (RFC 5761), so that a later
//! re-offer without mux never needs a second allocation that could fail mid-call; only its
//! socket is left unbound while nobody needs it (see [`Relay::poll_rtcp_port`]).
//!
//! [`Relay::poll_rtcp_port`]: super::Relay::poll_rtcp_port

/// A bounded pool of even/odd port pairs; memory is fixed at construction.
#[derive(Debug, Clone)]
pub struct PortPool {
    base: u16,
    pairs: u16,
    /// Free pair indices, used as a stack so a just-released pair is reused last-in
    /// first-out; `in_use` guards against double release.
    free: Vec<u16>,
    in_use: Vec<bool>,
}

impl PortPool {
    /// Pairs `[first, last]`, `first` rounded up to even; an empty pool when the range
    /// holds no pair.
    pub fn new(first: u16, last: u16) -> Self {
        let base = first.saturating_add(first & 1);
        let pairs = if last > base {
            (last - base).saturating_add(1) / 2
        } else {
            0
        };
        Self {
            base,
            pairs,
            free: (0..pairs).rev().collect(),
            in_use: vec![false; usize::from(pairs)],
        }
    }

    /// First (even) port of the range.
    pub fn base(&self) -> u16 {
        self.base
    }

    /// Number of pairs in the range.
    pub fn capacity(&self) -> usize {
        usize::from(self.pairs)
    }

    /// Pairs currently free.
    pub fn available(&self) -> usize {
        self.free.len()
    }

    /// The RTP (even) port of every pair, for a socket layer that binds them up front.
    pub fn rtp_ports(&self) -> impl Iterator<Item = u16> + '_ {
        (0..self.pairs).map(|i| self.base.saturating_add(i.saturating_mul(2)))
    }

    /// Takes a pair; returns its RTP (even) port.
    pub fn allocate(&mut self) -> Option<u16> {
        let i = self.free.pop()?;
        if let Some(u) = self.in_use.get_mut(usize::from(i)) {
            *u = true;
        }
        Some(self.base.saturating_add(i.saturating_mul(2)))
    }

    /// Returns the pair whose RTP port is `rtp_port`; ignores ports not handed out.
    pub fn release(&mut self, rtp_port: u16) {
        let Some(off) = rtp_port.checked_sub(self.base) else {
            return;
        };
        if off % 2 != 0 {
            return;
        }
        let i = off / 2;
        if let Some(u) = self.in_use.get_mut(usize::from(i)) {
            if *u {
                *u = false;
                self.free.push(i);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_even_and_returned() {
        let mut p = PortPool::new(30001, 30008);
        assert_eq!(p.base(), 30002);
        assert_eq!(p.capacity(), 3);
        let a = p.allocate();
        let b = p.allocate();
        let c = p.allocate();
        assert_eq!((a, b, c), (Some(30002), Some(30004), Some(30006)));
        assert_eq!(p.allocate(), None);
        p.release(30004);
        p.release(30004);
        p.release(30005);
        assert_eq!(p.available(), 1);
        assert_eq!(p.allocate(), Some(30004));
    }
}
