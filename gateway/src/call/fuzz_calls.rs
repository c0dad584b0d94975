//! Fuzz entry for the SIP legs and their driver (`fuzz/fuzz_targets/call_legs.rs`): the real
//! transaction user, [`Calls`], the call core and a socket-less relay, between a room and a
//! cloud whose every move comes from the fuzzer — raw datagrams, or replies and in-dialog
//! requests built from what the gateway sent, so inputs get past dialog matching — on a
//! clock the fuzzer moves.
//!
//! The relay's answers can be made to come later (as the workers' do), be held back, or
//! refuse reconfigurations, so inputs reach what happens between a request to the relay and
//! its answer.
//!
//! Oracles besides "no panic, no hang": every datagram the gateway sends decodes, and the
//! call table stays within `max_calls`.

// A fuzz entry reports a broken invariant the only way libFuzzer sees: by panicking.
#![allow(clippy::panic)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use roomgate_media::relay::{Relay, RelayConfig};
use roomgate_sip::sdp::offer_answer::SrtpPolicy;
use roomgate_sip::transaction::{Destination, LayerConfig, TransactionLayer, Transport};
use roomgate_sip::{decode_datagram, HeaderName};

use super::media_plane::{LocalRelay, MediaPlane};
use super::negotiate::{default_suites, room_suites, MediaPolicy};
use super::{Action, BridgeSettings, Calls, MeetingRoute, StaticDirectory, Upstream};
use crate::sip::rate_limit::RateLimiter;
use crate::sip::tu::Tu;

const ROOM: ([u8; 4], u16) = ([192, 0, 2, 20], 5060);
const CLOUD: ([u8; 4], u16) = ([203, 0, 113, 5], 5060);
const MAX_CALLS: usize = 4;
/// Operations one input may run (each costs at most one timer sweep).
const MAX_OPS: usize = 256;
/// Steps at one instant before the input counts as a livelock.
const MAX_STEPS: usize = 10_000;

const ANSWER: &str = "v=0\r\no=peer 1 1 IN IP4 203.0.113.5\r\ns=-\r\nc=IN IP4 203.0.113.5\r\n\
t=0 0\r\nm=audio 32000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n\
a=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n";

fn addr((ip, port): ([u8; 4], u16)) -> SocketAddr {
    SocketAddr::from((ip, port))
}

/// The bridge settings of the call-layer fuzz targets: a gateway at 198.51.100.1 with
/// `max_calls`, rooms with optional SRTP, short SIP and PIN timers.
pub(crate) fn fuzz_settings(max_calls: usize) -> BridgeSettings {
    BridgeSettings {
        media_ip: [198, 51, 100, 1].into(),
        gateway_domain: "gw.example".into(),
        trusted_upstreams: Vec::new(),
        sip_host: "198.51.100.1:5060".into(),
        room_policy: MediaPolicy {
            srtp: SrtpPolicy::Optional,
            suites: room_suites(),
        },
        trunks: Vec::new(),
        max_calls,
        setup_timeout: Duration::from_secs(30),
        echo: None,
        t1: Duration::from_millis(500),
        pin_timeouts: roomgate_core::call::PinTimeouts {
            inter_digit: Duration::from_secs(5),
            total: Duration::from_secs(60),
        },
    }
}

struct Sim {
    now: Instant,
    tu: Tu,
    plane: Arc<MediaPlane>,
    /// The last request each peer got, and the last 2xx to an INVITE the room got.
    last_request: HashMap<SocketAddr, Vec<u8>>,
    room_ok: Option<Vec<u8>>,
    cseq: u32,
}

impl Sim {
    fn new() -> Sim {
        let now = Instant::now();
        let relay = Relay::new(
            now,
            RelayConfig {
                port_min: 40000,
                port_max: 40063,
                ..RelayConfig::default()
            },
        );
        let plane = Arc::new(MediaPlane::Local(Box::new(LocalRelay::new(relay, now))));
        let route = |uri: &str, srtp| MeetingRoute {
            upstream: Upstream::Uri(uri.to_owned()),
            policy: MediaPolicy {
                srtp,
                suites: default_suites(),
            },
            credentials: Some(("gw".into(), "secret".into())),
            pin_hash: None,
        };
        let meetings = [
            (
                "1001".to_owned(),
                route("sip:m@203.0.113.5:5060", SrtpPolicy::Off),
            ),
            (
                "4004".to_owned(),
                route("sips:m@203.0.113.5:5060", SrtpPolicy::Mandatory),
            ),
        ]
        .into();
        let settings = fuzz_settings(MAX_CALLS);
        // Seeded: an input replays exactly (the peers' replies match our tags and branches).
        let wall = super::calls::WallClock::Anchored {
            since: now,
            at: std::time::UNIX_EPOCH + Duration::from_secs(1_800_000_000),
        };
        let calls = Calls::new(settings, Box::new(StaticDirectory(meetings)), plane.clone())
            .with_sources(super::sip_leg::Ids::seeded(7), wall);
        let tu = Tu::new(
            TransactionLayer::new(LayerConfig::default()),
            RateLimiter::new(10_000, 10_000),
        )
        .with_calls(calls);
        Sim {
            now,
            tu,
            plane,
            last_request: HashMap::new(),
            room_ok: None,
            cseq: 1,
        }
    }

    fn local(&self) -> Option<&LocalRelay> {
        match &*self.plane {
            MediaPlane::Local(l) => Some(l),
            MediaPlane::Workers(_) => None,
        }
    }

    fn send(&mut self, from: SocketAddr, bytes: &[u8]) {
        let source = Destination {
            addr: from,
            transport: Transport::Udp,
        };
        self.tu.handle_received(self.now, bytes, source);
        self.settle();
    }

    fn settle(&mut self) {
        for _ in 0..MAX_STEPS {
            if !self.step() {
                return;
            }
        }
        panic!("livelock: the gateway kept working at one instant");
    }

    fn step(&mut self) -> bool {
        let MediaPlane::Local(relay) = &*self.plane else {
            return false;
        };
        let turn = super::sim::turn(&mut self.tu, relay, self.now);
        relay.take_sent();
        if let Some(calls) = self.tu.calls.as_ref() {
            assert!(calls.len() <= MAX_CALLS, "more calls than max_calls");
        }
        for (to, bytes) in turn.sip {
            self.deliver(to, bytes);
        }
        let now = self.now;
        for a in turn.actions {
            let Some(calls) = self.tu.calls.as_mut() else {
                break;
            };
            if let Action::Resolve { call, uri } = a {
                let transport = if uri.starts_with("sips:") {
                    Transport::Tls
                } else {
                    Transport::Udp
                };
                let dest = Destination {
                    addr: addr(CLOUD),
                    transport,
                };
                calls.on_resolved(&mut self.tu.layer, now, call, Ok((dest, "m".into())));
            }
        }
        turn.moved
    }

    fn deliver(&mut self, to: SocketAddr, bytes: Vec<u8>) {
        let Ok(msg) = decode_datagram(&bytes) else {
            panic!(
                "the gateway sent a message it cannot decode itself:\n{}",
                String::from_utf8_lossy(&bytes)
            );
        };
        if msg.is_request() {
            self.last_request.insert(to, bytes);
        } else if to == addr(ROOM)
            && msg
                .status_line()
                .is_some_and(|s| (200..300).contains(&s.code))
            && msg
                .cseq()
                .is_ok_and(|c| c.method == roomgate_sip::Method::Invite)
        {
            self.room_ok = Some(bytes);
        }
    }

    fn advance(&mut self, by: Duration) {
        let until = self.now + by;
        for _ in 0..MAX_STEPS {
            let next = [
                self.tu.poll_timeout(),
                self.local().and_then(LocalRelay::poll_timeout),
            ]
            .into_iter()
            .flatten()
            .min();
            let at = match next {
                Some(t) if t <= until => t.max(self.now),
                _ => until,
            };
            self.now = at;
            if let Some(l) = self.local() {
                l.advance(at);
            }
            self.tu.handle_timeout(at);
            self.settle();
            if at >= until {
                return;
            }
        }
    }

    /// `peer` answers the last request it got with `code` (an SDP answer on a 2xx to an
    /// INVITE).
    fn reply(&mut self, peer: SocketAddr, code: u16) {
        let Some(req) = self.last_request.get(&peer).cloned() else {
            return;
        };
        let Ok(msg) = decode_datagram(&req) else {
            return;
        };
        let mut r = msg
            .response_to(code, "Fuzz", Some("fz"))
            .with(HeaderName::Contact, format!("<sip:peer@{peer}>"));
        if (200..300).contains(&code) && msg.method() == Some(roomgate_sip::Method::Invite) {
            r = r.with_body("application/sdp", ANSWER);
        }
        if code == 401 {
            r = r.with(
                HeaderName::WwwAuthenticate,
                "Digest realm=\"m\", nonce=\"abc\", qop=\"auth\", algorithm=SHA-256",
            );
        }
        self.send(peer, &r.to_bytes());
    }

    /// The room sends `method` in the dialog of the last 2xx it got.
    fn room_in_dialog(&mut self, method: &str, sdp: bool) {
        let Some(ok) = self.room_ok.clone() else {
            return;
        };
        let Ok(msg) = decode_datagram(&ok) else {
            return;
        };
        let value = |n| msg.header_value(n).unwrap_or("").to_owned();
        let target = value(HeaderName::Contact)
            .split(['<', '>'])
            .nth(1)
            .unwrap_or("sip:198.51.100.1:5060")
            .to_owned();
        let cseq = if method == "ACK" {
            msg.cseq().map_or(1, |c| c.seq)
        } else {
            self.cseq = self.cseq.saturating_add(1);
            self.cseq
        };
        let body = if sdp {
            ANSWER.replace("203.0.113.5", "192.0.2.20")
        } else {
            String::new()
        };
        let mut text = format!(
            "{method} {target} SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bKfz{cseq}{method}\r\n\
             Max-Forwards: 70\r\nFrom: {}\r\nTo: {}\r\nCall-ID: {}\r\nCSeq: {cseq} {method}\r\n\
             Contact: <sip:room@192.0.2.20:5060>\r\n",
            value(HeaderName::From),
            value(HeaderName::To),
            value(HeaderName::CallId),
        );
        if sdp {
            text.push_str("Content-Type: application/sdp\r\n");
        }
        text.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        self.send(addr(ROOM), text.as_bytes());
    }
}

/// Fuzz entry: see the module documentation. The input is a list of operations, each an
/// opcode byte and its operands. Returns the gateway's counters, so replayed seeds can show
/// they reach what they were written for.
#[doc(hidden)]
pub fn fuzz_calls(data: &[u8]) -> super::CallStats {
    let mut sim = Sim::new();
    let mut rest = data;
    for _ in 0..MAX_OPS {
        let Some((&op, tail)) = rest.split_first() else {
            break;
        };
        rest = tail;
        match op % 8 {
            // A raw datagram from the room or the cloud: 2-octet length, then the bytes.
            0 | 1 => {
                let Some((len, tail)) = rest.split_first_chunk::<2>() else {
                    break;
                };
                let len = usize::from(u16::from_be_bytes(*len)).min(tail.len());
                let (bytes, tail) = tail.split_at(len);
                rest = tail;
                let from = if op % 8 == 0 { ROOM } else { CLOUD };
                sim.send(addr(from), bytes);
            }
            // The cloud (2) or the room (3) answers its last request.
            2 | 3 => {
                let Some((&c, tail)) = rest.split_first() else {
                    break;
                };
                rest = tail;
                let code = [100, 180, 183, 200, 401, 404, 486, 487, 488, 500, 503, 603]
                    .get(usize::from(c) % 12)
                    .copied()
                    .unwrap_or(200);
                let peer = if op % 8 == 2 { CLOUD } else { ROOM };
                sim.reply(addr(peer), code);
            }
            // The room sends a request in its dialog.
            4 => {
                let Some((&m, tail)) = rest.split_first() else {
                    break;
                };
                rest = tail;
                let (method, sdp) = match m % 6 {
                    0 => ("ACK", false),
                    1 => ("BYE", false),
                    2 => ("INVITE", true),
                    3 => ("UPDATE", false),
                    4 => ("INFO", false),
                    _ => ("INVITE", false),
                };
                sim.room_in_dialog(method, sdp);
            }
            // Time passes: the operand × 100 ms.
            5 => {
                let Some((&t, tail)) = rest.split_first() else {
                    break;
                };
                rest = tail;
                sim.advance(Duration::from_millis(u64::from(t) * 100));
            }
            // A datagram to one of the relay's ports from the room's or the cloud's media
            // address: port offset, 1-octet length, bytes.
            6 => {
                let Some(([p, len], tail)) = rest.split_first_chunk::<2>() else {
                    break;
                };
                let len = usize::from(*len).min(tail.len());
                let (bytes, tail) = tail.split_at(len);
                rest = tail;
                let from = if p & 1 == 0 {
                    SocketAddr::from(([192, 0, 2, 20], 30000))
                } else {
                    SocketAddr::from(([203, 0, 113, 5], 32000))
                };
                if let Some(l) = sim.local() {
                    l.receive(40000 + u16::from(p % 64), from, bytes);
                }
                sim.settle();
            }
            // The relay's answers (opcode 7 with the high bit set): from now on deferred as
            // the workers' are, held, released, or reconfigurations refused.
            7 if op & 0x80 != 0 => {
                if let Some(l) = sim.local() {
                    match (op >> 4) & 3 {
                        0 => l.defer_answers(),
                        1 => l.hold_answers(true),
                        2 => l.hold_answers(false),
                        _ => l.refuse_reconfigurations(),
                    }
                }
                sim.settle();
            }
            // Shutdown: every call is ended.
            _ => {
                sim.tu.start_draining();
                sim.settle();
            }
        }
    }
    // However the input ended, a long wait clears every call and transaction.
    sim.advance(Duration::from_secs(3600));
    match sim.tu.calls.as_ref() {
        Some(calls) => {
            assert!(calls.len() <= MAX_CALLS);
            calls.stats()
        }
        None => super::CallStats::default(),
    }
}
