//! The calls' side of a gatekeeper registration (`[h323.gatekeeper]`): every H.323 call,
//! answered or placed, asks admission (ARQ) before it goes on and is disengaged (DRQ) when
//! it ends; a Setup the gatekeeper refuses gets Release Complete, an upstream call it refuses
//! fails like an unreachable one, and a call it drops (its DRQ) ends. A call placed goes
//! where the ACF says (`destCallSignalAddress`). The RAS client itself is sans-IO in
//! `roomgate_h323::gatekeeper`; its datagrams leave as [`H323Output::Ras`].

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Instant;

use roomgate_core::call::{EndCause, UpstreamFailure};
use roomgate_h323::call::IncomingSetup;
use roomgate_h323::gatekeeper::{
    Admission, AdmissionId, CallAdmission, Client, Event, Refusal, Status,
};
use roomgate_h323::limits::MAX_RAS_SEQUENCE_OF;
use roomgate_h323::ras::{AliasAddress, Reason};
use roomgate_sip::transaction::TransactionLayer;

use super::core_glue::time;
use super::h323_room::{flush, H323Output};
use super::Calls;
use crate::call::h323_leg::room::upstream_failure;
use crate::transport::ConnId;

/// What an admission is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum GkCall {
    /// A room's Setup not yet handed to the core (its connection).
    Waiting(ConnId),
    /// Call `id`'s H.323 room.
    Room(u64),
    /// Call `id`'s H.323 upstream.
    Upstream(u64),
}

/// The registration and the admissions of the calls.
pub(super) struct GkState {
    client: Client,
    /// Bandwidth asked per call (100 bit/s units).
    bandwidth: u32,
    by_admission: HashMap<AdmissionId, GkCall>,
    by_call: HashMap<GkCall, AdmissionId>,
}

/// The Q.850 cause for a refused admission: the number is unknown (1), the gatekeeper says
/// no (21), it has no resources (34), or it did not answer (41).
pub(super) fn refusal_cause(why: &Refusal) -> u8 {
    match why {
        Refusal::Rejected(Reason::Root(0)) => 1,
        Refusal::Rejected(Reason::Root(7)) => 34,
        Refusal::Rejected(_) => 21,
        Refusal::NoAnswer => 41,
        Refusal::Overloaded => 42,
    }
}

/// The ARQ of a Setup we answer.
fn room_admission(setup: &IncomingSetup, peer: SocketAddr, bandwidth: u32) -> CallAdmission {
    let mut destination: Vec<AliasAddress> = setup
        .destination
        .iter()
        .take(MAX_RAS_SEQUENCE_OF)
        .cloned()
        .collect();
    if destination.is_empty() {
        if let Some(n) = &setup.called_number {
            destination.push(AliasAddress::DialedDigits(n.clone()));
        }
    }
    CallAdmission {
        answer: true,
        call_identifier: setup.call_identifier.unwrap_or(setup.conference_id),
        conference_id: setup.conference_id,
        call_reference: setup.call_reference,
        destination,
        dest_address: None,
        source: setup
            .source
            .iter()
            .take(MAX_RAS_SEQUENCE_OF)
            .cloned()
            .collect(),
        src_address: Some(peer),
        bandwidth,
    }
}

impl Calls {
    /// Registers with a gatekeeper: every H.323 call then asks admission.
    pub fn with_gatekeeper(mut self, client: Client, bandwidth: u32) -> Self {
        self.gk = Some(GkState {
            client,
            bandwidth,
            by_admission: HashMap::new(),
            by_call: HashMap::new(),
        });
        self.gk_flush();
        self
    }

    /// Whether outputs for the H.323 transport (or RAS) are queued.
    pub fn has_h323_output(&self) -> bool {
        !self.h323.out.is_empty()
    }

    /// The registration's state, when a gatekeeper is configured.
    pub fn gatekeeper_status(&self) -> Option<Status> {
        self.gk.as_ref().map(|g| g.client.status())
    }

    /// A RAS datagram on our RAS socket.
    pub fn on_ras(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        from: SocketAddr,
        datagram: &[u8],
    ) {
        if let Some(g) = self.gk.as_mut() {
            g.client.handle(now, from, datagram);
        }
        self.gk_events(now);
        self.drive(layer, now);
    }

    /// Unregisters (shutdown); [`Calls::gatekeeper_done`] tells when it is over.
    pub fn gatekeeper_unregister(&mut self, now: Instant) {
        if let Some(g) = self.gk.as_mut() {
            if !matches!(g.client.status().state, "unregistering" | "stopped") {
                g.client.unregister(now);
            }
        }
        self.gk_events(now);
    }

    /// No gatekeeper, or unregistered (or given up) after [`Calls::gatekeeper_unregister`].
    pub fn gatekeeper_done(&self) -> bool {
        self.gk
            .as_ref()
            .is_none_or(|g| g.client.status().state == "stopped")
    }

    pub(super) fn gk_poll_timeout(&self) -> Option<Instant> {
        self.gk.as_ref().and_then(|g| g.client.poll_timeout())
    }

    pub(super) fn gk_timeouts(&mut self, now: Instant) {
        if let Some(g) = self.gk.as_mut() {
            if g.client.poll_timeout().is_some_and(|t| t <= now) {
                g.client.handle_timeout(now);
            }
        }
        self.gk_events(now);
    }

    /// Asks admission for a waiting connection's Setup. True when the Setup now waits for
    /// the answer (or was refused at once); false when no ARQ is needed.
    pub(super) fn gk_admit_room(
        &mut self,
        now: Instant,
        conn: ConnId,
        setup: &IncomingSetup,
        peer: SocketAddr,
    ) -> bool {
        let Some(g) = self.gk.as_mut() else {
            return false;
        };
        let admission = room_admission(setup, peer, g.bandwidth);
        let verdict = g.client.admit(now, admission);
        self.gk_flush();
        match verdict {
            Admission::NotNeeded => false,
            Admission::Pending(id) => {
                self.gk_track(id, GkCall::Waiting(conn));
                true
            }
            Admission::Refused(why) => {
                self.gk_refuse_waiting(now, conn, &why);
                true
            }
        }
    }

    /// Asks admission for call `id`'s H.323 upstream call. False when no ARQ is needed
    /// (then dial at once).
    pub(super) fn gk_admit_upstream(
        &mut self,
        now: Instant,
        id: u64,
        admission: CallAdmission,
    ) -> Result<bool, Refusal> {
        let Some(g) = self.gk.as_mut() else {
            return Ok(false);
        };
        let verdict = g.client.admit(now, admission);
        self.gk_flush();
        match verdict {
            Admission::NotNeeded => Ok(false),
            Admission::Pending(a) => {
                self.gk_track(a, GkCall::Upstream(id));
                Ok(true)
            }
            Admission::Refused(why) => Err(why),
        }
    }

    /// The bandwidth asked per call.
    pub(super) fn gk_bandwidth(&self) -> u32 {
        self.gk.as_ref().map_or(0, |g| g.bandwidth)
    }

    /// A waiting Setup became call `id`: its admission follows it.
    pub(super) fn gk_waiting_became(&mut self, conn: ConnId, id: u64) {
        let Some(g) = self.gk.as_mut() else {
            return;
        };
        if let Some(a) = g.by_call.remove(&GkCall::Waiting(conn)) {
            g.by_admission.insert(a, GkCall::Room(id));
            g.by_call.insert(GkCall::Room(id), a);
        }
    }

    /// The call (or waiting Setup) `what` is over: DRQ when it was admitted.
    pub(super) fn gk_disengage(&mut self, now: Instant, what: GkCall) {
        let Some(g) = self.gk.as_mut() else {
            return;
        };
        if let Some(a) = g.by_call.remove(&what) {
            g.by_admission.remove(&a);
            g.client.disengage(now, a);
        }
        self.gk_flush();
    }

    fn gk_track(&mut self, admission: AdmissionId, what: GkCall) {
        if let Some(g) = self.gk.as_mut() {
            g.by_admission.insert(admission, what);
            g.by_call.insert(what, admission);
        }
    }

    /// Moves the client's datagrams onto the H.323 output.
    fn gk_flush(&mut self) {
        let Some(g) = self.gk.as_mut() else {
            return;
        };
        while let Some(t) = g.client.poll_transmit() {
            self.h323.out.push_back(H323Output::Ras {
                to: t.to,
                bytes: t.bytes,
            });
        }
    }

    /// Release Complete for a waiting Setup the gatekeeper refused.
    fn gk_refuse_waiting(&mut self, now: Instant, conn: ConnId, why: &Refusal) {
        tracing::info!(
            conn = conn.0,
            reason = why.label(),
            "H.323 Setup refused by the gatekeeper"
        );
        if let Some(mut w) = self.h323.waiting.remove(&conn) {
            w.call.call().release(refusal_cause(why));
            flush(now, &mut w.call, conn, None, &mut self.h323.out);
            self.h323.out.push_back(H323Output::Close(conn));
        }
    }

    /// Takes what admission `admission` was for out of the tables.
    fn gk_take(&mut self, admission: AdmissionId) -> Option<GkCall> {
        let g = self.gk.as_mut()?;
        let what = g.by_admission.remove(&admission)?;
        g.by_call.remove(&what);
        Some(what)
    }

    pub(super) fn gk_events(&mut self, now: Instant) {
        self.gk_flush();
        loop {
            let events: Vec<Event> = match self.gk.as_mut() {
                Some(g) => std::iter::from_fn(|| g.client.poll_event()).collect(),
                None => return,
            };
            if events.is_empty() {
                break;
            }
            for event in events {
                self.gk_event(now, event);
            }
            self.gk_flush();
        }
    }

    fn gk_event(&mut self, now: Instant, event: Event) {
        match event {
            Event::Registered {
                gatekeeper,
                gatekeeper_id,
                endpoint_id,
                time_to_live,
            } => {
                tracing::info!(%gatekeeper, ?gatekeeper_id, endpoint_id, ?time_to_live, "registered with the H.323 gatekeeper")
            }
            Event::RegistrationLost { why } => {
                tracing::warn!(why, "H.323 gatekeeper registration lost; registering again")
            }
            Event::Unregistered => tracing::info!("unregistered from the H.323 gatekeeper"),
            Event::Admitted { admission, dest } => {
                let what = self
                    .gk
                    .as_ref()
                    .and_then(|g| g.by_admission.get(&admission).copied());
                match what {
                    Some(GkCall::Waiting(conn)) => self.h323_admitted(now, conn),
                    Some(GkCall::Upstream(id)) => self.h323_upstream_admitted(now, id, dest),
                    Some(GkCall::Room(_)) => {}
                    // Its call is gone: give the admission back.
                    None => {
                        if let Some(g) = self.gk.as_mut() {
                            g.client.disengage(now, admission);
                        }
                    }
                }
            }
            Event::Refused { admission, why } => match self.gk_take(admission) {
                Some(GkCall::Waiting(conn)) => self.gk_refuse_waiting(now, conn, &why),
                Some(GkCall::Upstream(id)) => {
                    tracing::info!(
                        call = id,
                        reason = why.label(),
                        "H.323 upstream call refused by the gatekeeper"
                    );
                    self.set_reason(id, "gatekeeper_refused");
                    let failure = match why {
                        Refusal::Rejected(_) => upstream_failure(refusal_cause(&why)),
                        _ => UpstreamFailure::Unreachable,
                    };
                    self.core.upstream_failed(time(now, self.wall), id, failure);
                }
                Some(GkCall::Room(_)) | None => {}
            },
            Event::Drop { admission } => match self.gk_take(admission) {
                Some(GkCall::Waiting(conn)) => {
                    self.gk_refuse_waiting(now, conn, &Refusal::Rejected(Reason::Root(2)))
                }
                Some(GkCall::Room(id) | GkCall::Upstream(id)) => {
                    tracing::info!(call = id, "the H.323 gatekeeper dropped the call");
                    self.set_reason(id, "gatekeeper_drop");
                    self.end(now, id, EndCause::Normal);
                }
                None => {}
            },
        }
    }
}
