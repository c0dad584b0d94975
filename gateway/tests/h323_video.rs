//! H.264 main video over H.323 between two Roomgates, end to end: instance A's meeting 2000
//! has as upstream `h323:1001@` instance B's H.323 listener, and B's meeting 1001 is the
//! built-in echo over SIP/TLS with SRTP. A SIP room (raw UDP sockets of the test) calls A's
//! meeting with PCMU and H.264 constrained baseline (packetization mode 1) made by openh264
//! here; the video goes room → A → H.323 (fastStart, plain RTP) → B → SRTP echo → B → A →
//! room. What comes back must decode, and every NAL unit must be byte-identical to one the
//! room sent, in order: both gateways passed the video through, re-encrypting it toward the
//! echo and back, and never transcoded it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use common::{header, status_of, ServeOptions, Server, UdpPeer, LOCALHOST};
use roomgate_media::codec::video::{H264Decoder, H264Encoder, H264EncoderConfig, I420};
use roomgate_media::h264::{annexb_nals, Depacketizer, DepacketizerOutput, Packetizer};

const W: usize = 320;
const H: usize = 240;
/// Frames the room sends (at 25 per second) and the keyframe interval among them.
const FRAMES: usize = 75;
const IDR_EVERY: usize = 25;
/// The payload type the room offers H.264 on.
const ROOM_PT: u8 = 96;
const SSRC: u32 = 0x2640_0264;

/// A moving diagonal gradient with a moving chroma tint.
fn picture(frame: usize) -> Vec<u8> {
    let mut buf = vec![0u8; W * H * 3 / 2];
    let (y, uv) = buf.split_at_mut(W * H);
    for r in 0..H {
        for c in 0..W {
            y[r * W + c] = ((r + c + 3 * frame) % 256) as u8;
        }
    }
    let (u, v) = uv.split_at_mut(W * H / 4);
    for r in 0..H / 2 {
        for c in 0..W / 2 {
            u[r * W / 2 + c] = (128 + (c + frame) % 64) as u8;
            v[r * W / 2 + c] = (128 - (r + frame) % 64) as u8;
        }
    }
    buf
}

/// The port of the first `m=<kind>` section of an SDP (0 when refused).
fn m_port(msg: &str, kind: &str) -> u16 {
    msg.lines()
        .find_map(|l| l.strip_prefix(&format!("m={kind} ")))
        .and_then(|l| l.split(' ').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no m={kind} in {msg}"))
}

fn rtp_packet(seq: u16, ts: u32, marker: bool, payload: &[u8]) -> Vec<u8> {
    let mut p = Vec::with_capacity(12 + payload.len());
    p.push(0x80);
    p.push(if marker { 0x80 | ROOM_PT } else { ROOM_PT });
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&ts.to_be_bytes());
    p.extend_from_slice(&SSRC.to_be_bytes());
    p.extend_from_slice(payload);
    p
}

/// What the room got back.
#[derive(Default)]
struct Received {
    nals: Vec<Vec<u8>>,
    decoded: usize,
    packets: usize,
    payload_types: Vec<u8>,
}

impl Received {
    fn take(&mut self, dp: &mut Depacketizer, dec: &mut H264Decoder, packet: &[u8]) {
        let (Some(&b1), Some(seq), Some(ts)) = (packet.get(1), packet.get(2..4), packet.get(4..8))
        else {
            return;
        };
        // RTCP on a muxed port would have a payload type of 72..=76 with the marker bit.
        if (b1 & 0x7f) >= 72 && (b1 & 0x7f) <= 76 {
            return;
        }
        self.packets += 1;
        let pt = b1 & 0x7f;
        if !self.payload_types.contains(&pt) {
            self.payload_types.push(pt);
        }
        let seq = u16::from_be_bytes([seq[0], seq[1]]);
        let ts = u32::from_be_bytes([ts[0], ts[1], ts[2], ts[3]]);
        dp.handle_packet(seq, ts, b1 & 0x80 != 0, &packet[12..]);
        while let Some(out) = dp.poll_output() {
            if let DepacketizerOutput::AccessUnit(au) = out {
                self.nals.extend(annexb_nals(&au.data).map(<[u8]>::to_vec));
                if let Ok(Some(pic)) = dec.decode(&au.data) {
                    assert_eq!((pic.width(), pic.height()), (W, H));
                    self.decoded += 1;
                }
            }
        }
    }
}

/// Sends the room's video to `to` from `sock` and collects what comes back until `quiet`
/// passes with nothing new (bounded by the frames' time plus ten seconds).
fn exchange_video(sock: &UdpSocket, to: SocketAddr) -> (Vec<Vec<u8>>, Received) {
    let mut enc = H264Encoder::new(H264EncoderConfig {
        bitrate: 400_000,
        max_fps: 25.0,
    })
    .unwrap();
    let mut pk = Packetizer::new(1100);
    let mut dp = Depacketizer::new(16);
    let mut dec = H264Decoder::new().unwrap();
    let mut sent_nals: Vec<Vec<u8>> = Vec::new();
    let mut got = Received::default();
    let mut buf = vec![0u8; 2048];
    sock.set_read_timeout(Some(Duration::from_millis(2)))
        .unwrap();
    let mut seq = 1000u16;
    // The video path opens after the SIP answer (A's H.323 leg opens its video channel by
    // H.245, B its SRTP leg to the echo); under load that takes a while, and a stream whose
    // first keyframe was sent into a path not yet open loses its whole first group of
    // pictures. So keyframes go out until one comes back, and only then is the counted
    // stream sent (from a keyframe, to a fresh depacketizer).
    let primed_by = Instant::now() + Duration::from_secs(15);
    let mut primed = false;
    while !primed && Instant::now() < primed_by {
        enc.request_keyframe();
        let frame = enc
            .encode(&I420::from_contiguous(&picture(0), W, H).unwrap())
            .unwrap();
        let mut packets = Vec::new();
        pk.packetize(frame.data, |p, marker| packets.push((p.to_vec(), marker)));
        for (p, marker) in packets {
            sock.send_to(&rtp_packet(seq, 0, marker, &p), to).unwrap();
            seq = seq.wrapping_add(1);
        }
        let until = Instant::now() + Duration::from_millis(200);
        while Instant::now() < until {
            if let Ok((n, _)) = sock.recv_from(&mut buf) {
                primed |= n > 12 && buf.get(1).is_some_and(|b| b & 0x7f == ROOM_PT);
            }
        }
    }
    assert!(primed, "no keyframe came back within 15 s");
    // Let what is still in flight of the priming arrive and be dropped.
    let (mut quiet, drain_by) = (Instant::now(), Instant::now() + Duration::from_secs(5));
    while quiet.elapsed() < Duration::from_millis(300) && Instant::now() < drain_by {
        if sock.recv_from(&mut buf).is_ok() {
            quiet = Instant::now();
        }
    }
    let start = Instant::now();
    for f in 0..FRAMES {
        if f % IDR_EVERY == 0 {
            enc.request_keyframe();
        }
        let pic = picture(f);
        let frame = enc
            .encode(&I420::from_contiguous(&pic, W, H).unwrap())
            .unwrap();
        sent_nals.extend(annexb_nals(frame.data).map(<[u8]>::to_vec));
        let ts = (f as u32) * 3600;
        let mut packets = Vec::new();
        pk.packetize(frame.data, |p, marker| packets.push((p.to_vec(), marker)));
        for (p, marker) in packets {
            sock.send_to(&rtp_packet(seq, ts, marker, &p), to).unwrap();
            seq = seq.wrapping_add(1);
        }
        let due = start + Duration::from_millis(40 * (f as u64 + 1));
        while Instant::now() < due {
            if let Ok((n, _)) = sock.recv_from(&mut buf) {
                got.take(&mut dp, &mut dec, &buf[..n]);
            }
        }
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut last = Instant::now();
    sock.set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    while Instant::now() < deadline && last.elapsed() < Duration::from_secs(2) {
        if let Ok((n, _)) = sock.recv_from(&mut buf) {
            got.take(&mut dp, &mut dec, &buf[..n]);
            last = Instant::now();
        }
    }
    (sent_nals, got)
}

#[test]
fn h264_from_a_sip_room_crosses_two_roomgates_over_h323_and_the_srtp_echo_unchanged() {
    let b = std::thread::spawn(|| Server::start_with(ServeOptions::default()));
    let a = Server::start_with(ServeOptions::default());
    let b = b.join().unwrap();
    let b_h323 = b.h323.expect("B's H.323 listener");
    let added = std::process::Command::new(env!("CARGO_BIN_EXE_roomgate"))
        .args(["meeting", "add", "2000", "--upstream"])
        .arg(format!("h323:1001@127.0.0.1:{}", b_h323.port()))
        .args(["--srtp", "off", "--data-dir"])
        .arg(a.dir.join("roomgate-data"))
        .output()
        .unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );

    let audio = UdpSocket::bind("127.0.0.1:0").unwrap();
    let video = UdpSocket::bind("127.0.0.1:0").unwrap();
    let (audio_port, video_port) = (
        audio.local_addr().unwrap().port(),
        video.local_addr().unwrap().port(),
    );
    let peer = UdpPeer::bind(LOCALHOST);
    let local = peer.local();
    let gw = a.udp;
    let sdp = format!(
        "v=0\r\no=room 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
         m=audio {audio_port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n\
         m=video {video_port} RTP/AVP {ROOM_PT}\r\na=rtpmap:{ROOM_PT} H264/90000\r\n\
         a=fmtp:{ROOM_PT} profile-level-id=42e01f;packetization-mode=1\r\na=sendrecv\r\n"
    );
    let invite = format!(
        "INVITE sip:2000@{gw} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bKvid1;rport\r\n\
         From: \"Room\" <sip:5551234@{local}>;tag=rvid\r\nTo: <sip:2000@{gw}>\r\n\
         Call-ID: h323-video-1\r\nCSeq: 1 INVITE\r\nContact: <sip:room@{local}>\r\n\
         Max-Forwards: 70\r\nContent-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{sdp}",
        sdp.len()
    );
    let ok = peer
        .transact(gw, &invite, Duration::from_secs(20))
        .unwrap_or_else(|| {
            panic!(
                "no final response\n--- A ---\n{}\n--- B ---\n{}",
                a.log(),
                b.log()
            )
        });
    assert_eq!(
        status_of(&ok),
        Some(200),
        "{ok}\n--- A ---\n{}\n--- B ---\n{}",
        a.log(),
        b.log()
    );
    let to_tag = header(&ok, "To").unwrap().to_owned();
    let ack = format!(
        "ACK sip:2000@{gw} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bKvid2;rport\r\n\
         From: \"Room\" <sip:5551234@{local}>;tag=rvid\r\nTo: {to_tag}\r\nCall-ID: h323-video-1\r\n\
         CSeq: 1 ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
    );
    peer.send(gw, ack.as_bytes());
    let a_video = m_port(&ok, "video");
    assert_ne!(
        a_video,
        0,
        "A took no video: {ok}\n--- A ---\n{}\n--- B ---\n{}",
        a.log(),
        b.log()
    );
    assert!(
        ok.contains("profile-level-id=42e01f") && ok.contains("packetization-mode=1"),
        "{ok}"
    );
    let _ = m_port(&ok, "audio");
    drop(audio);

    let (sent, got) = exchange_video(&video, SocketAddr::new(LOCALHOST, a_video));
    let logs = || format!("--- A ---\n{}\n--- B ---\n{}", a.log(), b.log());
    assert!(
        got.packets > 0,
        "no video came back through the echo\n{}",
        logs()
    );
    assert_eq!(got.payload_types, [ROOM_PT], "the room's own payload type");
    // Every NAL unit that came back is one the room sent, byte for byte, in the order sent.
    let mut from = 0;
    for (i, nal) in got.nals.iter().enumerate() {
        let at = sent[from..]
            .iter()
            .position(|s| s == nal)
            .unwrap_or_else(|| {
                panic!(
                    "NAL unit {i} back ({} bytes, type {}) is none the room sent after the \
                     previous one",
                    nal.len(),
                    nal.first().map_or(0, |b| b & 0x1f)
                )
            });
        from += at + 1;
    }
    assert!(
        got.nals.len() * 4 >= sent.len() * 3,
        "only {} of {} NAL units came back\n{}",
        got.nals.len(),
        sent.len(),
        logs()
    );
    assert!(
        got.decoded >= FRAMES / 2,
        "only {} of {FRAMES} frames decoded",
        got.decoded
    );
    // Both gateways bridged the video (pass-through: video is never transcoded), B toward
    // the echo with SRTP.
    let (la, lb) = (a.log(), b.log());
    assert!(la.contains("H.323 upstream answered"), "{la}");
    assert!(lb.contains("H.323 Setup"), "{lb}");
    assert!(la.contains("video=true"), "{la}");
    assert!(
        lb.lines().any(|l| l.contains("media bridged")
            && l.contains("video=true")
            && l.contains("cloud_suite=Some")),
        "{lb}"
    );

    let bye = format!(
        "BYE sip:2000@{gw} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bKvid3;rport\r\n\
         From: \"Room\" <sip:5551234@{local}>;tag=rvid\r\nTo: {to_tag}\r\nCall-ID: h323-video-1\r\n\
         CSeq: 2 BYE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
    );
    let bye_ok = peer.transact(gw, &bye, Duration::from_secs(5));
    assert_eq!(bye_ok.as_deref().and_then(status_of), Some(200));
}
