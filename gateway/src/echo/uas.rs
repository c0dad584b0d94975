//! The echo service's SIP user agent server: what it answers to each request on one TLS
//! connection. It reads no socket and no clock; the connection task feeds it framed messages
//! and writes back what it returns. (Binding the media sockets is the one side effect.)
//!
//! Dialog bookkeeping (tags, CSeq order, target refresh, re-INVITE and ACK offer/answer
//! state) is [`roomgate_sip::dialog::Dialog`]'s; SDP offer/answer is
//! [`roomgate_sip::sdp::offer_answer`]'s. What is decided here:
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

use rand::TryRngCore;
use roomgate_sip::dialog::{self, Dialog, DialogError, InDialogRequest};
use roomgate_sip::sdp::offer_answer::{
    self, LocalCapabilities, LocalCodec, OfferStream, SrtpPolicy,
};
use roomgate_sip::sdp::{
    Attribute, AttributeValue, Connection, CryptoSuite, Direction, KeyMaterial, KeyParam,
    MediaDescription, MediaType, Origin, SessionDescription,
};
use roomgate_sip::transaction::Transport;
use roomgate_sip::{
    decode_datagram, parse_datagram, uas_refusal, DecodeError, DialogId, HeaderName, Message,
    Method, OwnedMessage, UasCapabilities,
};

use super::media::{MediaStream, StreamSetup};
use crate::call::sdes::{self, srtp_suite, StreamKeys};

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

/// The codecs we take and offer. We decode nothing, so any codec would do; these are the
/// ones the gateway's legs use. Our `fmtp` only serves matching (H.264 packetization mode)
/// and our own offers: answers mirror the offer's, since what comes back is what was sent.
pub fn codecs() -> Vec<LocalCodec> {
    let audio = |name: &str, rate, channels, payload_type| LocalCodec {
        media: MediaType::Audio,
        encoding_name: name.to_owned(),
        clock_rate: rate,
        channels,
        fmtp: None,
        payload_type,
    };
    vec![
        audio("opus", 48000, Some(2), 111),
        audio("G722", 8000, None, 9),
        audio("PCMU", 8000, None, 0),
        audio("PCMA", 8000, None, 8),
        audio("telephone-event", 8000, None, 101),
        LocalCodec {
            media: MediaType::Video,
            encoding_name: "H264".to_owned(),
            clock_rate: 90000,
            channels: None,
            fmtp: Some("profile-level-id=42e01f;packetization-mode=1".to_owned()),
            payload_type: 97,
        },
    ]
}

/// What every connection of one echo service shares.
#[derive(Debug)]
pub struct Settings {
    pub media_ip: IpAddr,
    /// Our SDES suites in preference order; each one [`srtp_suite`] knows.
    pub suites: Vec<CryptoSuite>,
    pub max_calls: usize,
    /// Our Contact, a name-addr.
    pub contact: String,
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
            suites,
            max_calls,
            contact,
            codecs: codecs(),
            active: AtomicUsize::new(0),
        }
    }

    /// Calls established and not yet ended, over all connections.
    pub fn active_calls(&self) -> usize {
        self.active.load(Ordering::SeqCst)
    }

    fn caps(&self, origin: &Origin) -> LocalCapabilities {
        LocalCapabilities {
            origin: origin.clone(),
            connection: Connection::internet(self.media_ip),
            codecs: self.codecs.clone(),
            crypto_suites: self.suites.clone(),
            srtp: SrtpPolicy::Mandatory,
            accept_content: true,
            bfcp: None,
            rtcp_mux: true,
        }
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

/// The keys a running stream uses, kept to notice what a renegotiation changes.
struct Keys {
    suite: CryptoSuite,
    ours: KeyParam,
    theirs: KeyParam,
    inbound_gen: u64,
    outbound_gen: u64,
}

struct Stream {
    media: MediaStream,
    kind: MediaType,
    keys: Option<Keys>,
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

/// A fresh SDES key||salt from the operating system's generator (`None` if it fails, which
/// makes the offer/answer code refuse the stream rather than use a weak key).
fn new_key(suite: &CryptoSuite) -> Option<KeyMaterial> {
    let suite = srtp_suite(suite)?;
    let mut bytes = vec![0u8; suite.master_key_len() + suite.master_salt_len()];
    rand::rngs::OsRng.try_fill_bytes(&mut bytes).ok()?;
    Some(KeyMaterial::new(bytes))
}

fn new_origin(ip: IpAddr) -> Origin {
    let c = Connection::internet(ip);
    Origin {
        username: "roomgate-echo".to_owned(),
        session_id: rand::random::<u32>().to_string(),
        session_version: "1".to_owned(),
        net_type: c.net_type,
        addr_type: c.addr_type,
        address: c.address,
    }
}

/// Streams we open a socket for before asking the offer/answer code.
fn wanted(m: &MediaDescription) -> bool {
    m.port != 0 && m.proto.is_sdes_srtp() && matches!(m.media, MediaType::Audio | MediaType::Video)
}

/// Answers mirror the offer's format parameters (see [`codecs`]).
fn mirror_fmtp(offer: &MediaDescription, answer: &mut MediaDescription) {
    for attribute in &mut answer.attributes {
        let theirs = match attribute.value() {
            AttributeValue::Fmtp(ours) => offer
                .attributes
                .iter()
                .find(|a| matches!(a.value(), AttributeValue::Fmtp(f) if f.format == ours.format))
                .cloned(),
            _ => None,
        };
        if let Some(theirs) = theirs {
            *attribute = theirs;
        }
    }
}

/// Puts our running key back into the answer when its suite did not change.
fn keep_our_key(answer: &mut MediaDescription, keys: &Keys) {
    for attribute in &mut answer.attributes {
        let replacement = match attribute.value() {
            AttributeValue::Crypto(c) if c.suite == keys.suite => {
                let mut c = c.clone();
                if let Some(param) = c.key_params.first_mut() {
                    *param = keys.ours.clone();
                }
                Some(Attribute::new(AttributeValue::Crypto(c)))
            }
            _ => None,
        };
        if let Some(replacement) = replacement {
            *attribute = replacement;
        }
    }
}

/// The keys of a stream as the SRTP rule accepted them; `None` when the stream says
/// encrypted and its crypto cannot be applied, or says plain (the echo service runs SRTP
/// only).
fn accepted_keys(ours: &MediaDescription, theirs: &MediaDescription) -> Option<StreamKeys> {
    match sdes::stream_keys(ours, theirs) {
        Ok(keys) => keys,
        Err(why) => {
            tracing::warn!(reason = why.label(), "SRTP crypto refused: {why}");
            None
        }
    }
}

/// Starts or re-keys `stream`. Generations move only for a key that changed, so the task
/// keeps its SRTP state across a refresh.
fn configure(stream: &mut Stream, keys: StreamKeys, rtcp_mux: bool, send: bool) {
    let StreamKeys {
        inbound,
        outbound,
        suite,
        our_key,
        their_key,
    } = keys;
    let (suite, ours, theirs) = (&suite, &our_key, &their_key);
    let (inbound_gen, outbound_gen) = match &stream.keys {
        None => (1, 1),
        Some(old) => {
            let same_suite = old.suite == *suite;
            let bump = |same: bool, gen: u64| if same { gen } else { gen + 1 };
            (
                bump(same_suite && old.theirs == *theirs, old.inbound_gen),
                bump(same_suite && old.ours == *ours, old.outbound_gen),
            )
        }
    };
    stream.media.configure(StreamSetup {
        inbound,
        inbound_gen,
        outbound,
        outbound_gen,
        rtcp_mux,
        send,
    });
    stream.keys = Some(Keys {
        suite: suite.clone(),
        ours: ours.clone(),
        theirs: theirs.clone(),
        inbound_gen,
        outbound_gen,
    });
}

/// Our direction lets us send.
fn sends(direction: Option<Direction>) -> bool {
    matches!(
        direction,
        None | Some(Direction::SendRecv) | Some(Direction::SendOnly)
    )
}

impl Settings {
    fn bind(&self, call_id: &str) -> Result<MediaStream, Refusal> {
        MediaStream::bind(self.media_ip, call_id).map_err(|e| {
            tracing::warn!(error = %e, ip = %self.media_ip, "cannot bind a media socket");
            Refusal::Internal
        })
    }

    /// Answers `offer`, running the accepted streams on `streams` (reused where the same
    /// `m=` line keeps its media type). On refusal nothing of the running session changes.
    fn answer_offer(
        &self,
        call_id: &str,
        offer: &SessionDescription,
        streams: &mut Vec<Option<Stream>>,
        previous: Option<&SessionDescription>,
        origin: &Origin,
    ) -> Result<SessionDescription, Refusal> {
        // Only lines our contexts apply are candidates (an unusable first line falls through).
        let offer = sdes::usable_offer(offer);
        let mut fresh: Vec<Option<MediaStream>> = Vec::with_capacity(offer.media.len());
        let mut ports = Vec::with_capacity(offer.media.len());
        for (i, m) in offer.media.iter().enumerate() {
            let running = streams
                .get(i)
                .and_then(Option::as_ref)
                .filter(|s| s.kind == m.media);
            let taken = ports.iter().filter(|p| **p != 0).count();
            let (port, new) = match running {
                _ if !wanted(m) || taken >= MAX_STREAMS_PER_CALL => (0, None),
                Some(s) => (s.media.port(), None),
                None => {
                    let media = self.bind(call_id)?;
                    (media.port(), Some(media))
                }
            };
            ports.push(port);
            fresh.push(new);
        }
        let mut answer =
            offer_answer::answer(&offer, &self.caps(origin), &ports, &mut |s| new_key(s));
        for (i, m) in answer.media.iter_mut().enumerate() {
            if m.port == 0 {
                continue;
            }
            if let Some(offered) = offer.media.get(i) {
                mirror_fmtp(offered, m);
            }
            let running = streams.get(i).and_then(Option::as_ref);
            if let Some(keys) = running
                .filter(|s| s.kind == m.media)
                .and_then(|s| s.keys.as_ref())
            {
                keep_our_key(m, keys);
            }
        }
        if answer.media.iter().all(|m| m.port == 0) {
            return Err(Refusal::NotAcceptable);
        }
        // The SRTP rule, before anything is committed: every stream we answer runs SRTP
        // with both keys, or the offer is refused and the session stays as it was.
        let mut accepted = Vec::with_capacity(answer.media.len());
        for (i, m) in answer.media.iter().enumerate() {
            if m.port == 0 {
                accepted.push(None);
                continue;
            }
            let keys = offer
                .media
                .get(i)
                .and_then(|theirs| accepted_keys(m, theirs))
                .ok_or(Refusal::NotAcceptable)?;
            accepted.push(Some(keys));
        }
        // Commit: from here on the answer is sent.
        let mut old = std::mem::take(streams);
        for (i, (m, keys)) in answer.media.iter().zip(accepted).enumerate() {
            let stream = keys.and_then(|keys| {
                let mut s = match fresh.get_mut(i).and_then(Option::take) {
                    Some(media) => Stream {
                        media,
                        kind: m.media.clone(),
                        keys: None,
                    },
                    None => old.get_mut(i).and_then(Option::take)?,
                };
                configure(&mut s, keys, m.has_rtcp_mux(), sends(m.direction()));
                Some(s)
            });
            streams.push(stream);
        }
        answer.origin = origin.clone();
        if previous.is_some_and(|p| *p != answer) {
            answer.origin.bump_version();
        }
        Ok(answer)
    }

    /// Our offer for an INVITE without one: audio and video on fresh sockets, every suite.
    fn make_offer(
        &self,
        call_id: &str,
        origin: &Origin,
    ) -> Result<(SessionDescription, Vec<Option<Stream>>), Refusal> {
        let mut streams = Vec::new();
        let mut offered = Vec::new();
        for kind in [MediaType::Audio, MediaType::Video] {
            let media = self.bind(call_id)?;
            offered.push(OfferStream {
                media: kind.clone(),
                port: media.port(),
                direction: Direction::SendRecv,
                content: None,
                label: None,
                mid: None,
            });
            streams.push(Some(Stream {
                media,
                kind,
                keys: None,
            }));
        }
        let offer = offer_answer::build_offer(&self.caps(origin), &offered, &mut |s| new_key(s))
            .map_err(|e| {
                tracing::warn!(error = %e, "cannot build an offer");
                Refusal::Internal
            })?;
        Ok((offer, streams))
    }

    /// Applies the answer an ACK brought to our offer `local`; `false` when a stream's crypto
    /// is refused by the SRTP rule or no stream runs (the call then ends).
    fn apply_answer(
        &self,
        local: &SessionDescription,
        answer: &SessionDescription,
        streams: &mut [Option<Stream>],
    ) -> bool {
        let mut accepted = Vec::with_capacity(streams.len());
        for i in 0..streams.len() {
            let keys = match (local.media.get(i), answer.media.get(i)) {
                (Some(ours), Some(m)) if m.port != 0 => match accepted_keys(ours, m) {
                    Some(k) => Some((k, ours.has_rtcp_mux() && m.has_rtcp_mux())),
                    None => return false,
                },
                _ => None,
            };
            accepted.push(keys);
        }
        for (i, (slot, keys)) in streams.iter_mut().zip(accepted).enumerate() {
            match (slot.as_mut(), keys) {
                (Some(stream), Some((keys, mux))) => {
                    let send = sends(Some(answer.direction_of(i).reversed()));
                    configure(stream, keys, mux, send);
                }
                _ => *slot = None,
            }
        }
        streams.iter().any(Option::is_some)
    }
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
mod tests {
    use super::*;
    use roomgate_sip::sdp::Crypto;
    use std::net::Ipv4Addr;

    const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

    fn settings(max_calls: usize) -> Arc<Settings> {
        Arc::new(Settings::new(
            LOCALHOST,
            super::super::EchoConfig::default().suites,
            max_calls,
            "<sips:echo@127.0.0.1:5061;transport=tls>".to_owned(),
        ))
    }

    struct Peer {
        call_id: String,
        from_tag: String,
        to_tag: Option<String>,
        cseq: u32,
    }

    impl Peer {
        fn new() -> Peer {
            Peer {
                call_id: format!("{:x}@test", rand::random::<u64>()),
                from_tag: "gw1".to_owned(),
                to_tag: None,
                cseq: 0,
            }
        }

        fn request(&mut self, method: &str, body: Option<&str>, extra: &[(&str, &str)]) -> Vec<u8> {
            if method != "ACK" && method != "CANCEL" {
                self.cseq += 1;
            }
            let to = match &self.to_tag {
                Some(t) => format!("<sips:echo@127.0.0.1>;tag={t}"),
                None => "<sips:echo@127.0.0.1>".to_owned(),
            };
            let mut msg = OwnedMessage::request(method, "sips:echo@127.0.0.1:5061;transport=tls")
                .with(
                    HeaderName::Via,
                    "SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bKunit",
                )
                .with(HeaderName::MaxForwards, 70)
                .with(
                    HeaderName::From,
                    format!("<sips:gw@127.0.0.1>;tag={}", self.from_tag),
                )
                .with(HeaderName::To, to)
                .with(HeaderName::CallId, &self.call_id)
                .with(HeaderName::CSeq, format!("{} {method}", self.cseq));
            for (name, value) in extra {
                msg.push(HeaderName::from_wire(name), value);
            }
            if !extra.iter().any(|(n, _)| *n == "Contact") {
                msg.push(
                    HeaderName::Contact,
                    "<sips:gw@127.0.0.1:5061;transport=tls>",
                );
            }
            match body {
                Some(b) => msg.with_body(SDP, b.as_bytes().to_vec()).to_bytes(),
                None => msg.to_bytes(),
            }
        }
    }

    /// Status, To tag and body of the response.
    fn send(uas: &mut Uas, bytes: &[u8]) -> (u16, Option<String>, String) {
        let out = uas.handle(bytes).expect("a response");
        let msg = decode_datagram(&out).unwrap();
        (
            msg.status_line().unwrap().code,
            msg.to_header().unwrap().tag().map(str::to_owned),
            String::from_utf8(msg.body.to_vec()).unwrap(),
        )
    }

    fn crypto(tag: u32, suite: CryptoSuite, byte: u8) -> String {
        let len = suite.key_salt_len().map_or(30, |(k, s)| k + s);
        Crypto::new(tag, suite, KeyMaterial::new(vec![byte; len])).to_string()
    }

    fn offer(version: u32, audio_dir: &str, audio_crypto: &str) -> String {
        format!(
            "v=0\r\no=gw 7 {version} IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
             m=audio 40000 RTP/SAVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n\
             a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=crypto:{audio_crypto}\r\n\
             a=rtcp-mux\r\na={audio_dir}\r\n\
             m=video 40002 RTP/SAVP 96\r\na=rtpmap:96 H264/90000\r\n\
             a=fmtp:96 profile-level-id=640c1f;packetization-mode=1\r\na=crypto:{}\r\n\
             a=rtcp-mux\r\n",
            crypto(3, CryptoSuite::AeadAes256Gcm, 9)
        )
    }

    fn parse(body: &str) -> SessionDescription {
        SessionDescription::parse(body.as_bytes()).unwrap()
    }

    fn our_key(sdp: &SessionDescription, i: usize) -> Vec<u8> {
        sdp.media[i].cryptos().next().unwrap().key_params[0]
            .key
            .expose_secret()
            .to_vec()
    }

    #[tokio::test]
    async fn methods_outside_calls() {
        let mut uas = Uas::new(settings(4));
        let mut peer = Peer::new();
        let out = uas.handle(&peer.request("OPTIONS", None, &[])).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("SIP/2.0 200 OK\r\n"), "{text}");
        assert!(text.contains(&format!("Allow: {ALLOW}\r\n")));
        assert_eq!(send(&mut uas, &peer.request("REGISTER", None, &[])).0, 405);
        assert_eq!(
            send(&mut uas, &peer.request("FROBNICATE", None, &[])).0,
            501
        );
        assert_eq!(send(&mut uas, &peer.request("BYE", None, &[])).0, 481);
        assert_eq!(send(&mut uas, &peer.request("CANCEL", None, &[])).0, 481);
        assert!(uas.handle(&peer.request("ACK", None, &[])).is_none());
        let body = offer(1, "sendrecv", &crypto(1, CryptoSuite::AeadAes256Gcm, 1));
        let invite = peer.request("INVITE", Some(&body), &[("Require", "100rel")]);
        let out = String::from_utf8(uas.handle(&invite).unwrap()).unwrap();
        assert!(out.starts_with("SIP/2.0 420 "), "{out}");
        assert!(out.contains("Unsupported: 100rel\r\n"));
        let invite = peer.request("INVITE", Some(&body), &[("Require", "timer")]);
        assert_eq!(send(&mut uas, &invite).0, 420);
        // Not SIP at all: nothing to answer. Missing Call-ID: 400.
        assert!(uas.handle(b"hello\r\n\r\n").is_none());
        let broken = b"OPTIONS sips:echo@127.0.0.1 SIP/2.0\r\n\
            Via: SIP/2.0/TLS 127.0.0.1;branch=z9hG4bKx\r\n\
            From: <sips:a@b>;tag=1\r\nTo: <sips:echo@127.0.0.1>\r\n\
            CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
        let out = uas.handle(broken).unwrap();
        assert!(out.starts_with(b"SIP/2.0 400 Bad Request\r\n"));
        assert_eq!(uas.call_count(), 0);
    }

    #[tokio::test]
    async fn invite_reinvite_and_bye() {
        let settings = settings(4);
        let mut uas = Uas::new(settings.clone());
        let mut peer = Peer::new();
        let first = offer(1, "sendrecv", &crypto(1, CryptoSuite::AeadAes256Gcm, 1));
        let (code, tag, body) = send(&mut uas, &peer.request("INVITE", Some(&first), &[]));
        assert_eq!(code, 200);
        peer.to_tag = tag;
        let answer = parse(&body);
        assert_eq!(answer.origin.session_version, "1");
        assert_eq!(answer.media.len(), 2);
        let audio = &answer.media[0];
        assert_ne!(audio.port, 0);
        assert_eq!(audio.formats, ["0", "101"]);
        assert_eq!(audio.direction(), Some(Direction::SendRecv));
        assert!(audio.has_rtcp_mux());
        let video = &answer.media[1];
        assert_ne!(video.port, 0);
        assert_eq!(
            video.fmtp("96").unwrap().params,
            "profile-level-id=640c1f;packetization-mode=1",
            "the offer's H.264 parameters come back"
        );
        let video_crypto = video.cryptos().next().unwrap();
        assert_eq!(
            (video_crypto.tag, &video_crypto.suite),
            (3, &CryptoSuite::AeadAes256Gcm)
        );
        assert_eq!(settings.active_calls(), 1);
        assert!(uas.handle(&peer.request("ACK", None, &[])).is_none());

        // A refresh with the same offer: the same answer, version included.
        let (code, _, body) = send(&mut uas, &peer.request("INVITE", Some(&first), &[]));
        assert_eq!(code, 200);
        assert_eq!(parse(&body), answer);
        uas.handle(&peer.request("ACK", None, &[]));

        // The offerer re-keys: our ports and key stay.
        let rekeyed = offer(2, "sendrecv", &crypto(1, CryptoSuite::AeadAes256Gcm, 2));
        let (code, _, body) = send(&mut uas, &peer.request("INVITE", Some(&rekeyed), &[]));
        assert_eq!(code, 200);
        let again = parse(&body);
        assert_eq!(again, answer);
        uas.handle(&peer.request("ACK", None, &[]));

        // Hold: the answer changes, so does the version; the suite changes, so does our key.
        let hold = offer(
            3,
            "sendonly",
            &crypto(1, CryptoSuite::AesCm128HmacSha1_80, 3),
        );
        let (code, _, body) = send(&mut uas, &peer.request("INVITE", Some(&hold), &[]));
        assert_eq!(code, 200);
        let held = parse(&body);
        assert_eq!(held.origin.session_version, "2");
        assert_eq!(held.media[0].port, answer.media[0].port);
        assert_eq!(held.media[0].direction(), Some(Direction::RecvOnly));
        assert_ne!(our_key(&held, 0), our_key(&answer, 0));
        assert_eq!(our_key(&held, 1), our_key(&answer, 1), "video unchanged");
        uas.handle(&peer.request("ACK", None, &[]));

        // Nothing acceptable: 488, and the call goes on.
        let bad = offer(4, "sendrecv", &crypto(1, CryptoSuite::F8_128HmacSha1_80, 4))
            .replace("a=crypto:3 AEAD_AES_256_GCM", "a=crypto:3 NOT_A_SUITE");
        let (code, _, _) = send(&mut uas, &peer.request("INVITE", Some(&bad), &[]));
        assert_eq!(code, 488);
        uas.handle(&peer.request("ACK", None, &[]));
        assert_eq!(settings.active_calls(), 1);

        // In-dialog OPTIONS and INFO are fine; UPDATE is not ours.
        assert_eq!(send(&mut uas, &peer.request("OPTIONS", None, &[])).0, 200);
        assert_eq!(send(&mut uas, &peer.request("INFO", None, &[])).0, 200);
        assert_eq!(send(&mut uas, &peer.request("UPDATE", None, &[])).0, 405);

        assert_eq!(send(&mut uas, &peer.request("BYE", None, &[])).0, 200);
        assert_eq!(settings.active_calls(), 0);
        assert_eq!(send(&mut uas, &peer.request("BYE", None, &[])).0, 481);
    }

    #[tokio::test]
    async fn delayed_offer_takes_the_answer_from_ack() {
        let settings = settings(4);
        let mut uas = Uas::new(settings.clone());
        let mut peer = Peer::new();
        let (code, tag, body) = send(&mut uas, &peer.request("INVITE", None, &[]));
        assert_eq!(code, 200);
        peer.to_tag = tag;
        let ours = parse(&body);
        assert_eq!(ours.media.len(), 2);
        for m in &ours.media {
            assert_eq!(m.proto.as_str(), "RTP/SAVP");
            assert_eq!(m.cryptos().count(), 4);
            assert!(m.has_rtcp_mux());
        }
        assert_eq!(
            ours.media[0].cryptos().next().unwrap().suite,
            CryptoSuite::AeadAes256Gcm
        );
        // Answer audio with tag 2 (AES_256_CM), refuse video.
        let answer = format!(
            "v=0\r\no=gw 7 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
             m=audio 40000 RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\na=crypto:{}\r\na=rtcp-mux\r\n\
             m=video 0 RTP/SAVP 97\r\n",
            crypto(2, CryptoSuite::Aes256CmHmacSha1_80, 5)
        );
        assert!(uas
            .handle(&peer.request("ACK", Some(&answer), &[]))
            .is_none());
        assert_eq!(settings.active_calls(), 1);
        let call = uas.calls.values().next().unwrap();
        assert!(call.streams[0].is_some());
        assert!(call.streams[1].is_none());
        assert_eq!(
            call.streams[0]
                .as_ref()
                .unwrap()
                .keys
                .as_ref()
                .unwrap()
                .suite,
            CryptoSuite::Aes256CmHmacSha1_80
        );

        // A re-INVITE without an offer gets the session as it is, answered in the ACK.
        let (code, _, body) = send(&mut uas, &peer.request("INVITE", None, &[]));
        assert_eq!(code, 200);
        assert_eq!(parse(&body), ours);
        assert!(uas
            .handle(&peer.request("ACK", Some(&answer), &[]))
            .is_none());
        assert_eq!(settings.active_calls(), 1);

        // An ACK without the answer ends the call.
        let mut other = Peer::new();
        let (code, tag, _) = send(&mut uas, &other.request("INVITE", None, &[]));
        assert_eq!(code, 200);
        other.to_tag = tag;
        assert_eq!(settings.active_calls(), 2);
        assert!(uas.handle(&other.request("ACK", None, &[])).is_none());
        assert_eq!(settings.active_calls(), 1);
    }

    #[tokio::test]
    async fn cancel_retransmission_and_capacity() {
        let settings = settings(1);
        let mut uas = Uas::new(settings.clone());
        let mut peer = Peer::new();
        let body = offer(1, "sendrecv", &crypto(1, CryptoSuite::AeadAes256Gcm, 1));
        let invite = peer.request("INVITE", Some(&body), &[]);
        let (code, tag, first) = send(&mut uas, &invite);
        assert_eq!(code, 200);
        // The same INVITE again: the same answer, no second call.
        let (code, again_tag, again) = send(&mut uas, &invite);
        assert_eq!((code, &again_tag, &again), (200, &tag, &first));
        assert_eq!(settings.active_calls(), 1);
        // CANCEL of the answered INVITE: 200, the call stays (the INVITE completed).
        assert_eq!(send(&mut uas, &peer.request("CANCEL", None, &[])).0, 200);
        assert_eq!(settings.active_calls(), 1);
        // Full.
        let mut second = Peer::new();
        assert_eq!(
            send(&mut uas, &second.request("INVITE", Some(&body), &[])).0,
            486
        );
        // INVITE without Contact cannot make a dialog: refused, nothing kept.
        peer.to_tag = tag;
        assert_eq!(send(&mut uas, &peer.request("BYE", None, &[])).0, 200);
        let mut third = Peer::new();
        let no_contact = third.request("INVITE", Some(&body), &[("Contact", "")]);
        let no_contact = String::from_utf8(no_contact)
            .unwrap()
            .replace("Contact: \r\n", "");
        assert_eq!(send(&mut uas, no_contact.as_bytes()).0, 400);
        assert_eq!(settings.active_calls(), 0);
        assert_eq!(
            send(&mut uas, &second.request("INVITE", Some(&body), &[])).0,
            200
        );
    }

    #[test]
    fn crypto_lines_we_cannot_honour_are_dropped() {
        let ok = Crypto::parse(&crypto(1, CryptoSuite::AeadAes256Gcm, 1)).unwrap();
        assert!(sdes::line_policy(&ok).is_ok());
        let kdr = Crypto::parse(&format!(
            "{} KDR=2",
            crypto(1, CryptoSuite::AeadAes256Gcm, 1)
        ))
        .unwrap();
        assert_eq!(sdes::line_policy(&kdr).err(), Some(sdes::Unusable::Kdr));
        let wsh = Crypto::parse(&format!(
            "{} WSH=128",
            crypto(1, CryptoSuite::AeadAes256Gcm, 1)
        ))
        .unwrap();
        assert!(sdes::line_policy(&wsh).is_ok());
        let f8 = Crypto::parse(&crypto(1, CryptoSuite::F8_128HmacSha1_80, 1)).unwrap();
        assert_eq!(sdes::line_policy(&f8).err(), Some(sdes::Unusable::Suite));
    }
}
