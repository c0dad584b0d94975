//! The PIN phase of a call: the room is answered by us, hears the prompts, and its digits
//! (RFC 4733 from the relay, or SIP INFO) go to its [`PinEntry`]. Attempts leave as
//! [`Action::PinAttempt`] and come back through [`Calls::on_pin_outcome`]; only a right PIN
//! places the cloud leg.

use std::time::Instant;

use roomgate_media::relay::{Leg, PlayFrame, SessionId, StreamKind};
use roomgate_sip::transaction::{Received, TransactionId, TransactionLayer};
use roomgate_sip::{Message, Method};

use super::{negotiate, Action, Calls, DigitSource, Outcome, Phase, PinEntry, Refusal, Step};

impl Calls {
    /// Answers the room ourselves and starts PIN entry (with the dial string's PIN as the
    /// first attempt, when it had one).
    pub(super) fn start_pin(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        id: u64,
        dialled_pin: Option<String>,
    ) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        // The room speaks its own first codec; the cloud leg, placed later, is offered that
        // codec first so the call usually passes through.
        let room_codecs = call
            .room
            .offer
            .as_ref()
            .map(negotiate::offered_audio)
            .unwrap_or_default();
        let audio = match (call.room.offer.is_some(), room_codecs.first()) {
            (true, Some(c)) => negotiate::audio_only(*c),
            _ => negotiate::audio_codecs(),
        };
        // Video keeps its ports for the bridge that follows a right PIN. With no offer from
        // the room, prompts start once its answer (in the ACK) is known.
        let sdp = super::room_sdp(
            &self.settings,
            &self.media,
            call,
            audio,
            call.video,
            call.room_direction,
        );
        let Some((local, streams)) = sdp else {
            self.end_call(layer, now, id, Some((500, "Server Internal Error")));
            return;
        };
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        call.room.streams = streams;
        let has_offer = call.room.offer.is_some();
        if has_offer && !self.configure_pin_relay(now, id) {
            self.stats.refused_media += 1;
            self.set_reason(id, "media");
            self.end_call(layer, now, id, Some((488, "Not Acceptable Here")));
            return;
        }
        self.send_room_ok(layer, now, id, local);
        let per_call = self.guard.as_ref().map_or(1, |g| g.per_call_attempts());
        let timeouts = self.settings.pin_timeouts;
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let rate = Self::room_rate(call);
        let prompts = match self.prompts.get(&rate).or_else(|| self.prompts.get(&8000)) {
            Some(p) => p.clone(),
            None => {
                tracing::error!(call = id, "no prompts loaded: ending the call");
                self.end_call(layer, now, id, None);
                return;
            }
        };
        call.pin = Some(PinEntry::new(
            now,
            prompts,
            rate,
            timeouts,
            per_call,
            dialled_pin,
        ));
        tracing::info!(call = id, "PIN entry started");
        self.pin_steps(layer, now, id);
    }

    /// The PCM rate of the room's audio codec (prompts are made for it).
    fn room_rate(call: &super::Call) -> u32 {
        call.room
            .streams
            .audio_codec()
            .map_or(8000, |c| c.pcm_rate())
    }

    /// Points the relay at the room leg alone.
    pub(super) fn configure_pin_relay(&mut self, now: Instant, id: u64) -> bool {
        let Some(call) = self.calls.get(&id) else {
            return false;
        };
        let streams = match negotiate::pin_streams(&call.room.streams, call.video) {
            Ok(s) => s,
            Err(e) => {
                tracing::info!(call = id, error = %e, "room leg cannot take prompts");
                return false;
            }
        };
        let session = call.session;
        match self
            .media
            .with_relay(|r, _| r.reconfigure_session(now, session, &streams))
        {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(call = id, error = %e, "relay refused the room leg");
                false
            }
        }
    }

    /// Carries out what the call's PIN entry asks for.
    pub(super) fn pin_steps(&mut self, layer: &mut TransactionLayer, now: Instant, id: u64) {
        loop {
            let Some(call) = self.calls.get_mut(&id) else {
                return;
            };
            let Some(step) = call.pin.as_mut().and_then(PinEntry::poll_step) else {
                break;
            };
            match step {
                Step::Attempt(pin) => {
                    self.stats.pin_attempts += 1;
                    let action = Action::PinAttempt {
                        call: id,
                        meeting: call.meeting.clone(),
                        source: call.room.invite.source.addr.ip(),
                        hash: call.pin_hash.clone(),
                        pin,
                    };
                    self.actions.push(action);
                }
                Step::Join => {
                    tracing::info!(call = id, "PIN accepted: joining the meeting");
                    self.place_cloud_leg(layer, now, id);
                }
                Step::HangUp(reason) => {
                    tracing::info!(
                        call = id,
                        reason = reason.as_str(),
                        "PIN entry ended the call"
                    );
                    if reason == super::ivr::HangUpReason::Unavailable {
                        self.stats.lockout_unavailable += 1;
                    } else {
                        self.stats.refused_pin += 1;
                    }
                    self.set_reason(id, reason.as_str());
                    self.end_call(layer, now, id, None);
                    return;
                }
            }
        }
        self.schedule(id);
    }

    /// The result of an [`Action::PinAttempt`].
    pub fn on_pin_outcome(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        call: u64,
        outcome: Outcome,
    ) {
        match outcome {
            Outcome::Correct => self.stats.pin_correct += 1,
            Outcome::Wrong => self.stats.pin_wrong += 1,
            Outcome::Unavailable => {}
        }
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        if let Some(p) = c.pin.as_mut() {
            p.on_outcome(now, outcome);
        }
        self.pin_steps(layer, now, call);
    }

    /// Plays due prompt frames and runs PIN entry's timers.
    pub(super) fn pin_timers(&mut self, layer: &mut TransactionLayer, now: Instant, id: u64) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if call.phase != Phase::Pin {
            return;
        }
        let session = call.session;
        let Some(pin) = call.pin.as_mut() else {
            return;
        };
        let media = &self.media;
        let mut buf = [0u8; 1500];
        pin.handle_timeout(now, |frame| {
            let played = media.with_relay(|r, t| {
                r.play(
                    t,
                    session,
                    Leg::A,
                    StreamKind::Audio,
                    PlayFrame::Pcm(frame),
                    &mut buf,
                )
            });
            match played {
                Ok(t) => media.send(t, &buf),
                // Before the room's address is known (delayed offer) there is nobody to
                // play to; the prompt goes on so timing stays the same.
                Err(e) => tracing::trace!(call = id, error = %e, "prompt frame not sent"),
            }
        });
        self.pin_steps(layer, now, id);
    }

    /// A key press from the room's RFC 4733 events.
    pub(super) fn pin_digit(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        session: SessionId,
        source: DigitSource,
        digit: char,
    ) -> bool {
        let Some(&id) = self.by_session.get(&session) else {
            return false;
        };
        self.digit_for(layer, now, id, source, digit)
    }

    fn digit_for(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        id: u64,
        source: DigitSource,
        digit: char,
    ) -> bool {
        let Some(call) = self.calls.get_mut(&id) else {
            return false;
        };
        if call.phase != Phase::Pin {
            return false;
        }
        if let Some(p) = call.pin.as_mut() {
            p.on_digit(now, source, digit);
        }
        self.pin_steps(layer, now, id);
        true
    }

    /// An INFO from the room. DTMF bodies feed PIN entry; a DTMF content type with a body we
    /// cannot read gets 400; anything else (e.g. a video fast-update request) gets 200.
    pub(super) fn on_info(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        tx: TransactionId,
        id: u64,
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
        match super::ivr::info_digit(&ct, msg.body) {
            Some(d) => {
                self.digit_for(layer, now, id, DigitSource::Info, d);
                if let Some(r) = Self::response(request, 200, "OK", None) {
                    let r = self.answered_in_dialog(id, super::Side::Room, r);
                    self.respond(layer, now, tx, &r);
                }
            }
            None => {
                tracing::info!(call = id, "INFO with an unreadable DTMF body");
                self.refuse(
                    layer,
                    now,
                    tx,
                    request,
                    Refusal::new(400, "Bad Request"),
                    None,
                );
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
        let Some(local) = call.room.local_sdp.as_ref() else {
            return;
        };
        call.room.streams = match negotiate::negotiated(local, answer) {
            Ok(streams) => streams,
            Err(refused) => {
                self.refuse_answer(layer, now, id, super::Side::Room, Some((source, refused)));
                return;
            }
        };
        call.room_direction = negotiate::audio_direction(answer);
        if !self.configure_pin_relay(now, id) {
            tracing::info!(call = id, "room answer unusable for prompts");
        }
    }

    /// Records why a call ends, first cause wins.
    pub(super) fn set_reason(&mut self, id: u64, reason: &str) {
        if let Some(c) = self.calls.get_mut(&id) {
            if c.end_reason.is_none() {
                c.end_reason = Some(reason.to_owned());
            }
        }
    }
}
