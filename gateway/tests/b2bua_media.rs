//! Media through the B2BUA: a room that speaks only Opus bridged to a cloud that speaks only
//! PCMU. Both ends are real UDP endpoints of this test (SIP by hand, RTP encoded with the
//! codec adapters); each end sends its own tone and the test finds the *other* end's tone
//! frequency in what it receives, so transcoding in both directions is proven, not just
//! that packets flowed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::HashMap;
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{header, status_of, unique, UdpPeer, LOCALHOST};
use roomgate::call::MeetingRoute;
use roomgate_media::codec::{AudioCodec, AudioDecoder, AudioEncoder, Decoder, Encoder};
use roomgate_media::dtmf::TelephoneEvent;
use roomgate_media::rtp::{RtpBuilder, RtpPacket};
use roomgate_media::srtp::{Policy, SrtpContext, Suite};

/// An SRTP implementation at a test endpoint: ours, or libsrtp (an independent one).
trait Srtp: Send {
    fn protect(&mut self, buf: &mut [u8], len: usize) -> usize;
    fn unprotect(&mut self, buf: &mut [u8], len: usize) -> usize;
}

impl Srtp for SrtpContext {
    fn protect(&mut self, buf: &mut [u8], len: usize) -> usize {
        self.protect_rtp(buf, len).unwrap()
    }
    fn unprotect(&mut self, buf: &mut [u8], len: usize) -> usize {
        self.unprotect_rtp(&mut buf[..len])
            .expect("SRTP packet authenticates")
    }
}

type Crypt = Option<Box<dyn Srtp>>;
use common::inproc::{route, Gateway};
use roomgate_sip::sdp::offer_answer::SrtpPolicy;
use roomgate_sip::sdp::{Crypto, CryptoSuite, KeyMaterial, SessionDescription};

/// Relative power of `freq` in `samples` (Goertzel), normalised by total energy.
fn tone_share(samples: &[i16], rate: u32, freq: f64) -> f64 {
    let w = 2.0 * std::f64::consts::PI * freq / f64::from(rate);
    let coeff = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    let mut energy = 0.0f64;
    for &x in samples {
        let x = f64::from(x);
        energy += x * x;
        let s0 = x + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    let power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    if energy == 0.0 {
        return 0.0;
    }
    power / (energy * samples.len() as f64 / 2.0)
}

fn tone(freq: f64, rate: u32, n: usize, start: usize) -> Vec<i16> {
    (0..n)
        .map(|i| {
            let t = (start + i) as f64 / f64::from(rate);
            (8000.0 * (2.0 * std::f64::consts::PI * freq * t).sin()) as i16
        })
        .collect()
}

fn sdp_port(msg: &str) -> u16 {
    let line = msg
        .lines()
        .find(|l| l.starts_with("m=audio "))
        .unwrap_or_else(|| panic!("no audio m-line in {msg}"));
    line.split(' ').nth(1).unwrap().parse().unwrap()
}

/// Sends `packets` 20 ms packets of `freq` Hz encoded with `codec` from `socket` to `to`,
/// paced in real time, while `stop` is unset.
#[allow(clippy::too_many_arguments)]
fn send_tone(
    socket: Arc<UdpSocket>,
    to: SocketAddr,
    codec: AudioCodec,
    pt: u8,
    freq: f64,
    stop: Arc<AtomicBool>,
    mut srtp: Crypt,
    dtmf: bool,
) {
    let rate = codec.pcm_rate();
    let frame = (rate / 50) as usize;
    let mut enc = Encoder::new(codec).unwrap();
    let mut payload = vec![0u8; 1500];
    let mut buf = vec![0u8; 1600];
    let start = Instant::now();
    let mut seq: u16 = 0;
    for i in 0..150usize {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        // With `dtmf`, frames 50-54 carry digit 5 as RFC 4733 instead of audio: updates at
        // the event's start timestamp, then three end packets (RFC 4733 §2.5.1.4).
        let digit = dtmf && (50..55).contains(&i);
        let (pt, n, ts, copies) = if digit {
            let k = i - 49;
            let ev = TelephoneEvent {
                event: DIGIT,
                end: k == 5,
                volume: 10,
                duration: (k * 160) as u16,
            };
            payload[..4].copy_from_slice(&ev.to_bytes());
            (
                TELEPHONE_EVENT,
                4,
                50 * codec.rtp_clock() / 50,
                if k == 5 { 3 } else { 1 },
            )
        } else {
            let pcm = tone(freq, rate, frame, i * frame);
            let n = enc.encode(&pcm, &mut payload).unwrap();
            (pt, n, (i as u32) * codec.rtp_clock() / 50, 1)
        };
        for _ in 0..copies {
            let len = RtpBuilder {
                marker: digit && i == 50,
                payload_type: pt,
                sequence_number: seq,
                timestamp: ts,
                ssrc: 0x1234_0000,
                ..RtpBuilder::default()
            }
            .write(&payload[..n], &mut buf)
            .unwrap();
            seq = seq.wrapping_add(1);
            let len = match srtp.as_mut() {
                Some(ctx) => ctx.protect(&mut buf, len),
                None => len,
            };
            let _ = socket.send_to(&buf[..len], to);
        }
        let next = start + Duration::from_millis(20 * (i as u64 + 1));
        if let Some(d) = next.checked_duration_since(Instant::now()) {
            std::thread::sleep(d);
        }
    }
}

/// Receives RTP on `socket` for `limit`, decoding payloads of `pt` with `codec`.
fn receive_pcm(
    socket: &UdpSocket,
    codec: AudioCodec,
    pt: u8,
    limit: Duration,
    mut srtp: Crypt,
) -> Heard {
    let mut dec = Decoder::new(codec).unwrap();
    let mut events = Vec::new();
    let mut out = Vec::new();
    let mut pcm = vec![0i16; 5760];
    let mut buf = vec![0u8; 2048];
    let deadline = Instant::now() + limit;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        socket
            .set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .unwrap();
        let Ok((n, _)) = socket.recv_from(&mut buf) else {
            break;
        };
        let n = match srtp.as_mut() {
            // Every packet must authenticate with the key this leg negotiated.
            Some(ctx) => ctx.unprotect(&mut buf, n),
            None => n,
        };
        let Ok(p) = RtpPacket::parse(&buf[..n]) else {
            continue;
        };
        if p.payload_type() == TELEPHONE_EVENT {
            events.push(TelephoneEvent::parse(p.payload()).unwrap());
            continue;
        }
        assert_eq!(
            p.payload_type(),
            pt,
            "the leg gets its own codec's payload type"
        );
        let k = dec.decode(p.payload(), &mut pcm).unwrap();
        out.extend_from_slice(&pcm[..k]);
    }
    Heard { pcm: out, events }
}

/// What an endpoint received: decoded audio and RFC 4733 events.
struct Heard {
    pcm: Vec<i16>,
    events: Vec<TelephoneEvent>,
}

/// telephone-event payload type at both test endpoints.
const TELEPHONE_EVENT: u8 = 101;
/// The digit a talking endpoint sends 1 s in, when asked (RFC 4733 event 5).
const DIGIT: u8 = 5;

fn start_gateway(meeting: &str, route: MeetingRoute) -> Gateway {
    let mut meetings = HashMap::new();
    meetings.insert(meeting.to_owned(), route);
    Gateway::start_routes(meetings, |_| {})
}

/// A one-call cloud UAS on UDP: answers the INVITE with the SDP `answer(invite)` makes.
fn cloud_uas(
    answer: impl FnOnce(&str) -> String + Send + 'static,
) -> (SocketAddr, std::thread::JoinHandle<String>) {
    let sip = UdpSocket::bind((LOCALHOST, 0)).unwrap();
    let addr = sip.local_addr().unwrap();
    let handle = std::thread::spawn(move || {
        let mut buf = vec![0u8; 65536];
        sip.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let (n, from) = sip.recv_from(&mut buf).expect("INVITE reaches the cloud");
        let invite = String::from_utf8_lossy(&buf[..n]).into_owned();
        assert!(invite.starts_with("INVITE "), "{invite}");
        let sdp = answer(&invite);
        let head = |name: &str| header(&invite, name).unwrap().to_owned();
        let ok = format!(
            "SIP/2.0 200 OK\r\nVia: {}\r\nFrom: {}\r\nTo: {};tag=cloud1\r\nCall-ID: {}\r\nCSeq: {}\r\n\
             Contact: <sip:cloud@{addr}>\r\nContent-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{sdp}",
            head("Via"),
            head("From"),
            head("To"),
            head("Call-ID"),
            head("CSeq"),
            sdp.len()
        );
        sip.send_to(ok.as_bytes(), from).unwrap();
        invite
    });
    (addr, handle)
}

/// The room's INVITE with `sdp`, its 200 and ACK; returns the 200.
fn room_call(gw: SocketAddr, room: &UdpPeer, meeting: &str, sdp: &str) -> String {
    let id = unique("media");
    let local = room.local();
    let invite = format!(
        "INVITE sip:{meeting}@{gw} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bK{id}\r\n\
         From: <sip:room@{local}>;tag=r{id}\r\nTo: <sip:{meeting}@{gw}>\r\nCall-ID: {id}\r\nCSeq: 1 INVITE\r\n\
         Contact: <sip:room@{local}>\r\nMax-Forwards: 70\r\nContent-Type: application/sdp\r\n\
         Content-Length: {}\r\n\r\n{sdp}",
        sdp.len()
    );
    let ok = room
        .transact(gw, &invite, Duration::from_secs(10))
        .expect("room answered");
    assert_eq!(status_of(&ok), Some(200), "{ok}");
    let to = header(&ok, "To").unwrap();
    let ack = format!(
        "ACK sip:roomgate@{gw} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bK{id}a\r\n\
         From: <sip:room@{local}>;tag=r{id}\r\nTo: {to}\r\nCall-ID: {id}\r\nCSeq: 1 ACK\r\n\
         Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
    );
    room.send(gw, ack.as_bytes());
    ok
}

fn body(msg: &str) -> &str {
    msg.split("\r\n\r\n").nth(1).unwrap()
}

/// One direction's audio: who sends what to where, who receives it with what.
struct Talk {
    codec: AudioCodec,
    pt: u8,
    freq: f64,
    tx: Crypt,
    /// Send digit 5 as RFC 4733, 1 s in.
    dtmf: bool,
}

/// Both ends talk at once for 3 s; returns (what the room heard, what the cloud heard).
#[allow(clippy::too_many_arguments)]
fn converse(
    room_rtp: &Arc<UdpSocket>,
    gw_room: SocketAddr,
    room_talk: Talk,
    room_rx: Crypt,
    cloud_rtp: &Arc<UdpSocket>,
    gw_cloud: SocketAddr,
    cloud_talk: Talk,
    cloud_rx: Crypt,
) -> (Heard, Heard) {
    let stop = Arc::new(AtomicBool::new(false));
    let (rc, rp) = (room_talk.codec, room_talk.pt);
    let (cc, cp) = (cloud_talk.codec, cloud_talk.pt);
    let room_tx = {
        let (s, stop) = (room_rtp.clone(), stop.clone());
        std::thread::spawn(move || {
            send_tone(
                s,
                gw_room,
                rc,
                rp,
                room_talk.freq,
                stop,
                room_talk.tx,
                room_talk.dtmf,
            )
        })
    };
    let cloud_tx = {
        let (s, stop) = (cloud_rtp.clone(), stop.clone());
        std::thread::spawn(move || {
            send_tone(
                s,
                gw_cloud,
                cc,
                cp,
                cloud_talk.freq,
                stop,
                cloud_talk.tx,
                cloud_talk.dtmf,
            )
        })
    };
    let cloud_rx_thread = {
        let s = cloud_rtp.clone();
        std::thread::spawn(move || receive_pcm(&s, cc, cp, Duration::from_millis(2500), cloud_rx))
    };
    let heard_by_room = receive_pcm(room_rtp, rc, rp, Duration::from_millis(2500), room_rx);
    let heard_by_cloud = cloud_rx_thread.join().unwrap();
    stop.store(true, Ordering::Relaxed);
    room_tx.join().unwrap();
    cloud_tx.join().unwrap();
    (heard_by_room, heard_by_cloud)
}

/// After a 200 ms warm-up, `freq` must dominate and `other` be absent.
fn assert_hears(who: &str, pcm: &[i16], rate: u32, freq: f64, other: f64) {
    let skip = (rate / 5) as usize;
    let part = &pcm[pcm.len().min(skip)..];
    assert!(
        part.len() >= rate as usize,
        "{who} got only {} samples of audio",
        part.len()
    );
    let (want, not) = (tone_share(part, rate, freq), tone_share(part, rate, other));
    assert!(
        want > 0.5 && want > 10.0 * not,
        "{who} hears {freq} Hz: share {want:.3}, {other} Hz share {not:.3}"
    );
}

fn plain_route(cloud: SocketAddr, srtp: SrtpPolicy) -> MeetingRoute {
    route(&format!("sip:meeting@{cloud}"), srtp)
}

/// An `a=crypto` line with `key` (key || salt).
fn crypto_line(tag: u32, suite: &str, key: &[u8]) -> String {
    let (suite, legacy) = CryptoSuite::parse(suite);
    let mut c = Crypto::new(tag, suite, KeyMaterial::new(key.to_vec()));
    c.legacy_spelling = legacy;
    format!("a=crypto:{c}\r\n")
}

/// The tag of an `a=crypto:` line.
fn first_tag(line: &str) -> String {
    line.trim_start_matches("a=crypto:")
        .split(' ')
        .next()
        .unwrap()
        .to_owned()
}

/// The inline key text of the first crypto line of `sdp`.
fn key_text(sdp: &str) -> String {
    let after = sdp.split("inline:").nth(1).unwrap();
    after.split(['\r', '|', ' ']).next().unwrap().to_owned()
}

/// A PCMU-only RTP/SAVP body on `port` with one crypto line (an offer or an answer: the
/// shape is the same).
fn savp_pcmu(owner: &str, port: u16, crypto: &str) -> String {
    format!(
        "v=0\r\no={owner} 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
         m=audio {port} RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n{crypto}"
    )
}

fn savp_pcmu_offer(port: u16, tag: u32, suite: &str, key: &[u8]) -> String {
    savp_pcmu("room", port, &crypto_line(tag, suite, key))
}

fn savp_pcmu_answer(port: u16, tag: &str, suite: &str, key: &[u8]) -> String {
    savp_pcmu(
        "cloud",
        port,
        &crypto_line(tag.parse().unwrap(), suite, key),
    )
}

/// The SRTP context for the key of the crypto line with `suite` in `sdp`'s audio stream.
fn context_for(sdp: &str, suite: &str) -> (u32, SrtpContext) {
    let parsed = SessionDescription::parse(sdp.as_bytes()).unwrap();
    let c = parsed.media[0]
        .cryptos()
        .find(|c| c.suite.name() == suite)
        .unwrap_or_else(|| panic!("no {suite} line in {sdp}"));
    let s = Suite::from_name(suite).unwrap();
    let key = c.key_params[0].key.expose_secret();
    let policy = Policy::new(
        s,
        &key[..s.master_key_len()],
        &key[s.master_key_len()..s.master_key_len() + s.master_salt_len()],
    );
    (c.tag, SrtpContext::new(&policy).unwrap())
}

fn new_policy(suite: Suite, seed: u8) -> (Vec<u8>, SrtpContext) {
    let bytes: Vec<u8> = (0..suite.master_key_len() + suite.master_salt_len())
        .map(|i| (i as u8).wrapping_mul(31) ^ seed)
        .collect();
    let p = Policy::new(
        suite,
        &bytes[..suite.master_key_len()],
        &bytes[suite.master_key_len()..],
    );
    (bytes, SrtpContext::new(&p).unwrap())
}

#[test]
fn opus_room_and_pcmu_cloud_hear_each_other_through_transcoding() {
    let cloud_rtp = Arc::new(UdpSocket::bind((LOCALHOST, 0)).unwrap());
    let cloud_port = cloud_rtp.local_addr().unwrap().port();
    let (cloud_addr, cloud) = cloud_uas(move |invite| {
        assert!(
            invite.contains("a=rtpmap:0 PCMU/8000"),
            "PCMU offered: {invite}"
        );
        format!(
            "v=0\r\no=cloud 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
             m=audio {cloud_port} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n\
             a=rtpmap:101 telephone-event/8000\r\n"
        )
    });
    let gw = start_gateway("3000", plain_route(cloud_addr, SrtpPolicy::Off));
    let room = UdpPeer::bind(LOCALHOST);
    let room_rtp = Arc::new(UdpSocket::bind((LOCALHOST, 0)).unwrap());
    let room_port = room_rtp.local_addr().unwrap().port();
    let sdp = format!(
        "v=0\r\no=room 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
         m=audio {room_port} RTP/AVP 109 101\r\na=rtpmap:109 opus/48000/2\r\n\
         a=rtpmap:101 telephone-event/8000\r\n"
    );
    let ok = room_call(gw.udp, &room, "3000", &sdp);
    assert!(
        ok.contains("a=rtpmap:109 opus/48000/2"),
        "the room keeps Opus: {ok}"
    );
    assert!(
        !ok.contains("PCMU"),
        "only what the relay sends the room: {ok}"
    );
    let invite = cloud.join().unwrap();
    let (gw_room, gw_cloud) = (sdp_port(body(&ok)), sdp_port(body(&invite)));
    assert_ne!(gw_room, gw_cloud, "each leg has its own port");
    let opus = AudioCodec::Opus {
        channels: 1,
        bitrate: 32_000,
    };
    let (room_heard, cloud_heard) = converse(
        &room_rtp,
        SocketAddr::new(LOCALHOST, gw_room),
        Talk {
            codec: opus,
            pt: 109,
            freq: 1000.0,
            tx: None,
            dtmf: true,
        },
        None,
        &cloud_rtp,
        SocketAddr::new(LOCALHOST, gw_cloud),
        Talk {
            codec: AudioCodec::Pcmu,
            pt: 0,
            freq: 600.0,
            tx: None,
            dtmf: false,
        },
        None,
    );
    assert_hears("cloud", &cloud_heard.pcm, 8000, 1000.0, 600.0);
    assert_hears("room", &room_heard.pcm, 48000, 600.0, 1000.0);
    // The room's digit could not pass as packets (the audio is transcoded): the relay took
    // it out and the gateway sent it on to the cloud as RFC 4733 events of its own.
    let events = &cloud_heard.events;
    assert!(
        events.iter().all(|e| e.event == DIGIT),
        "only the digit sent: {events:?}"
    );
    assert!(
        events.iter().filter(|e| e.end).count() >= 3,
        "the event ends, three end packets: {events:?}"
    );
    assert!(room_heard.events.is_empty(), "nothing echoed back");
}

#[test]
fn srtp_aes128_room_is_reencrypted_to_aes256_gcm_toward_the_cloud() {
    let cloud_rtp = Arc::new(UdpSocket::bind((LOCALHOST, 0)).unwrap());
    let cloud_port = cloud_rtp.local_addr().unwrap().port();
    let (cloud_key, cloud_tx) = new_policy(Suite::AeadAes256Gcm, 0x5a);
    let (cloud_addr, cloud) = cloud_uas(move |invite| {
        // The gateway offers AES-256 first toward the cloud, on RTP/SAVP (mandatory).
        let sdp = body(invite);
        assert!(
            sdp.contains("m=audio ") && sdp.contains("RTP/SAVP"),
            "{sdp}"
        );
        let first = sdp.lines().find(|l| l.starts_with("a=crypto:")).unwrap();
        assert!(
            first.contains("AEAD_AES_256_GCM"),
            "AES-256 GCM first: {first}"
        );
        savp_pcmu_answer(
            cloud_port,
            &first_tag(first),
            "AEAD_AES_256_GCM",
            &cloud_key,
        )
    });
    let gw = start_gateway("3001", plain_route(cloud_addr, SrtpPolicy::Mandatory));
    let room = UdpPeer::bind(LOCALHOST);
    let room_rtp = Arc::new(UdpSocket::bind((LOCALHOST, 0)).unwrap());
    let room_port = room_rtp.local_addr().unwrap().port();
    let (room_key, room_tx) = new_policy(Suite::AesCm128HmacSha1_80, 0x33);
    let sdp = savp_pcmu_offer(room_port, 7, "AES_CM_128_HMAC_SHA1_80", &room_key);
    let room_key_text = key_text(&sdp);
    let ok = room_call(gw.udp, &room, "3001", &sdp);
    let invite = cloud.join().unwrap();
    // The room's answer: its suite and tag, a key of the gateway's own.
    let (tag, room_rx) = context_for(body(&ok), "AES_CM_128_HMAC_SHA1_80");
    assert_eq!(tag, 7);
    assert!(
        !body(&ok).contains(&room_key_text),
        "the gateway never echoes a key"
    );
    assert!(
        !body(&invite).contains(&room_key_text),
        "keys never cross legs"
    );
    let (_, cloud_rx) = context_for(body(&invite), "AEAD_AES_256_GCM");
    let (room_heard, cloud_heard) = converse(
        &room_rtp,
        SocketAddr::new(LOCALHOST, sdp_port(body(&ok))),
        Talk {
            codec: AudioCodec::Pcmu,
            pt: 0,
            freq: 1000.0,
            tx: Some(Box::new(room_tx)),
            dtmf: false,
        },
        Some(Box::new(room_rx)),
        &cloud_rtp,
        SocketAddr::new(LOCALHOST, sdp_port(body(&invite))),
        Talk {
            codec: AudioCodec::Pcmu,
            pt: 0,
            freq: 600.0,
            tx: Some(Box::new(cloud_tx)),
            dtmf: false,
        },
        Some(Box::new(cloud_rx)),
    );
    assert_hears(
        "cloud (AEAD_AES_256_GCM)",
        &cloud_heard.pcm,
        8000,
        1000.0,
        600.0,
    );
    assert_hears(
        "room (AES_CM_128_HMAC_SHA1_80)",
        &room_heard.pcm,
        8000,
        600.0,
        1000.0,
    );
}

#[cfg(feature = "libsrtp-tests")]
mod with_libsrtp {
    //! AES_256_CM_HMAC_SHA1_80 on both legs, the far ends running Debian's libsrtp2 (baresip
    //! cannot do this suite): an independent SRTP implementation has to agree with ours.
    use super::*;
    use roomgate_media_test_support::libsrtp::{LibSrtp, Profile};

    impl Srtp for LibSrtp {
        fn protect(&mut self, buf: &mut [u8], len: usize) -> usize {
            LibSrtp::protect(self, buf, len).unwrap()
        }
        fn unprotect(&mut self, buf: &mut [u8], len: usize) -> usize {
            LibSrtp::unprotect(self, buf, len).expect("libsrtp authenticates the packet")
        }
    }

    fn lib(key: &[u8], outbound: bool) -> Box<dyn Srtp> {
        Box::new(LibSrtp::new(Profile::AesCm256HmacSha1_80, key, outbound, 128, None).unwrap())
    }

    fn key_of(sdp: &str) -> Vec<u8> {
        let parsed = SessionDescription::parse(sdp.as_bytes()).unwrap();
        let c = parsed.media[0].cryptos().next().unwrap();
        assert_eq!(c.suite.name(), "AES_256_CM_HMAC_SHA1_80");
        c.key_params[0].key.expose_secret().to_vec()
    }

    #[test]
    fn aes_256_cm_legs_interoperate_with_libsrtp_on_both_ends() {
        let cloud_rtp = Arc::new(UdpSocket::bind((LOCALHOST, 0)).unwrap());
        let cloud_port = cloud_rtp.local_addr().unwrap().port();
        let (cloud_key, _) = new_policy(Suite::AesCm256HmacSha1_80, 0x71);
        let answer_key = cloud_key.clone();
        let (cloud_addr, cloud) = cloud_uas(move |invite| {
            let sdp = body(invite);
            let line = sdp
                .lines()
                .find(|l| l.contains("AES_256_CM_HMAC_SHA1_80"))
                .unwrap_or_else(|| panic!("AES_256_CM_HMAC_SHA1_80 offered: {sdp}"));
            savp_pcmu_answer(
                cloud_port,
                &first_tag(line),
                "AES_256_CM_HMAC_SHA1_80",
                &answer_key,
            )
        });
        let gw = start_gateway("3002", plain_route(cloud_addr, SrtpPolicy::Mandatory));
        let room = UdpPeer::bind(LOCALHOST);
        let room_rtp = Arc::new(UdpSocket::bind((LOCALHOST, 0)).unwrap());
        let room_port = room_rtp.local_addr().unwrap().port();
        let (room_key, _) = new_policy(Suite::AesCm256HmacSha1_80, 0x19);
        // The legacy spelling some room systems send; the answer must keep it.
        let sdp = savp_pcmu_offer(room_port, 3, "AES_CM_256_HMAC_SHA1_80", &room_key);
        let ok = room_call(gw.udp, &room, "3002", &sdp);
        assert!(
            body(&ok).contains("a=crypto:3 AES_CM_256_HMAC_SHA1_80 inline:"),
            "{ok}"
        );
        let invite = cloud.join().unwrap();
        let (room_heard, cloud_heard) = converse(
            &room_rtp,
            SocketAddr::new(LOCALHOST, sdp_port(body(&ok))),
            Talk {
                codec: AudioCodec::Pcmu,
                pt: 0,
                freq: 1000.0,
                tx: Some(lib(&room_key, true)),
                dtmf: false,
            },
            Some(lib(&key_of(body(&ok)), false)),
            &cloud_rtp,
            SocketAddr::new(LOCALHOST, sdp_port(body(&invite))),
            Talk {
                codec: AudioCodec::Pcmu,
                pt: 0,
                freq: 600.0,
                tx: Some(lib(&cloud_key, true)),
                dtmf: false,
            },
            Some({
                // Our key toward the cloud: the offered line the cloud picked.
                let parsed = SessionDescription::parse(body(&invite).as_bytes()).unwrap();
                let c = parsed.media[0]
                    .cryptos()
                    .find(|c| c.suite.name() == "AES_256_CM_HMAC_SHA1_80")
                    .unwrap();
                lib(c.key_params[0].key.expose_secret(), false)
            }),
        );
        assert_hears("libsrtp cloud", &cloud_heard.pcm, 8000, 1000.0, 600.0);
        assert_hears("libsrtp room", &room_heard.pcm, 8000, 600.0, 1000.0);
    }
}
