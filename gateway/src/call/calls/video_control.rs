//! Keyframe requests and bitrate limits across an H.323 leg. H.323 endpoints ask for an
//! intra picture with H.245's videoFastUpdatePicture and limit a sender with
//! FlowControlCommand rather than RTCP feedback, so on a video stream with an H.323 far end
//! the relay hands RTCP PLI/FIR and TMMBR/REMB from the other leg to us instead of forwarding
//! them ([`LegConfig::control_by_signalling`]), and we ask the H.323 endpoint by H.245. An
//! H.323 endpoint's keyframe request becomes an RTCP PLI toward the other leg's far end (RFC
//! 4585 §6.3.1); its FlowControlCommand goes on as one to an H.323 other leg, and nowhere
//! toward a SIP leg, which never negotiated TMMBR or REMB with us (our SDP offers no
//! `a=rtcp-fb`, and RFC 5104 §7 wants `ccm tmmbr` agreed before a TMMBR is sent). Video
//! passes through unchanged, so only its source can make the keyframe or lower its rate.

use std::net::SocketAddr;
use std::time::Instant;

use roomgate_core::media_spec::StreamRole;
use roomgate_media::relay::{Leg, LegConfig, SessionId, StreamConfig, StreamKind};

use crate::call::h323_leg::room::OurVideo;

use super::room_leg::Protocol;
use super::{Calls, Side};

impl Calls {
    /// Our main video toward call `id`'s H.323 room: the format the cloud agreed (video
    /// passes through or not at all) at our relay ports; None without one.
    pub(super) fn h323_our_video(&self, id: u64) -> Option<OurVideo> {
        let call = self.calls.get(&id)?;
        if !call.video {
            return None;
        }
        let codec = call
            .cloud
            .leg
            .streams
            .stream(StreamRole::MainVideo)?
            .codec()?
            .clone();
        let session = call.session;
        let p = self.media.local_ports(session, Leg::A, StreamKind::Video)?;
        let ip = self.settings.media_ip;
        Some(OurVideo {
            codec,
            rtp: SocketAddr::new(ip, p.rtp),
            rtcp: SocketAddr::new(ip, p.rtcp.unwrap_or(p.rtp)),
        })
    }

    /// The cloud answered with video an H.323 room we had answered already (for PIN entry):
    /// the room leg opens its video by H.245.
    pub(super) fn h323_video_after_answer(&mut self, now: Instant, id: u64) {
        let Some(video) = self.h323_our_video(id) else {
            return;
        };
        if let Some(h) = self.calls.get_mut(&id).and_then(|c| c.room.h323_mut()) {
            h.leg.add_video(now, video);
        }
    }

    /// Marks the legs of the video stream whose far end is an H.323 endpoint (the room, the
    /// upstream or both) as taking keyframe requests by signalling.
    pub(super) fn controls_by_signalling(&self, id: u64, streams: &mut [StreamConfig]) {
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        let room = call.room.protocol() == Protocol::H323;
        let cloud = call.h323_up.is_some();
        for s in streams.iter_mut().filter(|s| s.kind == StreamKind::Video) {
            let mark = |l: &mut LegConfig, h323: bool| l.control_by_signalling = h323;
            mark(&mut s.a, room);
            mark(&mut s.b, cloud);
        }
    }

    /// The H.323 endpoint on `side` of call `id` asked for an intra picture of the video we
    /// send it: a PLI goes to the far end of the other leg, whose source it passes through.
    pub(super) fn h323_keyframe_requested(&mut self, id: u64, side: Side) {
        let Some(session) = self.calls.get(&id).map(|c| c.session) else {
            return;
        };
        let to = side.other().relay_leg();
        tracing::debug!(call = id, from = ?side, "videoFastUpdatePicture to send on as PLI");
        self.media
            .send_built(session, "keyframe request not sent on", move |r, _, buf| {
                r.request_keyframe(session, to, StreamKind::Video, buf)
            });
    }

    /// The H.323 endpoint on `side` of call `id` limited the video we send it (bit/s, `None`
    /// lifting it): passed on to an H.323 endpoint on the other side, whose video it is.
    pub(super) fn h323_bitrate_limited(
        &mut self,
        now: Instant,
        id: u64,
        side: Side,
        bitrate: Option<u64>,
    ) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let passed = match side {
            Side::Room => match call.h323_up.as_mut().and_then(|u| u.leg.as_mut()) {
                Some(up) => up.limit_video(now, bitrate),
                None => false,
            },
            Side::Cloud => match call.room.h323_mut() {
                Some(h) => h.leg.limit_video(now, bitrate),
                None => false,
            },
        };
        if passed {
            match side {
                Side::Room => self.h323_up_flush(now, id),
                Side::Cloud => self.h323_flush(now, id),
            }
            tracing::debug!(call = id, ?bitrate, "FlowControlCommand passed on");
        } else {
            tracing::debug!(
                call = id,
                ?bitrate,
                "FlowControlCommand not passed on: the other leg agreed no bitrate feedback"
            );
        }
    }

    /// The relay's [`roomgate_media::relay::Event::BitrateLimit`]: leg `leg` limited the video
    /// we send it (TMMBR or REMB), and an H.323 endpoint is its source: FlowControlCommand on
    /// that endpoint's channel toward us. False when no H.323 leg feeds that leg.
    pub(super) fn on_bitrate_limit(
        &mut self,
        now: Instant,
        session: SessionId,
        leg: Leg,
        stream: StreamKind,
        bitrate: u64,
    ) -> bool {
        if stream != StreamKind::Video {
            return false;
        }
        let Some(&id) = self.by_session.get(&session) else {
            return false;
        };
        let side = match leg {
            Leg::A => Side::Room,
            Leg::B => Side::Cloud,
        };
        let h323_source = self.calls.get(&id).is_some_and(|c| match side {
            Side::Room => c.h323_up.is_some(),
            Side::Cloud => c.room.protocol() == Protocol::H323,
        });
        if h323_source {
            self.h323_bitrate_limited(now, id, side, Some(bitrate));
        }
        h323_source
    }

    /// The relay's [`roomgate_media::relay::Event::KeyframeNeeded`]: leg `leg` asked for a
    /// keyframe of video whose source is an H.323 endpoint, which is asked with
    /// videoFastUpdatePicture. False when no H.323 leg feeds that leg.
    pub(super) fn on_keyframe_needed(
        &mut self,
        now: Instant,
        session: SessionId,
        leg: Leg,
        stream: StreamKind,
    ) -> bool {
        if stream != StreamKind::Video {
            return false;
        }
        let Some(&id) = self.by_session.get(&session) else {
            return false;
        };
        let Some(call) = self.calls.get_mut(&id) else {
            return false;
        };
        let asked = match leg {
            // The room asked: the upstream feeds it.
            Leg::A => match call.h323_up.as_mut().and_then(|u| u.leg.as_mut()) {
                Some(up) => up.request_fast_update(now),
                None => false,
            },
            Leg::B => match call.room.h323_mut() {
                Some(h) => h.leg.request_fast_update(now),
                None => false,
            },
        };
        if asked {
            match leg {
                Leg::A => self.h323_up_flush(now, id),
                Leg::B => self.h323_flush(now, id),
            }
            tracing::debug!(call = id, "PLI/FIR sent on as videoFastUpdatePicture");
        }
        asked
    }
}
