//! URIs as they appear in SIP (RFC 3261 §19.1, §25.1): `sip:`/`sips:` URIs typed down to
//! host, port and parameters; any other scheme (tel:, urn:, http:, …) kept as scheme plus text.

use std::borrow::Cow;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::lex::{ByteClass, Param};
use crate::limits::MAX_PARAMS;

/// Why a URI was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UriError(pub &'static str);

/// A parsed URI, borrowing from the text it came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "scheme", rename_all = "lowercase")]
pub enum Uri<'a> {
    Sip(SipUri<'a>),
    /// Any other absolute URI; RFC 4475 unkscm/novelsc/unksm2 must parse.
    Other {
        #[serde(rename = "name")]
        scheme: &'a str,
        rest: &'a str,
    },
}

/// A `sip:` or `sips:` URI.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SipUri<'a> {
    pub secure: bool,
    /// The user part, still %-escaped as received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<&'a str>,
    pub host: Host<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub params: crate::lex::Params<'a>,
    /// `?name=value&…` URI headers, still %-escaped.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(&'a str, &'a str)>,
}

/// A host: a domain name, an IPv4 address or an IPv6 reference.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "type", content = "value", rename_all = "lowercase")]
pub enum Host<'a> {
    Domain(&'a str),
    Ipv4(Ipv4Addr),
    Ipv6(Ipv6Addr),
}

impl<'a> Uri<'a> {
    /// Parses a complete URI (the caller has already cut it out of its surroundings).
    pub fn parse(s: &'a str) -> Result<Self, UriError> {
        let (scheme, rest) =
            crate::lex::split_byte(s, b':').ok_or(UriError("URI has no scheme"))?;
        if !is_scheme(scheme) {
            return Err(UriError("invalid URI scheme"));
        }
        if scheme.eq_ignore_ascii_case("sip") || scheme.eq_ignore_ascii_case("sips") {
            let secure = scheme.eq_ignore_ascii_case("sips");
            return parse_sip(secure, rest).map(Uri::Sip);
        }
        if rest.is_empty()
            || rest
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"'))
        {
            return Err(UriError("invalid characters in URI"));
        }
        Ok(Uri::Other { scheme, rest })
    }

    pub fn as_sip(&self) -> Option<&SipUri<'a>> {
        match self {
            Uri::Sip(u) => Some(u),
            Uri::Other { .. } => None,
        }
    }

    /// The scheme, lower-case for sip/sips.
    pub fn scheme(&self) -> &str {
        match self {
            Uri::Sip(u) if u.secure => "sips",
            Uri::Sip(_) => "sip",
            Uri::Other { scheme, .. } => scheme,
        }
    }
}

impl<'a> SipUri<'a> {
    /// The user part with %-escapes resolved (may hold any byte, even NUL: RFC 4475 escnull).
    pub fn user_unescaped(&self) -> Option<Cow<'a, [u8]>> {
        self.user.map(percent_decode)
    }

    /// A URI parameter by name (case-insensitive).
    pub fn param(&self, name: &str) -> Option<&Param<'a>> {
        crate::lex::find_param(&self.params, name)
    }

    /// The `transport=` parameter, lower-cased by the caller if needed.
    pub fn transport(&self) -> Option<&str> {
        self.param("transport").and_then(|p| p.value.as_deref())
    }
}

fn is_scheme(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

static USER: ByteClass = ByteClass::new(true, b"-_.!~*'()&=+$,;?/%");
static PASSWORD: ByteClass = ByteClass::new(true, b"-_.!~*'()&=+$,%");
static PARAM: ByteClass = ByteClass::new(true, b"-_.!~*'()[]/:&+$%");
static HEADER: ByteClass = ByteClass::new(true, b"-_.!~*'()[]/?:+$%");
static HOST_NAME: ByteClass = ByteClass::new(true, b"-.");

/// Every `%` must start a two-hex-digit escape.
fn escapes_ok(s: &str) -> bool {
    let bytes = s.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            match (bytes.get(i + 1), bytes.get(i + 2)) {
                (Some(h), Some(l)) if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() => i += 3,
                _ => return false,
            }
        } else {
            i += 1;
        }
    }
    true
}

fn checked<'a>(s: &'a str, class: &ByteClass, what: &'static str) -> Result<&'a str, UriError> {
    let mut percent = false;
    let in_class = s.bytes().all(|b| {
        percent |= b == b'%';
        class.has(b)
    });
    if in_class && (!percent || escapes_ok(s)) {
        Ok(s)
    } else {
        Err(UriError(what))
    }
}

/// Resolves %-escapes; borrows when there are none.
pub fn percent_decode(s: &str) -> Cow<'_, [u8]> {
    if !s.contains('%') {
        return Cow::Borrowed(s.as_bytes());
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(v) = hex {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    Cow::Owned(out)
}

fn parse_sip(secure: bool, s: &str) -> Result<SipUri<'_>, UriError> {
    // '@' cannot appear unescaped after the userinfo (params and headers exclude it).
    let (userinfo, rest) = match crate::lex::split_byte(s, b'@') {
        Some((u, r)) => (Some(u), r),
        None => (None, s),
    };
    let (user, password) = match userinfo {
        None => (None, None),
        Some(u) => {
            let (user, password) = match crate::lex::split_byte(u, b':') {
                Some((user, pw)) => (user, Some(checked(pw, &PASSWORD, "invalid password")?)),
                None => (u, None),
            };
            if user.is_empty() {
                return Err(UriError("empty user part"));
            }
            (Some(checked(user, &USER, "invalid user part")?), password)
        }
    };
    let (hostport, headers_text) = match crate::lex::split_byte(rest, b'?') {
        Some((hp, h)) => (hp, Some(h)),
        None => (rest, None),
    };
    let (hostport, params_text) = match crate::lex::split_byte(hostport, b';') {
        Some((hp, p)) => (hp, Some(p)),
        None => (hostport, None),
    };
    let (host, port) = parse_hostport(hostport)?;
    let mut params = crate::lex::Params::new();
    if let Some(p) = params_text {
        for item in p.split(';') {
            if params.len() >= MAX_PARAMS {
                return Err(UriError("too many URI parameters"));
            }
            let (name, value) = match crate::lex::split_byte(item, b'=') {
                Some((n, v)) => (n, Some(checked(v, &PARAM, "invalid URI parameter")?)),
                None => (item, None),
            };
            if name.is_empty() || value == Some("") {
                return Err(UriError("empty URI parameter"));
            }
            params.push(Param {
                name: checked(name, &PARAM, "invalid URI parameter")?,
                value: value.map(Cow::Borrowed),
                quoted: false,
            });
        }
    }
    let mut headers = Vec::new();
    if let Some(h) = headers_text {
        for item in h.split('&') {
            if headers.len() >= MAX_PARAMS {
                return Err(UriError("too many URI headers"));
            }
            let (name, value) = item
                .split_once('=')
                .ok_or(UriError("URI header without '='"))?;
            if name.is_empty() {
                return Err(UriError("empty URI header name"));
            }
            headers.push((
                checked(name, &HEADER, "invalid URI header")?,
                checked(value, &HEADER, "invalid URI header")?,
            ));
        }
    }
    Ok(SipUri {
        secure,
        user,
        password,
        host,
        port,
        params,
        headers,
    })
}

/// `hostport` = host [ ":" port ].
pub(crate) fn parse_hostport(s: &str) -> Result<(Host<'_>, Option<u16>), UriError> {
    let (host, after) = if let Some(inner) = s.strip_prefix('[') {
        let (addr, after) = inner
            .split_once(']')
            .ok_or(UriError("unterminated IPv6 reference"))?;
        (Host::Ipv6(parse_ipv6(addr)?), after)
    } else {
        let end = s.bytes().position(|b| b == b':').unwrap_or(s.len());
        let (name, after) = s.split_at(end);
        (parse_host_name(name)?, after)
    };
    let port = match after.strip_prefix(':') {
        None if after.is_empty() => None,
        None => return Err(UriError("unexpected text after host")),
        Some(p) => Some(parse_port(p)?),
    };
    Ok((host, port))
}

pub(crate) fn parse_port(p: &str) -> Result<u16, UriError> {
    if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
        return Err(UriError("invalid port"));
    }
    p.parse().map_err(|_| UriError("port out of range"))
}

/// An IPv6 address; the three-colon form that RFC 3261's ABNF bug allows
/// (`2001:db8:::192.0.2.1`, RFC 5118 §4.10) is tolerated as the two-colon form.
pub(crate) fn parse_ipv6(addr: &str) -> Result<Ipv6Addr, UriError> {
    if addr.len() > 64 {
        return Err(UriError("invalid IPv6 address"));
    }
    if let Ok(a) = addr.parse() {
        return Ok(a);
    }
    if addr.matches(":::").count() == 1 {
        if let Ok(a) = addr.replacen(":::", "::", 1).parse() {
            return Ok(a);
        }
    }
    Err(UriError("invalid IPv6 address"))
}

fn parse_host_name(name: &str) -> Result<Host<'_>, UriError> {
    if name.is_empty() {
        return Err(UriError("empty host"));
    }
    if name.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return name
            .parse()
            .map(Host::Ipv4)
            .map_err(|_| UriError("invalid IPv4 address"));
    }
    // One pass over `label *("." label) ["."]`: no empty label, none starting or ending in '-'.
    let bytes = name.trim_end_matches('.').as_bytes();
    let mut prev = b'.';
    let mut valid_labels = !bytes.is_empty();
    for &b in bytes {
        let ok = HOST_NAME.has(b)
            && !(b == b'.' && (prev == b'.' || prev == b'-'))
            && !(b == b'-' && prev == b'.');
        valid_labels &= ok;
        prev = b;
    }
    valid_labels &= prev != b'-' && prev != b'.';
    if !valid_labels {
        return Err(UriError("invalid host name"));
    }
    Ok(Host::Domain(name))
}

/// Parses a host alone (Via `received=`, `maddr=`): IPv6 may come with or without brackets.
pub fn parse_host(s: &str) -> Result<Host<'_>, UriError> {
    if let Some(inner) = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        return parse_ipv6(inner).map(Host::Ipv6);
    }
    if s.contains(':') {
        return parse_ipv6(s).map(Host::Ipv6);
    }
    parse_host_name(s)
}

impl fmt::Display for Host<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Domain(d) => f.write_str(d),
            Host::Ipv4(a) => write!(f, "{a}"),
            Host::Ipv6(a) => write!(f, "[{a}]"),
        }
    }
}

impl fmt::Display for SipUri<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.secure { "sips:" } else { "sip:" })?;
        if let Some(user) = self.user {
            f.write_str(user)?;
            if let Some(pw) = self.password {
                write!(f, ":{pw}")?;
            }
            f.write_str("@")?;
        }
        write!(f, "{}", self.host)?;
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        for p in &self.params {
            write!(f, ";{p}")?;
        }
        for (i, (name, value)) in self.headers.iter().enumerate() {
            write!(f, "{}{name}={value}", if i == 0 { '?' } else { '&' })?;
        }
        Ok(())
    }
}

impl fmt::Display for Uri<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Uri::Sip(u) => write!(f, "{u}"),
            Uri::Other { scheme, rest } => write!(f, "{scheme}:{rest}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sip(s: &str) -> SipUri<'_> {
        match Uri::parse(s).unwrap() {
            Uri::Sip(u) => u,
            other => panic!("not sip: {other:?}"),
        }
    }

    #[test]
    fn sip_uri_parts() {
        let u = sip("sips:alice:secret@[2001:db8::10]:5070;transport=tcp;lr?subject=hi&x=");
        assert!(u.secure);
        assert_eq!(u.user, Some("alice"));
        assert_eq!(u.password, Some("secret"));
        assert_eq!(u.host, Host::Ipv6("2001:db8::10".parse().unwrap()));
        assert_eq!(u.port, Some(5070));
        assert_eq!(u.transport(), Some("tcp"));
        assert!(u.param("LR").is_some());
        assert_eq!(u.headers, vec![("subject", "hi"), ("x", "")]);
        let printed = u.to_string();
        assert_eq!(sip(&printed), u);
    }

    #[test]
    fn torture_user_parts() {
        let u = sip("sip:user;par=u%40example.net@example.com");
        assert_eq!(u.user, Some("user;par=u%40example.net"));
        assert_eq!(u.host, Host::Domain("example.com"));
        let u = sip("sip:null-%00-null@example.com");
        assert_eq!(u.user_unescaped().unwrap().as_ref(), b"null-\0-null");
        let u = sip("sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com");
        assert_eq!(
            u.password,
            Some("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)")
        );
    }

    #[test]
    fn ipv6_forms() {
        assert_eq!(sip("sip:[2001:db8::10:5070]").port, None);
        assert_eq!(sip("sip:[2001:db8::10]:5070").port, Some(5070));
        assert_eq!(
            sip("sip:user@[2001:db8:::192.0.2.1]").host,
            Host::Ipv6("2001:db8::192.0.2.1".parse().unwrap())
        );
        assert!(Uri::parse("sip:2001:db8::10").is_err());
        assert!(Uri::parse("sip:[2001:db8::10").is_err());
    }

    #[test]
    fn other_schemes_and_rejections() {
        assert_eq!(
            Uri::parse("soap.beep://192.0.2.103:3002").unwrap(),
            Uri::Other {
                scheme: "soap.beep",
                rest: "//192.0.2.103:3002"
            }
        );
        assert!(Uri::parse("<sip:user@example.com>").is_err());
        assert!(Uri::parse(" sip:user@example.com").is_err());
        assert!(Uri::parse("sip:user@example.com ").is_err());
        assert!(Uri::parse("sip:%zz@example.com").is_err());
        assert!(Uri::parse("sip:@example.com").is_err());
        assert!(Uri::parse("sip:host:99999").is_err());
        assert!(Uri::parse("sip:host;;lr").is_err());
        assert!(Uri::parse("sip:192.0.2.300").is_err());
    }
}
