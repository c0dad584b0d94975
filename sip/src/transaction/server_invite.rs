//! INVITE server transaction (RFC 3261 §17.2.1, with the RFC 6026 Accepted state).
//!
//! ```text
//!                                |INVITE
//!                                |pass INV to TU
//!             INVITE             V send 100 if TU won't in 200 ms
//!             send response+-----------+
//!                 +--------|           |--------+ 101-199 from TU
//!                 |        |           |        | send response
//!                 +------->|Proceeding |<-------+
//!                          |           |
//!                          |           |--------------------+ 2xx from TU
//!                          +-----------+                    | send response
//!                 300-699 from TU |                         V
//!                 send response   |                   +-----------+  INVITE: absorb
//!                                 |                   |           |  2xx from TU: send
//!                                 |                   | Accepted  |  ACK: to TU
//!             INVITE          V          Timer G fires|           |
//!             send response+-----------+ send response+-----------+
//!                 +--------|           |--------+           |
//!                 |        | Completed |        |           | Timer L fires
//!                 +------->|           |<-------+           |
//!                          +-----------+                    |
//!                             |     |                       |
//!                         ACK |     | Timer H fires         |
//!                         -   |     | or Transport Err.     |
//!                             |     | inform TU             |
//!                             V     |                       |
//!                          +-----------+                    |
//!                          |           |                    |
//!                          | Confirmed |                    |
//!                          |           |                    |
//!                          +-----------+                    |
//!                                |                          |
//!                                |Timer I fires             |
//!                                V                          |
//!                          +-----------+                    |
//!                          | Terminated|<-------------------+
//!                          +-----------+
//! ```
//!
//! The transaction retransmits non-2xx finals (timer G) and absorbs their ACK; 2xx
//! retransmission and the 2xx ACK are the TU's (RFC 6026), and retransmitted INVITEs are
//! absorbed in Accepted. The creation event ([`TransactionEvent::RequestReceived`]) is the
//! layer's, not this machine's.

use std::time::{Duration, Instant};

use super::build::{build_response, response_destination};
use super::{
    due, earliest, is_provisional, is_success, Destination, Incoming, Output, OutputQueue,
    TimerName, Timers, TransactionError, TransactionEvent, TransactionId, Transmit,
    MAX_TRANSACTION_OUTPUTS,
};
use crate::method::Method;
use crate::owned::OwnedMessage;

/// States of [`ServerInvite`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerInviteState {
    Proceeding,
    Completed,
    Confirmed,
    Accepted,
    Terminated,
}

impl ServerInviteState {
    fn name(self) -> &'static str {
        match self {
            ServerInviteState::Proceeding => "Proceeding",
            ServerInviteState::Completed => "Completed",
            ServerInviteState::Confirmed => "Confirmed",
            ServerInviteState::Accepted => "Accepted",
            ServerInviteState::Terminated => "Terminated",
        }
    }
}

/// An INVITE server transaction.
#[derive(Debug, Clone)]
pub struct ServerInvite {
    id: TransactionId,
    timers: Timers,
    destination: Destination,
    request: Vec<u8>,
    state: ServerInviteState,
    last_response: Option<Vec<u8>>,
    response_to_tag: Option<String>,
    trying_at: Option<Instant>,
    g_interval: Duration,
    timer_g: Option<Instant>,
    timer_h: Option<Instant>,
    timer_i: Option<Instant>,
    timer_l: Option<Instant>,
    guard: Option<Instant>,
    queue: OutputQueue,
}

impl ServerInvite {
    /// Creates the transaction for a received INVITE.
    pub fn new(
        now: Instant,
        id: TransactionId,
        input: Incoming<'_>,
        timers: Timers,
    ) -> Result<Self, TransactionError> {
        let timers = timers.sanitized();
        if input.message.request_line().map(|r| &r.method) != Some(&Method::Invite) {
            return Err(TransactionError::WrongKind {
                expected: "INVITE request",
            });
        }
        Ok(Self {
            id,
            timers,
            destination: response_destination(input.message, input.source),
            request: input.bytes.to_vec(),
            state: ServerInviteState::Proceeding,
            last_response: None,
            response_to_tag: None,
            trying_at: Some(now + timers.trying_delay),
            g_interval: timers.t1,
            timer_g: None,
            timer_h: None,
            timer_i: None,
            timer_l: None,
            guard: Some(now + timers.proceeding_guard),
            queue: OutputQueue::new(MAX_TRANSACTION_OUTPUTS),
        })
    }

    pub fn id(&self) -> TransactionId {
        self.id
    }

    pub fn state(&self) -> ServerInviteState {
        self.state
    }

    pub fn is_terminated(&self) -> bool {
        self.state == ServerInviteState::Terminated
    }

    /// The INVITE as received, until the final response: after it the transaction only
    /// absorbs retransmissions (and, in Completed, resends its response), and it lingers for
    /// 64×T1, so the bytes are let go (empty from then on).
    pub fn request(&self) -> &[u8] {
        &self.request
    }

    /// Where responses go.
    pub fn destination(&self) -> Destination {
        self.destination
    }

    /// The To tag of the last response sent; an RFC 2543 ACK must carry it.
    pub fn response_to_tag(&self) -> Option<&str> {
        self.response_to_tag.as_deref()
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

    fn resend_last(&mut self) {
        if let Some(last) = self.last_response.clone() {
            self.transmit(last);
        }
    }

    fn terminate(&mut self) {
        if self.state == ServerInviteState::Terminated {
            return;
        }
        self.state = ServerInviteState::Terminated;
        self.trying_at = None;
        self.timer_g = None;
        self.timer_h = None;
        self.timer_i = None;
        self.timer_l = None;
        self.guard = None;
        self.queue
            .push(Output::Event(TransactionEvent::Terminated { id: self.id }));
    }

    /// Sends a response from the TU: 1xx and finals in Proceeding, 2xx again in Accepted.
    pub fn send_response(
        &mut self,
        now: Instant,
        response: &OwnedMessage,
    ) -> Result<(), TransactionError> {
        self.send_encoded(now, &super::Outgoing::encode(response)?)
    }

    /// [`ServerInvite::send_response`] of a response already encoded (and checked), which
    /// the TU also hands to its dialog.
    pub fn send_encoded(
        &mut self,
        now: Instant,
        response: &super::Outgoing,
    ) -> Result<(), TransactionError> {
        let code = response.response_code()?;
        let to_tag = response.message().to_header()?.tag().map(str::to_owned);
        let bytes = response.bytes().to_vec();
        match self.state {
            ServerInviteState::Proceeding => {}
            ServerInviteState::Accepted if is_success(code) => {
                self.transmit(bytes);
                return Ok(());
            }
            s => return Err(TransactionError::BadState { state: s.name() }),
        }
        self.trying_at = None;
        self.response_to_tag = to_tag;
        // Accepted absorbs INVITE retransmissions and the 2xx is the TU's to resend, so only
        // a provisional or an error is kept to answer them.
        self.last_response = (!is_success(code)).then(|| bytes.clone());
        self.transmit(bytes);
        if !is_provisional(code) {
            self.request = Vec::new();
        }
        if is_provisional(code) {
            self.guard = Some(now + self.timers.proceeding_guard);
        } else if is_success(code) {
            self.guard = None;
            self.state = ServerInviteState::Accepted;
            self.timer_l = Some(now + self.timers.t1_x64());
        } else {
            self.guard = None;
            self.state = ServerInviteState::Completed;
            if !self.destination.transport.is_reliable() {
                self.g_interval = self.timers.t1;
                self.timer_g = Some(now + self.timers.t1);
            }
            self.timer_h = Some(now + self.timers.t1_x64());
        }
        Ok(())
    }

    /// Feeds a request matched to this transaction: a retransmitted INVITE or an ACK.
    pub fn handle_input(&mut self, now: Instant, input: Incoming<'_>) {
        let Some(method) = input.message.request_line().map(|r| &r.method) else {
            return;
        };
        match (method, self.state) {
            (Method::Invite, ServerInviteState::Proceeding | ServerInviteState::Completed) => {
                self.resend_last();
            }
            (Method::Ack, ServerInviteState::Completed) => {
                self.state = ServerInviteState::Confirmed;
                self.timer_g = None;
                self.timer_h = None;
                let i = self.timers.i_k(self.destination.transport.is_reliable());
                if i.is_zero() {
                    self.terminate();
                } else {
                    self.timer_i = Some(now + i);
                }
            }
            (Method::Ack, ServerInviteState::Accepted) => {
                self.queue
                    .push(Output::Event(TransactionEvent::AckReceived {
                        invite: Some(self.id),
                        request: input.to_received(),
                    }));
            }
            // Confirmed absorbs ACKs; Accepted absorbs INVITEs.
            _ => {}
        }
    }

    /// The driver could not send a response. In Accepted the 2xx is the TU's to retry, so
    /// the transaction stays to absorb INVITE retransmissions.
    pub fn handle_transport_error(&mut self, _now: Instant) {
        if self.state == ServerInviteState::Terminated {
            return;
        }
        self.queue
            .push(Output::Event(TransactionEvent::TransportError {
                id: self.id,
            }));
        if self.state != ServerInviteState::Accepted {
            self.terminate();
        }
    }

    pub fn poll_output(&mut self) -> Option<Output> {
        self.queue.pop()
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        earliest([
            self.trying_at,
            self.timer_g,
            self.timer_h,
            self.timer_i,
            self.timer_l,
            self.guard,
        ])
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        if due(self.timer_h, now) {
            self.queue.push(Output::Event(TransactionEvent::Timeout {
                id: self.id,
                timer: TimerName::H,
            }));
            self.terminate();
            return;
        }
        if due(self.guard, now) {
            self.queue.push(Output::Event(TransactionEvent::Timeout {
                id: self.id,
                timer: TimerName::ProceedingGuard,
            }));
            self.terminate();
            return;
        }
        if due(self.timer_i, now) || due(self.timer_l, now) {
            self.terminate();
            return;
        }
        if due(self.trying_at, now) {
            self.trying_at = None;
            let trying = crate::decode_datagram(&self.request)
                .ok()
                .and_then(|req| build_response(&req, 100, "Trying", None).ok())
                .map(|r| r.to_bytes());
            if let Some(trying) = trying {
                self.last_response = Some(trying.clone());
                self.transmit(trying);
            }
        }
        if due(self.timer_g, now) {
            self.g_interval = self.timers.double_capped(self.g_interval);
            self.timer_g = Some(now + self.g_interval);
            self.resend_last();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transaction::test_support::*;
    use crate::transaction::Transport;

    struct Fixture {
        t0: Instant,
        tx: ServerInvite,
        invite: Vec<u8>,
    }

    fn start(transport: Transport) -> Fixture {
        let t0 = Instant::now();
        let invite = invite_request("z9hG4bKsi1").to_bytes();
        let msg = crate::decode_datagram(&invite).unwrap();
        let mut inc = incoming(&msg, &invite);
        inc.source = source(transport);
        let tx = ServerInvite::new(t0, TransactionId(3), inc, Timers::default()).unwrap();
        Fixture { t0, tx, invite }
    }

    fn feed(tx: &mut ServerInvite, now: Instant, bytes: &[u8]) {
        let msg = crate::decode_datagram(bytes).unwrap();
        tx.handle_input(now, incoming(&msg, bytes));
    }

    fn respond(f: &Fixture, code: u16) -> OwnedMessage {
        let req = crate::decode_datagram(&f.invite).unwrap();
        build_response(&req, code, "R", Some("uas")).unwrap()
    }

    fn ack(f: &Fixture) -> Vec<u8> {
        String::from_utf8(f.invite.clone())
            .unwrap()
            .replace("INVITE sip", "ACK sip")
            .replace("314159 INVITE", "314159 ACK")
            .into_bytes()
    }

    #[test]
    fn hundred_trying_after_200ms_and_resent_on_retransmission() {
        let mut f = start(Transport::Udp);
        assert!(drain(&mut f.tx).is_empty());
        assert_eq!(f.tx.poll_timeout(), Some(f.t0 + Duration::from_millis(200)));
        f.tx.handle_timeout(f.t0 + Duration::from_millis(199));
        assert!(drain(&mut f.tx).is_empty());
        f.tx.handle_timeout(f.t0 + Duration::from_millis(200));
        let out = transmits(&drain(&mut f.tx));
        assert_eq!(out.len(), 1);
        let trying = crate::decode_datagram(&out[0]).unwrap();
        assert_eq!(trying.status_line().unwrap().code, 100);
        assert_eq!(trying.to_header().unwrap().tag(), None);
        let invite = f.invite.clone();
        feed(&mut f.tx, f.t0 + Duration::from_millis(500), &invite);
        assert_eq!(transmits(&drain(&mut f.tx)), out);
    }

    #[test]
    fn no_trying_when_the_tu_answers_first() {
        let mut f = start(Transport::Udp);
        let r = respond(&f, 180);
        f.tx.send_response(f.t0 + Duration::from_millis(50), &r)
            .unwrap();
        drain(&mut f.tx);
        f.tx.handle_timeout(f.t0 + Duration::from_millis(200));
        assert!(drain(&mut f.tx).is_empty());
        let invite = f.invite.clone();
        feed(&mut f.tx, f.t0 + Duration::from_millis(500), &invite);
        assert_eq!(transmits(&drain(&mut f.tx)), vec![r.to_bytes()]);
    }

    #[test]
    fn timer_g_schedule_then_timer_h() {
        let mut f = start(Transport::Udp);
        f.tx.send_response(f.t0, &respond(&f, 486)).unwrap();
        let run = run_to_end(&mut f.tx, f.t0);
        assert_eq!(
            run.transmit_times,
            secs(&[0.0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5])
        );
        assert_eq!(run.timeouts, vec![(Duration::from_secs(32), TimerName::H)]);
        assert!(f.tx.is_terminated());
    }

    #[test]
    fn ack_confirms_timer_i_absorbs_then_terminates() {
        let mut f = start(Transport::Udp);
        let final_resp = respond(&f, 404);
        f.tx.send_response(f.t0, &final_resp).unwrap();
        drain(&mut f.tx);
        // A retransmitted INVITE gets the final again.
        let invite = f.invite.clone();
        feed(&mut f.tx, f.t0 + Duration::from_millis(100), &invite);
        assert_eq!(transmits(&drain(&mut f.tx)), vec![final_resp.to_bytes()]);
        let ack = ack(&f);
        feed(&mut f.tx, f.t0 + Duration::from_secs(1), &ack);
        assert_eq!(f.tx.state(), ServerInviteState::Confirmed);
        feed(&mut f.tx, f.t0 + Duration::from_secs(2), &ack);
        assert!(drain(&mut f.tx).is_empty(), "ACK retransmission absorbed");
        assert_eq!(f.tx.poll_timeout(), Some(f.t0 + Duration::from_secs(6)));
        f.tx.handle_timeout(f.t0 + Duration::from_secs(6));
        assert!(f.tx.is_terminated());
    }

    #[test]
    fn reliable_no_g_and_zero_i() {
        let mut f = start(Transport::Tcp);
        f.tx.send_response(f.t0, &respond(&f, 500)).unwrap();
        assert_eq!(f.tx.poll_timeout(), Some(f.t0 + Duration::from_secs(32)));
        let ack = ack(&f);
        feed(&mut f.tx, f.t0 + Duration::from_secs(1), &ack);
        assert!(f.tx.is_terminated());
        let mut f = start(Transport::Tcp);
        f.tx.send_response(f.t0, &respond(&f, 500)).unwrap();
        let run = run_to_end(&mut f.tx, f.t0);
        assert_eq!(run.transmit_times, secs(&[0.0]));
        assert_eq!(run.timeouts, vec![(Duration::from_secs(32), TimerName::H)]);
    }

    #[test]
    fn accepted_absorbs_invites_and_passes_tu_2xx_until_timer_l() {
        let mut f = start(Transport::Udp);
        let ok = respond(&f, 200);
        f.tx.send_response(f.t0, &ok).unwrap();
        assert_eq!(f.tx.state(), ServerInviteState::Accepted);
        assert_eq!(f.tx.response_to_tag(), Some("uas"));
        // Lingering for Timer L it keeps neither the INVITE nor the 2xx (the TU resends it).
        assert!(f.tx.request().is_empty() && f.tx.last_response.is_none());
        drain(&mut f.tx);
        let invite = f.invite.clone();
        feed(&mut f.tx, f.t0 + Duration::from_millis(500), &invite);
        assert!(
            drain(&mut f.tx).is_empty(),
            "INVITE absorbed, no 2xx resent"
        );
        // The TU retransmits its 2xx through the transaction.
        f.tx.send_response(f.t0 + Duration::from_millis(500), &ok)
            .unwrap();
        assert_eq!(transmits(&drain(&mut f.tx)).len(), 1);
        assert!(f.tx.send_response(f.t0, &respond(&f, 486)).is_err());
        let run = run_from(&mut f.tx, f.t0, f.t0 + Duration::from_secs(1));
        assert_eq!(run.end, Duration::from_secs(32));
        assert!(run.terminated && run.timeouts.is_empty());
    }
}
