#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! RFC 4475 torture messages and RFC 5118 IPv6 messages, read in place from
//! `sip/tests/vectors/` and classified as their manifests say.

use std::path::PathBuf;

use roomgate_sip::{
    decode_datagram, uas_refusal, Fault, HeaderName, Host, MessageKind, UasCapabilities,
};

fn conformance(dir: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors")
        .join(dir)
}

fn manifest(dir: &str) -> Vec<(String, bool)> {
    let text = std::fs::read_to_string(conformance(dir).join("manifest.tsv")).expect("manifest");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut cols = l.split('\t');
            let file = cols.next().unwrap().to_owned();
            let valid = match cols.next().unwrap() {
                "valid" => true,
                "invalid" => false,
                other => panic!("unknown validity {other}"),
            };
            (file, valid)
        })
        .collect()
}

fn read(dir: &str, file: &str) -> Vec<u8> {
    std::fs::read(conformance(dir).join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn rfc4475_every_file_classified_as_the_manifest_says() {
    let entries = manifest("rfc4475");
    assert_eq!(entries.len(), 50);
    assert_eq!(entries.iter().filter(|(_, v)| *v).count(), 27);
    let mut wrong = Vec::new();
    for (file, valid) in &entries {
        let bytes = read("rfc4475", file);
        let result = decode_datagram(&bytes);
        if result.is_ok() != *valid {
            wrong.push(format!(
                "{file}: expected valid={valid}, got {:?}",
                result.err()
            ));
        }
    }
    assert!(wrong.is_empty(), "misclassified:\n{}", wrong.join("\n"));
}

fn status_of(file: &str) -> Option<u16> {
    decode_datagram(&read("rfc4475", file))
        .unwrap_err()
        .uas_status()
}

#[test]
fn rfc4475_invalid_messages_get_the_status_the_rfc_names() {
    assert_eq!(status_of("badvers.dat"), Some(505));
    // Malformed responses are dropped, never answered.
    assert_eq!(status_of("scalarlg.dat"), None);
    assert_eq!(status_of("bigcode.dat"), None);
    for file in [
        "badinv01.dat",
        "clerr.dat",
        "ncl.dat",
        "scalar02.dat",
        "quotbal.dat",
        "ltgtruri.dat",
        "lwsruri.dat",
        "lwsstart.dat",
        "trws.dat",
        "escruri.dat",
        "mismatch01.dat",
        "mismatch02.dat",
        "insuf.dat",
        "multi01.dat",
        "mcl01.dat",
    ] {
        assert_eq!(status_of(file), Some(400), "{file}");
    }
    let e = decode_datagram(&read("rfc4475", "scalarlg.dat")).unwrap_err();
    assert_eq!(e.kind, MessageKind::Response);
}

#[test]
fn rfc4475_application_layer_refusals() {
    let caps = UasCapabilities::default();
    let refusal = |file: &str| {
        let bytes = read("rfc4475", file);
        let msg = decode_datagram(&bytes).unwrap();
        uas_refusal(&msg, &caps).map(|r| r.status)
    };
    assert_eq!(refusal("unkscm.dat"), Some(416));
    assert_eq!(refusal("novelsc.dat"), Some(416));
    assert_eq!(refusal("bext01.dat"), Some(420));
    assert_eq!(refusal("invut.dat"), Some(415));
    assert_eq!(refusal("sdp01.dat"), Some(406));
    assert_eq!(refusal("unksm2.dat"), None);
    assert_eq!(refusal("inv2543.dat"), None);
    assert_eq!(refusal("zeromf.dat"), None);
}

#[test]
fn rfc4475_valid_messages_decode_to_the_right_values() {
    let bytes = read("rfc4475", "wsinv.dat");
    let m = decode_datagram(&bytes).unwrap();
    assert_eq!(m.max_forwards().unwrap(), Some(68));
    let cseq = m.cseq().unwrap();
    assert_eq!((cseq.seq, cseq.method.as_str()), (9, "INVITE"));
    let vias = m.vias().unwrap();
    assert_eq!(vias.len(), 3);
    assert_eq!(vias[2].host, Host::Ipv4("192.168.255.111".parse().unwrap()));
    assert_eq!(vias[2].branch(), Some("z9hG4bK30239"));
    assert_eq!(
        m.from_header().unwrap().display_name.as_deref(),
        Some("J Rosenberg \\\"")
    );
    assert_eq!(m.to_header().unwrap().tag(), Some("1918181833n"));
    assert_eq!(
        m.header_value(HeaderName::Other("newfangledheader")),
        Some("newfangled value continued newfangled value")
    );
    assert_eq!(m.body.len(), 150);

    let bytes = read("rfc4475", "dblreq.dat");
    let m = decode_datagram(&bytes).unwrap();
    assert!(m.consumed < bytes.len(), "second request is ignored");

    let bytes = read("rfc4475", "escnull.dat");
    let m = decode_datagram(&bytes).unwrap();
    let to = m.to_header().unwrap();
    let user = to.uri.as_sip().unwrap().user_unescaped().unwrap();
    assert!(user.contains(&0));

    let bytes = read("rfc4475", "mpart01.dat");
    let m = decode_datagram(&bytes).unwrap();
    assert_eq!(m.content_type().unwrap().unwrap().subtype, "mixed");

    let bytes = read("rfc4475", "unreason.dat");
    let m = decode_datagram(&bytes).unwrap();
    assert!(m.status_line().unwrap().reason.contains("простое"));

    let bytes = read("rfc4475", "inv2543.dat");
    let m = decode_datagram(&bytes).unwrap();
    assert!(!m.top_via().unwrap().has_rfc3261_branch());
}

#[test]
fn rfc5118_wire_messages_all_decode_but_ipv6_bad() {
    let entries = manifest("rfc5118");
    assert_eq!(entries.len(), 12);
    for (file, valid) in entries {
        let bytes = read("rfc5118/wire-ersip", &file);
        let result = decode_datagram(&bytes);
        assert_eq!(result.is_ok(), valid, "{file}: {:?}", result.err());
        if file == "ipv6-bad" {
            assert!(matches!(result.unwrap_err().fault, Fault::Parse(_)));
        }
    }
    let bytes = read("rfc5118/wire-ersip", "port-ambiguous");
    let m = decode_datagram(&bytes).unwrap();
    let uri = m.request_line().unwrap().uri.as_sip().unwrap().clone();
    assert_eq!(
        (uri.host, uri.port),
        (Host::Ipv6("2001:db8::10:5070".parse().unwrap()), None)
    );
    let bytes = read("rfc5118/wire-ersip", "via-received-param-no-delim");
    let m = decode_datagram(&bytes).unwrap();
    assert!(m
        .vias()
        .unwrap()
        .iter()
        .any(|v| v.received().unwrap() == Some("2001:db8::9:255".parse().unwrap())));
}

#[test]
fn every_valid_message_survives_a_serialize_round_trip() {
    for (file, valid) in manifest("rfc4475") {
        if !valid {
            continue;
        }
        let bytes = read("rfc4475", &file);
        let m = decode_datagram(&bytes).unwrap();
        let mut out = Vec::new();
        m.write_to(&mut out);
        let again = decode_datagram(&out).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(again.start, m.start, "{file}");
        assert_eq!(again.body, m.body, "{file}");
        let fields = |m: &roomgate_sip::Message<'_>| {
            m.headers
                .iter()
                .filter(|h| h.name != HeaderName::ContentLength)
                .map(|h| (h.name.as_str().to_ascii_lowercase(), h.value.to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(fields(&again), fields(&m), "{file}");
    }
}
