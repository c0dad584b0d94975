//! tshark as an independent oracle for the H.225.0 call signalling encoder: one
//! H323-UserInformation of every h323-message-body alternative, built field by field with this
//! crate (Setup with fastStart proposals and tunnelled H.245, Call Proceeding, Alerting,
//! Connect, Release Complete with its reason, Facility with its reason and an alternative
//! address, Progress, Information, Status, Status Inquiry, Setup Acknowledge, Notify, and
//! `empty` in a Facility), put in the user-user element of the Q.931 message of that type,
//! framed with our TPKT encoder and sent as one TCP stream to port 1720 in a pcap.
//!
//! Every frame must be dissected as H.225.0 with the right body alternative, the values we set
//! (fastStart and h245Control counts, h245Tunnelling, reasons, call identifier GUIDs), and no
//! malformed or error-level expert field; a frame tshark did not dissect as H.225.0 fails. A
//! final frame with its H.225.0 cut short must be flagged, so an oracle that flags nothing
//! cannot pass.
//!
//! The fastStart and h245Control elements are H.245 PDUs, which this crate does not type
//! yet: they are taken from the fastStart capture (real OpenLogicalChannel and
//! TerminalCapabilitySet encodings), so tshark dissects them as H.245 too.
//!
//! tshark missing fails the test: CI installs it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::tshark;

use std::process::Command;

use roomgate_h323::h225::{
    AlertingUuie, CallProceedingUuie, ConnectUuie, FacilityUuie, InformationUuie, MessageBody,
    NotifyUuie, ProgressUuie, ReleaseCompleteUuie, SetupAcknowledgeUuie, SetupUuie,
    StatusInquiryUuie, StatusUuie, UserInformation, UuPdu,
};
use roomgate_h323::per::ObjectIdentifier;
use roomgate_h323::q931::{
    BearerCapability, CallReference, Cause, InformationElement as Ie, Message, MessageType,
    PartyNumber, UserUser,
};
use roomgate_h323::ras::{
    AliasAddress, CallIdentifier, EndpointType, Extensions, Reason, TransportAddress,
};
use roomgate_h323::tpkt;

const PORT: u16 = 1720;
const CLIENT_PORT: u16 = 40_100;

/// H.225.0 v4's protocol identifier {itu-t(0) recommendation(0) h(8) 2250 0 4}.
fn protocol() -> ObjectIdentifier {
    ObjectIdentifier::from_arcs(&[0, 0, 8, 2250, 0, 4]).unwrap()
}

fn call_id() -> CallIdentifier {
    CallIdentifier::new([
        0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
        0x19,
    ])
}

const CONFERENCE: [u8; 16] = [0xc0; 16];

fn ip(port: u16) -> TransportAddress {
    TransportAddress::Ip {
        ip: [192, 0, 2, 2],
        port,
    }
}

/// The fastStart proposals of the capture's first Setup and the tunnelled H.245 PDUs of
/// its first Facility that has any: real H.245 encodings.
fn h245_from_capture() -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let vectors = common::h225_vectors();
    let setup = vectors
        .iter()
        .find(|(n, _)| n.ends_with("mt05"))
        .map(|(_, v)| UserInformation::decode(v).unwrap())
        .unwrap();
    let MessageBody::Setup(s) = setup.body() else {
        panic!("not a setup");
    };
    let fast_start = s.fast_start().unwrap().unwrap();
    let control = vectors
        .iter()
        .filter_map(|(_, v)| {
            UserInformation::decode(v)
                .unwrap()
                .h323_uu_pdu
                .h245_control()
        })
        .map(Result::unwrap)
        .find(|c| !c.is_empty())
        .unwrap();
    (fast_start, control)
}

/// One message we build: the Q.931 type, the body, and what tshark must report.
struct Case {
    name: &'static str,
    message_type: MessageType,
    extra: Vec<Ie>,
    ui: UserInformation,
    /// Wireshark's h323_message_body index (extension alternatives follow the seven roots).
    body: u32,
    fast_start: usize,
    h245_control: usize,
    tunnelling: Option<bool>,
    /// h225.reason values, in order (release complete or facility reason).
    reasons: Vec<u32>,
    /// Call identifier GUIDs in the message (tshark names conference IDs otherwise).
    guids: Vec<[u8; 16]>,
}

fn ui(body: MessageBody, tunnelling: bool) -> UserInformation {
    let mut pdu = UuPdu {
        h323_message_body: body,
        non_standard_data: None,
        extensions: Extensions::default(),
    };
    pdu.set_h245_tunneling(Some(&tunnelling)).unwrap();
    UserInformation {
        h323_uu_pdu: pdu,
        user_data: None,
        extensions: Extensions::default(),
    }
}

fn case(name: &'static str, message_type: MessageType, ui: UserInformation, body: u32) -> Case {
    Case {
        name,
        message_type,
        extra: Vec::new(),
        ui,
        body,
        fast_start: 0,
        h245_control: 0,
        tunnelling: Some(true),
        reasons: Vec::new(),
        guids: Vec::new(),
    }
}

fn cases() -> Vec<Case> {
    let (fast_start, control) = h245_from_capture();
    let mut out = Vec::new();

    let mut setup = SetupUuie {
        protocol_identifier: protocol(),
        h245_address: None,
        source_address: Some(vec![AliasAddress::H323Id("Room 1".into())]),
        source_info: Box::new(EndpointType::terminal()),
        destination_address: Some(vec![AliasAddress::DialedDigits("2001".into())]),
        dest_call_signal_address: Some(ip(1720)),
        dest_extra_call_info: None,
        dest_extra_crv: None,
        active_mc: false,
        conference_id: CONFERENCE,
        conference_goal: Reason::Root(0),
        call_services: None,
        call_type: Reason::Root(0),
        extensions: Extensions::default(),
    };
    setup.set_call_identifier(Some(&call_id())).unwrap();
    setup.set_fast_start(Some(&fast_start)).unwrap();
    setup.set_media_wait_for_connect(Some(&false)).unwrap();
    setup.set_can_overlap_send(Some(&false)).unwrap();
    let mut ui_setup = ui(MessageBody::Setup(Box::new(setup)), true);
    ui_setup
        .h323_uu_pdu
        .set_h245_control(Some(&control))
        .unwrap();
    let mut c = case("setup", MessageType::Setup, ui_setup, 0);
    c.extra = vec![
        Ie::BearerCapability(BearerCapability {
            coding_standard: 0,
            transfer_capability: 0x08,
            transfer_mode: 0,
            transfer_rate: 0x18,
            rate_multiplier: Some(6),
            layer1_protocol: Some(5),
            rest: Vec::new(),
        }),
        Ie::CalledPartyNumber(PartyNumber::e164("2001")),
    ];
    c.fast_start = fast_start.len();
    c.h245_control = control.len();
    c.guids = vec![call_id().guid];
    out.push(c);

    let mut proceeding = CallProceedingUuie {
        protocol_identifier: protocol(),
        destination_info: EndpointType::terminal(),
        h245_address: None,
        extensions: Extensions::default(),
    };
    proceeding.set_call_identifier(Some(&call_id())).unwrap();
    let mut c = case(
        "callProceeding",
        MessageType::CallProceeding,
        ui(MessageBody::CallProceeding(Box::new(proceeding)), true),
        1,
    );
    c.guids = vec![call_id().guid];
    out.push(c);

    let mut connect = ConnectUuie {
        protocol_identifier: protocol(),
        h245_address: Some(ip(12_000)),
        destination_info: EndpointType::terminal(),
        conference_id: CONFERENCE,
        extensions: Extensions::default(),
    };
    connect.set_call_identifier(Some(&call_id())).unwrap();
    let mut c = case(
        "connect",
        MessageType::Connect,
        ui(MessageBody::Connect(Box::new(connect)), false),
        2,
    );
    c.tunnelling = Some(false);
    c.guids = vec![call_id().guid];
    out.push(c);

    let mut alerting = AlertingUuie {
        protocol_identifier: protocol(),
        destination_info: EndpointType::terminal(),
        h245_address: None,
        extensions: Extensions::default(),
    };
    alerting.set_call_identifier(Some(&call_id())).unwrap();
    let mut c = case(
        "alerting",
        MessageType::Alerting,
        ui(MessageBody::Alerting(Box::new(alerting)), true),
        3,
    );
    c.guids = vec![call_id().guid];
    out.push(c);

    let mut information = InformationUuie {
        protocol_identifier: protocol(),
        extensions: Extensions::default(),
    };
    information.set_call_identifier(Some(&call_id())).unwrap();
    let mut c = case(
        "information",
        MessageType::Information,
        ui(MessageBody::Information(Box::new(information)), true),
        4,
    );
    c.extra = vec![Ie::Keypad {
        octets: b"5".to_vec(),
    }];
    c.guids = vec![call_id().guid];
    out.push(c);

    // Reason destinationRejection (root alternative 3 of ReleaseCompleteReason).
    let mut release = ReleaseCompleteUuie {
        protocol_identifier: protocol(),
        reason: Some(Reason::Root(3)),
        extensions: Extensions::default(),
    };
    release.set_call_identifier(Some(&call_id())).unwrap();
    let mut c = case(
        "releaseComplete",
        MessageType::ReleaseComplete,
        ui(MessageBody::ReleaseComplete(Box::new(release)), true),
        5,
    );
    c.extra = vec![Ie::Cause(Cause::new(0, 21))];
    c.reasons = vec![3];
    c.guids = vec![call_id().guid];
    out.push(c);

    // Reason callForwarded (1) to another signalling address.
    let mut facility = FacilityUuie {
        protocol_identifier: protocol(),
        alternative_address: Some(ip(1721)),
        alternative_alias_address: Some(vec![AliasAddress::DialedDigits("2002".into())]),
        conference_id: Some(CONFERENCE),
        reason: Reason::Root(1),
        extensions: Extensions::default(),
    };
    facility.set_call_identifier(Some(&call_id())).unwrap();
    let mut c = case(
        "facility",
        MessageType::Facility,
        ui(MessageBody::Facility(Box::new(facility)), true),
        6,
    );
    c.reasons = vec![1];
    c.guids = vec![call_id().guid];
    out.push(c);

    let progress = ProgressUuie {
        protocol_identifier: protocol(),
        destination_info: EndpointType::terminal(),
        h245_address: None,
        call_identifier: call_id(),
        h245_security_mode: None,
        tokens: None,
        crypto_tokens: None,
        fast_start: Some(fast_start[..1].to_vec()),
        extensions: Extensions::default(),
    };
    let mut c = case(
        "progress",
        MessageType::Progress,
        ui(MessageBody::Progress(Box::new(progress)), true),
        7,
    );
    c.fast_start = 1;
    c.guids = vec![call_id().guid];
    out.push(c);

    // empty: a Facility carrying only tunnelled H.245.
    let mut ui_empty = ui(MessageBody::Empty, true);
    ui_empty
        .h323_uu_pdu
        .set_h245_control(Some(&control[..1].to_vec()))
        .unwrap();
    let mut c = case("empty", MessageType::Facility, ui_empty, 8);
    c.h245_control = 1;
    out.push(c);

    let status = StatusUuie {
        protocol_identifier: protocol(),
        call_identifier: call_id(),
        tokens: None,
        crypto_tokens: None,
        extensions: Extensions::default(),
    };
    let mut c = case(
        "status",
        MessageType::Status,
        ui(MessageBody::Status(Box::new(status)), true),
        9,
    );
    c.extra = vec![
        Ie::Cause(Cause::new(0, 30)),
        Ie::Raw {
            id: roomgate_h323::q931::id::CALL_STATE,
            contents: vec![0x0a],
        },
    ];
    c.guids = vec![call_id().guid];
    out.push(c);

    let inquiry = StatusInquiryUuie {
        protocol_identifier: protocol(),
        call_identifier: call_id(),
        tokens: None,
        crypto_tokens: None,
        extensions: Extensions::default(),
    };
    let mut c = case(
        "statusInquiry",
        MessageType::StatusEnquiry,
        ui(MessageBody::StatusInquiry(Box::new(inquiry)), true),
        10,
    );
    c.guids = vec![call_id().guid];
    out.push(c);

    let ack = SetupAcknowledgeUuie {
        protocol_identifier: protocol(),
        call_identifier: call_id(),
        tokens: None,
        crypto_tokens: None,
        extensions: Extensions::default(),
    };
    let mut c = case(
        "setupAcknowledge",
        MessageType::Other(0x0d),
        ui(MessageBody::SetupAcknowledge(Box::new(ack)), true),
        11,
    );
    c.guids = vec![call_id().guid];
    out.push(c);

    let mut notify = NotifyUuie {
        protocol_identifier: protocol(),
        call_identifier: call_id(),
        tokens: None,
        crypto_tokens: None,
        extensions: Extensions::default(),
    };
    notify
        .set_connected_address(Some(&vec![AliasAddress::DialedDigits("2003".into())]))
        .unwrap();
    let mut c = case(
        "notify",
        MessageType::Notify,
        ui(MessageBody::Notify(Box::new(notify)), true),
        12,
    );
    c.extra = vec![Ie::Raw {
        id: roomgate_h323::q931::id::NOTIFICATION_INDICATOR,
        contents: vec![0x80],
    }];
    c.guids = vec![call_id().guid];
    out.push(c);
    out
}

/// The Q.931 message carrying `c`, its elements in ascending identifier order.
fn q931(c: &Case, cr: CallReference) -> Message {
    let mut msg = Message::new(cr, c.message_type);
    for e in &c.extra {
        msg = msg.with(e.clone());
    }
    msg.with(Ie::UserUser(UserUser::h225(c.ui.encode().unwrap())))
}

/// Ethernet, IPv4 and TCP (PSH|ACK, checksum left zero, which tshark does not verify).
fn frame(payload: &[u8], sport: u16, seq: u32, id: u16) -> Vec<u8> {
    let mut f = tshark::ethernet_ipv4(6, 20 + payload.len(), id);
    f.extend_from_slice(&sport.to_be_bytes());
    f.extend_from_slice(&PORT.to_be_bytes());
    f.extend_from_slice(&seq.to_be_bytes());
    f.extend_from_slice(&1u32.to_be_bytes());
    f.extend_from_slice(&[0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0]);
    f.extend_from_slice(payload);
    f
}

const FIELDS: [&str; 11] = [
    "frame.number",
    "frame.protocols",
    "q931.message_type",
    "h225.h323_message_body",
    "h225.FastStart_item",
    "h225.H245Control_item",
    "h225.h245Tunnelling",
    "h225.reason",
    "h225.guid",
    "_ws.malformed",
    "_ws.expert.severity",
];

fn count(field: &str) -> usize {
    field.split(',').filter(|s| !s.is_empty()).count()
}

fn guid_text(g: &[u8; 16]) -> String {
    g.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn tshark_dissects_every_h225_body_we_build() {
    let Ok(version) = Command::new("tshark").arg("-v").output() else {
        panic!(
            "tshark is not installed: the H.225.0 oracle test needs it (apt-get install tshark)"
        );
    };
    assert!(version.status.success(), "tshark -v failed");

    let cases = cases();
    let mut frames = Vec::new();
    let mut seq = 1u32;
    for (i, c) in cases.iter().enumerate() {
        // Our own decoder agrees before tshark is asked.
        let encoded = c.ui.encode().unwrap();
        assert_eq!(
            UserInformation::decode(&encoded).unwrap(),
            c.ui,
            "{}",
            c.name
        );
        let cr = CallReference::new(0x0101, i % 2 == 1);
        let wire = tpkt::encode(&q931(c, cr).encode().unwrap()).unwrap();
        frames.push(frame(&wire, CLIENT_PORT, seq, i as u16));
        seq += wire.len() as u32;
    }
    // Control: the Setup's H323-UserInformation cut in half inside a well-formed Q.931.
    let setup = cases[0].ui.encode().unwrap();
    let cut = Message::new(CallReference::new(0x0202, false), MessageType::Setup).with(
        Ie::UserUser(UserUser::h225(setup[..setup.len() / 2].to_vec())),
    );
    let bad = tpkt::encode(&cut.encode().unwrap()).unwrap();
    frames.push(frame(&bad, CLIENT_PORT + 1, 1, 99));

    let lines = tshark::dissect("h225", &frames, &FIELDS);
    let control: Vec<&str> = lines.last().unwrap().split('|').collect();
    assert!(
        !control[9].is_empty() || control[10].split(',').any(|s| s == "8388608"),
        "control frame not flagged: {control:?}"
    );

    for (line, c) in lines.iter().zip(&cases) {
        let f: Vec<&str> = line.split('|').collect();
        assert_eq!(f.len(), FIELDS.len(), "{line}");
        let what = format!("frame {} ({}): {line}", f[0], c.name);
        assert!(
            f[1].contains(":q931") && f[1].contains(":h225"),
            "not dissected as H.225.0: {what}"
        );
        assert_eq!(
            f[2],
            format!("{:#04x}", c.message_type.code()),
            "message type: {what}"
        );
        assert_eq!(f[3], c.body.to_string(), "body alternative: {what}");
        assert_eq!(count(f[4]), c.fast_start, "fastStart items: {what}");
        assert_eq!(count(f[5]), c.h245_control, "h245Control items: {what}");
        // Tunnelled H.245 and the Setup's fastStart proposals are handed to the H.245
        // dissector (Wireshark 4.0 counts, but does not dissect, a Progress's fastStart).
        if c.h245_control > 0 || (c.fast_start > 0 && c.message_type == MessageType::Setup) {
            assert!(f[1].contains(":h245"), "H.245 inside not dissected: {what}");
        }
        let tunnelling = c.tunnelling.map(|t| if t { "1" } else { "0" });
        assert_eq!(f[6], tunnelling.unwrap_or(""), "h245Tunnelling: {what}");
        let reasons: Vec<String> = c.reasons.iter().map(u32::to_string).collect();
        assert_eq!(f[7], reasons.join(","), "reason: {what}");
        let guids: Vec<String> = f[8]
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| s.replace(['-', ':'], ""))
            .collect();
        let expected: Vec<String> = c.guids.iter().map(guid_text).collect();
        assert_eq!(guids, expected, "GUIDs: {what}");
        assert_eq!(f[9], "", "malformed: {what}");
        // Expert severities: 0x00800000 is an error; warnings, notes and chats are harmless.
        for sev in f[10].split(',').filter(|s| !s.is_empty()) {
            let sev: u32 = sev.parse().unwrap_or(u32::MAX);
            assert!(sev < 0x0080_0000, "expert error in {what}");
        }
    }
    assert_eq!(lines.len(), cases.len() + 1);
    // Every alternative of h323-message-body in H.225.0 v8 is covered, each once.
    let mut bodies: Vec<u32> = cases.iter().map(|c| c.body).collect();
    bodies.sort_unstable();
    assert_eq!(bodies, (0..=12).collect::<Vec<_>>());
}
