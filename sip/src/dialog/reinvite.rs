//! INVITE transactions and offer/answer inside a dialog: what may start now, what a received
//! re-INVITE or UPDATE collides with (glare), and when to retry after a 491.
//!
//! RFC 3261 §14.1: no new INVITE while another INVITE transaction is in progress in either
//! direction. §14.2: a re-INVITE that arrives while ours is pending gets 491; one that
//! arrives before we answered the peer's previous INVITE gets 500 with Retry-After. RFC 3311
//! §5.2 applies the same two rules to an UPDATE carrying an offer, judged by the offer state.

use std::ops::RangeInclusive;
use std::time::{Duration, Instant};

use super::DialogError;

/// Where the offer/answer exchange of the dialog stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum OfferState {
    /// No exchange in progress.
    #[default]
    Idle,
    /// We sent an offer and wait for the answer.
    LocalOffer,
    /// We received an offer and owe the answer.
    RemoteOffer,
    /// The peer's INVITE had no body: our 2xx must carry the offer (answer in the ACK).
    LocalOfferDue,
    /// Our INVITE had no body: the peer's 2xx must carry the offer, our ACK the answer.
    RemoteOfferDue,
}

/// The Retry-After range (seconds) of a 500 refusing a re-INVITE or UPDATE that collides with
/// the peer's own unanswered one (RFC 3261 §14.2, RFC 3311 §5.2).
pub const PEER_PENDING_RETRY_AFTER: RangeInclusive<u32> = 0..=10;

/// §14.1 draws the glare retry time "in units of 10 ms".
pub const RETRY_GRANULARITY: Duration = Duration::from_millis(10);

/// §14.1: after a 491, the owner of the Call-ID (the UAC of the dialog-creating INVITE)
/// waits 2.1–4 s, the other side 0–2 s, so the two retries do not collide again.
pub fn glare_retry_range(call_id_owner: bool) -> RangeInclusive<Duration> {
    if call_id_owner {
        Duration::from_millis(2100)..=Duration::from_millis(4000)
    } else {
        Duration::ZERO..=Duration::from_millis(2000)
    }
}

/// The time to retry after a 491: `now` plus a point of [`glare_retry_range`] on the 10 ms
/// grid, chosen by the caller's `random` draw (any value; it is reduced modulo the grid).
pub fn glare_retry_at(now: Instant, call_id_owner: bool, random: u32) -> Instant {
    let range = glare_retry_range(call_id_owner);
    let span_ms = range.end().saturating_sub(*range.start()).as_millis();
    let steps = u32::try_from(span_ms / RETRY_GRANULARITY.as_millis())
        .unwrap_or(u32::MAX)
        .saturating_add(1);
    let offset = RETRY_GRANULARITY.saturating_mul(random % steps.max(1));
    now + *range.start() + offset
}

/// The peer's INVITE server transaction, from the dialog's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RemoteInvite {
    pub(crate) cseq: u32,
    /// We sent a 2xx; the INVITE stays in progress until its ACK (§14.1 rule 2).
    pub(crate) answered: bool,
}

/// INVITE and offer/answer bookkeeping of one dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct SessionState {
    /// CSeq of our INVITE client transaction in progress.
    pub(crate) local_invite: Option<u32>,
    pub(crate) remote_invite: Option<RemoteInvite>,
    pub(crate) offer: OfferState,
    /// CSeq of the request whose transaction carries the current exchange.
    pub(crate) offer_cseq: u32,
}

impl SessionState {
    pub(crate) fn invite_idle(&self) -> bool {
        self.local_invite.is_none() && self.remote_invite.is_none()
    }

    /// Glare rules for a received INVITE (`is_invite`) or UPDATE with `offer` (a body).
    pub(crate) fn check_incoming(
        &self,
        is_invite: bool,
        cseq: u32,
        offer: bool,
    ) -> Result<(), DialogError> {
        if is_invite {
            if self.local_invite.is_some() {
                return Err(DialogError::RequestPending);
            }
            if self
                .remote_invite
                .is_some_and(|r| !r.answered && r.cseq < cseq)
            {
                return Err(DialogError::PeerRequestPending);
            }
        }
        if offer || is_invite {
            match self.offer {
                OfferState::LocalOffer | OfferState::RemoteOfferDue => {
                    return Err(DialogError::RequestPending)
                }
                OfferState::RemoteOffer | OfferState::LocalOfferDue => {
                    return Err(DialogError::PeerRequestPending)
                }
                OfferState::Idle => {}
            }
        }
        Ok(())
    }

    /// Records a received INVITE or UPDATE that passed [`Self::check_incoming`].
    pub(crate) fn accept_incoming(&mut self, is_invite: bool, cseq: u32, offer: bool) {
        if is_invite {
            self.remote_invite = Some(RemoteInvite {
                cseq,
                answered: false,
            });
            self.offer = if offer {
                OfferState::RemoteOffer
            } else {
                OfferState::LocalOfferDue
            };
            self.offer_cseq = cseq;
        } else if offer {
            self.offer = OfferState::RemoteOffer;
            self.offer_cseq = cseq;
        }
    }

    /// A final or provisional response we send to the peer's INVITE (`is_invite`) or UPDATE.
    pub(crate) fn on_response_sent(&mut self, is_invite: bool, cseq: u32, code: u16, body: bool) {
        if code < 200 {
            return;
        }
        let success = code < 300;
        if is_invite {
            if let Some(r) = self.remote_invite.as_mut().filter(|r| r.cseq == cseq) {
                if success {
                    r.answered = true;
                } else {
                    self.remote_invite = None;
                }
            }
        }
        if self.offer_cseq != cseq {
            return;
        }
        self.offer = match (self.offer, success, body) {
            (OfferState::LocalOfferDue, true, true) => OfferState::LocalOffer,
            (OfferState::RemoteOffer | OfferState::LocalOfferDue, _, _) => OfferState::Idle,
            (other, _, _) => other,
        };
    }

    /// An ACK for our 2xx: ends the peer's INVITE; returns whether it had to carry the answer
    /// (offer in our 2xx).
    pub(crate) fn on_ack(&mut self, cseq: u32) -> Result<bool, DialogError> {
        match self.remote_invite {
            Some(r) if r.cseq == cseq && r.answered => {
                self.remote_invite = None;
                let answer_due = self.offer == OfferState::LocalOffer && self.offer_cseq == cseq;
                if answer_due {
                    self.offer = OfferState::Idle;
                }
                Ok(answer_due)
            }
            _ => Err(DialogError::StrayAck),
        }
    }

    /// May we send an INVITE (`is_invite`) or UPDATE carrying `offer` now?
    pub(crate) fn check_outgoing(&self, is_invite: bool, offer: bool) -> Result<(), DialogError> {
        if is_invite && !self.invite_idle() {
            return Err(DialogError::InviteInProgress);
        }
        if (is_invite || offer) && self.offer != OfferState::Idle {
            return Err(DialogError::OfferOutstanding);
        }
        Ok(())
    }

    pub(crate) fn on_request_sent(&mut self, is_invite: bool, cseq: u32, offer: bool) {
        if is_invite {
            self.local_invite = Some(cseq);
            self.offer = if offer {
                OfferState::LocalOffer
            } else {
                OfferState::RemoteOfferDue
            };
            self.offer_cseq = cseq;
        } else if offer {
            self.offer = OfferState::LocalOffer;
            self.offer_cseq = cseq;
        }
    }

    /// A response to our INVITE (`is_invite`) or UPDATE. Returns whether the 2xx carried an
    /// offer we must answer in the ACK.
    pub(crate) fn on_response(
        &mut self,
        is_invite: bool,
        cseq: u32,
        code: u16,
        body: bool,
    ) -> bool {
        if code < 200 {
            return false;
        }
        let success = code < 300;
        if is_invite && self.local_invite == Some(cseq) {
            self.local_invite = None;
        }
        if self.offer_cseq != cseq {
            return false;
        }
        let (next, answer_due) = match (self.offer, success, body) {
            (OfferState::RemoteOfferDue, true, true) => (OfferState::RemoteOffer, true),
            (OfferState::LocalOffer | OfferState::RemoteOfferDue, _, _) => {
                (OfferState::Idle, false)
            }
            (other, _, _) => (other, false),
        };
        self.offer = next;
        answer_due
    }

    /// Our ACK to a 2xx went out, with the answer when one was due.
    pub(crate) fn on_ack_sent(&mut self, cseq: u32) {
        if self.offer == OfferState::RemoteOffer && self.offer_cseq == cseq {
            self.offer = OfferState::Idle;
        }
    }
}
