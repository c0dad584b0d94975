//! Admission of a room's call the core has decided to take: the room leg's own checks (by
//! protocol), its upstream's URI, then a relay session. The session is asked of the relay
//! workers without waiting for them ([`MediaPlane::add_session_for`]): the call stays in
//! the core's admitting phase while the SIP core goes on with other messages, and the
//! answer ([`PlaneResult::Placed`]) makes the call or refuses it (503: no media resources).
//! A call refused or gone meanwhile has its late session removed. A reconfiguration the
//! workers refuse later ([`PlaneResult::Refused`]) ends the call it was for.

use std::time::Instant;

use roomgate_core::call::EndCause;
use roomgate_media::relay::{RelayError, SessionId};
use roomgate_sip::sdp::Direction;
use roomgate_sip::transaction::{TransactionId, TransactionLayer};

use super::core_glue::{time, NewCall, Pending, PendingFrom};
use super::{negotiate, srtp_rule, Calls, RoomLeg, Side, TxRole};
use crate::call::directory::Upstream;
use crate::call::media_plane::{Placed, PlaneResult};
use crate::call::sip_leg::path;
use crate::call::sip_leg::{body_sdp, UasLeg};
use roomgate_core::media_spec::{MediaSpec, StreamRole};

/// How far admission got.
pub(super) enum Admission {
    /// The call is made.
    Made,
    /// Waiting for its relay session.
    Placing,
}

/// A call its room leg admitted, waiting for its relay session.
pub(super) enum Placing {
    Sip {
        new: Box<NewCall>,
        uri: String,
        tx: TransactionId,
    },
    H323(H323Admitted),
}

/// What an H.323 room's admission decided before its session was asked for (the room leg
/// itself stays in `pending` until the call is made).
pub(super) struct H323Admitted {
    pub(super) meeting: String,
    pub(super) needs_pin: bool,
    pub(super) room_policy: negotiate::MediaPolicy,
    pub(super) video: bool,
    pub(super) uri: String,
}

impl Calls {
    /// The room leg's part of admission, by protocol; then the relay session is asked for,
    /// and the call is made once it is there.
    pub(super) fn admit(
        &mut self,
        now: Instant,
        id: u64,
        meeting: String,
        needs_pin: bool,
    ) -> Result<Admission, EndCause> {
        match self.pending.get(&id).map(|p| &p.from) {
            Some(PendingFrom::Sip { .. }) => self.admit_sip(now, id, meeting, needs_pin),
            Some(PendingFrom::H323(_)) => self.admit_h323(now, id, meeting, needs_pin),
            None => Err(EndCause::Internal),
        }
    }

    /// A SIP room's offer must be acceptable under the room policy, and relay ports must be
    /// found, before anything is placed upstream.
    fn admit_sip(
        &mut self,
        now: Instant,
        id: u64,
        meeting: String,
        needs_pin: bool,
    ) -> Result<Admission, EndCause> {
        let Some(Pending {
            from: PendingFrom::Sip { request, tx, .. },
            ..
        }) = self.pending.get(&id)
        else {
            return Err(EndCause::Internal);
        };
        let request = request.clone();
        let tx = *tx;
        let msg = request.message().map_err(|_| EndCause::Internal)?;
        let source_ip = request.source.addr.ip();
        let offer = match body_sdp(msg) {
            Ok(o) => o,
            Err(w) => {
                self.local_stats.refused_media += 1;
                self.refusal_warning(id, w);
                return Err(EndCause::NotAcceptable);
            }
        };
        let room_policy = self.room_policy_for(source_ip);
        // Refuse what the room policy cannot take before anything is placed upstream.
        if let Some(offer) = &offer {
            let caps = negotiate::capabilities(
                self.settings.media_ip,
                &room_policy,
                1,
                1,
                negotiate::audio_codecs(),
                true,
            );
            let trial = negotiate::answer(offer, &caps, |_| Some(9));
            let legs = match negotiate::negotiated(&trial, offer) {
                Ok(legs) => legs,
                Err(refused) => {
                    self.report_refused(now, &meeting, source_ip, Side::Room, refused);
                    MediaSpec::default()
                }
            };
            let outcome = srtp_rule::answer_outcome(&legs);
            self.report_offer_crypto(now, &meeting, source_ip, Side::Room, offer, outcome);
            if !legs.has(StreamRole::Audio) {
                self.local_stats.refused_media += 1;
                self.refusal_warning(id, "no acceptable audio stream (codec or SRTP policy)");
                return Err(EndCause::NotAcceptable);
            }
        }
        let video = offer.as_ref().is_none_or(negotiate::offers_video);
        let room_direction = offer
            .as_ref()
            .map_or(Direction::SendRecv, negotiate::audio_direction);
        let room_call_id = msg.call_id().map_err(|_| EndCause::Internal)?.to_owned();
        let loop_tokens = path::loop_tokens(msg);
        let room = RoomLeg::Sip(Box::new(UasLeg::new(
            request.clone(),
            tx,
            offer,
            room_direction,
            self.ids.fork(),
        )));
        let uri = self.upstream_uri(id, &meeting)?;
        let new = NewCall {
            meeting,
            needs_pin,
            room,
            room_policy,
            room_direction,
            video,
            room_key: Some(room_call_id),
            loop_tokens,
        };
        let placing = Placing::Sip {
            new: Box::new(new),
            uri,
            tx,
        };
        self.place(now, id, video, placing)
    }

    /// The URI of the upstream of call `id` to `meeting` (empty when it has none: placing
    /// it ends the call as not found); the echo upstream needs the echo listener.
    pub(super) fn upstream_uri(&self, id: u64, meeting: &str) -> Result<String, EndCause> {
        let upstream = self
            .pending
            .get(&id)
            .and_then(|p| p.route.as_ref())
            .map(|r| &r.upstream);
        Ok(match upstream {
            Some(Upstream::Echo) => match &self.settings.echo {
                Some((addr, _)) => format!("sips:{meeting}@{addr}"),
                None => return Err(EndCause::Unavailable { retry_after: None }),
            },
            Some(Upstream::Uri(u) | Upstream::H323(u)) => u.clone(),
            None => String::new(),
        })
    }

    /// Asks for call `id`'s relay session (with video ports when `video`); the call is made
    /// now or when the session comes.
    pub(super) fn place(
        &mut self,
        now: Instant,
        id: u64,
        video: bool,
        placing: Placing,
    ) -> Result<Admission, EndCause> {
        match self
            .media
            .add_session_for(id, negotiate::reserve_streams(video))
        {
            Placed::Now(result) => self
                .placed(now, id, placing, result)
                .map(|()| Admission::Made),
            Placed::Later => {
                self.placing.insert(id, placing);
                Ok(Admission::Placing)
            }
        }
    }

    /// The relay's answer for call `id`: the call made with its session, or the cause to
    /// refuse it with.
    fn placed(
        &mut self,
        now: Instant,
        id: u64,
        placing: Placing,
        result: Result<SessionId, RelayError>,
    ) -> Result<(), EndCause> {
        let session = result.map_err(|e| {
            tracing::warn!(call = id, error = %e, "no media resources");
            EndCause::Unavailable {
                retry_after: Some(10),
            }
        })?;
        let made = match placing {
            Placing::Sip { new, uri, tx } => {
                let route = self.pending.get(&id).and_then(|p| p.route.clone());
                self.make_call(now, id, *new, session, uri, route);
                self.track(tx, id, TxRole::RoomInvite);
                Ok(())
            }
            Placing::H323(admitted) => self.make_h323_call(now, id, admitted, session),
        };
        if made.is_err() {
            self.media
                .post(session, "remove", move |r, _| r.remove_session(session));
        }
        made
    }

    /// The call whose room INVITE is `invite`, if it waits for its relay session.
    pub(super) fn placing_invite(&self, invite: TransactionId) -> Option<u64> {
        self.placing.iter().find_map(|(&id, p)| match p {
            Placing::Sip { tx, .. } if *tx == invite => Some(id),
            _ => None,
        })
    }

    /// What the relay workers answered about work not waited for.
    pub fn on_plane_result(&mut self, layer: &mut TransactionLayer, now: Instant, r: PlaneResult) {
        match r {
            PlaneResult::Placed { call, result } => {
                let placing = self.placing.remove(&call);
                match placing {
                    Some(p) if self.pending.contains_key(&call) => {
                        let t = time(now, self.wall);
                        match self.placed(now, call, p, result) {
                            Ok(()) => self.core.admitted(t, call),
                            Err(cause) => self.core.end(t, call, cause),
                        }
                    }
                    // Refused or gone while its session was being made.
                    _ => {
                        if let Ok(session) = result {
                            tracing::debug!(call, session = session.0, "late session removed");
                            self.media
                                .post(session, "remove", move |r, _| r.remove_session(session));
                        }
                    }
                }
            }
            PlaneResult::Refused {
                call,
                session,
                error,
            } => {
                if self.calls.get(&call).is_some_and(|c| c.session == session) {
                    tracing::warn!(call, error = %error, "relay refused the streams");
                    self.set_reason(call, "bridge_failed");
                    self.end(now, call, EndCause::Normal);
                }
            }
        }
        self.drive(layer, now);
    }
}
