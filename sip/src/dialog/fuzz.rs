//! Fuzz entry for dialogs: the input picks how a dialog is created (UAC or UAS, route set
//! shape), then runs a program of operations on it — received in-dialog requests and
//! responses built from templates the input mutates, raw bytes, requests and responses we
//! send, and the session timer and 100rel helpers on whatever arrived. A cargo-fuzz target is
//! a three-line shim around [`fuzz_dialog`].
//!
//! Invariants checked (a failed check panics, which is what the fuzzer looks for):
//! - nothing panics, whatever the bytes;
//! - the local CSeq only grows, strictly with every request built, never past 2**31 - 1,
//!   and a refused build leaves it alone; the remote CSeq never goes down;
//! - the dialog state only moves forward (early → confirmed → terminated), and nothing is
//!   built on a terminated dialog but the ACK of a 2xx;
//! - every message the dialog builds decodes with our parser;
//! - the route set stays within [`MAX_ROUTE_SET_LEN`], and a glare retry time within the
//!   §14.1 range;
//! - the work is bounded: at most [`MAX_OPS`] operations, [`MAX_KEPT`] remembered messages.
//!
//! The only clock read is one `Instant::now()` as the origin for deadline arithmetic:
//! `Instant` has no other constructor, and only offsets from it matter.

use std::time::Instant;

use super::prack::{check_required, is_reliable_provisional};
use super::session_timer::{on_422, uac_negotiated, uas_answer, SessionTimerConfig};
use super::{
    dialog_response, glare_retry_range, refuse, status_for, Body, Dialog, DialogState, ViaHop,
    MAX_ROUTE_SET_LEN,
};
use crate::header_name::HeaderName;
use crate::headers::MAX_CSEQ;
use crate::message::Message;
use crate::method::Method;
use crate::owned::OwnedMessage;
use crate::transaction::Transport;

/// Operations per input at most.
pub const MAX_OPS: usize = 256;
/// Sent requests and received requests remembered for answering, each.
pub const MAX_KEPT: usize = 8;

const PEER_METHODS: [&str; 10] = [
    "INVITE", "ACK", "BYE", "UPDATE", "INFO", "PRACK", "CANCEL", "OPTIONS", "NOTIFY", "REFER",
];
const OUR_METHODS: [Method<'static>; 8] = [
    Method::Invite,
    Method::Update,
    Method::Info,
    Method::Bye,
    Method::Options,
    Method::Notify,
    Method::Ack,
    Method::Prack,
];
const CODES: [u16; 12] = [100, 180, 183, 200, 202, 408, 422, 481, 486, 487, 491, 500];
const SDP: &[u8] = b"v=0\r\no=- 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";

const CALL_ID: &str = "fuzz@192.0.2.9";
const OUR_TAG: &str = "ours";
const PEER_TAG: &str = "peer";

/// What the run reached, so the smoke test can tell the fuzzer gets past the checks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FuzzStats {
    pub created: u64,
    pub requests_accepted: u64,
    pub requests_refused: u64,
    pub responses_applied: u64,
    pub built: u64,
    pub confirmed: u64,
    pub terminated: u64,
}

struct Reader<'a> {
    data: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let b = self.data.get(self.at).copied();
        self.at += 1;
        b
    }

    fn bytes(&mut self, n: usize) -> &[u8] {
        let end = self.at.saturating_add(n).min(self.data.len());
        let out = self.data.get(self.at..end).unwrap_or_default();
        self.at = end;
        out
    }
}

fn pick<T: Clone>(items: &[T], b: u8) -> Option<T> {
    items.get(usize::from(b) % items.len().max(1)).cloned()
}

fn sdp(on: bool) -> Option<Body<'static>> {
    on.then_some(Body {
        content_type: "application/sdp",
        bytes: SDP,
    })
}

fn hop(b: u8) -> ViaHop {
    let transport = if b & 1 == 0 {
        Transport::Udp
    } else {
        Transport::Tls
    };
    ViaHop::new(transport, "192.0.2.9:5060")
}

/// Record-Route fields of the dialog-creating message, shaped by `b`.
fn record_routes(b: u8) -> Vec<&'static str> {
    match b % 4 {
        0 => vec![],
        1 => vec!["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"],
        2 => vec![
            "<sip:strict.example.com;method=INVITE>",
            "<sip:p1.example.com;lr>",
        ],
        _ => vec!["<sip:p1.example.com;lr>, <sip:strict.example.com;maddr=192.0.2.5>"],
    }
}

/// The dialog-creating INVITE: ours (UAC) or the peer's (UAS).
fn initial_invite(we_are_uac: bool, b: u8) -> OwnedMessage {
    let (from, to) = if we_are_uac {
        (
            format!("<sip:gw@192.0.2.9>;tag={OUR_TAG}"),
            "<sip:room@example.com>".to_owned(),
        )
    } else {
        (
            format!("<sip:room@example.com>;tag={PEER_TAG}"),
            "<sip:gw@192.0.2.9>".to_owned(),
        )
    };
    let mut msg = OwnedMessage::request(
        "INVITE",
        if b & 8 != 0 {
            "sips:room@example.com"
        } else {
            "sip:room@example.com"
        },
    )
    .with(HeaderName::Via, "SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKinit")
    .with(HeaderName::From, from)
    .with(HeaderName::To, to)
    .with(HeaderName::CallId, CALL_ID)
    .with(
        HeaderName::CSeq,
        format_args!("{} INVITE", u32::from(b) * 3 + 1),
    )
    .with(HeaderName::Contact, "<sip:contact@192.0.2.1:5062>");
    if !we_are_uac {
        for rr in record_routes(b >> 4) {
            msg.push(HeaderName::RecordRoute, rr);
        }
    }
    if b & 4 != 0 {
        msg = msg.with_body("application/sdp", SDP);
    }
    msg
}

fn create(r: &mut Reader<'_>) -> Option<Dialog> {
    let b = r.byte()?;
    let c = r.byte().unwrap_or(0);
    let we_are_uac = b & 1 == 0;
    let code = if b & 2 == 0 { 180 } else { 200 };
    let transport = if c & 1 == 0 {
        Transport::Udp
    } else {
        Transport::Tls
    };
    let invite = initial_invite(we_are_uac, b);
    let invite_bytes = invite.to_bytes();
    let invite = crate::decode_datagram(&invite_bytes).ok()?;
    if we_are_uac {
        let mut resp = invite.response_to(code, "R", Some(PEER_TAG));
        for rr in record_routes(c >> 4) {
            resp.push(HeaderName::RecordRoute, rr);
        }
        resp.push(HeaderName::Contact, "<sip:far@198.51.100.7:5070>");
        if code == 200 && c & 2 != 0 {
            resp = resp.with_body("application/sdp", SDP);
        }
        let bytes = resp.to_bytes();
        let resp = crate::decode_datagram(&bytes).ok()?;
        Dialog::uac(&invite, &resp, transport).ok()
    } else {
        let mut resp = dialog_response(&invite, code, "R", OUR_TAG, "<sip:gw@192.0.2.9:5060>");
        if c & 2 != 0 {
            resp = resp.with_body("application/sdp", SDP);
        }
        Dialog::uas(&invite, &resp, transport).ok()
    }
}

/// A request from the peer in the dialog, shaped by three bytes.
fn peer_request(dialog: &Dialog, m: u8, b: u8, c: u8) -> OwnedMessage {
    let method = pick(&PEER_METHODS, m).unwrap_or("INFO");
    let remote = i64::from(dialog.remote_cseq().unwrap_or(1));
    // Mostly the next CSeq, sometimes older, equal or far ahead.
    let cseq = match b % 8 {
        0 => remote - 1,
        1 => remote,
        2 => remote + 1000,
        3 => i64::from(dialog.initial_invite_cseq),
        _ => remote + 1,
    }
    .clamp(0, i64::from(MAX_CSEQ));
    let to_tag = if c & 0x10 != 0 { "other" } else { OUR_TAG };
    let mut msg = OwnedMessage::request(method, "sip:gw@192.0.2.9:5060")
        .with(
            HeaderName::Via,
            "SIP/2.0/UDP 198.51.100.7:5070;branch=z9hG4bKpeer",
        )
        .with(
            HeaderName::From,
            format_args!("<sip:room@example.com>;tag={PEER_TAG}"),
        )
        .with(
            HeaderName::To,
            format_args!("<sip:gw@192.0.2.9>;tag={to_tag}"),
        )
        .with(HeaderName::CallId, CALL_ID)
        .with(HeaderName::CSeq, format_args!("{cseq} {method}"));
    if c & 0x20 == 0 {
        msg.push(
            HeaderName::Contact,
            format_args!("<sip:far{}@198.51.100.7:5070>", c % 4),
        );
    }
    if c & 0x40 != 0 {
        msg.push(
            HeaderName::Require,
            if c & 1 == 0 { "100rel" } else { "timer" },
        );
        msg.push(HeaderName::SessionExpires, u32::from(b) * 8);
    }
    if c & 0x80 != 0 {
        msg = msg.with_body("application/sdp", SDP);
    }
    msg
}

/// Overwrites one byte of `bytes` (the mutation of a template).
fn mutate(bytes: &mut [u8], at: u8, value: u8) {
    let len = bytes.len();
    if let Some(byte) = bytes.get_mut(usize::from(at) * 5 % len.max(1)) {
        *byte = value;
    }
}

struct Run {
    dialog: Dialog,
    sent: Vec<OwnedMessage>,
    received: Vec<Vec<u8>>,
    stats: FuzzStats,
    origin: Instant,
    config: SessionTimerConfig,
}

fn keep<T>(list: &mut Vec<T>, item: T) {
    if list.len() >= MAX_KEPT {
        list.remove(0);
    }
    list.push(item);
}

impl Run {
    fn receive_request(&mut self, bytes: Vec<u8>) {
        let Ok(msg) = crate::decode_datagram(&bytes) else {
            return;
        };
        self.helpers(&msg);
        match self.dialog.on_request(&msg) {
            Ok(_) => {
                self.stats.requests_accepted += 1;
                keep(&mut self.received, bytes);
            }
            Err(e) => {
                self.stats.requests_refused += 1;
                let _ = status_for(&e);
                if let Some(resp) = refuse(&msg, &e, Some(OUR_TAG), 7) {
                    assert!(
                        crate::decode_datagram(&resp.to_bytes()).is_ok(),
                        "a refusal does not decode"
                    );
                }
            }
        }
    }

    fn receive_response(&mut self, bytes: &[u8]) {
        let Ok(msg) = crate::decode_datagram(bytes) else {
            return;
        };
        self.helpers(&msg);
        if self.dialog.on_response(&msg).is_ok() {
            self.stats.responses_applied += 1;
        }
        if msg
            .status_line()
            .is_some_and(|s| (200..300).contains(&s.code))
        {
            self.build_checked(|d| d.build_ack(&msg, &hop(0), "z9hG4bKack", None), true);
        }
    }

    /// The 100rel and session timer helpers must not panic on anything that arrives.
    fn helpers(&self, msg: &Message<'_>) {
        let _ = check_required(msg);
        let _ = is_reliable_provisional(msg);
        let _ = uac_negotiated(msg);
        if let Ok(Some(n)) = uas_answer(msg, &self.config) {
            let d = n.negotiated().deadlines(self.origin);
            assert!(d.give_up_at >= self.origin, "give-up before now");
            assert!(
                d.refresh_at.is_none_or(|r| r <= d.give_up_at),
                "refresh after give-up"
            );
        }
        let _ = on_422(msg, 90, &self.config);
    }

    /// Builds with `f` and checks the CSeq, state and decoding invariants around it.
    fn build_checked(
        &mut self,
        f: impl FnOnce(&mut Dialog) -> Result<OwnedMessage, super::DialogError>,
        is_ack: bool,
    ) {
        let before = self.dialog.local_cseq();
        let terminated = self.dialog.state() == DialogState::Terminated;
        let result = f(&mut self.dialog);
        let after = self.dialog.local_cseq();
        match result {
            Ok(msg) => {
                self.stats.built += 1;
                assert!(
                    crate::decode_datagram(&msg.to_bytes()).is_ok(),
                    "built message does not decode"
                );
                if is_ack {
                    assert_eq!(before, after, "ACK changed the local CSeq");
                } else {
                    assert!(!terminated, "request built on a terminated dialog");
                    assert!(after > before, "local CSeq did not grow");
                    assert!(after.is_some_and(|c| c <= MAX_CSEQ), "local CSeq overflow");
                    keep(&mut self.sent, msg);
                }
            }
            Err(_) => assert_eq!(before, after, "a refused build changed the local CSeq"),
        }
    }

    fn step(&mut self, r: &mut Reader<'_>) -> Option<()> {
        let op = r.byte()?;
        let (a, b, c) = (r.byte()?, r.byte()?, r.byte()?);
        match op % 8 {
            // A templated request from the peer, maybe with one byte mutated.
            0 | 1 => {
                let mut bytes = peer_request(&self.dialog, a, b, c).to_bytes();
                if op & 0x80 != 0 {
                    let v = r.byte()?;
                    mutate(&mut bytes, b, v);
                }
                self.receive_request(bytes);
            }
            // A response to one of our requests.
            2 | 3 => {
                let Some(req) = pick(&self.sent, a) else {
                    return Some(());
                };
                let req_bytes = req.to_bytes();
                let req = crate::decode_datagram(&req_bytes).ok()?;
                let code = pick(&CODES, b).unwrap_or(200);
                let mut resp = req.response_to(code, "R", None);
                if c & 1 == 0 {
                    resp.push(
                        HeaderName::Contact,
                        format_args!("<sip:far{}@198.51.100.7>", c % 5),
                    );
                }
                if c & 2 != 0 {
                    resp = resp.with_body("application/sdp", SDP);
                }
                if c & 4 != 0 {
                    resp.push(
                        HeaderName::SessionExpires,
                        format_args!("{};refresher=uac", u32::from(c) * 7),
                    );
                    resp.push(HeaderName::MinSe, u32::from(a) * 3);
                }
                let mut bytes = resp.to_bytes();
                if op & 0x80 != 0 {
                    mutate(&mut bytes, a, c);
                }
                self.receive_response(&bytes);
            }
            // A request we send.
            4 => {
                let method = pick(&OUR_METHODS, a).unwrap_or(Method::Info);
                let branch = format!("z9hG4bK{b}");
                self.build_checked(
                    |d| d.build_request(method, &hop(c), &branch, sdp(c & 2 != 0)),
                    false,
                );
            }
            // Our response to a request the peer sent.
            5 => {
                let Some(req) = pick(&self.received, a) else {
                    return Some(());
                };
                let req = crate::decode_datagram(&req).ok()?;
                let code = pick(&CODES, b).unwrap_or(200);
                let mut resp = dialog_response(&req, code, "R", OUR_TAG, "<sip:gw@192.0.2.9>");
                if c & 1 != 0 {
                    resp = resp.with_body("application/sdp", SDP);
                }
                let _ = self.dialog.on_response_sent(&resp);
            }
            // Raw bytes, as a request or a response.
            6 => {
                let raw = r.bytes(usize::from(a)).to_vec();
                if crate::decode_datagram(&raw).is_ok_and(|m| m.is_request()) {
                    self.receive_request(raw);
                } else {
                    self.receive_response(&raw);
                }
            }
            // Glare retry times, and local termination now and then.
            _ => {
                let at = self
                    .dialog
                    .glare_retry_at(self.origin, u32::from_le_bytes([a, b, c, op]));
                let owner = self.dialog.role() == super::Role::Uac;
                assert!(
                    glare_retry_range(owner).contains(&(at - self.origin)),
                    "glare retry out of range"
                );
                if a == 0xff && b == 0xff {
                    self.dialog.terminate();
                }
            }
        }
        Some(())
    }
}

/// Runs one fuzz input and returns what it reached.
pub fn run(data: &[u8]) -> FuzzStats {
    let mut r = Reader { data, at: 0 };
    let Some(dialog) = create(&mut r) else {
        return FuzzStats::default();
    };
    let mut run = Run {
        dialog,
        sent: Vec::new(),
        received: Vec::new(),
        stats: FuzzStats {
            created: 1,
            ..FuzzStats::default()
        },
        origin: Instant::now(),
        config: SessionTimerConfig::default(),
    };
    for _ in 0..MAX_OPS {
        let state = run.dialog.state();
        let remote = run.dialog.remote_cseq();
        let local = run.dialog.local_cseq();
        if run.step(&mut r).is_none() {
            break;
        }
        let d = &run.dialog;
        assert!(d.state() >= state, "dialog state went backwards");
        assert!(
            remote.is_none() || d.remote_cseq() >= remote,
            "remote CSeq went down"
        );
        assert!(
            local.is_none() || d.local_cseq() >= local,
            "local CSeq went down"
        );
        assert!(d.route_set().entries().len() <= MAX_ROUTE_SET_LEN);
        assert!(run.sent.len() <= MAX_KEPT && run.received.len() <= MAX_KEPT);
    }
    match run.dialog.state() {
        DialogState::Early => {}
        DialogState::Confirmed => run.stats.confirmed += 1,
        DialogState::Terminated => run.stats.terminated += 1,
    }
    run.stats
}

/// Runs one fuzz input (the cargo-fuzz target's body).
pub fn fuzz_dialog(data: &[u8]) {
    let _ = run(data);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzz_smoke() {
        fuzz_dialog(&[]);
        fuzz_dialog(&[0]);
        let mut x: u32 = 0x9e37_79b9;
        let mut total = FuzzStats::default();
        for len in 0..400 {
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    (x >> 24) as u8
                })
                .collect();
            let s = run(&data);
            total.created += s.created;
            total.requests_accepted += s.requests_accepted;
            total.requests_refused += s.requests_refused;
            total.responses_applied += s.responses_applied;
            total.built += s.built;
            total.confirmed += s.confirmed;
            total.terminated += s.terminated;
        }
        assert!(total.created > 300, "{total:?}");
        assert!(total.requests_accepted > 100, "{total:?}");
        assert!(total.requests_refused > 100, "{total:?}");
        assert!(total.responses_applied > 50, "{total:?}");
        assert!(total.built > 100, "{total:?}");
        assert!(total.confirmed > 10 && total.terminated > 10, "{total:?}");
    }

    #[test]
    fn structured_flow() {
        // A UAS dialog confirmed by our 200 with SDP; the peer's ACK; our re-INVITE with an
        // offer; its 200 with Contact and answer (and our ACK); our BYE.
        let s = run(&[3, 2, 0, 1, 3, 0, 4, 0, 1, 2, 2, 0, 3, 2, 4, 3, 0, 0]);
        assert_eq!(
            s,
            FuzzStats {
                created: 1,
                requests_accepted: 1,
                requests_refused: 0,
                responses_applied: 1,
                built: 3,
                confirmed: 0,
                terminated: 1,
            }
        );
    }

    /// A deterministic soak of generated programs (the fuzz target explores further).
    #[test]
    fn fuzz_soak() {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for i in 0..1_500u32 {
            let len = (i % 700) as usize;
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    (x >> 56) as u8
                })
                .collect();
            fuzz_dialog(&data);
        }
    }
}
