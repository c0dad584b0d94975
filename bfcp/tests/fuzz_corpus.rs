#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Replays the checked-in seeds of the `bfcp_codec` fuzz target (`fuzz/corpus/bfcp_codec/`)
//! through the entry point the cargo-fuzz target calls, so every seed is a regression test.
//! Seeds named `bad-*` are broken on purpose and must be refused; the others are real
//! messages (or one fragment) and must decode.

use std::path::{Path, PathBuf};

use roomgate_bfcp::{Fragment, Message};

#[test]
fn bfcp_codec_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/bfcp_codec");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(files.len() >= 10, "{} has too few seeds", dir.display());
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        if std::panic::catch_unwind(|| roomgate_bfcp::fuzzing::bfcp_codec(&bytes)).is_err() {
            panic!("bfcp_codec seed {} broke an invariant", path.display());
        }
        let name = path.file_name().unwrap().to_string_lossy();
        let decodes = Message::decode(&bytes).is_ok() || Fragment::decode(&bytes).is_ok();
        assert_eq!(decodes, !name.starts_with("bad-"), "seed {name}");
    }
}
