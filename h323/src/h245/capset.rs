//! Master/slave determination and capability exchange: MasterSlaveDetermination with its
//! Ack, Reject and Release, and TerminalCapabilitySet (the capability table, descriptors
//! and alternative capability sets) with its Ack, Reject and Release.

use super::capability::Capability;
use super::channel::RtpPayloadType;
use super::codec::{h245_additions, h245_choice, h245_sequence, Int, List, SeqOf};
use super::data::DataApplicationCapability;
use super::generic::{GenericCapability, GenericInformationList, NonStandardParameter};
use crate::ras::field::{Bool, Null, Oid};

h245_sequence! {
    /// MasterSlaveDetermination: the terminal type (50 for a gateway, 190 for an MCU) and
    /// a random number that breaks ties.
    pub struct MasterSlaveDetermination ext {
        terminal_type: req Int<0, 255>,
        status_determination_number: req Int<0, 16_777_215>,
    }
}

h245_choice! {
    /// The decision a MasterSlaveDeterminationAck states (the receiver's role).
    pub enum MsdDecision(2) {
        0 => Master(Null),
        1 => Slave(Null),
    }
}

h245_sequence! {
    /// MasterSlaveDeterminationAck.
    pub struct MasterSlaveDeterminationAck ext {
        decision: req MsdDecision,
    }
}

h245_choice! {
    /// Why master/slave determination failed.
    pub enum MsdRejectCause(1, ...) {
        0 => IdenticalNumbers(Null),
    } {}
}

h245_sequence! {
    /// MasterSlaveDeterminationReject.
    pub struct MasterSlaveDeterminationReject ext {
        cause: req MsdRejectCause,
    }
}

h245_sequence! {
    /// MasterSlaveDeterminationRelease: the determination timed out.
    pub struct MasterSlaveDeterminationRelease ext {}
}

h245_sequence! {
    /// MediaDistributionCapability: where control, audio, video and data are mixed.
    pub struct MediaDistributionCapability ext {
        centralized_control: req Bool,
        distributed_control: req Bool,
        centralized_audio: req Bool,
        distributed_audio: req Bool,
        centralized_video: req Bool,
        distributed_video: req Bool,
        centralized_data: opt SeqOf<DataApplicationCapability>,
        distributed_data: opt SeqOf<DataApplicationCapability>,
    }
}

h245_sequence! {
    /// MultipointCapability.
    pub struct MultipointCapability ext {
        multicast_capability: req Bool,
        multi_uni_cast_conference: req Bool,
        media_distribution_capability: req SeqOf<MediaDistributionCapability>,
    }
}

h245_sequence! {
    /// mcCapability: whether the terminal has a multipoint controller.
    pub struct McCapability ext {
        centralized_conference_mc: req Bool,
        decentralized_conference_mc: req Bool,
    }
}

h245_sequence! {
    /// MediaPacketizationCapability (its RTP payload types are an extension addition).
    pub struct MediaPacketizationCapability ext {
        h261a_video_packetization: req Bool,
    }
}

h245_additions!(MediaPacketizationCapability {
    0 => rtp_payload_type, set_rtp_payload_type: List<RtpPayloadType, 1, 256>,
});

h245_sequence! {
    /// H2250Capability: the H.225.0 media transport properties most H.323 endpoints
    /// announce in their TerminalCapabilitySet.
    pub struct H2250Capability ext {
        /// In milliseconds.
        maximum_audio_delay_jitter: req Int<0, 1023>,
        receive_multipoint_capability: req MultipointCapability,
        transmit_multipoint_capability: req MultipointCapability,
        receive_and_transmit_multipoint_capability: req MultipointCapability,
        mc_capability: req McCapability,
        /// FIR and NACK over RTCP.
        rtcp_video_control_capability: req Bool,
        media_packetization_capability: req MediaPacketizationCapability,
    }
}

h245_choice! {
    /// MultiplexCapability: H.323 endpoints send `h2250Capability`; the H.222, H.223 and
    /// V.76 ones of other systems are not typed.
    pub enum MultiplexCapability(4, ...) {
        0 => NonStandard(NonStandardParameter),
    } {
        0 => H2250Capability(H2250Capability),
        1 => GenericMultiplexCapability(GenericCapability),
    }
}

h245_sequence! {
    /// One row of the capability table: a number and, unless the row is being removed,
    /// the capability.
    pub struct CapabilityTableEntry {
        capability_table_entry_number: req Int<1, 65_535>,
        capability: opt Capability,
    }
}

/// AlternativeCapabilitySet: table entry numbers of which one at a time may be used.
pub type AlternativeCapabilitySet = List<Int<1, 65_535>, 1, 256>;

h245_sequence! {
    /// CapabilityDescriptor: sets of alternatives that may all be used at once.
    pub struct CapabilityDescriptor {
        capability_descriptor_number: req Int<0, 255>,
        simultaneous_capabilities: opt List<AlternativeCapabilitySet, 1, 256>,
    }
}

h245_sequence! {
    /// TerminalCapabilitySet: what the terminal can receive and send.
    pub struct TerminalCapabilitySet ext {
        sequence_number: req Int<0, 255>,
        protocol_identifier: req Oid,
        multiplex_capability: opt MultiplexCapability,
        capability_table: opt List<CapabilityTableEntry, 1, 256>,
        capability_descriptors: opt List<CapabilityDescriptor, 1, 256>,
    }
}

h245_additions!(TerminalCapabilitySet {
    0 => generic_information, set_generic_information: GenericInformationList,
});

h245_sequence! {
    /// TerminalCapabilitySetAck.
    pub struct TerminalCapabilitySetAck ext {
        sequence_number: req Int<0, 255>,
    }
}

h245_choice! {
    /// tableEntryCapacityExceeded: how far the receiver got.
    pub enum TableEntryCapacityExceeded(2) {
        0 => HighestEntryNumberProcessed(Int<1, 65_535>),
        1 => NoneProcessed(Null),
    }
}

h245_choice! {
    /// Why a TerminalCapabilitySet was refused.
    pub enum TcsRejectCause(4, ...) {
        0 => Unspecified(Null),
        1 => UndefinedTableEntryUsed(Null),
        2 => DescriptorCapacityExceeded(Null),
        3 => TableEntryCapacityExceeded(TableEntryCapacityExceeded),
    } {}
}

h245_sequence! {
    /// TerminalCapabilitySetReject.
    pub struct TerminalCapabilitySetReject ext {
        sequence_number: req Int<0, 255>,
        cause: req TcsRejectCause,
    }
}

h245_sequence! {
    /// TerminalCapabilitySetRelease: the exchange timed out.
    pub struct TerminalCapabilitySetRelease ext {}
}
