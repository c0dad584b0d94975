//! RFC 8856 (and RFC 4583, which it obsoletes) offer/answer rules for a BFCP stream, over
//! plain values: the SIP layer parses and prints the SDP, the leg adapter passes what it
//! read here and writes back what these functions choose. Nothing here knows SDP syntax
//! beyond the tokens of each attribute.
//!
//! - role: `a=floorctrl` (RFC 8856 §4 table): who is floor control server;
//! - transport: the `m=` proto (RFC 8856 §3): the answer keeps the offer's;
//! - version: `a=bfcpver` (RFC 8856 §5, §10): highest version both support that the
//!   transport permits;
//! - TCP roles: `a=setup` / `a=connection` (RFC 4145 §4, RFC 8856 §7);
//! - ids: `a=confid`, `a=userid`, `a=floorid` with the `a=label`s of the streams they control.

use serde::Serialize;

use crate::header::Version;
use crate::limits::MAX_FLOORS;
use crate::transport::Transport;

/// Why an offer or answer cannot be accepted; the stream is then refused (port 0) or, for an
/// answer, the BFCP stream is not used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NegotiationError {
    #[error("no floor control role fits: offered {offered:?}, we can be client {client}, server {server}")]
    NoRole {
        offered: Vec<FloorCtrl>,
        client: bool,
        server: bool,
    },
    #[error("answer role {answer:?} does not fit our offer {offered:?}")]
    BadAnswerRole {
        offered: Vec<FloorCtrl>,
        answer: Vec<FloorCtrl>,
    },
    #[error("transport {0} is not one we run")]
    Transport(Transport),
    #[error("no common BFCP version over {transport}: peer has {peer:?}")]
    NoVersion { transport: Transport, peer: Vec<u8> },
    #[error("a=setup:{0} is not a valid answer")]
    BadAnswerSetup(&'static str),
    #[error("a=setup in the answer ({answer}) does not fit the offer ({offer})")]
    SetupMismatch {
        offer: &'static str,
        answer: &'static str,
    },
    #[error("{what} {value:?} is not a valid number")]
    BadId { what: &'static str, value: String },
    #[error("floor {floor_id} controls stream label {label:?}, which no content stream has")]
    UnknownLabel { floor_id: u16, label: String },
    #[error("floor {0} appears twice")]
    DuplicateFloor(u16),
    #[error("more than {limit} floors")]
    TooManyFloors { limit: usize },
}

/// One `a=floorctrl` token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum FloorCtrl {
    /// `c-only`: floor control client.
    ClientOnly,
    /// `s-only`: floor control server.
    ServerOnly,
    /// `c-s`: either.
    ClientServer,
}

impl FloorCtrl {
    pub fn token(self) -> &'static str {
        match self {
            FloorCtrl::ClientOnly => "c-only",
            FloorCtrl::ServerOnly => "s-only",
            FloorCtrl::ClientServer => "c-s",
        }
    }

    pub fn from_token(token: &str) -> Option<FloorCtrl> {
        [
            FloorCtrl::ClientOnly,
            FloorCtrl::ServerOnly,
            FloorCtrl::ClientServer,
        ]
        .into_iter()
        .find(|r| r.token() == token)
    }
}

/// What an endpoint is on a negotiated stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Role {
    Client,
    Server,
}

/// Which roles we can take, and which we prefer when the offer leaves the choice to us.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoleCapability {
    pub client: bool,
    pub server: bool,
    pub prefer: Role,
}

impl RoleCapability {
    /// What we put in `a=floorctrl` of our offer.
    pub fn offer(self) -> Vec<FloorCtrl> {
        match (self.client, self.server) {
            (true, true) => vec![FloorCtrl::ClientServer],
            (false, true) => vec![FloorCtrl::ServerOnly],
            _ => vec![FloorCtrl::ClientOnly],
        }
    }

    fn can(self, role: Role) -> bool {
        match role {
            Role::Client => self.client,
            Role::Server => self.server,
        }
    }
}

/// The roles an `a=floorctrl` list allows its sender. RFC 4583 let an offer list `c-only
/// s-only`, which means the same as `c-s`.
fn allows(list: &[FloorCtrl], role: Role) -> bool {
    list.iter().any(|r| {
        matches!(
            (r, role),
            (FloorCtrl::ClientServer, _)
                | (FloorCtrl::ClientOnly, Role::Client)
                | (FloorCtrl::ServerOnly, Role::Server)
        )
    })
}

/// Our role as answerer and the single `a=floorctrl` token to answer with (RFC 8856 §4:
/// never `c-s` in an answer). `offered` empty means the offer had no `a=floorctrl`, in which
/// case the offerer is client and the answerer server.
pub fn answer_role(
    offered: &[FloorCtrl],
    ours: RoleCapability,
) -> Result<(Role, FloorCtrl), NegotiationError> {
    let offerer_can = |r: Role| (offered.is_empty() && r == Role::Client) || allows(offered, r);
    let other = |r: Role| match r {
        Role::Client => Role::Server,
        Role::Server => Role::Client,
    };
    let prefs = [ours.prefer, other(ours.prefer)];
    let role = prefs
        .into_iter()
        .find(|&r| ours.can(r) && offerer_can(other(r)))
        .ok_or_else(|| NegotiationError::NoRole {
            offered: offered.to_vec(),
            client: ours.client,
            server: ours.server,
        })?;
    let token = match role {
        Role::Client => FloorCtrl::ClientOnly,
        Role::Server => FloorCtrl::ServerOnly,
    };
    Ok((role, token))
}

/// Our role as offerer once the answer arrived. An answer without `a=floorctrl` makes the
/// answerer server (RFC 8856 §4); an answer with `c-s` or several tokens is invalid.
pub fn offerer_role(offered: &[FloorCtrl], answer: &[FloorCtrl]) -> Result<Role, NegotiationError> {
    let bad = || NegotiationError::BadAnswerRole {
        offered: offered.to_vec(),
        answer: answer.to_vec(),
    };
    let ours = match answer {
        [] => Role::Client,
        [FloorCtrl::ServerOnly] => Role::Client,
        [FloorCtrl::ClientOnly] => Role::Server,
        _ => return Err(bad()),
    };
    let we_offered = if offered.is_empty() {
        ours == Role::Client
    } else {
        allows(offered, ours)
    };
    if we_offered {
        Ok(ours)
    } else {
        Err(bad())
    }
}

/// The answer keeps the offer's transport (RFC 8856 §3); a transport we do not run refuses
/// the stream.
pub fn answer_transport(
    offered: Transport,
    supported: &[Transport],
) -> Result<Transport, NegotiationError> {
    if supported.contains(&offered) {
        Ok(offered)
    } else {
        Err(NegotiationError::Transport(offered))
    }
}

/// The `a=bfcpver` list of our offer: every version we support that the transport permits,
/// ascending.
pub fn offer_versions(transport: Transport, supported: &[Version]) -> Vec<u8> {
    let mut v: Vec<u8> = supported
        .iter()
        .filter(|v| transport.permits(**v))
        .map(|v| v.number())
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// The version to run as answerer, answered as a single `a=bfcpver` value: the highest one
/// that the offer lists (or implies by its transport when it has no `a=bfcpver`, RFC 8856
/// §5), we support, and the transport permits (RFC 8855 §5.1).
pub fn answer_version(
    transport: Transport,
    offered: &[u8],
    supported: &[Version],
) -> Result<Version, NegotiationError> {
    let implied = [transport.default_version().number()];
    let peer = if offered.is_empty() {
        &implied[..]
    } else {
        offered
    };
    highest_common(transport, peer, supported)
}

/// The version to run as offerer: the answer's `a=bfcpver` (or the transport's default when
/// it has none), which must be one we offered. An answer that lists several is read as its
/// highest one we offered, the most a lenient reading can make of it.
pub fn offerer_version(
    transport: Transport,
    answer: &[u8],
    offered: &[Version],
) -> Result<Version, NegotiationError> {
    answer_version(transport, answer, offered)
}

fn highest_common(
    transport: Transport,
    peer: &[u8],
    supported: &[Version],
) -> Result<Version, NegotiationError> {
    peer.iter()
        .filter_map(|n| Version::from_number(*n))
        .filter(|v| supported.contains(v) && transport.permits(*v))
        .max_by_key(|v| v.number())
        .ok_or_else(|| NegotiationError::NoVersion {
            transport,
            peer: peer.to_vec(),
        })
}

/// `a=setup` (RFC 4145 §4): which end opens the TCP connection (or, for UDP/TLS/BFCP, is DTLS
/// client, RFC 5763 using the same attribute).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Setup {
    Active,
    Passive,
    ActPass,
    HoldConn,
}

impl Setup {
    pub fn token(self) -> &'static str {
        match self {
            Setup::Active => "active",
            Setup::Passive => "passive",
            Setup::ActPass => "actpass",
            Setup::HoldConn => "holdconn",
        }
    }

    pub fn from_token(token: &str) -> Option<Setup> {
        [
            Setup::Active,
            Setup::Passive,
            Setup::ActPass,
            Setup::HoldConn,
        ]
        .into_iter()
        .find(|s| s.token() == token)
    }

    /// Whether the end with this (resolved) setup opens the connection.
    pub fn connects(self) -> bool {
        self == Setup::Active
    }
}

/// Our `a=setup` as answerer. A missing attribute in the offer means `active` (RFC 4145
/// §4.1); `actpass` lets us pick, and `prefer` says how (it must be active or passive:
/// `actpass` is not a valid answer).
pub fn answer_setup(offered: Option<Setup>, prefer: Setup) -> Result<Setup, NegotiationError> {
    Ok(match offered.unwrap_or(Setup::Active) {
        Setup::Active => Setup::Passive,
        Setup::Passive => Setup::Active,
        Setup::HoldConn => Setup::HoldConn,
        Setup::ActPass => match prefer {
            Setup::Active | Setup::Passive => prefer,
            other => return Err(NegotiationError::BadAnswerSetup(other.token())),
        },
    })
}

/// Our resolved setup as offerer, from what we offered and what came back. A missing
/// attribute in the answer means `passive` (RFC 4145 §4.1).
pub fn offerer_setup(offered: Setup, answer: Option<Setup>) -> Result<Setup, NegotiationError> {
    let answer = answer.unwrap_or(Setup::Passive);
    let mismatch = || NegotiationError::SetupMismatch {
        offer: offered.token(),
        answer: answer.token(),
    };
    match (offered, answer) {
        (_, Setup::ActPass) => Err(NegotiationError::BadAnswerSetup(answer.token())),
        (Setup::HoldConn, _) | (_, Setup::HoldConn) => Ok(Setup::HoldConn),
        (Setup::ActPass | Setup::Active, Setup::Passive) => Ok(Setup::Active),
        (Setup::ActPass | Setup::Passive, Setup::Active) => Ok(Setup::Passive),
        _ => Err(mismatch()),
    }
}

/// `a=connection` (RFC 4145 §5): reuse the existing BFCP connection or open a new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ConnectionAttr {
    New,
    Existing,
}

/// The answer's `a=connection`: `existing` only when the offer says so and we still have the
/// connection it refers to; otherwise a new one (RFC 4145 §5: a missing attribute is `new`).
pub fn answer_connection(offered: Option<ConnectionAttr>, have_existing: bool) -> ConnectionAttr {
    match offered {
        Some(ConnectionAttr::Existing) if have_existing => ConnectionAttr::Existing,
        _ => ConnectionAttr::New,
    }
}

/// `a=confid` value: the 32-bit Conference ID as a decimal (RFC 8856 §5).
pub fn parse_conference_id(value: &str) -> Result<u32, NegotiationError> {
    decimal(value, "a=confid")
}

/// `a=userid` value: the 16-bit User ID as a decimal (RFC 8856 §5).
pub fn parse_user_id(value: &str) -> Result<u16, NegotiationError> {
    decimal(value, "a=userid")
}

fn decimal<T: std::str::FromStr>(value: &str, what: &'static str) -> Result<T, NegotiationError> {
    let digits = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
    digits
        .then(|| value.parse().ok())
        .flatten()
        .ok_or_else(|| NegotiationError::BadId {
            what,
            value: value.chars().take(32).collect(),
        })
}

/// A floor and the `a=label` of the content stream it controls (`a=floorid:N mstrm:label`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FloorBinding {
    pub floor_id: u16,
    pub label: String,
}

/// Checks the `a=floorid` lines of a session against the labels of its content streams:
/// every `mstrm` label must name a stream (RFC 8856 §5), no floor twice, at most
/// [`MAX_FLOORS`]. A floor controlling several streams gives one binding per stream.
pub fn bind_floors(
    floors: &[(u16, Vec<String>)],
    labels: &[&str],
) -> Result<Vec<FloorBinding>, NegotiationError> {
    if floors.len() > MAX_FLOORS {
        return Err(NegotiationError::TooManyFloors { limit: MAX_FLOORS });
    }
    let mut out: Vec<FloorBinding> = Vec::new();
    for (i, (floor_id, streams)) in floors.iter().enumerate() {
        if floors.iter().take(i).any(|(f, _)| f == floor_id) {
            return Err(NegotiationError::DuplicateFloor(*floor_id));
        }
        for label in streams {
            if !labels.contains(&label.as_str()) {
                return Err(NegotiationError::UnknownLabel {
                    floor_id: *floor_id,
                    label: label.clone(),
                });
            }
            out.push(FloorBinding {
                floor_id: *floor_id,
                label: label.clone(),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
#[path = "negotiate_tests.rs"]
mod tests;
