//! Admission, bandwidth and disengage (H.225.0 §7.11 to §7.13): ARQ/ACF/ARJ, BRQ/BCF/BRJ and
//! DRQ/DCF/DRJ, what a registered gateway exchanges around every call.

use super::address::{AliasAddress, TransportAddress};
use super::common::{CallIdentifier, CallModel, CallType, NullChoice};
use super::endpoint::{EndpointType, QseriesOptions};
use super::field::{
    ras_additions, ras_sequence, BandWidth, Bool, CallRef, Guid, Identifier, SeqNum, SeqOf,
    U16NonZero,
};
use super::gatekeeper::{AltGKInfo, AlternateGK};
use super::generic::{FeatureSet, GenericData};
use super::NonStandardParameter;

ras_sequence! {
    /// AdmissionRequest (ARQ): permission to place or answer a call.
    pub struct AdmissionRequest {
        request_seq_num: req SeqNum,
        call_type: req CallType,
        call_model: opt CallModel,
        endpoint_identifier: req Identifier,
        destination_info: opt SeqOf<AliasAddress>,
        dest_call_signal_address: opt TransportAddress,
        dest_extra_call_info: opt SeqOf<AliasAddress>,
        src_info: req SeqOf<AliasAddress>,
        src_call_signal_address: opt TransportAddress,
        band_width: req BandWidth,
        call_reference_value: req CallRef,
        non_standard: opt NonStandardParameter,
        call_services: opt QseriesOptions,
        conference_id: req Guid,
        active_mc: req Bool,
        answer_call: req Bool,
    }
}

ras_additions!(AdmissionRequest {
    0 => can_map_alias, set_can_map_alias: Bool,
    1 => call_identifier, set_call_identifier: CallIdentifier,
    4 => gatekeeper_identifier, set_gatekeeper_identifier: Identifier,
    9 => will_supply_uuies, set_will_supply_uuies: Bool,
    16 => feature_set, set_feature_set: FeatureSet,
    17 => generic_data, set_generic_data: SeqOf<GenericData>,
    18 => can_map_src_alias, set_can_map_src_alias: Bool,
});

ras_sequence! {
    /// UUIEsRequested: which call-signalling messages the gatekeeper wants copies of.
    pub struct UuiesRequested {
        setup: req Bool,
        call_proceeding: req Bool,
        connect: req Bool,
        alerting: req Bool,
        information: req Bool,
        release_complete: req Bool,
        facility: req Bool,
        progress: req Bool,
        empty: req Bool,
    }
}

ras_sequence! {
    /// AdmissionConfirm (ACF): the call admitted, with where to send the Setup.
    pub struct AdmissionConfirm {
        request_seq_num: req SeqNum,
        band_width: req BandWidth,
        call_model: req CallModel,
        dest_call_signal_address: req TransportAddress,
        irr_frequency: opt U16NonZero,
        non_standard: opt NonStandardParameter,
    }
}

ras_additions!(AdmissionConfirm {
    0 => destination_info, set_destination_info: SeqOf<AliasAddress>,
    1 => dest_extra_call_info, set_dest_extra_call_info: SeqOf<AliasAddress>,
    2 => destination_type, set_destination_type: EndpointType,
    9 => will_respond_to_irr, set_will_respond_to_irr: Bool,
    10 => uuies_requested, set_uuies_requested: UuiesRequested,
    18 => multiple_calls, set_multiple_calls: Bool,
    19 => feature_set, set_feature_set: FeatureSet,
    20 => generic_data, set_generic_data: SeqOf<GenericData>,
    22 => assigned_gatekeeper, set_assigned_gatekeeper: AlternateGK,
});

ras_sequence! {
    /// AdmissionReject (ARJ). Root reasons: calledPartyNotRegistered (0),
    /// invalidPermission (1), requestDenied (2), undefinedReason (3), callerNotRegistered (4),
    /// routeCallToGatekeeper (5), invalidEndpointIdentifier (6), resourceUnavailable (7).
    pub struct AdmissionReject {
        request_seq_num: req SeqNum,
        reject_reason: req NullChoice<8>,
        non_standard: opt NonStandardParameter,
    }
}

ras_additions!(AdmissionReject {
    0 => alt_gk_info, set_alt_gk_info: AltGKInfo,
    3 => call_signal_address, set_call_signal_address: SeqOf<TransportAddress>,
    6 => feature_set, set_feature_set: FeatureSet,
    7 => generic_data, set_generic_data: SeqOf<GenericData>,
    8 => assigned_gatekeeper, set_assigned_gatekeeper: AlternateGK,
});

ras_sequence! {
    /// BandwidthRequest (BRQ): a call's bandwidth to change.
    pub struct BandwidthRequest {
        request_seq_num: req SeqNum,
        endpoint_identifier: req Identifier,
        conference_id: req Guid,
        call_reference_value: req CallRef,
        call_type: opt CallType,
        band_width: req BandWidth,
        non_standard: opt NonStandardParameter,
    }
}

ras_additions!(BandwidthRequest {
    0 => call_identifier, set_call_identifier: CallIdentifier,
    1 => gatekeeper_identifier, set_gatekeeper_identifier: Identifier,
    5 => answered_call, set_answered_call: Bool,
    10 => generic_data, set_generic_data: SeqOf<GenericData>,
});

ras_sequence! {
    /// BandwidthConfirm (BCF).
    pub struct BandwidthConfirm {
        request_seq_num: req SeqNum,
        band_width: req BandWidth,
        non_standard: opt NonStandardParameter,
    }
}

ras_additions!(BandwidthConfirm {
    4 => generic_data, set_generic_data: SeqOf<GenericData>,
});

ras_sequence! {
    /// BandwidthReject (BRJ). Reasons: notBound (0), invalidConferenceID (1),
    /// invalidPermission (2), insufficientResources (3), invalidRevision (4),
    /// undefinedReason (5).
    pub struct BandwidthReject {
        request_seq_num: req SeqNum,
        reject_reason: req NullChoice<6>,
        allowed_band_width: req BandWidth,
        non_standard: opt NonStandardParameter,
    }
}

ras_additions!(BandwidthReject {
    0 => alt_gk_info, set_alt_gk_info: AltGKInfo,
    4 => generic_data, set_generic_data: SeqOf<GenericData>,
});

ras_sequence! {
    /// DisengageRequest (DRQ): a call ended. Reasons: forcedDrop (0), normalDrop (1),
    /// undefinedReason (2).
    pub struct DisengageRequest {
        request_seq_num: req SeqNum,
        endpoint_identifier: req Identifier,
        conference_id: req Guid,
        call_reference_value: req CallRef,
        disengage_reason: req NullChoice<3>,
        non_standard: opt NonStandardParameter,
    }
}

ras_additions!(DisengageRequest {
    0 => call_identifier, set_call_identifier: CallIdentifier,
    1 => gatekeeper_identifier, set_gatekeeper_identifier: Identifier,
    5 => answered_call, set_answered_call: Bool,
    12 => generic_data, set_generic_data: SeqOf<GenericData>,
});

ras_sequence! {
    /// DisengageConfirm (DCF).
    pub struct DisengageConfirm {
        request_seq_num: req SeqNum,
        non_standard: opt NonStandardParameter,
    }
}

ras_additions!(DisengageConfirm {
    6 => generic_data, set_generic_data: SeqOf<GenericData>,
    7 => assigned_gatekeeper, set_assigned_gatekeeper: AlternateGK,
});

ras_sequence! {
    /// DisengageReject (DRJ). Reasons: notRegistered (0), requestToDropOther (1).
    pub struct DisengageReject {
        request_seq_num: req SeqNum,
        reject_reason: req NullChoice<2>,
        non_standard: opt NonStandardParameter,
    }
}

ras_additions!(DisengageReject {
    0 => alt_gk_info, set_alt_gk_info: AltGKInfo,
    4 => generic_data, set_generic_data: SeqOf<GenericData>,
});
