//! The building blocks every H.245 type is described with: the `h245_sequence!` and
//! `h245_choice!` macros, constrained INTEGER and sized SEQUENCE OF codecs, and the few
//! leaf types (GeneralString, unconstrained INTEGER) that H.225.0 does not use.
//!
//! H.245 has hundreds of SEQUENCEs and CHOICEs; describing each by its ASN.1 component list
//! keeps the codec reviewable against the module and the encoder the exact mirror of the
//! decoder. Extension additions of a SEQUENCE stay octets ([`Extensions`]) with typed
//! accessors where a gateway needs them, so a PDU from any version re-encodes exactly.

use std::marker::PhantomData;

use crate::limits::MAX_H245_LIST;
use crate::per::{PerError, PerErrorKind, Reader, Writer};
use crate::ras::field::Field;

pub use crate::ras::Extensions;

/// Open types decode as everywhere else in the crate (H.225.0 and RAS share the rule).
pub(crate) use crate::ras::field::decode_whole as decode_open;

/// `INTEGER (LB..UB)` with bounds inside `u32`: every constrained INTEGER of H.245.
pub struct Int<const LB: i64, const UB: i64>;

impl<const LB: i64, const UB: i64> Field for Int<LB, UB> {
    type Value = u32;
    const NAME: &'static str = "INTEGER";
    fn decode(r: &mut Reader<'_>) -> Result<u32, PerError> {
        // The bounds lie inside u32, so the conversion is lossless.
        Ok(r.constrained(LB, UB, Self::NAME)? as u32)
    }
    fn encode(w: &mut Writer, v: &u32) -> Result<(), PerError> {
        w.constrained(i64::from(*v), LB, UB, Self::NAME)
    }
}

/// `INTEGER (LB..UB, ...)`: an extensible range; values outside it go as unconstrained
/// whole numbers after a set extension bit.
pub struct ExtInt<const LB: i64, const UB: i64>;

impl<const LB: i64, const UB: i64> Field for ExtInt<LB, UB> {
    type Value = i64;
    const NAME: &'static str = "INTEGER (extensible)";
    fn decode(r: &mut Reader<'_>) -> Result<i64, PerError> {
        if r.extension_bit()? {
            return BigInt::decode(r);
        }
        r.constrained(LB, UB, Self::NAME)
    }
    fn encode(w: &mut Writer, v: &i64) -> Result<(), PerError> {
        if (LB..=UB).contains(v) {
            w.extension_bit(false);
            w.constrained(*v, LB, UB, Self::NAME)
        } else {
            w.extension_bit(true);
            BigInt::encode(w, v)
        }
    }
}

/// An unconstrained INTEGER (X.691 §12.2.6): a length octet and the shortest two's
/// complement octets. More than eight octets do not fit an `i64` and are refused.
pub struct BigInt;

impl Field for BigInt {
    type Value = i64;
    const NAME: &'static str = "INTEGER (unconstrained)";
    fn decode(r: &mut Reader<'_>) -> Result<i64, PerError> {
        let n = r.length(0, None, Self::NAME)?;
        if !(1..=8).contains(&n) {
            return Err(r.error(PerErrorKind::OutOfRange { what: Self::NAME }));
        }
        let octets = r.octets(n, Self::NAME)?;
        let first = octets.first().copied().unwrap_or_default();
        let init = if first & 0x80 != 0 { -1i64 } else { 0 };
        Ok(octets.iter().fold(init, |acc, &b| acc << 8 | i64::from(b)))
    }
    fn encode(w: &mut Writer, v: &i64) -> Result<(), PerError> {
        let bytes = v.to_be_bytes();
        let mut start = 0;
        while start < 7 {
            match (bytes.get(start), bytes.get(start + 1)) {
                (Some(0), Some(b)) if b & 0x80 == 0 => start += 1,
                (Some(0xff), Some(b)) if b & 0x80 != 0 => start += 1,
                _ => break,
            }
        }
        let body = bytes.get(start..).unwrap_or_default();
        w.length(body.len(), 0, None, Self::NAME)?;
        w.octets(body);
        Ok(())
    }
}

/// `OCTET STRING (SIZE (LB..UB))`; `UB` = [`UNBOUNDED`] for no upper bound.
pub struct OctetsSized<const LB: usize, const UB: usize>;

/// The upper bound of a size constraint that has none.
pub const UNBOUNDED: usize = usize::MAX;

fn upper(ub: usize) -> Option<usize> {
    (ub != UNBOUNDED).then_some(ub)
}

impl<const LB: usize, const UB: usize> Field for OctetsSized<LB, UB> {
    type Value = Vec<u8>;
    const NAME: &'static str = "OCTET STRING";
    fn decode(r: &mut Reader<'_>) -> Result<Vec<u8>, PerError> {
        r.octet_string(LB, upper(UB), Self::NAME)
    }
    fn encode(w: &mut Writer, v: &Vec<u8>) -> Result<(), PerError> {
        w.octet_string(v, LB, upper(UB), Self::NAME)
    }
}

/// A variable-size BIT STRING: its length in bits and the bits, the last octet padded with
/// zeros.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Bits {
    pub len: usize,
    pub data: Vec<u8>,
}

/// `BIT STRING (SIZE (LB..UB))` with `UB` below 64K (escrow values).
pub struct BitString<const LB: usize, const UB: usize>;

impl<const LB: usize, const UB: usize> Field for BitString<LB, UB> {
    type Value = Bits;
    const NAME: &'static str = "BIT STRING";
    fn decode(r: &mut Reader<'_>) -> Result<Bits, PerError> {
        let len = r.length(LB, Some(UB), Self::NAME)?;
        r.align();
        let data = r.fixed_bit_string(len, Self::NAME)?;
        Ok(Bits { len, data })
    }
    fn encode(w: &mut Writer, v: &Bits) -> Result<(), PerError> {
        w.length(v.len, LB, Some(UB), Self::NAME)?;
        w.align();
        w.fixed_bit_string(&v.data, v.len, Self::NAME)
    }
}

/// GeneralString (user input, telephone events): not a known-multiplier string, so aligned
/// PER sends its octets with an unconstrained length (X.691 §30.6), like an OCTET STRING.
/// Kept as octets: the character set is whatever the ISO 2022 escapes say.
pub type GeneralString = OctetsSized<0, UNBOUNDED>;

/// IA5String (SIZE (LB..UB)) with the full 7-bit alphabet.
pub struct Ia5<const LB: usize, const UB: usize>;

impl<const LB: usize, const UB: usize> Field for Ia5<LB, UB> {
    type Value = String;
    const NAME: &'static str = "IA5String";
    fn decode(r: &mut Reader<'_>) -> Result<String, PerError> {
        r.restricted_string(LB, UB, &crate::per::IA5, Self::NAME)
    }
    fn encode(w: &mut Writer, v: &String) -> Result<(), PerError> {
        w.restricted_string(v, LB, UB, &crate::per::IA5, Self::NAME)
    }
}

/// `SEQUENCE (SIZE (LB..UB)) OF T` (also SET OF): `UB` = [`UNBOUNDED`] for none. Whatever
/// the ASN.1 allows, at most [`MAX_H245_LIST`] items are read or written.
pub struct List<T, const LB: usize, const UB: usize>(PhantomData<T>);

impl<T: Field, const LB: usize, const UB: usize> Field for List<T, LB, UB> {
    type Value = Vec<T::Value>;
    const NAME: &'static str = T::NAME;
    fn decode(r: &mut Reader<'_>) -> Result<Self::Value, PerError> {
        let n = r.length(LB, upper(UB).filter(|&ub| ub < 65_536), T::NAME)?;
        if n < LB || n > UB {
            return Err(r.error(PerErrorKind::BadLength { what: T::NAME }));
        }
        if n > MAX_H245_LIST {
            return Err(r.error(PerErrorKind::TooMany {
                what: T::NAME,
                count: n,
                limit: MAX_H245_LIST,
            }));
        }
        let mut out = Vec::with_capacity(n.min(16));
        for _ in 0..n {
            out.push(T::decode(r)?);
        }
        Ok(out)
    }
    fn encode(w: &mut Writer, v: &Self::Value) -> Result<(), PerError> {
        if v.len() > MAX_H245_LIST {
            return Err(PerError {
                kind: PerErrorKind::TooMany {
                    what: T::NAME,
                    count: v.len(),
                    limit: MAX_H245_LIST,
                },
                bit_offset: w.bit_offset(),
            });
        }
        w.length(v.len(), LB, upper(UB).filter(|&ub| ub < 65_536), T::NAME)?;
        v.iter().try_for_each(|x| T::encode(w, x))
    }
}

/// `SEQUENCE OF T` without a size constraint.
pub type SeqOf<T> = List<T, 0, UNBOUNDED>;

/// `T` behind a box: breaks the recursion of types that contain themselves (VBDCapability
/// holds an AudioCapability, which has VBD as an alternative).
pub struct Boxed<T>(PhantomData<T>);

impl<T: Field> Field for Boxed<T> {
    type Value = Box<T::Value>;
    const NAME: &'static str = T::NAME;
    fn decode(r: &mut Reader<'_>) -> Result<Self::Value, PerError> {
        T::decode(r).map(Box::new)
    }
    fn encode(w: &mut Writer, v: &Self::Value) -> Result<(), PerError> {
        T::encode(w, v)
    }
}

/// A root alternative or component this codec does not type (H.222/H.223/V.76 multiplex
/// parameters, which H.323 never uses): present on the wire, the decode fails with
/// [`PerErrorKind::NotTyped`], since a root component has no length to skip it by.
pub struct NotTyped;

impl Field for NotTyped {
    type Value = ();
    const NAME: &'static str = "H.245 component not typed";
    fn decode(r: &mut Reader<'_>) -> Result<(), PerError> {
        Err(r.error(PerErrorKind::NotTyped { what: Self::NAME }))
    }
    fn encode(w: &mut Writer, _: &()) -> Result<(), PerError> {
        Err(PerError {
            kind: PerErrorKind::NotTyped { what: Self::NAME },
            bit_offset: w.bit_offset(),
        })
    }
}

/// A SEQUENCE from its root components in ASN.1 order, each `name: req Codec` or
/// `name: opt Codec`. `pub struct Name ext { .. }` has an extension marker (the struct gets
/// `extensions`, the additions as received); `pub struct Name { .. }` has none.
macro_rules! h245_sequence {
    (@ty req $codec:ty) => { <$codec as $crate::ras::field::Field>::Value };
    (@ty opt $codec:ty) => { Option<<$codec as $crate::ras::field::Field>::Value> };
    (@count req) => { 0usize };
    (@count opt) => { 1usize };
    (@dec $r:ident $bits:ident req $codec:ty) => {
        <$codec as $crate::ras::field::Field>::decode($r)?
    };
    (@dec $r:ident $bits:ident opt $codec:ty) => {
        if $bits.next() == Some(true) {
            Some(<$codec as $crate::ras::field::Field>::decode($r)?)
        } else {
            None
        }
    };
    (@bit $bits:ident $v:expr, req) => {};
    (@bit $bits:ident $v:expr, opt) => { $bits = $bits << 1 | u64::from($v.is_some()) };
    (@enc $w:ident $v:expr, req $codec:ty) => {
        <$codec as $crate::ras::field::Field>::encode($w, &$v)?
    };
    (@enc $w:ident $v:expr, opt $codec:ty) => {
        if let Some(x) = &$v {
            <$codec as $crate::ras::field::Field>::encode($w, x)?
        }
    };
    (@root $r:ident $name:ident { $( $field:ident : $kind:ident $codec:ty ),* }) => {{
        let n = 0usize $( + $crate::h245::codec::h245_sequence!(@count $kind) )*;
        let map = $r.bitmap(n, concat!(stringify!($name), " optionals"))?;
        #[allow(unused_mut, unused_variables)]
        let mut bits = map.into_iter();
        $( let $field = $crate::h245::codec::h245_sequence!(@dec $r bits $kind $codec); )*
        ( $( $field, )* )
    }};
    (@write $w:ident $v:ident { $( $field:ident : $kind:ident $codec:ty ),* }) => {{
        #[allow(unused_mut)]
        let mut bits = 0u64;
        $( $crate::h245::codec::h245_sequence!(@bit bits $v.$field, $kind); )*
        let n = 0u32 $( + $crate::h245::codec::h245_sequence!(@count $kind) as u32 )*;
        $w.bits(bits, n);
        $( $crate::h245::codec::h245_sequence!(@enc $w $v.$field, $kind $codec); )*
    }};
    (
        $(#[$meta:meta])*
        pub struct $name:ident ext {
            $( $(#[$fmeta:meta])* $field:ident : $kind:ident $codec:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $crate::h245::codec::h245_sequence!(@ty $kind $codec), )*
            /// Extension additions as received, each kept as its open type's octets.
            pub extensions: $crate::h245::codec::Extensions,
        }

        impl $crate::ras::field::Field for $name {
            type Value = Self;
            const NAME: &'static str = stringify!($name);

            #[allow(clippy::let_unit_value, clippy::unused_unit, unused_parens)]
            fn decode(r: &mut $crate::per::Reader<'_>) -> Result<Self, $crate::per::PerError> {
                let ext = r.extension_bit()?;
                let ( $( $field, )* ) = $crate::h245::codec::h245_sequence!(
                    @root r $name { $( $field : $kind $codec ),* });
                Ok(Self {
                    $( $field, )*
                    extensions: $crate::h245::codec::Extensions::decode(r, ext)?,
                })
            }

            fn encode(w: &mut $crate::per::Writer, v: &Self) -> Result<(), $crate::per::PerError> {
                w.extension_bit(v.extensions.is_extended());
                $crate::h245::codec::h245_sequence!(@write w v { $( $field : $kind $codec ),* });
                v.extensions.encode(w)
            }
        }
    };
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $kind:ident $codec:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $crate::h245::codec::h245_sequence!(@ty $kind $codec), )*
        }

        impl $crate::ras::field::Field for $name {
            type Value = Self;
            const NAME: &'static str = stringify!($name);

            #[allow(clippy::let_unit_value, clippy::unused_unit, unused_parens)]
            fn decode(r: &mut $crate::per::Reader<'_>) -> Result<Self, $crate::per::PerError> {
                let ( $( $field, )* ) = $crate::h245::codec::h245_sequence!(
                    @root r $name { $( $field : $kind $codec ),* });
                Ok(Self { $( $field, )* })
            }

            fn encode(w: &mut $crate::per::Writer, v: &Self) -> Result<(), $crate::per::PerError> {
                $crate::h245::codec::h245_sequence!(@write w v { $( $field : $kind $codec ),* });
                Ok(())
            }
        }
    };
}

/// A CHOICE: `pub enum Name(N) { i => Variant(Codec), .. }` lists the typed root
/// alternatives among `N` (an untyped one present on the wire fails with
/// [`PerErrorKind::NotTyped`]); `pub enum Name(N, ...) { .. } { j => Variant(Codec), .. }`
/// is extensible, its second list the typed extension alternatives (decoded from their open
/// type), any other extension kept as `Unknown { index, contents }`.
macro_rules! h245_choice {
    (
        $(#[$meta:meta])*
        pub enum $name:ident($root:literal) {
            $( $(#[$vmeta:meta])* $idx:literal => $variant:ident($codec:ty) ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
        #[serde(rename_all = "snake_case")]
        #[allow(clippy::large_enum_variant)]
        pub enum $name {
            $( $(#[$vmeta])* $variant(<$codec as $crate::ras::field::Field>::Value), )*
        }

        impl $crate::ras::field::Field for $name {
            type Value = Self;
            const NAME: &'static str = stringify!($name);

            fn decode(r: &mut $crate::per::Reader<'_>) -> Result<Self, $crate::per::PerError> {
                match r.choice($root, false, Self::NAME)? {
                    $( $crate::per::Choice::Root($idx) => Ok(Self::$variant(
                        <$codec as $crate::ras::field::Field>::decode(r)?)), )*
                    _ => Err(r.error($crate::per::PerErrorKind::NotTyped { what: Self::NAME })),
                }
            }

            fn encode(w: &mut $crate::per::Writer, v: &Self) -> Result<(), $crate::per::PerError> {
                match v {
                    $( Self::$variant(x) => {
                        w.choice_root($idx, $root, false, Self::NAME)?;
                        <$codec as $crate::ras::field::Field>::encode(w, x)
                    } )*
                }
            }
        }
    };
    (
        $(#[$meta:meta])*
        pub enum $name:ident($root:literal, ...) {
            $( $(#[$vmeta:meta])* $idx:literal => $variant:ident($codec:ty) ),* $(,)?
        } {
            $( $(#[$xmeta:meta])* $xidx:literal => $xvariant:ident($xcodec:ty) ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
        #[serde(rename_all = "snake_case")]
        #[allow(clippy::large_enum_variant)]
        pub enum $name {
            $( $(#[$vmeta])* $variant(<$codec as $crate::ras::field::Field>::Value), )*
            $( $(#[$xmeta])* $xvariant(<$xcodec as $crate::ras::field::Field>::Value), )*
            /// An extension alternative not typed here (index among the additions, 0 = the
            /// first after the `...`), kept as its open type's octets.
            Unknown { index: usize, contents: Vec<u8> },
        }

        impl $crate::ras::field::Field for $name {
            type Value = Self;
            const NAME: &'static str = stringify!($name);

            fn decode(r: &mut $crate::per::Reader<'_>) -> Result<Self, $crate::per::PerError> {
                match r.choice($root, true, Self::NAME)? {
                    $( $crate::per::Choice::Root($idx) => Ok(Self::$variant(
                        <$codec as $crate::ras::field::Field>::decode(r)?)), )*
                    $crate::per::Choice::Root(_) => {
                        Err(r.error($crate::per::PerErrorKind::NotTyped { what: Self::NAME }))
                    }
                    $crate::per::Choice::Extension(index) => {
                        let contents = r.open_type(Self::NAME)?;
                        #[allow(unused_variables)]
                        let inner = &contents;
                        match index {
                            $( $xidx => Ok(Self::$xvariant(
                                $crate::h245::codec::decode_open::<$xcodec>(r, inner)?)), )*
                            _ => Ok(Self::Unknown { index, contents }),
                        }
                    }
                }
            }

            fn encode(w: &mut $crate::per::Writer, v: &Self) -> Result<(), $crate::per::PerError> {
                match v {
                    $( Self::$variant(x) => {
                        w.choice_root($idx, $root, true, Self::NAME)?;
                        <$codec as $crate::ras::field::Field>::encode(w, x)
                    } )*
                    $( Self::$xvariant(x) => {
                        let contents = $crate::ras::field::encode_whole::<$xcodec>(x)?;
                        w.choice_extension($xidx, &contents, Self::NAME)
                    } )*
                    Self::Unknown { index, contents } => {
                        w.choice_extension(*index, contents, Self::NAME)
                    }
                }
            }
        }
    };
}

/// Typed access to extension additions kept as octets: for each
/// `slot => getter, setter: Codec`, a getter decoding the addition when present and a setter
/// encoding it (or removing it with `None`).
macro_rules! h245_additions {
    ($name:ident { $( $slot:literal => $get:ident, $set:ident : $codec:ty ),* $(,)? }) => {
        impl $name {
            $(
                #[doc = concat!("Extension addition ", stringify!($slot), " (`", stringify!($get),
                    "`), decoded when present.")]
                pub fn $get(
                    &self,
                ) -> Option<Result<<$codec as $crate::ras::field::Field>::Value, $crate::per::PerError>>
                {
                    let contents = self.extensions.addition($slot)?;
                    Some($crate::h245::codec::decode_open::<$codec>(
                        &$crate::per::Reader::new(contents),
                        contents,
                    ))
                }

                #[doc = concat!("Sets or removes extension addition ", stringify!($slot), ".")]
                pub fn $set(
                    &mut self,
                    v: Option<&<$codec as $crate::ras::field::Field>::Value>,
                ) -> Result<(), $crate::per::PerError> {
                    self.extensions.set::<$codec>($slot, v)
                }
            )*
        }
    };
}

pub(crate) use {h245_additions, h245_choice, h245_sequence};
