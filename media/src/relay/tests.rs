//! Core tests with a virtual clock: every rule of the module docs, one test each.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use super::*;
use crate::codec::AudioCodec;
use crate::dtmf::{DtmfGenerator, GeneratorConfig};
use crate::rtcp::{parse_compound, CompoundWriter, ReportBlock, RtcpPacket};
use crate::rtp::{RtpBuilder, RtpPacket};
use crate::srtp::{Policy, Suite};

const SSRC_A: u32 = 0xaaaa_0001;

fn addr(p: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], p))
}

fn policy(suite: Suite, seed: u8) -> Policy {
    let k: Vec<u8> = (0..suite.master_key_len() as u8)
        .map(|i| i ^ seed)
        .collect();
    let s: Vec<u8> = (0..suite.master_salt_len() as u8)
        .map(|i| i.wrapping_mul(3) ^ seed)
        .collect();
    Policy::new(suite, &k, &s)
}

fn cfg() -> RelayConfig {
    RelayConfig {
        port_min: 20000,
        port_max: 20015,
        max_sessions: 3,
        ..RelayConfig::default()
    }
}

fn leg(remote: u16) -> LegConfig {
    LegConfig {
        remote_rtp: Some(addr(remote)),
        rewrite: true,
        ..LegConfig::default()
    }
}

fn audio(a: LegConfig, b: LegConfig) -> StreamConfig {
    StreamConfig {
        kind: StreamKind::Audio,
        mode: StreamMode::PassThrough,
        clock_rate: 8000,
        a,
        b,
    }
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

/// Sends `pkt` (optionally SRTP-protected by `tx`) into the relay; returns the transmit and
/// the output bytes.
fn send(
    r: &mut Relay,
    now: Instant,
    port: u16,
    src: u16,
    pkt: &[u8],
    tx: Option<&mut SrtpContext>,
) -> Option<(Transmit, Vec<u8>)> {
    let mut buf = vec![0u8; 2048];
    buf[..pkt.len()].copy_from_slice(pkt);
    let mut n = pkt.len();
    if let Some(tx) = tx {
        n = tx.protect_rtp(&mut buf, n).unwrap();
    }
    r.handle_datagram(now, port, addr(src), &mut buf, n)
        .map(|t| (t, buf[..t.len].to_vec()))
}

fn ports(r: &Relay, id: SessionId, leg: Leg) -> LocalPorts {
    r.local_ports(id, leg, StreamKind::Audio).unwrap()
}

#[test]
fn plain_latches_only_to_signalled_address() {
    let t0 = Instant::now();
    let mut r = Relay::new(t0, cfg());
    let id = r.add_session(t0, &[audio(leg(1000), leg(2000))]).unwrap();
    let pa = ports(&r, id, Leg::A).rtp;
    let pb = ports(&r, id, Leg::B).rtp;
    assert!(send(&mut r, t0, pa, 1001, &rtp(0, 1, 0, SSRC_A, &[1; 160]), None).is_none());
    assert_eq!(r.stats().drops.not_latched_source, 1);
    let (t, out) = send(&mut r, t0, pa, 1000, &rtp(0, 1, 0, SSRC_A, &[1; 160]), None).unwrap();
    assert_eq!((t.from_port, t.to), (pb, addr(2000)));
    let p = RtpPacket::parse(&out).unwrap();
    assert_eq!(
        p.ssrc(),
        r.leg_stats(id, Leg::B, StreamKind::Audio).unwrap().out_ssrc
    );
    assert_ne!(p.ssrc(), SSRC_A);
    assert_eq!(p.payload(), &[1; 160][..]);
    assert!(matches!(
        r.poll_event(),
        Some(Event::Latched { leg: Leg::A, source, rtcp: false, .. }) if source == addr(1000)
    ));
    // Still only the latched source afterwards.
    assert!(send(
        &mut r,
        t0,
        pa,
        1001,
        &rtp(0, 2, 160, SSRC_A, &[1; 160]),
        None
    )
    .is_none());
    assert_eq!(r.stats().drops.not_latched_source, 2);
}

#[test]
fn srtp_leg_ignores_unauthenticated_spoofer() {
    let t0 = Instant::now();
    let mut r = Relay::new(t0, cfg());
    let a = LegConfig {
        srtp_in: Some(policy(Suite::AesCm128HmacSha1_80, 1)),
        srtp_out: Some(policy(Suite::AesCm128HmacSha1_80, 2)),
        ..leg(1000)
    };
    let id = r.add_session(t0, &[audio(a, leg(2000))]).unwrap();
    let pa = ports(&r, id, Leg::A).rtp;
    let mut good = SrtpContext::new(&policy(Suite::AesCm128HmacSha1_80, 1)).unwrap();
    let mut evil = SrtpContext::new(&policy(Suite::AesCm128HmacSha1_80, 9)).unwrap();
    // Spoofer first, from the signalled address even: no latch, auth failure counted.
    let pkt = rtp(0, 1, 0, SSRC_A, &[5; 160]);
    assert!(send(&mut r, t0, pa, 1000, &pkt, Some(&mut evil)).is_none());
    assert!(send(&mut r, t0, pa, 6666, &pkt, Some(&mut evil)).is_none());
    assert_eq!(r.stats().drops.srtp_auth, 2);
    assert!(r.poll_event().is_none());
    // The real peer from an unsignalled (NATed) address latches by authenticating.
    let (_, out) = send(&mut r, t0, pa, 7777, &pkt, Some(&mut good)).unwrap();
    assert_eq!(RtpPacket::parse(&out).unwrap().payload(), &[5; 160][..]);
    assert!(matches!(r.poll_event(), Some(Event::Latched { source, .. }) if source == addr(7777)));
    // Replay of the same packet is counted.
    let mut buf = vec![0u8; 2048];
    buf[..pkt.len()].copy_from_slice(&pkt);
    let mut again = SrtpContext::new(&policy(Suite::AesCm128HmacSha1_80, 1)).unwrap();
    let n = again.protect_rtp(&mut buf, pkt.len()).unwrap();
    assert!(r.handle_datagram(t0, pa, addr(7777), &mut buf, n).is_none());
    assert_eq!(r.stats().drops.replay, 1);
    // Spoofer after the latch: dropped before crypto.
    let pkt2 = rtp(0, 2, 160, SSRC_A, &[5; 160]);
    assert!(send(&mut r, t0, pa, 6666, &pkt2, Some(&mut evil)).is_none());
    assert_eq!(r.stats().drops.not_latched_source, 1);
    assert_eq!(r.stats().drops.srtp_auth, 2);
}

#[test]
fn nat_window_is_two_seconds() {
    let t0 = Instant::now();
    let mut r = Relay::new(t0, cfg());
    let nat = LegConfig {
        nat: true,
        ..leg(1000)
    };
    let early = r.add_session(t0, &[audio(nat.clone(), leg(2000))]).unwrap();
    let late = r.add_session(t0, &[audio(nat, leg(2000))]).unwrap();
    let early_a = ports(&r, early, Leg::A).rtp;
    let early_b = ports(&r, early, Leg::B).rtp;
    let late_a = ports(&r, late, Leg::A).rtp;
    let pkt = rtp(0, 1, 0, SSRC_A, &[0; 160]);
    let t1 = t0 + Duration::from_millis(1500);
    let (_, _) = send(&mut r, t1, early_a, 4444, &pkt, None).unwrap();
    let t2 = t0 + Duration::from_millis(2500);
    assert!(send(&mut r, t2, late_a, 4444, &pkt, None).is_none());
    assert_eq!(r.stats().drops.not_latched_source, 1);
    // After the window the signalled address still works.
    assert!(send(&mut r, t2, late_a, 1000, &pkt, None).is_some());
    // Media toward the NATed leg goes to the latched source, not the signalled one.
    let (t, _) = send(&mut r, t2, early_b, 2000, &pkt, None).unwrap();
    assert_eq!(t.to, addr(4444));
}

#[test]
fn relatch_only_after_update_and_output_stays_continuous() {
    let t0 = Instant::now();
    let mut r = Relay::new(t0, cfg());
    let id = r.add_session(t0, &[audio(leg(1000), leg(2000))]).unwrap();
    let pa = ports(&r, id, Leg::A).rtp;
    let mut last = None;
    for i in 0..3u16 {
        let (_, out) = send(
            &mut r,
            t0,
            pa,
            1000,
            &rtp(0, 100 + i, 800 + 160 * u32::from(i), SSRC_A, &[0; 160]),
            None,
        )
        .unwrap();
        let p = RtpPacket::parse(&out).unwrap();
        last = Some((p.sequence_number(), p.timestamp(), p.ssrc()));
    }
    let (seq, ts, ssrc) = last.unwrap();
    // The far end moves (new offer) but the relay is not told yet: dropped.
    let moved = rtp(0, 9000, 77_000, 0xbbbb, &[0; 160]);
    assert!(send(&mut r, t0, pa, 1500, &moved, None).is_none());
    r.update_leg(
        t0,
        id,
        Leg::A,
        StreamKind::Audio,
        LegUpdate {
            remote_rtp: Some(addr(1500)),
            ..LegUpdate::default()
        },
    )
    .unwrap();
    let (_, out) = send(&mut r, t0, pa, 1500, &moved, None).unwrap();
    let p = RtpPacket::parse(&out).unwrap();
    assert_eq!(p.ssrc(), ssrc);
    assert_eq!(p.sequence_number(), seq.wrapping_add(1));
    assert_eq!(p.timestamp(), ts.wrapping_add(160));
    // And the old address is now refused.
    assert!(send(
        &mut r,
        t0,
        pa,
        1000,
        &rtp(0, 103, 1280, SSRC_A, &[0; 160]),
        None
    )
    .is_none());
}

#[test]
fn reencrypts_cm128_to_gcm256_with_pt_mapping() {
    let t0 = Instant::now();
    let mut r = Relay::new(t0, cfg());
    let a = LegConfig {
        srtp_in: Some(policy(Suite::AesCm128HmacSha1_80, 1)),
        srtp_out: Some(policy(Suite::AesCm128HmacSha1_80, 2)),
        pt_map: vec![(96, 100)],
        ..leg(1000)
    };
    let b = LegConfig {
        srtp_in: Some(policy(Suite::AeadAes256Gcm, 3)),
        srtp_out: Some(policy(Suite::AeadAes256Gcm, 4)),
        ..leg(2000)
    };
    let id = r.add_session(t0, &[audio(a, b)]).unwrap();
    let pa = ports(&r, id, Leg::A).rtp;
    let mut tx_a = SrtpContext::new(&policy(Suite::AesCm128HmacSha1_80, 1)).unwrap();
    let mut rx_b = SrtpContext::new(&policy(Suite::AeadAes256Gcm, 4)).unwrap();
    let payload: Vec<u8> = (0..=255u8).cycle().take(1200).collect();
    let mut prev: Option<(u16, u32)> = None;
    for i in 0..20u16 {
        let pkt = rtp(
            96,
            65530u16.wrapping_add(i),
            1000 + 3000 * u32::from(i),
            SSRC_A,
            &payload,
        );
        let (_, mut out) = send(&mut r, t0, pa, 1000, &pkt, Some(&mut tx_a)).unwrap();
        rx_b.unprotect_rtp_vec(&mut out).unwrap();
        let p = RtpPacket::parse(&out).unwrap();
        assert_eq!(p.payload(), &payload[..]);
        assert_eq!(p.payload_type(), 100);
        if let Some((s, t)) = prev {
            assert_eq!(p.sequence_number(), s.wrapping_add(1));
            assert_eq!(p.timestamp(), t.wrapping_add(3000));
        }
        prev = Some((p.sequence_number(), p.timestamp()));
    }
    // A PT outside the mapping is dropped and counted.
    let pkt = rtp(0, 20, 0, SSRC_A, &payload);
    assert!(send(&mut r, t0, pa, 1000, &pkt, Some(&mut tx_a)).is_none());
    assert_eq!(r.stats().drops.unknown_payload_type, 1);
    let s = r.leg_stats(id, Leg::B, StreamKind::Audio).unwrap();
    assert_eq!(s.rtp_sent, 20);
}

fn parse_report(out: &[u8]) -> (bool, Vec<ReportBlock>) {
    let mut sr = false;
    let mut blocks = vec![];
    for p in parse_compound(out) {
        match p.unwrap() {
            RtcpPacket::SenderReport(s) => {
                sr = true;
                blocks.extend(s.report_blocks());
            }
            RtcpPacket::ReceiverReport(rr) => blocks.extend(rr.report_blocks()),
            _ => {}
        }
    }
    (sr, blocks)
}

#[test]
fn reports_generated_per_leg_and_rtt_from_rr() {
    let t0 = Instant::now();
    let mut r = Relay::new(t0, cfg());
    let id = r.add_session(t0, &[audio(leg(1000), leg(2000))]).unwrap();
    let pa = ports(&r, id, Leg::A);
    let pb = ports(&r, id, Leg::B);
    for i in 0..10u16 {
        if i == 4 {
            continue; // one lost
        }
        let now = t0 + Duration::from_millis(20 * u64::from(i));
        send(
            &mut r,
            now,
            pa.rtp,
            1000,
            &rtp(0, i, 160 * u32::from(i), SSRC_A, &[0; 160]),
            None,
        )
        .unwrap();
    }
    let t5 = t0 + Duration::from_secs(5);
    assert!(r.poll_timeout().unwrap() <= t5);
    r.handle_timeout(t5);
    let mut buf = vec![0u8; 1500];
    let mut seen = vec![];
    while let Some(t) = r.poll_transmit(t5, &mut buf) {
        seen.push((t, parse_report(&buf[..t.len])));
    }
    assert_eq!(seen.len(), 2);
    // Leg A: we only received → RR about SSRC_A with one loss, sent to RTP port + 1.
    let (ta, (sr_a, blocks_a)) = seen
        .iter()
        .find(|(t, _)| t.from_port == pa.rtcp.unwrap())
        .unwrap();
    assert_eq!(ta.to, addr(1001));
    assert!(!sr_a);
    assert_eq!(blocks_a[0].ssrc, SSRC_A);
    assert_eq!(blocks_a[0].cumulative_lost, 1);
    assert_eq!(blocks_a[0].extended_highest_seq, 9);
    // Leg B: we sent → SR, no blocks (nothing received).
    let (_, (sr_b, blocks_b)) = seen
        .iter()
        .find(|(t, _)| t.from_port == pb.rtcp.unwrap())
        .unwrap();
    assert!(*sr_b && blocks_b.is_empty());

    // The B far end reports on our SR: LSR = our SR's NTP middle bits, DLSR = 1 s, arriving
    // 1.25 s after the SR → RTT 250 ms.
    let (_, sr_pkt) = seen
        .iter()
        .find(|(t, _)| t.from_port == pb.rtcp.unwrap())
        .cloned()
        .unwrap();
    let _ = sr_pkt;
    let our_b = r.leg_stats(id, Leg::B, StreamKind::Audio).unwrap().out_ssrc;
    let ntp_t5 = r.cfg.ntp_at_start + rtcp_term::ntp_from_duration(Duration::from_secs(5));
    let mut rr = vec![0u8; 200];
    let mut w = CompoundWriter::new(&mut rr);
    w.receiver_report(
        0xbbbb,
        &[ReportBlock {
            ssrc: our_b,
            last_sr: (ntp_t5 >> 16) as u32,
            delay_since_last_sr: 65536,
            ..ReportBlock::default()
        }],
    )
    .unwrap();
    let n = w.len();
    let arrive = t5 + Duration::from_millis(1250);
    assert!(r
        .handle_datagram(arrive, pb.rtcp.unwrap(), addr(2001), &mut rr, n)
        .is_none());
    let rtt = r
        .leg_stats(id, Leg::B, StreamKind::Audio)
        .unwrap()
        .rtt
        .unwrap();
    assert!(
        rtt.abs_diff(Duration::from_millis(250)) < Duration::from_millis(1),
        "{rtt:?}"
    );
    assert_eq!(r.stats().rtcp_terminated, 1);
}

#[test]
fn pli_forwarded_with_ssrc_rewrite() {
    let t0 = Instant::now();
    let mut r = Relay::new(t0, cfg());
    let mut v = audio(
        leg(1000),
        LegConfig {
            rtcp_mux: true,
            ..leg(2000)
        },
    );
    v.kind = StreamKind::Video;
    v.clock_rate = 90000;
    let id = r.add_session(t0, &[v]).unwrap();
    let pa = r.local_ports(id, Leg::A, StreamKind::Video).unwrap();
    let pb = r.local_ports(id, Leg::B, StreamKind::Video).unwrap();
    assert_eq!(pb.rtcp, None);
    // A sends video so its SSRC is known.
    send(
        &mut r,
        t0,
        pa.rtp,
        1000,
        &rtp(96, 1, 0, SSRC_A, &[0; 100]),
        None,
    )
    .unwrap();
    // B asks for a keyframe about the SSRC it sees (our B-side SSRC), over mux.
    let our_b = r.leg_stats(id, Leg::B, StreamKind::Video).unwrap().out_ssrc;
    let mut buf = vec![0u8; 1500];
    let mut w = CompoundWriter::new(&mut buf);
    w.pli(0xbbbb, our_b).unwrap();
    let n = w.len();
    let t = r
        .handle_datagram(t0, pb.rtp, addr(2000), &mut buf, n)
        .unwrap();
    assert_eq!((t.from_port, t.to), (pa.rtcp.unwrap(), addr(1001)));
    let our_a = r.leg_stats(id, Leg::A, StreamKind::Video).unwrap().out_ssrc;
    let pli = parse_compound(&buf[..t.len])
        .filter_map(|p| match p.unwrap() {
            RtcpPacket::Pli(f) => Some(f),
            _ => None,
        })
        .next()
        .unwrap();
    assert_eq!((pli.sender_ssrc, pli.media_ssrc), (our_a, SSRC_A));
    assert_eq!(r.stats().feedback_sent, 1);
}

#[test]
fn inactivity_event_once() {
    let t0 = Instant::now();
    let mut r = Relay::new(t0, cfg());
    let id = r.add_session(t0, &[audio(leg(1000), leg(2000))]).unwrap();
    let t = t0 + Duration::from_secs(30);
    r.handle_timeout(t - Duration::from_millis(1));
    assert!(!std::iter::from_fn(|| r.poll_event()).any(|e| matches!(e, Event::Inactive(_))));
    r.handle_timeout(t);
    assert_eq!(
        std::iter::from_fn(|| r.poll_event())
            .filter(|e| *e == Event::Inactive(id))
            .count(),
        1
    );
    r.handle_timeout(t + Duration::from_secs(60));
    assert!(!std::iter::from_fn(|| r.poll_event()).any(|e| matches!(e, Event::Inactive(_))));
}

#[test]
fn ports_return_to_pool_and_sessions_are_bounded() {
    let t0 = Instant::now();
    let mut r = Relay::new(t0, cfg());
    assert_eq!(r.pool().available(), 8);
    let ids: Vec<_> = (0..3)
        .map(|_| r.add_session(t0, &[audio(leg(1000), leg(2000))]).unwrap())
        .collect();
    assert_eq!(r.pool().available(), 2);
    assert!(matches!(
        r.add_session(t0, &[audio(leg(1), leg(2))]),
        Err(RelayError::TooManySessions)
    ));
    let port = ports(&r, ids[1], Leg::A).rtp;
    r.remove_session(ids[1]).unwrap();
    assert_eq!(r.pool().available(), 4);
    assert!(send(&mut r, t0, port, 1000, &rtp(0, 1, 0, 1, &[0; 10]), None).is_none());
    assert_eq!(r.stats().drops.unknown_port, 1);
    // Two streams need 4 pairs: only 4 free → ok; then the pool is empty.
    let mut v = audio(leg(1), leg(2));
    v.kind = StreamKind::Video;
    r.add_session(t0, &[audio(leg(1), leg(2)), v]).unwrap();
    assert_eq!(r.pool().available(), 0);
}

#[test]
fn each_drop_reason_is_counted() {
    let t0 = Instant::now();
    let mut r = Relay::new(t0, cfg());
    let a = LegConfig {
        pt_map: vec![(0, 0)],
        ..leg(1000)
    };
    let b = LegConfig {
        remote_rtp: None,
        srtp_in: Some(policy(Suite::AeadAes128Gcm, 1)),
        ..LegConfig::default()
    };
    let id = r.add_session(t0, &[audio(a, b)]).unwrap();
    let pa = ports(&r, id, Leg::A);
    let pb = ports(&r, id, Leg::B);
    let good = rtp(0, 1, 0, SSRC_A, &[0; 160]);
    // No destination on B yet.
    assert!(send(&mut r, t0, pa.rtp, 1000, &good, None).is_none());
    assert_eq!(r.stats().drops.no_destination, 1);
    // Malformed RTP.
    assert!(send(&mut r, t0, pa.rtp, 1000, &[0x40, 0, 0], None).is_none());
    assert_eq!(r.stats().drops.malformed_rtp, 1);
    // RTCP parse error on the RTCP port.
    assert!(send(
        &mut r,
        t0,
        pa.rtcp.unwrap(),
        1001,
        &[0x80, 201, 0, 9, 0, 0, 0, 0],
        None
    )
    .is_none());
    assert_eq!(r.stats().drops.rtcp_parse, 1);
    // Unknown PT.
    assert!(send(
        &mut r,
        t0,
        pa.rtp,
        1000,
        &rtp(8, 2, 0, SSRC_A, &[0; 160]),
        None
    )
    .is_none());
    assert_eq!(r.stats().drops.unknown_payload_type, 1);
    // SRTP garbage on B: auth failure (too short is "other").
    assert!(send(&mut r, t0, pb.rtp, 2000, &rtp(0, 1, 0, 5, &[0; 40]), None).is_none());
    assert_eq!(r.stats().drops.srtp_auth, 1);
    assert!(send(&mut r, t0, pb.rtp, 2000, &[0x80, 0, 0, 1], None).is_none());
    assert_eq!(
        r.stats().drops.srtp_other + r.stats().drops.malformed_rtp,
        2
    );
    // Buffer too small: len beyond the buffer.
    let mut small = vec![0u8; 8];
    assert!(r
        .handle_datagram(t0, pa.rtp, addr(1000), &mut small, 20)
        .is_none());
    assert_eq!(r.stats().drops.buffer_too_small, 1);
    // Paused session.
    r.set_paused(id, true).unwrap();
    assert!(send(&mut r, t0, pa.rtp, 1000, &good, None).is_none());
    assert_eq!(r.stats().drops.inactive_session, 1);
    // Unknown port.
    assert!(send(&mut r, t0, 1, 1000, &good, None).is_none());
    assert_eq!(r.stats().drops.unknown_port, 1);
    assert_eq!(r.stats().drops.total(), r.stats().datagrams_in);
}

#[test]
fn dtmf_extracted_and_swallowed() {
    let t0 = Instant::now();
    let mut r = Relay::new(t0, cfg());
    let a = LegConfig {
        dtmf: Some(DtmfConfig {
            payload_type: 101,
            clock_rate: 8000,
            forward: false,
        }),
        ..leg(1000)
    };
    let id = r.add_session(t0, &[audio(a, leg(2000))]).unwrap();
    let pa = ports(&r, id, Leg::A).rtp;
    let gen = DtmfGenerator::new(
        5,
        Duration::from_millis(100),
        4000,
        GeneratorConfig::default(),
    );
    for (i, p) in gen.enumerate() {
        let mut pkt = rtp(101, 10 + i as u16, p.timestamp, SSRC_A, &p.payload);
        if p.marker {
            pkt[1] |= 0x80;
        }
        assert!(send(&mut r, t0 + p.offset, pa, 1000, &pkt, None).is_none());
    }
    let digits: Vec<_> = std::iter::from_fn(|| r.poll_event())
        .filter_map(|e| match e {
            Event::DtmfDigit {
                leg,
                digit,
                duration,
                ..
            } => Some((leg, digit, duration)),
            _ => None,
        })
        .collect();
    assert_eq!(
        digits,
        vec![(Leg::A, Some('5'), Duration::from_millis(100))]
    );
    assert!(r.stats().dtmf_swallowed >= 5);
    assert_eq!(r.stats().rtp_forwarded, 0);
}

#[test]
fn play_keeps_continuity_with_forwarded_media() {
    let t0 = Instant::now();
    let mut r = Relay::new(t0, cfg());
    let b = LegConfig {
        codec: Some((AudioCodec::Pcmu, 0)),
        srtp_out: Some(policy(Suite::AesCm128HmacSha1_80, 4)),
        ..leg(2000)
    };
    let id = r.add_session(t0, &[audio(leg(1000), b)]).unwrap();
    let pa = ports(&r, id, Leg::A).rtp;
    let mut rx_b = SrtpContext::new(&policy(Suite::AesCm128HmacSha1_80, 4)).unwrap();
    let mut seqts = vec![];
    let take = |out: &mut Vec<u8>, rx: &mut SrtpContext| {
        rx.unprotect_rtp_vec(out).unwrap();
        let p = RtpPacket::parse(out).unwrap();
        (
            p.sequence_number(),
            p.timestamp(),
            p.ssrc(),
            p.payload().to_vec(),
        )
    };
    let (_, mut o) = send(
        &mut r,
        t0,
        pa,
        1000,
        &rtp(0, 50, 5000, SSRC_A, &[9; 160]),
        None,
    )
    .unwrap();
    seqts.push(take(&mut o, &mut rx_b));
    let mut buf = vec![0u8; 1500];
    let pcm = [0i16; 160];
    let t = r
        .play(
            t0,
            id,
            Leg::B,
            StreamKind::Audio,
            PlayFrame::Pcm(&pcm),
            &mut buf,
        )
        .unwrap();
    assert_eq!((t.from_port, t.to), (ports(&r, id, Leg::B).rtp, addr(2000)));
    let mut o = buf[..t.len].to_vec();
    seqts.push(take(&mut o, &mut rx_b));
    let frame = [0x55u8; 160];
    let t = r
        .play(
            t0,
            id,
            Leg::B,
            StreamKind::Audio,
            PlayFrame::Encoded {
                payload_type: 0,
                payload: &frame,
                samples: 160,
            },
            &mut buf,
        )
        .unwrap();
    let mut o = buf[..t.len].to_vec();
    seqts.push(take(&mut o, &mut rx_b));
    let (_, mut o) = send(
        &mut r,
        t0,
        pa,
        1000,
        &rtp(0, 51, 5160, SSRC_A, &[9; 160]),
        None,
    )
    .unwrap();
    seqts.push(take(&mut o, &mut rx_b));
    for w in seqts.windows(2) {
        assert_eq!(w[1].0, w[0].0.wrapping_add(1));
        assert_eq!(w[1].1, w[0].1.wrapping_add(160));
        assert_eq!(w[1].2, w[0].2);
    }
    assert_eq!(seqts[1].3, vec![crate::codec::g711::linear_to_ulaw(0); 160]);
    assert_eq!(seqts[2].3, frame.to_vec());
}

#[test]
fn transcodes_pcmu_to_opus() {
    let t0 = Instant::now();
    let mut r = Relay::new(t0, cfg());
    let mut s = audio(
        LegConfig {
            codec: Some((AudioCodec::Pcmu, 0)),
            ..leg(1000)
        },
        LegConfig {
            codec: Some((
                AudioCodec::Opus {
                    channels: 1,
                    bitrate: 32000,
                },
                111,
            )),
            ..leg(2000)
        },
    );
    s.mode = StreamMode::Transcode;
    let id = r.add_session(t0, &[s]).unwrap();
    let pa = ports(&r, id, Leg::A).rtp;
    let mut prev = None;
    for i in 0..5u16 {
        let (_, out) = send(
            &mut r,
            t0,
            pa,
            1000,
            &rtp(0, i, 160 * u32::from(i), SSRC_A, &[0xff; 160]),
            None,
        )
        .unwrap();
        let p = RtpPacket::parse(&out).unwrap();
        assert_eq!(p.payload_type(), 111);
        assert!(!p.payload().is_empty() && p.payload().len() < 160);
        if let Some(ts) = prev {
            assert_eq!(p.timestamp(), u32::wrapping_add(ts, 960));
        }
        prev = Some(p.timestamp());
    }
    // PLI on a transcoded stream becomes an event.
    let mut buf = vec![0u8; 1500];
    let mut w = CompoundWriter::new(&mut buf);
    w.pli(1, 2).unwrap();
    let n = w.len();
    let pb = ports(&r, id, Leg::B).rtcp.unwrap();
    assert!(r.handle_datagram(t0, pb, addr(2001), &mut buf, n).is_none());
    assert!(std::iter::from_fn(|| r.poll_event())
        .any(|e| matches!(e, Event::KeyframeNeeded { leg: Leg::B, .. })));
}

#[test]
fn fuzz_entry_runs() {
    fuzz_relay(&[]);
    let data: Vec<u8> = (0..4000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    fuzz_relay(&data);
}

#[test]
fn srtcp_pli_forwarded_between_srtp_legs() {
    let t0 = Instant::now();
    let mut r = Relay::new(t0, cfg());
    let mut v = audio(
        LegConfig {
            srtp_in: Some(policy(Suite::AesCm128HmacSha1_80, 1)),
            srtp_out: Some(policy(Suite::AesCm128HmacSha1_80, 2)),
            ..leg(1000)
        },
        LegConfig {
            srtp_in: Some(policy(Suite::AeadAes256Gcm, 3)),
            srtp_out: Some(policy(Suite::AeadAes256Gcm, 4)),
            rtcp_mux: true,
            ..leg(2000)
        },
    );
    v.kind = StreamKind::Video;
    let id = r.add_session(t0, &[v]).unwrap();
    let pa = r.local_ports(id, Leg::A, StreamKind::Video).unwrap();
    let pb = r.local_ports(id, Leg::B, StreamKind::Video).unwrap();
    let mut tx_a = SrtpContext::new(&policy(Suite::AesCm128HmacSha1_80, 1)).unwrap();
    let mut rx_a = SrtpContext::new(&policy(Suite::AesCm128HmacSha1_80, 2)).unwrap();
    let mut tx_b = SrtpContext::new(&policy(Suite::AeadAes256Gcm, 3)).unwrap();
    send(
        &mut r,
        t0,
        pa.rtp,
        1000,
        &rtp(96, 1, 0, SSRC_A, &[0; 100]),
        Some(&mut tx_a),
    )
    .unwrap();
    let mut buf = vec![0u8; 1500];
    let mut w = CompoundWriter::new(&mut buf);
    w.receiver_report(0xbbbb, &[])
        .unwrap()
        .pli(0xbbbb, 1)
        .unwrap();
    let n = w.len();
    // Unauthenticated SRTCP is refused and latches nothing.
    let mut forged = buf.clone();
    forged[n..n + 20].fill(0);
    assert!(r
        .handle_datagram(t0, pb.rtp, addr(2000), &mut forged, n + 20)
        .is_none());
    assert_eq!(r.stats().drops.srtp_auth, 1);
    let n = tx_b.protect_rtcp(&mut buf, n).unwrap();
    let t = r
        .handle_datagram(t0, pb.rtp, addr(2000), &mut buf, n)
        .unwrap();
    assert_eq!((t.from_port, t.to), (pa.rtcp.unwrap(), addr(1001)));
    let m = rx_a.unprotect_rtcp(&mut buf[..t.len]).unwrap();
    let our_a = r.leg_stats(id, Leg::A, StreamKind::Video).unwrap().out_ssrc;
    let pli = parse_compound(&buf[..m])
        .filter_map(|p| match p.unwrap() {
            RtcpPacket::Pli(f) => Some(f),
            _ => None,
        })
        .next()
        .unwrap();
    assert_eq!((pli.sender_ssrc, pli.media_ssrc), (our_a, SSRC_A));
}

#[test]
fn dtmf_forwarded_with_pt_mapping_when_configured() {
    let t0 = Instant::now();
    let mut r = Relay::new(t0, cfg());
    let a = LegConfig {
        dtmf: Some(DtmfConfig {
            payload_type: 101,
            clock_rate: 8000,
            forward: true,
        }),
        pt_map: vec![(0, 0), (101, 96)],
        ..leg(1000)
    };
    let id = r.add_session(t0, &[audio(a, leg(2000))]).unwrap();
    let pa = ports(&r, id, Leg::A).rtp;
    let gen = DtmfGenerator::new(
        11,
        Duration::from_millis(60),
        800,
        GeneratorConfig::default(),
    );
    let mut forwarded = 0;
    for (i, p) in gen.enumerate() {
        let pkt = rtp(101, i as u16, p.timestamp, SSRC_A, &p.payload);
        if let Some((_, out)) = send(&mut r, t0 + p.offset, pa, 1000, &pkt, None) {
            assert_eq!(RtpPacket::parse(&out).unwrap().payload_type(), 96);
            forwarded += 1;
        }
    }
    assert!(forwarded >= 4);
    assert!(std::iter::from_fn(|| r.poll_event()).any(|e| matches!(
        e,
        Event::DtmfDigit {
            digit: Some('#'),
            ..
        }
    )));
}

#[test]
fn rekey_keeps_our_numbering_and_refuses_old_key() {
    let t0 = Instant::now();
    let mut r = Relay::new(t0, cfg());
    let b = LegConfig {
        srtp_in: Some(policy(Suite::AesCm128HmacSha1_80, 5)),
        srtp_out: Some(policy(Suite::AesCm128HmacSha1_80, 6)),
        ..leg(2000)
    };
    let id = r.add_session(t0, &[audio(leg(1000), b)]).unwrap();
    let pa = ports(&r, id, Leg::A).rtp;
    let pb = ports(&r, id, Leg::B).rtp;
    let mut old_rx = SrtpContext::new(&policy(Suite::AesCm128HmacSha1_80, 6)).unwrap();
    let (_, mut o) = send(
        &mut r,
        t0,
        pa,
        1000,
        &rtp(0, 7, 700, SSRC_A, &[1; 20]),
        None,
    )
    .unwrap();
    old_rx.unprotect_rtp_vec(&mut o).unwrap();
    let before = RtpPacket::parse(&o).unwrap().sequence_number();
    r.update_leg(
        t0,
        id,
        Leg::B,
        StreamKind::Audio,
        LegUpdate {
            remote_rtp: Some(addr(2000)),
            srtp_in: Some(policy(Suite::AeadAes128Gcm, 7)),
            srtp_out: Some(policy(Suite::AeadAes128Gcm, 8)),
            ..LegUpdate::default()
        },
    )
    .unwrap();
    let mut new_rx = SrtpContext::new(&policy(Suite::AeadAes128Gcm, 8)).unwrap();
    let (_, mut o) = send(
        &mut r,
        t0,
        pa,
        1000,
        &rtp(0, 8, 860, SSRC_A, &[1; 20]),
        None,
    )
    .unwrap();
    new_rx.unprotect_rtp_vec(&mut o).unwrap();
    assert_eq!(
        RtpPacket::parse(&o).unwrap().sequence_number(),
        before.wrapping_add(1)
    );
    // The far end still using the old key is refused.
    let mut old_tx = SrtpContext::new(&policy(Suite::AesCm128HmacSha1_80, 5)).unwrap();
    let pkt = rtp(0, 1, 0, 0xbbbb, &[2; 20]);
    assert!(send(&mut r, t0, pb, 2000, &pkt, Some(&mut old_tx)).is_none());
    assert_eq!(r.stats().drops.srtp_auth, 1);
}

#[test]
fn transcoded_output_is_packetized_at_20ms() {
    let t0 = Instant::now();
    let mut r = Relay::new(t0, cfg());
    let mut s = audio(
        LegConfig {
            codec: Some((AudioCodec::Pcmu, 0)),
            ..leg(1000)
        },
        LegConfig {
            codec: Some((
                AudioCodec::Opus {
                    channels: 1,
                    bitrate: 24000,
                },
                111,
            )),
            ..leg(2000)
        },
    );
    s.mode = StreamMode::Transcode;
    let id = r.add_session(t0, &[s]).unwrap();
    let pa = ports(&r, id, Leg::A).rtp;
    let mut outs = vec![];
    let mut buf = vec![0u8; 1500];
    // 40 ms packets: two 20 ms Opus packets each.
    for i in 0..3u16 {
        let pkt = rtp(0, i, 320 * u32::from(i), SSRC_A, &[0x7f; 320]);
        outs.push(send(&mut r, t0, pa, 1000, &pkt, None).unwrap().1);
        while let Some(t) = r.poll_transmit(t0, &mut buf) {
            outs.push(buf[..t.len].to_vec());
        }
    }
    // 10 ms packets: one Opus packet every second input.
    let mut silent = 0;
    for i in 0..4u16 {
        let pkt = rtp(0, 3 + i, 960 + 80 * u32::from(i), SSRC_A, &[0x7f; 80]);
        match send(&mut r, t0, pa, 1000, &pkt, None) {
            Some((_, o)) => outs.push(o),
            None => silent += 1,
        }
    }
    assert_eq!(silent, 2);
    assert_eq!(r.stats().drops.total(), 0);
    assert_eq!(outs.len(), 8);
    let mut dec = crate::codec::Decoder::new(AudioCodec::Opus {
        channels: 1,
        bitrate: 0,
    })
    .unwrap();
    let mut pcm = vec![0i16; 5760];
    for w in outs.windows(2) {
        let (p, q) = (
            RtpPacket::parse(&w[0]).unwrap(),
            RtpPacket::parse(&w[1]).unwrap(),
        );
        assert_eq!(q.sequence_number(), p.sequence_number().wrapping_add(1));
        assert_eq!(q.timestamp(), p.timestamp().wrapping_add(960));
    }
    for o in &outs {
        use crate::codec::AudioDecoder;
        let p = RtpPacket::parse(o).unwrap();
        assert_eq!(dec.decode(p.payload(), &mut pcm).unwrap(), 960);
    }
}

#[test]
fn reconfigure_keeps_signalled_ports_and_switches_mode() {
    let t0 = Instant::now();
    let mut r = Relay::new(t0, cfg());
    // Ports reserved before the far leg answered: no address on leg B yet.
    let id = r
        .add_session(t0, &[audio(leg(1000), LegConfig::default())])
        .unwrap();
    let (pa, pb) = (ports(&r, id, Leg::A), ports(&r, id, Leg::B));
    let free = r.pool().available();
    // The answer says the legs speak different codecs: transcode PCMU (A) ↔ PCMA (B),
    // and a video stream appears.
    let mut a = leg(1000);
    a.codec = Some((crate::codec::AudioCodec::Pcmu, 0));
    let mut b = leg(2000);
    b.codec = Some((crate::codec::AudioCodec::Pcma, 8));
    let mut stream = audio(a, b);
    stream.mode = StreamMode::Transcode;
    let mut v = audio(leg(3000), leg(4000));
    v.kind = StreamKind::Video;
    r.reconfigure_session(t0, id, &[stream, v]).unwrap();
    assert_eq!(ports(&r, id, Leg::A), pa, "leg A keeps the port in its SDP");
    assert_eq!(ports(&r, id, Leg::B), pb, "leg B keeps the port in its SDP");
    assert_eq!(
        r.pool().available(),
        free - 2,
        "video took one pair per leg"
    );
    let (t, out) = send(
        &mut r,
        t0,
        pa.rtp,
        1000,
        &rtp(0, 1, 0, 7, &[0xff; 160]),
        None,
    )
    .expect("transcoded to leg B");
    assert_eq!(t.to, addr(2000));
    let pkt = RtpPacket::parse(&out).unwrap();
    assert_eq!(pkt.payload_type(), 8, "PCMU in, PCMA out");
    // Dropping the video stream again returns its pairs; removing the session, the rest.
    r.reconfigure_session(t0, id, &[audio(leg(1000), leg(2000))])
        .unwrap();
    assert_eq!(r.pool().available(), free);
    assert!(matches!(
        r.reconfigure_session(t0, SessionId(999), &[]),
        Err(RelayError::UnknownSession)
    ));
    r.remove_session(id).unwrap();
    assert_eq!(r.pool().available(), 8);
}

#[test]
fn played_rfc4733_event_keeps_its_start_timestamp() {
    let t0 = Instant::now();
    let mut r = Relay::new(t0, cfg());
    let id = r.add_session(t0, &[audio(leg(1000), leg(2000))]).unwrap();
    let mut buf = vec![0u8; 512];
    let mut out = Vec::new();
    for (i, end) in [false, false, true, true, true].into_iter().enumerate() {
        let ev = crate::dtmf::TelephoneEvent {
            event: 5,
            end,
            volume: 10,
            duration: 160 * (i as u16 + 1),
        };
        let t = r
            .play(
                t0,
                id,
                Leg::B,
                StreamKind::Audio,
                PlayFrame::Event {
                    payload_type: 101,
                    payload: &ev.to_bytes(),
                    start: i == 0,
                },
                &mut buf,
            )
            .unwrap();
        let p = RtpPacket::parse(&buf[..t.len]).unwrap();
        out.push((
            p.marker(),
            p.sequence_number(),
            p.timestamp(),
            p.payload_type(),
        ));
    }
    assert!(
        out[0].0 && out[1..].iter().all(|o| !o.0),
        "marker on the first only: {out:?}"
    );
    assert!(
        out.iter().all(|o| o.2 == out[0].2 && o.3 == 101),
        "one timestamp: {out:?}"
    );
    assert!(
        out.windows(2).all(|w| w[1].1 == w[0].1.wrapping_add(1)),
        "consecutive seq: {out:?}"
    );
    // Audio after the event continues past its timestamp.
    let t = r
        .play(
            t0,
            id,
            Leg::B,
            StreamKind::Audio,
            PlayFrame::Encoded {
                payload_type: 0,
                payload: &[0xff; 160],
                samples: 160,
            },
            &mut buf,
        )
        .unwrap();
    let p = RtpPacket::parse(&buf[..t.len]).unwrap();
    assert!(p.timestamp() > out[0].2);
}
