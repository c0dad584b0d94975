//! Counters returned by the relay core, never logged from it (ARCHITECTURE.md "Conventions":
//! libraries return statistics instead of logging them).

use std::net::SocketAddr;
use std::time::Duration;

/// Why a datagram was not forwarded. Each has a counter in [`DropCounters`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DropReason {
    /// Arrived on a port no session owns.
    UnknownPort,
    /// Source is not the latched (or signalled / NAT-window) address.
    NotLatchedSource,
    /// SRTP/SRTCP authentication failed.
    SrtpAuth,
    /// SRTP/SRTCP replay or older than the window.
    Replay,
    /// Other SRTP refusals (too short, MKI mismatch, SSRC limit, index exhausted, key
    /// lifetime used up).
    SrtpOther,
    /// Not a valid RTP packet.
    MalformedRtp,
    /// RTCP compound did not parse.
    RtcpParse,
    /// Payload type not in the leg's mapping.
    UnknownPayloadType,
    /// Session paused or marked inactive.
    InactiveSession,
    /// The caller's buffer cannot hold the packet plus SRTP overhead.
    BufferTooSmall,
    /// The other leg has no address to send to yet.
    NoDestination,
    /// Decoding or encoding failed on a transcoded stream.
    TranscodeError,
}

/// Drop counters, one per [`DropReason`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DropCounters {
    /// [`DropReason::UnknownPort`].
    pub unknown_port: u64,
    /// [`DropReason::NotLatchedSource`].
    pub not_latched_source: u64,
    /// [`DropReason::SrtpAuth`].
    pub srtp_auth: u64,
    /// [`DropReason::Replay`].
    pub replay: u64,
    /// [`DropReason::SrtpOther`].
    pub srtp_other: u64,
    /// [`DropReason::MalformedRtp`].
    pub malformed_rtp: u64,
    /// [`DropReason::RtcpParse`].
    pub rtcp_parse: u64,
    /// [`DropReason::UnknownPayloadType`].
    pub unknown_payload_type: u64,
    /// [`DropReason::InactiveSession`].
    pub inactive_session: u64,
    /// [`DropReason::BufferTooSmall`].
    pub buffer_too_small: u64,
    /// [`DropReason::NoDestination`].
    pub no_destination: u64,
    /// [`DropReason::TranscodeError`].
    pub transcode_error: u64,
}

impl DropCounters {
    /// Counts one drop.
    pub fn count(&mut self, r: DropReason) {
        let c = match r {
            DropReason::UnknownPort => &mut self.unknown_port,
            DropReason::NotLatchedSource => &mut self.not_latched_source,
            DropReason::SrtpAuth => &mut self.srtp_auth,
            DropReason::Replay => &mut self.replay,
            DropReason::SrtpOther => &mut self.srtp_other,
            DropReason::MalformedRtp => &mut self.malformed_rtp,
            DropReason::RtcpParse => &mut self.rtcp_parse,
            DropReason::UnknownPayloadType => &mut self.unknown_payload_type,
            DropReason::InactiveSession => &mut self.inactive_session,
            DropReason::BufferTooSmall => &mut self.buffer_too_small,
            DropReason::NoDestination => &mut self.no_destination,
            DropReason::TranscodeError => &mut self.transcode_error,
        };
        *c = c.saturating_add(1);
    }

    /// Both sets of counters added (counters of several relay cores).
    pub fn merged(&self, o: &Self) -> Self {
        Self {
            unknown_port: self.unknown_port + o.unknown_port,
            not_latched_source: self.not_latched_source + o.not_latched_source,
            srtp_auth: self.srtp_auth + o.srtp_auth,
            replay: self.replay + o.replay,
            srtp_other: self.srtp_other + o.srtp_other,
            malformed_rtp: self.malformed_rtp + o.malformed_rtp,
            rtcp_parse: self.rtcp_parse + o.rtcp_parse,
            unknown_payload_type: self.unknown_payload_type + o.unknown_payload_type,
            inactive_session: self.inactive_session + o.inactive_session,
            buffer_too_small: self.buffer_too_small + o.buffer_too_small,
            no_destination: self.no_destination + o.no_destination,
            transcode_error: self.transcode_error + o.transcode_error,
        }
    }

    /// Sum of all drops.
    pub fn total(&self) -> u64 {
        self.unknown_port
            + self.not_latched_source
            + self.srtp_auth
            + self.replay
            + self.srtp_other
            + self.malformed_rtp
            + self.rtcp_parse
            + self.unknown_payload_type
            + self.inactive_session
            + self.buffer_too_small
            + self.no_destination
            + self.transcode_error
    }
}

/// Relay-wide counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RelayStats {
    /// Datagrams handed to the core.
    pub datagrams_in: u64,
    /// RTP packets forwarded (pass-through or transcoded).
    pub rtp_forwarded: u64,
    /// RTCP compounds terminated (consumed, not forwarded).
    pub rtcp_terminated: u64,
    /// RTCP feedback packets generated toward a leg (PLI forwarding).
    pub feedback_sent: u64,
    /// SR/RR compounds generated.
    pub reports_sent: u64,
    /// Packets generated by `play`.
    pub played: u64,
    /// Telephone-event packets consumed and not forwarded (by configuration).
    pub dtmf_swallowed: u64,
    /// Events discarded because the caller did not poll.
    pub events_overflow: u64,
    /// Decoders built because a far end switched to another codec it agreed (one per codec
    /// per direction: a switch back reuses the one kept).
    pub decoders_built: u64,
    /// Drops by reason.
    pub drops: DropCounters,
}

impl RelayStats {
    /// Both sets of counters added (counters of several relay cores).
    pub fn merged(&self, o: &Self) -> Self {
        Self {
            datagrams_in: self.datagrams_in + o.datagrams_in,
            rtp_forwarded: self.rtp_forwarded + o.rtp_forwarded,
            rtcp_terminated: self.rtcp_terminated + o.rtcp_terminated,
            feedback_sent: self.feedback_sent + o.feedback_sent,
            reports_sent: self.reports_sent + o.reports_sent,
            played: self.played + o.played,
            dtmf_swallowed: self.dtmf_swallowed + o.dtmf_swallowed,
            events_overflow: self.events_overflow + o.events_overflow,
            decoders_built: self.decoders_built + o.decoders_built,
            drops: self.drops.merged(&o.drops),
        }
    }
}

/// Counters and RTCP-derived quality of one leg of one stream.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LegStreamStats {
    /// Packets (RTP and RTCP) accepted from the far end.
    pub rx_packets: u64,
    /// Bytes accepted (as received, SRTP trailer included).
    pub rx_bytes: u64,
    /// Packets sent to the far end.
    pub tx_packets: u64,
    /// Bytes sent.
    pub tx_bytes: u64,
    /// RTP packets sent (for SR sender info).
    pub rtp_sent: u64,
    /// RTP payload bytes sent.
    pub rtp_payload_sent: u64,
    /// Latched far-end RTP source.
    pub latched: Option<SocketAddr>,
    /// SSRC we send with on this leg.
    pub out_ssrc: u32,
    /// Far-end SSRC being received.
    pub remote_ssrc: Option<u32>,
    /// Extended highest sequence number received.
    pub extended_highest_seq: u32,
    /// Cumulative packets lost.
    pub cumulative_lost: i32,
    /// Fraction lost since the last report (/256).
    pub fraction_lost: u8,
    /// Interarrival jitter (RTP units).
    pub jitter: u32,
    /// Round-trip time from the last RR/SR block about our stream.
    pub rtt: Option<Duration>,
    /// Reports (SR/RR) generated on this leg.
    pub reports_sent: u64,
}
