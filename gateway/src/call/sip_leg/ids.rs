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
        let mut b = vec![0u8; bytes];
        self.0.fill_bytes(&mut b);
        b.iter().map(|x| format!("{x:02x}")).collect()
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
