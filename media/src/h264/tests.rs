#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::*;

fn nal(kind: u8, len: usize, fill: u8) -> Vec<u8> {
    let mut v = vec![0x60 | kind];
    v.extend((0..len - 1).map(|i| fill.wrapping_add(i as u8) | 1));
    v
}

fn annexb(nals: &[Vec<u8>]) -> Vec<u8> {
    nals.iter()
        .flat_map(|n| START_CODE.iter().chain(n.iter()).copied())
        .collect()
}

fn packets(au: &[u8], budget: usize) -> Vec<(Vec<u8>, bool)> {
    let mut out = Vec::new();
    Packetizer::new(budget).packetize(au, |p, m| out.push((p.to_vec(), m)));
    out
}

fn collect(d: &mut Depacketizer) -> (Vec<AccessUnit>, usize) {
    let (mut aus, mut pli) = (Vec::new(), 0);
    while let Some(o) = d.poll_output() {
        match o {
            DepacketizerOutput::AccessUnit(a) => aus.push(a),
            DepacketizerOutput::NeedKeyframe => pli += 1,
        }
    }
    (aus, pli)
}

#[test]
fn nal_splitting() {
    let data = [
        0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3, 0, 0, 0, 1, 0x65, 4,
    ];
    let nals: Vec<_> = annexb_nals(&data).collect();
    assert_eq!(nals, [&[0x67, 1, 2][..], &[0x68, 3], &[0x65, 4]]);
    assert_eq!(annexb_nals(&[1, 2, 3]).count(), 0);
}

#[test]
fn stap_a_single_and_fu_a() {
    let sps = nal(NAL_SPS, 12, 1);
    let pps = nal(NAL_PPS, 4, 2);
    let idr = nal(NAL_IDR, 3000, 3);
    let sei = nal(6, 800, 4);
    let au = annexb(&[sps.clone(), pps.clone(), idr.clone(), sei.clone()]);
    let p = packets(&au, 1200);
    // STAP-A(SPS, PPS), FU-A ×3 for the IDR, single SEI.
    assert_eq!(p.len(), 5);
    assert_eq!(p[0].0[0] & 0x1f, NAL_STAP_A);
    assert_eq!(p[0].0.len(), 1 + 2 + 12 + 2 + 4);
    assert_eq!(p[1].0[0] & 0x1f, NAL_FU_A);
    assert_eq!(p[1].0[1], 0x80 | NAL_IDR);
    assert_eq!(p[3].0[1], 0x40 | NAL_IDR);
    assert_eq!(p[4].0, sei);
    assert!(p.iter().all(|(d, _)| d.len() <= 1200));
    assert_eq!(p.iter().filter(|(_, m)| *m).count(), 1);
    assert!(p[4].1);

    let mut d = Depacketizer::default();
    for (i, (payload, m)) in p.iter().enumerate() {
        d.handle_packet(100 + i as u16, 9000, *m, payload);
    }
    let (aus, pli) = collect(&mut d);
    assert_eq!(pli, 0);
    assert_eq!(aus.len(), 1);
    assert!(aus[0].keyframe);
    assert_eq!(aus[0].data, au);
}

fn stream(frames: usize) -> Vec<(u16, u32, bool, Vec<u8>)> {
    let mut out = Vec::new();
    let mut seq = 65500u16;
    for f in 0..frames {
        let nals = if f % 10 == 0 {
            vec![
                nal(NAL_SPS, 10, 1),
                nal(NAL_PPS, 4, 2),
                nal(NAL_IDR, 4000, f as u8),
            ]
        } else {
            vec![nal(1, 300 + 200 * (f % 7), f as u8)]
        };
        for (payload, m) in packets(&annexb(&nals), 1200) {
            out.push((seq, f as u32 * 3000, m, payload));
            seq = seq.wrapping_add(1);
        }
    }
    out
}

#[test]
fn reordering_within_window_is_transparent() {
    let s = stream(20);
    let mut shuffled = s.clone();
    // Deterministic local shuffle: reverse blocks of 5.
    // (The first packet seen fixes the start of the sequence space, so leave it first.)
    for chunk in shuffled[1..].chunks_mut(5) {
        chunk.reverse();
    }
    let mut d = Depacketizer::new(8);
    let (mut aus, mut pli) = (Vec::new(), 0);
    for (seq, ts, m, p) in &shuffled {
        d.handle_packet(*seq, *ts, *m, p);
        let (a, p) = collect(&mut d);
        aus.extend(a);
        pli += p;
    }
    d.flush();
    aus.extend(collect(&mut d).0);
    assert_eq!((aus.len(), pli), (20, 0), "{:?}", d.stats());
    assert_eq!(d.stats().lost, 0);
    // Duplicates are counted, not delivered.
    d.handle_packet(s[3].0, s[3].1, s[3].2, &s[3].3);
    assert_eq!(d.stats().late_or_duplicate, 1);
}

#[test]
fn loss_drops_unit_asks_for_keyframe_and_recovers() {
    let s = stream(25);
    let mut d = Depacketizer::new(4);
    let (mut aus, mut pli) = (Vec::new(), 0);
    // Lose the second FU-A fragment of the first IDR and one packet of frame 12.
    let lost_seqs = [s[2].0, s.iter().find(|p| p.1 == 12 * 3000).unwrap().0];
    for (seq, ts, m, p) in &s {
        if !lost_seqs.contains(seq) {
            d.handle_packet(*seq, *ts, *m, p);
            let (a, p) = collect(&mut d);
            aus.extend(a);
            pli += p;
        }
    }
    d.flush();
    aus.extend(collect(&mut d).0);
    assert_eq!(
        pli,
        2,
        "{:?} {:?}",
        d.stats(),
        aus.iter().map(|a| a.timestamp / 3000).collect::<Vec<_>>()
    );
    // Frames 0-9 lost (IDR broken, then no keyframe), 10-11 fine, 12-19 lost, 20-24 fine.
    let ts: Vec<u32> = aus.iter().map(|a| a.timestamp / 3000).collect();
    assert_eq!(ts, [10, 11, 20, 21, 22, 23, 24]);
    assert!(aus[0].keyframe && aus[2].keyframe);
    let st = d.stats();
    assert_eq!(st.lost, 2);
    assert!(st.incomplete_fu >= 1);
    // Every undelivered frame is accounted for (frame 12 was one packet: nothing to drop).
    assert_eq!(
        st.dropped_access_units + st.awaiting_keyframe,
        25 - 7 - 1,
        "{st:?}"
    );
}

#[test]
fn hostile_payloads_are_counted() {
    let mut d = Depacketizer::new(4);
    d.handle_packet(1, 0, false, &[]);
    d.handle_packet(2, 0, false, &[NAL_STAP_A, 0, 50, 1]);
    d.handle_packet(3, 0, false, &[25, 1, 2]);
    d.handle_packet(4, 0, false, &[NAL_FU_A, 0x05, 1]); // middle without start
    d.handle_packet(5, 0, true, &[0x1f]);
    d.handle_packet(6, 0, true, &vec![1; MAX_PACKET_PAYLOAD + 1]);
    d.handle_packet(200, 0, true, &[0x41, 1]); // beyond the window: gap given up
    let st = d.stats();
    assert_eq!(st.malformed, 3);
    assert_eq!(st.unsupported, 1);
    assert_eq!(st.incomplete_fu, 1);
    assert_eq!(st.oversize_packet, 1);
    assert!(st.lost > 0);
}

#[test]
fn fuzz_entry_smoke() {
    fuzz_h264_depacketizer(&[]);
    let mut x: u32 = 7;
    let mut data: Vec<u8> = (0..20000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect();
    fuzz_h264_depacketizer(&data);
    // Valid-looking records too.
    for (i, b) in data.iter_mut().enumerate() {
        if i % 40 == 0 {
            *b = 121;
        }
    }
    fuzz_h264_depacketizer(&data);
}
