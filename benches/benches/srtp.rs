#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    // As in roomgate-media: key schedules inline, no pointer chase per packet.
    clippy::large_enum_variant
)]
//! SRTP protect / unprotect: roomgate-media against the crypto floor and against Debian's
//! libsrtp2 (2.5, built on NSS), the same packets through all three in one criterion group
//! per direction, suite and payload size, so the ratios read straight off one run:
//!
//! - `protect/<suite>/<size>/{floor,roomgate,libsrtp2}`: one RTP packet (12-byte header +
//!   payload) protected in place.
//! - `unprotect/<suite>/<size>/{floor,roomgate,libsrtp2}`: one valid SRTP packet
//!   authenticated and decrypted in place (each iteration gets the next sequence number, so
//!   the replay window is exercised as in real traffic).
//! - `forward/<from>-><to>/<size>/{floor,roomgate,libsrtp2}`: the relay's re-encryption,
//!   unprotect `AES_CM_128_HMAC_SHA1_80` then protect `AEAD_AES_256_GCM`.
//!
//! **floor** is the raw library calls doing the same crypto work as one SRTP packet, with
//! the same libraries roomgate-media uses (see `media/src/srtp/crypto.rs`): for AES-CM,
//! the RustCrypto CTR keystream over the payload (key schedule expanded once) and
//! HMAC-SHA1 over header || payload || ROC (pads hashed once) with the truncated tag written
//! or compared in constant time; for AES-GCM, aws-lc's in-place seal / open with the header
//! as AAD. Its keys are the session keys roomgate derives (the RFC 3711 KDF, done here with
//! the same AES-CTR), and [`check_floor`] asserts before timing that its packets are
//! byte-identical to roomgate's, so both do exactly the same work. What roomgate adds on
//! top is header parsing, the SSRC table, ROC estimation, replay window, MKI, lifetime and
//! counters.
//!
//! Input packets are made in criterion's untimed batch setup, so only the transform is
//! timed. Peer: libsrtp2 via `roomgate-media-test-support` (FFI).
//!
//! `cargo bench -p roomgate-benches --features libsrtp --bench srtp -- --warm-up-time 1
//! --measurement-time 3`

use std::hint::black_box;
use std::time::Duration;

use aes::cipher::{InnerIvInit, KeyInit, KeyIvInit, StreamCipher};
use aes::{Aes128, Aes128Enc, Aes256, Aes256Enc};
use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_128_GCM, AES_256_GCM};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use hmac::{Hmac, Mac};
use roomgate_media::srtp::{Policy, SrtpContext, Suite};
use roomgate_media_test_support::libsrtp::{LibSrtp, Profile, MAX_TRAILER};
use sha1::Sha1;
use subtle::ConstantTimeEq;

const SIZES: [usize; 2] = [160, 1200];
const HDR: usize = 12;

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
        let (v, n, _) = self.next_with_roc();
        (v, n)
    }
    /// Also the packet's ROC, which the floor needs for the MAC / nonce (the sequence number
    /// wraps in long runs).
    fn next_with_roc(&mut self) -> (Vec<u8>, usize, u32) {
        self.seq = self.seq.wrapping_add(1);
        let (mut v, len) = plain(self.seq, self.size);
        let n = self.tx.protect_rtp(&mut v, len).unwrap();
        (v, n, self.tx.roc(0x1234_5678).unwrap())
    }
}

/// RFC 3711 §4.3 KDF (rate 0) with the library's AES-CTR: the floor's session keys.
fn kdf(master_key: &[u8], master_salt: &[u8], label: u8, out: &mut [u8]) {
    let mut iv = [0u8; 16];
    iv[..master_salt.len()].copy_from_slice(master_salt);
    iv[7] ^= label;
    out.fill(0);
    if master_key.len() == 32 {
        ctr::Ctr128BE::<Aes256>::new_from_slices(master_key, &iv)
            .unwrap()
            .apply_keystream(out);
    } else {
        ctr::Ctr128BE::<Aes128>::new_from_slices(master_key, &iv)
            .unwrap()
            .apply_keystream(out);
    }
}

#[derive(Clone)]
enum CmKey {
    A128(Aes128Enc),
    A256(Aes256Enc),
}

/// The raw library calls for one SRTP packet, keys set up once (see the module doc).
enum Floor {
    Cm {
        key: CmKey,
        salt: [u8; 14],
        mac: Hmac<Sha1>,
        tag_len: usize,
    },
    Gcm {
        key: LessSafeKey,
        salt: [u8; 12],
    },
}

impl Floor {
    fn new(suite: Suite) -> Self {
        let (mk, ms) = keys(suite);
        let mut k = vec![0u8; suite.master_key_len()];
        kdf(&mk, &ms, 0, &mut k);
        if suite.is_aead() {
            let mut salt = [0u8; 12];
            kdf(&mk, &ms, 2, &mut salt);
            let alg = if k.len() == 32 {
                &AES_256_GCM
            } else {
                &AES_128_GCM
            };
            let key = LessSafeKey::new(UnboundKey::new(alg, &k).unwrap());
            Floor::Gcm { key, salt }
        } else {
            let mut salt = [0u8; 14];
            kdf(&mk, &ms, 2, &mut salt);
            let mut auth = [0u8; 20];
            kdf(&mk, &ms, 1, &mut auth);
            let key = if k.len() == 32 {
                CmKey::A256(Aes256Enc::new_from_slice(&k).unwrap())
            } else {
                CmKey::A128(Aes128Enc::new_from_slice(&k).unwrap())
            };
            let mac = <Hmac<Sha1> as KeyInit>::new_from_slice(&auth).unwrap();
            Floor::Cm {
                key,
                salt,
                mac,
                tag_len: suite.srtp_tag_len(),
            }
        }
    }

    /// SSRC and sequence number of the fixed 12-byte header.
    fn ssrc_seq(pkt: &[u8]) -> ([u8; 4], [u8; 2]) {
        (
            pkt[8..12].try_into().unwrap(),
            pkt[2..4].try_into().unwrap(),
        )
    }

    fn ctr(key: &CmKey, salt: &[u8; 14], roc: u32, pkt: &mut [u8]) {
        let (ssrc, seq) = Self::ssrc_seq(pkt);
        let mut iv = [0u8; 16];
        iv[..14].copy_from_slice(salt);
        for (d, s) in iv[4..8].iter_mut().zip(ssrc) {
            *d ^= s;
        }
        for (d, s) in iv[8..12].iter_mut().zip(roc.to_be_bytes()) {
            *d ^= s;
        }
        for (d, s) in iv[12..14].iter_mut().zip(seq) {
            *d ^= s;
        }
        let data = &mut pkt[HDR..];
        match key {
            CmKey::A128(k) => ctr::Ctr128BE::<Aes128Enc>::from_core(ctr::CtrCore::inner_iv_init(
                k.clone(),
                (&iv).into(),
            ))
            .apply_keystream(data),
            CmKey::A256(k) => ctr::Ctr128BE::<Aes256Enc>::from_core(ctr::CtrCore::inner_iv_init(
                k.clone(),
                (&iv).into(),
            ))
            .apply_keystream(data),
        }
    }

    fn nonce(salt: &[u8; 12], roc: u32, pkt: &[u8]) -> Nonce {
        let (ssrc, seq) = Self::ssrc_seq(pkt);
        let mut n = *salt;
        for (d, s) in n[2..6].iter_mut().zip(ssrc) {
            *d ^= s;
        }
        for (d, s) in n[6..10].iter_mut().zip(roc.to_be_bytes()) {
            *d ^= s;
        }
        for (d, s) in n[10..12].iter_mut().zip(seq) {
            *d ^= s;
        }
        Nonce::assume_unique_for_key(n)
    }

    /// Protects with ROC 0 (the packets' SRTP index is not tracked: the work is the same).
    fn protect(&self, buf: &mut [u8], len: usize) -> usize {
        match self {
            Floor::Cm {
                key,
                salt,
                mac,
                tag_len,
            } => {
                Self::ctr(key, salt, 0, &mut buf[..len]);
                let mut m = mac.clone();
                m.update(&buf[..len]);
                m.update(&[0; 4]);
                let full = m.finalize().into_bytes();
                buf[len..len + tag_len].copy_from_slice(&full[..*tag_len]);
                len + tag_len
            }
            Floor::Gcm { key, salt } => {
                let nonce = Self::nonce(salt, 0, buf);
                let (hdr, rest) = buf.split_at_mut(HDR);
                let (payload, trailer) = rest.split_at_mut(len - HDR);
                let tag = key
                    .seal_in_place_separate_tag(nonce, Aad::from(&*hdr), payload)
                    .unwrap();
                trailer[..16].copy_from_slice(tag.as_ref());
                len + 16
            }
        }
    }

    /// Verifies (asserting success) and decrypts a packet with the given ROC.
    fn unprotect(&self, buf: &mut [u8], len: usize, roc: u32) -> usize {
        match self {
            Floor::Cm {
                key,
                salt,
                mac,
                tag_len,
            } => {
                let body = len - tag_len;
                let mut m = mac.clone();
                m.update(&buf[..body]);
                m.update(&roc.to_be_bytes());
                let full = m.finalize().into_bytes();
                assert!(bool::from(full[..*tag_len].ct_eq(&buf[body..len])));
                Self::ctr(key, salt, roc, &mut buf[..body]);
                body
            }
            Floor::Gcm { key, salt } => {
                let body = len - 16;
                let nonce = Self::nonce(salt, roc, buf);
                let (hdr, rest) = buf.split_at_mut(HDR);
                let (payload, tag) = rest.split_at_mut(body - HDR);
                key.open_in_place_separate_tag(nonce, Aad::from(&*hdr), &tag[..16], payload)
                    .unwrap();
                body
            }
        }
    }
}

/// The floor produces roomgate's packets byte for byte (and opens them), so both do the
/// same crypto work.
fn check_floor(suite: Suite, floor: &Floor, size: usize) {
    let mut tx = ours(suite);
    for seq in [1u16, 2, 500] {
        let (mut a, len) = plain(seq, size);
        let mut b = a.clone();
        let n = tx.protect_rtp(&mut a, len).unwrap();
        assert_eq!(floor.protect(&mut b, len), n, "{suite}");
        assert_eq!(a[..n], b[..n], "{suite}: floor and roomgate differ");
        assert_eq!(floor.unprotect(&mut b, n, 0), len);
        assert_eq!(b[..len], plain(seq, size).0[..len]);
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
            let floor = Floor::new(suite);
            check_floor(suite, &floor, size);
            let mut seq = 0u16;
            g.bench_function("floor", |b| {
                b.iter_batched_ref(
                    || {
                        seq = seq.wrapping_add(1);
                        plain(seq, size)
                    },
                    |(buf, len)| black_box(floor.protect(buf, *len)),
                    BatchSize::SmallInput,
                )
            });
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
            let floor = Floor::new(suite);
            let mut p = Producer::new(suite, size);
            g.bench_function("floor", |b| {
                b.iter_batched_ref(
                    || p.next_with_roc(),
                    |(buf, len, roc)| black_box(floor.unprotect(buf, *len, *roc)),
                    BatchSize::SmallInput,
                )
            });
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
        let (rx, tx) = (Floor::new(from), Floor::new(to));
        let mut p = Producer::new(from, size);
        g.bench_function("floor", |b| {
            b.iter_batched_ref(
                || p.next_with_roc(),
                |(buf, len, roc)| {
                    let n = rx.unprotect(buf, *len, *roc);
                    black_box(tx.protect(buf, n))
                },
                BatchSize::SmallInput,
            )
        });
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
