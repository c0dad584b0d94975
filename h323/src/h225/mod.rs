//! H.225.0 call signalling: the `H323-UserInformation` carried in the Q.931 user-user
//! information element of every Setup, Call Proceeding, Alerting, Connect, Facility,
//! Progress and Release Complete.
//!
//! The H323-UU-PDU and the seven root UUIEs are typed by their root components; so are the
//! extension alternatives of H.225.0 v8 (progress, empty, status, statusInquiry,
//! setupAcknowledge, notify). Anything newer, or a body carrying H.235 tokens this codec does
//! not type yet, is kept as its open type's octets in [`MessageBody::Unknown`]. Extension additions everywhere stay octets with typed
//! accessors (tunnelled H.245 in `h245Control`, `h245Tunneling`, fastStart, call
//! identifiers), so a received PDU re-encodes to exactly its octets whatever version sent it.

#[cfg(test)]
mod tests;
mod uuie;

use serde::Serialize;

pub use uuie::{
    AlertingUuie, CallProceedingUuie, CallRef, ConnectUuie, FacilityReason, FacilityUuie,
    InformationUuie, NotTyped, NotifyUuie, OctetsList, ProgressUuie, ReleaseCompleteReason,
    ReleaseCompleteUuie, SetupAcknowledgeUuie, SetupUuie, StatusInquiryUuie, StatusUuie,
};

use crate::per::{Choice, PerError, PerErrorKind, Reader, Writer};
use crate::ras::field::{
    decode_whole, encode_whole, ras_additions, ras_sequence, Bool, Field, Null, SeqOf,
};
use crate::ras::{GenericData, NonStandardParameter};

/// Root alternatives of h323-message-body (setup ... facility).
const BODY_ROOT_ALTERNATIVES: usize = 7;
/// Extension alternative index of progress.
const PROGRESS_EXTENSION: usize = 0;
/// Extension alternative index of empty.
const EMPTY_EXTENSION: usize = 1;
/// Extension alternative indices of status, statusInquiry, setupAcknowledge and notify.
const STATUS_EXTENSION: usize = 2;
const STATUS_INQUIRY_EXTENSION: usize = 3;
const SETUP_ACKNOWLEDGE_EXTENSION: usize = 4;
const NOTIFY_EXTENSION: usize = 5;
/// The open type holding a NULL: the empty encoding padded to one zero octet (X.691 §10.1.3).
const NULL_OPEN_TYPE: [u8; 1] = [0];

/// user-data's user-information: OCTET STRING (SIZE(1..131)).
pub struct UserInformationOctets;

impl Field for UserInformationOctets {
    type Value = Vec<u8>;
    const NAME: &'static str = "user-information";
    fn decode(r: &mut Reader<'_>) -> Result<Vec<u8>, PerError> {
        r.octet_string(1, Some(131), Self::NAME)
    }
    fn encode(w: &mut Writer, v: &Vec<u8>) -> Result<(), PerError> {
        w.octet_string(v, 1, Some(131), Self::NAME)
    }
}

/// protocol-discriminator: INTEGER (0..255).
pub struct ProtocolDiscriminator;

impl Field for ProtocolDiscriminator {
    type Value = u8;
    const NAME: &'static str = "protocol-discriminator";
    fn decode(r: &mut Reader<'_>) -> Result<u8, PerError> {
        // The bounds make the conversion lossless.
        Ok(r.constrained(0, 255, Self::NAME)? as u8)
    }
    fn encode(w: &mut Writer, v: &u8) -> Result<(), PerError> {
        w.constrained(i64::from(*v), 0, 255, Self::NAME)
    }
}

ras_sequence! {
    /// H323-UserInformation's user-data: non-H.323 user information (Q.931 user-user
    /// contents of another protocol).
    pub struct UserData {
        protocol_discriminator: req ProtocolDiscriminator,
        user_information: req UserInformationOctets,
    }
}

/// h323-message-body: which UUIE the PDU carries. Variants are boxed: the UUIEs differ a lot
/// in size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageBody {
    Setup(Box<SetupUuie>),
    CallProceeding(Box<CallProceedingUuie>),
    Connect(Box<ConnectUuie>),
    Alerting(Box<AlertingUuie>),
    Information(Box<InformationUuie>),
    ReleaseComplete(Box<ReleaseCompleteUuie>),
    Facility(Box<FacilityUuie>),
    Progress(Box<ProgressUuie>),
    /// A Facility carrying only the PDU's additions (tunnelled H.245, supplementary services).
    Empty,
    Status(Box<StatusUuie>),
    StatusInquiry(Box<StatusInquiryUuie>),
    SetupAcknowledge(Box<SetupAcknowledgeUuie>),
    Notify(Box<NotifyUuie>),
    /// An extension alternative not typed (index among the additions: 0 progress, 1 empty,
    /// 2 status, 3 statusInquiry, 4 setupAcknowledge, 5 notify, ...), or one of those whose
    /// contents this codec does not type (H.235 tokens), kept as its open type's octets.
    Unknown {
        index: usize,
        contents: Vec<u8>,
    },
}

impl MessageBody {
    /// The Q.931 message type this body belongs in (H.225.0 §7.3), when it names one; `empty`
    /// and unknown bodies go with Facility or whichever message the sender chose.
    pub fn q931_message_type(&self) -> Option<u8> {
        Some(match self {
            Self::Setup(_) => 0x05,
            Self::CallProceeding(_) => 0x02,
            Self::Connect(_) => 0x07,
            Self::Alerting(_) => 0x01,
            Self::Information(_) => 0x7b,
            Self::ReleaseComplete(_) => 0x5a,
            Self::Facility(_) => 0x62,
            Self::Progress(_) => 0x03,
            Self::Status(_) => 0x7d,
            Self::StatusInquiry(_) => 0x75,
            Self::SetupAcknowledge(_) => 0x0d,
            Self::Notify(_) => 0x6e,
            Self::Empty | Self::Unknown { .. } => return None,
        })
    }
}

impl Field for MessageBody {
    type Value = Self;
    const NAME: &'static str = "h323-message-body";

    fn decode(r: &mut Reader<'_>) -> Result<Self, PerError> {
        Ok(match r.choice(BODY_ROOT_ALTERNATIVES, true, Self::NAME)? {
            Choice::Root(0) => Self::Setup(Box::new(SetupUuie::decode(r)?)),
            Choice::Root(1) => Self::CallProceeding(Box::new(CallProceedingUuie::decode(r)?)),
            Choice::Root(2) => Self::Connect(Box::new(ConnectUuie::decode(r)?)),
            Choice::Root(3) => Self::Alerting(Box::new(AlertingUuie::decode(r)?)),
            Choice::Root(4) => Self::Information(Box::new(InformationUuie::decode(r)?)),
            Choice::Root(5) => Self::ReleaseComplete(Box::new(ReleaseCompleteUuie::decode(r)?)),
            Choice::Root(6) => Self::Facility(Box::new(FacilityUuie::decode(r)?)),
            // `choice` bounds root indices; a root alternative has no length to skip it by.
            Choice::Root(index) => {
                return Err(r.error(PerErrorKind::UnknownAlternative {
                    what: Self::NAME,
                    index,
                }))
            }
            Choice::Extension(index) => {
                let contents = r.open_type(Self::NAME)?;
                match index {
                    // A body with tokens is not typed yet: kept like any unknown body.
                    PROGRESS_EXTENSION => typed::<ProgressUuie>(r, index, contents, Self::Progress),
                    EMPTY_EXTENSION if contents == NULL_OPEN_TYPE => Self::Empty,
                    STATUS_EXTENSION => typed::<StatusUuie>(r, index, contents, Self::Status),
                    STATUS_INQUIRY_EXTENSION => {
                        typed::<StatusInquiryUuie>(r, index, contents, Self::StatusInquiry)
                    }
                    SETUP_ACKNOWLEDGE_EXTENSION => {
                        typed::<SetupAcknowledgeUuie>(r, index, contents, Self::SetupAcknowledge)
                    }
                    NOTIFY_EXTENSION => typed::<NotifyUuie>(r, index, contents, Self::Notify),
                    _ => Self::Unknown { index, contents },
                }
            }
        })
    }

    fn encode(w: &mut Writer, v: &Self) -> Result<(), PerError> {
        let root = |w: &mut Writer, i| w.choice_root(i, BODY_ROOT_ALTERNATIVES, true, Self::NAME);
        match v {
            Self::Setup(m) => {
                root(w, 0)?;
                SetupUuie::encode(w, m)
            }
            Self::CallProceeding(m) => {
                root(w, 1)?;
                CallProceedingUuie::encode(w, m)
            }
            Self::Connect(m) => {
                root(w, 2)?;
                ConnectUuie::encode(w, m)
            }
            Self::Alerting(m) => {
                root(w, 3)?;
                AlertingUuie::encode(w, m)
            }
            Self::Information(m) => {
                root(w, 4)?;
                InformationUuie::encode(w, m)
            }
            Self::ReleaseComplete(m) => {
                root(w, 5)?;
                ReleaseCompleteUuie::encode(w, m)
            }
            Self::Facility(m) => {
                root(w, 6)?;
                FacilityUuie::encode(w, m)
            }
            Self::Progress(m) => extension::<ProgressUuie>(w, PROGRESS_EXTENSION, m),
            Self::Empty => w.choice_extension(EMPTY_EXTENSION, &NULL_OPEN_TYPE, Self::NAME),
            Self::Status(m) => extension::<StatusUuie>(w, STATUS_EXTENSION, m),
            Self::StatusInquiry(m) => {
                extension::<StatusInquiryUuie>(w, STATUS_INQUIRY_EXTENSION, m)
            }
            Self::SetupAcknowledge(m) => {
                extension::<SetupAcknowledgeUuie>(w, SETUP_ACKNOWLEDGE_EXTENSION, m)
            }
            Self::Notify(m) => extension::<NotifyUuie>(w, NOTIFY_EXTENSION, m),
            Self::Unknown { index, contents } => w.choice_extension(*index, contents, Self::NAME),
        }
    }
}

/// An extension alternative's body decoded as `F`, or kept as octets when it does not decode
/// (tokens not typed yet, a newer sender's form): the PDU survives either way.
fn typed<F: Field<Value = F>>(
    r: &Reader<'_>,
    index: usize,
    contents: Vec<u8>,
    wrap: fn(Box<F>) -> MessageBody,
) -> MessageBody {
    match decode_whole::<F>(r, &contents) {
        Ok(v) => wrap(Box::new(v)),
        Err(_) => MessageBody::Unknown { index, contents },
    }
}

/// Writes an extension alternative's body as its open type.
fn extension<F: Field<Value = F>>(w: &mut Writer, index: usize, v: &F) -> Result<(), PerError> {
    let contents = encode_whole::<F>(v)?;
    w.choice_extension(index, &contents, MessageBody::NAME)
}

ras_sequence! {
    /// H323-UU-PDU: the message body and, in its extension additions, tunnelled H.245,
    /// H.450 supplementary services and generic data.
    pub struct UuPdu {
        h323_message_body: req MessageBody,
        non_standard_data: opt NonStandardParameter,
    }
}

ras_additions!(UuPdu {
    0 => h4501_supplementary_service, set_h4501_supplementary_service: OctetsList,
    1 => h245_tunneling, set_h245_tunneling: Bool,
    2 => h245_control, set_h245_control: OctetsList,
    3 => non_standard_control, set_non_standard_control: SeqOf<NonStandardParameter>,
    6 => provisional_resp_to_h245_tunneling, set_provisional_resp_to_h245_tunneling: Null,
    8 => generic_data, set_generic_data: SeqOf<GenericData>,
});

ras_sequence! {
    /// H323-UserInformation: the root of every H.225.0 call signalling message.
    pub struct UserInformation {
        h323_uu_pdu: req UuPdu,
        user_data: opt UserData,
    }
}

impl UserInformation {
    /// Decodes the contents of a Q.931 user-user element (after its protocol
    /// discriminator). Octets after the value are an error, so what decodes re-encodes to
    /// the same length.
    pub fn decode(octets: &[u8]) -> Result<Self, PerError> {
        let mut r = Reader::new(octets);
        let v = <Self as Field>::decode(&mut r)?;
        if r.remaining() >= 8 {
            return Err(r.error(PerErrorKind::BadLength {
                what: "H323-UserInformation (octets after the end)",
            }));
        }
        Ok(v)
    }

    pub fn encode(&self) -> Result<Vec<u8>, PerError> {
        let mut w = Writer::new();
        <Self as Field>::encode(&mut w, self)?;
        Ok(w.finish())
    }

    /// The message body.
    pub fn body(&self) -> &MessageBody {
        &self.h323_uu_pdu.h323_message_body
    }
}
