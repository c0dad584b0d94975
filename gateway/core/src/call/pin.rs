//! PIN entry for one call: which prompt plays, which digits count, when an attempt is made,
//! and what happens after its outcome. A sans-IO state machine: digits, outcomes and time go
//! in; prompt frames, attempts and the final decision come out. The call core hands the frames
//! to the media layer and the attempts (reserve → argon2 → settle) to its driver.
//!
//! ```text
//!  answered ─> "enter the password" ─> digits … '#' (or a pause after digits) ─> attempt
//!     attempt right  ─> "you are now joining" ─> Join
//!     attempt wrong  ─> "not correct" ─> "enter the password" ─> …   (per-call budget left)
//!                    ─> "you have been disconnected" ─> HangUp   (budget spent)
//!  silence after the prompt ─> the prompt again;  whole entry too long ─> disconnected
//! ```
//!
//! A call that dialled no meeting first enters the meeting ID the same way ([`PinEntry::for_meeting_id`]):
//!
//! ```text
//!  answered ─> "enter the meeting ID" ─> digits … '#' ─> attempt (the core looks the ID up)
//!     meeting found ─> [`PinEntry::meeting_found`]: "enter the password" … as above,
//!                      or "you are now joining" ─> Join for an open meeting
//!     unknown ID     ─> a PIN attempt that cannot succeed (same budgets) ─> "that meeting ID
//!                      is not correct" ─> "enter the meeting ID" …  or disconnected
//! ```
//!
//! Wrong IDs and wrong PINs share the per-call budget: a caller gets the same number of
//! tries in all, whatever they got wrong.
//!
//! Digits arrive as RFC 4733 events from the relay and through signalling (SIP INFO, H.245
//! UserInputIndication). Some endpoints send both
//! for one key press, so the first kind that delivers a digit is the only kind read for the
//! rest of the call: one key press is one digit.
//!
//! An unknown or locked meeting runs exactly this flow too (its attempts always fail), so a
//! caller cannot tell it from a meeting with a password.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use super::io::Outcome;

/// The four prompts of PIN entry as mono PCM at one rate (the room leg's codec rate). The
/// gateway loads and resamples them once at startup; the core only plays them.
#[derive(Clone, PartialEq, Eq)]
pub struct Prompts {
    /// "Please enter the meeting password, followed by the pound key."
    pub enter_pin: Vec<i16>,
    /// "That password is not correct."
    pub wrong_pin: Vec<i16>,
    /// "You are now joining the meeting."
    pub joining: Vec<i16>,
    /// "You have been disconnected."
    pub disconnected: Vec<i16>,
    /// "Please enter the meeting ID, followed by the pound key."
    pub enter_meeting_id: Vec<i16>,
    /// "That meeting ID is not correct."
    pub wrong_meeting_id: Vec<i16>,
}

// Lengths only: a Debug of the samples would be megabytes of numbers in a log.
impl std::fmt::Debug for Prompts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prompts")
            .field("enter_pin", &self.enter_pin.len())
            .field("wrong_pin", &self.wrong_pin.len())
            .field("joining", &self.joining.len())
            .field("disconnected", &self.disconnected.len())
            .field("enter_meeting_id", &self.enter_meeting_id.len())
            .field("wrong_meeting_id", &self.wrong_meeting_id.len())
            .finish()
    }
}

/// Digits kept for one attempt. Longer entries are wrong PINs (the store never holds one this
/// long), and keeping only this many bounds what a digit flood can make us hold.
pub const MAX_PIN_DIGITS: usize = 32;

/// Prompt frames of 20 ms, the packet time every leg uses.
pub const FRAME: Duration = Duration::from_millis(20);

/// Digits accepted in one call, whatever they are. A flood beyond this ends the call: no
/// person presses 200 keys to join a meeting.
pub const MAX_DIGITS_PER_CALL: u32 = 200;

/// Timeouts of PIN entry (`[pin]` in the configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinTimeouts {
    /// After a digit, how long until the entry counts as finished without '#'; after a prompt
    /// with no digit, how long until the prompt is repeated.
    pub inter_digit: Duration,
    /// The whole PIN phase, prompts included; then the caller is disconnected.
    pub total: Duration,
}

/// Where a digit came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigitSource {
    Rfc4733,
    Info,
}

/// One of the spoken prompts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    EnterPin,
    WrongPin,
    Joining,
    Disconnected,
    EnterMeetingId,
    WrongMeetingId,
}

/// What the call core must do next.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// Verify this entry. `None` is an entry that cannot be right (too long): it is still an
    /// attempt, counted and timed like any other.
    Attempt(Option<Secret>),
    /// The PIN was right and the joining prompt has played: place the cloud leg.
    Join,
    /// End the call (budget spent, timed out, or failing closed); the prompt has played.
    HangUp(HangUpReason),
}

/// Why PIN entry ended the call (for logs and CDRs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HangUpReason {
    /// The per-call budget of wrong PINs is spent.
    WrongPins,
    /// No complete entry within the total time.
    Timeout,
    /// Too many digits in one call.
    Flood,
    /// The lockout store is unreachable.
    Unavailable,
    /// The meeting store could not look an entered meeting ID up.
    StoreUnavailable,
}

impl HangUpReason {
    pub fn as_str(self) -> &'static str {
        match self {
            HangUpReason::WrongPins => "pin_failed",
            HangUpReason::Timeout => "pin_timeout",
            HangUpReason::Flood => "pin_flood",
            HangUpReason::Unavailable => "lockout_unavailable",
            HangUpReason::StoreUnavailable => "store_unavailable",
        }
    }
}

/// Digits as typed; its `Debug` never shows them.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: String) -> Self {
        Secret(s)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// What follows the prompts now queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Then {
    Collect,
    Join,
    HangUp(HangUpReason),
}

/// What the digits being collected are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entering {
    MeetingId,
    Pin,
}

impl Entering {
    fn prompts(self) -> (Prompt, Prompt) {
        match self {
            Entering::MeetingId => (Prompt::EnterMeetingId, Prompt::WrongMeetingId),
            Entering::Pin => (Prompt::EnterPin, Prompt::WrongPin),
        }
    }
}

/// PIN entry of one call.
pub struct PinEntry {
    entering: Entering,
    prompts: Arc<Prompts>,
    /// Samples per 20 ms frame at the leg's rate.
    frame_len: usize,
    timeouts: PinTimeouts,
    per_call: u32,
    wrong: u32,
    digits: String,
    overflow: bool,
    digits_seen: u32,
    source: Option<DigitSource>,
    queue: VecDeque<Prompt>,
    playing: Option<(Prompt, usize)>,
    next_frame: Option<Instant>,
    then: Then,
    /// An attempt is being verified; digits are ignored until its outcome.
    verifying: bool,
    digit_deadline: Option<Instant>,
    give_up_at: Instant,
    steps: VecDeque<Step>,
    done: bool,
}

impl PinEntry {
    /// Starts PIN entry at `now`. A PIN from the dial string is the first attempt, made at
    /// once; otherwise the caller is asked for one.
    pub fn new(
        now: Instant,
        prompts: Arc<Prompts>,
        rate: u32,
        timeouts: PinTimeouts,
        per_call: u32,
        dialled_pin: Option<String>,
    ) -> Self {
        let mut e = PinEntry {
            entering: Entering::Pin,
            prompts,
            frame_len: (rate / 50).max(1) as usize,
            timeouts,
            per_call: per_call.max(1),
            wrong: 0,
            digits: String::new(),
            overflow: false,
            digits_seen: 0,
            source: None,
            queue: VecDeque::new(),
            playing: None,
            next_frame: None,
            then: Then::Collect,
            verifying: false,
            digit_deadline: None,
            give_up_at: now + timeouts.total,
            steps: VecDeque::new(),
            done: false,
        };
        match dialled_pin {
            Some(pin) => {
                e.verifying = true;
                e.steps.push_back(Step::Attempt(Some(Secret(pin))));
            }
            None => e.play(now, &[Prompt::EnterPin], Then::Collect),
        }
        e
    }

    /// Starts meeting-ID entry at `now`, for a call that dialled no meeting: the caller is
    /// asked for the ID; each entry comes out as [`Step::Attempt`] for the core to look up.
    pub fn for_meeting_id(
        now: Instant,
        prompts: Arc<Prompts>,
        rate: u32,
        timeouts: PinTimeouts,
        per_call: u32,
    ) -> Self {
        let mut e = PinEntry::new(now, prompts, rate, timeouts, per_call, None);
        e.entering = Entering::MeetingId;
        e.play(now, &[Prompt::EnterMeetingId], Then::Collect);
        e
    }

    /// Whether the digits collected are a meeting ID (not yet a PIN).
    pub fn entering_meeting_id(&self) -> bool {
        self.entering == Entering::MeetingId
    }

    /// The meeting ID last handed out exists: PIN entry proper follows ("enter the password"),
    /// or, for an open meeting, the joining prompt and [`Step::Join`]. The total time starts
    /// again, so the whole IVR is bounded by twice [`PinTimeouts::total`].
    pub fn meeting_found(&mut self, now: Instant, needs_pin: bool) {
        if self.done || !self.verifying || self.entering != Entering::MeetingId {
            return;
        }
        self.verifying = false;
        self.entering = Entering::Pin;
        self.give_up_at = now + self.timeouts.total;
        if needs_pin {
            self.play(now, &[Prompt::EnterPin], Then::Collect);
        } else {
            self.play(now, &[Prompt::Joining], Then::Join);
        }
    }

    /// Wrong attempts so far.
    pub fn wrong(&self) -> u32 {
        self.wrong
    }

    /// Whether PIN entry is over (joined or hung up).
    pub fn is_done(&self) -> bool {
        self.done
    }

    fn samples(&self, p: Prompt) -> &[i16] {
        match p {
            Prompt::EnterPin => &self.prompts.enter_pin,
            Prompt::WrongPin => &self.prompts.wrong_pin,
            Prompt::Joining => &self.prompts.joining,
            Prompt::Disconnected => &self.prompts.disconnected,
            Prompt::EnterMeetingId => &self.prompts.enter_meeting_id,
            Prompt::WrongMeetingId => &self.prompts.wrong_meeting_id,
        }
    }

    fn play(&mut self, now: Instant, list: &[Prompt], then: Then) {
        self.queue.clear();
        self.queue.extend(list.iter().copied());
        self.playing = None;
        self.then = then;
        self.digit_deadline = None;
        self.next_frame = Some(now);
    }

    /// One key press. Digits are ignored while an attempt is verified or a prompt that ends
    /// the collection (joining, disconnected) plays; a digit during "enter the password"
    /// stops the prompt (the caller knows what to do).
    pub fn on_digit(&mut self, now: Instant, source: DigitSource, digit: char) {
        if self.done || self.verifying || self.then != Then::Collect {
            return;
        }
        match self.source {
            None => self.source = Some(source),
            Some(s) if s != source => return,
            Some(_) => {}
        }
        self.digits_seen = self.digits_seen.saturating_add(1);
        if self.digits_seen > MAX_DIGITS_PER_CALL {
            self.play(
                now,
                &[Prompt::Disconnected],
                Then::HangUp(HangUpReason::Flood),
            );
            return;
        }
        // Barge-in.
        self.queue.clear();
        self.playing = None;
        self.next_frame = None;
        match digit {
            '#' => {
                if self.digits.is_empty() && !self.overflow {
                    self.digit_deadline = Some(now + self.timeouts.inter_digit);
                } else {
                    self.submit();
                }
            }
            // '*' starts the entry again.
            '*' => {
                self.digits.clear();
                self.overflow = false;
                self.digit_deadline = Some(now + self.timeouts.inter_digit);
            }
            d if d.is_ascii_digit() => {
                if self.digits.len() < MAX_PIN_DIGITS {
                    self.digits.push(d);
                } else {
                    self.overflow = true;
                }
                self.digit_deadline = Some(now + self.timeouts.inter_digit);
            }
            // A–D and other events mean nothing here.
            _ => {}
        }
    }

    fn submit(&mut self) {
        let entry = std::mem::take(&mut self.digits);
        let pin = if self.overflow {
            None
        } else {
            Some(Secret(entry))
        };
        self.overflow = false;
        self.verifying = true;
        self.digit_deadline = None;
        self.steps.push_back(Step::Attempt(pin));
    }

    /// The outcome of the attempt last handed out.
    pub fn on_outcome(&mut self, now: Instant, outcome: Outcome) {
        if self.done || !self.verifying {
            return;
        }
        self.verifying = false;
        let (enter, wrong) = self.entering.prompts();
        match outcome {
            // An ID is never "correct" by a PIN check: only `meeting_found` moves on.
            Outcome::Correct if self.entering == Entering::Pin => {
                self.play(now, &[Prompt::Joining], Then::Join)
            }
            Outcome::Correct | Outcome::Wrong => {
                self.wrong = self.wrong.saturating_add(1);
                if self.wrong >= self.per_call {
                    self.play(
                        now,
                        &[wrong, Prompt::Disconnected],
                        Then::HangUp(HangUpReason::WrongPins),
                    );
                } else {
                    self.play(now, &[wrong, enter], Then::Collect);
                }
            }
            Outcome::Unavailable => self.play(
                now,
                &[Prompt::Disconnected],
                Then::HangUp(HangUpReason::Unavailable),
            ),
        }
    }

    /// The meeting store could not look the entered ID up: the caller is disconnected (fail
    /// closed, as for the lockout store).
    pub fn store_unavailable(&mut self, now: Instant) {
        if self.done || !self.verifying {
            return;
        }
        self.verifying = false;
        self.play(
            now,
            &[Prompt::Disconnected],
            Then::HangUp(HangUpReason::StoreUnavailable),
        );
    }

    /// The next step for the B2BUA, if any.
    pub fn poll_step(&mut self) -> Option<Step> {
        self.steps.pop_front()
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.done {
            return None;
        }
        let give_up = (!self.verifying && self.then == Then::Collect).then_some(self.give_up_at);
        [self.next_frame, self.digit_deadline, give_up]
            .into_iter()
            .flatten()
            .min()
    }

    /// Runs timers; frames due are handed to `send` one by one (at most a few per call, so a
    /// late wake-up catches up without a burst).
    pub fn handle_timeout(&mut self, now: Instant, mut send: impl FnMut(&[i16])) {
        if self.done {
            return;
        }
        if !self.verifying && self.then == Then::Collect && now >= self.give_up_at {
            self.play(
                now,
                &[Prompt::Disconnected],
                Then::HangUp(HangUpReason::Timeout),
            );
        }
        if self.digit_deadline.is_some_and(|d| d <= now) {
            self.digit_deadline = None;
            if self.digits.is_empty() && !self.overflow {
                // Nothing typed: ask again.
                let (enter, _) = self.entering.prompts();
                self.play(now, &[enter], Then::Collect);
            } else {
                self.submit();
            }
        }
        let mut budget = 5;
        while let Some(at) = self.next_frame {
            if at > now || budget == 0 {
                break;
            }
            budget -= 1;
            let (prompt, pos) = match self.playing {
                Some(p) => p,
                None => match self.queue.pop_front() {
                    Some(p) => (p, 0),
                    None => {
                        self.prompts_finished(now);
                        break;
                    }
                },
            };
            let samples = self.samples(prompt);
            let end = (pos + self.frame_len).min(samples.len());
            match samples.get(pos..end) {
                Some(frame) if !frame.is_empty() => {
                    if frame.len() == self.frame_len {
                        send(frame);
                    } else {
                        let mut padded = frame.to_vec();
                        padded.resize(self.frame_len, 0);
                        send(&padded);
                    }
                    self.playing = (end < samples.len()).then_some((prompt, end));
                    self.next_frame = Some(at + FRAME);
                }
                _ => {
                    self.playing = None;
                }
            }
        }
    }

    fn prompts_finished(&mut self, now: Instant) {
        self.next_frame = None;
        self.playing = None;
        match self.then {
            Then::Collect => {
                self.digit_deadline = Some(now + self.timeouts.inter_digit);
            }
            Then::Join => {
                self.done = true;
                self.steps.push_back(Step::Join);
            }
            Then::HangUp(r) => {
                self.done = true;
                self.steps.push_back(Step::HangUp(r));
            }
        }
    }
}

/// Fuzz entry: a script driving one [`PinEntry`] — key presses from either source, outcomes
/// and time steps. Must not panic, and the entry must stay bounded.
#[doc(hidden)]
pub fn fuzz_pin_entry(script: &[u8]) {
    let prompts = Arc::new(Prompts {
        enter_pin: vec![1; 500],
        wrong_pin: vec![2; 300],
        joining: vec![3; 200],
        disconnected: vec![4; 200],
        enter_meeting_id: vec![5; 400],
        wrong_meeting_id: vec![6; 300],
    });
    let t0 = Instant::now();
    let mut now = t0;
    let timeouts = PinTimeouts {
        inter_digit: Duration::from_secs(2),
        total: Duration::from_secs(30),
    };
    // A first byte with its top bit set starts at meeting-ID entry.
    let mut e = if script.first().is_some_and(|b| b & 0x80 != 0) {
        PinEntry::for_meeting_id(now, prompts, 8000, timeouts, 3)
    } else {
        PinEntry::new(now, prompts, 8000, timeouts, 3, None)
    };
    for &b in script {
        match b >> 6 {
            0 => {
                let keys = b"0123456789*#ABCD";
                let k = char::from(keys.get(usize::from(b & 15)).copied().unwrap_or(b'#'));
                let src = if b & 16 == 0 {
                    DigitSource::Rfc4733
                } else {
                    DigitSource::Info
                };
                e.on_digit(now, src, k);
            }
            1 => match b & 7 {
                0 | 4 => e.on_outcome(now, Outcome::Correct),
                1 => e.on_outcome(now, Outcome::Unavailable),
                3 => e.meeting_found(now, b & 8 != 0),
                7 => e.store_unavailable(now),
                _ => e.on_outcome(now, Outcome::Wrong),
            },
            _ => {
                now += Duration::from_millis(u64::from(b & 63) * 50);
                e.handle_timeout(now, |f| assert!(f.len() == 160));
            }
        }
        // One input makes at most one step (an attempt, a join or a hang-up).
        assert!(e.steps.len() <= 1);
        while let Some(step) = e.poll_step() {
            if let Step::Attempt(Some(s)) = step {
                assert!(s.expose().len() <= MAX_PIN_DIGITS);
            }
        }
        assert!(e.digits.len() <= MAX_PIN_DIGITS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prompts() -> Arc<Prompts> {
        Arc::new(Prompts {
            enter_pin: vec![1; 400],
            wrong_pin: vec![2; 160],
            joining: vec![3; 160],
            disconnected: vec![4; 160],
            enter_meeting_id: vec![5; 400],
            wrong_meeting_id: vec![6; 160],
        })
    }

    const T: PinTimeouts = PinTimeouts {
        inter_digit: Duration::from_secs(5),
        total: Duration::from_secs(60),
    };

    /// Runs timers until `until`, returning the first sample of each frame sent.
    fn run(e: &mut PinEntry, now: &mut Instant, until: Instant) -> Vec<i16> {
        let mut out = Vec::new();
        while let Some(t) = e.poll_timeout() {
            if t > until {
                break;
            }
            *now = t;
            e.handle_timeout(t, |f| out.push(f.first().copied().unwrap_or(0)));
        }
        *now = until;
        out
    }

    fn key(e: &mut PinEntry, now: Instant, s: &str) {
        for c in s.chars() {
            e.on_digit(now, DigitSource::Rfc4733, c);
        }
    }

    #[test]
    fn prompt_then_digits_then_attempt_then_join() {
        let t0 = Instant::now();
        let mut now = t0;
        let mut e = PinEntry::new(now, prompts(), 8000, T, 3, None);
        let frames = run(&mut e, &mut now, t0 + Duration::from_millis(100));
        // 400 samples = 2.5 frames → three frames, the last padded.
        assert_eq!(frames, vec![1, 1, 1]);
        key(&mut e, now, "1234#");
        match e.poll_step() {
            Some(Step::Attempt(Some(s))) => assert_eq!(s.expose(), "1234"),
            other => panic!("{other:?}"),
        }
        // Digits during verification are ignored.
        key(&mut e, now, "99#");
        assert_eq!(e.poll_step(), None);
        e.on_outcome(now, Outcome::Correct);
        let frames = {
            let u = now + Duration::from_secs(1);
            run(&mut e, &mut now, u)
        };
        assert_eq!(frames, vec![3]);
        assert_eq!(e.poll_step(), Some(Step::Join));
        assert!(e.is_done());
    }

    #[test]
    fn three_wrong_then_disconnected() {
        let t0 = Instant::now();
        let mut now = t0;
        let mut e = PinEntry::new(now, prompts(), 8000, T, 3, Some("1111".into()));
        assert!(matches!(e.poll_step(), Some(Step::Attempt(Some(_)))));
        e.on_outcome(now, Outcome::Wrong);
        let frames = {
            let u = now + Duration::from_millis(500);
            run(&mut e, &mut now, u)
        };
        assert_eq!(frames.first(), Some(&2), "wrong prompt first");
        assert!(frames.contains(&1), "then the enter prompt");
        for _ in 0..2 {
            key(&mut e, now, "5#");
            assert!(matches!(e.poll_step(), Some(Step::Attempt(Some(_)))));
            e.on_outcome(now, Outcome::Wrong);
            {
                let u = now + Duration::from_secs(1);
                run(&mut e, &mut now, u)
            };
        }
        assert_eq!(e.wrong(), 3);
        assert_eq!(e.poll_step(), Some(Step::HangUp(HangUpReason::WrongPins)));
    }

    #[test]
    fn pause_submits_and_silence_repeats_the_prompt() {
        let t0 = Instant::now();
        let mut now = t0;
        let mut e = PinEntry::new(now, prompts(), 8000, T, 3, None);
        run(&mut e, &mut now, t0 + Duration::from_secs(1));
        // No digit for the inter-digit time: the prompt again.
        let frames = run(&mut e, &mut now, t0 + Duration::from_secs(7));
        assert_eq!(frames, vec![1, 1, 1]);
        key(&mut e, now, "42");
        {
            let u = now + Duration::from_secs(6);
            run(&mut e, &mut now, u)
        };
        match e.poll_step() {
            Some(Step::Attempt(Some(s))) => assert_eq!(s.expose(), "42"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn total_timeout_hangs_up() {
        let t0 = Instant::now();
        let mut now = t0;
        let mut e = PinEntry::new(now, prompts(), 8000, T, 3, None);
        run(&mut e, &mut now, t0 + Duration::from_secs(70));
        assert_eq!(e.poll_step(), Some(Step::HangUp(HangUpReason::Timeout)));
    }

    #[test]
    fn one_digit_source_per_call_and_bounded_entry() {
        let t0 = Instant::now();
        let mut e = PinEntry::new(t0, prompts(), 8000, T, 3, None);
        e.on_digit(t0, DigitSource::Info, '1');
        // The same key press as RFC 4733: ignored.
        e.on_digit(t0, DigitSource::Rfc4733, '1');
        e.on_digit(t0, DigitSource::Info, '#');
        match e.poll_step() {
            Some(Step::Attempt(Some(s))) => assert_eq!(s.expose(), "1"),
            other => panic!("{other:?}"),
        }
        e.on_outcome(t0, Outcome::Wrong);
        let mut now = t0;
        run(&mut e, &mut now, t0 + Duration::from_secs(1));
        for _ in 0..100 {
            e.on_digit(now, DigitSource::Info, '7');
        }
        e.on_digit(now, DigitSource::Info, '#');
        assert_eq!(e.poll_step(), Some(Step::Attempt(None)), "too long: no PIN");
        e.on_outcome(now, Outcome::Wrong);
        {
            let u = now + Duration::from_secs(1);
            run(&mut e, &mut now, u)
        };
        for _ in 0..200 {
            e.on_digit(now, DigitSource::Info, '*');
        }
        {
            let u = now + Duration::from_secs(1);
            run(&mut e, &mut now, u)
        };
        assert_eq!(e.poll_step(), Some(Step::HangUp(HangUpReason::Flood)));
    }

    #[test]
    fn meeting_id_then_pin_with_one_budget() {
        let t0 = Instant::now();
        let mut now = t0;
        let mut e = PinEntry::for_meeting_id(now, prompts(), 8000, T, 3);
        assert!(e.entering_meeting_id());
        let frames = run(&mut e, &mut now, t0 + Duration::from_millis(100));
        assert_eq!(frames, vec![5, 5, 5], "the meeting-ID prompt");
        key(&mut e, now, "77#");
        match e.poll_step() {
            Some(Step::Attempt(Some(s))) => assert_eq!(s.expose(), "77"),
            other => panic!("{other:?}"),
        }
        // Unknown: "Correct" from a confused driver still counts as wrong for an ID.
        e.on_outcome(now, Outcome::Correct);
        let frames = {
            let u = now + Duration::from_millis(500);
            run(&mut e, &mut now, u)
        };
        assert_eq!(frames.first(), Some(&6), "wrong-ID prompt first");
        assert!(frames.contains(&5), "then the ID prompt again");
        assert_eq!(e.wrong(), 1);
        key(&mut e, now, "2000#");
        assert!(matches!(e.poll_step(), Some(Step::Attempt(Some(_)))));
        e.meeting_found(now, true);
        assert!(!e.entering_meeting_id());
        let frames = {
            let u = now + Duration::from_millis(500);
            run(&mut e, &mut now, u)
        };
        assert_eq!(frames.first(), Some(&1), "enter the password");
        key(&mut e, now, "1#");
        assert!(matches!(e.poll_step(), Some(Step::Attempt(Some(_)))));
        e.on_outcome(now, Outcome::Wrong);
        key(&mut e, now, "2#");
        {
            let u = now + Duration::from_secs(1);
            run(&mut e, &mut now, u)
        };
        assert!(matches!(e.poll_step(), Some(Step::Attempt(Some(_)))));
        e.on_outcome(now, Outcome::Wrong);
        {
            let u = now + Duration::from_secs(1);
            run(&mut e, &mut now, u)
        };
        assert_eq!(e.wrong(), 3, "one budget for IDs and PINs");
        assert_eq!(e.poll_step(), Some(Step::HangUp(HangUpReason::WrongPins)));
    }

    #[test]
    fn meeting_id_for_an_open_meeting_joins_and_store_down_disconnects() {
        let t0 = Instant::now();
        let mut now = t0;
        let mut e = PinEntry::for_meeting_id(now, prompts(), 8000, T, 3);
        key(&mut e, now, "1000#");
        let _ = e.poll_step();
        e.meeting_found(now, false);
        let frames = run(&mut e, &mut now, t0 + Duration::from_secs(1));
        assert_eq!(frames, vec![3]);
        assert_eq!(e.poll_step(), Some(Step::Join));

        let mut e = PinEntry::for_meeting_id(now, prompts(), 8000, T, 3);
        key(&mut e, now, "1000#");
        let _ = e.poll_step();
        e.store_unavailable(now);
        {
            let u = now + Duration::from_secs(1);
            run(&mut e, &mut now, u)
        };
        assert_eq!(
            e.poll_step(),
            Some(Step::HangUp(HangUpReason::StoreUnavailable))
        );
    }

    #[test]
    fn unavailable_fails_closed() {
        let t0 = Instant::now();
        let mut now = t0;
        let mut e = PinEntry::new(now, prompts(), 8000, T, 3, Some("1".into()));
        let _ = e.poll_step();
        e.on_outcome(now, Outcome::Unavailable);
        run(&mut e, &mut now, t0 + Duration::from_secs(1));
        assert_eq!(e.poll_step(), Some(Step::HangUp(HangUpReason::Unavailable)));
    }
}
