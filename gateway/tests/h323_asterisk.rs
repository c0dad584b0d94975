//! Interop of Roomgate's H.323 stack with a real peer, both ways. Asterisk with chan_ooh323
//! calls a Roomgate H.323 listener (the gateway's TCP transport, `roomgate_h323::endpoint::H323Call`
//! and the gateway's H.245 ↔ MediaSpec mapping) in both signalling modes — fastStart with
//! H.245 tunnelled, and slow start over a separate H.245 connection that we offer — and we
//! check what a room system's call needs: the dialled number, H.245 master/slave
//! determination and capability exchange completing with Asterisk, channels opened both
//! ways, audio both ways (Asterisk's 1004 Hz milliwatt tone decoded from the RTP we receive;
//! our 440 Hz in what Asterisk recorded), digits sent as H.245 userInput, and our Release
//! Complete ending Asterisk's call. And Roomgate places calls to Asterisk in both modes
//! (our fastStart proposals accepted, or channels opened over H.245), with audio both ways.
//!
//! This answers calls with a test loop, not the call layer: it proves the protocol stack
//! against the peer on its own. A missing peer fails the test (CI installs it).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../../h323/tests/common/asterisk.rs"]
mod asterisk;

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use asterisk::{Asterisk, AsteriskConfig, Wav};
use roomgate::call::h323_leg::media_map;
use roomgate::h323::{ConnEvent, H323Received, H323Settings, H323Transport};
use roomgate::transport::ConnId;
use roomgate_core::media_spec::Codec;
use roomgate_h323::call::{cause, CallConfig, CallEvent, Dial};
use roomgate_h323::endpoint::{Event, H323Call, Transmit};
use roomgate_h323::h245::session::{SessionConfig, SessionEvent};
use roomgate_h323::ras::{AliasAddress, TransportAddress};
use roomgate_media::codec::g711;
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

const MILLIWATT_HZ: f64 = 1004.0;
const OUR_HZ: f64 = 440.0;

/// The caller: after answer it sends digits as H.245 userInput, then the milliwatt tone,
/// recording what it hears from us.
const CALLER: &str = "\
[default]
exten => call,1,MixMonitor(${REC}/both.wav,r(${REC}/heard.wav))
 same => n,Wait(1)
 same => n,SendDTMF(1234#)
 same => n,Milliwatt()
";

/// What the answering loop saw.
#[derive(Default)]
struct Seen {
    dialled: Vec<String>,
    tunnelling: Option<bool>,
    fast_start: bool,
    msd_master: Option<bool>,
    remote_caps: bool,
    caps_acked: bool,
    channel_from_them: bool,
    channel_to_them: bool,
    digits: String,
    /// Digits came as Q.931 keypad (what chan_ooh323 falls back to without H.245).
    keypad: bool,
    heard: Vec<i16>,
    sent_ms: u32,
    released_by_us: bool,
    /// Placing a call: the callee accepted our fastStart proposals, and answered.
    fast_start_accepted: bool,
    connected: bool,
}

impl std::fmt::Debug for Seen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Seen")
            .field("dialled", &self.dialled)
            .field("tunnelling", &self.tunnelling)
            .field("fast_start", &self.fast_start)
            .field("msd_master", &self.msd_master)
            .field("remote_caps", &self.remote_caps)
            .field("caps_acked", &self.caps_acked)
            .field("channel_from_them", &self.channel_from_them)
            .field("channel_to_them", &self.channel_to_them)
            .field("digits", &self.digits)
            .field("keypad", &self.keypad)
            .field("heard_samples", &self.heard.len())
            .field("sent_ms", &self.sent_ms)
            .field("released_by_us", &self.released_by_us)
            .field("fast_start_accepted", &self.fast_start_accepted)
            .field("connected", &self.connected)
            .finish()
    }
}

/// A 20 ms µ-law packet of the tone at sample offset `n`.
fn tone_packet(seq: u16, n: u32) -> Vec<u8> {
    let mut pcm = [0i16; 160];
    for (i, s) in pcm.iter_mut().enumerate() {
        let t = f64::from(n + i as u32) / 8000.0;
        *s = (8000.0 * (2.0 * std::f64::consts::PI * OUR_HZ * t).sin()) as i16;
    }
    let mut rtp = vec![0x80, 0x00];
    rtp.extend_from_slice(&seq.to_be_bytes());
    rtp.extend_from_slice(&n.to_be_bytes());
    rtp.extend_from_slice(&0x1234_5678u32.to_be_bytes());
    let mut payload = [0u8; 160];
    g711::encode_ulaw(&pcm, &mut payload);
    rtp.extend_from_slice(&payload);
    rtp
}

/// Which side of the call the loop plays.
enum Role {
    /// Answer the call Asterisk places.
    Answer,
    /// Place a call to Asterisk at this address, with fastStart or not, tunnelling or not.
    Dial {
        to: SocketAddr,
        fast_start: bool,
        tunnelling: bool,
    },
}

/// Runs one call on `transport` like a gateway leg would — answering it or placing it —
/// until it has heard and sent enough, then hangs up.
async fn run_call(
    transport: H323Transport,
    mut rx: mpsc::Receiver<H323Received>,
    ast: &Asterisk,
    role: Role,
) -> Seen {
    let rtp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let our_rtp = rtp.local_addr().unwrap();
    let our_rtcp = SocketAddr::new(our_rtp.ip(), our_rtp.port() + 1);
    let pcmu = Codec::new("PCMU", 8000, 1, 0);
    let mut seen = Seen::default();
    let mut call: Option<(ConnId, H323Call)> = None;
    let mut dialled = false;
    if let Role::Dial {
        to,
        fast_start,
        tunnelling,
    } = role
    {
        let conn = transport.dial(to).await.unwrap();
        let dial = Dial {
            call_reference: 0x0123,
            call_identifier: [0x42; 16],
            conference_id: [0x43; 16],
            destination: vec![AliasAddress::DialedDigits("200".into())],
            called_number: Some("200".into()),
            source: vec![AliasAddress::H323Id("roomgate".into())],
            calling_number: Some("1001".into()),
            fast_start: if fast_start {
                media_map::propose(std::slice::from_ref(&pcmu), our_rtp, our_rtcp, 1)
            } else {
                Vec::new()
            },
            ..Dial::default()
        };
        let config = CallConfig {
            tunnelling,
            ..CallConfig::default()
        };
        let now = Instant::now();
        let mut c = H323Call::outgoing(now, config, SessionConfig::default(), &dial).unwrap();
        let caps = media_map::capabilities(std::slice::from_ref(&pcmu)).unwrap();
        c.start_h245(now, caps, 0x00be_ef00);
        seen.fast_start = fast_start;
        seen.tunnelling = Some(tunnelling);
        call = Some((conn, c));
        dialled = true;
    }
    let mut h245: Option<ConnId> = None;
    let mut remote_rtp: Option<SocketAddr> = None;
    let mut opened_ours = false;
    let mut seq = 0u16;
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(25);
    let mut buf = [0u8; 2048];
    loop {
        let now = Instant::now();
        let wake = call
            .as_ref()
            .and_then(|(_, c)| c.poll_timeout())
            .map(tokio::time::Instant::from_std)
            .unwrap_or(deadline);
        tokio::select! {
            _ = tokio::time::sleep_until(deadline) => {
                panic!("the call did not finish in time: {seen:?}\n{}", ast.log_tail(60))
            }
            _ = tokio::time::sleep_until(wake) => {
                if let Some((_, c)) = call.as_mut() { c.handle_timeout(Instant::now()); }
            }
            ev = rx.recv() => {
                let H323Received { conn, event } = ev.expect("transport alive");
                match event {
                    ConnEvent::Accepted { .. } => {
                        assert!(call.is_none(), "one call expected");
                        call = Some((conn, H323Call::incoming(now, CallConfig::default(), SessionConfig::default())));
                    }
                    ConnEvent::Payload(p) => {
                        let Some((sig, c)) = call.as_mut() else { continue };
                        if conn == *sig {
                            c.handle_signalling(now, &p);
                        } else if Some(conn) == h245 {
                            c.handle_h245(now, &p);
                        }
                    }
                    ConnEvent::H245Opened { h245: id } => {
                        h245 = Some(id);
                        if let Some((_, c)) = call.as_mut() { c.h245_connected(now); }
                    }
                    ConnEvent::H245Failed => {
                        if let Some((_, c)) = call.as_mut() { c.h245_lost(now); }
                    }
                    ConnEvent::Closed => {
                        let Some((sig, c)) = call.as_mut() else { continue };
                        if conn == *sig { c.connection_lost(now); }
                        else if Some(conn) == h245 { c.h245_lost(now); }
                    }
                }
            }
            got = rtp.recv_from(&mut buf) => {
                let (n, from) = got.unwrap();
                if n > 12 && buf[1] & 0x7f == 0 {
                    let mut pcm = vec![0i16; n - 12];
                    g711::decode_ulaw(&buf[12..n], &mut pcm);
                    seen.heard.extend_from_slice(&pcm);
                    // Symmetric RTP: send where it comes from when nothing else said.
                    remote_rtp.get_or_insert(from);
                }
            }
            _ = tick.tick() => {
                if let Some(to) = remote_rtp {
                    rtp.send_to(&tone_packet(seq, u32::from(seq) * 160), to).await.unwrap();
                    seq = seq.wrapping_add(1);
                    seen.sent_ms += 20;
                }
            }
        }
        let Some((sig, c)) = call.as_mut() else {
            continue;
        };
        let sig = *sig;
        // Events: answer the call, accept its channels, open ours.
        while let Some(e) = c.poll_event() {
            match e {
                Event::Call(CallEvent::Setup(s)) => {
                    seen.dialled = s.dialled().map(str::to_owned).collect();
                    seen.tunnelling = Some(s.tunnelling);
                    seen.fast_start = !s.fast_start.is_empty();
                    let caps = media_map::capabilities(std::slice::from_ref(&pcmu)).unwrap();
                    c.start_h245(now, caps, 0x00c0_ffee);
                    if seen.fast_start {
                        let offered = media_map::offered(&s.fast_start);
                        remote_rtp = offered.audio().and_then(|a| a.remote_rtp);
                        let answer =
                            media_map::accept(&s.fast_start, &pcmu, our_rtp, our_rtcp).unwrap();
                        c.call().alert(Some(&answer)).unwrap();
                        c.call().connect(None, None).unwrap();
                    } else {
                        let ours = if s.tunnelling {
                            None
                        } else {
                            let ip: IpAddr = "127.0.0.1".parse().unwrap();
                            let at = transport.listen_h245(sig, ip, ip).await.unwrap();
                            Some(TransportAddress::from_socket_addr(at))
                        };
                        c.call().alert(None).unwrap();
                        c.call().connect(None, ours).unwrap();
                    }
                }
                Event::Call(CallEvent::FastStartAccepted(list)) => {
                    let (codec, to, _) = media_map::accepted(&list).expect("an accepted channel");
                    assert_eq!(codec.name, "PCMU");
                    remote_rtp = to.or(remote_rtp);
                    seen.fast_start_accepted = true;
                }
                Event::Call(CallEvent::Connected) => seen.connected = true,
                Event::Call(CallEvent::Released { .. }) => {
                    return seen;
                }
                Event::H245(SessionEvent::MsdDone { master }) => seen.msd_master = Some(master),
                Event::H245(SessionEvent::RemoteCapabilities(_)) => seen.remote_caps = true,
                Event::H245(SessionEvent::CapabilitiesAcked) => seen.caps_acked = true,
                Event::H245(SessionEvent::ChannelRequested { number, olc }) => {
                    let (codec, _) = media_map::incoming_audio(&olc).expect("audio channel");
                    assert_eq!(codec.name, "PCMU");
                    let ack = media_map::audio_ack(our_rtp, our_rtcp).unwrap();
                    c.session().accept_channel(number, ack).unwrap();
                    seen.channel_from_them = true;
                }
                Event::H245(SessionEvent::ChannelOpened { ack, .. }) => {
                    let (to, _) = media_map::ack_addresses(&ack);
                    remote_rtp = to.or(remote_rtp);
                    seen.channel_to_them = true;
                }
                Event::H245(SessionEvent::UserInput(d)) => seen.digits.push_str(&d),
                Event::Call(CallEvent::Keypad(d)) => {
                    seen.keypad = true;
                    seen.digits.push_str(&d);
                }
                _ => {}
            }
        }
        // Slow start: our channel once roles and capabilities are settled.
        if !seen.fast_start && !opened_ours && seen.msd_master.is_some() && seen.remote_caps {
            let olc = media_map::open_audio(&pcmu, our_rtcp).unwrap();
            c.session().open_channel(now, olc).unwrap();
            opened_ours = true;
        }
        // Enough heard and sent, digits in: hang up.
        if !seen.released_by_us
            && seen.heard.len() >= 8000 * 5 / 2
            && seen.sent_ms >= 3000
            && (dialled || seen.digits.contains('#'))
        {
            c.session().end_session();
            c.call().release(cause::NORMAL);
            seen.released_by_us = true;
        }
        c.pump(now);
        while let Some(t) = c.poll_transmit() {
            match t {
                Transmit::Signalling(p) => {
                    let _ = transport.send(sig, p);
                }
                Transmit::H245(p) => {
                    if let Some(id) = h245 {
                        let _ = transport.send(id, p);
                    }
                }
                Transmit::ConnectH245(a) => {
                    if let Some(to) = a.socket_addr() {
                        transport.connect_h245(sig, to);
                    }
                }
            }
        }
        if c.is_released() && seen.released_by_us {
            return seen;
        }
    }
}

/// What every call must have reached, whoever placed it: H.245 settled (roles and
/// capabilities both ways), Asterisk's 1004 Hz in what we received, our 440 Hz in what it
/// recorded, and its channel gone after our Release Complete.
fn settled_and_heard_both_ways(seen: &Seen, ast: &Asterisk, what: &str) {
    assert!(
        seen.msd_master.is_some(),
        "master/slave determination: {what}"
    );
    assert!(
        seen.remote_caps && seen.caps_acked,
        "capability exchange: {what}"
    );
    let heard = Wav {
        rate: 8000,
        samples: seen.heard.clone(),
    };
    let secs = asterisk::tone_seconds(&heard, MILLIWATT_HZ);
    assert!(secs >= 1.5, "we heard {secs:.2} s of 1004 Hz: {what}");
    assert!(
        ast.wait_no_channels(Duration::from_secs(10)),
        "Asterisk kept the call after our Release Complete: {what}"
    );
    let rec = ast.recording("heard.wav");
    assert!(
        asterisk::has_tone(&rec, OUR_HZ, 1.5),
        "Asterisk did not hear our 440 Hz: {}\n{what}",
        asterisk::describe(&rec, OUR_HZ)
    );
}

async fn call_from_asterisk(faststart: bool, tunnelling: bool) {
    let (tx, rx) = mpsc::channel(256);
    let transport = H323Transport::new(H323Settings::default(), tx);
    let port = asterisk::free_tcp_port();
    let addr = transport
        .listen(SocketAddr::from(([127, 0, 0, 1], port)))
        .await
        .unwrap();
    let cfg = AsteriskConfig::new(CALLER)
        .modes(faststart, tunnelling)
        .peer("roomgate", addr.port(), "1001");
    let ast = tokio::task::spawn_blocking(move || Asterisk::start("caller", &cfg))
        .await
        .unwrap();
    ast.originate("OOH323/1001@roomgate", "extension call@default");
    let seen = run_call(transport, rx, &ast, Role::Answer).await;

    let what = format!("{seen:?}\n{}", ast.log_tail(60));
    assert!(seen.dialled.iter().any(|d| d == "1001"), "{what}");
    assert_eq!(seen.tunnelling, Some(tunnelling), "{what}");
    assert_eq!(seen.fast_start, faststart, "{what}");
    settled_and_heard_both_ways(&seen, &ast, &what);
    if !faststart {
        assert!(
            seen.channel_from_them && seen.channel_to_them,
            "slow-start channels: {what}"
        );
    }
    assert_eq!(seen.digits, "1234#", "{what}");
    assert!(
        !seen.keypad,
        "digits as H.245 userInput, not keypad: {what}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asterisk_calls_us_with_fast_start_and_tunnelled_h245() {
    call_from_asterisk(true, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asterisk_calls_us_with_slow_start_and_separate_h245() {
    call_from_asterisk(false, false).await;
}

/// The callee: answers 200 with the milliwatt tone, recording what it hears from us.
const CALLEE: &str = "\
[default]
exten => 200,1,Answer()
 same => n,MixMonitor(${REC}/both.wav,r(${REC}/heard.wav))
 same => n,Milliwatt()
";

/// Roomgate places an H.323 call to Asterisk (as it will for a meeting whose upstream is
/// H.323): answered, H.245 settled, audio both ways by frequency.
async fn call_to_asterisk(fast_start: bool, tunnelling: bool) {
    let (tx, rx) = mpsc::channel(256);
    let transport = H323Transport::new(H323Settings::default(), tx);
    // Asterisk only takes calls from declared peers (by address).
    let cfg = AsteriskConfig::new(CALLEE)
        .modes(fast_start, tunnelling)
        .peer("roomgate", asterisk::free_tcp_port(), "1001");
    let ast = tokio::task::spawn_blocking(move || Asterisk::start("callee", &cfg))
        .await
        .unwrap();
    let to = SocketAddr::from(([127, 0, 0, 1], ast.h323_port));
    let role = Role::Dial {
        to,
        fast_start,
        tunnelling,
    };
    let seen = run_call(transport, rx, &ast, role).await;
    let what = format!("{seen:?}\n{}", ast.log_tail(60));
    assert!(seen.connected, "{what}");
    if fast_start {
        assert!(seen.fast_start_accepted, "{what}");
    } else {
        assert!(
            seen.channel_from_them && seen.channel_to_them,
            "slow-start channels: {what}"
        );
    }
    settled_and_heard_both_ways(&seen, &ast, &what);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn we_call_asterisk_with_fast_start_and_tunnelled_h245() {
    call_to_asterisk(true, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn we_call_asterisk_with_slow_start_and_separate_h245() {
    call_to_asterisk(false, false).await;
}
