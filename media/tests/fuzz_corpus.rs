//! Replays the checked-in fuzz seed corpora of the media targets (`fuzz/corpus/<target>/`)
//! through the entry points the cargo-fuzz targets call, so every seed is a regression test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;

fn replay(target: &str, entry: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} has no seeds", dir.display());
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        if std::panic::catch_unwind(|| entry(&bytes)).is_err() {
            panic!("{target} seed {} panicked", path.display());
        }
    }
}

#[test]
fn rtp_rtcp_corpus() {
    replay("rtp_rtcp", roomgate_media::rtp::fuzz_rtp_rtcp);
}

#[test]
fn srtp_corpus() {
    replay("srtp", roomgate_media::srtp::fuzz_srtp);
}

#[test]
fn dtmf_corpus() {
    replay("dtmf", roomgate_media::dtmf::fuzz_dtmf);
}

#[test]
fn h264_depacketizer_corpus() {
    replay(
        "h264_depacketizer",
        roomgate_media::h264::fuzz_h264_depacketizer,
    );
}

#[test]
fn relay_corpus() {
    replay("relay", roomgate_media::relay::fuzz_relay);
}

#[test]
fn transcode_corpus() {
    replay("transcode", roomgate_media::codec::fuzz_transcode);
}
