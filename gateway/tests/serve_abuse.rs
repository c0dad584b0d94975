//! Slow and hostile peers against `roomgate serve`: silent and oversized streams are closed,
//! per-source connection limits hold, and garbage or huge datagrams neither crash the server
//! nor stop it answering.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::io::Write;
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use common::{
    connect_from, loopback, read_message, request, status_of, udp_options_status, unique,
    wait_for_close, Server, StreamEnd, UdpPeer, LOCALHOST,
};

/// Sends an OPTIONS on `stream` and returns the status of its answer (within 3 s).
fn stream_options(stream: &mut TcpStream) -> Option<u16> {
    let id = unique("tcp");
    let req = request(
        "OPTIONS",
        "TCP",
        stream.local_addr().unwrap(),
        stream.peer_addr().unwrap(),
        &id,
        &id,
        1,
        "",
    );
    stream.write_all(req.as_bytes()).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let resp = read_message(stream, Instant::now() + Duration::from_secs(3))?;
    status_of(&resp)
}

fn tcp_served_from(ip: IpAddr, server: SocketAddr) -> Option<u16> {
    let mut s = connect_from(ip, server).ok()?;
    stream_options(&mut s)
}

fn assert_closed_within(stream: &mut TcpStream, limit: Duration, what: &str) -> Duration {
    match wait_for_close(stream, limit) {
        StreamEnd::Closed(after) => after,
        StreamEnd::StillOpen => panic!("{what}: still open after {limit:?}"),
    }
}

#[test]
fn silent_tcp_connection_is_closed_after_handshake_timeout() {
    let server = Server::start("", "handshake_timeout_s = 1");
    let mut silent = TcpStream::connect(server.tcp).unwrap();
    // A connection that delivered a message in time is not subject to it.
    let mut talker = TcpStream::connect(server.tcp).unwrap();
    assert_eq!(stream_options(&mut talker), Some(200));
    let after = assert_closed_within(&mut silent, Duration::from_secs(4), "silent connection");
    assert!(
        after >= Duration::from_millis(700),
        "closed after {after:?}, before the timeout"
    );
    assert_eq!(
        wait_for_close(&mut talker, Duration::from_millis(1500)),
        StreamEnd::StillOpen,
        "a connection that sent a message was closed by the handshake timeout"
    );
    assert_eq!(stream_options(&mut talker), Some(200));
}

/// 70 KB of header lines with no empty line: more than any message may be, so the framer gives
/// up and the stream is closed, long before the (30 s) handshake timeout. A stream holding an
/// ordinary incomplete head stays open, and new connections are served.
#[test]
fn endless_header_is_closed_at_the_size_limit() {
    let mut server = Server::start("", "handshake_timeout_s = 30");
    let mut partial = TcpStream::connect(server.tcp).unwrap();
    partial
        .write_all(b"OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nX-Pad: 1234\r\n")
        .unwrap();
    let mut hostile = TcpStream::connect(server.tcp).unwrap();
    hostile
        .set_write_timeout(Some(Duration::from_secs(3)))
        .unwrap();
    let mut head = b"OPTIONS sip:x@127.0.0.1 SIP/2.0\r\n".to_vec();
    while head.len() < 70 * 1024 {
        head.extend_from_slice(format!("X-Pad-{}: {}\r\n", head.len(), "a".repeat(200)).as_bytes());
    }
    // The server may close mid-write; that is the point.
    let _ = hostile.write_all(&head);
    assert_closed_within(&mut hostile, Duration::from_secs(3), "70 KB header stream");
    assert_eq!(
        wait_for_close(&mut partial, Duration::from_millis(300)),
        StreamEnd::StillOpen,
        "a short incomplete head was closed too"
    );
    let mut fresh = TcpStream::connect(server.tcp).unwrap();
    assert_eq!(stream_options(&mut fresh), Some(200));
    server.assert_running();
}

#[test]
fn absurd_content_length_closes_the_stream() {
    let server = Server::start("", "handshake_timeout_s = 30");
    let id = unique("cl");
    let local = SocketAddr::new(LOCALHOST, 5060);
    let honest = request("OPTIONS", "TCP", local, server.tcp, &id, &id, 1, "");
    // A body still to come, within limits: the stream waits for it.
    let mut waiting = TcpStream::connect(server.tcp).unwrap();
    waiting
        .write_all(
            honest
                .replace("Content-Length: 0", "Content-Length: 100")
                .as_bytes(),
        )
        .unwrap();
    let mut hostile = TcpStream::connect(server.tcp).unwrap();
    hostile
        .write_all(
            honest
                .replace("Content-Length: 0", "Content-Length: 999999999")
                .as_bytes(),
        )
        .unwrap();
    let after = assert_closed_within(
        &mut hostile,
        Duration::from_secs(3),
        "Content-Length 999999999",
    );
    assert!(
        after < Duration::from_secs(2),
        "closed only after {after:?}"
    );
    assert_eq!(
        wait_for_close(&mut waiting, Duration::from_millis(300)),
        StreamEnd::StillOpen,
        "a stream waiting for a 100-byte body was closed"
    );
    let mut fresh = TcpStream::connect(server.tcp).unwrap();
    assert_eq!(stream_options(&mut fresh), Some(200));
}

#[test]
fn connections_per_source_are_limited_at_accept() {
    let server = Server::start(
        "",
        "max_connections_per_source = 4\nhandshake_timeout_s = 30",
    );
    let mut four: Vec<TcpStream> = (0..4)
        .map(|i| {
            let mut s = TcpStream::connect(server.tcp).unwrap();
            assert_eq!(stream_options(&mut s), Some(200), "connection {i}");
            s
        })
        .collect();
    let mut fifth = TcpStream::connect(server.tcp).unwrap();
    let after = assert_closed_within(&mut fifth, Duration::from_secs(2), "5th connection");
    assert!(
        after < Duration::from_millis(700),
        "closed only after {after:?}"
    );
    // Another source has its own allowance.
    assert_eq!(tcp_served_from(loopback(2), server.tcp), Some(200));
    // The four are still served.
    for s in &mut four {
        assert_eq!(stream_options(s), Some(200));
    }
    // Closing one frees its slot.
    drop(four.pop());
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        if tcp_served_from(LOCALHOST, server.tcp) == Some(200) {
            break;
        }
        assert!(Instant::now() < deadline, "slot not freed after a close");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A small deterministic generator, so a failure can be replayed.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// 2000 garbage datagrams from 127.0.0.4: random bytes, truncated requests and requests with
/// random bytes flipped. The server stays up; 127.0.0.1 is answered 200 right after, and the
/// garbage source itself still gets an answer (200, or 503 if its garbage used up its budget).
#[test]
fn garbage_datagrams_do_not_stop_service() {
    let mut server = Server::start("", "");
    let peer = UdpPeer::bind(loopback(4));
    let mut rng = XorShift(0x5eed_1234_abcd_0001);
    let template = request(
        "INVITE",
        "UDP",
        peer.local(),
        server.udp,
        "garbage",
        "garbage",
        1,
        "Content-Type: application/sdp\r\n",
    )
    .replace(
        "Content-Length: 0\r\n\r\n",
        "Content-Length: 20\r\n\r\nv=0\r\no=- 1 1 IN IP4 x\r\n",
    );
    for i in 0..2000 {
        let datagram: Vec<u8> = match i % 3 {
            0 => (0..1 + rng.below(1400)).map(|_| rng.next() as u8).collect(),
            1 => template.as_bytes()[..rng.below(template.len())].to_vec(),
            _ => {
                let mut d = template.clone().into_bytes();
                for _ in 0..1 + rng.below(8) {
                    let at = rng.below(d.len());
                    d[at] = rng.next() as u8;
                }
                d
            }
        };
        if !datagram.is_empty() {
            peer.send(server.udp, &datagram);
        }
        if i % 20 == 0 {
            // Let the server's socket buffer drain, so the garbage is really processed.
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    assert_eq!(udp_options_status(LOCALHOST, server.udp), Some(200));
    let own = udp_options_status(loopback(4), server.udp);
    assert!(matches!(own, Some(200 | 503)), "garbage source got {own:?}");
    server.assert_running();
}

fn big_options(peer: &UdpPeer, server: SocketAddr, extra: &str) -> String {
    let id = unique("big");
    request("OPTIONS", "UDP", peer.local(), server, &id, &id, 1, extra)
}

fn answer_within(peer: &UdpPeer, server: SocketAddr, req: &str, limit: Duration) -> Option<u16> {
    peer.send(server, req.as_bytes());
    let id = common::header(req, "Call-ID").unwrap().to_owned();
    peer.response_for(&id, Instant::now() + limit)
        .and_then(|r| status_of(&r))
}

/// 60 KB datagrams (the most a UDP message can be is 64 KB): one over the per-header limit and
/// one over the header-count limit get 400/513 or silence, never a 200 or a crash; 60 KB that
/// respects every limit is served.
#[test]
fn sixty_kilobyte_datagrams_never_crash_the_server() {
    let mut server = Server::start("", "");
    let peer = UdpPeer::bind(LOCALHOST);
    let long_header = format!("X-Pad: {}\r\n", "a".repeat(60_000));
    let many_headers: String = (0..300)
        .map(|i| format!("X-Pad-{i}: {}\r\n", "b".repeat(190)))
        .collect();
    for (what, extra) in [
        ("one 60 KB header", long_header),
        ("300 headers", many_headers),
    ] {
        let req = big_options(&peer, server.udp, &extra);
        assert!(req.len() > 60_000);
        let got = answer_within(&peer, server.udp, &req, Duration::from_millis(1500));
        assert!(
            matches!(got, None | Some(400 | 513)),
            "{what}: answered {got:?}"
        );
        server.assert_running();
    }
    let within_limits: String = (0..200)
        .map(|i| format!("X-Pad-{i}: {}\r\n", "c".repeat(290)))
        .collect();
    let req = big_options(&peer, server.udp, &within_limits);
    assert!(req.len() > 60_000);
    assert_eq!(
        answer_within(&peer, server.udp, &req, Duration::from_secs(3)),
        Some(200)
    );
    assert_eq!(udp_options_status(LOCALHOST, server.udp), Some(200));
}

/// With `max_message_size = 8192`, the same valid 60 KB request is dropped unanswered, while
/// ordinary requests are served.
#[test]
fn datagram_over_max_message_size_is_dropped() {
    let server = Server::start("", "max_message_size = 8192");
    let peer = UdpPeer::bind(LOCALHOST);
    let within_limits: String = (0..200)
        .map(|i| format!("X-Pad-{i}: {}\r\n", "c".repeat(290)))
        .collect();
    let req = big_options(&peer, server.udp, &within_limits);
    assert_eq!(
        answer_within(&peer, server.udp, &req, Duration::from_millis(1500)),
        None
    );
    assert_eq!(udp_options_status(LOCALHOST, server.udp), Some(200));
}
