//! Reason (RFC 3326): `protocol *(SEMI reason-params)`, e.g. `SIP;cause=200;text="Call completed elsewhere"`.

use std::fmt;

use crate::lex::{find_param, header_params, is_wsp, token};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Reason<'a> {
    pub protocol: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub params: crate::lex::Params<'a>,
}

impl<'a> Reason<'a> {
    pub fn parse(value: &'a str) -> Result<Self, &'static str> {
        let (rest, protocol) = token(value.trim_start_matches(is_wsp))
            .map_err(|_| "Reason protocol is not a token")?;
        let (rest, params) = header_params(rest).map_err(|_| "malformed Reason parameters")?;
        if !rest.trim_matches(is_wsp).is_empty() {
            return Err("unexpected text in Reason");
        }
        let reason = Reason { protocol, params };
        if let Some(cause) = find_param(&reason.params, "cause") {
            let v = cause.value.as_deref().ok_or("cause without value")?;
            crate::lex::bounded_decimal(v, u64::from(u16::MAX))
                .map_err(|_| "cause is not a number")?;
        }
        Ok(reason)
    }

    pub fn cause(&self) -> Option<u16> {
        find_param(&self.params, "cause")
            .and_then(|p| p.value.as_deref())
            .and_then(|v| v.parse().ok())
    }

    pub fn text(&self) -> Option<&str> {
        find_param(&self.params, "text").and_then(|p| p.value.as_deref())
    }
}

impl fmt::Display for Reason<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.protocol)?;
        for p in &self.params {
            write!(f, ";{p}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn q850_and_sip() {
        let r = Reason::parse(r#"Q.850 ;cause=16 ;text="Terminated""#).unwrap();
        assert_eq!(
            (r.protocol, r.cause(), r.text()),
            ("Q.850", Some(16), Some("Terminated"))
        );
        assert_eq!(Reason::parse(&r.to_string()).unwrap(), r);
        assert!(Reason::parse("SIP;cause=abc").is_err());
    }
}
