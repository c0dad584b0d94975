#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::*;

fn tone(freq: f64, rate: u32, n: usize, amp: f64) -> Vec<i16> {
    (0..n)
        .map(|i| {
            (amp * (2.0 * std::f64::consts::PI * freq * i as f64 / f64::from(rate)).sin()) as i16
        })
        .collect()
}

fn goertzel_amp(x: &[i16], freq: f64, rate: u32) -> f64 {
    let w = 2.0 * std::f64::consts::PI * freq / f64::from(rate);
    let coeff = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0, 0.0);
    for &v in x {
        let s0 = f64::from(v) + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    2.0 * (s1 * s1 + s2 * s2 - coeff * s1 * s2).sqrt() / x.len() as f64
}

/// Runs `seconds` of a tone through a transcoder in 20 ms packets, decoding the result.
fn through(from: AudioCodec, to: AudioCodec, freq: f64) -> (Vec<i16>, u32) {
    let mut enc = Encoder::new(from).unwrap();
    let mut tc = Transcoder::new(from, to).unwrap();
    let mut dec = Decoder::new(to).unwrap();
    let rate = from.pcm_rate();
    let ch = from.channels();
    let mono = tone(freq, rate, rate as usize, 8000.0);
    let input: Vec<i16> = mono
        .iter()
        .flat_map(|&s| std::iter::repeat_n(s, ch))
        .collect();
    let frame = rate as usize / 50 * ch;
    let (mut p1, mut p2) = (vec![0u8; 1500], vec![0u8; 1500]);
    let mut pcm = vec![0i16; MAX_PCM_SAMPLES];
    let mut all = Vec::new();
    for chunk in input.chunks_exact(frame) {
        let n1 = enc.encode(chunk, &mut p1).unwrap();
        let n2 = tc.transcode(&p1[..n1], &mut p2).unwrap();
        let n3 = dec.decode(&p2[..n2], &mut pcm).unwrap();
        // Keep the first channel only.
        all.extend(pcm[..n3].iter().step_by(to.channels()));
    }
    (all, to.pcm_rate())
}

const OPUS_MONO: AudioCodec = AudioCodec::Opus {
    channels: 1,
    bitrate: 32000,
};
const OPUS_STEREO: AudioCodec = AudioCodec::Opus {
    channels: 2,
    bitrate: 64000,
};

#[test]
fn transcode_paths_keep_the_tone() {
    for (from, to) in [
        (AudioCodec::Pcmu, OPUS_MONO),
        (OPUS_MONO, AudioCodec::Pcma),
        (AudioCodec::G722, AudioCodec::Pcmu),
        (AudioCodec::Pcma, AudioCodec::G722),
        (OPUS_STEREO, AudioCodec::G722),
        (AudioCodec::Pcmu, OPUS_STEREO),
        (OPUS_MONO, OPUS_STEREO),
    ] {
        let (out, rate) = through(from, to, 1000.0);
        assert_eq!(out.len(), rate as usize, "{from:?} -> {to:?}");
        let steady = &out[rate as usize / 5..];
        let a = goertzel_amp(steady, 1000.0, rate);
        let off = goertzel_amp(steady, 1300.0, rate);
        // Lossy codecs twice over: level within 15 %, and the tone dominates.
        assert!((a - 8000.0).abs() < 1200.0, "{from:?} -> {to:?}: {a}");
        assert!(off < a / 20.0, "{from:?} -> {to:?}: {off} vs {a}");
    }
}

#[test]
fn opus_concealment_and_errors() {
    let mut dec = Decoder::new(OPUS_MONO).unwrap();
    let mut out = vec![0i16; MAX_PCM_SAMPLES];
    // Loss concealment with an empty payload yields a frame.
    assert!(dec.decode(&[], &mut out).unwrap() > 0);
    assert!(Decoder::new(AudioCodec::Opus {
        channels: 3,
        bitrate: 0
    })
    .is_err());
    let mut small = [0i16; 10];
    assert!(matches!(
        Decoder::new(AudioCodec::Pcmu)
            .unwrap()
            .decode(&[0; 20], &mut small),
        Err(CodecError::BufferTooSmall { need: 20, have: 10 })
    ));
    assert_eq!(
        format!("{dec:?}"),
        "Decoder(Opus { channels: 1, bitrate: 0 })"
    );
}
