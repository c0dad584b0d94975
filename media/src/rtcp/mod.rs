//! RTCP compound packets (RFC 3550 §6) and the feedback messages the gateway relays or
//! answers: RFC 4585 generic NACK and PLI, RFC 5104 FIR and TMMBR/TMMBN.
//!
//! Parsing is an iterator over a compound datagram that borrows the input and stops after
//! [`MAX_PACKETS_PER_COMPOUND`] packets or at the first malformed one (it yields that error
//! once, then ends), so a hostile datagram costs bounded work. Building appends packets into
//! a caller buffer through [`CompoundWriter`]; nothing allocates.

use crate::rtp::be::{put, put_u16, put_u32, put_u64, u16_at, u32_at, u64_at};

mod remb;
pub use remb::{Remb, FMT_AFB, MAX_REMB_SSRCS};

/// RTCP common header length.
pub const RTCP_HEADER_LEN: usize = 4;
/// Bound on packets in one compound datagram (a 1500-byte datagram holds at most 187
/// minimal packets; real senders use 2–5).
pub const MAX_PACKETS_PER_COMPOUND: usize = 64;
/// Bound on SDES items per chunk the iterator will return.
pub const MAX_SDES_ITEMS: usize = 32;

/// Sender report.
pub const PT_SR: u8 = 200;
/// Receiver report.
pub const PT_RR: u8 = 201;
/// Source description.
pub const PT_SDES: u8 = 202;
/// Goodbye.
pub const PT_BYE: u8 = 203;
/// Application-defined.
pub const PT_APP: u8 = 204;
/// Transport-layer feedback (RFC 4585).
pub const PT_RTPFB: u8 = 205;
/// Payload-specific feedback (RFC 4585).
pub const PT_PSFB: u8 = 206;
/// RTPFB FMT: generic NACK.
pub const FMT_NACK: u8 = 1;
/// RTPFB FMT: TMMBR (RFC 5104).
pub const FMT_TMMBR: u8 = 3;
/// RTPFB FMT: TMMBN (RFC 5104).
pub const FMT_TMMBN: u8 = 4;
/// PSFB FMT: PLI.
pub const FMT_PLI: u8 = 1;
/// PSFB FMT: FIR (RFC 5104).
pub const FMT_FIR: u8 = 4;

/// Why an RTCP packet was refused. `offset` is the start of the offending packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RtcpError {
    /// Fewer bytes than a header or than the length field announces.
    #[error("RTCP packet at offset {offset} truncated: need {needed} bytes, have {len}")]
    TooShort {
        /// Packet start.
        offset: usize,
        /// Bytes needed.
        needed: usize,
        /// Bytes present.
        len: usize,
    },
    /// Version field is not 2.
    #[error("RTCP packet at offset {offset} has version {version}")]
    BadVersion {
        /// Packet start.
        offset: usize,
        /// Version found.
        version: u8,
    },
    /// Padding count zero or larger than the packet body.
    #[error("RTCP packet at offset {offset} has bad padding")]
    BadPadding {
        /// Packet start.
        offset: usize,
    },
    /// Body shorter than the count field / packet type requires.
    #[error("RTCP packet type {pt} at offset {offset}: body does not match its counts")]
    BadBody {
        /// Packet start.
        offset: usize,
        /// Packet type.
        pt: u8,
    },
    /// More than [`MAX_PACKETS_PER_COMPOUND`] packets.
    #[error("more than {MAX_PACKETS_PER_COMPOUND} packets in an RTCP compound")]
    TooManyPackets,
    /// Builder input out of range.
    #[error("RTCP builder: {0}")]
    InvalidField(&'static str),
    /// Output buffer full.
    #[error("output buffer too small: need {needed} bytes, have {capacity}")]
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        capacity: usize,
    },
}

/// RFC 3550 §6.4.1 report block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReportBlock {
    /// Source this block reports on.
    pub ssrc: u32,
    /// Fraction lost since the last report (fixed point /256).
    pub fraction_lost: u8,
    /// Cumulative packets lost (signed 24-bit).
    pub cumulative_lost: i32,
    /// Extended highest sequence number received.
    pub extended_highest_seq: u32,
    /// Interarrival jitter.
    pub jitter: u32,
    /// Middle 32 bits of the last SR NTP timestamp.
    pub last_sr: u32,
    /// Delay since last SR (1/65536 s).
    pub delay_since_last_sr: u32,
}

impl ReportBlock {
    const LEN: usize = 24;

    fn parse(b: &[u8]) -> Option<Self> {
        let w1 = u32_at(b, 4)?;
        // Sign-extend the 24-bit cumulative loss.
        let cumulative_lost = ((w1 << 8) as i32) >> 8;
        Some(Self {
            ssrc: u32_at(b, 0)?,
            fraction_lost: (w1 >> 24) as u8,
            cumulative_lost,
            extended_highest_seq: u32_at(b, 8)?,
            jitter: u32_at(b, 12)?,
            last_sr: u32_at(b, 16)?,
            delay_since_last_sr: u32_at(b, 20)?,
        })
    }

    fn write(&self, out: &mut [u8], off: usize) -> Option<()> {
        let lost = (self.cumulative_lost.clamp(-0x80_0000, 0x7f_ffff) as u32) & 0x00ff_ffff;
        put_u32(out, off, self.ssrc)?;
        put_u32(out, off + 4, (u32::from(self.fraction_lost) << 24) | lost)?;
        put_u32(out, off + 8, self.extended_highest_seq)?;
        put_u32(out, off + 12, self.jitter)?;
        put_u32(out, off + 16, self.last_sr)?;
        put_u32(out, off + 20, self.delay_since_last_sr)
    }
}

/// Iterator over report blocks of an SR/RR.
#[derive(Debug, Clone)]
pub struct ReportBlocks<'a> {
    data: &'a [u8],
}

impl Iterator for ReportBlocks<'_> {
    type Item = ReportBlock;
    fn next(&mut self) -> Option<ReportBlock> {
        let (block, rest) = self.data.split_at_checked(ReportBlock::LEN)?;
        self.data = rest;
        ReportBlock::parse(block)
    }
}

/// Sender information of an SR (RFC 3550 §6.4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SenderInfo {
    /// Sender SSRC.
    pub ssrc: u32,
    /// 64-bit NTP timestamp.
    pub ntp_timestamp: u64,
    /// RTP timestamp matching the NTP time.
    pub rtp_timestamp: u32,
    /// Sender's packet count.
    pub packet_count: u32,
    /// Sender's octet count.
    pub octet_count: u32,
}

/// Parsed SR.
#[derive(Debug, Clone)]
pub struct SenderReport<'a> {
    /// Sender information.
    pub info: SenderInfo,
    blocks: &'a [u8],
    /// Profile-specific extension after the report blocks.
    pub extension: &'a [u8],
}

impl<'a> SenderReport<'a> {
    /// Report blocks.
    pub fn report_blocks(&self) -> ReportBlocks<'a> {
        ReportBlocks { data: self.blocks }
    }
}

/// Parsed RR.
#[derive(Debug, Clone)]
pub struct ReceiverReport<'a> {
    /// Reporter SSRC.
    pub ssrc: u32,
    blocks: &'a [u8],
    /// Profile-specific extension after the report blocks.
    pub extension: &'a [u8],
}

impl<'a> ReceiverReport<'a> {
    /// Report blocks.
    pub fn report_blocks(&self) -> ReportBlocks<'a> {
        ReportBlocks { data: self.blocks }
    }
}

/// SDES item type CNAME.
pub const SDES_CNAME: u8 = 1;

/// One SDES item (type and value; RFC 3550 §6.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SdesItem<'a> {
    /// Item type (1 = CNAME, ..., 8 = PRIV).
    pub kind: u8,
    /// Value (at most 255 bytes).
    pub value: &'a [u8],
}

/// SDES chunk (SSRC and its items), for parsing and for building.
#[derive(Debug, Clone, Copy)]
pub struct SdesChunk<'a> {
    /// Source.
    pub ssrc: u32,
    items: &'a [u8],
}

impl<'a> SdesChunk<'a> {
    /// Items of this chunk (bounded by [`MAX_SDES_ITEMS`]).
    pub fn items(&self) -> impl Iterator<Item = SdesItem<'a>> + 'a {
        let mut data = self.items;
        (0..MAX_SDES_ITEMS).map_while(move |_| {
            let (&kind, rest) = data.split_first()?;
            if kind == 0 {
                return None;
            }
            let (&len, rest) = rest.split_first()?;
            let (value, rest) = rest.split_at_checked(usize::from(len))?;
            data = rest;
            Some(SdesItem { kind, value })
        })
    }
}

/// Parsed SDES packet.
#[derive(Debug, Clone)]
pub struct Sdes<'a> {
    count: u8,
    body: &'a [u8],
}

impl<'a> Sdes<'a> {
    /// Chunks; stops at the source count or at the first malformed chunk.
    pub fn chunks(&self) -> impl Iterator<Item = SdesChunk<'a>> + 'a {
        let mut data = self.body;
        (0..self.count).map_while(move |_| {
            let ssrc = u32_at(data, 0)?;
            let items_start = data.get(4..)?;
            // Items end at a zero type octet; the chunk is then padded to 32 bits.
            let mut pos = 0usize;
            loop {
                match items_start.get(pos) {
                    None => return None,
                    Some(0) => break,
                    Some(_) => {
                        let len = usize::from(*items_start.get(pos + 1)?);
                        pos += 2 + len;
                    }
                }
            }
            let items = items_start.get(..pos)?;
            let chunk_len = (4 + pos + 1).div_ceil(4) * 4;
            data = data.get(chunk_len..).unwrap_or_default();
            Some(SdesChunk { ssrc, items })
        })
    }
}

/// Parsed BYE.
#[derive(Debug, Clone)]
pub struct Bye<'a> {
    ssrcs: &'a [u8],
    /// Optional reason text.
    pub reason: Option<&'a [u8]>,
}

impl Bye<'_> {
    /// Leaving sources.
    pub fn ssrcs(&self) -> impl Iterator<Item = u32> + '_ {
        self.ssrcs.chunks_exact(4).filter_map(|c| u32_at(c, 0))
    }
}

/// Parsed APP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct App<'a> {
    /// Subtype (5 bits).
    pub subtype: u8,
    /// Source.
    pub ssrc: u32,
    /// Four ASCII characters.
    pub name: [u8; 4],
    /// Application data.
    pub data: &'a [u8],
}

/// Generic NACK FCI entry (RFC 4585 §6.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NackPair {
    /// Packet ID (first lost sequence number).
    pub pid: u16,
    /// Bitmask of the following 16 lost packets.
    pub blp: u16,
}

impl NackPair {
    /// Sequence numbers this entry reports lost.
    pub fn lost(&self) -> impl Iterator<Item = u16> {
        let (pid, blp) = (self.pid, self.blp);
        std::iter::once(pid).chain(
            (0..16u16)
                .filter(move |i| blp & (1 << i) != 0)
                .map(move |i| pid.wrapping_add(i + 1)),
        )
    }
}

/// FIR FCI entry (RFC 5104 §4.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FirEntry {
    /// Media source asked for an intra frame.
    pub ssrc: u32,
    /// Command sequence number.
    pub seq_nr: u8,
}

/// TMMBR/TMMBN FCI entry (RFC 5104 §4.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TmmbEntry {
    /// Media source.
    pub ssrc: u32,
    /// Bitrate exponent (6 bits).
    pub exp: u8,
    /// Bitrate mantissa (17 bits).
    pub mantissa: u32,
    /// Measured per-packet overhead in bytes (9 bits).
    pub overhead: u16,
}

impl TmmbEntry {
    /// Bitrate in bit/s (saturating).
    pub fn bitrate(&self) -> u64 {
        u64::from(self.mantissa)
            .checked_shl(u32::from(self.exp))
            .unwrap_or(u64::MAX)
    }
    /// Encodes `bps` with the smallest exponent whose mantissa fits 17 bits.
    pub fn from_bitrate(ssrc: u32, bps: u64, overhead: u16) -> Self {
        let mut exp = 0u8;
        let mut m = bps;
        while m > 0x1_ffff && exp < 63 {
            m >>= 1;
            exp += 1;
        }
        Self {
            ssrc,
            exp,
            mantissa: m.min(0x1_ffff) as u32,
            overhead: overhead & 0x1ff,
        }
    }
    fn parse(b: &[u8]) -> Option<Self> {
        let w = u32_at(b, 4)?;
        Some(Self {
            ssrc: u32_at(b, 0)?,
            exp: (w >> 26) as u8,
            mantissa: (w >> 9) & 0x1_ffff,
            overhead: (w & 0x1ff) as u16,
        })
    }
}

/// Feedback message with sender and media SSRC and its FCI bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Feedback<'a> {
    /// Packet sender SSRC.
    pub sender_ssrc: u32,
    /// Media source SSRC (0 for FIR/TMMBR, where the FCI names the sources).
    pub media_ssrc: u32,
    fci: &'a [u8],
}

impl<'a> Feedback<'a> {
    /// Raw FCI.
    pub fn fci(&self) -> &'a [u8] {
        self.fci
    }
    /// NACK entries.
    pub fn nack_pairs(&self) -> impl Iterator<Item = NackPair> + 'a {
        self.fci.chunks_exact(4).filter_map(|c| {
            Some(NackPair {
                pid: u16_at(c, 0)?,
                blp: u16_at(c, 2)?,
            })
        })
    }
    /// FIR entries.
    pub fn fir_entries(&self) -> impl Iterator<Item = FirEntry> + 'a {
        self.fci.chunks_exact(8).filter_map(|c| {
            Some(FirEntry {
                ssrc: u32_at(c, 0)?,
                seq_nr: *c.get(4)?,
            })
        })
    }
    /// TMMBR/TMMBN entries.
    pub fn tmmb_entries(&self) -> impl Iterator<Item = TmmbEntry> + 'a {
        self.fci.chunks_exact(8).filter_map(TmmbEntry::parse)
    }
}

/// One packet of a compound.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum RtcpPacket<'a> {
    /// SR.
    SenderReport(SenderReport<'a>),
    /// RR.
    ReceiverReport(ReceiverReport<'a>),
    /// SDES.
    Sdes(Sdes<'a>),
    /// BYE.
    Bye(Bye<'a>),
    /// APP.
    App(App<'a>),
    /// RFC 4585 generic NACK.
    Nack(Feedback<'a>),
    /// RFC 4585 picture loss indication.
    Pli(Feedback<'a>),
    /// RFC 5104 full intra request.
    Fir(Feedback<'a>),
    /// RFC 5104 temporary maximum media bitrate request.
    Tmmbr(Feedback<'a>),
    /// RFC 5104 temporary maximum media bitrate notification.
    Tmmbn(Feedback<'a>),
    /// Anything else (XR, other feedback types): header fields and body.
    Other {
        /// Packet type.
        pt: u8,
        /// Count / FMT field.
        count: u8,
        /// Body after the 4-byte header, padding removed.
        body: &'a [u8],
    },
}

/// Iterator over a compound RTCP datagram.
#[derive(Debug, Clone)]
pub struct Compound<'a> {
    buf: &'a [u8],
    pos: usize,
    count: usize,
    done: bool,
}

/// Parses a compound RTCP datagram lazily.
pub fn parse_compound(buf: &[u8]) -> Compound<'_> {
    Compound {
        buf,
        pos: 0,
        count: 0,
        done: false,
    }
}

impl<'a> Iterator for Compound<'a> {
    type Item = Result<RtcpPacket<'a>, RtcpError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.pos >= self.buf.len() {
            return None;
        }
        self.count += 1;
        let r = if self.count > MAX_PACKETS_PER_COMPOUND {
            Err(RtcpError::TooManyPackets)
        } else {
            self.parse_one()
        };
        if r.is_err() {
            self.done = true;
        }
        Some(r)
    }
}

impl<'a> Compound<'a> {
    fn parse_one(&mut self) -> Result<RtcpPacket<'a>, RtcpError> {
        let offset = self.pos;
        let rest = self.buf.get(offset..).unwrap_or_default();
        let short = |needed| RtcpError::TooShort {
            offset,
            needed,
            len: rest.len(),
        };
        let hdr = rest.first_chunk::<RTCP_HEADER_LEN>().ok_or(short(4))?;
        let version = hdr[0] >> 6;
        if version != 2 {
            return Err(RtcpError::BadVersion { offset, version });
        }
        let count = hdr[0] & 0x1f;
        let pt = hdr[1];
        let len = 4 * (usize::from(u16::from_be_bytes([hdr[2], hdr[3]])) + 1);
        let pkt = rest.get(..len).ok_or(short(len))?;
        let mut body = pkt.get(RTCP_HEADER_LEN..).unwrap_or_default();
        if hdr[0] & 0x20 != 0 {
            let pad = usize::from(body.last().copied().unwrap_or(0));
            if pad == 0 || pad > body.len() {
                return Err(RtcpError::BadPadding { offset });
            }
            body = body.get(..body.len() - pad).unwrap_or_default();
        }
        self.pos = offset + len;
        let bad = RtcpError::BadBody { offset, pt };
        let fb = |body: &'a [u8], min_fci: usize| -> Result<Feedback<'a>, RtcpError> {
            let fci = body.get(8..).ok_or(bad)?;
            if fci.len() < min_fci {
                return Err(bad);
            }
            Ok(Feedback {
                sender_ssrc: u32_at(body, 0).ok_or(bad)?,
                media_ssrc: u32_at(body, 4).ok_or(bad)?,
                fci,
            })
        };
        Ok(match pt {
            PT_SR => {
                let blocks_len = usize::from(count) * ReportBlock::LEN;
                let (blocks, extension) = body
                    .get(24..)
                    .and_then(|b| b.split_at_checked(blocks_len))
                    .ok_or(bad)?;
                RtcpPacket::SenderReport(SenderReport {
                    info: SenderInfo {
                        ssrc: u32_at(body, 0).ok_or(bad)?,
                        ntp_timestamp: u64_at(body, 4).ok_or(bad)?,
                        rtp_timestamp: u32_at(body, 12).ok_or(bad)?,
                        packet_count: u32_at(body, 16).ok_or(bad)?,
                        octet_count: u32_at(body, 20).ok_or(bad)?,
                    },
                    blocks,
                    extension,
                })
            }
            PT_RR => {
                let blocks_len = usize::from(count) * ReportBlock::LEN;
                let (blocks, extension) = body
                    .get(4..)
                    .and_then(|b| b.split_at_checked(blocks_len))
                    .ok_or(bad)?;
                RtcpPacket::ReceiverReport(ReceiverReport {
                    ssrc: u32_at(body, 0).ok_or(bad)?,
                    blocks,
                    extension,
                })
            }
            PT_SDES => {
                let sdes = Sdes { count, body };
                if sdes.chunks().count() != usize::from(count) {
                    return Err(bad);
                }
                RtcpPacket::Sdes(sdes)
            }
            PT_BYE => {
                let (ssrcs, after) = body.split_at_checked(4 * usize::from(count)).ok_or(bad)?;
                let reason = match after.split_first() {
                    None => None,
                    Some((&n, text)) => Some(text.get(..usize::from(n)).ok_or(bad)?),
                };
                RtcpPacket::Bye(Bye { ssrcs, reason })
            }
            PT_APP => {
                let name: [u8; 4] = body.get(4..8).ok_or(bad)?.try_into().map_err(|_| bad)?;
                RtcpPacket::App(App {
                    subtype: count,
                    ssrc: u32_at(body, 0).ok_or(bad)?,
                    name,
                    data: body.get(8..).unwrap_or_default(),
                })
            }
            PT_RTPFB if count == FMT_NACK => RtcpPacket::Nack(fb(body, 4)?),
            PT_RTPFB if count == FMT_TMMBR => RtcpPacket::Tmmbr(fb(body, 8)?),
            PT_RTPFB if count == FMT_TMMBN => RtcpPacket::Tmmbn(fb(body, 0)?),
            PT_PSFB if count == FMT_PLI => RtcpPacket::Pli(fb(body, 0)?),
            PT_PSFB if count == FMT_FIR => RtcpPacket::Fir(fb(body, 8)?),
            _ => RtcpPacket::Other { pt, count, body },
        })
    }
}

/// Appends RTCP packets into a caller buffer to form a compound datagram.
#[derive(Debug)]
pub struct CompoundWriter<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> CompoundWriter<'a> {
    /// Starts an empty compound in `buf`.
    pub fn new(buf: &'a mut [u8]) -> Self {
        Self { buf, len: 0 }
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Reserves `body_len` (padded to 32 bits) after a header, runs `fill` on the body.
    fn packet(
        &mut self,
        count: u8,
        pt: u8,
        body_len: usize,
        fill: impl FnOnce(&mut [u8]) -> Option<()>,
    ) -> Result<&mut Self, RtcpError> {
        if count > 31 {
            return Err(RtcpError::InvalidField("count above 31"));
        }
        let padded = body_len.div_ceil(4) * 4;
        let words = u16::try_from(padded / 4).map_err(|_| RtcpError::InvalidField("too long"))?;
        let needed = self.len + RTCP_HEADER_LEN + padded;
        let capacity = self.buf.len();
        let small = RtcpError::BufferTooSmall { needed, capacity };
        let pkt = self.buf.get_mut(self.len..needed).ok_or(small)?;
        pkt.fill(0);
        put(pkt, 0, &[0x80 | count, pt]).ok_or(small)?;
        put_u16(pkt, 2, words).ok_or(small)?;
        fill(pkt.get_mut(RTCP_HEADER_LEN..).ok_or(small)?).ok_or(small)?;
        self.len = needed;
        Ok(self)
    }

    /// Appends an SR with up to 31 report blocks.
    pub fn sender_report(
        &mut self,
        info: &SenderInfo,
        blocks: &[ReportBlock],
    ) -> Result<&mut Self, RtcpError> {
        let count = u8::try_from(blocks.len()).map_err(|_| RtcpError::InvalidField("blocks"))?;
        self.packet(count, PT_SR, 24 + 24 * blocks.len(), |b| {
            put_u32(b, 0, info.ssrc)?;
            put_u64(b, 4, info.ntp_timestamp)?;
            put_u32(b, 12, info.rtp_timestamp)?;
            put_u32(b, 16, info.packet_count)?;
            put_u32(b, 20, info.octet_count)?;
            for (i, rb) in blocks.iter().enumerate() {
                rb.write(b, 24 + 24 * i)?;
            }
            Some(())
        })
    }

    /// Appends an RR with up to 31 report blocks.
    pub fn receiver_report(
        &mut self,
        ssrc: u32,
        blocks: &[ReportBlock],
    ) -> Result<&mut Self, RtcpError> {
        let count = u8::try_from(blocks.len()).map_err(|_| RtcpError::InvalidField("blocks"))?;
        self.packet(count, PT_RR, 4 + 24 * blocks.len(), |b| {
            put_u32(b, 0, ssrc)?;
            for (i, rb) in blocks.iter().enumerate() {
                rb.write(b, 4 + 24 * i)?;
            }
            Some(())
        })
    }

    /// Appends an SDES packet: one chunk per `(ssrc, items)`.
    pub fn sdes(&mut self, chunks: &[(u32, &[SdesItem<'_>])]) -> Result<&mut Self, RtcpError> {
        let count = u8::try_from(chunks.len()).map_err(|_| RtcpError::InvalidField("chunks"))?;
        let mut body_len = 0;
        for (_, items) in chunks {
            let mut l = 4 + 1;
            for it in items.iter() {
                if it.kind == 0 || it.value.len() > 255 {
                    return Err(RtcpError::InvalidField("SDES item"));
                }
                l += 2 + it.value.len();
            }
            body_len += l.div_ceil(4) * 4;
        }
        self.packet(count, PT_SDES, body_len, |b| {
            let mut pos = 0;
            for (ssrc, items) in chunks {
                let start = pos;
                put_u32(b, pos, *ssrc)?;
                pos += 4;
                for it in items.iter() {
                    put(b, pos, &[it.kind, it.value.len() as u8])?;
                    put(b, pos + 2, it.value)?;
                    pos += 2 + it.value.len();
                }
                // Terminating null item plus padding, already zeroed.
                pos = start + (pos - start + 1).div_ceil(4) * 4;
            }
            Some(())
        })
    }

    /// Appends a BYE.
    pub fn bye(&mut self, ssrcs: &[u32], reason: Option<&[u8]>) -> Result<&mut Self, RtcpError> {
        let count = u8::try_from(ssrcs.len()).map_err(|_| RtcpError::InvalidField("ssrcs"))?;
        let reason_len = match reason {
            Some(r) if r.len() > 255 => return Err(RtcpError::InvalidField("BYE reason")),
            Some(r) => 1 + r.len(),
            None => 0,
        };
        self.packet(count, PT_BYE, 4 * ssrcs.len() + reason_len, |b| {
            for (i, s) in ssrcs.iter().enumerate() {
                put_u32(b, 4 * i, *s)?;
            }
            if let Some(r) = reason {
                let at = 4 * ssrcs.len();
                put(b, at, &[r.len() as u8])?;
                put(b, at + 1, r)?;
            }
            Some(())
        })
    }

    /// Appends an APP packet; `data` must be a multiple of 4 bytes.
    pub fn app(
        &mut self,
        subtype: u8,
        ssrc: u32,
        name: [u8; 4],
        data: &[u8],
    ) -> Result<&mut Self, RtcpError> {
        if data.len() % 4 != 0 {
            return Err(RtcpError::InvalidField("APP data not 32-bit aligned"));
        }
        self.packet(subtype, PT_APP, 8 + data.len(), |b| {
            put_u32(b, 0, ssrc)?;
            put(b, 4, &name)?;
            put(b, 8, data)
        })
    }

    fn feedback(
        &mut self,
        pt: u8,
        fmt: u8,
        sender_ssrc: u32,
        media_ssrc: u32,
        fci_len: usize,
        fci: impl FnOnce(&mut [u8]) -> Option<()>,
    ) -> Result<&mut Self, RtcpError> {
        self.packet(fmt, pt, 8 + fci_len, |b| {
            put_u32(b, 0, sender_ssrc)?;
            put_u32(b, 4, media_ssrc)?;
            fci(b.get_mut(8..)?)
        })
    }

    /// Appends a generic NACK.
    pub fn nack(
        &mut self,
        sender_ssrc: u32,
        media_ssrc: u32,
        pairs: &[NackPair],
    ) -> Result<&mut Self, RtcpError> {
        if pairs.is_empty() {
            return Err(RtcpError::InvalidField("NACK without entries"));
        }
        self.feedback(
            PT_RTPFB,
            FMT_NACK,
            sender_ssrc,
            media_ssrc,
            4 * pairs.len(),
            |b| {
                for (i, p) in pairs.iter().enumerate() {
                    put_u16(b, 4 * i, p.pid)?;
                    put_u16(b, 4 * i + 2, p.blp)?;
                }
                Some(())
            },
        )
    }

    /// Appends a PLI.
    pub fn pli(&mut self, sender_ssrc: u32, media_ssrc: u32) -> Result<&mut Self, RtcpError> {
        self.feedback(PT_PSFB, FMT_PLI, sender_ssrc, media_ssrc, 0, |_| Some(()))
    }

    /// Appends a FIR (media SSRC field 0 per RFC 5104 §4.3.1.2).
    pub fn fir(&mut self, sender_ssrc: u32, entries: &[FirEntry]) -> Result<&mut Self, RtcpError> {
        if entries.is_empty() {
            return Err(RtcpError::InvalidField("FIR without entries"));
        }
        self.feedback(PT_PSFB, FMT_FIR, sender_ssrc, 0, 8 * entries.len(), |b| {
            for (i, e) in entries.iter().enumerate() {
                put_u32(b, 8 * i, e.ssrc)?;
                put(b, 8 * i + 4, &[e.seq_nr])?;
            }
            Some(())
        })
    }

    fn tmmb(
        &mut self,
        fmt: u8,
        sender_ssrc: u32,
        entries: &[TmmbEntry],
    ) -> Result<&mut Self, RtcpError> {
        for e in entries {
            if e.exp > 63 || e.mantissa > 0x1_ffff || e.overhead > 0x1ff {
                return Err(RtcpError::InvalidField("TMMB entry out of range"));
            }
        }
        self.feedback(PT_RTPFB, fmt, sender_ssrc, 0, 8 * entries.len(), |b| {
            for (i, e) in entries.iter().enumerate() {
                put_u32(b, 8 * i, e.ssrc)?;
                let w = (u32::from(e.exp) << 26) | (e.mantissa << 9) | u32::from(e.overhead);
                put_u32(b, 8 * i + 4, w)?;
            }
            Some(())
        })
    }

    /// Appends a TMMBR (at least one entry).
    pub fn tmmbr(
        &mut self,
        sender_ssrc: u32,
        entries: &[TmmbEntry],
    ) -> Result<&mut Self, RtcpError> {
        if entries.is_empty() {
            return Err(RtcpError::InvalidField("TMMBR without entries"));
        }
        self.tmmb(FMT_TMMBR, sender_ssrc, entries)
    }

    /// Appends a TMMBN (may be empty: "no bounding set").
    pub fn tmmbn(
        &mut self,
        sender_ssrc: u32,
        entries: &[TmmbEntry],
    ) -> Result<&mut Self, RtcpError> {
        self.tmmb(FMT_TMMBN, sender_ssrc, entries)
    }
}

/// Fuzz helper: walks every packet and every sub-iterator.
pub(crate) fn fuzz_rtcp(data: &[u8]) {
    for p in parse_compound(data) {
        match p {
            Ok(RtcpPacket::SenderReport(sr)) => {
                let _ = sr.report_blocks().count();
            }
            Ok(RtcpPacket::ReceiverReport(rr)) => {
                let _ = rr.report_blocks().count();
            }
            Ok(RtcpPacket::Sdes(s)) => {
                for c in s.chunks() {
                    let _ = c.items().count();
                }
            }
            Ok(RtcpPacket::Bye(b)) => {
                let _ = b.ssrcs().count();
            }
            Ok(
                RtcpPacket::Nack(f)
                | RtcpPacket::Pli(f)
                | RtcpPacket::Fir(f)
                | RtcpPacket::Tmmbr(f)
                | RtcpPacket::Tmmbn(f),
            ) => {
                let _ = f.nack_pairs().count() + f.fir_entries().count() + f.tmmb_entries().count();
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn compound_round_trip() {
        let mut buf = [0u8; 512];
        let rb = ReportBlock {
            ssrc: 7,
            fraction_lost: 12,
            cumulative_lost: -3,
            extended_highest_seq: 0x1_0005,
            jitter: 40,
            last_sr: 0x1234_5678,
            delay_since_last_sr: 655,
        };
        let info = SenderInfo {
            ssrc: 1,
            ntp_timestamp: 0x0102_0304_0506_0708,
            rtp_timestamp: 9,
            packet_count: 10,
            octet_count: 11,
        };
        let mut w = CompoundWriter::new(&mut buf);
        w.sender_report(&info, &[rb])
            .unwrap()
            .receiver_report(2, &[rb, rb])
            .unwrap()
            .sdes(&[(
                1,
                &[SdesItem {
                    kind: SDES_CNAME,
                    value: b"roomgate@x",
                }][..],
            )])
            .unwrap()
            .nack(
                1,
                7,
                &[NackPair {
                    pid: 65535,
                    blp: 0b101,
                }],
            )
            .unwrap()
            .pli(1, 7)
            .unwrap()
            .fir(1, &[FirEntry { ssrc: 7, seq_nr: 3 }])
            .unwrap()
            .tmmbr(1, &[TmmbEntry::from_bitrate(7, 1_500_000, 40)])
            .unwrap()
            .tmmbn(1, &[])
            .unwrap()
            .app(3, 1, *b"RGTE", &[1, 2, 3, 4])
            .unwrap()
            .bye(&[1], Some(b"bye"))
            .unwrap();
        let n = w.len();
        let pkts: Vec<_> = parse_compound(&buf[..n]).collect::<Result<_, _>>().unwrap();
        assert_eq!(pkts.len(), 10);
        match &pkts[0] {
            RtcpPacket::SenderReport(sr) => {
                assert_eq!(sr.info, info);
                assert_eq!(sr.report_blocks().collect::<Vec<_>>(), vec![rb]);
            }
            p => panic!("{p:?}"),
        }
        match &pkts[1] {
            RtcpPacket::ReceiverReport(rr) => assert_eq!(rr.report_blocks().count(), 2),
            p => panic!("{p:?}"),
        }
        match &pkts[2] {
            RtcpPacket::Sdes(s) => {
                let c: Vec<_> = s.chunks().collect();
                assert_eq!(c.len(), 1);
                assert_eq!(c[0].ssrc, 1);
                let items: Vec<_> = c[0].items().collect();
                assert_eq!(items[0].value, b"roomgate@x");
            }
            p => panic!("{p:?}"),
        }
        match &pkts[3] {
            RtcpPacket::Nack(f) => {
                let lost: Vec<u16> = f.nack_pairs().flat_map(|p| p.lost()).collect();
                assert_eq!(lost, vec![65535, 0, 2]);
            }
            p => panic!("{p:?}"),
        }
        assert!(matches!(&pkts[4], RtcpPacket::Pli(f) if f.media_ssrc == 7));
        match &pkts[5] {
            RtcpPacket::Fir(f) => {
                assert_eq!(
                    f.fir_entries().collect::<Vec<_>>(),
                    vec![FirEntry { ssrc: 7, seq_nr: 3 }]
                )
            }
            p => panic!("{p:?}"),
        }
        match &pkts[6] {
            RtcpPacket::Tmmbr(f) => {
                let e = f.tmmb_entries().next().unwrap();
                assert_eq!(e.overhead, 40);
                assert!(e.bitrate() <= 1_500_000 && e.bitrate() > 1_499_000);
            }
            p => panic!("{p:?}"),
        }
        assert!(matches!(&pkts[7], RtcpPacket::Tmmbn(f) if f.tmmb_entries().count() == 0));
        assert!(matches!(&pkts[8], RtcpPacket::App(a) if a.name == *b"RGTE" && a.subtype == 3));
        match &pkts[9] {
            RtcpPacket::Bye(b) => {
                assert_eq!(b.ssrcs().collect::<Vec<_>>(), vec![1]);
                assert_eq!(b.reason, Some(&b"bye"[..]));
            }
            p => panic!("{p:?}"),
        }
    }

    #[test]
    fn malformed_compound_errors_once() {
        // SR claiming 1 report block but with none.
        let bad = [
            0x81u8, 200, 0, 6, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0,
        ];
        let v: Vec<_> = parse_compound(&bad).collect();
        assert_eq!(v.len(), 1);
        assert!(matches!(
            v[0],
            Err(RtcpError::BadBody { offset: 0, pt: 200 })
        ));
        // Length beyond buffer.
        let v: Vec<_> = parse_compound(&[0x80, 201, 0, 9, 0, 0, 0, 0]).collect();
        assert!(matches!(v[0], Err(RtcpError::TooShort { needed: 40, .. })));
        // Version 1.
        let v: Vec<_> = parse_compound(&[0x40, 201, 0, 1, 0, 0, 0, 0]).collect();
        assert!(matches!(
            v[0],
            Err(RtcpError::BadVersion { version: 1, .. })
        ));
        // Bad padding.
        let v: Vec<_> = parse_compound(&[0xa0, 201, 0, 1, 0, 0, 0, 9]).collect();
        assert!(matches!(v[0], Err(RtcpError::BadPadding { .. })));
        // Too many packets.
        let mut many = Vec::new();
        for _ in 0..(MAX_PACKETS_PER_COMPOUND + 5) {
            many.extend_from_slice(&[0x80, 201, 0, 1, 0, 0, 0, 1]);
        }
        let v: Vec<_> = parse_compound(&many).collect();
        assert_eq!(v.len(), MAX_PACKETS_PER_COMPOUND + 1);
        assert!(matches!(v.last(), Some(Err(RtcpError::TooManyPackets))));
    }

    #[test]
    fn report_block_negative_loss() {
        let mut b = [0u8; 24];
        ReportBlock {
            cumulative_lost: -1,
            ..Default::default()
        }
        .write(&mut b, 0)
        .unwrap();
        assert_eq!(&b[4..8], &[0, 0xff, 0xff, 0xff]);
        assert_eq!(ReportBlock::parse(&b).unwrap().cumulative_lost, -1);
    }
}
