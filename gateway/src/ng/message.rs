//! ng control messages (rtpengine's protocol, spoken by Kamailio's and OpenSIPS's rtpengine
//! modules): a datagram is a cookie, a space, and one bencoded dictionary; the answer echoes
//! the cookie. Requests are read into typed commands with the options the proxies send for
//! common cases; what we do not know is kept by name so the caller can refuse or ignore it.

use super::bencode::{BencodeError, Value};

/// Longest cookie: proxies send a short token (Kamailio: `pid_counter`).
pub const MAX_COOKIE: usize = 64;

/// Longest datagram we read (the UDP payload limit; an offer with a large SDP fits).
pub const MAX_DATAGRAM: usize = 65_507;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NgError {
    #[error("datagram of {0} bytes is larger than {MAX_DATAGRAM}")]
    TooLarge(usize),
    #[error("no cookie before the message")]
    NoCookie,
    #[error("cookie longer than {MAX_COOKIE} bytes or not printable")]
    BadCookie,
    #[error("message is not bencode: {0}")]
    Bencode(#[from] BencodeError),
    #[error("message is not a dictionary")]
    NotDictionary,
    #[error("no command")]
    NoCommand,
    #[error("{command} needs {key}")]
    Missing {
        command: &'static str,
        key: &'static str,
    },
}

/// Codec manipulations of an offer (`codec` dictionary: `strip`, `offer`, `transcode`,
/// `mask`), by encoding name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodecOps {
    pub strip: Vec<String>,
    pub offer: Vec<String>,
    pub transcode: Vec<String>,
    pub mask: Vec<String>,
}

/// What `offer` and `answer` carry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OfferAnswer {
    pub call_id: String,
    pub from_tag: String,
    /// In an answer (and in an offer of a re-INVITE).
    pub to_tag: Option<String>,
    pub via_branch: Option<String>,
    pub sdp: Vec<u8>,
    /// `flags`: trust-address, symmetric, asymmetric, strict-source, reset, port-latching, …
    pub flags: Vec<String>,
    /// `replace`: origin, session-connection, …
    pub replace: Vec<String>,
    /// `transport-protocol`: RTP/AVP, RTP/SAVP, RTP/AVPF, RTP/SAVPF, …
    pub transport_protocol: Option<String>,
    /// `ICE`: remove, force, …
    pub ice: Option<String>,
    /// `rtcp-mux`: offer, accept, demux, reject, require.
    pub rtcp_mux: Vec<String>,
    /// `direction`: two logical interface names.
    pub direction: Vec<String>,
    /// `received-from`: address family and address of the SIP peer.
    pub received_from: Vec<String>,
    /// `SDES`: suites to offer or leave out (`off`, `no-AES_CM_128_HMAC_SHA1_32`, …).
    pub sdes: Vec<String>,
    pub codec: CodecOps,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command {
    Ping,
    Offer(Box<OfferAnswer>),
    Answer(Box<OfferAnswer>),
    Delete {
        call_id: String,
        from_tag: Option<String>,
        to_tag: Option<String>,
    },
    Query {
        call_id: String,
    },
    List {
        limit: Option<u32>,
    },
    /// A command we do not implement (`start recording`, `block DTMF`, …): answered with an
    /// error naming it.
    Other(String),
}

impl Command {
    pub fn name(&self) -> &str {
        match self {
            Command::Ping => "ping",
            Command::Offer(_) => "offer",
            Command::Answer(_) => "answer",
            Command::Delete { .. } => "delete",
            Command::Query { .. } => "query",
            Command::List { .. } => "list",
            Command::Other(name) => name,
        }
    }
}

/// One request: its cookie (echoed in the answer) and command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub cookie: String,
    pub command: Command,
}

fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::to_owned)
}

fn list(v: Option<&Value>) -> Vec<String> {
    v.map(|v| v.as_str_list().into_iter().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// Splits a datagram into cookie and message.
pub fn split(datagram: &[u8]) -> Result<(String, &[u8]), NgError> {
    if datagram.len() > MAX_DATAGRAM {
        return Err(NgError::TooLarge(datagram.len()));
    }
    let space = datagram
        .iter()
        .position(|&b| b == b' ')
        .ok_or(NgError::NoCookie)?;
    let (cookie, rest) = datagram.split_at(space);
    if cookie.is_empty() || cookie.len() > MAX_COOKIE || !cookie.iter().all(u8::is_ascii_graphic) {
        return Err(NgError::BadCookie);
    }
    let cookie = String::from_utf8_lossy(cookie).into_owned();
    Ok((cookie, rest.get(1..).unwrap_or_default()))
}

impl Request {
    /// Reads one datagram. An error after the cookie is known can still be answered
    /// ([`split`] gives the cookie).
    pub fn decode(datagram: &[u8]) -> Result<Request, NgError> {
        let (cookie, body) = split(datagram)?;
        let v = Value::decode(body)?;
        if !matches!(v, Value::Dict(_)) {
            return Err(NgError::NotDictionary);
        }
        let name = text(v.get("command")).ok_or(NgError::NoCommand)?;
        let command = match name.as_str() {
            "ping" => Command::Ping,
            "offer" | "answer" => {
                let command = if name == "offer" { "offer" } else { "answer" };
                let need =
                    |key: &'static str| text(v.get(key)).ok_or(NgError::Missing { command, key });
                let sdp = match v.get("sdp") {
                    Some(Value::Bytes(b)) => b.clone(),
                    _ => {
                        return Err(NgError::Missing {
                            command,
                            key: "sdp",
                        })
                    }
                };
                let codec = v.get("codec");
                let oa = OfferAnswer {
                    call_id: need("call-id")?,
                    from_tag: need("from-tag")?,
                    to_tag: text(v.get("to-tag")),
                    via_branch: text(v.get("via-branch")),
                    sdp,
                    flags: list(v.get("flags")),
                    replace: list(v.get("replace")),
                    transport_protocol: text(v.get("transport-protocol")),
                    ice: text(v.get("ICE")),
                    rtcp_mux: list(v.get("rtcp-mux")),
                    direction: list(v.get("direction")),
                    received_from: list(v.get("received-from")),
                    sdes: list(v.get("SDES")),
                    codec: CodecOps {
                        strip: list(codec.and_then(|c| c.get("strip"))),
                        offer: list(codec.and_then(|c| c.get("offer"))),
                        transcode: list(codec.and_then(|c| c.get("transcode"))),
                        mask: list(codec.and_then(|c| c.get("mask"))),
                    },
                };
                if command == "answer" && oa.to_tag.is_none() {
                    return Err(NgError::Missing {
                        command,
                        key: "to-tag",
                    });
                }
                if command == "offer" {
                    Command::Offer(Box::new(oa))
                } else {
                    Command::Answer(Box::new(oa))
                }
            }
            "delete" => Command::Delete {
                call_id: text(v.get("call-id")).ok_or(NgError::Missing {
                    command: "delete",
                    key: "call-id",
                })?,
                from_tag: text(v.get("from-tag")),
                to_tag: text(v.get("to-tag")),
            },
            "query" => Command::Query {
                call_id: text(v.get("call-id")).ok_or(NgError::Missing {
                    command: "query",
                    key: "call-id",
                })?,
            },
            "list" => Command::List {
                limit: v.get("limit").and_then(|l| match l {
                    Value::Int(i) => u32::try_from(*i).ok(),
                    Value::Bytes(_) => l.as_str().and_then(|s| s.parse().ok()),
                    _ => None,
                }),
            },
            _ => Command::Other(name.chars().take(32).collect()),
        };
        Ok(Request { cookie, command })
    }
}

/// Our answer to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    Pong,
    /// `result: ok` with more entries (the rewritten `sdp`, `created`, `calls`, …).
    Ok(Vec<(String, Value)>),
    /// `result: error` with the reason.
    Error(String),
}

impl Response {
    /// The datagram: the request's cookie, a space, the bencoded dictionary.
    pub fn encode(&self, cookie: &str) -> Vec<u8> {
        let dict = match self {
            Response::Pong => vec![(b"result".to_vec(), Value::bytes("pong"))],
            Response::Ok(extra) => {
                let mut d = vec![(b"result".to_vec(), Value::bytes("ok"))];
                d.extend(
                    extra
                        .iter()
                        .map(|(k, v)| (k.as_bytes().to_vec(), v.clone())),
                );
                d
            }
            Response::Error(reason) => vec![
                (b"result".to_vec(), Value::bytes("error")),
                (b"error-reason".to_vec(), Value::bytes(reason.as_bytes())),
            ],
        };
        let mut out = Vec::with_capacity(cookie.len() + 64);
        out.extend_from_slice(cookie.as_bytes());
        out.push(b' ');
        Value::Dict(dict).encode_into(&mut out);
        out
    }
}
