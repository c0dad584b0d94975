//! Fuzz entry for the transaction layer: the input is a program of operations on one
//! [`TransactionLayer`] with a virtual clock. A cargo-fuzz target is a three-line shim around
//! [`fuzz_transactions`].
//!
//! Invariants checked (a failed check panics, which is what the fuzzer looks for):
//! - nothing panics, whatever the bytes;
//! - after `handle_timeout(now)`, `poll_timeout()` is never at or before `now`;
//! - the number of live transactions never exceeds `max_transactions`;
//! - once the input stops, running the clock forward ends every transaction.
//!
//! The only clock read is one `Instant::now()` as the origin of the virtual clock: `Instant`
//! has no other constructor, and only offsets from it matter.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use super::layer::{Input, LayerConfig, TransactionLayer};
use super::{build_response, Destination, Output, TransactionEvent, TransactionId, Transport};
use crate::header_name::HeaderName;
use crate::owned::OwnedMessage;

/// Small so that the limit is reached often.
const FUZZ_MAX_TRANSACTIONS: usize = 8;
/// Operations per input at most.
const MAX_OPS: usize = 256;
/// Ids remembered for the operations that need one.
const MAX_IDS: usize = 16;
/// Outputs drained per step at most (far above what one step can produce).
const MAX_DRAIN: usize = 10_000;
/// Timer firings when running the clock out at the end. Each transaction fires fewer than
/// 20 timers in its life, so this is far above the need.
const MAX_FINAL_STEPS: usize = 10_000;

const METHODS: [&str; 6] = ["INVITE", "OPTIONS", "ACK", "CANCEL", "BYE", "REGISTER"];
const CODES: [u16; 8] = [100, 180, 183, 200, 202, 404, 486, 503];

struct Reader<'a> {
    data: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let b = self.data.get(self.at).copied();
        self.at += 1;
        b
    }

    fn bytes(&mut self, n: usize) -> &[u8] {
        let end = self.at.saturating_add(n).min(self.data.len());
        let out = self.data.get(self.at..end).unwrap_or_default();
        self.at = end;
        out
    }
}

fn branch(b: u8) -> String {
    // Few variants, so that retransmissions and collisions happen often.
    match b % 4 {
        // A lone cookie and RFC 2543 branches exercise the fallback key.
        0 => "z9hG4bK".to_owned(),
        1 => format!("old{}", b / 4 % 2),
        _ => format!("z9hG4bKf{}", b / 4 % 2),
    }
}

fn template(method: &str, b: u8, c: u8) -> OwnedMessage {
    let sent_by = if c & 1 == 0 {
        "192.0.2.10:5062"
    } else {
        "pc33.example.com"
    };
    let mut msg = OwnedMessage::request(method, "sip:room@192.0.2.20")
        .with(
            HeaderName::Via,
            format_args!("SIP/2.0/UDP {sent_by};branch={};rport", branch(b)),
        )
        .with(HeaderName::MaxForwards, 70)
        .with(
            HeaderName::From,
            format_args!("<sip:a@example.com>;tag=f{}", c % 3),
        )
        .with(HeaderName::CallId, format_args!("fuzz{}", c / 2 % 4))
        .with(HeaderName::CSeq, format_args!("{} {method}", c / 8 % 3 + 1));
    msg = if c & 0x40 != 0 {
        msg.with(HeaderName::To, "<sip:room@192.0.2.20>;tag=t1")
    } else {
        msg.with(HeaderName::To, "<sip:room@192.0.2.20>")
    };
    msg
}

fn source(c: u8) -> Destination {
    Destination {
        addr: SocketAddr::new(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10)), 5062),
        transport: if c & 0x80 != 0 {
            Transport::Tcp
        } else {
            Transport::Udp
        },
    }
}

fn pick<T: Clone>(items: &[T], b: u8) -> Option<T> {
    if items.is_empty() {
        return None;
    }
    items.get(usize::from(b) % items.len()).cloned()
}

struct State {
    layer: TransactionLayer,
    now: Instant,
    server: Vec<(TransactionId, super::Received)>,
    client: Vec<(TransactionId, Vec<u8>)>,
}

impl State {
    fn drain(&mut self) {
        for _ in 0..MAX_DRAIN {
            let Some(out) = self.layer.poll_output() else {
                break;
            };
            match out {
                Output::Event(
                    TransactionEvent::RequestReceived { id, request }
                    | TransactionEvent::CancelReceived { id, request, .. },
                ) => {
                    if self.server.len() >= MAX_IDS {
                        self.server.remove(0);
                    }
                    self.server.push((id, request));
                }
                Output::Transmit(t) => {
                    // Keep the first request a client transaction sends (not its ACK).
                    if let Some((_, sent)) = self
                        .client
                        .iter_mut()
                        .find(|(c, sent)| Some(*c) == t.transaction && sent.is_empty())
                    {
                        *sent = t.bytes;
                    }
                }
                Output::Event(_) => {}
            }
        }
        assert!(
            self.layer.len() <= FUZZ_MAX_TRANSACTIONS,
            "live transactions over the limit"
        );
    }

    fn advance(&mut self, step: Duration) {
        self.now += step;
        self.layer.handle_timeout(self.now);
        if let Some(next) = self.layer.poll_timeout() {
            assert!(
                next > self.now,
                "poll_timeout in the past after handle_timeout"
            );
        }
        self.drain();
    }
}

/// Runs one fuzz input. See the module documentation for the invariants.
#[doc(hidden)]
pub fn fuzz_transactions(data: &[u8]) {
    run(data);
}

/// The body of [`fuzz_transactions`], returning the layer's counters so tests can see that
/// the programs reach the interesting paths.
fn run(data: &[u8]) -> super::LayerStats {
    let config = LayerConfig {
        max_transactions: FUZZ_MAX_TRANSACTIONS,
        max_queued_outputs: 64,
        ..LayerConfig::default()
    };
    let mut st = State {
        layer: TransactionLayer::new(config),
        now: Instant::now(),
        server: Vec::new(),
        client: Vec::new(),
    };
    let mut r = Reader { data, at: 0 };
    for _ in 0..MAX_OPS {
        let Some(op) = r.byte() else { break };
        let (a, b, c) = (
            r.byte().unwrap_or(0),
            r.byte().unwrap_or(0),
            r.byte().unwrap_or(0),
        );
        match op % 8 {
            0 => {
                // A request from a template, optionally with one byte mutated.
                let method = pick(&METHODS, a).unwrap_or("OPTIONS");
                let mut bytes = template(method, b, c).to_bytes();
                if op & 0x80 != 0 {
                    let at = usize::from(a) * 7 + usize::from(b);
                    let len = bytes.len();
                    if let Some(byte) = bytes.get_mut(at % len.max(1)) {
                        *byte = c;
                    }
                }
                let _ = st.layer.handle_input(
                    st.now,
                    Input {
                        bytes: &bytes,
                        source: source(c),
                    },
                );
            }
            1 => {
                let raw = r.bytes(usize::from(a));
                let _ = st.layer.handle_input(
                    st.now,
                    Input {
                        bytes: raw,
                        source: source(b),
                    },
                );
            }
            2 => st.advance(Duration::from_millis(u64::from(a) * 50 + u64::from(b))),
            3 => {
                if let Some((id, req)) = pick(&st.server, a) {
                    let code = pick(&CODES, b).unwrap_or(200);
                    let tag = (c & 1 == 0).then_some("uas");
                    if let Ok(resp) = req.response(code, "R", tag) {
                        let _ = st.layer.send_response(st.now, id, &resp);
                    }
                }
            }
            4 => {
                let method = if a & 1 == 0 { "INVITE" } else { "OPTIONS" };
                let dest = Destination {
                    addr: SocketAddr::new(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 20)), 5060),
                    transport: source(c).transport,
                };
                if let Ok(id) = st.layer.send_request(st.now, template(method, b, c), dest) {
                    if st.client.len() >= MAX_IDS {
                        st.client.remove(0);
                    }
                    st.client.push((id, Vec::new()));
                }
            }
            5 => {
                if let Some((id, _)) = pick(&st.client, a) {
                    if let Ok(cancel) = st.layer.send_cancel(st.now, id) {
                        st.client.push((cancel, Vec::new()));
                        if st.client.len() > MAX_IDS {
                            st.client.remove(0);
                        }
                    }
                }
            }
            6 => {
                let ids: Vec<TransactionId> = st
                    .server
                    .iter()
                    .map(|(i, _)| *i)
                    .chain(st.client.iter().map(|(i, _)| *i))
                    .collect();
                if let Some(id) = pick(&ids, a) {
                    st.layer.handle_transport_error(st.now, id);
                }
            }
            _ => {
                // A response to one of our requests.
                if let Some((_, sent)) = pick(&st.client, a) {
                    if let Ok(req) = crate::decode_datagram(&sent) {
                        let code = pick(&CODES, b).unwrap_or(200);
                        let tag = format!("t{}", c % 3);
                        if let Ok(resp) = build_response(&req, code, "R", Some(&tag)) {
                            let bytes = resp.to_bytes();
                            let _ = st.layer.handle_input(
                                st.now,
                                Input {
                                    bytes: &bytes,
                                    source: source(c),
                                },
                            );
                        }
                    }
                }
            }
        }
        st.drain();
    }
    // Run the clock out: everything must end.
    for _ in 0..MAX_FINAL_STEPS {
        let Some(next) = st.layer.poll_timeout() else {
            break;
        };
        assert!(next >= st.now, "poll_timeout went back in time");
        st.advance(next - st.now);
    }
    assert!(
        st.layer.is_empty(),
        "transactions left after running the clock out"
    );
    st.layer.stats()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzz_smoke() {
        fuzz_transactions(&[]);
        fuzz_transactions(b"\x00\x00\x00\x00");
        // A deterministic pseudo-random set of programs.
        let mut x: u32 = 0x1234_5678;
        let mut total = crate::transaction::LayerStats::default();
        for len in 0..300 {
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    (x >> 24) as u8
                })
                .collect();
            let s = run(&data);
            total.client_transactions += s.client_transactions;
            total.server_transactions += s.server_transactions;
            total.refused += s.refused;
            total.retransmissions_matched += s.retransmissions_matched;
            total.responses_matched += s.responses_matched;
        }
        assert!(total.client_transactions > 50, "{total:?}");
        assert!(total.server_transactions > 50, "{total:?}");
        assert!(total.responses_matched > 10, "{total:?}");
        // Structured: the same OPTIONS twice (a retransmission), an INVITE twice and its ACK.
        let s = run(&[
            0, 1, 2, 0, 0, 1, 2, 0, 0, 0, 3, 0, 0, 0, 3, 0, 3, 1, 5, 0, 0, 2, 3, 0,
        ]);
        assert_eq!(s.server_transactions, 2);
        assert_eq!(s.retransmissions_matched, 3);
        // INVITE in, answer, client requests, responses, time steps.
        fuzz_transactions(&[
            0, 0, 2, 0, 3, 0, 3, 0, 4, 0, 2, 0, 7, 0, 1, 0, 5, 0, 0, 0, 7, 0, 5, 0, 2, 255, 0, 0,
            6, 0, 0, 0,
        ]);
    }

    /// A deterministic soak of generated programs (the fuzz target explores further).
    #[test]
    fn fuzz_soak() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for i in 0..2_000usize {
            let len = i % 512;
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    (x >> 56) as u8
                })
                .collect();
            fuzz_transactions(&data);
        }
    }
}
