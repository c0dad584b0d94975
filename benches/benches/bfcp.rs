#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! BFCP codec (roomgate-bfcp): decode and encode of the messages a content-sharing call
//! exchanges most, one criterion group per message.
//!
//! - `floor_request`: a participant asks for the slides floor (FLOOR-ID, PRIORITY).
//! - `floor_request_status`: the server's answer with grouped attributes three levels deep
//!   (FLOOR-REQUEST-INFORMATION > OVERALL-REQUEST-STATUS > REQUEST-STATUS, a
//!   FLOOR-REQUEST-STATUS, BENEFICIARY-INFORMATION with display name and URI).
//! - `hello`: the keep-alive, header only.
//! - `hello_ack`: the answer listing supported primitives and attributes.
//! - `udp_floor_status_4k`: over UDP, a 4 KB FloorStatus cut into fragments at the default
//!   path MTU, and put back together.
//!
//! `decode` is `Message::decode` plus `validate` (grammar), what the floor control server does
//! with every message; `encode` is `Message::encode` of the decoded message.
//!
//! No peer in the same run: the BFCP implementations that exist are C (libre, the BFCP
//! module of baresip; Cisco and Poly's are closed), and no maintained Rust crate does BFCP.
//! libre is our interop peer in `bfcp/tests/libre.rs` (over real UDP sockets), not a
//! benchmark peer.

use std::hint::black_box;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use roomgate_bfcp::udp::{fragment, Reassembler};
use roomgate_bfcp::{
    Attribute, Group, Header, Message, Primitive, Priority, RequestStatus, RequestStatusValue,
    UdpConfig, Value, Version,
};

fn m(v: Value) -> Attribute {
    Attribute::mandatory(v)
}

fn cases() -> Vec<(&'static str, Message)> {
    let header = |p| Header::new(Version::V1, p, 0x0102_0304, 17, 5);
    let floor_request = Message::new(
        header(Primitive::FloorRequest),
        vec![m(Value::FloorId(1)), m(Value::Priority(Priority::NORMAL))],
    );
    let status = Message::new(
        header(Primitive::FloorRequestStatus),
        vec![m(Value::FloorRequestInformation(Group::new(
            9,
            vec![
                m(Value::OverallRequestStatus(Group::new(
                    9,
                    vec![
                        m(Value::RequestStatus(RequestStatus {
                            status: RequestStatusValue::Granted,
                            queue_position: 0,
                        })),
                        m(Value::StatusInfo("granted".into())),
                    ],
                ))),
                m(Value::FloorRequestStatus(Group::new(1, vec![]))),
                m(Value::BeneficiaryInformation(Group::new(
                    5,
                    vec![
                        m(Value::UserDisplayName("Room A".into())),
                        m(Value::UserUri("sip:room-a@example.com".into())),
                    ],
                ))),
            ],
        )))],
    );
    let hello = Message::new(header(Primitive::Hello), vec![]);
    let hello_ack = Message::new(
        header(Primitive::HelloAck),
        vec![
            m(Value::SupportedPrimitives((1..=17).collect())),
            m(Value::SupportedAttributes((1..=18).collect())),
        ],
    );
    vec![
        ("floor_request", floor_request),
        ("floor_request_status", status),
        ("hello", hello),
        ("hello_ack", hello_ack),
    ]
}

fn bfcp_codec(c: &mut Criterion) {
    for (name, msg) in cases() {
        let bytes = msg.encode().unwrap();
        msg.validate().unwrap();
        assert_eq!(Message::decode(&bytes).unwrap(), msg);
        let mut g = c.benchmark_group(format!("bfcp/{name}"));
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function("decode", |b| {
            b.iter(|| {
                let m = Message::decode(black_box(&bytes)).unwrap();
                m.validate().unwrap();
                m
            })
        });
        g.bench_function("encode", |b| b.iter(|| black_box(&msg).encode().unwrap()));
        g.finish();
    }
}

/// The UDP layer's own cost: a FloorStatus listing 130 queued requests (about 4 KB, four
/// datagrams at the default path MTU) cut into fragments, and the fragments put back
/// together.
fn bfcp_udp_fragments(c: &mut Criterion) {
    let header = Header::new(Version::V2, Primitive::FloorStatus, 0x0102_0304, 17, 5);
    let mut attributes = vec![m(Value::FloorId(1))];
    for id in 1..=130u16 {
        attributes.push(m(Value::FloorRequestInformation(Group::new(
            id,
            vec![
                m(Value::OverallRequestStatus(Group::new(
                    id,
                    vec![m(Value::RequestStatus(RequestStatus {
                        status: RequestStatusValue::Accepted,
                        queue_position: u8::try_from(id).unwrap(),
                    }))],
                ))),
                m(Value::FloorRequestStatus(Group::new(1, vec![]))),
                m(Value::BeneficiaryInformation(Group::new(
                    id,
                    vec![m(Value::UserDisplayName(format!("Room {id:03}")))],
                ))),
            ],
        ))));
    }
    let msg = Message::new(header, attributes);
    let max = UdpConfig::default().max_datagram();
    let datagrams = fragment(&msg, max).unwrap();
    assert_eq!(datagrams.len(), 4);
    let whole = msg.encode().unwrap();
    let now = Instant::now();
    let mut g = c.benchmark_group("bfcp/udp_floor_status_4k");
    g.throughput(Throughput::Bytes(whole.len() as u64));
    g.bench_function("fragment", |b| {
        b.iter(|| fragment(black_box(&msg), max).unwrap())
    });
    g.bench_function("reassemble", |b| {
        b.iter(|| {
            let mut r = Reassembler::new();
            let mut out = None;
            for d in black_box(&datagrams) {
                out = r.push(now, 1, d).unwrap();
            }
            out.unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bfcp_codec, bfcp_udp_fragments);
criterion_main!(benches);
