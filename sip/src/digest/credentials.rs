//! Client side: parse challenges, pick the strongest, and answer with Authorization /
//! Proxy-Authorization values (RFC 7616 §3.4, RFC 8760 §2.4).

use std::fmt;

use super::algorithm::{compute_response, to_hex, Algorithm, Qop, ResponseInput};
use super::challenge::push_quoted;
use super::{DigestRequest, Ha1, Password};
use crate::headers::AuthValue;

/// Random bytes the caller supplies per request for the cnonce (sent as 32 hex digits).
pub const CNONCE_RANDOM_LEN: usize = 16;

/// Longest realm, nonce or opaque we take from a challenge and echo back.
const MAX_CHALLENGE_FIELD_LEN: usize = 1024;

/// A username and password. The password is zeroized on drop; `Debug` shows the username
/// only.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    password: Password,
}

impl Credentials {
    pub fn new(username: impl Into<String>, password: impl Into<Password>) -> Self {
        Credentials {
            username: username.into(),
            password: password.into(),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// Why a challenge cannot be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    #[error("scheme is not Digest")]
    NotDigest,
    #[error("challenge lacks {0}")]
    Missing(&'static str),
    #[error("challenge {0} is too long")]
    TooLong(&'static str),
    #[error("unsupported algorithm")]
    UnsupportedAlgorithm,
    #[error("no offered qop is supported")]
    UnsupportedQop,
    #[error("a -sess algorithm needs qop")]
    SessionWithoutQop,
    #[error("no Digest challenge we can answer")]
    NoSupportedChallenge,
    #[error("nonce count exhausted; a new challenge is needed")]
    NonceCountExhausted,
    #[error("cnonce must be a non-empty token of at most 1024 characters")]
    BadCnonce,
}

/// A parsed Digest challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub realm: String,
    pub nonce: String,
    pub opaque: Option<String>,
    /// `MD5` when absent.
    pub algorithm: Algorithm,
    /// The qop we will use: `auth` when offered, else `auth-int`; `None` when the challenge
    /// has no qop (RFC 2069 style answer).
    pub qop: Option<Qop>,
    pub stale: bool,
}

impl Challenge {
    /// Parses one WWW-Authenticate / Proxy-Authenticate value.
    pub fn parse(value: &AuthValue<'_>) -> Result<Self, ClientError> {
        if !value.scheme.eq_ignore_ascii_case("Digest") {
            return Err(ClientError::NotDigest);
        }
        let get = |name: &'static str| -> Result<Option<String>, ClientError> {
            match value.param(name) {
                Some(v) if v.len() > MAX_CHALLENGE_FIELD_LEN => Err(ClientError::TooLong(name)),
                Some(v) => Ok(Some(v.to_string())),
                None => Ok(None),
            }
        };
        let algorithm = match get("algorithm")? {
            Some(a) => Algorithm::parse(&a).ok_or(ClientError::UnsupportedAlgorithm)?,
            None => Algorithm::Md5,
        };
        let qop = match get("qop")? {
            Some(list) => {
                let offered: Vec<Qop> = list
                    .split(',')
                    .filter_map(|t| Qop::parse(t.trim()))
                    .collect();
                let pick = if offered.contains(&Qop::Auth) {
                    Qop::Auth
                } else if offered.contains(&Qop::AuthInt) {
                    Qop::AuthInt
                } else {
                    return Err(ClientError::UnsupportedQop);
                };
                Some(pick)
            }
            None if algorithm.is_session() => return Err(ClientError::SessionWithoutQop),
            None => None,
        };
        Ok(Challenge {
            realm: get("realm")?.ok_or(ClientError::Missing("realm"))?,
            nonce: get("nonce")?.ok_or(ClientError::Missing("nonce"))?,
            opaque: get("opaque")?,
            algorithm,
            qop,
            stale: get("stale")?.is_some_and(|s| s.eq_ignore_ascii_case("true")),
        })
    }

    /// The strongest challenge we can answer among several (one 401 may carry one per
    /// algorithm, RFC 8760 §2.4); the first wins among equals. Pass the challenges of one
    /// realm if the response has several realms.
    pub fn strongest<'v, 'a: 'v>(
        values: impl IntoIterator<Item = &'v AuthValue<'a>>,
    ) -> Result<Self, ClientError> {
        let mut best: Option<Challenge> = None;
        for value in values {
            let Ok(c) = Challenge::parse(value) else {
                continue;
            };
            if best
                .as_ref()
                .is_none_or(|b| c.algorithm.strength() > b.algorithm.strength())
            {
                best = Some(c);
            }
        }
        best.ok_or(ClientError::NoSupportedChallenge)
    }
}

/// Answers one challenge and counts `nc` for its nonce. Keep one per dialog (or per realm for
/// a registration) and feed it every new challenge with [`DigestClient::update`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestClient {
    challenge: Challenge,
    nc: u32,
}

impl DigestClient {
    pub fn new(challenge: Challenge) -> Self {
        DigestClient { challenge, nc: 0 }
    }

    pub fn challenge(&self) -> &Challenge {
        &self.challenge
    }

    /// The last nonce count sent (0 before the first answer).
    pub fn nonce_count(&self) -> u32 {
        self.nc
    }

    /// Takes a new challenge; the count restarts when the nonce changed.
    pub fn update(&mut self, challenge: Challenge) {
        if challenge.nonce != self.challenge.nonce || challenge.realm != self.challenge.realm {
            self.nc = 0;
        }
        self.challenge = challenge;
    }

    /// The Authorization / Proxy-Authorization value for `request`, with a cnonce made from
    /// the caller's random bytes.
    pub fn authorization(
        &mut self,
        credentials: &Credentials,
        request: &DigestRequest<'_>,
        cnonce_random: &[u8; CNONCE_RANDOM_LEN],
    ) -> Result<String, ClientError> {
        self.authorization_with_cnonce(credentials, request, &to_hex(cnonce_random))
    }

    /// As [`DigestClient::authorization`] with a given cnonce text (test vectors use base64
    /// cnonces). Directive order and quoting follow RFC 7616 §3.4 and its examples:
    /// `algorithm`, `nc` and `qop` are tokens, the rest quoted-strings.
    pub fn authorization_with_cnonce(
        &mut self,
        credentials: &Credentials,
        request: &DigestRequest<'_>,
        cnonce: &str,
    ) -> Result<String, ClientError> {
        if cnonce.is_empty()
            || cnonce.len() > MAX_CHALLENGE_FIELD_LEN
            || cnonce.contains(['"', '\\', '\r', '\n'])
        {
            return Err(ClientError::BadCnonce);
        }
        let c = &self.challenge;
        let nc_text;
        let qop = match c.qop {
            Some(qop) => {
                let nc = self
                    .nc
                    .checked_add(1)
                    .ok_or(ClientError::NonceCountExhausted)?;
                self.nc = nc;
                nc_text = format!("{nc:08x}");
                Some((nc_text.as_str(), cnonce, qop))
            }
            None => None,
        };
        let ha1 = Ha1::compute(
            c.algorithm,
            &credentials.username,
            &c.realm,
            credentials.password.expose(),
        );
        let response = compute_response(&ResponseInput {
            algorithm: c.algorithm,
            ha1: ha1.expose(),
            nonce: &c.nonce,
            qop,
            method: request.method,
            uri: request.uri,
            body: request.body,
        });
        let mut v = String::from("Digest username=");
        push_quoted(&mut v, &credentials.username);
        v.push_str(", realm=");
        push_quoted(&mut v, &c.realm);
        v.push_str(", uri=");
        push_quoted(&mut v, request.uri);
        v.push_str(", algorithm=");
        v.push_str(c.algorithm.as_str());
        v.push_str(", nonce=");
        push_quoted(&mut v, &c.nonce);
        if let Some((nc, cnonce, qop)) = qop {
            v.push_str(", nc=");
            v.push_str(nc);
            v.push_str(", cnonce=");
            push_quoted(&mut v, cnonce);
            v.push_str(", qop=");
            v.push_str(qop.as_str());
        }
        v.push_str(", response=");
        push_quoted(&mut v, &response);
        if let Some(opaque) = &c.opaque {
            v.push_str(", opaque=");
            push_quoted(&mut v, opaque);
        }
        Ok(v)
    }
}
