//! INVITE client transaction (RFC 3261 §17.1.1, with the RFC 6026 Accepted state).
//!
//! ```text
//!                                |INVITE from TU
//!              Timer A fires     |INVITE sent
//!              Reset A,          V                      Timer B fires
//!              INVITE sent +-----------+                or Transport Err.
//!                +---------|           |---------------+inform TU
//!                |         |  Calling  |               |
//!                +-------->|           |-------------->|
//!                          +-----------+ 2xx           |
//!                             |  |       2xx to TU     |
//!                             |  |1xx                  |
//!     300-699 +---------------+  |1xx to TU            |
//!    ACK sent |                  |                     |
//! resp. to TU |  1xx             V                     |
//!             |  1xx to TU  -----------+               |
//!             |  +---------|           |               |
//!             |  |         |Proceeding |-------------->|
//!             |  +-------->|           | 2xx           |
//!             |            +-----------+ 2xx to TU     |
//!             |   300-699     |                        |
//!             |   ACK sent,   |                        |
//!             |   resp. to TU |                        |
//!             |               |                        |
//!             |               V                        |
//!             |         +-----------+     2xx          |
//!             |         |           |     2xx to TU    |
//!             +-------->| Completed |  +-----------+   |
//!                       |           |  |           |   |
//!          300-699      +-----------+  | Accepted  |<--+ (from Calling/Proceeding on 2xx)
//!          ACK sent        |           |           |
//!                          |Timer D    +-----------+
//!                          |fires           |Timer M fires
//!                          V                V
//!                       +---------------------------+
//!                       |        Terminated         |
//!                       +---------------------------+
//! ```
//!
//! The ACK for a non-2xx final is built and sent here; the ACK for a 2xx is the dialog's,
//! and every 2xx (first and retransmitted, possibly from several forks) is passed up.
//! Proceeding has no RFC timer; [`Timers::proceeding_guard`] bounds it (reset by each 1xx).

use std::time::{Duration, Instant};

use super::build::build_ack;
use super::{
    due, earliest, is_provisional, is_success, Destination, Incoming, Output, OutputQueue,
    TimerName, Timers, TransactionError, TransactionEvent, TransactionId, Transmit,
    MAX_TRANSACTION_OUTPUTS,
};
use crate::method::Method;
use crate::owned::OwnedMessage;

/// States of [`ClientInvite`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientInviteState {
    Calling,
    Proceeding,
    Completed,
    Accepted,
    Terminated,
}

/// An INVITE client transaction.
#[derive(Debug, Clone)]
pub struct ClientInvite {
    id: TransactionId,
    timers: Timers,
    destination: Destination,
    request: Vec<u8>,
    ack: Option<Vec<u8>>,
    state: ClientInviteState,
    got_provisional: bool,
    a_interval: Duration,
    timer_a: Option<Instant>,
    timer_b: Option<Instant>,
    timer_d: Option<Instant>,
    timer_m: Option<Instant>,
    guard: Option<Instant>,
    queue: OutputQueue,
}

/// Checks that `request` is a request of the kind asked (INVITE or not) with an RFC 3261
/// branch, and serializes it.
pub(crate) fn encode_request(
    request: &OwnedMessage,
    invite: bool,
) -> Result<Vec<u8>, TransactionError> {
    let request = super::Outgoing::encode(request)?;
    request_key(&request, invite)?;
    Ok(request.bytes().to_vec())
}

/// The client transaction key of `request` (encoded, so checked, once), after checking that
/// it is a request of the kind asked: the layer indexes the transaction by it.
pub(crate) fn request_key(
    request: &super::Outgoing,
    invite: bool,
) -> Result<super::key::ClientKey, TransactionError> {
    let msg = request.message();
    let line = msg.request_line().ok_or(TransactionError::WrongKind {
        expected: "request",
    })?;
    match (&line.method, invite) {
        (Method::Invite, true) => {}
        (Method::Ack, _) => return Err(TransactionError::AckRequest),
        (_, true) => {
            return Err(TransactionError::WrongKind {
                expected: "INVITE request",
            })
        }
        (Method::Invite, false) => {
            return Err(TransactionError::WrongKind {
                expected: "non-INVITE request",
            })
        }
        (_, false) => {}
    }
    super::key::ClientKey::from_request(msg)?.ok_or(TransactionError::NoRfc3261Branch)
}

impl ClientInvite {
    /// Starts the transaction and queues the INVITE. The top Via must carry a unique
    /// `z9hG4bK` branch (the TU or transport made it).
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
            encode_request(request, true)?,
            destination,
            timers,
        ))
    }

    /// [`ClientInvite::new`] for an INVITE the layer has already encoded and checked.
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
            ack: None,
            state: ClientInviteState::Calling,
            got_provisional: false,
            a_interval: timers.t1,
            timer_a: (!reliable).then(|| now + timers.t1),
            timer_b: Some(now + timers.t1_x64()),
            timer_d: None,
            timer_m: None,
            guard: None,
            queue: OutputQueue::new(MAX_TRANSACTION_OUTPUTS),
        };
        t.transmit(t.request.clone());
        t
    }

    pub fn id(&self) -> TransactionId {
        self.id
    }

    pub fn state(&self) -> ClientInviteState {
        self.state
    }

    pub fn is_terminated(&self) -> bool {
        self.state == ClientInviteState::Terminated
    }

    /// The INVITE as sent, until a 2xx: Accepted lingers 64×T1 only to pass further 2xx up
    /// (the TU acknowledges them), so the bytes are let go (empty from then on).
    pub fn request(&self) -> &[u8] {
        &self.request
    }

    pub fn destination(&self) -> Destination {
        self.destination
    }

    /// True when a CANCEL may be sent (§9.1): a provisional arrived and no final yet.
    pub fn can_cancel(&self) -> bool {
        self.got_provisional && self.state == ClientInviteState::Proceeding
    }

    /// Outputs dropped because the driver did not poll.
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

    fn event(&mut self, e: TransactionEvent) {
        self.queue.push(Output::Event(e));
    }

    fn terminate(&mut self) {
        if self.state == ClientInviteState::Terminated {
            return;
        }
        self.state = ClientInviteState::Terminated;
        self.timer_a = None;
        self.timer_b = None;
        self.timer_d = None;
        self.timer_m = None;
        self.guard = None;
        self.event(TransactionEvent::Terminated { id: self.id });
    }

    /// Feeds a response whose top Via branch and CSeq method matched this transaction.
    /// Requests are ignored.
    pub fn handle_input(&mut self, now: Instant, input: Incoming<'_>) {
        let Some(code) = input.message.status_line().map(|s| s.code) else {
            return;
        };
        match self.state {
            ClientInviteState::Calling | ClientInviteState::Proceeding => {
                self.timer_a = None;
                self.timer_b = None;
                if is_provisional(code) {
                    self.state = ClientInviteState::Proceeding;
                    self.got_provisional = true;
                    self.guard = Some(now + self.timers.proceeding_guard);
                    self.pass_up(input);
                } else if is_success(code) {
                    self.state = ClientInviteState::Accepted;
                    self.request = Vec::new();
                    self.guard = None;
                    self.timer_m = Some(now + self.timers.t1_x64());
                    self.pass_up(input);
                } else {
                    self.state = ClientInviteState::Completed;
                    self.guard = None;
                    self.ack = crate::decode_datagram(&self.request)
                        .ok()
                        .and_then(|invite| build_ack(&invite, input.message).ok())
                        .map(|ack| ack.to_bytes());
                    if let Some(ack) = self.ack.clone() {
                        self.transmit(ack);
                    }
                    self.pass_up(input);
                    let d = self.timers.d(self.destination.transport.is_reliable());
                    if d.is_zero() {
                        self.terminate();
                    } else {
                        self.timer_d = Some(now + d);
                    }
                }
            }
            ClientInviteState::Completed => {
                // A retransmitted final: ACK again, do not bother the TU.
                if code >= 300 {
                    if let Some(ack) = self.ack.clone() {
                        self.transmit(ack);
                    }
                }
            }
            ClientInviteState::Accepted => {
                if is_success(code) {
                    self.pass_up(input);
                }
            }
            ClientInviteState::Terminated => {}
        }
    }

    fn pass_up(&mut self, input: Incoming<'_>) {
        self.event(TransactionEvent::ResponseReceived {
            id: self.id,
            response: input.to_received(),
        });
    }

    /// The driver could not send one of our messages.
    pub fn handle_transport_error(&mut self, _now: Instant) {
        if self.state == ClientInviteState::Terminated {
            return;
        }
        self.event(TransactionEvent::TransportError { id: self.id });
        self.terminate();
    }

    pub fn poll_output(&mut self) -> Option<Output> {
        self.queue.pop()
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        earliest([
            self.timer_a,
            self.timer_b,
            self.timer_d,
            self.timer_m,
            self.guard,
        ])
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        if due(self.timer_b, now) {
            self.event(TransactionEvent::Timeout {
                id: self.id,
                timer: TimerName::B,
            });
            self.terminate();
            return;
        }
        if due(self.guard, now) {
            self.event(TransactionEvent::Timeout {
                id: self.id,
                timer: TimerName::ProceedingGuard,
            });
            self.terminate();
            return;
        }
        if due(self.timer_d, now) || due(self.timer_m, now) {
            self.terminate();
            return;
        }
        if due(self.timer_a, now) {
            // Timer A doubles without a cap; timer B ends it after 64*T1.
            self.a_interval = self.a_interval.saturating_mul(2);
            self.timer_a = Some(now + self.a_interval);
            self.transmit(self.request.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transaction::test_support::*;
    use crate::{HeaderName, OwnedMessage};

    fn start(transport: crate::transaction::Transport) -> (Instant, ClientInvite) {
        let t0 = Instant::now();
        let tx = ClientInvite::new(
            t0,
            TransactionId(1),
            &invite_request("z9hG4bKci1"),
            dest(transport),
            Timers::default(),
        )
        .unwrap();
        (t0, tx)
    }

    fn reply(tx: &mut ClientInvite, now: Instant, code: u16, tag: Option<&str>) {
        let bytes = response_to(tx.request(), code, tag);
        feed(tx, now, &bytes);
    }

    fn feed(tx: &mut ClientInvite, now: Instant, bytes: &[u8]) {
        let msg = crate::decode_datagram(bytes).unwrap();
        tx.handle_input(now, incoming(&msg, bytes));
    }

    #[test]
    fn timer_a_schedule_then_timer_b() {
        let (t0, mut tx) = start(crate::transaction::Transport::Udp);
        let run = run_to_end(&mut tx, t0);
        // Sent at 0, then retransmitted at 0.5, 1.5, 3.5, 7.5, 15.5, 31.5; B at 32.
        assert_eq!(
            run.transmit_times,
            secs(&[0.0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5])
        );
        assert_eq!(run.timeouts, vec![(Duration::from_secs(32), TimerName::B)]);
        assert!(tx.is_terminated());
        assert!(run.terminated);
    }

    #[test]
    fn reliable_has_no_retransmissions_and_zero_timer_d() {
        let (t0, mut tx) = start(crate::transaction::Transport::Tcp);
        assert_eq!(tx.poll_timeout(), Some(t0 + Duration::from_secs(32)));
        let mut out = drain(&mut tx);
        assert_eq!(out.len(), 1);
        reply(&mut tx, t0, 486, Some("callee"));
        out = drain(&mut tx);
        // ACK, the 486 up, Terminated at once (timer D is zero).
        assert_eq!(out.len(), 3);
        assert!(tx.is_terminated());
        assert_eq!(tx.poll_timeout(), None);
    }

    #[test]
    fn non_2xx_ack_is_built_per_17_1_1_3_and_repeated() {
        let (t0, mut tx) = start(crate::transaction::Transport::Udp);
        drain(&mut tx);
        reply(&mut tx, t0, 180, Some("callee"));
        assert_eq!(tx.state(), ClientInviteState::Proceeding);
        assert!(tx.can_cancel());
        assert_eq!(events(&drain(&mut tx)).len(), 1);
        let busy = response_to(tx.request(), 486, Some("callee"));
        feed(&mut tx, t0, &busy);
        let out = drain(&mut tx);
        let acks = transmits(&out);
        assert_eq!(acks.len(), 1);
        let ack = crate::decode_datagram(&acks[0]).unwrap();
        let invite = crate::decode_datagram(tx.request()).unwrap();
        assert_eq!(ack.request_line().unwrap().method, Method::Ack);
        assert_eq!(
            ack.request_line().unwrap().uri_text,
            invite.request_line().unwrap().uri_text
        );
        assert_eq!(ack.call_id().unwrap(), invite.call_id().unwrap());
        assert_eq!(
            ack.header_value(HeaderName::From),
            invite.header_value(HeaderName::From)
        );
        assert_eq!(ack.to_header().unwrap().tag(), Some("callee"));
        assert_eq!(ack.cseq().unwrap().seq, invite.cseq().unwrap().seq);
        assert_eq!(ack.cseq().unwrap().method, Method::Ack);
        assert_eq!(ack.vias().unwrap(), vec![invite.top_via().unwrap()]);
        let routes: Vec<_> = ack
            .headers_named(HeaderName::Route)
            .map(|h| h.value.clone())
            .collect();
        let inv_routes: Vec<_> = invite
            .headers_named(HeaderName::Route)
            .map(|h| h.value.clone())
            .collect();
        assert_eq!(routes, inv_routes);
        assert_eq!(routes.len(), 2);
        assert_eq!(events(&out).len(), 1);
        // The retransmitted 486 is ACKed again and absorbed.
        feed(&mut tx, t0 + Duration::from_secs(1), &busy);
        let out = drain(&mut tx);
        assert_eq!(transmits(&out), vec![acks[0].clone()]);
        assert!(events(&out).is_empty());
        // Timer D = 32 s.
        assert_eq!(tx.poll_timeout(), Some(t0 + Duration::from_secs(32)));
        tx.handle_timeout(t0 + Duration::from_secs(32));
        assert!(tx.is_terminated());
    }

    #[test]
    fn every_2xx_passes_up_in_accepted_until_timer_m() {
        let (t0, mut tx) = start(crate::transaction::Transport::Udp);
        drain(&mut tx);
        let invite = tx.request().to_vec();
        let ok = response_to(&invite, 200, Some("a"));
        feed(&mut tx, t0, &ok);
        assert_eq!(tx.state(), ClientInviteState::Accepted);
        // Lingering for Timer M it no longer keeps the INVITE.
        assert!(tx.request().is_empty());
        // A 2xx from another fork and a retransmission both reach the TU; no ACK is sent.
        feed(&mut tx, t0 + Duration::from_secs(1), &ok);
        let forked = response_to(&invite, 200, Some("b"));
        feed(&mut tx, t0 + Duration::from_secs(2), &forked);
        let out = drain(&mut tx);
        assert!(transmits(&out).is_empty());
        assert_eq!(events(&out).len(), 3);
        assert_eq!(tx.poll_timeout(), Some(t0 + Duration::from_secs(32)));
        tx.handle_timeout(t0 + Duration::from_secs(32));
        assert!(tx.is_terminated());
    }

    #[test]
    fn proceeding_guard_ends_an_unanswered_invite() {
        let (t0, mut tx) = start(crate::transaction::Transport::Udp);
        reply(&mut tx, t0, 100, None);
        assert_eq!(tx.poll_timeout(), Some(t0 + Duration::from_secs(180)));
        tx.handle_timeout(t0 + Duration::from_secs(180));
        let out = drain(&mut tx);
        assert!(out.iter().any(|o| matches!(
            o,
            Output::Event(TransactionEvent::Timeout {
                timer: TimerName::ProceedingGuard,
                ..
            })
        )));
        assert!(tx.is_terminated());
    }

    #[test]
    fn refuses_non_invite_and_cookieless_branch() {
        let t0 = Instant::now();
        let d = dest(crate::transaction::Transport::Udp);
        let opt = OwnedMessage::request("OPTIONS", "sip:a@b")
            .with(HeaderName::Via, "SIP/2.0/UDP h;branch=z9hG4bK1")
            .with(HeaderName::From, "<sip:a@b>;tag=1")
            .with(HeaderName::To, "<sip:a@b>")
            .with(HeaderName::CallId, "x")
            .with(HeaderName::CSeq, "1 OPTIONS");
        assert!(matches!(
            ClientInvite::new(t0, TransactionId(1), &opt, d, Timers::default()),
            Err(TransactionError::WrongKind { .. })
        ));
        let bad = invite_request("z9hG4bK");
        assert_eq!(
            ClientInvite::new(t0, TransactionId(1), &bad, d, Timers::default()).err(),
            Some(TransactionError::NoRfc3261Branch)
        );
    }
}
