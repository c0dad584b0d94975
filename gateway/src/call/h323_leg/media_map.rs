//! H.245 capabilities and logical channels to and from the neutral [`MediaSpec`]: what the
//! H.323 leg adapter reads from fastStart proposals and capability sets, and what it writes
//! back (our fastStart answer, our TerminalCapabilitySet, our OpenLogicalChannels).
//!
//! Audio today: G.711 µ-law and A-law and G.722 at 64 kbit/s (what the relay speaks and room
//! systems offer), RFC 2833/4733 telephone events, and user input. Everything is written by
//! what the relay can carry, so no capability we announce is one we cannot honour.

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
    TransportAddress, UserInputCapability,
};
use roomgate_h323::per::PerError;

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

/// Reads one proposal; `None` for a media type or codec we do not carry.
pub fn proposal(index: usize, olc: &OpenLogicalChannel) -> Option<Proposal> {
    if let Some(reverse) = olc.reverse_logical_channel_parameters.as_deref() {
        // The forward half of a receive proposal carries nullData.
        let DataType::AudioData(cap) = &reverse.data_type else {
            return None;
        };
        let p = h2250_reverse(reverse)?;
        return Some(Proposal {
            index,
            way: Way::FromUs,
            session_id: p.session_id,
            codec: codec_of(cap)?,
            rtp: p.media_channel.as_ref().and_then(socket_of),
            rtcp: p.media_control_channel.as_ref().and_then(socket_of),
        });
    }
    let DataType::AudioData(cap) = &olc.forward_logical_channel_parameters.data_type else {
        return None;
    };
    let p = h2250_forward(olc)?;
    Some(Proposal {
        index,
        way: Way::ToUs,
        session_id: p.session_id,
        codec: codec_of(cap)?,
        rtp: None,
        rtcp: p.media_control_channel.as_ref().and_then(socket_of),
    })
}

/// The audio a fastStart offer proposes, as the far end's media: the codecs in the order of
/// the proposals we can carry, and where the proposer receives. Empty when nothing usable was
/// proposed (the call then goes through H.245 procedures).
pub fn offered(olcs: &[OpenLogicalChannel]) -> MediaSpec {
    let proposals: Vec<Proposal> = olcs
        .iter()
        .take(MAX_PROPOSALS)
        .enumerate()
        .filter_map(|(i, o)| proposal(i, o))
        .filter(|p| p.session_id == AUDIO_SESSION)
        .collect();
    if proposals.is_empty() {
        return MediaSpec::default();
    }
    let mut stream = StreamSpec::new(StreamRole::Audio);
    for p in &proposals {
        if !stream.codecs.iter().any(|c| c.name == p.codec.name) {
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
    MediaSpec {
        streams: vec![stream],
    }
}

/// Our fastStart answer: the proposal in each direction that carries `codec`, completed with
/// where we receive (H.323 §8.1.7.1: a channel toward us gets our RTP and RTCP addresses; a
/// channel from us gets our RTCP address). `None` when no proposal carries the codec.
pub fn accept(
    olcs: &[OpenLogicalChannel],
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
                (p.way == way && p.session_id == AUDIO_SESSION && p.codec.name == codec.name)
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

/// Our channel toward the far end for `codec` (slow start): where we want RTCP about what we
/// send. The channel number is the H.245 session's to assign.
pub fn open_audio(codec: &Codec, our_rtcp: SocketAddr) -> Option<OpenLogicalChannel> {
    let cap = capability_of(codec)?;
    Some(OpenLogicalChannel {
        forward_logical_channel_number: 1,
        forward_logical_channel_parameters: ForwardLogicalChannelParameters {
            port_number: None,
            data_type: DataType::AudioData(cap),
            multiplex_parameters: ForwardMultiplexParameters::H2250LogicalChannelParameters(
                H2250LogicalChannelParameters {
                    non_standard: None,
                    session_id: AUDIO_SESSION,
                    associated_session_id: None,
                    media_channel: None,
                    media_guaranteed_delivery: None,
                    media_control_channel: Some(transport_of(our_rtcp)),
                    media_control_guaranteed_delivery: None,
                    silence_suppression: Some(false),
                    destination: None,
                    dynamic_rtp_payload_type: None,
                    media_packetization: None,
                    extensions: Extensions::default(),
                },
            ),
            extensions: Extensions::default(),
        },
        reverse_logical_channel_parameters: None,
        extensions: Extensions::default(),
    })
}

/// Our fastStart proposals for a call we place (H.323 §8.1.7.1), per codec in our order of
/// preference: a channel we would receive (forward nullData, reverse the codec with where we
/// receive RTP and RTCP) and one we would send (the codec, with where we want RTCP). Channel
/// numbers count from 1 (`first_number`) in proposal order.
pub fn propose(
    codecs: &[Codec],
    our_rtp: SocketAddr,
    our_rtcp: SocketAddr,
    first_number: u32,
) -> Vec<OpenLogicalChannel> {
    let mut out = Vec::new();
    let mut n = first_number;
    for codec in codecs {
        let (Some(cap), Some(send)) = (capability_of(codec), open_audio(codec, our_rtcp)) else {
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
                data_type: DataType::AudioData(cap),
                multiplex_parameters: Some(
                    ReverseMultiplexParameters::H2250LogicalChannelParameters(
                        H2250LogicalChannelParameters {
                            non_standard: None,
                            session_id: AUDIO_SESSION,
                            associated_session_id: None,
                            media_channel: Some(transport_of(our_rtp)),
                            media_guaranteed_delivery: None,
                            media_control_channel: Some(transport_of(our_rtcp)),
                            media_control_guaranteed_delivery: None,
                            silence_suppression: None,
                            destination: None,
                            dynamic_rtp_payload_type: None,
                            media_packetization: None,
                            extensions: Extensions::default(),
                        },
                    ),
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

/// What the callee accepted of our proposals: the codec and where it receives what we send
/// (the mediaChannel it filled into our sending proposal), and where it wants RTCP.
pub fn accepted(
    answer: &[OpenLogicalChannel],
) -> Option<(Codec, Option<SocketAddr>, Option<SocketAddr>)> {
    answer.iter().take(MAX_PROPOSALS).find_map(|olc| {
        if olc.reverse_logical_channel_parameters.is_some() {
            return None;
        }
        let DataType::AudioData(cap) = &olc.forward_logical_channel_parameters.data_type else {
            return None;
        };
        let p = h2250_forward(olc)?;
        Some((
            codec_of(cap)?,
            p.media_channel.as_ref().and_then(socket_of),
            p.media_control_channel.as_ref().and_then(socket_of),
        ))
    })
}

/// What a far end's OpenLogicalChannel toward us carries (slow start): the audio codec and
/// where it wants RTCP about it. `None` for anything but audio we carry.
pub fn incoming_audio(olc: &OpenLogicalChannel) -> Option<(Codec, Option<SocketAddr>)> {
    let DataType::AudioData(cap) = &olc.forward_logical_channel_parameters.data_type else {
        return None;
    };
    let p = h2250_forward(olc)?;
    if p.session_id != AUDIO_SESSION && p.session_id != 0 {
        return None;
    }
    let rtcp = p.media_control_channel.as_ref().and_then(socket_of);
    Some((codec_of(cap)?, rtcp))
}

/// Our OpenLogicalChannelAck for a channel toward us: where we receive its RTP and RTCP.
pub fn audio_ack(
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
                session_id: Some(AUDIO_SESSION),
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

/// Our TerminalCapabilitySet for `codecs` (the relay's, in our order of preference): each
/// audio codec receive-and-transmit, RFC 2833 events, and DTMF and alphanumeric user input,
/// all usable together. The sequence number is the H.245 session's.
pub fn capabilities(codecs: &[Codec]) -> Result<TerminalCapabilitySet, PerError> {
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
    simultaneous.push(others);
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
            media_packetization_capability: MediaPacketizationCapability {
                h261a_video_packetization: false,
                extensions: Extensions::default(),
            },
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
    pub telephone_event: Option<TelephoneEvent>,
    pub user_input: bool,
}

pub fn remote_capabilities(tcs: &TerminalCapabilitySet) -> RemoteCapabilities {
    let mut out = RemoteCapabilities::default();
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
                Capability::ReceiveUserInputCapability(_)
                | Capability::ReceiveAndTransmitUserInputCapability(_),
            ) => out.user_input = true,
            _ => {}
        }
    }
    out
}
