//! Audio transcoding for one direction of a stream, packetized at 20 ms on output whatever
//! the input packet duration (10, 20, 30, 40, 60 ms G.711 from H.323 endpoints → 20 ms
//! Opus frames, which is also one of the few durations Opus can encode).
//!
//! decode → down-mix → resample → up-mix → FIFO → encode 20 ms frames. Every buffer is
//! allocated at creation and reused; the FIFO is bounded (oldest audio is dropped beyond
//! [`MAX_FIFO_FRAMES`], which only happens if the input runs faster than real time).

use crate::codec::resample::Resampler;
use crate::codec::{
    AudioCodec, AudioDecoder, AudioEncoder, CodecError, Decoder, Encoder, MAX_PCM_SAMPLES,
};

/// Output packet duration: 50 packets a second.
const FRAMES_PER_SECOND: u32 = 50;
/// FIFO bound, in output frames (120 ms).
pub const MAX_FIFO_FRAMES: usize = 6;

/// One direction's pipeline.
pub(crate) struct AudioPipe {
    dec: Decoder,
    enc: Encoder,
    res: Option<Resampler>,
    in_ch: usize,
    out_ch: usize,
    pcm: Vec<i16>,
    mixed: Vec<i16>,
    resampled: Vec<i16>,
    fifo: Vec<i16>,
    /// Interleaved samples per output frame.
    frame: usize,
    /// RTP units per output frame.
    frame_ts: u32,
    /// Output-clock timestamp of the FIFO's first sample.
    next_ts: u32,
    /// Sequence counter of output frames (fed to the leg's rewriter).
    pub seq: u16,
    /// SSRC of the last input (the rewriter's notion of "source").
    pub ssrc: u32,
}

impl AudioPipe {
    pub(crate) fn new(from: AudioCodec, to: AudioCodec) -> Result<Self, CodecError> {
        let (in_ch, out_ch) = (from.channels(), to.channels());
        let res = if from.pcm_rate() == to.pcm_rate() {
            None
        } else {
            Some(Resampler::new(
                from.pcm_rate(),
                to.pcm_rate(),
                in_ch.min(out_ch),
            )?)
        };
        let frame = (to.pcm_rate() / FRAMES_PER_SECOND) as usize * out_ch;
        Ok(Self {
            dec: Decoder::new(from)?,
            enc: Encoder::new(to)?,
            res,
            in_ch,
            out_ch,
            pcm: vec![0; MAX_PCM_SAMPLES],
            mixed: Vec::with_capacity(MAX_PCM_SAMPLES),
            resampled: Vec::with_capacity(MAX_PCM_SAMPLES),
            fifo: Vec::with_capacity(frame * (MAX_FIFO_FRAMES + 1) + 2 * MAX_PCM_SAMPLES),
            frame,
            frame_ts: to.rtp_clock() / FRAMES_PER_SECOND,
            next_ts: 0,
            seq: 0,
            ssrc: 0,
        })
    }

    /// Feeds one payload whose timestamp, scaled into the output clock, is `ts_out`.
    pub(crate) fn push(
        &mut self,
        ssrc: u32,
        payload: &[u8],
        ts_out: u32,
    ) -> Result<(), CodecError> {
        self.ssrc = ssrc;
        let n = self.dec.decode(payload, &mut self.pcm)?;
        let decoded = self.pcm.get(..n).unwrap_or(&[]);
        let mut pcm: &[i16] = decoded;
        if self.in_ch == 2 && self.out_ch == 1 {
            self.mixed.clear();
            self.mixed.extend(
                decoded
                    .chunks_exact(2)
                    .map(|p| (p.iter().map(|&s| i32::from(s)).sum::<i32>() / 2) as i16),
            );
            pcm = &self.mixed;
        }
        if let Some(r) = self.res.as_mut() {
            r.process(pcm, &mut self.resampled);
            pcm = &self.resampled;
        }
        if self.fifo.is_empty() {
            // Re-sync to the sender's clock whenever we are not mid-frame (covers loss and
            // silence suppression gaps).
            self.next_ts = ts_out;
        }
        if self.in_ch == 1 && self.out_ch == 2 {
            self.fifo.extend(pcm.iter().flat_map(|&s| [s, s]));
        } else {
            self.fifo.extend_from_slice(pcm);
        }
        let max = self.frame * MAX_FIFO_FRAMES;
        if self.fifo.len() > max {
            let excess = (self.fifo.len() - max).div_ceil(self.frame) * self.frame;
            self.fifo.drain(..excess.min(self.fifo.len()));
            self.next_ts = self
                .next_ts
                .wrapping_add(self.frame_ts * (excess / self.frame.max(1)) as u32);
        }
        Ok(())
    }

    /// True when a full output frame is waiting.
    pub(crate) fn pending(&self) -> bool {
        self.frame > 0 && self.fifo.len() >= self.frame
    }

    /// Encodes the next 20 ms frame into `out`: `(payload length, output timestamp)`.
    pub(crate) fn pop(&mut self, out: &mut [u8]) -> Result<Option<(usize, u32)>, CodecError> {
        if !self.pending() {
            return Ok(None);
        }
        let n = self
            .enc
            .encode(self.fifo.get(..self.frame).unwrap_or(&[]), out)?;
        self.fifo.drain(..self.frame);
        let ts = self.next_ts;
        self.next_ts = self.next_ts.wrapping_add(self.frame_ts);
        self.seq = self.seq.wrapping_add(1);
        Ok(Some((n, ts)))
    }
}
