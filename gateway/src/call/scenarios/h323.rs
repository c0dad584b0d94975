//! H.323 room systems in the world: a room is an outgoing call of our own H.323 stack
//! (`H323Call`, as in the leg tests), its TPKT packets carried to and from the calls'
//! [`H323Input`]/[`H323Output`] on virtual connections. The scenarios: a fastStart room joins
//! an open meeting through the SIP cloud and hangs up; the cloud hangs up; a slow-start room
//! without tunnelling over the H.245 port we offer; a PIN by H.245 user input; digits from
//! the cloud reach the room as user input; and the refusals (no meeting in the dial string,
//! a blocked source, a room policy requiring SRTP, Setups over the per-source rate, a
//! connection that never sends a Setup, garbage), each with its Q.931 cause and the
//! connection closed.

use std::collections::HashMap;
use std::time::Duration;

use roomgate_core::media_spec::Codec;
use roomgate_h323::call::{cause, CallConfig, CallEvent, Dial};
use roomgate_h323::endpoint::{Event, H323Call, Transmit};
use roomgate_h323::h245::session::{SessionConfig, SessionEvent};
use roomgate_h323::ras::AliasAddress;
use roomgate_h323::tpkt::TpktDecoder;
use roomgate_sip::sdp::offer_answer::SrtpPolicy;

use super::sip_text::{self, Dialog};
use super::{addr, World, CLOUD, CLOUD_RTP, LOCKED, OPEN, PIN};
use crate::call::h323_leg::media_map;
use crate::call::{H323Input, H323Output};
use crate::transport::ConnId;

/// The room system's address and its RTP.
const ROOM_H323: &str = "192.0.2.30:41720";
const ROOM_MEDIA: &str = "192.0.2.30:6000";
const ROOM_MEDIA_RTCP: &str = "192.0.2.30:6001";
/// Where the room receives main video (when it proposes some).
pub(super) const ROOM_VIDEO: &str = "192.0.2.30:6002";
const ROOM_VIDEO_RTCP: &str = "192.0.2.30:6003";

/// The H.323 MCU of meeting [`MCU_MEETING`] and its media.
pub(super) const MCU_H323: &str = "203.0.113.40:1720";
const MCU_MEDIA: &str = "203.0.113.40:7000";
/// Where the MCU receives main video.
pub(super) const MCU_VIDEO: &str = "203.0.113.40:7002";
/// A meeting whose upstream is the H.323 MCU.
pub(super) const MCU_MEETING: &str = "5005";

/// The MCU's answer to the gateway's Setup: fastStart accepted in PCMU (and H.264 in the
/// format of `video`, when the MCU has video), or a release.
fn mcu_answers(
    now: std::time::Instant,
    call: &mut H323Call,
    setup: &roomgate_h323::call::IncomingSetup,
    refuses: Option<u8>,
    video: Option<&Codec>,
) {
    if let Some(c) = refuses {
        call.call().release(c);
        return;
    }
    let caps = media_map::capabilities_with_video(
        &[Codec::new("PCMU", 8000, 1, 0)],
        video.map(std::slice::from_ref).unwrap_or_default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    call.start_h245(now, caps, 0x0065_4321);
    let pcmu = Codec::new("PCMU", 8000, 1, 0);
    let mut answer = media_map::accept(
        &setup.fast_start,
        &pcmu,
        addr(MCU_MEDIA),
        addr("203.0.113.40:7001"),
    )
    .unwrap_or_else(|| panic!("no PCMU proposal in {:?}", setup.fast_start));
    if let Some(v) = video {
        answer.extend(
            media_map::accept_in(
                &setup.fast_start,
                crate::call::h323_leg::video_map::VIDEO_SESSION,
                v,
                addr(MCU_VIDEO),
                addr("203.0.113.40:7003"),
            )
            .unwrap_or_default(),
        );
    }
    call.call()
        .alert(Some(&answer))
        .unwrap_or_else(|e| panic!("{e}"));
    call.call()
        .connect(None, None)
        .unwrap_or_else(|e| panic!("{e}"));
}

/// A dial string that names no meeting (not a meeting ID by its characters).
const NO_MEETING: &str = "no meeting here";

/// One scripted H.323 room.
pub(crate) struct Room {
    pub call: H323Call,
    pub h245: Option<ConnId>,
    /// Events of its call, in order.
    pub events: Vec<Event>,
    /// The gateway closed its connection.
    pub closed: bool,
    /// An MCU the gateway called (answers its Setup by the world's script).
    pub mcu: bool,
    decoder: TpktDecoder,
}

/// The H.323 side of the world.
#[derive(Default)]
pub(crate) struct Rooms {
    rooms: HashMap<ConnId, Room>,
    /// H.245 connection → the room's signalling connection.
    h245_of: HashMap<ConnId, ConnId>,
    /// Every connection the gateway closed, in order.
    pub closed: Vec<ConnId>,
    /// How the H.323 MCU answers a Setup: `None` answers with fastStart (PCMU), `Some(cause)`
    /// releases with that cause.
    pub mcu_refuses: Option<u8>,
    /// The MCU cannot be reached (the connection fails).
    pub mcu_unreachable: bool,
    /// RAS datagrams the gateway sent, in order.
    pub ras: Vec<(std::net::SocketAddr, Vec<u8>)>,
    /// Where the gateway dialled its H.323 upstreams (host, port).
    pub dialled: Vec<(String, u16)>,
    /// The MCU's main video: fastStart proposals in this H.264 format are accepted.
    pub mcu_video: Option<Codec>,
    next_conn: u64,
}

impl Rooms {
    fn conn(&mut self) -> ConnId {
        self.next_conn += 1;
        ConnId(1_000_000 + self.next_conn)
    }
}

/// What a room dials.
pub(crate) struct RoomDial<'a> {
    /// Empty: no destination alias and no called number at all (the gateway's bare address).
    pub dialled: &'a str,
    pub fast_start: bool,
    pub tunnelling: bool,
    pub from: &'a str,
    /// H.264 formats it proposes by fastStart and announces in its capabilities.
    pub video: Vec<Codec>,
}

impl RoomDial<'_> {
    pub fn fast(dialled: &str) -> RoomDial<'_> {
        RoomDial {
            dialled,
            fast_start: true,
            tunnelling: true,
            from: ROOM_H323,
            video: Vec::new(),
        }
    }
}

fn payloads(d: &mut TpktDecoder, p: &[u8]) -> Vec<Vec<u8>> {
    d.push(p);
    std::iter::from_fn(|| d.next_payload().unwrap_or(None)).collect()
}

impl World {
    /// A room connects from `dial.from` and sends its Setup; returns its connection.
    pub fn h323_dial(&mut self, dial: RoomDial<'_>) -> ConnId {
        let conn = self.h323.conn();
        let digits = dial.dialled.bytes().all(|b| b.is_ascii_digit());
        let config = CallConfig {
            tunnelling: dial.tunnelling,
            ..CallConfig::default()
        };
        let d = Dial {
            call_reference: 7,
            call_identifier: [conn.0 as u8; 16],
            conference_id: [0x21; 16],
            // Room systems send a number as dialedDigits, anything else as an H.323-ID.
            destination: if dial.dialled.is_empty() {
                Vec::new()
            } else if digits {
                vec![AliasAddress::DialedDigits(dial.dialled.into())]
            } else {
                vec![AliasAddress::H323Id(dial.dialled.into())]
            },
            called_number: (digits && !dial.dialled.is_empty()).then(|| dial.dialled.into()),
            source: vec![AliasAddress::H323Id("Boardroom".into())],
            calling_number: Some("5551234".into()),
            fast_start: if dial.fast_start {
                let mut p = media_map::propose(
                    &[
                        Codec::new("PCMU", 8000, 1, 0),
                        Codec::new("PCMA", 8000, 1, 8),
                    ],
                    addr(ROOM_MEDIA),
                    addr(ROOM_MEDIA_RTCP),
                    1,
                );
                p.extend(media_map::propose_in(
                    crate::call::h323_leg::video_map::VIDEO_SESSION,
                    &dial.video,
                    addr(ROOM_VIDEO),
                    addr(ROOM_VIDEO_RTCP),
                    5,
                ));
                p
            } else {
                Vec::new()
            },
            ..Dial::default()
        };
        let mut call = H323Call::outgoing(self.now, config, SessionConfig::default(), &d)
            .unwrap_or_else(|e| panic!("room Setup: {e}"));
        let caps =
            media_map::capabilities_with_video(&[Codec::new("PCMU", 8000, 1, 0)], &dial.video)
                .unwrap_or_else(|e| panic!("{e}"));
        call.start_h245(self.now, caps, 0x0012_3456);
        self.h323.rooms.insert(
            conn,
            Room {
                call,
                h245: None,
                events: Vec::new(),
                closed: false,
                mcu: false,
                decoder: TpktDecoder::default(),
            },
        );
        self.h323_input(
            conn,
            H323Input::Accepted {
                peer: addr(dial.from),
                local: addr("198.51.100.1:1720"),
            },
        );
        self.settle();
        conn
    }

    pub(super) fn h323_input(&mut self, conn: ConnId, input: H323Input) {
        let now = self.now;
        if let Some(calls) = self.tu.calls.as_mut() {
            calls.on_h323(&mut self.tu.layer, now, conn, input);
        }
    }

    pub fn room(&mut self, conn: ConnId) -> &mut Room {
        self.h323
            .rooms
            .get_mut(&conn)
            .unwrap_or_else(|| panic!("no room on {conn:?}"))
    }

    /// Moves packets between the rooms and the gateway; true when anything moved.
    pub(super) fn h323_step(&mut self) -> bool {
        let now = self.now;
        let mut moved = false;
        // The gateway's side.
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
                    let sig = self.h323.h245_of.get(&conn).copied();
                    let Some(room) = self.h323.rooms.get_mut(&sig.unwrap_or(conn)) else {
                        continue;
                    };
                    if room.closed {
                        continue;
                    }
                    for p in payloads(&mut room.decoder, &bytes) {
                        if sig.is_some() {
                            room.call.handle_h245(now, &p);
                        } else {
                            room.call.handle_signalling(now, &p);
                        }
                    }
                }
                H323Output::Close(conn) => {
                    self.h323.closed.push(conn);
                    if let Some(room) = self.h323.rooms.get_mut(&conn) {
                        room.closed = true;
                        room.call.connection_lost(now);
                    }
                }
                H323Output::ListenH245 { call, .. } => {
                    let result = Ok(addr("198.51.100.1:40245"));
                    if let Some(calls) = self.tu.calls.as_mut() {
                        calls.on_h245_listening(&mut self.tu.layer, now, call, result);
                    }
                }
                H323Output::ConnectH245 { call, .. } => self.h245_up(call),
                H323Output::Ras { to, bytes } => self.h323.ras.push((to, bytes)),
                H323Output::Dial { call, host, port } => {
                    self.h323.dialled.push((host, port));
                    let result = if self.h323.mcu_unreachable {
                        Err("connection refused".to_owned())
                    } else {
                        let conn = self.h323.conn();
                        let mcu = H323Call::incoming(
                            now,
                            CallConfig::default(),
                            SessionConfig::default(),
                        );
                        self.h323.rooms.insert(
                            conn,
                            Room {
                                call: mcu,
                                h245: None,
                                events: Vec::new(),
                                closed: false,
                                mcu: true,
                                decoder: TpktDecoder::default(),
                            },
                        );
                        Ok((conn, addr(MCU_H323)))
                    };
                    if let Some(calls) = self.tu.calls.as_mut() {
                        calls.on_h323_dialed(&mut self.tu.layer, now, call, result);
                    }
                }
            }
        }
        // The rooms' side.
        let conns: Vec<ConnId> = self.h323.rooms.keys().copied().collect();
        for conn in conns {
            let mut sends = Vec::new();
            let mut connect = false;
            let Some(room) = self.h323.rooms.get_mut(&conn) else {
                continue;
            };
            room.call.pump(now);
            while let Some(e) = room.call.poll_event() {
                if let (true, Event::Call(CallEvent::Setup(s))) = (room.mcu, &e) {
                    let video = self.h323.mcu_video.as_ref();
                    mcu_answers(now, &mut room.call, s, self.h323.mcu_refuses, video);
                }
                room.events.push(e);
            }
            while let Some(t) = room.call.poll_transmit() {
                match t {
                    Transmit::Signalling(p) => sends.push((conn, p)),
                    Transmit::H245(p) => {
                        if let Some(h) = room.h245 {
                            sends.push((h, p));
                        }
                    }
                    Transmit::ConnectH245(_) => connect = true,
                }
            }
            if room.closed {
                continue;
            }
            if connect {
                moved = true;
                self.h245_up(conn);
            }
            for (to, bytes) in sends {
                moved = true;
                let mut d = TpktDecoder::default();
                for p in payloads(&mut d, &bytes) {
                    self.h323_input(to, H323Input::Payload(p));
                }
            }
        }
        moved
    }

    /// The separate H.245 connection of room `conn` comes up (whoever asked for it).
    fn h245_up(&mut self, conn: ConnId) {
        let now = self.now;
        let h245 = self.h323.conn();
        let Some(room) = self.h323.rooms.get_mut(&conn) else {
            return;
        };
        if room.h245.is_some() {
            return;
        }
        room.h245 = Some(h245);
        room.call.h245_connected(now);
        self.h323.h245_of.insert(h245, conn);
        self.h323_input(conn, H323Input::H245Opened { h245 });
    }

    /// The connection of the call the gateway placed to the H.323 MCU.
    pub fn mcu_conn(&self) -> ConnId {
        self.h323
            .rooms
            .iter()
            .find(|(_, r)| r.mcu)
            .map(|(c, _)| *c)
            .unwrap_or_else(|| panic!("no MCU call"))
    }

    /// The room's call events so far that match.
    pub fn room_saw(&mut self, conn: ConnId, what: impl Fn(&Event) -> bool) -> bool {
        self.room(conn).events.iter().any(what)
    }

    /// The cause of the room's release, when released.
    pub fn room_released(&mut self, conn: ConnId) -> Option<u8> {
        self.room(conn).events.iter().find_map(|e| match e {
            Event::Call(CallEvent::Released { cause, .. }) => Some(*cause),
            _ => None,
        })
    }

    /// The cloud rings and answers PCMU; returns its dialog.
    pub(super) fn cloud_answers(&mut self) -> (Dialog, u16) {
        let invite = self.request(CLOUD, "INVITE");
        self.send(CLOUD, &invite.reply(180, "Ringing", "c1", CLOUD, None));
        let answer = sip_text::cloud_answer(&invite, 1, CLOUD_RTP, "sendrecv");
        self.send(CLOUD, &invite.reply(200, "OK", "c1", CLOUD, Some(&answer)));
        let _ack = self.request(CLOUD, "ACK");
        (Dialog::cloud(&invite, "c1"), super::audio_port(&invite))
    }
}

/// Where the gateway receives the room's audio, from its fastStart answer.
pub(super) fn accepted_port(w: &mut World, conn: ConnId) -> u16 {
    let list = w
        .room(conn)
        .events
        .iter()
        .find_map(|e| match e {
            Event::Call(CallEvent::FastStartAccepted(l)) => Some(l.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no fastStart answer"));
    let (codec, to, _) = media_map::accepted(&list).unwrap_or_else(|| panic!("no channel"));
    assert_eq!(codec.name, "PCMU");
    to.map(|a| a.port())
        .unwrap_or_else(|| panic!("no address in {list:?}"))
}

pub(super) fn rtp(seq: u16) -> Vec<u8> {
    let mut p = vec![0x80, 0, 0, 0, 0, 0, 0, 0, 0x11, 0x22, 0x33, 0x44];
    p[2..4].copy_from_slice(&seq.to_be_bytes());
    p[4..8].copy_from_slice(&(u32::from(seq) * 160).to_be_bytes());
    p.extend_from_slice(&[0xff; 160]);
    p
}

#[test]
fn h323_room_joins_an_open_meeting_through_the_sip_cloud_and_hangs_up() {
    let mut w = World::new();
    let room = w.h323_dial(RoomDial::fast(OPEN));
    assert!(
        w.room_saw(room, |e| matches!(e, Event::Call(CallEvent::Proceeding))),
        "{:?}",
        w.room(room).events
    );
    let invite = w.request(CLOUD, "INVITE");
    // The room's number as the caller, in the gateway's domain; PCMU first (pass-through).
    let from = invite.header("From").unwrap_or_default();
    assert!(from.contains("<sip:5551234@gw.example>"), "{from}");
    let offer = invite.sdp();
    assert_eq!(
        offer.media[0].formats.first().map(String::as_str),
        Some("0")
    );
    w.send(CLOUD, &invite.reply(180, "Ringing", "c1", CLOUD, None));
    assert!(w.room_saw(room, |e| matches!(e, Event::Call(CallEvent::Alerting))));
    let answer = sip_text::cloud_answer(&invite, 1, CLOUD_RTP, "sendrecv");
    w.send(CLOUD, &invite.reply(200, "OK", "c1", CLOUD, Some(&answer)));
    let _ack = w.request(CLOUD, "ACK");
    assert!(w.room_saw(room, |e| matches!(e, Event::Call(CallEvent::Connected))));
    let port = accepted_port(&mut w, room);
    // The room's audio reaches the cloud, and the cloud's the room.
    w.send_rtp(addr(ROOM_MEDIA), port, &rtp(1));
    let cloud_media = addr(&format!("203.0.113.5:{CLOUD_RTP}"));
    assert_eq!(w.take_rtp(cloud_media).len(), 1, "{}", w.trace());
    let views = w.calls().views();
    assert_eq!(views[0].room.protocol, "h323");
    assert_eq!(views[0].cloud.protocol, "sip");
    assert_eq!(views[0].room.peer.as_deref(), Some(ROOM_H323));
    // The room hangs up: the cloud gets a BYE, the call is gone.
    w.room(room).call.call().release(cause::NORMAL);
    w.settle();
    let _bye = w.request(CLOUD, "BYE");
    assert_eq!(w.live_calls(), 0);
    assert!(w.room(room).closed, "the connection is closed");
}

#[test]
fn the_cloud_hanging_up_releases_the_h323_room_with_normal_clearing() {
    let mut w = World::new();
    let room = w.h323_dial(RoomDial::fast(OPEN));
    let (mut cloud, _) = w.cloud_answers();
    let bye = cloud.request("BYE", "", None);
    w.send(CLOUD, &bye);
    assert_eq!(w.room_released(room), Some(cause::NORMAL));
    assert!(w.room(room).closed);
    assert_eq!(w.live_calls(), 0);
}

#[test]
fn a_slow_start_room_without_tunnelling_is_answered_over_our_h245_port() {
    let mut w = World::new();
    let room = w.h323_dial(RoomDial {
        fast_start: false,
        tunnelling: false,
        ..RoomDial::fast(OPEN)
    });
    let (_cloud, _) = w.cloud_answers();
    assert!(w.room_saw(room, |e| matches!(e, Event::Call(CallEvent::Connected))));
    assert!(w.room(room).h245.is_some(), "H.245 connection made");
    // Capabilities both ways, master/slave settled, and our channel opened to the room.
    assert!(w.room_saw(room, |e| matches!(
        e,
        Event::H245(SessionEvent::RemoteCapabilities(_))
    )));
    assert!(w.room_saw(room, |e| matches!(
        e,
        Event::H245(SessionEvent::MsdDone { .. })
    )));
    assert!(
        w.room_saw(room, |e| matches!(
            e,
            Event::H245(SessionEvent::ChannelRequested { .. })
        )),
        "the gateway opened its channel"
    );
}

#[test]
fn an_h323_room_enters_the_pin_by_user_input_and_joins() {
    let mut w = World::new();
    let room = w.h323_dial(RoomDial::fast(LOCKED));
    // Answered by the gateway for PIN entry; nothing placed upstream yet.
    assert!(w.room_saw(room, |e| matches!(e, Event::Call(CallEvent::Connected))));
    assert!(!w.has_request(CLOUD, "INVITE"));
    w.room(room)
        .call
        .session()
        .send_user_input(&format!("{PIN}#"));
    w.settle();
    assert_eq!(
        w.pin_attempts,
        vec![(LOCKED.to_owned(), Some(PIN.to_owned()))]
    );
    // The joining prompt, then the cloud leg.
    w.advance(Duration::from_secs(5));
    let (_cloud, _) = w.cloud_answers();
    assert_eq!(w.calls().views()[0].state, "active");
}

#[test]
fn three_wrong_pins_release_the_h323_room() {
    let mut w = World::new();
    let room = w.h323_dial(RoomDial::fast(LOCKED));
    for wrong in ["1111#", "2222#", "3333#"] {
        w.room(room).call.session().send_user_input(wrong);
        w.settle();
        w.advance(Duration::from_secs(4));
    }
    w.advance(Duration::from_secs(10));
    assert_eq!(w.pin_attempts.len(), 3);
    assert_eq!(w.room_released(room), Some(cause::NORMAL));
    assert!(!w.has_request(CLOUD, "INVITE"));
    assert_eq!(w.live_calls(), 0);
}

#[test]
fn digits_from_the_cloud_reach_the_h323_room_as_user_input() {
    let mut w = World::new();
    let room = w.h323_dial(RoomDial::fast(OPEN));
    let (mut cloud, _) = w.cloud_answers();
    let info = cloud
        .request("INFO", "", Some("Signal=5\r\nDuration=160\r\n"))
        .replace("application/sdp", "application/dtmf-relay");
    w.send(CLOUD, &info);
    assert!(
        w.room_saw(
            room,
            |e| matches!(e, Event::H245(SessionEvent::UserInput(d)) if d == "5")
        ),
        "{:?}",
        w.room(room).events
    );
}

#[test]
fn a_dial_string_without_a_meeting_gets_unallocated_number() {
    let mut w = World::new();
    let room = w.h323_dial(RoomDial::fast(NO_MEETING));
    assert_eq!(w.room_released(room), Some(1));
    assert!(w.room(room).closed);
    assert_eq!(w.live_calls(), 0);
}

#[test]
fn an_h323_room_is_refused_when_the_room_policy_requires_srtp() {
    let mut w = World::with(|s| s.settings.room_policy.srtp = SrtpPolicy::Mandatory);
    let room = w.h323_dial(RoomDial::fast(OPEN));
    // H.323 media here is RTP: never let in where encryption is required.
    assert_eq!(w.room_released(room), Some(65));
    assert!(!w.has_request(CLOUD, "INVITE"));
}

#[test]
fn setups_over_the_per_source_rate_are_released_before_any_work() {
    let mut w = World::new();
    let mut causes = Vec::new();
    for _ in 0..30 {
        let room = w.h323_dial(RoomDial::fast(NO_MEETING));
        causes.push(w.room_released(room));
    }
    // The burst (20) is routed (and refused as unallocated); the rest never reach the core.
    assert_eq!(causes.iter().filter(|c| **c == Some(1)).count(), 20);
    assert_eq!(causes.iter().filter(|c| **c == Some(41)).count(), 10);
    // Another source is not hurt.
    let other = w.h323_dial(RoomDial {
        from: "192.0.2.31:41720",
        ..RoomDial::fast(OPEN)
    });
    assert!(w.room_saw(other, |e| matches!(e, Event::Call(CallEvent::Proceeding))));
    assert!(w.has_request(CLOUD, "INVITE"));
}

#[test]
fn a_connection_that_sends_no_setup_is_closed() {
    let mut w = World::new();
    let conn = ConnId(77);
    w.h323_input(
        conn,
        H323Input::Accepted {
            peer: addr(ROOM_H323),
            local: addr("198.51.100.1:1720"),
        },
    );
    w.settle();
    w.advance(crate::call::calls::SETUP_WAIT - Duration::from_millis(1));
    assert!(!w.h323.closed.contains(&conn));
    w.advance(Duration::from_millis(2));
    assert_eq!(w.h323.closed, vec![conn]);
}

#[test]
fn garbage_on_a_new_connection_makes_no_call_and_is_closed() {
    let mut w = World::new();
    let conn = ConnId(78);
    w.h323_input(
        conn,
        H323Input::Accepted {
            peer: addr(ROOM_H323),
            local: addr("198.51.100.1:1720"),
        },
    );
    for junk in [&b"\x08\x02\x00\x01\x05"[..], &[0xff; 300], &[]] {
        w.h323_input(conn, H323Input::Payload(junk.to_vec()));
    }
    w.settle();
    w.advance(Duration::from_secs(11));
    assert_eq!(w.live_calls(), 0);
    assert!(!w.has_request(CLOUD, "INVITE"));
    assert!(w.h323.closed.contains(&conn), "{:?}", w.h323.closed);
}

/// A world whose meeting [`MCU_MEETING`] goes to the H.323 MCU.
pub(super) fn mcu_world() -> World {
    World::with(|s| {
        s.meetings.insert(
            MCU_MEETING.into(),
            crate::call::MeetingRoute {
                upstream: crate::call::Upstream::H323(format!("h323:200@{MCU_H323}")),
                policy: crate::call::negotiate::MediaPolicy {
                    srtp: SrtpPolicy::Off,
                    suites: Vec::new(),
                },
                credentials: None,
                pin_hash: None,
            },
        );
    })
}

#[test]
fn a_sip_room_reaches_an_h323_mcu_and_audio_passes_both_ways() {
    let mut w = mcu_world();
    let invite = sip_text::room_invite(
        "mcu-1",
        MCU_MEETING,
        Some(&sip_text::pcmu(1, super::ROOM_RTP)),
        "",
    );
    w.send(super::ROOM, &invite);
    let ok = w.final_response(super::ROOM);
    assert_eq!(ok.status(), Some(200), "{}", w.trace());
    let mcu = *w
        .h323
        .rooms
        .iter()
        .find(|(_, r)| r.mcu)
        .map(|(c, _)| c)
        .unwrap_or_else(|| panic!("no MCU call"));
    // Our Setup: the alias dialled as digits, our H.323-ID; the room's SIP user ("room") is
    // no number, so no calling party number.
    let setup = w
        .room(mcu)
        .events
        .iter()
        .find_map(|e| match e {
            Event::Call(CallEvent::Setup(s)) => Some(s.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no Setup"));
    assert_eq!(setup.called_number.as_deref(), Some("200"));
    assert_eq!(setup.calling_number, None, "{setup:?}");
    assert_eq!(setup.source, vec![AliasAddress::H323Id("roomgate".into())]);
    assert!(!setup.fast_start.is_empty());
    let views = w.calls().views();
    assert_eq!(views[0].cloud.protocol, "h323");
    assert_eq!(views[0].cloud.state, "confirmed");
    assert_eq!(views[0].cloud.peer.as_deref(), Some(MCU_H323));
    assert_eq!(views[0].audio, Some("pass-through"));
    // The room's audio goes to the MCU's address, the MCU's to the room.
    let room_port = super::audio_port(&ok);
    w.send_rtp(
        addr(&format!("192.0.2.20:{}", super::ROOM_RTP)),
        room_port,
        &rtp(1),
    );
    assert_eq!(w.take_rtp(addr(MCU_MEDIA)).len(), 1, "{}", w.trace());
    // The MCU hangs up: the room gets a BYE.
    w.room(mcu).call.call().release(cause::NORMAL);
    w.settle();
    let _bye = w.request(super::ROOM, "BYE");
    assert_eq!(w.live_calls(), 0);
}

#[test]
fn a_busy_h323_mcu_gives_the_sip_room_486() {
    let mut w = mcu_world();
    w.h323.mcu_refuses = Some(cause::BUSY);
    let invite = sip_text::room_invite(
        "mcu-2",
        MCU_MEETING,
        Some(&sip_text::pcmu(1, super::ROOM_RTP)),
        "",
    );
    w.send(super::ROOM, &invite);
    assert_eq!(w.final_response(super::ROOM).status(), Some(486));
    assert_eq!(w.live_calls(), 0);
}

#[test]
fn an_unreachable_h323_mcu_gives_the_sip_room_503() {
    let mut w = mcu_world();
    w.h323.mcu_unreachable = true;
    let invite = sip_text::room_invite(
        "mcu-3",
        MCU_MEETING,
        Some(&sip_text::pcmu(1, super::ROOM_RTP)),
        "",
    );
    w.send(super::ROOM, &invite);
    assert_eq!(w.final_response(super::ROOM).status(), Some(503));
}

#[test]
fn an_h323_room_reaches_an_h323_mcu_through_the_gateway() {
    let mut w = mcu_world();
    let room = w.h323_dial(RoomDial::fast(MCU_MEETING));
    assert!(w.room_saw(room, |e| matches!(e, Event::Call(CallEvent::Connected))));
    let views = w.calls().views();
    assert_eq!(
        (views[0].room.protocol, views[0].cloud.protocol),
        ("h323", "h323")
    );
}

#[test]
fn a_delayed_offer_sip_room_reaches_an_h323_mcu_without_deadlock() {
    // Neither the room (no SDP) nor the MCU (answering our proposals) offers first: the
    // gateway does, on both legs.
    let mut w = mcu_world();
    let invite = sip_text::room_invite("mcu-4", MCU_MEETING, None, "");
    w.send(super::ROOM, &invite);
    let ok = w.final_response(super::ROOM);
    assert_eq!(ok.status(), Some(200), "{}", w.trace());
    assert!(
        ok.body().contains("m=audio"),
        "our offer in the 200: {ok:?}"
    );
    let mut room = Dialog::room(&invite, &ok);
    w.send(
        super::ROOM,
        &room.ack(1, Some(&sip_text::pcmu(1, super::ROOM_RTP))),
    );
    assert_eq!(w.live_calls(), 1);
    let port = super::audio_port(&ok);
    w.send_rtp(
        addr(&format!("192.0.2.20:{}", super::ROOM_RTP)),
        port,
        &rtp(1),
    );
    assert_eq!(w.take_rtp(addr(MCU_MEDIA)).len(), 1, "{}", w.trace());
}
