//! Non-INVITE client transaction (RFC 3261 §17.1.2).
//!
//! ```text
//!                                    |Request from TU
//!                                    |send request
//!                Timer E             V
//!                send request  +-----------+
//!                    +---------|           |-------------------+
//!                    |         |  Trying   |  Timer F          |
//!                    +-------->|           |  or Transport Err.|
//!                              +-----------+  inform TU        |
//!                 200-699         |  |                         |
//!                 resp. to TU     |  |1xx                      |
//!                 +---------------+  |resp. to TU              |
//!                 |                  |                         |
//!                 |   Timer E        V       Timer F           |
//!                 |   send req +-----------+ or Transport Err. |
//!                 |  +---------|           | inform TU         |
//!                 |  |         |Proceeding |------------------>|
//!                 |  +-------->|           |-----+             |
//!                 |            +-----------+     |1xx          |
//!                 |              |      ^        |resp to TU   |
//!                 | 200-699      |      +--------+             |
//!                 | resp. to TU  |                             |
//!                 |              |                             |
//!                 |              V                             |
//!                 |            +-----------+                   |
//!                 |            |           |                   |
//!                 |            | Completed |                   |
//!                 |            |           |                   |
//!                 |            +-----------+                   |
//!                 |              ^   |                         |
//!                 |              |   | Timer K                 |
//!                 +--------------+   | -                       |
//!                                    |                         |
//!                                    V                         |
//!              NOTE:           +-----------+                   |
//!                              |           |                   |
//!          transitions         | Terminated|<------------------+
//!          labeled with        |           |
//!          the event           +-----------+
//!          over the action
//!          to take
//! ```
//!
//! Timer E starts at T1 and doubles up to T2 in Trying; in Proceeding it is T2.

use std::time::{Duration, Instant};

use super::client_invite::encode_request;
use super::{
    due, earliest, is_provisional, Destination, Incoming, Output, OutputQueue, TimerName, Timers,
    TransactionError, TransactionEvent, TransactionId, Transmit, MAX_TRANSACTION_OUTPUTS,
};
use crate::owned::OwnedMessage;

/// States of [`ClientNonInvite`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientNonInviteState {
    Trying,
    Proceeding,
    Completed,
    Terminated,
}

/// A non-INVITE client transaction (also used for CANCEL).
#[derive(Debug, Clone)]
pub struct ClientNonInvite {
    id: TransactionId,
    timers: Timers,
    destination: Destination,
    request: Vec<u8>,
    state: ClientNonInviteState,
    e_interval: Duration,
    timer_e: Option<Instant>,
    timer_f: Option<Instant>,
    timer_k: Option<Instant>,
    queue: OutputQueue,
}

impl ClientNonInvite {
    /// Starts the transaction and queues the request (not INVITE, not ACK; the top Via must
    /// carry a `z9hG4bK` branch).
    pub fn new(
        now: Instant,
        id: TransactionId,
        request: &OwnedMessage,
        destination: Destination,
        timers: Timers,
    ) -> Result<Self, TransactionError> {
        Ok(Self::from_encoded(
            now,
            id,
            encode_request(request, false)?,
            destination,
            timers,
        ))
    }

    /// [`ClientNonInvite::new`] for a request the layer has already encoded and checked.
    pub(crate) fn from_encoded(
        now: Instant,
        id: TransactionId,
        request: Vec<u8>,
        destination: Destination,
        timers: Timers,
    ) -> Self {
        let timers = timers.sanitized();
        let reliable = destination.transport.is_reliable();
        let mut t = Self {
            id,
            timers,
            destination,
            request,
            state: ClientNonInviteState::Trying,
            e_interval: timers.t1,
            timer_e: (!reliable).then(|| now + timers.t1),
            timer_f: Some(now + timers.t1_x64()),
            timer_k: None,
            queue: OutputQueue::new(MAX_TRANSACTION_OUTPUTS),
        };
        t.transmit();
        t
    }

    pub fn id(&self) -> TransactionId {
        self.id
    }

    pub fn state(&self) -> ClientNonInviteState {
        self.state
    }

    pub fn is_terminated(&self) -> bool {
        self.state == ClientNonInviteState::Terminated
    }

    pub fn request(&self) -> &[u8] {
        &self.request
    }

    pub fn dropped_outputs(&self) -> u64 {
        self.queue.dropped
    }

    fn transmit(&mut self) {
        self.queue.push(Output::Transmit(Transmit {
            transaction: Some(self.id),
            destination: self.destination,
            bytes: self.request.clone(),
        }));
    }

    fn terminate(&mut self) {
        if self.state == ClientNonInviteState::Terminated {
            return;
        }
        self.state = ClientNonInviteState::Terminated;
        self.timer_e = None;
        self.timer_f = None;
        self.timer_k = None;
        self.queue
            .push(Output::Event(TransactionEvent::Terminated { id: self.id }));
    }

    /// Feeds a response matched to this transaction. Requests are ignored.
    pub fn handle_input(&mut self, now: Instant, input: Incoming<'_>) {
        let Some(code) = input.message.status_line().map(|s| s.code) else {
            return;
        };
        if !matches!(
            self.state,
            ClientNonInviteState::Trying | ClientNonInviteState::Proceeding
        ) {
            // Completed absorbs retransmitted finals; Terminated ignores everything.
            return;
        }
        self.queue
            .push(Output::Event(TransactionEvent::ResponseReceived {
                id: self.id,
                response: input.to_received(),
            }));
        if is_provisional(code) {
            self.state = ClientNonInviteState::Proceeding;
            return;
        }
        self.state = ClientNonInviteState::Completed;
        self.timer_e = None;
        self.timer_f = None;
        let k = self.timers.i_k(self.destination.transport.is_reliable());
        if k.is_zero() {
            self.terminate();
        } else {
            self.timer_k = Some(now + k);
        }
    }

    pub fn handle_transport_error(&mut self, _now: Instant) {
        if self.state == ClientNonInviteState::Terminated {
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
        earliest([self.timer_e, self.timer_f, self.timer_k])
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        if due(self.timer_f, now) {
            self.queue.push(Output::Event(TransactionEvent::Timeout {
                id: self.id,
                timer: TimerName::F,
            }));
            self.terminate();
            return;
        }
        if due(self.timer_k, now) {
            self.terminate();
            return;
        }
        if due(self.timer_e, now) {
            self.e_interval = match self.state {
                ClientNonInviteState::Proceeding => self.timers.t2,
                _ => self.timers.double_capped(self.e_interval),
            };
            self.timer_e = Some(now + self.e_interval);
            self.transmit();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transaction::test_support::*;
    use crate::transaction::Transport;

    fn start(transport: Transport) -> (Instant, ClientNonInvite) {
        let t0 = Instant::now();
        let tx = ClientNonInvite::new(
            t0,
            TransactionId(7),
            &request("OPTIONS", "z9hG4bKcn1"),
            dest(transport),
            Timers::default(),
        )
        .unwrap();
        (t0, tx)
    }

    fn reply(tx: &mut ClientNonInvite, now: Instant, code: u16, tag: Option<&str>) {
        let bytes = response_to(tx.request(), code, tag);
        feed(tx, now, &bytes);
    }

    fn feed(tx: &mut ClientNonInvite, now: Instant, bytes: &[u8]) {
        let msg = crate::decode_datagram(bytes).unwrap();
        tx.handle_input(now, incoming(&msg, bytes));
    }

    #[test]
    fn timer_e_doubles_to_t2_then_timer_f() {
        let (t0, mut tx) = start(Transport::Udp);
        let run = run_to_end(&mut tx, t0);
        // Intervals 0.5, 1, 2, 4, 4, 4 … until F at 32 s.
        assert_eq!(
            run.transmit_times,
            secs(&[0.0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5])
        );
        assert_eq!(run.timeouts, vec![(Duration::from_secs(32), TimerName::F)]);
        assert!(tx.is_terminated());
    }

    #[test]
    fn timer_e_is_t2_in_proceeding() {
        let (t0, mut tx) = start(Transport::Udp);
        drain(&mut tx);
        // 1xx at 0.2 s: the next E (armed at 0.5) fires, then every T2.
        reply(&mut tx, t0 + Duration::from_millis(200), 100, None);
        assert_eq!(tx.state(), ClientNonInviteState::Proceeding);
        let run = run_from(&mut tx, t0, t0 + Duration::from_millis(200));
        assert_eq!(
            run.transmit_times,
            secs(&[0.5, 4.5, 8.5, 12.5, 16.5, 20.5, 24.5, 28.5])
        );
        assert_eq!(run.timeouts, vec![(Duration::from_secs(32), TimerName::F)]);
    }

    #[test]
    fn timer_k_absorbs_then_terminates() {
        let (t0, mut tx) = start(Transport::Udp);
        drain(&mut tx);
        let ok = response_to(tx.request(), 200, Some("x"));
        feed(&mut tx, t0 + Duration::from_secs(1), &ok);
        assert_eq!(events(&drain(&mut tx)).len(), 1);
        feed(&mut tx, t0 + Duration::from_secs(2), &ok);
        assert!(drain(&mut tx).is_empty());
        assert_eq!(tx.poll_timeout(), Some(t0 + Duration::from_secs(6)));
        tx.handle_timeout(t0 + Duration::from_secs(6));
        assert!(tx.is_terminated());
    }

    #[test]
    fn reliable_no_retransmit_zero_k() {
        let (t0, mut tx) = start(Transport::Tls);
        let run = run_to_end(&mut tx, t0);
        assert_eq!(run.transmit_times, secs(&[0.0]));
        assert_eq!(run.timeouts, vec![(Duration::from_secs(32), TimerName::F)]);
        let (t0, mut tx) = start(Transport::Tcp);
        reply(&mut tx, t0, 404, Some("x"));
        assert!(tx.is_terminated());
        assert_eq!(tx.poll_timeout(), None);
    }

    #[test]
    fn transport_error_informs_tu() {
        let (t0, mut tx) = start(Transport::Udp);
        drain(&mut tx);
        tx.handle_transport_error(t0);
        let out = drain(&mut tx);
        assert_eq!(
            events(&out),
            vec![TransactionEvent::TransportError {
                id: TransactionId(7)
            }]
        );
        assert!(tx.is_terminated());
    }
}
