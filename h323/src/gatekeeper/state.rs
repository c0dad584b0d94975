//! The client's state machine: what each answer, request and timer does to the registration
//! and to the calls' admissions.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::per::PerError;
use crate::ras::{
    BandwidthConfirm, Extensions, InfoRequest, RasMessage, Reason, RegistrationConfirm,
    RegistrationReject, RegistrationRejectReason,
};

use super::{
    build, Admission, AdmissionId, CallAdmission, CallEntry, Client, Event, Gatekeeper, Kind,
    Outstanding, Phase, Refusal, Registration, Transmit, DISCOVERY_ADDRESS, MAX_ALTERNATES,
    MAX_CALLS, MAX_IRR_CALLS, MAX_OUTSTANDING, MAX_RIP_DELAY, MIN_KEEP_ALIVE,
};

/// RegistrationRejectReason discoveryRequired (root 0) and fullRegistrationRequired (the
/// fifth extension addition).
const DISCOVERY_REQUIRED: u8 = 0;
const FULL_REGISTRATION_REQUIRED: usize = 4;

impl Client {
    /// A datagram from `from`.
    pub fn handle(&mut self, now: Instant, from: SocketAddr, datagram: &[u8]) {
        let msg = match RasMessage::decode(datagram) {
            Ok(m) => m,
            Err(_) => {
                self.counters.malformed += 1;
                return;
            }
        };
        self.counters.received += 1;
        let seq = msg.request_seq_num();
        // Answers come from where the request went (a multicast GRQ is answered by a
        // gatekeeper's own address); requests only from our gatekeeper.
        let answered = seq
            .and_then(|s| self.outstanding.get(&s).map(|o| (s, o)))
            .filter(|(_, o)| o.to.ip() == from.ip() || o.to == DISCOVERY_ADDRESS)
            .filter(|(_, o)| answers(&msg, o.kind))
            .map(|(s, _)| s);
        if let Some(s) = answered {
            if let RasMessage::RequestInProgress(rip) = &msg {
                let delay = Duration::from_millis(u64::from(rip.delay)).min(MAX_RIP_DELAY);
                if let Some(o) = self.outstanding.get_mut(&s) {
                    o.deadline = now + delay;
                    o.tries = 0;
                }
                return;
            }
            if let Some(o) = self.outstanding.remove(&s) {
                self.answer(now, from, o.kind, msg);
            }
            return;
        }
        let from_gatekeeper = self
            .gatekeeper
            .as_ref()
            .is_some_and(|g| g.addr.ip() == from.ip());
        if !from_gatekeeper || !is_request(&msg) {
            self.counters.ignored += 1;
            return;
        }
        self.gatekeeper_request(now, from, msg, datagram);
    }

    /// Retransmissions, keep-alives and retries that are due.
    pub fn handle_timeout(&mut self, now: Instant) {
        let due: Vec<u16> = self
            .outstanding
            .iter()
            .filter(|(_, o)| o.deadline <= now)
            .map(|(s, _)| *s)
            .collect();
        for seq in due {
            let retries = self.config.timers.retries;
            let timeout = self.config.timers.request_timeout;
            let Some(o) = self.outstanding.get_mut(&seq) else {
                continue;
            };
            if o.tries < retries {
                o.tries += 1;
                o.deadline = now + timeout;
                let t = Transmit {
                    to: o.to,
                    bytes: o.bytes.clone(),
                };
                self.counters.retransmitted += 1;
                self.send(t);
            } else if let Some(o) = self.outstanding.remove(&seq) {
                self.failed(now, o.kind);
            }
        }
        if let Phase::Waiting { until } = self.phase {
            if until <= now {
                self.discover(now);
            }
        }
        let keep_alive_due = self
            .registration
            .as_ref()
            .and_then(|r| r.keep_alive_at)
            .is_some_and(|at| at <= now);
        if keep_alive_due && self.phase == Phase::Registered {
            if let Some(r) = self.registration.as_mut() {
                r.keep_alive_at = None;
            }
            self.keep_alive(now);
        }
    }

    /// Asks admission for a call.
    pub fn admit(&mut self, now: Instant, call: CallAdmission) -> Admission {
        if self.phase != Phase::Registered {
            return Admission::NotNeeded;
        }
        let Some(reg) = self.registration.as_ref() else {
            return Admission::NotNeeded;
        };
        let pre_granted = if call.answer {
            reg.pre_granted_answer
        } else {
            reg.pre_granted_make
        };
        if pre_granted {
            return Admission::NotNeeded;
        }
        if self.calls.len() >= MAX_CALLS || self.outstanding.len() >= MAX_OUTSTANDING {
            self.counters.refused += 1;
            return Admission::Refused(Refusal::Overloaded);
        }
        let id = AdmissionId(self.next_admission);
        self.next_admission += 1;
        let endpoint = reg.endpoint_id.clone();
        let gk_id = self.gatekeeper.as_ref().and_then(|g| g.id.clone());
        let msg = |seq| build::arq(seq, &endpoint, gk_id.as_deref(), &call);
        if !self.request_to_gatekeeper(now, Kind::Arq(id), |seq| {
            Ok(RasMessage::AdmissionRequest(Box::new(msg(seq)?)))
        }) {
            self.counters.refused += 1;
            return Admission::Refused(Refusal::Overloaded);
        }
        self.calls.insert(
            id,
            CallEntry {
                admission: call,
                admitted: false,
                ended: false,
            },
        );
        Admission::Pending(id)
    }

    /// The call of `admission` ended: DRQ when it was admitted (a late ACF gets one too).
    pub fn disengage(&mut self, now: Instant, admission: AdmissionId) {
        let Some(entry) = self.calls.get_mut(&admission) else {
            return;
        };
        if !entry.admitted {
            entry.ended = true;
            return;
        }
        self.send_drq(now, admission);
    }

    /// Unregisters (URQ) and stops: [`Event::Unregistered`] when done.
    pub fn unregister(&mut self, now: Instant) {
        let endpoint = self
            .registration
            .as_ref()
            .filter(|_| self.phase == Phase::Registered)
            .map(|r| r.endpoint_id.clone());
        self.outstanding
            .retain(|_, o| matches!(o.kind, Kind::Drq(_)));
        let Some(endpoint) = endpoint else {
            self.stop();
            return;
        };
        let gk_id = self.gatekeeper.as_ref().and_then(|g| g.id.clone());
        let config = self.config.clone();
        self.phase = Phase::Unregistering;
        if let Some(r) = self.registration.as_mut() {
            r.keep_alive_at = None;
        }
        let sent = self.request_to_gatekeeper(now, Kind::Urq, |seq| {
            let m = build::urq(seq, &config, &endpoint, gk_id.as_deref())?;
            Ok(RasMessage::UnregistrationRequest(Box::new(m)))
        });
        if !sent {
            self.stop();
        }
    }

    fn stop(&mut self) {
        self.phase = Phase::Stopped;
        self.registration = None;
        self.events.push_back(Event::Unregistered);
    }

    /// GRQ, to the configured gatekeeper or by multicast.
    pub(super) fn discover(&mut self, now: Instant) {
        self.phase = Phase::Discovering;
        self.registration = None;
        self.alternates.clear();
        let to = self.config.gatekeeper.unwrap_or(DISCOVERY_ADDRESS);
        let config = self.config.clone();
        let sent = self.request(now, to, Kind::Grq, |seq| {
            Ok(RasMessage::GatekeeperRequest(Box::new(build::grq(
                seq, &config,
            )?)))
        });
        if !sent {
            self.wait(now);
        }
    }

    /// A full RRQ to `gk`.
    fn register(&mut self, now: Instant, gk: Gatekeeper, discovery_complete: bool) {
        self.phase = Phase::Registering;
        let to = gk.addr;
        let gk_id = gk.id.clone();
        self.gatekeeper = Some(gk);
        let config = self.config.clone();
        let sent = self.request(now, to, Kind::Rrq { keep_alive: false }, |seq| {
            let m = build::rrq(seq, &config, discovery_complete, gk_id.as_deref(), None)?;
            Ok(RasMessage::RegistrationRequest(Box::new(m)))
        });
        if !sent {
            self.wait(now);
        }
    }

    fn keep_alive(&mut self, now: Instant) {
        let Some(endpoint) = self.registration.as_ref().map(|r| r.endpoint_id.clone()) else {
            return;
        };
        let gk_id = self.gatekeeper.as_ref().and_then(|g| g.id.clone());
        let config = self.config.clone();
        self.request_to_gatekeeper(now, Kind::Rrq { keep_alive: true }, |seq| {
            let m = build::rrq(seq, &config, true, gk_id.as_deref(), Some(&endpoint))?;
            Ok(RasMessage::RegistrationRequest(Box::new(m)))
        });
    }

    /// Registration failed: the next alternate gatekeeper, else discovery after a pause.
    fn next_gatekeeper(&mut self, now: Instant) {
        if self.alternates.is_empty() {
            self.wait(now);
            return;
        }
        let alt = self.alternates.remove(0);
        match alt.ras_address.socket_addr() {
            Some(addr) => self.register(
                now,
                Gatekeeper {
                    addr,
                    id: alt.gatekeeper_identifier,
                },
                false,
            ),
            None => self.next_gatekeeper(now),
        }
    }

    fn wait(&mut self, now: Instant) {
        self.phase = Phase::Waiting {
            until: now + self.config.timers.retry_after,
        };
        self.registration = None;
    }

    fn lost(&mut self, why: &'static str) {
        if self.phase == Phase::Registered || self.registration.is_some() {
            self.events.push_back(Event::RegistrationLost { why });
        }
        self.registration = None;
    }

    fn set_alternates(&mut self, mut alts: Vec<crate::ras::AlternateGK>) {
        alts.sort_by_key(|a| a.priority);
        alts.truncate(MAX_ALTERNATES);
        self.alternates = alts;
    }

    /// An answer to our request of `kind`.
    fn answer(&mut self, now: Instant, from: SocketAddr, kind: Kind, msg: RasMessage) {
        match (kind, msg) {
            (Kind::Grq, RasMessage::GatekeeperConfirm(gcf)) => {
                if let Some(Ok(alts)) = gcf.alternate_gatekeeper() {
                    self.set_alternates(alts);
                }
                let addr = gcf.ras_address.socket_addr().unwrap_or(from);
                let gk = Gatekeeper {
                    addr,
                    id: gcf.gatekeeper_identifier.clone(),
                };
                self.register(now, gk, true);
            }
            (Kind::Grq, RasMessage::GatekeeperReject(grj)) => {
                if let Some(Ok(info)) = grj.alt_gk_info() {
                    self.set_alternates(info.alternate_gatekeeper);
                }
                self.next_gatekeeper(now);
            }
            (Kind::Rrq { keep_alive }, RasMessage::RegistrationConfirm(rcf)) => {
                self.registered(now, keep_alive, &rcf);
            }
            (Kind::Rrq { keep_alive }, RasMessage::RegistrationReject(rrj)) => {
                self.rejected(now, keep_alive, &rrj);
            }
            (Kind::Rrq { keep_alive }, RasMessage::UnknownMessageResponse(_)) => {
                // A gatekeeper that restarted may not know a lightweight RRQ: register anew.
                self.lost("xrs");
                match (keep_alive, self.gatekeeper.clone()) {
                    (true, Some(gk)) => self.register(now, gk, true),
                    _ => self.next_gatekeeper(now),
                }
            }
            (Kind::Urq, _) => self.stop(),
            (Kind::Arq(id), RasMessage::AdmissionConfirm(acf)) => {
                let Some(entry) = self.calls.get_mut(&id) else {
                    return;
                };
                entry.admitted = true;
                if entry.ended {
                    self.send_drq(now, id);
                    return;
                }
                self.counters.admitted += 1;
                let dest = acf.dest_call_signal_address.socket_addr();
                self.events.push_back(Event::Admitted {
                    admission: id,
                    dest,
                });
            }
            (Kind::Arq(id), msg) => {
                let why = match msg {
                    RasMessage::AdmissionReject(arj) => Refusal::Rejected(arj.reject_reason),
                    _ => Refusal::NoAnswer,
                };
                self.refused(id, why);
            }
            (Kind::Drq(id), _) => {
                self.calls.remove(&id);
            }
            (kind, _) => self.failed(now, kind),
        }
    }

    fn registered(&mut self, now: Instant, keep_alive: bool, rcf: &RegistrationConfirm) {
        if let Some(Ok(alts)) = rcf.alternate_gatekeeper() {
            self.set_alternates(alts);
        }
        // No timeToLive in the RCF: the registration does not expire (H.225.0 §7.9.1).
        let ttl = rcf.time_to_live().and_then(Result::ok);
        // Refresh at three quarters of the lifetime: room for the retries of a lost one.
        let keep_alive_at = ttl.map(|t| {
            let secs = u64::from(t) - u64::from(t) / 4;
            now + Duration::from_secs(secs).max(MIN_KEEP_ALIVE)
        });
        let (make, answer) = match rcf.pre_granted_arq() {
            Some(Ok(p)) => (p.make_call, p.answer_call),
            _ => (false, false),
        };
        let was = self.registration.as_ref().map(|r| r.endpoint_id.clone());
        let endpoint_id = if keep_alive {
            was.clone()
                .unwrap_or_else(|| rcf.endpoint_identifier.clone())
        } else {
            rcf.endpoint_identifier.clone()
        };
        self.registration = Some(Registration {
            endpoint_id: endpoint_id.clone(),
            time_to_live: ttl,
            pre_granted_make: make,
            pre_granted_answer: answer,
            keep_alive_at,
        });
        if let (Some(g), Some(id)) = (self.gatekeeper.as_mut(), &rcf.gatekeeper_identifier) {
            g.id = Some(id.clone());
        }
        let fresh = self.phase != Phase::Registered || !keep_alive;
        self.phase = Phase::Registered;
        if fresh {
            self.counters.registrations += 1;
            if let Some(g) = &self.gatekeeper {
                self.events.push_back(Event::Registered {
                    gatekeeper: g.addr,
                    gatekeeper_id: g.id.clone(),
                    endpoint_id,
                    time_to_live: ttl,
                });
            }
        }
    }

    fn rejected(&mut self, now: Instant, keep_alive: bool, rrj: &RegistrationReject) {
        if let Some(Ok(info)) = rrj.alt_gk_info() {
            self.set_alternates(info.alternate_gatekeeper);
        }
        self.lost("rrj");
        match &rrj.reject_reason {
            RegistrationRejectReason::Reason(Reason::Extension { index, .. })
                if *index == FULL_REGISTRATION_REQUIRED && keep_alive =>
            {
                match self.gatekeeper.clone() {
                    Some(gk) => self.register(now, gk, true),
                    None => self.discover(now),
                }
            }
            RegistrationRejectReason::Reason(Reason::Root(DISCOVERY_REQUIRED)) => {
                self.discover(now)
            }
            _ => self.next_gatekeeper(now),
        }
    }

    /// A request of `kind` got no (usable) answer.
    fn failed(&mut self, now: Instant, kind: Kind) {
        match kind {
            Kind::Grq => self.next_gatekeeper(now),
            Kind::Rrq { .. } => {
                self.lost("no_answer");
                self.next_gatekeeper(now);
            }
            Kind::Urq => self.stop(),
            Kind::Arq(id) => self.refused(id, Refusal::NoAnswer),
            Kind::Drq(id) => {
                self.calls.remove(&id);
            }
        }
    }

    fn refused(&mut self, id: AdmissionId, why: Refusal) {
        if let Some(entry) = self.calls.remove(&id) {
            if !entry.ended {
                self.counters.refused += 1;
                self.events.push_back(Event::Refused { admission: id, why });
            }
        }
    }

    fn send_drq(&mut self, now: Instant, id: AdmissionId) {
        let endpoint = self.registration.as_ref().map(|r| r.endpoint_id.clone());
        let (Some(endpoint), Some(entry)) = (endpoint, self.calls.get(&id)) else {
            self.calls.remove(&id);
            return;
        };
        let admission = entry.admission.clone();
        let gk_id = self.gatekeeper.as_ref().and_then(|g| g.id.clone());
        let sent = self.request_to_gatekeeper(now, Kind::Drq(id), |seq| {
            let m = build::drq(seq, &endpoint, gk_id.as_deref(), &admission)?;
            Ok(RasMessage::DisengageRequest(Box::new(m)))
        });
        if !sent {
            self.calls.remove(&id);
        }
    }

    /// A request from our gatekeeper.
    fn gatekeeper_request(
        &mut self,
        now: Instant,
        from: SocketAddr,
        msg: RasMessage,
        datagram: &[u8],
    ) {
        let reply = match msg {
            RasMessage::UnregistrationRequest(urq) => {
                let ucf =
                    RasMessage::UnregistrationConfirm(Box::new(build::ucf(urq.request_seq_num)));
                self.reply(from, &ucf);
                if self.phase == Phase::Registered {
                    // The gatekeeper let us go: register anew (it may have restarted, or
                    // moved us to an alternate it will confirm).
                    self.lost("urq");
                    if let Some(gk) = self.gatekeeper.clone() {
                        self.register(now, gk, true);
                    }
                }
                return;
            }
            RasMessage::DisengageRequest(drq) => {
                let call_id = drq.call_identifier().and_then(Result::ok).map(|c| c.guid);
                let found = self.calls.iter().find_map(|(id, e)| {
                    let a = &e.admission;
                    let same = match call_id {
                        Some(g) => g == a.call_identifier,
                        None => {
                            a.conference_id == drq.conference_id
                                && a.call_reference == drq.call_reference_value
                        }
                    };
                    same.then_some(*id)
                });
                if let Some(id) = found {
                    self.calls.remove(&id);
                    self.events.push_back(Event::Drop { admission: id });
                }
                RasMessage::DisengageConfirm(Box::new(build::dcf(drq.request_seq_num)))
            }
            RasMessage::InfoRequest(irq) => match self.irr(&irq) {
                Ok(m) => {
                    let to = irq
                        .reply_address
                        .as_ref()
                        .and_then(|a| a.socket_addr())
                        .filter(|a| a.ip() == from.ip())
                        .unwrap_or(from);
                    let irr = RasMessage::InfoRequestResponse(Box::new(m));
                    self.reply(to, &irr);
                    return;
                }
                Err(_) => return,
            },
            RasMessage::BandwidthRequest(brq) => {
                // We do not manage bandwidth: whatever the gatekeeper grants is confirmed.
                RasMessage::BandwidthConfirm(Box::new(BandwidthConfirm {
                    request_seq_num: brq.request_seq_num,
                    band_width: brq.band_width,
                    non_standard: None,
                    extensions: Extensions::default(),
                }))
            }
            other => {
                let Some(seq) = other.request_seq_num() else {
                    return;
                };
                match build::xrs(seq, datagram) {
                    Ok(m) => RasMessage::UnknownMessageResponse(Box::new(m)),
                    Err(_) => return,
                }
            }
        };
        self.reply(from, &reply);
    }

    fn irr(&self, irq: &InfoRequest) -> Result<crate::ras::InfoRequestResponse, PerError> {
        let call_id = irq.call_identifier().and_then(Result::ok).map(|c| c.guid);
        let mut calls = Vec::new();
        for e in self.calls.values().filter(|e| e.admitted) {
            let a = &e.admission;
            let wanted = irq.call_reference_value == 0
                || call_id.is_some_and(|g| g == a.call_identifier && g != [0; 16])
                || a.call_reference == irq.call_reference_value;
            if wanted && calls.len() < MAX_IRR_CALLS {
                calls.push(build::per_call(a)?);
            }
        }
        let endpoint = self
            .registration
            .as_ref()
            .map_or(String::new(), |r| r.endpoint_id.clone());
        build::irr(irq.request_seq_num, &self.config, &endpoint, calls)
    }

    fn reply(&mut self, to: SocketAddr, msg: &RasMessage) {
        if let Ok(bytes) = msg.encode() {
            self.send(Transmit { to, bytes });
        }
    }

    fn send(&mut self, t: Transmit) {
        self.counters.sent += 1;
        self.transmits.push_back(t);
    }

    fn request_to_gatekeeper(
        &mut self,
        now: Instant,
        kind: Kind,
        make: impl FnOnce(u16) -> Result<RasMessage, PerError>,
    ) -> bool {
        match self.gatekeeper.as_ref().map(|g| g.addr) {
            Some(to) => self.request(now, to, kind, make),
            None => false,
        }
    }

    /// Sends a request with a fresh sequence number and keeps it for retransmission. False
    /// when too many are in flight or it would not encode.
    fn request(
        &mut self,
        now: Instant,
        to: SocketAddr,
        kind: Kind,
        make: impl FnOnce(u16) -> Result<RasMessage, PerError>,
    ) -> bool {
        if self.outstanding.len() >= MAX_OUTSTANDING {
            return false;
        }
        let Some(seq) = self.take_seq() else {
            return false;
        };
        let Ok(bytes) = make(seq).and_then(|m| m.encode()) else {
            return false;
        };
        self.send(Transmit {
            to,
            bytes: bytes.clone(),
        });
        self.outstanding.insert(
            seq,
            Outstanding {
                to,
                bytes,
                deadline: now + self.config.timers.request_timeout,
                tries: 0,
                kind,
            },
        );
        true
    }

    /// The next requestSeqNum (1 to 65535) not in flight.
    fn take_seq(&mut self) -> Option<u16> {
        for _ in 0..=MAX_OUTSTANDING {
            let seq = self.next_seq;
            self.next_seq = if seq == u16::MAX { 1 } else { seq + 1 };
            if !self.outstanding.contains_key(&seq) {
                return Some(seq);
            }
        }
        None
    }
}

/// Whether `msg` answers a request of `kind` (an XRS or RIP answers anything).
fn answers(msg: &RasMessage, kind: Kind) -> bool {
    use RasMessage as M;
    match msg {
        M::UnknownMessageResponse(_) | M::RequestInProgress(_) => true,
        M::GatekeeperConfirm(_) | M::GatekeeperReject(_) => kind == Kind::Grq,
        M::RegistrationConfirm(_) | M::RegistrationReject(_) => {
            matches!(kind, Kind::Rrq { .. })
        }
        M::UnregistrationConfirm(_) | M::UnregistrationReject(_) => kind == Kind::Urq,
        M::AdmissionConfirm(_) | M::AdmissionReject(_) => matches!(kind, Kind::Arq(_)),
        M::DisengageConfirm(_) | M::DisengageReject(_) => matches!(kind, Kind::Drq(_)),
        _ => false,
    }
}

/// Whether `msg` is a request (or anything but an answer) a gatekeeper may send us.
fn is_request(msg: &RasMessage) -> bool {
    use RasMessage as M;
    !matches!(
        msg,
        M::GatekeeperConfirm(_)
            | M::GatekeeperReject(_)
            | M::RegistrationConfirm(_)
            | M::RegistrationReject(_)
            | M::UnregistrationConfirm(_)
            | M::UnregistrationReject(_)
            | M::AdmissionConfirm(_)
            | M::AdmissionReject(_)
            | M::DisengageConfirm(_)
            | M::DisengageReject(_)
            | M::BandwidthConfirm(_)
            | M::BandwidthReject(_)
            | M::LocationConfirm(_)
            | M::LocationReject(_)
            | M::UnknownMessageResponse(_)
            | M::RequestInProgress(_)
            | M::InfoRequestResponse(_)
            | M::Unknown { .. }
    )
}
