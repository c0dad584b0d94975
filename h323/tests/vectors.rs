#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Truth tests against real chan_ooh323 traffic: the captures' TCP streams are rebuilt, framed
//! by our TPKT decoder (one push, byte by byte, and in large chunks), every Q.931 message is
//! decoded, its type and user-user payload checked against the `per/` file of the same name,
//! and re-encoded to the same octets; the separate H.245 connection's packets must equal the
//! `h245_ss_*` files.

mod common;

use std::collections::BTreeSet;

use common::{payloads, q931_messages, tcp_streams, vectors, SIGNALLING_PORT};
use roomgate_h323::q931::{InformationElement, Message, MessageType, UU_PROTOCOL_X208};
use roomgate_h323::tpkt::TpktDecoder;

fn per(name: &str) -> Vec<u8> {
    let path = vectors().join("per").join(format!("{name}.per"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn per_names(prefix: &str) -> BTreeSet<String> {
    std::fs::read_dir(vectors().join("per"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix))
        .map(|n| n.trim_end_matches(".per").to_owned())
        .collect()
}

fn framed_in_chunks(stream: &[u8], chunk: usize) -> Vec<Vec<u8>> {
    let mut dec = TpktDecoder::default();
    let mut out = Vec::new();
    for piece in stream.chunks(chunk) {
        dec.push(piece);
        while let Some(p) = dec.next_payload().unwrap() {
            out.push(p);
        }
    }
    assert_eq!(dec.buffered(), 0);
    out
}

#[test]
fn every_stream_frames_the_same_at_any_chunking() {
    let streams = tcp_streams();
    assert_eq!(
        streams.len(),
        8,
        "four TCP connections, two directions each"
    );
    for (short, flow, stream) in streams {
        let whole = payloads(&stream);
        assert!(!whole.is_empty(), "{short} {flow:?}");
        for chunk in [1, 3, 1000, 1 << 20] {
            assert_eq!(
                framed_in_chunks(&stream, chunk),
                whole,
                "{short} {flow:?} by {chunk}"
            );
        }
    }
}

#[test]
fn every_q931_message_matches_its_vector_and_round_trips() {
    let messages = q931_messages();
    let names: BTreeSet<String> = messages.iter().map(|(n, _)| n.clone()).collect();
    assert_eq!(
        names,
        per_names("h225cs_"),
        "messages and per/ files differ"
    );
    for (name, payload) in &messages {
        let msg = Message::decode(payload).unwrap_or_else(|e| panic!("{name}: {e}"));
        let code = u8::from_str_radix(&name[name.len() - 2..], 16).unwrap();
        assert_eq!(msg.message_type.code(), code, "{name}");
        assert!(!matches!(msg.message_type, MessageType::Other(_)), "{name}");
        let uu = msg
            .user_user()
            .unwrap_or_else(|| panic!("{name}: no user-user"));
        assert_eq!(uu.protocol_discriminator, UU_PROTOCOL_X208, "{name}");
        assert_eq!(uu.data, per(name), "{name}: user-user payload");
        assert!(
            !msg.elements
                .iter()
                .any(|e| matches!(e, InformationElement::Raw { .. })),
            "{name}: an element was not typed: {:?}",
            msg.elements
        );
        assert_eq!(&msg.encode().unwrap(), payload, "{name}: re-encoding");
    }
}

#[test]
fn setup_elements_read_as_sent() {
    let (_, setup) = q931_messages()
        .into_iter()
        .find(|(n, _)| n == "h225cs_fs_12030_1721_00_mt05")
        .unwrap();
    let msg = Message::decode(&setup).unwrap();
    assert!(!msg.call_reference.from_destination);
    let InformationElement::BearerCapability(bearer) = &msg.elements[0] else {
        panic!("{:?}", msg.elements[0]);
    };
    // Speech, circuit mode, 64 kbit/s, G.711 A-law.
    assert_eq!(
        (
            bearer.transfer_capability,
            bearer.transfer_mode,
            bearer.transfer_rate
        ),
        (0, 0, 0x10)
    );
    assert_eq!(bearer.layer1_protocol, Some(3));
    assert_eq!(
        msg.elements[1],
        InformationElement::Display {
            octets: b"asta\0".to_vec()
        }
    );
    let InformationElement::CalledPartyNumber(called) = &msg.elements[2] else {
        panic!("{:?}", msg.elements[2]);
    };
    assert_eq!((called.plan, called.digits.as_str()), (1, "200"));
}

#[test]
fn release_complete_carries_normal_clearing() {
    for (name, payload) in q931_messages() {
        let msg = Message::decode(&payload).unwrap();
        if msg.message_type == MessageType::ReleaseComplete {
            let cause = msg.cause().unwrap_or_else(|| panic!("{name}: no cause"));
            assert_eq!((cause.coding_standard, cause.value), (0, 16), "{name}");
        }
    }
}

#[test]
fn separate_h245_packets_equal_their_vectors() {
    let mut seen = BTreeSet::new();
    for (short, flow, stream) in tcp_streams() {
        if flow.sport == SIGNALLING_PORT || flow.dport == SIGNALLING_PORT {
            continue;
        }
        assert_eq!(
            short, "ss",
            "only the slow-start call has an H.245 connection"
        );
        for (i, payload) in payloads(&stream).iter().enumerate() {
            let name = format!("h245_ss_{}_{}_{i:02}", flow.sport, flow.dport);
            assert_eq!(payload, &per(&name), "{name}");
            seen.insert(name);
        }
    }
    assert_eq!(seen, per_names("h245_"));
}

#[test]
fn ras_datagram_equals_its_vector() {
    let file = std::fs::read(vectors().join("captures/ooh323-ras-grq-no-gk.pcap")).unwrap();
    let capture = common::capture::read(&file);
    assert_eq!(capture.udp.len(), 1);
    let (flow, datagram) = &capture.udp[0];
    assert_eq!(flow.dport, 1719, "RAS port");
    assert_eq!(datagram, &per("ras_1"));
}

#[test]
fn ras_grq_vector_decodes_and_re_encodes() {
    use roomgate_h323::ras::{RasMessage, TransportAddress};
    let bytes = per("ras_1");
    let msg = RasMessage::decode(&bytes).unwrap();
    let RasMessage::GatekeeperRequest(grq) = &msg else {
        panic!("{msg:?}");
    };
    // What tshark shows for this datagram.
    assert_eq!(grq.request_seq_num, 1);
    assert_eq!(grq.protocol_identifier.arcs(), [0, 0, 8, 2250, 0, 4]);
    assert_eq!(
        grq.ras_address,
        TransportAddress::Ip {
            ip: [192, 0, 2, 2],
            port: 13030
        }
    );
    let vendor = grq.endpoint_type.vendor.as_ref().unwrap();
    assert_eq!(
        (
            vendor.vendor.t35_country_code,
            vendor.vendor.manufacturer_code
        ),
        (184, 39)
    );
    assert_eq!(vendor.product_id.as_deref(), Some(&b"ooh323"[..]));
    assert_eq!(vendor.version_id.as_deref(), Some(&b"v0.8.3m"[..]));
    assert!(grq.endpoint_type.terminal.is_some());
    assert_eq!(grq.endpoint_alias.as_deref(), Some(&[][..]));
    assert_eq!(
        grq.extensions.0, None,
        "a version-4 sender omits the additions"
    );
    assert_eq!(msg.encode().unwrap(), bytes);
}
