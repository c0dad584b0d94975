//! Replays the checked-in seeds of the gateway's fuzz targets (`fuzz/corpus/negotiate/`,
//! `prompt_wav/`, `pin_entry/`, `endpoint_console/`, `call_legs/`, `ng_calls/`) through the
//! entry points the cargo-fuzz targets call, so every seed is a regression test.
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

#[test]
fn call_legs_corpus() {
    let seeds = seeds("call_legs");
    assert!(seeds.len() >= 8, "call_legs seeds missing");
    for path in seeds {
        let bytes = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let r = std::panic::catch_unwind(|| roomgate::call::fuzz_calls::fuzz_calls(&bytes));
        let Ok(stats) = r else {
            panic!("call_legs seed {name} panicked");
        };
        // Each seed reaches what it was written for, so the fuzzer starts from deep states.
        let connected = match name.as_str() {
            "basic_call"
            | "hold_reinvite"
            | "digest_retry"
            | "media_and_dtmf"
            | "delayed_offer_and_drain"
            | "placed_later_basic_call"
            | "bridge_refused_later" => 1,
            _ => 0,
        };
        assert_eq!(stats.connected, connected, "seed {name}: {stats:?}");
        if name == "meeting_id_no_lockout" {
            // An INVITE with no user part wants meeting-ID entry, whose unknown IDs are PIN
            // attempts; this world has no lockout store, so it is refused (fail closed).
            assert_eq!(
                (stats.started, stats.lockout_unavailable),
                (0, 1),
                "seed {name}: {stats:?}"
            );
            continue;
        }
        if name == "fault_without_to" {
            // An INVITE without To, From, Call-ID or CSeq: no response can be made that
            // decodes (the replay's oracle checks every datagram sent), so none is sent.
            assert_eq!(stats.started, 0, "seed {name}: {stats:?}");
            continue;
        }
        if name == "placed_later_room_cancel" {
            // Cancelled while its relay session was being made (answers held): refused
            // before it started; released afterwards, the late session changes nothing.
            assert_eq!(stats.started, 0, "seed {name}: {stats:?}");
            continue;
        }
        assert_eq!(stats.started, 1, "seed {name}: {stats:?}");
        if name == "srtp_meeting_plain_answer" {
            assert_eq!(
                stats.srtp.refused, 1,
                "plain answer to our SRTP offer refused"
            );
        }
    }
}

#[test]
fn h323_calls_corpus() {
    let seeds = seeds("h323_calls");
    assert!(seeds.len() >= 8, "h323_calls seeds missing");
    for path in seeds {
        let bytes = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let r =
            std::panic::catch_unwind(|| roomgate::call::fuzz_h323_calls::fuzz_h323_calls(&bytes));
        let Ok(live) = r else {
            panic!("h323_calls seed {name} panicked");
        };
        // Each seed reaches what it was written for, so the fuzzer starts from deep states.
        let expected = match name.as_str() {
            "fast_start_open_meeting"
            | "slow_start_separate_h245"
            | "h323_mcu_answers"
            | "user_input_after_join"
            | "h264_fast_start_open_meeting"
            | "h264_slow_start_separate_h245"
            | "h264_to_h323_mcu"
            | "h264_fast_update_from_room"
            | "h264_fast_update_from_mcu"
            | "h264_flow_control_room_to_mcu"
            | "h264_flow_control_from_mcu" => 1,
            _ => 0,
        };
        assert_eq!(live, expected, "h323_calls seed {name}");
    }
}

#[test]
fn ng_calls_corpus() {
    // How many commands of each seed succeed: each reaches the relay as far as it claims
    // (the refused one is the plain answer to an SRTP offer: never relayed in the clear).
    let expected = [
        ("avp-to-savp-reoffer", 4),
        ("flags-words-video", 3),
        ("plain-offer-answer-query-delete", 5),
        ("savp-answered-plain-refused", 2),
        ("savp-to-avp", 3),
        ("transcode-and-mux", 2),
    ];
    let files = seeds("ng_calls");
    assert_eq!(files.len(), expected.len());
    for (path, (name, ok)) in files.iter().zip(expected) {
        assert!(path.ends_with(name), "{}", path.display());
        let bytes = std::fs::read(path).unwrap();
        let r = std::panic::catch_unwind(|| roomgate::ng::fuzzing::ng_calls(&bytes));
        match r {
            Ok(n) => assert_eq!(n, ok, "{name}"),
            Err(_) => panic!("ng_calls seed {name} panicked"),
        }
    }
}
