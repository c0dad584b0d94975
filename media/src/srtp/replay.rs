//! Sliding replay window (RFC 3711 §3.3.2) as a fixed-size ring bitmap.
//!
//! The bitmap lives inline (no heap) so creating a stream and checking a packet never
//! allocate. Bit `i % CAPACITY` records index `i`; only the last `size` indices below the
//! highest one are accepted, so distinct indices inside the window never share a bit.

/// Largest configurable window, in packets (bits of the inline bitmap).
pub const MAX_REPLAY_WINDOW: usize = 1024;
/// RFC 3711 §3.3.2 asks for at least 64; libsrtp and WebRTC stacks use 128.
pub const DEFAULT_REPLAY_WINDOW: usize = 128;

const WORDS: usize = MAX_REPLAY_WINDOW / 64;
const CAPACITY: u64 = MAX_REPLAY_WINDOW as u64;

/// Why the window refused an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReplayReject {
    /// Seen before.
    Duplicate,
    /// Older than the window.
    TooOld,
}

#[derive(Debug, Clone)]
pub(crate) struct ReplayWindow {
    bits: [u64; WORDS],
    top: u64,
    size: u64,
    started: bool,
}

impl ReplayWindow {
    /// `size` must be 1..=MAX_REPLAY_WINDOW (checked at context creation).
    pub(crate) fn new(size: usize) -> Self {
        Self {
            bits: [0; WORDS],
            top: 0,
            size: (size as u64).clamp(1, CAPACITY),
            started: false,
        }
    }

    fn slot(index: u64) -> (usize, u64) {
        let pos = index % CAPACITY;
        ((pos / 64) as usize, 1u64 << (pos % 64))
    }

    fn bit(&self, index: u64) -> bool {
        let (w, m) = Self::slot(index);
        self.bits.get(w).is_some_and(|word| word & m != 0)
    }

    fn set(&mut self, index: u64, on: bool) {
        let (w, m) = Self::slot(index);
        if let Some(word) = self.bits.get_mut(w) {
            if on {
                *word |= m;
            } else {
                *word &= !m;
            }
        }
    }

    /// Read-only check; called before authentication.
    pub(crate) fn check(&self, index: u64) -> Result<(), ReplayReject> {
        if !self.started || index > self.top {
            return Ok(());
        }
        if self.top - index >= self.size {
            return Err(ReplayReject::TooOld);
        }
        if self.bit(index) {
            return Err(ReplayReject::Duplicate);
        }
        Ok(())
    }

    /// Records an authenticated index (after [`Self::check`] accepted it).
    pub(crate) fn update(&mut self, index: u64) {
        if !self.started {
            self.started = true;
            self.bits = [0; WORDS];
            self.top = index;
        } else if index > self.top {
            let advance = index - self.top;
            if advance >= CAPACITY {
                self.bits = [0; WORDS];
            } else {
                for i in self.top + 1..index {
                    self.set(i, false);
                }
            }
            self.top = index;
        }
        self.set(index, true);
    }

    /// Highest index recorded, if any.
    #[cfg(test)]
    pub(crate) fn highest(&self) -> Option<u64> {
        self.started.then_some(self.top)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_semantics() {
        let mut w = ReplayWindow::new(128);
        assert_eq!(w.check(1000), Ok(()));
        w.update(1000);
        assert_eq!(w.check(1000), Err(ReplayReject::Duplicate));
        assert_eq!(w.check(999), Ok(()));
        w.update(999);
        assert_eq!(w.check(999), Err(ReplayReject::Duplicate));
        assert_eq!(w.check(1000 - 127), Ok(()));
        assert_eq!(w.check(1000 - 128), Err(ReplayReject::TooOld));
        w.update(1200);
        assert_eq!(w.check(1000), Err(ReplayReject::TooOld));
        assert_eq!(w.check(1100), Ok(()));
        assert_eq!(w.check(1199), Ok(()));
        // Jump beyond the ring capacity clears everything; old bits must not alias.
        w.update(1200 + 1024);
        assert_eq!(w.check(1200 + 1024 - 1), Ok(()));
        w.update(1200 + 2048 + 1);
        assert_eq!(w.check(1200 + 2048 + 1), Err(ReplayReject::Duplicate));
        assert_eq!(w.check(1200 + 2048), Ok(()));
        assert_eq!(w.highest(), Some(1200 + 2048 + 1));
    }

    #[test]
    fn max_window_no_alias() {
        let mut w = ReplayWindow::new(MAX_REPLAY_WINDOW);
        for i in 0..3000u64 {
            assert_eq!(w.check(i), Ok(()));
            w.update(i);
        }
        assert_eq!(w.check(2999 - 1023), Err(ReplayReject::Duplicate));
        assert_eq!(w.check(2999 - 1024), Err(ReplayReject::TooOld));
    }
}
