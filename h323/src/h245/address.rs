//! H.245 transport addresses (media and media control channels of H.225.0 logical
//! channels): unicast IPv4 and IPv6 as H.323 uses them, and the IPX, NetBIOS, source-routed
//! and multicast forms so any OpenLogicalChannel decodes.

use super::codec::{h245_choice, h245_sequence, Int, OctetsSized, SeqOf};
use super::generic::NonStandardParameter;
use crate::ras::field::Null;

h245_sequence! {
    /// An IPv4 address and port.
    pub struct IpAddress ext {
        network: req OctetsSized<4, 4>,
        tsap_identifier: req Int<0, 65_535>,
    }
}

h245_sequence! {
    /// An IPX address.
    pub struct IpxAddress ext {
        node: req OctetsSized<6, 6>,
        netnum: req OctetsSized<4, 4>,
        tsap_identifier: req OctetsSized<2, 2>,
    }
}

h245_sequence! {
    /// An IPv6 address and port.
    pub struct Ip6Address ext {
        network: req OctetsSized<16, 16>,
        tsap_identifier: req Int<0, 65_535>,
    }
}

h245_choice! {
    /// Strict or loose source routing.
    pub enum Routing(2) {
        0 => Strict(Null),
        1 => Loose(Null),
    }
}

h245_sequence! {
    /// An IPv4 address with a source route.
    pub struct IpSourceRouteAddress ext {
        routing: req Routing,
        network: req OctetsSized<4, 4>,
        tsap_identifier: req Int<0, 65_535>,
        route: req SeqOf<OctetsSized<4, 4>>,
    }
}

h245_choice! {
    /// UnicastAddress.
    pub enum UnicastAddress(5, ...) {
        0 => IpAddress(IpAddress),
        1 => IpxAddress(IpxAddress),
        2 => Ip6Address(Ip6Address),
        3 => NetBios(OctetsSized<16, 16>),
        4 => IpSourceRouteAddress(IpSourceRouteAddress),
    } {
        0 => Nsap(OctetsSized<1, 20>),
        1 => NonStandardAddress(NonStandardParameter),
    }
}

h245_choice! {
    /// MulticastAddress.
    pub enum MulticastAddress(2, ...) {
        0 => IpAddress(IpAddress),
        1 => Ip6Address(Ip6Address),
    } {
        0 => Nsap(OctetsSized<1, 20>),
        1 => NonStandardAddress(NonStandardParameter),
    }
}

h245_choice! {
    /// TransportAddress.
    pub enum TransportAddress(2, ...) {
        0 => UnicastAddress(UnicastAddress),
        1 => MulticastAddress(MulticastAddress),
    } {}
}

impl TransportAddress {
    /// A unicast IPv4 address and port.
    pub fn ipv4(ip: [u8; 4], port: u16) -> Self {
        Self::UnicastAddress(UnicastAddress::IpAddress(IpAddress {
            network: ip.to_vec(),
            tsap_identifier: port.into(),
            extensions: Default::default(),
        }))
    }

    /// A unicast IPv6 address and port.
    pub fn ipv6(ip: [u8; 16], port: u16) -> Self {
        Self::UnicastAddress(UnicastAddress::Ip6Address(Ip6Address {
            network: ip.to_vec(),
            tsap_identifier: port.into(),
            extensions: Default::default(),
        }))
    }

    /// The unicast IP address and port, when it is one.
    pub fn unicast_ip(&self) -> Option<(std::net::IpAddr, u16)> {
        let Self::UnicastAddress(u) = self else {
            return None;
        };
        let (ip, port) = match u {
            UnicastAddress::IpAddress(a) => (
                std::net::IpAddr::from(<[u8; 4]>::try_from(a.network.as_slice()).ok()?),
                a.tsap_identifier,
            ),
            UnicastAddress::Ip6Address(a) => (
                std::net::IpAddr::from(<[u8; 16]>::try_from(a.network.as_slice()).ok()?),
                a.tsap_identifier,
            ),
            _ => return None,
        };
        Some((ip, u16::try_from(port).ok()?))
    }
}
