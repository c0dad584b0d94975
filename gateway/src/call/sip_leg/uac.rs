//! The UAC leg: the dialog of an INVITE we send. It owns the INVITE (Call-ID, From tag,
//! CSeq), one digest retry with the meeting's credentials, the ACK of the 2xx (sent again for
//! each retransmitted 2xx), the CANCEL of an INVITE abandoned while ringing, and the session
//! refresh when the far end made us the refresher (RFC 4028: an UPDATE at half the interval).

use std::time::{Duration, Instant};

use roomgate_sip::dialog::session_timer;
use roomgate_sip::dialog::{Body, Dialog};
use roomgate_sip::digest::{Challenge, Credentials, DigestClient, DigestRequest};
use roomgate_sip::headers::AuthValue;
use roomgate_sip::sdp::{Direction, SessionDescription};
use roomgate_sip::transaction::{
    Destination, Outgoing, Received, TransactionError, TransactionId, TransactionLayer,
};
use roomgate_sip::{HeaderName, Message, Method, OwnedMessage, Uri};

use super::path::{self, LOOP_HEADER};
use super::{contact, hop, DialogLeg, Ids, ALLOW, SDP, SERVER};

/// Longest user part or display name of the caller we copy into our From.
const MAX_IDENTITY_PART: usize = 64;

/// Methods of the peer's Allow we read (more is not a list of methods but an attack).
const MAX_ALLOW_METHODS: usize = 64;

/// How soon a session refresh that could not start (an INVITE of either side in progress)
/// is tried again.
const REFRESH_RETRY: Duration = Duration::from_secs(2);

/// What a response to our INVITE meant.
#[derive(Debug)]
pub(crate) enum UacEvent {
    /// 1xx; `ringing` for 180 and 183.
    Provisional { ringing: bool },
    /// A retransmitted 2xx, acknowledged again; nothing new.
    Repeated,
    /// A 2xx that made the dialog (acknowledged; the session timer set).
    Answered,
    /// A 2xx that makes no dialog: ignored.
    Unusable,
    /// Challenged: the INVITE went again with credentials, on this transaction (or could
    /// not be sent; the challenged transaction then stays the leg's).
    Retried(Result<TransactionId, TransactionError>),
    /// A final error.
    Failed { code: u16 },
}

pub(crate) struct UacLeg {
    pub uri: String,
    pub call_id: String,
    from_tag: String,
    cseq: u32,
    /// The INVITE's transaction while it is open.
    pub tx: Option<TransactionId>,
    /// The INVITE as sent (encoded once: the 2xx's dialog reads it without decoding again).
    invite: Option<Outgoing>,
    ack: Option<Vec<u8>>,
    auth_tried: bool,
    credentials: Option<(String, String)>,
    /// A 1xx came: a CANCEL may be sent.
    pub provisional: bool,
    refresh_at: Option<Instant>,
    /// The peer's 2xx listed UPDATE in Allow: refreshes may use it (RFC 4028 §9), else
    /// they are re-INVITEs, which every UA must take.
    peer_allows_update: bool,
    /// The upstream is inside our trust domain (RFC 3325): it gets P-Asserted-Identity.
    assert_identity: bool,
    /// Loop tokens our INVITE carries: earlier gateways' and ours (see `path`).
    loop_tokens: Vec<String>,
    pub leg: DialogLeg,
}

/// Who the room is, as the upstream's From (and P-Asserted-Identity) shows it: only a user
/// part and display name of safe characters are carried over, else `room`.
pub(crate) struct Caller {
    pub user: Option<String>,
    pub display: Option<String>,
    /// Max-Forwards toward the upstream.
    pub hops: u8,
}

impl Caller {
    /// The caller of a SIP room's INVITE.
    pub(crate) fn of_invite(invite: &Received) -> Caller {
        let msg = invite.message().ok();
        let from = msg.and_then(|m| m.from_header().ok());
        Caller {
            user: from.as_ref().and_then(|f| match &f.uri {
                Uri::Sip(u) => u.user.map(str::to_owned),
                _ => None,
            }),
            display: from
                .as_ref()
                .and_then(|f| f.display_name.as_ref().map(|d| d.clone().into_owned())),
            hops: path::forwarded_hops(msg),
        }
    }
}

impl UacLeg {
    pub(crate) fn new(
        uri: String,
        call_id: String,
        credentials: Option<(String, String)>,
        direction: Direction,
        mut ids: Ids,
    ) -> Self {
        UacLeg {
            uri,
            call_id,
            from_tag: ids.hex(8),
            cseq: 1,
            tx: None,
            invite: None,
            ack: None,
            auth_tried: false,
            credentials,
            provisional: false,
            refresh_at: None,
            peer_allows_update: false,
            assert_identity: false,
            loop_tokens: Vec::new(),
            leg: DialogLeg::new(None, direction, ids),
        }
    }

    /// What our INVITE says about the path: the caller's identity asserted (a trusted
    /// upstream only) and the loop tokens to carry.
    pub(crate) fn with_path(mut self, assert_identity: bool, loop_tokens: Vec<String>) -> Self {
        self.assert_identity = assert_identity;
        self.loop_tokens = loop_tokens;
        self
    }

    /// Points a leg not yet placed at another upstream: a call that dialled no meeting
    /// learns its meeting (and so its upstream) only from the ID the caller enters.
    pub(crate) fn retarget(
        &mut self,
        uri: String,
        credentials: Option<(String, String)>,
        assert_identity: bool,
    ) {
        if self.tx.is_some() || self.invite.is_some() {
            return;
        }
        self.uri = uri;
        self.credentials = credentials;
        self.assert_identity = assert_identity;
    }

    /// Builds our INVITE over `dest`'s transport carrying `sdp`, with the identity of the caller whose
    /// INVITE was `caller` (its user part and display name, when they are safe to copy) and
    /// the hops it has left.
    pub(crate) fn build_invite(
        &mut self,
        host: &str,
        domain: &str,
        caller: &Caller,
        dest: Destination,
        sdp: SessionDescription,
    ) -> OwnedMessage {
        let user = caller
            .user
            .clone()
            .filter(|u| {
                !u.is_empty()
                    && u.len() <= MAX_IDENTITY_PART
                    && u.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_.!~*'()%+".contains(&b))
            })
            .unwrap_or_else(|| "room".to_owned());
        let display = caller
            .display
            .clone()
            .filter(|d| d.len() <= MAX_IDENTITY_PART && !d.contains(['"', '\\', '\r', '\n']));
        let identity = match display {
            Some(d) => format!("\"{d}\" <sip:{user}@{domain}>"),
            None => format!("<sip:{user}@{domain}>"),
        };
        let transport = dest.transport;
        let mut invite = OwnedMessage::request("INVITE", &self.uri)
            .with(
                HeaderName::Via,
                hop(host, transport).value(&self.leg.ids.branch()),
            )
            .with(HeaderName::MaxForwards, caller.hops)
            .with(
                HeaderName::From,
                format_args!("{identity};tag={}", self.from_tag),
            )
            .with(HeaderName::To, format_args!("<{}>", self.uri))
            .with(HeaderName::CallId, &self.call_id)
            .with(HeaderName::CSeq, format_args!("{} INVITE", self.cseq))
            .with(HeaderName::Contact, contact(host, transport));
        if self.assert_identity {
            invite.push(HeaderName::PAssertedIdentity, &identity);
        }
        if !self.loop_tokens.is_empty() {
            invite.push(LOOP_HEADER, self.loop_tokens.join(", "));
        }
        let invite = invite
            .with(HeaderName::Allow, ALLOW)
            .with(HeaderName::Supported, "timer")
            .with(HeaderName::UserAgent, SERVER)
            .with_body(SDP, sdp.to_bytes());
        self.leg.local_sdp = Some(sdp);
        invite
    }

    /// Sends `invite` (built by [`UacLeg::build_invite`]) to the leg's destination, and keeps
    /// it (for a digest retry, the CANCEL and a late 2xx's BYE).
    pub(crate) fn send_invite(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        invite: OwnedMessage,
        dest: Destination,
    ) -> Result<TransactionId, TransactionError> {
        let invite = Outgoing::encode(&invite)?;
        let sent = layer.send_encoded_request(now, &invite, dest);
        self.invite = Some(invite);
        let tx = sent?;
        self.tx = Some(tx);
        Ok(tx)
    }

    /// A response to our INVITE.
    pub(crate) fn on_invite_response(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        host: &str,
        call: u64,
        msg: &Message<'_>,
        code: u16,
    ) -> UacEvent {
        if code < 200 {
            self.provisional = true;
            return UacEvent::Provisional {
                ringing: code == 180 || code == 183,
            };
        }
        if (200..300).contains(&code) {
            if let Some(ack) = &self.ack {
                // A retransmitted 2xx: the same ACK again (RFC 3261 §13.2.2.4).
                if let Some(dest) = self.leg.dest {
                    layer.send_stateless(dest, ack.clone());
                }
                return UacEvent::Repeated;
            }
            return if self.answered(layer, now, host, call, msg) {
                UacEvent::Answered
            } else {
                UacEvent::Unusable
            };
        }
        // 401/407: once, with the meeting's credentials.
        if (code == 401 || code == 407) && !self.auth_tried {
            if let Some(retry) = self.with_credentials(host, msg, code) {
                return UacEvent::Retried(
                    retry.and_then(|(invite, dest)| self.send_invite(layer, now, invite, dest)),
                );
            }
        }
        self.tx = None;
        UacEvent::Failed { code }
    }

    /// The INVITE again with an answer to the strongest challenge of `msg`; None when there
    /// is nothing to answer with.
    fn with_credentials(
        &mut self,
        host: &str,
        msg: &Message<'_>,
        code: u16,
    ) -> Option<Result<(OwnedMessage, Destination), TransactionError>> {
        let (user, password) = self.credentials.clone()?;
        self.auth_tried = true;
        let header = if code == 401 {
            HeaderName::WwwAuthenticate
        } else {
            HeaderName::ProxyAuthenticate
        };
        let values: Vec<AuthValue<'_>> = msg
            .headers_named(header)
            .filter_map(|h| AuthValue::parse(&h.value).ok())
            .collect();
        let ch = Challenge::strongest(&values).ok()?;
        let invite = self.invite.as_ref()?.message().to_owned_message();
        let dest = self.leg.dest?;
        let mut client = DigestClient::new(ch);
        let body = invite.body.clone();
        let mut cnonce = [0u8; roomgate_sip::digest::CNONCE_RANDOM_LEN];
        self.leg.ids.fill(&mut cnonce);
        let req = DigestRequest {
            method: "INVITE",
            uri: &self.uri,
            body: &body,
        };
        let creds = Credentials::new(user, password);
        let value = client.authorization(&creds, &req, &cnonce).ok()?;
        self.cseq += 1;
        let mut next = invite;
        next.headers.retain(|(n, _)| {
            let h = HeaderName::from_wire(n);
            h != HeaderName::Via && h != HeaderName::CSeq
        });
        let mut rebuilt = OwnedMessage::request("INVITE", &self.uri)
            .with(
                HeaderName::Via,
                hop(host, dest.transport).value(&self.leg.ids.branch()),
            )
            .with(HeaderName::CSeq, format_args!("{} INVITE", self.cseq));
        rebuilt.headers.extend(next.headers);
        let auth_header = if code == 401 {
            HeaderName::Authorization
        } else {
            HeaderName::ProxyAuthorization
        };
        rebuilt.push(auth_header, value);
        rebuilt.body = body;
        Some(Ok((rebuilt, dest)))
    }

    /// The first 2xx: the dialog, its ACK and the session timer. False when no dialog can
    /// be made of it.
    fn answered(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        host: &str,
        call: u64,
        msg: &Message<'_>,
    ) -> bool {
        let Some(dest) = self.leg.dest else {
            return false;
        };
        let Some(invite) = self.invite.as_ref() else {
            return false;
        };
        let mut dialog = match Dialog::uac(invite.message(), msg, dest.transport) {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(call, error = %e, "cloud 2xx does not make a dialog");
                return false;
            }
        };
        let hop = hop(host, dest.transport);
        if let Ok(ack) = dialog.build_ack(msg, &hop, &self.leg.ids.branch(), None) {
            let bytes = ack.to_bytes();
            layer.send_stateless(dest, bytes.clone());
            self.ack = Some(bytes);
        }
        self.leg.dialog = Some(dialog);
        self.peer_allows_update = msg
            .headers_named(HeaderName::Allow)
            .flat_map(|h| h.value.split(','))
            .take(MAX_ALLOW_METHODS)
            .any(|m| m.trim().eq_ignore_ascii_case("UPDATE"));
        if let Ok(Some(neg)) = session_timer::uac_negotiated(msg) {
            let d = neg.deadlines(now);
            self.refresh_at = d.refresh_at;
            self.leg.expires_at = Some(d.give_up_at);
            self.leg.timer_interval = Some(neg.interval);
        }
        true
    }

    /// Gives the INVITE up (the call ended before it was answered): CANCEL once a 1xx came.
    /// Returns the open transaction with what answers a late 2xx (see [`late_answer`]).
    pub(crate) fn abandon(
        &self,
        layer: &mut TransactionLayer,
        now: Instant,
        call: u64,
    ) -> Option<(TransactionId, Option<(Destination, Outgoing)>)> {
        let tx = self.tx?;
        if self.provisional {
            if let Err(e) = layer.send_cancel(now, tx) {
                tracing::debug!(call, error = %e, "CANCEL not sent");
            }
        }
        let late = self.leg.dest.zip(self.invite.clone());
        Some((tx, late))
    }

    /// RFC 4028 refresh when due: an UPDATE without a body when the peer allows UPDATE, else
    /// a re-INVITE with our current SDP unchanged (§7.4: a peer that does not list UPDATE
    /// would answer 405 or 501, and the session would expire). The request's transaction,
    /// when one was sent.
    pub(crate) fn refresh(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        host: &str,
    ) -> Option<TransactionId> {
        if self.refresh_at.is_none_or(|t| t > now) {
            return None;
        }
        let interval = self.leg.timer_interval;
        let dest = self.leg.dest?;
        let hop = hop(host, dest.transport);
        let sdp = self
            .leg
            .local_sdp
            .as_ref()
            .map(SessionDescription::to_bytes);
        let dialog = self.leg.dialog.as_mut()?;
        let (method, body) = match sdp.as_deref() {
            _ if self.peer_allows_update => (Method::Update, None),
            Some(bytes) => (
                Method::Invite,
                Some(Body {
                    content_type: SDP,
                    bytes,
                }),
            ),
            None => (Method::Invite, None),
        };
        if method == Method::Invite && !dialog.can_reinvite() {
            // Either side's INVITE in progress: that exchange ends first, then we refresh.
            self.refresh_at = Some(now + REFRESH_RETRY);
            return None;
        }
        self.refresh_at = interval.map(|i| now + Duration::from_secs(u64::from(i) / 2));
        self.leg.expires_at = interval.map(|i| now + Duration::from_secs(u64::from(i)));
        let mut req = dialog
            .build_request(method, &hop, &self.leg.ids.branch(), body)
            .ok()?;
        if let Some(i) = interval {
            req.push(
                HeaderName::SessionExpires,
                format_args!("{i};refresher=uac"),
            );
            req.push(HeaderName::Supported, "timer");
        }
        layer.send_request(now, req, dest).ok()
    }

    /// The leg's deadlines (session refresh, session expiry, re-INVITE 2xx retransmission).
    pub(crate) fn deadlines(&self) -> [Option<Instant>; 3] {
        [
            self.refresh_at,
            self.leg.expires_at,
            self.leg.retransmit_due(),
        ]
    }
}

/// A response to an INVITE whose call is gone: a 2xx is acknowledged and hung up at once.
/// True when that is done (the transaction needs no more watching).
pub(crate) fn late_answer(
    layer: &mut TransactionLayer,
    now: Instant,
    host: &str,
    dest: Destination,
    invite: &Outgoing,
    response: &Received,
    ids: &mut Ids,
) -> bool {
    let Ok(msg) = response.message() else {
        return false;
    };
    let code = msg.status_line().map_or(0, |s| s.code);
    if !(200..300).contains(&code) {
        return false;
    }
    if let Ok(mut d) = Dialog::uac(invite.message(), msg, dest.transport) {
        let hop = hop(host, dest.transport);
        if let Ok(ack) = d.build_ack(msg, &hop, &ids.branch(), None) {
            layer.send_stateless(dest, ack.to_bytes());
        }
        if let Ok(bye) = d.build_request(Method::Bye, &hop, &ids.branch(), None) {
            let _ = layer.send_request(now, bye, dest);
        }
    }
    true
}
