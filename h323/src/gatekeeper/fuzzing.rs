//! The `h323_gatekeeper` fuzz entry point: a gatekeeper client driven by a script of
//! datagrams (raw, or well-formed answers to what it last sent), clock steps and calls.
//! Shared by `fuzz/fuzz_targets/h323_gatekeeper.rs` and the seed replay test; it panics only
//! when an invariant of the client breaks.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::{
    Admission, AdmissionId, CallAdmission, Client, ClientConfig, Timers, MAX_CALLS, MAX_OUTSTANDING,
};
use crate::per::ObjectIdentifier;
use crate::ras::{
    AdmissionConfirm, AdmissionReject, AliasAddress, DisengageConfirm, Extensions,
    GatekeeperConfirm, RasMessage, Reason, RegistrationConfirm, TransportAddress,
    UnregistrationConfirm,
};

/// Most script steps run per input.
const MAX_STEPS: usize = 512;

/// What a run saw, for the seed replay test to assert on.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct GkRun {
    pub sent: usize,
    pub registered: bool,
    pub admitted: usize,
    pub unregistered: bool,
}

fn gk() -> SocketAddr {
    SocketAddr::from(([192, 0, 2, 1], 1719))
}

fn config() -> ClientConfig {
    ClientConfig {
        gatekeeper: Some(gk()),
        gatekeeper_id: None,
        ras_address: SocketAddr::from(([192, 0, 2, 10], 1719)),
        call_signal_address: SocketAddr::from(([192, 0, 2, 10], 1720)),
        aliases: vec![AliasAddress::H323Id("roomgate".into())],
        time_to_live: Some(30),
        bandwidth: 1280,
        timers: Timers::default(),
    }
}

/// A well-formed answer (confirm, or reject when `reject`) to `request`.
fn answer(request: &RasMessage, reject: bool) -> Option<RasMessage> {
    let oid = ObjectIdentifier::from_arcs(&[0, 0, 8, 2250, 0, 4])?;
    let seq = request.request_seq_num()?;
    let ext = Extensions::default;
    Some(match request {
        RasMessage::GatekeeperRequest(_) => {
            RasMessage::GatekeeperConfirm(Box::new(GatekeeperConfirm {
                request_seq_num: seq,
                protocol_identifier: oid,
                non_standard: None,
                gatekeeper_identifier: Some("GK".into()),
                ras_address: TransportAddress::from_socket_addr(gk()),
                extensions: ext(),
            }))
        }
        RasMessage::RegistrationRequest(_) => {
            let mut m = RegistrationConfirm {
                request_seq_num: seq,
                protocol_identifier: oid,
                non_standard: None,
                call_signal_address: vec![],
                terminal_alias: None,
                gatekeeper_identifier: Some("GK".into()),
                endpoint_identifier: "EP".into(),
                extensions: ext(),
            };
            m.set_time_to_live(Some(&5)).ok()?;
            RasMessage::RegistrationConfirm(Box::new(m))
        }
        RasMessage::AdmissionRequest(_) if reject => {
            RasMessage::AdmissionReject(Box::new(AdmissionReject {
                request_seq_num: seq,
                reject_reason: Reason::Root(2),
                non_standard: None,
                extensions: ext(),
            }))
        }
        RasMessage::AdmissionRequest(_) => {
            RasMessage::AdmissionConfirm(Box::new(AdmissionConfirm {
                request_seq_num: seq,
                band_width: 1280,
                call_model: Reason::Root(0),
                dest_call_signal_address: TransportAddress::from_socket_addr(gk()),
                irr_frequency: None,
                non_standard: None,
                extensions: ext(),
            }))
        }
        RasMessage::DisengageRequest(_) => {
            RasMessage::DisengageConfirm(Box::new(DisengageConfirm {
                request_seq_num: seq,
                non_standard: None,
                extensions: ext(),
            }))
        }
        RasMessage::UnregistrationRequest(_) => {
            RasMessage::UnregistrationConfirm(Box::new(UnregistrationConfirm {
                request_seq_num: seq,
                non_standard: None,
                extensions: ext(),
            }))
        }
        _ => return None,
    })
}

/// Script: each step's first octet picks an action, the next ones its argument.
#[allow(clippy::panic)] // Fuzz invariants: a panic is the report.
pub fn h323_gatekeeper(data: &[u8]) -> GkRun {
    let start = Instant::now();
    let mut now = start;
    let mut run = GkRun::default();
    let Ok(mut client) = Client::new(now, config(), 1) else {
        panic!("the fuzz configuration is valid");
    };
    let mut last: Option<RasMessage> = None;
    while let Some(t) = client.poll_transmit() {
        run.sent += 1;
        last = RasMessage::decode(&t.bytes).ok();
    }
    let mut admissions: Vec<AdmissionId> = Vec::new();
    let mut rest = data;
    for _ in 0..MAX_STEPS {
        let Some((&op, tail)) = rest.split_first() else {
            break;
        };
        rest = tail;
        match op % 8 {
            // A raw datagram from the gatekeeper (or from elsewhere): length, then octets.
            0 | 1 => {
                let Some((&len, tail)) = rest.split_first() else {
                    break;
                };
                let n = usize::from(len).min(tail.len());
                let (datagram, tail) = tail.split_at(n);
                rest = tail;
                let from = if op % 8 == 0 {
                    gk()
                } else {
                    SocketAddr::from(([198, 51, 100, 1], 1719))
                };
                client.handle(now, from, datagram);
            }
            // A well-formed answer to what it last sent.
            2 | 3 => {
                if let Some(a) = last.as_ref().and_then(|m| answer(m, op % 8 == 3)) {
                    if let Ok(bytes) = a.encode() {
                        client.handle(now, gk(), &bytes);
                    }
                }
            }
            // The clock: to the next deadline, or a few seconds.
            4 => {
                let step = rest.first().copied().unwrap_or(0);
                rest = rest.get(1..).unwrap_or(&[]);
                now = match client.poll_timeout() {
                    Some(at) if step % 2 == 0 => at.max(now),
                    _ => now + Duration::from_millis(u64::from(step) * 100),
                };
                client.handle_timeout(now);
                if let Some(at) = client.poll_timeout() {
                    // A deadline left in the past would spin a driver's loop.
                    assert!(at > now, "a deadline due was not handled");
                }
            }
            5 => {
                let answer_call = rest.first().is_some_and(|b| b % 2 == 0);
                rest = rest.get(1..).unwrap_or(&[]);
                let call = CallAdmission {
                    answer: answer_call,
                    call_identifier: [op; 16],
                    conference_id: [op; 16],
                    call_reference: u16::from(op),
                    destination: vec![AliasAddress::DialedDigits("1001".into())],
                    dest_address: None,
                    source: vec![],
                    src_address: None,
                    bandwidth: 1280,
                };
                if let Admission::Pending(id) = client.admit(now, call) {
                    admissions.push(id);
                }
            }
            6 => {
                if let Some(id) = admissions.pop() {
                    client.disengage(now, id);
                }
            }
            _ => client.unregister(now),
        }
        while let Some(t) = client.poll_transmit() {
            let Ok(m) = RasMessage::decode(&t.bytes) else {
                panic!("we sent RAS that does not decode");
            };
            run.sent += 1;
            last = Some(m);
        }
        while let Some(e) = client.poll_event() {
            match e {
                super::Event::Registered { .. } => run.registered = true,
                super::Event::Admitted { .. } => run.admitted += 1,
                super::Event::Unregistered => run.unregistered = true,
                _ => {}
            }
        }
        let status = client.status();
        assert!(status.calls <= MAX_CALLS, "calls beyond their bound");
        assert!(client.outstanding.len() <= MAX_OUTSTANDING);
    }
    run
}
