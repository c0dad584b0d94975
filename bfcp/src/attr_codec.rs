//! Attributes on the wire: decoding with every length checked, encoding as its exact inverse.

use crate::attribute::{
    Attribute, AttributeType, ErrorCode, ErrorCodeValue, Group, Priority, RequestStatus,
    RequestStatusValue, Value,
};
use crate::error::{EncodeError, Fault};
use crate::grammar::allowed_in_group;
use crate::limits::{MAX_ATTRIBUTES, MAX_ATTRIBUTE_LEN, MAX_NESTING_DEPTH};
use crate::wire::{padding, Reader};

const ATTR_HEADER_LEN: usize = 2;
const FIXED_LEN: usize = 4;
const GROUP_HEADER_LEN: usize = 4;
const ERROR_CODE_MIN_LEN: usize = 3;
const PRIO_SHIFT: u32 = 13;
const PRIO_MAX: u8 = 7;
const TYPE_MAX: u8 = 0x7f;

/// What the whole decode of one message accumulates across nesting levels.
#[derive(Default)]
pub(crate) struct DecodeState {
    count: usize,
    /// Unknown types that had the M bit, each once, in order of first appearance.
    pub(crate) unknown_mandatory: Vec<u8>,
}

/// Decodes the attributes filling `r` (a payload, or a group's contents).
pub(crate) fn decode_list(
    r: &mut Reader<'_>,
    parent: Option<AttributeType>,
    depth: usize,
    st: &mut DecodeState,
) -> Result<Vec<Attribute>, Fault> {
    let mut out = Vec::new();
    while r.remaining() > 0 {
        out.push(decode_one(r, parent, depth, st)?);
    }
    Ok(out)
}

fn decode_one(
    r: &mut Reader<'_>,
    parent: Option<AttributeType>,
    depth: usize,
    st: &mut DecodeState,
) -> Result<Attribute, Fault> {
    let start = r.offset();
    if depth > MAX_NESTING_DEPTH {
        return Err(Fault::TooDeep {
            offset: start,
            limit: MAX_NESTING_DEPTH,
        });
    }
    st.count += 1;
    if st.count > MAX_ATTRIBUTES {
        return Err(Fault::TooManyAttributes {
            limit: MAX_ATTRIBUTES,
            offset: start,
        });
    }
    let first = r.u8("attribute header")?;
    let len = usize::from(r.u8("attribute header")?);
    let code = first >> 1;
    let mandatory = first & 1 != 0;
    if len < ATTR_HEADER_LEN {
        return Err(Fault::AttributeTooShort {
            attr_type: code,
            offset: start,
            length: len,
            min: ATTR_HEADER_LEN,
        });
    }
    let available = r.remaining() + ATTR_HEADER_LEN;
    let body = r
        .take(len - ATTR_HEADER_LEN, "attribute")
        .map_err(|_| Fault::AttributeOverrun {
            attr_type: code,
            offset: start,
            length: len,
            available,
        })?;
    // Padding after the last attribute of a group may lie beyond the group's Length (senders
    // differ on whether a group counts its last member's padding); the group's own padding
    // then covers it, so running out here is not an error.
    r.skip_up_to(padding(len));
    let mut body = Reader::new(body, start + ATTR_HEADER_LEN);
    let value = match AttributeType::from_code(code) {
        None => {
            if mandatory && !st.unknown_mandatory.contains(&code) {
                st.unknown_mandatory.push(code);
            }
            Value::Unknown {
                attr_type: code,
                contents: body.take(len - ATTR_HEADER_LEN, "attribute")?.to_vec(),
            }
        }
        Some(ty) => {
            if let Some(parent) = parent {
                if !allowed_in_group(parent, ty) {
                    return Err(Fault::NotAllowedInGroup {
                        parent,
                        child: ty,
                        offset: start,
                    });
                }
            }
            decode_value(ty, &mut body, start, len, depth, st)?
        }
    };
    Ok(Attribute { mandatory, value })
}

fn decode_value(
    ty: AttributeType,
    body: &mut Reader<'_>,
    start: usize,
    len: usize,
    depth: usize,
    st: &mut DecodeState,
) -> Result<Value, Fault> {
    let code = ty.code();
    let exactly = |expected: usize| {
        if len == expected {
            Ok(())
        } else {
            Err(Fault::WrongAttributeLength {
                attr_type: code,
                offset: start,
                length: len,
                expected,
            })
        }
    };
    let at_least = |min: usize| {
        if len >= min {
            Ok(())
        } else {
            Err(Fault::AttributeTooShort {
                attr_type: code,
                offset: start,
                length: len,
                min,
            })
        }
    };
    let text = |body: &mut Reader<'_>| {
        let bytes = body.take(body.remaining(), "text")?;
        String::from_utf8(bytes.to_vec()).map_err(|_| Fault::InvalidUtf8 {
            attr_type: code,
            offset: start,
        })
    };
    Ok(match ty {
        AttributeType::BeneficiaryId => {
            exactly(FIXED_LEN)?;
            Value::BeneficiaryId(body.u16("BENEFICIARY-ID")?)
        }
        AttributeType::FloorId => {
            exactly(FIXED_LEN)?;
            Value::FloorId(body.u16("FLOOR-ID")?)
        }
        AttributeType::FloorRequestId => {
            exactly(FIXED_LEN)?;
            Value::FloorRequestId(body.u16("FLOOR-REQUEST-ID")?)
        }
        AttributeType::Priority => {
            exactly(FIXED_LEN)?;
            let word = body.u16("PRIORITY")?;
            // The low 13 bits are reserved: ignored on receipt.
            Value::Priority(Priority(
                u8::try_from(word >> PRIO_SHIFT).unwrap_or_default(),
            ))
        }
        AttributeType::RequestStatus => {
            exactly(FIXED_LEN)?;
            let offset = body.offset();
            let value = body.u8("REQUEST-STATUS")?;
            let status = RequestStatusValue::from_code(value)
                .ok_or(Fault::UnknownRequestStatus { value, offset })?;
            let queue_position = body.u8("REQUEST-STATUS")?;
            Value::RequestStatus(RequestStatus {
                status,
                queue_position,
            })
        }
        AttributeType::ErrorCode => {
            at_least(ERROR_CODE_MIN_LEN)?;
            let code = ErrorCodeValue::from_code(body.u8("ERROR-CODE")?);
            let details = body.take(body.remaining(), "ERROR-CODE")?.to_vec();
            Value::ErrorCode(ErrorCode { code, details })
        }
        AttributeType::ErrorInfo => Value::ErrorInfo(text(body)?),
        AttributeType::ParticipantProvidedInfo => Value::ParticipantProvidedInfo(text(body)?),
        AttributeType::StatusInfo => Value::StatusInfo(text(body)?),
        AttributeType::UserDisplayName => Value::UserDisplayName(text(body)?),
        AttributeType::UserUri => Value::UserUri(text(body)?),
        AttributeType::SupportedAttributes => {
            let list = body.take(body.remaining(), "SUPPORTED-ATTRIBUTES")?;
            // Each octet is a 7-bit type and a reserved bit.
            Value::SupportedAttributes(list.iter().map(|b| b >> 1).collect())
        }
        AttributeType::SupportedPrimitives => {
            let list = body.take(body.remaining(), "SUPPORTED-PRIMITIVES")?;
            Value::SupportedPrimitives(list.to_vec())
        }
        AttributeType::BeneficiaryInformation
        | AttributeType::FloorRequestInformation
        | AttributeType::RequestedByInformation
        | AttributeType::FloorRequestStatus
        | AttributeType::OverallRequestStatus => {
            at_least(GROUP_HEADER_LEN)?;
            let id = body.u16(ty.name())?;
            let attributes = decode_list(body, Some(ty), depth + 1, st)?;
            let group = Group { id, attributes };
            match ty {
                AttributeType::BeneficiaryInformation => Value::BeneficiaryInformation(group),
                AttributeType::FloorRequestInformation => Value::FloorRequestInformation(group),
                AttributeType::RequestedByInformation => Value::RequestedByInformation(group),
                AttributeType::FloorRequestStatus => Value::FloorRequestStatus(group),
                _ => Value::OverallRequestStatus(group),
            }
        }
    })
}

/// Appends `attributes`, each padded to a 32-bit boundary with zeros.
pub(crate) fn encode_list(
    attributes: &[Attribute],
    out: &mut Vec<u8>,
    depth: usize,
    count: &mut usize,
) -> Result<(), EncodeError> {
    for a in attributes {
        encode_one(a, out, depth, count)?;
    }
    Ok(())
}

fn encode_one(
    a: &Attribute,
    out: &mut Vec<u8>,
    depth: usize,
    count: &mut usize,
) -> Result<(), EncodeError> {
    if depth > MAX_NESTING_DEPTH {
        return Err(EncodeError::TooDeep {
            limit: MAX_NESTING_DEPTH,
        });
    }
    *count += 1;
    if *count > MAX_ATTRIBUTES {
        return Err(EncodeError::TooManyAttributes {
            limit: MAX_ATTRIBUTES,
        });
    }
    let code = a.value.type_code();
    if let Value::Unknown { attr_type, .. } = &a.value {
        if AttributeType::from_code(*attr_type).is_some() {
            return Err(EncodeError::UnknownTypeIsKnown {
                attr_type: *attr_type,
            });
        }
    }
    if code > TYPE_MAX {
        return Err(EncodeError::ValueOutOfRange {
            what: "attribute type",
            value: u32::from(code),
        });
    }
    let start = out.len();
    out.push(code << 1 | u8::from(a.mandatory));
    out.push(0); // Length, filled in below.
    match &a.value {
        Value::BeneficiaryId(v) | Value::FloorId(v) | Value::FloorRequestId(v) => {
            out.extend_from_slice(&v.to_be_bytes());
        }
        Value::Priority(p) => {
            if p.0 > PRIO_MAX {
                return Err(EncodeError::ValueOutOfRange {
                    what: "PRIORITY",
                    value: u32::from(p.0),
                });
            }
            out.extend_from_slice(&(u16::from(p.0) << PRIO_SHIFT).to_be_bytes());
        }
        Value::RequestStatus(s) => {
            out.push(s.status.code());
            out.push(s.queue_position);
        }
        Value::ErrorCode(e) => {
            out.push(e.code.code());
            out.extend_from_slice(&e.details);
        }
        Value::ErrorInfo(t)
        | Value::ParticipantProvidedInfo(t)
        | Value::StatusInfo(t)
        | Value::UserDisplayName(t)
        | Value::UserUri(t) => out.extend_from_slice(t.as_bytes()),
        Value::SupportedAttributes(types) => {
            for t in types {
                if *t > TYPE_MAX {
                    return Err(EncodeError::ValueOutOfRange {
                        what: "SUPPORTED-ATTRIBUTES entry",
                        value: u32::from(*t),
                    });
                }
                out.push(t << 1);
            }
        }
        Value::SupportedPrimitives(p) => out.extend_from_slice(p),
        Value::BeneficiaryInformation(g)
        | Value::FloorRequestInformation(g)
        | Value::RequestedByInformation(g)
        | Value::FloorRequestStatus(g)
        | Value::OverallRequestStatus(g) => {
            out.extend_from_slice(&g.id.to_be_bytes());
            encode_list(&g.attributes, out, depth + 1, count)?;
        }
        Value::Unknown { contents, .. } => out.extend_from_slice(contents),
    }
    let len = out.len() - start;
    let len_octet = u8::try_from(len)
        .ok()
        .filter(|_| len <= MAX_ATTRIBUTE_LEN)
        .ok_or_else(|| EncodeError::AttributeTooLong {
            what: a
                .value
                .attribute_type()
                .map_or_else(|| format!("attribute type {code}"), |t| t.to_string()),
            length: len,
        })?;
    if let Some(slot) = out.get_mut(start + 1) {
        *slot = len_octet;
    }
    out.resize(out.len() + padding(len), 0);
    Ok(())
}
