//! The H.460 generic extensibility framework as H.225.0 v8 defines it: FeatureSet,
//! GenericData, GenericIdentifier, EnumeratedParameter and Content. RRQ, ARQ and the confirms
//! carry H.460 features (NAT traversal, call priority, QoS) this way.
//!
//! Content nests GenericData and parameter lists inside itself without an open type between,
//! so the recursion is bounded here by [`MAX_GENERIC_DEPTH`] rather than by the reader.

use serde::Serialize;

use super::address::{AliasAddress, TransportAddress};
use super::common::{decode_sized_list, encode_sized_list, Extensions};
use super::field::{Field, Guid, SeqOf};
use crate::limits::{MAX_GENERIC_DEPTH, MAX_GENERIC_PARAMETERS};
use crate::per::{Choice, ObjectIdentifier, PerError, PerErrorKind, Reader, Writer, IA5};

/// Longest text or unicode Content we accept: any length below this bound is sent with
/// an unconstrained length determinant, which is what the ASN.1 (no SIZE) requires.
const UNBOUNDED_STRING: usize = 65_536;

/// GenericIdentifier: a standard feature number (H.460.x), an OID or a GUID.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GenericIdentifier {
    /// `INTEGER(0..16383, ...)`: values outside the root are sent as unconstrained integers.
    Standard(i64),
    Oid(ObjectIdentifier),
    NonStandard([u8; 16]),
    Unknown {
        index: usize,
        contents: Vec<u8>,
    },
}

impl Field for GenericIdentifier {
    type Value = Self;
    const NAME: &'static str = "GenericIdentifier";
    fn decode(r: &mut Reader<'_>) -> Result<Self, PerError> {
        Ok(match r.choice(3, true, Self::NAME)? {
            Choice::Root(0) => {
                if r.extension_bit()? {
                    // An unconstrained whole number (X.691 §12.1): length octet, then
                    // two's complement octets; more than eight do not fit an i64.
                    let n = r.length(0, None, "standard (extended)")?;
                    if !(1..=8).contains(&n) {
                        return Err(r.error(PerErrorKind::OutOfRange {
                            what: "standard (extended)",
                        }));
                    }
                    let octets = r.octets(n, "standard (extended)")?;
                    let first = octets.first().copied().unwrap_or_default();
                    let init = if first & 0x80 != 0 { -1i64 } else { 0 };
                    Self::Standard(octets.iter().fold(init, |acc, &b| acc << 8 | i64::from(b)))
                } else {
                    Self::Standard(r.constrained(0, 16_383, "standard")?)
                }
            }
            Choice::Root(1) => Self::Oid(r.object_identifier("oid")?),
            Choice::Root(_) => Self::NonStandard(Guid::decode(r)?),
            Choice::Extension(index) => Self::Unknown {
                index,
                contents: r.open_type(Self::NAME)?,
            },
        })
    }

    fn encode(w: &mut Writer, v: &Self) -> Result<(), PerError> {
        match v {
            Self::Standard(n) => {
                w.choice_root(0, 3, true, Self::NAME)?;
                if (0..=16_383).contains(n) {
                    w.bit(false);
                    w.constrained(*n, 0, 16_383, "standard")
                } else {
                    w.bit(true);
                    // Shortest two's complement: drop leading octets that only repeat the sign.
                    let bytes = n.to_be_bytes();
                    let mut start = 0;
                    while start < 7 {
                        let (a, b) = (bytes.get(start), bytes.get(start + 1));
                        match (a, b) {
                            (Some(0), Some(b)) if b & 0x80 == 0 => start += 1,
                            (Some(0xff), Some(b)) if b & 0x80 != 0 => start += 1,
                            _ => break,
                        }
                    }
                    let body = bytes.get(start..).unwrap_or_default();
                    w.length(body.len(), 0, None, "standard (extended)")?;
                    w.octets(body);
                    Ok(())
                }
            }
            Self::Oid(oid) => {
                w.choice_root(1, 3, true, Self::NAME)?;
                w.object_identifier(oid, "oid")
            }
            Self::NonStandard(g) => {
                w.choice_root(2, 3, true, Self::NAME)?;
                Guid::encode(w, g)
            }
            Self::Unknown { index, contents } => w.choice_extension(*index, contents, Self::NAME),
        }
    }
}

/// Content of an EnumeratedParameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Content {
    Raw(Vec<u8>),
    Text(String),
    Unicode(String),
    Bool(bool),
    Number8(u8),
    Number16(u16),
    Number32(u32),
    Id(GenericIdentifier),
    Alias(AliasAddress),
    Transport(TransportAddress),
    Compound(Vec<EnumeratedParameter>),
    Nested(Vec<GenericData>),
    Unknown { index: usize, contents: Vec<u8> },
}

fn too_deep(at: usize) -> PerError {
    PerError {
        kind: PerErrorKind::TooDeep {
            limit: MAX_GENERIC_DEPTH,
        },
        bit_offset: at,
    }
}

impl Content {
    fn decode_at(r: &mut Reader<'_>, depth: usize) -> Result<Self, PerError> {
        const WHAT: &str = "Content";
        Ok(match r.choice(12, true, WHAT)? {
            Choice::Root(0) => Self::Raw(r.octet_string(0, None, "raw")?),
            Choice::Root(1) => {
                Self::Text(r.restricted_string(0, UNBOUNDED_STRING, &IA5, "text")?)
            }
            Choice::Root(2) => Self::Unicode(r.bmp_string(0, UNBOUNDED_STRING, "unicode")?),
            Choice::Root(3) => Self::Bool(r.bit("bool")?),
            // The bounds make the conversions lossless.
            Choice::Root(4) => Self::Number8(r.constrained(0, 255, "number8")? as u8),
            Choice::Root(5) => Self::Number16(r.constrained(0, 65_535, "number16")? as u16),
            Choice::Root(6) => Self::Number32(r.constrained(0, 4_294_967_295, "number32")? as u32),
            Choice::Root(7) => Self::Id(GenericIdentifier::decode(r)?),
            Choice::Root(8) => Self::Alias(AliasAddress::decode(r)?),
            Choice::Root(9) => Self::Transport(TransportAddress::decode(r)?),
            Choice::Root(10) => {
                if depth >= MAX_GENERIC_DEPTH {
                    return Err(too_deep(r.bit_offset()));
                }
                Self::Compound(decode_sized_list(
                    r,
                    (1, 512, MAX_GENERIC_PARAMETERS),
                    "compound",
                    |r| EnumeratedParameter::decode_at(r, depth + 1),
                )?)
            }
            Choice::Root(_) => {
                if depth >= MAX_GENERIC_DEPTH {
                    return Err(too_deep(r.bit_offset()));
                }
                Self::Nested(decode_sized_list(r, (1, 16, 16), "nested", |r| {
                    GenericData::decode_at(r, depth + 1)
                })?)
            }
            Choice::Extension(index) => Self::Unknown {
                index,
                contents: r.open_type(WHAT)?,
            },
        })
    }

    fn encode(&self, w: &mut Writer) -> Result<(), PerError> {
        const WHAT: &str = "Content";
        let root = |w: &mut Writer, i| w.choice_root(i, 12, true, WHAT);
        match self {
            Self::Raw(v) => {
                root(w, 0)?;
                w.octet_string(v, 0, None, "raw")
            }
            Self::Text(s) => {
                root(w, 1)?;
                w.restricted_string(s, 0, UNBOUNDED_STRING, &IA5, "text")
            }
            Self::Unicode(s) => {
                root(w, 2)?;
                w.bmp_string(s, 0, UNBOUNDED_STRING, "unicode")
            }
            Self::Bool(b) => {
                root(w, 3)?;
                w.bit(*b);
                Ok(())
            }
            Self::Number8(n) => {
                root(w, 4)?;
                w.constrained((*n).into(), 0, 255, "number8")
            }
            Self::Number16(n) => {
                root(w, 5)?;
                w.constrained((*n).into(), 0, 65_535, "number16")
            }
            Self::Number32(n) => {
                root(w, 6)?;
                w.constrained((*n).into(), 0, 4_294_967_295, "number32")
            }
            Self::Id(id) => {
                root(w, 7)?;
                GenericIdentifier::encode(w, id)
            }
            Self::Alias(a) => {
                root(w, 8)?;
                a.encode(w)
            }
            Self::Transport(t) => {
                root(w, 9)?;
                t.encode(w)
            }
            Self::Compound(ps) => {
                root(w, 10)?;
                encode_sized_list(
                    w,
                    ps,
                    (1, 512, MAX_GENERIC_PARAMETERS),
                    "compound",
                    |w, p| p.encode(w),
                )
            }
            Self::Nested(gs) => {
                root(w, 11)?;
                encode_sized_list(w, gs, (1, 16, 16), "nested", |w, g| g.encode(w))
            }
            Self::Unknown { index, contents } => w.choice_extension(*index, contents, WHAT),
        }
    }
}

/// EnumeratedParameter: an identified value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnumeratedParameter {
    pub id: GenericIdentifier,
    pub content: Option<Content>,
    pub extensions: Extensions,
}

impl EnumeratedParameter {
    fn decode_at(r: &mut Reader<'_>, depth: usize) -> Result<Self, PerError> {
        let ext = r.extension_bit()?;
        let has_content = r.bit("EnumeratedParameter optionals")?;
        let id = GenericIdentifier::decode(r)?;
        let content = has_content
            .then(|| Content::decode_at(r, depth))
            .transpose()?;
        Ok(Self {
            id,
            content,
            extensions: Extensions::decode(r, ext)?,
        })
    }

    fn encode(&self, w: &mut Writer) -> Result<(), PerError> {
        w.extension_bit(self.extensions.is_extended());
        w.bit(self.content.is_some());
        GenericIdentifier::encode(w, &self.id)?;
        if let Some(c) = &self.content {
            c.encode(w)?;
        }
        self.extensions.encode(w)
    }
}

/// GenericData (also FeatureDescriptor): a feature and its parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GenericData {
    pub id: GenericIdentifier,
    pub parameters: Option<Vec<EnumeratedParameter>>,
    pub extensions: Extensions,
}

impl GenericData {
    fn decode_at(r: &mut Reader<'_>, depth: usize) -> Result<Self, PerError> {
        let ext = r.extension_bit()?;
        let has_parameters = r.bit("GenericData optionals")?;
        let id = GenericIdentifier::decode(r)?;
        let parameters = has_parameters
            .then(|| {
                decode_sized_list(r, (1, 512, MAX_GENERIC_PARAMETERS), "parameters", |r| {
                    EnumeratedParameter::decode_at(r, depth)
                })
            })
            .transpose()?;
        Ok(Self {
            id,
            parameters,
            extensions: Extensions::decode(r, ext)?,
        })
    }

    fn encode(&self, w: &mut Writer) -> Result<(), PerError> {
        w.extension_bit(self.extensions.is_extended());
        w.bit(self.parameters.is_some());
        GenericIdentifier::encode(w, &self.id)?;
        if let Some(ps) = &self.parameters {
            encode_sized_list(
                w,
                ps,
                (1, 512, MAX_GENERIC_PARAMETERS),
                "parameters",
                |w, p| p.encode(w),
            )?;
        }
        self.extensions.encode(w)
    }
}

impl Field for GenericData {
    type Value = Self;
    const NAME: &'static str = "GenericData";
    fn decode(r: &mut Reader<'_>) -> Result<Self, PerError> {
        Self::decode_at(r, 0)
    }
    fn encode(w: &mut Writer, v: &Self) -> Result<(), PerError> {
        v.encode(w)
    }
}

super::field::ras_sequence! {
    /// FeatureSet (H.460.1): the features an endpoint needs, desires and supports.
    pub struct FeatureSet {
        replacement_feature_set: req super::field::Bool,
        needed_features: opt SeqOf<GenericData>,
        desired_features: opt SeqOf<GenericData>,
        supported_features: opt SeqOf<GenericData>,
    }
}
