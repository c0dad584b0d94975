//! Keyframe requests across an H.323 leg. H.323 endpoints ask for an intra picture with
//! H.245's videoFastUpdatePicture rather than RTCP feedback, so on a video stream with an
//! H.323 far end the relay hands RTCP PLI/FIR from the other leg to us instead of forwarding
//! them ([`LegConfig::keyframe_by_signalling`]), and we ask the H.323 endpoint by H.245; an
//! H.323 endpoint's own request becomes an RTCP PLI toward the other leg's far end (RFC 4585
//! §6.3.1). Video passes through unchanged, so only its source can make the keyframe.

use std::time::Instant;

use roomgate_media::relay::{Leg, LegConfig, SessionId, StreamConfig, StreamKind};

use super::room_leg::Protocol;
use super::{Calls, Side};

impl Calls {
    /// Marks the legs of the video stream whose far end is an H.323 endpoint (the room, the
    /// upstream or both) as taking keyframe requests by signalling.
    pub(super) fn keyframes_by_signalling(&self, id: u64, streams: &mut [StreamConfig]) {
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        let room = call.room.protocol() == Protocol::H323;
        let cloud = call.h323_up.is_some();
        for s in streams.iter_mut().filter(|s| s.kind == StreamKind::Video) {
            let mark = |l: &mut LegConfig, h323: bool| l.keyframe_by_signalling = h323;
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
        let mut buf = [0u8; 256];
        let made = self
            .media
            .with_relay(|r, _| r.request_keyframe(session, to, StreamKind::Video, &mut buf));
        match made {
            Ok(t) => {
                self.media.send(t, &buf);
                tracing::debug!(call = id, from = ?side, "videoFastUpdatePicture sent on as PLI");
            }
            Err(e) => tracing::debug!(call = id, error = %e, "keyframe request not sent on"),
        }
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
