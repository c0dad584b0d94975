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
//!
//! [`Calls`] is the driver of the call: it owns the [`CallCore`] and a table of calls, each
//! holding its two SIP legs ([`sip_leg::UasLeg`] toward the room, [`sip_leg::UacLeg`] toward
//! the upstream) and one relay session. It routes transactions and in-dialog requests to the
//! leg they belong to, turns leg events into core events, and carries the core's commands
//! out on the legs (`core_glue.rs`). SIP messages are built by the legs, not here.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::call::media_plane::MediaPlane;
use roomgate_media::relay::{Leg, SessionId};
use roomgate_sip::sdp::offer_answer::SrtpPolicy;
use roomgate_sip::transaction::{Destination, Received, TransactionId, TransactionLayer};

use super::directory::{Directory, Upstream};
use super::negotiate::{self, AudioPath, MediaPolicy};
use super::sip_leg::sdp_map::{leg_ports, LegSdp};
use super::sip_leg::{self, DialogLeg, UacLeg};
use crate::lockout::Guard;
use crate::observe::{Cdr, SetupHistogram};
use crate::prompts::Prompts;
use room_leg::RoomLeg;
use roomgate_core::call::{CallCore, CoreSettings, EndCause, PinTimeouts, Secret};

mod admission;
mod core_glue;
mod gatekeeper;
mod h323_room;
mod h323_upstream;
mod in_dialog;
mod media_events;
mod pin_phase;
mod report;
mod room_leg;
mod srtp_rule;
mod teardown;
mod upstream;
mod video_control;

pub use h323_room::{H323CallSettings, H323Input, H323Output, SETUP_WAIT};
pub use room_leg::Protocol;
pub use srtp_rule::SrtpRuleStats;

/// Settings of the bridge.
#[derive(Debug, Clone)]
pub struct BridgeSettings {
    /// Address in our SDP (the relay's).
    pub media_ip: IpAddr,
    /// Domain in From and P-Asserted-Identity toward the cloud.
    pub gateway_domain: String,
    /// Upstream hosts (names or addresses, as in the meeting's URI) inside our trust domain
    /// (RFC 3325): only they get P-Asserted-Identity, since anyone else could pass it on as
    /// if a trusted network had vouched for the caller. The echo service is always trusted.
    pub trusted_upstreams: Vec<String>,
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

impl Phase {
    /// Whether the gateway is working on the call's set-up (PIN entry waits on a person, not
    /// on us, so it does not count toward overload).
    fn in_setup(self) -> bool {
        matches!(self, Phase::Resolving | Phase::Inviting | Phase::Answered)
    }

    fn label(self) -> &'static str {
        match self {
            Phase::Pin => "pin",
            Phase::Resolving => "resolving",
            Phase::Inviting => "inviting",
            Phase::Answered => "answered",
            Phase::Active => "active",
        }
    }
}

/// Moves a call to phase `to`, keeping the count of calls in set-up (a count kept on every
/// change, since overload control reads it for every new INVITE).
fn set_phase(in_setup: &mut usize, phase: &mut Phase, to: Phase) {
    *in_setup = in_setup.saturating_sub(usize::from(phase.in_setup())) + usize::from(to.in_setup());
    *phase = to;
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

    fn other(self) -> Self {
        match self {
            Side::Room => Side::Cloud,
            Side::Cloud => Side::Room,
        }
    }

    /// The relay leg of this side.
    fn relay_leg(self) -> Leg {
        match self {
            Side::Room => Leg::A,
            Side::Cloud => Leg::B,
        }
    }
}

/// One call: its two SIP legs and the relay session between them.
struct Call {
    id: u64,
    meeting: String,
    phase: Phase,
    room: RoomLeg,
    cloud: UacLeg,
    session: SessionId,
    cloud_policy: MediaPolicy,
    room_policy: MediaPolicy,
    audio: Option<AudioPath>,
    /// The room's Call-ID (index key) and every transaction of ours indexed for this call,
    /// so ending a call touches only its own index entries.
    room_call_id: String,
    txs: Vec<TransactionId>,
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
    /// The meeting's upstream when it is an H.323 endpoint (then `cloud` holds only its
    /// media state: no SIP dialog forms on it).
    h323_up: Option<Box<h323_upstream::H323Up>>,
    /// How each side's key presses come once PIN entry is over (indexed by [`Side`]): the
    /// first source wins, so a device sending every press as both INFO and RFC 4733 does
    /// not press each key twice on the other leg.
    key_source: [Option<roomgate_core::call::DigitSource>; 2],
}

impl Call {
    fn leg(&self, side: Side) -> &DialogLeg {
        match side {
            Side::Room => self.room.leg(),
            Side::Cloud => &self.cloud.leg,
        }
    }

    fn leg_mut(&mut self, side: Side) -> &mut DialogLeg {
        match side {
            Side::Room => self.room.leg_mut(),
            Side::Cloud => &mut self.cloud.leg,
        }
    }

    /// What our SDP toward `side` is made of (its policy and relay ports), with that leg's
    /// dialog state.
    fn split(
        &mut self,
        side: Side,
        media_ip: IpAddr,
        media: &MediaPlane,
    ) -> (LegSdp<'_>, &mut DialogLeg) {
        let ports = leg_ports(media, self.session, side.relay_leg());
        let (policy, leg) = match side {
            Side::Room => (&self.room_policy, self.room.leg_mut()),
            Side::Cloud => (&self.cloud_policy, &mut self.cloud.leg),
        };
        let sdp = LegSdp {
            media_ip,
            policy,
            call: self.id,
            ports,
            video_codecs: None,
        };
        (sdp, leg)
    }
}

/// The calls of one gateway.
pub struct Calls {
    settings: BridgeSettings,
    /// Phases, admission, PIN entry and lockout requests, setup timer, records.
    core: CallCore,
    /// Room INVITEs the core is still deciding on (screening, lookup, admission).
    pending: HashMap<u64, core_glue::Pending>,
    /// Calls of `pending` admitted by their room leg, waiting for their relay session
    /// (at most one entry per pending call).
    placing: HashMap<u64, admission::Placing>,
    directory: Box<dyn Directory>,
    media: Arc<MediaPlane>,
    calls: HashMap<u64, Call>,
    /// Calls whose phase is in set-up (see [`Phase::in_setup`]).
    in_setup: usize,
    by_call_id: HashMap<String, (u64, Side)>,
    by_tx: HashMap<TransactionId, (u64, TxRole)>,
    /// Calls ended toward the room whose cloud INVITE is still open: a late 2xx is
    /// acknowledged and hung up.
    abandoned: HashMap<TransactionId, (Destination, roomgate_sip::transaction::Outgoing)>,
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
    /// CDRs completed by the relay worker that ended their session (it adds the last audio
    /// counters), waiting to join `cdrs`.
    finished_cdrs: std::sync::Arc<std::sync::Mutex<VecDeque<Cdr>>>,
    /// Every random identifier of the calls' legs (sans-IO: the legs read no RNG).
    ids: sip_leg::Ids,
    /// Wall-clock time (CDRs, lockout budgets, security events).
    wall: WallClock,
    /// H.323 rooms' connections and what the driver must do on them.
    h323: h323_room::H323State,
    /// The gatekeeper registration and the calls' admissions (`[h323.gatekeeper]`).
    gk: Option<gatekeeper::GkState>,
}

/// Where wall-clock time comes from. The call layer reads no clock of its own: in service the
/// system's, in scenarios the virtual clock's, so records and budgets move with it.
#[derive(Debug, Clone, Copy)]
pub enum WallClock {
    System,
    /// The wall-clock time `at` the instant `since`; later instants add their distance.
    Anchored {
        since: Instant,
        at: std::time::SystemTime,
    },
}

impl WallClock {
    pub fn at(self, now: Instant) -> std::time::SystemTime {
        match self {
            WallClock::System => std::time::SystemTime::now(),
            WallClock::Anchored { since, at } => at + now.saturating_duration_since(since),
        }
    }
}

/// The prompts at every codec rate calls use (8 kHz G.711, 16 kHz G.722, 48 kHz Opus).
pub fn prompts_at_rates(prompts: &Prompts) -> Vec<(u32, Arc<Prompts>)> {
    let mut rated = Vec::new();
    for rate in [8_000, 16_000, 48_000] {
        match crate::prompts::at_rate(prompts, rate) {
            Ok(p) => rated.push((rate, Arc::new(p))),
            Err(e) => tracing::error!(rate, error = %e, "prompts not available at this rate"),
        }
    }
    rated
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

impl Calls {
    pub fn new(
        settings: BridgeSettings,
        directory: Box<dyn Directory>,
        media: Arc<MediaPlane>,
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
            placing: HashMap::new(),
            directory,
            media,
            calls: HashMap::new(),
            in_setup: 0,
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
            finished_cdrs: std::sync::Arc::default(),
            ids: sip_leg::Ids::from_os(),
            wall: WallClock::System,
            h323: h323_room::H323State::new(h323_room::H323CallSettings::default()),
            gk: None,
        }
    }

    /// Identifiers from `ids` and wall-clock time from `wall` (scenarios and fuzzing: the
    /// same input gives the same messages).
    pub fn with_sources(mut self, ids: sip_leg::Ids, wall: WallClock) -> Self {
        self.ids = ids;
        self.wall = wall;
        self
    }

    /// Meetings with a password (and unknown meetings) get PIN entry with these budgets and
    /// prompts; without them such calls are refused (503), failing closed.
    pub fn with_pin(self, guard: Arc<Guard>, prompts: &Prompts) -> Self {
        self.with_pin_prompts(guard, prompts_at_rates(prompts))
    }

    /// [`Calls::with_pin`] with the prompts already made at each codec rate (made once per
    /// process and shared, e.g. by many gateways in one test run).
    pub fn with_pin_prompts(mut self, guard: Arc<Guard>, rated: Vec<(u32, Arc<Prompts>)>) -> Self {
        self.core = CallCore::new(CoreSettings {
            max_calls: self.settings.max_calls,
            setup_timeout: self.settings.setup_timeout,
            pin_timeouts: self.settings.pin_timeouts,
            pin_attempts_per_call: guard.per_call_attempts(),
        });
        self.guard = Some(guard);
        // The salt of unknown entered meeting IDs' keys: random, never shown.
        let salt = u64::from_str_radix(&self.ids.hex(8), 16).unwrap_or(0);
        self.core.set_id_salt(salt);
        for (rate, p) in rated {
            self.core.add_prompts(rate, p);
        }
        self
    }

    /// The next call detail record to store.
    pub fn poll_cdr(&mut self) -> Option<Cdr> {
        let finished = std::mem::take(&mut *report::lock(&self.finished_cdrs));
        for cdr in finished {
            self.queue_cdr(cdr);
        }
        self.cdrs.pop_front()
    }

    /// Queues a CDR for storing; past [`MAX_PENDING_CDRS`] the oldest is dropped (counted).
    fn queue_cdr(&mut self, cdr: Cdr) {
        if self.cdrs.len() >= MAX_PENDING_CDRS {
            self.cdrs.pop_front();
            self.local_stats.cdrs_dropped += 1;
        }
        self.cdrs.push_back(cdr);
    }

    pub fn len(&self) -> usize {
        self.calls.len()
    }

    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    /// Calls the gateway is still setting up: INVITEs the core is deciding on, and calls
    /// waiting for their upstream or for the room's ACK.
    pub fn calls_in_setup(&self) -> usize {
        debug_assert_eq!(
            self.in_setup,
            self.calls.values().filter(|c| c.phase.in_setup()).count(),
            "set-up count out of step with the calls' phases"
        );
        self.pending.len() + self.in_setup
    }

    /// Sends the relay jobs this pass of the SIP core's loop held (one wake per worker).
    pub fn release_media(&self) {
        self.media.release();
    }

    /// Relay sessions and free port pairs (resource gauges).
    pub fn relay_gauges(&self) -> (usize, usize) {
        self.media.gauges()
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
                state: c.phase.label(),
                room_suite: c
                    .room
                    .leg()
                    .streams
                    .audio_suite()
                    .map(|s| s.name().to_owned()),
                cloud_suite: c
                    .cloud
                    .leg
                    .streams
                    .audio_suite()
                    .map(|s| s.name().to_owned()),
                audio: report::audio_name(c),
            })
            .collect();
        v.sort_by_key(|c| c.id);
        v
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        let sip = self.timers.peek().map(|Reverse((at, _))| *at);
        sip.into_iter()
            .chain(self.core.poll_timeout())
            .chain(self.h323.poll_timeout())
            .chain(self.gk_poll_timeout())
            .min()
    }

    /// Puts the call's earliest deadline on the timer heap.
    fn schedule(&mut self, id: u64) {
        let Some(c) = self.calls.get(&id) else {
            return;
        };
        let next = c
            .room
            .deadlines()
            .into_iter()
            .chain(c.cloud.deadlines().into_iter().flatten())
            .chain(c.h323_up.as_ref().and_then(|u| u.poll_timeout()))
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

    /// A transaction ended; forget its index entry.
    pub fn on_terminated(&mut self, tx: TransactionId) {
        self.by_tx.remove(&tx);
        self.abandoned.remove(&tx);
    }

    pub fn handle_timeout(&mut self, layer: &mut TransactionLayer, now: Instant) {
        self.core.handle_timeout(core_glue::time(now, self.wall));
        self.h323_timeouts(now);
        self.gk_timeouts(now);
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

    /// Ends every call (shutdown).
    pub fn end_all(&mut self, layer: &mut TransactionLayer, now: Instant) {
        self.core.end_all(core_glue::time(now, self.wall));
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
        msg: &roomgate_sip::Message<'_>,
    ) -> bool {
        let ours = self.on_in_dialog_sip(layer, now, tx, request, msg);
        self.drive(layer, now);
        ours
    }

    /// A CANCEL for a room INVITE we have not answered yet.
    pub fn on_cancel(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        invite_tx: TransactionId,
    ) -> bool {
        if let Some(id) = self.placing_invite(invite_tx) {
            // Still being admitted: refused (487); its session is removed when it comes.
            tracing::info!(call = id, "room cancelled");
            self.core
                .end(core_glue::time(now, self.wall), id, EndCause::Cancelled);
            self.drive(layer, now);
            return true;
        }
        let Some(&(id, TxRole::RoomInvite)) = self.by_tx.get(&invite_tx) else {
            return false;
        };
        let cancelled = self.core.cancelled(core_glue::time(now, self.wall), id);
        self.drive(layer, now);
        cancelled
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
        self.on_media_dtmf_sip(layer, now, session, leg, event, digit, duration);
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

    /// One event of the relay core: inactivity, key presses, and keyframe requests and
    /// bitrate limits for an H.323 leg's video concern the calls, the rest (latching) nothing
    /// here. True when it moved a call. The one place
    /// relay events reach the calls, whichever plane the relay runs on.
    pub fn on_relay_event(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        event: roomgate_media::relay::Event,
    ) -> bool {
        use roomgate_media::relay::Event;
        match event {
            Event::Inactive(session) => self.on_media_inactive(layer, now, session),
            Event::DtmfDigit {
                session,
                leg,
                event,
                digit,
                duration,
            } => self.on_media_dtmf(layer, now, session, leg, event, digit, duration),
            Event::KeyframeNeeded {
                session,
                leg,
                stream,
            } => return self.on_keyframe_needed(now, session, leg, stream),
            Event::BitrateLimit {
                session,
                leg,
                stream,
                bitrate,
            } => return self.on_bitrate_limit(now, session, leg, stream, bitrate),
            _ => return false,
        }
        true
    }

    /// True when `srtp` policy makes offers over SAVP (for logs).
    pub fn room_policy_is_mandatory(&self) -> bool {
        self.settings.room_policy.srtp == SrtpPolicy::Mandatory
    }

    /// Ends `id` through the core (which names the cause; the teardown follows in `drive`).
    fn end(&mut self, now: Instant, id: u64, cause: EndCause) {
        self.core.end(core_glue::time(now, self.wall), id, cause);
    }

    /// Records why `id` ends (first reason wins).
    fn set_reason(&mut self, id: u64, reason: &str) {
        self.core.set_reason(id, reason);
    }
}
