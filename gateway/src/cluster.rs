//! Opening the store the configuration names: the embedded SQLite files for one gateway, or a
//! Redis shared by several (`[store] backend = "redis"`), for the meetings
//! ([`open_directory`]) and the wrong-PIN budgets ([`open_guard`]) alike, so a caller turned
//! away by one node is turned away by all.

use std::sync::Arc;

use crate::call::Directory;
use crate::config::{Config, StoreBackend};
use crate::lockout::{Guard, GuardError, LocalGuard, RedisGuard, SecuritySink};
use crate::store::{RedisMeetings, RedisStoreError, Store, StoreError};

/// Why the meeting store could not be opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    #[error("meeting store: {0}")]
    Sqlite(#[from] StoreError),
    #[error("meeting store: {0}")]
    Redis(#[from] RedisStoreError),
}

/// The lockout guard of `config`: the local budgets in the data directory
/// (`lockout.sqlite3`, loaded at `now`), or the shared budgets in Redis. The Redis guard
/// starts its refresh task on the current tokio runtime (call this from inside one) and
/// connects on first use: an unreachable Redis makes PIN checks fail closed and
/// [`Guard::healthy`] false, it does not stop the gateway from starting.
pub fn open_guard(config: &Config, now: u64, sink: Arc<SecuritySink>) -> Result<Guard, GuardError> {
    let s = &config.store;
    match s.backend {
        StoreBackend::Sqlite => Ok(Guard::Local(LocalGuard::open(
            config.lockout.clone(),
            &s.path,
            now,
            sink,
        )?)),
        StoreBackend::Redis => Ok(Guard::Redis(RedisGuard::open(
            config.lockout.clone(),
            &s.redis_url,
            &s.redis_prefix,
            Some(s.redis_refresh()),
            sink,
        )?)),
    }
}

/// The meeting directory of `config`, with the demo meetings `1000` and `1001` seeded the
/// first time a store is used (once per data directory, or once per Redis and prefix).
/// Blocking: call it at start, not on a hot path.
pub fn open_directory(config: &Config) -> Result<Box<dyn Directory + Send>, OpenError> {
    let s = &config.store;
    match s.backend {
        StoreBackend::Sqlite => {
            let store = Store::open(&s.path)?;
            if store.ensure_demo_meetings()? {
                tracing::info!(path = %store.path().display(), "demo meetings 1000 and 1001 created");
            }
            Ok(Box::new(store))
        }
        StoreBackend::Redis => {
            let store = RedisMeetings::open(&s.redis_url, &s.redis_prefix)?;
            if store.ensure_demo_meetings()? {
                tracing::info!(prefix = %s.redis_prefix, "demo meetings 1000 and 1001 created in Redis");
            }
            Ok(Box::new(store))
        }
    }
}
