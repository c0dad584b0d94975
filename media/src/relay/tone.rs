//! RFC 4733 events we generate on a leg (a digit taken out of one leg's audio and sent on
//! to the other when the payload types or clocks differ), paced by their own timing: one
//! packet per update interval as the event's duration grows, the end packet three times at
//! that interval (RFC 4733 §2.5.1.2, §2.5.1.4). The packets come out of
//! [`Relay::poll_transmit`](super::Relay::poll_transmit) when
//! [`Relay::poll_timeout`](super::Relay::poll_timeout) says: a burst of an event's packets
//! arrives as one at the far end, and one loss takes them all.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::session::{srtp_drop, LegState};
use super::stats::{DropReason, RelayStats};
use super::{RelayError, Transmit};
use crate::dtmf::{DtmfGenerator, GeneratedPacket, GeneratorConfig, EVENT_LEN};
use crate::rtp::RtpBuilder;

/// Events waiting behind the one being sent on a leg; more are refused
/// ([`RelayError::EventQueueFull`]), so a flood of digits cannot grow the core's memory.
pub const MAX_QUEUED_EVENTS: usize = 16;

/// An RFC 4733 event for [`Relay::send_event`](super::Relay::send_event).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutEvent {
    /// telephone-event payload type on the leg.
    pub payload_type: u8,
    /// Event code (0-9, 10 = `*`, 11 = `#`, ...).
    pub event: u8,
    /// How long the event lasts (cut to [`GeneratorConfig::max_duration`]).
    pub duration: Duration,
    /// Clock rate of the payload type (the leg's audio clock), update interval, volume.
    pub generator: GeneratorConfig,
}

/// A packet due now.
pub(crate) struct DuePacket {
    pub payload_type: u8,
    /// First packet of its event (marker bit, new timestamp).
    pub first: bool,
    pub payload: [u8; EVENT_LEN],
    pub clock_rate: u32,
}

struct Active {
    ev: OutEvent,
    gen: DtmfGenerator,
    next: Option<GeneratedPacket>,
    start: Instant,
    first: bool,
}

impl Active {
    fn new(start: Instant, ev: OutEvent) -> Self {
        let mut gen = DtmfGenerator::new(ev.event, ev.duration, 0, ev.generator);
        let next = gen.next();
        Self {
            ev,
            gen,
            next,
            start,
            first: true,
        }
    }
}

/// The events of one leg: the one being sent and those waiting.
#[derive(Default)]
pub(crate) struct ToneQueue {
    active: Option<Active>,
    queued: VecDeque<OutEvent>,
    /// Already listed in the relay's due queue (listed once however often timers run).
    pub listed: bool,
}

impl ToneQueue {
    /// Starts `ev` at `now`, or after the events already queued.
    pub(crate) fn push(&mut self, now: Instant, ev: OutEvent) -> Result<(), RelayError> {
        if self.active.is_none() {
            self.active = Some(Active::new(now, ev));
            return Ok(());
        }
        if self.queued.len() >= MAX_QUEUED_EVENTS {
            return Err(RelayError::EventQueueFull);
        }
        self.queued.push_back(ev);
        Ok(())
    }

    /// When the next packet is due.
    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        let a = self.active.as_ref()?;
        a.next.map(|p| a.start + p.offset)
    }

    /// The next packet if it is due at `now`. The next event starts when the last packet of
    /// the previous one was due, so queued digits keep their own pacing too.
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<DuePacket> {
        let a = self.active.as_mut()?;
        let p = a.next?;
        let due = a.start + p.offset;
        if due > now {
            return None;
        }
        a.next = a.gen.next();
        let out = DuePacket {
            payload_type: a.ev.payload_type,
            first: a.first,
            payload: p.payload,
            clock_rate: a.ev.generator.clock_rate,
        };
        a.first = false;
        if a.next.is_none() {
            self.active = self.queued.pop_front().map(|ev| Active::new(due, ev));
        }
        Some(out)
    }
}

impl LegState {
    /// Sends the leg's next event packet if it is due: our SSRC and sequence numbers, the
    /// event's start timestamp placed at `now` on the leg's timeline. Returns it and
    /// whether another is due already (a driver that ran its timers late).
    pub(crate) fn send_tone(
        &mut self,
        now: Instant,
        buf: &mut [u8],
        stats: &mut RelayStats,
    ) -> (Option<Transmit>, bool) {
        let Some(d) = self.tones.pop_due(now) else {
            return (None, false);
        };
        let more = self.tones.poll_timeout().is_some_and(|t| t <= now);
        let Some(to) = self.latch.destination() else {
            stats.drops.count(DropReason::NoDestination);
            return (None, more);
        };
        let (ssrc, seq, ts) = if d.first {
            let advance = self.last_sent.map_or(0, |(_, at)| {
                let us = now.saturating_duration_since(at).as_micros();
                let units = us.saturating_mul(u128::from(d.clock_rate)) / 1_000_000;
                u32::try_from(units).unwrap_or(u32::MAX)
            });
            self.rewriter.start_event(advance)
        } else {
            self.rewriter.event_update()
        };
        let written = RtpBuilder {
            marker: d.first,
            payload_type: d.payload_type & 0x7f,
            sequence_number: seq,
            timestamp: ts,
            ssrc,
            ..RtpBuilder::default()
        }
        .write(&d.payload, buf);
        let Ok(n) = written else {
            stats.drops.count(DropReason::BufferTooSmall);
            return (None, more);
        };
        let n = match self.tx.as_mut().map(|tx| tx.protect_rtp(buf, n)) {
            None => n,
            Some(Ok(n)) => n,
            Some(Err(e)) => {
                stats.drops.count(srtp_drop(e));
                return (None, more);
            }
        };
        if d.first {
            self.sent_rtp(now, ts, EVENT_LEN, n);
        } else {
            // Updates repeat the start timestamp: the SR's extrapolation keeps the start's.
            self.sent(n);
            self.counters.rtp_sent = self.counters.rtp_sent.saturating_add(1);
            self.counters.rtp_payload_sent = self
                .counters
                .rtp_payload_sent
                .saturating_add(EVENT_LEN as u64);
        }
        stats.played = stats.played.saturating_add(1);
        (
            Some(Transmit {
                from_port: self.rtp_port,
                to,
                len: n,
            }),
            more,
        )
    }
}
