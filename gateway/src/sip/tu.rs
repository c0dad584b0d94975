//! The transaction user of `roomgate serve`: what Roomgate answers to each request. It is
//! driven like the transaction layer under it (events in, messages out through the layer) and
//! does no I/O, so its decisions are unit-tested without sockets.

use std::net::SocketAddr;
use std::time::Instant;

use roomgate_sip::transaction::{
    Destination, Input, InputError, Received, TransactionEvent, TransactionId, TransactionLayer,
};
use roomgate_sip::{
    decode_datagram, uas_refusal, DecodeError, HeaderName, Message, Method, OwnedMessage,
    UasCapabilities,
};

use super::auth::{AuthGate, Gate};
use super::overload::{self, Load, OverloadSettings, Queued};
use super::rate_limit::RateLimiter;

/// Methods we implement, for Allow.
pub const ALLOW: &str = "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO";
/// Option tags we support, for Supported.
pub const SUPPORTED: &str = "timer";
const SERVER: &str = concat!("Roomgate/", env!("CARGO_PKG_VERSION"));

/// Counters the TU keeps (read by tests and, later, metrics).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TuStats {
    pub rate_limited: u64,
    pub invalid_requests: u64,
    pub dropped_unparseable: u64,
    pub refused_over_capacity: u64,
    pub answered: u64,
    /// New INVITEs answered 503 by overload control (see `super::overload`).
    pub overload_refused: overload::RefusedCounts,
}

pub struct Tu {
    pub layer: TransactionLayer,
    /// The B2BUA; without it every INVITE is answered 404 (no meetings).
    pub calls: Option<crate::call::Calls>,
    limiter: RateLimiter,
    auth: Option<AuthGate>,
    overload: OverloadSettings,
    draining: bool,
    tag_seed: u64,
    tag_counter: u64,
    pub stats: TuStats,
}

impl Tu {
    pub fn new(layer: TransactionLayer, limiter: RateLimiter) -> Self {
        Tu {
            layer,
            calls: None,
            limiter,
            auth: None,
            overload: OverloadSettings::default(),
            draining: false,
            tag_seed: rand::random(),
            tag_counter: 0,
            stats: TuStats::default(),
        }
    }

    /// Requires digest authentication as configured.
    pub fn with_auth(mut self, auth: AuthGate) -> Self {
        self.auth = Some(auth);
        self
    }

    /// Refuses new INVITEs past these limits.
    pub fn with_overload(mut self, settings: OverloadSettings) -> Self {
        self.overload = settings;
        self
    }

    /// Bridges calls to meetings.
    pub fn with_calls(mut self, calls: crate::call::Calls) -> Self {
        self.calls = Some(calls);
        self
    }

    /// From now on new INVITEs (and OPTIONS, so load balancers move away) get 503, and
    /// live calls are hung up on both legs.
    pub fn start_draining(&mut self) {
        self.draining = true;
        if let Some(calls) = self.calls.as_mut() {
            calls.end_all(&mut self.layer, Instant::now());
        }
    }

    /// The earliest deadline of the transaction layer or of a call.
    pub fn poll_timeout(&mut self) -> Option<Instant> {
        let layer = self.layer.poll_timeout();
        let calls = self.calls.as_ref().and_then(|c| c.poll_timeout());
        layer.into_iter().chain(calls).min()
    }

    /// Fires the timers due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.layer.handle_timeout(now);
        if let Some(calls) = self.calls.as_mut() {
            calls.handle_timeout(&mut self.layer, now);
        }
    }

    pub fn is_draining(&self) -> bool {
        self.draining
    }

    /// Done when draining and no transaction or call is left.
    pub fn finished(&mut self) -> bool {
        let drained = self.draining
            && self.layer.is_empty()
            && self.calls.as_ref().is_none_or(|c| c.is_empty());
        if !drained {
            return false;
        }
        // Every call is gone (and disengaged): now unregister from the gatekeeper, and
        // finish once it confirmed or gave up.
        match self.calls.as_mut() {
            Some(c) => {
                c.gatekeeper_unregister(Instant::now());
                c.gatekeeper_done()
            }
            None => true,
        }
    }

    fn new_tag(&mut self) -> String {
        self.tag_counter = self.tag_counter.wrapping_add(1);
        format!(
            "rg{:x}",
            self.tag_seed ^ self.tag_counter.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        )
    }

    /// A message arrived from `source` (and was taken at once).
    pub fn handle_received(&mut self, now: Instant, bytes: &[u8], source: Destination) {
        self.handle_received_after(now, Queued::default(), bytes, source);
    }

    /// A message arrived from `source` and waited as `queued` says before the core took it.
    pub fn handle_received_after(
        &mut self,
        now: Instant,
        queued: Queued,
        bytes: &[u8],
        source: Destination,
    ) {
        if bytes.starts_with(b"INVITE ") && self.refused_for_overload(queued, bytes, source) {
            return;
        }
        let is_request = !bytes.starts_with(b"SIP/");
        if is_request && !bytes.starts_with(b"ACK ") && !self.limiter.admit(source.addr.ip(), now) {
            self.stats.rate_limited += 1;
            if let Ok(msg) = decode_datagram(bytes) {
                let resp = self
                    .response(&msg, source.addr, 503, "Service Unavailable")
                    .with(HeaderName::RetryAfter, 1);
                self.send_stateless(&msg, source, resp);
            }
            return;
        }
        match self.layer.handle_input(now, Input { bytes, source }) {
            Ok(()) => {}
            Err(InputError::Decode(e)) => self.answer_fault(bytes, source, &e),
            Err(InputError::Header(e)) => {
                tracing::debug!(peer = %source.addr, error = %e, "message cannot be matched");
                self.stats.dropped_unparseable += 1;
            }
            Err(e) => {
                tracing::debug!(peer = %source.addr, error = %e, "message dropped");
                self.stats.dropped_unparseable += 1;
            }
        }
    }

    /// A new INVITE while overloaded gets 503 statelessly, before any transaction or call
    /// exists for it. The full parse happens only past a limit: a message of an existing
    /// dialog (To tag) or a retransmission of an INVITE already accepted goes on as usual, so
    /// an accepted call is never refused later.
    fn refused_for_overload(&mut self, queued: Queued, bytes: &[u8], source: Destination) -> bool {
        let load = Load {
            queued,
            calls_in_setup: self.calls.as_ref().map_or(0, |c| c.calls_in_setup()),
            transactions: self.layer.len(),
            max_transactions: self.layer.config().max_transactions,
        };
        let Some(why) = overload::assess(&self.overload, load) else {
            return false;
        };
        let Ok(msg) = decode_datagram(bytes) else {
            return false;
        };
        if has_to_tag(&msg) || self.layer.matches_server_transaction(&msg) {
            return false;
        }
        self.stats.overload_refused.count(why);
        tracing::debug!(
            peer = %source.addr,
            reason = why.label(),
            queued_ms = queued.delay.as_millis() as u64,
            backlog = queued.backlog,
            calls_in_setup = load.calls_in_setup,
            "INVITE refused: overloaded"
        );
        let resp = self
            .response(&msg, source.addr, 503, "Service Unavailable")
            .with(HeaderName::RetryAfter, overload::RETRY_AFTER_S);
        self.send_stateless(&msg, source, resp);
        true
    }

    /// A faulty request gets the status the RFC names, statelessly, when it carries enough to
    /// be answered; a faulty response is dropped.
    fn answer_fault(&mut self, bytes: &[u8], source: Destination, e: &DecodeError) {
        self.stats.invalid_requests += 1;
        tracing::debug!(peer = %source.addr, fault = %e, "invalid message");
        let Some(status) = e.uas_status() else { return };
        let Ok(msg) = roomgate_sip::parse_datagram(bytes) else {
            return;
        };
        if !msg.is_request() || msg.method() == Some(Method::Ack) || msg.top_via().is_err() {
            return;
        }
        let reason = match status {
            505 => "Version Not Supported",
            513 => "Message Too Large",
            _ => "Bad Request",
        };
        let warning = format!(
            "399 roomgate \"{}\"",
            e.to_string().replace(['"', '\\'], "'")
        );
        let resp = self
            .response(&msg, source.addr, status, reason)
            .with(HeaderName::Warning, warning);
        // A request missing what a response must copy (To, From, Call-ID, CSeq) cannot be
        // answered with a valid response: it is dropped rather than answered with one we
        // could not decode ourselves. The bytes checked are the bytes sent.
        let bytes = resp.to_bytes();
        if roomgate_sip::decode_datagram(&bytes).is_err() {
            return;
        }
        let dest = roomgate_sip::transaction::response_destination(&msg, source);
        self.layer.send_stateless(dest, bytes);
    }

    fn send_stateless(&mut self, msg: &Message<'_>, source: Destination, resp: OwnedMessage) {
        let dest = roomgate_sip::transaction::response_destination(msg, source);
        self.layer.send_stateless(dest, resp.to_bytes());
    }

    /// A response to `msg` with our Server header and the RFC 3581 Via stamp.
    fn response(
        &mut self,
        msg: &Message<'_>,
        peer: SocketAddr,
        code: u16,
        reason: &str,
    ) -> OwnedMessage {
        let tag = self.new_tag();
        let mut resp = msg.response_to(code, reason, Some(&tag));
        stamp_top_via(&mut resp, msg, peer);
        resp.with(HeaderName::Server, SERVER)
    }

    /// Handles one event from the transaction layer.
    pub fn handle_event(&mut self, now: Instant, event: TransactionEvent) {
        match event {
            TransactionEvent::RequestReceived { id, request } => self.on_request(now, id, &request),
            TransactionEvent::CancelReceived {
                id,
                invite,
                request,
            } => {
                let Ok(msg) = request.message() else { return };
                // 200 when it matched (RFC 3261 §9.2), 481 when nothing did; a call still
                // waiting for its cloud leg then gets 487 and its cloud INVITE a CANCEL.
                let (code, reason) = match invite {
                    Some(_) => (200, "OK"),
                    None => (481, "Call/Transaction Does Not Exist"),
                };
                let resp = self.response(msg, request.source.addr, code, reason);
                self.respond(now, id, resp);
                if let (Some(invite), Some(calls)) = (invite, self.calls.as_mut()) {
                    calls.on_cancel(&mut self.layer, now, invite);
                }
            }
            TransactionEvent::AckReceived { request, .. } => {
                if let Some(calls) = self.calls.as_mut() {
                    calls.on_ack(&mut self.layer, now, &request);
                }
            }
            TransactionEvent::ResponseReceived { id, response } => {
                if let Some(calls) = self.calls.as_mut() {
                    calls.on_response(&mut self.layer, now, id, &response);
                }
            }
            TransactionEvent::Timeout { id, .. } => {
                if let Some(calls) = self.calls.as_mut() {
                    calls.on_transaction_failed(&mut self.layer, now, id, true);
                }
            }
            TransactionEvent::TransportError { id } => {
                if let Some(calls) = self.calls.as_mut() {
                    calls.on_transaction_failed(&mut self.layer, now, id, false);
                }
            }
            TransactionEvent::Terminated { id } => {
                if let Some(calls) = self.calls.as_mut() {
                    calls.on_terminated(id);
                }
            }
            TransactionEvent::Refused { request } => {
                self.stats.refused_over_capacity += 1;
                if let Ok(msg) = request.message() {
                    if msg.method() != Some(Method::Ack) {
                        let resp = self
                            .response(msg, request.source.addr, 503, "Service Unavailable")
                            .with(HeaderName::RetryAfter, 5);
                        self.send_stateless(msg, request.source, resp);
                    }
                }
            }
            other => tracing::trace!(?other, "transaction event"),
        }
    }

    fn respond(&mut self, now: Instant, id: TransactionId, resp: OwnedMessage) {
        match self.layer.send_response(now, id, &resp) {
            Ok(()) => self.stats.answered += 1,
            Err(e) => tracing::debug!(error = %e, "response not sent"),
        }
    }

    fn on_request(&mut self, now: Instant, id: TransactionId, request: &Received) {
        let Ok(msg) = request.message() else { return };
        let peer = request.source.addr;
        let Some(line) = msg.request_line() else {
            return;
        };
        let caps = UasCapabilities {
            option_tags: &[SUPPORTED],
            ..UasCapabilities::default()
        };
        if let Some(auth) = self.auth.as_mut() {
            let gate = auth.check(msg);
            let resp = match gate {
                Gate::Pass => None,
                Gate::Challenge(values) => {
                    let mut r = self.response(msg, peer, 401, "Unauthorized");
                    for v in values {
                        r.push(HeaderName::WwwAuthenticate, v);
                    }
                    Some(r)
                }
                Gate::BadRequest => Some(self.response(msg, peer, 400, "Bad Request")),
            };
            if let Some(r) = resp {
                self.respond(now, id, r);
                return;
            }
        }
        let resp = match &line.method {
            Method::Options if self.draining => {
                self.response(msg, peer, 503, "Service Unavailable")
            }
            Method::Options => self
                .response(msg, peer, 200, "OK")
                .with(HeaderName::Allow, ALLOW)
                .with(HeaderName::Accept, "application/sdp")
                .with(HeaderName::Supported, SUPPORTED),
            Method::Invite | Method::Bye | Method::Update | Method::Info | Method::Prack
                if has_to_tag(msg) && self.calls.is_some() =>
            {
                if let Some(calls) = self.calls.as_mut() {
                    if calls.on_in_dialog(&mut self.layer, now, id, request, msg) {
                        return;
                    }
                }
                self.response(msg, peer, 481, "Call/Transaction Does Not Exist")
            }
            Method::Invite if self.draining => self
                .response(msg, peer, 503, "Service Unavailable")
                .with(HeaderName::RetryAfter, 30),
            Method::Invite => match uas_refusal(msg, &caps) {
                // 100rel is not offered (SUPPORTED), so `Require: 100rel` gets 420 here.
                Some(refusal) => {
                    let mut r = self.response(msg, peer, refusal.status, refusal.reason);
                    if !refusal.unsupported.is_empty() {
                        r.push(HeaderName::Unsupported, refusal.unsupported.join(", "));
                    }
                    if refusal.status == 415 {
                        r.push(HeaderName::Accept, "application/sdp");
                    }
                    r
                }
                None => match self.calls.as_mut() {
                    Some(calls) => {
                        calls.on_invite(&mut self.layer, now, id, request, msg);
                        return;
                    }
                    // No meetings without the B2BUA: every destination is unknown.
                    None => self.response(msg, peer, 404, "Not Found"),
                },
            },
            Method::Bye | Method::Info | Method::Update | Method::Prack => {
                self.response(msg, peer, 481, "Call/Transaction Does Not Exist")
            }
            Method::Register
            | Method::Subscribe
            | Method::Notify
            | Method::Refer
            | Method::Message
            | Method::Publish => self
                .response(msg, peer, 405, "Method Not Allowed")
                .with(HeaderName::Allow, ALLOW),
            _ => self
                .response(msg, peer, 501, "Not Implemented")
                .with(HeaderName::Allow, ALLOW),
        };
        self.respond(now, id, resp);
    }
}

fn has_to_tag(msg: &Message<'_>) -> bool {
    msg.to_header().is_ok_and(|t| t.tag().is_some())
}

/// RFC 3261 §18.2.1 and RFC 3581: the top Via of a response says where the request really
/// came from (`received`) and, when asked, from which port (`rport`).
pub(crate) fn stamp_top_via(resp: &mut OwnedMessage, request: &Message<'_>, peer: SocketAddr) {
    let Ok(via) = request.top_via() else { return };
    let wants_rport = matches!(via.rport(), Ok(Some(None)));
    let host_is_peer = match &via.host {
        roomgate_sip::Host::Ipv4(a) => std::net::IpAddr::V4(*a) == peer.ip(),
        roomgate_sip::Host::Ipv6(a) => std::net::IpAddr::V6(*a) == peer.ip(),
        roomgate_sip::Host::Domain(_) => false,
    };
    if host_is_peer && !wants_rport {
        return;
    }
    let mut stamped = via.clone();
    let replaced = |name: &str| {
        name.eq_ignore_ascii_case("received") || (wants_rport && name.eq_ignore_ascii_case("rport"))
    };
    stamped.params.retain(|p| !replaced(p.name));
    let received = peer.ip().to_string();
    let port = peer.port().to_string();
    stamped.params.push(roomgate_sip::Param {
        name: "received",
        value: Some(received.as_str().into()),
        quoted: false,
    });
    if wants_rport {
        stamped.params.push(roomgate_sip::Param {
            name: "rport",
            value: Some(port.as_str().into()),
            quoted: false,
        });
    }
    let text = stamped.to_string();
    if let Some(first) = resp
        .headers
        .iter_mut()
        .find(|(n, _)| HeaderName::from_wire(n) == HeaderName::Via)
    {
        // The first Via field may hold several entries; replace only the first.
        let rest = first.1.split_once(',').map(|(_, r)| r.trim().to_owned());
        first.1 = match rest {
            Some(r) if !r.is_empty() => format!("{text}, {r}"),
            _ => text,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roomgate_sip::transaction::{LayerConfig, Output, Transport};
    use std::time::Duration;

    fn tu() -> Tu {
        Tu::new(
            TransactionLayer::new(LayerConfig::default()),
            RateLimiter::new(5, 5),
        )
    }

    fn request(method: &str, extra: &str, branch: &str) -> Vec<u8> {
        format!(
            "{method} sip:1001@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.9:5070;branch=z9hG4bK{branch};rport\r\n\
             From: <sip:room@example.com>;tag=f\r\nTo: <sip:1001@127.0.0.1>\r\nCall-ID: c{branch}\r\n\
             CSeq: 1 {method}\r\nMax-Forwards: 70\r\n{extra}Content-Length: 0\r\n\r\n"
        )
        .into_bytes()
    }

    fn src() -> Destination {
        Destination {
            addr: "127.0.0.1:5999".parse().unwrap(),
            transport: Transport::Udp,
        }
    }

    /// Feeds one request and returns the first response sent.
    fn answer(tu: &mut Tu, bytes: &[u8]) -> (Destination, Vec<u8>) {
        let now = Instant::now();
        tu.handle_received(now, bytes, src());
        let mut sent = Vec::new();
        for _ in 0..10 {
            while let Some(out) = tu.layer.poll_output() {
                match out {
                    Output::Transmit(t) => sent.push((t.destination, t.bytes)),
                    Output::Event(e) => tu.handle_event(now, e),
                }
            }
        }
        sent.into_iter().next().expect("a response")
    }

    fn status(bytes: &[u8]) -> u16 {
        decode_datagram(bytes).unwrap().status_line().unwrap().code
    }

    #[test]
    fn answers_by_method() {
        let mut t = tu();
        let (dest, r) = answer(&mut t, &request("OPTIONS", "", "1"));
        assert_eq!(status(&r), 200);
        assert_eq!(dest.addr, src().addr, "rport: answer to the source port");
        let m = decode_datagram(&r).unwrap();
        assert_eq!(m.tokens(HeaderName::Allow).unwrap().len(), 7);
        let via = m.top_via().unwrap();
        assert_eq!(via.rport().unwrap(), Some(Some(5999)));
        assert_eq!(via.received().unwrap(), Some("127.0.0.1".parse().unwrap()));
        assert_eq!(status(&answer(&mut t, &request("INVITE", "", "2")).1), 404);
        assert_eq!(status(&answer(&mut t, &request("FOO", "", "3")).1), 501);
        assert_eq!(
            status(&answer(&mut t, &request("REGISTER", "", "4")).1),
            405
        );
        assert_eq!(status(&answer(&mut t, &request("BYE", "", "5")).1), 481);
    }

    #[test]
    fn application_refusals_and_faults() {
        let mut t = Tu::new(
            TransactionLayer::new(LayerConfig::default()),
            RateLimiter::new(100, 100),
        );
        let r = answer(&mut t, &request("INVITE", "Require: 100rel\r\n", "6r")).1;
        assert_eq!(status(&r), 420, "100rel is refused, not silently ignored");
        let r = answer(&mut t, &request("INVITE", "Require: nosuchthing\r\n", "6")).1;
        assert_eq!(status(&r), 420);
        assert_eq!(
            decode_datagram(&r)
                .unwrap()
                .header_value(HeaderName::Unsupported),
            Some("nosuchthing")
        );
        let bad = String::from_utf8(request("OPTIONS", "", "7"))
            .unwrap()
            .replace("CSeq: 1 OPTIONS", "CSeq: 1 INVITE");
        assert_eq!(status(&answer(&mut t, bad.as_bytes()).1), 400);
        let v7 = String::from_utf8(request("OPTIONS", "", "8"))
            .unwrap()
            .replace("sip:1001@127.0.0.1 SIP/2.0", "sip:1001@127.0.0.1 SIP/7.0");
        assert_eq!(status(&answer(&mut t, v7.as_bytes()).1), 505);
    }

    #[test]
    fn draining_refuses_new_invites() {
        let mut t = tu();
        t.start_draining();
        assert_eq!(status(&answer(&mut t, &request("INVITE", "", "9")).1), 503);
    }

    /// Feeds one request that waited `queued` and returns every response sent.
    fn answers_after(tu: &mut Tu, delay: Duration, bytes: &[u8]) -> Vec<Vec<u8>> {
        let queued = Queued {
            delay,
            backlog: overload::MIN_BACKLOG,
        };
        let now = Instant::now();
        tu.handle_received_after(now, queued, bytes, src());
        let mut sent = Vec::new();
        while let Some(out) = tu.layer.poll_output() {
            match out {
                Output::Transmit(t) => sent.push(t.bytes),
                Output::Event(e) => tu.handle_event(now, e),
            }
        }
        sent
    }

    #[test]
    fn a_nearly_full_transaction_table_refuses_new_invites_and_keeps_room_for_a_bye() {
        let mut t = Tu::new(
            TransactionLayer::new(LayerConfig {
                max_transactions: 10,
                ..LayerConfig::default()
            }),
            RateLimiter::new(100, 100),
        );
        // Each INVITE (404: no B2BUA here) keeps its transaction for 64*T1.
        for i in 0..9 {
            let sent = answers_after(
                &mut t,
                Duration::ZERO,
                &request("INVITE", "", &format!("tt{i}")),
            );
            assert_eq!(status(&sent[0]), 404, "INVITE {i}");
        }
        assert_eq!(t.layer.len(), 9);
        // The tenth would take the last transaction: refused as overload, statelessly.
        let sent = answers_after(&mut t, Duration::ZERO, &request("INVITE", "", "tt9"));
        assert_eq!(status(&sent[0]), 503);
        assert_eq!(t.stats.overload_refused.transactions, 1);
        assert_eq!(t.layer.len(), 9);
        // A BYE still finds its transaction (481 here: no dialog), not a 503.
        let sent = answers_after(&mut t, Duration::ZERO, &request("BYE", "", "tt10"));
        assert_eq!(status(&sent[0]), 481);
        assert_eq!(t.layer.len(), 10);
    }

    #[test]
    fn overloaded_core_refuses_only_new_invites_statelessly() {
        let mut t = Tu::new(
            TransactionLayer::new(LayerConfig::default()),
            RateLimiter::new(100, 100),
        )
        .with_overload(OverloadSettings {
            max_queue_delay: Duration::from_millis(200),
            max_calls_in_setup: 10,
        });
        let late = Duration::from_millis(300);
        // An INVITE accepted before the overload (404 here: no B2BUA)...
        let first = request("INVITE", "", "ov1");
        let sent = answers_after(&mut t, Duration::ZERO, &first);
        assert_eq!(status(&sent[0]), 404);
        let transactions = t.layer.len();
        // ...keeps its transaction: its retransmission gets the same answer, not a 503.
        let again = answers_after(&mut t, late, &first);
        assert_eq!(again.iter().map(|b| status(b)).collect::<Vec<_>>(), [404]);

        let sent = answers_after(&mut t, late, &request("INVITE", "", "ov2"));
        assert_eq!(sent.len(), 1);
        assert_eq!(status(&sent[0]), 503);
        let m = decode_datagram(&sent[0]).unwrap();
        assert_eq!(
            m.header_value(HeaderName::RetryAfter),
            Some(overload::RETRY_AFTER_S.to_string().as_str())
        );
        assert_eq!(
            t.stats.overload_refused,
            overload::RefusedCounts {
                queue_delay: 1,
                calls_in_setup: 0,
                transactions: 0,
            }
        );
        assert_eq!(
            t.layer.len(),
            transactions,
            "no transaction for the refused INVITE"
        );

        // Requests of existing dialogs and other methods are served as usual.
        let in_dialog = String::from_utf8(request("INVITE", "", "ov3"))
            .unwrap()
            .replace("To: <sip:1001@127.0.0.1>", "To: <sip:1001@127.0.0.1>;tag=x");
        // (no B2BUA here, so every INVITE that gets through is a 404)
        assert_eq!(
            status(&answers_after(&mut t, late, in_dialog.as_bytes())[0]),
            404
        );
        assert_eq!(
            status(&answers_after(&mut t, late, &request("BYE", "", "ov4"))[0]),
            481
        );
        assert_eq!(
            status(&answers_after(&mut t, late, &request("OPTIONS", "", "ov5"))[0]),
            200
        );
        assert_eq!(t.stats.overload_refused.total(), 1);
        // Once the queue is short again new INVITEs are taken.
        let sent = answers_after(
            &mut t,
            Duration::from_millis(200),
            &request("INVITE", "", "ov6"),
        );
        assert_eq!(status(&sent[0]), 404);
    }

    #[test]
    fn flooding_source_gets_503_others_are_served() {
        let mut t = tu();
        let mut codes = Vec::new();
        for i in 0..8 {
            codes.push(status(
                &answer(&mut t, &request("OPTIONS", "", &format!("f{i}"))).1,
            ));
        }
        assert_eq!(codes.iter().filter(|c| **c == 200).count(), 5);
        assert_eq!(codes.iter().filter(|c| **c == 503).count(), 3);
        assert_eq!(t.stats.rate_limited, 3);
        let other = Destination {
            addr: "127.0.0.2:5999".parse().unwrap(),
            transport: Transport::Udp,
        };
        t.handle_received(Instant::now(), &request("OPTIONS", "", "o1"), other);
        let mut got = None;
        while let Some(out) = t.layer.poll_output() {
            match out {
                Output::Transmit(tr) => got = Some(tr),
                Output::Event(e) => t.handle_event(Instant::now(), e),
            }
        }
        while let Some(out) = t.layer.poll_output() {
            if let Output::Transmit(tr) = out {
                got = Some(tr);
            }
        }
        assert_eq!(status(&got.unwrap().bytes), 200);
    }
}
