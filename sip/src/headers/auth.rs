//! Authorization, Proxy-Authorization, WWW-Authenticate and Proxy-Authenticate:
//! `scheme` followed by comma-separated `name=value` parameters. Any scheme parses (RFC 4475
//! regaut01 uses an unknown one); Digest semantics live with the authentication code.

use std::borrow::Cow;
use std::fmt;

use nom::Parser;

use crate::lex::{generic_param, is_wsp, split_list, token, write_quoted};
use crate::limits::MAX_PARAMS;

/// Credentials or a challenge.
#[derive(Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuthValue<'a> {
    pub scheme: &'a str,
    /// Parameter values; `response` and other secrets are not printed by `Debug`.
    pub params: crate::lex::Params<'a>,
    /// The `token68` form (RFC 7235), e.g. `Basic dXNlcjpwdw==`, instead of parameters.
    #[serde(skip)]
    pub token68: Option<&'a str>,
}

fn is_token68(s: &str) -> bool {
    let body = s.trim_end_matches('=');
    !body.is_empty()
        && body
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~' | '+' | '/'))
}

impl<'a> AuthValue<'a> {
    pub fn parse(value: &'a str) -> Result<Self, &'static str> {
        let value = value.trim_matches(is_wsp);
        let (rest, scheme) = token
            .parse(value)
            .map_err(|_| "auth scheme is not a token")?;
        let rest = rest.trim_start_matches(is_wsp);
        let mut params = crate::lex::Params::new();
        if !rest.is_empty() {
            if rest.len() == value.len() - scheme.len() {
                return Err("auth scheme must be followed by white space");
            }
            if is_token68(rest) {
                return Ok(AuthValue {
                    scheme,
                    params,
                    token68: Some(rest),
                });
            }
            for item in split_list(rest, MAX_PARAMS)? {
                match generic_param(item) {
                    Ok(("", p)) if p.value.is_some() => params.push(p),
                    _ => return Err("malformed auth parameter"),
                }
            }
        }
        Ok(AuthValue {
            scheme,
            params,
            token68: None,
        })
    }

    pub fn param(&self, name: &str) -> Option<&Cow<'a, str>> {
        crate::lex::find_param(&self.params, name).and_then(|p| p.value.as_ref())
    }
}

impl fmt::Debug for AuthValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.params.iter().map(|p| p.name).collect();
        f.debug_struct("AuthValue")
            .field("scheme", &self.scheme)
            .field("param_names", &names)
            .finish()
    }
}

impl fmt::Display for AuthValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.scheme)?;
        if let Some(t) = self.token68 {
            return write!(f, " {t}");
        }
        for (i, p) in self.params.iter().enumerate() {
            f.write_str(if i == 0 { " " } else { ", " })?;
            f.write_str(p.name)?;
            if let Some(v) = &p.value {
                f.write_str("=")?;
                if p.quoted {
                    write_quoted(f, v)?;
                } else {
                    f.write_str(v)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_and_unknown_schemes() {
        let a = AuthValue::parse(r#"Digest username="bob", realm="atlanta.example.com", nonce="ea9c8e88", uri="sip:bob@biloxi.example.com", response="dfe56131d1958046689d83306477ecc", algorithm=MD5, qop=auth, nc=00000001, cnonce="0a4f113b""#).unwrap();
        assert_eq!(a.scheme, "Digest");
        assert_eq!(
            a.param("realm").map(|v| v.as_ref()),
            Some("atlanta.example.com")
        );
        assert_eq!(a.param("NC").map(|v| v.as_ref()), Some("00000001"));
        assert!(!format!("{a:?}").contains("dfe56131"));
        assert_eq!(AuthValue::parse(&a.to_string()).unwrap(), a);
        let u = AuthValue::parse("NoOneKnowsThisScheme opaque-data=here").unwrap();
        assert_eq!(u.param("opaque-data").map(|v| v.as_ref()), Some("here"));
        let b = AuthValue::parse("Basic dXNlcjpwdw==").unwrap();
        assert_eq!(b.token68, Some("dXNlcjpwdw=="));
        assert_eq!(b.to_string(), "Basic dXNlcjpwdw==");
        assert!(AuthValue::parse("Digest a b").is_err());
        assert!(AuthValue::parse("Digest realm=\"x\",,").is_err());
    }
}
