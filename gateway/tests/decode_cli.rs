//! `roomgate decode` as a user runs it: every conformance file through the real binary, exit
//! status as the manifests say, the fault and the UAS status on stderr.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn conformance(dir: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../sip/tests/vectors")
        .join(dir)
}

fn roomgate(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_roomgate"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    pipe.write_all(stdin.unwrap_or_default()).unwrap();
    drop(pipe);
    child.wait_with_output().unwrap()
}

fn manifest(dir: &str) -> Vec<(String, bool)> {
    std::fs::read_to_string(conformance(dir).join("manifest.tsv"))
        .unwrap()
        .lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            (cols[0].to_owned(), cols[1] == "valid")
        })
        .collect()
}

#[test]
fn decode_agrees_with_the_rfc4475_manifest_on_every_file() {
    for (file, valid) in manifest("rfc4475") {
        let path = conformance("rfc4475").join(&file);
        let out = roomgate(&["decode", "--as", "sip", path.to_str().unwrap()], None);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.success(), valid, "{file}: {stderr}");
        assert!(!stderr.contains("panicked"), "{file}: {stderr}");
        if valid {
            let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert!(json["start_line"]["type"].is_string(), "{file}");
        } else {
            assert_eq!(out.status.code(), Some(1), "{file}");
            assert!(
                stderr.contains("UAS answers") || stderr.contains("dropped"),
                "{file}: {stderr}"
            );
        }
    }
}

#[test]
fn decode_agrees_with_the_rfc5118_manifest_on_every_wire_file() {
    for (file, valid) in manifest("rfc5118") {
        let path = conformance("rfc5118/wire-ersip").join(&file);
        let out = roomgate(&["decode", "--as", "sip", path.to_str().unwrap()], None);
        assert_eq!(
            out.status.success(),
            valid,
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn decode_reports_the_uas_status_and_application_refusals() {
    let out = roomgate(
        &[
            "decode",
            "--as",
            "sip",
            conformance("rfc4475").join("badvers.dat").to_str().unwrap(),
        ],
        None,
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("505"));
    let out = roomgate(
        &[
            "decode",
            "--as",
            "sip",
            conformance("rfc4475").join("bigcode.dat").to_str().unwrap(),
        ],
        None,
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("dropped"));
    let out = roomgate(
        &[
            "decode",
            "--as",
            "sip",
            conformance("rfc4475").join("unkscm.dat").to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["uas_would_refuse"]["status"], 416);
}

#[test]
fn decode_reads_stdin_and_decodes_sdp_bodies() {
    let bytes = std::fs::read(conformance("rfc4475").join("wsinv.dat")).unwrap();
    let out = roomgate(&["decode", "--as", "sip", "-"], Some(&bytes));
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["typed"]["max_forwards"], 68);
    assert_eq!(json["typed"]["via"].as_array().unwrap().len(), 3);
    assert!(json["body"]["sdp"].is_object(), "{}", json["body"]);

    let sdp = b"v=0\r\no=- 1 1 IN IP6 2001:db8::1\r\ns=-\r\nc=IN IP6 2001:db8::1\r\nt=0 0\r\nm=audio 5004 RTP/SAVP 0\r\na=crypto:1 AES_CM_256_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLQ==\r\n";
    let out = roomgate(&["decode", "--as", "sdp"], Some(sdp));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLQ"),
        "key material must not be printed"
    );
    let out = roomgate(&["decode", "--as", "sdp"], Some(b"v=1\r\nnonsense"));
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn decode_survives_hostile_input() {
    let mut junk = Vec::new();
    for i in 0..70_000u32 {
        junk.push((i.wrapping_mul(2_654_435_761) >> 24) as u8);
    }
    for format in ["sip", "sdp"] {
        for input in [&junk[..], b"", b"\r\n\r\n", &[0xff; 10]] {
            let out = roomgate(&["decode", "--as", format], Some(input));
            assert_eq!(out.status.code(), Some(1), "{format}");
            assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
        }
    }
}

fn bfcp_seed(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus/bfcp_codec")
        .join(name)
}

#[test]
fn decode_bfcp_prints_the_message_as_json() {
    let path = bfcp_seed("v1-floor-request");
    let out = roomgate(&["decode", "--as", "bfcp", path.to_str().unwrap()], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["bfcp"]["header"]["primitive"], "FloorRequest");
    assert_eq!(json["bfcp"]["header"]["version"], "V1");
    assert!(json["bfcp"]["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["value"].get("FloorId").is_some()));
    // The same from standard input; a fragment decodes as one.
    let bytes = std::fs::read(&path).unwrap();
    let out = roomgate(&["decode", "--as", "bfcp", "-"], Some(&bytes));
    assert!(out.status.success());
    let fragment = std::fs::read(bfcp_seed("v2-fragment")).unwrap();
    let out = roomgate(&["decode", "--as", "bfcp"], Some(&fragment));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json["bfcp_fragment"]["data"].is_array());
}

#[test]
fn decode_bfcp_refuses_garbage_with_the_fault_and_the_error_code() {
    // An unknown primitive: decodable header, so a server would answer Error 3.
    let garbage = [
        0x20, 99, 0, 1, 0, 0, 0, 1, 0, 7, 0, 2, 0xde, 0xad, 0xbe, 0xef,
    ];
    let out = roomgate(&["decode", "--as", "bfcp"], Some(&garbage));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(stderr.contains("unknown primitive 99"), "{stderr}");
    assert!(stderr.contains("answers Error 3"), "{stderr}");
    // Too short to have a header; and the seeds broken on purpose.
    let out = roomgate(&["decode", "--as", "bfcp"], Some(b"hello"));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("dropped"));
    for bad in ["bad-length-mismatch", "bad-unknown-mandatory"] {
        let path = bfcp_seed(bad);
        let out = roomgate(&["decode", "--as", "bfcp", path.to_str().unwrap()], None);
        assert_eq!(out.status.code(), Some(1), "{bad}");
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    }
    // Decodes but breaks the grammar: a FloorRequest naming no floor.
    let no_floor = [0x20, 1, 0, 0, 0, 0, 0, 1, 0, 7, 0, 2];
    let out = roomgate(&["decode", "--as", "bfcp"], Some(&no_floor));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Error 10"));
}
