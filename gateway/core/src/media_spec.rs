//! `MediaSpec`: the media of one leg in terms no protocol owns.
//!
//! A leg adapter fills it from its own description — SDP offer/answer for SIP, H.245
//! capabilities and logical channels for H.323 — and the call core and the bridge read only
//! this. A negotiated leg's spec has, per stream, the codecs in use (first one spoken), the far
//! end's addresses, and both SRTP directions or none: the SRTP rule (a stream signalled as
//! encrypted always has both contexts) is enforced by the adapter before a spec exists.

use std::net::SocketAddr;

use roomgate_media::codec::AudioCodec;
use roomgate_media::relay::StreamKind;
use roomgate_media::srtp::{Policy, Suite};

use crate::codecs::relay_codec;

/// What a stream carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StreamRole {
    Audio,
    MainVideo,
    /// The second video stream of content sharing (SDP `a=content:slides`, H.239
    /// presentation role).
    Content,
    /// The floor-control channel that governs content (BFCP; H.239 signalling on H.323).
    FloorControl,
}

impl StreamRole {
    /// The relay stream this role is carried on; `None` for floor control, which is
    /// signalling, not RTP.
    pub fn relay_kind(self) -> Option<StreamKind> {
        match self {
            StreamRole::Audio => Some(StreamKind::Audio),
            StreamRole::MainVideo => Some(StreamKind::Video),
            StreamRole::Content => Some(StreamKind::Content),
            StreamRole::FloorControl => None,
        }
    }
}

/// Which way media flows, as one side declares it (SDP direction attributes; on H.323 the
/// logical channels open in each direction, since H.245 opens one per direction).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    #[default]
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

impl Direction {
    /// The same flow seen from the other end.
    pub fn reversed(self) -> Direction {
        match self {
            Direction::SendOnly => Direction::RecvOnly,
            Direction::RecvOnly => Direction::SendOnly,
            other => other,
        }
    }

    /// Whether the declaring side sends.
    pub fn sends(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::SendOnly)
    }

    /// Whether the declaring side receives.
    pub fn receives(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::RecvOnly)
    }
}

/// One RTP payload format with its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Codec {
    /// Encoding name as the protocol spells it (`PCMU`, `opus`, `H264`).
    pub name: String,
    pub clock_rate: u32,
    pub channels: u16,
    /// The payload type this leg uses for it.
    pub payload_type: u8,
    /// Format parameters in order (H.264 `profile-level-id`, `packetization-mode`,
    /// `max-mbps`, `max-fs`; Opus `useinbandfec`, `stereo`, …).
    pub params: Vec<(String, String)>,
}

impl Codec {
    /// A codec without parameters.
    pub fn new(name: &str, clock_rate: u32, channels: u16, payload_type: u8) -> Codec {
        Codec {
            name: name.to_owned(),
            clock_rate,
            channels,
            payload_type,
            params: Vec::new(),
        }
    }

    /// The value of format parameter `key` (names compare case-insensitively).
    pub fn param(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }

    /// The relay's codec for it, when the relay can decode and encode it.
    pub fn relay(&self) -> Option<AudioCodec> {
        relay_codec(&self.name, self.clock_rate)
    }
}

/// RFC 4733 events, with their own clock rate (8000 with narrowband audio; some legs use the
/// audio codec's rate).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TelephoneEvent {
    pub payload_type: u8,
    pub clock_rate: u32,
}

/// Both SRTP directions of a stream. There is no one-way variant on purpose: a stream that
/// is encrypted is encrypted both ways (the SRTP rule).
#[derive(Debug, Clone)]
pub struct SrtpKeys {
    /// For what the far end sends.
    pub inbound: Policy,
    /// For what we send.
    pub outbound: Policy,
    pub suite: Suite,
}

/// One negotiated stream of a leg.
#[derive(Debug, Clone)]
pub struct StreamSpec {
    pub role: StreamRole,
    /// Stream label (SDP `a=label`, referenced by BFCP `floorid … mstrm:`).
    pub label: Option<String>,
    /// Direction as the far end declared it.
    pub direction: Direction,
    /// The formats in use, the one spoken first.
    pub codecs: Vec<Codec>,
    pub telephone_event: Option<TelephoneEvent>,
    /// Far end's RTP address; `None` when unknown or on hold with an unspecified address.
    pub remote_rtp: Option<SocketAddr>,
    pub remote_rtcp: Option<SocketAddr>,
    pub rtcp_mux: bool,
    /// `None`: plain RTP (only when nothing was signalled as encrypted).
    pub srtp: Option<SrtpKeys>,
    /// Application-specific bandwidth the far end asked for, in kbit/s.
    pub bandwidth_kbps: Option<u32>,
}

impl StreamSpec {
    /// A stream of `role` with nothing negotiated yet.
    pub fn new(role: StreamRole) -> StreamSpec {
        StreamSpec {
            role,
            label: None,
            direction: Direction::SendRecv,
            codecs: Vec::new(),
            telephone_event: None,
            remote_rtp: None,
            remote_rtcp: None,
            rtcp_mux: false,
            srtp: None,
            bandwidth_kbps: None,
        }
    }

    /// The codec spoken.
    pub fn codec(&self) -> Option<&Codec> {
        self.codecs.first()
    }
}

/// The media of one leg: at most one stream per role.
#[derive(Debug, Clone, Default)]
pub struct MediaSpec {
    pub streams: Vec<StreamSpec>,
}

impl MediaSpec {
    pub fn stream(&self, role: StreamRole) -> Option<&StreamSpec> {
        self.streams.iter().find(|s| s.role == role)
    }

    pub fn has(&self, role: StreamRole) -> bool {
        self.stream(role).is_some()
    }

    pub fn audio(&self) -> Option<&StreamSpec> {
        self.stream(StreamRole::Audio)
    }

    /// The relay codec of the audio stream, when it has one the relay handles.
    pub fn audio_codec(&self) -> Option<AudioCodec> {
        self.audio()?.codec()?.relay()
    }

    /// The SRTP suite of the audio stream (what operators see per leg).
    pub fn audio_suite(&self) -> Option<Suite> {
        self.audio()?.srtp.as_ref().map(|k| k.suite)
    }

    pub fn is_empty(&self) -> bool {
        self.streams.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directions_reverse_and_read() {
        assert_eq!(Direction::SendOnly.reversed(), Direction::RecvOnly);
        assert_eq!(Direction::Inactive.reversed(), Direction::Inactive);
        assert!(Direction::RecvOnly.receives() && !Direction::RecvOnly.sends());
        assert!(!Direction::Inactive.sends() && !Direction::Inactive.receives());
    }

    #[test]
    fn one_stream_per_role_and_its_codec() {
        let mut audio = StreamSpec::new(StreamRole::Audio);
        let mut opus = Codec::new("opus", 48000, 2, 111);
        opus.params.push(("useinbandfec".into(), "1".into()));
        audio.codecs.push(opus);
        let spec = MediaSpec {
            streams: vec![audio, StreamSpec::new(StreamRole::Content)],
        };
        assert!(spec.has(StreamRole::Content) && !spec.has(StreamRole::MainVideo));
        assert_eq!(
            spec.audio()
                .and_then(|a| a.codec())
                .and_then(|c| c.param("UseInbandFEC")),
            Some("1")
        );
        assert!(matches!(spec.audio_codec(), Some(AudioCodec::Opus { .. })));
        assert_eq!(spec.audio_suite(), None);
        assert_eq!(StreamRole::FloorControl.relay_kind(), None);
    }
}
