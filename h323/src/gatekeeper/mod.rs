//! A gateway's side of H.225.0 RAS with its gatekeeper (§7.7 to §7.15): discovery (GRQ),
//! registration and its lightweight keep-alive (RRQ), admission and disengage of every call
//! (ARQ, DRQ), answers to what the gatekeeper asks (URQ, DRQ, IRQ, BRQ), RIP honoured,
//! alternate gatekeepers tried when one fails, and unregistration when we stop.
//!
//! Sans-IO like the rest of the crate: datagrams and time in ([`Client::handle`],
//! [`Client::handle_timeout`]); datagrams, [`Event`]s and the next deadline out. The caller
//! owns the UDP socket and the clock. Only the gatekeeper we talk to is listened to: RAS has
//! no authentication here, so a datagram from any other address is dropped and counted.

mod build;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod state;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::per::PerError;
use crate::ras::{AliasAddress, AlternateGK, Reason};

/// Where gatekeepers listen for discovery (H.225.0 §7.8.1: 224.0.1.41, port 1718).
pub const DISCOVERY_ADDRESS: SocketAddr =
    SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::new(224, 0, 1, 41), 1718));

/// Requests awaiting their answer; beyond it an admission is refused at once rather than
/// queued without bound.
pub const MAX_OUTSTANDING: usize = 1024;
/// Calls we hold an admission for (their DRQ is still to be sent).
pub const MAX_CALLS: usize = 16_384;
/// Longest wait a RequestInProgress may ask for.
pub const MAX_RIP_DELAY: Duration = Duration::from_secs(60);
/// Alternate gatekeepers kept from a confirm or reject.
pub const MAX_ALTERNATES: usize = 8;
/// Calls reported in one IRR (a datagram stays well under a path MTU's worth of them).
pub const MAX_IRR_CALLS: usize = 16;
/// Shortest keep-alive period, whatever time to live the gatekeeper grants.
pub const MIN_KEEP_ALIVE: Duration = Duration::from_secs(1);

/// What the client announces and how long it waits.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The gatekeeper to discover with a unicast GRQ; `None`: multicast discovery.
    pub gatekeeper: Option<SocketAddr>,
    /// The gatekeeper identifier to ask for in GRQ (any when `None`).
    pub gatekeeper_id: Option<String>,
    /// Our RAS socket's address as the gatekeeper reaches it.
    pub ras_address: SocketAddr,
    /// Our call signalling address (where Setups for us go).
    pub call_signal_address: SocketAddr,
    /// Our H.323-IDs and E.164 numbers.
    pub aliases: Vec<AliasAddress>,
    /// The registration lifetime we ask for, seconds; `None`: the gatekeeper's choice.
    pub time_to_live: Option<u32>,
    /// Bandwidth asked for per call, in units of 100 bit/s (both directions).
    pub bandwidth: u32,
    pub timers: Timers,
}

/// RAS retransmission (H.225.0 Appendix: requests are retried a few times, a few seconds
/// apart) and the pause before trying to register again after a failure.
#[derive(Debug, Clone, Copy)]
pub struct Timers {
    pub request_timeout: Duration,
    /// Retransmissions after the first try.
    pub retries: u8,
    pub retry_after: Duration,
}

impl Default for Timers {
    fn default() -> Self {
        Timers {
            request_timeout: Duration::from_secs(3),
            retries: 2,
            retry_after: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GkError {
    #[error("RAS message not encodable: {0}")]
    Encode(#[from] PerError),
    #[error("gatekeeper configuration: {0}")]
    Config(&'static str),
}

/// A call's admission, named by the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct AdmissionId(pub u64);

/// What an ARQ says about a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallAdmission {
    /// We answer the call (true) or place it.
    pub answer: bool,
    pub call_identifier: [u8; 16],
    pub conference_id: [u8; 16],
    pub call_reference: u16,
    /// Who is called (for a call we place: the alias we dial).
    pub destination: Vec<AliasAddress>,
    pub dest_address: Option<SocketAddr>,
    /// Who calls.
    pub source: Vec<AliasAddress>,
    pub src_address: Option<SocketAddr>,
    pub bandwidth: u32,
}

/// The answer to [`Client::admit`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    /// An ARQ is on its way: [`Event::Admitted`] or [`Event::Refused`] follows.
    Pending(AdmissionId),
    /// No ARQ needed: not registered, or the gatekeeper pre-granted this direction.
    NotNeeded,
    /// Refused without asking (too many calls or requests in flight).
    Refused(Refusal),
}

/// Why a call was not admitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// ARJ with its AdmissionRejectReason.
    Rejected(Reason),
    /// No answer after every retry (or an XRS).
    NoAnswer,
    Overloaded,
}

impl Refusal {
    /// The reason's ASN.1 name, for logs and records.
    pub fn label(&self) -> &'static str {
        const ROOT: [&str; 8] = [
            "calledPartyNotRegistered",
            "invalidPermission",
            "requestDenied",
            "undefinedReason",
            "callerNotRegistered",
            "routeCallToGatekeeper",
            "invalidEndpointIdentifier",
            "resourceUnavailable",
        ];
        match self {
            Refusal::Rejected(Reason::Root(i)) => {
                ROOT.get(usize::from(*i)).copied().unwrap_or("rejected")
            }
            Refusal::Rejected(Reason::Extension { .. }) => "rejected",
            Refusal::NoAnswer => "no_answer",
            Refusal::Overloaded => "overloaded",
        }
    }
}

/// What the client tells its caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Registered {
        gatekeeper: SocketAddr,
        gatekeeper_id: Option<String>,
        endpoint_id: String,
        time_to_live: Option<u32>,
    },
    /// The registration is gone (rejected, unanswered, or the gatekeeper unregistered us);
    /// the client is already trying again.
    RegistrationLost { why: &'static str },
    Admitted {
        admission: AdmissionId,
        /// Where the Setup goes (ACF's destCallSignalAddress) for a call we place.
        dest: Option<SocketAddr>,
    },
    Refused {
        admission: AdmissionId,
        why: Refusal,
    },
    /// The gatekeeper sent DRQ for this call: it must end.
    Drop { admission: AdmissionId },
    /// Unregistered after [`Client::unregister`].
    Unregistered,
}

/// A datagram to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    pub to: SocketAddr,
    pub bytes: Vec<u8>,
}

/// Where the client stands, for `roomgate check`, the admin API and metrics.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Status {
    /// discovering, registering, registered, waiting, unregistering or stopped.
    pub state: &'static str,
    pub gatekeeper: Option<SocketAddr>,
    pub gatekeeper_id: Option<String>,
    pub endpoint_id: Option<String>,
    pub time_to_live: Option<u32>,
    /// Calls holding an admission.
    pub calls: usize,
    pub counters: Counters,
}

/// What went over RAS since the start.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counters {
    pub sent: u64,
    pub received: u64,
    pub retransmitted: u64,
    /// Datagrams that did not decode.
    pub malformed: u64,
    /// Datagrams from an address that is not our gatekeeper's, or answers to nothing we asked.
    pub ignored: u64,
    pub registrations: u64,
    pub admitted: u64,
    pub refused: u64,
}

/// What a request in flight was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Grq,
    Rrq { keep_alive: bool },
    Urq,
    Arq(AdmissionId),
    Drq(AdmissionId),
}

#[derive(Debug)]
struct Outstanding {
    to: SocketAddr,
    bytes: Vec<u8>,
    deadline: Instant,
    tries: u8,
    kind: Kind,
}

/// The registration phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Discovering,
    Registering,
    Registered,
    /// Failed: discovery again at `until`.
    Waiting {
        until: Instant,
    },
    Unregistering,
    Stopped,
}

/// The gatekeeper we register with (or try to).
#[derive(Debug, Clone)]
struct Gatekeeper {
    addr: SocketAddr,
    id: Option<String>,
}

/// A confirmed registration.
#[derive(Debug, Clone)]
struct Registration {
    endpoint_id: String,
    time_to_live: Option<u32>,
    pre_granted_make: bool,
    pre_granted_answer: bool,
    keep_alive_at: Option<Instant>,
}

#[derive(Debug)]
struct CallEntry {
    admission: CallAdmission,
    /// ACF received (a DRQ is owed when the call ends).
    admitted: bool,
    /// The call ended while its ARQ was out: a late ACF gets a DRQ, no event.
    ended: bool,
}

/// The client of one gatekeeper registration.
#[derive(Debug)]
pub struct Client {
    config: ClientConfig,
    phase: Phase,
    gatekeeper: Option<Gatekeeper>,
    registration: Option<Registration>,
    alternates: Vec<AlternateGK>,
    next_seq: u16,
    next_admission: u64,
    outstanding: HashMap<u16, Outstanding>,
    calls: HashMap<AdmissionId, CallEntry>,
    transmits: std::collections::VecDeque<Transmit>,
    events: std::collections::VecDeque<Event>,
    counters: Counters,
}

impl Client {
    /// A client that starts discovery at once. `first_seq` should be random: a restarted
    /// gateway's requests must not be mistaken for retransmissions of its last life's.
    pub fn new(now: Instant, config: ClientConfig, first_seq: u16) -> Result<Self, GkError> {
        validate(&config)?;
        let mut c = Client {
            config,
            phase: Phase::Discovering,
            gatekeeper: None,
            registration: None,
            alternates: Vec::new(),
            next_seq: first_seq.max(1),
            next_admission: 1,
            outstanding: HashMap::new(),
            calls: HashMap::new(),
            transmits: Default::default(),
            events: Default::default(),
            counters: Counters::default(),
        };
        c.discover(now);
        Ok(c)
    }

    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`Client::handle_timeout`] is next due.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let requests = self.outstanding.values().map(|o| o.deadline);
        let waiting = match self.phase {
            Phase::Waiting { until } => Some(until),
            _ => None,
        };
        let keep_alive = self.registration.as_ref().and_then(|r| r.keep_alive_at);
        requests.chain(waiting).chain(keep_alive).min()
    }

    pub fn is_registered(&self) -> bool {
        self.phase == Phase::Registered
    }

    pub fn status(&self) -> Status {
        let state = match self.phase {
            Phase::Discovering => "discovering",
            Phase::Registering => "registering",
            Phase::Registered => "registered",
            Phase::Waiting { .. } => "waiting",
            Phase::Unregistering => "unregistering",
            Phase::Stopped => "stopped",
        };
        let registered = self.phase == Phase::Registered;
        let reg = self.registration.as_ref().filter(|_| registered);
        Status {
            state,
            gatekeeper: self.gatekeeper.as_ref().map(|g| g.addr),
            gatekeeper_id: self.gatekeeper.as_ref().and_then(|g| g.id.clone()),
            endpoint_id: reg.map(|r| r.endpoint_id.clone()),
            time_to_live: reg.and_then(|r| r.time_to_live),
            calls: self.calls.len(),
            counters: self.counters,
        }
    }
}

/// Checks that every message the configuration goes into encodes, so a bad alias is a
/// start-up error rather than a registration that silently never happens.
fn validate(c: &ClientConfig) -> Result<(), GkError> {
    if c.aliases.len() > crate::limits::MAX_RAS_SEQUENCE_OF {
        return Err(GkError::Config("too many aliases"));
    }
    if c.timers.request_timeout.is_zero() {
        return Err(GkError::Config("request timeout is zero"));
    }
    build::aliases_encode(&c.aliases)?;
    crate::ras::RasMessage::RegistrationRequest(Box::new(build::rrq(1, c, true, None, None)?))
        .encode()?;
    crate::ras::RasMessage::GatekeeperRequest(Box::new(build::grq(1, c)?)).encode()?;
    Ok(())
}
