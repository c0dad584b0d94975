//! A small pcap/pcapng reader for the truth tests: packets of Ethernet, Linux cooked (SLL and
//! SLL2), BSD null/loopback or raw IP captures, IPv4 with TCP or UDP, and TCP streams put back
//! together per direction by sequence number. Written for the checked-in captures; it panics
//! on anything it does not understand, which in a test is the right answer.

use std::collections::BTreeMap;

/// One direction of a TCP connection, or a UDP flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Flow {
    pub src: [u8; 4],
    pub sport: u16,
    pub dst: [u8; 4],
    pub dport: u16,
}

#[derive(Debug, Default)]
pub struct Capture {
    /// TCP payload octets per direction, in sequence order, retransmissions removed.
    pub tcp: BTreeMap<Flow, Vec<u8>>,
    /// UDP datagrams in capture order.
    pub udp: Vec<(Flow, Vec<u8>)>,
}

fn u16_at(b: &[u8], at: usize, le: bool) -> u16 {
    let a = [b[at], b[at + 1]];
    if le {
        u16::from_le_bytes(a)
    } else {
        u16::from_be_bytes(a)
    }
}

fn u32_at(b: &[u8], at: usize, le: bool) -> u32 {
    let a = [b[at], b[at + 1], b[at + 2], b[at + 3]];
    if le {
        u32::from_le_bytes(a)
    } else {
        u32::from_be_bytes(a)
    }
}

/// Link-layer frames with their link type, from either file format.
fn frames(file: &[u8]) -> Vec<(u16, Vec<u8>)> {
    let magic = u32_at(file, 0, true);
    if magic == 0x0a0d_0d0a {
        return pcapng_frames(file);
    }
    let le = match magic {
        0xa1b2_c3d4 | 0xa1b2_3c4d => true,
        0xd4c3_b2a1 | 0x4d3c_b2a1 => false,
        other => panic!("not a pcap or pcapng file (magic {other:#010x})"),
    };
    let link = u32_at(file, 20, le) as u16;
    let mut out = Vec::new();
    let mut at = 24;
    while at + 16 <= file.len() {
        let caplen = u32_at(file, at + 8, le) as usize;
        out.push((link, file[at + 16..at + 16 + caplen].to_vec()));
        at += 16 + caplen;
    }
    assert_eq!(at, file.len(), "trailing octets in pcap");
    out
}

fn pcapng_frames(file: &[u8]) -> Vec<(u16, Vec<u8>)> {
    let mut out = Vec::new();
    let mut links: Vec<u16> = Vec::new();
    let mut le = true;
    let mut at = 0;
    while at + 12 <= file.len() {
        let block_type = u32_at(file, at, le);
        if block_type == 0x0a0d_0d0a {
            // Section header: the byte-order magic decides the endianness of this section.
            le = u32_at(file, at + 8, true) == 0x1a2b_3c4d;
            links.clear();
        }
        let len = u32_at(file, at + 4, le) as usize;
        assert!(
            len >= 12 && at + len <= file.len(),
            "bad pcapng block at {at}"
        );
        let body = &file[at + 8..at + len - 4];
        match block_type {
            1 => links.push(u16_at(body, 0, le)),
            6 => {
                let iface = u32_at(body, 0, le) as usize;
                let caplen = u32_at(body, 12, le) as usize;
                out.push((links[iface], body[20..20 + caplen].to_vec()));
            }
            3 => {
                let caplen = (u32_at(body, 0, le) as usize).min(body.len() - 4);
                out.push((links[0], body[4..4 + caplen].to_vec()));
            }
            _ => {}
        }
        at += len;
    }
    out
}

/// The IPv4 packet inside a link-layer frame, if it carries one.
fn ipv4(link: u16, frame: &[u8]) -> Option<&[u8]> {
    let (ethertype, at) = match link {
        1 => {
            let mut at = 12;
            let mut et = u16_at(frame, at, false);
            while et == 0x8100 {
                at += 4;
                et = u16_at(frame, at, false);
            }
            (et, at + 2)
        }
        113 => (u16_at(frame, 14, false), 16),
        276 => (u16_at(frame, 0, false), 20),
        0 => {
            // BSD null: address family in host order; 2 = AF_INET either way round.
            let fam = u32_at(frame, 0, true);
            (
                if fam == 2 || fam.swap_bytes() == 2 {
                    0x0800
                } else {
                    0
                },
                4,
            )
        }
        108 => (
            if u32_at(frame, 0, false) == 2 {
                0x0800
            } else {
                0
            },
            4,
        ),
        101 | 228 => (0x0800, 0),
        other => panic!("unsupported link type {other}"),
    };
    (ethertype == 0x0800).then(|| &frame[at..])
}

pub fn read(file: &[u8]) -> Capture {
    let mut capture = Capture::default();
    // Per direction: initial sequence number (from the SYN) and segments by relative offset.
    let mut isn: BTreeMap<Flow, u32> = BTreeMap::new();
    let mut segments: BTreeMap<Flow, Vec<(u32, Vec<u8>)>> = BTreeMap::new();
    for (link, frame) in frames(file) {
        let Some(ip) = ipv4(link, &frame) else {
            continue;
        };
        assert_eq!(ip[0] >> 4, 4, "not IPv4");
        let ihl = usize::from(ip[0] & 0x0f) * 4;
        let total = usize::from(u16_at(ip, 2, false));
        assert_eq!(
            u16_at(ip, 6, false) & 0x3fff,
            0,
            "IP fragments are not handled"
        );
        let ip = &ip[..total];
        let l4 = &ip[ihl..];
        let src = [ip[12], ip[13], ip[14], ip[15]];
        let dst = [ip[16], ip[17], ip[18], ip[19]];
        let flow = Flow {
            src,
            sport: u16_at(l4, 0, false),
            dst,
            dport: u16_at(l4, 2, false),
        };
        match ip[9] {
            6 => {
                let seq = u32_at(l4, 4, false);
                let data_at = usize::from(l4[12] >> 4) * 4;
                let syn = l4[13] & 0x02 != 0;
                if syn {
                    isn.insert(flow, seq.wrapping_add(1));
                }
                let data = &l4[data_at..];
                if !data.is_empty() {
                    segments.entry(flow).or_default().push((seq, data.to_vec()));
                }
            }
            17 => capture.udp.push((flow, l4[8..].to_vec())),
            _ => {}
        }
    }
    for (flow, mut segs) in segments {
        let base = *isn
            .get(&flow)
            .unwrap_or_else(|| panic!("no SYN seen for {flow:?}"));
        segs.sort_by_key(|(seq, _)| seq.wrapping_sub(base));
        let mut stream: Vec<u8> = Vec::new();
        for (seq, data) in segs {
            let rel = seq.wrapping_sub(base) as usize;
            assert!(rel <= stream.len(), "gap in {flow:?} at {}", stream.len());
            let end = rel + data.len();
            if end > stream.len() {
                stream.extend_from_slice(&data[stream.len() - rel..]);
            }
        }
        capture.tcp.insert(flow, stream);
    }
    capture
}
