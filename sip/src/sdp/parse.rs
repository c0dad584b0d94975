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
