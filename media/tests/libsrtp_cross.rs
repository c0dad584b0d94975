//! Cross-tests against Debian's libsrtp2, an independent SRTP implementation: for every
//! suite, RTP and RTCP, packets protected by libsrtp are unprotected by us and vice versa,
//! across a rollover-counter wrap, with replay and tamper rejection on both sides, and with
//! an MKI.
//!
//! Needs `libsrtp2-dev`; run with `cargo test -p roomgate-media --features libsrtp-tests`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use roomgate_media::srtp::{Policy, SrtpContext, SrtpError, Suite};
use roomgate_media_test_support::libsrtp::{status, LibSrtp, Profile, MAX_TRAILER};

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

struct Keys {
    suite: Suite,
    key: Vec<u8>,
    salt: Vec<u8>,
    mki: Option<Vec<u8>>,
}

impl Keys {
    fn new(suite: Suite, seed: u8, mki: Option<Vec<u8>>) -> Self {
        Self {
            suite,
            key: (0..suite.master_key_len() as u8)
                .map(|i| i.wrapping_mul(7) ^ seed)
                .collect(),
            salt: (0..suite.master_salt_len() as u8)
                .map(|i| i.wrapping_mul(13) ^ seed.rotate_left(3))
                .collect(),
            mki,
        }
    }
    fn ours(&self) -> SrtpContext {
        let mut p = Policy::new(self.suite, &self.key, &self.salt);
        p.mki = self.mki.clone();
        SrtpContext::new(&p).unwrap()
    }
    fn lib(&self, outbound: bool) -> LibSrtp {
        let mut ks = self.key.clone();
        ks.extend_from_slice(&self.salt);
        LibSrtp::new(profile(self.suite), &ks, outbound, 128, self.mki.as_deref())
            .unwrap_or_else(|rc| panic!("libsrtp2 refused {} (status {rc})", self.suite))
    }
}

fn rtp(seq: u16, ssrc: u32, len: usize) -> Vec<u8> {
    let mut v = vec![0x80, 0x60];
    v.extend_from_slice(&seq.to_be_bytes());
    v.extend_from_slice(&(u32::from(seq).wrapping_mul(960)).to_be_bytes());
    v.extend_from_slice(&ssrc.to_be_bytes());
    v.extend((0..len).map(|i| (i as u8).wrapping_add(seq as u8)));
    v
}

fn rtcp(n: u32, ssrc: u32) -> Vec<u8> {
    // RR with one report block, then an SDES-sized tail of varying content.
    let mut v = vec![0x81, 201, 0, 7];
    v.extend_from_slice(&ssrc.to_be_bytes());
    for w in 0..6u32 {
        v.extend_from_slice(&(n.wrapping_mul(31) ^ w).to_be_bytes());
    }
    v
}

/// Sequence numbers spanning a ROC wrap, with one pair swapped (reordering).
fn seqs() -> Vec<u16> {
    let mut s: Vec<u16> = (65_480u32..65_536 + 60).map(|x| x as u16).collect();
    s.swap(10, 11);
    s.swap(56, 57); // 65535 <-> 0
    s
}

fn cases() -> Vec<Keys> {
    let mut v: Vec<Keys> = Suite::ALL
        .iter()
        .map(|&s| Keys::new(s, 0x5a, None))
        .collect();
    v.extend(
        Suite::ALL
            .iter()
            .map(|&s| Keys::new(s, 0xa5, Some(vec![0xde, 0xad, 0xbe, 0xef]))),
    );
    v
}

#[test]
fn rtp_libsrtp_to_ours() {
    for k in cases() {
        let mut tx = k.lib(true);
        let mut rx = k.ours();
        let mut sent = Vec::new();
        for (i, seq) in seqs().into_iter().enumerate() {
            let plain = rtp(seq, 0xcafe_0001, 20 + i % 200);
            let mut buf = plain.clone();
            buf.resize(plain.len() + MAX_TRAILER, 0);
            let n = tx.protect(&mut buf, plain.len()).unwrap();
            buf.truncate(n);
            assert_eq!(n, plain.len() + rx.rtp_overhead(), "{}", k.suite);
            sent.push(buf.clone());
            rx.unprotect_rtp_vec(&mut buf)
                .unwrap_or_else(|e| panic!("{} mki={:?} seq {seq}: {e}", k.suite, k.mki));
            assert_eq!(buf, plain);
        }
        assert_eq!(rx.roc(0xcafe_0001), Some(1));
        // Replays (including ones from before the wrap) are rejected.
        for p in sent.iter().rev().take(50) {
            let mut v = p.clone();
            assert!(matches!(
                rx.unprotect_rtp(&mut v),
                Err(SrtpError::Replayed { .. })
            ));
        }
        // Tampering fails authentication.
        let mut p = rtp(100, 0xcafe_0001, 40);
        let len = p.len();
        p.resize(len + MAX_TRAILER, 0);
        let n = tx.protect(&mut p, len).unwrap();
        p.truncate(n);
        p[20] ^= 4;
        assert_eq!(rx.unprotect_rtp(&mut p), Err(SrtpError::AuthFailed));
    }
}

#[test]
fn rtp_ours_to_libsrtp() {
    for k in cases() {
        let mut tx = k.ours();
        let mut rx = k.lib(false);
        let mut sent = Vec::new();
        for (i, seq) in seqs().into_iter().enumerate() {
            let plain = rtp(seq, 0xcafe_0002, 20 + (i * 7) % 300);
            let mut buf = plain.clone();
            tx.protect_rtp_vec(&mut buf).unwrap();
            sent.push(buf.clone());
            let n = rx
                .unprotect(&mut buf, sent.last().unwrap().len())
                .unwrap_or_else(|rc| panic!("{} mki={:?} seq {seq}: libsrtp {rc}", k.suite, k.mki));
            assert_eq!(&buf[..n], &plain[..]);
        }
        assert_eq!(tx.roc(0xcafe_0002), Some(1));
        for p in sent.iter().rev().take(50) {
            let mut v = p.clone();
            let l = v.len();
            assert_eq!(
                rx.unprotect(&mut v, l),
                Err(status::REPLAY_FAIL),
                "{}",
                k.suite
            );
        }
        // Older than the window: libsrtp 2.5 reports it as a replay (9), newer as old (10).
        let mut v = sent[0].clone();
        let l = v.len();
        let r = rx.unprotect(&mut v, l);
        assert!(
            r == Err(status::REPLAY_OLD) || r == Err(status::REPLAY_FAIL),
            "{r:?}"
        );
        let mut p = rtp(100, 0xcafe_0002, 40);
        tx.protect_rtp_vec(&mut p).unwrap();
        p[13] ^= 1;
        let l = p.len();
        assert_eq!(rx.unprotect(&mut p, l), Err(status::AUTH_FAIL));
    }
}

#[test]
fn rtcp_libsrtp_to_ours() {
    for k in cases() {
        let mut tx = k.lib(true);
        let mut rx = k.ours();
        let mut sent = Vec::new();
        for n in 0..200 {
            let plain = rtcp(n, 0xcafe_0003);
            let mut buf = plain.clone();
            buf.resize(plain.len() + MAX_TRAILER, 0);
            let len = tx.protect_rtcp(&mut buf, plain.len()).unwrap();
            buf.truncate(len);
            assert_eq!(len, plain.len() + rx.rtcp_overhead(), "{}", k.suite);
            sent.push(buf.clone());
            rx.unprotect_rtcp_vec(&mut buf)
                .unwrap_or_else(|e| panic!("{} mki={:?} #{n}: {e}", k.suite, k.mki));
            assert_eq!(buf, plain);
        }
        let mut v = sent[150].clone();
        assert!(matches!(
            rx.unprotect_rtcp(&mut v),
            Err(SrtpError::Replayed { index: 151 })
        ));
        let mut v = sent[0].clone();
        assert!(matches!(
            rx.unprotect_rtcp(&mut v),
            Err(SrtpError::TooOld { index: 1 })
        ));
        let plain = rtcp(200, 0xcafe_0003);
        let mut v = plain.clone();
        v.resize(plain.len() + MAX_TRAILER, 0);
        let len = tx.protect_rtcp(&mut v, plain.len()).unwrap();
        v.truncate(len);
        v[9] ^= 0x10;
        assert_eq!(rx.unprotect_rtcp(&mut v), Err(SrtpError::AuthFailed));
    }
}

#[test]
fn rtcp_ours_to_libsrtp() {
    for k in cases() {
        if k.mki.is_some() && k.suite.srtp_tag_len() != k.suite.srtcp_tag_len() {
            // libsrtp 2.5 finds the MKI of an SRTCP packet using the *SRTP* tag length
            // (srtp_get_session_keys), so with MKI and the _32 suites (4-octet SRTP tag,
            // 10-octet SRTCP tag) it cannot even read its own SRTCP: see
            // `libsrtp_cannot_read_its_own_srtcp_with_mki_and_32bit_tags`.
            continue;
        }
        let mut tx = k.ours();
        let mut rx = k.lib(false);
        let mut sent = Vec::new();
        for n in 0..200 {
            let plain = rtcp(n, 0xcafe_0004);
            let mut buf = plain.clone();
            tx.protect_rtcp_vec(&mut buf).unwrap();
            let l = buf.len();
            sent.push(buf.clone());
            let len = rx
                .unprotect_rtcp(&mut buf, l)
                .unwrap_or_else(|rc| panic!("{} mki={:?} #{n}: libsrtp {rc}", k.suite, k.mki));
            assert_eq!(&buf[..len], &plain[..]);
        }
        let mut v = sent[150].clone();
        let l = v.len();
        assert_eq!(rx.unprotect_rtcp(&mut v, l), Err(status::REPLAY_FAIL));
        let mut v = rtcp(200, 0xcafe_0004);
        tx.protect_rtcp_vec(&mut v).unwrap();
        v[12] ^= 0x10;
        let l = v.len();
        assert_eq!(rx.unprotect_rtcp(&mut v, l), Err(status::AUTH_FAIL));
    }
}

/// Relay "forward": libsrtp AES-CM-128 in, ours re-encrypts to every other suite, libsrtp of
/// that suite decrypts: the plaintext survives the hop.
#[test]
fn forward_between_suites_through_both_implementations() {
    let inbound = Keys::new(Suite::AesCm128HmacSha1_80, 1, None);
    for out_suite in Suite::ALL {
        let outbound = Keys::new(out_suite, 2, None);
        let (mut a, mut b_in, mut b_out, mut c) = (
            inbound.lib(true),
            inbound.ours(),
            outbound.ours(),
            outbound.lib(false),
        );
        for seq in 0..50u16 {
            let plain = rtp(seq, 77, 160);
            let mut buf = plain.clone();
            buf.resize(plain.len() + MAX_TRAILER, 0);
            let n = a.protect(&mut buf, plain.len()).unwrap();
            buf.truncate(n);
            buf.reserve(64);
            b_in.unprotect_rtp_vec(&mut buf).unwrap();
            b_out.protect_rtp_vec(&mut buf).unwrap();
            let l = buf.len();
            let n = c.unprotect(&mut buf, l).unwrap();
            assert_eq!(&buf[..n], &plain[..], "{out_suite}");
        }
    }
}

/// Documents the libsrtp limitation skipped above (so the skip is re-examined if a newer
/// libsrtp fixes it: this test then fails).
#[test]
fn libsrtp_cannot_read_its_own_srtcp_with_mki_and_32bit_tags() {
    for suite in [Suite::AesCm128HmacSha1_32, Suite::AesCm256HmacSha1_32] {
        let k = Keys::new(suite, 3, Some(vec![1, 2, 3, 4]));
        let (mut tx, mut rx, mut ours) = (k.lib(true), k.lib(false), k.ours());
        let plain = rtcp(1, 9);
        let mut buf = plain.clone();
        buf.resize(plain.len() + MAX_TRAILER, 0);
        let n = tx.protect_rtcp(&mut buf, plain.len()).unwrap();
        buf.truncate(n);
        let mut copy = buf.clone();
        assert!(
            rx.unprotect_rtcp(&mut buf, n).is_err(),
            "{suite}: libsrtp fixed?"
        );
        // ... while we read libsrtp's packet fine.
        ours.unprotect_rtcp_vec(&mut copy).unwrap();
        assert_eq!(copy, plain);
    }
}
