//! `roomgate decode --as tpkt|q931|h225|ras|h245` as a user runs it: the real binary on the
//! chan_ooh323 captures and PER vectors of `h323/tests/vectors` (every call signalling stream,
//! every Q.931 message, every H323-UserInformation, the RAS datagram, every hand-built RAS
//! sample and every H.245 PDU), then on corrupted copies, which must exit 1 naming the fault
//! and where it is.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../../h323/tests/common/capture.rs"]
#[allow(dead_code)]
mod capture;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

use roomgate_h323::h225::{MessageBody, UserInformation, UuPdu};
use roomgate_h323::h245::MultimediaSystemControlMessage;
use roomgate_h323::ras::Extensions;

fn vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../h323/tests/vectors")
}

fn roomgate(format: &str, file: Option<&PathBuf>, stdin: &[u8]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_roomgate"));
    cmd.args(["decode", "--as", format]);
    if let Some(f) = file {
        cmd.arg(f);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    pipe.write_all(stdin).unwrap();
    drop(pipe);
    child.wait_with_output().unwrap()
}

/// Decodes `input` from stdin, requires exit 0 and returns the JSON.
fn valid(format: &str, input: &[u8], what: &str) -> Value {
    let out = roomgate(format, None, input);
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Decodes `input` from stdin, requires exit 1 and returns stderr.
fn invalid(format: &str, input: &[u8], what: &str) -> String {
    let out = roomgate(format, None, input);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{what}: {stderr}");
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    assert!(out.stdout.is_empty(), "{what}: no JSON for a fault");
    stderr
}

/// The call signalling streams (port 1721) of both call captures.
fn signalling_streams() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for file in [
        "ooh323-faststart-tunnel-dtmf.pcapng",
        "ooh323-slowstart-separate-h245.pcapng",
    ] {
        let bytes = std::fs::read(vectors().join("captures").join(file)).unwrap();
        for (flow, stream) in capture::read(&bytes).tcp {
            if flow.sport == 1721 || flow.dport == 1721 {
                out.push((format!("{file} {}->{}", flow.sport, flow.dport), stream));
            }
        }
    }
    assert!(out.len() >= 4, "captures hold four signalling directions");
    out
}

/// TPKT payloads split by hand (version, reserved, 16-bit length), not by the crate's decoder.
fn split_tpkt(mut stream: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while !stream.is_empty() {
        let len = usize::from(u16::from_be_bytes([stream[2], stream[3]]));
        out.push(stream[4..len].to_vec());
        stream = &stream[len..];
    }
    out
}

/// The body a Q.931 message type carries in these captures (Facility may carry `empty`).
fn bodies_for(mt: u8) -> &'static [&'static str] {
    match mt {
        0x05 => &["setup"],
        0x02 => &["call_proceeding"],
        0x01 => &["alerting"],
        0x07 => &["connect"],
        0x5a => &["release_complete"],
        0x03 => &["progress"],
        0x62 => &["facility", "empty"],
        _ => panic!("message type {mt:#04x} not in the captures"),
    }
}

fn check_user_information(ui: &Value, mt: u8, what: &str) {
    let body = ui["message"].as_str().unwrap();
    assert!(bodies_for(mt).contains(&body), "{what}: body {body}");
    if body != "empty" {
        assert_eq!(ui["q931_message_type"], u64::from(mt), "{what}");
    }
    assert!(ui["h225"]["h323_uu_pdu"]["h323_message_body"].is_object() || body == "empty");
}

#[test]
fn every_signalling_stream_decodes_as_tpkt_with_each_packet_as_q931_and_h225() {
    let mut setups_with_fast_start = 0;
    for (name, stream) in signalling_streams() {
        let json = valid("tpkt", &stream, &name);
        let payloads = split_tpkt(&stream);
        let packets = json["tpkt"].as_array().unwrap();
        assert_eq!(packets.len(), payloads.len(), "{name}");
        let mut offset = 0;
        for (i, (p, payload)) in packets.iter().zip(&payloads).enumerate() {
            let what = format!("{name} packet {i}");
            assert_eq!(p["offset"], offset, "{what}");
            offset += payload.len() + 4;
            let mt = payload[2 + usize::from(payload[1])];
            assert_eq!(p["q931"]["message_type_code"], u64::from(mt), "{what}");
            let uu: Vec<&Value> = p["q931"]["elements"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["ie"] == "user_user")
                .collect();
            assert_eq!(uu.len(), 1, "{what}");
            let ui = &uu[0]["h323_user_information"];
            check_user_information(ui, mt, &what);
            if mt == 0x05
                && ui["typed"]["fast_start"]
                    .as_array()
                    .is_some_and(|f| !f.is_empty())
            {
                setups_with_fast_start += 1;
                assert_eq!(ui["typed"]["h245_tunneling"], true, "{what}");
            }
        }
    }
    // The fastStart capture holds two calls, each opened by a Setup with fastStart.
    assert_eq!(setups_with_fast_start, 2);
}

#[test]
fn every_q931_message_decodes_with_its_user_user_element() {
    let mut count = 0;
    for (name, stream) in signalling_streams() {
        for (i, payload) in split_tpkt(&stream).into_iter().enumerate() {
            let what = format!("{name} message {i}");
            let json = valid("q931", &payload, &what);
            let mt = payload[2 + usize::from(payload[1])];
            assert_eq!(json["message_type_code"], u64::from(mt), "{what}");
            assert!(json["call_reference"]["value"].is_u64(), "{what}: {json}");
            let ui = json["elements"]
                .as_array()
                .unwrap()
                .iter()
                .find_map(|e| e.get("h323_user_information"))
                .unwrap_or_else(|| panic!("{what}: user-user not decoded"));
            check_user_information(ui, mt, &what);
            count += 1;
        }
    }
    assert_eq!(count, 43, "the captures hold 43 Q.931 messages");
}

#[test]
fn every_h225_vector_decodes_from_its_file() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(vectors().join("per"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("h225cs_")
        })
        .collect();
    files.sort();
    assert_eq!(files.len(), 43);
    for path in files {
        let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let mt = u8::from_str_radix(&name[name.len() - 2..], 16).unwrap();
        let out = roomgate("h225", Some(&path), b"");
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        check_user_information(&json, mt, &name);
    }
    let setup = std::fs::read(vectors().join("per/h225cs_fs_12030_1721_00_mt05.per")).unwrap();
    let json = valid("h225", &setup, "fastStart Setup");
    let fast_start = json["typed"]["fast_start"].as_array().unwrap();
    assert!(!fast_start.is_empty());
    // Each proposal is an H.245 OpenLogicalChannel: its octets, and their decode.
    assert_eq!(fast_start.len(), 4, "four proposals in the capture's Setup");
    for proposal in fast_start {
        assert!(proposal["octets"].as_str().unwrap().len() > 10);
        let olc = &proposal["decoded"];
        assert!(olc["forward_logical_channel_number"].is_u64(), "{olc}");
        assert!(olc["forward_logical_channel_parameters"]["data_type"].is_object());
    }
    assert_eq!(json["typed"]["call_identifier"].as_str().unwrap().len(), 32);
    assert!(json["h225"]["h323_uu_pdu"]["h323_message_body"]["setup"]["source_info"].is_object());
}

#[test]
fn ras_datagrams_decode_with_feature_sets_and_alternate_gatekeepers() {
    let grq = std::fs::read(vectors().join("per/ras_1.per")).unwrap();
    let json = valid("ras", &grq, "capture GRQ");
    assert_eq!(json["message"], "gatekeeper_request");
    assert!(json["request_seq_num"].is_u64());

    let samples = roomgate_h323::ras::samples::all().unwrap();
    assert!(samples.len() >= 25);
    for (name, msg) in &samples {
        let json = valid("ras", &msg.encode().unwrap(), name);
        assert_eq!(
            json["request_seq_num"],
            serde_json::to_value(msg.request_seq_num()).unwrap(),
            "{name}"
        );
        assert!(json["ras"].is_object(), "{name}");
        match *name {
            "rrq" | "grq" | "arq" => {
                let features = &json["typed"]["feature_set"];
                assert!(features["supported_features"].is_array(), "{name}: {json}");
            }
            "rcf" | "gcf" => {
                let alternates = json["typed"]["alternate_gatekeeper"].as_array();
                assert_eq!(alternates.map(Vec::len), Some(1), "{name}: {json}");
            }
            _ => {}
        }
    }
    let rrq = samples.iter().find(|(n, _)| *n == "rrq").unwrap();
    assert_eq!(
        valid("ras", &rrq.1.encode().unwrap(), "rrq")["message"],
        "registration_request"
    );
}

#[test]
fn corrupted_input_exits_1_naming_the_fault() {
    let setup = std::fs::read(vectors().join("per/h225cs_fs_12030_1721_00_mt05.per")).unwrap();

    // H.225.0 cut short: a truncation with its bit offset.
    let err = invalid("h225", &setup[..setup.len() / 2], "half a Setup");
    assert!(
        err.contains("invalid H.225.0 H323-UserInformation"),
        "{err}"
    );
    assert!(
        err.contains("truncated") && err.contains(" at bit "),
        "{err}"
    );
    // Trailing octets are refused too (the value would not re-encode to its input).
    let mut longer = setup.clone();
    longer.extend_from_slice(&[0, 0]);
    let err = invalid("h225", &longer, "Setup with trailing octets");
    assert!(err.contains("octets after the end"), "{err}");

    // An extension addition that does not decode as its type (h245Tunneling with a
    // trailing octet) fails the PDU, naming the addition.
    let ui = UserInformation {
        h323_uu_pdu: UuPdu {
            h323_message_body: MessageBody::Empty,
            non_standard_data: None,
            extensions: Extensions(Some(vec![None, Some(vec![0x80, 0x00])])),
        },
        user_data: None,
        extensions: Extensions::default(),
    };
    let err = invalid("h225", &ui.encode().unwrap(), "bad h245Tunneling");
    assert!(err.contains("extension addition h245_tunneling"), "{err}");

    // Q.931: wrong protocol discriminator, then a good header whose user-user is broken.
    let stream = &signalling_streams()[0].1;
    let payload = split_tpkt(stream).remove(0);
    let mut bad = payload.clone();
    bad[0] = 0x09;
    let err = invalid("q931", &bad, "protocol discriminator");
    assert!(err.contains("protocol discriminator 0x09"), "{err}");
    let mut cut = payload.clone();
    cut.truncate(payload.len() - 3);
    let err = invalid("q931", &cut, "truncated Q.931");
    assert!(err.contains("truncated") && err.contains("offset"), "{err}");
    // The user-user element is last: flip its PER bits (keeping the lengths) until it fails.
    let mut broken = payload.clone();
    let at = broken.len() - 20;
    broken[at..].fill(0xff);
    let err = invalid("q931", &broken, "user-user");
    assert!(
        err.contains("user-user element") && err.contains(" at bit "),
        "{err}"
    );

    // TPKT: wrong version, a stream cut inside its last packet, a Q.931 fault inside packet 2.
    let mut bad = stream.clone();
    bad[0] = 2;
    let err = invalid("tpkt", &bad, "TPKT version");
    assert!(err.contains("TPKT version 2 at stream offset 0"), "{err}");
    let err = invalid("tpkt", &stream[..stream.len() - 1], "cut stream");
    assert!(err.contains("ends inside a packet"), "{err}");
    let payloads = split_tpkt(stream);
    let second = 4 + payloads[0].len();
    let mut bad = stream.clone();
    bad[second + 4] = 0x09;
    let err = invalid("tpkt", &bad, "packet 1");
    assert!(
        err.contains(&format!("TPKT packet 1 at stream offset {second}"))
            && err.contains("protocol discriminator"),
        "{err}"
    );
    let err = invalid("tpkt", b"", "empty stream");
    assert!(err.contains("no TPKT packet"), "{err}");

    // RAS cut short.
    let grq = std::fs::read(vectors().join("per/ras_1.per")).unwrap();
    let err = invalid("ras", &grq[..grq.len() - 4], "truncated GRQ");
    assert!(
        err.contains("invalid H.225.0 RAS message") && err.contains(" at bit "),
        "{err}"
    );
}

/// The H.245 vectors whose file name starts with `prefix`, sorted by name.
fn h245_vectors(prefix: &str) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(vectors().join("h245"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_str().unwrap().starts_with(prefix))
        .map(|p| {
            let name = p.file_stem().unwrap().to_str().unwrap().to_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_h245_pdu_decodes_naming_its_message() {
    // The slow-start call's separate H.245 connection: each direction sends, in this order
    // (tshark agrees, see h323/tests/vectors/h245/SOURCE.md), these seven PDUs.
    let order = [
        ("request", "terminal_capability_set"),
        ("response", "terminal_capability_set_ack"),
        ("request", "master_slave_determination"),
        ("response", "master_slave_determination_ack"),
        ("request", "open_logical_channel"),
        ("response", "open_logical_channel_ack"),
        ("command", "end_session_command"),
    ];
    let separate = h245_vectors("h245_ss_");
    assert_eq!(separate.len(), 14);
    for (name, octets) in &separate {
        let nn: usize = name[name.len() - 2..].parse().unwrap();
        let (class, message) = order[nn];
        // From a file, as a user passes it.
        let path = vectors().join("h245").join(format!("{name}.per"));
        let out = roomgate("h245", Some(&path), b"");
        assert!(out.status.success(), "{name}");
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json["class"], class, "{name}");
        assert_eq!(json["message"], message, "{name}");
        let tree = serde_json::to_value(MultimediaSystemControlMessage::decode(octets).unwrap());
        assert_eq!(json["h245"], tree.unwrap(), "{name}");
    }
    let olc = valid("h245", &separate[4].1, "OLC");
    let olc = &olc["h245"]["request"]["open_logical_channel"];
    assert_eq!(olc["forward_logical_channel_number"], 1001, "{olc}");
    let tcs = valid("h245", &separate[0].1, "TCS");
    let tcs = &tcs["h245"]["request"]["terminal_capability_set"];
    assert!(
        !tcs["capability_table"].as_array().unwrap().is_empty(),
        "{tcs}"
    );

    // Tunnelled in the fastStart call: per call TCS, MSD and their acks each way, and nine
    // DTMF UserInputIndications.
    let mut counts = std::collections::BTreeMap::new();
    for (name, octets) in h245_vectors("tun_") {
        let json = valid("h245", &octets, &name);
        *counts
            .entry(json["message"].as_str().unwrap().to_owned())
            .or_insert(0) += 1;
    }
    let counts: Vec<(&str, i32)> = counts.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        counts,
        [
            ("master_slave_determination", 4),
            ("master_slave_determination_ack", 4),
            ("terminal_capability_set", 4),
            ("terminal_capability_set_ack", 4),
            ("user_input", 9),
        ]
    );
}

#[test]
fn h225_with_tunnelled_h245_shows_it_decoded() {
    let mut found = 0;
    for (name, stream) in signalling_streams() {
        for (i, payload) in split_tpkt(&stream).into_iter().enumerate() {
            let json = valid("q931", &payload, &format!("{name} message {i}"));
            let Some(ui) = json["elements"]
                .as_array()
                .unwrap()
                .iter()
                .find_map(|e| e.get("h323_user_information"))
            else {
                continue;
            };
            for pdu in ui["typed"]["h245_control"].as_array().into_iter().flatten() {
                assert!(pdu["octets"].is_string());
                assert!(pdu["decoded"]["message"].is_string(), "{pdu}");
                found += 1;
            }
        }
    }
    // The 25 tunnelled PDUs of h323/tests/vectors/h245/tun_* are all there is.
    assert_eq!(found, h245_vectors("tun_").len());
}

#[test]
fn broken_h245_exits_1_naming_the_fault() {
    let tcs = std::fs::read(vectors().join("h245/h245_ss_12030_12033_00.per")).unwrap();
    let err = invalid("h245", &tcs[..tcs.len() / 2], "half a TCS");
    assert!(
        err.contains("invalid H.245 MultimediaSystemControlMessage")
            && err.contains("truncated")
            && err.contains(" at bit "),
        "{err}"
    );
    let mut longer = tcs.clone();
    longer.push(0);
    let err = invalid("h245", &longer, "TCS with a trailing octet");
    assert!(err.contains("octets after the end"), "{err}");
    let err = invalid("h245", b"", "empty");
    assert!(err.contains("truncated"), "{err}");

    // A fastStart proposal that is not an OpenLogicalChannel fails the H.225.0 message,
    // naming the list and the element.
    let setup = std::fs::read(vectors().join("per/h225cs_fs_12030_1721_00_mt05.per")).unwrap();
    let mut ui = UserInformation::decode(&setup).unwrap();
    let MessageBody::Setup(s) = &mut ui.h323_uu_pdu.h323_message_body else {
        panic!("a Setup");
    };
    let mut proposals = s.fast_start().unwrap().unwrap();
    proposals[1].truncate(3);
    s.set_fast_start(Some(&proposals)).unwrap();
    let err = invalid("h225", &ui.encode().unwrap(), "cut fastStart proposal");
    assert!(
        err.contains("invalid H.245 in fast_start element 1") && err.contains("truncated"),
        "{err}"
    );
}

#[test]
fn hostile_input_is_a_fault_not_a_crash() {
    let mut junk = Vec::new();
    for i in 0..70_000u32 {
        junk.push((i.wrapping_mul(2_654_435_761) >> 24) as u8);
    }
    for format in ["tpkt", "q931", "h225", "ras", "h245"] {
        for input in [&junk[..], &junk[..1]] {
            invalid(format, input, format);
        }
    }
    // A TPKT header claiming 65535 octets: over the framer's limit, refused at once.
    let err = invalid("tpkt", &[0x03, 0, 0xff, 0xff], "huge TPKT");
    assert!(err.contains("exceeds the limit"), "{err}");
}

/// `roomgate decode … | head`: a reader that goes away is not a crash (it was: println!
/// panicked on the broken pipe).
#[test]
fn a_closed_output_pipe_is_not_a_panic() {
    let file = vectors().join("h245/h245_ss_12030_12033_00.per");
    for _ in 0..5 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_roomgate"))
            .args(["decode", "--as", "h245"])
            .arg(&file)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Close our end before the child writes.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_ne!(out.status.code(), Some(101), "{stderr}");
    }
}
