//! The proxy side of ng for the benchmark: offer, answer, delete and list over one UDP
//! socket. Every request has a timeout and a bounded number of retransmissions (same cookie,
//! so a relay that caches answers, as ours and rtpengine do, applies it once), and every
//! answer is checked before it is believed: a relay is a peer, not a trusted library.

use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use crate::ng::Value;

use super::BenchError;

/// How long one attempt waits for its answer.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(1000);

/// Attempts per request (the first and its retransmissions).
pub const ATTEMPTS: u32 = 3;

/// Largest ng answer read; an SDP of a few m-lines is far smaller.
const MAX_ANSWER: usize = 65_536;

/// One ng control connection (UDP), with the cookie counter.
pub struct NgClient {
    socket: UdpSocket,
    to: SocketAddr,
    prefix: String,
    n: u64,
    buf: Vec<u8>,
}

impl NgClient {
    pub fn new(to: SocketAddr) -> Result<NgClient, BenchError> {
        let bind = SocketAddr::new(local_ip_for(to), 0);
        let socket = UdpSocket::bind(bind).map_err(BenchError::Io)?;
        Ok(NgClient {
            socket,
            to,
            // Relays cache answers by cookie (rtpengine for 30 s): a later client of the same
            // process must never reuse an earlier one's cookies.
            prefix: format!("rgb{:016x}", rand::random::<u64>()),
            n: 0,
            buf: vec![0u8; MAX_ANSWER],
        })
    }

    /// Sends one request (a dictionary of `entries`) and returns the answer's dictionary,
    /// which must say `result` `ok` (or `pong`).
    pub fn request(&mut self, entries: Vec<(&str, Value)>) -> Result<Value, BenchError> {
        let cookie = self.next_cookie();
        let command = entries
            .iter()
            .find(|(k, _)| *k == "command")
            .and_then(|(_, v)| v.as_str())
            .unwrap_or("?")
            .to_owned();
        let dict = Value::Dict(
            entries
                .into_iter()
                .map(|(k, v)| (k.as_bytes().to_vec(), v))
                .collect(),
        );
        let mut wire = format!("{cookie} ").into_bytes();
        dict.encode_into(&mut wire);
        for _ in 0..ATTEMPTS {
            self.socket
                .send_to(&wire, self.to)
                .map_err(BenchError::Io)?;
            if let Some(v) = self.wait(&cookie)? {
                return check(&command, v);
            }
        }
        Err(BenchError::NgTimeout(command))
    }

    fn next_cookie(&mut self) -> String {
        self.n += 1;
        format!("{}_{}", self.prefix, self.n)
    }

    /// The answer carrying `cookie`, or `None` after [`ATTEMPT_TIMEOUT`]; answers to earlier
    /// (timed-out) cookies are skipped.
    fn wait(&mut self, cookie: &str) -> Result<Option<Value>, BenchError> {
        let deadline = Instant::now() + ATTEMPT_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(None);
            }
            self.socket
                .set_read_timeout(Some(left))
                .map_err(BenchError::Io)?;
            let n = match self.socket.recv_from(&mut self.buf) {
                Ok((n, from)) if from == self.to => n,
                Ok(_) => continue,
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    return Ok(None)
                }
                Err(e) => return Err(BenchError::Io(e)),
            };
            let reply = self.buf.get(..n).unwrap_or_default();
            let Some(space) = reply.iter().position(|&b| b == b' ') else {
                return Err(BenchError::NgAnswer("no cookie".into()));
            };
            if reply.get(..space) != Some(cookie.as_bytes()) {
                continue;
            }
            let body = reply.get(space + 1..).unwrap_or_default();
            return Value::decode(body)
                .map(Some)
                .map_err(|e| BenchError::NgAnswer(format!("bencode: {e}")));
        }
    }
}

/// An answer is believed only when it is a dictionary whose `result` is `ok` or `pong`.
fn check(command: &str, v: Value) -> Result<Value, BenchError> {
    match v.get("result").and_then(Value::as_str) {
        Some("ok") | Some("pong") => Ok(v),
        Some(other) => {
            let reason = v
                .get("error-reason")
                .and_then(Value::as_str)
                .unwrap_or_default();
            Err(BenchError::NgRefused {
                command: command.to_owned(),
                result: printable(other),
                reason: printable(reason),
            })
        }
        None => Err(BenchError::NgAnswer(format!("{command}: no result"))),
    }
}

/// The address our sockets bind to toward `to`: loopback for a loopback relay, else any.
pub fn local_ip_for(to: SocketAddr) -> std::net::IpAddr {
    match (to.ip().is_loopback(), to.is_ipv4()) {
        (true, _) => to.ip(),
        (false, true) => std::net::Ipv4Addr::UNSPECIFIED.into(),
        (false, false) => std::net::Ipv6Addr::UNSPECIFIED.into(),
    }
}

/// At most 200 printable characters of a peer's text, for an error message.
pub fn printable(s: &str) -> String {
    s.chars()
        .take(200)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

pub fn text(v: &str) -> Value {
    Value::bytes(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_two_clients_share_a_cookie() {
        // rtpengine answers a known cookie from its cache: a sweep's second step, with a
        // client of its own, once got the first step's answers to its offers.
        let to: SocketAddr = "127.0.0.1:9".parse().unwrap();
        let (mut a, mut b) = (NgClient::new(to).unwrap(), NgClient::new(to).unwrap());
        let first: Vec<String> = (0..3).map(|_| a.next_cookie()).collect();
        let second: Vec<String> = (0..3).map(|_| b.next_cookie()).collect();
        assert_eq!(first.len(), 3);
        assert_ne!(first[0], first[1]);
        assert!(
            first.iter().all(|c| !second.contains(c)),
            "{first:?} {second:?}"
        );
    }
}
