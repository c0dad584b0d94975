//! Lexical rules of RFC 3261 §25.1 as nom parsers over header values that have already been
//! unfolded (so linear white space is only SP and HTAB here).

use std::borrow::Cow;

use nom::bytes::complete::take_while1;
use nom::character::complete::char;
use nom::combinator::opt;
use nom::sequence::preceded;
use nom::{IResult, Parser};

use crate::limits::MAX_PARAMS;

pub(crate) type PResult<'a, T> = IResult<&'a str, T>;

/// A set of ASCII bytes as a lookup table: the parsers test every byte of a message against
/// one of these, so they must cost one load, not a chain of comparisons.
pub(crate) struct ByteClass([bool; 256]);

// Indexing a 256-entry table with a u8 cannot go out of bounds.
#[allow(clippy::indexing_slicing)]
impl ByteClass {
    pub(crate) const fn new(alnum: bool, extra: &[u8]) -> Self {
        let mut t = [false; 256];
        let mut b = 0;
        while b < 128 {
            let c = b as u8;
            if alnum && c.is_ascii_alphanumeric() {
                t[b] = true;
            }
            b += 1;
        }
        let mut i = 0;
        while i < extra.len() {
            t[extra[i] as usize] = true;
            i += 1;
        }
        ByteClass(t)
    }

    #[inline]
    pub(crate) fn has(&self, b: u8) -> bool {
        self.0[b as usize]
    }

    /// True when every byte of `s` is in the class.
    #[inline]
    pub(crate) fn all(&self, s: &str) -> bool {
        s.bytes().all(|b| self.has(b))
    }

    /// Length of the longest prefix of `s` in the class (always on a char boundary, since the
    /// classes hold ASCII only).
    #[inline]
    pub(crate) fn prefix_len(&self, s: &str) -> usize {
        s.bytes().position(|b| !self.has(b)).unwrap_or(s.len())
    }
}

pub(crate) static TOKEN: ByteClass = ByteClass::new(true, b"-.!%*_+`'~");

pub(crate) fn is_token_char(c: char) -> bool {
    c.is_ascii() && TOKEN.has(c as u8)
}

/// `str::split_once` for an ASCII delimiter, with memchr: the parsers split on ':', '@',
/// ';', '?', ' ' many times per message.
#[inline]
pub(crate) fn split_byte(s: &str, delim: u8) -> Option<(&str, &str)> {
    // A plain loop: the strings are short (a URI part, a header value), where memchr's setup
    // costs more than it saves.
    let at = s.bytes().position(|b| b == delim)?;
    Some((s.get(..at)?, s.get(at + 1..)?))
}

/// Trims SP and HTAB from both ends, bytewise.
#[inline]
pub(crate) fn trim_wsp(s: &str) -> &str {
    let b = s.as_bytes();
    let start = b
        .iter()
        .position(|&c| c != b' ' && c != b'\t')
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|&c| c != b' ' && c != b'\t')
        .map_or(start, |e| e + 1);
    s.get(start..end.max(start)).unwrap_or("")
}

pub(crate) fn is_wsp(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn error(i: &str, kind: nom::error::ErrorKind) -> nom::Err<nom::error::Error<&str>> {
    nom::Err::Error(nom::error::Error::new(i, kind))
}

/// `token` of RFC 3261.
pub(crate) fn token(i: &str) -> PResult<'_, &str> {
    let n = TOKEN.prefix_len(i);
    if n == 0 {
        return Err(error(i, nom::error::ErrorKind::TakeWhile1));
    }
    let (t, rest) = i.split_at(n);
    Ok((rest, t))
}

/// Optional white space (SWS on unfolded text).
pub(crate) fn sws(i: &str) -> PResult<'_, &str> {
    let n = i
        .bytes()
        .position(|b| b != b' ' && b != b'\t')
        .unwrap_or(i.len());
    let (w, rest) = i.split_at(n);
    Ok((rest, w))
}

/// Required white space (LWS on unfolded text).
pub(crate) fn lws(i: &str) -> PResult<'_, &str> {
    take_while1(is_wsp).parse(i)
}

/// A separator character with optional white space on both sides (SEMI, COMMA, EQUAL, SLASH,
/// COLON of RFC 3261).
pub(crate) fn sep(c: char) -> impl Fn(&str) -> PResult<'_, char> {
    move |i| {
        let (i, _) = sws(i)?;
        let (i, found) = char(c).parse(i)?;
        let (i, _) = sws(i)?;
        Ok((i, found))
    }
}

fn fail(i: &str) -> nom::Err<nom::error::Error<&str>> {
    nom::Err::Error(nom::error::Error::new(i, nom::error::ErrorKind::Verify))
}

/// `quoted-string`: returns the content with quoted-pairs resolved; borrows when there were
/// none.
pub(crate) fn quoted_string(i: &str) -> PResult<'_, Cow<'_, str>> {
    let Some(rest) = i.strip_prefix('"') else {
        return Err(fail(i));
    };
    let bytes = rest.as_bytes();
    let mut pos = 0;
    let mut has_escape = false;
    while let Some(&b) = bytes.get(pos) {
        match b {
            b'\\' => {
                // quoted-pair allows any octet but CR and LF.
                match bytes.get(pos + 1) {
                    Some(b'\r' | b'\n') | None => return Err(fail(i)),
                    Some(_) => {}
                }
                has_escape = true;
                pos += 2;
            }
            b'"' => {
                let content = rest.get(..pos).ok_or_else(|| fail(i))?;
                let after = rest.get(pos + 1..).ok_or_else(|| fail(i))?;
                let value = if has_escape {
                    Cow::Owned(unescape_quoted(content))
                } else {
                    Cow::Borrowed(content)
                };
                return Ok((after, value));
            }
            // qdtext excludes the controls other than HTAB (and LWS is already unfolded).
            b if (b < 0x20 && b != b'\t') || b == 0x7f => return Err(fail(i)),
            _ => pos += 1,
        }
    }
    Err(fail(i))
}

fn unescape_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Writes `s` as a quoted-string, escaping `"` and `\`.
pub(crate) fn write_quoted(f: &mut std::fmt::Formatter<'_>, s: &str) -> std::fmt::Result {
    use std::fmt::Write;
    f.write_char('"')?;
    for c in s.chars() {
        if c == '"' || c == '\\' {
            f.write_char('\\')?;
        }
        f.write_char(c)?;
    }
    f.write_char('"')
}

/// Parameters of one URI or header value. (A `Vec`: an inline small vector would make every
/// typed header invariant in its lifetime, which the borrowing accessors cannot afford.)
pub type Params<'a> = Vec<Param<'a>>;

/// Elements of one comma-separated header value, inline up to four.
pub(crate) type ListItems<'a> = smallvec::SmallVec<[&'a str; 4]>;

/// A `name[=value]` parameter of a header value or URI.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Param<'a> {
    pub name: &'a str,
    pub value: Option<Cow<'a, str>>,
    /// The value was a quoted-string on the wire; it is quoted again when serialized.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub quoted: bool,
}

impl std::fmt::Display for Param<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)?;
        if let Some(v) = &self.value {
            f.write_str("=")?;
            if self.quoted {
                write_quoted(f, v)?;
            } else {
                f.write_str(v)?;
            }
        }
        Ok(())
    }
}

/// Looks a parameter up by name (parameter names are case-insensitive).
pub(crate) fn find_param<'p, 'a>(params: &'p [Param<'a>], name: &str) -> Option<&'p Param<'a>> {
    params.iter().find(|p| p.name.eq_ignore_ascii_case(name))
}

/// token, plus what a host needs: IPv6 references and the unbracketed IPv6 that RFC 3261
/// allows in Via received=.
static GEN_VALUE: ByteClass = ByteClass::new(true, b"-.!%*_+`'~:[]");

/// `generic-param` = token [ EQUAL gen-value ].
pub(crate) fn generic_param(i: &str) -> PResult<'_, Param<'_>> {
    let (i, name) = token(i)?;
    let (i, value) = opt(preceded(sep('='), gen_value)).parse(i)?;
    let (value, quoted) = match value {
        Some((v, q)) => (Some(v), q),
        None => (None, false),
    };
    Ok((
        i,
        Param {
            name,
            value,
            quoted,
        },
    ))
}

fn gen_value(i: &str) -> PResult<'_, (Cow<'_, str>, bool)> {
    if i.starts_with('"') {
        let (i, v) = quoted_string(i)?;
        Ok((i, (v, true)))
    } else {
        let n = GEN_VALUE.prefix_len(i);
        if n == 0 {
            return Err(error(i, nom::error::ErrorKind::TakeWhile1));
        }
        let (v, rest) = i.split_at(n);
        Ok((rest, (Cow::Borrowed(v), false)))
    }
}

/// `*( SEMI generic-param )`, at most [`MAX_PARAMS`]. Stops before anything that is not a
/// well-formed parameter, so callers that require the whole value to be consumed reject stray
/// separators such as `;;`.
pub(crate) fn header_params(mut i: &str) -> PResult<'_, Params<'_>> {
    let mut params = Params::new();
    loop {
        let attempt = preceded(sep(';'), generic_param).parse(i);
        match attempt {
            Ok((rest, p)) => {
                if params.len() >= MAX_PARAMS {
                    return Err(fail(i));
                }
                params.push(p);
                i = rest;
            }
            Err(nom::Err::Error(_)) => return Ok((i, params)),
            Err(e) => return Err(e),
        }
    }
}

/// Splits a comma-separated header value into its elements, respecting quoted strings and
/// angle brackets. Empty elements are an error (RFC 3261 lists have none).
pub(crate) fn split_list(value: &str, limit: usize) -> Result<ListItems<'_>, &'static str> {
    let mut items = ListItems::new();
    let bytes = value.as_bytes();
    let mut start = 0;
    let mut at = 0;
    // Jump from one special byte to the next: a comma splits, a quote or '<' skips to its end.
    while let Some(off) = memchr::memchr3(b',', b'"', b'<', bytes.get(at..).unwrap_or_default()) {
        let pos = at + off;
        match bytes.get(pos) {
            Some(b',') => {
                push_item(&mut items, value.get(start..pos), limit)?;
                start = pos + 1;
                at = pos + 1;
            }
            Some(b'"') => at = skip_quoted(bytes, pos + 1).ok_or("unterminated quoted string")?,
            _ => {
                // Inside <...> commas do not split; an unclosed '<' runs to the end.
                at = match memchr::memchr(b'>', bytes.get(pos..).unwrap_or_default()) {
                    Some(close) => pos + close + 1,
                    None => bytes.len(),
                };
            }
        }
    }
    push_item(&mut items, value.get(start..), limit)?;
    Ok(items)
}

/// Position just after the quote that closes a quoted string whose content starts at `from`.
fn skip_quoted(bytes: &[u8], mut from: usize) -> Option<usize> {
    loop {
        let off = memchr::memchr2(b'"', b'\\', bytes.get(from..)?)?;
        let pos = from + off;
        if bytes.get(pos) == Some(&b'"') {
            return Some(pos + 1);
        }
        from = pos + 2;
    }
}

fn push_item<'a>(
    items: &mut ListItems<'a>,
    item: Option<&'a str>,
    limit: usize,
) -> Result<(), &'static str> {
    let item = item.map(trim_wsp).unwrap_or("");
    if item.is_empty() {
        return Err("empty list element");
    }
    if items.len() >= limit {
        return Err("too many list elements");
    }
    items.push(item);
    Ok(())
}

/// Parses an unsigned decimal with at most `max_digits` significant digits and at most `max`
/// as value. Leading zeros are allowed (RFC 4475 wsinv has `Max-Forwards: 0068`).
pub(crate) fn bounded_decimal(s: &str, max: u64) -> Result<u64, &'static str> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err("not a decimal number");
    }
    let significant = s.trim_start_matches('0');
    if significant.len() > 19 {
        return Err("number out of range");
    }
    let v: u64 = if significant.is_empty() {
        0
    } else {
        significant.parse().map_err(|_| "number out of range")?
    };
    if v > max {
        return Err("number out of range");
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_string_resolves_quoted_pairs() {
        let (rest, v) = quoted_string(r#""J Rosenberg \\\"" <x>"#).unwrap();
        assert_eq!(v, r#"J Rosenberg \""#);
        assert_eq!(rest, " <x>");
        let (_, v) = quoted_string("\"plain\"").unwrap();
        assert!(matches!(v, Cow::Borrowed("plain")));
        assert!(quoted_string("\"unterminated").is_err());
        assert!(quoted_string("\"a\\").is_err());
    }

    #[test]
    fn params_stop_at_stray_separators() {
        let (rest, p) = header_params(" ; tag = 1918181833n").unwrap();
        assert_eq!(rest, "");
        assert_eq!(p[0].name, "tag");
        assert_eq!(p[0].value.as_deref(), Some("1918181833n"));
        let (rest, p) = header_params(";;,;,,").unwrap();
        assert!(p.is_empty());
        assert_eq!(rest, ";;,;,,");
    }

    #[test]
    fn lists_respect_quotes_and_angles() {
        let items = split_list(r#""a,b" <sip:x;y=1,2>;q=1, <sip:z>"#, 8).unwrap();
        assert_eq!(
            items.into_vec(),
            vec![r#""a,b" <sip:x;y=1,2>;q=1"#, "<sip:z>"]
        );
        assert!(split_list("a,,b", 8).is_err());
        assert!(split_list("a,b,c", 2).is_err());
    }

    #[test]
    fn decimals_are_bounded() {
        assert_eq!(bounded_decimal("0068", 255), Ok(68));
        assert!(bounded_decimal("300", 255).is_err());
        assert!(bounded_decimal("36893488147419103232", u64::MAX).is_err());
        assert!(bounded_decimal("-1", 10).is_err());
        assert!(bounded_decimal("", 10).is_err());
    }
}
