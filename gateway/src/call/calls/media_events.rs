//! What the relay tells the calls, and what the calls play into it: digits taken out of the
//! room's audio (PIN entry, or RFC 4733 events of our own toward a transcoded cloud leg),
//! media inactivity, and prompt frames toward the room.

use std::time::{Duration, Instant};

use roomgate_media::dtmf::GeneratorConfig;
use roomgate_media::relay::{Leg, OutEvent, PlayFrame, SessionId, StreamKind};
use roomgate_sip::transaction::TransactionLayer;

use roomgate_core::call::DigitSource;

use super::core_glue::time;
use super::negotiate::AudioPath;
use super::{Calls, Phase, RoomLeg, Side, TxRole};

impl Calls {
    /// A digit the relay took out of one leg's audio. The room's go to PIN entry first. On a
    /// pass-through stream whose legs have events at one clock rate the relay forwarded the
    /// RFC 4733 packets already; on a transcoded one, or between event clock rates, they
    /// cannot pass (the payload types and clocks differ), so the digit is sent on
    /// to the other leg as RFC 4733 events of our own, both ways (a meeting's own IVR may
    /// prompt the room for keys too). The digit itself is never logged (it may be part of a
    /// PIN).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn on_media_dtmf_sip(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        session: SessionId,
        leg: Leg,
        event: u8,
        digit: Option<char>,
        duration: Duration,
    ) {
        if let Some(d) = digit.filter(|_| leg == Leg::A) {
            if self.pin_digit(now, session, d) {
                return;
            }
        }
        let to_side = match leg {
            Leg::A => Side::Cloud,
            Leg::B => Side::Room,
        };
        let Some(&id) = self.by_session.get(&session) else {
            return;
        };
        if !self.key_source_is(id, to_side.other(), DigitSource::Rfc4733) {
            return;
        }
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        let from = call.leg(to_side.other()).streams.audio();
        let to = call.leg(to_side).streams.audio();
        let forwarded = matches!((from, to), (Some(f), Some(t))
            if roomgate_core::bridge::forwarded_events(f, t).is_some());
        if call.audio != Some(AudioPath::Transcode) && forwarded {
            return;
        }
        let id = call.id;
        self.forward_digit(layer, now, id, to_side, event, duration);
    }

    /// Whether key presses from `side` of call `id` that came by `source` are passed on: the
    /// first source seen after PIN entry is the only one from then on (RFC 4733 and INFO
    /// for the same press would reach the other leg twice). When INFO wins, the relay stops
    /// passing that side's RFC 4733 packets through.
    pub(super) fn key_source_is(&mut self, id: u64, side: Side, source: DigitSource) -> bool {
        let Some(call) = self.calls.get_mut(&id) else {
            return false;
        };
        let Some(slot) = call.key_source.get_mut(side as usize) else {
            return false;
        };
        let (session, leg) = (call.session, side.relay_leg());
        match slot {
            Some(s) => *s == source,
            None => {
                // An INFO while an RFC 4733 event from the same side is under way is that
                // press sent both ways: the events, already partly passed through, win.
                let under_way = source == DigitSource::Info
                    && self
                        .media
                        .query(session, move |r, _| {
                            Some(r.event_in_progress(session, leg, StreamKind::Audio))
                        })
                        .unwrap_or(false);
                if under_way {
                    *slot = Some(DigitSource::Rfc4733);
                    return false;
                }
                *slot = Some(source);
                if source == DigitSource::Info {
                    self.media
                        .post(session, "RFC 4733 forwarding not stopped", move |r, _| {
                            r.set_event_forwarding(session, leg, StreamKind::Audio, false)
                        });
                }
                true
            }
        }
    }

    /// Passes a key press on to `to_side` of call `id` in the form that leg negotiated: RFC
    /// 4733 events of our own when it has telephone-event (the relay paces them: one update
    /// per interval, the end packet three times, at the leg's event clock rate), else an
    /// INFO (`application/dtmf-relay`) in its dialog.
    pub(super) fn forward_digit(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        id: u64,
        to_side: Side,
        event: u8,
        duration: Duration,
    ) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if let (Side::Room, RoomLeg::H323(h)) = (to_side, &mut call.room) {
            // An H.323 room takes key presses as H.245 user input (alphanumeric), which
            // every H.323 terminal supports.
            if let Some(key) = crate::call::ivr::event_key(event) {
                h.leg.call().session().send_user_input(&key.to_string());
                self.h323_flush(now, id);
                tracing::debug!(call = id, "DTMF forwarded as H.245 user input");
            }
            return;
        }
        let te = call
            .leg(to_side)
            .streams
            .audio()
            .and_then(|s| s.telephone_event);
        let Some(te) = te else {
            let Some(key) = crate::call::ivr::event_key(event) else {
                tracing::debug!(call = id, event, "event without a key: not sent as INFO");
                return;
            };
            let host = &self.settings.sip_host;
            let body = format!("Signal={key}\r\nDuration={}\r\n", duration.as_millis());
            if let Some(tx) = call.leg_mut(to_side).info(layer, now, host, id, &body) {
                self.track(tx, id, TxRole::InDialog(to_side));
                tracing::debug!(call = id, to = ?to_side, "DTMF forwarded as INFO");
            }
            return;
        };
        let session = call.session;
        let to_leg = to_side.relay_leg();
        let ev = OutEvent {
            payload_type: te.payload_type,
            event,
            duration,
            generator: GeneratorConfig {
                clock_rate: te.clock_rate,
                ..GeneratorConfig::default()
            },
        };
        tracing::debug!(call = id, to = ?to_side, "DTMF forwarded as RFC 4733");
        self.media
            .post(session, "DTMF not forwarded", move |r, now| {
                r.send_event(now, session, to_leg, StreamKind::Audio, ev)
            });
    }

    /// The relay saw no media on a call for its inactivity timeout.
    pub(super) fn on_media_inactive_sip(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        session: SessionId,
    ) {
        let id = self
            .by_session
            .get(&session)
            .and_then(|id| self.calls.get(id))
            .filter(|c| c.phase == Phase::Active)
            .map(|c| c.id);
        if let Some(id) = id {
            self.core.media_inactive(time(now, self.wall), id);
        }
        self.drive(layer, now);
    }

    /// One prompt frame to the room.
    pub(super) fn play_prompt(&mut self, id: u64, frame: &[i16]) {
        let Some(session) = self.calls.get(&id).map(|c| c.session) else {
            return;
        };
        // Encoded, protected and sent by the worker that owns the session.
        let frame = frame.to_vec();
        // Before the room's address is known (delayed offer) there is nobody to play to; the
        // prompt goes on so timing stays the same.
        self.media
            .send_built(session, "prompt frame not sent", move |r, t, buf| {
                r.play(
                    t,
                    session,
                    Leg::A,
                    StreamKind::Audio,
                    PlayFrame::Pcm(&frame),
                    buf,
                )
            });
    }
}
