//! The spoken IVR prompts, embedded in the binary so a gateway needs no files beside it to ask
//! for a PIN.
//!
//! The WAVs in `gateway/prompts/` are espeak-ng's output as `scripts/make-prompts.sh` writes
//! it: mono 16-bit PCM at 22050 Hz. They are resampled to the 8 kHz the call legs use here, at
//! load time, rather than in the script, so regenerating them needs nothing but espeak-ng.
//! The WAV reader is a small chunk walker with bounds checks: the input is ours, but a bad
//! regeneration must give an error, not a panic.

use roomgate_media::codec::resample::Resampler;
use roomgate_media::codec::CodecError;

/// Sample rate of every prompt after loading: narrowband telephony.
pub const PROMPT_RATE: u32 = 8_000;

/// Largest WAV accepted (about 30 s of 48 kHz audio): a prompt is a sentence.
pub const MAX_WAV_BYTES: usize = 3 * 1024 * 1024;

/// Rates a prompt is resampled through when the resampler cannot reach 8 kHz in one step:
/// 22050 Hz (espeak-ng) to 8000 Hz is 160/441, beyond the resampler's largest factor, while
/// 22050 → 16800 (16/21) → 8000 (10/21) is within it.
const INTERMEDIATE_RATES: [u32; 2] = [16_800, 16_000];

/// Zero samples appended before resampling, so the filter's delay line is flushed and the
/// end of the speech is not cut off; more than half the longest filter the rates above need.
const FLUSH_SAMPLES: usize = 128;

/// Why a prompt could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PromptError {
    #[error("WAV truncated at byte {offset}")]
    Truncated { offset: usize },
    #[error("not a RIFF/WAVE file")]
    NotWave,
    #[error("WAV larger than {MAX_WAV_BYTES} bytes")]
    TooLarge,
    #[error("WAV has no fmt chunk before its data chunk")]
    MissingFormat,
    #[error("WAV has no data chunk")]
    MissingData,
    #[error("unsupported WAV: {0} (need mono 16-bit PCM)")]
    Unsupported(&'static str),
    #[error("cannot resample from {from} Hz to {PROMPT_RATE} Hz: {source}")]
    Resample { from: u32, source: CodecError },
}

/// The six prompts of the PIN and meeting-ID IVR (played by the call core's PIN entry).
pub use roomgate_core::call::Prompts;

/// The prompts built into the binary, as 8 kHz mono PCM. Fails only if a committed WAV is
/// broken, which the unit tests rule out; callers can still treat it as a startup error
/// instead of a panic.
pub fn embedded() -> Result<Prompts, PromptError> {
    Ok(Prompts {
        enter_pin: load_wav(include_bytes!("../prompts/enter-pin.wav"))?,
        wrong_pin: load_wav(include_bytes!("../prompts/wrong-pin.wav"))?,
        joining: load_wav(include_bytes!("../prompts/joining.wav"))?,
        disconnected: load_wav(include_bytes!("../prompts/disconnected.wav"))?,
        enter_meeting_id: load_wav(include_bytes!("../prompts/enter-meeting-id.wav"))?,
        wrong_meeting_id: load_wav(include_bytes!("../prompts/wrong-meeting-id.wav"))?,
    })
}

/// The same prompts at `rate` Hz (a call leg's codec rate: 16 kHz for G.722, 48 kHz for
/// Opus), made once per rate at startup so playback never resamples.
pub fn at_rate(prompts: &Prompts, rate: u32) -> Result<Prompts, PromptError> {
    if rate == PROMPT_RATE {
        return Ok(prompts.clone());
    }
    let one = |s: &[i16]| -> Result<Vec<i16>, PromptError> {
        let mut r =
            Resampler::new(PROMPT_RATE, rate, 1).map_err(|source| PromptError::Resample {
                from: PROMPT_RATE,
                source,
            })?;
        Ok(resample_all(&mut r, s))
    };
    Ok(Prompts {
        enter_pin: one(&prompts.enter_pin)?,
        wrong_pin: one(&prompts.wrong_pin)?,
        joining: one(&prompts.joining)?,
        disconnected: one(&prompts.disconnected)?,
        enter_meeting_id: one(&prompts.enter_meeting_id)?,
        wrong_meeting_id: one(&prompts.wrong_meeting_id)?,
    })
}

/// Mono 16-bit PCM from a WAV file, at its own rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pcm {
    pub rate: u32,
    pub samples: Vec<i16>,
}

/// Parses a WAV and resamples it to [`PROMPT_RATE`].
pub fn load_wav(bytes: &[u8]) -> Result<Vec<i16>, PromptError> {
    let pcm = parse_wav(bytes)?;
    to_prompt_rate(pcm)
}

fn slice(bytes: &[u8], offset: usize, len: usize) -> Result<&[u8], PromptError> {
    offset
        .checked_add(len)
        .and_then(|end| bytes.get(offset..end))
        .ok_or(PromptError::Truncated { offset })
}

fn u16_at(bytes: &[u8], offset: usize) -> Result<u16, PromptError> {
    let b = slice(bytes, offset, 2)?;
    Ok(u16::from_le_bytes([
        b.first().copied().unwrap_or(0),
        b.get(1).copied().unwrap_or(0),
    ]))
}

fn u32_at(bytes: &[u8], offset: usize) -> Result<u32, PromptError> {
    let b = slice(bytes, offset, 4)?;
    let mut a = [0u8; 4];
    a.copy_from_slice(b);
    Ok(u32::from_le_bytes(a))
}

/// Walks the RIFF chunks: `fmt ` must say PCM (format 1), one channel, 16 bits; `data` is the
/// samples. Other chunks (LIST, fact, ...) are skipped. Every length is checked against the
/// input before it is used.
pub fn parse_wav(bytes: &[u8]) -> Result<Pcm, PromptError> {
    if bytes.len() > MAX_WAV_BYTES {
        return Err(PromptError::TooLarge);
    }
    if slice(bytes, 0, 4)? != b"RIFF" || slice(bytes, 8, 4)? != b"WAVE" {
        return Err(PromptError::NotWave);
    }
    let mut offset = 12;
    let mut rate = None;
    while offset < bytes.len() {
        let id = slice(bytes, offset, 4)?;
        let len = usize::try_from(u32_at(bytes, offset + 4)?).map_err(|_| PromptError::TooLarge)?;
        let body_at = offset + 8;
        let body = slice(bytes, body_at, len)?;
        match id {
            b"fmt " => {
                if len < 16 {
                    return Err(PromptError::Truncated { offset: body_at });
                }
                if u16_at(body, 0)? != 1 {
                    return Err(PromptError::Unsupported("not integer PCM"));
                }
                if u16_at(body, 2)? != 1 {
                    return Err(PromptError::Unsupported("not mono"));
                }
                if u16_at(body, 14)? != 16 {
                    return Err(PromptError::Unsupported("not 16 bits per sample"));
                }
                let r = u32_at(body, 4)?;
                if r == 0 {
                    return Err(PromptError::Unsupported("sample rate 0"));
                }
                rate = Some(r);
            }
            b"data" => {
                let rate = rate.ok_or(PromptError::MissingFormat)?;
                let samples = body
                    .chunks_exact(2)
                    .map(|pair| match pair {
                        [lo, hi] => i16::from_le_bytes([*lo, *hi]),
                        _ => 0,
                    })
                    .collect();
                return Ok(Pcm { rate, samples });
            }
            _ => {}
        }
        // Chunks are padded to an even length.
        offset = body_at + len + (len & 1);
    }
    Err(PromptError::MissingData)
}

/// Resamples to [`PROMPT_RATE`], directly or through one of [`INTERMEDIATE_RATES`].
fn to_prompt_rate(pcm: Pcm) -> Result<Vec<i16>, PromptError> {
    if pcm.rate == PROMPT_RATE {
        return Ok(pcm.samples);
    }
    let err = |source| PromptError::Resample {
        from: pcm.rate,
        source,
    };
    let direct = Resampler::new(pcm.rate, PROMPT_RATE, 1);
    let first_error = match direct {
        Ok(mut r) => return Ok(resample_all(&mut r, &pcm.samples)),
        Err(e) => e,
    };
    for mid in INTERMEDIATE_RATES {
        if let (Ok(mut a), Ok(mut b)) = (
            Resampler::new(pcm.rate, mid, 1),
            Resampler::new(mid, PROMPT_RATE, 1),
        ) {
            let halfway = resample_all(&mut a, &pcm.samples);
            return Ok(resample_all(&mut b, &halfway));
        }
    }
    Err(err(first_error))
}

/// One whole signal through `r`, flushed with [`FLUSH_SAMPLES`] zeros.
fn resample_all(r: &mut Resampler, samples: &[i16]) -> Vec<i16> {
    let mut input = Vec::with_capacity(samples.len() + FLUSH_SAMPLES);
    input.extend_from_slice(samples);
    input.resize(samples.len() + FLUSH_SAMPLES, 0);
    let mut out = Vec::with_capacity(r.max_output(input.len()));
    r.process(&input, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rms(samples: &[i16]) -> f64 {
        let sum: f64 = samples.iter().map(|s| f64::from(*s).powi(2)).sum();
        (sum / samples.len().max(1) as f64).sqrt()
    }

    fn wav(rate: u32, samples: &[i16]) -> Vec<u8> {
        let data_len = u32::try_from(samples.len() * 2).unwrap();
        let mut v = Vec::new();
        v.extend_from_slice(b"RIFF");
        v.extend_from_slice(&(36 + data_len).to_le_bytes());
        v.extend_from_slice(b"WAVEfmt ");
        v.extend_from_slice(&16u32.to_le_bytes());
        v.extend_from_slice(&1u16.to_le_bytes());
        v.extend_from_slice(&1u16.to_le_bytes());
        v.extend_from_slice(&rate.to_le_bytes());
        v.extend_from_slice(&(rate * 2).to_le_bytes());
        v.extend_from_slice(&2u16.to_le_bytes());
        v.extend_from_slice(&16u16.to_le_bytes());
        v.extend_from_slice(b"data");
        v.extend_from_slice(&data_len.to_le_bytes());
        for s in samples {
            v.extend_from_slice(&s.to_le_bytes());
        }
        v
    }

    #[test]
    fn embedded_prompts_are_speech_of_sensible_length() {
        let p = embedded().unwrap();
        for (name, samples) in [
            ("enter_pin", &p.enter_pin),
            ("wrong_pin", &p.wrong_pin),
            ("joining", &p.joining),
            ("disconnected", &p.disconnected),
            ("enter_meeting_id", &p.enter_meeting_id),
            ("wrong_meeting_id", &p.wrong_meeting_id),
        ] {
            let seconds = samples.len() as f64 / f64::from(PROMPT_RATE);
            assert!((0.5..=6.0).contains(&seconds), "{name}: {seconds} s");
            // Speech at espeak-ng's level is in the thousands; silence or a broken
            // resampler would be near zero.
            assert!(rms(samples) > 300.0, "{name}: rms {}", rms(samples));
        }
    }

    #[test]
    fn committed_files_are_what_the_script_writes() {
        let pcm = parse_wav(include_bytes!("../prompts/joining.wav")).unwrap();
        assert_eq!(pcm.rate, 22_050);
    }

    #[test]
    fn resampling_keeps_duration_and_level() {
        // 1 s of a 440 Hz tone at 22050 Hz becomes about 1 s at 8 kHz, same level.
        let tone: Vec<i16> = (0..22_050)
            .map(|n| {
                (8000.0 * (2.0 * std::f64::consts::PI * 440.0 * n as f64 / 22_050.0).sin()) as i16
            })
            .collect();
        let out = load_wav(&wav(22_050, &tone)).unwrap();
        assert!((7_900..=8_200).contains(&out.len()), "{}", out.len());
        let middle = &out[1000..7000];
        let ratio = rms(middle) / rms(&tone);
        assert!((0.9..=1.1).contains(&ratio), "{ratio}");
        // 8 kHz passes through unchanged; 16 kHz goes down directly.
        assert_eq!(load_wav(&wav(8_000, &tone)).unwrap(), tone);
        assert!(load_wav(&wav(16_000, &tone)).unwrap().len() > 11_000);
    }

    #[test]
    fn truncated_and_garbage_input_is_refused_without_panicking() {
        let good = include_bytes!("../prompts/wrong-pin.wav");
        // Every truncation inside the headers, and a few inside the data.
        for end in (0..64).chain([good.len() / 2, good.len() - 1]) {
            assert!(parse_wav(&good[..end]).is_err(), "accepted {end} bytes");
        }
        assert_eq!(parse_wav(b""), Err(PromptError::Truncated { offset: 0 }));
        assert_eq!(
            parse_wav(b"RIFF\0\0\0\0AVI LIST"),
            Err(PromptError::NotWave)
        );
        // A chunk length pointing far past the end.
        let mut huge = wav(8_000, &[1, 2, 3]);
        huge[40..44].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            parse_wav(&huge),
            Err(PromptError::Truncated { .. })
        ));
        // Data before fmt, stereo, 8-bit, float, no data.
        let mut no_fmt = b"RIFF\0\0\0\0WAVEdata\x02\0\0\0\x01\x00".to_vec();
        assert_eq!(parse_wav(&no_fmt), Err(PromptError::MissingFormat));
        no_fmt.truncate(12);
        assert_eq!(parse_wav(&no_fmt), Err(PromptError::MissingData));
        for (at, value, what) in [
            (22, 2u16, "not mono"),
            (34, 8, "not 16 bits per sample"),
            (20, 3, "not integer PCM"),
        ] {
            let mut w = wav(8_000, &[1, 2, 3]);
            w[at..at + 2].copy_from_slice(&value.to_le_bytes());
            assert_eq!(parse_wav(&w), Err(PromptError::Unsupported(what)));
        }
        // An odd rate the resampler cannot reach is an error, not a panic.
        assert!(matches!(
            load_wav(&wav(44_101, &[0; 100])),
            Err(PromptError::Resample { from: 44_101, .. })
        ));
        // Random bytes after a valid header prefix.
        let mut state = 0x1234_5678u32;
        for _ in 0..2000 {
            let len = (state % 80) as usize;
            let mut junk = good[..12].to_vec();
            for _ in 0..len {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                junk.push((state >> 24) as u8);
            }
            let _ = load_wav(&junk);
        }
    }
}
