//! Core tests with a virtual clock: every rule of the module docs, one test each.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use super::*;
use crate::dtmf::{DtmfGenerator, GeneratorConfig};
use crate::rtcp::{parse_compound, CompoundWriter, ReportBlock, RtcpPacket, TmmbEntry};
use crate::rtp::{RtpBuilder, RtpPacket};
use crate::srtp::{Policy, Suite};

pub(super) const SSRC_A: u32 = 0xaaaa_0001;

pub(super) fn addr(p: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], p))
}

pub(super) fn policy(suite: Suite, seed: u8) -> Policy {
    let k: Vec<u8> = (0..suite.master_key_len() as u8)
        .map(|i| i ^ seed)
        .collect();
    let s: Vec<u8> = (0..suite.master_salt_len() as u8)
        .map(|i| i.wrapping_mul(3) ^ seed)
        .collect();
    Policy::new(suite, &k, &s)
}

pub(super) fn cfg() -> RelayConfig {
    RelayConfig {
        port_min: 20000,
        port_max: 20015,
        max_sessions: 3,
        ..RelayConfig::default()
    }
}

pub(super) fn leg(remote: u16) -> LegConfig {
    LegConfig {
        remote_rtp: Some(addr(remote)),
        rewrite: true,
        ..LegConfig::default()
    }
}

pub(super) fn audio(a: LegConfig, b: LegConfig) -> StreamConfig {
    StreamConfig {
        kind: StreamKind::Audio,
        mode: StreamMode::PassThrough,
        clock_rate: 8000,
        a,
        b,
    }
}

pub(super) fn rtp(pt: u8, seq: u16, ts: u32, ssrc: u32, payload: &[u8]) -> Vec<u8> {
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
pub(super) fn send(
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

pub(super) fn ports(r: &Relay, id: SessionId, leg: Leg) -> LocalPorts {
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

pub(super) fn parse_report(out: &[u8]) -> (bool, Vec<ReportBlock>) {
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
fn keyframe_requests_cross_between_rtcp_and_signalling() {
    let t0 = Instant::now();
    let mut r = Relay::new(t0, cfg());
    // B's far end (an H.323 endpoint) takes keyframe requests by signalling.
    let mut v = audio(
        leg(1000),
        LegConfig {
            control_by_signalling: true,
            ..leg(2000)
        },
    );
    v.kind = StreamKind::Video;
    v.clock_rate = 90000;
    let id = r.add_session(t0, &[v]).unwrap();
    let pa = r.local_ports(id, Leg::A, StreamKind::Video).unwrap();
    send(
        &mut r,
        t0,
        pa.rtp,
        1000,
        &rtp(96, 1, 0, SSRC_A, &[0; 100]),
        None,
    )
    .unwrap();
    // A's PLI about B's video is not sent to B as RTCP: it is an event for the signalling.
    let our_a = r.leg_stats(id, Leg::A, StreamKind::Video).unwrap().out_ssrc;
    let mut buf = vec![0u8; 1500];
    let mut w = CompoundWriter::new(&mut buf);
    w.pli(0xaaaa, our_a).unwrap();
    let n = w.len();
    assert!(r
        .handle_datagram(t0, pa.rtcp.unwrap(), addr(1001), &mut buf, n)
        .is_none());
    assert!(std::iter::from_fn(|| r.poll_event()).any(|e| matches!(
        e,
        Event::KeyframeNeeded {
            leg: Leg::A,
            stream: StreamKind::Video,
            ..
        }
    )));
    assert_eq!(r.stats().feedback_sent, 0);
    // B's videoFastUpdatePicture, by signalling: a PLI to A's far end about its source.
    let t = r
        .request_keyframe(id, Leg::A, StreamKind::Video, &mut buf)
        .unwrap();
    assert_eq!((t.from_port, t.to), (pa.rtcp.unwrap(), addr(1001)));
    let pli = parse_compound(&buf[..t.len])
        .filter_map(|p| match p.unwrap() {
            RtcpPacket::Pli(f) => Some(f),
            _ => None,
        })
        .next()
        .unwrap();
    assert_eq!((pli.sender_ssrc, pli.media_ssrc), (our_a, SSRC_A));
    assert_eq!(r.stats().feedback_sent, 1);
    // A session without that stream has nothing to ask.
    assert!(matches!(
        r.request_keyframe(id, Leg::B, StreamKind::Audio, &mut buf),
        Err(RelayError::UnknownStream)
    ));
}

#[test]
fn bitrate_limits_for_a_signalling_far_end_become_events_and_tmmbr_is_notified() {
    let t0 = Instant::now();
    let mut r = Relay::new(t0, cfg());
    let mut v = audio(
        leg(1000),
        LegConfig {
            control_by_signalling: true,
            ..leg(2000)
        },
    );
    v.kind = StreamKind::Video;
    v.clock_rate = 90000;
    let id = r.add_session(t0, &[v]).unwrap();
    let pa = r.local_ports(id, Leg::A, StreamKind::Video).unwrap();
    let our_a = r.leg_stats(id, Leg::A, StreamKind::Video).unwrap().out_ssrc;
    let limits = |r: &mut Relay| -> Vec<u64> {
        std::iter::from_fn(|| r.poll_event())
            .filter_map(|e| match e {
                Event::BitrateLimit {
                    leg: Leg::A,
                    stream: StreamKind::Video,
                    bitrate,
                    ..
                } => Some(bitrate),
                _ => None,
            })
            .collect()
    };
    // TMMBR about what we send A: an event, and a TMMBN back naming A's tuple.
    let mut buf = vec![0u8; 1500];
    let mut w = CompoundWriter::new(&mut buf);
    w.tmmbr(0xaaaa, &[TmmbEntry::from_bitrate(our_a, 300_000, 40)])
        .unwrap();
    let n = w.len();
    let t = r
        .handle_datagram(t0, pa.rtcp.unwrap(), addr(1001), &mut buf, n)
        .unwrap();
    assert_eq!((t.from_port, t.to), (pa.rtcp.unwrap(), addr(1001)));
    let tmmbn = parse_compound(&buf[..t.len])
        .filter_map(|p| match p.unwrap() {
            RtcpPacket::Tmmbn(f) => Some((f.sender_ssrc, f.tmmb_entries().collect::<Vec<_>>())),
            _ => None,
        })
        .next()
        .unwrap();
    assert_eq!(tmmbn.0, our_a);
    assert_eq!(tmmbn.1.len(), 1);
    assert_eq!((tmmbn.1[0].ssrc, tmmbn.1[0].bitrate()), (0xaaaa, 300_000));
    assert_eq!(limits(&mut r), [300_000]);
    // A TMMBR about another source is not ours to honour.
    let mut w = CompoundWriter::new(&mut buf);
    w.tmmbr(0xaaaa, &[TmmbEntry::from_bitrate(0x5eed, 100_000, 40)])
        .unwrap();
    let n = w.len();
    assert!(r
        .handle_datagram(t0, pa.rtcp.unwrap(), addr(1001), &mut buf, n)
        .is_none());
    assert!(limits(&mut r).is_empty());
    // REMB naming our SSRC: an event, nothing sent.
    let remb = crate::rtcp::Remb {
        sender_ssrc: 0xaaaa,
        bitrate: 512_000,
        ssrcs: vec![our_a],
    }
    .to_bytes();
    buf[..remb.len()].copy_from_slice(&remb);
    assert!(r
        .handle_datagram(t0, pa.rtcp.unwrap(), addr(1001), &mut buf, remb.len())
        .is_none());
    assert_eq!(limits(&mut r), [512_000]);
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
fn the_socket_layer_hears_which_rtcp_ports_legs_without_mux_use() {
    let now = Instant::now();
    let mut r = Relay::new(now, cfg());
    let drain = |r: &mut Relay| {
        let mut v = Vec::new();
        while let Some(p) = r.poll_rtcp_port() {
            v.push(p);
        }
        v.sort();
        v
    };
    assert_eq!(drain(&mut r), vec![], "nothing used at start");
    let muxed = LegConfig {
        rtcp_mux: true,
        ..leg(5000)
    };
    let id = r
        .add_session(now, &[audio(muxed.clone(), leg(6000))])
        .unwrap();
    let a = r.local_ports(id, Leg::A, StreamKind::Audio).unwrap();
    let b = r.local_ports(id, Leg::B, StreamKind::Audio).unwrap();
    assert_eq!(a.rtcp, None);
    assert_eq!(drain(&mut r), vec![(b.rtp + 1, true)], "only B's, once");
    assert_eq!(drain(&mut r), vec![]);

    // A re-offer that turns mux around, then back, before anyone looked: each port comes
    // once, with where it ended up.
    r.reconfigure_session(now, id, &[audio(leg(5000), muxed.clone())])
        .unwrap();
    r.reconfigure_session(now, id, &[audio(leg(5000), leg(6000))])
        .unwrap();
    assert_eq!(
        drain(&mut r),
        vec![(a.rtp + 1, true), (b.rtp + 1, true)],
        "A's now used; B's dropped and taken back, so still used"
    );

    r.remove_session(id).unwrap();
    assert_eq!(drain(&mut r), vec![(a.rtp + 1, false), (b.rtp + 1, false)]);

    // A leg that only reserves its ports (no far end, no NAT latching, no SRTP) could accept
    // no RTCP, so its port is not asked for; NAT latching or SRTP keys make it needed.
    let blank = r
        .add_session(now, &[audio(LegConfig::default(), LegConfig::default())])
        .unwrap();
    assert_eq!(drain(&mut r), vec![]);
    let nat = LegConfig {
        nat: true,
        ..LegConfig::default()
    };
    let keyed = LegConfig {
        srtp_in: Some(policy(Suite::AesCm128HmacSha1_80, 1)),
        srtp_out: Some(policy(Suite::AesCm128HmacSha1_80, 2)),
        ..LegConfig::default()
    };
    r.reconfigure_session(now, blank, &[audio(nat, keyed)])
        .unwrap();
    assert_eq!(drain(&mut r).len(), 2, "both now take RTCP");
    r.remove_session(blank).unwrap();
    assert!(drain(&mut r).iter().all(|&(_, used)| !used));

    // Nobody asking (a socketless relay): the list stays one entry per pair at most.
    for _ in 0..50 {
        let id = r.add_session(now, &[audio(leg(5000), leg(6000))]).unwrap();
        r.remove_session(id).unwrap();
    }
    assert!(r.rtcp_changed.len() <= r.pool().capacity());
}
