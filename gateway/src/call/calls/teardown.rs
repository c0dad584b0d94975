//! The end of a call on the SIP side: the legs' timers (2xx never acknowledged, session
//! expired, refresh due), the room's final status while its INVITE is pending, BYE to each
//! leg with a dialog, the cloud INVITE cancelled or its late 2xx hung up, and the CDR.

use std::time::Instant;

use roomgate_core::call::EndCause;
use roomgate_media::relay::{Leg, StreamKind};
use roomgate_sip::transaction::TransactionLayer;

use super::core_glue::room_status;
use super::report::{lock, with_qos};
use super::{Calls, Phase, RoomLeg, Side, TxRole};
use crate::call::sip_leg::AckWait;

impl Calls {
    /// Fires whatever of call `id`'s timers is due.
    pub(super) fn call_timers(&mut self, layer: &mut TransactionLayer, now: Instant, id: u64) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if let RoomLeg::H323(h) = &mut call.room {
            if h.leg.poll_timeout().is_some_and(|t| t <= now) {
                h.leg.call().handle_timeout(now);
                self.h323_events(layer, now, id);
            }
        }
        let up_due = self
            .calls
            .get(&id)
            .and_then(|c| c.h323_up.as_ref())
            .and_then(|u| u.poll_timeout())
            .is_some_and(|t| t <= now);
        if up_due {
            if let Some(leg) = self
                .calls
                .get_mut(&id)
                .and_then(|c| c.h323_up.as_mut())
                .and_then(|u| u.leg.as_mut())
            {
                leg.call().handle_timeout(now);
            }
            self.h323_up_events(layer, now, id);
        }
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let room_gave_up = match &mut call.room {
            RoomLeg::Sip(u) => u.on_timer(layer, now, id) == AckWait::GaveUp,
            RoomLeg::H323(_) => false,
        };
        if room_gave_up
            || call.room.leg_mut().on_timer(layer, now, id) == AckWait::GaveUp
            || call.cloud.leg.on_timer(layer, now, id) == AckWait::GaveUp
        {
            self.end(now, id, EndCause::Normal);
            return;
        }
        if call.room.leg().expires_at.is_some_and(|t| t <= now)
            || call.cloud.leg.expires_at.is_some_and(|t| t <= now)
        {
            tracing::info!(call = id, "session timer expired");
            self.end(now, id, EndCause::Normal);
            return;
        }
        if let Some(tx) = call.cloud.refresh(layer, now, &self.settings.sip_host) {
            // A re-INVITE refresh is answered with SDP like any re-offer of ours: applied.
            self.track(tx, id, TxRole::Mirror(Side::Cloud));
        }
    }

    /// Ends a call whose room INVITE is still pending: the room gets `cause` (a SIP status,
    /// or an H.323 Release Complete cause); the cloud INVITE is cancelled (or its late 2xx
    /// hung up).
    fn fail_room(&mut self, layer: &mut TransactionLayer, now: Instant, id: u64, cause: EndCause) {
        let (code, reason) = room_status(cause).unwrap_or((500, "Server Internal Error"));
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if let Some((tx, Some(late))) = call.cloud.abandon(layer, now, id) {
            self.abandoned.insert(tx, late);
        }
        if call.room.answered() {
            // Answered by us already (PIN entry): the room is hung up instead.
            self.fallback_reason(id, code);
            self.bye(layer, now, id, Side::Room, cause);
            self.remove(id, now);
            return;
        }
        match &mut call.room {
            RoomLeg::Sip(u) => u.fail(layer, now, code, reason),
            RoomLeg::H323(_) => self.h323_release(now, id, cause),
        }
        self.fallback_reason(id, code);
        self.remove(id, now);
    }

    fn fallback_reason(&mut self, id: u64, code: u16) {
        if let Some(c) = self.calls.get_mut(&id) {
            c.fallback_reason = Some(format!("failed_{code}"));
        }
    }

    /// The protocol side of a call the core ended: BYE to each SIP leg that has a confirmed
    /// dialog and Release Complete to an H.323 room (except the leg that hung up), or a final
    /// response to a room call still pending.
    pub(super) fn teardown(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        id: u64,
        hung_up_by: Option<Side>,
        cause: EndCause,
    ) {
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        if matches!(call.phase, Phase::Resolving | Phase::Inviting)
            || (!call.room.answered() && room_status(cause).is_some())
        {
            let cause = if room_status(cause).is_some() {
                cause
            } else {
                EndCause::Internal
            };
            // The cloud may have answered already: hang that leg up too.
            if hung_up_by != Some(Side::Cloud) {
                self.bye(layer, now, id, Side::Cloud, cause);
            }
            self.fail_room(layer, now, id, cause);
            return;
        }
        for side in [Side::Room, Side::Cloud] {
            if hung_up_by != Some(side) {
                self.bye(layer, now, id, side, cause);
            }
        }
        self.remove(id, now);
    }

    /// Hangs up `side`: BYE in its SIP dialog, or Release Complete to an H.323 room.
    fn bye(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        id: u64,
        side: Side,
        cause: EndCause,
    ) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if side == Side::Room && matches!(call.room, RoomLeg::H323(_)) {
            self.h323_release(now, id, cause);
            return;
        }
        if side == Side::Cloud && call.h323_up.is_some() {
            self.h323_up_release(now, id, cause);
            return;
        }
        let reason = call.bye_reason;
        let host = &self.settings.sip_host;
        if let Some(tx) = call.leg_mut(side).bye(layer, now, host, id, reason) {
            self.track(tx, id, TxRole::InDialog(side));
        }
    }

    fn remove(&mut self, id: u64, now: Instant) {
        let Some(call) = self.calls.remove(&id) else {
            return;
        };
        self.in_setup = self
            .in_setup
            .saturating_sub(usize::from(call.phase.in_setup()));
        self.by_call_id.remove(&call.room_call_id);
        self.by_call_id.remove(&call.cloud.call_id);
        for tx in &call.txs {
            // A BYE we sent stays indexed until its transaction ends (its failure is logged).
            if !matches!(self.by_tx.get(tx), Some((_, TxRole::InDialog(_)))) {
                self.by_tx.remove(tx);
            }
        }
        let session = call.session;
        self.by_session.remove(&session);
        if let RoomLeg::H323(h) = &call.room {
            self.h323_forget(h);
        }
        if let Some(up) = &call.h323_up {
            self.h323_up_forget(up);
        }
        self.gk_disengage(now, super::gatekeeper::GkCall::Room(id));
        self.gk_disengage(now, super::gatekeeper::GkCall::Upstream(id));
        // The worker that owns the session reads its last audio counters into the CDR and
        // removes it, without the SIP core waiting for it: the CDR joins the queue from there
        // (without counters if the worker never took the job).
        let mut cdr = CdrOnDrop {
            cdr: Some(self.cdr(&call, now, None)),
            finished: self.finished_cdrs.clone(),
        };
        let clocks = [Side::Room, Side::Cloud].map(|side| self.audio_clock(&call, side));
        self.media
            .post(session, "session to end already gone", move |r, _| {
                let stats = [Leg::A, Leg::B].map(|l| r.leg_stats(session, l, StreamKind::Audio));
                if let Some(c) = cdr.cdr.as_mut() {
                    with_qos(c, &stats, clocks);
                }
                drop(cdr);
                r.remove_session(session)
            });
        tracing::info!(call = id, meeting = %call.meeting, "call ended");
    }
}

/// A call's CDR on its way through the relay worker that removes the call's session: it
/// joins the finished CDRs when dropped, with the counters the worker added or, if the job
/// never ran, without them.
struct CdrOnDrop {
    cdr: Option<crate::observe::Cdr>,
    finished: std::sync::Arc<std::sync::Mutex<std::collections::VecDeque<crate::observe::Cdr>>>,
}

impl Drop for CdrOnDrop {
    fn drop(&mut self) {
        if let Some(cdr) = self.cdr.take() {
            lock(&self.finished).push_back(cdr);
        }
    }
}
