//! SRTP vectors from `media/tests/vectors/srtp/VECTORS.md` (RFC 3711 App. B, RFC 6188,
//! RFC 7714 §16–17, libsrtp's whole-packet validation vectors) and behaviour tests.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use super::*;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn ctx(suite: Suite, key: &str, salt: &str) -> SrtpContext {
    SrtpContext::new(&Policy::new(suite, &hex(key), &hex(salt))).unwrap()
}

fn protect_rtp(c: &mut SrtpContext, pkt: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(pkt.len() + 64);
    v.extend_from_slice(pkt);
    c.protect_rtp_vec(&mut v).unwrap();
    v
}

fn protect_rtcp(c: &mut SrtpContext, pkt: &[u8]) -> Vec<u8> {
    let mut v = pkt.to_vec();
    c.protect_rtcp_vec(&mut v).unwrap();
    v
}

const KEY128: &str = "e1f97a0d3e018be0d64fa32c06de4139";
const SALT14: &str = "0ec675ad498afeebb6960b3aabe6";
const KEY256: &str = "f0f04914b513f2763a1b1fa130f10e2998f6f6e43e4309d1e622a0e332b9f1b6";
const SALT256: &str = "3b04803de51ee7c96423ab5b78d2";
const GCM_KEY128: &str = "000102030405060708090a0b0c0d0e0f";
const GCM_KEY256: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const GCM_SALT: &str = "a0a1a2a3a4a5a6a7a8a9aaab";

fn l2_plain() -> Vec<u8> {
    let mut p = hex("800f1234decafbadcafebabe");
    p.extend_from_slice(&[0xab; 16]);
    p
}

fn l2_rtcp_plain() -> Vec<u8> {
    let mut p = hex("81c8000bcafebabe");
    p.extend_from_slice(&[0xab; 16]);
    p
}

/// VECTORS.md §6: libsrtp `srtp_validate*` whole packets (KDF + cipher + tag), both ways.
#[test]
fn libsrtp_whole_packet_vectors() {
    let cases = [
        (
            Suite::AesCm128HmacSha1_80,
            KEY128,
            SALT14,
            "800f1234decafbadcafebabe 4e55dc4ce79978d88ca4d215949d2402 b78d6acc99ea179b8dbb",
        ),
        (
            Suite::AesCm256HmacSha1_80,
            KEY256,
            SALT256,
            "800f1234decafbadcafebabe f1d9de17ff251ff1aa007774b0b4b40d a08d9d9a5b3a55d8873b",
        ),
        (
            Suite::AesCm256HmacSha1_32,
            KEY256,
            SALT256,
            "800f1234decafbadcafebabe f1d9de17ff251ff1aa007774b0b4b40d a08d9d9a",
        ),
        (
            Suite::AeadAes128Gcm,
            GCM_KEY128,
            GCM_SALT,
            "800f1234decafbadcafebabe c5002ede04cfdd2eb91159e0880aa06e d2976826f796b201df3131a127e8a392",
        ),
        (
            Suite::AeadAes256Gcm,
            GCM_KEY256,
            GCM_SALT,
            "800f1234decafbadcafebabe 0af7f21e8a90bdad7a425c9c31ed4bb1 d90238917e7390a2793500e1681acaea",
        ),
    ];
    for (suite, key, salt, want) in cases {
        let want = hex(want);
        let mut tx = ctx(suite, key, salt);
        assert_eq!(protect_rtp(&mut tx, &l2_plain()), want, "{suite} protect");
        let mut rx = ctx(suite, key, salt);
        let mut v = want.clone();
        rx.unprotect_rtp_vec(&mut v).unwrap();
        assert_eq!(v, l2_plain(), "{suite} unprotect");
    }
    // AES_CM_128_HMAC_SHA1_32: same keystream as _80, tag = first 4 octets of the _80 tag.
    let mut tx = ctx(Suite::AesCm128HmacSha1_32, KEY128, SALT14);
    assert_eq!(
        protect_rtp(&mut tx, &l2_plain()),
        hex("800f1234decafbadcafebabe 4e55dc4ce79978d88ca4d215949d2402 b78d6acc")
    );
}

/// VECTORS.md §6: SRTCP whole packets (first index is 1, E = 1).
#[test]
fn libsrtp_srtcp_vectors() {
    let cases = [
        (
            Suite::AesCm128HmacSha1_80,
            KEY128,
            SALT14,
            "81c8000bcafebabe 7128035be487b9bdbef89041f977a5a8 80000001 993e08cd54d6c1230798",
        ),
        (
            Suite::AeadAes128Gcm,
            GCM_KEY128,
            GCM_SALT,
            "81c8000bcafebabe c98b8b5df0392a55852b6c21ac8e7025c52c6fbea2b3b446ea31123ba88ce61e 80000001",
        ),
    ];
    for (suite, key, salt, want) in cases {
        let want = hex(want);
        let mut tx = ctx(suite, key, salt);
        assert_eq!(protect_rtcp(&mut tx, &l2_rtcp_plain()), want, "{suite}");
        let mut rx = ctx(suite, key, salt);
        let mut v = want.clone();
        rx.unprotect_rtcp_vec(&mut v).unwrap();
        assert_eq!(v, l2_rtcp_plain());
    }
}

/// VECTORS.md §1 in packet form (pion's test): RTP header `800f0000decafbad00000000` and
/// 48 zero octets encrypted with the RFC 3711 B.2 session key and salt; the ciphertext is
/// the keystream.
#[test]
fn rfc3711_b2_packet_form() {
    let mut c = SrtpContext::new(&keys(Suite::AesCm128HmacSha1_80))
        .unwrap()
        .with_cm_session_keys(
            &hex("2B7E151628AED2A6ABF7158809CF4F3C"),
            &hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD").try_into().unwrap(),
        );
    let mut pkt = hex("800f0000decafbad00000000");
    pkt.extend_from_slice(&[0; 48]);
    let out = protect_rtp(&mut c, &pkt);
    assert_eq!(
        &out[12..60],
        &hex("E03EAD0935C95E80E166B16DD92B4EB4 D23513162B02D0F72A43A2FE4A5F97AB 41E95B3BB0A2E8DD477901E4FCA894C0")[..]
    );
}

fn gcm_ctx(suite: Suite, key: &str) -> SrtpContext {
    let k = hex(key);
    let salt: [u8; 12] = hex("517569642070726f2071756f").try_into().unwrap();
    SrtpContext::new(&Policy::new(suite, &k, &[0u8; 12]))
        .unwrap()
        .with_gcm_session_keys(&k, &salt)
}

const RTP_7714: &str = "8040f17b8041f8d35501a0b2 47616c6c696120657374206f6d6e6973206469766973 6120696e207061727465732074726573";
const RTCP_7714: &str = "81c8000d4d617273 4e5450314e545032525450200000042a0000e9304c756e61 deadbeefdeadbeefdeadbeefdeadbeefdeadbeef";

/// VECTORS.md §5: RFC 7714 §16.1 / §16.2 SRTP packets.
#[test]
fn rfc7714_srtp_vectors() {
    for (suite, key, want) in [
        (Suite::AeadAes128Gcm, GCM_KEY128, "8040f17b8041f8d35501a0b2 f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f 42a5f47a51c7d19b36de3adf8833899d7f27beb16a9152cf765ee4390cce"),
        (Suite::AeadAes256Gcm, GCM_KEY256, "8040f17b8041f8d35501a0b2 32b1de78a822fe12ef9f78fa332e33aab18012389a58e2f3 b50b2a0276ffae0f1ba63799b87b7aa3db36dfffd6b0f9bb7878d7a76c13"),
    ] {
        let want = hex(want);
        let mut tx = gcm_ctx(suite, key);
        assert_eq!(protect_rtp(&mut tx, &hex(RTP_7714)), want, "{suite}");
        let mut rx = gcm_ctx(suite, key);
        let mut v = want.clone();
        rx.unprotect_rtp_vec(&mut v).unwrap();
        assert_eq!(v, hex(RTP_7714));
        // One flipped bit anywhere fails authentication and leaves no state behind.
        let mut rx = gcm_ctx(suite, key);
        for bit in [0usize, 7 * 8, 20 * 8 + 3, (want.len() - 1) * 8] {
            let mut v = want.clone();
            v[bit / 8] ^= 1 << (bit % 8);
            let r = rx.unprotect_rtp(&mut v);
            assert!(
                matches!(r, Err(SrtpError::AuthFailed | SrtpError::MalformedHeader | SrtpError::TooShort { .. })),
                "{r:?}"
            );
        }
        assert_eq!(rx.ssrc_count(), 0);
    }
}

/// VECTORS.md §5: RFC 7714 §17 SRTCP packets, E = 1 (protect and unprotect) and E = 0
/// (authentication-only packets, unprotect).
#[test]
fn rfc7714_srtcp_vectors() {
    for (suite, key, want, tag_e0) in [
        (Suite::AeadAes128Gcm, GCM_KEY128, "81c8000d4d617273 63e94885dcdab67ca727d7662f6b7e997ff5c0f76c06f32d c676a5f1730d6fda4ce09b4686303ded0bb9275bc84aa45896cf4d2fc5abf87245d9eade 800005d4", "841dd9683dd78ec92ae58790125f62b3"),
        (Suite::AeadAes256Gcm, GCM_KEY256, "81c8000d4d617273 d50ae4d1f5ce5d304ba297e47d470c282c3ece5dbffe0a50 a2eaa5c1110555be8415f658c61de0476f1b6fad1d1eb30c4446839f57ff6f6cb26ac3be 800005d4", "91db4afbfeee5a978fab4393ed2615fe"),
    ] {
        let want = hex(want);
        let mut tx = gcm_ctx(suite, key);
        // Make the next SRTCP index 0x5d4.
        tx.protect_rtcp_vec(&mut hex(RTCP_7714)).unwrap();
        tx.streams[0].rtcp_sent = 0x5d3;
        assert_eq!(protect_rtcp(&mut tx, &hex(RTCP_7714)), want, "{suite}");
        let mut rx = gcm_ctx(suite, key);
        let mut v = want.clone();
        rx.unprotect_rtcp_vec(&mut v).unwrap();
        assert_eq!(v, hex(RTCP_7714));
        // Replay of the same packet.
        let mut v = want.clone();
        assert_eq!(rx.unprotect_rtcp(&mut v), Err(SrtpError::Replayed { index: 0x5d4 }));

        let mut e0 = hex(RTCP_7714);
        e0.extend_from_slice(&hex(tag_e0));
        e0.extend_from_slice(&hex("000005d4"));
        let mut rx = gcm_ctx(suite, key);
        let mut v = e0.clone();
        rx.unprotect_rtcp_vec(&mut v).unwrap();
        assert_eq!(v, hex(RTCP_7714), "{suite} E=0");
        let mut bad = e0.clone();
        bad[10] ^= 1;
        let mut rx = gcm_ctx(suite, key);
        assert_eq!(rx.unprotect_rtcp(&mut bad), Err(SrtpError::AuthFailed));
    }
}

fn rtp_packet(seq: u16, ssrc: u32, payload_len: usize) -> Vec<u8> {
    let mut v = Vec::with_capacity(12 + payload_len + 64);
    v.extend_from_slice(&[0x80, 0x00]);
    v.extend_from_slice(&seq.to_be_bytes());
    v.extend_from_slice(&(u32::from(seq) * 160).to_be_bytes());
    v.extend_from_slice(&ssrc.to_be_bytes());
    v.extend((0..payload_len).map(|i| (i as u8) ^ (seq as u8)));
    v
}

fn keys(suite: Suite) -> Policy {
    let key: Vec<u8> = (0..suite.master_key_len() as u8).collect();
    let salt: Vec<u8> = (100..100 + suite.master_salt_len() as u8).collect();
    Policy::new(suite, &key, &salt)
}

#[test]
fn rollover_reorder_replay_every_suite() {
    for suite in Suite::ALL {
        let mut tx = SrtpContext::new(&keys(suite)).unwrap();
        let mut rx = SrtpContext::new(&keys(suite)).unwrap();
        let mut sent = Vec::new();
        for seq in (65500u32..65536 + 100).map(|s| s as u16) {
            let mut p = rtp_packet(seq, 0x1234, 50);
            tx.protect_rtp_vec(&mut p).unwrap();
            sent.push((seq, p));
        }
        assert_eq!(tx.roc(0x1234), Some(1));
        // Deliver with swaps of neighbours across the wrap.
        for pair in sent.chunks(2).rev().take(0).chain(sent.chunks(2)) {
            for (seq, p) in pair.iter().rev() {
                let mut v = p.clone();
                rx.unprotect_rtp_vec(&mut v).unwrap();
                assert_eq!(v, rtp_packet(*seq, 0x1234, 50), "{suite} seq {seq}");
            }
        }
        assert_eq!(rx.roc(0x1234), Some(1));
        // Replays across the wrap are caught.
        for (seq, p) in sent.iter().rev().take(100) {
            let mut v = p.clone();
            assert!(
                matches!(rx.unprotect_rtp(&mut v), Err(SrtpError::Replayed { .. })),
                "{suite} {seq}"
            );
        }
        // Beyond the window: too old.
        let mut v = sent[0].1.clone();
        assert!(matches!(
            rx.unprotect_rtp(&mut v),
            Err(SrtpError::TooOld { .. })
        ));
        let st = rx.stats();
        assert_eq!(st.rtp_unprotected, sent.len() as u64);
        assert_eq!(st.replayed, 100);
        assert_eq!(st.too_old, 1);
        assert_eq!(st.dropped(), 101);
    }
}

#[test]
fn rtcp_round_trip_and_tamper_every_suite() {
    for suite in Suite::ALL {
        let mut tx = SrtpContext::new(&keys(suite)).unwrap();
        let mut rx = SrtpContext::new(&keys(suite)).unwrap();
        for n in 0..5 {
            let plain = {
                let mut v = hex("80c90001 00000042");
                v.extend(std::iter::repeat_n(n as u8, 4 * n));
                v
            };
            let mut p = plain.clone();
            tx.protect_rtcp_vec(&mut p).unwrap();
            assert_eq!(p.len(), plain.len() + tx.rtcp_overhead());
            let mut bad = p.clone();
            bad[9] ^= 0x80;
            assert_eq!(rx.unprotect_rtcp(&mut bad), Err(SrtpError::AuthFailed));
            rx.unprotect_rtcp_vec(&mut p).unwrap();
            assert_eq!(p, plain);
        }
        assert_eq!(rx.stats().auth_failures, 5);
        assert_eq!(rx.stats().rtcp_unprotected, 5);
    }
}

#[test]
fn mki_is_written_and_checked() {
    for suite in Suite::ALL {
        let mut p = keys(suite);
        p.mki = Some(vec![0, 0, 0, 7]);
        let mut tx = SrtpContext::new(&p).unwrap();
        let mut rx = SrtpContext::new(&p).unwrap();
        let mut pkt = rtp_packet(1, 9, 20);
        tx.protect_rtp_vec(&mut pkt).unwrap();
        assert_eq!(pkt.len(), 32 + suite.srtp_tag_len() + 4);
        let mki_at = if suite.is_aead() { pkt.len() - 4 } else { 32 };
        assert_eq!(&pkt[mki_at..mki_at + 4], &[0, 0, 0, 7]);
        let mut other = pkt.clone();
        other[mki_at + 3] = 8;
        assert_eq!(rx.unprotect_rtp(&mut other), Err(SrtpError::MkiMismatch));
        rx.unprotect_rtp_vec(&mut pkt).unwrap();
        assert_eq!(pkt, rtp_packet(1, 9, 20));
        let mut c = hex("80c90001 00000009");
        tx.protect_rtcp_vec(&mut c).unwrap();
        rx.unprotect_rtcp_vec(&mut c).unwrap();
        assert_eq!(c, hex("80c90001 00000009"));
        assert_eq!(rx.stats().mki_mismatch, 1);
    }
}

#[test]
fn config_errors_are_typed() {
    let mut p = keys(Suite::AesCm128HmacSha1_80);
    p.master_key.pop();
    assert!(matches!(
        SrtpContext::new(&p),
        Err(SrtpConfigError::KeyLength {
            expected: 16,
            got: 15,
            ..
        })
    ));
    let mut p = keys(Suite::AeadAes256Gcm);
    p.master_salt.push(0);
    assert!(matches!(
        SrtpContext::new(&p),
        Err(SrtpConfigError::SaltLength {
            expected: 12,
            got: 13,
            ..
        })
    ));
    let mut p = keys(Suite::AeadAes256Gcm);
    p.replay_window = MAX_REPLAY_WINDOW + 1;
    assert_eq!(
        SrtpContext::new(&p).unwrap_err(),
        SrtpConfigError::ReplayWindow(1025)
    );
    let mut p = keys(Suite::AeadAes256Gcm);
    p.mki = Some(vec![]);
    assert_eq!(
        SrtpContext::new(&p).unwrap_err(),
        SrtpConfigError::MkiLength(0)
    );
    p.mki = Some(vec![1; MAX_MKI_LEN + 1]);
    assert_eq!(
        SrtpContext::new(&p).unwrap_err(),
        SrtpConfigError::MkiLength(17)
    );
    let mut p = keys(Suite::AeadAes256Gcm);
    p.max_ssrcs = 0;
    assert_eq!(
        SrtpContext::new(&p).unwrap_err(),
        SrtpConfigError::MaxSsrcs(0)
    );
    assert!(!format!("{p:?}").contains("0, 1, 2"));
    assert_eq!(
        Suite::from_name("AES_256_CM_HMAC_SHA1_32"),
        Some(Suite::AesCm256HmacSha1_32)
    );
}

#[test]
fn ssrc_limit_and_forgeries_do_not_create_state() {
    let mut p = keys(Suite::AesCm128HmacSha1_80);
    p.max_ssrcs = 2;
    let mut tx = SrtpContext::new(&p).unwrap();
    let mut rx = SrtpContext::new(&p).unwrap();
    // Forged packets for many SSRCs: all fail auth, none occupies a slot.
    for ssrc in 0..10u32 {
        let mut f = rtp_packet(5, ssrc, 30);
        f.extend_from_slice(&[0; 10]);
        assert_eq!(rx.unprotect_rtp(&mut f), Err(SrtpError::AuthFailed));
    }
    assert_eq!(rx.ssrc_count(), 0);
    for ssrc in 1..=3u32 {
        let mut pkt = rtp_packet(5, ssrc, 30);
        let r = tx.protect_rtp_vec(&mut pkt);
        if ssrc == 3 {
            assert_eq!(r, Err(SrtpError::SsrcLimit { ssrc: 3 }));
        } else {
            r.unwrap();
            rx.unprotect_rtp_vec(&mut pkt).unwrap();
        }
    }
    assert_eq!(rx.ssrc_count(), 2);
    assert_eq!(tx.stats().ssrc_limit, 1);
    assert_eq!(rx.stats().auth_failures, 10);
}

#[test]
fn ssrc_table_grows_past_its_first_slots_up_to_the_limit_and_keeps_each_stream() {
    // Room for INITIAL_SSRC_SLOTS at creation; more SSRCs grow the table, each keeping its
    // own index and replay window, and the limit holds.
    let mut p = keys(Suite::AesCm128HmacSha1_80);
    p.max_ssrcs = 7;
    let mut tx = SrtpContext::new(&p).unwrap();
    let mut rx = SrtpContext::new(&p).unwrap();
    let mut sent = Vec::new();
    for round in 0..3u16 {
        for ssrc in 1..=8u32 {
            let mut pkt = rtp_packet(100 + round, ssrc, 30);
            let r = tx.protect_rtp_vec(&mut pkt);
            if ssrc == 8 {
                assert_eq!(r, Err(SrtpError::SsrcLimit { ssrc: 8 }));
                continue;
            }
            r.unwrap();
            if round == 0 {
                sent.push(pkt.clone());
            }
            rx.unprotect_rtp_vec(&mut pkt).unwrap();
            assert_eq!(pkt, rtp_packet(100 + round, ssrc, 30));
        }
    }
    assert_eq!((tx.ssrc_count(), rx.ssrc_count()), (7, 7));
    // Every stream still remembers what it received: the first round again is a replay.
    for mut old in sent {
        assert!(matches!(
            rx.unprotect_rtp_vec(&mut old),
            Err(SrtpError::Replayed { .. })
        ));
    }
    assert_eq!(rx.stats().replayed, 7);
}

#[test]
fn short_and_malformed_inputs_are_counted() {
    for suite in Suite::ALL {
        let mut rx = SrtpContext::new(&keys(suite)).unwrap();
        for len in 0..40 {
            let mut v = vec![0x80u8; len];
            assert!(rx.unprotect_rtp(&mut v).is_err());
            let mut v = vec![0x80u8; len];
            assert!(rx.unprotect_rtcp(&mut v).is_err());
        }
        assert_eq!(rx.stats().dropped(), 80);
        let mut tx = SrtpContext::new(&keys(suite)).unwrap();
        let mut small = rtp_packet(1, 1, 10);
        let n = small.len();
        assert!(matches!(
            tx.protect_rtp(&mut small, n),
            Err(SrtpError::BufferTooSmall { .. })
        ));
        assert_eq!(tx.stats().buffer_too_small, 1);
    }
}

#[test]
fn fuzz_entry_survives_garbage() {
    let mut x = 0x9e37_79b9u32;
    for n in 0..3000usize {
        let mut v = Vec::new();
        for _ in 0..(n % 120) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            v.push(x as u8);
        }
        if let Some(b) = v.first_mut() {
            *b = 0x80 | (*b & 0x3f);
        }
        fuzz_srtp(&v);
    }
}

/// A stream whose sequence jumps by more than 2^15 while the ROC is 0 keeps ROC 0 (libsrtp's
/// rule), on both sides, and later wraps normally.
#[test]
fn early_large_jump_keeps_roc_zero() {
    let mut tx = SrtpContext::new(&keys(Suite::AesCm128HmacSha1_80)).unwrap();
    let mut rx = SrtpContext::new(&keys(Suite::AesCm128HmacSha1_80)).unwrap();
    for seq in [100u16, 60_000, 65_535, 0, 1] {
        let mut p = rtp_packet(seq, 5, 10);
        tx.protect_rtp_vec(&mut p).unwrap();
        rx.unprotect_rtp_vec(&mut p).unwrap();
        assert_eq!(p, rtp_packet(seq, 5, 10));
    }
    assert_eq!(tx.roc(5), Some(1));
    assert_eq!(rx.roc(5), Some(1));
}

/// A signalled key lifetime is enforced in both directions and for SRTP and SRTCP apart:
/// the packet after the last allowed one is refused, never sent or accepted under the
/// spent key, and forged packets do not use the lifetime up.
#[test]
fn key_lifetime_is_enforced() {
    for suite in Suite::ALL {
        let mut p = keys(suite);
        p.lifetime = Some(3);
        let mut tx = SrtpContext::new(&p).unwrap();
        let mut rx = SrtpContext::new(&p).unwrap();
        let mut sent = Vec::new();
        for seq in 1..=3u16 {
            let mut pkt = rtp_packet(seq, 1, 20);
            tx.protect_rtp_vec(&mut pkt).unwrap();
            sent.push(pkt);
        }
        let mut fourth = rtp_packet(4, 1, 20);
        assert_eq!(
            tx.protect_rtp_vec(&mut fourth),
            Err(SrtpError::KeyExpired),
            "{suite:?}"
        );
        let mut forged = sent[0].clone();
        let last = forged.len() - 1;
        forged[last] ^= 1;
        assert_eq!(
            rx.unprotect_rtp_vec(&mut forged),
            Err(SrtpError::AuthFailed)
        );
        for pkt in &mut sent {
            rx.unprotect_rtp_vec(pkt).unwrap();
        }
        let mut other = keys(suite);
        other.lifetime = None;
        let mut more = rtp_packet(5, 1, 20);
        SrtpContext::new(&other)
            .unwrap()
            .protect_rtp_vec(&mut more)
            .unwrap();
        assert_eq!(rx.unprotect_rtp_vec(&mut more), Err(SrtpError::KeyExpired));
        assert_eq!(tx.stats().key_expired, 1);
        assert_eq!(rx.stats().key_expired, 1);
        // SRTCP has its own count: still three packets to go.
        for _ in 0..3 {
            let mut c = hex("80c90001 00000009");
            tx.protect_rtcp_vec(&mut c).unwrap();
        }
        let mut c = hex("80c90001 00000009");
        assert_eq!(tx.protect_rtcp_vec(&mut c), Err(SrtpError::KeyExpired));
    }
}
