//! One PIN attempt, off the SIP core's loop: count it in the budgets first (reserve), then
//! verify (argon2id on the blocking pool: tens of milliseconds of CPU and 19 MiB), then record
//! the outcome (settle). Every path costs one verification, so the answer time does not say
//! whether the meeting exists, is locked, or the source is blocked.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::SystemTime;

use crate::lockout::{unix_seconds, Guard, SecurityEvent, Verdict};
use roomgate_core::call::{Outcome, Secret};

/// Runs one attempt against `guard`; `None` (no guard) fails closed.
pub async fn attempt(
    guard: Option<Arc<Guard>>,
    meeting: String,
    source: IpAddr,
    hash: Option<String>,
    pin: Option<Secret>,
) -> Outcome {
    let Some(guard) = guard else {
        tracing::error!("no lockout store: PIN checks fail closed");
        return Outcome::Unavailable;
    };
    let now = unix_seconds(SystemTime::now());
    let ticket = match guard.reserve(now, &meeting, source).await {
        Ok(Ok(t)) => t,
        Ok(Err(verdict)) => {
            let reason = match verdict {
                Verdict::MeetingLocked { .. } => "meeting_locked",
                Verdict::SourceBlocked { .. } => "source_blocked",
                _ => "in_flight",
            };
            guard.sink().emit(&SecurityEvent::PinRefused {
                time: now,
                meeting,
                source,
                reason,
            });
            verify(None, pin).await;
            return Outcome::Wrong;
        }
        Err(e) => {
            tracing::error!(error = %e, "lockout store unavailable: PIN check fails closed");
            return Outcome::Unavailable;
        }
    };
    let ok = verify(hash, pin).await;
    match guard
        .settle(unix_seconds(SystemTime::now()), ticket, ok)
        .await
    {
        Ok(()) if ok => Outcome::Correct,
        Ok(()) => Outcome::Wrong,
        Err(e) => {
            tracing::error!(error = %e, "lockout store unavailable: PIN check fails closed");
            Outcome::Unavailable
        }
    }
}

/// argon2id on the blocking pool; a missing hash or PIN spends the same time and fails.
async fn verify(hash: Option<String>, pin: Option<Secret>) -> bool {
    tokio::task::spawn_blocking(move || match (hash, pin) {
        (Some(h), Some(p)) => crate::pin::verify_pin(&h, p.expose()),
        (_, p) => {
            crate::pin::dummy_verify(p.as_ref().map_or("", |p| p.expose()));
            false
        }
    })
    .await
    .unwrap_or(false)
}
