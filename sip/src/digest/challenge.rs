//! Server side: challenges and verification of digest credentials (RFC 7616 §3.3–3.5 with
//! the RFC 8760 algorithm rules for SIP).

use std::fmt;

use super::algorithm::{compute_response, Algorithm, Qop, ResponseInput};
use super::nonce::{ct_eq, NcOutcome, NonceCounts, NonceSecret, NONCE_RANDOM_LEN};
use super::{CredentialLookup, DigestRequest, Ha1, StoredSecret};
use crate::header_name::HeaderName;
use crate::headers::AuthValue;
use crate::message::Message;

/// How long a nonce is accepted after issue. Five minutes covers an INVITE waiting for a
/// PIN prompt; after it, a correct answer gets [`Verification::Stale`] and a fresh challenge.
pub const DEFAULT_NONCE_LIFETIME_SECS: u64 = 300;

/// Default bound of the nonce-count table: 4096 nonces in use at once (about 50 bytes each).
/// A gateway with more concurrently authenticating peers should raise it; when exceeded the
/// oldest nonce is forgotten and its next use re-challenged, never accepted.
pub const DEFAULT_MAX_TRACKED_NONCES: usize = 4096;

/// Longest username, cnonce or nc we accept in credentials; longer is a malformed request
/// (and would only make us hash more).
const MAX_FIELD_LEN: usize = 1024;

/// Server settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// The protection space, sent in challenges and required in credentials.
    pub realm: String,
    /// Algorithms offered, one WWW-Authenticate each, in this order. RFC 8760 §2.4 wants the
    /// preferred first; default SHA-256 then MD5. Note: SIPp before 3.7.3 answers only the
    /// first challenge and knows no SHA-256, so put MD5 first (or alone) for it.
    pub algorithms: Vec<Algorithm>,
    /// See [`DEFAULT_NONCE_LIFETIME_SECS`].
    pub nonce_lifetime_secs: u64,
    /// See [`DEFAULT_MAX_TRACKED_NONCES`].
    pub max_tracked_nonces: usize,
    /// Accept RFC 2069 responses (no qop, so no nc): each nonce is then good for one request,
    /// the next use gets [`Verification::Stale`]. Default true, for old room systems.
    pub accept_no_qop: bool,
    /// Offer `qop="auth,auth-int"` instead of `qop="auth"`. Default false: the body hash
    /// adds little over TLS, and some clients (SIPp) pick auth-int whenever it is offered.
    pub offer_auth_int: bool,
}

impl ServerConfig {
    /// Defaults for `realm`.
    pub fn new(realm: impl Into<String>) -> Self {
        ServerConfig {
            realm: realm.into(),
            algorithms: vec![Algorithm::Sha256, Algorithm::Md5],
            nonce_lifetime_secs: DEFAULT_NONCE_LIFETIME_SECS,
            max_tracked_nonces: DEFAULT_MAX_TRACKED_NONCES,
            accept_no_qop: true,
            offer_auth_int: false,
        }
    }
}

/// The outcome of verifying credentials. At the edge: `Ok` lets the request through;
/// `Stale` and `Missing` are answered with a fresh challenge (`stale=true` for `Stale`);
/// `UnknownUser` and `Invalid` both become the same 401/407 (or 403) so a peer cannot tell
/// which usernames exist; `BadRequest` is a 400.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verification {
    Ok {
        username: String,
    },
    /// The nonce is ours but expired or used up, and the response was right for it.
    Stale,
    /// No Digest credentials for our realm in the request.
    Missing,
    UnknownUser,
    Invalid(InvalidReason),
    BadRequest(BadRequest),
}

/// Why well-formed credentials were refused. For logs and metrics only; never tell the peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidReason {
    #[error("response does not match")]
    WrongResponse,
    #[error("realm is not ours")]
    RealmMismatch,
    #[error("uri does not equal the Request-URI")]
    UriMismatch,
    #[error("algorithm was not offered")]
    AlgorithmNotOffered,
    #[error("qop was not offered")]
    QopNotOffered,
    #[error("nonce was not issued by us for this realm")]
    NonceNotOurs,
    #[error("opaque does not match")]
    OpaqueMismatch,
    #[error("nonce count not above the last one accepted")]
    NonceCountReplay,
    #[error("stored HA1 does not fit the algorithm")]
    StoredHa1Malformed,
    #[error("userhash is not supported")]
    UserhashUnsupported,
}

/// Credentials that are not valid Digest syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BadRequest {
    #[error("not a request")]
    NotARequest,
    #[error("credentials header does not parse")]
    Unparsable,
    #[error("scheme is not Digest")]
    NotDigest,
    #[error("missing {0}")]
    Missing(&'static str),
    #[error("{0} given more than once")]
    Duplicate(&'static str),
    #[error("{0} is too long")]
    TooLong(&'static str),
    #[error("unknown algorithm")]
    UnknownAlgorithm,
    #[error("unknown qop")]
    UnknownQop,
    #[error("nc is not 8 hex digits")]
    MalformedNc,
    #[error("a -sess algorithm needs qop")]
    SessionWithoutQop,
}

/// Parsed Digest credentials (an `Authorization` or `Proxy-Authorization` value).
#[derive(Clone, PartialEq, Eq)]
pub struct DigestResponse {
    pub username: String,
    pub realm: String,
    pub nonce: String,
    pub uri: String,
    /// Lowercase hex.
    pub response: String,
    /// `MD5` when absent (RFC 7616 §3.4).
    pub algorithm: Algorithm,
    /// `(nc as sent, nc value, cnonce, qop)`; `None` for an RFC 2069 response.
    pub qop: Option<(String, u32, String, Qop)>,
    pub opaque: Option<String>,
    pub userhash: bool,
}

impl fmt::Debug for DigestResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DigestResponse")
            .field("username", &self.username)
            .field("realm", &self.realm)
            .field("uri", &self.uri)
            .field("algorithm", &self.algorithm)
            .field("qop", &self.qop.as_ref().map(|q| q.3))
            .finish_non_exhaustive()
    }
}

const DIRECTIVES: [&str; 11] = [
    "username",
    "realm",
    "nonce",
    "uri",
    "response",
    "algorithm",
    "cnonce",
    "opaque",
    "qop",
    "nc",
    "userhash",
];

impl DigestResponse {
    /// Parses Digest credentials. Each directive may appear once (RFC 7616 §3.4).
    pub fn parse(value: &AuthValue<'_>) -> Result<Self, BadRequest> {
        if !value.scheme.eq_ignore_ascii_case("Digest") {
            return Err(BadRequest::NotDigest);
        }
        for name in DIRECTIVES {
            let count = value
                .params
                .iter()
                .filter(|p| p.name.eq_ignore_ascii_case(name))
                .count();
            if count > 1 {
                return Err(BadRequest::Duplicate(name));
            }
        }
        let get = |name: &'static str| -> Result<Option<String>, BadRequest> {
            match value.param(name) {
                Some(v) if v.len() > MAX_FIELD_LEN && name != "uri" => {
                    Err(BadRequest::TooLong(name))
                }
                Some(v) => Ok(Some(v.to_string())),
                None => Ok(None),
            }
        };
        let need = |name: &'static str| get(name)?.ok_or(BadRequest::Missing(name));
        let algorithm = match get("algorithm")? {
            Some(a) => Algorithm::parse(&a).ok_or(BadRequest::UnknownAlgorithm)?,
            None => Algorithm::Md5,
        };
        let qop = match get("qop")? {
            Some(q) => {
                let qop = Qop::parse(&q).ok_or(BadRequest::UnknownQop)?;
                let nc_text = need("nc")?;
                if nc_text.len() != 8 || !nc_text.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(BadRequest::MalformedNc);
                }
                let nc = u32::from_str_radix(&nc_text, 16).map_err(|_| BadRequest::MalformedNc)?;
                Some((nc_text, nc, need("cnonce")?, qop))
            }
            None if algorithm.is_session() => return Err(BadRequest::SessionWithoutQop),
            None => None,
        };
        Ok(DigestResponse {
            username: need("username")?,
            realm: need("realm")?,
            nonce: need("nonce")?,
            uri: need("uri")?,
            response: need("response")?.to_ascii_lowercase(),
            algorithm,
            qop,
            opaque: get("opaque")?,
            userhash: get("userhash")?.is_some_and(|v| v.eq_ignore_ascii_case("true")),
        })
    }
}

/// A digest authentication server for one realm. Owns the nonce key and the nonce-count
/// table; drive it from one place (`&mut self`), like the other sans-IO cores.
#[derive(Debug)]
pub struct DigestServer {
    config: ServerConfig,
    secret: NonceSecret,
    opaque: String,
    counts: NonceCounts,
}

impl DigestServer {
    pub fn new(config: ServerConfig, secret: NonceSecret) -> Self {
        let opaque = secret.opaque(&config.realm);
        let counts = NonceCounts::new(config.max_tracked_nonces);
        DigestServer {
            config,
            secret,
            opaque,
            counts,
        }
    }

    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    /// Nonces currently tracked for replay protection.
    pub fn tracked_nonces(&self) -> usize {
        self.counts.len()
    }

    /// WWW-Authenticate / Proxy-Authenticate values, one per configured algorithm in order,
    /// sharing one nonce issued at `now` from the caller's `random` bytes. `stale` after a
    /// [`Verification::Stale`].
    pub fn challenges(
        &self,
        now: u64,
        random: &[u8; NONCE_RANDOM_LEN],
        stale: bool,
    ) -> Vec<String> {
        let nonce = self.secret.issue(&self.config.realm, now, random);
        let qop = if self.config.offer_auth_int {
            "auth,auth-int"
        } else {
            "auth"
        };
        self.config
            .algorithms
            .iter()
            .map(|alg| {
                let mut v = String::from("Digest realm=");
                push_quoted(&mut v, &self.config.realm);
                v.push_str(", nonce=");
                push_quoted(&mut v, &nonce);
                v.push_str(", opaque=");
                push_quoted(&mut v, &self.opaque);
                v.push_str(", algorithm=");
                v.push_str(alg.as_str());
                v.push_str(", qop=\"");
                v.push_str(qop);
                v.push('"');
                if stale {
                    v.push_str(", stale=true");
                }
                v
            })
            .collect()
    }

    /// Verifies the Digest credentials for our realm in `msg`'s `header` (Authorization for a
    /// registrar/UAS, Proxy-Authorization for a proxy).
    pub fn verify_message(
        &mut self,
        now: u64,
        msg: &Message<'_>,
        header: HeaderName<'static>,
        store: &impl CredentialLookup,
    ) -> Verification {
        let Some(request) = DigestRequest::from_message(msg) else {
            return Verification::BadRequest(BadRequest::NotARequest);
        };
        let Ok(values) = msg.auth(header) else {
            return Verification::BadRequest(BadRequest::Unparsable);
        };
        let ours = values.iter().find(|v| {
            v.scheme.eq_ignore_ascii_case("Digest")
                && v.param("realm").map(|r| r.as_ref()) == Some(self.config.realm.as_str())
        });
        match ours {
            Some(value) => self.verify(now, value, &request, store),
            None => Verification::Missing,
        }
    }

    /// Verifies one credentials value: syntax, nonce authenticity, the response, then the
    /// nonce's age and count. Age is checked after the response so that `Stale` (which lets a
    /// client retry without asking its user) is only said to a client that knows the password
    /// (RFC 2617 §3.2.1).
    pub fn verify(
        &mut self,
        now: u64,
        value: &AuthValue<'_>,
        request: &DigestRequest<'_>,
        store: &impl CredentialLookup,
    ) -> Verification {
        let creds = match DigestResponse::parse(value) {
            Ok(c) => c,
            Err(e) => return Verification::BadRequest(e),
        };
        if creds.realm != self.config.realm {
            return Verification::Invalid(InvalidReason::RealmMismatch);
        }
        let Some((id, issued)) = self.secret.open(&self.config.realm, &creds.nonce) else {
            return Verification::Invalid(InvalidReason::NonceNotOurs);
        };
        if creds
            .opaque
            .as_ref()
            .is_some_and(|o| !ct_eq(o.as_bytes(), self.opaque.as_bytes()))
        {
            return Verification::Invalid(InvalidReason::OpaqueMismatch);
        }
        let result = self.check_response(&creds, request, store);
        if !matches!(result, Verification::Ok { .. }) {
            return result;
        }
        let lifetime = self.config.nonce_lifetime_secs;
        if now.abs_diff(issued) > lifetime {
            return Verification::Stale;
        }
        let nc = creds.qop.as_ref().map(|q| q.1);
        match self.counts.record(id, issued, nc, now, lifetime) {
            NcOutcome::Accepted => result,
            NcOutcome::Replay => Verification::Invalid(InvalidReason::NonceCountReplay),
            NcOutcome::NeedFresh => Verification::Stale,
        }
    }

    /// Checks the response alone, with no nonce origin, age or count checks: for vectors with
    /// foreign nonces, and for callers with their own nonce scheme. Realm, offered algorithm
    /// and qop, and uri are checked here.
    pub fn check_response(
        &self,
        creds: &DigestResponse,
        request: &DigestRequest<'_>,
        store: &impl CredentialLookup,
    ) -> Verification {
        if creds.realm != self.config.realm {
            return Verification::Invalid(InvalidReason::RealmMismatch);
        }
        if !self.config.algorithms.contains(&creds.algorithm) {
            return Verification::Invalid(InvalidReason::AlgorithmNotOffered);
        }
        match creds.qop.as_ref().map(|q| q.3) {
            None if !self.config.accept_no_qop => {
                return Verification::Invalid(InvalidReason::QopNotOffered)
            }
            Some(Qop::AuthInt) if !self.config.offer_auth_int => {
                return Verification::Invalid(InvalidReason::QopNotOffered)
            }
            _ => {}
        }
        if creds.userhash {
            return Verification::Invalid(InvalidReason::UserhashUnsupported);
        }
        if creds.uri != request.uri {
            return Verification::Invalid(InvalidReason::UriMismatch);
        }
        let alg = creds.algorithm;
        let ha1 = match store.lookup(&creds.username, &creds.realm, alg.base()) {
            None => return Verification::UnknownUser,
            Some(StoredSecret::Password(p)) => {
                Ha1::compute(alg, &creds.username, &creds.realm, p.expose())
            }
            Some(StoredSecret::Ha1(h)) if h.expose().len() == alg.hex_len() => h,
            Some(StoredSecret::Ha1(_)) => {
                return Verification::Invalid(InvalidReason::StoredHa1Malformed)
            }
        };
        let expected = compute_response(&ResponseInput {
            algorithm: alg,
            ha1: ha1.expose(),
            nonce: &creds.nonce,
            qop: creds
                .qop
                .as_ref()
                .map(|(nc, _, cnonce, qop)| (nc.as_str(), cnonce.as_str(), *qop)),
            method: request.method,
            uri: request.uri,
            body: request.body,
        });
        if ct_eq(expected.as_bytes(), creds.response.as_bytes()) {
            Verification::Ok {
                username: creds.username.clone(),
            }
        } else {
            Verification::Invalid(InvalidReason::WrongResponse)
        }
    }
}

/// Appends `s` as a quoted-string, escaping `"` and `\`.
pub(crate) fn push_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}
