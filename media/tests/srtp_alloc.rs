//! The media hot path allocates nothing: a counting global allocator (Rust allocations) and
//! a `malloc` counter (C allocations: aws-lc does AES-GCM) watch 10,000 protect → unprotect
//! → re-protect with another suite ("forward") → unprotect rounds, for RTP and RTCP, over
//! every suite pair, after a warm-up that creates the SSRC states; glibc's heap in use
//! (`mallinfo2`) does not grow over them either.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use aws_lc_rs::aead::{UnboundKey, AES_256_GCM};
use roomgate_media::rtp::RtpPacketMut;
use roomgate_media::srtp::{Policy, SrtpContext, Suite};
use roomgate_media_test_support::alloc_count::{count_allocations, CountingAlloc};
use roomgate_media_test_support::c_alloc_count::{c_heap_in_use, count_c_allocations};

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

fn policy(suite: Suite, seed: u8) -> Policy {
    let key: Vec<u8> = (0..suite.master_key_len() as u8)
        .map(|i| i ^ seed)
        .collect();
    let salt: Vec<u8> = (0..suite.master_salt_len() as u8)
        .map(|i| i ^ seed ^ 0x55)
        .collect();
    Policy::new(suite, &key, &salt)
}

struct Leg {
    tx: SrtpContext,
    rx: SrtpContext,
}

fn legs(seed: u8) -> Vec<Leg> {
    Suite::ALL
        .iter()
        .map(|&s| Leg {
            tx: SrtpContext::new(&policy(s, seed)).unwrap(),
            rx: SrtpContext::new(&policy(s, seed)).unwrap(),
        })
        .collect()
}

fn round(a: &mut [Leg], b: &mut [Leg], i: usize, buf: &mut Vec<u8>, rtp: &[u8], rtcp: &[u8]) {
    let (x, y) = (i % a.len(), (i + 1) % b.len());
    let ssrc = 0x1000 + (i % 3) as u32;
    let seq = i as u16;
    // RTP: sender → relay in, relay rewrites and forwards with another suite → receiver.
    buf.clear();
    buf.extend_from_slice(rtp);
    {
        let mut h = RtpPacketMut::new(buf).unwrap();
        h.set_ssrc(ssrc);
        h.set_sequence_number(seq);
    }
    a[x].tx.protect_rtp_vec(buf).unwrap();
    a[x].rx.unprotect_rtp_vec(buf).unwrap();
    RtpPacketMut::new(buf).unwrap().set_ssrc(ssrc + 0x100);
    b[y].tx.protect_rtp_vec(buf).unwrap();
    b[y].rx.unprotect_rtp_vec(buf).unwrap();
    assert_eq!(buf.len(), rtp.len());
    // RTCP, the same path.
    buf.clear();
    buf.extend_from_slice(rtcp);
    buf[4..8].copy_from_slice(&ssrc.to_be_bytes());
    a[x].tx.protect_rtcp_vec(buf).unwrap();
    a[x].rx.unprotect_rtcp_vec(buf).unwrap();
    b[y].tx.protect_rtcp_vec(buf).unwrap();
    b[y].rx.unprotect_rtcp_vec(buf).unwrap();
    assert_eq!(buf.len(), rtcp.len());
}

#[test]
fn hot_path_allocates_nothing() {
    let mut a = legs(1);
    let mut b = legs(2);
    let mut rtp = vec![0x80u8, 0x60, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0];
    rtp.extend(std::iter::repeat_n(0xab, 1200));
    let mut rtcp = vec![0x81u8, 201, 0, 7, 0, 0, 0, 0];
    rtcp.extend(std::iter::repeat_n(0x11, 24));
    let mut buf = Vec::with_capacity(1500);
    // Warm-up: creates every (context, SSRC) state.
    for i in 0..100 {
        round(&mut a, &mut b, i, &mut buf, &rtp, &rtcp);
    }
    // The counters do see allocations: Rust's, and C's made inside aws-lc (an AES-GCM key
    // context is malloc'd by aws-lc itself, invisible to the Rust allocator).
    assert!(count_allocations(|| drop(std::hint::black_box(vec![1u8; 10]))) >= 1);
    let mut rust = u64::MAX;
    let c = count_c_allocations(|| {
        rust = count_allocations(|| {
            let k = UnboundKey::new(&AES_256_GCM, &[7; 32]).unwrap();
            drop(std::hint::black_box(k));
        })
    });
    assert!(c > rust, "C allocations not seen: {c} C, {rust} Rust");
    let heap = c_heap_in_use();
    let mut rust = u64::MAX;
    let c = count_c_allocations(|| {
        rust = count_allocations(|| {
            for i in 100..10_100 {
                round(&mut a, &mut b, i, &mut buf, &rtp, &rtcp);
            }
        })
    });
    assert_eq!(rust, 0, "{rust} Rust allocations in 10,000 forward rounds");
    assert_eq!(c, 0, "{c} C allocations in 10,000 forward rounds");
    assert_eq!(
        c_heap_in_use(),
        heap,
        "C heap grew over 10,000 forward rounds"
    );
    // Forged packets for unknown SSRCs (dropped) allocate nothing either.
    let mut forged = rtp.clone();
    forged.extend_from_slice(&[0; 16]);
    let mut f = forged.clone();
    let n = count_allocations(|| {
        for i in 0..1000u32 {
            f[8..12].copy_from_slice(&(0xdead_0000 + i).to_be_bytes());
            for leg in a.iter_mut() {
                assert!(leg.rx.unprotect_rtp(&mut f).is_err());
            }
        }
    });
    assert_eq!(n, 0, "{n} allocations dropping forged packets");
    let done: u64 = a
        .iter()
        .chain(&b)
        .map(|l| l.rx.stats().rtp_unprotected)
        .sum();
    assert_eq!(done, 2 * 10_100);
}
