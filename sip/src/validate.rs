//! What RFC 3261 requires of every message beyond its syntax: the mandatory headers, the
//! headers that may appear only once, a CSeq that matches the request, a Request-URI without
//! URI headers, and a well-formed value in every header we know.

use crate::error::{DecodeError, Fault, ValidationError};
use crate::header_name::HeaderName;
use crate::headers::check_header;
use std::borrow::Cow;

use crate::error::HeaderError;
use crate::headers::{check_call_id, parse_vias, CSeq, NameAddr};
use crate::limits::MAX_LIST_ITEMS;
use crate::message::{parse_datagram, CoreHeaders, Header, Message, StartLine, Version};
use crate::uri::Uri;

/// Headers every request and response carries (RFC 3261 §8.1.1). Max-Forwards is also
/// mandatory for requests, but RFC 2543 peers omit it and RFC 4475 inv2543 must be accepted.
const REQUIRED: [HeaderName<'static>; 5] = [
    HeaderName::To,
    HeaderName::From,
    HeaderName::CallId,
    HeaderName::CSeq,
    HeaderName::Via,
];

/// Headers whose grammar allows one value only.
const SINGLE: [HeaderName<'static>; 17] = [
    HeaderName::To,
    HeaderName::From,
    HeaderName::CallId,
    HeaderName::CSeq,
    HeaderName::MaxForwards,
    HeaderName::ContentLength,
    HeaderName::ContentType,
    HeaderName::Expires,
    HeaderName::MinExpires,
    HeaderName::Date,
    HeaderName::SessionExpires,
    HeaderName::MinSe,
    HeaderName::RetryAfter,
    HeaderName::MimeVersion,
    HeaderName::RSeq,
    HeaderName::RAck,
    HeaderName::Timestamp,
];

/// Checks a parsed message.
pub fn validate(msg: &Message<'_>) -> Result<(), ValidationError> {
    validate_inner(msg, None)
}

fn validate_inner<'a>(
    msg: &Message<'a>,
    mut keep: Option<&mut CoreHeaders<'a>>,
) -> Result<(), ValidationError> {
    let version = match &msg.start {
        StartLine::Request(r) => r.version,
        StartLine::Response(s) => s.version,
    };
    if version != Version::SIP_2_0 {
        return Err(ValidationError::UnsupportedVersion(version.to_string()));
    }
    if let StartLine::Request(r) = &msg.start {
        if let Uri::Sip(u) = &r.uri {
            if !u.headers.is_empty() {
                return Err(ValidationError::RequestUri(
                    "URI headers are not allowed in a Request-URI",
                ));
            }
        }
    }
    // One pass: count the headers that must appear (once) and check every known value.
    let mut counts = [0usize; SINGLE.len()];
    let (mut vias, mut contacts, mut wildcard) = (0usize, 0usize, false);
    for header in &msg.headers {
        // Limits and rules that span several fields of one header.
        match header.name {
            HeaderName::Via => {
                vias +=
                    crate::lex::split_list(&header.value, MAX_LIST_ITEMS).map_or(1, |l| l.len());
                if vias > MAX_LIST_ITEMS {
                    return Err(HeaderError::new(&header.name, "too many Via entries").into());
                }
            }
            HeaderName::Contact => {
                contacts += 1;
                wildcard |= header.value.trim() == "*";
                if wildcard && contacts > 1 {
                    return Err(HeaderError::new(&header.name, "'*' mixed with addresses").into());
                }
            }
            _ => {}
        }
        if let Some(slot) = SINGLE.iter().position(|n| *n == header.name) {
            if let Some(c) = counts.get_mut(slot) {
                *c += 1;
            }
        }
        let kept = match keep.as_deref_mut() {
            Some(core) => keep_core(header, core)?,
            None => false,
        };
        if !kept {
            check_header(header)?;
        }
    }
    for name in REQUIRED {
        let slot = SINGLE.iter().position(|n| *n == name);
        let present = match slot {
            Some(slot) => counts.get(slot).is_some_and(|c| *c > 0),
            None => msg.header(name).is_some(),
        };
        if !present {
            return Err(ValidationError::MissingHeader(name.static_name()));
        }
    }
    for (name, count) in SINGLE.iter().zip(counts) {
        if count > 1 {
            return Err(ValidationError::RepeatedHeader(name.static_name(), count));
        }
    }
    if let StartLine::Request(r) = &msg.start {
        let cseq = match keep.as_deref().and_then(|c| c.cseq.clone()) {
            Some(c) => c,
            None => msg.cseq()?,
        };
        if cseq.method != r.method {
            return Err(ValidationError::CSeqMethodMismatch {
                method: r.method.to_string(),
                cseq: cseq.method.to_string(),
            });
        }
    }
    Ok(())
}

/// Parses one UDP datagram and validates the message in it.
pub fn decode_datagram(input: &[u8]) -> Result<Message<'_>, DecodeError> {
    let mut msg = parse_datagram(input)?;
    validate_and_keep(&mut msg).map_err(|e| DecodeError {
        kind: msg.kind(),
        fault: Fault::Invalid(e),
    })?;
    Ok(msg)
}

/// [`validate`], keeping the parsed core headers in the message for its accessors.
pub(crate) fn validate_and_keep(msg: &mut Message<'_>) -> Result<(), ValidationError> {
    let mut core = CoreHeaders::default();
    validate_inner(msg, Some(&mut core))?;
    msg.core = core;
    Ok(())
}

/// Parses a core header whose value borrows from the input into `core`; returns false when
/// the header is not one we keep (the caller then checks it the usual way).
fn keep_core<'a>(header: &Header<'a>, core: &mut CoreHeaders<'a>) -> Result<bool, ValidationError> {
    let Cow::Borrowed(v) = header.value else {
        return Ok(false);
    };
    let e = |what| ValidationError::Header(HeaderError::new(&header.name, what));
    match header.name {
        HeaderName::Via => {
            let mut list = parse_vias(v).map_err(e)?.into_iter();
            if core.top_via.is_none() {
                core.top_via = list.next();
            }
        }
        HeaderName::From => core.from = Some(NameAddr::parse(v).map_err(e)?),
        HeaderName::To => core.to = Some(NameAddr::parse(v).map_err(e)?),
        HeaderName::CSeq => core.cseq = Some(CSeq::parse(v).map_err(e)?),
        HeaderName::CallId => {
            check_call_id(v).map_err(e)?;
            core.call_id = Some(v);
        }
        _ => return Ok(false),
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "OPTIONS sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nTo: <sip:a@example.com>\r\nFrom: <sip:b@example.com>;tag=1\r\nCall-ID: x@y\r\nCSeq: 1 OPTIONS\r\n";

    /// Bytes handed in from outside the layer are checked in full (not only the core
    /// headers).
    #[test]
    fn received_bytes_not_from_the_layer_are_checked_in_full() {
        use crate::transaction::{Destination, Received, Transport};
        let text = format!("{BASE}Max-Forwards: many\r\n\r\n");
        let source = Destination {
            addr: "192.0.2.1:5060".parse().unwrap(),
            transport: Transport::Udp,
        };
        let r = Received::new(text.into_bytes(), source);
        assert!(r.message().is_err());
    }

    fn check(extra: &str) -> Result<(), DecodeError> {
        let text = format!("{BASE}{extra}Content-Length: 0\r\n\r\n");
        decode_datagram(text.as_bytes()).map(drop)
    }

    #[test]
    fn accepts_minimal() {
        check("").unwrap();
    }

    #[test]
    fn rejects_repeats_and_bad_values() {
        assert!(matches!(
            check("Max-Forwards: 70\r\nMax-Forwards: 69\r\n")
                .unwrap_err()
                .fault,
            Fault::Invalid(ValidationError::RepeatedHeader("Max-Forwards", 2))
        ));
        assert!(check("Expires: 4294967296\r\n").is_err());
        assert!(check("Date: Fri, 01 Jan 2010 16:00:00 EST\r\n").is_err());
        assert!(check("Require: a b\r\n").is_err());
        assert!(check("Contact: <sip:x@y>;expires=4294967296\r\n").is_err());
    }

    #[test]
    fn rules_across_fields() {
        assert!(check("Contact: *\r\nContact: <sip:a@b>\r\n").is_err());
        assert!(check("Contact: <sip:a@b>;q=0.5\r\nContact: <sip:c@d>;q=1.000\r\n").is_ok());
        for bad_q in ["1e-1", ".5", "+.5", "0.5e0", "1.5", "0.1234", "2"] {
            assert!(
                check(&format!("Contact: <sip:a@b>;q={bad_q}\r\n")).is_err(),
                "{bad_q}"
            );
        }
        let many: String = (0..70)
            .map(|i| format!("Via: SIP/2.0/UDP h{i};branch=z9hG4bK{i}\r\n"))
            .collect();
        assert!(check(&many).is_err());
    }

    #[test]
    fn rejects_missing_and_mismatch() {
        let text = BASE.replace("Call-ID: x@y\r\n", "") + "\r\n";
        let e = decode_datagram(text.as_bytes()).unwrap_err();
        assert_eq!(
            e.fault,
            Fault::Invalid(ValidationError::MissingHeader("Call-ID"))
        );
        assert_eq!(e.uas_status(), Some(400));
        let text = BASE.replace("1 OPTIONS", "1 INVITE") + "\r\n";
        assert!(matches!(
            decode_datagram(text.as_bytes()).unwrap_err().fault,
            Fault::Invalid(ValidationError::CSeqMethodMismatch { .. })
        ));
        let text = BASE.replace("SIP/2.0\r\n", "SIP/7.0\r\n") + "\r\n";
        assert_eq!(
            decode_datagram(text.as_bytes()).unwrap_err().uas_status(),
            Some(505)
        );
    }
}
