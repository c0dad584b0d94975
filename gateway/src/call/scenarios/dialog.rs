//! A connected call's dialogs: hold and resume mirrored, codec changes, re-offers we must
//! refuse, and RFC 4028 session timers on both legs.

use std::time::Duration;

use super::sip_text::{cloud_answer, pcmu, plain_sdp, room_invite};
use super::*;

/// The direction attribute of the first m-line.
fn direction(sip: &Sip) -> String {
    sip.body()
        .lines()
        .find_map(|l| {
            let a = l.strip_prefix("a=")?;
            ["sendrecv", "sendonly", "recvonly", "inactive"]
                .contains(&a)
                .then(|| a.to_owned())
        })
        .unwrap_or_else(|| "sendrecv".into())
}

/// The room re-INVITEs with `sdp`; returns our 200 to it (after the room's ACK) and the
/// re-INVITE the cloud got, if any (answered by the cloud with `cloud_dir`).
fn room_reoffer(
    w: &mut World,
    call: &mut Bridged,
    sdp: &str,
    cloud_dir: &str,
) -> (Sip, Option<Sip>) {
    let reinvite = call.room.request("INVITE", "", Some(sdp));
    let cseq = call.room.cseq;
    w.send(ROOM, &reinvite);
    let ok = w.final_response(ROOM);
    assert_eq!(ok.status(), Some(200), "{ok:?}");
    w.send(ROOM, &call.room.ack(cseq, None));
    let mirrored = w
        .take(CLOUD)
        .into_iter()
        .find(|m| m.method() == Some("INVITE"));
    if let Some(re) = &mirrored {
        let answer = cloud_answer(re, 2, CLOUD_RTP, cloud_dir);
        w.send(CLOUD, &re.reply(200, "OK", "c1", CLOUD, Some(&answer)));
        assert_eq!(
            w.request(CLOUD, "ACK").cseq().1,
            "ACK",
            "re-INVITE's 2xx acknowledged"
        );
    }
    (ok, mirrored)
}

#[test]
fn hold_and_resume_are_answered_locally_and_mirrored_to_the_cloud() {
    let mut w = World::new();
    let mut call = w.connect("hold");
    let hold = plain_sdp(2, ROOM_RTP, &[(0, "PCMU/8000")], "sendonly");
    let (ok, mirrored) = room_reoffer(&mut w, &mut call, &hold, "recvonly");
    assert_eq!(direction(&ok), "recvonly", "our answer to sendonly");
    let mirrored = mirrored.unwrap_or_else(|| panic!("hold not mirrored"));
    assert_eq!(direction(&mirrored), "sendonly", "{mirrored:?}");
    assert_eq!(
        audio_port(&mirrored),
        call.cloud_port,
        "same relay port toward the cloud"
    );

    let resume = plain_sdp(3, ROOM_RTP, &[(0, "PCMU/8000")], "sendrecv");
    let (ok, mirrored) = room_reoffer(&mut w, &mut call, &resume, "sendrecv");
    assert_eq!(direction(&ok), "sendrecv");
    let mirrored = mirrored.unwrap_or_else(|| panic!("resume not mirrored"));
    assert_eq!(direction(&mirrored), "sendrecv");
    assert_eq!(w.live_calls(), 1);
}

#[test]
fn hold_from_the_cloud_reaches_the_room() {
    let mut w = World::new();
    let mut call = w.connect("cloud-hold");
    let hold = cloud_answer(&call.cloud_invite, 2, CLOUD_RTP, "sendonly");
    let reinvite = call.cloud.request("INVITE", "", Some(&hold));
    let cseq = call.cloud.cseq;
    w.send(CLOUD, &reinvite);
    let ok = w.final_response(CLOUD);
    assert_eq!(ok.status(), Some(200));
    assert_eq!(direction(&ok), "recvonly");
    w.send(CLOUD, &call.cloud.ack(cseq, None));
    let to_room = w.request(ROOM, "INVITE");
    assert_eq!(direction(&to_room), "sendonly", "{to_room:?}");
}

#[test]
fn codec_change_turns_pass_through_into_transcoding() {
    let mut w = World::new();
    let mut call = w.connect("codec");
    assert_eq!(
        w.calls().summaries().first().and_then(|s| s.audio),
        Some("pass-through")
    );
    // The room now wants PCMA only: the cloud keeps PCMU, the relay transcodes.
    let pcma = plain_sdp(2, ROOM_RTP, &[(8, "PCMA/8000")], "sendrecv");
    let (ok, _) = room_reoffer(&mut w, &mut call, &pcma, "sendrecv");
    assert!(ok.body().contains("RTP/AVP 8"), "PCMA answered: {ok:?}");
    assert_eq!(
        w.calls().summaries().first().and_then(|s| s.audio),
        Some("transcode")
    );
    // Back to PCMU: pass-through again.
    let back = pcmu(3, ROOM_RTP);
    let (ok, _) = room_reoffer(&mut w, &mut call, &back, "sendrecv");
    assert!(ok.body().contains("RTP/AVP 0"));
    assert_eq!(
        w.calls().summaries().first().and_then(|s| s.audio),
        Some("pass-through")
    );
}

#[test]
fn reoffer_with_no_common_codec_is_488_and_the_call_stays() {
    let mut w = World::new();
    let mut call = w.connect("no-codec");
    let odd = plain_sdp(2, ROOM_RTP, &[(97, "AMR/8000")], "sendrecv").replace(
        "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n",
        "",
    );
    let odd = odd.replace("RTP/AVP 97 101", "RTP/AVP 97");
    w.send(ROOM, &call.room.request("INVITE", "", Some(&odd)));
    assert_eq!(w.final_response(ROOM).status(), Some(488));
    assert!(w.take(CLOUD).iter().all(|m| m.method() != Some("BYE")));
    assert_eq!(w.live_calls(), 1);
}

#[test]
fn reoffer_with_crypto_we_cannot_apply_is_refused_never_plain() {
    let mut w = World::new();
    let mut call = w.connect("bad-crypto");
    // An SRTP re-offer whose only crypto line asks for unencrypted SRTP.
    let sdp = pcmu(2, ROOM_RTP).replace("RTP/AVP", "RTP/SAVP")
        + "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz UNENCRYPTED_SRTP\r\n";
    w.send(ROOM, &call.room.request("INVITE", "", Some(&sdp)));
    let r = w.final_response(ROOM);
    assert_eq!(r.status(), Some(488), "{r:?}");
    assert_eq!(w.calls().stats().srtp.refused, 1);
}

#[test]
fn room_session_timer_refresh_keeps_the_call_and_expiry_ends_it() {
    // No media in this scenario: only the session timer may end the call.
    let mut w = World::with(|s| s.relay.inactivity_timeout = Duration::from_secs(3600));
    let extra = "Supported: timer\r\nSession-Expires: 90;refresher=uac\r\n";
    let invite = room_invite("timer", OPEN, Some(&pcmu(1, ROOM_RTP)), extra);
    w.send(ROOM, &invite);
    let out = w.request(CLOUD, "INVITE");
    let answer = cloud_answer(&out, 1, CLOUD_RTP, "sendrecv");
    w.send(CLOUD, &out.reply(200, "OK", "c1", CLOUD, Some(&answer)));
    let ok = w.final_response(ROOM);
    let se = ok.header("Session-Expires").unwrap_or_default();
    assert!(
        se.starts_with("90") && se.contains("refresher=uac"),
        "{ok:?}"
    );
    let mut room = Dialog::room(&invite, &ok);
    w.send(ROOM, &room.ack(1, None));
    let _ = w.take(CLOUD);

    // Refreshed at half the interval, twice: still up after 100 s.
    for _ in 0..2 {
        w.advance(Duration::from_secs(45));
        let update = room.request("UPDATE", "Session-Expires: 90;refresher=uac\r\n", None);
        w.send(ROOM, &update);
        assert_eq!(w.statuses(ROOM), vec![200]);
    }
    w.advance(Duration::from_secs(10));
    assert!(w.take(ROOM).iter().all(|m| m.method() != Some("BYE")));
    assert_eq!(w.live_calls(), 1);

    // No refresh: the session expires and both legs are hung up.
    w.advance(Duration::from_secs(90));
    assert_eq!(w.request(ROOM, "BYE").method(), Some("BYE"));
    assert_eq!(w.request(CLOUD, "BYE").method(), Some("BYE"));
}

#[test]
fn we_refresh_the_cloud_session_when_it_makes_us_the_refresher() {
    let mut w = World::with(|s| s.relay.inactivity_timeout = Duration::from_secs(3600));
    let invite = room_invite("refresh", OPEN, Some(&pcmu(1, ROOM_RTP)), "");
    w.send(ROOM, &invite);
    let out = w.request(CLOUD, "INVITE");
    assert!(out
        .header("Supported")
        .unwrap_or_default()
        .contains("timer"));
    let answer = cloud_answer(&out, 1, CLOUD_RTP, "sendrecv");
    let ok = out.reply(200, "OK", "c1", CLOUD, Some(&answer)).replace(
        "Content-Type:",
        "Allow: INVITE, ACK, BYE, UPDATE\r\nRequire: timer\r\nSession-Expires: 120;refresher=uac\r\nContent-Type:",
    );
    w.send(CLOUD, &ok);
    let room_ok = w.final_response(ROOM);
    w.send(ROOM, &Dialog::room(&invite, &room_ok).ack(1, None));
    let _ = w.take(CLOUD);
    w.advance(Duration::from_secs(59));
    assert!(w.take(CLOUD).iter().all(|m| m.method() != Some("UPDATE")));
    w.advance(Duration::from_secs(2));
    let update = w.request(CLOUD, "UPDATE");
    assert!(update
        .header("Session-Expires")
        .unwrap_or_default()
        .starts_with("120"));
    w.send(CLOUD, &update.reply(200, "OK", "c1", CLOUD, None));
    assert_eq!(w.live_calls(), 1);
}
