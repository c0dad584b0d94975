//! The UAS leg: the dialog an incoming INVITE makes. Its server transaction stays ours until
//! we answer (180 once, then a 200 of ours or a final error); our 2xx is retransmitted over
//! UDP until the ACK (RFC 3261 §13.3.1.4), and the session timer is negotiated as UAS with the
//! caller as refresher (RFC 4028).

use std::time::{Duration, Instant};

use roomgate_sip::dialog::session_timer::{self, Refresher, SessionTimerConfig};
use roomgate_sip::dialog::Dialog;
use roomgate_sip::sdp::{Direction, SessionDescription};
use roomgate_sip::transaction::{Destination, Outgoing, Received, TransactionId, TransactionLayer};
use roomgate_sip::{HeaderName, Message};

use super::{
    contact, respond, respond_encoded, response, AckWait, DialogLeg, Ids, Retransmit, ALLOW, SDP,
    SERVER,
};

pub(crate) struct UasLeg {
    /// The INVITE that made this leg, as received.
    pub invite: Received,
    /// Its server transaction.
    pub tx: TransactionId,
    /// Our To tag.
    tag: String,
    /// The caller's offer (None: a delayed offer, its answer comes in the ACK).
    pub offer: Option<SessionDescription>,
    retransmit: Option<Retransmit>,
    ringing_sent: bool,
    pub leg: DialogLeg,
}

impl UasLeg {
    pub(crate) fn new(
        invite: Received,
        tx: TransactionId,
        offer: Option<SessionDescription>,
        direction: Direction,
        mut ids: Ids,
    ) -> Self {
        let dest = invite.source;
        UasLeg {
            invite,
            tx,
            tag: ids.hex(8),
            offer,
            retransmit: None,
            ringing_sent: false,
            leg: DialogLeg::new(Some(dest), direction, ids),
        }
    }

    /// Where the INVITE came from (and in-dialog requests go).
    pub(crate) fn source(&self) -> Destination {
        self.invite.source
    }

    /// Whether we answered (a dialog exists).
    pub(crate) fn answered(&self) -> bool {
        self.leg.dialog.is_some()
    }

    /// The caller hears 180 once, and never after our answer.
    pub(crate) fn ring(&mut self, layer: &mut TransactionLayer, now: Instant, host: &str) {
        if self.ringing_sent || self.leg.dialog.is_some() {
            return;
        }
        self.ringing_sent = true;
        let contact = contact(host, self.invite.source.transport);
        if let Some(r) = response(&self.invite, 180, "Ringing", Some(&self.tag)) {
            let r = r.with(HeaderName::Contact, contact);
            respond(layer, now, self.tx, &r);
        }
    }

    /// A final error to the INVITE we have not answered.
    pub(crate) fn fail(
        &self,
        layer: &mut TransactionLayer,
        now: Instant,
        code: u16,
        reason: &'static str,
    ) {
        if let Some(r) = response(&self.invite, code, reason, Some(&self.tag)) {
            respond(layer, now, self.tx, &r);
        }
    }

    /// Sends our 200 with `local` (answer or offer), makes the dialog, and retransmits over
    /// UDP every `t1` (doubling) until the ACK.
    pub(crate) fn answer(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        host: &str,
        t1: Duration,
        call: u64,
        local: SessionDescription,
    ) {
        let Ok(invite) = self.invite.message() else {
            return;
        };
        let transport = self.invite.source.transport;
        let contact = contact(host, transport);
        let mut resp =
            roomgate_sip::dialog::dialog_response(invite, 200, "OK", &self.tag, &contact);
        crate::sip::tu::stamp_top_via(&mut resp, invite, self.invite.source.addr);
        resp.push(HeaderName::Server, SERVER);
        resp.push(HeaderName::Allow, ALLOW);
        resp.push(HeaderName::Supported, "timer");
        let timer_cfg = SessionTimerConfig {
            prefer_refresher: Refresher::Uac,
            insert_when_absent: false,
            ..SessionTimerConfig::default()
        };
        if let Ok(Some(st)) = session_timer::uas_answer(invite, &timer_cfg) {
            st.apply(&mut resp);
            let d = st.negotiated().deadlines(now);
            self.leg.expires_at = Some(d.give_up_at);
            self.leg.timer_interval = Some(st.interval);
        }
        let resp = resp.with_body(SDP, local.to_bytes());
        self.leg.local_sdp = Some(local);
        // One encode (and its check) for the dialog, the transaction and the retransmissions.
        let resp = match Outgoing::encode(&resp) {
            Ok(resp) => resp,
            Err(e) => {
                tracing::debug!(call, error = %e, "room 200 not sent");
                return;
            }
        };
        match Dialog::uas_encoded(invite, &resp, transport) {
            Ok(d) => self.leg.dialog = Some(d),
            Err(e) => tracing::debug!(call, error = %e, "room dialog"),
        }
        respond_encoded(layer, now, self.tx, &resp);
        if transport == roomgate_sip::transaction::Transport::Udp {
            self.retransmit = Some(Retransmit::new(now, t1, self.tx, resp));
        }
    }

    /// The ACK of our 2xx: `(answer_due, has_body)` when the dialog takes it (the
    /// retransmissions stop), None when it is not this dialog's.
    pub(crate) fn on_ack(&mut self, msg: &Message<'_>) -> Option<(bool, bool)> {
        let acked = self.leg.on_ack(msg)?;
        self.retransmit = None;
        Some(acked)
    }

    /// Retransmits our 2xx when due.
    pub(crate) fn on_timer(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        call: u64,
    ) -> AckWait {
        let Some(rt) = self.retransmit.as_mut() else {
            return AckWait::Waiting;
        };
        let wait = rt.on_timer(layer, now);
        if wait == AckWait::GaveUp {
            self.retransmit = None;
            tracing::info!(call, "room never acknowledged our 200");
        }
        wait
    }

    /// The leg's deadlines (2xx retransmission, session expiry, re-INVITE 2xx
    /// retransmission).
    pub(crate) fn deadlines(&self) -> [Option<Instant>; 3] {
        [
            self.retransmit.as_ref().map(Retransmit::due),
            self.leg.expires_at,
            self.leg.retransmit_due(),
        ]
    }
}
