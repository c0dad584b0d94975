//! What goes into the call core and what comes out of it: the leg-neutral events, the
//! requests for slow or external work (answered with a result), and the commands for the legs.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use super::cause::EndCause;
use super::pin::{PinTimeouts, Secret};

/// A call's number in the core (also in logs, CDRs and the admin API).
pub type CallId = u64;

/// The time of an input: monotonic for timers, wall-clock for records. Both come from the
/// driver, so a test runs the core on a virtual clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Time {
    pub mono: Instant,
    /// Unix seconds.
    pub unix: u64,
}

impl Time {
    /// `d` later on both clocks.
    pub fn after(self, d: Duration) -> Time {
        Time {
            mono: self.mono + d,
            unix: self.unix + d.as_secs(),
        }
    }
}

/// One side of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// The room system or PBX that called in.
    Room,
    /// The meeting's upstream (cloud meeting or the echo service).
    Upstream,
}

/// A new call arriving on a room leg.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    /// The leg's own identity (a SIP Call-ID, an H.323 callIdentifier): a second call with
    /// the key of a live one is a loop or a merged request.
    pub key: String,
    pub source: IpAddr,
    /// What the caller dialled (the user part of a SIP Request-URI, an H.323 alias), if any.
    /// `None` (or empty): the call carries no meeting, and the caller is asked for its ID.
    pub dialled: Option<String>,
}

/// The answer to [`Request::Screen`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Screening {
    /// The source is blocked by the wrong-PIN budgets.
    pub blocked: bool,
    /// The lockout store answers: PIN checks are possible.
    pub lockout_healthy: bool,
}

/// A meeting as the core needs it (the upstream and its media policy stay with the legs).
#[derive(Clone, PartialEq, Eq)]
pub struct Meeting {
    /// The password as an argon2id PHC string; `None`: an open meeting.
    pub pin_hash: Option<String>,
}

impl std::fmt::Debug for Meeting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Meeting")
            .field("pin", &self.pin_hash.is_some())
            .finish()
    }
}

/// The result of one PIN attempt, as the caller experiences it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Correct,
    /// Wrong PIN, or refused by a budget (locked meeting, blocked source): the caller hears
    /// the same either way.
    Wrong,
    /// The lockout store could not be reached: fail closed.
    Unavailable,
}

/// Slow or external work the driver performs and reports back.
#[derive(Debug, PartialEq, Eq)]
pub enum Request {
    /// Is the source blocked, and can PINs be checked? Answer with
    /// [`CallCore::on_screened`](super::CallCore::on_screened).
    Screen { call: CallId, source: IpAddr },
    /// Look the meeting up (SQLite, Redis). Answer with
    /// [`CallCore::on_lookup`](super::CallCore::on_lookup).
    Lookup { call: CallId, meeting: String },
    /// One PIN attempt: reserve in the budgets, verify, settle. `hash: None` (unknown
    /// meeting) and `pin: None` (an entry that cannot be right) still cost one verification,
    /// so no answer comes sooner. An entered meeting ID that names no meeting is one of these
    /// too (`hash: None`, `pin: None`), so guessing IDs spends the same per-source budget as
    /// guessing PINs. Answer with
    /// [`CallCore::on_pin_outcome`](super::CallCore::on_pin_outcome).
    PinAttempt {
        call: CallId,
        meeting: String,
        source: IpAddr,
        hash: Option<String>,
        pin: Option<Secret>,
    },
}

/// What a leg adapter must do.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    /// The call is refused before anything was answered; the core has forgotten it.
    Refuse { call: CallId, cause: EndCause },
    /// The meeting may be joined: check the room's media and reserve relay resources, then
    /// report [`CallCore::admitted`](super::CallCore::admitted) or
    /// [`CallCore::end`](super::CallCore::end).
    Admit {
        call: CallId,
        meeting: String,
        /// A PIN must be entered first (a meeting with a password, an unknown meeting).
        pin: bool,
        /// A PIN from the dial string, tried first (never logged).
        dialled_pin: bool,
    },
    /// Answer the room ourselves for PIN entry; report
    /// [`CallCore::pin_ready`](super::CallCore::pin_ready) with the rate prompts play at.
    AnswerForPin { call: CallId },
    /// One 20 ms prompt frame for the room leg, PCM at the rate given to `pin_ready`.
    Play { call: CallId, frame: Vec<i16> },
    /// Place the upstream leg now.
    PlaceUpstream { call: CallId },
    /// The upstream rings: let the room know.
    Ringing { call: CallId },
    /// The upstream answered: answer the room (or bridge the legs if the room was answered
    /// for PIN entry) and report [`CallCore::connected`](super::CallCore::connected).
    Connect { call: CallId },
    /// End the call on every leg except `hung_up_by`; the core has forgotten it.
    End {
        call: CallId,
        cause: EndCause,
        hung_up_by: Option<Side>,
        record: CallRecord,
    },
}

/// The core's part of a call detail record (the legs add their media and QoS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    pub call: CallId,
    pub meeting: String,
    pub source: IpAddr,
    /// Unix seconds.
    pub started: u64,
    /// When the legs were bridged, if they were.
    pub connected: Option<u64>,
    pub ended: u64,
    /// Milliseconds from the room's call to the bridge, when bridged.
    pub setup_ms: Option<u64>,
    /// Why the call ended, e.g. `room_bye`, `pin_failed`, `no_media`; `None` when nobody said
    /// (the leg adapter names it from the cause).
    pub reason: Option<String>,
    /// Wrong PINs entered in this call.
    pub pin_failures: u32,
}

/// Where a call stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Waiting for [`Request::Screen`].
    Screening,
    /// Waiting for [`Request::Lookup`].
    LookingUp,
    /// The call dialled no meeting: the room is answered by us and enters a meeting ID (the
    /// lookup of an entered ID happens in this phase too).
    MeetingId,
    /// Waiting for the legs to accept the call ([`Command::Admit`]).
    Admitting,
    /// PIN entry: the room is answered by us; no upstream leg.
    Pin,
    /// The upstream leg is being placed.
    Placing,
    /// The legs are bridged.
    Connected,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Screening => "screening",
            Phase::LookingUp => "lookup",
            Phase::MeetingId => "meeting_id",
            Phase::Admitting => "admitting",
            Phase::Pin => "pin",
            Phase::Placing => "placing",
            Phase::Connected => "connected",
        }
    }
}

/// Settings of the core.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CoreSettings {
    /// Calls at once; above it new calls are refused (`Unavailable`, retry after 10 s).
    pub max_calls: usize,
    /// How long the upstream may take to answer once placed.
    pub setup_timeout: Duration,
    pub pin_timeouts: PinTimeouts,
    /// Wrong PINs one call may enter before it is disconnected.
    pub pin_attempts_per_call: u32,
}

/// Counters of the core (metrics and tests).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CoreStats {
    pub started: u64,
    pub connected: u64,
    pub ended: u64,
    pub refused_unknown: u64,
    /// Calls that dialled no meeting and were asked for its ID.
    pub meeting_id_prompted: u64,
    /// Entered meeting IDs that named no meeting (each cost one attempt in the budgets).
    pub meeting_id_unknown: u64,
    pub refused_capacity: u64,
    pub refused_blocked: u64,
    /// PIN meetings refused or PIN calls ended because the lockout store is down.
    pub lockout_unavailable: u64,
    /// Calls ended by PIN entry (wrong PINs, timeout, flood).
    pub refused_pin: u64,
    pub pin_attempts: u64,
    pub pin_correct: u64,
    pub pin_wrong: u64,
    pub upstream_failed: u64,
}
