//! The relay on real UDP sockets on 127.0.0.1 (feature `net`): test endpoints on both legs,
//! SRTP suite conversion, plain ↔ SRTP, PCMU ↔ Opus transcoding with the tone's frequency
//! checked, a spoofer that never gets latched, and a range port held for a moment waited for.
//!
//! Robust on a loaded CI box: every wait is bounded by a generous timeout, sends are paced
//! lightly, and assertions allow some UDP loss instead of timing ratios.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use roomgate_media::codec::{g711, AudioCodec, AudioDecoder, Decoder};
use roomgate_media::relay::net::NetRelay;
use roomgate_media::relay::{
    Event, Leg, LegConfig, Relay, RelayConfig, SessionId, StreamConfig, StreamKind, StreamMode,
};
use roomgate_media::rtp::{RtpBuilder, RtpPacket};
use roomgate_media::srtp::{Policy, SrtpContext, Suite};
use tokio::net::UdpSocket;
use tokio::time::timeout;

const LOCAL: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const WAIT: Duration = Duration::from_secs(10);

fn policy(suite: Suite, seed: u8) -> Policy {
    let k: Vec<u8> = (0..suite.master_key_len() as u8)
        .map(|i| i ^ seed)
        .collect();
    let s: Vec<u8> = (0..suite.master_salt_len() as u8)
        .map(|i| i.wrapping_add(seed))
        .collect();
    Policy::new(suite, &k, &s)
}

/// Binds a relay on a free-looking port range (retrying elsewhere if taken).
async fn start() -> NetRelay {
    let pid = std::process::id();
    for attempt in 0..40u32 {
        let first = 20000 + ((pid.wrapping_mul(7919) + attempt * 997) % 2000) as u16 * 16;
        let cfg = RelayConfig {
            port_min: first,
            port_max: first + 15,
            max_sessions: 4,
            ..RelayConfig::default()
        };
        if let Ok(r) = NetRelay::bind(LOCAL, Relay::new(Instant::now(), cfg)).await {
            return r;
        }
    }
    panic!("no free port range");
}

async fn endpoint() -> (UdpSocket, SocketAddr) {
    let s = UdpSocket::bind((LOCAL, 0)).await.unwrap();
    let a = s.local_addr().unwrap();
    (s, a)
}

fn rtp(pt: u8, seq: u16, ts: u32, ssrc: u32, payload: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; 1500];
    let n = RtpBuilder {
        payload_type: pt,
        sequence_number: seq,
        timestamp: ts,
        ssrc,
        ..RtpBuilder::default()
    }
    .write(payload, &mut buf)
    .unwrap();
    buf.truncate(n);
    buf
}

async fn send(sock: &UdpSocket, to: SocketAddr, mut pkt: Vec<u8>, tx: Option<&mut SrtpContext>) {
    if let Some(tx) = tx {
        tx.protect_rtp_vec(&mut pkt).unwrap();
    }
    sock.send_to(&pkt, to).await.unwrap();
    // Light pacing so the relay's receive buffer never overflows on a slow box.
    tokio::time::sleep(Duration::from_millis(2)).await;
}

/// Receives until `count` RTP packets arrived or the wait runs out; RTCP is skipped.
async fn collect(sock: &UdpSocket, count: usize, rx: Option<&mut SrtpContext>) -> Vec<Vec<u8>> {
    let mut rx = rx;
    let mut out = vec![];
    let mut buf = vec![0u8; 2048];
    let deadline = tokio::time::Instant::now() + WAIT;
    while out.len() < count {
        let Ok(Ok((n, _))) = tokio::time::timeout_at(deadline, sock.recv_from(&mut buf)).await
        else {
            break;
        };
        let mut pkt = buf[..n].to_vec();
        if (64..=95).contains(&(pkt[1] & 0x7f)) {
            continue; // RTCP report
        }
        if let Some(rx) = rx.as_mut() {
            rx.unprotect_rtp_vec(&mut pkt).unwrap();
        }
        out.push(pkt);
    }
    out
}

fn relay_addr(net: &NetRelay, id: SessionId, leg: Leg) -> SocketAddr {
    let p = net.with_relay(|r, _| r.local_ports(id, leg, StreamKind::Audio).unwrap());
    SocketAddr::new(LOCAL, p.rtp)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn srtp_cm128_to_gcm256_and_spoofer_not_latched() {
    let mut net = start().await;
    let (a, a_addr) = endpoint().await;
    let (b, b_addr) = endpoint().await;
    let (spoof, spoof_addr) = endpoint().await;
    let cfg = StreamConfig {
        kind: StreamKind::Audio,
        mode: StreamMode::PassThrough,
        clock_rate: 8000,
        a: LegConfig {
            remote_rtp: Some(a_addr),
            srtp_in: Some(policy(Suite::AesCm128HmacSha1_80, 1)),
            srtp_out: Some(policy(Suite::AesCm128HmacSha1_80, 2)),
            pt_map: vec![(0, 0)],
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
    let id = net.with_relay(|r, now| r.add_session(now, &[cfg])).unwrap();
    let ra = relay_addr(&net, id, Leg::A);
    let mut tx_a = SrtpContext::new(&policy(Suite::AesCm128HmacSha1_80, 1)).unwrap();
    let mut rx_b = SrtpContext::new(&policy(Suite::AeadAes256Gcm, 4)).unwrap();
    let mut wrong = SrtpContext::new(&policy(Suite::AesCm128HmacSha1_80, 99)).unwrap();

    // The spoofer speaks first, with a wrong key: never latched, never forwarded.
    for i in 0..5u16 {
        send(
            &spoof,
            ra,
            rtp(0, i, 0, 0x5900f, &[0xee; 160]),
            Some(&mut wrong),
        )
        .await;
    }
    let payload: Vec<u8> = (0..160u8).collect();
    for i in 0..50u16 {
        let pkt = rtp(0, 1000 + i, 160 * u32::from(i), 0xa11ce, &payload);
        send(&a, ra, pkt, Some(&mut tx_a)).await;
        if i % 10 == 0 {
            send(
                &spoof,
                ra,
                rtp(0, 1000 + i, 0, 0xa11ce, &[0xee; 160]),
                Some(&mut wrong),
            )
            .await;
        }
    }
    let got = collect(&b, 50, Some(&mut rx_b)).await;
    assert!(got.len() >= 40, "only {} of 50 arrived", got.len());
    let out_ssrc =
        net.with_relay(|r, _| r.leg_stats(id, Leg::B, StreamKind::Audio).unwrap().out_ssrc);
    let mut prev: Option<(u16, u32)> = None;
    for pkt in &got {
        let p = RtpPacket::parse(pkt).unwrap();
        assert_eq!(p.payload(), &payload[..]);
        assert_eq!(p.ssrc(), out_ssrc);
        if let Some((s, t)) = prev {
            let ds = p.sequence_number().wrapping_sub(s);
            assert!((1..20).contains(&ds));
            assert_eq!(p.timestamp().wrapping_sub(t), 160 * u32::from(ds));
        }
        prev = Some((p.sequence_number(), p.timestamp()));
    }
    let latched = timeout(WAIT, async {
        loop {
            if let Some(Event::Latched {
                leg: Leg::A,
                source,
                rtcp: false,
                ..
            }) = net.next_event().await
            {
                return source;
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(latched, a_addr);
    let stats = net.with_relay(|r, _| *r.stats());
    assert!(stats.drops.srtp_auth >= 1, "{stats:?}");
    assert!(
        stats.drops.srtp_auth + stats.drops.not_latched_source >= 8,
        "{stats:?}"
    );
    let la = net.with_relay(|r, _| r.leg_stats(id, Leg::A, StreamKind::Audio).unwrap());
    assert_eq!(la.latched, Some(a_addr));
    assert_ne!(Some(spoof_addr), la.latched);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_leg_to_srtp_leg_both_ways() {
    let net = start().await;
    let (a, a_addr) = endpoint().await;
    let (b, b_addr) = endpoint().await;
    let (spoof, _) = endpoint().await;
    let cfg = StreamConfig {
        kind: StreamKind::Audio,
        mode: StreamMode::PassThrough,
        clock_rate: 8000,
        a: LegConfig {
            remote_rtp: Some(a_addr),
            rewrite: true,
            ..LegConfig::default()
        },
        b: LegConfig {
            remote_rtp: Some(b_addr),
            srtp_in: Some(policy(Suite::AesCm256HmacSha1_80, 5)),
            srtp_out: Some(policy(Suite::AesCm256HmacSha1_80, 6)),
            rewrite: true,
            ..LegConfig::default()
        },
    };
    let id = net.with_relay(|r, now| r.add_session(now, &[cfg])).unwrap();
    let (ra, rb) = (relay_addr(&net, id, Leg::A), relay_addr(&net, id, Leg::B));
    let mut rx_b = SrtpContext::new(&policy(Suite::AesCm256HmacSha1_80, 6)).unwrap();
    let mut tx_b = SrtpContext::new(&policy(Suite::AesCm256HmacSha1_80, 5)).unwrap();
    for i in 0..20u16 {
        // A plain spoofer on another port is refused by the plain leg (no NAT latching).
        send(&spoof, ra, rtp(0, i, 0, 0xbad, &[0xee; 80]), None).await;
        send(
            &a,
            ra,
            rtp(0, i, 160 * u32::from(i), 0xa, &[i as u8; 80]),
            None,
        )
        .await;
    }
    let got = collect(&b, 20, Some(&mut rx_b)).await;
    assert!(got.len() >= 16, "{}", got.len());
    assert!(got
        .iter()
        .all(|p| RtpPacket::parse(p).unwrap().payload() != [0xee; 80]));
    for i in 0..20u16 {
        send(
            &b,
            rb,
            rtp(8, i, 160 * u32::from(i), 0xb, &[7; 80]),
            Some(&mut tx_b),
        )
        .await;
    }
    let back = collect(&a, 20, None).await;
    assert!(back.len() >= 16, "{}", back.len());
    let p = RtpPacket::parse(&back[0]).unwrap();
    assert_eq!((p.payload_type(), p.payload()), (8, &[7u8; 80][..]));
    let stats = net.with_relay(|r, _| *r.stats());
    assert!(stats.drops.not_latched_source >= 16, "{stats:?}");
}

fn goertzel(pcm: &[i16], rate: f64, freq: f64) -> f64 {
    let k = 2.0 * (2.0 * std::f64::consts::PI * freq / rate).cos();
    let (mut s1, mut s2) = (0.0, 0.0);
    for &x in pcm {
        let s = f64::from(x) + k * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    s1 * s1 + s2 * s2 - k * s1 * s2
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transcodes_pcmu_tone_to_opus() {
    let net = start().await;
    let (a, a_addr) = endpoint().await;
    let (b, b_addr) = endpoint().await;
    let opus = AudioCodec::Opus {
        channels: 1,
        bitrate: 32000,
    };
    let cfg = StreamConfig {
        kind: StreamKind::Audio,
        mode: StreamMode::Transcode,
        clock_rate: 8000,
        a: LegConfig {
            remote_rtp: Some(a_addr),
            codec: Some((AudioCodec::Pcmu, 0)),
            rewrite: true,
            ..LegConfig::default()
        },
        b: LegConfig {
            remote_rtp: Some(b_addr),
            codec: Some((opus, 111)),
            srtp_out: Some(policy(Suite::AeadAes128Gcm, 8)),
            srtp_in: Some(policy(Suite::AeadAes128Gcm, 7)),
            rewrite: true,
            ..LegConfig::default()
        },
    };
    let id = net.with_relay(|r, now| r.add_session(now, &[cfg])).unwrap();
    let ra = relay_addr(&net, id, Leg::A);
    let mut rx_b = SrtpContext::new(&policy(Suite::AeadAes128Gcm, 8)).unwrap();
    const FRAMES: u16 = 50;
    for f in 0..FRAMES {
        let frame: Vec<u8> = (0..160)
            .map(|i| {
                let n = f64::from(u32::from(f) * 160 + i);
                let s = 8000.0 * (2.0 * std::f64::consts::PI * 1000.0 * n / 8000.0).sin();
                g711::linear_to_ulaw(s as i16)
            })
            .collect();
        send(&a, ra, rtp(0, f, 160 * u32::from(f), 0x70e, &frame), None).await;
    }
    let got = collect(&b, FRAMES as usize, Some(&mut rx_b)).await;
    assert!(got.len() >= 40, "{}", got.len());
    let mut dec = Decoder::new(opus).unwrap();
    let mut pcm = vec![];
    let mut frame = vec![0i16; 5760];
    let mut prev_ts = None;
    for pkt in &got {
        let p = RtpPacket::parse(pkt).unwrap();
        assert_eq!(p.payload_type(), 111);
        if let Some(t) = prev_ts {
            assert_eq!(p.timestamp().wrapping_sub(t) % 960, 0);
        }
        prev_ts = Some(p.timestamp());
        let n = dec.decode(p.payload(), &mut frame).unwrap();
        assert_eq!(n, 960, "20 ms at 48 kHz");
        pcm.extend_from_slice(&frame[..n]);
    }
    // Skip the codec's start-up, then compare the tone against neighbours.
    let tail = &pcm[pcm.len() / 3..];
    let on = goertzel(tail, 48000.0, 1000.0);
    for off in [500.0, 1500.0, 2000.0, 3000.0] {
        let p = goertzel(tail, 48000.0, off);
        assert!(on > 20.0 * p, "1 kHz {on:e} vs {off} Hz {p:e}");
    }
}

/// A burst that queues up while the core is busy is read back in batches (recvmmsg).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_datagrams_are_received_in_batches() {
    let net = start().await;
    let (a, a_addr) = endpoint().await;
    let (b, b_addr) = endpoint().await;
    let cfg = StreamConfig {
        kind: StreamKind::Audio,
        mode: StreamMode::PassThrough,
        clock_rate: 8000,
        a: LegConfig {
            remote_rtp: Some(a_addr),
            ..LegConfig::default()
        },
        b: LegConfig {
            remote_rtp: Some(b_addr),
            ..LegConfig::default()
        },
    };
    let id = net.with_relay(|r, now| r.add_session(now, &[cfg])).unwrap();
    let ra = relay_addr(&net, id, Leg::A);
    let burst = 24u16;
    // Leg A's signalled address, as a blocking socket usable inside the synchronous closure.
    let sender_a = a.into_std().unwrap();
    sender_a.set_nonblocking(false).unwrap();
    // Hold the core while the burst is sent, so the datagrams queue in the socket.
    net.with_relay(|_, _| {
        for i in 0..burst {
            sender_a
                .send_to(&rtp(0, i, 160 * u32::from(i), 0xa, &[1; 80]), ra)
                .unwrap();
        }
    });
    let got = collect(&b, usize::from(burst), None).await;
    assert!(got.len() >= usize::from(burst) - 2, "{}", got.len());
    let (reads, datagrams) = net.receive_batching();
    assert!(
        datagrams >= u64::from(burst) - 2,
        "{reads} reads, {datagrams} datagrams"
    );
    assert!(
        reads < datagrams,
        "{reads} reads for {datagrams} datagrams: no batching"
    );
}

/// A free-looking range of 8 ports (4 pairs), and a socket holding its third port.
fn held_range() -> (RelayConfig, std::net::UdpSocket) {
    let pid = std::process::id();
    for attempt in 0..40u32 {
        let first = 52000 + ((pid.wrapping_mul(31) + attempt * 389) % 1000) as u16 * 8;
        let Ok(holder) = std::net::UdpSocket::bind((LOCAL, first + 2)) else {
            continue;
        };
        let cfg = RelayConfig {
            port_min: first,
            port_max: first + 7,
            max_sessions: 2,
            ..RelayConfig::default()
        };
        return (cfg, holder);
    }
    panic!("no free port range");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_range_port_held_for_a_moment_is_waited_for_and_one_held_for_good_is_an_error() {
    // Held for 20 ms (what a probe socket of another thread does, only longer): the bind
    // waits for it instead of failing the whole range.
    let (cfg, holder) = held_range();
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        drop(holder);
    });
    let net = NetRelay::bind(LOCAL, Relay::new(Instant::now(), cfg.clone())).await;
    release.join().unwrap();
    assert!(net.is_ok(), "{:?}", net.err());
    drop(net);

    // Held for good: the range cannot be bound, and says so (after the bounded retries).
    let (cfg, _holder) = held_range();
    let Err(err) = NetRelay::bind(LOCAL, Relay::new(Instant::now(), cfg)).await else {
        panic!("a port of the range is taken, yet the range was bound");
    };
    assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse);
}

/// Whether a test socket could bind `port` now (it is not ours to hold).
fn port_free(port: u16) -> bool {
    std::net::UdpSocket::bind((LOCAL, port)).is_ok()
}

/// Whether `port` is released within [`WAIT`]: a socket closes once the runtime has dropped
/// the task that read it, just after the call that ended its use.
async fn port_freed(port: u16) -> bool {
    let deadline = Instant::now() + WAIT;
    while !port_free(port) {
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    true
}

/// Sends receiver reports (V=2, RC=0, PT=201, one word after the header: the sender's SSRC)
/// from `from` to relay port `port` until leg B latches its RTCP: the session and source.
async fn rtcp_latches_b(
    net: &mut NetRelay,
    from: &UdpSocket,
    port: u16,
) -> (SessionId, SocketAddr) {
    let rr = [0x80, 201, 0, 1, 0, 0, 0xb0, 0x0b];
    let to = SocketAddr::new(LOCAL, port);
    timeout(WAIT, async {
        loop {
            from.send_to(&rr, to).await.unwrap();
            if let Ok(Some(Event::Latched {
                session,
                leg: Leg::B,
                rtcp: true,
                source,
                ..
            })) = timeout(Duration::from_millis(100), net.next_event()).await
            {
                return (session, source);
            }
        }
    })
    .await
    .unwrap()
}

/// A leg with rtcp-mux costs one descriptor: its RTCP port is bound only while a leg
/// without mux uses it (after a re-offer too), and closed again when no leg does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rtcp_port_is_bound_only_while_a_leg_without_mux_uses_it() {
    let mut net = start().await;
    assert_eq!(net.bound_ports(), (8, 0), "RTP ports only, at start");
    let (a, a_addr) = endpoint().await;
    let (b, b_addr) = endpoint().await;
    let (b_rtcp, b_rtcp_addr) = endpoint().await;
    let leg = |rtp, rtcp, mux| LegConfig {
        remote_rtp: Some(rtp),
        remote_rtcp: rtcp,
        rtcp_mux: mux,
        ..LegConfig::default()
    };
    let cfg = |a_mux, b_mux| StreamConfig {
        kind: StreamKind::Audio,
        mode: StreamMode::PassThrough,
        clock_rate: 8000,
        a: leg(a_addr, None, a_mux),
        b: leg(b_addr, Some(b_rtcp_addr), b_mux),
    };
    let id = net
        .with_relay(|r, now| r.add_session(now, &[cfg(true, false)]))
        .unwrap();
    let (ra, rb) = (relay_addr(&net, id, Leg::A), relay_addr(&net, id, Leg::B));
    assert_eq!(net.bound_ports(), (8, 1), "B has no mux: its RTCP port");
    assert!(
        port_free(ra.port() + 1),
        "A muxes: its RTCP port is not held"
    );
    assert!(!port_free(rb.port() + 1), "B's RTCP port is bound");

    // RTCP from B's far end reaches the relay on that port.
    let (_, latched) = rtcp_latches_b(&mut net, &b_rtcp, rb.port() + 1).await;
    assert_eq!(latched, b_rtcp_addr);

    // A re-offer turns mux around: B's port is closed, A's bound; media still flows.
    net.with_relay(|r, now| r.reconfigure_session(now, id, &[cfg(false, true)]))
        .unwrap();
    assert_eq!(net.bound_ports(), (8, 1));
    assert!(
        port_freed(rb.port() + 1).await,
        "B muxes now: its RTCP port is closed"
    );
    assert!(
        !port_free(ra.port() + 1),
        "A has no mux now: its RTCP port is bound"
    );
    for i in 0..10u16 {
        send(&a, ra, rtp(0, i, 160 * u32::from(i), 0xa, &[1; 80]), None).await;
    }
    let got = collect(&b, 10, None).await;
    assert!(got.len() >= 8, "{}", got.len());

    net.with_relay(|r, _| r.remove_session(id)).unwrap();
    assert_eq!(net.bound_ports(), (8, 0), "the session's end closes it");
    assert!(port_freed(ra.port() + 1).await);
    assert_eq!(net.rtcp_bind_errors(), 0);
}

/// The pool hands a just-released pair out first: a call ending and the next starting in
/// back-to-back jobs (a worker's runtime has not yet dropped the ended leg's RTCP task, so
/// its socket is still open) gets that RTCP port back instead of failing to bind it.
#[tokio::test(flavor = "current_thread")]
async fn an_rtcp_port_released_and_reused_at_once_keeps_working() {
    let mut net = start().await;
    let (_a, a_addr) = endpoint().await;
    let (_b, b_addr) = endpoint().await;
    let (b_rtcp, b_rtcp_addr) = endpoint().await;
    let cfg = StreamConfig {
        kind: StreamKind::Audio,
        mode: StreamMode::PassThrough,
        clock_rate: 8000,
        a: LegConfig {
            remote_rtp: Some(a_addr),
            ..LegConfig::default()
        },
        b: LegConfig {
            remote_rtp: Some(b_addr),
            remote_rtcp: Some(b_rtcp_addr),
            ..LegConfig::default()
        },
    };
    let first = net
        .with_relay(|r, now| r.add_session(now, std::slice::from_ref(&cfg)))
        .unwrap();
    let mut old = [
        relay_addr(&net, first, Leg::A),
        relay_addr(&net, first, Leg::B),
    ];
    // No await between these: the first session's RTCP tasks are aborted but not dropped.
    net.with_relay(|r, _| r.remove_session(first)).unwrap();
    let second = net
        .with_relay(|r, now| r.add_session(now, std::slice::from_ref(&cfg)))
        .unwrap();
    let rb = relay_addr(&net, second, Leg::B);
    let mut new = [relay_addr(&net, second, Leg::A), rb];
    old.sort();
    new.sort();
    assert_eq!(old, new, "the same pairs, reused");
    assert_eq!(net.rtcp_bind_errors(), 0);
    assert_eq!(net.bound_ports(), (8, 2));
    let (latched, _) = rtcp_latches_b(&mut net, &b_rtcp, rb.port() + 1).await;
    assert_eq!(latched, second, "RTCP reaches the new session");
}
