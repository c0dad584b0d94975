//! A small H.323 gatekeeper for the tests: RAS on a UDP socket of its own (a free loopback
//! port), messages encoded and decoded with our sans-IO RAS codec, answers chosen by a
//! policy the test can change while it runs. Every datagram it receives is kept (octets and
//! decoded) so the test can assert on them and have tshark dissect them.
#![allow(dead_code)]

use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use roomgate_h323::per::ObjectIdentifier;
use roomgate_h323::ras::{
    AdmissionConfirm, AdmissionReject, AlternateGK, CallIdentifier, DisengageConfirm, Extensions,
    GatekeeperConfirm, InfoRequest, RasMessage, Reason, RegistrationConfirm, RegistrationReject,
    RegistrationRejectReason, RequestInProgress, TransportAddress, UnregistrationConfirm,
    UnregistrationRequest,
};

/// What the gatekeeper answers.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Answer nothing at all (a gatekeeper gone).
    pub silent: bool,
    pub time_to_live: Option<u32>,
    /// Alternate gatekeepers listed in GCF.
    pub alternates: Vec<SocketAddr>,
    /// Refuse admissions (ARJ requestDenied).
    pub reject_admissions: bool,
    /// Where an ACF sends the caller (its destCallSignalAddress); `None`: the ARQ's own
    /// destination address, else the endpoint's call signalling address.
    pub acf_dest: Option<SocketAddr>,
    /// Answer ARQs first with RequestInProgress (this delay) and the ACF after this long.
    pub rip: Option<Duration>,
    /// Reject the next lightweight RRQ with fullRegistrationRequired.
    pub reject_next_keep_alive: bool,
    /// Answer no RRQ (a gatekeeper that confirms discovery, then fails).
    pub ignore_registrations: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            silent: false,
            time_to_live: Some(300),
            alternates: Vec::new(),
            reject_admissions: false,
            acf_dest: None,
            rip: None,
            reject_next_keep_alive: false,
            ignore_registrations: false,
        }
    }
}

/// One datagram received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub at: Instant,
    pub from: SocketAddr,
    pub bytes: Vec<u8>,
    pub msg: RasMessage,
}

struct Shared {
    seen: Mutex<Vec<Seen>>,
    policy: Mutex<Policy>,
    stop: AtomicBool,
    /// Our endpoint's RAS address, learnt from its RRQ.
    endpoint: Mutex<Option<SocketAddr>>,
}

pub struct TestGatekeeper {
    pub addr: SocketAddr,
    socket: UdpSocket,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

pub const ENDPOINT_ID: &str = "EP-ROOMGATE-1";
pub const GATEKEEPER_ID: &str = "TestGK";

fn oid() -> ObjectIdentifier {
    ObjectIdentifier::from_arcs(&[0, 0, 8, 2250, 0, 4]).unwrap()
}

impl TestGatekeeper {
    pub fn start(policy: Policy) -> TestGatekeeper {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let addr = socket.local_addr().unwrap();
        let shared = Arc::new(Shared {
            seen: Mutex::new(Vec::new()),
            policy: Mutex::new(policy),
            stop: AtomicBool::new(false),
            endpoint: Mutex::new(None),
        });
        let thread = {
            let socket = socket.try_clone().unwrap();
            let shared = shared.clone();
            std::thread::spawn(move || serve(socket, addr, shared))
        };
        TestGatekeeper {
            addr,
            socket,
            shared,
            thread: Some(thread),
        }
    }

    pub fn set(&self, change: impl FnOnce(&mut Policy)) {
        change(&mut self.shared.policy.lock().unwrap());
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.shared.seen.lock().unwrap().clone()
    }

    /// Waits (at most `limit`) for a datagram received after `after` that `what` matches.
    pub fn wait_for(
        &self,
        after: usize,
        limit: Duration,
        what: impl Fn(&RasMessage) -> bool,
    ) -> Option<Seen> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Some(s) = self.seen().into_iter().skip(after).find(|s| what(&s.msg)) {
                return Some(s);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// Sends a request to the endpoint (its RAS address from its RRQ).
    pub fn send_to_endpoint(&self, msg: &RasMessage) {
        let to = self
            .shared
            .endpoint
            .lock()
            .unwrap()
            .expect("the endpoint registered");
        self.socket.send_to(&msg.encode().unwrap(), to).unwrap();
    }

    pub fn irq(&self, seq: u16) {
        let mut irq = InfoRequest {
            request_seq_num: seq,
            call_reference_value: 0,
            non_standard: None,
            reply_address: Some(TransportAddress::from_socket_addr(self.addr)),
            extensions: Extensions::default(),
        };
        irq.set_call_identifier(Some(&CallIdentifier::new([0; 16])))
            .unwrap();
        self.send_to_endpoint(&RasMessage::InfoRequest(Box::new(irq)));
    }

    pub fn urq(&self, seq: u16) {
        let urq = UnregistrationRequest {
            request_seq_num: seq,
            call_signal_address: vec![],
            endpoint_alias: None,
            non_standard: None,
            endpoint_identifier: Some(ENDPOINT_ID.into()),
            extensions: Extensions::default(),
        };
        self.send_to_endpoint(&RasMessage::UnregistrationRequest(Box::new(urq)));
    }
}

impl Drop for TestGatekeeper {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(socket: UdpSocket, own: SocketAddr, shared: Arc<Shared>) {
    let mut buf = [0u8; 8192];
    // ACFs owed after a RIP: (when, to, message).
    let mut later: Vec<(Instant, SocketAddr, RasMessage)> = Vec::new();
    while !shared.stop.load(Ordering::Relaxed) {
        let now = Instant::now();
        later.retain(|(at, to, m)| {
            if *at <= now {
                let _ = socket.send_to(&m.encode().unwrap(), to);
                false
            } else {
                true
            }
        });
        let Ok((n, from)) = socket.recv_from(&mut buf) else {
            continue;
        };
        let bytes = buf[..n].to_vec();
        let Ok(msg) = RasMessage::decode(&bytes) else {
            continue;
        };
        shared.seen.lock().unwrap().push(Seen {
            at: Instant::now(),
            from,
            bytes,
            msg: msg.clone(),
        });
        let mut policy = shared.policy.lock().unwrap();
        if policy.silent {
            continue;
        }
        let reply = match &msg {
            RasMessage::GatekeeperRequest(grq) => {
                let mut m = GatekeeperConfirm {
                    request_seq_num: grq.request_seq_num,
                    protocol_identifier: oid(),
                    non_standard: None,
                    gatekeeper_identifier: Some(GATEKEEPER_ID.into()),
                    ras_address: TransportAddress::from_socket_addr(own),
                    extensions: Extensions::default(),
                };
                if !policy.alternates.is_empty() {
                    let alts: Vec<AlternateGK> = policy
                        .alternates
                        .iter()
                        .enumerate()
                        .map(|(i, a)| AlternateGK {
                            ras_address: TransportAddress::from_socket_addr(*a),
                            gatekeeper_identifier: Some(format!("AltGK{i}")),
                            need_to_register: true,
                            priority: i as u8,
                            extensions: Extensions::default(),
                        })
                        .collect();
                    m.set_alternate_gatekeeper(Some(&alts)).unwrap();
                }
                Some(RasMessage::GatekeeperConfirm(Box::new(m)))
            }
            RasMessage::RegistrationRequest(rrq) => {
                if let Some(a) = rrq.ras_address.first().and_then(|a| a.socket_addr()) {
                    *shared.endpoint.lock().unwrap() = Some(a);
                }
                let keep_alive = rrq.keep_alive().and_then(Result::ok).unwrap_or(false);
                if policy.ignore_registrations {
                    None
                } else if keep_alive && policy.reject_next_keep_alive {
                    policy.reject_next_keep_alive = false;
                    Some(RasMessage::RegistrationReject(Box::new(
                        RegistrationReject {
                            request_seq_num: rrq.request_seq_num,
                            protocol_identifier: oid(),
                            non_standard: None,
                            reject_reason: RegistrationRejectReason::Reason(Reason::extension(4)),
                            gatekeeper_identifier: Some(GATEKEEPER_ID.into()),
                            extensions: Extensions::default(),
                        },
                    )))
                } else {
                    let mut m = RegistrationConfirm {
                        request_seq_num: rrq.request_seq_num,
                        protocol_identifier: oid(),
                        non_standard: None,
                        call_signal_address: rrq.call_signal_address.clone(),
                        terminal_alias: rrq.terminal_alias.clone(),
                        gatekeeper_identifier: Some(GATEKEEPER_ID.into()),
                        endpoint_identifier: ENDPOINT_ID.into(),
                        extensions: Extensions::default(),
                    };
                    if let Some(t) = policy.time_to_live {
                        m.set_time_to_live(Some(&t)).unwrap();
                    }
                    Some(RasMessage::RegistrationConfirm(Box::new(m)))
                }
            }
            RasMessage::AdmissionRequest(arq) => {
                if policy.reject_admissions {
                    Some(RasMessage::AdmissionReject(Box::new(AdmissionReject {
                        request_seq_num: arq.request_seq_num,
                        reject_reason: Reason::Root(2),
                        non_standard: None,
                        extensions: Extensions::default(),
                    })))
                } else {
                    let dest = policy
                        .acf_dest
                        .map(TransportAddress::from_socket_addr)
                        .or_else(|| arq.dest_call_signal_address.clone())
                        .unwrap_or_else(|| TransportAddress::from_socket_addr(own));
                    let acf = RasMessage::AdmissionConfirm(Box::new(AdmissionConfirm {
                        request_seq_num: arq.request_seq_num,
                        band_width: arq.band_width,
                        call_model: Reason::Root(0),
                        dest_call_signal_address: dest,
                        irr_frequency: None,
                        non_standard: None,
                        extensions: Extensions::default(),
                    }));
                    match policy.rip {
                        Some(after) => {
                            let rip = RasMessage::RequestInProgress(Box::new(RequestInProgress {
                                request_seq_num: arq.request_seq_num,
                                non_standard: None,
                                delay: (after.as_millis() as u16).saturating_add(1000),
                                extensions: Extensions::default(),
                            }));
                            later.push((Instant::now() + after, from, acf));
                            Some(rip)
                        }
                        None => Some(acf),
                    }
                }
            }
            RasMessage::DisengageRequest(drq) => {
                Some(RasMessage::DisengageConfirm(Box::new(DisengageConfirm {
                    request_seq_num: drq.request_seq_num,
                    non_standard: None,
                    extensions: Extensions::default(),
                })))
            }
            RasMessage::UnregistrationRequest(urq) => Some(RasMessage::UnregistrationConfirm(
                Box::new(UnregistrationConfirm {
                    request_seq_num: urq.request_seq_num,
                    non_standard: None,
                    extensions: Extensions::default(),
                }),
            )),
            _ => None,
        };
        drop(policy);
        if let Some(r) = reply {
            let _ = socket.send_to(&r.encode().unwrap(), from);
        }
    }
}
