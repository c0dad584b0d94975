//! The calls as operators see them: live views for the admin API and a CDR per ended call.
//! Built from the call state and the relay's per-leg statistics; never a PIN or key.

use std::time::Instant;

use crate::call::media_plane::{leg_index, AudioStats};

use super::{negotiate::AudioPath, Call, Calls, Phase, Side};
use crate::lockout::unix_seconds;
use crate::observe::{CallView, Cdr, LegView, Qos, Snapshot};

/// How the call's audio crosses the bridge, once it does.
pub(super) fn audio_name(call: &Call) -> Option<&'static str> {
    call.audio.map(|a| match a {
        AudioPath::PassThrough => "pass-through",
        AudioPath::Transcode => "transcode",
    })
}

impl Calls {
    /// `audio`: the session's audio counters by relay leg, read beforehand (one job for
    /// many calls).
    fn leg_view(&self, call: &Call, side: Side, audio_stats: Option<&AudioStats>) -> LegView {
        let streams = &call.leg(side).streams;
        let leg = side.relay_leg();
        let audio = streams.audio();
        let codec = audio
            .and_then(|s| s.codec())
            .map(|c| format!("{}/{}", c.name, c.clock_rate));
        let clock = streams.audio_codec().map_or(8000, |c| c.rtp_clock());
        let crypto_suite = streams.audio_suite().map(|s| s.name().to_owned());
        let qos = audio.and_then(|_| {
            audio_stats
                .and_then(|s| s.get(leg_index(leg)).copied().flatten())
                .map(|s| Qos::from_leg(&s, clock))
        });
        let state = match side {
            Side::Room => match (call.phase, call.room.answered()) {
                (Phase::Active, _) => "confirmed",
                (_, true) => "answered",
                _ => "inviting",
            },
            Side::Cloud if call.h323_up.is_some() => {
                match call.h323_up.as_ref().and_then(|u| u.leg.as_ref()) {
                    Some(l) if l.is_answered() => "confirmed",
                    Some(_) => "inviting",
                    None => "none",
                }
            }
            Side::Cloud => match (call.phase, call.cloud.leg.dialog.is_some()) {
                (Phase::Pin, _) => "none",
                (_, true) => "confirmed",
                (_, false) if call.cloud.provisional => "early",
                (_, false) if call.cloud.tx.is_some() => "inviting",
                _ => "none",
            },
        };
        let peer = match side {
            Side::Room => Some(call.room.source().to_string()),
            Side::Cloud => match &call.h323_up {
                Some(up) => Some(format!("{}:{}", up.target.host, up.target.port)),
                None => call.leg(side).dest.map(|d| d.addr.to_string()),
            },
        };
        let protocol = match side {
            Side::Room => call.room.protocol().as_str(),
            Side::Cloud if call.h323_up.is_some() => "h323",
            Side::Cloud => "sip",
        };
        LegView {
            protocol,
            state,
            peer,
            codec,
            crypto_suite,
            qos,
        }
    }

    fn view(&self, call: &Call, stats: Option<&AudioStats>) -> CallView {
        CallView {
            id: call.id,
            meeting: call.meeting.clone(),
            state: call.phase.label(),
            started: call.started_unix,
            audio: audio_name(call),
            room: self.leg_view(call, Side::Room, stats),
            cloud: self.leg_view(call, Side::Cloud, stats),
        }
    }

    /// Live calls, oldest first.
    pub fn views(&self) -> Vec<CallView> {
        let sessions: Vec<_> = self.calls.values().map(|c| c.session).collect();
        let stats = self.media.audio_stats(&sessions);
        let mut v: Vec<CallView> = self
            .calls
            .values()
            .map(|c| self.view(c, stats.get(&c.session)))
            .collect();
        v.sort_by_key(|c| c.id);
        v
    }

    /// Everything the admin API reads, in one piece.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            calls: self.views(),
            stats: self.stats(),
            setup: self.setup,
            relay: self.media.stats(),
            workers: self.media.totals(),
            // Filled in by the driver, which owns the SIP core's counters.
            overload_refused: Default::default(),
            gatekeeper: self.gatekeeper_status(),
        }
    }

    /// The RTP clock of `side`'s audio, when that leg has audio (what its QoS is read in).
    pub(super) fn audio_clock(&self, call: &Call, side: Side) -> Option<u32> {
        let streams = &call.leg(side).streams;
        streams
            .audio()
            .map(|_| streams.audio_codec().map_or(8000, |c| c.rtp_clock()))
    }

    /// The CDR of a call being removed, with its session's last audio counters.
    pub(super) fn cdr(&self, call: &Call, now: Instant, stats: Option<&AudioStats>) -> Cdr {
        let record = call.record.as_ref();
        Cdr {
            call: call.id,
            meeting: call.meeting.clone(),
            source: call.room.source_ip(),
            started: record.map_or(call.started_unix, |r| r.started),
            connected: record.and_then(|r| r.connected),
            ended: record.map_or_else(|| unix_seconds(self.wall.at(now)), |r| r.ended),
            setup_ms: record.and_then(|r| r.setup_ms),
            reason: record
                .and_then(|r| r.reason.clone())
                .or_else(|| call.fallback_reason.clone())
                .unwrap_or_else(|| "ended".to_owned()),
            pin_failures: record.map_or(0, |r| r.pin_failures),
            audio: audio_name(call),
            room: self.leg_view(call, Side::Room, stats),
            cloud: self.leg_view(call, Side::Cloud, stats),
        }
    }
}

/// Fills the QoS of each leg of `cdr` that has audio (`clocks`: room, cloud) from the
/// session's last counters (by relay leg: the room is leg A, the cloud leg B).
pub(super) fn with_qos(cdr: &mut Cdr, stats: &AudioStats, clocks: [Option<u32>; 2]) {
    let [room, cloud] = clocks;
    let [a, b] = *stats;
    cdr.room.qos = room.zip(a).map(|(clock, s)| Qos::from_leg(&s, clock));
    cdr.cloud.qos = cloud.zip(b).map(|(clock, s)| Qos::from_leg(&s, clock));
}

/// A lock on something shared with relay jobs (a panic elsewhere does not poison it here).
pub(super) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
