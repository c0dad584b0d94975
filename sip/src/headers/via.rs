//! Via (RFC 3261 §20.42) with the RFC 3581 `rport` and `received` parameters.

use std::fmt;
use std::net::IpAddr;

use nom::Parser;

use crate::lex::{find_param, header_params, lws, sep, token, PResult, Param};
use crate::uri::{parse_host, parse_hostport, Host};

/// One Via entry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Via<'a> {
    pub protocol: &'a str,
    pub version: &'a str,
    /// Transport token as received (UDP, TCP, TLS, SCTP, WS, WSS or an extension).
    pub transport: &'a str,
    pub host: Host<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub params: crate::lex::Params<'a>,
}

fn is_sent_by_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | ':' | '[' | ']')
}

fn sent_by(i: &str) -> PResult<'_, &str> {
    nom::bytes::complete::take_while1(is_sent_by_char).parse(i)
}

impl<'a> Via<'a> {
    /// Parses one Via element (the caller has split comma lists).
    pub fn parse(value: &'a str) -> Result<Self, &'static str> {
        let parsed: PResult<'a, _> = (|| {
            let (i, protocol) = token(value.trim_start())?;
            let (i, _) = sep('/')(i)?;
            let (i, version) = token(i)?;
            let (i, _) = sep('/')(i)?;
            let (i, transport) = token(i)?;
            let (i, _) = lws(i)?;
            let (i, host_port) = sent_by(i)?;
            // COLON in sent-by may carry white space around it.
            let (i, extra_port) =
                nom::combinator::opt((sep(':'), nom::character::complete::digit1)).parse(i)?;
            let (i, params) = header_params(i)?;
            Ok((
                i,
                (
                    protocol,
                    version,
                    transport,
                    host_port,
                    extra_port.map(|(_, p)| p),
                    params,
                ),
            ))
        })();
        let (rest, (protocol, version, transport, host_port, extra_port, params)) =
            parsed.map_err(|_| "malformed Via")?;
        if !rest.trim().is_empty() {
            return Err("unexpected text in Via");
        }
        let (host, mut port) = parse_hostport(host_port).map_err(|e| e.0)?;
        if let Some(p) = extra_port {
            if port.is_some() {
                return Err("two ports in Via sent-by");
            }
            port = Some(crate::uri::parse_port(p).map_err(|e| e.0)?);
        }
        let via = Via {
            protocol,
            version,
            transport,
            host,
            port,
            params,
        };
        via.check_params()?;
        Ok(via)
    }

    fn check_params(&self) -> Result<(), &'static str> {
        self.received()?;
        self.rport()?;
        if let Some(ttl) = self.param("ttl") {
            let v = ttl.value.as_deref().ok_or("ttl without value")?;
            crate::lex::bounded_decimal(v, 255).map_err(|_| "ttl out of range")?;
        }
        if let Some(maddr) = self.param("maddr") {
            let v = maddr.value.as_deref().ok_or("maddr without value")?;
            parse_host(v).map_err(|e| e.0)?;
        }
        if let Some(b) = self.param("branch") {
            if b.value.as_deref().is_none_or(str::is_empty) {
                return Err("empty branch");
            }
        }
        Ok(())
    }

    pub fn param(&self, name: &str) -> Option<&Param<'a>> {
        find_param(&self.params, name)
    }

    pub fn branch(&self) -> Option<&str> {
        self.param("branch").and_then(|p| p.value.as_deref())
    }

    /// `received=`: an IPv4 or IPv6 address, the latter with or without brackets (RFC 5118 §4.5).
    pub fn received(&self) -> Result<Option<IpAddr>, &'static str> {
        let Some(p) = self.param("received") else {
            return Ok(None);
        };
        let v = p.value.as_deref().ok_or("received without value")?;
        match parse_host(v).map_err(|e| e.0)? {
            Host::Ipv4(a) => Ok(Some(IpAddr::V4(a))),
            Host::Ipv6(a) => Ok(Some(IpAddr::V6(a))),
            Host::Domain(_) => Err("received is not an IP address"),
        }
    }

    /// `rport`: `None` when absent, `Some(None)` when requested (no value), `Some(Some(port))`
    /// when filled in by the server.
    pub fn rport(&self) -> Result<Option<Option<u16>>, &'static str> {
        let Some(p) = self.param("rport") else {
            return Ok(None);
        };
        match p.value.as_deref() {
            None => Ok(Some(None)),
            Some(v) => crate::uri::parse_port(v)
                .map(|p| Some(Some(p)))
                .map_err(|e| e.0),
        }
    }

    /// True when the branch carries the RFC 3261 magic cookie, i.e. it can be used alone for
    /// transaction matching.
    pub fn has_rfc3261_branch(&self) -> bool {
        self.branch().is_some_and(|b| b.starts_with("z9hG4bK"))
    }
}

impl fmt::Display for Via<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/{} {}",
            self.protocol, self.version, self.transport, self.host
        )?;
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
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
    fn odd_white_space() {
        let v = Via::parse("SIP  /   2.0 /UDP 192.0.2.2;branch=390skdjuw").unwrap();
        assert_eq!((v.protocol, v.version, v.transport), ("SIP", "2.0", "UDP"));
        assert_eq!(v.branch(), Some("390skdjuw"));
        let v =
            Via::parse("SIP  / 2.0  / TCP     spindle.example.com   ;  branch  =   z9hG4bK9ikj8")
                .unwrap();
        assert_eq!(v.host, Host::Domain("spindle.example.com"));
        assert!(v.has_rfc3261_branch());
    }

    #[test]
    fn rport_and_received() {
        let v = Via::parse(
            "SIP/2.0/UDP [2001:db8::9:1]:5060;received=2001:db8::9:255;branch=z9hG4bKas3;rport",
        )
        .unwrap();
        assert_eq!(v.port, Some(5060));
        assert_eq!(
            v.received().unwrap(),
            Some("2001:db8::9:255".parse().unwrap())
        );
        assert_eq!(v.rport().unwrap(), Some(None));
        let v = Via::parse("SIP/2.0/UDP h;received=[2001:db8::9:255];rport=5070").unwrap();
        assert_eq!(
            v.received().unwrap(),
            Some("2001:db8::9:255".parse().unwrap())
        );
        assert_eq!(v.rport().unwrap(), Some(Some(5070)));
        let round = v.to_string();
        assert_eq!(Via::parse(&round).unwrap(), v);
    }

    #[test]
    fn rejections() {
        for bad in [
            "SIP/2.0/UDP 192.0.2.15;;",
            "SIP/2.0/UDP 192.0.2.15;",
            "SIP/2.0/UDP",
            "SIP/2.0/UDP h;rport=x",
            "SIP/2.0/UDP h;received=example.com",
            "SIP/2.0/UDP h;ttl=300",
            "SIP/2.0/UDP h;branch=",
            "SIP/2.0 UDP h",
        ] {
            assert!(Via::parse(bad).is_err(), "{bad}");
        }
    }
}
