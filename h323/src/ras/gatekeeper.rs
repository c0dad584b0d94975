//! Gatekeeper discovery (H.225.0 §7.8): GatekeeperRequest, GatekeeperConfirm and
//! GatekeeperReject, and the alternate-gatekeeper lists the confirms and rejects carry.

use super::address::{AliasAddress, TransportAddress};
use super::common::NullChoice;
use super::endpoint::{EndpointType, QseriesOptions};
use super::field::{
    ras_additions, ras_sequence, Bool, Identifier, Null, Oid, Priority, SeqNum, SeqOf,
};
use super::generic::{FeatureSet, GenericData};
use super::NonStandardParameter;

ras_sequence! {
    /// AlternateGK: a gatekeeper to turn to when this one fails.
    pub struct AlternateGK {
        ras_address: req TransportAddress,
        gatekeeper_identifier: opt Identifier,
        need_to_register: req Bool,
        priority: req Priority,
    }
}

ras_sequence! {
    /// AltGKInfo: the alternate gatekeepers a reject points to.
    pub struct AltGKInfo {
        alternate_gatekeeper: req SeqOf<AlternateGK>,
        alt_gk_is_permanent: req Bool,
    }
}

ras_sequence! {
    /// GatekeeperRequest (GRQ): an endpoint looking for a gatekeeper to register with.
    pub struct GatekeeperRequest {
        request_seq_num: req SeqNum,
        protocol_identifier: req Oid,
        non_standard: opt NonStandardParameter,
        ras_address: req TransportAddress,
        endpoint_type: req EndpointType,
        gatekeeper_identifier: opt Identifier,
        call_services: opt QseriesOptions,
        endpoint_alias: opt SeqOf<AliasAddress>,
    }
}

ras_additions!(GatekeeperRequest {
    7 => supports_alt_gk, set_supports_alt_gk: Null,
    8 => feature_set, set_feature_set: FeatureSet,
    9 => generic_data, set_generic_data: SeqOf<GenericData>,
    10 => supports_assigned_gk, set_supports_assigned_gk: Bool,
    11 => assigned_gatekeeper, set_assigned_gatekeeper: AlternateGK,
});

ras_sequence! {
    /// GatekeeperConfirm (GCF): a gatekeeper accepting to serve the endpoint.
    pub struct GatekeeperConfirm {
        request_seq_num: req SeqNum,
        protocol_identifier: req Oid,
        non_standard: opt NonStandardParameter,
        gatekeeper_identifier: opt Identifier,
        ras_address: req TransportAddress,
    }
}

ras_additions!(GatekeeperConfirm {
    0 => alternate_gatekeeper, set_alternate_gatekeeper: SeqOf<AlternateGK>,
    7 => feature_set, set_feature_set: FeatureSet,
    8 => generic_data, set_generic_data: SeqOf<GenericData>,
    9 => assigned_gatekeeper, set_assigned_gatekeeper: AlternateGK,
});

ras_sequence! {
    /// GatekeeperReject (GRJ). Reasons: resourceUnavailable (0), terminalExcluded (1),
    /// invalidRevision (2), undefinedReason (3); later ones are extensions.
    pub struct GatekeeperReject {
        request_seq_num: req SeqNum,
        protocol_identifier: req Oid,
        non_standard: opt NonStandardParameter,
        gatekeeper_identifier: opt Identifier,
        reject_reason: req NullChoice<4>,
    }
}

ras_additions!(GatekeeperReject {
    0 => alt_gk_info, set_alt_gk_info: AltGKInfo,
    4 => feature_set, set_feature_set: FeatureSet,
    5 => generic_data, set_generic_data: SeqOf<GenericData>,
});
