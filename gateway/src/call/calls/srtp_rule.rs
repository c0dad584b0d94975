//! The SRTP rule at the call layer: what the B2BUA does when a leg's crypto cannot be applied
//! (see [`crate::call::sdes`] for the rule itself). Every such SDP is counted per reason and
//! reported as an `srtp_refused` security event, so operators see attempted downgrades.

use std::net::IpAddr;

use std::time::Instant;

use roomgate_sip::sdp::SessionDescription;
use roomgate_sip::transaction::TransactionLayer;

use super::{Calls, Side};
use roomgate_core::call::{EndCause, UpstreamFailure};
use roomgate_core::media_spec::{MediaSpec, StreamRole};

use crate::call::negotiate::CryptoRefused;
use crate::call::sdes::{self, Unusable};
use crate::lockout::{unix_seconds, SecurityEvent};

/// The RFC 3326 Reason of a BYE that ends a call whose SDP answer (or its SRTP) we could not
/// apply: 488 is the status the answer would have had as an offer.
const SRTP_BYE_REASON: &str = "SIP;cause=488;text=\"SDP answer not acceptable (SRTP)\"";

/// What became of an SDP whose crypto we could not (fully) apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CryptoOutcome {
    /// Another offered line was used.
    OtherLine,
    /// Answered plain RTP: the offer was a best-effort `RTP/AVP` one and the policy allows it.
    Plain,
    /// The call, the re-offer or the leg was refused.
    Refused,
}

impl CryptoOutcome {
    fn label(self) -> &'static str {
        match self {
            CryptoOutcome::OtherLine => "other_line",
            CryptoOutcome::Plain => "plain",
            CryptoOutcome::Refused => "refused",
        }
    }
}

/// Per-reason counters of unusable crypto (one per line dropped from an offer, one per
/// refused answer), and how many offers/answers were refused for their crypto.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct SrtpRuleStats {
    /// Indexed like [`Unusable::ALL`].
    pub unusable: [u64; Unusable::ALL.len()],
    /// Offers or answers refused (call refused, re-offer answered 488, leg ended).
    pub refused: u64,
}

impl SrtpRuleStats {
    fn count(&mut self, why: Unusable) {
        if let Some(i) = Unusable::ALL.iter().position(|u| *u == why) {
            if let Some(n) = self.unusable.get_mut(i) {
                *n += 1;
            }
        }
    }

    /// `(label, count)` for every reason, for `/metrics`.
    pub fn by_reason(&self) -> impl Iterator<Item = (&'static str, u64)> + '_ {
        Unusable::ALL
            .iter()
            .zip(self.unusable.iter())
            .map(|(u, n)| (u.label(), *n))
    }
}

/// Whether SRTP ran on the leg's audio before and would not after: a re-offer that would
/// downgrade an encrypted leg is refused even where plain media is allowed.
pub(super) fn downgrades(before: &MediaSpec, after: &MediaSpec) -> bool {
    before
        .streams
        .iter()
        .filter(|s| s.srtp.is_some())
        .any(|b| after.stream(b.role).is_some_and(|a| a.srtp.is_none()))
}

/// The outcome of answering an offer whose `dropped` lines were unusable: refused when the
/// leg has no audio, plain when its audio runs without SRTP, else another line was used.
pub(super) fn answer_outcome(leg: &MediaSpec) -> CryptoOutcome {
    match leg.stream(StreamRole::Audio) {
        None => CryptoOutcome::Refused,
        Some(s) if s.srtp.is_none() => CryptoOutcome::Plain,
        Some(_) => CryptoOutcome::OtherLine,
    }
}

impl Calls {
    /// The Reason header of the BYEs that will end call `id`.
    fn set_bye_reason(&mut self, id: u64, reason: &'static str) {
        if let Some(c) = self.calls.get_mut(&id) {
            c.bye_reason = Some(reason);
        }
    }

    /// Counts and reports the unusable crypto lines of an offer we answer (nothing when all
    /// were usable).
    pub(super) fn report_offer_crypto(
        &mut self,
        now: Instant,
        meeting: &str,
        source: IpAddr,
        side: Side,
        offer: &SessionDescription,
        outcome: CryptoOutcome,
    ) {
        let dropped = sdes::unusable_lines(offer);
        let Some(first) = dropped.first().copied() else {
            return;
        };
        for why in &dropped {
            self.local_stats.srtp.count(*why);
        }
        self.emit_srtp(now, meeting, source, side, first, outcome);
    }

    /// Counts and reports a re-offer refused because it would take an encrypted leg to plain
    /// RTP: one event, naming its first unusable line, or `missing` when it offered none.
    pub(super) fn report_downgrade(
        &mut self,
        now: Instant,
        meeting: &str,
        source: IpAddr,
        side: Side,
        offer: &SessionDescription,
    ) {
        let dropped = sdes::unusable_lines(offer);
        for why in &dropped {
            self.local_stats.srtp.count(*why);
        }
        let why = dropped.first().copied().unwrap_or(Unusable::Missing);
        if dropped.is_empty() {
            self.local_stats.srtp.count(why);
        }
        self.emit_srtp(now, meeting, source, side, why, CryptoOutcome::Refused);
    }

    /// Ends call `id` because `side`'s SDP answer cannot be applied: unreadable, or (with
    /// `refused`: where it came from and why) refused by the SRTP rule. An answer cannot be
    /// refused with a status, so the legs get BYE saying why (RFC 3326 Reason), and a room
    /// INVITE still pending gets 502.
    pub(super) fn refuse_answer(
        &mut self,
        _layer: &mut TransactionLayer,
        now: Instant,
        id: u64,
        side: Side,
        refused: Option<(IpAddr, CryptoRefused)>,
    ) {
        let Some(meeting) = self.calls.get(&id).map(|c| c.meeting.clone()) else {
            return;
        };
        if let Some((source, r)) = refused {
            self.report_refused(now, &meeting, source, side, r);
        }
        tracing::warn!(call = id, leg = ?side, "SDP answer refused: ending the call");
        let reason = match side {
            Side::Room => "room_srtp",
            Side::Cloud => "cloud_srtp",
        };
        self.set_reason(id, reason);
        self.set_bye_reason(id, SRTP_BYE_REASON);
        let t = super::core_glue::time(now, self.wall);
        match side {
            Side::Room => {
                self.local_stats.refused_media += 1;
                self.core
                    .end(t, id, EndCause::Upstream(UpstreamFailure::Failed));
            }
            // A pending room hears 502, as for any upstream failure.
            Side::Cloud => self.core.upstream_failed(t, id, UpstreamFailure::Failed),
        }
    }

    /// Counts and reports a negotiated leg refused by the SRTP rule.
    pub(super) fn report_refused(
        &mut self,
        now: Instant,
        meeting: &str,
        source: IpAddr,
        side: Side,
        refused: CryptoRefused,
    ) {
        self.local_stats.srtp.count(refused.why);
        self.emit_srtp(
            now,
            meeting,
            source,
            side,
            refused.why,
            CryptoOutcome::Refused,
        );
    }

    fn emit_srtp(
        &mut self,
        now: Instant,
        meeting: &str,
        source: IpAddr,
        side: Side,
        why: Unusable,
        outcome: CryptoOutcome,
    ) {
        if outcome == CryptoOutcome::Refused {
            self.local_stats.srtp.refused += 1;
        }
        let leg = match side {
            Side::Room => "room",
            Side::Cloud => "cloud",
        };
        tracing::warn!(
            meeting,
            %source,
            leg,
            reason = why.label(),
            outcome = outcome.label(),
            "SRTP crypto unusable: {why}"
        );
        if let Some(guard) = &self.guard {
            guard.sink().emit(&SecurityEvent::SrtpRefused {
                time: unix_seconds(self.wall.at(now)),
                meeting: meeting.to_owned(),
                source,
                leg,
                reason: why.label(),
                outcome: outcome.label(),
            });
        }
    }
}
