//! Meetings in Redis, for a cluster of gateways that must all route the same meetings.
//!
//! One hash per meeting, `<prefix>meeting:<id>`, with the fields of the SQLite table: `id`,
//! `upstream`, `srtp`, `suites` (comma-separated standard names, empty = gateway default),
//! `username`, `password`, `realm` (credentials present iff `username` is), and `pin_hash`
//! (the argon2id PHC string from [`crate::pin::hash_pin`]; the PIN itself is never stored).
//! A set, `<prefix>meetings`, indexes the ids for listing; `<prefix>demo_meetings_seeded`
//! remembers that the demo meetings were offered once, as the SQLite flag row does. Meetings
//! have no TTL: they are configuration. Upstream digest passwords are stored as in SQLite (in
//! clear, digest needs them), so the Redis holding them must be private to the gateways
//! (ACL/`requirepass`, private network).
//!
//! The API is synchronous because [`Directory`] is: lookups run on the SIP core's thread, so
//! the connection is a blocking one with short timeouts ([`TIMEOUT`]); a lookup that fails
//! returns the Directory error and the caller answers 503. The connection is dropped on any
//! error and re-made by the next call. Replies are hostile input: field values go through
//! the same checks as a SQLite row ([`Meeting::validated`]), and listing is capped at
//! [`MAX_MEETINGS`].

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use redis::{Client, Script};

use super::{Meeting, MeetingRow, StoreError, Upstream, DEMO_PIN};
use crate::call::{Directory, MeetingRoute};

/// Connect, read and write timeout of every call: a lookup holds up the SIP core's thread,
/// and a healthy Redis on the LAN answers in well under a millisecond.
pub const TIMEOUT: Duration = Duration::from_millis(200);

/// At most this many meetings are listed; a larger index is refused rather than read.
pub const MAX_MEETINGS: usize = 100_000;

/// The hash fields, in the order `HMGET` reads them.
const FIELDS: [&str; 8] = [
    "id", "upstream", "srtp", "suites", "username", "password", "realm", "pin_hash",
];

/// Sets or clears `pin_hash` only if the meeting exists. KEYS: 1 meeting; ARGV: 1 PHC or ''.
const SET_PIN_LUA: &str = r"
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[1] == '' then
  redis.call('HDEL', KEYS[1], 'pin_hash')
else
  redis.call('HSET', KEYS[1], 'pin_hash', ARGV[1])
end
return 1
";

/// The ids, or -1 when there are more than the cap. KEYS: 1 index; ARGV: 1 cap.
const LIST_IDS_LUA: &str = r"
if redis.call('SCARD', KEYS[1]) > tonumber(ARGV[1]) then return -1 end
return redis.call('SMEMBERS', KEYS[1])
";

/// Seeds the demo meetings once per Redis (per prefix), leaving existing ones alone.
/// KEYS: 1 flag, 2 index, 3 meeting 1000, 4 meeting 1001; ARGV: 1 PIN hash, 2 upstream, 3 srtp.
const DEMO_LUA: &str = r"
if not redis.call('SET', KEYS[1], '1', 'NX') then return 0 end
local demo = {{KEYS[3], '1000', ARGV[1]}, {KEYS[4], '1001', ''}}
for _, m in ipairs(demo) do
  if redis.call('EXISTS', m[1]) == 0 then
    redis.call('HSET', m[1], 'id', m[2], 'upstream', ARGV[2], 'srtp', ARGV[3], 'suites', '')
    if m[3] ~= '' then redis.call('HSET', m[1], 'pin_hash', m[3]) end
    redis.call('SADD', KEYS[2], m[2])
  end
end
return 1
";

/// Why a Redis meeting-store operation failed. No variant carries a password or PIN.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RedisStoreError {
    /// The URL is not repeated: it may carry a password.
    #[error("malformed redis URL ({0:?})")]
    Url(redis::ErrorKind),
    #[error("meeting store (redis): {0}")]
    Redis(#[from] redis::RedisError),
    /// A reply this code would not expect from its own commands.
    #[error("meeting store (redis): malformed reply to {0}")]
    Malformed(&'static str),
    #[error("meeting store (redis): more than {MAX_MEETINGS} meetings")]
    TooMany,
    /// Invalid input, a corrupt stored meeting, or a PIN that cannot be hashed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The meetings in Redis; see the module docs.
pub struct RedisMeetings {
    client: Client,
    prefix: String,
    conn: Mutex<Option<redis::Connection>>,
    set_pin: Script,
    list_ids: Script,
    demo: Script,
}

impl std::fmt::Debug for RedisMeetings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisMeetings")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl RedisMeetings {
    /// A store on the Redis at `url`, keys under `prefix`. Does not connect (the first call
    /// does); fails only for a malformed URL.
    pub fn open(url: &str, prefix: &str) -> Result<Self, RedisStoreError> {
        let client = Client::open(url).map_err(|e| RedisStoreError::Url(e.kind()))?;
        Ok(RedisMeetings {
            client,
            prefix: prefix.to_owned(),
            conn: Mutex::new(None),
            set_pin: Script::new(SET_PIN_LUA),
            list_ids: Script::new(LIST_IDS_LUA),
            demo: Script::new(DEMO_LUA),
        })
    }

    fn meeting_key(&self, id: &str) -> String {
        format!("{}meeting:{id}", self.prefix)
    }

    fn index_key(&self) -> String {
        format!("{}meetings", self.prefix)
    }

    fn lock(&self) -> MutexGuard<'_, Option<redis::Connection>> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on the connection (made first if needed); drops the connection on error.
    fn with<T>(
        &self,
        f: impl FnOnce(&mut redis::Connection) -> Result<T, RedisStoreError>,
    ) -> Result<T, RedisStoreError> {
        let mut slot = self.lock();
        let conn = match slot.take() {
            Some(c) => c,
            None => {
                let c = self.client.get_connection_with_timeout(TIMEOUT)?;
                c.set_read_timeout(Some(TIMEOUT))?;
                c.set_write_timeout(Some(TIMEOUT))?;
                c
            }
        };
        let conn = slot.insert(conn);
        let result = f(conn);
        if let Err(e) = &result {
            if matches!(e, RedisStoreError::Redis(_) | RedisStoreError::Malformed(_)) {
                *slot = None;
            }
        }
        result
    }

    /// The meeting dialled as `id`, if there is one.
    pub fn get_meeting(&self, id: &str) -> Result<Option<Meeting>, RedisStoreError> {
        if super::validate_id(id).is_err() {
            // Nothing invalid is ever stored; do not send arbitrary dialled text to Redis.
            return Ok(None);
        }
        let key = self.meeting_key(id);
        let values = self.with(|c| {
            Ok(redis::cmd("HMGET")
                .arg(&key)
                .arg(&FIELDS[..])
                .query::<Vec<Option<String>>>(c)?)
        })?;
        row(id, values)
    }

    /// Stores `meeting`, replacing any meeting with the same id (in one MULTI/EXEC). Returns
    /// whether one was replaced.
    pub fn put_meeting(&self, meeting: &Meeting) -> Result<bool, RedisStoreError> {
        let m = meeting.validated().map_err(StoreError::from)?;
        if let Some(phc) = &m.pin_hash {
            check_phc(phc)?;
        }
        let mut fields: Vec<(&str, &str)> = vec![
            ("id", &m.id),
            ("upstream", m.upstream.as_str()),
            ("srtp", m.srtp.as_str()),
        ];
        let suites = m.suites.join(",");
        fields.push(("suites", &suites));
        if let Some(c) = &m.credentials {
            fields.push(("username", &c.username));
            fields.push(("password", &c.password));
            if let Some(realm) = &c.realm {
                fields.push(("realm", realm));
            }
        }
        if let Some(phc) = &m.pin_hash {
            fields.push(("pin_hash", phc));
        }
        let key = self.meeting_key(&m.id);
        let index = self.index_key();
        let replies = self.with(|c| {
            Ok(redis::pipe()
                .atomic()
                .cmd("EXISTS")
                .arg(&key)
                .cmd("DEL")
                .arg(&key)
                .ignore()
                .cmd("HSET")
                .arg(&key)
                .arg(&fields[..])
                .ignore()
                .cmd("SADD")
                .arg(&index)
                .arg(&m.id)
                .ignore()
                .query::<Vec<i64>>(c)?)
        })?;
        let existed = replies.first().is_some_and(|&n| n > 0);
        tracing::info!(meeting = %m.id, replaced = existed, "store (redis): meeting saved");
        Ok(existed)
    }

    /// Sets (`Some`, an argon2id PHC string) or clears (`None`) the PIN of meeting `id`,
    /// leaving the rest alone; false when there is no such meeting. One script, so a
    /// concurrent `meeting add` is not overwritten with stale fields.
    pub fn set_meeting_pin(
        &self,
        id: &str,
        pin_hash: Option<&str>,
    ) -> Result<bool, RedisStoreError> {
        if let Some(phc) = pin_hash {
            check_phc(phc)?;
        }
        if super::validate_id(id).is_err() {
            return Ok(false);
        }
        let key = self.meeting_key(id);
        let n = self.with(|c| {
            Ok(self
                .set_pin
                .key(&key)
                .arg(pin_hash.unwrap_or(""))
                .invoke::<i64>(c)?)
        })?;
        if n > 0 {
            tracing::info!(meeting = %id, pin = pin_hash.is_some(), "store (redis): meeting PIN changed");
        }
        Ok(n > 0)
    }

    /// Removes the meeting dialled as `id`; false when there was none.
    pub fn remove_meeting(&self, id: &str) -> Result<bool, RedisStoreError> {
        if super::validate_id(id).is_err() {
            return Ok(false);
        }
        let key = self.meeting_key(id);
        let index = self.index_key();
        let replies = self.with(|c| {
            Ok(redis::pipe()
                .atomic()
                .cmd("DEL")
                .arg(&key)
                .cmd("SREM")
                .arg(&index)
                .arg(id)
                .ignore()
                .query::<Vec<i64>>(c)?)
        })?;
        let removed = replies.first().is_some_and(|&n| n > 0);
        if removed {
            tracing::info!(meeting = %id, "store (redis): meeting removed");
        }
        Ok(removed)
    }

    /// Every meeting, ordered by id (byte order). Ids in the index whose hash is gone (removed
    /// between the two reads) are skipped.
    pub fn list_meetings(&self) -> Result<Vec<Meeting>, RedisStoreError> {
        let index = self.index_key();
        let ids = self.with(|c| {
            let reply = self
                .list_ids
                .key(&index)
                .arg(MAX_MEETINGS)
                .invoke::<redis::Value>(c)?;
            match reply {
                redis::Value::Int(-1) => Err(RedisStoreError::TooMany),
                redis::Value::Array(items) if items.len() <= MAX_MEETINGS => Ok(items
                    .into_iter()
                    .filter_map(|v| match v {
                        redis::Value::BulkString(b) => String::from_utf8(b).ok(),
                        _ => None,
                    })
                    .filter(|id| super::validate_id(id).is_ok())
                    .collect::<Vec<String>>()),
                _ => Err(RedisStoreError::Malformed("list")),
            }
        })?;
        let mut ids = ids;
        ids.sort();
        let mut out = Vec::with_capacity(ids.len());
        // Pipelined in chunks: one round trip per chunk, replies of bounded size.
        for chunk in ids.chunks(500) {
            let rows = self.with(|c| {
                let mut pipe = redis::pipe();
                for id in chunk {
                    pipe.cmd("HMGET").arg(self.meeting_key(id)).arg(&FIELDS[..]);
                }
                Ok(pipe.query::<Vec<Vec<Option<String>>>>(c)?)
            })?;
            if rows.len() != chunk.len() {
                return Err(RedisStoreError::Malformed("list"));
            }
            for (id, values) in chunk.iter().zip(rows) {
                if let Some(m) = row(id, values)? {
                    out.push(m);
                }
            }
        }
        Ok(out)
    }

    /// Adds the demo meetings `1000` (PIN [`DEMO_PIN`]) and `1001` (open) the first time it
    /// runs on this Redis and prefix, never again (a flag key remembers, so an operator who
    /// removes them does not get them back; the first of several nodes starting at once
    /// seeds). Returns whether it seeded now.
    pub fn ensure_demo_meetings(&self) -> Result<bool, RedisStoreError> {
        let flag = format!("{}demo_meetings_seeded", self.prefix);
        let seeded = self.with(|c| Ok(redis::cmd("EXISTS").arg(&flag).query::<i64>(c)?))?;
        if seeded > 0 {
            return Ok(false);
        }
        // Hashed only when needed: argon2 takes tens of milliseconds.
        let phc = crate::pin::hash_pin(DEMO_PIN).map_err(StoreError::from)?;
        let demo = Meeting::new("1000", Upstream::Echo);
        let n = self.with(|c| {
            Ok(self
                .demo
                .key(&flag)
                .key(self.index_key())
                .key(self.meeting_key("1000"))
                .key(self.meeting_key("1001"))
                .arg(&phc)
                .arg(demo.upstream.as_str())
                .arg(demo.srtp.as_str())
                .invoke::<i64>(c)?)
        })?;
        if n > 0 {
            tracing::info!("store (redis): demo meetings 1000 and 1001 added");
        }
        Ok(n > 0)
    }
}

/// A stored PIN must be an argon2id PHC string, never a PIN.
fn check_phc(phc: &str) -> Result<(), RedisStoreError> {
    if phc.starts_with("$argon2id$") {
        Ok(())
    } else {
        Err(StoreError::Pin(crate::pin::PinError::Hash(
            "not an argon2id PHC string".to_owned(),
        ))
        .into())
    }
}

/// A meeting from its `HMGET` reply; `None` when the hash does not exist.
fn row(id: &str, values: Vec<Option<String>>) -> Result<Option<Meeting>, RedisStoreError> {
    if values.len() != FIELDS.len() {
        return Err(RedisStoreError::Malformed("HMGET"));
    }
    let mut v = values.into_iter();
    let mut next = || v.next().flatten();
    let (stored_id, upstream, srtp, suites) = (next(), next(), next(), next());
    let (username, password, realm, pin_hash) = (next(), next(), next(), next());
    let Some(stored_id) = stored_id else {
        return Ok(None);
    };
    let corrupt = |reason: &str| StoreError::Corrupt {
        id: id.to_owned(),
        reason: reason.to_owned(),
    };
    if stored_id != id {
        return Err(corrupt("stored id differs from its key").into());
    }
    let (Some(upstream), Some(srtp)) = (upstream, srtp) else {
        return Err(corrupt("missing upstream or srtp").into());
    };
    if let Some(phc) = &pin_hash {
        if !phc.starts_with("$argon2id$") {
            return Err(corrupt("pin_hash is not an argon2id PHC string").into());
        }
    }
    let row = MeetingRow {
        id: stored_id,
        upstream,
        srtp,
        suites: suites.unwrap_or_default(),
        username,
        password,
        realm,
        pin_hash,
    };
    Ok(Some(row.into_meeting()?))
}

/// Meetings from Redis; a Redis error is the Directory's error, so the call gets 503.
impl Directory for RedisMeetings {
    fn meeting(&self, id: &str) -> Result<Option<MeetingRoute>, String> {
        match self.get_meeting(id) {
            Ok(Some(m)) => crate::call::directory::route(m).map(Some),
            Ok(None) => Ok(None),
            Err(e) => {
                tracing::error!(meeting = %id, error = %e, "meeting lookup failed");
                Err(e.to_string())
            }
        }
    }
}
