//! Streaming rational resampler (polyphase windowed-sinc FIR) for interleaved `i16` audio.
//!
//! Written here rather than taken from `rubato` because the relay needs only fixed rational
//! ratios between 8, 16, 24, 32 and 48 kHz on `i16` frames, in place, with state carried
//! across packets and no allocation once warmed up. The prototype low-pass is a Kaiser-windowed
//! sinc (β = 8, ≈ 80 dB stop band) with 8 zero crossings per side at the lower of the two
//! Nyquist rates; cutoff at 90 % of that Nyquist frequency.

use super::CodecError;

/// Zero crossings of the sinc on each side of the centre tap.
const ZERO_CROSSINGS: usize = 8;
/// Kaiser window shape.
const KAISER_BETA: f64 = 8.0;
/// Fraction of the lower Nyquist frequency kept.
const CUTOFF: f64 = 0.90;
/// Largest interpolation or decimation factor after reduction (48000/8000 = 6; 44100 ↔ 48000
/// would need 147/160 and is refused).
pub const MAX_FACTOR: u32 = 48;

/// Stateful resampler from one rate to another, for `channels` interleaved channels.
#[derive(Debug, Clone)]
pub struct Resampler {
    from: u32,
    to: u32,
    channels: usize,
    up: usize,
    down: usize,
    taps: usize,
    /// `up` phases of `taps` coefficients each, phase-major.
    coeffs: Vec<f32>,
    /// Per-channel history (de-interleaved), primed with `taps - 1` zeros.
    history: Vec<Vec<f32>>,
    /// Position of the next output in up-sampled units, relative to history start.
    pos: usize,
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// Zeroth-order modified Bessel function of the first kind (series), for the Kaiser window.
fn bessel_i0(x: f64) -> f64 {
    let mut sum = 1.0;
    let mut term = 1.0;
    let q = x * x / 4.0;
    for k in 1..50 {
        term *= q / f64::from(k * k);
        sum += term;
        if term < sum * 1e-12 {
            break;
        }
    }
    sum
}

impl Resampler {
    /// A resampler from `from` Hz to `to` Hz. Fails when either rate is zero, `channels` is
    /// zero, or the reduced ratio exceeds [`MAX_FACTOR`].
    pub fn new(from: u32, to: u32, channels: usize) -> Result<Self, CodecError> {
        if from == 0 || to == 0 || channels == 0 || channels > 2 {
            return Err(CodecError::Unsupported("resampler rates/channels"));
        }
        let g = gcd(from, to);
        let (up, down) = (to / g, from / g);
        if up > MAX_FACTOR || down > MAX_FACTOR {
            return Err(CodecError::Unsupported("resampling ratio too large"));
        }
        let (up, down) = (up as usize, down as usize);
        let factor = up.max(down);
        let taps = 2 * ZERO_CROSSINGS * factor / up + 1;
        let len = taps * up;
        let centre = (len as f64 - 1.0) / 2.0;
        let fc = CUTOFF / (2.0 * factor as f64); // cycles per up-sampled sample
        let i0b = bessel_i0(KAISER_BETA);
        let proto: Vec<f64> = (0..len)
            .map(|n| {
                let t = n as f64 - centre;
                let sinc = if t == 0.0 {
                    2.0 * fc
                } else {
                    (2.0 * std::f64::consts::PI * fc * t).sin() / (std::f64::consts::PI * t)
                };
                let r = t / (centre + 1.0);
                let w = bessel_i0(KAISER_BETA * (1.0 - r * r).max(0.0).sqrt()) / i0b;
                sinc * w
            })
            .collect();
        // Polyphase split; each phase normalised to unity DC gain so tones keep their level.
        let mut coeffs = vec![0.0f32; len];
        for phase in 0..up {
            let sum: f64 = (0..taps)
                .map(|j| proto.get(phase + j * up).copied().unwrap_or(0.0))
                .sum();
            for j in 0..taps {
                let h = proto.get(phase + j * up).copied().unwrap_or(0.0);
                if let Some(c) = coeffs.get_mut(phase * taps + j) {
                    *c = (h / sum) as f32;
                }
            }
        }
        let history = (0..channels).map(|_| vec![0.0f32; taps - 1]).collect();
        Ok(Self {
            from,
            to,
            channels,
            up,
            down,
            taps,
            coeffs,
            history,
            pos: (taps - 1) * up,
        })
    }

    /// Input rate in Hz.
    pub fn from_rate(&self) -> u32 {
        self.from
    }

    /// Output rate in Hz.
    pub fn to_rate(&self) -> u32 {
        self.to
    }

    /// Frames of output that `input_frames` more input frames will produce, at most.
    pub fn max_output(&self, input_frames: usize) -> usize {
        (input_frames * self.up).div_ceil(self.down) + 1
    }

    /// Resamples interleaved `input` and appends the interleaved result to `out` (which is
    /// cleared first). `out` keeps its capacity across calls, so steady-state use does not
    /// allocate. Returns the number of output frames.
    pub fn process(&mut self, input: &[i16], out: &mut Vec<i16>) -> usize {
        out.clear();
        let ch = self.channels;
        for (c, hist) in self.history.iter_mut().enumerate() {
            hist.extend(input.iter().skip(c).step_by(ch).map(|s| f32::from(*s)));
        }
        let avail = self.history.first().map_or(0, Vec::len);
        let mut frames = 0;
        while self.pos / self.up < avail {
            let base = self.pos / self.up;
            let phase = self.pos % self.up;
            let h = self
                .coeffs
                .get(phase * self.taps..(phase + 1) * self.taps)
                .unwrap_or(&[]);
            for hist in &self.history {
                // y = Σ h[j] · x[base - j]
                let window = hist.get(base + 1 - self.taps..=base).unwrap_or(&[]);
                let acc: f32 = h.iter().zip(window.iter().rev()).map(|(a, b)| a * b).sum();
                out.push(acc.round().clamp(-32768.0, 32767.0) as i16);
            }
            frames += 1;
            self.pos += self.down;
        }
        // Keep only the last taps-1 samples the next output still needs.
        let keep_from = (self.pos / self.up + 1).saturating_sub(self.taps);
        for hist in &mut self.history {
            hist.drain(..keep_from.min(hist.len()));
        }
        self.pos -= keep_from * self.up;
        frames
    }

    /// Forgets all history (after a stream restart).
    pub fn reset(&mut self) {
        for hist in &mut self.history {
            hist.clear();
            hist.resize(self.taps - 1, 0.0);
        }
        self.pos = (self.taps - 1) * self.up;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn tone(freq: f64, rate: u32, n: usize, amp: f64) -> Vec<i16> {
        (0..n)
            .map(|i| {
                (amp * (2.0 * std::f64::consts::PI * freq * i as f64 / f64::from(rate)).sin())
                    as i16
            })
            .collect()
    }

    /// Goertzel power at `freq`, as an amplitude estimate.
    fn goertzel_amp(x: &[i16], freq: f64, rate: u32) -> f64 {
        let w = 2.0 * std::f64::consts::PI * freq / f64::from(rate);
        let coeff = 2.0 * w.cos();
        let (mut s1, mut s2) = (0.0, 0.0);
        for &v in x {
            let s0 = f64::from(v) + coeff * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        let power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
        2.0 * power.sqrt() / x.len() as f64
    }

    fn zero_crossing_freq(x: &[i16], rate: u32) -> f64 {
        let crossings = x.windows(2).filter(|w| (w[0] < 0) != (w[1] < 0)).count();
        crossings as f64 / 2.0 / (x.len() as f64 / f64::from(rate))
    }

    #[test]
    fn tone_preserved_across_rates() {
        for (from, to, freq) in [
            (8000, 48000, 1000.0),
            (48000, 8000, 1000.0),
            (16000, 48000, 3000.0),
            (48000, 16000, 440.0),
            (8000, 16000, 2000.0),
            (16000, 8000, 1500.0),
        ] {
            let mut r = Resampler::new(from, to, 1).unwrap();
            let input = tone(freq, from, from as usize, 10000.0); // one second
            let mut out = Vec::new();
            let mut all = Vec::new();
            // 20 ms packets, as the relay feeds it.
            for chunk in input.chunks(from as usize / 50) {
                r.process(chunk, &mut out);
                all.extend_from_slice(&out);
            }
            assert!(
                all.len().abs_diff(to as usize) <= 2,
                "{from}->{to}: {}",
                all.len()
            );
            let steady = &all[to as usize / 10..];
            let f = zero_crossing_freq(steady, to);
            let a = goertzel_amp(steady, freq, to);
            assert!((f - freq).abs() < freq * 0.01, "{from}->{to}: {f} Hz");
            assert!((a - 10000.0).abs() < 300.0, "{from}->{to}: amplitude {a}");
        }
    }

    #[test]
    fn out_of_band_rejected_when_decimating() {
        // 6 kHz at 48 kHz is above 8 kHz's Nyquist: must be attenuated by > 40 dB.
        let mut r = Resampler::new(48000, 8000, 1).unwrap();
        let input = tone(6000.0, 48000, 48000, 10000.0);
        let mut out = Vec::new();
        r.process(&input, &mut out);
        let rms = (out[800..]
            .iter()
            .map(|&v| f64::from(v).powi(2))
            .sum::<f64>()
            / (out.len() - 800) as f64)
            .sqrt();
        assert!(rms < 100.0, "rms {rms}");
    }

    #[test]
    fn stereo_and_errors() {
        let mut r = Resampler::new(48000, 16000, 2).unwrap();
        let left = tone(500.0, 48000, 960, 8000.0);
        let input: Vec<i16> = left.iter().flat_map(|&l| [l, -l]).collect();
        let mut out = Vec::new();
        assert_eq!(r.process(&input, &mut out), 320);
        assert_eq!(out.len(), 640);
        assert!(out
            .chunks(2)
            .skip(40)
            .all(|p| (i32::from(p[0]) + i32::from(p[1])).abs() <= 1));
        assert!(Resampler::new(44100, 48000, 1).is_err());
        assert!(Resampler::new(0, 48000, 1).is_err());
        r.reset();
    }
}
