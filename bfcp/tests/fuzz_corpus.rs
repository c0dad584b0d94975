#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Replays the checked-in seeds of the BFCP fuzz targets (`fuzz/corpus/bfcp_*/`) through the
//! entry points the cargo-fuzz targets call, so every seed is a regression test. For the
//! codec and the stream framer, seeds named `bad-*` are broken on purpose and must be
//! refused; the others must decode (or frame).

use std::path::{Path, PathBuf};

use roomgate_bfcp::{Fragment, Message, StreamFramer};

fn seeds(target: &str, min: usize) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(files.len() >= min, "{} has too few seeds", dir.display());
    files
}

fn replay(target: &str, min: usize, run: fn(&[u8])) -> Vec<(String, Vec<u8>)> {
    seeds(target, min)
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).unwrap();
            if std::panic::catch_unwind(|| run(&bytes)).is_err() {
                panic!("{target} seed {} broke an invariant", path.display());
            }
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, bytes)
        })
        .collect()
}

#[test]
fn bfcp_stream_corpus() {
    for (name, bytes) in replay("bfcp_stream", 5, roomgate_bfcp::fuzzing::bfcp_stream) {
        let mut f = StreamFramer::new();
        let mut frames = 0;
        let mut failed = f.push(&bytes[1..]).is_err();
        while !failed {
            match f.next_frame() {
                Ok(Some(_)) => frames += 1,
                Ok(None) => break,
                Err(_) => failed = true,
            }
        }
        assert_eq!(failed, name.starts_with("bad-"), "seed {name}");
        assert!(frames >= 1, "seed {name} frames nothing");
    }
}

#[test]
fn bfcp_server_corpus() {
    for (name, bytes) in replay("bfcp_server", 6, roomgate_bfcp::fuzzing::bfcp_server) {
        let stats = roomgate_bfcp::fuzzing::bfcp_server_udp_stats(&bytes);
        assert_eq!(stats.is_some(), name.starts_with("udp-"), "seed {name}");
    }
    // The UDP seeds reach what only UDP has.
    let stats =
        |name| roomgate_bfcp::fuzzing::bfcp_server_udp_stats(&seed("bfcp_server", name)).unwrap();
    let s = stats("udp-retransmit-cache-acks-fragments");
    assert!(s.retransmissions > 0, "{s:?}");
    assert!(s.replayed > 0, "{s:?}");
    assert!(s.unanswered > 0, "{s:?}");
    let s = stats("udp-small-mtu-many-notifications");
    assert!(s.replayed > 0 && s.dropped_fragments > 0, "{s:?}");
}

#[test]
fn bfcp_participant_corpus() {
    for (name, bytes) in replay(
        "bfcp_participant",
        4,
        roomgate_bfcp::fuzzing::bfcp_participant,
    ) {
        let stats = roomgate_bfcp::fuzzing::bfcp_participant_udp_stats(&bytes);
        assert_eq!(stats.is_some(), name.starts_with("udp-"), "seed {name}");
    }
    let s = roomgate_bfcp::fuzzing::bfcp_participant_udp_stats(&seed(
        "bfcp_participant",
        "udp-acks-retransmissions-fragments",
    ))
    .unwrap();
    assert!(s.replayed > 0, "{s:?}");
    assert!(s.retransmissions > 0 && s.unanswered > 0, "{s:?}");
}

#[test]
fn bfcp_reassembly_corpus() {
    for (name, bytes) in replay(
        "bfcp_reassembly",
        3,
        roomgate_bfcp::fuzzing::bfcp_reassembly,
    ) {
        let (completed, dropped) = roomgate_bfcp::fuzzing::bfcp_reassembly_counts(&bytes);
        assert!(completed > 0, "seed {name} completes nothing");
        if name.starts_with("overlaps") || name.starts_with("flood") {
            assert!(dropped > 0, "seed {name} drops nothing");
        }
    }
}

fn seed(target: &str, name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target)
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn bfcp_codec_corpus() {
    for path in seeds("bfcp_codec", 10) {
        let bytes = std::fs::read(&path).unwrap();
        if std::panic::catch_unwind(|| roomgate_bfcp::fuzzing::bfcp_codec(&bytes)).is_err() {
            panic!("bfcp_codec seed {} broke an invariant", path.display());
        }
        let name = path.file_name().unwrap().to_string_lossy();
        let decodes = Message::decode(&bytes).is_ok() || Fragment::decode(&bytes).is_ok();
        assert_eq!(decodes, !name.starts_with("bad-"), "seed {name}");
    }
}
