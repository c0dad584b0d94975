//! A deterministic world for the call core: a virtual clock, a scripted store and lockout
//! guard, and scripted legs that react to the core's commands the way a leg adapter does. No
//! socket, no thread, no wall clock: a scenario runs in microseconds and fails the same way
//! every time.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use roomgate_core::call::pin::FRAME;
use roomgate_core::call::*;

/// The room's source in most scenarios.
pub const ROOM: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));

/// How the upstream reacts when it is placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpstreamScript {
    Answer,
    RingThenAnswer,
    Fail(UpstreamFailure),
    /// Never answers (the setup timer decides).
    Silent,
}

/// What the scripted legs saw, in order (prompt frames are counted, not listed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    Refused(CallId, EndCause),
    Admit {
        call: CallId,
        pin: bool,
    },
    AnsweredForPin(CallId),
    Placed(CallId),
    Ringing(CallId),
    Connected(CallId),
    Ended {
        call: CallId,
        cause: EndCause,
        by: Option<Side>,
        reason: Option<String>,
    },
}

pub struct World {
    pub core: CallCore,
    pub now: Time,
    /// meeting → its PIN (None: open meeting).
    pub meetings: HashMap<String, Option<String>>,
    pub locked: HashSet<String>,
    pub blocked: HashSet<IpAddr>,
    pub lockout_healthy: bool,
    pub store_down: bool,
    /// The lockout store fails during an attempt.
    pub attempts_unavailable: bool,
    /// Room media acceptable to the legs.
    pub media_ok: bool,
    pub upstream: UpstreamScript,
    /// PIN attempts are held here instead of answered (to test late outcomes).
    pub hold_attempts: bool,
    pub held: Vec<(CallId, Option<String>)>,
    /// Audio rate the room leg reports for prompts.
    pub room_rate: u32,
    pub seen: Vec<Seen>,
    pub frames: HashMap<CallId, Vec<usize>>,
    /// Per call, the prompts heard in order (each prompt's samples are its number: 1 enter
    /// PIN, 2 wrong PIN, 3 joining, 4 disconnected, 5 enter meeting ID, 6 wrong meeting ID),
    /// one entry per prompt played.
    pub heard: HashMap<CallId, Vec<i16>>,
    /// Each PIN attempt: its meeting key and whether it carried a hash.
    pub attempt_keys: Vec<(String, bool)>,
    last_frame: HashMap<CallId, Instant>,
    pub screens: usize,
    pub lookups: usize,
    pub attempts: usize,
    pub records: Vec<CallRecord>,
}

pub fn settings() -> CoreSettings {
    CoreSettings {
        max_calls: 4,
        setup_timeout: Duration::from_secs(10),
        pin_timeouts: PinTimeouts {
            inter_digit: Duration::from_secs(3),
            total: Duration::from_secs(60),
        },
        pin_attempts_per_call: 3,
    }
}

fn prompts(len: usize) -> Arc<Prompts> {
    Arc::new(Prompts {
        enter_pin: vec![1; len],
        wrong_pin: vec![2; len / 2],
        joining: vec![3; len / 2],
        disconnected: vec![4; len / 2],
        enter_meeting_id: vec![5; len],
        wrong_meeting_id: vec![6; len / 2],
    })
}

impl World {
    pub fn new() -> Self {
        Self::with(settings())
    }

    pub fn with(settings: CoreSettings) -> Self {
        let mut core = CallCore::new(settings);
        // One second of "enter the password" at 8 kHz; the others half that.
        core.add_prompts(8_000, prompts(8_000));
        core.add_prompts(16_000, prompts(16_000));
        let mut meetings = HashMap::new();
        meetings.insert("1000".to_owned(), None);
        meetings.insert("2000".to_owned(), Some("4321".to_owned()));
        World {
            core,
            now: Time {
                mono: Instant::now(),
                unix: 1_800_000_000,
            },
            meetings,
            locked: HashSet::new(),
            blocked: HashSet::new(),
            lockout_healthy: true,
            store_down: false,
            attempts_unavailable: false,
            media_ok: true,
            upstream: UpstreamScript::Answer,
            hold_attempts: false,
            held: Vec::new(),
            room_rate: 8_000,
            seen: Vec::new(),
            frames: HashMap::new(),
            heard: HashMap::new(),
            attempt_keys: Vec::new(),
            last_frame: HashMap::new(),
            screens: 0,
            lookups: 0,
            attempts: 0,
            records: Vec::new(),
        }
    }

    /// A room dials `dialled` from `source` with leg identity `key`.
    pub fn dial_from(&mut self, key: &str, source: IpAddr, dialled: &str) -> CallId {
        let id = self.core.incoming(
            self.now,
            Incoming {
                key: key.to_owned(),
                source,
                dialled: (!dialled.is_empty()).then(|| dialled.to_owned()),
            },
        );
        self.pump();
        id
    }

    pub fn dial(&mut self, dialled: &str) -> CallId {
        let key = format!("leg-{}-{dialled}", self.seen.len());
        self.dial_from(&key, ROOM, dialled)
    }

    /// Serves requests and plays the legs until the core has nothing more to say.
    pub fn pump(&mut self) {
        for _ in 0..10_000 {
            if let Some(r) = self.core.poll_request() {
                self.serve(r);
            } else if let Some(c) = self.core.poll_command() {
                self.legs(c);
            } else {
                return;
            }
        }
        panic!("the core kept producing output");
    }

    fn serve(&mut self, r: Request) {
        let now = self.now;
        match r {
            Request::Screen { call, source } => {
                self.screens += 1;
                let s = Screening {
                    blocked: self.blocked.contains(&source),
                    lockout_healthy: self.lockout_healthy,
                };
                self.core.on_screened(now, call, s);
            }
            Request::Lookup { call, meeting } => {
                self.lookups += 1;
                let found = if self.store_down {
                    Err("database is locked".to_owned())
                } else {
                    Ok(self.meetings.get(&meeting).map(|pin| Meeting {
                        pin_hash: pin.as_ref().map(|p| format!("hash:{p}")),
                    }))
                };
                self.core.on_lookup(now, call, found);
            }
            Request::PinAttempt {
                call,
                meeting,
                hash,
                pin,
                ..
            } => {
                self.attempts += 1;
                self.attempt_keys.push((meeting.clone(), hash.is_some()));
                if self.hold_attempts {
                    self.held.push((call, pin.map(|p| p.expose().to_owned())));
                    return;
                }
                let outcome = if self.attempts_unavailable {
                    Outcome::Unavailable
                } else if self.locked.contains(&meeting) {
                    Outcome::Wrong
                } else {
                    match (hash, pin) {
                        (Some(h), Some(p)) if h == format!("hash:{}", p.expose()) => {
                            Outcome::Correct
                        }
                        _ => Outcome::Wrong,
                    }
                };
                self.core.on_pin_outcome(now, call, outcome);
            }
        }
    }

    fn legs(&mut self, c: Command) {
        let now = self.now;
        match c {
            Command::Refuse { call, cause } => self.seen.push(Seen::Refused(call, cause)),
            Command::Admit { call, pin, .. } => {
                self.seen.push(Seen::Admit { call, pin });
                if self.media_ok {
                    self.core.admitted(now, call);
                } else {
                    self.core.end(now, call, EndCause::NotAcceptable);
                }
            }
            Command::AnswerForPin { call } => {
                self.seen.push(Seen::AnsweredForPin(call));
                self.core.pin_ready(now, call, self.room_rate);
            }
            Command::Play { call, frame } => {
                self.frames.entry(call).or_default().push(frame.len());
                // A new prompt: another voice, or the same one after a pause (a repeat).
                let voice = frame.first().copied().unwrap_or(0);
                let gap = self
                    .last_frame
                    .insert(call, now.mono)
                    .is_none_or(|t| now.mono.saturating_duration_since(t) > FRAME);
                let heard = self.heard.entry(call).or_default();
                if gap || heard.last() != Some(&voice) {
                    heard.push(voice);
                }
            }
            Command::PlaceUpstream { call } => {
                self.seen.push(Seen::Placed(call));
                match self.upstream {
                    UpstreamScript::Answer => self.core.upstream_answered(now, call),
                    UpstreamScript::RingThenAnswer => {
                        self.core.upstream_ringing(now, call);
                        self.core.upstream_answered(now, call);
                    }
                    UpstreamScript::Fail(f) => self.core.upstream_failed(now, call, f),
                    UpstreamScript::Silent => {}
                }
            }
            Command::Ringing { call } => self.seen.push(Seen::Ringing(call)),
            Command::Connect { call } => {
                self.seen.push(Seen::Connected(call));
                self.core.connected(now, call);
            }
            Command::End {
                call,
                cause,
                hung_up_by,
                record,
            } => {
                self.seen.push(Seen::Ended {
                    call,
                    cause,
                    by: hung_up_by,
                    reason: record.reason.clone(),
                });
                self.records.push(record);
            }
        }
    }

    /// Runs the clock forward by `d`, firing every timer on the way at its own instant.
    pub fn advance(&mut self, d: Duration) {
        let until = self.now.mono + d;
        let start = self.now;
        for _ in 0..1_000_000 {
            match self.core.poll_timeout() {
                Some(t) if t <= until => {
                    let t = t.max(self.now.mono);
                    self.now = Time {
                        mono: t,
                        unix: start.unix + (t - start.mono).as_secs(),
                    };
                    self.core.handle_timeout(self.now);
                    self.pump();
                }
                _ => {
                    self.now = start.after(d);
                    return;
                }
            }
        }
        panic!("timers never settled");
    }

    /// Key presses from the room (RFC 4733), one every 200 ms.
    pub fn keys(&mut self, call: CallId, keys: &str) {
        for k in keys.chars() {
            self.core.digit(self.now, call, DigitSource::Rfc4733, k);
            self.pump();
            self.advance(Duration::from_millis(200));
        }
    }

    pub fn ended(&self, call: CallId) -> Option<(EndCause, Option<Side>, Option<String>)> {
        self.seen.iter().find_map(|s| match s {
            Seen::Ended {
                call: c,
                cause,
                by,
                reason,
            } if *c == call => Some((*cause, *by, reason.clone())),
            _ => None,
        })
    }

    pub fn refused(&self, call: CallId) -> Option<EndCause> {
        self.seen.iter().find_map(|s| match s {
            Seen::Refused(c, cause) if *c == call => Some(*cause),
            _ => None,
        })
    }

    pub fn saw(&self, want: &Seen) -> bool {
        self.seen.contains(want)
    }

    /// The prompts `call` heard, in order (see [`World::heard`]).
    pub fn heard(&self, call: CallId) -> Vec<i16> {
        self.heard.get(&call).cloned().unwrap_or_default()
    }

    pub fn frames(&self, call: CallId) -> usize {
        self.frames.get(&call).map_or(0, Vec::len)
    }
}
