//! The call core: every call's phase, admission, PIN entry and lockout requests, setup timer
//! and record, driven by leg-neutral events. It knows no protocol: SIP and H.323 legs are
//! adapters that turn their signalling into these events and carry out its commands.
//!
//! Sans-IO like the protocol crates: time (monotonic and wall-clock) comes in as arguments;
//! everything slow or external (screening a source, looking a meeting up, a PIN attempt)
//! leaves as a [`Request`] and comes back as a result, so "store unavailable" or "Redis slow"
//! are inputs like any other and a test drives the core on a virtual clock.
//!
//! ```text
//!  incoming ─> Screen ─> (blocked: Refuse Forbidden) ─> capacity, dial string ─> Lookup
//!    ─> Admit ─> the legs check media ─> admitted
//!         PIN meeting (or unknown): AnswerForPin ─> pin_ready ─> prompts, digits, PinAttempt …
//!              right PIN ─> PlaceUpstream;  wrong ×N, timeout, flood ─> End
//!         open meeting: PlaceUpstream (setup timer) ─> Ringing ─> Connect ─> connected
//!  no meeting dialled: Admit ─> AnswerForPin ─> "enter the meeting ID" ─> digits ─> Lookup
//!         found: PIN entry as above (or joining);  unknown: a PinAttempt that fails, retry …
//!  any time: end / leg_ended / media_inactive / cancelled ─> End (with the call's record)
//! ```
//!
//! A driver's loop, with the legs as adapters:
//!
//! ```
//! use std::net::{IpAddr, Ipv4Addr};
//! use std::time::{Duration, Instant};
//! use roomgate_core::call::*;
//!
//! let settings = CoreSettings {
//!     max_calls: 10,
//!     setup_timeout: Duration::from_secs(30),
//!     pin_timeouts: PinTimeouts {
//!         inter_digit: Duration::from_secs(5),
//!         total: Duration::from_secs(60),
//!     },
//!     pin_attempts_per_call: 3,
//! };
//! let mut core = CallCore::new(settings);
//! let now = Time { mono: Instant::now(), unix: 1_700_000_000 };
//! let room = IpAddr::V4(Ipv4Addr::LOCALHOST);
//! let call = core.incoming(now, Incoming { key: "leg-1".into(), source: room, dialled: Some("1000".into()) });
//! // The driver serves requests and hands commands to the legs until nothing is left.
//! loop {
//!     if let Some(req) = core.poll_request() {
//!         match req {
//!             Request::Screen { call, .. } => {
//!                 core.on_screened(now, call, Screening { blocked: false, lockout_healthy: true })
//!             }
//!             Request::Lookup { call, .. } => {
//!                 core.on_lookup(now, call, Ok(Some(Meeting { pin_hash: None })))
//!             }
//!             Request::PinAttempt { .. } => unreachable!("an open meeting"),
//!         }
//!     } else if let Some(cmd) = core.poll_command() {
//!         match cmd {
//!             // The room leg's adapter checks the offer and reserves media, then:
//!             Command::Admit { call, .. } => core.admitted(now, call),
//!             Command::PlaceUpstream { call } => {
//!                 // …the upstream adapter places its leg; later it answers:
//!                 core.upstream_answered(now, call);
//!             }
//!             Command::Connect { call } => {
//!                 core.connected(now, call);
//!             }
//!             other => panic!("{other:?}"),
//!         }
//!     } else {
//!         break;
//!     }
//! }
//! assert_eq!(core.phase(call), Some(Phase::Connected));
//! // Timers: wake at `core.poll_timeout()` and call `core.handle_timeout(now)`.
//! ```

mod cause;
pub mod dial;
mod io;
pub mod pin;
mod table;

pub use cause::{EndCause, UpstreamFailure};
pub use io::{
    CallId, CallRecord, Command, CoreSettings, CoreStats, Incoming, Meeting, Outcome, Phase,
    Request, Screening, Side, Time,
};
pub use pin::{DigitSource, HangUpReason, PinTimeouts, Prompts, Secret};
pub use table::{CallCore, CallInfo, MAX_KEYS_PER_CALL, UNKNOWN_ID_KEY_PREFIX};
