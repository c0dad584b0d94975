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

use common::{free_media_range, free_port, header, status_of, unique, UdpPeer, LOCALHOST};
use roomgate::call::negotiate::{default_suites, MediaPolicy};
use roomgate::call::{MeetingRoute, StaticDirectory, Upstream};
use roomgate::config::Config;
use roomgate_media::codec::{AudioCodec, AudioDecoder, AudioEncoder, Decoder, Encoder};
use roomgate_media::rtp::{RtpBuilder, RtpPacket};
use roomgate_sip::sdp::offer_answer::SrtpPolicy;

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
fn send_tone(
    socket: Arc<UdpSocket>,
    to: SocketAddr,
    codec: AudioCodec,
    pt: u8,
    freq: f64,
    stop: Arc<AtomicBool>,
) {
    let rate = codec.pcm_rate();
    let frame = (rate / 50) as usize;
    let mut enc = Encoder::new(codec).unwrap();
    let mut payload = vec![0u8; 1500];
    let mut buf = vec![0u8; 1600];
    let start = Instant::now();
    for i in 0..150usize {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let pcm = tone(freq, rate, frame, i * frame);
        let n = enc.encode(&pcm, &mut payload).unwrap();
        let len = RtpBuilder {
            payload_type: pt,
            sequence_number: i as u16,
            timestamp: (i as u32) * codec.rtp_clock() / 50,
            ssrc: 0x1234_0000 + u32::from(pt),
            ..RtpBuilder::default()
        }
        .write(&payload[..n], &mut buf)
        .unwrap();
        let _ = socket.send_to(&buf[..len], to);
        let next = start + Duration::from_millis(20 * (i as u64 + 1));
        if let Some(d) = next.checked_duration_since(Instant::now()) {
            std::thread::sleep(d);
        }
    }
}

/// Receives RTP on `socket` for `limit`, decoding payloads of `pt` with `codec`.
fn receive_pcm(socket: &UdpSocket, codec: AudioCodec, pt: u8, limit: Duration) -> Vec<i16> {
    let mut dec = Decoder::new(codec).unwrap();
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
        let Ok(p) = RtpPacket::parse(&buf[..n]) else {
            continue;
        };
        assert_eq!(
            p.payload_type(),
            pt,
            "the leg gets its own codec's payload type"
        );
        let k = dec.decode(p.payload(), &mut pcm).unwrap();
        out.extend_from_slice(&pcm[..k]);
    }
    out
}

#[test]
fn opus_room_and_pcmu_cloud_hear_each_other_through_transcoding() {
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    // The cloud: a PCMU-only UAS on a UDP socket of ours.
    let cloud_sip = UdpSocket::bind((LOCALHOST, 0)).unwrap();
    let cloud_addr = cloud_sip.local_addr().unwrap();
    let cloud_rtp = Arc::new(UdpSocket::bind((LOCALHOST, 0)).unwrap());
    let cloud_rtp_port = cloud_rtp.local_addr().unwrap().port();
    let cloud_thread = std::thread::spawn(move || {
        let mut buf = vec![0u8; 65536];
        cloud_sip
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let (n, from) = cloud_sip
            .recv_from(&mut buf)
            .expect("INVITE reaches the cloud");
        let invite = String::from_utf8_lossy(&buf[..n]).into_owned();
        assert!(invite.starts_with("INVITE "), "{invite}");
        assert!(
            invite.contains("a=rtpmap:0 PCMU/8000"),
            "PCMU offered: {invite}"
        );
        let sdp = format!(
            "v=0\r\no=cloud 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
             m=audio {cloud_rtp_port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
        );
        let head = |name: &str| header(&invite, name).unwrap().to_owned();
        let ok = format!(
            "SIP/2.0 200 OK\r\nVia: {}\r\nFrom: {}\r\nTo: {};tag=cloud1\r\nCall-ID: {}\r\nCSeq: {}\r\n\
             Contact: <sip:cloud@{cloud_addr}>\r\nContent-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{sdp}",
            head("Via"), head("From"), head("To"), head("Call-ID"), head("CSeq"), sdp.len()
        );
        cloud_sip.send_to(ok.as_bytes(), from).unwrap();
        (invite, cloud_sip)
    });

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let port = free_port();
    let (min, max) = free_media_range(8);
    let mut config = Config::default();
    config.sip.udp = vec![SocketAddr::new(LOCALHOST, port)];
    config.sip.tcp = vec![];
    config.sip.tls_listen = vec![];
    config.media.port_min = min;
    config.media.port_max = max;
    let mut meetings = HashMap::new();
    meetings.insert(
        "3000".to_owned(),
        MeetingRoute {
            upstream: Upstream::Uri(format!("sip:meeting@{cloud_addr}")),
            policy: MediaPolicy {
                srtp: SrtpPolicy::Off,
                suites: default_suites(),
            },
            credentials: None,
        },
    );
    let (_stop, stop_rx) = tokio::sync::watch::channel(false);
    let bridge = roomgate::serve::Bridge {
        directory: Box::new(StaticDirectory(meetings)),
        echo: None,
        extra_roots: Vec::new(),
    };
    let (bound, _core) = rt
        .block_on(roomgate::serve::start_with(&config, stop_rx, Some(bridge)))
        .unwrap();
    let gw = bound.udp[0];

    // The room: Opus only.
    let room = UdpPeer::bind(LOCALHOST);
    let room_rtp = Arc::new(UdpSocket::bind((LOCALHOST, 0)).unwrap());
    let room_rtp_port = room_rtp.local_addr().unwrap().port();
    let id = unique("media");
    let sdp = format!(
        "v=0\r\no=room 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
         m=audio {room_rtp_port} RTP/AVP 109\r\na=rtpmap:109 opus/48000/2\r\n"
    );
    let local = room.local();
    let invite = format!(
        "INVITE sip:3000@{gw} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bK{id}\r\n\
         From: <sip:room@{local}>;tag=r{id}\r\nTo: <sip:3000@{gw}>\r\nCall-ID: {id}\r\nCSeq: 1 INVITE\r\n\
         Contact: <sip:room@{local}>\r\nMax-Forwards: 70\r\nContent-Type: application/sdp\r\n\
         Content-Length: {}\r\n\r\n{sdp}",
        sdp.len()
    );
    let ok = room
        .transact(gw, &invite, Duration::from_secs(10))
        .expect("room answered");
    assert_eq!(status_of(&ok), Some(200), "{ok}");
    assert!(
        ok.contains("a=rtpmap:109 opus/48000/2"),
        "the room keeps Opus: {ok}"
    );
    assert!(
        !ok.contains("PCMU"),
        "only what the relay sends the room: {ok}"
    );
    let gw_room_port = sdp_port(&ok);
    let to = header(&ok, "To").unwrap();
    let ack = format!(
        "ACK sip:roomgate@{gw} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bK{id}a\r\n\
         From: <sip:room@{local}>;tag=r{id}\r\nTo: {to}\r\nCall-ID: {id}\r\nCSeq: 1 ACK\r\n\
         Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
    );
    room.send(gw, ack.as_bytes());
    let (cloud_invite, _cloud_sip) = cloud_thread.join().unwrap();
    let gw_cloud_port = sdp_port(cloud_invite.split("\r\n\r\n").nth(1).unwrap());
    assert_ne!(gw_room_port, gw_cloud_port, "each leg has its own port");

    // Both ends talk at once for 3 s.
    let opus = AudioCodec::Opus {
        channels: 1,
        bitrate: 32_000,
    };
    let stop = Arc::new(AtomicBool::new(false));
    let room_tx = {
        let (s, stop) = (room_rtp.clone(), stop.clone());
        std::thread::spawn(move || {
            send_tone(
                s,
                SocketAddr::new(LOCALHOST, gw_room_port),
                opus,
                109,
                1000.0,
                stop,
            )
        })
    };
    let cloud_tx = {
        let (s, stop) = (cloud_rtp.clone(), stop.clone());
        std::thread::spawn(move || {
            send_tone(
                s,
                SocketAddr::new(LOCALHOST, gw_cloud_port),
                AudioCodec::Pcmu,
                0,
                600.0,
                stop,
            )
        })
    };
    let cloud_rx = {
        let s = cloud_rtp.clone();
        std::thread::spawn(move || {
            receive_pcm(&s, AudioCodec::Pcmu, 0, Duration::from_millis(2500))
        })
    };
    let heard_by_room = receive_pcm(&room_rtp, opus, 109, Duration::from_millis(2500));
    let heard_by_cloud = cloud_rx.join().unwrap();
    stop.store(true, Ordering::Relaxed);
    room_tx.join().unwrap();
    cloud_tx.join().unwrap();

    // Skip the first 200 ms (codec warm-up), then the other end's tone must dominate.
    let cloud_part = &heard_by_cloud[heard_by_cloud.len().min(1600)..];
    assert!(
        cloud_part.len() >= 8000,
        "cloud got {} samples of audio",
        cloud_part.len()
    );
    let (want, other) = (
        tone_share(cloud_part, 8000, 1000.0),
        tone_share(cloud_part, 8000, 600.0),
    );
    assert!(
        want > 0.5 && want > 10.0 * other,
        "cloud hears the room's 1 kHz: {want:.3} vs 600 Hz {other:.3}"
    );
    let room_part = &heard_by_room[heard_by_room.len().min(9600)..];
    assert!(
        room_part.len() >= 48000,
        "room got {} samples of audio",
        room_part.len()
    );
    let (want, other) = (
        tone_share(room_part, 48000, 600.0),
        tone_share(room_part, 48000, 1000.0),
    );
    assert!(
        want > 0.5 && want > 10.0 * other,
        "room hears the cloud's 600 Hz: {want:.3} vs 1 kHz {other:.3}"
    );
}
