//! RFC 3264 offer/answer as pure functions: no sockets, no clock, no randomness. The
//! caller brings ports and fresh SRTP keys (through a closure, so that keys are only
//! made for the suites actually chosen).
//!
//! Rules applied per offered `m=` line, in order (RFC 3264 §6):
//! 1. The answer has the same number of `m=` lines in the same order; a stream we cannot
//!    take gets port 0 and the offered formats.
//! 2. A stream offered with port 0 stays rejected.
//! 3. BFCP streams are taken only when we have BFCP capabilities, content (slides) video
//!    only when `accept_content` is set, DTLS-SRTP never (not implemented here).
//! 4. RTP formats: the offered ones we also have, in the offerer's order, with the
//!    offerer's payload type numbers.
//! 5. SRTP: one `a=crypto` line, the first of *our* suites that the peer offered, with the
//!    offer's tag and suite spelling and our own key.
//! 6. Direction is mirrored (sendonly ↔ recvonly) and always written.
//! 7. `a=mid`, `a=label` and `a=content` are copied.

use super::attribute::{Attribute, AttributeValue, ContentRole, Direction, Fmtp, Rtpmap};
use super::bfcp::{FloorCtrlRole, FloorId};
use super::connection::{parse_decimal, Connection, Origin};
use super::crypto::{Crypto, CryptoSuite, KeyMaterial};
use super::h264::H264Params;
use super::media::{MediaDescription, MediaType, Proto};
use super::session::SessionDescription;

/// How much we insist on SRTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SrtpPolicy {
    /// Refuse streams without SDES keys.
    Mandatory,
    /// Use SDES when offered (also on `RTP/AVP` lines, "best effort SRTP"), else plain RTP.
    Optional,
    /// Plain RTP only; `RTP/SAVP` streams are refused.
    Off,
}

/// One codec we can handle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalCodec {
    pub media: MediaType,
    pub encoding_name: String,
    pub clock_rate: u32,
    pub channels: Option<u16>,
    /// Our format parameters; used in answers instead of the offer's when present.
    pub fmtp: Option<String>,
    /// The payload type we use in our own offers.
    pub payload_type: u8,
}

/// What we are when a BFCP stream is negotiated, and the ids we hand out as floor server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BfcpCapabilities {
    /// Preferred role; `ClientServer` means we can do both and prefer server.
    pub role: FloorCtrlRole,
    pub conference_id: String,
    pub user_id: String,
    pub floors: Vec<FloorId>,
}

/// Everything the answer depends on besides the offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalCapabilities {
    pub origin: Origin,
    pub connection: Connection,
    /// In preference order (for offers; answers follow the offerer's order).
    pub codecs: Vec<LocalCodec>,
    /// In preference order.
    pub crypto_suites: Vec<CryptoSuite>,
    pub srtp: SrtpPolicy,
    /// Take content (`a=content:slides`) video streams.
    pub accept_content: bool,
    /// `None`: refuse BFCP streams.
    pub bfcp: Option<BfcpCapabilities>,
    pub rtcp_mux: bool,
}

/// Payload types RFC 3551 assigns statically, for offers that omit `a=rtpmap`.
fn static_payload(pt: u8) -> Option<(&'static str, u32)> {
    Some(match pt {
        0 => ("PCMU", 8000),
        3 => ("GSM", 8000),
        4 => ("G723", 8000),
        8 => ("PCMA", 8000),
        9 => ("G722", 8000),
        13 => ("CN", 8000),
        18 => ("G729", 8000),
        26 => ("JPEG", 90000),
        31 => ("H261", 90000),
        34 => ("H263", 90000),
        _ => return None,
    })
}

fn codec_matches(
    local: &LocalCodec,
    name: &str,
    rate: u32,
    channels: u16,
    fmtp: Option<&Fmtp>,
) -> bool {
    if !local.encoding_name.eq_ignore_ascii_case(name)
        || local.clock_rate != rate
        || local.channels.unwrap_or(1) != channels
    {
        return false;
    }
    // H.264: same profile and packetization mode, valid parameters (RFC 6184 §8.2.2).
    if name.eq_ignore_ascii_case("H264") {
        return h264_answer(local, fmtp).is_some();
    }
    true
}

/// Our answer's parameters for an offered H.264 format (`fmtp`) that `local` can take:
/// derived from the offer, never our own `profile-level-id` copied (RFC 6184 §8.2.2).
fn h264_answer(local: &LocalCodec, fmtp: Option<&Fmtp>) -> Option<String> {
    let offered = H264Params::from_fmtp(fmtp)?;
    let ours = H264Params::from_params(local.fmtp.as_deref().unwrap_or(""))?;
    H264Params::answer(&offered, &ours)
}

fn rejected(offer: &MediaDescription) -> MediaDescription {
    let mut m = MediaDescription::new(
        offer.media.clone(),
        0,
        offer.proto.clone(),
        offer.formats.clone(),
    );
    if m.formats.is_empty() {
        m.formats.push("0".to_owned());
    }
    copy_identity(offer, &mut m);
    m
}

/// Rule 7: the attributes that tie a stream to its role and grouping.
fn copy_identity(offer: &MediaDescription, answer: &mut MediaDescription) {
    let keep = offer.attributes.iter().filter(|a| {
        matches!(
            a.value(),
            AttributeValue::Mid(_) | AttributeValue::Label(_) | AttributeValue::Content(_)
        )
    });
    answer.attributes.extend(keep.cloned());
}

fn is_content_video(m: &MediaDescription) -> bool {
    m.content()
        .is_some_and(|c| c.contains(&ContentRole::Slides))
}

/// Picks our crypto line for an offered stream: `Ok(None)` = plain RTP, `Err(())` = refuse.
fn choose_crypto(
    offer: &MediaDescription,
    caps: &LocalCapabilities,
    new_key: &mut dyn FnMut(&CryptoSuite) -> Option<KeyMaterial>,
) -> Result<Option<Crypto>, ()> {
    let sdes_profile = offer.proto.is_sdes_srtp();
    if caps.srtp == SrtpPolicy::Off {
        return if sdes_profile { Err(()) } else { Ok(None) };
    }
    for suite in &caps.crypto_suites {
        let Some(offered) = offer.cryptos().find(|c| &c.suite == suite) else {
            continue;
        };
        let Some(key) = new_key(suite) else { continue };
        let mut ours = Crypto::new(offered.tag, suite.clone(), key);
        ours.legacy_spelling = offered.legacy_spelling;
        return Ok(Some(ours));
    }
    if sdes_profile || caps.srtp == SrtpPolicy::Mandatory {
        Err(())
    } else {
        Ok(None)
    }
}

fn answer_rtp(
    offer: &MediaDescription,
    direction: Direction,
    port: u16,
    caps: &LocalCapabilities,
    new_key: &mut dyn FnMut(&CryptoSuite) -> Option<KeyMaterial>,
) -> Option<MediaDescription> {
    let mut accepted: Vec<(u8, &LocalCodec, Option<&Attribute>, Option<&Attribute>)> = Vec::new();
    for format in &offer.formats {
        let Some(pt) = parse_decimal::<u8>(format) else {
            continue;
        };
        let rtpmap_attr = offer
            .attributes
            .iter()
            .find(|a| matches!(a.value(), AttributeValue::Rtpmap(r) if r.payload_type == pt));
        let (name, rate, channels) = match rtpmap_attr.map(Attribute::value) {
            Some(AttributeValue::Rtpmap(r)) => (
                r.encoding_name.as_str(),
                r.clock_rate,
                r.channels.unwrap_or(1),
            ),
            _ => match static_payload(pt) {
                Some((name, rate)) => (name, rate, 1),
                None => continue,
            },
        };
        let fmtp_attr = offer
            .attributes
            .iter()
            .find(|a| matches!(a.value(), AttributeValue::Fmtp(f) if f.format == *format));
        let fmtp = match fmtp_attr.map(Attribute::value) {
            Some(AttributeValue::Fmtp(f)) => Some(f),
            _ => None,
        };
        let local = caps
            .codecs
            .iter()
            .find(|c| c.media == offer.media && codec_matches(c, name, rate, channels, fmtp));
        if let Some(local) = local {
            accepted.push((pt, local, rtpmap_attr, fmtp_attr));
        }
    }
    if accepted.is_empty() {
        return None;
    }
    let crypto = choose_crypto(offer, caps, new_key).ok()?;
    let formats = accepted.iter().map(|(pt, ..)| pt.to_string()).collect();
    let mut m = MediaDescription::new(offer.media.clone(), port, offer.proto.clone(), formats);
    copy_identity(offer, &mut m);
    for (pt, local, rtpmap_attr, fmtp_attr) in accepted {
        match rtpmap_attr {
            Some(a) => m.attributes.push(a.clone()),
            None => m.push_attribute(AttributeValue::Rtpmap(Rtpmap {
                payload_type: pt,
                encoding_name: local.encoding_name.clone(),
                clock_rate: local.clock_rate,
                channels: local.channels,
            })),
        }
        let h264 = local
            .encoding_name
            .eq_ignore_ascii_case("H264")
            .then(|| {
                let offered = match fmtp_attr.map(Attribute::value) {
                    Some(AttributeValue::Fmtp(f)) => Some(f),
                    _ => None,
                };
                h264_answer(local, offered)
            })
            .flatten();
        match (h264.as_ref().or(local.fmtp.as_ref()), fmtp_attr) {
            (Some(params), _) => m.push_attribute(AttributeValue::Fmtp(Fmtp {
                format: pt.to_string(),
                params: params.clone(),
            })),
            (None, Some(a)) => m.attributes.push(a.clone()),
            (None, None) => {}
        }
    }
    if let Some(crypto) = crypto {
        m.push_attribute(AttributeValue::Crypto(crypto));
    }
    if caps.rtcp_mux && offer.has_rtcp_mux() {
        m.push_attribute(AttributeValue::RtcpMux);
    }
    m.push_attribute(AttributeValue::Direction(direction.reversed()));
    Some(m)
}

/// Our BFCP role for the roles the offerer can take (RFC 8856 §5.1).
fn bfcp_role(offered: &[FloorCtrlRole], ours: &FloorCtrlRole) -> Option<FloorCtrlRole> {
    let can =
        |r: &FloorCtrlRole| offered.contains(r) || offered.contains(&FloorCtrlRole::ClientServer);
    let we_serve = matches!(
        ours,
        FloorCtrlRole::ServerOnly | FloorCtrlRole::ClientServer
    );
    let we_client = matches!(
        ours,
        FloorCtrlRole::ClientOnly | FloorCtrlRole::ClientServer
    );
    if we_serve && can(&FloorCtrlRole::ClientOnly) {
        Some(FloorCtrlRole::ServerOnly)
    } else if we_client && can(&FloorCtrlRole::ServerOnly) {
        Some(FloorCtrlRole::ClientOnly)
    } else {
        None
    }
}

fn answer_bfcp(
    offer: &MediaDescription,
    port: u16,
    caps: &BfcpCapabilities,
) -> Option<MediaDescription> {
    // RFC 8856 §5.1: an offer without a=floorctrl means the offerer is a client.
    let offered = offer.floor_ctrl().unwrap_or(&[FloorCtrlRole::ClientOnly]);
    let role = bfcp_role(offered, &caps.role)?;
    let mut m = MediaDescription::new(
        offer.media.clone(),
        port,
        offer.proto.clone(),
        offer.formats.clone(),
    );
    copy_identity(offer, &mut m);
    m.push_attribute(AttributeValue::FloorCtrl(vec![role.clone()]));
    if role == FloorCtrlRole::ServerOnly {
        push_server_ids(&mut m, caps);
    }
    // TCP roles (RFC 4145): the answerer may not answer actpass with actpass.
    let setup = offer.values().find_map(|v| match v {
        AttributeValue::Other {
            name,
            value: Some(v),
        } if name == "setup" => Some(v.as_str()),
        _ => None,
    });
    let ours = if setup == Some("active") {
        "passive"
    } else {
        "active"
    };
    m.push_attribute(other("setup", ours));
    m.push_attribute(other("connection", "new"));
    Some(m)
}

fn push_server_ids(m: &mut MediaDescription, caps: &BfcpCapabilities) {
    m.push_attribute(AttributeValue::ConfId(caps.conference_id.clone()));
    m.push_attribute(AttributeValue::UserId(caps.user_id.clone()));
    for floor in &caps.floors {
        m.push_attribute(AttributeValue::FloorId(floor.clone()));
    }
}

fn other(name: &str, value: &str) -> AttributeValue {
    AttributeValue::Other {
        name: name.to_owned(),
        value: Some(value.to_owned()),
    }
}

fn base(caps: &LocalCapabilities) -> SessionDescription {
    let mut sdp = SessionDescription::new(caps.origin.clone());
    sdp.connection = Some(caps.connection.clone());
    sdp
}

/// Builds the answer to `offer`. `ports[i]` is our port for offered stream `i` (missing
/// or 0: refuse it); `new_key` makes a fresh key||salt for a suite, or `None` if it can't.
pub fn answer(
    offer: &SessionDescription,
    caps: &LocalCapabilities,
    ports: &[u16],
    new_key: &mut dyn FnMut(&CryptoSuite) -> Option<KeyMaterial>,
) -> SessionDescription {
    let mut sdp = base(caps);
    for (index, m) in offer.media.iter().enumerate() {
        let port = ports.get(index).copied().unwrap_or(0);
        let answered = if m.is_rejected() || port == 0 || m.proto.is_dtls_srtp() {
            None
        } else if m.proto.is_bfcp() {
            caps.bfcp.as_ref().and_then(|b| answer_bfcp(m, port, b))
        } else if !m.proto.is_rtp() || (is_content_video(m) && !caps.accept_content) {
            None
        } else {
            answer_rtp(m, offer.direction_of(index), port, caps, new_key)
        };
        sdp.media.push(answered.unwrap_or_else(|| rejected(m)));
    }
    sdp
}

/// One stream of an offer we make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferStream {
    /// `Application` makes a BFCP stream (needs [`LocalCapabilities::bfcp`]).
    pub media: MediaType,
    pub port: u16,
    pub direction: Direction,
    pub content: Option<ContentRole>,
    pub label: Option<String>,
    pub mid: Option<String>,
}

/// Why an offer could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OfferError {
    #[error("no local codec for {0} streams")]
    NoCodec(String),
    #[error("BFCP stream requested without BFCP capabilities")]
    NoBfcp,
    #[error("SRTP is mandatory but no key could be made for any suite")]
    NoKey,
}

/// Builds an offer: SAVP with every suite of ours when SRTP is mandatory, AVP with
/// crypto lines ("best effort") when optional, plain AVP when off.
pub fn build_offer(
    caps: &LocalCapabilities,
    streams: &[OfferStream],
    new_key: &mut dyn FnMut(&CryptoSuite) -> Option<KeyMaterial>,
) -> Result<SessionDescription, OfferError> {
    let mut sdp = base(caps);
    for stream in streams {
        let mut m = if stream.media == MediaType::Application {
            let bfcp = caps.bfcp.as_ref().ok_or(OfferError::NoBfcp)?;
            let mut m = MediaDescription::new(
                stream.media.clone(),
                stream.port,
                Proto::TcpBfcp,
                vec!["*".to_owned()],
            );
            let roles = match bfcp.role {
                FloorCtrlRole::ClientServer => {
                    vec![FloorCtrlRole::ClientOnly, FloorCtrlRole::ServerOnly]
                }
                ref one => vec![one.clone()],
            };
            let serves = roles.contains(&FloorCtrlRole::ServerOnly);
            m.push_attribute(AttributeValue::FloorCtrl(roles));
            if serves {
                push_server_ids(&mut m, bfcp);
            }
            m.push_attribute(other("setup", "actpass"));
            m.push_attribute(other("connection", "new"));
            m
        } else {
            rtp_offer_stream(caps, stream, new_key)?
        };
        if let Some(label) = &stream.label {
            m.attributes
                .insert(0, Attribute::new(AttributeValue::Label(label.clone())));
        }
        if let Some(content) = &stream.content {
            m.attributes.insert(
                0,
                Attribute::new(AttributeValue::Content(vec![content.clone()])),
            );
        }
        if let Some(mid) = &stream.mid {
            m.attributes
                .insert(0, Attribute::new(AttributeValue::Mid(mid.clone())));
        }
        sdp.media.push(m);
    }
    Ok(sdp)
}

fn rtp_offer_stream(
    caps: &LocalCapabilities,
    stream: &OfferStream,
    new_key: &mut dyn FnMut(&CryptoSuite) -> Option<KeyMaterial>,
) -> Result<MediaDescription, OfferError> {
    let codecs: Vec<&LocalCodec> = caps
        .codecs
        .iter()
        .filter(|c| c.media == stream.media)
        .collect();
    if codecs.is_empty() {
        return Err(OfferError::NoCodec(stream.media.to_string()));
    }
    let proto = if caps.srtp == SrtpPolicy::Mandatory {
        Proto::RtpSavp
    } else {
        Proto::RtpAvp
    };
    let formats = codecs.iter().map(|c| c.payload_type.to_string()).collect();
    let mut m = MediaDescription::new(stream.media.clone(), stream.port, proto, formats);
    for codec in &codecs {
        m.push_attribute(AttributeValue::Rtpmap(Rtpmap {
            payload_type: codec.payload_type,
            encoding_name: codec.encoding_name.clone(),
            clock_rate: codec.clock_rate,
            channels: codec.channels,
        }));
        if let Some(params) = &codec.fmtp {
            m.push_attribute(AttributeValue::Fmtp(Fmtp {
                format: codec.payload_type.to_string(),
                params: params.clone(),
            }));
        }
    }
    if caps.srtp != SrtpPolicy::Off {
        let mut tag = 0;
        for suite in &caps.crypto_suites {
            if let Some(key) = new_key(suite) {
                tag += 1;
                m.push_attribute(AttributeValue::Crypto(Crypto::new(tag, suite.clone(), key)));
            }
        }
        if tag == 0 && caps.srtp == SrtpPolicy::Mandatory {
            return Err(OfferError::NoKey);
        }
    }
    if caps.rtcp_mux {
        m.push_attribute(AttributeValue::RtcpMux);
    }
    m.push_attribute(AttributeValue::Direction(stream.direction));
    Ok(m)
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

    fn codec(
        media: MediaType,
        name: &str,
        rate: u32,
        ch: Option<u16>,
        fmtp: Option<&str>,
        pt: u8,
    ) -> LocalCodec {
        LocalCodec {
            media,
            encoding_name: name.into(),
            clock_rate: rate,
            channels: ch,
            fmtp: fmtp.map(Into::into),
            payload_type: pt,
        }
    }

    fn caps() -> LocalCapabilities {
        LocalCapabilities {
            origin: Origin::parse("roomgate 42 1 IN IP4 203.0.113.1").unwrap(),
            connection: Connection::parse("IN IP4 203.0.113.1").unwrap(),
            codecs: vec![
                codec(
                    MediaType::Audio,
                    "opus",
                    48000,
                    Some(2),
                    Some("useinbandfec=1"),
                    111,
                ),
                codec(MediaType::Audio, "G722", 8000, None, None, 9),
                codec(MediaType::Audio, "PCMU", 8000, None, None, 0),
                codec(MediaType::Audio, "telephone-event", 8000, None, None, 101),
                codec(
                    MediaType::Video,
                    "H264",
                    90000,
                    None,
                    Some("packetization-mode=1;max-fs=8160"),
                    97,
                ),
            ],
            crypto_suites: vec![
                CryptoSuite::Aes256CmHmacSha1_80,
                CryptoSuite::AesCm128HmacSha1_80,
            ],
            srtp: SrtpPolicy::Optional,
            accept_content: true,
            bfcp: Some(BfcpCapabilities {
                role: FloorCtrlRole::ClientServer,
                conference_id: "7".into(),
                user_id: "8".into(),
                floors: vec![FloorId::new(1, vec!["3".into()])],
            }),
            rtcp_mux: true,
        }
    }

    fn keys() -> impl FnMut(&CryptoSuite) -> Option<KeyMaterial> {
        |s: &CryptoSuite| {
            s.key_salt_len()
                .map(|(k, s)| KeyMaterial::new(vec![0x5a; k + s]))
        }
    }

    fn parse(text: &str) -> SessionDescription {
        SessionDescription::parse(text.replace('\n', "\r\n").as_bytes()).unwrap()
    }

    fn k(n: usize) -> String {
        crate::sdp::base64::encode(&vec![1; n])
    }

    fn offer() -> SessionDescription {
        parse(&format!(
            "v=0\no=peer 1 1 IN IP4 198.51.100.2\ns=-\nc=IN IP4 198.51.100.2\nt=0 0\n\
             m=audio 5000 RTP/SAVP 100 0 8 101\na=mid:a\na=rtpmap:100 OPUS/48000/2\n\
             a=rtpmap:101 telephone-event/8000\na=fmtp:101 0-15\n\
             a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{}\na=crypto:2 AES_CM_256_HMAC_SHA1_80 inline:{}\n\
             a=rtcp-mux\na=sendonly\n\
             m=video 5002 RTP/SAVP 96 98\na=rtpmap:96 H264/90000\na=fmtp:96 packetization-mode=0\n\
             a=rtpmap:98 H264/90000\na=fmtp:98 packetization-mode=1\na=crypto:7 AES_CM_128_HMAC_SHA1_80 inline:{}\n\
             m=video 5004 RTP/SAVP 98\na=rtpmap:98 H264/90000\na=fmtp:98 packetization-mode=1\n\
             a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{}\na=content:slides\na=label:3\n\
             m=application 5006 TCP/BFCP *\na=floorctrl:c-only\na=setup:actpass\na=connection:new\n\
             m=video 0 RTP/AVP 31\n\
             m=audio 5010 RTP/AVP 0\n",
            k(30),
            k(46),
            k(30),
            k(30)
        ))
    }

    const PORTS: &[u16] = &[6000, 6002, 6004, 6006, 6008, 6010];

    #[test]
    fn keeps_count_order_and_rejected_lines() {
        let a = answer(&offer(), &caps(), PORTS, &mut keys());
        assert_eq!(a.media.len(), 6);
        let kinds: Vec<_> = a.media.iter().map(|m| m.media.clone()).collect();
        assert_eq!(
            kinds,
            offer()
                .media
                .iter()
                .map(|m| m.media.clone())
                .collect::<Vec<_>>()
        );
        assert_eq!(a.media[4].port, 0, "offered port 0 stays rejected");
        assert_eq!(a.media[4].formats, ["31"]);
        // The answer parses and round-trips.
        assert_eq!(SessionDescription::parse(&a.to_bytes()).unwrap(), a);
    }

    #[test]
    fn codecs_intersect_with_offerer_payload_types() {
        let a = answer(&offer(), &caps(), PORTS, &mut keys());
        let audio = &a.media[0];
        assert_eq!(
            audio.formats,
            ["100", "0", "101"],
            "PCMA dropped, offer order, offerer's PT 100 for opus"
        );
        assert_eq!(audio.rtpmap(100).unwrap().encoding_name, "OPUS");
        assert_eq!(audio.fmtp("100").unwrap().params, "useinbandfec=1");
        assert_eq!(audio.fmtp("101").unwrap().params, "0-15");
        // H.264 packetization-mode must match: only PT 98 (mode 1).
        assert_eq!(a.media[1].formats, ["98"]);
        // Nothing in common: rejected.
        let mut c = caps();
        c.codecs.retain(|c| c.media != MediaType::Video);
        let a = answer(&offer(), &c, PORTS, &mut keys());
        assert_eq!(a.media[1].port, 0);
    }

    #[test]
    fn crypto_by_our_preference_with_offer_tag_and_spelling() {
        let a = answer(&offer(), &caps(), PORTS, &mut keys());
        let chosen: Vec<_> = a.media[0].cryptos().collect();
        assert_eq!(chosen.len(), 1);
        assert_eq!(
            (chosen[0].tag, &chosen[0].suite),
            (2, &CryptoSuite::Aes256CmHmacSha1_80)
        );
        assert!(chosen[0].legacy_spelling);
        assert_eq!(chosen[0].key_params[0].key.len(), 46);
        assert!(a
            .to_string()
            .contains("a=crypto:2 AES_CM_256_HMAC_SHA1_80 inline:"));
        let video: Vec<_> = a.media[1].cryptos().collect();
        assert_eq!(
            (video[0].tag, &video[0].suite),
            (7, &CryptoSuite::AesCm128HmacSha1_80)
        );
    }

    #[test]
    fn srtp_policy() {
        let mut c = caps();
        c.srtp = SrtpPolicy::Off;
        let a = answer(&offer(), &c, PORTS, &mut keys());
        assert_eq!(a.media[0].port, 0, "SAVP refused when SRTP is off");
        assert_eq!(a.media[5].port, 6010, "plain AVP fine");
        c.srtp = SrtpPolicy::Mandatory;
        let a = answer(&offer(), &c, PORTS, &mut keys());
        assert_eq!(a.media[0].port, 6000);
        assert_eq!(
            a.media[5].port, 0,
            "AVP without crypto refused when mandatory"
        );
        c.crypto_suites = vec![CryptoSuite::AeadAes256Gcm];
        let a = answer(&offer(), &c, PORTS, &mut keys());
        assert_eq!(a.media[0].port, 0, "no common suite");
        c.srtp = SrtpPolicy::Optional;
        let a = answer(&offer(), &c, PORTS, &mut keys());
        assert_eq!(a.media[0].port, 0, "SAVP still needs a common suite");
        assert_eq!(a.media[5].port, 6010);
        assert_eq!(a.media[5].cryptos().count(), 0);
    }

    #[test]
    fn direction_is_mirrored() {
        let a = answer(&offer(), &caps(), PORTS, &mut keys());
        assert_eq!(a.media[0].direction(), Some(Direction::RecvOnly));
        assert_eq!(a.media[1].direction(), Some(Direction::SendRecv));
        let mut o = offer();
        o.attributes.push(Attribute::new(AttributeValue::Direction(
            Direction::RecvOnly,
        )));
        let a = answer(&o, &caps(), PORTS, &mut keys());
        assert_eq!(
            a.media[1].direction(),
            Some(Direction::SendOnly),
            "session-level direction applies"
        );
        assert_eq!(
            a.media[0].direction(),
            Some(Direction::RecvOnly),
            "media level wins"
        );
    }

    #[test]
    fn identity_attributes_kept() {
        let a = answer(&offer(), &caps(), PORTS, &mut keys());
        assert_eq!(a.media[0].mid(), Some("a"));
        assert_eq!(a.media[2].content(), Some(&[ContentRole::Slides][..]));
        assert_eq!(a.media[2].label(), Some("3"));
        assert!(a.media[0].has_rtcp_mux());
        assert!(!a.media[1].has_rtcp_mux());
    }

    #[test]
    fn content_and_bfcp_can_be_refused() {
        let mut c = caps();
        c.accept_content = false;
        c.bfcp = None;
        let a = answer(&offer(), &c, PORTS, &mut keys());
        assert_eq!(a.media[2].port, 0);
        assert_eq!(a.media[2].label(), Some("3"));
        assert_eq!(a.media[3].port, 0);
        assert_eq!(a.media[1].port, 6002, "main video unaffected");
        assert_eq!(
            answer(&offer(), &caps(), &PORTS[..2], &mut keys()).media[2].port,
            0,
            "no port: refused"
        );
    }

    #[test]
    fn bfcp_roles() {
        let a = answer(&offer(), &caps(), PORTS, &mut keys());
        let bfcp = &a.media[3];
        assert_eq!(bfcp.port, 6006);
        assert_eq!(bfcp.formats, ["*"]);
        assert_eq!(bfcp.floor_ctrl(), Some(&[FloorCtrlRole::ServerOnly][..]));
        assert!(a
            .to_string()
            .contains("a=floorid:1 mstrm:3\r\na=setup:active\r\n"));
        use FloorCtrlRole::*;
        assert_eq!(bfcp_role(&[ServerOnly], &ClientServer), Some(ClientOnly));
        assert_eq!(bfcp_role(&[ClientServer], &ClientOnly), Some(ClientOnly));
        assert_eq!(bfcp_role(&[ClientOnly], &ClientOnly), None);
        assert_eq!(bfcp_role(&[ServerOnly], &ServerOnly), None);
    }

    #[test]
    fn dtls_is_refused() {
        let o = parse("v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nt=0 0\nm=audio 5000 UDP/TLS/RTP/SAVP 0\nc=IN IP4 192.0.2.1\n");
        assert_eq!(answer(&o, &caps(), PORTS, &mut keys()).media[0].port, 0);
    }

    #[test]
    fn offer_builder_and_self_answer() {
        let streams = [
            OfferStream {
                media: MediaType::Audio,
                port: 7000,
                direction: Direction::SendRecv,
                content: None,
                label: None,
                mid: Some("0".into()),
            },
            OfferStream {
                media: MediaType::Video,
                port: 7002,
                direction: Direction::SendRecv,
                content: Some(ContentRole::Main),
                label: Some("1".into()),
                mid: None,
            },
            OfferStream {
                media: MediaType::Video,
                port: 7004,
                direction: Direction::SendOnly,
                content: Some(ContentRole::Slides),
                label: Some("3".into()),
                mid: None,
            },
            OfferStream {
                media: MediaType::Application,
                port: 7006,
                direction: Direction::SendRecv,
                content: None,
                label: None,
                mid: None,
            },
        ];
        let mut c = caps();
        c.srtp = SrtpPolicy::Mandatory;
        let o = build_offer(&c, &streams, &mut keys()).unwrap();
        let text = o.to_string();
        assert!(text.contains("m=audio 7000 RTP/SAVP 111 9 0 101\r\na=mid:0\r\n"));
        assert!(
            text.contains("a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:"),
            "RFC 6188 spelling by default"
        );
        assert!(text.contains("a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:"));
        assert!(text.contains("m=application 7006 TCP/BFCP *\r\na=floorctrl:c-only s-only\r\n"));
        let parsed = SessionDescription::parse(&o.to_bytes()).unwrap();
        assert_eq!(parsed, o);
        let a = answer(&parsed, &c, &[1, 2, 3, 4], &mut keys());
        assert!(a.media.iter().all(|m| m.port != 0), "{a}");
        assert_eq!(a.media[2].direction(), Some(Direction::RecvOnly));
        assert_eq!(
            a.media[3].floor_ctrl(),
            Some(&[FloorCtrlRole::ServerOnly][..])
        );
        c.bfcp = None;
        assert_eq!(
            build_offer(&c, &streams, &mut keys()),
            Err(OfferError::NoBfcp)
        );
        c.codecs.clear();
        assert!(matches!(
            build_offer(&c, &streams, &mut keys()),
            Err(OfferError::NoCodec(_))
        ));
        let mut c = caps();
        c.srtp = SrtpPolicy::Mandatory;
        assert_eq!(
            build_offer(&c, &streams[..1], &mut |_: &CryptoSuite| None),
            Err(OfferError::NoKey)
        );
    }
}
