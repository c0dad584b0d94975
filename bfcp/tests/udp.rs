//! BFCP over UDP on a virtual clock and a virtual network that loses, repeats and reorders
//! datagrams on demand: retransmission on T1 (doubling, then failure), the response cache
//! kept for T2, acknowledgements of the server's notifications, fragmentation and
//! reassembly, and hostile input (fragment floods, overlaps, 10,000 identical requests).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::time::{Duration, Instant};

use roomgate_bfcp::limits::{
    MAX_CACHED_RESPONSES_PER_PEER, MAX_MESSAGE_LEN, MAX_PENDING_REASSEMBLIES_PER_PEER,
    MAX_RESPONSE_CACHE_BYTES, MAX_UNACKED_PER_PARTICIPANT,
};
use roomgate_bfcp::negotiate::FloorBinding;
use roomgate_bfcp::udp::{fragment, UdpConfig, MAX_RETRANSMISSIONS, MIN_PATH_MTU, T1, T2};
use roomgate_bfcp::{
    Attribute, AttributeType, CommonHeader, FloorState, Fragment, Header, LeaveReason, Message,
    Participant, ParticipantConfig, ParticipantEvent, ParticipantOutput, Policy, Primitive, Server,
    ServerConfig, ServerEvent, ServerOutput, SessionState, Transport, Value, Version,
};

const CONFERENCE: u32 = 0x0a0b_0c0d;
const A: u16 = 10;
const B: u16 = 11;
const C: u16 = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dir {
    /// Participant to server.
    Up,
    /// Server to participant.
    Down,
}

/// One datagram on the wire, delivered or not.
#[derive(Debug, Clone)]
struct Wire {
    at: Duration,
    dir: Dir,
    user: u16,
    bytes: Vec<u8>,
    lost: bool,
}

impl Wire {
    fn header(&self) -> CommonHeader {
        CommonHeader::decode(&self.bytes).unwrap()
    }

    fn primitive(&self) -> Primitive {
        Primitive::from_code(self.header().primitive).unwrap()
    }
}

type LoseFn = Box<dyn FnMut(&Wire) -> bool>;

struct Peer {
    user: u16,
    p: Participant,
    events: Vec<ParticipantEvent>,
}

struct UdpNet {
    start: Instant,
    now: Instant,
    server: Server,
    peers: Vec<Peer>,
    server_events: Vec<ServerEvent>,
    wire: Vec<Wire>,
    lose: LoseFn,
}

fn floors() -> Vec<FloorBinding> {
    [1, 2]
        .map(|floor_id| FloorBinding {
            floor_id,
            label: format!("content{floor_id}"),
        })
        .to_vec()
}

fn server_config(policy: Policy) -> ServerConfig {
    ServerConfig {
        conference_id: CONFERENCE,
        transport: Transport::Udp,
        version: Version::V2,
        floors: floors(),
        policy,
        first_transaction_id: 5000,
        idle_timeout: None,
        udp: UdpConfig::default(),
    }
}

impl UdpNet {
    fn new(policy: Policy, users: &[u16]) -> UdpNet {
        UdpNet::with(server_config(policy), users, UdpConfig::default())
    }

    fn with(config: ServerConfig, users: &[u16], udp: UdpConfig) -> UdpNet {
        let now = Instant::now();
        let peers = users
            .iter()
            .map(|&user| {
                let mut cfg = ParticipantConfig::new(CONFERENCE, user, Transport::Udp, Version::V2);
                cfg.first_transaction_id = user * 100;
                cfg.udp = udp;
                Peer {
                    user,
                    p: Participant::new(cfg),
                    events: Vec::new(),
                }
            })
            .collect();
        UdpNet {
            start: now,
            now,
            server: Server::new(config).unwrap(),
            peers,
            server_events: Vec::new(),
            wire: Vec::new(),
            lose: Box::new(|_| false),
        }
    }

    fn peer(&mut self, user: u16) -> &mut Peer {
        self.peers.iter_mut().find(|p| p.user == user).unwrap()
    }

    fn connect_all(&mut self) {
        let now = self.now;
        for peer in &mut self.peers {
            peer.p.connect(now).unwrap();
        }
        self.run();
    }

    /// Delivers datagrams both ways until nobody has anything left to send.
    fn run(&mut self) {
        for _ in 0..1000 {
            let mut moved = false;
            let now = self.now;
            let at = now - self.start;
            let mut up = Vec::new();
            for peer in &mut self.peers {
                while let Some(out) = peer.p.poll_output() {
                    match out {
                        ParticipantOutput::Transmit(bytes) => up.push((peer.user, bytes)),
                        ParticipantOutput::Event(e) => peer.events.push(e),
                    }
                }
            }
            for (user, bytes) in up {
                moved = true;
                let mut w = Wire {
                    at,
                    dir: Dir::Up,
                    user,
                    bytes,
                    lost: false,
                };
                w.lost = (self.lose)(&w);
                if !w.lost {
                    self.server.handle_input(now, user, &w.bytes);
                }
                self.wire.push(w);
            }
            while let Some(out) = self.server.poll_output() {
                match out {
                    ServerOutput::Transmit { to, bytes } => {
                        moved = true;
                        let mut w = Wire {
                            at,
                            dir: Dir::Down,
                            user: to,
                            bytes,
                            lost: false,
                        };
                        w.lost = (self.lose)(&w);
                        if !w.lost {
                            if let Some(peer) = self.peers.iter_mut().find(|p| p.user == to) {
                                peer.p.handle_input(now, &w.bytes);
                            }
                        }
                        self.wire.push(w);
                    }
                    ServerOutput::Event(e) => self.server_events.push(e),
                }
            }
            if !moved {
                return;
            }
        }
        panic!("the exchange never settles");
    }

    /// Moves the clock to `now + d`, firing every timer on the way at its time.
    fn advance(&mut self, d: Duration) {
        let target = self.now + d;
        for _ in 0..10_000 {
            let next = self
                .peers
                .iter()
                .filter_map(|p| p.p.poll_timeout())
                .chain(self.server.poll_timeout())
                .min();
            match next {
                Some(t) if t <= target => {
                    self.now = self.now.max(t);
                    let now = self.now;
                    for peer in &mut self.peers {
                        if peer.p.poll_timeout().is_some_and(|t| t <= now) {
                            peer.p.handle_timeout(now);
                        }
                    }
                    if self.server.poll_timeout().is_some_and(|t| t <= now) {
                        self.server.handle_timeout(now);
                    }
                    self.run();
                }
                _ => break,
            }
        }
        self.now = target;
    }

    /// Datagrams of one primitive in one direction, lost or not, as (time, user, lost).
    fn sent(&self, dir: Dir, primitive: Primitive) -> Vec<Wire> {
        self.wire
            .iter()
            .filter(|w| w.dir == dir && w.primitive() == primitive)
            .cloned()
            .collect()
    }

    fn events(&mut self, user: u16) -> Vec<ParticipantEvent> {
        std::mem::take(&mut self.peer(user).events)
    }
}

fn ms(d: Duration) -> u128 {
    d.as_millis()
}

#[test]
fn a_request_is_retransmitted_on_t1_doubling_then_fails() {
    let mut net = UdpNet::new(Policy::NewestWins, &[A]);
    net.lose = Box::new(|w| w.dir == Dir::Up);
    net.connect_all();
    net.advance(Duration::from_secs(20));
    let hellos = net.sent(Dir::Up, Primitive::Hello);
    let times: Vec<u128> = hellos.iter().map(|w| ms(w.at)).collect();
    assert_eq!(times, [0, 500, 1500, 3500]);
    assert_eq!(hellos.len(), 1 + usize::from(MAX_RETRANSMISSIONS));
    // Every retransmission is the same datagram: same Transaction ID.
    assert!(hellos.iter().all(|w| w.bytes == hellos[0].bytes));
    assert_eq!(net.peer(A).p.state(), SessionState::Failed);
    let events = net.events(A);
    assert!(events.contains(&ParticipantEvent::TimedOut {
        primitive: Primitive::Hello,
        transaction_id: hellos[0].header().transaction_id,
    }));
    let stats = net.peer(A).p.udp_stats().unwrap();
    assert_eq!(stats.retransmissions, 3);
    assert_eq!(stats.unanswered, 1);
    assert_eq!(stats.awaiting_answer, 0);
    // Failure came when T1 fired the fourth time: 7.5 s after the first Hello.
    assert_eq!(T1 * 15, Duration::from_millis(7500));
    assert_eq!(net.peer(A).p.poll_timeout(), None);
}

#[test]
fn answers_carry_the_r_bit_and_the_request_transaction_id() {
    let mut net = UdpNet::new(Policy::NewestWins, &[A]);
    net.connect_all();
    let now = net.now;
    let tx = net.peer(A).p.request_floor(now, 1).unwrap();
    net.run();
    assert_eq!(net.peer(A).p.floor_state(1), Some(FloorState::Granted));
    for w in &net.wire {
        let h = w.header();
        assert_eq!(h.version, 2, "{w:?}");
        assert_ne!(h.transaction_id, 0, "{w:?}");
        assert_eq!(h.responder, w.dir == Dir::Down, "{w:?}");
    }
    let status = net.sent(Dir::Down, Primitive::FloorRequestStatus);
    assert_eq!(status.len(), 1);
    assert_eq!(status[0].header().transaction_id, tx);
    // Nothing is retransmitted once answered.
    net.advance(Duration::from_secs(30));
    assert_eq!(net.sent(Dir::Up, Primitive::FloorRequest).len(), 1);
    assert_eq!(net.peer(A).p.udp_stats().unwrap().retransmissions, 0);
}

#[test]
fn a_lost_answer_is_replayed_from_the_cache_and_the_request_processed_once() {
    let mut net = UdpNet::new(Policy::NewestWins, &[A]);
    net.connect_all();
    let mut dropped = 0;
    net.lose = Box::new(move |w| {
        let first = w.dir == Dir::Down && w.primitive() == Primitive::FloorRequestStatus;
        if first && dropped < 2 {
            dropped += 1;
            return true;
        }
        false
    });
    let now = net.now;
    net.peer(A).p.request_floor(now, 1).unwrap();
    net.run();
    assert_eq!(net.peer(A).p.floor_state(1), Some(FloorState::Requesting));
    net.advance(Duration::from_secs(5));
    assert_eq!(net.peer(A).p.floor_state(1), Some(FloorState::Granted));
    // Requested three times (two retransmissions), granted once, answered three times with
    // the same datagram.
    let requests = net.sent(Dir::Up, Primitive::FloorRequest);
    assert_eq!(
        requests.iter().map(|w| ms(w.at)).collect::<Vec<_>>(),
        [0, 500, 1500]
    );
    let answers = net.sent(Dir::Down, Primitive::FloorRequestStatus);
    assert_eq!(answers.len(), 3);
    assert!(answers.iter().all(|w| w.bytes == answers[0].bytes));
    let granted: Vec<_> = net
        .server_events
        .iter()
        .filter(|e| matches!(e, ServerEvent::Granted { .. }))
        .collect();
    assert_eq!(granted.len(), 1);
    assert_eq!(net.server.request_count(), 1);
    let stats = net.server.udp_stats().unwrap();
    assert_eq!(stats.replayed, 2);
    // Kept for T2, then forgotten: the same datagram afterwards is processed again (and,
    // being a duplicate request, answered with the live request's status).
    assert!(stats.cached_responses >= 1);
    net.advance(T2);
    assert_eq!(net.server.udp_stats().unwrap().cached_responses, 0);
}

#[test]
fn notifications_are_retransmitted_until_acknowledged() {
    let mut net = UdpNet::new(Policy::NewestWins, &[A, B, C]);
    net.connect_all();
    let now = net.now;
    net.peer(C).p.subscribe(now, &[1]).unwrap();
    net.run();
    net.peer(A).p.request_floor(now, 1).unwrap();
    net.run();
    // C's FloorStatus about A's grant was acknowledged at once.
    let acks = net.sent(Dir::Up, Primitive::FloorStatusAck);
    assert_eq!(acks.len(), 1);
    assert_eq!(acks[0].user, C);
    assert!(acks[0].header().responder);
    assert_eq!(net.server.udp_stats().unwrap().awaiting_answer, 0);

    // B takes the floor; the revocation to A is lost twice on the way.
    let mut dropped = 0;
    net.lose = Box::new(move |w| {
        let revocation = w.dir == Dir::Down
            && w.user == A
            && w.primitive() == Primitive::FloorRequestStatus
            && !w.header().responder;
        if revocation && dropped < 2 {
            dropped += 1;
            return true;
        }
        false
    });
    net.peer(B).p.request_floor(now, 1).unwrap();
    net.run();
    assert_eq!(net.peer(A).p.floor_state(1), Some(FloorState::Granted));
    assert_eq!(net.server.udp_stats().unwrap().awaiting_answer, 1);
    net.advance(Duration::from_secs(3));
    assert_eq!(net.peer(A).p.floor_state(1), Some(FloorState::Revoked));
    let revocations: Vec<_> = net
        .sent(Dir::Down, Primitive::FloorRequestStatus)
        .into_iter()
        .filter(|w| w.user == A && !w.header().responder)
        .collect();
    assert_eq!(
        revocations.iter().map(|w| ms(w.at)).collect::<Vec<_>>(),
        [0, 500, 1500]
    );
    let tx = revocations[0].header().transaction_id;
    let acks: Vec<_> = net
        .sent(Dir::Up, Primitive::FloorRequestStatusAck)
        .into_iter()
        .map(|w| (w.user, w.header().transaction_id, w.header().responder))
        .collect();
    assert_eq!(acks, [(A, tx, true)]);
    assert_eq!(net.server.udp_stats().unwrap().awaiting_answer, 0);
    assert!(!net
        .server_events
        .iter()
        .any(|e| matches!(e, ServerEvent::Unacknowledged { .. })));
}

#[test]
fn a_repeated_notification_is_acknowledged_again_and_processed_once() {
    let mut net = UdpNet::new(Policy::NewestWins, &[A, B]);
    net.connect_all();
    let now = net.now;
    net.peer(A).p.request_floor(now, 1).unwrap();
    net.run();
    net.events(A);
    // The first acknowledgement of the revocation is lost: the server sends it again.
    let mut dropped = false;
    net.lose = Box::new(move |w| {
        if !dropped && w.primitive() == Primitive::FloorRequestStatusAck {
            dropped = true;
            return true;
        }
        false
    });
    net.peer(B).p.request_floor(now, 1).unwrap();
    net.run();
    net.advance(Duration::from_secs(2));
    let revoked: Vec<_> = net
        .events(A)
        .into_iter()
        .filter(|e| {
            matches!(
                e,
                ParticipantEvent::Floor {
                    state: FloorState::Revoked,
                    ..
                }
            )
        })
        .collect();
    assert_eq!(revoked.len(), 1, "processed once");
    let acks = net.sent(Dir::Up, Primitive::FloorRequestStatusAck);
    assert_eq!(acks.len(), 2);
    assert_eq!(acks[0].bytes, acks[1].bytes);
    assert_eq!(net.peer(A).p.udp_stats().unwrap().replayed, 1);
    assert_eq!(net.server.udp_stats().unwrap().awaiting_answer, 0);
}

#[test]
fn an_unacknowledged_notification_is_given_up_and_reported() {
    let mut net = UdpNet::new(Policy::NewestWins, &[A, B]);
    net.connect_all();
    let now = net.now;
    net.peer(A).p.request_floor(now, 1).unwrap();
    net.run();
    net.lose = Box::new(|w| w.dir == Dir::Down && w.user == A);
    net.peer(B).p.request_floor(now, 1).unwrap();
    net.run();
    net.advance(Duration::from_secs(10));
    let tx = net
        .sent(Dir::Down, Primitive::FloorRequestStatus)
        .into_iter()
        .filter(|w| w.user == A && !w.header().responder)
        .map(|w| w.header().transaction_id)
        .collect::<Vec<_>>();
    assert_eq!(tx.len(), 4, "sent once, retransmitted three times");
    assert!(net.server_events.contains(&ServerEvent::Unacknowledged {
        user_id: A,
        primitive: Primitive::FloorRequestStatus,
        transaction_id: tx[0],
    }));
    let stats = net.server.udp_stats().unwrap();
    assert_eq!((stats.awaiting_answer, stats.unanswered), (0, 1));
    // The floor moved regardless.
    assert_eq!(net.server.floor_holder(1), Some(B));
}

#[test]
fn goodbye_is_retransmitted_and_the_silent_participant_removed() {
    let mut net = UdpNet::new(Policy::NewestWins, &[A, B]);
    net.connect_all();
    let now = net.now;
    net.server.goodbye(now, A);
    net.run();
    assert_eq!(net.peer(A).p.state(), SessionState::Closed);
    assert!(net.server_events.contains(&ServerEvent::Left {
        user_id: A,
        reason: LeaveReason::Goodbye
    }));
    net.lose = Box::new(|w| w.dir == Dir::Up);
    let now = net.now;
    net.server.goodbye(now, B);
    net.run();
    net.advance(Duration::from_secs(10));
    assert_eq!(net.sent(Dir::Down, Primitive::Goodbye).len(), 1 + 4);
    assert!(net.server_events.contains(&ServerEvent::Left {
        user_id: B,
        reason: LeaveReason::GoodbyeUnanswered
    }));
    assert_eq!(net.server.participant_count(), 0);
}

#[test]
fn a_retransmitted_goodbye_is_answered_from_the_cache_not_taken_for_a_newcomer() {
    let mut net = UdpNet::new(Policy::NewestWins, &[A]);
    net.connect_all();
    let mut dropped = false;
    net.lose = Box::new(move |w| {
        if !dropped && w.primitive() == Primitive::GoodbyeAck {
            dropped = true;
            return true;
        }
        false
    });
    let now = net.now;
    net.peer(A).p.goodbye(now).unwrap();
    net.run();
    net.advance(Duration::from_secs(2));
    assert_eq!(net.peer(A).p.state(), SessionState::Closed);
    let left: Vec<_> = net
        .server_events
        .iter()
        .filter(|e| matches!(e, ServerEvent::Left { .. }))
        .collect();
    assert_eq!(left.len(), 1);
    assert_eq!(net.server.participant_count(), 0);
    assert_eq!(net.sent(Dir::Down, Primitive::GoodbyeAck).len(), 2);
}

/// A FloorStatus listing many queued requests, larger than one datagram at the smallest
/// MTU: fragmented by the server, reassembled and acknowledged by the participant.
#[test]
fn large_messages_are_fragmented_and_reassembled_both_ways() {
    let udp = UdpConfig {
        path_mtu: MIN_PATH_MTU,
    };
    let mut config = server_config(Policy::Queue);
    config.udp = udp;
    let users: Vec<u16> = (100..140).collect();
    let mut all = users.clone();
    all.push(C);
    let mut net = UdpNet::with(config, &all, udp);
    net.connect_all();
    let now = net.now;
    for u in &users {
        net.peer(*u).p.request_floor(now, 1).unwrap();
    }
    net.run();
    net.peer(C).p.subscribe(now, &[1]).unwrap();
    net.run();
    let to_c: Vec<&Wire> = net
        .wire
        .iter()
        .filter(|w| w.dir == Dir::Down && w.user == C)
        .filter(|w| w.header().fragment.is_some())
        .collect();
    assert!(to_c.len() >= 2, "the FloorStatus went in fragments");
    assert!(to_c.iter().all(|w| w.bytes.len() <= udp.max_datagram()));
    let holder = net.peer(C).p.floor_holder(1);
    assert_eq!(holder, Some(100));
    assert!(net.events(C).contains(&ParticipantEvent::FloorHolder {
        floor_id: 1,
        holder: Some(100)
    }));

    // Now a release moves everyone up: the FloorStatus notification to C is fragmented too,
    // and C acknowledges the whole message once.
    let now = net.now;
    net.peer(100).p.release_floor(now, 1).unwrap();
    net.run();
    assert_eq!(net.peer(C).p.floor_holder(1), Some(101));
    assert_eq!(net.server.udp_stats().unwrap().awaiting_answer, 0);

    // Up: a FloorRequest larger than the MTU, fragments sent in reverse order.
    let mut msg = Message::new(
        Header::new(Version::V2, Primitive::FloorRequest, CONFERENCE, 9, C),
        vec![
            Attribute::mandatory(Value::FloorId(2)),
            Attribute::mandatory(Value::ParticipantProvidedInfo("x".repeat(250))),
        ],
    );
    for _ in 0..4 {
        msg.attributes.push(Attribute::optional(Value::Unknown {
            attr_type: 100,
            contents: vec![0; 240],
        }));
    }
    let mut datagrams = fragment(&msg, udp.max_datagram()).unwrap();
    assert!(datagrams.len() >= 2);
    datagrams.reverse();
    let now = net.now;
    for d in &datagrams {
        net.server.handle_input(now, C, d);
    }
    let mut answers = Vec::new();
    while let Some(out) = net.server.poll_output() {
        if let ServerOutput::Transmit { bytes, .. } = out {
            answers.push(Message::decode(&bytes).unwrap());
        }
    }
    assert_eq!(answers[0].header.primitive, Primitive::FloorRequestStatus);
    assert_eq!(answers[0].header.transaction_id, 9);
    assert_eq!(net.server.floor_holder(2), Some(C));
}

#[test]
fn fragment_floods_and_overlaps_stay_bounded_and_unanswered() {
    let mut server = Server::new(server_config(Policy::NewestWins)).unwrap();
    let now = Instant::now();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    // 100,000 fragments of 40,000 would-be messages, each declaring the largest payload.
    let max_units = u16::try_from((MAX_MESSAGE_LEN - 12) / 4).unwrap();
    let mut peak = 0;
    for i in 0..100_000u32 {
        let tx = (next() % 40_000) as u16;
        let user = [A, B, C][(i % 3) as usize];
        let f = Fragment {
            header: Header::new(Version::V2, Primitive::FloorRequest, CONFERENCE, tx, user),
            payload_units: max_units,
            offset: (next() % u64::from(max_units - 300)) as u16,
            data: vec![(i % 251) as u8; 1024],
        };
        server.handle_input(now, user, &f.encode().unwrap());
        let stats = server.udp_stats().unwrap();
        assert!(stats.reassemblies <= 3 * MAX_PENDING_REASSEMBLIES_PER_PEER);
        peak = peak.max(stats.reassembly_bytes);
        assert!(
            server.poll_output().is_none(),
            "fragments are never answered"
        );
    }
    // Each peer holds at most its few messages in progress, each at most one message.
    assert!(peak <= 3 * MAX_PENDING_REASSEMBLIES_PER_PEER * MAX_MESSAGE_LEN);
    let stats = server.udp_stats().unwrap();
    assert!(stats.dropped_fragments > 90_000, "{stats:?}");

    // Overlapping fragments: the message is dropped, nothing answered, and the same
    // transaction then reassembles cleanly from a consistent set.
    let msg = Message::new(
        Header::new(Version::V2, Primitive::Hello, CONFERENCE, 77, A),
        vec![Attribute::optional(Value::Unknown {
            attr_type: 100,
            contents: vec![5; 200],
        })],
    );
    let good = fragment(&msg, 16 + 64).unwrap();
    let mut bad = Fragment::decode(&good[1]).unwrap();
    bad.offset -= 1;
    let later = Instant::now() + Duration::from_secs(60);
    server.handle_timeout(later);
    assert_eq!(server.udp_stats().unwrap().reassemblies, 0);
    server.handle_input(later, A, &good[0]);
    server.handle_input(later, A, &bad.encode().unwrap());
    assert_eq!(server.udp_stats().unwrap().reassemblies, 0);
    for d in &good[1..] {
        server.handle_input(later, A, d);
    }
    assert!(
        server.poll_output().is_none(),
        "the rest alone is incomplete"
    );
    server.handle_input(later, A, &good[0]);
    let out = server.poll_output();
    let Some(ServerOutput::Transmit { bytes, .. }) = out else {
        panic!("{out:?}");
    };
    assert_eq!(
        Message::decode(&bytes).unwrap().header.primitive,
        Primitive::HelloAck
    );
    // Fragments left incomplete are abandoned after FRAGMENT_TIMEOUT.
    server.handle_input(later, B, &good[0]);
    assert_eq!(server.udp_stats().unwrap().reassemblies, 1);
    let t = server.poll_timeout().unwrap();
    server.handle_timeout(t);
    assert_eq!(server.udp_stats().unwrap().reassemblies, 0);
}

#[test]
fn ten_thousand_identical_requests_over_udp_are_one_request_and_bounded_state() {
    let mut server = Server::new(server_config(Policy::NewestWins)).unwrap();
    let t0 = Instant::now();
    let request = |tx: u16| {
        Message::new(
            Header::new(Version::V2, Primitive::FloorRequest, CONFERENCE, tx, A),
            vec![Attribute::mandatory(Value::FloorId(1))],
        )
        .encode()
        .unwrap()
    };
    // The same datagram 10,000 times (a retransmitting storm): processed once, every copy
    // answered with the one cached answer.
    let same = request(1);
    let mut first: Option<Vec<u8>> = None;
    for i in 0..10_000u32 {
        server.handle_input(t0 + Duration::from_micros(u64::from(i)), A, &same);
        let Some(ServerOutput::Transmit { bytes, .. }) = server.poll_output() else {
            panic!("no answer");
        };
        assert_eq!(bytes, *first.get_or_insert(bytes.clone()));
        while let Some(o) = server.poll_output() {
            assert!(matches!(o, ServerOutput::Event(_)), "{o:?}");
        }
    }
    assert_eq!(server.udp_stats().unwrap().replayed, 9_999);
    // 10,000 distinct requests for the same floor: one live request, and the cache holds
    // only the last few answers.
    for tx in 2..=10_001u16 {
        server.handle_input(t0 + Duration::from_millis(20), A, &request(tx));
        let Some(ServerOutput::Transmit { bytes, .. }) = server.poll_output() else {
            panic!("no answer");
        };
        let m = Message::decode(&bytes).unwrap();
        assert_eq!(m.header.transaction_id, tx);
        assert_eq!(m.header.primitive, Primitive::FloorRequestStatus);
        assert_eq!(server.request_count(), 1);
        let stats = server.udp_stats().unwrap();
        assert!(stats.cached_responses <= MAX_CACHED_RESPONSES_PER_PEER);
        assert!(stats.cached_bytes <= MAX_RESPONSE_CACHE_BYTES);
    }
    assert_eq!(server.udp_stats().unwrap().awaiting_answer, 0);
}

#[test]
fn unacked_notifications_per_participant_are_bounded() {
    // A subscriber that never acknowledges while two others trade the floor 1,000 times.
    let mut net = UdpNet::new(Policy::NewestWins, &[A, B, C]);
    net.connect_all();
    let now = net.now;
    net.peer(C).p.subscribe(now, &[1]).unwrap();
    net.run();
    net.lose = Box::new(|w| w.dir == Dir::Down && w.user == C);
    for i in 0..1000 {
        let (taker, other) = if i % 2 == 0 { (A, B) } else { (B, A) };
        let now = net.now;
        let _ = net.peer(taker).p.request_floor(now, 1);
        net.run();
        let _ = other;
        let stats = net.server.udp_stats().unwrap();
        assert!(stats.awaiting_answer <= 3 * MAX_UNACKED_PER_PARTICIPANT);
    }
    let pushed_out = net
        .server_events
        .iter()
        .filter(|e| matches!(e, ServerEvent::Unacknowledged { user_id: C, .. }))
        .count();
    assert!(pushed_out > 900, "{pushed_out}");
    assert!(net.server.udp_stats().unwrap().cached_bytes <= MAX_RESPONSE_CACHE_BYTES);
}

/// Found by the bfcp_participant fuzz target: a keep-alive falling due while every
/// transaction slot is taken (requests being retransmitted to a silent server) left its timer
/// in the past. It is skipped and rescheduled instead.
#[test]
fn a_keepalive_due_with_every_slot_taken_moves_on() {
    use roomgate_bfcp::limits::MAX_OUTSTANDING_TRANSACTIONS;
    let mut p = Participant::new(ParticipantConfig::new(
        CONFERENCE,
        A,
        Transport::Udp,
        Version::V2,
    ));
    let t0 = Instant::now();
    let hello = p.connect(t0).unwrap();
    let ack = Message::new(
        Header {
            responder: true,
            ..Header::new(Version::V2, Primitive::HelloAck, CONFERENCE, hello, A)
        },
        vec![
            Attribute::mandatory(Value::SupportedPrimitives(vec![1])),
            Attribute::mandatory(Value::SupportedAttributes(vec![2])),
        ],
    );
    p.handle_input(t0, &ack.encode().unwrap());
    assert_eq!(p.state(), SessionState::Connected);
    // Just before the keep-alive, fill every slot; the server answers nothing.
    let t = t0 + Duration::from_secs(29);
    for _ in 0..MAX_OUTSTANDING_TRANSACTIONS {
        p.subscribe(t, &[1]).unwrap();
    }
    let now = t0 + Duration::from_secs(30);
    p.handle_timeout(now);
    assert!(p.poll_timeout().unwrap() > now);
    assert_eq!(p.outstanding(), MAX_OUTSTANDING_TRANSACTIONS);
}

#[test]
fn stale_answers_are_ignored_and_a_notification_is_not_an_answer() {
    let mut cfg = ParticipantConfig::new(CONFERENCE, A, Transport::Udp, Version::V2);
    cfg.first_transaction_id = 40;
    let mut p = Participant::new(cfg);
    let now = Instant::now();
    p.connect(now).unwrap();
    let tx = p.request_floor(now, 1).unwrap();
    while p.poll_output().is_some() {}
    // A server notification (R clear) that happens to reuse our request's Transaction ID is
    // a notification, acknowledged, not the answer to our request.
    let mut h = Header::new(Version::V2, Primitive::FloorStatus, CONFERENCE, tx, A);
    let note = Message::new(h, vec![Attribute::mandatory(Value::FloorId(1))]);
    p.handle_input(now, &note.encode().unwrap());
    let out: Vec<_> = std::iter::from_fn(|| p.poll_output()).collect();
    let ParticipantOutput::Transmit(ack) = &out[0] else {
        panic!("{out:?}");
    };
    let ack = Message::decode(ack).unwrap();
    assert_eq!(ack.header.primitive, Primitive::FloorStatusAck);
    assert!(ack.header.responder);
    assert_eq!(
        p.outstanding(),
        2,
        "the FloorRequest still awaits its answer"
    );
    // An answer (R set) to nothing outstanding changes nothing.
    h.primitive = Primitive::HelloAck;
    h.responder = true;
    h.transaction_id = 999;
    let stray = Message::new(
        h,
        vec![
            Attribute::mandatory(Value::SupportedPrimitives(vec![1])),
            Attribute::mandatory(Value::SupportedAttributes(vec![1])),
        ],
    );
    p.handle_input(now, &stray.encode().unwrap());
    assert_eq!(p.state(), SessionState::Connecting);
    assert!(p.poll_output().is_none());
    let _ = AttributeType::FloorId;
}
