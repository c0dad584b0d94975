//! rtpengine ng control of `roomgate serve` over real UDP: a test of ours plays the proxy
//! (ng `offer`, `answer`, `query`, `delete` on the `[ng] listen` socket) and both endpoints
//! (two loopback RTP sockets sending through the ports of the rewritten SDP). With the
//! `libsrtp-tests` feature, the SRTP side encrypts and decrypts with Debian's libsrtp2, an
//! implementation independent of ours.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use common::{free_port, ServeOptions, Server, LOCALHOST};
use roomgate::ng::Value;
use roomgate_media::rtp::RtpBuilder;
use roomgate_sip::sdp::SessionDescription;

/// The proxy side of ng: one socket, a counter for cookies.
struct Proxy {
    socket: UdpSocket,
    to: SocketAddr,
    n: u32,
}

impl Proxy {
    fn new(to: SocketAddr) -> Proxy {
        let socket = UdpSocket::bind((LOCALHOST, 0)).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        Proxy { socket, to, n: 0 }
    }

    /// Sends `entries` as a dictionary with a fresh cookie; the answer's dictionary.
    fn call(&mut self, entries: Vec<(&str, Value)>) -> Value {
        self.n += 1;
        let cookie = format!("{}_{}", std::process::id(), self.n);
        let dict = Value::Dict(
            entries
                .into_iter()
                .map(|(k, v)| (k.as_bytes().to_vec(), v))
                .collect(),
        );
        let mut wire = format!("{cookie} ").into_bytes();
        wire.extend(dict.encode());
        self.send_raw(&wire, &cookie)
    }

    fn send_raw(&mut self, wire: &[u8], cookie: &str) -> Value {
        self.socket.send_to(wire, self.to).unwrap();
        let mut buf = vec![0u8; 65_536];
        let (n, _) = self.socket.recv_from(&mut buf).expect("an ng answer");
        let reply = &buf[..n];
        let space = reply.iter().position(|&b| b == b' ').unwrap();
        assert_eq!(&reply[..space], cookie.as_bytes(), "the cookie comes back");
        Value::decode(&reply[space + 1..]).unwrap()
    }
}

fn text(v: &str) -> Value {
    Value::bytes(v)
}

fn result(v: &Value) -> &str {
    v.get("result").and_then(Value::as_str).unwrap()
}

fn sdp_of(v: &Value) -> SessionDescription {
    assert_eq!(result(v), "ok", "{v:?}");
    SessionDescription::parse(v.get("sdp").unwrap().as_str().unwrap().as_bytes()).unwrap()
}

fn endpoint_sdp(owner: &str, port: u16, proto: &str, crypto: &str) -> String {
    format!(
        "v=0\r\no={owner} 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
m=audio {port} {proto} 0\r\na=rtpmap:0 PCMU/8000\r\n{crypto}a=sendrecv\r\n"
    )
}

fn offer(call: &str, sdp: &str, extra: Vec<(&'static str, Value)>) -> Vec<(&'static str, Value)> {
    let mut v = vec![
        ("command", text("offer")),
        ("call-id", text(call)),
        ("from-tag", text("alice-tag")),
        ("sdp", text(sdp)),
        (
            "replace",
            Value::List(vec![text("origin"), text("session-connection")]),
        ),
        ("ICE", text("remove")),
    ];
    v.extend(extra);
    v
}

fn answer(call: &str, sdp: &str) -> Vec<(&'static str, Value)> {
    vec![
        ("command", text("answer")),
        ("call-id", text(call)),
        ("from-tag", text("alice-tag")),
        ("to-tag", text("bob-tag")),
        ("sdp", text(sdp)),
    ]
}

fn rtp(seq: u16, payload: &[u8]) -> Vec<u8> {
    let b = RtpBuilder {
        marker: false,
        payload_type: 0,
        sequence_number: seq,
        timestamp: u32::from(seq) * 160,
        ssrc: 0x00ab_cdef,
        csrcs: &[],
        extension: None,
        padding: 0,
    };
    let mut out = vec![0u8; b.len(payload.len()) + 148];
    let n = b.write(payload, &mut out).unwrap();
    out.truncate(n);
    out
}

fn rtp_socket() -> UdpSocket {
    let s = UdpSocket::bind((LOCALHOST, 0)).unwrap();
    s.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    s
}

fn ng_server() -> (Server, Proxy) {
    let ng = SocketAddr::new(LOCALHOST, free_port());
    let server = Server::start_with(ServeOptions {
        extra: format!("[ng]\nlisten = \"{ng}\"\n"),
        ..ServeOptions::default()
    });
    (server, Proxy::new(ng))
}

/// Sends `packets` (already protected as the sender's leg needs) from `from` to the relay
/// port `to`, one every 20 ms, and gathers the RTP `at` receives within the time; bounded.
/// RTCP is left out (RFC 5761 §4 payload types 72-76): the relay sends its reports to the
/// far end's RTP port + 1, which the other endpoint's socket may happen to have.
fn through(from: &UdpSocket, to: u16, packets: &[Vec<u8>], at: &UdpSocket) -> Vec<Vec<u8>> {
    let mut got = Vec::new();
    let mut buf = [0u8; 2048];
    let mut take = |got: &mut Vec<Vec<u8>>| {
        if let Ok((n, _)) = at.recv_from(&mut buf) {
            let p = &buf[..n];
            if !p.get(1).is_some_and(|b| (72..=76).contains(&(b & 0x7f))) {
                got.push(p.to_vec());
            }
        }
    };
    for p in packets {
        from.send_to(p, (LOCALHOST, to)).unwrap();
        let until = Instant::now() + Duration::from_millis(20);
        while Instant::now() < until {
            take(&mut got);
        }
    }
    let until = Instant::now() + Duration::from_millis(300);
    while Instant::now() < until {
        take(&mut got);
    }
    got
}

#[test]
fn plain_calls_flow_and_are_queried_listed_and_deleted_over_ng() {
    let (_server, mut proxy) = ng_server();
    let pong = proxy.call(vec![("command", text("ping"))]);
    assert_eq!(result(&pong), "pong");

    let (alice, bob) = (rtp_socket(), rtp_socket());
    let (ap, bp) = (
        alice.local_addr().unwrap().port(),
        bob.local_addr().unwrap().port(),
    );
    let to_bob = sdp_of(&proxy.call(offer(
        "ng-plain",
        &endpoint_sdp("alice", ap, "RTP/AVP", ""),
        vec![],
    )));
    let relay_for_bob = to_bob.media[0].port;
    assert_ne!(
        relay_for_bob, ap,
        "Bob is sent the relay's port, not Alice's"
    );
    let to_alice = sdp_of(&proxy.call(answer("ng-plain", &endpoint_sdp("bob", bp, "RTP/AVP", ""))));
    let relay_for_alice = to_alice.media[0].port;

    let packets: Vec<_> = (0..10).map(|i| rtp(i, b"alice speaks")).collect();
    let heard = through(&alice, relay_for_alice, &packets, &bob);
    assert!(heard.len() >= 8, "Bob heard {} of 10", heard.len());
    assert!(heard.iter().all(|p| p.ends_with(b"alice speaks")));
    let packets: Vec<_> = (0..10).map(|i| rtp(100 + i, b"bob speaks")).collect();
    let heard = through(&bob, relay_for_bob, &packets, &alice);
    assert!(heard.len() >= 8, "Alice heard {} of 10", heard.len());

    // The relay's counters, per tag and in total.
    let q = proxy.call(vec![
        ("command", text("query")),
        ("call-id", text("ng-plain")),
    ]);
    assert_eq!(result(&q), "ok", "{q:?}");
    let alice_stats = q.get("tags").unwrap().get("alice-tag").unwrap();
    let stream = match alice_stats.get("medias").unwrap() {
        Value::List(m) => match m[0].get("streams").unwrap() {
            Value::List(s) => s[0].clone(),
            _ => panic!(),
        },
        _ => panic!(),
    };
    assert_eq!(
        stream.get("stats").unwrap().get("packets"),
        Some(&Value::Int(10))
    );
    assert_eq!(
        stream.get("endpoint").unwrap().get("port"),
        Some(&Value::Int(i64::from(ap))),
        "latched to Alice"
    );
    let totals = q.get("totals").unwrap().get("RTP").unwrap();
    assert_eq!(totals.get("packets"), Some(&Value::Int(20)));

    let l = proxy.call(vec![("command", text("list"))]);
    assert_eq!(l.get("calls"), Some(&Value::List(vec![text("ng-plain")])));

    // A retransmission (same cookie) gets the same answer, not a second offer's effect.
    let wire = {
        let mut w = b"same-cookie ".to_vec();
        w.extend(
            Value::Dict(vec![
                (b"command".to_vec(), text("offer")),
                (b"call-id".to_vec(), text("ng-retrans")),
                (b"from-tag".to_vec(), text("x")),
                (
                    b"sdp".to_vec(),
                    text(&endpoint_sdp("x", 7000, "RTP/AVP", "")),
                ),
            ])
            .encode(),
        );
        w
    };
    let first = proxy.send_raw(&wire, "same-cookie");
    let again = proxy.send_raw(&wire, "same-cookie");
    assert_eq!(
        first, again,
        "a retransmitted offer is not re-keyed or re-ported"
    );
    assert_eq!(result(&first), "ok");

    let d = proxy.call(vec![
        ("command", text("delete")),
        ("call-id", text("ng-plain")),
    ]);
    assert_eq!(result(&d), "ok");
    let heard = through(&alice, relay_for_alice, &[rtp(50, b"after delete")], &bob);
    assert!(heard.is_empty(), "nothing is relayed after delete");
    let q = proxy.call(vec![
        ("command", text("query")),
        ("call-id", text("ng-plain")),
    ]);
    assert_eq!(result(&q), "error");
    assert_eq!(
        q.get("error-reason").and_then(Value::as_str),
        Some("Unknown call-id")
    );

    // Hostile input is answered, and the service goes on.
    let bad = proxy.send_raw(b"c1 d7:command5:offer3:sdpi1ee", "c1");
    assert_eq!(result(&bad), "error");
    let bad = proxy.send_raw(b"c2 llllllllllllllllllllee", "c2");
    assert_eq!(result(&bad), "error");
    assert_eq!(result(&proxy.call(vec![("command", text("ping"))])), "pong");
}

#[test]
fn an_srtp_side_is_never_relayed_in_the_clear() {
    let (_server, mut proxy) = ng_server();
    let (alice, bob) = (rtp_socket(), rtp_socket());
    let (ap, bp) = (
        alice.local_addr().unwrap().port(),
        bob.local_addr().unwrap().port(),
    );
    let key =
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:ERERERERERERERERERERERERERERERERERERERER\r\n";
    // No transport-protocol: Bob is offered SRTP with our keys, and answers plain RTP.
    let to_bob = sdp_of(&proxy.call(offer(
        "ng-clear",
        &endpoint_sdp("alice", ap, "RTP/SAVP", key),
        vec![],
    )));
    assert_eq!(to_bob.media[0].proto.as_str(), "RTP/SAVP");
    assert!(!to_bob
        .to_bytes()
        .windows(16)
        .any(|w| w == b"ERERERERERERERER"));
    let refused = proxy.call(answer("ng-clear", &endpoint_sdp("bob", bp, "RTP/AVP", "")));
    assert_eq!(result(&refused), "error", "{refused:?}");
    let reason = refused.get("error-reason").and_then(Value::as_str).unwrap();
    assert!(reason.contains("SRTP"), "{reason}");
    // Bob's plain packets go nowhere; certainly not to Alice.
    let heard = through(
        &bob,
        to_bob.media[0].port,
        &[rtp(1, b"in the clear"), rtp(2, b"in the clear")],
        &alice,
    );
    assert!(heard.is_empty(), "{heard:?}");
}

#[cfg(feature = "libsrtp-tests")]
mod with_libsrtp {
    //! Alice speaks SDES-SRTP (AES_CM_128_HMAC_SHA1_80) through libsrtp2, with a key of the
    //! test's own; Bob speaks plain RTP (`transport-protocol` RTP/AVP toward him).
    use super::*;
    use roomgate_media_test_support::libsrtp::{LibSrtp, Profile};

    const ALICE_KEY: [u8; 30] = [0x11; 30];
    const ALICE_KEY_B64: &str = "ERERERERERERERERERERERERERERERERERERERER";

    #[test]
    fn an_sdes_srtp_side_and_a_plain_side_hear_each_other_through_the_relay() {
        let (_server, mut proxy) = ng_server();
        let (alice, bob) = (rtp_socket(), rtp_socket());
        let (ap, bp) = (
            alice.local_addr().unwrap().port(),
            bob.local_addr().unwrap().port(),
        );
        let line = format!("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{ALICE_KEY_B64}\r\n");
        let to_bob = sdp_of(&proxy.call(offer(
            "ng-srtp",
            &endpoint_sdp("alice", ap, "RTP/SAVP", &line),
            vec![("transport-protocol", text("RTP/AVP"))],
        )));
        assert_eq!(to_bob.media[0].proto.as_str(), "RTP/AVP");
        assert_eq!(to_bob.media[0].cryptos().count(), 0);
        let to_alice =
            sdp_of(&proxy.call(answer("ng-srtp", &endpoint_sdp("bob", bp, "RTP/AVP", ""))));
        let m = &to_alice.media[0];
        assert_eq!(m.proto.as_str(), "RTP/SAVP");
        let ours = m.cryptos().next().unwrap();
        assert_eq!(
            (ours.tag, ours.suite.name()),
            (1, "AES_CM_128_HMAC_SHA1_80")
        );
        let our_key = ours.key_params[0].key.expose_secret().to_vec();
        assert_ne!(our_key, ALICE_KEY.to_vec());

        // Alice → Bob: protected by libsrtp with Alice's key, heard by Bob in the clear.
        let mut tx =
            LibSrtp::new(Profile::AesCm128HmacSha1_80, &ALICE_KEY, true, 128, None).unwrap();
        let packets: Vec<_> = (0..10)
            .map(|i| {
                let mut p = rtp(i, b"alice, encrypted");
                let len = p.len();
                p.resize(len + 148, 0);
                let n = tx.protect(&mut p, len).unwrap();
                p.truncate(n);
                assert!(!p.windows(16).any(|w| w == b"alice, encrypted"));
                p
            })
            .collect();
        let heard = through(&alice, m.port, &packets, &bob);
        assert!(heard.len() >= 8, "Bob heard {} of 10", heard.len());
        for p in &heard {
            assert!(p.ends_with(b"alice, encrypted"), "{p:02x?}");
        }

        // Bob → Alice: plain from Bob, encrypted by the relay under the key of our answer,
        // which libsrtp authenticates and decrypts.
        let packets: Vec<_> = (0..10).map(|i| rtp(200 + i, b"bob, plain")).collect();
        let heard = through(&bob, to_bob.media[0].port, &packets, &alice);
        assert!(heard.len() >= 8, "Alice heard {} of 10", heard.len());
        let mut rx =
            LibSrtp::new(Profile::AesCm128HmacSha1_80, &our_key, false, 128, None).unwrap();
        for p in heard {
            assert!(
                !p.windows(10).any(|w| w == b"bob, plain"),
                "encrypted toward Alice"
            );
            let mut p = p;
            let len = p.len();
            let n = rx
                .unprotect(&mut p, len)
                .expect("libsrtp authenticates the relay's SRTP");
            assert!(p[..n].ends_with(b"bob, plain"));
        }
        let d = proxy.call(vec![
            ("command", text("delete")),
            ("call-id", text("ng-srtp")),
        ]);
        assert_eq!(result(&d), "ok");
    }
}
