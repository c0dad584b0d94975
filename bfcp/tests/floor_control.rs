//! Floor control server and participants talking through the codec and the TCP framer on a
//! virtual clock: the scenarios room systems go through, and the ways a peer misbehaves.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod harness;

use std::time::Duration;

use harness::{server_config, Net, CONFERENCE};
use roomgate_bfcp::{
    Attribute, AttributeType, ErrorCodeValue, FloorState, Header, LeaveReason, Message,
    ParticipantEvent, Policy, Primitive, RequestStatusValue as S, Server, ServerEvent,
    ServerOutput, SessionState, Value, Version,
};

const A: u16 = 10;
const B: u16 = 11;
const C: u16 = 12;

/// (request id, beneficiary, overall status) of each FLOOR-REQUEST-INFORMATION.
fn requests(msg: &Message) -> Vec<(u16, u16, S)> {
    msg.find(AttributeType::FloorRequestInformation)
        .filter_map(Value::group)
        .map(|g| {
            let user = g
                .find(AttributeType::BeneficiaryInformation)
                .find_map(|v| v.group().map(|b| b.id))
                .unwrap();
            let status = g
                .find(AttributeType::OverallRequestStatus)
                .find_map(|v| v.group())
                .and_then(|o| {
                    o.find(AttributeType::RequestStatus).find_map(|v| match v {
                        Value::RequestStatus(s) => Some(s.status),
                        _ => None,
                    })
                })
                .unwrap();
            (g.id, user, status)
        })
        .collect()
}

fn error_code(msg: &Message) -> ErrorCodeValue {
    assert_eq!(msg.header.primitive, Primitive::Error, "{msg:?}");
    msg.find(AttributeType::ErrorCode)
        .find_map(|v| match v {
            Value::ErrorCode(e) => Some(e.code),
            _ => None,
        })
        .unwrap()
}

#[test]
fn hello_exchange_reports_what_the_server_supports() {
    let mut net = Net::new(Policy::NewestWins, &[A]);
    net.connect_all();
    let peer = net.peer(A);
    assert_eq!(peer.p.state(), SessionState::Connected);
    let ParticipantEvent::Connected {
        primitives,
        attributes,
    } = &peer.events[0]
    else {
        panic!("{:?}", peer.events);
    };
    for p in [
        Primitive::FloorRequest,
        Primitive::FloorRelease,
        Primitive::FloorQuery,
        Primitive::Hello,
        Primitive::Goodbye,
    ] {
        assert!(primitives.contains(&p.code()), "{p}");
    }
    // No chair, and no acknowledgements over TCP.
    assert!(!primitives.contains(&Primitive::ChairAction.code()));
    assert!(!primitives.contains(&Primitive::FloorStatusAck.code()));
    assert_eq!(attributes.len(), 18);
    let ack = &peer.received[0];
    assert_eq!(
        ack.header.transaction_id,
        peer.sent[0].header.transaction_id
    );
    assert!(!ack.header.responder, "R bit has no meaning over TCP");
    ack.validate().unwrap();
}

#[test]
fn request_is_granted() {
    let mut net = Net::new(Policy::NewestWins, &[A]);
    net.connect_all();
    let now = net.now;
    net.peer(A).p.request_floor(now, 1).unwrap();
    net.run();
    assert_eq!(net.peer(A).p.floor_state(1), Some(FloorState::Granted));
    assert_eq!(net.server.floor_holder(1), Some(A));
    assert_eq!(net.server.floor_labels(1), ["slides"]);
    let request_id = net.peer(A).p.request_id(1).unwrap();
    assert_eq!(
        net.server_events,
        [ServerEvent::Granted {
            floor_id: 1,
            user_id: A,
            request_id
        }]
    );
    let frs = net.received_of(A, Primitive::FloorRequestStatus);
    assert_eq!(frs.len(), 1);
    assert_eq!(requests(&frs[0]), [(request_id, A, S::Granted)]);
    frs[0].validate().unwrap();
}

#[test]
fn newest_requester_revokes_the_holder_and_subscribers_hear_it() {
    for chunk in [1, 5, 4096] {
        let mut net = Net::new(Policy::NewestWins, &[A, B, C]);
        net.chunk = chunk;
        net.connect_all();
        let now = net.now;
        net.peer(C).p.subscribe(now, &[1]).unwrap();
        net.run();
        // The subscription is answered with the floor's (empty) status.
        let first = net.received_of(C, Primitive::FloorStatus);
        assert_eq!(first.len(), 1);
        assert!(requests(&first[0]).is_empty());

        net.peer(A).p.request_floor(now, 1).unwrap();
        net.run();
        let a_id = net.peer(A).p.request_id(1).unwrap();
        net.peer(B).p.request_floor(now, 1).unwrap();
        net.run();
        let b_id = net.peer(B).p.request_id(1).unwrap();

        assert_eq!(net.peer(A).p.floor_state(1), Some(FloorState::Revoked));
        assert_eq!(net.peer(A).p.request_id(1), None);
        assert_eq!(net.peer(B).p.floor_state(1), Some(FloorState::Granted));
        assert_eq!(net.server.floor_holder(1), Some(B));
        assert_eq!(net.server.request_count(), 1);
        // A heard of the revocation in a notification: Transaction ID 0 over TCP.
        let a_frs = net.received_of(A, Primitive::FloorRequestStatus);
        let revoked = a_frs.last().unwrap();
        assert_eq!(revoked.header.transaction_id, 0);
        assert_eq!(requests(revoked), [(a_id, A, S::Revoked)]);
        // The subscriber saw A granted, then one FloorStatus with A revoked and B granted.
        let statuses = net.received_of(C, Primitive::FloorStatus);
        assert_eq!(statuses.len(), 3, "chunk {chunk}");
        assert_eq!(requests(&statuses[1]), [(a_id, A, S::Granted)]);
        assert_eq!(
            requests(&statuses[2]),
            [(a_id, A, S::Revoked), (b_id, B, S::Granted)]
        );
        assert_eq!(net.peer(C).p.floor_holder(1), Some(B));
        assert!(net.peer(C).events.contains(&ParticipantEvent::FloorHolder {
            floor_id: 1,
            holder: Some(B)
        }));
        // The gateway hears the end of A's turn before B's grant.
        assert_eq!(
            net.server_events[1..],
            [
                ServerEvent::Ended {
                    floor_id: 1,
                    user_id: A,
                    request_id: a_id,
                    status: S::Revoked
                },
                ServerEvent::Granted {
                    floor_id: 1,
                    user_id: B,
                    request_id: b_id
                }
            ]
        );
        // Only the subscriber gets FloorStatus.
        assert!(net.received_of(A, Primitive::FloorStatus).is_empty());
    }
}

#[test]
fn release_frees_the_floor() {
    let mut net = Net::new(Policy::NewestWins, &[A, C]);
    net.connect_all();
    let now = net.now;
    net.peer(C).p.subscribe(now, &[1, 2]).unwrap();
    net.peer(A).p.request_floor(now, 1).unwrap();
    net.run();
    let id = net.peer(A).p.request_id(1).unwrap();
    net.peer(A).p.release_floor(now, 1).unwrap();
    net.run();
    assert_eq!(net.peer(A).p.floor_state(1), Some(FloorState::Released));
    assert_eq!(net.server.floor_holder(1), None);
    assert_eq!(net.server.request_count(), 0);
    let statuses = net.received_of(C, Primitive::FloorStatus);
    assert_eq!(requests(statuses.last().unwrap()), [(id, A, S::Released)]);
    assert_eq!(net.peer(C).p.floor_holder(1), None);
    assert!(net.server_events.contains(&ServerEvent::Ended {
        floor_id: 1,
        user_id: A,
        request_id: id,
        status: S::Released
    }));
    // Released twice: nothing live to release.
    assert!(net.peer(A).p.release_floor(now, 1).is_err());
    // Two subscribed floors: the answer, then a notification for the second.
    let firsts: Vec<u16> = net.received_of(C, Primitive::FloorStatus)[..2]
        .iter()
        .map(|m| m.header.transaction_id)
        .collect();
    assert_ne!(firsts[0], 0);
    assert_eq!(firsts[1], 0);
}

#[test]
fn unknown_floor_is_refused_with_error_6() {
    let mut net = Net::new(Policy::NewestWins, &[A]);
    net.connect_all();
    let now = net.now;
    net.peer(A).p.request_floor(now, 9).unwrap();
    net.run();
    assert_eq!(net.peer(A).p.floor_state(9), Some(FloorState::Failed));
    assert!(net.peer(A).events.contains(&ParticipantEvent::Error {
        primitive: Primitive::FloorRequest,
        code: ErrorCodeValue::InvalidFloorId,
        info: Some("floor 9 does not exist".into()),
    }));
    assert_eq!(net.server.request_count(), 0);
    // Subscribing to it fails the same way.
    net.peer(A).p.subscribe(now, &[1, 9]).unwrap();
    net.run();
    let errors = net.received_of(A, Primitive::Error);
    assert_eq!(
        error_code(errors.last().unwrap()),
        ErrorCodeValue::InvalidFloorId
    );
}

#[test]
fn goodbye_ends_the_session_and_releases_the_floor() {
    let mut net = Net::new(Policy::NewestWins, &[A, C]);
    net.connect_all();
    let now = net.now;
    net.peer(C).p.subscribe(now, &[1]).unwrap();
    net.peer(A).p.request_floor(now, 1).unwrap();
    net.run();
    net.peer(A).p.goodbye(now).unwrap();
    assert_eq!(net.peer(A).p.state(), SessionState::Closing);
    net.run();
    assert_eq!(net.peer(A).p.state(), SessionState::Closed);
    assert_eq!(
        net.received_of(A, Primitive::GoodbyeAck).len(),
        1,
        "GoodbyeAck answers Goodbye"
    );
    assert_eq!(net.server.participant_count(), 1);
    assert_eq!(net.server.floor_holder(1), None);
    assert!(net.server_events.contains(&ServerEvent::Left {
        user_id: A,
        reason: LeaveReason::Goodbye
    }));
    let statuses = net.received_of(C, Primitive::FloorStatus);
    assert_eq!(requests(statuses.last().unwrap())[0].2, S::Released);
    assert!(net.peer(A).p.request_floor(now, 1).is_err());

    // The server says goodbye to C, which acknowledges and is forgotten.
    let now = net.now;
    net.server.goodbye(now, C);
    net.run();
    assert_eq!(net.peer(C).p.state(), SessionState::Closed);
    assert_eq!(net.server.participant_count(), 0);
}

#[test]
fn keepalive_hello_every_interval() {
    let mut net = Net::new(Policy::NewestWins, &[A]);
    net.connect_all();
    let hellos = |net: &mut Net| {
        net.peer(A)
            .sent
            .iter()
            .filter(|m| m.header.primitive == Primitive::Hello)
            .count()
    };
    assert_eq!(hellos(&mut net), 1);
    net.advance(Duration::from_secs(29));
    assert_eq!(hellos(&mut net), 1);
    net.advance(Duration::from_secs(1));
    assert_eq!(hellos(&mut net), 2);
    net.advance(Duration::from_secs(60));
    assert_eq!(hellos(&mut net), 4);
    assert_eq!(net.peer(A).p.state(), SessionState::Connected);
    assert_eq!(net.received_of(A, Primitive::HelloAck).len(), 4);
}

#[test]
fn unanswered_requests_time_out_and_a_dead_server_fails_the_session() {
    let mut net = Net::new(Policy::NewestWins, &[A]);
    net.connect_all();
    net.peer(A).linked = false;
    let now = net.now;
    let tx = net.peer(A).p.request_floor(now, 1).unwrap();
    net.run();
    net.advance(Duration::from_secs(9));
    assert_eq!(net.peer(A).p.floor_state(1), Some(FloorState::Requesting));
    net.advance(Duration::from_secs(1));
    assert_eq!(net.peer(A).p.floor_state(1), Some(FloorState::Failed));
    assert!(net.peer(A).events.contains(&ParticipantEvent::TimedOut {
        primitive: Primitive::FloorRequest,
        transaction_id: tx
    }));
    // The keep-alive at 30 s goes unanswered: 10 s later the session has failed.
    net.advance(Duration::from_secs(29));
    assert_eq!(net.peer(A).p.state(), SessionState::Connected);
    net.advance(Duration::from_secs(1));
    assert_eq!(net.peer(A).p.state(), SessionState::Failed);
    assert_eq!(net.peer(A).p.poll_timeout(), None);
}

fn floor_request(tx: u16, user: u16, floors: &[u16]) -> Message {
    Message::new(
        Header::new(Version::V1, Primitive::FloorRequest, CONFERENCE, tx, user),
        floors
            .iter()
            .map(|f| Attribute::mandatory(Value::FloorId(*f)))
            .collect(),
    )
}

/// Sends one message to a bare server and returns what it answered.
fn exchange(server: &mut Server, from: u16, bytes: &[u8]) -> Vec<Message> {
    server.handle_input(std::time::Instant::now(), from, bytes);
    let mut out = Vec::new();
    while let Some(o) = server.poll_output() {
        if let ServerOutput::Transmit { to, bytes } = o {
            assert_eq!(to, from);
            out.push(Message::decode(&bytes).unwrap());
        }
    }
    out
}

#[test]
fn ten_thousand_duplicate_requests_stay_one_request() {
    let mut server = Server::new(server_config(Policy::NewestWins, Version::V1)).unwrap();
    let mut first_id = None;
    for tx in 1..=10_000u16 {
        let replies = exchange(
            &mut server,
            A,
            &floor_request(tx, A, &[1]).encode().unwrap(),
        );
        assert_eq!(replies.len(), 1);
        assert_eq!(replies[0].header.transaction_id, tx);
        let [(id, user, status)] = requests(&replies[0])[..] else {
            panic!("{:?}", replies[0]);
        };
        assert_eq!((user, status), (A, S::Granted));
        assert_eq!(*first_id.get_or_insert(id), id);
        assert_eq!(server.request_count(), 1);
    }
    // Repeating with the floor listed twice is still the same request.
    let r = exchange(
        &mut server,
        A,
        &floor_request(1, A, &[1, 1]).encode().unwrap(),
    );
    assert_eq!(requests(&r[0])[0].0, first_id.unwrap());
    assert_eq!(server.request_count(), 1);
}

#[test]
fn per_participant_request_limit_answers_error_8() {
    use roomgate_bfcp::limits::MAX_REQUESTS_PER_PARTICIPANT;
    use roomgate_bfcp::negotiate::FloorBinding;
    // Queue policy and six floors: every distinct request stays alive.
    let mut config = server_config(Policy::Queue, Version::V1);
    config.floors = (1..=6)
        .map(|floor_id| FloorBinding {
            floor_id,
            label: format!("s{floor_id}"),
        })
        .collect();
    let mut server = Server::new(config).unwrap();
    for floor in 1..=MAX_REQUESTS_PER_PARTICIPANT as u16 {
        let r = exchange(
            &mut server,
            A,
            &floor_request(floor, A, &[floor]).encode().unwrap(),
        );
        assert_eq!(requests(&r[0])[0].2, S::Granted);
    }
    let r = exchange(
        &mut server,
        A,
        &floor_request(99, A, &[6]).encode().unwrap(),
    );
    assert_eq!(error_code(&r[0]), ErrorCodeValue::MaxFloorRequestsReached);
    assert_eq!(r[0].header.transaction_id, 99);
    // Another participant is not affected; a request over five floors is refused.
    let r = exchange(&mut server, B, &floor_request(1, B, &[6]).encode().unwrap());
    assert_eq!(requests(&r[0])[0].2, S::Granted);
    let r = exchange(
        &mut server,
        B,
        &floor_request(2, B, &[1, 2, 3, 4, 5]).encode().unwrap(),
    );
    assert_eq!(error_code(&r[0]), ErrorCodeValue::GenericError);
    assert_eq!(server.request_count(), MAX_REQUESTS_PER_PARTICIPANT + 1);
}
