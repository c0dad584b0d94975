//! RFC 3261 §12 dialogs, with what a B2BUA leg needs on top: re-INVITE/UPDATE offer/answer
//! tracking and glare (RFC 3261 §14, RFC 3311), the 100rel decision (RFC 3262) and session
//! timer negotiation (RFC 4028).
//!
//! A [`Dialog`] is a plain value driven by the transaction user: it is created from the
//! INVITE and the response that established it ([`Dialog::uac`], [`Dialog::uas`]), it builds
//! the requests sent inside it ([`Dialog::build_request`], [`Dialog::build_ack`]), and it
//! checks what arrives ([`Dialog::on_request`], [`Dialog::on_response`],
//! [`Dialog::on_response_sent`]). Like the transaction layer it reads no clock and draws no
//! random numbers: branches, tags, `now` and the random part of retry intervals come in as
//! arguments, so every flow is deterministic under test and fuzzable.
//!
//! Faults are typed ([`DialogError`]); only the edge helpers [`status_for`] and [`refuse`]
//! turn them into SIP status codes.
//!
//! The driving contract (a dialog owns no timers, so it has no `poll_timeout`; every call is
//! a synchronous state change the caller sequences with the transaction layer):
//! 1. a request with a To tag → [`DialogSet::on_request`] / [`Dialog::on_request`]; on
//!    `Err`, answer with [`refuse`] (never answer ACK);
//! 2. every response we send in the dialog → [`Dialog::on_response_sent`];
//! 3. every response to our requests → [`Dialog::on_response`]; for a 2xx to INVITE send
//!    [`Dialog::build_ack`]; after [`ResponseOutcome::Glare`] retry no earlier than
//!    [`Dialog::glare_retry_at`];
//! 4. extensions: [`prack::check_required`] before accepting an INVITE (100rel is refused),
//!    [`session_timer`] for Session-Expires, whose deadlines the gateway schedules.
//!
//! ```
//! use roomgate_sip::dialog::{Dialog, ViaHop};
//! use roomgate_sip::transaction::Transport;
//! use roomgate_sip::{decode_datagram, HeaderName, Method, OwnedMessage};
//!
//! let invite = OwnedMessage::request("INVITE", "sip:1001@192.0.2.1")
//!     .with(HeaderName::Via, "SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKdoc1")
//!     .with(HeaderName::From, "<sip:gw@192.0.2.9>;tag=ours")
//!     .with(HeaderName::To, "<sip:1001@192.0.2.1>")
//!     .with(HeaderName::CallId, "doc@192.0.2.9")
//!     .with(HeaderName::CSeq, "1 INVITE")
//!     .with(HeaderName::Contact, "<sip:gw@192.0.2.9>")
//!     .to_bytes();
//! let ok = b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKdoc1\r\n\
//!     From: <sip:gw@192.0.2.9>;tag=ours\r\nTo: <sip:1001@192.0.2.1>;tag=theirs\r\n\
//!     Call-ID: doc@192.0.2.9\r\nCSeq: 1 INVITE\r\nContact: <sip:1001@192.0.2.1:5070>\r\n\
//!     Content-Length: 0\r\n\r\n";
//! let invite = decode_datagram(&invite)?;
//! let mut dialog = Dialog::uac(&invite, &decode_datagram(ok)?, Transport::Udp)?;
//! let hop = ViaHop::new(Transport::Udp, "192.0.2.9");
//! let bye = dialog.build_request(Method::Bye, &hop, "z9hG4bKdoc2", None)?;
//! let bye = bye.to_bytes();
//! let bye = decode_datagram(&bye)?;
//! assert_eq!(bye.request_line().map(|r| r.uri_text), Some("sip:1001@192.0.2.1:5070"));
//! assert_eq!(bye.cseq()?.seq, 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod dialog_set;
#[doc(hidden)]
pub mod fuzz;
mod id;
mod in_dialog;
pub mod prack;
mod reinvite;
mod route_set;
pub mod session_timer;
mod uac;
mod uas;

use std::ops::RangeInclusive;

pub use dialog_set::{DialogSet, DEFAULT_MAX_DIALOGS};
pub use id::DialogId;
pub use in_dialog::{Body, InDialogRequest, ResponseOutcome, ViaHop};
pub use reinvite::{
    glare_retry_at, glare_retry_range, OfferState, PEER_PENDING_RETRY_AFTER, RETRY_GRANULARITY,
};
pub use route_set::{RouteEntry, RouteSet, MAX_ROUTE_SET_LEN};
pub use uas::dialog_response;

use crate::error::{DecodeError, HeaderError};
use crate::header_name::HeaderName;
use crate::message::Message;
use crate::owned::OwnedMessage;

/// Which side of the dialog-creating INVITE we were. The UAC generated the Call-ID, which
/// decides the glare retry interval (RFC 3261 §14.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Uac,
    Uas,
}

/// Dialog states (RFC 3261 §12). They only move forward:
///
/// ```text
///   Early ──2xx──> Confirmed ──BYE / 481 / 408──> Terminated
///     └───────────── non-2xx final, BYE ──────────────┘
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DialogState {
    Early,
    Confirmed,
    Terminated,
}

/// The CSeq number of the first request we send in a dialog whose local sequence is still
/// empty (the UAS side). Any value below 2**31 is allowed (§8.1.1.5); a constant keeps the
/// core deterministic and leaves room for 2**31 - 2 further requests.
pub const INITIAL_LOCAL_CSEQ: u32 = 1;

/// Max-Forwards of the requests we generate (RFC 3261 §8.1.1.6).
pub const MAX_FORWARDS: u8 = 70;

/// One RFC 3261 §12 dialog plus its INVITE/offer-answer bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dialog {
    pub(crate) id: DialogId,
    pub(crate) role: Role,
    pub(crate) state: DialogState,
    /// Our From (UAC) / To (UAS) value without the tag, as a name-addr.
    pub(crate) local_uri: String,
    pub(crate) remote_uri: String,
    /// The URI requests go to (the peer's Contact), as text.
    pub(crate) remote_target: String,
    pub(crate) route_set: RouteSet,
    pub(crate) local_cseq: Option<u32>,
    pub(crate) remote_cseq: Option<u32>,
    /// The Contact we put in target-refresh requests, as a header value.
    pub(crate) local_contact: String,
    pub(crate) secure: bool,
    /// CSeq of the INVITE that created the dialog (its 2xx confirms the dialog).
    pub(crate) initial_invite_cseq: u32,
    pub(crate) session: reinvite::SessionState,
}

impl Dialog {
    pub fn id(&self) -> &DialogId {
        &self.id
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn state(&self) -> DialogState {
        self.state
    }

    /// The URI our requests are sent to (before routing).
    pub fn remote_target(&self) -> &str {
        &self.remote_target
    }

    pub fn route_set(&self) -> &RouteSet {
        &self.route_set
    }

    pub fn local_cseq(&self) -> Option<u32> {
        self.local_cseq
    }

    pub fn remote_cseq(&self) -> Option<u32> {
        self.remote_cseq
    }

    /// Our URI (From of our requests) without tag.
    pub fn local_uri(&self) -> &str {
        &self.local_uri
    }

    /// The peer's URI (To of our requests) without tag.
    pub fn remote_uri(&self) -> &str {
        &self.remote_uri
    }

    pub fn local_contact(&self) -> &str {
        &self.local_contact
    }

    /// RFC 3261 §12.1: a SIPS Request-URI over TLS; the gateway must keep every hop of this
    /// dialog on TLS.
    pub fn is_secure(&self) -> bool {
        self.secure
    }

    /// Whether an INVITE transaction of either side is in progress and what the offer/answer
    /// exchange is waiting for.
    pub fn offer_state(&self) -> OfferState {
        self.session.offer
    }

    /// Whether we may start a re-INVITE now (§14.1: no INVITE in progress either way).
    pub fn can_reinvite(&self) -> bool {
        self.state == DialogState::Confirmed && self.session.invite_idle()
    }

    /// Replaces the Contact sent in later target-refresh requests (e.g. after our address
    /// changed); the peer learns it with the next re-INVITE or UPDATE.
    pub fn set_local_contact(&mut self, contact: impl Into<String>) {
        self.local_contact = contact.into();
    }

    /// Ends the dialog locally (e.g. transaction timeout); it cannot be revived.
    pub fn terminate(&mut self) {
        self.state = DialogState::Terminated;
    }

    /// The earliest time to retry our re-INVITE/UPDATE after a 491 (§14.1), with `random`
    /// as the caller's random draw.
    pub fn glare_retry_at(&self, now: std::time::Instant, random: u32) -> std::time::Instant {
        glare_retry_at(now, self.role == Role::Uac, random)
    }

    pub(crate) fn advance(&mut self, to: DialogState) {
        if to > self.state {
            self.state = to;
        }
    }
}

/// Why a dialog operation failed. Variants fall into three groups: the peer sent something
/// that does not fit the dialog (answered with the status from [`status_for`]), the peer
/// wants something we do not do, and our own misuse of the API (a bug in the caller, mapped
/// to 500 if it ever reaches the edge).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DialogError {
    // --- the peer's message is malformed or does not fit ---
    #[error("malformed header: {0}")]
    Header(#[from] HeaderError),
    #[error("{header} has no tag")]
    MissingTag { header: &'static str },
    #[error("a dialog needs a Contact with one SIP or SIPS URI")]
    MissingContact,
    #[error("the route set has more than {limit} entries")]
    RouteSetTooLong { limit: usize },
    #[error("no such dialog (Call-ID and tags do not match)")]
    UnknownDialog,
    #[error("the dialog is terminated")]
    Terminated,
    #[error("CSeq {received} is below the remote CSeq {remote}")]
    CSeqOutOfOrder { received: u32, remote: u32 },
    #[error("a response to a request we never sent in this dialog (CSeq {cseq})")]
    UnexpectedResponse { cseq: u32 },
    #[error("an ACK that matches no INVITE of this dialog")]
    StrayAck,
    // --- glare (RFC 3261 §14, RFC 3311 §5.2) ---
    #[error("our own INVITE or offer is pending (glare)")]
    RequestPending,
    #[error("the peer's previous INVITE or offer is still unanswered")]
    PeerRequestPending,
    // --- the peer wants what we do not support ---
    #[error("unsupported extensions required: {unsupported:?}")]
    BadExtension { unsupported: Vec<String> },
    #[error("PRACK for a reliable provisional response we never sent")]
    NoReliableProvisional,
    #[error("Session-Expires {requested} s is below our Min-SE {min_se} s")]
    SessionIntervalTooSmall { requested: u32, min_se: u32 },
    #[error("422 asks for Min-SE {min_se} s, which we do not accept (max {limit} s)")]
    UnacceptableMinSe { min_se: u32, limit: u32 },
    // --- our misuse ---
    #[error("this message cannot create a dialog: {0}")]
    NotDialogCreating(&'static str),
    #[error("{0} is not sent with build_request (use build_ack / transaction::build_cancel)")]
    WrongMethod(&'static str),
    #[error("an INVITE transaction is in progress in this dialog")]
    InviteInProgress,
    #[error("the callee may not send BYE on an early dialog (§15): send a final response")]
    ByeOnEarlyDialog,
    #[error("an offer is outstanding; no new offer until it is answered")]
    OfferOutstanding,
    #[error("the local CSeq would pass 2**31 - 1")]
    CSeqExhausted,
    #[error("the message we built does not decode: {0}")]
    Build(#[from] DecodeError),
}

/// The status code that answers a received request refused with `error` (RFC 3261 §12.2.2,
/// §14.2, RFC 3262, RFC 4028). Only the edge calls this; errors that are our own misuse map
/// to 500. ACKs are never answered, whatever this says.
pub fn status_for(error: &DialogError) -> u16 {
    match error {
        DialogError::Header(_)
        | DialogError::MissingTag { .. }
        | DialogError::MissingContact
        | DialogError::RouteSetTooLong { .. } => 400,
        DialogError::UnknownDialog
        | DialogError::Terminated
        | DialogError::StrayAck
        | DialogError::NoReliableProvisional => 481,
        DialogError::RequestPending => 491,
        DialogError::BadExtension { .. } => 420,
        DialogError::SessionIntervalTooSmall { .. } => 422,
        DialogError::CSeqOutOfOrder { .. }
        | DialogError::PeerRequestPending
        | DialogError::UnexpectedResponse { .. }
        | DialogError::UnacceptableMinSe { .. }
        | DialogError::NotDialogCreating(_)
        | DialogError::WrongMethod(_)
        | DialogError::InviteInProgress
        | DialogError::ByeOnEarlyDialog
        | DialogError::OfferOutstanding
        | DialogError::CSeqExhausted
        | DialogError::Build(_) => 500,
    }
}

/// The reason phrase of a status [`status_for`] gives, so a refusal reads as its code says.
pub fn reason_for(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        420 => "Bad Extension",
        422 => "Session Interval Too Small",
        481 => "Call/Transaction Does Not Exist",
        491 => "Request Pending",
        _ => "Server Internal Error",
    }
}

/// The range a Retry-After must be drawn from when refusing with `error` (§14.2 and RFC 3311
/// §5.2: 0 to 10 s), or `None` when the refusal carries none.
pub fn retry_after_range(error: &DialogError) -> Option<RangeInclusive<u32>> {
    matches!(error, DialogError::PeerRequestPending).then_some(PEER_PENDING_RETRY_AFTER)
}

/// The response refusing `request` because of `error`: status from [`status_for`], plus the
/// headers that status needs — Retry-After for [`DialogError::PeerRequestPending`] (the
/// caller's random draw, clamped into [`retry_after_range`]), Unsupported for 420 and Min-SE
/// for 422. `to_tag` is our tag when the request had none. Returns `None` for ACK, which is
/// never answered.
pub fn refuse(
    request: &Message<'_>,
    error: &DialogError,
    to_tag: Option<&str>,
    retry_after: u32,
) -> Option<OwnedMessage> {
    let method = request.request_line()?.method.clone();
    if method == crate::Method::Ack {
        return None;
    }
    let status = status_for(error);
    let mut response = request.response_to(status, reason_for(status), to_tag);
    if let Some(range) = retry_after_range(error) {
        let secs = retry_after.clamp(*range.start(), *range.end());
        response.push(HeaderName::RetryAfter, secs);
    }
    match error {
        DialogError::BadExtension { unsupported } => {
            response.push(HeaderName::Unsupported, unsupported.join(", "));
        }
        DialogError::SessionIntervalTooSmall { min_se, .. } => {
            response.push(HeaderName::MinSe, min_se);
        }
        _ => {}
    }
    Some(response)
}

#[cfg(test)]
mod tests;
