//! roomgate-h323 beside rasn 0.30 (types generated from the H.225.0 ASN.1 by rasn-compiler
//! 0.16, see SOURCE.md), the same messages in the same run: the fastStart Setup of the
//! chan_ooh323 capture and an RRQ with H.460 features (`benches/benches/h323/inputs.rs`).
//!
//! Per message, one criterion group with `roomgate/decode` (additions kept as octets),
//! `roomgate/decode_typed` (plus reading every addition a gateway acts on: comparable with
//! rasn, which always decodes everything), `rasn/decode`, and the two encoders. Before
//! timing, each codec must decode the octets and re-encode them to the same octets; a
//! codec that cannot is reported on stderr and left out of the group, never timed on a
//! failure path.
//!
//! `cargo bench --manifest-path benches/rasn-peer/Cargo.toml`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

// The H.245 inputs have no rasn peer (its types hold only the H.245 subset H.225.0 imports).
#[path = "../../benches/h323/inputs.rs"]
#[allow(dead_code)]
mod inputs;

use std::hint::black_box;
use std::path::PathBuf;

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use roomgate_h323::h225::{MessageBody, UserInformation};
use roomgate_h323::ras::RasMessage;
use roomgate_rasn_peer::h225 as peer;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

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

/// rasn's decode and encode of `T`, if it round-trips `bytes`; else says why on stderr.
fn bench_rasn<T>(g: &mut BenchmarkGroup<'_, WallTime>, name: &str, bytes: &[u8])
where
    T: rasn::Decode + rasn::Encode,
{
    let value = match rasn::aper::decode::<T>(bytes) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("rasn cannot decode {name}: {e}");
            return;
        }
    };
    match rasn::aper::encode(&value) {
        Ok(again) if again == bytes => {}
        Ok(again) => eprintln!(
            "rasn re-encodes {name} to other octets ({} vs {}): encode not timed",
            again.len(),
            bytes.len()
        ),
        Err(e) => eprintln!("rasn cannot encode {name}: {e}"),
    }
    g.bench_function("rasn/decode", |b| {
        b.iter(|| rasn::aper::decode::<T>(black_box(bytes)).unwrap())
    });
    if rasn::aper::encode(&value).ok().as_deref() == Some(bytes) {
        g.bench_function("rasn/encode", |b| {
            b.iter(|| rasn::aper::encode(black_box(&value)).unwrap())
        });
    }
}

/// Whether rasn decodes `bytes` as `T` and re-encodes them to the same octets.
fn rasn_round_trips<T: rasn::Decode + rasn::Encode>(name: &str, bytes: &[u8]) -> (bool, bool) {
    match rasn::aper::decode::<T>(bytes) {
        Ok(v) => {
            let exact = rasn::aper::encode(&v).ok().as_deref() == Some(bytes);
            if !exact {
                eprintln!("{name}: rasn decodes, re-encodes to other octets");
            }
            (true, exact)
        }
        Err(e) => {
            eprintln!("{name}: rasn cannot decode: {e}");
            (false, false)
        }
    }
}

/// Before timing: which of the repository's real H.225.0 PDUs rasn takes (roomgate-h323
/// decodes and re-encodes all of them byte-exact, `h323/tests/h225_vectors.rs`).
fn report_vectors() {
    let dir = repo().join("h323/tests/vectors/per");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("h225cs_"))
        .collect();
    names.sort();
    let (mut decoded, mut exact) = (0, 0);
    for n in &names {
        let bytes = std::fs::read(dir.join(n)).unwrap();
        let (d, e) = rasn_round_trips::<peer::H323UserInformation>(n, &bytes);
        decoded += usize::from(d);
        exact += usize::from(e);
    }
    eprintln!(
        "rasn on the captures' H.225.0 PDUs: {decoded}/{} decode, {exact} re-encode byte-exact",
        names.len()
    );
    let grq = std::fs::read(dir.join("ras_1.per")).unwrap();
    eprintln!(
        "rasn on the capture's GRQ (decodes, byte-exact): {:?}",
        rasn_round_trips::<peer::RasMessage>("ras_1", &grq)
    );
}

fn bench(c: &mut Criterion) {
    report_vectors();
    let setup = inputs::setup_fast_start(&repo());
    let rrq = inputs::rrq_h460();

    let mut g = c.benchmark_group("h225_setup_fast_start");
    g.throughput(Throughput::Elements(1));
    let ours = UserInformation::decode(&setup).unwrap();
    assert_eq!(ours.encode().unwrap(), setup);
    g.bench_function("roomgate/decode", |b| {
        b.iter(|| UserInformation::decode(black_box(&setup)).unwrap())
    });
    g.bench_function("roomgate/decode_typed", |b| {
        b.iter(|| setup_typed(black_box(&setup)))
    });
    g.bench_function("roomgate/encode", |b| {
        b.iter(|| black_box(&ours).encode().unwrap())
    });
    bench_rasn::<peer::H323UserInformation>(&mut g, "the fastStart Setup", &setup);
    g.finish();

    let mut g = c.benchmark_group("ras_rrq_h460");
    g.throughput(Throughput::Elements(1));
    let ours = RasMessage::decode(&rrq).unwrap();
    assert_eq!(ours.encode().unwrap(), rrq);
    g.bench_function("roomgate/decode", |b| {
        b.iter(|| RasMessage::decode(black_box(&rrq)).unwrap())
    });
    g.bench_function("roomgate/decode_typed", |b| {
        b.iter(|| rrq_typed(black_box(&rrq)))
    });
    g.bench_function("roomgate/encode", |b| {
        b.iter(|| black_box(&ours).encode().unwrap())
    });
    bench_rasn::<peer::RasMessage>(&mut g, "the H.460 RRQ", &rrq);
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
