//! tshark as the oracle for what the call state machine writes: a whole fastStart call with
//! H.245 tunnelled, both sides run by `roomgate_h323::call::Call` (Setup with proposals, Call
//! Proceeding, Facilities carrying tunnelled H.245, Alerting with the accepted channels,
//! Connect, Release Complete), framed as the two directions of one TCP
//! connection to port 1720. Every frame must dissect as H.225.0 with the message type, body,
//! fastStart and h245Control counts and tunnelling flag we meant, and with no malformed or
//! error-level expert field; a control frame cut short must be flagged.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::time::Instant;

use common::tshark;
use roomgate_h323::call::{cause, Call, CallConfig, CallEvent, Dial};
use roomgate_h323::h245::{
    MultimediaSystemControlMessage, OpenLogicalChannel, RequestMessage, RoundTripDelayRequest,
};
use roomgate_h323::q931::{InformationElement, Message};
use roomgate_h323::ras::AliasAddress;

const CALLER_PORT: u16 = 40_300;
const CALLEE_PORT: u16 = 1720;

fn proposals() -> Vec<OpenLogicalChannel> {
    (0..2)
        .map(|i| {
            let bytes =
                std::fs::read(common::vectors().join(format!("h245/olc_fs_12030_1721_00_{i}.per")))
                    .unwrap();
            OpenLogicalChannel::decode(&bytes).unwrap()
        })
        .collect()
}

fn rtd(n: u32) -> MultimediaSystemControlMessage {
    MultimediaSystemControlMessage::Request(RequestMessage::RoundTripDelayRequest(Box::new(
        RoundTripDelayRequest {
            sequence_number: n,
            extensions: Default::default(),
        },
    )))
}

/// Ethernet, IPv4 and TCP (PSH|ACK; tshark does not verify the TCP checksum).
fn frame(payload: &[u8], sport: u16, dport: u16, seq: u32, ack: u32, id: u16) -> Vec<u8> {
    let mut f = tshark::ethernet_ipv4(6, 20 + payload.len(), id);
    f.extend_from_slice(&sport.to_be_bytes());
    f.extend_from_slice(&dport.to_be_bytes());
    f.extend_from_slice(&seq.to_be_bytes());
    f.extend_from_slice(&ack.to_be_bytes());
    f.extend_from_slice(&[0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0]);
    f.extend_from_slice(payload);
    f
}

/// The two directions of one TCP connection, in the order the packets were written.
#[derive(Default)]
struct Wire {
    frames: Vec<Vec<u8>>,
    seq_caller: u32,
    seq_callee: u32,
}

impl Wire {
    fn caller_wrote(&mut self, p: &[u8]) {
        let id = self.frames.len() as u16;
        let f = frame(
            p,
            CALLER_PORT,
            CALLEE_PORT,
            1 + self.seq_caller,
            1 + self.seq_callee,
            id,
        );
        self.frames.push(f);
        self.seq_caller += p.len() as u32;
    }
    fn callee_wrote(&mut self, p: &[u8]) {
        let id = self.frames.len() as u16;
        let f = frame(
            p,
            CALLEE_PORT,
            CALLER_PORT,
            1 + self.seq_callee,
            1 + self.seq_caller,
            id,
        );
        self.frames.push(f);
        self.seq_callee += p.len() as u32;
    }
}

/// Moves packets both ways (each packet is one TPKT, written as one TCP segment).
fn pump(now: Instant, wire: &mut Wire, caller: &mut Call, callee: &mut Call) {
    for _ in 0..32 {
        let mut moved = false;
        while let Some(p) = caller.poll_transmit() {
            wire.caller_wrote(&p);
            callee.handle_payload(now, &p[4..]);
            moved = true;
        }
        while let Some(p) = callee.poll_transmit() {
            wire.callee_wrote(&p);
            caller.handle_payload(now, &p[4..]);
            moved = true;
        }
        if !moved {
            return;
        }
    }
    panic!("never quiet");
}

const FIELDS: [&str; 10] = [
    "frame.protocols",
    "q931.message_type",
    "h225.h323_message_body",
    "h225.FastStart_item",
    "h225.H245Control_item",
    "h225.h245Tunnelling",
    "_ws.malformed",
    "_ws.expert.severity",
    "h245.forwardLogicalChannelNumber",
    "h225.reason",
];

fn count(field: &str) -> usize {
    field.split(',').filter(|s| !s.is_empty()).count()
}

#[test]
fn tshark_dissects_a_whole_call_written_by_the_state_machine() {
    let t0 = Instant::now();
    let dial = Dial {
        call_reference: 0x1234,
        call_identifier: [0x11; 16],
        conference_id: [0x22; 16],
        destination: vec![AliasAddress::DialedDigits("1001".into())],
        called_number: Some("1001".into()),
        source: vec![AliasAddress::H323Id("Roomgate test".into())],
        calling_number: Some("5551234".into()),
        fast_start: proposals(),
        ..Dial::default()
    };
    let mut wire = Wire::default();
    let mut caller = Call::outgoing(t0, CallConfig::default(), &dial).unwrap();
    let mut callee = Call::incoming(t0, CallConfig::default());
    pump(t0, &mut wire, &mut caller, &mut callee);
    let Some(CallEvent::Setup(setup)) = callee.poll_event() else {
        panic!("no Setup event")
    };
    callee.send_h245(&rtd(1)).unwrap();
    callee.proceeding().unwrap();
    callee.alert(Some(&setup.fast_start[1..])).unwrap();
    pump(t0, &mut wire, &mut caller, &mut callee);
    callee.send_h245(&rtd(2)).unwrap();
    pump(t0, &mut wire, &mut caller, &mut callee);
    callee.connect(None, None).unwrap();
    pump(t0, &mut wire, &mut caller, &mut callee);
    caller.release(cause::NORMAL);
    pump(t0, &mut wire, &mut caller, &mut callee);
    assert!(callee.is_released());

    // (Q.931 type, body alternative, fastStart items, h245Control items)
    let expected: [(&str, &str, usize, usize); 7] = [
        ("0x05", "0", 2, 0), // Setup with two proposals
        ("0x02", "1", 0, 0), // Call Proceeding
        ("0x62", "6", 0, 1), // Facility carrying the first RTD
        ("0x01", "3", 1, 0), // Alerting with the accepted channel
        ("0x62", "6", 0, 1), // Facility with H.245 only
        ("0x07", "2", 0, 0), // Connect
        ("0x5a", "5", 0, 0), // Release Complete
    ];
    assert_eq!(wire.frames.len(), expected.len());

    // Control, on a connection of its own: the Setup with its H.225.0 cut in half inside a
    // well-formed Q.931 message.
    let setup_frame = &wire.frames[0];
    let q931_at = 14 + 20 + 20 + 4;
    let mut m = Message::decode(&setup_frame[q931_at..]).unwrap();
    for e in &mut m.elements {
        if let InformationElement::UserUser(u) = e {
            let half = u.data.len() / 2;
            u.data.truncate(half);
        }
    }
    let cut = roomgate_h323::tpkt::encode(&m.encode().unwrap()).unwrap();
    let mut frames = wire.frames.clone();
    frames.push(frame(&cut, CALLER_PORT + 1, CALLEE_PORT, 1, 1, 99));

    let lines = tshark::dissect("call", &frames, &FIELDS);
    for (line, (mt, body, fs, ctl)) in lines.iter().zip(expected) {
        let f: Vec<&str> = line.split('|').collect();
        assert!(f[0].contains(":q931") && f[0].contains(":h225"), "{line}");
        assert_eq!(f[1], mt, "{line}");
        assert_eq!(f[2], body, "{line}");
        assert_eq!(count(f[3]), fs, "{line}");
        assert_eq!(count(f[4]), ctl, "{line}");
        if ctl > 0 {
            assert!(f[0].contains(":h245"), "H.245 inside not dissected: {line}");
        }
        // A Facility carrying H.245 says so: transportedInformation (4 root alternatives,
        // then extension 6); chan_ooh323 ignores h245Control under any other reason.
        if mt == "0x62" {
            assert_eq!(f[9], "10", "Facility reason: {line}");
        }
        // fastStart elements are OpenLogicalChannels, dissected inside H.225.0.
        assert_eq!(count(f[8]), fs, "OpenLogicalChannels dissected: {line}");
        assert_eq!(f[5], "1", "h245Tunnelling: {line}");
        assert_eq!(f[6], "", "malformed: {line}");
        for sev in f[7].split(',').filter(|s| !s.is_empty()) {
            assert!(
                sev.parse::<u32>().unwrap() < 0x0080_0000,
                "expert error: {line}"
            );
        }
    }
    let last: Vec<&str> = lines.last().unwrap().split('|').collect();
    assert!(
        !last[6].is_empty()
            || last[7]
                .split(',')
                .any(|s| s.parse::<u32>().unwrap_or(0) >= 0x0080_0000),
        "the cut control frame was not flagged: {last:?}"
    );
}
