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
    /// Sequence number and timestamp of our first packet (RFC 3550 §5.1: random, so that
    /// a known-plaintext start and a restarted sender's numbers are not predictable).
    first: (u16, u32),
    /// Packets of our own were put between forwarded ones of the same source: the next
    /// forwarded packet needs a new sequence offset, but keeps its timestamp mapping.
    reseq: bool,
    /// Start timestamp of the RFC 4733 event being sent (its updates and end packets repeat it).
    event_ts: u32,
}

impl Rewriter {
    /// A mapper sending as `out_ssrc` whose first packet carries sequence number and
    /// timestamp `first` (drawn from the relay's seed); with `enabled == false` headers pass
    /// unchanged.
    pub fn new(out_ssrc: u32, enabled: bool, first: (u16, u32)) -> Self {
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
            first,
            reseq: false,
            event_ts: first.1,
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

    /// Goes on from `old`, the mapper this leg had before its session was reconfigured
    /// (PIN prompts, then the bridge; a codec change; a re-key): same SSRC, and the next
    /// packet numbered after `old`'s last, so the far end sees one continuous stream
    /// instead of a new source starting at a random sequence number (which some endpoints
    /// take for old packets and drop). Only between mappers that both rewrite.
    pub fn continue_from(&mut self, old: &Rewriter) {
        if !self.enabled || !old.enabled {
            return;
        }
        self.out_ssrc = old.out_ssrc;
        self.started = old.started;
        self.last_seq = old.last_seq;
        self.last_ts = old.last_ts;
        self.ts_step = old.ts_step;
        self.in_ssrc = None;
        self.reseq = false;
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
            let (s0, t0) = match self.last() {
                Some((s, t)) => (s.wrapping_add(1), t.wrapping_add(self.ts_step)),
                None => self.first,
            };
            self.seq_off = s0.wrapping_sub(seq);
            self.ts_off = t0.wrapping_sub(ts);
            self.in_ssrc = Some(ssrc);
        } else if self.reseq {
            self.seq_off = self.last_seq.wrapping_add(1).wrapping_sub(seq);
        }
        self.reseq = false;
        let (s, t) = (seq.wrapping_add(self.seq_off), ts.wrapping_add(self.ts_off));
        self.note(s, t);
        (self.out_ssrc, s, t)
    }

    /// Next header for a locally generated packet of `samples` (prompt playback).
    pub fn next_local(&mut self, samples: u32) -> (u32, u16, u32) {
        let (s, t) = match self.last() {
            Some((s, t)) => (s.wrapping_add(1), t.wrapping_add(self.ts_step)),
            None => self.first,
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
            None => self.first,
        };
        self.note(s, t);
        self.in_ssrc = None;
        (self.out_ssrc, s, t)
    }

    /// Header of the first packet of an RFC 4733 event we generate, in the middle of
    /// whatever else the leg sends: the next sequence number, and a timestamp `advance`
    /// units (at least one packet) after the last one sent, so the event starts "now" even
    /// after a silence. Forwarded media of the same source keeps its timestamps: only its
    /// sequence numbers move up to make room.
    pub fn start_event(&mut self, advance: u32) -> (u32, u16, u32) {
        let (s, t) = match self.last() {
            Some((s, t)) => (s.wrapping_add(1), t.wrapping_add(advance.max(self.ts_step))),
            None => self.first,
        };
        // A long silence before the event is no packet duration for a later re-base.
        let step = self.ts_step;
        self.note(s, t);
        self.ts_step = step;
        self.event_ts = t;
        self.reseq = true;
        (self.out_ssrc, s, t)
    }

    /// Header of a later packet (update or end) of the event begun by
    /// [`start_event`](Self::start_event): next sequence number, the event's start
    /// timestamp (RFC 4733 §2.5.1.2), without pulling the timestamp high-water mark back.
    pub fn event_update(&mut self) -> (u32, u16, u32) {
        let s = match self.last() {
            Some((s, _)) => s.wrapping_add(1),
            None => self.first.0,
        };
        if self.started {
            self.last_seq = s;
        } else {
            self.note(s, self.event_ts);
        }
        self.reseq = true;
        (self.out_ssrc, s, self.event_ts)
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
        let mut r = Rewriter::new(0xabc, true, (100, 1000));
        assert_eq!(r.map(1, 7, 70), (0xabc, 100, 1000));
        assert_eq!(r.map(1, 8, 230), (0xabc, 101, 1160));
        // New source, far-away numbers: output continues.
        assert_eq!(r.map(2, 9000, 555_000), (0xabc, 102, 1320));
        assert_eq!(r.map(2, 9001, 555_160), (0xabc, 103, 1480));
        // A played frame, then the source resumes after it.
        assert_eq!(r.next_local(160), (0xabc, 104, 1640));
        assert_eq!(r.map(2, 9002, 555_320), (0xabc, 105, 1800));
    }

    #[test]
    fn event_packets_between_forwarded_ones_keep_both_timelines() {
        let mut r = Rewriter::new(0xabc, true, (500, 9000));
        assert_eq!(r.map(1, 10, 100), (0xabc, 500, 9000));
        assert_eq!(r.start_event(0), (0xabc, 501, 9160));
        assert_eq!(r.map(1, 11, 260), (0xabc, 502, 9160));
        assert_eq!(r.event_update(), (0xabc, 503, 9160));
        // The forwarded source goes on with its own timestamps, never back to the event's.
        assert_eq!(r.map(1, 12, 420), (0xabc, 504, 9320));
        assert_eq!(r.event_update(), (0xabc, 505, 9160));
        assert_eq!(r.map(1, 13, 580), (0xabc, 506, 9480));
        assert_eq!(r.last(), Some((506, 9480)));
    }
}
