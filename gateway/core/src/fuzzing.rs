//! Fuzz entry points (behind the `fuzzing` feature): arbitrary event sequences into the call
//! core, with invariants that must hold whatever the order of events.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::call::*;

const MAX_CALLS: usize = 3;

/// Each byte is one event: a new call (dialling one of a few strings from one of a few
/// sources), a leg event for one of the live calls, a request answered in one of its ways, a
/// digit, or time passing. Checks: no panic; a call is ended or refused at most once; the
/// calls past admission never exceed `max_calls`; after shutdown and a drain the core is empty.
pub fn fuzz_call_core(data: &[u8]) {
    let mut core = CallCore::new(CoreSettings {
        max_calls: MAX_CALLS,
        setup_timeout: Duration::from_secs(5),
        pin_timeouts: PinTimeouts {
            inter_digit: Duration::from_secs(2),
            total: Duration::from_secs(20),
        },
        pin_attempts_per_call: 2,
    });
    core.add_prompts(
        8_000,
        Arc::new(Prompts {
            enter_pin: vec![1; 400],
            wrong_pin: vec![2; 200],
            joining: vec![3; 200],
            disconnected: vec![4; 200],
            enter_meeting_id: vec![5; 300],
            wrong_meeting_id: vec![6; 200],
        }),
    );
    let mut now = Time {
        mono: Instant::now(),
        unix: 1_800_000_000,
    };
    let mut live: Vec<CallId> = Vec::new();
    let mut requests: Vec<Request> = Vec::new();
    let mut finished: HashSet<CallId> = HashSet::new();
    let dials = ["1000", "2000", "2000*1", "bad/dial", "", "9999"];
    for (i, &b) in data.iter().enumerate() {
        let pick = |n: usize| usize::from(b >> 3) % n.max(1);
        match b & 7 {
            0 => {
                let id = core.incoming(
                    now,
                    Incoming {
                        key: format!("k{}", pick(4)),
                        source: IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1 + (b >> 6))),
                        dialled: dials
                            .get(pick(dials.len()))
                            .filter(|d| !d.is_empty())
                            .map(|d| (*d).to_owned()),
                    },
                );
                live.push(id);
            }
            1 if !requests.is_empty() => {
                let r = requests.remove(pick(requests.len()));
                answer(&mut core, now, r, b >> 6);
            }
            2 => {
                if let Some(&c) = live.get(pick(live.len())) {
                    match b >> 6 {
                        0 => core.admitted(now, c),
                        1 => core.pin_ready(now, c, 8_000),
                        2 => core.upstream_answered(now, c),
                        _ => {
                            core.connected(now, c);
                        }
                    }
                }
            }
            3 => {
                if let Some(&c) = live.get(pick(live.len())) {
                    match b >> 6 {
                        0 => core.leg_ended(now, c, Side::Room),
                        1 => core.upstream_failed(now, c, UpstreamFailure::Busy),
                        2 => {
                            core.cancelled(now, c);
                        }
                        _ => core.media_inactive(now, c),
                    }
                }
            }
            4 => {
                if let Some(&c) = live.get(pick(live.len())) {
                    let keys = b"0123456789*#";
                    let k = char::from(
                        keys.get(usize::from(b >> 4) % keys.len())
                            .copied()
                            .unwrap_or(b'#'),
                    );
                    core.digit(now, c, DigitSource::Rfc4733, k);
                }
            }
            5 => {
                if let Some(&c) = live.get(pick(live.len())) {
                    core.upstream_ringing(now, c);
                    core.add_key(c, format!("k{}", i % 5));
                }
            }
            _ => {
                now = now.after(Duration::from_millis(u64::from(b >> 3) * 100));
                core.handle_timeout(now);
            }
        }
        drain(&mut core, &mut requests, &mut finished, &mut live);
        let past_admission = live
            .iter()
            .filter(|c| {
                !matches!(
                    core.phase(**c),
                    None | Some(Phase::Screening) | Some(Phase::LookingUp)
                )
            })
            .count();
        assert!(past_admission <= MAX_CALLS, "max_calls exceeded");
    }
    core.end_all(now);
    drain(&mut core, &mut requests, &mut finished, &mut live);
    assert!(core.is_empty(), "calls left after shutdown");
}

fn answer(core: &mut CallCore, now: Time, r: Request, how: u8) {
    match r {
        Request::Screen { call, .. } => core.on_screened(
            now,
            call,
            Screening {
                blocked: how == 3,
                lockout_healthy: how != 2,
            },
        ),
        Request::Lookup { call, meeting } => {
            let found = match how {
                0 => Err("down".to_owned()),
                1 => Ok(None),
                _ => Ok(Some(Meeting {
                    pin_hash: meeting.starts_with('2').then(|| "h".to_owned()),
                })),
            };
            core.on_lookup(now, call, found);
        }
        Request::PinAttempt { call, .. } => core.on_pin_outcome(
            now,
            call,
            match how {
                0 => Outcome::Correct,
                1 => Outcome::Unavailable,
                _ => Outcome::Wrong,
            },
        ),
    }
}

fn drain(
    core: &mut CallCore,
    requests: &mut Vec<Request>,
    finished: &mut HashSet<CallId>,
    live: &mut Vec<CallId>,
) {
    while let Some(r) = core.poll_request() {
        requests.push(r);
    }
    while let Some(c) = core.poll_command() {
        let ended = match c {
            Command::Refuse { call, .. } => Some(call),
            Command::End { call, record, .. } => {
                assert!(record.ended >= record.started);
                Some(call)
            }
            _ => None,
        };
        if let Some(call) = ended {
            assert!(finished.insert(call), "call {call} ended twice");
            live.retain(|c| *c != call);
            assert!(core.phase(call).is_none(), "ended call still in the table");
        }
    }
}
