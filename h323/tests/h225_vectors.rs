#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Truth tests of H.225.0 call signalling against real chan_ooh323 traffic: every
//! `per/h225cs_*` file (an H323-UserInformation) decodes, its body matches the Q.931 message
//! type in the file name, and it re-encodes to exactly its octets. The tunnelling and
//! fastStart facts checked below are what tshark shows for the same frames.

mod common;

use common::vectors;
use roomgate_h323::h225::{MessageBody, UserInformation};

/// (file name without `.per`, octets) of every H.225.0 call-signalling vector.
fn h225_vectors() -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(vectors().join("per"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("h225cs_")
        })
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// The Q.931 message type in a vector's name (`..._mtXX`).
fn message_type(name: &str) -> u8 {
    let hex = name.rsplit("_mt").next().unwrap();
    u8::from_str_radix(hex, 16).unwrap()
}

#[test]
fn every_vector_round_trips_byte_exact() {
    let vectors = h225_vectors();
    assert_eq!(vectors.len(), 43, "vector count changed");
    for (name, bytes) in &vectors {
        let ui = UserInformation::decode(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(&ui.encode().unwrap(), bytes, "{name} does not re-encode");
        assert_eq!(UserInformation::decode(&ui.encode().unwrap()).unwrap(), ui);
    }
}

#[test]
fn body_matches_the_q931_message_type() {
    for (name, bytes) in h225_vectors() {
        let ui = UserInformation::decode(&bytes).unwrap();
        let body = ui.body();
        assert_eq!(
            body.q931_message_type(),
            Some(message_type(&name)),
            "{name}: {body:?}"
        );
        // Every body in these captures is typed, none kept as octets.
        assert!(!matches!(body, MessageBody::Unknown { .. }), "{name}");
    }
}

#[test]
fn h245_tunnelling_as_tshark_shows_it() {
    // tshark: every fastStart-capture message but Release Complete says h245Tunnelling True,
    // every slow-start one False; the Release Completes omit the addition.
    for (name, bytes) in h225_vectors() {
        let ui = UserInformation::decode(&bytes).unwrap();
        let tunnelling = ui.h323_uu_pdu.h245_tunneling().map(Result::unwrap);
        let expected = match (name.starts_with("h225cs_fs_"), message_type(&name)) {
            (_, 0x5a) => None,
            (fast_start, _) => Some(fast_start),
        };
        assert_eq!(tunnelling, expected, "{name}");
    }
}

#[test]
fn fast_start_proposals_of_the_setup() {
    // tshark shows four fastStart elements in each fastStart-capture Setup and two in the
    // Alerting that answers them; the slow-start Setup has none.
    for (name, bytes) in h225_vectors() {
        let ui = UserInformation::decode(&bytes).unwrap();
        match ui.body() {
            MessageBody::Setup(setup) => {
                let fast_start = setup.fast_start().map(Result::unwrap);
                if name.starts_with("h225cs_fs_") {
                    let elements = fast_start.unwrap_or_else(|| panic!("{name}: no fastStart"));
                    assert_eq!(elements.len(), 4, "{name}");
                    assert!(elements.iter().all(|e| !e.is_empty()), "{name}");
                } else {
                    assert_eq!(fast_start, None, "{name}");
                }
                let call_id = setup.call_identifier().unwrap().unwrap();
                assert_ne!(call_id.guid, [0; 16], "{name}");
            }
            MessageBody::Alerting(alerting) if name.starts_with("h225cs_fs_") => {
                assert_eq!(alerting.fast_start().unwrap().unwrap().len(), 2, "{name}");
            }
            _ => {}
        }
    }
}

#[test]
fn tunnelled_h245_is_carried_in_facility() {
    // The fastStart capture tunnels its H.245 (TCS, MSD, UserInputIndication) in Facility.
    let tunnelled: usize = h225_vectors()
        .iter()
        .filter(|(name, _)| name.starts_with("h225cs_fs_"))
        .map(|(_, bytes)| {
            let ui = UserInformation::decode(bytes).unwrap();
            ui.h323_uu_pdu
                .h245_control()
                .map_or(0, |c| c.unwrap().len())
        })
        .sum();
    assert!(tunnelled > 0, "no tunnelled H.245");
}

#[test]
fn every_truncation_of_a_setup_is_a_typed_error() {
    let setup = std::fs::read(vectors().join("per/h225cs_fs_12030_1721_00_mt05.per")).unwrap();
    for len in 0..setup.len() {
        let err = UserInformation::decode(&setup[..len]);
        assert!(err.is_err(), "truncated to {len} octets decoded");
    }
}
