//! H.245's generic extensibility: NonStandardParameter, CapabilityIdentifier,
//! GenericParameter (with ParameterValue's recursion bounded) and GenericCapability, the
//! frame H.264 (H.241), H.239 and G.722.1 capabilities and the GenericRequest, Response,
//! Command and Indication messages are written in.

use serde::Serialize;

use super::codec::{h245_choice, h245_sequence, Ia5, Int, List, OctetsSized};
use super::data::DataProtocolCapability;
use crate::limits::{MAX_H245_GENERIC_DEPTH, MAX_H245_LIST};
use crate::per::{Choice, ObjectIdentifier, PerError, PerErrorKind, Reader, Writer};
use crate::ras::field::{Field, Octets, Oid};

h245_sequence! {
    /// H.221 non-standard identifier: T.35 country and manufacturer (not extensible in
    /// H.245, unlike H.225.0's).
    pub struct H221NonStandard {
        t35_country_code: req Int<0, 255>,
        t35_extension: req Int<0, 255>,
        manufacturer_code: req Int<0, 65_535>,
    }
}

h245_choice! {
    /// Who defines a non-standard parameter.
    pub enum NonStandardIdentifier(2) {
        0 => Object(Oid),
        1 => H221NonStandard(H221NonStandard),
    }
}

h245_sequence! {
    /// NonStandardParameter: vendor data under a vendor identifier.
    pub struct NonStandardParameter {
        non_standard_identifier: req NonStandardIdentifier,
        data: req Octets,
    }
}

h245_sequence! {
    /// NonStandardMessage: the nonStandard alternative of every message class.
    pub struct NonStandardMessage ext {
        non_standard_data: req NonStandardParameter,
    }
}

h245_choice! {
    /// What a generic capability or message is: a standard OID (H.241, H.239, ...), a
    /// vendor's, a UUID or a domain name.
    pub enum CapabilityIdentifier(4, ...) {
        0 => Standard(Oid),
        1 => H221NonStandard(NonStandardParameter),
        2 => Uuid(OctetsSized<16, 16>),
        3 => DomainBased(Ia5<1, 64>),
    } {}
}

h245_choice! {
    /// Which parameter of a generic capability or message: standard ones are numbered by
    /// the recommendation that defines the capability.
    pub enum ParameterIdentifier(4, ...) {
        0 => Standard(Int<0, 127>),
        1 => H221NonStandard(NonStandardParameter),
        2 => Uuid(OctetsSized<16, 16>),
        3 => DomainBased(Ia5<1, 64>),
    } {}
}

/// ParameterValue. `GenericParameter` nests parameters without an open type between the
/// levels, so its depth is bounded by [`MAX_H245_GENERIC_DEPTH`] here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParameterValue {
    Logical,
    BooleanArray(u8),
    UnsignedMin(u16),
    UnsignedMax(u16),
    Unsigned32Min(u32),
    Unsigned32Max(u32),
    OctetString(Vec<u8>),
    GenericParameter(Vec<GenericParameter>),
    Unknown { index: usize, contents: Vec<u8> },
}

/// Root alternatives of ParameterValue.
const PARAMETER_VALUE_ROOT: usize = 8;

impl ParameterValue {
    fn decode_at(r: &mut Reader<'_>, depth: usize) -> Result<Self, PerError> {
        const WHAT: &str = "ParameterValue";
        // The bounds make every conversion below lossless.
        Ok(match r.choice(PARAMETER_VALUE_ROOT, true, WHAT)? {
            Choice::Root(0) => Self::Logical,
            Choice::Root(1) => Self::BooleanArray(r.constrained(0, 255, "booleanArray")? as u8),
            Choice::Root(2) => Self::UnsignedMin(r.constrained(0, 65_535, "unsignedMin")? as u16),
            Choice::Root(3) => Self::UnsignedMax(r.constrained(0, 65_535, "unsignedMax")? as u16),
            Choice::Root(4) => {
                Self::Unsigned32Min(r.constrained(0, 4_294_967_295, "unsigned32Min")? as u32)
            }
            Choice::Root(5) => {
                Self::Unsigned32Max(r.constrained(0, 4_294_967_295, "unsigned32Max")? as u32)
            }
            Choice::Root(6) => Self::OctetString(r.octet_string(0, None, "octetString")?),
            Choice::Root(_) => {
                if depth >= MAX_H245_GENERIC_DEPTH {
                    return Err(r.error(PerErrorKind::TooDeep {
                        limit: MAX_H245_GENERIC_DEPTH,
                    }));
                }
                Self::GenericParameter(decode_parameters(r, depth + 1)?)
            }
            Choice::Extension(index) => Self::Unknown {
                index,
                contents: r.open_type(WHAT)?,
            },
        })
    }

    fn encode(&self, w: &mut Writer) -> Result<(), PerError> {
        const WHAT: &str = "ParameterValue";
        let root = |w: &mut Writer, i| w.choice_root(i, PARAMETER_VALUE_ROOT, true, WHAT);
        match self {
            Self::Logical => root(w, 0),
            Self::BooleanArray(v) => {
                root(w, 1)?;
                w.constrained((*v).into(), 0, 255, "booleanArray")
            }
            Self::UnsignedMin(v) => {
                root(w, 2)?;
                w.constrained((*v).into(), 0, 65_535, "unsignedMin")
            }
            Self::UnsignedMax(v) => {
                root(w, 3)?;
                w.constrained((*v).into(), 0, 65_535, "unsignedMax")
            }
            Self::Unsigned32Min(v) => {
                root(w, 4)?;
                w.constrained((*v).into(), 0, 4_294_967_295, "unsigned32Min")
            }
            Self::Unsigned32Max(v) => {
                root(w, 5)?;
                w.constrained((*v).into(), 0, 4_294_967_295, "unsigned32Max")
            }
            Self::OctetString(v) => {
                root(w, 6)?;
                w.octet_string(v, 0, None, "octetString")
            }
            Self::GenericParameter(ps) => {
                root(w, 7)?;
                encode_parameters(w, ps)
            }
            Self::Unknown { index, contents } => w.choice_extension(*index, contents, WHAT),
        }
    }
}

/// GenericParameter: one identified value of a generic capability or message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GenericParameter {
    pub parameter_identifier: ParameterIdentifier,
    pub parameter_value: ParameterValue,
    pub supersedes: Option<Vec<ParameterIdentifier>>,
    pub extensions: super::codec::Extensions,
}

impl GenericParameter {
    /// A standard parameter (the numbering of H.241, H.239, G.722.1 ...).
    pub fn standard(id: u32, value: ParameterValue) -> Self {
        Self {
            parameter_identifier: ParameterIdentifier::Standard(id),
            parameter_value: value,
            supersedes: None,
            extensions: Default::default(),
        }
    }

    fn decode_at(r: &mut Reader<'_>, depth: usize) -> Result<Self, PerError> {
        let ext = r.extension_bit()?;
        let has_supersedes = r.bit("GenericParameter optionals")?;
        let parameter_identifier = ParameterIdentifier::decode(r)?;
        let parameter_value = ParameterValue::decode_at(r, depth)?;
        let supersedes = has_supersedes
            .then(|| List::<ParameterIdentifier, 0, { super::codec::UNBOUNDED }>::decode(r))
            .transpose()?;
        Ok(Self {
            parameter_identifier,
            parameter_value,
            supersedes,
            extensions: super::codec::Extensions::decode(r, ext)?,
        })
    }

    fn encode_value(&self, w: &mut Writer) -> Result<(), PerError> {
        w.extension_bit(self.extensions.is_extended());
        w.bit(self.supersedes.is_some());
        ParameterIdentifier::encode(w, &self.parameter_identifier)?;
        self.parameter_value.encode(w)?;
        if let Some(s) = &self.supersedes {
            List::<ParameterIdentifier, 0, { super::codec::UNBOUNDED }>::encode(w, s)?;
        }
        self.extensions.encode(w)
    }
}

fn decode_parameters(r: &mut Reader<'_>, depth: usize) -> Result<Vec<GenericParameter>, PerError> {
    let n = r.length(0, None, "GenericParameter list")?;
    if n > MAX_H245_LIST {
        return Err(r.error(PerErrorKind::TooMany {
            what: "GenericParameter list",
            count: n,
            limit: MAX_H245_LIST,
        }));
    }
    let mut out = Vec::with_capacity(n.min(16));
    for _ in 0..n {
        out.push(GenericParameter::decode_at(r, depth)?);
    }
    Ok(out)
}

fn encode_parameters(w: &mut Writer, ps: &[GenericParameter]) -> Result<(), PerError> {
    if ps.len() > MAX_H245_LIST {
        return Err(PerError {
            kind: PerErrorKind::TooMany {
                what: "GenericParameter list",
                count: ps.len(),
                limit: MAX_H245_LIST,
            },
            bit_offset: w.bit_offset(),
        });
    }
    w.length(ps.len(), 0, None, "GenericParameter list")?;
    ps.iter().try_for_each(|p| p.encode_value(w))
}

impl Field for GenericParameter {
    type Value = Self;
    const NAME: &'static str = "GenericParameter";
    fn decode(r: &mut Reader<'_>) -> Result<Self, PerError> {
        Self::decode_at(r, 0)
    }
    fn encode(w: &mut Writer, v: &Self) -> Result<(), PerError> {
        v.encode_value(w)
    }
}

/// `SEQUENCE OF GenericParameter`, at the top of a capability or message.
pub struct Parameters;

impl Field for Parameters {
    type Value = Vec<GenericParameter>;
    const NAME: &'static str = "GenericParameter list";
    fn decode(r: &mut Reader<'_>) -> Result<Self::Value, PerError> {
        decode_parameters(r, 0)
    }
    fn encode(w: &mut Writer, v: &Self::Value) -> Result<(), PerError> {
        encode_parameters(w, v)
    }
}

h245_sequence! {
    /// GenericCapability: a capability named by an identifier, with collapsing parameters
    /// (negotiated to their common value: H.264 profile, level, max-mbps, max-fs) and
    /// non-collapsing ones.
    pub struct GenericCapability ext {
        capability_identifier: req CapabilityIdentifier,
        /// In units of 100 bit/s.
        max_bit_rate: opt Int<0, 4_294_967_295>,
        collapsing: opt Parameters,
        non_collapsing: opt Parameters,
        non_collapsing_raw: opt Octets,
        transport: opt DataProtocolCapability,
    }
}

h245_sequence! {
    /// GenericMessage (and GenericInformation): the body of GenericRequest, Response,
    /// Command and Indication; H.239 names its messages by `sub_message_identifier`.
    pub struct GenericMessage ext {
        message_identifier: req CapabilityIdentifier,
        sub_message_identifier: opt Int<0, 127>,
        message_content: opt Parameters,
    }
}

/// `SEQUENCE OF GenericInformation`, the genericInformation addition of many messages.
pub type GenericInformationList = List<GenericMessage, 0, { super::codec::UNBOUNDED }>;

/// Standard OIDs and parameter numbers of the generic capabilities and messages a video
/// gateway meets.
pub mod oid {
    /// H.264 video (H.241 §8.3): itu-t recommendation h 241 specificVideoCodecCapabilities(0)
    /// h264(0) generic-capabilities(1).
    pub const H264: &[u64] = &[0, 0, 8, 241, 0, 0, 1];
    /// H.239 control capability (the endpoint takes part in the token protocol).
    pub const H239_CONTROL: &[u64] = &[0, 0, 8, 239, 1, 1];
    /// H.239 extended video capability (a second video channel with a role).
    pub const H239_EXTENDED_VIDEO: &[u64] = &[0, 0, 8, 239, 1, 2];
    /// H.239 generic messages (token request, response, release, owner indication,
    /// flow-control release).
    pub const H239_MESSAGE: &[u64] = &[0, 0, 8, 239, 2];
    /// G.722.1 (Siren 7) generic audio capability.
    pub const G7221: &[u64] = &[0, 0, 7, 7221, 1, 0];
    /// H.264 RTP packetization (H.241 §8.3.2, the payloadDescriptor of an H.264 channel's
    /// mediaPacketization): this arc and then the RFC 6184 packetization mode (0 single NAL
    /// unit as H.241 Annex A, 1 non-interleaved, 2 interleaved).
    pub const H264_PACKETIZATION: &[u64] = &[0, 0, 8, 241, 0, 0, 0];
}

/// The collapsing parameter numbers of H.241 for H.264.
pub mod h264 {
    /// booleanArray: 64 Baseline, 32 Main, 16 Extended, 8 High, ...
    pub const PROFILE: u32 = 41;
    /// unsignedMin: the level number of H.241 Table 7 (e.g. 29 = 1.2, 64 = 3, 85 = 4).
    pub const LEVEL: u32 = 42;
    /// unsignedMin: maximum macroblocks per second, in units of 500.
    pub const CUSTOM_MAX_MBPS: u32 = 3;
    /// unsignedMin: maximum frame size, in units of 256 macroblocks.
    pub const CUSTOM_MAX_FS: u32 = 4;
    /// unsignedMin: maximum decoded picture buffer, in units of 32768 bytes.
    pub const CUSTOM_MAX_DPB: u32 = 5;
    /// unsignedMin: maximum bit rate and coded picture buffer, in units of 25000 bit/s.
    pub const CUSTOM_MAX_BR_AND_CPB: u32 = 6;
    /// unsignedMin: maximum static macroblocks per second.
    pub const MAX_STATIC_MBPS: u32 = 7;
    /// booleanArray: the constraint_set flags of the profile (the profile-iop octet of an SDP
    /// `profile-level-id`, constraint_set0 in the most significant bit).
    pub const PROFILE_IOP: u32 = 46;
}

/// H.239 message numbers (subMessageIdentifier) and parameter numbers.
pub mod h239 {
    pub const FLOW_CONTROL_RELEASE_REQUEST: u32 = 1;
    pub const FLOW_CONTROL_RELEASE_RESPONSE: u32 = 2;
    pub const PRESENTATION_TOKEN_REQUEST: u32 = 3;
    pub const PRESENTATION_TOKEN_RESPONSE: u32 = 4;
    pub const PRESENTATION_TOKEN_RELEASE: u32 = 5;
    pub const PRESENTATION_TOKEN_INDICATE_OWNER: u32 = 6;
    /// unsignedMin: bit rate in units of 100 bit/s.
    pub const BIT_RATE: u32 = 41;
    /// unsignedMin: the logical channel number concerned.
    pub const CHANNEL_ID: u32 = 42;
    /// unsignedMin: random number breaking a tie between two token requests.
    pub const SYMMETRY_BREAKING: u32 = 43;
    /// unsignedMin: the terminal label of the token owner.
    pub const TERMINAL_LABEL: u32 = 44;
    /// logical: the request is acknowledged.
    pub const ACKNOWLEDGE: u32 = 126;
    /// logical: the request is rejected.
    pub const REJECT: u32 = 127;
    /// booleanArray in extendedVideoCapability: 1 presentation, 2 live.
    pub const ROLE_LABEL: u32 = 1;
}

/// An OBJECT IDENTIFIER from arcs the constants above hold (always valid).
pub fn standard_oid(arcs: &[u64]) -> Result<ObjectIdentifier, PerError> {
    ObjectIdentifier::from_arcs(arcs).ok_or(PerError {
        kind: PerErrorKind::BadObjectIdentifier,
        bit_offset: 0,
    })
}

impl CapabilityIdentifier {
    /// Whether this is the standard identifier with these arcs.
    pub fn is_standard(&self, arcs: &[u64]) -> bool {
        matches!(self, Self::Standard(oid) if oid.arcs() == arcs)
    }
}

impl GenericCapability {
    /// A standard generic capability with collapsing parameters.
    pub fn standard(
        arcs: &[u64],
        max_bit_rate: Option<u32>,
        collapsing: Vec<GenericParameter>,
    ) -> Result<Self, PerError> {
        Ok(Self {
            capability_identifier: CapabilityIdentifier::Standard(standard_oid(arcs)?),
            max_bit_rate,
            collapsing: (!collapsing.is_empty()).then_some(collapsing),
            non_collapsing: None,
            non_collapsing_raw: None,
            transport: None,
            extensions: Default::default(),
        })
    }

    /// The value of standard parameter `id`, collapsing or not.
    pub fn parameter(&self, id: u32) -> Option<&ParameterValue> {
        self.collapsing
            .iter()
            .chain(self.non_collapsing.iter())
            .flatten()
            .find(|p| p.parameter_identifier == ParameterIdentifier::Standard(id))
            .map(|p| &p.parameter_value)
    }
}

impl GenericMessage {
    /// An H.239 message: its number and standard parameters.
    pub fn h239(sub_message: u32, content: Vec<GenericParameter>) -> Result<Self, PerError> {
        Ok(Self {
            message_identifier: CapabilityIdentifier::Standard(standard_oid(oid::H239_MESSAGE)?),
            sub_message_identifier: Some(sub_message),
            message_content: (!content.is_empty()).then_some(content),
            extensions: Default::default(),
        })
    }

    /// The H.239 message number, when this is an H.239 message.
    pub fn h239_message(&self) -> Option<u32> {
        if self.message_identifier.is_standard(oid::H239_MESSAGE) {
            self.sub_message_identifier
        } else {
            None
        }
    }
}
