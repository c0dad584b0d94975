//! The calls registered with a gatekeeper, on the virtual clock: the gatekeeper is scripted
//! here from the RAS datagrams the calls send. An H.323 room's Setup waits for its ARQ's
//! answer (ACF: the call goes on and is disengaged at its end; ARJ: Release Complete, no
//! cloud call), a meeting's H.323 upstream is called where the ACF points, and a DRQ from
//! the gatekeeper ends the call.

use std::net::SocketAddr;
use std::time::Duration;

use roomgate_h323::call::{cause, CallEvent};
use roomgate_h323::endpoint::Event as H323Event;
use roomgate_h323::gatekeeper::{Client, ClientConfig, Timers};
use roomgate_h323::per::ObjectIdentifier;
use roomgate_h323::ras::{
    AdmissionConfirm, AdmissionReject, AliasAddress, CallIdentifier, DisengageConfirm,
    DisengageRequest, Extensions, GatekeeperConfirm, RasMessage, Reason, RegistrationConfirm,
    TransportAddress,
};

use super::h323::{mcu_world, RoomDial, MCU_MEETING};
use super::{addr, sip_text, World, CLOUD, OPEN};

const GK: &str = "192.0.2.99:1719";

fn oid() -> ObjectIdentifier {
    ObjectIdentifier::from_arcs(&[0, 0, 8, 2250, 0, 4]).unwrap_or_else(|| panic!("oid"))
}

impl World {
    /// Registers the calls with the scripted gatekeeper (GRQ → GCF, RRQ → RCF).
    fn register_with_gatekeeper(&mut self) {
        let config = ClientConfig {
            gatekeeper: Some(addr(GK)),
            gatekeeper_id: None,
            ras_address: addr("198.51.100.1:1719"),
            call_signal_address: addr("198.51.100.1:1720"),
            aliases: vec![AliasAddress::H323Id("roomgate".into())],
            time_to_live: Some(300),
            bandwidth: 1280,
            timers: Timers::default(),
        };
        let client = Client::new(self.now, config, 1).unwrap_or_else(|e| panic!("{e}"));
        let calls = self.tu.calls.take().unwrap_or_else(|| panic!("no calls"));
        self.tu.calls = Some(calls.with_gatekeeper(client, 1280));
        self.settle();
        let grq = self.ras_request();
        self.ras_answer(RasMessage::GatekeeperConfirm(Box::new(GatekeeperConfirm {
            request_seq_num: seq(&grq),
            protocol_identifier: oid(),
            non_standard: None,
            gatekeeper_identifier: Some("GK".into()),
            ras_address: TransportAddress::from_socket_addr(addr(GK)),
            extensions: Extensions::default(),
        })));
        let rrq = self.ras_request();
        assert!(matches!(rrq, RasMessage::RegistrationRequest(_)), "{rrq:?}");
        self.ras_answer(RasMessage::RegistrationConfirm(Box::new(
            RegistrationConfirm {
                request_seq_num: seq(&rrq),
                protocol_identifier: oid(),
                non_standard: None,
                call_signal_address: vec![],
                terminal_alias: None,
                gatekeeper_identifier: Some("GK".into()),
                endpoint_identifier: "EP1".into(),
                extensions: Extensions::default(),
            },
        )));
        let status = self.calls().gatekeeper_status();
        assert_eq!(status.map(|s| s.state), Some("registered"));
    }

    /// The one RAS datagram the calls sent since the last look, to the gatekeeper.
    fn ras_request(&mut self) -> RasMessage {
        self.settle();
        let sent = std::mem::take(&mut self.h323.ras);
        assert_eq!(sent.len(), 1, "{sent:?}");
        let (to, bytes) = &sent[0];
        assert_eq!(*to, addr(GK));
        RasMessage::decode(bytes).unwrap_or_else(|e| panic!("{e}"))
    }

    fn ras_answer(&mut self, m: RasMessage) {
        let bytes = m.encode().unwrap_or_else(|e| panic!("{e}"));
        let now = self.now;
        let from: SocketAddr = addr(GK);
        if let Some(calls) = self.tu.calls.as_mut() {
            calls.on_ras(&mut self.tu.layer, now, from, &bytes);
        }
        self.settle();
    }
}

fn seq(m: &RasMessage) -> u16 {
    m.request_seq_num()
        .unwrap_or_else(|| panic!("no seq in {m:?}"))
}

fn acf(arq: &RasMessage, dest: &str) -> RasMessage {
    RasMessage::AdmissionConfirm(Box::new(AdmissionConfirm {
        request_seq_num: seq(arq),
        band_width: 1280,
        call_model: Reason::Root(0),
        dest_call_signal_address: TransportAddress::from_socket_addr(addr(dest)),
        irr_frequency: None,
        non_standard: None,
        extensions: Extensions::default(),
    }))
}

#[test]
fn an_admitted_h323_room_joins_and_is_disengaged_when_it_hangs_up() {
    let mut w = World::new();
    w.register_with_gatekeeper();
    let room = w.h323_dial(RoomDial::fast(OPEN));
    let arq = w.ras_request();
    let RasMessage::AdmissionRequest(a) = &arq else {
        panic!("{arq:?}")
    };
    assert!(a.answer_call);
    assert_eq!(a.endpoint_identifier, "EP1");
    assert_eq!(
        a.destination_info.as_deref(),
        Some(&[AliasAddress::DialedDigits(OPEN.into())][..])
    );
    let call_id = a.call_identifier().and_then(Result::ok).map(|c| c.guid);
    // Nothing goes to the cloud before the gatekeeper admits the call.
    assert!(!w.has_request(CLOUD, "INVITE"));
    w.ras_answer(acf(&arq, "198.51.100.1:1720"));
    let _ = w.cloud_answers();
    assert!(w.room_saw(room, |e| matches!(e, H323Event::Call(CallEvent::Connected))));
    // The room hangs up: DRQ for the same call.
    w.room(room).call.call().release(cause::NORMAL);
    w.settle();
    let _bye = w.request(CLOUD, "BYE");
    let drq = w.ras_request();
    let RasMessage::DisengageRequest(d) = &drq else {
        panic!("{drq:?}")
    };
    assert_eq!(
        d.call_identifier().and_then(Result::ok).map(|c| c.guid),
        call_id
    );
    w.ras_answer(RasMessage::DisengageConfirm(Box::new(DisengageConfirm {
        request_seq_num: d.request_seq_num,
        non_standard: None,
        extensions: Extensions::default(),
    })));
    assert_eq!(w.calls().gatekeeper_status().map(|s| s.calls), Some(0));
}

#[test]
fn a_room_the_gatekeeper_refuses_gets_release_complete_and_no_cloud_call() {
    let mut w = World::new();
    w.register_with_gatekeeper();
    let room = w.h323_dial(RoomDial::fast(OPEN));
    let arq = w.ras_request();
    w.ras_answer(RasMessage::AdmissionReject(Box::new(AdmissionReject {
        request_seq_num: seq(&arq),
        reject_reason: Reason::Root(2), // requestDenied
        non_standard: None,
        extensions: Extensions::default(),
    })));
    assert_eq!(w.room_released(room), Some(21));
    assert!(!w.has_request(CLOUD, "INVITE"));
    assert_eq!(w.live_calls(), 0);
}

#[test]
fn an_unanswered_arq_refuses_the_room_after_its_retries() {
    let mut w = World::new();
    w.register_with_gatekeeper();
    let room = w.h323_dial(RoomDial::fast(OPEN));
    let _arq = w.ras_request();
    w.advance(Duration::from_secs(10));
    assert_eq!(w.h323.ras.len(), 2, "two retransmissions");
    assert_eq!(w.room_released(room), Some(41));
    assert!(!w.has_request(CLOUD, "INVITE"));
}

#[test]
fn a_meetings_h323_upstream_is_called_where_the_acf_points() {
    let mut w = mcu_world();
    w.register_with_gatekeeper();
    let invite = sip_text::room_invite(
        "gk-mcu",
        MCU_MEETING,
        Some(&sip_text::pcmu(1, super::ROOM_RTP)),
        "",
    );
    w.send(super::ROOM, &invite);
    let arq = w.ras_request();
    let RasMessage::AdmissionRequest(a) = &arq else {
        panic!("{arq:?}")
    };
    assert!(!a.answer_call);
    assert_eq!(
        a.destination_info.as_deref(),
        Some(&[AliasAddress::DialedDigits("200".into())][..])
    );
    assert!(w.h323.dialled.is_empty(), "no dial before the ACF");
    w.ras_answer(acf(&arq, "203.0.113.77:1820"));
    assert_eq!(w.h323.dialled, vec![("203.0.113.77".to_owned(), 1820)]);
    assert_eq!(w.final_response(super::ROOM).status(), Some(200));
}

#[test]
fn a_drq_from_the_gatekeeper_ends_the_call() {
    let mut w = World::new();
    w.register_with_gatekeeper();
    let room = w.h323_dial(RoomDial::fast(OPEN));
    let arq = w.ras_request();
    let call_id = match &arq {
        RasMessage::AdmissionRequest(a) => a.call_identifier().and_then(Result::ok),
        _ => None,
    }
    .unwrap_or_else(|| panic!("{arq:?}"));
    w.ras_answer(acf(&arq, "198.51.100.1:1720"));
    let _ = w.cloud_answers();
    let mut drq = DisengageRequest {
        request_seq_num: 4000,
        endpoint_identifier: "EP1".into(),
        conference_id: [0x21; 16],
        call_reference_value: 7,
        disengage_reason: Reason::Root(0), // forcedDrop
        non_standard: None,
        extensions: Extensions::default(),
    };
    drq.set_call_identifier(Some(&CallIdentifier::new(call_id.guid)))
        .unwrap_or_else(|e| panic!("{e}"));
    w.ras_answer(RasMessage::DisengageRequest(Box::new(drq)));
    let dcf = std::mem::take(&mut w.h323.ras);
    assert!(
        dcf.iter().any(|(_, b)| matches!(
            RasMessage::decode(b),
            Ok(RasMessage::DisengageConfirm(d)) if d.request_seq_num == 4000
        )),
        "{dcf:?}"
    );
    let _bye = w.request(CLOUD, "BYE");
    assert!(w.room_released(room).is_some());
    assert_eq!(w.live_calls(), 0);
}

#[test]
fn a_room_admitted_then_refused_by_the_gateway_is_disengaged() {
    let mut w = World::new();
    w.register_with_gatekeeper();
    let room = w.h323_dial(RoomDial::fast("no meeting here"));
    let arq = w.ras_request();
    w.ras_answer(acf(&arq, "198.51.100.1:1720"));
    assert_eq!(w.room_released(room), Some(1), "no such meeting");
    let drq = w.ras_request();
    assert!(matches!(drq, RasMessage::DisengageRequest(_)), "{drq:?}");
    w.ras_answer(RasMessage::DisengageConfirm(Box::new(DisengageConfirm {
        request_seq_num: seq(&drq),
        non_standard: None,
        extensions: Extensions::default(),
    })));
    assert_eq!(w.calls().gatekeeper_status().map(|s| s.calls), Some(0));
}
