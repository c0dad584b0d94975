//! The session part of an SDP body and the small line types shared with media sections.

use std::fmt;

use super::attribute::{Attribute, AttributeValue, Direction};
use super::connection::{Connection, Origin};
use super::media::MediaDescription;
use super::timing::{Timing, ZoneAdjustment};
use super::SdpError;

/// `<bwtype>` of `b=`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub enum BandwidthType {
    /// Conference total, kbit/s.
    Ct,
    /// Application specific, kbit/s; what room systems use for the call rate.
    As,
    /// Transport independent, bit/s (RFC 3890).
    Tias,
    /// RTCP receiver share (RFC 3556).
    Rr,
    /// RTCP sender share (RFC 3556).
    Rs,
    Other(String),
}

impl BandwidthType {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Ct => "CT",
            Self::As => "AS",
            Self::Tias => "TIAS",
            Self::Rr => "RR",
            Self::Rs => "RS",
            Self::Other(s) => s,
        }
    }

    pub(crate) fn parse(token: &str) -> Self {
        match token {
            "CT" => Self::Ct,
            "AS" => Self::As,
            "TIAS" => Self::Tias,
            "RR" => Self::Rr,
            "RS" => Self::Rs,
            other => Self::Other(other.to_owned()),
        }
    }
}

/// `b=<bwtype>:<bandwidth>`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Bandwidth {
    pub kind: BandwidthType,
    pub value: u64,
}

impl fmt::Display for Bandwidth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind.as_str(), self.value)
    }
}

/// `k=` (obsolete, RFC 8866 §5.12). Its value may be a clear-text key, so only the method
/// shows in `Debug` and serde output.
#[derive(Clone, PartialEq, Eq)]
pub struct Key(pub(crate) String);

impl Key {
    /// `clear`, `base64`, `uri` or `prompt`.
    pub fn method(&self) -> &str {
        self.0.split_once(':').map_or(self.0.as_str(), |(m, _)| m)
    }

    /// The whole line value, key included.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key({}:<redacted>)", self.method())
    }
}

impl serde::Serialize for Key {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Key", 2)?;
        st.serialize_field("method", self.method())?;
        st.serialize_field("redacted", &true)?;
        st.end()
    }
}

/// A whole SDP body.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SessionDescription {
    /// `v=`; always 0.
    pub version: u32,
    pub origin: Origin,
    /// `s=`; RFC 8866 wants `-` when there is nothing to say, but empty is tolerated.
    pub session_name: String,
    pub info: Option<String>,
    pub uri: Option<String>,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub connection: Option<Connection>,
    pub bandwidths: Vec<Bandwidth>,
    /// `t=` lines, each with its `r=` lines; at least one.
    pub times: Vec<Timing>,
    /// `z=` pairs; empty when there is no `z=` line.
    pub time_zones: Vec<ZoneAdjustment>,
    pub key: Option<Key>,
    pub attributes: Vec<Attribute>,
    pub media: Vec<MediaDescription>,
}

impl SessionDescription {
    /// Parses an SDP body. See the module docs for what is tolerated.
    pub fn parse(input: &[u8]) -> Result<Self, SdpError> {
        super::parse::parse(input)
    }

    /// The body with CRLF line ends.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.to_string().into_bytes()
    }

    /// A minimal body (`v=0`, `o=`, `s=-`, `t=0 0`) to build on.
    pub fn new(origin: Origin) -> Self {
        Self {
            version: 0,
            origin,
            session_name: "-".to_owned(),
            info: None,
            uri: None,
            emails: Vec::new(),
            phones: Vec::new(),
            connection: None,
            bandwidths: Vec::new(),
            times: vec![Timing::permanent()],
            time_zones: Vec::new(),
            key: None,
            attributes: Vec::new(),
            media: Vec::new(),
        }
    }

    pub fn values(&self) -> impl Iterator<Item = &AttributeValue> {
        self.attributes.iter().map(Attribute::value)
    }

    /// The direction that applies to media section `index`: its own attribute, else the
    /// session-level one, else `sendrecv` (RFC 3264 §5.1).
    pub fn direction_of(&self, index: usize) -> Direction {
        self.media
            .get(index)
            .and_then(MediaDescription::direction)
            .or_else(|| {
                self.values().find_map(|v| match v {
                    AttributeValue::Direction(d) => Some(*d),
                    _ => None,
                })
            })
            .unwrap_or(Direction::SendRecv)
    }

    /// The connection that applies to media section `index` (its own first `c=`, else the
    /// session's).
    pub fn connection_of(&self, index: usize) -> Option<&Connection> {
        self.media
            .get(index)
            .and_then(|m| m.connections.first())
            .or(self.connection.as_ref())
    }
}
