#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! H.323 codec (roomgate-h323): decode and encode of the messages a call and a registration
//! start with (see `inputs.rs`): the fastStart Setup, an RRQ with H.460 features, and the
//! H.245 TerminalCapabilitySet and OpenLogicalChannel of a real call.
//!
//! - `decode`: `UserInformation::decode` / `RasMessage::decode`; extension additions stay
//!   octets, so this is what a message costs that is only routed or looked at.
//! - `decode_typed`: `decode` plus reading the additions a gateway acts on (h245Tunneling,
//!   tunnelled H.245, the call identifier and every fastStart proposal for the Setup; time to
//!   live, keep-alive and the H.460 feature set for the RRQ): the full work, comparable
//!   with a codec that decodes everything.
//! - `encode`: encoding the decoded message.
//!
//! The peer, rasn (generated from the H.225.0 ASN.1), is measured in the same run by the
//! separate crate `benches/rasn-peer` (kept out of the workspace so CI's
//! `--all-features` build does not compile it): `cargo bench --manifest-path
//! benches/rasn-peer/Cargo.toml`. It has H.225.0 and RAS only: its generated types hold
//! just the H.245 subset H.225.0 imports (see its SOURCE.md), so TCS and OLC have no peer.

mod inputs;

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use roomgate_h323::h225::{MessageBody, UserInformation};
use roomgate_h323::h245::{MultimediaSystemControlMessage, RequestMessage};
use roomgate_h323::ras::RasMessage;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Decodes a Setup and every addition a gateway reads; returns a count so nothing is elided.
fn setup_typed(bytes: &[u8]) -> usize {
    let ui = UserInformation::decode(bytes).unwrap();
    let pdu = &ui.h323_uu_pdu;
    let mut n = usize::from(pdu.h245_tunneling().unwrap().unwrap());
    n += pdu.h245_control().map_or(0, |c| c.unwrap().len());
    let MessageBody::Setup(s) = ui.body() else {
        unreachable!("a Setup")
    };
    n += usize::from(s.call_identifier().unwrap().unwrap().guid[0]);
    n + s.fast_start().unwrap().unwrap().len()
}

fn rrq_typed(bytes: &[u8]) -> usize {
    let RasMessage::RegistrationRequest(rrq) = RasMessage::decode(bytes).unwrap() else {
        unreachable!("an RRQ")
    };
    let ttl = rrq.time_to_live().unwrap().unwrap() as usize;
    let keep_alive = usize::from(rrq.keep_alive().unwrap().unwrap());
    let features = rrq.feature_set().unwrap().unwrap();
    ttl + keep_alive + features.supported_features.map_or(0, |f| f.len())
}

/// Decode and encode of one H.245 PDU, after checking it is the request `is` expects and
/// that it re-encodes to its octets.
fn bench_h245(c: &mut Criterion, group: &str, bytes: &[u8], is: fn(&RequestMessage) -> bool) {
    let decoded = MultimediaSystemControlMessage::decode(bytes).unwrap();
    assert!(
        matches!(&decoded, MultimediaSystemControlMessage::Request(m) if is(m)),
        "{group}: {decoded:?}"
    );
    assert_eq!(decoded.encode().unwrap(), bytes);
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Elements(1));
    g.bench_function("decode", |b| {
        b.iter(|| MultimediaSystemControlMessage::decode(black_box(bytes)).unwrap())
    });
    g.bench_function("encode", |b| {
        b.iter(|| black_box(&decoded).encode().unwrap())
    });
    g.finish();
}

fn bench(c: &mut Criterion) {
    let setup = inputs::setup_fast_start(&repo());
    let rrq = inputs::rrq_h460();

    let mut g = c.benchmark_group("h225_setup_fast_start");
    g.throughput(Throughput::Elements(1));
    g.bench_function("decode", |b| {
        b.iter(|| UserInformation::decode(black_box(&setup)).unwrap())
    });
    g.bench_function("decode_typed", |b| {
        b.iter(|| setup_typed(black_box(&setup)))
    });
    let decoded = UserInformation::decode(&setup).unwrap();
    assert_eq!(decoded.encode().unwrap(), setup);
    g.bench_function("encode", |b| {
        b.iter(|| black_box(&decoded).encode().unwrap())
    });
    g.finish();

    let mut g = c.benchmark_group("ras_rrq_h460");
    g.throughput(Throughput::Elements(1));
    g.bench_function("decode", |b| {
        b.iter(|| RasMessage::decode(black_box(&rrq)).unwrap())
    });
    g.bench_function("decode_typed", |b| b.iter(|| rrq_typed(black_box(&rrq))));
    let decoded = RasMessage::decode(&rrq).unwrap();
    assert_eq!(decoded.encode().unwrap(), rrq);
    g.bench_function("encode", |b| {
        b.iter(|| black_box(&decoded).encode().unwrap())
    });
    g.finish();

    bench_h245(c, "h245_olc", &inputs::h245_olc(&repo()), |m| {
        matches!(m, RequestMessage::OpenLogicalChannel(_))
    });
    bench_h245(c, "h245_tcs", &inputs::h245_tcs(&repo()), |m| {
        matches!(m, RequestMessage::TerminalCapabilitySet(_))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
