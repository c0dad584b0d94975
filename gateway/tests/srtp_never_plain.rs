//! SRTP never fails open, with the real `roomgate serve` on its embedded defaults (meeting
//! 1001 bridged to the echo service over AEAD_AES_256_GCM) and a room played by raw UDP
//! sockets of this test.
//!
//! Every crypto line our SRTP contexts cannot apply (MKI of 17 and 128 bytes, an unknown
//! session parameter, `UNENCRYPTED_SRTP`, a 2^10 key lifetime, a key of the wrong length) is
//! offered in an initial INVITE, answered in the ACK of a delayed offer, and offered in a
//! re-INVITE. Each time the room also sends plaintext RTP at the relay, and the test checks
//! that either the call (or re-offer) was refused or nothing plaintext comes back; where a
//! second, usable line follows an unusable one, the media must be SRTP under that line's key
//! (decrypted here with our SRTP context and the keys read from the SDP on the wire).
//! A cloud upstream (sipp UAS) answering with an unusable line ends the leg: the room gets
//! 502 and the cloud a BYE. Each refusal is an `srtp_refused` security event.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::path::Path;
use std::time::{Duration, Instant};

use common::{free_port, header, status_of, unique, ServeOptions, Server, Sipp, UdpPeer};
use roomgate::call::sdes::line_policy;
use roomgate_media::srtp::{Policy, SrtpContext};
use roomgate_sip::sdp::{Crypto, CryptoSuite, KeyMaterial, MediaDescription, SessionDescription};

const WAIT: Duration = Duration::from_secs(10);
/// What a plaintext packet of the room carries: it must never come back.
const PLAIN: &[u8] = b"PLAINTEXT-MARKER";
/// What an SRTP packet of the room carries: the echo must return it, encrypted.
const SECRET: &[u8] = b"ENCRYPTED-ECHO!!";

/// The room's key for every offer (AES_CM_128: 16 key + 14 salt bytes).
fn room_key() -> KeyMaterial {
    KeyMaterial::new((1..=30).collect())
}

fn b64(key: &KeyMaterial) -> String {
    let line = Crypto::new(1, CryptoSuite::AesCm128HmacSha1_80, key.clone()).to_string();
    line.split("inline:").nth(1).unwrap().to_owned()
}

/// The unusable cases: a name and an `a=crypto` value with tag `tag` (suite AES_CM_128_80).
fn unusable(tag: u32) -> Vec<(&'static str, String)> {
    let k = b64(&room_key());
    let s = "AES_CM_128_HMAC_SHA1_80";
    let wrong_len = b64(&KeyMaterial::new((1..=46).collect()));
    vec![
        ("mki 17", format!("{tag} {s} inline:{k}|2^20|1:17")),
        ("mki 128", format!("{tag} {s} inline:{k}|2^20|1:128")),
        (
            "unknown parameter",
            format!("{tag} {s} inline:{k} FOO_PARAM=1"),
        ),
        (
            "UNENCRYPTED_SRTP",
            format!("{tag} {s} inline:{k} UNENCRYPTED_SRTP"),
        ),
        ("lifetime 2^10", format!("{tag} {s} inline:{k}|2^10")),
        ("wrong key length", format!("{tag} {s} inline:{wrong_len}")),
    ]
}

/// A usable line with the room's key.
fn usable(tag: u32) -> String {
    format!("{tag} AES_CM_128_HMAC_SHA1_80 inline:{}", b64(&room_key()))
}

fn sdp(media_port: u16, profile: &str, cryptos: &[String]) -> String {
    let mut s = format!(
        "v=0\r\no=room 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
         m=audio {media_port} {profile} 0\r\na=rtpmap:0 PCMU/8000\r\n"
    );
    for c in cryptos {
        s.push_str(&format!("a=crypto:{c}\r\n"));
    }
    s
}

fn body(msg: &str) -> &str {
    msg.split_once("\r\n\r\n").map_or("", |(_, b)| b)
}

/// The relay's address and the SDP's audio section.
fn audio_of(text: &str) -> (SocketAddr, MediaDescription) {
    let sdp = SessionDescription::parse(text.as_bytes()).unwrap();
    let m = sdp.media[0].clone();
    let addr = SocketAddr::new("127.0.0.1".parse().unwrap(), m.port);
    (addr, m)
}

/// A room on raw UDP: SIP on one socket, RTP on another.
struct Room {
    sip: UdpPeer,
    media: UdpSocket,
    gw: SocketAddr,
    meeting: String,
    id: String,
    to: Option<String>,
    cseq: u32,
    /// RTP sequence numbers go on across exchanges (the relay drops replays).
    next_seq: std::cell::Cell<u16>,
}

impl Room {
    fn new(gw: SocketAddr, meeting: &str) -> Room {
        let media = UdpSocket::bind("127.0.0.1:0").unwrap();
        media
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        Room {
            sip: UdpPeer::bind(common::LOCALHOST),
            media,
            gw,
            meeting: meeting.to_owned(),
            id: unique("srtp").replace('-', ""),
            to: None,
            cseq: 1,
            next_seq: std::cell::Cell::new(0),
        }
    }

    fn media_port(&self) -> u16 {
        self.media.local_addr().unwrap().port()
    }

    fn message(&self, method: &str, cseq: u32, content: Option<&str>) -> String {
        let local = self.sip.local();
        let (m, gw, id) = (&self.meeting, self.gw, &self.id);
        let to = self.to.clone().unwrap_or_else(|| format!("<sip:{m}@{gw}>"));
        let branch = unique("b").replace('-', "");
        let mut text = format!(
            "{method} sip:{m}@{gw} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bK{branch}\r\n\
             From: <sip:room@{local}>;tag=r{id}\r\nTo: {to}\r\nCall-ID: {id}\r\n\
             CSeq: {cseq} {method}\r\nContact: <sip:room@{local}>\r\nMax-Forwards: 70\r\n"
        );
        match content {
            Some(b) => text.push_str(&format!(
                "Content-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{b}",
                b.len()
            )),
            None => text.push_str("Content-Length: 0\r\n\r\n"),
        }
        text
    }

    /// INVITE (with `offer` or none); the final response. A 2xx is not ACKed yet.
    fn invite(&mut self, offer: Option<&str>) -> String {
        let req = self.message("INVITE", self.cseq, offer);
        let resp = self
            .sip
            .transact(self.gw, &req, WAIT)
            .expect("final response");
        if status_of(&resp) == Some(200) {
            self.to = Some(header(&resp, "To").unwrap().to_owned());
        } else {
            self.sip
                .send(self.gw, common::ack_for(&req, &resp).as_bytes());
        }
        resp
    }

    fn ack(&mut self, answer: Option<&str>) {
        let ack = self.message("ACK", self.cseq, answer);
        self.sip.send(self.gw, ack.as_bytes());
    }

    /// A re-INVITE in the dialog; its final response (ACKed).
    fn reinvite(&mut self, offer: &str) -> String {
        self.cseq += 1;
        let req = self.message("INVITE", self.cseq, Some(offer));
        let resp = self
            .sip
            .transact(self.gw, &req, WAIT)
            .expect("re-INVITE answered");
        if status_of(&resp) == Some(200) {
            self.ack(None);
        } else {
            self.sip
                .send(self.gw, common::ack_for(&req, &resp).as_bytes());
        }
        resp
    }

    fn bye(&mut self) {
        self.cseq += 1;
        let req = self.message("BYE", self.cseq, None);
        let _ = self.sip.transact(self.gw, &req, WAIT);
    }

    /// The BYE the gateway sends us within `limit` (answered 200), if any.
    fn gets_bye(&self, limit: Duration) -> Option<String> {
        let deadline = Instant::now() + limit;
        while let Some(msg) = self.sip.recv_until(deadline) {
            if msg.starts_with("BYE ") {
                let resp = format!(
                    "SIP/2.0 200 OK\r\nVia: {}\r\nFrom: {}\r\nTo: {}\r\nCall-ID: {}\r\nCSeq: {}\r\n\
                     Content-Length: 0\r\n\r\n",
                    header(&msg, "Via").unwrap(),
                    header(&msg, "From").unwrap(),
                    header(&msg, "To").unwrap(),
                    header(&msg, "Call-ID").unwrap(),
                    header(&msg, "CSeq").unwrap(),
                );
                self.sip.send(self.gw, resp.as_bytes());
                return Some(msg);
            }
        }
        None
    }

    /// Sends `count` packets to `relay` 20 ms apart — plaintext ones with [`PLAIN`], and SRTP
    /// ones with [`SECRET`] when `srtp` is given — while collecting what comes back; then
    /// listens 500 ms more.
    fn exchange(
        &self,
        relay: SocketAddr,
        mut srtp: Option<&mut SrtpContext>,
        count: u16,
    ) -> Vec<Vec<u8>> {
        let mut got = Vec::new();
        let mut buf = [0u8; 2048];
        let ssrc_plain = 0x1111_1111u32;
        let ssrc_srtp = 0x2222_2222u32;
        let first = self.next_seq.get();
        self.next_seq.set(first.wrapping_add(count));
        for seq in (0..count).map(|i| first.wrapping_add(i)) {
            let mut plain = rtp(seq, ssrc_plain, PLAIN);
            self.media.send_to(&plain, relay).unwrap();
            if let Some(ctx) = srtp.as_deref_mut() {
                plain = rtp(seq, ssrc_srtp, SECRET);
                ctx.protect_rtp_vec(&mut plain).unwrap();
                self.media.send_to(&plain, relay).unwrap();
            }
            let until = Instant::now() + Duration::from_millis(20);
            while Instant::now() < until {
                if let Ok((n, _)) = self.media.recv_from(&mut buf) {
                    got.push(buf[..n].to_vec());
                }
            }
        }
        let until = Instant::now() + Duration::from_millis(500);
        while Instant::now() < until {
            if let Ok((n, _)) = self.media.recv_from(&mut buf) {
                got.push(buf[..n].to_vec());
            }
        }
        got
    }
}

/// An RTP packet (PCMU) whose payload repeats `marker` to 160 bytes.
fn rtp(seq: u16, ssrc: u32, marker: &[u8]) -> Vec<u8> {
    let mut p = vec![0x80, 0x00];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&(u32::from(seq) * 160).to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    while p.len() < 12 + 160 {
        p.extend_from_slice(marker);
    }
    p
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// No packet carries the plaintext marker (nor the SRTP one in clear).
fn assert_nothing_plain(what: &str, got: &[Vec<u8>]) {
    for p in got {
        assert!(!contains(p, PLAIN), "{what}: plaintext RTP came back");
        assert!(
            !contains(p, SECRET),
            "{what}: the SRTP payload came back in clear"
        );
    }
}

/// Our SRTP context for `line` (the room's own key) and the room's receive context for the
/// gateway's `line` in its SDP.
fn context(line: &Crypto) -> SrtpContext {
    let p: Policy = line_policy(line).unwrap();
    SrtpContext::new(&p).unwrap()
}

/// Some packets came back, none in clear, and at least `min` authenticate under the
/// gateway's key; each of those carries the echoed SRTP payload when `exact` (pass-through;
/// a transcoded echo changes the bytes).
fn assert_srtp_echo(what: &str, got: &[Vec<u8>], gateway_line: &Crypto, min: usize, exact: bool) {
    assert_nothing_plain(what, got);
    let mut rx = context(gateway_line);
    let mut echoed = 0;
    for p in got {
        let mut v = p.clone();
        if rx.unprotect_rtp_vec(&mut v).is_ok() {
            assert!(
                !exact || contains(&v, SECRET),
                "{what}: decrypted echo is ours"
            );
            echoed += 1;
        }
    }
    assert!(
        echoed >= min,
        "{what}: {echoed} of {} packets decrypted under the gateway's key",
        got.len()
    );
}

fn security_events(dir: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join("roomgate-data").join("security.log"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["event"] == "srtp_refused")
        .collect()
}

/// Crypto line `tag` of an SDP section.
fn line_with_tag(m: &MediaDescription, tag: u32) -> Crypto {
    m.cryptos().find(|c| c.tag == tag).unwrap().clone()
}

#[test]
fn initial_offers_with_unusable_crypto_are_refused_or_take_the_usable_line() {
    let server = Server::start_with(ServeOptions::default());
    let mut refused = 0;
    for (what, line) in unusable(1) {
        let mut room = Room::new(server.udp, "1001");
        let offer = sdp(room.media_port(), "RTP/SAVP", std::slice::from_ref(&line));
        let resp = room.invite(Some(&offer));
        assert_eq!(status_of(&resp), Some(488), "{what}: {resp}");
        refused += 1;
        // Second line usable: it is the one answered, and media is SRTP under its key.
        let mut room = Room::new(server.udp, "1001");
        let offer = sdp(room.media_port(), "RTP/SAVP", &[line, usable(2)]);
        let resp = room.invite(Some(&offer));
        assert_eq!(status_of(&resp), Some(200), "{what}: {resp}");
        room.ack(None);
        let (relay, answer) = audio_of(body(&resp));
        let ours: Vec<&Crypto> = answer.cryptos().collect();
        assert_eq!(ours.len(), 1, "{what}");
        assert_eq!(ours[0].tag, 2, "{what}: the second line is answered");
        let theirs = Crypto::parse(&usable(2)).unwrap();
        let mut tx = context(&theirs);
        let got = room.exchange(relay, Some(&mut tx), 40);
        assert_srtp_echo(what, &got, ours[0], 10, true);
        room.bye();
    }
    // One event per refused offer, naming the reason; none for the fallbacks' kind alone.
    let events = security_events(server.dir.path());
    let refusals = events.iter().filter(|e| e["outcome"] == "refused").count();
    assert!(refusals >= refused - 1, "{events:?}");
    assert!(events.iter().any(|e| e["reason"] == "mki"), "{events:?}");
    assert!(
        events.iter().any(|e| e["reason"] == "lifetime"),
        "{events:?}"
    );
    assert!(events.iter().any(|e| e["reason"] == "syntax"), "{events:?}");
    assert!(
        events
            .iter()
            .any(|e| e["outcome"] == "other_line" && e["leg"] == "room"),
        "{events:?}"
    );
}

#[test]
fn best_effort_offers_with_unusable_crypto_go_plain_and_say_so() {
    // RTP/AVP with a crypto line is a best-effort offer: with the default optional room
    // policy an unusable line is answered plain — no SAVP, no crypto line — and the plain
    // media is then honestly plain on the room leg.
    let server = Server::start_with(ServeOptions::default());
    let (what, line) = unusable(1).remove(0);
    let mut room = Room::new(server.udp, "1001");
    let offer = sdp(room.media_port(), "RTP/AVP", &[line]);
    let resp = room.invite(Some(&offer));
    assert_eq!(status_of(&resp), Some(200), "{what}: {resp}");
    room.ack(None);
    let answer = body(&resp);
    assert!(answer.contains("RTP/AVP"), "{answer}");
    assert!(!answer.contains("a=crypto"), "{answer}");
    assert!(!answer.contains("SAVP"), "{answer}");
    room.bye();
    let events = security_events(server.dir.path());
    assert!(events.iter().any(|e| e["outcome"] == "plain"), "{events:?}");
}

#[test]
fn delayed_offer_answers_with_unusable_crypto_end_the_call() {
    let server = Server::start_with(ServeOptions::default());
    for (what, _) in unusable(1) {
        let mut room = Room::new(server.udp, "1001");
        let resp = room.invite(None);
        assert_eq!(status_of(&resp), Some(200), "{what}: {resp}");
        let (relay, offer) = audio_of(body(&resp));
        let tag = offer
            .cryptos()
            .find(|c| c.suite == CryptoSuite::AesCm128HmacSha1_80)
            .unwrap()
            .tag;
        let (_, line) = unusable(tag).into_iter().find(|(w, _)| *w == what).unwrap();
        let answer = sdp(room.media_port(), &offer.proto.to_string(), &[line]);
        room.ack(Some(&answer));
        let bye = room.gets_bye(WAIT);
        let reason = bye.as_deref().and_then(|b| header(b, "Reason"));
        assert!(
            reason.is_some_and(|r| r.starts_with("SIP;cause=488")),
            "{what}: the gateway hangs up saying why: {bye:?}"
        );
        let got = room.exchange(relay, None, 25);
        assert_nothing_plain(what, &got);
    }
    // Two lines in the answer, the first unusable: the usable one is applied.
    let mut room = Room::new(server.udp, "1001");
    let resp = room.invite(None);
    assert_eq!(status_of(&resp), Some(200), "{resp}");
    let (relay, offer) = audio_of(body(&resp));
    let tags: Vec<u32> = offer
        .cryptos()
        .filter(|c| {
            matches!(
                c.suite,
                CryptoSuite::AesCm128HmacSha1_80 | CryptoSuite::AesCm128HmacSha1_32
            )
        })
        .map(|c| c.tag)
        .collect();
    assert_eq!(tags.len(), 2, "{offer:?}");
    let bad = unusable(tags[1])
        .remove(0)
        .1
        .replace("HMAC_SHA1_80", "HMAC_SHA1_32");
    let answer = sdp(
        room.media_port(),
        &offer.proto.to_string(),
        &[bad, usable(tags[0])],
    );
    room.ack(Some(&answer));
    let mut tx = context(&Crypto::parse(&usable(tags[0])).unwrap());
    let got = room.exchange(relay, Some(&mut tx), 40);
    assert_srtp_echo(
        "delayed offer, second line",
        &got,
        &line_with_tag(&offer, tags[0]),
        10,
        false,
    );
    room.bye();
    let events = security_events(server.dir.path());
    assert!(
        events
            .iter()
            .filter(|e| e["outcome"] == "refused" && e["leg"] == "room")
            .count()
            >= 5,
        "{events:?}"
    );
}

#[test]
fn reinvites_with_unusable_crypto_are_refused_and_keep_the_old_keys() {
    let admin_port = free_port();
    let server = Server::start_with(ServeOptions {
        extra: format!("[admin]\nlisten = \"127.0.0.1:{admin_port}\"\n"),
        ..ServeOptions::default()
    });
    let mut room = Room::new(server.udp, "1001");
    let offer = sdp(room.media_port(), "RTP/SAVP", &[usable(1)]);
    let resp = room.invite(Some(&offer));
    assert_eq!(status_of(&resp), Some(200), "{resp}");
    room.ack(None);
    let (relay, answer) = audio_of(body(&resp));
    let gateway_line = line_with_tag(&answer, 1);
    let mut tx = context(&Crypto::parse(&usable(1)).unwrap());
    let got = room.exchange(relay, Some(&mut tx), 30);
    assert_srtp_echo("before", &got, &gateway_line, 5, true);
    for (what, line) in unusable(1) {
        for profile in ["RTP/SAVP", "RTP/AVP"] {
            let offer = sdp(room.media_port(), profile, std::slice::from_ref(&line));
            let resp = room.reinvite(&offer);
            assert_eq!(status_of(&resp), Some(488), "{what} {profile}: {resp}");
            // The call still runs on the old keys, and nothing plaintext comes back.
            let got = room.exchange(relay, Some(&mut tx), 15);
            assert_srtp_echo(what, &got, &gateway_line, 1, true);
        }
    }
    // A re-offer whose first line is unusable and second usable (a new key) is taken.
    let new_key = KeyMaterial::new((101..=130).collect());
    let second = format!("2 AES_CM_128_HMAC_SHA1_80 inline:{}", b64(&new_key));
    let (_, bad) = unusable(1).remove(0);
    let offer = sdp(room.media_port(), "RTP/SAVP", &[bad, second.clone()]);
    let resp = room.reinvite(&offer);
    assert_eq!(status_of(&resp), Some(200), "{resp}");
    let (relay, answer) = audio_of(body(&resp));
    let ours = answer.cryptos().next().unwrap().clone();
    assert_eq!(ours.tag, 2);
    let mut tx = context(&Crypto::parse(&second).unwrap());
    let got = room.exchange(relay, Some(&mut tx), 30);
    assert_srtp_echo("re-keyed", &got, &ours, 5, true);
    room.bye();
    // One event and one count per refused re-offer: 6 cases, each as SAVP and as AVP.
    let events = security_events(server.dir.path());
    let refused = events.iter().filter(|e| e["outcome"] == "refused").count();
    assert_eq!(refused, 12, "{events:?}");
    let metrics = admin_get(&server, admin_port, "/metrics");
    assert!(
        metrics
            .lines()
            .any(|l| l == "roomgate_srtp_refused_total 12"),
        "{metrics}"
    );
}

/// A GET on the admin API with the server's bearer token; the response body (200 only).
fn admin_get(server: &Server, port: u16, path: &str) -> String {
    let (status, body) = common::admin_get(server, port, path);
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    body
}

#[test]
fn a_cloud_answer_with_unusable_crypto_ends_that_leg() {
    let server = Server::start_with(ServeOptions::default());
    let dir = common::TempDir::new("cloud");
    for (what, answer_line) in [
        ("mki 20", "AES_CM_128_HMAC_SHA1_80 inline:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e|2^20|1:20"),
        ("UNENCRYPTED_SRTP", "AES_CM_128_HMAC_SHA1_80 inline:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e UNENCRYPTED_SRTP"),
        ("plain answer", ""),
    ] {
        let scenario = dir.join(&format!("cloud_{}.xml", what.replace(' ', "_")));
        std::fs::write(&scenario, cloud_scenario(answer_line)).unwrap();
        let uas_port = free_port();
        let meeting = format!("7{}", uas_port);
        let added = std::process::Command::new(env!("CARGO_BIN_EXE_roomgate"))
            .args(["meeting", "add", &meeting, "--upstream"])
            .arg(format!("sip:cloud@127.0.0.1:{uas_port}"))
            .args(["--srtp", "mandatory", "--data-dir"])
            .arg(server.dir.join("roomgate-data"))
            .output()
            .unwrap();
        assert!(added.status.success(), "{added:?}");
        let uas = Sipp::uas(scenario.to_str().unwrap(), uas_port)
            .args(&["-m", "1"])
            .spawn();
        std::thread::sleep(Duration::from_millis(300));
        let mut room = Room::new(server.udp, &meeting);
        let offer = sdp(room.media_port(), "RTP/SAVP", &[usable(1)]);
        let resp = room.invite(Some(&offer));
        assert_eq!(status_of(&resp), Some(502), "{what}: {resp}");
        // The cloud got its ACK and then a BYE: its scenario completes.
        uas.wait(Duration::from_secs(20)).assert_success();
    }
    let events = security_events(server.dir.path());
    assert_eq!(
        events
            .iter()
            .filter(|e| e["leg"] == "cloud" && e["outcome"] == "refused")
            .count(),
        3,
        "{events:?}"
    );
    assert!(
        events.iter().any(|e| e["reason"] == "missing"),
        "{events:?}"
    );
}

/// A cloud meeting UAS answering SAVP with `line` on tag 4 (our AES_CM_128_HMAC_SHA1_80 line;
/// empty: a plain `RTP/AVP` answer), then expecting ACK and BYE.
fn cloud_scenario(line: &str) -> String {
    let media = if line.is_empty() {
        "m=audio [media_port] RTP/AVP 0\na=rtpmap:0 PCMU/8000".to_owned()
    } else {
        format!("m=audio [media_port] RTP/SAVP 0\na=rtpmap:0 PCMU/8000\na=crypto:4 {line}")
    };
    format!(
        r#"<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="cloud with unusable SRTP">
  <recv request="INVITE" crlf="true"/>
  <send retrans="500">
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:cloud@[local_ip]:[local_port];transport=[transport]>
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=cloud 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      {media}

    ]]>
  </send>
  <recv request="ACK"/>
  <recv request="BYE">
    <action>
      <ereg regexp="Reason: SIP;cause=488" search_in="msg" check_it="true" assign_to="1"/>
    </action>
  </recv>
  <send>
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
  <Reference variables="1"/>
</scenario>
"#
    )
}
