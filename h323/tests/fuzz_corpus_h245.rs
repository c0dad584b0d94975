#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Replays the checked-in seeds of the `h323_h245` fuzz target (`fuzz/corpus/h323_h245/`)
//! through the entry point the cargo-fuzz target calls, so every seed is a regression test.
//! Seeds named `bad-*` are broken on purpose and must be refused by both decoders; the
//! others are the H.245 PDUs of the captures (named like their `vectors/h245/` file) and
//! one encoding of every hand-built sample (`sample_<name>`, `sample_fs_<name>` for the
//! fastStart ones), and must equal what the captures and the samples give today
//! (`H323_WRITE_SEEDS=1` rewrites them).

mod common;
mod h245_common;

use std::path::{Path, PathBuf};

use roomgate_h323::h245::{samples, MultimediaSystemControlMessage, OpenLogicalChannel};

const TARGET: &str = "h323_h245";

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(TARGET)
}

fn derived() -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = h245_common::extracted()
        .into_iter()
        .map(|(name, _, bytes)| (name, bytes))
        .collect();
    for (name, msg) in samples::all().unwrap() {
        out.push((format!("sample_{name}"), msg.encode().unwrap()));
    }
    for (name, bytes) in samples::fast_start().unwrap() {
        out.push((format!("sample_fs_{name}"), bytes));
    }
    out
}

fn valid(bytes: &[u8]) -> bool {
    MultimediaSystemControlMessage::decode(bytes).is_ok()
        || OpenLogicalChannel::decode(bytes).is_ok()
}

#[test]
fn h323_h245_corpus() {
    let dir = corpus();
    if std::env::var_os("H323_WRITE_SEEDS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for (name, bytes) in derived() {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(files.len() >= 40, "{} has too few seeds", dir.display());
    let seeds: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    assert!(
        seeds.iter().any(|(n, _)| n.starts_with("bad-")),
        "no bad seeds"
    );
    for (name, bytes) in &seeds {
        if std::panic::catch_unwind(|| roomgate_h323::h245::fuzzing::h323_h245(bytes)).is_err() {
            panic!("{TARGET} seed {name} broke an invariant");
        }
        assert_eq!(
            valid(bytes),
            !name.starts_with("bad-"),
            "{TARGET} seed {name}"
        );
    }
    for (name, bytes) in derived() {
        let seed = seeds.iter().find(|(n, _)| *n == name);
        let seed = seed.unwrap_or_else(|| panic!("{TARGET}: no seed {name}"));
        assert_eq!(seed.1, bytes, "{TARGET} seed {name} differs");
    }
}

/// A deterministic stand-in for a fuzzing run that CI can afford: every single-bit flip of
/// every derived seed, and every seed with each octet replaced by 0x00 and 0xff, goes
/// through the entry point, which panics if an invariant breaks. Some of the mutants must
/// still decode (the codec is not simply refusing everything unusual).
#[test]
fn every_bit_flip_of_every_seed_keeps_the_invariants() {
    let mut decoded = 0usize;
    let mut total = 0usize;
    for (name, seed) in derived() {
        let mut mutants = Vec::new();
        for bit in 0..seed.len() * 8 {
            let mut m = seed.clone();
            m[bit / 8] ^= 0x80 >> (bit % 8);
            mutants.push(m);
        }
        for i in 0..seed.len() {
            for v in [0x00, 0xff] {
                let mut m = seed.clone();
                m[i] = v;
                mutants.push(m);
            }
        }
        for m in mutants {
            total += 1;
            if std::panic::catch_unwind(|| roomgate_h323::h245::fuzzing::h323_h245(&m)).is_err() {
                panic!("a mutant of {name} broke an invariant: {m:02x?}");
            }
            decoded += usize::from(valid(&m));
        }
    }
    assert!(total > 20_000, "{total} mutants");
    assert!(
        decoded > total / 10,
        "only {decoded} of {total} mutants decode"
    );
}
