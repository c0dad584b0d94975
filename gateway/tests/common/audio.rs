//! Test signals: sine tones written to 16-bit PCM WAV files, a tolerant WAV reader, and tone
//! detection with the Goertzel algorithm, so an end-to-end test can say "the recording holds a
//! 1000 Hz tone, its energy dominates, and there is no 440 Hz in it" rather than just "it is not
//! silent".
//!
//! Goertzel evaluates the discrete-time Fourier transform at one frequency, any frequency (not
//! only FFT bins). The analysis here runs it over consecutive 50 ms blocks (main lobe ±20 Hz) and
//! adds the blocks' energies, so small clock or resampling offsets do not matter and two tones a
//! few hundred hertz apart are cleanly separated.
#![allow(dead_code)]

use std::f64::consts::PI;
use std::fs;
use std::io;
use std::path::Path;

/// Length of one Goertzel analysis block: 50 ms.
const BLOCK_DIVISOR: u32 = 20;

/// PCM samples of a WAV file (16-bit, interleaved when `channels > 1`).
#[derive(Debug, Clone)]
pub struct Wav {
    pub rate: u32,
    pub channels: u16,
    pub samples: Vec<i16>,
}

impl Wav {
    /// Frames per channel.
    pub fn frames(&self) -> usize {
        self.samples.len() / usize::from(self.channels.max(1))
    }

    pub fn duration_secs(&self) -> f64 {
        self.frames() as f64 / f64::from(self.rate.max(1))
    }

    /// The channels averaged into one, as floats in the i16 range.
    pub fn mono(&self) -> Vec<f64> {
        let ch = usize::from(self.channels.max(1));
        self.samples
            .chunks(ch)
            .map(|frame| frame.iter().map(|&s| f64::from(s)).sum::<f64>() / frame.len() as f64)
            .collect()
    }

    /// `mono()` without the first `skip_start` and the last `skip_end` seconds (call set-up,
    /// jitter-buffer fill and hang-up leave silence or clicks at the edges).
    pub fn mono_trimmed(&self, skip_start: f64, skip_end: f64) -> Vec<f64> {
        let mono = self.mono();
        let rate = f64::from(self.rate);
        let start = ((skip_start * rate) as usize).min(mono.len());
        let end = mono
            .len()
            .saturating_sub((skip_end * rate) as usize)
            .max(start);
        mono.get(start..end).unwrap_or_default().to_vec()
    }
}

/// `secs` seconds of a sine at `freq` Hz, `amplitude` in 0..=1 of full scale, at `rate` Hz.
pub fn sine(freq: f64, rate: u32, secs: f64, amplitude: f64) -> Vec<i16> {
    let n = (secs * f64::from(rate)) as usize;
    let peak = amplitude.clamp(0.0, 1.0) * f64::from(i16::MAX);
    (0..n)
        .map(|i| (peak * (2.0 * PI * freq * i as f64 / f64::from(rate)).sin()).round() as i16)
        .collect()
}

/// Writes a canonical 44-byte-header PCM WAV (16-bit little-endian, interleaved).
pub fn write_wav(path: &Path, rate: u32, channels: u16, samples: &[i16]) -> io::Result<()> {
    let data_len = u32::try_from(samples.len() * 2)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "WAV data over 4 GiB"))?;
    let block_align = channels * 2;
    let mut out = Vec::with_capacity(44 + samples.len() * 2);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&channels.to_le_bytes());
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * u32::from(block_align)).to_le_bytes());
    out.extend_from_slice(&block_align.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    fs::write(path, out)
}

/// A mono sine WAV file (amplitude 0.5 of full scale: loud, and no clipping through G.711).
pub fn write_sine_wav(path: &Path, freq: f64, rate: u32, secs: f64) -> io::Result<()> {
    write_wav(path, rate, 1, &sine(freq, rate, secs, 0.5))
}

/// Reads a 16-bit PCM WAV. Tolerant of a file still being written (or whose writer was
/// killed): a `data` size of 0 or one running past the end means "the rest of the file".
pub fn read_wav(path: &Path) -> io::Result<Wav> {
    let bytes = fs::read(path)?;
    parse_wav(&bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

fn le_u16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn le_u32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

pub fn parse_wav(bytes: &[u8]) -> Result<Wav, String> {
    if bytes.get(0..4) != Some(b"RIFF") || bytes.get(8..12) != Some(b"WAVE") {
        return Err("not a RIFF/WAVE file".into());
    }
    let mut at = 12;
    let mut format: Option<(u16, u16, u32, u16)> = None;
    while at + 8 <= bytes.len() {
        let id = bytes.get(at..at + 4).unwrap_or_default();
        let size = le_u32(bytes, at + 4).unwrap_or(0) as usize;
        let body = at + 8;
        if id == b"fmt " {
            let tag = le_u16(bytes, body).ok_or("short fmt chunk")?;
            let channels = le_u16(bytes, body + 2).ok_or("short fmt chunk")?;
            let rate = le_u32(bytes, body + 4).ok_or("short fmt chunk")?;
            let bits = le_u16(bytes, body + 14).ok_or("short fmt chunk")?;
            format = Some((tag, channels, rate, bits));
        } else if id == b"data" {
            let (tag, channels, rate, bits) = format.ok_or("data chunk before fmt chunk")?;
            // 0xFFFE is WAVE_FORMAT_EXTENSIBLE, which libsndfile may use; its sub-format is
            // not checked, only the sample size.
            if !(tag == 1 || tag == 0xFFFE) || bits != 16 || channels == 0 {
                return Err(format!(
                    "unsupported WAV format: tag {tag}, {bits} bits, {channels} channels"
                ));
            }
            let rest = bytes.len() - body;
            let len = if size == 0 || size > rest { rest } else { size };
            let data = bytes.get(body..body + len).unwrap_or_default();
            let samples = data
                .chunks_exact(2)
                .map(|c| {
                    i16::from_le_bytes([
                        c.first().copied().unwrap_or(0),
                        c.get(1).copied().unwrap_or(0),
                    ])
                })
                .collect();
            return Ok(Wav {
                rate,
                channels,
                samples,
            });
        }
        at = body + size + (size & 1);
    }
    Err("no data chunk".into())
}

/// |X(freq)|² of `block` by the Goertzel recurrence (any frequency, not only bins).
fn goertzel(block: &[f64], rate: u32, freq: f64) -> f64 {
    let coeff = 2.0 * (2.0 * PI * freq / f64::from(rate)).cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &x in block {
        let s0 = x + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    (s1 * s1 + s2 * s2 - coeff * s1 * s2).max(0.0)
}

fn block_len(rate: u32) -> usize {
    (rate / BLOCK_DIVISOR).max(16) as usize
}

/// The energy (sum of squares) of `samples` that lies at `freq`: per 50 ms block, a sine of
/// amplitude A over N samples gives |X|² = (A·N/2)², and carries energy A²·N/2 = 2|X|²/N.
pub fn tone_energy(samples: &[f64], rate: u32, freq: f64) -> f64 {
    let n = block_len(rate);
    samples
        .chunks_exact(n)
        .map(|b| 2.0 * goertzel(b, rate, freq) / n as f64)
        .sum()
}

/// Total energy (sum of squares) over the same whole blocks [`tone_energy`] looks at.
pub fn total_energy(samples: &[f64], rate: u32) -> f64 {
    let n = block_len(rate);
    let whole = samples.len() / n * n;
    samples
        .get(..whole)
        .unwrap_or_default()
        .iter()
        .map(|x| x * x)
        .sum()
}

/// The share (0..≈1) of the signal's energy that is a tone at `freq`. A clean tone gives about
/// 1 (0.9 and more after G.711 or Opus); a different tone, or silence, gives about 0.
pub fn tone_power_ratio(samples: &[f64], rate: u32, freq: f64) -> f64 {
    let total = total_energy(samples, rate);
    if total <= 0.0 {
        return 0.0;
    }
    tone_energy(samples, rate, freq) / total
}

/// Root-mean-square level, in i16 units.
pub fn rms(samples: &[f64]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    (samples.iter().map(|x| x * x).sum::<f64>() / samples.len() as f64).sqrt()
}

/// The frequency with the most energy between 50 Hz and min(4 kHz, rate/2 − 50 Hz): a 10 Hz
/// scan, then a 1 Hz refinement around the best. At most 2 s of the input are looked at.
pub fn dominant_frequency(samples: &[f64], rate: u32) -> f64 {
    let limit = (2 * rate) as usize;
    let samples = samples.get(..limit.min(samples.len())).unwrap_or_default();
    let top = (f64::from(rate) / 2.0 - 50.0).min(4000.0);
    let best_in = |from: f64, to: f64, step: f64| {
        let mut best = (from, -1.0);
        let mut f = from;
        while f <= to {
            let e = tone_energy(samples, rate, f);
            if e > best.1 {
                best = (f, e);
            }
            f += step;
        }
        best.0
    };
    let coarse = best_in(50.0, top, 10.0);
    best_in((coarse - 10.0).max(50.0), (coarse + 10.0).min(top), 1.0)
}

/// What a recording holds, for assertion messages.
#[derive(Debug, Clone)]
pub struct ToneReport {
    pub rate: u32,
    pub channels: u16,
    pub seconds_analysed: f64,
    pub rms: f64,
    pub dominant_hz: f64,
    /// `(frequency, tone_power_ratio)` for each frequency asked about.
    pub ratios: Vec<(f64, f64)>,
}

/// Analyses `wav` (trimmed by 0.5 s at the start and 0.2 s at the end) at each of `freqs`.
pub fn analyse(wav: &Wav, freqs: &[f64]) -> ToneReport {
    let mono = wav.mono_trimmed(0.5, 0.2);
    ToneReport {
        rate: wav.rate,
        channels: wav.channels,
        seconds_analysed: mono.len() as f64 / f64::from(wav.rate.max(1)),
        rms: rms(&mono),
        dominant_hz: dominant_frequency(&mono, wav.rate),
        ratios: freqs
            .iter()
            .map(|&f| (f, tone_power_ratio(&mono, wav.rate, f)))
            .collect(),
    }
}

/// Asserts that the WAV at `path` holds at least `min_secs` of audio whose dominant frequency is
/// within 5 Hz of `expect_hz`, whose energy is at least 80 % that tone, and in which each of
/// `absent_hz` carries under 1 % of the energy. Returns the report.
pub fn assert_tone(path: &Path, expect_hz: f64, absent_hz: &[f64], min_secs: f64) -> ToneReport {
    let wav = read_wav(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut freqs = vec![expect_hz];
    freqs.extend_from_slice(absent_hz);
    let report = analyse(&wav, &freqs);
    let context = format!("{}: {report:?}", path.display());
    eprintln!("tone check {context}");
    assert!(
        report.seconds_analysed >= min_secs,
        "recording too short (want {min_secs} s after trimming): {context}"
    );
    assert!(
        report.rms > 300.0,
        "recording is (nearly) silent: {context}"
    );
    assert!(
        (report.dominant_hz - expect_hz).abs() <= 5.0,
        "dominant frequency is not {expect_hz} Hz: {context}"
    );
    for &(f, ratio) in &report.ratios {
        if f == expect_hz {
            assert!(
                ratio >= 0.8,
                "{f} Hz carries only {ratio:.3} of the energy: {context}"
            );
        } else {
            assert!(
                ratio < 0.01,
                "{f} Hz should be absent but has {ratio:.4}: {context}"
            );
        }
    }
    report
}
