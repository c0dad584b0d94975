//! Master/slave determination and capability exchange: MasterSlaveDetermination with its
//! Ack, Reject and Release, and TerminalCapabilitySet (the capability table, descriptors
//! and alternative capability sets) with its Ack, Reject and Release.

use super::capability::Capability;
use super::codec::{h245_additions, h245_choice, h245_sequence, Int, List};
use super::generic::{GenericCapability, GenericInformationList, NonStandardParameter};
use crate::ras::field::{Null, Oid};

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

h245_choice! {
    /// MultiplexCapability: H.323 endpoints send `h2250Capability` (an extension
    /// alternative, kept as octets); the H.222, H.223 and V.76 ones of other systems are not
    /// typed.
    pub enum MultiplexCapability(4, ...) {
        0 => NonStandard(NonStandardParameter),
    } {
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
