//! Token lists (Supported, Require, Proxy-Require, Unsupported, Allow) and media types
//! (Content-Type, Accept).

use std::fmt;

use crate::lex::{header_params, is_token_char, is_wsp, sep, split_list, token};
use crate::limits::MAX_LIST_ITEMS;

/// A comma-separated list of tokens; an empty value is an empty list (RFC 3261 allows
/// `Supported:` and `Allow:` with nothing).
pub fn parse_token_list(value: &str) -> Result<Vec<&str>, &'static str> {
    if value.trim_matches(is_wsp).is_empty() {
        return Ok(Vec::new());
    }
    let items = split_list(value, MAX_LIST_ITEMS)?;
    if items.iter().all(|t| t.chars().all(is_token_char)) {
        Ok(items.into_vec())
    } else {
        Err("list element is not a token")
    }
}

/// Checks a token list without building it (validation of every message pays for this).
pub fn check_token_list(value: &str) -> Result<(), &'static str> {
    let value = crate::lex::trim_wsp(value);
    if value.is_empty() {
        return Ok(());
    }
    let mut count = 0;
    for item in value.split(',') {
        count += 1;
        let t = crate::lex::trim_wsp(item);
        if t.is_empty() {
            return Err("empty list element");
        }
        if !crate::lex::TOKEN.all(t) {
            return Err("list element is not a token");
        }
    }
    if count > MAX_LIST_ITEMS {
        return Err("too many list elements");
    }
    Ok(())
}

/// `type/subtype *(;param)`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MediaType<'a> {
    #[serde(rename = "type")]
    pub kind: &'a str,
    pub subtype: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub params: crate::lex::Params<'a>,
}

impl<'a> MediaType<'a> {
    pub fn parse(value: &'a str) -> Result<Self, &'static str> {
        let parsed = (|| {
            let (i, kind) = token(value.trim_start_matches(is_wsp))?;
            let (i, _) = sep('/')(i)?;
            let (i, subtype) = token(i)?;
            let (i, params) = header_params(i)?;
            Ok::<_, nom::Err<nom::error::Error<&str>>>((i, (kind, subtype, params)))
        })();
        match parsed {
            Ok((rest, (kind, subtype, params))) if rest.trim_matches(is_wsp).is_empty() => {
                Ok(MediaType {
                    kind,
                    subtype,
                    params,
                })
            }
            _ => Err("not a media type"),
        }
    }

    /// Case-insensitive match on type and subtype; `*` matches anything (Accept ranges).
    pub fn matches(&self, kind: &str, subtype: &str) -> bool {
        (self.kind == "*" || self.kind.eq_ignore_ascii_case(kind))
            && (self.subtype == "*" || self.subtype.eq_ignore_ascii_case(subtype))
    }
}

impl fmt::Display for MediaType<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.kind, self.subtype)?;
        for p in &self.params {
            write!(f, ";{p}")?;
        }
        Ok(())
    }
}

/// Accept: a possibly empty list of media ranges.
pub fn parse_accept(value: &str) -> Result<Vec<MediaType<'_>>, &'static str> {
    if value.trim_matches(is_wsp).is_empty() {
        return Ok(Vec::new());
    }
    split_list(value, MAX_LIST_ITEMS)?
        .into_iter()
        .map(MediaType::parse)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_lists() {
        assert_eq!(
            parse_token_list("nothingSupportsThis, nothingSupportsThisEither").unwrap(),
            vec!["nothingSupportsThis", "nothingSupportsThisEither"]
        );
        assert!(parse_token_list("").unwrap().is_empty());
        assert!(parse_token_list("a b").is_err());
        assert!(parse_token_list("a,,b").is_err());
    }

    #[test]
    fn media_types() {
        let m = MediaType::parse("multipart/mixed;boundary=7a9cbec02ceef655").unwrap();
        assert_eq!((m.kind, m.subtype), ("multipart", "mixed"));
        assert_eq!(m.params[0].value.as_deref(), Some("7a9cbec02ceef655"));
        assert!(m.matches("MULTIPART", "Mixed"));
        assert_eq!(MediaType::parse(&m.to_string()).unwrap(), m);
        assert!(MediaType::parse("application").is_err());
        assert_eq!(parse_accept("application/sdp, text/*").unwrap().len(), 2);
    }
}
