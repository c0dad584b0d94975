//! Test helpers: message templates, a virtual-clock runner and output filters.

use std::time::{Duration, Instant};

use super::{
    ClientInvite, ClientNonInvite, Destination, Incoming, Output, ServerInvite, ServerNonInvite,
    TimerName, TransactionEvent, TransactionLayer, Transport,
};
use crate::message::Message;
use crate::{HeaderName, OwnedMessage};

/// A file of the RFC 4475 torture tests in `sip/tests/vectors/rfc4475/`.
pub fn conformance(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/vectors/rfc4475/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn dest(transport: Transport) -> Destination {
    Destination {
        addr: "192.0.2.20:5060".parse().unwrap(),
        transport,
    }
}

pub fn source(transport: Transport) -> Destination {
    Destination {
        addr: "192.0.2.10:5062".parse().unwrap(),
        transport,
    }
}

pub fn request(method: &str, branch: &str) -> OwnedMessage {
    OwnedMessage::request(method, "sip:bob@biloxi.example.com")
        .with(
            HeaderName::Via,
            format!("SIP/2.0/UDP pc33.atlanta.example.com:5062;branch={branch};rport"),
        )
        .with(HeaderName::MaxForwards, 70)
        .with(HeaderName::To, "Bob <sip:bob@biloxi.example.com>")
        .with(
            HeaderName::From,
            "Alice <sip:alice@atlanta.example.com>;tag=1928301774",
        )
        .with(
            HeaderName::CallId,
            "a84b4c76e66710@pc33.atlanta.example.com",
        )
        .with(HeaderName::CSeq, format!("314159 {method}"))
}

pub fn invite_request(branch: &str) -> OwnedMessage {
    request("INVITE", branch)
        .with(HeaderName::Route, "<sip:p1.example.com;lr>")
        .with(HeaderName::Route, "<sip:p2.example.com;lr>")
        .with(HeaderName::Contact, "<sip:alice@pc33.atlanta.example.com>")
}

pub fn incoming<'a>(msg: &'a Message<'a>, bytes: &'a [u8]) -> Incoming<'a> {
    Incoming {
        message: msg,
        bytes,
        source: source(Transport::Udp),
        received: None,
    }
}

/// A response to the request `bytes`, with `to_tag` added when given.
pub fn response_to(bytes: &[u8], code: u16, to_tag: Option<&str>) -> Vec<u8> {
    let req = crate::decode_datagram(bytes).unwrap();
    super::build_response(&req, code, "Reason", to_tag)
        .unwrap()
        .to_bytes()
}

/// Everything that drives like a transaction.
pub trait Driven {
    fn poll_output(&mut self) -> Option<Output>;
    fn poll_timeout(&mut self) -> Option<Instant>;
    fn handle_timeout(&mut self, now: Instant);
}

macro_rules! driven {
    ($($t:ty),*) => {$(
        impl Driven for $t {
            fn poll_output(&mut self) -> Option<Output> {
                <$t>::poll_output(self)
            }
            fn poll_timeout(&mut self) -> Option<Instant> {
                <$t>::poll_timeout(self)
            }
            fn handle_timeout(&mut self, now: Instant) {
                <$t>::handle_timeout(self, now)
            }
        }
    )*};
}
driven!(
    ClientInvite,
    ClientNonInvite,
    ServerInvite,
    ServerNonInvite,
    TransactionLayer
);

pub fn drain(t: &mut impl Driven) -> Vec<Output> {
    std::iter::from_fn(|| t.poll_output())
        .take(10_000)
        .collect()
}

pub fn transmits(out: &[Output]) -> Vec<Vec<u8>> {
    out.iter()
        .filter_map(|o| match o {
            Output::Transmit(t) => Some(t.bytes.clone()),
            Output::Event(_) => None,
        })
        .collect()
}

pub fn events(out: &[Output]) -> Vec<TransactionEvent> {
    out.iter()
        .filter_map(|o| match o {
            Output::Event(TransactionEvent::Terminated { .. }) | Output::Transmit(_) => None,
            Output::Event(e) => Some(e.clone()),
        })
        .collect()
}

pub fn secs(v: &[f64]) -> Vec<Duration> {
    v.iter().map(|s| Duration::from_secs_f64(*s)).collect()
}

/// What happened while a machine ran on its own timers until it had none.
#[derive(Debug, Default)]
pub struct Run {
    /// Offsets from the start at which something was transmitted.
    pub transmit_times: Vec<Duration>,
    pub timeouts: Vec<(Duration, TimerName)>,
    pub terminated: bool,
    pub end: Duration,
}

/// Drains outputs, jumps the virtual clock to each `poll_timeout` and fires it.
pub fn run_to_end(t: &mut impl Driven, t0: Instant) -> Run {
    run_from(t, t0, t0)
}

pub fn run_from(t: &mut impl Driven, t0: Instant, mut now: Instant) -> Run {
    let mut run = Run::default();
    for _ in 0..10_000 {
        for out in drain(t) {
            match out {
                Output::Transmit(_) => run.transmit_times.push(now - t0),
                Output::Event(TransactionEvent::Timeout { timer, .. }) => {
                    run.timeouts.push((now - t0, timer))
                }
                Output::Event(TransactionEvent::Terminated { .. }) => run.terminated = true,
                Output::Event(_) => {}
            }
        }
        let Some(at) = t.poll_timeout() else { break };
        assert!(at >= now, "timeout in the past");
        now = at;
        t.handle_timeout(now);
    }
    run.end = now - t0;
    run
}
