//! `name-addr` / `addr-spec` with header parameters: From, To, Contact, Route, Record-Route,
//! P-Asserted-Identity, Reply-To. RFC 3261 §20.10: a URI holding `,`, `?` or `;` must be in
//! angle brackets, and parameters after a bare addr-spec belong to the header, not the URI.

use std::borrow::Cow;
use std::fmt;

use crate::lex::{find_param, header_params, is_wsp, quoted_string, write_quoted, Param};
use crate::uri::Uri;

/// A URI with an optional display name and header parameters.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NameAddr<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<Cow<'a, str>>,
    pub uri: Uri<'a>,
    /// The URI was in angle brackets.
    #[serde(skip)]
    pub bracketed: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub params: crate::lex::Params<'a>,
}

impl<'a> NameAddr<'a> {
    /// Parses one element (the caller has split comma lists).
    pub fn parse(value: &'a str) -> Result<Self, &'static str> {
        let s = value.trim_matches(is_wsp);
        let (display_name, rest) = if s.starts_with('"') {
            let (rest, name) = quoted_string(s).map_err(|_| "malformed quoted display name")?;
            let rest = rest.trim_start_matches(is_wsp);
            if !rest.starts_with('<') {
                return Err("quoted display name must be followed by <URI>");
            }
            (Some(name), rest)
        } else {
            // *(token LWS) then '<', or else a bare addr-spec.
            let prefix_len = s
                .bytes()
                .position(|b| !(crate::lex::TOKEN.has(b) || b == b' ' || b == b'\t'))
                .unwrap_or(s.len());
            match s.get(prefix_len..) {
                Some(rest) if rest.starts_with('<') => {
                    let name = s.get(..prefix_len).unwrap_or("").trim_matches(is_wsp);
                    ((!name.is_empty()).then_some(Cow::Borrowed(name)), rest)
                }
                _ => (None, s),
            }
        };
        let (uri, bracketed, rest) = if let Some(inner) = rest.strip_prefix('<') {
            let (uri_text, rest) = crate::lex::split_byte(inner, b'>').ok_or("missing '>'")?;
            (Uri::parse(uri_text).map_err(|e| e.0)?, true, rest)
        } else {
            let end = rest
                .bytes()
                .position(|b| matches!(b, b';' | b',' | b' ' | b'\t'))
                .unwrap_or(rest.len());
            let (uri_text, after) = rest.split_at(end);
            if uri_text.contains('?') {
                return Err("a URI with headers must be enclosed in <>");
            }
            (Uri::parse(uri_text).map_err(|e| e.0)?, false, after)
        };
        let (rest, params) = header_params(rest).map_err(|_| "malformed header parameters")?;
        if !rest.trim_matches(is_wsp).is_empty() {
            return Err("unexpected text after URI and parameters");
        }
        Ok(NameAddr {
            display_name,
            uri,
            bracketed,
            params,
        })
    }

    pub fn param(&self, name: &str) -> Option<&Param<'a>> {
        find_param(&self.params, name)
    }

    /// The `tag` parameter (From/To).
    pub fn tag(&self) -> Option<&str> {
        self.param("tag").and_then(|p| p.value.as_deref())
    }
}

impl fmt::Display for NameAddr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(name) = &self.display_name {
            write_quoted(f, name)?;
            f.write_str(" ")?;
        }
        write!(f, "<{}>", self.uri)?;
        for p in &self.params {
            write!(f, ";{p}")?;
        }
        Ok(())
    }
}

/// A Contact header value: `*` (only in REGISTER) or a list of addresses.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub enum Contact<'a> {
    Wildcard(&'static str),
    Addresses(Vec<NameAddr<'a>>),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn torture_forms() {
        let a = NameAddr::parse(
            r#""J Rosenberg \\\""       <sip:jdrosen@example.com> ; tag = 98asjd8"#,
        )
        .unwrap();
        assert_eq!(a.display_name.as_deref(), Some(r#"J Rosenberg \""#));
        assert_eq!(a.tag(), Some("98asjd8"));
        let a =
            NameAddr::parse("sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n").unwrap();
        assert!(!a.bracketed);
        assert_eq!(a.tag(), Some("1918181833n"));
        let a = NameAddr::parse("caller<sip:caller@example.com>;tag=323").unwrap();
        assert_eq!(a.display_name.as_deref(), Some("caller"));
        let a = NameAddr::parse("sip:caller@example.net;tag=134161461246").unwrap();
        assert_eq!(a.uri.as_sip().unwrap().params.len(), 0);
        assert_eq!(a.tag(), Some("134161461246"));
        let a = NameAddr::parse("isbn:2983792873").unwrap();
        assert_eq!(a.uri.scheme(), "isbn");
    }

    #[test]
    fn torture_rejections() {
        for bad in [
            r#""Joe" <sip:joe@example.org>;;;;"#,
            "\"Mr. J. User <sip:j.user@example.com>",
            "\"Watson, Thomas\" < sip:t.watson@example.org >",
            "Bell, Alexander <sip:a.g.bell@example.com>;tag=43",
            "sip:user@example.com?Route=%3Csip:sip.example.com%3E",
            "<sip:user@example.com",
        ] {
            assert!(NameAddr::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn round_trip() {
        let a = NameAddr::parse(r#""A \"B\"" <sip:a@b;lr>;tag=1;x="y z""#).unwrap();
        let text = a.to_string();
        assert_eq!(NameAddr::parse(&text).unwrap(), a);
    }
}
