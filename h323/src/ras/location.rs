//! Location (H.225.0 §7.14): LocationRequest, LocationConfirm and LocationReject, how a
//! gatekeeper or endpoint finds where an alias is reachable.

use super::address::{AliasAddress, TransportAddress};
use super::common::{CallIdentifier, NullChoice};
use super::endpoint::EndpointType;
use super::field::{
    ras_additions, ras_sequence, BandWidth, Bool, Identifier, SeqNum, SeqOf, U8NonZero,
};
use super::gatekeeper::AltGKInfo;
use super::generic::{FeatureSet, GenericData};
use super::NonStandardParameter;

ras_sequence! {
    /// LocationRequest (LRQ).
    pub struct LocationRequest {
        request_seq_num: req SeqNum,
        endpoint_identifier: opt Identifier,
        destination_info: req SeqOf<AliasAddress>,
        non_standard: opt NonStandardParameter,
        reply_address: req TransportAddress,
    }
}

ras_additions!(LocationRequest {
    0 => source_info, set_source_info: SeqOf<AliasAddress>,
    1 => can_map_alias, set_can_map_alias: Bool,
    2 => gatekeeper_identifier, set_gatekeeper_identifier: Identifier,
    8 => feature_set, set_feature_set: FeatureSet,
    9 => generic_data, set_generic_data: SeqOf<GenericData>,
    10 => hop_count, set_hop_count: U8NonZero,
    12 => call_identifier, set_call_identifier: CallIdentifier,
    13 => band_width, set_band_width: BandWidth,
    15 => can_map_src_alias, set_can_map_src_alias: Bool,
});

ras_sequence! {
    /// LocationConfirm (LCF): where the alias is reachable.
    pub struct LocationConfirm {
        request_seq_num: req SeqNum,
        call_signal_address: req TransportAddress,
        ras_address: req TransportAddress,
        non_standard: opt NonStandardParameter,
    }
}

ras_additions!(LocationConfirm {
    0 => destination_info, set_destination_info: SeqOf<AliasAddress>,
    2 => destination_type, set_destination_type: EndpointType,
    11 => feature_set, set_feature_set: FeatureSet,
    12 => generic_data, set_generic_data: SeqOf<GenericData>,
    16 => band_width, set_band_width: BandWidth,
});

ras_sequence! {
    /// LocationReject (LRJ). Root reasons: notRegistered (0), invalidPermission (1),
    /// requestDenied (2), undefinedReason (3).
    pub struct LocationReject {
        request_seq_num: req SeqNum,
        reject_reason: req NullChoice<4>,
        non_standard: opt NonStandardParameter,
    }
}

ras_additions!(LocationReject {
    0 => alt_gk_info, set_alt_gk_info: AltGKInfo,
    4 => feature_set, set_feature_set: FeatureSet,
    5 => generic_data, set_generic_data: SeqOf<GenericData>,
});
