//! Full message flows through dialogs. Every message, received or built, goes through
//! `decode_datagram`, so what the dialog builds is validated by our own parser.

use std::time::{Duration, Instant};

use super::prack::{check_required, is_reliable_provisional, SUPPORTED_OPTION_TAGS};
use super::session_timer::{
    on_422, uac_negotiated, uas_answer, Negotiated, Refresher, SessionTimerConfig,
};
use super::*;
use crate::transaction::Transport;
use crate::{decode_datagram, Method, OwnedStartLine};

const SDP: &str = "v=0\r\no=- 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";

fn sdp() -> Option<Body<'static>> {
    Some(Body {
        content_type: "application/sdp",
        bytes: SDP.as_bytes(),
    })
}

/// A message from header lines and a body, with Content-Length (and Content-Type for a
/// body) filled in.
fn wire(lines: &[&str], body: &str) -> Vec<u8> {
    let mut out = lines.join("\r\n");
    if !body.is_empty() {
        out.push_str("\r\nContent-Type: application/sdp");
    }
    out.push_str(&format!("\r\nContent-Length: {}\r\n\r\n{body}", body.len()));
    out.into_bytes()
}

fn hop() -> ViaHop {
    ViaHop::new(Transport::Udp, "192.0.2.9:5060")
}

fn decode(msg: &OwnedMessage) -> Vec<u8> {
    let bytes = msg.to_bytes();
    decode_datagram(&bytes).unwrap();
    bytes
}

fn values<'m>(msg: &'m Message<'_>, name: HeaderName<'static>) -> Vec<&'m str> {
    msg.headers_named(name).map(|h| h.value.as_ref()).collect()
}

// ---------------------------------------------------------------- UAS side

/// An INVITE from a room system through two record-routing proxies.
fn incoming_invite(extra: &[&str], body: &str) -> Vec<u8> {
    let mut lines = vec![
        "INVITE sip:gw@192.0.2.9 SIP/2.0",
        "Via: SIP/2.0/UDP p2.example.com;branch=z9hG4bKp2",
        "Via: SIP/2.0/UDP p1.example.com;branch=z9hG4bKp1",
        "Via: SIP/2.0/UDP room.example.com:5062;branch=z9hG4bKr1",
        "Record-Route: <sip:p2.example.com;lr>",
        "Record-Route: <sip:p1.example.com;lr>",
        "Max-Forwards: 68",
        "From: \"Room\" <sip:room@example.com>;tag=r-tag",
        "To: <sip:gw@192.0.2.9>",
        "Call-ID: call-1@room.example.com",
        "CSeq: 10 INVITE",
        "Contact: <sip:room@198.51.100.7:5062>",
    ];
    lines.extend_from_slice(extra);
    wire(&lines, body)
}

/// A request from the room inside the dialog of [`incoming_invite`].
fn from_room(method: &str, cseq: u32, extra: &[&str], body: &str) -> Vec<u8> {
    let start = format!("{method} sip:gw@192.0.2.9:5060 SIP/2.0");
    let cseq = format!("CSeq: {cseq} {method}");
    let mut lines = vec![
        start.as_str(),
        "Via: SIP/2.0/UDP room.example.com:5062;branch=z9hG4bKx",
        "Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>",
        "Max-Forwards: 70",
        "From: \"Room\" <sip:room@example.com>;tag=r-tag",
        "To: <sip:gw@192.0.2.9>;tag=gw-tag",
        "Call-ID: call-1@room.example.com",
        cseq.as_str(),
    ];
    lines.extend_from_slice(extra);
    wire(&lines, body)
}

/// A confirmed UAS dialog: the INVITE with an offer answered by our 200 with the answer.
fn uas_dialog() -> Dialog {
    let invite = incoming_invite(&[], SDP);
    let invite = decode_datagram(&invite).unwrap();
    let ok = dialog_response(&invite, 200, "OK", "gw-tag", "<sip:gw@192.0.2.9:5060>")
        .with_body("application/sdp", SDP);
    Dialog::uas(&invite, &ok, Transport::Udp).unwrap()
}

#[test]
fn uas_dialog_from_invite_with_record_route_then_ack_and_bye() {
    let invite = incoming_invite(&[], SDP);
    let invite = decode_datagram(&invite).unwrap();
    let ringing = dialog_response(&invite, 180, "Ringing", "gw-tag", "<sip:gw@192.0.2.9:5060>");
    // Our 1xx copies Record-Route and carries our tag and Contact (§12.1.1).
    let ringing_bytes = decode(&ringing);
    let ringing_msg = decode_datagram(&ringing_bytes).unwrap();
    assert_eq!(
        values(&ringing_msg, HeaderName::RecordRoute),
        ["<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>"]
    );
    assert_eq!(ringing_msg.to_header().unwrap().tag(), Some("gw-tag"));

    let mut dialog = Dialog::uas(&invite, &ringing, Transport::Udp).unwrap();
    assert_eq!(dialog.state(), DialogState::Early);
    assert_eq!(dialog.role(), Role::Uas);
    assert_eq!(
        dialog.id(),
        &DialogId {
            call_id: "call-1@room.example.com".into(),
            local_tag: "gw-tag".into(),
            remote_tag: "r-tag".into(),
        }
    );
    // UAS keeps Record-Route order (§12.1.1).
    let routes: Vec<&str> = dialog
        .route_set()
        .entries()
        .iter()
        .map(|e| e.uri.as_str())
        .collect();
    assert_eq!(routes, ["sip:p2.example.com;lr", "sip:p1.example.com;lr"]);
    assert_eq!(dialog.remote_target(), "sip:room@198.51.100.7:5062");
    assert_eq!(dialog.remote_cseq(), Some(10));
    assert_eq!(dialog.local_cseq(), None);
    assert!(!dialog.is_secure());
    assert_eq!(dialog.offer_state(), OfferState::RemoteOffer);
    assert!(!dialog.can_reinvite());

    let ok = dialog_response(&invite, 200, "OK", "gw-tag", "<sip:gw@192.0.2.9:5060>")
        .with_body("application/sdp", SDP);
    dialog.on_response_sent(&ok).unwrap();
    assert_eq!(dialog.state(), DialogState::Confirmed);
    assert_eq!(dialog.offer_state(), OfferState::Idle);
    // The INVITE is in progress until its ACK (§14.1).
    assert!(!dialog.can_reinvite());

    let ack = from_room("ACK", 10, &[], "");
    let got = dialog.on_request(&decode_datagram(&ack).unwrap()).unwrap();
    assert_eq!(
        got,
        InDialogRequest::Ack {
            answer_due: false,
            has_body: false
        }
    );
    assert!(dialog.can_reinvite());
    // A second ACK for the same 2xx matches nothing any more.
    assert_eq!(
        dialog.on_request(&decode_datagram(&ack).unwrap()),
        Err(DialogError::StrayAck)
    );

    // Our BYE: Request-URI is the remote target, Route the route set (loose routing).
    let bye = dialog
        .build_request(Method::Bye, &hop(), "z9hG4bKbye1", None)
        .unwrap();
    let bye = decode(&bye);
    let bye = decode_datagram(&bye).unwrap();
    assert_eq!(
        bye.request_line().unwrap().uri_text,
        "sip:room@198.51.100.7:5062"
    );
    assert_eq!(
        values(&bye, HeaderName::Route),
        ["<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>"]
    );
    assert_eq!(bye.from_header().unwrap().tag(), Some("gw-tag"));
    assert_eq!(bye.to_header().unwrap().tag(), Some("r-tag"));
    assert_eq!(
        bye.to_header().unwrap().display_name.as_deref(),
        Some("Room")
    );
    assert_eq!(bye.call_id().unwrap(), "call-1@room.example.com");
    assert_eq!(bye.cseq().unwrap().seq, INITIAL_LOCAL_CSEQ);
    assert_eq!(bye.top_via().unwrap().branch(), Some("z9hG4bKbye1"));
    assert!(bye.header(HeaderName::Contact).is_none());
    assert_eq!(dialog.state(), DialogState::Terminated);
    assert_eq!(
        dialog.build_request(Method::Info, &hop(), "z9hG4bKx", None),
        Err(DialogError::Terminated)
    );
}

#[test]
fn peer_bye_ends_the_dialog_and_later_requests_get_481() {
    let mut dialog = uas_dialog();
    dialog
        .on_request(&decode_datagram(&from_room("ACK", 10, &[], "")).unwrap())
        .unwrap();
    let bye = from_room("BYE", 11, &[], "");
    assert_eq!(
        dialog.on_request(&decode_datagram(&bye).unwrap()),
        Ok(InDialogRequest::Bye)
    );
    assert_eq!(dialog.state(), DialogState::Terminated);
    let info = from_room("INFO", 12, &[], "");
    let err = dialog
        .on_request(&decode_datagram(&info).unwrap())
        .unwrap_err();
    assert_eq!(err, DialogError::Terminated);
    assert_eq!(status_for(&err), 481);
}

#[test]
fn early_uas_dialog_ends_with_a_non_2xx_final() {
    let invite = incoming_invite(&[], SDP);
    let invite = decode_datagram(&invite).unwrap();
    let contact = "<sip:gw@192.0.2.9:5060>";
    let ringing = dialog_response(&invite, 180, "Ringing", "gw-tag", contact);
    let mut dialog = Dialog::uas(&invite, &ringing, Transport::Udp).unwrap();
    assert_eq!(
        dialog.build_request(Method::Bye, &hop(), "z9hG4bKb", None),
        Err(DialogError::ByeOnEarlyDialog)
    );
    let busy = dialog_response(&invite, 486, "Busy Here", "gw-tag", contact);
    dialog.on_response_sent(&busy).unwrap();
    assert_eq!(dialog.state(), DialogState::Terminated);
    // A response that cannot create a dialog is refused.
    assert!(matches!(
        Dialog::uas(&invite, &busy, Transport::Udp),
        Err(DialogError::NotDialogCreating(_))
    ));
}

#[test]
fn uas_needs_the_peer_contact_and_a_tagless_invite() {
    let contact = "<sip:gw@192.0.2.9:5060>";
    let no_contact = wire(
        &[
            "INVITE sip:gw@192.0.2.9 SIP/2.0",
            "Via: SIP/2.0/UDP room.example.com;branch=z9hG4bKr1",
            "From: <sip:room@example.com>;tag=r",
            "To: <sip:gw@192.0.2.9>",
            "Call-ID: c2",
            "CSeq: 1 INVITE",
        ],
        "",
    );
    let invite = decode_datagram(&no_contact).unwrap();
    let ok = dialog_response(&invite, 200, "OK", "t", contact);
    assert_eq!(
        Dialog::uas(&invite, &ok, Transport::Udp),
        Err(DialogError::MissingContact)
    );
    let in_dialog = from_room("INVITE", 11, &["Contact: <sip:room@198.51.100.7>"], "");
    let invite = decode_datagram(&in_dialog).unwrap();
    let ok = dialog_response(&invite, 200, "OK", "t", contact);
    assert!(matches!(
        Dialog::uas(&invite, &ok, Transport::Udp),
        Err(DialogError::NotDialogCreating(_))
    ));
}

#[test]
fn sips_over_tls_makes_a_secure_dialog() {
    let invite = wire(
        &[
            "INVITE sips:gw@gw.example.com SIP/2.0",
            "Via: SIP/2.0/TLS room.example.com;branch=z9hG4bKr1",
            "From: <sips:room@example.com>;tag=r",
            "To: <sips:gw@gw.example.com>",
            "Call-ID: c3",
            "CSeq: 1 INVITE",
            "Contact: <sips:room@room.example.com>",
        ],
        "",
    );
    let invite = decode_datagram(&invite).unwrap();
    let ok = dialog_response(&invite, 200, "OK", "t", "<sips:gw@gw.example.com>");
    assert!(Dialog::uas(&invite, &ok, Transport::Tls)
        .unwrap()
        .is_secure());
    assert!(!Dialog::uas(&invite, &ok, Transport::Tcp)
        .unwrap()
        .is_secure());
}

// ---------------------------------------------------------------- UAC side

/// The INVITE we send (with an offer unless `body` is empty).
fn our_invite(body: &str) -> Vec<u8> {
    let mut msg = OwnedMessage::request("INVITE", "sip:1001@pbx.example.com")
        .with(HeaderName::Via, hop().value("z9hG4bKinv1"))
        .with(HeaderName::MaxForwards, 70)
        .with(
            HeaderName::From,
            "\"Gateway\" <sip:gw@192.0.2.9>;tag=gw-tag",
        )
        .with(HeaderName::To, "<sip:1001@pbx.example.com>")
        .with(HeaderName::CallId, "out-1@192.0.2.9")
        .with(HeaderName::CSeq, "1 INVITE")
        .with(HeaderName::Contact, "<sip:gw@192.0.2.9:5060>");
    if !body.is_empty() {
        msg = msg.with_body("application/sdp", body);
    }
    decode(&msg)
}

/// A response to [`our_invite`] from the far end with To tag `tag`.
fn invite_response(code: u16, tag: &str, extra: &[&str], body: &str) -> Vec<u8> {
    let status = format!("SIP/2.0 {code} R");
    let to = format!("To: <sip:1001@pbx.example.com>;tag={tag}");
    let mut lines = vec![
        status.as_str(),
        "Via: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bKinv1;rport",
        "From: \"Gateway\" <sip:gw@192.0.2.9>;tag=gw-tag",
        to.as_str(),
        "Call-ID: out-1@192.0.2.9",
        "CSeq: 1 INVITE",
    ];
    lines.extend_from_slice(extra);
    wire(&lines, body)
}

/// A response to a request we built in a dialog with the far end of [`our_invite`].
fn response_to(request: &OwnedMessage, code: u16, extra: &[&str], body: &str) -> Vec<u8> {
    let bytes = request.to_bytes();
    let req = decode_datagram(&bytes).unwrap();
    let mut resp = req.response_to(code, "R", None);
    for line in extra {
        let (name, value) = line.split_once(": ").unwrap();
        resp.push(HeaderName::from_wire(name), value);
    }
    if !body.is_empty() {
        resp = resp.with_body("application/sdp", body);
    }
    decode(&resp)
}

const RR_TWO: &str = "Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr;transport=tcp>";

fn uac_dialog(extra: &[&str]) -> Dialog {
    let invite = our_invite(SDP);
    let ok = invite_response(200, "far", extra, SDP);
    Dialog::uac(
        &decode_datagram(&invite).unwrap(),
        &decode_datagram(&ok).unwrap(),
        Transport::Udp,
    )
    .unwrap()
}

#[test]
fn uac_dialog_from_200_reverses_record_route_and_targets_the_contact() {
    let mut dialog = uac_dialog(&[RR_TWO, "Contact: <sip:1001@203.0.113.5:5070;transport=udp>"]);
    assert_eq!(dialog.state(), DialogState::Confirmed);
    assert_eq!(dialog.role(), Role::Uac);
    assert_eq!(dialog.id().local_tag, "gw-tag");
    assert_eq!(dialog.id().remote_tag, "far");
    assert_eq!(
        dialog.remote_target(),
        "sip:1001@203.0.113.5:5070;transport=udp"
    );
    let routes: Vec<&str> = dialog
        .route_set()
        .entries()
        .iter()
        .map(|e| e.value.as_str())
        .collect();
    assert_eq!(
        routes,
        [
            "<sip:p2.example.com;lr;transport=tcp>",
            "<sip:p1.example.com;lr>"
        ]
    );
    assert_eq!(dialog.local_cseq(), Some(1));
    assert_eq!(dialog.remote_cseq(), None);
    assert_eq!(dialog.offer_state(), OfferState::Idle);

    // The ACK for the 2xx: new branch, CSeq 1 ACK, routed like any in-dialog request.
    let ok = invite_response(
        200,
        "far",
        &[RR_TWO, "Contact: <sip:1001@203.0.113.5:5070;transport=udp>"],
        SDP,
    );
    let ack = dialog
        .build_ack(&decode_datagram(&ok).unwrap(), &hop(), "z9hG4bKack1", None)
        .unwrap();
    let ack = decode(&ack);
    let ack = decode_datagram(&ack).unwrap();
    assert_eq!(
        ack.request_line().unwrap().uri_text,
        "sip:1001@203.0.113.5:5070;transport=udp"
    );
    assert_eq!(ack.cseq().unwrap().to_string(), "1 ACK");
    assert_eq!(ack.top_via().unwrap().branch(), Some("z9hG4bKack1"));
    assert_eq!(
        values(&ack, HeaderName::Route),
        [
            "<sip:p2.example.com;lr;transport=tcp>",
            "<sip:p1.example.com;lr>"
        ]
    );
    assert_eq!(dialog.local_cseq(), Some(1), "ACK reuses the INVITE's CSeq");

    // The next request takes the next CSeq and the dialog's From/To.
    let info = dialog
        .build_request(Method::Info, &hop(), "z9hG4bKinfo", None)
        .unwrap();
    let info = decode(&info);
    let info = decode_datagram(&info).unwrap();
    assert_eq!(info.cseq().unwrap().to_string(), "2 INFO");
    assert_eq!(
        info.from_header().unwrap().to_string(),
        "\"Gateway\" <sip:gw@192.0.2.9>;tag=gw-tag"
    );
    assert_eq!(
        info.to_header().unwrap().to_string(),
        "<sip:1001@pbx.example.com>;tag=far"
    );
    // A retransmitted 2xx is recognised (re-send the ACK), not re-applied.
    assert_eq!(
        dialog.on_response(&decode_datagram(&ok).unwrap()),
        Ok(ResponseOutcome::Success {
            retransmission: true,
            offer_in_2xx: false
        })
    );
}

#[test]
fn delayed_offer_ack_carries_the_answer() {
    let invite = our_invite("");
    let ok = invite_response(200, "far", &["Contact: <sip:1001@203.0.113.5>"], SDP);
    let ok = decode_datagram(&ok).unwrap();
    let mut dialog = Dialog::uac(&decode_datagram(&invite).unwrap(), &ok, Transport::Udp).unwrap();
    // The offer came in the 2xx: we owe the answer in the ACK.
    assert_eq!(dialog.offer_state(), OfferState::RemoteOffer);
    let ack = dialog.build_ack(&ok, &hop(), "z9hG4bKack2", sdp()).unwrap();
    let ack = decode(&ack);
    let ack = decode_datagram(&ack).unwrap();
    assert_eq!(ack.body, SDP.as_bytes());
    assert_eq!(
        ack.content_type().unwrap().unwrap().to_string(),
        "application/sdp"
    );
    assert_eq!(dialog.offer_state(), OfferState::Idle);
}

#[test]
fn uas_side_delayed_offer_expects_the_answer_in_the_ack() {
    let invite = incoming_invite(&[], "");
    let invite = decode_datagram(&invite).unwrap();
    let ok = dialog_response(&invite, 200, "OK", "gw-tag", "<sip:gw@192.0.2.9:5060>")
        .with_body("application/sdp", SDP);
    let mut dialog = Dialog::uas(&invite, &ok, Transport::Udp).unwrap();
    assert_eq!(dialog.offer_state(), OfferState::LocalOffer);
    let ack = from_room("ACK", 10, &[], SDP);
    assert_eq!(
        dialog.on_request(&decode_datagram(&ack).unwrap()),
        Ok(InDialogRequest::Ack {
            answer_due: true,
            has_body: true
        })
    );
    assert_eq!(dialog.offer_state(), OfferState::Idle);
}

#[test]
fn strict_router_gets_the_request_uri_and_the_target_goes_last() {
    // In response order; reversed the strict router is our first hop.
    let mut dialog = uac_dialog(&[
        "Record-Route: <sip:p1.example.com;lr>",
        "Record-Route: <sip:strict.example.com;transport=tcp;method=INVITE?X-H=1>",
        "Contact: <sip:1001@203.0.113.5:5070>",
    ]);
    assert!(!dialog.route_set().entries()[0].loose);
    let bye = dialog
        .build_request(Method::Bye, &hop(), "z9hG4bKbye2", None)
        .unwrap();
    let bye = decode(&bye);
    let bye = decode_datagram(&bye).unwrap();
    // §12.2.1.1: parameters not allowed in a Request-URI (method, headers) are stripped.
    assert_eq!(
        bye.request_line().unwrap().uri_text,
        "sip:strict.example.com;transport=tcp"
    );
    assert_eq!(
        values(&bye, HeaderName::Route),
        ["<sip:p1.example.com;lr>", "<sip:1001@203.0.113.5:5070>"]
    );
}

#[test]
fn route_set_is_bounded() {
    let rr: Vec<String> = (0..=MAX_ROUTE_SET_LEN)
        .map(|i| format!("Record-Route: <sip:p{i}.example.com;lr>"))
        .collect();
    let mut extra: Vec<&str> = rr.iter().map(String::as_str).collect();
    extra.push("Contact: <sip:1001@203.0.113.5>");
    let invite = our_invite(SDP);
    let ok = invite_response(200, "far", &extra, SDP);
    let err = Dialog::uac(
        &decode_datagram(&invite).unwrap(),
        &decode_datagram(&ok).unwrap(),
        Transport::Udp,
    )
    .unwrap_err();
    assert_eq!(
        err,
        DialogError::RouteSetTooLong {
            limit: MAX_ROUTE_SET_LEN
        }
    );
}

#[test]
fn forking_makes_distinct_early_dialogs() {
    let invite = our_invite(SDP);
    let invite = decode_datagram(&invite).unwrap();
    let r1 = invite_response(
        180,
        "fork-a",
        &[
            "Record-Route: <sip:p1.example.com;lr>",
            "Contact: <sip:1001@203.0.113.1>",
        ],
        "",
    );
    let r2 = invite_response(183, "fork-b", &["Contact: <sip:1001@203.0.113.2>"], SDP);
    let a = Dialog::uac(&invite, &decode_datagram(&r1).unwrap(), Transport::Udp).unwrap();
    let b = Dialog::uac(&invite, &decode_datagram(&r2).unwrap(), Transport::Udp).unwrap();
    assert_ne!(a.id(), b.id());
    assert_eq!(a.state(), DialogState::Early);
    assert_eq!(b.state(), DialogState::Early);
    assert_eq!(a.remote_target(), "sip:1001@203.0.113.1");
    assert_eq!(b.remote_target(), "sip:1001@203.0.113.2");
    // 100 and tagless 1xx do not create dialogs.
    let trying = invite_response(100, "x", &[], "");
    let trying = String::from_utf8(trying).unwrap().replace(";tag=x", "");
    assert_eq!(
        Dialog::uac(
            &invite,
            &decode_datagram(trying.as_bytes()).unwrap(),
            Transport::Udp
        ),
        Err(DialogError::NotDialogCreating(
            "only a 101-299 response creates a dialog"
        ))
    );
    let tagless = String::from_utf8(r1.clone())
        .unwrap()
        .replace(";tag=fork-a", "");
    assert_eq!(
        Dialog::uac(
            &invite,
            &decode_datagram(tagless.as_bytes()).unwrap(),
            Transport::Udp
        ),
        Err(DialogError::MissingTag { header: "To" })
    );

    let mut set = DialogSet::new(4);
    set.insert(a).unwrap();
    set.insert(b).unwrap();
    assert_eq!(set.forks("out-1@192.0.2.9", "gw-tag").count(), 2);

    // fork-b answers: its 2xx confirms b (route set recomputed from the 2xx), a stays early.
    let ok_b = invite_response(
        200,
        "fork-b",
        &[
            "Record-Route: <sip:p9.example.com;lr>",
            "Contact: <sip:1001@203.0.113.22>",
        ],
        SDP,
    );
    let ok_b = decode_datagram(&ok_b).unwrap();
    let id_b = DialogId::for_received_response(&ok_b).unwrap();
    let b = set.get_mut(&id_b).unwrap();
    assert!(matches!(
        b.on_response(&ok_b),
        Ok(ResponseOutcome::Success { .. })
    ));
    assert_eq!(b.state(), DialogState::Confirmed);
    assert_eq!(b.remote_target(), "sip:1001@203.0.113.22");
    assert_eq!(b.route_set().entries()[0].uri, "sip:p9.example.com;lr");
    // The 2xx of fork-b does not belong to dialog a.
    let id_a = DialogId::for_received_response(&decode_datagram(&r1).unwrap()).unwrap();
    let a = set.get_mut(&id_a).unwrap();
    assert_eq!(a.on_response(&ok_b), Err(DialogError::UnknownDialog));
    assert_eq!(a.state(), DialogState::Early);
    // A final failure from fork-a ends dialog a.
    let gone = invite_response(487, "fork-a", &[], "");
    assert_eq!(
        a.on_response(&decode_datagram(&gone).unwrap()),
        Ok(ResponseOutcome::Ended)
    );
    assert_eq!(set.remove_terminated(), 1);
    assert_eq!(set.len(), 1);
}

#[test]
fn dialog_set_is_bounded() {
    let mut set = DialogSet::new(1);
    set.insert(uas_dialog()).unwrap();
    set.insert(uas_dialog()).unwrap(); // same id: replaced
    let (err, _back) = set.insert(uac_dialog(&["Contact: <sip:x@h>"])).unwrap_err();
    assert_eq!(err.limit, 1);
}

// ---------------------------------------------------------------- checks

#[test]
fn unknown_dialog_gets_481() {
    let mut set = DialogSet::default();
    set.insert(uas_dialog()).unwrap();
    let other = from_room("INFO", 11, &[], "");
    let other = String::from_utf8(other)
        .unwrap()
        .replace("tag=gw-tag", "tag=nope");
    let req = decode_datagram(other.as_bytes()).unwrap();
    let err = set.on_request(&req).unwrap_err();
    assert_eq!(err, DialogError::UnknownDialog);
    assert_eq!(status_for(&err), 481);
    let resp = refuse(&req, &err, None, 0).unwrap();
    let resp = decode(&resp);
    assert_eq!(
        decode_datagram(&resp).unwrap().status_line().unwrap().code,
        481
    );
    // Without a To tag the request is outside any dialog.
    let tagless = from_room("INFO", 11, &[], "");
    let tagless = String::from_utf8(tagless)
        .unwrap()
        .replace(";tag=gw-tag", "");
    assert_eq!(
        set.on_request(&decode_datagram(tagless.as_bytes()).unwrap()),
        Err(DialogError::UnknownDialog)
    );
    // The right tags find the dialog.
    let info = from_room("INFO", 11, &[], "");
    let (id, what) = set.on_request(&decode_datagram(&info).unwrap()).unwrap();
    assert_eq!(id.local_tag, "gw-tag");
    assert_eq!(what, InDialogRequest::Other);
}

#[test]
fn cseq_going_backwards_gets_500() {
    let mut dialog = uas_dialog();
    let info = from_room("INFO", 20, &[], "");
    dialog.on_request(&decode_datagram(&info).unwrap()).unwrap();
    assert_eq!(dialog.remote_cseq(), Some(20));
    let old = from_room("INFO", 19, &[], "");
    let old = decode_datagram(&old).unwrap();
    let err = dialog.on_request(&old).unwrap_err();
    assert_eq!(
        err,
        DialogError::CSeqOutOfOrder {
            received: 19,
            remote: 20
        }
    );
    assert_eq!(status_for(&err), 500);
    assert!(refuse(&old, &err, None, 3)
        .unwrap()
        .headers
        .iter()
        .all(|(n, _)| n != "Retry-After"));
    assert_eq!(dialog.remote_cseq(), Some(20));
}

#[test]
fn local_cseq_increases_and_ack_cancel_are_not_built_here() {
    let mut dialog = uac_dialog(&["Contact: <sip:1001@203.0.113.5>"]);
    let mut last = dialog.local_cseq().unwrap();
    for method in [Method::Info, Method::Options, Method::Message] {
        let msg = dialog
            .build_request(method, &hop(), "z9hG4bKn", None)
            .unwrap();
        let bytes = decode(&msg);
        let seq = decode_datagram(&bytes).unwrap().cseq().unwrap().seq;
        assert!(seq > last);
        last = seq;
    }
    for (method, name) in [(Method::Ack, "ACK"), (Method::Cancel, "CANCEL")] {
        assert_eq!(
            dialog.build_request(method, &hop(), "z9hG4bKn", None),
            Err(DialogError::WrongMethod(name))
        );
    }
    // A malformed branch/sent-by is caught before any state changes.
    assert!(matches!(
        dialog.build_request(
            Method::Info,
            &ViaHop::new(Transport::Udp, "bad host"),
            "z9hG4bKn",
            None
        ),
        Err(DialogError::Build(_))
    ));
    assert_eq!(dialog.local_cseq(), Some(last));
    // CSeq cannot pass 2**31 - 1.
    dialog.local_cseq = Some(crate::headers::MAX_CSEQ);
    assert_eq!(
        dialog.build_request(Method::Info, &hop(), "z9hG4bKn", None),
        Err(DialogError::CSeqExhausted)
    );
}

// ---------------------------------------------------------------- re-INVITE / glare

#[test]
fn reinvite_refreshes_the_remote_target_both_ways() {
    // Received re-INVITE with a new Contact (§12.2.2).
    let mut dialog = uas_dialog();
    dialog
        .on_request(&decode_datagram(&from_room("ACK", 10, &[], "")).unwrap())
        .unwrap();
    let reinvite = from_room(
        "INVITE",
        11,
        &["Contact: <sip:room@198.51.100.99:5062>"],
        SDP,
    );
    let reinvite = decode_datagram(&reinvite).unwrap();
    assert_eq!(
        dialog.on_request(&reinvite),
        Ok(InDialogRequest::ReInvite { offer: true })
    );
    assert_eq!(dialog.remote_target(), "sip:room@198.51.100.99:5062");
    assert_eq!(dialog.offer_state(), OfferState::RemoteOffer);
    let ok = dialog_response(&reinvite, 200, "OK", "gw-tag", dialog.local_contact())
        .with_body("application/sdp", SDP);
    dialog.on_response_sent(&ok).unwrap();
    assert_eq!(dialog.offer_state(), OfferState::Idle);
    dialog
        .on_request(&decode_datagram(&from_room("ACK", 11, &[], "")).unwrap())
        .unwrap();
    assert!(dialog.can_reinvite());
    // Our BYE now goes to the new target.
    let bye = dialog
        .build_request(Method::Bye, &hop(), "z9hG4bKb", None)
        .unwrap();
    assert!(
        matches!(&bye.start, OwnedStartLine::Request { uri, .. } if uri == "sip:room@198.51.100.99:5062")
    );

    // Our re-INVITE answered by a 2xx with a new Contact (§12.2.1.2).
    let mut dialog = uac_dialog(&["Contact: <sip:1001@203.0.113.5>"]);
    dialog.set_local_contact("<sip:gw@192.0.2.10:5060>");
    let reinvite = dialog
        .build_request(Method::Invite, &hop(), "z9hG4bKre1", sdp())
        .unwrap();
    let bytes = decode(&reinvite);
    let sent = decode_datagram(&bytes).unwrap();
    assert_eq!(
        sent.header_value(HeaderName::Contact),
        Some("<sip:gw@192.0.2.10:5060>")
    );
    assert_eq!(sent.cseq().unwrap().seq, 2);
    assert!(!dialog.can_reinvite());
    let ok = response_to(&reinvite, 200, &["Contact: <sip:1001@203.0.113.77>"], SDP);
    assert_eq!(
        dialog.on_response(&decode_datagram(&ok).unwrap()),
        Ok(ResponseOutcome::Success {
            retransmission: false,
            offer_in_2xx: false
        })
    );
    assert_eq!(dialog.remote_target(), "sip:1001@203.0.113.77");
    assert!(dialog.can_reinvite());
    let ack = dialog
        .build_ack(&decode_datagram(&ok).unwrap(), &hop(), "z9hG4bKa", None)
        .unwrap();
    let ack = decode(&ack);
    let ack = decode_datagram(&ack).unwrap();
    assert_eq!(ack.cseq().unwrap().to_string(), "2 ACK");
    assert_eq!(
        ack.request_line().unwrap().uri_text,
        "sip:1001@203.0.113.77"
    );
}

#[test]
fn failed_reinvite_keeps_the_dialog_and_481_ends_it() {
    let mut dialog = uac_dialog(&["Contact: <sip:1001@203.0.113.5>"]);
    let reinvite = dialog
        .build_request(Method::Invite, &hop(), "z9hG4bKre1", sdp())
        .unwrap();
    let busy = response_to(&reinvite, 488, &[], "");
    assert_eq!(
        dialog.on_response(&decode_datagram(&busy).unwrap()),
        Ok(ResponseOutcome::Failure { code: 488 })
    );
    assert_eq!(dialog.state(), DialogState::Confirmed);
    assert_eq!(dialog.offer_state(), OfferState::Idle);
    let info = dialog
        .build_request(Method::Info, &hop(), "z9hG4bKi", None)
        .unwrap();
    let gone = response_to(&info, 481, &[], "");
    assert_eq!(
        dialog.on_response(&decode_datagram(&gone).unwrap()),
        Ok(ResponseOutcome::Ended)
    );
    assert_eq!(dialog.state(), DialogState::Terminated);
    // A response to a CSeq we never sent.
    let mut dialog = uac_dialog(&["Contact: <sip:1001@203.0.113.5>"]);
    let future = response_to(&info, 200, &[], "");
    assert_eq!(
        dialog.on_response(&decode_datagram(&future).unwrap()),
        Err(DialogError::UnexpectedResponse { cseq: 3 })
    );
}

#[test]
fn glare_gets_491_and_the_retry_interval_depends_on_call_id_ownership() {
    let mut ours = uas_dialog();
    ours.on_request(&decode_datagram(&from_room("ACK", 10, &[], "")).unwrap())
        .unwrap();
    let reinvite = ours
        .build_request(Method::Invite, &hop(), "z9hG4bKg1", sdp())
        .unwrap();
    // We cannot start a second INVITE or offer meanwhile.
    assert_eq!(
        ours.build_request(Method::Invite, &hop(), "z9hG4bKg2", sdp()),
        Err(DialogError::InviteInProgress)
    );
    assert_eq!(
        ours.build_request(Method::Update, &hop(), "z9hG4bKg2", sdp()),
        Err(DialogError::OfferOutstanding)
    );
    // The peer's re-INVITE crosses ours.
    let theirs = from_room("INVITE", 11, &["Contact: <sip:room@198.51.100.1>"], SDP);
    let theirs = decode_datagram(&theirs).unwrap();
    let err = ours.on_request(&theirs).unwrap_err();
    assert_eq!(err, DialogError::RequestPending);
    assert_eq!(status_for(&err), 491);
    let resp = refuse(&theirs, &err, None, 0).unwrap();
    let resp = decode(&resp);
    assert_eq!(
        decode_datagram(&resp)
            .unwrap()
            .status_line()
            .unwrap()
            .reason,
        "Request Pending"
    );
    // Refused: the target is not refreshed.
    assert_eq!(ours.remote_target(), "sip:room@198.51.100.7:5062");
    // And the peer answers ours with 491 too.
    let pending = response_to(&reinvite, 491, &[], "");
    assert_eq!(
        ours.on_response(&decode_datagram(&pending).unwrap()),
        Ok(ResponseOutcome::Glare)
    );
    assert!(ours.can_reinvite());
    assert_eq!(ours.offer_state(), OfferState::Idle);

    // §14.1: we did not create the Call-ID (UAS): 0 to 2 s; the owner waits 2.1 to 4 s.
    let now = Instant::now();
    assert_eq!(ours.glare_retry_at(now, 0), now);
    assert_eq!(ours.glare_retry_at(now, 200), now + Duration::from_secs(2));
    assert_eq!(ours.glare_retry_at(now, 201), now);
    let owner = uac_dialog(&["Contact: <sip:1001@203.0.113.5>"]);
    assert_eq!(
        owner.glare_retry_at(now, 0),
        now + Duration::from_millis(2100)
    );
    assert_eq!(owner.glare_retry_at(now, 190), now + Duration::from_secs(4));
    for r in [1, 77, 12_345, u32::MAX] {
        let at = owner.glare_retry_at(now, r) - now;
        assert!(glare_retry_range(true).contains(&at));
        assert_eq!(at.as_millis() % 10, 0);
        assert!(glare_retry_range(false).contains(&(ours.glare_retry_at(now, r) - now)));
    }
}

#[test]
fn second_reinvite_before_we_answer_gets_500_with_retry_after() {
    let mut dialog = uas_dialog();
    dialog
        .on_request(&decode_datagram(&from_room("ACK", 10, &[], "")).unwrap())
        .unwrap();
    let first = from_room("INVITE", 11, &["Contact: <sip:room@198.51.100.7:5062>"], "");
    assert_eq!(
        dialog.on_request(&decode_datagram(&first).unwrap()),
        Ok(InDialogRequest::ReInvite { offer: false })
    );
    assert_eq!(dialog.offer_state(), OfferState::LocalOfferDue);
    let second = from_room(
        "INVITE",
        12,
        &["Contact: <sip:room@198.51.100.7:5062>"],
        SDP,
    );
    let second = decode_datagram(&second).unwrap();
    let err = dialog.on_request(&second).unwrap_err();
    assert_eq!(err, DialogError::PeerRequestPending);
    assert_eq!(status_for(&err), 500);
    assert_eq!(retry_after_range(&err), Some(0..=10));
    let resp = refuse(&second, &err, None, 99).unwrap();
    let resp = decode(&resp);
    let resp = decode_datagram(&resp).unwrap();
    assert_eq!(resp.status_line().unwrap().code, 500);
    assert_eq!(resp.header_value(HeaderName::RetryAfter), Some("10"));
    // An UPDATE offer meets the same rule (RFC 3311 §5.2).
    let update = from_room(
        "UPDATE",
        13,
        &["Contact: <sip:room@198.51.100.7:5062>"],
        SDP,
    );
    assert_eq!(
        dialog.on_request(&decode_datagram(&update).unwrap()),
        Err(DialogError::PeerRequestPending)
    );
}

#[test]
fn update_glare_and_update_target_refresh() {
    let mut dialog = uac_dialog(&["Contact: <sip:1001@203.0.113.5>"]);
    let update = dialog
        .build_request(Method::Update, &hop(), "z9hG4bKu1", sdp())
        .unwrap();
    assert_eq!(dialog.offer_state(), OfferState::LocalOffer);
    let theirs = wire(
        &[
            "UPDATE sip:gw@192.0.2.9:5060 SIP/2.0",
            "Via: SIP/2.0/UDP 203.0.113.5;branch=z9hG4bKpu",
            "From: <sip:1001@pbx.example.com>;tag=far",
            "To: <sip:gw@192.0.2.9>;tag=gw-tag",
            "Call-ID: out-1@192.0.2.9",
            "CSeq: 1 UPDATE",
            "Contact: <sip:1001@203.0.113.5>",
        ],
        SDP,
    );
    assert_eq!(
        dialog.on_request(&decode_datagram(&theirs).unwrap()),
        Err(DialogError::RequestPending)
    );
    let ok = response_to(&update, 200, &["Contact: <sip:1001@203.0.113.6>"], SDP);
    assert!(matches!(
        dialog.on_response(&decode_datagram(&ok).unwrap()),
        Ok(ResponseOutcome::Success { .. })
    ));
    assert_eq!(dialog.offer_state(), OfferState::Idle);
    assert_eq!(dialog.remote_target(), "sip:1001@203.0.113.6");
    // Now the peer's UPDATE goes through; it must carry a Contact.
    let ok_update = dialog.on_request(&decode_datagram(&theirs).unwrap());
    assert_eq!(ok_update, Ok(InDialogRequest::Update { offer: true }));
    let no_contact = String::from_utf8(theirs)
        .unwrap()
        .replace("Contact: <sip:1001@203.0.113.5>\r\n", "")
        .replace("CSeq: 1", "CSeq: 2");
    assert_eq!(
        dialog.on_request(&decode_datagram(no_contact.as_bytes()).unwrap()),
        Err(DialogError::MissingContact)
    );
}

// ---------------------------------------------------------------- 100rel (refused)

#[test]
fn require_100rel_gets_420_with_unsupported() {
    let invite = incoming_invite(&["Require: 100rel", "Supported: timer"], SDP);
    let invite = decode_datagram(&invite).unwrap();
    let err = check_required(&invite).unwrap_err();
    assert_eq!(
        err,
        DialogError::BadExtension {
            unsupported: vec!["100rel".into()]
        }
    );
    let resp = refuse(&invite, &err, Some("gw-tag"), 0).unwrap();
    let resp = decode(&resp);
    let resp = decode_datagram(&resp).unwrap();
    assert_eq!(resp.status_line().unwrap().code, 420);
    assert_eq!(resp.tokens(HeaderName::Unsupported).unwrap(), ["100rel"]);
    // Supported: 100rel (not Require) is fine, and so is Require: timer.
    let ok = incoming_invite(&["Supported: 100rel, timer", "Require: timer"], SDP);
    assert_eq!(check_required(&decode_datagram(&ok).unwrap()), Ok(()));
    assert!(!SUPPORTED_OPTION_TAGS.contains(&"100rel"));
}

#[test]
fn prack_gets_481_and_is_never_sent() {
    let mut dialog = uas_dialog();
    let prack = from_room("PRACK", 11, &["RAck: 1 10 INVITE"], "");
    let err = dialog
        .on_request(&decode_datagram(&prack).unwrap())
        .unwrap_err();
    assert_eq!(err, DialogError::NoReliableProvisional);
    assert_eq!(status_for(&err), 481);
    assert_eq!(
        dialog.build_request(Method::Prack, &hop(), "z9hG4bKp", None),
        Err(DialogError::WrongMethod("PRACK"))
    );
    let reliable = invite_response(
        183,
        "far",
        &[
            "Require: 100rel",
            "RSeq: 1",
            "Contact: <sip:1001@203.0.113.5>",
        ],
        "",
    );
    assert!(is_reliable_provisional(
        &decode_datagram(&reliable).unwrap()
    ));
    let plain = invite_response(183, "far", &["Contact: <sip:1001@203.0.113.5>"], "");
    assert!(!is_reliable_provisional(&decode_datagram(&plain).unwrap()));
}

// ---------------------------------------------------------------- session timers

#[test]
fn session_interval_too_small_gets_422_and_the_uac_retries() {
    let config = SessionTimerConfig::default();
    let invite = incoming_invite(&["Supported: timer", "Session-Expires: 60"], SDP);
    let invite = decode_datagram(&invite).unwrap();
    let err = uas_answer(&invite, &config).unwrap_err();
    assert_eq!(
        err,
        DialogError::SessionIntervalTooSmall {
            requested: 60,
            min_se: 90
        }
    );
    let resp = refuse(&invite, &err, Some("gw-tag"), 0).unwrap();
    let resp = decode(&resp);
    let resp = decode_datagram(&resp).unwrap();
    assert_eq!(resp.status_line().unwrap().code, 422);
    assert_eq!(resp.min_se().unwrap().unwrap().delta, 90);

    // Without "timer" in Supported the UAC could not retry: the interval is raised instead.
    let proxied = incoming_invite(&["Session-Expires: 60"], SDP);
    let answer = uas_answer(&decode_datagram(&proxied).unwrap(), &config)
        .unwrap()
        .unwrap();
    assert_eq!(
        (answer.interval, answer.refresher, answer.require_timer),
        (90, Refresher::Uas, false)
    );

    // As UAC: retry with the 422's Min-SE.
    let retry = on_422(&resp, 60, &config).unwrap();
    assert_eq!(retry, 90);
    let mut again = OwnedMessage::request("INVITE", "sip:1001@pbx.example.com");
    config.apply_to_request(&mut again, Some(retry));
    assert!(again
        .headers
        .contains(&("Session-Expires".into(), "90".into())));
    assert!(again.headers.contains(&("Min-SE".into(), "90".into())));
    assert!(again
        .headers
        .contains(&("Supported".into(), "timer".into())));
    // A 422 that does not raise the interval, or raises it beyond our limit, is not retried.
    assert!(matches!(
        on_422(&resp, 90, &config),
        Err(DialogError::UnacceptableMinSe { min_se: 90, .. })
    ));
    let strict = SessionTimerConfig {
        max_min_se: 80,
        ..config
    };
    assert!(on_422(&resp, 60, &strict).is_err());
}

#[test]
fn session_timer_negotiation_as_uas_and_uac() {
    let config = SessionTimerConfig::default();
    // The UAC asks 4000 s with itself as refresher: we lower to 1800, keep its choice.
    let invite = incoming_invite(
        &[
            "Supported: timer",
            "Session-Expires: 4000;refresher=uac",
            "Min-SE: 120",
        ],
        SDP,
    );
    let answer = uas_answer(&decode_datagram(&invite).unwrap(), &config)
        .unwrap()
        .unwrap();
    assert_eq!(answer.interval, 1800);
    assert_eq!(answer.refresher, Refresher::Uac);
    assert!(answer.require_timer);
    assert!(!answer.negotiated().we_refresh);
    let mut ok = OwnedMessage::response(200, "OK");
    answer.apply(&mut ok);
    assert_eq!(
        ok.headers,
        [
            ("Session-Expires".into(), "1800;refresher=uac".to_owned()),
            ("Require".into(), "timer".to_owned())
        ]
    );
    // Our preference never goes below the request's Min-SE.
    let low = SessionTimerConfig {
        session_expires: 100,
        ..config
    };
    let answer = uas_answer(&decode_datagram(&invite).unwrap(), &low)
        .unwrap()
        .unwrap();
    assert_eq!(answer.interval, 120);
    // No timer support at the UAC: we refresh, and Require: timer is not sent.
    let plain = incoming_invite(&[], SDP);
    let answer = uas_answer(&decode_datagram(&plain).unwrap(), &config)
        .unwrap()
        .unwrap();
    assert_eq!(
        (answer.interval, answer.refresher, answer.require_timer),
        (1800, Refresher::Uas, false)
    );
    let off = SessionTimerConfig {
        insert_when_absent: false,
        ..config
    };
    assert_eq!(
        uas_answer(&decode_datagram(&plain).unwrap(), &off),
        Ok(None)
    );

    // As UAC: the 2xx decides.
    let ok = invite_response(
        200,
        "far",
        &["Session-Expires: 1800;refresher=uac", "Require: timer"],
        "",
    );
    assert_eq!(
        uac_negotiated(&decode_datagram(&ok).unwrap()),
        Ok(Some(Negotiated {
            interval: 1800,
            we_refresh: true
        }))
    );
    let ok = invite_response(200, "far", &["Session-Expires: 600;refresher=uas"], "");
    assert_eq!(
        uac_negotiated(&decode_datagram(&ok).unwrap()),
        Ok(Some(Negotiated {
            interval: 600,
            we_refresh: false
        }))
    );
    let ok = invite_response(200, "far", &[], "");
    assert_eq!(uac_negotiated(&decode_datagram(&ok).unwrap()), Ok(None));
}

#[test]
fn session_timer_deadlines() {
    let now = Instant::now();
    let refresher = Negotiated {
        interval: 1800,
        we_refresh: true,
    };
    let d = refresher.deadlines(now);
    assert_eq!(d.refresh_at, Some(now + Duration::from_secs(900)));
    // §10: give up min(32 s, interval/3) before expiry.
    assert_eq!(d.give_up_at, now + Duration::from_secs(1768));
    let waiting = Negotiated {
        interval: 90,
        we_refresh: false,
    };
    let d = waiting.deadlines(now);
    assert_eq!(d.refresh_at, None);
    assert_eq!(d.give_up_at, now + Duration::from_secs(60));
}

#[test]
fn status_codes_at_the_edge() {
    assert_eq!(status_for(&DialogError::MissingContact), 400);
    assert_eq!(status_for(&DialogError::InviteInProgress), 500);
    assert_eq!(
        status_for(&DialogError::SessionIntervalTooSmall {
            requested: 1,
            min_se: 90
        }),
        422
    );
    assert_eq!(retry_after_range(&DialogError::RequestPending), None);
    // ACK is never answered.
    let ack = from_room("ACK", 10, &[], "");
    assert!(refuse(
        &decode_datagram(&ack).unwrap(),
        &DialogError::StrayAck,
        None,
        0
    )
    .is_none());
}
