//! Network addresses of `o=`, `c=` and `a=rtcp` (RFC 8866 §5.2, §5.7, RFC 5118).

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// Longest host name accepted (RFC 1035 limit on a full domain name).
const MAX_FQDN_LENGTH: usize = 255;

/// The `<addrtype>` token. Kept apart from the address itself because peers do pair
/// `IP6` with a host name, and the token is what the far end uses to pick a socket family.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub enum AddrType {
    Ip4,
    Ip6,
    /// Anything else (e.g. `E164` for ATM/PSTN network types), kept verbatim.
    Other(String),
}

impl AddrType {
    pub(crate) fn parse(token: &str) -> Self {
        match token {
            "IP4" => Self::Ip4,
            "IP6" => Self::Ip6,
            other => Self::Other(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Ip4 => "IP4",
            Self::Ip6 => "IP6",
            Self::Other(s) => s,
        }
    }
}

impl fmt::Display for AddrType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The host part of an address: a literal is typed so that the media layer never has to
/// re-parse text; a name stays a name (resolving it is the transport's business).
///
/// An IPv4-mapped IPv6 address (`::ffff:192.0.2.2`, RFC 5118 §4.9) stays
/// [`Host::Ip6`]: whether to use it on a dual-stack socket or unwrap it with
/// [`Ipv6Addr::to_ipv4_mapped`] is a transport decision.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Host {
    Ip4(Ipv4Addr),
    Ip6(Ipv6Addr),
    Fqdn(String),
}

impl Host {
    fn parse(text: &str) -> Result<Self, &'static str> {
        if let Ok(v4) = text.parse::<Ipv4Addr>() {
            return Ok(Self::Ip4(v4));
        }
        if text.contains(':') {
            return text
                .parse::<Ipv6Addr>()
                .map(Self::Ip6)
                .map_err(|_| "malformed IPv6 address");
        }
        let valid = !text.is_empty()
            && text.len() <= MAX_FQDN_LENGTH
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
        if valid {
            Ok(Self::Fqdn(text.to_owned()))
        } else {
            Err("not an IP address or host name")
        }
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ip4(a) => a.fmt(f),
            Self::Ip6(a) => a.fmt(f),
            Self::Fqdn(n) => f.write_str(n),
        }
    }
}

/// `<connection-address>`: host plus the multicast suffixes
/// (`/ttl[/count]` for IP4, `/count` for IP6).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConnectionAddress {
    pub host: Host,
    /// IPv4 multicast TTL.
    pub ttl: Option<u8>,
    /// Number of consecutive multicast addresses.
    pub count: Option<u32>,
    /// The host exactly as received when it differs from the canonical text of `host`
    /// (e.g. `2001:DB8:0::1`), so that re-serialization is byte-exact. Ignored when it no
    /// longer denotes `host`, so editing `host` can never emit a stale address.
    #[serde(skip)]
    spelling: Option<String>,
}

impl ConnectionAddress {
    /// A unicast address without multicast suffixes.
    pub fn new(host: Host) -> Self {
        Self {
            host,
            ttl: None,
            count: None,
            spelling: None,
        }
    }

    /// Parses the address token; `addr_type` decides which suffixes are legal, and an IP
    /// literal of the other family is refused (nothing can connect to it).
    pub(crate) fn parse(addr_type: &AddrType, text: &str) -> Result<Self, &'static str> {
        if let AddrType::Other(_) = addr_type {
            // Unknown address types have unknown syntax: keep the token as a name.
            if text.is_empty() || text.bytes().any(|b| b.is_ascii_whitespace()) {
                return Err("empty address");
            }
            return Ok(Self::new(Host::Fqdn(text.to_owned())));
        }
        let mut parts = text.split('/');
        let host_text = parts.next().unwrap_or_default();
        let host = Host::parse(host_text)?;
        match (&host, addr_type) {
            (Host::Ip4(_), AddrType::Ip6) => return Err("IPv4 literal with address type IP6"),
            (Host::Ip6(_), AddrType::Ip4) => return Err("IPv6 literal with address type IP4"),
            _ => {}
        }
        let mut address = Self::new(host);
        if *addr_type == AddrType::Ip4 {
            if let Some(ttl) = parts.next() {
                address.ttl = Some(parse_decimal(ttl).ok_or("bad multicast TTL")?);
            }
        }
        if let Some(count) = parts.next() {
            address.count = Some(parse_decimal(count).ok_or("bad multicast address count")?);
        }
        if parts.next().is_some() {
            return Err("too many '/' suffixes");
        }
        if address.host.to_string() != host_text {
            address.spelling = Some(host_text.to_owned());
        }
        Ok(address)
    }

    fn host_text(&self) -> String {
        if let Some(spelling) = &self.spelling {
            if Host::parse(spelling).as_ref() == Ok(&self.host) {
                return spelling.clone();
            }
        }
        self.host.to_string()
    }
}

impl fmt::Display for ConnectionAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.host_text())?;
        if let Some(ttl) = self.ttl {
            write!(f, "/{ttl}")?;
        }
        if let Some(count) = self.count {
            write!(f, "/{count}")?;
        }
        Ok(())
    }
}

/// Parses a plain decimal number: digits only, no sign, no surrounding space.
pub(crate) fn parse_decimal<T: std::str::FromStr>(text: &str) -> Option<T> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// `c=<nettype> <addrtype> <connection-address>`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Connection {
    /// Always `IN` in practice; kept as text because RFC 8866 lets it be extended.
    pub net_type: String,
    pub addr_type: AddrType,
    pub address: ConnectionAddress,
}

impl Connection {
    /// An `IN IP4`/`IN IP6` unicast connection for a literal address.
    pub fn internet(addr: std::net::IpAddr) -> Self {
        let (addr_type, host) = match addr {
            std::net::IpAddr::V4(a) => (AddrType::Ip4, Host::Ip4(a)),
            std::net::IpAddr::V6(a) => (AddrType::Ip6, Host::Ip6(a)),
        };
        Self {
            net_type: "IN".to_owned(),
            addr_type,
            address: ConnectionAddress::new(host),
        }
    }

    pub(crate) fn parse(value: &str) -> Result<Self, &'static str> {
        let mut parts = value.split(' ');
        let (Some(net_type), Some(addr_type), Some(address), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err("expected <nettype> <addrtype> <address>");
        };
        if !is_token(net_type) {
            return Err("bad network type");
        }
        let addr_type = AddrType::parse(addr_type);
        let address = ConnectionAddress::parse(&addr_type, address)?;
        Ok(Self {
            net_type: net_type.to_owned(),
            addr_type,
            address,
        })
    }
}

impl fmt::Display for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.net_type, self.addr_type, self.address)
    }
}

/// `o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Origin {
    pub username: String,
    /// Decimal digits. Text, not an integer: peers send ids longer than 64 bits.
    pub session_id: String,
    /// Decimal digits, for the same reason; see [`Origin::bump_version`].
    pub session_version: String,
    pub net_type: String,
    pub addr_type: AddrType,
    pub address: ConnectionAddress,
}

impl Origin {
    pub(crate) fn parse(value: &str) -> Result<Self, &'static str> {
        let mut parts = value.split(' ');
        let (Some(user), Some(id), Some(version), Some(net), Some(addr_type), Some(addr), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err("expected 6 space-separated fields");
        };
        if user.is_empty() {
            return Err("empty username");
        }
        if !is_digits(id) || !is_digits(version) {
            return Err("session id and version must be decimal");
        }
        if !is_token(net) {
            return Err("bad network type");
        }
        let addr_type = AddrType::parse(addr_type);
        let address = ConnectionAddress::parse(&addr_type, addr)?;
        if address.ttl.is_some() || address.count.is_some() {
            return Err("origin address must be unicast");
        }
        Ok(Self {
            username: user.to_owned(),
            session_id: id.to_owned(),
            session_version: version.to_owned(),
            net_type: net.to_owned(),
            addr_type,
            address,
        })
    }

    /// Increments the session version, as RFC 3264 §8 requires for every changed offer.
    /// Works on the decimal text so that versions wider than 64 bits cannot overflow.
    pub fn bump_version(&mut self) {
        let mut digits: Vec<u8> = self.session_version.bytes().collect();
        let mut carry = true;
        for d in digits.iter_mut().rev() {
            if !carry {
                break;
            }
            if *d == b'9' {
                *d = b'0';
            } else {
                *d += 1;
                carry = false;
            }
        }
        if carry {
            digits.insert(0, b'1');
        }
        self.session_version = String::from_utf8(digits).unwrap_or_else(|_| "1".to_owned());
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {} {} {}",
            self.username,
            self.session_id,
            self.session_version,
            self.net_type,
            self.addr_type,
            self.address
        )
    }
}

pub(crate) fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// RFC 8866 `token`: visible ASCII except the separators it names.
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| {
            matches!(b, b'!' | b'#'..=b'\'' | b'*' | b'+' | b'-' | b'.' | b'0'..=b'9'
                | b'A'..=b'Z' | b'^'..=b'~')
        })
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_spelling_is_kept_but_typed() {
        let c = Connection::parse("IN IP6 2001:DB8:0::1").unwrap();
        assert_eq!(c.address.host, Host::Ip6("2001:db8::1".parse().unwrap()));
        assert_eq!(c.to_string(), "IN IP6 2001:DB8:0::1");
        let mut edited = c.clone();
        edited.address.host = Host::Ip6("2001:db8::2".parse().unwrap());
        assert_eq!(edited.to_string(), "IN IP6 2001:db8::2");
    }

    #[test]
    fn multicast_forms() {
        let c = Connection::parse("IN IP4 224.2.1.1/127/3").unwrap();
        assert_eq!((c.address.ttl, c.address.count), (Some(127), Some(3)));
        let c = Connection::parse("IN IP6 FF15::101/3").unwrap();
        assert_eq!((c.address.ttl, c.address.count), (None, Some(3)));
        assert!(Connection::parse("IN IP4 224.2.1.1/300").is_err());
        assert!(Connection::parse("IN IP6 ff15::1/3/4").is_err());
    }

    #[test]
    fn mapped_and_names() {
        let c = Connection::parse("IN IP6 ::ffff:192.0.2.2").unwrap();
        let Host::Ip6(a) = c.address.host else {
            panic!()
        };
        assert_eq!(a.to_ipv4_mapped(), Some(Ipv4Addr::new(192, 0, 2, 2)));
        let c = Connection::parse("IN IP4 host.example.com").unwrap();
        assert_eq!(c.address.host, Host::Fqdn("host.example.com".into()));
        assert!(Connection::parse("IN IP4 2001:db8::1").is_err());
        assert!(Connection::parse("IN IP6 192.0.2.1").is_err());
        assert!(Connection::parse("IN IP4").is_err());
        assert!(Connection::parse("IN IP4 a b").is_err());
        assert!(Connection::parse("IN IP4 bad/host").is_err());
    }

    #[test]
    fn version_bump_carries() {
        let mut o = Origin::parse("- 1 99 IN IP4 192.0.2.1").unwrap();
        o.bump_version();
        assert_eq!(o.session_version, "100");
        assert!(Origin::parse("- x 1 IN IP4 192.0.2.1").is_err());
        assert!(Origin::parse("- 1 1 IN IP4 224.0.0.1/5").is_err());
    }
}
