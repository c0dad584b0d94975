//! The bencode codec against the format's own examples and hostile input, and ng requests as
//! Kamailio's rtpengine module sends them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use super::bencode::*;
use super::message::*;

#[test]
fn bencode_examples_decode_and_encode() {
    assert_eq!(Value::decode(b"i42e").unwrap(), Value::Int(42));
    assert_eq!(Value::decode(b"i-7e").unwrap(), Value::Int(-7));
    assert_eq!(Value::decode(b"4:spam").unwrap(), Value::bytes("spam"));
    assert_eq!(Value::decode(b"0:").unwrap(), Value::bytes(""));
    let l = Value::decode(b"l4:spami42ee").unwrap();
    assert_eq!(l, Value::List(vec![Value::bytes("spam"), Value::Int(42)]));
    assert_eq!(l.encode(), b"l4:spami42ee");
    let d = Value::decode(b"d3:bar4:spam3:fooi42ee").unwrap();
    assert_eq!(d.get("foo"), Some(&Value::Int(42)));
    assert_eq!(d.get("bar").and_then(Value::as_str), Some("spam"));
    // Keys written sorted whatever order they were built in.
    let unsorted = Value::Dict(vec![
        (b"foo".to_vec(), Value::Int(42)),
        (b"bar".to_vec(), Value::bytes("spam")),
    ]);
    assert_eq!(unsorted.encode(), b"d3:bar4:spam3:fooi42ee");
}

#[test]
fn bencode_refuses_what_is_not_canonical_or_too_big() {
    for bad in [
        &b"i-0e"[..],
        b"i03e",
        b"ie",
        b"i4",
        b"03:abc",
        b"5:ab",
        b"x",
        b"di1ei2ee",
        b"l",
        b"i1ei2e",
        b"-1:",
        b"i99999999999999999999e",
    ] {
        assert!(
            Value::decode(bad).is_err(),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
    let deep = format!("{}{}", "l".repeat(MAX_DEPTH + 1), "e".repeat(MAX_DEPTH + 1));
    assert_eq!(Value::decode(deep.as_bytes()), Err(BencodeError::TooDeep));
    let ok = format!("{}{}", "l".repeat(MAX_DEPTH), "e".repeat(MAX_DEPTH));
    assert!(Value::decode(ok.as_bytes()).is_ok());
    let wide = format!("l{}e", "i1e".repeat(MAX_ITEMS + 1));
    assert_eq!(
        Value::decode(wide.as_bytes()),
        Err(BencodeError::TooManyItems)
    );
    assert!(matches!(
        Value::decode(b"99999999:x"),
        Err(BencodeError::StringTooLong { .. })
    ));
    assert!(matches!(
        Value::decode(b"18446744073709551615:x"),
        Err(BencodeError::BadInteger(_) | BencodeError::StringTooLong { .. })
    ));
}

/// An offer as Kamailio's rtpengine module builds it for `rtpengine_offer("trust-address
/// replace-origin replace-session-connection RTP/SAVP ICE=remove rtcp-mux-offer")`.
fn kamailio_offer() -> Vec<u8> {
    let sdp = "v=0\r\no=- 1 1 IN IP4 192.0.2.5\r\ns=-\r\nc=IN IP4 192.0.2.5\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n";
    let v = Value::Dict(vec![
        (b"sdp".to_vec(), Value::bytes(sdp)),
        (b"ICE".to_vec(), Value::bytes("remove")),
        (
            b"flags".to_vec(),
            Value::List(vec![Value::bytes("trust-address")]),
        ),
        (
            b"replace".to_vec(),
            Value::List(vec![
                Value::bytes("origin"),
                Value::bytes("session-connection"),
            ]),
        ),
        (b"transport-protocol".to_vec(), Value::bytes("RTP/SAVP")),
        (
            b"rtcp-mux".to_vec(),
            Value::List(vec![Value::bytes("offer")]),
        ),
        (
            b"call-id".to_vec(),
            Value::bytes("a84b4c76e66710@pc33.example.com"),
        ),
        (
            b"received-from".to_vec(),
            Value::List(vec![Value::bytes("IP4"), Value::bytes("192.0.2.5")]),
        ),
        (b"from-tag".to_vec(), Value::bytes("1928301774")),
        (
            b"codec".to_vec(),
            Value::Dict(vec![(
                b"strip".to_vec(),
                Value::List(vec![Value::bytes("PCMA")]),
            )]),
        ),
        (b"command".to_vec(), Value::bytes("offer")),
    ]);
    let mut out = b"5823_7 ".to_vec();
    v.encode_into(&mut out);
    out
}

#[test]
fn a_kamailio_offer_reads_as_a_typed_command() {
    let r = Request::decode(&kamailio_offer()).unwrap();
    assert_eq!(r.cookie, "5823_7");
    let Command::Offer(o) = r.command else {
        panic!("{:?}", r.command)
    };
    assert_eq!(o.call_id, "a84b4c76e66710@pc33.example.com");
    assert_eq!(o.from_tag, "1928301774");
    assert_eq!(o.to_tag, None);
    assert!(o.sdp.starts_with(b"v=0\r\n"));
    assert_eq!(o.flags, ["trust-address"]);
    assert_eq!(o.replace, ["origin", "session-connection"]);
    assert_eq!(o.transport_protocol.as_deref(), Some("RTP/SAVP"));
    assert_eq!(o.ice.as_deref(), Some("remove"));
    assert_eq!(o.rtcp_mux, ["offer"]);
    assert_eq!(o.received_from, ["IP4", "192.0.2.5"]);
    assert_eq!(o.codec.strip, ["PCMA"]);
}

#[test]
fn other_commands_and_refusals() {
    let req = |body: &str| Request::decode(format!("c1 {body}").as_bytes());
    assert_eq!(req("d7:command4:pinge").unwrap().command, Command::Ping);
    assert_eq!(
        req("d7:command6:delete7:call-id3:abc8:from-tag1:fe")
            .unwrap()
            .command,
        Command::Delete {
            call_id: "abc".into(),
            from_tag: Some("f".into()),
            to_tag: None
        }
    );
    assert_eq!(
        req("d7:command4:list5:limiti10ee").unwrap().command,
        Command::List { limit: Some(10) }
    );
    assert_eq!(
        req("d7:command5:query7:call-id1:xe").unwrap().command,
        Command::Query {
            call_id: "x".into()
        }
    );
    assert_eq!(
        req("d7:command15:start recordinge").unwrap().command,
        Command::Other("start recording".into())
    );
    assert_eq!(
        req("d7:command6:answer7:call-id1:x8:from-tag1:f3:sdp3:v=0e").unwrap_err(),
        NgError::Missing {
            command: "answer",
            key: "to-tag"
        }
    );
    assert_eq!(
        req("d7:command5:offer3:sdp3:v=0e").unwrap_err(),
        NgError::Missing {
            command: "offer",
            key: "call-id"
        }
    );
    assert_eq!(req("l4:pinge").unwrap_err(), NgError::NotDictionary);
    assert_eq!(req("d3:fooi1ee").unwrap_err(), NgError::NoCommand);
    assert_eq!(Request::decode(b"nocookie").unwrap_err(), NgError::NoCookie);
    assert_eq!(
        Request::decode(b" d7:command4:pinge").unwrap_err(),
        NgError::BadCookie
    );
    let big = vec![b'a'; MAX_DATAGRAM + 1];
    assert!(matches!(Request::decode(&big), Err(NgError::TooLarge(_))));
}

#[test]
fn answers_echo_the_cookie() {
    assert_eq!(Response::Pong.encode("c1"), b"c1 d6:result4:ponge");
    assert_eq!(
        Response::Error("Unknown call-id".into()).encode("x"),
        b"x d12:error-reason15:Unknown call-id6:result5:errore"
    );
    let ok = Response::Ok(vec![("sdp".into(), Value::bytes("v=0\r\n"))]).encode("k");
    let (cookie, body) = split(&ok).unwrap();
    assert_eq!(cookie, "k");
    let v = Value::decode(body).unwrap();
    assert_eq!(v.get("result").and_then(Value::as_str), Some("ok"));
    assert_eq!(v.get("sdp").and_then(Value::as_str), Some("v=0\r\n"));
}

#[test]
fn the_fuzz_entry_holds_on_the_seeds() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/ng_message");
    let mut read = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(
            super::fuzzing::ng_message(&bytes),
            !name.starts_with("bad-"),
            "{name}"
        );
        read += 1;
    }
    assert!(read >= 8, "too few seeds");
}

mod rewrite {
    use super::super::rewrite::*;
    use roomgate_sip::sdp::{
        AttributeValue, Crypto, CryptoSuite, KeyMaterial, Proto, SessionDescription,
    };

    /// An offer as a SIP phone sends it, with ICE, its own keys, A-law and G.729.
    const OFFER: &str = "v=0\r\n\
o=phone 1234 1 IN IP4 192.0.2.5\r\n\
s=-\r\n\
c=IN IP4 192.0.2.5\r\n\
t=0 0\r\n\
a=ice-lite\r\n\
m=audio 4000 RTP/SAVP 8 18 101\r\n\
a=rtpmap:8 PCMA/8000\r\n\
a=rtpmap:18 G729/8000\r\n\
a=fmtp:18 annexb=no\r\n\
a=rtpmap:101 telephone-event/8000\r\n\
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n\
a=ice-ufrag:abcd\r\n\
a=ice-pwd:abcdefghijklmnopqrstuvwx\r\n\
a=candidate:1 1 UDP 2130706431 192.0.2.5 4000 typ host\r\n\
a=rtcp:4001\r\n\
m=video 0 RTP/AVP 96\r\n\
a=rtpmap:96 H264/90000\r\n";

    fn ours() -> Vec<Vec<Crypto>> {
        vec![vec![Crypto::new(
            1,
            CryptoSuite::Aes256CmHmacSha1_80,
            KeyMaterial::new(vec![7; 46]),
        )]]
    }

    fn base() -> Rewrite {
        Rewrite {
            media_ip: Some("198.51.100.1".parse().unwrap()),
            ports: vec![
                Some(Ports {
                    rtp: 30000,
                    rtcp: 30001,
                }),
                None,
            ],
            replace_origin: true,
            replace_session_connection: true,
            remove_ice: true,
            rtcp_mux: RtcpMux::Offer,
            transport: None,
            cryptos: ours(),
            strip: vec!["G729".into()],
        }
    }

    #[test]
    fn an_offer_moves_to_our_ports_without_the_endpoints_keys_or_ice() {
        let sdp = SessionDescription::parse(OFFER.as_bytes()).unwrap();
        let out = rewrite(&sdp, &base()).unwrap();
        let text = String::from_utf8(out.to_bytes()).unwrap();
        // Reads back as SDP, with our address everywhere the endpoint's was.
        let back = SessionDescription::parse(text.as_bytes()).unwrap();
        assert!(!text.contains("192.0.2.5"), "{text}");
        assert!(
            text.contains("o=phone 1234 2 IN IP4 198.51.100.1"),
            "{text}"
        );
        let m = &back.media[0];
        assert_eq!(m.port, 30000);
        assert_eq!(m.formats, ["8", "101"]);
        assert!(m.fmtp("18").is_none() && m.rtpmap(18).is_none());
        assert!(m.has_rtcp_mux());
        assert!(text.contains("a=rtcp:30001"), "{text}");
        let cryptos: Vec<_> = m.cryptos().collect();
        assert_eq!(cryptos.len(), 1);
        assert_eq!(cryptos[0].suite, CryptoSuite::Aes256CmHmacSha1_80);
        assert!(
            !text.contains("WVNfX19zZW1jdGwg"),
            "the endpoint's key must not pass on"
        );
        assert!(
            !text.contains("ice-") && !text.contains("candidate"),
            "{text}"
        );
        assert_eq!(back.media[1].port, 0, "a rejected stream stays rejected");
    }

    #[test]
    fn going_to_srtp_without_our_keys_is_refused_never_sent_in_the_clear() {
        let plain = OFFER.replace("RTP/SAVP", "RTP/AVP");
        let sdp = SessionDescription::parse(plain.as_bytes()).unwrap();
        let mut r = base();
        r.transport = Some(Proto::RtpSavp);
        r.cryptos = Vec::new();
        assert_eq!(rewrite(&sdp, &r).unwrap_err(), RewriteError::NoKeys(0));
        r.cryptos = ours();
        let out = rewrite(&sdp, &r).unwrap();
        assert_eq!(out.media[0].proto, Proto::RtpSavp);
        assert_eq!(out.media[0].cryptos().count(), 1);
        // And to plain RTP: no crypto line at all.
        let sdp = SessionDescription::parse(OFFER.as_bytes()).unwrap();
        let mut r = base();
        r.transport = Some(Proto::RtpAvp);
        let out = rewrite(&sdp, &r).unwrap();
        assert_eq!(out.media[0].proto, Proto::RtpAvp);
        assert!(!out.media[0]
            .attributes
            .iter()
            .any(|a| matches!(a.value(), AttributeValue::Crypto(_))));
    }

    #[test]
    fn stripping_every_codec_or_having_no_address_is_an_error() {
        let sdp = SessionDescription::parse(OFFER.as_bytes()).unwrap();
        let mut r = base();
        r.strip = vec!["all".into()];
        assert_eq!(rewrite(&sdp, &r).unwrap_err(), RewriteError::NoCodecLeft(0));
        let mut r = base();
        r.media_ip = None;
        assert_eq!(rewrite(&sdp, &r).unwrap_err(), RewriteError::NoMediaIp);
        // rtcp-mux taken out: RTCP on its own port.
        let mut r = base();
        r.rtcp_mux = RtcpMux::Remove;
        let out = rewrite(&sdp, &r).unwrap();
        assert!(!out.media[0].has_rtcp_mux());
    }
}
