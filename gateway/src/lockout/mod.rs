//! Wrong-PIN lockout: the three budgets that stop callers from brute-forcing meeting PINs.
//!
//! - **Per call** ([`CallAttempts`]): a few wrong PINs, then the call is disconnected, so one
//!   call cannot try PINs forever. The caller owns this count; it needs no shared state.
//! - **Per meeting**: more than `meeting_failures` wrong PINs within `meeting_window_s` lock
//!   the meeting for `meeting_lock_s`, whoever tries: a distributed attack (many sources) on
//!   one PIN is stopped here.
//! - **Per source**: `source_failures` wrong PINs within `source_window_s` block the source
//!   for `source_block_s`, across meetings: one attacker sweeping many meetings is stopped here.
//!   IPv6 sources are grouped by /64 (one subscriber gets a whole /64, so per-address counting
//!   would be free to evade); trusted trunks are exempt, since they carry many callers.
//!
//! [`Budgets`] is a sans-IO core: no clock (every call takes `now` in unix seconds, so records
//! written before a restart mean the same after it), no I/O. It hands out two queues: security
//! events ([`Budgets::poll_event`], one JSON line each, for logs and fail2ban) and durable
//! writes ([`Budgets::poll_write`], applied by the driver to a [`LockoutStore`]).
//!
//! An attempt is *reserved* before the PIN is verified ([`Budgets::reserve`]), because PIN
//! verification (argon2id) takes time: without the reservation, many concurrent calls could
//! all pass the check before the first failure is recorded and together exceed the budget.

mod guard;
pub mod redis;
mod store;

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

pub use guard::{Guard, GuardError, LocalGuard, SecurityCounts, SecuritySink, Ticket};
pub use redis::RedisGuard;
pub use store::{LockoutStore, LockoutStoreError, SqliteLockoutStore, LOCKOUT_DB_FILE_NAME};

/// At most this many meetings, and this many sources, are tracked at once. Every wrong PIN
/// from a new IPv6 /64 or for a new meeting ID adds a key, so an attacker could otherwise grow
/// the maps without bound; at the limit the key whose records expire first is evicted.
pub const MAX_TRACKED_KEYS: usize = 100_000;

/// A reservation not settled within this long no longer holds budget. PIN verification takes
/// well under a second; this only stops a lost reservation (a bug in the driver) from holding
/// a meeting's budget forever.
pub const RESERVATION_TIMEOUT_S: u64 = 60;

/// The `[lockout]` configuration section.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LockoutConfig {
    /// Wrong PINs allowed in one call before it is disconnected: a caller who mistypes gets a
    /// second and third chance, a script has to redial (and meets the other budgets).
    pub per_call_attempts: u32,
    /// Wrong PINs for one meeting, from anyone, that are tolerated within the window; one more
    /// locks the meeting. High enough that a room full of people mistyping does not lock it,
    /// low enough that a 4-digit PIN takes days of locks to guess.
    pub meeting_failures: u32,
    /// The meeting's sliding window (seconds).
    pub meeting_window_s: u64,
    /// How long a meeting stays locked (seconds). Longer than the window, so an attacker gets
    /// at most one window's budget per lock period.
    pub meeting_lock_s: u64,
    /// Wrong PINs from one source (IPv4 address or IPv6 /64), across all meetings, within the
    /// window that block the source. One person never needs this many.
    pub source_failures: u32,
    /// The source's sliding window (seconds).
    pub source_window_s: u64,
    /// How long a source stays blocked (seconds).
    pub source_block_s: u64,
    /// Trunks (PBXs, SBCs) that carry many callers from one address: exempt from the
    /// per-source budget, which would otherwise let one caller's typos block everyone behind
    /// the trunk. The per-call and per-meeting budgets still apply.
    pub trusted_sources: Vec<IpAddr>,
}

impl Default for LockoutConfig {
    fn default() -> Self {
        LockoutConfig {
            per_call_attempts: 3,
            meeting_failures: 20,
            meeting_window_s: 600,
            meeting_lock_s: 900,
            source_failures: 10,
            source_window_s: 600,
            source_block_s: 1800,
            trusted_sources: Vec::new(),
        }
    }
}

impl LockoutConfig {
    /// Rejects values that would make a budget meaningless: a zero window never counts
    /// anything, and zero source failures would block every source on sight.
    pub fn check(&self) -> Result<(), &'static str> {
        if self.per_call_attempts == 0 || self.source_failures == 0 {
            return Err("lockout.per_call_attempts and lockout.source_failures must be > 0");
        }
        if self.meeting_window_s == 0 || self.source_window_s == 0 {
            return Err("lockout.meeting_window_s and lockout.source_window_s must be > 0");
        }
        if self.meeting_lock_s == 0 || self.source_block_s == 0 {
            return Err("lockout.meeting_lock_s and lockout.source_block_s must be > 0");
        }
        Ok(())
    }

    /// Whether `ip` is a trusted trunk (an IPv4-mapped address counts as its IPv4 address).
    pub fn is_trusted(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.trusted_sources.iter().any(|t| t.to_canonical() == ip)
    }
}

/// Seconds since the Unix epoch; a clock before 1970 reads as 0.
pub fn unix_seconds(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The key a source is counted under: an IPv4 address as it is; an IPv6 address by its /64
/// (`2001:db8:1:2::/64`), since that is what one subscriber gets; an IPv4-mapped IPv6
/// address (a dual-stack socket) as the IPv4 address it is.
pub fn source_key(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            format!("{}/64", std::net::Ipv6Addr::from(bits))
        }
    }
}

/// What a lockout applies to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "key", rename_all = "snake_case")]
pub enum Subject {
    /// A meeting ID.
    Meeting(String),
    /// A [`source_key`].
    Source(String),
}

impl Subject {
    /// `meeting` or `source`, as stored.
    pub fn kind(&self) -> &'static str {
        match self {
            Subject::Meeting(_) => "meeting",
            Subject::Source(_) => "source",
        }
    }

    /// The meeting ID or source key.
    pub fn key(&self) -> &str {
        match self {
            Subject::Meeting(k) | Subject::Source(k) => k,
        }
    }
}

/// Whether a PIN attempt may go ahead.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verdict {
    Allowed,
    /// The meeting takes no PINs until `until` (unix seconds).
    MeetingLocked {
        until: u64,
    },
    /// The caller's source is blocked until `until` (unix seconds).
    SourceBlocked {
        until: u64,
    },
    /// The budget left is held by attempts still being verified; refuse this one as if locked.
    /// Only an attack runs this many attempts at once.
    InFlight,
}

/// An attempt recorded before its PIN is verified; give it back to [`Budgets::settle`].
#[derive(Debug)]
#[must_use = "settle the reservation with the PIN's outcome"]
pub struct Reservation {
    meeting: String,
    ip: IpAddr,
    /// `None` for a trusted source, which has no source budget.
    source: Option<String>,
    at: u64,
}

/// Something a security log (and fail2ban) should see. Never carries a PIN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum SecurityEvent {
    /// A PIN attempt refused before verification: the meeting is locked, the source blocked,
    /// or the budget is held by attempts in flight. The caller heard "not correct".
    PinRefused {
        time: u64,
        meeting: String,
        source: IpAddr,
        reason: &'static str,
    },
    /// A wrong PIN; `attempt` is the meeting's failure count in its window, this one included.
    PinFailure {
        time: u64,
        meeting: String,
        source: IpAddr,
        attempt: u32,
    },
    MeetingLocked {
        time: u64,
        meeting: String,
        until: u64,
    },
    /// `source` is the address whose failure tipped the budget (what fail2ban bans); `key`
    /// is the blocked source key (its /64 for IPv6).
    SourceBlocked {
        time: u64,
        source: IpAddr,
        key: String,
        until: u64,
    },
    /// An SDP offer or answer whose SRTP crypto we could not apply (an attempted or
    /// accidental downgrade): `reason` is the first unusable line's, `outcome` what we did
    /// (`other_line`: another offered line was used; `plain`: answered plain RTP as the
    /// policy and offer allow; `refused`: the call, re-offer or leg was refused). Not a
    /// fail2ban trigger. Never carries a key.
    SrtpRefused {
        time: u64,
        meeting: String,
        source: IpAddr,
        leg: &'static str,
        reason: &'static str,
        outcome: &'static str,
    },
    /// A room's SSH host key was not the pinned one (`reason`: `changed`), or was presented
    /// to an `endpoint add` with no fingerprint to pin (`unknown`); the connection was
    /// refused before authentication. `who` asked for the operation. Not a fail2ban trigger.
    EndpointHostKeyRefused {
        time: u64,
        endpoint: String,
        address: String,
        who: String,
        reason: &'static str,
        expected: Option<String>,
        presented: String,
    },
    /// An operation on a room over SSH (`crate::endpoint`), whatever its outcome (`ok`, or
    /// why not: `invalid_input`, `timeout`, `auth_refused`, `refused_by_room`, ...): the
    /// audit trail of who made which room do what. `dialled` is the dial string of a dial
    /// (only ever a checked one). Never carries a passphrase or key.
    EndpointOperation {
        time: u64,
        endpoint: String,
        operation: &'static str,
        who: String,
        outcome: &'static str,
        dialled: Option<String>,
    },
}

impl SecurityEvent {
    /// The event as one JSON line (no newline), the format `fail2ban/roomgate.conf` matches.
    pub fn to_json_line(&self) -> String {
        // Serializing plain strings and integers cannot fail; the fallback is never used.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// A write the driver applies to the [`LockoutStore`], in order, so the budgets survive a
/// restart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreOp {
    /// A wrong PIN at `at`; keep at most `keep` failures for the subject.
    Failure {
        subject: Subject,
        at: u64,
        keep: usize,
    },
    /// The subject is locked until `until`; its failures are forgotten.
    Lock { subject: Subject, until: u64 },
    /// Everything about the subject is forgotten.
    Clear { subject: Subject },
}

impl StoreOp {
    /// Applies this write to `store`.
    pub fn apply<S: LockoutStore + ?Sized>(&self, store: &S) -> Result<(), LockoutStoreError> {
        match self {
            StoreOp::Failure { subject, at, keep } => store.record_failure(subject, *at, *keep),
            StoreOp::Lock { subject, until } => store.record_lock(subject, *until),
            StoreOp::Clear { subject } => store.clear(subject).map(|_| ()),
        }
    }
}

/// A durable record, as [`LockoutStore::load`] returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    Failure { subject: Subject, at: u64 },
    Lock { subject: Subject, until: u64 },
}

/// An active meeting lock or source block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lockout {
    #[serde(flatten)]
    pub subject: Subject,
    /// Unix seconds.
    pub until: u64,
}

/// The per-call budget: the call's own count of wrong PINs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallAttempts {
    wrong: u32,
    limit: u32,
}

impl CallAttempts {
    pub fn new(config: &LockoutConfig) -> Self {
        CallAttempts {
            wrong: 0,
            limit: config.per_call_attempts,
        }
    }

    /// Counts a wrong PIN; true when the call has used its attempts and must be disconnected.
    pub fn wrong_pin(&mut self) -> bool {
        self.wrong = self.wrong.saturating_add(1);
        self.exhausted()
    }

    /// Whether the call has no attempts left.
    pub fn exhausted(&self) -> bool {
        self.wrong >= self.limit
    }
}

/// One meeting's or source's records.
#[derive(Debug, Default)]
struct Track {
    /// Failure times, oldest first; at most the budget plus one.
    failures: VecDeque<u64>,
    /// Reservation times of attempts being verified.
    pending: VecDeque<u64>,
    locked_until: Option<u64>,
}

impl Track {
    /// Drops what no longer matters at `now`.
    fn expire(&mut self, now: u64, window: u64) {
        while self
            .failures
            .front()
            .is_some_and(|&at| at.saturating_add(window) <= now)
        {
            self.failures.pop_front();
        }
        while self
            .pending
            .front()
            .is_some_and(|&at| at.saturating_add(RESERVATION_TIMEOUT_S) <= now)
        {
            self.pending.pop_front();
        }
        if self.locked_until.is_some_and(|until| until <= now) {
            self.locked_until = None;
        }
    }

    fn locked(&self, now: u64) -> Option<u64> {
        self.locked_until.filter(|&until| until > now)
    }

    /// Failures and pending attempts together.
    fn used(&self) -> usize {
        self.failures.len().saturating_add(self.pending.len())
    }

    fn push_failure(&mut self, at: u64, keep: usize) {
        self.failures.push_back(at);
        while self.failures.len() > keep {
            self.failures.pop_front();
        }
    }

    fn release(&mut self, at: u64) {
        if let Some(i) = self.pending.iter().position(|&p| p == at) {
            self.pending.remove(i);
        }
    }

    /// When this track stops mattering (for eviction): its lock's end or its newest
    /// failure's or reservation's end, whichever is last.
    fn expiry(&self, window: u64) -> u64 {
        let f = self
            .failures
            .back()
            .map_or(0, |&at| at.saturating_add(window));
        let p = self
            .pending
            .back()
            .map_or(0, |&at| at.saturating_add(RESERVATION_TIMEOUT_S));
        f.max(p).max(self.locked_until.unwrap_or(0))
    }
}

/// One budget's map of keys, bounded by [`MAX_TRACKED_KEYS`].
#[derive(Debug, Default)]
struct Tracks {
    map: HashMap<String, Track>,
}

impl Tracks {
    /// The track for `key`, expired to `now`, if there is one.
    fn get(&mut self, key: &str, now: u64, window: u64) -> Option<&mut Track> {
        let track = self.map.get_mut(key)?;
        track.expire(now, window);
        Some(track)
    }

    /// The track for `key`, created if needed; at the limit, expired keys are swept and then,
    /// if still full, the key that expires first is evicted (O(n), only under key flooding).
    fn entry(&mut self, key: &str, now: u64, window: u64) -> &mut Track {
        if !self.map.contains_key(key) && self.map.len() >= MAX_TRACKED_KEYS {
            self.map.retain(|_, t| t.expiry(window) > now);
            if self.map.len() >= MAX_TRACKED_KEYS {
                let oldest = self
                    .map
                    .iter()
                    .min_by_key(|(_, t)| t.expiry(window))
                    .map(|(k, _)| k.clone());
                if let Some(k) = oldest {
                    self.map.remove(&k);
                }
            }
        }
        let track = self.map.entry(key.to_owned()).or_default();
        track.expire(now, window);
        track
    }

    fn locks(&self, now: u64) -> impl Iterator<Item = (&String, u64)> {
        self.map
            .iter()
            .filter_map(move |(k, t)| t.locked(now).map(|until| (k, until)))
    }
}

/// The meeting and source budgets. One owner, `&mut self`; see the module docs.
#[derive(Debug)]
pub struct Budgets {
    config: LockoutConfig,
    meetings: Tracks,
    sources: Tracks,
    events: VecDeque<SecurityEvent>,
    writes: VecDeque<StoreOp>,
}

impl Budgets {
    pub fn new(config: LockoutConfig) -> Self {
        Budgets {
            config,
            meetings: Tracks::default(),
            sources: Tracks::default(),
            events: VecDeque::new(),
            writes: VecDeque::new(),
        }
    }

    /// Budgets rebuilt from stored records (after a restart); records already expired at
    /// `now` are skipped. Restoring writes nothing back.
    pub fn restore(config: LockoutConfig, records: Vec<Record>, now: u64) -> Self {
        let mut b = Budgets::new(config);
        for record in records {
            match record {
                Record::Failure { subject, at } => {
                    let (tracks, window, keep) = b.budget(&subject);
                    if at.saturating_add(window) > now {
                        tracks
                            .entry(subject.key(), now, window)
                            .push_failure(at, keep);
                    }
                }
                Record::Lock { subject, until } if until > now => {
                    let (tracks, window, _) = b.budget(&subject);
                    let track = tracks.entry(subject.key(), now, window);
                    track.locked_until = Some(track.locked_until.unwrap_or(0).max(until));
                }
                Record::Lock { .. } => {}
            }
        }
        b
    }

    /// Budgets rebuilt from `store` at `now`: what `serve` does at start.
    pub fn load<S: LockoutStore + ?Sized>(
        config: LockoutConfig,
        store: &S,
        now: u64,
    ) -> Result<Self, LockoutStoreError> {
        let window = config.meeting_window_s.max(config.source_window_s);
        let records = store.load(now, window)?;
        Ok(Budgets::restore(config, records, now))
    }

    /// Applies every pending write to `store`, oldest first; on error the failed write and
    /// those after it stay queued for the next flush.
    pub fn flush<S: LockoutStore + ?Sized>(&mut self, store: &S) -> Result<(), LockoutStoreError> {
        while let Some(op) = self.writes.front() {
            op.apply(store)?;
            self.writes.pop_front();
        }
        Ok(())
    }

    pub fn config(&self) -> &LockoutConfig {
        &self.config
    }

    /// The map, window and kept-failure bound for a subject's budget.
    fn budget(&mut self, subject: &Subject) -> (&mut Tracks, u64, usize) {
        match subject {
            Subject::Meeting(_) => (
                &mut self.meetings,
                self.config.meeting_window_s,
                keep(self.config.meeting_failures),
            ),
            Subject::Source(_) => (
                &mut self.sources,
                self.config.source_window_s,
                keep(self.config.source_failures),
            ),
        }
    }

    /// The source key `ip` is counted under, or `None` for a trusted trunk.
    fn budgeted_source(&self, ip: IpAddr) -> Option<String> {
        (!self.config.is_trusted(ip)).then(|| source_key(ip))
    }

    /// Whether a PIN attempt for `meeting` from `source` may go ahead now. The source block is
    /// checked first (it says more about the caller); trusted sources are never blocked.
    pub fn check(&mut self, now: u64, meeting: &str, source: IpAddr) -> Verdict {
        if let Some(key) = self.budgeted_source(source) {
            let window = self.config.source_window_s;
            if let Some(until) = self
                .sources
                .get(&key, now, window)
                .and_then(|t| t.locked(now))
            {
                return Verdict::SourceBlocked { until };
            }
        }
        let window = self.config.meeting_window_s;
        if let Some(until) = self
            .meetings
            .get(meeting, now, window)
            .and_then(|t| t.locked(now))
        {
            return Verdict::MeetingLocked { until };
        }
        Verdict::Allowed
    }

    /// Checks and records an attempt before its PIN is verified. The attempt holds budget
    /// until settled, so concurrent attempts never exceed what the budgets allow: a meeting
    /// has at most `meeting_failures + 1` attempts failed or in flight per window, a source
    /// at most `source_failures`.
    pub fn reserve(
        &mut self,
        now: u64,
        meeting: &str,
        source: IpAddr,
    ) -> Result<Reservation, Verdict> {
        match self.check(now, meeting, source) {
            Verdict::Allowed => {}
            refused => return Err(refused),
        }
        let source_key = self.budgeted_source(source);
        let meeting_cap = keep(self.config.meeting_failures);
        let source_cap = usize::try_from(self.config.source_failures).unwrap_or(usize::MAX);
        let (mw, sw) = (self.config.meeting_window_s, self.config.source_window_s);
        let meeting_full = self
            .meetings
            .get(meeting, now, mw)
            .is_some_and(|t| t.used() >= meeting_cap);
        let source_full = source_key.as_deref().is_some_and(|k| {
            self.sources
                .get(k, now, sw)
                .is_some_and(|t| t.used() >= source_cap)
        });
        if meeting_full || source_full {
            return Err(Verdict::InFlight);
        }
        self.meetings.entry(meeting, now, mw).pending.push_back(now);
        if let Some(k) = &source_key {
            self.sources.entry(k, now, sw).pending.push_back(now);
        }
        Ok(Reservation {
            meeting: meeting.to_owned(),
            ip: source,
            source: source_key,
            at: now,
        })
    }

    /// Settles a reservation: a correct PIN gives the attempt back (it is not a failure); a
    /// wrong one records the failure and may lock the meeting or block the source. `now` is
    /// when the verification finished.
    pub fn settle(&mut self, now: u64, reservation: Reservation, ok: bool) {
        let Reservation {
            meeting,
            ip,
            source,
            at,
        } = reservation;
        let (mw, sw) = (self.config.meeting_window_s, self.config.source_window_s);
        self.meetings.entry(&meeting, now, mw).release(at);
        if let Some(k) = &source {
            self.sources.entry(k, now, sw).release(at);
        }
        if ok {
            return;
        }
        self.fail_meeting(now, &meeting, ip);
        if let Some(key) = source {
            self.fail_source(now, key, ip);
        }
    }

    fn fail_meeting(&mut self, now: u64, meeting: &str, ip: IpAddr) {
        let window = self.config.meeting_window_s;
        let cap = keep(self.config.meeting_failures);
        let track = self.meetings.entry(meeting, now, window);
        track.push_failure(now, cap);
        let count = track.failures.len();
        let subject = Subject::Meeting(meeting.to_owned());
        tracing::info!(meeting, source = %ip, attempt = count, "lockout: wrong PIN");
        self.events.push_back(SecurityEvent::PinFailure {
            time: now,
            meeting: meeting.to_owned(),
            source: ip,
            attempt: u32::try_from(count).unwrap_or(u32::MAX),
        });
        if count >= cap {
            let until = now.saturating_add(self.config.meeting_lock_s);
            track.failures.clear();
            track.locked_until = Some(until);
            tracing::warn!(meeting, until, "lockout: meeting locked");
            self.events.push_back(SecurityEvent::MeetingLocked {
                time: now,
                meeting: meeting.to_owned(),
                until,
            });
            self.writes.push_back(StoreOp::Lock { subject, until });
        } else {
            self.writes.push_back(StoreOp::Failure {
                subject,
                at: now,
                keep: cap,
            });
        }
    }

    fn fail_source(&mut self, now: u64, key: String, ip: IpAddr) {
        let window = self.config.source_window_s;
        let limit = usize::try_from(self.config.source_failures).unwrap_or(usize::MAX);
        let cap = keep(self.config.source_failures);
        let track = self.sources.entry(&key, now, window);
        track.push_failure(now, cap);
        if track.failures.len() >= limit {
            let until = now.saturating_add(self.config.source_block_s);
            track.failures.clear();
            track.locked_until = Some(until);
            tracing::warn!(source = %key, until, "lockout: source blocked");
            self.events.push_back(SecurityEvent::SourceBlocked {
                time: now,
                source: ip,
                key: key.clone(),
                until,
            });
            self.writes.push_back(StoreOp::Lock {
                subject: Subject::Source(key),
                until,
            });
        } else {
            self.writes.push_back(StoreOp::Failure {
                subject: Subject::Source(key),
                at: now,
                keep: cap,
            });
        }
    }

    /// The next security event, oldest first.
    pub fn poll_event(&mut self) -> Option<SecurityEvent> {
        self.events.pop_front()
    }

    /// The next write for the [`LockoutStore`], oldest first.
    pub fn poll_write(&mut self) -> Option<StoreOp> {
        self.writes.pop_front()
    }

    /// Active meeting locks and source blocks, meetings first, each ordered by key.
    pub fn list(&self, now: u64) -> Vec<Lockout> {
        let mut meetings: Vec<Lockout> = self
            .meetings
            .locks(now)
            .map(|(k, until)| Lockout {
                subject: Subject::Meeting(k.clone()),
                until,
            })
            .collect();
        let mut sources: Vec<Lockout> = self
            .sources
            .locks(now)
            .map(|(k, until)| Lockout {
                subject: Subject::Source(k.clone()),
                until,
            })
            .collect();
        meetings.sort_by(|a, b| a.subject.cmp(&b.subject));
        sources.sort_by(|a, b| a.subject.cmp(&b.subject));
        meetings.extend(sources);
        meetings
    }

    /// Unlocks a meeting and forgets its failures (an operator's decision); true when there
    /// was anything to forget.
    pub fn clear_meeting(&mut self, id: &str) -> bool {
        let had = self.meetings.map.remove(id).is_some();
        tracing::info!(meeting = id, "lockout: meeting cleared");
        self.writes.push_back(StoreOp::Clear {
            subject: Subject::Meeting(id.to_owned()),
        });
        had
    }

    /// Unblocks a source key (see [`source_key`]) and forgets its failures.
    pub fn clear_source(&mut self, key: &str) -> bool {
        let had = self.sources.map.remove(key).is_some();
        tracing::info!(source = key, "lockout: source cleared");
        self.writes.push_back(StoreOp::Clear {
            subject: Subject::Source(key.to_owned()),
        });
        had
    }

    /// How many meetings and sources are tracked (for metrics and the memory bound's tests).
    pub fn tracked(&self) -> (usize, usize) {
        (self.meetings.map.len(), self.sources.map.len())
    }
}

/// Failures kept per key: the budget plus the one that trips it.
fn keep(failures: u32) -> usize {
    usize::try_from(failures)
        .unwrap_or(usize::MAX)
        .saturating_add(1)
}

#[cfg(test)]
mod tests;
