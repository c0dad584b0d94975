//! Durable lockout records, so a restart (even SIGKILL) does not hand an attacker a fresh
//! budget.
//!
//! The SQLite backend is its own file, `lockout.sqlite3`, next to `roomgate.sqlite3` in the
//! data directory, rather than a migration of the meeting store:
//! - under attack every wrong PIN is a write; SQLite locks a whole file per write, so attack
//!   traffic in its own file never makes a `roomgate meeting` command or a meeting lookup wait;
//! - the records are disposable (deleting the file is a valid "unlock everything"), the
//!   meetings and their upstream passwords are not; and they are backed up differently;
//! - the Redis backend for clusters (`super::redis`) replaces this file; it has its own
//!   records (sorted sets reserved and settled by Lua scripts), not this trait.
//!
//! The trait is small and synchronous like the meeting store (each call is one short
//! transaction; async callers use `spawn_blocking`). Each method is atomic on its own. The
//! Redis guard does not implement it: a write-through store cannot make a reservation atomic
//! across processes, so there the whole reserve (and settle) is one script instead.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use rusqlite::{params, Connection, TransactionBehavior};

use super::{Record, Subject};
use crate::store::{StoreError, BUSY_TIMEOUT};

/// The lockout database inside the data directory.
pub const LOCKOUT_DB_FILE_NAME: &str = "lockout.sqlite3";

/// Schema steps, as in the meeting store: step `n` takes `user_version` from `n` to `n + 1`.
/// Append only.
const MIGRATIONS: &[&str] = &[
    // v1: failures (a bounded list per subject) and locks (one per subject).
    "CREATE TABLE failures (
        kind TEXT NOT NULL,     -- 'meeting' | 'source'
        key  TEXT NOT NULL,     -- meeting id | source key
        at   INTEGER NOT NULL   -- unix seconds
     ) STRICT;
     CREATE INDEX failures_subject ON failures (kind, key, at);
     CREATE TABLE locks (
        kind  TEXT NOT NULL,
        key   TEXT NOT NULL,
        until INTEGER NOT NULL,
        PRIMARY KEY (kind, key)
     ) STRICT;",
];

/// Why a lockout store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LockoutStoreError {
    #[error(transparent)]
    Dir(#[from] StoreError),
    #[error("cannot open {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("{path} has schema version {found}; this roomgate knows up to {supported}")]
    SchemaTooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("lockout database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A row this code would not have written.
    #[error("stored lockout record is corrupt: {0}")]
    Corrupt(String),
}

/// Where the budgets' records live. See the module docs for the atomicity each call needs.
pub trait LockoutStore {
    /// Every record not expired at `now` (`window` is the longest budget window): failures
    /// newer than `now - window` and locks ending after `now`. Older records are deleted.
    fn load(&self, now: u64, window: u64) -> Result<Vec<Record>, LockoutStoreError>;
    /// Appends a failure; keeps only the newest `keep` for the subject.
    fn record_failure(
        &self,
        subject: &Subject,
        at: u64,
        keep: usize,
    ) -> Result<(), LockoutStoreError>;
    /// Locks the subject until `until` and forgets its failures.
    fn record_lock(&self, subject: &Subject, until: u64) -> Result<(), LockoutStoreError>;
    /// Forgets everything about the subject; true when there was anything.
    fn clear(&self, subject: &Subject) -> Result<bool, LockoutStoreError>;
}

/// The SQLite backend. One connection behind a mutex; WAL and the busy timeout let the
/// `roomgate lockout` command write while `serve` runs.
#[derive(Debug)]
pub struct SqliteLockoutStore {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl SqliteLockoutStore {
    /// Opens (creating if needed) `dir/lockout.sqlite3`, private like the meeting store: the
    /// records name callers' addresses.
    pub fn open(dir: &Path) -> Result<Self, LockoutStoreError> {
        crate::store::create_private_dir(dir)?;
        let path = dir.join(LOCKOUT_DB_FILE_NAME);
        crate::store::create_private_file(&path)?;
        let open_err = |source| LockoutStoreError::Open {
            path: path.clone(),
            source,
        };
        let mut conn = Connection::open(&path).map_err(open_err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        let _mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            .map_err(open_err)?;
        migrate(&mut conn, &path)?;
        Ok(SqliteLockoutStore {
            conn: Mutex::new(conn),
            path,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A poisoned lock is still a good connection: an open transaction rolls back on drop.
    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn subject(kind: &str, key: String) -> Result<Subject, LockoutStoreError> {
    match kind {
        "meeting" => Ok(Subject::Meeting(key)),
        "source" => Ok(Subject::Source(key)),
        other => Err(LockoutStoreError::Corrupt(format!(
            "unknown kind {other:?}"
        ))),
    }
}

/// Unix seconds as SQLite's INTEGER; times past 2^63 s are clamped.
fn sql_time(t: u64) -> i64 {
    i64::try_from(t).unwrap_or(i64::MAX)
}

fn rust_time(t: i64) -> Result<u64, LockoutStoreError> {
    u64::try_from(t).map_err(|_| LockoutStoreError::Corrupt(format!("negative time {t}")))
}

impl LockoutStore for SqliteLockoutStore {
    fn load(&self, now: u64, window: u64) -> Result<Vec<Record>, LockoutStoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let oldest = sql_time(now.saturating_sub(window));
        tx.execute("DELETE FROM failures WHERE at <= ?1", [oldest])?;
        tx.execute("DELETE FROM locks WHERE until <= ?1", [sql_time(now)])?;
        let mut out = Vec::new();
        {
            let mut stmt = tx.prepare("SELECT kind, key, at FROM failures ORDER BY at")?;
            let rows = stmt.query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?))
            })?;
            for row in rows {
                let (kind, key, at) = row?;
                out.push(Record::Failure {
                    subject: subject(&kind, key)?,
                    at: rust_time(at)?,
                });
            }
            let mut stmt = tx.prepare("SELECT kind, key, until FROM locks ORDER BY kind, key")?;
            let rows = stmt.query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?))
            })?;
            for row in rows {
                let (kind, key, until) = row?;
                out.push(Record::Lock {
                    subject: subject(&kind, key)?,
                    until: rust_time(until)?,
                });
            }
        }
        tx.commit()?;
        Ok(out)
    }

    fn record_failure(
        &self,
        subject: &Subject,
        at: u64,
        keep: usize,
    ) -> Result<(), LockoutStoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO failures (kind, key, at) VALUES (?1, ?2, ?3)",
            params![subject.kind(), subject.key(), sql_time(at)],
        )?;
        tx.execute(
            "DELETE FROM failures WHERE kind = ?1 AND key = ?2 AND rowid NOT IN
                (SELECT rowid FROM failures WHERE kind = ?1 AND key = ?2
                 ORDER BY at DESC, rowid DESC LIMIT ?3)",
            params![
                subject.kind(),
                subject.key(),
                i64::try_from(keep).unwrap_or(i64::MAX)
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn record_lock(&self, subject: &Subject, until: u64) -> Result<(), LockoutStoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO locks (kind, key, until) VALUES (?1, ?2, ?3)
             ON CONFLICT (kind, key) DO UPDATE SET until = max(until, excluded.until)",
            params![subject.kind(), subject.key(), sql_time(until)],
        )?;
        tx.execute(
            "DELETE FROM failures WHERE kind = ?1 AND key = ?2",
            params![subject.kind(), subject.key()],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn clear(&self, subject: &Subject) -> Result<bool, LockoutStoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let p = params![subject.kind(), subject.key()];
        let n = tx.execute("DELETE FROM failures WHERE kind = ?1 AND key = ?2", p)?
            + tx.execute("DELETE FROM locks WHERE kind = ?1 AND key = ?2", p)?;
        tx.commit()?;
        if n > 0 {
            tracing::info!(
                kind = subject.kind(),
                key = subject.key(),
                "lockout store: cleared"
            );
        }
        Ok(n > 0)
    }
}

/// Applies the schema steps not yet run, in one IMMEDIATE transaction.
fn migrate(conn: &mut Connection, path: &Path) -> Result<(), LockoutStoreError> {
    let supported = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if found > supported {
        return Err(LockoutStoreError::SchemaTooNew {
            path: path.to_owned(),
            found,
            supported,
        });
    }
    let done = usize::try_from(found).unwrap_or(0);
    for (step, sql) in MIGRATIONS.iter().enumerate().skip(done) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i64::try_from(step + 1).unwrap_or(0))?;
    }
    tx.commit()?;
    Ok(())
}
