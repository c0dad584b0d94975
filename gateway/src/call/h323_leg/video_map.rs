//! H.264 main video between H.245 and the neutral [`Codec`]: the H.241 generic capability
//! (profile, level, constraint flags, custom max-mbps and max-fs) and the packetization mode
//! a channel names, read into the SDP parameters of RFC 6184 and written back from them, so
//! that the bridge compares an H.323 leg's video with a SIP leg's in one vocabulary and passes
//! it through only when both carry the same profile and packetization mode. We never
//! transcode video: a format that does not map is refused, never approximated.

use roomgate_core::media_spec::Codec;
use roomgate_h323::h245::{
    h264, oid, standard_oid, GenericCapability, GenericParameter, H2250LogicalChannelParameters,
    MediaPacketization, ParameterValue, PayloadDescriptor, RtpPayloadType, VideoCapability,
};
use roomgate_h323::per::PerError;
use roomgate_sip::sdp::h264::{H264Params, ProfileLevelId};

/// RTP session id H.225.0 gives main video.
pub const VIDEO_SESSION: u32 = 2;

/// The payload type an H.264 channel uses when it names none (H.264 has no static one;
/// RFC 3551's first dynamic value).
pub const DEFAULT_VIDEO_PT: u8 = 96;

/// The maxBitRate we announce for H.264, in H.245's units of 100 bit/s (2 Mbit/s: a room
/// system's main video at 720p30; the relay does not look at the rate).
pub const MAX_BIT_RATE_100BPS: u32 = 20_480;

/// Most packetization modes read from one capability set's mediaPacketizationCapability.
const MAX_MODES: usize = 3;

/// Most H.264 formats read from one capability set (one per profile and mode is all that
/// can differ for pass-through; a hostile set may list any number).
pub const MAX_VIDEO_FORMATS: usize = 8;

/// H.241's profile bits and the profile_idc each stands for.
const PROFILES: [(u8, u8); 4] = [(64, 0x42), (32, 0x4d), (16, 0x58), (8, 0x64)];

/// H.241's level values and the level_idc of each (level 1b, 19, is level_idc 11 with
/// constraint_set3 in the Baseline family, as RFC 6184 writes it).
const LEVELS: [(u16, u8); 16] = [
    (15, 10),
    (19, 11),
    (22, 11),
    (29, 12),
    (36, 13),
    (43, 20),
    (50, 21),
    (57, 22),
    (64, 30),
    (71, 31),
    (78, 32),
    (85, 40),
    (92, 41),
    (99, 42),
    (106, 50),
    (113, 51),
];

/// constraint_set3_flag: with level_idc 11 in the Baseline family it spells level 1b.
const SET3: u8 = 0x10;

/// H.241 counts custom max-mbps in units of 500 macroblocks per second and max-fs in units
/// of 256 macroblocks; RFC 6184 counts both in macroblocks.
const MBPS_UNIT: u32 = 500;
const FS_UNIT: u32 = 256;

fn unsigned(v: &ParameterValue) -> Option<u32> {
    match v {
        ParameterValue::UnsignedMin(n) | ParameterValue::UnsignedMax(n) => Some(u32::from(*n)),
        ParameterValue::Unsigned32Min(n) | ParameterValue::Unsigned32Max(n) => Some(*n),
        _ => None,
    }
}

/// The H.264 formats a generic video capability describes, one per profile it sets, with
/// packetization `mode` and payload type `pt`: `None` when it is not H.264 or its level is
/// not one of H.241's.
pub fn h264_codecs(cap: &GenericCapability, mode: u8, pt: u8) -> Option<Vec<Codec>> {
    if !cap.capability_identifier.is_standard(oid::H264) {
        return None;
    }
    let Some(ParameterValue::BooleanArray(bits)) = cap.parameter(h264::PROFILE) else {
        return None;
    };
    let h241_level = cap.parameter(h264::LEVEL).and_then(unsigned)?;
    let &(_, level) = LEVELS.iter().find(|(l, _)| u32::from(*l) == h241_level)?;
    let mut iop = match cap.parameter(h264::PROFILE_IOP) {
        Some(ParameterValue::BooleanArray(b)) => *b,
        _ => 0,
    };
    if h241_level == 19 {
        iop |= SET3;
    }
    let mut extra = Vec::new();
    if let Some(n) = cap.parameter(h264::CUSTOM_MAX_MBPS).and_then(unsigned) {
        extra.push((
            "max-mbps".to_owned(),
            (n.saturating_mul(MBPS_UNIT)).to_string(),
        ));
    }
    if let Some(n) = cap.parameter(h264::CUSTOM_MAX_FS).and_then(unsigned) {
        extra.push(("max-fs".to_owned(), (n.saturating_mul(FS_UNIT)).to_string()));
    }
    let out: Vec<Codec> = PROFILES
        .iter()
        .filter(|(bit, _)| bits & bit != 0)
        .map(|&(_, idc)| {
            let plid = ProfileLevelId { idc, iop, level };
            let mut c = Codec::new("H264", 90000, 1, pt);
            c.params = vec![
                ("profile-level-id".to_owned(), plid.to_string()),
                ("packetization-mode".to_owned(), mode.to_string()),
            ];
            c.params.extend(extra.iter().cloned());
            c
        })
        .collect();
    (!out.is_empty()).then_some(out)
}

/// The RFC 6184 parameters of an H.264 codec (None: not H.264, or invalid parameters).
pub fn h264_params(c: &Codec) -> Option<H264Params> {
    if !c.name.eq_ignore_ascii_case("H264") || c.clock_rate != 90000 {
        return None;
    }
    let params: Vec<String> = c
        .params
        .iter()
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    H264Params::from_params(&params.join(";"))
}

/// Whether two H.264 formats carry the same stream (RFC 6184 §8.2.2: same profile and
/// packetization mode; levels may differ).
pub fn same_format(a: &Codec, b: &Codec) -> bool {
    match (h264_params(a), h264_params(b)) {
        (Some(pa), Some(pb)) => pa.compatible(&pb),
        _ => false,
    }
}

/// The H.241 capability announcing an H.264 codec; None when its profile or level has no
/// H.241 value (then the format is not offered on H.323 at all).
pub fn h264_capability(c: &Codec) -> Result<Option<VideoCapability>, PerError> {
    let Some(p) = h264_params(c) else {
        return Ok(None);
    };
    let plid = p.profile_level_id;
    let Some(&(bit, _)) = PROFILES.iter().find(|(_, idc)| *idc == plid.idc) else {
        return Ok(None);
    };
    let baseline_family = matches!(plid.idc, 0x42 | 0x4d | 0x58);
    let level_1b = plid.level == 9 || (plid.level == 11 && plid.iop & SET3 != 0 && baseline_family);
    let h241_level = if level_1b {
        Some(19)
    } else {
        LEVELS
            .iter()
            .find(|(l, idc)| *idc == plid.level && *l != 19)
            .map(|(l, _)| *l)
    };
    let Some(h241_level) = h241_level else {
        return Ok(None);
    };
    let mut params = vec![
        GenericParameter::standard(h264::PROFILE, ParameterValue::BooleanArray(bit)),
        GenericParameter::standard(h264::LEVEL, ParameterValue::UnsignedMin(h241_level)),
    ];
    let iop = if level_1b { plid.iop & !SET3 } else { plid.iop };
    if iop != 0 {
        params.push(GenericParameter::standard(
            h264::PROFILE_IOP,
            ParameterValue::BooleanArray(iop),
        ));
    }
    let units = |key: &str, unit: u32| {
        c.param(key)
            .and_then(|v| v.trim().parse::<u32>().ok())
            .map(|v| u16::try_from(v / unit).unwrap_or(u16::MAX))
            .filter(|v| *v > 0)
    };
    if let Some(n) = units("max-mbps", MBPS_UNIT) {
        params.push(GenericParameter::standard(
            h264::CUSTOM_MAX_MBPS,
            ParameterValue::UnsignedMin(n),
        ));
    }
    if let Some(n) = units("max-fs", FS_UNIT) {
        params.push(GenericParameter::standard(
            h264::CUSTOM_MAX_FS,
            ParameterValue::UnsignedMin(n),
        ));
    }
    Ok(Some(VideoCapability::GenericVideoCapability(
        GenericCapability::standard(oid::H264, Some(MAX_BIT_RATE_100BPS), params)?,
    )))
}

/// The packetization mode a payload descriptor names: H.241's OIDs, or RFC 3984/6184 by
/// number (non-interleaved, what such endpoints send). None for anything else.
pub fn mode_of_descriptor(d: &PayloadDescriptor) -> Option<u8> {
    match d {
        PayloadDescriptor::Oid(o) => {
            let arcs = o.arcs();
            let (prefix, last) = arcs.split_at_checked(oid::H264_PACKETIZATION.len())?;
            match (prefix == oid::H264_PACKETIZATION, last) {
                (true, [m @ 0..=2]) => u8::try_from(*m).ok(),
                _ => None,
            }
        }
        PayloadDescriptor::RfcNumber(3984 | 6184) => Some(1),
        _ => None,
    }
}

/// The packetization mode of an H.264 channel: what its mediaPacketization names, single
/// NAL unit (H.241 Annex A) when it names none; None when it names something we cannot
/// read (the channel is refused).
pub fn mode_of(p: &H2250LogicalChannelParameters) -> Option<u8> {
    match &p.media_packetization {
        None => Some(0),
        Some(MediaPacketization::RtpPayloadType(r)) => mode_of_descriptor(&r.payload_descriptor),
        Some(_) => None,
    }
}

/// The dynamic payload type a channel names (dynamicRTPPayloadType, else its
/// mediaPacketization's).
pub fn payload_type_of(p: &H2250LogicalChannelParameters) -> u8 {
    let from_packetization = match &p.media_packetization {
        Some(MediaPacketization::RtpPayloadType(r)) => r.payload_type,
        _ => None,
    };
    p.dynamic_rtp_payload_type
        .or(from_packetization)
        .and_then(|pt| u8::try_from(pt).ok())
        .filter(|pt| (96..=127).contains(pt))
        .unwrap_or(DEFAULT_VIDEO_PT)
}

/// The payload descriptor naming packetization `mode` (H.241 §8.3.2).
pub fn descriptor(mode: u8) -> Result<RtpPayloadType, PerError> {
    let mut arcs = oid::H264_PACKETIZATION.to_vec();
    arcs.push(u64::from(mode));
    Ok(RtpPayloadType {
        payload_descriptor: PayloadDescriptor::Oid(standard_oid(&arcs)?),
        payload_type: None,
        extensions: Default::default(),
    })
}

/// Fills an H.264 channel's payload type and packetization from `codec`.
pub fn set_payload(p: &mut H2250LogicalChannelParameters, codec: &Codec) -> Result<(), PerError> {
    let mode = h264_params(codec).map_or(0, |p| p.packetization_mode);
    let pt = if (96..=127).contains(&codec.payload_type) {
        codec.payload_type
    } else {
        DEFAULT_VIDEO_PT
    };
    p.dynamic_rtp_payload_type = Some(u32::from(pt));
    let mut r = descriptor(mode)?;
    r.payload_type = Some(u32::from(pt));
    p.media_packetization = Some(MediaPacketization::RtpPayloadType(r));
    Ok(())
}

/// The H.264 format of a video channel's data type with its parameters; None for other
/// video or parameters we cannot read.
pub fn channel_codec(cap: &VideoCapability, p: &H2250LogicalChannelParameters) -> Option<Codec> {
    let VideoCapability::GenericVideoCapability(g) = cap else {
        return None;
    };
    h264_codecs(g, mode_of(p)?, payload_type_of(p))?
        .into_iter()
        .next()
}

/// The modes a capability set's mediaPacketizationCapability announces (single NAL unit
/// when it announces none, as H.241 says for a terminal that does not signal one).
pub fn announced_modes(descriptors: Option<&[RtpPayloadType]>) -> Vec<u8> {
    let mut modes: Vec<u8> = descriptors
        .unwrap_or_default()
        .iter()
        .filter_map(|r| mode_of_descriptor(&r.payload_descriptor))
        .take(MAX_MODES)
        .collect();
    modes.dedup();
    if modes.is_empty() {
        modes.push(0);
    }
    modes
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn codec(params: &str, pt: u8) -> Codec {
        let mut c = Codec::new("H264", 90000, 1, pt);
        c.params = params
            .split(';')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        c
    }

    fn generic(cap: VideoCapability) -> GenericCapability {
        match cap {
            VideoCapability::GenericVideoCapability(g) => g,
            other => panic!("not generic: {other:?}"),
        }
    }

    #[test]
    fn constrained_baseline_round_trips_through_h241() {
        let c = codec(
            "profile-level-id=42e01f;packetization-mode=1;max-mbps=108000;max-fs=3600",
            97,
        );
        let g = generic(h264_capability(&c).unwrap().unwrap());
        assert_eq!(
            g.parameter(h264::PROFILE),
            Some(&ParameterValue::BooleanArray(64))
        );
        assert_eq!(
            g.parameter(h264::LEVEL),
            Some(&ParameterValue::UnsignedMin(71))
        );
        assert_eq!(
            g.parameter(h264::PROFILE_IOP),
            Some(&ParameterValue::BooleanArray(0xe0))
        );
        assert_eq!(
            g.parameter(h264::CUSTOM_MAX_MBPS),
            Some(&ParameterValue::UnsignedMin(216))
        );
        assert_eq!(
            g.parameter(h264::CUSTOM_MAX_FS),
            Some(&ParameterValue::UnsignedMin(14))
        );
        let back = h264_codecs(&g, 1, 97).unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].param("profile-level-id"), Some("42e01f"));
        assert_eq!(back[0].param("packetization-mode"), Some("1"));
        assert_eq!(back[0].param("max-mbps"), Some("108000"));
        // 3600 macroblocks round down to 14 units of 256: never more than announced.
        assert_eq!(back[0].param("max-fs"), Some("3584"));
        assert!(same_format(&c, &back[0]));
    }

    #[test]
    fn level_1b_and_main_profile() {
        let c = codec("profile-level-id=42f00b;packetization-mode=0", 96);
        let g = generic(h264_capability(&c).unwrap().unwrap());
        assert_eq!(
            g.parameter(h264::LEVEL),
            Some(&ParameterValue::UnsignedMin(19))
        );
        let back = h264_codecs(&g, 0, 96).unwrap();
        assert_eq!(back[0].param("profile-level-id"), Some("42f00b"));
        let main = codec("profile-level-id=4d0028;packetization-mode=1", 96);
        let g = generic(h264_capability(&main).unwrap().unwrap());
        assert_eq!(
            g.parameter(h264::PROFILE),
            Some(&ParameterValue::BooleanArray(32))
        );
        assert_eq!(g.parameter(h264::PROFILE_IOP), None);
        assert_eq!(
            h264_codecs(&g, 1, 96).unwrap()[0].param("profile-level-id"),
            Some("4d0028")
        );
    }

    #[test]
    fn formats_without_an_h241_value_are_not_announced() {
        // High 10 and a level H.241 does not list.
        assert!(h264_capability(&codec("profile-level-id=6e001f", 96))
            .unwrap()
            .is_none());
        assert!(h264_capability(&codec("profile-level-id=42e017", 96))
            .unwrap()
            .is_none());
        assert!(h264_capability(&Codec::new("VP8", 90000, 1, 96))
            .unwrap()
            .is_none());
    }

    #[test]
    fn unknown_levels_and_other_capabilities_are_not_h264() {
        let g = GenericCapability::standard(
            oid::H264,
            None,
            vec![
                GenericParameter::standard(h264::PROFILE, ParameterValue::BooleanArray(64)),
                GenericParameter::standard(h264::LEVEL, ParameterValue::UnsignedMin(70)),
            ],
        )
        .unwrap();
        assert!(h264_codecs(&g, 0, 96).is_none());
        let g = GenericCapability::standard(oid::G7221, None, vec![]).unwrap();
        assert!(h264_codecs(&g, 0, 96).is_none());
    }

    #[test]
    fn packetization_modes_by_oid_and_rfc_number() {
        for mode in 0..=2u8 {
            let d = descriptor(mode).unwrap();
            assert_eq!(mode_of_descriptor(&d.payload_descriptor), Some(mode));
        }
        assert_eq!(
            mode_of_descriptor(&PayloadDescriptor::RfcNumber(3984)),
            Some(1)
        );
        assert_eq!(
            mode_of_descriptor(&PayloadDescriptor::RfcNumber(2190)),
            None
        );
        let other = PayloadDescriptor::Oid(standard_oid(&[0, 0, 8, 241, 0, 0, 0, 3]).unwrap());
        assert_eq!(mode_of_descriptor(&other), None);
        assert_eq!(announced_modes(None), vec![0]);
    }
}
