//! Line splitting and the RFC 8866 §5 line-order state machine.
//!
//! Tolerated, because real peers send it: bare LF line ends, a last line without a line
//! end, empty lines at the very end of the body (bodies sized by a sloppy Content-Length),
//! trailing blanks on structured lines (`o=`, `c=`, `m=`, …), an empty `s=`, `c=` and `b=`
//! lines in either order, `m=` lines without formats, and known attributes with broken
//! values (kept as `AttributeValue::Malformed`). Refused: anything else out of
//! order, unknown type letters (RFC 8866 §5 says to ignore the whole body), missing
//! `v=`/`o=`/`s=`/`t=`, and NUL or bare CR anywhere.

use super::attribute::Attribute;
use super::connection::{is_token, parse_decimal, Connection, Origin};
use super::error::{AttributeError, Position, SdpError};
use super::limits::{
    MAX_ATTRIBUTES_PER_SECTION, MAX_FORMATS, MAX_LINES, MAX_LINE_LENGTH, MAX_MEDIA,
    MAX_REPEATED_LINES, MAX_SDP_SIZE,
};
use super::media::{MediaDescription, MediaType, Proto};
use super::session::{Bandwidth, BandwidthType, Key, SessionDescription};
use super::timing::{parse_zone_adjustments, Repeat, Timing};

struct Line<'a> {
    at: Position,
    kind: u8,
    value: &'a str,
}

fn split_lines(input: &[u8]) -> Result<Vec<Line<'_>>, SdpError> {
    let mut lines = Vec::new();
    let mut offset = 0;
    let mut first_empty: Option<Position> = None;
    let mut rest = input;
    let mut number = 0;
    while !rest.is_empty() {
        number += 1;
        let (raw, next, eol) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (
                rest.get(..i).unwrap_or_default(),
                rest.get(i + 1..).unwrap_or_default(),
                1,
            ),
            None => (rest, &[][..], 0),
        };
        let at = Position {
            line: number,
            offset,
        };
        offset += raw.len() + eol;
        rest = next;
        let content = raw.strip_suffix(b"\r").unwrap_or(raw);
        if number > MAX_LINES {
            return Err(SdpError::TooManyLines {
                at,
                limit: MAX_LINES,
            });
        }
        if content.len() > MAX_LINE_LENGTH {
            return Err(SdpError::LineTooLong {
                at,
                limit: MAX_LINE_LENGTH,
            });
        }
        if let Some(&byte) = content.iter().find(|&&b| b == 0 || b == b'\r') {
            return Err(SdpError::ControlCharacter { at, byte });
        }
        if content.is_empty() {
            first_empty.get_or_insert(at);
            continue;
        }
        if let Some(at) = first_empty {
            // An empty line followed by more content: not a tolerable trailing blank.
            return Err(SdpError::MalformedLine { at });
        }
        let text = std::str::from_utf8(content).map_err(|_| SdpError::InvalidUtf8 { at })?;
        let (kind, value) = match text.as_bytes() {
            [kind, b'=', ..] if kind.is_ascii_lowercase() => {
                (*kind, text.get(2..).unwrap_or_default())
            }
            _ => return Err(SdpError::MalformedLine { at }),
        };
        lines.push(Line { at, kind, value });
    }
    Ok(lines)
}

/// Position of a line type in the session part; equal ranks may interleave.
fn session_rank(kind: u8) -> Option<u8> {
    Some(match kind {
        b'v' => 0,
        b'o' => 1,
        b's' => 2,
        b'i' => 3,
        b'u' => 4,
        b'e' => 5,
        b'p' => 6,
        b'c' | b'b' => 7,
        b't' | b'r' => 8,
        b'z' => 9,
        b'k' => 10,
        b'a' => 11,
        _ => return None,
    })
}

fn media_rank(kind: u8) -> Option<u8> {
    Some(match kind {
        b'm' => 0,
        b'i' => 1,
        b'c' | b'b' => 2,
        b'k' => 3,
        b'a' => 4,
        _ => return None,
    })
}

/// Types that may appear at most once per section.
fn is_single(kind: u8, in_media: bool) -> bool {
    matches!(kind, b'v' | b'o' | b's' | b'i' | b'u' | b'z' | b'k') || (kind == b'c' && !in_media)
}

const KNOWN: &[u8] = b"vosiuepcbtrzkam";

struct Section {
    rank: u8,
    seen: [u16; 26],
}

impl Section {
    fn new() -> Self {
        Self {
            rank: 0,
            seen: [0; 26],
        }
    }

    fn count(&mut self, kind: u8) -> u16 {
        match self.seen.get_mut(usize::from(kind.wrapping_sub(b'a'))) {
            Some(n) => {
                *n = n.saturating_add(1);
                *n
            }
            None => 0,
        }
    }
}

fn field(at: Position, field: &'static str) -> impl FnOnce(&'static str) -> SdpError {
    move |reason| SdpError::InvalidField { at, field, reason }
}

fn parse_bandwidth(value: &str) -> Result<Bandwidth, &'static str> {
    let (kind, value) = value.split_once(':').ok_or("expected <type>:<value>")?;
    if !is_token(kind) {
        return Err("bad bandwidth type");
    }
    Ok(Bandwidth {
        kind: BandwidthType::parse(kind),
        value: parse_decimal(value).ok_or("bandwidth must be decimal")?,
    })
}

fn parse_media_line(at: Position, value: &str) -> Result<MediaDescription, SdpError> {
    let err = field(at, "media line");
    let mut parts = value.split(' ');
    let media = parts.next().unwrap_or_default();
    if !is_token(media) {
        return Err(err("bad media type"));
    }
    let port_text = parts
        .next()
        .ok_or("missing port")
        .map_err(field(at, "media line"))?;
    let (port, port_count) = match port_text.split_once('/') {
        Some((p, n)) => (p, Some(n)),
        None => (port_text, None),
    };
    let port = parse_decimal(port)
        .ok_or("bad port")
        .map_err(field(at, "media line"))?;
    let port_count = match port_count {
        Some(n) => Some(
            parse_decimal(n)
                .ok_or("bad port count")
                .map_err(field(at, "media line"))?,
        ),
        None => None,
    };
    let proto = parts
        .next()
        .ok_or("missing protocol")
        .map_err(field(at, "media line"))?;
    if !proto.split('/').all(is_token) {
        return Err(field(at, "media line")("bad protocol"));
    }
    let mut formats = Vec::new();
    for format in parts {
        if formats.len() >= MAX_FORMATS {
            return Err(SdpError::LimitExceeded {
                at,
                what: "formats on one m= line",
                limit: MAX_FORMATS,
            });
        }
        if !is_token(format) {
            return Err(field(at, "media line")("bad format"));
        }
        formats.push(format.to_owned());
    }
    let mut m = MediaDescription::new(MediaType::parse(media), port, Proto::parse(proto), formats);
    m.port_count = port_count;
    Ok(m)
}

fn parse_attribute(at: Position, value: &str) -> Result<Attribute, SdpError> {
    Attribute::parse_lenient(value).map_err(|e| match e {
        AttributeError::Crypto(source) => SdpError::Crypto { at, source },
        AttributeError::Invalid(reason) => {
            let name = value
                .split(':')
                .next()
                .unwrap_or_default()
                .chars()
                .take(64)
                .collect();
            SdpError::InvalidAttribute { at, name, reason }
        }
    })
}

fn unexpected(at: Position, kind: u8, reason: &'static str) -> SdpError {
    SdpError::UnexpectedLine {
        at,
        kind: char::from(kind),
        reason,
    }
}

pub(crate) fn parse(input: &[u8]) -> Result<SessionDescription, SdpError> {
    if input.len() > MAX_SDP_SIZE {
        return Err(SdpError::TooLarge {
            size: input.len(),
            limit: MAX_SDP_SIZE,
        });
    }
    let lines = split_lines(input)?;
    let mut iter = lines.iter();
    let first = iter.next().ok_or(SdpError::Empty)?;
    if first.kind != b'v' {
        return Err(unexpected(
            first.at,
            first.kind,
            "the body must start with v=",
        ));
    }
    if first.value.trim_end() != "0" {
        return Err(SdpError::UnsupportedVersion {
            at: first.at,
            version: first.value.chars().take(16).collect(),
        });
    }

    let mut origin: Option<Origin> = None;
    let mut session_name: Option<String> = None;
    let mut info = None;
    let mut uri = None;
    let mut emails = Vec::new();
    let mut phones = Vec::new();
    let mut connection = None;
    let mut bandwidths = Vec::new();
    let mut times: Vec<Timing> = Vec::new();
    let mut time_zones = Vec::new();
    let mut key = None;
    let mut attributes = Vec::new();
    let mut media: Vec<MediaDescription> = Vec::new();
    let mut section = Section::new();
    section.count(b'v');

    for line in iter {
        let Line { at, kind, value } = *line;
        if !KNOWN.contains(&kind) {
            return Err(SdpError::UnknownLineType {
                at,
                kind: char::from(kind),
            });
        }
        // Structured values tolerate trailing blanks; free text and attributes are kept as is.
        let trimmed = value.trim_end_matches([' ', '\t']);
        let in_media = kind == b'm' || !media.is_empty();
        let rank = if in_media {
            media_rank(kind)
        } else {
            session_rank(kind)
        };
        let Some(rank) = rank else {
            return Err(unexpected(at, kind, "not allowed in a media section"));
        };
        if kind == b'm' {
            if media.is_empty() {
                check_session_complete(
                    origin.is_some(),
                    session_name.is_some(),
                    !times.is_empty(),
                )?;
            }
            if media.len() >= MAX_MEDIA {
                return Err(SdpError::LimitExceeded {
                    at,
                    what: "media sections",
                    limit: MAX_MEDIA,
                });
            }
            section = Section::new();
        } else if rank < section.rank {
            return Err(unexpected(at, kind, "out of order"));
        }
        section.rank = rank;
        let count = usize::from(section.count(kind));
        if count > 1 && is_single(kind, in_media) {
            return Err(unexpected(at, kind, "may appear only once here"));
        }
        let limit = if kind == b'a' {
            MAX_ATTRIBUTES_PER_SECTION
        } else {
            MAX_REPEATED_LINES
        };
        if count > limit {
            return Err(SdpError::LimitExceeded {
                at,
                what: "lines of one type in a section",
                limit,
            });
        }

        let current = media.last_mut();
        match (kind, current) {
            (b'm', _) => media.push(parse_media_line(at, trimmed)?),
            (b'o', None) => origin = Some(Origin::parse(trimmed).map_err(field(at, "origin"))?),
            (b's', None) => session_name = Some(value.to_owned()),
            (b'i', None) => info = Some(value.to_owned()),
            (b'i', Some(m)) => m.info = Some(value.to_owned()),
            (b'u', None) => uri = Some(value.to_owned()),
            (b'e', None) => emails.push(value.to_owned()),
            (b'p', None) => phones.push(value.to_owned()),
            (b'c', None) => {
                connection = Some(Connection::parse(trimmed).map_err(field(at, "connection"))?)
            }
            (b'c', Some(m)) => m
                .connections
                .push(Connection::parse(trimmed).map_err(field(at, "connection"))?),
            (b'b', None) => {
                bandwidths.push(parse_bandwidth(trimmed).map_err(field(at, "bandwidth"))?)
            }
            (b'b', Some(m)) => m
                .bandwidths
                .push(parse_bandwidth(trimmed).map_err(field(at, "bandwidth"))?),
            (b't', None) => times.push(Timing::parse(trimmed).map_err(field(at, "timing"))?),
            (b'r', None) => {
                let repeat = Repeat::parse(trimmed).map_err(field(at, "repeat"))?;
                let timing = times
                    .last_mut()
                    .ok_or_else(|| unexpected(at, kind, "r= without t="))?;
                if timing.repeats.len() >= MAX_REPEATED_LINES {
                    return Err(SdpError::LimitExceeded {
                        at,
                        what: "r= lines",
                        limit: MAX_REPEATED_LINES,
                    });
                }
                timing.repeats.push(repeat);
            }
            (b'z', None) => {
                time_zones = parse_zone_adjustments(trimmed).map_err(field(at, "time zones"))?
            }
            (b'k', None) => key = Some(Key(value.to_owned())),
            (b'k', Some(m)) => m.key = Some(Key(value.to_owned())),
            (b'a', None) => attributes.push(parse_attribute(at, value)?),
            (b'a', Some(m)) => m.attributes.push(parse_attribute(at, value)?),
            _ => return Err(unexpected(at, kind, "not allowed here")),
        }
    }
    check_session_complete(origin.is_some(), session_name.is_some(), !times.is_empty())?;
    let (Some(origin), Some(session_name)) = (origin, session_name) else {
        return Err(SdpError::MissingLine { kind: 'o' });
    };
    Ok(SessionDescription {
        version: 0,
        origin,
        session_name,
        info,
        uri,
        emails,
        phones,
        connection,
        bandwidths,
        times,
        time_zones,
        key,
        attributes,
        media,
    })
}

fn check_session_complete(origin: bool, name: bool, time: bool) -> Result<(), SdpError> {
    for (present, kind) in [(origin, 'o'), (name, 's'), (time, 't')] {
        if !present {
            return Err(SdpError::MissingLine { kind });
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests {
    use super::super::{fuzz_parse, SessionDescription};
    use super::*;

    const HEAD: &str = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n";

    fn err(text: &str) -> SdpError {
        SessionDescription::parse(text.as_bytes()).unwrap_err()
    }

    fn ok(text: &str) -> SessionDescription {
        SessionDescription::parse(text.as_bytes()).unwrap()
    }

    #[test]
    fn full_session_part_round_trips() {
        let text = "v=0\r\no=jdoe 3724394400 3724394405 IN IP4 198.51.100.1\r\ns=Call to John Smith\r\n\
            i=SDP Offer #1\r\nu=http://www.jdoe.example.com/home.html\r\ne=Jane Doe <jane@jdoe.example.com>\r\n\
            p=+1 617 555-6011\r\nc=IN IP4 198.51.100.1\r\nb=CT:128\r\nt=3724394400 3724398000\r\n\
            r=7d 1h 0 25h\r\nt=0 0\r\nz=2882844526 -1h 2898848070 0\r\nk=clear:secret\r\na=recvonly\r\n\
            m=audio 49170/2 RTP/AVP 0\r\ni=voice\r\nc=IN IP4 224.2.1.1/127/2\r\nb=AS:64\r\nk=prompt\r\n\
            m=video 51372 RTP/AVP 99\r\nc=IN IP6 FF15::101/3\r\nc=IN IP6 ff15::201/3\r\na=rtpmap:99 h263-1998/90000\r\n";
        let sdp = ok(text);
        assert_eq!(sdp.to_bytes(), text.as_bytes());
        assert_eq!(sdp.times.len(), 2);
        assert_eq!(sdp.times[0].repeats.len(), 1);
        assert_eq!(sdp.time_zones.len(), 2);
        assert_eq!(sdp.media[0].port_count, Some(2));
        assert_eq!(sdp.media[1].connections.len(), 2);
        assert_eq!(sdp.key.as_ref().unwrap().method(), "clear");
        assert!(!format!("{sdp:?}").contains("secret"));
    }

    #[test]
    fn line_ends_and_trailing_tolerance() {
        let lf = HEAD.replace("\r\n", "\n");
        assert_eq!(ok(&lf), ok(HEAD));
        assert_eq!(ok(HEAD.trim_end()), ok(HEAD), "last line without line end");
        assert_eq!(
            ok(&format!("{HEAD}\r\n\r\n")),
            ok(HEAD),
            "trailing empty lines"
        );
        assert_eq!(
            ok(&format!("{HEAD}m=audio 1 RTP/AVP 0  \r\n")).media[0].formats,
            ["0"]
        );
        assert!(
            matches!(err(&format!("{HEAD}\r\nm=audio 1 RTP/AVP 0\r\n")), SdpError::MalformedLine { at } if at.line == 5)
        );
        assert!(matches!(
            err(&format!("{HEAD}a=x\ry\r\n")),
            SdpError::ControlCharacter { byte: b'\r', .. }
        ));
        assert!(matches!(
            err(&format!("{HEAD}a=x\0\r\n")),
            SdpError::ControlCharacter { byte: 0, .. }
        ));
        let mut bad = HEAD.as_bytes().to_vec();
        bad.extend_from_slice(b"s=\xff\r\n");
        assert!(matches!(
            SessionDescription::parse(&bad),
            Err(SdpError::InvalidUtf8 { .. })
        ));
    }

    #[test]
    fn positions_are_reported() {
        let e = err(&format!("{HEAD}m=audio x RTP/AVP 0\r\n"));
        assert_eq!(
            e,
            SdpError::InvalidField {
                at: Position {
                    line: 5,
                    offset: HEAD.len()
                },
                field: "media line",
                reason: "bad port"
            }
        );
        assert_eq!(
            e.to_string(),
            format!(
                "line 5 (offset {}): invalid media line: bad port",
                HEAD.len()
            )
        );
    }

    #[test]
    fn order_and_presence() {
        assert_eq!(err(""), SdpError::Empty);
        assert_eq!(err("\r\n"), SdpError::Empty);
        assert!(matches!(
            err("o=- 1 1 IN IP4 192.0.2.1\r\n"),
            SdpError::UnexpectedLine { kind: 'o', .. }
        ));
        assert!(matches!(
            err("v=1\r\n"),
            SdpError::UnsupportedVersion { .. }
        ));
        assert_eq!(
            err("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\nt=0 0\r\n"),
            SdpError::MissingLine { kind: 's' }
        );
        assert_eq!(
            err("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n"),
            SdpError::MissingLine { kind: 't' }
        );
        assert_eq!(
            err("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nm=audio 1 RTP/AVP 0\r\nt=0 0\r\n"),
            SdpError::MissingLine { kind: 't' }
        );
        assert_eq!(
            err("v=0\r\ns=-\r\nt=0 0\r\n"),
            SdpError::MissingLine { kind: 'o' }
        );
        let misplaced = [
            "v=0\r\ns=-\r\no=- 1 1 IN IP4 192.0.2.1\r\nt=0 0\r\n",
            &format!("{HEAD}c=IN IP4 192.0.2.1\r\n"),
            &format!("{HEAD}a=x\r\nb=AS:1\r\n"),
            &format!("{HEAD}s=again\r\n"),
            &format!("{HEAD}v=0\r\n"),
            &format!("{HEAD}m=audio 1 RTP/AVP 0\r\nt=0 0\r\n"),
            &format!("{HEAD}m=audio 1 RTP/AVP 0\r\na=x\r\nc=IN IP4 192.0.2.1\r\n"),
            &format!("{HEAD}m=audio 1 RTP/AVP 0\r\ni=a\r\ni=b\r\n"),
            "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nr=1 1 0\r\nt=0 0\r\n",
        ];
        for text in misplaced {
            assert!(
                matches!(err(text), SdpError::UnexpectedLine { .. }),
                "{text:?}: {:?}",
                err(text)
            );
        }
        // Tolerated: b= before c=, in both parts; empty s=; m= without formats.
        ok("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=\r\nb=AS:1\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 0 RTP/AVP\r\nb=AS:1\r\nc=IN IP4 192.0.2.1\r\n");
        assert!(matches!(
            err(&format!("{HEAD}x=1\r\n")),
            SdpError::UnknownLineType { kind: 'x', .. }
        ));
        assert!(matches!(
            err(&format!("{HEAD}A=1\r\n")),
            SdpError::MalformedLine { .. }
        ));
        assert!(matches!(
            err(&format!("{HEAD} a=1\r\n")),
            SdpError::MalformedLine { .. }
        ));
    }

    #[test]
    fn bad_fields() {
        for line in [
            "m=audio 70000 RTP/AVP 0",
            "m=audio",
            "m=audio 1",
            "m=audio 1/x RTP/AVP 0",
            "m=audio 1 RTP//AVP 0",
            "m=audio 1 RTP/AVP  0",
            "m=audio 1 RTP/AVP 0 \"x\"",
            "m=audio 1 RTP/AVP 0\r\nb=AS",
            "m=audio 1 RTP/AVP 0\r\nb=AS:x",
            "m=audio 1 RTP/AVP 0\r\nc=IN IP4 300.1.1.1/x",
        ] {
            assert!(
                matches!(
                    err(&format!("{HEAD}{line}\r\n")),
                    SdpError::InvalidField { .. }
                ),
                "{line}"
            );
        }
        assert!(matches!(
            err("v=0\r\no=- 1 1 IN IP4\r\ns=-\r\nt=0 0\r\n"),
            SdpError::InvalidField {
                field: "origin",
                ..
            }
        ));
        assert!(matches!(
            err("v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\ns=-\r\nt=0\r\n"),
            SdpError::InvalidField {
                field: "timing",
                ..
            }
        ));
        // A crypto line whose key does not fit is kept as malformed, not a failed SDP: the
        // gateway's SRTP rule refuses it as a line and can still take the next one.
        let kept = ok(&format!(
            "{HEAD}a=rtpmap-ok\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAAA\r\n"
        ));
        assert!(matches!(
            kept.attributes[1].value(),
            super::super::AttributeValue::Malformed { name, .. } if name == "crypto"
        ));
        assert!(matches!(
            err(&format!("{HEAD}a=:x\r\n")),
            SdpError::InvalidAttribute { .. }
        ));
    }

    #[test]
    fn limits_are_enforced() {
        let big = vec![b'a'; MAX_SDP_SIZE + 1];
        assert!(matches!(
            SessionDescription::parse(&big),
            Err(SdpError::TooLarge { .. })
        ));
        let long = format!("{HEAD}a={}\r\n", "x".repeat(MAX_LINE_LENGTH));
        assert!(matches!(err(&long), SdpError::LineTooLong { at, .. } if at.line == 5));
        let many_lines = format!("{HEAD}{}", "a=x\r\n".repeat(MAX_LINES));
        assert!(matches!(err(&many_lines), SdpError::TooManyLines { .. }));
        let many_attrs = format!("{HEAD}{}", "a=x\r\n".repeat(MAX_ATTRIBUTES_PER_SECTION + 1));
        assert!(matches!(
            err(&many_attrs),
            SdpError::LimitExceeded {
                limit: MAX_ATTRIBUTES_PER_SECTION,
                ..
            }
        ));
        ok(&format!(
            "{HEAD}{}",
            "a=x\r\n".repeat(MAX_ATTRIBUTES_PER_SECTION)
        ));
        let many_media = format!("{HEAD}{}", "m=audio 0 RTP/AVP 0\r\n".repeat(MAX_MEDIA + 1));
        assert!(matches!(
            err(&many_media),
            SdpError::LimitExceeded {
                limit: MAX_MEDIA,
                ..
            }
        ));
        let formats = (0..=MAX_FORMATS)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(matches!(
            err(&format!("{HEAD}m=audio 1 RTP/AVP {formats}\r\n")),
            SdpError::LimitExceeded {
                limit: MAX_FORMATS,
                ..
            }
        ));
        let bws = "b=AS:1\r\n".repeat(MAX_REPEATED_LINES + 1);
        assert!(matches!(
            err(&format!(
                "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n{bws}t=0 0\r\n"
            )),
            SdpError::LimitExceeded {
                limit: MAX_REPEATED_LINES,
                ..
            }
        ));
        let repeats = "r=1 1 0\r\n".repeat(MAX_REPEATED_LINES + 1);
        assert!(matches!(
            err(&format!("{HEAD}{repeats}")),
            SdpError::LimitExceeded { .. }
        ));
    }

    /// Small deterministic generator so the hostile-input tests need no extra crate.
    struct XorShift(u64);
    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    #[test]
    fn hostile_input_never_panics() {
        let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
        let alphabet = b"vosiuepcbtrzkam=:/ 0123456789.\r\nINIP46RTP/AVPSinline|^;*-";
        for _ in 0..3000 {
            let len = (rng.next() % 300) as usize;
            let random: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            fuzz_parse(&random);
            let sdp_like: Vec<u8> = (0..len)
                .map(|_| alphabet[(rng.next() % alphabet.len() as u64) as usize])
                .collect();
            fuzz_parse(&sdp_like);
        }
        // Mutations of a valid body: flipped, deleted and duplicated bytes.
        let base = format!(
            "{HEAD}m=audio 1 RTP/SAVP 0 8\r\nc=IN IP6 ::ffff:192.0.2.1\r\na=rtpmap:0 PCMU/8000\r\n\
             a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{}|2^20|1:4\r\na=floorid:1 mstrm:2\r\n",
            super::super::base64::encode(&[3; 30])
        );
        let base = base.as_bytes();
        for _ in 0..3000 {
            let mut m = base.to_vec();
            let i = (rng.next() % m.len() as u64) as usize;
            match rng.next() % 3 {
                0 => m[i] = rng.next() as u8,
                1 => {
                    m.remove(i);
                }
                _ => m.insert(i, m[i]),
            }
            fuzz_parse(&m);
        }
    }
}
