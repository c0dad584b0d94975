#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! SRTP protect / unprotect: roomgate-media against Debian's libsrtp2 (2.5, built on NSS),
//! the same packets through both in one criterion group per suite and payload size.
//!
//! - `protect/<suite>/<size>`: one RTP packet (12-byte header + payload) protected in place.
//! - `unprotect/<suite>/<size>`: one valid SRTP packet authenticated and decrypted in place
//!   (each iteration gets the next sequence number, so the replay window is exercised as in
//!   real traffic).
//! - `forward/<size>`: the relay's re-encryption, unprotect `AES_CM_128_HMAC_SHA1_80` then
//!   protect `AEAD_AES_256_GCM`.
//!
//! Input packets are made in criterion's untimed batch setup, so only the transform is
//! timed, and both sides get identical work. Peer: libsrtp2 via
//! `roomgate-media-test-support` (FFI, `srtp_protect` / `srtp_unprotect`).
//!
//! `cargo bench -p roomgate-benches --features libsrtp --bench srtp`

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use roomgate_media::srtp::{Policy, SrtpContext, Suite};
use roomgate_media_test_support::libsrtp::{LibSrtp, Profile, MAX_TRAILER};

const SIZES: [usize; 2] = [160, 1200];

fn profile(s: Suite) -> Profile {
    match s {
        Suite::AesCm128HmacSha1_80 => Profile::AesCm128HmacSha1_80,
        Suite::AesCm128HmacSha1_32 => Profile::AesCm128HmacSha1_32,
        Suite::AesCm256HmacSha1_80 => Profile::AesCm256HmacSha1_80,
        Suite::AesCm256HmacSha1_32 => Profile::AesCm256HmacSha1_32,
        Suite::AeadAes128Gcm => Profile::AeadAes128Gcm,
        Suite::AeadAes256Gcm => Profile::AeadAes256Gcm,
    }
}

fn keys(s: Suite) -> (Vec<u8>, Vec<u8>) {
    (
        (0..s.master_key_len() as u8).map(|i| i ^ 0x3c).collect(),
        (0..s.master_salt_len() as u8).map(|i| i ^ 0xc3).collect(),
    )
}

fn ours(s: Suite) -> SrtpContext {
    let (k, salt) = keys(s);
    SrtpContext::new(&Policy::new(s, &k, &salt)).unwrap()
}

fn lib(s: Suite, outbound: bool) -> LibSrtp {
    let (mut k, salt) = keys(s);
    k.extend_from_slice(&salt);
    LibSrtp::new(profile(s), &k, outbound, 128, None)
        .unwrap_or_else(|rc| panic!("libsrtp2 refused {s}: {rc}"))
}

/// A plaintext RTP packet with room for any trailer; returns (buffer, packet length).
fn plain(seq: u16, size: usize) -> (Vec<u8>, usize) {
    let mut v = vec![0x80, 0x60];
    v.extend_from_slice(&seq.to_be_bytes());
    v.extend_from_slice(&(u32::from(seq) * 960).to_be_bytes());
    v.extend_from_slice(&0x1234_5678u32.to_be_bytes());
    v.extend((0..size).map(|i| i as u8));
    let len = v.len();
    v.resize(len + MAX_TRAILER, 0);
    (v, len)
}

/// Produces successive SRTP packets of `suite` (untimed setup for unprotect benches).
struct Producer {
    tx: SrtpContext,
    seq: u16,
    size: usize,
}

impl Producer {
    fn new(suite: Suite, size: usize) -> Self {
        Self {
            tx: ours(suite),
            seq: 0,
            size,
        }
    }
    fn next(&mut self) -> (Vec<u8>, usize) {
        self.seq = self.seq.wrapping_add(1);
        let (mut v, len) = plain(self.seq, self.size);
        let n = self.tx.protect_rtp(&mut v, len).unwrap();
        (v, n)
    }
}

fn config() -> Criterion {
    Criterion::default()
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_secs(1))
        .sample_size(30)
}

fn bench_protect(c: &mut Criterion) {
    for suite in Suite::ALL {
        for size in SIZES {
            let mut g = c.benchmark_group(format!("protect/{suite}/{size}"));
            g.throughput(Throughput::Bytes(size as u64));
            let mut tx = ours(suite);
            let mut seq = 0u16;
            g.bench_function("roomgate", |b| {
                b.iter_batched_ref(
                    || {
                        seq = seq.wrapping_add(1);
                        plain(seq, size)
                    },
                    |(buf, len)| black_box(tx.protect_rtp(buf, *len).unwrap()),
                    BatchSize::SmallInput,
                )
            });
            let mut tx = lib(suite, true);
            let mut seq = 0u16;
            g.bench_function("libsrtp2", |b| {
                b.iter_batched_ref(
                    || {
                        seq = seq.wrapping_add(1);
                        plain(seq, size)
                    },
                    |(buf, len)| black_box(tx.protect(buf, *len).unwrap()),
                    BatchSize::SmallInput,
                )
            });
            g.finish();
        }
    }
}

fn bench_unprotect(c: &mut Criterion) {
    for suite in Suite::ALL {
        for size in SIZES {
            let mut g = c.benchmark_group(format!("unprotect/{suite}/{size}"));
            g.throughput(Throughput::Bytes(size as u64));
            let mut rx = ours(suite);
            let mut p = Producer::new(suite, size);
            g.bench_function("roomgate", |b| {
                b.iter_batched_ref(
                    || p.next(),
                    |(buf, len)| black_box(rx.unprotect_rtp(&mut buf[..*len]).unwrap()),
                    BatchSize::SmallInput,
                )
            });
            let mut rx = lib(suite, false);
            let mut p = Producer::new(suite, size);
            g.bench_function("libsrtp2", |b| {
                b.iter_batched_ref(
                    || p.next(),
                    |(buf, len)| black_box(rx.unprotect(buf, *len).unwrap()),
                    BatchSize::SmallInput,
                )
            });
            g.finish();
        }
    }
}

fn bench_forward(c: &mut Criterion) {
    let (from, to) = (Suite::AesCm128HmacSha1_80, Suite::AeadAes256Gcm);
    for size in SIZES {
        let mut g = c.benchmark_group(format!("forward/{from}->{to}/{size}"));
        g.throughput(Throughput::Bytes(size as u64));
        let (mut rx, mut tx) = (ours(from), ours(to));
        let mut p = Producer::new(from, size);
        g.bench_function("roomgate", |b| {
            b.iter_batched_ref(
                || p.next(),
                |(buf, len)| {
                    let n = rx.unprotect_rtp(&mut buf[..*len]).unwrap();
                    black_box(tx.protect_rtp(buf, n).unwrap())
                },
                BatchSize::SmallInput,
            )
        });
        let (mut rx, mut tx) = (lib(from, false), lib(to, true));
        let mut p = Producer::new(from, size);
        g.bench_function("libsrtp2", |b| {
            b.iter_batched_ref(
                || p.next(),
                |(buf, len)| {
                    let n = rx.unprotect(buf, *len).unwrap();
                    black_box(tx.protect(buf, n).unwrap())
                },
                BatchSize::SmallInput,
            )
        });
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_protect, bench_unprotect, bench_forward
}
criterion_main!(benches);
