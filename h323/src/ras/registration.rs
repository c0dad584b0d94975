//! Registration and unregistration (H.225.0 §7.9, §7.10): RRQ/RCF/RRJ and URQ/UCF/URJ,
//! what a gateway exchanges with its gatekeeper to be reachable by its aliases.

use serde::Serialize;

use super::address::{AliasAddress, TransportAddress};
use super::common::{decode_list, encode_list, NullChoice, Reason};
use super::endpoint::{EndpointType, VendorIdentifier};
use super::field::{
    ras_additions, ras_sequence, Bool, Field, Identifier, Null, Oid, SeqNum, SeqOf, TimeToLive,
};
use super::gatekeeper::{AltGKInfo, AlternateGK};
use super::generic::{FeatureSet, GenericData};
use super::NonStandardParameter;
use crate::per::{Choice, PerError, PerErrorKind, Reader, Writer};

ras_sequence! {
    /// RegistrationRequest (RRQ): an endpoint registering its addresses and aliases.
    pub struct RegistrationRequest {
        request_seq_num: req SeqNum,
        protocol_identifier: req Oid,
        non_standard: opt NonStandardParameter,
        discovery_complete: req Bool,
        call_signal_address: req SeqOf<TransportAddress>,
        ras_address: req SeqOf<TransportAddress>,
        terminal_type: req EndpointType,
        terminal_alias: opt SeqOf<AliasAddress>,
        gatekeeper_identifier: opt Identifier,
        endpoint_vendor: req VendorIdentifier,
    }
}

ras_additions!(RegistrationRequest {
    1 => time_to_live, set_time_to_live: TimeToLive,
    5 => keep_alive, set_keep_alive: Bool,
    6 => endpoint_identifier, set_endpoint_identifier: Identifier,
    7 => will_supply_uuies, set_will_supply_uuies: Bool,
    8 => maintain_connection, set_maintain_connection: Bool,
    12 => supports_alt_gk, set_supports_alt_gk: Null,
    14 => multiple_calls, set_multiple_calls: Bool,
    19 => feature_set, set_feature_set: FeatureSet,
    20 => generic_data, set_generic_data: SeqOf<GenericData>,
    21 => restart, set_restart: Null,
    22 => supports_acf_sequences, set_supports_acf_sequences: Null,
    23 => supports_assigned_gk, set_supports_assigned_gk: Bool,
    24 => assigned_gatekeeper, set_assigned_gatekeeper: AlternateGK,
});

ras_sequence! {
    /// RCF's preGrantedARQ: which admissions the endpoint may skip.
    pub struct PreGrantedArq {
        make_call: req Bool,
        use_gk_call_signal_address_to_make_call: req Bool,
        answer_call: req Bool,
        use_gk_call_signal_address_to_answer: req Bool,
    }
}

ras_sequence! {
    /// RegistrationConfirm (RCF): the registration accepted, with the endpoint identifier
    /// the gatekeeper assigned.
    pub struct RegistrationConfirm {
        request_seq_num: req SeqNum,
        protocol_identifier: req Oid,
        non_standard: opt NonStandardParameter,
        call_signal_address: req SeqOf<TransportAddress>,
        terminal_alias: opt SeqOf<AliasAddress>,
        gatekeeper_identifier: opt Identifier,
        endpoint_identifier: req Identifier,
    }
}

ras_additions!(RegistrationConfirm {
    0 => alternate_gatekeeper, set_alternate_gatekeeper: SeqOf<AlternateGK>,
    1 => time_to_live, set_time_to_live: TimeToLive,
    5 => will_respond_to_irr, set_will_respond_to_irr: Bool,
    6 => pre_granted_arq, set_pre_granted_arq: PreGrantedArq,
    7 => maintain_connection, set_maintain_connection: Bool,
    9 => supports_additive_registration, set_supports_additive_registration: Null,
    15 => feature_set, set_feature_set: FeatureSet,
    16 => generic_data, set_generic_data: SeqOf<GenericData>,
    17 => assigned_gatekeeper, set_assigned_gatekeeper: AlternateGK,
});

/// RegistrationRejectReason: eight root alternatives, all NULL but duplicateAlias (4),
/// which lists the aliases registered to another endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationRejectReason {
    /// Any NULL alternative (root index other than 4, or an extension).
    Reason(Reason),
    DuplicateAlias(Vec<AliasAddress>),
}

impl Field for RegistrationRejectReason {
    type Value = Self;
    const NAME: &'static str = "RegistrationRejectReason";
    fn decode(r: &mut Reader<'_>) -> Result<Self, PerError> {
        Ok(match r.choice(8, true, Self::NAME)? {
            Choice::Root(4) => {
                Self::DuplicateAlias(decode_list(r, "duplicateAlias", AliasAddress::decode)?)
            }
            // Below 8: lossless.
            Choice::Root(i) => Self::Reason(Reason::Root(i as u8)),
            Choice::Extension(index) => Self::Reason(Reason::Extension {
                index,
                contents: r.open_type(Self::NAME)?,
            }),
        })
    }
    fn encode(w: &mut Writer, v: &Self) -> Result<(), PerError> {
        match v {
            Self::DuplicateAlias(aliases) => {
                w.choice_root(4, 8, true, Self::NAME)?;
                encode_list(w, aliases, "duplicateAlias", |w, a| a.encode(w))
            }
            Self::Reason(Reason::Root(4)) => Err(PerError {
                kind: PerErrorKind::OutOfRange {
                    what: "RegistrationRejectReason (duplicateAlias needs its aliases)",
                },
                bit_offset: w.bit_offset(),
            }),
            Self::Reason(reason) => reason.encode(w, 8, Self::NAME),
        }
    }
}

ras_sequence! {
    /// RegistrationReject (RRJ).
    pub struct RegistrationReject {
        request_seq_num: req SeqNum,
        protocol_identifier: req Oid,
        non_standard: opt NonStandardParameter,
        reject_reason: req RegistrationRejectReason,
        gatekeeper_identifier: opt Identifier,
    }
}

ras_additions!(RegistrationReject {
    0 => alt_gk_info, set_alt_gk_info: AltGKInfo,
    4 => feature_set, set_feature_set: FeatureSet,
    5 => generic_data, set_generic_data: SeqOf<GenericData>,
    6 => assigned_gatekeeper, set_assigned_gatekeeper: AlternateGK,
});

ras_sequence! {
    /// UnregistrationRequest (URQ): either side ending a registration.
    pub struct UnregistrationRequest {
        request_seq_num: req SeqNum,
        call_signal_address: req SeqOf<TransportAddress>,
        endpoint_alias: opt SeqOf<AliasAddress>,
        non_standard: opt NonStandardParameter,
        endpoint_identifier: opt Identifier,
    }
}

ras_additions!(UnregistrationRequest {
    1 => gatekeeper_identifier, set_gatekeeper_identifier: Identifier,
    5 => reason, set_reason: NullChoice<4>,
    9 => generic_data, set_generic_data: SeqOf<GenericData>,
    10 => assigned_gatekeeper, set_assigned_gatekeeper: AlternateGK,
});

ras_sequence! {
    /// UnregistrationConfirm (UCF).
    pub struct UnregistrationConfirm {
        request_seq_num: req SeqNum,
        non_standard: opt NonStandardParameter,
    }
}

ras_additions!(UnregistrationConfirm {
    3 => generic_data, set_generic_data: SeqOf<GenericData>,
    4 => assigned_gatekeeper, set_assigned_gatekeeper: AlternateGK,
});

ras_sequence! {
    /// UnregistrationReject (URJ). Reasons: notCurrentlyRegistered (0), callInProgress (1),
    /// undefinedReason (2).
    pub struct UnregistrationReject {
        request_seq_num: req SeqNum,
        reject_reason: req NullChoice<3>,
        non_standard: opt NonStandardParameter,
    }
}

ras_additions!(UnregistrationReject {
    0 => alt_gk_info, set_alt_gk_info: AltGKInfo,
    4 => generic_data, set_generic_data: SeqOf<GenericData>,
});
