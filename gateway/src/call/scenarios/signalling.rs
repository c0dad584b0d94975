//! Signalling inside a running call: our 2xx to a re-INVITE retransmitted until its ACK, the
//! upstream's re-INVITEs completed by its ACK (an answer in that ACK applied), session
//! refresh by the method the peer allows, and key presses sent by INFO after the PIN phase.

use std::time::Duration;

use super::media::pcmu_packet;
use super::negotiation::events_with_pt;
use super::pin::{cloud_media, room_media};
use super::sip_text::{cloud_answer, plain_sdp};
use super::*;

/// How many of `sip` are responses with `code` to a request with CSeq `cseq`.
fn count(sip: &[Sip], code: u16, cseq: u32) -> usize {
    sip.iter()
        .filter(|m| m.status() == Some(code) && m.cseq().0 == cseq)
        .count()
}

#[test]
fn our_2xx_to_a_room_reinvite_goes_again_until_the_ack() {
    let mut w = World::new();
    let mut call = w.connect("re-2xx-room");
    let hold = plain_sdp(2, ROOM_RTP, &[(0, "PCMU/8000")], "sendonly");
    w.send(ROOM, &call.room.request("INVITE", "", Some(&hold)));
    let cseq = call.room.cseq;
    assert_eq!(count(&w.take(ROOM), 200, cseq), 1);
    // No ACK: the 2xx goes again at T1, 2·T1, … (RFC 3261 §13.3.1.4).
    w.advance(Duration::from_millis(600));
    assert_eq!(count(&w.take(ROOM), 200, cseq), 1, "{}", w.trace());
    w.advance(Duration::from_millis(1000));
    assert_eq!(count(&w.take(ROOM), 200, cseq), 1, "{}", w.trace());
    w.send(ROOM, &call.room.ack(cseq, None));
    w.advance(Duration::from_secs(10));
    assert_eq!(count(&w.take(ROOM), 200, cseq), 0, "stops at the ACK");
    assert_eq!(w.live_calls(), 1);
}

#[test]
fn a_reinvite_2xx_never_acknowledged_ends_the_call() {
    let mut w = World::with(|s| s.relay.inactivity_timeout = Duration::from_secs(3600));
    let mut call = w.connect("re-2xx-lost");
    let hold = cloud_answer(&call.cloud_invite, 2, CLOUD_RTP, "sendonly");
    w.send(CLOUD, &call.cloud.request("INVITE", "", Some(&hold)));
    let cseq = call.cloud.cseq;
    assert_eq!(count(&w.take(CLOUD), 200, cseq), 1);
    w.advance(Duration::from_secs(20));
    let again = count(&w.take(CLOUD), 200, cseq);
    assert!(again >= 4, "retransmitted to the cloud {again} times");
    // 64·T1 without an ACK: the dialog is over, both legs hung up.
    w.advance(Duration::from_secs(20));
    assert!(w.has_request(CLOUD, "BYE"), "{}", w.trace());
    assert!(w.has_request(ROOM, "BYE"), "{}", w.trace());
    assert_eq!(w.live_calls(), 0);
}

#[test]
fn a_cloud_reinvite_completes_with_its_ack_and_a_later_room_hold_is_still_mirrored() {
    let mut w = World::new();
    let mut call = w.connect("cloud-re");
    // The cloud refreshes its session with a re-INVITE that changes nothing.
    let same = cloud_answer(&call.cloud_invite, 2, CLOUD_RTP, "sendrecv");
    w.send(CLOUD, &call.cloud.request("INVITE", "", Some(&same)));
    let cseq = call.cloud.cseq;
    assert_eq!(w.final_response(CLOUD).status(), Some(200));
    w.send(CLOUD, &call.cloud.ack(cseq, None));
    w.advance(Duration::from_secs(2));
    assert_eq!(count(&w.take(CLOUD), 200, cseq), 0, "the ACK was taken");

    // Now the room holds: the cloud must get our re-INVITE.
    let hold = plain_sdp(2, ROOM_RTP, &[(0, "PCMU/8000")], "sendonly");
    w.send(ROOM, &call.room.request("INVITE", "", Some(&hold)));
    let room_cseq = call.room.cseq;
    assert_eq!(w.final_response(ROOM).status(), Some(200));
    w.send(ROOM, &call.room.ack(room_cseq, None));
    let mirrored = w.request(CLOUD, "INVITE");
    assert!(mirrored.body().contains("a=sendonly"), "{mirrored:?}");
}

#[test]
fn an_answer_in_the_clouds_ack_moves_its_media() {
    let mut w = World::new();
    let mut call = w.connect("ack-answer");
    // A re-INVITE without a body: our 200 carries the offer, the ACK the answer.
    w.send(CLOUD, &call.cloud.request("INVITE", "", None));
    let cseq = call.cloud.cseq;
    let ok = w.final_response(CLOUD);
    assert_eq!(ok.status(), Some(200));
    assert!(ok.body().contains("m=audio"), "our offer: {ok:?}");
    // The cloud answers from another port.
    let moved = CLOUD_RTP + 100;
    let answer = cloud_answer(&ok, 3, moved, "sendrecv");
    w.send(CLOUD, &call.cloud.ack(cseq, Some(&answer)));
    let _ = w.take_rtp(cloud_media());
    for seq in 0..3 {
        w.send_rtp(room_media(), call.room_port, &pcmu_packet(seq, 0xaaaa));
        w.advance(Duration::from_millis(20));
    }
    let new = SocketAddr::new(addr(CLOUD).ip(), moved);
    assert_eq!(
        w.take_rtp(new).len(),
        3,
        "audio to the port of the ACK's answer"
    );
    assert!(w.take_rtp(cloud_media()).is_empty());
    assert_eq!(w.live_calls(), 1);
}

#[test]
fn hostile_reinvites_are_refused_or_ignored_without_harm() {
    let mut w = World::new();
    let mut call = w.connect("re-hostile");
    // An absurd Max-Forwards.
    let same = plain_sdp(2, ROOM_RTP, &[(0, "PCMU/8000")], "sendrecv");
    let absurd = call
        .room
        .request("INVITE", "", Some(&same))
        .replace("Max-Forwards: 70", "Max-Forwards: 99999999999999999999");
    w.send(ROOM, &absurd);
    assert_eq!(
        w.statuses(ROOM),
        vec![400],
        "an unreadable Max-Forwards is a bad request"
    );
    // No hops left: a re-INVITE the gateway answers itself goes no further, so it is
    // answered (the 483 of RFC 3261 §16.3 is for requests passed on).
    let spent = call
        .room
        .request("INVITE", "", Some(&same))
        .replace("Max-Forwards: 70", "Max-Forwards: 0");
    w.send(ROOM, &spent);
    assert_eq!(w.statuses(ROOM), vec![200]);
    w.send(ROOM, &call.room.ack(call.room.cseq, None));
    assert!(!w.has_request(CLOUD, "INVITE"), "nothing passed on");
    // An ACK nobody asked for, and one with garbage where an answer would be.
    w.send(
        ROOM,
        &call
            .room
            .ack(call.room.cseq + 7, Some("v=0\r\nm=nonsense\r\n")),
    );
    assert_eq!(
        w.statuses(ROOM),
        Vec::<u16>::new(),
        "an ACK is never answered"
    );
    assert_eq!(w.live_calls(), 1, "a stray ACK changes nothing");
    // A body-less re-INVITE whose ACK brings an unreadable answer: the call cannot go on.
    w.send(CLOUD, &call.cloud.request("INVITE", "", None));
    let cseq = call.cloud.cseq;
    assert_eq!(w.final_response(CLOUD).status(), Some(200));
    w.send(CLOUD, &call.cloud.ack(cseq, Some("not sdp at all")));
    w.advance(Duration::from_secs(1));
    assert_eq!(w.live_calls(), 0, "{}", w.trace());
    assert!(w.has_request(ROOM, "BYE"));
}

/// A call whose cloud answers with `extra` headers in its 2xx (a session timer, its Allow).
fn connect_cloud_headers(w: &mut World, call_id: &str, extra: &str) -> Bridged {
    let invite = sip_text::room_invite(call_id, OPEN, Some(&sip_text::pcmu(1, ROOM_RTP)), "");
    w.send(ROOM, &invite);
    let out = w.request(CLOUD, "INVITE");
    let answer = cloud_answer(&out, 1, CLOUD_RTP, "sendrecv");
    let ok = out
        .reply(200, "OK", "c1", CLOUD, Some(&answer))
        .replace("Content-Type:", &format!("{extra}Content-Type:"));
    w.send(CLOUD, &ok);
    let room_ok = w.final_response(ROOM);
    let mut room = Dialog::room(&invite, &room_ok);
    w.send(ROOM, &room.ack(1, None));
    let _ = w.take(CLOUD);
    Bridged {
        room,
        cloud: Dialog::cloud(&out, "c1"),
        room_port: audio_port(&room_ok),
        cloud_port: audio_port(&out),
        cloud_invite: out,
    }
}

#[test]
fn session_refresh_is_a_reinvite_when_the_cloud_does_not_allow_update() {
    let mut w = World::with(|s| s.relay.inactivity_timeout = Duration::from_secs(3600));
    let timer = "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\nRequire: timer\r\n\
                 Session-Expires: 120;refresher=uac\r\n";
    let call = connect_cloud_headers(&mut w, "refresh-invite", timer);
    for round in 0..3 {
        w.advance(Duration::from_secs(61));
        let sent = w.take(CLOUD);
        assert!(
            sent.iter().all(|m| m.method() != Some("UPDATE")),
            "UPDATE to a peer that does not allow it: {sent:?}"
        );
        let refresh = sent
            .iter()
            .find(|m| m.method() == Some("INVITE"))
            .unwrap_or_else(|| panic!("round {round}: no refresh\n{}", w.trace()))
            .clone();
        assert!(refresh
            .header("Session-Expires")
            .unwrap_or_default()
            .starts_with("120"));
        // The session description is the one the cloud already has (RFC 4028 §7.4).
        assert_eq!(audio_port(&refresh), call.cloud_port, "{refresh:?}");
        assert!(refresh.body().contains("a=sendrecv"));
        let answer = cloud_answer(&refresh, 2 + round, CLOUD_RTP, "sendrecv");
        let ok = refresh
            .reply(200, "OK", "c1", CLOUD, Some(&answer))
            .replace(
                "Content-Type:",
                "Session-Expires: 120;refresher=uac\r\nContent-Type:",
            );
        w.send(CLOUD, &ok);
        let ack = w.request(CLOUD, "ACK");
        assert_eq!(ack.cseq(), (refresh.cseq().0, "ACK".to_owned()));
    }
    assert_eq!(w.live_calls(), 1, "{}", w.trace());
}

#[test]
fn session_refresh_is_an_update_when_the_cloud_allows_it() {
    let mut w = World::with(|s| s.relay.inactivity_timeout = Duration::from_secs(3600));
    let timer = "Allow: INVITE,ACK,BYE,UPDATE\r\nRequire: timer\r\n\
                 Session-Expires: 100;refresher=uac\r\n";
    let _call = connect_cloud_headers(&mut w, "refresh-update", timer);
    w.advance(Duration::from_secs(51));
    let sent = w.take(CLOUD);
    assert!(
        sent.iter().all(|m| m.method() != Some("INVITE")),
        "{sent:?}"
    );
    let update = sent
        .iter()
        .find(|m| m.method() == Some("UPDATE"))
        .unwrap_or_else(|| panic!("no UPDATE\n{}", w.trace()));
    assert!(update.body().is_empty());
}

#[test]
fn refusals_in_a_dialog_carry_the_reason_phrase_of_their_code() {
    let mut w = World::new();
    let mut call = w.connect("reasons");
    // Hold: our mirror re-INVITE to the cloud stays unanswered for now.
    let hold = plain_sdp(2, ROOM_RTP, &[(0, "PCMU/8000")], "sendonly");
    w.send(ROOM, &call.room.request("INVITE", "", Some(&hold)));
    let room_cseq = call.room.cseq;
    assert_eq!(w.final_response(ROOM).status(), Some(200));
    w.send(ROOM, &call.room.ack(room_cseq, None));
    let _mirror = w.request(CLOUD, "INVITE");
    // The cloud re-INVITEs at the same time: glare, 491.
    let same = cloud_answer(&call.cloud_invite, 2, CLOUD_RTP, "sendrecv");
    w.send(CLOUD, &call.cloud.request("INVITE", "", Some(&same)));
    let glare = w.final_response(CLOUD);
    assert!(
        glare.0.starts_with("SIP/2.0 491 Request Pending\r\n"),
        "{glare:?}"
    );
    // A request whose CSeq went backwards: 500.
    call.room.cseq = 1;
    w.send(
        ROOM,
        &call
            .room
            .request("INFO", "", None)
            .replace("CSeq: 2 INFO", "CSeq: 1 INFO"),
    );
    let old = w.final_response(ROOM);
    assert!(
        old.0.starts_with("SIP/2.0 500 Server Internal Error\r\n"),
        "{old:?}"
    );
}

#[test]
fn hostile_session_timers_neither_panic_nor_flood() {
    let mut w = World::with(|s| s.relay.inactivity_timeout = Duration::from_secs(3600));
    // An interval of zero (below any Min-SE) and an Allow whose only UPDATE-like entry is
    // not UPDATE.
    let timer = "Allow: UPDATEX, INVITE, UPDATE-ish\r\nRequire: timer\r\n\
                 Session-Expires: 0;refresher=uac\r\n";
    let _call = connect_cloud_headers(&mut w, "refresh-hostile", timer);
    // The interval is raised to the 90 s minimum: one refresh at 45 s, not a flood.
    w.advance(Duration::from_secs(50));
    let sent = w.take(CLOUD);
    // Distinct requests (the transaction layer retransmits the unanswered one).
    let mut refreshes: Vec<(u32, String)> = sent
        .iter()
        .filter(|m| matches!(m.method(), Some("INVITE" | "UPDATE")))
        .map(Sip::cseq)
        .collect();
    refreshes.dedup();
    let refreshes: Vec<&str> = refreshes.iter().map(|(_, m)| m.as_str()).collect();
    assert_eq!(refreshes, vec!["INVITE"], "{}", w.trace());
}

/// An INFO carrying `body` as `application/dtmf-relay` in `dialog`.
fn dtmf_info(dialog: &mut Dialog, body: &str) -> String {
    dialog
        .request("INFO", "", Some(body))
        .replace("application/sdp", "application/dtmf-relay")
}

/// The cloud's answer to our offer without telephone-event (a peer that only does INFO).
fn cloud_answer_without_events(offer: &Sip) -> String {
    cloud_answer(offer, 1, CLOUD_RTP, "sendrecv")
        .lines()
        .filter(|l| !l.contains("telephone-event") && !l.starts_with("a=fmtp:101"))
        .map(|l| {
            if l.starts_with("m=audio") {
                l.replace(" 101", "")
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\r\n")
        + "\r\n"
}

#[test]
fn info_key_presses_after_the_pin_phase_reach_the_cloud_as_rfc_4733() {
    let mut w = World::new();
    let mut call = w.connect("info-4733");
    w.send(
        ROOM,
        &dtmf_info(&mut call.room, "Signal=5\r\nDuration=200\r\n"),
    );
    assert_eq!(w.statuses(ROOM), vec![200]);
    w.advance(Duration::from_millis(400));
    let to_cloud = events_with_pt(&w.take_rtp(cloud_media()), 101);
    assert!(
        to_cloud.iter().any(|(e, end)| *e == 5 && *end),
        "{to_cloud:?}"
    );
    assert!(!w.has_request(CLOUD, "INFO"));
}

#[test]
fn info_key_presses_from_the_cloud_reach_the_room_as_rfc_4733() {
    let mut w = World::new();
    let mut call = w.connect("info-from-cloud");
    w.send(
        CLOUD,
        &dtmf_info(&mut call.cloud, "Signal=#\r\nDuration=160\r\n"),
    );
    assert_eq!(w.statuses(CLOUD), vec![200]);
    w.advance(Duration::from_millis(400));
    let to_room = events_with_pt(&w.take_rtp(room_media()), 101);
    assert!(
        to_room.iter().any(|(e, end)| *e == 11 && *end),
        "{to_room:?}"
    );
}

#[test]
fn key_presses_reach_a_cloud_without_telephone_event_as_info() {
    let mut w = World::new();
    let mut call = w.connect_with("info-relay", OPEN, &sip_text::pcmu(1, ROOM_RTP), |inv| {
        cloud_answer_without_events(inv)
    });
    // By INFO from the room …
    w.send(
        ROOM,
        &dtmf_info(&mut call.room, "Signal=7\r\nDuration=250\r\n"),
    );
    assert_eq!(w.statuses(ROOM), vec![200]);
    let info = w.request(CLOUD, "INFO");
    assert_eq!(
        info.header("Content-Type").as_deref(),
        Some("application/dtmf-relay")
    );
    assert!(info.body().contains("Signal=7"), "{info:?}");
    assert!(info.body().contains("Duration=250"), "{info:?}");
    assert_eq!(info.header("Call-ID"), call.cloud_invite.header("Call-ID"));
    w.send(CLOUD, &info.reply(200, "OK", "c1", CLOUD, None));
    assert_eq!(w.live_calls(), 1);
    // … and by RFC 4733 from a room that sends its keys that way (one source per call).
    let mut w = World::new();
    let call = w.connect_with(
        "info-relay-4733",
        OPEN,
        &sip_text::pcmu(1, ROOM_RTP),
        cloud_answer_without_events,
    );
    for p in super::pin::key_press(9, 40, 6400, 0xaaaa) {
        w.send_rtp(room_media(), call.room_port, &p);
    }
    w.advance(Duration::from_millis(100));
    let info = w.request(CLOUD, "INFO");
    assert!(info.body().contains("Signal=9"), "{info:?}");
    w.send(CLOUD, &info.reply(200, "OK", "c1", CLOUD, None));
    assert_eq!(w.live_calls(), 1);
}

#[test]
fn hostile_info_bodies_are_refused_or_bounded() {
    let mut w = World::new();
    let mut call = w.connect("info-hostile");
    w.send(ROOM, &dtmf_info(&mut call.room, "Signal=Z\r\n"));
    assert_eq!(w.statuses(ROOM), vec![400]);
    w.send(
        ROOM,
        &dtmf_info(&mut call.room, &format!("Signal={}\r\n", "9".repeat(300))),
    );
    assert_eq!(w.statuses(ROOM), vec![400]);
    // A Duration beyond any integer is unreadable: the default length.
    w.send(
        ROOM,
        &dtmf_info(
            &mut call.room,
            "Signal=3\r\nDuration=99999999999999999999999\r\n",
        ),
    );
    assert_eq!(w.statuses(ROOM), vec![200]);
    w.advance(Duration::from_millis(1500));
    let to_cloud = events_with_pt(&w.take_rtp(cloud_media()), 101);
    assert!(
        to_cloud.iter().any(|(e, end)| *e == 3 && *end),
        "{to_cloud:?}"
    );
    w.send(
        ROOM,
        &dtmf_info(&mut call.room, "Signal=4\r\nDuration=0\r\n"),
    );
    assert_eq!(w.statuses(ROOM), vec![200]);
    w.advance(Duration::from_millis(500));
    let to_cloud = events_with_pt(&w.take_rtp(cloud_media()), 101);
    assert!(
        to_cloud.iter().any(|(e, end)| *e == 4 && *end),
        "{to_cloud:?}"
    );
    assert_eq!(w.live_calls(), 1);
}

/// The largest RFC 4733 duration field of the end packets of `event` among `sent` (`pt`).
fn end_duration(sent: &[Sent], pt: u8, event: u8) -> Option<u16> {
    sent.iter()
        .filter(|s| s.bytes.len() == 16 && s.bytes.get(1).is_some_and(|b| b & 0x7f == pt))
        .filter(|s| s.bytes.get(12) == Some(&event))
        .filter(|s| s.bytes.get(13).is_some_and(|b| b & 0x80 != 0))
        .filter_map(|s| Some(u16::from_be_bytes([*s.bytes.get(14)?, *s.bytes.get(15)?])))
        .max()
}

#[test]
fn a_long_info_duration_is_held_to_a_second() {
    let mut w = World::new();
    let mut call = w.connect("info-long");
    w.send(
        ROOM,
        &dtmf_info(&mut call.room, "Signal=6\r\nDuration=5000\r\n"),
    );
    assert_eq!(w.statuses(ROOM), vec![200]);
    w.advance(Duration::from_millis(6000));
    let sent = w.take_rtp(cloud_media());
    // 1 s at the 8 kHz telephone-event clock, not 5 s (40000).
    let d = end_duration(&sent, 101, 6).unwrap_or_else(|| panic!("no end of 6: {sent:?}"));
    assert!((7840..=8000).contains(&d), "{d}");
    // A shorter one keeps its own length.
    w.send(
        ROOM,
        &dtmf_info(&mut call.room, "Signal=2\r\nDuration=500\r\n"),
    );
    assert_eq!(w.statuses(ROOM), vec![200]);
    w.advance(Duration::from_millis(2000));
    let sent = w.take_rtp(cloud_media());
    let d = end_duration(&sent, 101, 2).unwrap_or_else(|| panic!("no end of 2: {sent:?}"));
    assert!((3840..=4000).contains(&d), "{d}");
}

/// Distinct key presses of `event` among the telephone-event packets (`pt`) in `sent`: the
/// packets of one press share its RTP timestamp.
fn presses(sent: &[Sent], pt: u8, event: u8) -> usize {
    let mut ts: Vec<[u8; 4]> = sent
        .iter()
        .filter(|s| s.bytes.len() == 16 && s.bytes.get(1).is_some_and(|b| b & 0x7f == pt))
        .filter(|s| s.bytes.get(12) == Some(&event))
        .filter_map(|s| s.bytes.get(4..8).and_then(|t| t.try_into().ok()))
        .collect();
    ts.sort_unstable();
    ts.dedup();
    ts.len()
}

#[test]
fn a_key_pressed_by_both_info_and_rfc_4733_reaches_the_cloud_once() {
    // INFO first, then the same press as RFC 4733 packets: only INFO's counts from then on.
    let mut w = World::new();
    let mut call = w.connect("both-info-first");
    w.send(
        ROOM,
        &dtmf_info(&mut call.room, "Signal=5\r\nDuration=160\r\n"),
    );
    assert_eq!(w.statuses(ROOM), vec![200]);
    for p in super::pin::key_press(5, 40, 6400, 0xaaaa) {
        w.send_rtp(room_media(), call.room_port, &p);
    }
    w.advance(Duration::from_millis(400));
    let sent = w.take_rtp(cloud_media());
    assert_eq!(
        presses(&sent, 101, 5),
        1,
        "{:?}",
        events_with_pt(&sent, 101)
    );
    // The next key, by INFO alone, still goes through.
    w.send(
        ROOM,
        &dtmf_info(&mut call.room, "Signal=6\r\nDuration=160\r\n"),
    );
    w.advance(Duration::from_millis(400));
    assert_eq!(presses(&w.take_rtp(cloud_media()), 101, 6), 1);

    // RFC 4733 first, then the same press as INFO: the INFO is answered, not passed on.
    let mut w = World::new();
    let mut call = w.connect("both-4733-first");
    for p in super::pin::key_press(5, 40, 6400, 0xaaaa) {
        w.send_rtp(room_media(), call.room_port, &p);
    }
    w.advance(Duration::from_millis(100));
    w.send(
        ROOM,
        &dtmf_info(&mut call.room, "Signal=5\r\nDuration=160\r\n"),
    );
    assert_eq!(w.statuses(ROOM), vec![200]);
    w.advance(Duration::from_millis(400));
    let sent = w.take_rtp(cloud_media());
    assert_eq!(
        presses(&sent, 101, 5),
        1,
        "{:?}",
        events_with_pt(&sent, 101)
    );
    assert_eq!(w.live_calls(), 1);
    // The INFO arriving while the RFC 4733 event of the same press is under way (its
    // start already passed through): the event is finished, the INFO not passed on.
    let mut w = World::new();
    let mut call = w.connect("both-info-mid-event");
    let packets = super::pin::key_press(5, 40, 6400, 0xaaaa);
    let (start, rest) = packets.split_at(2);
    for p in start {
        w.send_rtp(room_media(), call.room_port, p);
    }
    w.send(
        ROOM,
        &dtmf_info(&mut call.room, "Signal=5\r\nDuration=160\r\n"),
    );
    assert_eq!(w.statuses(ROOM), vec![200]);
    for p in rest {
        w.send_rtp(room_media(), call.room_port, p);
    }
    w.advance(Duration::from_millis(400));
    let sent = w.take_rtp(cloud_media());
    let events = events_with_pt(&sent, 101);
    assert_eq!(presses(&sent, 101, 5), 1, "{events:?}");
    assert!(
        events.iter().any(|(e, end)| *e == 5 && *end),
        "the event passed through ends: {events:?}"
    );
}
