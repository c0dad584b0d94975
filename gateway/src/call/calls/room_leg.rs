//! The room's leg of a call, whichever protocol it dialled in with: a SIP UAS leg, or an
//! H.323 call. The bridge, the PIN phase and the reports read the room through this one
//! type; what only one protocol has (SIP's transaction and dialog, H.323's connections)
//! stays behind its variant.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use roomgate_core::codecs::relay_codec;
use roomgate_media::codec::AudioCodec;
use roomgate_sip::sdp::offer_answer::LocalCodec;
use roomgate_sip::sdp::SessionDescription;

use super::negotiate;
use crate::call::h323_leg::room::H323RoomLeg;
use crate::call::sip_leg::path;
use crate::call::sip_leg::{Caller, DialogLeg, UasLeg};
use crate::transport::ConnId;

/// The protocol a leg speaks, as the admin API, CDRs and metrics name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Sip,
    H323,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Sip => "sip",
            Protocol::H323 => "h323",
        }
    }
}

/// An H.323 room on its call: the protocol state, its connections, and the media state the
/// bridge reads (kept in a [`DialogLeg`] like a SIP leg's, where no SIP dialog ever forms, so
/// the SIP operations on it do nothing).
pub(super) struct H323Room {
    pub leg: H323RoomLeg,
    /// The call signalling connection.
    pub conn: ConnId,
    /// The separate H.245 connection, once up.
    pub h245: Option<ConnId>,
    pub peer: SocketAddr,
    /// Our H.245 listener for a room that neither tunnels nor offered an address.
    pub h245_listener: Option<SocketAddr>,
    /// The audio codecs of its fastStart proposals that the relay speaks, in its order.
    pub offered: Vec<AudioCodec>,
    /// Its calling identity (number or H.323-ID) for the upstream's From.
    pub caller: Option<String>,
    pub display: Option<String>,
    pub media: DialogLeg,
    /// Connect sent (by us, for PIN entry or the bridge).
    pub answered: bool,
}

pub(super) enum RoomLeg {
    Sip(Box<UasLeg>),
    H323(Box<H323Room>),
}

impl RoomLeg {
    /// The leg's media state (streams, direction, where it is).
    pub fn leg(&self) -> &DialogLeg {
        match self {
            RoomLeg::Sip(u) => &u.leg,
            RoomLeg::H323(h) => &h.media,
        }
    }

    pub fn leg_mut(&mut self) -> &mut DialogLeg {
        match self {
            RoomLeg::Sip(u) => &mut u.leg,
            RoomLeg::H323(h) => &mut h.media,
        }
    }

    pub fn protocol(&self) -> Protocol {
        match self {
            RoomLeg::Sip(_) => Protocol::Sip,
            RoomLeg::H323(_) => Protocol::H323,
        }
    }

    pub fn sip_mut(&mut self) -> Option<&mut UasLeg> {
        match self {
            RoomLeg::Sip(u) => Some(u),
            RoomLeg::H323(_) => None,
        }
    }

    pub fn h323_mut(&mut self) -> Option<&mut H323Room> {
        match self {
            RoomLeg::Sip(_) => None,
            RoomLeg::H323(h) => Some(h),
        }
    }

    /// Whether we answered the room (a SIP dialog, or an H.323 Connect).
    pub fn answered(&self) -> bool {
        match self {
            RoomLeg::Sip(u) => u.answered(),
            RoomLeg::H323(h) => h.answered,
        }
    }

    /// The room's address.
    pub fn source(&self) -> SocketAddr {
        match self {
            RoomLeg::Sip(u) => u.source().addr,
            RoomLeg::H323(h) => h.peer,
        }
    }

    pub fn source_ip(&self) -> IpAddr {
        self.source().ip()
    }

    /// The room's SDP offer (SIP only; an H.323 room's offer is its fastStart proposals).
    pub fn sdp_offer(&self) -> Option<&SessionDescription> {
        match self {
            RoomLeg::Sip(u) => u.offer.as_ref(),
            RoomLeg::H323(_) => None,
        }
    }

    /// Whether the room made an offer (SDP, or fastStart with audio we speak): then it is
    /// answered; otherwise we offer.
    pub fn has_offer(&self) -> bool {
        match self {
            RoomLeg::Sip(u) => u.offer.is_some(),
            RoomLeg::H323(h) => !h.offered.is_empty(),
        }
    }

    /// The audio codecs the room offered that the relay speaks, in its order.
    pub fn offered_audio(&self) -> Vec<AudioCodec> {
        match self {
            RoomLeg::Sip(u) => u
                .offer
                .as_ref()
                .map(negotiate::offered_audio)
                .unwrap_or_default(),
            RoomLeg::H323(h) => h.offered.clone(),
        }
    }

    /// Our video codecs for an offer to the upstream: one H.264 format per profile and
    /// packetization mode the room offered (SDP, or fastStart proposals), ours by policy
    /// when it offered none.
    pub fn offered_video(&self) -> Vec<LocalCodec> {
        match self {
            RoomLeg::Sip(u) => negotiate::video_for_offer(u.offer.as_ref()),
            RoomLeg::H323(h) => negotiate::video_for_proposals(Some(&h.leg.proposed())),
        }
    }

    /// Who the room is, for the upstream's From.
    pub fn caller(&self) -> Caller {
        match self {
            RoomLeg::Sip(u) => Caller::of_invite(&u.invite),
            RoomLeg::H323(h) => Caller {
                user: h.caller.clone(),
                display: h.display.clone(),
                hops: path::forwarded_hops(None),
            },
        }
    }

    /// The leg's protocol timers.
    pub fn deadlines(&self) -> Vec<Instant> {
        match self {
            RoomLeg::Sip(u) => u.deadlines().into_iter().flatten().collect(),
            RoomLeg::H323(h) => h.leg.poll_timeout().into_iter().collect(),
        }
    }
}

/// The relay's audio codecs among an H.323 room's fastStart proposals, in its order.
pub(super) fn offered_relay_codecs(spec: &roomgate_core::media_spec::MediaSpec) -> Vec<AudioCodec> {
    let mut out: Vec<AudioCodec> = Vec::new();
    for c in spec
        .audio()
        .map(|s| s.codecs.as_slice())
        .unwrap_or_default()
    {
        if let Some(r) = relay_codec(&c.name, c.clock_rate) {
            if !out.iter().any(|o| negotiate::same_codec(*o, r)) {
                out.push(r);
            }
        }
    }
    out
}
