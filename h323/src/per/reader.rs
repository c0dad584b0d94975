//! Aligned-PER decoding primitives (ITU-T X.691, ALIGNED variant). Every read is bounds
//! checked and every failure carries the bit offset where it happened.

use super::{
    Bitmap, Choice, ObjectIdentifier, PerError, PerErrorKind, FRAGMENT, MAX_BITMAP,
    MAX_OPEN_TYPE_DEPTH,
};
use crate::limits::MAX_PER_OCTETS;

/// Reads an aligned-PER encoding from a byte slice.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    data: &'a [u8],
    /// Bits consumed so far.
    pos: usize,
    /// Open types entered to reach this reader (bounds recursion through nested open types).
    depth: usize,
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self {
            data,
            pos: 0,
            depth: 0,
        }
    }

    /// Bits consumed so far.
    pub fn bit_offset(&self) -> usize {
        self.pos
    }

    /// Bits left.
    pub fn remaining(&self) -> usize {
        (self.data.len() * 8).saturating_sub(self.pos)
    }

    pub fn error(&self, kind: PerErrorKind) -> PerError {
        PerError {
            kind,
            bit_offset: self.pos,
        }
    }

    fn need(&self, bits: usize, what: &'static str) -> Result<(), PerError> {
        if bits > self.remaining() {
            return Err(self.error(PerErrorKind::Truncated {
                what,
                needed_bits: bits,
            }));
        }
        Ok(())
    }

    pub fn bit(&mut self, what: &'static str) -> Result<bool, PerError> {
        self.need(1, what)?;
        let byte = self.data.get(self.pos / 8).copied().unwrap_or_default();
        let bit = byte >> (7 - self.pos % 8) & 1 == 1;
        self.pos += 1;
        Ok(bit)
    }

    /// Up to 64 bits, most significant first. Reads whole octets at a time: a per-bit loop
    /// was the decoders' largest cost.
    pub fn bits(&mut self, n: u32, what: &'static str) -> Result<u64, PerError> {
        if n > 64 {
            return Err(self.error(PerErrorKind::TooLong { what, limit: 64 }));
        }
        self.need(n as usize, what)?;
        let mut v = 0u64;
        let mut left = n;
        while left > 0 {
            let byte = self.data.get(self.pos / 8).copied().unwrap_or_default();
            let used = (self.pos % 8) as u32;
            let take = left.min(8 - used);
            // `take` is 1..=8 and `used + take` at most 8, so neither shift overflows.
            let chunk = (u64::from(byte) >> (8 - used - take)) & ((1u64 << take) - 1);
            v = v << take | chunk;
            self.pos += take as usize;
            left -= take;
        }
        Ok(v)
    }

    /// Skips to the next octet boundary (padding bits are not checked: senders pad with 0).
    pub fn align(&mut self) {
        self.pos = self.pos.div_ceil(8) * 8;
    }

    /// `n` whole octets after aligning.
    pub fn octets(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], PerError> {
        self.align();
        self.need(n.saturating_mul(8), what)?;
        let start = self.pos / 8;
        let out = self
            .data
            .get(start..start.saturating_add(n))
            .ok_or_else(|| {
                self.error(PerErrorKind::Truncated {
                    what,
                    needed_bits: n.saturating_mul(8),
                })
            })?;
        self.pos += n * 8;
        Ok(out)
    }

    /// A constrained whole number in `lb..=ub` (X.691 §10.5.7, aligned). Worked in `u64`
    /// offsets from `lb`: `ub - lb` always fits one when `lb <= ub`.
    pub fn constrained(&mut self, lb: i64, ub: i64, what: &'static str) -> Result<i64, PerError> {
        if ub < lb {
            return Err(self.error(PerErrorKind::OutOfRange { what }));
        }
        // Exact: the difference is in 0..=u64::MAX.
        let span = ub.wrapping_sub(lb) as u64;
        let offset = if span == 0 {
            0
        } else if span < 255 {
            self.bits(64 - span.leading_zeros(), what)?
        } else if span == 255 {
            self.bits_aligned(8, what)?
        } else if span < 65_536 {
            self.bits_aligned(16, what)?
        } else {
            let max_octets = i64::from((64 - span.leading_zeros()).div_ceil(8));
            let n = self.constrained(1, max_octets, what)? as usize;
            be(self.octets(n, what)?)
        };
        if offset > span {
            return Err(self.error(PerErrorKind::OutOfRange { what }));
        }
        // `offset <= span`, so the sum stays within `lb..=ub`.
        Ok(lb.wrapping_add(offset as i64))
    }

    /// `n` bits (8 or 16) after aligning: one- and two-octet whole numbers.
    fn bits_aligned(&mut self, n: u32, what: &'static str) -> Result<u64, PerError> {
        self.align();
        self.bits(n, what)
    }

    /// A whole number with only a lower bound (X.691 §10.7): length, then octets.
    pub fn semi_constrained(&mut self, lb: i64, what: &'static str) -> Result<i64, PerError> {
        let n = self.length(0, None, what)?;
        if n == 0 || n > 8 {
            return Err(self.error(PerErrorKind::OutOfRange { what }));
        }
        let v = be(self.octets(n, what)?);
        i64::try_from(lb as i128 + v as i128)
            .map_err(|_| self.error(PerErrorKind::OutOfRange { what }))
    }

    /// A normally small non-negative whole number (X.691 §10.6).
    pub fn normally_small(&mut self, what: &'static str) -> Result<u64, PerError> {
        if !self.bit(what)? {
            return self.bits(6, what);
        }
        Ok(self.semi_constrained(0, what)? as u64)
    }

    /// A length determinant (X.691 §10.9). With an upper bound below 64K it is a constrained
    /// whole number; otherwise aligned octets. Fragmented lengths (16K units) are returned
    /// as `FRAGMENT | units`, for the callers that support them to loop.
    fn length_raw(
        &mut self,
        lb: usize,
        ub: Option<usize>,
        what: &'static str,
    ) -> Result<usize, PerError> {
        if let Some(ub) = ub.filter(|&ub| ub < 65_536) {
            return Ok(self.constrained(lb as i64, ub as i64, what)? as usize);
        }
        let &[first] = self.octets(1, what)? else {
            return Err(self.error(PerErrorKind::Truncated {
                what,
                needed_bits: 8,
            }));
        };
        if first & 0x80 == 0 {
            return Ok(usize::from(first));
        }
        if first & 0x40 == 0 {
            let &[second] = self.octets(1, what)? else {
                return Err(self.error(PerErrorKind::Truncated {
                    what,
                    needed_bits: 8,
                }));
            };
            return Ok(usize::from(first & 0x3f) << 8 | usize::from(second));
        }
        let m = usize::from(first & 0x3f);
        if !(1..=4).contains(&m) {
            return Err(self.error(PerErrorKind::BadLength { what }));
        }
        Ok(FRAGMENT | (m * 16_384))
    }

    /// A length determinant that must not be fragmented, checked against its bounds.
    pub fn length(
        &mut self,
        lb: usize,
        ub: Option<usize>,
        what: &'static str,
    ) -> Result<usize, PerError> {
        let n = self.length_raw(lb, ub, what)?;
        if n & FRAGMENT != 0 || n < lb || ub.is_some_and(|ub| n > ub) {
            return Err(self.error(PerErrorKind::BadLength { what }));
        }
        Ok(n)
    }

    /// Octets with a (possibly fragmented) unconstrained length: open types, OBJECT
    /// IDENTIFIER contents and OCTET STRINGs without an upper bound below 64K.
    fn fragmented_octets(&mut self, what: &'static str) -> Result<Vec<u8>, PerError> {
        let n = self.length_raw(0, None, what)?;
        if n & FRAGMENT == 0 {
            // The usual case, one unfragmented length (below 16K, so below the limit):
            // one allocation of the right size.
            return Ok(self.octets(n, what)?.to_vec());
        }
        let mut out = Vec::new();
        let mut n = n;
        loop {
            let count = n & !FRAGMENT;
            if out.len() + count > MAX_PER_OCTETS {
                return Err(self.error(PerErrorKind::TooLong {
                    what,
                    limit: MAX_PER_OCTETS,
                }));
            }
            out.extend_from_slice(self.octets(count, what)?);
            if n & FRAGMENT == 0 {
                return Ok(out);
            }
            n = self.length_raw(0, None, what)?;
        }
    }

    /// The extension bit of an extensible type.
    pub fn extension_bit(&mut self) -> Result<bool, PerError> {
        self.bit("extension bit")
    }

    /// A preamble or extension bit map of `n` presence bits (at most [`MAX_BITMAP`]).
    pub fn bitmap(&mut self, n: usize, what: &'static str) -> Result<Bitmap, PerError> {
        if n > MAX_BITMAP {
            return Err(self.error(PerErrorKind::TooLong {
                what,
                limit: MAX_BITMAP,
            }));
        }
        // `n` is at most 64, the width of `bits`.
        let bits = self.bits(n as u32, what)?;
        Ok(Bitmap::new(bits, n))
    }

    /// The extension-additions presence map of a SEQUENCE (X.691 §18.8): normally small
    /// length minus one, then the bits.
    pub fn extension_bitmap(&mut self) -> Result<Bitmap, PerError> {
        let n = self.normally_small("extension addition count")? as usize + 1;
        if n > super::MAX_EXTENSION_ADDITIONS {
            return Err(self.error(PerErrorKind::TooLong {
                what: "extension addition count",
                limit: super::MAX_EXTENSION_ADDITIONS,
            }));
        }
        self.bitmap(n, "extension addition bit map")
    }

    /// A CHOICE index: root alternatives by a constrained number, extensions by a normally
    /// small number (the caller then reads the open type).
    pub fn choice(
        &mut self,
        root: usize,
        extensible: bool,
        what: &'static str,
    ) -> Result<Choice, PerError> {
        if extensible && self.extension_bit()? {
            return Ok(Choice::Extension(self.normally_small(what)? as usize));
        }
        if root == 0 {
            return Err(self.error(PerErrorKind::OutOfRange { what }));
        }
        Ok(Choice::Root(
            self.constrained(0, root as i64 - 1, what)? as usize
        ))
    }

    /// An open type's octets (X.691 §10.2).
    pub fn open_type(&mut self, what: &'static str) -> Result<Vec<u8>, PerError> {
        self.fragmented_octets(what)
    }

    /// A reader for an open type's contents, one level deeper.
    pub fn nested(&self, contents: &'a [u8]) -> Result<Reader<'a>, PerError> {
        if self.depth >= MAX_OPEN_TYPE_DEPTH {
            return Err(self.error(PerErrorKind::TooDeep {
                limit: MAX_OPEN_TYPE_DEPTH,
            }));
        }
        Ok(Reader {
            data: contents,
            pos: 0,
            depth: self.depth + 1,
        })
    }

    /// OCTET STRING (X.691 §17) with size bounds (`ub` None: no upper bound).
    pub fn octet_string(
        &mut self,
        lb: usize,
        ub: Option<usize>,
        what: &'static str,
    ) -> Result<Vec<u8>, PerError> {
        match ub {
            Some(ub) if ub == lb && ub <= 2 => {
                let bits = self.bits(ub as u32 * 8, what)?;
                Ok(bits
                    .to_be_bytes()
                    .get(8 - ub..)
                    .unwrap_or_default()
                    .to_vec())
            }
            Some(ub) if ub == lb && ub < 65_536 => Ok(self.octets(ub, what)?.to_vec()),
            Some(ub) if ub < 65_536 => {
                let n = self.length(lb, Some(ub), what)?;
                Ok(self.octets(n, what)?.to_vec())
            }
            _ => {
                let v = self.fragmented_octets(what)?;
                if v.len() < lb || ub.is_some_and(|ub| v.len() > ub) {
                    return Err(self.error(PerErrorKind::BadLength { what }));
                }
                Ok(v)
            }
        }
    }

    /// OCTET STRING (SIZE(N)) into an array, without the vector [`Reader::octet_string`]
    /// returns: addresses and GUIDs are decoded in every message.
    pub fn fixed_octets<const N: usize>(
        &mut self,
        what: &'static str,
    ) -> Result<[u8; N], PerError> {
        if N > 2 {
            let at = self.pos;
            return <[u8; N]>::try_from(self.octets(N, what)?).map_err(|_| PerError {
                kind: PerErrorKind::BadLength { what },
                bit_offset: at,
            });
        }
        // Up to two octets are not aligned (X.691 §17.6).
        let mut out = [0u8; N];
        for b in out.iter_mut() {
            // Eight bits fit an octet.
            *b = self.bits(8, what)? as u8;
        }
        Ok(out)
    }

    /// BIT STRING of a fixed size up to 64K bits, as octets (last one padded with zeros).
    pub fn fixed_bit_string(
        &mut self,
        bits: usize,
        what: &'static str,
    ) -> Result<Vec<u8>, PerError> {
        if bits > 16 {
            self.align();
        }
        let mut out = vec![0u8; bits.div_ceil(8)];
        for i in 0..bits {
            if self.bit(what)? {
                if let Some(b) = out.get_mut(i / 8) {
                    *b |= 0x80 >> (i % 8);
                }
            }
        }
        Ok(out)
    }

    /// OBJECT IDENTIFIER (X.691 §24): length and BER contents octets.
    pub fn object_identifier(&mut self, what: &'static str) -> Result<ObjectIdentifier, PerError> {
        let at = self.pos;
        let contents = self.fragmented_octets(what)?;
        ObjectIdentifier::from_contents(contents).ok_or(PerError {
            kind: PerErrorKind::BadObjectIdentifier,
            bit_offset: at,
        })
    }

    /// BMPString (X.691 §30): UCS-2 code units. Surrogate code units are not characters in
    /// UCS-2; each becomes U+FFFD rather than an error, so a bad name does not lose the PDU.
    pub fn bmp_string(
        &mut self,
        lb: usize,
        ub: usize,
        what: &'static str,
    ) -> Result<String, PerError> {
        let n = if lb == ub {
            lb
        } else {
            self.length(lb, Some(ub), what)?
        };
        let mut s = String::with_capacity(n);
        if ub * 16 > 16 {
            // Aligned: the code units are whole octet pairs.
            let units = self.octets(n.saturating_mul(2), what)?;
            for pair in units.chunks_exact(2) {
                let unit = pair.iter().fold(0u32, |acc, &b| acc << 8 | u32::from(b));
                s.push(char::from_u32(unit).unwrap_or(char::REPLACEMENT_CHARACTER));
            }
            return Ok(s);
        }
        for _ in 0..n {
            let unit = self.bits(16, what)? as u32;
            s.push(char::from_u32(unit).unwrap_or(char::REPLACEMENT_CHARACTER));
        }
        Ok(s)
    }

    /// A known-multiplier string (IA5String, with an optional FROM alphabet) of `lb..=ub`
    /// characters (X.691 §30.5); `alphabet` is the sorted effective alphabet.
    pub fn restricted_string(
        &mut self,
        lb: usize,
        ub: usize,
        alphabet: &super::Alphabet,
        what: &'static str,
    ) -> Result<String, PerError> {
        let n = if lb == ub {
            lb
        } else {
            self.length(lb, Some(ub), what)?
        };
        let b = alphabet.bits();
        if ub * b as usize > 16 {
            self.align();
        }
        let mut s = String::with_capacity(n);
        if b == 8 && self.pos % 8 == 0 {
            // Whole octets: one bounds check for the string.
            for &v in self.octets(n, what)? {
                let c = alphabet.decode(v).ok_or(PerError {
                    kind: PerErrorKind::BadCharacter { what },
                    bit_offset: self.pos,
                })?;
                s.push(char::from(c));
            }
            return Ok(s);
        }
        for _ in 0..n {
            let v = self.bits(b, what)? as u8;
            let c = alphabet
                .decode(v)
                .ok_or_else(|| self.error(PerErrorKind::BadCharacter { what }))?;
            s.push(char::from(c));
        }
        Ok(s)
    }
}

/// Number of bits needed for values up to `max`.
pub(crate) fn bits_for(max: u128) -> u32 {
    128 - max.leading_zeros()
}

fn be(octets: &[u8]) -> u64 {
    octets.iter().fold(0u64, |acc, &b| acc << 8 | u64::from(b))
}
