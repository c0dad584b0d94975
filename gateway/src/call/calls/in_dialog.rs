//! Routing inside running calls: responses to our client transactions, the room's ACK, and
//! requests in either leg's dialog go to the leg they belong to (by transaction or Call-ID).
//! A re-offer is answered on the leg that sent it; a direction change (hold, resume) is
//! mirrored to the other leg with a re-INVITE of ours.

use std::time::Instant;

use roomgate_core::call::{EndCause, UpstreamFailure};
use roomgate_core::media_spec::MediaSpec;
use roomgate_sip::dialog::InDialogRequest;
use roomgate_sip::sdp::{Direction, SessionDescription};
use roomgate_sip::transaction::{Received, TransactionId, TransactionLayer};
use roomgate_sip::{HeaderName, Message, Method, OwnedMessage};

use super::core_glue::time;
use super::{negotiate, srtp_rule, Calls, Phase, Side, TxRole};
use crate::call::sip_leg::sdp_map::leg_update;
use crate::call::sip_leg::{self, body_sdp, contact, refusal_response, response, Refusal, SDP};

impl Calls {
    /// A response to one of our client transactions.
    pub(super) fn on_response_sip(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        tx: TransactionId,
        response: &Received,
    ) {
        if let Some((dest, invite)) = self.abandoned.get(&tx).cloned() {
            let host = &self.settings.sip_host;
            if sip_leg::late_answer(layer, now, host, dest, &invite, response, &mut self.ids) {
                self.abandoned.remove(&tx);
            }
            return;
        }
        let Some(&(id, role)) = self.by_tx.get(&tx) else {
            return;
        };
        let Ok(msg) = response.message() else { return };
        let Some(code) = msg.status_line().map(|s| s.code) else {
            return;
        };
        match role {
            TxRole::CloudInvite => self.on_cloud_invite_response(layer, now, id, tx, msg, code),
            TxRole::Mirror(side) | TxRole::InDialog(side) => {
                let Some(call) = self.calls.get_mut(&id) else {
                    return;
                };
                let mirror = matches!(role, TxRole::Mirror(_));
                let host = &self.settings.sip_host;
                let out = call
                    .leg_mut(side)
                    .on_response(layer, host, msg, code, mirror);
                // The answer to our mirrored offer: new keys on that leg.
                if let Some(answer) = out.answer {
                    self.apply_mirror_answer(layer, now, id, side, &answer);
                }
                if out.dialog_ended {
                    tracing::info!(call = id, code, "in-dialog request failed: dialog over");
                    self.end(now, id, EndCause::Normal);
                }
            }
            TxRole::RoomInvite => {}
        }
    }

    /// A client transaction timed out or could not be sent.
    pub(super) fn on_transaction_failed_sip(
        &mut self,
        now: Instant,
        tx: TransactionId,
        timeout: bool,
    ) {
        self.abandoned.remove(&tx);
        let Some((id, role)) = self.by_tx.remove(&tx) else {
            return;
        };
        match role {
            TxRole::CloudInvite => {
                let failure = if timeout {
                    UpstreamFailure::Timeout
                } else {
                    UpstreamFailure::Unreachable
                };
                tracing::warn!(call = id, timeout, "cloud leg unreachable");
                if let Some(c) = self.calls.get_mut(&id) {
                    c.cloud.tx = None;
                }
                self.core.upstream_failed(time(now, self.wall), id, failure);
            }
            TxRole::InDialog(_) | TxRole::Mirror(_) => {
                // A BYE or re-INVITE that got no answer: the peer is gone (§12.2.1.2).
                if self.calls.contains_key(&id) {
                    tracing::info!(call = id, "in-dialog request unanswered: ending the call");
                    self.end(now, id, EndCause::Normal);
                }
            }
            TxRole::RoomInvite => {}
        }
    }

    /// ACK for a 2xx (outside any transaction), from either leg: it ends the peer's INVITE
    /// (so our own re-INVITEs on that leg may start again) and may carry the answer to the
    /// offer our 2xx made.
    pub(super) fn on_ack_sip(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        request: &Received,
    ) {
        let Ok(msg) = request.message() else { return };
        let Ok(call_id) = msg.call_id() else { return };
        let Some(&(id, side)) = self.by_call_id.get(call_id) else {
            return;
        };
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let acked = match side {
            Side::Room => call.room.sip_mut().and_then(|u| u.on_ack(msg)),
            Side::Cloud => call.cloud.leg.on_ack(msg),
        };
        let Some((answer_due, has_body)) = acked else {
            return;
        };
        self.schedule(id);
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if side == Side::Room && call.phase == Phase::Answered {
            super::set_phase(&mut self.in_setup, &mut call.phase, Phase::Active);
        }
        if call.phase == Phase::Pin {
            if side == Side::Room && answer_due && has_body {
                match body_sdp(msg) {
                    Ok(Some(answer)) => {
                        self.pin_answer_in_ack(layer, now, id, &answer, request.source.addr.ip());
                    }
                    _ => self.refuse_answer(layer, now, id, Side::Room, None),
                }
            }
            return;
        }
        if answer_due && has_body {
            let Some(local) = call.leg(side).local_sdp.as_ref() else {
                return;
            };
            if let Ok(Some(answer)) = body_sdp(msg) {
                match negotiate::negotiated(local, &answer) {
                    Ok(streams) => {
                        let leg = call.leg_mut(side);
                        leg.streams = streams;
                        leg.direction = negotiate::audio_direction(&answer);
                        self.configure_relay(now, id);
                    }
                    Err(refused) => {
                        let source = request.source.addr.ip();
                        self.refuse_answer(layer, now, id, side, Some((source, refused)));
                    }
                }
            } else {
                // An answer we cannot read is no answer: the media would never start.
                self.refuse_answer(layer, now, id, side, None);
            }
        }
    }

    /// A request with a To tag, or BYE/UPDATE/INFO of one of our calls.
    pub(super) fn on_in_dialog_sip(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        tx: TransactionId,
        request: &Received,
        msg: &roomgate_sip::Message<'_>,
    ) -> bool {
        let Ok(call_id) = msg.call_id() else {
            return false;
        };
        let Some(&(id, side)) = self.by_call_id.get(call_id) else {
            return false;
        };
        let Some(call) = self.calls.get_mut(&id) else {
            return false;
        };
        let Some(kind) = call.leg_mut(side).on_request(layer, now, tx, request, msg) else {
            return true;
        };
        match kind {
            InDialogRequest::Bye => {
                // The side that hung up has its dialog terminated already.
                self.core
                    .leg_ended(time(now, self.wall), id, side.neutral());
            }
            InDialogRequest::ReInvite { offer } | InDialogRequest::Update { offer } => {
                self.on_reoffer(layer, now, tx, id, side, request, msg, offer);
            }
            _ => {
                if self.on_info(layer, now, tx, id, side, request, msg) {
                    return true;
                }
                // The rest (OPTIONS, INFO without DTMF …): accepted.
                if let Some(r) = response(request, 200, "OK", None) {
                    self.respond_in_dialog(layer, now, tx, id, side, r);
                }
            }
        }
        true
    }

    /// Answers a request in `side`'s dialog of call `id` (the dialog learns of the answer).
    pub(super) fn respond_in_dialog(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        tx: TransactionId,
        id: u64,
        side: Side,
        r: OwnedMessage,
    ) {
        let t1 = self.settings.t1;
        match self.calls.get_mut(&id) {
            Some(call) => {
                call.leg_mut(side).respond(layer, now, t1, tx, r);
                self.schedule(id);
            }
            None => sip_leg::respond(layer, now, tx, &r),
        }
    }

    /// Refuses a request inside the dialog of `side`.
    #[allow(clippy::too_many_arguments)]
    fn refuse_in_dialog(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        tx: TransactionId,
        id: u64,
        side: Side,
        request: &Received,
        r: Refusal,
    ) {
        let tag = self.ids.hex(6);
        if let Some(resp) = refusal_response(request, r, &tag) {
            self.respond_in_dialog(layer, now, tx, id, side, resp);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn on_reoffer(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        tx: TransactionId,
        id: u64,
        side: Side,
        request: &Received,
        msg: &Message<'_>,
        has_offer: bool,
    ) {
        let media_ip = self.settings.media_ip;
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if call.leg_mut(side).refreshed(now) {
            self.schedule(id);
        }
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let offer = if has_offer {
            match body_sdp(msg) {
                Ok(o) => o,
                Err(w) => {
                    let r = Refusal {
                        warning: Some(w.to_owned()),
                        ..Refusal::new(488, "Not Acceptable Here")
                    };
                    self.refuse_in_dialog(layer, now, tx, id, side, request, r);
                    return;
                }
            }
        } else {
            None
        };
        let current_codec = call
            .leg(side)
            .streams
            .audio()
            .and_then(|s| s.codec())
            .map(|c| (c.name.clone(), c.clock_rate));
        let session = call.session;
        let meeting = call.meeting.clone();
        let other_video = negotiate::agreed_video(&call.leg(side.other()).streams);
        let (mut sdp, leg) = call.split(side, media_ip, &self.media);
        // Video is answered only in the format the other leg agreed (it passes through
        // unchanged), or refused.
        sdp.video_codecs = Some(other_video);
        let (caps, has_video) = sdp.running_caps(leg, offer.as_ref());
        let Some(offer) = offer else {
            // No offer (or an UPDATE that only refreshes): answer with what we have.
            let local = leg.local_sdp.clone();
            if let Some(mut r) = response(request, 200, "OK", None) {
                r.push(
                    HeaderName::Contact,
                    contact(&self.settings.sip_host, request.source.transport),
                );
                if msg.method() == Some(Method::Invite) {
                    if let Some(l) = local {
                        r = r.with_body(SDP, l.to_bytes());
                    }
                }
                self.respond_in_dialog(layer, now, tx, id, side, r);
            }
            return;
        };
        let answer = sdp.answer(&offer, &caps, has_video);
        // A re-offer whose crypto we cannot apply, or that would take an encrypted leg to
        // plain RTP, is refused with 488: the session stays as it was (RFC 3261 §14.2).
        let source = request.source.addr.ip();
        let negotiated = negotiate::negotiated(&answer, &offer);
        let downgrade =
            matches!(&negotiated, Ok(s) if srtp_rule::downgrades(&call.leg(side).streams, s));
        let streams = match negotiated {
            Ok(_) if downgrade => {
                self.report_downgrade(now, &meeting, source, side, &offer);
                tracing::warn!(call = id, "re-offer would downgrade SRTP to plain RTP: 488");
                let r = Refusal {
                    warning: Some("SRTP cannot be dropped from an encrypted call".to_owned()),
                    ..Refusal::new(488, "Not Acceptable Here")
                };
                self.refuse_in_dialog(layer, now, tx, id, side, request, r);
                return;
            }
            Ok(streams) => {
                let outcome = srtp_rule::answer_outcome(&streams);
                self.report_offer_crypto(now, &meeting, source, side, &offer, outcome);
                streams
            }
            Err(refused) => {
                self.report_refused(now, &meeting, source, side, refused);
                MediaSpec::default()
            }
        };
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let Some(audio) = streams.audio().cloned() else {
            let r = Refusal::new(488, "Not Acceptable Here");
            self.refuse_in_dialog(layer, now, tx, id, side, request, r);
            return;
        };
        let new_dir = negotiate::audio_direction(&offer);
        let same_codec = audio.codec().map(|c| (c.name.clone(), c.clock_rate)) == current_codec;
        let leg = call.leg_mut(side);
        let old_dir = leg.direction;
        leg.streams = streams.clone();
        leg.local_sdp = Some(answer.clone());
        leg.direction = new_dir;
        if same_codec {
            let relay_leg = side.relay_leg();
            for (kind, upd) in streams.streams.iter().filter_map(leg_update) {
                self.media.post(session, "leg update", move |r, now| {
                    r.update_leg(now, session, relay_leg, kind, upd)
                });
            }
        } else {
            self.configure_relay(now, id);
        }
        if let Some(mut r) = response(request, 200, "OK", None) {
            r.push(
                HeaderName::Contact,
                contact(&self.settings.sip_host, request.source.transport),
            );
            let r = r.with_body(SDP, answer.to_bytes());
            self.respond_in_dialog(layer, now, tx, id, side, r);
        }
        if new_dir != old_dir {
            tracing::info!(call = id, from = ?side, direction = new_dir.as_str(), "direction change mirrored");
            self.mirror_direction(layer, now, id, side, new_dir);
        }
    }

    /// Re-offers to the other leg with `direction` (hold and resume cross the bridge).
    fn mirror_direction(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        id: u64,
        from: Side,
        direction: Direction,
    ) {
        let to = from.other();
        let media_ip = self.settings.media_ip;
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if call.leg(to).dest.is_none() {
            return;
        }
        let (sdp, leg) = call.split(to, media_ip, &self.media);
        let (caps, has_video) = sdp.running_caps(leg, None);
        let Ok(offer) = sdp.offer(&caps, has_video, direction) else {
            return;
        };
        let host = &self.settings.sip_host;
        if let Some(tx) = call.leg_mut(to).reinvite(layer, now, host, id, offer) {
            self.track(tx, id, TxRole::Mirror(to));
        }
    }

    fn apply_mirror_answer(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        id: u64,
        side: Side,
        answer: &SessionDescription,
    ) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let Some(local) = call.leg(side).local_sdp.clone() else {
            return;
        };
        let streams = match negotiate::negotiated(&local, answer) {
            Ok(streams) => streams,
            Err(refused) => {
                // The answer to our re-offer claims SRTP we cannot apply: the call ends
                // rather than carry that leg's media unprotected.
                let source = call.leg(side).dest.map(|d| d.addr.ip());
                self.refuse_answer(layer, now, id, side, source.map(|s| (s, refused)));
                return;
            }
        };
        let session = call.session;
        call.leg_mut(side).streams = streams.clone();
        let relay_leg = side.relay_leg();
        for (kind, upd) in streams.streams.iter().filter_map(leg_update) {
            self.media.post(session, "leg update", move |r, _| {
                r.update_leg(now, session, relay_leg, kind, upd)
            });
        }
    }
}
