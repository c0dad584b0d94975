//! Feeds the RFC 2833 captures shipped by Debian's `sip-tester` (sipp) through the receiver:
//! each file must yield exactly its digit, once.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use roomgate_media::dtmf::{DtmfOutput, DtmfReceiver, EndReason, ReceiverConfig};
use std::path::Path;
use std::time::{Duration, Instant};

const DIR: &str = "/usr/share/sip-tester";

struct RtpPacket {
    time: Duration,
    pt: u8,
    marker: bool,
    seq: u16,
    ts: u32,
    payload: Vec<u8>,
}

/// Minimal classic-pcap reader: global header, record headers, Ethernet II / IPv4 / UDP / RTP.
fn read_pcap(data: &[u8]) -> Vec<RtpPacket> {
    let magic = u32::from_le_bytes(data[0..4].try_into().unwrap());
    let (le, nanos) = match magic {
        0xa1b2_c3d4 => (true, false),
        0xa1b2_3c4d => (true, true),
        _ => match u32::from_be_bytes(data[0..4].try_into().unwrap()) {
            0xa1b2_c3d4 => (false, false),
            0xa1b2_3c4d => (false, true),
            m => panic!("not a pcap file: {m:#x}"),
        },
    };
    let u32_at = |b: &[u8]| {
        let a: [u8; 4] = b[..4].try_into().unwrap();
        if le {
            u32::from_le_bytes(a)
        } else {
            u32::from_be_bytes(a)
        }
    };
    assert_eq!(u32_at(&data[20..24]), 1, "link type must be Ethernet");
    let mut out = Vec::new();
    let mut off = 24;
    while off + 16 <= data.len() {
        let secs = u32_at(&data[off..]);
        let frac = u32_at(&data[off + 4..]);
        let incl = u32_at(&data[off + 8..]) as usize;
        let frame = &data[off + 16..off + 16 + incl];
        off += 16 + incl;
        let time = Duration::from_secs(secs.into())
            + if nanos {
                Duration::from_nanos(frac.into())
            } else {
                Duration::from_micros(frac.into())
            };
        // Ethernet II, IPv4 only.
        if frame.len() < 14 || frame[12..14] != [0x08, 0x00] {
            continue;
        }
        let ip = &frame[14..];
        let ihl = usize::from(ip[0] & 0x0f) * 4;
        if ip[0] >> 4 != 4 || ip[9] != 17 {
            continue;
        }
        let total = usize::from(u16::from_be_bytes([ip[2], ip[3]]));
        let udp = &ip[ihl..total];
        let udp_len = usize::from(u16::from_be_bytes([udp[4], udp[5]]));
        let rtp = &udp[8..udp_len];
        if rtp.len() < 12 || rtp[0] >> 6 != 2 {
            continue;
        }
        let cc = usize::from(rtp[0] & 0x0f);
        let mut start = 12 + cc * 4;
        if rtp[0] & 0x10 != 0 {
            let words = usize::from(u16::from_be_bytes([rtp[start + 2], rtp[start + 3]]));
            start += 4 + words * 4;
        }
        let mut end = rtp.len();
        if rtp[0] & 0x20 != 0 {
            end -= usize::from(rtp[end - 1]);
        }
        out.push(RtpPacket {
            time,
            pt: rtp[1] & 0x7f,
            marker: rtp[1] & 0x80 != 0,
            seq: u16::from_be_bytes([rtp[2], rtp[3]]),
            ts: u32::from_be_bytes(rtp[4..8].try_into().unwrap()),
            payload: rtp[start..end].to_vec(),
        });
    }
    out
}

#[test]
fn sipp_rfc2833_captures_yield_their_digit_once() {
    // The package is a test dependency installed by scripts/test-all.sh: never skip.
    assert!(
        Path::new(DIR).join("dtmf_2833_0.pcap").exists(),
        "{DIR} missing: apt-get install sip-tester"
    );
    let names: Vec<(String, char)> = ('0'..='9')
        .map(|c| (c.to_string(), c))
        .chain([("star".to_string(), '*'), ("pound".to_string(), '#')])
        .collect();
    for (name, want) in names {
        let path = Path::new(DIR).join(format!("dtmf_2833_{name}.pcap"));
        let packets = read_pcap(&std::fs::read(&path).unwrap());
        assert!(!packets.is_empty(), "{name}: no RTP");
        let mut rx = DtmfReceiver::new(ReceiverConfig {
            payload_type: packets[0].pt,
            ..ReceiverConfig::default()
        });
        let t0 = Instant::now();
        let base = packets[0].time;
        let mut digits = Vec::new();
        let mut begins = 0;
        let mut drain = |rx: &mut DtmfReceiver| {
            while let Some(o) = rx.poll_output() {
                match o {
                    DtmfOutput::Begin { .. } => begins += 1,
                    DtmfOutput::End(d) => digits.push(d),
                }
            }
        };
        for p in &packets {
            let now = t0 + p.time.saturating_sub(base);
            rx.handle_packet(now, p.pt, p.marker, p.seq, p.ts, &p.payload);
            drain(&mut rx);
        }
        if let Some(t) = rx.poll_timeout() {
            rx.handle_timeout(t);
        }
        drain(&mut rx);
        assert_eq!(begins, 1, "{name}");
        assert_eq!(digits.len(), 1, "{name}: {digits:?}");
        assert_eq!(digits[0].symbol, Some(want), "{name}");
        assert!(digits[0].duration_units > 0, "{name}");
        assert_eq!(digits[0].reason, EndReason::EndBit, "{name}");
        assert_eq!(rx.stats().malformed, 0);
    }
}
