//! The H.225.0 v8 UUIE bodies carried in an H323-UU-PDU: the root components of each are
//! typed; extension additions stay octets (see [`crate::ras::Extensions`]) with accessors for
//! what a gateway reads first (call identifier, fastStart proposals, connection reuse).
//!
//! fastStart elements are H.245 OpenLogicalChannel encodings; they are returned as octets
//! here and decoded by the H.245 codec, so this module does not depend on it.

use crate::h245::codec::Boxed;
use crate::per::{PerError, PerErrorKind, Reader, Writer};
use crate::ras::field::{
    ras_additions, ras_sequence, Bool, Field, Guid, Identifier, Null, Octets, Oid, SeqOf,
};
use crate::ras::{
    AliasAddress, CallIdentifier, CallType, EndpointType, FeatureSet, NullChoice, QseriesOptions,
    TransportAddress,
};

/// CallReferenceValue: INTEGER (0..65535), in Setup's destExtraCRV.
pub struct CallRef;

impl Field for CallRef {
    type Value = u16;
    const NAME: &'static str = "CallReferenceValue";
    fn decode(r: &mut Reader<'_>) -> Result<u16, PerError> {
        // The bounds make the conversion lossless.
        Ok(r.constrained(0, 65_535, Self::NAME)? as u16)
    }
    fn encode(w: &mut Writer, v: &u16) -> Result<(), PerError> {
        w.constrained(i64::from(*v), 0, 65_535, Self::NAME)
    }
}

/// A root component whose type (H.235 ClearToken, CryptoH323Token, H245Security) this
/// codec does not decode yet: present on the wire, it fails with
/// [`PerErrorKind::NotTyped`], and the UUIE that holds it (an extension alternative) is kept
/// as octets by the caller. Absent, it costs nothing.
pub struct NotTyped;

impl Field for NotTyped {
    type Value = Vec<u8>;
    const NAME: &'static str = "H.235 tokens / H245Security";
    fn decode(r: &mut Reader<'_>) -> Result<Vec<u8>, PerError> {
        Err(r.error(PerErrorKind::NotTyped { what: Self::NAME }))
    }
    fn encode(w: &mut Writer, _: &Vec<u8>) -> Result<(), PerError> {
        Err(PerError {
            kind: PerErrorKind::NotTyped { what: Self::NAME },
            bit_offset: w.bit_offset(),
        })
    }
}

/// fastStart, h245Control, parallelH245Control: SEQUENCE OF OCTET STRING (each element an
/// H.245 PDU in aligned PER, left undecoded here).
pub type OctetsList = SeqOf<Octets>;

ras_sequence! {
    /// Setup-UUIE: the call request, with the caller's identity and the conference it
    /// creates or joins. `source_info` is boxed: inline it made the struct just over 1 KB,
    /// past the allocator's small-object cache for the boxed body.
    pub struct SetupUuie {
        protocol_identifier: req Oid,
        h245_address: opt TransportAddress,
        source_address: opt SeqOf<AliasAddress>,
        source_info: req Boxed<EndpointType>,
        destination_address: opt SeqOf<AliasAddress>,
        dest_call_signal_address: opt TransportAddress,
        dest_extra_call_info: opt SeqOf<AliasAddress>,
        dest_extra_crv: opt SeqOf<CallRef>,
        active_mc: req Bool,
        conference_id: req Guid,
        /// create, join, invite; extensions capability-negotiation and
        /// callIndependentSupplementaryService kept as octets.
        conference_goal: req NullChoice<3>,
        call_services: opt QseriesOptions,
        call_type: req CallType,
    }
}

ras_additions!(SetupUuie {
    0 => source_call_signal_address, set_source_call_signal_address: TransportAddress,
    1 => remote_extension_address, set_remote_extension_address: AliasAddress,
    2 => call_identifier, set_call_identifier: CallIdentifier,
    6 => fast_start, set_fast_start: OctetsList,
    7 => media_wait_for_connect, set_media_wait_for_connect: Bool,
    8 => can_overlap_send, set_can_overlap_send: Bool,
    9 => endpoint_identifier, set_endpoint_identifier: Identifier,
    10 => multiple_calls, set_multiple_calls: Bool,
    11 => maintain_connection, set_maintain_connection: Bool,
    17 => symmetric_operation_required, set_symmetric_operation_required: Null,
    24 => parallel_h245_control, set_parallel_h245_control: OctetsList,
});

ras_sequence! {
    /// CallProceeding-UUIE: the callee (or its gatekeeper) is working on the call.
    pub struct CallProceedingUuie {
        protocol_identifier: req Oid,
        destination_info: req EndpointType,
        h245_address: opt TransportAddress,
    }
}

ras_additions!(CallProceedingUuie {
    0 => call_identifier, set_call_identifier: CallIdentifier,
    4 => fast_start, set_fast_start: OctetsList,
    5 => multiple_calls, set_multiple_calls: Bool,
    6 => maintain_connection, set_maintain_connection: Bool,
    7 => fast_connect_refused, set_fast_connect_refused: Null,
    8 => feature_set, set_feature_set: FeatureSet,
});

ras_sequence! {
    /// Connect-UUIE: the callee answered.
    pub struct ConnectUuie {
        protocol_identifier: req Oid,
        h245_address: opt TransportAddress,
        destination_info: req EndpointType,
        conference_id: req Guid,
    }
}

ras_additions!(ConnectUuie {
    0 => call_identifier, set_call_identifier: CallIdentifier,
    4 => fast_start, set_fast_start: OctetsList,
    5 => multiple_calls, set_multiple_calls: Bool,
    6 => maintain_connection, set_maintain_connection: Bool,
    8 => connected_address, set_connected_address: SeqOf<AliasAddress>,
    11 => fast_connect_refused, set_fast_connect_refused: Null,
    14 => feature_set, set_feature_set: FeatureSet,
});

ras_sequence! {
    /// Alerting-UUIE: the callee is ringing.
    pub struct AlertingUuie {
        protocol_identifier: req Oid,
        destination_info: req EndpointType,
        h245_address: opt TransportAddress,
    }
}

ras_additions!(AlertingUuie {
    0 => call_identifier, set_call_identifier: CallIdentifier,
    4 => fast_start, set_fast_start: OctetsList,
    5 => multiple_calls, set_multiple_calls: Bool,
    6 => maintain_connection, set_maintain_connection: Bool,
    7 => alerting_address, set_alerting_address: SeqOf<AliasAddress>,
    10 => fast_connect_refused, set_fast_connect_refused: Null,
    13 => feature_set, set_feature_set: FeatureSet,
});

ras_sequence! {
    /// Information-UUIE: overlap digits and other call information.
    pub struct InformationUuie {
        protocol_identifier: req Oid,
    }
}

ras_additions!(InformationUuie {
    0 => call_identifier, set_call_identifier: CallIdentifier,
    3 => fast_start, set_fast_start: OctetsList,
    4 => fast_connect_refused, set_fast_connect_refused: Null,
});

/// ReleaseCompleteReason: twelve NULL root alternatives (noBandwidth ... undefinedReason);
/// the extension alternatives (securityDenied, nonStandardReason, ...) are kept as octets in
/// [`crate::ras::Reason::Extension`].
pub type ReleaseCompleteReason = NullChoice<12>;

ras_sequence! {
    /// ReleaseComplete-UUIE: the call is over, with the H.225.0 reason when given.
    pub struct ReleaseCompleteUuie {
        protocol_identifier: req Oid,
        reason: opt ReleaseCompleteReason,
    }
}

ras_additions!(ReleaseCompleteUuie {
    0 => call_identifier, set_call_identifier: CallIdentifier,
    3 => busy_address, set_busy_address: SeqOf<AliasAddress>,
    8 => feature_set, set_feature_set: FeatureSet,
    9 => destination_info, set_destination_info: EndpointType,
});

/// FacilityReason: routeCallToGatekeeper, callForwarded, routeCallToMC, undefinedReason;
/// extension alternatives (startH245, transportedInformation, ...) kept as octets.
pub type FacilityReason = NullChoice<4>;

ras_sequence! {
    /// Facility-UUIE: redirection, H.245 start, or (with transportedInformation) a carrier
    /// for tunnelled H.245 and supplementary services.
    pub struct FacilityUuie {
        protocol_identifier: req Oid,
        alternative_address: opt TransportAddress,
        alternative_alias_address: opt SeqOf<AliasAddress>,
        conference_id: opt Guid,
        reason: req FacilityReason,
    }
}

ras_additions!(FacilityUuie {
    0 => call_identifier, set_call_identifier: CallIdentifier,
    1 => dest_extra_call_info, set_dest_extra_call_info: SeqOf<AliasAddress>,
    2 => remote_extension_address, set_remote_extension_address: AliasAddress,
    6 => h245_address, set_h245_address: TransportAddress,
    7 => fast_start, set_fast_start: OctetsList,
    8 => multiple_calls, set_multiple_calls: Bool,
    9 => maintain_connection, set_maintain_connection: Bool,
    10 => fast_connect_refused, set_fast_connect_refused: Null,
    13 => feature_set, set_feature_set: FeatureSet,
    14 => destination_info, set_destination_info: EndpointType,
});

ras_sequence! {
    /// Progress-UUIE (an extension alternative of the message body): in-band progress,
    /// typically early media. Its tokens and security mode are root components not typed
    /// yet: a Progress carrying them is kept as octets.
    pub struct ProgressUuie {
        protocol_identifier: req Oid,
        destination_info: req EndpointType,
        h245_address: opt TransportAddress,
        call_identifier: req CallIdentifier,
        h245_security_mode: opt NotTyped,
        tokens: opt NotTyped,
        crypto_tokens: opt NotTyped,
        fast_start: opt OctetsList,
    }
}

ras_additions!(ProgressUuie {
    0 => multiple_calls, set_multiple_calls: Bool,
    1 => maintain_connection, set_maintain_connection: Bool,
    2 => fast_connect_refused, set_fast_connect_refused: Null,
});

ras_sequence! {
    /// Status-UUIE (extension alternative 2 of the body): the answer to a Status Enquiry. Its
    /// tokens are root components not typed yet: a Status carrying them is kept as octets.
    pub struct StatusUuie {
        protocol_identifier: req Oid,
        call_identifier: req CallIdentifier,
        tokens: opt NotTyped,
        crypto_tokens: opt NotTyped,
    }
}

ras_sequence! {
    /// StatusInquiry-UUIE (extension alternative 3): asks the peer for its call state.
    pub struct StatusInquiryUuie {
        protocol_identifier: req Oid,
        call_identifier: req CallIdentifier,
        tokens: opt NotTyped,
        crypto_tokens: opt NotTyped,
    }
}

ras_sequence! {
    /// SetupAcknowledge-UUIE (extension alternative 4): overlap sending, more digits wanted.
    pub struct SetupAcknowledgeUuie {
        protocol_identifier: req Oid,
        call_identifier: req CallIdentifier,
        tokens: opt NotTyped,
        crypto_tokens: opt NotTyped,
    }
}

ras_sequence! {
    /// Notify-UUIE (extension alternative 5): call information changed mid-call (the
    /// connected party's identity, typically after a transfer).
    pub struct NotifyUuie {
        protocol_identifier: req Oid,
        call_identifier: req CallIdentifier,
        tokens: opt NotTyped,
        crypto_tokens: opt NotTyped,
    }
}

ras_additions!(NotifyUuie {
    0 => connected_address, set_connected_address: SeqOf<AliasAddress>,
    3 => destination_info, set_destination_info: EndpointType,
});
