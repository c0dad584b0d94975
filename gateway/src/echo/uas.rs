//! The echo service's SIP user agent server: what it answers to each request on one TLS
//! connection. It reads no socket and no clock; the connection task feeds it framed messages
//! and writes back what it returns. (Binding the media sockets is the one side effect.)
//!
//! Dialog bookkeeping (tags, CSeq order, target refresh, re-INVITE and ACK offer/answer
//! state) is [`roomgate_sip::dialog::Dialog`]'s. SDP offers and answers are the call legs':
//! the codec table, key generation, origin and crypto-line filtering of
//! [`crate::call::negotiate`] and the SRTP rule of [`crate::call::sdes`], so the echo takes
//! and refuses exactly what a leg would. What is decided here:
//! - **Every INVITE is answered at once** with 200 (no 100/180: TLS is reliable and the
//!   answer is immediate), so a CANCEL always finds its INVITE completed: 200 when it
//!   matches a call, 481 when not (RFC 3261 §9.2). No 487 is ever sent.
//! - **SRTP is mandatory**: an offer in which no audio/video stream has a codec and an SDES
//!   suite in common with us gets 488 (a re-INVITE's 488 keeps the running session).
//! - **Delayed offer**: an INVITE (or re-INVITE) without a body gets our offer in the 200
//!   and the answer is taken from the ACK; an ACK without a usable answer ends the call
//!   locally (we never send requests, so no BYE).
//! - **A re-INVITE keeps what did not change**: ports of streams that stay, and our key when
//!   the suite stays, so a session refresh changes nothing on the wire and the `o=` version
//!   only moves when the SDP does (RFC 3264 §8).
//! - **No extensions**: Supported is not sent and any Require is refused with 420, including
//!   `timer` (the caller's session timer, if any, runs on its side only).
//! - **Capacity**: [`Settings::max_calls`] over all connections; beyond it INVITEs get 486
//!   Busy Here (the caller is told this callee is full, not that the server is broken). At
//!   most [`MAX_STREAMS_PER_CALL`] media streams per call.
//! - Calls belong to the connection they were made on and end with it (see the module docs
//!   of [`crate::echo`]).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use roomgate_sip::dialog::{self, Dialog, DialogError, InDialogRequest};
use roomgate_sip::sdp::offer_answer::{LocalCapabilities, LocalCodec, SrtpPolicy};
use roomgate_sip::sdp::{CryptoSuite, Origin, SessionDescription};
use roomgate_sip::transaction::Transport;
use roomgate_sip::{
    decode_datagram, parse_datagram, uas_refusal, DecodeError, DialogId, HeaderName, Message,
    Method, OwnedMessage, UasCapabilities,
};

use crate::call::negotiate::{self, MediaPolicy};
use session::Stream;

mod session;

/// Methods we answer, for Allow.
pub const ALLOW: &str = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO";
/// Media streams one call may run: audio, main video, content and a few spare. Further
/// `m=` lines are refused (port 0), so one offer cannot make us bind dozens of sockets.
pub const MAX_STREAMS_PER_CALL: usize = 8;
const SERVER: &str = concat!("Roomgate-echo/", env!("CARGO_PKG_VERSION"));
const SDP: &str = "application/sdp";

/// What we accept before looking at dialogs: SIP and SIPS URIs, no option tags, SDP and the
/// DTMF bodies a gateway may send in INFO (which we answer 200 and ignore).
const UAS_CAPS: UasCapabilities<'static> = UasCapabilities {
    uri_schemes: &["sip", "sips"],
    option_tags: &[],
    body_types: &[SDP, "application/dtmf-relay", "application/dtmf"],
    answer_type: SDP,
};

/// The `o=` username of our SDP, so a trace shows which side the echo's SDP is.
const ORIGIN_USER: &str = "roomgate-echo";

/// What every connection of one echo service shares.
#[derive(Debug)]
pub struct Settings {
    pub media_ip: IpAddr,
    pub max_calls: usize,
    /// Our Contact, a name-addr.
    pub contact: String,
    /// Mandatory SRTP with our SDES suites in preference order (each one
    /// [`crate::call::sdes::srtp_suite`] knows): the echo service runs nothing else.
    policy: MediaPolicy,
    /// The legs' codec table with video: we decode nothing, so any codec would do, and
    /// taking exactly what a leg takes means the echo never refuses a call a real cloud
    /// meeting would take. Our `fmtp` only serves matching (H.264 packetization mode) and
    /// our own offers: answers mirror the offer's.
    codecs: Vec<LocalCodec>,
    active: AtomicUsize,
}

impl Settings {
    pub fn new(
        media_ip: IpAddr,
        suites: Vec<CryptoSuite>,
        max_calls: usize,
        contact: String,
    ) -> Self {
        Settings {
            media_ip,
            policy: MediaPolicy {
                srtp: SrtpPolicy::Mandatory,
                suites,
            },
            max_calls,
            contact,
            codecs: negotiate::codec_table(negotiate::audio_codecs(), true),
            active: AtomicUsize::new(0),
        }
    }

    /// Calls established and not yet ended, over all connections.
    pub fn active_calls(&self) -> usize {
        self.active.load(Ordering::SeqCst)
    }

    /// The legs' capabilities with our origin (kept per call across re-INVITEs) and slides
    /// accepted: the echo sends content back like any other video.
    fn caps(&self, origin: &Origin) -> LocalCapabilities {
        negotiate::local_capabilities(
            origin.clone(),
            self.media_ip,
            &self.policy,
            self.codecs.clone(),
            true,
        )
    }
}

/// One slot of [`Settings::max_calls`], given back when the call is dropped.
#[derive(Debug)]
struct CallPermit(Arc<Settings>);

impl CallPermit {
    fn try_new(settings: &Arc<Settings>) -> Option<CallPermit> {
        settings
            .active
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < settings.max_calls).then_some(n + 1)
            })
            .ok()
            .map(|_| CallPermit(settings.clone()))
    }
}

impl Drop for CallPermit {
    fn drop(&mut self) {
        self.0.active.fetch_sub(1, Ordering::SeqCst);
    }
}

struct Call {
    dialog: Dialog,
    /// CSeq of the INVITE that made the call, to match its CANCEL and retransmission.
    invite_cseq: u32,
    /// Per `m=` line of the current session; `None` where the line is rejected.
    streams: Vec<Option<Stream>>,
    /// The SDP we sent last (offer or answer); its `o=` is the session's.
    local_sdp: SessionDescription,
    /// Our last 2xx carried an offer: the ACK must bring the answer.
    offer_pending: bool,
    _permit: CallPermit,
}

/// Why an offer is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Refusal {
    /// 488: nothing in common.
    NotAcceptable,
    /// 400: the body is not SDP we can parse.
    BadSdp(String),
    /// 415: the body is not SDP at all.
    NotSdp,
    /// 500: we could not bind a socket or make a key.
    Internal,
}

/// The UAS state of one connection.
pub struct Uas {
    settings: Arc<Settings>,
    calls: HashMap<DialogId, Call>,
}

fn new_tag() -> String {
    format!("echo{:016x}", rand::random::<u64>())
}

fn new_origin(ip: IpAddr) -> Origin {
    negotiate::origin(ORIGIN_USER, ip, rand::random::<u32>().into(), 1)
}

fn is_sdp(msg: &Message<'_>) -> bool {
    match msg.content_type() {
        Ok(Some(ct)) => ct.matches("application", "sdp"),
        // RFC 3261 §20.15 requires a type with a body; be lenient and try SDP.
        Ok(None) => true,
        Err(_) => false,
    }
}

fn parse_offer(msg: &Message<'_>) -> Result<SessionDescription, Refusal> {
    if !is_sdp(msg) {
        return Err(Refusal::NotSdp);
    }
    SessionDescription::parse(msg.body).map_err(|e| Refusal::BadSdp(e.to_string()))
}

fn quote(text: &str) -> String {
    text.replace(['"', '\\'], "'")
}

/// The response refusing an offer.
fn refuse_offer(msg: &Message<'_>, refusal: &Refusal, to_tag: Option<&str>) -> OwnedMessage {
    match refusal {
        Refusal::NotAcceptable => msg.response_to(488, "Not Acceptable Here", to_tag).with(
            HeaderName::Warning,
            "304 echo \"no stream with a common codec and SRTP suite\"",
        ),
        Refusal::BadSdp(why) => msg.response_to(400, "Bad Request", to_tag).with(
            HeaderName::Warning,
            format!("399 echo \"SDP: {}\"", quote(why)),
        ),
        Refusal::NotSdp => msg
            .response_to(415, "Unsupported Media Type", to_tag)
            .with(HeaderName::Accept, SDP),
        Refusal::Internal => msg.response_to(500, "Server Internal Error", to_tag),
    }
}

impl Uas {
    pub fn new(settings: Arc<Settings>) -> Uas {
        Uas {
            settings,
            calls: HashMap::new(),
        }
    }

    /// Calls made on this connection and still up.
    pub fn call_count(&self) -> usize {
        self.calls.len()
    }

    /// One framed message in; the bytes to write back, if any.
    pub fn handle(&mut self, bytes: &[u8]) -> Option<Vec<u8>> {
        let msg = match decode_datagram(bytes) {
            Ok(msg) => msg,
            Err(e) => return answer_fault(bytes, &e),
        };
        if !msg.is_request() {
            // We send no requests, so no response is ours.
            tracing::debug!("ignoring a response");
            return None;
        }
        let span = tracing::debug_span!("echo_sip", call_id = msg.call_id().unwrap_or("-"));
        let _entered = span.enter();
        let response = self.on_request(&msg)?;
        Some(response.with(HeaderName::Server, SERVER).to_bytes())
    }

    fn on_request(&mut self, msg: &Message<'_>) -> Option<OwnedMessage> {
        let method = msg.method()?;
        if let Some(refusal) = uas_refusal(msg, &UAS_CAPS) {
            if method == Method::Ack {
                return None;
            }
            let mut response = msg.response_to(refusal.status, refusal.reason, Some(&new_tag()));
            if !refusal.unsupported.is_empty() {
                response.push(HeaderName::Unsupported, refusal.unsupported.join(", "));
            }
            if refusal.status == 415 {
                response.push(HeaderName::Accept, SDP);
            }
            return Some(response);
        }
        match DialogId::for_received_request(msg) {
            Ok(id) => self.in_dialog(msg, method, id),
            Err(DialogError::MissingTag { header: "To" }) => self.out_of_dialog(msg, method),
            Err(e) => dialog::refuse(msg, &e, Some(&new_tag()), 0),
        }
    }

    fn out_of_dialog(&mut self, msg: &Message<'_>, method: Method<'_>) -> Option<OwnedMessage> {
        let tag = new_tag();
        let tag = Some(tag.as_str());
        Some(match method {
            Method::Invite => return self.new_call(msg),
            Method::Ack => return None,
            Method::Cancel => match self.find_invite(msg) {
                Some(_) => msg.response_to(200, "OK", tag),
                None => msg.response_to(481, "Call/Transaction Does Not Exist", tag),
            },
            Method::Options => msg
                .response_to(200, "OK", tag)
                .with(HeaderName::Allow, ALLOW)
                .with(HeaderName::Accept, SDP),
            Method::Bye | Method::Info | Method::Prack | Method::Update => {
                msg.response_to(481, "Call/Transaction Does Not Exist", tag)
            }
            Method::Extension(_) => msg
                .response_to(501, "Not Implemented", tag)
                .with(HeaderName::Allow, ALLOW),
            _ => msg
                .response_to(405, "Method Not Allowed", tag)
                .with(HeaderName::Allow, ALLOW),
        })
    }

    /// The call whose initial INVITE `msg` is, or is a CANCEL or retransmission of.
    fn find_invite(&self, msg: &Message<'_>) -> Option<&DialogId> {
        let call_id = msg.call_id().ok()?;
        let from = msg.from_header().ok()?;
        let remote_tag = from.tag()?;
        let cseq = msg.cseq().ok()?.seq;
        self.calls.iter().find_map(|(id, call)| {
            (id.call_id == call_id && id.remote_tag == remote_tag && call.invite_cseq == cseq)
                .then_some(id)
        })
    }

    fn ok_with_sdp(
        &self,
        msg: &Message<'_>,
        to_tag: &str,
        sdp: &SessionDescription,
    ) -> OwnedMessage {
        dialog::dialog_response(msg, 200, "OK", to_tag, &self.settings.contact)
            .with(HeaderName::Allow, ALLOW)
            .with_body(SDP, sdp.to_bytes())
    }

    fn new_call(&mut self, msg: &Message<'_>) -> Option<OwnedMessage> {
        if let Some(id) = self.find_invite(msg) {
            // A retransmission (a client that re-sent on a new connection): same answer.
            let call = self.calls.get(id)?;
            return Some(self.ok_with_sdp(msg, &id.local_tag, &call.local_sdp));
        }
        let tag = new_tag();
        let Some(permit) = CallPermit::try_new(&self.settings) else {
            tracing::info!(max = self.settings.max_calls, "busy: call limit reached");
            return Some(msg.response_to(486, "Busy Here", Some(&tag)));
        };
        let call_id = msg.call_id().ok()?;
        let cseq = msg.cseq().ok()?.seq;
        let origin = new_origin(self.settings.media_ip);
        let negotiated = if msg.body.is_empty() {
            self.settings
                .make_offer(call_id, &origin)
                .map(|(sdp, s)| (sdp, s, true))
        } else {
            parse_offer(msg).and_then(|offer| {
                let mut streams = Vec::new();
                self.settings
                    .answer_offer(call_id, &offer, &mut streams, None, &origin)
                    .map(|answer| (answer, streams, false))
            })
        };
        let (local_sdp, streams, offer_pending) = match negotiated {
            Ok(n) => n,
            Err(refusal) => {
                tracing::info!(?refusal, "INVITE refused");
                return Some(refuse_offer(msg, &refusal, Some(&tag)));
            }
        };
        let response = self.ok_with_sdp(msg, &tag, &local_sdp);
        let dialog = match Dialog::uas(msg, &response, Transport::Tls) {
            Ok(dialog) => dialog,
            Err(e) => {
                tracing::info!(error = %e, "INVITE cannot make a dialog");
                return dialog::refuse(msg, &e, Some(&tag), 0);
            }
        };
        let running = streams.iter().filter(|s| s.is_some()).count();
        tracing::info!(
            streams = running,
            delayed_offer = offer_pending,
            "call answered"
        );
        self.calls.insert(
            dialog.id().clone(),
            Call {
                dialog,
                invite_cseq: cseq,
                streams,
                local_sdp,
                offer_pending,
                _permit: permit,
            },
        );
        Some(response)
    }

    fn in_dialog(
        &mut self,
        msg: &Message<'_>,
        method: Method<'_>,
        id: DialogId,
    ) -> Option<OwnedMessage> {
        let known = self.calls.contains_key(&id);
        match method {
            Method::Ack if !known => return None,
            Method::Cancel if known => return Some(msg.response_to(200, "OK", None)),
            Method::Invite | Method::Ack | Method::Bye | Method::Options | Method::Info
                if known => {}
            Method::Extension(_) => {
                return Some(
                    msg.response_to(501, "Not Implemented", None)
                        .with(HeaderName::Allow, ALLOW),
                )
            }
            Method::Register
            | Method::Subscribe
            | Method::Publish
            | Method::Refer
            | Method::Message
            | Method::Notify
            | Method::Prack
            | Method::Update
                if known =>
            {
                return Some(
                    msg.response_to(405, "Method Not Allowed", None)
                        .with(HeaderName::Allow, ALLOW),
                )
            }
            _ => return Some(msg.response_to(481, "Call/Transaction Does Not Exist", None)),
        }
        let settings = self.settings.clone();
        let call = self.calls.get_mut(&id)?;
        let outcome = match call.dialog.on_request(msg) {
            Ok(outcome) => outcome,
            Err(e) => {
                tracing::debug!(error = %e, "in-dialog request refused");
                return dialog::refuse(msg, &e, None, rand::random_range(0..=10));
            }
        };
        match outcome {
            InDialogRequest::Ack {
                answer_due,
                has_body,
            } => {
                if answer_due && call.offer_pending {
                    call.offer_pending = false;
                    let answer = has_body.then(|| parse_offer(msg).ok()).flatten();
                    let running = answer.is_some_and(|a| {
                        settings.apply_answer(&call.local_sdp, &a, &mut call.streams)
                    });
                    if !running {
                        tracing::info!("ACK brought no usable answer; call ended");
                        self.calls.remove(&id);
                    }
                }
                None
            }
            InDialogRequest::Bye => {
                self.calls.remove(&id);
                tracing::info!("call ended by BYE");
                Some(msg.response_to(200, "OK", None))
            }
            InDialogRequest::ReInvite { offer } => {
                let response = if offer {
                    let call_id = id.call_id.as_str();
                    let answered = parse_offer(msg).and_then(|o| {
                        settings.answer_offer(
                            call_id,
                            &o,
                            &mut call.streams,
                            Some(&call.local_sdp),
                            &call.local_sdp.origin,
                        )
                    });
                    match answered {
                        Ok(answer) => {
                            call.local_sdp = answer;
                            call.offer_pending = false;
                            self.reinvite_ok(msg, &id)
                        }
                        Err(refusal) => {
                            tracing::info!(?refusal, "re-INVITE refused; session unchanged");
                            Some(refuse_offer(msg, &refusal, None))
                        }
                    }
                } else {
                    // Offer the session as it is (RFC 3264 §8: may be the same SDP).
                    call.offer_pending = true;
                    self.reinvite_ok(msg, &id)
                }?;
                if let Some(call) = self.calls.get_mut(&id) {
                    if let Err(e) = call.dialog.on_response_sent(&response) {
                        tracing::debug!(error = %e, "dialog did not take our response");
                    }
                }
                Some(response)
            }
            _ => {
                let response = msg.response_to(200, "OK", None);
                Some(if method == Method::Options {
                    response
                        .with(HeaderName::Allow, ALLOW)
                        .with(HeaderName::Accept, SDP)
                } else {
                    response
                })
            }
        }
    }

    fn reinvite_ok(&self, msg: &Message<'_>, id: &DialogId) -> Option<OwnedMessage> {
        let call = self.calls.get(id)?;
        Some(
            msg.response_to(200, "OK", None)
                .with(HeaderName::Contact, &self.settings.contact)
                .with(HeaderName::Allow, ALLOW)
                .with_body(SDP, call.local_sdp.to_bytes()),
        )
    }
}

/// A request that does not decode gets the status the RFC names when it carries enough to
/// be answered; anything else is dropped.
fn answer_fault(bytes: &[u8], e: &DecodeError) -> Option<Vec<u8>> {
    tracing::debug!(fault = %e, "invalid message");
    let status = e.uas_status()?;
    let msg = parse_datagram(bytes).ok()?;
    if !msg.is_request() || msg.method() == Some(Method::Ack) || msg.top_via().is_err() {
        return None;
    }
    let reason = match status {
        505 => "Version Not Supported",
        513 => "Message Too Large",
        _ => "Bad Request",
    };
    let response = msg
        .response_to(status, reason, Some(&new_tag()))
        .with(
            HeaderName::Warning,
            format!("399 echo \"{}\"", quote(&e.to_string())),
        )
        .with(HeaderName::Server, SERVER);
    Some(response.to_bytes())
}

#[cfg(test)]
mod tests;
