//! What a call's signalling needs to know about us and how long it waits for the peer.

use std::time::Duration;

use crate::ras::{EndpointType, GatewayInfo, H221NonStandard, VendorIdentifier};

/// The timers and identity of one H.225.0 call. The defaults are the values H.225.0 §7.4.1 and
/// Q.931 §9 give (T303 4 s, T310 between 10 and 120 s, T301 at least 3 minutes), with T310 at
/// 30 s: a room system that sent Call Proceeding and then nothing for half a minute is gone.
#[derive(Debug, Clone)]
pub struct CallConfig {
    /// Setup sent, no Call Proceeding, Alerting, Connect or Release Complete back.
    pub t303: Duration,
    /// Call Proceeding received, no Alerting or Connect.
    pub t310: Duration,
    /// Alerting received, no Connect.
    pub t301: Duration,
    /// An accepted connection that sends no Setup.
    pub setup_wait: Duration,
    /// Whether we tunnel H.245 in H.225.0 when the peer does too (H.225.0 §7.4.1.1 lets
    /// either side refuse). A gateway wants it: one TCP connection per call instead of two.
    pub tunnelling: bool,
    /// Our EndpointType in Setup (`sourceInfo`) and in every answer (`destinationInfo`).
    pub endpoint: EndpointType,
    /// Our name in the Q.931 Display element, when we send one.
    pub display: Option<String>,
}

/// T.35 country code 0xFF ("extension follows", T.35 §3.1) with our own manufacturer code:
/// Roomgate has no code assigned by a national body, and borrowing a country's code 0 would
/// name someone else's product (0xB5/0 is Compression Labs in every dissector's table).
const T35_UNASSIGNED: u8 = 0xff;
/// "RG".
const MANUFACTURER_CODE: u16 = 0x5247;

impl Default for CallConfig {
    fn default() -> Self {
        Self {
            t303: Duration::from_secs(4),
            t310: Duration::from_secs(30),
            t301: Duration::from_secs(180),
            setup_wait: Duration::from_secs(10),
            tunnelling: true,
            endpoint: roomgate_endpoint(),
            display: Some("Roomgate".to_owned()),
        }
    }
}

/// A gateway endpoint naming Roomgate and its version: room systems show the far end's
/// product, and a peer's engineer reading a capture sees who sent what.
pub fn roomgate_endpoint() -> EndpointType {
    let mut e = EndpointType::terminal();
    e.terminal = None;
    e.gateway = Some(GatewayInfo {
        protocol: None,
        non_standard_data: None,
        extensions: Default::default(),
    });
    e.vendor = Some(VendorIdentifier {
        vendor: H221NonStandard {
            t35_country_code: T35_UNASSIGNED,
            t35_extension: 0,
            manufacturer_code: MANUFACTURER_CODE,
            extensions: Default::default(),
        },
        product_id: Some(b"Roomgate".to_vec()),
        version_id: Some(env!("CARGO_PKG_VERSION").as_bytes().to_vec()),
        extensions: Default::default(),
    });
    e
}
