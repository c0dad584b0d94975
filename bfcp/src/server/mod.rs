//! The floor control server (RFC 8855 §13), sans-IO: messages in with the time, messages and
//! events out, no sockets, clocks or randomness.
//!
//! Each participant is one BFCP connection, named by the User ID the SDP gave it
//! (`a=userid`); the caller passes that ID with every input and sends each
//! [`ServerOutput::Transmit`] on that participant's connection, so a peer cannot speak for
//! another by writing a different User ID into its headers.
//!
//! Over UDP (see [`crate::udp`]) an input is one datagram and so is each `Transmit`: the
//! server reassembles fragments, answers a retransmitted request from its response cache
//! without processing it again, fragments what exceeds the path MTU, and retransmits the
//! FloorRequestStatus and FloorStatus notifications and the Goodbye it starts on T1 until
//! the participant acknowledges them; [`Server::poll_timeout`] includes those timers.

mod floors;
mod handle;

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use serde::Serialize;

pub use floors::{Policy, ServerConfigError};

use crate::attribute::RequestStatusValue;
use crate::compose::{floor_request_information, RequestView};
use crate::header::{Header, Version};
use crate::limits::MAX_QUEUED_OUTPUTS;
use crate::limits::MAX_UNACKED_PER_PARTICIPANT;
use crate::message::Message;
use crate::negotiate::FloorBinding;
use crate::primitive::Primitive;
use crate::transport::Transport;
use crate::udp::{Fire, Retransmit, UdpConfig, UdpLayer, UdpStats};
use crate::Attribute;
use crate::Value;
use floors::{Change, FloorTable};

/// What the server is set up with, from the negotiated SDP.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// `a=confid`.
    pub conference_id: u32,
    pub transport: Transport,
    /// The negotiated `a=bfcpver`: the version of messages the server starts (notifications,
    /// Goodbye). Responses use the version of their request.
    pub version: Version,
    /// `a=floorid:N mstrm:label`: each floor and the content stream(s) it controls.
    pub floors: Vec<FloorBinding>,
    pub policy: Policy,
    /// First Transaction ID of messages the server starts over an unreliable transport
    /// (over TCP/TLS they carry 0, RFC 8855 §8). Chosen by the caller: no randomness here.
    pub first_transaction_id: u16,
    /// A participant silent this long is dropped and its floors released. `None`: never
    /// (over TCP the connection closing says the same; call [`Server::remove_participant`]).
    pub idle_timeout: Option<Duration>,
    /// Path MTU and the like; used only over UDP.
    pub udp: UdpConfig,
}

/// Something for the caller to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerOutput {
    /// Send these octets (one encoded message) to the participant with this User ID.
    Transmit {
        to: u16,
        bytes: Vec<u8>,
    },
    Event(ServerEvent),
}

/// What changed, for the gateway to act on (switch the content stream, log).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ServerEvent {
    /// The user now holds the floor: forward their content stream.
    Granted {
        floor_id: u16,
        user_id: u16,
        request_id: u16,
    },
    /// The user no longer holds the floor (Released or Revoked).
    Ended {
        floor_id: u16,
        user_id: u16,
        request_id: u16,
        status: RequestStatusValue,
    },
    /// The participant is gone and its requests ended.
    Left { user_id: u16, reason: LeaveReason },
    /// Over UDP: a message the server started (a notification, Goodbye) went
    /// unacknowledged through every retransmission, or was pushed out by newer ones
    /// ([`MAX_UNACKED_PER_PARTICIPANT`]).
    Unacknowledged {
        user_id: u16,
        primitive: Primitive,
        transaction_id: u16,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum LeaveReason {
    /// It sent Goodbye, or acknowledged ours.
    Goodbye,
    /// Silent for longer than the idle timeout.
    Idle,
    /// The caller removed it (connection closed).
    Removed,
    /// Over UDP: our Goodbye went unacknowledged through every retransmission.
    GoodbyeUnanswered,
}

/// A message the server started over UDP, retransmitted until acknowledged.
#[derive(Debug)]
struct Unacked {
    user_id: u16,
    transaction_id: u16,
    primitive: Primitive,
    retransmit: Retransmit,
}

#[derive(Debug)]
struct Participant {
    user_id: u16,
    /// Floors it gets FloorStatus for (its last FloorQuery).
    subscriptions: Vec<u16>,
    last_seen: Instant,
}

/// A floor control server for one conference.
///
/// Floor request states (RFC 8855 §4.1, Figure 4), as this server moves them:
///
/// ```text
///   FloorRequest ──► [Pending] ──policy──► Granted ──FloorRelease──► Released
///                       │                    └──newer request (NewestWins)──► Revoked
///                       ├──floor busy (Queue)──► Accepted(pos) ──floor free──► Granted
///                       │                           └──FloorRelease──► Cancelled
///                       └──queue full (Queue)──► Denied
/// ```
///
/// Pending is never sent: with no chair, the policy decides at once. A participant that
/// leaves (Goodbye, idle timeout, removal) has its requests ended as if it released them.
/// Participants are known from their first message on; Goodbye, or GoodbyeAck to
/// [`Server::goodbye`], forgets them.
#[derive(Debug)]
pub struct Server {
    conference_id: u32,
    transport: Transport,
    version: Version,
    idle_timeout: Option<Duration>,
    table: FloorTable,
    participants: Vec<Participant>,
    next_transaction: u16,
    outputs: VecDeque<ServerOutput>,
    dropped_outputs: u64,
    /// Present over UDP.
    udp: Option<UdpLayer>,
    unacked: Vec<Unacked>,
    /// The time of the input being handled: every entry point that can send sets it, so a
    /// message the server starts is scheduled for retransmission from then.
    clock: Option<Instant>,
}

impl Server {
    pub fn new(config: ServerConfig) -> Result<Server, ServerConfigError> {
        if !config.transport.permits(config.version) {
            return Err(ServerConfigError::VersionNotPermitted {
                version: config.version.number(),
                transport: config.transport,
            });
        }
        Ok(Server {
            conference_id: config.conference_id,
            transport: config.transport,
            version: config.version,
            idle_timeout: config.idle_timeout,
            table: FloorTable::new(&config.floors, config.policy)?,
            participants: Vec::new(),
            next_transaction: config.first_transaction_id,
            outputs: VecDeque::new(),
            dropped_outputs: 0,
            udp: (!config.transport.is_reliable()).then(|| UdpLayer::new(config.udp)),
            unacked: Vec::new(),
            clock: None,
        })
    }

    /// The next output, in the order produced.
    pub fn poll_output(&mut self) -> Option<ServerOutput> {
        self.outputs.pop_front()
    }

    /// When [`Server::handle_timeout`] must next be called: a participant going idle, a
    /// retransmission due, a reassembly or cached response expiring.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let idle = self
            .idle_timeout
            .and_then(|idle| self.participants.iter().map(|p| p.last_seen + idle).min());
        let unacked = self.unacked.iter().map(|u| u.retransmit.deadline()).min();
        let udp = self.udp.as_ref().and_then(UdpLayer::poll_timeout);
        [idle, unacked, udp].into_iter().flatten().min()
    }

    /// Drops participants silent for longer than the idle timeout, retransmits what is due
    /// over UDP (or gives up on it), and expires reassemblies and cached responses.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.clock = Some(now);
        if let Some(udp) = self.udp.as_mut() {
            udp.handle_timeout(now);
        }
        self.retransmit(now);
        let Some(idle) = self.idle_timeout else {
            return;
        };
        let expired: Vec<u16> = self
            .participants
            .iter()
            .filter(|p| p.last_seen + idle <= now)
            .map(|p| p.user_id)
            .collect();
        for user in expired {
            self.leave(user, LeaveReason::Idle);
        }
    }

    /// Resends every message whose T1 fired; ends those out of retransmissions.
    fn retransmit(&mut self, now: Instant) {
        let mut resend: Vec<(u16, Vec<Vec<u8>>)> = Vec::new();
        let mut failed: Vec<Unacked> = Vec::new();
        let mut i = 0;
        while let Some(u) = self.unacked.get_mut(i) {
            if u.retransmit.deadline() > now {
                i += 1;
                continue;
            }
            match u.retransmit.fire(now) {
                Fire::Resend(datagrams) => {
                    resend.push((u.user_id, datagrams.to_vec()));
                    i += 1;
                }
                Fire::GiveUp => failed.push(self.unacked.remove(i)),
            }
        }
        for (to, datagrams) in resend {
            if let Some(udp) = self.udp.as_mut() {
                udp.retransmissions += datagrams.len() as u64;
            }
            for bytes in datagrams {
                self.emit(ServerOutput::Transmit { to, bytes });
            }
        }
        for u in failed {
            self.unanswered(&u);
            if u.primitive == Primitive::Goodbye && self.participant(u.user_id).is_some() {
                self.leave(u.user_id, LeaveReason::GoodbyeUnanswered);
            }
        }
    }

    fn unanswered(&mut self, u: &Unacked) {
        if let Some(udp) = self.udp.as_mut() {
            udp.unanswered += 1;
        }
        self.emit(ServerOutput::Event(ServerEvent::Unacknowledged {
            user_id: u.user_id,
            primitive: u.primitive,
            transaction_id: u.transaction_id,
        }));
    }

    /// The participant's connection closed: its requests end, others are told.
    pub fn remove_participant(&mut self, now: Instant, user_id: u16) {
        self.clock = Some(now);
        if self.participant(user_id).is_some() {
            self.leave(user_id, LeaveReason::Removed);
        }
    }

    /// Sends Goodbye to a participant (the conference is ending for it); it is forgotten
    /// when its GoodbyeAck arrives (over UDP, or when Goodbye goes unanswered through every
    /// retransmission).
    pub fn goodbye(&mut self, now: Instant, user_id: u16) {
        self.clock = Some(now);
        if self.participant(user_id).is_some() {
            let tx = self.server_transaction();
            let header = self.server_header(Primitive::Goodbye, tx, user_id);
            self.send(user_id, &Message::new(header, Vec::new()));
        }
    }

    /// The floors this server controls.
    pub fn floor_ids(&self) -> Vec<u16> {
        self.table.floor_ids().collect()
    }

    /// The user holding a floor.
    pub fn floor_holder(&self, floor_id: u16) -> Option<u16> {
        self.table.holder(floor_id)
    }

    /// The content stream labels a floor controls (`a=floorid ... mstrm:`).
    pub fn floor_labels(&self, floor_id: u16) -> &[String] {
        self.table.labels(floor_id)
    }

    /// Live floor requests, all participants together.
    pub fn request_count(&self) -> usize {
        self.table.len()
    }

    pub fn participant_count(&self) -> usize {
        self.participants.len()
    }

    /// Outputs lost because the caller did not poll (see [`MAX_QUEUED_OUTPUTS`]).
    pub fn dropped_outputs(&self) -> u64 {
        self.dropped_outputs
    }

    /// The UDP layer's state and counters; `None` over TCP/TLS.
    pub fn udp_stats(&self) -> Option<UdpStats> {
        self.udp.as_ref().map(|u| u.stats(self.unacked.len()))
    }

    fn participant(&self, user: u16) -> Option<&Participant> {
        self.participants.iter().find(|p| p.user_id == user)
    }

    fn leave(&mut self, user: u16, reason: LeaveReason) {
        self.participants.retain(|p| p.user_id != user);
        // Nothing more is retransmitted to it; its cached answers stay for T2, so a
        // retransmitted Goodbye is answered again rather than taken for a new participant.
        self.unacked.retain(|u| u.user_id != user);
        if let Some(udp) = self.udp.as_mut() {
            udp.forget_peer(user);
        }
        let changes = self.table.remove_user(user);
        self.publish(&changes, None);
        self.emit(ServerOutput::Event(ServerEvent::Left {
            user_id: user,
            reason,
        }));
    }

    /// Transaction ID of a message the server starts: 0 over reliable transports (RFC 8855
    /// §8), else the next of the caller-seeded counter, never 0 and never one still awaiting
    /// its acknowledgement.
    fn server_transaction(&mut self) -> u16 {
        if self.transport.is_reliable() {
            return 0;
        }
        loop {
            let tx = self.next_transaction;
            self.next_transaction = self.next_transaction.wrapping_add(1);
            if tx != 0 && !self.unacked.iter().any(|u| u.transaction_id == tx) {
                return tx;
            }
        }
    }

    fn server_header(&self, primitive: Primitive, tx: u16, user: u16) -> Header {
        Header::new(self.version, primitive, self.conference_id, tx, user)
    }

    /// Header of a response to `request`: its IDs and version; R set over UDP only, where
    /// it tells responses from requests (RFC 8855 §5.1).
    fn response_header(&self, request: &Header, primitive: Primitive) -> Header {
        Header {
            primitive,
            responder: !self.transport.is_reliable(),
            ..*request
        }
    }

    fn emit(&mut self, output: ServerOutput) {
        if self.outputs.len() >= MAX_QUEUED_OUTPUTS {
            self.dropped_outputs += 1;
        } else {
            self.outputs.push_back(output);
        }
    }

    /// Encodes and queues a message. Every message built here stays inside the codec's
    /// limits (text is clipped, lists are bounded by the table's limits); one that does not
    /// encode is counted as dropped rather than sent half-made.
    ///
    /// Over UDP the message goes out as one datagram or several fragments; an answer is kept
    /// for retransmitted requests, and a message the server starts that the participant must
    /// acknowledge is scheduled for retransmission.
    fn send(&mut self, to: u16, msg: &Message) {
        let Some(udp) = self.udp.as_mut() else {
            match msg.encode() {
                Ok(bytes) => self.emit(ServerOutput::Transmit { to, bytes }),
                Err(_) => self.dropped_outputs += 1,
            }
            return;
        };
        let Some(datagrams) = udp.datagrams(to, msg) else {
            self.dropped_outputs += 1;
            return;
        };
        let h = &msg.header;
        let acknowledged = matches!(
            h.primitive,
            Primitive::FloorRequestStatus | Primitive::FloorStatus | Primitive::Goodbye
        );
        if !h.responder && acknowledged {
            if let Some(now) = self.clock {
                self.await_ack(now, to, h, datagrams.clone());
            }
        }
        for bytes in datagrams {
            self.emit(ServerOutput::Transmit { to, bytes });
        }
    }

    /// Schedules a started message for retransmission until acknowledged, pushing out the
    /// participant's oldest one when it already has [`MAX_UNACKED_PER_PARTICIPANT`].
    fn await_ack(&mut self, now: Instant, to: u16, h: &Header, datagrams: Vec<Vec<u8>>) {
        let of_user = self.unacked.iter().filter(|u| u.user_id == to).count();
        if of_user >= MAX_UNACKED_PER_PARTICIPANT {
            if let Some(i) = self.unacked.iter().position(|u| u.user_id == to) {
                let old = self.unacked.remove(i);
                self.unanswered(&old);
            }
        }
        self.unacked.push(Unacked {
            user_id: to,
            transaction_id: h.transaction_id,
            primitive: h.primitive,
            retransmit: Retransmit::new(now, datagrams),
        });
    }

    /// Over UDP: the acknowledgement (or GoodbyeAck, or Error) answering a message the
    /// server started, which stops its retransmission.
    fn take_unacked(&mut self, from: u16, transaction_id: u16) -> Option<Unacked> {
        let i = self
            .unacked
            .iter()
            .position(|u| u.user_id == from && u.transaction_id == transaction_id)?;
        Some(self.unacked.remove(i))
    }

    fn floor_request_status(&self, header: Header, r: &RequestView) -> Message {
        Message::new(header, vec![floor_request_information(r)])
    }

    /// FloorStatus for one floor: live requests on it, plus requests that just ended there
    /// (so subscribers see Released or Revoked once).
    fn floor_status(&self, header: Header, floor: u16, ended: &[RequestView]) -> Message {
        let mut attributes = vec![Attribute::mandatory(Value::FloorId(floor))];
        attributes.extend(
            ended
                .iter()
                .filter(|r| r.floors.contains(&floor))
                .map(floor_request_information),
        );
        attributes.extend(
            self.table
                .on_floor(floor)
                .into_iter()
                .map(floor_request_information),
        );
        Message::new(header, attributes)
    }

    /// Tells everyone concerned about status changes: the owner of each changed request
    /// (`response`: the request that caused them and the floor request its FloorRequestStatus
    /// answers about; the other owners get notifications), and every subscriber of each floor
    /// touched, one FloorStatus per floor.
    fn publish(&mut self, changes: &[Change], response: Option<(Header, u16)>) {
        let mut touched: Vec<u16> = Vec::new();
        let mut ended: Vec<RequestView> = Vec::new();
        for c in changes {
            let r = &c.request;
            let header = match response {
                Some((h, id)) if id == r.id => {
                    self.response_header(&h, Primitive::FloorRequestStatus)
                }
                _ => {
                    let tx = self.server_transaction();
                    self.server_header(Primitive::FloorRequestStatus, tx, r.user_id)
                }
            };
            if self.participant(r.user_id).is_some() {
                let msg = self.floor_request_status(header, r);
                self.send(r.user_id, &msg);
            }
            for f in &r.floors {
                if !touched.contains(f) {
                    touched.push(*f);
                }
                let event = match r.status {
                    RequestStatusValue::Granted => ServerEvent::Granted {
                        floor_id: *f,
                        user_id: r.user_id,
                        request_id: r.id,
                    },
                    RequestStatusValue::Released | RequestStatusValue::Revoked => {
                        ServerEvent::Ended {
                            floor_id: *f,
                            user_id: r.user_id,
                            request_id: r.id,
                            status: r.status,
                        }
                    }
                    _ => continue,
                };
                self.emit(ServerOutput::Event(event));
            }
            if c.ended {
                ended.push(r.clone());
            }
        }
        for floor in touched {
            let subscribers: Vec<u16> = self
                .participants
                .iter()
                .filter(|p| p.subscriptions.contains(&floor))
                .map(|p| p.user_id)
                .collect();
            for user in subscribers {
                let tx = self.server_transaction();
                let header = self.server_header(Primitive::FloorStatus, tx, user);
                let msg = self.floor_status(header, floor, &ended);
                self.send(user, &msg);
            }
        }
    }
}

#[cfg(test)]
mod tests;
