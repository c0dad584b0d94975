//! Each leg's own offer/answer, and what the relay must do between the legs.
//!
//! SDP never passes from one leg to the other: the room leg and the cloud leg each get an
//! SDP we build, with our ports, our keys and the codecs that leg's policy allows. After
//! both answers are known, [`bridge_streams`] turns the two negotiated legs into relay
//! streams: pass-through (re-encrypt only, payload types mapped) when both legs speak the
//! same codec, transcode when they share none.
//!
//! The keys we offered or answered are read back from our own SDP, so nothing but the SDP
//! has to be remembered between offer and answer.

use std::net::{IpAddr, SocketAddr};

use rand::TryRngCore;
use roomgate_core::media_spec::{self as spec, Codec, MediaSpec, SrtpKeys, StreamRole, StreamSpec};
use roomgate_media::codec::AudioCodec;
use roomgate_media::relay::StreamKind;

pub use roomgate_core::codecs::{relay_codec, same_codec};
pub use roomgate_core::{pin_streams, reserve_streams, AudioPath, BridgeError};

mod video;

use video::same_format;
pub use video::{
    agreed_video, bridge_streams, neutral_codecs, video_compatible, video_for_offer,
    video_for_proposals,
};

use super::sdes::{self, srtp_suite, Unusable};
use roomgate_sip::sdp::offer_answer::{
    self, LocalCapabilities, LocalCodec, OfferStream, SrtpPolicy,
};
use roomgate_sip::sdp::BandwidthType;
use roomgate_sip::sdp::{
    AttributeValue, Connection, CryptoSuite, Direction, Host, KeyMaterial, MediaDescription,
    MediaType, Origin, SessionDescription,
};

/// The SRTP policy and suite preference of one leg.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaPolicy {
    pub srtp: SrtpPolicy,
    /// Preferred first. Answers pick the first of these that the offer has.
    pub suites: Vec<CryptoSuite>,
}

/// Strongest first: toward the cloud we offer AES-256 before AES-128, GCM before CM.
pub fn default_suites() -> Vec<CryptoSuite> {
    vec![
        CryptoSuite::AeadAes256Gcm,
        CryptoSuite::Aes256CmHmacSha1_80,
        CryptoSuite::AeadAes128Gcm,
        CryptoSuite::AesCm128HmacSha1_80,
    ]
}

/// Suites we accept from rooms, strongest first; includes the `_32` tags older systems use.
pub fn room_suites() -> Vec<CryptoSuite> {
    vec![
        CryptoSuite::AeadAes256Gcm,
        CryptoSuite::Aes256CmHmacSha1_80,
        CryptoSuite::AeadAes128Gcm,
        CryptoSuite::AesCm128HmacSha1_80,
        CryptoSuite::Aes256CmHmacSha1_32,
        CryptoSuite::AesCm128HmacSha1_32,
    ]
}

/// Payload type of RFC 4733 events at 8 kHz in our own offers (with G.711 and G.722).
pub const TELEPHONE_EVENT_PT: u8 = 101;

/// Payload type of RFC 4733 events at 48 kHz in our own offers (with Opus).
pub const TELEPHONE_EVENT_48K_PT: u8 = 110;

/// Payload type of RFC 4733 events at 16 kHz (answers only: no codec of ours runs its RTP
/// clock at 16 kHz, but some peers pair events at that rate with wideband audio).
const TELEPHONE_EVENT_16K_PT: u8 = 102;

/// Event clock rates we answer whatever audio they are offered with: a peer pairing its
/// events with another codec's rate (events at 8 kHz next to Opus, say) still has its keys
/// heard. Other rates are left out of the answer.
const ANSWERED_EVENT_RATES: [u32; 3] = [8000, 16000, 48000];

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
        encoding_name: name.to_owned(),
        clock_rate: rate,
        channels: ch,
        fmtp: fmtp.map(str::to_owned),
        payload_type: pt,
    }
}

/// Every audio codec the relay can decode and encode, in our default preference.
pub fn audio_codecs() -> Vec<LocalCodec> {
    vec![
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
        codec(MediaType::Audio, "PCMA", 8000, None, None, 8),
    ]
}

/// RFC 4733 events at the RTP clock rate `rate` of the audio codec they go with (§2.1: the
/// events share the audio stream's timestamp clock); None for a rate none of our codecs has.
fn telephone_event(rate: u32) -> Option<LocalCodec> {
    let pt = match rate {
        8000 => TELEPHONE_EVENT_PT,
        16000 => TELEPHONE_EVENT_16K_PT,
        48000 => TELEPHONE_EVENT_48K_PT,
        _ => return None,
    };
    Some(codec(
        MediaType::Audio,
        "telephone-event",
        rate,
        None,
        Some("0-16"),
        pt,
    ))
}

/// H.264 is passed through, never transcoded, so both packetization modes are offered.
pub fn video_codecs() -> Vec<LocalCodec> {
    vec![
        codec(
            MediaType::Video,
            "H264",
            90000,
            None,
            Some("profile-level-id=42e01f;packetization-mode=1"),
            96,
        ),
        codec(
            MediaType::Video,
            "H264",
            90000,
            None,
            Some("profile-level-id=42e01f"),
            97,
        ),
    ]
}

/// Every codec an SDP of ours lists: `audio` (in the caller's preference), then
/// telephone-event once per RTP clock rate among them (8 kHz for G.711 and G.722, whose RTP
/// clock is 8000 per RFC 3551; 48 kHz for Opus), then the video codecs when `with_video`.
/// The one codec table of the legs and the echo service, so the echo takes exactly what a
/// leg would send it.
pub fn codec_table(audio: Vec<LocalCodec>, with_video: bool) -> Vec<LocalCodec> {
    let mut rates: Vec<u32> = Vec::new();
    for c in &audio {
        if !rates.contains(&c.clock_rate) {
            rates.push(c.clock_rate);
        }
    }
    let mut codecs = audio;
    codecs.extend(rates.into_iter().filter_map(telephone_event));
    if with_video {
        codecs.extend(video_codecs());
    }
    codecs
}

/// Fresh key||salt for `suite`, for every SDES line we send (legs and echo service alike).
/// Read straight from the operating system's generator, and `None` rather than a panic when
/// it fails: the offer/answer code then refuses the stream instead of running it on a weak
/// key. Also `None` for suites we cannot run.
pub fn new_key(suite: &CryptoSuite) -> Option<KeyMaterial> {
    let media = srtp_suite(suite)?;
    let mut bytes = vec![0u8; media.master_key_len() + media.master_salt_len()];
    rand::rngs::OsRng.try_fill_bytes(&mut bytes).ok()?;
    Some(KeyMaterial::new(bytes))
}

/// The `o=` of our SDP. `username` tells our own SDP apart in traces (`roomgate` on the
/// legs, `roomgate-echo` from the echo service); RFC 3264 §8 moves only `version`.
pub fn origin(username: &str, ip: IpAddr, session_id: u64, version: u64) -> Origin {
    let c = Connection::internet(ip);
    Origin {
        username: username.to_owned(),
        session_id: session_id.to_string(),
        session_version: version.to_string(),
        net_type: c.net_type,
        addr_type: c.addr_type,
        address: c.address,
    }
}

/// Offer/answer capabilities from their parts: what every SDP of ours has in common (our
/// media address, RTCP multiplexing, no BFCP yet) is decided here once. `accept_content`:
/// whether slides streams are answered; the legs refuse them until content sharing exists,
/// the echo service sends them back like any video.
pub fn local_capabilities(
    origin: Origin,
    ip: IpAddr,
    policy: &MediaPolicy,
    codecs: Vec<LocalCodec>,
    accept_content: bool,
) -> LocalCapabilities {
    LocalCapabilities {
        origin,
        connection: Connection::internet(ip),
        codecs,
        crypto_suites: policy.suites.clone(),
        srtp: policy.srtp,
        accept_content,
        bfcp: None,
        rtcp_mux: true,
    }
}

/// Capabilities of one leg for offer/answer. `codecs` is the preference order; `None` uses
/// all of ours.
pub fn capabilities(
    ip: IpAddr,
    policy: &MediaPolicy,
    session_id: u64,
    version: u64,
    audio: Vec<LocalCodec>,
    with_video: bool,
) -> LocalCapabilities {
    local_capabilities(
        origin("roomgate", ip, session_id, version),
        ip,
        policy,
        codec_table(audio, with_video),
        false,
    )
}

/// The audio codecs of an offer that the relay handles, in the offer's order.
pub fn offered_audio(offer: &SessionDescription) -> Vec<AudioCodec> {
    let mut out = Vec::new();
    for m in offer.media.iter().filter(|m| m.media == MediaType::Audio) {
        for (name, rate, _) in formats(m) {
            if let Some(c) = relay_codec(&name, rate) {
                if !out.iter().any(|o| same_codec(*o, c)) {
                    out.push(c);
                }
            }
        }
    }
    out
}

/// Our audio codecs reordered so that those in `first` come first (pass-through wins
/// over transcoding whenever the far leg can take what the near leg speaks).
pub fn audio_preferring(first: &[AudioCodec]) -> Vec<LocalCodec> {
    let all = audio_codecs();
    let mut out: Vec<LocalCodec> = Vec::with_capacity(all.len());
    for want in first {
        if let Some(c) = all.iter().find(|c| {
            relay_codec(&c.encoding_name, c.clock_rate).is_some_and(|r| same_codec(r, *want))
        }) {
            if !out.contains(c) {
                out.push(c.clone());
            }
        }
    }
    for c in all {
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// Exactly one audio codec: the answer to a room names only what the relay will send.
pub fn audio_only(c: AudioCodec) -> Vec<LocalCodec> {
    audio_codecs()
        .into_iter()
        .filter(|l| relay_codec(&l.encoding_name, l.clock_rate).is_some_and(|r| same_codec(r, c)))
        .collect()
}

/// For a new offer or answer on a running leg: the audio codec the relay already speaks on
/// it, unless `reoffer` (the peer's new offer) drops that codec, then the first one it
/// offers that we handle (a codec change: the bridge re-decides pass-through or transcode);
/// and whether the leg has video.
pub fn keep_what_is_spoken(
    leg: &MediaSpec,
    reoffer: Option<&SessionDescription>,
) -> (Vec<LocalCodec>, bool) {
    let current = leg.audio_codec();
    let codec = match (current, reoffer.map(offered_audio)) {
        (Some(c), Some(offered)) if !offered.iter().any(|o| same_codec(*o, c)) => {
            offered.first().copied()
        }
        (c, _) => c,
    };
    let audio = codec.map(audio_only).unwrap_or_else(audio_codecs);
    (audio, leg.has(StreamRole::MainVideo))
}

/// `(encoding, clock rate, payload type)` of the RTP formats of a media section.
fn formats(m: &MediaDescription) -> Vec<(String, u32, u8)> {
    codecs_of(m)
        .into_iter()
        .map(|c| (c.name, c.clock_rate, c.payload_type))
        .collect()
}

/// The RTP formats of a media section as neutral codecs: `a=rtpmap` (or the RFC 3551 static
/// assignment) with channels, and `a=fmtp` split into `key=value` parameters (a bare token
/// such as telephone-event's `0-16` is kept with an empty key).
fn codecs_of(m: &MediaDescription) -> Vec<Codec> {
    let mut out = Vec::new();
    for f in &m.formats {
        let Ok(pt) = f.parse::<u8>() else { continue };
        let named = m.rtpmap(pt).map(|r| {
            (
                r.encoding_name.clone(),
                r.clock_rate,
                r.channels.unwrap_or(1),
            )
        });
        let named = named.or(match pt {
            0 => Some(("PCMU".to_owned(), 8000, 1)),
            8 => Some(("PCMA".to_owned(), 8000, 1)),
            9 => Some(("G722".to_owned(), 8000, 1)),
            _ => None,
        });
        let Some((name, rate, channels)) = named else {
            continue;
        };
        let mut codec = Codec::new(&name, rate, channels, pt);
        if let Some(fmtp) = m.fmtp(f) {
            codec.params = fmtp
                .params
                .split(';')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| match p.split_once('=') {
                    Some((k, v)) => (k.trim().to_owned(), v.trim().to_owned()),
                    None => (String::new(), p.to_owned()),
                })
                .collect();
        }
        out.push(codec);
    }
    out
}

/// The formats of `theirs` that `ours` also lists (same encoding, clock rate and channels,
/// and for H.264 the same profile and packetization mode, RFC 6184 §8.2.2), in their order
/// with their payload types and parameters. A format of theirs whose payload type ours
/// lists for the same encoding must match that very format: an answer of ours keeps the
/// offer's payload types (RFC 3264 §6.1), so as answerer the result is exactly the formats
/// our answer contains, not every offered format of the same name.
fn common_formats(ours: &[Codec], theirs: Vec<Codec>) -> Vec<Codec> {
    let same_encoding = |o: &Codec, t: &Codec| {
        o.name.eq_ignore_ascii_case(&t.name)
            && o.clock_rate == t.clock_rate
            && o.channels == t.channels
    };
    let matches = |o: &Codec, t: &Codec| same_encoding(o, t) && same_format(o, t);
    theirs
        .into_iter()
        .filter(|t| {
            match ours
                .iter()
                .find(|o| o.payload_type == t.payload_type && same_encoding(o, t))
            {
                Some(o) => matches(o, t),
                None => ours.iter().any(|o| matches(o, t)),
            }
        })
        .collect()
}

/// Our audio codecs that are among `agreed` (the answer to a room lists them in the room's
/// order, RFC 3264 §6.1, whatever order we give them).
pub fn audio_among(agreed: &[AudioCodec]) -> Vec<LocalCodec> {
    audio_codecs()
        .into_iter()
        .filter(|l| {
            relay_codec(&l.encoding_name, l.clock_rate)
                .is_some_and(|r| agreed.iter().any(|a| same_codec(*a, r)))
        })
        .collect()
}

/// The RFC 4733 format among a stream's `common` formats: the one at the clock rate of the
/// audio codec spoken (the first), else one at any rate, since a peer may pair them
/// differently and the events are still its key presses (the receiver times them by the
/// rate they were negotiated at, whatever it is).
fn telephone_event_of(common: &[Codec]) -> Option<spec::TelephoneEvent> {
    let is_event = |c: &&Codec| c.name.eq_ignore_ascii_case("telephone-event");
    let audio_rate = common
        .iter()
        .find(|c| {
            !c.name.eq_ignore_ascii_case("telephone-event") && !c.name.eq_ignore_ascii_case("CN")
        })
        .map(|c| c.clock_rate);
    let events: Vec<&Codec> = common.iter().filter(is_event).collect();
    events
        .iter()
        .find(|c| Some(c.clock_rate) == audio_rate)
        .or(events.first())
        .map(|c| spec::TelephoneEvent {
            payload_type: c.payload_type,
            clock_rate: c.clock_rate,
        })
}

fn spec_direction(d: Direction) -> spec::Direction {
    match d {
        Direction::SendRecv => spec::Direction::SendRecv,
        Direction::SendOnly => spec::Direction::SendOnly,
        Direction::RecvOnly => spec::Direction::RecvOnly,
        Direction::Inactive => spec::Direction::Inactive,
    }
}

/// The SDP direction of a neutral one.
pub fn sdp_direction(d: spec::Direction) -> Direction {
    match d {
        spec::Direction::SendRecv => Direction::SendRecv,
        spec::Direction::SendOnly => Direction::SendOnly,
        spec::Direction::RecvOnly => Direction::RecvOnly,
        spec::Direction::Inactive => Direction::Inactive,
    }
}

pub(crate) fn stream_kind(m: &MediaDescription) -> Option<StreamKind> {
    let content = m.content().is_some_and(|c| !c.is_empty());
    match m.media {
        MediaType::Audio => Some(StreamKind::Audio),
        MediaType::Video if !content => Some(StreamKind::Video),
        _ => None,
    }
}

/// The neutral role of a relay stream kind.
fn role_of(kind: StreamKind) -> StreamRole {
    match kind {
        StreamKind::Audio => StreamRole::Audio,
        StreamKind::Video => StreamRole::MainVideo,
        StreamKind::Content => StreamRole::Content,
    }
}

fn remote_addr(sdp: &SessionDescription, index: usize, port: u16) -> Option<SocketAddr> {
    let c = sdp.connection_of(index)?;
    let ip: IpAddr = match &c.address.host {
        Host::Ip4(a) => IpAddr::V4(*a),
        Host::Ip6(a) => IpAddr::V6(*a),
        Host::Fqdn(_) => return None,
    };
    (port != 0 && !ip.is_unspecified()).then(|| SocketAddr::new(ip, port))
}

/// Why a leg's negotiated media cannot run: the SRTP rule of [`sdes::stream_keys`] refused a
/// stream that says it is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{kind:?} stream: {why}")]
pub struct CryptoRefused {
    pub kind: StreamKind,
    pub why: Unusable,
}

/// Reads the negotiated media of a leg from our SDP and theirs (either may have been the
/// offer) into its neutral [`MediaSpec`]: the SIP adapter's SDP → MediaSpec mapping. Streams
/// are matched by position (RFC 3264 keeps the order). Every stream that says it is encrypted
/// comes with both SRTP policies, or the whole leg is refused: no stream of the result claims
/// SRTP and has none.
pub fn negotiated(
    local: &SessionDescription,
    remote: &SessionDescription,
) -> Result<MediaSpec, CryptoRefused> {
    let mut out = MediaSpec::default();
    for (i, (ours, theirs)) in local.media.iter().zip(remote.media.iter()).enumerate() {
        let Some(kind) = stream_kind(ours) else {
            continue;
        };
        let role = role_of(kind);
        if ours.port == 0 || theirs.port == 0 || out.has(role) {
            continue;
        }
        // The formats both SDPs list (an answer may not add any, RFC 3264 §6.1), in the
        // peer's order: as answerer ours follows the offer's, as offerer the answer's order
        // is the answerer's preference.
        let common = common_formats(&codecs_of(ours), codecs_of(theirs));
        let telephone_event = telephone_event_of(&common);
        let codecs = common
            .into_iter()
            .filter(|c| {
                !c.name.eq_ignore_ascii_case("telephone-event")
                    && !c.name.eq_ignore_ascii_case("CN")
            })
            .collect();
        let keys = sdes::stream_keys(ours, theirs).map_err(|why| CryptoRefused { kind, why })?;
        let mux = ours.has_rtcp_mux() && theirs.has_rtcp_mux();
        let remote_rtp = remote_addr(remote, i, theirs.port);
        let remote_rtcp = theirs.values().find_map(|v| match v {
            AttributeValue::Rtcp(r) => Some(r.port),
            _ => None,
        });
        out.streams.push(StreamSpec {
            role,
            label: theirs.label().map(str::to_owned),
            direction: spec_direction(remote.direction_of(i)),
            codecs,
            telephone_event,
            remote_rtp,
            remote_rtcp: match (remote_rtp, remote_rtcp) {
                (Some(a), Some(p)) if !mux => Some(SocketAddr::new(a.ip(), p)),
                _ => None,
            },
            rtcp_mux: mux,
            srtp: keys.map(|k| SrtpKeys {
                suite: k.inbound.suite,
                inbound: k.inbound,
                outbound: k.outbound,
            }),
            bandwidth_kbps: theirs
                .bandwidths
                .iter()
                .find(|b| b.kind == BandwidthType::As)
                .and_then(|b| u32::try_from(b.value).ok()),
        });
    }
    Ok(out)
}

/// Builds an offer for streams `(kind, port)`.
pub fn offer(
    caps: &LocalCapabilities,
    streams: &[(StreamKind, u16)],
    direction: Direction,
) -> Result<SessionDescription, offer_answer::OfferError> {
    let list: Vec<OfferStream> = streams
        .iter()
        .map(|(k, port)| OfferStream {
            media: match k {
                StreamKind::Audio => MediaType::Audio,
                _ => MediaType::Video,
            },
            port: *port,
            direction,
            content: None,
            label: None,
            mid: None,
        })
        .collect();
    offer_answer::build_offer(caps, &list, &mut new_key)
}

/// Answers `offer`, using `port_of(kind)` for the streams we take; content video and BFCP
/// get port 0 until content sharing exists.
pub fn answer(
    offer: &SessionDescription,
    caps: &LocalCapabilities,
    port_of: impl Fn(StreamKind) -> Option<u16>,
) -> SessionDescription {
    let mut seen = Vec::new();
    let ports: Vec<u16> = offer
        .media
        .iter()
        .map(|m| match stream_kind(m) {
            Some(k) if !seen.contains(&k) => {
                seen.push(k);
                port_of(k).unwrap_or(0)
            }
            _ => 0,
        })
        .collect();
    answer_on_ports(offer, caps, &ports)
}

/// Answers `offer` with `ports[i]` for its `i`-th `m=` line (0 refuses the line), keys from
/// [`new_key`]. Only crypto lines our contexts can apply are candidates, so an unusable first
/// line falls through to the next (see [`sdes::usable_offer`]); the legs and the echo
/// service both answer through here, so neither can pick a line the other would refuse.
pub fn answer_on_ports(
    offer: &SessionDescription,
    caps: &LocalCapabilities,
    ports: &[u16],
) -> SessionDescription {
    let offer = sdes::usable_offer(offer);
    let mut caps = caps.clone();
    let has_events = |codecs: &[LocalCodec], rate: u32| {
        codecs
            .iter()
            .any(|c| c.encoding_name == "telephone-event" && c.clock_rate == rate)
    };
    for rate in ANSWERED_EVENT_RATES {
        if !has_events(&caps.codecs, rate) {
            caps.codecs.extend(telephone_event(rate));
        }
    }
    offer_answer::answer(&offer, &caps, ports, &mut new_key)
}

/// Whether the offer has a main video stream we could take.
pub fn offers_video(offer: &SessionDescription) -> bool {
    offer
        .media
        .iter()
        .any(|m| m.port != 0 && stream_kind(m) == Some(StreamKind::Video))
}

/// The direction of the first audio stream of an SDP.
pub fn audio_direction(sdp: &SessionDescription) -> Direction {
    sdp.media
        .iter()
        .position(|m| m.media == MediaType::Audio)
        .map(|i| sdp.direction_of(i))
        .unwrap_or(Direction::SendRecv)
}

#[cfg(test)]
pub(crate) mod tests;

/// Fuzz entry (`fuzz/fuzz_targets/negotiate.rs`): a hostile room offer through everything the
/// B2BUA does with it before any packet flows: the answer, reading both sides back, and the
/// bridge to a fixed cloud leg. Also the dial-string parser on the same bytes. Must never
/// panic, whatever the bytes.
#[doc(hidden)]
pub fn fuzz_negotiate(data: &[u8]) {
    let _ = super::dial::parse(&String::from_utf8_lossy(data));
    let Ok(offer) = SessionDescription::parse(data) else {
        return;
    };
    let ip = IpAddr::from([127, 0, 0, 1]);
    for srtp in [SrtpPolicy::Mandatory, SrtpPolicy::Optional, SrtpPolicy::Off] {
        let policy = MediaPolicy {
            srtp,
            suites: room_suites(),
        };
        let first = offered_audio(&offer);
        let caps = capabilities(ip, &policy, 1, 1, audio_preferring(&first), true);
        let ans = answer(&offer, &caps, |k| match k {
            StreamKind::Audio => Some(40000),
            StreamKind::Video => Some(40002),
            StreamKind::Content => None,
        });
        // Our answer only ever picks lines we apply: reading it back must succeed, and every
        // stream it says is encrypted must have both contexts (the SRTP rule).
        let room = negotiated(&ans, &offer);
        assert!(room.is_ok(), "our own answer broke the SRTP rule: {room:?}");
        for s in room.iter().flat_map(|r| r.streams.iter()) {
            let section = ans
                .media
                .iter()
                .find(|m| m.port != 0 && stream_kind(m).map(role_of) == Some(s.role));
            if section.is_some_and(|m| m.proto.is_sdes_srtp() || m.cryptos().next().is_some()) {
                assert!(s.srtp.is_some(), "{:?} claims SRTP without keys", s.role);
            }
        }
        // Also read the offer back as if it were the answer to our own offer.
        let _ = negotiated(&ans, &ans);
        let cloud = negotiated(&offer, &ans);
        if let (Ok(room), Ok(cloud)) = (room, cloud) {
            let _ = bridge_streams(&room, &cloud);
        }
        let _ = audio_direction(&offer);
        let _ = offers_video(&offer);
    }
}
