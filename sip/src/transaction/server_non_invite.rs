//! Non-INVITE server transaction (RFC 3261 §17.2.2).
//!
//! ```text
//!                                   |Request received
//!                                   |pass to TU
//!                                   V
//!                             +-----------+
//!                             |           |
//!                             | Trying    |-------------+
//!                             |           |             |
//!                             +-----------+             |200-699 from TU
//!                                   |                   |send response
//!                                   |1xx from TU        |
//!                                   |send response      |
//!                                   |                   |
//!                Request            V      1xx from TU  |
//!                send response+-----------+send response|
//!                    +--------|           |--------+    |
//!                    |        | Proceeding|        |    |
//!                    +------->|           |<-------+    |
//!             +<--------------|           |             |
//!             |Trnsprt Err    +-----------+             |
//!             |Inform TU            |                   |
//!             |                     |                   |
//!             |                     |200-699 from TU    |
//!             |                     |send response      |
//!             |  Request            V                   |
//!             |  send response+-----------+             |
//!             |      +--------|           |             |
//!             |      |        | Completed |<------------+
//!             |      +------->|           |
//!             +<--------------|           |
//!             |Trnsprt Err    +-----------+
//!             |Inform TU            |
//!             |                     |Timer J fires
//!             |                     |-
//!             |                     |
//!             |                     V
//!             |               +-----------+
//!             |               |           |
//!             +-------------->| Terminated|
//!                             |           |
//!                             +-----------+
//! ```
//!
//! The RFC gives Trying and Proceeding no timer. A TU that never answers would keep the
//! transaction forever, so it ends after 64*T1 ([`TimerName::ServerGuard`]): the client's
//! timer F has fired by then and no answer can matter.

use std::time::Instant;

use super::build::response_destination;
use super::{
    due, earliest, is_provisional, Destination, Incoming, Output, OutputQueue, TimerName, Timers,
    TransactionError, TransactionEvent, TransactionId, Transmit, MAX_TRANSACTION_OUTPUTS,
};
use crate::method::Method;
use crate::owned::OwnedMessage;

/// States of [`ServerNonInvite`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerNonInviteState {
    Trying,
    Proceeding,
    Completed,
    Terminated,
}

/// A non-INVITE server transaction (also used for a received CANCEL).
#[derive(Debug, Clone)]
pub struct ServerNonInvite {
    id: TransactionId,
    timers: Timers,
    destination: Destination,
    request: Vec<u8>,
    state: ServerNonInviteState,
    last_response: Option<Vec<u8>>,
    timer_j: Option<Instant>,
    guard: Option<Instant>,
    queue: OutputQueue,
}

impl ServerNonInvite {
    /// Creates the transaction for a received request (not INVITE, not ACK).
    pub fn new(
        now: Instant,
        id: TransactionId,
        input: Incoming<'_>,
        timers: Timers,
    ) -> Result<Self, TransactionError> {
        let timers = timers.sanitized();
        match input.message.request_line().map(|r| &r.method) {
            None => {
                return Err(TransactionError::WrongKind {
                    expected: "request",
                })
            }
            Some(Method::Invite) => {
                return Err(TransactionError::WrongKind {
                    expected: "non-INVITE request",
                })
            }
            Some(Method::Ack) => return Err(TransactionError::AckRequest),
            Some(_) => {}
        }
        Ok(Self {
            id,
            timers,
            destination: response_destination(input.message, input.source),
            request: input.bytes.to_vec(),
            state: ServerNonInviteState::Trying,
            last_response: None,
            timer_j: None,
            guard: Some(now + timers.t1_x64()),
            queue: OutputQueue::new(MAX_TRANSACTION_OUTPUTS),
        })
    }

    pub fn id(&self) -> TransactionId {
        self.id
    }

    pub fn state(&self) -> ServerNonInviteState {
        self.state
    }

    pub fn is_terminated(&self) -> bool {
        self.state == ServerNonInviteState::Terminated
    }

    /// The request as received, until the final response: Completed only resends that
    /// response, for Timer J (64×T1 over UDP), so the bytes are let go (empty from then on).
    pub fn request(&self) -> &[u8] {
        &self.request
    }

    pub fn destination(&self) -> Destination {
        self.destination
    }

    pub fn dropped_outputs(&self) -> u64 {
        self.queue.dropped
    }

    fn transmit(&mut self, bytes: Vec<u8>) {
        self.queue.push(Output::Transmit(Transmit {
            transaction: Some(self.id),
            destination: self.destination,
            bytes,
        }));
    }

    fn terminate(&mut self) {
        if self.state == ServerNonInviteState::Terminated {
            return;
        }
        self.state = ServerNonInviteState::Terminated;
        self.timer_j = None;
        self.guard = None;
        self.queue
            .push(Output::Event(TransactionEvent::Terminated { id: self.id }));
    }

    /// Sends a response from the TU (in Trying or Proceeding).
    pub fn send_response(
        &mut self,
        now: Instant,
        response: &OwnedMessage,
    ) -> Result<(), TransactionError> {
        self.send_encoded(now, &super::Outgoing::encode(response)?)
    }

    /// [`ServerNonInvite::send_response`] of a response already encoded (and checked).
    pub fn send_encoded(
        &mut self,
        now: Instant,
        response: &super::Outgoing,
    ) -> Result<(), TransactionError> {
        let state = match self.state {
            ServerNonInviteState::Trying | ServerNonInviteState::Proceeding => self.state,
            ServerNonInviteState::Completed => {
                return Err(TransactionError::BadState { state: "Completed" })
            }
            ServerNonInviteState::Terminated => {
                return Err(TransactionError::BadState {
                    state: "Terminated",
                })
            }
        };
        let code = response.response_code()?;
        let bytes = response.bytes().to_vec();
        self.last_response = Some(bytes.clone());
        self.transmit(bytes);
        if is_provisional(code) {
            if state == ServerNonInviteState::Trying {
                self.state = ServerNonInviteState::Proceeding;
            }
            return Ok(());
        }
        self.state = ServerNonInviteState::Completed;
        self.request = Vec::new();
        self.guard = None;
        let j = self.timers.j(self.destination.transport.is_reliable());
        if j.is_zero() {
            self.terminate();
        } else {
            self.timer_j = Some(now + j);
        }
        Ok(())
    }

    /// Feeds a retransmission of the request: absorbed in Trying, answered with the last
    /// response in Proceeding and Completed.
    pub fn handle_input(&mut self, _now: Instant, input: Incoming<'_>) {
        if !input.message.is_request() {
            return;
        }
        if matches!(
            self.state,
            ServerNonInviteState::Proceeding | ServerNonInviteState::Completed
        ) {
            if let Some(last) = self.last_response.clone() {
                self.transmit(last);
            }
        }
    }

    pub fn handle_transport_error(&mut self, _now: Instant) {
        if self.state == ServerNonInviteState::Terminated {
            return;
        }
        self.queue
            .push(Output::Event(TransactionEvent::TransportError {
                id: self.id,
            }));
        self.terminate();
    }

    pub fn poll_output(&mut self) -> Option<Output> {
        self.queue.pop()
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        earliest([self.timer_j, self.guard])
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        if due(self.guard, now) {
            self.queue.push(Output::Event(TransactionEvent::Timeout {
                id: self.id,
                timer: TimerName::ServerGuard,
            }));
            self.terminate();
        } else if due(self.timer_j, now) {
            self.terminate();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::transaction::build_response;
    use crate::transaction::test_support::*;
    use crate::transaction::Transport;

    fn start(transport: Transport) -> (Instant, ServerNonInvite, Vec<u8>) {
        let t0 = Instant::now();
        let req = request("OPTIONS", "z9hG4bKsn1").to_bytes();
        let msg = crate::decode_datagram(&req).unwrap();
        let mut inc = incoming(&msg, &req);
        inc.source = source(transport);
        let tx = ServerNonInvite::new(t0, TransactionId(9), inc, Timers::default()).unwrap();
        (t0, tx, req)
    }

    fn feed(tx: &mut ServerNonInvite, now: Instant, bytes: &[u8]) {
        let msg = crate::decode_datagram(bytes).unwrap();
        tx.handle_input(now, incoming(&msg, bytes));
    }

    fn respond(req: &[u8], code: u16) -> OwnedMessage {
        build_response(&crate::decode_datagram(req).unwrap(), code, "R", Some("t")).unwrap()
    }

    #[test]
    fn trying_absorbs_proceeding_and_completed_resend_then_timer_j() {
        let (t0, mut tx, req) = start(Transport::Udp);
        feed(&mut tx, t0, &req);
        assert!(drain(&mut tx).is_empty());
        let ringing = respond(&req, 183);
        tx.send_response(t0, &ringing).unwrap();
        drain(&mut tx);
        feed(&mut tx, t0 + Duration::from_millis(500), &req);
        assert_eq!(transmits(&drain(&mut tx)), vec![ringing.to_bytes()]);
        let ok = respond(&req, 200);
        tx.send_response(t0 + Duration::from_secs(1), &ok).unwrap();
        drain(&mut tx);
        // Lingering for Timer J it keeps its response, not the request.
        assert!(tx.request().is_empty());
        assert!(tx.send_response(t0, &ok).is_err());
        feed(&mut tx, t0 + Duration::from_secs(2), &req);
        assert_eq!(transmits(&drain(&mut tx)), vec![ok.to_bytes()]);
        assert_eq!(tx.poll_timeout(), Some(t0 + Duration::from_secs(33)));
        tx.handle_timeout(t0 + Duration::from_secs(33));
        assert!(tx.is_terminated());
    }

    #[test]
    fn reliable_zero_timer_j() {
        let (t0, mut tx, req) = start(Transport::Tcp);
        tx.send_response(t0, &respond(&req, 200)).unwrap();
        assert!(tx.is_terminated());
        assert_eq!(tx.poll_timeout(), None);
    }

    #[test]
    fn unanswered_request_ends_after_64_t1() {
        let (t0, mut tx, _) = start(Transport::Udp);
        let run = run_to_end(&mut tx, t0);
        assert_eq!(
            run.timeouts,
            vec![(Duration::from_secs(32), TimerName::ServerGuard)]
        );
        assert!(run.terminated);
    }
}
