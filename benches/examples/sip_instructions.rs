//! Runs one side of the `sip_codec` benchmark a fixed number of times, for instruction counts
//! that do not depend on machine load:
//!
//! ```sh
//! cargo build --release -p roomgate-benches --example sip_instructions
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/examples/sip_instructions roomgate room_invite 1000
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/examples/sip_instructions rsip room_invite 1000
//! ```
//! The ratio of the two totals (minus a 0-iteration run of each) is the work ratio.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (side, message, n) = match args.as_slice() {
        [_, side, message, n] => (side.as_str(), message.as_str(), n.parse::<usize>().unwrap()),
        _ => panic!(
            "usage: sip_instructions roomgate|roomgate-parse-only|rsip room_invite|lwsdisp N"
        ),
    };
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let path = match message {
        "room_invite" => dir.join("fixtures/room_invite.sip"),
        "lwsdisp" => dir.join("../sip/tests/vectors/rfc4475/lwsdisp.dat"),
        other => panic!("unknown message {other}"),
    };
    let bytes = std::fs::read(path).unwrap();
    let contact = message == "lwsdisp";
    for _ in 0..n {
        match side {
            "roomgate" | "roomgate-parse-only" => {
                let msg = if side == "roomgate" {
                    roomgate_sip::decode_datagram(black_box(&bytes)).unwrap()
                } else {
                    roomgate_sip::parse_datagram(black_box(&bytes)).unwrap()
                };
                black_box(msg.top_via().unwrap());
                black_box(msg.from_header().unwrap());
                black_box(msg.to_header().unwrap());
                black_box(msg.cseq().unwrap());
                black_box(msg.call_id().unwrap());
                if contact {
                    black_box(msg.contacts().unwrap());
                }
            }
            "rsip" => {
                let msg = rsip::SipMessage::try_from(black_box(&bytes[..])).unwrap();
                use rsip::prelude::*;
                black_box(msg.via_header().unwrap().typed().unwrap());
                black_box(msg.from_header().unwrap().typed().unwrap());
                black_box(msg.to_header().unwrap().typed().unwrap());
                black_box(msg.cseq_header().unwrap().typed().unwrap());
                black_box(msg.call_id_header().unwrap().value());
                if contact {
                    black_box(msg.contact_header().ok().map(|c| c.typed().unwrap()));
                }
            }
            other => panic!("unknown side {other}"),
        }
    }
}
