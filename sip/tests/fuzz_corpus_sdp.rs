#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Replays the checked-in SDP fuzz seeds (`fuzz/corpus/sdp/`) through the entry point the
//! `sdp` cargo-fuzz target calls.

use std::path::{Path, PathBuf};

#[test]
fn sdp_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/sdp");
    if !dir.is_dir() {
        return;
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} has no seeds", dir.display());
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        if std::panic::catch_unwind(|| roomgate_sip::sdp::fuzz_parse(&bytes)).is_err() {
            panic!("sdp seed {} broke an invariant", path.display());
        }
    }
}
