//! TransportAddress, AliasAddress and PartyNumber (H.225.0 §7.6): where an endpoint is
//! reached and the names it is reached by.

use serde::Serialize;

use super::common::{Extensions, NonStandardParameter, Reason};
use super::field::{decode_whole, encode_whole, Field};
use crate::limits::MAX_SOURCE_ROUTE;
use crate::per::{Alphabet, Choice, PerError, PerErrorKind, Reader, Writer, IA5};

/// The permitted alphabet of `dialedDigits` and NumberDigits, sorted.
const DIGITS: Alphabet = Alphabet::from_sorted(b"#*,0123456789");

/// TransportAddress: every form of H.225.0 v8; alternatives added later kept as octets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TransportAddress {
    Ip {
        ip: [u8; 4],
        port: u16,
    },
    IpSourceRoute {
        ip: [u8; 4],
        port: u16,
        route: Vec<[u8; 4]>,
        /// strict (0) or loose (1) routing, or a later alternative.
        routing: Reason,
        extensions: Extensions,
    },
    Ipx {
        node: [u8; 6],
        netnum: [u8; 4],
        port: [u8; 2],
    },
    Ip6 {
        ip: [u8; 16],
        port: u16,
        extensions: Extensions,
    },
    NetBios([u8; 16]),
    Nsap(Vec<u8>),
    NonStandard(NonStandardParameter),
    Unknown {
        index: usize,
        contents: Vec<u8>,
    },
}

fn fixed<const N: usize>(r: &mut Reader<'_>, what: &'static str) -> Result<[u8; N], PerError> {
    r.fixed_octets::<N>(what)
}

fn port(r: &mut Reader<'_>) -> Result<u16, PerError> {
    // 0..65535 fits u16.
    Ok(r.constrained(0, 65_535, "port")? as u16)
}

impl TransportAddress {
    /// The IP address and port, for the forms that are one (`ipAddress`, `ip6Address`);
    /// `None` for source routes, IPX, NetBIOS and the rest, which no socket can reach.
    pub fn socket_addr(&self) -> Option<std::net::SocketAddr> {
        match self {
            TransportAddress::Ip { ip, port } => Some(std::net::SocketAddr::from((*ip, *port))),
            TransportAddress::Ip6 { ip, port, .. } => {
                Some(std::net::SocketAddr::from((*ip, *port)))
            }
            _ => None,
        }
    }

    /// `ipAddress` or `ip6Address` for a socket address.
    pub fn from_socket_addr(addr: std::net::SocketAddr) -> Self {
        match addr {
            std::net::SocketAddr::V4(a) => TransportAddress::Ip {
                ip: a.ip().octets(),
                port: a.port(),
            },
            std::net::SocketAddr::V6(a) => TransportAddress::Ip6 {
                ip: a.ip().octets(),
                port: a.port(),
                extensions: Extensions::default(),
            },
        }
    }

    const ROOT: usize = 7;

    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Self, PerError> {
        Ok(match r.choice(Self::ROOT, true, "TransportAddress")? {
            Choice::Root(0) => {
                let ip = fixed::<4>(r, "ip")?;
                Self::Ip { ip, port: port(r)? }
            }
            Choice::Root(1) => {
                let ext = r.extension_bit()?;
                let ip = fixed::<4>(r, "ip")?;
                let port = port(r)?;
                let route = super::common::decode_list(r, "route", |r| fixed::<4>(r, "route"))?;
                if route.len() > MAX_SOURCE_ROUTE {
                    return Err(r.error(PerErrorKind::TooMany {
                        what: "route",
                        count: route.len(),
                        limit: MAX_SOURCE_ROUTE,
                    }));
                }
                let routing = Reason::decode(r, 2, "routing")?;
                Self::IpSourceRoute {
                    ip,
                    port,
                    route,
                    routing,
                    extensions: Extensions::decode(r, ext)?,
                }
            }
            Choice::Root(2) => Self::Ipx {
                node: fixed::<6>(r, "node")?,
                netnum: fixed::<4>(r, "netnum")?,
                port: fixed::<2>(r, "ipx port")?,
            },
            Choice::Root(3) => {
                let ext = r.extension_bit()?;
                let ip = fixed::<16>(r, "ip6")?;
                let port = port(r)?;
                Self::Ip6 {
                    ip,
                    port,
                    extensions: Extensions::decode(r, ext)?,
                }
            }
            Choice::Root(4) => Self::NetBios(fixed::<16>(r, "netBios")?),
            Choice::Root(5) => Self::Nsap(r.octet_string(1, Some(20), "nsap")?),
            Choice::Root(_) => Self::NonStandard(NonStandardParameter::decode(r)?),
            Choice::Extension(index) => Self::Unknown {
                index,
                contents: r.open_type("TransportAddress")?,
            },
        })
    }

    pub(crate) fn encode(&self, w: &mut Writer) -> Result<(), PerError> {
        let root = |w: &mut Writer, i| w.choice_root(i, Self::ROOT, true, "TransportAddress");
        match self {
            Self::Ip { ip, port } => {
                root(w, 0)?;
                w.octet_string(ip, 4, Some(4), "ip")?;
                w.constrained((*port).into(), 0, 65_535, "port")
            }
            Self::IpSourceRoute {
                ip,
                port,
                route,
                routing,
                extensions,
            } => {
                root(w, 1)?;
                w.extension_bit(extensions.is_extended());
                w.octet_string(ip, 4, Some(4), "ip")?;
                w.constrained((*port).into(), 0, 65_535, "port")?;
                if route.len() > MAX_SOURCE_ROUTE {
                    return Err(PerError {
                        kind: PerErrorKind::TooMany {
                            what: "route",
                            count: route.len(),
                            limit: MAX_SOURCE_ROUTE,
                        },
                        bit_offset: w.bit_offset(),
                    });
                }
                super::common::encode_list(w, route, "route", |w, hop| {
                    w.octet_string(hop, 4, Some(4), "route")
                })?;
                routing.encode(w, 2, "routing")?;
                extensions.encode(w)
            }
            Self::Ipx { node, netnum, port } => {
                root(w, 2)?;
                w.octet_string(node, 6, Some(6), "node")?;
                w.octet_string(netnum, 4, Some(4), "netnum")?;
                w.octet_string(port, 2, Some(2), "ipx port")
            }
            Self::Ip6 {
                ip,
                port,
                extensions,
            } => {
                root(w, 3)?;
                w.extension_bit(extensions.is_extended());
                w.octet_string(ip, 16, Some(16), "ip6")?;
                w.constrained((*port).into(), 0, 65_535, "port")?;
                extensions.encode(w)
            }
            Self::NetBios(v) => {
                root(w, 4)?;
                w.octet_string(v, 16, Some(16), "netBios")
            }
            Self::Nsap(v) => {
                root(w, 5)?;
                w.octet_string(v, 1, Some(20), "nsap")
            }
            Self::NonStandard(n) => {
                root(w, 6)?;
                n.encode(w)
            }
            Self::Unknown { index, contents } => {
                w.choice_extension(*index, contents, "TransportAddress")
            }
        }
    }
}

impl Field for TransportAddress {
    type Value = Self;
    const NAME: &'static str = "TransportAddress";
    fn decode(r: &mut Reader<'_>) -> Result<Self, PerError> {
        Self::decode(r)
    }
    fn encode(w: &mut Writer, v: &Self) -> Result<(), PerError> {
        v.encode(w)
    }
}

/// IA5String (SIZE(1..512)): url-ID and email-ID.
struct Ia5Url;

impl Field for Ia5Url {
    type Value = String;
    const NAME: &'static str = "url-ID/email-ID";
    fn decode(r: &mut Reader<'_>) -> Result<String, PerError> {
        r.restricted_string(1, 512, &IA5, Self::NAME)
    }
    fn encode(w: &mut Writer, v: &String) -> Result<(), PerError> {
        w.restricted_string(v, 1, 512, &IA5, Self::NAME)
    }
}

/// AliasAddress. mobileUIM and isupNumber (and anything later) are kept as octets: no
/// gateway registration uses them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AliasAddress {
    DialedDigits(String),
    H323Id(String),
    UrlId(String),
    TransportId(TransportAddress),
    EmailId(String),
    PartyNumber(PartyNumber),
    Unknown { index: usize, contents: Vec<u8> },
}

impl AliasAddress {
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Self, PerError> {
        Ok(match r.choice(2, true, "AliasAddress")? {
            Choice::Root(0) => {
                Self::DialedDigits(r.restricted_string(1, 128, &DIGITS, "dialedDigits")?)
            }
            Choice::Root(_) => Self::H323Id(r.bmp_string(1, 256, "h323-ID")?),
            Choice::Extension(index) => {
                let contents = r.open_type("AliasAddress")?;
                match index {
                    0 => Self::UrlId(decode_whole::<Ia5Url>(r, &contents)?),
                    1 => Self::TransportId(decode_whole::<TransportAddress>(r, &contents)?),
                    2 => Self::EmailId(decode_whole::<Ia5Url>(r, &contents)?),
                    3 => Self::PartyNumber(decode_whole::<PartyNumber>(r, &contents)?),
                    _ => Self::Unknown { index, contents },
                }
            }
        })
    }

    pub(crate) fn encode(&self, w: &mut Writer) -> Result<(), PerError> {
        const WHAT: &str = "AliasAddress";
        match self {
            Self::DialedDigits(d) => {
                w.choice_root(0, 2, true, WHAT)?;
                w.restricted_string(d, 1, 128, &DIGITS, "dialedDigits")
            }
            Self::H323Id(s) => {
                w.choice_root(1, 2, true, WHAT)?;
                w.bmp_string(s, 1, 256, "h323-ID")
            }
            Self::UrlId(s) => w.choice_extension(0, &encode_whole::<Ia5Url>(s)?, WHAT),
            Self::TransportId(t) => {
                w.choice_extension(1, &encode_whole::<TransportAddress>(t)?, WHAT)
            }
            Self::EmailId(s) => w.choice_extension(2, &encode_whole::<Ia5Url>(s)?, WHAT),
            Self::PartyNumber(p) => w.choice_extension(3, &encode_whole::<PartyNumber>(p)?, WHAT),
            Self::Unknown { index, contents } => w.choice_extension(*index, contents, WHAT),
        }
    }
}

impl Field for AliasAddress {
    type Value = Self;
    const NAME: &'static str = "AliasAddress";
    fn decode(r: &mut Reader<'_>) -> Result<Self, PerError> {
        Self::decode(r)
    }
    fn encode(w: &mut Writer, v: &Self) -> Result<(), PerError> {
        v.encode(w)
    }
}

/// PartyNumber: an E.164 or private number with its type of number, or bare digits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyNumber {
    /// PublicPartyNumber: PublicTypeOfNumber (6 root alternatives) and digits.
    E164 {
        type_of_number: Reason,
        digits: String,
    },
    Data(String),
    Telex(String),
    /// PrivatePartyNumber: PrivateTypeOfNumber (6 root alternatives) and digits.
    Private {
        type_of_number: Reason,
        digits: String,
    },
    NationalStandard(String),
    Unknown {
        index: usize,
        contents: Vec<u8>,
    },
}

fn digits(r: &mut Reader<'_>) -> Result<String, PerError> {
    r.restricted_string(1, 128, &DIGITS, "NumberDigits")
}

impl Field for PartyNumber {
    type Value = Self;
    const NAME: &'static str = "PartyNumber";
    fn decode(r: &mut Reader<'_>) -> Result<Self, PerError> {
        Ok(match r.choice(5, true, Self::NAME)? {
            Choice::Root(0) => Self::E164 {
                type_of_number: Reason::decode(r, 6, "publicTypeOfNumber")?,
                digits: digits(r)?,
            },
            Choice::Root(1) => Self::Data(digits(r)?),
            Choice::Root(2) => Self::Telex(digits(r)?),
            Choice::Root(3) => Self::Private {
                type_of_number: Reason::decode(r, 6, "privateTypeOfNumber")?,
                digits: digits(r)?,
            },
            Choice::Root(_) => Self::NationalStandard(digits(r)?),
            Choice::Extension(index) => Self::Unknown {
                index,
                contents: r.open_type(Self::NAME)?,
            },
        })
    }

    fn encode(w: &mut Writer, v: &Self) -> Result<(), PerError> {
        let d = |w: &mut Writer, s: &str| w.restricted_string(s, 1, 128, &DIGITS, "NumberDigits");
        let root = |w: &mut Writer, i| w.choice_root(i, 5, true, Self::NAME);
        match v {
            Self::E164 {
                type_of_number,
                digits,
            } => {
                root(w, 0)?;
                type_of_number.encode(w, 6, "publicTypeOfNumber")?;
                d(w, digits)
            }
            Self::Data(s) => root(w, 1).and_then(|()| d(w, s)),
            Self::Telex(s) => root(w, 2).and_then(|()| d(w, s)),
            Self::Private {
                type_of_number,
                digits,
            } => {
                root(w, 3)?;
                type_of_number.encode(w, 6, "privateTypeOfNumber")?;
                d(w, digits)
            }
            Self::NationalStandard(s) => root(w, 4).and_then(|()| d(w, s)),
            Self::Unknown { index, contents } => w.choice_extension(*index, contents, Self::NAME),
        }
    }
}
