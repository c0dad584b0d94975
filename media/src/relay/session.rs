//! Per-session state and the per-packet paths (RTP forward / transcode, RTCP termination).
//!
//! Everything a packet needs is owned by its [`StreamState`], so the hot path touches one
//! session and no relay-wide structure except the counters in [`Ctx`].

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Instant;

use super::latch::{Latch, LatchCheck};
use super::rewrite::Rewriter;
use super::rtcp_term::{ntp_from_duration, rtt_from_block, RecvStats};
use super::stats::{DropReason, LegStreamStats, RelayStats};
use super::tone::ToneQueue;
use super::transcode::AudioPipe;
use super::{Event, Leg, LegConfig, SessionId, StreamKind, StreamMode, Transmit, MAX_EVENTS};
use crate::codec::{AudioCodec, Encoder};
use crate::dtmf::{DtmfOutput, DtmfReceiver, ReceiverConfig};
use crate::rtcp::{
    parse_compound, CompoundWriter, Remb, RtcpPacket, SdesItem, SenderInfo, TmmbEntry, SDES_CNAME,
};
use crate::rtp::{RtpBuilder, RtpPacket, RtpPacketMut};
use crate::srtp::{SrtpContext, SrtpError};

/// Bytes of scratch for one transcoded payload (an MTU-sized packet is the most we send).
pub(crate) const SCRATCH_LEN: usize = 1500;

/// Relay-wide things a session's packet path writes to.
pub(crate) struct Ctx<'a> {
    pub events: &'a mut VecDeque<Event>,
    pub stats: &'a mut RelayStats,
    pub epoch: Instant,
    pub ntp_epoch: u64,
    pub cname: &'a [u8],
    /// Set by a transcoded stream when more output frames wait (`poll_transmit` sends them).
    pub more: bool,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(
        events: &'a mut VecDeque<Event>,
        stats: &'a mut RelayStats,
        cfg: &'a super::RelayConfig,
        epoch: Instant,
    ) -> Self {
        Ctx {
            events,
            stats,
            epoch,
            ntp_epoch: cfg.ntp_at_start,
            cname: cfg.cname.as_bytes(),
            more: false,
        }
    }

    pub(crate) fn event(&mut self, e: Event) {
        if self.events.len() >= MAX_EVENTS {
            self.stats.events_overflow = self.stats.events_overflow.saturating_add(1);
        } else {
            self.events.push_back(e);
        }
    }

    pub(crate) fn ntp(&self, now: Instant) -> u64 {
        self.ntp_epoch
            .wrapping_add(ntp_from_duration(now.saturating_duration_since(self.epoch)))
    }
}

pub(crate) fn srtp_drop(e: SrtpError) -> DropReason {
    match e {
        SrtpError::AuthFailed => DropReason::SrtpAuth,
        SrtpError::Replayed { .. } | SrtpError::TooOld { .. } => DropReason::Replay,
        SrtpError::BufferTooSmall { .. } => DropReason::BufferTooSmall,
        SrtpError::MalformedHeader => DropReason::MalformedRtp,
        _ => DropReason::SrtpOther,
    }
}

/// `now` in RTP clock units since the epoch (the jitter estimate's arrival clock).
/// 64-bit arithmetic only: a u128 division here cost tens of nanoseconds per packet.
fn units(now: Instant, epoch: Instant, clock: u32) -> i64 {
    let d = now.saturating_duration_since(epoch);
    let c = u64::from(clock);
    let whole = d.as_secs().saturating_mul(c);
    let frac = u64::from(d.subsec_nanos()) * c / 1_000_000_000;
    i64::try_from(whole.saturating_add(frac)).unwrap_or(i64::MAX)
}

pub(crate) struct DtmfState {
    pub rx: DtmfReceiver,
    pub forward: bool,
}

/// One leg of one stream.
pub(crate) struct LegState {
    pub rtp_port: u16,
    pub mux: bool,
    /// Its RTCP port needs a socket: no mux, and some RTCP could be accepted (a signalled
    /// address, NAT latching, or SRTP's authenticated latching). A leg only reserving ports
    /// (no far end yet) accepts none, so its pair's RTCP port stays unbound.
    pub rtcp_port_needed: bool,
    pub latch: Latch,
    pub rtcp_latch: Latch,
    pub rx: Option<SrtpContext>,
    pub tx: Option<SrtpContext>,
    /// PT received on this leg → PT sent on the other; `None` everywhere = identity.
    pub pt_map: Option<Box<[Option<u8>; 128]>>,
    pub codec: Option<(AudioCodec, u8)>,
    /// Other codecs the far end may switch to (see [`LegConfig::alternates`]).
    pub alternates: Vec<(AudioCodec, u8)>,
    pub encoder: Option<Encoder>,
    pub dtmf: Option<DtmfState>,
    pub rewriter: Rewriter,
    pub recv: RecvStats,
    pub counters: LegStreamStats,
    /// Last RTP timestamp sent and when (to extrapolate the SR's RTP timestamp).
    pub last_sent: Option<(u32, Instant)>,
    pub next_report: Instant,
    /// RFC 4733 events we send on this leg.
    pub tones: ToneQueue,
    /// See [`LegConfig::control_by_signalling`].
    pub control_by_signalling: bool,
}

fn pt_table(map: &[(u8, u8)]) -> Option<Box<[Option<u8>; 128]>> {
    if map.is_empty() {
        return None;
    }
    let mut t = Box::new([None; 128]);
    for &(from, to) in map {
        if let Some(slot) = t.get_mut(usize::from(from)) {
            *slot = Some(to & 0x7f);
        }
    }
    Some(t)
}

fn rtcp_signalled(
    cfg_rtcp: Option<SocketAddr>,
    rtp: Option<SocketAddr>,
    mux: bool,
) -> Option<SocketAddr> {
    if mux {
        return rtp;
    }
    cfg_rtcp.or_else(|| rtp.map(|a| SocketAddr::new(a.ip(), a.port().wrapping_add(1))))
}

impl LegState {
    pub(crate) fn new(
        now: Instant,
        rtp_port: u16,
        cfg: &LegConfig,
        out_ssrc: u32,
        first: (u16, u32),
        next_report: Instant,
    ) -> Result<Self, super::RelayError> {
        let rx = cfg.srtp_in.as_ref().map(SrtpContext::new).transpose()?;
        let tx = cfg.srtp_out.as_ref().map(SrtpContext::new).transpose()?;
        let srtp = rx.is_some();
        let encoder = cfg.codec.map(|(c, _)| Encoder::new(c)).transpose()?;
        let rtcp_from = rtcp_signalled(cfg.remote_rtcp, cfg.remote_rtp, cfg.rtcp_mux);
        Ok(Self {
            rtp_port,
            mux: cfg.rtcp_mux,
            rtcp_port_needed: !cfg.rtcp_mux && (rtcp_from.is_some() || srtp || cfg.nat),
            latch: Latch::new(now, cfg.remote_rtp, srtp, cfg.nat),
            rtcp_latch: Latch::new(now, rtcp_from, srtp, cfg.nat),
            rx,
            tx,
            pt_map: pt_table(&cfg.pt_map),
            codec: cfg.codec,
            alternates: cfg
                .alternates
                .iter()
                .copied()
                .take(super::config::MAX_ALTERNATES)
                .collect(),
            encoder,
            dtmf: cfg.dtmf.map(|d| DtmfState {
                rx: DtmfReceiver::new(ReceiverConfig {
                    payload_type: d.payload_type,
                    clock_rate: d.clock_rate,
                    ..ReceiverConfig::default()
                }),
                forward: d.forward,
            }),
            rewriter: Rewriter::new(out_ssrc, cfg.rewrite, first),
            recv: RecvStats::default(),
            counters: LegStreamStats {
                out_ssrc,
                ..LegStreamStats::default()
            },
            last_sent: None,
            next_report,
            tones: ToneQueue::default(),
            control_by_signalling: cfg.control_by_signalling,
        })
    }

    pub(crate) fn rtcp_port(&self) -> u16 {
        if self.mux {
            self.rtp_port
        } else {
            self.rtp_port.wrapping_add(1)
        }
    }

    pub(crate) fn rtcp_destination(&self) -> Option<SocketAddr> {
        if self.mux {
            self.latch.destination()
        } else {
            self.rtcp_latch.destination()
        }
    }

    fn map_pt(&self, pt: u8) -> Option<u8> {
        match &self.pt_map {
            None => Some(pt),
            Some(t) => t.get(usize::from(pt)).copied().flatten(),
        }
    }

    /// Counts a packet of `len` bytes sent on this leg.
    pub(crate) fn sent(&mut self, len: usize) {
        self.counters.tx_packets = self.counters.tx_packets.saturating_add(1);
        self.counters.tx_bytes = self.counters.tx_bytes.saturating_add(len as u64);
    }

    /// Counts one RTP packet sent with timestamp `ts` and `payload` bytes.
    pub(crate) fn sent_rtp(&mut self, now: Instant, ts: u32, payload: usize, len: usize) {
        self.sent(len);
        self.counters.rtp_sent = self.counters.rtp_sent.saturating_add(1);
        self.counters.rtp_payload_sent = self
            .counters
            .rtp_payload_sent
            .saturating_add(payload as u64);
        self.last_sent = Some((ts, now));
    }

    /// Snapshot of this leg's stats.
    pub(crate) fn snapshot(&self) -> LegStreamStats {
        LegStreamStats {
            latched: self.latch.latched(),
            out_ssrc: self.rewriter.out_ssrc(),
            remote_ssrc: self.recv.ssrc,
            extended_highest_seq: self.recv.extended_max(),
            cumulative_lost: self.recv.cumulative_lost(),
            fraction_lost: self.recv.fraction_lost_now(),
            jitter: self.recv.jitter(),
            ..self.counters
        }
    }
}

/// One stream (audio, video or content) of a session.
pub(crate) struct StreamState {
    pub kind: StreamKind,
    pub mode: StreamMode,
    pub clock_rate: u32,
    pub legs: [LegState; 2],
    /// Audio pipelines indexed by input leg (A→B, B→A) on transcoded streams.
    pub pipes: Option<Box<[AudioPipe; 2]>>,
    /// On a pass-through stream, the pipeline made (once, indexed by input leg) when a far
    /// end switches to a codec it agreed that the other leg did not: transcoded, not dropped.
    pub switched: [Option<Box<AudioPipe>>; 2],
    /// On a pass-through stream, whether the last packet from each input leg went through
    /// its `switched` pipeline: when the path changes the output leg's rewriter re-bases,
    /// so its numbering stays continuous (the pipeline counts its own sequence).
    pub transcoding: [bool; 2],
    pub scratch: Vec<u8>,
}

/// The (input, output) legs for a packet arriving on `from`.
fn split(legs: &mut [LegState; 2], from: Leg) -> (&mut LegState, &mut LegState) {
    let [a, b] = legs;
    match from {
        Leg::A => (a, b),
        Leg::B => (b, a),
    }
}

impl StreamState {
    /// The RTP path: latch check, SRTP, parse, stats, DTMF, rewrite or transcode,
    /// re-protect. Writes the outgoing packet into `buf`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn on_rtp(
        &mut self,
        now: Instant,
        sid: SessionId,
        from: Leg,
        source: SocketAddr,
        buf: &mut [u8],
        len: usize,
        ctx: &mut Ctx<'_>,
    ) -> Result<Option<Transmit>, DropReason> {
        let kind = self.kind;
        let clock = self.clock_rate;
        let mode = self.mode;
        let (lx, ly) = split(&mut self.legs, from);
        let check = lx.latch.check(now, source);
        if check == LatchCheck::Rejected {
            return Err(DropReason::NotLatchedSource);
        }
        let pkt = buf.get_mut(..len).ok_or(DropReason::BufferTooSmall)?;
        let plen = match lx.rx.as_mut() {
            Some(rx) => rx.unprotect_rtp(pkt).map_err(srtp_drop)?,
            None => len,
        };
        let plain = buf.get(..plen).ok_or(DropReason::MalformedRtp)?;
        let p = RtpPacket::parse(plain).map_err(|_| DropReason::MalformedRtp)?;
        let (pt, marker, seq, ts, ssrc) = (
            p.payload_type(),
            p.marker(),
            p.sequence_number(),
            p.timestamp(),
            p.ssrc(),
        );
        let (hl, payload_len) = (p.payload_offset(), p.payload().len());
        if check == LatchCheck::Candidate && lx.latch.confirm(source) {
            ctx.event(Event::Latched {
                session: sid,
                leg: from,
                stream: kind,
                source,
                rtcp: false,
            });
        }
        lx.counters.rx_packets = lx.counters.rx_packets.saturating_add(1);
        lx.counters.rx_bytes = lx.counters.rx_bytes.saturating_add(len as u64);
        // A transcoded leg's timestamps run at its codec's clock, not the stream's.
        let leg_clock = lx.codec.map_or(clock, |(c, _)| c.rtp_clock());
        lx.recv
            .on_rtp(ssrc, seq, ts, units(now, ctx.epoch, leg_clock));

        if let Some(d) = lx.dtmf.as_mut() {
            if pt == d.rx.config().payload_type {
                d.rx.handle_packet(now, pt, marker, seq, ts, p.payload());
                drain_dtmf(&mut d.rx, sid, from, ctx);
                if !d.forward || mode == StreamMode::Transcode {
                    ctx.stats.dtmf_swallowed = ctx.stats.dtmf_swallowed.saturating_add(1);
                    return Ok(None);
                }
            }
        }

        let known_pt = match mode {
            StreamMode::PassThrough => {
                lx.map_pt(pt).is_some() || (lx.input_codec(pt).is_some() && ly.codec.is_some())
            }
            StreamMode::Transcode => lx.input_codec(pt).is_some(),
        };
        if !known_pt {
            return Err(DropReason::UnknownPayloadType);
        }
        let to = ly.latch.destination().ok_or(DropReason::NoDestination)?;
        let (out_len, out_ts, out_payload) = match mode {
            StreamMode::PassThrough if lx.map_pt(pt).is_none() => {
                // A codec this leg agreed that the other did not: transcoded to what the
                // other leg speaks.
                let input = lx.input_codec(pt).ok_or(DropReason::UnknownPayloadType)?;
                let (_, out_pt) = ly.codec.ok_or(DropReason::UnknownPayloadType)?;
                let output = ly.codec.map(|(c, _)| c).ok_or(DropReason::TranscodeError)?;
                let slot = self
                    .switched
                    .get_mut(from.index())
                    .ok_or(DropReason::TranscodeError)?;
                let pipe = match slot {
                    Some(p) => p,
                    None => slot.insert(Box::new(
                        AudioPipe::new(input, output).map_err(|_| DropReason::TranscodeError)?,
                    )),
                };
                if pipe.input() != input {
                    let built = pipe
                        .switch_input(input)
                        .map_err(|_| DropReason::TranscodeError)?;
                    count_built(ctx, built);
                }
                set_path(&mut self.transcoding, from, true, ly);
                let payload = buf
                    .get(hl..hl + payload_len)
                    .ok_or(DropReason::MalformedRtp)?;
                pipe.push(ssrc, payload, ts)
                    .map_err(|_| DropReason::TranscodeError)?;
                let t = emit(now, ly, pipe, &mut self.scratch, out_pt, to, buf, ctx)?;
                ctx.more = pipe.pending();
                return Ok(t);
            }
            StreamMode::PassThrough => {
                set_path(&mut self.transcoding, from, false, ly);
                let out_pt = lx.map_pt(pt).ok_or(DropReason::UnknownPayloadType)?;
                let (s, q, t) = ly.rewriter.map(ssrc, seq, ts);
                let pkt = buf.get_mut(..plen).ok_or(DropReason::MalformedRtp)?;
                let mut h = RtpPacketMut::new(pkt).map_err(|_| DropReason::MalformedRtp)?;
                h.set_ssrc(s);
                h.set_sequence_number(q);
                h.set_timestamp(t);
                h.set_payload_type(out_pt);
                (plen, t, payload_len)
            }
            StreamMode::Transcode => {
                let out_pt = match (lx.codec, ly.codec) {
                    (Some(_), Some((_, pt))) => pt,
                    _ => return Err(DropReason::TranscodeError),
                };
                let input = lx.input_codec(pt).ok_or(DropReason::UnknownPayloadType)?;
                let pipe = self
                    .pipes
                    .as_mut()
                    .and_then(|t| t.get_mut(from.index()))
                    .ok_or(DropReason::TranscodeError)?;
                if pipe.input() != input {
                    // The far end switched to another codec it agreed: decode that one.
                    let built = pipe
                        .switch_input(input)
                        .map_err(|_| DropReason::TranscodeError)?;
                    count_built(ctx, built);
                }
                let payload = buf
                    .get(hl..hl + payload_len)
                    .ok_or(DropReason::MalformedRtp)?;
                pipe.push(ssrc, payload, ts)
                    .map_err(|_| DropReason::TranscodeError)?;
                let t = emit(now, ly, pipe, &mut self.scratch, out_pt, to, buf, ctx)?;
                ctx.more = pipe.pending();
                return Ok(t);
            }
        };
        let n = match ly.tx.as_mut() {
            Some(tx) => tx.protect_rtp(buf, out_len).map_err(srtp_drop)?,
            None => out_len,
        };
        ly.sent_rtp(now, out_ts, out_payload, n);
        ctx.stats.rtp_forwarded = ctx.stats.rtp_forwarded.saturating_add(1);
        Ok(Some(Transmit {
            from_port: ly.rtp_port,
            to,
            len: n,
        }))
    }

    /// The RTCP path: terminated here. SR timing and report blocks feed the stats; a PLI or
    /// FIR becomes a PLI toward the other leg (pass-through), or a keyframe event (transcoded,
    /// or the other far end takes keyframe requests by signalling).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn on_rtcp(
        &mut self,
        now: Instant,
        sid: SessionId,
        from: Leg,
        source: SocketAddr,
        buf: &mut [u8],
        len: usize,
        ctx: &mut Ctx<'_>,
    ) -> Result<Option<Transmit>, DropReason> {
        let kind = self.kind;
        let mode = self.mode;
        let arrival_ntp = ctx.ntp(now);
        let (lx, ly) = split(&mut self.legs, from);
        let check = if lx.mux {
            lx.latch.check(now, source)
        } else {
            lx.rtcp_latch.check(now, source)
        };
        if check == LatchCheck::Rejected {
            return Err(DropReason::NotLatchedSource);
        }
        let pkt = buf.get_mut(..len).ok_or(DropReason::BufferTooSmall)?;
        let plen = match lx.rx.as_mut() {
            Some(rx) => rx.unprotect_rtcp(pkt).map_err(srtp_drop)?,
            None => len,
        };
        let plain = buf.get(..plen).ok_or(DropReason::RtcpParse)?;
        let our_ssrc = lx.rewriter.out_ssrc();
        let mut keyframe = false;
        // The lowest bitrate asked of what we send this leg (TMMBR or REMB), and the
        // TMMBR tuple to notify back.
        let mut limit: Option<u64> = None;
        let mut tmmbr: Option<TmmbEntry> = None;
        let mut sr_ntp = None;
        let mut rtt = None;
        for p in parse_compound(plain) {
            match p {
                Ok(RtcpPacket::SenderReport(sr)) => {
                    sr_ntp = Some(sr.info.ntp_timestamp);
                    for b in sr.report_blocks().filter(|b| b.ssrc == our_ssrc) {
                        rtt = rtt_from_block(&b, arrival_ntp).or(rtt);
                    }
                }
                Ok(RtcpPacket::ReceiverReport(rr)) => {
                    for b in rr.report_blocks().filter(|b| b.ssrc == our_ssrc) {
                        rtt = rtt_from_block(&b, arrival_ntp).or(rtt);
                    }
                }
                Ok(RtcpPacket::Pli(_)) | Ok(RtcpPacket::Fir(_)) => keyframe = true,
                Ok(RtcpPacket::Tmmbr(f)) => {
                    for e in f.tmmb_entries().filter(|e| e.ssrc == our_ssrc) {
                        limit = Some(limit.map_or(e.bitrate(), |l| l.min(e.bitrate())));
                        tmmbr = Some(TmmbEntry {
                            ssrc: f.sender_ssrc,
                            ..e
                        });
                    }
                }
                Ok(p) => {
                    let remb =
                        Remb::of(&p).filter(|r| r.ssrcs.is_empty() || r.ssrcs.contains(&our_ssrc));
                    if let Some(r) = remb {
                        limit = Some(limit.map_or(r.bitrate, |l| l.min(r.bitrate)));
                    }
                }
                Err(_) => return Err(DropReason::RtcpParse),
            }
        }
        let latch = if lx.mux {
            &mut lx.latch
        } else {
            &mut lx.rtcp_latch
        };
        if check == LatchCheck::Candidate && latch.confirm(source) {
            ctx.event(Event::Latched {
                session: sid,
                leg: from,
                stream: kind,
                source,
                rtcp: true,
            });
        }
        if let Some(ntp) = sr_ntp {
            lx.recv.on_sr(ntp, now);
        }
        if rtt.is_some() {
            lx.counters.rtt = rtt;
        }
        lx.counters.rx_packets = lx.counters.rx_packets.saturating_add(1);
        lx.counters.rx_bytes = lx.counters.rx_bytes.saturating_add(len as u64);
        ctx.stats.rtcp_terminated = ctx.stats.rtcp_terminated.saturating_add(1);
        let signalling = ly.control_by_signalling;
        if keyframe && (mode == StreamMode::Transcode || signalling) {
            ctx.event(Event::KeyframeNeeded {
                session: sid,
                leg: from,
                stream: kind,
            });
        }
        if signalling {
            // The other far end takes its bitrate limits by signalling too; the requester
            // hears that its tuple is the bounding set (RFC 5104 §4.2.2).
            if let Some(bitrate) = limit {
                ctx.event(Event::BitrateLimit {
                    session: sid,
                    leg: from,
                    stream: kind,
                    bitrate,
                });
            }
            return match tmmbr {
                Some(e) => super::rtcp_term::tmmbn(lx, our_ssrc, e, buf, ctx).map(Some),
                None => Ok(None),
            };
        }
        if !keyframe || mode == StreamMode::Transcode {
            return Ok(None);
        }
        // Forward as a PLI from us (the other leg's SSRC) about the other far end's source.
        let to = ly.rtcp_destination().ok_or(DropReason::NoDestination)?;
        let sender = ly.rewriter.out_ssrc();
        let media = ly.recv.ssrc.unwrap_or(0);
        let mut w = CompoundWriter::new(buf);
        w.receiver_report(sender, &[])
            .and_then(|w| w.pli(sender, media))
            .map_err(|_| DropReason::BufferTooSmall)?;
        let n = w.len();
        let n = match ly.tx.as_mut() {
            Some(tx) => tx.protect_rtcp(buf, n).map_err(srtp_drop)?,
            None => n,
        };
        ly.sent(n);
        ctx.stats.feedback_sent = ctx.stats.feedback_sent.saturating_add(1);
        Ok(Some(Transmit {
            from_port: ly.rtcp_port(),
            to,
            len: n,
        }))
    }

    /// Writes leg `leg`'s SR or RR (+ SDES CNAME) into `buf`.
    pub(crate) fn report(
        &mut self,
        now: Instant,
        leg: Leg,
        buf: &mut [u8],
        ctx: &mut Ctx<'_>,
    ) -> Option<Transmit> {
        let stream_clock = self.clock_rate;
        let l = self.legs.get_mut(leg.index())?;
        let clock = l.codec.map_or(stream_clock, |(c, _)| c.rtp_clock());
        let to = l.rtcp_destination()?;
        let ssrc = l.rewriter.out_ssrc();
        let block = l.recv.report_block(now);
        let blocks = block.as_slice();
        let mut w = CompoundWriter::new(buf);
        let cname = [SdesItem {
            kind: SDES_CNAME,
            value: ctx.cname,
        }];
        let written = if let Some((ts, at)) = l.last_sent {
            let elapsed = now.saturating_duration_since(at);
            let adv = (elapsed.as_nanos() * u128::from(clock) / 1_000_000_000) as u32;
            let info = SenderInfo {
                ssrc,
                ntp_timestamp: ctx.ntp(now),
                rtp_timestamp: ts.wrapping_add(adv),
                packet_count: l.counters.rtp_sent as u32,
                octet_count: l.counters.rtp_payload_sent as u32,
            };
            w.sender_report(&info, blocks)
                .and_then(|w| w.sdes(&[(ssrc, &cname[..])]))
                .is_ok()
        } else {
            w.receiver_report(ssrc, blocks)
                .and_then(|w| w.sdes(&[(ssrc, &cname[..])]))
                .is_ok()
        };
        if !written {
            ctx.stats.drops.count(DropReason::BufferTooSmall);
            return None;
        }
        let n = w.len();
        let n = match l.tx.as_mut() {
            Some(tx) => match tx.protect_rtcp(buf, n) {
                Ok(n) => n,
                Err(e) => {
                    ctx.stats.drops.count(srtp_drop(e));
                    return None;
                }
            },
            None => n,
        };
        l.sent(n);
        l.counters.reports_sent = l.counters.reports_sent.saturating_add(1);
        ctx.stats.reports_sent = ctx.stats.reports_sent.saturating_add(1);
        Some(Transmit {
            from_port: l.rtcp_port(),
            to,
            len: n,
        })
    }
}

/// Counts a decoder built on a codec switch.
fn count_built(ctx: &mut Ctx<'_>, built: bool) {
    if built {
        ctx.stats.decoders_built = ctx.stats.decoders_built.saturating_add(1);
    }
}

/// Notes whether a packet from `from` on a pass-through stream is transcoded; when that
/// changes, the output leg's rewriter re-bases so the far end sees the next sequence number
/// and a later timestamp, whichever path the packet took.
fn set_path(transcoding: &mut [bool; 2], from: Leg, now: bool, ly: &mut LegState) {
    if let Some(t) = transcoding.get_mut(from.index()) {
        if *t != now {
            ly.rewriter.rebase();
        }
        *t = now;
    }
}

/// Encodes the pipe's next 20 ms frame and sends it on `ly` (our SSRC, continuous
/// numbering through the leg's rewriter). `Ok(None)` while less than a frame is buffered.
#[allow(clippy::too_many_arguments)]
fn emit(
    now: Instant,
    ly: &mut LegState,
    pipe: &mut AudioPipe,
    scratch: &mut [u8],
    out_pt: u8,
    to: SocketAddr,
    buf: &mut [u8],
    ctx: &mut Ctx<'_>,
) -> Result<Option<Transmit>, DropReason> {
    let Some((n, ts)) = pipe.pop(scratch).map_err(|_| DropReason::TranscodeError)? else {
        return Ok(None);
    };
    let (s, q, t) = ly.rewriter.map(pipe.ssrc, pipe.seq, ts);
    let payload = scratch.get(..n).ok_or(DropReason::TranscodeError)?;
    let len = RtpBuilder {
        payload_type: out_pt & 0x7f,
        sequence_number: q,
        timestamp: t,
        ssrc: s,
        ..RtpBuilder::default()
    }
    .write(payload, buf)
    .map_err(|_| DropReason::BufferTooSmall)?;
    let len = match ly.tx.as_mut() {
        Some(tx) => tx.protect_rtp(buf, len).map_err(srtp_drop)?,
        None => len,
    };
    ly.sent_rtp(now, t, n, len);
    ctx.stats.rtp_forwarded = ctx.stats.rtp_forwarded.saturating_add(1);
    Ok(Some(Transmit {
        from_port: ly.rtp_port,
        to,
        len,
    }))
}

impl StreamState {
    /// Sends the next buffered transcoded frame toward `out` (after an input packet longer
    /// than 20 ms); returns it and whether more are waiting.
    pub(crate) fn flush(
        &mut self,
        now: Instant,
        out: Leg,
        buf: &mut [u8],
        ctx: &mut Ctx<'_>,
    ) -> (Option<Transmit>, bool) {
        let input = out.other().index();
        let pipe = match self.pipes.as_mut() {
            Some(p) => p.get_mut(input),
            None => self.switched.get_mut(input).and_then(|p| p.as_deref_mut()),
        };
        let Some(pipe) = pipe else {
            return (None, false);
        };
        let Some(ly) = self.legs.get_mut(out.index()) else {
            return (None, false);
        };
        let (Some((_, out_pt)), Some(to)) = (ly.codec, ly.latch.destination()) else {
            return (None, false);
        };
        match emit(now, ly, pipe, &mut self.scratch, out_pt, to, buf, ctx) {
            Ok(t) => (t, pipe.pending()),
            Err(r) => {
                ctx.stats.drops.count(r);
                (None, false)
            }
        }
    }
}

impl LegState {
    /// The codec of payload type `pt` on this leg: the one spoken or an alternate.
    pub(crate) fn input_codec(&self, pt: u8) -> Option<AudioCodec> {
        self.codec
            .iter()
            .chain(self.alternates.iter())
            .find(|(_, p)| *p == pt)
            .map(|(c, _)| *c)
    }
}

pub(crate) fn drain_dtmf(rx: &mut DtmfReceiver, sid: SessionId, leg: Leg, ctx: &mut Ctx<'_>) {
    // Bounded by the receiver's own output queue.
    while let Some(o) = rx.poll_output() {
        if let DtmfOutput::End(d) = o {
            ctx.event(Event::DtmfDigit {
                session: sid,
                leg,
                event: d.event,
                digit: d.symbol,
                duration: d.duration,
            });
        }
    }
}

/// A session: its streams and liveness.
pub(crate) struct Session {
    /// Boxed: a stream is about 12 KiB, and most calls have one (audio) of the three.
    pub streams: [Option<Box<StreamState>>; 3],
    pub last_activity: Instant,
    pub inactive_reported: bool,
    pub paused: bool,
}

impl Session {
    /// RTP ports of every leg of every stream (each the even port of a pool pair).
    pub(crate) fn rtp_ports(&self) -> impl Iterator<Item = u16> + '_ {
        self.streams
            .iter()
            .flatten()
            .flat_map(|s| s.legs.iter().map(|l| l.rtp_port))
    }
}
