//! The embedded store: one SQLite file, `roomgate.sqlite3`, in the data directory
//! (`./roomgate-data` by default). It holds the meetings and, because upstream digest
//! passwords are in it, it is private to the gateway's user: the directory is created 0700 and
//! the file is kept 0600 on unix.
//!
//! The API is synchronous. Every call is one short indexed query, so async callers run it in
//! `spawn_blocking` (or inline where a millisecond does not matter). One connection behind a
//! mutex serialises the gateway's own meeting and endpoint calls; WAL mode lets a `roomgate
//! meeting` command write while `serve` reads, and the 5 s busy timeout makes the two wait for
//! each other instead of failing.
//!
//! CDRs are written through a second connection of their own. The SIP core looks meetings up
//! inline, and with one connection a lookup waited behind the CDR writer's commit, disk sync
//! included; in WAL mode a reader never waits for a writer, so with two connections it does
//! not. That connection also syncs less (`synchronous = NORMAL`: a commit reaches the WAL
//! without waiting for the disk, which is synced at checkpoints): a crash of the process loses
//! nothing, a power loss may lose the last CDR batches, never the file's consistency. Meeting
//! writes keep SQLite's full sync.
//!
//! Schema versions are SQLite's `PRAGMA user_version`; [`MIGRATIONS`] holds one step per
//! version, applied in order inside one transaction at open.

pub(crate) mod cdr;
mod endpoint;
mod meeting;
pub mod redis;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

pub use self::redis::{RedisMeetings, RedisStoreError};
pub use cdr::{CdrRecord, CDR_RETENTION, MAX_CDR_PAGE};
pub use meeting::{
    normalize_suites, validate_id, H323Target, Meeting, MeetingError, SrtpMode, Upstream,
    UpstreamCredentials, ECHO_UPSTREAM, MAX_CREDENTIAL_FIELD_LEN, MAX_ID_LEN, MAX_PASSWORD_LEN,
    MAX_SUITES, MAX_URI_LEN,
};

/// The database file inside the data directory.
pub const DB_FILE_NAME: &str = "roomgate.sqlite3";

/// The data directory when neither the config nor the command line names one.
pub const DEFAULT_DATA_DIR: &str = "./roomgate-data";

/// How long a write waits for another process (a CLI command next to `serve`) to finish.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// PIN of demo meeting `1000`, documented in the README so a first call can try
/// the PIN prompt. Public knowledge by design; only its hash is stored.
pub const DEMO_PIN: &str = "1234";

/// Flag row set once the demo meetings have been offered, so that removing them is final.
const DEMO_SEEDED_FLAG: &str = "demo_meetings_seeded";

/// Schema steps; step `n` (0-based) takes the schema from version `n` to `n + 1`. Append only:
/// a shipped step is never edited, since databases in the field have already run it.
const MIGRATIONS: &[&str] = &[
    // v1: meetings, and flags for one-time actions.
    "CREATE TABLE meetings (
        id          TEXT PRIMARY KEY NOT NULL,
        upstream    TEXT NOT NULL,
        srtp        TEXT NOT NULL,
        suites      TEXT NOT NULL,  -- comma-separated standard names, '' = gateway default
        username    TEXT,           -- credentials present iff username is not NULL
        password    TEXT,
        realm       TEXT,
        pin_hash    TEXT            -- argon2id PHC string (reserved)
     ) STRICT;
     CREATE TABLE store_flags (
        name  TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL
     ) STRICT;",
    // v2: call detail records, newest = highest seq. Legs are JSON (`LegView`: state, peer,
    // codec, crypto suite, QoS) so a new per-leg field needs no migration.
    "CREATE TABLE cdrs (
        seq           INTEGER PRIMARY KEY,  -- rowid: insertion order, used for retention
        call          INTEGER NOT NULL,     -- u64 call id, stored as its i64 bit pattern
        meeting       TEXT NOT NULL,
        source        TEXT NOT NULL,
        started       INTEGER NOT NULL,
        connected     INTEGER,
        ended         INTEGER NOT NULL,
        setup_ms      INTEGER,
        reason        TEXT NOT NULL,
        pin_failures  INTEGER NOT NULL,
        audio         TEXT,
        room          TEXT NOT NULL,        -- JSON LegView
        cloud         TEXT NOT NULL         -- JSON LegView
     ) STRICT;",
    // v3: room systems controlled over SSH (`crate::endpoint`): where, as whom, with which
    // key file (a path: the key itself is never copied here) and the pinned host key.
    "CREATE TABLE endpoints (
        name      TEXT PRIMARY KEY NOT NULL,
        host      TEXT NOT NULL,
        port      INTEGER NOT NULL,
        user      TEXT NOT NULL,
        key_file  TEXT NOT NULL,
        dialect   TEXT NOT NULL,
        host_key  TEXT NOT NULL   -- SHA256:<base64> as OpenSSH prints it
     ) STRICT;",
];

/// The schema version this build writes: the number of migration steps.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("cannot create data directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot make {path} private: {source}")]
    Permissions {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open database {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("database {path} has schema version {found}; this roomgate knows up to {supported}")]
    SchemaTooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(transparent)]
    Invalid(#[from] MeetingError),
    #[error(transparent)]
    Pin(#[from] crate::pin::PinError),
    #[error(transparent)]
    Endpoint(#[from] crate::endpoint::InputError),
    /// A row that this code would never have written (edited by hand, or a bug).
    #[error("stored meeting {id:?} is corrupt: {reason}")]
    Corrupt { id: String, reason: String },
}

/// The store. Cloning is cheap and every clone shares its two connections.
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
    /// CDR inserts only (see the module doc: meeting lookups must not wait for them).
    cdr_writer: Arc<Mutex<Connection>>,
    path: Arc<PathBuf>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) `dir/roomgate.sqlite3`, brings the schema up to date and
    /// switches to WAL mode.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        create_private_dir(dir)?;
        let path = dir.join(DB_FILE_NAME);
        create_private_file(&path)?;
        let open_err = |source| StoreError::Open {
            path: path.clone(),
            source,
        };
        let mut conn = Connection::open(&path).map_err(open_err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        // WAL: readers (serve) never block on a writer (the CLI). SQLite creates the -wal and
        // -shm files with the main file's permissions, so they stay private too.
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            .map_err(open_err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(path = %path.display(), %mode, "store: WAL mode not available");
        }
        migrate(&mut conn, &path)?;
        let cdr_writer = Connection::open(&path).map_err(open_err)?;
        cdr_writer.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        cdr_writer
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
            cdr_writer: Arc::new(Mutex::new(cdr_writer)),
            path: Arc::new(path),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A panic while holding the lock cannot leave SQLite half-written (an open transaction
    /// rolls back when dropped), so a poisoned lock is still a good connection.
    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The CDR writer's connection; poisoning is ignored for the same reason as [`Store::lock`].
    fn lock_cdr_writer(&self) -> MutexGuard<'_, Connection> {
        self.cdr_writer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The meeting dialled as `id`, if there is one.
    pub fn get_meeting(&self, id: &str) -> Result<Option<Meeting>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(&format!("{SELECT_MEETING} WHERE id = ?1"))?;
        let row = stmt.query_row([id], read_row).optional()?;
        row.map(MeetingRow::into_meeting).transpose()
    }

    /// Stores `meeting`, replacing any meeting with the same id. Returns whether one was
    /// replaced. The meeting is validated first (suite names are stored in their standard
    /// spelling).
    pub fn put_meeting(&self, meeting: &Meeting) -> Result<bool, StoreError> {
        let m = meeting.validated()?;
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let existed = tx
            .query_row("SELECT 1 FROM meetings WHERE id = ?1", [&m.id], |_| Ok(()))
            .optional()?
            .is_some();
        let (username, password, realm) = match &m.credentials {
            Some(c) => (
                Some(c.username.as_str()),
                Some(c.password.as_str()),
                c.realm.as_deref(),
            ),
            None => (None, None, None),
        };
        tx.execute(
            "INSERT OR REPLACE INTO meetings
                (id, upstream, srtp, suites, username, password, realm, pin_hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                m.id,
                m.upstream.as_str(),
                m.srtp.as_str(),
                m.suites.join(","),
                username,
                password,
                realm,
                m.pin_hash,
            ],
        )?;
        tx.commit()?;
        tracing::info!(meeting = %m.id, replaced = existed, "store: meeting saved");
        Ok(existed)
    }

    /// Sets (`Some`, an argon2id PHC string from [`crate::pin::hash_pin`]) or clears
    /// (`None`) the PIN of meeting `id`, leaving the rest of it alone; false when there is no
    /// such meeting. One UPDATE, so a concurrent `meeting add` is not overwritten with stale
    /// fields.
    pub fn set_meeting_pin(&self, id: &str, pin_hash: Option<&str>) -> Result<bool, StoreError> {
        if let Some(phc) = pin_hash {
            if !phc.starts_with("$argon2id$") {
                return Err(StoreError::Pin(crate::pin::PinError::Hash(
                    "not an argon2id PHC string".to_owned(),
                )));
            }
        }
        let conn = self.lock();
        let n = conn.execute(
            "UPDATE meetings SET pin_hash = ?2 WHERE id = ?1",
            params![id, pin_hash],
        )?;
        if n > 0 {
            tracing::info!(meeting = %id, pin = pin_hash.is_some(), "store: meeting PIN changed");
        }
        Ok(n > 0)
    }

    /// Removes the meeting dialled as `id`; false when there was none.
    pub fn remove_meeting(&self, id: &str) -> Result<bool, StoreError> {
        let conn = self.lock();
        let n = conn.execute("DELETE FROM meetings WHERE id = ?1", [id])?;
        if n > 0 {
            tracing::info!(meeting = %id, "store: meeting removed");
        }
        Ok(n > 0)
    }

    /// Every meeting, ordered by id (byte order, so `1000` < `1001` < `abc`).
    pub fn list_meetings(&self) -> Result<Vec<Meeting>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(&format!("{SELECT_MEETING} ORDER BY id"))?;
        let rows = stmt.query_map([], read_row)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row?.into_meeting()?);
        }
        Ok(out)
    }

    /// Adds the demo meetings `1000` (PIN [`DEMO_PIN`]) and `1001` (open), both built-in
    /// echo, mandatory SRTP, default suites, the first time it runs on a database, and never again: a flag row remembers,
    /// so an operator who removes them does not get them back. A meeting already stored
    /// under one of those ids is left as it is. Returns whether it seeded now.
    pub fn ensure_demo_meetings(&self) -> Result<bool, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let seeded = tx
            .query_row(
                "SELECT 1 FROM store_flags WHERE name = ?1",
                [DEMO_SEEDED_FLAG],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if seeded {
            return Ok(false);
        }
        // Hashed before the first write; argon2 takes tens of milliseconds, and this runs
        // once per data directory.
        let demo_pin_hash = crate::pin::hash_pin(DEMO_PIN)?;
        for (id, pin_hash) in [("1000", Some(demo_pin_hash)), ("1001", None)] {
            let m = Meeting::new(id, Upstream::Echo);
            tx.execute(
                "INSERT OR IGNORE INTO meetings (id, upstream, srtp, suites, pin_hash)
                 VALUES (?1, ?2, ?3, '', ?4)",
                params![m.id, m.upstream.as_str(), m.srtp.as_str(), pin_hash],
            )?;
        }
        tx.execute(
            "INSERT INTO store_flags (name, value) VALUES (?1, '1')",
            [DEMO_SEEDED_FLAG],
        )?;
        tx.commit()?;
        tracing::info!("store: demo meetings 1000 and 1001 added");
        Ok(true)
    }
}

const SELECT_MEETING: &str =
    "SELECT id, upstream, srtp, suites, username, password, realm, pin_hash FROM meetings";

/// A row as SQLite (or a Redis hash, see [`redis`]) returns it, before it is checked.
pub(crate) struct MeetingRow {
    pub(crate) id: String,
    pub(crate) upstream: String,
    pub(crate) srtp: String,
    pub(crate) suites: String,
    pub(crate) username: Option<String>,
    pub(crate) password: Option<String>,
    pub(crate) realm: Option<String>,
    pub(crate) pin_hash: Option<String>,
}

fn read_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<MeetingRow> {
    Ok(MeetingRow {
        id: row.get(0)?,
        upstream: row.get(1)?,
        srtp: row.get(2)?,
        suites: row.get(3)?,
        username: row.get(4)?,
        password: row.get(5)?,
        realm: row.get(6)?,
        pin_hash: row.get(7)?,
    })
}

impl MeetingRow {
    /// Rows are checked on the way out too: the file may have been edited by hand, and a
    /// bad upstream URI should fail here, not in the middle of a call.
    pub(crate) fn into_meeting(self) -> Result<Meeting, StoreError> {
        let id = self.id;
        let corrupt = |reason: String| StoreError::Corrupt {
            id: id.clone(),
            reason,
        };
        let credentials = match (self.username, self.password) {
            (Some(username), Some(password)) => Some(UpstreamCredentials {
                username,
                password,
                realm: self.realm,
            }),
            (None, None) if self.realm.is_none() => None,
            _ => return Err(corrupt("incomplete credentials".to_owned())),
        };
        let meeting = Meeting {
            upstream: Upstream::parse(&self.upstream).map_err(|e| corrupt(e.to_string()))?,
            srtp: SrtpMode::parse(&self.srtp).map_err(|e| corrupt(e.to_string()))?,
            suites: if self.suites.is_empty() {
                Vec::new()
            } else {
                self.suites.split(',').map(str::to_owned).collect()
            },
            credentials,
            pin_hash: self.pin_hash,
            id: id.clone(),
        };
        meeting.validated().map_err(|e| corrupt(e.to_string()))
    }
}

/// Applies the migration steps the database has not run yet, all in one transaction so a
/// crash leaves either the old schema or the new one. IMMEDIATE, so two processes opening a
/// fresh database at once do not both migrate.
fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            path: path.to_owned(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    let done = usize::try_from(found).unwrap_or(0);
    for (step, sql) in MIGRATIONS.iter().enumerate().skip(done) {
        tx.execute_batch(sql)?;
        let version = i64::try_from(step + 1).unwrap_or(i64::MAX);
        tx.pragma_update(None, "user_version", version)?;
        tracing::info!(path = %path.display(), version, "store: schema migrated");
    }
    tx.commit()?;
    Ok(())
}

/// Creates the data directory (and parents) with mode 0700 on unix. An existing directory is
/// left as it is: the operator may have chosen its permissions on purpose.
pub(crate) fn create_private_dir(dir: &Path) -> Result<(), StoreError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|source| StoreError::CreateDir {
        path: dir.to_owned(),
        source,
    })
}

/// Creates the database file 0600 before SQLite does (SQLite would use 0644), and takes
/// group and other access away from an existing one: it holds upstream passwords.
pub(crate) fn create_private_file(path: &Path) -> Result<(), StoreError> {
    let perm_err = |source| StoreError::Permissions {
        path: path.to_owned(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map_err(perm_err)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(perm_err)?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & 0o700))
                .map_err(perm_err)?;
            tracing::warn!(path = %path.display(), "store: removed group/other access");
        }
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests;
