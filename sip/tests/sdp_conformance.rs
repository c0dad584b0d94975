//! SDP bodies from the RFC 4475 and RFC 5118 torture messages and a room-system offer.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;

use roomgate_sip::sdp::{
    AttributeValue, ContentRole, CryptoSuite, FloorCtrlRole, Host, MediaType, Proto, SdpError,
    SessionDescription,
};

fn vector(path: &str) -> Vec<u8> {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors")
        .join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// Body after the first blank line; `sep` is "\n\n" or "\r\n\r\n".
fn body<'a>(msg: &'a [u8], sep: &[u8]) -> &'a [u8] {
    let at = msg
        .windows(sep.len())
        .position(|w| w == sep)
        .expect("no blank line");
    &msg[at + sep.len()..]
}

fn room_fixture() -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/room_invite_sdp.txt"),
    )
    .unwrap()
}

fn assert_round_trip_value(sdp: &SessionDescription) {
    let again = SessionDescription::parse(&sdp.to_bytes()).unwrap();
    assert_eq!(&again, sdp);
}

fn ip6(s: &str) -> Host {
    Host::Ip6(s.parse::<Ipv6Addr>().unwrap())
}

#[test]
fn rfc5118_4_6_ipv6_in_sdp() {
    let msg = vector("rfc5118/raw/ipv6-in-sdp");
    let sdp = SessionDescription::parse(body(&msg, b"\n\n")).unwrap();
    assert_eq!(sdp.origin.address.host, ip6("2001:db8::20"));
    assert_eq!(
        sdp.connection.as_ref().unwrap().address.host,
        ip6("2001:db8::20")
    );
    assert_eq!(sdp.session_name, "Live video feed for today's meeting");
    assert_eq!(sdp.media.len(), 2);
    assert_eq!(sdp.media[1].rtpmap(107).unwrap().encoding_name, "H263-1998");
    assert_round_trip_value(&sdp);
}

#[test]
fn rfc5118_4_8_mixed_ip_in_sdp() {
    let msg = vector("rfc5118/raw/mult-ip-in-sdp");
    let sdp = SessionDescription::parse(body(&msg, b"\n\n")).unwrap();
    assert_eq!(
        sdp.origin.address.host,
        Host::Fqdn("host.example.com".into())
    );
    assert_eq!(sdp.session_name, "", "empty s= is tolerated");
    assert!(sdp.connection.is_none());
    assert_eq!(
        sdp.media[0].connections[0].address.host,
        Host::Ip4(Ipv4Addr::new(192, 0, 2, 1))
    );
    assert_eq!(sdp.media[1].connections[0].address.host, ip6("2001:db8::1"));
    assert_eq!(
        sdp.connection_of(1).unwrap().address.host,
        ip6("2001:db8::1")
    );
    assert_round_trip_value(&sdp);
}

#[test]
fn rfc5118_4_9_ipv4_mapped_ipv6() {
    let msg = vector("rfc5118/raw/ipv4-mapped-ipv6");
    let sdp = SessionDescription::parse(body(&msg, b"\n\n")).unwrap();
    let Host::Ip6(addr) = sdp.connection.as_ref().unwrap().address.host else {
        panic!()
    };
    assert_eq!(addr.to_ipv4_mapped(), Some(Ipv4Addr::new(192, 0, 2, 2)));
    assert_eq!(sdp.origin.address.host, Host::Ip6(addr));
    // Serialized back as written (and as Rust prints it).
    assert!(String::from_utf8(sdp.to_bytes())
        .unwrap()
        .contains("c=IN IP6 ::ffff:192.0.2.2\r\n"));
    assert_round_trip_value(&sdp);
}

#[test]
fn rfc5118_wire_versions_round_trip_byte_exact() {
    for name in ["ipv6-in-sdp", "mult-ip-in-sdp", "ipv4-mapped-ipv6"] {
        let msg = vector(&format!("rfc5118/wire-ersip/{name}"));
        let b = body(&msg, b"\r\n\r\n");
        let sdp = SessionDescription::parse(b).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(sdp.to_bytes(), b, "{name}");
    }
}

/// RFC 4475 messages whose Content-Type is application/sdp, and what their body really is.
#[test]
fn rfc4475_sdp_bodies() {
    let standard = [
        "baddate", "badinv01", "bcast", "clerr", "esc01", "escruri", "insuf", "inv2543", "longreq",
        "ltgtruri", "lwsruri", "lwsstart", "ncl", "quotbal", "sdp01", "unreason", "wsinv",
    ];
    for name in standard {
        let msg = vector(&format!("rfc4475/{name}.dat"));
        let b = body(&msg, b"\r\n\r\n");
        let sdp = SessionDescription::parse(b).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(sdp.media[0].media, MediaType::Audio, "{name}");
        assert_eq!(sdp.media[0].proto, Proto::RtpAvp, "{name}");
        assert_eq!(sdp.to_bytes(), b, "{name} round-trips byte-exact");
    }
    let msg = vector("rfc4475/wsinv.dat");
    let wsinv = SessionDescription::parse(body(&msg, b"\r\n\r\n")).unwrap();
    // "a=rtpmap:31 LPC" has no clock rate: kept, marked malformed.
    assert!(wsinv.media[1].rtpmap(31).is_none());
    assert!(matches!(
        wsinv.media[1].attributes[0].value(),
        AttributeValue::Malformed { name, .. } if name == "rtpmap"
    ));
    assert_eq!(wsinv.media[0].formats, ["0", "12"]);

    // multi01: Content-Length counts one extra CRLF; a trailing empty line is tolerated.
    let msg = vector("rfc4475/multi01.dat");
    let b = body(&msg, b"\r\n\r\n");
    let sdp = SessionDescription::parse(b).unwrap();
    assert_eq!(sdp.to_bytes(), &b[..b.len() - 2]);

    // dblreq: the first message's body is empty; what follows is a second INVITE.
    let msg = vector("rfc4475/dblreq.dat");
    let b = body(&msg, b"\r\n\r\n");
    assert!(b.starts_with(b"\r\nINVITE"));
    assert!(matches!(
        SessionDescription::parse(b),
        Err(SdpError::MalformedLine { .. })
    ));
    // ...whose own body has "m =video": not an SDP line.
    let inner = body(b, b"\r\n\r\n");
    let err = SessionDescription::parse(inner).unwrap_err();
    assert!(
        matches!(err, SdpError::MalformedLine { at } if at.line == 7),
        "{err:?}"
    );

    // mismatch02: no s= and no t= line.
    let msg = vector("rfc4475/mismatch02.dat");
    let b = body(&msg, b"\r\n\r\n");
    assert_eq!(
        SessionDescription::parse(b),
        Err(SdpError::MissingLine { kind: 's' })
    );

    // test.dat: "testing=123" is not an SDP line.
    let msg = vector("rfc4475/test.dat");
    let b = body(&msg, b"\r\n\r\n");
    assert!(
        matches!(SessionDescription::parse(b), Err(SdpError::MalformedLine { at }) if at.line == 2)
    );
}

#[test]
fn room_system_offer_round_trips_byte_exact() {
    let input = room_fixture();
    assert!(
        input.windows(2).filter(|w| w == b"\r\n").count() > 40,
        "fixture must use CRLF"
    );
    let sdp = SessionDescription::parse(&input).unwrap();
    assert_eq!(sdp.to_bytes(), input);
    assert_eq!(sdp.to_string().as_bytes(), input);
    assert_round_trip_value(&sdp);

    let [audio, main, content, bfcp] = &sdp.media[..] else {
        panic!("4 m-lines")
    };
    assert_eq!(audio.formats, ["9", "0", "111", "101"]);
    assert_eq!(audio.rtpmap(111).unwrap().channels, Some(2));
    let cryptos: Vec<_> = audio.cryptos().collect();
    assert_eq!(cryptos.len(), 3);
    assert_eq!(cryptos[0].suite, CryptoSuite::Aes256CmHmacSha1_80);
    assert!(cryptos[0].legacy_spelling);
    assert_eq!(cryptos[1].suite, CryptoSuite::AeadAes256Gcm);
    assert_eq!(cryptos[2].key_params[0].mki.unwrap().length, 4);
    assert_eq!(main.fmtp("97").unwrap().param("max-fs"), Some("8160"));
    assert_eq!(main.content(), Some(&[ContentRole::Main][..]));
    assert_eq!(content.content(), Some(&[ContentRole::Slides][..]));
    assert_eq!(content.label(), Some("3"));
    assert_eq!(bfcp.proto, Proto::TcpBfcp);
    assert_eq!(bfcp.formats, ["*"]);
    assert_eq!(bfcp.floor_ctrl(), Some(&[FloorCtrlRole::ClientServer][..]));
    let floor = bfcp.values().find_map(|v| match v {
        AttributeValue::FloorId(f) => Some(f),
        _ => None,
    });
    assert_eq!(floor.unwrap().media_labels, ["3"]);
    let vendor = sdp.attributes[0].to_string();
    assert_eq!(vendor, "vnd.polycom.conf-id:RoomA-7731");

    // Keys never leak into logs or JSON.
    let key_text = cryptos[0].key_params[0].to_string();
    let key_b64 = key_text
        .trim_start_matches("inline:")
        .split('|')
        .next()
        .unwrap();
    assert!(!format!("{sdp:?}").contains(key_b64));
    let json = serde_json::to_string(&sdp).unwrap();
    assert!(!json.contains(key_b64));
    assert!(json.contains("\"length\":46"));
}

#[test]
fn lf_bodies_parse_like_crlf() {
    let crlf = room_fixture();
    let lf: Vec<u8> = String::from_utf8(crlf.clone())
        .unwrap()
        .replace("\r\n", "\n")
        .into_bytes();
    assert_eq!(
        SessionDescription::parse(&lf).unwrap(),
        SessionDescription::parse(&crlf).unwrap()
    );
    assert_eq!(SessionDescription::parse(&lf).unwrap().to_bytes(), crlf);
}

#[test]
fn truncated_room_offer_never_panics() {
    let input = room_fixture();
    for cut in 0..input.len() {
        let _ = SessionDescription::parse(&input[..cut]);
        roomgate_sip::sdp::fuzz_parse(&input[..cut]);
    }
    let mut with_garbage = input.clone();
    with_garbage.extend_from_slice(b"\x00\xff garbage");
    assert!(SessionDescription::parse(&with_garbage).is_err());
}

/// parse(serialize(parse(x))) == parse(x) for every SDP body we have.
#[test]
fn round_trip_property_on_all_fixtures() {
    let mut bodies: Vec<(String, Vec<u8>)> = vec![("room".into(), room_fixture())];
    for name in ["ipv6-in-sdp", "mult-ip-in-sdp", "ipv4-mapped-ipv6"] {
        let msg = vector(&format!("rfc5118/raw/{name}"));
        bodies.push((format!("raw/{name}"), body(&msg, b"\n\n").to_vec()));
        let msg = vector(&format!("rfc5118/wire-ersip/{name}"));
        bodies.push((format!("wire/{name}"), body(&msg, b"\r\n\r\n").to_vec()));
    }
    for name in ["wsinv", "sdp01", "inv2543", "multi01", "ltgtruri", "clerr"] {
        let msg = vector(&format!("rfc4475/{name}.dat"));
        bodies.push((name.into(), body(&msg, b"\r\n\r\n").to_vec()));
    }
    for (name, b) in &bodies {
        let first = SessionDescription::parse(b).unwrap_or_else(|e| panic!("{name}: {e}"));
        let second = SessionDescription::parse(&first.to_bytes()).unwrap();
        assert_eq!(first, second, "{name}");
        assert_eq!(
            second.to_bytes(),
            first.to_bytes(),
            "{name}: serialization is stable"
        );
        roomgate_sip::sdp::fuzz_parse(b);
    }
}

#[test]
fn json_view_is_typed_and_redacted() {
    let sdp = SessionDescription::parse(&room_fixture()).unwrap();
    let json: serde_json::Value = serde_json::to_value(&sdp).unwrap();
    assert_eq!(json["media"][3]["proto"], "TcpBfcp");
    assert_eq!(
        json["media"][0]["attributes"][0]["Rtpmap"]["encoding_name"],
        "G722"
    );
    let crypto = &json["media"][0]["attributes"][6]["Crypto"];
    assert_eq!(crypto["suite"], "Aes256CmHmacSha1_80");
    assert_eq!(
        crypto["key_params"][0]["key"],
        serde_json::json!({"redacted": true, "length": 46})
    );
}
