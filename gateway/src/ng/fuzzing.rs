//! The `ng_message` fuzz entry point (shared with the seed replay test): any datagram is read
//! without a panic, and what reads as bencode writes back to the same value with its
//! dictionary keys sorted; answers to whatever was read parse as answers.
#![allow(clippy::panic)] // Fuzz invariants: a panic is the report.

use super::bencode::Value;
use super::message::{split, Request, Response};

/// The value with every dictionary's keys in order (what the encoder writes).
fn sorted(v: &Value) -> Value {
    match v {
        Value::List(items) => Value::List(items.iter().map(sorted).collect()),
        Value::Dict(entries) => {
            let mut e: Vec<(Vec<u8>, Value)> = entries
                .iter()
                .map(|(k, v)| (k.clone(), sorted(v)))
                .collect();
            e.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Dict(e)
        }
        other => other.clone(),
    }
}

/// True when the datagram was a request we read.
pub fn ng_message(data: &[u8]) -> bool {
    if let Ok((cookie, body)) = split(data) {
        if let Ok(v) = Value::decode(body) {
            let again = Value::decode(&v.encode())
                .unwrap_or_else(|e| panic!("our encoding does not decode: {e}"));
            if again != sorted(&v) {
                panic!("encode/decode changed the value");
            }
        }
        let reply = match Request::decode(data) {
            Ok(r) => Response::Ok(vec![("command".into(), Value::bytes(r.command.name()))]),
            Err(e) => Response::Error(e.to_string()),
        };
        let wire = reply.encode(&cookie);
        let Ok((back, body)) = split(&wire) else {
            panic!("our answer has no cookie");
        };
        if back != cookie
            || Value::decode(body)
                .map(|v| v.get("result").is_none())
                .unwrap_or(true)
        {
            panic!("our answer does not read back");
        }
    }
    Request::decode(data).is_ok()
}

/// Separates the ng datagrams of one `ng_calls` input.
pub const CALLS_SEPARATOR: &[u8] = b"\n==\n";

/// Most datagrams of one `ng_calls` input that are run.
const MAX_STEPS: usize = 64;

/// The `ng_calls` fuzz entry point (shared with the seed replay test): a sequence of ng
/// datagrams, [`CALLS_SEPARATOR`] between them, run through the call manager on a relay core
/// with no sockets, the clock moving 5 s per datagram (so calls also time out). Nothing may
/// panic; every call holds exactly one relay session, and none is left after `close_all`.
/// Returns how many commands succeeded, so seeds can prove they reach the relay.
pub fn ng_calls(data: &[u8]) -> usize {
    use std::time::{Duration, Instant};

    use roomgate_media::relay::{Relay, RelayConfig};

    use super::sessions::NgCalls;
    use crate::call::media_plane::{LocalRelay, MediaPlane};
    use crate::call::sip_leg::Ids;

    let start = Instant::now();
    let relay = Relay::new(
        start,
        RelayConfig {
            port_min: 42000,
            port_max: 42063,
            ..RelayConfig::default()
        },
    );
    let local = LocalRelay::new(relay, start);
    let plane = MediaPlane::Local(Box::new(local));
    let mut calls = NgCalls::new(std::net::IpAddr::from([127, 0, 0, 1]), Ids::seeded(1));
    let mut ok = 0;
    let mut rest = data;
    for step in 0..MAX_STEPS {
        let (one, next) = match rest
            .windows(CALLS_SEPARATOR.len())
            .position(|w| w == CALLS_SEPARATOR)
        {
            Some(i) => (
                rest.get(..i).unwrap_or_default(),
                rest.get(i + CALLS_SEPARATOR.len()..),
            ),
            None => (rest, None),
        };
        let now = start + Duration::from_secs(5 * (step as u64 + 1));
        if let MediaPlane::Local(l) = &plane {
            l.advance(now);
        }
        let answer = match Request::decode(one) {
            Ok(r) => calls.handle(now, 1_700_000_000, &plane, &r.command),
            Err(e) => Response::Error(e.to_string()),
        };
        if !matches!(answer, Response::Error(_)) {
            ok += 1;
        }
        let _ = answer.encode("c");
        calls.handle_timeout(now, &plane);
        let sessions = plane.session_count();
        if sessions != calls.len() {
            panic!("{sessions} relay sessions for {} ng calls", calls.len());
        }
        match next {
            Some(n) => rest = n,
            None => break,
        }
    }
    calls.close_all(&plane);
    if plane.session_count() != 0 {
        panic!("relay sessions left after close_all");
    }
    ok
}
