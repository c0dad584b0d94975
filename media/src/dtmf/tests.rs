#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use super::*;

#[test]
fn parse_and_write_round_trip() {
    // RFC 4733 §3.2-style example: digit 5, E bit, volume 10, duration 1280.
    let bytes = [0x05, 0x8a, 0x05, 0x00];
    let ev = TelephoneEvent::parse(&bytes).unwrap();
    assert_eq!(
        ev,
        TelephoneEvent {
            event: 5,
            end: true,
            volume: 10,
            duration: 1280
        }
    );
    assert_eq!(ev.to_bytes(), bytes);
    // The R bit is ignored on receive and sent as zero.
    assert_eq!(TelephoneEvent::parse(&[1, 0x4a, 0, 1]).unwrap().volume, 10);
    assert_eq!(
        TelephoneEvent::parse(&[1, 2, 3]),
        Err(DtmfError::BadLength(3))
    );
    assert_eq!(
        TelephoneEvent::parse(&[1, 2, 3, 4, 5]),
        Err(DtmfError::BadLength(5))
    );
    assert_eq!(
        TelephoneEvent::blocks(&[1, 0, 0, 1, 2, 0x80, 0, 2]).count(),
        2
    );
}

#[test]
fn symbols() {
    for (e, c) in [
        (0, '0'),
        (9, '9'),
        (10, '*'),
        (11, '#'),
        (12, 'A'),
        (15, 'D'),
        (16, '!'),
    ] {
        assert_eq!(event_to_char(e), Some(c));
        assert_eq!(char_to_event(c), Some(e));
    }
    assert_eq!(char_to_event('b'), Some(13));
    assert_eq!(event_to_char(17), None);
    assert_eq!(char_to_event('x'), None);
}

#[test]
fn generator_sequence() {
    let cfg = GeneratorConfig::default(); // 8 kHz, 20 ms, 3 ends
    let pkts: Vec<_> = DtmfGenerator::new(7, Duration::from_millis(100), 1234, cfg).collect();
    // 100 ms / 20 ms: updates at 160, 320, 480, 640, then three ends of 800.
    assert_eq!(pkts.len(), 4 + 3);
    assert!(pkts[0].marker);
    assert!(pkts[1..].iter().all(|p| !p.marker));
    assert!(pkts.iter().all(|p| p.timestamp == 1234));
    let evs: Vec<_> = pkts
        .iter()
        .map(|p| TelephoneEvent::parse(&p.payload).unwrap())
        .collect();
    let durs: Vec<u16> = evs.iter().map(|e| e.duration).collect();
    assert_eq!(durs, [160, 320, 480, 640, 800, 800, 800]);
    assert_eq!(evs.iter().filter(|e| e.end).count(), 3);
    assert!(evs[4..]
        .iter()
        .all(|e| e.end && e.event == 7 && e.volume == 10));
    assert_eq!(pkts[0].offset, Duration::from_millis(20));
    assert_eq!(pkts[4].offset, Duration::from_millis(100));
}

#[test]
fn generator_end_packets_are_paced() {
    // RFC 4733 §2.5.1.4: three end packets at the update interval, never back to back.
    for interval in [20u64, 50] {
        let cfg = GeneratorConfig {
            interval: Duration::from_millis(interval),
            ..GeneratorConfig::default()
        };
        let pkts: Vec<_> = DtmfGenerator::new(7, Duration::from_millis(200), 0, cfg).collect();
        let ends: Vec<_> = pkts
            .iter()
            .filter(|p| TelephoneEvent::parse(&p.payload).unwrap().end)
            .collect();
        assert_eq!(ends.len(), 3);
        for w in pkts.windows(2) {
            assert_eq!(
                w[1].offset - w[0].offset,
                Duration::from_millis(interval),
                "{interval} ms updates"
            );
        }
        assert_eq!(ends[0].offset, Duration::from_millis(200));
        assert_eq!(ends[2].offset, Duration::from_millis(200 + 2 * interval));
    }
}

#[test]
fn generator_bounds_huge_and_odd_events() {
    // A digit whose duration came from a hostile end packet (65535 units at 8 kHz, 8.2 s),
    // also at an odd clock rate and a silly interval: bounded, paced, no panic.
    let huge = Duration::from_micros(65_535 * 1_000_000 / 8000);
    for (clock_rate, interval) in [(8000, 20), (12_345, 20), (48_000, 0), (1, 20), (0, 20)] {
        let cfg = GeneratorConfig {
            clock_rate,
            interval: Duration::from_millis(interval),
            ..GeneratorConfig::default()
        };
        let pkts: Vec<_> = DtmfGenerator::new(1, huge, 0, cfg).collect();
        let step = cfg.interval.max(MIN_INTERVAL).as_millis();
        let bound = (cfg.max_duration.as_millis() / step) as usize + 3;
        assert!(
            pkts.len() <= bound,
            "{clock_rate} Hz: {} packets",
            pkts.len()
        );
        assert!(pkts.len() >= 3);
        assert!(pkts
            .windows(2)
            .all(|w| w[1].offset > w[0].offset || clock_rate < 100));
        let last = pkts.last().unwrap().offset;
        assert!(last <= cfg.max_duration + 2 * cfg.interval.max(MIN_INTERVAL));
    }
}

#[test]
fn generator_short_and_wideband() {
    let cfg = GeneratorConfig {
        clock_rate: 48_000,
        interval: Duration::from_millis(50),
        ..GeneratorConfig::default()
    };
    let pkts: Vec<_> = DtmfGenerator::new(1, Duration::from_millis(10), 0, cfg).collect();
    assert_eq!(pkts.len(), 3);
    assert!(pkts[0].marker);
    assert_eq!(
        TelephoneEvent::parse(&pkts[0].payload).unwrap().duration,
        480
    );
    // Clamped at 65535 units.
    let cfg = GeneratorConfig {
        max_duration: Duration::from_secs(5),
        ..cfg
    };
    let last = DtmfGenerator::new(1, Duration::from_secs(5), 0, cfg)
        .last()
        .unwrap();
    assert_eq!(
        TelephoneEvent::parse(&last.payload).unwrap().duration,
        u16::MAX
    );
}

struct Pkt {
    seq: u16,
    ts: u32,
    marker: bool,
    payload: [u8; 4],
}

fn digit_packets(event: u8, ms: u64, ts: u32, seq0: u16) -> Vec<Pkt> {
    DtmfGenerator::new(
        event,
        Duration::from_millis(ms),
        ts,
        GeneratorConfig::default(),
    )
    .enumerate()
    .map(|(i, p)| Pkt {
        seq: seq0.wrapping_add(i as u16),
        ts: p.timestamp,
        marker: p.marker,
        payload: p.payload,
    })
    .collect()
}

fn run(rx: &mut DtmfReceiver, t0: Instant, pkts: &[Pkt]) -> Vec<ReceivedDigit> {
    let mut out = Vec::new();
    for (i, p) in pkts.iter().enumerate() {
        let now = t0 + Duration::from_millis(20 * i as u64);
        rx.handle_packet(now, 101, p.marker, p.seq, p.ts, &p.payload);
        while let Some(o) = rx.poll_output() {
            if let DtmfOutput::End(d) = o {
                out.push(d);
            }
        }
    }
    out
}

fn ends(rx: &mut DtmfReceiver) -> Vec<ReceivedDigit> {
    std::iter::from_fn(|| rx.poll_output())
        .filter_map(|o| match o {
            DtmfOutput::End(d) => Some(d),
            DtmfOutput::Begin { .. } => None,
        })
        .collect()
}

#[test]
fn receiver_clean_stream_with_retransmissions() {
    let mut rx = DtmfReceiver::new(ReceiverConfig::default());
    let mut pkts = digit_packets(1, 100, 8000, 10);
    pkts.extend(digit_packets(2, 60, 16000, 17));
    let t0 = Instant::now();
    let got = run(&mut rx, t0, &pkts);
    assert_eq!(got.len(), 2);
    assert_eq!((got[0].symbol, got[0].duration_units), (Some('1'), 800));
    assert_eq!(got[0].duration, Duration::from_millis(100));
    assert_eq!(got[0].reason, EndReason::EndBit);
    assert_eq!((got[1].symbol, got[1].duration_units), (Some('2'), 480));
    assert_eq!(rx.stats().finished_event, 4); // two extra end packets per digit
    assert_eq!(rx.poll_timeout(), None);
}

#[test]
fn receiver_duplicates_and_reordering() {
    let mut rx = DtmfReceiver::new(ReceiverConfig::default());
    let mut pkts = digit_packets(3, 100, 100, 65530); // sequence wraps
    pkts.extend(digit_packets(4, 100, 2000, 65530u16.wrapping_add(7)));
    // Swap some neighbours and duplicate a few packets.
    pkts.swap(1, 2);
    pkts.swap(5, 7); // an end of '3' after the start of '4'
    let dup = Pkt { ..pkts[3] };
    pkts.insert(4, dup);
    let got = run(&mut rx, Instant::now(), &pkts);
    let syms: Vec<_> = got.iter().map(|d| d.symbol.unwrap()).collect();
    assert_eq!(syms, ['3', '4']);
    assert_eq!(rx.stats().duplicate_seq, 1);
}

#[test]
fn receiver_lost_end_packets_timeout() {
    let cfg = ReceiverConfig {
        timeout: Duration::from_millis(200),
        ..ReceiverConfig::default()
    };
    let mut rx = DtmfReceiver::new(cfg);
    let pkts: Vec<_> = digit_packets(9, 200, 0, 0)
        .into_iter()
        .filter(|p| !TelephoneEvent::parse(&p.payload).unwrap().end)
        .collect();
    let t0 = Instant::now();
    assert!(run(&mut rx, t0, &pkts).is_empty());
    let deadline = rx.poll_timeout().unwrap();
    rx.handle_timeout(deadline - Duration::from_millis(1));
    assert!(ends(&mut rx).is_empty());
    rx.handle_timeout(deadline);
    let got = ends(&mut rx);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].reason, EndReason::Timeout);
    assert_eq!(got[0].duration_units, 1440); // longest update seen: 180 ms
                                             // End packets arriving after the timeout do not produce a second digit.
    rx.handle_packet(deadline, 101, false, 20, 0, &[9, 0x8a, 0x06, 0x40]);
    assert!(ends(&mut rx).is_empty());
    assert_eq!(rx.stats().finished_event, 1);
}

#[test]
fn receiver_lost_start_and_next_event() {
    let mut rx = DtmfReceiver::new(ReceiverConfig::default());
    let mut a = digit_packets(5, 100, 0, 0);
    a.retain(|p| !p.marker && !TelephoneEvent::parse(&p.payload).unwrap().end);
    let b = digit_packets(6, 100, 1600, 10);
    a.extend(b);
    let got = run(&mut rx, Instant::now(), &a);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].reason, EndReason::NextEvent);
    assert_eq!(got[0].symbol, Some('5'));
    assert_eq!(got[1].symbol, Some('6'));
}

#[test]
fn receiver_counts_foreign_and_malformed() {
    let mut rx = DtmfReceiver::new(ReceiverConfig {
        payload_type: 96,
        clock_rate: 48_000,
        ..ReceiverConfig::default()
    });
    let now = Instant::now();
    rx.handle_packet(now, 0, false, 1, 0, &[0; 160]);
    rx.handle_packet(now, 96, true, 2, 0, &[1, 2]);
    rx.handle_packet(now, 96, true, 3, 0, &[1, 0x8a, 0x12, 0xc0]);
    assert_eq!(rx.stats().wrong_payload_type, 1);
    assert_eq!(rx.stats().malformed, 1);
    let got = ends(&mut rx);
    assert_eq!(got[0].duration, Duration::from_millis(100)); // 4800 units at 48 kHz
                                                             // A late packet from a stale, never-seen event is dropped.
    rx.handle_packet(now, 96, false, 4, 0u32.wrapping_sub(960), &[2, 0, 0, 1]);
    assert_eq!(rx.stats().stale_event, 1);
    assert!(rx.poll_output().is_none());
}

#[test]
fn fuzz_entry_smoke() {
    fuzz_dtmf(&[]);
    fuzz_dtmf(&[
        0x80, 0, 1, 1, 4, 1, 0, 0, 1, 0x00, 0, 2, 1, 4, 1, 0x80, 0, 2,
    ]);
    let mut x: u32 = 1;
    let data: Vec<u8> = (0..5000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect();
    fuzz_dtmf(&data);
}
