//! tshark as an independent oracle for the Q.931 encoder: one message of every type H.225.0
//! uses, built with this crate (user-user payloads taken from a real vector of the same type
//! where one exists), framed with our TPKT encoder and written into a pcap as one TCP stream to
//! port 1720. Every frame must be dissected as Q.931 with our message type and element values,
//! as H.225.0 with the matching body when it carries user-user information, and with no
//! malformed or error-level expert field. A final frame with an element running past the end
//! must be flagged, so an oracle that flags nothing cannot pass.
//!
//! tshark missing fails the test: CI installs it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::tshark;

use std::process::Command;

use roomgate_h323::q931::{
    id, BearerCapability, CallReference, Cause, InformationElement as Ie, Message, MessageType,
    PartyNumber, Presentation, ProgressIndicator, UserUser,
};
use roomgate_h323::tpkt;

const PORT: u16 = 1720;
const CLIENT_PORT: u16 = 40_000;

fn per(name: &str) -> Vec<u8> {
    std::fs::read(common::vectors().join("per").join(format!("{name}.per"))).unwrap()
}

fn uu(name: &str) -> Ie {
    Ie::UserUser(UserUser::h225(per(name)))
}

fn progress(description: u8) -> Ie {
    Ie::ProgressIndicator(ProgressIndicator {
        coding_standard: 0,
        location: 0,
        description,
    })
}

/// One message per type, with the H.225.0 body index tshark should report (None: no
/// user-user element, so no H.225.0 to dissect).
fn messages() -> Vec<(Message, Option<u8>)> {
    let cr = CallReference::new(0x1234, false);
    let back = CallReference::new(0x1234, true);
    let calling = PartyNumber {
        number_type: 2,
        plan: 1,
        presentation: Some(Presentation {
            presentation: 0,
            screening: 1,
        }),
        digits: "4930123".into(),
    };
    let bearer = BearerCapability {
        coding_standard: 0,
        transfer_capability: 0x08,
        transfer_mode: 0,
        transfer_rate: 0x18,
        rate_multiplier: Some(6),
        layer1_protocol: Some(5),
        rest: Vec::new(),
    };
    let m = Message::new;
    vec![
        (
            m(cr, MessageType::Setup)
                .with(Ie::BearerCapability(bearer))
                .with(Ie::Display {
                    octets: b"Room 1".to_vec(),
                })
                .with(Ie::CallingPartyNumber(calling))
                .with(Ie::CalledPartyNumber(PartyNumber::e164("200")))
                .with(uu("h225cs_fs_12030_1721_00_mt05")),
            Some(0),
        ),
        (
            m(back, MessageType::CallProceeding).with(uu("h225cs_fs_1721_12030_00_mt02")),
            Some(1),
        ),
        (
            m(back, MessageType::Alerting)
                .with(progress(8))
                .with(Ie::Signal { value: 1 })
                .with(uu("h225cs_fs_1721_12030_01_mt01")),
            Some(3),
        ),
        (
            m(back, MessageType::Connect)
                .with(Ie::Display {
                    octets: b"Cloud".to_vec(),
                })
                .with(uu("h225cs_ss_1721_12032_02_mt07")),
            Some(2),
        ),
        (
            m(cr, MessageType::ReleaseComplete)
                .with(Ie::Cause(Cause::new(0, 16)))
                .with(uu("h225cs_fs_12030_1721_05_mt5a")),
            Some(5),
        ),
        (
            m(cr, MessageType::Facility).with(uu("h225cs_fs_12030_1721_01_mt62")),
            Some(6),
        ),
        (
            m(back, MessageType::Progress)
                .with(progress(1))
                .with(uu("h225cs_ss_1721_12032_03_mt03")),
            Some(7),
        ),
        (
            m(cr, MessageType::Information).with(Ie::Keypad {
                octets: b"123#".to_vec(),
            }),
            None,
        ),
        (
            m(back, MessageType::Notify).with(Ie::Raw {
                id: id::NOTIFICATION_INDICATOR,
                contents: vec![0x80],
            }),
            None,
        ),
        (
            m(back, MessageType::Status)
                .with(Ie::Cause(Cause::new(0, 30)))
                .with(Ie::Raw {
                    id: id::CALL_STATE,
                    contents: vec![0x0a],
                }),
            None,
        ),
        (
            m(cr, MessageType::StatusEnquiry).with(Ie::SingleOctet {
                octet: id::SENDING_COMPLETE,
            }),
            None,
        ),
    ]
}

/// Ethernet, IPv4 and TCP (PSH|ACK, checksum left zero, which tshark does not verify).
fn frame(payload: &[u8], sport: u16, seq: u32, id: u16) -> Vec<u8> {
    let mut f = tshark::ethernet_ipv4(6, 20 + payload.len(), id);
    f.extend_from_slice(&sport.to_be_bytes());
    f.extend_from_slice(&PORT.to_be_bytes());
    f.extend_from_slice(&seq.to_be_bytes());
    f.extend_from_slice(&1u32.to_be_bytes());
    f.extend_from_slice(&[0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0]);
    f.extend_from_slice(payload);
    f
}

const FIELDS: [&str; 13] = [
    "frame.number",
    "frame.protocols",
    "q931.message_type",
    "h225.h323_message_body",
    "q931.cause_value",
    "q931.calling_party_number.digits",
    "q931.called_party_number.digits",
    "q931.display_information",
    "q931.keypad_facility",
    "q931.progress_indicator.description",
    "q931.signal",
    "_ws.malformed",
    "_ws.expert.severity",
];

#[test]
fn tshark_dissects_every_message_type_we_send() {
    let Ok(version) = Command::new("tshark").arg("-v").output() else {
        panic!("tshark is not installed: the Q.931 oracle test needs it (apt-get install tshark)");
    };
    assert!(version.status.success(), "tshark -v failed");

    let msgs = messages();
    let mut frames = Vec::new();
    let mut seq = 1u32;
    for (i, (msg, _)) in msgs.iter().enumerate() {
        let wire = tpkt::encode(&msg.encode().unwrap()).unwrap();
        frames.push(frame(&wire, CLIENT_PORT, seq, i as u16));
        seq += wire.len() as u32;
    }
    // Control: a display element announcing 16 octets of which one arrives.
    let bad = tpkt::encode(&[0x08, 0x02, 0x00, 0x01, 0x05, 0x28, 0x10, 0x41]).unwrap();
    frames.push(frame(&bad, CLIENT_PORT + 1, 1, 99));

    let lines = tshark::dissect("q931", &frames, &FIELDS);
    let control: Vec<&str> = lines.last().unwrap().split('|').collect();
    assert!(
        !control[11].is_empty() || control[12].split(',').any(|s| s == "8388608"),
        "control frame not flagged: {control:?}"
    );

    for (line, (msg, body)) in lines.iter().zip(&msgs) {
        let f: Vec<&str> = line.split('|').collect();
        assert_eq!(f.len(), FIELDS.len(), "{line}");
        let what = format!("frame {} ({:?}): {line}", f[0], msg.message_type);
        assert!(f[1].contains(":q931"), "not dissected as Q.931: {what}");
        assert_eq!(
            f[2],
            format!("{:#04x}", msg.message_type.code()),
            "message type: {what}"
        );
        match body {
            Some(b) => {
                assert!(f[1].contains(":h225"), "not dissected as H.225.0: {what}");
                assert_eq!(f[3], b.to_string(), "H.225.0 body: {what}");
            }
            None => assert_eq!(f[3], "", "{what}"),
        }
        let mut causes = Vec::new();
        for e in &msg.elements {
            match e {
                Ie::Cause(c) => causes.push(c.value.to_string()),
                Ie::CallingPartyNumber(p) => assert_eq!(f[5], p.digits, "{what}"),
                Ie::CalledPartyNumber(p) => assert_eq!(f[6], p.digits, "{what}"),
                Ie::Display { octets } => assert_eq!(f[7].as_bytes(), octets, "{what}"),
                Ie::Keypad { octets } => assert_eq!(f[8].as_bytes(), octets, "{what}"),
                Ie::ProgressIndicator(p) => {
                    assert_eq!(f[9], format!("{:#04x}", p.description), "{what}")
                }
                Ie::Signal { value } => assert_eq!(f[10], format!("{value:#04x}"), "{what}"),
                _ => {}
            }
        }
        assert_eq!(f[4], causes.join(","), "cause: {what}");
        assert_eq!(f[11], "", "malformed: {what}");
        // Expert severities: 0x00800000 is an error; warnings, notes and chats are harmless.
        for sev in f[12].split(',').filter(|s| !s.is_empty()) {
            let sev: u32 = sev.parse().unwrap_or(u32::MAX);
            assert!(sev < 0x0080_0000, "expert error in {what}");
        }
    }
}
