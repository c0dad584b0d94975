//! Main video between the legs: which H.264 formats we offer the upstream for a room's
//! offer, which format a leg agreed, and whether the two legs' video can pass through the
//! relay unchanged (RFC 6184 §8.2.2: same profile and packetization mode; we never
//! transcode video).

use roomgate_core::media_spec::{Codec, MediaSpec, StreamRole};
use roomgate_media::relay::StreamKind;
use roomgate_sip::sdp::h264::H264Params;
use roomgate_sip::sdp::offer_answer::LocalCodec;
use roomgate_sip::sdp::{MediaType, SessionDescription};

use super::{codec, stream_kind, video_codecs, AudioPath, BridgeError};

/// The H.264 parameters of a format (None: not H.264; Some(None): invalid parameters, a
/// format no other matches).
fn h264_of(c: &Codec) -> Option<Option<H264Params>> {
    if !c.name.eq_ignore_ascii_case("H264") {
        return None;
    }
    let params: Vec<String> = c
        .params
        .iter()
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    Some(H264Params::from_params(&params.join(";")))
}

/// Whether two formats of the same encoding carry the same stream: for H.264 the same
/// profile and packetization mode (a missing `profile-level-id` is the RFC 6184 default on
/// both sides), for anything else the encoding is enough.
pub(super) fn same_format(a: &Codec, b: &Codec) -> bool {
    match (h264_of(a), h264_of(b)) {
        (None, None) => true,
        (Some(Some(pa)), Some(Some(pb))) => pa.compatible(&pb),
        _ => false,
    }
}

/// The main video format a negotiated leg agreed to, as a codec of ours: what the other
/// leg may be answered with so that video passes through unchanged (RFC 6184 §8.2.2: same
/// profile and packetization mode on both legs). Empty when the leg has no video.
pub fn agreed_video(leg: &MediaSpec) -> Vec<LocalCodec> {
    let Some(c) = leg.stream(StreamRole::MainVideo).and_then(|s| s.codec()) else {
        return Vec::new();
    };
    let params: Vec<String> = c
        .params
        .iter()
        .map(|(k, v)| {
            if k.is_empty() {
                v.clone()
            } else {
                format!("{k}={v}")
            }
        })
        .collect();
    vec![codec(
        MediaType::Video,
        &c.name,
        c.clock_rate,
        None,
        (!params.is_empty()).then(|| params.join(";")).as_deref(),
        c.payload_type,
    )]
}

/// At most this many H.264 formats in our offer to the upstream: one per profile and
/// packetization mode the room offered (a hostile offer may list any number).
pub const MAX_OFFERED_VIDEO_FORMATS: usize = 6;

/// The dynamic payload types (RFC 3551 §3) a format of the room's gets in our offer when
/// its own is taken by another of our formats.
const DYNAMIC_PAYLOAD_TYPES: std::ops::RangeInclusive<u8> = 96..=127;

/// The H.264 formats of the room's first video section, `(payload type, parameters)` in
/// its order; a format with invalid parameters is left out (it can never pass), one without
/// `a=fmtp` is the RFC 6184 §8.1 default (Baseline, level 1, mode 0).
fn offered_h264(room: &SessionDescription) -> Vec<(u8, H264Params)> {
    room.media
        .iter()
        .filter(|m| m.port != 0 && stream_kind(m) == Some(StreamKind::Video))
        .take(1)
        .flat_map(|m| {
            m.formats.iter().filter_map(|f| {
                let pt = f.parse::<u8>().ok()?;
                let h264 = m
                    .rtpmap(pt)
                    .is_some_and(|r| r.encoding_name.eq_ignore_ascii_case("H264"));
                h264.then(|| H264Params::from_fmtp(m.fmtp(f)))?
                    .map(|p| (pt, p))
            })
        })
        .collect()
}

/// Our video codecs for an offer to the upstream when the room offered `room`: one H.264
/// format per profile and packetization mode the room offered, since only those can pass
/// through to it unchanged (RFC 6184 §8.2.2), each at no higher a level than the highest the
/// room offered in it, so the upstream never sends the room more than it said it can
/// receive. Ours by policy come first, in our preference, where the room offered their
/// profile and mode; then the room's other formats in its order, in its own profile. A room
/// that made no offer, or offered no usable H.264, gets ours by policy.
pub fn video_for_offer(room: Option<&SessionDescription>) -> Vec<LocalCodec> {
    video_for(room.map(offered_h264).unwrap_or_default())
}

/// [`video_for_offer`] for an H.323 room: the H.264 formats of its fastStart proposals
/// (`room`, its offer as media; none for a slow-start room, which gets ours by policy).
pub fn video_for_proposals(room: Option<&MediaSpec>) -> Vec<LocalCodec> {
    let offered = room
        .and_then(|m| m.stream(StreamRole::MainVideo))
        .map(|s| {
            s.codecs
                .iter()
                .filter_map(|c| Some((c.payload_type, h264_of(c)??)))
                .collect()
        })
        .unwrap_or_default();
    video_for(offered)
}

/// Our video codecs for the room's H.264 formats `offered` (see [`video_for_offer`]).
fn video_for(offered: Vec<(u8, H264Params)>) -> Vec<LocalCodec> {
    if offered.is_empty() {
        return video_codecs();
    }
    // The highest level the room offered in the profile and mode of `p`.
    let best = |p: &H264Params| {
        offered
            .iter()
            .filter(|(_, o)| o.compatible(p))
            .map(|(_, o)| o.profile_level_id)
            .max_by_key(|l| l.level_rank())
    };
    let mut out: Vec<(LocalCodec, H264Params)> = Vec::new();
    for mut c in video_codecs() {
        let Some(ours) = c.fmtp.as_deref().and_then(H264Params::from_params) else {
            continue;
        };
        let Some(b) = best(&ours) else { continue };
        if b.level_rank() < ours.profile_level_id.level_rank() {
            let lower = ours.profile_level_id.with_level_of(&b);
            c.fmtp = c
                .fmtp
                .map(|f| f.replace(&ours.profile_level_id.to_string(), &lower.to_string()));
        }
        out.push((c, ours));
    }
    for (pt, o) in &offered {
        if out.len() >= MAX_OFFERED_VIDEO_FORMATS {
            break;
        }
        if out.iter().any(|(_, p)| p.compatible(o)) {
            continue;
        }
        let taken = |pt: u8| out.iter().any(|(c, _)| c.payload_type == pt);
        let Some(pt) = std::iter::once(*pt)
            .chain(DYNAMIC_PAYLOAD_TYPES)
            .find(|pt| !taken(*pt))
        else {
            break;
        };
        let plid = best(o).unwrap_or(o.profile_level_id);
        let fmtp = format!(
            "profile-level-id={plid};packetization-mode={}",
            o.packetization_mode
        );
        out.push((
            codec(MediaType::Video, "H264", 90000, None, Some(&fmtp), pt),
            *o,
        ));
    }
    out.into_iter().map(|(c, _)| c).collect()
}

/// Our video codecs for the room (from [`video_for_offer`] or [`video_for_proposals`]) as
/// neutral codecs, for an H.323 upstream: the same pass-through rule whatever protocol the
/// upstream speaks.
pub fn neutral_codecs(codecs: Vec<LocalCodec>) -> Vec<Codec> {
    codecs
        .into_iter()
        .map(|c| {
            let mut out = Codec::new(&c.encoding_name, c.clock_rate, 1, c.payload_type);
            out.params = c
                .fmtp
                .iter()
                .flat_map(|f| f.split(';'))
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                .collect();
            out
        })
        .collect()
}

/// The H.264 parameters of a leg's main video, when it has H.264 (None when its
/// parameters are invalid: such a stream never passes).
fn video_params(leg: &MediaSpec) -> Option<Option<H264Params>> {
    let c = leg.stream(StreamRole::MainVideo)?.codec()?;
    Some(h264_of(c).flatten())
}

/// Whether the main video of two legs can pass through unchanged: the same codec, and for
/// H.264 the same profile and packetization mode (NAL units cross byte for byte; we never
/// transcode video).
pub fn video_compatible(a: &MediaSpec, b: &MediaSpec) -> bool {
    let (Some(ca), Some(cb)) = (
        a.stream(StreamRole::MainVideo).and_then(|s| s.codec()),
        b.stream(StreamRole::MainVideo).and_then(|s| s.codec()),
    ) else {
        return false;
    };
    if !ca.name.eq_ignore_ascii_case(&cb.name) || ca.clock_rate != cb.clock_rate {
        return false;
    }
    match (video_params(a), video_params(b)) {
        (Some(Some(pa)), Some(Some(pb))) => pa.compatible(&pb),
        // Not H.264 on either side: the same codec is all we can check.
        (Some(None), Some(None)) => !ca.name.eq_ignore_ascii_case("H264"),
        _ => false,
    }
}

/// Relay streams for the room leg and the upstream leg (see [`roomgate_core::bridge_streams`]);
/// main video only when [`video_compatible`]. Otherwise, while either leg has video, the
/// video stream stays blank (no destination either way: nothing crosses) rather than gone:
/// its ports were announced already, and an H.323 leg may still open video over H.245 once
/// the other leg agrees one, on the ports it was told.
pub fn bridge_streams(
    room: &MediaSpec,
    cloud: &MediaSpec,
) -> Result<(Vec<roomgate_media::relay::StreamConfig>, AudioPath), BridgeError> {
    if video_compatible(room, cloud) {
        return roomgate_core::bridge_streams(room, cloud);
    }
    let without_video = |m: &MediaSpec| {
        let mut m = m.clone();
        m.streams.retain(|s| s.role != StreamRole::MainVideo);
        m
    };
    let (mut streams, path) =
        roomgate_core::bridge_streams(&without_video(room), &without_video(cloud))?;
    if room.has(StreamRole::MainVideo) || cloud.has(StreamRole::MainVideo) {
        streams.extend(
            super::reserve_streams(true)
                .into_iter()
                .filter(|s| s.kind == StreamKind::Video),
        );
    }
    Ok((streams, path))
}
