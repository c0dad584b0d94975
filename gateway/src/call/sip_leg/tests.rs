//! The legs on their own, on a transaction layer and a clock of the test's: what each sends
//! and when, without a call, a relay or the call core.

use std::time::{Duration, Instant};

use roomgate_sip::sdp::{Direction, SessionDescription};
use roomgate_sip::transaction::{
    Destination, Input, LayerConfig, Output, Received, TransactionEvent, TransactionLayer,
    Transport,
};
use roomgate_sip::{decode_datagram, HeaderName};

use super::*;

const HOST: &str = "198.51.100.1:5060";

fn sdp() -> SessionDescription {
    SessionDescription::parse(
        b"v=0\r\no=gw 1 1 IN IP4 198.51.100.1\r\ns=-\r\nc=IN IP4 198.51.100.1\r\nt=0 0\r\n\
          m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n",
    )
    .unwrap()
}

fn room() -> Destination {
    Destination {
        addr: "192.0.2.20:5060".parse().unwrap(),
        transport: Transport::Udp,
    }
}

fn cloud() -> Destination {
    Destination {
        addr: "203.0.113.5:5060".parse().unwrap(),
        transport: Transport::Udp,
    }
}

/// A room's INVITE without an offer (so our 200 carries one and the ACK the answer).
const ROOM_INVITE: &[u8] = b"INVITE sip:123@gw.test SIP/2.0\r\n\
Via: SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bKroom1\r\n\
Max-Forwards: 70\r\n\
From: \"Room A\" <sip:room-a@192.0.2.20>;tag=r1\r\n\
To: <sip:123@gw.test>\r\n\
Call-ID: room-1@192.0.2.20\r\n\
CSeq: 1 INVITE\r\n\
Contact: <sip:room-a@192.0.2.20:5060>\r\n\
Content-Length: 0\r\n\r\n";

/// What the layer was asked to send, as text.
fn sent(layer: &mut TransactionLayer) -> Vec<String> {
    std::iter::from_fn(|| layer.poll_output())
        .filter_map(|o| match o {
            Output::Transmit(t) => Some(String::from_utf8_lossy(&t.bytes).into_owned()),
            Output::Event(_) => None,
        })
        .collect()
}

/// The room's INVITE through the layer: its server transaction and the request as the TU
/// gets it.
fn room_invite(layer: &mut TransactionLayer, now: Instant) -> (TransactionId, Received) {
    let input = Input {
        bytes: ROOM_INVITE,
        source: room(),
    };
    layer.handle_input(now, input).unwrap();
    std::iter::from_fn(|| layer.poll_output())
        .find_map(|o| match o {
            Output::Event(TransactionEvent::RequestReceived { id, request }) => Some((id, request)),
            _ => None,
        })
        .unwrap()
}

#[test]
fn uas_retransmits_its_200_doubling_until_64_t1_then_gives_up() {
    let mut layer = TransactionLayer::new(LayerConfig::default());
    let now = Instant::now();
    let (tx, request) = room_invite(&mut layer, now);
    let mut uas = UasLeg::new(request, tx, None, Direction::SendRecv, Ids::seeded(1));
    let t1 = Duration::from_millis(500);

    uas.ring(&mut layer, now, HOST);
    uas.ring(&mut layer, now, HOST);
    let ringing = sent(&mut layer);
    assert_eq!(
        ringing
            .iter()
            .filter(|m| m.starts_with("SIP/2.0 180"))
            .count(),
        1,
        "180 once: {ringing:?}"
    );

    uas.answer(&mut layer, now, HOST, t1, 1, sdp());
    assert!(uas.answered());
    let ok = sent(&mut layer);
    assert!(ok.iter().any(|m| m.starts_with("SIP/2.0 200")), "{ok:?}");
    assert_eq!(uas.deadlines()[0], Some(now + t1));

    // T1, then 2*T1 after it: each time the same 200 again.
    assert_eq!(uas.on_timer(&mut layer, now + t1, 1), AckWait::Waiting);
    assert!(sent(&mut layer)
        .iter()
        .any(|m| m.starts_with("SIP/2.0 200")));
    assert_eq!(uas.deadlines()[0], Some(now + t1 * 3));
    // Not yet due: nothing.
    assert_eq!(uas.on_timer(&mut layer, now + t1 * 2, 1), AckWait::Waiting);
    assert!(sent(&mut layer).is_empty());

    // No ACK within 64*T1: the dialog is over, and nothing more is sent.
    assert_eq!(uas.on_timer(&mut layer, now + t1 * 64, 1), AckWait::GaveUp);
    assert_eq!(uas.deadlines()[0], None);
}

#[test]
fn uas_ack_stops_the_retransmissions() {
    let mut layer = TransactionLayer::new(LayerConfig::default());
    let now = Instant::now();
    let (tx, request) = room_invite(&mut layer, now);
    let mut uas = UasLeg::new(request, tx, None, Direction::SendRecv, Ids::seeded(1));
    uas.answer(&mut layer, now, HOST, Duration::from_millis(500), 1, sdp());
    let ok = sent(&mut layer)
        .into_iter()
        .find(|m| m.starts_with("SIP/2.0 200"))
        .unwrap();
    let ok = decode_datagram(ok.as_bytes()).unwrap();
    let tag = ok.to_header().unwrap().tag().unwrap().to_owned();
    let ack = format!(
        "ACK sip:123@gw.test SIP/2.0\r\n\
         Via: SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bKack1\r\n\
         Max-Forwards: 70\r\n\
         From: \"Room A\" <sip:room-a@192.0.2.20>;tag=r1\r\n\
         To: <sip:123@gw.test>;tag={tag}\r\n\
         Call-ID: room-1@192.0.2.20\r\n\
         CSeq: 1 ACK\r\n\
         Content-Length: 0\r\n\r\n"
    );
    let ack = decode_datagram(ack.as_bytes()).unwrap();
    assert!(uas.on_ack(&ack).is_some());
    assert_eq!(uas.deadlines()[0], None);
}

/// A 401 to `invite` (as sent) with a digest challenge.
fn challenge(invite: &str) -> Vec<u8> {
    let invite = decode_datagram(invite.as_bytes()).unwrap();
    invite
        .response_to(401, "Unauthorized", Some("c1"))
        .with(
            HeaderName::WwwAuthenticate,
            "Digest realm=\"cloud.test\", nonce=\"n1\", algorithm=MD5, qop=\"auth\"",
        )
        .to_bytes()
}

#[test]
fn uac_answers_one_challenge_with_credentials_and_the_next_cseq() {
    let mut layer = TransactionLayer::new(LayerConfig::default());
    let now = Instant::now();
    let caller = Received::new(ROOM_INVITE.to_vec(), room());
    let mut uac = UacLeg::new(
        "sip:123@cloud.test".to_owned(),
        "c1@gw.test".to_owned(),
        Some(("gw-user".to_owned(), "s3cret".to_owned())),
        Direction::SendRecv,
        Ids::seeded(2),
    );
    uac.leg.dest = Some(cloud());
    let invite = uac.build_invite(HOST, "gw.test", &Caller::of_invite(&caller), cloud(), sdp());
    let first = uac.send_invite(&mut layer, now, invite, cloud()).unwrap();
    let out = sent(&mut layer);
    let invite = out.iter().find(|m| m.starts_with("INVITE")).unwrap();
    // The caller's identity under our domain; our own Call-ID and first CSeq.
    assert!(
        invite.contains("\"Room A\" <sip:room-a@gw.test>;tag="),
        "{invite}"
    );
    assert!(invite.contains("c1@gw.test"), "{invite}");
    assert!(invite.contains("1 INVITE"), "{invite}");

    let resp = challenge(invite);
    let msg = decode_datagram(&resp).unwrap();
    let retried = match uac.on_invite_response(&mut layer, now, HOST, 1, &msg, 401) {
        UacEvent::Retried(Ok(tx)) => tx,
        other => panic!("expected a retry, got {other:?}"),
    };
    assert_ne!(retried, first);
    assert_eq!(uac.tx, Some(retried));
    let out = sent(&mut layer);
    let again = out.iter().find(|m| m.starts_with("INVITE")).unwrap();
    assert!(again.contains("2 INVITE"), "{again}");
    assert!(again.contains("Digest"), "{again}");
    assert!(again.contains("username=\"gw-user\""), "{again}");

    // A second challenge is not answered again: the leg failed.
    let resp = challenge(again);
    let msg = decode_datagram(&resp).unwrap();
    match uac.on_invite_response(&mut layer, now, HOST, 1, &msg, 401) {
        UacEvent::Failed { code: 401 } => {}
        other => panic!("expected a failure, got {other:?}"),
    }
    assert_eq!(uac.tx, None);
}

#[test]
fn uac_without_credentials_fails_on_a_challenge() {
    let mut layer = TransactionLayer::new(LayerConfig::default());
    let now = Instant::now();
    let caller = Received::new(ROOM_INVITE.to_vec(), room());
    let mut uac = UacLeg::new(
        "sip:123@cloud.test".to_owned(),
        "c2@gw.test".to_owned(),
        None,
        Direction::SendRecv,
        Ids::seeded(2),
    );
    uac.leg.dest = Some(cloud());
    let invite = uac.build_invite(HOST, "gw.test", &Caller::of_invite(&caller), cloud(), sdp());
    uac.send_invite(&mut layer, now, invite, cloud()).unwrap();
    let out = sent(&mut layer);
    let invite = out.iter().find(|m| m.starts_with("INVITE")).unwrap();
    let resp = challenge(invite);
    let msg = decode_datagram(&resp).unwrap();
    assert!(matches!(
        uac.on_invite_response(&mut layer, now, HOST, 1, &msg, 401),
        UacEvent::Failed { code: 401 }
    ));
}
