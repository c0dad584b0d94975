//! H.225.0 types shared by the RAS messages: non-standard parameters, CHOICEs of NULL
//! alternatives (reject reasons, call types and models), call identifiers, and the extension
//! additions kept as octets.

use serde::Serialize;

use super::field::{decode_whole, encode_whole, Field, Guid};
use crate::per::{Choice, ObjectIdentifier, PerError, PerErrorKind, Reader, Writer};

pub use crate::limits::MAX_RAS_SEQUENCE_OF as MAX_SEQUENCE_OF;

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

    /// The octets of addition `slot` (0 = the first after the `...`), when present.
    pub fn addition(&self, slot: usize) -> Option<&[u8]> {
        self.0.as_ref()?.get(slot)?.as_deref()
    }

    /// Decodes addition `slot` as `F` when present.
    pub(crate) fn get<F: Field>(&self, slot: usize) -> Option<Result<F::Value, PerError>> {
        let contents = self.addition(slot)?;
        Some(decode_whole::<F>(&Reader::new(contents), contents))
    }

    /// Encodes `v` into addition `slot`, or removes it; the presence map grows to reach the
    /// slot and shrinks when its last additions are removed.
    pub(crate) fn set<F: Field>(
        &mut self,
        slot: usize,
        v: Option<&F::Value>,
    ) -> Result<(), PerError> {
        if slot >= crate::per::MAX_EXTENSION_ADDITIONS {
            return Err(PerError {
                kind: PerErrorKind::TooLong {
                    what: "extension addition count",
                    limit: crate::per::MAX_EXTENSION_ADDITIONS,
                },
                bit_offset: 0,
            });
        }
        let contents = v.map(encode_whole::<F>).transpose()?;
        let slots = self.0.get_or_insert_with(Vec::new);
        if slots.len() <= slot {
            slots.resize(slot + 1, None);
        }
        if let Some(s) = slots.get_mut(slot) {
            *s = contents;
        }
        while slots.last().is_some_and(Option::is_none) {
            slots.pop();
        }
        if slots.is_empty() {
            self.0 = None;
        }
        Ok(())
    }

    pub(crate) fn is_extended(&self) -> bool {
        self.0.is_some()
    }

    pub(crate) fn encode(&self, w: &mut Writer) -> Result<(), PerError> {
        let Some(slots) = &self.0 else {
            return Ok(());
        };
        // The map's first slot is its most significant bit (more slots than the map holds
        // are refused by `extension_bits`).
        let map = slots
            .iter()
            .fold(0u64, |acc, s| acc.wrapping_shl(1) | u64::from(s.is_some()));
        w.extension_bits(map, slots.len())?;
        for contents in slots.iter().flatten() {
            w.open_type(contents, "extension addition")?;
        }
        Ok(())
    }
}

/// Reads a SEQUENCE OF with a constrained count `lb..=ub`, also bounded by `limit`.
pub(crate) fn decode_sized_list<T>(
    r: &mut Reader<'_>,
    (lb, ub, limit): (usize, usize, usize),
    what: &'static str,
    item: impl FnMut(&mut Reader<'_>) -> Result<T, PerError>,
) -> Result<Vec<T>, PerError> {
    let n = r.length(lb, Some(ub), what)?;
    if n > limit {
        return Err(r.error(PerErrorKind::TooMany {
            what,
            count: n,
            limit,
        }));
    }
    collect_n(r, n, item)
}

pub(crate) fn encode_sized_list<T>(
    w: &mut Writer,
    items: &[T],
    (lb, ub, limit): (usize, usize, usize),
    what: &'static str,
    mut item: impl FnMut(&mut Writer, &T) -> Result<(), PerError>,
) -> Result<(), PerError> {
    if items.len() > limit {
        return Err(PerError {
            kind: PerErrorKind::TooMany {
                what,
                count: items.len(),
                limit,
            },
            bit_offset: w.bit_offset(),
        });
    }
    w.length(items.len(), lb, Some(ub), what)?;
    items.iter().try_for_each(|i| item(w, i))
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
    collect_n(r, n, item)
}

/// `n` items (already checked against a limit) into a vector allocated once: collecting
/// `Result`s does not know the count and grows the vector step by step.
fn collect_n<T>(
    r: &mut Reader<'_>,
    n: usize,
    mut item: impl FnMut(&mut Reader<'_>) -> Result<T, PerError>,
) -> Result<Vec<T>, PerError> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(item(r)?);
    }
    Ok(out)
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

impl Field for NonStandardParameter {
    type Value = Self;
    const NAME: &'static str = "NonStandardParameter";
    fn decode(r: &mut Reader<'_>) -> Result<Self, PerError> {
        Self::decode(r)
    }
    fn encode(w: &mut Writer, v: &Self) -> Result<(), PerError> {
        v.encode(w)
    }
}

/// An extensible CHOICE whose root alternatives are all NULL (reject reasons, CallType,
/// CallModel, DisengageReason, type of number): the root index, or an extension alternative
/// kept as its open type's octets (the ones H.225.0 defines as NULL hold one zero octet, see
/// [`Reason::extension`]). `N` is the number of root alternatives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    Root(u8),
    Extension { index: usize, contents: Vec<u8> },
}

impl Reason {
    /// A NULL extension alternative: its open type is the empty encoding, one zero octet
    /// (X.691 §10.1.3).
    pub fn extension(index: usize) -> Self {
        Self::Extension {
            index,
            contents: vec![0],
        }
    }

    pub(crate) fn decode(
        r: &mut Reader<'_>,
        root: usize,
        what: &'static str,
    ) -> Result<Self, PerError> {
        Ok(match r.choice(root, true, what)? {
            // `choice` bounds the index below `root`, at most 25.
            Choice::Root(i) => Self::Root(i as u8),
            Choice::Extension(index) => Self::Extension {
                index,
                contents: r.open_type(what)?,
            },
        })
    }

    pub(crate) fn encode(
        &self,
        w: &mut Writer,
        root: usize,
        what: &'static str,
    ) -> Result<(), PerError> {
        match self {
            Self::Root(i) => w.choice_root(usize::from(*i), root, true, what),
            Self::Extension { index, contents } => w.choice_extension(*index, contents, what),
        }
    }
}

/// [`Reason`] as a [`Field`] with `N` root alternatives.
pub struct NullChoice<const N: usize>;

impl<const N: usize> Field for NullChoice<N> {
    type Value = Reason;
    const NAME: &'static str = "CHOICE of NULL";
    fn decode(r: &mut Reader<'_>) -> Result<Reason, PerError> {
        Reason::decode(r, N, Self::NAME)
    }
    fn encode(w: &mut Writer, v: &Reason) -> Result<(), PerError> {
        v.encode(w, N, Self::NAME)
    }
}

/// CallType: pointToPoint, oneToN, nToOne, nToN.
pub type CallType = NullChoice<4>;
/// CallModel: direct, gatekeeperRouted.
pub type CallModel = NullChoice<2>;

/// CallIdentifier: the GUID naming one call across all its signalling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallIdentifier {
    pub guid: [u8; 16],
    pub extensions: Extensions,
}

impl CallIdentifier {
    pub fn new(guid: [u8; 16]) -> Self {
        Self {
            guid,
            extensions: Extensions::default(),
        }
    }
}

impl Field for CallIdentifier {
    type Value = Self;
    const NAME: &'static str = "CallIdentifier";
    fn decode(r: &mut Reader<'_>) -> Result<Self, PerError> {
        let ext = r.extension_bit()?;
        let guid = Guid::decode(r)?;
        Ok(Self {
            guid,
            extensions: Extensions::decode(r, ext)?,
        })
    }
    fn encode(w: &mut Writer, v: &Self) -> Result<(), PerError> {
        w.extension_bit(v.extensions.is_extended());
        Guid::encode(w, &v.guid)?;
        v.extensions.encode(w)
    }
}
