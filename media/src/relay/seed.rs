//! Deterministic randomness drawn from [`RelayConfig::ssrc_seed`](super::RelayConfig): the
//! core has no RNG of its own (sans-IO), yet RFC 3550 wants random SSRCs (§8.1), random
//! initial sequence numbers and timestamps (§5.1) and a randomised report interval (§6.2).
//! The driver seeds it from a real source; tests seed it with constants and replay.

/// splitmix64: a full-period generator whose consecutive outputs look unrelated, so the
/// SSRCs, bases and intervals of neighbouring legs do not correlate.
#[derive(Debug, Clone)]
pub(crate) struct SeedRng(u64);

impl SeedRng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub(crate) fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    pub(crate) fn next_u16(&mut self) -> u16 {
        (self.next_u64() >> 48) as u16
    }

    /// Uniform in [0, 1): the top 53 bits as the mantissa of an f64.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}
