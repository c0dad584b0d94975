//! What the application configures: sessions, streams, legs and the relay itself.

use std::net::SocketAddr;
use std::time::Duration;

use crate::codec::{AudioCodec, CodecError};
use crate::srtp::{Policy, SrtpConfigError};

use super::{rtcp_term, StreamKind};

/// Forwarding mode of a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamMode {
    /// Re-encrypt only; headers rewritten per [`LegConfig::rewrite`] and PT mapping.
    PassThrough,
    /// Audio: decode with the input leg's [`LegConfig::codec`], resample, encode with the
    /// output leg's, in 20 ms output packets whatever the input packet duration (frames
    /// beyond the first of a long input packet come out of [`Relay::poll_transmit`](super::Relay::poll_transmit)).
    Transcode,
}

/// RFC 4733 extraction on a leg.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DtmfConfig {
    /// telephone-event payload type on this leg.
    pub payload_type: u8,
    /// Its clock rate.
    pub clock_rate: u32,
    /// Still forward the packets (pass-through streams only; mapped by
    /// [`LegConfig::pt_map`]); else swallowed.
    pub forward: bool,
}

/// One leg of one stream, as negotiated. `Default` is a plain, unsignalled leg that
/// rewrites headers (our own SSRC per leg is the safe choice: the far ends never see each
/// other's SSRCs and re-latching cannot create an SSRC jump).
#[derive(Debug, Clone)]
pub struct LegConfig {
    /// Signalled RTP address of the far end (None until known).
    pub remote_rtp: Option<SocketAddr>,
    /// Signalled RTCP address (default: RTP port + 1, or the RTP address with mux).
    pub remote_rtcp: Option<SocketAddr>,
    /// RTP/RTCP on one port (RFC 5761), when both sides offered it.
    pub rtcp_mux: bool,
    /// Far end may be behind a NAT: latch to the first source within
    /// [`latch::NAT_WINDOW`](super::latch::NAT_WINDOW) (plain legs; SRTP legs latch on authentication anyway).
    pub nat: bool,
    /// SRTP policy for packets from the far end (None = plain RTP).
    pub srtp_in: Option<Policy>,
    /// SRTP policy for packets to the far end.
    pub srtp_out: Option<Policy>,
    /// `(pt received on this leg, pt to send on the other leg)`; empty = every PT unchanged.
    pub pt_map: Vec<(u8, u8)>,
    /// The audio codec spoken on this leg and its PT (transcoding and PCM prompts).
    pub codec: Option<(AudioCodec, u8)>,
    /// The other codecs this leg agreed, with their PTs: the far end may switch to any of
    /// them at any time (RFC 3264 §6.1), and a transcoded stream decodes them too rather
    /// than drop them. At most [`MAX_ALTERNATES`] are kept.
    pub alternates: Vec<(AudioCodec, u8)>,
    /// RFC 4733 extraction.
    pub dtmf: Option<DtmfConfig>,
    /// Send with our own SSRC and continuous seq/ts (true), or pass headers unchanged.
    pub rewrite: bool,
    /// This leg's far end takes keyframe requests and bitrate limits in its signalling (an
    /// H.323 endpoint's videoFastUpdatePicture and FlowControlCommand), not as RTCP feedback:
    /// a PLI or FIR from the other leg on a pass-through stream becomes
    /// [`Event::KeyframeNeeded`](super::Event::KeyframeNeeded) instead of a PLI toward it,
    /// and a TMMBR or REMB [`Event::BitrateLimit`](super::Event::BitrateLimit).
    pub control_by_signalling: bool,
}

impl Default for LegConfig {
    fn default() -> Self {
        Self {
            remote_rtp: None,
            remote_rtcp: None,
            rtcp_mux: false,
            nat: false,
            srtp_in: None,
            srtp_out: None,
            pt_map: Vec::new(),
            codec: None,
            alternates: Vec::new(),
            dtmf: None,
            rewrite: true,
            control_by_signalling: false,
        }
    }
}

/// Alternate codecs a leg keeps (an SDP lists a handful of audio codecs; more is noise).
pub const MAX_ALTERNATES: usize = 8;

/// One stream of a session.
#[derive(Debug, Clone)]
pub struct StreamConfig {
    /// Which stream.
    pub kind: StreamKind,
    /// Pass-through or transcode.
    pub mode: StreamMode,
    /// RTP clock of the pass-through stream (jitter and SR timestamps); transcoded legs
    /// use their codec's clock for timestamps.
    pub clock_rate: u32,
    /// Leg A.
    pub a: LegConfig,
    /// Leg B.
    pub b: LegConfig,
}

/// A new offer/answer for one leg of one stream.
#[derive(Debug, Clone, Default)]
pub struct LegUpdate {
    /// New signalled RTP address.
    pub remote_rtp: Option<SocketAddr>,
    /// New signalled RTCP address.
    pub remote_rtcp: Option<SocketAddr>,
    /// New inbound key (None = plain).
    pub srtp_in: Option<Policy>,
    /// New outbound key (None = plain).
    pub srtp_out: Option<Policy>,
}

/// Relay-wide settings.
#[derive(Debug, Clone)]
pub struct RelayConfig {
    /// First port of the pool (rounded up to even).
    pub port_min: u16,
    /// Last port of the pool.
    pub port_max: u16,
    /// Sessions allowed at once (each also needs its port pairs).
    pub max_sessions: usize,
    /// Silence after which [`Event::Inactive`](super::Event::Inactive) is reported.
    pub inactivity_timeout: Duration,
    /// Deterministic RTCP report interval T per leg (RFC 3550 §6.2 minimum); each actual
    /// interval is randomised around it (see [`rtcp_term::report_delay`]).
    pub report_interval: Duration,
    /// Seed of everything random we send: SSRCs, the initial sequence numbers and timestamps
    /// of our streams, and the RTCP interval jitter (the core has no randomness of its own:
    /// sans-IO). The driver gives it a real random value: a constant seed makes every
    /// restart reuse the same numbers.
    pub ssrc_seed: u64,
    /// Wall-clock NTP time (32.32) at the `now` given to [`Relay::new`](super::Relay::new):
    /// the anchor every SR's NTP timestamp is derived from. The driver sets it with
    /// [`rtcp_term::ntp_from_system_time`] of `SystemTime::now()` read together with that
    /// `Instant`; the default (1970) is only for tests.
    pub ntp_at_start: u64,
    /// RTCP CNAME of the relay.
    pub cname: String,
    /// Which of `shards` relay cores this is: session ids are handed out so that
    /// `(id - 1) % shards == shard` ([`SessionId::shard`](super::SessionId::shard)), and
    /// whoever holds an id finds the core that owns it without asking any of them.
    pub shard: u32,
    /// Relay cores sharing the id space (at least 1).
    pub shards: u32,
}

impl Default for RelayConfig {
    fn default() -> Self {
        Self {
            port_min: 40000,
            port_max: 40999,
            max_sessions: 250,
            inactivity_timeout: Duration::from_secs(30),
            report_interval: rtcp_term::REPORT_INTERVAL,
            ssrc_seed: 0x005e_ed0f_7e1a_u64,
            ntp_at_start: rtcp_term::NTP_UNIX_OFFSET << 32,
            cname: "roomgate".into(),
            shard: 0,
            shards: 1,
        }
    }
}

/// Configuration or call misuse.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RelayError {
    /// [`RelayConfig::max_sessions`] reached.
    #[error("session limit reached")]
    TooManySessions,
    /// The port pool is empty.
    #[error("no free port pair")]
    PortsExhausted,
    /// No such session.
    #[error("unknown session")]
    UnknownSession,
    /// The session has no such stream.
    #[error("unknown stream")]
    UnknownStream,
    /// Two streams of one kind in a session.
    #[error("stream configured twice")]
    DuplicateStream,
    /// An SRTP policy was refused.
    #[error(transparent)]
    Srtp(#[from] SrtpConfigError),
    /// A codec could not be created or failed.
    #[error(transparent)]
    Codec(#[from] CodecError),
    /// Transcoding or PCM playback on a leg with no [`LegConfig::codec`].
    #[error("no codec configured on the leg")]
    NoCodec,
    /// The leg has no address to send to.
    #[error("no destination")]
    NoDestination,
    /// The buffer cannot hold the packet.
    #[error("buffer too small")]
    BufferTooSmall,
    /// [`MAX_QUEUED_EVENTS`](super::MAX_QUEUED_EVENTS) events already wait on the leg.
    #[error("too many events queued on the leg")]
    EventQueueFull,
    /// The relay worker's job queue stayed full (or the worker stopped): refused rather
    /// than stall signalling.
    #[error("relay worker overloaded")]
    Overloaded,
}

/// A frame for [`Relay::play`](super::Relay::play).
#[derive(Debug, Clone, Copy)]
pub enum PlayFrame<'a> {
    /// Already encoded payload, its PT and its duration in RTP units.
    Encoded {
        /// Payload type.
        payload_type: u8,
        /// Payload.
        payload: &'a [u8],
        /// Duration in RTP clock units.
        samples: u32,
    },
    /// PCM at the leg codec's `pcm_rate`, interleaved; encoded with the leg's codec.
    Pcm(&'a [i16]),
    /// One RFC 4733 event packet. `start` begins the event at the leg's next timestamp
    /// (marker set); the event's later packets (updates, end) keep that timestamp, as RFC
    /// 4733 §2.5.1.2 wants. Sent at once: the caller paces the packets, or uses
    /// [`Relay::send_event`](super::Relay::send_event), which does.
    Event {
        /// telephone-event payload type on this leg.
        payload_type: u8,
        /// The 4-byte event payload.
        payload: &'a [u8],
        /// First packet of the event.
        start: bool,
    },
}

/// Local ports of one leg of one stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalPorts {
    /// RTP (and RTCP with mux).
    pub rtp: u16,
    /// RTCP, None with mux.
    pub rtcp: Option<u16>,
}
