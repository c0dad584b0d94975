//! Where a meeting's cloud leg goes and with which media policy: the B2BUA asks a
//! [`Directory`], so it does not care whether meetings live in SQLite, Redis or a test.

use std::collections::HashMap;

use super::negotiate::MediaPolicy;

pub use crate::store::Upstream;

/// Everything the B2BUA needs to place the cloud leg of a meeting.
#[derive(Clone, PartialEq, Eq)]
pub struct MeetingRoute {
    pub upstream: Upstream,
    pub policy: MediaPolicy,
    /// Digest credentials for the upstream: (username, password).
    pub credentials: Option<(String, String)>,
    /// The meeting password as an argon2id PHC string; `None`: open meeting.
    pub pin_hash: Option<String>,
}

impl std::fmt::Debug for MeetingRoute {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MeetingRoute")
            .field("upstream", &self.upstream)
            .field("policy", &self.policy)
            .field(
                "credentials",
                &self.credentials.as_ref().map(|(user, _)| user),
            )
            .field("pin", &self.pin_hash.is_some())
            .finish()
    }
}

/// Looks meetings up. Errors are the store's (e.g. the database is unreadable).
pub trait Directory: Send {
    fn meeting(&self, id: &str) -> Result<Option<MeetingRoute>, String>;
}

/// A fixed set of meetings (tests and configurations without a store).
#[derive(Debug, Clone, Default)]
pub struct StaticDirectory(pub HashMap<String, MeetingRoute>);

impl Directory for StaticDirectory {
    fn meeting(&self, id: &str) -> Result<Option<MeetingRoute>, String> {
        Ok(self.0.get(id).cloned())
    }
}

/// Meetings from the store (SQLite). The store's lookups are short blocking calls on the
/// SIP core's thread; a slow disk would show in call setup time, never in the media path.
impl Directory for crate::store::Store {
    fn meeting(&self, id: &str) -> Result<Option<MeetingRoute>, String> {
        let Some(m) = self.get_meeting(id).map_err(|e| e.to_string())? else {
            return Ok(None);
        };
        route(m).map(Some)
    }
}

/// What the B2BUA needs from a stored meeting (SQLite or Redis).
pub(crate) fn route(m: crate::store::Meeting) -> Result<MeetingRoute, String> {
    let suites = crate::config::parse_suites(&m.suites).map_err(|e| e.to_string())?;
    Ok(MeetingRoute {
        upstream: m.upstream,
        policy: MediaPolicy {
            srtp: m.srtp.policy(),
            suites: if suites.is_empty() {
                super::negotiate::default_suites()
            } else {
                suites
            },
        },
        credentials: m.credentials.map(|c| (c.username, c.password)),
        pin_hash: m.pin_hash,
    })
}
