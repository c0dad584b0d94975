//! What the gateway shows its operators: live calls, counters, and one record per ended call
//! (CDR). The SIP core fills these in; the admin API and `/metrics` read them through
//! [`AdminQuery`], answered by the driver between events, so the core never shares its state
//! behind a lock. Nothing here ever holds a PIN, key or password.

use std::net::IpAddr;

use roomgate_media::relay::{LegStreamStats, RelayStats};
use serde::Serialize;
use tokio::sync::oneshot;

use crate::call::CallStats;

/// Quality of one received RTP flow, from the relay's RTCP-level statistics.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Qos {
    pub packets_received: u64,
    pub packets_sent: u64,
    /// RFC 3550 cumulative lost (may be negative with duplicates; shown as is).
    pub packets_lost: i64,
    /// Lost over expected, in percent.
    pub loss_percent: f64,
    /// RFC 3550 interarrival jitter, in milliseconds.
    pub jitter_ms: f64,
    /// From the far end's reports about our stream, when it sent any.
    pub rtt_ms: Option<f64>,
    /// Listening-quality estimate (1–4.5) from the E-model, see [`mos_estimate`].
    pub mos: f64,
}

impl Qos {
    /// From a leg's statistics; `clock` is the stream's RTP clock rate (for jitter).
    pub fn from_leg(s: &LegStreamStats, clock: u32) -> Qos {
        let lost = i64::from(s.cumulative_lost);
        let received = s.rx_packets;
        let expected = (received as i64).saturating_add(lost.max(0));
        let loss_percent = if expected > 0 {
            lost.max(0) as f64 * 100.0 / expected as f64
        } else {
            0.0
        };
        let jitter_ms = f64::from(s.jitter) * 1000.0 / f64::from(clock.max(1));
        let rtt_ms = s.rtt.map(|d| d.as_secs_f64() * 1000.0);
        Qos {
            packets_received: received,
            packets_sent: s.tx_packets,
            packets_lost: lost,
            loss_percent,
            jitter_ms,
            rtt_ms,
            mos: mos_estimate(rtt_ms.unwrap_or(0.0) / 2.0 + jitter_ms * 2.0, loss_percent),
        }
    }
}

/// MOS from the simplified E-model (ITU-T G.107 with default values and G.711 with packet
/// loss concealment): `delay_ms` is the one-way mouth-to-ear delay (half the round trip plus
/// the jitter buffer), `loss_percent` the random packet loss. An estimate for dashboards,
/// not a measurement.
pub fn mos_estimate(delay_ms: f64, loss_percent: f64) -> f64 {
    let d = delay_ms.max(0.0);
    // Delay impairment Id (G.107's simplified form with the 177.3 ms knee).
    let id = 0.024 * d + if d > 177.3 { 0.11 * (d - 177.3) } else { 0.0 };
    // Equipment impairment with loss: G.711 Ie = 0, Bpl = 25.1 (G.113 Appendix I).
    let ppl = loss_percent.clamp(0.0, 100.0);
    let ie_eff = 95.0 * ppl / (ppl + 25.1);
    let r = (93.2 - id - ie_eff).clamp(0.0, 100.0);
    let mos = 1.0 + 0.035 * r + r * (r - 60.0) * (100.0 - r) * 7.0e-6;
    mos.clamp(1.0, 4.5)
}

/// One leg of a call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LegView {
    /// `none`, `inviting`, `early`, `answered`, `confirmed`, `ended`.
    pub state: &'static str,
    /// The signalling protocol of this leg: `sip` or `h323`.
    pub protocol: &'static str,
    /// The far end's address (signalling).
    pub peer: Option<String>,
    /// Audio codec spoken on this leg, e.g. `PCMU/8000`.
    pub codec: Option<String>,
    /// SRTP suite, or None for plain RTP.
    pub crypto_suite: Option<String>,
    /// What we receive from this leg's far end.
    pub qos: Option<Qos>,
}

/// A live call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallView {
    pub id: u64,
    pub meeting: String,
    /// `pin`, `resolving`, `inviting`, `answered`, `active`.
    pub state: &'static str,
    /// Unix seconds when the room's INVITE arrived.
    pub started: u64,
    /// `pass-through` or `transcode`, once both legs are bridged.
    pub audio: Option<&'static str>,
    pub room: LegView,
    pub cloud: LegView,
}

/// A call detail record, written when a call ends.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cdr {
    pub call: u64,
    pub meeting: String,
    /// The room's source address.
    pub source: IpAddr,
    /// Unix seconds.
    pub started: u64,
    /// When the cloud leg answered (the call was bridged), if it did.
    pub connected: Option<u64>,
    pub ended: u64,
    /// Milliseconds from the room's INVITE to the bridge, when bridged.
    pub setup_ms: Option<u64>,
    /// Why the call ended, e.g. `room_bye`, `cloud_bye`, `pin_failed`, `failed_486`, `no_media`,
    /// `room_srtp` / `cloud_srtp` (that leg's SDP answer could not be applied).
    pub reason: String,
    /// Wrong PINs entered in this call.
    pub pin_failures: u32,
    pub audio: Option<&'static str>,
    pub room: LegView,
    pub cloud: LegView,
}

/// Buckets of the call setup time histogram, in milliseconds (upper bounds; +Inf implied).
pub const SETUP_BUCKETS_MS: [u64; 9] = [100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000];

/// A Prometheus-style cumulative histogram of call setup times.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SetupHistogram {
    /// `counts[i]`: setups at most `SETUP_BUCKETS_MS[i]` ms (not cumulative here).
    pub counts: [u64; SETUP_BUCKETS_MS.len()],
    /// Setups above the last bucket.
    pub over: u64,
    pub sum_ms: u64,
    pub count: u64,
}

impl SetupHistogram {
    pub fn observe(&mut self, ms: u64) {
        match SETUP_BUCKETS_MS.iter().position(|&b| ms <= b) {
            Some(i) => {
                if let Some(c) = self.counts.get_mut(i) {
                    *c += 1;
                }
            }
            None => self.over += 1,
        }
        self.sum_ms = self.sum_ms.saturating_add(ms);
        self.count += 1;
    }
}

/// Everything the admin side reads in one consistent piece.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub calls: Vec<CallView>,
    pub stats: CallStats,
    pub setup: SetupHistogram,
    pub relay: RelayStats,
    /// The relay workers' queues and sockets (absent on a plane with no sockets).
    pub workers: Option<roomgate_media::relay::workers::WorkerTotals>,
    /// New INVITEs answered 503 by overload control, by reason (the SIP core's count, not
    /// the calls').
    pub overload_refused: crate::sip::overload::RefusedCounts,
    /// The H.323 gatekeeper registration, when `[h323.gatekeeper]` is enabled.
    pub gatekeeper: Option<roomgate_h323::gatekeeper::Status>,
}

/// A question from the admin side to the SIP core's driver.
#[derive(Debug)]
#[non_exhaustive]
pub enum AdminQuery {
    Snapshot(oneshot::Sender<Snapshot>),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mos_falls_with_loss_and_delay() {
        let clean = mos_estimate(20.0, 0.0);
        assert!(clean > 4.3 && clean <= 4.5, "{clean}");
        assert!(mos_estimate(20.0, 5.0) < clean - 0.3);
        assert!(mos_estimate(400.0, 0.0) < mos_estimate(100.0, 0.0));
        assert!(mos_estimate(1e6, 100.0) >= 1.0);
    }

    #[test]
    fn setup_histogram_buckets() {
        let mut h = SetupHistogram::default();
        h.observe(90);
        h.observe(100);
        h.observe(70_000);
        assert_eq!(h.counts[0], 2);
        assert_eq!(h.over, 1);
        assert_eq!(h.count, 3);
        assert_eq!(h.sum_ms, 70_190);
    }
}
