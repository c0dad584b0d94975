//! The SIP side of the call core: a room's INVITE becomes a neutral incoming call, the core's
//! requests are served (screening and meeting lookup at once, PIN attempts by the driver),
//! and its commands are carried out with SIP: final responses, the PIN-phase answer, the cloud
//! INVITE, 180/200 toward the room, BYE and CANCEL. End causes become SIP statuses here and
//! nowhere else.

use std::time::Instant;

use roomgate_core::call::{Command, EndCause, Incoming, Meeting, Request, Screening, Time};
use roomgate_sip::sdp::Direction;
use roomgate_sip::transaction::{Received, TransactionId, TransactionLayer};
use roomgate_sip::Uri;

use super::admission::Admission;
use super::{negotiate, Call, Calls, Phase, RoomLeg, Side};
use crate::call::directory::{MeetingRoute, Upstream};
use crate::call::sip_leg::path::{self, LOOP_TOKEN_BYTES};
use crate::call::sip_leg::{self, Refusal, UacLeg};
use crate::lockout::unix_seconds;

/// A room call the core is deciding on.
pub(super) struct Pending {
    pub(super) route: Option<MeetingRoute>,
    pub(super) from: PendingFrom,
}

/// How the room called.
pub(super) enum PendingFrom {
    Sip {
        tx: TransactionId,
        request: Received,
        /// Why the media was refused, for the 488's Warning.
        warning: Option<String>,
    },
    H323(Box<super::h323_room::H323Pending>),
}

/// What a call is made of once its room leg is admitted.
pub(super) struct NewCall {
    pub(super) meeting: String,
    pub(super) needs_pin: bool,
    pub(super) room: RoomLeg,
    pub(super) room_policy: negotiate::MediaPolicy,
    pub(super) room_direction: Direction,
    pub(super) video: bool,
    /// The room's SIP Call-ID (an H.323 room has none: its connection indexes it).
    pub(super) room_key: Option<String>,
    /// Loop tokens the room's request carried (ours is added).
    pub(super) loop_tokens: Vec<String>,
}

/// The core's clock reading for `now`.
pub(super) fn time(now: Instant, wall: super::WallClock) -> Time {
    Time {
        mono: now,
        unix: unix_seconds(wall.at(now)),
    }
}

/// The SIP status a room gets for `cause` while its INVITE is pending; `None`: no status of
/// its own (a plain hang-up).
pub(super) fn room_status(cause: EndCause) -> Option<(u16, &'static str)> {
    use roomgate_core::call::UpstreamFailure as U;
    Some(match cause {
        EndCause::Normal => return None,
        EndCause::Forbidden => (403, "Forbidden"),
        EndCause::Loop => (482, "Loop Detected"),
        EndCause::NotFound | EndCause::Upstream(U::NotFound) => (404, "Not Found"),
        EndCause::Unavailable { .. } | EndCause::Upstream(U::Unreachable) => {
            (503, "Service Unavailable")
        }
        EndCause::NotAcceptable | EndCause::Upstream(U::NotAcceptable) => {
            (488, "Not Acceptable Here")
        }
        EndCause::Cancelled => (487, "Request Terminated"),
        EndCause::Internal => (500, "Server Internal Error"),
        EndCause::Upstream(U::TemporarilyUnavailable) => (480, "Temporarily Unavailable"),
        EndCause::Upstream(U::Busy) => (486, "Busy Here"),
        EndCause::Upstream(U::BusyEverywhere) => (600, "Busy Everywhere"),
        EndCause::Upstream(U::Declined) => (603, "Decline"),
        EndCause::Upstream(U::Timeout) => (504, "Server Time-out"),
        EndCause::Upstream(U::Failed) => (502, "Bad Gateway"),
    })
}

/// How a cloud final error reads to the core: the room then gets the status that means
/// something to it (busy, declined, not found, not acceptable) or 502.
pub(super) fn upstream_failure(code: u16) -> roomgate_core::call::UpstreamFailure {
    use roomgate_core::call::UpstreamFailure as U;
    match code {
        404 => U::NotFound,
        480 => U::TemporarilyUnavailable,
        486 => U::Busy,
        488 | 606 => U::NotAcceptable,
        600 => U::BusyEverywhere,
        603 => U::Declined,
        408 => U::Timeout,
        _ => U::Failed,
    }
}

impl Calls {
    /// An out-of-dialog INVITE from a room: handed to the core as an incoming call.
    pub fn on_invite(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        tx: TransactionId,
        request: &Received,
        msg: &roomgate_sip::Message<'_>,
    ) {
        let Ok(call_id) = msg.call_id() else {
            let r = Refusal::new(400, "Bad Request");
            let tag = self.ids.hex(6);
            sip_leg::refuse(layer, now, tx, request, r, &tag);
            return;
        };
        // We pass Max-Forwards on like a proxy (RFC 7332), so we refuse like one when no hop
        // is left (RFC 3261 §16.3): a loop through B2BUAs that do the same ends here.
        if matches!(msg.max_forwards(), Ok(Some(0))) {
            tracing::info!(peer = %request.source.addr, "INVITE with no hops left refused");
            let tag = self.ids.hex(6);
            sip_leg::refuse(
                layer,
                now,
                tx,
                request,
                Refusal::new(483, "Too Many Hops"),
                &tag,
            );
            return;
        }
        let dialled = match msg.request_line().map(|l| &l.uri) {
            Some(Uri::Sip(u)) => u
                .user_unescaped()
                .map(|b| String::from_utf8_lossy(&b).into_owned()),
            _ => None,
        }
        // The gateway's own name as the user part names no meeting either: the caller is
        // asked for the meeting ID, as for a Request-URI with no user part.
        .filter(|user| !self.is_own_name(user));
        // A loop token of a live call of ours: that call coming back through something that
        // renewed its Call-ID. Handed in under that key, the core refuses it as a loop.
        let key = path::loop_tokens(msg)
            .iter()
            .map(|t| path::loop_key(t))
            .find(|k| self.core.has_key(k))
            .unwrap_or_else(|| call_id.to_owned());
        let incoming = Incoming {
            key,
            source: request.source.addr.ip(),
            dialled,
        };
        let id = self.core.incoming(time(now, self.wall), incoming);
        self.pending.insert(
            id,
            Pending {
                route: None,
                from: PendingFrom::Sip {
                    tx,
                    request: request.clone(),
                    warning: None,
                },
            },
        );
        self.drive(layer, now);
    }

    /// Serves the core's requests and carries out its commands until it has none left.
    pub(super) fn drive(&mut self, layer: &mut TransactionLayer, now: Instant) {
        loop {
            if let Some(r) = self.core.poll_request() {
                self.serve(now, r);
            } else if let Some(c) = self.core.poll_command() {
                self.carry_out(layer, now, c);
            } else {
                break;
            }
        }
    }

    fn serve(&mut self, now: Instant, r: Request) {
        let t = time(now, self.wall);
        match r {
            Request::Screen { call, source } => {
                let s = match &self.guard {
                    Some(g) => Screening {
                        blocked: g.source_blocked(t.unix, source).is_some(),
                        lockout_healthy: g.healthy(),
                    },
                    None => Screening {
                        blocked: false,
                        lockout_healthy: false,
                    },
                };
                self.core.on_screened(t, call, s);
            }
            Request::Lookup { call, meeting } => {
                // The store's lookups are short blocking calls on this thread; a slow disk
                // shows in call setup time, never in the media path.
                let found = self.directory.meeting(&meeting);
                let neutral = match &found {
                    Ok(r) => Ok(r.as_ref().map(|m| Meeting {
                        pin_hash: m.pin_hash.clone(),
                    })),
                    Err(e) => Err(e.clone()),
                };
                match (self.pending.get_mut(&call), found) {
                    (Some(p), Ok(route)) => p.route = route,
                    // A meeting ID entered in a call already answered for it.
                    (None, Ok(Some(route))) => self.route_entered(call, meeting, &route),
                    _ => {}
                }
                self.core.on_lookup(t, call, neutral);
            }
            Request::PinAttempt {
                call,
                meeting,
                source,
                hash,
                pin,
            } => self.actions.push(super::Action::PinAttempt {
                call,
                meeting,
                source,
                hash,
                pin,
            }),
        }
    }

    fn carry_out(&mut self, layer: &mut TransactionLayer, now: Instant, c: Command) {
        match c {
            Command::Refuse { call, cause } => {
                let Some(p) = self.pending.remove(&call) else {
                    return;
                };
                let (tx, request, warning) = match p.from {
                    PendingFrom::Sip {
                        tx,
                        request,
                        warning,
                    } => (tx, request, warning),
                    PendingFrom::H323(h) => {
                        self.refuse_h323(now, call, *h, cause);
                        return;
                    }
                };
                let (code, reason) = room_status(cause).unwrap_or((500, "Server Internal Error"));
                let retry_after = match cause {
                    EndCause::Unavailable { retry_after } => retry_after,
                    _ => None,
                };
                let r = Refusal {
                    code,
                    reason,
                    retry_after,
                    warning,
                };
                tracing::info!(code, reason, peer = %request.source.addr, "INVITE refused");
                let tag = self.ids.hex(6);
                sip_leg::refuse(layer, now, tx, &request, r, &tag);
            }
            Command::Admit {
                call, pin, meeting, ..
            } => match self.admit(now, call, meeting, pin) {
                Ok(Admission::Made) => self.core.admitted(time(now, self.wall), call),
                Ok(Admission::Placing) => {}
                Err(cause) => self.core.end(time(now, self.wall), call, cause),
            },
            Command::AnswerForPin { call } => self.start_pin(layer, now, call),
            Command::Play { call, frame } => self.play_prompt(call, &frame),
            Command::PlaceUpstream { call } => self.place_cloud_leg(layer, now, call),
            Command::Ringing { call } => self.ring_room(layer, now, call),
            Command::Connect { call } => self.answer_room(layer, now, call),
            Command::End {
                call,
                cause,
                hung_up_by,
                record,
            } => {
                self.pending.remove(&call);
                if let Some(c) = self.calls.get_mut(&call) {
                    c.record = Some(record);
                }
                let by = hung_up_by.map(Side::from_neutral);
                self.teardown(layer, now, call, by, cause);
            }
        }
    }

    /// The room's policy: its trunk's when its address is one, else the room policy.
    pub(super) fn room_policy_for(&self, source: std::net::IpAddr) -> negotiate::MediaPolicy {
        self.settings
            .trunks
            .iter()
            .find(|(ips, _)| ips.contains(&source))
            .map_or_else(|| self.settings.room_policy.clone(), |(_, p)| p.clone())
    }

    /// Whether `user` (a Request-URI's user part) is the gateway's own name: its domain, or
    /// the host of its SIP listener, compared without case (DNS names are case-insensitive).
    pub(super) fn is_own_name(&self, user: &str) -> bool {
        let host = self
            .settings
            .sip_host
            .rsplit_once(':')
            .map_or(self.settings.sip_host.as_str(), |(h, _)| h)
            .trim_start_matches('[')
            .trim_end_matches(']');
        !user.is_empty()
            && (user.eq_ignore_ascii_case(&self.settings.gateway_domain)
                || user.eq_ignore_ascii_case(host))
    }

    /// The upstream of a meeting whose ID was entered in a call already admitted (answered
    /// for meeting-ID entry, its upstream leg not yet placed): the call takes the meeting's
    /// name, route and policy as if it had dialled it.
    fn route_entered(&mut self, id: u64, meeting: String, route: &MeetingRoute) {
        let echo = self.settings.echo.as_ref().map(|(addr, _)| *addr);
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let (uri, upstream) = match &route.upstream {
            Upstream::Echo => match echo {
                Some(addr) => (format!("sips:{meeting}@{addr}"), Some(Upstream::Echo)),
                // Placing it ends the call as not found.
                None => (String::new(), None),
            },
            u @ (Upstream::Uri(t) | Upstream::H323(t)) => (t.clone(), Some(u.clone())),
        };
        let assert_identity = match &route.upstream {
            Upstream::Echo => true,
            Upstream::Uri(u) => path::is_trusted(u, &self.settings.trusted_upstreams),
            Upstream::H323(_) => false,
        };
        call.cloud
            .retarget(uri, route.credentials.clone(), assert_identity);
        call.cloud_policy = route.policy.clone();
        call.upstream = upstream;
        call.meeting = meeting;
    }

    /// The call admitted with its room leg and relay session: the upstream leg prepared
    /// (placed later), and the call indexed. `route` is the meeting's, from the pending call.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn make_call(
        &mut self,
        now: Instant,
        id: u64,
        new: NewCall,
        session: roomgate_media::relay::SessionId,
        uri: String,
        route: Option<MeetingRoute>,
    ) {
        let NewCall {
            meeting,
            needs_pin,
            room,
            room_policy,
            room_direction,
            video,
            room_key,
            mut loop_tokens,
        } = new;
        let cloud_call_id = format!("{}@{}", self.ids.hex(12), self.settings.gateway_domain);
        let loop_token = self.ids.hex(LOOP_TOKEN_BYTES);
        loop_tokens.push(loop_token.clone());
        let assert_identity = match route.as_ref().map(|r| &r.upstream) {
            Some(Upstream::Echo) => true,
            Some(Upstream::Uri(u)) => path::is_trusted(u, &self.settings.trusted_upstreams),
            Some(Upstream::H323(_)) | None => false,
        };
        let call = Call {
            id,
            meeting,
            phase: if needs_pin {
                Phase::Pin
            } else {
                Phase::Resolving
            },
            room,
            cloud: UacLeg::new(
                uri,
                cloud_call_id.clone(),
                route.as_ref().and_then(|r| r.credentials.clone()),
                room_direction,
                self.ids.fork(),
            )
            .with_path(assert_identity, loop_tokens),
            session,
            cloud_policy: route
                .as_ref()
                .map_or_else(|| room_policy.clone(), |r| r.policy.clone()),
            room_policy,
            audio: None,
            room_call_id: room_key.clone().unwrap_or_default(),
            txs: Vec::new(),
            video,
            upstream: route.as_ref().map(|r| r.upstream.clone()),
            started_unix: time(now, self.wall).unix,
            fallback_reason: None,
            record: None,
            bye_reason: None,
            key_source: [None, None],
            h323_up: None,
        };
        self.pending.remove(&id);
        if let Some(k) = room_key {
            self.by_call_id.insert(k, (id, Side::Room));
        }
        self.by_call_id
            .insert(cloud_call_id.clone(), (id, Side::Cloud));
        self.in_setup += usize::from(call.phase.in_setup());
        self.calls.insert(id, call);
        self.by_session.insert(session, id);
        self.core.add_key(id, cloud_call_id);
        self.core.add_key(id, path::loop_key(&loop_token));
    }

    pub(super) fn refusal_warning(&mut self, id: u64, w: &str) {
        if let Some(Pending {
            from: PendingFrom::Sip { warning, .. },
            ..
        }) = self.pending.get_mut(&id)
        {
            *warning = Some(w.to_owned());
        }
    }

    /// The cloud rings: the room hears 180 once.
    fn ring_room(&mut self, layer: &mut TransactionLayer, now: Instant, id: u64) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        match &mut call.room {
            RoomLeg::Sip(u) => u.ring(layer, now, &self.settings.sip_host),
            RoomLeg::H323(h) => {
                h.leg.ring(now);
                self.h323_flush(now, id);
            }
        }
    }
}
