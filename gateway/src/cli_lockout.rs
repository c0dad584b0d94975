//! `roomgate lockout list|clear`: the operator's view of the wrong-PIN locks, so a meeting
//! locked by an attack (or a source blocked by a clumsy user) can be released by hand.
//!
//! The command works on the durable records (`lockout.sqlite3`). A running `serve` keeps its
//! budgets in memory too, so a clear takes effect there once `serve` re-reads the store.
//! With `--redis URL` it works on a cluster's shared budgets instead: a clear takes effect on
//! every node's next PIN attempt at once, and in their 403 checks within their refresh
//! interval.

use std::ffi::OsString;
use std::io::Write;
use std::net::IpAddr;
use std::path::Path;
use std::time::SystemTime;

use crate::cli_meeting::{data_dir, DataDir};
use crate::lockout::{
    source_key, unix_seconds, Budgets, GuardError, Lockout, LockoutConfig, LockoutStore,
    LockoutStoreError, RedisGuard, SecuritySink, SqliteLockoutStore, Subject,
};

#[derive(Debug, clap::Subcommand)]
pub enum LockoutCommand {
    /// List the active meeting locks and source blocks.
    List {
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        data: DataDir,
    },
    /// Unlock a meeting or unblock a source; exits 1 when there was nothing to clear.
    Clear {
        #[command(flatten)]
        target: ClearTarget,
        #[command(flatten)]
        data: DataDir,
    },
}

#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
pub struct ClearTarget {
    /// The meeting ID to unlock (its failure count is reset too).
    #[arg(long, value_name = "ID")]
    pub meeting: Option<String>,
    /// The source address to unblock (an IPv6 address clears its whole /64).
    #[arg(long, value_name = "IP")]
    pub source: Option<IpAddr>,
}

/// Why a lockout command failed; every variant is exit status 1.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LockoutCliError {
    #[error(transparent)]
    Store(#[from] LockoutStoreError),
    #[error(transparent)]
    Redis(#[from] GuardError),
    #[error("cannot start the runtime for Redis: {0}")]
    Runtime(std::io::Error),
    #[error("nothing to clear for {0}")]
    NotFound(String),
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
}

/// Runs one lockout command at `now`; `env_data_dir` is `$ROOMGATE_DATA`.
pub fn run(
    command: LockoutCommand,
    env_data_dir: Option<OsString>,
    now: SystemTime,
    out: &mut dyn Write,
) -> Result<(), LockoutCliError> {
    let now = unix_seconds(now);
    match command {
        LockoutCommand::List { json, data } => {
            let locks = match &data.redis {
                Some(url) => with_redis(
                    url,
                    &data.redis_prefix,
                    |g| async move { g.list(now).await },
                )?,
                None => {
                    let store = SqliteLockoutStore::open(&data_dir(data.data_dir, env_data_dir))?;
                    // The windows only decide which failures are kept, not which locks are
                    // listed.
                    Budgets::load(LockoutConfig::default(), &store, now)?.list(now)
                }
            };
            if json {
                for l in &locks {
                    writeln!(out, "{}", serde_json::to_string(l).unwrap_or_default())?;
                }
            } else {
                write_table(out, &locks, now)?;
            }
        }
        LockoutCommand::Clear { target, data } => {
            let subject = match (target.meeting, target.source) {
                (Some(id), _) => Subject::Meeting(id),
                (None, Some(ip)) => Subject::Source(source_key(ip)),
                // clap's group makes this a usage error already.
                (None, None) => return Err(LockoutCliError::NotFound("nothing".to_owned())),
            };
            if let Some(url) = &data.redis {
                let what = format!("{} {}", subject.kind(), subject.key());
                let had = with_redis(url, &data.redis_prefix, |g| async move {
                    g.clear(&subject).await
                })?;
                if !had {
                    return Err(LockoutCliError::NotFound(what));
                }
                writeln!(out, "cleared {what}")?;
                return Ok(());
            }
            let dir = data_dir(data.data_dir, env_data_dir);
            clear(&dir, &subject, out)?;
        }
    }
    Ok(())
}

/// Runs one operation on the Redis guard in a small runtime of its own (the CLI is
/// synchronous). No refresh task: the command does not answer 403 checks.
fn with_redis<T, F, Fut>(url: &str, prefix: &str, op: F) -> Result<T, LockoutCliError>
where
    F: FnOnce(std::sync::Arc<RedisGuard>) -> Fut,
    Fut: std::future::Future<Output = Result<T, GuardError>>,
{
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(LockoutCliError::Runtime)?;
    let guard = std::sync::Arc::new(RedisGuard::open(
        LockoutConfig::default(),
        url,
        prefix,
        None,
        std::sync::Arc::new(SecuritySink::default()),
    )?);
    Ok(rt.block_on(op(guard))?)
}

fn clear(dir: &Path, subject: &Subject, out: &mut dyn Write) -> Result<(), LockoutCliError> {
    let what = format!("{} {}", subject.kind(), subject.key());
    let store = SqliteLockoutStore::open(dir)?;
    if !store.clear(subject)? {
        return Err(LockoutCliError::NotFound(what));
    }
    writeln!(out, "cleared {what}")?;
    Ok(())
}

fn write_table(out: &mut dyn Write, locks: &[Lockout], now: u64) -> std::io::Result<()> {
    if locks.is_empty() {
        return writeln!(out, "no lockouts");
    }
    let width = locks
        .iter()
        .map(|l| l.subject.key().chars().count())
        .max()
        .unwrap_or(0)
        .max(3);
    writeln!(
        out,
        "{:<7}  {:<width$}  {:<10}  LEFT",
        "KIND", "KEY", "UNTIL"
    )?;
    for l in locks {
        writeln!(
            out,
            "{:<7}  {:<width$}  {:<10}  {}s",
            l.subject.kind(),
            l.subject.key(),
            l.until,
            l.until.saturating_sub(now)
        )?;
    }
    Ok(())
}
