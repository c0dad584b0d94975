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

/// Decoders of other input codecs kept after a switch, so a far end alternating codecs
/// reuses them instead of building one per packet (at most this many; the oldest goes).
pub const MAX_PARKED_DECODERS: usize = super::config::MAX_ALTERNATES;

/// A decoder (and its resampler) of an input codec the far end switched away from.
struct Parked {
    from: AudioCodec,
    dec: Decoder,
    res: Option<Resampler>,
}

/// Where the input clock was last mapped onto the output clock.
#[derive(Debug, Clone, Copy)]
struct ClockAnchor {
    ssrc: u32,
    in_ts: u32,
    out_ts: u32,
    rem: i64,
}

/// One direction's pipeline.
pub(crate) struct AudioPipe {
    /// The codec decoded (it changes when the far end switches codec).
    from: AudioCodec,
    /// The codec encoded.
    to: AudioCodec,
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
    /// Input and output RTP clocks.
    in_clock: u32,
    out_clock: u32,
    /// Input timestamp last scaled forward, its output-clock value, and the remainder of
    /// that scaling (in input units × output clock), for the current input source.
    anchor: Option<ClockAnchor>,
    /// Timestamp the next output frame must not precede (the last one sent + one frame).
    min_next: Option<u32>,
    /// Decoders of the input codecs switched away from, newest last.
    parked: Vec<Parked>,
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
            from,
            to,
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
            in_clock: from.rtp_clock().max(1),
            out_clock: to.rtp_clock().max(1),
            anchor: None,
            min_next: None,
            parked: Vec::new(),
            seq: 0,
            ssrc: 0,
        })
    }

    /// The codec decoded.
    pub(crate) fn input(&self) -> AudioCodec {
        self.from
    }

    /// Decodes `from` from now on (the far end switched codec): its decoder and resampler
    /// (the one kept from an earlier switch, else new ones), its input clock; the audio
    /// already buffered, the output clock and sequence go on. The current decoder is kept
    /// for a switch back (at most [`MAX_PARKED_DECODERS`]). Returns whether a decoder was
    /// built: a far end alternating among codecs builds one per codec, not per packet.
    pub(crate) fn switch_input(&mut self, from: AudioCodec) -> Result<bool, CodecError> {
        if from == self.from {
            return Ok(false);
        }
        let (dec, res, built) = match self.parked.iter().position(|p| p.from == from) {
            Some(i) => {
                let p = self.parked.remove(i);
                (p.dec, p.res, false)
            }
            None => {
                let to = self.to;
                let res = if from.pcm_rate() == to.pcm_rate() {
                    None
                } else {
                    Some(Resampler::new(
                        from.pcm_rate(),
                        to.pcm_rate(),
                        from.channels().min(self.out_ch),
                    )?)
                };
                (Decoder::new(from)?, res, true)
            }
        };
        let old = Parked {
            from: self.from,
            dec: std::mem::replace(&mut self.dec, dec),
            res: std::mem::replace(&mut self.res, res),
        };
        if self.parked.len() >= MAX_PARKED_DECODERS && !self.parked.is_empty() {
            self.parked.remove(0);
        }
        self.parked.push(old);
        self.in_ch = from.channels();
        self.in_clock = from.rtp_clock().max(1);
        // The input timestamps now count in another clock: anchor again on the next one.
        self.anchor = None;
        self.from = from;
        Ok(built)
    }

    /// The output-clock timestamp of input timestamp `ts` of `ssrc`. Scaling the absolute
    /// value (`ts × out / in`) is not continuous where the input wraps at 2^32 unless the
    /// ratio is an integer (48 kHz → 8 kHz jumped back by 2^32 / 6); scaling the serial
    /// difference from the last input is, whatever the clocks.
    fn scale(&mut self, ssrc: u32, ts: u32) -> u32 {
        let (in_c, out_c) = (i64::from(self.in_clock), i64::from(self.out_clock));
        let a = match self.anchor {
            Some(a) if a.ssrc == ssrc => a,
            _ => {
                let out = (u64::from(ts) * out_c as u64 / in_c as u64) as u32;
                self.anchor = Some(ClockAnchor {
                    ssrc,
                    in_ts: ts,
                    out_ts: out,
                    rem: 0,
                });
                return out;
            }
        };
        // Serial difference (RFC 3550 / RFC 1982): within ±2^31 of the anchor.
        let delta = i64::from(ts.wrapping_sub(a.in_ts) as i32);
        let num = delta * out_c + a.rem;
        let (q, rem) = (num.div_euclid(in_c), num.rem_euclid(in_c));
        let out = a.out_ts.wrapping_add(q as u32);
        if delta > 0 {
            // Only newer input moves the anchor; a reordered packet is placed relative to it.
            self.anchor = Some(ClockAnchor {
                ssrc,
                in_ts: ts,
                out_ts: out,
                rem,
            });
        }
        out
    }

    /// Feeds one payload of input timestamp `ts_in`.
    pub(crate) fn push(&mut self, ssrc: u32, payload: &[u8], ts_in: u32) -> Result<(), CodecError> {
        let ts_out = self.scale(ssrc, ts_in);
        if self.ssrc != ssrc {
            // A new source: the leg's rewriter re-bases the output; no ordering to keep.
            self.min_next = None;
        }
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
            // silence suppression gaps), but never behind a frame already sent (a
            // reordered or duplicated input must not move the output clock back).
            self.next_ts = match self.min_next {
                Some(m) if m.wrapping_sub(ts_out) as i32 > 0 => m,
                _ => ts_out,
            };
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
        self.min_next = Some(self.next_ts);
        self.seq = self.seq.wrapping_add(1);
        Ok(Some((n, ts)))
    }
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn a_switch_back_reuses_the_kept_decoder_and_the_kept_ones_are_bounded() {
        let Ok(mut pipe) = AudioPipe::new(AudioCodec::Pcma, AudioCodec::Pcmu) else {
            panic!("no pipe");
        };
        let built = |p: &mut AudioPipe, c| p.switch_input(c).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            !built(&mut pipe, AudioCodec::Pcma),
            "the same codec: nothing to do"
        );
        assert!(
            built(&mut pipe, AudioCodec::G722),
            "a new codec: one decoder"
        );
        for _ in 0..100 {
            assert!(!built(&mut pipe, AudioCodec::Pcma), "kept");
            assert!(!built(&mut pipe, AudioCodec::G722), "kept");
        }
        assert_eq!(pipe.input(), AudioCodec::G722);
        // Opus at many bit rates is as many codecs: the kept decoders stay bounded.
        for bitrate in 0..(MAX_PARKED_DECODERS as u32 * 3) {
            let opus = AudioCodec::Opus {
                channels: 1,
                bitrate: 16_000 + bitrate,
            };
            let _ = built(&mut pipe, opus);
            assert!(pipe.parked.len() <= MAX_PARKED_DECODERS);
        }
    }
}
