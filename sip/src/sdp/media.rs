//! `m=` sections (RFC 8866 §5.14).

use std::fmt;

use super::attribute::{Attribute, AttributeValue, ContentRole, Direction, Fmtp, Rtpmap};
use super::bfcp::FloorCtrlRole;
use super::connection::Connection;
use super::crypto::Crypto;
use super::session::{Bandwidth, Key};

/// `<media>` of an `m=` line.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub enum MediaType {
    Audio,
    Video,
    Text,
    Application,
    Message,
    Image,
    Other(String),
}

impl MediaType {
    pub(crate) fn parse(token: &str) -> Self {
        match token {
            "audio" => Self::Audio,
            "video" => Self::Video,
            "text" => Self::Text,
            "application" => Self::Application,
            "message" => Self::Message,
            "image" => Self::Image,
            other => Self::Other(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Audio => "audio",
            Self::Video => "video",
            Self::Text => "text",
            Self::Application => "application",
            Self::Message => "message",
            Self::Image => "image",
            Self::Other(s) => s,
        }
    }
}

impl fmt::Display for MediaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `<proto>` of an `m=` line. Matched case-sensitively so that an unusual spelling ends in
/// `Other` and is re-emitted as received.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Proto {
    RtpAvp,
    RtpAvpf,
    RtpSavp,
    RtpSavpf,
    UdpTlsRtpSavp,
    UdpTlsRtpSavpf,
    TcpBfcp,
    TcpTlsBfcp,
    UdpBfcp,
    Udp,
    Other(String),
}

const PROTOS: &[(Proto, &str)] = &[
    (Proto::RtpAvp, "RTP/AVP"),
    (Proto::RtpAvpf, "RTP/AVPF"),
    (Proto::RtpSavp, "RTP/SAVP"),
    (Proto::RtpSavpf, "RTP/SAVPF"),
    (Proto::UdpTlsRtpSavp, "UDP/TLS/RTP/SAVP"),
    (Proto::UdpTlsRtpSavpf, "UDP/TLS/RTP/SAVPF"),
    (Proto::TcpBfcp, "TCP/BFCP"),
    (Proto::TcpTlsBfcp, "TCP/TLS/BFCP"),
    (Proto::UdpBfcp, "UDP/BFCP"),
    (Proto::Udp, "udp"),
];

impl Proto {
    pub(crate) fn parse(token: &str) -> Self {
        PROTOS
            .iter()
            .find(|(_, name)| *name == token)
            .map_or_else(|| Self::Other(token.to_owned()), |(p, _)| p.clone())
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Other(s) => s,
            known => PROTOS
                .iter()
                .find(|(p, _)| p == known)
                .map_or("", |(_, name)| name),
        }
    }

    /// RTP of any profile: formats are payload type numbers.
    pub fn is_rtp(&self) -> bool {
        matches!(
            self,
            Self::RtpAvp
                | Self::RtpAvpf
                | Self::RtpSavp
                | Self::RtpSavpf
                | Self::UdpTlsRtpSavp
                | Self::UdpTlsRtpSavpf
        )
    }

    /// SDES-keyed SRTP profiles (not DTLS-SRTP).
    pub fn is_sdes_srtp(&self) -> bool {
        matches!(self, Self::RtpSavp | Self::RtpSavpf)
    }

    /// DTLS-SRTP profiles (RFC 5764).
    pub fn is_dtls_srtp(&self) -> bool {
        matches!(self, Self::UdpTlsRtpSavp | Self::UdpTlsRtpSavpf)
    }

    pub fn is_bfcp(&self) -> bool {
        matches!(self, Self::TcpBfcp | Self::TcpTlsBfcp | Self::UdpBfcp)
    }
}

impl fmt::Display for Proto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One `m=` section with its lines.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MediaDescription {
    pub media: MediaType,
    /// 0 means the stream is rejected or disabled (RFC 3264 §5.1).
    pub port: u16,
    /// The `/<number of ports>` suffix.
    pub port_count: Option<u16>,
    pub proto: Proto,
    /// Payload type numbers for RTP, `*` for BFCP, free tokens otherwise.
    pub formats: Vec<String>,
    pub info: Option<String>,
    /// Several are allowed (layered multicast); unicast peers send at most one.
    pub connections: Vec<Connection>,
    pub bandwidths: Vec<Bandwidth>,
    pub key: Option<Key>,
    pub attributes: Vec<Attribute>,
}

impl MediaDescription {
    pub fn new(media: MediaType, port: u16, proto: Proto, formats: Vec<String>) -> Self {
        Self {
            media,
            port,
            port_count: None,
            proto,
            formats,
            info: None,
            connections: Vec::new(),
            bandwidths: Vec::new(),
            key: None,
            attributes: Vec::new(),
        }
    }

    pub fn push_attribute(&mut self, value: AttributeValue) {
        self.attributes.push(Attribute::new(value));
    }

    pub fn values(&self) -> impl Iterator<Item = &AttributeValue> {
        self.attributes.iter().map(Attribute::value)
    }

    pub fn is_rejected(&self) -> bool {
        self.port == 0
    }

    pub fn rtpmap(&self, payload_type: u8) -> Option<&Rtpmap> {
        self.values().find_map(|v| match v {
            AttributeValue::Rtpmap(r) if r.payload_type == payload_type => Some(r),
            _ => None,
        })
    }

    pub fn fmtp(&self, format: &str) -> Option<&Fmtp> {
        self.values().find_map(|v| match v {
            AttributeValue::Fmtp(f) if f.format == format => Some(f),
            _ => None,
        })
    }

    /// The media-level direction attribute, if any (the session-level one or `sendrecv`
    /// applies otherwise; see [`super::SessionDescription::direction_of`]).
    pub fn direction(&self) -> Option<Direction> {
        self.values().find_map(|v| match v {
            AttributeValue::Direction(d) => Some(*d),
            _ => None,
        })
    }

    pub fn cryptos(&self) -> impl Iterator<Item = &Crypto> {
        self.values().filter_map(|v| match v {
            AttributeValue::Crypto(c) => Some(c),
            _ => None,
        })
    }

    pub fn mid(&self) -> Option<&str> {
        self.values().find_map(|v| match v {
            AttributeValue::Mid(m) => Some(m.as_str()),
            _ => None,
        })
    }

    pub fn label(&self) -> Option<&str> {
        self.values().find_map(|v| match v {
            AttributeValue::Label(l) => Some(l.as_str()),
            _ => None,
        })
    }

    pub fn content(&self) -> Option<&[ContentRole]> {
        self.values().find_map(|v| match v {
            AttributeValue::Content(c) => Some(c.as_slice()),
            _ => None,
        })
    }

    pub fn floor_ctrl(&self) -> Option<&[FloorCtrlRole]> {
        self.values().find_map(|v| match v {
            AttributeValue::FloorCtrl(r) => Some(r.as_slice()),
            _ => None,
        })
    }

    pub fn has_rtcp_mux(&self) -> bool {
        self.values().any(|v| matches!(v, AttributeValue::RtcpMux))
    }
}
