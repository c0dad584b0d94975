//! The H.225.0 call signalling state machine of one call (Q.931 as H.225.0 §7.3–7.4 profiles
//! it): incoming and outgoing calls from Setup to Release Complete, fastStart proposals and
//! answers, H.245 tunnelled in the UU-PDU's `h245Control`, and the peer's separate H.245
//! address when it offers one.
//!
//! Sans-IO: the caller feeds TPKT payloads read from the call signalling connection
//! ([`Call::handle_payload`]) and the time, and takes TPKT packets to write
//! ([`Call::poll_transmit`]), events ([`Call::poll_event`]) and the next deadline
//! ([`Call::poll_timeout`]). H.245 itself is another machine (`h245::session`): this one only
//! carries its messages when tunnelling is on, and says where the peer's H.245 listens when
//! it is not. One call per connection: a Setup for another call reference on the same
//! connection gets Release Complete (we never set `multipleCalls`).

mod build;
mod config;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod inbound;
#[cfg(test)]
mod tests;
mod types;

use std::collections::VecDeque;
use std::time::Instant;

pub use config::{roomgate_endpoint, CallConfig};
pub use inbound::{MAX_ALIASES, MAX_TEXT};
pub use types::{cause, CallError, CallEvent, CallState, Dial, H245Transport, IncomingSetup};

use crate::h245::{MultimediaSystemControlMessage, OpenLogicalChannel};
use crate::q931::{CallReference, Message, MessageType};
use crate::ras::TransportAddress;
use crate::tpkt;

use build::{Answer, AnswerParts, PduExtras, Us};
use inbound::Received;

/// Most H.245 messages waiting for a carrier while tunnelling is not settled yet, or queued
/// faster than they can be sent. The H.245 machines send a handful at a time (TCS, MSD, a few
/// OLCs); more than this is a runaway peer or a bug, and the call is released rather than
/// letting the queue grow.
pub const MAX_QUEUED_H245: usize = 64;

/// Most tunnelled H.245 messages put into one Facility: several per message are allowed
/// (h245Control is a list), but one Facility per few messages keeps each under any peer's
/// buffer and in order.
pub const MAX_H245_PER_MESSAGE: usize = 4;

/// Most events and packets waiting to be polled. A caller that stops polling while the peer
/// keeps sending gets the call released, not an ever-growing queue.
pub const MAX_PENDING: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Incoming,
    Outgoing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Timer {
    SetupWait,
    T303,
    T310,
    T301,
}

/// The fastStart of one answer: the encoded accepted channels, and whether it refuses the
/// proposals.
type FastStartAnswer = (Option<Vec<Vec<u8>>>, bool);

/// One H.225.0 call on its signalling connection.
#[derive(Debug)]
pub struct Call {
    config: CallConfig,
    direction: Direction,
    state: CallState,
    reference: u16,
    call_identifier: [u8; 16],
    conference_id: [u8; 16],
    h245_transport: H245Transport,
    /// Encoded H.245 waiting for a carrier.
    h245_out: VecDeque<Vec<u8>>,
    /// Outgoing: fastStart proposed and not settled yet. Incoming: the caller proposed it and
    /// our answer has not carried (or refused) it yet.
    fast_start_open: bool,
    transmit: VecDeque<Vec<u8>>,
    events: VecDeque<CallEvent>,
    timer: Option<(Instant, Timer)>,
}

impl Call {
    /// The answering side of an accepted connection, waiting for its Setup.
    pub fn incoming(now: Instant, config: CallConfig) -> Self {
        let wait = now.checked_add(config.setup_wait);
        Self {
            direction: Direction::Incoming,
            state: CallState::Idle,
            reference: 0,
            call_identifier: [0; 16],
            conference_id: [0; 16],
            h245_transport: H245Transport::Separate,
            h245_out: VecDeque::new(),
            fast_start_open: false,
            transmit: VecDeque::new(),
            events: VecDeque::new(),
            timer: wait.map(|t| (t, Timer::SetupWait)),
            config,
        }
    }

    /// An outgoing call: the Setup is ready to be written as soon as the connection is up.
    pub fn outgoing(now: Instant, config: CallConfig, dial: &Dial) -> Result<Self, CallError> {
        let tunnelling = config.tunnelling;
        let fast_start = build::encode_fast_start(&dial.fast_start)?;
        let setup = build::setup(
            build::SetupParts {
                endpoint: &config.endpoint,
                dial,
                fast_start,
                display: config.display.as_deref(),
            },
            &PduExtras {
                tunnelling,
                h245: &[],
            },
        )?;
        let mut call = Self {
            direction: Direction::Outgoing,
            state: CallState::Initiated,
            reference: dial.reference().value,
            call_identifier: dial.call_identifier,
            conference_id: dial.conference_id,
            h245_transport: if tunnelling {
                H245Transport::Pending
            } else {
                H245Transport::Separate
            },
            h245_out: VecDeque::new(),
            fast_start_open: !dial.fast_start.is_empty(),
            transmit: VecDeque::new(),
            events: VecDeque::new(),
            timer: None,
            config,
        };
        call.transmit.push_back(tpkt::encode(&setup)?);
        call.arm(now, Timer::T303);
        Ok(call)
    }

    pub fn state(&self) -> CallState {
        self.state
    }

    pub fn h245_transport(&self) -> H245Transport {
        self.h245_transport
    }

    pub fn call_identifier(&self) -> [u8; 16] {
        self.call_identifier
    }

    pub fn is_released(&self) -> bool {
        self.state == CallState::Released
    }

    /// The next TPKT packet to write on the signalling connection.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.transmit.pop_front()
    }

    pub fn poll_event(&mut self) -> Option<CallEvent> {
        self.events.pop_front()
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timer.map(|(t, _)| t)
    }

    fn arm(&mut self, now: Instant, timer: Timer) {
        let d = match timer {
            Timer::SetupWait => self.config.setup_wait,
            Timer::T303 => self.config.t303,
            Timer::T310 => self.config.t310,
            Timer::T301 => self.config.t301,
        };
        self.timer = now.checked_add(d).map(|t| (t, timer));
    }

    fn event(&mut self, e: CallEvent) {
        if self.events.len() >= MAX_PENDING {
            // The caller stopped polling: end the call instead of growing without bound.
            self.fail(cause::RESOURCE_UNAVAILABLE);
            return;
        }
        self.events.push_back(e);
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        let Some((at, timer)) = self.timer else {
            return;
        };
        if now < at {
            return;
        }
        self.timer = None;
        match timer {
            Timer::SetupWait => {
                self.state = CallState::Released;
                self.event(CallEvent::Released {
                    cause: cause::TIMER_EXPIRY,
                    by_peer: false,
                });
            }
            Timer::T303 | Timer::T310 => self.fail(cause::NO_USER_RESPONDING),
            Timer::T301 => self.fail(cause::NO_ANSWER),
        }
    }

    /// One TPKT payload from the signalling connection.
    pub fn handle_payload(&mut self, now: Instant, payload: &[u8]) {
        if self.state == CallState::Released {
            return;
        }
        let m = match Message::decode(payload) {
            Ok(m) => m,
            Err(_) if self.state == CallState::Idle => {
                // Nothing to answer with a call reference: the connection is useless.
                self.state = CallState::Released;
                self.event(CallEvent::Released {
                    cause: cause::INVALID_MESSAGE,
                    by_peer: false,
                });
                return;
            }
            Err(_) => {
                self.event(CallEvent::Ignored("undecodable Q.931 message"));
                return;
            }
        };
        let r = Received::read(&m);
        if self.state == CallState::Idle {
            self.on_first(&m, &r);
            return;
        }
        if r.reference != self.reference {
            if r.message_type == MessageType::Setup && !r.from_destination {
                // A second call on a connection that carries one: its own Release Complete.
                self.refuse_other(r.reference);
            } else {
                self.event(CallEvent::Ignored("message for another call reference"));
            }
            return;
        }
        // The flag says who allocated the reference: messages from the callee have it set.
        let expected_flag = self.direction == Direction::Outgoing;
        if r.from_destination != expected_flag {
            // Q.931 §5.8.3.2: a Setup for a call in progress is ignored, as is anything
            // with the wrong flag.
            self.event(CallEvent::Ignored("call reference flag or repeated Setup"));
            return;
        }
        if r.ui.is_none() && r.message_type != MessageType::ReleaseComplete {
            self.event(CallEvent::Ignored("no decodable H.225.0 user information"));
            return;
        }
        match self.direction {
            Direction::Outgoing => self.on_outgoing(now, &r),
            Direction::Incoming => self.on_incoming(&r),
        }
    }

    fn on_first(&mut self, m: &Message, r: &Received) {
        let setup = match (r.message_type, r.from_destination) {
            (MessageType::Setup, false) => inbound::incoming_setup(m, r),
            _ => None,
        };
        let Some(setup) = setup else {
            // A Setup whose H.225.0 body does not decode is answered with its cause; anything
            // else first on a connection has no call to belong to.
            if r.message_type == MessageType::Setup && !r.from_destination {
                self.reference = r.reference;
                self.direction = Direction::Incoming;
                self.fail(cause::INVALID_MESSAGE);
            } else {
                self.state = CallState::Released;
                self.event(CallEvent::Released {
                    cause: cause::PROTOCOL_ERROR,
                    by_peer: false,
                });
            }
            return;
        };
        self.timer = None;
        self.reference = r.reference;
        self.call_identifier = setup.call_identifier.unwrap_or_default();
        self.conference_id = setup.conference_id;
        self.state = CallState::Present;
        self.fast_start_open = !setup.fast_start.is_empty();
        self.h245_transport = if setup.tunnelling && self.config.tunnelling {
            H245Transport::Tunnelled
        } else {
            H245Transport::Separate
        };
        let address = setup.h245_address.clone();
        let keypad = r.keypad.clone();
        self.event(CallEvent::Setup(Box::new(setup)));
        self.deliver_h245(r);
        if let (Some(a), H245Transport::Separate) = (address, self.h245_transport) {
            self.event(CallEvent::H245Address(a));
        }
        if let Some(k) = keypad.filter(|k| !k.is_empty()) {
            self.event(CallEvent::Keypad(k));
        }
    }

    fn deliver_h245(&mut self, r: &Received) {
        if self.h245_transport != H245Transport::Tunnelled {
            return;
        }
        match &r.h245 {
            Ok(list) => {
                for msg in list {
                    self.event(CallEvent::H245(Box::new(msg.clone())));
                }
            }
            Err(()) => self.event(CallEvent::H245Undecodable),
        }
    }

    fn on_outgoing(&mut self, now: Instant, r: &Received) {
        use MessageType as T;
        if r.message_type == T::ReleaseComplete {
            self.peer_released(r);
            return;
        }
        let answer = matches!(
            r.message_type,
            T::CallProceeding | T::Alerting | T::Connect | T::Progress | T::Facility
        );
        if answer && self.h245_transport == H245Transport::Pending {
            // H.225.0 §7.4.1.1: tunnelling holds only if the callee's first answer says so.
            self.h245_transport = if r.tunnelling {
                H245Transport::Tunnelled
            } else {
                H245Transport::Separate
            };
            self.event(CallEvent::H245Transport(self.h245_transport));
            if self.h245_transport == H245Transport::Separate {
                self.h245_out.clear();
            }
        }
        if answer && self.fast_start_open {
            match &r.fast_start {
                Some(Ok(list)) if !list.is_empty() => {
                    self.fast_start_open = false;
                    self.event(CallEvent::FastStartAccepted(list.clone()));
                }
                Some(Err(())) => {
                    self.fast_start_open = false;
                    self.event(CallEvent::FastStartRefused);
                }
                _ if r.fast_connect_refused || r.message_type == T::Connect => {
                    self.fast_start_open = false;
                    self.event(CallEvent::FastStartRefused);
                }
                _ => {}
            }
        }
        match (r.message_type, self.state) {
            (T::CallProceeding, CallState::Initiated) => {
                self.state = CallState::OutgoingProceeding;
                self.arm(now, Timer::T310);
                self.event(CallEvent::Proceeding);
            }
            (T::Alerting, CallState::Initiated | CallState::OutgoingProceeding) => {
                self.state = CallState::Delivered;
                self.arm(now, Timer::T301);
                self.event(CallEvent::Alerting);
            }
            (T::Progress, CallState::Initiated | CallState::OutgoingProceeding) => {
                // Progress stops T303 like Call Proceeding does; the callee is alive.
                if self.state == CallState::Initiated {
                    self.state = CallState::OutgoingProceeding;
                    self.arm(now, Timer::T310);
                }
                self.event(CallEvent::Progress);
            }
            (T::Progress, CallState::Delivered) => self.event(CallEvent::Progress),
            (
                T::Connect,
                CallState::Initiated | CallState::OutgoingProceeding | CallState::Delivered,
            ) => {
                self.state = CallState::Active;
                self.timer = None;
                self.event(CallEvent::Connected);
            }
            (T::Facility | T::Information | T::Notify | T::Status, _) => {}
            (T::StatusEnquiry, _) => self.send_status(),
            _ => self.event(CallEvent::Ignored(
                "message not expected in this call state",
            )),
        }
        self.common(r);
    }

    fn on_incoming(&mut self, r: &Received) {
        use MessageType as T;
        match r.message_type {
            T::ReleaseComplete => {
                self.peer_released(r);
                return;
            }
            T::Facility | T::Information | T::Notify | T::Progress | T::Status => {}
            T::StatusEnquiry => self.send_status(),
            _ => self.event(CallEvent::Ignored("message not expected from the caller")),
        }
        self.common(r);
    }

    /// What any message of the call may carry: tunnelled H.245, the peer's H.245 address,
    /// keypad digits.
    fn common(&mut self, r: &Received) {
        self.deliver_h245(r);
        if self.h245_transport == H245Transport::Separate {
            if let Some(a) = &r.h245_address {
                self.event(CallEvent::H245Address(a.clone()));
            }
        }
        if let Some(k) = r.keypad.clone().filter(|k| !k.is_empty()) {
            self.event(CallEvent::Keypad(k));
        }
        self.flush_h245();
    }

    fn peer_released(&mut self, r: &Received) {
        self.state = CallState::Released;
        self.timer = None;
        self.h245_out.clear();
        let cause = r.cause.or_else(|| reason_cause(r)).unwrap_or(cause::NORMAL);
        self.event(CallEvent::Released {
            cause,
            by_peer: true,
        });
    }

    fn our_flag(&self) -> bool {
        self.direction == Direction::Incoming
    }

    fn parts(&self) -> AnswerParts {
        AnswerParts {
            reference: CallReference::new(self.reference, self.our_flag()),
            call_identifier: self.call_identifier,
            fast_start: None,
            fast_connect_refused: false,
            h245_address: None,
        }
    }

    fn us(&self) -> Us<'_> {
        Us {
            endpoint: &self.config.endpoint,
            display: self.config.display.as_deref(),
        }
    }

    fn tunnelling_flag(&self) -> bool {
        self.h245_transport != H245Transport::Separate
    }

    /// Sends one message of the call, with as much queued tunnelled H.245 as fits.
    fn send(&mut self, kind: Answer, parts: AnswerParts) -> Result<(), CallError> {
        // Tunnelled H.245 rides only in Connect and Facility: H.225.0 allows it in any
        // message, but chan_ooh323 (ooh323c) reads h245Control only there and drops it from
        // Call Proceeding and Alerting, which leaves its capability exchange waiting forever.
        let carries = matches!(kind, Answer::Connect { .. } | Answer::Facility);
        let take = if carries && self.h245_transport == H245Transport::Tunnelled {
            self.h245_out.len().min(MAX_H245_PER_MESSAGE)
        } else {
            0
        };
        let h245: Vec<Vec<u8>> = self.h245_out.drain(..take).collect();
        let tunnelling = self.tunnelling_flag();
        let octets = build::answer(
            kind,
            &self.us(),
            parts,
            &PduExtras {
                tunnelling,
                h245: &h245,
            },
        )?;
        self.push_transmit(tpkt::encode(&octets)?);
        Ok(())
    }

    fn push_transmit(&mut self, packet: Vec<u8>) {
        if self.transmit.len() >= MAX_PENDING {
            self.state = CallState::Released;
            self.transmit.clear();
            self.event(CallEvent::Released {
                cause: cause::RESOURCE_UNAVAILABLE,
                by_peer: false,
            });
            return;
        }
        self.transmit.push_back(packet);
    }

    /// Sends what is left in the H.245 queue in Facility messages.
    fn flush_h245(&mut self) {
        while self.h245_transport == H245Transport::Tunnelled
            && !self.h245_out.is_empty()
            && self.state != CallState::Released
        {
            let parts = self.parts();
            if self.send(Answer::Facility, parts).is_err() {
                self.fail(cause::PROTOCOL_ERROR);
                return;
            }
        }
    }

    /// Releases the call after a failure on our side or the peer's.
    fn fail(&mut self, cause: u8) {
        if self.state == CallState::Released {
            return;
        }
        let parts = self.parts();
        // Best effort: the call ends whether or not the Release Complete could be written.
        let _ = self.send(Answer::Release { cause }, parts);
        self.state = CallState::Released;
        self.timer = None;
        self.h245_out.clear();
        self.events.push_back(CallEvent::Released {
            cause,
            by_peer: false,
        });
    }

    fn refuse_other(&mut self, reference: u16) {
        let mut parts = self.parts();
        parts.reference = CallReference::new(reference, true);
        let octets = build::answer(
            Answer::Release {
                cause: cause::RESOURCE_UNAVAILABLE,
            },
            &self.us(),
            parts,
            &PduExtras {
                tunnelling: false,
                h245: &[],
            },
        );
        match octets.and_then(|o| Ok(tpkt::encode(&o)?)) {
            Ok(p) => self.push_transmit(p),
            Err(_) => self.event(CallEvent::Ignored("second Setup")),
        }
    }

    fn send_status(&mut self) {
        let state = self.state.q931_value();
        let parts = self.parts();
        if self.send(Answer::Status { state }, parts).is_err() {
            self.fail(cause::PROTOCOL_ERROR);
        }
    }

    fn require(&self, what: &'static str, ok: &[CallState]) -> Result<(), CallError> {
        if self.direction == Direction::Incoming && ok.contains(&self.state) {
            Ok(())
        } else {
            Err(CallError::WrongState {
                what,
                state: self.state,
            })
        }
    }

    /// Incoming: Call Proceeding.
    pub fn proceeding(&mut self) -> Result<(), CallError> {
        self.require("Call Proceeding", &[CallState::Present])?;
        let parts = self.parts();
        self.send(Answer::Proceeding, parts)?;
        self.state = CallState::IncomingProceeding;
        self.flush_h245();
        Ok(())
    }

    /// Incoming: Alerting, with our fastStart answer when `fast_start` is given (the channels
    /// of the caller's proposals we accept, completed with our addresses).
    pub fn alert(&mut self, fast_start: Option<&[OpenLogicalChannel]>) -> Result<(), CallError> {
        self.require(
            "Alerting",
            &[CallState::Present, CallState::IncomingProceeding],
        )?;
        let (fs, refused) = self.take_fast_start(fast_start)?;
        let mut parts = self.parts();
        parts.fast_start = fs;
        parts.fast_connect_refused = refused;
        self.send(Answer::Alerting, parts)?;
        self.state = CallState::Received;
        self.flush_h245();
        Ok(())
    }

    /// Incoming: Connect. `fast_start` as for [`Call::alert`] (ignored once an earlier answer
    /// carried it); `h245_address` is our H.245 listener when H.245 is not tunnelled and the
    /// caller offered no address of its own.
    pub fn connect(
        &mut self,
        fast_start: Option<&[OpenLogicalChannel]>,
        h245_address: Option<TransportAddress>,
    ) -> Result<(), CallError> {
        self.require(
            "Connect",
            &[
                CallState::Present,
                CallState::IncomingProceeding,
                CallState::Received,
            ],
        )?;
        let (fs, refused) = self.take_fast_start(fast_start)?;
        let mut parts = self.parts();
        parts.fast_start = fs;
        // Connect settles fastStart: proposals not answered by now are refused.
        parts.fast_connect_refused = refused || self.fast_start_open;
        self.fast_start_open = false;
        parts.h245_address =
            h245_address.filter(|_| self.h245_transport == H245Transport::Separate);
        let conference_id = self.conference_id;
        self.send(Answer::Connect { conference_id }, parts)?;
        self.state = CallState::Active;
        self.flush_h245();
        Ok(())
    }

    fn take_fast_start(
        &mut self,
        fast_start: Option<&[OpenLogicalChannel]>,
    ) -> Result<FastStartAnswer, CallError> {
        if !self.fast_start_open {
            return Ok((None, false));
        }
        match fast_start {
            None => Ok((None, false)),
            Some([]) => {
                self.fast_start_open = false;
                Ok((None, true))
            }
            Some(list) => {
                self.fast_start_open = false;
                Ok((Some(build::encode_fast_start(list)?), false))
            }
        }
    }

    /// Offers our H.245 listener mid-call (Facility with reason startH245), for a call whose
    /// H.245 is not tunnelled and whose peer gave no address.
    pub fn offer_h245_address(&mut self, address: TransportAddress) -> Result<(), CallError> {
        if self.state == CallState::Released || self.state == CallState::Idle {
            return Err(CallError::WrongState {
                what: "Facility (startH245)",
                state: self.state,
            });
        }
        let mut parts = self.parts();
        parts.h245_address = Some(address);
        self.send(Answer::Facility, parts)
    }

    /// Queues one H.245 message to tunnel: it rides in the next message of the call, or in a
    /// Facility of its own right away.
    pub fn send_h245(&mut self, msg: &MultimediaSystemControlMessage) -> Result<(), CallError> {
        match self.h245_transport {
            H245Transport::Separate => return Err(CallError::NotTunnelled),
            _ if self.state == CallState::Released => {
                return Err(CallError::WrongState {
                    what: "tunnelled H.245",
                    state: self.state,
                })
            }
            _ => {}
        }
        if self.h245_out.len() >= MAX_QUEUED_H245 {
            self.fail(cause::RESOURCE_UNAVAILABLE);
            return Err(CallError::H245QueueFull);
        }
        self.h245_out.push_back(msg.encode()?);
        // Before the caller has our first answer, or on an outgoing call whose tunnelling is
        // not confirmed yet, the messages wait for the next message of the call.
        let can_flush = match self.direction {
            Direction::Incoming => self.state != CallState::Present,
            Direction::Outgoing => self.h245_transport == H245Transport::Tunnelled,
        };
        if can_flush {
            self.flush_h245();
        }
        Ok(())
    }

    /// Ends the call with Release Complete and `cause` (Q.850).
    pub fn release(&mut self, cause: u8) {
        if self.state == CallState::Idle {
            self.state = CallState::Released;
            self.timer = None;
            self.events.push_back(CallEvent::Released {
                cause,
                by_peer: false,
            });
            return;
        }
        self.fail(cause);
    }

    /// The signalling connection closed under the call.
    pub fn connection_lost(&mut self) {
        if self.state == CallState::Released {
            return;
        }
        self.state = CallState::Released;
        self.timer = None;
        self.h245_out.clear();
        self.events.push_back(CallEvent::Released {
            cause: cause::OUT_OF_ORDER,
            by_peer: true,
        });
    }
}

/// A Q.850 cause for a Release Complete that gave only an H.225.0 reason (H.225.0 Table 5).
fn reason_cause(r: &Received) -> Option<u8> {
    let crate::h225::MessageBody::ReleaseComplete(u) = r.body()? else {
        return None;
    };
    let crate::ras::Reason::Root(reason) = u.reason.as_ref()? else {
        return None;
    };
    Some(match reason {
        0 => 34,           // noBandwidth
        1 => 47,           // gatekeeperResources
        2 => 3,            // unreachableDestination
        3 => 16,           // destinationRejection (normal)
        4 => 88,           // invalidRevision
        5 => 111,          // noPermission
        6 => 38,           // unreachableGatekeeper
        7 => 42,           // gatewayResources
        8 => 28,           // badFormatAddress
        9 => 41,           // adaptiveBusy
        10 => cause::BUSY, // inConf
        _ => 31,           // undefinedReason
    })
}
