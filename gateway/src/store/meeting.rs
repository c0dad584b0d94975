//! A meeting as the gateway stores it, and the checks a meeting must pass before it is stored.
//! Everything here comes from an operator (CLI, later the admin API), and some of it later goes
//! into SIP messages and terminals, so it is checked once on the way in rather than everywhere
//! it is used.

use std::fmt;

use roomgate_sip::sdp::CryptoSuite;
use roomgate_sip::Uri;

/// Longest meeting id: ids are the dialled user part, typed on room-system keypads.
pub const MAX_ID_LEN: usize = 32;
/// Longest upstream URI accepted; it ends up in a Request-URI, which has to fit a datagram.
pub const MAX_URI_LEN: usize = 512;
/// Most SDES suites a meeting may prefer; there are only eleven known ones.
pub const MAX_SUITES: usize = 16;
/// Longest digest username or realm.
pub const MAX_CREDENTIAL_FIELD_LEN: usize = 256;
/// Longest digest password.
pub const MAX_PASSWORD_LEN: usize = 1024;

/// The text that stands for [`Upstream::Echo`] in the store and in output.
pub const ECHO_UPSTREAM: &str = "builtin:echo";

/// One meeting: what a caller dials, and where the gateway takes the call. `Debug` shows
/// whether a PIN is set, never the hash: meetings get logged, and a hash is enough to brute
/// force a short PIN offline.
#[derive(Clone, PartialEq, Eq)]
pub struct Meeting {
    /// The dialled user part, e.g. `1001`; see [`validate_id`].
    pub id: String,
    /// Where the cloud leg goes.
    pub upstream: Upstream,
    /// Whether the upstream leg must, may or must not use SRTP.
    pub srtp: SrtpMode,
    /// SDES suite names (standard spelling) in preference order; empty means the gateway's
    /// default order (AES-256 first).
    pub suites: Vec<String>,
    /// Digest credentials the gateway answers the upstream's challenges with.
    pub credentials: Option<UpstreamCredentials>,
    /// Argon2id PHC string of the meeting PIN (see [`crate::pin`]); `None` for an open
    /// meeting. Secret: never logged or printed.
    pub pin_hash: Option<String>,
}

/// Where a meeting's cloud leg goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upstream {
    /// The built-in echo service (`builtin:echo`): a complete call without any cloud.
    Echo,
    /// A `sip:` or `sips:` URI.
    Uri(String),
    /// An H.323 endpoint or MCU, `h323:alias@host[:port]` (port 1720 when absent): called
    /// over H.323 with plain RTP, so only meetings whose SRTP policy allows that use it.
    H323(String),
}

/// Where an `h323:` upstream is: the alias dialled, the host and the port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct H323Target {
    pub alias: String,
    pub host: String,
    pub port: u16,
}

/// Longest alias of an `h323:` upstream (H.225.0 limits aliases to 256 characters; room
/// systems and MCUs use short numbers or names).
pub const MAX_H323_ALIAS: usize = 128;

impl H323Target {
    /// Reads `h323:alias@host[:port]`; the host is a name or an address (IPv6 in brackets).
    pub fn parse(text: &str) -> Result<H323Target, &'static str> {
        let rest = text
            .strip_prefix("h323:")
            .ok_or("an H.323 upstream starts with h323:")?;
        let (alias, hostport) = rest
            .rsplit_once('@')
            .ok_or("an H.323 upstream is h323:alias@host[:port]")?;
        if alias.is_empty()
            || alias.len() > MAX_H323_ALIAS
            || !alias
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.#*".contains(&b))
        {
            return Err("the alias must be 1-128 letters, digits or -_.#*");
        }
        let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
            let (h, after) = v6.split_once(']').ok_or("unclosed [ in the host")?;
            let port = match after.strip_prefix(':') {
                Some(p) => p.parse().map_err(|_| "bad port")?,
                None if after.is_empty() => 1720,
                None => return Err("bad port"),
            };
            (h.to_owned(), port)
        } else {
            match hostport.rsplit_once(':') {
                Some((h, p)) => (h.to_owned(), p.parse().map_err(|_| "bad port")?),
                None => (hostport.to_owned(), 1720),
            }
        };
        let host_ok = !host.is_empty()
            && host.len() <= 253
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-.:".contains(&b));
        if !host_ok || port == 0 {
            return Err("bad host or port");
        }
        Ok(H323Target {
            alias: alias.to_owned(),
            host,
            port,
        })
    }
}

/// SRTP policy of the upstream leg.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum SrtpMode {
    /// Offer only RTP/SAVP; a peer that cannot do SRTP fails the call.
    #[default]
    Mandatory,
    /// Offer SRTP, accept plain RTP.
    Optional,
    /// Plain RTP only.
    Off,
}

impl SrtpMode {
    /// The offer/answer policy this mode means.
    pub fn policy(self) -> roomgate_sip::sdp::offer_answer::SrtpPolicy {
        use roomgate_sip::sdp::offer_answer::SrtpPolicy;
        match self {
            SrtpMode::Mandatory => SrtpPolicy::Mandatory,
            SrtpMode::Optional => SrtpPolicy::Optional,
            SrtpMode::Off => SrtpPolicy::Off,
        }
    }
}

/// Digest credentials for the upstream. The password is kept in clear because digest needs
/// it (or an HA1 bound to a realm we may not know yet); the store file is private (0600) for
/// that reason, and `Debug` leaves the password out.
#[derive(Clone, PartialEq, Eq)]
pub struct UpstreamCredentials {
    pub username: String,
    /// Secret: never logged or printed.
    pub password: String,
    /// The realm these credentials are for; any realm when absent.
    pub realm: Option<String>,
}

/// Why a meeting was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MeetingError {
    #[error("invalid meeting id {0:?}: 1 to 32 characters of 0-9 A-Z a-z _ -")]
    BadId(String),
    #[error("invalid upstream {value:?}: {reason}")]
    BadUpstream { value: String, reason: String },
    #[error("unknown SRTP suite {0:?}")]
    UnknownSuite(String),
    #[error("SRTP suite {0} listed twice")]
    DuplicateSuite(String),
    #[error("more than {MAX_SUITES} SRTP suites")]
    TooManySuites,
    #[error("invalid credentials: {0}")]
    BadCredentials(&'static str),
    #[error("unknown SRTP mode {0:?} (mandatory, optional or off)")]
    BadSrtpMode(String),
}

/// Checks a meeting id: 1..=32 characters of `[0-9A-Za-z_-]`. Nothing that needs escaping in
/// a SIP user part, a file name or a terminal.
pub fn validate_id(id: &str) -> Result<(), MeetingError> {
    let ok = (1..=MAX_ID_LEN).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(MeetingError::BadId(id.to_owned()))
    }
}

impl Upstream {
    /// Parses what an operator gives: `echo` or `builtin:echo`, or a `sip:`/`sips:` URI. A URI
    /// with a password in it is refused: it would be printed by `meeting list` and logged with
    /// every request; credentials have their own, secret, field.
    pub fn parse(text: &str) -> Result<Self, MeetingError> {
        if text == "echo" || text == ECHO_UPSTREAM {
            return Ok(Upstream::Echo);
        }
        let bad = |reason: &str| MeetingError::BadUpstream {
            value: text.to_owned(),
            reason: reason.to_owned(),
        };
        if text.starts_with("h323:") {
            return match H323Target::parse(text) {
                Ok(_) => Ok(Upstream::H323(text.to_owned())),
                Err(reason) => Err(bad(reason)),
            };
        }
        if text.len() > MAX_URI_LEN {
            return Err(MeetingError::BadUpstream {
                value: text.chars().take(64).collect::<String>() + "…",
                reason: format!("longer than {MAX_URI_LEN} bytes"),
            });
        }
        let uri = Uri::parse(text).map_err(|e| bad(e.0))?;
        let sip = uri
            .as_sip()
            .ok_or_else(|| bad("scheme must be sip, sips or h323 (or use \"echo\")"))?;
        if sip.password.is_some() {
            return Err(bad(
                "a password in the URI would be shown in lists and logs; use the credentials",
            ));
        }
        Ok(Upstream::Uri(text.to_owned()))
    }

    /// The stored and printed form: `builtin:echo` or the URI.
    pub fn as_str(&self) -> &str {
        match self {
            Upstream::Echo => ECHO_UPSTREAM,
            Upstream::Uri(uri) | Upstream::H323(uri) => uri,
        }
    }
}

impl fmt::Display for Upstream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl SrtpMode {
    /// The stored and printed name.
    pub fn as_str(self) -> &'static str {
        match self {
            SrtpMode::Mandatory => "mandatory",
            SrtpMode::Optional => "optional",
            SrtpMode::Off => "off",
        }
    }

    pub fn parse(text: &str) -> Result<Self, MeetingError> {
        match text {
            "mandatory" => Ok(SrtpMode::Mandatory),
            "optional" => Ok(SrtpMode::Optional),
            "off" => Ok(SrtpMode::Off),
            other => Err(MeetingError::BadSrtpMode(other.to_owned())),
        }
    }
}

impl fmt::Display for SrtpMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Meeting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Meeting")
            .field("id", &self.id)
            .field("upstream", &self.upstream)
            .field("srtp", &self.srtp)
            .field("suites", &self.suites)
            .field("credentials", &self.credentials)
            .field("pin", &self.pin_hash.is_some())
            .finish()
    }
}

// The password never reaches Debug output: meetings get logged.
impl fmt::Debug for UpstreamCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UpstreamCredentials")
            .field("username", &self.username)
            .field("realm", &self.realm)
            .finish_non_exhaustive()
    }
}

/// Checks suite names against the SDES suites `roomgate-sip` knows and returns them in their
/// standard spelling (the legacy `AES_CM_256_…` spelling is accepted and normalised, so the
/// store holds one name per suite).
pub fn normalize_suites(suites: &[String]) -> Result<Vec<String>, MeetingError> {
    if suites.len() > MAX_SUITES {
        return Err(MeetingError::TooManySuites);
    }
    let mut out: Vec<String> = Vec::with_capacity(suites.len());
    for name in suites {
        let (suite, _legacy) = CryptoSuite::parse(name);
        if matches!(suite, CryptoSuite::Other(_)) {
            return Err(MeetingError::UnknownSuite(name.clone()));
        }
        let standard = suite.name().to_owned();
        if out.contains(&standard) {
            return Err(MeetingError::DuplicateSuite(standard));
        }
        out.push(standard);
    }
    Ok(out)
}

fn check_text_field(value: &str, max: usize, what: &'static str) -> Result<(), MeetingError> {
    if value.len() > max || value.chars().any(char::is_control) {
        return Err(MeetingError::BadCredentials(what));
    }
    Ok(())
}

impl UpstreamCredentials {
    /// Username and realm end up quoted in an Authorization header and printed by `meeting
    /// list`, so no control characters, no `"` or `\` (digest quoting is not worth the risk
    /// for names), and bounded lengths.
    pub fn validate(&self) -> Result<(), MeetingError> {
        if self.username.is_empty() {
            return Err(MeetingError::BadCredentials("empty username"));
        }
        check_text_field(
            &self.username,
            MAX_CREDENTIAL_FIELD_LEN,
            "username too long or has control characters",
        )?;
        if self.username.contains(['"', '\\']) {
            return Err(MeetingError::BadCredentials("username contains \" or \\"));
        }
        if let Some(realm) = &self.realm {
            if realm.is_empty() {
                return Err(MeetingError::BadCredentials("empty realm"));
            }
            check_text_field(
                realm,
                MAX_CREDENTIAL_FIELD_LEN,
                "realm too long or has control characters",
            )?;
            if realm.contains(['"', '\\']) {
                return Err(MeetingError::BadCredentials("realm contains \" or \\"));
            }
        }
        // Any characters: passwords are often generated. The error never shows the value.
        if self.password.len() > MAX_PASSWORD_LEN {
            return Err(MeetingError::BadCredentials("password too long"));
        }
        Ok(())
    }
}

impl Meeting {
    /// A meeting with the defaults the CLI uses: mandatory SRTP, default suites, no
    /// credentials, no PIN.
    pub fn new(id: impl Into<String>, upstream: Upstream) -> Self {
        Meeting {
            id: id.into(),
            upstream,
            srtp: SrtpMode::Mandatory,
            suites: Vec::new(),
            credentials: None,
            pin_hash: None,
        }
    }

    /// Checks every field and returns the meeting as it will be stored (suite names in their
    /// standard spelling). The store calls this on every write, so nothing unchecked is kept.
    pub fn validated(&self) -> Result<Meeting, MeetingError> {
        validate_id(&self.id)?;
        if let Upstream::Uri(uri) = &self.upstream {
            // Re-parse: the enum can be built directly, bypassing Upstream::parse.
            if Upstream::parse(uri)? == Upstream::Echo {
                return Err(MeetingError::BadUpstream {
                    value: uri.clone(),
                    reason: "use Upstream::Echo for the echo service".to_owned(),
                });
            }
        }
        if let Upstream::H323(text) = &self.upstream {
            if let Err(reason) = H323Target::parse(text) {
                return Err(MeetingError::BadUpstream {
                    value: text.clone(),
                    reason: reason.to_owned(),
                });
            }
            // H.235 is not carried yet: an H.323 upstream's media is RTP, which a
            // mandatory-SRTP meeting must never get.
            if self.srtp == SrtpMode::Mandatory {
                return Err(MeetingError::BadUpstream {
                    value: text.clone(),
                    reason:
                        "an h323: upstream carries plain RTP: give the meeting srtp optional or off"
                            .to_owned(),
                });
            }
        }
        let suites = normalize_suites(&self.suites)?;
        if let Some(c) = &self.credentials {
            c.validate()?;
        }
        Ok(Meeting {
            suites,
            ..self.clone()
        })
    }
}
