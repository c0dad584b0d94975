//! Replays the `h323_gatekeeper` fuzz seeds (`fuzz/corpus/h323_gatekeeper/`) through the
//! entry point the cargo-fuzz target calls: no seed may break an invariant, and each named
//! seed must reach what it is named for, so the corpus keeps covering the client's paths.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;

use roomgate_h323::gatekeeper::fuzzing::{h323_gatekeeper, GkRun};

#[test]
fn every_seed_runs_and_reaches_its_end() {
    // (seed, registered, admitted, unregistered)
    let expect = [
        ("register-admit-disengage-unregister", true, 1, true),
        ("register-keep-alive", true, 0, false),
        ("grq-unanswered-retry", true, 0, false),
        ("register-admit-rejected", true, 0, false),
        ("register-arq-no-answer", true, 0, false),
        ("garbage-first", false, 0, false),
    ];
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/h323_gatekeeper");
    let on_disk = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(on_disk, expect.len(), "every seed has an expectation");
    for (name, registered, admitted, unregistered) in expect {
        let data = std::fs::read(dir.join(name)).unwrap();
        let run: GkRun = h323_gatekeeper(&data);
        assert_eq!(
            (run.registered, run.admitted, run.unregistered),
            (registered, admitted, unregistered),
            "{name}: {run:?}"
        );
        assert!(run.sent > 0, "{name}: {run:?}");
    }
}
