//! Shared by the integration tests: the capture reader and the checked-in vectors.
#![allow(dead_code)]

pub mod capture;
pub mod tshark;

use std::path::{Path, PathBuf};

use capture::Flow;

pub fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

/// The two call captures with the short name the `per/` files use.
pub const CALLS: [(&str, &str); 2] = [
    ("fs", "ooh323-faststart-tunnel-dtmf.pcapng"),
    ("ss", "ooh323-slowstart-separate-h245.pcapng"),
];

/// The H.225.0 call signalling port chan_ooh323 listened on in the captures.
pub const SIGNALLING_PORT: u16 = 1721;

/// Every TCP direction of a call capture: (capture short name, flow, stream octets).
pub fn tcp_streams() -> Vec<(&'static str, Flow, Vec<u8>)> {
    let mut out = Vec::new();
    for (short, file) in CALLS {
        let bytes = std::fs::read(vectors().join("captures").join(file)).unwrap();
        for (flow, stream) in capture::read(&bytes).tcp {
            out.push((short, flow, stream));
        }
    }
    out
}

/// Splits a stream into TPKT payloads with the crate's decoder, one push.
pub fn payloads(stream: &[u8]) -> Vec<Vec<u8>> {
    let mut dec = roomgate_h323::tpkt::TpktDecoder::default();
    dec.push(stream);
    let mut out = Vec::new();
    while let Some(p) = dec.next_payload().unwrap() {
        out.push(p);
    }
    assert_eq!(dec.buffered(), 0, "stream ends inside a packet");
    out
}

/// Every Q.931 message of the call captures, named like its `per/` file without `.per`
/// (`h225cs_fs_12030_1721_00_mt05`), in capture order per direction.
pub fn q931_messages() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for (short, flow, stream) in tcp_streams() {
        if flow.sport != SIGNALLING_PORT && flow.dport != SIGNALLING_PORT {
            continue;
        }
        for (i, payload) in payloads(&stream).into_iter().enumerate() {
            let mt = payload[1 + 1 + usize::from(payload[1])];
            let name = format!(
                "h225cs_{short}_{}_{}_{i:02}_mt{mt:02x}",
                flow.sport, flow.dport
            );
            out.push((name, payload));
        }
    }
    out
}

/// The RAS datagrams of the RAS capture, named like their `per/` file (`ras_1`), and one
/// encoding of every hand-built RAS sample (`sample_<abbreviation>`).
pub fn ras_datagrams() -> Vec<(String, Vec<u8>)> {
    let file = std::fs::read(vectors().join("captures/ooh323-ras-grq-no-gk.pcap")).unwrap();
    let mut out: Vec<(String, Vec<u8>)> = capture::read(&file)
        .udp
        .into_iter()
        .enumerate()
        .map(|(i, (_, d))| (format!("ras_{}", i + 1), d))
        .collect();
    for (name, msg) in roomgate_h323::ras::samples::all().unwrap() {
        out.push((format!("sample_{name}"), msg.encode().unwrap()));
    }
    out
}

/// The H323-UserInformation of every Q.931 message of the call captures (the user-user
/// element's data), named like its `per/` file without `.per`.
pub fn h225_vectors() -> Vec<(String, Vec<u8>)> {
    q931_messages()
        .into_iter()
        .map(|(name, payload)| {
            let msg = roomgate_h323::q931::Message::decode(&payload).unwrap();
            let uu = msg
                .user_user()
                .unwrap_or_else(|| panic!("{name}: no user-user"));
            (name, uu.data.clone())
        })
        .collect()
}
