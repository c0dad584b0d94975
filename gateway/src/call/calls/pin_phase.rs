//! The SIP side of the PIN phase: the room is answered by us and its media pointed at the
//! relay for prompts; its digits (RFC 4733 from the relay, or SIP INFO) go to the call core's
//! PIN entry. Attempts leave as [`Action::PinAttempt`](super::Action::PinAttempt) and come back
//! through [`Calls::on_pin_outcome`]; only a right PIN makes the core place the cloud leg.

use std::time::Instant;

use roomgate_media::relay::SessionId;
use roomgate_sip::transaction::{Received, TransactionId, TransactionLayer};
use roomgate_sip::{Message, Method};

use roomgate_core::call::{DigitSource, EndCause, Outcome};

use super::core_glue::time;
use super::room_leg::Protocol;
use super::{negotiate, Calls, Side};
use crate::call::sip_leg::{self, response, Refusal};

impl Calls {
    /// Answers the room ourselves for PIN entry and tells the core the rate prompts play at.
    pub(super) fn start_pin(&mut self, layer: &mut TransactionLayer, now: Instant, id: u64) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if call.room.protocol() == Protocol::H323 {
            self.start_pin_h323(layer, now, id);
            return;
        }
        // The room speaks its own first codec; the cloud leg, placed later, is offered that
        // codec first so the call usually passes through.
        let room_codecs = call.room.offered_audio();
        let audio = match (call.room.has_offer(), room_codecs.first()) {
            (true, Some(c)) => negotiate::audio_only(*c),
            _ => negotiate::audio_codecs(),
        };
        // Video keeps its ports for the bridge that follows a right PIN. With no offer from
        // the room, prompts start once its answer (in the ACK) is known.
        let video = call.video;
        let direction = call.room.leg().direction;
        let has_offer = call.room.has_offer();
        let Some((local, streams)) = self.room_first_sdp(now, id, audio, video, video, direction)
        else {
            return;
        };
        if let Some(call) = self.calls.get_mut(&id) {
            call.room.leg_mut().streams = streams;
        }
        if has_offer && !self.configure_pin_relay(now, id) {
            self.local_stats.refused_media += 1;
            self.set_reason(id, "media");
            self.end(now, id, EndCause::NotAcceptable);
            return;
        }
        self.send_room_ok(layer, now, id, local);
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        let rate = Self::room_rate(call);
        self.core.pin_ready(time(now, self.wall), id, rate);
    }
    /// The PCM rate of the room's audio codec (prompts are made for it).
    pub(super) fn room_rate(call: &super::Call) -> u32 {
        call.room
            .leg()
            .streams
            .audio_codec()
            .map_or(8000, |c| c.pcm_rate())
    }

    /// Points the relay at the room leg alone (false when refused at once; the workers'
    /// later refusal ends the call: see [`PlaneResult::Refused`](crate::call::media_plane::PlaneResult)).
    pub(super) fn configure_pin_relay(&mut self, now: Instant, id: u64) -> bool {
        let Some(call) = self.calls.get(&id) else {
            return false;
        };
        let streams = match negotiate::pin_streams(&call.room.leg().streams, call.video) {
            Ok(s) => s,
            Err(e) => {
                tracing::info!(call = id, error = %e, "room leg cannot take prompts");
                return false;
            }
        };
        let session = call.session;
        match self.media.reconfigure(id, session, now, streams) {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(call = id, error = %e, "relay refused the room leg");
                false
            }
        }
    }

    /// The result of an [`Action::PinAttempt`](super::Action::PinAttempt).
    pub fn on_pin_outcome(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        call: u64,
        outcome: Outcome,
    ) {
        self.core
            .on_pin_outcome(time(now, self.wall), call, outcome);
        self.drive(layer, now);
    }

    /// A key press from the room's RFC 4733 events: true when PIN entry took it.
    pub(super) fn pin_digit(&mut self, now: Instant, session: SessionId, digit: char) -> bool {
        let Some(&id) = self.by_session.get(&session) else {
            return false;
        };
        self.core
            .digit(time(now, self.wall), id, DigitSource::Rfc4733, digit)
    }

    /// An INFO in either leg's dialog. A DTMF body feeds PIN entry (the room's, while it
    /// runs) or is passed on to the other leg, as RFC 4733 events when that leg negotiated
    /// telephone-event, else as an INFO of ours; a DTMF content type with a body we cannot
    /// read gets 400; anything else (e.g. a video fast-update request) is not ours (false).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn on_info(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        tx: TransactionId,
        id: u64,
        side: Side,
        request: &Received,
        msg: &Message<'_>,
    ) -> bool {
        if msg.method() != Some(Method::Info) {
            return false;
        }
        let ct = msg
            .content_type()
            .ok()
            .flatten()
            .map(|c| format!("{}/{}", c.kind, c.subtype).to_ascii_lowercase())
            .unwrap_or_default();
        if ct != "application/dtmf-relay" && ct != "application/dtmf" {
            return false;
        }
        match crate::call::ivr::info_digit(&ct, msg.body) {
            Some(d) => {
                if let Some(r) = response(request, 200, "OK", None) {
                    self.respond_in_dialog(layer, now, tx, id, side, r);
                }
                let taken = side == Side::Room
                    && self
                        .core
                        .digit(time(now, self.wall), id, DigitSource::Info, d);
                if !taken && self.key_source_is(id, side, DigitSource::Info) {
                    let duration = crate::call::ivr::info_duration(&ct, msg.body);
                    if let Some(event) = crate::call::ivr::event_code(d) {
                        self.forward_digit(layer, now, id, side.other(), event, duration);
                    }
                }
            }
            None => {
                tracing::info!(call = id, "INFO with an unreadable DTMF body");
                let r = Refusal::new(400, "Bad Request");
                let tag = self.ids.hex(6);
                sip_leg::refuse(layer, now, tx, request, r, &tag);
            }
        }
        true
    }

    /// The ACK of a PIN-phase 200 that carried our offer brought the room's answer.
    pub(super) fn pin_answer_in_ack(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        id: u64,
        answer: &roomgate_sip::sdp::SessionDescription,
        source: std::net::IpAddr,
    ) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let Some(local) = call.room.leg().local_sdp.as_ref() else {
            return;
        };
        let negotiated = negotiate::negotiated(local, answer);
        call.room.leg_mut().streams = match negotiated {
            Ok(streams) => streams,
            Err(refused) => {
                self.refuse_answer(layer, now, id, Side::Room, Some((source, refused)));
                return;
            }
        };
        call.room.leg_mut().direction = negotiate::audio_direction(answer);
        if !self.configure_pin_relay(now, id) {
            tracing::info!(call = id, "room answer unusable for prompts");
        }
    }
}
