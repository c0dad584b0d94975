//! Our SDP on one leg: offers and answers built from the leg's policy and the relay ports
//! reserved for it, and the relay updates a negotiated leg's `MediaSpec` turns into. SDP never
//! crosses from one leg to the other; what one leg's SDP means reaches the other only as a
//! `MediaSpec` (see [`crate::call::negotiate`]).

use std::net::IpAddr;

use crate::call::media_plane::MediaPlane;
use roomgate_core::media_spec::MediaSpec;
use roomgate_media::relay::{Leg, LegUpdate, SessionId, StreamKind};
use roomgate_sip::sdp::offer_answer::{LocalCapabilities, LocalCodec, OfferError};
use roomgate_sip::sdp::{Direction, MediaType, SessionDescription};

use super::DialogLeg;
use crate::call::negotiate::{self, MediaPolicy};

/// Our RTP ports of a relay leg: audio, then main video.
pub(crate) fn leg_ports(media: &MediaPlane, session: SessionId, leg: Leg) -> [Option<u16>; 2] {
    [StreamKind::Audio, StreamKind::Video]
        .map(|k| media.local_ports(session, leg, k).map(|p| p.rtp))
}

/// The relay update for one negotiated stream of a running leg (floor control has none).
pub(crate) fn leg_update(s: &roomgate_core::StreamSpec) -> Option<(StreamKind, LegUpdate)> {
    let (srtp_in, srtp_out) = match &s.srtp {
        Some(k) => (Some(k.inbound.clone()), Some(k.outbound.clone())),
        None => (None, None),
    };
    let update = LegUpdate {
        remote_rtp: s.remote_rtp,
        remote_rtcp: s.remote_rtcp,
        srtp_in,
        srtp_out,
    };
    Some((s.role.relay_kind()?, update))
}

/// What our SDP on one leg is made of: our media address, the leg's policy, the call (the
/// o= session id) and the relay ports of the leg (audio, main video).
pub(crate) struct LegSdp<'a> {
    pub media_ip: IpAddr,
    pub policy: &'a MediaPolicy,
    pub call: u64,
    pub ports: [Option<u16>; 2],
    /// The video formats we take instead of our own: the other leg's agreed ones, so video
    /// passes through only in a format both legs can use (see [`negotiate::agreed_video`]).
    pub video_codecs: Option<Vec<LocalCodec>>,
}

impl LegSdp<'_> {
    /// The port of `kind`; video only when `video`.
    fn port(&self, kind: StreamKind, video: bool) -> Option<u16> {
        match kind {
            StreamKind::Audio => self.ports[0],
            StreamKind::Video if video => self.ports[1],
            _ => None,
        }
    }

    pub(crate) fn caps(
        &self,
        version: u64,
        audio: Vec<LocalCodec>,
        video: bool,
    ) -> LocalCapabilities {
        let mut caps =
            negotiate::capabilities(self.media_ip, self.policy, self.call, version, audio, video);
        if let Some(v) = self.video_codecs.as_ref().filter(|_| video) {
            caps.codecs.retain(|c| c.media != MediaType::Video);
            caps.codecs.extend(v.iter().cloned());
        }
        caps
    }

    /// Our answer to `offer`; video gets a port only when `video`.
    pub(crate) fn answer(
        &self,
        offer: &SessionDescription,
        caps: &LocalCapabilities,
        video: bool,
    ) -> SessionDescription {
        negotiate::answer(offer, caps, |k| self.port(k, video))
    }

    /// Our offer with `direction`; video gets a port only when `video`.
    pub(crate) fn offer(
        &self,
        caps: &LocalCapabilities,
        video: bool,
        direction: Direction,
    ) -> Result<SessionDescription, OfferError> {
        let list: Vec<(StreamKind, u16)> = [StreamKind::Audio, StreamKind::Video]
            .into_iter()
            .filter_map(|k| self.port(k, video).map(|p| (k, p)))
            .collect();
        negotiate::offer(caps, &list, direction)
    }

    /// The first SDP of a leg that received an INVITE with `audio` codecs: the answer to its
    /// `offer`, with the streams that answer negotiates, or our offer when it sent none (its
    /// answer comes in the ACK, so no streams yet). `caps_video`: the capabilities list video
    /// (the call reserved it); `video`: video gets a port. None when no offer can be built.
    pub(crate) fn first(
        &self,
        version: u64,
        offer: Option<&SessionDescription>,
        audio: Vec<LocalCodec>,
        caps_video: bool,
        video: bool,
        direction: Direction,
    ) -> Option<(SessionDescription, MediaSpec)> {
        let caps = self.caps(version, audio, caps_video);
        match offer {
            Some(offer) => {
                let ans = self.answer(offer, &caps, video);
                // Refused crypto leaves the leg without streams, which every caller refuses
                // (the INVITE's trial answer has already reported why).
                let streams = negotiate::negotiated(&ans, offer).unwrap_or_default();
                Some((ans, streams))
            }
            None => self
                .offer(&caps, video, direction)
                .ok()
                .map(|o| (o, MediaSpec::default())),
        }
    }

    /// For a new offer or answer on a running leg: its capabilities (SDP version bumped; the
    /// codec it already speaks, or a new one when `reoffer` drops it) and whether it carries
    /// video.
    pub(crate) fn running_caps(
        &self,
        leg: &mut DialogLeg,
        reoffer: Option<&SessionDescription>,
    ) -> (LocalCapabilities, bool) {
        leg.sdp_version += 1;
        let (audio, video) = negotiate::keep_what_is_spoken(&leg.streams, reoffer);
        (self.caps(leg.sdp_version, audio, video), video)
    }
}
