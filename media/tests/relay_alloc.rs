//! The relay's pass-through hot path allocates nothing: after a warm-up (latching, SSRC
//! state creation), 10,000 packets go SRTP `AES_CM_128_HMAC_SHA1_80` in on leg A →
//! rewrite → `AEAD_AES_256_GCM` out on leg B through `Relay::handle_datagram`, plus
//! spoofed and replayed packets that are dropped, under a counting global allocator. Core
//! only, no sockets (the socket layer's per-packet path is a `recv_from` into a reused
//! buffer and a `try_send_to`). A second test does the same for a transcoding stream.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use roomgate_media::relay::{
    Leg, LegConfig, Relay, RelayConfig, StreamConfig, StreamKind, StreamMode,
};
use roomgate_media::rtp::{RtpBuilder, RtpPacketMut};
use roomgate_media::srtp::{Policy, SrtpContext, Suite};
use roomgate_media_test_support::alloc_count::{count_allocations, net_bytes, CountingAlloc};

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

fn policy(suite: Suite, seed: u8) -> Policy {
    let k: Vec<u8> = (0..suite.master_key_len() as u8)
        .map(|i| i ^ seed)
        .collect();
    let s: Vec<u8> = (0..suite.master_salt_len() as u8)
        .map(|i| i ^ seed ^ 0x55)
        .collect();
    Policy::new(suite, &k, &s)
}

#[test]
fn pass_through_forwarding_allocates_nothing() {
    let t0 = Instant::now();
    let mut relay = Relay::new(
        t0,
        RelayConfig {
            port_min: 30000,
            port_max: 30007,
            ..RelayConfig::default()
        },
    );
    let a_addr: SocketAddr = "127.0.0.1:5000".parse().unwrap();
    let b_addr: SocketAddr = "127.0.0.1:6000".parse().unwrap();
    let spoof: SocketAddr = "127.0.0.1:7000".parse().unwrap();
    let cfg = StreamConfig {
        kind: StreamKind::Audio,
        mode: StreamMode::PassThrough,
        clock_rate: 8000,
        a: LegConfig {
            remote_rtp: Some(a_addr),
            srtp_in: Some(policy(Suite::AesCm128HmacSha1_80, 1)),
            srtp_out: Some(policy(Suite::AesCm128HmacSha1_80, 2)),
            pt_map: vec![(0, 0), (101, 101)],
            rewrite: true,
            ..LegConfig::default()
        },
        b: LegConfig {
            remote_rtp: Some(b_addr),
            srtp_in: Some(policy(Suite::AeadAes256Gcm, 3)),
            srtp_out: Some(policy(Suite::AeadAes256Gcm, 4)),
            rewrite: true,
            ..LegConfig::default()
        },
    };
    let id = relay.add_session(t0, &[cfg]).unwrap();
    let port = relay
        .local_ports(id, Leg::A, StreamKind::Audio)
        .unwrap()
        .rtp;
    let mut tx_a = SrtpContext::new(&policy(Suite::AesCm128HmacSha1_80, 1)).unwrap();
    let mut rx_b = SrtpContext::new(&policy(Suite::AeadAes256Gcm, 4)).unwrap();

    let mut template = vec![0u8; 2048];
    let plain_len = RtpBuilder {
        payload_type: 0,
        ssrc: 0xa11ce,
        ..RtpBuilder::default()
    }
    .write(&[0x5a; 160], &mut template)
    .unwrap();
    let mut buf = vec![0u8; 2048];
    let mut replay = vec![0u8; 2048];
    let mut replay_len = 0;
    let mut round = |relay: &mut Relay, i: u32, buf: &mut Vec<u8>, count_replay: bool| {
        buf[..plain_len].copy_from_slice(&template[..plain_len]);
        {
            let mut h = RtpPacketMut::new(&mut buf[..plain_len]).unwrap();
            h.set_sequence_number(i as u16);
            h.set_timestamp(i.wrapping_mul(160));
        }
        let n = tx_a.protect_rtp(buf, plain_len).unwrap();
        if count_replay {
            replay[..n].copy_from_slice(&buf[..n]);
            replay_len = n;
        }
        let now = t0 + Duration::from_millis(u64::from(i) * 20 % 20_000);
        let t = relay.handle_datagram(now, port, a_addr, buf, n).unwrap();
        assert_eq!(t.to, b_addr);
        assert_eq!(rx_b.unprotect_rtp(&mut buf[..t.len]).unwrap(), plain_len);
        // A spoofer and a replay: both dropped, both counted.
        let n2 = n;
        assert!(relay.handle_datagram(now, port, spoof, buf, n2).is_none());
        if replay_len > 0 {
            let mut r = [0u8; 256];
            r[..replay_len].copy_from_slice(&replay[..replay_len]);
            assert!(relay
                .handle_datagram(now, port, a_addr, &mut r, replay_len)
                .is_none());
        }
    };
    for i in 0..100 {
        round(&mut relay, i, &mut buf, i == 50);
    }
    while relay.poll_event().is_some() {}
    assert!(count_allocations(|| drop(std::hint::black_box(vec![1u8; 10]))) >= 1);
    let n = count_allocations(|| {
        for i in 100..10_100 {
            round(&mut relay, i, &mut buf, false);
        }
    });
    assert_eq!(n, 0, "{n} allocations in 10,000 forwarded packets");
    let s = relay.stats();
    assert_eq!(s.rtp_forwarded, 10_100);
    assert_eq!(s.drops.not_latched_source, 10_100);
    assert!(s.drops.replay >= 10_000);
}

/// Transcoding uses buffers preallocated per stream: after warm-up, PCMU 40 ms → Opus 20 ms
/// (two output packets per input, the second through `poll_transmit`) allocates nothing in
/// Rust code (libopus's own C allocations, if any, are not counted).
#[test]
fn transcoding_allocates_nothing_after_warm_up() {
    let t0 = Instant::now();
    let mut relay = Relay::new(
        t0,
        RelayConfig {
            port_min: 30000,
            port_max: 30007,
            ..RelayConfig::default()
        },
    );
    let a_addr: SocketAddr = "127.0.0.1:5000".parse().unwrap();
    let cfg = StreamConfig {
        kind: StreamKind::Audio,
        mode: StreamMode::Transcode,
        clock_rate: 8000,
        a: LegConfig {
            remote_rtp: Some(a_addr),
            codec: Some((roomgate_media::codec::AudioCodec::Pcmu, 0)),
            ..LegConfig::default()
        },
        b: LegConfig {
            remote_rtp: Some("127.0.0.1:6000".parse().unwrap()),
            codec: Some((
                roomgate_media::codec::AudioCodec::Opus {
                    channels: 1,
                    bitrate: 32000,
                },
                111,
            )),
            srtp_out: Some(policy(Suite::AeadAes256Gcm, 4)),
            ..LegConfig::default()
        },
    };
    let id = relay.add_session(t0, &[cfg]).unwrap();
    let port = relay
        .local_ports(id, Leg::A, StreamKind::Audio)
        .unwrap()
        .rtp;
    let mut template = vec![0u8; 2048];
    let len = RtpBuilder {
        payload_type: 0,
        ssrc: 0xa11ce,
        ..RtpBuilder::default()
    }
    .write(&[0x3c; 320], &mut template)
    .unwrap();
    let mut buf = vec![0u8; 2048];
    let round = |relay: &mut Relay, i: u32, buf: &mut Vec<u8>| {
        buf[..len].copy_from_slice(&template[..len]);
        {
            let mut h = RtpPacketMut::new(&mut buf[..len]).unwrap();
            h.set_sequence_number(i as u16);
            h.set_timestamp(i.wrapping_mul(320));
        }
        assert!(relay.handle_datagram(t0, port, a_addr, buf, len).is_some());
        assert!(relay.poll_transmit(t0, buf).is_some());
        assert!(relay.poll_transmit(t0, buf).is_none());
    };
    for i in 0..50 {
        round(&mut relay, i, &mut buf);
    }
    while relay.poll_event().is_some() {}
    let n = count_allocations(|| {
        for i in 50..1050 {
            round(&mut relay, i, &mut buf);
        }
    });
    assert_eq!(n, 0, "{n} allocations in 1,000 transcoded packets");
    assert_eq!(relay.stats().rtp_forwarded, 2 * 1050);
    assert_eq!(relay.stats().drops.total(), 0);
}

/// An audio call's relay state, SRTP on both legs (AES_CM_128 toward the room, AES_256_CM
/// toward the cloud), must stay small: the relay holds one per concurrent call (issue 18's
/// goal is 64 KiB per call for everything).
#[test]
fn a_relay_session_with_srtp_on_both_legs_stays_small() {
    let t0 = Instant::now();
    const SESSIONS: u16 = 200;
    let mut relay = Relay::new(
        t0,
        RelayConfig {
            port_min: 30000,
            port_max: 30000 + SESSIONS * 4 - 1,
            max_sessions: usize::from(SESSIONS),
            ..RelayConfig::default()
        },
    );
    let cfg = |i: u16| StreamConfig {
        kind: StreamKind::Audio,
        mode: StreamMode::PassThrough,
        clock_rate: 8000,
        a: LegConfig {
            remote_rtp: Some(SocketAddr::from(([127, 0, 0, 1], 5000 + i))),
            srtp_in: Some(policy(Suite::AesCm128HmacSha1_80, 1)),
            srtp_out: Some(policy(Suite::AesCm128HmacSha1_80, 2)),
            pt_map: vec![(0, 0), (101, 101)],
            rewrite: true,
            ..LegConfig::default()
        },
        b: LegConfig {
            remote_rtp: Some(SocketAddr::from(([127, 0, 0, 1], 6000 + i))),
            srtp_in: Some(policy(Suite::AesCm256HmacSha1_80, 3)),
            srtp_out: Some(policy(Suite::AesCm256HmacSha1_80, 4)),
            pt_map: vec![(0, 0), (101, 101)],
            rewrite: true,
            ..LegConfig::default()
        },
    };
    // The first session grows the relay's tables; measure the ones after it.
    relay.add_session(t0, &[cfg(0)]).unwrap();
    let (added, bytes) = net_bytes(|| {
        (1..SESSIONS)
            .filter(|i| relay.add_session(t0, &[cfg(*i)]).is_ok())
            .count()
    });
    assert_eq!(added, usize::from(SESSIONS) - 1);
    // About 16.7 KiB: the audio stream (12 KiB, four SRTP contexts inline), their SSRC
    // tables, payload-type maps and transcoding scratch. Reserving every SSRC slot up front
    // made it 44 KiB, plus 36 KiB of room for three streams inline in the session table.
    let per_session = bytes / added as i64;
    assert!(per_session <= 20 * 1024, "{per_session} bytes per session");
}
