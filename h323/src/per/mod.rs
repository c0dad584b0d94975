//! The aligned-PER runtime (ITU-T X.691, BASIC-PER ALIGNED variant) that H.225.0 and H.245
//! are encoded with: a bit reader and writer for constrained, semi-constrained and normally
//! small whole numbers, length determinants (fragmented ones included, up to a named bound),
//! extension bits and bit maps, CHOICE indices, open types, OCTET and BIT STRINGs, OBJECT
//! IDENTIFIERs, BMPString as UCS-2 and restricted character strings with permitted alphabets.
//!
//! Hand-written rather than generated: the known facts in issue 14 (rasn 0.30 with
//! rasn-compiler 0.16 needed per-module alias fixes, rejected real Facility/Release Complete
//! PDUs and multi-vendor RAS, and misread BMPString) leave no generated codec to trust, and a
//! small runtime plus typed messages keeps unknown extension additions and CHOICE
//! alternatives as octets, so a PDU re-encodes exactly.

mod reader;
mod writer;

use serde::Serialize;

pub use reader::Reader;
pub use writer::Writer;

/// Deepest nesting of open types a reader follows.
pub const MAX_OPEN_TYPE_DEPTH: usize = 8;

/// Most extension additions one SEQUENCE may announce. H.225.0 v8's longest list (Setup-UUIE)
/// has about thirty; the normally-small length could claim billions.
pub const MAX_EXTENSION_ADDITIONS: usize = 64;

/// Most presence bits one bit map holds (a SEQUENCE's OPTIONAL components, or its extension
/// additions): the width of [`Bitmap`]. No H.225.0 or H.245 SEQUENCE has that many.
pub const MAX_BITMAP: usize = 64;

/// A preamble or extension-addition bit map, first bit first; read in one go rather than as
/// a vector of flags, which cost an allocation per SEQUENCE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bitmap {
    /// The bits not yet taken, left-aligned (the next one is bit 63).
    bits: u64,
    len: usize,
}

impl Bitmap {
    /// The `n` low bits of `bits` (`n` at most [`MAX_BITMAP`]), most significant first.
    pub(crate) fn new(bits: u64, n: usize) -> Self {
        let n = n.min(MAX_BITMAP);
        let shift = (MAX_BITMAP - n) as u32;
        Self {
            bits: bits.checked_shl(shift).unwrap_or(0),
            len: n,
        }
    }

    /// Bits left.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bit `i` of those left; `false` past the end.
    pub fn get(&self, i: usize) -> bool {
        i < self.len && (self.bits << i) >> 63 == 1
    }
}

impl Iterator for Bitmap {
    type Item = bool;
    fn next(&mut self) -> Option<bool> {
        if self.len == 0 {
            return None;
        }
        let bit = self.bits >> 63 == 1;
        self.bits <<= 1;
        self.len -= 1;
        Some(bit)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.len, Some(self.len))
    }
}

impl ExactSizeIterator for Bitmap {}

/// Marks a fragmented length (16K units follow) inside the reader.
const FRAGMENT: usize = 1 << (usize::BITS - 1);

/// What went wrong, and where (in bits from the start of the outermost encoding handed to
/// the reader that failed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("{kind} at bit {bit_offset}")]
pub struct PerError {
    pub kind: PerErrorKind,
    pub bit_offset: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[non_exhaustive]
pub enum PerErrorKind {
    #[error("truncated {what}: needs {needed_bits} more bits")]
    Truncated {
        what: &'static str,
        needed_bits: usize,
    },
    #[error("{what} out of its range")]
    OutOfRange { what: &'static str },
    #[error("bad length of {what}")]
    BadLength { what: &'static str },
    #[error("{what} longer than {limit}")]
    TooLong { what: &'static str, limit: usize },
    #[error("open types nested deeper than {limit}")]
    TooDeep { limit: usize },
    #[error("character outside the permitted alphabet of {what}")]
    BadCharacter { what: &'static str },
    #[error("malformed OBJECT IDENTIFIER")]
    BadObjectIdentifier,
    #[error("unknown alternative {index} of {what}")]
    UnknownAlternative { what: &'static str, index: usize },
    /// A component this codec does not type yet (H.235 tokens in a root position): the
    /// caller keeps the enclosing open type as octets instead.
    #[error("{what} is not typed by this codec")]
    NotTyped { what: &'static str },
    #[error("{what}: {count} items exceed the limit of {limit}")]
    TooMany {
        what: &'static str,
        count: usize,
        limit: usize,
    },
}

/// A decoded CHOICE index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Root(usize),
    /// Index among the extension alternatives (0 = the first after the `...`).
    Extension(usize),
}

/// An OBJECT IDENTIFIER kept as its BER contents octets (so it re-encodes exactly).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ObjectIdentifier(Vec<u8>);

impl ObjectIdentifier {
    /// Checks the contents: non-empty, every arc's last octet has bit 8 clear, no arc
    /// starts with the padding octet 0x80, no arc exceeds 64 bits.
    pub fn from_contents(contents: Vec<u8>) -> Option<Self> {
        let last = *contents.last()?;
        if last & 0x80 != 0 {
            return None;
        }
        let mut start = true;
        let mut len = 0;
        for &b in &contents {
            if start && b == 0x80 {
                return None;
            }
            len += 1;
            if len > 9 {
                return None;
            }
            start = b & 0x80 == 0;
            if start {
                len = 0;
            }
        }
        Some(Self(contents))
    }

    /// From arcs; `None` if fewer than two or the first two are invalid.
    pub fn from_arcs(arcs: &[u64]) -> Option<Self> {
        let (&a, rest) = arcs.split_first()?;
        let (&b, rest) = rest.split_first()?;
        if a > 2 || (a < 2 && b > 39) {
            return None;
        }
        let mut out = Vec::new();
        for arc in std::iter::once(a * 40 + b).chain(rest.iter().copied()) {
            let n = (64 - arc.leading_zeros()).div_ceil(7).max(1);
            for i in (0..n).rev() {
                let more = if i == 0 { 0 } else { 0x80 };
                out.push(more | (arc >> (7 * i)) as u8 & 0x7f);
            }
        }
        Some(Self(out))
    }

    pub fn contents(&self) -> &[u8] {
        &self.0
    }

    pub fn arcs(&self) -> Vec<u64> {
        let mut out = Vec::new();
        let mut v = 0u64;
        for &b in &self.0 {
            v = v << 7 | u64::from(b & 0x7f);
            if b & 0x80 == 0 {
                if out.is_empty() {
                    let first = (v / 40).min(2);
                    out.push(first);
                    out.push(v - first * 40);
                } else {
                    out.push(v);
                }
                v = 0;
            }
        }
        out
    }
}

/// The effective permitted alphabet of a restricted character string, sorted, with what
/// every character's decode needs worked out once, at compile time.
#[derive(Debug, Clone)]
pub struct Alphabet {
    chars: &'static [u8],
    /// Bit `c` set when character `c` is permitted.
    members: u128,
    /// Bits per character (see [`Alphabet::bits`]).
    bits: u32,
    /// Characters are sent as their index in `chars` (see [`Alphabet::by_index`]).
    by_index: bool,
}

/// IA5String without a FROM constraint: all 128 characters.
pub const IA5: Alphabet = Alphabet::from_sorted(&[]);

impl Alphabet {
    /// `chars` must be sorted and 7-bit.
    pub const fn from_sorted(chars: &'static [u8]) -> Self {
        let mut members = 0u128;
        let mut rest = chars;
        while let [c, tail @ ..] = rest {
            members |= 1u128 << (*c & 0x7f);
            rest = tail;
        }
        if chars.is_empty() {
            members = u128::MAX;
        }
        // X.691 §30.5.2: the bits the alphabet needs, rounded up to a power of two.
        let size = if chars.is_empty() { 128 } else { chars.len() };
        let needed = 128 - ((size as u128 - 1).leading_zeros());
        let needed = if needed == 0 { 1 } else { needed };
        let bits = needed.next_power_of_two();
        // Sent as values when every value fits the bits, else as indices.
        let max = match chars.last() {
            Some(&c) => c,
            None => 127,
        };
        let by_index = max as u32 >= 1u32 << bits;
        Self {
            chars,
            members,
            bits,
            by_index,
        }
    }

    /// Bits per character in the ALIGNED variant: the bits the alphabet needs, rounded up
    /// to a power of two (X.691 §30.5.2).
    pub fn bits(&self) -> u32 {
        self.bits
    }

    fn permits(&self, c: u8) -> bool {
        c < 128 && (self.members >> c) & 1 == 1
    }

    fn decode(&self, v: u8) -> Option<u8> {
        if self.by_index {
            self.chars.get(usize::from(v)).copied()
        } else {
            self.permits(v).then_some(v)
        }
    }

    fn encode(&self, c: u8) -> Option<u8> {
        if !self.permits(c) {
            return None;
        }
        if self.by_index {
            let i = self.chars.iter().position(|&x| x == c)?;
            return u8::try_from(i).ok();
        }
        Some(c)
    }
}

#[cfg(test)]
mod tests;
