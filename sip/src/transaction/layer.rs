//! The transaction layer: owns every live transaction, matches received messages to them
//! (§17.1.3, §17.2.3, §9.2), creates server transactions for new requests, and merges their
//! outputs and timers into one driving interface.
//!
//! Timers are kept in a min-heap with lazy deletion: each transaction has at most one live
//! entry (its current `poll_timeout`), stale entries are skipped, and the heap is rebuilt when
//! stale entries outnumber live ones, so it stays within a constant factor of the number of
//! live transactions.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::time::Instant;

use super::build::build_cancel;
use super::key::{ClientKey, ServerKey};
use super::{
    ClientInvite, ClientNonInvite, Destination, Incoming, Output, OutputQueue, Received,
    ServerInvite, ServerNonInvite, Timers, TransactionError, TransactionEvent, TransactionId,
    Transmit,
};
use crate::error::{DecodeError, HeaderError};
use crate::method::Method;
use crate::owned::OwnedMessage;

/// Default bound on live transactions. At 64*T1 = 32 s of life for a completed UDP
/// transaction this sustains about 300 new transactions per second; beyond it a flood can
/// only make the layer refuse work, not grow memory.
pub const DEFAULT_MAX_TRANSACTIONS: usize = 10_000;

/// Default bound on queued outputs. The driver drains the queue after every call, and no
/// call adds more than a few outputs, except `handle_timeout`, which adds at most two per
/// transaction due; the bound only matters for a driver that stops polling.
pub const DEFAULT_MAX_QUEUED_OUTPUTS: usize = 4 * DEFAULT_MAX_TRANSACTIONS;

/// Configuration of a [`TransactionLayer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerConfig {
    pub timers: Timers,
    /// Live transactions (client and server) at most. New server transactions beyond it are
    /// refused with [`TransactionEvent::Refused`] (answer 503 statelessly); new client
    /// transactions with [`TransactionError::TooManyTransactions`].
    pub max_transactions: usize,
    /// Outputs waiting for `poll_output` at most; see [`DEFAULT_MAX_QUEUED_OUTPUTS`].
    pub max_queued_outputs: usize,
}

impl Default for LayerConfig {
    fn default() -> Self {
        Self {
            timers: Timers::default(),
            max_transactions: DEFAULT_MAX_TRANSACTIONS,
            max_queued_outputs: DEFAULT_MAX_QUEUED_OUTPUTS,
        }
    }
}

/// Counters returned from the layer instead of logs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LayerStats {
    pub client_transactions: u64,
    pub server_transactions: u64,
    /// New requests refused at `max_transactions`.
    pub refused: u64,
    /// Responses matching no client transaction (dropped, §17.1.3 / §18.1.2).
    pub stray_responses: u64,
    /// Retransmitted requests and ACKs matched to an existing server transaction.
    pub retransmissions_matched: u64,
    /// Responses matched to a client transaction.
    pub responses_matched: u64,
    /// Outputs dropped because the driver did not drain the queue.
    pub dropped_outputs: u64,
}

/// A message the driver received.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// One whole message (a datagram, or a frame cut by [`crate::StreamFramer`]).
    pub bytes: &'a [u8],
    pub source: Destination,
}

/// Why a received message could not be matched. The message is dropped; for a request the
/// TU may answer statelessly with [`DecodeError::uas_status`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error("cannot match the message to a transaction: {0}")]
    Header(#[from] HeaderError),
}

// The variants are named after the RFC's four transaction kinds.
#[allow(clippy::enum_variant_names)]
#[derive(Debug)]
enum Machine {
    ClientInvite(ClientInvite),
    ClientNonInvite(ClientNonInvite),
    ServerInvite(ServerInvite),
    ServerNonInvite(ServerNonInvite),
}

macro_rules! each {
    ($m:expr, $t:ident => $body:expr) => {
        match $m {
            Machine::ClientInvite($t) => $body,
            Machine::ClientNonInvite($t) => $body,
            Machine::ServerInvite($t) => $body,
            Machine::ServerNonInvite($t) => $body,
        }
    };
}

#[derive(Debug)]
struct Entry {
    machine: Machine,
    server_key: Option<ServerKey>,
    client_key: Option<ClientKey>,
    /// The deadline this entry has in the heap, if any.
    scheduled: Option<Instant>,
}

/// Which kind of transaction an id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionKind {
    ClientInvite,
    ClientNonInvite,
    ServerInvite,
    ServerNonInvite,
}

/// Capacity (entries) below which the layer's maps are not shrunk: small tables cost little
/// and would be shrunk and grown again by ordinary traffic.
const SHRINK_ABOVE: usize = 4096;

/// All transactions of one endpoint.
#[derive(Debug)]
pub struct TransactionLayer {
    config: LayerConfig,
    next_id: u64,
    /// Boxed: an entry is ~600 bytes and a finished transaction lingers for up to 64*T1, so
    /// under load the map holds hundreds of thousands; growing a map of inline entries copied
    /// all of them into a new table of that size at once, a pause long enough (tens of ms at
    /// 60k) to push calls in set-up over the overload limit.
    entries: HashMap<TransactionId, Box<Entry>>,
    server_index: HashMap<ServerKey, TransactionId>,
    client_index: HashMap<ClientKey, TransactionId>,
    heap: BinaryHeap<Reverse<(Instant, TransactionId)>>,
    queue: OutputQueue,
    stats: LayerStats,
}

impl TransactionLayer {
    pub fn new(mut config: LayerConfig) -> Self {
        config.timers = config.timers.sanitized();
        Self {
            config,
            next_id: 1,
            entries: HashMap::new(),
            server_index: HashMap::new(),
            client_index: HashMap::new(),
            heap: BinaryHeap::new(),
            queue: OutputQueue::new(config.max_queued_outputs),
            stats: LayerStats::default(),
        }
    }

    pub fn config(&self) -> &LayerConfig {
        &self.config
    }

    /// Live transactions.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn stats(&self) -> LayerStats {
        LayerStats {
            dropped_outputs: self.queue.dropped,
            ..self.stats
        }
    }

    pub fn kind(&self, id: TransactionId) -> Option<TransactionKind> {
        self.entries.get(&id).map(|e| match e.machine {
            Machine::ClientInvite(_) => TransactionKind::ClientInvite,
            Machine::ClientNonInvite(_) => TransactionKind::ClientNonInvite,
            Machine::ServerInvite(_) => TransactionKind::ServerInvite,
            Machine::ServerNonInvite(_) => TransactionKind::ServerNonInvite,
        })
    }

    /// Gives memory back once a burst's transactions are gone: a map keeps the capacity of
    /// its peak (at 3,000 calls/s some 300,000 transactions linger, tens of MB of tables),
    /// so after traffic the process would stay at its peak size. Shrunk to twice the live
    /// count once a quarter of the capacity is in use, so the copy is paid for by the
    /// removals that made the room, and a steady load does not shrink and grow in turn.
    fn shrink_when_sparse(&mut self) {
        fn shrink<K: Eq + std::hash::Hash, V>(map: &mut HashMap<K, V>) {
            if map.capacity() > SHRINK_ABOVE && map.len() < map.capacity() / 4 {
                map.shrink_to(map.len() * 2);
            }
        }
        shrink(&mut self.entries);
        shrink(&mut self.server_index);
        shrink(&mut self.client_index);
        if self.heap.capacity() > SHRINK_ABOVE && self.heap.len() < self.heap.capacity() / 4 {
            self.heap.shrink_to(self.heap.len() * 2);
        }
    }

    fn allocate_id(&mut self) -> TransactionId {
        let id = TransactionId(self.next_id);
        self.next_id = self.next_id.wrapping_add(1);
        id
    }

    /// Moves a transaction's outputs to the layer queue, removes it when it terminated,
    /// otherwise refreshes its heap entry.
    fn settle(&mut self, id: TransactionId) {
        let Some(entry) = self.entries.get_mut(&id) else {
            return;
        };
        while let Some(out) = each!(&mut entry.machine, m => m.poll_output()) {
            self.queue.push(out);
        }
        if each!(&entry.machine, m => m.is_terminated()) {
            if let Some(entry) = self.entries.remove(&id) {
                if let Some(k) = entry.server_key {
                    if self.server_index.get(&k) == Some(&id) {
                        self.server_index.remove(&k);
                    }
                }
                if let Some(k) = entry.client_key {
                    if self.client_index.get(&k) == Some(&id) {
                        self.client_index.remove(&k);
                    }
                }
            }
            self.shrink_when_sparse();
            return;
        }
        let next = each!(&entry.machine, m => m.poll_timeout());
        if next != entry.scheduled {
            entry.scheduled = next;
            if let Some(at) = next {
                self.heap.push(Reverse((at, id)));
            }
        }
        if self.heap.len() > 2 * self.entries.len() + 64 {
            self.heap = self
                .entries
                .iter()
                .filter_map(|(id, e)| e.scheduled.map(|at| Reverse((at, *id))))
                .collect();
        }
    }

    /// Whether `request` would match a live server transaction (a retransmission, or a CANCEL
    /// or ACK of one), so a TU deciding before the layer sees it (overload control) can tell
    /// a new request from one it already accepted.
    pub fn matches_server_transaction(&self, request: &crate::Message<'_>) -> bool {
        ServerKey::from_request(request).is_ok_and(|k| self.server_index.contains_key(&k))
    }

    /// Feeds one received message.
    pub fn handle_input(&mut self, now: Instant, input: Input<'_>) -> Result<(), InputError> {
        // Decoded (and validated) once, into the `Received` every event of it shares.
        let received = Received::new(input.bytes.to_vec(), input.source);
        let msg = received.message()?;
        let incoming = Incoming {
            message: msg,
            bytes: received.bytes(),
            source: input.source,
            received: Some(&received),
        };
        let Some(line) = msg.request_line() else {
            let id = ClientKey::from_response(msg)?.and_then(|k| self.client_index.get(&k));
            match id.copied() {
                Some(id) => {
                    self.stats.responses_matched += 1;
                    if let Some(entry) = self.entries.get_mut(&id) {
                        each!(&mut entry.machine, m => m.handle_input(now, incoming));
                    }
                    self.settle(id);
                }
                None => self.stats.stray_responses += 1,
            }
            return Ok(());
        };
        let key = ServerKey::from_request(msg)?;
        if line.method == Method::Ack {
            let to_tag = msg.to_header()?.tag().map(str::to_owned);
            let found = self.server_index.get(&key).copied().or_else(|| {
                // An RFC 2543 ACK carries the To tag of our response; the INVITE had none.
                let id = *self.server_index.get(&key.without_to_tag())?;
                match &self.entries.get(&id)?.machine {
                    Machine::ServerInvite(s) if s.response_to_tag() == to_tag.as_deref() => {
                        Some(id)
                    }
                    _ => None,
                }
            });
            match found {
                Some(id) => {
                    self.stats.retransmissions_matched += 1;
                    if let Some(entry) = self.entries.get_mut(&id) {
                        each!(&mut entry.machine, m => m.handle_input(now, incoming));
                    }
                    self.settle(id);
                }
                None => self
                    .queue
                    .push(Output::Event(TransactionEvent::AckReceived {
                        invite: None,
                        request: incoming.to_received(),
                    })),
            }
            return Ok(());
        }
        if let Some(&id) = self.server_index.get(&key) {
            self.stats.retransmissions_matched += 1;
            if let Some(entry) = self.entries.get_mut(&id) {
                each!(&mut entry.machine, m => m.handle_input(now, incoming));
            }
            self.settle(id);
            return Ok(());
        }
        if self.entries.len() >= self.config.max_transactions {
            self.stats.refused += 1;
            self.queue.push(Output::Event(TransactionEvent::Refused {
                request: incoming.to_received(),
            }));
            return Ok(());
        }
        let id = self.allocate_id();
        let timers = self.config.timers;
        let (machine, event) = match line.method {
            Method::Invite => (
                Machine::ServerInvite(
                    ServerInvite::new(now, id, incoming, timers).map_err(internal)?,
                ),
                TransactionEvent::RequestReceived {
                    id,
                    request: incoming.to_received(),
                },
            ),
            Method::Cancel => {
                let invite = self
                    .server_index
                    .get(&key.with_method(Method::Invite.as_str()))
                    .copied()
                    .filter(|i| self.kind(*i) == Some(TransactionKind::ServerInvite));
                (
                    Machine::ServerNonInvite(
                        ServerNonInvite::new(now, id, incoming, timers).map_err(internal)?,
                    ),
                    TransactionEvent::CancelReceived {
                        id,
                        invite,
                        request: incoming.to_received(),
                    },
                )
            }
            _ => (
                Machine::ServerNonInvite(
                    ServerNonInvite::new(now, id, incoming, timers).map_err(internal)?,
                ),
                TransactionEvent::RequestReceived {
                    id,
                    request: incoming.to_received(),
                },
            ),
        };
        self.stats.server_transactions += 1;
        self.server_index.insert(key.clone(), id);
        self.entries.insert(
            id,
            Box::new(Entry {
                machine,
                server_key: Some(key),
                client_key: None,
                scheduled: None,
            }),
        );
        self.queue.push(Output::Event(event));
        self.settle(id);
        Ok(())
    }

    /// Starts a client transaction for `request` (INVITE or non-INVITE, not ACK) sent to
    /// `destination`. The top Via must carry a unique `z9hG4bK` branch.
    pub fn send_request(
        &mut self,
        now: Instant,
        request: impl std::borrow::Borrow<OwnedMessage>,
        destination: Destination,
    ) -> Result<TransactionId, TransactionError> {
        self.send_encoded_request(
            now,
            &super::Outgoing::encode(request.borrow())?,
            destination,
        )
    }

    /// [`TransactionLayer::send_request`] of a request the TU encoded (and so checked)
    /// already, e.g. one it keeps to read again when the answer comes.
    pub fn send_encoded_request(
        &mut self,
        now: Instant,
        request: &super::Outgoing,
        destination: Destination,
    ) -> Result<TransactionId, TransactionError> {
        if self.entries.len() >= self.config.max_transactions {
            return Err(TransactionError::TooManyTransactions {
                limit: self.config.max_transactions,
            });
        }
        let id = TransactionId(self.next_id);
        let timers = self.config.timers;
        let is_invite = request
            .message()
            .request_line()
            .is_some_and(|l| l.method == crate::Method::Invite);
        let key = super::client_invite::request_key(request, is_invite)?;
        let bytes = request.bytes().to_vec();
        if self.client_index.contains_key(&key) {
            return Err(TransactionError::DuplicateTransaction);
        }
        let machine = if is_invite {
            Machine::ClientInvite(ClientInvite::from_encoded(
                now,
                id,
                bytes,
                destination,
                timers,
            ))
        } else {
            Machine::ClientNonInvite(ClientNonInvite::from_encoded(
                now,
                id,
                bytes,
                destination,
                timers,
            ))
        };
        self.allocate_id();
        self.stats.client_transactions += 1;
        self.client_index.insert(key.clone(), id);
        self.entries.insert(
            id,
            Box::new(Entry {
                machine,
                server_key: None,
                client_key: Some(key),
                scheduled: None,
            }),
        );
        self.settle(id);
        Ok(id)
    }

    /// Sends the TU's response in server transaction `id`.
    pub fn send_response(
        &mut self,
        now: Instant,
        id: TransactionId,
        response: &OwnedMessage,
    ) -> Result<(), TransactionError> {
        self.send_encoded_response(now, id, &super::Outgoing::encode(response)?)
    }

    /// [`TransactionLayer::send_response`] of a response the TU encoded (and so checked)
    /// already, e.g. to hand the same decode to its dialog.
    pub fn send_encoded_response(
        &mut self,
        now: Instant,
        id: TransactionId,
        response: &super::Outgoing,
    ) -> Result<(), TransactionError> {
        let entry = self
            .entries
            .get_mut(&id)
            .ok_or(TransactionError::UnknownTransaction(id))?;
        let result = match &mut entry.machine {
            Machine::ServerInvite(m) => m.send_encoded(now, response),
            Machine::ServerNonInvite(m) => m.send_encoded(now, response),
            _ => Err(TransactionError::WrongKind {
                expected: "server transaction",
            }),
        };
        self.settle(id);
        result
    }

    /// Builds the CANCEL for client INVITE transaction `id` (§9.1). Refused before a
    /// provisional response arrived or after a final one.
    pub fn build_cancel(&self, id: TransactionId) -> Result<OwnedMessage, TransactionError> {
        match self.entries.get(&id).map(|e| &e.machine) {
            Some(Machine::ClientInvite(m)) if m.can_cancel() => {
                Ok(build_cancel(&crate::decode_datagram(m.request())?)?)
            }
            Some(Machine::ClientInvite(_)) => Err(TransactionError::NoProvisionalYet),
            Some(_) => Err(TransactionError::WrongKind {
                expected: "client INVITE transaction",
            }),
            None => Err(TransactionError::UnknownTransaction(id)),
        }
    }

    /// Builds the CANCEL for client INVITE `id` and sends it in a new non-INVITE client
    /// transaction to the INVITE's destination.
    pub fn send_cancel(
        &mut self,
        now: Instant,
        id: TransactionId,
    ) -> Result<TransactionId, TransactionError> {
        let cancel = self.build_cancel(id)?;
        let destination = match self.entries.get(&id).map(|e| &e.machine) {
            Some(Machine::ClientInvite(m)) => m.destination(),
            _ => return Err(TransactionError::UnknownTransaction(id)),
        };
        self.send_request(now, cancel, destination)
    }

    /// Queues bytes outside any transaction: the ACK for a 2xx, a stateless 503 or 400.
    pub fn send_stateless(&mut self, destination: Destination, bytes: Vec<u8>) {
        self.queue.push(Output::Transmit(Transmit {
            transaction: None,
            destination,
            bytes,
        }));
    }

    /// The driver failed to send a transmit of transaction `id`.
    pub fn handle_transport_error(&mut self, now: Instant, id: TransactionId) {
        if let Some(entry) = self.entries.get_mut(&id) {
            each!(&mut entry.machine, m => m.handle_transport_error(now));
            self.settle(id);
        }
    }

    pub fn poll_output(&mut self) -> Option<Output> {
        self.queue.pop()
    }

    /// The earliest deadline of any transaction. Takes `&mut self` to drop stale heap heads.
    pub fn poll_timeout(&mut self) -> Option<Instant> {
        while let Some(Reverse((at, id))) = self.heap.peek().copied() {
            if self.entries.get(&id).and_then(|e| e.scheduled) == Some(at) {
                return Some(at);
            }
            self.heap.pop();
        }
        None
    }

    /// Fires every timer due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        // Each live entry is visited at most once per call: a transaction rescheduled to
        // `now` or earlier would wait for the next call rather than loop here.
        let mut due = Vec::new();
        while let Some(Reverse((at, id))) = self.heap.peek().copied() {
            if at > now {
                break;
            }
            self.heap.pop();
            if let Some(entry) = self.entries.get_mut(&id) {
                if entry.scheduled == Some(at) {
                    entry.scheduled = None;
                    due.push(id);
                }
            }
        }
        for id in due {
            if let Some(entry) = self.entries.get_mut(&id) {
                each!(&mut entry.machine, m => m.handle_timeout(now));
            }
            self.settle(id);
        }
    }
}

/// A state machine refused a message the layer checked already: a bug in this module.
fn internal(e: TransactionError) -> InputError {
    match e {
        TransactionError::InvalidMessage(d) => InputError::Decode(d),
        TransactionError::Header(h) => InputError::Header(h),
        _ => InputError::Header(HeaderError {
            header: "Request-Line",
            what: "request cannot start a transaction",
        }),
    }
}

impl Received {
    /// Convenience for the TU: a response to this request (see [`super::build_response`]).
    pub fn response(
        &self,
        code: u16,
        reason: &str,
        to_tag: Option<&str>,
    ) -> Result<OwnedMessage, TransactionError> {
        let msg = self.message()?;
        Ok(super::build_response(msg, code, reason, to_tag)?)
    }
}

#[cfg(test)]
mod tests;
