//! SIP digest authentication: RFC 7616 computations with the SIP algorithm registry of
//! RFC 8760 (MD5, SHA-256, SHA-512/256 and their `-sess` forms), both as client and as server.
//!
//! Sans-IO like the rest of the crate: the server takes the time (`now`, seconds since the
//! UNIX epoch) and the nonce's random bytes as arguments, and the client takes its cnonce
//! bytes the same way, so every path is deterministic under test.
//!
//! - Server: [`DigestServer`] builds challenges with stateless, self-authenticating nonces and
//!   verifies `Authorization` / `Proxy-Authorization` values into a [`Verification`].
//! - Client: [`Challenge`] parses a `WWW-Authenticate` / `Proxy-Authenticate` value,
//!   [`DigestClient`] answers it and counts `nc` for its nonce.
//!
//! ```
//! use roomgate_sip::digest::*;
//! use roomgate_sip::headers::AuthValue;
//!
//! let mut server = DigestServer::new(ServerConfig::new("roomgate"), NonceSecret::new(&[7; 32])?);
//! let now = 1_700_000_000;
//! let offers = server.challenges(now, &[1; NONCE_RANDOM_LEN], false);
//! let parsed: Vec<AuthValue> = offers.iter().map(|c| AuthValue::parse(c)).collect::<Result<_, _>>()?;
//! let mut client = DigestClient::new(Challenge::strongest(&parsed)?);
//! let request = DigestRequest { method: "REGISTER", uri: "sip:roomgate.example", body: b"" };
//! let creds = Credentials::new("alice", "secret");
//! let authorization = client.authorization(&creds, &request, &[9; CNONCE_RANDOM_LEN])?;
//!
//! let store = |user: &str, _realm: &str, _alg: Algorithm| {
//!     (user == "alice").then(|| StoredSecret::Password(Password::from("secret")))
//! };
//! let result = server.verify(now + 1, &AuthValue::parse(&authorization)?, &request, &store);
//! assert_eq!(result, Verification::Ok { username: "alice".into() });
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Not implemented: `userhash` and `username*` (RFC 7616 §3.4.4, §4; not used by SIP peers we
//! meet), and `auth-int` is implemented but not offered by default (see
//! [`ServerConfig::offer_auth_int`]).

mod algorithm;
mod challenge;
mod credentials;
mod nonce;

use std::fmt;
use std::time::SystemTime;

use zeroize::Zeroizing;

pub use algorithm::{Algorithm, Qop};
pub use challenge::{
    BadRequest, DigestResponse, DigestServer, InvalidReason, ServerConfig, Verification,
    DEFAULT_MAX_TRACKED_NONCES, DEFAULT_NONCE_LIFETIME_SECS,
};
pub use credentials::{Challenge, ClientError, Credentials, DigestClient, CNONCE_RANDOM_LEN};
pub use nonce::{NonceSecret, SecretError, MAX_SECRET_LEN, MIN_SECRET_LEN, NONCE_RANDOM_LEN};

use crate::message::Message;

/// What a digest response covers of a request: method, Request-URI (as text, exactly as it
/// appears in the request line) and, for `auth-int`, the body.
///
/// The verifier requires the credentials' `uri` to equal this Request-URI text (RFC 3261
/// §22.4). SIPp puts `sip:<remote ip>:<remote port>` there unless run with `-auth_uri`, so its
/// scenarios must use that Request-URI or pass `-auth_uri`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DigestRequest<'a> {
    pub method: &'a str,
    pub uri: &'a str,
    pub body: &'a [u8],
}

impl<'a> DigestRequest<'a> {
    /// The digest inputs of a parsed request; `None` for a response.
    pub fn from_message(msg: &Message<'a>) -> Option<Self> {
        let line = msg.request_line()?;
        Some(DigestRequest {
            method: line.method.as_str(),
            uri: line.uri_text,
            body: msg.body,
        })
    }
}

/// A plain-text password, zeroized on drop and never printed by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(Zeroizing<String>);

impl Password {
    pub fn new(password: impl Into<String>) -> Self {
        Password(Zeroizing::new(password.into()))
    }

    /// The password text, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Password {
    fn from(s: &str) -> Self {
        Password::new(s)
    }
}

impl From<String> for Password {
    fn from(s: String) -> Self {
        Password::new(s)
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// HA1 = H(username ":" realm ":" password) in lowercase hex, for one hash. It is
/// password-equivalent for that realm (anyone holding it can answer challenges), so it is
/// zeroized on drop and never printed; stores keep it so they need not keep plain passwords.
#[derive(Clone, PartialEq, Eq)]
pub struct Ha1(Zeroizing<String>);

impl Ha1 {
    /// Computes HA1 for `algorithm`'s hash (the `-sess` forms use the same stored HA1).
    pub fn compute(algorithm: Algorithm, username: &str, realm: &str, password: &str) -> Self {
        Ha1(algorithm.base().hash_hex(&[
            username.as_bytes(),
            realm.as_bytes(),
            password.as_bytes(),
        ]))
    }

    /// Takes a stored hex HA1; `None` unless it is all hex digits. Case is normalised.
    pub fn from_hex(hex: &str) -> Option<Self> {
        if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        Some(Ha1(Zeroizing::new(hex.to_ascii_lowercase())))
    }

    /// The hex text.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Ha1 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Ha1(<redacted>)")
    }
}

/// What a credential store knows about a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredSecret {
    Password(Password),
    /// HA1 computed with the hash of the algorithm passed to the lookup
    /// ([`Algorithm::base`]); a store that keeps only an MD5 HA1 should return `None` for
    /// SHA-256 lookups (or offer only MD5).
    Ha1(Ha1),
}

/// Looks users up for the verifier. Implemented for closures
/// `Fn(username, realm, algorithm) -> Option<StoredSecret>`.
pub trait CredentialLookup {
    fn lookup(&self, username: &str, realm: &str, algorithm: Algorithm) -> Option<StoredSecret>;
}

impl<F> CredentialLookup for F
where
    F: Fn(&str, &str, Algorithm) -> Option<StoredSecret>,
{
    fn lookup(&self, username: &str, realm: &str, algorithm: Algorithm) -> Option<StoredSecret> {
        self(username, realm, algorithm)
    }
}

/// Seconds since the UNIX epoch of a time the caller read; times before the epoch are 0.
pub fn unix_seconds(time: SystemTime) -> u64 {
    time.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Fuzz entry: arbitrary text as an `Authorization` value into a verifier, and as a challenge
/// into the client. Must not panic; work is bounded by the header length limit.
#[doc(hidden)]
pub fn fuzz_digest(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if text.len() > crate::limits::MAX_HEADER_LEN {
        return;
    }
    let Ok(value) = crate::headers::AuthValue::parse(text) else {
        return;
    };
    let Ok(secret) = NonceSecret::new(&[0x5a; 32]) else {
        return;
    };
    let mut config = ServerConfig::new("fuzz");
    config.offer_auth_int = true;
    config.algorithms = Algorithm::ALL.to_vec();
    let mut server = DigestServer::new(config, secret);
    let request = DigestRequest {
        method: "INVITE",
        uri: "sip:fuzz@example.com",
        body: b"v=0\r\n",
    };
    let store = |_: &str, _: &str, _: Algorithm| Some(StoredSecret::Password(Password::from("pw")));
    let _ = server.verify(1_000, &value, &request, &store);
    let _ = server.verify(1_000, &value, &request, &store);
    if let Ok(challenge) = Challenge::parse(&value) {
        let mut client = DigestClient::new(challenge);
        let _ = client.authorization(
            &Credentials::new("u", "p"),
            &request,
            &[0; CNONCE_RANDOM_LEN],
        );
    }
}

#[cfg(test)]
mod tests;
