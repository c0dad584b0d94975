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
//!
//! `decode` is `Message::decode` plus `validate` (grammar), what the floor control server does
//! with every message; `encode` is `Message::encode` of the decoded message.
//!
//! No peer in the same run: the BFCP implementations that exist are C (libre, the BFCP
//! module of baresip; Cisco and Poly's are closed), and no maintained Rust crate does BFCP.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use roomgate_bfcp::{
    Attribute, Group, Header, Message, Primitive, Priority, RequestStatus, RequestStatusValue,
    Value, Version,
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

criterion_group!(benches, bfcp_codec);
criterion_main!(benches);
