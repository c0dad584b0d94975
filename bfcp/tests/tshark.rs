//! tshark as an independent oracle: every version-1 message we encode is written into a
//! pcap (Ethernet/IPv4/UDP framing built here) and dissected with `-d udp.port==N,bfcp`.
//! Each frame must show `bfcp.primitive` with our value, the attribute types tshark walks
//! must be ours (nested ones included, depth first), and no frame may be malformed or carry
//! an expert error. tshark 4.0 only recognises version 1 (first octet 0x20 or 0x30), so
//! version 2 is covered by the round-trip and byte-vector tests instead.
//!
//! tshark missing fails the test: CI installs it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;
mod harness;

use std::process::Command;

use common::{error_examples, examples, types};
use roomgate_bfcp::{Message, Version};

const PORT: u16 = 5070;

fn pcap(frames: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes()); // microsecond pcap, little endian
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&0i32.to_le_bytes()); // thiszone
    out.extend_from_slice(&0u32.to_le_bytes()); // sigfigs
    out.extend_from_slice(&65_535u32.to_le_bytes()); // snaplen
    out.extend_from_slice(&1u32.to_le_bytes()); // LINKTYPE_ETHERNET
    for (i, payload) in frames.iter().enumerate() {
        let frame = ethernet_ipv4_udp(payload, i as u16);
        out.extend_from_slice(&(1_700_000_000u32 + i as u32).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        out.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        out.extend_from_slice(&frame);
    }
    out
}

fn ethernet_ipv4_udp(payload: &[u8], id: u16) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&[0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00]);
    let udp_len = 8 + payload.len();
    let ip_len = 20 + udp_len;
    let mut ip = vec![0x45, 0];
    ip.extend_from_slice(&(ip_len as u16).to_be_bytes());
    ip.extend_from_slice(&id.to_be_bytes());
    ip.extend_from_slice(&[0x40, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2]);
    let sum: u32 = ip
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], c[1]])))
        .sum();
    let folded = (sum & 0xffff) + (sum >> 16);
    let checksum = !((folded & 0xffff) + (folded >> 16)) as u16;
    ip[10..12].copy_from_slice(&checksum.to_be_bytes());
    f.extend_from_slice(&ip);
    f.extend_from_slice(&PORT.to_be_bytes());
    f.extend_from_slice(&PORT.to_be_bytes());
    f.extend_from_slice(&(udp_len as u16).to_be_bytes());
    f.extend_from_slice(&[0, 0]); // no UDP checksum (allowed over IPv4)
    f.extend_from_slice(payload);
    f
}

/// Every distinct message a floor control server and its participants send each other over
/// TCP in version 1: Hello/HelloAck, FloorQuery/FloorStatus, requests granted and revoked,
/// release, Errors, Goodbye/GoodbyeAck.
fn state_machine_messages() -> Vec<Message> {
    use harness::Net;
    use roomgate_bfcp::Policy;
    let mut net = Net::new(Policy::NewestWins, &[1, 2, 3]);
    net.connect_all();
    let now = net.now;
    net.peer(3).p.subscribe(now, &[1, 2]).unwrap();
    net.peer(1).p.request_floor(now, 1).unwrap();
    net.run();
    net.peer(2).p.request_floor(now, 1).unwrap();
    net.peer(2).p.request_floor(now, 9).unwrap();
    net.run();
    net.peer(2).p.release_floor(now, 1).unwrap();
    net.peer(1).p.goodbye(now).unwrap();
    net.run();
    net.server.goodbye(now, 3);
    net.run();
    let mut out: Vec<Message> = Vec::new();
    for peer in &net.peers {
        for m in peer.sent.iter().chain(&peer.received) {
            if !out.contains(m) {
                out.push(m.clone());
            }
        }
    }
    let primitives: std::collections::BTreeSet<_> =
        out.iter().map(|m| m.header.primitive).collect();
    assert_eq!(primitives.len(), 10, "{primitives:?}");
    out
}

#[test]
fn tshark_dissects_every_version_1_message_we_send() {
    let version = Command::new("tshark").arg("-v").output();
    let Ok(version) = version else {
        panic!("tshark is not installed: the BFCP oracle test needs it (apt-get install tshark)");
    };
    assert!(version.status.success(), "tshark -v failed");

    let mut msgs: Vec<Message> = examples(Version::V1);
    msgs.extend(error_examples(Version::V1));
    msgs.extend(state_machine_messages());
    let mut frames: Vec<Vec<u8>> = msgs.iter().map(|m| m.encode().unwrap()).collect();
    // A control frame tshark must call malformed (USER-DISPLAY-NAME claiming 32 octets of a
    // 4-octet payload), so an oracle that flags nothing cannot pass.
    frames.push(vec![
        0x20, 1, 0, 1, 0, 0, 0, 1, 0, 1, 0, 1, 0x19, 0x20, 0x41, 0x41,
    ]);
    let dir = std::env::temp_dir().join(format!("roomgate-bfcp-tshark-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("v1.pcap");
    std::fs::write(&file, pcap(&frames)).unwrap();

    let out = Command::new("tshark")
        .args(["-n", "-r"])
        .arg(&file)
        .args(["-d", &format!("udp.port=={PORT},bfcp")])
        .args([
            "-T",
            "fields",
            "-E",
            "separator=|",
            "-E",
            "occurrence=a",
            "-E",
            "aggregator=,",
        ])
        .args([
            "-e",
            "frame.number",
            "-e",
            "bfcp.primitive",
            "-e",
            "bfcp.payload_length",
        ])
        .args([
            "-e",
            "bfcp.attribute_type",
            "-e",
            "_ws.malformed",
            "-e",
            "_ws.expert.severity",
        ])
        .args(["-e", "_ws.expert.message"])
        .output()
        .unwrap();
    if std::env::var_os("BFCP_KEEP_PCAP").is_none() {
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
    let control = lines.last().unwrap();
    assert!(
        control.contains("_ws.malformed"),
        "control frame not flagged: {control}"
    );
    for (line, msg) in lines.iter().zip(&msgs) {
        let fields: Vec<&str> = line.split('|').collect();
        assert_eq!(fields.len(), 7, "{line}");
        let what = format!("frame {} ({}): {line}", fields[0], msg.header.primitive);
        assert_eq!(fields[1], msg.header.primitive.code().to_string(), "{what}");
        let units = (msg.encode().unwrap().len() - 12) / 4;
        assert_eq!(fields[2], units.to_string(), "{what}");
        let mut ours = Vec::new();
        types(&msg.attributes, &mut ours);
        let ours: Vec<String> = ours.iter().map(u8::to_string).collect();
        assert_eq!(fields[3], ours.join(","), "attribute types differ: {what}");
        assert_eq!(fields[4], "", "malformed: {what}");
        // Expert severities: 0x00800000 is an error; notes and chats are harmless.
        for sev in fields[5].split(',').filter(|s| !s.is_empty()) {
            let sev: u32 = sev.parse().unwrap_or(u32::MAX);
            assert!(sev < 0x0080_0000, "expert error ({}) in {what}", fields[6]);
        }
    }
}
