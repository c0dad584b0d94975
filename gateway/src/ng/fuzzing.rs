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
