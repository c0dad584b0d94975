//! SIP legs: the adapters between one SIP dialog and the call. A [`UasLeg`] is the dialog an
//! incoming INVITE makes (its server transaction, 180/200, 2xx retransmission until the ACK,
//! session timer as UAS); a [`UacLeg`] is the dialog of an INVITE we send (digest retry, ACK,
//! CANCEL, a late 2xx hung up, session refresh as UAC). Both share a [`DialogLeg`]: the
//! confirmed dialog and what runs in it (in-dialog requests and responses, BYE, our
//! re-INVITE, the leg's SDP and negotiated media).
//!
//! Legs build and send SIP; they take time as an argument and know nothing of the other leg,
//! the relay or the call core. Which leg is the room and which the upstream is the driver's
//! business ([`crate::call::Calls`]), so a PBX trunk could later be the UAC side toward a room.

use std::time::{Duration, Instant};

use roomgate_core::media_spec::MediaSpec;
use roomgate_sip::dialog::{Body, Dialog, DialogError, InDialogRequest, ResponseOutcome, ViaHop};
use roomgate_sip::sdp::{Direction, SessionDescription};
use roomgate_sip::transaction::{
    Destination, Outgoing, Received, TransactionId, TransactionLayer, Transport,
};
use roomgate_sip::{HeaderName, Message, Method, OwnedMessage};

pub(crate) mod sdp_map;
#[cfg(test)]
mod tests;
mod uac;
mod uas;

pub(crate) use uac::{late_answer, Caller, UacEvent, UacLeg};
mod ids;
pub(crate) mod path;
pub use ids::Ids;
pub(crate) use uas::UasLeg;

pub(crate) const SERVER: &str = concat!("Roomgate/", env!("CARGO_PKG_VERSION"));
pub(crate) const ALLOW: &str = "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO";
pub(crate) const SDP: &str = "application/sdp";
/// Key presses in INFO bodies (`Signal=`, `Duration=`).
pub(crate) const DTMF_RELAY: &str = "application/dtmf-relay";
/// Largest SDP body we parse (bodies larger than this are refused with 488).
pub const MAX_SDP: usize = 16 * 1024;

pub(crate) fn hop(host: &str, transport: Transport) -> ViaHop {
    ViaHop::new(transport, host.to_owned())
}

/// Our Contact for a leg on `transport`.
pub(crate) fn contact(host: &str, transport: Transport) -> String {
    match transport {
        Transport::Tls => format!("<sip:roomgate@{host};transport=tls>"),
        Transport::Tcp => format!("<sip:roomgate@{host};transport=tcp>"),
        _ => format!("<sip:roomgate@{host}>"),
    }
}

/// The SDP of a message: None without a body; why not when the body is not SDP we read.
pub(crate) fn body_sdp(msg: &Message<'_>) -> Result<Option<SessionDescription>, &'static str> {
    if msg.body.is_empty() {
        return Ok(None);
    }
    let is_sdp = msg.content_type().ok().flatten().is_some_and(|c| {
        c.kind.eq_ignore_ascii_case("application") && c.subtype.eq_ignore_ascii_case("sdp")
    });
    if !is_sdp {
        return Err("body is not application/sdp");
    }
    if msg.body.len() > MAX_SDP {
        return Err("SDP body too large");
    }
    SessionDescription::parse(msg.body)
        .map(Some)
        .map_err(|_| "malformed SDP")
}

/// Why a request could not be turned into a call (mapped to a status at the edge).
pub(crate) struct Refusal {
    pub code: u16,
    pub reason: &'static str,
    pub retry_after: Option<u32>,
    pub warning: Option<String>,
}

impl Refusal {
    pub(crate) fn new(code: u16, reason: &'static str) -> Self {
        Refusal {
            code,
            reason,
            retry_after: None,
            warning: None,
        }
    }
}

/// Sends `resp` on server transaction `tx`; a transaction already gone is only logged.
pub(crate) fn respond(
    layer: &mut TransactionLayer,
    now: Instant,
    tx: TransactionId,
    resp: &OwnedMessage,
) {
    match Outgoing::encode(resp) {
        Ok(resp) => respond_encoded(layer, now, tx, &resp),
        Err(e) => tracing::debug!(error = %e, "response not sent"),
    }
}

/// [`respond`] with a response encoded already (its decode shared with the dialog).
pub(crate) fn respond_encoded(
    layer: &mut TransactionLayer,
    now: Instant,
    tx: TransactionId,
    resp: &Outgoing,
) {
    if let Err(e) = layer.send_encoded_response(now, tx, resp) {
        tracing::debug!(error = %e, "response not sent");
    }
}

/// A response to `request` with our Server header and the Via stamped with its real source.
pub(crate) fn response(
    request: &Received,
    code: u16,
    reason: &str,
    tag: Option<&str>,
) -> Option<OwnedMessage> {
    let msg = request.message().ok()?;
    let mut resp = msg.response_to(code, reason, tag);
    crate::sip::tu::stamp_top_via(&mut resp, msg, request.source.addr);
    Some(resp.with(HeaderName::Server, SERVER))
}

/// The response that refuses `request`, with To tag `tag`.
pub(crate) fn refusal_response(request: &Received, r: Refusal, tag: &str) -> Option<OwnedMessage> {
    let mut resp = response(request, r.code, r.reason, Some(tag))?;
    if let Some(s) = r.retry_after {
        resp.push(HeaderName::RetryAfter, s);
    }
    if let Some(w) = r.warning {
        resp.push(
            HeaderName::Warning,
            format_args!("399 roomgate \"{}\"", w.replace(['"', '\\'], "'")),
        );
    }
    Some(resp)
}

/// Refuses `request` outside any dialog of ours.
pub(crate) fn refuse(
    layer: &mut TransactionLayer,
    now: Instant,
    tx: TransactionId,
    request: &Received,
    r: Refusal,
    tag: &str,
) {
    if let Some(resp) = refusal_response(request, r, tag) {
        respond(layer, now, tx, &resp);
    }
}

/// Where the wait for the ACK of a 2xx of ours stands after its timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AckWait {
    /// Still waiting (the 2xx went again if it was due), or not waiting at all.
    Waiting,
    /// No ACK within 64*T1: the dialog is over (RFC 3261 §13.3.1.4).
    GaveUp,
}

/// Our 2xx to an INVITE while its ACK is awaited. Over UDP the INVITE server transaction
/// leaves 2xx retransmission to us (RFC 6026), for the dialog-making INVITE and every
/// re-INVITE alike: a peer whose 2xx was lost would otherwise wait for a session change
/// that never comes.
pub(crate) struct Retransmit {
    at: Instant,
    interval: Duration,
    until: Instant,
    tx: TransactionId,
    /// Encoded once: each retransmission sends these bytes again without a new decode.
    response: Outgoing,
}

/// The longest gap between two retransmissions of a 2xx (T2, RFC 3261 §13.3.1.4).
const T2: Duration = Duration::from_secs(4);

impl Retransmit {
    pub(crate) fn new(now: Instant, t1: Duration, tx: TransactionId, response: Outgoing) -> Self {
        Retransmit {
            at: now + t1,
            interval: t1,
            until: now + t1 * 64,
            tx,
            response,
        }
    }

    pub(crate) fn due(&self) -> Instant {
        self.at
    }

    /// Sends the 2xx again when due; GaveUp once 64*T1 passed without the ACK.
    pub(crate) fn on_timer(&mut self, layer: &mut TransactionLayer, now: Instant) -> AckWait {
        if self.at > now {
            return AckWait::Waiting;
        }
        if now >= self.until {
            return AckWait::GaveUp;
        }
        self.interval = (self.interval * 2).min(T2);
        self.at = now + self.interval;
        respond_encoded(layer, now, self.tx, &self.response);
        AckWait::Waiting
    }
}

/// Whether `r` is a 2xx to an INVITE (its ACK is ours to wait for).
fn is_invite_2xx(r: &OwnedMessage) -> bool {
    let success = matches!(r.start, roomgate_sip::OwnedStartLine::Response { code, .. } if (200..300).contains(&code));
    success
        && r.headers.iter().any(|(n, v)| {
            HeaderName::from_wire(n) == HeaderName::CSeq
                && v.trim_end().rsplit(' ').next() == Some("INVITE")
        })
}

/// What a response to a request we sent in a dialog meant.
#[derive(Debug, Default)]
pub(crate) struct InDialogAnswer {
    /// The SDP answer of a 2xx to our re-INVITE (when asked for and readable).
    pub answer: Option<SessionDescription>,
    /// A failure that ended the dialog (RFC 3261 §12.2.1.2).
    pub dialog_ended: bool,
}

/// The part of a SIP leg that is the same whichever side made the dialog: the dialog once
/// confirmed, the leg's SDP and negotiated media, and its session-timer expiry.
pub(crate) struct DialogLeg {
    pub dialog: Option<Dialog>,
    /// Where in-dialog requests go (the room's source; the upstream's resolved address).
    pub dest: Option<Destination>,
    /// Our last offer or answer on this leg.
    pub local_sdp: Option<SessionDescription>,
    pub streams: MediaSpec,
    pub sdp_version: u64,
    /// The direction this leg last asked for.
    pub direction: Direction,
    /// RFC 4028: when the session dies without a refresh.
    pub expires_at: Option<Instant>,
    pub timer_interval: Option<u32>,
    /// Tags, branches and cnonces of this leg.
    pub(crate) ids: Ids,
    /// Our 2xx to the peer's re-INVITE until its ACK.
    reinvite_ok: Option<Retransmit>,
}

impl DialogLeg {
    pub(crate) fn new(dest: Option<Destination>, direction: Direction, ids: Ids) -> Self {
        DialogLeg {
            ids,
            dialog: None,
            dest,
            local_sdp: None,
            streams: MediaSpec::default(),
            sdp_version: 1,
            direction,
            expires_at: None,
            timer_interval: None,
            reinvite_ok: None,
        }
    }

    pub(crate) fn transport(&self) -> Transport {
        self.dest.map_or(Transport::Udp, |d| d.transport)
    }

    /// Sends a response to a request in this dialog; the dialog learns of it, so a refused
    /// re-INVITE no longer counts as pending (the next one would get 500). A 2xx to a
    /// re-INVITE goes again every `t1` (doubling) over UDP until its ACK.
    pub(crate) fn respond(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        t1: Duration,
        tx: TransactionId,
        r: OwnedMessage,
    ) {
        let out = match Outgoing::encode(&r) {
            Ok(out) => out,
            Err(e) => {
                tracing::debug!(error = %e, "response not sent");
                return;
            }
        };
        if let Some(d) = self.dialog.as_mut() {
            let _ = d.on_encoded_response_sent(&out);
        }
        respond_encoded(layer, now, tx, &out);
        if is_invite_2xx(&r) && self.transport() == Transport::Udp {
            self.reinvite_ok = Some(Retransmit::new(now, t1, tx, out));
        }
    }

    /// An ACK in this dialog: `(answer_due, has_body)` when it acknowledges our 2xx (its
    /// retransmissions stop), None when the dialog has no 2xx of ours waiting for it.
    pub(crate) fn on_ack(&mut self, msg: &Message<'_>) -> Option<(bool, bool)> {
        let dialog = self.dialog.as_mut()?;
        let Ok(InDialogRequest::Ack {
            answer_due,
            has_body,
        }) = dialog.on_request(msg)
        else {
            return None;
        };
        self.reinvite_ok = None;
        Some((answer_due, has_body))
    }

    /// Retransmits our 2xx to a re-INVITE when due.
    pub(crate) fn on_timer(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        call: u64,
    ) -> AckWait {
        let Some(rt) = self.reinvite_ok.as_mut() else {
            return AckWait::Waiting;
        };
        let wait = rt.on_timer(layer, now);
        if wait == AckWait::GaveUp {
            self.reinvite_ok = None;
            tracing::info!(call, "peer never acknowledged our 2xx to its re-INVITE");
        }
        wait
    }

    /// When our 2xx to a re-INVITE is due again.
    pub(crate) fn retransmit_due(&self) -> Option<Instant> {
        self.reinvite_ok.as_ref().map(Retransmit::due)
    }

    /// A request that came in this leg's dialog: what it is, or None when it was refused here
    /// (no dialog yet: 481; out of order or glare: the dialog's status). A BYE is answered
    /// 200 here, since the dialog is over whatever the call does about it.
    pub(crate) fn on_request(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        tx: TransactionId,
        request: &Received,
        msg: &Message<'_>,
    ) -> Option<InDialogRequest> {
        let Some(dialog) = self.dialog.as_mut() else {
            let r = Refusal::new(481, "Call/Transaction Does Not Exist");
            let tag = self.ids.hex(6);
            refuse(layer, now, tx, request, r, &tag);
            return None;
        };
        match dialog.on_request(msg) {
            Ok(InDialogRequest::Bye) => {
                if let Some(r) = response(request, 200, "OK", None) {
                    respond(layer, now, tx, &r);
                }
                Some(InDialogRequest::Bye)
            }
            Ok(k) => Some(k),
            Err(e) => {
                let retry_after = roomgate_sip::dialog::retry_after_range(&e)
                    .map_or(0, |r| self.ids.below(r.end().saturating_add(1)));
                refuse_dialog_error(layer, now, tx, request, &e, retry_after);
                None
            }
        }
    }

    /// Session refresh: a re-INVITE or UPDATE from the refresher restarts the clock. True
    /// when the leg has a session timer (its deadline moved).
    pub(crate) fn refreshed(&mut self, now: Instant) -> bool {
        match self.timer_interval {
            Some(i) => {
                self.expires_at = Some(now + Duration::from_secs(u64::from(i)));
                true
            }
            None => false,
        }
    }

    /// A response to a request we sent in this dialog; a 2xx to a re-INVITE is acknowledged,
    /// and its SDP answer read when `want_answer`.
    pub(crate) fn on_response(
        &mut self,
        layer: &mut TransactionLayer,
        host: &str,
        msg: &Message<'_>,
        code: u16,
        want_answer: bool,
    ) -> InDialogAnswer {
        let mut out = InDialogAnswer::default();
        let ack_needed =
            (200..300).contains(&code) && msg.cseq().is_ok_and(|c| c.method == Method::Invite);
        let transport = self.transport();
        let dest = self.dest;
        let Some(dialog) = self.dialog.as_mut() else {
            return out;
        };
        let outcome = dialog.on_response(msg);
        if ack_needed {
            let hop = hop(host, transport);
            if let Ok(ack) = dialog.build_ack(msg, &hop, &self.ids.branch(), None) {
                if let Some(dest) = dest {
                    layer.send_stateless(dest, ack.to_bytes());
                }
            }
            if want_answer {
                out.answer = body_sdp(msg).ok().flatten();
            }
        }
        out.dialog_ended = matches!(outcome, Ok(ResponseOutcome::Ended)) && code >= 300;
        out
    }

    /// Our re-INVITE carrying `sdp` (a direction change crossing the bridge). None when the
    /// dialog cannot take one now or it could not be sent.
    pub(crate) fn reinvite(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        host: &str,
        call: u64,
        sdp: SessionDescription,
    ) -> Option<TransactionId> {
        let dest = self.dest?;
        let hop = hop(host, self.transport());
        let dialog = self.dialog.as_mut()?;
        if !dialog.can_reinvite() {
            tracing::debug!(
                call,
                "re-INVITE in progress; direction change not mirrored now"
            );
            return None;
        }
        let bytes = sdp.to_bytes();
        let body = Body {
            content_type: SDP,
            bytes: &bytes,
        };
        let req = match dialog.build_request(Method::Invite, &hop, &self.ids.branch(), Some(body)) {
            Ok(r) => r,
            Err(e) => {
                tracing::debug!(call, error = %e, "mirror re-INVITE not built");
                return None;
            }
        };
        self.local_sdp = Some(sdp);
        match layer.send_request(now, req, dest) {
            Ok(tx) => Some(tx),
            Err(e) => {
                tracing::debug!(call, error = %e, "mirror re-INVITE not sent");
                None
            }
        }
    }

    /// An INFO carrying a key press (`application/dtmf-relay` `body`): its transaction.
    pub(crate) fn info(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        host: &str,
        call: u64,
        body: &str,
    ) -> Option<TransactionId> {
        let (Some(dialog), Some(dest)) = (self.dialog.as_mut(), self.dest) else {
            return None;
        };
        let hop = hop(host, dest.transport);
        let body = Body {
            content_type: DTMF_RELAY,
            bytes: body.as_bytes(),
        };
        match dialog.build_request(Method::Info, &hop, &self.ids.branch(), Some(body)) {
            Ok(info) => layer.send_request(now, info, dest).ok(),
            Err(e) => {
                tracing::debug!(call, error = %e, "no INFO");
                None
            }
        }
    }

    /// Hangs the dialog up (with an RFC 3326 `reason` when given): the BYE's transaction.
    pub(crate) fn bye(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        host: &str,
        call: u64,
        reason: Option<&str>,
    ) -> Option<TransactionId> {
        let (Some(dialog), Some(dest)) = (self.dialog.as_mut(), self.dest) else {
            return None;
        };
        let hop = hop(host, dest.transport);
        match dialog.build_request(Method::Bye, &hop, &self.ids.branch(), None) {
            Ok(mut bye) => {
                if let Some(r) = reason {
                    bye.push(HeaderName::Reason, r);
                }
                layer.send_request(now, bye, dest).ok()
            }
            Err(e) => {
                tracing::debug!(call, error = %e, "no BYE");
                None
            }
        }
    }
}

/// Refuses a request the dialog refused, through the shared [`roomgate_sip::dialog::refuse`]:
/// its status with the headers that status needs (Retry-After drawn at random within the
/// RFC 3261 §14.2 range, Unsupported for 420, Min-SE for 422).
fn refuse_dialog_error(
    layer: &mut TransactionLayer,
    now: Instant,
    tx: TransactionId,
    request: &Received,
    e: &DialogError,
    retry_after: u32,
) {
    let Ok(msg) = request.message() else {
        return;
    };
    let Some(mut r) = roomgate_sip::dialog::refuse(msg, e, None, retry_after) else {
        return;
    };
    crate::sip::tu::stamp_top_via(&mut r, msg, request.source.addr);
    r.push(HeaderName::Server, SERVER);
    respond(layer, now, tx, &r);
}
