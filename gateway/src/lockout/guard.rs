//! The lockout as the call flow uses it: one handle over wherever the budgets live.
//!
//! - [`LocalGuard`]: this process's [`Budgets`] in memory, every change written through to
//!   `lockout.sqlite3`, so a restart (even SIGKILL) keeps the counts.
//! - [`RedisGuard`] (clusters): the same budgets held in Redis and reserved atomically by a
//!   script, so nodes behind one dispatcher share them.
//!
//! The guard is an enum, not a trait object: the methods are `async` (Redis is a network
//! round-trip), and an enum keeps them plain `async fn`s with no boxing per attempt.
//!
//! Every PIN attempt runs `reserve` → verify → `settle` in a task off the SIP core's loop; a
//! guard that cannot answer makes the attempt fail closed ([`GuardError`]).
//! [`Guard::source_blocked`] is the one synchronous question, asked for every INVITE: it must
//! never wait on the network, so a shared guard answers it from a local view that follows the
//! shared store.

use std::io::Write;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use super::redis::RedisGuard;
use super::{
    Budgets, Lockout, LockoutConfig, LockoutStoreError, Reservation, SecurityEvent,
    SqliteLockoutStore, Subject, Verdict,
};

/// The lockout store could not be reached or written: PIN checks fail closed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GuardError {
    #[error("lockout store: {0}")]
    Store(#[from] LockoutStoreError),
    #[error("lockout store unavailable: {0}")]
    Unavailable(String),
    /// The guard's settings cannot work (e.g. a malformed Redis URL).
    #[error("lockout store configuration: {0}")]
    Config(String),
    /// A ticket handed to a guard of another kind than the one that issued it (a bug).
    #[error("ticket from another guard")]
    WrongTicket,
}

/// An attempt counted against the budgets before its PIN is verified; give it back to
/// [`Guard::settle`].
#[derive(Debug)]
#[must_use = "settle the ticket with the PIN's outcome"]
pub struct Ticket(pub(crate) TicketInner);

#[derive(Debug)]
pub(crate) enum TicketInner {
    Local(Reservation),
    Redis(super::redis::RedisTicket),
}

/// Where security events go: the `roomgate::security` tracing target always, and a file of
/// JSON lines (one per event) for fail2ban when configured. It also counts them by kind, for
/// `/metrics`: the sink sees every event whichever guard produced it, so the counts need no
/// help from the budgets.
#[derive(Debug, Default)]
pub struct SecuritySink {
    file: Option<Mutex<std::fs::File>>,
    path: Option<PathBuf>,
    pin_failures: AtomicU64,
    meeting_locks: AtomicU64,
    source_blocks: AtomicU64,
    pin_refused: AtomicU64,
    srtp_refused: AtomicU64,
    endpoint_host_keys_refused: AtomicU64,
    endpoint_operations: AtomicU64,
}

/// How many security events of each kind a [`SecuritySink`] has seen since the process
/// started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct SecurityCounts {
    pub pin_failures: u64,
    pub meeting_locks: u64,
    pub source_blocks: u64,
    /// Attempts refused unverified (meeting locked, source blocked, budget in flight).
    pub pin_refused: u64,
    /// SDP offers/answers whose SRTP crypto could not be applied.
    pub srtp_refused: u64,
    /// Room SSH host keys refused (changed, or not pinned).
    pub endpoint_host_keys_refused: u64,
    /// Operations on rooms over SSH, whatever their outcome.
    pub endpoint_operations: u64,
}

impl SecuritySink {
    /// Appends to `path` (created 0600 when missing).
    pub fn to_file(path: &Path) -> std::io::Result<Self> {
        let mut opts = std::fs::OpenOptions::new();
        opts.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let f = opts.open(path)?;
        Ok(SecuritySink {
            file: Some(Mutex::new(f)),
            path: Some(path.to_owned()),
            ..SecuritySink::default()
        })
    }

    /// The file events are appended to, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The events counted so far (relaxed loads: each counter is exact, the three together
    /// are not one atomic snapshot, which a scrape does not need).
    pub fn counts(&self) -> SecurityCounts {
        SecurityCounts {
            pin_failures: self.pin_failures.load(Ordering::Relaxed),
            meeting_locks: self.meeting_locks.load(Ordering::Relaxed),
            source_blocks: self.source_blocks.load(Ordering::Relaxed),
            pin_refused: self.pin_refused.load(Ordering::Relaxed),
            srtp_refused: self.srtp_refused.load(Ordering::Relaxed),
            endpoint_host_keys_refused: self.endpoint_host_keys_refused.load(Ordering::Relaxed),
            endpoint_operations: self.endpoint_operations.load(Ordering::Relaxed),
        }
    }

    pub fn emit(&self, event: &SecurityEvent) {
        let counter = match event {
            SecurityEvent::PinFailure { .. } => &self.pin_failures,
            SecurityEvent::MeetingLocked { .. } => &self.meeting_locks,
            SecurityEvent::SourceBlocked { .. } => &self.source_blocks,
            SecurityEvent::PinRefused { .. } => &self.pin_refused,
            SecurityEvent::SrtpRefused { .. } => &self.srtp_refused,
            SecurityEvent::EndpointHostKeyRefused { .. } => &self.endpoint_host_keys_refused,
            SecurityEvent::EndpointOperation { .. } => &self.endpoint_operations,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        let line = event.to_json_line();
        tracing::warn!(target: "roomgate::security", "{line}");
        if let Some(f) = &self.file {
            let mut f = f.lock().unwrap_or_else(PoisonError::into_inner);
            if let Err(e) = writeln!(f, "{line}") {
                tracing::error!(error = %e, "security log not written");
            }
        }
    }
}

/// Budgets in this process, written through to SQLite.
pub struct LocalGuard {
    budgets: Mutex<Budgets>,
    store: SqliteLockoutStore,
    sink: Arc<SecuritySink>,
}

impl LocalGuard {
    /// Loads the records of `data_dir`'s `lockout.sqlite3` (created when missing).
    pub fn open(
        config: LockoutConfig,
        data_dir: &Path,
        now: u64,
        sink: Arc<SecuritySink>,
    ) -> Result<Self, GuardError> {
        let store = SqliteLockoutStore::open(data_dir)?;
        let budgets = Budgets::load(config, &store, now)?;
        Ok(LocalGuard {
            budgets: Mutex::new(budgets),
            store,
            sink,
        })
    }

    fn budgets(&self) -> std::sync::MutexGuard<'_, Budgets> {
        self.budgets.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes pending records and emits pending events. A failed write fails the attempt
    /// closed: the failure would otherwise not survive a restart.
    fn drain(&self, budgets: &mut Budgets) -> Result<(), GuardError> {
        while let Some(e) = budgets.poll_event() {
            self.sink.emit(&e);
        }
        budgets.flush(&self.store)?;
        Ok(())
    }
}

/// Budgets and where they live.
// One guard per process, built once and shared behind an `Arc`: the variants' size difference
// costs nothing, and boxing `Local` would change how every caller builds it.
#[allow(clippy::large_enum_variant)]
pub enum Guard {
    Local(LocalGuard),
    /// Budgets in Redis, shared by a cluster (see [`super::redis`]).
    Redis(RedisGuard),
}

impl Guard {
    /// The per-call budget (wrong PINs before a call is disconnected).
    pub fn per_call_attempts(&self) -> u32 {
        match self {
            Guard::Local(g) => g.budgets().config().per_call_attempts,
            Guard::Redis(g) => g.config().per_call_attempts,
        }
    }

    /// Whether the guard can answer PIN checks now: always for the local guard; for Redis,
    /// false after the last operation or refresh failed, true again after one succeeded. The
    /// call flow answers INVITEs for PIN-protected (or unknown) meetings with 503 while false.
    pub fn healthy(&self) -> bool {
        match self {
            Guard::Local(_) => true,
            Guard::Redis(g) => g.healthy(),
        }
    }

    /// Where this guard's security events go.
    pub fn sink(&self) -> &SecuritySink {
        match self {
            Guard::Local(g) => &g.sink,
            Guard::Redis(g) => g.sink(),
        }
    }

    /// Whether `ip` is blocked at `now` (unix seconds), and until when. Never waits on I/O.
    pub fn source_blocked(&self, now: u64, ip: IpAddr) -> Option<u64> {
        match self {
            Guard::Local(g) => match g.budgets().check(now, "", ip) {
                Verdict::SourceBlocked { until } => Some(until),
                _ => None,
            },
            Guard::Redis(g) => g.source_blocked(now, ip),
        }
    }

    /// Counts an attempt before its PIN is verified. `Ok(Err(verdict))`: the attempt may not
    /// go ahead (meeting locked, source blocked, budget held by attempts in flight).
    pub async fn reserve(
        &self,
        now: u64,
        meeting: &str,
        ip: IpAddr,
    ) -> Result<Result<Ticket, Verdict>, GuardError> {
        match self {
            Guard::Local(g) => {
                let mut b = g.budgets();
                let r = b.reserve(now, meeting, ip);
                g.drain(&mut b)?;
                Ok(r.map(|r| Ticket(TicketInner::Local(r))))
            }
            Guard::Redis(g) => Ok(g
                .reserve(now, meeting, ip)
                .await?
                .map(|t| Ticket(TicketInner::Redis(t)))),
        }
    }

    /// Records the outcome of a reserved attempt.
    pub async fn settle(&self, now: u64, ticket: Ticket, ok: bool) -> Result<(), GuardError> {
        match (self, ticket.0) {
            (Guard::Local(g), TicketInner::Local(r)) => {
                let mut b = g.budgets();
                b.settle(now, r, ok);
                g.drain(&mut b)
            }
            (Guard::Redis(g), TicketInner::Redis(t)) => g.settle(now, t, ok).await,
            _ => Err(GuardError::WrongTicket),
        }
    }

    /// Active meeting locks and source blocks.
    pub async fn list(&self, now: u64) -> Result<Vec<Lockout>, GuardError> {
        match self {
            Guard::Local(g) => Ok(g.budgets().list(now)),
            Guard::Redis(g) => g.list(now).await,
        }
    }

    /// Lifts a lock or block (and forgets the subject's failures). False when there was none.
    pub async fn clear(&self, _now: u64, subject: &Subject) -> Result<bool, GuardError> {
        match self {
            Guard::Local(g) => {
                let mut b = g.budgets();
                let had = match subject {
                    Subject::Meeting(m) => b.clear_meeting(m),
                    Subject::Source(k) => b.clear_source(k),
                };
                g.drain(&mut b)?;
                Ok(had)
            }
            Guard::Redis(g) => g.clear(subject).await,
        }
    }
}
