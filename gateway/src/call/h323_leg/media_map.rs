//! H.245 capabilities and logical channels to and from the neutral [`MediaSpec`]: what the
//! H.323 leg adapter reads from fastStart proposals and capability sets, and what it writes
//! back (our fastStart answer, our TerminalCapabilitySet, our OpenLogicalChannels).
//!
//! Audio: G.711 µ-law and A-law and G.722 at 64 kbit/s (what the relay speaks and room
//! systems offer), RFC 2833/4733 telephone events, and user input. Main video: H.264 in
//! session 2, its H.241 details in [`super::video_map`]; video only ever passes through.
//! Everything is written by what the relay can carry, so no capability we announce is one we
//! cannot honour.

use std::net::SocketAddr;

use roomgate_core::media_spec::{
    Codec, Direction, MediaSpec, StreamRole, StreamSpec, TelephoneEvent,
};
use roomgate_h323::h245::{
    codec::Extensions, standard_oid, AudioCapability, AudioTelephonyEventCapability, Capability,
    CapabilityDescriptor, CapabilityTableEntry, DataType, ForwardLogicalChannelParameters,
    ForwardMultiplexAckParameters, ForwardMultiplexParameters, H2250Capability,
    H2250LogicalChannelAckParameters, H2250LogicalChannelParameters, McCapability,
    MediaDistributionCapability, MediaPacketizationCapability, MultiplexCapability,
    MultipointCapability, OpenLogicalChannel, OpenLogicalChannelAck,
    ReverseLogicalChannelParameters, ReverseMultiplexParameters, TerminalCapabilitySet,
    TransportAddress, UserInputCapability, VideoCapability,
};
use roomgate_h323::per::PerError;

use super::video_map::{self, VIDEO_SESSION};

/// RTP session id H.225.0 gives audio (§6.2.8.1 of H.225.0 Annex... the first session).
pub const AUDIO_SESSION: u32 = 1;

/// Milliseconds of G.711/G.722 per packet we announce and send: 20 ms is what every room
/// system and the relay's packetizer use.
pub const FRAMES_PER_PACKET: u32 = 20;

/// The payload type we announce for RFC 2833 events (the common dynamic value).
pub const TELEPHONE_EVENT_PT: u8 = 101;

/// H.245 version 13's protocol identifier {itu-t(0) recommendation(0) h(8) 245 version(0) 13}:
/// recent enough for everything we send, old enough for every room system in service.
const H245_VERSION: [u64; 6] = [0, 0, 8, 245, 0, 13];

/// Most fastStart proposals read from one Setup: room systems send a few per codec and
/// direction; the H.225.0 decoder already bounds the list at 64.
pub const MAX_PROPOSALS: usize = 64;

/// The codec an audio capability is, with its static RTP payload type (RFC 3551).
pub fn codec_of(cap: &AudioCapability) -> Option<Codec> {
    Some(match cap {
        AudioCapability::G711Ulaw64k(_) => Codec::new("PCMU", 8000, 1, 0),
        AudioCapability::G711Alaw64k(_) => Codec::new("PCMA", 8000, 1, 8),
        // G.722's RTP clock is 8000 although it samples at 16 kHz (RFC 3551 §4.5.2).
        AudioCapability::G722_64k(_) => Codec::new("G722", 8000, 1, 9),
        _ => return None,
    })
}

/// The audio capability announcing `codec`, when H.245 names it and the relay speaks it.
pub fn capability_of(codec: &Codec) -> Option<AudioCapability> {
    let n = codec.name.as_str();
    if codec.clock_rate != 8000 {
        return None;
    }
    Some(if n.eq_ignore_ascii_case("PCMU") {
        AudioCapability::G711Ulaw64k(FRAMES_PER_PACKET)
    } else if n.eq_ignore_ascii_case("PCMA") {
        AudioCapability::G711Alaw64k(FRAMES_PER_PACKET)
    } else if n.eq_ignore_ascii_case("G722") {
        AudioCapability::G722_64k(FRAMES_PER_PACKET)
    } else {
        return None;
    })
}

pub fn socket_of(addr: &TransportAddress) -> Option<SocketAddr> {
    addr.unicast_ip()
        .map(|(ip, port)| SocketAddr::new(ip, port))
}

pub fn transport_of(addr: SocketAddr) -> TransportAddress {
    match addr {
        SocketAddr::V4(a) => TransportAddress::ipv4(a.ip().octets(), a.port()),
        SocketAddr::V6(a) => TransportAddress::ipv6(a.ip().octets(), a.port()),
    }
}

/// Which way a fastStart proposal carries media, seen from the proposer (H.323 §8.1.7.1: a
/// proposal with reverse parameters is for what the proposer receives).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way {
    /// The proposer sends; we would receive.
    ToUs,
    /// The proposer receives; we would send.
    FromUs,
}

/// One fastStart proposal as the leg needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    /// Index in the proposal list.
    pub index: usize,
    pub way: Way,
    pub session_id: u32,
    pub codec: Codec,
    /// For [`Way::FromUs`]: where the proposer receives RTP and RTCP. For [`Way::ToUs`]:
    /// where it receives RTCP about what it sends.
    pub rtp: Option<SocketAddr>,
    pub rtcp: Option<SocketAddr>,
}

fn h2250_forward(olc: &OpenLogicalChannel) -> Option<&H2250LogicalChannelParameters> {
    match &olc.forward_logical_channel_parameters.multiplex_parameters {
        ForwardMultiplexParameters::H2250LogicalChannelParameters(p) => Some(p),
        _ => None,
    }
}

fn h2250_reverse(r: &ReverseLogicalChannelParameters) -> Option<&H2250LogicalChannelParameters> {
    match r.multiplex_parameters.as_ref()? {
        ReverseMultiplexParameters::H2250LogicalChannelParameters(p) => Some(p),
        _ => None,
    }
}

/// The format a channel carries, audio or H.264 video, with the session it belongs to
/// (H.225.0: 1 audio, 2 video; 0, "the master assigns", read by the media type).
fn channel_codec(data: &DataType, p: &H2250LogicalChannelParameters) -> Option<(u32, Codec)> {
    let (session, codec) = match data {
        DataType::AudioData(cap) => (AUDIO_SESSION, codec_of(cap)?),
        DataType::VideoData(cap) => (VIDEO_SESSION, video_map::channel_codec(cap, p)?),
        _ => return None,
    };
    (p.session_id == session || p.session_id == 0).then_some((session, codec))
}

/// Whether two formats of one session are the same for choosing among proposals: audio by
/// encoding, video by profile and packetization mode.
pub fn same_format(session: u32, a: &Codec, b: &Codec) -> bool {
    if session == VIDEO_SESSION {
        video_map::same_format(a, b)
    } else {
        a.name == b.name
    }
}

/// Reads one proposal; `None` for a media type or codec we do not carry.
pub fn proposal(index: usize, olc: &OpenLogicalChannel) -> Option<Proposal> {
    if let Some(reverse) = olc.reverse_logical_channel_parameters.as_deref() {
        // The forward half of a receive proposal carries nullData.
        let p = h2250_reverse(reverse)?;
        let (session_id, codec) = channel_codec(&reverse.data_type, p)?;
        return Some(Proposal {
            index,
            way: Way::FromUs,
            session_id,
            codec,
            rtp: p.media_channel.as_ref().and_then(socket_of),
            rtcp: p.media_control_channel.as_ref().and_then(socket_of),
        });
    }
    let p = h2250_forward(olc)?;
    let (session_id, codec) = channel_codec(&olc.forward_logical_channel_parameters.data_type, p)?;
    Some(Proposal {
        index,
        way: Way::ToUs,
        session_id,
        codec,
        rtp: None,
        rtcp: p.media_control_channel.as_ref().and_then(socket_of),
    })
}

/// The audio and main video a fastStart offer proposes, as the far end's media: per session
/// the codecs in the order of the proposals we can carry, and where the proposer receives.
/// Empty when nothing usable was proposed (the call then goes through H.245 procedures).
pub fn offered(olcs: &[OpenLogicalChannel]) -> MediaSpec {
    let streams = [
        (AUDIO_SESSION, StreamRole::Audio),
        (VIDEO_SESSION, StreamRole::MainVideo),
    ]
    .into_iter()
    .filter_map(|(session, role)| offered_stream(olcs, session, role))
    .collect();
    MediaSpec { streams }
}

fn offered_stream(
    olcs: &[OpenLogicalChannel],
    session: u32,
    role: StreamRole,
) -> Option<StreamSpec> {
    let proposals: Vec<Proposal> = olcs
        .iter()
        .take(MAX_PROPOSALS)
        .enumerate()
        .filter_map(|(i, o)| proposal(i, o))
        .filter(|p| p.session_id == session)
        .collect();
    if proposals.is_empty() {
        return None;
    }
    let mut stream = StreamSpec::new(role);
    for p in &proposals {
        if !stream
            .codecs
            .iter()
            .any(|c| same_format(session, c, &p.codec))
        {
            stream.codecs.push(p.codec.clone());
        }
    }
    let receives = proposals.iter().find(|p| p.way == Way::FromUs);
    stream.remote_rtp = receives.and_then(|p| p.rtp);
    stream.remote_rtcp = receives
        .and_then(|p| p.rtcp)
        .or_else(|| proposals.iter().find_map(|p| p.rtcp));
    let sends = proposals.iter().any(|p| p.way == Way::ToUs);
    stream.direction = match (sends, receives.is_some()) {
        (true, true) => Direction::SendRecv,
        (true, false) => Direction::SendOnly,
        (false, true) => Direction::RecvOnly,
        (false, false) => Direction::Inactive,
    };
    Some(stream)
}

/// Our fastStart answer for audio in `codec` (see [`accept_in`]).
pub fn accept(
    olcs: &[OpenLogicalChannel],
    codec: &Codec,
    our_rtp: SocketAddr,
    our_rtcp: SocketAddr,
) -> Option<Vec<OpenLogicalChannel>> {
    accept_in(olcs, AUDIO_SESSION, codec, our_rtp, our_rtcp)
}

/// Our fastStart answer in `session`: the proposal in each direction that carries `codec`
/// (for video: its profile and packetization mode), completed with where we receive (H.323
/// §8.1.7.1: a channel toward us gets our RTP and RTCP addresses; a channel from us gets our
/// RTCP address). `None` when no proposal carries the codec.
pub fn accept_in(
    olcs: &[OpenLogicalChannel],
    session: u32,
    codec: &Codec,
    our_rtp: SocketAddr,
    our_rtcp: SocketAddr,
) -> Option<Vec<OpenLogicalChannel>> {
    let mut out = Vec::new();
    for way in [Way::FromUs, Way::ToUs] {
        let chosen = olcs
            .iter()
            .take(MAX_PROPOSALS)
            .enumerate()
            .find_map(|(i, o)| {
                let p = proposal(i, o)?;
                (p.way == way && p.session_id == session && same_format(session, &p.codec, codec))
                    .then_some(o)
            });
        let Some(olc) = chosen else {
            continue;
        };
        let mut olc = olc.clone();
        match way {
            Way::ToUs => {
                if let ForwardMultiplexParameters::H2250LogicalChannelParameters(p) =
                    &mut olc.forward_logical_channel_parameters.multiplex_parameters
                {
                    p.media_channel = Some(transport_of(our_rtp));
                    p.media_control_channel = Some(transport_of(our_rtcp));
                }
            }
            Way::FromUs => {
                if let Some(reverse) = olc.reverse_logical_channel_parameters.as_mut() {
                    if let Some(ReverseMultiplexParameters::H2250LogicalChannelParameters(p)) =
                        reverse.multiplex_parameters.as_mut()
                    {
                        // The proposer's own addresses stay out of our answer: it knows them.
                        p.media_channel = None;
                        p.media_control_channel = Some(transport_of(our_rtcp));
                    }
                }
            }
        }
        out.push(olc);
    }
    (!out.is_empty()).then_some(out)
}

/// What a channel of `session` carrying `codec` says it is: an audio capability, or H.264's
/// generic video capability. `None` for a format H.245 cannot name.
fn data_type(session: u32, codec: &Codec) -> Option<DataType> {
    if session == VIDEO_SESSION {
        video_map::h264_capability(codec)
            .ok()
            .flatten()
            .map(DataType::VideoData)
    } else {
        capability_of(codec).map(DataType::AudioData)
    }
}

/// H.225.0 parameters of a channel of `session`: its addresses, and for video the payload
/// type and packetization the format needs.
fn h2250_params(
    session: u32,
    codec: &Codec,
    rtp: Option<SocketAddr>,
    rtcp: SocketAddr,
) -> Option<H2250LogicalChannelParameters> {
    let mut p = H2250LogicalChannelParameters {
        non_standard: None,
        session_id: session,
        associated_session_id: None,
        media_channel: rtp.map(transport_of),
        media_guaranteed_delivery: None,
        media_control_channel: Some(transport_of(rtcp)),
        media_control_guaranteed_delivery: None,
        silence_suppression: None,
        destination: None,
        dynamic_rtp_payload_type: None,
        media_packetization: None,
        extensions: Extensions::default(),
    };
    if session == VIDEO_SESSION {
        video_map::set_payload(&mut p, codec).ok()?;
    }
    Some(p)
}

/// Our channel toward the far end for `codec` in `session` (slow start): where we want RTCP
/// about what we send. The channel number is the H.245 session's to assign.
pub fn open_channel(
    session: u32,
    codec: &Codec,
    our_rtcp: SocketAddr,
) -> Option<OpenLogicalChannel> {
    let data_type = data_type(session, codec)?;
    let mut params = h2250_params(session, codec, None, our_rtcp)?;
    if session == AUDIO_SESSION {
        params.silence_suppression = Some(false);
    }
    Some(OpenLogicalChannel {
        forward_logical_channel_number: 1,
        forward_logical_channel_parameters: ForwardLogicalChannelParameters {
            port_number: None,
            data_type,
            multiplex_parameters: ForwardMultiplexParameters::H2250LogicalChannelParameters(params),
            extensions: Extensions::default(),
        },
        reverse_logical_channel_parameters: None,
        extensions: Extensions::default(),
    })
}

/// Our audio channel toward the far end (see [`open_channel`]).
pub fn open_audio(codec: &Codec, our_rtcp: SocketAddr) -> Option<OpenLogicalChannel> {
    open_channel(AUDIO_SESSION, codec, our_rtcp)
}

/// Our audio fastStart proposals (see [`propose_in`]).
pub fn propose(
    codecs: &[Codec],
    our_rtp: SocketAddr,
    our_rtcp: SocketAddr,
    first_number: u32,
) -> Vec<OpenLogicalChannel> {
    propose_in(AUDIO_SESSION, codecs, our_rtp, our_rtcp, first_number)
}

/// Our fastStart proposals in `session` for a call we place (H.323 §8.1.7.1), per codec in
/// our order of preference: a channel we would receive (forward nullData, reverse the codec
/// with where we receive RTP and RTCP) and one we would send (the codec, with where we want
/// RTCP). Channel numbers count from `first_number` in proposal order.
pub fn propose_in(
    session: u32,
    codecs: &[Codec],
    our_rtp: SocketAddr,
    our_rtcp: SocketAddr,
    first_number: u32,
) -> Vec<OpenLogicalChannel> {
    let mut out = Vec::new();
    let mut n = first_number;
    for codec in codecs {
        let (Some(data_type), Some(send), Some(params)) = (
            data_type(session, codec),
            open_channel(session, codec, our_rtcp),
            h2250_params(session, codec, Some(our_rtp), our_rtcp),
        ) else {
            continue;
        };
        let receive = OpenLogicalChannel {
            forward_logical_channel_number: n,
            forward_logical_channel_parameters: ForwardLogicalChannelParameters {
                port_number: None,
                data_type: DataType::NullData(()),
                multiplex_parameters: ForwardMultiplexParameters::None(()),
                extensions: Extensions::default(),
            },
            reverse_logical_channel_parameters: Some(Box::new(ReverseLogicalChannelParameters {
                data_type,
                multiplex_parameters: Some(
                    ReverseMultiplexParameters::H2250LogicalChannelParameters(params),
                ),
                extensions: Extensions::default(),
            })),
            extensions: Extensions::default(),
        };
        let mut send = send;
        send.forward_logical_channel_number = n + 1;
        out.push(receive);
        out.push(send);
        n += 2;
    }
    out
}

/// What the callee accepted of our audio proposals (see [`accepted_in`]).
pub fn accepted(
    answer: &[OpenLogicalChannel],
) -> Option<(Codec, Option<SocketAddr>, Option<SocketAddr>)> {
    accepted_in(answer, AUDIO_SESSION)
}

/// What the callee accepted of our proposals in `session`: the codec and where it receives
/// what we send (the mediaChannel it filled into our sending proposal), and where it wants
/// RTCP.
pub fn accepted_in(
    answer: &[OpenLogicalChannel],
    session: u32,
) -> Option<(Codec, Option<SocketAddr>, Option<SocketAddr>)> {
    answer.iter().take(MAX_PROPOSALS).find_map(|olc| {
        if olc.reverse_logical_channel_parameters.is_some() {
            return None;
        }
        let p = h2250_forward(olc)?;
        let (s, codec) = channel_codec(&olc.forward_logical_channel_parameters.data_type, p)?;
        (s == session).then(|| {
            (
                codec,
                p.media_channel.as_ref().and_then(socket_of),
                p.media_control_channel.as_ref().and_then(socket_of),
            )
        })
    })
}

/// What a far end's OpenLogicalChannel toward us carries (slow start): its session, the
/// codec and where it wants RTCP about it. `None` for anything but audio or H.264 we carry.
pub fn incoming(olc: &OpenLogicalChannel) -> Option<(u32, Codec, Option<SocketAddr>)> {
    let p = h2250_forward(olc)?;
    let (session, codec) = channel_codec(&olc.forward_logical_channel_parameters.data_type, p)?;
    let rtcp = p.media_control_channel.as_ref().and_then(socket_of);
    Some((session, codec, rtcp))
}

/// [`incoming`] for audio only.
pub fn incoming_audio(olc: &OpenLogicalChannel) -> Option<(Codec, Option<SocketAddr>)> {
    match incoming(olc)? {
        (AUDIO_SESSION, codec, rtcp) => Some((codec, rtcp)),
        _ => None,
    }
}

/// Our OpenLogicalChannelAck for an audio channel toward us (see [`channel_ack`]).
pub fn audio_ack(
    our_rtp: SocketAddr,
    our_rtcp: SocketAddr,
) -> Result<OpenLogicalChannelAck, PerError> {
    channel_ack(AUDIO_SESSION, our_rtp, our_rtcp)
}

/// Our OpenLogicalChannelAck for a channel of `session` toward us: where we receive its RTP
/// and RTCP.
pub fn channel_ack(
    session: u32,
    our_rtp: SocketAddr,
    our_rtcp: SocketAddr,
) -> Result<OpenLogicalChannelAck, PerError> {
    let mut ack = OpenLogicalChannelAck {
        // The session sets the channel number it acknowledges.
        forward_logical_channel_number: 1,
        reverse_logical_channel_parameters: None,
        extensions: Extensions::default(),
    };
    ack.set_forward_multiplex_ack_parameters(Some(
        &ForwardMultiplexAckParameters::H2250LogicalChannelAckParameters(
            H2250LogicalChannelAckParameters {
                non_standard: None,
                session_id: Some(session),
                media_channel: Some(transport_of(our_rtp)),
                media_control_channel: Some(transport_of(our_rtcp)),
                dynamic_rtp_payload_type: None,
                extensions: Extensions::default(),
            },
        ),
    ))?;
    Ok(ack)
}

/// Where the far end receives the channel we opened: RTP and RTCP from its Ack.
pub fn ack_addresses(ack: &OpenLogicalChannelAck) -> (Option<SocketAddr>, Option<SocketAddr>) {
    match ack.forward_multiplex_ack_parameters() {
        Some(Ok(ForwardMultiplexAckParameters::H2250LogicalChannelAckParameters(p))) => (
            p.media_channel.as_ref().and_then(socket_of),
            p.media_control_channel.as_ref().and_then(socket_of),
        ),
        _ => (None, None),
    }
}

fn multipoint() -> MultipointCapability {
    MultipointCapability {
        multicast_capability: false,
        multi_uni_cast_conference: false,
        media_distribution_capability: vec![MediaDistributionCapability {
            centralized_control: false,
            distributed_control: false,
            centralized_audio: false,
            distributed_audio: false,
            centralized_video: false,
            distributed_video: false,
            centralized_data: None,
            distributed_data: None,
            extensions: Extensions::default(),
        }],
        extensions: Extensions::default(),
    }
}

/// Our TerminalCapabilitySet for audio `codecs` only (see [`capabilities_with_video`]).
pub fn capabilities(codecs: &[Codec]) -> Result<TerminalCapabilitySet, PerError> {
    capabilities_with_video(codecs, &[])
}

/// Our TerminalCapabilitySet for `codecs` (the relay's, in our order of preference) and the
/// H.264 formats in `video` (those that can pass through to the other leg): each audio codec
/// receive-and-transmit, each video format receive-and-transmit with the packetization modes
/// announced, RFC 2833 events, and DTMF and alphanumeric user input, audio and video usable
/// together. The sequence number is the H.245 session's.
pub fn capabilities_with_video(
    codecs: &[Codec],
    video: &[Codec],
) -> Result<TerminalCapabilitySet, PerError> {
    let mut table = Vec::new();
    let mut audio = Vec::new();
    for cap in codecs.iter().filter_map(capability_of) {
        let n = table.len() as u32 + 1;
        table.push(CapabilityTableEntry {
            capability_table_entry_number: n,
            capability: Some(Capability::ReceiveAndTransmitAudioCapability(cap)),
        });
        audio.push(n);
    }
    let mut videos = Vec::new();
    let mut modes: Vec<u8> = Vec::new();
    for c in video.iter().take(video_map::MAX_VIDEO_FORMATS) {
        let Some(cap) = video_map::h264_capability(c)? else {
            continue;
        };
        let n = table.len() as u32 + 1;
        table.push(CapabilityTableEntry {
            capability_table_entry_number: n,
            capability: Some(Capability::ReceiveAndTransmitVideoCapability(cap)),
        });
        videos.push(n);
        if let Some(p) = video_map::h264_params(c) {
            if !modes.contains(&p.packetization_mode) {
                modes.push(p.packetization_mode);
            }
        }
    }
    let mut others = Vec::new();
    for cap in [
        Capability::ReceiveRtpAudioTelephonyEventCapability(AudioTelephonyEventCapability {
            dynamic_rtp_payload_type: u32::from(TELEPHONE_EVENT_PT),
            audio_telephone_event: b"0-16".to_vec(),
            extensions: Extensions::default(),
        }),
        Capability::ReceiveAndTransmitUserInputCapability(UserInputCapability::Dtmf(())),
        Capability::ReceiveAndTransmitUserInputCapability(UserInputCapability::BasicString(())),
    ] {
        let n = table.len() as u32 + 1;
        table.push(CapabilityTableEntry {
            capability_table_entry_number: n,
            capability: Some(cap),
        });
        others.push(n);
    }
    let mut simultaneous = Vec::new();
    if !audio.is_empty() {
        simultaneous.push(audio);
    }
    if !videos.is_empty() {
        simultaneous.push(videos);
    }
    simultaneous.push(others);
    let mut packetization = MediaPacketizationCapability {
        h261a_video_packetization: false,
        extensions: Extensions::default(),
    };
    if !modes.is_empty() {
        let descriptors = modes
            .iter()
            .map(|m| video_map::descriptor(*m))
            .collect::<Result<Vec<_>, _>>()?;
        packetization.set_rtp_payload_type(Some(&descriptors))?;
    }
    Ok(TerminalCapabilitySet {
        sequence_number: 0,
        protocol_identifier: standard_oid(&H245_VERSION)?,
        multiplex_capability: Some(MultiplexCapability::H2250Capability(H2250Capability {
            maximum_audio_delay_jitter: 60,
            receive_multipoint_capability: multipoint(),
            transmit_multipoint_capability: multipoint(),
            receive_and_transmit_multipoint_capability: multipoint(),
            mc_capability: McCapability {
                centralized_conference_mc: false,
                decentralized_conference_mc: false,
                extensions: Extensions::default(),
            },
            rtcp_video_control_capability: false,
            media_packetization_capability: packetization,
            extensions: Extensions::default(),
        })),
        capability_table: Some(table),
        capability_descriptors: Some(vec![CapabilityDescriptor {
            capability_descriptor_number: 0,
            simultaneous_capabilities: Some(simultaneous),
        }]),
        extensions: Extensions::default(),
    })
}

/// What a far end's capability set says it receives: the audio codecs we can carry in its
/// table order, its RFC 2833 payload type, and whether it takes DTMF as user input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteCapabilities {
    pub audio: Vec<Codec>,
    /// The H.264 formats it receives, one per profile and announced packetization mode.
    pub video: Vec<Codec>,
    pub telephone_event: Option<TelephoneEvent>,
    pub user_input: bool,
}

pub fn remote_capabilities(tcs: &TerminalCapabilitySet) -> RemoteCapabilities {
    let mut out = RemoteCapabilities::default();
    let descriptors = match &tcs.multiplex_capability {
        Some(MultiplexCapability::H2250Capability(h)) => h
            .media_packetization_capability
            .rtp_payload_type()
            .and_then(Result::ok),
        _ => None,
    };
    let modes = video_map::announced_modes(descriptors.as_deref());
    for entry in tcs.capability_table.iter().flatten() {
        match entry.capability.as_ref() {
            Some(
                Capability::ReceiveAudioCapability(a)
                | Capability::ReceiveAndTransmitAudioCapability(a),
            ) => {
                if let Some(c) = codec_of(a) {
                    if !out.audio.iter().any(|x| x.name == c.name) {
                        out.audio.push(c);
                    }
                }
            }
            Some(Capability::ReceiveRtpAudioTelephonyEventCapability(t)) => {
                out.telephone_event =
                    u8::try_from(t.dynamic_rtp_payload_type)
                        .ok()
                        .map(|payload_type| TelephoneEvent {
                            payload_type,
                            clock_rate: 8000,
                        });
            }
            Some(
                Capability::ReceiveVideoCapability(VideoCapability::GenericVideoCapability(g))
                | Capability::ReceiveAndTransmitVideoCapability(
                    VideoCapability::GenericVideoCapability(g),
                ),
            ) => {
                for mode in &modes {
                    let codecs = video_map::h264_codecs(g, *mode, video_map::DEFAULT_VIDEO_PT);
                    for c in codecs.into_iter().flatten() {
                        let known = out.video.iter().any(|v| video_map::same_format(v, &c));
                        if !known && out.video.len() < video_map::MAX_VIDEO_FORMATS {
                            out.video.push(c);
                        }
                    }
                }
            }
            Some(
                Capability::ReceiveUserInputCapability(_)
                | Capability::ReceiveAndTransmitUserInputCapability(_),
            ) => out.user_input = true,
            _ => {}
        }
    }
    out
}
