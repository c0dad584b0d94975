//! One hand-built message of every typed RAS alternative, as a gateway and its gatekeeper
//! would exchange them: shared by the round-trip tests, the tshark oracle and the fuzz seeds,
//! so all three cover the same values (H.460 features, alternate gatekeepers, every
//! TransportAddress and AliasAddress form).

use super::*;
use crate::per::ObjectIdentifier;

const GUID: [u8; 16] = *b"roomgate-call-01";
const CONF: [u8; 16] = *b"roomgate-conf-01";

fn protocol() -> Result<ObjectIdentifier, PerError> {
    ObjectIdentifier::from_arcs(&[0, 0, 8, 2250, 0, 8]).ok_or(PerError {
        kind: PerErrorKind::BadObjectIdentifier,
        bit_offset: 0,
    })
}

fn ip(port: u16) -> TransportAddress {
    TransportAddress::Ip {
        ip: [192, 0, 2, 10],
        port,
    }
}

fn h221() -> H221NonStandard {
    H221NonStandard {
        t35_country_code: 181,
        t35_extension: 0,
        manufacturer_code: 0x1234,
        extensions: Extensions::default(),
    }
}

fn non_standard() -> NonStandardParameter {
    NonStandardParameter {
        identifier: NonStandardIdentifier::H221(h221()),
        data: b"roomgate".to_vec(),
    }
}

fn vendor() -> VendorIdentifier {
    VendorIdentifier {
        vendor: h221(),
        product_id: Some(b"Roomgate".to_vec()),
        version_id: Some(b"0.1".to_vec()),
        extensions: Extensions::default(),
    }
}

fn gateway() -> EndpointType {
    let info = NodeInfo {
        non_standard: None,
        extensions: Extensions::default(),
    };
    EndpointType {
        vendor: Some(vendor()),
        gateway: Some(GatewayInfo {
            protocol: Some(vec![
                SupportedProtocols::Caps {
                    protocol: Protocol::H323,
                    info: info.clone(),
                },
                SupportedProtocols::Caps {
                    protocol: Protocol::Voice,
                    info,
                },
            ]),
            non_standard_data: None,
            extensions: Extensions::default(),
        }),
        terminal: None,
        ..EndpointType::terminal()
    }
}

fn aliases() -> Vec<AliasAddress> {
    vec![
        AliasAddress::DialedDigits("4930123".into()),
        AliasAddress::H323Id("Roomgate GW".into()),
        AliasAddress::UrlId("h323:room@example.com".into()),
        AliasAddress::EmailId("room@example.com".into()),
        AliasAddress::TransportId(ip(1720)),
        AliasAddress::PartyNumber(PartyNumber::E164 {
            type_of_number: Reason::Root(1),
            digits: "4930123".into(),
        }),
    ]
}

/// Every TransportAddress form, for the RRQ's call signalling addresses.
fn addresses() -> Vec<TransportAddress> {
    vec![
        ip(1720),
        TransportAddress::IpSourceRoute {
            ip: [192, 0, 2, 11],
            port: 1720,
            route: vec![[192, 0, 2, 1]],
            routing: Reason::Root(1),
            extensions: Extensions::default(),
        },
        TransportAddress::Ipx {
            node: [1, 2, 3, 4, 5, 6],
            netnum: [0, 0, 0, 1],
            port: [0x06, 0xb8],
        },
        TransportAddress::Ip6 {
            ip: [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
            port: 1720,
            extensions: Extensions::default(),
        },
        TransportAddress::NetBios(*b"ROOMGATE        "),
        TransportAddress::Nsap(vec![0x47, 0x00, 0x05]),
        TransportAddress::NonStandard(non_standard()),
    ]
}

/// H.460.18 and H.460.19 (NAT traversal) supported, with a parameter of each Content kind
/// that a gatekeeper might send.
fn features() -> FeatureSet {
    let param = |id, content| EnumeratedParameter {
        id: GenericIdentifier::Standard(id),
        content: Some(content),
        extensions: Extensions::default(),
    };
    FeatureSet {
        replacement_feature_set: false,
        needed_features: None,
        desired_features: None,
        supported_features: Some(vec![
            GenericData {
                id: GenericIdentifier::Standard(18),
                parameters: None,
                extensions: Extensions::default(),
            },
            GenericData {
                id: GenericIdentifier::Standard(19),
                parameters: Some(vec![
                    param(1, Content::Bool(true)),
                    param(2, Content::Number8(8)),
                    param(3, Content::Number16(1719)),
                    param(4, Content::Number32(100_000)),
                    param(5, Content::Text("nat".into())),
                    param(6, Content::Unicode("Raum".into())),
                    param(7, Content::Raw(vec![1, 2, 3])),
                    param(8, Content::Transport(ip(1719))),
                    param(9, Content::Alias(AliasAddress::DialedDigits("1".into()))),
                    param(10, Content::Id(GenericIdentifier::NonStandard(GUID))),
                    param(11, Content::Compound(vec![param(1, Content::Number8(1))])),
                    param(
                        12,
                        Content::Nested(vec![GenericData {
                            id: GenericIdentifier::Standard(20_000),
                            parameters: None,
                            extensions: Extensions::default(),
                        }]),
                    ),
                ]),
                extensions: Extensions::default(),
            },
        ]),
        extensions: Extensions::default(),
    }
}

fn alternate_gk() -> AlternateGK {
    AlternateGK {
        ras_address: ip(1719),
        gatekeeper_identifier: Some("GK-2".into()),
        need_to_register: true,
        priority: 1,
        extensions: Extensions::default(),
    }
}

fn grq() -> Result<GatekeeperRequest, PerError> {
    let mut m = GatekeeperRequest {
        request_seq_num: 1,
        protocol_identifier: protocol()?,
        non_standard: None,
        ras_address: ip(1719),
        endpoint_type: gateway(),
        gatekeeper_identifier: Some("GK-Ä".into()),
        call_services: Some(QseriesOptions {
            q932_full: true,
            q951_full: false,
            q952_full: false,
            q953_full: false,
            q955_full: false,
            q956_full: false,
            q957_full: false,
            q954_info: Q954Details {
                conference_calling: false,
                three_party_service: true,
                extensions: Extensions::default(),
            },
            extensions: Extensions::default(),
        }),
        endpoint_alias: Some(aliases()),
        extensions: Extensions::default(),
    };
    m.set_feature_set(Some(&features()))?;
    m.set_supports_assigned_gk(Some(&false))?;
    Ok(m)
}

fn rrq() -> Result<RegistrationRequest, PerError> {
    let mut m = RegistrationRequest {
        request_seq_num: 3,
        protocol_identifier: protocol()?,
        non_standard: Some(non_standard()),
        discovery_complete: true,
        call_signal_address: addresses(),
        ras_address: vec![ip(1719)],
        terminal_type: gateway(),
        terminal_alias: Some(aliases()),
        gatekeeper_identifier: Some("GK-1".into()),
        endpoint_vendor: vendor(),
        extensions: Extensions::default(),
    };
    m.set_time_to_live(Some(&300))?;
    m.set_keep_alive(Some(&false))?;
    m.set_will_supply_uuies(Some(&false))?;
    m.set_maintain_connection(Some(&false))?;
    m.set_feature_set(Some(&features()))?;
    m.set_supports_assigned_gk(Some(&false))?;
    Ok(m)
}

fn arq() -> Result<AdmissionRequest, PerError> {
    let mut m = AdmissionRequest {
        request_seq_num: 9,
        call_type: Reason::Root(0),
        call_model: Some(Reason::Root(1)),
        endpoint_identifier: "EP-0001".into(),
        destination_info: Some(vec![AliasAddress::DialedDigits("200".into())]),
        dest_call_signal_address: None,
        dest_extra_call_info: None,
        src_info: aliases(),
        src_call_signal_address: Some(ip(1720)),
        band_width: 7680,
        call_reference_value: 42,
        non_standard: None,
        call_services: None,
        conference_id: CONF,
        active_mc: false,
        answer_call: false,
        extensions: Extensions::default(),
    };
    m.set_can_map_alias(Some(&true))?;
    m.set_call_identifier(Some(&CallIdentifier::new(GUID)))?;
    m.set_will_supply_uuies(Some(&false))?;
    m.set_feature_set(Some(&features()))?;
    m.set_can_map_src_alias(Some(&false))?;
    Ok(m)
}

fn acf() -> Result<AdmissionConfirm, PerError> {
    let mut m = AdmissionConfirm {
        request_seq_num: 9,
        band_width: 7680,
        call_model: Reason::Root(0),
        dest_call_signal_address: ip(1720),
        irr_frequency: Some(30),
        non_standard: None,
        extensions: Extensions::default(),
    };
    m.set_will_respond_to_irr(Some(&false))?;
    m.set_uuies_requested(Some(&UuiesRequested {
        setup: false,
        call_proceeding: false,
        connect: true,
        alerting: false,
        information: false,
        release_complete: true,
        facility: false,
        progress: false,
        empty: false,
        extensions: Extensions::default(),
    }))?;
    Ok(m)
}

fn rcf() -> Result<RegistrationConfirm, PerError> {
    let mut m = RegistrationConfirm {
        request_seq_num: 3,
        protocol_identifier: protocol()?,
        non_standard: None,
        call_signal_address: vec![ip(1720)],
        terminal_alias: Some(aliases()),
        gatekeeper_identifier: Some("GK-1".into()),
        endpoint_identifier: "EP-0001".into(),
        extensions: Extensions::default(),
    };
    m.set_alternate_gatekeeper(Some(&vec![alternate_gk()]))?;
    m.set_time_to_live(Some(&300))?;
    m.set_will_respond_to_irr(Some(&false))?;
    m.set_pre_granted_arq(Some(&PreGrantedArq {
        make_call: true,
        use_gk_call_signal_address_to_make_call: false,
        answer_call: true,
        use_gk_call_signal_address_to_answer: false,
        extensions: Extensions::default(),
    }))?;
    m.set_maintain_connection(Some(&false))?;
    m.set_feature_set(Some(&features()))?;
    Ok(m)
}

fn reject<const N: usize>(i: u8) -> Reason {
    Reason::Root(i % N as u8)
}

/// Every typed message, named by its abbreviation.
pub fn all() -> Result<Vec<(&'static str, RasMessage)>, PerError> {
    use RasMessage as M;
    let seq = 5;
    let drq = {
        let mut m = DisengageRequest {
            request_seq_num: seq,
            endpoint_identifier: "EP-0001".into(),
            conference_id: CONF,
            call_reference_value: 42,
            disengage_reason: Reason::Root(1),
            non_standard: None,
            extensions: Extensions::default(),
        };
        m.set_call_identifier(Some(&CallIdentifier::new(GUID)))?;
        m.set_answered_call(Some(&false))?;
        m
    };
    let brq = {
        let mut m = BandwidthRequest {
            request_seq_num: seq,
            endpoint_identifier: "EP-0001".into(),
            conference_id: CONF,
            call_reference_value: 42,
            call_type: Some(Reason::Root(0)),
            band_width: 3840,
            non_standard: None,
            extensions: Extensions::default(),
        };
        m.set_call_identifier(Some(&CallIdentifier::new(GUID)))?;
        m.set_answered_call(Some(&true))?;
        m
    };
    let lrq = {
        let mut m = LocationRequest {
            request_seq_num: seq,
            endpoint_identifier: Some("EP-0001".into()),
            destination_info: vec![AliasAddress::H323Id("room-2".into())],
            non_standard: None,
            reply_address: ip(1719),
            extensions: Extensions::default(),
        };
        m.set_can_map_alias(Some(&false))?;
        m.set_hop_count(Some(&3))?;
        m
    };
    let irq = {
        let mut m = InfoRequest {
            request_seq_num: seq,
            call_reference_value: 0,
            non_standard: None,
            reply_address: Some(ip(1719)),
            extensions: Extensions::default(),
        };
        m.set_call_identifier(Some(&CallIdentifier::new([0; 16])))?;
        m
    };
    let channel = TransportChannelInfo {
        send_address: Some(ip(5004)),
        recv_address: Some(ip(5006)),
        extensions: Extensions::default(),
    };
    let irr = {
        let mut m = InfoRequestResponse {
            non_standard: None,
            request_seq_num: seq,
            endpoint_type: gateway(),
            endpoint_identifier: "EP-0001".into(),
            ras_address: ip(1719),
            call_signal_address: vec![ip(1720)],
            endpoint_alias: Some(aliases()),
            per_call_info: Some(vec![PerCallInfo {
                non_standard: None,
                call_reference_value: 42,
                conference_id: CONF,
                originator: Some(true),
                audio: Some(vec![RtpSession {
                    rtp_address: channel.clone(),
                    rtcp_address: channel.clone(),
                    cname: "room.192.0.2.10".into(),
                    ssrc: 0x1234_5678,
                    session_id: 1,
                    associated_session_ids: vec![2],
                    extensions: Extensions::default(),
                }]),
                video: None,
                data: None,
                h245: channel.clone(),
                call_signaling: channel,
                call_type: Reason::Root(0),
                band_width: 7680,
                call_model: Reason::Root(0),
                extensions: Extensions::default(),
            }]),
            extensions: Extensions::default(),
        };
        m.set_need_response(Some(&false))?;
        m.set_unsolicited(Some(&true))?;
        m
    };
    let xrs = {
        let mut m = UnknownMessageResponse {
            request_seq_num: seq,
            extensions: Extensions::default(),
        };
        m.set_message_not_understood(Some(&vec![0x80, 0x01, 0x00]))?;
        m
    };
    Ok(vec![
        ("grq", M::GatekeeperRequest(Box::new(grq()?))),
        (
            "gcf",
            M::GatekeeperConfirm(Box::new({
                let mut m = GatekeeperConfirm {
                    request_seq_num: 1,
                    protocol_identifier: protocol()?,
                    non_standard: None,
                    gatekeeper_identifier: Some("GK-1".into()),
                    ras_address: ip(1719),
                    extensions: Extensions::default(),
                };
                m.set_alternate_gatekeeper(Some(&vec![alternate_gk()]))?;
                m
            })),
        ),
        (
            "grj",
            M::GatekeeperReject(Box::new({
                let mut m = GatekeeperReject {
                    request_seq_num: 1,
                    protocol_identifier: protocol()?,
                    non_standard: None,
                    gatekeeper_identifier: Some("GK-1".into()),
                    reject_reason: reject::<4>(1),
                    extensions: Extensions::default(),
                };
                m.set_alt_gk_info(Some(&AltGKInfo {
                    alternate_gatekeeper: vec![alternate_gk()],
                    alt_gk_is_permanent: false,
                    extensions: Extensions::default(),
                }))?;
                m
            })),
        ),
        ("rrq", M::RegistrationRequest(Box::new(rrq()?))),
        ("rcf", M::RegistrationConfirm(Box::new(rcf()?))),
        (
            "rrj",
            M::RegistrationReject(Box::new(RegistrationReject {
                request_seq_num: 3,
                protocol_identifier: protocol()?,
                non_standard: None,
                reject_reason: RegistrationRejectReason::DuplicateAlias(vec![
                    AliasAddress::H323Id("Roomgate GW".into()),
                ]),
                gatekeeper_identifier: Some("GK-1".into()),
                extensions: Extensions::default(),
            })),
        ),
        (
            "urq",
            M::UnregistrationRequest(Box::new({
                let mut m = UnregistrationRequest {
                    request_seq_num: seq,
                    call_signal_address: vec![ip(1720)],
                    endpoint_alias: Some(aliases()),
                    non_standard: None,
                    endpoint_identifier: Some("EP-0001".into()),
                    extensions: Extensions::default(),
                };
                m.set_reason(Some(&Reason::Root(1)))?;
                m
            })),
        ),
        (
            "ucf",
            M::UnregistrationConfirm(Box::new(UnregistrationConfirm {
                request_seq_num: seq,
                non_standard: None,
                extensions: Extensions::default(),
            })),
        ),
        (
            "urj",
            M::UnregistrationReject(Box::new(UnregistrationReject {
                request_seq_num: seq,
                reject_reason: reject::<3>(0),
                non_standard: Some(non_standard()),
                extensions: Extensions::default(),
            })),
        ),
        ("arq", M::AdmissionRequest(Box::new(arq()?))),
        ("acf", M::AdmissionConfirm(Box::new(acf()?))),
        (
            "arj",
            M::AdmissionReject(Box::new(AdmissionReject {
                request_seq_num: 9,
                reject_reason: Reason::extension(2),
                non_standard: None,
                extensions: Extensions::default(),
            })),
        ),
        ("brq", M::BandwidthRequest(Box::new(brq))),
        (
            "bcf",
            M::BandwidthConfirm(Box::new(BandwidthConfirm {
                request_seq_num: seq,
                band_width: 3840,
                non_standard: None,
                extensions: Extensions::default(),
            })),
        ),
        (
            "brj",
            M::BandwidthReject(Box::new(BandwidthReject {
                request_seq_num: seq,
                reject_reason: reject::<6>(3),
                allowed_band_width: 1920,
                non_standard: None,
                extensions: Extensions::default(),
            })),
        ),
        ("drq", M::DisengageRequest(Box::new(drq))),
        (
            "dcf",
            M::DisengageConfirm(Box::new(DisengageConfirm {
                request_seq_num: seq,
                non_standard: None,
                extensions: Extensions::default(),
            })),
        ),
        (
            "drj",
            M::DisengageReject(Box::new(DisengageReject {
                request_seq_num: seq,
                reject_reason: reject::<2>(0),
                non_standard: None,
                extensions: Extensions::default(),
            })),
        ),
        ("lrq", M::LocationRequest(Box::new(lrq))),
        (
            "lcf",
            M::LocationConfirm(Box::new(LocationConfirm {
                request_seq_num: seq,
                call_signal_address: ip(1720),
                ras_address: ip(1719),
                non_standard: None,
                extensions: Extensions::default(),
            })),
        ),
        (
            "lrj",
            M::LocationReject(Box::new(LocationReject {
                request_seq_num: seq,
                reject_reason: reject::<4>(0),
                non_standard: None,
                extensions: Extensions::default(),
            })),
        ),
        ("irq", M::InfoRequest(Box::new(irq))),
        ("irr", M::InfoRequestResponse(Box::new(irr))),
        (
            "nsm",
            M::NonStandardMessage(Box::new(NonStandardMessage {
                request_seq_num: seq,
                non_standard: non_standard(),
                extensions: Extensions::default(),
            })),
        ),
        ("xrs", M::UnknownMessageResponse(Box::new(xrs))),
        (
            "rip",
            M::RequestInProgress(Box::new(RequestInProgress {
                request_seq_num: seq,
                non_standard: None,
                delay: 2000,
                extensions: Extensions::default(),
            })),
        ),
    ])
}
