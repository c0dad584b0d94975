//! tshark as an independent oracle for the RAS encoder: every typed RasMessage alternative
//! (the hand-built samples of `roomgate_h323::ras::samples`, with H.460 feature sets,
//! alternate gatekeepers, a gateway endpoint type and every TransportAddress form) is sent
//! as a UDP datagram to port 1719 in a pcap. Each frame must be dissected as H.225.0 RAS with
//! the right `h225.RasMessage` alternative and requestSeqNum, and with no malformed or
//! error-level expert field. A final truncated RRQ must be flagged, so an oracle that flags
//! nothing cannot pass.
//!
//! tshark missing fails the test: CI installs it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::process::Command;

use roomgate_h323::ras::{samples, RasMessage};

const RAS_PORT: u16 = 1719;

fn checksum(words: &[u8]) -> u16 {
    let sum: u32 = words
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])))
        .sum();
    let folded = (sum & 0xffff) + (sum >> 16);
    !((folded & 0xffff) + (folded >> 16)) as u16
}

/// Ethernet, IPv4 and UDP (checksum zero: none, allowed for UDP over IPv4).
fn frame(payload: &[u8], id: u16) -> Vec<u8> {
    let mut f = vec![0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00];
    let mut ip = vec![0x45, 0];
    ip.extend_from_slice(&((20 + 8 + payload.len()) as u16).to_be_bytes());
    ip.extend_from_slice(&id.to_be_bytes());
    ip.extend_from_slice(&[0x40, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2]);
    let sum = checksum(&ip);
    ip[10..12].copy_from_slice(&sum.to_be_bytes());
    f.extend_from_slice(&ip);
    f.extend_from_slice(&RAS_PORT.to_be_bytes());
    f.extend_from_slice(&RAS_PORT.to_be_bytes());
    f.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
    f.extend_from_slice(&[0, 0]);
    f.extend_from_slice(payload);
    f
}

fn pcap(frames: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&65_535u32.to_le_bytes());
    out.extend_from_slice(&1u32.to_le_bytes()); // LINKTYPE_ETHERNET
    for (i, f) in frames.iter().enumerate() {
        out.extend_from_slice(&(1_700_000_000u32 + i as u32).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&(f.len() as u32).to_le_bytes());
        out.extend_from_slice(&(f.len() as u32).to_le_bytes());
        out.extend_from_slice(f);
    }
    out
}

const FIELDS: [&str; 6] = [
    "frame.number",
    "frame.protocols",
    "h225.RasMessage",
    "h225.requestSeqNum",
    "_ws.malformed",
    "_ws.expert.severity",
];

/// Wireshark numbers extension alternatives after the 25 root ones.
fn expected_alternative(msg: &RasMessage) -> usize {
    match msg {
        RasMessage::RequestInProgress(_) => 25,
        m => m.root_index().unwrap(),
    }
}

#[test]
fn tshark_dissects_every_ras_message_we_send() {
    let Ok(version) = Command::new("tshark").arg("-v").output() else {
        panic!("tshark is not installed: the RAS oracle test needs it (apt-get install tshark)");
    };
    assert!(version.status.success(), "tshark -v failed");

    let msgs = samples::all().unwrap();
    let mut frames: Vec<Vec<u8>> = msgs
        .iter()
        .enumerate()
        .map(|(i, (_, m))| frame(&m.encode().unwrap(), i as u16))
        .collect();
    // Control: the RRQ cut in half.
    let rrq = msgs
        .iter()
        .find(|(n, _)| *n == "rrq")
        .unwrap()
        .1
        .encode()
        .unwrap();
    frames.push(frame(&rrq[..rrq.len() / 2], 99));

    let dir = std::env::temp_dir().join(format!("roomgate-h323-tshark-ras-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("ras.pcap");
    std::fs::write(&file, pcap(&frames)).unwrap();
    let mut cmd = Command::new("tshark");
    cmd.args(["-n", "-r"]).arg(&file).args(["-T", "fields"]);
    cmd.args([
        "-E",
        "separator=|",
        "-E",
        "occurrence=a",
        "-E",
        "aggregator=,",
    ]);
    for f in FIELDS {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().unwrap();
    if std::env::var_os("H323_KEEP_PCAP").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "tshark failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), frames.len(), "one line per frame:\n{stdout}");
    let control: Vec<&str> = lines.last().unwrap().split('|').collect();
    assert!(
        !control[4].is_empty() || control[5].split(',').any(|s| s == "8388608"),
        "control frame not flagged: {control:?}"
    );

    for (line, (name, msg)) in lines.iter().zip(&msgs) {
        let f: Vec<&str> = line.split('|').collect();
        assert_eq!(f.len(), FIELDS.len(), "{line}");
        let what = format!("frame {} ({name}): {line}", f[0]);
        assert!(
            f[1].contains(":udp:h225"),
            "not dissected as H.225.0 RAS: {what}"
        );
        assert_eq!(
            f[2],
            expected_alternative(msg).to_string(),
            "alternative: {what}"
        );
        assert_eq!(
            f[3].split(',').next().unwrap(),
            msg.request_seq_num().unwrap().to_string(),
            "requestSeqNum: {what}"
        );
        assert_eq!(f[4], "", "malformed: {what}");
        // Expert severities: 0x00800000 is an error; warnings, notes and chats are harmless.
        for sev in f[5].split(',').filter(|s| !s.is_empty()) {
            let sev: u32 = sev.parse().unwrap_or(u32::MAX);
            assert!(sev < 0x0080_0000, "expert error in {what}");
        }
    }
}
