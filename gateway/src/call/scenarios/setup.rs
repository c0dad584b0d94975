//! Placing the call: admission, the meeting lookup, the upstream's answers and failures,
//! CANCEL, and hanging up from either side.

use std::time::Duration;

use super::sip_text::{pcmu, room_ack_failure, room_cancel, room_invite};
use super::*;

/// The room's final status for a call to `user` (ACKed when it is a failure).
fn refused(w: &mut World, call_id: &str, user: &str) -> Sip {
    let invite = room_invite(call_id, user, Some(&pcmu(1, ROOM_RTP)), "");
    w.send(ROOM, &invite);
    let r = w.final_response(ROOM);
    if r.status().is_some_and(|s| s >= 300) {
        w.send(ROOM, &room_ack_failure(call_id, user, &r));
    }
    r
}

#[test]
fn basic_call_is_bridged_and_the_room_hangs_up_both_legs() {
    let mut w = World::new();
    let invite = room_invite("basic", OPEN, Some(&pcmu(1, ROOM_RTP)), "");
    w.send(ROOM, &invite);
    let out = w.request(CLOUD, "INVITE");
    // A separate call toward the cloud: our own Call-ID, identity in our domain, our offer.
    assert_ne!(out.header("Call-ID").as_deref(), Some("basic"));
    assert!(out
        .0
        .starts_with(&format!("INVITE sip:meeting@{CLOUD} SIP/2.0")));
    assert!(out
        .header("From")
        .unwrap_or_default()
        .contains("@gw.example"));
    let offer = out.sdp();
    let m = offer.media.first().unwrap_or_else(|| panic!("no m-line"));
    assert_eq!(
        m.proto.to_string(),
        "RTP/AVP",
        "SRTP off toward this meeting"
    );
    assert!(
        out.body().contains("c=IN IP4 198.51.100.1"),
        "the relay's address"
    );
    assert!(
        !out.body().contains("192.0.2.20"),
        "the room's SDP never crosses"
    );

    w.send(CLOUD, &out.reply(180, "Ringing", "c1", CLOUD, None));
    assert!(w.statuses(ROOM).contains(&180), "ringing relayed");
    let answer = sip_text::cloud_answer(&out, 1, CLOUD_RTP, "sendrecv");
    w.send(CLOUD, &out.reply(200, "OK", "c1", CLOUD, Some(&answer)));
    assert_eq!(w.request(CLOUD, "ACK").cseq(), (1, "ACK".into()));
    let ok = w.final_response(ROOM);
    assert_eq!(ok.status(), Some(200));
    assert!(ok.body().contains("m=audio"), "{ok:?}");
    assert!(ok.body().contains("RTP/AVP 0"), "PCMU answered: {ok:?}");
    let mut room = Dialog::room(&invite, &ok);
    w.send(ROOM, &room.ack(1, None));
    assert_eq!(w.live_calls(), 1);

    w.send(ROOM, &room.request("BYE", "", None));
    assert_eq!(w.statuses(ROOM), vec![200]);
    let bye = w.request(CLOUD, "BYE");
    w.send(CLOUD, &bye.reply(200, "OK", "c1", CLOUD, None));
    assert_eq!(w.live_calls(), 0);
    assert_eq!(w.calls().stats().connected, 1);
}

#[test]
fn the_upstream_hangs_up() {
    let mut w = World::new();
    let mut call = w.connect("up-bye");
    w.send(CLOUD, &call.cloud.request("BYE", "", None));
    assert_eq!(w.statuses(CLOUD), vec![200]);
    let bye = w.request(ROOM, "BYE");
    assert_eq!(bye.header("Call-ID").as_deref(), Some("up-bye"));
    w.send(ROOM, &bye.reply(200, "OK", "x", ROOM, None));
    assert_eq!(w.live_calls(), 0);
}

#[test]
fn delayed_offer_room_answers_our_offer_in_its_ack() {
    let mut w = World::new();
    let invite = room_invite("delayed", OPEN, None, "");
    w.send(ROOM, &invite);
    let out = w.request(CLOUD, "INVITE");
    let answer = sip_text::cloud_answer(&out, 1, CLOUD_RTP, "sendrecv");
    w.send(CLOUD, &out.reply(200, "OK", "c1", CLOUD, Some(&answer)));
    let ok = w.final_response(ROOM);
    assert_eq!(ok.status(), Some(200));
    assert!(
        ok.body().contains("m=audio"),
        "our offer in the 200: {ok:?}"
    );
    let mut room = Dialog::room(&invite, &ok);
    w.send(ROOM, &room.ack(1, Some(&pcmu(1, ROOM_RTP))));
    assert_eq!(w.live_calls(), 1);
    // The answer in the ACK took: the call stays up and hangs up cleanly.
    w.send(ROOM, &room.request("BYE", "", None));
    assert_eq!(w.statuses(ROOM), vec![200]);
    assert_eq!(w.request(CLOUD, "BYE").method(), Some("BYE"));
}

#[test]
fn srtp_meeting_gets_aes_256_first_and_the_plain_room_stays_plain() {
    let mut w = World::new();
    let invite = room_invite("secure", SECURE, Some(&pcmu(1, ROOM_RTP)), "");
    w.send(ROOM, &invite);
    let out = w.request(CLOUD, "INVITE");
    assert!(out.0.starts_with("INVITE sips:"), "{out:?}");
    let offer = out.sdp();
    let audio = offer.media.first().unwrap_or_else(|| panic!("no m-line"));
    assert_eq!(audio.proto.to_string(), "RTP/SAVP");
    let first = audio.cryptos().next().map(|c| c.suite.to_string());
    assert_eq!(first.as_deref(), Some("AEAD_AES_256_GCM"));
    assert!(audio
        .cryptos()
        .all(|c| c.suite.to_string() != "AES_CM_128_HMAC_SHA1_32"));
    let answer = sip_text::cloud_answer(&out, 1, CLOUD_RTP, "sendrecv");
    assert!(answer.contains("a=crypto:1 AEAD_AES_256_GCM inline:"));
    w.send(CLOUD, &out.reply(200, "OK", "c1", CLOUD, Some(&answer)));
    let ok = w.final_response(ROOM);
    assert_eq!(ok.status(), Some(200));
    assert!(ok.body().contains("RTP/AVP"), "plain toward the plain room");
    assert!(!ok.body().contains("a=crypto"));
    let summary = w.calls().summaries();
    assert_eq!(
        summary
            .first()
            .and_then(|s| s.cloud_suite.clone())
            .as_deref(),
        Some("AEAD_AES_256_GCM")
    );
}

#[test]
fn srtp_meeting_answered_in_the_clear_is_refused_not_bridged() {
    let mut w = World::new();
    w.send(
        ROOM,
        &room_invite("clear", SECURE, Some(&pcmu(1, ROOM_RTP)), ""),
    );
    let out = w.request(CLOUD, "INVITE");
    // The cloud answers our RTP/SAVP offer with plain RTP: never relayed in the clear.
    let plain = sip_text::cloud_answer(&out, 1, CLOUD_RTP, "sendrecv")
        .replace("RTP/SAVP", "RTP/AVP")
        .lines()
        .filter(|l| !l.starts_with("a=crypto"))
        .map(|l| format!("{l}\r\n"))
        .collect::<String>();
    w.send(CLOUD, &out.reply(200, "OK", "c1", CLOUD, Some(&plain)));
    assert_eq!(w.request(CLOUD, "ACK").method(), Some("ACK"));
    assert_eq!(w.request(CLOUD, "BYE").method(), Some("BYE"));
    let r = w.final_response(ROOM);
    assert!(r.status().is_some_and(|s| s >= 400), "room refused: {r:?}");
    assert_eq!(w.calls().stats().connected, 0);
}

#[test]
fn unknown_dial_string_is_not_found() {
    let mut w = World::new();
    // A PIN part with a letter cannot be a meeting and its PIN (a well-formed unknown meeting
    // ID would get PIN entry instead, so as not to tell which meetings exist).
    assert_eq!(refused(&mut w, "bad", "1001*12a").status(), Some(404));
    assert!(w.take(CLOUD).is_empty());
}

#[test]
fn store_unavailable_refuses_with_retry_after() {
    let mut w = World::with(|s| s.directory_down = true);
    let r = refused(&mut w, "store", OPEN);
    assert_eq!(r.status(), Some(503));
    assert!(r.header("Retry-After").is_some(), "{r:?}");
    assert!(w.take(CLOUD).is_empty());
}

#[test]
fn above_max_calls_invites_get_503_with_retry_after_before_any_lookup() {
    let mut w = World::with(|s| s.settings.max_calls = 1);
    let _first = w.connect("first");
    let r = refused(&mut w, "second", OPEN);
    assert_eq!(r.status(), Some(503));
    assert!(r.header("Retry-After").is_some());
    assert!(
        w.take(CLOUD).is_empty(),
        "no upstream INVITE for the refused call"
    );
    assert_eq!(w.calls().stats().refused_capacity, 1);
}

#[test]
fn upstream_busy_and_not_found_reach_the_room_unchanged() {
    for (code, reason) in [(486, "Busy Here"), (404, "Not Found"), (603, "Decline")] {
        let mut w = World::new();
        let id = format!("fail{code}");
        w.send(ROOM, &room_invite(&id, OPEN, Some(&pcmu(1, ROOM_RTP)), ""));
        let out = w.request(CLOUD, "INVITE");
        w.send(CLOUD, &out.reply(code, reason, "c1", CLOUD, None));
        // The transaction layer acknowledges the failure itself.
        assert_eq!(w.request(CLOUD, "ACK").method(), Some("ACK"));
        let r = w.final_response(ROOM);
        assert_eq!(r.status(), Some(code), "{code} passed to the room");
        w.send(ROOM, &room_ack_failure(&id, OPEN, &r));
        assert_eq!(w.live_calls(), 0);
    }
}

#[test]
fn upstream_server_error_is_a_bad_gateway() {
    let mut w = World::new();
    w.send(
        ROOM,
        &room_invite("e500", OPEN, Some(&pcmu(1, ROOM_RTP)), ""),
    );
    let out = w.request(CLOUD, "INVITE");
    w.send(
        CLOUD,
        &out.reply(500, "Server Internal Error", "c1", CLOUD, None),
    );
    assert_eq!(w.final_response(ROOM).status(), Some(502));
}

#[test]
fn unreachable_upstream_is_service_unavailable() {
    let mut w = World::new();
    w.resolve_fails = true;
    assert_eq!(refused(&mut w, "unreach", OPEN).status(), Some(503));
    assert!(w.take(CLOUD).is_empty());
    assert_eq!(w.live_calls(), 0);
}

#[test]
fn upstream_that_rings_forever_is_cancelled_and_the_room_gets_504_at_the_setup_time() {
    let mut w = World::new();
    w.send(
        ROOM,
        &room_invite("ringing", OPEN, Some(&pcmu(1, ROOM_RTP)), ""),
    );
    let out = w.request(CLOUD, "INVITE");
    w.send(CLOUD, &out.reply(180, "Ringing", "c1", CLOUD, None));
    w.advance(Duration::from_secs(29));
    assert!(
        !w.statuses(ROOM).contains(&504),
        "not before the setup time"
    );
    assert!(!w.has_request(CLOUD, "CANCEL"));
    w.advance(Duration::from_secs(2));
    assert_eq!(w.final_response(ROOM).status(), Some(504));
    let cancel = w.request(CLOUD, "CANCEL");
    assert_eq!(cancel.cseq(), (1, "CANCEL".into()));
    w.send(CLOUD, &cancel.reply(200, "OK", "c1", CLOUD, None));
    w.send(
        CLOUD,
        &out.reply(487, "Request Terminated", "c1", CLOUD, None),
    );
    assert!(w.has_request(CLOUD, "ACK"));
    assert_eq!(w.live_calls(), 0);
}

#[test]
fn upstream_that_never_answers_at_all_gets_the_room_504() {
    let mut w = World::new();
    w.send(
        ROOM,
        &room_invite("quiet", QUIET, Some(&pcmu(1, ROOM_RTP)), ""),
    );
    let invites = |w: &World| {
        w.wire
            .iter()
            .filter(|m| m.to == addr(SILENT) && m.msg.method() == Some("INVITE"))
            .count()
    };
    assert_eq!(invites(&w), 1);
    w.advance(Duration::from_secs(10));
    assert!(invites(&w) > 1, "retransmitted over UDP (Timer A)");
    w.advance(Duration::from_secs(21));
    assert_eq!(w.final_response(ROOM).status(), Some(504));
    // RFC 3261 §9.1: no CANCEL before a provisional response.
    assert!(w
        .wire
        .iter()
        .all(|m| !(m.to == addr(SILENT) && m.msg.method() == Some("CANCEL"))));
    assert_eq!(w.live_calls(), 0);
}

#[test]
fn room_cancel_while_the_upstream_rings_cancels_the_upstream() {
    let mut w = World::new();
    w.send(ROOM, &room_invite("rc", OPEN, Some(&pcmu(1, ROOM_RTP)), ""));
    let out = w.request(CLOUD, "INVITE");
    w.send(CLOUD, &out.reply(180, "Ringing", "c1", CLOUD, None));
    let _ = w.take(ROOM);
    w.send(ROOM, &room_cancel("rc", OPEN));
    let room = w.take(ROOM);
    let codes: Vec<_> = room.iter().filter_map(|m| m.status()).collect();
    assert!(codes.contains(&200), "CANCEL answered: {codes:?}");
    assert!(codes.contains(&487), "INVITE terminated: {codes:?}");
    let cancel = w.request(CLOUD, "CANCEL");
    assert_eq!(cancel.cseq(), (1, "CANCEL".into()));
    w.send(CLOUD, &cancel.reply(200, "OK", "c1", CLOUD, None));
    w.send(
        CLOUD,
        &out.reply(487, "Request Terminated", "c1", CLOUD, None),
    );
    assert_eq!(w.request(CLOUD, "ACK").method(), Some("ACK"));
    assert_eq!(w.live_calls(), 0);
}

#[test]
fn a_2xx_racing_the_room_cancel_is_acknowledged_and_hung_up() {
    let mut w = World::new();
    w.send(
        ROOM,
        &room_invite("race", OPEN, Some(&pcmu(1, ROOM_RTP)), ""),
    );
    let out = w.request(CLOUD, "INVITE");
    w.send(ROOM, &room_cancel("race", OPEN));
    assert!(w.statuses(ROOM).contains(&487));
    // RFC 3261 §9.1: no CANCEL before a provisional response; the cloud answers at once,
    // and its 2xx is acknowledged and hung up.
    assert!(!w.has_request(CLOUD, "CANCEL"));
    let answer = sip_text::cloud_answer(&out, 1, CLOUD_RTP, "sendrecv");
    w.send(CLOUD, &out.reply(200, "OK", "c1", CLOUD, Some(&answer)));
    assert_eq!(w.request(CLOUD, "ACK").method(), Some("ACK"));
    assert_eq!(w.request(CLOUD, "BYE").method(), Some("BYE"));
    assert_eq!(w.calls().stats().connected, 0);
    assert_eq!(w.live_calls(), 0);
}

#[test]
fn in_dialog_request_for_no_dialog_is_481() {
    let mut w = World::new();
    let call = w.connect("gone");
    let mut stale = call.room.clone();
    stale.call_id = "no-such-call".into();
    w.send(ROOM, &stale.request("BYE", "", None));
    assert_eq!(w.statuses(ROOM), vec![481]);
    assert_eq!(w.live_calls(), 1);
}

#[test]
fn the_same_scenario_sends_the_same_bytes_and_another_seed_other_tags() {
    let run = |seed: u64| {
        let mut w = World::with(|s| s.seed = seed);
        let mut call = w.connect("same");
        w.advance(Duration::from_secs(3));
        w.send(ROOM, &call.room.request("BYE", "", None));
        w.wire.iter().map(|m| m.msg.0.clone()).collect::<Vec<_>>()
    };
    let (a, b, c) = (run(5), run(5), run(6));
    assert_eq!(a, b, "no randomness or clock of the gateway's own");
    assert_eq!(a.len(), c.len());
    assert_ne!(a, c, "tags, branches and Call-IDs come from the seed");
}

#[test]
fn calls_in_setup_are_counted_until_the_room_acks_or_the_call_ends() {
    let mut w = World::new();
    let invite = room_invite("setup1", OPEN, Some(&pcmu(1, ROOM_RTP)), "");
    w.send(ROOM, &invite);
    let out = w.request(CLOUD, "INVITE");
    assert_eq!(w.calls().calls_in_setup(), 1, "waiting for the cloud");
    let answer = sip_text::cloud_answer(&out, 1, CLOUD_RTP, "sendrecv");
    w.send(CLOUD, &out.reply(200, "OK", "c1", CLOUD, Some(&answer)));
    let ok = w.final_response(ROOM);
    assert_eq!(w.calls().calls_in_setup(), 1, "waiting for the room's ACK");
    let mut room = Dialog::room(&invite, &ok);
    w.send(ROOM, &room.ack(1, None));
    assert_eq!(w.calls().calls_in_setup(), 0, "active");

    // A call that fails during set-up leaves the count too.
    w.send(
        ROOM,
        &room_invite("setup2", OPEN, Some(&pcmu(1, ROOM_RTP)), ""),
    );
    let out = w.request(CLOUD, "INVITE");
    assert_eq!(w.calls().calls_in_setup(), 1);
    w.send(CLOUD, &out.reply(486, "Busy Here", "c2", CLOUD, None));
    assert_eq!(w.final_response(ROOM).status(), Some(486));
    assert_eq!(w.calls().calls_in_setup(), 0);
    assert_eq!(w.live_calls(), 1);
}
