//! RFC 3261 §17 transactions (with the RFC 6026 Accepted states) as sans-IO state machines.
//!
//! Nothing here reads a clock or touches a socket: the driver passes the current time into
//! every call, feeds received messages in, sends what [`Output::Transmit`] asks for, hands
//! [`Output::Event`]s to the transaction user (TU), and calls `handle_timeout` when
//! `poll_timeout` says so. That is the quinn-proto / str0m contract, and it is what lets every
//! timer path be tested with a virtual clock.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use roomgate_sip::transaction::{Destination, LayerConfig, Output, TransactionLayer, Transport};
//! use roomgate_sip::{HeaderName, OwnedMessage};
//!
//! let mut layer = TransactionLayer::new(LayerConfig::default());
//! let start = Instant::now();
//! let options = OwnedMessage::request("OPTIONS", "sip:1001@192.0.2.1")
//!     .with(HeaderName::Via, "SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bKdoc1")
//!     .with(HeaderName::From, "<sip:gw@192.0.2.9>;tag=1")
//!     .with(HeaderName::To, "<sip:1001@192.0.2.1>")
//!     .with(HeaderName::CallId, "doc@192.0.2.9")
//!     .with(HeaderName::CSeq, "1 OPTIONS");
//! let dest = Destination { addr: "192.0.2.1:5060".parse()?, transport: Transport::Udp };
//! let id = layer.send_request(start, options, dest)?;
//! // The driver loop: drain outputs, then sleep until poll_timeout or the next datagram.
//! let mut now = start;
//! for _ in 0..100 {
//!     while let Some(out) = layer.poll_output() {
//!         match out {
//!             Output::Transmit(t) => { /* socket.send_to(&t.bytes, t.destination.addr) */ }
//!             Output::Event(e) => { /* hand to the TU */ let _ = e; }
//!         }
//!     }
//!     let Some(at) = layer.poll_timeout() else { break };
//!     now = at;
//!     layer.handle_timeout(now);
//! }
//! assert!(layer.is_empty()); // timer F fired after 64*T1 = 32 s
//! assert_eq!(now - start, Duration::from_secs(32));
//! # let _ = id;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod build;
pub mod client_invite;
pub mod client_non_invite;
#[doc(hidden)]
pub mod fuzz;
pub mod key;
pub mod layer;
mod outgoing;
pub mod server_invite;
pub mod server_non_invite;
pub mod timers;

use std::collections::VecDeque;
use std::net::SocketAddr;

pub use build::{build_ack, build_cancel, build_response, response_destination};
pub use client_invite::{ClientInvite, ClientInviteState};
pub use client_non_invite::{ClientNonInvite, ClientNonInviteState};
pub use key::{ClientKey, ServerKey};
pub use layer::{
    Input, InputError, LayerConfig, LayerStats, TransactionKind, TransactionLayer,
    DEFAULT_MAX_QUEUED_OUTPUTS, DEFAULT_MAX_TRANSACTIONS,
};
pub use outgoing::Outgoing;
pub use server_invite::{ServerInvite, ServerInviteState};
pub use server_non_invite::{ServerNonInvite, ServerNonInviteState};
pub use timers::Timers;

use crate::error::{DecodeError, HeaderError};
use crate::message::Message;

/// The transport a message travels on. Reliability decides the timers (RFC 3261 Table 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Transport {
    Udp,
    Tcp,
    Tls,
    Sctp,
    Ws,
    Wss,
}

impl Transport {
    /// Reliable transports need no retransmissions and zero-length wait timers.
    pub fn is_reliable(self) -> bool {
        !matches!(self, Transport::Udp)
    }

    /// The Via transport token.
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Udp => "UDP",
            Transport::Tcp => "TCP",
            Transport::Tls => "TLS",
            Transport::Sctp => "SCTP",
            Transport::Ws => "WS",
            Transport::Wss => "WSS",
        }
    }
}

/// Where a message goes: an address (resolved by the TU per RFC 3263 for requests, taken
/// from the request's source and Via for responses) and the transport. For connection
/// transports the driver picks the connection to that address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Destination {
    pub addr: SocketAddr,
    pub transport: Transport,
}

/// Identifies a transaction for its whole life; never reused by one layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransactionId(pub u64);

self_cell::self_cell!(
    /// Bytes and the message decoded from them, kept together (received or to send).
    pub(crate) struct Decoded {
        owner: Vec<u8>,
        #[covariant]
        dependent: Message,
    }
);

/// What a [`Received`] holds: its bytes decoded once, or the bytes and why they do not decode.
enum Kept {
    Decoded(Decoded),
    Invalid { bytes: Vec<u8>, error: DecodeError },
}

/// A message received from the network: the bytes that arrived and their decoded view,
/// decoded once when the `Received` is made. A TU reads one message many times (each
/// response to an INVITE is built from it): those reads cost nothing. Events own it, so
/// nothing borrows across calls; cloning shares it.
#[derive(Clone)]
pub struct Received {
    kept: std::sync::Arc<Kept>,
    /// Where it came from.
    pub source: Destination,
}

impl Received {
    /// Decodes and checks `bytes` (an invalid message is kept, [`Received::message`] gives
    /// its error).
    pub fn new(bytes: Vec<u8>, source: Destination) -> Self {
        let kept = match Decoded::try_new_or_recover(bytes, |b| crate::decode_datagram(b)) {
            Ok(d) => Kept::Decoded(d),
            Err((bytes, error)) => Kept::Invalid { bytes, error },
        };
        Received {
            kept: std::sync::Arc::new(kept),
            source,
        }
    }

    /// The bytes as they arrived.
    pub fn bytes(&self) -> &[u8] {
        match &*self.kept {
            Kept::Decoded(d) => d.borrow_owner(),
            Kept::Invalid { bytes, .. } => bytes,
        }
    }

    /// The decoded message (decoded when this was made).
    pub fn message(&self) -> Result<&Message<'_>, DecodeError> {
        match &*self.kept {
            Kept::Decoded(d) => Ok(d.borrow_dependent()),
            Kept::Invalid { error, .. } => Err(error.clone()),
        }
    }
}

impl PartialEq for Received {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source && self.bytes() == other.bytes()
    }
}

impl Eq for Received {}

impl std::fmt::Debug for Received {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Received")
            .field("bytes", &String::from_utf8_lossy(self.bytes()))
            .field("source", &self.source)
            .finish()
    }
}

/// A received message handed to one state machine: already decoded, with its raw bytes and
/// source. Borrowed only for the duration of the call.
#[derive(Debug, Clone, Copy)]
pub struct Incoming<'a> {
    pub message: &'a Message<'a>,
    pub bytes: &'a [u8],
    pub source: Destination,
    /// The [`Received`] these come from, handed on to the TU as it is (shared, not decoded
    /// again); `None` where a state machine is fed without a layer (its own tests).
    received: Option<&'a Received>,
}

impl Incoming<'_> {
    fn to_received(self) -> Received {
        match self.received {
            Some(r) => r.clone(),
            None => Received::new(self.bytes.to_vec(), self.source),
        }
    }
}

/// Bytes to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// The transaction that sends it; `None` for stateless sends.
    pub transaction: Option<TransactionId>,
    pub destination: Destination,
    pub bytes: Vec<u8>,
}

/// What a transaction tells its user.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransactionEvent {
    /// A new request created server transaction `id` (not ACK, not CANCEL).
    RequestReceived {
        id: TransactionId,
        request: Received,
    },
    /// A CANCEL created server transaction `id`; `invite` is the server INVITE transaction it
    /// cancels (§9.2), or `None`, in which case the TU answers 481 to the CANCEL. The TU
    /// answers the CANCEL itself (200) and, if the INVITE has no final response yet, the
    /// INVITE with 487.
    CancelReceived {
        id: TransactionId,
        invite: Option<TransactionId>,
        request: Received,
    },
    /// An ACK that no server transaction absorbed: the ACK for a 2xx, which belongs to the
    /// dialog (RFC 6026). `invite` is set when it matched an INVITE in the Accepted state.
    AckReceived {
        invite: Option<TransactionId>,
        request: Received,
    },
    /// A response for client transaction `id` passed up to the TU (every provisional and
    /// final except retransmitted non-2xx finals; every 2xx, RFC 6026).
    ResponseReceived {
        id: TransactionId,
        response: Received,
    },
    /// Timer B, F or H fired, or a guard bound (see [`Timers`]) ran out.
    Timeout { id: TransactionId, timer: TimerName },
    /// The driver reported that sending failed (RFC 3261 §17.1.1.2 / §17.2.4).
    TransportError { id: TransactionId },
    /// The transaction is gone; its id will not appear again.
    Terminated { id: TransactionId },
    /// A new request arrived while `max_transactions` were live: no transaction was made.
    /// The TU should answer 503 statelessly (with [`build_response`] and
    /// [`TransactionLayer::send_stateless`]) or drop it.
    Refused { request: Received },
}

/// Which timer produced a [`TransactionEvent::Timeout`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimerName {
    B,
    F,
    H,
    /// [`Timers::proceeding_guard`] on an INVITE transaction.
    ProceedingGuard,
    /// The 64*T1 bound on an unanswered server non-INVITE transaction.
    ServerGuard,
}

/// What the driver must do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    Transmit(Transmit),
    Event(TransactionEvent),
}

/// Misuse of the transaction API by the TU (not a network fault).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransactionError {
    #[error("the message we were asked to send does not decode: {0}")]
    InvalidMessage(#[from] DecodeError),
    #[error("the message lacks a usable header: {0}")]
    Header(#[from] HeaderError),
    #[error("the top Via of a request we send needs a branch starting with z9hG4bK")]
    NoRfc3261Branch,
    #[error("expected a {expected}")]
    WrongKind { expected: &'static str },
    #[error("ACK is not sent in a transaction (non-2xx ACK is built by the INVITE transaction, 2xx ACK is sent statelessly)")]
    AckRequest,
    #[error("a client transaction with this branch and method already exists")]
    DuplicateTransaction,
    #[error("no transaction {0:?}")]
    UnknownTransaction(TransactionId),
    #[error("the response does not fit the transaction state ({state})")]
    BadState { state: &'static str },
    #[error("a CANCEL needs a provisional response first (RFC 3261 §9.1)")]
    NoProvisionalYet,
    #[error("the live transaction limit ({limit}) is reached")]
    TooManyTransactions { limit: usize },
}

/// Upper bound of the per-transaction output queue. Every call into a state machine adds at
/// most four outputs, and the layer drains a machine's queue after every call, so the bound
/// is only reached by a standalone machine whose driver never polls.
pub const MAX_TRANSACTION_OUTPUTS: usize = 16;

/// An output queue that cannot grow without bound. When full, a transmit is dropped (it is a
/// retransmission or will be retransmitted, which is what UDP loss does anyway) and an event
/// replaces the oldest transmit; an event that finds no transmit to replace is dropped.
/// Drops are counted, not logged.
#[derive(Debug, Clone)]
pub(crate) struct OutputQueue {
    items: VecDeque<Output>,
    limit: usize,
    pub(crate) dropped: u64,
}

impl OutputQueue {
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            items: VecDeque::new(),
            limit: limit.max(1),
            dropped: 0,
        }
    }

    pub(crate) fn push(&mut self, out: Output) {
        if self.items.len() < self.limit {
            self.items.push_back(out);
            return;
        }
        self.dropped += 1;
        if matches!(out, Output::Event(_)) {
            if let Some(pos) = self
                .items
                .iter()
                .position(|o| matches!(o, Output::Transmit(_)))
            {
                self.items.remove(pos);
                self.items.push_back(out);
            }
        }
    }

    pub(crate) fn pop(&mut self) -> Option<Output> {
        self.items.pop_front()
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }
}

/// The class of a status code.
pub(crate) fn is_provisional(code: u16) -> bool {
    (100..200).contains(&code)
}

pub(crate) fn is_success(code: u16) -> bool {
    (200..300).contains(&code)
}

/// The earliest of a set of optional deadlines.
pub(crate) fn earliest(
    deadlines: impl IntoIterator<Item = Option<std::time::Instant>>,
) -> Option<std::time::Instant> {
    deadlines.into_iter().flatten().min()
}

/// A deadline that is due at `now`.
pub(crate) fn due(deadline: Option<std::time::Instant>, now: std::time::Instant) -> bool {
    deadline.is_some_and(|d| d <= now)
}

#[cfg(test)]
pub(crate) mod test_support;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_queue_is_bounded_and_keeps_events() {
        let mut q = OutputQueue::new(2);
        let tx = || {
            Output::Transmit(Transmit {
                transaction: None,
                destination: Destination {
                    addr: "192.0.2.1:5060".parse().unwrap(),
                    transport: Transport::Udp,
                },
                bytes: vec![1],
            })
        };
        let ev = |n| {
            Output::Event(TransactionEvent::Terminated {
                id: TransactionId(n),
            })
        };
        q.push(tx());
        q.push(tx());
        q.push(tx());
        assert_eq!((q.len(), q.dropped), (2, 1));
        q.push(ev(1));
        q.push(ev(2));
        q.push(ev(3));
        assert_eq!(q.len(), 2);
        assert_eq!(q.pop(), Some(ev(1)));
        assert_eq!(q.pop(), Some(ev(2)));
        assert_eq!(q.dropped, 4);
    }
}
