//! One hand-built message of every typed H.245 message, as a gateway and a room system
//! would exchange them: a full TerminalCapabilitySet (G.711, G.722, G.729, G.722.1, H.261,
//! H.263, H.264, H.239 extended video and control, T.38, user input with telephone events,
//! conference), OpenLogicalChannel with H.225.0 parameters over IPv4 and IPv6 and with
//! EncryptionSync, the H.239 token messages, and the small commands and indications.
//! Shared by the round-trip tests, the tshark oracle and the fuzz seeds.

use super::*;
use crate::per::PerError;
use crate::ras::field::encode_whole;

mod messages;

pub use messages::all;

fn none() -> codec::Extensions {
    codec::Extensions::default()
}

fn h221() -> NonStandardParameter {
    NonStandardParameter {
        non_standard_identifier: NonStandardIdentifier::H221NonStandard(H221NonStandard {
            t35_country_code: 181,
            t35_extension: 0,
            manufacturer_code: 0x1234,
        }),
        data: b"roomgate".to_vec(),
    }
}

fn entry(number: u32, capability: Capability) -> CapabilityTableEntry {
    CapabilityTableEntry {
        capability_table_entry_number: number,
        capability: Some(capability),
    }
}

/// The H.264 capability (H.241): Baseline profile, level 3.1, max-mbps and max-fs for
/// 720p30.
pub fn h264() -> Result<GenericCapability, PerError> {
    GenericCapability::standard(
        oid::H264,
        Some(19_200),
        vec![
            GenericParameter::standard(h264::PROFILE, ParameterValue::BooleanArray(64)),
            GenericParameter::standard(h264::LEVEL, ParameterValue::UnsignedMin(71)),
            GenericParameter::standard(h264::CUSTOM_MAX_MBPS, ParameterValue::UnsignedMin(216)),
            GenericParameter::standard(h264::CUSTOM_MAX_FS, ParameterValue::UnsignedMin(15)),
        ],
    )
}

fn h263() -> H263VideoCapability {
    H263VideoCapability {
        sqcif_mpi: Some(1),
        qcif_mpi: Some(1),
        cif_mpi: Some(1),
        cif4_mpi: None,
        cif16_mpi: None,
        max_bit_rate: 19_200,
        unrestricted_vector: false,
        arithmetic_coding: false,
        advanced_prediction: false,
        pb_frames: false,
        temporal_spatial_trade_off_capability: false,
        hrd_b: None,
        bpp_max_kb: None,
        extensions: none(),
    }
}

/// The H.239 presentation channel: H.264 and H.263 with the presentation role.
fn h239_extended_video() -> Result<ExtendedVideoCapability, PerError> {
    Ok(ExtendedVideoCapability {
        video_capability: vec![
            VideoCapability::GenericVideoCapability(h264()?),
            VideoCapability::H263VideoCapability(h263()),
        ],
        video_capability_extension: Some(vec![GenericCapability::standard(
            oid::H239_EXTENDED_VIDEO,
            None,
            vec![GenericParameter::standard(
                h239::ROLE_LABEL,
                ParameterValue::BooleanArray(1),
            )],
        )?]),
        extensions: none(),
    })
}

fn t38() -> Result<DataApplicationCapability, PerError> {
    let mut profile = T38FaxProfile {
        fill_bit_removal: false,
        transcoding_jbig: false,
        transcoding_mmr: false,
        extensions: none(),
    };
    profile.set_version(Some(&0))?;
    profile.set_t38_fax_rate_management(Some(&T38FaxRateManagement::TransferredTcf(())))?;
    profile.set_t38_fax_udp_options(Some(&T38FaxUdpOptions {
        t38_fax_max_buffer: Some(200),
        t38_fax_max_datagram: Some(72),
        t38_fax_udp_ec: T38FaxUdpEc::T38UdpRedundancy(()),
    }))?;
    Ok(DataApplicationCapability {
        application: DataApplication::T38Fax(T38Fax {
            t38_fax_protocol: DataProtocolCapability::Udp(()),
            t38_fax_profile: profile,
        }),
        max_bit_rate: 144,
        extensions: none(),
    })
}

fn multipoint() -> MultipointCapability {
    MultipointCapability {
        multicast_capability: false,
        multi_uni_cast_conference: false,
        media_distribution_capability: vec![MediaDistributionCapability {
            centralized_control: true,
            distributed_control: false,
            centralized_audio: true,
            distributed_audio: false,
            centralized_video: true,
            distributed_video: false,
            centralized_data: None,
            distributed_data: None,
            extensions: none(),
        }],
        extensions: none(),
    }
}

/// H2250Capability with H.264 packetization (RFC 3984) announced.
fn h2250_capability() -> Result<H2250Capability, PerError> {
    let mut packetization = MediaPacketizationCapability {
        h261a_video_packetization: false,
        extensions: none(),
    };
    packetization.set_rtp_payload_type(Some(&vec![RtpPayloadType {
        payload_descriptor: PayloadDescriptor::RfcNumber(3984),
        payload_type: None,
        extensions: none(),
    }]))?;
    Ok(H2250Capability {
        maximum_audio_delay_jitter: 60,
        receive_multipoint_capability: multipoint(),
        transmit_multipoint_capability: multipoint(),
        receive_and_transmit_multipoint_capability: multipoint(),
        mc_capability: McCapability {
            centralized_conference_mc: false,
            decentralized_conference_mc: false,
            extensions: none(),
        },
        rtcp_video_control_capability: true,
        media_packetization_capability: packetization,
        extensions: none(),
    })
}

/// A full TerminalCapabilitySet of a video room system.
pub fn terminal_capability_set() -> Result<TerminalCapabilitySet, PerError> {
    use AudioCapability as A;
    use Capability as C;
    let g7221 = GenericCapability::standard(
        oid::G7221,
        Some(320),
        vec![GenericParameter::standard(
            1,
            ParameterValue::UnsignedMin(1),
        )],
    )?;
    let h261 = H261VideoCapability {
        qcif_mpi: Some(1),
        cif_mpi: Some(1),
        temporal_spatial_trade_off_capability: false,
        max_bit_rate: 19_200,
        still_image_transmission: false,
        extensions: none(),
    };
    let table = vec![
        entry(1, C::ReceiveAudioCapability(A::G711Alaw64k(20))),
        entry(2, C::ReceiveAudioCapability(A::G711Ulaw64k(20))),
        entry(3, C::ReceiveAudioCapability(A::G711Alaw56k(20))),
        entry(4, C::ReceiveAudioCapability(A::G711Ulaw56k(20))),
        entry(5, C::ReceiveAudioCapability(A::G722_64k(20))),
        entry(6, C::ReceiveAudioCapability(A::G722_56k(20))),
        entry(7, C::ReceiveAudioCapability(A::G722_48k(20))),
        entry(8, C::ReceiveAudioCapability(A::G729(2))),
        entry(9, C::ReceiveAudioCapability(A::G729AnnexA(2))),
        entry(10, C::ReceiveAudioCapability(A::G729WAnnexB(2))),
        entry(11, C::ReceiveAudioCapability(A::G729AnnexAWAnnexB(2))),
        entry(
            12,
            C::ReceiveAudioCapability(A::GenericAudioCapability(g7221)),
        ),
        entry(
            13,
            C::ReceiveVideoCapability(VideoCapability::H261VideoCapability(h261)),
        ),
        entry(
            14,
            C::ReceiveVideoCapability(VideoCapability::H263VideoCapability(h263())),
        ),
        entry(
            15,
            C::ReceiveVideoCapability(VideoCapability::GenericVideoCapability(h264()?)),
        ),
        entry(
            16,
            C::ReceiveVideoCapability(VideoCapability::ExtendedVideoCapability(
                h239_extended_video()?,
            )),
        ),
        entry(
            17,
            C::GenericControlCapability(GenericCapability::standard(
                oid::H239_CONTROL,
                None,
                vec![],
            )?),
        ),
        entry(18, C::ReceiveAndTransmitDataApplicationCapability(t38()?)),
        entry(
            19,
            C::ReceiveRtpAudioTelephonyEventCapability(AudioTelephonyEventCapability {
                dynamic_rtp_payload_type: 101,
                audio_telephone_event: b"0-16".to_vec(),
                extensions: none(),
            }),
        ),
        entry(
            20,
            C::ReceiveAndTransmitUserInputCapability(UserInputCapability::Dtmf(())),
        ),
        entry(
            21,
            C::ReceiveAndTransmitUserInputCapability(UserInputCapability::Hookflash(())),
        ),
        entry(
            22,
            C::ReceiveUserInputCapability(UserInputCapability::BasicString(())),
        ),
        entry(
            23,
            C::ConferenceCapability(ConferenceCapability {
                non_standard_data: None,
                chair_control_capability: false,
                extensions: none(),
            }),
        ),
        entry(24, C::NonStandard(h221())),
    ];
    Ok(TerminalCapabilitySet {
        sequence_number: 1,
        protocol_identifier: standard_oid(&[0, 0, 8, 245, 0, 17])?,
        multiplex_capability: Some(MultiplexCapability::H2250Capability(h2250_capability()?)),
        capability_table: Some(table),
        capability_descriptors: Some(vec![CapabilityDescriptor {
            capability_descriptor_number: 0,
            simultaneous_capabilities: Some(vec![
                (1..=12).collect(),
                vec![13, 14, 15],
                vec![16],
                vec![17],
                vec![18],
                vec![19, 20, 21, 22],
            ]),
        }]),
        extensions: none(),
    })
}

fn h2250(
    session: u32,
    rtp: TransportAddress,
    rtcp: TransportAddress,
) -> H2250LogicalChannelParameters {
    H2250LogicalChannelParameters {
        non_standard: None,
        session_id: session,
        associated_session_id: None,
        media_channel: Some(rtp),
        media_guaranteed_delivery: Some(false),
        media_control_channel: Some(rtcp),
        media_control_guaranteed_delivery: Some(false),
        silence_suppression: Some(false),
        destination: None,
        dynamic_rtp_payload_type: None,
        media_packetization: None,
        extensions: none(),
    }
}

/// An H.264 video channel to 192.0.2.10 with payload type 109, and its packetization named
/// by RFC 3984.
pub fn open_logical_channel_h264() -> Result<OpenLogicalChannel, PerError> {
    let mut params = h2250(
        2,
        TransportAddress::ipv4([192, 0, 2, 10], 5004),
        TransportAddress::ipv4([192, 0, 2, 10], 5005),
    );
    params.dynamic_rtp_payload_type = Some(109);
    params.media_packetization = Some(MediaPacketization::RtpPayloadType(RtpPayloadType {
        payload_descriptor: PayloadDescriptor::RfcNumber(3984),
        payload_type: Some(109),
        extensions: none(),
    }));
    Ok(OpenLogicalChannel {
        forward_logical_channel_number: 2,
        forward_logical_channel_parameters: ForwardLogicalChannelParameters {
            port_number: None,
            data_type: DataType::VideoData(VideoCapability::GenericVideoCapability(h264()?)),
            multiplex_parameters: ForwardMultiplexParameters::H2250LogicalChannelParameters(params),
            extensions: none(),
        },
        reverse_logical_channel_parameters: None,
        extensions: none(),
    })
}

/// The H.239 presentation channel: extended video (H.264 with the presentation role) in a
/// session of its own.
pub fn open_logical_channel_h239() -> Result<OpenLogicalChannel, PerError> {
    let mut olc = open_logical_channel_h264()?;
    olc.forward_logical_channel_number = 4;
    olc.forward_logical_channel_parameters.data_type = DataType::VideoData(
        VideoCapability::ExtendedVideoCapability(h239_extended_video()?),
    );
    if let ForwardMultiplexParameters::H2250LogicalChannelParameters(p) =
        &mut olc.forward_logical_channel_parameters.multiplex_parameters
    {
        p.session_id = 32;
    }
    Ok(olc)
}

/// A G.711 audio channel over IPv6 with an H.235 media key (EncryptionSync).
pub fn open_logical_channel_encrypted() -> Result<OpenLogicalChannel, PerError> {
    let v6 = [
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut params = h2250(
        1,
        TransportAddress::ipv6(v6, 5000),
        TransportAddress::ipv6(v6, 5001),
    );
    params.silence_suppression = Some(true);
    let mut olc = OpenLogicalChannel {
        forward_logical_channel_number: 1,
        forward_logical_channel_parameters: ForwardLogicalChannelParameters {
            port_number: None,
            data_type: DataType::AudioData(AudioCapability::G711Alaw64k(20)),
            multiplex_parameters: ForwardMultiplexParameters::H2250LogicalChannelParameters(params),
            extensions: none(),
        },
        reverse_logical_channel_parameters: None,
        extensions: none(),
    };
    olc.set_encryption_sync(Some(&EncryptionSync {
        non_standard: None,
        synch_flag: 96,
        h235_key: vec![0x40, 0x10, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08],
        escrowentry: None,
        extensions: none(),
    }))?;
    Ok(olc)
}

/// A fastStart-style bidirectional proposal: receive G.722 from the peer.
pub fn open_logical_channel_reverse() -> OpenLogicalChannel {
    let mut reverse = h2250(
        1,
        TransportAddress::ipv4([192, 0, 2, 10], 5010),
        TransportAddress::ipv4([192, 0, 2, 10], 5011),
    );
    reverse.media_control_channel = None;
    OpenLogicalChannel {
        forward_logical_channel_number: 3,
        forward_logical_channel_parameters: ForwardLogicalChannelParameters {
            port_number: None,
            data_type: DataType::NullData(()),
            multiplex_parameters: ForwardMultiplexParameters::None(()),
            extensions: none(),
        },
        reverse_logical_channel_parameters: Some(Box::new(ReverseLogicalChannelParameters {
            data_type: DataType::AudioData(AudioCapability::G722_64k(20)),
            multiplex_parameters: Some(ReverseMultiplexParameters::H2250LogicalChannelParameters(
                reverse,
            )),
            extensions: none(),
        })),
        extensions: none(),
    }
}

fn open_logical_channel_ack() -> Result<OpenLogicalChannelAck, PerError> {
    let mut ack = OpenLogicalChannelAck {
        forward_logical_channel_number: 2,
        reverse_logical_channel_parameters: None,
        extensions: none(),
    };
    ack.set_forward_multiplex_ack_parameters(Some(
        &ForwardMultiplexAckParameters::H2250LogicalChannelAckParameters(
            H2250LogicalChannelAckParameters {
                non_standard: None,
                session_id: Some(2),
                media_channel: Some(TransportAddress::ipv4([192, 0, 2, 20], 6004)),
                media_control_channel: Some(TransportAddress::ipv4([192, 0, 2, 20], 6005)),
                dynamic_rtp_payload_type: Some(109),
                extensions: none(),
            },
        ),
    ))?;
    Ok(ack)
}

/// Raw fastStart elements (bare OpenLogicalChannel encodings) of the samples above.
pub fn fast_start() -> Result<Vec<(&'static str, Vec<u8>)>, PerError> {
    Ok(vec![
        (
            "olc_h264",
            encode_whole::<OpenLogicalChannel>(&open_logical_channel_h264()?)?,
        ),
        (
            "olc_reverse",
            encode_whole::<OpenLogicalChannel>(&open_logical_channel_reverse())?,
        ),
    ])
}
