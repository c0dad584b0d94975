//! A floor control server and its participants wired together on a virtual clock: every
//! message goes through the encoder, a TCP stream framer fed in chunks of a chosen size, and
//! the decoder, as it would between two machines.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use roomgate_bfcp::negotiate::FloorBinding;
use roomgate_bfcp::{
    Message, Participant, ParticipantConfig, ParticipantEvent, ParticipantOutput, Policy, Server,
    ServerConfig, ServerEvent, ServerOutput, StreamFramer, Transport, Version,
};

pub const CONFERENCE: u32 = 0x0102_0304;

pub struct Peer {
    pub user: u16,
    pub p: Participant,
    /// Bytes on their way to the server, and to this participant.
    up: StreamFramer,
    down: StreamFramer,
    /// Everything this participant received and emitted, in order.
    pub received: Vec<Message>,
    pub events: Vec<ParticipantEvent>,
    pub sent: Vec<Message>,
    /// When false, the server's messages to it are lost (a dead link).
    pub linked: bool,
}

pub struct Net {
    pub now: Instant,
    pub server: Server,
    pub peers: Vec<Peer>,
    pub server_events: Vec<ServerEvent>,
    /// Octets per push into each framer: 1 feeds the stream byte by byte.
    pub chunk: usize,
}

pub fn floors() -> Vec<FloorBinding> {
    vec![
        FloorBinding {
            floor_id: 1,
            label: "slides".into(),
        },
        FloorBinding {
            floor_id: 2,
            label: "camera2".into(),
        },
    ]
}

pub fn server_config(policy: Policy, version: Version) -> ServerConfig {
    ServerConfig {
        conference_id: CONFERENCE,
        transport: Transport::Tcp,
        version,
        floors: floors(),
        policy,
        first_transaction_id: 1,
        idle_timeout: None,
        udp: roomgate_bfcp::UdpConfig::default(),
    }
}

impl Net {
    pub fn new(policy: Policy, users: &[u16]) -> Net {
        Net::with(server_config(policy, Version::V1), users, Version::V1)
    }

    pub fn with(config: ServerConfig, users: &[u16], version: Version) -> Net {
        let peers = users
            .iter()
            .map(|&user| {
                let mut cfg = ParticipantConfig::new(CONFERENCE, user, config.transport, version);
                cfg.first_transaction_id = user.wrapping_mul(100);
                Peer {
                    user,
                    p: Participant::new(cfg),
                    up: StreamFramer::new(),
                    down: StreamFramer::new(),
                    received: Vec::new(),
                    events: Vec::new(),
                    sent: Vec::new(),
                    linked: true,
                }
            })
            .collect();
        Net {
            now: Instant::now(),
            server: Server::new(config).unwrap(),
            peers,
            server_events: Vec::new(),
            chunk: 7,
        }
    }

    pub fn peer(&mut self, user: u16) -> &mut Peer {
        self.peers.iter_mut().find(|p| p.user == user).unwrap()
    }

    /// Connects every participant and runs until quiet.
    pub fn connect_all(&mut self) {
        let now = self.now;
        for peer in &mut self.peers {
            peer.p.connect(now).unwrap();
        }
        self.run();
    }

    /// Delivers messages both ways until nobody has anything left to send.
    pub fn run(&mut self) {
        for _ in 0..10_000 {
            let mut moved = false;
            let now = self.now;
            let chunk = self.chunk;
            for peer in &mut self.peers {
                while let Some(out) = peer.p.poll_output() {
                    match out {
                        ParticipantOutput::Transmit(bytes) => {
                            moved = true;
                            peer.sent.push(Message::decode(&bytes).unwrap());
                            for piece in bytes.chunks(chunk) {
                                peer.up.push(piece).unwrap();
                                while let Some(frame) = peer.up.next_frame().unwrap() {
                                    self.server.handle_input(now, peer.user, &frame);
                                }
                            }
                        }
                        ParticipantOutput::Event(e) => peer.events.push(e),
                    }
                }
            }
            while let Some(out) = self.server.poll_output() {
                match out {
                    ServerOutput::Transmit { to, bytes } => {
                        moved = true;
                        let Some(peer) = self.peers.iter_mut().find(|p| p.user == to) else {
                            continue;
                        };
                        if !peer.linked {
                            continue;
                        }
                        for piece in bytes.chunks(chunk) {
                            peer.down.push(piece).unwrap();
                            while let Some(frame) = peer.down.next_frame().unwrap() {
                                peer.received.push(Message::decode(&frame).unwrap());
                                peer.p.handle_input(now, &frame);
                            }
                        }
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

    /// Moves the clock forward to `now + d`, firing every timer on the way at its time.
    pub fn advance(&mut self, d: Duration) {
        let target = self.now + d;
        loop {
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

    /// Messages of one primitive a participant received since `from` (an index into
    /// `received`).
    pub fn received_of(&mut self, user: u16, primitive: roomgate_bfcp::Primitive) -> Vec<Message> {
        self.peer(user)
            .received
            .iter()
            .filter(|m| m.header.primitive == primitive)
            .cloned()
            .collect()
    }
}
