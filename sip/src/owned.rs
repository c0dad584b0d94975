//! Owned messages for building what we send, and the serializer. Content-Length is always
//! computed from the body, never copied, so a message we send cannot lie about its length.

use std::borrow::Cow;
use std::fmt::Display;
use std::io::Write;

use crate::header_name::HeaderName;
use crate::message::{Message, StartLine};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnedStartLine {
    Request { method: String, uri: String },
    Response { code: u16, reason: String },
}

/// A message under construction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedMessage {
    pub start: OwnedStartLine,
    /// Header fields as (full name, value); Content-Length is not among them. Known names are
    /// their static spelling (no allocation per header when building or cloning).
    pub headers: Vec<(Cow<'static, str>, String)>,
    pub body: Vec<u8>,
}

impl OwnedMessage {
    pub fn request(method: impl Display, uri: impl Display) -> Self {
        Self {
            start: OwnedStartLine::Request {
                method: method.to_string(),
                uri: uri.to_string(),
            },
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn response(code: u16, reason: impl Display) -> Self {
        Self {
            start: OwnedStartLine::Response {
                code,
                reason: reason.to_string(),
            },
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Appends a header field. Content-Length is ignored: it is written from the body.
    /// Values with CR or LF are refused (header injection), returning `false`.
    pub fn push(&mut self, name: HeaderName<'_>, value: impl Display) -> bool {
        let value = value.to_string();
        if value.contains(['\r', '\n']) || name == HeaderName::ContentLength {
            return false;
        }
        self.headers.push((name.to_owned_name(), value));
        true
    }

    /// Builder form of [`OwnedMessage::push`].
    pub fn with(mut self, name: HeaderName<'_>, value: impl Display) -> Self {
        self.push(name, value);
        self
    }

    /// Sets the body and its Content-Type.
    pub fn with_body(mut self, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        self.headers
            .retain(|(n, _)| HeaderName::from_wire(n) != HeaderName::ContentType);
        self.push(HeaderName::ContentType, content_type);
        self.body = body.into();
        self
    }

    /// Serializes into `out` (which is not cleared).
    pub fn write_to(&self, out: &mut Vec<u8>) {
        out.reserve(
            256 + self.body.len()
                + self
                    .headers
                    .iter()
                    .map(|(n, v)| n.len() + v.len() + 4)
                    .sum::<usize>(),
        );
        // Writing into a Vec cannot fail.
        let _ = match &self.start {
            OwnedStartLine::Request { method, uri } => write!(out, "{method} {uri} SIP/2.0\r\n"),
            OwnedStartLine::Response { code, reason } => write!(out, "SIP/2.0 {code} {reason}\r\n"),
        };
        for (name, value) in &self.headers {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        let _ = write!(out, "Content-Length: {}\r\n\r\n", self.body.len());
        out.extend_from_slice(&self.body);
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_to(&mut out);
        out
    }
}

impl Message<'_> {
    /// A response to this request per RFC 3261 §8.2.6: Via (all, in order), From, To, Call-ID
    /// and CSeq copied; `to_tag` is added to To when it has none (any response but 100 needs
    /// one). Other headers and the body are for the caller to add.
    pub fn response_to(&self, code: u16, reason: &str, to_tag: Option<&str>) -> OwnedMessage {
        let mut response = OwnedMessage::response(code, reason);
        for h in &self.headers {
            match h.name {
                HeaderName::Via | HeaderName::From | HeaderName::CallId | HeaderName::CSeq => {
                    response.push(h.name, &h.value);
                }
                HeaderName::To => {
                    let has_tag = self.to_header().is_ok_and(|t| t.tag().is_some());
                    match to_tag {
                        Some(tag) if !has_tag && code != 100 => {
                            response.push(h.name, format_args!("{};tag={tag}", h.value));
                        }
                        _ => {
                            response.push(h.name, &h.value);
                        }
                    }
                }
                _ => {}
            }
        }
        response
    }

    /// An owned copy with full header names and unfolded values.
    pub fn to_owned_message(&self) -> OwnedMessage {
        let start = match &self.start {
            StartLine::Request(r) => OwnedStartLine::Request {
                method: r.method.to_string(),
                uri: r.uri_text.to_owned(),
            },
            StartLine::Response(s) => OwnedStartLine::Response {
                code: s.code,
                reason: s.reason.to_owned(),
            },
        };
        OwnedMessage {
            start,
            headers: self
                .headers
                .iter()
                .filter(|h| h.name != HeaderName::ContentLength)
                .map(|h| (h.name.to_owned_name(), h.value.to_string()))
                .collect(),
            body: self.body.to_vec(),
        }
    }

    /// Serializes in canonical form (full header names, unfolded values, computed
    /// Content-Length) without building an owned copy.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        let _ = match &self.start {
            StartLine::Request(r) => write!(out, "{} {} {}\r\n", r.method, r.uri_text, r.version),
            StartLine::Response(s) => write!(out, "{} {} {}\r\n", s.version, s.code, s.reason),
        };
        for h in self
            .headers
            .iter()
            .filter(|h| h.name != HeaderName::ContentLength)
        {
            out.extend_from_slice(h.name.as_str().as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(h.value.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        let _ = write!(out, "Content-Length: {}\r\n\r\n", self.body.len());
        out.extend_from_slice(self.body);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode_datagram;

    #[test]
    fn built_request_decodes() {
        let msg = OwnedMessage::request("INVITE", "sip:1001@127.0.0.1")
            .with(
                HeaderName::Via,
                "SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-1;rport",
            )
            .with(HeaderName::From, "<sip:room@example.com>;tag=a")
            .with(HeaderName::To, "<sip:1001@127.0.0.1>")
            .with(HeaderName::CallId, "c1@127.0.0.1")
            .with(HeaderName::CSeq, "1 INVITE")
            .with(HeaderName::ContentLength, "999")
            .with_body("application/sdp", b"v=0\r\n".to_vec());
        let bytes = msg.to_bytes();
        let parsed = decode_datagram(&bytes).unwrap();
        assert_eq!(parsed.body, b"v=0\r\n");
        assert_eq!(parsed.headers_named(HeaderName::ContentLength).count(), 1);
        assert_eq!(
            parsed.to_owned_message(),
            msg.clone().with(HeaderName::ContentLength, "5")
        );
        let mut again = Vec::new();
        parsed.write_to(&mut again);
        assert_eq!(again, bytes);
    }

    #[test]
    fn responses_copy_the_dialog_headers_and_add_a_to_tag() {
        let req = b"OPTIONS sip:a@b SIP/2.0\r\nv: SIP/2.0/UDP h1;branch=z9hG4bK1\r\nVia: SIP/2.0/TCP h0;branch=z9hG4bK0\r\nt: <sip:a@b>\r\nf: <sip:c@d>;tag=9\r\ni: x@y\r\nCSeq: 4 OPTIONS\r\nMax-Forwards: 70\r\nl: 0\r\n\r\n";
        let msg = decode_datagram(req).unwrap();
        let bytes = msg.response_to(200, "OK", Some("abc")).to_bytes();
        let resp = decode_datagram(&bytes).unwrap();
        assert_eq!(resp.status_line().unwrap().code, 200);
        assert_eq!(resp.vias().unwrap().len(), 2);
        assert_eq!(resp.to_header().unwrap().tag(), Some("abc"));
        assert_eq!(resp.from_header().unwrap().tag(), Some("9"));
        assert!(resp.max_forwards().unwrap().is_none());
        let trying = decode_datagram(&msg.response_to(100, "Trying", Some("abc")).to_bytes())
            .unwrap()
            .to_header()
            .unwrap()
            .tag()
            .is_none();
        assert!(trying);
    }

    #[test]
    fn header_injection_is_refused() {
        let mut m = OwnedMessage::response(200, "OK");
        assert!(!m.push(HeaderName::Subject, "x\r\nVia: evil"));
        assert!(m.headers.is_empty());
    }
}
