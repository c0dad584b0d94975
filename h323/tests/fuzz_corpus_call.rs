//! Replays the `h323_call` fuzz seeds (`fuzz/corpus/h323_call/`) through the entry point the
//! cargo-fuzz target calls: no seed may break an invariant, and the named seeds must reach
//! the end they are named for, so the corpus keeps covering the machine's paths.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;

use roomgate_h323::call::fuzzing::{h323_call, CallRun};

fn seed(name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus/h323_call")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn every_seed_runs_and_reaches_its_end() {
    // (seed, connected, released)
    let expect = [
        ("answer-faststart-connect-release", true, true),
        ("dial-connect-h245-release", true, true),
        ("dial-t303-expires", false, true),
        ("answer-garbage-first", false, true),
        ("answer-flipped-setup", false, true),
        ("answer-no-tunnelling", true, true),
        ("dial-connection-lost", false, true),
        ("answer-setup-wait-expires", false, true),
        ("dial-alerting-then-t301", false, true),
    ];
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/h323_call");
    let on_disk = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(on_disk, expect.len(), "every seed has an expectation");
    for (name, connected, released) in expect {
        let run: CallRun = h323_call(&seed(name));
        assert_eq!(
            (run.connected, run.released),
            (connected, released),
            "{name}: {run:?}"
        );
        assert!(
            run.packets > 0 || name.starts_with("answer-setup-wait"),
            "{name}: {run:?}"
        );
    }
}
