//! Signalling inside a running call: our 2xx to a re-INVITE retransmitted until its ACK, the
//! upstream's re-INVITEs completed by its ACK (an answer in that ACK applied), session
//! refresh by the method the peer allows, and key presses sent by INFO after the PIN phase.

use std::time::Duration;

use super::media::pcmu_packet;
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
    let statuses = w.statuses(ROOM);
    assert!(
        statuses.iter().all(|s| *s == 400 || *s == 483 || *s == 200),
        "{statuses:?}"
    );
    if statuses.contains(&200) {
        w.send(ROOM, &call.room.ack(call.room.cseq, None));
    }
    // An ACK nobody asked for, and one with garbage where an answer would be.
    w.send(
        ROOM,
        &call
            .room
            .ack(call.room.cseq + 7, Some("v=0\r\nm=nonsense\r\n")),
    );
    // A body-less re-INVITE whose ACK brings an unreadable answer: the call cannot go on.
    w.send(CLOUD, &call.cloud.request("INVITE", "", None));
    let cseq = call.cloud.cseq;
    assert_eq!(w.final_response(CLOUD).status(), Some(200));
    w.send(CLOUD, &call.cloud.ack(cseq, Some("not sdp at all")));
    w.advance(Duration::from_secs(1));
    assert_eq!(w.live_calls(), 0, "{}", w.trace());
    assert!(w.has_request(ROOM, "BYE"));
}
