//! tshark as an independent oracle for the RAS encoder: every typed RasMessage alternative
//! (the hand-built samples of `roomgate_h323::ras::samples`, with H.460 feature sets,
//! alternate gatekeepers, a gateway endpoint type and every TransportAddress form) is sent
//! as a UDP datagram to port 1719 in a pcap. Each frame must be dissected as H.225.0 RAS with
//! the right `h225.RasMessage` alternative and requestSeqNum, the H.460 supported features
//! (GRQ, RRQ, RCF, ARQ, ACF, GCF) and alternate gatekeepers (GCF, RCF) we wrote, and with no
//! malformed or error-level expert field. A final truncated RRQ must be flagged, so an oracle that flags
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

use roomgate_h323::per::PerError;
use roomgate_h323::ras::{samples, AltGKInfo, AlternateGK, FeatureSet, RasMessage};

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

const FIELDS: [&str; 8] = [
    "frame.number",
    "frame.protocols",
    "h225.RasMessage",
    "h225.requestSeqNum",
    "_ws.malformed",
    "_ws.expert.severity",
    "h225.supportedFeatures",
    "h225.alternateGatekeeper",
];

/// The number of H.460 supported features and of alternate gatekeepers (in an RCF or GCF
/// list, or a reject's AltGKInfo) the message carries in its extension additions, read back
/// with our accessors (0 when absent).
fn features_and_alternates(msg: &RasMessage) -> (usize, usize) {
    fn features(fs: Option<Result<FeatureSet, PerError>>) -> usize {
        fs.map_or(0, |f| f.unwrap().supported_features.map_or(0, |s| s.len()))
    }
    fn alternates(gk: Option<Result<Vec<AlternateGK>, PerError>>) -> usize {
        gk.map_or(0, |g| g.unwrap().len())
    }
    fn alt_info(info: Option<Result<AltGKInfo, PerError>>) -> usize {
        info.map_or(0, |i| i.unwrap().alternate_gatekeeper.len())
    }
    use RasMessage as M;
    match msg {
        M::GatekeeperRequest(m) => (features(m.feature_set()), 0),
        M::GatekeeperConfirm(m) => (
            features(m.feature_set()),
            alternates(m.alternate_gatekeeper()),
        ),
        M::GatekeeperReject(m) => (features(m.feature_set()), alt_info(m.alt_gk_info())),
        M::RegistrationRequest(m) => (features(m.feature_set()), 0),
        M::RegistrationConfirm(m) => (
            features(m.feature_set()),
            alternates(m.alternate_gatekeeper()),
        ),
        M::RegistrationReject(m) => (0, alt_info(m.alt_gk_info())),
        M::UnregistrationReject(m) => (0, alt_info(m.alt_gk_info())),
        M::AdmissionRequest(m) => (features(m.feature_set()), 0),
        M::AdmissionConfirm(m) => (features(m.feature_set()), 0),
        M::AdmissionReject(m) => (features(m.feature_set()), alt_info(m.alt_gk_info())),
        M::BandwidthReject(m) => (0, alt_info(m.alt_gk_info())),
        M::DisengageReject(m) => (0, alt_info(m.alt_gk_info())),
        M::LocationRequest(m) => (features(m.feature_set()), 0),
        M::LocationConfirm(m) => (features(m.feature_set()), 0),
        M::LocationReject(m) => (features(m.feature_set()), alt_info(m.alt_gk_info())),
        _ => (0, 0),
    }
}

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
        // H.460 feature sets and alternate gatekeepers, where we put them, are dissected
        // with as many items as we wrote (tshark prints a SEQUENCE OF as its item count).
        let (features, alternates) = features_and_alternates(msg);
        let items = |s: &str| {
            s.split(',')
                .next()
                .unwrap_or("")
                .parse::<usize>()
                .unwrap_or(0)
        };
        assert_eq!(items(f[6]), features, "supportedFeatures: {what}");
        assert_eq!(items(f[7]), alternates, "alternateGatekeeper: {what}");
        if *name == "rrq" || *name == "gcf" || *name == "rcf" {
            assert!(
                features + alternates > 0,
                "sample lost its H.460/alternates: {what}"
            );
        }
        assert_eq!(f[4], "", "malformed: {what}");
        // Expert severities: 0x00800000 is an error; warnings, notes and chats are harmless.
        for sev in f[5].split(',').filter(|s| !s.is_empty()) {
            let sev: u32 = sev.parse().unwrap_or(u32::MAX);
            assert!(sev < 0x0080_0000, "expert error in {what}");
        }
    }
}
