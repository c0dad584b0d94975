//! The floor control server facing bad or unexpected input: each answered with the Error code
//! RFC 8855 §5.2.6 gives it, or dropped where the RFC says so; the queue policy and idle
//! participants; bounded participants.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod harness;

use std::time::{Duration, Instant};

use harness::{server_config, Net, CONFERENCE};
use roomgate_bfcp::limits::MAX_PARTICIPANTS;
use roomgate_bfcp::{
    Attribute, AttributeType, ErrorCodeValue, FloorState, Header, LeaveReason, Message, Policy,
    Primitive, Server, ServerEvent, ServerOutput, Transport, Value, Version,
};

const A: u16 = 10;
const B: u16 = 11;

fn server(policy: Policy) -> Server {
    Server::new(server_config(policy, Version::V1)).unwrap()
}

fn msg(primitive: Primitive, tx: u16, user: u16, attrs: Vec<Value>) -> Message {
    Message::new(
        Header::new(Version::V1, primitive, CONFERENCE, tx, user),
        attrs.into_iter().map(Attribute::mandatory).collect(),
    )
}

fn send(server: &mut Server, from: u16, bytes: &[u8]) -> Vec<Message> {
    server.handle_input(Instant::now(), from, bytes);
    let mut out = Vec::new();
    while let Some(o) = server.poll_output() {
        if let ServerOutput::Transmit { bytes, .. } = o {
            out.push(Message::decode(&bytes).unwrap());
        }
    }
    out
}

fn send_msg(server: &mut Server, from: u16, m: &Message) -> Vec<Message> {
    send(server, from, &m.encode().unwrap())
}

/// The code and the Transaction ID of the single Error answered.
fn error(replies: &[Message]) -> (ErrorCodeValue, u16, Vec<u8>) {
    assert_eq!(replies.len(), 1, "{replies:?}");
    let m = &replies[0];
    assert_eq!(m.header.primitive, Primitive::Error, "{m:?}");
    m.validate().unwrap();
    let e = m
        .find(AttributeType::ErrorCode)
        .find_map(|v| match v {
            Value::ErrorCode(e) => Some(e.clone()),
            _ => None,
        })
        .unwrap();
    (e.code, m.header.transaction_id, e.unknown_attributes())
}

#[test]
fn unknown_primitive_is_error_3() {
    let mut s = server(Policy::NewestWins);
    let bytes = [0x20, 40, 0, 0, 0x01, 0x02, 0x03, 0x04, 0, 77, 0, A as u8];
    assert_eq!(
        error(&send(&mut s, A, &bytes)),
        (ErrorCodeValue::UnknownPrimitive, 77, vec![])
    );
}

#[test]
fn unknown_mandatory_attribute_is_error_4_listing_it() {
    let mut s = server(Policy::NewestWins);
    let m = msg(
        Primitive::FloorRequest,
        5,
        A,
        vec![
            Value::FloorId(1),
            Value::Unknown {
                attr_type: 100,
                contents: vec![1, 2],
            },
        ],
    );
    assert_eq!(
        error(&send_msg(&mut s, A, &m)),
        (ErrorCodeValue::UnknownMandatoryAttribute, 5, vec![100])
    );
    // The same attribute without the M bit is skipped and the request granted.
    let mut m = m;
    m.attributes[1].mandatory = false;
    let r = send_msg(&mut s, A, &m);
    assert_eq!(r[0].header.primitive, Primitive::FloorRequestStatus);
}

#[test]
fn wrong_conference_and_user_are_errors_1_and_2() {
    let mut s = server(Policy::NewestWins);
    let mut m = msg(Primitive::Hello, 1, A, vec![]);
    m.header.conference_id = 999;
    assert_eq!(
        error(&send_msg(&mut s, A, &m)).0,
        ErrorCodeValue::ConferenceDoesNotExist
    );
    // B's connection speaking as A.
    let m = msg(Primitive::FloorRequest, 2, A, vec![Value::FloorId(1)]);
    assert_eq!(
        error(&send_msg(&mut s, B, &m)).0,
        ErrorCodeValue::UserDoesNotExist
    );
    assert_eq!(s.request_count(), 0);
}

#[test]
fn releasing_what_is_not_yours_or_does_not_exist() {
    let mut s = server(Policy::NewestWins);
    let r = send_msg(
        &mut s,
        A,
        &msg(Primitive::FloorRequest, 1, A, vec![Value::FloorId(1)]),
    );
    let id = r[0]
        .find(AttributeType::FloorRequestInformation)
        .find_map(|v| v.group().map(|g| g.id))
        .unwrap();
    let release = msg(
        Primitive::FloorRelease,
        2,
        B,
        vec![Value::FloorRequestId(id)],
    );
    assert_eq!(
        error(&send_msg(&mut s, B, &release)).0,
        ErrorCodeValue::UnauthorizedOperation
    );
    let release = msg(
        Primitive::FloorRelease,
        3,
        B,
        vec![Value::FloorRequestId(id + 1)],
    );
    assert_eq!(
        error(&send_msg(&mut s, B, &release)).0,
        ErrorCodeValue::FloorRequestIdDoesNotExist
    );
    assert_eq!(s.floor_holder(1), Some(A));
    // Anyone may ask about it.
    let query = msg(
        Primitive::FloorRequestQuery,
        4,
        B,
        vec![Value::FloorRequestId(id)],
    );
    let r = send_msg(&mut s, B, &query);
    assert_eq!(r[0].header.primitive, Primitive::FloorRequestStatus);
    assert_eq!(r[0].header.transaction_id, 4);
}

#[test]
fn chair_actions_and_third_party_requests_are_unauthorized() {
    let mut s = server(Policy::NewestWins);
    let fri = Value::FloorRequestInformation(roomgate_bfcp::Group::new(
        1,
        vec![Attribute::mandatory(Value::FloorRequestStatus(
            roomgate_bfcp::Group::new(1, vec![]),
        ))],
    ));
    let chair = msg(Primitive::ChairAction, 1, A, vec![fri]);
    assert_eq!(
        error(&send_msg(&mut s, A, &chair)).0,
        ErrorCodeValue::UnauthorizedOperation
    );
    let for_b = msg(
        Primitive::FloorRequest,
        2,
        A,
        vec![Value::FloorId(1), Value::BeneficiaryId(B)],
    );
    assert_eq!(
        error(&send_msg(&mut s, A, &for_b)).0,
        ErrorCodeValue::UnauthorizedOperation
    );
}

#[test]
fn grammar_violation_is_error_10_and_errors_are_never_answered() {
    let mut s = server(Policy::NewestWins);
    let no_floor = msg(Primitive::FloorRequest, 1, A, vec![]);
    assert_eq!(
        error(&send_msg(&mut s, A, &no_floor)).0,
        ErrorCodeValue::UnableToParseMessage
    );
    let err = msg(
        Primitive::Error,
        2,
        A,
        vec![Value::ErrorCode(roomgate_bfcp::ErrorCode::new(
            ErrorCodeValue::GenericError,
        ))],
    );
    assert!(send_msg(&mut s, A, &err).is_empty());
    // An undecodable Error is not answered either.
    let mut bytes = err.encode().unwrap();
    bytes.push(0);
    assert!(send(&mut s, A, &bytes).is_empty());
    // Server-only primitives from a participant are dropped.
    let status = msg(Primitive::FloorStatus, 3, A, vec![]);
    assert!(send_msg(&mut s, A, &status).is_empty());
    // Under twelve octets there is nothing to address an Error to.
    assert!(send(&mut s, A, &[0x20, 1, 0]).is_empty());
}

#[test]
fn udp_refuses_version_1_with_error_12_and_bad_lengths_with_13() {
    let mut config = server_config(Policy::NewestWins, Version::V2);
    config.transport = Transport::Udp;
    let mut s = Server::new(config).unwrap();
    let v1 = msg(Primitive::Hello, 1, A, vec![]);
    let r = send_msg(&mut s, A, &v1);
    assert_eq!(error(&r).0, ErrorCodeValue::UnsupportedVersion);
    assert_eq!(r[0].header.version, Version::V2);
    assert!(r[0].header.responder, "R bit marks responses over UDP");
    let mut v2 = v1.clone();
    v2.header.version = Version::V2;
    let r = send_msg(&mut s, A, &v2);
    assert_eq!(r[0].header.primitive, Primitive::HelloAck);
    // The acknowledgements exist over UDP.
    let supported = r[0]
        .find(AttributeType::SupportedPrimitives)
        .find_map(|v| match v {
            Value::SupportedPrimitives(p) => Some(p.clone()),
            _ => None,
        })
        .unwrap();
    assert!(supported.contains(&Primitive::FloorStatusAck.code()));
    let mut bytes = v2.encode().unwrap();
    bytes.extend([0, 0, 0, 0]);
    assert_eq!(
        error(&send(&mut s, A, &bytes)).0,
        ErrorCodeValue::IncorrectMessageLength
    );
    // Version 5 does not exist: answered in ours.
    let mut bytes = v2.encode().unwrap();
    bytes[0] = (bytes[0] & 0x1f) | (5 << 5);
    let r = send(&mut s, A, &bytes);
    assert_eq!(error(&r).0, ErrorCodeValue::UnsupportedVersion);
    assert_eq!(r[0].header.version, Version::V2);
}

#[test]
fn version_2_runs_over_tcp_when_negotiated_and_version_1_is_still_answered() {
    let config = server_config(Policy::NewestWins, Version::V2);
    let mut net = Net::with(config, &[A, B], Version::V2);
    net.connect_all();
    let now = net.now;
    net.peer(A).p.request_floor(now, 1).unwrap();
    net.run();
    net.peer(B).p.request_floor(now, 1).unwrap();
    net.run();
    assert_eq!(net.peer(A).p.floor_state(1), Some(FloorState::Revoked));
    let revoked = net.received_of(A, Primitive::FloorRequestStatus);
    assert_eq!(revoked.last().unwrap().header.version, Version::V2);
    assert!(!revoked.last().unwrap().header.responder);
    // An RFC 4582 request on the same server gets a version-1 answer.
    let mut s = Server::new(server_config(Policy::NewestWins, Version::V2)).unwrap();
    let r = send_msg(&mut s, A, &msg(Primitive::Hello, 9, A, vec![]));
    assert_eq!(r[0].header.version, Version::V1);
}

#[test]
fn queue_policy_grants_in_turn() {
    let mut net = Net::new(Policy::Queue, &[A, B]);
    net.connect_all();
    let now = net.now;
    net.peer(A).p.request_floor(now, 1).unwrap();
    net.run();
    net.peer(B).p.request_floor(now, 1).unwrap();
    net.run();
    assert_eq!(
        net.peer(B).p.floor_state(1),
        Some(FloorState::Accepted { queue_position: 1 })
    );
    net.peer(A).p.release_floor(now, 1).unwrap();
    net.run();
    assert_eq!(net.peer(A).p.floor_state(1), Some(FloorState::Released));
    assert_eq!(net.peer(B).p.floor_state(1), Some(FloorState::Granted));
    assert_eq!(net.server.floor_holder(1), Some(B));
    // A waiting request released is Cancelled.
    net.peer(A).p.request_floor(now, 1).unwrap();
    net.run();
    net.peer(A).p.release_floor(now, 1).unwrap();
    net.run();
    assert_eq!(net.peer(A).p.floor_state(1), Some(FloorState::Cancelled));
}

#[test]
fn idle_participants_are_dropped_and_their_floor_freed() {
    let mut config = server_config(Policy::NewestWins, Version::V1);
    config.idle_timeout = Some(Duration::from_secs(90));
    let mut net = Net::with(config, &[A, B], Version::V1);
    net.connect_all();
    let now = net.now;
    net.peer(B).p.request_floor(now, 1).unwrap();
    net.run();
    // B's machine vanishes without closing its connection; A keeps the session alive
    // with a Hello every 30 s.
    net.peers.retain(|p| p.user != B);
    net.advance(Duration::from_secs(89));
    assert_eq!(net.server.floor_holder(1), Some(B));
    net.advance(Duration::from_secs(1));
    assert_eq!(net.server.floor_holder(1), None);
    assert!(net.server_events.contains(&ServerEvent::Left {
        user_id: B,
        reason: LeaveReason::Idle
    }));
    assert_eq!(net.server.participant_count(), 1);
    net.advance(Duration::from_secs(300));
    assert_eq!(net.server.participant_count(), 1, "A's keep-alives keep it");
}

#[test]
fn participants_are_bounded() {
    let mut s = server(Policy::NewestWins);
    for user in 0..MAX_PARTICIPANTS as u16 {
        let r = send_msg(&mut s, user, &msg(Primitive::Hello, 1, user, vec![]));
        assert_eq!(r[0].header.primitive, Primitive::HelloAck);
    }
    let late = MAX_PARTICIPANTS as u16;
    let r = send_msg(&mut s, late, &msg(Primitive::Hello, 1, late, vec![]));
    assert_eq!(error(&r).0, ErrorCodeValue::GenericError);
    assert_eq!(s.participant_count(), MAX_PARTICIPANTS);
    s.remove_participant(Instant::now(), 0);
    let r = send_msg(&mut s, late, &msg(Primitive::Hello, 2, late, vec![]));
    assert_eq!(r[0].header.primitive, Primitive::HelloAck);
}

#[test]
fn user_query_lists_requests() {
    let mut s = server(Policy::NewestWins);
    send_msg(
        &mut s,
        A,
        &msg(Primitive::FloorRequest, 1, A, vec![Value::FloorId(2)]),
    );
    let r = send_msg(
        &mut s,
        B,
        &msg(Primitive::UserQuery, 2, B, vec![Value::BeneficiaryId(A)]),
    );
    assert_eq!(r[0].header.primitive, Primitive::UserStatus);
    r[0].validate().unwrap();
    assert_eq!(r[0].find(AttributeType::FloorRequestInformation).count(), 1);
    let r = send_msg(
        &mut s,
        B,
        &msg(Primitive::UserQuery, 3, B, vec![Value::BeneficiaryId(99)]),
    );
    assert_eq!(error(&r).0, ErrorCodeValue::UserDoesNotExist);
}

#[test]
fn configuration_is_checked() {
    use roomgate_bfcp::ServerConfigError;
    let mut c = server_config(Policy::NewestWins, Version::V1);
    c.transport = Transport::Udp;
    assert!(matches!(
        Server::new(c),
        Err(ServerConfigError::VersionNotPermitted { version: 1, .. })
    ));
    let mut c = server_config(Policy::NewestWins, Version::V1);
    c.floors.clear();
    assert_eq!(Server::new(c).unwrap_err(), ServerConfigError::NoFloors);
    let mut c = server_config(Policy::NewestWins, Version::V1);
    c.floors = (0..=16)
        .map(|floor_id| roomgate_bfcp::negotiate::FloorBinding {
            floor_id,
            label: "x".into(),
        })
        .collect();
    assert!(matches!(
        Server::new(c),
        Err(ServerConfigError::TooManyFloors { .. })
    ));
}
