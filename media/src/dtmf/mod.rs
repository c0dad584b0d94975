//! RFC 4733 telephone-events ("RFC 2833 DTMF").
//!
//! * [`TelephoneEvent`]: the 4-byte event payload (event, E bit, volume, duration).
//! * [`DtmfGenerator`]: the packet sequence for one digit, to be stamped with RTP headers by
//!   the caller (start with marker, updates every interval, three end retransmissions, all
//!   carrying the same RTP timestamp).
//! * [`DtmfReceiver`]: turns a stream of event packets (with end retransmissions, duplicates,
//!   reordering and loss) into one digit per event, finishing a digit whose end packets were lost
//!   on a timeout driven by the caller's `now` (sans-IO).
//!
//! The receiver knows nothing of RTP framing: callers pass the payload type, marker,
//! sequence number and timestamp they already parsed.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Length of one event block on the wire (RFC 4733 §2.3).
pub const EVENT_LEN: usize = 4;

/// Largest event code we map to a DTMF symbol (0-9, `*`, `#`, A-D, flash = 16).
pub const EVENT_FLASH: u8 = 16;

/// Why a telephone-event payload could not be parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DtmfError {
    /// Fewer than four bytes, or a length that is not a multiple of four.
    #[error("telephone-event payload of {0} bytes is not a positive multiple of 4")]
    BadLength(usize),
}

/// One RFC 4733 event block.
///
/// ```text
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// |     event     |E|R| volume    |          duration             |
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TelephoneEvent {
    /// Event code (0-9, 10 = `*`, 11 = `#`, 12-15 = A-D, 16 = flash, others per RFC 4734).
    pub event: u8,
    /// End of event (E bit).
    pub end: bool,
    /// Power level in -dBm0, 0..=63 (the R bit is dropped on parse and sent as zero).
    pub volume: u8,
    /// Duration so far, in RTP timestamp units.
    pub duration: u16,
}

impl TelephoneEvent {
    /// Parses the first event block of a payload.
    ///
    /// RFC 4733 §2.5.1.5 allows several blocks in one payload; only the first is returned
    /// (see [`TelephoneEvent::blocks`] to iterate them all).
    pub fn parse(payload: &[u8]) -> Result<Self, DtmfError> {
        match payload {
            [event, flags, d0, d1, rest @ ..] if rest.len() % EVENT_LEN == 0 => Ok(Self {
                event: *event,
                end: flags & 0x80 != 0,
                volume: flags & 0x3f,
                duration: u16::from_be_bytes([*d0, *d1]),
            }),
            _ => Err(DtmfError::BadLength(payload.len())),
        }
    }

    /// Iterates every 4-byte block of a payload (the length must already be valid).
    pub fn blocks(payload: &[u8]) -> impl Iterator<Item = Self> + '_ {
        payload
            .chunks_exact(EVENT_LEN)
            .filter_map(|c| Self::parse(c).ok())
    }

    /// Serialises the block.
    pub fn to_bytes(&self) -> [u8; EVENT_LEN] {
        let [d0, d1] = self.duration.to_be_bytes();
        let flags = if self.end { 0x80 } else { 0 } | (self.volume & 0x3f);
        [self.event, flags, d0, d1]
    }
}

/// Maps an event code to its DTMF symbol (`0`-`9`, `*`, `#`, `A`-`D`, `!` for flash).
pub fn event_to_char(event: u8) -> Option<char> {
    match event {
        0..=9 => char::from_digit(u32::from(event), 10),
        10 => Some('*'),
        11 => Some('#'),
        12..=15 => char::from_u32(u32::from(b'A' + event - 12)),
        EVENT_FLASH => Some('!'),
        _ => None,
    }
}

/// Maps a DTMF symbol to its event code (inverse of [`event_to_char`]; case-insensitive).
pub fn char_to_event(c: char) -> Option<u8> {
    match c {
        '0'..='9' => c.to_digit(10).and_then(|d| u8::try_from(d).ok()),
        '*' => Some(10),
        '#' => Some(11),
        'A'..='D' => u8::try_from(u32::from(c) - u32::from('A') + 12).ok(),
        'a'..='d' => u8::try_from(u32::from(c) - u32::from('a') + 12).ok(),
        '!' => Some(EVENT_FLASH),
        _ => None,
    }
}

fn units_to_duration(units: u32, clock_rate: u32) -> Duration {
    if clock_rate == 0 {
        return Duration::ZERO;
    }
    Duration::from_micros(u64::from(units) * 1_000_000 / u64::from(clock_rate))
}

fn duration_to_units(d: Duration, clock_rate: u32) -> u64 {
    d.as_micros()
        .saturating_mul(u128::from(clock_rate))
        .checked_div(1_000_000)
        .and_then(|u| u64::try_from(u).ok())
        .unwrap_or(u64::MAX)
}

/// Settings of a [`DtmfGenerator`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GeneratorConfig {
    /// RTP clock rate of the telephone-event payload type on this leg (8000 usually, 48000
    /// when negotiated alongside Opus).
    pub clock_rate: u32,
    /// Interval between update packets (RFC 4733 suggests 50 ms; many phones use 20 ms).
    pub interval: Duration,
    /// Power level in -dBm0 (10 is the common default).
    pub volume: u8,
    /// Number of end packets (RFC 4733 §2.5.1.4 recommends three).
    pub end_packets: u8,
    /// Longest event generated: a longer one is cut to it. We regenerate digits whose
    /// duration came from the network (an end packet may claim 65535 units, 8 s at 8 kHz);
    /// a key press needs no more than this, and each event costs one packet per interval.
    pub max_duration: Duration,
}

/// Shortest update interval honoured (a smaller configured one is raised to it), so that
/// one event is at most [`GeneratorConfig::max_duration`] / 10 ms updates.
pub const MIN_INTERVAL: Duration = Duration::from_millis(10);

impl Default for GeneratorConfig {
    fn default() -> Self {
        Self {
            clock_rate: 8000,
            interval: Duration::from_millis(20),
            volume: 10,
            end_packets: 3,
            max_duration: Duration::from_secs(1),
        }
    }
}

/// One packet to send, produced by [`DtmfGenerator`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GeneratedPacket {
    /// When to send it, relative to the start of the digit.
    pub offset: Duration,
    /// RTP marker bit (set on the first packet of the event only).
    pub marker: bool,
    /// RTP timestamp (the event start, identical in every packet of the event).
    pub timestamp: u32,
    /// The 4-byte payload.
    pub payload: [u8; EVENT_LEN],
}

/// Emits the packet sequence of one event (an [`Iterator`] of [`GeneratedPacket`]).
///
/// The caller assigns consecutive RTP sequence numbers and sends each packet at its
/// `offset` (never all at once: a receiver sees the event's duration grow in real time,
/// and a burst of them is lost together). Durations are clamped at
/// [`GeneratorConfig::max_duration`] and at 65535 units (8.2 s at 8 kHz, 1.36 s at 48 kHz);
/// longer events would need RFC 4733 §2.5.1.3 segmentation, which we do not generate.
#[derive(Debug, Clone)]
pub struct DtmfGenerator {
    event: u8,
    cfg: GeneratorConfig,
    timestamp: u32,
    total_units: u16,
    step_units: u16,
    /// Number of packets emitted so far.
    emitted: u32,
    ends_left: u8,
    ends_sent: u32,
    interval: Duration,
}

impl DtmfGenerator {
    /// A generator for `event` lasting `duration`, starting at RTP `timestamp`.
    pub fn new(event: u8, duration: Duration, timestamp: u32, cfg: GeneratorConfig) -> Self {
        let clamp = |u: u64| u16::try_from(u).unwrap_or(u16::MAX);
        let duration = duration.min(cfg.max_duration);
        let interval = cfg.interval.max(MIN_INTERVAL);
        let total_units = clamp(duration_to_units(duration, cfg.clock_rate));
        let step_units = clamp(duration_to_units(interval, cfg.clock_rate)).max(1);
        Self {
            event,
            cfg,
            timestamp,
            total_units: total_units.max(1),
            step_units,
            emitted: 0,
            ends_left: cfg.end_packets.max(1),
            ends_sent: 0,
            interval,
        }
    }

    fn packet(&self, offset: Duration, end: bool, duration: u16) -> GeneratedPacket {
        GeneratedPacket {
            offset,
            marker: self.emitted == 0,
            timestamp: self.timestamp,
            payload: TelephoneEvent {
                event: self.event,
                end,
                volume: self.cfg.volume,
                duration,
            }
            .to_bytes(),
        }
    }
}

impl Iterator for DtmfGenerator {
    type Item = GeneratedPacket;

    fn next(&mut self) -> Option<GeneratedPacket> {
        if self.ends_left == 0 {
            return None;
        }
        // Packet k (0-based) reports a duration of (k+1) intervals, the first one included:
        // it is sent one interval after the tone started.
        let next_units = u32::from(self.step_units).saturating_mul(self.emitted.saturating_add(1));
        let offset = |units: u32| units_to_duration(units, self.cfg.clock_rate);
        let pkt = if next_units < u32::from(self.total_units) {
            let d = u16::try_from(next_units).unwrap_or(u16::MAX);
            self.packet(offset(next_units), false, d)
        } else {
            // End packets all carry the final duration. RFC 4733 §2.5.1.4: the end packet is
            // sent three times "at the interval used by the source for updates", so that
            // one loss burst cannot take all of them.
            self.ends_left -= 1;
            let at = offset(u32::from(self.total_units))
                .saturating_add(self.interval.saturating_mul(self.ends_sent));
            self.ends_sent = self.ends_sent.saturating_add(1);
            self.packet(at, true, self.total_units)
        };
        self.emitted = self.emitted.saturating_add(1);
        Some(pkt)
    }
}

/// Settings of a [`DtmfReceiver`], per leg.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiverConfig {
    /// Negotiated payload type of telephone-event on this leg; other payload types are counted
    /// and ignored.
    pub payload_type: u8,
    /// RTP clock rate of that payload type.
    pub clock_rate: u32,
    /// An event with no packet for this long is finished with its longest duration seen
    /// (covers the loss of all end packets). RFC 4733 leaves it to the receiver.
    pub timeout: Duration,
    /// How far back (in sequence numbers) a reordered packet is still accepted.
    pub reorder_window: u16,
}

impl Default for ReceiverConfig {
    fn default() -> Self {
        Self {
            payload_type: 101,
            clock_rate: 8000,
            timeout: Duration::from_millis(250),
            reorder_window: 32,
        }
    }
}

/// How a received digit was finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// An end packet (E bit) arrived.
    EndBit,
    /// No packet for [`ReceiverConfig::timeout`].
    Timeout,
    /// A packet of a later event arrived first.
    NextEvent,
}

/// A finished event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceivedDigit {
    /// Event code.
    pub event: u8,
    /// DTMF symbol when the event code is one.
    pub symbol: Option<char>,
    /// RTP timestamp of the event start (its identity).
    pub timestamp: u32,
    /// Longest duration reported, in RTP timestamp units.
    pub duration_units: u32,
    /// The same as wall time, using the configured clock rate.
    pub duration: Duration,
    /// Volume of the last packet seen.
    pub volume: u8,
    /// How it was finished.
    pub reason: EndReason,
}

/// What a [`DtmfReceiver`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DtmfOutput {
    /// A new event began (first packet seen); lets an IVR mute audio or react early.
    Begin {
        /// Event code.
        event: u8,
        /// RTP timestamp of the event start.
        timestamp: u32,
    },
    /// An event finished; emitted exactly once per event.
    End(ReceivedDigit),
}

/// Packets the receiver did not use, counted by reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DtmfStats {
    /// Packets accepted and used.
    pub accepted: u64,
    /// Payload type is not telephone-event on this leg.
    pub wrong_payload_type: u64,
    /// Payload not a positive multiple of 4 bytes.
    pub malformed: u64,
    /// A sequence number seen before (network duplicate or redundant send).
    pub duplicate_seq: u64,
    /// Older than the reorder window.
    pub too_old: u64,
    /// For an event already finished (end retransmissions, late updates).
    pub finished_event: u64,
    /// For an event older than the current one that was never seen starting.
    pub stale_event: u64,
    /// Same timestamp as the current event but a different event code.
    pub conflicting_event: u64,
    /// Outputs discarded because the caller did not poll.
    pub output_overflow: u64,
}

/// Timestamps of recently finished events, to drop their retransmissions.
const FINISHED_MEMORY: usize = 8;
/// An event start this many seconds before the newest one means the stream restarted.
const RESTART_AFTER_SECS: u64 = 30;
/// Outputs kept when the caller does not poll.
const MAX_PENDING_OUTPUTS: usize = 16;

#[derive(Debug, Clone, Copy)]
struct Active {
    event: u8,
    timestamp: u32,
    max_duration: u16,
    volume: u8,
    last_seen: Instant,
}

/// Sans-IO RFC 4733 receiver and de-duplicator for one leg.
///
/// Drive it with [`handle_packet`](Self::handle_packet) and
/// [`handle_timeout`](Self::handle_timeout), read [`poll_output`](Self::poll_output) and
/// [`poll_timeout`](Self::poll_timeout). Memory is fixed after construction.
#[derive(Debug)]
pub struct DtmfReceiver {
    cfg: ReceiverConfig,
    active: Option<Active>,
    finished: [Option<u32>; FINISHED_MEMORY],
    finished_next: usize,
    /// Newest event timestamp seen (finished or active), for staleness.
    newest_ts: Option<u32>,
    /// Highest sequence number seen and a bitmap of the 64 below it.
    highest_seq: Option<u16>,
    seq_bits: u64,
    outputs: VecDeque<DtmfOutput>,
    stats: DtmfStats,
}

/// `a` is later than `b` in RTP serial-number arithmetic.
fn ts_after(a: u32, b: u32) -> bool {
    a != b && a.wrapping_sub(b) < 0x8000_0000
}

impl DtmfReceiver {
    /// A receiver for one leg.
    pub fn new(cfg: ReceiverConfig) -> Self {
        Self {
            cfg,
            active: None,
            finished: [None; FINISHED_MEMORY],
            finished_next: 0,
            newest_ts: None,
            highest_seq: None,
            seq_bits: 0,
            outputs: VecDeque::with_capacity(MAX_PENDING_OUTPUTS),
            stats: DtmfStats::default(),
        }
    }

    /// Counters, including every dropped packet by reason.
    pub fn stats(&self) -> DtmfStats {
        self.stats
    }

    /// The configuration in force.
    pub fn config(&self) -> &ReceiverConfig {
        &self.cfg
    }

    /// Takes the next output.
    pub fn poll_output(&mut self) -> Option<DtmfOutput> {
        self.outputs.pop_front()
    }

    /// Whether an event is under way (started, not yet ended or timed out).
    pub fn in_event(&self) -> bool {
        self.active.is_some()
    }

    /// When [`handle_timeout`](Self::handle_timeout) should be called next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.active.map(|a| a.last_seen + self.cfg.timeout)
    }

    /// Finishes an event that has been silent for the configured timeout.
    pub fn handle_timeout(&mut self, now: Instant) {
        if let Some(a) = self.active {
            if now.saturating_duration_since(a.last_seen) >= self.cfg.timeout {
                self.finish(EndReason::Timeout);
            }
        }
    }

    /// Feeds one RTP packet's header fields and payload.
    ///
    /// Packets of other payload types are counted and ignored, so the caller may feed the
    /// whole stream.
    pub fn handle_packet(
        &mut self,
        now: Instant,
        payload_type: u8,
        marker: bool,
        seq: u16,
        timestamp: u32,
        payload: &[u8],
    ) {
        // Expire first so a late packet after a long silence starts a fresh digit.
        self.handle_timeout(now);
        if payload_type != self.cfg.payload_type {
            self.stats.wrong_payload_type += 1;
            return;
        }
        let ev = match TelephoneEvent::parse(payload) {
            Ok(ev) => ev,
            Err(_) => {
                self.stats.malformed += 1;
                return;
            }
        };
        if !self.check_seq(seq) {
            return;
        }
        let _ = marker; // The marker only hints at a start; timestamps decide (it may be lost).
        if self.finished.contains(&Some(timestamp)) {
            self.stats.finished_event += 1;
            return;
        }
        match self.active {
            Some(a) if a.timestamp == timestamp => {
                if a.event != ev.event {
                    self.stats.conflicting_event += 1;
                    return;
                }
            }
            _ => {
                if self.newest_ts.is_some_and(|n| self.is_stale(timestamp, n)) {
                    self.stats.stale_event += 1;
                    return;
                }
                if self.active.is_some() {
                    self.finish(EndReason::NextEvent);
                }
                self.active = Some(Active {
                    event: ev.event,
                    timestamp,
                    max_duration: 0,
                    volume: ev.volume,
                    last_seen: now,
                });
                self.newest_ts = Some(timestamp);
                self.push(DtmfOutput::Begin {
                    event: ev.event,
                    timestamp,
                });
            }
        }
        self.stats.accepted += 1;
        if let Some(a) = self.active.as_mut() {
            a.max_duration = a.max_duration.max(ev.duration);
            a.volume = ev.volume;
            a.last_seen = now;
        }
        if ev.end {
            self.finish(EndReason::EndBit);
        }
    }

    /// An event start at or before the newest one seen, but not so far back that the
    /// stream must have restarted (new SSRC or timestamp base).
    fn is_stale(&self, timestamp: u32, newest: u32) -> bool {
        let behind = newest.wrapping_sub(timestamp);
        !ts_after(timestamp, newest)
            && u64::from(behind) <= u64::from(self.cfg.clock_rate) * RESTART_AFTER_SECS
    }

    /// Replay-window style check: duplicate and too-old sequence numbers are dropped.
    fn check_seq(&mut self, seq: u16) -> bool {
        let Some(high) = self.highest_seq else {
            self.highest_seq = Some(seq);
            self.seq_bits = 1;
            return true;
        };
        let ahead = seq.wrapping_sub(high);
        if ahead != 0 && ahead < 0x8000 {
            self.seq_bits = if ahead >= 64 {
                1
            } else {
                (self.seq_bits << ahead) | 1
            };
            self.highest_seq = Some(seq);
            return true;
        }
        let behind = high.wrapping_sub(seq);
        if behind > self.cfg.reorder_window.min(63) {
            // A far jump backwards is a restarted stream, not a reordered packet.
            if behind > 0x1000 {
                self.highest_seq = Some(seq);
                self.seq_bits = 1;
                return true;
            }
            self.stats.too_old += 1;
            return false;
        }
        let bit = 1u64 << behind;
        if self.seq_bits & bit != 0 {
            self.stats.duplicate_seq += 1;
            return false;
        }
        self.seq_bits |= bit;
        true
    }

    fn finish(&mut self, reason: EndReason) {
        let Some(a) = self.active.take() else { return };
        if let Some(slot) = self.finished.get_mut(self.finished_next) {
            *slot = Some(a.timestamp);
        }
        self.finished_next = (self.finished_next + 1) % FINISHED_MEMORY;
        let units = u32::from(a.max_duration);
        self.push(DtmfOutput::End(ReceivedDigit {
            event: a.event,
            symbol: event_to_char(a.event),
            timestamp: a.timestamp,
            duration_units: units,
            duration: units_to_duration(units, self.cfg.clock_rate),
            volume: a.volume,
            reason,
        }));
    }

    fn push(&mut self, out: DtmfOutput) {
        if self.outputs.len() >= MAX_PENDING_OUTPUTS {
            self.outputs.pop_front();
            self.stats.output_overflow += 1;
        }
        self.outputs.push_back(out);
    }
}

/// Fuzz entry: feeds arbitrary bytes as a packet stream (2-byte length-free records:
/// flags, seq, timestamp, payload) through parse and the receiver. Must never panic.
#[doc(hidden)]
pub fn fuzz_dtmf(data: &[u8]) {
    let _ = TelephoneEvent::parse(data);
    let start = Instant::now();
    let mut rx = DtmfReceiver::new(ReceiverConfig {
        timeout: Duration::from_millis(50),
        ..ReceiverConfig::default()
    });
    let mut now = start;
    // Records: [flags][seq_hi][seq_lo][ts byte][len][payload..len]
    let mut rest = data;
    while let [flags, s0, s1, ts, len, tail @ ..] = rest {
        let n = usize::from(*len % 12).min(tail.len());
        let (payload, next) = tail.split_at(n);
        now += Duration::from_millis(u64::from(flags & 0x3f));
        let pt = if flags & 0x40 != 0 { 0 } else { 101 };
        rx.handle_packet(
            now,
            pt,
            flags & 0x80 != 0,
            u16::from_be_bytes([*s0, *s1]),
            u32::from(*ts) * 160,
            payload,
        );
        while rx.poll_output().is_some() {}
        rest = next;
    }
    if let Some(t) = rx.poll_timeout() {
        rx.handle_timeout(t);
    }
    while rx.poll_output().is_some() {}
}

#[cfg(test)]
mod tests;
