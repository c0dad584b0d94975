//! Replays the checked-in seeds of the gateway's fuzz targets (`fuzz/corpus/negotiate/`,
//! `fuzz/corpus/prompt_wav/`,
//! `fuzz/corpus/pin_entry/`) through the entry points the cargo-fuzz targets call, so every
//! seed is a regression test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;

fn seeds(target: &str) -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(files.len() >= 4, "{} has too few seeds", dir.display());
    files
}

#[test]
fn prompt_wav_corpus() {
    for path in seeds("prompt_wav") {
        let bytes = std::fs::read(&path).unwrap();
        let r = std::panic::catch_unwind(|| roomgate::prompts::load_wav(&bytes).is_ok());
        match r {
            Ok(ok) => assert_eq!(
                ok,
                !path.ends_with("truncated"),
                "{}: only the truncated seed is refused",
                path.display()
            ),
            Err(_) => panic!("prompt_wav seed {} panicked", path.display()),
        }
    }
}

#[test]
fn negotiate_corpus() {
    for path in seeds("negotiate") {
        let bytes = std::fs::read(&path).unwrap();
        if std::panic::catch_unwind(|| roomgate::call::negotiate::fuzz_negotiate(&bytes)).is_err() {
            panic!("negotiate seed {} panicked", path.display());
        }
    }
}

#[test]
fn pin_entry_corpus() {
    for path in seeds("pin_entry") {
        let bytes = std::fs::read(&path).unwrap();
        let r = std::panic::catch_unwind(|| roomgate::call::ivr::fuzz_pin_entry(&bytes));
        assert!(r.is_ok(), "pin_entry seed {} panicked", path.display());
    }
}

#[test]
fn endpoint_console_corpus() {
    let seeds = seeds("endpoint_console");
    assert!(seeds.len() >= 6, "endpoint_console seeds missing");
    for path in seeds {
        let bytes = std::fs::read(&path).unwrap();
        let r = std::panic::catch_unwind(|| roomgate::endpoint::dialect::fuzz_console(&bytes));
        assert!(
            r.is_ok(),
            "endpoint_console seed {} panicked",
            path.display()
        );
    }
}
