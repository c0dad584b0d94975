#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::*;
use crate::per::ObjectIdentifier;
use crate::ras::{
    AdmissionConfirm, AdmissionReject, AltGKInfo, CallIdentifier, DisengageConfirm,
    DisengageRequest, Extensions, GatekeeperConfirm, InfoRequest, PreGrantedArq, RasMessage,
    RegistrationConfirm, RegistrationReject, RegistrationRejectReason, RequestInProgress,
    TransportAddress, UnknownMessageResponse, UnregistrationConfirm, UnregistrationRequest,
};

fn gk_addr() -> SocketAddr {
    "192.0.2.1:1719".parse().unwrap()
}

fn alt_addr() -> SocketAddr {
    "192.0.2.2:1719".parse().unwrap()
}

fn config() -> ClientConfig {
    ClientConfig {
        gatekeeper: Some(gk_addr()),
        gatekeeper_id: None,
        ras_address: "192.0.2.10:1719".parse().unwrap(),
        call_signal_address: "192.0.2.10:1720".parse().unwrap(),
        aliases: vec![
            AliasAddress::H323Id("roomgate".into()),
            AliasAddress::DialedDigits("4930".into()),
        ],
        time_to_live: Some(60),
        bandwidth: 1280,
        timers: Timers::default(),
    }
}

fn oid() -> ObjectIdentifier {
    ObjectIdentifier::from_arcs(&[0, 0, 8, 2250, 0, 4]).unwrap()
}

/// Every datagram the client wrote, decoded, with where it went.
fn sent(c: &mut Client) -> Vec<(SocketAddr, RasMessage)> {
    let mut out = Vec::new();
    while let Some(t) = c.poll_transmit() {
        out.push((t.to, RasMessage::decode(&t.bytes).unwrap()));
    }
    out
}

fn events(c: &mut Client) -> Vec<Event> {
    std::iter::from_fn(|| c.poll_event()).collect()
}

fn one(c: &mut Client) -> (SocketAddr, RasMessage) {
    let mut s = sent(c);
    assert_eq!(s.len(), 1, "{s:?}");
    s.remove(0)
}

fn send(c: &mut Client, now: Instant, from: SocketAddr, m: RasMessage) {
    c.handle(now, from, &m.encode().unwrap());
}

fn gcf(seq: u16, alternates: Vec<AlternateGK>) -> RasMessage {
    let mut m = GatekeeperConfirm {
        request_seq_num: seq,
        protocol_identifier: oid(),
        non_standard: None,
        gatekeeper_identifier: Some("GK".into()),
        ras_address: TransportAddress::from_socket_addr(gk_addr()),
        extensions: Extensions::default(),
    };
    if !alternates.is_empty() {
        m.set_alternate_gatekeeper(Some(&alternates)).unwrap();
    }
    RasMessage::GatekeeperConfirm(Box::new(m))
}

fn rcf(seq: u16, ttl: Option<u32>, pre: Option<PreGrantedArq>) -> RasMessage {
    let mut m = RegistrationConfirm {
        request_seq_num: seq,
        protocol_identifier: oid(),
        non_standard: None,
        call_signal_address: vec![],
        terminal_alias: None,
        gatekeeper_identifier: Some("GK".into()),
        endpoint_identifier: "EP1".into(),
        extensions: Extensions::default(),
    };
    if let Some(t) = ttl {
        m.set_time_to_live(Some(&t)).unwrap();
    }
    if let Some(p) = pre {
        m.set_pre_granted_arq(Some(&p)).unwrap();
    }
    RasMessage::RegistrationConfirm(Box::new(m))
}

fn alternate() -> AlternateGK {
    AlternateGK {
        ras_address: TransportAddress::from_socket_addr(alt_addr()),
        gatekeeper_identifier: Some("GK2".into()),
        need_to_register: true,
        priority: 0,
        extensions: Extensions::default(),
    }
}

/// A client registered with the gatekeeper (ttl 60 s), and the time it happened.
fn registered() -> (Client, Instant) {
    let t0 = Instant::now();
    let mut c = Client::new(t0, config(), 100).unwrap();
    let (to, grq) = one(&mut c);
    assert_eq!(to, gk_addr());
    let RasMessage::GatekeeperRequest(grq) = grq else {
        panic!("{grq:?}")
    };
    send(&mut c, t0, gk_addr(), gcf(grq.request_seq_num, vec![]));
    let (to, rrq) = one(&mut c);
    assert_eq!(to, gk_addr());
    let RasMessage::RegistrationRequest(rrq) = rrq else {
        panic!("{rrq:?}")
    };
    assert!(rrq.discovery_complete);
    assert!(!rrq.keep_alive().unwrap().unwrap());
    assert_eq!(rrq.terminal_alias.as_ref().unwrap().len(), 2);
    assert_eq!(rrq.gatekeeper_identifier.as_deref(), Some("GK"));
    assert_eq!(
        rrq.call_signal_address,
        vec![TransportAddress::from_socket_addr(
            "192.0.2.10:1720".parse().unwrap()
        )]
    );
    send(
        &mut c,
        t0,
        gk_addr(),
        rcf(rrq.request_seq_num, Some(60), None),
    );
    let ev = events(&mut c);
    assert!(
        matches!(&ev[..], [Event::Registered { endpoint_id, time_to_live: Some(60), .. }] if endpoint_id == "EP1"),
        "{ev:?}"
    );
    assert!(c.is_registered());
    (c, t0)
}

fn acf(seq: u16, dest: SocketAddr) -> RasMessage {
    RasMessage::AdmissionConfirm(Box::new(AdmissionConfirm {
        request_seq_num: seq,
        band_width: 1280,
        call_model: Reason::Root(0),
        dest_call_signal_address: TransportAddress::from_socket_addr(dest),
        irr_frequency: None,
        non_standard: None,
        extensions: Extensions::default(),
    }))
}

fn inbound_call() -> CallAdmission {
    CallAdmission {
        answer: true,
        call_identifier: *b"call-identifier1",
        conference_id: *b"conference-id-01",
        call_reference: 77,
        destination: vec![AliasAddress::DialedDigits("1001".into())],
        dest_address: None,
        source: vec![AliasAddress::H323Id("room".into())],
        src_address: Some("192.0.2.50:1720".parse().unwrap()),
        bandwidth: 1280,
    }
}

#[test]
fn registers_then_keeps_alive_with_a_lightweight_rrq_before_the_time_to_live() {
    let (mut c, t0) = registered();
    assert_eq!(c.poll_timeout(), Some(t0 + Duration::from_secs(45)));
    c.handle_timeout(t0 + Duration::from_secs(44));
    assert!(sent(&mut c).is_empty());
    let t = t0 + Duration::from_secs(45);
    c.handle_timeout(t);
    let (to, m) = one(&mut c);
    assert_eq!(to, gk_addr());
    let RasMessage::RegistrationRequest(rrq) = m else {
        panic!("{m:?}")
    };
    assert!(rrq.keep_alive().unwrap().unwrap());
    assert_eq!(rrq.endpoint_identifier().unwrap().unwrap(), "EP1");
    assert_eq!(rrq.time_to_live().unwrap().unwrap(), 60);
    assert!(rrq.terminal_alias.is_none(), "lightweight RRQ");
    send(
        &mut c,
        t,
        gk_addr(),
        rcf(rrq.request_seq_num, Some(60), None),
    );
    assert!(
        events(&mut c).is_empty(),
        "a keep-alive is no new registration"
    );
    assert_eq!(c.poll_timeout(), Some(t + Duration::from_secs(45)));
    assert_eq!(c.status().state, "registered");
    assert_eq!(c.status().counters.registrations, 1);
}

#[test]
fn an_unanswered_grq_is_retried_then_discovery_starts_again_later() {
    let t0 = Instant::now();
    let mut c = Client::new(t0, config(), 1).unwrap();
    let (_, first) = one(&mut c);
    c.handle_timeout(t0 + Duration::from_secs(3));
    let (_, again) = one(&mut c);
    assert_eq!(first, again, "a retransmission is the same datagram");
    c.handle_timeout(t0 + Duration::from_secs(6));
    assert_eq!(sent(&mut c).len(), 1);
    c.handle_timeout(t0 + Duration::from_secs(9));
    assert!(sent(&mut c).is_empty());
    assert_eq!(c.status().state, "waiting");
    c.handle_timeout(t0 + Duration::from_secs(39));
    let (_, m) = one(&mut c);
    assert!(matches!(m, RasMessage::GatekeeperRequest(_)));
    assert_eq!(c.status().counters.retransmitted, 2);
}

#[test]
fn multicast_discovery_without_a_configured_gatekeeper() {
    let t0 = Instant::now();
    let mut cfg = config();
    cfg.gatekeeper = None;
    let mut c = Client::new(t0, cfg, 1).unwrap();
    let (to, m) = one(&mut c);
    assert_eq!(to, DISCOVERY_ADDRESS);
    // Any gatekeeper may answer a multicast GRQ; we then register where its GCF points.
    send(
        &mut c,
        t0,
        gk_addr(),
        gcf(m.request_seq_num().unwrap(), vec![]),
    );
    let (to, m) = one(&mut c);
    assert_eq!(to, gk_addr());
    assert!(matches!(m, RasMessage::RegistrationRequest(_)));
}

#[test]
fn a_keep_alive_rejected_as_full_registration_required_registers_in_full() {
    let (mut c, t0) = registered();
    let t = t0 + Duration::from_secs(45);
    c.handle_timeout(t);
    let (_, m) = one(&mut c);
    let rrj = RegistrationReject {
        request_seq_num: m.request_seq_num().unwrap(),
        protocol_identifier: oid(),
        non_standard: None,
        reject_reason: RegistrationRejectReason::Reason(Reason::extension(4)),
        gatekeeper_identifier: None,
        extensions: Extensions::default(),
    };
    send(
        &mut c,
        t,
        gk_addr(),
        RasMessage::RegistrationReject(Box::new(rrj)),
    );
    let ev = events(&mut c);
    assert!(
        matches!(&ev[..], [Event::RegistrationLost { why: "rrj" }]),
        "{ev:?}"
    );
    let (to, m) = one(&mut c);
    assert_eq!(to, gk_addr());
    let RasMessage::RegistrationRequest(rrq) = m else {
        panic!("{m:?}")
    };
    assert!(!rrq.keep_alive().unwrap().unwrap());
    assert!(rrq.terminal_alias.is_some());
    send(
        &mut c,
        t,
        gk_addr(),
        rcf(rrq.request_seq_num, Some(60), None),
    );
    assert!(matches!(&events(&mut c)[..], [Event::Registered { .. }]));
}

#[test]
fn an_xrs_to_a_keep_alive_registers_in_full() {
    let (mut c, t0) = registered();
    let t = t0 + Duration::from_secs(45);
    c.handle_timeout(t);
    let (_, m) = one(&mut c);
    let xrs = UnknownMessageResponse {
        request_seq_num: m.request_seq_num().unwrap(),
        extensions: Extensions::default(),
    };
    send(
        &mut c,
        t,
        gk_addr(),
        RasMessage::UnknownMessageResponse(Box::new(xrs)),
    );
    let (_, m) = one(&mut c);
    let RasMessage::RegistrationRequest(rrq) = m else {
        panic!("{m:?}")
    };
    assert!(!rrq.keep_alive().unwrap().unwrap());
}

#[test]
fn a_gatekeeper_that_stops_answering_is_replaced_by_its_alternate() {
    let t0 = Instant::now();
    let mut c = Client::new(t0, config(), 1).unwrap();
    let (_, m) = one(&mut c);
    send(
        &mut c,
        t0,
        gk_addr(),
        gcf(m.request_seq_num().unwrap(), vec![alternate()]),
    );
    let (to, _) = one(&mut c);
    assert_eq!(to, gk_addr());
    for s in [3, 6] {
        c.handle_timeout(t0 + Duration::from_secs(s));
        assert_eq!(one(&mut c).0, gk_addr());
    }
    c.handle_timeout(t0 + Duration::from_secs(9));
    let (to, m) = one(&mut c);
    assert_eq!(to, alt_addr());
    let RasMessage::RegistrationRequest(rrq) = m else {
        panic!("{m:?}")
    };
    assert!(!rrq.discovery_complete, "no GRQ went to the alternate");
    assert_eq!(rrq.gatekeeper_identifier.as_deref(), Some("GK2"));
    // The old gatekeeper's late answers are not listened to.
    send(&mut c, t0, gk_addr(), rcf(rrq.request_seq_num, None, None));
    assert!(!c.is_registered());
    send(&mut c, t0, alt_addr(), rcf(rrq.request_seq_num, None, None));
    assert!(c.is_registered());
    assert_eq!(c.status().gatekeeper, Some(alt_addr()));
}

#[test]
fn admission_disengage_and_the_gatekeepers_questions_about_calls() {
    let (mut c, t0) = registered();
    let Admission::Pending(id) = c.admit(t0, inbound_call()) else {
        panic!("no ARQ")
    };
    let (to, m) = one(&mut c);
    assert_eq!(to, gk_addr());
    let RasMessage::AdmissionRequest(arq) = m else {
        panic!("{m:?}")
    };
    assert!(arq.answer_call);
    assert_eq!(arq.endpoint_identifier, "EP1");
    assert_eq!(arq.call_reference_value, 77);
    assert_eq!(
        arq.call_identifier().unwrap().unwrap().guid,
        *b"call-identifier1"
    );
    send(
        &mut c,
        t0,
        gk_addr(),
        acf(arq.request_seq_num, "192.0.2.10:1720".parse().unwrap()),
    );
    let ev = events(&mut c);
    assert!(
        matches!(&ev[..], [Event::Admitted { admission, dest: Some(_) }] if *admission == id),
        "{ev:?}"
    );

    // IRQ for every call → IRR with ours.
    let mut irq = InfoRequest {
        request_seq_num: 900,
        call_reference_value: 0,
        non_standard: None,
        reply_address: None,
        extensions: Extensions::default(),
    };
    irq.set_call_identifier(Some(&CallIdentifier::new([0; 16])))
        .unwrap();
    send(
        &mut c,
        t0,
        gk_addr(),
        RasMessage::InfoRequest(Box::new(irq)),
    );
    let (to, m) = one(&mut c);
    assert_eq!(to, gk_addr());
    let RasMessage::InfoRequestResponse(irr) = m else {
        panic!("{m:?}")
    };
    assert_eq!(irr.request_seq_num, 900);
    let calls = irr.per_call_info.unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].call_reference_value, 77);
    assert_eq!(calls[0].originator, Some(false));

    c.disengage(t0, id);
    let (_, m) = one(&mut c);
    let RasMessage::DisengageRequest(drq) = m else {
        panic!("{m:?}")
    };
    assert_eq!(
        drq.call_identifier().unwrap().unwrap().guid,
        *b"call-identifier1"
    );
    assert!(drq.answered_call().unwrap().unwrap());
    let dcf = DisengageConfirm {
        request_seq_num: drq.request_seq_num,
        non_standard: None,
        extensions: Extensions::default(),
    };
    send(
        &mut c,
        t0,
        gk_addr(),
        RasMessage::DisengageConfirm(Box::new(dcf)),
    );
    assert_eq!(c.status().calls, 0);
}

#[test]
fn an_arj_refuses_the_call_with_its_reason() {
    let (mut c, t0) = registered();
    let Admission::Pending(id) = c.admit(t0, inbound_call()) else {
        panic!()
    };
    let (_, m) = one(&mut c);
    let arj = AdmissionReject {
        request_seq_num: m.request_seq_num().unwrap(),
        reject_reason: Reason::Root(2),
        non_standard: None,
        extensions: Extensions::default(),
    };
    send(
        &mut c,
        t0,
        gk_addr(),
        RasMessage::AdmissionReject(Box::new(arj)),
    );
    let ev = events(&mut c);
    let [Event::Refused { admission, why }] = &ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!(*admission, id);
    assert_eq!(why.label(), "requestDenied");
    assert_eq!(c.status().calls, 0);
}

#[test]
fn request_in_progress_holds_the_retries_and_no_answer_refuses() {
    let (mut c, t0) = registered();
    let Admission::Pending(first) = c.admit(t0, inbound_call()) else {
        panic!()
    };
    let (_, m) = one(&mut c);
    let rip = RequestInProgress {
        request_seq_num: m.request_seq_num().unwrap(),
        non_standard: None,
        delay: 10_000,
        extensions: Extensions::default(),
    };
    send(
        &mut c,
        t0,
        gk_addr(),
        RasMessage::RequestInProgress(Box::new(rip)),
    );
    c.handle_timeout(t0 + Duration::from_secs(9));
    assert!(
        sent(&mut c).is_empty(),
        "RIP: no retransmission before its delay"
    );
    c.handle_timeout(t0 + Duration::from_secs(10));
    assert_eq!(sent(&mut c).len(), 1);
    for s in [13, 16] {
        c.handle_timeout(t0 + Duration::from_secs(s));
    }
    let ev = events(&mut c);
    assert!(
        matches!(&ev[..], [Event::Refused { admission, why: Refusal::NoAnswer }] if *admission == first),
        "{ev:?}"
    );
}

#[test]
fn the_gatekeeper_drops_a_call_and_unregisters_us() {
    let (mut c, t0) = registered();
    let Admission::Pending(id) = c.admit(t0, inbound_call()) else {
        panic!()
    };
    let (_, m) = one(&mut c);
    send(
        &mut c,
        t0,
        gk_addr(),
        acf(m.request_seq_num().unwrap(), gk_addr()),
    );
    events(&mut c);
    let mut drq = DisengageRequest {
        request_seq_num: 500,
        endpoint_identifier: "EP1".into(),
        conference_id: *b"conference-id-01",
        call_reference_value: 77,
        disengage_reason: Reason::Root(0),
        non_standard: None,
        extensions: Extensions::default(),
    };
    drq.set_call_identifier(Some(&CallIdentifier::new(*b"call-identifier1")))
        .unwrap();
    // From anyone else: ignored.
    let other: SocketAddr = "198.51.100.9:1719".parse().unwrap();
    send(
        &mut c,
        t0,
        other,
        RasMessage::DisengageRequest(drq.clone().into()),
    );
    assert!(sent(&mut c).is_empty() && events(&mut c).is_empty());
    assert_eq!(c.status().counters.ignored, 1);
    send(
        &mut c,
        t0,
        gk_addr(),
        RasMessage::DisengageRequest(Box::new(drq)),
    );
    let (_, m) = one(&mut c);
    assert!(matches!(m, RasMessage::DisengageConfirm(d) if d.request_seq_num == 500));
    assert!(matches!(&events(&mut c)[..], [Event::Drop { admission }] if *admission == id));
    c.disengage(t0, id);
    assert!(
        sent(&mut c).is_empty(),
        "no DRQ for a call the gatekeeper dropped"
    );

    let urq = UnregistrationRequest {
        request_seq_num: 501,
        call_signal_address: vec![],
        endpoint_alias: None,
        non_standard: None,
        endpoint_identifier: Some("EP1".into()),
        extensions: Extensions::default(),
    };
    send(
        &mut c,
        t0,
        gk_addr(),
        RasMessage::UnregistrationRequest(Box::new(urq)),
    );
    let s = sent(&mut c);
    assert!(matches!(&s[0].1, RasMessage::UnregistrationConfirm(u) if u.request_seq_num == 501));
    assert!(
        matches!(&s[1].1, RasMessage::RegistrationRequest(r) if !r.keep_alive().unwrap().unwrap())
    );
    assert!(matches!(
        &events(&mut c)[..],
        [Event::RegistrationLost { why: "urq" }]
    ));
}

#[test]
fn a_call_ended_before_its_acf_is_disengaged_without_an_event() {
    let (mut c, t0) = registered();
    let Admission::Pending(id) = c.admit(t0, inbound_call()) else {
        panic!()
    };
    let (_, m) = one(&mut c);
    c.disengage(t0, id);
    assert!(sent(&mut c).is_empty());
    send(
        &mut c,
        t0,
        gk_addr(),
        acf(m.request_seq_num().unwrap(), gk_addr()),
    );
    assert!(events(&mut c).is_empty());
    assert!(matches!(one(&mut c).1, RasMessage::DisengageRequest(_)));
}

#[test]
fn no_arq_when_unregistered_or_pre_granted() {
    let t0 = Instant::now();
    let mut c = Client::new(t0, config(), 1).unwrap();
    sent(&mut c);
    assert_eq!(c.admit(t0, inbound_call()), Admission::NotNeeded);
    assert!(sent(&mut c).is_empty());

    let mut c = Client::new(t0, config(), 1).unwrap();
    let (_, m) = one(&mut c);
    send(
        &mut c,
        t0,
        gk_addr(),
        gcf(m.request_seq_num().unwrap(), vec![]),
    );
    let (_, m) = one(&mut c);
    let pre = PreGrantedArq {
        make_call: false,
        use_gk_call_signal_address_to_make_call: false,
        answer_call: true,
        use_gk_call_signal_address_to_answer: false,
        extensions: Extensions::default(),
    };
    send(
        &mut c,
        t0,
        gk_addr(),
        rcf(m.request_seq_num().unwrap(), None, Some(pre)),
    );
    assert!(c.is_registered());
    assert_eq!(c.poll_timeout(), None, "no time to live: no keep-alive");
    assert_eq!(c.admit(t0, inbound_call()), Admission::NotNeeded);
    let mut outbound = inbound_call();
    outbound.answer = false;
    assert!(matches!(c.admit(t0, outbound), Admission::Pending(_)));
}

#[test]
fn unregister_sends_urq_and_reports_when_confirmed() {
    let (mut c, t0) = registered();
    c.unregister(t0);
    let (to, m) = one(&mut c);
    assert_eq!(to, gk_addr());
    let RasMessage::UnregistrationRequest(urq) = m else {
        panic!("{m:?}")
    };
    assert_eq!(urq.endpoint_identifier.as_deref(), Some("EP1"));
    let ucf = UnregistrationConfirm {
        request_seq_num: urq.request_seq_num,
        non_standard: None,
        extensions: Extensions::default(),
    };
    send(
        &mut c,
        t0,
        gk_addr(),
        RasMessage::UnregistrationConfirm(Box::new(ucf)),
    );
    assert_eq!(events(&mut c), vec![Event::Unregistered]);
    assert_eq!(c.status().state, "stopped");
    assert_eq!(c.poll_timeout(), None);
}

#[test]
fn an_rrj_pointing_to_an_alternate_registers_there() {
    let t0 = Instant::now();
    let mut c = Client::new(t0, config(), 1).unwrap();
    let (_, m) = one(&mut c);
    send(
        &mut c,
        t0,
        gk_addr(),
        gcf(m.request_seq_num().unwrap(), vec![]),
    );
    let (_, m) = one(&mut c);
    let mut rrj = RegistrationReject {
        request_seq_num: m.request_seq_num().unwrap(),
        protocol_identifier: oid(),
        non_standard: None,
        reject_reason: RegistrationRejectReason::Reason(Reason::Root(6)),
        gatekeeper_identifier: None,
        extensions: Extensions::default(),
    };
    rrj.set_alt_gk_info(Some(&AltGKInfo {
        alternate_gatekeeper: vec![alternate()],
        alt_gk_is_permanent: true,
        extensions: Extensions::default(),
    }))
    .unwrap();
    send(
        &mut c,
        t0,
        gk_addr(),
        RasMessage::RegistrationReject(Box::new(rrj)),
    );
    let (to, m) = one(&mut c);
    assert_eq!(to, alt_addr());
    assert!(matches!(m, RasMessage::RegistrationRequest(_)));
}

#[test]
fn bad_aliases_are_a_configuration_error() {
    let mut cfg = config();
    cfg.aliases = vec![AliasAddress::DialedDigits("12a".into())];
    assert!(Client::new(Instant::now(), cfg, 1).is_err());
}
