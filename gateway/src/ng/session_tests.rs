//! ng calls on a relay core with no sockets: offers and answers as Kamailio's module sends
//! them, packets fed to the relay's ports, what it forwards read back.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use roomgate_media::relay::{Relay, RelayConfig};
use roomgate_media::rtp::RtpBuilder;
use roomgate_media::srtp::{Policy, SrtpContext, Suite};
use roomgate_sip::sdp::{Proto, SessionDescription};

use super::bencode::Value;
use super::cache::ReplyCache;
use super::message::{Command, OfferAnswer, Response};
use super::sessions::{NgCalls, MAX_ID_LEN, MEDIA_TIMEOUT, SETUP_TIMEOUT};
use crate::call::media_plane::{LocalRelay, MediaPlane};
use crate::call::sip_leg::Ids;

const A_KEY: [u8; 30] = [0x11; 30];
const A_KEY_B64: &str = "ERERERERERERERERERERERERERERERERERERERER";

fn a_offer(proto: &str, crypto: &str) -> String {
    format!(
        "v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
m=audio 5000 {proto} 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n\
a=ice-ufrag:abcd\r\na=candidate:1 1 UDP 1 127.0.0.1 5000 typ host\r\n{crypto}a=sendrecv\r\n"
    )
}

fn b_answer(proto: &str, pt: &str, crypto: &str) -> String {
    format!(
        "v=0\r\no=b 2 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
m=audio 6000 {proto} {pt} 101\r\na=rtpmap:101 telephone-event/8000\r\n{crypto}a=sendrecv\r\n"
    )
}

fn a_crypto() -> String {
    format!("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{A_KEY_B64}\r\n")
}

struct Bench {
    plane: MediaPlane,
    calls: NgCalls,
    now: Instant,
}

impl Bench {
    fn new() -> Bench {
        let now = Instant::now();
        let relay = Relay::new(
            now,
            RelayConfig {
                port_min: 41000,
                port_max: 41063,
                ..RelayConfig::default()
            },
        );
        Bench {
            plane: MediaPlane::Local(Box::new(LocalRelay::new(relay, now))),
            calls: NgCalls::new("127.0.0.1".parse().unwrap(), Ids::seeded(7)),
            now,
        }
    }

    fn local(&self) -> &LocalRelay {
        match &self.plane {
            MediaPlane::Local(l) => l,
            MediaPlane::Workers(_) => unreachable!(),
        }
    }

    fn run(&mut self, c: Command) -> Response {
        self.calls.handle(self.now, 1_700_000_000, &self.plane, &c)
    }

    fn sdp(&mut self, c: Command) -> SessionDescription {
        match self.run(c) {
            Response::Ok(e) => {
                let sdp = e.iter().find(|(k, _)| k == "sdp").unwrap();
                SessionDescription::parse(sdp.1.as_str().unwrap().as_bytes()).unwrap()
            }
            other => panic!("{other:?}"),
        }
    }

    fn sessions(&self) -> usize {
        self.plane.session_count()
    }
}

fn oa(call: &str, to: Option<&str>, sdp: &str) -> OfferAnswer {
    OfferAnswer {
        call_id: call.into(),
        from_tag: "ta".into(),
        to_tag: to.map(Into::into),
        sdp: sdp.as_bytes().to_vec(),
        ..OfferAnswer::default()
    }
}

fn offer(o: OfferAnswer) -> Command {
    Command::Offer(Box::new(o))
}

fn answer(o: OfferAnswer) -> Command {
    Command::Answer(Box::new(o))
}

fn error_of(r: Response) -> String {
    match r {
        Response::Error(e) => e,
        other => panic!("expected an error, got {other:?}"),
    }
}

fn rtp(seq: u16, payload: &[u8]) -> Vec<u8> {
    let b = RtpBuilder {
        marker: false,
        payload_type: 0,
        sequence_number: seq,
        timestamp: u32::from(seq) * 160,
        ssrc: 0x1234_5678,
        csrcs: &[],
        extension: None,
        padding: 0,
    };
    let mut out = vec![0u8; b.len(payload.len()) + 16];
    let n = b.write(payload, &mut out).unwrap();
    out.truncate(n);
    out
}

fn key_of(sdp: &SessionDescription) -> Vec<u8> {
    let c = sdp.media[0].cryptos().next().unwrap();
    c.key_params[0].key.expose_secret().to_vec()
}

fn context(key: &[u8]) -> SrtpContext {
    let s = Suite::AesCm128HmacSha1_80;
    SrtpContext::new(&Policy::new(s, &key[..16], &key[16..])).unwrap()
}

const A: &str = "127.0.0.1:5000";
const B: &str = "127.0.0.1:6000";

#[test]
fn an_srtp_offerer_and_a_plain_answerer_hear_each_other_through_the_relay() {
    let mut t = Bench::new();
    let mut o = oa("c1", None, &a_offer("RTP/SAVP", &a_crypto()));
    o.transport_protocol = Some("RTP/AVP".into());
    o.replace = vec!["origin".into(), "session-connection".into()];
    o.ice = Some("remove".into());
    let to_b = t.sdp(offer(o));
    let m = &to_b.media[0];
    assert_eq!(m.proto, Proto::RtpAvp);
    assert_eq!(m.cryptos().count(), 0, "plain toward B: no key at all");
    assert!(!to_b.to_bytes().windows(4).any(|w| w == b"ice-"));
    let b_port = m.port;
    assert!((41000..=41063).contains(&b_port));

    let to_a = t.sdp(answer(oa("c1", Some("tb"), &b_answer("RTP/AVP", "0", ""))));
    let m = &to_a.media[0];
    assert_eq!(m.proto, Proto::RtpSavp);
    let ours: Vec<_> = m.cryptos().collect();
    assert_eq!(ours.len(), 1);
    assert_eq!(ours[0].tag, 1);
    let our_key = key_of(&to_a);
    assert_ne!(our_key, A_KEY.to_vec(), "A's key never comes back");
    let a_port = m.port;
    assert_ne!(a_port, b_port);

    // A → relay: SRTP with A's key; B gets it decrypted.
    let mut to_relay = rtp(1, b"hello from A");
    context(&A_KEY).protect_rtp_vec(&mut to_relay).unwrap();
    t.local().receive(a_port, A.parse().unwrap(), &to_relay);
    let sent = t.local().take_sent();
    let at_b: Vec<_> = sent
        .iter()
        .filter(|s| s.to == B.parse::<SocketAddr>().unwrap())
        .collect();
    assert_eq!(at_b.len(), 1, "{sent:?}");
    assert!(
        at_b[0].bytes.ends_with(b"hello from A"),
        "B hears A in the clear"
    );

    // B → relay: plain; A gets it under our key.
    t.local()
        .receive(b_port, B.parse().unwrap(), &rtp(7, b"hello from B"));
    let sent = t.local().take_sent();
    let at_a: Vec<_> = sent
        .iter()
        .filter(|s| s.to == A.parse::<SocketAddr>().unwrap())
        .collect();
    assert_eq!(at_a.len(), 1, "{sent:?}");
    let mut pkt = at_a[0].bytes.clone();
    assert!(
        !pkt.windows(12).any(|w| w == b"hello from B"),
        "encrypted toward A"
    );
    context(&our_key).unprotect_rtp_vec(&mut pkt).unwrap();
    assert!(pkt.ends_with(b"hello from B"));

    // The same answer again (a retransmitted 200, new cookie): the same SDP, the same key,
    // and the relay still encrypts toward A with it.
    let again = t.sdp(answer(oa("c1", Some("tb"), &b_answer("RTP/AVP", "0", ""))));
    assert_eq!(again.to_bytes(), to_a.to_bytes());
    t.local()
        .receive(b_port, B.parse().unwrap(), &rtp(8, b"still heard"));
    let mut pkt = t
        .local()
        .take_sent()
        .into_iter()
        .find(|s| s.to == A.parse::<SocketAddr>().unwrap())
        .unwrap()
        .bytes;
    context(&our_key).unprotect_rtp_vec(&mut pkt).unwrap();
    assert!(pkt.ends_with(b"still heard"));

    // Query counts what the relay took from each side; delete releases the ports.
    let Response::Ok(q) = t.run(Command::Query {
        call_id: "c1".into(),
    }) else {
        panic!()
    };
    let totals = &q.iter().find(|(k, _)| k == "totals").unwrap().1;
    let rtp_totals = totals.get("RTP").unwrap();
    assert_eq!(rtp_totals.get("packets"), Some(&Value::Int(3)));
    let tags = &q.iter().find(|(k, _)| k == "tags").unwrap().1;
    assert!(tags.get("ta").is_some() && tags.get("tb").is_some());
    assert_eq!(t.sessions(), 1);
    assert!(matches!(
        t.run(Command::Delete {
            call_id: "c1".into(),
            from_tag: None,
            to_tag: None
        }),
        Response::Ok(_)
    ));
    assert_eq!(t.sessions(), 0);
    assert_eq!(
        error_of(t.run(Command::Query {
            call_id: "c1".into()
        })),
        "Unknown call-id"
    );
}

#[test]
fn an_srtp_side_is_never_relayed_in_the_clear() {
    // A signals SRTP; B is offered SRTP too (no transport-protocol) but answers plain RTP.
    let mut t = Bench::new();
    let to_b = t.sdp(offer(oa("c2", None, &a_offer("RTP/SAVP", &a_crypto()))));
    assert_eq!(to_b.media[0].proto, Proto::RtpSavp);
    assert!(to_b.media[0].cryptos().count() >= 1);
    let b_port = to_b.media[0].port;
    let e = error_of(t.run(answer(oa("c2", Some("tb"), &b_answer("RTP/AVP", "0", "")))));
    assert!(e.contains("SRTP refused"), "{e}");
    // Nothing configured: B's plain packets reach nobody, certainly not A.
    t.local()
        .receive(b_port, B.parse().unwrap(), &rtp(1, b"clear"));
    assert!(t.local().take_sent().is_empty());

    // An SRTP offer with no line our contexts can apply is refused at once.
    let bad = "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:ERERERERERERERERERERERERERERERERERERERER UNENCRYPTED_SRTP\r\n";
    let e = error_of(t.run(offer(oa("c3", None, &a_offer("RTP/SAVP", bad)))));
    assert!(e.contains("SDES line"), "{e}");
    // SRTP toward B with SDES off: refused, not sent plain.
    let mut o = oa("c4", None, &a_offer("RTP/AVP", ""));
    o.transport_protocol = Some("RTP/SAVP".into());
    o.sdes = vec!["off".into()];
    let e = error_of(t.run(offer(o)));
    assert!(e.contains("without keys"), "{e}");
    // DTLS: refused.
    let e = error_of(t.run(offer(oa("c5", None, &a_offer("UDP/TLS/RTP/SAVP", "")))));
    assert!(e.contains("DTLS"), "{e}");
    // Only the first call holds a relay session; the refused offers released theirs.
    assert_eq!(t.sessions(), 1);
}

#[test]
fn a_plain_offerer_gets_srtp_toward_the_answerer_with_the_suites_asked_for() {
    let mut t = Bench::new();
    let mut o = oa("c6", None, &a_offer("RTP/AVP", ""));
    o.transport_protocol = Some("RTP/SAVP".into());
    o.sdes = vec!["only-AES_CM_128_HMAC_SHA1_80".into()];
    let to_b = t.sdp(offer(o));
    let m = &to_b.media[0];
    assert_eq!(m.proto, Proto::RtpSavp);
    let lines: Vec<_> = m.cryptos().collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].suite.name(), "AES_CM_128_HMAC_SHA1_80");
    let b_line = format!(
        "a=crypto:{} AES_CM_128_HMAC_SHA1_80 inline:{A_KEY_B64}\r\n",
        lines[0].tag
    );
    let to_a = t.sdp(answer(oa(
        "c6",
        Some("tb"),
        &b_answer("RTP/SAVP", "0", &b_line),
    )));
    assert_eq!(to_a.media[0].proto, Proto::RtpAvp);
    assert_eq!(to_a.media[0].cryptos().count(), 0);

    // A re-offer keeps the ports and re-keys toward B.
    let mut o = oa("c6", Some("tb"), &a_offer("RTP/AVP", ""));
    o.transport_protocol = Some("RTP/SAVP".into());
    o.sdes = vec!["only-AES_CM_128_HMAC_SHA1_80".into()];
    let again = t.sdp(offer(o.clone()));
    assert_eq!(again.media[0].port, to_b.media[0].port);
    // The same re-offer once more while its answer is awaited: the same SDP, not new keys.
    assert_eq!(t.sdp(offer(o)).to_bytes(), again.to_bytes());
    assert_ne!(key_of(&again), key_of(&to_b), "fresh keys on every offer");
    // The re-offer's answer keeps A's port too.
    let to_a2 = t.sdp(answer(oa(
        "c6",
        Some("tb"),
        &b_answer("RTP/SAVP", "0", &b_line),
    )));
    assert_eq!(to_a2.media[0].port, to_a.media[0].port);
    assert_eq!(t.sessions(), 1);
}

#[test]
fn sdes_options_shape_the_offer_but_the_offerers_own_suite_is_still_answered() {
    let mut t = Bench::new();
    let mut o = oa("s1", None, &a_offer("RTP/SAVP", &a_crypto()));
    o.sdes = vec!["only-AES_256_CM_HMAC_SHA1_80".into()];
    let to_b = t.sdp(offer(o));
    let lines: Vec<_> = to_b.media[0].cryptos().collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].suite.name(), "AES_256_CM_HMAC_SHA1_80");
    let b_line = format!(
        "a=crypto:{} AES_256_CM_HMAC_SHA1_80 \
         inline:IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIg==\r\n",
        lines[0].tag
    );
    let to_a = t.sdp(answer(oa(
        "s1",
        Some("tb"),
        &b_answer("RTP/SAVP", "0", &b_line),
    )));
    let ours: Vec<_> = to_a.media[0].cryptos().collect();
    assert_eq!(ours.len(), 1);
    assert_eq!(
        (ours[0].tag, ours[0].suite.name()),
        (1, "AES_CM_128_HMAC_SHA1_80"),
        "A is answered in the suite it offered"
    );
}

#[test]
fn transcode_adds_a_codec_toward_the_answerer_and_the_offerer_keeps_its_own() {
    let mut t = Bench::new();
    let sdp = a_offer("RTP/AVP", "")
        .replace(" 0 101", " 8 101")
        .replace("0 PCMU", "8 PCMA");
    let mut o = oa("c7", None, &sdp);
    o.codec.transcode = vec!["PCMU".into()];
    o.codec.strip = vec!["telephone-event".into()];
    let to_b = t.sdp(offer(o));
    assert_eq!(to_b.media[0].formats, ["8", "0"]);
    // B picks the codec A never offered.
    let ans = b_answer("RTP/AVP", "0", "").replace(" 0 101", " 0");
    let to_a = t.sdp(answer(oa("c7", Some("tb"), &ans)));
    assert_eq!(to_a.media[0].formats, ["8", "101"], "A is answered in PCMA");
}

#[test]
fn rtcp_mux_origin_and_ice_follow_the_flags() {
    let mut t = Bench::new();
    let with_mux = a_offer("RTP/AVP", "").replace("a=sendrecv", "a=rtcp-mux\r\na=sendrecv");
    // demux: multiplexing taken out toward B, accepted from A.
    let mut o = oa("m1", None, &with_mux);
    o.rtcp_mux = vec!["demux".into()];
    o.replace = vec!["origin".into()];
    let to_b = t.sdp(offer(o));
    let m = &to_b.media[0];
    assert!(!m.has_rtcp_mux());
    assert!(
        to_b.to_bytes().windows(6).any(|w| w == b"a=rtcp"),
        "RTCP on its own port"
    );
    assert!(!to_b.to_bytes().windows(9).any(|w| w == b"candidate"));
    assert_eq!(
        to_b.origin.username, "a",
        "the origin keeps its user, gets our address"
    );
    let to_a = t.sdp(answer(oa("m1", Some("tb"), &b_answer("RTP/AVP", "0", ""))));
    assert!(
        to_a.media[0].has_rtcp_mux(),
        "A offered mux and demux accepts it"
    );

    // offer: multiplexing offered to B although A did not; A, who never offered it, is not
    // answered with it whatever B says.
    let mut o = oa("m2", None, &a_offer("RTP/AVP", ""));
    o.rtcp_mux = vec!["offer".into()];
    assert!(t.sdp(offer(o)).media[0].has_rtcp_mux());
    let b = b_answer("RTP/AVP", "0", "").replace("a=sendrecv", "a=rtcp-mux\r\na=sendrecv");
    let to_a = t.sdp(answer(oa("m2", Some("tb"), &b)));
    assert!(!to_a.media[0].has_rtcp_mux());

    // reject: never, on either side.
    let mut o = oa("m3", None, &with_mux);
    o.rtcp_mux = vec!["reject".into()];
    assert!(!t.sdp(offer(o)).media[0].has_rtcp_mux());
    let to_a = t.sdp(answer(oa("m3", Some("tb"), &b)));
    assert!(!to_a.media[0].has_rtcp_mux());
}

#[test]
fn hostile_or_unknown_input_is_an_error_never_a_panic() {
    let mut t = Bench::new();
    assert_eq!(t.run(Command::Ping), Response::Pong);
    let long = "x".repeat(MAX_ID_LEN + 1);
    assert!(error_of(t.run(offer(oa(&long, None, &a_offer("RTP/AVP", ""))))).contains("call-id"));
    assert!(error_of(t.run(offer(oa("c", None, "garbage")))).contains("SDP"));
    assert_eq!(
        error_of(t.run(answer(oa(
            "nope",
            Some("tb"),
            &b_answer("RTP/AVP", "0", "")
        )))),
        "Unknown call-id"
    );
    let mut o = oa("c", None, &a_offer("RTP/AVP", ""));
    o.ice = Some("force".into());
    assert!(error_of(t.run(offer(o))).contains("ICE"));
    let mut o = oa("c", None, &a_offer("RTP/AVP", ""));
    o.transport_protocol = Some("UDP/TLS/RTP/SAVP".into());
    assert!(error_of(t.run(offer(o))).contains("transport-protocol"));
    assert!(error_of(t.run(Command::Other("block DTMF".into()))).contains("block DTMF"));
    // An answer from a tag the call does not know.
    t.sdp(offer(oa("c8", None, &a_offer("RTP/AVP", ""))));
    let mut o = oa("c8", Some("tb"), &b_answer("RTP/AVP", "0", ""));
    o.from_tag = "stranger".into();
    assert_eq!(error_of(t.run(answer(o))), "Unknown tag");
    assert_eq!(t.sessions(), 1);
    let Response::Ok(l) = t.run(Command::List { limit: Some(5) }) else {
        panic!()
    };
    assert_eq!(
        l[0].1,
        Value::List(vec![Value::bytes("c8")]),
        "only the call that was set up"
    );
}

#[test]
fn a_call_without_media_or_signalling_times_out_and_frees_its_ports() {
    let mut t = Bench::new();
    // Ringing without early media may last: an unanswered call has SETUP_TIMEOUT.
    t.sdp(offer(oa("c9", None, &a_offer("RTP/AVP", ""))));
    assert_eq!(t.calls.poll_timeout(), Some(t.now + SETUP_TIMEOUT));
    let ringing = t.calls.handle_timeout(t.now + MEDIA_TIMEOUT, &t.plane);
    assert!(ringing.is_empty());
    let gone = t.calls.handle_timeout(t.now + SETUP_TIMEOUT, &t.plane);
    assert_eq!(gone, ["c9"]);
    assert_eq!(t.sessions(), 0);
    assert!(t.calls.is_empty());

    // Answered: MEDIA_TIMEOUT from the last packet or command.
    t.sdp(offer(oa("c10", None, &a_offer("RTP/AVP", ""))));
    t.sdp(answer(oa("c10", Some("tb"), &b_answer("RTP/AVP", "0", ""))));
    assert_eq!(t.calls.poll_timeout(), Some(t.now + MEDIA_TIMEOUT));
    let early = t
        .calls
        .handle_timeout(t.now + MEDIA_TIMEOUT - Duration::from_secs(1), &t.plane);
    assert!(early.is_empty());
    let gone = t.calls.handle_timeout(t.now + MEDIA_TIMEOUT, &t.plane);
    assert_eq!(gone, ["c10"]);
    assert_eq!(t.sessions(), 0);
}

#[test]
fn the_reply_cache_answers_a_repeated_cookie_within_its_window() {
    let mut c = ReplyCache::default();
    let now = Instant::now();
    let peer: SocketAddr = "127.0.0.1:9".parse().unwrap();
    c.put(now, peer, "k1", b"k1 d6:result4:ponge".to_vec());
    assert_eq!(c.get(now, peer, "k1"), Some(&b"k1 d6:result4:ponge"[..]));
    assert_eq!(c.get(now, "127.0.0.1:10".parse().unwrap(), "k1"), None);
    assert_eq!(c.get(now + super::cache::REPLY_WINDOW, peer, "k1"), None);
    assert!(c.is_empty());
    assert_eq!(c.bytes(), 0);
    // Large answers are bounded by bytes, not only by count: the oldest go.
    let big = vec![b'x'; super::cache::MAX_CACHED_BYTES / 3];
    for i in 0..5 {
        c.put(now, peer, &format!("b{i}"), big.clone());
    }
    assert!(c.bytes() <= super::cache::MAX_CACHED_BYTES);
    assert_eq!(c.len(), 3);
    assert_eq!(c.get(now, peer, "b0"), None);
    assert!(c.get(now, peer, "b4").is_some());
}
