//! How one component of a RAS SEQUENCE is read and written, and the `ras_sequence!` and
//! `ras_additions!` macros that build the messages from a list of components.
//!
//! The RAS messages are long SEQUENCEs of a few recurring types (sequence numbers,
//! identifiers, address lists). Writing each one's decoder and encoder by hand repeats the
//! same preamble, optional-bit and extension logic two dozen times; describing each message as
//! its ASN.1 component list instead keeps the code as close to H.225.0 as possible and the
//! encoder the exact mirror of the decoder.

use std::marker::PhantomData;

use super::common::{decode_list, encode_list};
use crate::per::{ObjectIdentifier, PerError, PerErrorKind, Reader, Writer};

/// A codec for one ASN.1 type: the value it produces, and how it is read and written.
pub trait Field {
    type Value;
    /// The ASN.1 name, for error messages.
    const NAME: &'static str;
    fn decode(r: &mut Reader<'_>) -> Result<Self::Value, PerError>;
    fn encode(w: &mut Writer, v: &Self::Value) -> Result<(), PerError>;
}

/// Decodes a complete encoding (an open type's contents): octets left over are an error,
/// so a value that decodes also re-encodes to what was received.
pub(crate) fn decode_whole<F: Field>(
    r: &Reader<'_>,
    contents: &[u8],
) -> Result<F::Value, PerError> {
    let mut inner = r.nested(contents)?;
    let v = F::decode(&mut inner)?;
    // A value of no bits (NULL, an empty SEQUENCE) is written as one zero octet (X.691
    // §10.1.3): that octet is the whole encoding, not a trailing one.
    let empty = inner.bit_offset() == 0;
    if (empty && contents != [0]) || (!empty && inner.remaining() >= 8) {
        return Err(inner.error(PerErrorKind::BadLength {
            what: "open type (octets after the value)",
        }));
    }
    Ok(v)
}

/// A complete encoding of one value, for an open type.
pub(crate) fn encode_whole<F: Field>(v: &F::Value) -> Result<Vec<u8>, PerError> {
    let mut w = Writer::new();
    F::encode(&mut w, v)?;
    Ok(w.finish())
}

/// `SEQUENCE OF T` without a size constraint, bounded by [`super::MAX_SEQUENCE_OF`].
pub struct SeqOf<T>(PhantomData<T>);

impl<T: Field> Field for SeqOf<T> {
    type Value = Vec<T::Value>;
    const NAME: &'static str = T::NAME;
    fn decode(r: &mut Reader<'_>) -> Result<Self::Value, PerError> {
        decode_list(r, T::NAME, T::decode)
    }
    fn encode(w: &mut Writer, v: &Self::Value) -> Result<(), PerError> {
        encode_list(w, v, T::NAME, T::encode)
    }
}

/// Defines a unit codec for a constrained INTEGER.
macro_rules! integer_field {
    ($(#[$m:meta])* $name:ident, $ty:ty, $lb:expr, $ub:expr, $what:literal) => {
        $(#[$m])*
        pub struct $name;
        impl Field for $name {
            type Value = $ty;
            const NAME: &'static str = $what;
            fn decode(r: &mut Reader<'_>) -> Result<$ty, PerError> {
                // The bounds make the conversion lossless.
                Ok(r.constrained($lb, $ub, $what)? as $ty)
            }
            fn encode(w: &mut Writer, v: &$ty) -> Result<(), PerError> {
                w.constrained(i64::from(*v), $lb, $ub, $what)
            }
        }
    };
}

integer_field!(
    /// RequestSeqNum: INTEGER (1..65535).
    SeqNum, u16, 1, 65_535, "requestSeqNum"
);
integer_field!(
    /// INTEGER (1..65535): irrFrequency, RIP delay.
    U16NonZero, u16, 1, 65_535, "INTEGER (1..65535)"
);
integer_field!(
    /// CallReferenceValue: INTEGER (0..65535).
    CallRef, u16, 0, 65_535, "callReferenceValue"
);
integer_field!(
    /// BandWidth: INTEGER (0..4294967295), in units of 100 bit/s.
    BandWidth, u32, 0, 4_294_967_295, "bandWidth"
);
integer_field!(
    /// TimeToLive: INTEGER (1..4294967295) seconds.
    TimeToLive, u32, 1, 4_294_967_295, "timeToLive"
);
integer_field!(
    /// An alternate gatekeeper's or endpoint's priority: INTEGER (0..127).
    Priority, u8, 0, 127, "priority"
);

integer_field!(
    /// INTEGER (1..255): LRQ hopCount, RTP session ids.
    U8NonZero, u8, 1, 255, "INTEGER (1..255)"
);
integer_field!(
    /// RTPSession ssrc: INTEGER (1..4294967295).
    Ssrc, u32, 1, 4_294_967_295, "ssrc"
);

/// BOOLEAN: one bit.
pub struct Bool;

impl Field for Bool {
    type Value = bool;
    const NAME: &'static str = "BOOLEAN";
    fn decode(r: &mut Reader<'_>) -> Result<bool, PerError> {
        r.bit("BOOLEAN")
    }
    fn encode(w: &mut Writer, v: &bool) -> Result<(), PerError> {
        w.bit(*v);
        Ok(())
    }
}

/// NULL: nothing on the wire (an OPTIONAL NULL is its presence bit).
pub struct Null;

impl Field for Null {
    type Value = ();
    const NAME: &'static str = "NULL";
    fn decode(_: &mut Reader<'_>) -> Result<(), PerError> {
        Ok(())
    }
    fn encode(_: &mut Writer, _: &()) -> Result<(), PerError> {
        Ok(())
    }
}

/// OBJECT IDENTIFIER (ProtocolIdentifier, algorithm OIDs).
pub struct Oid;

impl Field for Oid {
    type Value = ObjectIdentifier;
    const NAME: &'static str = "OBJECT IDENTIFIER";
    fn decode(r: &mut Reader<'_>) -> Result<ObjectIdentifier, PerError> {
        r.object_identifier("OBJECT IDENTIFIER")
    }
    fn encode(w: &mut Writer, v: &ObjectIdentifier) -> Result<(), PerError> {
        w.object_identifier(v, "OBJECT IDENTIFIER")
    }
}

/// GatekeeperIdentifier and EndpointIdentifier: BMPString (SIZE(1..128)).
pub struct Identifier;

impl Field for Identifier {
    type Value = String;
    const NAME: &'static str = "GatekeeperIdentifier/EndpointIdentifier";
    fn decode(r: &mut Reader<'_>) -> Result<String, PerError> {
        r.bmp_string(1, 128, Self::NAME)
    }
    fn encode(w: &mut Writer, v: &String) -> Result<(), PerError> {
        w.bmp_string(v, 1, 128, Self::NAME)
    }
}

/// GloballyUniqueID (ConferenceIdentifier): OCTET STRING (SIZE(16)).
pub struct Guid;

impl Field for Guid {
    type Value = [u8; 16];
    const NAME: &'static str = "GloballyUniqueID";
    fn decode(r: &mut Reader<'_>) -> Result<[u8; 16], PerError> {
        r.fixed_octets::<16>(Self::NAME)
    }
    fn encode(w: &mut Writer, v: &[u8; 16]) -> Result<(), PerError> {
        w.octet_string(v, 16, Some(16), Self::NAME)
    }
}

/// OCTET STRING without a size constraint (XRS messageNotUnderstood).
pub struct Octets;

impl Field for Octets {
    type Value = Vec<u8>;
    const NAME: &'static str = "OCTET STRING";
    fn decode(r: &mut Reader<'_>) -> Result<Vec<u8>, PerError> {
        r.octet_string(0, None, Self::NAME)
    }
    fn encode(w: &mut Writer, v: &Vec<u8>) -> Result<(), PerError> {
        w.octet_string(v, 0, None, Self::NAME)
    }
}

/// A SEQUENCE with an extension marker, from its root components in ASN.1 order: each is
/// `name: req Codec` or `name: opt Codec`. The struct gets one field per component (an
/// `Option` for OPTIONAL ones) and `extensions`, the additions as received; it implements
/// [`Field`] with itself as the value. Every RAS and H.225.0 SEQUENCE has the marker, so this
/// is the extensible form of the one sequence macro (`h245_sequence!`, which also covers
/// sequences without a marker).
macro_rules! ras_sequence {
    (
        $(#[$meta:meta])*
        pub struct $name:ident { $($body:tt)* }
    ) => {
        $crate::h245::codec::h245_sequence! {
            $(#[$meta])*
            pub struct $name ext { $($body)* }
        }
    };
}

/// Typed access to extension additions that stay octets in the value: for each
/// `slot => getter, setter: Codec`, a getter decoding the addition when present and a
/// setter encoding it (or removing it with `None`). Keeping the octets as the truth means a
/// received message re-encodes exactly, whatever its sender's version.
macro_rules! ras_additions {
    ($name:ident { $( $slot:literal => $get:ident, $set:ident : $codec:ty ),* $(,)? }) => {
        impl $name {
            $(
                #[doc = concat!("Extension addition ", stringify!($slot), " (`", stringify!($get),
                    "`), decoded when present.")]
                pub fn $get(
                    &self,
                ) -> Option<Result<<$codec as $crate::ras::field::Field>::Value, $crate::per::PerError>>
                {
                    self.extensions.get::<$codec>($slot)
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

pub(crate) use {ras_additions, ras_sequence};
