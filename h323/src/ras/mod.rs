//! H.225.0 RAS (registration, admission and status) messages: `RasMessage` in aligned PER,
//! one UDP datagram each.
//!
//! All 25 root alternatives of H.225.0 v8's RasMessage are typed, and RequestInProgress of
//! the extension alternatives; the other extensions (RAI/RAC, IACK/INAK, SCI/SCR,
//! admissionConfirmSequence, and anything newer) are kept as their open type's octets in
//! [`RasMessage::Unknown`], so a caller can answer them with an XRS.
//!
//! Each message is a struct of its root components (see [`field`] for how they are
//! described); extension additions stay octets in `extensions` and typed accessors decode
//! the ones a gateway uses (call identifiers, keep-alive, time to live, H.460 feature sets),
//! so a received message re-encodes to exactly its octets whatever version sent it.

mod address;
mod admission;
mod common;
mod endpoint;
pub mod field;
mod gatekeeper;
mod generic;
mod location;
mod registration;
pub mod samples;
mod status;
#[cfg(test)]
mod tests;

use serde::Serialize;

pub use address::{AliasAddress, PartyNumber, TransportAddress};
pub use admission::{
    AdmissionConfirm, AdmissionReject, AdmissionRequest, BandwidthConfirm, BandwidthReject,
    BandwidthRequest, DisengageConfirm, DisengageReject, DisengageRequest, UuiesRequested,
};
pub use common::{
    CallIdentifier, CallModel, CallType, Extensions, H221NonStandard, NonStandardIdentifier,
    NonStandardParameter, NullChoice, Reason, MAX_SEQUENCE_OF,
};
pub use endpoint::{
    EndpointType, GatewayInfo, NodeInfo, Protocol, Q954Details, QseriesOptions, SupportedProtocols,
    VendorIdentifier,
};
pub use gatekeeper::{
    AltGKInfo, AlternateGK, GatekeeperConfirm, GatekeeperReject, GatekeeperRequest,
};
pub use generic::{Content, EnumeratedParameter, FeatureSet, GenericData, GenericIdentifier};
pub use location::{LocationConfirm, LocationReject, LocationRequest};
pub use registration::{
    PreGrantedArq, RegistrationConfirm, RegistrationReject, RegistrationRejectReason,
    RegistrationRequest, UnregistrationConfirm, UnregistrationReject, UnregistrationRequest,
};
pub use status::{
    InfoRequest, InfoRequestResponse, NonStandardMessage, PerCallInfo, RequestInProgress,
    RtpSession, TransportChannelInfo, UnknownMessageResponse,
};

use crate::per::{Choice, PerError, PerErrorKind, Reader, Writer};
use field::{decode_whole, encode_whole, Field};

/// Root alternatives of RasMessage in H.225.0 v8 (gatekeeperRequest ... unknownMessageResponse).
const RAS_ROOT_ALTERNATIVES: usize = 25;

/// Extension alternative index of requestInProgress.
const RIP_EXTENSION: usize = 0;

/// Declares RasMessage with one boxed variant per root alternative, in ASN.1 order (the
/// order is the CHOICE index), and its decoder and encoder.
macro_rules! ras_message {
    ($($index:literal $variant:ident($ty:ty)),* $(,)?) => {
        /// A RAS message. Variants are boxed: the messages differ a lot in size and are
        /// moved around.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum RasMessage {
            $( $variant(Box<$ty>), )*
            RequestInProgress(Box<RequestInProgress>),
            /// An extension alternative not typed (index among the additions: 0 is
            /// requestInProgress, 1 resourcesAvailableIndicate, ...), kept as octets.
            Unknown { index: usize, contents: Vec<u8> },
        }

        impl RasMessage {
            /// The RasMessage CHOICE index of a root alternative, or `None` for extensions.
            pub fn root_index(&self) -> Option<usize> {
                match self {
                    $( Self::$variant(_) => Some($index), )*
                    _ => None,
                }
            }

            fn decode_root(r: &mut Reader<'_>, index: usize) -> Result<Self, PerError> {
                Ok(match index {
                    $( $index => Self::$variant(Box::new(<$ty as Field>::decode(r)?)), )*
                    _ => return Err(r.error(PerErrorKind::UnknownAlternative {
                        what: "RasMessage",
                        index,
                    })),
                })
            }

            fn encode_root(&self, w: &mut Writer) -> Result<bool, PerError> {
                match self {
                    $( Self::$variant(m) => {
                        w.choice_root($index, RAS_ROOT_ALTERNATIVES, true, "RasMessage")?;
                        <$ty as Field>::encode(w, m)?;
                    } )*
                    _ => return Ok(false),
                }
                Ok(true)
            }
        }
    };
}

ras_message! {
    0 GatekeeperRequest(GatekeeperRequest),
    1 GatekeeperConfirm(GatekeeperConfirm),
    2 GatekeeperReject(GatekeeperReject),
    3 RegistrationRequest(RegistrationRequest),
    4 RegistrationConfirm(RegistrationConfirm),
    5 RegistrationReject(RegistrationReject),
    6 UnregistrationRequest(UnregistrationRequest),
    7 UnregistrationConfirm(UnregistrationConfirm),
    8 UnregistrationReject(UnregistrationReject),
    9 AdmissionRequest(AdmissionRequest),
    10 AdmissionConfirm(AdmissionConfirm),
    11 AdmissionReject(AdmissionReject),
    12 BandwidthRequest(BandwidthRequest),
    13 BandwidthConfirm(BandwidthConfirm),
    14 BandwidthReject(BandwidthReject),
    15 DisengageRequest(DisengageRequest),
    16 DisengageConfirm(DisengageConfirm),
    17 DisengageReject(DisengageReject),
    18 LocationRequest(LocationRequest),
    19 LocationConfirm(LocationConfirm),
    20 LocationReject(LocationReject),
    21 InfoRequest(InfoRequest),
    22 InfoRequestResponse(InfoRequestResponse),
    23 NonStandardMessage(NonStandardMessage),
    24 UnknownMessageResponse(UnknownMessageResponse),
}

impl RasMessage {
    pub fn decode(datagram: &[u8]) -> Result<Self, PerError> {
        let mut r = Reader::new(datagram);
        let msg = match r.choice(RAS_ROOT_ALTERNATIVES, true, "RasMessage")? {
            Choice::Root(index) => Self::decode_root(&mut r, index)?,
            Choice::Extension(index) => {
                let contents = r.open_type("RasMessage")?;
                match index {
                    // A RIP with H.235 tokens is not typed yet: kept like any unknown one.
                    RIP_EXTENSION => match decode_whole::<RequestInProgress>(&r, &contents) {
                        Ok(rip) => Self::RequestInProgress(Box::new(rip)),
                        Err(_) => Self::Unknown { index, contents },
                    },
                    _ => Self::Unknown { index, contents },
                }
            }
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
        if !self.encode_root(&mut w)? {
            match self {
                Self::RequestInProgress(rip) => {
                    let contents = encode_whole::<RequestInProgress>(rip)?;
                    w.choice_extension(RIP_EXTENSION, &contents, "RasMessage")?;
                }
                Self::Unknown { index, contents } => {
                    w.choice_extension(*index, contents, "RasMessage")?
                }
                _ => {}
            }
        }
        Ok(w.finish())
    }

    /// The requestSeqNum, when the message is typed (what an XRS must echo).
    pub fn request_seq_num(&self) -> Option<u16> {
        Some(match self {
            Self::GatekeeperRequest(m) => m.request_seq_num,
            Self::GatekeeperConfirm(m) => m.request_seq_num,
            Self::GatekeeperReject(m) => m.request_seq_num,
            Self::RegistrationRequest(m) => m.request_seq_num,
            Self::RegistrationConfirm(m) => m.request_seq_num,
            Self::RegistrationReject(m) => m.request_seq_num,
            Self::UnregistrationRequest(m) => m.request_seq_num,
            Self::UnregistrationConfirm(m) => m.request_seq_num,
            Self::UnregistrationReject(m) => m.request_seq_num,
            Self::AdmissionRequest(m) => m.request_seq_num,
            Self::AdmissionConfirm(m) => m.request_seq_num,
            Self::AdmissionReject(m) => m.request_seq_num,
            Self::BandwidthRequest(m) => m.request_seq_num,
            Self::BandwidthConfirm(m) => m.request_seq_num,
            Self::BandwidthReject(m) => m.request_seq_num,
            Self::DisengageRequest(m) => m.request_seq_num,
            Self::DisengageConfirm(m) => m.request_seq_num,
            Self::DisengageReject(m) => m.request_seq_num,
            Self::LocationRequest(m) => m.request_seq_num,
            Self::LocationConfirm(m) => m.request_seq_num,
            Self::LocationReject(m) => m.request_seq_num,
            Self::InfoRequest(m) => m.request_seq_num,
            Self::InfoRequestResponse(m) => m.request_seq_num,
            Self::NonStandardMessage(m) => m.request_seq_num,
            Self::UnknownMessageResponse(m) => m.request_seq_num,
            Self::RequestInProgress(m) => m.request_seq_num,
            Self::Unknown { .. } => return None,
        })
    }
}
