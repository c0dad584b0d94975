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
use crate::header::{Header, Version};
use crate::limits::{
    MAX_OUTSTANDING_TRANSACTIONS, MAX_PARTICIPANTS, MAX_QUEUED_OUTPUTS,
    MAX_REQUESTS_PER_PARTICIPANT,
};
use crate::message::Message;
use crate::negotiate::FloorBinding;
use crate::participant::{Participant, ParticipantConfig, ParticipantOutput};
use crate::primitive::Primitive;
use crate::server::{Policy, Server, ServerConfig, ServerOutput};
use crate::transport::Transport;

const CONFERENCE: u32 = 7;
/// Users 0..USERS, floors 0..FLOORS (floor 0 does not exist on the server: invalid-floor
/// paths get exercised too).
const USERS: u8 = 4;
const FLOORS: u8 = 4;

/// Reads the script; past its end every read is 0.
struct Script<'a> {
    data: &'a [u8],
}

impl Script<'_> {
    fn u8(&mut self) -> u8 {
        match self.data.split_first() {
            Some((b, rest)) => {
                self.data = rest;
                *b
            }
            None => 0,
        }
    }

    fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.u8(), self.u8()])
    }

    fn bytes(&mut self, n: usize) -> &[u8] {
        let (taken, rest) = self.data.split_at(n.min(self.data.len()));
        self.data = rest;
        taken
    }

    fn done(&self) -> bool {
        self.data.is_empty()
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> Option<T> {
        let n = usize::from(self.u8());
        items.get(n % items.len().max(1)).copied()
    }

    fn time(&mut self, now: &mut Instant) {
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
fn message(s: &mut Script<'_>, version: Version, tx: u16, user: u16) -> Message {
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

/// Drives a floor control server (TCP or UDP, either policy, from the first two octets) with
/// messages from four participants, raw bytes, removals and time.
#[allow(clippy::panic)]
pub fn bfcp_server(data: &[u8]) {
    let mut s = Script { data };
    let setup = s.u8();
    let transport = if setup & 1 == 0 {
        Transport::Tcp
    } else {
        Transport::Udp
    };
    let version = transport.default_version();
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
    };
    let Ok(mut server) = Server::new(config) else {
        panic!("fuzz server configuration refused");
    };
    let mut now = Instant::now();
    while !s.done() {
        let from = u16::from(s.u8() % USERS);
        match s.u8() % 6 {
            0..=2 => {
                let tx = s.u16();
                let user = if s.u8() == 0xfe { from ^ 1 } else { from };
                let msg = message(&mut s, version, tx, user);
                if let Ok(bytes) = msg.encode() {
                    server.handle_input(now, from, &bytes);
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
                }
            }
            _ => {
                if s.u8() % 2 == 0 {
                    server.remove_participant(from);
                } else {
                    server.goodbye(from);
                }
            }
        }
        let mut count = 0;
        while let Some(out) = server.poll_output() {
            count += 1;
            if let ServerOutput::Transmit { bytes, .. } = out {
                check_sent(&bytes);
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
    }
}

/// Drives a participant with its own calls, server messages (answering its recent
/// transactions or not), raw bytes and time.
#[allow(clippy::panic)]
pub fn bfcp_participant(data: &[u8]) {
    let mut s = Script { data };
    let user = 1;
    let transport = if s.u8() & 1 == 0 {
        Transport::Tcp
    } else {
        Transport::Udp
    };
    let version = transport.default_version();
    let mut config = ParticipantConfig::new(CONFERENCE, user, transport, version);
    config.first_transaction_id = s.u16();
    let mut p = Participant::new(config);
    let mut now = Instant::now();
    let mut recent: Vec<u16> = vec![0];
    while !s.done() {
        match s.u8() % 10 {
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
            _ => {
                let tx = s.pick(&recent).unwrap_or_default();
                let msg = message(&mut s, version, tx, user);
                if let Ok(bytes) = msg.encode() {
                    p.handle_input(now, &bytes);
                }
            }
        }
        if p.poll_timeout().is_some_and(|t| t <= now) {
            p.handle_timeout(now);
        }
        while let Some(out) = p.poll_output() {
            if let ParticipantOutput::Transmit(bytes) = out {
                check_sent(&bytes);
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
    }
}
