//! Whole messages and version-2 fragments: decode, encode, grammar validation.

use serde::Serialize;

use crate::attr_codec::{decode_list, encode_list, DecodeState};
use crate::attribute::{find, Attribute, AttributeType, Value};
use crate::error::{Context, DecodeError, EncodeError, Fault, GrammarError};
use crate::grammar::{check, message_rules};
use crate::header::{CommonHeader, FragmentFields, Header, Version};
use crate::limits::{FRAGMENT_HEADER_LEN, HEADER_LEN, MAX_MESSAGE_LEN};
use crate::wire::Reader;

/// A BFCP message: header and attributes in wire order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub header: Header,
    pub attributes: Vec<Attribute>,
}

impl Message {
    pub fn new(header: Header, attributes: Vec<Attribute>) -> Self {
        Message { header, attributes }
    }

    /// Decodes one whole message: a UDP datagram, or one message cut from a TCP/TLS stream
    /// at [`CommonHeader::wire_len`]. The buffer must be exactly as long as the header says.
    ///
    /// Attributes are not checked against the primitive's grammar here; call
    /// [`Message::validate`]. Unknown attributes with the M bit make the whole decode fail
    /// with [`Fault::UnknownMandatoryAttributes`] (after every attribute was read, so the
    /// list is complete); unknown ones without it are kept as [`Value::Unknown`].
    pub fn decode(buf: &[u8]) -> Result<Message, DecodeError> {
        let common = CommonHeader::decode(buf)?;
        let fail = |fault| DecodeError::new(Some(common), fault);
        if common.fragment.is_some() {
            return Err(fail(Fault::Fragmented));
        }
        let declared = common.wire_len();
        if declared != buf.len() {
            return Err(fail(Fault::LengthMismatch {
                declared,
                actual: buf.len(),
            }));
        }
        if declared > MAX_MESSAGE_LEN {
            return Err(fail(Fault::TooLarge {
                size: declared,
                limit: MAX_MESSAGE_LEN,
            }));
        }
        let header = Header::from_common(&common).map_err(fail)?;
        let payload = buf.get(HEADER_LEN..).unwrap_or_default();
        let attributes = decode_attributes(payload).map_err(fail)?;
        Ok(Message { header, attributes })
    }

    /// Decodes the attributes of a message whose payload arrived in fragments and was put
    /// back together; `header` comes from the fragments.
    pub fn decode_payload(header: Header, payload: &[u8]) -> Result<Message, Fault> {
        let size = HEADER_LEN + payload.len();
        if size > MAX_MESSAGE_LEN {
            return Err(Fault::TooLarge {
                size,
                limit: MAX_MESSAGE_LEN,
            });
        }
        let attributes = decode_attributes(payload)?;
        Ok(Message { header, attributes })
    }

    /// The wire form. Fails only on values that cannot be represented (over-long attributes,
    /// out-of-range fields) or that exceed the named limits; grammar is not checked.
    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        let payload = self.encode_payload()?;
        let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
        self.header.write(&mut out, units(payload.len())?, None);
        out.extend_from_slice(&payload);
        Ok(out)
    }

    /// The attributes as they follow the common header: what fragmentation splits.
    pub fn encode_payload(&self) -> Result<Vec<u8>, EncodeError> {
        let mut payload = Vec::new();
        let mut count = 0;
        encode_list(&self.attributes, &mut payload, 1, &mut count)?;
        let size = HEADER_LEN + payload.len();
        if size > MAX_MESSAGE_LEN {
            return Err(EncodeError::MessageTooLarge {
                size,
                limit: MAX_MESSAGE_LEN,
            });
        }
        Ok(payload)
    }

    /// Checks the attributes against the primitive's RFC 8855 §5.3 grammar and every grouped
    /// attribute against its own, e.g. that a FloorRequest names at least one floor.
    pub fn validate(&self) -> Result<(), GrammarError> {
        let p = self.header.primitive;
        check(Context::Message(p), message_rules(p), &self.attributes)
    }

    /// Top-level attributes of one type, in order.
    pub fn find(&self, ty: AttributeType) -> impl Iterator<Item = &Value> {
        find(&self.attributes, ty)
    }
}

fn decode_attributes(payload: &[u8]) -> Result<Vec<Attribute>, Fault> {
    let mut st = DecodeState::default();
    let attributes = decode_list(&mut Reader::new(payload, HEADER_LEN), None, 1, &mut st)?;
    if !st.unknown_mandatory.is_empty() {
        return Err(Fault::UnknownMandatoryAttributes {
            types: st.unknown_mandatory,
        });
    }
    Ok(attributes)
}

fn units(len: usize) -> Result<u16, EncodeError> {
    u16::try_from(len / 4).map_err(|_| EncodeError::MessageTooLarge {
        size: len,
        limit: MAX_MESSAGE_LEN,
    })
}

/// One piece of a version-2 message too large for a datagram (RFC 8855 §6.2.3). Reassembly
/// and its limits belong to the UDP transport; this is only the wire form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fragment {
    pub header: Header,
    /// The whole message's payload length in 4-octet units (the header's Payload Length).
    pub payload_units: u16,
    /// Where `data` starts in the whole payload, in 4-octet units.
    pub offset: u16,
    /// A whole number of 4-octet units of the payload.
    pub data: Vec<u8>,
}

impl Fragment {
    /// Decodes a datagram whose header has the F bit set.
    pub fn decode(buf: &[u8]) -> Result<Fragment, DecodeError> {
        let common = CommonHeader::decode(buf)?;
        let fail = |fault| DecodeError::new(Some(common), fault);
        let Some(FragmentFields { offset, length }) = common.fragment else {
            return Err(fail(Fault::Truncated {
                what: "fragment fields (F bit clear)",
                offset: HEADER_LEN,
                needed: FRAGMENT_HEADER_LEN - HEADER_LEN,
                available: 0,
            }));
        };
        let declared = common.wire_len();
        if declared != buf.len() {
            return Err(fail(Fault::LengthMismatch {
                declared,
                actual: buf.len(),
            }));
        }
        let total = HEADER_LEN + usize::from(common.payload_units) * 4;
        if total > MAX_MESSAGE_LEN {
            return Err(fail(Fault::TooLarge {
                size: total,
                limit: MAX_MESSAGE_LEN,
            }));
        }
        if u32::from(offset) + u32::from(length) > u32::from(common.payload_units) || length == 0 {
            return Err(fail(Fault::FragmentOutOfRange {
                offset,
                length,
                total: common.payload_units,
            }));
        }
        let header = Header::from_common(&common).map_err(fail)?;
        Ok(Fragment {
            header,
            payload_units: common.payload_units,
            offset,
            data: buf.get(FRAGMENT_HEADER_LEN..).unwrap_or_default().to_vec(),
        })
    }

    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        if self.header.version == Version::V1 {
            return Err(EncodeError::FragmentInVersion1);
        }
        if self.data.len() % 4 != 0 {
            return Err(EncodeError::UnalignedFragment {
                len: self.data.len(),
            });
        }
        let length = units(self.data.len())?;
        let mut out = Vec::with_capacity(FRAGMENT_HEADER_LEN + self.data.len());
        let fields = FragmentFields {
            offset: self.offset,
            length,
        };
        self.header
            .write(&mut out, self.payload_units, Some(fields));
        out.extend_from_slice(&self.data);
        Ok(out)
    }
}
