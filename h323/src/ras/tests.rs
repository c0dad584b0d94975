#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use super::*;

fn samples() -> Vec<(&'static str, RasMessage)> {
    samples::all().unwrap()
}

#[test]
fn every_sample_round_trips_value_and_octets() {
    let all = samples();
    assert_eq!(all.len(), 26, "25 root alternatives and RIP");
    let mut roots: Vec<usize> = all.iter().filter_map(|(_, m)| m.root_index()).collect();
    roots.sort_unstable();
    assert_eq!(roots, (0..25).collect::<Vec<_>>(), "every root alternative");
    for (name, msg) in all {
        let bytes = msg.encode().unwrap_or_else(|e| panic!("{name}: {e}"));
        let back = RasMessage::decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(back, msg, "{name}");
        assert_eq!(back.encode().unwrap(), bytes, "{name} re-encodes");
        assert!(msg.request_seq_num().is_some(), "{name}");
    }
}

#[test]
fn typed_additions_read_back() {
    for (name, msg) in samples() {
        match msg {
            RasMessage::RegistrationRequest(rrq) => {
                assert_eq!(rrq.time_to_live().unwrap().unwrap(), 300);
                assert!(!rrq.keep_alive().unwrap().unwrap());
                let fs = rrq.feature_set().unwrap().unwrap();
                let ids: Vec<_> = fs
                    .supported_features
                    .unwrap()
                    .into_iter()
                    .map(|g| g.id)
                    .collect();
                assert_eq!(
                    ids,
                    [
                        GenericIdentifier::Standard(18),
                        GenericIdentifier::Standard(19)
                    ]
                );
                assert!(rrq.endpoint_identifier().is_none());
                assert!(rrq.terminal_type.gateway.is_some());
            }
            RasMessage::AdmissionRequest(arq) => {
                assert_eq!(
                    arq.call_identifier().unwrap().unwrap().guid,
                    *b"roomgate-call-01"
                );
                assert!(arq.can_map_alias().unwrap().unwrap());
            }
            RasMessage::RegistrationConfirm(rcf) => {
                let alt = rcf.alternate_gatekeeper().unwrap().unwrap();
                assert_eq!(alt[0].gatekeeper_identifier.as_deref(), Some("GK-2"));
                assert!(rcf.pre_granted_arq().unwrap().unwrap().make_call);
            }
            RasMessage::UnknownMessageResponse(xrs) => {
                assert_eq!(xrs.message_not_understood().unwrap().unwrap(), [0x80, 1, 0]);
            }
            _ => {}
        }
        let _ = name;
    }
}

#[test]
fn removing_the_last_addition_clears_the_extension_bit() {
    let mut ucf = UnregistrationConfirm {
        request_seq_num: 1,
        non_standard: None,
        extensions: Extensions::default(),
    };
    ucf.set_generic_data(Some(&vec![])).unwrap();
    assert!(ucf.extensions.is_extended());
    ucf.set_generic_data(None).unwrap();
    assert_eq!(ucf.extensions, Extensions::default());
}

#[test]
fn unknown_additions_survive_decode_and_encode() {
    // GRQ with additions 0..=14 announced, 3 and 14 present with made-up contents.
    let mut grq = match &samples()[0].1 {
        RasMessage::GatekeeperRequest(g) => (**g).clone(),
        _ => unreachable!(),
    };
    let mut slots: Vec<Option<Vec<u8>>> = vec![None; 15];
    slots[3] = Some(vec![0x01, 0x02]);
    slots[14] = Some(vec![0xff; 300]);
    grq.extensions = Extensions(Some(slots));
    let msg = RasMessage::GatekeeperRequest(Box::new(grq));
    let bytes = msg.encode().unwrap();
    let back = RasMessage::decode(&bytes).unwrap();
    assert_eq!(back, msg);
    assert_eq!(back.encode().unwrap(), bytes);
}

#[test]
fn untyped_extension_alternatives_keep_their_octets() {
    // resourcesAvailableConfirm (extension 2) with two octets of contents.
    let msg = RasMessage::Unknown {
        index: 2,
        contents: vec![0x00, 0x05],
    };
    let bytes = msg.encode().unwrap();
    assert_eq!(bytes, [0x80 | 2, 0x02, 0x00, 0x05]);
    assert_eq!(RasMessage::decode(&bytes).unwrap(), msg);
    // A RIP with tokens is not typed yet: kept, not refused.
    let rip_with_tokens = [0x80, 0x03, 0x20, 0x00, 0x00];
    assert!(matches!(
        RasMessage::decode(&rip_with_tokens),
        Ok(RasMessage::Unknown { index: 0, .. })
    ));
}

#[test]
fn truncation_anywhere_is_an_error_not_a_panic() {
    for (name, msg) in samples() {
        let bytes = msg.encode().unwrap();
        for cut in 0..bytes.len() {
            assert!(
                RasMessage::decode(&bytes[..cut]).is_err(),
                "{name} cut at {cut}"
            );
        }
        let mut long = bytes.clone();
        long.push(0);
        assert!(RasMessage::decode(&long).is_err(), "{name}: trailing octet");
    }
}

#[test]
fn every_bit_flip_decodes_or_fails_cleanly() {
    for (name, msg) in samples() {
        let bytes = msg.encode().unwrap();
        for bit in 0..bytes.len() * 8 {
            let mut b = bytes.clone();
            b[bit / 8] ^= 0x80 >> (bit % 8);
            if let Ok(m) = RasMessage::decode(&b) {
                let again = m
                    .encode()
                    .unwrap_or_else(|e| panic!("{name} bit {bit}: {e}"));
                assert_eq!(RasMessage::decode(&again).unwrap(), m, "{name} bit {bit}");
            }
        }
    }
}

#[test]
fn huge_counts_are_refused_with_the_limit() {
    // RasMessage index 6 (URQ): ext 0, index 00110, URQ ext 0, 3 optional bits 000, then
    // requestSeqNum 1 (16 aligned bits) and the callSignalAddress count as an unconstrained
    // length: 0x80 0xff = 255 items.
    let bytes = [0x18, 0x00, 0x00, 0x00, 0x80, 0xff];
    let err = RasMessage::decode(&bytes).unwrap_err();
    assert_eq!(
        err.kind,
        PerErrorKind::TooMany {
            what: "TransportAddress",
            count: 255,
            limit: MAX_SEQUENCE_OF
        }
    );
    assert_eq!(err.bit_offset, 48);
}

#[test]
fn bad_extension_lengths_are_errors() {
    let ucf = RasMessage::UnregistrationConfirm(Box::new({
        let mut m = UnregistrationConfirm {
            request_seq_num: 1,
            non_standard: None,
            extensions: Extensions::default(),
        };
        m.set_generic_data(Some(&vec![])).unwrap();
        m
    }));
    let bytes = ucf.encode().unwrap();
    // The last octets are the open type: its length, then its contents (one octet).
    let mut longer = bytes.clone();
    let n = longer.len();
    longer[n - 2] = 0x7f;
    assert!(matches!(
        RasMessage::decode(&longer).unwrap_err().kind,
        PerErrorKind::Truncated { .. }
    ));
    // A typed accessor on contents that do not decode reports the error.
    let mut m = match ucf {
        RasMessage::UnregistrationConfirm(m) => m,
        _ => unreachable!(),
    };
    m.extensions.0.as_mut().unwrap()[3] = Some(vec![0x80]);
    assert!(m.generic_data().unwrap().is_err());
}

#[test]
fn generic_data_nesting_is_bounded() {
    let mut g = GenericData {
        id: GenericIdentifier::Standard(1),
        parameters: None,
        extensions: Extensions::default(),
    };
    for _ in 0..=crate::limits::MAX_GENERIC_DEPTH {
        g = GenericData {
            id: GenericIdentifier::Standard(1),
            parameters: Some(vec![EnumeratedParameter {
                id: GenericIdentifier::Standard(2),
                content: Some(Content::Nested(vec![g])),
                extensions: Extensions::default(),
            }]),
            extensions: Extensions::default(),
        };
    }
    let bytes = field::encode_whole::<GenericData>(&g).unwrap();
    let r = crate::per::Reader::new(&bytes);
    let err = field::decode_whole::<GenericData>(&r, &bytes).unwrap_err();
    assert!(matches!(err.kind, PerErrorKind::TooDeep { .. }), "{err}");
}

#[test]
fn extended_standard_identifiers_round_trip() {
    for n in [0, 16_383, 16_384, 1 << 40, -1, i64::MIN, i64::MAX] {
        let id = GenericIdentifier::Standard(n);
        let bytes = field::encode_whole::<GenericIdentifier>(&id).unwrap();
        let r = crate::per::Reader::new(&bytes);
        assert_eq!(
            field::decode_whole::<GenericIdentifier>(&r, &bytes).unwrap(),
            id,
            "{n}"
        );
    }
}

#[test]
fn out_of_range_values_are_refused_when_encoding() {
    let msg = RasMessage::GatekeeperReject(Box::new(GatekeeperReject {
        request_seq_num: 0,
        protocol_identifier: crate::per::ObjectIdentifier::from_arcs(&[0, 0]).unwrap(),
        non_standard: None,
        gatekeeper_identifier: None,
        reject_reason: Reason::Root(0),
        extensions: Extensions::default(),
    }));
    assert!(matches!(
        msg.encode().unwrap_err().kind,
        PerErrorKind::OutOfRange {
            what: "requestSeqNum"
        }
    ));
    let rrj = RegistrationReject {
        request_seq_num: 1,
        protocol_identifier: crate::per::ObjectIdentifier::from_arcs(&[0, 0]).unwrap(),
        non_standard: None,
        reject_reason: RegistrationRejectReason::Reason(Reason::Root(4)),
        gatekeeper_identifier: None,
        extensions: Extensions::default(),
    };
    assert!(RasMessage::RegistrationReject(Box::new(rrj))
        .encode()
        .is_err());
    // A character outside the BMP has no UCS-2 code unit.
    let mut ucf = UnregistrationRequest {
        request_seq_num: 1,
        call_signal_address: vec![],
        endpoint_alias: Some(vec![AliasAddress::H323Id("\u{1F600}".into())]),
        non_standard: None,
        endpoint_identifier: None,
        extensions: Extensions::default(),
    };
    assert!(RasMessage::UnregistrationRequest(Box::new(ucf.clone()))
        .encode()
        .is_err());
    ucf.endpoint_alias = None;
    assert!(RasMessage::UnregistrationRequest(Box::new(ucf))
        .encode()
        .is_ok());
}

#[test]
fn transport_addresses_convert_to_and_from_socket_addresses() {
    use std::net::SocketAddr;
    for text in ["192.0.2.7:1720", "[2001:db8::7]:1721"] {
        let addr: SocketAddr = text.parse().unwrap();
        let t = TransportAddress::from_socket_addr(addr);
        assert_eq!(t.socket_addr(), Some(addr), "{text}");
    }
    // Forms no socket can reach give none.
    assert_eq!(TransportAddress::NetBios([0; 16]).socket_addr(), None);
}
