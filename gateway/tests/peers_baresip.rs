//! Self-test of the real-peer harness (`common::baresip`, `common::audio`), peer to peer with no
//! gateway in between, so the gateway tests can rely on it:
//! - baresip A (1000 Hz) calls baresip B (600 Hz, auto-answer) over UDP with SRTP mandatory
//!   (`AES_CM_128_HMAC_SHA1_80`, the only suite baresip offers); DTMF goes A → B; each side's
//!   recording holds the other's tone and not its own;
//! - the same over SIP/TLS (certificate from a test CA), with Opus (recorded 48 kHz stereo);
//! - baresip as answerer takes an `AEAD_AES_256_GCM` offer: the test itself is the caller, with
//!   roomgate-media's SRTP and G.711, and the tones go both ways.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use common::audio::{self, dominant_frequency, sine, tone_power_ratio};
use common::baresip::{make_pki, Baresip, BaresipOptions, MediaEnc};
use common::{free_port_pair, header, status_of, unique, TempDir, UdpPeer, LOCALHOST};
use rand::Rng;
use roomgate_media::codec::g711;
use roomgate_media::srtp::{Policy, SrtpContext, Suite};
use roomgate_sip::sdp::{Crypto, CryptoSuite, KeyMaterial};

const SETUP: Duration = Duration::from_secs(10);

#[test]
fn goertzel_tells_tones_apart() {
    for rate in [8000, 16000, 48000] {
        let s: Vec<f64> = sine(1000.0, rate, 1.0, 0.5)
            .into_iter()
            .map(f64::from)
            .collect();
        assert!((dominant_frequency(&s, rate) - 1000.0).abs() <= 1.0);
        assert!(tone_power_ratio(&s, rate, 1000.0) > 0.98);
        assert!(tone_power_ratio(&s, rate, 600.0) < 0.001);
        assert!(tone_power_ratio(&s, rate, 440.0) < 0.001);
    }
    let dir = TempDir::new("wav");
    let path = dir.join("t.wav");
    audio::write_sine_wav(&path, 600.0, 8000, 2.0).unwrap();
    let wav = audio::read_wav(&path).unwrap();
    assert_eq!((wav.rate, wav.channels, wav.frames()), (8000, 1, 16000));
    audio::assert_tone(&path, 600.0, &[1000.0, 440.0], 1.0);
}

/// The suite of a `CALL_MENC` event (`0,audio,<suite>`).
fn menc_suite(b: &Baresip) -> String {
    let ev = b.wait_event("CALL_MENC", SETUP);
    ev.param.rsplit(',').next().unwrap_or_default().to_owned()
}

/// A calls B, both report the call up and encrypted with `suite`; A sends DTMF; after
/// `talk` A hangs up; each recording holds the other side's tone.
fn call_and_check(a: &Baresip, b: &Baresip, uri: &str, talk: Duration, suite: &str) {
    a.dial(uri);
    a.wait_event("CALL_ESTABLISHED", SETUP);
    b.wait_event("CALL_ESTABLISHED", SETUP);
    let up = Instant::now();
    assert_eq!(menc_suite(a), suite);
    assert_eq!(menc_suite(b), suite);

    std::thread::sleep(Duration::from_millis(500));
    a.send_dtmf("19#");
    let digits: Vec<String> = (0..3)
        .map(|_| {
            b.wait_event("CALL_DTMF_START", Duration::from_secs(3))
                .param
        })
        .collect();
    assert_eq!(digits, ["1", "9", "#"]);

    std::thread::sleep(talk.saturating_sub(up.elapsed()));
    a.hangup();
    a.wait_event("CALL_CLOSED", SETUP);
    let closed = b.wait_event("CALL_CLOSED", SETUP);
    assert!(closed.param.contains("peer"), "{closed:?}");

    let min = talk.as_secs_f64() - 1.0;
    a.assert_heard(b.options.tone_hz, &[a.options.tone_hz, 440.0], min);
    b.assert_heard(a.options.tone_hz, &[b.options.tone_hz, 440.0], min);
}

#[test]
fn baresip_to_baresip_srtp_over_udp() {
    let b = Baresip::start(
        BaresipOptions::new("bob", 600.0)
            .media_enc(MediaEnc::SrtpMand)
            .codecs(&["pcmu"])
            .auto_answer(),
    );
    let a = Baresip::start(
        BaresipOptions::new("alice", 1000.0)
            .media_enc(MediaEnc::SrtpMand)
            .codecs(&["pcmu"]),
    );
    call_and_check(
        &a,
        &b,
        &b.uri(),
        Duration::from_secs(3),
        "AES_CM_128_HMAC_SHA1_80",
    );
    let sent = a.sent_wav().expect("A's sent-audio recording");
    audio::assert_tone(&sent, 1000.0, &[600.0], 2.0);
}

/// A CA and a certificate for 127.0.0.1 it signed; returns (CA PEM, cert+key PEM).

#[test]
fn baresip_to_baresip_srtp_over_tls() {
    let pki = TempDir::new("pki");
    let (ca, cert) = make_pki(&pki);
    let b = Baresip::start(
        BaresipOptions::new("carol", 600.0)
            .media_enc(MediaEnc::SrtpMand)
            .codecs(&["opus/48000/2"])
            .auto_answer()
            .tls(Some(cert), None),
    );
    let a = Baresip::start(
        BaresipOptions::new("dave", 1000.0)
            .media_enc(MediaEnc::SrtpMand)
            .codecs(&["opus/48000/2"])
            .tls(None, Some(ca)),
    );
    call_and_check(
        &a,
        &b,
        &b.tls_uri(),
        Duration::from_secs(3),
        "AES_CM_128_HMAC_SHA1_80",
    );
    let log = b.log();
    assert!(
        log.contains("connect via TLS"),
        "B did not take the call over TLS:\n{}",
        common::tail(&log, 4000)
    );
}

// ---------------------------------------------------------------------------------------------
// The test as the caller, with its own SRTP (roomgate-media) and AEAD_AES_256_GCM

fn sdp_offer(rtp_port: u16, crypto: &Crypto) -> String {
    format!(
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
         m=audio {rtp_port} RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\na=sendrecv\r\n\
         a=crypto:{crypto}\r\n"
    )
}

fn body(msg: &str) -> &str {
    msg.split_once("\r\n\r\n")
        .map(|(_, b)| b)
        .unwrap_or_default()
}

/// The URI inside the first `<...>` of a header value.
fn angle_uri(value: &str) -> &str {
    value
        .split_once('<')
        .and_then(|(_, r)| r.split_once('>'))
        .map(|(u, _)| u)
        .unwrap_or(value)
}

fn in_dialog(
    method: &str,
    target: &str,
    local: SocketAddr,
    from: &str,
    to: &str,
    call_id: &str,
    cseq: u32,
) -> String {
    format!(
        "{method} {target} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bK{}\r\n\
         Max-Forwards: 70\r\nFrom: {from}\r\nTo: {to}\r\nCall-ID: {call_id}\r\n\
         CSeq: {cseq} {method}\r\nContent-Length: 0\r\n\r\n",
        unique("br")
    )
}

#[test]
fn baresip_answers_aead_aes_256_gcm() {
    let b = Baresip::start(
        BaresipOptions::new("erin", 600.0)
            .media_enc(MediaEnc::SrtpMand)
            .codecs(&["pcmu"])
            .auto_answer(),
    );

    // Our end: SIP socket, RTP and RTCP sockets, a fresh AEAD_AES_256_GCM key.
    let sip = UdpPeer::bind(LOCALHOST);
    let (rtp_port, rtcp_port) = free_port_pair();
    let rtp = UdpSocket::bind((LOCALHOST, rtp_port)).unwrap();
    let _rtcp = UdpSocket::bind((LOCALHOST, rtcp_port)).unwrap();
    let mut key = vec![0u8; 44];
    rand::rng().fill(&mut key[..]);
    let offer = Crypto::new(1, CryptoSuite::AeadAes256Gcm, KeyMaterial::new(key.clone()));
    let sdp = sdp_offer(rtp_port, &offer);

    let call_id = unique("gcm");
    let from = format!("<sip:gcm@{}>;tag={}", sip.local(), unique("tag"));
    let invite = format!(
        "INVITE {uri} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bK{branch};rport\r\n\
         Max-Forwards: 70\r\nFrom: {from}\r\nTo: <{uri}>\r\nCall-ID: {call_id}\r\n\
         CSeq: 1 INVITE\r\nContact: <sip:gcm@{local}>\r\nContent-Type: application/sdp\r\n\
         Content-Length: {len}\r\n\r\n{sdp}",
        uri = b.uri(),
        local = sip.local(),
        branch = unique("br"),
        len = sdp.len(),
    );
    let ok = sip
        .transact(b.sip, &invite, SETUP)
        .unwrap_or_else(|| panic!("no final answer to the INVITE\n{}", b.log()));
    assert_eq!(status_of(&ok), Some(200), "{ok}");
    let to = header(&ok, "To").unwrap().to_owned();
    let target = angle_uri(header(&ok, "Contact").unwrap()).to_owned();
    sip.send(
        b.sip,
        in_dialog("ACK", &target, sip.local(), &from, &to, &call_id, 1).as_bytes(),
    );

    // Its answer: one AEAD_AES_256_GCM line with a 32+12-byte key, and where to send RTP.
    let answer = body(&ok);
    let crypto = answer
        .lines()
        .find_map(|l| l.strip_prefix("a=crypto:"))
        .unwrap_or_else(|| panic!("no a=crypto in the answer:\n{answer}"));
    let crypto = Crypto::parse(crypto.trim()).unwrap();
    assert_eq!(crypto.suite, CryptoSuite::AeadAes256Gcm, "{answer}");
    let their_key = crypto.key_params[0].key.expose_secret().to_vec();
    assert_eq!(their_key.len(), 44);
    let port: u16 = answer
        .lines()
        .find_map(|l| l.strip_prefix("m=audio "))
        .and_then(|r| r.split(' ').next())
        .and_then(|p| p.parse().ok())
        .unwrap();
    let their_rtp = SocketAddr::new(LOCALHOST, port);
    assert_eq!(menc_suite(&b), "AEAD_AES_256_GCM");
    b.wait_event("CALL_ESTABLISHED", SETUP);

    let suite = Suite::AeadAes256Gcm;
    let mut tx = SrtpContext::new(&Policy::new(suite, &key[..32], &key[32..])).unwrap();
    let mut rx = SrtpContext::new(&Policy::new(suite, &their_key[..32], &their_key[32..])).unwrap();

    // 2.5 s of a 1000 Hz tone as SRTP PCMU, 20 ms a packet; everything it sends, decrypted.
    let tone = sine(1000.0, 8000, 2.5, 0.5);
    let ssrc: u32 = rand::random();
    let mut received: Vec<i16> = Vec::new();
    let mut rx_packets = 0u32;
    let start = Instant::now();
    let mut buf = [0u8; 2048];
    for (i, frame) in tone.chunks_exact(160).enumerate() {
        let seq = i as u16;
        let ts = (i as u32) * 160;
        let mut pkt = Vec::with_capacity(12 + 160 + 16);
        pkt.extend_from_slice(&[0x80, if i == 0 { 0x80 } else { 0x00 }]);
        pkt.extend_from_slice(&seq.to_be_bytes());
        pkt.extend_from_slice(&ts.to_be_bytes());
        pkt.extend_from_slice(&ssrc.to_be_bytes());
        let mut payload = [0u8; 160];
        g711::encode_ulaw(frame, &mut payload);
        pkt.extend_from_slice(&payload);
        tx.protect_rtp_vec(&mut pkt).unwrap();
        rtp.send_to(&pkt, their_rtp).unwrap();

        let next = start + Duration::from_millis(20 * (i as u64 + 1));
        while let Some(left) = next.checked_duration_since(Instant::now()) {
            if left.is_zero() {
                break;
            }
            rtp.set_read_timeout(Some(left)).unwrap();
            let Ok((n, _)) = rtp.recv_from(&mut buf) else {
                continue;
            };
            let mut pkt = buf[..n].to_vec();
            rx.unprotect_rtp_vec(&mut pkt)
                .unwrap_or_else(|e| panic!("their SRTP packet of {n} bytes: {e}"));
            rx_packets += 1;
            // PCMU only (their telephone-events, if any, have another payload type).
            if pkt[1] & 0x7f == 0 {
                let mut pcm = [0i16; 2048];
                let got = g711::decode_ulaw(&pkt[12..], &mut pcm);
                received.extend_from_slice(&pcm[..got]);
            }
        }
    }

    let bye = in_dialog("BYE", &target, sip.local(), &from, &to, &call_id, 2);
    let bye_ok = sip.transact(b.sip, &bye, SETUP).expect("answer to BYE");
    assert_eq!(status_of(&bye_ok), Some(200), "{bye_ok}");
    b.wait_event("CALL_CLOSED", SETUP);

    // We heard its 600 Hz through AEAD_AES_256_GCM...
    assert!(
        rx_packets >= 80,
        "only {rx_packets} SRTP packets from baresip"
    );
    assert_eq!(rx.stats().dropped(), 0, "{:?}", rx.stats());
    let heard: Vec<f64> = received.iter().skip(4000).map(|&s| f64::from(s)).collect();
    assert!(
        (dominant_frequency(&heard, 8000) - 600.0).abs() <= 5.0,
        "we did not hear 600 Hz"
    );
    assert!(tone_power_ratio(&heard, 8000, 600.0) > 0.8);
    assert!(tone_power_ratio(&heard, 8000, 1000.0) < 0.01);
    // ... and it heard our 1000 Hz.
    b.assert_heard(1000.0, &[600.0, 440.0], 1.5);
}
