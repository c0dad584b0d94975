//! Fuzz entry points for the two state machines. The input is a script: each step reads an
//! opcode and its operands from the data (missing octets read as 0), so the fuzzer reaches
//! deep states with well-formed messages as well as raw bytes.
//!
//! Invariants checked after every step: everything the machine sends decodes and follows
//! its primitive's grammar, and its tables stay inside their named limits.

use std::time::{Duration, Instant};

use crate::attribute::{
    Attribute, ErrorCode, ErrorCodeValue, Group, Priority, RequestStatus, RequestStatusValue, Value,
};
use crate::header::{CommonHeader, Header, Version};
use crate::limits::{
    MAX_CACHED_RESPONSES_PER_PEER, MAX_MESSAGE_LEN, MAX_OUTSTANDING_TRANSACTIONS, MAX_PARTICIPANTS,
    MAX_PENDING_REASSEMBLIES, MAX_QUEUED_OUTPUTS, MAX_REQUESTS_PER_PARTICIPANT,
    MAX_RESPONSE_CACHE_BYTES, MAX_UNACKED_PER_PARTICIPANT,
};
use crate::message::Message;
use crate::negotiate::FloorBinding;
use crate::participant::{Participant, ParticipantConfig, ParticipantOutput};
use crate::primitive::Primitive;
use crate::server::{Policy, Server, ServerConfig, ServerOutput};
use crate::transport::Transport;
use crate::udp::{fragment, Reassembler, UdpConfig, UdpStats, DEFAULT_PATH_MTU};

const CONFERENCE: u32 = 7;
/// Users 0..USERS, floors 0..FLOORS (floor 0 does not exist on the server: invalid-floor
/// paths get exercised too).
const USERS: u8 = 4;
const FLOORS: u8 = 4;

/// Reads the script; past its end every read is 0.
pub(super) struct Script<'a> {
    pub(super) data: &'a [u8],
}

impl Script<'_> {
    pub(super) fn u8(&mut self) -> u8 {
        match self.data.split_first() {
            Some((b, rest)) => {
                self.data = rest;
                *b
            }
            None => 0,
        }
    }

    pub(super) fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.u8(), self.u8()])
    }

    pub(super) fn bytes(&mut self, n: usize) -> &[u8] {
        let (taken, rest) = self.data.split_at(n.min(self.data.len()));
        self.data = rest;
        taken
    }

    pub(super) fn done(&self) -> bool {
        self.data.is_empty()
    }

    pub(super) fn pick<T: Copy>(&mut self, items: &[T]) -> Option<T> {
        let n = usize::from(self.u8());
        items.get(n % items.len().max(1)).copied()
    }

    pub(super) fn time(&mut self, now: &mut Instant) {
        *now += Duration::from_millis(u64::from(self.u8()) * 500);
    }
}

fn floor_request_information(s: &mut Script<'_>) -> Value {
    let id = u16::from(s.u8() % 8);
    let status = s
        .pick(&RequestStatusValue::ALL)
        .unwrap_or(RequestStatusValue::Pending);
    let floor = u16::from(s.u8() % FLOORS);
    let user = u16::from(s.u8() % USERS);
    Value::FloorRequestInformation(Group::new(
        id,
        vec![
            Attribute::mandatory(Value::OverallRequestStatus(Group::new(
                id,
                vec![Attribute::mandatory(Value::RequestStatus(RequestStatus {
                    status,
                    queue_position: s.u8() % 3,
                }))],
            ))),
            Attribute::mandatory(Value::FloorRequestStatus(Group::new(floor, Vec::new()))),
            Attribute::mandatory(Value::BeneficiaryInformation(Group::new(user, Vec::new()))),
        ],
    ))
}

/// A message of any primitive with up to three attributes drawn from those the state
/// machines look at, grammar or not.
pub(super) fn message(s: &mut Script<'_>, version: Version, tx: u16, user: u16) -> Message {
    let primitive = s.pick(&Primitive::ALL).unwrap_or(Primitive::Hello);
    let mut attributes = Vec::new();
    for _ in 0..s.u8() % 4 {
        let value = match s.u8() % 8 {
            0 | 1 => Value::FloorId(u16::from(s.u8() % FLOORS)),
            2 => Value::FloorRequestId(u16::from(s.u8() % 8)),
            3 => Value::BeneficiaryId(u16::from(s.u8() % USERS)),
            4 => Value::Priority(Priority(s.u8() % 5)),
            5 => floor_request_information(s),
            6 => Value::ErrorCode(ErrorCode::new(ErrorCodeValue::from_code(s.u8() % 16))),
            _ => Value::Unknown {
                attr_type: 100 + s.u8() % 20,
                contents: vec![s.u8()],
            },
        };
        attributes.push(Attribute {
            mandatory: s.u8() % 4 != 0,
            value,
        });
    }
    let mut header = Header::new(version, primitive, CONFERENCE, tx, user);
    if s.u8() == 0xff {
        header.conference_id ^= 1;
    }
    Message::new(header, attributes)
}

/// Checks a message a state machine sent.
#[allow(clippy::panic)]
fn check_sent(bytes: &[u8]) {
    let msg =
        Message::decode(bytes).unwrap_or_else(|e| panic!("sent message does not decode: {e}"));
    if let Err(e) = msg.validate() {
        panic!("sent {} breaks its grammar: {e}", msg.header.primitive);
    }
}

/// Checks a datagram a state machine sent over UDP: a whole message, or a fragment that
/// must fit the path MTU and put back together (by an independent reassembler) into one.
#[allow(clippy::panic)]
fn check_datagram(checker: &mut Reassembler, now: Instant, to: u16, max: usize, bytes: &[u8]) {
    assert!(bytes.len() <= max, "datagram of {} over {max}", bytes.len());
    match CommonHeader::decode(bytes) {
        Ok(h) if h.fragment.is_some() => match checker.push(now, to, bytes) {
            Ok(Some(whole)) => check_sent(&whole),
            Ok(None) => {}
            Err(e) => panic!("sent fragment refused: {e}"),
        },
        _ => check_sent(bytes),
    }
}

/// The datagrams of `msg` cut for a path whose datagrams hold `max` octets, delivered in an
/// order (and with a duplicate) chosen by the script.
pub(super) fn fragmented(s: &mut Script<'_>, msg: &Message) -> Vec<Vec<u8>> {
    let max = 16 + 4 * usize::from(s.u8() % 64 + 1);
    let Ok(mut datagrams) = fragment(msg, max) else {
        return Vec::new();
    };
    let n = datagrams.len();
    if n > 1 {
        let order = s.u8();
        datagrams.rotate_left(usize::from(order >> 2) % n);
        if order & 1 != 0 {
            datagrams.reverse();
        }
        if order & 2 != 0 {
            if let Some(first) = datagrams.first().cloned() {
                datagrams.push(first);
            }
        }
    }
    datagrams
}

/// Remembers the last few items.
fn remember<T>(list: &mut Vec<T>, item: T) {
    list.push(item);
    if list.len() > 8 {
        list.remove(0);
    }
}

/// Drives a floor control server (TCP or UDP, either policy, from the first two octets) with
/// messages from four participants, raw bytes, removals and time. Setup bit 8 adds the UDP
/// exercises: fragmented requests in any order, retransmitted requests, acknowledgements of
/// the server's notifications (seeds without it keep their meaning).
pub fn bfcp_server(data: &[u8]) {
    let _ = bfcp_server_udp_stats(data);
}

/// [`bfcp_server`], returning the server's UDP counters at the end (`None` over TCP): the
/// seed replay test checks that the UDP seeds reach retransmission, the cache and reassembly.
#[allow(clippy::panic)]
pub fn bfcp_server_udp_stats(data: &[u8]) -> Option<UdpStats> {
    let mut s = Script { data };
    let setup = s.u8();
    let transport = if setup & 1 == 0 {
        Transport::Tcp
    } else {
        Transport::Udp
    };
    let extended = setup & 8 != 0;
    let version = transport.default_version();
    let udp = UdpConfig {
        path_mtu: if setup & 16 != 0 { 0 } else { DEFAULT_PATH_MTU },
    };
    let config = ServerConfig {
        conference_id: CONFERENCE,
        transport,
        version,
        floors: (1..u16::from(FLOORS))
            .map(|floor_id| FloorBinding {
                floor_id,
                label: format!("label{floor_id}"),
            })
            .collect(),
        policy: if setup & 2 == 0 {
            Policy::NewestWins
        } else {
            Policy::Queue
        },
        first_transaction_id: s.u16(),
        idle_timeout: (setup & 4 != 0).then(|| Duration::from_secs(60)),
        udp,
    };
    let Ok(mut server) = Server::new(config) else {
        panic!("fuzz server configuration refused");
    };
    let mut now = Instant::now();
    let mut checker = Reassembler::new();
    // Datagrams the participants sent, and messages the server started (to acknowledge).
    let mut sent_in: Vec<(u16, Vec<u8>)> = Vec::new();
    let mut started: Vec<(u16, Header)> = Vec::new();
    while !s.done() {
        let from = u16::from(s.u8() % USERS);
        let ops = if extended { 9 } else { 6 };
        match s.u8() % ops {
            0..=2 => {
                let tx = s.u16();
                let user = if s.u8() == 0xfe { from ^ 1 } else { from };
                let msg = message(&mut s, version, tx, user);
                if let Ok(bytes) = msg.encode() {
                    server.handle_input(now, from, &bytes);
                    remember(&mut sent_in, (from, bytes));
                }
            }
            3 => {
                let n = usize::from(s.u8());
                let raw = s.bytes(n).to_vec();
                server.handle_input(now, from, &raw);
            }
            4 => {
                s.time(&mut now);
                if server.poll_timeout().is_some_and(|t| t <= now) {
                    server.handle_timeout(now);
                    if let Some(t) = server.poll_timeout() {
                        assert!(t > now, "a timer due now was not handled");
                    }
                }
            }
            5 => {
                if s.u8() % 2 == 0 {
                    server.remove_participant(now, from);
                } else {
                    server.goodbye(now, from);
                }
            }
            6 => {
                let tx = s.u16();
                let msg = message(&mut s, version, tx, from);
                for datagram in fragmented(&mut s, &msg) {
                    server.handle_input(now, from, &datagram);
                }
            }
            7 => {
                if let Some((from, bytes)) = s.pick(&sent_in.iter().collect::<Vec<_>>()) {
                    server.handle_input(now, *from, bytes);
                }
            }
            _ => {
                if let Some((to, h)) = s.pick(&started) {
                    let primitive = match h.primitive {
                        Primitive::FloorRequestStatus => Primitive::FloorRequestStatusAck,
                        Primitive::FloorStatus => Primitive::FloorStatusAck,
                        _ => Primitive::GoodbyeAck,
                    };
                    let ack = Header {
                        primitive,
                        responder: true,
                        ..h
                    };
                    if let Ok(bytes) = Message::new(ack, Vec::new()).encode() {
                        server.handle_input(now, to, &bytes);
                    }
                }
            }
        }
        let mut count = 0;
        while let Some(out) = server.poll_output() {
            count += 1;
            if let ServerOutput::Transmit { to, bytes } = out {
                if transport.is_reliable() {
                    check_sent(&bytes);
                } else {
                    check_datagram(&mut checker, now, to, udp.max_datagram(), &bytes);
                    if let Ok(h) = CommonHeader::decode(&bytes) {
                        if !h.responder && h.transaction_id != 0 && h.fragment.is_none() {
                            let known = started
                                .iter()
                                .any(|(t, h2)| *t == to && h2.transaction_id == h.transaction_id);
                            if let (Ok(m), false) = (Message::decode(&bytes), known) {
                                remember(&mut started, (to, m.header));
                            }
                        }
                    }
                }
            }
        }
        assert!(count <= MAX_QUEUED_OUTPUTS, "outputs over their limit");
        assert!(server.participant_count() <= MAX_PARTICIPANTS);
        assert!(
            server.request_count() <= usize::from(USERS) * MAX_REQUESTS_PER_PARTICIPANT,
            "requests unbounded"
        );
        for floor in server.floor_ids() {
            if let Some(holder) = server.floor_holder(floor) {
                assert!(holder < u16::from(USERS), "holder is nobody we know");
            }
        }
        if let Some(stats) = server.udp_stats() {
            check_udp_stats(&stats, usize::from(USERS) * MAX_UNACKED_PER_PARTICIPANT);
        }
    }
    server.udp_stats()
}

/// The UDP layer stays inside its named limits.
fn check_udp_stats(stats: &UdpStats, max_awaiting: usize) {
    assert!(stats.awaiting_answer <= max_awaiting, "unacked unbounded");
    assert!(
        stats.cached_bytes <= MAX_RESPONSE_CACHE_BYTES,
        "cache unbounded"
    );
    assert!(
        stats.cached_responses <= usize::from(USERS) * MAX_CACHED_RESPONSES_PER_PEER,
        "cache entries unbounded"
    );
    assert!(
        stats.reassemblies <= MAX_PENDING_REASSEMBLIES,
        "reassemblies unbounded"
    );
    assert!(
        stats.reassembly_bytes <= stats.reassemblies * MAX_MESSAGE_LEN,
        "reassembly data unbounded"
    );
}

/// Drives a participant with its own calls, server messages (answering its recent
/// transactions or not), raw bytes and time. Bit 2 of the first octet adds the UDP
/// exercises: answers with the R bit, fragmented server messages, retransmitted ones.
pub fn bfcp_participant(data: &[u8]) {
    let _ = bfcp_participant_udp_stats(data);
}

/// [`bfcp_participant`], returning the participant's UDP counters at the end (`None` over
/// TCP), for the seed replay test.
#[allow(clippy::panic)]
pub fn bfcp_participant_udp_stats(data: &[u8]) -> Option<UdpStats> {
    let mut s = Script { data };
    let user = 1;
    let setup = s.u8();
    let transport = if setup & 1 == 0 {
        Transport::Tcp
    } else {
        Transport::Udp
    };
    let extended = setup & 2 != 0;
    let version = transport.default_version();
    let mut config = ParticipantConfig::new(CONFERENCE, user, transport, version);
    config.first_transaction_id = s.u16();
    let max = config.udp.max_datagram();
    let mut p = Participant::new(config);
    let mut now = Instant::now();
    let mut recent: Vec<u16> = vec![0];
    let mut checker = Reassembler::new();
    let mut sent_down: Vec<Vec<u8>> = Vec::new();
    while !s.done() {
        let ops = if extended { 12 } else { 10 };
        match s.u8() % ops {
            0 => {
                let _ = p.connect(now);
            }
            1 => {
                let _ = p.request_floor(now, u16::from(s.u8() % FLOORS));
            }
            2 => {
                let _ = p.release_floor(now, u16::from(s.u8() % FLOORS));
            }
            3 => {
                let floors: Vec<u16> = (0..s.u8() % 3)
                    .map(|_| u16::from(s.u8() % FLOORS))
                    .collect();
                let _ = p.subscribe(now, &floors);
            }
            4 => {
                let _ = p.goodbye(now);
            }
            5 => s.time(&mut now),
            6 => {
                let n = usize::from(s.u8());
                let raw = s.bytes(n).to_vec();
                p.handle_input(now, &raw);
            }
            10 => {
                let tx = s.pick(&recent).unwrap_or_default();
                let mut msg = message(&mut s, version, tx, user);
                msg.header.responder = s.u8() & 1 != 0;
                for datagram in fragmented(&mut s, &msg) {
                    p.handle_input(now, &datagram);
                }
            }
            11 => {
                if let Some(bytes) = s.pick(&sent_down.iter().collect::<Vec<_>>()) {
                    p.handle_input(now, bytes);
                }
            }
            _ => {
                let tx = s.pick(&recent).unwrap_or_default();
                let mut msg = message(&mut s, version, tx, user);
                if extended {
                    msg.header.responder = s.u8() & 1 != 0;
                }
                if let Ok(bytes) = msg.encode() {
                    p.handle_input(now, &bytes);
                    remember(&mut sent_down, bytes);
                }
            }
        }
        if p.poll_timeout().is_some_and(|t| t <= now) {
            p.handle_timeout(now);
        }
        while let Some(out) = p.poll_output() {
            if let ParticipantOutput::Transmit(bytes) = out {
                if transport.is_reliable() {
                    check_sent(&bytes);
                } else {
                    check_datagram(&mut checker, now, 0, max, &bytes);
                }
                if let Ok(m) = Message::decode(&bytes) {
                    recent.push(m.header.transaction_id);
                    if recent.len() > 8 {
                        recent.remove(1);
                    }
                }
            }
        }
        assert!(p.outstanding() <= MAX_OUTSTANDING_TRANSACTIONS);
        if let Some(t) = p.poll_timeout() {
            assert!(t > now, "a timer due now was not handled");
        }
        if let Some(stats) = p.udp_stats() {
            check_udp_stats(&stats, MAX_OUTSTANDING_TRANSACTIONS);
        }
    }
    p.udp_stats()
}
