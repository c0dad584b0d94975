//! Output header rewriting for one leg: our own SSRC, and sequence numbers / timestamps
//! that stay continuous when the input source changes (re-latch, re-key, new far-end SSRC,
//! or a prompt played in between), so the far end's jitter buffer never sees a jump.

/// Timestamp step assumed across a source switch when no better value is known (20 ms at
/// 8 kHz); the receiver only needs a small forward step.
const DEFAULT_TS_STEP: u32 = 160;
/// Timestamp advance before a generated RFC 4733 event (one 20 ms packet at 8 kHz).
pub const EVENT_TS_STEP: u32 = DEFAULT_TS_STEP;

/// Sequence/timestamp mapper for packets sent on one leg.
#[derive(Debug, Clone)]
pub struct Rewriter {
    out_ssrc: u32,
    enabled: bool,
    in_ssrc: Option<u32>,
    seq_off: u16,
    ts_off: u32,
    started: bool,
    last_seq: u16,
    last_ts: u32,
    ts_step: u32,
}

impl Rewriter {
    /// A mapper sending as `out_ssrc`; with `enabled == false` headers pass unchanged.
    pub fn new(out_ssrc: u32, enabled: bool) -> Self {
        Self {
            out_ssrc,
            enabled,
            in_ssrc: None,
            seq_off: 0,
            ts_off: 0,
            started: false,
            last_seq: 0,
            last_ts: 0,
            ts_step: DEFAULT_TS_STEP,
        }
    }

    /// The SSRC we send with on this leg.
    pub fn out_ssrc(&self) -> u32 {
        if self.enabled {
            self.out_ssrc
        } else {
            self.in_ssrc.unwrap_or(self.out_ssrc)
        }
    }

    /// Last sequence number and timestamp sent.
    pub fn last(&self) -> Option<(u16, u32)> {
        self.started.then_some((self.last_seq, self.last_ts))
    }

    /// Forces the next forwarded packet to re-base (after an update or a played prompt).
    pub fn rebase(&mut self) {
        self.in_ssrc = None;
    }

    /// Maps an input `(ssrc, seq, ts)` to the output header fields.
    pub fn map(&mut self, ssrc: u32, seq: u16, ts: u32) -> (u32, u16, u32) {
        if !self.enabled {
            self.in_ssrc = Some(ssrc);
            self.note(seq, ts);
            return (ssrc, seq, ts);
        }
        if self.in_ssrc != Some(ssrc) || !self.started {
            if self.started {
                self.seq_off = self.last_seq.wrapping_add(1).wrapping_sub(seq);
                self.ts_off = self.last_ts.wrapping_add(self.ts_step).wrapping_sub(ts);
            }
            self.in_ssrc = Some(ssrc);
        }
        let (s, t) = (seq.wrapping_add(self.seq_off), ts.wrapping_add(self.ts_off));
        self.note(s, t);
        (self.out_ssrc, s, t)
    }

    /// Next header for a locally generated packet of `samples` (prompt playback).
    pub fn next_local(&mut self, samples: u32) -> (u32, u16, u32) {
        let (s, t) = match self.last() {
            Some((s, t)) => (s.wrapping_add(1), t.wrapping_add(self.ts_step)),
            None => (0, 0),
        };
        self.ts_step = samples.max(1);
        self.note(s, t);
        self.in_ssrc = None;
        (self.out_ssrc, s, t)
    }

    /// Our next sequence number at the last packet's timestamp: the updates and end packets
    /// of an RFC 4733 event share the event's start timestamp.
    pub fn next_local_same_ts(&mut self) -> (u32, u16, u32) {
        let (s, t) = match self.last() {
            Some((s, t)) => (s.wrapping_add(1), t),
            None => (0, 0),
        };
        self.note(s, t);
        self.in_ssrc = None;
        (self.out_ssrc, s, t)
    }

    fn note(&mut self, seq: u16, ts: u32) {
        if !self.started {
            self.started = true;
            self.last_seq = seq;
            self.last_ts = ts;
            return;
        }
        // Only newer packets move the high-water mark; reordered ones keep their mapping.
        let ahead = seq.wrapping_sub(self.last_seq);
        if ahead != 0 && ahead < 0x8000 {
            let step = ts.wrapping_sub(self.last_ts);
            if step > 0 && step < 0x8000_0000 {
                self.ts_step = step / u32::from(ahead).max(1);
            }
            self.last_seq = seq;
            self.last_ts = ts;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn continuous_across_source_change() {
        let mut r = Rewriter::new(0xabc, true);
        assert_eq!(r.map(1, 100, 1000), (0xabc, 100, 1000));
        assert_eq!(r.map(1, 101, 1160), (0xabc, 101, 1160));
        // New source, far-away numbers: output continues.
        assert_eq!(r.map(2, 9000, 555_000), (0xabc, 102, 1320));
        assert_eq!(r.map(2, 9001, 555_160), (0xabc, 103, 1480));
        // A played frame, then the source resumes after it.
        assert_eq!(r.next_local(160), (0xabc, 104, 1640));
        assert_eq!(r.map(2, 9002, 555_320), (0xabc, 105, 1800));
    }
}
