//! The small messages of a call: RoundTripDelay, FlowControlCommand, MiscellaneousCommand
//! (videoFastUpdatePicture and the other picture and encryption commands),
//! UserInputIndication (DTMF as alphanumeric or signal), EndSessionCommand,
//! SendTerminalCapabilitySet and FunctionNotSupported.

use super::channel::EncryptionSync;
use super::codec::{h245_additions, h245_choice, h245_sequence, GeneralString, Int, List, SeqOf};
use super::generic::{GenericInformationList, NonStandardParameter};
use crate::per::{Alphabet, PerError, Reader, Writer};
use crate::ras::field::{Bool, Field, Null, Octets};

h245_sequence! {
    /// RoundTripDelayRequest: the keep-alive of an H.245 session.
    pub struct RoundTripDelayRequest ext {
        sequence_number: req Int<0, 255>,
    }
}

h245_sequence! {
    /// RoundTripDelayResponse.
    pub struct RoundTripDelayResponse ext {
        sequence_number: req Int<0, 255>,
    }
}

h245_choice! {
    /// What a flow control applies to.
    pub enum FlowControlScope(3) {
        0 => LogicalChannelNumber(Int<1, 65_535>),
        1 => ResourceId(Int<0, 65_535>),
        2 => WholeMultiplex(Null),
    }
}

h245_choice! {
    /// The rate limit of a flow control.
    pub enum FlowControlRestriction(2) {
        /// In units of 100 bit/s.
        0 => MaximumBitRate(Int<0, 16_777_215>),
        1 => NoRestriction(Null),
    }
}

h245_sequence! {
    /// FlowControlCommand: the receiver limits a sender's bit rate.
    pub struct FlowControlCommand ext {
        scope: req FlowControlScope,
        restriction: req FlowControlRestriction,
    }
}

h245_choice! {
    /// gstnOptions of EndSessionCommand.
    pub enum GstnOptions(5, ...) {
        0 => TelephonyMode(Null),
        1 => V8bis(Null),
        2 => V34Dsvd(Null),
        3 => V34DuplexFax(Null),
        4 => V34H324(Null),
    } {}
}

h245_choice! {
    /// isdnOptions of EndSessionCommand.
    pub enum IsdnOptions(3, ...) {
        0 => TelephonyMode(Null),
        1 => V140(Null),
        2 => TerminalOnHold(Null),
    } {}
}

h245_choice! {
    /// EndSessionCommand: the H.245 session (and so the call) ends.
    pub enum EndSessionCommand(3, ...) {
        0 => NonStandard(NonStandardParameter),
        1 => Disconnect(Null),
        2 => GstnOptions(GstnOptions),
    } {
        0 => IsdnOptions(IsdnOptions),
        1 => GenericInformation(GenericInformationList),
    }
}

h245_sequence! {
    /// videoFastUpdateGOB.
    pub struct VideoFastUpdateGob {
        first_gob: req Int<0, 17>,
        number_of_gobs: req Int<1, 18>,
    }
}

h245_sequence! {
    /// videoFastUpdateMB.
    pub struct VideoFastUpdateMb ext {
        first_gob: opt Int<0, 255>,
        first_mb: opt Int<1, 8192>,
        number_of_mbs: req Int<1, 8192>,
    }
}

h245_sequence! {
    /// KeyProtectionMethod.
    pub struct KeyProtectionMethod ext {
        secure_channel: req Bool,
        shared_secret: req Bool,
        cert_protected_key: req Bool,
    }
}

h245_sequence! {
    /// EncryptionUpdateRequest: asks for a new media key.
    pub struct EncryptionUpdateRequest ext {
        key_protection_method: opt KeyProtectionMethod,
    }
}

h245_additions!(EncryptionUpdateRequest {
    0 => synch_flag, set_synch_flag: Int<0, 255>,
});

h245_sequence! {
    /// videoBadMBs.
    pub struct VideoBadMbs ext {
        first_mb: req Int<1, 9216>,
        number_of_mbs: req Int<1, 9216>,
        temporal_reference: req Int<0, 1023>,
    }
}

h245_choice! {
    /// PictureReference.
    pub enum PictureReference(2, ...) {
        0 => PictureNumber(Int<0, 1023>),
        1 => LongTermPictureIndex(Int<0, 255>),
    } {}
}

h245_sequence! {
    /// encryptionUpdateAck.
    pub struct EncryptionUpdateAck ext {
        synch_flag: req Int<0, 255>,
    }
}

h245_choice! {
    /// MiscellaneousCommand's type: videoFastUpdatePicture (a full intra frame, what a
    /// gateway asks for when a picture breaks) and the other picture and media commands.
    pub enum MiscellaneousCommandType(10, ...) {
        0 => EqualiseDelay(Null),
        1 => ZeroDelay(Null),
        2 => MultipointModeCommand(Null),
        3 => CancelMultipointModeCommand(Null),
        4 => VideoFreezePicture(Null),
        5 => VideoFastUpdatePicture(Null),
        6 => VideoFastUpdateGob(VideoFastUpdateGob),
        7 => VideoTemporalSpatialTradeOff(Int<0, 31>),
        8 => VideoSendSyncEveryGob(Null),
        9 => VideoSendSyncEveryGobCancel(Null),
    } {
        0 => VideoFastUpdateMb(VideoFastUpdateMb),
        1 => MaxH223MuxPduSize(Int<1, 65_535>),
        2 => EncryptionUpdate(EncryptionSync),
        3 => EncryptionUpdateRequest(EncryptionUpdateRequest),
        4 => SwitchReceiveMediaOff(Null),
        5 => SwitchReceiveMediaOn(Null),
        7 => ProgressiveRefinementAbortOne(Null),
        8 => ProgressiveRefinementAbortContinuous(Null),
        9 => VideoBadMbs(VideoBadMbs),
        10 => LostPicture(SeqOf<PictureReference>),
        12 => RecoveryReferencePicture(SeqOf<PictureReference>),
        14 => EncryptionUpdateAck(EncryptionUpdateAck),
    }
}

h245_sequence! {
    /// MiscellaneousCommand: a command about one logical channel.
    pub struct MiscellaneousCommand ext {
        logical_channel_number: req Int<1, 65_535>,
        r#type: req MiscellaneousCommandType,
    }
}

h245_choice! {
    /// userInputSupportIndication.
    pub enum UserInputSupportIndication(4, ...) {
        0 => NonStandard(NonStandardParameter),
        1 => BasicString(Null),
        2 => Ia5String(Null),
        3 => GeneralString(Null),
    } {
        0 => EncryptedBasicString(Null),
        1 => EncryptedIa5String(Null),
        2 => EncryptedGeneralString(Null),
    }
}

/// signalType: `IA5String (SIZE (1) ^ FROM ("0123456789#*ABCD!"))`, one DTMF character
/// ('!' is hookflash).
pub struct SignalType;

/// The permitted alphabet of signalType, sorted.
const SIGNAL_ALPHABET: Alphabet = Alphabet::from_sorted(b"!#*0123456789ABCD");

impl Field for SignalType {
    type Value = char;
    const NAME: &'static str = "signalType";
    fn decode(r: &mut Reader<'_>) -> Result<char, PerError> {
        let s = r.restricted_string(1, 1, &SIGNAL_ALPHABET, Self::NAME)?;
        Ok(s.chars().next().unwrap_or('!'))
    }
    fn encode(w: &mut Writer, v: &char) -> Result<(), PerError> {
        w.restricted_string(&v.to_string(), 1, 1, &SIGNAL_ALPHABET, Self::NAME)
    }
}

h245_sequence! {
    /// The RTP timing of a signal sent both in H.245 and as RFC 2833 events.
    pub struct SignalRtp ext {
        timestamp: opt Int<0, 4_294_967_295>,
        expiration_time: opt Int<0, 4_294_967_295>,
        logical_channel_number: req Int<1, 65_535>,
    }
}

h245_sequence! {
    /// signal: one DTMF tone with its duration in milliseconds.
    pub struct Signal ext {
        signal_type: req SignalType,
        duration: opt Int<1, 65_535>,
        rtp: opt SignalRtp,
    }
}

h245_sequence! {
    /// signalUpdate's rtp.
    pub struct SignalUpdateRtp ext {
        logical_channel_number: req Int<1, 65_535>,
    }
}

h245_sequence! {
    /// signalUpdate: a longer duration for the signal being sent.
    pub struct SignalUpdate ext {
        duration: req Int<1, 65_535>,
        rtp: opt SignalUpdateRtp,
    }
}

h245_sequence! {
    /// extendedAlphanumeric.
    pub struct ExtendedAlphanumeric ext {
        alphanumeric: req GeneralString,
        rtp_payload_indication: opt Null,
    }
}

h245_choice! {
    /// UserInputIndication: DTMF and other user input.
    pub enum UserInputIndication(2, ...) {
        0 => NonStandard(NonStandardParameter),
        /// The digits as a GeneralString (octets as sent).
        1 => Alphanumeric(GeneralString),
    } {
        0 => UserInputSupportIndication(UserInputSupportIndication),
        1 => Signal(Signal),
        2 => SignalUpdate(SignalUpdate),
        3 => ExtendedAlphanumeric(ExtendedAlphanumeric),
        5 => GenericInformation(GenericInformationList),
    }
}

h245_choice! {
    /// specificRequest capability numbers, or the whole set.
    pub enum SendTerminalCapabilitySet(2, ...) {
        0 => SpecificRequest(SpecificRequest),
        1 => GenericRequest(Null),
    } {}
}

h245_sequence! {
    /// SendTerminalCapabilitySet's specificRequest.
    pub struct SpecificRequest ext {
        multiplex_capability: req Bool,
        capability_table_entry_numbers: opt List<Int<1, 65_535>, 1, 65_535>,
        capability_descriptor_numbers: opt List<Int<0, 255>, 1, 256>,
    }
}

h245_choice! {
    /// Why a function is not supported.
    pub enum FunctionNotSupportedCause(3, ...) {
        0 => SyntaxError(Null),
        1 => SemanticError(Null),
        2 => UnknownFunction(Null),
    } {}
}

h245_sequence! {
    /// FunctionNotSupported: names the received message (its octets) that was not
    /// supported.
    pub struct FunctionNotSupported ext {
        cause: req FunctionNotSupportedCause,
        returned_function: opt Octets,
    }
}
