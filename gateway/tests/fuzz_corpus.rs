//! Replays the checked-in seeds of the gateway's fuzz target (`fuzz/corpus/negotiate/`)
//! through the entry point the cargo-fuzz target calls, so every seed is a regression test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;

#[test]
fn negotiate_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/negotiate");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(files.len() >= 4, "{} has too few seeds", dir.display());
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        if std::panic::catch_unwind(|| roomgate::call::negotiate::fuzz_negotiate(&bytes)).is_err() {
            panic!("negotiate seed {} panicked", path.display());
        }
    }
}
