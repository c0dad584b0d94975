//! Placing the upstream leg and bridging it: the cloud URI resolved (or the echo service
//! chosen), our offer built from the room's codecs, the UAC leg's events turned into core
//! events, and once the core says connect, the room answered and the relay pointed at both
//! negotiated legs.

use std::time::Instant;

use roomgate_core::call::{EndCause, UpstreamFailure};
use roomgate_core::media_spec::{MediaSpec, StreamRole};
use roomgate_sip::sdp::offer_answer::LocalCodec;
use roomgate_sip::sdp::{Direction, SessionDescription};
use roomgate_sip::transaction::{Destination, TransactionId, TransactionLayer, Transport};
use roomgate_sip::Message;

use super::core_glue::{self, time};
use super::room_leg::Protocol;
use super::{negotiate, Action, Calls, Phase, Side, TxRole, Upstream};
use crate::call::sip_leg::{body_sdp, UacEvent};

impl Calls {
    /// Starts the cloud leg toward the meeting's upstream.
    pub(super) fn place_cloud_leg(&mut self, layer: &mut TransactionLayer, now: Instant, id: u64) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        super::set_phase(&mut self.in_setup, &mut call.phase, Phase::Resolving);
        let uri = call.cloud.uri.clone();
        match call.upstream.clone() {
            None => {
                // Unreachable: the core never places an unknown meeting.
                self.end(now, id, EndCause::NotFound);
            }
            Some(Upstream::Echo) => {
                if let Some((addr, name)) = self.settings.echo.clone() {
                    self.actions.push(Action::TlsName { addr, name });
                    self.on_destination(
                        layer,
                        now,
                        id,
                        Destination {
                            addr,
                            transport: Transport::Tls,
                        },
                    );
                }
            }
            Some(Upstream::Uri(_)) => self.actions.push(Action::Resolve { call: id, uri }),
            Some(Upstream::H323(text)) => self.place_h323_upstream(now, id, &text),
        }
        self.schedule(id);
    }

    /// The driver resolved the cloud URI of `call`.
    pub fn on_resolved(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        call: u64,
        result: Result<(Destination, String), String>,
    ) {
        match result {
            Ok((dest, name)) => {
                if dest.transport == Transport::Tls {
                    self.actions.push(Action::TlsName {
                        addr: dest.addr,
                        name,
                    });
                }
                self.on_destination(layer, now, call, dest);
            }
            Err(e) => {
                tracing::warn!(call, error = %e, "cloud URI does not resolve");
                self.end(now, call, EndCause::Upstream(UpstreamFailure::Unreachable));
            }
        }
        self.drive(layer, now);
    }

    fn on_destination(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        id: u64,
        dest: Destination,
    ) {
        let media_ip = self.settings.media_ip;
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if call.phase != Phase::Resolving {
            return;
        }
        call.cloud.leg.dest = Some(dest);
        // Our offer to the cloud: the room's codecs first (pass-through wins), then every
        // codec we can transcode; the meeting's SRTP policy and suites.
        let first = call.room.offered_audio();
        let video = call.video;
        let direction = call.room.leg().direction;
        let room_video = call.room.offered_video();
        let (mut sdp, leg) = call.split(Side::Cloud, media_ip, &self.media);
        sdp.video_codecs = Some(room_video);
        let caps = sdp.caps(leg.sdp_version, negotiate::audio_preferring(&first), video);
        let offer = match sdp.offer(&caps, video, direction) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(call = id, error = %e, "cannot build the cloud offer");
                self.end(now, id, EndCause::Internal);
                return;
            }
        };
        let caller = call.room.caller();
        let invite = call.cloud.build_invite(
            &self.settings.sip_host,
            &self.settings.gateway_domain,
            &caller,
            dest,
            offer,
        );
        super::set_phase(&mut self.in_setup, &mut call.phase, Phase::Inviting);
        self.send_cloud_invite(layer, now, id, invite, dest);
    }

    fn send_cloud_invite(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        id: u64,
        invite: roomgate_sip::OwnedMessage,
        dest: Destination,
    ) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        match call.cloud.send_invite(layer, now, invite, dest) {
            Ok(tx) => self.track(tx, id, TxRole::CloudInvite),
            Err(e) => {
                tracing::warn!(call = id, error = %e, "cloud INVITE not sent");
                self.end(now, id, EndCause::Upstream(UpstreamFailure::Unreachable));
            }
        }
    }

    /// A response to the cloud INVITE (transaction `tx`).
    pub(super) fn on_cloud_invite_response(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        id: u64,
        tx: TransactionId,
        msg: &Message<'_>,
        code: u16,
    ) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let host = &self.settings.sip_host;
        match call
            .cloud
            .on_invite_response(layer, now, host, id, msg, code)
        {
            UacEvent::Provisional { ringing } => {
                if ringing {
                    self.core.upstream_ringing(time(now, self.wall), id);
                }
            }
            UacEvent::Repeated | UacEvent::Unusable => {}
            UacEvent::Answered => self.cloud_answered(layer, now, id, msg),
            UacEvent::Retried(sent) => {
                self.by_tx.remove(&tx);
                match sent {
                    Ok(next) => self.track(next, id, TxRole::CloudInvite),
                    Err(e) => {
                        tracing::warn!(call = id, error = %e, "cloud INVITE not sent");
                        self.end(now, id, EndCause::Upstream(UpstreamFailure::Unreachable));
                    }
                }
            }
            UacEvent::Failed { code } => {
                self.by_tx.remove(&tx);
                let failure = core_glue::upstream_failure(code);
                tracing::info!(
                    call = id,
                    cloud_status = code,
                    ?failure,
                    "cloud leg refused"
                );
                self.core.upstream_failed(time(now, self.wall), id, failure);
            }
        }
    }

    /// The cloud's 2xx made its dialog: its answer becomes the cloud leg's `MediaSpec`.
    fn cloud_answered(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        id: u64,
        msg: &Message<'_>,
    ) {
        self.schedule(id);
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let Some(dest) = call.cloud.leg.dest else {
            return;
        };
        let answer = match body_sdp(msg) {
            Ok(Some(a)) => a,
            _ => {
                tracing::warn!(call = id, "cloud answered without a usable SDP answer");
                self.core
                    .upstream_failed(time(now, self.wall), id, UpstreamFailure::Failed);
                return;
            }
        };
        let streams = match call.cloud.leg.local_sdp.as_ref() {
            Some(l) => negotiate::negotiated(l, &answer),
            None => Ok(MediaSpec::default()),
        };
        let streams = match streams {
            Ok(s) => s,
            Err(refused) => {
                // Claimed SRTP we cannot apply: the leg ends, never a silent downgrade.
                let source = dest.addr.ip();
                self.refuse_answer(layer, now, id, Side::Cloud, Some((source, refused)));
                return;
            }
        };
        call.cloud.leg.direction = negotiate::audio_direction(&answer).reversed();
        call.cloud.leg.streams = streams;
        if !call.cloud.leg.streams.has(StreamRole::Audio) {
            tracing::warn!(call = id, "cloud accepted no audio");
            self.core
                .upstream_failed(time(now, self.wall), id, UpstreamFailure::NotAcceptable);
            return;
        }
        self.core.upstream_answered(time(now, self.wall), id);
    }

    /// Sends the room its 200: an answer to its offer, or our offer when it sent none.
    pub(super) fn answer_room(&mut self, layer: &mut TransactionLayer, now: Instant, id: u64) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if call.room.protocol() == Protocol::H323 {
            self.answer_h323_room(layer, now, id);
            return;
        }
        if call.room.answered() {
            // Answered during PIN entry: bridge the legs as they are (transcoding when the
            // cloud chose another codec).
            if !self.configure_relay(now, id) {
                self.set_reason(id, "bridge_failed");
                self.end(now, id, EndCause::Normal);
                return;
            }
            if let Some(call) = self.calls.get_mut(&id) {
                super::set_phase(&mut self.in_setup, &mut call.phase, Phase::Active);
            }
            self.connected(now, id);
            return;
        }
        let cloud_codec = call.cloud.leg.streams.audio_codec();
        let room_codecs = call.room.offered_audio();
        // The room speaks the cloud's codec when it offered it (pass-through); else its own
        // first codec, transcoded.
        let choice = match cloud_codec {
            Some(c)
                if room_codecs.is_empty()
                    || room_codecs
                        .iter()
                        .any(|r| std::mem::discriminant(r) == std::mem::discriminant(&c)) =>
            {
                Some(c)
            }
            _ => room_codecs.first().copied(),
        };
        // Every codec the cloud agreed that the room offered is answered (in the room's
        // order), so either side may switch among them and still pass through; with none
        // in common, the one codec the relay transcodes to.
        let cloud_agreed: Vec<_> = call
            .cloud
            .leg
            .streams
            .audio()
            .map(|s| s.codecs.iter().filter_map(|c| c.relay()).collect())
            .unwrap_or_default();
        let both: Vec<_> = cloud_agreed
            .into_iter()
            .filter(|c| room_codecs.iter().any(|r| negotiate::same_codec(*r, *c)))
            .collect();
        let audio = match (call.room.has_offer(), choice) {
            (true, Some(_)) if !both.is_empty() => negotiate::audio_among(&both),
            (true, Some(c)) => negotiate::audio_only(c),
            (false, Some(c)) => negotiate::audio_preferring(&[c]),
            _ => negotiate::audio_codecs(),
        };
        // Video only when the cloud takes it too.
        let cloud_video = call.cloud.leg.streams.has(StreamRole::MainVideo);
        let direction = call.cloud.leg.direction;
        let caps_video = call.video;
        let has_offer = call.room.has_offer();
        let first = self.room_first_sdp(now, id, audio, caps_video, cloud_video, direction);
        let Some((local, streams)) = first else {
            return;
        };
        if has_offer {
            if !streams.has(StreamRole::Audio) {
                self.local_stats.refused_media += 1;
                self.end(now, id, EndCause::NotAcceptable);
                return;
            }
            if let Some(call) = self.calls.get_mut(&id) {
                call.room.leg_mut().streams = streams;
            }
            if !self.configure_relay(now, id) {
                self.end(now, id, EndCause::Internal);
                return;
            }
        }
        if let Some(call) = self.calls.get_mut(&id) {
            super::set_phase(&mut self.in_setup, &mut call.phase, Phase::Answered);
        }
        self.send_room_ok(layer, now, id, local);
        self.connected(now, id);
    }

    /// Our first SDP toward the room, for PIN entry or for the bridge: the answer to its offer
    /// (and the streams it negotiates), or our offer when it sent none. None (the call ended)
    /// when it cannot be built.
    pub(super) fn room_first_sdp(
        &mut self,
        now: Instant,
        id: u64,
        audio: Vec<LocalCodec>,
        caps_video: bool,
        video: bool,
        direction: Direction,
    ) -> Option<(SessionDescription, MediaSpec)> {
        let media_ip = self.settings.media_ip;
        let call = self.calls.get_mut(&id)?;
        let offer = call.room.sdp_offer().cloned();
        let agreed = negotiate::agreed_video(&call.cloud.leg.streams);
        let (mut sdp, leg) = call.split(Side::Room, media_ip, &self.media);
        // The room's video is answered in the format the cloud agreed to, or refused.
        if video {
            sdp.video_codecs = Some(agreed);
        }
        let first = sdp.first(
            leg.sdp_version,
            offer.as_ref(),
            audio,
            caps_video,
            video,
            direction,
        );
        if first.is_none() {
            self.end(now, id, EndCause::Internal);
        }
        first
    }

    /// Sends the room our 200 (answer or offer); it is retransmitted over UDP until the ACK.
    pub(super) fn send_room_ok(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        id: u64,
        local: roomgate_sip::sdp::SessionDescription,
    ) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let (host, t1) = (&self.settings.sip_host, self.settings.t1);
        if let Some(u) = call.room.sip_mut() {
            u.answer(layer, now, host, t1, id, local);
        }
        self.schedule(id);
    }

    pub(super) fn connected(&mut self, now: Instant, id: u64) {
        if let Some(ms) = self.core.connected(time(now, self.wall), id) {
            self.setup.observe(ms);
        }
    }

    /// Points the relay session at both negotiated legs. False when the legs cannot be
    /// bridged or the relay refused at once; the workers refuse later by
    /// [`PlaneResult::Refused`](crate::call::media_plane::PlaneResult), which ends the call.
    pub(super) fn configure_relay(&mut self, now: Instant, id: u64) -> bool {
        let Some(call) = self.calls.get_mut(&id) else {
            return false;
        };
        match negotiate::bridge_streams(&call.room.leg().streams, &call.cloud.leg.streams) {
            Ok((mut streams, path)) => {
                self.controls_by_signalling(id, &mut streams);
                let Some(call) = self.calls.get_mut(&id) else {
                    return false;
                };
                let session = call.session;
                let video = streams
                    .iter()
                    .any(|s| s.kind == roomgate_media::relay::StreamKind::Video);
                match self.media.reconfigure(id, session, now, streams) {
                    Ok(()) => {
                        call.audio = Some(path);
                        tracing::info!(
                            call = id,
                            audio = ?path,
                            video,
                            room_suite = ?call.room.leg().streams.audio_suite().map(|s| s.name().to_owned()),
                            cloud_suite = ?call.cloud.leg.streams.audio_suite().map(|s| s.name().to_owned()),
                            "media bridged"
                        );
                        true
                    }
                    Err(e) => {
                        tracing::warn!(call = id, error = %e, "relay refused the streams");
                        false
                    }
                }
            }
            Err(e) => {
                tracing::warn!(call = id, error = %e, "legs cannot be bridged");
                false
            }
        }
    }
}
