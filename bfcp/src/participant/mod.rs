//! The floor participant (RFC 8855 §10–12), sans-IO: calls and messages in with the time,
//! messages and events out, timers reported by [`Participant::poll_timeout`].
//!
//! Over UDP (see [`crate::udp`]) each input and each `Transmit` is one datagram: requests are
//! retransmitted on T1 (doubling) and fail after the last retransmission, the server's
//! FloorRequestStatus and FloorStatus notifications are acknowledged (a retransmitted one is
//! acknowledged again from the cache, not processed twice), answers must carry the R bit,
//! and fragments are reassembled.

mod receive;

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::attribute::{Attribute, ErrorCodeValue, Value};
use crate::header::{Header, Version};
use crate::limits::{MAX_OUTSTANDING_TRANSACTIONS, MAX_QUEUED_OUTPUTS, MAX_TRACKED_FLOORS};
use crate::message::Message;
use crate::primitive::Primitive;
use crate::transport::Transport;
use crate::udp::{Fire, Retransmit, UdpConfig, UdpLayer, UdpStats};

/// How often a connected participant sends Hello to show it (and learn the server) is alive.
pub const DEFAULT_KEEPALIVE_INTERVAL: Duration = Duration::from_secs(30);

/// How long a request waits for its response over TCP/TLS, where nothing is retransmitted:
/// no answer in this time means the server or the connection is gone. Over UDP the
/// retransmission schedule decides instead ([`crate::udp::MAX_RETRANSMISSIONS`]).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// What the participant is set up with, from the negotiated SDP.
#[derive(Debug, Clone)]
pub struct ParticipantConfig {
    /// `a=confid` of the server's SDP.
    pub conference_id: u32,
    /// `a=userid` of the server's SDP: who we are.
    pub user_id: u16,
    pub transport: Transport,
    /// The negotiated `a=bfcpver`.
    pub version: Version,
    /// First Transaction ID of our requests (never 0 is used). Chosen by the caller: no
    /// randomness here.
    pub first_transaction_id: u16,
    pub keepalive_interval: Duration,
    /// Over TCP/TLS only (see [`DEFAULT_REQUEST_TIMEOUT`]).
    pub request_timeout: Duration,
    /// Path MTU and the like; used only over UDP.
    pub udp: UdpConfig,
}

impl ParticipantConfig {
    /// A configuration with the default timers and transaction IDs from 1.
    pub fn new(conference_id: u32, user_id: u16, transport: Transport, version: Version) -> Self {
        ParticipantConfig {
            conference_id,
            user_id,
            transport,
            version,
            first_transaction_id: 1,
            keepalive_interval: DEFAULT_KEEPALIVE_INTERVAL,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            udp: UdpConfig::default(),
        }
    }
}

/// Where the participant's session with the server stands; see [`Participant`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SessionState {
    Idle,
    /// Hello sent, HelloAck awaited.
    Connecting,
    Connected,
    /// Goodbye sent, GoodbyeAck awaited.
    Closing,
    Closed,
    /// A Hello went unanswered: the server is gone.
    Failed,
}

/// Our own request for one floor, as the server last described it (RFC 8855 §5.2.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FloorState {
    /// FloorRequest sent, no FloorRequestStatus yet.
    Requesting,
    Pending,
    Accepted {
        queue_position: u8,
    },
    Granted,
    Released,
    Cancelled,
    Revoked,
    Denied,
    /// Refused with an Error, or unanswered.
    Failed,
}

impl FloorState {
    /// Still waiting for or holding the floor.
    pub fn is_live(self) -> bool {
        matches!(
            self,
            FloorState::Requesting
                | FloorState::Pending
                | FloorState::Accepted { .. }
                | FloorState::Granted
        )
    }
}

/// Something for the caller to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParticipantOutput {
    /// Send these octets (one encoded message) to the server.
    Transmit(Vec<u8>),
    Event(ParticipantEvent),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ParticipantEvent {
    /// HelloAck arrived: what the server supports.
    Connected {
        primitives: Vec<u8>,
        attributes: Vec<u8>,
    },
    /// Our request for this floor changed state.
    Floor { floor_id: u16, state: FloorState },
    /// A FloorStatus: who holds the floor now (`None`: nobody).
    FloorHolder { floor_id: u16, holder: Option<u16> },
    /// The server refused one of our requests.
    Error {
        primitive: Primitive,
        code: ErrorCodeValue,
        info: Option<String>,
    },
    /// One of our requests got no response in time.
    TimedOut {
        primitive: Primitive,
        transaction_id: u16,
    },
    /// The session ended with Goodbye (either side), or a keep-alive went unanswered.
    Closed { state: SessionState },
}

/// Why a call was refused; nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParticipantError {
    #[error("session is {0:?}: connect first, or it has ended")]
    NotOpen(SessionState),
    #[error("more than {limit} requests awaiting a response")]
    TooManyOutstanding { limit: usize },
    #[error("more than {limit} floors tracked")]
    TooManyFloors { limit: usize },
    #[error("floor {0} is already requested or held")]
    AlreadyRequested(u16),
    #[error("floor {0} is not requested")]
    NotRequested(u16),
    #[error("floor {0}: the server has not yet given the request an ID; release after its FloorRequestStatus")]
    RequestIdUnknown(u16),
}

#[derive(Debug)]
struct Transaction {
    id: u16,
    primitive: Primitive,
    floor: Option<u16>,
    /// Over TCP/TLS: when the request fails unanswered.
    deadline: Instant,
    /// Over UDP: the retransmission schedule, whose deadline replaces the one above.
    retransmit: Option<Retransmit>,
}

impl Transaction {
    fn due(&self) -> Instant {
        self.retransmit
            .as_ref()
            .map_or(self.deadline, Retransmit::deadline)
    }
}

#[derive(Debug)]
struct TrackedFloor {
    floor_id: u16,
    own: Option<FloorState>,
    request_id: Option<u16>,
    holder: Option<u16>,
}

/// A floor participant talking to one floor control server.
///
/// Session states (Hello and HelloAck, RFC 8855 §5.3.11–12; Goodbye, §5.3.16):
///
/// ```text
///   Idle ──connect: Hello──► Connecting ──HelloAck──► Connected ──goodbye: Goodbye──► Closing
///                                │                     │   (Hello every                 │
///                                │                     │    keepalive_interval)         │
///                   Hello unanswered         keep-alive unanswered     GoodbyeAck, or no answer
///                                ▼                     ▼                                ▼
///                              Failed ◄────────────────┘                              Closed
///   Connecting, Connected or Closing ──Goodbye from the server: GoodbyeAck──► Closed
/// ```
///
/// Requests may be sent from Connecting on (RFC 8855 does not require Hello first). Each
/// floor's own request moves Requesting → Pending/Accepted → Granted → Released, or ends
/// Cancelled, Revoked, Denied or Failed, as the server's FloorRequestStatus says.
#[derive(Debug)]
pub struct Participant {
    config: ParticipantConfig,
    state: SessionState,
    next_transaction: u16,
    transactions: Vec<Transaction>,
    floors: Vec<TrackedFloor>,
    next_keepalive: Option<Instant>,
    outputs: VecDeque<ParticipantOutput>,
    dropped_outputs: u64,
    /// Present over UDP. The server is its only peer (0).
    udp: Option<UdpLayer>,
}

impl Participant {
    pub fn new(config: ParticipantConfig) -> Participant {
        Participant {
            next_transaction: config.first_transaction_id,
            udp: (!config.transport.is_reliable()).then(|| UdpLayer::new(config.udp)),
            config,
            state: SessionState::Idle,
            transactions: Vec::new(),
            floors: Vec::new(),
            next_keepalive: None,
            outputs: VecDeque::new(),
            dropped_outputs: 0,
        }
    }

    pub fn state(&self) -> SessionState {
        self.state
    }

    /// Our request's state for a floor, if we ever requested it.
    pub fn floor_state(&self, floor_id: u16) -> Option<FloorState> {
        self.tracked(floor_id).and_then(|f| f.own)
    }

    /// The FLOOR-REQUEST-ID the server gave our live request for a floor.
    pub fn request_id(&self, floor_id: u16) -> Option<u16> {
        self.tracked(floor_id).and_then(|f| f.request_id)
    }

    /// Who holds a floor, as the last FloorStatus said.
    pub fn floor_holder(&self, floor_id: u16) -> Option<u16> {
        self.tracked(floor_id).and_then(|f| f.holder)
    }

    /// Requests awaiting their response.
    pub fn outstanding(&self) -> usize {
        self.transactions.len()
    }

    /// Outputs lost because the caller did not poll (see [`MAX_QUEUED_OUTPUTS`]).
    pub fn dropped_outputs(&self) -> u64 {
        self.dropped_outputs
    }

    /// The UDP layer's state and counters; `None` over TCP/TLS.
    pub fn udp_stats(&self) -> Option<UdpStats> {
        self.udp.as_ref().map(|u| u.stats(self.transactions.len()))
    }

    pub fn poll_output(&mut self) -> Option<ParticipantOutput> {
        self.outputs.pop_front()
    }

    /// When [`Participant::handle_timeout`] must next be called: a request to retransmit or
    /// give up on, the keep-alive, a reassembly or cached acknowledgement expiring.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let deadline = self.transactions.iter().map(Transaction::due).min();
        let keepalive = match self.state {
            SessionState::Connected => self.next_keepalive,
            _ => None,
        };
        let udp = self.udp.as_ref().and_then(UdpLayer::poll_timeout);
        [deadline, keepalive, udp].into_iter().flatten().min()
    }

    /// Retransmits requests whose T1 fired (UDP), ends requests whose response is overdue,
    /// and sends the keep-alive Hello when due.
    pub fn handle_timeout(&mut self, now: Instant) {
        if let Some(udp) = self.udp.as_mut() {
            udp.handle_timeout(now);
        }
        let mut expired = Vec::new();
        let mut resend: Vec<Vec<u8>> = Vec::new();
        let mut kept = Vec::new();
        for mut t in std::mem::take(&mut self.transactions) {
            if t.due() > now {
                kept.push(t);
                continue;
            }
            match t.retransmit.as_mut().map(|r| r.fire(now)) {
                Some(Fire::Resend(datagrams)) => {
                    resend.extend(datagrams.iter().cloned());
                    kept.push(t);
                }
                Some(Fire::GiveUp) | None => expired.push(t),
            }
        }
        self.transactions = kept;
        if let Some(udp) = self.udp.as_mut() {
            udp.retransmissions += resend.len() as u64;
            udp.unanswered += expired.len() as u64;
        }
        for bytes in resend {
            self.emit(ParticipantOutput::Transmit(bytes));
        }
        for t in expired {
            self.event(ParticipantEvent::TimedOut {
                primitive: t.primitive,
                transaction_id: t.id,
            });
            match t.primitive {
                Primitive::Hello => self.close(SessionState::Failed),
                Primitive::Goodbye => self.close(SessionState::Closed),
                Primitive::FloorRequest => {
                    if let Some(floor) = t.floor {
                        if self.floor_state(floor) == Some(FloorState::Requesting) {
                            self.set_floor(floor, FloorState::Failed, None);
                        }
                    }
                }
                _ => {}
            }
        }
        if self.state == SessionState::Connected && self.next_keepalive.is_some_and(|t| t <= now) {
            // A Hello still awaiting its answer is the keep-alive already; with every
            // transaction slot taken, this one is skipped. Either way the timer moves on.
            let hello_pending = self
                .transactions
                .iter()
                .any(|t| t.primitive == Primitive::Hello);
            if hello_pending || self.send_hello(now).is_err() {
                self.next_keepalive = Some(now + self.config.keepalive_interval);
            }
        }
    }

    /// Starts the session with Hello.
    pub fn connect(&mut self, now: Instant) -> Result<u16, ParticipantError> {
        if self.state != SessionState::Idle {
            return Err(ParticipantError::NotOpen(self.state));
        }
        let tx = self.send_hello(now)?;
        self.state = SessionState::Connecting;
        Ok(tx)
    }

    /// Asks for a floor. Returns the request's Transaction ID.
    pub fn request_floor(&mut self, now: Instant, floor_id: u16) -> Result<u16, ParticipantError> {
        self.check_open()?;
        if self.floor_state(floor_id).is_some_and(FloorState::is_live) {
            return Err(ParticipantError::AlreadyRequested(floor_id));
        }
        self.track(floor_id)?;
        let attrs = vec![Attribute::mandatory(Value::FloorId(floor_id))];
        let tx = self.send_request(now, Primitive::FloorRequest, attrs, Some(floor_id))?;
        self.set_floor(floor_id, FloorState::Requesting, None);
        Ok(tx)
    }

    /// Releases our request for a floor, granted or still waiting.
    pub fn release_floor(&mut self, now: Instant, floor_id: u16) -> Result<u16, ParticipantError> {
        self.check_open()?;
        if !self.floor_state(floor_id).is_some_and(FloorState::is_live) {
            return Err(ParticipantError::NotRequested(floor_id));
        }
        let id = self
            .request_id(floor_id)
            .ok_or(ParticipantError::RequestIdUnknown(floor_id))?;
        let attrs = vec![Attribute::mandatory(Value::FloorRequestId(id))];
        self.send_request(now, Primitive::FloorRelease, attrs, Some(floor_id))
    }

    /// Subscribes to FloorStatus for exactly these floors (none: unsubscribe).
    pub fn subscribe(&mut self, now: Instant, floors: &[u16]) -> Result<u16, ParticipantError> {
        self.check_open()?;
        for f in floors {
            self.track(*f)?;
        }
        let attrs = floors
            .iter()
            .map(|f| Attribute::mandatory(Value::FloorId(*f)))
            .collect();
        self.send_request(now, Primitive::FloorQuery, attrs, None)
    }

    /// Ends the session with Goodbye.
    pub fn goodbye(&mut self, now: Instant) -> Result<u16, ParticipantError> {
        self.check_open()?;
        let tx = self.send_request(now, Primitive::Goodbye, Vec::new(), None)?;
        self.state = SessionState::Closing;
        Ok(tx)
    }

    fn check_open(&self) -> Result<(), ParticipantError> {
        match self.state {
            SessionState::Connecting | SessionState::Connected => Ok(()),
            other => Err(ParticipantError::NotOpen(other)),
        }
    }

    fn send_hello(&mut self, now: Instant) -> Result<u16, ParticipantError> {
        let tx = self.send_request(now, Primitive::Hello, Vec::new(), None)?;
        self.next_keepalive = Some(now + self.config.keepalive_interval);
        Ok(tx)
    }

    fn send_request(
        &mut self,
        now: Instant,
        primitive: Primitive,
        attributes: Vec<Attribute>,
        floor: Option<u16>,
    ) -> Result<u16, ParticipantError> {
        if self.transactions.len() >= MAX_OUTSTANDING_TRANSACTIONS {
            return Err(ParticipantError::TooManyOutstanding {
                limit: MAX_OUTSTANDING_TRANSACTIONS,
            });
        }
        let tx = self.allocate_transaction();
        let header = self.header(primitive, tx);
        let retransmit = self
            .send(&Message::new(header, attributes))
            .map(|datagrams| Retransmit::new(now, datagrams));
        self.transactions.push(Transaction {
            id: tx,
            primitive,
            floor,
            deadline: now + self.config.request_timeout,
            retransmit,
        });
        Ok(tx)
    }

    /// The next Transaction ID: never 0 (which marks server notifications over TCP) and
    /// never one still awaiting its response.
    fn allocate_transaction(&mut self) -> u16 {
        loop {
            let tx = self.next_transaction;
            self.next_transaction = self.next_transaction.wrapping_add(1);
            if tx != 0 && !self.transactions.iter().any(|t| t.id == tx) {
                return tx;
            }
        }
    }

    fn header(&self, primitive: Primitive, tx: u16) -> Header {
        let c = &self.config;
        Header::new(c.version, primitive, c.conference_id, tx, c.user_id)
    }

    fn tracked(&self, floor_id: u16) -> Option<&TrackedFloor> {
        self.floors.iter().find(|f| f.floor_id == floor_id)
    }

    fn track(&mut self, floor_id: u16) -> Result<&mut TrackedFloor, ParticipantError> {
        let index = match self.floors.iter().position(|f| f.floor_id == floor_id) {
            Some(i) => i,
            None if self.floors.len() >= MAX_TRACKED_FLOORS => {
                return Err(ParticipantError::TooManyFloors {
                    limit: MAX_TRACKED_FLOORS,
                })
            }
            None => {
                self.floors.push(TrackedFloor {
                    floor_id,
                    own: None,
                    request_id: None,
                    holder: None,
                });
                self.floors.len() - 1
            }
        };
        self.floors
            .get_mut(index)
            .ok_or(ParticipantError::TooManyFloors {
                limit: MAX_TRACKED_FLOORS,
            })
    }

    /// Records our request's new state (and ID while it lives), with an event when it
    /// changed.
    fn set_floor(&mut self, floor_id: u16, state: FloorState, request_id: Option<u16>) {
        let Some(f) = self.floors.iter_mut().find(|f| f.floor_id == floor_id) else {
            return;
        };
        let changed = f.own != Some(state);
        f.own = Some(state);
        f.request_id = if state.is_live() {
            request_id.or(f.request_id)
        } else {
            None
        };
        if changed {
            self.event(ParticipantEvent::Floor { floor_id, state });
        }
    }

    fn close(&mut self, state: SessionState) {
        if matches!(self.state, SessionState::Closed | SessionState::Failed) {
            return;
        }
        self.state = state;
        self.transactions.clear();
        self.next_keepalive = None;
        self.event(ParticipantEvent::Closed { state });
    }

    fn event(&mut self, e: ParticipantEvent) {
        self.emit(ParticipantOutput::Event(e));
    }

    fn emit(&mut self, output: ParticipantOutput) {
        if self.outputs.len() >= MAX_QUEUED_OUTPUTS {
            self.dropped_outputs += 1;
        } else {
            self.outputs.push_back(output);
        }
    }

    /// Encodes and queues a message; see [`crate::Server`] for why a failure is only counted.
    /// Over UDP the message goes out as one datagram or as fragments, an answer (R bit) is
    /// kept for the server's retransmissions, and the datagrams are returned for the
    /// request's retransmission schedule.
    fn send(&mut self, msg: &Message) -> Option<Vec<Vec<u8>>> {
        let Some(udp) = self.udp.as_mut() else {
            match msg.encode() {
                Ok(bytes) => self.emit(ParticipantOutput::Transmit(bytes)),
                Err(_) => self.dropped_outputs += 1,
            }
            return None;
        };
        let Some(datagrams) = udp.datagrams(0, msg) else {
            self.dropped_outputs += 1;
            return None;
        };
        for bytes in &datagrams {
            self.emit(ParticipantOutput::Transmit(bytes.clone()));
        }
        Some(datagrams)
    }
}
