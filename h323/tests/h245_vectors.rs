#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Truth tests of the H.245 codec against real chan_ooh323 traffic: every H.245 PDU of the
//! call captures (the separate H.245 connection, tunnelled `h245Control` elements and
//! fastStart OpenLogicalChannels) is checked in under `vectors/h245/`, equals what the
//! captures hold today, decodes and re-encodes to exactly its octets. The facts asserted
//! below are what tshark shows for the same frames. `H323_WRITE_H245_VECTORS=1` rewrites
//! the files from the captures.

mod common;
mod h245_common;

use std::collections::BTreeMap;

use common::vectors;
use roomgate_h323::h245::{
    AudioCapability, Capability, CommandMessage, DataApplication, ForwardMultiplexParameters,
    IndicationMessage, MultimediaSystemControlMessage as Mscm, OpenLogicalChannel, RequestMessage,
    ResponseMessage, UserInputCapability, UserInputIndication,
};

fn files() -> BTreeMap<String, Vec<u8>> {
    let dir = vectors().join("h245");
    std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "per"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect()
}

#[test]
fn vectors_equal_the_captures() {
    let extracted = h245_common::extracted();
    if std::env::var_os("H323_WRITE_H245_VECTORS").is_some() {
        let dir = vectors().join("h245");
        std::fs::create_dir_all(&dir).unwrap();
        for (name, _, bytes) in &extracted {
            std::fs::write(dir.join(format!("{name}.per")), bytes).unwrap();
        }
    }
    let files = files();
    let names: Vec<&String> = extracted.iter().map(|(n, _, _)| n).collect();
    assert_eq!(names, files.keys().collect::<Vec<_>>(), "vector set");
    for (name, _, bytes) in &extracted {
        assert_eq!(&files[name], bytes, "{name}");
    }
    // The separate connection's packets are also the older `per/h245_ss_*` files.
    for (name, bytes) in files.iter().filter(|(n, _)| n.starts_with("h245_ss_")) {
        let old = std::fs::read(vectors().join("per").join(format!("{name}.per"))).unwrap();
        assert_eq!(&old, bytes, "{name}");
    }
}

#[test]
fn every_vector_round_trips_byte_exact() {
    let files = files();
    assert!(files.len() >= 40, "only {} vectors", files.len());
    for (name, bytes) in &files {
        if name.starts_with("olc_") {
            let olc = OpenLogicalChannel::decode(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(&olc.encode().unwrap(), bytes, "{name} does not re-encode");
        } else {
            let msg = Mscm::decode(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(&msg.encode().unwrap(), bytes, "{name} does not re-encode");
            assert_eq!(Mscm::decode(&msg.encode().unwrap()).unwrap(), msg);
        }
    }
}

/// What each message is, in the terms tshark uses.
fn kind(msg: &Mscm) -> String {
    let s = match msg {
        Mscm::Request(RequestMessage::MasterSlaveDetermination(_)) => "msd",
        Mscm::Request(RequestMessage::TerminalCapabilitySet(_)) => "tcs",
        Mscm::Request(RequestMessage::OpenLogicalChannel(_)) => "olc",
        Mscm::Request(RequestMessage::CloseLogicalChannel(_)) => "clc",
        Mscm::Request(RequestMessage::RoundTripDelayRequest(_)) => "rtd",
        Mscm::Response(ResponseMessage::MasterSlaveDeterminationAck(_)) => "msd-ack",
        Mscm::Response(ResponseMessage::TerminalCapabilitySetAck(_)) => "tcs-ack",
        Mscm::Response(ResponseMessage::OpenLogicalChannelAck(_)) => "olc-ack",
        Mscm::Response(ResponseMessage::CloseLogicalChannelAck(_)) => "clc-ack",
        Mscm::Command(CommandMessage::EndSessionCommand(_)) => "end-session",
        Mscm::Indication(IndicationMessage::UserInput(_)) => "user-input",
        other => panic!("unexpected message in the captures: {other:?}"),
    };
    s.to_owned()
}

#[test]
fn messages_are_what_tshark_shows() {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (name, bytes) in files() {
        if name.starts_with("olc_") {
            continue;
        }
        *counts
            .entry(kind(&Mscm::decode(&bytes).unwrap()))
            .or_default() += 1;
    }
    eprintln!("{counts:?}");
    // Each call: both sides send a TCS, an MSD and acknowledge the other's.
    for k in ["tcs", "tcs-ack", "msd", "msd-ack"] {
        assert!(counts[k] >= 4, "{k}: {counts:?}");
    }
    // The DTMF of the fastStart call: tshark shows nine userInput indications.
    assert_eq!(counts["user-input"], 9, "{counts:?}");
    // The slow-start call opens one audio channel each way over H.245.
    assert_eq!(counts["olc"], 2, "{counts:?}");
    assert_eq!(counts["olc-ack"], 2, "{counts:?}");
}

#[test]
fn capability_set_of_the_slow_start_call() {
    let bytes = &files()["h245_ss_12033_12030_00"];
    let Mscm::Request(RequestMessage::TerminalCapabilitySet(tcs)) = Mscm::decode(bytes).unwrap()
    else {
        panic!("not a TCS");
    };
    // tshark: sequenceNumber 1, protocolIdentifier 0.0.8.245.0.8, seven entries.
    assert_eq!(tcs.sequence_number, 1);
    assert_eq!(tcs.protocol_identifier.arcs(), [0, 0, 8, 245, 0, 8]);
    let table = tcs.capability_table.as_ref().unwrap();
    assert_eq!(table.len(), 7);
    let caps: Vec<&Capability> = table
        .iter()
        .map(|e| e.capability.as_ref().unwrap())
        .collect();
    let Capability::ReceiveAndTransmitDataApplicationCapability(t38) = caps[0] else {
        panic!("{:?}", caps[0]);
    };
    let DataApplication::T38Fax(fax) = &t38.application else {
        panic!("{t38:?}");
    };
    assert_eq!(t38.max_bit_rate, 144);
    let udp = fax.t38_fax_profile.t38_fax_udp_options().unwrap().unwrap();
    assert_eq!(
        (udp.t38_fax_max_buffer, udp.t38_fax_max_datagram),
        (Some(200), Some(72))
    );
    assert_eq!(
        caps[1],
        &Capability::ReceiveAudioCapability(AudioCapability::G711Ulaw64k(20))
    );
    assert_eq!(
        caps[2],
        &Capability::ReceiveAudioCapability(AudioCapability::G711Alaw64k(20))
    );
    let Capability::ReceiveRtpAudioTelephonyEventCapability(te) = caps[3] else {
        panic!("{:?}", caps[3]);
    };
    assert_eq!(
        (te.dynamic_rtp_payload_type, &te.audio_telephone_event[..]),
        (101, &b"0-16"[..])
    );
    assert_eq!(
        caps[6],
        &Capability::ReceiveAndTransmitUserInputCapability(UserInputCapability::Dtmf(()))
    );
    let descriptors = tcs.capability_descriptors.as_ref().unwrap();
    let sets = descriptors[0].simultaneous_capabilities.as_ref().unwrap();
    assert_eq!(sets, &vec![vec![1, 2, 3], vec![4, 5, 6, 7]]);
}

#[test]
fn slow_start_channel_and_its_ack() {
    let files = files();
    let Mscm::Request(RequestMessage::OpenLogicalChannel(olc)) =
        Mscm::decode(&files["h245_ss_12030_12033_04"]).unwrap()
    else {
        panic!("not an OLC");
    };
    // tshark (frame 26): channel 1001, G.711 u-law 20, session 1, RTCP at 127.0.0.1:20141.
    assert_eq!(olc.forward_logical_channel_number, 1001);
    let ForwardMultiplexParameters::H2250LogicalChannelParameters(h2250) =
        &olc.forward_logical_channel_parameters.multiplex_parameters
    else {
        panic!("{olc:?}");
    };
    assert_eq!(h2250.session_id, 1);
    let rtcp = h2250
        .media_control_channel
        .as_ref()
        .unwrap()
        .unicast_ip()
        .unwrap();
    assert_eq!(rtcp, ("127.0.0.1".parse().unwrap(), 20141));
}

#[test]
fn fast_start_proposals_decode() {
    let files = files();
    let olcs: Vec<_> = files
        .iter()
        .filter(|(n, _)| n.starts_with("olc_"))
        .collect();
    // Two calls with four proposals in the Setup and two accepted in the answer each.
    assert!(olcs.len() >= 12, "{}", olcs.len());
    for (name, bytes) in olcs {
        let olc = OpenLogicalChannel::decode(bytes).unwrap();
        let params = &olc.forward_logical_channel_parameters;
        let reverse = olc.reverse_logical_channel_parameters.is_some();
        // A proposal is either forward (with H.225.0 parameters) or reverse (forward none).
        match &params.multiplex_parameters {
            ForwardMultiplexParameters::H2250LogicalChannelParameters(p) => {
                assert_eq!(p.session_id, 1, "{name}")
            }
            ForwardMultiplexParameters::None(()) => assert!(reverse, "{name}"),
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn dtmf_is_alphanumeric() {
    // tshark: the caller (port 12031) sends 1 2 3 4 #, the callee relays 1 3 4 #, each as
    // a one-character alphanumeric UserInputIndication.
    let mut sent: BTreeMap<&str, String> = BTreeMap::new();
    let files = files();
    for (name, bytes) in files.iter().filter(|(n, _)| !n.starts_with("olc_")) {
        if let Mscm::Indication(IndicationMessage::UserInput(uii)) = Mscm::decode(bytes).unwrap() {
            let UserInputIndication::Alphanumeric(digits) = &*uii else {
                panic!("{name}: {uii:?}");
            };
            assert_eq!(digits.len(), 1, "{name}");
            let from = if name.starts_with("tun_fs_12031_") {
                "caller"
            } else {
                "callee"
            };
            sent.entry(from).or_default().push(char::from(digits[0]));
        }
    }
    assert_eq!(sent["caller"], "1234#");
    assert_eq!(sent["callee"], "134#");
}

#[test]
fn h225_helpers_decode_tunnelled_h245_and_fast_start() {
    use roomgate_h323::h225::UserInformation;
    use roomgate_h323::h245::{fast_start, tunnelled};
    let (mut tunnelled_count, mut fast_start_count) = (0, 0);
    for (name, bytes) in common::h225_vectors() {
        let ui = UserInformation::decode(&bytes).unwrap();
        if let Some(list) = tunnelled(&ui) {
            tunnelled_count += list.unwrap_or_else(|e| panic!("{name}: {e}")).len();
        }
        if let Some(list) = fast_start(&ui) {
            fast_start_count += list.unwrap_or_else(|e| panic!("{name}: {e}")).len();
        }
    }
    let files = files();
    let count = |prefix: &str| files.keys().filter(|n| n.starts_with(prefix)).count();
    assert_eq!(tunnelled_count, count("tun_"));
    assert_eq!(fast_start_count, count("olc_"));
    assert!(tunnelled_count > 0 && fast_start_count > 0);
}
