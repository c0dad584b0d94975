//! H.225.0 RAS (registration, admission and status) messages: `RasMessage` in aligned PER,
//! one UDP datagram each.
//!
//! This first step types the GatekeeperRequest (the RAS message of the captures) and the
//! types it carries; every other RasMessage alternative is refused with
//! [`PerErrorKind::UnknownAlternative`] until it is typed, and alternatives added after
//! H.225.0 v8 are kept as octets. Extension additions of every SEQUENCE are kept as octets.

mod common;
mod endpoint;

use serde::Serialize;

pub use common::{
    AliasAddress, Extensions, H221NonStandard, NonStandardIdentifier, NonStandardParameter,
    TransportAddress, MAX_SEQUENCE_OF,
};
pub use endpoint::{EndpointType, NodeInfo, VendorIdentifier};

use crate::per::{Choice, ObjectIdentifier, PerError, PerErrorKind, Reader, Writer};

/// Root alternatives of RasMessage in H.225.0 v8 (gatekeeperRequest ... unknownMessageResponse).
const RAS_ROOT_ALTERNATIVES: usize = 25;

/// A RAS message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RasMessage {
    /// Boxed: the largest message, and the enum is moved around.
    GatekeeperRequest(Box<GatekeeperRequest>),
    /// An alternative added after the root (index among the additions) kept as octets.
    Unknown { index: usize, contents: Vec<u8> },
}

impl RasMessage {
    pub fn decode(datagram: &[u8]) -> Result<Self, PerError> {
        let mut r = Reader::new(datagram);
        let at = r.bit_offset();
        let msg = match r.choice(RAS_ROOT_ALTERNATIVES, true, "RasMessage")? {
            Choice::Root(0) => {
                Self::GatekeeperRequest(Box::new(GatekeeperRequest::decode(&mut r)?))
            }
            Choice::Root(index) => {
                return Err(PerError {
                    kind: PerErrorKind::UnknownAlternative {
                        what: "RasMessage (not typed yet)",
                        index,
                    },
                    bit_offset: at,
                })
            }
            Choice::Extension(index) => Self::Unknown {
                index,
                contents: r.open_type("RasMessage")?,
            },
        };
        if r.remaining() >= 8 {
            return Err(r.error(PerErrorKind::BadLength {
                what: "RasMessage (octets after the end)",
            }));
        }
        Ok(msg)
    }

    pub fn encode(&self) -> Result<Vec<u8>, PerError> {
        let mut w = Writer::new();
        match self {
            Self::GatekeeperRequest(grq) => {
                w.choice_root(0, RAS_ROOT_ALTERNATIVES, true, "RasMessage")?;
                grq.encode(&mut w)?;
            }
            Self::Unknown { index, contents } => {
                w.choice_extension(*index, contents, "RasMessage")?
            }
        }
        Ok(w.finish())
    }
}

/// GatekeeperRequest (GRQ). `callServices` (QseriesOptions) is not modelled yet: a GRQ with
/// it is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GatekeeperRequest {
    pub request_seq_num: u16,
    pub protocol_identifier: ObjectIdentifier,
    pub non_standard: Option<NonStandardParameter>,
    pub ras_address: TransportAddress,
    pub endpoint_type: EndpointType,
    pub gatekeeper_identifier: Option<String>,
    pub endpoint_alias: Option<Vec<AliasAddress>>,
    /// alternateEndpoints, tokens, cryptoTokens, ..., supportsAssignedGK, assignedGatekeeper.
    pub extensions: Extensions,
}

impl GatekeeperRequest {
    fn decode(r: &mut Reader<'_>) -> Result<Self, PerError> {
        let ext = r.extension_bit()?;
        let at = r.bit_offset();
        let opt = r.bitmap(4, "GatekeeperRequest optionals")?;
        let has = |i: usize| opt.get(i) == Some(&true);
        if has(2) {
            return Err(PerError {
                kind: PerErrorKind::UnknownAlternative {
                    what: "GatekeeperRequest.callServices (not supported yet)",
                    index: 2,
                },
                bit_offset: at + 2,
            });
        }
        let request_seq_num = r.constrained(1, 65_535, "requestSeqNum")? as u16;
        let protocol_identifier = r.object_identifier("protocolIdentifier")?;
        let non_standard = has(0)
            .then(|| NonStandardParameter::decode(r))
            .transpose()?;
        let ras_address = TransportAddress::decode(r)?;
        let endpoint_type = EndpointType::decode(r)?;
        let gatekeeper_identifier = has(1)
            .then(|| r.bmp_string(1, 128, "gatekeeperIdentifier"))
            .transpose()?;
        let endpoint_alias = has(3)
            .then(|| common::decode_list(r, "endpointAlias", AliasAddress::decode))
            .transpose()?;
        Ok(Self {
            request_seq_num,
            protocol_identifier,
            non_standard,
            ras_address,
            endpoint_type,
            gatekeeper_identifier,
            endpoint_alias,
            extensions: Extensions::decode(r, ext)?,
        })
    }

    fn encode(&self, w: &mut Writer) -> Result<(), PerError> {
        w.extension_bit(self.extensions.is_extended());
        w.bitmap(&[
            self.non_standard.is_some(),
            self.gatekeeper_identifier.is_some(),
            false,
            self.endpoint_alias.is_some(),
        ]);
        w.constrained(self.request_seq_num.into(), 1, 65_535, "requestSeqNum")?;
        w.object_identifier(&self.protocol_identifier, "protocolIdentifier")?;
        if let Some(n) = &self.non_standard {
            n.encode(w)?;
        }
        self.ras_address.encode(w)?;
        self.endpoint_type.encode(w)?;
        if let Some(id) = &self.gatekeeper_identifier {
            w.bmp_string(id, 1, 128, "gatekeeperIdentifier")?;
        }
        if let Some(aliases) = &self.endpoint_alias {
            common::encode_list(w, aliases, "endpointAlias", |w, a| a.encode(w))?;
        }
        self.extensions.encode(w)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn grq() -> GatekeeperRequest {
        GatekeeperRequest {
            request_seq_num: 7,
            protocol_identifier: ObjectIdentifier::from_arcs(&[0, 0, 8, 2250, 0, 7]).unwrap(),
            non_standard: None,
            ras_address: TransportAddress::Ip6 {
                ip: [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
                port: 1719,
                extensions: Extensions::default(),
            },
            endpoint_type: EndpointType::terminal(),
            gatekeeper_identifier: Some("GK-Ä".into()),
            endpoint_alias: Some(vec![
                AliasAddress::DialedDigits("4930#*".into()),
                AliasAddress::H323Id("Room".into()),
                AliasAddress::Unknown {
                    index: 0,
                    contents: vec![0x05, b'a', b'@', b'b'],
                },
            ]),
            // supportsAssignedGK (slot 11) present, the others absent.
            extensions: Extensions(Some(
                (0..12).map(|i| (i == 11).then(|| vec![0x80])).collect(),
            )),
        }
    }

    #[test]
    fn grq_round_trips_with_aliases_and_unknown_additions() {
        let msg = RasMessage::GatekeeperRequest(Box::new(grq()));
        let bytes = msg.encode().unwrap();
        assert_eq!(RasMessage::decode(&bytes).unwrap(), msg);
    }

    #[test]
    fn truncation_anywhere_is_an_error_not_a_panic() {
        let bytes = RasMessage::GatekeeperRequest(Box::new(grq()))
            .encode()
            .unwrap();
        for cut in 0..bytes.len() {
            assert!(RasMessage::decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut long = bytes.clone();
        long.push(0);
        assert!(RasMessage::decode(&long).is_err(), "trailing octet");
    }

    #[test]
    fn untyped_root_alternatives_are_refused_with_their_index() {
        // RasMessage index 3 (registrationRequest): extension bit 0, 5-bit index 00011.
        let err = RasMessage::decode(&[0x0c, 0x00]).unwrap_err();
        assert_eq!(
            err.kind,
            PerErrorKind::UnknownAlternative {
                what: "RasMessage (not typed yet)",
                index: 3
            }
        );
    }
}
