//! The SDP and media of one echo call: offers answered and made through the legs'
//! negotiation ([`crate::call::negotiate`]), each accepted stream run on its own socket with
//! the keys the SRTP rule ([`crate::call::sdes::stream_keys`]) accepted. Kept apart from the
//! SIP side ([`super`]) because nothing here looks at a request: a refused offer changes
//! nothing of the running session, whatever the request was.

use roomgate_media::relay::StreamKind;
use roomgate_sip::sdp::{
    Attribute, AttributeValue, CryptoSuite, Direction, KeyParam, MediaDescription, MediaType,
    Origin, SessionDescription,
};

use super::{Refusal, Settings, MAX_STREAMS_PER_CALL};
use crate::call::negotiate;
use crate::call::sdes::{self, StreamKeys};
use crate::echo::media::{MediaStream, StreamSetup};

/// The keys a running stream uses, kept to notice what a renegotiation changes.
pub(super) struct Keys {
    pub(super) suite: CryptoSuite,
    ours: KeyParam,
    theirs: KeyParam,
    inbound_gen: u64,
    outbound_gen: u64,
}

/// One running `m=` line: its socket and task, and the keys it was last given.
pub(super) struct Stream {
    media: MediaStream,
    kind: MediaType,
    pub(super) keys: Option<Keys>,
}

/// Streams we open a socket for before asking the offer/answer code.
fn wanted(m: &MediaDescription) -> bool {
    m.port != 0 && m.proto.is_sdes_srtp() && matches!(m.media, MediaType::Audio | MediaType::Video)
}

/// An answer's format parameters are exactly the offer's: what comes back is what was sent,
/// so the answer describes the offer's stream, not our table's (its Opus FEC, its event
/// range, its H.264 profile). Where the offer has no `fmtp` for a format, ours is dropped.
fn mirror_fmtp(offer: &MediaDescription, answer: &mut MediaDescription) {
    let theirs = |format: &str| {
        offer
            .attributes
            .iter()
            .find(|a| matches!(a.value(), AttributeValue::Fmtp(f) if f.format == format))
            .cloned()
    };
    answer.attributes = std::mem::take(&mut answer.attributes)
        .into_iter()
        .filter_map(|attribute| match attribute.value() {
            AttributeValue::Fmtp(ours) => theirs(&ours.format),
            _ => Some(attribute),
        })
        .collect();
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
    pub(super) fn answer_offer(
        &self,
        call_id: &str,
        offer: &SessionDescription,
        streams: &mut Vec<Option<Stream>>,
        previous: Option<&SessionDescription>,
        origin: &Origin,
    ) -> Result<SessionDescription, Refusal> {
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
        // The legs' answer (and so their crypto-line filtering and key generation).
        let mut answer = negotiate::answer_on_ports(offer, &self.caps(origin), &ports);
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
    pub(super) fn make_offer(
        &self,
        call_id: &str,
        origin: &Origin,
    ) -> Result<(SessionDescription, Vec<Option<Stream>>), Refusal> {
        let mut streams = Vec::new();
        let mut offered = Vec::new();
        for (kind, media_type) in [
            (StreamKind::Audio, MediaType::Audio),
            (StreamKind::Video, MediaType::Video),
        ] {
            let media = self.bind(call_id)?;
            offered.push((kind, media.port()));
            streams.push(Some(Stream {
                media,
                kind: media_type,
                keys: None,
            }));
        }
        let offer =
            negotiate::offer(&self.caps(origin), &offered, Direction::SendRecv).map_err(|e| {
                tracing::warn!(error = %e, "cannot build an offer");
                Refusal::Internal
            })?;
        Ok((offer, streams))
    }

    /// Applies the answer an ACK brought to our offer `local`; `false` when a stream's crypto
    /// is refused by the SRTP rule or no stream runs (the call then ends).
    pub(super) fn apply_answer(
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
