//! Encodings worked out by hand from X.691, both ways.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::*;

fn enc(f: impl FnOnce(&mut Writer) -> Result<(), PerError>) -> Vec<u8> {
    let mut w = Writer::new();
    f(&mut w).unwrap();
    w.finish()
}

#[test]
fn constrained_whole_numbers() {
    assert_eq!(enc(|w| w.constrained(5, 0, 7, "n")), [0xa0]);
    assert_eq!(enc(|w| w.constrained(1, 1, 65_535, "n")), [0x00, 0x00]);
    assert_eq!(enc(|w| w.constrained(0xab, 0, 255, "n")), [0xab]);
    // Range over 64K: a 2-bit octet count (1..4), then aligned octets.
    let big = enc(|w| w.constrained(300, 0, 0xffff_ffff, "n"));
    assert_eq!(big, [0x40, 0x01, 0x2c]);
    let mut r = Reader::new(&big);
    assert_eq!(r.constrained(0, 0xffff_ffff, "n").unwrap(), 300);
    assert_eq!(r.bit_offset(), 24);
    assert_eq!(
        enc(|w| w.constrained(0, 0, 0, "n")),
        [0x00],
        "no bits: the empty encoding"
    );
    let mut w = Writer::new();
    assert!(w.constrained(8, 0, 7, "n").is_err());
    // A 3-bit field holding 7 for a range of 0..5 is out of range.
    let mut r = Reader::new(&[0xe0]);
    assert!(matches!(
        r.constrained(0, 5, "n").unwrap_err().kind,
        PerErrorKind::OutOfRange { .. }
    ));
}

#[test]
fn lengths_and_small_numbers() {
    assert_eq!(enc(|w| w.length(200, 0, None, "l")), [0x80, 0xc8]);
    assert_eq!(enc(|w| w.length(5, 0, None, "l")), [0x05]);
    assert_eq!(enc(|w| w.normally_small(5, "s")), [0x0a]);
    let big = enc(|w| w.normally_small(100, "s"));
    assert_eq!(big, [0x80, 0x01, 0x64]);
    assert_eq!(Reader::new(&big).normally_small("s").unwrap(), 100);
    assert_eq!(enc(|w| w.semi_constrained(256, 0, "s")), [0x02, 0x01, 0x00]);
}

#[test]
fn strings() {
    // BMPString SIZE(1..256): the length's range is 256, so it is one aligned octet.
    let s = enc(|w| w.bmp_string("ab", 1, 256, "b"));
    assert_eq!(s, [0x01, 0x00, 0x61, 0x00, 0x62]);
    assert_eq!(Reader::new(&s).bmp_string(1, 256, "b").unwrap(), "ab");
    // Surrogate code units become U+FFFD; characters beyond the BMP are refused.
    let lone = [0x00, 0xd8, 0x00];
    assert_eq!(
        Reader::new(&lone).bmp_string(1, 256, "b").unwrap(),
        "\u{fffd}"
    );
    let mut w = Writer::new();
    assert!(matches!(
        w.bmp_string("\u{1f600}", 1, 256, "b").unwrap_err().kind,
        PerErrorKind::BadCharacter { .. }
    ));
    // dialedDigits: 7-bit length, then 4-bit indices into "#*,0123456789", aligned.
    const DIGITS: Alphabet = Alphabet::from_sorted(b"#*,0123456789");
    let d = enc(|w| w.restricted_string("200", 1, 128, &DIGITS, "d"));
    assert_eq!(d, [0x04, 0x53, 0x30]);
    assert_eq!(
        Reader::new(&d)
            .restricted_string(1, 128, &DIGITS, "d")
            .unwrap(),
        "200"
    );
    let mut w = Writer::new();
    assert!(w.restricted_string("2a", 1, 128, &DIGITS, "d").is_err());
    // IA5String: 8 bits a character in the ALIGNED variant.
    let i = enc(|w| w.restricted_string("hi", 1, 64, &IA5, "i"));
    assert_eq!(i, [0x04, b'h', b'i']);
}

#[test]
fn octet_strings_including_fragments() {
    assert_eq!(enc(|w| w.octet_string(&[1, 2], 2, Some(2), "o")), [1, 2]);
    assert_eq!(enc(|w| w.octet_string(&[9; 4], 4, Some(4), "o")), [9; 4]);
    let v: Vec<u8> = (0..20_000u32).map(|i| i as u8).collect();
    let e = enc(|w| w.octet_string(&v, 0, None, "o"));
    assert_eq!(e[0], 0xc1, "one 16K fragment first");
    assert_eq!(&e[16_385..16_387], &[0x8e, 0x20], "then 3616 octets");
    assert_eq!(Reader::new(&e).octet_string(0, None, "o").unwrap(), v);
    assert_eq!(e.len(), 1 + 16_384 + 2 + 3_616);
}

#[test]
fn object_identifiers() {
    let oid = ObjectIdentifier::from_arcs(&[0, 0, 8, 2250, 0, 4]).unwrap();
    assert_eq!(oid.contents(), [0x00, 0x08, 0x91, 0x4a, 0x00, 0x04]);
    assert_eq!(oid.arcs(), [0, 0, 8, 2250, 0, 4]);
    let e = enc(|w| w.object_identifier(&oid, "oid"));
    assert_eq!(Reader::new(&e).object_identifier("oid").unwrap(), oid);
    assert!(ObjectIdentifier::from_contents(vec![0x91]).is_none());
    assert!(ObjectIdentifier::from_contents(vec![0x80, 0x01]).is_none());
}

#[test]
fn choices_extensions_and_open_types() {
    let e = enc(|w| {
        w.choice_root(2, 5, true, "c")?;
        w.choice_extension(3, &[0xaa, 0xbb], "c")
    });
    let mut r = Reader::new(&e);
    assert_eq!(r.choice(5, true, "c").unwrap(), Choice::Root(2));
    assert_eq!(r.choice(5, true, "c").unwrap(), Choice::Extension(3));
    assert_eq!(r.open_type("c").unwrap(), [0xaa, 0xbb]);
    let m = enc(|w| w.extension_bitmap(&[true, false, true]));
    assert_eq!(
        Reader::new(&m)
            .extension_bitmap()
            .unwrap()
            .collect::<Vec<_>>(),
        [true, false, true]
    );
    let m = enc(|w| w.extension_bits(0b101, 3));
    assert_eq!(
        Reader::new(&m)
            .extension_bitmap()
            .unwrap()
            .collect::<Vec<_>>(),
        [true, false, true]
    );
}

#[test]
fn errors_carry_bit_offsets_and_bounds() {
    let mut r = Reader::new(&[0x00]);
    r.bits(3, "x").unwrap();
    let err = r.octets(2, "field").unwrap_err();
    assert_eq!(err.bit_offset, 8);
    assert!(matches!(
        err.kind,
        PerErrorKind::Truncated {
            needed_bits: 16,
            ..
        }
    ));
    // A length pointing past the end.
    let err = Reader::new(&[0x05, 0x01]).open_type("o").unwrap_err();
    assert!(matches!(err.kind, PerErrorKind::Truncated { .. }));
    // Nested open types stop at the named depth.
    let data = [0u8];
    let mut r = Reader::new(&data);
    for _ in 0..MAX_OPEN_TYPE_DEPTH {
        r = r.nested(&data).unwrap();
    }
    assert!(matches!(
        r.nested(&data).unwrap_err().kind,
        PerErrorKind::TooDeep { .. }
    ));
    // An extension bit map claiming more additions than the limit.
    let err = Reader::new(&[0x80, 0x01, 0xff])
        .extension_bitmap()
        .unwrap_err();
    assert!(matches!(err.kind, PerErrorKind::TooLong { .. }));
}
