//! Capabilities (H.245 §6.2.8 and the ASN.1's Capability): audio (G.711, G.722, G.723.1,
//! G.728, G.729 and its annexes, MPEG audio, GSM, and generic ones such as G.722.1), video
//! (H.261, H.262, H.263, MPEG-1, generic ones such as H.264, and H.239's extended video),
//! data, user input (DTMF, hookflash, RFC 2833 telephone events), conference and generic
//! control capabilities. Every root alternative is typed, so a TerminalCapabilitySet of any
//! version decodes; extension alternatives not typed here are kept as their octets.

use super::codec::{h245_choice, h245_sequence, Boxed, GeneralString, Int, List, SeqOf};
use super::data::DataApplicationCapability;
use super::generic::{GenericCapability, NonStandardParameter};
use crate::ras::field::{Bool, Null};

h245_sequence! {
    /// G.723.1: frames per packet and silence suppression.
    pub struct G7231 {
        max_al_sdu_audio_frames: req Int<1, 256>,
        silence_suppression: req Bool,
    }
}

h245_sequence! {
    /// MPEG-1 audio.
    pub struct Is11172AudioCapability ext {
        audio_layer1: req Bool,
        audio_layer2: req Bool,
        audio_layer3: req Bool,
        audio_sampling32k: req Bool,
        audio_sampling44k1: req Bool,
        audio_sampling48k: req Bool,
        single_channel: req Bool,
        two_channels: req Bool,
        bit_rate: req Int<1, 448>,
    }
}

h245_sequence! {
    /// MPEG-2 audio.
    pub struct Is13818AudioCapability ext {
        audio_layer1: req Bool,
        audio_layer2: req Bool,
        audio_layer3: req Bool,
        audio_sampling16k: req Bool,
        audio_sampling22k05: req Bool,
        audio_sampling24k: req Bool,
        audio_sampling32k: req Bool,
        audio_sampling44k1: req Bool,
        audio_sampling48k: req Bool,
        single_channel: req Bool,
        two_channels: req Bool,
        three_channels2_1: req Bool,
        three_channels3_0: req Bool,
        four_channels2_0_2_0: req Bool,
        four_channels2_2: req Bool,
        four_channels3_1: req Bool,
        five_channels3_0_2_0: req Bool,
        five_channels3_2: req Bool,
        low_frequency_enhancement: req Bool,
        multilingual: req Bool,
        bit_rate: req Int<1, 1130>,
    }
}

h245_sequence! {
    /// GSM full, half and enhanced full rate.
    pub struct GsmAudioCapability ext {
        audio_unit_size: req Int<1, 256>,
        comfort_noise: req Bool,
        scrambled: req Bool,
    }
}

h245_sequence! {
    /// G.729 with its annexes in one capability.
    pub struct G729Extensions ext {
        audio_unit: opt Int<1, 256>,
        annex_a: req Bool,
        annex_b: req Bool,
        annex_d: req Bool,
        annex_e: req Bool,
        annex_f: req Bool,
        annex_g: req Bool,
        annex_h: req Bool,
    }
}

h245_sequence! {
    /// G.723.1 Annex C audio mode rates.
    pub struct G723AnnexCAudioMode ext {
        high_rate_mode0: req Int<27, 78>,
        high_rate_mode1: req Int<27, 78>,
        low_rate_mode0: req Int<23, 66>,
        low_rate_mode1: req Int<23, 66>,
        sid_mode0: req Int<6, 17>,
        sid_mode1: req Int<6, 17>,
    }
}

h245_sequence! {
    /// G.723.1 Annex C.
    pub struct G7231AnnexCCapability ext {
        max_al_sdu_audio_frames: req Int<1, 256>,
        silence_suppression: req Bool,
        g723_annex_c_audio_mode: opt G723AnnexCAudioMode,
    }
}

h245_sequence! {
    /// Telephone events without a payload type (the audio channel's own).
    pub struct NoPtAudioTelephonyEventCapability ext {
        audio_telephone_event: req GeneralString,
    }
}

h245_sequence! {
    /// Tones without a payload type.
    pub struct NoPtAudioToneCapability ext {}
}

h245_sequence! {
    /// VBDCapability: voice-band data over an audio codec.
    pub struct VbdCapability ext {
        r#type: req Boxed<AudioCapability>,
    }
}

h245_sequence! {
    /// ExtendedAudioCapability.
    pub struct ExtendedAudioCapability ext {
        audio_capability: req SeqOf<AudioCapability>,
        audio_capability_extension: opt SeqOf<GenericCapability>,
    }
}

h245_choice! {
    /// AudioCapability: the INTEGERs of G.711, G.722, G.728 and G.729 are the most audio
    /// frames (or milliseconds, for G.711/G.722) per packet.
    pub enum AudioCapability(14, ...) {
        0 => NonStandard(NonStandardParameter),
        1 => G711Alaw64k(Int<1, 256>),
        2 => G711Alaw56k(Int<1, 256>),
        3 => G711Ulaw64k(Int<1, 256>),
        4 => G711Ulaw56k(Int<1, 256>),
        5 => G722_64k(Int<1, 256>),
        6 => G722_56k(Int<1, 256>),
        7 => G722_48k(Int<1, 256>),
        8 => G7231(G7231),
        9 => G728(Int<1, 256>),
        10 => G729(Int<1, 256>),
        11 => G729AnnexA(Int<1, 256>),
        12 => Is11172AudioCapability(Is11172AudioCapability),
        13 => Is13818AudioCapability(Is13818AudioCapability),
    } {
        0 => G729WAnnexB(Int<1, 256>),
        1 => G729AnnexAWAnnexB(Int<1, 256>),
        2 => G7231AnnexCCapability(G7231AnnexCCapability),
        3 => GsmFullRate(GsmAudioCapability),
        4 => GsmHalfRate(GsmAudioCapability),
        5 => GsmEnhancedFullRate(GsmAudioCapability),
        /// G.722.1, AMR, iLBC and other audio named by an identifier.
        6 => GenericAudioCapability(GenericCapability),
        7 => G729Extensions(G729Extensions),
        8 => Vbd(VbdCapability),
        9 => AudioTelephonyEvent(NoPtAudioTelephonyEventCapability),
        10 => AudioTone(NoPtAudioToneCapability),
        11 => ExtendedAudioCapability(ExtendedAudioCapability),
    }
}

h245_sequence! {
    /// H.261: minimum picture intervals (in 1/29.97 s) per format.
    pub struct H261VideoCapability ext {
        qcif_mpi: opt Int<1, 4>,
        cif_mpi: opt Int<1, 4>,
        temporal_spatial_trade_off_capability: req Bool,
        /// In units of 100 bit/s.
        max_bit_rate: req Int<1, 19_200>,
        still_image_transmission: req Bool,
    }
}

h245_sequence! {
    /// H.262 (MPEG-2 video).
    pub struct H262VideoCapability ext {
        profile_and_level_sp_at_ml: req Bool,
        profile_and_level_mp_at_ll: req Bool,
        profile_and_level_mp_at_ml: req Bool,
        profile_and_level_mp_at_h14: req Bool,
        profile_and_level_mp_at_hl: req Bool,
        profile_and_level_snr_at_ll: req Bool,
        profile_and_level_snr_at_ml: req Bool,
        profile_and_level_spatial_at_h14: req Bool,
        profile_and_level_hp_at_ml: req Bool,
        profile_and_level_hp_at_h14: req Bool,
        profile_and_level_hp_at_hl: req Bool,
        video_bit_rate: opt Int<0, 1_073_741_823>,
        vbv_buffer_size: opt Int<0, 262_143>,
        samples_per_line: opt Int<0, 16_383>,
        lines_per_frame: opt Int<0, 16_383>,
        frames_per_second: opt Int<0, 15>,
        luminance_sample_rate: opt Int<0, 4_294_967_295>,
    }
}

h245_sequence! {
    /// H.263: minimum picture intervals per format and the baseline options. The H.263+
    /// options (H263Options, enhancement layers, slow MPIs) are extension additions kept
    /// as octets.
    pub struct H263VideoCapability ext {
        sqcif_mpi: opt Int<1, 32>,
        qcif_mpi: opt Int<1, 32>,
        cif_mpi: opt Int<1, 32>,
        cif4_mpi: opt Int<1, 32>,
        cif16_mpi: opt Int<1, 32>,
        /// In units of 100 bit/s.
        max_bit_rate: req Int<1, 192_400>,
        unrestricted_vector: req Bool,
        arithmetic_coding: req Bool,
        advanced_prediction: req Bool,
        pb_frames: req Bool,
        temporal_spatial_trade_off_capability: req Bool,
        hrd_b: opt Int<0, 524_287>,
        bpp_max_kb: opt Int<0, 65_535>,
    }
}

h245_sequence! {
    /// MPEG-1 video.
    pub struct Is11172VideoCapability ext {
        constrained_bitstream: req Bool,
        video_bit_rate: opt Int<0, 1_073_741_823>,
        vbv_buffer_size: opt Int<0, 262_143>,
        samples_per_line: opt Int<0, 16_383>,
        lines_per_frame: opt Int<0, 16_383>,
        picture_rate: opt Int<0, 15>,
        luminance_sample_rate: opt Int<0, 4_294_967_295>,
    }
}

h245_sequence! {
    /// ExtendedVideoCapability (H.239): the codecs of a second video channel and, in
    /// `video_capability_extension`, the H.239 role (presentation or live).
    pub struct ExtendedVideoCapability ext {
        video_capability: req SeqOf<VideoCapability>,
        video_capability_extension: opt SeqOf<GenericCapability>,
    }
}

h245_choice! {
    /// VideoCapability.
    pub enum VideoCapability(5, ...) {
        0 => NonStandard(NonStandardParameter),
        1 => H261VideoCapability(H261VideoCapability),
        2 => H262VideoCapability(H262VideoCapability),
        3 => H263VideoCapability(H263VideoCapability),
        4 => Is11172VideoCapability(Is11172VideoCapability),
    } {
        /// H.264 (capability identifier 0.0.8.241.0.0.1) and other generic video.
        0 => GenericVideoCapability(GenericCapability),
        1 => ExtendedVideoCapability(ExtendedVideoCapability),
    }
}

h245_choice! {
    /// UserInputCapability: how user input (DTMF) may be sent as H.245 indications.
    pub enum UserInputCapability(6, ...) {
        0 => NonStandard(List<NonStandardParameter, 1, 16>),
        1 => BasicString(Null),
        2 => Ia5String(Null),
        3 => GeneralString(Null),
        4 => Dtmf(Null),
        5 => Hookflash(Null),
    } {
        0 => ExtendedAlphanumeric(Null),
        1 => EncryptedBasicString(Null),
        2 => EncryptedIa5String(Null),
        3 => EncryptedGeneralString(Null),
        4 => SecureDtmf(Null),
        5 => GenericUserInputCapability(GenericCapability),
    }
}

h245_sequence! {
    /// ConferenceCapability: chair control and (additions) video mixing indications.
    pub struct ConferenceCapability ext {
        non_standard_data: opt SeqOf<NonStandardParameter>,
        chair_control_capability: req Bool,
    }
}

h245_sequence! {
    /// RFC 2833 telephone events on their own dynamic payload type; the events are a
    /// GeneralString such as "0-16".
    pub struct AudioTelephonyEventCapability ext {
        dynamic_rtp_payload_type: req Int<96, 127>,
        audio_telephone_event: req GeneralString,
    }
}

h245_sequence! {
    /// RFC 2833 tones on their own dynamic payload type.
    pub struct AudioToneCapability ext {
        dynamic_rtp_payload_type: req Int<96, 127>,
    }
}

h245_sequence! {
    /// h233EncryptionReceiveCapability.
    pub struct H233EncryptionReceiveCapability ext {
        h233_iv_response_time: req Int<0, 255>,
    }
}

h245_choice! {
    /// One capability of the table. Multiplexed-stream, H.235 security, FEC and redundancy
    /// capabilities are extension alternatives kept as octets.
    pub enum Capability(12, ...) {
        0 => NonStandard(NonStandardParameter),
        1 => ReceiveVideoCapability(VideoCapability),
        2 => TransmitVideoCapability(VideoCapability),
        3 => ReceiveAndTransmitVideoCapability(VideoCapability),
        4 => ReceiveAudioCapability(AudioCapability),
        5 => TransmitAudioCapability(AudioCapability),
        6 => ReceiveAndTransmitAudioCapability(AudioCapability),
        7 => ReceiveDataApplicationCapability(DataApplicationCapability),
        8 => TransmitDataApplicationCapability(DataApplicationCapability),
        9 => ReceiveAndTransmitDataApplicationCapability(DataApplicationCapability),
        10 => H233EncryptionTransmitCapability(Bool),
        11 => H233EncryptionReceiveCapability(H233EncryptionReceiveCapability),
    } {
        0 => ConferenceCapability(ConferenceCapability),
        2 => MaxPendingReplacementFor(Int<0, 255>),
        3 => ReceiveUserInputCapability(UserInputCapability),
        4 => TransmitUserInputCapability(UserInputCapability),
        5 => ReceiveAndTransmitUserInputCapability(UserInputCapability),
        /// H.239's control capability (0.0.8.239.1.1) and other generic control.
        6 => GenericControlCapability(GenericCapability),
        10 => ReceiveRtpAudioTelephonyEventCapability(AudioTelephonyEventCapability),
        11 => ReceiveRtpAudioToneCapability(AudioToneCapability),
    }
}
