//! tshark as an independent oracle for the H.245 encoder: every hand-built sample of
//! `roomgate_h323::h245::samples` (a full TerminalCapabilitySet with H.264, H.239 and
//! G.722.1 capabilities, OpenLogicalChannel over IPv4 and IPv6 with EncryptionSync, the H.239
//! generic messages, every small command and indication) is sent as one TPKT packet on a TCP
//! connection to port 12000, which tshark 4.0 is told to dissect with `-d tcp.port==12000,h245`
//! (that handle reads the TPKT framing itself: frames show `tcp:h245:h245`). Each frame must be
//! dissected as H.245 with the right message class and alternative, and with no malformed or
//! error-level expert field.
//! A final truncated TCS must be flagged, so an oracle that flags nothing cannot pass.
//!
//! tshark missing fails the test: CI installs it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::process::Command;

use common::tshark;
use roomgate_h323::h245::{
    samples, CommandMessage, IndicationMessage, MultimediaSystemControlMessage as Mscm,
    RequestMessage, ResponseMessage,
};

const H245_PORT: u16 = 12_000;
const CLIENT_PORT: u16 = 40_000;

/// Ethernet, IPv4 and TCP (PSH|ACK, checksum zero: tshark does not check it by default).
fn frame(payload: &[u8], seq: u32, id: u16) -> Vec<u8> {
    let mut f = tshark::ethernet_ipv4(6, 20 + payload.len(), id);
    f.extend_from_slice(&CLIENT_PORT.to_be_bytes());
    f.extend_from_slice(&H245_PORT.to_be_bytes());
    f.extend_from_slice(&seq.to_be_bytes());
    f.extend_from_slice(&1u32.to_be_bytes());
    f.extend_from_slice(&[0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0]);
    f.extend_from_slice(payload);
    f
}

const FIELDS: [&str; 9] = [
    "frame.number",
    "frame.protocols",
    "h245.pdu_type",
    "h245.request",
    "h245.response",
    "h245.command",
    "h245.indication",
    "_ws.malformed",
    "_ws.expert.severity",
];

/// (column of FIELDS, alternative number as Wireshark counts it: extension alternatives
/// follow the root ones).
fn expected(msg: &Mscm) -> (usize, usize) {
    match msg {
        Mscm::Request(m) => (
            3,
            match m {
                RequestMessage::MasterSlaveDetermination(_) => 1,
                RequestMessage::TerminalCapabilitySet(_) => 2,
                RequestMessage::OpenLogicalChannel(_) => 3,
                RequestMessage::CloseLogicalChannel(_) => 4,
                RequestMessage::RequestChannelClose(_) => 5,
                RequestMessage::RequestMode(_) => 8,
                RequestMessage::RoundTripDelayRequest(_) => 9,
                RequestMessage::GenericRequest(_) => 11 + 4,
                other => panic!("no sample expected: {other:?}"),
            },
        ),
        Mscm::Response(m) => (
            4,
            match m {
                ResponseMessage::MasterSlaveDeterminationAck(_) => 1,
                ResponseMessage::MasterSlaveDeterminationReject(_) => 2,
                ResponseMessage::TerminalCapabilitySetAck(_) => 3,
                ResponseMessage::TerminalCapabilitySetReject(_) => 4,
                ResponseMessage::OpenLogicalChannelAck(_) => 5,
                ResponseMessage::OpenLogicalChannelReject(_) => 6,
                ResponseMessage::CloseLogicalChannelAck(_) => 7,
                ResponseMessage::RequestChannelCloseAck(_) => 8,
                ResponseMessage::RequestChannelCloseReject(_) => 9,
                ResponseMessage::RequestModeAck(_) => 14,
                ResponseMessage::RequestModeReject(_) => 15,
                ResponseMessage::RoundTripDelayResponse(_) => 16,
                ResponseMessage::GenericResponse(_) => 19 + 5,
                other => panic!("no sample expected: {other:?}"),
            },
        ),
        Mscm::Command(m) => (
            5,
            match m {
                CommandMessage::SendTerminalCapabilitySet(_) => 2,
                CommandMessage::FlowControlCommand(_) => 4,
                CommandMessage::EndSessionCommand(_) => 5,
                CommandMessage::MiscellaneousCommand(_) => 6,
                CommandMessage::GenericCommand(_) => 7 + 5,
                other => panic!("no sample expected: {other:?}"),
            },
        ),
        Mscm::Indication(m) => (
            6,
            match m {
                IndicationMessage::FunctionNotUnderstood(_) => 1,
                IndicationMessage::MasterSlaveDeterminationRelease(_) => 2,
                IndicationMessage::TerminalCapabilitySetRelease(_) => 3,
                IndicationMessage::OpenLogicalChannelConfirm(_) => 4,
                IndicationMessage::RequestChannelCloseRelease(_) => 5,
                IndicationMessage::RequestModeRelease(_) => 8,
                IndicationMessage::UserInput(_) => 13,
                IndicationMessage::FunctionNotSupported(_) => 14 + 4,
                IndicationMessage::GenericIndication(_) => 14 + 9,
                other => panic!("no sample expected: {other:?}"),
            },
        ),
        Mscm::Unknown { .. } => panic!("no sample expected"),
    }
}

/// Runs tshark with the H.245 port decoded as H.245 and returns the FIELDS of every frame.
fn dissect(frames: &[Vec<u8>], extra: &[&str]) -> Vec<String> {
    let dir = std::env::temp_dir().join(format!("roomgate-h245-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("h245.pcap");
    std::fs::write(&file, tshark::pcap(frames)).unwrap();
    let mut cmd = Command::new("tshark");
    cmd.args(["-n", "-r"]).arg(&file);
    cmd.args(["-d", &format!("tcp.port=={H245_PORT},h245")]);
    cmd.args(extra);
    cmd.args(["-T", "fields", "-E", "separator=|", "-E", "occurrence=a"]);
    cmd.args(["-E", "aggregator=,"]);
    for f in FIELDS {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().expect("tshark runs (apt-get install tshark)");
    if std::env::var_os("H323_KEEP_PCAP").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(
        out.status.success(),
        "tshark failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let lines: Vec<String> = stdout.lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), frames.len(), "one line per frame:\n{stdout}");
    lines
}

#[test]
fn tshark_dissects_every_h245_message_we_send() {
    let Ok(version) = Command::new("tshark").arg("-v").output() else {
        panic!("tshark is not installed: the H.245 oracle test needs it (apt-get install tshark)");
    };
    assert!(version.status.success(), "tshark -v failed");

    let msgs = samples::all().unwrap();
    let mut frames = Vec::new();
    let mut seq = 1u32;
    for (i, (_, m)) in msgs.iter().enumerate() {
        let tpkt = roomgate_h323::tpkt::encode(&m.encode().unwrap()).unwrap();
        frames.push(frame(&tpkt, seq, i as u16));
        seq += tpkt.len() as u32;
    }
    // Control: the TCS cut in half, in a TPKT packet of its own (correct length).
    let tcs = msgs
        .iter()
        .find(|(n, _)| *n == "tcs")
        .unwrap()
        .1
        .encode()
        .unwrap();
    let cut = roomgate_h323::tpkt::encode(&tcs[..tcs.len() / 2]).unwrap();
    frames.push(frame(&cut, seq, 999));

    let lines = dissect(&frames, &[]);
    let control: Vec<&str> = lines.last().unwrap().split('|').collect();
    assert!(
        !control[7].is_empty() || control[8].split(',').any(|s| s == "8388608"),
        "control frame not flagged: {control:?}"
    );

    for (line, (name, msg)) in lines.iter().zip(&msgs) {
        let f: Vec<&str> = line.split('|').collect();
        assert_eq!(f.len(), FIELDS.len(), "{line}");
        let what = format!("frame {} ({name}): {line}", f[0]);
        assert!(
            f[1].contains(":tcp:h245:h245"),
            "not dissected as H.245: {what}"
        );
        let (column, alternative) = expected(msg);
        // A quoted PDU (FunctionNotSupported's returnedFunction) adds its own fields after ours.
        assert_eq!(
            f[2].split(',').next().unwrap(),
            (column - 3).to_string(),
            "message class: {what}"
        );
        assert_eq!(
            f[column].split(',').next().unwrap(),
            alternative.to_string(),
            "alternative: {what}"
        );
        assert_eq!(f[7], "", "malformed: {what}");
        for sev in f[8].split(',').filter(|s| !s.is_empty()) {
            let sev: u32 = sev.parse().unwrap_or(u32::MAX);
            assert!(sev < 0x0080_0000, "expert error in {what}");
        }
    }
}

/// Facts inside the messages, as tshark reads them: the H.264 and H.239 capability
/// identifiers and H.264 parameters by name, the H.239 message names, the addresses of the
/// channels.
#[test]
fn tshark_reads_the_generic_capabilities_and_h239_messages() {
    let msgs = samples::all().unwrap();
    let mut frames = Vec::new();
    let mut seq = 1u32;
    for (i, (_, m)) in msgs.iter().enumerate() {
        let tpkt = roomgate_h323::tpkt::encode(&m.encode().unwrap()).unwrap();
        frames.push(frame(&tpkt, seq, i as u16));
        seq += tpkt.len() as u32;
    }
    let dir = std::env::temp_dir().join(format!("roomgate-h245-v-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("h245.pcap");
    std::fs::write(&file, tshark::pcap(&frames)).unwrap();
    let out = Command::new("tshark")
        .args(["-n", "-r"])
        .arg(&file)
        .args(["-d", &format!("tcp.port=={H245_PORT},h245"), "-V"])
        .output()
        .expect("tshark runs");
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "0.0.8.241.0.0.1",
        "0.0.8.239.1.1",
        "0.0.8.239.1.2",
        "0.0.8.239.2",
        "g722-64k",
        "t38fax",
        "receiveRTPAudioTelephonyEventCapability",
        "videoFastUpdatePicture",
        "2001:db8::10",
        "192.0.2.10",
        "h235Key",
        "signalType: 5",
        "h2250Capability",
        // H.241 parameter numbers and values, as Wireshark names them.
        "0.0.8.241.0.0.1 (h264 generic-capabilities)",
        "standard: 41 - Profile",
        "Baseline Profile: True",
        "unsignedMin: 71 - Level 3.1",
        "standard: 3 - CustomMaxMBPS",
        "standard: 4 - CustomMaxFS",
        // H.239 capability identifiers and message numbers.
        "(h239ControlCapability)",
        "(h239ExtendedVideoCapability)",
        "subMessageIdentifier: presentationTokenRequest (3)",
        "subMessageIdentifier: presentationTokenResponse (4)",
        "subMessageIdentifier: presentationTokenRelease (5)",
        "subMessageIdentifier: presentationTokenIndicateOwner (6)",
        "subMessageIdentifier: flowControlReleaseRequest (1)",
        "subMessageIdentifier: flowControlReleaseResponse (2)",
        "rtcpVideoControlCapability: True",
    ] {
        assert!(text.contains(needle), "tshark -V does not show {needle}");
    }
}
