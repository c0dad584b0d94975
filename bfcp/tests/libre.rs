//! Interop with a real BFCP peer over UDP: libre (Debian's `libre-dev`, the library under
//! baresip; BFCP over UDP only). `tests/libre_peer.c` is compiled here with `cc` (flags from
//! `pkg-config libre` when it answers) and run against our floor control server and, as a
//! server, against our participant, on 127.0.0.1. Our side runs the sans-IO machines on a
//! real `std::net::UdpSocket`, with timeouts and bounded loops; the libre program prints
//! what it received and the tests parse it. Both sides' outcomes are asserted, including
//! retransmission through deliberately dropped datagrams.
//!
//! Where libre 1.1 and RFC 8855 differ we follow the RFC; each difference is recorded in
//! [`where_libre_differs_from_rfc_8855`].
//!
//! libre missing fails the tests: CI installs it (`scripts/test-all.sh`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use roomgate_bfcp::negotiate::FloorBinding;
use roomgate_bfcp::udp::fragment;
use roomgate_bfcp::{
    Attribute, AttributeType, CommonHeader, ErrorCodeValue, FloorState, Header, LeaveReason,
    Message, Participant, ParticipantConfig, ParticipantEvent, ParticipantOutput, Policy,
    Primitive, RequestStatusValue, Server, ServerConfig, ServerEvent, ServerOutput, SessionState,
    StreamFramer, Transport, UdpConfig, Value, Version,
};

const CONFERENCE: u32 = 4_242_001;
const LIBRE: u16 = 7;
const OURS: u16 = 8;
const FLOOR: u16 = 1;
/// Longest a whole scenario may take; the libre program gives up after 30 s on its own.
const SCENARIO: Duration = Duration::from_secs(25);

/// Compiles `tests/libre_peer.c` once per test binary.
fn libre_peer() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/libre_peer.c");
        // Built under a name of this process and renamed into place: test runners that give
        // each test its own process (nextest) build it concurrently, and a rename is atomic.
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
        let out = dir.join("libre_peer");
        let tmp = dir.join(format!("libre_peer.{}", std::process::id()));
        let pkg = Command::new("pkg-config")
            .args(["--cflags", "--libs", "libre"])
            .output();
        let flags: Vec<String> = match pkg {
            Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout)
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
            _ => vec!["-I/usr/include/re".into(), "-lre".into()],
        };
        // libre's headers expect the HAVE_* macros its own build defines (the .pc file does
        // not carry them): C99 integer types, stdbool, IPv6 in struct sa.
        let status = Command::new("cc")
            .args(["-Wall", "-Wextra", "-O1"])
            .args(["-DHAVE_INTTYPES_H", "-DHAVE_STDBOOL_H", "-DHAVE_INET6"])
            .arg("-o")
            .arg(&tmp)
            .arg(&src)
            .args(&flags)
            .status();
        match status {
            Ok(s) if s.success() => {
                std::fs::rename(&tmp, &out).unwrap();
                out
            }
            Ok(s) => panic!(
                "cc {} failed ({s}): the libre interop tests need libre-dev \
                 (apt-get install libre-dev)",
                src.display()
            ),
            Err(e) => panic!("cc not found ({e}): the libre interop tests need a C compiler"),
        }
    })
}

/// The running libre program; killed if the test ends first.
struct LibrePeer {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl LibrePeer {
    fn spawn(args: &[String]) -> LibrePeer {
        let mut child = Command::new(libre_peer())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        LibrePeer {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    fn drain(&mut self) {
        while let Ok(line) = self.lines.try_recv() {
            self.seen.push(line);
        }
    }

    /// The port it listens on (its first line).
    fn port(&mut self) -> u16 {
        let line = self
            .lines
            .recv_timeout(Duration::from_secs(10))
            .expect("libre_peer printed no port");
        let port = line
            .strip_prefix("port ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("libre_peer: {line}"));
        self.seen.push(line);
        port
    }

    fn exited(&mut self) -> Option<i32> {
        self.child
            .try_wait()
            .unwrap()
            .map(|s| s.code().unwrap_or(-1))
    }

    /// Waits for the exit (bounded) and returns the status and every line.
    fn finish(mut self, deadline: Instant) -> (Option<i32>, Vec<String>) {
        let mut code = None;
        while Instant::now() < deadline {
            code = self.exited();
            if code.is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // The reader thread ends when the pipe closes.
        while let Ok(line) = self.lines.recv_timeout(Duration::from_millis(200)) {
            self.seen.push(line);
        }
        (code, std::mem::take(&mut self.seen))
    }

    /// Lines starting with `prefix` (e.g. "resp FloorRequestStatus").
    fn lines_of<'a>(lines: &'a [String], prefix: &str) -> Vec<&'a String> {
        lines
            .iter()
            .filter(|l| l.starts_with(&format!("{prefix} ")))
            .collect()
    }
}

impl Drop for LibrePeer {
    fn drop(&mut self) {
        if self.exited().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// `key=value` of a libre_peer line.
fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    line.split_whitespace()
        .find_map(|w| w.strip_prefix(key)?.strip_prefix('='))
}

fn socket() -> UdpSocket {
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    s.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
    s
}

/// One datagram if one arrives before `wait` ends.
fn recv(sock: &UdpSocket, wait: Duration) -> Option<(Vec<u8>, SocketAddr)> {
    sock.set_read_timeout(Some(wait.max(Duration::from_millis(1))))
        .unwrap();
    let mut buf = [0u8; 65_536];
    match sock.recv_from(&mut buf) {
        Ok((n, from)) => Some((buf[..n].to_vec(), from)),
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) =>
        {
            None
        }
        Err(e) => panic!("recv: {e}"),
    }
}

/// A datagram seen on the socket, with when.
#[derive(Debug, Clone)]
struct Seen {
    at: Instant,
    bytes: Vec<u8>,
    /// Sent by us but dropped before the socket (simulated loss).
    dropped: bool,
}

impl Seen {
    fn header(&self) -> CommonHeader {
        CommonHeader::decode(&self.bytes).unwrap()
    }

    fn primitive(&self) -> Option<Primitive> {
        Primitive::from_code(self.header().primitive)
    }

    fn status(&self) -> Option<RequestStatusValue> {
        let m = Message::decode(&self.bytes).ok()?;
        let status = m
            .find(AttributeType::FloorRequestInformation)
            .filter_map(Value::group)
            .flat_map(|g| g.find(AttributeType::OverallRequestStatus))
            .filter_map(Value::group)
            .flat_map(|g| g.find(AttributeType::RequestStatus))
            .find_map(|v| match v {
                Value::RequestStatus(s) => Some(s.status),
                _ => None,
            });
        status
    }
}

fn server_config() -> ServerConfig {
    ServerConfig {
        conference_id: CONFERENCE,
        transport: Transport::Udp,
        version: Version::V2,
        floors: vec![FloorBinding {
            floor_id: FLOOR,
            label: "slides".into(),
        }],
        policy: Policy::NewestWins,
        // Far from libre's own counter (from 1), which matches answers on the ID alone.
        first_transaction_id: 5000,
        idle_timeout: None,
        udp: UdpConfig::default(),
    }
}

fn participant(user: u16) -> Participant {
    let mut cfg = ParticipantConfig::new(CONFERENCE, user, Transport::Udp, Version::V2);
    cfg.first_transaction_id = 300;
    Participant::new(cfg)
}

/// libre as a participant (Hello, FloorQuery, FloorRequest, FloorRelease, Goodbye) against
/// our floor control server over UDP, with a second participant of ours (in process) taking
/// the floor in between. The server's first answer to libre's FloorRequest and its first
/// revocation notification are dropped: libre retransmits its request (answered from our
/// cache, granted once) and our server retransmits the notification (acknowledged by libre).
#[test]
fn libre_participant_against_our_server() {
    let sock = socket();
    let port = sock.local_addr().unwrap().port();
    let mut libre = LibrePeer::spawn(&[
        "participant".into(),
        port.to_string(),
        CONFERENCE.to_string(),
        LIBRE.to_string(),
        FLOOR.to_string(),
    ]);
    libre.port();
    let mut server = Server::new(server_config()).unwrap();
    let mut ours = participant(OURS);
    let start = Instant::now();
    ours.connect(start).unwrap();
    let mut libre_addr: Option<SocketAddr> = None;
    let mut from_libre: Vec<Seen> = Vec::new();
    let mut to_libre: Vec<Seen> = Vec::new();
    let mut events: Vec<ServerEvent> = Vec::new();
    let mut ours_events: Vec<ParticipantEvent> = Vec::new();
    let mut took_floor = false;
    let mut dropped_answer = false;
    let mut dropped_revocation = false;
    let deadline = start + SCENARIO;
    while Instant::now() < deadline {
        let now = Instant::now();
        // Our in-process participant and the server talk directly.
        while let Some(out) = ours.poll_output() {
            match out {
                ParticipantOutput::Transmit(bytes) => server.handle_input(now, OURS, &bytes),
                ParticipantOutput::Event(e) => ours_events.push(e),
            }
        }
        while let Some(out) = server.poll_output() {
            match out {
                ServerOutput::Transmit { to: OURS, bytes } => ours.handle_input(now, &bytes),
                ServerOutput::Transmit { bytes, .. } => {
                    let mut seen = Seen {
                        at: now,
                        bytes,
                        dropped: false,
                    };
                    let frs = seen.primitive() == Some(Primitive::FloorRequestStatus);
                    let responder = seen.header().responder;
                    if frs && responder && !dropped_answer {
                        dropped_answer = true;
                        seen.dropped = true;
                    }
                    if frs && !responder && !dropped_revocation {
                        dropped_revocation = true;
                        seen.dropped = true;
                    }
                    if !seen.dropped {
                        sock.send_to(&seen.bytes, libre_addr.unwrap()).unwrap();
                    }
                    to_libre.push(seen);
                }
                ServerOutput::Event(e) => {
                    // Once libre holds the floor, our participant takes it (revoking libre).
                    if let ServerEvent::Granted { user_id: LIBRE, .. } = e {
                        if !took_floor {
                            took_floor = true;
                            ours.request_floor(now, FLOOR).unwrap();
                        }
                    }
                    events.push(e);
                }
            }
        }
        libre.drain();
        if libre.exited().is_some() {
            break;
        }
        let next = [server.poll_timeout(), ours.poll_timeout()]
            .into_iter()
            .flatten()
            .min();
        let wait = next
            .map_or(Duration::from_millis(50), |t| {
                t.saturating_duration_since(now)
            })
            .min(Duration::from_millis(50));
        if let Some((bytes, from)) = recv(&sock, wait) {
            libre_addr = Some(from);
            let now = Instant::now();
            from_libre.push(Seen {
                at: now,
                bytes: bytes.clone(),
                dropped: false,
            });
            server.handle_input(now, LIBRE, &bytes);
        }
        let now = Instant::now();
        if server.poll_timeout().is_some_and(|t| t <= now) {
            server.handle_timeout(now);
        }
        if ours.poll_timeout().is_some_and(|t| t <= now) {
            ours.handle_timeout(now);
        }
    }
    let (code, lines) = libre.finish(Instant::now() + Duration::from_secs(5));
    let all = lines.join("\n");
    assert_eq!(code, Some(0), "libre_peer failed:\n{all}");
    assert_eq!(lines.last().map(String::as_str), Some("done"), "{all}");

    // What libre received: our answers with the R bit, in version 2, with what it asked.
    let resp = |p| LibrePeer::lines_of(&lines, &format!("resp {p}"));
    let hello_ack = resp("HelloAck");
    assert_eq!(hello_ack.len(), 1, "{all}");
    assert_eq!(field(hello_ack[0], "r"), Some("1"));
    assert_eq!(field(hello_ack[0], "ver"), Some("2"));
    assert_eq!(field(hello_ack[0], "prims"), Some("15"), "{all}");
    assert_eq!(
        resp("FloorStatus").len(),
        1,
        "the FloorQuery's answer: {all}"
    );
    let statuses: Vec<&str> = resp("FloorRequestStatus")
        .iter()
        .map(|l| field(l, "status").unwrap())
        .collect();
    assert_eq!(statuses, ["Granted", "Granted", "Released"], "{all}");
    assert_eq!(resp("GoodbyeAck").len(), 1, "{all}");
    // The revocation notification reached it once (its first copy was dropped), without
    // the R bit, and libre acknowledged it; so it did every FloorStatus notification.
    let revoked: Vec<_> = LibrePeer::lines_of(&lines, "recv FloorRequestStatus");
    assert_eq!(revoked.len(), 1, "{all}");
    assert_eq!(field(revoked[0], "status"), Some("Revoked"));
    assert_eq!(field(revoked[0], "r"), Some("0"));
    let floor_status = LibrePeer::lines_of(&lines, "recv FloorStatus");
    assert!(floor_status.len() >= 3, "{all}");
    // Every notification libre printed, it acknowledged (a copy our server retransmitted
    // before the acknowledgement arrived, under load, libre acknowledges again from its
    // cache without printing it).
    let acked = |p: Primitive| -> Vec<String> {
        from_libre
            .iter()
            .filter(|s| s.primitive() == Some(p))
            .map(|s| s.header().transaction_id.to_string())
            .collect()
    };
    for line in revoked {
        assert!(
            acked(Primitive::FloorRequestStatusAck).contains(&field(line, "tid").unwrap().into())
        );
    }
    for line in &floor_status {
        assert!(acked(Primitive::FloorStatusAck).contains(&field(line, "tid").unwrap().into()));
    }

    // What libre sent: version 2, requests without the R bit, acknowledgements with it.
    for s in &from_libre {
        let h = s.header();
        assert_eq!(h.version, 2, "{s:?}");
        let ack = matches!(
            s.primitive(),
            Some(Primitive::FloorRequestStatusAck | Primitive::FloorStatusAck)
        );
        assert_eq!(h.responder, ack, "{s:?}");
    }
    // libre retransmitted the FloorRequest whose answer we dropped, T1 (500 ms) later, as
    // the same datagram; our server answered the copy from its cache.
    let requests: Vec<&Seen> = from_libre
        .iter()
        .filter(|s| s.primitive() == Some(Primitive::FloorRequest))
        .collect();
    let first: Vec<&&Seen> = requests
        .iter()
        .filter(|s| s.bytes == requests[0].bytes)
        .collect();
    assert!(first.len() >= 2, "the first FloorRequest was retransmitted");
    assert_eq!(
        requests.len() - first.len(),
        1,
        "the second one needed no retransmission"
    );
    let gap = first[1].at - first[0].at;
    assert!(
        gap >= Duration::from_millis(400) && gap < Duration::from_millis(1500),
        "{gap:?}"
    );
    let answers: Vec<&Seen> = to_libre
        .iter()
        .filter(|s| s.header().transaction_id == requests[0].header().transaction_id)
        .collect();
    assert_eq!(answers.len(), first.len(), "each copy answered");
    assert!(answers.iter().all(|a| a.bytes == answers[0].bytes));
    assert!(answers[0].dropped && !answers[1].dropped);
    // Our server retransmitted the dropped revocation until libre acknowledged it.
    let revocations: Vec<&Seen> = to_libre
        .iter()
        .filter(|s| s.primitive() == Some(Primitive::FloorRequestStatus))
        .filter(|s| !s.header().responder && s.status() == Some(RequestStatusValue::Revoked))
        .collect();
    assert!(revocations.len() >= 2, "{revocations:?}");
    assert!(revocations.iter().all(|r| r.bytes == revocations[0].bytes));
    let gap = revocations[1].at - revocations[0].at;
    assert!(gap >= Duration::from_millis(450), "{gap:?}");

    // Our server's side: libre granted twice (not three times), revoked once, released,
    // left with Goodbye; nothing left unacknowledged.
    let granted_libre = events
        .iter()
        .filter(|e| matches!(e, ServerEvent::Granted { user_id: LIBRE, .. }))
        .count();
    assert_eq!(granted_libre, 2, "{events:?}");
    let ended: Vec<(u16, RequestStatusValue)> = events
        .iter()
        .filter_map(|e| match e {
            ServerEvent::Ended {
                user_id, status, ..
            } => Some((*user_id, *status)),
            _ => None,
        })
        .collect();
    assert_eq!(
        ended,
        [
            (LIBRE, RequestStatusValue::Revoked),
            (OURS, RequestStatusValue::Revoked),
            (LIBRE, RequestStatusValue::Released),
        ]
    );
    assert!(events.contains(&ServerEvent::Left {
        user_id: LIBRE,
        reason: LeaveReason::Goodbye
    }));
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, ServerEvent::Unacknowledged { .. })),
        "{events:?}"
    );
    let stats = server.udp_stats().unwrap();
    assert_eq!(stats.awaiting_answer, 0, "{stats:?}");
    assert!(stats.replayed >= 1, "{stats:?}");
    assert!(stats.retransmissions >= 1, "{stats:?}");
    assert!(ours_events.contains(&ParticipantEvent::Floor {
        floor_id: FLOOR,
        state: FloorState::Revoked
    }));
}

/// Our participant against libre as the floor control server: Hello, FloorQuery,
/// FloorRequest (Pending in the answer, Granted in libre's notification), FloorRelease,
/// Goodbye. Our first FloorRequestStatusAck is dropped: libre retransmits the notification
/// and our participant acknowledges it again from its cache, processing it once.
#[test]
fn our_participant_against_libre_server() {
    let mut libre = LibrePeer::spawn(&[
        "server".into(),
        CONFERENCE.to_string(),
        LIBRE.to_string(),
        FLOOR.to_string(),
    ]);
    let to: SocketAddr = format!("127.0.0.1:{}", libre.port()).parse().unwrap();
    let sock = socket();
    let mut p = participant(LIBRE);
    let start = Instant::now();
    p.connect(start).unwrap();
    let mut events: Vec<ParticipantEvent> = Vec::new();
    let mut from_libre: Vec<Seen> = Vec::new();
    let mut sent: Vec<Seen> = Vec::new();
    let mut dropped_ack = false;
    // Sends what the participant has to send, except its first FloorRequestStatusAck.
    let mut flush = |p: &mut Participant, sent: &mut Vec<Seen>, events: &mut Vec<_>| {
        let now = Instant::now();
        while let Some(out) = p.poll_output() {
            match out {
                ParticipantOutput::Transmit(bytes) => {
                    let mut seen = Seen {
                        at: now,
                        bytes,
                        dropped: false,
                    };
                    let ack = seen.primitive() == Some(Primitive::FloorRequestStatusAck);
                    if ack && !dropped_ack {
                        dropped_ack = true;
                        seen.dropped = true;
                    } else {
                        sock.send_to(&seen.bytes, to).unwrap();
                    }
                    sent.push(seen);
                }
                ParticipantOutput::Event(e) => events.push(e),
            }
        }
    };
    let mut step = 0;
    let deadline = start + SCENARIO;
    while Instant::now() < deadline && p.state() != SessionState::Closed {
        flush(&mut p, &mut sent, &mut events);
        // The script, one step per outcome.
        let now = Instant::now();
        // Granted, and libre's retransmission of the notification answered (so both our
        // acknowledgements went out, the first one dropped).
        let acked_twice = sent
            .iter()
            .filter(|s| s.primitive() == Some(Primitive::FloorRequestStatusAck))
            .count()
            >= 2;
        match step {
            0 if p.state() == SessionState::Connected => {
                p.subscribe(now, &[FLOOR]).unwrap();
                step = 1;
            }
            1 if events
                .iter()
                .any(|e| matches!(e, ParticipantEvent::FloorHolder { .. })) =>
            {
                p.request_floor(now, FLOOR).unwrap();
                step = 2;
            }
            2 if p.floor_state(FLOOR) == Some(FloorState::Granted) && acked_twice => {
                p.release_floor(now, FLOOR).unwrap();
                step = 3;
            }
            3 if p.floor_state(FLOOR) == Some(FloorState::Released) => {
                p.goodbye(now).unwrap();
                step = 4;
            }
            _ => {}
        }
        let wait = p
            .poll_timeout()
            .map_or(Duration::from_millis(50), |t| {
                t.saturating_duration_since(now)
            })
            .min(Duration::from_millis(50));
        if let Some((bytes, _)) = recv(&sock, wait) {
            let now = Instant::now();
            from_libre.push(Seen {
                at: now,
                bytes: bytes.clone(),
                dropped: false,
            });
            p.handle_input(now, &bytes);
        }
        let now = Instant::now();
        if p.poll_timeout().is_some_and(|t| t <= now) {
            p.handle_timeout(now);
        }
        flush(&mut p, &mut sent, &mut events);
    }
    let (code, lines) = libre.finish(Instant::now() + Duration::from_secs(5));
    let all = lines.join("\n");
    assert_eq!(
        code,
        Some(0),
        "libre_peer failed:\n{all}\nevents: {events:?}"
    );

    // Our side: every step as libre answered it, the grant processed once.
    let Some(ParticipantEvent::Connected { primitives, .. }) = events.first() else {
        panic!("{events:?}");
    };
    assert!(primitives.contains(&Primitive::FloorRequestStatusAck.code()));
    let floor: Vec<FloorState> = events
        .iter()
        .filter_map(|e| match e {
            ParticipantEvent::Floor { state, .. } => Some(*state),
            _ => None,
        })
        .collect();
    assert_eq!(
        floor,
        [
            FloorState::Requesting,
            FloorState::Pending,
            FloorState::Granted,
            FloorState::Released
        ],
        "{events:?}"
    );
    assert!(events.contains(&ParticipantEvent::FloorHolder {
        floor_id: FLOOR,
        holder: None
    }));
    assert_eq!(
        events.last(),
        Some(&ParticipantEvent::Closed {
            state: SessionState::Closed
        })
    );
    let stats = p.udp_stats().unwrap();
    assert!(stats.replayed >= 1, "{stats:?}");
    assert_eq!(stats.awaiting_answer, 0);

    // libre's side: each request received once, in version 2 without the R bit; its
    // notification retransmitted after T1 and acknowledged once (the first ack was lost).
    for p in [
        "Hello",
        "FloorQuery",
        "FloorRequest",
        "FloorRelease",
        "Goodbye",
    ] {
        let got = LibrePeer::lines_of(&lines, &format!("recv {p}"));
        assert_eq!(got.len(), 1, "{p}: {all}");
        assert_eq!(field(got[0], "ver"), Some("2"));
        assert_eq!(field(got[0], "r"), Some("0"));
    }
    let acked = LibrePeer::lines_of(&lines, "resp FloorRequestStatusAck");
    assert_eq!(acked.len(), 1, "{all}");
    assert_eq!(field(acked[0], "r"), Some("1"));
    let notes: Vec<&Seen> = from_libre
        .iter()
        .filter(|s| s.primitive() == Some(Primitive::FloorRequestStatus) && !s.header().responder)
        .collect();
    assert!(notes.len() >= 2, "sent, then retransmitted");
    assert!(notes.iter().all(|n| n.bytes == notes[0].bytes));
    let gap = notes[1].at - notes[0].at;
    assert!(
        gap >= Duration::from_millis(400) && gap < Duration::from_millis(1500),
        "{gap:?}"
    );
    assert_eq!(
        field(acked[0], "tid").unwrap(),
        notes[0].header().transaction_id.to_string()
    );
    let acks: Vec<&Seen> = sent
        .iter()
        .filter(|s| s.primitive() == Some(Primitive::FloorRequestStatusAck))
        .collect();
    assert_eq!(acks.len(), notes.len(), "each copy acknowledged");
    assert!(acks[0].dropped && !acks[1].dropped);
    assert!(acks.iter().all(|a| a.bytes == acks[0].bytes));
}

/// Sends `msg` to libre and returns the first datagram back, if any within `wait`.
fn ask(sock: &UdpSocket, to: SocketAddr, bytes: &[u8], wait: Duration) -> Option<Message> {
    sock.send_to(bytes, to).unwrap();
    let (back, _) = recv(sock, wait)?;
    Some(Message::decode(&back).unwrap())
}

/// What our server answers to `datagrams` from participant `from`, in order.
fn our_answers(server: &mut Server, from: u16, datagrams: &[Vec<u8>]) -> Vec<Message> {
    let now = Instant::now();
    for d in datagrams {
        server.handle_input(now, from, d);
    }
    std::iter::from_fn(|| server.poll_output())
        .filter_map(|o| match o {
            ServerOutput::Transmit { bytes, .. } => Some(Message::decode(&bytes).unwrap()),
            ServerOutput::Event(_) => None,
        })
        .collect()
}

fn request(primitive: Primitive, version: Version, tx: u16, attrs: Vec<Value>) -> Message {
    Message::new(
        Header::new(version, primitive, CONFERENCE, tx, LIBRE),
        attrs.into_iter().map(Attribute::mandatory).collect(),
    )
}

/// Where libre 1.1 and RFC 8855 differ, recorded against libre itself, with what our server
/// does instead (the RFC's behaviour). And where they agree on the retransmission schedule.
#[test]
fn where_libre_differs_from_rfc_8855() {
    let mut libre = LibrePeer::spawn(&[
        "server".into(),
        CONFERENCE.to_string(),
        LIBRE.to_string(),
        FLOOR.to_string(),
    ]);
    let to: SocketAddr = format!("127.0.0.1:{}", libre.port()).parse().unwrap();
    let sock = socket();
    let mut ours = Server::new(server_config()).unwrap();
    let second = Duration::from_secs(1);

    // 1. Version 1 over UDP. RFC 8855 §5.1: UDP carries version 2 only; a version-1
    //    message is answered with Error 12 (Unsupported Version). libre answers it.
    let v1 = request(Primitive::Hello, Version::V1, 40, vec![])
        .encode()
        .unwrap();
    let theirs = ask(&sock, to, &v1, second).expect("libre answers version 1");
    assert_eq!(theirs.header.primitive, Primitive::HelloAck);
    assert_eq!(theirs.header.version, Version::V1);
    let mine = our_answers(&mut ours, LIBRE, &[v1]);
    assert_eq!(mine[0].header.primitive, Primitive::Error);
    let code = mine[0]
        .find(AttributeType::ErrorCode)
        .find_map(|v| match v {
            Value::ErrorCode(e) => Some(e.code),
            _ => None,
        });
    assert_eq!(code, Some(ErrorCodeValue::UnsupportedVersion));

    // 2. Fragments. RFC 8855 §6.2.3: a receiver reassembles a fragmented message. libre
    //    drops every datagram with the F bit (its decoder returns ENOSYS): no answer, its
    //    handler never sees the message. Our server reassembles and answers.
    let mut big = request(Primitive::Hello, Version::V2, 50, vec![]);
    big.attributes.push(Attribute::optional(Value::Unknown {
        attr_type: 100,
        contents: vec![1; 120],
    }));
    let pieces = fragment(&big, 16 + 64).unwrap();
    assert!(pieces.len() > 1);
    for piece in &pieces {
        sock.send_to(piece, to).unwrap();
    }
    assert!(
        recv(&sock, Duration::from_millis(1500)).is_none(),
        "libre answered fragments"
    );
    let mine = our_answers(&mut ours, LIBRE, &pieces);
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].header.primitive, Primitive::HelloAck);
    assert_eq!(mine[0].header.transaction_id, 50);
    // libre is alive: the same Hello whole is answered.
    let whole = big.encode().unwrap();
    let theirs = ask(&sock, to, &whole, second).unwrap();
    assert_eq!(theirs.header.transaction_id, 50);

    // 3. The response cache. RFC 8855 §6.2.2: the responder keeps its responses for T2 and
    //    answers a retransmitted request from them. libre keeps one response, its last:
    //    a retransmission of any earlier request reaches its handler and is processed again.
    //    Ours answers it from the cache without processing it.
    let query = request(
        Primitive::FloorQuery,
        Version::V2,
        60,
        vec![Value::FloorId(FLOOR)],
    )
    .encode()
    .unwrap();
    let hello = request(Primitive::Hello, Version::V2, 61, vec![])
        .encode()
        .unwrap();
    for d in [&query, &hello, &query] {
        let back = ask(&sock, to, d, second).unwrap();
        assert_eq!(
            back.header.transaction_id,
            CommonHeader::decode(d).unwrap().transaction_id
        );
    }
    let first = our_answers(&mut ours, LIBRE, &[query.clone(), hello.clone()]);
    let again = our_answers(&mut ours, LIBRE, std::slice::from_ref(&query));
    assert_eq!(again[0], first[0]);
    assert_eq!(ours.udp_stats().unwrap().replayed, 1);
    // And a retransmission of its last request it does answer from its one-entry cache.
    let back = ask(&sock, to, &query, second).unwrap();
    assert_eq!(back.header.transaction_id, 60);

    // 4. Agreement: libre retransmits an unacknowledged notification on T1 doubling, four
    //    transmissions in all, and gives up when T1 fires the fourth time, as we do
    //    (udp::MAX_RETRANSMISSIONS = 3, failure 7.5 s after the first).
    let floor_request = request(
        Primitive::FloorRequest,
        Version::V2,
        70,
        vec![Value::FloorId(FLOOR)],
    )
    .encode()
    .unwrap();
    sock.send_to(&floor_request, to).unwrap();
    let mut notes: Vec<Instant> = Vec::new();
    let until = Instant::now() + Duration::from_secs(10);
    while Instant::now() < until {
        if let Some((bytes, _)) = recv(&sock, Duration::from_millis(100)) {
            let h = CommonHeader::decode(&bytes).unwrap();
            if !h.responder {
                notes.push(Instant::now());
            }
        }
    }
    assert_eq!(notes.len(), 4, "one notification, three retransmissions");
    let gaps: Vec<u128> = notes
        .windows(2)
        .map(|w| (w[1] - w[0]).as_millis())
        .collect();
    for (gap, expected) in gaps.iter().zip([500u128, 1000, 2000]) {
        assert!(
            gap.abs_diff(expected) <= (expected / 5).max(200),
            "{gaps:?}"
        );
    }

    // 5. The R bit. RFC 8855 §5.1: R marks responses; a message without it is a request.
    //    libre matches an answer to its outstanding request on the Transaction ID (and
    //    conference and user) alone: a request of ours that reuses the ID of its pending
    //    notification is taken for the acknowledgement, and never answered. Ours tells them
    //    apart (tests/udp.rs, stale_answers_are_ignored_and_a_notification_is_not_an_answer).
    let floor_request = request(
        Primitive::FloorRequest,
        Version::V2,
        71,
        vec![Value::FloorId(FLOOR)],
    )
    .encode()
    .unwrap();
    sock.send_to(&floor_request, to).unwrap();
    let mut note = None;
    let until = Instant::now() + Duration::from_secs(2);
    while note.is_none() && Instant::now() < until {
        if let Some((bytes, _)) = recv(&sock, Duration::from_millis(100)) {
            let h = CommonHeader::decode(&bytes).unwrap();
            note = (!h.responder).then_some(h.transaction_id);
        }
    }
    let note = note.expect("libre's Granted notification");
    let hello = request(Primitive::Hello, Version::V2, note, vec![])
        .encode()
        .unwrap();
    sock.send_to(&hello, to).unwrap();
    let mut after = 0;
    let until = Instant::now() + Duration::from_secs(2);
    while Instant::now() < until {
        if recv(&sock, Duration::from_millis(100)).is_some() {
            after += 1;
        }
    }
    assert_eq!(
        after, 0,
        "no HelloAck, and no retransmitted notification either"
    );

    drop(sock);
    let (_, lines) = libre.finish(Instant::now() + Duration::from_millis(300));
    let all = lines.join("\n");
    let processed = |p: &str, tid: u16| {
        LibrePeer::lines_of(&lines, &format!("recv {p}"))
            .iter()
            .filter(|l| field(l, "tid") == Some(&tid.to_string()))
            .count()
    };
    assert_eq!(processed("Hello", 40), 1, "{all}");
    assert_eq!(field(&lines[1], "ver"), Some("1"), "{all}");
    assert_eq!(processed("Hello", 50), 1, "only the whole one: {all}");
    assert_eq!(processed("FloorQuery", 60), 2, "processed twice: {all}");
    assert_eq!(processed("Hello", 61), 1, "{all}");
    let failed = LibrePeer::lines_of(&lines, "fail FloorRequestStatus");
    assert_eq!(failed.len(), 1, "{all}");
    assert_eq!(field(failed[0], "err"), Some("110"), "ETIMEDOUT: {all}");
    let taken = LibrePeer::lines_of(&lines, "resp Hello");
    assert_eq!(
        taken.len(),
        1,
        "our Hello taken for the acknowledgement: {all}"
    );
    assert_eq!(field(taken[0], "tid"), Some(note.to_string().as_str()));
    assert_eq!(field(taken[0], "r"), Some("0"));
    assert_eq!(processed("Hello", note), 0, "{all}");
}

/// The TCP framing against a third party's bytes. There is no packaged BFCP-over-TCP peer, but
/// libre answers version-1 requests over UDP in version 1, the TCP wire form (see
/// [`where_libre_differs_from_rfc_8855`]): its answers, laid back to back, are the byte stream
/// a version-1 peer would write on a TCP connection. Our framer must cut that stream into
/// exactly libre's messages however it arrives, and each must decode.
#[test]
fn libre_version_1_messages_frame_as_a_tcp_stream() {
    let mut libre = LibrePeer::spawn(&[
        "server".into(),
        CONFERENCE.to_string(),
        LIBRE.to_string(),
        FLOOR.to_string(),
    ]);
    let to: SocketAddr = format!("127.0.0.1:{}", libre.port()).parse().unwrap();
    let sock = socket();
    let requests = [
        request(Primitive::Hello, Version::V1, 70, vec![]),
        request(
            Primitive::FloorRequest,
            Version::V1,
            71,
            vec![Value::FloorId(FLOOR)],
        ),
        request(
            Primitive::FloorQuery,
            Version::V1,
            72,
            vec![Value::FloorId(FLOOR)],
        ),
    ];
    let mut recorded: Vec<Vec<u8>> = Vec::new();
    for req in &requests {
        sock.send_to(&req.encode().unwrap(), to).unwrap();
        // The answer, and whatever libre sends after it, until it is quiet (bounded).
        for _ in 0..8 {
            match recv(&sock, Duration::from_millis(400)) {
                Some((bytes, _)) => recorded.push(bytes),
                None => break,
            }
        }
    }
    let primitives: Vec<Primitive> = recorded
        .iter()
        .map(|b| Message::decode(b).unwrap().header.primitive)
        .collect();
    assert!(
        primitives.starts_with(&[Primitive::HelloAck, Primitive::FloorRequestStatus]),
        "libre answered {primitives:?}"
    );
    assert!(
        primitives.contains(&Primitive::FloorStatus),
        "libre answered {primitives:?}"
    );
    // libre answers each request in its version (1) and sends its own notifications in
    // version 2; over TCP we accept both (RFC 8855 §5.1), so the stream carries both.
    for bytes in &recorded {
        let h = CommonHeader::decode(bytes).unwrap();
        if (70..=72).contains(&h.transaction_id) {
            assert_eq!(h.version, 1, "{primitives:?}");
        }
    }

    let stream: Vec<u8> = recorded.concat();
    for chunk in [1, 2, 3, 5, 7, 13, stream.len()] {
        let mut framer = StreamFramer::new();
        let mut framed = Vec::new();
        for piece in stream.chunks(chunk) {
            framer.push(piece).unwrap();
            while let Some(frame) = framer.next_frame().unwrap() {
                framed.push(frame);
            }
        }
        assert_eq!(framed, recorded, "chunks of {chunk} octets");
        assert_eq!(framer.buffered(), 0);
    }
}
