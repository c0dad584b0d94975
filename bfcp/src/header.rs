//! The common header (RFC 8855 §5.1) and the version rules that hang on it.
//!
//! ```text
//!  0                   1                   2                   3
//! | Ver |R|F| Res |  Primitive    |        Payload Length         |
//! |                         Conference ID                         |
//! |         Transaction ID        |            User ID            |
//! | Fragment Offset (if F is set) | Fragment Length (if F is set) |
//! ```
//!
//! Version 1 is BFCP over reliable transports (RFC 4582 and RFC 8855 alike); version 2 is
//! BFCP over UDP. RFC 8855 says the R and F bits have no significance over a reliable
//! transport, so in a version-1 header the F bit is ignored and no fragment fields are read:
//! a version-1 peer that sets it would otherwise make us misread its first attribute. The R
//! bit is kept as received in both versions (tshark and libre read it the same way).

use serde::Serialize;

use crate::error::{DecodeError, Fault};
use crate::limits::{FRAGMENT_HEADER_LEN, HEADER_LEN};
use crate::primitive::Primitive;
use crate::wire::Reader;

const VERSION_SHIFT: u8 = 5;
const R_BIT: u8 = 0x10;
const F_BIT: u8 = 0x08;

/// Protocol version: 1 over TCP/TLS, 2 over UDP (RFC 8855 §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Version {
    V1 = 1,
    V2 = 2,
}

impl Version {
    pub fn number(self) -> u8 {
        self as u8
    }

    pub fn from_number(n: u8) -> Option<Version> {
        match n {
            1 => Some(Version::V1),
            2 => Some(Version::V2),
            _ => None,
        }
    }
}

/// Fragment position and size, in 4-octet units of the whole message's payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FragmentFields {
    pub offset: u16,
    pub length: u16,
}

/// The header exactly as received, before the primitive is known to exist: what an Error
/// reply needs even when the rest of the message is unusable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CommonHeader {
    pub version: u8,
    pub responder: bool,
    pub primitive: u8,
    /// Payload Length field: the whole message's payload in 4-octet units, common header
    /// excluded (for a fragment too; the fragment's own size is `fragment.length`).
    pub payload_units: u16,
    pub conference_id: u32,
    pub transaction_id: u16,
    pub user_id: u16,
    /// Present only in a version-2 header with the F bit set.
    pub fragment: Option<FragmentFields>,
}

impl CommonHeader {
    /// Reads the header at the start of `buf`. Fails without a header when fewer than twelve
    /// octets arrived, and with one when the version is neither 1 nor 2.
    pub fn decode(buf: &[u8]) -> Result<CommonHeader, DecodeError> {
        let mut r = Reader::new(buf, 0);
        let fixed = (|| {
            let first = r.u8("common header")?;
            let primitive = r.u8("common header")?;
            let payload_units = r.u16("common header")?;
            let conference_id = r.u32("common header")?;
            let transaction_id = r.u16("common header")?;
            let user_id = r.u16("common header")?;
            Ok::<_, Fault>(CommonHeader {
                version: first >> VERSION_SHIFT,
                responder: first & R_BIT != 0,
                primitive,
                payload_units,
                conference_id,
                transaction_id,
                user_id,
                fragment: None,
            })
        })();
        let mut header = fixed.map_err(|fault| DecodeError::new(None, fault))?;
        let first = buf.first().copied().unwrap_or_default();
        match Version::from_number(header.version) {
            None => {
                let fault = Fault::UnsupportedVersion {
                    version: header.version,
                };
                return Err(DecodeError::new(Some(header), fault));
            }
            Some(Version::V2) if first & F_BIT != 0 => {
                let offset = r.u16("fragment fields");
                let length = r.u16("fragment fields");
                match (offset, length) {
                    (Ok(offset), Ok(length)) => {
                        header.fragment = Some(FragmentFields { offset, length });
                    }
                    (Err(fault), _) | (_, Err(fault)) => {
                        return Err(DecodeError::new(Some(header), fault));
                    }
                }
            }
            Some(_) => {}
        }
        Ok(header)
    }

    /// Octets the header occupies: 16 with fragment fields, 12 without.
    pub fn len(&self) -> usize {
        if self.fragment.is_some() {
            FRAGMENT_HEADER_LEN
        } else {
            HEADER_LEN
        }
    }

    /// Always false: a header is never empty. Present because `len` is.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Octets this datagram or stream message should have: the header plus the fragment's
    /// length when F is set, else plus the payload length.
    pub fn wire_len(&self) -> usize {
        let units = match self.fragment {
            Some(f) => f.length,
            None => self.payload_units,
        };
        self.len() + usize::from(units) * 4
    }
}

/// A validated header: known version and primitive. Lengths are not stored; the encoder
/// computes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Header {
    pub version: Version,
    /// R bit: set in responses over UDP so a request and its response are told apart.
    pub responder: bool,
    pub primitive: Primitive,
    pub conference_id: u32,
    pub transaction_id: u16,
    pub user_id: u16,
}

impl Header {
    /// A request header (R bit clear).
    pub fn new(
        version: Version,
        primitive: Primitive,
        conference_id: u32,
        transaction_id: u16,
        user_id: u16,
    ) -> Self {
        Header {
            version,
            responder: false,
            primitive,
            conference_id,
            transaction_id,
            user_id,
        }
    }

    /// Checks what [`CommonHeader::decode`] leaves to the caller: the primitive.
    pub(crate) fn from_common(h: &CommonHeader) -> Result<Header, Fault> {
        let version = Version::from_number(h.version)
            .ok_or(Fault::UnsupportedVersion { version: h.version })?;
        let primitive = Primitive::from_code(h.primitive).ok_or(Fault::UnknownPrimitive {
            primitive: h.primitive,
        })?;
        Ok(Header {
            version,
            responder: h.responder,
            primitive,
            conference_id: h.conference_id,
            transaction_id: h.transaction_id,
            user_id: h.user_id,
        })
    }

    /// Appends the header; reserved bits are written as zero (RFC 8855 §5.1).
    pub(crate) fn write(
        &self,
        out: &mut Vec<u8>,
        payload_units: u16,
        fragment: Option<FragmentFields>,
    ) {
        let mut first = self.version.number() << VERSION_SHIFT;
        if self.responder {
            first |= R_BIT;
        }
        if fragment.is_some() {
            first |= F_BIT;
        }
        out.push(first);
        out.push(self.primitive.code());
        out.extend_from_slice(&payload_units.to_be_bytes());
        out.extend_from_slice(&self.conference_id.to_be_bytes());
        out.extend_from_slice(&self.transaction_id.to_be_bytes());
        out.extend_from_slice(&self.user_id.to_be_bytes());
        if let Some(f) = fragment {
            out.extend_from_slice(&f.offset.to_be_bytes());
            out.extend_from_slice(&f.length.to_be_bytes());
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_field() {
        let bytes = [
            0x30, 0x01, 0x00, 0x01, 0x01, 0x02, 0x03, 0x04, 0xab, 0xcd, 0x00, 0x07,
        ];
        let h = CommonHeader::decode(&bytes).unwrap();
        assert_eq!(h.version, 1);
        assert!(h.responder);
        assert_eq!(h.primitive, 1);
        assert_eq!(h.payload_units, 1);
        assert_eq!(h.conference_id, 0x0102_0304);
        assert_eq!(h.transaction_id, 0xabcd);
        assert_eq!(h.user_id, 7);
        assert_eq!(h.fragment, None);
        assert_eq!(h.wire_len(), 16);
    }

    #[test]
    fn short_buffer_has_no_header() {
        let e = CommonHeader::decode(&[0x20, 0x01, 0, 0, 0, 0, 0, 1, 0, 1, 0]).unwrap_err();
        assert_eq!(e.header, None);
        assert!(matches!(
            e.fault,
            Fault::Truncated {
                needed: 2,
                available: 1,
                offset: 10,
                ..
            }
        ));
    }

    #[test]
    fn bad_version_keeps_the_ids_for_the_error_reply() {
        for first in [0x00u8, 0x60, 0x80, 0xe0] {
            let e = CommonHeader::decode(&[first, 1, 0, 0, 0, 0, 0, 9, 0, 5, 0, 6]).unwrap_err();
            assert_eq!(
                e.fault,
                Fault::UnsupportedVersion {
                    version: first >> 5
                }
            );
            let h = e.header.unwrap();
            assert_eq!((h.conference_id, h.transaction_id, h.user_id), (9, 5, 6));
        }
    }

    #[test]
    fn f_bit_reads_fragment_fields_only_in_version_2() {
        let v2 = [0x48, 4, 0, 9, 0, 0, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5];
        let h = CommonHeader::decode(&v2).unwrap();
        assert_eq!(
            h.fragment,
            Some(FragmentFields {
                offset: 4,
                length: 5
            })
        );
        assert_eq!(h.len(), 16);
        assert_eq!(h.wire_len(), 36);
        let v1 = [0x28, 4, 0, 9, 0, 0, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5];
        assert_eq!(CommonHeader::decode(&v1).unwrap().fragment, None);
        let cut = CommonHeader::decode(&v2[..14]).unwrap_err();
        assert!(matches!(cut.fault, Fault::Truncated { offset: 14, .. }));
        assert!(cut.header.is_some());
    }

    #[test]
    fn writes_reserved_bits_as_zero() {
        let mut h = Header::new(Version::V2, Primitive::Hello, 1, 2, 3);
        h.responder = true;
        let mut out = Vec::new();
        h.write(
            &mut out,
            0,
            Some(FragmentFields {
                offset: 1,
                length: 2,
            }),
        );
        assert_eq!(out, [0x58, 11, 0, 0, 0, 0, 0, 1, 0, 2, 0, 3, 0, 1, 0, 2]);
    }
}
