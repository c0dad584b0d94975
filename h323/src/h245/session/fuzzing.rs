//! The `h245_session` fuzz entry point: a script of commands, clock steps and messages
//! drives one session (the script plays the peer) or two wired back to back, and the
//! session's invariants are checked after every step. Also the builder of its seeds.

use std::time::{Duration, Instant};

use super::{Mscm, Session, SessionConfig, SessionEvent};
use crate::h245::codec::Extensions;
use crate::h245::{
    samples, CommandMessage, OlcRejectCause, OpenLogicalChannelAck, RequestMessage,
    ResponseMessage, Untyped,
};

/// Operation codes of a script: each is one octet, some followed by arguments.
mod op {
    pub const START_MSD: u8 = 0; // u32 random
    pub const SEND_CAPS: u8 = 1;
    pub const SEND_EMPTY: u8 = 2;
    pub const OPEN: u8 = 3;
    pub const ACCEPT: u8 = 4; // u8 index among requested channels
    pub const REJECT: u8 = 5; // u8 index
    pub const CLOSE: u8 = 6; // u8 channel number
    pub const USER_INPUT: u8 = 7;
    pub const FAST_UPDATE: u8 = 8; // u8 channel
    pub const FLOW: u8 = 9; // u8 channel (0: all), u16 rate (0: none)
    pub const RTD: u8 = 10;
    pub const END: u8 = 11;
    pub const ADVANCE: u8 = 12; // u8 seconds
    pub const DELIVER_ALL: u8 = 13;
    pub const DELIVER_ONE: u8 = 14;
    pub const INJECT: u8 = 15; // u8 length, that many octets (a PDU)
    pub const INJECT_SAMPLE: u8 = 16; // u8 sample index, u16 channel number
    pub const REQUEST_CLOSE: u8 = 17; // u8 channel number
    pub const COUNT: u8 = 18;
    /// The operation's session: `code + SIDE_B` (0 to 17 act on a, 18 to 35 on b).
    pub const SIDE_B: u8 = COUNT;
}

/// Everything the driver keeps per session.
struct Side {
    session: Session,
    /// Sent, not yet delivered (bounded: a peer that never reads loses the oldest).
    outbox: std::collections::VecDeque<Mscm>,
    /// Channels the peer asked for and the application may answer.
    requested: Vec<u16>,
    max_channels: usize,
    /// The first events, for the tests of the seeds.
    seen: Vec<SessionEvent>,
}

/// More than any script drives: the driver's queues stay small whatever the fuzzer does.
const MAX_OUTBOX: usize = 1024;

impl Side {
    fn new(config: SessionConfig) -> Self {
        Self {
            max_channels: config.max_channels,
            session: Session::new(config),
            outbox: Default::default(),
            requested: Vec::new(),
            seen: Vec::new(),
        }
    }

    /// Drains the session after one step and checks what came out.
    #[allow(clippy::panic)] // Fuzz invariants: a panic is the report.
    fn drain(&mut self, ended_before: bool) {
        let mut out = Vec::new();
        while let Some(m) = self.session.poll_message() {
            let octets = m
                .encode()
                .unwrap_or_else(|e| panic!("session output does not encode: {e}: {m:?}"));
            let back = Mscm::decode(&octets)
                .unwrap_or_else(|e| panic!("session output does not decode: {e}: {m:?}"));
            out.push(back);
        }
        if ended_before {
            assert!(out.is_empty(), "sent after the session ended: {out:?}");
        } else if self.session.is_ended() {
            assert!(
                matches!(
                    out.last(),
                    Some(Mscm::Command(CommandMessage::EndSessionCommand(_)))
                ),
                "EndSessionCommand is not the last message: {out:?}"
            );
        }
        self.outbox.extend(out);
        while self.outbox.len() > MAX_OUTBOX {
            self.outbox.pop_front();
        }
        while let Some(e) = self.session.poll_event() {
            if let SessionEvent::ChannelRequested { number, .. } = e {
                if !self.requested.contains(&number) && self.requested.len() < 64 {
                    self.requested.push(number);
                }
            }
            if self.seen.len() < 256 {
                self.seen.push(e);
            }
        }
        let (outgoing, incoming) = self.session.channel_count();
        assert!(
            outgoing <= self.max_channels && incoming <= self.max_channels,
            "channels past the limit: {outgoing} {incoming}"
        );
    }
}

struct Script<'a> {
    data: &'a [u8],
}

impl Script<'_> {
    fn u8(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }
    fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.u8(), self.u8()])
    }
    fn u32(&mut self) -> u32 {
        u32::from_be_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
    fn octets(&mut self, n: usize) -> &[u8] {
        let (head, rest) = self.data.split_at(n.min(self.data.len()));
        self.data = rest;
        head
    }
}

fn ack() -> OpenLogicalChannelAck {
    OpenLogicalChannelAck {
        forward_logical_channel_number: 1,
        reverse_logical_channel_parameters: None,
        extensions: Extensions::default(),
    }
}

/// A sample message with its channel number replaced, to hit the channels in play.
fn sample_message(index: u8, number: u16) -> Option<Mscm> {
    let all = samples::all().ok()?;
    let len = all.len().max(1);
    let (_, mut m) = all.into_iter().nth(usize::from(index) % len)?;
    let n = u32::from(number);
    match &mut m {
        Mscm::Request(RequestMessage::OpenLogicalChannel(o)) => {
            o.forward_logical_channel_number = n
        }
        Mscm::Request(RequestMessage::CloseLogicalChannel(c)) => {
            c.forward_logical_channel_number = n
        }
        Mscm::Request(RequestMessage::RequestChannelClose(r)) => {
            r.forward_logical_channel_number = n
        }
        Mscm::Response(ResponseMessage::OpenLogicalChannelAck(a)) => {
            a.forward_logical_channel_number = n
        }
        Mscm::Response(ResponseMessage::OpenLogicalChannelReject(r)) => {
            r.forward_logical_channel_number = n
        }
        Mscm::Response(ResponseMessage::CloseLogicalChannelAck(a)) => {
            a.forward_logical_channel_number = n
        }
        _ => {}
    }
    Some(m)
}

/// The first octet configures: bits 0-2 the channel limit minus one, bit 3 two sessions
/// (else the script plays the peer of one), bit 4 equal terminal types. Then operations
/// (the `op` codes of this file) until the data ends. Checked after every step: outputs
/// encode and decode, nothing follows EndSessionCommand, channels stay within the limit,
/// and a timeout run at `poll_timeout` moves every timer past it.
pub fn h245_session(data: &[u8]) {
    drop(drive(data));
}

/// Runs a script; returns the first events of each session.
#[allow(clippy::panic)] // Fuzz invariants: a panic is the report.
fn drive(data: &[u8]) -> [Vec<SessionEvent>; 2] {
    let mut script = Script { data };
    let flags = script.u8();
    let max_channels = usize::from(flags & 7) + 1;
    let two = flags & 8 != 0;
    let config = |terminal_type| SessionConfig {
        terminal_type,
        max_channels,
        ..SessionConfig::default()
    };
    let mut sides = [
        Side::new(config(60)),
        Side::new(config(if flags & 16 != 0 { 60 } else { 50 })),
    ];
    let mut now = Instant::now();
    let mut steps = 0usize;
    while !script.data.is_empty() && steps < 4096 {
        steps += 1;
        let code = script.u8();
        let (code, who) = (code % op::COUNT, usize::from(code / op::SIDE_B % 2));
        let who = if two { who } else { 0 };
        let ended_before = sides.each_ref().map(|s| s.session.is_ended());
        let [a, b] = &mut sides;
        let (side, other) = if who == 0 { (a, b) } else { (b, a) };
        let s = &mut side.session;
        match code {
            op::START_MSD => s.start_msd(now, script.u32()),
            op::SEND_CAPS => {
                if let Ok(tcs) = samples::terminal_capability_set() {
                    s.send_capabilities(now, tcs);
                }
            }
            op::SEND_EMPTY => s.send_empty_capabilities(now),
            op::OPEN => {
                if let Ok(olc) = samples::open_logical_channel_h264() {
                    match s.open_channel(now, olc) {
                        Ok(n) => assert_ne!(n, 0, "channel number 0 assigned"),
                        Err(_) => {
                            let (outgoing, _) = s.channel_count();
                            assert!(s.is_ended() || outgoing >= max_channels);
                        }
                    }
                }
            }
            op::ACCEPT | op::REJECT => {
                let i = usize::from(script.u8());
                if !side.requested.is_empty() {
                    let number = side.requested.swap_remove(i % side.requested.len());
                    let _ = if code == op::ACCEPT {
                        side.session.accept_channel(number, ack())
                    } else {
                        side.session
                            .reject_channel(number, OlcRejectCause::Unspecified(()))
                    };
                }
            }
            op::CLOSE => {
                let _ = s.close_channel(now, u16::from(script.u8()));
            }
            op::REQUEST_CLOSE => {
                let _ = s.request_channel_close(now, u16::from(script.u8()));
            }
            op::USER_INPUT => s.send_user_input("12#"),
            op::FAST_UPDATE => s.request_fast_update(u16::from(script.u8())),
            op::FLOW => {
                let channel = Some(u16::from(script.u8())).filter(|&c| c != 0);
                let rate = Some(u32::from(script.u16())).filter(|&r| r != 0);
                s.send_flow_control(channel, rate);
            }
            op::RTD => s.round_trip_delay(now),
            op::END => s.end_session(),
            op::ADVANCE => {
                now += Duration::from_secs(u64::from(script.u8()));
                for side in [&mut *side, &mut *other] {
                    side.session.handle_timeout(now);
                    if let Some(t) = side.session.poll_timeout() {
                        assert!(t > now, "a timer due at {t:?} did not run at {now:?}");
                    }
                }
            }
            op::DELIVER_ALL | op::DELIVER_ONE => {
                let limit = if code == op::DELIVER_ALL { 64 } else { 1 };
                for _ in 0..limit {
                    let Some(m) = side.outbox.pop_front() else {
                        break;
                    };
                    if two {
                        other.session.handle_message(now, m);
                    }
                }
            }
            op::INJECT => {
                let n = usize::from(script.u8());
                if let Ok(m) = Mscm::decode(script.octets(n)) {
                    s.handle_message(now, m);
                }
            }
            op::INJECT_SAMPLE => {
                let (index, number) = (script.u8(), script.u16());
                if let Some(m) = sample_message(index, number) {
                    s.handle_message(now, m);
                }
            }
            _ => {}
        }
        for (side, ended) in sides.iter_mut().zip(ended_before) {
            side.drain(ended);
        }
    }
    sides.map(|s| s.seen)
}

/// Builds scripts for the seed corpus.
#[derive(Default)]
struct Seed(Vec<u8>);

impl Seed {
    fn new(flags: u8) -> Self {
        Self(vec![flags])
    }
    fn op(mut self, code: u8, b: bool, args: &[u8]) -> Self {
        self.0.push(code + if b { op::SIDE_B } else { 0 });
        self.0.extend_from_slice(args);
        self
    }
    fn a(self, code: u8, args: &[u8]) -> Self {
        self.op(code, false, args)
    }
    fn b(self, code: u8, args: &[u8]) -> Self {
        self.op(code, true, args)
    }
    /// The script's peer sends `m` to a.
    fn inject(self, m: &Mscm) -> Self {
        let octets = m.encode().unwrap_or_default();
        let mut args = vec![u8::try_from(octets.len()).unwrap_or(0)];
        args.extend_from_slice(&octets);
        self.a(op::INJECT, &args)
    }
    /// Delivers everything both ways a few times.
    fn settle(self) -> Self {
        self.a(op::DELIVER_ALL, &[])
            .b(op::DELIVER_ALL, &[])
            .a(op::DELIVER_ALL, &[])
            .b(op::DELIVER_ALL, &[])
            .a(op::DELIVER_ALL, &[])
    }
}

/// The seeds of `fuzz/corpus/h245_session/`: the scenarios of the session's tests as
/// scripts (a whole call, identical MSD numbers, timer expiries, a flood of opens, hostile
/// channel numbers, untyped messages, end of session).
pub fn h245_session_seeds() -> Vec<(&'static str, Vec<u8>)> {
    let call = Seed::new(8 | 3)
        .a(op::START_MSD, &[0, 1, 2, 3])
        .b(op::START_MSD, &[4, 5, 6, 7])
        .a(op::SEND_CAPS, &[])
        .b(op::SEND_CAPS, &[])
        .settle()
        .a(op::OPEN, &[])
        .b(op::OPEN, &[])
        .settle()
        .a(op::ACCEPT, &[0])
        .b(op::ACCEPT, &[0])
        .settle()
        .a(op::USER_INPUT, &[])
        .b(op::FAST_UPDATE, &[1])
        .a(op::FLOW, &[1, 0x0f, 0x00])
        .a(op::RTD, &[])
        .settle()
        .a(op::CLOSE, &[1])
        .a(op::REQUEST_CLOSE, &[1])
        .settle()
        .b(op::END, &[])
        .settle();
    let identical = Seed::new(8 | 16)
        .a(op::START_MSD, &[0, 0x12, 0x34, 0x56])
        .b(op::START_MSD, &[0, 0x12, 0x34, 0x56])
        .settle()
        .settle();
    let timers = Seed::new(8)
        .a(op::START_MSD, &[1, 1, 1, 1])
        .a(op::SEND_CAPS, &[])
        .a(op::OPEN, &[])
        .a(op::RTD, &[])
        .a(op::ADVANCE, &[29])
        .a(op::ADVANCE, &[1])
        .a(op::ADVANCE, &[30])
        .settle();
    let mut flood = Seed::new(1);
    for n in 1..=40u8 {
        flood = flood.a(op::INJECT_SAMPLE, &[OLC_SAMPLE, 0, n]);
    }
    let flood = flood.a(op::ACCEPT, &[0]).a(op::REJECT, &[0]);
    let mut hostile = Seed::new(2);
    for index in 0..40u8 {
        hostile = hostile
            .a(op::INJECT_SAMPLE, &[index, 0, 0])
            .a(op::INJECT_SAMPLE, &[index, 0, 1]);
    }
    // A maintenance loop request (untyped), a FunctionNotUnderstood quoting it, an
    // unknown message class.
    let maintenance_loop = Mscm::Request(RequestMessage::Untyped(Untyped {
        index: 10,
        bits: 8,
        data: vec![0x40],
    }));
    let mut untyped = Seed::new(0).a(op::SEND_CAPS, &[]);
    for m in [
        maintenance_loop.function_not_understood(),
        Some(maintenance_loop),
        Some(Mscm::Command(CommandMessage::Unknown {
            index: 9,
            contents: vec![0],
        })),
        Some(Mscm::Unknown {
            index: 0,
            contents: vec![1, 2],
        }),
    ]
    .into_iter()
    .flatten()
    {
        untyped = untyped.inject(&m);
    }
    let ended = Seed::new(8)
        .a(op::END, &[])
        .a(op::OPEN, &[])
        .a(op::START_MSD, &[9, 9, 9, 9])
        .settle()
        .b(op::INJECT_SAMPLE, &[OLC_SAMPLE, 0, 1]);
    let pause = Seed::new(8 | 4)
        .a(op::SEND_CAPS, &[])
        .settle()
        .a(op::SEND_EMPTY, &[])
        .settle()
        .a(op::SEND_CAPS, &[])
        .b(op::OPEN, &[])
        .b(op::OPEN, &[])
        .settle()
        .a(op::REJECT, &[1])
        .a(op::ACCEPT, &[0])
        .settle()
        .b(op::CLOSE, &[1])
        .b(op::CLOSE, &[2])
        .a(op::ADVANCE, &[60]);
    vec![
        ("call", call.0),
        ("identical_numbers", identical.0),
        ("timers", timers.0),
        ("olc_flood", flood.0),
        ("hostile_numbers", hostile.0),
        ("untyped", untyped.0),
        ("ended", ended.0),
        ("pause_and_channels", pause.0),
    ]
}

/// The index of an OpenLogicalChannel among [`samples::all`], for the seeds.
const OLC_SAMPLE: u8 = 8;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

    use super::*;

    fn seed(name: &str) -> Vec<u8> {
        h245_session_seeds()
            .into_iter()
            .find(|(n, _)| *n == name)
            .unwrap()
            .1
    }

    fn has(events: &[SessionEvent], f: impl Fn(&SessionEvent) -> bool) -> bool {
        events.iter().any(f)
    }

    #[test]
    fn seeds_reach_the_procedures_they_are_named_for() {
        let [a, b] = drive(&seed("call"));
        for e in [&a, &b] {
            assert!(
                has(e, |e| matches!(e, SessionEvent::MsdDone { .. })),
                "{e:?}"
            );
            assert!(has(e, |e| matches!(e, SessionEvent::CapabilitiesAcked)));
            assert!(has(e, |e| matches!(e, SessionEvent::ChannelOpened { .. })));
            assert!(has(e, |e| matches!(e, SessionEvent::EndSession)));
        }
        assert!(has(&b, |e| matches!(e, SessionEvent::UserInput(_))));
        assert!(has(&a, |e| matches!(
            e,
            SessionEvent::FastUpdateRequested { .. }
        )));
        assert!(has(&a, |e| matches!(e, SessionEvent::RoundTripDelay(_))));
        assert!(has(&a, |e| matches!(e, SessionEvent::ChannelClosed { .. })));
        // a closed the channel it opened, and asked b to close the one b opened.
        assert!(has(&a, |e| matches!(
            e,
            SessionEvent::ChannelClosedByPeer { .. }
        )));

        let [a, b] = drive(&seed("identical_numbers"));
        assert!(has(&a, |e| matches!(
            e,
            SessionEvent::MsdDone { .. } | SessionEvent::MsdFailed
        )));
        assert!(has(&b, |e| matches!(
            e,
            SessionEvent::MsdDone { .. } | SessionEvent::MsdFailed
        )));

        let [a, _] = drive(&seed("timers"));
        for want in [
            SessionEvent::MsdFailed,
            SessionEvent::CapabilitiesRejected,
            SessionEvent::ChannelTimedOut { number: 1 },
            SessionEvent::RoundTripDelayTimedOut,
        ] {
            assert!(a.contains(&want), "{want:?} not in {a:?}");
        }

        // max_channels 2: two offered, the rest refused without an event.
        let [a, _] = drive(&seed("olc_flood"));
        let requested = a
            .iter()
            .filter(|e| matches!(e, SessionEvent::ChannelRequested { .. }))
            .count();
        assert_eq!(requested, 2, "{a:?}");

        let [a, _] = drive(&seed("hostile_numbers"));
        assert!(has(&a, |e| matches!(e, SessionEvent::ProtocolError(_))));

        let [_, b] = drive(&seed("pause_and_channels"));
        assert!(b.contains(&SessionEvent::RemotePaused), "{b:?}");
    }

    #[test]
    fn junk_scripts_do_not_panic() {
        let mut x = 0x1234_5678u32;
        for len in 0..200 {
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    x as u8
                })
                .collect();
            h245_session(&data);
        }
    }
}
