//! RFC 4028 session timers: negotiation helpers only. The gateway owns the timing; these
//! functions turn requests and responses into a negotiated interval and refresher, and that
//! into deadlines from a given `now` — deadlines out, no timers inside.
//!
//! `refresher=uac|uas` names the ends of the *transaction* carrying the header, so the same
//! dialog side can be "uac" in one refresh and "uas" in the next; [`Negotiated`] therefore
//! stores "we refresh" instead.

use std::time::{Duration, Instant};

use super::DialogError;
use crate::header_name::HeaderName;
use crate::message::Message;
use crate::owned::OwnedMessage;

/// RFC 4028 §4: 1800 s is the recommended Session-Expires.
pub const DEFAULT_SESSION_EXPIRES: u32 = 1800;

/// RFC 4028 §4/§5: no Session-Expires or Min-SE below 90 s.
pub const MIN_SESSION_EXPIRES: u32 = 90;

/// The largest Min-SE a 422 may ask of us before we stop retrying: beyond two hours a dead
/// call lingers too long to be worth the session timer.
pub const DEFAULT_MAX_MIN_SE: u32 = 7200;

/// §10: the non-refresher sends BYE "slightly before" expiry: the minimum of this and a
/// third of the interval.
pub const GIVE_UP_MARGIN_CAP: u32 = 32;

/// Which end of a transaction refreshes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Refresher {
    Uac,
    Uas,
}

impl Refresher {
    pub fn as_str(self) -> &'static str {
        match self {
            Refresher::Uac => "uac",
            Refresher::Uas => "uas",
        }
    }

    fn parse(value: &str) -> Option<Self> {
        if value.eq_ignore_ascii_case("uac") {
            Some(Refresher::Uac)
        } else if value.eq_ignore_ascii_case("uas") {
            Some(Refresher::Uas)
        } else {
            None
        }
    }
}

/// Our session timer policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionTimerConfig {
    /// The interval we ask for, and the most we grant.
    pub session_expires: u32,
    /// The smallest interval we accept (our Min-SE); at least [`MIN_SESSION_EXPIRES`].
    pub min_se: u32,
    /// The largest Min-SE we follow after a 422.
    pub max_min_se: u32,
    /// Who refreshes when the UAS chooses and the UAC supports timers. Default: the UAS —
    /// when we are the UAS, the gateway then relies on its own refreshes rather than on a
    /// room system's.
    pub prefer_refresher: Refresher,
    /// As UAS, use a session timer even when the request did not ask for one (§9 allows
    /// it); that is how the gateway notices calls whose far end vanished.
    pub insert_when_absent: bool,
}

impl Default for SessionTimerConfig {
    fn default() -> Self {
        SessionTimerConfig {
            session_expires: DEFAULT_SESSION_EXPIRES,
            min_se: MIN_SESSION_EXPIRES,
            max_min_se: DEFAULT_MAX_MIN_SE,
            prefer_refresher: Refresher::Uas,
            insert_when_absent: true,
        }
    }
}

impl SessionTimerConfig {
    /// Our Min-SE with the RFC floor applied.
    fn floor(&self) -> u32 {
        self.min_se.max(MIN_SESSION_EXPIRES)
    }

    /// Adds Supported: timer, Session-Expires (our interval, at least `min_se`, no
    /// refresher: the UAS picks) and Min-SE to a request we send (§7.1). After a 422, pass
    /// the retry values from [`on_422`] as `interval`.
    pub fn apply_to_request(&self, request: &mut OwnedMessage, interval: Option<u32>) {
        let min_se = interval.unwrap_or(0).max(self.floor());
        let se = interval.unwrap_or(self.session_expires).max(min_se);
        request.push(HeaderName::Supported, "timer");
        request.push(HeaderName::SessionExpires, se);
        request.push(HeaderName::MinSe, min_se);
    }
}

/// The session timer agreed in one transaction, from our side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Negotiated {
    /// Session interval in seconds.
    pub interval: u32,
    /// We send the refreshes.
    pub we_refresh: bool,
}

/// When to act, measured from the `now` at which the session was (re)freshed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionDeadlines {
    /// When we send the refresh (half the interval, §7.4/§9); `None` for the non-refresher.
    pub refresh_at: Option<Instant>,
    /// When to give up and send BYE if no refresh completed: interval minus
    /// min(32 s, interval/3) (§10).
    pub give_up_at: Instant,
}

impl Negotiated {
    /// The deadlines after a refresh (or the initial 2xx) completed at `now`.
    pub fn deadlines(&self, now: Instant) -> SessionDeadlines {
        let interval = u64::from(self.interval);
        let margin = (interval / 3).min(u64::from(GIVE_UP_MARGIN_CAP));
        SessionDeadlines {
            refresh_at: self
                .we_refresh
                .then(|| now + Duration::from_secs(interval / 2)),
            give_up_at: now + Duration::from_secs(interval - margin),
        }
    }
}

/// What a UAS puts in its 2xx (§9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UasAnswer {
    pub interval: u32,
    pub refresher: Refresher,
    /// The UAC supports timers: the 2xx carries `Require: timer`.
    pub require_timer: bool,
}

impl UasAnswer {
    /// Adds Session-Expires (with refresher) and, when the UAC supports timers,
    /// Require: timer to our 2xx.
    pub fn apply(&self, response: &mut OwnedMessage) {
        response.push(
            HeaderName::SessionExpires,
            format_args!("{};refresher={}", self.interval, self.refresher.as_str()),
        );
        if self.require_timer {
            response.push(HeaderName::Require, "timer");
        }
    }

    /// From the UAS's (our) point of view.
    pub fn negotiated(&self) -> Negotiated {
        Negotiated {
            interval: self.interval,
            we_refresh: self.refresher == Refresher::Uas,
        }
    }
}

fn supports_timer(msg: &Message<'_>) -> Result<bool, DialogError> {
    Ok(msg
        .tokens(HeaderName::Supported)?
        .iter()
        .chain(msg.tokens(HeaderName::Require)?.iter())
        .any(|t| t.eq_ignore_ascii_case("timer")))
}

/// As UAS, the session timer answer to an INVITE or UPDATE (§9), `None` when no timer is
/// used. A Session-Expires below our Min-SE from a UAC that supports timers is refused with
/// [`DialogError::SessionIntervalTooSmall`] (→ 422 with our Min-SE via
/// [`super::refuse`]). We may lower the interval to our preference, never below the
/// request's Min-SE.
pub fn uas_answer(
    request: &Message<'_>,
    config: &SessionTimerConfig,
) -> Result<Option<UasAnswer>, DialogError> {
    let uac_supports = supports_timer(request)?;
    let requested_min = request
        .min_se()?
        .map_or(MIN_SESSION_EXPIRES, |m| m.delta)
        .max(MIN_SESSION_EXPIRES);
    let floor = requested_min.max(config.floor());
    let chosen_refresher = if uac_supports {
        config.prefer_refresher
    } else {
        Refresher::Uas
    };
    match request.session_expires()? {
        Some(se) => {
            // A UAC that does not list "timer" cannot act on a 422 (a proxy added the
            // header): raise the interval instead, as §8.1 has proxies do.
            if se.delta < config.floor() && uac_supports {
                return Err(DialogError::SessionIntervalTooSmall {
                    requested: se.delta,
                    min_se: config.floor(),
                });
            }
            let interval = se.delta.min(config.session_expires).max(floor);
            let refresher = match se.refresher().and_then(Refresher::parse) {
                Some(r) if uac_supports => r,
                _ => chosen_refresher,
            };
            Ok(Some(UasAnswer {
                interval,
                refresher,
                require_timer: uac_supports,
            }))
        }
        None if config.insert_when_absent => Ok(Some(UasAnswer {
            interval: config.session_expires.max(floor),
            refresher: chosen_refresher,
            require_timer: uac_supports,
        })),
        None => Ok(None),
    }
}

/// As UAC, what the 2xx to our INVITE/UPDATE agreed (§7.2): `None` when it has no
/// Session-Expires (no session timer). A missing refresher is taken as "uac" (§7.2: the UAS
/// that does not support timers leaves the refreshing to us).
pub fn uac_negotiated(response: &Message<'_>) -> Result<Option<Negotiated>, DialogError> {
    Ok(response.session_expires()?.map(|se| Negotiated {
        interval: se.delta.max(MIN_SESSION_EXPIRES),
        we_refresh: se.refresher().and_then(Refresher::parse) != Some(Refresher::Uas),
    }))
}

/// As UAC, the interval to retry with after a 422 (§7.4): the 422's Min-SE, when it is
/// larger than what we asked (`requested`; otherwise retrying would loop) and within our
/// `max_min_se`. Pass it to [`SessionTimerConfig::apply_to_request`].
pub fn on_422(
    response: &Message<'_>,
    requested: u32,
    config: &SessionTimerConfig,
) -> Result<u32, DialogError> {
    let min_se = response
        .min_se()?
        .ok_or(DialogError::Header(crate::error::HeaderError {
            header: "Min-SE",
            what: "missing in 422",
        }))?
        .delta;
    if min_se <= requested || min_se > config.max_min_se {
        return Err(DialogError::UnacceptableMinSe {
            min_se,
            limit: config.max_min_se,
        });
    }
    Ok(min_se)
}
