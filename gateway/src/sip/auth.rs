//! Digest authentication of incoming requests, from the configured users. The digest logic is
//! roomgate-sip's; this decides which requests must authenticate and what each verdict is
//! answered with.

use std::collections::HashMap;
use std::time::SystemTime;

use roomgate_sip::digest::{
    unix_seconds, Algorithm, DigestServer, Ha1, NonceSecret, Password, ServerConfig, StoredSecret,
    Verification,
};
use roomgate_sip::{HeaderName, Message};

use crate::config::AuthConfig;

/// What to do with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// No authentication needed, or it succeeded.
    Pass,
    /// Answer 401 with these WWW-Authenticate values.
    Challenge(Vec<String>),
    /// Answer 400: credentials that do not parse.
    BadRequest,
}

enum Secret {
    Password(String),
    Ha1Md5(String),
}

pub struct AuthGate {
    server: DigestServer,
    methods: Vec<String>,
    users: HashMap<String, Secret>,
}

#[derive(Debug, thiserror::Error)]
#[error("sip.auth: {0}")]
pub struct AuthSetupError(String);

impl AuthGate {
    pub fn new(config: &AuthConfig) -> Result<Self, AuthSetupError> {
        let secret_bytes: Vec<u8> = match &config.nonce_secret {
            Some(hex) => (0..hex.len() / 2)
                .filter_map(|i| hex.get(2 * i..2 * i + 2))
                .filter_map(|b| u8::from_str_radix(b, 16).ok())
                .collect(),
            None => rand::random::<[u8; 32]>().to_vec(),
        };
        let secret = NonceSecret::new(&secret_bytes).map_err(|e| AuthSetupError(e.to_string()))?;
        let mut server_config = ServerConfig::new(config.realm.clone());
        server_config.algorithms = config
            .algorithms
            .iter()
            .filter_map(|a| Algorithm::parse(a))
            .collect();
        let users = config
            .users
            .iter()
            .filter_map(|u| {
                let secret = match (&u.password, &u.ha1_md5) {
                    (Some(p), _) => Secret::Password(p.clone()),
                    (None, Some(h)) => Secret::Ha1Md5(h.clone()),
                    (None, None) => return None,
                };
                Some((u.username.clone(), secret))
            })
            .collect();
        Ok(AuthGate {
            server: DigestServer::new(server_config, secret),
            methods: config
                .methods
                .iter()
                .map(|m| m.to_ascii_uppercase())
                .collect(),
            users,
        })
    }

    /// Decides for one request; ACK and CANCEL always pass (they cannot be challenged).
    pub fn check(&mut self, msg: &Message<'_>) -> Gate {
        let Some(line) = msg.request_line() else {
            return Gate::Pass;
        };
        let method = line.method.as_str();
        if matches!(method, "ACK" | "CANCEL") || !self.methods.iter().any(|m| m == method) {
            return Gate::Pass;
        }
        let now = unix_seconds(SystemTime::now());
        let store = lookup_in(&self.users);
        let verdict = self
            .server
            .verify_message(now, msg, HeaderName::Authorization, &store);
        match verdict {
            Verification::Ok { username } => {
                tracing::debug!(%username, "digest authentication succeeded");
                Gate::Pass
            }
            Verification::Missing => {
                Gate::Challenge(self.server.challenges(now, &rand::random(), false))
            }
            Verification::Stale => {
                Gate::Challenge(self.server.challenges(now, &rand::random(), true))
            }
            // Wrong password or unknown user (alike to the peer): challenged again with a
            // fresh nonce (RFC 3261 §22.3 allows it) rather than 403, which the gateway keeps
            // for blocked sources alone, so a 403 always means "this address is blocked".
            Verification::BadRequest(_) => Gate::BadRequest,
            _ => {
                tracing::info!(reason = ?verdict, "digest authentication failed");
                Gate::Challenge(self.server.challenges(now, &rand::random(), false))
            }
        }
    }
}

fn lookup_in(
    users: &HashMap<String, Secret>,
) -> impl Fn(&str, &str, Algorithm) -> Option<StoredSecret> + '_ {
    move |username, _realm, algorithm| match users.get(username)? {
        Secret::Password(p) => Some(StoredSecret::Password(Password::new(p.clone()))),
        Secret::Ha1Md5(h) if algorithm.base() == Algorithm::Md5 => {
            Ha1::from_hex(h).map(StoredSecret::Ha1)
        }
        Secret::Ha1Md5(_) => None,
    }
}
