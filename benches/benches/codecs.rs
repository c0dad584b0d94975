#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Media codecs: roomgate-media's adapters against calling the wrapped libraries directly.
//!
//! - `opus_transcode`: 1 s of 20 ms Opus packets (48 kHz mono, 32 kbit/s) decoded and encoded
//!   again. Ours: `codec::Transcoder`; peer: `opus` crate Decoder + Encoder with reused buffers.
//! - `h264_encode` / `h264_decode`: 320×240 moving gradient. Ours: `codec::video::H264Encoder`
//!   / `H264Decoder` (zero-copy picture view); peer: the `openh264`
//!   crate's Encoder/Decoder directly.
//! - `h264_depacketize`: RFC 6184 depacketizer throughput over 30 packetized frames (no peer).
//! - `g711`, `g722`: 1 s of audio encoded / decoded (no peer in the same run).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use openh264::formats::{YUVSlices, YUVSource};
use roomgate_media::codec::video::{H264Decoder, H264Encoder, H264EncoderConfig, I420};
use roomgate_media::codec::{g711, g722, AudioCodec, Transcoder};
use roomgate_media::h264::{Depacketizer, DepacketizerOutput, Packetizer};

const W: usize = 320;
const H: usize = 240;

fn tone(rate: u32, n: usize) -> Vec<i16> {
    let mut x: u32 = 1;
    (0..n)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let t = i as f64 / f64::from(rate);
            (6000.0 * (2.0 * std::f64::consts::PI * 440.0 * t).sin()
                + 3000.0 * (2.0 * std::f64::consts::PI * 1900.0 * t).sin()) as i16
                + (x % 512) as i16
                - 256
        })
        .collect()
}

fn gradient(frame: usize) -> Vec<u8> {
    let mut buf = vec![128u8; W * H * 3 / 2];
    for r in 0..H {
        for c in 0..W {
            buf[r * W + c] = ((r + c + 2 * frame) % 256) as u8;
        }
    }
    buf
}

fn opus_packets() -> Vec<Vec<u8>> {
    let pcm = tone(48000, 48000);
    let mut enc = opus::Encoder::new(48000, opus::Channels::Mono, opus::Application::Voip).unwrap();
    enc.set_bitrate(opus::Bitrate::Bits(32000)).unwrap();
    pcm.chunks_exact(960)
        .map(|f| {
            let mut out = vec![0u8; 1500];
            let n = enc.encode(f, &mut out).unwrap();
            out.truncate(n);
            out
        })
        .collect()
}

fn bench_opus(c: &mut Criterion) {
    let packets = opus_packets();
    let codec = AudioCodec::Opus {
        channels: 1,
        bitrate: 32000,
    };
    let mut g = c.benchmark_group("opus_transcode");
    g.throughput(Throughput::Elements(packets.len() as u64));
    let mut tc = Transcoder::new(codec, codec).unwrap();
    let mut out = vec![0u8; 1500];
    g.bench_function("roomgate", |b| {
        b.iter(|| {
            for p in &packets {
                black_box(tc.transcode(black_box(p), &mut out).unwrap());
            }
        })
    });
    let mut dec = opus::Decoder::new(48000, opus::Channels::Mono).unwrap();
    let mut enc = opus::Encoder::new(48000, opus::Channels::Mono, opus::Application::Voip).unwrap();
    enc.set_bitrate(opus::Bitrate::Bits(32000)).unwrap();
    let mut pcm = vec![0i16; 5760];
    g.bench_function("opus-direct", |b| {
        b.iter(|| {
            for p in &packets {
                let n = dec.decode(black_box(p), &mut pcm, false).unwrap();
                black_box(enc.encode(&pcm[..n], &mut out).unwrap());
            }
        })
    });
    g.finish();
}

fn bench_h264(c: &mut Criterion) {
    let frames: Vec<Vec<u8>> = (0..30).map(gradient).collect();
    let cfg = H264EncoderConfig {
        bitrate: 500_000,
        max_fps: 30.0,
    };
    let mut g = c.benchmark_group("h264_encode");
    g.throughput(Throughput::Elements(1));
    let mut ours = H264Encoder::new(cfg).unwrap();
    let mut i = 0;
    g.bench_function("roomgate", |b| {
        b.iter(|| {
            i = (i + 1) % frames.len();
            let pic = I420::from_contiguous(&frames[i], W, H).unwrap();
            black_box(ours.encode(&pic).unwrap().data.len())
        })
    });
    let config = openh264::encoder::EncoderConfig::new()
        .bitrate(openh264::encoder::BitRate::from_bps(500_000))
        .max_frame_rate(openh264::encoder::FrameRate::from_hz(30.0))
        .usage_type(openh264::encoder::UsageType::CameraVideoRealTime);
    let mut direct =
        openh264::encoder::Encoder::with_api_config(openh264::OpenH264API::from_source(), config)
            .unwrap();
    let mut buf = Vec::new();
    g.bench_function("openh264-direct", |b| {
        b.iter(|| {
            i = (i + 1) % frames.len();
            let f = &frames[i];
            let src = YUVSlices::new(
                (&f[..W * H], &f[W * H..W * H * 5 / 4], &f[W * H * 5 / 4..]),
                (W, H),
                (W, W / 2, W / 2),
            );
            let bs = direct.encode(&src).unwrap();
            buf.clear();
            bs.write_vec(&mut buf);
            black_box(buf.len())
        })
    });
    g.finish();

    // A 30-frame stream starting with an IDR, decoded in full each iteration.
    let mut enc = H264Encoder::new(cfg).unwrap();
    let aus: Vec<Vec<u8>> = frames
        .iter()
        .map(|f| {
            let pic = I420::from_contiguous(f, W, H).unwrap();
            enc.encode(&pic).unwrap().data.to_vec()
        })
        .collect();
    let mut g = c.benchmark_group("h264_decode");
    g.throughput(Throughput::Elements(aus.len() as u64));
    let mut ours = H264Decoder::new().unwrap();
    g.bench_function("roomgate", |b| {
        b.iter(|| {
            for au in &aus {
                black_box(ours.decode(au).unwrap().map(|p| p.y().len()));
            }
        })
    });
    let mut direct = openh264::decoder::Decoder::new().unwrap();
    g.bench_function("openh264-direct", |b| {
        b.iter(|| {
            for au in &aus {
                black_box(direct.decode(au).unwrap().map(|p| p.y().len()));
            }
        })
    });
    g.finish();

    // Depacketizer throughput.
    let mut pk = Packetizer::new(1200);
    let mut pkts = Vec::new();
    for (f, au) in aus.iter().enumerate() {
        pk.packetize(au, |p, m| pkts.push((f as u32 * 3000, m, p.to_vec())));
    }
    let mut g = c.benchmark_group("h264_depacketize");
    g.throughput(Throughput::Elements(pkts.len() as u64));
    let mut dp = Depacketizer::new(16);
    let mut seq: u16 = 0;
    let mut ts_base: u32 = 0;
    g.bench_function("roomgate", |b| {
        b.iter(|| {
            for (ts, m, p) in &pkts {
                dp.handle_packet(seq, ts_base.wrapping_add(*ts), *m, p);
                seq = seq.wrapping_add(1);
                while let Some(o) = dp.poll_output() {
                    if let DepacketizerOutput::AccessUnit(au) = o {
                        dp.recycle(black_box(au).data);
                    }
                }
            }
            ts_base = ts_base.wrapping_add(90_000);
        })
    });
    g.finish();
}

fn bench_g7xx(c: &mut Criterion) {
    let pcm8 = tone(8000, 8000);
    let pcm16 = tone(16000, 16000);
    let mut bytes = vec![0u8; 8000];
    let mut out = vec![0i16; 16000];
    let mut g = c.benchmark_group("g711");
    g.throughput(Throughput::Elements(8000));
    g.bench_function("ulaw_encode", |b| {
        b.iter(|| g711::encode_ulaw(black_box(&pcm8), &mut bytes))
    });
    g.bench_function("ulaw_decode", |b| {
        b.iter(|| g711::decode_ulaw(black_box(&bytes), &mut out))
    });
    g.bench_function("alaw_encode", |b| {
        b.iter(|| g711::encode_alaw(black_box(&pcm8), &mut bytes))
    });
    g.bench_function("alaw_decode", |b| {
        b.iter(|| g711::decode_alaw(black_box(&bytes), &mut out))
    });
    g.finish();
    let mut g = c.benchmark_group("g722");
    g.throughput(Throughput::Elements(16000));
    let mut enc = g722::G722Encoder::new();
    g.bench_function("encode", |b| {
        b.iter(|| enc.encode(black_box(&pcm16), &mut bytes))
    });
    let mut dec = g722::G722Decoder::new();
    g.bench_function("decode", |b| {
        b.iter(|| dec.decode(black_box(&bytes), &mut out))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500))
        .sample_size(20);
    targets = bench_opus, bench_h264, bench_g7xx
}
criterion_main!(benches);
