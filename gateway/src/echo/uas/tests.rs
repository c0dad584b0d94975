//! The echo UAS against the wire, and against the legs: what they take and refuse, it does.

use super::*;
use crate::call::sdes;
use roomgate_media::relay::StreamKind;
use roomgate_sip::sdp::{Crypto, Direction, KeyMaterial, MediaDescription};
use std::net::Ipv4Addr;

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

fn settings(max_calls: usize) -> Arc<Settings> {
    Arc::new(Settings::new(
        LOCALHOST,
        super::super::EchoConfig::default().suites,
        max_calls,
        "<sips:echo@127.0.0.1:5061;transport=tls>".to_owned(),
    ))
}

struct Peer {
    call_id: String,
    from_tag: String,
    to_tag: Option<String>,
    cseq: u32,
}

impl Peer {
    fn new() -> Peer {
        Peer {
            call_id: format!("{:x}@test", rand::random::<u64>()),
            from_tag: "gw1".to_owned(),
            to_tag: None,
            cseq: 0,
        }
    }

    fn request(&mut self, method: &str, body: Option<&str>, extra: &[(&str, &str)]) -> Vec<u8> {
        if method != "ACK" && method != "CANCEL" {
            self.cseq += 1;
        }
        let to = match &self.to_tag {
            Some(t) => format!("<sips:echo@127.0.0.1>;tag={t}"),
            None => "<sips:echo@127.0.0.1>".to_owned(),
        };
        let mut msg = OwnedMessage::request(method, "sips:echo@127.0.0.1:5061;transport=tls")
            .with(
                HeaderName::Via,
                "SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bKunit",
            )
            .with(HeaderName::MaxForwards, 70)
            .with(
                HeaderName::From,
                format!("<sips:gw@127.0.0.1>;tag={}", self.from_tag),
            )
            .with(HeaderName::To, to)
            .with(HeaderName::CallId, &self.call_id)
            .with(HeaderName::CSeq, format!("{} {method}", self.cseq));
        for (name, value) in extra {
            msg.push(HeaderName::from_wire(name), value);
        }
        if !extra.iter().any(|(n, _)| *n == "Contact") {
            msg.push(
                HeaderName::Contact,
                "<sips:gw@127.0.0.1:5061;transport=tls>",
            );
        }
        match body {
            Some(b) => msg.with_body(SDP, b.as_bytes().to_vec()).to_bytes(),
            None => msg.to_bytes(),
        }
    }
}

/// Status, To tag and body of the response.
fn send(uas: &mut Uas, bytes: &[u8]) -> (u16, Option<String>, String) {
    let out = uas.handle(bytes).expect("a response");
    let msg = decode_datagram(&out).unwrap();
    (
        msg.status_line().unwrap().code,
        msg.to_header().unwrap().tag().map(str::to_owned),
        String::from_utf8(msg.body.to_vec()).unwrap(),
    )
}

fn crypto(tag: u32, suite: CryptoSuite, byte: u8) -> String {
    let len = suite.key_salt_len().map_or(30, |(k, s)| k + s);
    Crypto::new(tag, suite, KeyMaterial::new(vec![byte; len])).to_string()
}

fn offer(version: u32, audio_dir: &str, audio_crypto: &str) -> String {
    format!(
        "v=0\r\no=gw 7 {version} IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
         m=audio 40000 RTP/SAVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n\
         a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=crypto:{audio_crypto}\r\n\
         a=rtcp-mux\r\na={audio_dir}\r\n\
         m=video 40002 RTP/SAVP 96\r\na=rtpmap:96 H264/90000\r\n\
         a=fmtp:96 profile-level-id=42e028;packetization-mode=1\r\na=crypto:{}\r\n\
         a=rtcp-mux\r\n",
        crypto(3, CryptoSuite::AeadAes256Gcm, 9)
    )
}

fn parse(body: &str) -> SessionDescription {
    SessionDescription::parse(body.as_bytes()).unwrap()
}

fn our_key(sdp: &SessionDescription, i: usize) -> Vec<u8> {
    sdp.media[i].cryptos().next().unwrap().key_params[0]
        .key
        .expose_secret()
        .to_vec()
}

#[tokio::test]
async fn methods_outside_calls() {
    let mut uas = Uas::new(settings(4));
    let mut peer = Peer::new();
    let out = uas.handle(&peer.request("OPTIONS", None, &[])).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("SIP/2.0 200 OK\r\n"), "{text}");
    assert!(text.contains(&format!("Allow: {ALLOW}\r\n")));
    assert_eq!(send(&mut uas, &peer.request("REGISTER", None, &[])).0, 405);
    assert_eq!(
        send(&mut uas, &peer.request("FROBNICATE", None, &[])).0,
        501
    );
    assert_eq!(send(&mut uas, &peer.request("BYE", None, &[])).0, 481);
    assert_eq!(send(&mut uas, &peer.request("CANCEL", None, &[])).0, 481);
    assert!(uas.handle(&peer.request("ACK", None, &[])).is_none());
    let body = offer(1, "sendrecv", &crypto(1, CryptoSuite::AeadAes256Gcm, 1));
    let invite = peer.request("INVITE", Some(&body), &[("Require", "100rel")]);
    let out = String::from_utf8(uas.handle(&invite).unwrap()).unwrap();
    assert!(out.starts_with("SIP/2.0 420 "), "{out}");
    assert!(out.contains("Unsupported: 100rel\r\n"));
    let invite = peer.request("INVITE", Some(&body), &[("Require", "timer")]);
    assert_eq!(send(&mut uas, &invite).0, 420);
    // Not SIP at all: nothing to answer. Missing Call-ID: 400.
    assert!(uas.handle(b"hello\r\n\r\n").is_none());
    let broken = b"OPTIONS sips:echo@127.0.0.1 SIP/2.0\r\n\
        Via: SIP/2.0/TLS 127.0.0.1;branch=z9hG4bKx\r\n\
        From: <sips:a@b>;tag=1\r\nTo: <sips:echo@127.0.0.1>\r\n\
        CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    let out = uas.handle(broken).unwrap();
    assert!(out.starts_with(b"SIP/2.0 400 Bad Request\r\n"));
    assert_eq!(uas.call_count(), 0);
}

#[tokio::test]
async fn invite_reinvite_and_bye() {
    let settings = settings(4);
    let mut uas = Uas::new(settings.clone());
    let mut peer = Peer::new();
    let first = offer(1, "sendrecv", &crypto(1, CryptoSuite::AeadAes256Gcm, 1));
    let (code, tag, body) = send(&mut uas, &peer.request("INVITE", Some(&first), &[]));
    assert_eq!(code, 200);
    peer.to_tag = tag;
    let answer = parse(&body);
    assert_eq!(answer.origin.session_version, "1");
    assert_eq!(answer.media.len(), 2);
    let audio = &answer.media[0];
    assert_ne!(audio.port, 0);
    assert_eq!(audio.formats, ["0", "101"]);
    assert_eq!(audio.direction(), Some(Direction::SendRecv));
    assert!(audio.has_rtcp_mux());
    let video = &answer.media[1];
    assert_ne!(video.port, 0);
    assert_eq!(
        video.fmtp("96").unwrap().params,
        "profile-level-id=42e028;packetization-mode=1",
        "the offer's H.264 parameters come back"
    );
    let video_crypto = video.cryptos().next().unwrap();
    assert_eq!(
        (video_crypto.tag, &video_crypto.suite),
        (3, &CryptoSuite::AeadAes256Gcm)
    );
    assert_eq!(settings.active_calls(), 1);
    assert!(uas.handle(&peer.request("ACK", None, &[])).is_none());

    // A refresh with the same offer: the same answer, version included.
    let (code, _, body) = send(&mut uas, &peer.request("INVITE", Some(&first), &[]));
    assert_eq!(code, 200);
    assert_eq!(parse(&body), answer);
    uas.handle(&peer.request("ACK", None, &[]));

    // The offerer re-keys: our ports and key stay.
    let rekeyed = offer(2, "sendrecv", &crypto(1, CryptoSuite::AeadAes256Gcm, 2));
    let (code, _, body) = send(&mut uas, &peer.request("INVITE", Some(&rekeyed), &[]));
    assert_eq!(code, 200);
    let again = parse(&body);
    assert_eq!(again, answer);
    uas.handle(&peer.request("ACK", None, &[]));

    // Hold: the answer changes, so does the version; the suite changes, so does our key.
    let hold = offer(
        3,
        "sendonly",
        &crypto(1, CryptoSuite::AesCm128HmacSha1_80, 3),
    );
    let (code, _, body) = send(&mut uas, &peer.request("INVITE", Some(&hold), &[]));
    assert_eq!(code, 200);
    let held = parse(&body);
    assert_eq!(held.origin.session_version, "2");
    assert_eq!(held.media[0].port, answer.media[0].port);
    assert_eq!(held.media[0].direction(), Some(Direction::RecvOnly));
    assert_ne!(our_key(&held, 0), our_key(&answer, 0));
    assert_eq!(our_key(&held, 1), our_key(&answer, 1), "video unchanged");
    uas.handle(&peer.request("ACK", None, &[]));

    // Nothing acceptable: 488, and the call goes on.
    let bad = offer(4, "sendrecv", &crypto(1, CryptoSuite::F8_128HmacSha1_80, 4))
        .replace("a=crypto:3 AEAD_AES_256_GCM", "a=crypto:3 NOT_A_SUITE");
    let (code, _, _) = send(&mut uas, &peer.request("INVITE", Some(&bad), &[]));
    assert_eq!(code, 488);
    uas.handle(&peer.request("ACK", None, &[]));
    assert_eq!(settings.active_calls(), 1);

    // In-dialog OPTIONS and INFO are fine; UPDATE is not ours.
    assert_eq!(send(&mut uas, &peer.request("OPTIONS", None, &[])).0, 200);
    assert_eq!(send(&mut uas, &peer.request("INFO", None, &[])).0, 200);
    assert_eq!(send(&mut uas, &peer.request("UPDATE", None, &[])).0, 405);

    assert_eq!(send(&mut uas, &peer.request("BYE", None, &[])).0, 200);
    assert_eq!(settings.active_calls(), 0);
    assert_eq!(send(&mut uas, &peer.request("BYE", None, &[])).0, 481);
}

#[tokio::test]
async fn delayed_offer_takes_the_answer_from_ack() {
    let settings = settings(4);
    let mut uas = Uas::new(settings.clone());
    let mut peer = Peer::new();
    let (code, tag, body) = send(&mut uas, &peer.request("INVITE", None, &[]));
    assert_eq!(code, 200);
    peer.to_tag = tag;
    let ours = parse(&body);
    assert_eq!(ours.media.len(), 2);
    for m in &ours.media {
        assert_eq!(m.proto.as_str(), "RTP/SAVP");
        assert_eq!(m.cryptos().count(), 4);
        assert!(m.has_rtcp_mux());
    }
    assert_eq!(
        ours.media[0].cryptos().next().unwrap().suite,
        CryptoSuite::AeadAes256Gcm
    );
    // Answer audio with tag 2 (AES_256_CM), refuse video.
    let answer = format!(
        "v=0\r\no=gw 7 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
         m=audio 40000 RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\na=crypto:{}\r\na=rtcp-mux\r\n\
         m=video 0 RTP/SAVP 97\r\n",
        crypto(2, CryptoSuite::Aes256CmHmacSha1_80, 5)
    );
    assert!(uas
        .handle(&peer.request("ACK", Some(&answer), &[]))
        .is_none());
    assert_eq!(settings.active_calls(), 1);
    let call = uas.calls.values().next().unwrap();
    assert!(call.streams[0].is_some());
    assert!(call.streams[1].is_none());
    assert_eq!(
        call.streams[0]
            .as_ref()
            .unwrap()
            .keys
            .as_ref()
            .unwrap()
            .suite,
        CryptoSuite::Aes256CmHmacSha1_80
    );

    // A re-INVITE without an offer gets the session as it is, answered in the ACK.
    let (code, _, body) = send(&mut uas, &peer.request("INVITE", None, &[]));
    assert_eq!(code, 200);
    assert_eq!(parse(&body), ours);
    assert!(uas
        .handle(&peer.request("ACK", Some(&answer), &[]))
        .is_none());
    assert_eq!(settings.active_calls(), 1);

    // An ACK without the answer ends the call.
    let mut other = Peer::new();
    let (code, tag, _) = send(&mut uas, &other.request("INVITE", None, &[]));
    assert_eq!(code, 200);
    other.to_tag = tag;
    assert_eq!(settings.active_calls(), 2);
    assert!(uas.handle(&other.request("ACK", None, &[])).is_none());
    assert_eq!(settings.active_calls(), 1);
}

#[tokio::test]
async fn cancel_retransmission_and_capacity() {
    let settings = settings(1);
    let mut uas = Uas::new(settings.clone());
    let mut peer = Peer::new();
    let body = offer(1, "sendrecv", &crypto(1, CryptoSuite::AeadAes256Gcm, 1));
    let invite = peer.request("INVITE", Some(&body), &[]);
    let (code, tag, first) = send(&mut uas, &invite);
    assert_eq!(code, 200);
    // The same INVITE again: the same answer, no second call.
    let (code, again_tag, again) = send(&mut uas, &invite);
    assert_eq!((code, &again_tag, &again), (200, &tag, &first));
    assert_eq!(settings.active_calls(), 1);
    // CANCEL of the answered INVITE: 200, the call stays (the INVITE completed).
    assert_eq!(send(&mut uas, &peer.request("CANCEL", None, &[])).0, 200);
    assert_eq!(settings.active_calls(), 1);
    // Full.
    let mut second = Peer::new();
    assert_eq!(
        send(&mut uas, &second.request("INVITE", Some(&body), &[])).0,
        486
    );
    // INVITE without Contact cannot make a dialog: refused, nothing kept.
    peer.to_tag = tag;
    assert_eq!(send(&mut uas, &peer.request("BYE", None, &[])).0, 200);
    let mut third = Peer::new();
    let no_contact = third.request("INVITE", Some(&body), &[("Contact", "")]);
    let no_contact = String::from_utf8(no_contact)
        .unwrap()
        .replace("Contact: \r\n", "");
    assert_eq!(send(&mut uas, no_contact.as_bytes()).0, 400);
    assert_eq!(settings.active_calls(), 0);
    assert_eq!(
        send(&mut uas, &second.request("INVITE", Some(&body), &[])).0,
        200
    );
}

#[test]
fn crypto_lines_we_cannot_honour_are_dropped() {
    let ok = Crypto::parse(&crypto(1, CryptoSuite::AeadAes256Gcm, 1)).unwrap();
    assert!(sdes::line_policy(&ok).is_ok());
    let kdr = Crypto::parse(&format!(
        "{} KDR=2",
        crypto(1, CryptoSuite::AeadAes256Gcm, 1)
    ))
    .unwrap();
    assert_eq!(sdes::line_policy(&kdr).err(), Some(sdes::Unusable::Kdr));
    let wsh = Crypto::parse(&format!(
        "{} WSH=128",
        crypto(1, CryptoSuite::AeadAes256Gcm, 1)
    ))
    .unwrap();
    assert!(sdes::line_policy(&wsh).is_ok());
    let f8 = Crypto::parse(&crypto(1, CryptoSuite::F8_128HmacSha1_80, 1)).unwrap();
    assert_eq!(sdes::line_policy(&f8).err(), Some(sdes::Unusable::Suite));
}

/// An offer with every codec the legs take, and some they do not, in one audio and one
/// video stream; no `fmtp` on Opus, so the mirrored answer can be told from the legs' own.
fn every_codec_offer() -> String {
    let line = crypto(1, CryptoSuite::AeadAes256Gcm, 1);
    format!(
        "v=0\r\no=gw 7 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
         m=audio 40000 RTP/SAVP 111 9 0 8 18 102 101\r\na=rtpmap:111 opus/48000/2\r\n\
         a=rtpmap:9 G722/8000\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n\
         a=rtpmap:18 G729/8000\r\na=rtpmap:102 iLBC/8000\r\n\
         a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=crypto:{line}\r\n\
         a=rtcp-mux\r\n\
         m=video 40002 RTP/SAVP 96 98 100\r\na=rtpmap:96 H264/90000\r\n\
         a=fmtp:96 profile-level-id=42e028;packetization-mode=1\r\n\
         a=rtpmap:98 H264/90000\r\na=fmtp:98 profile-level-id=42e028\r\n\
         a=rtpmap:100 VP8/90000\r\na=crypto:{line}\r\na=rtcp-mux\r\n"
    )
}

/// The legs' capabilities toward a cloud meeting, which the echo stands in for.
fn legs_caps() -> LocalCapabilities {
    let policy = MediaPolicy {
        srtp: SrtpPolicy::Mandatory,
        suites: negotiate::default_suites(),
    };
    negotiate::capabilities(LOCALHOST, &policy, 1, 1, negotiate::audio_codecs(), true)
}

#[tokio::test]
async fn answers_exactly_the_codecs_the_legs_answer() {
    let mut uas = Uas::new(settings(4));
    let mut peer = Peer::new();
    let body = every_codec_offer();
    let (code, _, answer) = send(&mut uas, &peer.request("INVITE", Some(&body), &[]));
    assert_eq!(code, 200);
    let echo = parse(&answer);
    let legs = negotiate::answer(&parse(&body), &legs_caps(), |_| Some(40000));
    assert_eq!(echo.media.len(), 2);
    for (i, (e, l)) in echo.media.iter().zip(&legs.media).enumerate() {
        assert_eq!(
            e.formats, l.formats,
            "stream {i}: the legs' table, not a copy"
        );
    }
    // Not vacuous: the table filtered both streams (G.729, iLBC and VP8 are not ours) and
    // takes both H.264 packetization modes.
    assert_eq!(echo.media[0].formats, ["111", "9", "0", "8", "101"]);
    assert_eq!(echo.media[1].formats, ["96", "98"]);
    // The one difference is documented: the echo mirrors the offer's fmtp where the legs put
    // their own.
    assert!(echo.media[0].fmtp("111").is_none());
    assert!(legs.media[0].fmtp("111").is_some());
    assert_eq!(echo.media[0].fmtp("101").unwrap().params, "0-15");
    assert_eq!(
        echo.media[1].fmtp("98").unwrap().params,
        "profile-level-id=42e028"
    );
}

#[tokio::test]
async fn delayed_offer_lists_the_codecs_the_legs_offer() {
    let mut uas = Uas::new(settings(4));
    let mut peer = Peer::new();
    let (code, _, body) = send(&mut uas, &peer.request("INVITE", None, &[]));
    assert_eq!(code, 200);
    let echo = parse(&body);
    let streams = [(StreamKind::Audio, 40000), (StreamKind::Video, 40002)];
    let legs = negotiate::offer(&legs_caps(), &streams, Direction::SendRecv).unwrap();
    assert_eq!(echo.media.len(), legs.media.len());
    for (i, (e, l)) in echo.media.iter().zip(&legs.media).enumerate() {
        assert_eq!(e.formats, l.formats, "stream {i}");
        let suites =
            |m: &MediaDescription| m.cryptos().map(|c| c.suite.clone()).collect::<Vec<_>>();
        assert_eq!(
            suites(e),
            suites(l),
            "stream {i}: every suite, in the legs' order"
        );
    }
}

/// An audio-only SAVP offer carrying `cryptos`.
fn audio_offer(cryptos: &[String]) -> String {
    let mut sdp = "v=0\r\no=gw 7 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
                   m=audio 40000 RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
        .to_owned();
    for c in cryptos {
        sdp.push_str(&format!("a=crypto:{c}\r\n"));
    }
    sdp
}

#[tokio::test]
async fn refuses_every_crypto_line_the_legs_refuse() {
    let mut uas = Uas::new(settings(64));
    let good = crypto(2, CryptoSuite::AesCm128HmacSha1_80, 7);
    for (what, bad) in crate::call::negotiate::tests::unusable_lines() {
        // Alone: the legs refuse the stream, the echo the call.
        let alone = audio_offer(std::slice::from_ref(&bad));
        let legs = negotiate::answer(&parse(&alone), &legs_caps(), |_| Some(40000));
        assert_eq!(legs.media[0].port, 0, "{what}: the legs refuse it");
        let (code, _, _) = send(&mut uas, &Peer::new().request("INVITE", Some(&alone), &[]));
        assert_eq!(code, 488, "{what}: so does the echo");
        // Followed by a usable line: both take that one.
        let both = audio_offer(&[bad, good.clone()]);
        let legs = negotiate::answer(&parse(&both), &legs_caps(), |_| Some(40000));
        let (code, _, body) = send(&mut uas, &Peer::new().request("INVITE", Some(&both), &[]));
        assert_eq!(code, 200, "{what}");
        let tag =
            |sdp: &SessionDescription| sdp.media[0].cryptos().map(|c| c.tag).collect::<Vec<_>>();
        assert_eq!(tag(&parse(&body)), [2], "{what}: the usable second line");
        assert_eq!(tag(&parse(&body)), tag(&legs), "{what}");
    }
}
