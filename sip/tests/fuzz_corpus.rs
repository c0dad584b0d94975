#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Replays the checked-in fuzz seed corpora (`fuzz/corpus/<target>/`) through the same entry
//! points the cargo-fuzz targets call, so every seed is an ordinary regression test.

use std::path::{Path, PathBuf};

/// Every file of `fuzz/corpus/<target>`, sorted, with its bytes.
fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} has no seeds", dir.display());
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, bytes)
        })
        .collect()
}

/// Runs `entry` on every seed, naming the seed that panicked.
fn replay(target: &str, entry: fn(&[u8])) {
    for (path, bytes) in corpus(target) {
        if std::panic::catch_unwind(|| entry(&bytes)).is_err() {
            panic!("{target} seed {} broke an invariant", path.display());
        }
    }
}

#[test]
fn sip_message_corpus() {
    replay("sip_message", roomgate_sip::fuzzing::sip_message);
}

#[test]
fn stream_framer_corpus() {
    replay("stream_framer", roomgate_sip::fuzzing::stream_framer);
}

/// Every SIP seed is also framed as a stream of back-to-back copies of itself.
#[test]
fn stream_framer_corpus_concatenated() {
    for (path, bytes) in corpus("stream_framer") {
        let doubled = [bytes.as_slice(), b"\r\n\r\n", bytes.as_slice()].concat();
        if std::panic::catch_unwind(|| roomgate_sip::fuzzing::stream_framer(&doubled)).is_err() {
            panic!("doubled seed {} broke an invariant", path.display());
        }
    }
}

#[test]
fn transactions_corpus() {
    replay(
        "transactions",
        roomgate_sip::transaction::fuzz::fuzz_transactions,
    );
}

#[test]
fn dialog_corpus() {
    replay("dialog", roomgate_sip::dialog::fuzz::fuzz_dialog);
}

#[test]
fn digest_corpus() {
    replay("digest", roomgate_sip::digest::fuzz_digest);
}
