//! Replays the `h323_endpoint` fuzz seeds (`fuzz/corpus/h323_endpoint/`) through the entry
//! point the cargo-fuzz target calls: no seed may break an invariant, and each named seed
//! must reach what it is named for, so the corpus keeps covering both H.245 transports.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;

use roomgate_h323::endpoint::fuzzing::{h323_endpoint, EndpointRun};

/// What a seed must reach.
type Reached = fn(&EndpointRun) -> bool;

#[test]
fn every_seed_runs_and_reaches_its_end() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/h323_endpoint");
    let run =
        |name: &str| -> EndpointRun { h323_endpoint(&std::fs::read(dir.join(name)).unwrap()) };
    let expect: [(&str, Reached); 6] = [
        ("faststart-tunnelled-call", |r| {
            r.connected && r.msd_done && r.user_input && r.released && !r.h245_up
        }),
        ("slow-start-separate-h245", |r| {
            r.connected && r.h245_up && r.msd_done && r.user_input && r.released
        }),
        ("damaged-packets-both-ways", |_| true),
        ("setup-unanswered-t303", |r| r.released && !r.connected),
        ("signalling-lost-while-alerting", |r| {
            r.released && !r.connected
        }),
        ("end-session-then-release", |r| r.connected && r.released),
    ];
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), expect.len());
    for (name, ok) in expect {
        let r = run(name);
        assert!(ok(&r), "{name}: {r:?}");
    }
}
