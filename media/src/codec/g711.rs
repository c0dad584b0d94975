//! G.711 µ-law (PCMU) and A-law (PCMA), bit-exact with the ITU-T G.711 reference
//! (as in the G.191 software tools and the classic Sun `g711.c`).
//!
//! Encoding is bit math (a leading-zeros count, no table); decoding uses 256-entry tables built
//! at compile time, since a table lookup is the fastest decode and costs 1 KiB.

/// Encodes one 16-bit linear sample to µ-law (G.191 `ulaw_compress`).
///
/// µ-law carries 14 significant bits; negative inputs use one's complement, so -1..=-4
/// encode as negative zero (0x7F), as the reference does.
#[inline]
pub fn linear_to_ulaw(sample: i16) -> u8 {
    let x = i32::from(sample);
    // Magnitude in 14 bits plus the 33 bias (0x84 >> 2), clipped to 13 bits.
    let absno = if x < 0 { (!x >> 2) + 33 } else { (x >> 2) + 33 }.min(0x1fff);
    let segno = 1 + (32 - ((absno >> 6) as u32).leading_zeros()) as i32;
    let high = 8 - segno;
    let low = 0x0f - ((absno >> segno) & 0x0f);
    let out = (high << 4) | low | if x >= 0 { 0x80 } else { 0 };
    out as u8
}

/// Decodes one µ-law byte to 16-bit linear.
#[inline]
#[allow(clippy::indexing_slicing)] // a u8 cannot exceed a 256-entry table
pub fn ulaw_to_linear(code: u8) -> i16 {
    ULAW_DECODE[usize::from(code)]
}

/// Encodes one 16-bit linear sample to A-law (G.191 `alaw_compress`; 13 significant bits,
/// one's complement for negative inputs, even bits inverted).
#[inline]
pub fn linear_to_alaw(sample: i16) -> u8 {
    let x = i32::from(sample);
    let mut ix = if x < 0 { !x >> 4 } else { x >> 4 };
    if ix > 15 {
        // Exponent 1 for 16..=31, +1 per further bit: highest set bit position minus 3.
        let iexp = (31 - (ix as u32).leading_zeros()) as i32 - 3;
        ix = (ix >> (iexp - 1)) - 16 + (iexp << 4);
    }
    if x >= 0 {
        ix |= 0x80;
    }
    (ix as u8) ^ 0x55
}

/// Decodes one A-law byte to 16-bit linear.
#[inline]
#[allow(clippy::indexing_slicing)] // a u8 cannot exceed a 256-entry table
pub fn alaw_to_linear(code: u8) -> i16 {
    ALAW_DECODE[usize::from(code)]
}

/// G.191 `ulaw_expand`.
const fn ulaw_decode(code: u8) -> i16 {
    let m = !code;
    let exponent = ((m >> 4) & 0x07) as i32;
    let mantissa = (m & 0x0f) as i32;
    let step = 4 << (exponent + 1);
    let mag = (0x80 << exponent) + step * mantissa + step / 2 - 4 * 33;
    if code < 0x80 {
        -mag as i16
    } else {
        mag as i16
    }
}

/// G.191 `alaw_expand`.
const fn alaw_decode(code: u8) -> i16 {
    let ix = (code ^ 0x55) & 0x7f;
    let iexp = (ix >> 4) as i32;
    let mut mant = (ix & 0x0f) as i32;
    if iexp > 0 {
        mant += 16;
    }
    mant = (mant << 4) + 0x08;
    if iexp > 1 {
        mant <<= iexp - 1;
    }
    if code > 127 {
        mant as i16
    } else {
        -mant as i16
    }
}

#[allow(clippy::indexing_slicing)] // compile-time loop over 0..256
const fn build_table(alaw: bool) -> [i16; 256] {
    let mut t = [0i16; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = if alaw {
            alaw_decode(i as u8)
        } else {
            ulaw_decode(i as u8)
        };
        i += 1;
    }
    t
}

static ULAW_DECODE: [i16; 256] = build_table(false);
static ALAW_DECODE: [i16; 256] = build_table(true);

/// Encodes a block of samples to µ-law; `out` must be at least `pcm.len()` long (extra
/// output bytes are left untouched). Returns the number of bytes written.
pub fn encode_ulaw(pcm: &[i16], out: &mut [u8]) -> usize {
    pcm.iter()
        .zip(out.iter_mut())
        .map(|(s, o)| *o = linear_to_ulaw(*s))
        .count()
}

/// Encodes a block of samples to A-law; see [`encode_ulaw`].
pub fn encode_alaw(pcm: &[i16], out: &mut [u8]) -> usize {
    pcm.iter()
        .zip(out.iter_mut())
        .map(|(s, o)| *o = linear_to_alaw(*s))
        .count()
}

/// Decodes µ-law bytes; returns the number of samples written.
pub fn decode_ulaw(codes: &[u8], out: &mut [i16]) -> usize {
    codes
        .iter()
        .zip(out.iter_mut())
        .map(|(c, o)| *o = ulaw_to_linear(*c))
        .count()
}

/// Decodes A-law bytes; returns the number of samples written.
pub fn decode_alaw(codes: &[u8], out: &mut [i16]) -> usize {
    codes
        .iter()
        .zip(out.iter_mut())
        .map(|(c, o)| *o = alaw_to_linear(*c))
        .count()
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::indexing_slicing,
        clippy::cast_possible_truncation
    )]
    use super::*;

    /// Literal transcription of the G.191 `ulaw_compress` loop, as an independent check.
    fn ref_ulaw(x: i16) -> u8 {
        let x = i32::from(x);
        let mut absno = if x < 0 {
            ((!x) >> 2) + 33
        } else {
            (x >> 2) + 33
        };
        if absno > 0x1fff {
            absno = 0x1fff;
        }
        let mut i = absno >> 6;
        let mut segno = 1;
        while i != 0 {
            segno += 1;
            i >>= 1;
        }
        let high = 0x0008 - segno;
        let low = 0x000f - ((absno >> segno) & 0x000f);
        let mut out = (high << 4) | low;
        if x >= 0 {
            out |= 0x0080;
        }
        out as u8
    }

    /// Literal transcription of the G.191 `alaw_compress` loop.
    fn ref_alaw(x: i16) -> u8 {
        let x = i32::from(x);
        let mut ix = if x < 0 { (!x) >> 4 } else { x >> 4 };
        if ix > 15 {
            let mut iexp = 1;
            while ix > 16 + 15 {
                ix >>= 1;
                iexp += 1;
            }
            ix -= 16;
            ix += iexp << 4;
        }
        if x >= 0 {
            ix |= 0x0080;
        }
        (ix ^ 0x0055) as u8
    }

    #[test]
    fn known_values() {
        assert_eq!(ulaw_to_linear(0xff), 0);
        assert_eq!(ulaw_to_linear(0x7f), 0);
        assert_eq!(ulaw_to_linear(0x80), 32124);
        assert_eq!(ulaw_to_linear(0x00), -32124);
        assert_eq!(ulaw_to_linear(0xfe), 8);
        assert_eq!(linear_to_ulaw(0), 0xff);
        assert_eq!(linear_to_ulaw(-1), 0x7f);
        assert_eq!(linear_to_ulaw(i16::MAX), 0x80);
        assert_eq!(linear_to_ulaw(i16::MIN), 0x00);
        assert_eq!(alaw_to_linear(0xd5), 8);
        assert_eq!(alaw_to_linear(0x55), -8);
        assert_eq!(alaw_to_linear(0xaa), 32256);
        assert_eq!(alaw_to_linear(0x2a), -32256);
        assert_eq!(linear_to_alaw(0), 0xd5);
        assert_eq!(linear_to_alaw(-1), 0x55);
        assert_eq!(linear_to_alaw(i16::MAX), 0xaa);
        assert_eq!(linear_to_alaw(i16::MIN), 0x2a);
    }

    #[test]
    fn exhaustive_against_reference() {
        for x in i16::MIN..=i16::MAX {
            assert_eq!(linear_to_ulaw(x), ref_ulaw(x), "ulaw {x}");
            assert_eq!(linear_to_alaw(x), ref_alaw(x), "alaw {x}");
        }
    }

    #[test]
    fn code_round_trip_and_monotonic() {
        for c in 0..=255u8 {
            let u = linear_to_ulaw(ulaw_to_linear(c));
            // Negative zero (0x7F) decodes to 0, which encodes as positive zero.
            assert_eq!(u, if c == 0x7f { 0xff } else { c }, "ulaw {c:#x}");
            assert_eq!(linear_to_alaw(alaw_to_linear(c)), c, "alaw {c:#x}");
        }
        // Decoded values rise monotonically with the magnitude code.
        let pos: Vec<i16> = (0x80..=0xffu8).rev().map(ulaw_to_linear).collect();
        assert!(pos.windows(2).all(|w| w[0] < w[1]));
        // Quantisation error bounded by half a step (largest step 1024 µ-law, 1024 A-law).
        for x in (i16::MIN..=i16::MAX).step_by(7) {
            let eu = (i32::from(ulaw_to_linear(linear_to_ulaw(x))) - i32::from(x)).abs();
            let ea = (i32::from(alaw_to_linear(linear_to_alaw(x))) - i32::from(x)).abs();
            assert!(eu <= 1024 && ea <= 1024, "{x}: {eu} {ea}");
        }
    }

    #[test]
    fn block_helpers() {
        let pcm = [0i16, 1000, -1000, 32000];
        let mut u = [0u8; 4];
        let mut back = [0i16; 4];
        assert_eq!(encode_ulaw(&pcm, &mut u), 4);
        assert_eq!(decode_ulaw(&u, &mut back), 4);
        assert_eq!(back[0], 0);
        let mut a = [0u8; 3];
        assert_eq!(encode_alaw(&pcm, &mut a), 3);
        assert_eq!(decode_alaw(&a, &mut back), 3);
    }
}
