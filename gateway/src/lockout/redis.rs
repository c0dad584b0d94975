//! The wrong-PIN budgets held in Redis, shared by every gateway of a cluster.
//!
//! Same semantics as [`Budgets`](super::Budgets) (its unit tests are the specification), but
//! each operation is **one Lua script** run by Redis atomically (`EVALSHA`, loaded on first
//! use): `reserve` checks the locks, counts failures plus pending attempts in the windows and
//! adds the pending entry in one step, so two nodes reserving at the same instant can never
//! both take the last slot of a budget. `settle` removes the pending entry, records the
//! failure, locks when the budget is reached and returns what happened, so the Rust side emits
//! exactly the security events the local guard emits.
//!
//! # Key layout (under the configurable prefix, `roomgate:` by default)
//!
//! | key | type | holds | TTL |
//! |---|---|---|---|
//! | `lockout:meeting:<id>:failures` | sorted set | one member per wrong PIN (the attempt's ticket id), score = unix seconds | window + slack, renewed on every failure |
//! | `lockout:meeting:<id>:pending` | sorted set | one member per attempt being verified, score = reservation time | [`RESERVATION_TIMEOUT_S`] + slack |
//! | `lockout:meeting-locks` | sorted set | member = meeting id, score = locked until | lock time + slack, renewed on every lock |
//! | `lockout:source:<key>:failures`, `…:pending`, `lockout:source-locks` | the same for source keys ([`source_key`]) | | |
//!
//! Every script trims what has left its window (`ZREMRANGEBYSCORE`) before counting, failure
//! sets are capped at the budget plus one (`ZREMRANGEBYRANK`), a lock replaces the failures,
//! and every key has a TTL, so nothing grows without bound even if no node ever runs again.
//! One script touches keys of one meeting and one source plus the two lock sets: this is for
//! one Redis (with replicas or Sentinel), not Redis Cluster, whose slots would split them.
//!
//! # Time
//!
//! Scripts take `now` (unix seconds) from the caller rather than Redis `TIME`: the gateway's
//! nodes run NTP-synced clocks (required for SIP and TLS anyway), a skew of a second or two
//! only shifts a window's edge by as much, and the budgets stay testable with a virtual clock
//! exactly like [`Budgets`](super::Budgets). TTLs are computed from the same `now` plus
//! [`TTL_SLACK_S`], so a node's skew never expires a record before its window ends.
//!
//! # The 403 check
//!
//! [`RedisGuard::source_blocked`] is asked for every INVITE on the SIP core's thread and must
//! not wait on the network. It answers from a local view of blocked sources: this node's own
//! reserve/settle results update it at once, and a background task re-reads the source locks
//! from Redis every `refresh` (1 s by default). A block made by another node therefore reaches
//! this node's 403 check within one refresh interval; in the meantime the atomic `reserve`
//! already refuses that source's PIN attempts on every node.
//!
//! # Failure
//!
//! Fail closed: any Redis error or timeout (connect and response timeouts of
//! [`CONNECT_TIMEOUT`]/[`RESPONSE_TIMEOUT`], and [`OPERATION_TIMEOUT`] over the whole
//! operation) returns [`GuardError::Unavailable`], and [`RedisGuard::healthy`] turns false
//! until an operation or refresh succeeds again, so the call flow can answer 503 instead of
//! prompting for PINs it cannot check. The connection is dropped on any error and re-made on
//! the next use (a plain multiplexed connection rather than `ConnectionManager`, whose
//! built-in retry loop would make an operation's worst-case time depend on its backoff
//! settings). A reservation whose script ran but whose reply was lost stays pending until
//! [`RESERVATION_TIMEOUT_S`], holding budget: the safe direction.
//!
//! Every reply is treated as hostile input: nothing is unwrapped or indexed, list replies are
//! capped ([`MAX_LIST`], [`MAX_BLOCKED_VIEW`]) and malformed entries are skipped.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock, Weak};
use std::time::Duration;

use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, Client, Script, ScriptInvocation, Value};

use super::guard::{GuardError, SecuritySink};
use super::{
    keep, source_key, Lockout, LockoutConfig, SecurityEvent, Subject, Verdict, MAX_TRACKED_KEYS,
    RESERVATION_TIMEOUT_S,
};

/// Key prefix when none is configured.
pub const DEFAULT_PREFIX: &str = "roomgate:";
/// Redis URL when none is configured.
pub const DEFAULT_URL: &str = "redis://127.0.0.1:6379/0";
/// Connecting to Redis may take this long. Loopback or LAN: a healthy Redis answers in well
/// under a millisecond, so anything slower is an outage, and a caller is waiting.
pub const CONNECT_TIMEOUT: Duration = Duration::from_millis(500);
/// One command's reply may take this long.
pub const RESPONSE_TIMEOUT: Duration = Duration::from_millis(500);
/// One whole operation (connect, `EVALSHA`, and `SCRIPT LOAD` + retry on a fresh Redis) may
/// take this long before it fails closed.
pub const OPERATION_TIMEOUT: Duration = Duration::from_millis(1000);
/// How often the local view of blocked sources is re-read by default.
pub const DEFAULT_REFRESH: Duration = Duration::from_secs(1);
/// At most this many locks are read back by [`RedisGuard::list`] per kind.
pub const MAX_LIST: usize = 10_000;
/// At most this many blocked sources are held in the local view (the local guard's bound).
pub const MAX_BLOCKED_VIEW: usize = MAX_TRACKED_KEYS;
/// Added to every TTL, so that clock skew between nodes never expires a record early.
pub const TTL_SLACK_S: u64 = 60;
/// Longest key (meeting id or source key) read back from Redis; longer ones are skipped.
const MAX_KEY_LEN: usize = 256;

/// Atomic check-and-reserve. Returns `{code, until}`: 0 allowed, 1 meeting locked, 2 source
/// blocked, 3 in flight (budget held by failures plus pending attempts).
const RESERVE_LUA: &str = r"
-- KEYS: 1 meeting failures, 2 meeting pending, 3 meeting locks,
--       4 source failures, 5 source pending, 6 source locks
-- ARGV: 1 now, 2 meeting, 3 source key ('' = trusted, no source budget),
--       4 meeting window, 5 meeting cap, 6 source window, 7 source cap,
--       8 reservation timeout, 9 ticket, 10 ttl slack
local now = tonumber(ARGV[1])
local has_source = ARGV[3] ~= ''
if has_source then
  local lock_end = tonumber(redis.call('ZSCORE', KEYS[6], ARGV[3]))
  if lock_end and lock_end > now then return {2, lock_end} end
end
local lock_end = tonumber(redis.call('ZSCORE', KEYS[3], ARGV[2]))
if lock_end and lock_end > now then return {1, lock_end} end
local timeout = tonumber(ARGV[8])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[4]))
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - timeout)
if redis.call('ZCARD', KEYS[1]) + redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then
  return {3, 0}
end
if has_source then
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - tonumber(ARGV[6]))
  redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now - timeout)
  if redis.call('ZCARD', KEYS[4]) + redis.call('ZCARD', KEYS[5]) >= tonumber(ARGV[7]) then
    return {3, 0}
  end
end
local ttl = timeout + tonumber(ARGV[10])
redis.call('ZADD', KEYS[2], now, ARGV[9])
redis.call('EXPIRE', KEYS[2], ttl)
if has_source then
  redis.call('ZADD', KEYS[5], now, ARGV[9])
  redis.call('EXPIRE', KEYS[5], ttl)
end
return {0, 0}
";

/// Settles a reservation. Returns `{meeting failure count, meeting locked until, source
/// blocked until}` (0: no lock now); `{0, 0, 0}` for a correct PIN.
const SETTLE_LUA: &str = r"
-- KEYS: as for reserve
-- ARGV: 1 now, 2 meeting, 3 source key ('' = trusted), 4 ticket, 5 ok (1/0),
--       6 meeting window, 7 meeting keep (= limit), 8 meeting lock s,
--       9 source window, 10 source limit, 11 source keep, 12 source block s, 13 ttl slack
local now = tonumber(ARGV[1])
local has_source = ARGV[3] ~= ''
redis.call('ZREM', KEYS[2], ARGV[4])
if has_source then redis.call('ZREM', KEYS[5], ARGV[4]) end
if ARGV[5] == '1' then return {0, 0, 0} end
local slack = tonumber(ARGV[13])
local function fail(fkey, lkey, member, window, keep, limit, lock_s)
  redis.call('ZREMRANGEBYSCORE', fkey, '-inf', now - window)
  redis.call('ZREMRANGEBYSCORE', lkey, '-inf', now)
  redis.call('ZADD', fkey, now, ARGV[4])
  local n = redis.call('ZCARD', fkey)
  if n > keep then
    redis.call('ZREMRANGEBYRANK', fkey, 0, n - keep - 1)
    n = keep
  end
  if n >= limit then
    local lock_end = now + lock_s
    redis.call('DEL', fkey)
    redis.call('ZADD', lkey, lock_end, member)
    if redis.call('TTL', lkey) < lock_s + slack then
      redis.call('EXPIRE', lkey, lock_s + slack)
    end
    return n, lock_end
  end
  redis.call('EXPIRE', fkey, window + slack)
  return n, 0
end
local count, m_end = fail(KEYS[1], KEYS[3], ARGV[2], tonumber(ARGV[6]),
  tonumber(ARGV[7]), tonumber(ARGV[7]), tonumber(ARGV[8]))
local s_end = 0
if has_source then
  local _
  _, s_end = fail(KEYS[4], KEYS[6], ARGV[3], tonumber(ARGV[9]),
    tonumber(ARGV[11]), tonumber(ARGV[10]), tonumber(ARGV[12]))
end
return {count, m_end, s_end}
";

/// Active locks: `{{meeting, until, ...}, {source key, until, ...}}`, at most `cap` each,
/// ending after `now`. Read-only: expired entries are trimmed by `settle`.
const LIST_LUA: &str = r"
-- KEYS: 1 meeting locks, 2 source locks; ARGV: 1 now, 2 cap
local out = {}
for i = 1, 2 do
  local part = {}
  local r = redis.call('ZRANGEBYSCORE', KEYS[i], '(' .. ARGV[1], '+inf',
    'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
  for j = 1, #r, 2 do
    part[#part + 1] = r[j]
    part[#part + 1] = tonumber(r[j + 1])
  end
  out[i] = part
end
return out
";

/// Forgets a subject: its lock, failures and pending attempts. Returns `{n}`, how many of
/// those existed (0: nothing to clear).
const CLEAR_LUA: &str = r"
-- KEYS: 1 locks, 2 failures, 3 pending; ARGV: 1 member
return {redis.call('ZREM', KEYS[1], ARGV[1]) + redis.call('DEL', KEYS[2], KEYS[3])}
";

/// A reserved attempt in Redis: what `settle` needs to find its pending entries again.
#[derive(Debug)]
pub(crate) struct RedisTicket {
    meeting: String,
    ip: IpAddr,
    /// `None` for a trusted source.
    source: Option<String>,
    /// Unique per attempt: the member of the pending and failure sets.
    id: String,
}

/// Key names under the prefix.
#[derive(Debug, Clone)]
struct Keys {
    prefix: String,
}

impl Keys {
    fn subject(&self, kind: &str, key: &str, what: &str) -> String {
        format!("{}lockout:{kind}:{key}:{what}", self.prefix)
    }
    fn locks(&self, kind: &str) -> String {
        format!("{}lockout:{kind}-locks", self.prefix)
    }
    /// The six keys of reserve and settle, in the scripts' order. A trusted source gets the
    /// keys of an empty source key, which the scripts never touch.
    fn attempt(&self, meeting: &str, source: Option<&str>) -> [String; 6] {
        let s = source.unwrap_or("");
        [
            self.subject("meeting", meeting, "failures"),
            self.subject("meeting", meeting, "pending"),
            self.locks("meeting"),
            self.subject("source", s, "failures"),
            self.subject("source", s, "pending"),
            self.locks("source"),
        ]
    }
}

/// One async connection, re-made after any error.
struct Connection {
    client: Client,
    slot: tokio::sync::Mutex<Option<MultiplexedConnection>>,
}

impl Connection {
    async fn get(&self) -> redis::RedisResult<MultiplexedConnection> {
        let mut slot = self.slot.lock().await;
        if let Some(c) = slot.as_ref() {
            return Ok(c.clone());
        }
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(RESPONSE_TIMEOUT));
        let c = self
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await?;
        *slot = Some(c.clone());
        Ok(c)
    }

    async fn reset(&self) {
        *self.slot.lock().await = None;
    }
}

struct Inner {
    config: LockoutConfig,
    keys: Keys,
    conn: Connection,
    sink: Arc<SecuritySink>,
    healthy: AtomicBool,
    /// Blocked source keys and until when (unix seconds); see the module docs.
    blocked: RwLock<HashMap<String, u64>>,
    reserve: Script,
    settle: Script,
    list: Script,
    clear: Script,
}

/// The budgets in Redis; see the module docs.
pub struct RedisGuard {
    inner: Arc<Inner>,
    refresher: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for RedisGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisGuard")
            .field("prefix", &self.inner.keys.prefix)
            .field("healthy", &self.healthy())
            .finish_non_exhaustive()
    }
}

impl Drop for RedisGuard {
    fn drop(&mut self) {
        if let Some(task) = self.refresher.take() {
            task.abort();
        }
    }
}

impl RedisGuard {
    /// A guard on the Redis at `url` (e.g. `redis://10.0.0.5:6379/0`), keys under `prefix`.
    /// Does not connect: the first operation or refresh does (the refresh task starts at
    /// once when `refresh` is given and a tokio runtime is running, and re-reads the blocked
    /// sources every `refresh`). Fails only for a malformed URL.
    pub fn open(
        config: LockoutConfig,
        url: &str,
        prefix: &str,
        refresh: Option<Duration>,
        sink: Arc<SecuritySink>,
    ) -> Result<Self, GuardError> {
        // The URL may carry a password: the error names the problem only.
        let client = Client::open(url)
            .map_err(|e| GuardError::Config(format!("malformed redis URL ({:?})", e.kind())))?;
        let inner = Arc::new(Inner {
            config,
            keys: Keys {
                prefix: prefix.to_owned(),
            },
            conn: Connection {
                client,
                slot: tokio::sync::Mutex::new(None),
            },
            sink,
            healthy: AtomicBool::new(true),
            blocked: RwLock::new(HashMap::new()),
            reserve: Script::new(RESERVE_LUA),
            settle: Script::new(SETTLE_LUA),
            list: Script::new(LIST_LUA),
            clear: Script::new(CLEAR_LUA),
        });
        let refresher = match (refresh, tokio::runtime::Handle::try_current()) {
            (Some(every), Ok(rt)) => Some(rt.spawn(refresh_loop(Arc::downgrade(&inner), every))),
            _ => None,
        };
        Ok(RedisGuard { inner, refresher })
    }

    pub fn config(&self) -> &LockoutConfig {
        &self.inner.config
    }

    /// Where this guard's security events go.
    pub fn sink(&self) -> &SecuritySink {
        &self.inner.sink
    }

    /// False after the last operation or refresh failed; true again after one succeeds.
    pub fn healthy(&self) -> bool {
        self.inner.healthy.load(Ordering::Relaxed)
    }

    /// Whether `ip` is blocked at `now`, from the local view (no I/O; see the module docs).
    pub fn source_blocked(&self, now: u64, ip: IpAddr) -> Option<u64> {
        if self.inner.config.is_trusted(ip) {
            return None;
        }
        let key = source_key(ip);
        self.inner
            .blocked
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .copied()
            .filter(|&until| until > now)
    }

    /// Re-reads the blocked sources from Redis now (what the background task does every
    /// refresh interval).
    pub async fn refresh(&self) -> Result<(), GuardError> {
        self.inner.refresh().await
    }

    /// Checks and records an attempt before its PIN is verified, atomically across nodes.
    pub(crate) async fn reserve(
        &self,
        now: u64,
        meeting: &str,
        ip: IpAddr,
    ) -> Result<Result<RedisTicket, Verdict>, GuardError> {
        let inner = &*self.inner;
        let c = &inner.config;
        let source = (!c.is_trusted(ip)).then(|| source_key(ip));
        let id = format!("{now}-{:016x}", rand::random::<u64>());
        let mut inv = inner.reserve.prepare_invoke();
        for k in inner.keys.attempt(meeting, source.as_deref()) {
            inv.key(k);
        }
        inv.arg(now)
            .arg(meeting)
            .arg(source.as_deref().unwrap_or(""))
            .arg(c.meeting_window_s)
            .arg(keep(c.meeting_failures))
            .arg(c.source_window_s)
            .arg(c.source_failures)
            .arg(RESERVATION_TIMEOUT_S)
            .arg(&id)
            .arg(TTL_SLACK_S);
        let reply = inner.eval("reserve", &inv).await?;
        let [code, until] = inner.ints::<2>("reserve", &reply)?;
        let until = u64::try_from(until).unwrap_or(0);
        match code {
            0 => Ok(Ok(RedisTicket {
                meeting: meeting.to_owned(),
                ip,
                source,
                id,
            })),
            1 => Ok(Err(Verdict::MeetingLocked { until })),
            2 => {
                if let Some(k) = source {
                    inner.note_blocked(k, until);
                }
                Ok(Err(Verdict::SourceBlocked { until }))
            }
            3 => Ok(Err(Verdict::InFlight)),
            _ => Err(inner.malformed("reserve")),
        }
    }

    /// Settles a reservation; emits the security events through the sink.
    pub(crate) async fn settle(
        &self,
        now: u64,
        ticket: RedisTicket,
        ok: bool,
    ) -> Result<(), GuardError> {
        let inner = &*self.inner;
        let c = &inner.config;
        let RedisTicket {
            meeting,
            ip,
            source,
            id,
        } = ticket;
        let mut inv = inner.settle.prepare_invoke();
        for k in inner.keys.attempt(&meeting, source.as_deref()) {
            inv.key(k);
        }
        inv.arg(now)
            .arg(&meeting)
            .arg(source.as_deref().unwrap_or(""))
            .arg(&id)
            .arg(u8::from(ok))
            .arg(c.meeting_window_s)
            .arg(keep(c.meeting_failures))
            .arg(c.meeting_lock_s)
            .arg(c.source_window_s)
            .arg(c.source_failures)
            .arg(keep(c.source_failures))
            .arg(c.source_block_s)
            .arg(TTL_SLACK_S);
        let reply = inner.eval("settle", &inv).await?;
        if ok {
            return Ok(());
        }
        let [count, meeting_until, source_until] = inner.ints::<3>("settle", &reply)?;
        let count = u32::try_from(count).unwrap_or(0);
        tracing::info!(meeting = %meeting, source = %ip, attempt = count, "lockout: wrong PIN");
        inner.sink.emit(&SecurityEvent::PinFailure {
            time: now,
            meeting: meeting.clone(),
            source: ip,
            attempt: count,
        });
        if let Ok(until @ 1..) = u64::try_from(meeting_until) {
            tracing::warn!(meeting = %meeting, until, "lockout: meeting locked");
            inner.sink.emit(&SecurityEvent::MeetingLocked {
                time: now,
                meeting,
                until,
            });
        }
        if let (Some(key), Ok(until @ 1..)) = (source, u64::try_from(source_until)) {
            tracing::warn!(source = %key, until, "lockout: source blocked");
            inner.note_blocked(key.clone(), until);
            inner.sink.emit(&SecurityEvent::SourceBlocked {
                time: now,
                source: ip,
                key,
                until,
            });
        }
        Ok(())
    }

    /// Active meeting locks and source blocks at `now`, meetings first, each ordered by key;
    /// at most [`MAX_LIST`] of each.
    pub async fn list(&self, now: u64) -> Result<Vec<Lockout>, GuardError> {
        let (mut meetings, mut sources) = self.inner.read_locks(now, MAX_LIST).await?;
        meetings.sort();
        sources.sort();
        Ok(meetings
            .into_iter()
            .map(|(k, until)| Lockout {
                subject: Subject::Meeting(k),
                until,
            })
            .chain(sources.into_iter().map(|(k, until)| Lockout {
                subject: Subject::Source(k),
                until,
            }))
            .collect())
    }

    /// Lifts a lock or block and forgets the subject's failures and pending attempts; false
    /// when there was nothing. Other nodes' source views follow within their refresh interval.
    pub async fn clear(&self, subject: &Subject) -> Result<bool, GuardError> {
        let inner = &*self.inner;
        let kind = subject.kind();
        let key = subject.key();
        let mut inv = inner.clear.prepare_invoke();
        inv.key(inner.keys.locks(kind))
            .key(inner.keys.subject(kind, key, "failures"))
            .key(inner.keys.subject(kind, key, "pending"))
            .arg(key);
        let reply = inner.eval("clear", &inv).await?;
        let [n] = inner.ints::<1>("clear", &reply)?;
        if let Subject::Source(k) = subject {
            inner
                .blocked
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(k);
        }
        tracing::info!(kind, key, "lockout: {kind} cleared");
        Ok(n > 0)
    }
}

impl Inner {
    /// Runs a script with the operation timeout; any failure marks the guard unhealthy and
    /// drops the connection.
    async fn eval(
        &self,
        op: &'static str,
        inv: &ScriptInvocation<'_>,
    ) -> Result<Value, GuardError> {
        let run = async {
            let mut c = self.conn.get().await?;
            inv.invoke_async::<Value>(&mut c).await
        };
        let error = match tokio::time::timeout(OPERATION_TIMEOUT, run).await {
            Ok(Ok(v)) => {
                self.mark_healthy();
                return Ok(v);
            }
            Ok(Err(e)) => e.to_string(),
            Err(_) => format!("no answer within {} ms", OPERATION_TIMEOUT.as_millis()),
        };
        self.conn.reset().await;
        Err(self.unavailable(op, error))
    }

    fn mark_healthy(&self) {
        if !self.healthy.swap(true, Ordering::Relaxed) {
            tracing::info!("lockout: Redis reachable again; PIN checks resume");
        }
    }

    /// Marks the guard unhealthy. Logged as an error when the state changes (and at debug
    /// after that, so an outage under load does not flood the log).
    fn unavailable(&self, op: &'static str, error: String) -> GuardError {
        if self.healthy.swap(false, Ordering::Relaxed) {
            tracing::error!(op, %error, "lockout: Redis unreachable; PIN checks fail closed");
        } else {
            tracing::debug!(op, %error, "lockout: Redis still unreachable");
        }
        GuardError::Unavailable(format!("redis {op}: {error}"))
    }

    /// A reply this code's scripts would not give (another program on the keys, or a bug):
    /// fail closed like an outage, but do not drop the connection.
    fn malformed(&self, op: &'static str) -> GuardError {
        self.unavailable(op, "malformed reply".to_owned())
    }

    /// Exactly `N` integers in an array reply.
    fn ints<const N: usize>(&self, op: &'static str, v: &Value) -> Result<[i64; N], GuardError> {
        let Value::Array(items) = v else {
            return Err(self.malformed(op));
        };
        if items.len() != N {
            return Err(self.malformed(op));
        }
        let mut out = [0i64; N];
        for (slot, item) in out.iter_mut().zip(items) {
            match item {
                Value::Int(n) => *slot = *n,
                _ => return Err(self.malformed(op)),
            }
        }
        Ok(out)
    }

    fn note_blocked(&self, key: String, until: u64) {
        let mut view = self.blocked.write().unwrap_or_else(PoisonError::into_inner);
        if view.len() < MAX_BLOCKED_VIEW || view.contains_key(&key) {
            let e = view.entry(key).or_insert(0);
            *e = (*e).max(until);
        }
    }

    /// Meeting and source locks ending after `now`, at most `cap` of each.
    #[allow(clippy::type_complexity)]
    async fn read_locks(
        &self,
        now: u64,
        cap: usize,
    ) -> Result<(Vec<(String, u64)>, Vec<(String, u64)>), GuardError> {
        let mut inv = self.list.prepare_invoke();
        inv.key(self.keys.locks("meeting"))
            .key(self.keys.locks("source"))
            .arg(now)
            .arg(cap);
        let reply = self.eval("list", &inv).await?;
        let Value::Array(parts) = reply else {
            return Err(self.malformed("list"));
        };
        let mut parts = parts.into_iter();
        let (Some(m), Some(s), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(self.malformed("list"));
        };
        Ok((pairs(m, cap), pairs(s, cap)))
    }

    async fn refresh(&self) -> Result<(), GuardError> {
        // `now` = 0: every stored block comes back (they are trimmed by `settle`), and the
        // check compares with the caller's `now`; the view never depends on this node's clock.
        let (_, sources) = self.read_locks(0, MAX_BLOCKED_VIEW).await?;
        let view: HashMap<String, u64> = sources.into_iter().collect();
        *self.blocked.write().unwrap_or_else(PoisonError::into_inner) = view;
        Ok(())
    }
}

/// `[key, until, key, until, ...]` from the list script; malformed entries are skipped, at
/// most `cap` kept.
fn pairs(v: Value, cap: usize) -> Vec<(String, u64)> {
    let Value::Array(items) = v else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut items = items.into_iter();
    while let (Some(k), Some(until)) = (items.next(), items.next()) {
        if out.len() >= cap {
            break;
        }
        let key = match k {
            Value::BulkString(b) if b.len() <= MAX_KEY_LEN => String::from_utf8(b).ok(),
            _ => None,
        };
        let until = match until {
            Value::Int(n) => u64::try_from(n).ok(),
            _ => None,
        };
        if let (Some(k), Some(u)) = (key, until) {
            out.push((k, u));
        }
    }
    out
}

/// Re-reads the blocked sources every `every` until the guard is dropped.
async fn refresh_loop(inner: Weak<Inner>, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(inner) = inner.upgrade() else {
            return;
        };
        // Errors are logged (and the health flag set) by `eval`.
        let _ = inner.refresh().await;
    }
}
