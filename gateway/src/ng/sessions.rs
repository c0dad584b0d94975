//! The ng calls: what `offer`, `answer`, `delete`, `query`, `list` and `ping` do to the relay.
//!
//! A call is keyed by its SIP Call-ID; its two sides by their tags (the offerer's From tag,
//! the answerer's To tag once an answer names it). Side 0 is relay leg A, side 1 leg B. An
//! `offer` from a side keeps the endpoint's SDP, and returns it rewritten toward the other
//! side with that side's relay ports and our keys; the `answer` does the same the other way
//! and then configures the relay from the two sides' SDP pairs through the same mapping and
//! bridge decision as gateway calls ([`negotiate::negotiated`], [`negotiate::bridge_streams`]):
//! the same SRTP rule (a side that signals SRTP gets both contexts or the answer is refused
//! with an ng error, never relayed in the clear), the same latching, pass-through or
//! transcoding. Every offer and answer carries fresh keys of ours, so a re-offer re-keys
//! both directions; the relay ports of a call never change.
//!
//! Sans-IO: time, the relay (through [`MediaPlane`]) and randomness ([`Ids`]) are handed in.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use roomgate_media::relay::{Leg, LocalPorts, SessionId, StreamKind};
use roomgate_sip::sdp::{Proto, SessionDescription};

use super::bencode::Value;
use super::flags::{FlagError, Flags, Sdes};
use super::message::{Command, OfferAnswer, Response};
use super::rewrite::{rewrite, Rewrite, RewriteError, RtcpMux};
use super::side::{self, SideError};
use crate::call::media_plane::MediaPlane;
use crate::call::negotiate;
use crate::call::sip_leg::Ids;

/// Most ng calls at once (each holds a relay session; the relay's own limit applies too).
pub const MAX_NG_CALLS: usize = 4096;

/// Longest Call-ID or tag we keep (Kamailio's are tens of bytes).
pub const MAX_ID_LEN: usize = 256;

/// `list` answers at most this many Call-IDs, and this many when no `limit` is given.
pub const MAX_LIST: usize = 1000;
pub const DEFAULT_LIST: usize = 32;

/// A call whose relay saw no packet and whose proxy sent nothing for this long is dropped
/// (rtpengine's default media timeout): a proxy that lost a `delete` does not leak ports.
pub const MEDIA_TIMEOUT: Duration = Duration::from_secs(60);

/// The same for a call never answered: a call may ring for minutes without early media.
pub const SETUP_TIMEOUT: Duration = Duration::from_secs(300);

/// Why a command failed; the text is the `error-reason`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallError {
    #[error("Unknown call-id")]
    UnknownCall,
    #[error("Unknown tag")]
    UnknownTag,
    #[error("no offer to answer")]
    NoOffer,
    #[error("{0} longer than {MAX_ID_LEN} bytes")]
    TooLong(&'static str),
    #[error("too many calls (limit {MAX_NG_CALLS})")]
    TooManyCalls,
    #[error("Failed to parse SDP: {0}")]
    Sdp(String),
    #[error(transparent)]
    Flags(#[from] FlagError),
    #[error(transparent)]
    Side(#[from] SideError),
    #[error(transparent)]
    Rewrite(#[from] RewriteError),
    #[error("SRTP refused on the {side} side: {why}")]
    SrtpRefused { side: &'static str, why: String },
    #[error("the sides cannot be bridged: {0}")]
    Bridge(String),
    #[error("media relay: {0}")]
    Relay(String),
    #[error("Unrecognized command {0}")]
    Unsupported(String),
}

/// One side of a call.
#[derive(Debug, Clone, Default)]
struct Side {
    tag: Option<String>,
    /// The endpoint's last SDP (its offer or answer), as received and as read.
    raw: Vec<u8>,
    theirs: Option<SessionDescription>,
    /// Our last SDP toward it.
    ours: Option<SessionDescription>,
}

#[derive(Debug)]
struct NgCall {
    session: SessionId,
    sides: [Side; 2],
    /// The options of the last offer: its answer follows them (SDES choice, rtcp-mux).
    offer_flags: Flags,
    /// The side whose answer the last offer waits for.
    pending: Option<usize>,
    created_unix: u64,
    last_signal_unix: u64,
    /// Last signalling or relay packet, for [`MEDIA_TIMEOUT`].
    last_activity: Instant,
    /// Packets the relay had accepted on the call at the last check.
    last_rx: u64,
    /// An answer was applied (the relay bridges the sides).
    answered: bool,
}

impl NgCall {
    /// When the call is dropped if nothing happens until then.
    fn expiry(&self) -> Instant {
        let timeout = if self.answered {
            MEDIA_TIMEOUT
        } else {
            SETUP_TIMEOUT
        };
        self.last_activity + timeout
    }
}

impl NgCall {
    fn side_of(&self, tag: &str) -> Option<usize> {
        self.sides
            .iter()
            .position(|s| s.tag.as_deref() == Some(tag))
    }
}

fn leg(side: usize) -> Leg {
    if side == 0 {
        Leg::A
    } else {
        Leg::B
    }
}

/// The ng calls of one relay.
pub struct NgCalls {
    media_ip: IpAddr,
    ids: Ids,
    calls: BTreeMap<String, NgCall>,
}

impl NgCalls {
    /// Calls whose SDP names `media_ip` (the relay's address), keys drawn from `ids`.
    pub fn new(media_ip: IpAddr, ids: Ids) -> Self {
        NgCalls {
            media_ip,
            ids,
            calls: BTreeMap::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.calls.len()
    }

    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    /// Carries out one command; `unix` is wall-clock seconds (for `created`).
    pub fn handle(
        &mut self,
        now: Instant,
        unix: u64,
        media: &MediaPlane,
        command: &Command,
    ) -> Response {
        let r = match command {
            Command::Ping => return Response::Pong,
            Command::Offer(oa) => self.offer(now, unix, media, oa),
            Command::Answer(oa) => self.answer(now, unix, media, oa),
            Command::Delete { call_id, .. } => self.delete(media, call_id),
            Command::Query { call_id } => self.query(media, call_id),
            Command::List { limit } => Ok(self.list(*limit)),
            other => Err(CallError::Unsupported(
                other.name().chars().take(32).collect(),
            )),
        };
        match r {
            Ok(entries) => Response::Ok(entries),
            Err(e) => {
                tracing::info!(command = command.name(), error = %e, "ng command refused");
                Response::Error(e.to_string())
            }
        }
    }

    fn offer(
        &mut self,
        now: Instant,
        unix: u64,
        media: &MediaPlane,
        oa: &OfferAnswer,
    ) -> Result<Vec<(String, Value)>, CallError> {
        check_ids(oa)?;
        let flags = Flags::read(oa)?;
        let mut theirs =
            SessionDescription::parse(&oa.sdp).map_err(|e| CallError::Sdp(e.to_string()))?;
        flags.apply_source(&mut theirs);
        side::check_keys(&theirs)?;
        let (s, session, new) = match self.calls.get(&oa.call_id) {
            Some(c) => (
                c.side_of(&oa.from_tag).ok_or(CallError::UnknownTag)?,
                c.session,
                false,
            ),
            None => {
                if self.calls.len() >= MAX_NG_CALLS {
                    return Err(CallError::TooManyCalls);
                }
                let video = negotiate::offers_video(&theirs);
                let session = media
                    .add_session(negotiate::reserve_streams(video))
                    .map_err(|e| CallError::Relay(e.to_string()))?;
                (0, session, true)
            }
        };
        let r = 1 - s;
        if let Some(sdp) = self.repeated(&oa.call_id, s, Some(r), &oa.sdp) {
            return Ok(vec![("sdp".into(), Value::Bytes(sdp))]);
        }
        let built = self.offer_toward(media, session, r, &theirs, &flags);
        let out = match built {
            Ok(out) => out,
            Err(e) => {
                if new {
                    media
                        .on_session(session, move |rl, _| rl.remove_session(session))
                        .ok();
                }
                return Err(e);
            }
        };
        let sdp = out.to_bytes();
        let call = self
            .calls
            .entry(oa.call_id.clone())
            .or_insert_with(|| NgCall {
                session,
                sides: Default::default(),
                offer_flags: Flags::default(),
                pending: None,
                created_unix: unix,
                last_signal_unix: unix,
                last_activity: now,
                last_rx: 0,
                answered: false,
            });
        if let Some(side) = call.sides.get_mut(s) {
            side.tag = Some(oa.from_tag.clone());
            side.raw = oa.sdp.clone();
            side.theirs = Some(theirs);
        }
        if let Some(side) = call.sides.get_mut(r) {
            if side.tag.is_none() {
                side.tag = oa.to_tag.clone();
            }
            side.ours = Some(out);
        }
        call.offer_flags = flags;
        call.pending = Some(r);
        call.last_signal_unix = unix;
        call.last_activity = now;
        tracing::info!(call_id = %oa.call_id, side = s, new, "ng offer");
        Ok(vec![("sdp".into(), Value::Bytes(sdp))])
    }

    /// Our SDP already sent for the same SDP from side `from`, when this is a repetition
    /// with a new cookie (Kamailio runs `rtpengine_answer` for every retransmitted 200, and
    /// the endpoint keeps the keys of the first): the offer again while its answer is still
    /// awaited (`pending` is the side awaited), or the answer again once applied (`None`).
    /// Re-keying then would leave the endpoint with keys the relay no longer uses.
    fn repeated(
        &self,
        call_id: &str,
        from: usize,
        pending: Option<usize>,
        sdp: &[u8],
    ) -> Option<Vec<u8>> {
        let call = self.calls.get(call_id)?;
        let side = call.sides.get(from)?;
        if call.pending != pending || side.raw != sdp || side.theirs.is_none() {
            return None;
        }
        let to = 1 - from;
        call.sides
            .get(to)?
            .ours
            .as_ref()
            .map(SessionDescription::to_bytes)
    }

    /// Our offer toward side `r`: the offerer's SDP on `r`'s relay ports, its codecs edited,
    /// our keys when `r`'s profile is SRTP.
    fn offer_toward(
        &mut self,
        media: &MediaPlane,
        session: SessionId,
        r: usize,
        theirs: &SessionDescription,
        flags: &Flags,
    ) -> Result<SessionDescription, CallError> {
        let mut src = theirs.clone();
        let strip = side::edit_offer_codecs(&mut src, &flags.codec);
        let ports = side::ports_of(&src, local_ports(media, session, r));
        let cryptos = side::offer_cryptos(&src, &flags.sdes, &mut self.ids)?;
        let m = flags.mux;
        let rtcp_mux = if m.reject || m.demux {
            RtcpMux::Remove
        } else if m.offer {
            RtcpMux::Offer
        } else {
            RtcpMux::Keep
        };
        let rw = Rewrite {
            media_ip: Some(self.media_ip),
            ports,
            replace_origin: flags.replace_origin,
            replace_session_connection: flags.replace_session_connection,
            remove_ice: true,
            rtcp_mux,
            transport: flags.transport.clone(),
            cryptos,
            strip,
        };
        Ok(rewrite(&src, &rw)?)
    }

    fn answer(
        &mut self,
        now: Instant,
        unix: u64,
        media: &MediaPlane,
        oa: &OfferAnswer,
    ) -> Result<Vec<(String, Value)>, CallError> {
        check_ids(oa)?;
        let call = self.calls.get(&oa.call_id).ok_or(CallError::UnknownCall)?;
        let s = call.side_of(&oa.from_tag).ok_or(CallError::UnknownTag)?;
        let r = 1 - s;
        if let Some(sdp) = self.repeated(&oa.call_id, r, None, &oa.sdp) {
            return Ok(vec![("sdp".into(), Value::Bytes(sdp))]);
        }
        let answerer = call.sides.get(r).ok_or(CallError::NoOffer)?;
        if answerer.tag.is_some() && answerer.tag != oa.to_tag {
            return Err(CallError::UnknownTag);
        }
        let offer = call
            .sides
            .get(s)
            .and_then(|x| x.theirs.clone())
            .ok_or(CallError::NoOffer)?;
        let our_offer = answerer.ours.clone().ok_or(CallError::NoOffer)?;
        let session = call.session;
        let offer_flags = call.offer_flags.clone();
        let flags = Flags::read(oa)?;
        let mut theirs =
            SessionDescription::parse(&oa.sdp).map_err(|e| CallError::Sdp(e.to_string()))?;
        flags.apply_source(&mut theirs);
        side::check_keys(&theirs)?;

        // Our answer toward the offerer: the answer on the offerer's ports, in the offerer's
        // profile, with our line for the offerer's chosen suite.
        let mut src = theirs.clone();
        side::fit_answer(&mut src, &offer)?;
        // Any suite we run is accepted from the offerer: `SDES` options shape our offer to
        // the answerer, and an offerer that signals SRTP is answered with SRTP or not at all.
        let cryptos = side::answer_cryptos(&offer, &Sdes::default(), &mut self.ids)?;
        let offered_mux = offer.media.first().is_some_and(|m| m.has_rtcp_mux());
        let answered_mux = theirs.media.first().is_some_and(|m| m.has_rtcp_mux());
        let m = offer_flags.mux;
        let mux = offered_mux && !m.reject && (m.accept || m.demux || answered_mux);
        let rw = Rewrite {
            media_ip: Some(self.media_ip),
            ports: side::ports_of(&src, local_ports(media, session, s)),
            replace_origin: flags.replace_origin || offer_flags.replace_origin,
            replace_session_connection: flags.replace_session_connection
                || offer_flags.replace_session_connection,
            remove_ice: true,
            rtcp_mux: if mux { RtcpMux::Offer } else { RtcpMux::Remove },
            transport: offer
                .media
                .iter()
                .find(|m| m.port != 0 && m.proto.is_rtp())
                .map(|m| m.proto.clone())
                .filter(|p| !matches!(p, Proto::Other(_))),
            cryptos,
            strip: Vec::new(),
        };
        let out = rewrite(&src, &rw)?;

        // The relay, from both sides' SDP pairs: the gateway's SRTP rule and bridge.
        let refused = |side: &'static str| {
            move |e: negotiate::CryptoRefused| CallError::SrtpRefused {
                side,
                why: e.to_string(),
            }
        };
        let offerer = negotiate::negotiated(&out, &offer).map_err(refused("offerer's"))?;
        let answering =
            negotiate::negotiated(&our_offer, &theirs).map_err(refused("answerer's"))?;
        let (a, b) = if s == 0 {
            (&offerer, &answering)
        } else {
            (&answering, &offerer)
        };
        let (streams, path) =
            negotiate::bridge_streams(a, b).map_err(|e| CallError::Bridge(e.to_string()))?;
        media
            .on_session(session, move |rl, t| {
                rl.reconfigure_session(t, session, &streams)
            })
            .map_err(|e| CallError::Relay(e.to_string()))?;
        let sdp = out.to_bytes();
        if let Some(call) = self.calls.get_mut(&oa.call_id) {
            if let Some(x) = call.sides.get_mut(r) {
                x.tag = oa.to_tag.clone();
                x.raw = oa.sdp.clone();
                x.theirs = Some(theirs);
            }
            if let Some(x) = call.sides.get_mut(s) {
                x.ours = Some(out);
            }
            call.pending = None;
            call.answered = true;
            call.last_signal_unix = unix;
            call.last_activity = now;
        }
        tracing::info!(call_id = %oa.call_id, audio = ?path,
            a_srtp = a.audio_suite().is_some(), b_srtp = b.audio_suite().is_some(), "ng answer: media bridged");
        Ok(vec![("sdp".into(), Value::Bytes(sdp))])
    }

    fn delete(
        &mut self,
        media: &MediaPlane,
        call_id: &str,
    ) -> Result<Vec<(String, Value)>, CallError> {
        let stats = self.query(media, call_id)?;
        if let Some(call) = self.calls.remove(call_id) {
            let [a_packets, b_packets] = received(media, call.session);
            remove(media, call.session);
            tracing::info!(call_id, a_packets, b_packets, "ng call deleted");
        }
        Ok(stats)
    }

    /// rtpengine's `query` answer, in part: `created`, `last signal`, per tag its streams
    /// with our local port, the latched endpoint and what the relay accepted from it, and
    /// `totals` (RTP and RTCP counted together under `RTP`).
    fn query(&self, media: &MediaPlane, call_id: &str) -> Result<Vec<(String, Value)>, CallError> {
        let call = self.calls.get(call_id).ok_or(CallError::UnknownCall)?;
        let mut tags = Vec::new();
        let (mut packets, mut bytes) = (0u64, 0u64);
        for (i, side) in call.sides.iter().enumerate() {
            let Some(tag) = &side.tag else { continue };
            let mut medias = Vec::new();
            for (index, kind, name) in [
                (1, StreamKind::Audio, "audio"),
                (2, StreamKind::Video, "video"),
            ] {
                let session = call.session;
                let got = media.query(session, move |r, _| {
                    Some((
                        r.local_ports(session, leg(i), kind)?,
                        r.leg_stats(session, leg(i), kind)?,
                    ))
                });
                let Some((ports, st)) = got else { continue };
                packets = packets.saturating_add(st.rx_packets);
                bytes = bytes.saturating_add(st.rx_bytes);
                let mut stream = vec![
                    (b"local port".to_vec(), Value::Int(i64::from(ports.rtp))),
                    (b"stats".to_vec(), counters(st.rx_packets, st.rx_bytes)),
                    (b"sent".to_vec(), counters(st.tx_packets, st.tx_bytes)),
                ];
                if let Some(e) = st.latched {
                    stream.push((
                        b"endpoint".to_vec(),
                        Value::Dict(vec![
                            (
                                b"family".to_vec(),
                                Value::bytes(if e.is_ipv4() { "IP4" } else { "IP6" }),
                            ),
                            (b"address".to_vec(), Value::bytes(e.ip().to_string())),
                            (b"port".to_vec(), Value::Int(i64::from(e.port()))),
                        ]),
                    ));
                }
                medias.push(Value::Dict(vec![
                    (b"index".to_vec(), Value::Int(index)),
                    (b"type".to_vec(), Value::bytes(name)),
                    (b"streams".to_vec(), Value::List(vec![Value::Dict(stream)])),
                ]));
            }
            tags.push((
                tag.as_bytes().to_vec(),
                Value::Dict(vec![
                    (b"tag".to_vec(), Value::bytes(tag.as_bytes())),
                    (b"medias".to_vec(), Value::List(medias)),
                ]),
            ));
        }
        Ok(vec![
            ("created".into(), Value::Int(unix_int(call.created_unix))),
            (
                "last signal".into(),
                Value::Int(unix_int(call.last_signal_unix)),
            ),
            ("tags".into(), Value::Dict(tags)),
            (
                "totals".into(),
                Value::Dict(vec![(b"RTP".to_vec(), counters(packets, bytes))]),
            ),
        ])
    }

    fn list(&self, limit: Option<u32>) -> Vec<(String, Value)> {
        let n = limit.map_or(DEFAULT_LIST, |l| usize::try_from(l).unwrap_or(MAX_LIST));
        let calls = self
            .calls
            .keys()
            .take(n.min(MAX_LIST))
            .map(|k| Value::bytes(k.as_bytes()))
            .collect();
        vec![("calls".into(), Value::List(calls))]
    }

    /// When [`NgCalls::handle_timeout`] should next run.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.calls.values().map(NgCall::expiry).min()
    }

    /// Drops the calls that saw neither a packet nor a command for [`MEDIA_TIMEOUT`]
    /// ([`SETUP_TIMEOUT`] before their answer);
    /// returns their Call-IDs.
    pub fn handle_timeout(&mut self, now: Instant, media: &MediaPlane) -> Vec<String> {
        let mut dropped = Vec::new();
        for (id, call) in &mut self.calls {
            let [a, b] = received(media, call.session);
            let rx = a.saturating_add(b);
            if rx != call.last_rx {
                call.last_rx = rx;
                call.last_activity = now;
            }
            if now >= call.expiry() {
                dropped.push(id.clone());
            }
        }
        for id in &dropped {
            if let Some(call) = self.calls.remove(id) {
                remove(media, call.session);
                tracing::info!(call_id = %id, "ng call timed out without media or signalling");
            }
        }
        dropped
    }

    /// Releases every call's relay session (at shutdown).
    pub fn close_all(&mut self, media: &MediaPlane) {
        for (_, call) in std::mem::take(&mut self.calls) {
            remove(media, call.session);
        }
    }
}

fn check_ids(oa: &OfferAnswer) -> Result<(), CallError> {
    if oa.call_id.len() > MAX_ID_LEN {
        return Err(CallError::TooLong("call-id"));
    }
    if oa.from_tag.len() > MAX_ID_LEN || oa.to_tag.as_ref().is_some_and(|t| t.len() > MAX_ID_LEN) {
        return Err(CallError::TooLong("tag"));
    }
    Ok(())
}

/// Our audio and video ports on side `side`'s leg.
fn local_ports(media: &MediaPlane, session: SessionId, side: usize) -> [Option<LocalPorts>; 2] {
    [StreamKind::Audio, StreamKind::Video].map(|k| media.local_ports(session, leg(side), k))
}

/// Ends a call's relay session (a session already gone is not an error here).
fn remove(media: &MediaPlane, session: SessionId) {
    media
        .on_session(session, move |r, _| r.remove_session(session))
        .ok();
}

/// Packets the relay accepted from each side of a session (leg A, leg B), all streams.
fn received(media: &MediaPlane, session: SessionId) -> [u64; 2] {
    media
        .query(session, move |r, _| {
            Some([Leg::A, Leg::B].map(|l| {
                [StreamKind::Audio, StreamKind::Video]
                    .map(|k| r.leg_stats(session, l, k).map_or(0, |s| s.rx_packets))
                    .into_iter()
                    .fold(0u64, u64::saturating_add)
            }))
        })
        .unwrap_or([0, 0])
}

fn counters(packets: u64, bytes: u64) -> Value {
    let int = |v: u64| Value::Int(i64::try_from(v).unwrap_or(i64::MAX));
    Value::Dict(vec![
        (b"packets".to_vec(), int(packets)),
        (b"bytes".to_vec(), int(bytes)),
        (b"errors".to_vec(), Value::Int(0)),
    ])
}

fn unix_int(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}
