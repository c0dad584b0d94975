//! [`CallCore`]: the call table and each call's way from admission to its record.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use super::cause::{EndCause, UpstreamFailure};
use super::dial;
use super::io::{
    CallId, CallRecord, Command, CoreSettings, CoreStats, Incoming, Meeting, Outcome, Phase,
    Request, Screening, Side, Time,
};
use super::pin::{DigitSource, HangUpReason, PinEntry, Prompts, Step};

/// Seconds a caller is told to wait when the gateway is full.
const RETRY_FULL: u32 = 10;
/// Seconds a caller is told to wait when a store is down.
const RETRY_STORE: u32 = 30;
/// The prompt rate used when none was loaded for the room's codec rate.
const FALLBACK_RATE: u32 = 8_000;
/// The meeting key of a PIN attempt for an entered meeting ID that is no ID at all (too
/// long): `#` is in no meeting ID [`dial::parse`] accepts, so it never shares a real
/// meeting's budget.
const UNPARSED_ID_KEY: &str = "#meeting-id";
/// Prefix of the meeting key of a PIN attempt for an entered ID that names no meeting; the
/// rest is a salted hash of the ID (see [`CallCore::set_id_salt`]).
pub const UNKNOWN_ID_KEY_PREFIX: &str = "#meeting-id:";
/// Keys (leg identities) one call may register: the room's and the upstream's, with room
/// for a retried upstream attempt. More are ignored.
pub const MAX_KEYS_PER_CALL: usize = 4;

/// A call as the admin side sees the core's part of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallInfo {
    pub id: CallId,
    pub meeting: String,
    pub phase: Phase,
    pub source: IpAddr,
    /// Unix seconds.
    pub started: u64,
}

struct CoreCall {
    id: CallId,
    keys: Vec<String>,
    source: IpAddr,
    dialled: Option<String>,
    meeting: String,
    dialled_pin: Option<String>,
    phase: Phase,
    lockout_healthy: bool,
    /// The meeting exists (an unknown one runs PIN entry that never succeeds).
    known: bool,
    pin_hash: Option<String>,
    pin: Option<PinEntry>,
    /// The call dialled no meeting: it is answered for meeting-ID entry.
    wants_id: bool,
    /// An entered meeting ID being looked up (never logged: it may be a guess).
    entered_id: Option<String>,
    /// The room was answered by us (PIN entry): it can no longer cancel.
    room_answered: bool,
    /// Counted in `max_calls` and in the stats (past admission checks).
    admitted: bool,
    setup_deadline: Option<Instant>,
    started: Time,
    connected_unix: Option<u64>,
    setup_ms: Option<u64>,
    reason: Option<String>,
}

/// The calls of one gateway, in no protocol's terms. See the [module docs](super).
pub struct CallCore {
    settings: CoreSettings,
    calls: HashMap<CallId, CoreCall>,
    by_key: HashMap<String, CallId>,
    /// Call deadlines, earliest first; entries may be stale (the deadline moved or the call
    /// ended), which costs one early wake-up and keeps each timer O(log n).
    timers: BinaryHeap<Reverse<(Instant, CallId)>>,
    requests: VecDeque<Request>,
    commands: VecDeque<Command>,
    prompts: HashMap<u32, Arc<Prompts>>,
    next_id: CallId,
    /// Calls past the admission checks (what `max_calls` counts).
    admitted: usize,
    /// Salt of the keys unknown entered IDs are counted under.
    id_salt: u64,
    stats: CoreStats,
}

impl CallCore {
    pub fn new(settings: CoreSettings) -> Self {
        CallCore {
            settings,
            calls: HashMap::new(),
            by_key: HashMap::new(),
            timers: BinaryHeap::new(),
            requests: VecDeque::new(),
            commands: VecDeque::new(),
            prompts: HashMap::new(),
            next_id: 1,
            admitted: 0,
            id_salt: 0,
            stats: CoreStats::default(),
        }
    }

    /// The secret salt (random, from the driver) of the keys under which unknown entered
    /// meeting IDs are counted. The lockout guard logs its meeting keys and a caller may type
    /// a PIN at the ID prompt, so the key is a salted hash, never the digits: distinct per ID
    /// (each has its own meeting budget, and none shares a real meeting's, by the `#`), the
    /// same for the same ID in this process, and not reversible from a log without the salt.
    pub fn set_id_salt(&mut self, salt: u64) {
        self.id_salt = salt;
    }

    fn unknown_id_key(&self, entered: &str) -> String {
        use std::hash::{Hash, Hasher};
        // SipHash with the salt mixed in first; only this process compares the keys.
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.id_salt.hash(&mut h);
        entered.hash(&mut h);
        format!("{UNKNOWN_ID_KEY_PREFIX}{:016x}", h.finish())
    }

    /// Prompts for room legs whose audio runs at `rate` Hz (made once, never resampled in a
    /// call). Without any, PIN calls end as soon as they are answered.
    pub fn add_prompts(&mut self, rate: u32, prompts: Arc<Prompts>) {
        self.prompts.insert(rate, prompts);
    }

    pub fn stats(&self) -> CoreStats {
        self.stats
    }

    /// Calls in the table, whatever their phase.
    pub fn len(&self) -> usize {
        self.calls.len()
    }

    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    pub fn phase(&self, call: CallId) -> Option<Phase> {
        self.calls.get(&call).map(|c| c.phase)
    }

    pub fn info(&self, call: CallId) -> Option<CallInfo> {
        self.calls.get(&call).map(|c| CallInfo {
            id: c.id,
            meeting: c.meeting.clone(),
            phase: c.phase,
            source: c.source,
            started: c.started.unix,
        })
    }

    /// Wrong PINs entered so far in `call`.
    pub fn pin_failures(&self, call: CallId) -> u32 {
        self.calls
            .get(&call)
            .and_then(|c| c.pin.as_ref())
            .map_or(0, PinEntry::wrong)
    }

    pub fn poll_request(&mut self) -> Option<Request> {
        self.requests.pop_front()
    }

    pub fn poll_command(&mut self) -> Option<Command> {
        self.commands.pop_front()
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.peek().map(|Reverse((at, _))| *at)
    }

    // ----- admission ---------------------------------------------------------------------

    /// A new call on a room leg. Its number comes back at once; what happens to it comes
    /// out as requests and commands.
    pub fn incoming(&mut self, now: Time, inc: Incoming) -> CallId {
        let id = self.next_id;
        self.next_id += 1;
        let source = inc.source;
        self.calls.insert(
            id,
            CoreCall {
                id,
                keys: vec![inc.key],
                source,
                dialled: inc.dialled,
                meeting: String::new(),
                dialled_pin: None,
                phase: Phase::Screening,
                lockout_healthy: false,
                known: false,
                pin_hash: None,
                pin: None,
                wants_id: false,
                entered_id: None,
                room_answered: false,
                admitted: false,
                setup_deadline: None,
                started: now,
                connected_unix: None,
                setup_ms: None,
                reason: None,
            },
        );
        self.requests
            .push_back(Request::Screen { call: id, source });
        id
    }

    /// The answer to [`Request::Screen`]. A blocked source learns nothing else: not whether
    /// the meeting exists, not whether the gateway is full.
    pub fn on_screened(&mut self, _now: Time, call: CallId, s: Screening) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        if c.phase != Phase::Screening {
            return;
        }
        if s.blocked {
            self.stats.refused_blocked += 1;
            self.refuse(call, EndCause::Forbidden);
            return;
        }
        if c.keys.iter().any(|k| self.by_key.contains_key(k)) {
            self.refuse(call, EndCause::Loop);
            return;
        }
        if self.admitted >= self.settings.max_calls {
            self.stats.refused_capacity += 1;
            self.refuse(
                call,
                EndCause::Unavailable {
                    retry_after: Some(RETRY_FULL),
                },
            );
            return;
        }
        if c.dialled.as_deref().is_none_or(str::is_empty) {
            // No meeting dialled: ask for its ID. Unknown IDs are PIN attempts, so the
            // lockout store must answer (fail closed, as for a PIN meeting).
            if !s.lockout_healthy {
                self.stats.lockout_unavailable += 1;
                tracing::error!(call, "lockout store unavailable: no meeting-ID entry");
                self.refuse(
                    call,
                    EndCause::Unavailable {
                        retry_after: Some(RETRY_STORE),
                    },
                );
                return;
            }
            c.wants_id = true;
            c.lockout_healthy = true;
            c.phase = Phase::Admitting;
            c.admitted = true;
            for k in &c.keys {
                self.by_key.insert(k.clone(), call);
            }
            self.admitted += 1;
            self.stats.meeting_id_prompted += 1;
            tracing::info!(call, "no meeting dialled: meeting-ID entry");
            self.commands.push_back(Command::Admit {
                call,
                meeting: String::new(),
                pin: true,
                dialled_pin: false,
            });
            return;
        }
        let Some(dialled) = c.dialled.as_deref().and_then(dial::parse) else {
            self.stats.refused_unknown += 1;
            self.refuse(call, EndCause::NotFound);
            return;
        };
        c.meeting = dialled.meeting.clone();
        c.dialled_pin = dialled.pin;
        c.lockout_healthy = s.lockout_healthy;
        c.phase = Phase::LookingUp;
        for k in &c.keys {
            self.by_key.insert(k.clone(), call);
        }
        self.requests.push_back(Request::Lookup {
            call,
            meeting: dialled.meeting,
        });
    }

    /// The answer to [`Request::Lookup`]: the meeting, `None` when it does not exist, or why
    /// the store could not say. An unknown meeting is admitted to PIN entry like one with a
    /// password, so dialling cannot tell which meetings exist. During meeting-ID entry it
    /// answers the lookup of the entered ID.
    pub fn on_lookup(&mut self, now: Time, call: CallId, found: Result<Option<Meeting>, String>) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        if c.phase == Phase::MeetingId {
            self.on_id_lookup(now, call, found);
            return;
        }
        if c.phase != Phase::LookingUp {
            return;
        }
        // Capacity again: a meeting-ID call admitted since this one was screened takes a slot
        // without a lookup.
        if self.admitted >= self.settings.max_calls {
            self.stats.refused_capacity += 1;
            self.refuse(
                call,
                EndCause::Unavailable {
                    retry_after: Some(RETRY_FULL),
                },
            );
            return;
        }
        let meeting = match found {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(call, error = %e, "meeting store unavailable");
                self.refuse(
                    call,
                    EndCause::Unavailable {
                        retry_after: Some(RETRY_STORE),
                    },
                );
                return;
            }
        };
        let needs_pin = meeting.as_ref().is_none_or(|m| m.pin_hash.is_some());
        if meeting.is_none() {
            tracing::info!(call, meeting = %c.meeting, "unknown meeting: PIN entry that cannot succeed");
        }
        if needs_pin && !c.lockout_healthy {
            self.stats.lockout_unavailable += 1;
            tracing::error!(
                call,
                meeting = %c.meeting,
                "lockout store unavailable: PIN checks fail closed"
            );
            self.refuse(
                call,
                EndCause::Unavailable {
                    retry_after: Some(RETRY_STORE),
                },
            );
            return;
        }
        c.known = meeting.is_some();
        c.pin_hash = meeting.and_then(|m| m.pin_hash);
        c.phase = Phase::Admitting;
        c.admitted = true;
        self.admitted += 1;
        self.commands.push_back(Command::Admit {
            call,
            meeting: c.meeting.clone(),
            pin: needs_pin,
            dialled_pin: c.dialled_pin.is_some(),
        });
    }

    /// The legs accepted the call (media acceptable, resources reserved).
    pub fn admitted(&mut self, now: Time, call: CallId) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        if c.phase != Phase::Admitting {
            return;
        }
        self.stats.started += 1;
        tracing::info!(call, meeting = %c.meeting, source = %c.source, "call started");
        let needs_pin = c.wants_id || !c.known || c.pin_hash.is_some();
        if needs_pin {
            c.phase = if c.wants_id {
                Phase::MeetingId
            } else {
                Phase::Pin
            };
            c.room_answered = true;
            self.commands.push_back(Command::AnswerForPin { call });
        } else {
            self.place(now, call);
        }
    }

    /// Registers another leg identity of `call` (e.g. the upstream leg's Call-ID), so a call
    /// that comes back in with it is refused as a loop.
    pub fn add_key(&mut self, call: CallId, key: String) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        if c.keys.len() >= MAX_KEYS_PER_CALL || self.by_key.contains_key(&key) {
            return;
        }
        c.keys.push(key.clone());
        self.by_key.insert(key, call);
    }

    /// Whether `key` is a leg identity of a live call: a new leg that names it (a loop token
    /// carried through a B2BUA that renewed the Call-ID) is that call coming back, and is
    /// handed in under it so the admission check above refuses it as a loop.
    pub fn has_key(&self, key: &str) -> bool {
        self.by_key.contains_key(key)
    }

    // ----- PIN entry ---------------------------------------------------------------------

    /// The room is answered for PIN entry and plays audio at `rate` Hz.
    pub fn pin_ready(&mut self, now: Time, call: CallId, rate: u32) {
        let prompts = self
            .prompts
            .get(&rate)
            .or_else(|| self.prompts.get(&FALLBACK_RATE))
            .cloned();
        let (per_call, timeouts) = (
            self.settings.pin_attempts_per_call,
            self.settings.pin_timeouts,
        );
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        if !matches!(c.phase, Phase::Pin | Phase::MeetingId) || c.pin.is_some() {
            return;
        }
        let Some(prompts) = prompts else {
            tracing::error!(call, "no prompts loaded: ending the call");
            self.end(now, call, EndCause::Normal);
            return;
        };
        let rate = if self.prompts.contains_key(&rate) {
            rate
        } else {
            FALLBACK_RATE
        };
        c.pin = Some(if c.phase == Phase::MeetingId {
            PinEntry::for_meeting_id(now.mono, prompts, rate, timeouts, per_call)
        } else {
            PinEntry::new(
                now.mono,
                prompts,
                rate,
                timeouts,
                per_call,
                c.dialled_pin.take(),
            )
        });
        tracing::info!(call, phase = c.phase.as_str(), "PIN entry started");
        self.pin_steps(now, call);
    }

    /// A key press from the room (RFC 4733 from the relay, SIP INFO, H.245
    /// UserInputIndication). True when PIN entry took it; otherwise the legs decide.
    pub fn digit(&mut self, now: Time, call: CallId, source: DigitSource, digit: char) -> bool {
        let Some(c) = self.calls.get_mut(&call) else {
            return false;
        };
        if !matches!(c.phase, Phase::Pin | Phase::MeetingId) {
            return false;
        }
        if let Some(p) = c.pin.as_mut() {
            p.on_digit(now.mono, source, digit);
        }
        self.pin_steps(now, call);
        true
    }

    /// The answer to [`Request::PinAttempt`].
    pub fn on_pin_outcome(&mut self, now: Time, call: CallId, outcome: Outcome) {
        match outcome {
            Outcome::Correct => self.stats.pin_correct += 1,
            Outcome::Wrong => self.stats.pin_wrong += 1,
            Outcome::Unavailable => {}
        }
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        if let Some(p) = c.pin.as_mut() {
            p.on_outcome(now.mono, outcome);
        }
        self.pin_steps(now, call);
    }

    fn pin_steps(&mut self, now: Time, call: CallId) {
        loop {
            let Some(c) = self.calls.get_mut(&call) else {
                return;
            };
            let Some(step) = c.pin.as_mut().and_then(PinEntry::poll_step) else {
                break;
            };
            match step {
                Step::Attempt(entry) if c.phase == Phase::MeetingId => {
                    // Only digits are collected, so a parse failure is an entry too long
                    // for any meeting ID.
                    match entry.as_ref().and_then(|s| dial::parse(s.expose())) {
                        Some(d) if d.pin.is_none() => {
                            c.entered_id = Some(d.meeting.clone());
                            self.requests.push_back(Request::Lookup {
                                call,
                                meeting: d.meeting,
                            });
                        }
                        _ => self.unknown_id(call, UNPARSED_ID_KEY.to_owned()),
                    }
                }
                Step::Attempt(pin) => {
                    self.stats.pin_attempts += 1;
                    self.requests.push_back(Request::PinAttempt {
                        call,
                        meeting: c.meeting.clone(),
                        source: c.source,
                        hash: c.pin_hash.clone(),
                        pin,
                    });
                }
                Step::Join => {
                    tracing::info!(call, "PIN accepted: joining the meeting");
                    self.place(now, call);
                }
                Step::HangUp(reason) => {
                    tracing::info!(call, reason = reason.as_str(), "PIN entry ended the call");
                    if reason == HangUpReason::Unavailable {
                        self.stats.lockout_unavailable += 1;
                    } else {
                        self.stats.refused_pin += 1;
                    }
                    self.set_reason(call, reason.as_str());
                    self.end(now, call, EndCause::Normal);
                    return;
                }
            }
        }
        self.schedule(call);
    }

    /// The lookup of an entered meeting ID answered.
    fn on_id_lookup(&mut self, now: Time, call: CallId, found: Result<Option<Meeting>, String>) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        let Some(entered) = c.entered_id.take() else {
            return;
        };
        match found {
            Err(e) => {
                tracing::warn!(call, error = %e, "meeting store unavailable during meeting-ID entry");
                if let Some(p) = c.pin.as_mut() {
                    p.store_unavailable(now.mono);
                }
            }
            Ok(None) => {
                let key = self.unknown_id_key(&entered);
                self.unknown_id(call, key);
            }
            Ok(Some(m)) => {
                let needs_pin = m.pin_hash.is_some();
                tracing::info!(call, meeting = %entered, pin = needs_pin, "meeting ID entered");
                c.meeting = entered;
                c.known = true;
                c.pin_hash = m.pin_hash;
                c.phase = Phase::Pin;
                if let Some(p) = c.pin.as_mut() {
                    p.meeting_found(now.mono, needs_pin);
                }
            }
        }
        self.pin_steps(now, call);
    }

    /// An entered meeting ID that names no meeting: one PIN attempt that cannot succeed,
    /// counted in the same budgets as a wrong PIN (the source's; a meeting budget of its own
    /// per ID, so a locked key never stops the source being counted), so the caller hears
    /// "not correct" after the same delay.
    fn unknown_id(&mut self, call: CallId, key: String) {
        let Some(c) = self.calls.get(&call) else {
            return;
        };
        self.stats.meeting_id_unknown += 1;
        self.stats.pin_attempts += 1;
        self.requests.push_back(Request::PinAttempt {
            call,
            meeting: key,
            source: c.source,
            hash: None,
            pin: None,
        });
    }

    // ----- the upstream leg --------------------------------------------------------------

    fn place(&mut self, now: Time, call: CallId) {
        let setup = self.settings.setup_timeout;
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        if !c.known {
            // Unreachable: an unknown meeting's PIN entry never succeeds.
            self.end(now, call, EndCause::NotFound);
            return;
        }
        c.phase = Phase::Placing;
        c.setup_deadline = Some(now.mono + setup);
        self.commands.push_back(Command::PlaceUpstream { call });
        self.schedule(call);
    }

    /// The upstream rings.
    pub fn upstream_ringing(&mut self, _now: Time, call: CallId) {
        if self.phase(call) == Some(Phase::Placing) {
            self.commands.push_back(Command::Ringing { call });
        }
    }

    /// The upstream answered: the legs are to be connected.
    pub fn upstream_answered(&mut self, _now: Time, call: CallId) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        if c.phase != Phase::Placing {
            return;
        }
        c.setup_deadline = None;
        self.commands.push_back(Command::Connect { call });
    }

    /// The legs are bridged (after [`Command::Connect`]). Returns the setup time in
    /// milliseconds (for the histogram).
    pub fn connected(&mut self, now: Time, call: CallId) -> Option<u64> {
        let c = self.calls.get_mut(&call)?;
        if c.phase != Phase::Placing {
            return None;
        }
        c.phase = Phase::Connected;
        c.setup_deadline = None;
        let ms = u64::try_from(
            now.mono
                .saturating_duration_since(c.started.mono)
                .as_millis(),
        )
        .unwrap_or(u64::MAX);
        c.setup_ms = Some(ms);
        c.connected_unix = Some(now.unix);
        self.stats.connected += 1;
        tracing::info!(call, "call connected");
        Some(ms)
    }

    /// The upstream leg failed before it was connected, or answered with something unusable.
    pub fn upstream_failed(&mut self, now: Time, call: CallId, failure: UpstreamFailure) {
        if !self.calls.contains_key(&call) {
            return;
        }
        self.stats.upstream_failed += 1;
        self.end(now, call, EndCause::Upstream(failure));
    }

    // ----- ending ------------------------------------------------------------------------

    /// The room gave up before it was answered. True when that ended the call (a room
    /// answered for PIN entry hangs up instead).
    pub fn cancelled(&mut self, now: Time, call: CallId) -> bool {
        let Some(c) = self.calls.get(&call) else {
            return false;
        };
        if c.phase != Phase::Placing || c.room_answered {
            return false;
        }
        tracing::info!(call, "room cancelled");
        self.set_reason(call, "room_cancel");
        self.end(now, call, EndCause::Cancelled);
        true
    }

    /// A leg hung up.
    pub fn leg_ended(&mut self, now: Time, call: CallId, side: Side) {
        if !self.calls.contains_key(&call) {
            return;
        }
        tracing::info!(call, by = ?side, "hung up");
        self.set_reason(
            call,
            match side {
                Side::Room => "room_bye",
                Side::Upstream => "cloud_bye",
            },
        );
        self.finish(now, call, EndCause::Normal, Some(side));
    }

    /// No media for the relay's inactivity timeout. Only a connected call ends for it (PIN
    /// entry has its own timers).
    pub fn media_inactive(&mut self, now: Time, call: CallId) {
        if self.phase(call) == Some(Phase::Connected) {
            tracing::info!(call, "no media: ending the call");
            self.set_reason(call, "no_media");
            self.end(now, call, EndCause::Normal);
        }
    }

    /// Records why `call` ends (CDR); the first reason given wins.
    pub fn set_reason(&mut self, call: CallId, reason: &str) {
        if let Some(c) = self.calls.get_mut(&call) {
            if c.reason.is_none() {
                c.reason = Some(reason.to_owned());
            }
        }
    }

    /// Ends `call` for `cause`. A call not yet admitted is refused instead (no record).
    pub fn end(&mut self, now: Time, call: CallId, cause: EndCause) {
        self.finish(now, call, cause, None);
    }

    /// Ends every call (shutdown).
    pub fn end_all(&mut self, now: Time) {
        let mut ids: Vec<CallId> = self.calls.keys().copied().collect();
        ids.sort_unstable();
        for id in ids {
            self.end(now, id, EndCause::Unavailable { retry_after: None });
        }
    }

    fn refuse(&mut self, call: CallId, cause: EndCause) {
        if let Some(c) = self.remove(call) {
            tracing::debug!(call = c.id, cause = cause.label(), "call refused");
        }
        self.commands.push_back(Command::Refuse { call, cause });
    }

    fn finish(&mut self, now: Time, call: CallId, cause: EndCause, hung_up_by: Option<Side>) {
        let Some(c) = self.calls.get(&call) else {
            return;
        };
        if matches!(
            c.phase,
            Phase::Screening | Phase::LookingUp | Phase::Admitting
        ) {
            self.refuse(call, cause);
            return;
        }
        let pin_failures = c.pin.as_ref().map_or(0, PinEntry::wrong);
        let Some(c) = self.remove(call) else {
            return;
        };
        self.stats.ended += 1;
        let record = CallRecord {
            call,
            meeting: c.meeting,
            source: c.source,
            started: c.started.unix,
            connected: c.connected_unix,
            ended: now.unix,
            setup_ms: c.setup_ms,
            reason: c.reason,
            pin_failures,
        };
        self.commands.push_back(Command::End {
            call,
            cause,
            hung_up_by,
            record,
        });
    }

    fn remove(&mut self, call: CallId) -> Option<CoreCall> {
        let c = self.calls.remove(&call)?;
        for k in &c.keys {
            if self.by_key.get(k) == Some(&call) {
                self.by_key.remove(k);
            }
        }
        if c.admitted {
            self.admitted = self.admitted.saturating_sub(1);
        }
        Some(c)
    }

    // ----- timers ------------------------------------------------------------------------

    fn schedule(&mut self, call: CallId) {
        let Some(c) = self.calls.get(&call) else {
            return;
        };
        let next = [
            c.setup_deadline,
            c.pin.as_ref().and_then(PinEntry::poll_timeout),
        ]
        .into_iter()
        .flatten()
        .min();
        if let Some(at) = next {
            self.timers.push(Reverse((at, call)));
        }
    }

    /// Fires what is due at `now`: prompt frames (as [`Command::Play`]), PIN timers, the
    /// upstream's setup time.
    pub fn handle_timeout(&mut self, now: Time) {
        let mut due: Vec<CallId> = Vec::new();
        while let Some(Reverse((at, id))) = self.timers.peek().copied() {
            if at > now.mono {
                break;
            }
            self.timers.pop();
            if !due.contains(&id) {
                due.push(id);
            }
        }
        for id in due {
            self.call_timers(now, id);
            self.schedule(id);
        }
    }

    fn call_timers(&mut self, now: Time, call: CallId) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        if matches!(c.phase, Phase::Pin | Phase::MeetingId) {
            if let Some(pin) = c.pin.as_mut() {
                let commands = &mut self.commands;
                pin.handle_timeout(now.mono, |frame| {
                    commands.push_back(Command::Play {
                        call,
                        frame: frame.to_vec(),
                    });
                });
            }
            self.pin_steps(now, call);
        }
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        if c.setup_deadline.is_some_and(|d| d <= now.mono) {
            c.setup_deadline = None;
            tracing::warn!(call, "upstream leg did not answer in time");
            self.upstream_failed(now, call, UpstreamFailure::Timeout);
        }
    }
}
