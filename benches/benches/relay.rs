#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! The relay core's per-packet cost against the same work done by hand (the peer), in one
//! run, so the ratio is the relay's own overhead (port/session lookup, latch check, RTP
//! parse, receive statistics, header rewrite, counters).
//!
//! - `relay_forward/relay/<size>`: `Relay::handle_datagram` on a pass-through session, SRTP
//!   `AES_CM_128_HMAC_SHA1_80` in on leg A, `AEAD_AES_256_GCM` out on leg B.
//! - `relay_forward/direct/<size>`: `SrtpContext::unprotect_rtp` (CM128) then
//!   `protect_rtp` (GCM256) on the same packets.
//! - `relay_transcode/relay`: one 20 ms PCMU packet → Opus through a transcoding session.
//! - `relay_transcode/direct`: `codec::Transcoder::transcode` on the same payload.
//!
//! Input packets are protected in criterion's untimed batch setup (each iteration needs a
//! fresh sequence number: the replay window is live).
//!
//! `cargo bench -p roomgate-benches --bench relay`

use std::hint::black_box;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use roomgate_media::codec::{g711, AudioCodec, Transcoder};
use roomgate_media::relay::{
    Leg, LegConfig, Relay, RelayConfig, StreamConfig, StreamKind, StreamMode,
};
use roomgate_media::rtp::{RtpBuilder, RtpPacketMut};
use roomgate_media::srtp::{Policy, SrtpContext, Suite};

const SIZES: [usize; 2] = [160, 1200];
const A: &str = "127.0.0.1:5000";
const B: &str = "127.0.0.1:6000";

fn policy(s: Suite, seed: u8) -> Policy {
    let k: Vec<u8> = (0..s.master_key_len() as u8).map(|i| i ^ seed).collect();
    let salt: Vec<u8> = (0..s.master_salt_len() as u8).map(|i| i ^ 0xc3).collect();
    Policy::new(s, &k, &salt)
}

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn relay_with(stream: StreamConfig) -> (Relay, u16) {
    let now = Instant::now();
    let mut relay = Relay::new(now, RelayConfig::default());
    let id = relay.add_session(now, &[stream]).unwrap();
    let port = relay
        .local_ports(id, Leg::A, StreamKind::Audio)
        .unwrap()
        .rtp;
    (relay, port)
}

fn packet(payload: &[u8]) -> (Vec<u8>, usize) {
    let mut buf = vec![0u8; 2048];
    let n = RtpBuilder {
        payload_type: 0,
        ssrc: 0xa11ce,
        ..RtpBuilder::default()
    }
    .write(payload, &mut buf)
    .unwrap();
    (buf, n)
}

/// Next SRTP packet from leg A's far end (untimed).
fn next_srtp(tx: &mut SrtpContext, template: &[u8], len: usize, seq: &mut u32) -> (Vec<u8>, usize) {
    let mut buf = template.to_vec();
    *seq += 1;
    {
        let mut h = RtpPacketMut::new(&mut buf[..len]).unwrap();
        h.set_sequence_number(*seq as u16);
        h.set_timestamp(seq.wrapping_mul(160));
    }
    let n = tx.protect_rtp(&mut buf, len).unwrap();
    (buf, n)
}

fn forward(c: &mut Criterion) {
    let mut g = c.benchmark_group("relay_forward");
    g.measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500))
        .sample_size(30);
    for size in SIZES {
        g.throughput(Throughput::Bytes(size as u64));
        let (template, len) = packet(&vec![0x5a; size]);

        let (mut relay, port) = relay_with(StreamConfig {
            kind: StreamKind::Audio,
            mode: StreamMode::PassThrough,
            clock_rate: 8000,
            a: LegConfig {
                remote_rtp: Some(addr(A)),
                srtp_in: Some(policy(Suite::AesCm128HmacSha1_80, 1)),
                srtp_out: Some(policy(Suite::AesCm128HmacSha1_80, 2)),
                rewrite: true,
                ..LegConfig::default()
            },
            b: LegConfig {
                remote_rtp: Some(addr(B)),
                srtp_in: Some(policy(Suite::AeadAes256Gcm, 3)),
                srtp_out: Some(policy(Suite::AeadAes256Gcm, 4)),
                rewrite: true,
                ..LegConfig::default()
            },
        });
        let mut tx = SrtpContext::new(&policy(Suite::AesCm128HmacSha1_80, 1)).unwrap();
        let mut seq = 0u32;
        let now = Instant::now();
        g.bench_function(format!("relay/{size}"), |b| {
            b.iter_batched(
                || next_srtp(&mut tx, &template, len, &mut seq),
                |(mut buf, n)| {
                    let t = relay.handle_datagram(now, port, addr(A), &mut buf, n);
                    black_box((t, buf))
                },
                BatchSize::SmallInput,
            )
        });
        assert!(relay.stats().drops.total() == 0, "{:?}", relay.stats());

        let mut tx = SrtpContext::new(&policy(Suite::AesCm128HmacSha1_80, 1)).unwrap();
        let mut rx = SrtpContext::new(&policy(Suite::AesCm128HmacSha1_80, 1)).unwrap();
        let mut out = SrtpContext::new(&policy(Suite::AeadAes256Gcm, 4)).unwrap();
        let mut seq = 0u32;
        g.bench_function(format!("direct/{size}"), |b| {
            b.iter_batched(
                || next_srtp(&mut tx, &template, len, &mut seq),
                |(mut buf, n)| {
                    let p = rx.unprotect_rtp(&mut buf[..n]).unwrap();
                    let m = out.protect_rtp(&mut buf, p).unwrap();
                    black_box((m, buf))
                },
                BatchSize::SmallInput,
            )
        });
    }
    g.finish();
}

fn transcode(c: &mut Criterion) {
    let mut g = c.benchmark_group("relay_transcode");
    g.measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500))
        .sample_size(30);
    let tone: Vec<u8> = (0..160)
        .map(|i| {
            let s = 8000.0 * (2.0 * std::f64::consts::PI * 1000.0 * f64::from(i) / 8000.0).sin();
            g711::linear_to_ulaw(s as i16)
        })
        .collect();
    let opus = AudioCodec::Opus {
        channels: 1,
        bitrate: 32000,
    };
    let (template, len) = packet(&tone);
    let (mut relay, port) = relay_with(StreamConfig {
        kind: StreamKind::Audio,
        mode: StreamMode::Transcode,
        clock_rate: 8000,
        a: LegConfig {
            remote_rtp: Some(addr(A)),
            codec: Some((AudioCodec::Pcmu, 0)),
            rewrite: true,
            ..LegConfig::default()
        },
        b: LegConfig {
            remote_rtp: Some(addr(B)),
            codec: Some((opus, 111)),
            rewrite: true,
            ..LegConfig::default()
        },
    });
    let mut seq = 0u16;
    let now = Instant::now();
    g.bench_function("relay/pcmu_to_opus_20ms", |b| {
        b.iter_batched(
            || {
                let mut buf = template.clone();
                seq = seq.wrapping_add(1);
                RtpPacketMut::new(&mut buf[..len])
                    .unwrap()
                    .set_sequence_number(seq);
                buf
            },
            |mut buf| black_box(relay.handle_datagram(now, port, addr(A), &mut buf, len)),
            BatchSize::SmallInput,
        )
    });
    assert!(relay.stats().drops.total() == 0, "{:?}", relay.stats());
    let mut t = Transcoder::new(AudioCodec::Pcmu, opus).unwrap();
    let mut out = vec![0u8; 1500];
    g.bench_function("direct/pcmu_to_opus_20ms", |b| {
        b.iter(|| black_box(t.transcode(black_box(&tone), &mut out).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, forward, transcode);
criterion_main!(benches);
