//! One H.323 call as an endpoint runs it: the H.225.0 call ([`crate::call::Call`]), its H.245
//! session ([`crate::h245::session::Session`]), and the wiring between them whichever way
//! H.245 travels — tunnelled in the call's own messages, or on a TCP connection of its own
//! (to the address the peer gave, or to ours when the peer connects to us).
//!
//! Sans-IO like its parts: the caller feeds TPKT payloads from the signalling connection and
//! from the H.245 connection, reports when the H.245 connection is up or gone, and takes
//! [`Transmit`]s (packets for either connection, or "connect H.245 to this address") and
//! [`Event`]s. The H.245 session starts when the application says so
//! ([`H323Call::start_h245`]: capabilities and the master/slave random number); messages it
//! produces before their transport exists wait, within [`MAX_WAITING_H245`].

#[cfg(feature = "fuzzing")]
pub mod fuzzing;
#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::time::Instant;

use crate::call::{Call, CallConfig, CallError, CallEvent, Dial, H245Transport};
use crate::h245::session::{Session, SessionConfig, SessionEvent};
use crate::h245::{MultimediaSystemControlMessage, TerminalCapabilitySet};
use crate::ras::TransportAddress;
use crate::tpkt;

/// Most H.245 messages held while their separate connection is not up yet: a session sends
/// a handful (TCS, MSD, a few channels) before any answer; past this the peer never let us
/// connect and the call is released.
pub const MAX_WAITING_H245: usize = 64;

/// Q.850 cause for a call whose H.245 could not be carried (no connection, nothing queued).
const CAUSE_H245_FAILED: u8 = 41; // temporary failure

/// What to do on the connections of the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transmit {
    /// A TPKT packet for the call signalling connection.
    Signalling(Vec<u8>),
    /// A TPKT packet for the separate H.245 connection.
    H245(Vec<u8>),
    /// Open the separate H.245 connection to this address; report with
    /// [`H323Call::h245_connected`] (or [`H323Call::h245_lost`]).
    ConnectH245(TransportAddress),
}

/// What happened on the call: its signalling, or its H.245 session.
// Events are drained after every input, so their size costs nothing lasting; boxing the
// session's would only add an allocation per event.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Call(CallEvent),
    H245(SessionEvent),
}

/// The separate H.245 connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Link {
    /// None asked for yet.
    None,
    /// We asked the caller to connect.
    Connecting,
    Up,
    Lost,
}

/// One H.323 call: signalling, H.245, and the transport between them.
#[derive(Debug)]
pub struct H323Call {
    call: Call,
    session: Session,
    link: Link,
    /// H.245 from the session waiting for its transport.
    waiting: VecDeque<MultimediaSystemControlMessage>,
    out: VecDeque<Transmit>,
    events: VecDeque<Event>,
    started: bool,
}

impl H323Call {
    /// The answering side of an accepted signalling connection.
    pub fn incoming(now: Instant, call: CallConfig, h245: SessionConfig) -> Self {
        Self::new(Call::incoming(now, call), h245)
    }

    /// A call we place; the Setup is ready to be written.
    pub fn outgoing(
        now: Instant,
        call: CallConfig,
        h245: SessionConfig,
        dial: &Dial,
    ) -> Result<Self, CallError> {
        let mut c = Self::new(Call::outgoing(now, call, dial)?, h245);
        c.pump(now);
        Ok(c)
    }

    fn new(call: Call, h245: SessionConfig) -> Self {
        Self {
            call,
            session: Session::new(h245),
            link: Link::None,
            waiting: VecDeque::new(),
            out: VecDeque::new(),
            events: VecDeque::new(),
            started: false,
        }
    }

    /// The H.225.0 call, for its commands (answer, alert, connect, release).
    pub fn call(&mut self) -> &mut Call {
        &mut self.call
    }

    /// The H.245 session, for its commands (channels, user input, commands).
    pub fn session(&mut self) -> &mut Session {
        &mut self.session
    }

    pub fn is_released(&self) -> bool {
        self.call.is_released()
    }

    /// Starts H.245: our capabilities and master/slave determination (both sides start at
    /// once in H.323; the session settles the race).
    pub fn start_h245(&mut self, now: Instant, capabilities: TerminalCapabilitySet, random: u32) {
        if self.started {
            return;
        }
        self.started = true;
        self.session.send_capabilities(now, capabilities);
        self.session.start_msd(now, random);
        self.pump(now);
    }

    /// One TPKT payload from the signalling connection.
    pub fn handle_signalling(&mut self, now: Instant, payload: &[u8]) {
        self.call.handle_payload(now, payload);
        self.pump(now);
    }

    /// One TPKT payload from the separate H.245 connection.
    pub fn handle_h245(&mut self, now: Instant, payload: &[u8]) {
        match MultimediaSystemControlMessage::decode(payload) {
            Ok(m) => self.session.handle_message(now, m),
            // A PDU that does not decode cannot be answered by type; H.245 §8 has the
            // receiver ignore it, and the session's timers catch a peer that goes astray.
            Err(_) => self
                .events
                .push_back(Event::Call(CallEvent::Ignored("undecodable H.245 PDU"))),
        }
        self.pump(now);
    }

    /// The separate H.245 connection is up (we connected, or the peer connected to us).
    pub fn h245_connected(&mut self, now: Instant) {
        self.link = Link::Up;
        self.pump(now);
    }

    /// The separate H.245 connection failed or closed: the call cannot be controlled any
    /// more and is released (H.323 §8.6: losing H.245 ends the call).
    pub fn h245_lost(&mut self, now: Instant) {
        if self.link == Link::Lost {
            return;
        }
        self.link = Link::Lost;
        self.waiting.clear();
        self.call.release(CAUSE_H245_FAILED);
        self.pump(now);
    }

    /// The signalling connection closed.
    pub fn connection_lost(&mut self, now: Instant) {
        self.call.connection_lost();
        self.pump(now);
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        self.call.handle_timeout(now);
        self.session.handle_timeout(now);
        self.pump(now);
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        [self.call.poll_timeout(), self.session.poll_timeout()]
            .into_iter()
            .flatten()
            .min()
    }

    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.out.pop_front()
    }

    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Runs both machines to quiescence: call events to the session (tunnelled H.245) and
    /// to the application; session messages to their transport; packets out.
    pub fn pump(&mut self, now: Instant) {
        // Bounded: each round drains what the previous one produced, and neither machine
        // produces output without input.
        for _ in 0..16 {
            let mut moved = false;
            while let Some(e) = self.call.poll_event() {
                moved = true;
                match e {
                    CallEvent::H245(m) => self.session.handle_message(now, *m),
                    CallEvent::H245Address(a) => {
                        if self.link == Link::None
                            && self.call.h245_transport() == H245Transport::Separate
                        {
                            self.link = Link::Connecting;
                            self.out.push_back(Transmit::ConnectH245(a.clone()));
                        }
                        self.events
                            .push_back(Event::Call(CallEvent::H245Address(a)));
                    }
                    other => self.events.push_back(Event::Call(other)),
                }
            }
            while let Some(e) = self.session.poll_event() {
                moved = true;
                self.events.push_back(Event::H245(e));
            }
            while let Some(m) = self.session.poll_message() {
                moved = true;
                self.waiting.push_back(m);
            }
            moved |= self.carry();
            while let Some(p) = self.call.poll_transmit() {
                moved = true;
                self.out.push_back(Transmit::Signalling(p));
            }
            if !moved {
                break;
            }
        }
    }

    /// Moves waiting H.245 to its transport when there is one. True when something moved.
    fn carry(&mut self) -> bool {
        if self.waiting.is_empty() {
            return false;
        }
        if self.call.is_released() {
            self.waiting.clear();
            return false;
        }
        match (self.call.h245_transport(), self.link) {
            // Not known yet whether the callee tunnels: the messages wait here, not in the
            // call, so they can still take the separate connection if it does not.
            (H245Transport::Pending, _) => self.bound_waiting(),
            (H245Transport::Tunnelled, _) => {
                let mut moved = false;
                while let Some(m) = self.waiting.pop_front() {
                    // The call queues it (bounded) until a message can carry it; if it
                    // refuses, the call has been released.
                    if self.call.send_h245(&m).is_err() {
                        self.waiting.clear();
                        return true;
                    }
                    moved = true;
                }
                moved
            }
            (H245Transport::Separate, Link::Up) => {
                while let Some(m) = self.waiting.pop_front() {
                    match m
                        .encode()
                        .map_err(|_| ())
                        .and_then(|o| tpkt::encode(&o).map_err(|_| ()))
                    {
                        Ok(p) => self.out.push_back(Transmit::H245(p)),
                        Err(()) => {
                            self.events.push_back(Event::Call(CallEvent::Ignored(
                                "H.245 message that does not encode",
                            )));
                        }
                    }
                }
                true
            }
            (H245Transport::Separate, _) => self.bound_waiting(),
        }
    }

    /// Releases the call when too much H.245 waits for a transport that never comes.
    fn bound_waiting(&mut self) -> bool {
        if self.waiting.len() > MAX_WAITING_H245 {
            self.waiting.clear();
            self.call.release(CAUSE_H245_FAILED);
            return true;
        }
        false
    }
}
