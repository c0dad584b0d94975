//! Single-value headers with numbers and fixed shapes: CSeq, Max-Forwards, Expires,
//! Session-Expires, Min-SE, Retry-After, RSeq, RAck, Call-ID, Date, Warning.
//! Every number is bounded (RFC 4475 scalar02/scalarlg send overlarge values on purpose).

use std::fmt;

use nom::Parser;

use crate::lex::{
    bounded_decimal, find_param, header_params, is_wsp, lws, quoted_string, sws, token,
};
use crate::method::Method;

/// RFC 3261 §8.1.1.5: the CSeq number is below 2**31.
pub const MAX_CSEQ: u32 = (1 << 31) - 1;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CSeq<'a> {
    pub seq: u32,
    pub method: Method<'a>,
}

impl<'a> CSeq<'a> {
    pub fn parse(value: &'a str) -> Result<Self, &'static str> {
        let (num, method) = value
            .trim_matches(is_wsp)
            .split_once(is_wsp)
            .ok_or("CSeq needs a number and a method")?;
        let seq = bounded_decimal(num, u64::from(MAX_CSEQ))
            .map_err(|_| "CSeq number out of range")? as u32;
        let method = method.trim_start_matches(is_wsp);
        if method.is_empty() || !method.chars().all(crate::lex::is_token_char) {
            return Err("CSeq method is not a token");
        }
        Ok(CSeq {
            seq,
            method: Method::from_token(method),
        })
    }
}

impl fmt::Display for CSeq<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.seq, self.method)
    }
}

/// Max-Forwards: 0 to 255.
pub fn parse_max_forwards(value: &str) -> Result<u8, &'static str> {
    bounded_decimal(value.trim(), 255)
        .map(|v| v as u8)
        .map_err(|_| "Max-Forwards must be 0-255")
}

/// `delta-seconds` bounded to 32 bits (Expires, Min-Expires).
pub fn parse_delta_seconds(value: &str) -> Result<u32, &'static str> {
    bounded_decimal(value.trim(), u64::from(u32::MAX))
        .map(|v| v as u32)
        .map_err(|_| "delta-seconds out of range")
}

/// Session-Expires and Min-SE (RFC 4028): delta-seconds with parameters.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SessionTimer<'a> {
    pub delta: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub params: crate::lex::Params<'a>,
}

impl<'a> SessionTimer<'a> {
    pub fn parse(value: &'a str) -> Result<Self, &'static str> {
        let value = value.trim_matches(is_wsp);
        let end = value
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(value.len());
        let (num, rest) = value.split_at(end);
        let delta = parse_delta_seconds(num)?;
        let (rest, params) = header_params(rest).map_err(|_| "malformed parameters")?;
        if !rest.trim().is_empty() {
            return Err("unexpected text after parameters");
        }
        let timer = SessionTimer { delta, params };
        if let Some(r) = timer.refresher() {
            if !r.eq_ignore_ascii_case("uac") && !r.eq_ignore_ascii_case("uas") {
                return Err("refresher must be uac or uas");
            }
        }
        Ok(timer)
    }

    /// `refresher=uac|uas` of Session-Expires.
    pub fn refresher(&self) -> Option<&str> {
        find_param(&self.params, "refresher").and_then(|p| p.value.as_deref())
    }
}

impl fmt::Display for SessionTimer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.delta)?;
        for p in &self.params {
            write!(f, ";{p}")?;
        }
        Ok(())
    }
}

/// Retry-After: delta-seconds [comment] *( SEMI retry-param ).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RetryAfter<'a> {
    pub delta: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub params: crate::lex::Params<'a>,
}

impl<'a> RetryAfter<'a> {
    pub fn parse(value: &'a str) -> Result<Self, &'static str> {
        let value = value.trim_matches(is_wsp);
        let end = value
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(value.len());
        let (num, mut rest) = value.split_at(end);
        let delta = parse_delta_seconds(num)?;
        let mut comment = None;
        let trimmed = rest.trim_start_matches(is_wsp);
        if let Some(inner) = trimmed.strip_prefix('(') {
            let close = inner.find(')').ok_or("unterminated comment")?;
            comment = inner.get(..close);
            rest = inner.get(close + 1..).unwrap_or("");
        }
        let (rest, params) = header_params(rest).map_err(|_| "malformed parameters")?;
        if !rest.trim().is_empty() {
            return Err("unexpected text after Retry-After");
        }
        Ok(RetryAfter {
            delta,
            comment,
            params,
        })
    }
}

/// Call-ID = word [ "@" word ].
pub fn check_call_id(value: &str) -> Result<(), &'static str> {
    fn is_word(c: char) -> bool {
        crate::lex::is_token_char(c)
            || matches!(
                c,
                '(' | ')' | '<' | '>' | ':' | '\\' | '"' | '/' | '[' | ']' | '?' | '{' | '}'
            )
    }
    let (left, right) = match crate::lex::split_byte(value, b'@') {
        Some((l, r)) => (l, Some(r)),
        None => (value, None),
    };
    let word_ok = |w: &str| !w.is_empty() && w.chars().all(is_word);
    if word_ok(left) && right.is_none_or(word_ok) {
        Ok(())
    } else {
        Err("Call-ID is not word[@word]")
    }
}

/// RFC 3261 §20.17: Date is an RFC 1123 date and the zone is always GMT
/// (RFC 4475 baddate uses EST).
pub fn check_date(value: &str) -> Result<(), &'static str> {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let err = "Date is not an RFC 1123 date in GMT";
    let (wkday, rest) = value.trim().split_once(", ").ok_or(err)?;
    let parts: Vec<&str> = rest.split(' ').collect();
    let [day, month, year, time, zone] = parts.as_slice() else {
        return Err(err);
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let time_ok = {
        let t: Vec<&str> = time.split(':').collect();
        t.len() == 3 && t.iter().all(|p| digits(p, 2))
    };
    if DAYS.contains(&wkday)
        && digits(day, 2)
        && MONTHS.contains(month)
        && digits(year, 4)
        && time_ok
        && *zone == "GMT"
    {
        Ok(())
    } else {
        Err(err)
    }
}

/// One Warning value: warn-code SP warn-agent SP warn-text.
pub fn check_warning(value: &str) -> Result<(), &'static str> {
    let parsed = (|| {
        let (i, code) = nom::character::complete::digit1(value)?;
        let (i, _) = lws(i)?;
        let (i, _agent) =
            nom::bytes::complete::take_while1(|c: char| !c.is_whitespace()).parse(i)?;
        let (i, _) = lws(i)?;
        let (i, _text) = quoted_string(i)?;
        let (i, _) = sws(i)?;
        Ok::<_, nom::Err<nom::error::Error<&str>>>((i, code))
    })();
    match parsed {
        Ok(("", code)) if code.len() == 3 => Ok(()),
        _ => Err("Warning is not warn-code warn-agent \"text\""),
    }
}

/// RAck (RFC 3262): response-num CSeq-num Method.
pub fn check_rack(value: &str) -> Result<(), &'static str> {
    let mut parts = value.split_whitespace();
    let (Some(r), Some(c), Some(m), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("RAck needs three fields");
    };
    bounded_decimal(r, u64::from(u32::MAX)).map_err(|_| "RAck response number out of range")?;
    bounded_decimal(c, u64::from(MAX_CSEQ)).map_err(|_| "RAck CSeq out of range")?;
    token(m).map_err(|_| "RAck method is not a token")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cseq() {
        let c = CSeq::parse("0009 INVITE").unwrap();
        assert_eq!((c.seq, c.method), (9, Method::Invite));
        assert!(CSeq::parse("36893488147419103232 REGISTER").is_err());
        assert!(CSeq::parse("2147483648 INVITE").is_err());
        assert!(CSeq::parse("1").is_err());
        assert!(CSeq::parse("x INVITE").is_err());
    }

    #[test]
    fn timers_and_numbers() {
        assert_eq!(parse_max_forwards("0068"), Ok(68));
        assert!(parse_max_forwards("300").is_err());
        assert!(parse_delta_seconds("4294967296").is_err());
        let se = SessionTimer::parse("1800;refresher=uac").unwrap();
        assert_eq!((se.delta, se.refresher()), (1800, Some("uac")));
        assert!(SessionTimer::parse("1800;refresher=them").is_err());
        let ra = RetryAfter::parse("18000;duration=3600").unwrap();
        assert_eq!(ra.delta, 18000);
        let ra = RetryAfter::parse("120 (I'm in a meeting)").unwrap();
        assert_eq!(ra.comment, Some("I'm in a meeting"));
        assert!(RetryAfter::parse("949302838503028349304023988").is_err());
    }

    #[test]
    fn dates_calls_warnings() {
        assert!(check_date("Sat, 13 Nov 2010 23:29:00 GMT").is_ok());
        assert!(check_date("Fri, 01 Jan 2010 16:00:00 EST").is_err());
        assert!(check_call_id("wsinv.ndaksdj@192.0.2.1").is_ok());
        assert!(check_call_id("a b").is_err());
        assert!(check_warning("399 example.com \"go away\"").is_ok());
        assert!(check_warning("1812 overture \"In Progress\"").is_err());
        assert!(check_rack("776656 1 INVITE").is_ok());
    }
}
