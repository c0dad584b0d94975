#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! SIP message codec: roomgate-sip against rsip 0.4, the same work on the same bytes in one
//! criterion group per message.
//!
//! - `decode`: the message is parsed, then its top Via, From, To, CSeq, Call-ID and Contact are
//!   read in typed form. Ours is `decode_datagram`, which also validates every known header
//!   (RFC 3261 rules rsip does not check); `roomgate-parse-only` shows ours without that
//!   validation, the closer match to what rsip does. rsip's typed accessors clone the header
//!   text before parsing it (`ToTypedHeader::typed`); that is its API, so it is measured.
//!   rsip has no typed Call-ID: its untyped value is read, ours is syntax-checked.
//! - `encode`: the parsed message written out. Ours is `Message::write_to` into a reused
//!   buffer; rsip's is `to_string()` of its parsed message.
//!
//! Peer: rsip 0.4 (pure Rust, nom based).

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rsip::prelude::*;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One message benchmarked.
struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    /// Whether both sides read the Contact in typed form (see `messages`).
    contact: bool,
}

fn messages() -> Vec<Case> {
    let read = |p: PathBuf| std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    vec![
        // A 1.4 KB INVITE as a Poly room system sends it, with SDES-SRTP and BFCP in its SDP.
        // rsip 0.4 cannot type this Contact: its parameter tokenizer rejects a quoted-string
        // value (`+sip.instance="<urn:uuid:...>"`, RFC 5626), which RFC 3261 `gen-value`
        // allows. So neither side reads Contact here; everything else is read by both.
        Case {
            name: "room_invite",
            bytes: read(manifest_dir().join("fixtures/room_invite.sip")),
            contact: false,
        },
        // RFC 4475 §3.1.1.6: LWS between display name and `<` (`caller<sip:...>`), compact
        // `l:`, no Contact. rsip parses it (checked in `check_rsip`).
        Case {
            name: "rfc4475_lwsdisp",
            bytes: read(manifest_dir().join("../sip/tests/vectors/rfc4475/lwsdisp.dat")),
            contact: true,
        },
    ]
}

/// What both sides read out of a message; `black_box`ed so none of it is optimised away.
fn ours_typed(msg: &roomgate_sip::Message<'_>, contact: bool) {
    black_box(msg.top_via().unwrap());
    black_box(msg.from_header().unwrap());
    black_box(msg.to_header().unwrap());
    black_box(msg.cseq().unwrap());
    black_box(msg.call_id().unwrap());
    if contact {
        black_box(msg.contacts().unwrap());
    }
}

fn ours_decode(bytes: &[u8], contact: bool) {
    let msg = roomgate_sip::decode_datagram(black_box(bytes)).unwrap();
    ours_typed(&msg, contact);
}

fn ours_parse_only(bytes: &[u8], contact: bool) {
    let msg = roomgate_sip::parse_datagram(black_box(bytes)).unwrap();
    ours_typed(&msg, contact);
}

fn rsip_typed(msg: &rsip::SipMessage, contact: bool) {
    black_box(msg.via_header().unwrap().typed().unwrap());
    black_box(msg.from_header().unwrap().typed().unwrap());
    black_box(msg.to_header().unwrap().typed().unwrap());
    black_box(msg.cseq_header().unwrap().typed().unwrap());
    black_box(msg.call_id_header().unwrap().value());
    if contact {
        // Absent (lwsdisp) is not an error: both sides look and find none.
        black_box(msg.contact_header().ok().map(|c| c.typed().unwrap()));
    }
}

fn rsip_decode(bytes: &[u8], contact: bool) {
    let msg = rsip::SipMessage::try_from(black_box(bytes)).unwrap();
    rsip_typed(&msg, contact);
}

/// Runs each side once outside the timed loop, so a failure shows as a clear panic here and
/// not as a benchmark of an error path; checks both read the same values.
fn check_both(
    &Case {
        name,
        ref bytes,
        contact,
    }: &Case,
) {
    let bytes = bytes.as_slice();
    let ours = roomgate_sip::decode_datagram(bytes)
        .unwrap_or_else(|e| panic!("roomgate-sip rejects {name}: {e}"));
    ours_typed(&ours, contact);
    let theirs =
        rsip::SipMessage::try_from(bytes).unwrap_or_else(|e| panic!("rsip rejects {name}: {e}"));
    rsip_typed(&theirs, contact);
    assert_eq!(
        ours.cseq().unwrap().seq,
        theirs.cseq_header().unwrap().typed().unwrap().seq,
        "{name}: CSeq"
    );
    assert_eq!(
        ours.call_id().unwrap(),
        theirs.call_id_header().unwrap().value(),
        "{name}: Call-ID"
    );
    assert_eq!(
        ours.top_via().unwrap().branch(),
        theirs
            .via_header()
            .unwrap()
            .typed()
            .unwrap()
            .branch()
            .map(|b| b.to_string())
            .as_deref(),
        "{name}: Via branch"
    );
    assert_eq!(
        ours.contacts().unwrap().is_some(),
        theirs.contact_header().is_ok(),
        "{name}: Contact presence"
    );
    assert_eq!(ours.body, theirs.body().as_slice(), "{name}: body");
}

fn sip_codec(c: &mut Criterion) {
    for case in messages() {
        check_both(&case);
        let Case {
            name,
            bytes,
            contact,
        } = case;

        let mut group = c.benchmark_group(format!("sip_decode/{name}"));
        group.throughput(Throughput::Elements(1));
        group.bench_function("roomgate", |b| b.iter(|| ours_decode(&bytes, contact)));
        group.bench_function("roomgate-parse-only", |b| {
            b.iter(|| ours_parse_only(&bytes, contact))
        });
        group.bench_function("rsip", |b| b.iter(|| rsip_decode(&bytes, contact)));
        group.finish();

        let ours = roomgate_sip::decode_datagram(&bytes).unwrap();
        let theirs = rsip::SipMessage::try_from(bytes.as_slice()).unwrap();
        let mut out = Vec::with_capacity(4096);
        let mut group = c.benchmark_group(format!("sip_encode/{name}"));
        group.throughput(Throughput::Elements(1));
        group.bench_function("roomgate", |b| {
            b.iter(|| {
                out.clear();
                black_box(&ours).write_to(&mut out);
                black_box(out.len())
            })
        });
        group.bench_function("rsip", |b| {
            b.iter(|| black_box(black_box(&theirs).to_string()))
        });
        group.finish();
    }
}

criterion_group!(benches, sip_codec);
criterion_main!(benches);
