//! The four BFCP transports of RFC 8856 §4 and which protocol version each carries.
//!
//! RFC 8855 §5.1 ties the version to the transport: version 1 (the RFC 4582 wire form) over
//! reliable transports, version 2 (with the R and F bits and fragmentation) over UDP. Over a
//! reliable transport the R and F bits "have no significance", which is why version 2 may run
//! there too when both ends say so in `a=bfcpver` (RFC 8856 §5); over UDP only version 2
//! exists, since version 1 has no way to retransmit or fragment.

use serde::Serialize;

use crate::header::Version;

/// The `m=application` proto of a BFCP stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Transport {
    /// `TCP/BFCP`
    Tcp,
    /// `TCP/TLS/BFCP`
    TcpTls,
    /// `UDP/BFCP`
    Udp,
    /// `UDP/TLS/BFCP` (DTLS)
    UdpTls,
}

impl Transport {
    pub const ALL: [Transport; 4] = [
        Transport::Tcp,
        Transport::TcpTls,
        Transport::Udp,
        Transport::UdpTls,
    ];

    /// The SDP proto token.
    pub fn proto(self) -> &'static str {
        match self {
            Transport::Tcp => "TCP/BFCP",
            Transport::TcpTls => "TCP/TLS/BFCP",
            Transport::Udp => "UDP/BFCP",
            Transport::UdpTls => "UDP/TLS/BFCP",
        }
    }

    /// Parses an SDP proto token. SDP tokens compare case-insensitively (RFC 8866 §5.14 lets
    /// implementations differ in case), so `tcp/bfcp` is accepted.
    pub fn from_proto(proto: &str) -> Option<Transport> {
        Transport::ALL
            .into_iter()
            .find(|t| t.proto().eq_ignore_ascii_case(proto))
    }

    /// TCP and TLS over TCP: messages back to back on a stream, no retransmission.
    pub fn is_reliable(self) -> bool {
        matches!(self, Transport::Tcp | Transport::TcpTls)
    }

    /// TLS or DTLS protects the stream.
    pub fn is_secure(self) -> bool {
        matches!(self, Transport::TcpTls | Transport::UdpTls)
    }

    /// The version assumed when `a=bfcpver` is absent (RFC 8856 §5): 1 over reliable
    /// transports, 2 over unreliable ones.
    pub fn default_version(self) -> Version {
        if self.is_reliable() {
            Version::V1
        } else {
            Version::V2
        }
    }

    /// Whether a message of `version` may arrive on this transport (RFC 8855 §5.1). Anything
    /// else is answered with Error 12 (Unsupported Version).
    pub fn permits(self, version: Version) -> bool {
        self.is_reliable() || version == Version::V2
    }
}

impl std::fmt::Display for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.proto())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protos_round_trip_and_ignore_case() {
        for t in Transport::ALL {
            assert_eq!(Transport::from_proto(t.proto()), Some(t));
            assert_eq!(
                Transport::from_proto(&t.proto().to_ascii_lowercase()),
                Some(t)
            );
        }
        assert_eq!(Transport::from_proto("TCP/DTLS/BFCP"), None);
        assert_eq!(Transport::from_proto("RTP/AVP"), None);
    }

    #[test]
    fn versions_follow_rfc8855_section_5_1() {
        for t in [Transport::Tcp, Transport::TcpTls] {
            assert_eq!(t.default_version(), Version::V1);
            assert!(t.permits(Version::V1) && t.permits(Version::V2));
        }
        for t in [Transport::Udp, Transport::UdpTls] {
            assert_eq!(t.default_version(), Version::V2);
            assert!(!t.permits(Version::V1) && t.permits(Version::V2));
        }
    }
}
