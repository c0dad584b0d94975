//! The back-to-back user agent: a room's INVITE is held (100 Trying) while a separate
//! INVITE goes to the meeting's upstream; when the upstream answers, the room gets its own
//! answer, and the relay session between the two legs is configured from both answers.
//!
//! Call flow and the statuses a room sees:
//!
//! ```text
//! room                      roomgate                          cloud
//!  INVITE (offer A) ───────>  source blocked: 403; not a meeting ID: 404; store down: 503;
//!                             over max_calls: 503; room offer acceptable? no: 488
//!                             meeting with a PIN, unknown or locked: answered by us, PIN
//!                             entry (pin_phase.rs); only a right PIN goes on below
//!                             reserve ports ─── INVITE (offer B, our keys) ──────>
//!  <──────── 180 ──────────────────────────────────────────────── 180
//!                             <────────────────────────────────── 200 (answer B)
//!                             ACK ───────────────────────────────────────────────>
//!  <── 200 (answer A, our keys)  relay: A ↔ B (pass-through or transcode)
//!  ACK ─────────────────────>
//!  BYE ─────────────────────> 200;  BYE ────────────────────────────────────────>
//! ```
//!
//! Cloud failures end the room leg: a final error passes through when it means something to
//! the room (busy, declined, not found, not acceptable), other errors become 502; an upstream
//! that cannot be reached gets 503, one that never answers within `setup_timeout` gets 504
//! (and a CANCEL).
//!
//! Re-INVITE and UPDATE are answered by us on the leg that sent them (that leg's keys and
//! ports change only between it and us); a hold (direction change) is mirrored to the other
//! leg with a re-INVITE of our own.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::RngCore;
use roomgate_media::dtmf::{DtmfGenerator, GeneratorConfig};
use roomgate_media::relay::net::NetRelay;
use roomgate_media::relay::{Leg, LegUpdate, PlayFrame, SessionId, StreamKind};
use roomgate_sip::dialog::session_timer::{self, Refresher, SessionTimerConfig};
use roomgate_sip::dialog::{Body, Dialog, InDialogRequest, ResponseOutcome, ViaHop};
use roomgate_sip::digest::{Challenge, Credentials, DigestClient, DigestRequest};
use roomgate_sip::headers::AuthValue;
use roomgate_sip::sdp::offer_answer::SrtpPolicy;
use roomgate_sip::sdp::{Direction, SessionDescription};
use roomgate_sip::transaction::{
    Destination, Received, TransactionId, TransactionLayer, Transport,
};
use roomgate_sip::{decode_datagram, HeaderName, Message, Method, OwnedMessage, Uri};

use super::directory::{Directory, MeetingRoute, Upstream};
use super::negotiate::{self, AudioPath, MediaPolicy};
use crate::lockout::Guard;
use crate::observe::{Cdr, SetupHistogram};
use crate::prompts::Prompts;
use roomgate_core::call::{
    CallCore, CoreSettings, DigitSource, EndCause, Outcome, PinTimeouts, Secret, UpstreamFailure,
};
use roomgate_core::media_spec::{MediaSpec, StreamRole};

mod core_glue;
mod pin_phase;
mod report;
mod srtp_rule;

pub use srtp_rule::SrtpRuleStats;

const SERVER: &str = concat!("Roomgate/", env!("CARGO_PKG_VERSION"));
const ALLOW: &str = "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO";
const SDP: &str = "application/sdp";
/// Largest SDP body we parse (bodies larger than this are refused with 488).
pub const MAX_SDP: usize = 16 * 1024;

/// Settings of the bridge.
#[derive(Debug, Clone)]
pub struct BridgeSettings {
    /// Address in our SDP (the relay's).
    pub media_ip: IpAddr,
    /// Domain in From and P-Asserted-Identity toward the cloud.
    pub gateway_domain: String,
    /// host:port of our SIP listener, for Via and Contact of requests we send.
    pub sip_host: String,
    /// Media policy toward rooms.
    pub room_policy: MediaPolicy,
    /// Per-trunk policies by source address (first match wins).
    pub trunks: Vec<(Vec<IpAddr>, MediaPolicy)>,
    /// Calls at once; above it INVITEs get 503 with Retry-After.
    pub max_calls: usize,
    /// How long the cloud leg may take to answer.
    pub setup_timeout: Duration,
    /// The built-in echo service: its TLS address and the name its certificate carries.
    pub echo: Option<(SocketAddr, String)>,
    /// RFC 3261 T1 (2xx retransmission to rooms over UDP).
    pub t1: Duration,
    /// PIN entry timeouts.
    pub pin_timeouts: PinTimeouts,
}

/// What the driver must do for the B2BUA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Resolve `uri` (RFC 3263) and report with [`Calls::on_resolved`].
    Resolve { call: u64, uri: String },
    /// Connections to `addr` over TLS verify this name.
    TlsName { addr: SocketAddr, name: String },
    /// Run one PIN attempt (reserve in the budgets, verify, settle) and report with
    /// [`Calls::on_pin_outcome`]. `hash: None` (unknown meeting) and `pin: None` (an entry
    /// that cannot be right) still cost one verification, so no answer comes sooner.
    PinAttempt {
        call: u64,
        meeting: String,
        source: IpAddr,
        hash: Option<String>,
        pin: Option<Secret>,
    },
}

/// One call as the admin side sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CallSummary {
    pub id: u64,
    pub meeting: String,
    pub state: &'static str,
    pub room_suite: Option<String>,
    pub cloud_suite: Option<String>,
    pub audio: Option<&'static str>,
}

/// How far the SIP legs have got (the call's own phase is the core's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Room answered by us; PIN entry runs, no cloud leg yet.
    Pin,
    /// Waiting for the cloud URI to resolve.
    Resolving,
    /// Cloud INVITE sent, room INVITE pending.
    Inviting,
    /// 200 sent to the room, waiting for its ACK.
    Answered,
    Active,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Room,
    Cloud,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TxRole {
    RoomInvite,
    CloudInvite,
    /// A request we sent in a dialog (BYE, re-INVITE); only its failure matters.
    InDialog(Side),
    /// Our re-INVITE mirroring a change to this side.
    Mirror(Side),
}

impl Side {
    fn neutral(self) -> roomgate_core::call::Side {
        match self {
            Side::Room => roomgate_core::call::Side::Room,
            Side::Cloud => roomgate_core::call::Side::Upstream,
        }
    }

    fn from_neutral(side: roomgate_core::call::Side) -> Self {
        match side {
            roomgate_core::call::Side::Room => Side::Room,
            roomgate_core::call::Side::Upstream => Side::Cloud,
        }
    }
}

struct Retransmit {
    at: Instant,
    interval: Duration,
    until: Instant,
    response: OwnedMessage,
}

struct RoomLeg {
    invite: Received,
    tx: TransactionId,
    tag: String,
    transport: Transport,
    dialog: Option<Dialog>,
    offer: Option<SessionDescription>,
    local_sdp: Option<SessionDescription>,
    streams: MediaSpec,
    sdp_version: u64,
    retransmit: Option<Retransmit>,
    ringing_sent: bool,
    /// RFC 4028: when the session dies without a refresh.
    expires_at: Option<Instant>,
    timer_interval: Option<u32>,
}

struct CloudLeg {
    uri: String,
    dest: Option<Destination>,
    call_id: String,
    from_tag: String,
    cseq: u32,
    tx: Option<TransactionId>,
    invite: Option<OwnedMessage>,
    dialog: Option<Dialog>,
    local_sdp: Option<SessionDescription>,
    streams: MediaSpec,
    sdp_version: u64,
    ack: Option<Vec<u8>>,
    auth_tried: bool,
    credentials: Option<(String, String)>,
    provisional: bool,
    refresh_at: Option<Instant>,
    expires_at: Option<Instant>,
    timer_interval: Option<u32>,
}

struct Call {
    id: u64,
    meeting: String,
    phase: Phase,
    room: RoomLeg,
    cloud: CloudLeg,
    session: SessionId,
    cloud_policy: MediaPolicy,
    room_policy: MediaPolicy,
    audio: Option<AudioPath>,
    /// The room's Call-ID (index key) and every transaction of ours indexed for this call,
    /// so ending a call touches only its own index entries.
    room_call_id: String,
    txs: Vec<TransactionId>,
    room_direction: Direction,
    cloud_direction: Direction,
    video: bool,
    /// Where the meeting is; None for a meeting that does not exist (its PIN entry never
    /// succeeds).
    upstream: Option<Upstream>,
    started_unix: u64,
    /// The CDR reason the SIP teardown gives (`failed_486`) when the core named none.
    fallback_reason: Option<String>,
    /// The core's record of the call, handed over when it ends.
    record: Option<roomgate_core::call::CallRecord>,
    /// RFC 3326 Reason for the BYEs that end this call, when we end it for a protocol cause
    /// the far ends should see (e.g. SRTP crypto we cannot apply).
    bye_reason: Option<&'static str>,
}

impl Call {
    fn streams(&self, side: Side) -> &MediaSpec {
        match side {
            Side::Room => &self.room.streams,
            Side::Cloud => &self.cloud.streams,
        }
    }

    /// For a new offer or answer on a running leg: its capabilities (SDP version bumped;
    /// the codec it already speaks, or a new one when `reoffer` drops it), its relay leg,
    /// and whether it carries video.
    fn running_caps(
        &mut self,
        side: Side,
        media_ip: IpAddr,
        reoffer: Option<&SessionDescription>,
    ) -> (
        Leg,
        roomgate_sip::sdp::offer_answer::LocalCapabilities,
        bool,
    ) {
        let (leg, policy, version) = match side {
            Side::Room => {
                self.room.sdp_version += 1;
                (Leg::A, &self.room_policy, self.room.sdp_version)
            }
            Side::Cloud => {
                self.cloud.sdp_version += 1;
                (Leg::B, &self.cloud_policy, self.cloud.sdp_version)
            }
        };
        let (audio, video) = negotiate::keep_what_is_spoken(self.streams(side), reoffer);
        let caps = negotiate::capabilities(media_ip, policy, self.id, version, audio, video);
        (leg, caps, video)
    }
}

/// The calls of one gateway.
pub struct Calls {
    settings: BridgeSettings,
    /// Phases, admission, PIN entry and lockout requests, setup timer, records.
    core: CallCore,
    /// Room INVITEs the core is still deciding on (screening, lookup, admission).
    pending: HashMap<u64, core_glue::Pending>,
    directory: Box<dyn Directory>,
    media: Arc<NetRelay>,
    calls: HashMap<u64, Call>,
    by_call_id: HashMap<String, (u64, Side)>,
    by_tx: HashMap<TransactionId, (u64, TxRole)>,
    /// Calls ended toward the room whose cloud INVITE is still open: a late 2xx is
    /// acknowledged and hung up.
    abandoned: HashMap<TransactionId, (Destination, OwnedMessage)>,
    actions: Vec<Action>,
    /// Call deadlines, earliest first; entries may be stale (the call's deadline moved or
    /// the call ended), which costs one early wake-up. Keeps timer handling O(log n) per
    /// call instead of a scan of every call on every event.
    timers: BinaryHeap<Reverse<(Instant, u64)>>,
    /// The counters the SIP legs keep (the rest come from the core; see [`Calls::stats`]).
    local_stats: CallStats,
    pub setup: SetupHistogram,
    guard: Option<Arc<Guard>>,
    by_session: HashMap<SessionId, u64>,
    cdrs: VecDeque<Cdr>,
}

/// CDRs held for the driver to store; beyond this the oldest are dropped (and counted), so a
/// stalled store cannot grow memory.
pub const MAX_PENDING_CDRS: usize = 10_000;

/// Counters (for tests and metrics).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct CallStats {
    pub started: u64,
    pub connected: u64,
    pub ended: u64,
    pub refused_unknown: u64,
    pub refused_capacity: u64,
    pub refused_media: u64,
    pub cloud_failed: u64,
    /// Calls ended by PIN entry (wrong PINs, timeout, flood).
    pub refused_pin: u64,
    /// INVITEs refused with 403 because their source is blocked.
    pub refused_blocked: u64,
    /// PIN meetings refused (503) or PIN calls ended because the lockout store is down.
    pub lockout_unavailable: u64,
    pub pin_attempts: u64,
    pub pin_correct: u64,
    pub pin_wrong: u64,
    pub cdrs_dropped: u64,
    /// Crypto lines and legs refused by the SRTP rule.
    pub srtp: SrtpRuleStats,
}

fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn branch() -> String {
    format!("z9hG4bK{}", random_hex(10))
}

/// Our RTP ports of a leg: audio, then main video.
fn leg_ports(media: &NetRelay, session: SessionId, leg: Leg) -> [Option<u16>; 2] {
    media.with_relay(|r, _| {
        [StreamKind::Audio, StreamKind::Video]
            .map(|k| r.local_ports(session, leg, k).map(|p| p.rtp))
    })
}

/// Our SDP toward the room with `audio` codecs: the answer to its offer, with the streams
/// that answer negotiates, or our offer when it sent none (its answer comes in the ACK, so
/// no streams yet). Video gets a port only when `video`. None when no offer can be built.
fn room_sdp(
    settings: &BridgeSettings,
    media: &NetRelay,
    call: &Call,
    audio: Vec<roomgate_sip::sdp::offer_answer::LocalCodec>,
    video: bool,
    direction: Direction,
) -> Option<(SessionDescription, MediaSpec)> {
    let caps = negotiate::capabilities(
        settings.media_ip,
        &call.room_policy,
        call.id,
        call.room.sdp_version,
        audio,
        call.video,
    );
    let ports = leg_ports(media, call.session, Leg::A);
    let port = |k| match k {
        StreamKind::Audio => ports[0],
        StreamKind::Video if video => ports[1],
        _ => None,
    };
    match &call.room.offer {
        Some(offer) => {
            let ans = negotiate::answer(offer, &caps, port);
            // Refused crypto leaves the leg without streams, which every caller refuses
            // (the INVITE's trial answer has already reported why).
            let streams = negotiate::negotiated(&ans, offer).unwrap_or_default();
            Some((ans, streams))
        }
        None => {
            let list: Vec<_> = [StreamKind::Audio, StreamKind::Video]
                .into_iter()
                .filter_map(|k| port(k).map(|p| (k, p)))
                .collect();
            negotiate::offer(&caps, &list, direction)
                .ok()
                .map(|o| (o, MediaSpec::default()))
        }
    }
}

/// The relay update for one negotiated stream of a running leg (floor control has none).
fn leg_update(s: &roomgate_core::StreamSpec) -> Option<(StreamKind, LegUpdate)> {
    let (srtp_in, srtp_out) = match &s.srtp {
        Some(k) => (Some(k.inbound.clone()), Some(k.outbound.clone())),
        None => (None, None),
    };
    let update = LegUpdate {
        remote_rtp: s.remote_rtp,
        remote_rtcp: s.remote_rtcp,
        srtp_in,
        srtp_out,
    };
    Some((s.role.relay_kind()?, update))
}

fn hop(host: &str, transport: Transport) -> ViaHop {
    ViaHop::new(transport, host.to_owned())
}

/// Our Contact for a leg on `transport`.
fn contact(host: &str, transport: Transport) -> String {
    match transport {
        Transport::Tls => format!("<sip:roomgate@{host};transport=tls>"),
        Transport::Tcp => format!("<sip:roomgate@{host};transport=tcp>"),
        _ => format!("<sip:roomgate@{host}>"),
    }
}

/// Why a request could not be turned into a call (mapped to a status at the edge).
struct Refusal {
    code: u16,
    reason: &'static str,
    retry_after: Option<u32>,
    warning: Option<String>,
}

impl Refusal {
    fn new(code: u16, reason: &'static str) -> Self {
        Refusal {
            code,
            reason,
            retry_after: None,
            warning: None,
        }
    }
}

fn body_sdp(msg: &Message<'_>) -> Result<Option<SessionDescription>, &'static str> {
    if msg.body.is_empty() {
        return Ok(None);
    }
    let is_sdp = msg.content_type().ok().flatten().is_some_and(|c| {
        c.kind.eq_ignore_ascii_case("application") && c.subtype.eq_ignore_ascii_case("sdp")
    });
    if !is_sdp {
        return Err("body is not application/sdp");
    }
    if msg.body.len() > MAX_SDP {
        return Err("SDP body too large");
    }
    SessionDescription::parse(msg.body)
        .map(Some)
        .map_err(|_| "malformed SDP")
}

impl Calls {
    pub fn new(
        settings: BridgeSettings,
        directory: Box<dyn Directory>,
        media: Arc<NetRelay>,
    ) -> Self {
        let core = CallCore::new(CoreSettings {
            max_calls: settings.max_calls,
            setup_timeout: settings.setup_timeout,
            pin_timeouts: settings.pin_timeouts,
            // Without a lockout guard PIN calls are refused before this matters.
            pin_attempts_per_call: 1,
        });
        Calls {
            settings,
            core,
            pending: HashMap::new(),
            directory,
            media,
            calls: HashMap::new(),
            by_call_id: HashMap::new(),
            by_tx: HashMap::new(),
            abandoned: HashMap::new(),
            actions: Vec::new(),
            timers: BinaryHeap::new(),
            local_stats: CallStats::default(),
            setup: SetupHistogram::default(),
            guard: None,
            by_session: HashMap::new(),
            cdrs: VecDeque::new(),
        }
    }

    /// Meetings with a password (and unknown meetings) get PIN entry with these budgets and
    /// prompts; without them such calls are refused (503), failing closed.
    pub fn with_pin(mut self, guard: Arc<Guard>, prompts: &Prompts) -> Self {
        self.core = CallCore::new(CoreSettings {
            max_calls: self.settings.max_calls,
            setup_timeout: self.settings.setup_timeout,
            pin_timeouts: self.settings.pin_timeouts,
            pin_attempts_per_call: guard.per_call_attempts(),
        });
        self.guard = Some(guard);
        for rate in [8_000, 16_000, 48_000] {
            match crate::prompts::at_rate(prompts, rate) {
                Ok(p) => self.core.add_prompts(rate, Arc::new(p)),
                Err(e) => tracing::error!(rate, error = %e, "prompts not available at this rate"),
            }
        }
        self
    }

    /// The next call detail record to store.
    pub fn poll_cdr(&mut self) -> Option<Cdr> {
        self.cdrs.pop_front()
    }

    pub fn len(&self) -> usize {
        self.calls.len()
    }

    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    /// Relay sessions and free port pairs (resource gauges).
    pub fn relay_gauges(&self) -> (usize, usize) {
        self.media
            .with_relay(|r, _| (r.session_count(), r.pool().available()))
    }

    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop()
    }

    /// Whether the request belongs to a call of ours (by Call-ID).
    pub fn owns(&self, call_id: &str) -> bool {
        self.by_call_id.contains_key(call_id)
    }

    pub fn summaries(&self) -> Vec<CallSummary> {
        let mut v: Vec<CallSummary> = self
            .calls
            .values()
            .map(|c| CallSummary {
                id: c.id,
                meeting: c.meeting.clone(),
                state: match c.phase {
                    Phase::Pin => "pin",
                    Phase::Resolving => "resolving",
                    Phase::Inviting => "inviting",
                    Phase::Answered => "answered",
                    Phase::Active => "active",
                },
                room_suite: c.room.streams.audio_suite().map(|s| s.name().to_owned()),
                cloud_suite: c.cloud.streams.audio_suite().map(|s| s.name().to_owned()),
                audio: c.audio.map(|a| match a {
                    AudioPath::PassThrough => "pass-through",
                    AudioPath::Transcode => "transcode",
                }),
            })
            .collect();
        v.sort_by_key(|c| c.id);
        v
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        let sip = self.timers.peek().map(|Reverse((at, _))| *at);
        sip.into_iter().chain(self.core.poll_timeout()).min()
    }

    /// Puts the call's earliest deadline on the timer heap.
    fn schedule(&mut self, id: u64) {
        let Some(c) = self.calls.get(&id) else {
            return;
        };
        let next = [
            c.room.retransmit.as_ref().map(|r| r.at),
            c.room.expires_at,
            c.cloud.refresh_at,
            c.cloud.expires_at,
        ]
        .into_iter()
        .flatten()
        .min();
        if let Some(at) = next {
            self.timers.push(Reverse((at, id)));
        }
    }

    /// Indexes transaction `tx` as `role` of call `id`.
    fn track(&mut self, tx: TransactionId, id: u64, role: TxRole) {
        self.by_tx.insert(tx, (id, role));
        if let Some(c) = self.calls.get_mut(&id) {
            c.txs.push(tx);
        }
    }

    fn respond(
        &self,
        layer: &mut TransactionLayer,
        now: Instant,
        tx: TransactionId,
        resp: &OwnedMessage,
    ) {
        if let Err(e) = layer.send_response(now, tx, resp) {
            tracing::debug!(error = %e, "response not sent");
        }
    }

    fn response(
        request: &Received,
        code: u16,
        reason: &str,
        tag: Option<&str>,
    ) -> Option<OwnedMessage> {
        let msg = request.message().ok()?;
        let mut resp = msg.response_to(code, reason, tag);
        crate::sip::tu::stamp_top_via(&mut resp, &msg, request.source.addr);
        Some(resp.with(HeaderName::Server, SERVER))
    }

    fn refuse(
        &self,
        layer: &mut TransactionLayer,
        now: Instant,
        tx: TransactionId,
        request: &Received,
        r: Refusal,
        tag: Option<&str>,
    ) {
        if let Some(resp) = Self::refusal_response(request, r, tag) {
            self.respond(layer, now, tx, &resp);
        }
    }

    /// Refuses a request inside the dialog of `side`: the dialog learns of the response, so a
    /// refused re-INVITE no longer counts as pending (the next one would get 500).
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
        if let Some(resp) = Self::refusal_response(request, r, None) {
            let resp = self.answered_in_dialog(id, side, resp);
            self.respond(layer, now, tx, &resp);
        }
    }

    fn refusal_response(request: &Received, r: Refusal, tag: Option<&str>) -> Option<OwnedMessage> {
        let owned_tag;
        let tag = match tag {
            Some(t) => Some(t),
            None => {
                owned_tag = random_hex(6);
                Some(owned_tag.as_str())
            }
        };
        let mut resp = Self::response(request, r.code, r.reason, tag)?;
        if let Some(s) = r.retry_after {
            resp.push(HeaderName::RetryAfter, s);
        }
        if let Some(w) = r.warning {
            resp.push(
                HeaderName::Warning,
                format_args!("399 roomgate \"{}\"", w.replace(['"', '\\'], "'")),
            );
        }
        Some(resp)
    }

    // ----- new calls -------------------------------------------------------------------

    /// Starts the cloud leg toward the meeting's upstream.
    fn place_cloud_leg(&mut self, layer: &mut TransactionLayer, now: Instant, id: u64) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        call.phase = Phase::Resolving;
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
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if call.phase != Phase::Resolving {
            return;
        }
        call.cloud.dest = Some(dest);
        // Our offer to the cloud: the room's codecs first (pass-through wins), then every
        // codec we can transcode; the meeting's SRTP policy and suites.
        let first = call
            .room
            .offer
            .as_ref()
            .map(negotiate::offered_audio)
            .unwrap_or_default();
        let caps = negotiate::capabilities(
            self.settings.media_ip,
            &call.cloud_policy,
            id,
            call.cloud.sdp_version,
            negotiate::audio_preferring(&first),
            call.video,
        );
        let session = call.session;
        let ports = leg_ports(&self.media, session, Leg::B);
        let mut streams = Vec::new();
        if let Some(p) = ports[0] {
            streams.push((StreamKind::Audio, p));
        }
        if let (true, Some(p)) = (call.video, ports[1]) {
            streams.push((StreamKind::Video, p));
        }
        let sdp = match negotiate::offer(&caps, &streams, call.room_direction) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(call = id, error = %e, "cannot build the cloud offer");
                self.end(now, id, EndCause::Internal);
                return;
            }
        };
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let room_msg = call.room.invite.message().ok();
        let user = room_msg
            .as_ref()
            .and_then(|m| m.from_header().ok())
            .and_then(|f| match &f.uri {
                Uri::Sip(u) => u.user.map(str::to_owned),
                _ => None,
            })
            .filter(|u| {
                u.len() <= 64
                    && u.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_.!~*'()%+".contains(&b))
            })
            .unwrap_or_else(|| "room".to_owned());
        let display = room_msg
            .as_ref()
            .and_then(|m| m.from_header().ok())
            .and_then(|f| f.display_name.map(|d| d.into_owned()))
            .filter(|d| d.len() <= 64 && !d.contains(['"', '\\', '\r', '\n']));
        let identity = match display {
            Some(d) => format!("\"{d}\" <sip:{user}@{}>", self.settings.gateway_domain),
            None => format!("<sip:{user}@{}>", self.settings.gateway_domain),
        };
        let transport = dest.transport;
        let mut invite = OwnedMessage::request("INVITE", &call.cloud.uri)
            .with(
                HeaderName::Via,
                hop(&self.settings.sip_host, transport).value(&branch()),
            )
            .with(HeaderName::MaxForwards, 70)
            .with(
                HeaderName::From,
                format_args!("{identity};tag={}", call.cloud.from_tag),
            )
            .with(HeaderName::To, format_args!("<{}>", call.cloud.uri))
            .with(HeaderName::CallId, &call.cloud.call_id)
            .with(HeaderName::CSeq, format_args!("{} INVITE", call.cloud.cseq))
            .with(
                HeaderName::Contact,
                contact(&self.settings.sip_host, transport),
            )
            .with(HeaderName::PAssertedIdentity, &identity)
            .with(HeaderName::Allow, ALLOW)
            .with(HeaderName::Supported, "timer")
            .with(HeaderName::UserAgent, SERVER);
        invite = invite.with_body(SDP, sdp.to_bytes());
        call.cloud.local_sdp = Some(sdp);
        call.cloud.invite = Some(invite.clone());
        call.phase = Phase::Inviting;
        self.send_cloud_invite(layer, now, id, invite, dest);
    }

    fn send_cloud_invite(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        id: u64,
        invite: OwnedMessage,
        dest: Destination,
    ) {
        match layer.send_request(now, invite, dest) {
            Ok(tx) => {
                self.track(tx, id, TxRole::CloudInvite);
                if let Some(c) = self.calls.get_mut(&id) {
                    c.cloud.tx = Some(tx);
                }
            }
            Err(e) => {
                tracing::warn!(call = id, error = %e, "cloud INVITE not sent");
                self.end(now, id, EndCause::Upstream(UpstreamFailure::Unreachable));
            }
        }
    }

    // ----- responses ---------------------------------------------------------------------

    /// A response to one of our client transactions.
    fn on_response_sip(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        tx: TransactionId,
        response: &Received,
    ) {
        if let Some((dest, ack)) = self.abandoned.get(&tx).cloned() {
            self.late_answer(layer, now, tx, dest, ack, response);
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
            TxRole::CloudInvite => self.on_cloud_invite_response(layer, now, id, tx, &msg, code),
            TxRole::Mirror(side) | TxRole::InDialog(side) => {
                let ack_needed = (200..300).contains(&code)
                    && msg.cseq().is_ok_and(|c| c.method == Method::Invite);
                let Some(call) = self.calls.get_mut(&id) else {
                    return;
                };
                let dialog = match side {
                    Side::Room => call.room.dialog.as_mut(),
                    Side::Cloud => call.cloud.dialog.as_mut(),
                };
                let Some(dialog) = dialog else { return };
                let outcome = dialog.on_response(&msg);
                if ack_needed {
                    let transport = match side {
                        Side::Room => call.room.transport,
                        Side::Cloud => call.cloud.dest.map_or(Transport::Udp, |d| d.transport),
                    };
                    let hop = ViaHop::new(transport, self.settings.sip_host.clone());
                    if let Ok(ack) = dialog.build_ack(&msg, &hop, &branch(), None) {
                        let dest = match side {
                            Side::Room => Some(call.room.invite.source),
                            Side::Cloud => call.cloud.dest,
                        };
                        if let Some(dest) = dest {
                            layer.send_stateless(dest, ack.to_bytes());
                        }
                    }
                    // The answer to our mirrored offer: new keys on that leg.
                    if let (TxRole::Mirror(side), Ok(Some(answer))) = (role, body_sdp(&msg)) {
                        self.apply_mirror_answer(layer, now, id, side, &answer);
                    }
                }
                if matches!(outcome, Ok(ResponseOutcome::Ended)) && code >= 300 {
                    tracing::info!(call = id, code, "in-dialog request failed: dialog over");
                    self.end(now, id, EndCause::Normal);
                }
            }
            TxRole::RoomInvite => {}
        }
    }

    fn late_answer(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        tx: TransactionId,
        dest: Destination,
        invite: OwnedMessage,
        response: &Received,
    ) {
        let Ok(msg) = response.message() else { return };
        let code = msg.status_line().map_or(0, |s| s.code);
        if !(200..300).contains(&code) {
            return;
        }
        // The room is gone: acknowledge and hang up at once.
        let inv_bytes = invite.to_bytes();
        let Ok(inv_msg) = decode_datagram(&inv_bytes) else {
            return;
        };
        if let Ok(mut d) = Dialog::uac(&inv_msg, &msg, dest.transport) {
            let hop = hop(&self.settings.sip_host, dest.transport);
            if let Ok(ack) = d.build_ack(&msg, &hop, &branch(), None) {
                layer.send_stateless(dest, ack.to_bytes());
            }
            if let Ok(bye) = d.build_request(Method::Bye, &hop, &branch(), None) {
                let _ = layer.send_request(now, bye, dest);
            }
        }
        self.abandoned.remove(&tx);
    }

    fn on_cloud_invite_response(
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
        if code < 200 {
            call.cloud.provisional = true;
            if code == 180 || code == 183 {
                self.core.upstream_ringing(core_glue::time(now), id);
            }
            return;
        }
        if (200..300).contains(&code) {
            if let Some(ack) = &call.cloud.ack {
                // A retransmitted 2xx: the same ACK again (RFC 3261 §13.2.2.4).
                if let Some(dest) = call.cloud.dest {
                    layer.send_stateless(dest, ack.clone());
                }
                return;
            }
            self.cloud_answered(layer, now, id, msg);
            return;
        }
        // 401/407: once, with the meeting's credentials.
        if (code == 401 || code == 407) && !call.cloud.auth_tried {
            if let Some((user, password)) = call.cloud.credentials.clone() {
                call.cloud.auth_tried = true;
                let header = if code == 401 {
                    HeaderName::WwwAuthenticate
                } else {
                    HeaderName::ProxyAuthenticate
                };
                let values: Vec<AuthValue<'_>> = msg
                    .headers_named(header)
                    .filter_map(|h| AuthValue::parse(&h.value).ok())
                    .collect();
                if let (Ok(ch), Some(invite), Some(dest)) = (
                    Challenge::strongest(&values),
                    call.cloud.invite.clone(),
                    call.cloud.dest,
                ) {
                    let mut client = DigestClient::new(ch);
                    let body = invite.body.clone();
                    let mut cnonce = [0u8; roomgate_sip::digest::CNONCE_RANDOM_LEN];
                    rand::rng().fill_bytes(&mut cnonce);
                    let req = DigestRequest {
                        method: "INVITE",
                        uri: &call.cloud.uri,
                        body: &body,
                    };
                    let creds = Credentials::new(user, password);
                    if let Ok(value) = client.authorization(&creds, &req, &cnonce) {
                        call.cloud.cseq += 1;
                        let mut next = invite.clone();
                        next.headers.retain(|(n, _)| {
                            let h = HeaderName::from_wire(n);
                            h != HeaderName::Via && h != HeaderName::CSeq
                        });
                        let mut rebuilt = OwnedMessage::request("INVITE", &call.cloud.uri)
                            .with(
                                HeaderName::Via,
                                hop(&self.settings.sip_host, dest.transport).value(&branch()),
                            )
                            .with(HeaderName::CSeq, format_args!("{} INVITE", call.cloud.cseq));
                        rebuilt.headers.extend(next.headers);
                        let auth_header = if code == 401 {
                            HeaderName::Authorization
                        } else {
                            HeaderName::ProxyAuthorization
                        };
                        rebuilt.push(auth_header, value);
                        rebuilt.body = body;
                        call.cloud.invite = Some(rebuilt.clone());
                        self.by_tx.remove(&tx);
                        self.send_cloud_invite(layer, now, id, rebuilt, dest);
                        return;
                    }
                }
            }
        }
        self.by_tx.remove(&tx);
        let failure = core_glue::upstream_failure(code);
        tracing::info!(
            call = id,
            cloud_status = code,
            ?failure,
            "cloud leg refused"
        );
        if let Some(c) = self.calls.get_mut(&id) {
            c.cloud.tx = None;
        }
        self.core.upstream_failed(core_glue::time(now), id, failure);
    }

    fn cloud_answered(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        id: u64,
        msg: &Message<'_>,
    ) {
        let settings_host = self.settings.sip_host.clone();
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let Some(dest) = call.cloud.dest else { return };
        let Some(invite) = call.cloud.invite.as_ref().map(OwnedMessage::to_bytes) else {
            return;
        };
        let Ok(invite_msg) = decode_datagram(&invite) else {
            return;
        };
        let mut dialog = match Dialog::uac(&invite_msg, msg, dest.transport) {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(call = id, error = %e, "cloud 2xx does not make a dialog");
                return;
            }
        };
        let hop = ViaHop::new(dest.transport, settings_host);
        if let Ok(ack) = dialog.build_ack(msg, &hop, &branch(), None) {
            let bytes = ack.to_bytes();
            layer.send_stateless(dest, bytes.clone());
            call.cloud.ack = Some(bytes);
        }
        call.cloud.dialog = Some(dialog);
        if let Ok(Some(neg)) = session_timer::uac_negotiated(msg) {
            let d = neg.deadlines(now);
            call.cloud.refresh_at = d.refresh_at;
            call.cloud.expires_at = Some(d.give_up_at);
            call.cloud.timer_interval = Some(neg.interval);
        }
        self.schedule(id);
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let answer = match body_sdp(msg) {
            Ok(Some(a)) => a,
            _ => {
                tracing::warn!(call = id, "cloud answered without a usable SDP answer");
                self.core
                    .upstream_failed(core_glue::time(now), id, UpstreamFailure::Failed);
                return;
            }
        };
        let streams = match call.cloud.local_sdp.as_ref() {
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
        call.cloud_direction = negotiate::audio_direction(&answer).reversed();
        call.cloud.streams = streams;
        if !call.cloud.streams.has(StreamRole::Audio) {
            tracing::warn!(call = id, "cloud accepted no audio");
            self.core
                .upstream_failed(core_glue::time(now), id, UpstreamFailure::NotAcceptable);
            return;
        }
        self.core.upstream_answered(core_glue::time(now), id);
    }

    /// Sends the room its 200: an answer to its offer, or our offer when it sent none.
    fn answer_room(&mut self, layer: &mut TransactionLayer, now: Instant, id: u64) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if call.room.dialog.is_some() {
            // Answered during PIN entry: bridge the legs as they are (transcoding when the
            // cloud chose another codec).
            if !self.configure_relay(now, id) {
                self.set_reason(id, "bridge_failed");
                self.end(now, id, EndCause::Normal);
                return;
            }
            if let Some(call) = self.calls.get_mut(&id) {
                call.phase = Phase::Active;
            }
            self.connected(now, id);
            return;
        }
        let cloud_codec = call.cloud.streams.audio_codec();
        let room_codecs = call
            .room
            .offer
            .as_ref()
            .map(negotiate::offered_audio)
            .unwrap_or_default();
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
        let audio = match (&call.room.offer, choice) {
            (Some(_), Some(c)) => negotiate::audio_only(c),
            (None, Some(c)) => negotiate::audio_preferring(&[c]),
            _ => negotiate::audio_codecs(),
        };
        let cloud_video = call.cloud.streams.has(StreamRole::MainVideo);
        // Video only when the cloud takes it too.
        let sdp = room_sdp(
            &self.settings,
            &self.media,
            call,
            audio,
            cloud_video,
            call.cloud_direction,
        );
        let Some((local, streams)) = sdp else {
            self.end(now, id, EndCause::Internal);
            return;
        };
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if call.room.offer.is_some() {
            if !streams.has(StreamRole::Audio) {
                self.local_stats.refused_media += 1;
                self.end(now, id, EndCause::NotAcceptable);
                return;
            }
            call.room.streams = streams;
            if !self.configure_relay(now, id) {
                self.end(now, id, EndCause::Internal);
                return;
            }
        }
        if let Some(call) = self.calls.get_mut(&id) {
            call.phase = Phase::Answered;
        }
        self.send_room_ok(layer, now, id, local);
        self.connected(now, id);
    }

    /// Sends the room our 200 (answer or offer), makes its dialog, and retransmits over UDP
    /// until the ACK.
    fn send_room_ok(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        id: u64,
        local: roomgate_sip::sdp::SessionDescription,
    ) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let Ok(invite) = call.room.invite.message() else {
            return;
        };
        let contact = contact(&self.settings.sip_host, call.room.transport);
        let mut resp =
            roomgate_sip::dialog::dialog_response(&invite, 200, "OK", &call.room.tag, &contact);
        crate::sip::tu::stamp_top_via(&mut resp, &invite, call.room.invite.source.addr);
        resp.push(HeaderName::Server, SERVER);
        resp.push(HeaderName::Allow, ALLOW);
        resp.push(HeaderName::Supported, "timer");
        let timer_cfg = SessionTimerConfig {
            prefer_refresher: Refresher::Uac,
            insert_when_absent: false,
            ..SessionTimerConfig::default()
        };
        if let Ok(Some(st)) = session_timer::uas_answer(&invite, &timer_cfg) {
            st.apply(&mut resp);
            let d = st.negotiated().deadlines(now);
            call.room.expires_at = Some(d.give_up_at);
            call.room.timer_interval = Some(st.interval);
        }
        let resp = resp.with_body(SDP, local.to_bytes());
        match Dialog::uas(&invite, &resp, call.room.transport) {
            Ok(d) => call.room.dialog = Some(d),
            Err(e) => tracing::debug!(call = id, error = %e, "room dialog"),
        }
        call.room.local_sdp = Some(local);
        if call.room.transport == Transport::Udp {
            let t1 = self.settings.t1;
            call.room.retransmit = Some(Retransmit {
                at: now + t1,
                interval: t1,
                until: now + t1 * 64,
                response: resp.clone(),
            });
        }
        let rtx = call.room.tx;
        drop(invite);
        self.respond(layer, now, rtx, &resp);
        self.schedule(id);
    }

    fn connected(&mut self, now: Instant, id: u64) {
        if let Some(ms) = self.core.connected(core_glue::time(now), id) {
            self.setup.observe(ms);
        }
    }

    /// Points the relay session at both negotiated legs. False when the legs cannot be
    /// bridged.
    fn configure_relay(&mut self, now: Instant, id: u64) -> bool {
        let Some(call) = self.calls.get_mut(&id) else {
            return false;
        };
        match negotiate::bridge_streams(&call.room.streams, &call.cloud.streams) {
            Ok((streams, path)) => {
                let session = call.session;
                let r = self
                    .media
                    .with_relay(|r, _| r.reconfigure_session(now, session, &streams));
                match r {
                    Ok(()) => {
                        call.audio = Some(path);
                        tracing::info!(
                            call = id,
                            audio = ?path,
                            room_suite = ?call.room.streams.audio_suite().map(|s| s.name().to_owned()),
                            cloud_suite = ?call.cloud.streams.audio_suite().map(|s| s.name().to_owned()),
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

    // ----- requests in dialogs ---------------------------------------------------------

    /// ACK for a 2xx (outside any transaction).
    fn on_ack_sip(&mut self, layer: &mut TransactionLayer, now: Instant, request: &Received) {
        let Ok(msg) = request.message() else { return };
        let Ok(call_id) = msg.call_id() else { return };
        let Some(&(id, Side::Room)) = self.by_call_id.get(call_id) else {
            return;
        };
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let Some(dialog) = call.room.dialog.as_mut() else {
            return;
        };
        let Ok(InDialogRequest::Ack {
            answer_due,
            has_body,
        }) = dialog.on_request(&msg)
        else {
            return;
        };
        call.room.retransmit = None;
        if call.phase == Phase::Answered {
            call.phase = Phase::Active;
        }
        if call.phase == Phase::Pin {
            if answer_due && has_body {
                match body_sdp(&msg) {
                    Ok(Some(answer)) => {
                        self.pin_answer_in_ack(layer, now, id, &answer, request.source.addr.ip());
                    }
                    _ => self.refuse_answer(layer, now, id, Side::Room, None),
                }
            }
            return;
        }
        if answer_due && has_body {
            let Some(local) = call.room.local_sdp.as_ref() else {
                return;
            };
            if let Ok(Some(answer)) = body_sdp(&msg) {
                match negotiate::negotiated(local, &answer) {
                    Ok(streams) => {
                        call.room.streams = streams;
                        call.room_direction = negotiate::audio_direction(&answer);
                        self.configure_relay(now, id);
                    }
                    Err(refused) => {
                        let source = request.source.addr.ip();
                        self.refuse_answer(layer, now, id, Side::Room, Some((source, refused)));
                    }
                }
            } else {
                // An answer we cannot read is no answer: the media would never start.
                self.refuse_answer(layer, now, id, Side::Room, None);
            }
        }
    }

    /// A CANCEL for a room INVITE we have not answered yet.
    pub fn on_cancel(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        invite_tx: TransactionId,
    ) -> bool {
        let Some(&(id, TxRole::RoomInvite)) = self.by_tx.get(&invite_tx) else {
            return false;
        };
        let cancelled = self.core.cancelled(core_glue::time(now), id);
        self.drive(layer, now);
        cancelled
    }

    /// A request with a To tag, or BYE/UPDATE/INFO of one of our calls.
    fn on_in_dialog_sip(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        tx: TransactionId,
        request: &Received,
    ) -> bool {
        let Ok(msg) = request.message() else {
            return false;
        };
        let Ok(call_id) = msg.call_id() else {
            return false;
        };
        let Some(&(id, side)) = self.by_call_id.get(call_id) else {
            return false;
        };
        let Some(call) = self.calls.get_mut(&id) else {
            return false;
        };
        let dialog = match side {
            Side::Room => call.room.dialog.as_mut(),
            Side::Cloud => call.cloud.dialog.as_mut(),
        };
        let Some(dialog) = dialog else {
            let r = Refusal::new(481, "Call/Transaction Does Not Exist");
            self.refuse(layer, now, tx, request, r, None);
            return true;
        };
        let kind = match dialog.on_request(&msg) {
            Ok(k) => k,
            Err(e) => {
                let code = roomgate_sip::dialog::status_for(&e);
                let resp = Self::response(request, code, "Refused", None);
                if let Some(mut r) = resp {
                    if let Some(range) = roomgate_sip::dialog::retry_after_range(&e) {
                        r.push(HeaderName::RetryAfter, range.start());
                    }
                    self.respond(layer, now, tx, &r);
                }
                return true;
            }
        };
        match kind {
            InDialogRequest::Bye => {
                if let Some(r) = Self::response(request, 200, "OK", None) {
                    self.respond(layer, now, tx, &r);
                }
                // The side that hung up has its dialog terminated already.
                self.core
                    .leg_ended(core_glue::time(now), id, side.neutral());
            }
            InDialogRequest::ReInvite { offer } | InDialogRequest::Update { offer } => {
                self.on_reoffer(layer, now, tx, id, side, request, &msg, offer);
            }
            _ => {
                if side == Side::Room && self.on_info(layer, now, tx, id, request, &msg) {
                    return true;
                }
                // The rest (OPTIONS, INFO without DTMF …): accepted.
                if let Some(r) = Self::response(request, 200, "OK", None) {
                    let r = self.answered_in_dialog(id, side, r);
                    self.respond(layer, now, tx, &r);
                }
            }
        }
        true
    }

    fn answered_in_dialog(&mut self, id: u64, side: Side, r: OwnedMessage) -> OwnedMessage {
        if let Some(call) = self.calls.get_mut(&id) {
            let dialog = match side {
                Side::Room => call.room.dialog.as_mut(),
                Side::Cloud => call.cloud.dialog.as_mut(),
            };
            if let Some(d) = dialog {
                let _ = d.on_response_sent(&r);
            }
        }
        r
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
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        // Session refresh: a re-INVITE or UPDATE from the refresher restarts the clock.
        let interval = match side {
            Side::Room => call.room.timer_interval,
            Side::Cloud => call.cloud.timer_interval,
        };
        if let Some(i) = interval {
            let at = now + Duration::from_secs(u64::from(i));
            match side {
                Side::Room => call.room.expires_at = Some(at),
                Side::Cloud => call.cloud.expires_at = Some(at),
            }
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
            .streams(side)
            .audio()
            .and_then(|s| s.codec())
            .map(|c| (c.name.clone(), c.clock_rate));
        let (leg, caps, has_video) =
            call.running_caps(side, self.settings.media_ip, offer.as_ref());
        let session = call.session;
        let ports = leg_ports(&self.media, session, leg);
        let Some(offer) = offer else {
            // No offer (or an UPDATE that only refreshes): answer with what we have.
            let local = match side {
                Side::Room => call.room.local_sdp.clone(),
                Side::Cloud => call.cloud.local_sdp.clone(),
            };
            if let Some(mut r) = Self::response(request, 200, "OK", None) {
                r.push(
                    HeaderName::Contact,
                    contact(&self.settings.sip_host, request.source.transport),
                );
                if msg.method() == Some(Method::Invite) {
                    if let Some(l) = local {
                        r = r.with_body(SDP, l.to_bytes());
                    }
                }
                let r = self.answered_in_dialog(id, side, r);
                self.respond(layer, now, tx, &r);
            }
            return;
        };
        let answer = negotiate::answer(&offer, &caps, |k| match k {
            StreamKind::Audio => ports[0],
            StreamKind::Video if has_video => ports[1],
            _ => None,
        });
        // A re-offer whose crypto we cannot apply, or that would take an encrypted leg to
        // plain RTP, is refused with 488: the session stays as it was (RFC 3261 §14.2).
        let meeting = call.meeting.clone();
        let source = request.source.addr.ip();
        let streams = match negotiate::negotiated(&answer, &offer) {
            Ok(streams) if srtp_rule::downgrades(call.streams(side), &streams) => {
                self.report_downgrade(&meeting, source, side, &offer);
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
                self.report_offer_crypto(&meeting, source, side, &offer, outcome);
                streams
            }
            Err(refused) => {
                self.report_refused(&meeting, source, side, refused);
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
        let old_dir = match side {
            Side::Room => call.room_direction,
            Side::Cloud => call.cloud_direction,
        };
        match side {
            Side::Room => {
                call.room.streams = streams.clone();
                call.room.local_sdp = Some(answer.clone());
                call.room_direction = new_dir;
            }
            Side::Cloud => {
                call.cloud.streams = streams.clone();
                call.cloud.local_sdp = Some(answer.clone());
                call.cloud_direction = new_dir;
            }
        }
        if same_codec {
            for (kind, upd) in streams.streams.iter().filter_map(leg_update) {
                if let Err(e) = self
                    .media
                    .with_relay(|r, now| r.update_leg(now, session, leg, kind, upd))
                {
                    tracing::debug!(call = id, error = %e, "leg update");
                }
            }
        } else {
            self.configure_relay(now, id);
        }
        if let Some(mut r) = Self::response(request, 200, "OK", None) {
            r.push(
                HeaderName::Contact,
                contact(&self.settings.sip_host, request.source.transport),
            );
            let r = r.with_body(SDP, answer.to_bytes());
            let r = self.answered_in_dialog(id, side, r);
            self.respond(layer, now, tx, &r);
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
        let to = match from {
            Side::Room => Side::Cloud,
            Side::Cloud => Side::Room,
        };
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let (dest, transport) = match to {
            Side::Cloud => (
                call.cloud.dest,
                call.cloud.dest.map_or(Transport::Udp, |d| d.transport),
            ),
            Side::Room => (Some(call.room.invite.source), call.room.transport),
        };
        let Some(dest) = dest else { return };
        let (leg, caps, has_video) = call.running_caps(to, self.settings.media_ip, None);
        let session = call.session;
        let ports = leg_ports(&self.media, session, leg);
        let list: Vec<(StreamKind, u16)> = [StreamKind::Audio, StreamKind::Video]
            .into_iter()
            .zip(ports)
            .filter(|(k, _)| *k == StreamKind::Audio || has_video)
            .filter_map(|(k, p)| p.map(|p| (k, p)))
            .collect();
        let Ok(sdp) = negotiate::offer(&caps, &list, direction) else {
            return;
        };
        let hop = hop(&self.settings.sip_host, transport);
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let dialog = match to {
            Side::Cloud => call.cloud.dialog.as_mut(),
            Side::Room => call.room.dialog.as_mut(),
        };
        let Some(dialog) = dialog else { return };
        if !dialog.can_reinvite() {
            tracing::debug!(
                call = id,
                "re-INVITE in progress; direction change not mirrored now"
            );
            return;
        }
        let bytes = sdp.to_bytes();
        let req = match dialog.build_request(
            Method::Invite,
            &hop,
            &branch(),
            Some(Body {
                content_type: SDP,
                bytes: &bytes,
            }),
        ) {
            Ok(r) => r,
            Err(e) => {
                tracing::debug!(call = id, error = %e, "mirror re-INVITE not built");
                return;
            }
        };
        match to {
            Side::Cloud => call.cloud.local_sdp = Some(sdp),
            Side::Room => call.room.local_sdp = Some(sdp),
        }
        match layer.send_request(now, req, dest) {
            Ok(tx) => {
                self.track(tx, id, TxRole::Mirror(to));
            }
            Err(e) => tracing::debug!(call = id, error = %e, "mirror re-INVITE not sent"),
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
        let (local, leg) = match side {
            Side::Cloud => (call.cloud.local_sdp.clone(), Leg::B),
            Side::Room => (call.room.local_sdp.clone(), Leg::A),
        };
        let Some(local) = local else { return };
        let streams = match negotiate::negotiated(&local, answer) {
            Ok(streams) => streams,
            Err(refused) => {
                // The answer to our re-offer claims SRTP we cannot apply: the call ends
                // rather than carry that leg's media unprotected.
                let source = match side {
                    Side::Room => Some(call.room.invite.source.addr.ip()),
                    Side::Cloud => call.cloud.dest.map(|d| d.addr.ip()),
                };
                self.refuse_answer(layer, now, id, side, source.map(|s| (s, refused)));
                return;
            }
        };
        let session = call.session;
        match side {
            Side::Cloud => call.cloud.streams = streams.clone(),
            Side::Room => call.room.streams = streams.clone(),
        }
        for (kind, upd) in streams.streams.iter().filter_map(leg_update) {
            let _ = self
                .media
                .with_relay(|r, _| r.update_leg(now, session, leg, kind, upd));
        }
    }

    // ----- failures, timers, teardown ----------------------------------------------------

    /// A client transaction timed out or could not be sent.
    fn on_transaction_failed_sip(&mut self, now: Instant, tx: TransactionId, timeout: bool) {
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
                self.core.upstream_failed(core_glue::time(now), id, failure);
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

    /// A transaction ended; forget its index entry.
    pub fn on_terminated(&mut self, tx: TransactionId) {
        self.by_tx.remove(&tx);
        self.abandoned.remove(&tx);
    }

    pub fn handle_timeout(&mut self, layer: &mut TransactionLayer, now: Instant) {
        self.core.handle_timeout(core_glue::time(now));
        self.drive(layer, now);
        let mut ids: Vec<u64> = Vec::new();
        while let Some(Reverse((at, id))) = self.timers.peek().copied() {
            if at > now {
                break;
            }
            self.timers.pop();
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        for &id in &ids {
            self.call_timers(layer, now, id);
            self.schedule(id);
        }
        self.drive(layer, now);
    }

    /// Fires whatever of call `id`'s timers is due.
    fn call_timers(&mut self, layer: &mut TransactionLayer, now: Instant, id: u64) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if let Some(rt) = call.room.retransmit.as_mut() {
            if rt.at <= now {
                if now >= rt.until {
                    // RFC 3261 §13.3.1.4: no ACK within 64*T1 ends the dialog.
                    call.room.retransmit = None;
                    tracing::info!(call = id, "room never acknowledged our 200");
                    self.end(now, id, EndCause::Normal);
                    return;
                }
                rt.interval = (rt.interval * 2).min(Duration::from_secs(4));
                rt.at = now + rt.interval;
                let resp = rt.response.clone();
                let tx = call.room.tx;
                self.respond(layer, now, tx, &resp);
            }
        }
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if call.room.expires_at.is_some_and(|t| t <= now)
            || call.cloud.expires_at.is_some_and(|t| t <= now)
        {
            tracing::info!(call = id, "session timer expired");
            self.end(now, id, EndCause::Normal);
            return;
        }
        if call.cloud.refresh_at.is_some_and(|t| t <= now) {
            call.cloud.refresh_at = call
                .cloud
                .timer_interval
                .map(|i| now + Duration::from_secs(u64::from(i) / 2));
            call.cloud.expires_at = call
                .cloud
                .timer_interval
                .map(|i| now + Duration::from_secs(u64::from(i)));
            let dir = call.cloud_direction;
            self.refresh_cloud(layer, now, id, dir);
        }
    }

    /// RFC 4028 refresh toward the cloud: an UPDATE without a body.
    fn refresh_cloud(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        id: u64,
        _dir: Direction,
    ) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let Some(dest) = call.cloud.dest else { return };
        let hop = ViaHop::new(dest.transport, self.settings.sip_host.clone());
        let Some(dialog) = call.cloud.dialog.as_mut() else {
            return;
        };
        let Ok(mut req) = dialog.build_request(Method::Update, &hop, &branch(), None) else {
            return;
        };
        if let Some(i) = call.cloud.timer_interval {
            req.push(
                HeaderName::SessionExpires,
                format_args!("{i};refresher=uac"),
            );
            req.push(HeaderName::Supported, "timer");
        }
        if let Ok(tx) = layer.send_request(now, req, dest) {
            self.track(tx, id, TxRole::InDialog(Side::Cloud));
        }
    }

    /// Ends a call whose room INVITE is still pending: the room gets `code`; the cloud
    /// INVITE is cancelled (or its late 2xx hung up).
    fn fail_room(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        id: u64,
        code: u16,
        reason: &'static str,
    ) {
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        if let Some(tx) = call.cloud.tx {
            if call.cloud.provisional {
                if let Err(e) = layer.send_cancel(now, tx) {
                    tracing::debug!(call = id, error = %e, "CANCEL not sent");
                }
            }
            if let (Some(dest), Some(inv)) = (call.cloud.dest, call.cloud.invite.clone()) {
                self.abandoned.insert(tx, (dest, inv));
            }
        }
        if call.room.dialog.is_some() {
            // Answered by us already (PIN entry): the room is hung up instead.
            self.fallback_reason(id, code);
            self.bye(layer, now, id, Side::Room);
            self.remove(id);
            return;
        }
        let tag = call.room.tag.clone();
        let request = call.room.invite.clone();
        let rtx = call.room.tx;
        if let Some(r) = Self::response(&request, code, reason, Some(&tag)) {
            self.respond(layer, now, rtx, &r);
        }
        self.fallback_reason(id, code);
        self.remove(id);
    }

    fn fallback_reason(&mut self, id: u64, code: u16) {
        if let Some(c) = self.calls.get_mut(&id) {
            c.fallback_reason = Some(format!("failed_{code}"));
        }
    }

    /// The SIP side of a call the core ended: BYE to each leg that has a confirmed dialog
    /// (except the one that hung up), or a final response to a room INVITE still pending.
    fn teardown(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        id: u64,
        hung_up_by: Option<Side>,
        room_status: Option<(u16, &'static str)>,
    ) {
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        if matches!(call.phase, Phase::Resolving | Phase::Inviting)
            || (call.room.dialog.is_none() && room_status.is_some())
        {
            let (code, reason) = room_status.unwrap_or((500, "Server Internal Error"));
            // The cloud may have answered already: hang that leg up too.
            if hung_up_by != Some(Side::Cloud) {
                self.bye(layer, now, id, Side::Cloud);
            }
            self.fail_room(layer, now, id, code, reason);
            return;
        }
        for side in [Side::Room, Side::Cloud] {
            if hung_up_by != Some(side) {
                self.bye(layer, now, id, side);
            }
        }
        self.remove(id);
    }

    fn bye(&mut self, layer: &mut TransactionLayer, now: Instant, id: u64, side: Side) {
        let host = self.settings.sip_host.clone();
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let (dialog, dest) = match side {
            Side::Room => (call.room.dialog.as_mut(), Some(call.room.invite.source)),
            Side::Cloud => (call.cloud.dialog.as_mut(), call.cloud.dest),
        };
        let (Some(dialog), Some(dest)) = (dialog, dest) else {
            return;
        };
        let hop = ViaHop::new(dest.transport, host);
        let reason = call.bye_reason;
        match dialog.build_request(Method::Bye, &hop, &branch(), None) {
            Ok(mut bye) => {
                if let Some(r) = reason {
                    bye.push(HeaderName::Reason, r);
                }
                if let Ok(tx) = layer.send_request(now, bye, dest) {
                    self.track(tx, id, TxRole::InDialog(side));
                }
            }
            Err(e) => tracing::debug!(call = id, error = %e, "no BYE"),
        }
    }

    fn remove(&mut self, id: u64) {
        let Some(call) = self.calls.remove(&id) else {
            return;
        };
        self.by_call_id.remove(&call.room_call_id);
        self.by_call_id.remove(&call.cloud.call_id);
        for tx in &call.txs {
            // A BYE we sent stays indexed until its transaction ends (its failure is logged).
            if !matches!(self.by_tx.get(tx), Some((_, TxRole::InDialog(_)))) {
                self.by_tx.remove(tx);
            }
        }
        let session = call.session;
        self.by_session.remove(&session);
        let cdr = self.cdr(&call);
        if self.cdrs.len() >= MAX_PENDING_CDRS {
            self.cdrs.pop_front();
            self.local_stats.cdrs_dropped += 1;
        }
        self.cdrs.push_back(cdr);
        if let Err(e) = self.media.with_relay(|r, _| r.remove_session(session)) {
            tracing::debug!(call = id, error = %e, "relay session already gone");
        }
        tracing::info!(call = id, meeting = %call.meeting, "call ended");
    }

    /// A digit the relay took out of the room's audio. On a pass-through stream the relay
    /// forwarded the RFC 4733 packets already; on a transcoded one they cannot pass (the
    /// payload types and clocks differ), so the digit is sent on to the cloud as RFC 4733
    /// events of our own. The digit itself is never logged (it may be part of a PIN).
    fn on_media_dtmf_sip(
        &mut self,
        now: Instant,
        session: SessionId,
        leg: Leg,
        event: u8,
        digit: Option<char>,
        duration: Duration,
    ) {
        if leg != Leg::A {
            return;
        }
        if let Some(d) = digit {
            if self.pin_digit(now, session, d) {
                return;
            }
        }
        let Some(call) = self
            .by_session
            .get(&session)
            .and_then(|id| self.calls.get(id))
        else {
            return;
        };
        if call.audio != Some(AudioPath::Transcode) {
            return;
        }
        let Some(pt) = call
            .cloud
            .streams
            .audio()
            .and_then(|s| s.telephone_event)
            .map(|t| t.payload_type)
        else {
            tracing::debug!(
                call = call.id,
                "DTMF dropped: the cloud leg has no telephone-event"
            );
            return;
        };
        let id = call.id;
        let packets = DtmfGenerator::new(event, duration, 0, GeneratorConfig::default());
        let mut buf = [0u8; 256];
        let mut sent = 0usize;
        for (i, p) in packets.enumerate() {
            let frame = PlayFrame::Event {
                payload_type: pt,
                payload: &p.payload,
                start: i == 0,
            };
            let played = self.media.with_relay(|r, now| {
                r.play(now, session, Leg::B, StreamKind::Audio, frame, &mut buf)
            });
            match played {
                Ok(t) => {
                    self.media.send(t, &buf);
                    sent += 1;
                }
                Err(e) => {
                    tracing::debug!(call = id, error = %e, "DTMF not played");
                    break;
                }
            }
        }
        tracing::debug!(
            call = id,
            packets = sent,
            "DTMF forwarded to the cloud as RFC 4733"
        );
    }

    /// The relay saw no media on a call for its inactivity timeout.
    fn on_media_inactive_sip(
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
            self.core.media_inactive(core_glue::time(now), id);
        }
        self.drive(layer, now);
    }

    /// Ends every call (shutdown).
    pub fn end_all(&mut self, layer: &mut TransactionLayer, now: Instant) {
        self.core.end_all(core_glue::time(now));
        self.drive(layer, now);
    }

    /// The counters: the core's (calls, PIN, admission) with the SIP legs' own.
    pub fn stats(&self) -> CallStats {
        let core = self.core.stats();
        CallStats {
            started: core.started,
            connected: core.connected,
            ended: core.ended,
            refused_unknown: core.refused_unknown,
            refused_capacity: core.refused_capacity,
            cloud_failed: core.upstream_failed,
            refused_pin: core.refused_pin,
            refused_blocked: core.refused_blocked,
            lockout_unavailable: core.lockout_unavailable,
            pin_attempts: core.pin_attempts,
            pin_correct: core.pin_correct,
            pin_wrong: core.pin_wrong,
            ..self.local_stats
        }
    }

    /// A CDR the driver could not hand to the store.
    pub fn cdr_dropped(&mut self) {
        self.local_stats.cdrs_dropped += 1;
    }

    // The entry points of the transaction user: each runs the SIP side, then whatever the
    // core decided on the way.

    /// A response to one of our client transactions.
    pub fn on_response(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        tx: TransactionId,
        response: &Received,
    ) {
        self.on_response_sip(layer, now, tx, response);
        self.drive(layer, now);
    }

    /// ACK for a 2xx (outside any transaction).
    pub fn on_ack(&mut self, layer: &mut TransactionLayer, now: Instant, request: &Received) {
        self.on_ack_sip(layer, now, request);
        self.drive(layer, now);
    }

    /// A request with a To tag, or BYE/UPDATE/INFO of one of our calls. False when it is not
    /// one of ours.
    pub fn on_in_dialog(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        tx: TransactionId,
        request: &Received,
    ) -> bool {
        let ours = self.on_in_dialog_sip(layer, now, tx, request);
        self.drive(layer, now);
        ours
    }

    /// A client transaction timed out or could not be sent.
    pub fn on_transaction_failed(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        tx: TransactionId,
        timeout: bool,
    ) {
        self.on_transaction_failed_sip(now, tx, timeout);
        self.drive(layer, now);
    }

    /// A digit the relay took out of the room's audio (see `on_media_dtmf_sip`).
    #[allow(clippy::too_many_arguments)]
    pub fn on_media_dtmf(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        session: SessionId,
        leg: Leg,
        event: u8,
        digit: Option<char>,
        duration: Duration,
    ) {
        self.on_media_dtmf_sip(now, session, leg, event, digit, duration);
        self.drive(layer, now);
    }

    /// The relay saw no media on a call for its inactivity timeout.
    pub fn on_media_inactive(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        session: SessionId,
    ) {
        self.on_media_inactive_sip(layer, now, session);
    }

    /// True when `srtp` policy makes offers over SAVP (for logs).
    pub fn room_policy_is_mandatory(&self) -> bool {
        self.settings.room_policy.srtp == SrtpPolicy::Mandatory
    }
}
