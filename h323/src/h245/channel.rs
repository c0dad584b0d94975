//! Logical channels: OpenLogicalChannel with its Ack, Reject and Confirm, the H.225.0
//! channel parameters (RTP session, media and media-control addresses, payload type,
//! silence suppression, packetization), EncryptionSync for H.235 media keys,
//! CloseLogicalChannel and RequestChannelClose with their answers.

use super::address::TransportAddress;
use super::capability::{AudioCapability, VideoCapability};
use super::codec::{
    h245_additions, h245_choice, h245_sequence, BitString, Boxed, ExtInt, Int, List, NotTyped,
    OctetsSized, SeqOf,
};
use super::data::DataApplicationCapability;
use super::generic::{GenericInformationList, GenericParameter, NonStandardParameter};
use crate::ras::field::{Bool, Null, Oid};

h245_choice! {
    /// EncryptionMode: the encryption a channel carries.
    pub enum EncryptionMode(2, ...) {
        0 => NonStandard(NonStandardParameter),
        1 => H233Encryption(Null),
    } {}
}

h245_choice! {
    /// DataType: what a logical channel carries. H.235 media, redundancy encoding, FEC and
    /// multiplexed streams are extension alternatives kept as octets.
    pub enum DataType(6, ...) {
        0 => NonStandard(NonStandardParameter),
        1 => NullData(Null),
        2 => VideoData(VideoCapability),
        3 => AudioData(AudioCapability),
        4 => Data(DataApplicationCapability),
        5 => EncryptionData(EncryptionMode),
    } {
        0 => H235Control(NonStandardParameter),
    }
}

h245_sequence! {
    /// TerminalLabel: an MCU and terminal number in a conference.
    pub struct TerminalLabel ext {
        mcu_number: req Int<0, 192>,
        terminal_number: req Int<0, 192>,
    }
}

h245_choice! {
    /// How an RTP payload format is named.
    pub enum PayloadDescriptor(3, ...) {
        0 => NonStandardIdentifier(NonStandardParameter),
        /// The RFC defining the payload format.
        1 => RfcNumber(ExtInt<1, 32_768>),
        2 => Oid(Oid),
    } {}
}

h245_sequence! {
    /// RTPPayloadType: the payload format and its payload type number.
    pub struct RtpPayloadType ext {
        payload_descriptor: req PayloadDescriptor,
        payload_type: opt Int<0, 127>,
    }
}

h245_choice! {
    /// mediaPacketization.
    pub enum MediaPacketization(1, ...) {
        0 => H261aVideoPacketization(Null),
    } {
        0 => RtpPayloadType(RtpPayloadType),
    }
}

h245_sequence! {
    /// H2250LogicalChannelParameters: an RTP session's id, addresses and payload.
    pub struct H2250LogicalChannelParameters ext {
        non_standard: opt SeqOf<NonStandardParameter>,
        /// 1 audio, 2 video, 3 data; 0 asks the master to assign one.
        session_id: req Int<0, 255>,
        associated_session_id: opt Int<1, 255>,
        media_channel: opt TransportAddress,
        media_guaranteed_delivery: opt Bool,
        media_control_channel: opt TransportAddress,
        media_control_guaranteed_delivery: opt Bool,
        silence_suppression: opt Bool,
        destination: opt TerminalLabel,
        dynamic_rtp_payload_type: opt Int<96, 127>,
        media_packetization: opt MediaPacketization,
    }
}

h245_additions!(H2250LogicalChannelParameters {
    2 => source, set_source: TerminalLabel,
    3 => nominal_audio_level, set_nominal_audio_level: Int<0, 63>,
});

h245_choice! {
    /// The forward channel's multiplex parameters: H.323 sends `h2250LogicalChannelParameters`
    /// (or `none` in a fastStart reverse proposal's forward half); the H.222, H.223 and V.76
    /// ones are not typed.
    pub enum ForwardMultiplexParameters(3, ...) {
        0 => H222LogicalChannelParameters(NotTyped),
        1 => H223LogicalChannelParameters(NotTyped),
        2 => V76LogicalChannelParameters(NotTyped),
    } {
        0 => H2250LogicalChannelParameters(H2250LogicalChannelParameters),
        1 => None(Null),
    }
}

h245_sequence! {
    /// forwardLogicalChannelParameters.
    pub struct ForwardLogicalChannelParameters ext {
        port_number: opt Int<0, 65_535>,
        data_type: req DataType,
        multiplex_parameters: req ForwardMultiplexParameters,
    }
}

h245_additions!(ForwardLogicalChannelParameters {
    0 => forward_logical_channel_dependency, set_forward_logical_channel_dependency: Int<1, 65_535>,
    1 => replacement_for, set_replacement_for: Int<1, 65_535>,
});

h245_choice! {
    /// The reverse channel's multiplex parameters.
    pub enum ReverseMultiplexParameters(2, ...) {
        0 => H223LogicalChannelParameters(NotTyped),
        1 => V76LogicalChannelParameters(NotTyped),
    } {
        0 => H2250LogicalChannelParameters(H2250LogicalChannelParameters),
    }
}

h245_sequence! {
    /// reverseLogicalChannelParameters of a bidirectional OpenLogicalChannel (and of a
    /// fastStart proposal for what the proposer receives).
    pub struct ReverseLogicalChannelParameters ext {
        data_type: req DataType,
        multiplex_parameters: opt ReverseMultiplexParameters,
    }
}

h245_sequence! {
    /// EscrowData.
    pub struct EscrowData ext {
        escrow_id: req Oid,
        escrow_value: req BitString<1, 65_535>,
    }
}

h245_sequence! {
    /// EncryptionSync: the H.235 media key for a channel. `h235_key` is the H235Key
    /// encoding as received (secure channel, shared secret or certificate protected),
    /// left to the H.235 layer.
    pub struct EncryptionSync ext {
        non_standard: opt NonStandardParameter,
        synch_flag: req Int<0, 255>,
        h235_key: req OctetsSized<1, 65_535>,
        escrowentry: opt List<EscrowData, 1, 256>,
    }
}

h245_additions!(EncryptionSync {
    0 => generic_parameter, set_generic_parameter: GenericParameter,
});

h245_sequence! {
    /// OpenLogicalChannel: a request to open a channel, or a fastStart proposal. The
    /// reverse parameters are boxed: inline they made the struct 1.3 KB, moved on every
    /// decode and past the allocator's small-object cache when the message is boxed.
    pub struct OpenLogicalChannel ext {
        forward_logical_channel_number: req Int<1, 65_535>,
        forward_logical_channel_parameters: req ForwardLogicalChannelParameters,
        reverse_logical_channel_parameters: opt Boxed<ReverseLogicalChannelParameters>,
    }
}

h245_additions!(OpenLogicalChannel {
    1 => encryption_sync, set_encryption_sync: EncryptionSync,
    2 => generic_information, set_generic_information: GenericInformationList,
});

h245_choice! {
    /// The multiplex parameters of an acknowledged reverse channel.
    pub enum AckReverseMultiplexParameters(1, ...) {
        0 => H222LogicalChannelParameters(NotTyped),
    } {
        0 => H2250LogicalChannelParameters(H2250LogicalChannelParameters),
    }
}

h245_sequence! {
    /// OpenLogicalChannelAck's reverseLogicalChannelParameters.
    pub struct AckReverseLogicalChannelParameters ext {
        reverse_logical_channel_number: req Int<1, 65_535>,
        port_number: opt Int<0, 65_535>,
        multiplex_parameters: opt AckReverseMultiplexParameters,
    }
}

h245_sequence! {
    /// H2250LogicalChannelAckParameters: where the acknowledging side receives media and
    /// RTCP.
    pub struct H2250LogicalChannelAckParameters ext {
        non_standard: opt SeqOf<NonStandardParameter>,
        session_id: opt Int<1, 255>,
        media_channel: opt TransportAddress,
        media_control_channel: opt TransportAddress,
        dynamic_rtp_payload_type: opt Int<96, 127>,
    }
}

h245_additions!(H2250LogicalChannelAckParameters {
    0 => flow_control_to_zero, set_flow_control_to_zero: Bool,
    1 => port_number, set_port_number: Int<0, 65_535>,
});

h245_choice! {
    /// forwardMultiplexAckParameters.
    pub enum ForwardMultiplexAckParameters(1, ...) {
        0 => H2250LogicalChannelAckParameters(H2250LogicalChannelAckParameters),
    } {}
}

h245_sequence! {
    /// OpenLogicalChannelAck. Its H.225.0 parameters are an extension addition.
    pub struct OpenLogicalChannelAck ext {
        forward_logical_channel_number: req Int<1, 65_535>,
        reverse_logical_channel_parameters: opt AckReverseLogicalChannelParameters,
    }
}

h245_additions!(OpenLogicalChannelAck {
    1 => forward_multiplex_ack_parameters, set_forward_multiplex_ack_parameters: ForwardMultiplexAckParameters,
    2 => encryption_sync, set_encryption_sync: EncryptionSync,
    3 => generic_information, set_generic_information: GenericInformationList,
});

h245_choice! {
    /// Why a channel was refused.
    pub enum OlcRejectCause(6, ...) {
        0 => Unspecified(Null),
        1 => UnsuitableReverseParameters(Null),
        2 => DataTypeNotSupported(Null),
        3 => DataTypeNotAvailable(Null),
        4 => UnknownDataType(Null),
        5 => DataTypeAlCombinationNotSupported(Null),
    } {
        0 => MulticastChannelNotAllowed(Null),
        1 => InsufficientBandwidth(Null),
        2 => SeparateStackEstablishmentFailed(Null),
        3 => InvalidSessionId(Null),
        4 => MasterSlaveConflict(Null),
        5 => WaitForCommunicationMode(Null),
        6 => InvalidDependentChannel(Null),
        7 => ReplacementForRejected(Null),
        8 => SecurityDenied(Null),
        9 => QoSControlNotSupported(Null),
    }
}

h245_sequence! {
    /// OpenLogicalChannelReject.
    pub struct OpenLogicalChannelReject ext {
        forward_logical_channel_number: req Int<1, 65_535>,
        cause: req OlcRejectCause,
    }
}

h245_sequence! {
    /// OpenLogicalChannelConfirm: the last step of a bidirectional open.
    pub struct OpenLogicalChannelConfirm ext {
        forward_logical_channel_number: req Int<1, 65_535>,
    }
}

h245_choice! {
    /// Who closes a channel: the user or the logical channel signalling entity.
    pub enum ClcSource(2) {
        0 => User(Null),
        1 => Lcse(Null),
    }
}

h245_choice! {
    /// CloseLogicalChannel's reason (an extension addition).
    pub enum ClcReason(3, ...) {
        /// The ASN.1 `unknown` reason.
        0 => UnknownReason(Null),
        1 => Reopen(Null),
        2 => ReservationFailure(Null),
    } {
        0 => NetworkErrorCode(Int<0, 255>),
    }
}

h245_sequence! {
    /// CloseLogicalChannel.
    pub struct CloseLogicalChannel ext {
        forward_logical_channel_number: req Int<1, 65_535>,
        source: req ClcSource,
    }
}

h245_additions!(CloseLogicalChannel {
    0 => reason, set_reason: ClcReason,
});

h245_sequence! {
    /// CloseLogicalChannelAck.
    pub struct CloseLogicalChannelAck ext {
        forward_logical_channel_number: req Int<1, 65_535>,
    }
}

h245_choice! {
    /// RequestChannelClose's reason (an extension addition).
    pub enum RccReason(4, ...) {
        /// The ASN.1 `unknown` reason.
        0 => UnknownReason(Null),
        1 => Normal(Null),
        2 => Reopen(Null),
        3 => ReservationFailure(Null),
    } {
        0 => NetworkErrorCode(Int<0, 255>),
    }
}

h245_sequence! {
    /// RequestChannelClose: asks the sender of a channel to close it.
    pub struct RequestChannelClose ext {
        forward_logical_channel_number: req Int<1, 65_535>,
    }
}

h245_additions!(RequestChannelClose {
    1 => reason, set_reason: RccReason,
});

h245_sequence! {
    /// RequestChannelCloseAck.
    pub struct RequestChannelCloseAck ext {
        forward_logical_channel_number: req Int<1, 65_535>,
    }
}

h245_choice! {
    /// Why a RequestChannelClose was refused.
    pub enum RccRejectCause(1, ...) {
        0 => Unspecified(Null),
    } {}
}

h245_sequence! {
    /// RequestChannelCloseReject.
    pub struct RequestChannelCloseReject ext {
        forward_logical_channel_number: req Int<1, 65_535>,
        cause: req RccRejectCause,
    }
}

h245_sequence! {
    /// RequestChannelCloseRelease: the request timed out.
    pub struct RequestChannelCloseRelease ext {
        forward_logical_channel_number: req Int<1, 65_535>,
    }
}
