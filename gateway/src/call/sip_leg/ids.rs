//! Where the legs' random identifiers come from: tags, Via branches, Call-IDs and digest
//! cnonces. The legs read no randomness source themselves (sans-IO): the driver hands each leg
//! an [`Ids`] forked from its own, seeded from the operating system in service and from a
//! fixed number in tests, so a scenario or a fuzz input replays exactly.

use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};

/// A cryptographically strong generator (ChaCha12): tags and branches must not be guessable
/// (RFC 3261 §19.3 asks for at least 32 random bits), and cnonces protect digest credentials.
pub struct Ids(StdRng);

impl Ids {
    /// Seeded from the operating system.
    pub fn from_os() -> Ids {
        Ids(StdRng::from_os_rng())
    }

    /// The same sequence for the same seed (tests, fuzzing).
    pub fn seeded(seed: u64) -> Ids {
        Ids(StdRng::seed_from_u64(seed))
    }

    /// An independent generator for one leg.
    pub(crate) fn fork(&mut self) -> Ids {
        let mut seed = [0u8; 32];
        self.0.fill_bytes(&mut seed);
        Ids(StdRng::from_seed(seed))
    }

    pub(crate) fn fill(&mut self, out: &mut [u8]) {
        self.0.fill_bytes(out);
    }

    /// `bytes` random octets in lowercase hex.
    pub(crate) fn hex(&mut self, bytes: usize) -> String {
        // Drawn in chunks of 16 and written digit by digit: a `format!` per octet made the
        // identifiers of a call cost as much as decoding one of its messages.
        let mut out = String::with_capacity(bytes * 2);
        let mut chunk = [0u8; 16];
        let mut left = bytes;
        while left > 0 {
            let n = left.min(chunk.len());
            let Some(part) = chunk.get_mut(..n) else {
                break;
            };
            self.0.fill_bytes(part);
            for &x in part.iter() {
                for nibble in [x >> 4, x & 0x0f] {
                    out.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
                }
            }
            left -= n;
        }
        out
    }

    /// A number below `n` (0 when `n` is 0); the bias of the modulo is irrelevant for the
    /// small ranges it draws (Retry-After seconds).
    pub(crate) fn below(&mut self, n: u32) -> u32 {
        self.0.next_u32().checked_rem(n).unwrap_or(0)
    }

    /// A Via branch (RFC 3261 magic cookie, then 80 random bits).
    pub(crate) fn branch(&mut self) -> String {
        format!("z9hG4bK{}", self.hex(10))
    }
}

#[cfg(test)]
mod tests {
    use super::Ids;

    #[test]
    fn hex_is_lowercase_of_the_length_asked_and_replays_from_a_seed() {
        let mut a = Ids::seeded(7);
        let mut b = Ids::seeded(7);
        for n in [0, 1, 6, 8, 12, 16, 17, 40] {
            let h = a.hex(n);
            assert_eq!(h.len(), n * 2);
            assert!(h
                .bytes()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
            assert_eq!(h, b.hex(n));
        }
        // Twelve octets are drawn as one fill of the generator, as before.
        let mut raw = [0u8; 12];
        Ids::seeded(9).fill(&mut raw);
        let expected: String = raw.iter().map(|x| format!("{x:02x}")).collect();
        assert_eq!(Ids::seeded(9).hex(12), expected);
    }
}
