//! The message view: start line, header fields and body, borrowed from the received bytes.
//! Header values are kept as text (unfolded only when they were folded); typed access parses
//! them on demand, so a proxy-like path pays only for the headers it reads.

use std::borrow::Cow;

use crate::error::{DecodeError, Fault, HeaderError, MessageKind, ParseError};
use crate::header_name::HeaderName;
use crate::lex::{bounded_decimal, is_wsp};
use crate::limits::{
    MAX_CONTENT_LENGTH, MAX_HEADERS, MAX_HEADER_LEN, MAX_MESSAGE_SIZE, MAX_START_LINE_LEN,
};
use crate::method::Method;
use crate::uri::Uri;

/// A SIP protocol version. Only 2.0 is valid; others parse so a UAS can answer 505.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Version {
    pub major: u16,
    pub minor: u16,
}

impl Version {
    pub const SIP_2_0: Version = Version { major: 2, minor: 0 };
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SIP/{}.{}", self.major, self.minor)
    }
}

/// `Method SP Request-URI SP SIP-Version`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RequestLine<'a> {
    pub method: Method<'a>,
    /// The Request-URI as received.
    pub uri_text: &'a str,
    pub uri: Uri<'a>,
    pub version: Version,
}

/// `SIP-Version SP Status-Code SP Reason-Phrase`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StatusLine<'a> {
    pub version: Version,
    pub code: u16,
    pub reason: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum StartLine<'a> {
    Request(RequestLine<'a>),
    Response(StatusLine<'a>),
}

/// One header field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Header<'a> {
    pub name: HeaderName<'a>,
    /// The value with folding replaced by single spaces and outer white space trimmed.
    pub value: Cow<'a, str>,
    /// Offset of the header line from the start of the message.
    #[serde(skip)]
    pub offset: usize,
}

/// A parsed SIP message borrowing from its input.
#[derive(Debug, Clone)]
pub struct Message<'a> {
    pub start: StartLine<'a>,
    pub headers: Vec<Header<'a>>,
    pub body: &'a [u8],
    /// How many input bytes the message used (leading CRLFs, headers, body); a datagram's
    /// trailing bytes beyond this are ignored (RFC 4475 dblreq).
    pub consumed: usize,
    /// The core headers as validation parsed them, so the accessors every element calls do
    /// not parse them a second time. Filled only for values that borrow from the input (a
    /// folded value is unfolded into the message and parsed again on access).
    pub(crate) core: CoreHeaders<'a>,
}

/// See [`Message::core`]. Empty until the message is validated.
#[derive(Debug, Clone, Default)]
pub(crate) struct CoreHeaders<'a> {
    pub top_via: Option<crate::headers::Via<'a>>,
    pub from: Option<crate::headers::NameAddr<'a>>,
    pub to: Option<crate::headers::NameAddr<'a>>,
    pub cseq: Option<crate::headers::CSeq<'a>>,
    pub call_id: Option<&'a str>,
}

// Equality is about the message, not about what has been parsed out of it yet.
impl PartialEq for Message<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.start == other.start
            && self.headers == other.headers
            && self.body == other.body
            && self.consumed == other.consumed
    }
}

impl Eq for Message<'_> {}

/// Start line and headers, before the body is cut out.
pub(crate) struct Head<'a> {
    pub start: StartLine<'a>,
    pub headers: Vec<Header<'a>>,
    /// Offset of the first body byte.
    pub body_offset: usize,
}

impl<'a> Message<'a> {
    pub fn kind(&self) -> MessageKind {
        match self.start {
            StartLine::Request(_) => MessageKind::Request,
            StartLine::Response(_) => MessageKind::Response,
        }
    }

    pub fn is_request(&self) -> bool {
        matches!(self.start, StartLine::Request(_))
    }

    pub fn request_line(&self) -> Option<&RequestLine<'a>> {
        match &self.start {
            StartLine::Request(r) => Some(r),
            StartLine::Response(_) => None,
        }
    }

    pub fn status_line(&self) -> Option<&StatusLine<'a>> {
        match &self.start {
            StartLine::Response(s) => Some(s),
            StartLine::Request(_) => None,
        }
    }

    /// The method of a request, or of the CSeq of a response.
    pub fn method(&self) -> Option<Method<'_>> {
        match &self.start {
            StartLine::Request(r) => Some(r.method.clone()),
            StartLine::Response(_) => self.cseq().ok().map(|c| c.method),
        }
    }

    /// Every field with this name, in order.
    pub fn headers_named<'s, 'n: 's>(
        &'s self,
        name: HeaderName<'n>,
    ) -> impl Iterator<Item = &'s Header<'a>> + 's {
        self.headers
            .iter()
            .filter(move |h| names_match(&h.name, &name))
    }

    /// The first field with this name.
    pub fn header(&self, name: HeaderName<'_>) -> Option<&Header<'a>> {
        self.headers.iter().find(|h| names_match(&h.name, &name))
    }

    /// The value of the first field with this name.
    pub fn header_value(&self, name: HeaderName<'_>) -> Option<&str> {
        self.header(name).map(|h| h.value.as_ref())
    }
}

fn names_match(a: &HeaderName<'_>, b: &HeaderName<'_>) -> bool {
    match (a, b) {
        (HeaderName::Other(a), HeaderName::Other(b)) => a.eq_ignore_ascii_case(b),
        (a, b) => a == b,
    }
}

fn start_line_err(offset: usize, what: &'static str) -> ParseError {
    ParseError::StartLine { offset, what }
}

fn parse_version(s: &str, offset: usize) -> Result<Version, ParseError> {
    let rest = s
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("SIP/"))
        .and_then(|_| s.get(4..))
        .ok_or_else(|| start_line_err(offset, "expected SIP-Version"))?;
    let (major, minor) = crate::lex::split_byte(rest, b'.')
        .ok_or_else(|| start_line_err(offset, "malformed SIP-Version"))?;
    let num = |d: &str| -> Result<u16, ParseError> {
        bounded_decimal(d, u64::from(u16::MAX))
            .map(|v| v as u16)
            .map_err(|_| start_line_err(offset, "malformed SIP-Version"))
    };
    Ok(Version {
        major: num(major)?,
        minor: num(minor)?,
    })
}

fn parse_start_line(line: &str, offset: usize) -> Result<StartLine<'_>, ParseError> {
    if line.len() > MAX_START_LINE_LEN {
        return Err(ParseError::StartLineTooLong {
            limit: MAX_START_LINE_LEN,
        });
    }
    let (first, rest) = crate::lex::split_byte(line, b' ')
        .ok_or_else(|| start_line_err(offset, "start line has no SP"))?;
    if first.contains('/') {
        // A method token cannot hold '/', so this is a Status-Line.
        let version = parse_version(first, offset)?;
        let (code, reason) = match crate::lex::split_byte(rest, b' ') {
            Some((c, r)) => (c, r),
            None => (rest, ""),
        };
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(start_line_err(
                offset + first.len() + 1,
                "status code is not 3 digits",
            ));
        }
        let code: u16 = code
            .parse()
            .map_err(|_| start_line_err(offset, "status code is not 3 digits"))?;
        if !(100..=699).contains(&code) {
            return Err(start_line_err(offset, "status code out of range"));
        }
        if reason.chars().any(|c| c.is_control() && c != '\t') {
            return Err(start_line_err(offset, "control character in reason phrase"));
        }
        return Ok(StartLine::Response(StatusLine {
            version,
            code,
            reason,
        }));
    }
    if first.is_empty() || !crate::lex::TOKEN.all(first) {
        return Err(start_line_err(offset, "method is not a token"));
    }
    let (uri_text, version) = crate::lex::split_byte(rest, b' ')
        .ok_or_else(|| start_line_err(offset, "request line needs three elements"))?;
    let version_offset = offset + first.len() + uri_text.len() + 2;
    if uri_text.is_empty() {
        return Err(start_line_err(
            offset + first.len() + 1,
            "empty Request-URI",
        ));
    }
    let uri = Uri::parse(uri_text).map_err(|e| start_line_err(offset + first.len() + 1, e.0))?;
    let version = parse_version(version, version_offset)?;
    Ok(StartLine::Request(RequestLine {
        method: Method::from_token(first),
        uri_text,
        uri,
        version,
    }))
}

fn unfold(raw: &str, folded: bool) -> Cow<'_, str> {
    let trimmed = crate::lex::trim_wsp(raw);
    if !folded {
        return Cow::Borrowed(trimmed);
    }
    let mut out = String::with_capacity(trimmed.len());
    for (i, piece) in trimmed.split("\r\n").enumerate() {
        if i > 0 {
            out.push(' ');
            out.push_str(piece.trim_start_matches(is_wsp));
        } else {
            out.push_str(piece.trim_end_matches(is_wsp));
        }
    }
    // Folding between two pieces may leave double spaces; keep them (they are LWS anyway).
    let out = out.trim_matches(is_wsp).to_owned();
    Cow::Owned(out)
}

/// Finds the end of the header section: the offset just after the CRLFCRLF.
pub(crate) fn find_header_end(input: &[u8]) -> Option<usize> {
    static FINDER: std::sync::OnceLock<memchr::memmem::Finder<'static>> =
        std::sync::OnceLock::new();
    FINDER
        .get_or_init(|| memchr::memmem::Finder::new(b"\r\n\r\n"))
        .find(input)
        .map(|p| p + 4)
}

/// Leading CRLFs before a start line are ignored (RFC 3261 §7.5).
pub(crate) fn skip_leading_crlf(input: &[u8]) -> usize {
    let mut at = 0;
    while input.get(at..at + 2) == Some(b"\r\n") {
        at += 2;
    }
    at
}

/// Parses start line and header fields of `input[..header_end]`, where `header_end` is just
/// after the empty line.
pub(crate) fn parse_head<'a>(
    input: &'a [u8],
    start: usize,
    header_end: usize,
) -> Result<Head<'a>, ParseError> {
    let section = input
        .get(start..header_end.saturating_sub(2))
        .ok_or(ParseError::UnterminatedHeaders)?;
    let text = std::str::from_utf8(section).map_err(|e| ParseError::InvalidUtf8 {
        offset: start + e.valid_up_to(),
    })?;
    let mut lines = LineIter { text, pos: 0 };
    let (first_off, first, bare) = lines.next().ok_or(ParseError::Empty)?;
    if bare {
        return Err(start_line_err(
            start + first_off,
            "bare CR or LF in start line",
        ));
    }
    let start_line = parse_start_line(first, start + first_off)?;
    let mut headers: Vec<Header<'a>> = Vec::with_capacity(16);
    // (offset in text of the header's first line, end offset of its last line, folded)
    let mut current: Option<(usize, usize, bool)> = None;
    let finish =
        |span: (usize, usize, bool), headers: &mut Vec<Header<'a>>| -> Result<(), ParseError> {
            let (begin, end, folded) = span;
            let abs = start + begin;
            if end - begin > MAX_HEADER_LEN {
                return Err(ParseError::HeaderTooLong {
                    offset: abs,
                    limit: MAX_HEADER_LEN,
                });
            }
            if headers.len() >= MAX_HEADERS {
                return Err(ParseError::TooManyHeaders { limit: MAX_HEADERS });
            }
            let field = text.get(begin..end).ok_or(ParseError::HeaderLine {
                offset: abs,
                what: "header out of bounds",
            })?;
            let colon = field
                .bytes()
                .position(|b| b == b':')
                .ok_or(ParseError::HeaderLine {
                    offset: abs,
                    what: "header line has no colon",
                })?;
            let (name, value) = (
                field.get(..colon).unwrap_or(""),
                field.get(colon + 1..).unwrap_or(""),
            );
            let name = crate::lex::trim_wsp(name);
            if name.is_empty() || !crate::lex::TOKEN.all(name) {
                return Err(ParseError::HeaderLine {
                    offset: abs,
                    what: "header name is not a token",
                });
            }
            headers.push(Header {
                name: HeaderName::from_wire(name),
                value: unfold(value, folded),
                offset: abs,
            });
            Ok(())
        };
    for (off, line, bare) in lines.by_ref() {
        if bare {
            return Err(ParseError::HeaderLine {
                offset: start + off,
                what: "bare CR or LF in header",
            });
        }
        if line.starts_with(is_wsp) {
            match current.as_mut() {
                Some(span) => {
                    span.1 = off + line.len();
                    span.2 = true;
                }
                None => {
                    return Err(ParseError::HeaderLine {
                        offset: start + off,
                        what: "continuation line before any header",
                    })
                }
            }
            continue;
        }
        if let Some(span) = current.take() {
            finish(span, &mut headers)?;
        }
        current = Some((off, off + line.len(), false));
    }
    if let Some(span) = current.take() {
        finish(span, &mut headers)?;
    }
    Ok(Head {
        start: start_line,
        headers,
        body_offset: header_end,
    })
}

/// Lines of the header section, split at CRLF, with their offsets.
struct LineIter<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Iterator for LineIter<'a> {
    /// (offset, line, whether the line holds a bare CR or LF)
    type Item = (usize, &'a str, bool);
    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.text.get(self.pos..)?;
        if rest.is_empty() {
            return None;
        }
        let begin = self.pos;
        // A line ends at CRLF. The first CR or LF found either starts that CRLF or is a bare
        // one, which the caller rejects.
        let bytes = rest.as_bytes();
        match memchr::memchr2(b'\r', b'\n', bytes) {
            Some(p) if bytes.get(p..p + 2) == Some(b"\r\n") => {
                self.pos += p + 2;
                rest.get(..p).map(|l| (begin, l, false))
            }
            Some(_) => {
                self.pos = self.text.len();
                Some((begin, rest, true))
            }
            None => {
                self.pos = self.text.len();
                Some((begin, rest, false))
            }
        }
    }
}

/// The value of the single Content-Length field, `None` when absent.
pub(crate) fn content_length(headers: &[Header<'_>]) -> Result<Option<usize>, ParseError> {
    let mut found = None;
    let mut count = 0;
    for h in headers
        .iter()
        .filter(|h| h.name == HeaderName::ContentLength)
    {
        count += 1;
        found = Some(h);
    }
    match (count, found) {
        (0, _) | (_, None) => Ok(None),
        (1, Some(h)) => bounded_decimal(&h.value, MAX_CONTENT_LENGTH as u64)
            .map(|v| Some(v as usize))
            .map_err(|what| {
                ParseError::ContentLength(HeaderError {
                    header: "Content-Length",
                    what,
                })
            }),
        (count, _) => Err(ParseError::MultipleContentLength { count }),
    }
}

/// Guesses the kind of a message that failed to parse, so the caller knows whether anyone
/// may be answered.
pub(crate) fn sniff_kind(input: &[u8]) -> MessageKind {
    let at = skip_leading_crlf(input);
    match input.get(at..at + 4) {
        Some(p) if p.eq_ignore_ascii_case(b"SIP/") => MessageKind::Response,
        Some(_) => MessageKind::Request,
        None => MessageKind::Unknown,
    }
}

/// Parses one message read as a whole UDP datagram: the body is what Content-Length says, or
/// the rest of the datagram when it is absent; bytes after the message are ignored.
/// Syntax only: see [`crate::decode_datagram`] for parse-and-validate.
pub fn parse_datagram(input: &[u8]) -> Result<Message<'_>, DecodeError> {
    parse_datagram_inner(input).map_err(|e| DecodeError {
        kind: sniff_kind(input),
        fault: Fault::Parse(e),
    })
}

fn parse_datagram_inner(input: &[u8]) -> Result<Message<'_>, ParseError> {
    if input.len() > MAX_MESSAGE_SIZE {
        return Err(ParseError::TooLarge {
            size: input.len(),
            limit: MAX_MESSAGE_SIZE,
        });
    }
    let start = skip_leading_crlf(input);
    if start >= input.len() {
        return Err(ParseError::Empty);
    }
    let header_end = find_header_end(input.get(start..).unwrap_or_default())
        .map(|e| e + start)
        .ok_or(ParseError::UnterminatedHeaders)?;
    let head = parse_head(input, start, header_end)?;
    let available = input.len() - head.body_offset;
    let body_len = match content_length(&head.headers)? {
        Some(declared) if declared > available => {
            return Err(ParseError::BodyTruncated {
                declared,
                available,
            })
        }
        Some(declared) => declared,
        None => available,
    };
    let end = head.body_offset + body_len;
    Ok(Message {
        start: head.start,
        headers: head.headers,
        body: input.get(head.body_offset..end).unwrap_or_default(),
        consumed: end,
        core: CoreHeaders::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_values_are_unfolded() {
        let m = parse_datagram(
            b"OPTIONS sip:a@b SIP/2.0\r\ncseq: 0009\r\n  INVITE\r\nX-A:  one\r\n\ttwo \r\nl: 0\r\n\r\n",
        )
        .unwrap();
        assert_eq!(m.header_value(HeaderName::CSeq), Some("0009 INVITE"));
        assert_eq!(m.header_value(HeaderName::Other("x-a")), Some("one two"));
        assert_eq!(m.header_value(HeaderName::ContentLength), Some("0"));
    }

    #[test]
    fn status_lines() {
        let m = parse_datagram(b"SIP/2.0 100 \r\nl: 0\r\n\r\n").unwrap();
        assert_eq!(m.status_line().unwrap().reason, "");
        let e = parse_datagram(b"SIP/2.0 4294967301 big\r\n\r\n").unwrap_err();
        assert_eq!(e.kind, MessageKind::Response);
        assert_eq!(e.uas_status(), None);
    }

    #[test]
    fn body_boundaries() {
        let m = parse_datagram(b"MESSAGE sip:a@b SIP/2.0\r\nl: 3\r\n\r\nabcdef").unwrap();
        assert_eq!(m.body, b"abc");
        assert_eq!(m.consumed, m.consumed.min(40));
        let m = parse_datagram(b"MESSAGE sip:a@b SIP/2.0\r\nX: y\r\n\r\nabcdef").unwrap();
        assert_eq!(m.body, b"abcdef");
        let e = parse_datagram(b"MESSAGE sip:a@b SIP/2.0\r\nl: 9\r\n\r\nabc").unwrap_err();
        assert!(matches!(
            e.fault,
            Fault::Parse(ParseError::BodyTruncated {
                declared: 9,
                available: 3
            })
        ));
        assert_eq!(e.uas_status(), Some(400));
    }

    #[test]
    fn hostile_heads() {
        for bad in [
            &b"INVITE  sip:a@b SIP/2.0\r\n\r\n"[..],
            b"INVITE sip:a@b SIP/2.0 \r\n\r\n",
            b"INVITE <sip:a@b> SIP/2.0\r\n\r\n",
            b"INVITE sip:a@b\r\n\r\n",
            b" X: y\r\n\r\n",
            b"INVITE sip:a@b SIP/2.0\r\n X: y\r\n\r\n",
            b"INVITE sip:a@b SIP/2.0\r\nNoColon\r\n\r\n",
            b"INVITE sip:a@b SIP/2.0\r\nX: a\rb\r\n\r\n",
            b"INVITE sip:a@b SIP/2.0\r\nX: \xff\r\n\r\n",
            b"INVITE sip:a@b SIP/2.0\r\nX: y\r\n",
            b"",
            b"\r\n\r\n",
        ] {
            assert!(
                parse_datagram(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn too_many_headers() {
        let mut msg = b"OPTIONS sip:a@b SIP/2.0\r\n".to_vec();
        for _ in 0..=MAX_HEADERS {
            msg.extend_from_slice(b"X: y\r\n");
        }
        msg.extend_from_slice(b"\r\n");
        let e = parse_datagram(&msg).unwrap_err();
        assert!(matches!(
            e.fault,
            Fault::Parse(ParseError::TooManyHeaders { .. })
        ));
    }
}
