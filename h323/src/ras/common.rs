//! H.225.0 types shared by the RAS messages: transport and alias addresses, endpoint types,
//! vendor identifiers, non-standard parameters, and the extension additions kept as octets.

use serde::Serialize;

use crate::per::{Alphabet, Choice, ObjectIdentifier, PerError, PerErrorKind, Reader, Writer};

/// Most items in one SEQUENCE OF (aliases, addresses, tokens) we decode.
pub const MAX_SEQUENCE_OF: usize = 64;

/// The permitted alphabet of `dialedDigits`, sorted.
const DIGITS: Alphabet = Alphabet::from_sorted(b"#*,0123456789");

/// Extension additions of a SEQUENCE as received: `None` when the extension bit was clear,
/// else one slot per bit of the presence map, holding the open type's octets when present.
/// Kept as octets so a sender's newer additions survive a decode and re-encode unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Extensions(pub Option<Vec<Option<Vec<u8>>>>);

impl Extensions {
    pub(crate) fn decode(r: &mut Reader<'_>, extended: bool) -> Result<Self, PerError> {
        if !extended {
            return Ok(Self(None));
        }
        let map = r.extension_bitmap()?;
        let mut slots = Vec::with_capacity(map.len());
        for present in map {
            slots.push(if present {
                Some(r.open_type("extension addition")?)
            } else {
                None
            });
        }
        Ok(Self(Some(slots)))
    }

    pub(crate) fn is_extended(&self) -> bool {
        self.0.is_some()
    }

    pub(crate) fn encode(&self, w: &mut Writer) -> Result<(), PerError> {
        let Some(slots) = &self.0 else {
            return Ok(());
        };
        let map: Vec<bool> = slots.iter().map(Option::is_some).collect();
        w.extension_bitmap(&map)?;
        for contents in slots.iter().flatten() {
            w.open_type(contents, "extension addition")?;
        }
        Ok(())
    }
}

/// Reads a SEQUENCE OF with an unconstrained count, bounded by [`MAX_SEQUENCE_OF`].
pub(crate) fn decode_list<T>(
    r: &mut Reader<'_>,
    what: &'static str,
    item: impl Fn(&mut Reader<'_>) -> Result<T, PerError>,
) -> Result<Vec<T>, PerError> {
    let n = r.length(0, None, what)?;
    if n > MAX_SEQUENCE_OF {
        return Err(r.error(PerErrorKind::TooMany {
            what,
            count: n,
            limit: MAX_SEQUENCE_OF,
        }));
    }
    (0..n).map(|_| item(r)).collect()
}

pub(crate) fn encode_list<T>(
    w: &mut Writer,
    items: &[T],
    what: &'static str,
    item: impl Fn(&mut Writer, &T) -> Result<(), PerError>,
) -> Result<(), PerError> {
    if items.len() > MAX_SEQUENCE_OF {
        return Err(PerError {
            kind: PerErrorKind::TooMany {
                what,
                count: items.len(),
                limit: MAX_SEQUENCE_OF,
            },
            bit_offset: w.bit_offset(),
        });
    }
    w.length(items.len(), 0, None, what)?;
    items.iter().try_for_each(|i| item(w, i))
}

/// H221NonStandard: T.35 country code and extension, manufacturer code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct H221NonStandard {
    pub t35_country_code: u8,
    pub t35_extension: u8,
    pub manufacturer_code: u16,
    pub extensions: Extensions,
}

impl H221NonStandard {
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Self, PerError> {
        let ext = r.extension_bit()?;
        let t35_country_code = r.constrained(0, 255, "t35CountryCode")? as u8;
        let t35_extension = r.constrained(0, 255, "t35Extension")? as u8;
        let manufacturer_code = r.constrained(0, 65_535, "manufacturerCode")? as u16;
        Ok(Self {
            t35_country_code,
            t35_extension,
            manufacturer_code,
            extensions: Extensions::decode(r, ext)?,
        })
    }

    pub(crate) fn encode(&self, w: &mut Writer) -> Result<(), PerError> {
        w.extension_bit(self.extensions.is_extended());
        w.constrained(self.t35_country_code.into(), 0, 255, "t35CountryCode")?;
        w.constrained(self.t35_extension.into(), 0, 255, "t35Extension")?;
        w.constrained(self.manufacturer_code.into(), 0, 65_535, "manufacturerCode")?;
        self.extensions.encode(w)
    }
}

/// NonStandardParameter: who defines the data, and the data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NonStandardParameter {
    pub identifier: NonStandardIdentifier,
    pub data: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum NonStandardIdentifier {
    Object(ObjectIdentifier),
    H221(H221NonStandard),
    /// An alternative added after H.225.0 v8: its index among the additions and octets.
    Unknown {
        index: usize,
        contents: Vec<u8>,
    },
}

impl NonStandardParameter {
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Self, PerError> {
        let identifier = match r.choice(2, true, "nonStandardIdentifier")? {
            Choice::Root(0) => NonStandardIdentifier::Object(r.object_identifier("object")?),
            Choice::Root(_) => NonStandardIdentifier::H221(H221NonStandard::decode(r)?),
            Choice::Extension(index) => NonStandardIdentifier::Unknown {
                index,
                contents: r.open_type("nonStandardIdentifier")?,
            },
        };
        let data = r.octet_string(0, None, "nonStandard data")?;
        Ok(Self { identifier, data })
    }

    pub(crate) fn encode(&self, w: &mut Writer) -> Result<(), PerError> {
        match &self.identifier {
            NonStandardIdentifier::Object(oid) => {
                w.choice_root(0, 2, true, "nonStandardIdentifier")?;
                w.object_identifier(oid, "object")?;
            }
            NonStandardIdentifier::H221(h) => {
                w.choice_root(1, 2, true, "nonStandardIdentifier")?;
                h.encode(w)?;
            }
            NonStandardIdentifier::Unknown { index, contents } => {
                w.choice_extension(*index, contents, "nonStandardIdentifier")?;
            }
        }
        w.octet_string(&self.data, 0, None, "nonStandard data")
    }
}

/// TransportAddress. The IPv4 and IPv6 forms are typed; the others are refused for now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum TransportAddress {
    Ip {
        ip: [u8; 4],
        port: u16,
    },
    Ip6 {
        ip: [u8; 16],
        port: u16,
        extensions: Extensions,
    },
    Unknown {
        index: usize,
        contents: Vec<u8>,
    },
}

impl TransportAddress {
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Self, PerError> {
        let at = r.bit_offset();
        match r.choice(7, true, "TransportAddress")? {
            Choice::Root(0) => {
                let ip = r.octet_string(4, Some(4), "ip")?;
                let port = r.constrained(0, 65_535, "port")? as u16;
                let ip = <[u8; 4]>::try_from(ip.as_slice()).unwrap_or_default();
                Ok(Self::Ip { ip, port })
            }
            Choice::Root(3) => {
                let ext = r.extension_bit()?;
                let ip = r.octet_string(16, Some(16), "ip6")?;
                let port = r.constrained(0, 65_535, "port")? as u16;
                let ip = <[u8; 16]>::try_from(ip.as_slice()).unwrap_or_default();
                let extensions = Extensions::decode(r, ext)?;
                Ok(Self::Ip6 {
                    ip,
                    port,
                    extensions,
                })
            }
            Choice::Root(index) => Err(PerError {
                kind: PerErrorKind::UnknownAlternative {
                    what: "TransportAddress (not supported yet)",
                    index,
                },
                bit_offset: at,
            }),
            Choice::Extension(index) => Ok(Self::Unknown {
                index,
                contents: r.open_type("TransportAddress")?,
            }),
        }
    }

    pub(crate) fn encode(&self, w: &mut Writer) -> Result<(), PerError> {
        match self {
            Self::Ip { ip, port } => {
                w.choice_root(0, 7, true, "TransportAddress")?;
                w.octet_string(ip, 4, Some(4), "ip")?;
                w.constrained((*port).into(), 0, 65_535, "port")
            }
            Self::Ip6 {
                ip,
                port,
                extensions,
            } => {
                w.choice_root(3, 7, true, "TransportAddress")?;
                w.extension_bit(extensions.is_extended());
                w.octet_string(ip, 16, Some(16), "ip6")?;
                w.constrained((*port).into(), 0, 65_535, "port")?;
                extensions.encode(w)
            }
            Self::Unknown { index, contents } => {
                w.choice_extension(*index, contents, "TransportAddress")
            }
        }
    }
}

/// AliasAddress: E.164 digits and H.323 IDs typed; later alternatives (URL, e-mail,
/// transport, party number, ...) kept as octets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum AliasAddress {
    DialedDigits(String),
    H323Id(String),
    Unknown { index: usize, contents: Vec<u8> },
}

impl AliasAddress {
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Self, PerError> {
        Ok(match r.choice(2, true, "AliasAddress")? {
            Choice::Root(0) => {
                Self::DialedDigits(r.restricted_string(1, 128, &DIGITS, "dialedDigits")?)
            }
            Choice::Root(_) => Self::H323Id(r.bmp_string(1, 256, "h323-ID")?),
            Choice::Extension(index) => Self::Unknown {
                index,
                contents: r.open_type("AliasAddress")?,
            },
        })
    }

    pub(crate) fn encode(&self, w: &mut Writer) -> Result<(), PerError> {
        match self {
            Self::DialedDigits(d) => {
                w.choice_root(0, 2, true, "AliasAddress")?;
                w.restricted_string(d, 1, 128, &DIGITS, "dialedDigits")
            }
            Self::H323Id(s) => {
                w.choice_root(1, 2, true, "AliasAddress")?;
                w.bmp_string(s, 1, 256, "h323-ID")
            }
            Self::Unknown { index, contents } => {
                w.choice_extension(*index, contents, "AliasAddress")
            }
        }
    }
}
