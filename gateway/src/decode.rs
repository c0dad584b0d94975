//! `roomgate decode`: one message in, its decoded form out as JSON. The exit status says
//! whether it parsed and validated; the fault and the status a UAS would send (for BFCP, the
//! Error a floor control server would answer) go to stderr.

mod h323;

pub use h323::H323Failure;

use serde_json::{json, Map, Value};

use roomgate_sip::sdp::SessionDescription;
use roomgate_sip::{
    decode_datagram, uas_refusal, DecodeError, HeaderName, Message, UasCapabilities,
};

/// The formats `decode` understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Sip,
    Sdp,
    /// One BFCP message (RFC 8855) as it travels in a UDP datagram or is cut from a TCP/TLS
    /// stream, or one version-2 fragment.
    Bfcp,
    /// A TPKT stream of H.225.0 call signalling: every packet as Q.931 with its H.225.0.
    Tpkt,
    /// One Q.931 message (a TPKT payload), its user-user element decoded as H.225.0.
    Q931,
    /// One H323-UserInformation (the contents of a Q.931 user-user element).
    H225,
    /// One H.225.0 RAS datagram.
    Ras,
    /// One H.245 MultimediaSystemControlMessage (a TPKT payload of the H.245 connection, or
    /// one tunnelled `h245Control` element).
    H245,
}

/// Why a message did not decode, as the command reports it.
#[derive(Debug, thiserror::Error)]
pub enum DecodeFailure {
    #[error("{error}{}", status_note(.error))]
    Sip { error: DecodeError },
    #[error("invalid SDP: {0}")]
    Sdp(roomgate_sip::sdp::SdpError),
    #[error("invalid BFCP message: {}{}", .0.fault, bfcp_note(.0))]
    Bfcp(roomgate_bfcp::DecodeError),
    #[error("invalid BFCP message: {0} (a floor control server answers Error 10, Unable to Parse Message)")]
    BfcpGrammar(roomgate_bfcp::GrammarError),
    #[error(transparent)]
    H323(#[from] H323Failure),
}

impl DecodeFailure {
    /// The exit status: every failure here is a verdict on the input (1); 2 is left for
    /// input the command could not read.
    pub fn exit_code(&self) -> u8 {
        1
    }
}

/// The Error a floor control server answers with, or why there is none.
fn bfcp_note(e: &roomgate_bfcp::DecodeError) -> String {
    match e.header {
        Some(h) if h.primitive == roomgate_bfcp::Primitive::Error.code() => {
            " (an Error is never answered)".to_owned()
        }
        Some(_) => {
            let code = e.fault.error_code();
            format!(
                " (a floor control server answers Error {}, {code:?})",
                code.code()
            )
        }
        None => " (dropped: no header to answer)".to_owned(),
    }
}

fn status_note(e: &DecodeError) -> String {
    match e.uas_status() {
        Some(code) => format!(" (a UAS answers {code})"),
        None => " (dropped without an answer)".to_owned(),
    }
}

/// Decodes `input` as `format` and returns the JSON document to print.
pub fn decode(format: Format, input: &[u8]) -> Result<Value, DecodeFailure> {
    match format {
        Format::Sip => decode_datagram(input)
            .map(|m| sip_json(&m, input.len()))
            .map_err(|error| DecodeFailure::Sip { error }),
        Format::Sdp => SessionDescription::parse(input)
            .map(|sdp| json!({ "sdp": sdp }))
            .map_err(DecodeFailure::Sdp),
        Format::Bfcp => bfcp_json(input),
        Format::Tpkt => Ok(h323::tpkt(input)?),
        Format::Q931 => Ok(h323::q931(input)?),
        Format::H225 => Ok(h323::h225(input)?),
        Format::Ras => Ok(h323::ras(input)?),
        Format::H245 => Ok(h323::h245(input)?),
    }
}

/// A whole message, validated against its primitive's grammar, or a version-2 fragment
/// (which cannot be validated on its own).
fn bfcp_json(input: &[u8]) -> Result<Value, DecodeFailure> {
    use roomgate_bfcp::{Fault, Fragment, Message};
    match Message::decode(input) {
        Ok(msg) => {
            msg.validate().map_err(DecodeFailure::BfcpGrammar)?;
            Ok(json!({ "bfcp": msg }))
        }
        Err(e) if e.fault == Fault::Fragmented => Fragment::decode(input)
            .map(|fragment| json!({ "bfcp_fragment": fragment }))
            .map_err(DecodeFailure::Bfcp),
        Err(e) => Err(DecodeFailure::Bfcp(e)),
    }
}

/// Puts a typed header into `typed` when present; a header whose typed parse fails cannot be
/// here (validation already ran), so a failure is shown rather than hidden.
fn put<T: serde::Serialize, E: std::fmt::Display>(
    typed: &mut Map<String, Value>,
    key: &str,
    value: Result<T, E>,
) {
    let v = match value {
        Ok(v) => serde_json::to_value(v).unwrap_or(Value::Null),
        Err(e) => json!({ "error": e.to_string() }),
    };
    if !(v.is_null() || v.as_array().is_some_and(Vec::is_empty)) {
        typed.insert(key.to_owned(), v);
    }
}

fn sip_json(m: &Message<'_>, input_len: usize) -> Value {
    let mut typed = Map::new();
    put(&mut typed, "via", m.vias());
    put(&mut typed, "from", m.from_header());
    put(&mut typed, "to", m.to_header());
    put(&mut typed, "call_id", m.call_id());
    put(&mut typed, "cseq", m.cseq());
    put(&mut typed, "contact", m.contacts());
    put(&mut typed, "max_forwards", m.max_forwards());
    put(&mut typed, "route", m.routes());
    put(&mut typed, "record_route", m.record_routes());
    put(&mut typed, "p_asserted_identity", m.p_asserted_identities());
    put(&mut typed, "content_type", m.content_type());
    put(&mut typed, "accept", m.accept());
    put(&mut typed, "expires", m.expires());
    put(&mut typed, "session_expires", m.session_expires());
    put(&mut typed, "min_se", m.min_se());
    put(&mut typed, "reason", m.reasons());
    for (key, name) in [
        ("supported", HeaderName::Supported),
        ("require", HeaderName::Require),
        ("proxy_require", HeaderName::ProxyRequire),
        ("allow", HeaderName::Allow),
    ] {
        put(&mut typed, key, m.tokens(name));
    }
    for (key, name) in [
        ("authorization", HeaderName::Authorization),
        ("proxy_authorization", HeaderName::ProxyAuthorization),
        ("www_authenticate", HeaderName::WwwAuthenticate),
        ("proxy_authenticate", HeaderName::ProxyAuthenticate),
    ] {
        // Credentials carry a digest response: print the scheme and parameter names only.
        let summary = m.auth(name).map(|list| {
            list.iter()
                .map(|a| json!({ "scheme": a.scheme, "params": a.params.iter().map(|p| p.name).collect::<Vec<_>>() }))
                .collect::<Vec<_>>()
        });
        put(&mut typed, key, summary);
    }
    if let Some(ua) = m.user_agent() {
        typed.insert("user_agent".into(), json!(ua));
    }

    let mut out = Map::new();
    out.insert("kind".into(), json!(m.kind()));
    out.insert("start_line".into(), json!(m.start));
    out.insert(
        "headers".into(),
        Value::Array(
            m.headers
                .iter()
                .map(|h| json!({ "name": h.name, "value": h.value }))
                .collect(),
        ),
    );
    out.insert("typed".into(), Value::Object(typed));
    out.insert("body".into(), body_json(m));
    if m.consumed < input_len {
        out.insert(
            "ignored_trailing_bytes".into(),
            json!(input_len - m.consumed),
        );
    }
    if let Some(refusal) = uas_refusal(m, &UasCapabilities::default()) {
        out.insert("uas_would_refuse".into(), json!(refusal));
    }
    Value::Object(out)
}

fn body_json(m: &Message<'_>) -> Value {
    let mut body = Map::new();
    body.insert("length".into(), json!(m.body.len()));
    if m.body.is_empty() {
        return Value::Object(body);
    }
    match std::str::from_utf8(m.body) {
        Ok(text) => body.insert("text".into(), json!(text)),
        Err(_) => body.insert("binary".into(), json!(true)),
    };
    let is_sdp = m
        .content_type()
        .ok()
        .flatten()
        .is_some_and(|ct| ct.matches("application", "sdp"));
    if is_sdp {
        match SessionDescription::parse(m.body) {
            Ok(sdp) => body.insert("sdp".into(), json!(sdp)),
            Err(e) => body.insert("sdp_error".into(), json!(e.to_string())),
        };
    }
    Value::Object(body)
}
