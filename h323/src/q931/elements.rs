//! Contents of the typed information elements (Q.931 §4.5, as H.225.0 §7.2 profiles them).
//!
//! Each `decode` takes the contents octets (after identifier and length) and returns `None`
//! unless it can represent them exactly, so that `encode(decode(x)) == x` always holds; the
//! caller then keeps the element raw. A receiver must not fail a whole message over one
//! element it cannot read (Q.931 §5.8.7.2), and a gateway must pass on what it received.
//!
//! Octets with an extension bit (bit 8: 1 = last octet of its group) are modelled group by
//! group; groups the H.323 profile never uses stay in a raw tail.

use serde::Serialize;

use super::error::EncodeError;

/// Extension bit of an octet: set on the last octet of a group.
const EXT: u8 = 0x80;

/// Checks that `value` fits `bits` bits.
fn field(what: &'static str, value: u8, bits: u32) -> Result<u8, EncodeError> {
    if u32::from(value) >> bits == 0 {
        Ok(value)
    } else {
        Err(EncodeError::FieldRange {
            what,
            value: u32::from(value),
            bits,
        })
    }
}

/// Bearer capability (0x04), Q.931 §4.5.5: octets 3, 4 and 4.1 (rate multiplier, only for the
/// multirate rate) and octet 5 (user information layer 1 protocol, e.g. G.711); the layer 2
/// and 3 octets, which H.323 does not use, stay raw in `rest`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BearerCapability {
    /// 0 = ITU-T.
    pub coding_standard: u8,
    /// 0x00 speech, 0x08 unrestricted digital, 0x10 3.1 kHz audio, 0x18 video.
    pub transfer_capability: u8,
    /// 0 = circuit mode, 2 = packet mode.
    pub transfer_mode: u8,
    /// 0x10 = 64 kbit/s, 0x18 = multirate (then `rate_multiplier` is present).
    pub transfer_rate: u8,
    pub rate_multiplier: Option<u8>,
    /// Octet 5 (layer identifier 1): 2 = G.711 µ-law, 3 = G.711 A-law, 5 = H.221/H.242.
    pub layer1_protocol: Option<u8>,
    /// Octets 6 and 7 as received.
    pub rest: Vec<u8>,
}

/// The transfer rate code meaning "multirate (64 kbit/s base rate)".
pub const RATE_MULTIRATE: u8 = 0x18;

impl BearerCapability {
    pub(crate) fn decode(c: &[u8]) -> Option<Self> {
        let (&o3, c) = c.split_first()?;
        let (&o4, mut c) = c.split_first()?;
        if o3 & EXT == 0 || o4 & EXT == 0 {
            return None;
        }
        let transfer_rate = o4 & 0x1f;
        let mut rate_multiplier = None;
        if transfer_rate == RATE_MULTIRATE {
            let (&o41, rest) = c.split_first()?;
            if o41 & EXT == 0 {
                return None;
            }
            rate_multiplier = Some(o41 & 0x7f);
            c = rest;
        }
        let mut layer1_protocol = None;
        if let Some((&o5, rest)) = c.split_first() {
            if (o5 >> 5) & 0x03 == 1 {
                // Octets 5a.. (rate adaption) are not modelled: keep such an element raw.
                if o5 & EXT == 0 {
                    return None;
                }
                layer1_protocol = Some(o5 & 0x1f);
                c = rest;
            }
        }
        Some(Self {
            coding_standard: (o3 >> 5) & 0x03,
            transfer_capability: o3 & 0x1f,
            transfer_mode: (o4 >> 5) & 0x03,
            transfer_rate,
            rate_multiplier,
            layer1_protocol,
            rest: c.to_vec(),
        })
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let cs = field("bearer coding standard", self.coding_standard, 2)?;
        let cap = field("bearer transfer capability", self.transfer_capability, 5)?;
        let mode = field("bearer transfer mode", self.transfer_mode, 2)?;
        let rate = field("bearer transfer rate", self.transfer_rate, 5)?;
        out.push(EXT | cs << 5 | cap);
        out.push(EXT | mode << 5 | rate);
        match (rate == RATE_MULTIRATE, self.rate_multiplier) {
            (true, Some(m)) => out.push(EXT | field("bearer rate multiplier", m, 7)?),
            (false, None) => {}
            _ => {
                return Err(EncodeError::Inconsistent(
                    "bearer rate multiplier present exactly when the rate is multirate",
                ))
            }
        }
        if let Some(l1) = self.layer1_protocol {
            out.push(EXT | 0x20 | field("bearer layer 1 protocol", l1, 5)?);
        }
        out.extend_from_slice(&self.rest);
        Ok(())
    }
}

/// Cause (0x08), Q.931 §4.5.12: coding standard, location, cause value and diagnostics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cause {
    /// 0 = ITU-T.
    pub coding_standard: u8,
    /// 0 user, 1 private network serving the local user, ... 10 beyond an interworking point.
    pub location: u8,
    /// Octet 3a, rarely sent.
    pub recommendation: Option<u8>,
    /// Q.850 cause value, e.g. 16 normal call clearing, 17 user busy.
    pub value: u8,
    pub diagnostics: Vec<u8>,
}

impl Cause {
    /// An ITU-T cause from `location` with no diagnostics.
    pub fn new(location: u8, value: u8) -> Self {
        Self {
            coding_standard: 0,
            location,
            recommendation: None,
            value,
            diagnostics: Vec::new(),
        }
    }

    pub(crate) fn decode(c: &[u8]) -> Option<Self> {
        let (&o3, mut c) = c.split_first()?;
        if o3 & 0x10 != 0 {
            return None; // spare bit
        }
        let mut recommendation = None;
        if o3 & EXT == 0 {
            let (&o3a, rest) = c.split_first()?;
            if o3a & EXT == 0 {
                return None;
            }
            recommendation = Some(o3a & 0x7f);
            c = rest;
        }
        let (&o4, diagnostics) = c.split_first()?;
        if o4 & EXT == 0 {
            return None;
        }
        Some(Self {
            coding_standard: (o3 >> 5) & 0x03,
            location: o3 & 0x0f,
            recommendation,
            value: o4 & 0x7f,
            diagnostics: diagnostics.to_vec(),
        })
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let cs = field("cause coding standard", self.coding_standard, 2)?;
        let loc = field("cause location", self.location, 4)?;
        let ext = if self.recommendation.is_some() {
            0
        } else {
            EXT
        };
        out.push(ext | cs << 5 | loc);
        if let Some(r) = self.recommendation {
            out.push(EXT | field("cause recommendation", r, 7)?);
        }
        out.push(EXT | field("cause value", self.value, 7)?);
        out.extend_from_slice(&self.diagnostics);
        Ok(())
    }
}

/// Progress indicator (0x1e), Q.931 §4.5.23.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgressIndicator {
    pub coding_standard: u8,
    pub location: u8,
    /// 1 not end-to-end ISDN, 2 destination non-ISDN, 8 in-band information available, ...
    pub description: u8,
}

impl ProgressIndicator {
    pub(crate) fn decode(c: &[u8]) -> Option<Self> {
        let &[o3, o4] = c else {
            return None;
        };
        if o3 & EXT == 0 || o3 & 0x10 != 0 || o4 & EXT == 0 {
            return None;
        }
        Some(Self {
            coding_standard: (o3 >> 5) & 0x03,
            location: o3 & 0x0f,
            description: o4 & 0x7f,
        })
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let cs = field("progress coding standard", self.coding_standard, 2)?;
        let loc = field("progress location", self.location, 4)?;
        out.push(EXT | cs << 5 | loc);
        out.push(EXT | field("progress description", self.description, 7)?);
        Ok(())
    }
}

/// Presentation and screening (octet 3a of the calling party number, Q.931 §4.5.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Presentation {
    /// 0 allowed, 1 restricted, 2 not available.
    pub presentation: u8,
    /// 0 user-provided not screened, 1 passed, 2 failed, 3 network provided.
    pub screening: u8,
}

/// Calling (0x6c) or called (0x70) party number, Q.931 §4.5.10 and §4.5.8. Only the calling
/// party number has octet 3a.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartyNumber {
    /// 0 unknown, 1 international, 2 national, 4 subscriber, ...
    pub number_type: u8,
    /// 0 unknown, 1 E.164, 9 private, ...
    pub plan: u8,
    pub presentation: Option<Presentation>,
    /// IA5 digits (`0`-`9`, `*`, `#`, and whatever 7-bit characters the peer sent).
    pub digits: String,
}

impl PartyNumber {
    /// An E.164 number of unknown type.
    pub fn e164(digits: &str) -> Self {
        Self {
            number_type: 0,
            plan: 1,
            presentation: None,
            digits: digits.to_owned(),
        }
    }

    pub(crate) fn decode(c: &[u8], calling: bool) -> Option<Self> {
        let (&o3, mut c) = c.split_first()?;
        let mut presentation = None;
        if o3 & EXT == 0 {
            let (&o3a, rest) = c.split_first()?;
            if !calling || o3a & EXT == 0 || o3a & 0x1c != 0 {
                return None;
            }
            presentation = Some(Presentation {
                presentation: (o3a >> 5) & 0x03,
                screening: o3a & 0x03,
            });
            c = rest;
        }
        if !c.iter().all(u8::is_ascii) {
            return None;
        }
        Some(Self {
            number_type: (o3 >> 4) & 0x07,
            plan: o3 & 0x0f,
            presentation,
            digits: String::from_utf8(c.to_vec()).ok()?,
        })
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>, calling: bool) -> Result<(), EncodeError> {
        let ty = field("number type", self.number_type, 3)?;
        let plan = field("numbering plan", self.plan, 4)?;
        let ext = if self.presentation.is_some() { 0 } else { EXT };
        out.push(ext | ty << 4 | plan);
        if let Some(p) = self.presentation {
            if !calling {
                return Err(EncodeError::Inconsistent(
                    "only the calling party number has presentation and screening",
                ));
            }
            let pi = field("presentation indicator", p.presentation, 2)?;
            let si = field("screening indicator", p.screening, 2)?;
            out.push(EXT | pi << 5 | si);
        }
        if let Some(&octet) = self.digits.as_bytes().iter().find(|b| !b.is_ascii()) {
            return Err(EncodeError::NotIa5 {
                what: "party number digits",
                octet,
            });
        }
        out.extend_from_slice(self.digits.as_bytes());
        Ok(())
    }
}

/// User-user (0x7e) as H.225.0 uses it: protocol discriminator 0x05 (X.208/X.209 coded user
/// information) and an aligned-PER `H323-UserInformation`, kept as octets here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserUser {
    pub protocol_discriminator: u8,
    pub data: Vec<u8>,
}

/// The user-user protocol discriminator H.225.0 uses (X.208 and X.209 coded user information).
pub const UU_PROTOCOL_X208: u8 = 0x05;

impl UserUser {
    /// H.225.0 user information (protocol discriminator 0x05).
    pub fn h225(data: Vec<u8>) -> Self {
        Self {
            protocol_discriminator: UU_PROTOCOL_X208,
            data,
        }
    }

    pub(crate) fn decode(c: &[u8]) -> Option<Self> {
        let (&pd, data) = c.split_first()?;
        Some(Self {
            protocol_discriminator: pd,
            data: data.to_vec(),
        })
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        out.push(self.protocol_discriminator);
        out.extend_from_slice(&self.data);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn cause_octets() {
        // ITU-T, public network serving the local user, normal call clearing.
        let c = Cause::decode(&[0x82, 0x90]).unwrap();
        assert_eq!((c.location, c.value, c.recommendation), (2, 16, None));
        let mut out = Vec::new();
        c.encode(&mut out).unwrap();
        assert_eq!(out, [0x82, 0x90]);
        // With octet 3a and a diagnostic.
        let c = Cause::decode(&[0x02, 0x80, 0x91, 0x33]).unwrap();
        assert_eq!(
            (c.recommendation, c.value, &c.diagnostics[..]),
            (Some(0), 17, &[0x33][..])
        );
        // Spare bit, or a cause octet without its extension bit, is not ours to model.
        assert_eq!(Cause::decode(&[0x92, 0x90]), None);
        assert_eq!(Cause::decode(&[0x82, 0x10]), None);
        assert_eq!(Cause::decode(&[0x82]), None);
    }

    #[test]
    fn calling_number_with_presentation() {
        let p = PartyNumber::decode(&[0x21, 0x81, b'1', b'2'], true).unwrap();
        assert_eq!((p.number_type, p.plan, p.digits.as_str()), (2, 1, "12"));
        assert_eq!(
            p.presentation,
            Some(Presentation {
                presentation: 0,
                screening: 1
            })
        );
        assert_eq!(PartyNumber::decode(&[0x21, 0x81, b'1'], false), None);
        assert_eq!(PartyNumber::decode(&[0x81, 0xb1], true), None);
    }

    #[test]
    fn bearer_with_multirate_and_layer1() {
        let b = BearerCapability::decode(&[0x88, 0x98, 0x86, 0xa5]).unwrap();
        assert_eq!((b.rate_multiplier, b.layer1_protocol), (Some(6), Some(5)));
        let mut out = Vec::new();
        b.encode(&mut out).unwrap();
        assert_eq!(out, [0x88, 0x98, 0x86, 0xa5]);
        assert_eq!(BearerCapability::decode(&[0x80, 0x90, 0x23, 0x81]), None);
    }
}
