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

mod common;

use common::tshark;
use std::process::Command;

use roomgate_h323::ras::{samples, RasMessage};

const RAS_PORT: u16 = 1719;

/// Ethernet, IPv4 and UDP (checksum zero: none, allowed for UDP over IPv4).
fn frame(payload: &[u8], id: u16) -> Vec<u8> {
    let mut f = tshark::ethernet_ipv4(17, 8 + payload.len(), id);
    f.extend_from_slice(&RAS_PORT.to_be_bytes());
    f.extend_from_slice(&RAS_PORT.to_be_bytes());
    f.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
    f.extend_from_slice(&[0, 0]);
    f.extend_from_slice(payload);
    f
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

    let lines = tshark::dissect("ras", &frames, &FIELDS);
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
