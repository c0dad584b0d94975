//! The RAS messages the client sends, built from its configuration and state. Every field a
//! gatekeeper reads is set; optional ones we have nothing to say in are left out.

use std::net::SocketAddr;

use crate::call::roomgate_endpoint;
use crate::per::{ObjectIdentifier, PerError, PerErrorKind};
use crate::ras::{
    AdmissionRequest, AliasAddress, CallIdentifier, DisengageConfirm, DisengageRequest, Extensions,
    GatekeeperRequest, InfoRequestResponse, PerCallInfo, Reason, RegistrationRequest,
    TransportAddress, TransportChannelInfo, UnknownMessageResponse, UnregistrationConfirm,
    UnregistrationRequest, VendorIdentifier,
};

use super::{CallAdmission, ClientConfig};

/// H.225.0 version 4, the version our call signalling announces too.
const H225_V4: [u64; 6] = [0, 0, 8, 2250, 0, 4];

/// CallType pointToPoint, CallModel direct.
const POINT_TO_POINT: u8 = 0;
const DIRECT: u8 = 0;
/// DisengageReason normalDrop.
const NORMAL_DROP: u8 = 1;
/// UnregRequestReason reregistrationRequired (0) and maintenance (4, an extension) exist;
/// a gateway stopping says undefinedReason (2).
const UNREG_UNDEFINED: u8 = 2;

fn protocol() -> Result<ObjectIdentifier, PerError> {
    ObjectIdentifier::from_arcs(&H225_V4).ok_or(PerError {
        kind: PerErrorKind::BadObjectIdentifier,
        bit_offset: 0,
    })
}

fn vendor() -> Result<VendorIdentifier, PerError> {
    roomgate_endpoint().vendor.ok_or(PerError {
        kind: PerErrorKind::OutOfRange {
            what: "our endpoint has no vendor",
        },
        bit_offset: 0,
    })
}

fn address(a: SocketAddr) -> TransportAddress {
    TransportAddress::from_socket_addr(a)
}

pub(super) fn grq(seq: u16, c: &ClientConfig) -> Result<GatekeeperRequest, PerError> {
    let mut m = GatekeeperRequest {
        request_seq_num: seq,
        protocol_identifier: protocol()?,
        non_standard: None,
        ras_address: address(c.ras_address),
        endpoint_type: roomgate_endpoint(),
        gatekeeper_identifier: c.gatekeeper_id.clone(),
        call_services: None,
        endpoint_alias: (!c.aliases.is_empty()).then(|| c.aliases.clone()),
        extensions: Extensions::default(),
    };
    m.set_supports_alt_gk(Some(&()))?;
    Ok(m)
}

/// A full RRQ, or the lightweight keep-alive one (H.225.0 §7.9.1: `keepAlive`, our
/// endpoint identifier and the time to live; the root's mandatory fields as before).
pub(super) fn rrq(
    seq: u16,
    c: &ClientConfig,
    discovery_complete: bool,
    gatekeeper_id: Option<&str>,
    keep_alive: Option<&str>,
) -> Result<RegistrationRequest, PerError> {
    let mut m = RegistrationRequest {
        request_seq_num: seq,
        protocol_identifier: protocol()?,
        non_standard: None,
        discovery_complete,
        call_signal_address: vec![address(c.call_signal_address)],
        ras_address: vec![address(c.ras_address)],
        terminal_type: roomgate_endpoint(),
        terminal_alias: (!c.aliases.is_empty() && keep_alive.is_none()).then(|| c.aliases.clone()),
        gatekeeper_identifier: gatekeeper_id.map(str::to_owned),
        endpoint_vendor: vendor()?,
        extensions: Extensions::default(),
    };
    if let Some(ttl) = c.time_to_live {
        m.set_time_to_live(Some(&ttl))?;
    }
    m.set_keep_alive(Some(&keep_alive.is_some()))?;
    if let Some(endpoint) = keep_alive {
        m.set_endpoint_identifier(Some(&endpoint.to_owned()))?;
    } else {
        m.set_supports_alt_gk(Some(&()))?;
    }
    Ok(m)
}

pub(super) fn urq(
    seq: u16,
    c: &ClientConfig,
    endpoint: &str,
    gatekeeper_id: Option<&str>,
) -> Result<UnregistrationRequest, PerError> {
    let mut m = UnregistrationRequest {
        request_seq_num: seq,
        call_signal_address: vec![address(c.call_signal_address)],
        endpoint_alias: (!c.aliases.is_empty()).then(|| c.aliases.clone()),
        non_standard: None,
        endpoint_identifier: Some(endpoint.to_owned()),
        extensions: Extensions::default(),
    };
    if let Some(id) = gatekeeper_id {
        m.set_gatekeeper_identifier(Some(&id.to_owned()))?;
    }
    m.set_reason(Some(&Reason::Root(UNREG_UNDEFINED)))?;
    Ok(m)
}

pub(super) fn arq(
    seq: u16,
    endpoint: &str,
    gatekeeper_id: Option<&str>,
    a: &CallAdmission,
) -> Result<AdmissionRequest, PerError> {
    let mut m = AdmissionRequest {
        request_seq_num: seq,
        call_type: Reason::Root(POINT_TO_POINT),
        call_model: Some(Reason::Root(DIRECT)),
        endpoint_identifier: endpoint.to_owned(),
        destination_info: (!a.destination.is_empty()).then(|| a.destination.clone()),
        dest_call_signal_address: a.dest_address.map(address),
        dest_extra_call_info: None,
        src_info: a.source.clone(),
        src_call_signal_address: a.src_address.map(address),
        band_width: a.bandwidth,
        call_reference_value: a.call_reference,
        non_standard: None,
        call_services: None,
        conference_id: a.conference_id,
        active_mc: false,
        answer_call: a.answer,
        extensions: Extensions::default(),
    };
    m.set_call_identifier(Some(&CallIdentifier::new(a.call_identifier)))?;
    if let Some(id) = gatekeeper_id {
        m.set_gatekeeper_identifier(Some(&id.to_owned()))?;
    }
    m.set_can_map_alias(Some(&false))?;
    m.set_will_supply_uuies(Some(&false))?;
    Ok(m)
}

pub(super) fn drq(
    seq: u16,
    endpoint: &str,
    gatekeeper_id: Option<&str>,
    a: &CallAdmission,
) -> Result<DisengageRequest, PerError> {
    let mut m = DisengageRequest {
        request_seq_num: seq,
        endpoint_identifier: endpoint.to_owned(),
        conference_id: a.conference_id,
        call_reference_value: a.call_reference,
        disengage_reason: Reason::Root(NORMAL_DROP),
        non_standard: None,
        extensions: Extensions::default(),
    };
    m.set_call_identifier(Some(&CallIdentifier::new(a.call_identifier)))?;
    if let Some(id) = gatekeeper_id {
        m.set_gatekeeper_identifier(Some(&id.to_owned()))?;
    }
    m.set_answered_call(Some(&a.answer))?;
    Ok(m)
}

pub(super) fn dcf(seq: u16) -> DisengageConfirm {
    DisengageConfirm {
        request_seq_num: seq,
        non_standard: None,
        extensions: Extensions::default(),
    }
}

pub(super) fn ucf(seq: u16) -> UnregistrationConfirm {
    UnregistrationConfirm {
        request_seq_num: seq,
        non_standard: None,
        extensions: Extensions::default(),
    }
}

pub(super) fn xrs(seq: u16, not_understood: &[u8]) -> Result<UnknownMessageResponse, PerError> {
    let mut m = UnknownMessageResponse {
        request_seq_num: seq,
        extensions: Extensions::default(),
    };
    m.set_message_not_understood(Some(&not_understood.to_vec()))?;
    Ok(m)
}

/// One call as an IRR reports it: we do not know the media addresses here, so the channel
/// entries are empty (every field of TransportChannelInfo is optional).
pub(super) fn per_call(a: &CallAdmission) -> Result<PerCallInfo, PerError> {
    let none = || TransportChannelInfo {
        send_address: None,
        recv_address: None,
        extensions: Extensions::default(),
    };
    let mut p = PerCallInfo {
        non_standard: None,
        call_reference_value: a.call_reference,
        conference_id: a.conference_id,
        originator: Some(!a.answer),
        audio: None,
        video: None,
        data: None,
        h245: none(),
        call_signaling: none(),
        call_type: Reason::Root(POINT_TO_POINT),
        band_width: a.bandwidth,
        call_model: Reason::Root(DIRECT),
        extensions: Extensions::default(),
    };
    p.set_call_identifier(Some(&CallIdentifier::new(a.call_identifier)))?;
    Ok(p)
}

pub(super) fn irr(
    seq: u16,
    c: &ClientConfig,
    endpoint: &str,
    calls: Vec<PerCallInfo>,
) -> Result<InfoRequestResponse, PerError> {
    let mut m = InfoRequestResponse {
        non_standard: None,
        request_seq_num: seq,
        endpoint_type: roomgate_endpoint(),
        endpoint_identifier: endpoint.to_owned(),
        ras_address: address(c.ras_address),
        call_signal_address: vec![address(c.call_signal_address)],
        endpoint_alias: (!c.aliases.is_empty()).then(|| c.aliases.clone()),
        per_call_info: Some(calls),
        extensions: Extensions::default(),
    };
    m.set_need_response(Some(&false))?;
    m.set_unsolicited(Some(&false))?;
    Ok(m)
}

/// Whether an alias list is usable in RAS: encodes (dialledDigits only of `0-9#*,`, lengths
/// within H.225.0's bounds).
pub(super) fn aliases_encode(aliases: &[AliasAddress]) -> Result<(), PerError> {
    let mut w = crate::per::Writer::new();
    for a in aliases {
        a.encode(&mut w)?;
    }
    Ok(())
}
