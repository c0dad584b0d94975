//! Q.931 messages as H.225.0 profiles them for H.323 call signalling: protocol discriminator
//! 0x08, a call reference, the message type and a list of information elements (one of them
//! the user-user element carrying the H.225.0 `H323-UserInformation`).
//!
//! Decoding keeps everything needed to write the same octets again: element order, single-
//! octet elements, unknown elements and typed ones whose contents we could not model.

mod elements;
mod error;
mod ie;

use serde::Serialize;

pub use elements::{
    BearerCapability, Cause, PartyNumber, Presentation, ProgressIndicator, UserUser,
    RATE_MULTIRATE, UU_PROTOCOL_X208,
};
pub use error::{DecodeError, EncodeError};
pub use ie::{id, InformationElement};

use crate::limits::{MAX_CALL_REFERENCE_LEN, MAX_Q931_LEN};

/// The Q.931 protocol discriminator (Q.931 §4.2).
pub const PROTOCOL_DISCRIMINATOR: u8 = 0x08;

/// The call reference (Q.931 §4.3): its length in octets (2 on H.323), the value without the
/// flag, and the flag (set in messages sent by the side that did not allocate the value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CallReference {
    pub length: u8,
    pub value: u16,
    pub from_destination: bool,
}

impl CallReference {
    /// A two-octet call reference as H.225.0 uses; `value` must be below 0x8000.
    pub fn new(value: u16, from_destination: bool) -> Self {
        Self {
            length: 2,
            value,
            from_destination,
        }
    }

    fn decode(msg: &[u8]) -> Result<(Self, usize), DecodeError> {
        let &len_octet = msg.get(1).ok_or(DecodeError::Truncated {
            what: "call reference length",
            offset: 1,
            needed: 1,
            available: 0,
        })?;
        let length = usize::from(len_octet);
        if length > MAX_CALL_REFERENCE_LEN {
            return Err(DecodeError::CallReferenceLength {
                found: len_octet,
                limit: MAX_CALL_REFERENCE_LEN,
            });
        }
        let crv = msg.get(2..2 + length).ok_or(DecodeError::Truncated {
            what: "call reference value",
            offset: 2,
            needed: length,
            available: msg.len().saturating_sub(2),
        })?;
        let raw = crv.iter().fold(0u32, |acc, &b| acc << 8 | u32::from(b));
        let flag_bit = match length {
            0 => 0,
            n => 1u32 << (8 * n - 1),
        };
        let reference = Self {
            length: len_octet,
            value: u16::try_from(raw & !flag_bit).unwrap_or_default(),
            from_destination: raw & flag_bit != 0,
        };
        Ok((reference, 2 + length))
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let length = usize::from(self.length);
        if length > MAX_CALL_REFERENCE_LEN {
            return Err(EncodeError::FieldRange {
                what: "call reference length",
                value: u32::from(self.length),
                bits: 2,
            });
        }
        let bits = (8 * length).saturating_sub(1) as u32;
        if u32::from(self.value) >> bits != 0 || (length == 0 && self.from_destination) {
            return Err(EncodeError::FieldRange {
                what: "call reference value",
                value: u32::from(self.value),
                bits,
            });
        }
        let flag = if self.from_destination {
            1u32 << bits
        } else {
            0
        };
        let raw = (u32::from(self.value) | flag).to_be_bytes();
        out.push(self.length);
        out.extend_from_slice(raw.get(4 - length..).unwrap_or_default());
        Ok(())
    }
}

/// Q.931 message types used by H.225.0 (Q.931 §4.4, H.225.0 §7.3), and any other octet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageType {
    Alerting,
    CallProceeding,
    Progress,
    Setup,
    Connect,
    ReleaseComplete,
    Facility,
    Notify,
    StatusEnquiry,
    Information,
    Status,
    Other(u8),
}

impl MessageType {
    /// Every type H.225.0 uses, in code order.
    pub const ALL: [MessageType; 11] = [
        Self::Alerting,
        Self::CallProceeding,
        Self::Progress,
        Self::Setup,
        Self::Connect,
        Self::ReleaseComplete,
        Self::Facility,
        Self::Notify,
        Self::StatusEnquiry,
        Self::Information,
        Self::Status,
    ];

    pub fn code(self) -> u8 {
        match self {
            Self::Alerting => 0x01,
            Self::CallProceeding => 0x02,
            Self::Progress => 0x03,
            Self::Setup => 0x05,
            Self::Connect => 0x07,
            Self::ReleaseComplete => 0x5a,
            Self::Facility => 0x62,
            Self::Notify => 0x6e,
            Self::StatusEnquiry => 0x75,
            Self::Information => 0x7b,
            Self::Status => 0x7d,
            Self::Other(code) => code,
        }
    }

    pub fn from_code(code: u8) -> Self {
        Self::ALL
            .into_iter()
            .find(|t| t.code() == code)
            .unwrap_or(Self::Other(code))
    }
}

/// One Q.931 message: the payload of one TPKT packet on an H.225.0 call signalling channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub call_reference: CallReference,
    pub message_type: MessageType,
    pub elements: Vec<InformationElement>,
}

impl Message {
    pub fn new(call_reference: CallReference, message_type: MessageType) -> Self {
        Self {
            call_reference,
            message_type,
            elements: Vec::new(),
        }
    }

    /// Adds an element at the end (elements go in ascending identifier order in Q.931,
    /// which the caller keeps; the decoder accepts any order).
    pub fn with(mut self, element: InformationElement) -> Self {
        self.elements.push(element);
        self
    }

    /// Decodes a whole message (a TPKT payload).
    pub fn decode(msg: &[u8]) -> Result<Self, DecodeError> {
        if msg.len() > MAX_Q931_LEN {
            return Err(DecodeError::TooLong {
                length: msg.len(),
                limit: MAX_Q931_LEN,
            });
        }
        let &pd = msg.first().ok_or(DecodeError::Truncated {
            what: "protocol discriminator",
            offset: 0,
            needed: 1,
            available: 0,
        })?;
        if pd != PROTOCOL_DISCRIMINATOR {
            return Err(DecodeError::ProtocolDiscriminator { found: pd });
        }
        let (call_reference, at) = CallReference::decode(msg)?;
        if call_reference.length == 0 && call_reference.from_destination {
            return Err(DecodeError::CallReferenceFlag);
        }
        let &mt = msg.get(at).ok_or(DecodeError::Truncated {
            what: "message type",
            offset: at,
            needed: 1,
            available: 0,
        })?;
        if mt & 0x80 != 0 {
            return Err(DecodeError::MessageTypeExtension {
                found: mt,
                offset: at,
            });
        }
        Ok(Self {
            call_reference,
            message_type: MessageType::from_code(mt),
            elements: ie::decode_all(msg, at + 1)?,
        })
    }

    /// Appends the message's octets to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let start = out.len();
        out.push(PROTOCOL_DISCRIMINATOR);
        self.call_reference.encode(out)?;
        let mt = self.message_type.code();
        if mt & 0x80 != 0 {
            return Err(EncodeError::FieldRange {
                what: "message type",
                value: u32::from(mt),
                bits: 7,
            });
        }
        out.push(mt);
        ie::encode_all(&self.elements, out)?;
        let length = out.len() - start;
        if length > MAX_Q931_LEN {
            return Err(EncodeError::TooLong {
                length,
                limit: MAX_Q931_LEN,
            });
        }
        Ok(())
    }

    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::new();
        self.encode_into(&mut out)?;
        Ok(out)
    }

    /// The first codeset-0 user-user element (H.225.0 allows one).
    pub fn user_user(&self) -> Option<&UserUser> {
        self.elements.iter().find_map(|e| match e {
            InformationElement::UserUser(u) => Some(u),
            _ => None,
        })
    }

    /// The first cause element.
    pub fn cause(&self) -> Option<&Cause> {
        self.elements.iter().find_map(|e| match e {
            InformationElement::Cause(c) => Some(c),
            _ => None,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    /// A Release Complete as chan_ooh323 sends it, with the H.225.0 payload shortened.
    const RELEASE: &[u8] = &[
        0x08, 0x02, 0x00, 0x2d, 0x5a, 0x08, 0x02, 0x80, 0x90, 0x28, 0x05, b'a', b's', b't', b'a',
        0x00, 0x7e, 0x00, 0x03, 0x05, 0x05, 0xc0,
    ];

    #[test]
    fn decodes_release_complete() {
        let m = Message::decode(RELEASE).unwrap();
        assert_eq!(m.call_reference, CallReference::new(0x2d, false));
        assert_eq!(m.message_type, MessageType::ReleaseComplete);
        assert_eq!(m.cause(), Some(&Cause::new(0, 16)));
        assert_eq!(
            m.elements[1],
            InformationElement::Display {
                octets: b"asta\0".to_vec()
            }
        );
        assert_eq!(m.user_user().unwrap().data, [0x05, 0xc0]);
        assert_eq!(m.encode().unwrap(), RELEASE);
    }

    #[test]
    fn call_reference_flag_and_lengths() {
        let m = Message::new(CallReference::new(0x7fff, true), MessageType::Connect);
        let bytes = m.encode().unwrap();
        assert_eq!(bytes, [0x08, 0x02, 0xff, 0xff, 0x07]);
        assert_eq!(Message::decode(&bytes).unwrap(), m);
        let bad = Message::new(CallReference::new(0x8000, false), MessageType::Connect);
        assert!(bad.encode().is_err());
        let dummy = [0x08, 0x00, 0x62];
        assert_eq!(Message::decode(&dummy).unwrap().encode().unwrap(), dummy);
        assert_eq!(
            Message::decode(&[0x08, 0x13, 0, 0, 5]),
            Err(DecodeError::CallReferenceLength {
                found: 0x13,
                limit: 2
            })
        );
    }

    #[test]
    fn refuses_what_is_not_q931() {
        assert_eq!(
            Message::decode(&[0x09, 0x02, 0, 1, 5]),
            Err(DecodeError::ProtocolDiscriminator { found: 9 })
        );
        assert!(matches!(
            Message::decode(&[0x08, 0x02, 0]),
            Err(DecodeError::Truncated { offset: 2, .. })
        ));
        assert!(matches!(
            Message::decode(&[0x08, 0x02, 0, 1]),
            Err(DecodeError::Truncated { offset: 4, .. })
        ));
        assert_eq!(
            Message::decode(&[0x08, 0x02, 0, 1, 0x85]),
            Err(DecodeError::MessageTypeExtension {
                found: 0x85,
                offset: 4
            })
        );
        assert!(matches!(
            Message::decode(&vec![0x08; MAX_Q931_LEN + 1]),
            Err(DecodeError::TooLong { .. })
        ));
    }

    #[test]
    fn message_type_codes_round_trip() {
        for t in MessageType::ALL {
            assert_eq!(MessageType::from_code(t.code()), t);
        }
        assert_eq!(MessageType::from_code(0x45), MessageType::Other(0x45));
    }
}
