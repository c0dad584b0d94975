//! The H.323 messages the benchmarks decode and encode, shared with the rasn comparison in
//! `benches/rasn-peer` (which includes this file), so both codecs see the same octets.
//!
//! - `setup_fast_start`: the Setup of the chan_ooh323 fastStart capture (h245Tunneling, four
//!   fastStart OpenLogicalChannel proposals, call identifier), a real H323-UserInformation.
//! - `rrq_h460`: a RegistrationRequest as a room system behind NAT sends it: one call
//!   signalling and one RAS address, a terminal with vendor identification, H.323-ID and
//!   E.164 aliases, time to live, keep-alive, and an H.460 feature set offering H.460.18
//!   and H.460.19 (the second with a parameter).
//! - `h245_tcs`: the full TerminalCapabilitySet chan_ooh323 opens its H.245 connection with
//!   in the slow-start capture (capability table, descriptors, H2250Capability).
//! - `h245_olc`: the OpenLogicalChannel request of the same connection (G.711 with its
//!   H2250LogicalChannelParameters and RTCP address).

use std::path::Path;

use roomgate_h323::per::ObjectIdentifier;
use roomgate_h323::ras::{
    AliasAddress, EndpointType, EnumeratedParameter, Extensions, FeatureSet, GenericData,
    GenericIdentifier, H221NonStandard, RasMessage, RegistrationRequest, TransportAddress,
    VendorIdentifier,
};

/// `repo` is the repository's root (each bench crate passes its own way there).
pub fn setup_fast_start(repo: &Path) -> Vec<u8> {
    std::fs::read(repo.join("h323/tests/vectors/per/h225cs_fs_12030_1721_00_mt05.per"))
        .expect("the fastStart Setup vector")
}

/// The H.245 connection's first PDU from port 12030: a MultimediaSystemControlMessage
/// holding a TerminalCapabilitySet.
pub fn h245_tcs(repo: &Path) -> Vec<u8> {
    std::fs::read(repo.join("h323/tests/vectors/h245/h245_ss_12030_12033_00.per"))
        .expect("the TerminalCapabilitySet vector")
}

/// The same connection's fifth PDU: a MultimediaSystemControlMessage holding an
/// OpenLogicalChannel.
pub fn h245_olc(repo: &Path) -> Vec<u8> {
    std::fs::read(repo.join("h323/tests/vectors/h245/h245_ss_12030_12033_04.per"))
        .expect("the OpenLogicalChannel vector")
}

fn ip(port: u16) -> TransportAddress {
    TransportAddress::Ip {
        ip: [192, 0, 2, 10],
        port,
    }
}

pub fn rrq_h460() -> Vec<u8> {
    let vendor = VendorIdentifier {
        vendor: H221NonStandard {
            t35_country_code: 181,
            t35_extension: 0,
            manufacturer_code: 0x1234,
            extensions: Extensions::default(),
        },
        product_id: Some(b"Room System".to_vec()),
        version_id: Some(b"6.2.1".to_vec()),
        extensions: Extensions::default(),
    };
    let mut terminal = EndpointType::terminal();
    terminal.vendor = Some(vendor.clone());
    let mut rrq = RegistrationRequest {
        request_seq_num: 4711,
        protocol_identifier: ObjectIdentifier::from_arcs(&[0, 0, 8, 2250, 0, 6]).unwrap(),
        non_standard: None,
        discovery_complete: false,
        call_signal_address: vec![ip(1720)],
        ras_address: vec![ip(1719)],
        terminal_type: terminal,
        terminal_alias: Some(vec![
            AliasAddress::H323Id("Boardroom".into()),
            AliasAddress::DialedDigits("4930123".into()),
        ]),
        gatekeeper_identifier: None,
        endpoint_vendor: vendor,
        extensions: Extensions::default(),
    };
    rrq.set_time_to_live(Some(&300)).unwrap();
    rrq.set_keep_alive(Some(&false)).unwrap();
    rrq.set_will_supply_uuies(Some(&false)).unwrap();
    rrq.set_maintain_connection(Some(&false)).unwrap();
    rrq.set_feature_set(Some(&FeatureSet {
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
                parameters: Some(vec![EnumeratedParameter {
                    id: GenericIdentifier::Standard(1),
                    content: None,
                    extensions: Extensions::default(),
                }]),
                extensions: Extensions::default(),
            },
        ]),
        extensions: Extensions::default(),
    }))
    .unwrap();
    RasMessage::RegistrationRequest(Box::new(rrq))
        .encode()
        .unwrap()
}
