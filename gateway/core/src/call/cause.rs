//! Why a call ends, in no protocol's terms. The core decides *that* a call ends and why; each
//! leg adapter turns the cause into its own protocol's answer at the edge (a SIP status and
//! Retry-After, a Q.931 cause value), so the same decision reads right on every leg.

/// Why a call, or an attempt at one, ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndCause {
    /// A leg hung up, or the call ended for a reason its legs need not be told (no media,
    /// PIN entry over, a session timer ran out).
    Normal,
    /// The caller's source is blocked by the wrong-PIN budgets. It learns nothing else.
    Forbidden,
    /// The same leg arrived twice while its call is live (a loop or a merged request).
    Loop,
    /// The dial string names no meeting ID.
    NotFound,
    /// Try again later: over capacity, the meeting or lockout store unreachable, no media
    /// resources, shutting down. `retry_after` in seconds when the wait is known.
    Unavailable { retry_after: Option<u32> },
    /// The caller's media cannot be carried (codec or SRTP policy).
    NotAcceptable,
    /// The caller gave up before the call was answered.
    Cancelled,
    /// The meeting's upstream refused the call or could not be reached.
    Upstream(UpstreamFailure),
    /// Something on our side failed (an offer that cannot be built, a relay refusal).
    Internal,
}

/// How an upstream (cloud meeting) leg failed, as far as the caller needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpstreamFailure {
    NotFound,
    TemporarilyUnavailable,
    Busy,
    BusyEverywhere,
    Declined,
    /// The upstream cannot take the media we offered, or answered with media we cannot use.
    NotAcceptable,
    /// No final answer within the setup time (or the upstream timed out itself).
    Timeout,
    /// The upstream's address does not resolve or the request could not be sent.
    Unreachable,
    /// Any other failure of the upstream.
    Failed,
}

impl EndCause {
    /// The counter label of a refusal (metrics and logs).
    pub fn label(self) -> &'static str {
        match self {
            EndCause::Normal => "normal",
            EndCause::Forbidden => "forbidden",
            EndCause::Loop => "loop",
            EndCause::NotFound => "not_found",
            EndCause::Unavailable { .. } => "unavailable",
            EndCause::NotAcceptable => "not_acceptable",
            EndCause::Cancelled => "cancelled",
            EndCause::Upstream(_) => "upstream",
            EndCause::Internal => "internal",
        }
    }
}
