//! RTCP termination: RFC 3550 receive statistics per leg (Appendix A.1, A.3, A.8), send
//! counts for SRs, round-trip time from the far end's report blocks (§6.4.1), and the TMMBN
//! that answers a TMMBR whose limit goes on by signalling (RFC 5104 §4.2.2).
//!
//! The relay does not forward RTCP reports between legs: each leg's reports describe the
//! hop between that far end and us, which is what each side's congestion and quality
//! logic needs (and it keeps one side's SSRCs out of the other's view).

use std::time::{Duration, Instant};

use super::session::{srtp_drop, Ctx, LegState};
use super::stats::DropReason;
use super::Transmit;
use crate::rtcp::{CompoundWriter, ReportBlock, TmmbEntry};

/// Deterministic report interval T of a leg: RFC 3550 §6.2's 5 s minimum. A leg has two
/// members and audio/video bandwidth, for which §6.3.1's computed interval (members × mean
/// RTCP size / 5 % of the bandwidth) is far below the minimum, so the minimum is T.
pub const REPORT_INTERVAL: Duration = Duration::from_secs(5);

/// e − 3/2: RFC 3550 §6.3.1 divides the randomised interval by it to make up for timer
/// reconsideration's tendency to lengthen intervals (we keep the factor so a leg's average
/// rate is what the far end's RFC 3550 implementation expects from a peer).
pub const RECONSIDERATION_COMPENSATION: f64 = std::f64::consts::E - 1.5;

/// Delay until a leg's next report (RFC 3550 §6.3.1, A.7): `t_min` (halved before the first
/// report, §6.2, so a new leg reports quickly), times a uniform factor in [0.5, 1.5) so that
/// the reports of many legs started together do not synchronise, over e − 3/2. `unit` is a
/// uniform draw in [0, 1) from the seeded generator (the core has no RNG: sans-IO).
pub fn report_delay(t_min: Duration, initial: bool, unit: f64) -> Duration {
    let t = if initial { t_min / 2 } else { t_min };
    t.mul_f64((0.5 + unit.clamp(0.0, 1.0)) / RECONSIDERATION_COMPENSATION)
}

/// Seconds between 1900 (NTP era) and 1970 (Unix epoch).
pub const NTP_UNIX_OFFSET: u64 = 2_208_988_800;

/// A `Duration` as 64-bit NTP fixed point (32.32).
pub fn ntp_from_duration(d: Duration) -> u64 {
    let frac = (u64::from(d.subsec_nanos()) << 32) / 1_000_000_000;
    (d.as_secs() << 32) | frac
}

/// The NTP time (32.32, era 0 wrapping into era 1 in 2036 as RFC 5905 §6 does) of a wall
/// clock reading: the driver reads `SystemTime::now()` next to the `Instant` it gives
/// [`Relay::new`](super::Relay::new), and the core derives every SR's NTP timestamp from
/// that one anchor, so receivers can relate our SRs to real time (lip sync across streams,
/// RTT, and their own clocks). A clock before 1970 counts as 1970.
pub fn ntp_from_system_time(t: std::time::SystemTime) -> u64 {
    let since_unix = t
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or(Duration::ZERO);
    (NTP_UNIX_OFFSET << 32).wrapping_add(ntp_from_duration(since_unix))
}

/// Receive statistics of the far end's stream on one leg.
#[derive(Debug, Clone, Default)]
pub struct RecvStats {
    /// Far-end SSRC being measured.
    pub ssrc: Option<u32>,
    base_seq: u32,
    max_seq: u16,
    cycles: u32,
    /// Packets received from this source.
    pub received: u64,
    expected_prior: u64,
    received_prior: u64,
    last_transit: Option<i64>,
    /// Jitter in RTP units, times 16 (RFC 3550 A.8 fixed point).
    jitter_q4: i64,
    /// Middle 32 bits of the last SR's NTP timestamp, and when it arrived.
    last_sr: Option<(u32, Instant)>,
}

impl RecvStats {
    /// Accounts one RTP packet that arrived at `arrival` (in RTP clock units since the
    /// relay epoch, for the jitter estimate).
    pub fn on_rtp(&mut self, ssrc: u32, seq: u16, ts: u32, arrival_units: i64) {
        if self.ssrc != Some(ssrc) {
            *self = RecvStats {
                ssrc: Some(ssrc),
                base_seq: u32::from(seq),
                max_seq: seq,
                ..RecvStats::default()
            };
        } else {
            let delta = seq.wrapping_sub(self.max_seq);
            if delta != 0 && delta < 0x8000 {
                if seq < self.max_seq {
                    self.cycles = self.cycles.wrapping_add(1 << 16);
                }
                self.max_seq = seq;
            }
        }
        self.received = self.received.saturating_add(1);
        let transit = arrival_units.wrapping_sub(i64::from(ts));
        if let Some(last) = self.last_transit {
            let d = transit.wrapping_sub(last).unsigned_abs().min(1 << 31) as i64;
            self.jitter_q4 += d - ((self.jitter_q4 + 8) >> 4);
        }
        self.last_transit = Some(transit);
    }

    /// Notes an SR from the far end (for LSR/DLSR in our next report).
    pub fn on_sr(&mut self, ntp: u64, now: Instant) {
        self.last_sr = Some(((ntp >> 16) as u32, now));
    }

    /// Extended highest sequence number.
    pub fn extended_max(&self) -> u32 {
        self.cycles.wrapping_add(u32::from(self.max_seq))
    }

    /// Interarrival jitter in RTP units.
    pub fn jitter(&self) -> u32 {
        u32::try_from(self.jitter_q4 >> 4).unwrap_or(u32::MAX)
    }

    fn expected(&self) -> u64 {
        u64::from(self.extended_max().wrapping_sub(self.base_seq)) + 1
    }

    /// Cumulative packets lost (RFC 3550 A.3, clamped to 24-bit signed).
    pub fn cumulative_lost(&self) -> i32 {
        let lost = self.expected() as i64 - self.received as i64;
        lost.clamp(-0x80_0000, 0x7f_ffff) as i32
    }

    /// The report block for our next SR/RR, advancing the "since last report" counters.
    pub fn report_block(&mut self, now: Instant) -> Option<ReportBlock> {
        let ssrc = self.ssrc?;
        let expected = self.expected();
        let exp_int = expected.saturating_sub(self.expected_prior);
        let rec_int = self.received.saturating_sub(self.received_prior);
        self.expected_prior = expected;
        self.received_prior = self.received;
        let lost_int = exp_int.saturating_sub(rec_int);
        let fraction_lost = (lost_int << 8)
            .checked_div(exp_int)
            .map_or(0, |f| f.min(255) as u8);
        let (last_sr, delay_since_last_sr) = match self.last_sr {
            Some((lsr, at)) => {
                let d = now.saturating_duration_since(at);
                (lsr, (ntp_from_duration(d) >> 16) as u32)
            }
            None => (0, 0),
        };
        Some(ReportBlock {
            ssrc,
            fraction_lost,
            cumulative_lost: self.cumulative_lost(),
            extended_highest_seq: self.extended_max(),
            jitter: self.jitter(),
            last_sr,
            delay_since_last_sr,
        })
    }

    /// Fraction lost of the last report (for stats), 0–255.
    pub fn fraction_lost_now(&self) -> u8 {
        let exp_int = self.expected().saturating_sub(self.expected_prior);
        let rec_int = self.received.saturating_sub(self.received_prior);
        (exp_int.saturating_sub(rec_int) << 8)
            .checked_div(exp_int)
            .map_or(0, |f| f.min(255) as u8)
    }
}

/// Round-trip time from a report block about our stream (RFC 3550 §6.4.1: A − LSR − DLSR,
/// in 1/65536 s), `arrival_ntp` being our NTP time when the report arrived.
pub fn rtt_from_block(block: &ReportBlock, arrival_ntp: u64) -> Option<Duration> {
    if block.last_sr == 0 {
        return None;
    }
    let a = (arrival_ntp >> 16) as u32;
    let rtt = a
        .wrapping_sub(block.last_sr)
        .wrapping_sub(block.delay_since_last_sr);
    if rtt >= 0x8000_0000 {
        return None; // negative: clock or report garbage
    }
    Some(Duration::from_nanos(u64::from(rtt) * 1_000_000_000 / 65536))
}

/// A TMMBN from `sender` (our SSRC on leg `l`) naming `tuple` as the bounding set, to `l`'s
/// far end.
pub(crate) fn tmmbn(
    l: &mut LegState,
    sender: u32,
    tuple: TmmbEntry,
    buf: &mut [u8],
    ctx: &mut Ctx<'_>,
) -> Result<Transmit, DropReason> {
    let to = l.rtcp_destination().ok_or(DropReason::NoDestination)?;
    let mut w = CompoundWriter::new(buf);
    w.receiver_report(sender, &[])
        .and_then(|w| w.tmmbn(sender, &[tuple]))
        .map_err(|_| DropReason::BufferTooSmall)?;
    let n = w.len();
    let n = match l.tx.as_mut() {
        Some(tx) => tx.protect_rtcp(buf, n).map_err(srtp_drop)?,
        None => n,
    };
    l.sent(n);
    ctx.stats.feedback_sent = ctx.stats.feedback_sent.saturating_add(1);
    Ok(Transmit {
        from_port: l.rtcp_port(),
        to,
        len: n,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn loss_and_wrap() {
        let t = Instant::now();
        let mut s = RecvStats::default();
        for seq in [65534u16, 65535, 1, 2] {
            s.on_rtp(7, seq, 0, 0);
        }
        assert_eq!(s.extended_max(), 65536 + 2);
        assert_eq!(s.cumulative_lost(), 1);
        let b = s.report_block(t).unwrap();
        assert_eq!(b.fraction_lost, 51);
        assert_eq!(s.jitter(), 0);
    }

    #[test]
    fn jitter_grows_with_variation() {
        let mut s = RecvStats::default();
        for i in 0..50i64 {
            let wobble = if i % 2 == 0 { 0 } else { 80 };
            s.on_rtp(7, i as u16, (i * 160) as u32, i * 160 + wobble);
        }
        assert!(s.jitter() > 40 && s.jitter() <= 80, "{}", s.jitter());
    }

    #[test]
    fn rtt() {
        let b = ReportBlock {
            last_sr: 0x0001_0000,
            delay_since_last_sr: 0x0000_8000,
            ..ReportBlock::default()
        };
        // Arrival 1.75 s (in 32.32) after LSR's 1.0 s, DLSR 0.5 s → 250 ms.
        let rtt = rtt_from_block(&b, (1u64 << 32) + (3u64 << 30)).unwrap();
        assert_eq!(rtt, Duration::from_millis(250));
    }
}
