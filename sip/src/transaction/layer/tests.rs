use std::time::{Duration, Instant};

use super::*;
use crate::transaction::test_support::*;
use crate::transaction::{build_response, TimerName, Transport};
use crate::HeaderName;

fn layer() -> (Instant, TransactionLayer) {
    (
        Instant::now(),
        TransactionLayer::new(LayerConfig::default()),
    )
}

fn input(bytes: &[u8]) -> Input<'_> {
    Input {
        bytes,
        source: source(Transport::Udp),
    }
}

fn feed(layer: &mut TransactionLayer, now: Instant, bytes: &[u8]) -> Vec<Output> {
    layer.handle_input(now, input(bytes)).unwrap();
    drain(layer)
}

/// The id of the single RequestReceived event.
fn new_request(out: &[Output]) -> TransactionId {
    match events(out).as_slice() {
        [TransactionEvent::RequestReceived { id, .. }] => *id,
        other => panic!("expected one RequestReceived, got {other:?}"),
    }
}

fn text_replace(bytes: &[u8], pairs: &[(&str, &str)]) -> Vec<u8> {
    let mut s = String::from_utf8(bytes.to_vec()).unwrap();
    for (a, b) in pairs {
        s = s.replace(a, b);
    }
    s.into_bytes()
}

#[test]
fn options_times_out_through_the_layer() {
    let (t0, mut layer) = layer();
    let id = layer
        .send_request(t0, request("OPTIONS", "z9hG4bKl1"), dest(Transport::Udp))
        .unwrap();
    assert_eq!(layer.kind(id), Some(TransactionKind::ClientNonInvite));
    let run = run_to_end(&mut layer, t0);
    assert_eq!(run.transmit_times.len(), 11);
    assert_eq!(run.timeouts, vec![(Duration::from_secs(32), TimerName::F)]);
    assert!(run.terminated);
    assert!(layer.is_empty());
}

#[test]
fn server_invite_full_path_through_the_layer() {
    let (t0, mut layer) = layer();
    let invite = invite_request("z9hG4bKls1").to_bytes();
    let out = feed(&mut layer, t0, &invite);
    let id = new_request(&out);
    // Retransmission before any response: absorbed, no new event.
    assert!(feed(&mut layer, t0 + Duration::from_millis(100), &invite).is_empty());
    assert_eq!(layer.stats().retransmissions_matched, 1);
    // 100 Trying at 200 ms.
    assert_eq!(layer.poll_timeout(), Some(t0 + Duration::from_millis(200)));
    layer.handle_timeout(t0 + Duration::from_millis(200));
    let out = drain(&mut layer);
    let Output::Transmit(trying) = &out[0] else {
        panic!("{out:?}")
    };
    assert_eq!(trying.transaction, Some(id));
    // rport: answered to the source address.
    assert_eq!(trying.destination, source(Transport::Udp));
    let req = crate::decode_datagram(&invite).unwrap();
    let busy = build_response(&req, 486, "Busy Here", Some("uas1")).unwrap();
    layer
        .send_response(t0 + Duration::from_secs(1), id, &busy)
        .unwrap();
    assert_eq!(transmits(&drain(&mut layer)), vec![busy.to_bytes()]);
    let ack = text_replace(
        &invite,
        &[
            ("INVITE sip", "ACK sip"),
            ("314159 INVITE", "314159 ACK"),
            (
                "Bob <sip:bob@biloxi.example.com>",
                "Bob <sip:bob@biloxi.example.com>;tag=uas1",
            ),
        ],
    );
    assert!(feed(&mut layer, t0 + Duration::from_secs(2), &ack).is_empty());
    let run = run_from(&mut layer, t0, t0 + Duration::from_secs(2));
    assert!(run.transmit_times.is_empty(), "timer G stopped by the ACK");
    assert_eq!(run.end, Duration::from_secs(7), "timer I = T4");
    assert!(run.terminated && layer.is_empty());
}

#[test]
fn cancel_matches_the_server_invite() {
    let (t0, mut layer) = layer();
    let invite = invite_request("z9hG4bKcx1").to_bytes();
    let invite_id = new_request(&feed(&mut layer, t0, &invite));
    let cancel = crate::decode_datagram(&invite)
        .map(|m| crate::transaction::build_cancel(&m).unwrap().to_bytes())
        .unwrap();
    let out = feed(&mut layer, t0, &cancel);
    let cancel_id = match events(&out).as_slice() {
        [TransactionEvent::CancelReceived {
            id,
            invite: Some(inv),
            ..
        }] => {
            assert_eq!(*inv, invite_id);
            *id
        }
        other => panic!("{other:?}"),
    };
    assert_ne!(cancel_id, invite_id);
    assert_eq!(
        layer.kind(cancel_id),
        Some(TransactionKind::ServerNonInvite)
    );
    // A CANCEL whose branch matches nothing: the TU answers 481.
    let stray = text_replace(&cancel, &[("z9hG4bKcx1", "z9hG4bKcx2")]);
    match events(&feed(&mut layer, t0, &stray)).as_slice() {
        [TransactionEvent::CancelReceived { invite: None, .. }] => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn client_cancel_only_after_provisional_and_built_per_9_1() {
    let (t0, mut layer) = layer();
    let id = layer
        .send_request(t0, invite_request("z9hG4bKcc1"), dest(Transport::Udp))
        .unwrap();
    let sent = transmits(&drain(&mut layer)).remove(0);
    assert_eq!(
        layer.build_cancel(id).unwrap_err(),
        TransactionError::NoProvisionalYet
    );
    feed(&mut layer, t0, &response_to(&sent, 180, Some("callee")));
    let cancel_id = layer.send_cancel(t0, id).unwrap();
    let cancel_bytes = transmits(&drain(&mut layer)).remove(0);
    let cancel = crate::decode_datagram(&cancel_bytes).unwrap();
    let invite = crate::decode_datagram(&sent).unwrap();
    assert_eq!(cancel.request_line().unwrap().method, Method::Cancel);
    assert_eq!(
        cancel.request_line().unwrap().uri_text,
        invite.request_line().unwrap().uri_text
    );
    for h in [HeaderName::CallId, HeaderName::To, HeaderName::From] {
        assert_eq!(cancel.header_value(h), invite.header_value(h), "{h}");
    }
    assert_eq!(cancel.cseq().unwrap().seq, invite.cseq().unwrap().seq);
    assert_eq!(cancel.cseq().unwrap().method, Method::Cancel);
    assert_eq!(cancel.vias().unwrap(), vec![invite.top_via().unwrap()]);
    // 200 to the CANCEL goes to the CANCEL transaction, 487 to the INVITE one (ACKed).
    let out = feed(
        &mut layer,
        t0,
        &response_to(&cancel_bytes, 200, Some("callee")),
    );
    assert!(matches!(
        events(&out).as_slice(),
        [TransactionEvent::ResponseReceived { id, .. }] if *id == cancel_id
    ));
    let out = feed(&mut layer, t0, &response_to(&sent, 487, Some("callee")));
    assert!(matches!(
        events(&out).as_slice(),
        [TransactionEvent::ResponseReceived { id: i, .. }] if *i == id
    ));
    assert_eq!(transmits(&out).len(), 1, "ACK for the 487");
    assert!(matches!(
        layer.build_cancel(id),
        Err(TransactionError::NoProvisionalYet)
    ));
}

#[test]
fn client_invite_2xx_and_its_retransmission_reach_the_tu() {
    let (t0, mut layer) = layer();
    let id = layer
        .send_request(t0, invite_request("z9hG4bK2x"), dest(Transport::Udp))
        .unwrap();
    let sent = transmits(&drain(&mut layer)).remove(0);
    let ok = response_to(&sent, 200, Some("callee"));
    let first = feed(&mut layer, t0, &ok);
    let again = feed(&mut layer, t0 + Duration::from_millis(500), &ok);
    for out in [first, again] {
        assert!(transmits(&out).is_empty(), "the 2xx ACK is the TU's");
        assert!(matches!(
            events(&out).as_slice(),
            [TransactionEvent::ResponseReceived { id: i, .. }] if *i == id
        ));
    }
    // The TU sends the ACK for the 2xx statelessly; it matches no server transaction.
    let ack = request("ACK", "z9hG4bKack2xx").to_bytes();
    layer.send_stateless(dest(Transport::Udp), ack.clone());
    assert_eq!(transmits(&drain(&mut layer)), vec![ack.clone()]);
    // A received 2xx ACK (new branch) goes to the TU as AckReceived.
    let out = feed(&mut layer, t0, &ack);
    assert!(matches!(
        events(&out).as_slice(),
        [TransactionEvent::AckReceived { invite: None, .. }]
    ));
    let run = run_from(&mut layer, t0, t0 + Duration::from_millis(500));
    assert_eq!(run.end, Duration::from_secs(32), "timer M");
    assert!(layer.is_empty());
}

#[test]
fn rfc2543_fallback_matching_with_inv2543() {
    let (t0, mut layer) = layer();
    let invite = conformance("inv2543.dat");
    let id = new_request(&feed(&mut layer, t0, &invite));
    assert!(
        feed(&mut layer, t0, &invite).is_empty(),
        "retransmission matched"
    );
    let req = crate::decode_datagram(&invite).unwrap();
    let nf = build_response(&req, 404, "Not Found", Some("2543tag")).unwrap();
    layer.send_response(t0, id, &nf).unwrap();
    drain(&mut layer);
    // The retransmitted INVITE gets the 404 again.
    assert_eq!(
        transmits(&feed(&mut layer, t0, &invite)),
        vec![nf.to_bytes()]
    );
    // An ACK with the wrong To tag does not match; the one with our tag does.
    let ack_for = |tag: &str| {
        crate::transaction::build_ack(
            &req,
            &crate::decode_datagram(
                &build_response(&req, 404, "Not Found", Some(tag))
                    .unwrap()
                    .to_bytes(),
            )
            .unwrap(),
        )
        .unwrap()
        .to_bytes()
    };
    let out = feed(&mut layer, t0, &ack_for("other"));
    assert!(matches!(
        events(&out).as_slice(),
        [TransactionEvent::AckReceived { invite: None, .. }]
    ));
    assert!(feed(&mut layer, t0, &ack_for("2543tag")).is_empty());
    layer.handle_timeout(t0 + Duration::from_secs(5));
    assert!(layer.is_empty(), "Confirmed, then timer I");
}

#[test]
fn lone_cookie_branch_uses_fallback_matching() {
    let (t0, mut layer) = layer();
    let options = conformance("badbranch.dat");
    new_request(&feed(&mut layer, t0, &options));
    assert!(feed(&mut layer, t0, &options).is_empty(), "retransmission");
    // Same lone-cookie branch and sent-by, different Call-ID: a different transaction.
    let other = text_replace(&options, &[("badbranch.sadonfo", "other.sadonfo")]);
    new_request(&feed(&mut layer, t0, &other));
    assert_eq!(layer.len(), 2);
}

#[test]
fn merged_requests_do_not_match() {
    let (t0, mut layer) = layer();
    let a = request("OPTIONS", "z9hG4bKmerge").to_bytes();
    let b = text_replace(
        &a,
        &[("pc33.atlanta.example.com:5062", "pc34.atlanta.example.com")],
    );
    let ia = new_request(&feed(&mut layer, t0, &a));
    let ib = new_request(&feed(&mut layer, t0, &b));
    assert_ne!(ia, ib);
}

#[test]
fn limit_refuses_new_server_transactions() {
    let t0 = Instant::now();
    let mut layer = TransactionLayer::new(LayerConfig {
        max_transactions: 2,
        ..LayerConfig::default()
    });
    for b in ["z9hG4bKm1", "z9hG4bKm2"] {
        new_request(&feed(&mut layer, t0, &request("OPTIONS", b).to_bytes()));
    }
    let out = feed(&mut layer, t0, &request("OPTIONS", "z9hG4bKm3").to_bytes());
    let evs = events(&out);
    let [TransactionEvent::Refused { request }] = evs.as_slice() else {
        panic!("{out:?}")
    };
    assert_eq!(layer.len(), 2);
    assert_eq!(layer.stats().refused, 1);
    let unavailable = request
        .response(503, "Service Unavailable", Some("x"))
        .unwrap();
    layer.send_stateless(request.source, unavailable.to_bytes());
    assert_eq!(transmits(&drain(&mut layer)).len(), 1);
    assert_eq!(
        layer
            .send_request(t0, request_fresh(), dest(Transport::Udp))
            .unwrap_err(),
        TransactionError::TooManyTransactions { limit: 2 }
    );
}

fn request_fresh() -> crate::OwnedMessage {
    request("OPTIONS", "z9hG4bKfresh")
}

#[test]
fn duplicate_branch_and_stray_response() {
    let (t0, mut layer) = layer();
    layer
        .send_request(t0, request("OPTIONS", "z9hG4bKdup"), dest(Transport::Udp))
        .unwrap();
    assert_eq!(
        layer
            .send_request(t0, request("OPTIONS", "z9hG4bKdup"), dest(Transport::Udp))
            .unwrap_err(),
        TransactionError::DuplicateTransaction
    );
    let stray = response_to(
        &request("OPTIONS", "z9hG4bKnone").to_bytes(),
        200,
        Some("t"),
    );
    drain(&mut layer);
    assert!(feed(&mut layer, t0, &stray).is_empty());
    assert_eq!(layer.stats().stray_responses, 1);
    assert!(layer.handle_input(t0, input(b"garbage")).is_err());
}

#[test]
fn transport_error_through_the_layer() {
    let (t0, mut layer) = layer();
    let id = layer
        .send_request(t0, invite_request("z9hG4bKte"), dest(Transport::Tcp))
        .unwrap();
    drain(&mut layer);
    layer.handle_transport_error(t0, id);
    let out = drain(&mut layer);
    assert_eq!(events(&out), vec![TransactionEvent::TransportError { id }]);
    assert!(layer.is_empty());
    assert_eq!(layer.poll_timeout(), None);
}

/// Two layers joined by a virtual UDP network that can lose datagrams.
struct Pair {
    now: Instant,
    a: TransactionLayer,
    b: TransactionLayer,
    a_events: Vec<TransactionEvent>,
    b_events: Vec<TransactionEvent>,
    /// How many of the next datagrams from a to b are lost.
    lose_a_to_b: usize,
    delivered: usize,
}

impl Pair {
    fn new() -> Self {
        Self {
            now: Instant::now(),
            a: TransactionLayer::new(LayerConfig::default()),
            b: TransactionLayer::new(LayerConfig::default()),
            a_events: Vec::new(),
            b_events: Vec::new(),
            lose_a_to_b: 0,
            delivered: 0,
        }
    }

    /// Delivers datagrams until both sides are quiet at this instant.
    fn exchange(&mut self) {
        for _ in 0..100 {
            let mut moved = false;
            while let Some(out) = self.a.poll_output() {
                moved = true;
                match out {
                    Output::Transmit(t) if self.lose_a_to_b > 0 => {
                        let _ = t;
                        self.lose_a_to_b -= 1;
                    }
                    Output::Transmit(t) => {
                        self.delivered += 1;
                        let source = source(Transport::Udp);
                        self.b
                            .handle_input(
                                self.now,
                                Input {
                                    bytes: &t.bytes,
                                    source,
                                },
                            )
                            .unwrap();
                    }
                    Output::Event(e) => self.a_events.push(e),
                }
            }
            while let Some(out) = self.b.poll_output() {
                moved = true;
                match out {
                    Output::Transmit(t) => {
                        self.delivered += 1;
                        let source = dest(Transport::Udp);
                        self.a
                            .handle_input(
                                self.now,
                                Input {
                                    bytes: &t.bytes,
                                    source,
                                },
                            )
                            .unwrap();
                    }
                    Output::Event(e) => self.b_events.push(e),
                }
            }
            if !moved {
                return;
            }
        }
    }

    /// Jumps to the earlier of both timeouts, fires it and exchanges.
    fn step(&mut self) -> bool {
        let next = [self.a.poll_timeout(), self.b.poll_timeout()]
            .into_iter()
            .flatten()
            .min();
        let Some(next) = next else { return false };
        self.now = next;
        self.a.handle_timeout(next);
        self.b.handle_timeout(next);
        self.exchange();
        true
    }

    fn b_request(&self) -> (TransactionId, Received) {
        self.b_events
            .iter()
            .find_map(|e| match e {
                TransactionEvent::RequestReceived { id, request } => Some((*id, request.clone())),
                _ => None,
            })
            .unwrap()
    }
}

#[test]
fn two_layers_recover_a_lost_invite_and_complete_a_rejection() {
    let mut p = Pair::new();
    p.lose_a_to_b = 1;
    let t0 = p.now;
    let inv =
        p.a.send_request(t0, invite_request("z9hG4bKpair1"), dest(Transport::Udp))
            .unwrap();
    p.exchange();
    assert!(p.b_events.is_empty(), "first INVITE lost");
    p.step(); // timer A at 0.5 s: retransmission arrives
    assert_eq!(p.now - t0, Duration::from_millis(500));
    let (sid, request) = p.b_request();
    let busy = request.response(486, "Busy Here", Some("b1")).unwrap();
    p.b.send_response(p.now, sid, &busy).unwrap();
    p.exchange();
    // A got the 486 and ACKed it; B's transaction absorbed the ACK (Confirmed).
    assert!(p.a_events.iter().any(|e| matches!(
        e,
        TransactionEvent::ResponseReceived { id, .. } if *id == inv
    )));
    while p.step() {}
    assert!(p.a.is_empty() && p.b.is_empty());
    assert!(!p.b_events.iter().any(|e| matches!(
        e,
        TransactionEvent::Timeout { .. } | TransactionEvent::AckReceived { .. }
    )));
    // Retransmitted INVITE, 486, ACK and nothing more: no 100 (the TU answered at once), no
    // timer G retransmission after the ACK.
    assert_eq!(p.delivered, 3);
}

#[test]
fn two_layers_cancel_an_invite() {
    let mut p = Pair::new();
    let t0 = p.now;
    let inv =
        p.a.send_request(t0, invite_request("z9hG4bKpair2"), dest(Transport::Udp))
            .unwrap();
    p.exchange();
    let (sid, request) = p.b_request();
    let ringing = request.response(180, "Ringing", Some("b2")).unwrap();
    p.b.send_response(t0, sid, &ringing).unwrap();
    p.exchange();
    let cancel = p.a.send_cancel(t0, inv).unwrap();
    p.exchange();
    let (cancel_sid, cancel_req) = p
        .b_events
        .iter()
        .find_map(|e| match e {
            TransactionEvent::CancelReceived {
                id,
                invite: Some(i),
                request,
            } if *i == sid => Some((*id, request.clone())),
            _ => None,
        })
        .unwrap();
    p.b.send_response(
        t0,
        cancel_sid,
        &cancel_req.response(200, "OK", Some("b2")).unwrap(),
    )
    .unwrap();
    p.b.send_response(
        t0,
        sid,
        &request
            .response(487, "Request Terminated", Some("b2"))
            .unwrap(),
    )
    .unwrap();
    p.exchange();
    let finals: Vec<TransactionId> = p
        .a_events
        .iter()
        .filter_map(|e| match e {
            TransactionEvent::ResponseReceived { id, response }
                if response.message().unwrap().status_line().unwrap().code >= 200 =>
            {
                Some(*id)
            }
            _ => None,
        })
        .collect();
    assert_eq!(finals, vec![cancel, inv]);
    while p.step() {}
    assert!(p.a.is_empty() && p.b.is_empty());
    assert!(!p
        .b_events
        .iter()
        .any(|e| matches!(e, TransactionEvent::Timeout { .. })));
}

/// A request handed to the TU is decoded once, when it arrives: every read of it (and of a
/// clone) is the same decoded message, not a new parse, and it is the message received.
#[test]
fn a_received_request_is_decoded_once_and_shared() {
    let (t0, mut layer) = layer();
    let bytes = invite_request("z9hG4bKshared").to_bytes();
    let out = feed(&mut layer, t0, &bytes);
    let request = match events(&out).as_slice() {
        [TransactionEvent::RequestReceived { request, .. }] => (*request).clone(),
        other => panic!("expected one RequestReceived, got {other:?}"),
    };
    let first = request.message().unwrap();
    assert!(std::ptr::eq(first, request.message().unwrap()));
    let copy = request.clone();
    assert!(std::ptr::eq(first, copy.message().unwrap()));
    assert_eq!(request.bytes(), &bytes[..]);
    assert_eq!(
        first.call_id().unwrap(),
        "a84b4c76e66710@pc33.atlanta.example.com"
    );
    assert_eq!(first.cseq().unwrap().seq, 314159);
}

#[test]
fn an_encoded_request_and_response_are_sent_as_encoded_and_matched_like_the_plain_ones() {
    use crate::transaction::Outgoing;
    let (t0, mut layer) = layer();
    // Client side: the encoded INVITE goes out byte for byte and its 2xx finds it.
    let invite = Outgoing::encode(&invite_request("z9hG4bKenc1")).unwrap();
    let id = layer
        .send_encoded_request(t0, &invite, dest(Transport::Udp))
        .unwrap();
    assert_eq!(layer.kind(id), Some(TransactionKind::ClientInvite));
    assert_eq!(transmits(&drain(&mut layer)), vec![invite.bytes().to_vec()]);
    let ok = response_to(invite.bytes(), 200, Some("callee"));
    assert!(matches!(
        events(&feed(&mut layer, t0, &ok)).as_slice(),
        [TransactionEvent::ResponseReceived { id: i, .. }] if *i == id
    ));
    // The same encoded INVITE again is the same transaction: refused as a duplicate.
    assert!(matches!(
        layer.send_encoded_request(t0, &invite, dest(Transport::Udp)),
        Err(TransactionError::DuplicateTransaction)
    ));
    // An encoded ACK is refused as a transaction, as a plain one is.
    let ack = Outgoing::encode(&request("ACK", "z9hG4bKenc2")).unwrap();
    assert!(matches!(
        layer.send_encoded_request(t0, &ack, dest(Transport::Udp)),
        Err(TransactionError::AckRequest)
    ));

    // Server side: an encoded 486 is sent as encoded and retransmitted on the INVITE's
    // retransmission; an encoded response on a client transaction is refused.
    let room = invite_request("z9hG4bKenc3").to_bytes();
    let sid = new_request(&feed(&mut layer, t0, &room));
    let req = crate::decode_datagram(&room).unwrap();
    let busy =
        Outgoing::encode(&build_response(&req, 486, "Busy Here", Some("u1")).unwrap()).unwrap();
    layer.send_encoded_response(t0, sid, &busy).unwrap();
    assert_eq!(transmits(&drain(&mut layer)), vec![busy.bytes().to_vec()]);
    assert_eq!(
        transmits(&feed(&mut layer, t0 + Duration::from_millis(10), &room)),
        vec![busy.bytes().to_vec()]
    );
    assert!(matches!(
        layer.send_encoded_response(t0, id, &busy),
        Err(TransactionError::WrongKind { .. })
    ));
}

#[test]
fn the_tables_give_memory_back_once_a_burst_has_ended() {
    let (t0, mut layer) = layer();
    for i in 0..6000 {
        layer
            .send_request(
                t0,
                request("OPTIONS", &format!("z9hG4bKsh{i}")),
                dest(Transport::Tcp),
            )
            .unwrap();
    }
    drain(&mut layer);
    let peak = layer.entries.capacity();
    assert!(peak >= 6000 && layer.client_index.capacity() >= 6000);
    // Every transaction times out (timer F): the maps shrink with them.
    let run = run_to_end(&mut layer, t0);
    assert!(run.terminated && layer.is_empty());
    assert!(
        layer.entries.capacity() <= SHRINK_ABOVE && layer.client_index.capacity() <= SHRINK_ABOVE,
        "capacity {} / {} after the burst (peak {peak})",
        layer.entries.capacity(),
        layer.client_index.capacity()
    );
    // The shrunk tables take new transactions as before.
    layer
        .send_request(
            t0,
            request("OPTIONS", "z9hG4bKsh-last"),
            dest(Transport::Tcp),
        )
        .unwrap();
    assert_eq!(layer.len(), 1);
}
