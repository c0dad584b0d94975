//! Requests inside a dialog: building ours (RFC 3261 §12.2.1.1, the 2xx ACK of §13.2.2.4)
//! and checking the peer's (§12.2.2), plus the responses on both sides that move the dialog
//! (§12.2.1.2 target refresh, §13.2.2.4 confirmation, 481/408 termination).

use super::route_set::RouteSet;
use super::uac::contact_target;
use super::{Dialog, DialogError, DialogId, DialogState, Role, INITIAL_LOCAL_CSEQ};
use crate::header_name::HeaderName;
use crate::headers::MAX_CSEQ;
use crate::message::Message;
use crate::method::Method;
use crate::owned::OwnedMessage;
use crate::transaction::Transport;

/// Our Via for one request: transport and sent-by; the branch comes per request from the
/// caller (§8.1.1.7, a fresh `z9hG4bK…` value). `rport` is always asked for (RFC 3581), so
/// answers find us behind NAT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViaHop {
    pub transport: Transport,
    /// `host[:port]`.
    pub sent_by: String,
}

impl ViaHop {
    pub fn new(transport: Transport, sent_by: impl Into<String>) -> Self {
        ViaHop {
            transport,
            sent_by: sent_by.into(),
        }
    }

    /// The Via value with `branch`.
    pub fn value(&self, branch: &str) -> String {
        format!(
            "SIP/2.0/{} {};branch={branch};rport",
            self.transport.as_str(),
            self.sent_by
        )
    }
}

/// A message body to send (SDP offer or answer, or anything else).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Body<'a> {
    pub content_type: &'a str,
    pub bytes: &'a [u8],
}

/// What a received in-dialog request is, once it passed the dialog checks. The caller
/// answers it (except ACK) through the transaction layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InDialogRequest {
    /// The ACK for our 2xx. `answer_due`: our 2xx carried the offer, so this ACK had to carry
    /// the answer; `has_body` tells whether it did (if not, the session should end, §13.2.2.4).
    Ack { answer_due: bool, has_body: bool },
    /// BYE: the dialog is terminated; answer 200.
    Bye,
    /// CANCEL: handled by the transaction layer; no dialog state changes.
    Cancel,
    /// A re-INVITE that may proceed; the remote target is already refreshed.
    ReInvite { offer: bool },
    /// An UPDATE that may proceed; the remote target is already refreshed.
    Update { offer: bool },
    /// Any other request (INFO, OPTIONS, NOTIFY, REFER, MESSAGE …): CSeq recorded.
    Other,
}

/// What a response to one of our requests in this dialog means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponseOutcome {
    Provisional,
    /// 2xx. `retransmission`: a 2xx to an INVITE already answered (re-send the same ACK);
    /// `offer_in_2xx`: the ACK must carry the answer (our INVITE had no offer).
    Success {
        retransmission: bool,
        offer_in_2xx: bool,
    },
    /// 491: glare. Nothing is pending any more; retry at [`Dialog::glare_retry_at`].
    Glare,
    /// Another failure; the dialog goes on (§12.2.1.2, a failed re-INVITE keeps the session).
    Failure {
        code: u16,
    },
    /// The dialog is over: 481/408 to an in-dialog request (§12.2.1.2), a non-2xx final to
    /// the INVITE of an early dialog, or anything arriving after termination.
    Ended,
}

/// Methods whose requests and 2xx responses replace the remote target (§12.2, RFC 3311,
/// RFC 6665, RFC 3515).
fn is_target_refresh(method: &Method<'_>) -> bool {
    matches!(
        method,
        Method::Invite | Method::Update | Method::Subscribe | Method::Notify | Method::Refer
    )
}

fn not_a(what: &'static str) -> DialogError {
    DialogError::Header(crate::error::HeaderError {
        header: "start line",
        what,
    })
}

impl Dialog {
    fn check_id(&self, id: &DialogId) -> Result<(), DialogError> {
        if id.matches(&self.id) {
            Ok(())
        } else {
            Err(DialogError::UnknownDialog)
        }
    }

    /// Builds a request inside the dialog (§12.2.1.1): Request-URI and Route from the route
    /// set and remote target (loose or strict routing), From/To with tags, Call-ID, the next
    /// local CSeq, Contact for target-refresh methods, `body` if any. An INVITE or UPDATE
    /// with a body is an offer and is refused while another exchange is open (§14.1).
    /// Sending BYE terminates the dialog (§15.1.1); the callee may not send one on an early
    /// dialog (§15). ACK and CANCEL are refused here: see
    /// [`Dialog::build_ack`] and [`crate::transaction::build_cancel`] (CANCEL reuses the
    /// INVITE's CSeq and is built from the INVITE itself).
    pub fn build_request(
        &mut self,
        method: Method<'_>,
        hop: &ViaHop,
        branch: &str,
        body: Option<Body<'_>>,
    ) -> Result<OwnedMessage, DialogError> {
        match method {
            Method::Ack => return Err(DialogError::WrongMethod("ACK")),
            Method::Cancel => return Err(DialogError::WrongMethod("CANCEL")),
            // We never receive reliable provisionals (see `prack`), so never PRACK.
            Method::Prack => return Err(DialogError::WrongMethod("PRACK")),
            _ => {}
        }
        if self.state == DialogState::Terminated {
            return Err(DialogError::Terminated);
        }
        if method == Method::Bye && self.role == Role::Uas && self.state == DialogState::Early {
            return Err(DialogError::ByeOnEarlyDialog);
        }
        let is_invite = method == Method::Invite;
        let offer_capable = is_invite || method == Method::Update;
        let offer = offer_capable && body.is_some();
        if offer_capable {
            self.session.check_outgoing(is_invite, offer)?;
        }
        let cseq = match self.local_cseq {
            Some(c) => c.checked_add(1).ok_or(DialogError::CSeqExhausted)?,
            None => INITIAL_LOCAL_CSEQ,
        };
        if cseq > MAX_CSEQ {
            return Err(DialogError::CSeqExhausted);
        }
        let mut msg = self.skeleton(method.as_str(), hop, branch, cseq);
        if is_target_refresh(&method) {
            msg.push(HeaderName::Contact, &self.local_contact);
        }
        if let Some(b) = body {
            msg = msg.with_body(b.content_type, b.bytes);
        }
        // What we send is checked by decoding it (see `Outgoing`).
        crate::transaction::Outgoing::check(&msg)?;
        self.local_cseq = Some(cseq);
        if offer_capable {
            self.session.on_request_sent(is_invite, cseq, offer);
        }
        if method == Method::Bye {
            self.advance(DialogState::Terminated);
        }
        Ok(msg)
    }

    /// Request line, Via, Max-Forwards, From, To, Call-ID, CSeq and Route.
    fn skeleton(&self, method: &str, hop: &ViaHop, branch: &str, cseq: u32) -> OwnedMessage {
        let addressing = self.route_set.addressing(&self.remote_target);
        let mut msg = OwnedMessage::request(method, &addressing.request_uri)
            .with(HeaderName::Via, hop.value(branch))
            .with(HeaderName::MaxForwards, super::MAX_FORWARDS)
            .with(
                HeaderName::From,
                format_args!("{};tag={}", self.local_uri, self.id.local_tag),
            )
            .with(
                HeaderName::To,
                format_args!("{};tag={}", self.remote_uri, self.id.remote_tag),
            )
            .with(HeaderName::CallId, &self.id.call_id)
            .with(HeaderName::CSeq, format_args!("{cseq} {method}"));
        for route in addressing.routes {
            msg.push(HeaderName::Route, route);
        }
        msg
    }

    /// The ACK for a 2xx to one of our INVITEs (§13.2.2.4): a new transaction (`branch`), the
    /// INVITE's CSeq number with method ACK, the dialog's route set; `body` carries the answer
    /// when the offer came in the 2xx. Allowed on a terminated dialog too: a 2xx is always
    /// ACKed, even when a BYE follows.
    pub fn build_ack(
        &mut self,
        response: &Message<'_>,
        hop: &ViaHop,
        branch: &str,
        body: Option<Body<'_>>,
    ) -> Result<OwnedMessage, DialogError> {
        let code = response.status_line().ok_or(not_a("not a response"))?.code;
        let cseq = response.cseq()?;
        self.check_id(&DialogId::for_received_response(response)?)?;
        if !(200..300).contains(&code)
            || cseq.method != Method::Invite
            || self.local_cseq.is_none_or(|l| cseq.seq > l)
        {
            return Err(DialogError::UnexpectedResponse { cseq: cseq.seq });
        }
        let mut msg = self.skeleton("ACK", hop, branch, cseq.seq);
        if let Some(b) = body {
            msg = msg.with_body(b.content_type, b.bytes);
        }
        // What we send is checked by decoding it (see `Outgoing`).
        crate::transaction::Outgoing::check(&msg)?;
        self.session.on_ack_sent(cseq.seq);
        Ok(msg)
    }

    /// Checks a request received in this dialog (§12.2.2) and applies it: CSeq order (500
    /// when lower than the remote CSeq), glare for re-INVITE/UPDATE (491, or 500 with
    /// Retry-After), target refresh, BYE termination. A refused request changes nothing but
    /// the remote CSeq.
    pub fn on_request(&mut self, request: &Message<'_>) -> Result<InDialogRequest, DialogError> {
        let method = request
            .request_line()
            .ok_or(not_a("not a request"))?
            .method
            .clone();
        let id = match DialogId::for_received_request(request) {
            Err(DialogError::MissingTag { .. }) => return Err(DialogError::UnknownDialog),
            other => other?,
        };
        self.check_id(&id)?;
        if self.state == DialogState::Terminated {
            return Err(DialogError::Terminated);
        }
        let cseq = request.cseq()?.seq;
        let has_body = !request.body.is_empty();
        match method {
            Method::Ack => {
                let answer_due = self.session.on_ack(cseq)?;
                return Ok(InDialogRequest::Ack {
                    answer_due,
                    has_body,
                });
            }
            Method::Cancel => return Ok(InDialogRequest::Cancel),
            _ => {}
        }
        // Read everything that can fail before changing state.
        let new_target = if is_target_refresh(&method) {
            contact_target(request)?
        } else {
            None
        };
        let is_invite = method == Method::Invite;
        if (is_invite || method == Method::Update) && new_target.is_none() {
            return Err(DialogError::MissingContact);
        }
        if let Some(remote) = self.remote_cseq {
            if cseq < remote {
                return Err(DialogError::CSeqOutOfOrder {
                    received: cseq,
                    remote,
                });
            }
        }
        self.remote_cseq = Some(cseq);
        let outcome = match method {
            Method::Bye => {
                self.advance(DialogState::Terminated);
                return Ok(InDialogRequest::Bye);
            }
            Method::Prack => return Err(DialogError::NoReliableProvisional),
            Method::Invite | Method::Update => {
                self.session.check_incoming(is_invite, cseq, has_body)?;
                self.session.accept_incoming(is_invite, cseq, has_body);
                if is_invite {
                    InDialogRequest::ReInvite { offer: has_body }
                } else {
                    InDialogRequest::Update { offer: has_body }
                }
            }
            _ => InDialogRequest::Other,
        };
        if let Some(target) = new_target {
            self.remote_target = target;
        }
        Ok(outcome)
    }

    /// A response we are sending to a request of this dialog (the INVITE that created it, a
    /// re-INVITE, an UPDATE …): moves the early dialog to confirmed (2xx) or terminated
    /// (non-2xx final), and closes the peer's INVITE and offer/answer exchanges.
    pub fn on_response_sent(&mut self, response: &OwnedMessage) -> Result<(), DialogError> {
        self.on_encoded_response_sent(&crate::transaction::Outgoing::encode(response)?)
    }

    /// [`Dialog::on_response_sent`] with the response already encoded (and checked), as the
    /// server transaction sends it.
    pub fn on_encoded_response_sent(
        &mut self,
        response: &crate::transaction::Outgoing,
    ) -> Result<(), DialogError> {
        self.apply_sent_response(response.message())
    }

    pub(crate) fn apply_sent_response(&mut self, resp: &Message<'_>) -> Result<(), DialogError> {
        let code = resp.status_line().ok_or(not_a("not a response"))?.code;
        // Our responses carry our tag in To and the peer's in From.
        let id = DialogId::for_received_request(resp)?;
        self.check_id(&id)?;
        let cseq = resp.cseq()?;
        let is_invite = cseq.method == Method::Invite;
        if is_invite || cseq.method == Method::Update {
            self.session
                .on_response_sent(is_invite, cseq.seq, code, !resp.body.is_empty());
        }
        if is_invite && cseq.seq == self.initial_invite_cseq && self.state == DialogState::Early {
            if (200..300).contains(&code) {
                self.advance(DialogState::Confirmed);
            } else if code >= 300 {
                self.advance(DialogState::Terminated);
            }
        }
        Ok(())
    }

    /// A response to one of our requests in this dialog (including the later responses to
    /// the INVITE that created a UAC dialog). A 2xx to the initial INVITE confirms an early
    /// dialog and recomputes its route set (§13.2.2.4); a 2xx to a target refresh replaces
    /// the remote target (§12.2.1.2); 481 and 408 end the dialog.
    pub fn on_response(&mut self, response: &Message<'_>) -> Result<ResponseOutcome, DialogError> {
        let code = response.status_line().ok_or(not_a("not a response"))?.code;
        self.check_id(&DialogId::for_received_response(response)?)?;
        let cseq = response.cseq()?;
        if self.local_cseq.is_none_or(|l| cseq.seq > l) {
            return Err(DialogError::UnexpectedResponse { cseq: cseq.seq });
        }
        if self.state == DialogState::Terminated {
            return Ok(ResponseOutcome::Ended);
        }
        let success = (200..300).contains(&code);
        let is_invite = cseq.method == Method::Invite;
        let confirms =
            is_invite && cseq.seq == self.initial_invite_cseq && self.state == DialogState::Early;
        // Read everything that can fail before changing state.
        let new_target = if is_target_refresh(&cseq.method) && (success || (confirms && code > 100))
        {
            contact_target(response)?
        } else {
            None
        };
        if is_invite && success && new_target.is_none() {
            return Err(DialogError::MissingContact);
        }
        let new_routes = if confirms && success {
            Some(RouteSet::from_record_route(
                &response.record_routes()?,
                true,
            )?)
        } else {
            None
        };
        let retransmission = is_invite && success && self.session.local_invite != Some(cseq.seq);
        if retransmission {
            return Ok(ResponseOutcome::Success {
                retransmission,
                offer_in_2xx: false,
            });
        }
        let offer_in_2xx = if is_invite || cseq.method == Method::Update {
            self.session
                .on_response(is_invite, cseq.seq, code, !response.body.is_empty())
        } else {
            false
        };
        if let Some(target) = new_target {
            self.remote_target = target;
        }
        if let Some(routes) = new_routes {
            self.route_set = routes;
        }
        if confirms && success {
            self.advance(DialogState::Confirmed);
        }
        Ok(match code {
            100..=199 => ResponseOutcome::Provisional,
            200..=299 => ResponseOutcome::Success {
                retransmission: false,
                offer_in_2xx,
            },
            _ if confirms => {
                self.advance(DialogState::Terminated);
                ResponseOutcome::Ended
            }
            481 | 408 => {
                self.advance(DialogState::Terminated);
                ResponseOutcome::Ended
            }
            491 => ResponseOutcome::Glare,
            _ => ResponseOutcome::Failure { code },
        })
    }
}
