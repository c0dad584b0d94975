//! `a=` lines (RFC 8866 §5.13 and §6): typed where the gateway acts on them, verbatim
//! otherwise.
//!
//! Every parsed [`Attribute`] keeps the exact text it arrived as and serializes that text,
//! so vendor attributes, odd spacing and suite spellings survive a pass through the gateway
//! byte for byte. Attributes built from a typed value get canonical text instead. The typed
//! value is reachable only through accessors, so the two can never disagree.

use std::fmt;

use super::bfcp::{self, FloorCtrlRole, FloorId};
use super::connection::{is_token, parse_decimal, Connection};
use super::crypto::Crypto;
use super::error::AttributeError;
use super::limits::{MAX_FMTP_PARAMS, MAX_LIST_ITEMS};

/// Media direction (RFC 8866 §6.7, RFC 3264 §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Direction {
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SendRecv => "sendrecv",
            Self::SendOnly => "sendonly",
            Self::RecvOnly => "recvonly",
            Self::Inactive => "inactive",
        }
    }

    /// The direction an answer must take for this offered direction (RFC 3264 §6.1).
    pub fn reversed(self) -> Self {
        match self {
            Self::SendOnly => Self::RecvOnly,
            Self::RecvOnly => Self::SendOnly,
            other => other,
        }
    }
}

/// `a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Rtpmap {
    pub payload_type: u8,
    pub encoding_name: String,
    pub clock_rate: u32,
    /// Audio channels; absent means one.
    pub channels: Option<u16>,
}

impl Rtpmap {
    fn parse(value: &str) -> Result<Self, &'static str> {
        let (pt, encoding) = value.split_once(' ').ok_or("expected <pt> <encoding>")?;
        let payload_type = parse_decimal::<u8>(pt)
            .filter(|pt| *pt <= 127)
            .ok_or("payload type must be 0..127")?;
        let mut parts = encoding.split('/');
        let encoding_name = parts.next().unwrap_or_default();
        if !is_token(encoding_name) {
            return Err("bad encoding name");
        }
        let clock_rate = parts
            .next()
            .and_then(parse_decimal)
            .ok_or("missing or bad clock rate")?;
        let channels = match parts.next() {
            Some(ch) => Some(parse_decimal(ch).ok_or("bad channel count")?),
            None => None,
        };
        if parts.next().is_some() {
            return Err("too many '/' fields");
        }
        Ok(Self {
            payload_type,
            encoding_name: encoding_name.to_owned(),
            clock_rate,
            channels,
        })
    }
}

impl fmt::Display for Rtpmap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}/{}",
            self.payload_type, self.encoding_name, self.clock_rate
        )?;
        if let Some(ch) = self.channels {
            write!(f, "/{ch}")?;
        }
        Ok(())
    }
}

/// `a=fmtp:<format> <format specific parameters>`. The parameters stay one string because
/// their syntax belongs to each payload format; [`Fmtp::params`] covers the common
/// `key=value;…` shape.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Fmtp {
    pub format: String,
    pub params: String,
}

impl Fmtp {
    fn parse(value: &str) -> Result<Self, &'static str> {
        let (format, params) = value.split_once(' ').unwrap_or((value, ""));
        if !is_token(format) {
            return Err("bad format");
        }
        Ok(Self {
            format: format.to_owned(),
            params: params.to_owned(),
        })
    }

    /// The `key[=value]` pairs of a `;`-separated parameter list, trimmed, at most
    /// [`MAX_FMTP_PARAMS`] of them.
    pub fn params(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.params
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .take(MAX_FMTP_PARAMS)
            .map(|p| match p.split_once('=') {
                Some((k, v)) => (k.trim(), Some(v.trim())),
                None => (p, None),
            })
    }

    /// The value of one parameter; names compare case-insensitively as in RFC 6184.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v)
    }
}

impl fmt::Display for Fmtp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format)?;
        if !self.params.is_empty() {
            write!(f, " {}", self.params)?;
        }
        Ok(())
    }
}

/// `a=rtcp:<port> [<nettype> <addrtype> <address>]` (RFC 3605).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Rtcp {
    pub port: u16,
    pub connection: Option<Connection>,
}

impl Rtcp {
    fn parse(value: &str) -> Result<Self, &'static str> {
        let (port, rest) = match value.split_once(' ') {
            Some((port, rest)) => (port, Some(rest)),
            None => (value, None),
        };
        let port = parse_decimal(port).ok_or("bad port")?;
        let connection = rest.map(Connection::parse).transpose()?;
        Ok(Self { port, connection })
    }
}

impl fmt::Display for Rtcp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.port)?;
        if let Some(c) = &self.connection {
            write!(f, " {c}")?;
        }
        Ok(())
    }
}

/// `a=rtcp-fb:<format or *> <type> [<parameters>]` (RFC 4585), e.g. `96 nack pli`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RtcpFb {
    /// A payload type or `*`.
    pub format: String,
    /// `ack`, `nack`, `trr-int`, `ccm`, `goog-remb`, …
    pub kind: String,
    pub params: Option<String>,
}

impl RtcpFb {
    fn parse(value: &str) -> Result<Self, &'static str> {
        let (format, rest) = value.split_once(' ').ok_or("expected <format> <type>")?;
        if format != "*" && parse_decimal::<u8>(format).is_none() {
            return Err("format must be a payload type or *");
        }
        let (kind, params) = match rest.split_once(' ') {
            Some((k, p)) => (k, Some(p.to_owned())),
            None => (rest, None),
        };
        if !is_token(kind) {
            return Err("bad feedback type");
        }
        Ok(Self {
            format: format.to_owned(),
            kind: kind.to_owned(),
            params,
        })
    }
}

impl fmt::Display for RtcpFb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.format, self.kind)?;
        if let Some(p) = &self.params {
            write!(f, " {p}")?;
        }
        Ok(())
    }
}

/// One value of `a=content` (RFC 4796): what a video stream shows, which is how a room
/// system tells the people camera from the shared slides.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub enum ContentRole {
    Slides,
    Speaker,
    /// Sign language.
    Sl,
    Main,
    Alt,
    Other(String),
}

impl ContentRole {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Slides => "slides",
            Self::Speaker => "speaker",
            Self::Sl => "sl",
            Self::Main => "main",
            Self::Alt => "alt",
            Self::Other(s) => s,
        }
    }

    fn parse_list(value: &str) -> Result<Vec<Self>, &'static str> {
        let mut roles = Vec::new();
        for token in value.split(',') {
            if roles.len() >= MAX_LIST_ITEMS {
                return Err("too many content values");
            }
            if !is_token(token) {
                return Err("content value must be a token");
            }
            roles.push(match token {
                "slides" => Self::Slides,
                "speaker" => Self::Speaker,
                "sl" => Self::Sl,
                "main" => Self::Main,
                "alt" => Self::Alt,
                other => Self::Other(other.to_owned()),
            });
        }
        Ok(roles)
    }
}

/// The meaning of one attribute line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum AttributeValue {
    Rtpmap(Rtpmap),
    Fmtp(Fmtp),
    Direction(Direction),
    Ptime(u32),
    Maxptime(u32),
    Rtcp(Rtcp),
    RtcpMux,
    RtcpFb(RtcpFb),
    Mid(String),
    Label(String),
    Content(Vec<ContentRole>),
    Crypto(Crypto),
    FloorCtrl(Vec<FloorCtrlRole>),
    ConfId(String),
    UserId(String),
    FloorId(FloorId),
    BfcpVer(Vec<u16>),
    /// Everything we do not interpret, including vendor attributes.
    Other {
        name: String,
        value: Option<String>,
    },
    /// A known attribute whose value breaks its grammar (e.g. RFC 4475's `a=rtpmap:31 LPC`
    /// without a clock rate). Kept rather than refused, so that one sloppy line does not
    /// fail a call; whoever needs the attribute sees why it is unusable.
    Malformed {
        name: String,
        value: Option<String>,
        reason: &'static str,
    },
}

impl AttributeValue {
    /// The attribute name (the part before `:`).
    pub fn name(&self) -> &str {
        match self {
            Self::Rtpmap(_) => "rtpmap",
            Self::Fmtp(_) => "fmtp",
            Self::Direction(d) => d.as_str(),
            Self::Ptime(_) => "ptime",
            Self::Maxptime(_) => "maxptime",
            Self::Rtcp(_) => "rtcp",
            Self::RtcpMux => "rtcp-mux",
            Self::RtcpFb(_) => "rtcp-fb",
            Self::Mid(_) => "mid",
            Self::Label(_) => "label",
            Self::Content(_) => "content",
            Self::Crypto(_) => "crypto",
            Self::FloorCtrl(_) => "floorctrl",
            Self::ConfId(_) => "confid",
            Self::UserId(_) => "userid",
            Self::FloorId(_) => "floorid",
            Self::BfcpVer(_) => "bfcpver",
            Self::Other { name, .. } | Self::Malformed { name, .. } => name,
        }
    }

    fn parse(name: &str, value: Option<&str>) -> Result<Self, AttributeError> {
        use AttributeError::Invalid;
        let property = |v: Self| match value {
            None => Ok(v),
            Some(_) => Err(Invalid("takes no value")),
        };
        let need = || value.ok_or(Invalid("missing value"));
        let single_token = |v: &str| {
            if is_token(v) {
                Ok(v.to_owned())
            } else {
                Err(Invalid("value must be one token"))
            }
        };
        Ok(match name {
            "rtpmap" => Self::Rtpmap(Rtpmap::parse(need()?).map_err(Invalid)?),
            "fmtp" => Self::Fmtp(Fmtp::parse(need()?).map_err(Invalid)?),
            "sendrecv" => property(Self::Direction(Direction::SendRecv))?,
            "sendonly" => property(Self::Direction(Direction::SendOnly))?,
            "recvonly" => property(Self::Direction(Direction::RecvOnly))?,
            "inactive" => property(Self::Direction(Direction::Inactive))?,
            "ptime" => Self::Ptime(parse_decimal(need()?).ok_or(Invalid("not a number"))?),
            "maxptime" => Self::Maxptime(parse_decimal(need()?).ok_or(Invalid("not a number"))?),
            "rtcp" => Self::Rtcp(Rtcp::parse(need()?).map_err(Invalid)?),
            "rtcp-mux" => property(Self::RtcpMux)?,
            "rtcp-fb" => Self::RtcpFb(RtcpFb::parse(need()?).map_err(Invalid)?),
            "mid" => Self::Mid(single_token(need()?)?),
            "label" => Self::Label(single_token(need()?)?),
            "content" => Self::Content(ContentRole::parse_list(need()?).map_err(Invalid)?),
            "crypto" => Self::Crypto(Crypto::parse(need()?)?),
            "floorctrl" => Self::FloorCtrl(FloorCtrlRole::parse_list(need()?).map_err(Invalid)?),
            "confid" => Self::ConfId(single_token(need()?)?),
            "userid" => Self::UserId(single_token(need()?)?),
            "floorid" => Self::FloorId(FloorId::parse(need()?).map_err(Invalid)?),
            "bfcpver" => Self::BfcpVer(bfcp::parse_versions(need()?).map_err(Invalid)?),
            _ => Self::Other {
                name: name.to_owned(),
                value: value.map(str::to_owned),
            },
        })
    }
}

fn write_list<T: fmt::Display>(f: &mut fmt::Formatter<'_>, items: &[T], sep: &str) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(sep)?;
        }
        item.fmt(f)?;
    }
    Ok(())
}

impl fmt::Display for ContentRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Canonical text of the attribute (without the leading `a=`).
impl fmt::Display for AttributeValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())?;
        match self {
            Self::Direction(_)
            | Self::RtcpMux
            | Self::Other { value: None, .. }
            | Self::Malformed { value: None, .. } => Ok(()),
            _ => {
                f.write_str(":")?;
                match self {
                    Self::Rtpmap(v) => v.fmt(f),
                    Self::Fmtp(v) => v.fmt(f),
                    Self::Ptime(v) | Self::Maxptime(v) => v.fmt(f),
                    Self::Rtcp(v) => v.fmt(f),
                    Self::RtcpFb(v) => v.fmt(f),
                    Self::Mid(v) | Self::Label(v) | Self::ConfId(v) | Self::UserId(v) => {
                        f.write_str(v)
                    }
                    Self::Content(v) => write_list(f, v, ","),
                    Self::Crypto(v) => v.fmt(f),
                    Self::FloorCtrl(v) => write_list(f, v, " "),
                    Self::FloorId(v) => v.fmt(f),
                    Self::BfcpVer(v) => write_list(f, v, " "),
                    Self::Other { value: Some(v), .. } | Self::Malformed { value: Some(v), .. } => {
                        f.write_str(v)
                    }
                    Self::Direction(_)
                    | Self::RtcpMux
                    | Self::Other { value: None, .. }
                    | Self::Malformed { value: None, .. } => Ok(()),
                }
            }
        }
    }
}

/// One `a=` line: its typed value plus the text it is written as.
#[derive(Clone, PartialEq, Eq)]
pub struct Attribute {
    text: String,
    value: AttributeValue,
}

/// A static description of why a crypto line is malformed, for [`AttributeValue::Malformed`].
fn crypto_reason(e: &super::crypto::CryptoError) -> &'static str {
    use super::crypto::CryptoError as E;
    match e {
        E::Syntax(what) => what,
        E::BadTag => "crypto tag must be 1 to 9 decimal digits",
        E::UnsupportedKeyMethod => "crypto key method is not inline",
        E::BadBase64 => "crypto key is not valid base64",
        E::KeyLength { .. } => "crypto key length does not fit the suite",
        E::BadLifetime => "bad crypto key lifetime",
        E::BadMki => "bad crypto MKI",
        E::TooManyKeyParams(_) => "too many crypto key parameters",
        E::TooManySessionParams(_) => "too many crypto session parameters",
    }
}

impl Attribute {
    /// An attribute written in canonical form.
    pub fn new(value: AttributeValue) -> Self {
        Self {
            text: value.to_string(),
            value,
        }
    }

    /// Parses the text after `a=`, keeping it verbatim for serialization.
    pub fn parse(text: &str) -> Result<Self, AttributeError> {
        let (name, value) = match text.split_once(':') {
            Some((n, v)) => (n, Some(v)),
            None => (text, None),
        };
        if !is_token(name) {
            return Err(AttributeError::Invalid("attribute name must be a token"));
        }
        let value = AttributeValue::parse(name, value)?;
        Ok(Self {
            text: text.to_owned(),
            value,
        })
    }

    /// Like [`Attribute::parse`], but a known attribute with a bad value becomes
    /// [`AttributeValue::Malformed`] instead of an error. That includes `a=crypto` (e.g. a key
    /// that does not fit its suite): one bad line must not hide the offer's next, usable line,
    /// and a malformed crypto line still counts as a crypto line for whoever applies SRTP —
    /// the gateway's SRTP rule refuses it as unusable, never treats it as absent.
    pub fn parse_lenient(text: &str) -> Result<Self, AttributeError> {
        let parsed = match Self::parse(text) {
            Err(AttributeError::Crypto(e)) => Err(AttributeError::Invalid(crypto_reason(&e))),
            other => other,
        };
        match parsed {
            Err(AttributeError::Invalid(reason)) => {
                let (name, value) = match text.split_once(':') {
                    Some((n, v)) => (n, Some(v.to_owned())),
                    None => (text, None),
                };
                if !is_token(name) {
                    return Err(AttributeError::Invalid(reason));
                }
                let value = AttributeValue::Malformed {
                    name: name.to_owned(),
                    value,
                    reason,
                };
                Ok(Self {
                    text: text.to_owned(),
                    value,
                })
            }
            other => other,
        }
    }

    pub fn value(&self) -> &AttributeValue {
        &self.value
    }

    pub fn into_value(self) -> AttributeValue {
        self.value
    }

    pub fn name(&self) -> &str {
        self.value.name()
    }

    /// The text written after `a=`. It may contain SRTP keys: never log it.
    pub fn as_text(&self) -> &str {
        &self.text
    }
}

impl From<AttributeValue> for Attribute {
    fn from(value: AttributeValue) -> Self {
        Self::new(value)
    }
}

impl fmt::Display for Attribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Shows only the typed value: the raw text of an `a=crypto` line holds the key.
impl fmt::Debug for Attribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

/// Serializes the typed value only, for the same reason as `Debug`.
impl serde::Serialize for Attribute {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests {
    use super::*;

    fn canonical_round_trip(text: &str) -> AttributeValue {
        let a = Attribute::parse(text).unwrap();
        assert_eq!(a.to_string(), text);
        assert_eq!(a.value().to_string(), text, "canonical form of {text}");
        a.into_value()
    }

    #[test]
    fn typed_attributes() {
        let AttributeValue::Rtpmap(r) = canonical_round_trip("rtpmap:111 opus/48000/2") else {
            panic!()
        };
        assert_eq!(
            (r.payload_type, r.clock_rate, r.channels),
            (111, 48000, Some(2))
        );
        assert!(matches!(
            canonical_round_trip("sendonly"),
            AttributeValue::Direction(Direction::SendOnly)
        ));
        assert_eq!(canonical_round_trip("ptime:20"), AttributeValue::Ptime(20));
        assert_eq!(
            canonical_round_trip("maxptime:40"),
            AttributeValue::Maxptime(40)
        );
        let AttributeValue::Rtcp(r) = canonical_round_trip("rtcp:53020 IN IP6 2001:db8::1") else {
            panic!()
        };
        assert_eq!(r.port, 53020);
        assert_eq!(
            canonical_round_trip("rtcp:9"),
            AttributeValue::Rtcp(Rtcp {
                port: 9,
                connection: None
            })
        );
        assert_eq!(canonical_round_trip("rtcp-mux"), AttributeValue::RtcpMux);
        let AttributeValue::RtcpFb(fb) = canonical_round_trip("rtcp-fb:* ccm fir") else {
            panic!()
        };
        assert_eq!(
            (fb.kind.as_str(), fb.params.as_deref()),
            ("ccm", Some("fir"))
        );
        canonical_round_trip("rtcp-fb:97 nack");
        assert_eq!(
            canonical_round_trip("mid:1"),
            AttributeValue::Mid("1".into())
        );
        assert_eq!(
            canonical_round_trip("label:11"),
            AttributeValue::Label("11".into())
        );
        assert_eq!(
            canonical_round_trip("content:slides,x-demo"),
            AttributeValue::Content(vec![
                ContentRole::Slides,
                ContentRole::Other("x-demo".into())
            ])
        );
        canonical_round_trip("content:speaker,sl,main,alt");
        canonical_round_trip("floorctrl:c-only s-only");
        canonical_round_trip("confid:4321");
        canonical_round_trip("userid:1234");
        canonical_round_trip("floorid:1 mstrm:3");
        canonical_round_trip("bfcpver:1 2");
    }

    #[test]
    fn fmtp_params() {
        let AttributeValue::Fmtp(f) = canonical_round_trip(
            "fmtp:97 profile-level-id=42801f; packetization-mode=1;max-fs=3600",
        ) else {
            panic!()
        };
        let params: Vec<_> = f.params().collect();
        assert_eq!(params[0], ("profile-level-id", Some("42801f")));
        assert_eq!(params[1], ("packetization-mode", Some("1")));
        assert_eq!(f.param("MAX-FS"), Some("3600"));
        let AttributeValue::Fmtp(f) = canonical_round_trip("fmtp:101 0-15") else {
            panic!()
        };
        assert_eq!(f.params().next(), Some(("0-15", None)));
    }

    #[test]
    fn vendor_attributes_verbatim() {
        for text in [
            "vnd.polycom.foo:bar  baz ",
            "X-cisco-media:umc",
            "x-nothing",
            "ptime-ish:1",
            "rtpmap-x:",
        ] {
            let a = Attribute::parse(text).unwrap();
            assert!(matches!(a.value(), AttributeValue::Other { .. }), "{text}");
            assert_eq!(a.to_string(), text);
        }
    }

    #[test]
    fn bad_typed_attributes() {
        for text in [
            "rtpmap:128 x/8000",
            "rtpmap:0 PCMU",
            "rtpmap:0 PCMU/x",
            "rtpmap:0 PCMU/8000/1/2",
            "rtpmap",
            "ptime:",
            "ptime:2O",
            "sendrecv:1",
            "rtcp:99999",
            "rtcp-fb:x nack",
            "mid:a b",
            "content:",
            "content:slides,",
            "floorctrl:master",
            "floorid:x",
            "bfcpver:",
            "crypto:1",
            ":x",
            "a b:c",
        ] {
            assert!(Attribute::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn lenient_keeps_malformed_values_bad_crypto_too() {
        let a = Attribute::parse_lenient("rtpmap:31 LPC").unwrap();
        assert!(matches!(a.value(), AttributeValue::Malformed { name, .. } if name == "rtpmap"));
        assert_eq!(a.to_string(), "rtpmap:31 LPC");
        assert_eq!(a.value().to_string(), "rtpmap:31 LPC");
        assert!(matches!(
            Attribute::parse_lenient("sendrecv:x").unwrap().value(),
            AttributeValue::Malformed { .. }
        ));
        let bad = Attribute::parse_lenient("crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAAA").unwrap();
        assert!(
            matches!(bad.value(), AttributeValue::Malformed { name, reason, .. }
                if name == "crypto" && *reason == "crypto key length does not fit the suite"),
            "{bad:?}"
        );
        assert_eq!(
            bad.to_string(),
            "crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAAA"
        );
        assert!(Attribute::parse("crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAAA").is_err());
        assert!(Attribute::parse_lenient("a b:c").is_err());
    }

    #[test]
    fn non_canonical_text_is_kept() {
        let a = Attribute::parse("rtpmap:0 pcmu/8000/1").unwrap();
        assert_eq!(a.to_string(), "rtpmap:0 pcmu/8000/1");
        let AttributeValue::Rtpmap(r) = a.value() else {
            panic!()
        };
        assert_eq!(r.channels, Some(1));
    }
}
