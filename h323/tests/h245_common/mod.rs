//! What the H.245 integration tests share: every H.245 PDU of the call captures, extracted
//! the way the `vectors/h245/` files were made.
#![allow(dead_code)]

use roomgate_h323::h225::{MessageBody, UserInformation};

use crate::common::{self, SIGNALLING_PORT};

/// Every H.245 encoding of the call captures, named like its `vectors/h245/` file without
/// `.per`, with whether it is a bare OpenLogicalChannel (fastStart) rather than a
/// MultimediaSystemControlMessage:
///
/// - `h245_ss_<src>_<dst>_<NN>`: the NN-th TPKT payload of the separate H.245 connection;
/// - `tun_<fs|ss>_<src>_<dst>_<NN>_<K>`: element K of `h245Control` in the NN-th H.225.0
///   message of that signalling connection direction;
/// - `olc_<fs|ss>_<src>_<dst>_<NN>_<K>`: fastStart element K of that message.
pub fn extracted() -> Vec<(String, bool, Vec<u8>)> {
    let mut out = Vec::new();
    for (short, flow, stream) in common::tcp_streams() {
        if flow.sport == SIGNALLING_PORT || flow.dport == SIGNALLING_PORT {
            continue;
        }
        for (i, payload) in common::payloads(&stream).into_iter().enumerate() {
            let name = format!("h245_{short}_{}_{}_{i:02}", flow.sport, flow.dport);
            out.push((name, false, payload));
        }
    }
    for (name, ui) in common::h225_vectors() {
        // h225cs_fs_12030_1721_00_mt05 -> fs_12030_1721_00
        let base = name
            .trim_start_matches("h225cs_")
            .rsplit_once("_mt")
            .unwrap()
            .0
            .to_owned();
        let ui = UserInformation::decode(&ui).unwrap();
        if let Some(control) = ui.h323_uu_pdu.h245_control() {
            for (k, pdu) in control.unwrap().into_iter().enumerate() {
                out.push((format!("tun_{base}_{k}"), false, pdu));
            }
        }
        let fast_start = match ui.body() {
            MessageBody::Setup(m) => m.fast_start(),
            MessageBody::CallProceeding(m) => m.fast_start(),
            MessageBody::Connect(m) => m.fast_start(),
            MessageBody::Alerting(m) => m.fast_start(),
            MessageBody::Information(m) => m.fast_start(),
            MessageBody::Facility(m) => m.fast_start(),
            MessageBody::Progress(m) => m.fast_start.clone().map(Ok),
            _ => None,
        };
        if let Some(elements) = fast_start {
            for (k, olc) in elements.unwrap().into_iter().enumerate() {
                out.push((format!("olc_{base}_{k}"), true, olc));
            }
        }
    }
    out.sort();
    out
}
