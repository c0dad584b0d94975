#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Replays the checked-in seeds of the `h323_tpkt`, `h323_q931`, `h323_ras`, `h323_h225` and
//! `h245_session` fuzz targets
//! (`fuzz/corpus/<target>/`) through the entry points the cargo-fuzz targets call, so every
//! seed is a regression test. Seeds named `bad-*` are broken on purpose and must be refused;
//! the others come from the captures and must equal what the capture reader extracts today
//! (`H323_WRITE_SEEDS=1` rewrites them from the captures). The `h245_session` seeds are
//! scripts of the session's scenarios, built by `h245::fuzzing::h245_session_seeds`.

mod common;

use std::path::{Path, PathBuf};

use roomgate_h323::h225::UserInformation;
use roomgate_h323::q931::Message;
use roomgate_h323::ras::RasMessage;
use roomgate_h323::tpkt::TpktDecoder;

fn corpus(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target)
}

/// Seeds derived from the captures: (file name, octets).
fn derived(target: &str) -> Vec<(String, Vec<u8>)> {
    match target {
        "h323_q931" => common::q931_messages(),
        "h323_ras" => common::ras_datagrams(),
        "h323_h225" => common::h225_vectors(),
        "h245_session" => roomgate_h323::h245::fuzzing::h245_session_seeds()
            .into_iter()
            .map(|(name, script)| (name.to_string(), script))
            .collect(),
        _ => common::tcp_streams()
            .into_iter()
            .enumerate()
            .map(|(i, (short, flow, stream))| {
                // The first octet picks the chunk sizes; vary it between seeds.
                let mut seed = vec![(i * 37) as u8];
                seed.extend_from_slice(&stream);
                (format!("{short}_{}_{}", flow.sport, flow.dport), seed)
            })
            .collect(),
    }
}

fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = corpus(target);
    if std::env::var_os("H323_WRITE_SEEDS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for (name, bytes) in derived(target) {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(files.len() >= 8, "{} has too few seeds", dir.display());
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect()
}

fn replay(target: &str, entry: fn(&[u8]), valid: fn(&[u8]) -> bool) {
    let seeds = seeds(target);
    for (name, bytes) in &seeds {
        if std::panic::catch_unwind(|| entry(bytes)).is_err() {
            panic!("{target} seed {name} broke an invariant");
        }
        assert_eq!(
            valid(bytes),
            !name.starts_with("bad-"),
            "{target} seed {name}"
        );
    }
    for (name, bytes) in derived(target) {
        let seed = seeds.iter().find(|(n, _)| *n == name);
        let seed = seed.unwrap_or_else(|| panic!("{target}: no seed {name}"));
        assert_eq!(
            seed.1, bytes,
            "{target} seed {name} differs from the capture"
        );
    }
}

#[test]
fn h323_q931_corpus() {
    replay("h323_q931", roomgate_h323::fuzzing::h323_q931, |b| {
        Message::decode(b).is_ok()
    });
}

#[test]
fn h323_tpkt_corpus() {
    replay("h323_tpkt", roomgate_h323::fuzzing::h323_tpkt, |b| {
        let mut dec = TpktDecoder::default();
        dec.push(&b[1..]);
        loop {
            match dec.next_payload() {
                Ok(Some(_)) => {}
                Ok(None) => return dec.buffered() == 0,
                Err(_) => return false,
            }
        }
    });
}

#[test]
fn h323_ras_corpus() {
    replay("h323_ras", roomgate_h323::fuzzing::h323_ras, |b| {
        RasMessage::decode(b).is_ok()
    });
}

#[test]
fn h323_h225_corpus() {
    replay("h323_h225", roomgate_h323::fuzzing::h323_h225, |b| {
        UserInformation::decode(b).is_ok()
    });
}

#[test]
fn h245_session_corpus() {
    // Every script is a valid input: there are no bad seeds.
    replay(
        "h245_session",
        roomgate_h323::h245::fuzzing::h245_session,
        |_| true,
    );
}
