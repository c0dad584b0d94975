//! RFC 6184 H.264 RTP payload format (packetization mode 1): single NAL unit packets,
//! STAP-A aggregation and FU-A fragmentation, plus a loss- and reorder-tolerant depacketizer.
//!
//! Access units travel as Annex B byte streams (start code + NAL), which is what encoders emit
//! and decoders take.

use std::collections::VecDeque;

/// NAL unit type of a STAP-A aggregation packet.
pub const NAL_STAP_A: u8 = 24;
/// NAL unit type of an FU-A fragment.
pub const NAL_FU_A: u8 = 28;
/// NAL unit type of an IDR slice.
pub const NAL_IDR: u8 = 5;
/// Sequence parameter set.
pub const NAL_SPS: u8 = 7;
/// Picture parameter set.
pub const NAL_PPS: u8 = 8;
/// Smallest payload budget we packetize for (room for an FU-A header and some data).
pub const MIN_PAYLOAD_BUDGET: usize = 16;
/// Reorder buffer slots (sequence numbers held while waiting for a gap to fill).
pub const REORDER_SLOTS: usize = 64;
/// Largest RTP payload accepted by the depacketizer (jumbo frames included).
pub const MAX_PACKET_PAYLOAD: usize = 16 * 1024;
/// Largest access unit assembled (bounds memory on hostile input; ~4K intra frame).
pub const MAX_ACCESS_UNIT: usize = 4 * 1024 * 1024;
/// Completed access units kept when the caller does not poll.
const MAX_PENDING: usize = 8;

const START_CODE: [u8; 4] = [0, 0, 0, 1];

/// Iterates the NAL units (without start codes) of an Annex B byte stream.
pub fn annexb_nals(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = data;
    // Skip to just after the first start code (leading garbage is ignored).
    match find_start(rest) {
        Some((pos, len)) => rest = rest.get(pos + len..).unwrap_or(&[]),
        None => rest = &[],
    }
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let (nal, next) = match find_start(rest) {
            Some((pos, len)) => (rest.get(..pos), rest.get(pos + len..)),
            None => (Some(rest), Some(&[][..])),
        };
        rest = next.unwrap_or(&[]);
        // Trailing zero bytes before a 4-byte start code belong to neither NAL.
        let nal = nal.unwrap_or(&[]);
        let end = nal.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
        Some(nal.get(..end).unwrap_or(&[]))
    })
    .filter(|n| !n.is_empty())
}

/// Position and length of the next 00 00 01 start code.
fn find_start(data: &[u8]) -> Option<(usize, usize)> {
    data.windows(3).position(|w| w == [0, 0, 1]).map(|p| (p, 3))
}

/// Splits Annex B access units into RTP payloads.
#[derive(Debug, Clone)]
pub struct Packetizer {
    budget: usize,
    buf: Vec<u8>,
    nals: Vec<(usize, usize)>,
}

impl Packetizer {
    /// A packetizer producing payloads of at most `payload_budget` bytes (MTU minus IP, UDP,
    /// RTP and SRTP overheads), clamped to at least [`MIN_PAYLOAD_BUDGET`].
    pub fn new(payload_budget: usize) -> Self {
        let budget = payload_budget.max(MIN_PAYLOAD_BUDGET);
        Self {
            budget,
            buf: Vec::with_capacity(budget),
            nals: Vec::with_capacity(16),
        }
    }

    /// Packetizes one access unit, calling `emit(payload, marker)` for each RTP payload in
    /// order; the marker is set on the last. Returns the number of payloads. Buffers are reused,
    /// so steady-state use does not allocate.
    pub fn packetize<F: FnMut(&[u8], bool)>(&mut self, access_unit: &[u8], mut emit: F) -> usize {
        self.nals.clear();
        let base = access_unit.as_ptr() as usize;
        for nal in annexb_nals(access_unit) {
            self.nals.push((nal.as_ptr() as usize - base, nal.len()));
        }
        let nal_at = |i: usize, nals: &[(usize, usize)]| -> &[u8] {
            nals.get(i)
                .and_then(|&(o, l)| access_unit.get(o..o + l))
                .unwrap_or(&[])
        };
        let count = self.nals.len();
        let mut sent = 0;
        let mut i = 0;
        while i < count {
            let nal = nal_at(i, &self.nals);
            let last_nal = i + 1 == count;
            if nal.len() > self.budget {
                sent += self.fragment(nal, last_nal, &mut emit);
                i += 1;
                continue;
            }
            // Aggregate following small NALs while they fit.
            let mut size = 1 + 2 + nal.len();
            let mut j = i + 1;
            while j < count {
                let next = nal_at(j, &self.nals);
                if size + 2 + next.len() > self.budget {
                    break;
                }
                size += 2 + next.len();
                j += 1;
            }
            if j - i >= 2 {
                self.buf.clear();
                // F bit: OR of the aggregated F bits; NRI: their maximum.
                let (mut f, mut nri) = (0u8, 0u8);
                for k in i..j {
                    let h = nal_at(k, &self.nals).first().copied().unwrap_or(0);
                    f |= h & 0x80;
                    nri = nri.max(h & 0x60);
                }
                self.buf.push(f | nri | NAL_STAP_A);
                for k in i..j {
                    let n = nal_at(k, &self.nals);
                    let len = u16::try_from(n.len()).unwrap_or(u16::MAX);
                    self.buf.extend_from_slice(&len.to_be_bytes());
                    self.buf.extend_from_slice(n);
                }
                emit(&self.buf, j == count);
                i = j;
            } else {
                emit(nal, last_nal);
                i += 1;
            }
            sent += 1;
        }
        sent
    }

    fn fragment<F: FnMut(&[u8], bool)>(
        &mut self,
        nal: &[u8],
        last_nal: bool,
        emit: &mut F,
    ) -> usize {
        let Some((&header, body)) = nal.split_first() else {
            return 0;
        };
        let indicator = (header & 0xe0) | NAL_FU_A;
        let kind = header & 0x1f;
        let chunk = self.budget - 2;
        let pieces = body.len().div_ceil(chunk);
        for (k, piece) in body.chunks(chunk).enumerate() {
            let start = if k == 0 { 0x80 } else { 0 };
            let end = if k + 1 == pieces { 0x40 } else { 0 };
            self.buf.clear();
            self.buf.push(indicator);
            self.buf.push(start | end | kind);
            self.buf.extend_from_slice(piece);
            emit(&self.buf, last_nal && k + 1 == pieces);
        }
        pieces
    }
}

/// A complete access unit in Annex B form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessUnit {
    /// RTP timestamp (90 kHz).
    pub timestamp: u32,
    /// Contains an IDR slice.
    pub keyframe: bool,
    /// Annex B bytes; give the vector back with [`Depacketizer::recycle`] to reuse it.
    pub data: Vec<u8>,
}

/// What the depacketizer reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DepacketizerOutput {
    /// A complete access unit.
    AccessUnit(AccessUnit),
    /// Data was lost and the decoder cannot continue until an IDR: send PLI/FIR.
    NeedKeyframe,
}

/// Packets and access units not delivered, by reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DepacketizerStats {
    /// Packets used.
    pub accepted: u64,
    /// Empty payload, truncated STAP-A, or NAL type 0/30/31.
    pub malformed: u64,
    /// STAP-B, MTAP16/24, FU-B (interleaved mode, not negotiated by us).
    pub unsupported: u64,
    /// Already delivered or older than the reorder window.
    pub late_or_duplicate: u64,
    /// Payload above [`MAX_PACKET_PAYLOAD`].
    pub oversize_packet: u64,
    /// Sequence numbers given up on (never arrived).
    pub lost: u64,
    /// FU-A units missing a start, middle or end fragment.
    pub incomplete_fu: u64,
    /// Access units dropped because data in them was lost, or they exceeded the size bound.
    pub dropped_access_units: u64,
    /// Access units dropped while waiting for a keyframe after loss.
    pub awaiting_keyframe: u64,
    /// Outputs discarded because the caller did not poll.
    pub output_overflow: u64,
}

#[derive(Debug, Default)]
struct Slot {
    seq: u16,
    timestamp: u32,
    marker: bool,
    data: Vec<u8>,
}

/// Reorders, reassembles and validates an H.264 RTP stream (packetization mode 0 or 1).
///
/// Packets are held in a window of [`REORDER_SLOTS`] sequence numbers; a gap is given up on
/// once `max_reorder` later packets have arrived (or the window is full), which counts as loss:
/// the access unit in progress is dropped, [`DepacketizerOutput::NeedKeyframe`] is reported
/// once, and non-IDR access units are dropped until an IDR arrives. Memory is bounded by
/// the slots × [`MAX_PACKET_PAYLOAD`] plus [`MAX_ACCESS_UNIT`].
#[derive(Debug)]
pub struct Depacketizer {
    slots: Vec<Option<Slot>>,
    spare: Vec<Vec<u8>>,
    next_seq: Option<u16>,
    buffered: usize,
    max_reorder: usize,
    au: Vec<u8>,
    au_ts: Option<u32>,
    au_corrupt: bool,
    au_keyframe: bool,
    /// Offset in `au` where the FU-A being assembled started, if one is open.
    fu_start: Option<usize>,
    need_keyframe: bool,
    /// NeedKeyframe already reported since the last keyframe.
    keyframe_requested: bool,
    outputs: VecDeque<DepacketizerOutput>,
    stats: DepacketizerStats,
}

impl Default for Depacketizer {
    fn default() -> Self {
        Self::new(16)
    }
}

impl Depacketizer {
    /// A depacketizer that waits for at most `max_reorder` packets past a gap (clamped to
    /// 1..[`REORDER_SLOTS`]). Starts out waiting for a keyframe.
    pub fn new(max_reorder: usize) -> Self {
        Self {
            slots: (0..REORDER_SLOTS).map(|_| None).collect(),
            spare: Vec::new(),
            next_seq: None,
            buffered: 0,
            max_reorder: max_reorder.clamp(1, REORDER_SLOTS - 1),
            au: Vec::new(),
            au_ts: None,
            au_corrupt: false,
            au_keyframe: false,
            fu_start: None,
            need_keyframe: true,
            keyframe_requested: false,
            outputs: VecDeque::with_capacity(MAX_PENDING),
            stats: DepacketizerStats::default(),
        }
    }

    /// Counters, including every drop by reason.
    pub fn stats(&self) -> DepacketizerStats {
        self.stats
    }

    /// Takes the next output.
    pub fn poll_output(&mut self) -> Option<DepacketizerOutput> {
        self.outputs.pop_front()
    }

    /// Returns an access unit's buffer for reuse.
    pub fn recycle(&mut self, mut data: Vec<u8>) {
        if self.spare.len() < MAX_PENDING {
            data.clear();
            self.spare.push(data);
        }
    }

    /// Feeds one RTP packet (already authenticated/decrypted and of the H.264 payload type).
    pub fn handle_packet(&mut self, seq: u16, timestamp: u32, marker: bool, payload: &[u8]) {
        if payload.len() > MAX_PACKET_PAYLOAD {
            self.stats.oversize_packet += 1;
            return;
        }
        let next = *self.next_seq.get_or_insert(seq);
        let ahead = seq.wrapping_sub(next);
        if ahead >= 0x8000 {
            // Behind the delivery point. A far jump back is a stream restart.
            if next.wrapping_sub(seq) > 0x1000 {
                self.restart(seq);
            } else {
                self.stats.late_or_duplicate += 1;
                return;
            }
        } else if usize::from(ahead) >= REORDER_SLOTS {
            // Beyond the window: give up on everything that would not fit.
            let skip_to = seq.wrapping_sub(REORDER_SLOTS as u16 - 1);
            while self.next_seq != Some(skip_to) && self.next_seq.is_some() {
                self.advance_over_gap();
            }
        }
        let idx = usize::from(seq) % REORDER_SLOTS;
        if matches!(self.slots.get(idx), Some(Some(s)) if s.seq == seq) {
            self.stats.late_or_duplicate += 1;
            return;
        }
        let mut data = self.spare.pop().unwrap_or_default();
        data.clear();
        data.extend_from_slice(payload);
        if let Some(slot) = self.slots.get_mut(idx) {
            *slot = Some(Slot {
                seq,
                timestamp,
                marker,
                data,
            });
            self.buffered += 1;
        }
        self.drain();
    }

    /// Gives up on any gap now (e.g. on a timer, or at end of stream) and delivers what follows.
    pub fn flush(&mut self) {
        while self.buffered > 0 {
            self.advance_over_gap();
            self.drain();
        }
        if self.au_ts.is_some() && self.fu_start.is_none() {
            self.finish_au();
        }
    }

    fn restart(&mut self, seq: u16) {
        for slot in &mut self.slots {
            if let Some(s) = slot.take() {
                self.spare.push(s.data);
            }
        }
        self.spare.truncate(MAX_PENDING);
        self.buffered = 0;
        self.next_seq = Some(seq);
        self.mark_loss();
    }

    fn take_slot(&mut self, seq: u16) -> Option<Slot> {
        let slot = self.slots.get_mut(usize::from(seq) % REORDER_SLOTS)?;
        if slot.as_ref().is_some_and(|s| s.seq == seq) {
            self.buffered -= 1;
            slot.take()
        } else {
            None
        }
    }

    /// Delivers in-order packets; gives up on a gap held open too long.
    fn drain(&mut self) {
        loop {
            let Some(next) = self.next_seq else { return };
            if let Some(slot) = self.take_slot(next) {
                self.next_seq = Some(next.wrapping_add(1));
                self.process(&slot);
                if self.spare.len() < REORDER_SLOTS {
                    self.spare.push(slot.data);
                }
            } else if self.buffered > self.max_reorder {
                self.advance_over_gap();
            } else {
                return;
            }
        }
    }

    /// Declares the next expected sequence number lost and moves past it.
    fn advance_over_gap(&mut self) {
        let Some(next) = self.next_seq else { return };
        if let Some(slot) = self.take_slot(next) {
            // Not a gap: deliver it.
            self.process(&slot);
            self.spare.push(slot.data);
        } else {
            self.stats.lost += 1;
            self.mark_loss();
        }
        self.next_seq = Some(next.wrapping_add(1));
    }

    fn mark_loss(&mut self) {
        self.au_corrupt = true;
        if self.fu_start.take().is_some() {
            self.stats.incomplete_fu += 1;
        }
        self.request_keyframe();
    }

    /// Reports NeedKeyframe once per wait for a keyframe.
    fn request_keyframe(&mut self) {
        self.need_keyframe = true;
        if !self.keyframe_requested {
            self.keyframe_requested = true;
            self.push(DepacketizerOutput::NeedKeyframe);
        }
    }

    fn process(&mut self, slot: &Slot) {
        if self.au_ts.is_some_and(|t| t != slot.timestamp) {
            // A new timestamp without a marker on the previous access unit.
            self.finish_au();
        }
        if self.au_ts.is_none() {
            self.au_ts = Some(slot.timestamp);
        }
        self.stats.accepted += 1;
        let payload = slot.data.as_slice();
        let Some(&header) = payload.first() else {
            self.stats.malformed += 1;
            return;
        };
        match header & 0x1f {
            1..=23 => {
                self.close_open_fu();
                self.append_nal(payload);
            }
            NAL_STAP_A => {
                self.close_open_fu();
                let mut rest = payload.get(1..).unwrap_or(&[]);
                while let [h, l, tail @ ..] = rest {
                    let len = usize::from(u16::from_be_bytes([*h, *l]));
                    match (tail.get(..len), tail.get(len..)) {
                        (Some(nal), Some(next)) if len > 0 => {
                            self.append_nal(nal);
                            rest = next;
                        }
                        _ => {
                            self.stats.malformed += 1;
                            self.au_corrupt = true;
                            break;
                        }
                    }
                }
            }
            NAL_FU_A => self.fu_a(payload),
            25..=27 | 29 => self.stats.unsupported += 1,
            _ => self.stats.malformed += 1,
        }
        if slot.marker {
            self.finish_au();
        }
    }

    fn fu_a(&mut self, payload: &[u8]) {
        let [indicator, fu_header, body @ ..] = payload else {
            self.stats.malformed += 1;
            return;
        };
        let (start, end) = (fu_header & 0x80 != 0, fu_header & 0x40 != 0);
        if start {
            self.close_open_fu();
            self.fu_start = Some(self.au.len());
            let header = (indicator & 0xe0) | (fu_header & 0x1f);
            self.append_nal(&[header]);
        } else if self.fu_start.is_none() {
            // Middle or end without its start (the start was lost or dropped).
            self.stats.incomplete_fu += 1;
            self.au_corrupt = true;
            return;
        }
        if self.au.len() + body.len() > MAX_ACCESS_UNIT {
            self.au_corrupt = true;
            self.fu_start = None;
            return;
        }
        self.au.extend_from_slice(body);
        if end {
            self.fu_start = None;
        }
    }

    /// An FU-A still open when another NAL begins lost its end: cut it out.
    fn close_open_fu(&mut self) {
        if let Some(start) = self.fu_start.take() {
            self.au.truncate(start);
            self.stats.incomplete_fu += 1;
            self.au_corrupt = true;
        }
    }

    fn append_nal(&mut self, nal: &[u8]) {
        if self.au.len() + START_CODE.len() + nal.len() > MAX_ACCESS_UNIT {
            self.au_corrupt = true;
            return;
        }
        if nal.first().is_some_and(|h| h & 0x1f == NAL_IDR) {
            self.au_keyframe = true;
        }
        self.au.extend_from_slice(&START_CODE);
        self.au.extend_from_slice(nal);
    }

    fn finish_au(&mut self) {
        self.close_open_fu();
        let timestamp = self.au_ts.take().unwrap_or(0);
        let corrupt = std::mem::take(&mut self.au_corrupt);
        let keyframe = std::mem::take(&mut self.au_keyframe);
        if self.au.is_empty() {
            return;
        }
        if corrupt {
            self.stats.dropped_access_units += 1;
            self.au.clear();
            self.request_keyframe();
            return;
        }
        if self.need_keyframe && !keyframe {
            self.stats.awaiting_keyframe += 1;
            self.au.clear();
            // Joined mid-stream: ask for one.
            self.request_keyframe();
            return;
        }
        self.need_keyframe = false;
        self.keyframe_requested = false;
        let spare = self.spare.pop().unwrap_or_default();
        let data = std::mem::replace(&mut self.au, spare);
        self.au.clear();
        self.push(DepacketizerOutput::AccessUnit(AccessUnit {
            timestamp,
            keyframe,
            data,
        }));
    }

    fn push(&mut self, out: DepacketizerOutput) {
        if self.outputs.len() >= MAX_PENDING {
            self.outputs.pop_front();
            self.stats.output_overflow += 1;
        }
        self.outputs.push_back(out);
    }
}

/// Fuzz entry: arbitrary records `[seq_lo][flags][len][payload..]` through the depacketizer.
/// Must not panic; memory stays within the documented bounds.
#[doc(hidden)]
pub fn fuzz_h264_depacketizer(data: &[u8]) {
    let mut d = Depacketizer::new(8);
    let mut seq: u16 = 0;
    let mut ts: u32 = 0;
    let mut rest = data;
    while let [s, flags, len, tail @ ..] = rest {
        let n = usize::from(*len).min(tail.len());
        let (payload, next) = tail.split_at(n);
        seq = seq.wrapping_add(u16::from(*s).wrapping_sub(120));
        if flags & 0x40 != 0 {
            ts = ts.wrapping_add(3000);
        }
        d.handle_packet(seq, ts, flags & 0x80 != 0, payload);
        while let Some(o) = d.poll_output() {
            if let DepacketizerOutput::AccessUnit(au) = o {
                d.recycle(au.data);
            }
        }
        rest = next;
    }
    d.flush();
    let mut p = Packetizer::new(usize::from(data.first().copied().unwrap_or(0)));
    p.packetize(data, |_, _| {});
}

#[cfg(test)]
mod tests;
