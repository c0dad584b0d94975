#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! The built-in echo service end to end on 127.0.0.1: a TLS client trusting only the
//! service's CA places a call with an SDES offer, sends SRTP, gets every packet back under
//! the answer's key, and hangs up; unsupported suites get 488; certificates survive a
//! restart; garbage and oversized input close the connection without harming the service.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rand::RngCore;
use roomgate::echo::{self, EchoConfig, EchoHandle};
use roomgate_media::rtp::{RtpBuilder, RtpPacket};
use roomgate_media::srtp::{Policy, SrtpContext, Suite};
use roomgate_sip::sdp::offer_answer::{
    build_offer, LocalCapabilities, LocalCodec, OfferStream, SrtpPolicy,
};
use roomgate_sip::sdp::{
    Connection, CryptoSuite, Direction, KeyMaterial, MediaType, SessionDescription,
};
use roomgate_sip::{decode_datagram, Frame, HeaderName, OwnedMessage, StreamFramer};
use rustls_pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::watch;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

const LIMIT: Duration = Duration::from_secs(5);
const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// A fresh directory under the temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static N: AtomicU64 = AtomicU64::new(0);
        let path = std::env::temp_dir().join(format!(
            "roomgate-echo-{}-{}-{:x}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Service {
    handle: EchoHandle,
    stop: watch::Sender<bool>,
    _dir: Option<TempDir>,
}

async fn start_in(dir: PathBuf) -> (EchoHandle, watch::Sender<bool>) {
    let (stop, rx) = watch::channel(false);
    let cfg = EchoConfig {
        cert_dir: dir,
        ..EchoConfig::default()
    };
    let handle = echo::start(cfg, rx).await.unwrap();
    (handle, stop)
}

async fn start() -> Service {
    let dir = TempDir::new();
    let (handle, stop) = start_in(dir.0.join("data")).await;
    Service {
        handle,
        stop,
        _dir: Some(dir),
    }
}

/// A SIP/TLS client with the stream framer the service uses.
struct Client {
    stream: TlsStream<TcpStream>,
    buf: Vec<u8>,
    framer: StreamFramer,
}

async fn connect_as(handle: &EchoHandle, name: ServerName<'static>) -> Client {
    let connector = TlsConnector::from(handle.client_config().unwrap());
    let tcp = tokio::time::timeout(LIMIT, TcpStream::connect(handle.addr))
        .await
        .unwrap()
        .unwrap();
    let stream = tokio::time::timeout(LIMIT, connector.connect(name, tcp))
        .await
        .unwrap()
        .unwrap();
    Client {
        stream,
        buf: Vec::new(),
        framer: StreamFramer::default(),
    }
}

async fn connect(handle: &EchoHandle) -> Client {
    let name = ServerName::try_from(handle.server_name.clone()).unwrap();
    connect_as(handle, name).await
}

impl Client {
    async fn send(&mut self, msg: &OwnedMessage) {
        self.stream.write_all(&msg.to_bytes()).await.unwrap();
        self.stream.flush().await.unwrap();
    }

    /// The next message, as bytes.
    async fn recv(&mut self) -> Vec<u8> {
        tokio::time::timeout(LIMIT, async {
            loop {
                if let Some((frame, used)) = self.framer.next_frame(&self.buf).unwrap() {
                    let is_message = matches!(frame, Frame::Message(_));
                    let bytes: Vec<u8> = self.buf.drain(..used).collect();
                    if is_message {
                        return bytes;
                    }
                    continue;
                }
                let mut chunk = [0u8; 4096];
                let n = self.stream.read(&mut chunk).await.unwrap();
                assert!(n > 0, "connection closed while waiting for a message");
                self.buf.extend_from_slice(&chunk[..n]);
            }
        })
        .await
        .expect("no message within the limit")
    }

    /// Sends `req` and returns (status, To tag, body) of the response.
    async fn transact(&mut self, req: &OwnedMessage) -> (u16, Option<String>, Vec<u8>) {
        self.send(req).await;
        let bytes = self.recv().await;
        let msg = decode_datagram(&bytes).unwrap();
        let code = msg.status_line().unwrap().code;
        let tag = msg.to_header().unwrap().tag().map(str::to_owned);
        (code, tag, msg.body.to_vec())
    }

    /// Waits for the server to close; true when it did within the limit.
    async fn closed_by_server(&mut self) -> bool {
        let mut chunk = [0u8; 1024];
        matches!(
            tokio::time::timeout(LIMIT, async {
                loop {
                    match self.stream.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                }
            })
            .await,
            Ok(())
        )
    }
}

/// One dialog from the client's side.
struct Dialog {
    uri: String,
    call_id: String,
    from_tag: String,
    to_tag: Option<String>,
    cseq: u32,
}

impl Dialog {
    fn new(handle: &EchoHandle) -> Dialog {
        Dialog {
            uri: handle.uri("echo"),
            call_id: format!("{:x}@127.0.0.1", rand::random::<u64>()),
            from_tag: format!("{:x}", rand::random::<u32>()),
            to_tag: None,
            cseq: 0,
        }
    }

    fn request(&mut self, method: &str, body: Option<&[u8]>) -> OwnedMessage {
        if method != "ACK" {
            self.cseq += 1;
        }
        let to = match &self.to_tag {
            Some(tag) => format!("<{}>;tag={tag}", self.uri),
            None => format!("<{}>", self.uri),
        };
        let msg = OwnedMessage::request(method, &self.uri)
            .with(
                HeaderName::Via,
                format!(
                    "SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK{:x}",
                    rand::random::<u64>()
                ),
            )
            .with(HeaderName::MaxForwards, 70)
            .with(
                HeaderName::From,
                format!("<sips:gateway@127.0.0.1>;tag={}", self.from_tag),
            )
            .with(HeaderName::To, to)
            .with(HeaderName::CallId, &self.call_id)
            .with(HeaderName::CSeq, format!("{} {method}", self.cseq))
            .with(
                HeaderName::Contact,
                "<sips:gateway@127.0.0.1:5061;transport=tls>",
            );
        match body {
            Some(b) => msg.with_body("application/sdp", b.to_vec()),
            None => msg,
        }
    }
}

fn random_bytes(n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    rand::rng().fill_bytes(&mut v);
    v
}

/// An offer for one PCMU audio stream on `port` with `suites`, keys from `rand`.
fn offer(port: u16, suites: Vec<CryptoSuite>) -> SessionDescription {
    offer_with(port, suites, Direction::SendRecv)
}

fn offer_with(port: u16, suites: Vec<CryptoSuite>, direction: Direction) -> SessionDescription {
    let caps = LocalCapabilities {
        origin: roomgate_sip::sdp::Origin {
            username: "gateway".into(),
            session_id: "1".into(),
            session_version: "1".into(),
            net_type: "IN".into(),
            addr_type: Connection::internet(LOCALHOST).addr_type,
            address: Connection::internet(LOCALHOST).address,
        },
        connection: Connection::internet(LOCALHOST),
        codecs: vec![LocalCodec {
            media: MediaType::Audio,
            encoding_name: "PCMU".into(),
            clock_rate: 8000,
            channels: None,
            fmtp: None,
            payload_type: 0,
        }],
        crypto_suites: suites,
        srtp: SrtpPolicy::Mandatory,
        accept_content: false,
        bfcp: None,
        rtcp_mux: true,
    };
    let stream = OfferStream {
        media: MediaType::Audio,
        port,
        direction,
        content: None,
        label: None,
        mid: None,
    };
    build_offer(&caps, &[stream], &mut |s: &CryptoSuite| {
        let len = s.key_salt_len().map_or(30, |(k, s)| k + s);
        Some(KeyMaterial::new(random_bytes(len)))
    })
    .unwrap()
}

fn gcm_context(key_salt: &[u8]) -> SrtpContext {
    SrtpContext::new(&Policy::new(
        Suite::AeadAes256Gcm,
        &key_salt[..32],
        &key_salt[32..],
    ))
    .unwrap()
}

fn payload(i: u16) -> Vec<u8> {
    (0..160u16)
        .map(|j| (i.wrapping_mul(31).wrapping_add(j) & 0xff) as u8)
        .collect()
}

/// Builds and protects RTP packet `seq` (PCMU) with `ctx`.
fn srtp_packet(ctx: &mut SrtpContext, ssrc: u32, seq: u16) -> Vec<u8> {
    let mut buf = vec![0u8; 2048];
    let rtp = RtpBuilder {
        payload_type: 0,
        sequence_number: seq,
        timestamp: u32::from(seq) * 160,
        ssrc,
        ..RtpBuilder::default()
    };
    let len = rtp.write(&payload(seq), &mut buf).unwrap();
    let n = ctx.protect_rtp(&mut buf, len).unwrap();
    buf.truncate(n);
    buf
}

#[tokio::test]
async fn call_echoes_srtp_with_the_answer_key() {
    let svc = start().await;
    let handle = &svc.handle;
    assert!(handle.uri("1000").starts_with("sips:1000@127.0.0.1:"));
    assert!(handle.uri("1000").ends_with(";transport=tls"));
    let udp = UdpSocket::bind((LOCALHOST, 0)).await.unwrap();
    let offer = offer(
        udp.local_addr().unwrap().port(),
        vec![CryptoSuite::AeadAes256Gcm, CryptoSuite::Aes256CmHmacSha1_80],
    );
    let our_key = offer.media[0]
        .cryptos()
        .find(|c| c.suite == CryptoSuite::AeadAes256Gcm)
        .unwrap()
        .key_params[0]
        .key
        .expose_secret()
        .to_vec();
    assert_eq!(our_key.len(), 44);

    let mut client = connect(handle).await;
    let mut dialog = Dialog::new(handle);
    let invite = dialog.request("INVITE", Some(&offer.to_bytes()));
    let (code, tag, body) = client.transact(&invite).await;
    assert_eq!(code, 200);
    dialog.to_tag = Some(tag.expect("200 has a To tag"));
    let answer = SessionDescription::parse(&body).unwrap();
    assert_eq!(answer.media.len(), 1);
    let m = &answer.media[0];
    assert_ne!(m.port, 0);
    assert_eq!(m.formats, ["0"]);
    let cryptos: Vec<_> = m.cryptos().collect();
    assert_eq!(cryptos.len(), 1, "{answer}");
    assert_eq!(cryptos[0].suite, CryptoSuite::AeadAes256Gcm);
    assert_eq!(cryptos[0].tag, 1);
    assert!(m.has_rtcp_mux());
    let their_key = cryptos[0].key_params[0].key.expose_secret().to_vec();
    assert_ne!(their_key, our_key);
    let echo_addr = SocketAddr::new(
        answer
            .connection_of(0)
            .unwrap()
            .address
            .host
            .to_string()
            .parse()
            .unwrap(),
        m.port,
    );
    assert_eq!(handle.active_calls(), 1);
    let ack = dialog.request("ACK", None);
    client.send(&ack).await;

    let mut tx = gcm_context(&our_key);
    let mut rx = gcm_context(&their_key);
    let ssrc = 0x1234_5678;
    // A packet under a key nobody negotiated must not come back.
    let mut forger = gcm_context(&random_bytes(44));
    udp.send_to(&srtp_packet(&mut forger, ssrc, 999), echo_addr)
        .await
        .unwrap();
    for seq in 1000..1050u16 {
        udp.send_to(&srtp_packet(&mut tx, ssrc, seq), echo_addr)
            .await
            .unwrap();
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut echo_ssrc = None;
    let mut buf = vec![0u8; 2048];
    while seen.len() < 50 {
        let (n, from) = tokio::time::timeout(LIMIT, udp.recv_from(&mut buf))
            .await
            .expect("echo missing")
            .unwrap();
        assert_eq!(from, echo_addr, "echo comes from the answered port");
        let len = rx.unprotect_rtp(&mut buf[..n]).expect("echo authenticates");
        let rtp = RtpPacket::parse(&buf[..len]).unwrap();
        let seq = rtp.sequence_number();
        assert!((1000..1050).contains(&seq), "unexpected seq {seq}");
        assert_eq!(rtp.payload(), payload(seq), "payload of {seq}");
        assert_eq!(rtp.payload_type(), 0);
        assert_eq!(rtp.timestamp(), u32::from(seq) * 160);
        assert_ne!(rtp.ssrc(), ssrc, "SSRC is rewritten");
        assert_eq!(*echo_ssrc.get_or_insert(rtp.ssrc()), rtp.ssrc());
        assert!(seen.insert(seq), "duplicate echo of {seq}");
    }
    // Nothing more: the forged packet was dropped.
    let extra = tokio::time::timeout(Duration::from_millis(300), udp.recv_from(&mut buf)).await;
    assert!(extra.is_err(), "unexpected extra datagram");

    let bye = dialog.request("BYE", None);
    let (code, _, _) = client.transact(&bye).await;
    assert_eq!(code, 200);
    assert_eq!(handle.active_calls(), 0);
    // A second BYE finds no call.
    let bye = dialog.request("BYE", None);
    assert_eq!(client.transact(&bye).await.0, 481);
    svc.stop.send(true).unwrap();
    let mut handle = svc.handle;
    handle.join().await;
}

fn gcm_key(sdp: &SessionDescription) -> Vec<u8> {
    let crypto = sdp.media[0].cryptos().next().unwrap();
    assert_eq!(crypto.suite, CryptoSuite::AeadAes256Gcm);
    crypto.key_params[0].key.expose_secret().to_vec()
}

/// Sends packets `seqs` protected by `tx` and returns the sequence numbers echoed (and
/// authenticated by `rx`) within a short wait.
async fn exchange(
    udp: &UdpSocket,
    to: SocketAddr,
    tx: &mut SrtpContext,
    rx: &mut SrtpContext,
    seqs: std::ops::Range<u16>,
) -> Vec<u16> {
    for seq in seqs {
        udp.send_to(&srtp_packet(tx, 0x0bad_cafe, seq), to)
            .await
            .unwrap();
    }
    let mut got = Vec::new();
    let mut buf = vec![0u8; 2048];
    while let Ok(r) =
        tokio::time::timeout(Duration::from_millis(300), udp.recv_from(&mut buf)).await
    {
        let (n, _) = r.unwrap();
        let len = rx.unprotect_rtp(&mut buf[..n]).expect("echo authenticates");
        got.push(RtpPacket::parse(&buf[..len]).unwrap().sequence_number());
    }
    got.sort_unstable();
    got
}

#[tokio::test]
async fn reinvite_rekeys_without_a_gap_and_hold_stops_the_echo() {
    let svc = start().await;
    let udp = UdpSocket::bind((LOCALHOST, 0)).await.unwrap();
    let port = udp.local_addr().unwrap().port();
    let mut client = connect(&svc.handle).await;
    let mut dialog = Dialog::new(&svc.handle);

    let first = offer(port, vec![CryptoSuite::AeadAes256Gcm]);
    let (code, tag, body) = client
        .transact(&dialog.request("INVITE", Some(&first.to_bytes())))
        .await;
    assert_eq!(code, 200);
    dialog.to_tag = tag;
    client.send(&dialog.request("ACK", None)).await;
    let answer = SessionDescription::parse(&body).unwrap();
    let echo_addr = SocketAddr::new(LOCALHOST, answer.media[0].port);
    let mut old_tx = gcm_context(&gcm_key(&first));
    let mut rx = gcm_context(&gcm_key(&answer));
    let got = exchange(&udp, echo_addr, &mut old_tx, &mut rx, 1..6).await;
    assert_eq!(got, [1, 2, 3, 4, 5]);

    // New offerer key; our port and key stay, so `rx` keeps working.
    let second = offer(port, vec![CryptoSuite::AeadAes256Gcm]);
    let (code, _, body) = client
        .transact(&dialog.request("INVITE", Some(&second.to_bytes())))
        .await;
    assert_eq!(code, 200);
    client.send(&dialog.request("ACK", None)).await;
    let again = SessionDescription::parse(&body).unwrap();
    assert_eq!(again.media[0].port, answer.media[0].port);
    assert_eq!(gcm_key(&again), gcm_key(&answer));
    // Packets still under the old key (in flight) come back...
    let got = exchange(&udp, echo_addr, &mut old_tx, &mut rx, 6..8).await;
    assert_eq!(got, [6, 7]);
    // ...and so do those under the new key; after that the old key is gone.
    let mut new_tx = gcm_context(&gcm_key(&second));
    let got = exchange(&udp, echo_addr, &mut new_tx, &mut rx, 8..11).await;
    assert_eq!(got, [8, 9, 10]);
    let got = exchange(&udp, echo_addr, &mut old_tx, &mut rx, 11..12).await;
    assert!(got.is_empty(), "old key retired: {got:?}");

    // Hold (we are offered sendonly, answer recvonly): nothing comes back.
    let hold = offer_with(port, vec![CryptoSuite::AeadAes256Gcm], Direction::SendOnly);
    let (code, _, body) = client
        .transact(&dialog.request("INVITE", Some(&hold.to_bytes())))
        .await;
    assert_eq!(code, 200);
    client.send(&dialog.request("ACK", None)).await;
    let held = SessionDescription::parse(&body).unwrap();
    assert_eq!(held.media[0].direction(), Some(Direction::RecvOnly));
    let mut hold_tx = gcm_context(&gcm_key(&hold));
    let got = exchange(&udp, echo_addr, &mut hold_tx, &mut rx, 12..15).await;
    assert!(got.is_empty(), "no echo on hold: {got:?}");

    assert_eq!(client.transact(&dialog.request("BYE", None)).await.0, 200);
    assert_eq!(svc.handle.active_calls(), 0);
}

#[tokio::test]
async fn offer_without_a_supported_suite_gets_488() {
    let svc = start().await;
    let mut client = connect(&svc.handle).await;
    let offer = offer(
        40000,
        vec![
            CryptoSuite::F8_128HmacSha1_80,
            CryptoSuite::Other("FANCY_NEW_SUITE".into()),
        ],
    );
    let text = offer.to_string();
    assert!(
        text.contains("a=crypto:1 F8_128_HMAC_SHA1_80 inline:"),
        "{text}"
    );
    assert!(
        text.contains("a=crypto:2 FANCY_NEW_SUITE inline:"),
        "{text}"
    );
    let mut dialog = Dialog::new(&svc.handle);
    let invite = dialog.request("INVITE", Some(&offer.to_bytes()));
    let (code, tag, _) = client.transact(&invite).await;
    assert_eq!(code, 488);
    assert!(tag.is_some());
    assert_eq!(svc.handle.active_calls(), 0);
    // The connection is still good.
    let options = Dialog::new(&svc.handle).request("OPTIONS", None);
    assert_eq!(client.transact(&options).await.0, 200);
}

#[tokio::test]
async fn restart_reuses_the_certificates() {
    let dir = TempDir::new();
    let data = dir.0.join("data");
    let (first, stop) = start_in(data.clone()).await;
    let files = ["echo-ca.pem", "echo-cert.pem", "echo-key.pem"];
    let before: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(data.join(f)).unwrap())
        .collect();
    assert_eq!(first.ca_pem_path, data.join("echo-ca.pem"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.join("echo-key.pem"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let ca = first.ca_der.clone();
    let config = first.client_config().unwrap();
    stop.send(true).unwrap();
    let mut first = first;
    first.join().await;

    let (second, _stop) = start_in(data.clone()).await;
    assert_eq!(second.ca_der, ca, "same CA after restart");
    let after: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(data.join(f)).unwrap())
        .collect();
    assert_eq!(before, after, "files untouched");
    // A client configured for the first instance trusts the second.
    let tcp = TcpStream::connect(second.addr).await.unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    tokio::time::timeout(LIMIT, TlsConnector::from(config).connect(name, tcp))
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn certificate_verifies_by_ip_address_too() {
    let svc = start().await;
    let name = ServerName::IpAddress(Ipv4Addr::LOCALHOST.into());
    let mut client = connect_as(&svc.handle, name).await;
    let options = Dialog::new(&svc.handle).request("OPTIONS", None);
    let (code, _, _) = client.transact(&options).await;
    assert_eq!(code, 200);
}

#[tokio::test]
async fn garbage_and_oversized_input_close_the_connection() {
    let svc = start().await;
    // Not a SIP message.
    let mut client = connect(&svc.handle).await;
    client
        .stream
        .write_all(b"\x00\x01\x02 definitely not SIP\r\n\r\n")
        .await
        .unwrap();
    client.stream.flush().await.unwrap();
    assert!(client.closed_by_server().await, "garbage closes");

    // A header that never ends, beyond the message limit.
    let mut client = connect(&svc.handle).await;
    let mut big = b"INVITE sips:echo@127.0.0.1 SIP/2.0\r\nX-Padding: ".to_vec();
    big.extend(std::iter::repeat_n(b'a', echo::MAX_MESSAGE + 1024));
    // The server may close before all of it is written.
    let _ = client.stream.write_all(&big).await;
    let _ = client.stream.flush().await;
    assert!(client.closed_by_server().await, "oversized closes");

    // A body longer than the limit, announced by Content-Length.
    let mut client = connect(&svc.handle).await;
    let head = format!(
        "INVITE sips:echo@127.0.0.1 SIP/2.0\r\nContent-Length: {}\r\n\r\n",
        echo::MAX_MESSAGE * 2
    );
    client.stream.write_all(head.as_bytes()).await.unwrap();
    client.stream.flush().await.unwrap();
    assert!(client.closed_by_server().await, "oversized body closes");

    // Plain TCP garbage never completes a handshake.
    let mut tcp = TcpStream::connect(svc.handle.addr).await.unwrap();
    tcp.write_all(b"INVITE sip:echo@127.0.0.1 SIP/2.0\r\n\r\n")
        .await
        .unwrap();
    let mut chunk = [0u8; 256];
    let end = tokio::time::timeout(LIMIT, async {
        loop {
            match tcp.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(end.is_ok(), "plain TCP closes");

    // The service is fine.
    let mut client = connect(&svc.handle).await;
    let options = Dialog::new(&svc.handle).request("OPTIONS", None);
    assert_eq!(client.transact(&options).await.0, 200);
    assert_eq!(svc.handle.active_calls(), 0);
}

#[tokio::test]
async fn closing_the_connection_ends_its_calls_and_shutdown_stops_everything() {
    let svc = start().await;
    let offer = offer(40002, vec![CryptoSuite::AeadAes256Gcm]);
    let mut client = connect(&svc.handle).await;
    let mut dialog = Dialog::new(&svc.handle);
    let invite = dialog.request("INVITE", Some(&offer.to_bytes()));
    assert_eq!(client.transact(&invite).await.0, 200);
    assert_eq!(svc.handle.active_calls(), 1);
    drop(client);
    let deadline = tokio::time::Instant::now() + LIMIT;
    while svc.handle.active_calls() != 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "call outlived its connection"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let mut client = connect(&svc.handle).await;
    let mut dialog = Dialog::new(&svc.handle);
    let invite = dialog.request("INVITE", Some(&offer.to_bytes()));
    assert_eq!(client.transact(&invite).await.0, 200);
    let addr = svc.handle.addr;
    svc.stop.send(true).unwrap();
    assert!(
        client.closed_by_server().await,
        "shutdown closes connections"
    );
    let mut handle = svc.handle;
    tokio::time::timeout(LIMIT, handle.join()).await.unwrap();
    assert_eq!(handle.active_calls(), 0, "calls end with their connections");
    assert!(
        tokio::time::timeout(LIMIT, TcpStream::connect(addr))
            .await
            .unwrap()
            .is_err(),
        "listener closed"
    );
}
