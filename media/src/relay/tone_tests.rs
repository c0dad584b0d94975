//! RFC 4733 events the relay generates ([`Relay::send_event`]), on the virtual clock:
//! paced, three end packets at the update interval, bounded whatever duration came in.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use super::*;
use crate::dtmf::{GeneratorConfig, TelephoneEvent};
use crate::rtp::{RtpBuilder, RtpPacket};

fn addr(p: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], p))
}

fn relay(t0: Instant, a: LegConfig) -> (Relay, SessionId) {
    let mut r = Relay::new(
        t0,
        RelayConfig {
            port_min: 20000,
            port_max: 20015,
            ssrc_seed: 99,
            ..RelayConfig::default()
        },
    );
    let s = StreamConfig {
        kind: StreamKind::Audio,
        mode: StreamMode::PassThrough,
        clock_rate: 8000,
        a,
        b: LegConfig {
            remote_rtp: Some(addr(2000)),
            ..LegConfig::default()
        },
    };
    let id = r.add_session(t0, &[s]).unwrap();
    (r, id)
}

fn plain_leg() -> LegConfig {
    LegConfig {
        remote_rtp: Some(addr(1000)),
        ..LegConfig::default()
    }
}

fn event(duration: Duration, clock_rate: u32) -> OutEvent {
    OutEvent {
        payload_type: 101,
        event: 5,
        duration,
        generator: GeneratorConfig {
            clock_rate,
            ..GeneratorConfig::default()
        },
    }
}

/// One packet sent on leg B's RTP port: when, marker, seq, ts, PT, event block.
#[derive(Debug, Clone, Copy)]
struct Sent {
    at: Instant,
    marker: bool,
    seq: u16,
    ts: u32,
    pt: u8,
    ev: Option<TelephoneEvent>,
}

/// Runs the timers from `from` to `until`, collecting leg B's RTP (the reports go from
/// the RTCP port and are left out).
fn run(r: &mut Relay, id: SessionId, until: Instant) -> Vec<Sent> {
    let pb = r.local_ports(id, Leg::B, StreamKind::Audio).unwrap().rtp;
    let mut buf = vec![0u8; 1500];
    let mut out = Vec::new();
    while let Some(t) = r.poll_timeout().filter(|t| *t <= until) {
        r.handle_timeout(t);
        while let Some(tx) = r.poll_transmit(t, &mut buf) {
            if tx.from_port == pb {
                out.push(parse(t, &buf[..tx.len]));
            }
        }
        while r.poll_event().is_some() {}
    }
    out
}

fn parse(at: Instant, pkt: &[u8]) -> Sent {
    let p = RtpPacket::parse(pkt).unwrap();
    Sent {
        at,
        marker: p.marker(),
        seq: p.sequence_number(),
        ts: p.timestamp(),
        pt: p.payload_type(),
        ev: (p.payload_type() == 101).then(|| TelephoneEvent::parse(p.payload()).unwrap()),
    }
}

#[test]
fn dtmf_end_packet_sent_three_times_paced() {
    let t0 = Instant::now();
    let (mut r, id) = relay(t0, plain_leg());
    r.send_event(
        t0,
        id,
        Leg::B,
        StreamKind::Audio,
        event(Duration::from_millis(100), 8000),
    )
    .unwrap();
    // Nothing goes out at once: the first packet is due one interval in.
    let mut buf = vec![0u8; 1500];
    assert!(r.poll_transmit(t0, &mut buf).is_none());
    let sent = run(&mut r, id, t0 + Duration::from_secs(1));
    let evs: Vec<TelephoneEvent> = sent.iter().map(|s| s.ev.unwrap()).collect();
    assert_eq!(
        evs.iter().map(|e| e.duration).collect::<Vec<_>>(),
        [160, 320, 480, 640, 800, 800, 800]
    );
    assert_eq!(
        evs.iter().filter(|e| e.end).count(),
        3,
        "exactly three ends"
    );
    // One packet per 20 ms of duration, the end retransmissions included: never a burst.
    assert_eq!(sent[0].at, t0 + Duration::from_millis(20));
    for w in sent.windows(2) {
        assert_eq!(w[1].at - w[0].at, Duration::from_millis(20), "{sent:?}");
        assert_eq!(w[1].seq, w[0].seq.wrapping_add(1));
        assert_eq!(w[1].ts, w[0].ts, "one timestamp per event");
    }
    assert!(sent[0].marker && sent[1..].iter().all(|s| !s.marker));
    assert!(sent.iter().all(|s| s.pt == 101));

    // A second digit asked for while the first is going out follows it, with its own
    // (later) timestamp and a marker.
    let t1 = sent[6].at;
    for _ in 0..2 {
        r.send_event(
            t1,
            id,
            Leg::B,
            StreamKind::Audio,
            event(Duration::from_millis(60), 8000),
        )
        .unwrap();
    }
    let more = run(&mut r, id, t1 + Duration::from_secs(1));
    assert_eq!(more.len(), 2 * (2 + 3));
    assert!(more[0].marker && more[5].marker);
    assert!(more[5].ts.wrapping_sub(more[0].ts) >= 480);
    assert!(more.windows(2).all(|w| w[1].at > w[0].at));
}

#[test]
fn huge_event_duration_is_bounded() {
    let t0 = Instant::now();
    let a = LegConfig {
        dtmf: Some(DtmfConfig {
            payload_type: 101,
            clock_rate: 8000,
            forward: false,
        }),
        ..plain_leg()
    };
    let (mut r, id) = relay(t0, a);
    // The room sends one end packet claiming 65535 units (8.2 s at 8 kHz).
    let pa = r.local_ports(id, Leg::A, StreamKind::Audio).unwrap().rtp;
    let block = TelephoneEvent {
        event: 1,
        end: true,
        volume: 10,
        duration: u16::MAX,
    };
    let mut buf = vec![0u8; 1500];
    let n = RtpBuilder {
        marker: true,
        payload_type: 101,
        sequence_number: 9,
        timestamp: 1234,
        ssrc: 0xabc,
        ..RtpBuilder::default()
    }
    .write(&block.to_bytes(), &mut buf)
    .unwrap();
    assert!(r.handle_datagram(t0, pa, addr(1000), &mut buf, n).is_none());
    let duration = std::iter::from_fn(|| r.poll_event())
        .find_map(|e| match e {
            Event::DtmfDigit { duration, .. } => Some(duration),
            _ => None,
        })
        .unwrap();
    assert!(duration > Duration::from_secs(8));
    // Sent on to the other leg, at 8 kHz and at an odd 12345 Hz clock.
    for clock in [8000, 12_345] {
        let start = t0 + Duration::from_secs(30 * u64::from(clock != 8000));
        r.send_event(start, id, Leg::B, StreamKind::Audio, event(duration, clock))
            .unwrap();
        let sent = run(&mut r, id, start + Duration::from_secs(20));
        let cfg = GeneratorConfig::default();
        let bound = (cfg.max_duration.as_millis() / cfg.interval.as_millis()) as usize + 3;
        assert!(sent.len() <= bound, "{clock} Hz: {} packets", sent.len());
        assert!(sent.len() >= 40);
        assert_eq!(sent.iter().filter(|s| s.ev.unwrap().end).count(), 3);
        assert!(
            sent.windows(2).all(|w| w[1].at > w[0].at),
            "{clock} Hz: paced"
        );
        let last = sent.last().unwrap();
        assert!(last.at - start <= cfg.max_duration + 3 * cfg.interval);
        let units = u64::from(last.ev.unwrap().duration);
        assert!(units <= u64::from(clock), "{clock} Hz: {units} units");
    }
}

#[test]
fn generated_events_between_forwarded_audio_keep_its_timeline() {
    let t0 = Instant::now();
    let (mut r, id) = relay(t0, plain_leg());
    let pa = r.local_ports(id, Leg::A, StreamKind::Audio).unwrap().rtp;
    let pb = r.local_ports(id, Leg::B, StreamKind::Audio).unwrap().rtp;
    let mut all = Vec::new();
    let mut buf = vec![0u8; 1500];
    for k in 0..30u32 {
        let now = t0 + Duration::from_millis(20 * u64::from(k));
        if k == 5 {
            r.send_event(
                now,
                id,
                Leg::B,
                StreamKind::Audio,
                event(Duration::from_millis(100), 8000),
            )
            .unwrap();
        }
        all.extend(run(&mut r, id, now));
        let n = RtpBuilder {
            payload_type: 0,
            sequence_number: k as u16,
            timestamp: (u32::MAX - 1000).wrapping_add(160 * k),
            ssrc: 0xabc,
            ..RtpBuilder::default()
        }
        .write(&[0xff; 160], &mut buf)
        .unwrap();
        let t = r.handle_datagram(now, pa, addr(1000), &mut buf, n).unwrap();
        assert_eq!(t.from_port, pb);
        all.push(parse(now, &buf[..t.len]));
    }
    all.extend(run(&mut r, id, t0 + Duration::from_secs(2)));
    assert_eq!(all.iter().filter(|s| s.pt == 101).count(), 7);
    // One sequence, no gaps or repeats, across both kinds of packets.
    assert!(all.windows(2).all(|w| w[1].seq == w[0].seq.wrapping_add(1)));
    // The audio's timestamps step 160 through the event and its wrap; the event's stay put.
    let audio: Vec<u32> = all.iter().filter(|s| s.pt == 0).map(|s| s.ts).collect();
    assert!(audio.windows(2).all(|w| w[1].wrapping_sub(w[0]) == 160));
    let ev_ts: Vec<u32> = all.iter().filter(|s| s.pt == 101).map(|s| s.ts).collect();
    assert!(ev_ts.iter().all(|t| *t == ev_ts[0]));
}
