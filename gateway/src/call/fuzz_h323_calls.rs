//! Fuzz entry for H.323 calls through the call layer (`fuzz/fuzz_targets/h323_calls.rs`):
//! the real [`Calls`] with its H.323 inputs and outputs, between H.323 rooms (well-formed
//! calls of our own stack, or raw bytes from the fuzzer on any connection), a SIP cloud that
//! answers, and an H.323 MCU upstream — every move, and the clock, chosen by the fuzzer.
//!
//! Oracles besides "no panic, no hang": the gateway only ever writes to or closes
//! connections that exist, and the call table stays within `max_calls`.

// A fuzz entry reports a broken invariant the only way libFuzzer sees: by panicking.
#![allow(clippy::panic)]

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use roomgate_core::media_spec::Codec;
use roomgate_h323::call::{CallConfig, CallEvent, Dial};
use roomgate_h323::endpoint::{Event, H323Call, Transmit};
use roomgate_h323::h245::session::SessionConfig;
use roomgate_h323::ras::AliasAddress;
use roomgate_h323::tpkt::TpktDecoder;
use roomgate_media::relay::{Relay, RelayConfig};
use roomgate_sip::sdp::offer_answer::SrtpPolicy;
use roomgate_sip::transaction::{Destination, LayerConfig, TransactionLayer, Transport};
use roomgate_sip::{decode_datagram, HeaderName};

use super::h323_leg::media_map;
use super::media_plane::{LocalRelay, MediaPlane};
use super::negotiate::{default_suites, MediaPolicy};
use super::{Action, Calls, H323Input, H323Output, MeetingRoute, StaticDirectory, Upstream};
use crate::sip::rate_limit::RateLimiter;
use crate::sip::tu::Tu;
use crate::transport::ConnId;

const MAX_CALLS: usize = 4;
const MAX_OPS: usize = 256;
const MAX_STEPS: usize = 10_000;
const CLOUD: ([u8; 4], u16) = ([203, 0, 113, 5], 5060);
const ANSWER: &str = "v=0\r\no=peer 1 1 IN IP4 203.0.113.5\r\ns=-\r\nc=IN IP4 203.0.113.5\r\n\
t=0 0\r\nm=audio 32000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n";
/// The cloud's video section when our offer has video: H.264 constrained baseline, mode 1.
const ANSWER_VIDEO: &str = "m=video 32002 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n\
a=fmtp:96 profile-level-id=42e01f;packetization-mode=1\r\na=sendrecv\r\n";

/// The H.264 format rooms and the MCU propose when the fuzzer gives them video.
fn h264() -> Codec {
    let mut c = Codec::new("H264", 90000, 1, 96);
    c.params = vec![
        ("profile-level-id".into(), "42e01f".into()),
        ("packetization-mode".into(), "1".into()),
    ];
    c
}

/// A peer of the gateway on one connection: a call of our stack, and its packet framing.
struct Peer {
    call: H323Call,
    decoder: TpktDecoder,
    mcu: bool,
}

struct Sim {
    now: Instant,
    tu: Tu,
    plane: Arc<MediaPlane>,
    peers: HashMap<ConnId, Peer>,
    /// Connections that exist (accepted, dialled or H.245), for the oracle.
    open: HashSet<ConnId>,
    h245_of: HashMap<ConnId, ConnId>,
    dials: Vec<u64>,
    last_cloud_request: Option<Vec<u8>>,
    next_conn: u64,
}

fn meeting(upstream: Upstream) -> MeetingRoute {
    MeetingRoute {
        upstream,
        policy: MediaPolicy {
            srtp: SrtpPolicy::Off,
            suites: default_suites(),
        },
        credentials: None,
        pin_hash: None,
    }
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
        let meetings = [
            (
                "1001".to_owned(),
                meeting(Upstream::Uri("sip:m@203.0.113.5:5060".into())),
            ),
            (
                "5005".to_owned(),
                meeting(Upstream::H323("h323:200@203.0.113.40:1720".into())),
            ),
        ]
        .into();
        let settings = super::fuzz_calls::fuzz_settings(MAX_CALLS);
        let wall = super::calls::WallClock::Anchored {
            since: now,
            at: std::time::UNIX_EPOCH + Duration::from_secs(1_800_000_000),
        };
        let calls = Calls::new(settings, Box::new(StaticDirectory(meetings)), plane.clone())
            .with_sources(super::sip_leg::Ids::seeded(11), wall);
        let tu = Tu::new(
            TransactionLayer::new(LayerConfig::default()),
            RateLimiter::new(10_000, 10_000),
        )
        .with_calls(calls);
        Sim {
            now,
            tu,
            plane,
            peers: HashMap::new(),
            open: HashSet::new(),
            h245_of: HashMap::new(),
            dials: Vec::new(),
            last_cloud_request: None,
            next_conn: 100,
        }
    }

    fn conn(&mut self) -> ConnId {
        self.next_conn += 1;
        ConnId(self.next_conn)
    }

    fn calls(&mut self) -> Option<&mut Calls> {
        self.tu.calls.as_mut()
    }

    fn input(&mut self, conn: ConnId, input: H323Input) {
        let now = self.now;
        if let Some(calls) = self.tu.calls.as_mut() {
            calls.on_h323(&mut self.tu.layer, now, conn, input);
        }
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
        let now = self.now;
        let MediaPlane::Local(relay) = &*self.plane else {
            return false;
        };
        let turn = super::sim::turn(&mut self.tu, relay, now);
        relay.take_sent();
        let mut moved = turn.moved;
        for (to, bytes) in turn.sip {
            if to == SocketAddr::from(CLOUD) && !bytes.starts_with(b"SIP/2.0") {
                self.last_cloud_request = Some(bytes);
            }
        }
        for a in turn.actions {
            if let (Action::Resolve { call, .. }, Some(calls)) = (a, self.tu.calls.as_mut()) {
                let dest = Destination {
                    addr: SocketAddr::from(CLOUD),
                    transport: Transport::Udp,
                };
                calls.on_resolved(&mut self.tu.layer, now, call, Ok((dest, "m".into())));
            }
        }
        let mut outputs = Vec::new();
        if let Some(calls) = self.tu.calls.as_mut() {
            while let Some(o) = calls.poll_h323() {
                outputs.push(o);
            }
        }
        for o in outputs {
            moved = true;
            match o {
                H323Output::Send { conn, bytes } => {
                    assert!(self.open.contains(&conn), "a write to {conn:?}, never open");
                    let target = self.h245_of.get(&conn).copied();
                    if let Some(p) = self.peers.get_mut(&target.unwrap_or(conn)) {
                        p.decoder.push(&bytes);
                        while let Ok(Some(q)) = p.decoder.next_payload() {
                            if target.is_some() {
                                p.call.handle_h245(now, &q);
                            } else {
                                p.call.handle_signalling(now, &q);
                            }
                        }
                    }
                }
                H323Output::Close(conn) => {
                    self.peers.remove(&conn);
                    self.open.remove(&conn);
                }
                H323Output::ListenH245 { call, .. } => {
                    let at = SocketAddr::from(([198, 51, 100, 1], 40245));
                    if let Some(calls) = self.tu.calls.as_mut() {
                        calls.on_h245_listening(&mut self.tu.layer, now, call, Ok(at));
                    }
                }
                H323Output::ConnectH245 { call, .. } => self.h245_up(call),
                H323Output::Dial { call, .. } => self.dials.push(call),
                // No gatekeeper is configured here.
                H323Output::Ras { .. } => {}
            }
        }
        let conns: Vec<ConnId> = self.peers.keys().copied().collect();
        for conn in conns {
            let mut sends = Vec::new();
            let mut connect = false;
            let Some(p) = self.peers.get_mut(&conn) else {
                continue;
            };
            p.call.pump(now);
            while let Some(e) = p.call.poll_event() {
                if let (true, Event::Call(CallEvent::Setup(s))) = (p.mcu, &e) {
                    let pcmu = Codec::new("PCMU", 8000, 1, 0);
                    let to = SocketAddr::from(([203, 0, 113, 40], 7000));
                    let rtcp = SocketAddr::from(([203, 0, 113, 40], 7001));
                    let mut answer = media_map::accept(&s.fast_start, &pcmu, to, rtcp);
                    let video = media_map::accept_in(
                        &s.fast_start,
                        super::h323_leg::video_map::VIDEO_SESSION,
                        &h264(),
                        SocketAddr::from(([203, 0, 113, 40], 7002)),
                        SocketAddr::from(([203, 0, 113, 40], 7003)),
                    );
                    if let (Some(a), Some(v)) = (answer.as_mut(), video) {
                        a.extend(v);
                    }
                    let _ = p.call.call().alert(answer.as_deref());
                    let _ = p.call.call().connect(None, None);
                }
            }
            while let Some(t) = p.call.poll_transmit() {
                match t {
                    Transmit::Signalling(b) => sends.push((conn, b)),
                    Transmit::H245(b) => {
                        if let Some((&h, _)) = self.h245_of.iter().find(|(_, s)| **s == conn) {
                            sends.push((h, b));
                        }
                    }
                    Transmit::ConnectH245(_) => connect = true,
                }
            }
            if connect {
                moved = true;
                self.h245_up(conn);
            }
            for (to, bytes) in sends {
                moved = true;
                let mut d = TpktDecoder::default();
                d.push(&bytes);
                while let Ok(Some(q)) = d.next_payload() {
                    self.input(to, H323Input::Payload(q));
                }
            }
        }
        moved
    }

    fn h245_up(&mut self, conn: ConnId) {
        if self.h245_of.values().any(|c| *c == conn) {
            return;
        }
        let h245 = self.conn();
        self.open.insert(h245);
        self.h245_of.insert(h245, conn);
        if let Some(p) = self.peers.get_mut(&conn) {
            p.call.h245_connected(self.now);
        }
        self.input(conn, H323Input::H245Opened { h245 });
    }

    fn accept(&mut self, conn: ConnId) {
        self.open.insert(conn);
        let peer = SocketAddr::from(([192, 0, 2, 30], 41720));
        let local = SocketAddr::from(([198, 51, 100, 1], 1720));
        self.input(conn, H323Input::Accepted { peer, local });
    }

    /// A room of our own stack dials `dialled` on a new connection (with H.264 main video in
    /// its proposals and capabilities when `video`).
    fn room(&mut self, dialled: &str, fast_start: bool, tunnelling: bool, video: bool) {
        let video: Vec<Codec> = if video { vec![h264()] } else { Vec::new() };
        let conn = self.conn();
        let d = Dial {
            call_reference: 9,
            call_identifier: [conn.0 as u8; 16],
            conference_id: [3; 16],
            destination: if dialled.is_empty() {
                Vec::new()
            } else {
                vec![AliasAddress::DialedDigits(dialled.into())]
            },
            fast_start: if fast_start {
                let mut p = media_map::propose(
                    &[Codec::new("PCMU", 8000, 1, 0)],
                    SocketAddr::from(([192, 0, 2, 30], 6000)),
                    SocketAddr::from(([192, 0, 2, 30], 6001)),
                    1,
                );
                p.extend(media_map::propose_in(
                    super::h323_leg::video_map::VIDEO_SESSION,
                    &video,
                    SocketAddr::from(([192, 0, 2, 30], 6002)),
                    SocketAddr::from(([192, 0, 2, 30], 6003)),
                    3,
                ));
                p
            } else {
                Vec::new()
            },
            ..Dial::default()
        };
        let config = CallConfig {
            tunnelling,
            ..CallConfig::default()
        };
        let Ok(mut call) = H323Call::outgoing(self.now, config, SessionConfig::default(), &d)
        else {
            return;
        };
        let audio = [Codec::new("PCMU", 8000, 1, 0)];
        if let Ok(caps) = media_map::capabilities_with_video(&audio, &video) {
            call.start_h245(self.now, caps, 0x0001_2345);
        }
        self.peers.insert(
            conn,
            Peer {
                call,
                decoder: TpktDecoder::default(),
                mcu: false,
            },
        );
        self.accept(conn);
    }

    fn cloud_reply(&mut self, code: u16) {
        let Some(req) = self.last_cloud_request.clone() else {
            return;
        };
        let Ok(msg) = decode_datagram(&req) else {
            return;
        };
        let mut r = msg
            .response_to(code, "Fuzz", Some("fz"))
            .with(HeaderName::Contact, "<sip:peer@203.0.113.5:5060>");
        if (200..300).contains(&code) && msg.method() == Some(roomgate_sip::Method::Invite) {
            let video = msg.body.windows(8).any(|w| w == b"m=video ");
            r = if video {
                r.with_body("application/sdp", format!("{ANSWER}{ANSWER_VIDEO}"))
            } else {
                r.with_body("application/sdp", ANSWER)
            };
        }
        let source = Destination {
            addr: SocketAddr::from(CLOUD),
            transport: Transport::Udp,
        };
        self.tu.handle_received(self.now, &r.to_bytes(), source);
    }

    fn advance(&mut self, by: Duration) {
        let until = self.now + by;
        for _ in 0..MAX_STEPS {
            let local = match &*self.plane {
                MediaPlane::Local(l) => l.poll_timeout(),
                MediaPlane::Workers(_) => None,
            };
            let next = [self.tu.poll_timeout(), local].into_iter().flatten().min();
            let at = match next {
                Some(t) if t <= until => t.max(self.now),
                _ => until,
            };
            self.now = at;
            if let MediaPlane::Local(l) = &*self.plane {
                l.advance(at);
            }
            self.tu.handle_timeout(at);
            self.settle();
            if at >= until {
                return;
            }
        }
    }
}

/// Runs one input; returns the live calls at its end (before the final wait) for the seed
/// replay to check that seeds reach what they were written for.
#[doc(hidden)]
pub fn fuzz_h323_calls(data: &[u8]) -> usize {
    let mut sim = Sim::new();
    let mut rest = data;
    for _ in 0..MAX_OPS {
        let Some((&op, tail)) = rest.split_first() else {
            break;
        };
        rest = tail;
        let Some((&arg, tail)) = rest.split_first() else {
            break;
        };
        rest = tail;
        let conn = ConnId(1 + u64::from(arg % 4));
        match op % 8 {
            0 => sim.accept(conn),
            // Raw bytes on a connection: 1-octet length, then the bytes.
            1 => {
                let Some((&len, tail)) = rest.split_first() else {
                    break;
                };
                let len = usize::from(len).min(tail.len());
                let (bytes, tail) = tail.split_at(len);
                rest = tail;
                if sim.open.contains(&conn) {
                    sim.input(conn, H323Input::Payload(bytes.to_vec()));
                }
            }
            2 => {
                // The top bit: no destination at all (the gateway's bare address); 0x40:
                // H.264 video too.
                let dialled = if arg & 0x80 != 0 {
                    ""
                } else {
                    ["1001", "5005", "1001*99", "7", "#"]
                        .get(usize::from(arg % 5))
                        .copied()
                        .unwrap_or("1001")
                };
                sim.room(dialled, arg & 0x10 == 0, arg & 0x20 == 0, arg & 0x40 != 0);
            }
            3 => {
                let target = sim.peers.keys().nth(usize::from(arg) % 8).copied();
                if let Some(c) = target {
                    sim.open.remove(&c);
                    sim.peers.remove(&c);
                    sim.input(c, H323Input::Closed);
                } else if sim.open.contains(&conn) {
                    sim.input(conn, H323Input::H245Failed);
                }
            }
            4 => {
                let code = [100, 180, 200, 404, 486, 503]
                    .get(usize::from(arg % 6))
                    .copied()
                    .unwrap_or(200);
                sim.cloud_reply(code);
            }
            5 => sim.advance(Duration::from_millis(u64::from(arg) * 100)),
            6 => {
                if let Some(call) = sim.dials.pop() {
                    let result = if arg & 1 == 0 {
                        let c = sim.conn();
                        sim.open.insert(c);
                        sim.peers.insert(
                            c,
                            Peer {
                                call: H323Call::incoming(
                                    sim.now,
                                    CallConfig::default(),
                                    SessionConfig::default(),
                                ),
                                decoder: TpktDecoder::default(),
                                mcu: true,
                            },
                        );
                        Ok((c, SocketAddr::from(([203, 0, 113, 40], 1720))))
                    } else {
                        Err("refused".to_owned())
                    };
                    let now = sim.now;
                    let tu = &mut sim.tu;
                    if let Some(calls) = tu.calls.as_mut() {
                        calls.on_h323_dialed(&mut tu.layer, now, call, result);
                    }
                }
            }
            // The top bit: a videoFastUpdatePicture on channel `arg & 15`, or with 0x20 a
            // FlowControlCommand there (from the MCU when 0x40 is set too); else user input.
            _ if arg & 0xa0 == 0xa0 => {
                let mcu = arg & 0x40 != 0;
                if let Some(p) = sim.peers.values_mut().find(|p| p.mcu == mcu) {
                    let channel = u16::from(arg & 0x0f);
                    p.call
                        .session()
                        .send_flow_control(Some(channel), Some(2000));
                }
            }
            _ if arg & 0x80 != 0 => {
                let mcu = arg & 0x40 != 0;
                if let Some(p) = sim.peers.values_mut().find(|p| p.mcu == mcu) {
                    p.call.session().request_fast_update(u16::from(arg & 0x0f));
                }
            }
            _ => {
                let digits = ["1", "#", "99#", "*0"]
                    .get(usize::from(arg % 4))
                    .copied()
                    .unwrap_or("1");
                if let Some(p) = sim.peers.values_mut().find(|p| !p.mcu) {
                    p.call.session().send_user_input(digits);
                }
            }
        }
        sim.settle();
        let n = sim.calls().map_or(0, |c| c.len());
        assert!(n <= MAX_CALLS, "more calls than max_calls");
    }
    let live = sim.calls().map_or(0, |c| c.len());
    sim.advance(Duration::from_secs(3600));
    assert!(sim.calls().map_or(0, |c| c.len()) <= MAX_CALLS);
    live
}
