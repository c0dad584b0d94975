//! Application-level checks a UAS makes on a valid request before acting on it (RFC 3261
//! §8.2.1–8.2.3, RFC 4475 §3.3): a Request-URI scheme it serves (416), the extensions the
//! request requires (420), a body type it understands (415), and an Accept that admits the
//! answer it would send (406). These are not syntax faults: the message is valid, the UAS just
//! cannot serve it.

use crate::header_name::HeaderName;
use crate::message::Message;
use crate::method::Method;

/// What a UAS supports.
#[derive(Debug, Clone)]
pub struct UasCapabilities<'c> {
    pub uri_schemes: &'c [&'c str],
    pub option_tags: &'c [&'c str],
    /// Body types understood, as `type/subtype`.
    pub body_types: &'c [&'c str],
    /// The body type of our answers (the SDP answer to an INVITE).
    pub answer_type: &'c str,
}

impl Default for UasCapabilities<'static> {
    fn default() -> Self {
        UasCapabilities {
            uri_schemes: &["sip", "sips", "tel"],
            option_tags: &["timer"],
            body_types: &[
                "application/sdp",
                "application/dtmf-relay",
                "application/dtmf",
                "multipart/mixed",
            ],
            answer_type: "application/sdp",
        }
    }
}

/// Why a UAS refuses a valid request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Refusal {
    pub status: u16,
    pub reason: &'static str,
    /// For 420: the option tags to list in Unsupported.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unsupported: Vec<String>,
}

/// Returns the refusal for a request this UAS cannot serve, or `None`. Call it only on
/// requests that passed [`crate::validate`].
pub fn uas_refusal(msg: &Message<'_>, caps: &UasCapabilities<'_>) -> Option<Refusal> {
    let req = msg.request_line()?;
    let refuse = |status, reason| {
        Some(Refusal {
            status,
            reason,
            unsupported: Vec::new(),
        })
    };
    if !caps
        .uri_schemes
        .iter()
        .any(|s| s.eq_ignore_ascii_case(req.uri.scheme()))
    {
        return refuse(416, "Unsupported URI Scheme");
    }
    // CANCEL and ACK cannot be refused for extensions (RFC 3261 §8.2.2.3).
    if !matches!(req.method, Method::Ack | Method::Cancel) {
        let required = msg.tokens(HeaderName::Require).ok()?;
        let unsupported: Vec<String> = required
            .into_iter()
            .filter(|t| !caps.option_tags.iter().any(|o| o.eq_ignore_ascii_case(t)))
            .map(str::to_owned)
            .collect();
        if !unsupported.is_empty() {
            return Some(Refusal {
                status: 420,
                reason: "Bad Extension",
                unsupported,
            });
        }
    }
    if !msg.body.is_empty() {
        if let Ok(Some(ct)) = msg.content_type() {
            let known = caps.body_types.iter().any(|t| {
                t.split_once('/')
                    .is_some_and(|(k, s)| ct.matches(k, s) && ct.kind != "*")
            });
            if !known {
                return refuse(415, "Unsupported Media Type");
            }
        }
    }
    if req.method == Method::Invite {
        if let Ok(Some(accept)) = msg.accept() {
            let (k, s) = caps
                .answer_type
                .split_once('/')
                .unwrap_or((caps.answer_type, ""));
            if !accept.is_empty() && !accept.iter().any(|m| m.matches(k, s)) {
                return refuse(406, "Not Acceptable");
            }
        }
    }
    None
}
