//! The bridge decision between two negotiated legs, on [`MediaSpec`] alone: per stream,
//! pass-through (re-encrypt only, payload types mapped) when both legs speak the same codec,
//! transcode when they do not; DTMF as RFC 4733 across a pass-through, extracted otherwise.

use roomgate_media::relay::{DtmfConfig, LegConfig, StreamConfig, StreamKind, StreamMode};

use crate::codecs::same_codec;
use crate::media_spec::{MediaSpec, StreamRole, StreamSpec};
use roomgate_media::codec::AudioCodec;

/// Why the legs cannot be bridged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BridgeError {
    #[error("no common audio stream on the {0} leg")]
    NoAudio(&'static str),
    #[error("audio codec {0} cannot be transcoded")]
    Codec(String),
}

/// How audio crosses the bridge, for logs and the admin API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioPath {
    PassThrough,
    Transcode,
}

fn leg_config(s: &StreamSpec, codec: Option<(AudioCodec, u8)>, forward_dtmf: bool) -> LegConfig {
    let (srtp_in, srtp_out) = match &s.srtp {
        Some(k) => (Some(k.inbound.clone()), Some(k.outbound.clone())),
        None => (None, None),
    };
    // Every other codec of the leg the relay handles: the far end may switch to it.
    let alternates = s
        .codecs
        .iter()
        .filter_map(|c| Some((c.relay()?, c.payload_type)))
        .filter(|(c, pt)| codec.is_none_or(|(spoken, p)| *c != spoken && *pt != p))
        .collect();
    LegConfig {
        remote_rtp: s.remote_rtp,
        remote_rtcp: s.remote_rtcp,
        rtcp_mux: s.rtcp_mux,
        nat: true,
        srtp_in,
        srtp_out,
        pt_map: Vec::new(),
        codec,
        alternates,
        dtmf: s.telephone_event.map(|t| DtmfConfig {
            payload_type: t.payload_type,
            clock_rate: t.clock_rate,
            forward: forward_dtmf,
        }),
        rewrite: true,
        // Which far end asks for keyframes by signalling is the leg adapter's to say.
        control_by_signalling: false,
    }
}

/// The audio codec a leg speaks, with its payload type, when the relay handles it.
fn spoken(s: &StreamSpec, leg: &'static str) -> Result<(AudioCodec, u8), BridgeError> {
    let c = s.codec().ok_or(BridgeError::NoAudio(leg))?;
    c.relay()
        .map(|r| (r, c.payload_type))
        .ok_or_else(|| BridgeError::Codec(c.name.clone()))
}

/// The audio codecs the relay handles that both streams agreed, in `a`'s order, with their
/// payload types on `a` and on `b` (each codec once: the first payload type a leg gave it).
fn common_codecs(a: &StreamSpec, b: &StreamSpec) -> Vec<(AudioCodec, u8, u8)> {
    let mut out: Vec<(AudioCodec, u8, u8)> = Vec::new();
    for ca in &a.codecs {
        let Some(ra) = ca.relay() else { continue };
        if out.iter().any(|(x, ..)| same_codec(*x, ra)) {
            continue;
        }
        let on_b = b
            .codecs
            .iter()
            .find(|cb| cb.relay().is_some_and(|rb| same_codec(ra, rb)));
        if let Some(cb) = on_b {
            out.push((ra, ca.payload_type, cb.payload_type));
        }
    }
    out
}

/// The telephone-event payload types of two audio streams when their events can cross as
/// packets: both have telephone-event, at the same clock rate.
pub fn forwarded_events(a: &StreamSpec, b: &StreamSpec) -> Option<(u8, u8)> {
    match (a.telephone_event, b.telephone_event) {
        (Some(ta), Some(tb)) if ta.clock_rate == tb.clock_rate => {
            Some((ta.payload_type, tb.payload_type))
        }
        _ => None,
    }
}

/// Relay streams for a room leg (`a`) and an upstream leg (`b`). Audio must exist on both;
/// main video is bridged when both legs negotiated it.
pub fn bridge_streams(
    a: &MediaSpec,
    b: &MediaSpec,
) -> Result<(Vec<StreamConfig>, AudioPath), BridgeError> {
    let aa = a.audio().ok_or(BridgeError::NoAudio("room"))?;
    let ba = b.audio().ok_or(BridgeError::NoAudio("cloud"))?;
    let (ca, cb) = (spoken(aa, "room")?, spoken(ba, "cloud")?);
    // Every codec both legs agreed, with its payload type on each: either side may send any
    // codec of its answer at any time (RFC 3264 §6.1), so each one crosses mapped. Passing
    // through needs what each leg speaks first among them; otherwise the relay transcodes.
    let common = common_codecs(aa, ba);
    let shared = |c: AudioCodec| common.iter().any(|(x, ..)| same_codec(*x, c));
    let pass = shared(ca.0) && shared(cb.0);
    // DTMF crosses as RFC 4733 packets when both legs have telephone-event at the same
    // clock rate and the audio passes through; otherwise the relay extracts it and the call
    // sends it again at the other leg's rate (durations and timestamps count in the rate's
    // units, so a packet cannot cross between rates unchanged).
    let events = forwarded_events(aa, ba);
    let mut la = leg_config(aa, Some(ca), pass && events.is_some());
    let mut lb = leg_config(ba, Some(cb), pass && events.is_some());
    let mode = if pass {
        let mut map_a: Vec<(u8, u8)> = common.iter().map(|(_, pa, pb)| (*pa, *pb)).collect();
        let mut map_b: Vec<(u8, u8)> = common.iter().map(|(_, pa, pb)| (*pb, *pa)).collect();
        if let Some((ta, tb)) = events {
            map_a.push((ta, tb));
            map_b.push((tb, ta));
        }
        la.pt_map = map_a;
        lb.pt_map = map_b;
        StreamMode::PassThrough
    } else {
        StreamMode::Transcode
    };
    let mut streams = vec![StreamConfig {
        kind: StreamKind::Audio,
        mode,
        clock_rate: ca.0.rtp_clock(),
        a: la,
        b: lb,
    }];
    let (av, bv) = (
        a.stream(StreamRole::MainVideo),
        b.stream(StreamRole::MainVideo),
    );
    if let (Some(av), Some(bv)) = (av, bv) {
        if let (Some(pa), Some(pb)) = (av.codec(), bv.codec()) {
            let mut la = leg_config(av, None, false);
            let mut lb = leg_config(bv, None, false);
            la.dtmf = None;
            lb.dtmf = None;
            la.pt_map = vec![(pa.payload_type, pb.payload_type)];
            lb.pt_map = vec![(pb.payload_type, pa.payload_type)];
            streams.push(StreamConfig {
                kind: StreamKind::Video,
                mode: StreamMode::PassThrough,
                clock_rate: 90_000,
                a: la,
                b: lb,
            });
        }
    }
    let path = if pass {
        AudioPath::PassThrough
    } else {
        AudioPath::Transcode
    };
    Ok((streams, path))
}

/// Relay streams while only the room leg exists (PIN entry): the room's audio is decrypted
/// and its RFC 4733 events taken out (never forwarded: there is no other leg), and prompts
/// are encoded with its codec. Leg B stays blank; video, when reserved, keeps its ports.
pub fn pin_streams(room: &MediaSpec, video: bool) -> Result<Vec<StreamConfig>, BridgeError> {
    let a = room.audio().ok_or(BridgeError::NoAudio("room"))?;
    let codec = spoken(a, "room")?;
    let mut streams = vec![StreamConfig {
        kind: StreamKind::Audio,
        mode: StreamMode::PassThrough,
        clock_rate: codec.0.rtp_clock(),
        a: leg_config(a, Some(codec), false),
        b: LegConfig::default(),
    }];
    if video {
        streams.extend(
            reserve_streams(true)
                .into_iter()
                .filter(|s| s.kind == StreamKind::Video),
        );
    }
    Ok(streams)
}

/// Placeholder streams that only reserve ports (audio, and video when asked) until both
/// answers are in.
pub fn reserve_streams(video: bool) -> Vec<StreamConfig> {
    let blank = |kind, clock_rate| StreamConfig {
        kind,
        mode: StreamMode::PassThrough,
        clock_rate,
        a: LegConfig::default(),
        b: LegConfig::default(),
    };
    let mut v = vec![blank(StreamKind::Audio, 8000)];
    if video {
        v.push(blank(StreamKind::Video, 90_000));
    }
    v
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::media_spec::{Codec, SrtpKeys, StreamSpec, TelephoneEvent};
    use roomgate_media::srtp::{Policy, Suite};

    fn keys(suite: Suite, seed: u8) -> SrtpKeys {
        let key = vec![seed; suite.master_key_len()];
        let salt = vec![seed ^ 0x55; suite.master_salt_len()];
        let other = vec![seed.wrapping_add(1); suite.master_key_len()];
        SrtpKeys {
            inbound: Policy::new(suite, &key, &salt),
            outbound: Policy::new(suite, &other, &salt),
            suite,
        }
    }

    fn audio(codec: Codec, dtmf: Option<u8>, srtp: Option<SrtpKeys>) -> StreamSpec {
        let mut s = StreamSpec::new(StreamRole::Audio);
        s.codecs.push(codec);
        s.telephone_event = dtmf.map(|payload_type| TelephoneEvent {
            payload_type,
            clock_rate: 8000,
        });
        s.remote_rtp = Some("127.0.0.1:30000".parse().unwrap());
        s.srtp = srtp;
        s
    }

    fn video(pt: u8) -> StreamSpec {
        let mut s = StreamSpec::new(StreamRole::MainVideo);
        s.codecs.push(Codec::new("H264", 90000, 1, pt));
        s
    }

    #[test]
    fn different_codecs_transcode_each_leg_with_its_own_keys() {
        let room = MediaSpec {
            streams: vec![audio(
                Codec::new("opus", 48000, 2, 109),
                Some(101),
                Some(keys(Suite::AesCm128HmacSha1_80, 1)),
            )],
        };
        let cloud = MediaSpec {
            streams: vec![audio(
                Codec::new("PCMU", 8000, 1, 0),
                Some(96),
                Some(keys(Suite::AeadAes256Gcm, 9)),
            )],
        };
        let (streams, path) = bridge_streams(&room, &cloud).unwrap();
        assert_eq!(path, AudioPath::Transcode);
        assert_eq!(streams.len(), 1);
        let s = &streams[0];
        assert_eq!(s.mode, StreamMode::Transcode);
        assert_eq!(s.clock_rate, 48000);
        assert_eq!(
            s.a.srtp_in.as_ref().unwrap().suite,
            Suite::AesCm128HmacSha1_80
        );
        assert_eq!(s.b.srtp_out.as_ref().unwrap().suite, Suite::AeadAes256Gcm);
        assert!(matches!(s.a.codec, Some((AudioCodec::Opus { .. }, 109))));
        assert!(matches!(s.b.codec, Some((AudioCodec::Pcmu, 0))));
        // Transcoded: DTMF is extracted, never forwarded as packets.
        assert!(!s.a.dtmf.unwrap().forward && !s.b.dtmf.unwrap().forward);
    }

    #[test]
    fn same_codec_passes_through_with_payload_types_and_events_mapped() {
        let room = MediaSpec {
            streams: vec![
                audio(Codec::new("PCMA", 8000, 1, 8), Some(101), None),
                video(126),
            ],
        };
        let cloud = MediaSpec {
            streams: vec![
                audio(
                    Codec::new("pcma", 8000, 1, 8),
                    Some(96),
                    Some(keys(Suite::AeadAes256Gcm, 3)),
                ),
                video(97),
            ],
        };
        let (streams, path) = bridge_streams(&room, &cloud).unwrap();
        assert_eq!(path, AudioPath::PassThrough);
        assert_eq!(streams[0].a.pt_map, vec![(8, 8), (101, 96)]);
        assert_eq!(streams[0].b.pt_map, vec![(8, 8), (96, 101)]);
        assert!(streams[0].a.dtmf.unwrap().forward);
        assert!(streams[0].a.srtp_in.is_none() && streams[0].b.srtp_in.is_some());
        assert_eq!(streams[1].kind, StreamKind::Video);
        assert_eq!(streams[1].a.pt_map, vec![(126, 97)]);
        assert_eq!(streams[1].b.pt_map, vec![(97, 126)]);
    }

    #[test]
    fn legs_that_cannot_be_bridged_say_why() {
        let pcmu = MediaSpec {
            streams: vec![audio(Codec::new("PCMU", 8000, 1, 0), None, None)],
        };
        let g729 = MediaSpec {
            streams: vec![audio(Codec::new("G729", 8000, 1, 18), None, None)],
        };
        assert_eq!(
            bridge_streams(&MediaSpec::default(), &pcmu).unwrap_err(),
            BridgeError::NoAudio("room")
        );
        assert_eq!(
            bridge_streams(&pcmu, &MediaSpec::default()).unwrap_err(),
            BridgeError::NoAudio("cloud")
        );
        assert_eq!(
            bridge_streams(&pcmu, &g729).unwrap_err(),
            BridgeError::Codec("G729".into())
        );
        // Video on one leg only is not bridged.
        let with_video = MediaSpec {
            streams: vec![audio(Codec::new("PCMU", 8000, 1, 0), None, None), video(96)],
        };
        assert_eq!(bridge_streams(&with_video, &pcmu).unwrap().0.len(), 1);
    }

    #[test]
    fn pin_entry_relays_the_room_alone() {
        let room = MediaSpec {
            streams: vec![audio(Codec::new("G722", 8000, 1, 9), Some(101), None)],
        };
        let streams = pin_streams(&room, true).unwrap();
        assert_eq!(streams.len(), 2);
        assert!(matches!(streams[0].a.codec, Some((AudioCodec::G722, 9))));
        assert!(!streams[0].a.dtmf.unwrap().forward);
        assert!(streams[0].b.remote_rtp.is_none());
        assert_eq!(streams[1].kind, StreamKind::Video);
        assert_eq!(reserve_streams(false).len(), 1);
    }
}
