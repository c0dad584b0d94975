#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Replays the checked-in seeds of the `call_core` fuzz target (`fuzz/corpus/call_core/`)
//! through the entry point the cargo-fuzz target calls, plus a deterministic sweep of
//! pseudo-random event sequences, so the core's invariants are checked in every test run.

use std::path::Path;

use roomgate_core::fuzzing::fuzz_call_core;

#[test]
fn seeds_replay() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/call_core");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        if let Ok(bytes) = std::fs::read(entry.path()) {
            fuzz_call_core(&bytes);
            n += 1;
        }
    }
    assert!(n >= 5, "seeds missing in {}", dir.display());
}

#[test]
fn random_event_sequences_keep_the_invariants() {
    // xorshift: the same sequences on every run.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for len in 1..400 {
        let data: Vec<u8> = (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect();
        fuzz_call_core(&data);
    }
}
