//! Information elements (Q.931 §4.5): the single-octet and variable-length forms, codeset
//! shifts, the typed elements H.225.0 uses, and raw elements kept exactly as received.
//!
//! Identifiers only mean what Q.931 says in codeset 0; after a shift (Q.931 §4.5.2, 4.5.3)
//! every variable-length element is kept raw. In codeset 0 the user-user element has a
//! two-octet length (H.225.0), every other variable-length element one octet.

use serde::Serialize;

use super::elements::{BearerCapability, Cause, PartyNumber, ProgressIndicator, UserUser};
use super::error::{DecodeError, EncodeError};
use crate::limits::{MAX_IE_CONTENT_LEN, MAX_INFORMATION_ELEMENTS, MAX_USER_USER_LEN};

/// Identifiers of the codeset-0 elements H.225.0 uses.
pub mod id {
    pub const BEARER_CAPABILITY: u8 = 0x04;
    pub const CAUSE: u8 = 0x08;
    pub const CALL_STATE: u8 = 0x14;
    pub const PROGRESS_INDICATOR: u8 = 0x1e;
    pub const NOTIFICATION_INDICATOR: u8 = 0x27;
    pub const DISPLAY: u8 = 0x28;
    pub const KEYPAD: u8 = 0x2c;
    pub const SIGNAL: u8 = 0x34;
    pub const CALLING_PARTY_NUMBER: u8 = 0x6c;
    pub const CALLED_PARTY_NUMBER: u8 = 0x70;
    pub const USER_USER: u8 = 0x7e;
    /// Type 2 single-octet element that ends the called number (overlap sending).
    pub const SENDING_COMPLETE: u8 = 0xa1;
}

/// Shift elements are `1001 L CCC`: L set for a non-locking shift, CCC the codeset.
const SHIFT_MASK: u8 = 0xf0;
const SHIFT: u8 = 0x90;
const SHIFT_NON_LOCKING: u8 = 0x08;

/// One information element, in the order it appeared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "ie", rename_all = "snake_case")]
pub enum InformationElement {
    /// Any single-octet element (bit 8 set): shift, more data, sending complete, congestion
    /// level, repeat indicator. Shifts also change how the elements after them are read.
    SingleOctet {
        octet: u8,
    },
    BearerCapability(BearerCapability),
    Cause(Cause),
    ProgressIndicator(ProgressIndicator),
    /// IA5 text by the standard; real stacks send other octets too (a trailing NUL is
    /// common), so the octets are kept as they are.
    Display {
        octets: Vec<u8>,
    },
    Keypad {
        octets: Vec<u8>,
    },
    Signal {
        value: u8,
    },
    CallingPartyNumber(PartyNumber),
    CalledPartyNumber(PartyNumber),
    UserUser(UserUser),
    /// An element we do not model, one in another codeset, or a typed one whose contents we
    /// could not represent exactly: re-encoded as received.
    Raw {
        id: u8,
        contents: Vec<u8>,
    },
}

impl InformationElement {
    /// The identifier octet this element is written with.
    pub fn id(&self) -> u8 {
        match self {
            Self::SingleOctet { octet } => *octet,
            Self::BearerCapability(_) => id::BEARER_CAPABILITY,
            Self::Cause(_) => id::CAUSE,
            Self::ProgressIndicator(_) => id::PROGRESS_INDICATOR,
            Self::Display { .. } => id::DISPLAY,
            Self::Keypad { .. } => id::KEYPAD,
            Self::Signal { .. } => id::SIGNAL,
            Self::CallingPartyNumber(_) => id::CALLING_PARTY_NUMBER,
            Self::CalledPartyNumber(_) => id::CALLED_PARTY_NUMBER,
            Self::UserUser(_) => id::USER_USER,
            Self::Raw { id, .. } => *id,
        }
    }

    /// Typed view of a codeset-0 element's contents, or `Raw` when there is none.
    fn typed(id: u8, c: &[u8]) -> Self {
        let typed = match id {
            id::BEARER_CAPABILITY => BearerCapability::decode(c).map(Self::BearerCapability),
            id::CAUSE => Cause::decode(c).map(Self::Cause),
            id::PROGRESS_INDICATOR => ProgressIndicator::decode(c).map(Self::ProgressIndicator),
            id::DISPLAY => Some(Self::Display { octets: c.to_vec() }),
            id::KEYPAD => Some(Self::Keypad { octets: c.to_vec() }),
            id::SIGNAL => match c {
                &[value] => Some(Self::Signal { value }),
                _ => None,
            },
            id::CALLING_PARTY_NUMBER => PartyNumber::decode(c, true).map(Self::CallingPartyNumber),
            id::CALLED_PARTY_NUMBER => PartyNumber::decode(c, false).map(Self::CalledPartyNumber),
            id::USER_USER => UserUser::decode(c).map(Self::UserUser),
            _ => None,
        };
        typed.unwrap_or_else(|| Self::Raw {
            id,
            contents: c.to_vec(),
        })
    }

    fn encode_contents(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        match self {
            Self::SingleOctet { .. } => {}
            Self::BearerCapability(b) => b.encode(out)?,
            Self::Cause(c) => c.encode(out)?,
            Self::ProgressIndicator(p) => p.encode(out)?,
            Self::Display { octets } | Self::Keypad { octets } => out.extend_from_slice(octets),
            Self::Signal { value } => out.push(*value),
            Self::CallingPartyNumber(p) => p.encode(out, true)?,
            Self::CalledPartyNumber(p) => p.encode(out, false)?,
            Self::UserUser(u) => u.encode(out),
            Self::Raw { contents, .. } => out.extend_from_slice(contents),
        }
        Ok(())
    }
}

/// Codeset state while walking the element list: the locked codeset and a one-element
/// override from a non-locking shift.
#[derive(Default)]
struct Codesets {
    locked: u8,
    next_only: Option<u8>,
}

impl Codesets {
    /// The codeset of the element at hand; a non-locking shift lasts for one element.
    fn current(&mut self) -> u8 {
        self.next_only.take().unwrap_or(self.locked)
    }

    fn single_octet(&mut self, octet: u8) {
        if octet & SHIFT_MASK == SHIFT {
            let codeset = octet & 0x07;
            if octet & SHIFT_NON_LOCKING != 0 {
                self.next_only = Some(codeset);
            } else {
                self.locked = codeset;
                self.next_only = None;
            }
        } else {
            // Any other element between a non-locking shift and its target consumes the shift.
            self.next_only = None;
        }
    }
}

/// Decodes the elements from `start` (the octet after the message type) to the end.
pub(crate) fn decode_all(msg: &[u8], start: usize) -> Result<Vec<InformationElement>, DecodeError> {
    let mut out = Vec::new();
    let mut codesets = Codesets::default();
    let mut at = start;
    while let Some(&ident) = msg.get(at) {
        if out.len() >= MAX_INFORMATION_ELEMENTS {
            return Err(DecodeError::TooManyElements {
                limit: MAX_INFORMATION_ELEMENTS,
                offset: at,
            });
        }
        if ident & 0x80 != 0 {
            codesets.single_octet(ident);
            out.push(InformationElement::SingleOctet { octet: ident });
            at += 1;
            continue;
        }
        let codeset = codesets.current();
        let wide = codeset == 0 && ident == id::USER_USER;
        let width = if wide { 2 } else { 1 };
        let len_at = at + 1;
        let len_octets = msg
            .get(len_at..len_at + width)
            .ok_or(DecodeError::Truncated {
                what: "information element length",
                offset: len_at,
                needed: width,
                available: msg.len().saturating_sub(len_at),
            })?;
        let len = len_octets
            .iter()
            .fold(0usize, |acc, &b| acc << 8 | usize::from(b));
        let body_at = len_at + width;
        let contents = msg
            .get(body_at..body_at + len)
            .ok_or(DecodeError::Truncated {
                what: "information element contents",
                offset: body_at,
                needed: len,
                available: msg.len().saturating_sub(body_at),
            })?;
        out.push(if codeset == 0 {
            InformationElement::typed(ident, contents)
        } else {
            InformationElement::Raw {
                id: ident,
                contents: contents.to_vec(),
            }
        });
        at = body_at + len;
    }
    Ok(out)
}

/// Appends the elements, tracking shifts so the user-user length width matches the decoder.
pub(crate) fn encode_all(
    elements: &[InformationElement],
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    if elements.len() > MAX_INFORMATION_ELEMENTS {
        return Err(EncodeError::TooManyElements {
            limit: MAX_INFORMATION_ELEMENTS,
        });
    }
    let mut codesets = Codesets::default();
    for element in elements {
        let ident = element.id();
        if let InformationElement::SingleOctet { octet } = element {
            if octet & 0x80 == 0 {
                return Err(EncodeError::ElementId {
                    id: *octet,
                    kind: "single-octet",
                });
            }
            codesets.single_octet(*octet);
            out.push(*octet);
            continue;
        }
        if ident & 0x80 != 0 {
            return Err(EncodeError::ElementId {
                id: ident,
                kind: "variable-length",
            });
        }
        let wide = codesets.current() == 0 && ident == id::USER_USER;
        out.push(ident);
        let len_at = out.len();
        out.extend_from_slice(if wide { &[0, 0][..] } else { &[0][..] });
        let body_at = out.len();
        element.encode_contents(out)?;
        let len = out.len() - body_at;
        let limit = if wide {
            MAX_USER_USER_LEN
        } else {
            MAX_IE_CONTENT_LEN
        };
        if len > limit {
            return Err(EncodeError::ElementTooLong {
                id: ident,
                length: len,
                limit,
            });
        }
        let len_bytes = (len as u32).to_be_bytes();
        let slot = out.get_mut(len_at..body_at).unwrap_or_default();
        let src = len_bytes.get(4 - slot.len()..).unwrap_or_default();
        slot.copy_from_slice(src);
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn user_user_length_is_two_octets_only_in_codeset_0() {
        let msg = [0x7e, 0x00, 0x02, 0x05, 0xaa, 0x96, 0x7e, 0x01, 0x99];
        let ies = decode_all(&msg, 0).unwrap();
        assert_eq!(
            ies,
            [
                InformationElement::UserUser(UserUser::h225(vec![0xaa])),
                InformationElement::SingleOctet { octet: 0x96 },
                InformationElement::Raw {
                    id: 0x7e,
                    contents: vec![0x99]
                },
            ]
        );
        let mut out = Vec::new();
        encode_all(&ies, &mut out).unwrap();
        assert_eq!(out, msg);
    }

    #[test]
    fn non_locking_shift_lasts_one_element() {
        // Non-locking shift to codeset 6, a codeset-6 0x28, then a codeset-0 display.
        let msg = [0x9e, 0x28, 0x01, 0x41, 0x28, 0x01, 0x42];
        let ies = decode_all(&msg, 0).unwrap();
        assert!(matches!(ies[1], InformationElement::Raw { id: 0x28, .. }));
        assert!(matches!(ies[2], InformationElement::Display { .. }));
    }

    #[test]
    fn lengths_past_the_end_are_refused_with_offsets() {
        assert_eq!(
            decode_all(&[0x28, 0x05, 0x41], 0),
            Err(DecodeError::Truncated {
                what: "information element contents",
                offset: 2,
                needed: 5,
                available: 1
            })
        );
        assert!(matches!(
            decode_all(&[0x7e, 0x00], 0),
            Err(DecodeError::Truncated {
                offset: 1,
                needed: 2,
                ..
            })
        ));
    }

    #[test]
    fn element_count_is_bounded() {
        let msg = vec![0xa1; MAX_INFORMATION_ELEMENTS + 1];
        assert!(matches!(
            decode_all(&msg, 0),
            Err(DecodeError::TooManyElements { offset: 64, .. })
        ));
    }

    #[test]
    fn oversized_contents_are_refused_when_encoding() {
        let ie = InformationElement::Display {
            octets: vec![b'a'; 256],
        };
        assert!(matches!(
            encode_all(&[ie], &mut Vec::new()),
            Err(EncodeError::ElementTooLong { id: 0x28, .. })
        ));
    }
}
