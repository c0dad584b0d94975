//! Aligned-PER encoding primitives, the mirror of [`super::Reader`]: whatever the reader
//! accepts from a canonical encoding, the writer produces bit for bit.

use super::reader::bits_for;
use super::{Alphabet, ObjectIdentifier, PerError, PerErrorKind};
use crate::limits::MAX_PER_OCTETS;

/// Octets a new writer reserves.
const INITIAL_CAPACITY: usize = 256;

/// Builds an aligned-PER encoding.
#[derive(Debug, Clone, Default)]
pub struct Writer {
    out: Vec<u8>,
    /// Bits written.
    pos: usize,
}

impl Writer {
    pub fn new() -> Self {
        // Room for a typical H.225.0 or H.245 PDU, so encoding one rarely reallocates.
        Self {
            out: Vec::with_capacity(INITIAL_CAPACITY),
            pos: 0,
        }
    }

    pub fn bit_offset(&self) -> usize {
        self.pos
    }

    fn error(&self, kind: PerErrorKind) -> PerError {
        PerError {
            kind,
            bit_offset: self.pos,
        }
    }

    /// The octets, the last padded with zero bits. An empty encoding becomes one zero octet,
    /// as X.691 §10.1.3 requires of a complete encoding.
    pub fn finish(mut self) -> Vec<u8> {
        if self.out.is_empty() {
            self.out.push(0);
        }
        self.out
    }

    pub fn bit(&mut self, bit: bool) {
        if self.pos % 8 == 0 {
            self.out.push(0);
        }
        if bit {
            if let Some(last) = self.out.last_mut() {
                *last |= 0x80 >> (self.pos % 8);
            }
        }
        self.pos += 1;
    }

    /// The `n` low bits of `value` (`n` at most 64), most significant first, a partial
    /// octet at a time.
    pub fn bits(&mut self, value: u64, n: u32) {
        let mut left = n.min(64);
        while left > 0 {
            let used = (self.pos % 8) as u32;
            if used == 0 {
                self.out.push(0);
            }
            let take = left.min(8 - used);
            // `take` is 1..=8 and `left - take` below 64: no shift overflows.
            let chunk = (value >> (left - take)) & ((1u64 << take) - 1);
            if let Some(last) = self.out.last_mut() {
                *last |= (chunk << (8 - used - take)) as u8;
            }
            self.pos += take as usize;
            left -= take;
        }
    }

    pub fn align(&mut self) {
        self.pos = self.pos.div_ceil(8) * 8;
    }

    pub fn octets(&mut self, octets: &[u8]) {
        self.align();
        self.out.extend_from_slice(octets);
        self.pos += octets.len() * 8;
    }

    pub fn constrained(
        &mut self,
        value: i64,
        lb: i64,
        ub: i64,
        what: &'static str,
    ) -> Result<(), PerError> {
        if value < lb || value > ub {
            return Err(self.error(PerErrorKind::OutOfRange { what }));
        }
        let range = (ub as i128 - lb as i128 + 1) as u128;
        let offset = (value as i128 - lb as i128) as u64;
        if range <= 1 {
        } else if range <= 255 {
            self.bits(offset, bits_for(range - 1));
        } else if range == 256 {
            self.octets(&[offset as u8]);
        } else if range <= 65_536 {
            self.octets(&(offset as u16).to_be_bytes());
        } else {
            let n = (bits_for(u128::from(offset)).div_ceil(8)).max(1) as usize;
            let max_octets = bits_for(range - 1).div_ceil(8) as i64;
            self.constrained(n as i64, 1, max_octets, what)?;
            self.octets(offset.to_be_bytes().get(8 - n..).unwrap_or_default());
        }
        Ok(())
    }

    pub fn semi_constrained(
        &mut self,
        value: i64,
        lb: i64,
        what: &'static str,
    ) -> Result<(), PerError> {
        if value < lb {
            return Err(self.error(PerErrorKind::OutOfRange { what }));
        }
        let offset = (value as i128 - lb as i128) as u64;
        let n = (bits_for(u128::from(offset)).div_ceil(8)).max(1) as usize;
        self.length(n, 0, None, what)?;
        self.octets(offset.to_be_bytes().get(8 - n..).unwrap_or_default());
        Ok(())
    }

    pub fn normally_small(&mut self, value: u64, what: &'static str) -> Result<(), PerError> {
        if value < 64 {
            self.bit(false);
            self.bits(value, 6);
            Ok(())
        } else {
            self.bit(true);
            self.semi_constrained(value as i64, 0, what)
        }
    }

    /// A length determinant that is not fragmented (callers keep lengths below 16K where
    /// the length is unconstrained).
    pub fn length(
        &mut self,
        n: usize,
        lb: usize,
        ub: Option<usize>,
        what: &'static str,
    ) -> Result<(), PerError> {
        if n < lb || ub.is_some_and(|ub| n > ub) {
            return Err(self.error(PerErrorKind::BadLength { what }));
        }
        if let Some(ub) = ub.filter(|&ub| ub < 65_536) {
            return self.constrained(n as i64, lb as i64, ub as i64, what);
        }
        if n < 128 {
            self.octets(&[n as u8]);
        } else if n < 16_384 {
            self.octets(&(n as u16 | 0x8000).to_be_bytes());
        } else {
            return Err(self.error(PerErrorKind::TooLong {
                what,
                limit: 16_383,
            }));
        }
        Ok(())
    }

    /// Octets preceded by an unconstrained length, fragmented in 16K units when long.
    fn fragmented_octets(&mut self, octets: &[u8], what: &'static str) -> Result<(), PerError> {
        if octets.len() > MAX_PER_OCTETS {
            return Err(self.error(PerErrorKind::TooLong {
                what,
                limit: MAX_PER_OCTETS,
            }));
        }
        let mut rest = octets;
        loop {
            if rest.len() < 16_384 {
                self.length(rest.len(), 0, None, what)?;
                self.octets(rest);
                return Ok(());
            }
            let m = (rest.len() / 16_384).min(4);
            self.octets(&[0xc0 | m as u8]);
            let (chunk, tail) = rest.split_at(m * 16_384);
            self.octets(chunk);
            rest = tail;
        }
    }

    pub fn extension_bit(&mut self, extended: bool) {
        self.bit(extended);
    }

    pub fn bitmap(&mut self, bits: &[bool]) {
        for &b in bits {
            self.bit(b);
        }
    }

    pub fn extension_bitmap(&mut self, bits: &[bool]) -> Result<(), PerError> {
        let n = bits.len();
        if n == 0 || n > super::MAX_EXTENSION_ADDITIONS {
            return Err(self.error(PerErrorKind::BadLength {
                what: "extension addition count",
            }));
        }
        self.normally_small(n as u64 - 1, "extension addition count")?;
        self.bitmap(bits);
        Ok(())
    }

    /// [`Writer::extension_bitmap`] from the map's `n` low bits of `bits` (first addition
    /// most significant), for callers that build it without a vector.
    pub fn extension_bits(&mut self, bits: u64, n: usize) -> Result<(), PerError> {
        if n == 0 || n > super::MAX_EXTENSION_ADDITIONS {
            return Err(self.error(PerErrorKind::BadLength {
                what: "extension addition count",
            }));
        }
        self.normally_small(n as u64 - 1, "extension addition count")?;
        // `n` is at most 64 here.
        self.bits(bits, n as u32);
        Ok(())
    }

    /// A root CHOICE index (with the extension bit 0 when extensible).
    pub fn choice_root(
        &mut self,
        index: usize,
        root: usize,
        extensible: bool,
        what: &'static str,
    ) -> Result<(), PerError> {
        if extensible {
            self.bit(false);
        }
        self.constrained(index as i64, 0, root as i64 - 1, what)
    }

    /// An extension CHOICE alternative: extension bit, index, open type.
    pub fn choice_extension(
        &mut self,
        index: usize,
        contents: &[u8],
        what: &'static str,
    ) -> Result<(), PerError> {
        self.bit(true);
        self.normally_small(index as u64, what)?;
        self.open_type(contents, what)
    }

    pub fn open_type(&mut self, contents: &[u8], what: &'static str) -> Result<(), PerError> {
        self.fragmented_octets(contents, what)
    }

    pub fn octet_string(
        &mut self,
        v: &[u8],
        lb: usize,
        ub: Option<usize>,
        what: &'static str,
    ) -> Result<(), PerError> {
        if v.len() < lb || ub.is_some_and(|ub| v.len() > ub) {
            return Err(self.error(PerErrorKind::BadLength { what }));
        }
        match ub {
            Some(ub) if ub == lb && ub <= 2 => {
                for &b in v {
                    self.bits(u64::from(b), 8);
                }
            }
            Some(ub) if ub == lb && ub < 65_536 => self.octets(v),
            Some(ub) if ub < 65_536 => {
                self.length(v.len(), lb, Some(ub), what)?;
                self.octets(v);
            }
            _ => self.fragmented_octets(v, what)?,
        }
        Ok(())
    }

    pub fn fixed_bit_string(
        &mut self,
        v: &[u8],
        bits: usize,
        what: &'static str,
    ) -> Result<(), PerError> {
        if v.len() != bits.div_ceil(8) {
            return Err(self.error(PerErrorKind::BadLength { what }));
        }
        if bits > 16 {
            self.align();
        }
        for i in 0..bits {
            let byte = v.get(i / 8).copied().unwrap_or_default();
            self.bit(byte & (0x80 >> (i % 8)) != 0);
        }
        Ok(())
    }

    pub fn object_identifier(
        &mut self,
        oid: &ObjectIdentifier,
        what: &'static str,
    ) -> Result<(), PerError> {
        self.fragmented_octets(oid.contents(), what)
    }

    /// BMPString: a character outside the Basic Multilingual Plane has no UCS-2 code unit
    /// and is refused.
    pub fn bmp_string(
        &mut self,
        s: &str,
        lb: usize,
        ub: usize,
        what: &'static str,
    ) -> Result<(), PerError> {
        let n = s.chars().count();
        if n < lb || n > ub {
            return Err(self.error(PerErrorKind::BadLength { what }));
        }
        if lb != ub {
            self.length(n, lb, Some(ub), what)?;
        }
        if ub * 16 > 16 {
            self.align();
        }
        for c in s.chars() {
            let unit = u16::try_from(u32::from(c))
                .map_err(|_| self.error(PerErrorKind::BadCharacter { what }))?;
            self.bits(u64::from(unit), 16);
        }
        Ok(())
    }

    pub fn restricted_string(
        &mut self,
        s: &str,
        lb: usize,
        ub: usize,
        alphabet: &Alphabet,
        what: &'static str,
    ) -> Result<(), PerError> {
        let n = s.len();
        if n < lb || n > ub {
            return Err(self.error(PerErrorKind::BadLength { what }));
        }
        if lb != ub {
            self.length(n, lb, Some(ub), what)?;
        }
        let b = alphabet.bits();
        if ub * b as usize > 16 {
            self.align();
        }
        for c in s.bytes() {
            let v = alphabet
                .encode(c)
                .ok_or(self.error(PerErrorKind::BadCharacter { what }))?;
            self.bits(u64::from(v), b);
        }
        Ok(())
    }
}
