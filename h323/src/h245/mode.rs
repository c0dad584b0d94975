//! RequestMode and its answers: a receiver asks the sender to switch to one of a list of
//! modes (audio, video, data, encryption), most preferred first.

use super::capability::{G729Extensions, GsmAudioCapability};
use super::channel::EncryptionMode;
use super::codec::{h245_choice, h245_sequence, Int, List, NotTyped};
use super::data::DataMode;
use super::generic::{GenericCapability, NonStandardParameter};
use crate::ras::field::{Bool, Null};

h245_choice! {
    /// H.261 resolution.
    pub enum H261Resolution(2) {
        0 => Qcif(Null),
        1 => Cif(Null),
    }
}

h245_sequence! {
    /// H261VideoMode.
    pub struct H261VideoMode ext {
        resolution: req H261Resolution,
        bit_rate: req Int<1, 19_200>,
        still_image_transmission: req Bool,
    }
}

h245_choice! {
    /// H.263 resolution.
    pub enum H263Resolution(5, ...) {
        0 => Sqcif(Null),
        1 => Qcif(Null),
        2 => Cif(Null),
        3 => Cif4(Null),
        4 => Cif16(Null),
    } {
        0 => Custom(Null),
    }
}

h245_sequence! {
    /// H263VideoMode (the H.263+ options are extension additions kept as octets).
    pub struct H263VideoMode ext {
        resolution: req H263Resolution,
        bit_rate: req Int<1, 19_200>,
        unrestricted_vector: req Bool,
        arithmetic_coding: req Bool,
        advanced_prediction: req Bool,
        pb_frames: req Bool,
    }
}

h245_choice! {
    /// VideoMode: H.262 and MPEG-1 video modes are not typed.
    pub enum VideoMode(5, ...) {
        0 => NonStandard(NonStandardParameter),
        1 => H261VideoMode(H261VideoMode),
        2 => H262VideoMode(NotTyped),
        3 => H263VideoMode(H263VideoMode),
        4 => Is11172VideoMode(NotTyped),
    } {
        0 => GenericVideoMode(GenericCapability),
    }
}

h245_choice! {
    /// The G.723.1 mode.
    pub enum G7231Mode(4) {
        0 => NoSilenceSuppressionLowRate(Null),
        1 => NoSilenceSuppressionHighRate(Null),
        2 => SilenceSuppressionLowRate(Null),
        3 => SilenceSuppressionHighRate(Null),
    }
}

h245_choice! {
    /// AudioMode: MPEG audio modes are not typed.
    pub enum AudioMode(14, ...) {
        0 => NonStandard(NonStandardParameter),
        1 => G711Alaw64k(Null),
        2 => G711Alaw56k(Null),
        3 => G711Ulaw64k(Null),
        4 => G711Ulaw56k(Null),
        5 => G722_64k(Null),
        6 => G722_56k(Null),
        7 => G722_48k(Null),
        8 => G728(Null),
        9 => G729(Null),
        10 => G729AnnexA(Null),
        11 => G7231(G7231Mode),
        12 => Is11172AudioMode(NotTyped),
        13 => Is13818AudioMode(NotTyped),
    } {
        0 => G729WAnnexB(Int<1, 256>),
        1 => G729AnnexAWAnnexB(Int<1, 256>),
        3 => GsmFullRate(GsmAudioCapability),
        4 => GsmHalfRate(GsmAudioCapability),
        5 => GsmEnhancedFullRate(GsmAudioCapability),
        6 => GenericAudioMode(GenericCapability),
        7 => G729Extensions(G729Extensions),
    }
}

h245_choice! {
    /// ModeElementType.
    pub enum ModeElementType(5, ...) {
        0 => NonStandard(NonStandardParameter),
        1 => VideoMode(VideoMode),
        2 => AudioMode(AudioMode),
        3 => DataMode(DataMode),
        4 => EncryptionMode(EncryptionMode),
    } {}
}

h245_sequence! {
    /// ModeElement: one stream of a mode. The H.225.0 mode parameters are an extension
    /// addition kept as octets; the H.223 ones are not typed.
    pub struct ModeElement ext {
        r#type: req ModeElementType,
        h223_mode_parameters: opt NotTyped,
    }
}

/// ModeDescription: the streams of one mode.
pub type ModeDescription = List<ModeElement, 1, 256>;

h245_sequence! {
    /// RequestMode.
    pub struct RequestMode ext {
        sequence_number: req Int<0, 255>,
        requested_modes: req List<ModeDescription, 1, 256>,
    }
}

h245_choice! {
    /// RequestModeAck's response.
    pub enum RequestModeAckResponse(2, ...) {
        0 => WillTransmitMostPreferredMode(Null),
        1 => WillTransmitLessPreferredMode(Null),
    } {}
}

h245_sequence! {
    /// RequestModeAck.
    pub struct RequestModeAck ext {
        sequence_number: req Int<0, 255>,
        response: req RequestModeAckResponse,
    }
}

h245_choice! {
    /// Why a RequestMode was refused.
    pub enum RequestModeRejectCause(3, ...) {
        0 => ModeUnavailable(Null),
        1 => MultipointConstraint(Null),
        2 => RequestDenied(Null),
    } {}
}

h245_sequence! {
    /// RequestModeReject.
    pub struct RequestModeReject ext {
        sequence_number: req Int<0, 255>,
        cause: req RequestModeRejectCause,
    }
}

h245_sequence! {
    /// RequestModeRelease: the request timed out.
    pub struct RequestModeRelease ext {}
}
