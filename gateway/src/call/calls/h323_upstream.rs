//! Meetings whose upstream is an H.323 endpoint or MCU (`h323:alias@host[:port]`): the
//! cloud leg is an H.323 call we place. The driver opens the connection (and resolves the
//! host) and reports it with [`Calls::on_h323_dialed`]; from then on the call's packets
//! travel like an H.323 room's, and its events become the same core events a SIP upstream's
//! responses do (ringing, answered with its media, failed with a mapped cause, hung up).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use roomgate_core::call::{DigitSource, EndCause, UpstreamFailure};
use roomgate_core::media_spec::Codec;
use roomgate_media::codec::AudioCodec;
use roomgate_media::relay::{Leg, StreamKind};
use roomgate_sip::sdp::offer_answer::SrtpPolicy;
use roomgate_sip::transaction::TransactionLayer;

use super::core_glue::time;
use super::h323_room::{flush, h323_codec, H323Output};
use super::{Calls, Phase, Side};
use crate::call::h323_leg::room::upstream_failure;
use crate::call::h323_leg::upstream::{
    CallIds, H323UpstreamLeg, Target, UpstreamEvent, VideoOffer,
};
use crate::store::H323Target;
use crate::transport::ConnId;
use roomgate_h323::gatekeeper::CallAdmission;
use roomgate_h323::ras::AliasAddress;

/// Our H.323-ID toward H.323 upstreams.
pub const OUR_H323_ID: &str = "roomgate";

/// An H.323 upstream of one call.
pub(super) struct H323Up {
    pub target: H323Target,
    /// The call's identifiers, chosen before its ARQ (the ARQ and Setup carry the same).
    pub ids: CallIds,
    /// The call, once its connection is up.
    pub leg: Option<H323UpstreamLeg>,
    pub conn: Option<ConnId>,
    pub h245: Option<ConnId>,
}

impl H323Up {
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.leg.as_ref().and_then(H323UpstreamLeg::poll_timeout)
    }
}

/// The alias an upstream is dialled by, as the Setup names it: digits as dialedDigits,
/// anything else as an H.323-ID.
fn target_alias(alias: &str) -> AliasAddress {
    if !alias.is_empty() && alias.bytes().all(|b| b.is_ascii_digit()) {
        AliasAddress::DialedDigits(alias.to_owned())
    } else {
        AliasAddress::H323Id(alias.to_owned())
    }
}

impl Calls {
    /// Starts the H.323 upstream of call `id`: the driver connects to its host.
    pub(super) fn place_h323_upstream(&mut self, now: Instant, id: u64, text: &str) {
        let target = match H323Target::parse(text) {
            Ok(t) => t,
            Err(e) => {
                tracing::warn!(call = id, error = e, "H.323 upstream unusable");
                self.end(now, id, EndCause::Upstream(UpstreamFailure::Unreachable));
                return;
            }
        };
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        // H.235 is not carried yet: the media would be RTP, which a meeting requiring SRTP
        // must never get (the store refuses such meetings; this holds whatever it has).
        if call.cloud_policy.srtp == SrtpPolicy::Mandatory {
            tracing::warn!(
                call = id,
                "meeting requires SRTP; its H.323 upstream carries RTP"
            );
            self.set_reason(id, "upstream_needs_srtp");
            self.end(now, id, EndCause::Upstream(UpstreamFailure::NotAcceptable));
            return;
        }
        let mut ids = CallIds {
            call_reference: u16::try_from(self.ids.below(0x7fff)).unwrap_or(1),
            call_identifier: [0; 16],
            conference_id: [0; 16],
            msd_random: self.ids.below(1 << 24),
        };
        self.ids.fill(&mut ids.call_identifier);
        self.ids.fill(&mut ids.conference_id);
        let caller = call.room.caller().user;
        call.h323_up = Some(Box::new(H323Up {
            target: target.clone(),
            ids,
            leg: None,
            conn: None,
            h245: None,
        }));
        // Registered with a gatekeeper: ask admission first; the ACF says where to call.
        let admission = CallAdmission {
            answer: false,
            call_identifier: ids.call_identifier,
            conference_id: ids.conference_id,
            // As the Setup will carry it.
            call_reference: (ids.call_reference & 0x7fff).max(1),
            destination: vec![target_alias(&target.alias)],
            dest_address: None,
            source: caller
                .filter(|c| c.len() <= 64)
                .map(AliasAddress::H323Id)
                .into_iter()
                .chain([AliasAddress::H323Id(OUR_H323_ID.to_owned())])
                .collect(),
            src_address: None,
            bandwidth: self.gk_bandwidth(),
        };
        match self.gk_admit_upstream(now, id, admission) {
            Ok(true) => {}
            Ok(false) => self.h323.out.push_back(H323Output::Dial {
                call: id,
                host: target.host,
                port: target.port,
            }),
            Err(why) => {
                tracing::info!(
                    call = id,
                    reason = why.label(),
                    "H.323 upstream call refused by the gatekeeper"
                );
                self.set_reason(id, "gatekeeper_refused");
                self.end(
                    now,
                    id,
                    EndCause::Upstream(UpstreamFailure::TemporarilyUnavailable),
                );
            }
        }
    }

    /// The gatekeeper admitted call `id`'s upstream call: dial where its ACF says (the
    /// meeting's host when it names none).
    pub(super) fn h323_upstream_admitted(
        &mut self,
        _now: Instant,
        id: u64,
        dest: Option<SocketAddr>,
    ) {
        let Some(up) = self.calls.get(&id).and_then(|c| c.h323_up.as_ref()) else {
            return;
        };
        let (host, port) = match dest {
            Some(a) => (a.ip().to_string(), a.port()),
            None => (up.target.host.clone(), up.target.port),
        };
        tracing::info!(call = id, host, port, "H.323 upstream call admitted");
        self.h323.out.push_back(H323Output::Dial {
            call: id,
            host,
            port,
        });
    }

    /// The connection to call `call`'s H.323 upstream is open (or could not be made).
    pub fn on_h323_dialed(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        call: u64,
        result: Result<(ConnId, SocketAddr), String>,
    ) {
        match result {
            Ok((conn, _)) if !self.calls.contains_key(&call) => {
                self.h323.out.push_back(H323Output::Close(conn));
            }
            Ok((conn, peer)) => self.h323_upstream_connected(layer, now, call, conn, peer),
            Err(e) => {
                tracing::warn!(call, error = %e, "H.323 upstream unreachable");
                self.core
                    .upstream_failed(time(now, self.wall), call, UpstreamFailure::Unreachable);
            }
        }
        self.drive(layer, now);
    }

    fn h323_upstream_connected(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        id: u64,
        conn: ConnId,
        peer: SocketAddr,
    ) {
        let media_ip = self.settings.media_ip;
        let Some(call) = self.calls.get_mut(&id) else {
            self.h323.out.push_back(H323Output::Close(conn));
            return;
        };
        let session = call.session;
        let ports = self.media.local_ports(session, Leg::B, StreamKind::Audio);
        // The room's codecs first (the call passes through when the upstream takes one),
        // then every other codec H.245 names that the relay transcodes.
        let mut codecs: Vec<Codec> = Vec::new();
        let wanted = call.room.offered_audio().into_iter().chain([
            AudioCodec::Pcmu,
            AudioCodec::Pcma,
            AudioCodec::G722,
        ]);
        for c in wanted.filter_map(h323_codec) {
            if !codecs.iter().any(|x| x.name == c.name) {
                codecs.push(c);
            }
        }
        // Video when the room brought some: its formats, those that pass through unchanged.
        let video_codecs = if call.video {
            super::negotiate::neutral_codecs(call.room.offered_video())
        } else {
            Vec::new()
        };
        let video_ports = if video_codecs.is_empty() {
            None
        } else {
            self.media.local_ports(session, Leg::B, StreamKind::Video)
        };
        let video = video_ports.map(|p| VideoOffer {
            codecs: video_codecs,
            rtp: SocketAddr::new(media_ip, p.rtp),
            rtcp: SocketAddr::new(media_ip, p.rtcp.unwrap_or(p.rtp)),
        });
        let caller = call.room.caller();
        let Some(up) = call.h323_up.as_mut() else {
            self.h323.out.push_back(H323Output::Close(conn));
            return;
        };
        let Some(ports) = ports else {
            self.h323.out.push_back(H323Output::Close(conn));
            self.end(now, id, EndCause::Internal);
            return;
        };
        let rtp = SocketAddr::new(media_ip, ports.rtp);
        let rtcp = SocketAddr::new(media_ip, ports.rtcp.unwrap_or(ports.rtp));
        let target = Target {
            alias: up.target.alias.clone(),
            calling_number: caller.user,
            our_id: OUR_H323_ID.to_owned(),
        };
        match H323UpstreamLeg::place(now, &target, up.ids, codecs, rtp, rtcp, video) {
            Ok(leg) => {
                tracing::info!(call = id, %peer, alias = %up.target.alias, "H.323 upstream called");
                up.leg = Some(leg);
                up.conn = Some(conn);
                super::set_phase(&mut self.in_setup, &mut call.phase, Phase::Inviting);
                self.h323.by_conn.insert(conn, id);
                self.h323_up_events(layer, now, id);
            }
            Err(e) => {
                tracing::warn!(call = id, error = %e, "H.323 upstream Setup not made");
                self.h323.out.push_back(H323Output::Close(conn));
                self.end(now, id, EndCause::Upstream(UpstreamFailure::Failed));
            }
        }
    }

    /// The H.323 upstream of call `id`, when `conn` is one of its connections.
    pub(super) fn h323_up_of(&mut self, id: u64, conn: ConnId) -> Option<&mut H323Up> {
        let up = self.calls.get_mut(&id)?.h323_up.as_mut()?;
        (up.conn == Some(conn) || up.h245 == Some(conn)).then_some(&mut **up)
    }

    /// Sends what call `id`'s H.323 upstream queued.
    pub(super) fn h323_up_flush(&mut self, now: Instant, id: u64) {
        let Some(up) = self.calls.get_mut(&id).and_then(|c| c.h323_up.as_mut()) else {
            return;
        };
        let (Some(conn), h245) = (up.conn, up.h245) else {
            return;
        };
        if let Some(leg) = up.leg.as_mut() {
            flush(now, leg.call(), conn, h245, &mut self.h323.out);
        }
    }

    /// Runs the upstream's events into the call: ringing and its answer to the core, its
    /// media to the relay, its keys to the room, its end to the core.
    pub(super) fn h323_up_events(&mut self, layer: &mut TransactionLayer, now: Instant, id: u64) {
        let mut events = Vec::new();
        if let Some(leg) = self
            .calls
            .get_mut(&id)
            .and_then(|c| c.h323_up.as_mut())
            .and_then(|u| u.leg.as_mut())
        {
            leg.pump(now);
            while let Some(e) = leg.poll_event() {
                events.push(e);
            }
        }
        self.h323_up_flush(now, id);
        let t = time(now, self.wall);
        for e in events {
            match e {
                UpstreamEvent::Ringing => self.core.upstream_ringing(t, id),
                UpstreamEvent::Answered(spec) => {
                    if let Some(call) = self.calls.get_mut(&id) {
                        call.cloud.leg.streams = spec;
                    }
                    tracing::info!(call = id, "H.323 upstream answered");
                    self.core.upstream_answered(t, id);
                }
                UpstreamEvent::Media(spec) => {
                    let active = self.calls.get_mut(&id).is_some_and(|c| {
                        c.cloud.leg.streams = spec;
                        c.phase == Phase::Active
                    });
                    if active && !self.configure_relay(now, id) {
                        self.set_reason(id, "bridge_failed");
                        self.end(now, id, EndCause::Normal);
                    }
                }
                UpstreamEvent::KeyframeRequested => self.h323_keyframe_requested(id, Side::Cloud),
                UpstreamEvent::BitrateLimit(bps) => {
                    self.h323_bitrate_limited(now, id, Side::Cloud, bps);
                }
                UpstreamEvent::Digit(d) => {
                    if self.key_source_is(id, Side::Cloud, DigitSource::Info) {
                        if let Some(event) = crate::call::ivr::event_code(d) {
                            let duration = Duration::from_millis(100);
                            self.forward_digit(layer, now, id, Side::Room, event, duration);
                        }
                    }
                }
                UpstreamEvent::Released { cause, answered } => {
                    tracing::info!(call = id, cause, answered, "H.323 upstream released");
                    if answered {
                        self.core.leg_ended(t, id, Side::Cloud.neutral());
                    } else {
                        self.core.upstream_failed(t, id, upstream_failure(cause));
                    }
                }
            }
        }
        self.schedule(id);
    }

    /// Hangs the H.323 upstream up with the cause for `why`.
    pub(super) fn h323_up_release(&mut self, now: Instant, id: u64, why: EndCause) {
        if let Some(leg) = self
            .calls
            .get_mut(&id)
            .and_then(|c| c.h323_up.as_mut())
            .and_then(|u| u.leg.as_mut())
        {
            leg.end(now, why);
        }
        self.h323_up_flush(now, id);
    }

    /// A removed call's upstream connections: closed once what is queued is written.
    pub(super) fn h323_up_forget(&mut self, up: &H323Up) {
        for conn in [up.conn, up.h245].into_iter().flatten() {
            self.h323.by_conn.remove(&conn);
            self.h323.out.push_back(H323Output::Close(conn));
        }
    }
}
