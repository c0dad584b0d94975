//! Core tests with a virtual clock, continued: playing into a leg, transcoding, re-keying,
//! reconfiguring and RFC 4733 forwarding (split from `tests.rs` to keep files readable).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use super::tests::{addr, audio, cfg, leg, policy, ports, rtp, send, SSRC_A};
use super::*;
use crate::codec::AudioCodec;
use crate::dtmf::{DtmfGenerator, GeneratorConfig};
use crate::rtcp::{parse_compound, CompoundWriter, RtcpPacket};
use crate::rtp::RtpPacket;
use crate::srtp::Suite;

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

/// PIN prompts played to the room, then the session reconfigured for the bridge: the room
/// must see one stream — our SSRC kept, the next sequence number, time moving forward — not
/// a new source at a random sequence number (Asterisk's RTP stack dropped such a stream
/// as old packets, so an H.323 room heard nothing after entering its PIN).
#[test]
fn reconfiguring_keeps_each_legs_output_one_stream() {
    let t0 = Instant::now();
    let mut r = Relay::new(t0, cfg());
    let pcmu = |remote| LegConfig {
        codec: Some((AudioCodec::Pcmu, 0)),
        ..leg(remote)
    };
    let id = r.add_session(t0, &[audio(pcmu(1000), pcmu(2000))]).unwrap();
    let mut buf = vec![0u8; 1500];
    let pcm = [0i16; 160];
    let mut last = None;
    for _ in 0..3 {
        let t = r
            .play(
                t0,
                id,
                Leg::A,
                StreamKind::Audio,
                PlayFrame::Pcm(&pcm),
                &mut buf,
            )
            .unwrap();
        let p = RtpPacket::parse(&buf[..t.len]).unwrap();
        last = Some((p.ssrc(), p.sequence_number(), p.timestamp()));
    }
    let (ssrc, seq, ts) = last.unwrap();
    r.reconfigure_session(t0, id, &[audio(pcmu(1000), pcmu(2000))])
        .unwrap();
    let pb = ports(&r, id, Leg::B).rtp;
    let (t, o) = send(
        &mut r,
        t0,
        pb,
        2000,
        &rtp(0, 7, 90_000, 0x0bad_cafe, &[9; 160]),
        None,
    )
    .unwrap();
    assert_eq!(t.to, addr(1000));
    let p = RtpPacket::parse(&o).unwrap();
    assert_eq!(p.ssrc(), ssrc, "a new SSRC after reconfiguring");
    assert_eq!(p.sequence_number(), seq.wrapping_add(1));
    let step = p.timestamp().wrapping_sub(ts);
    assert!(
        step > 0 && step < 0x8000_0000,
        "time went back: {ts} -> {}",
        p.timestamp()
    );
    assert_eq!(p.payload(), &[9; 160][..]);
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
