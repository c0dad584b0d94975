//! Media negotiation on both legs: which formats our offers and answers list, in what order
//! and with which parameters, and what the relay then carries: telephone-event at the clock
//! rate of its audio codec, every common codec mapped across a pass-through, H.264 only
//! when both legs agreed on compatible parameters.

use std::time::Duration;

use super::pin::{cloud_media, room_media};
use super::sip_text::{cloud_answer, room_invite};
use super::*;

/// An SDP from the room with audio on [`ROOM_RTP`]: `formats` on the m-line, then `lines`
/// (rtpmap, fmtp …) as given, sendrecv; `video`: an extra m=video section as given.
pub(crate) fn room_sdp(formats: &str, lines: &[&str], video: Option<&str>) -> String {
    let ip = addr(ROOM).ip();
    let mut s = format!(
        "v=0\r\no=room 7 1 IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\n\
         m=audio {ROOM_RTP} RTP/AVP {formats}\r\n"
    );
    for l in lines {
        s.push_str(l);
        s.push_str("\r\n");
    }
    s.push_str("a=sendrecv\r\n");
    if let Some(v) = video {
        s.push_str(v);
    }
    s
}

/// The `a=rtpmap` lines of the first m-section of `kind` ("audio", "video") of an SDP, as
/// `(payload type, encoding/rate[/channels])`.
pub(crate) fn rtpmaps(sip: &Sip, kind: &str) -> Vec<(u8, String)> {
    let mut out = Vec::new();
    let mut inside = false;
    for l in sip.body().lines() {
        if let Some(m) = l.strip_prefix("m=") {
            if inside {
                break;
            }
            inside = m.starts_with(kind);
            continue;
        }
        if !inside {
            continue;
        }
        if let Some((pt, name)) = l.strip_prefix("a=rtpmap:").and_then(|r| r.split_once(' ')) {
            if let Ok(pt) = pt.parse() {
                out.push((pt, name.trim().to_owned()));
            }
        }
    }
    out
}

/// RFC 4733 packets of one key press with payload type `pt`: start, update, end ×3, the
/// end with `duration`.
fn key_press_pt(pt: u8, event: u8, seq: u16, duration: u16) -> Vec<Vec<u8>> {
    let packet = |i: u16, marker: bool, end: bool, d: u16| {
        let mut p = vec![0x80, if marker { 0x80 | pt } else { pt }];
        p.extend_from_slice(&seq.wrapping_add(i).to_be_bytes());
        p.extend_from_slice(&9600u32.to_be_bytes());
        p.extend_from_slice(&0x5151u32.to_be_bytes());
        p.push(event);
        p.push(if end { 0x80 | 10 } else { 10 });
        p.extend_from_slice(&d.to_be_bytes());
        p
    };
    vec![
        packet(0, true, false, 960),
        packet(1, false, false, 1920),
        packet(2, false, true, duration),
        packet(3, false, true, duration),
        packet(4, false, true, duration),
    ]
}

/// `(event, end)` of the RTP packets with payload type `pt` among `sent`.
pub(crate) fn events_with_pt(sent: &[Sent], pt: u8) -> Vec<(u8, bool)> {
    sent.iter()
        .filter(|s| s.bytes.len() == 16 && s.bytes.get(1).is_some_and(|b| b & 0x7f == pt))
        .filter_map(|s| Some((*s.bytes.get(12)?, s.bytes.get(13)? & 0x80 != 0)))
        .collect()
}

#[test]
fn our_offer_lists_telephone_event_at_each_audio_clock_rate() {
    let mut w = World::new();
    let sdp = room_sdp(
        "0 101",
        &["a=rtpmap:0 PCMU/8000", "a=rtpmap:101 telephone-event/8000"],
        None,
    );
    w.send(ROOM, &room_invite("te-offer", OPEN, Some(&sdp), ""));
    let offer = w.request(CLOUD, "INVITE");
    let maps = rtpmaps(&offer, "audio");
    let events: Vec<&str> = maps
        .iter()
        .filter(|(_, n)| n.starts_with("telephone-event/"))
        .map(|(_, n)| n.as_str())
        .collect();
    // Opus (48 kHz) and G.711/G.722 (8 kHz, G.722's RTP clock per RFC 3551) are offered.
    assert!(
        maps.iter().any(|(_, n)| n.starts_with("opus/48000")),
        "{maps:?}"
    );
    assert_eq!(
        events,
        vec!["telephone-event/8000", "telephone-event/48000"],
        "{offer:?}"
    );
}

#[test]
fn opus_calls_carry_key_presses_at_48_khz() {
    let mut w = World::new();
    let sdp = room_sdp(
        "111 101",
        &[
            "a=rtpmap:111 opus/48000/2",
            "a=rtpmap:101 telephone-event/48000",
            "a=fmtp:101 0-15",
        ],
        None,
    );
    let call = w.connect_with("te-opus", OPEN, &sdp, |inv| {
        cloud_answer(inv, 1, CLOUD_RTP, "sendrecv")
    });
    let answer = w
        .wire
        .iter()
        .rev()
        .find(|m| m.to == addr(ROOM) && m.msg.status() == Some(200))
        .map(|m| m.msg.clone())
        .unwrap_or_else(|| panic!("no 200 to the room"));
    assert!(
        rtpmaps(&answer, "audio").contains(&(101, "telephone-event/48000".to_owned())),
        "the room's 48 kHz events are answered: {answer:?}"
    );
    let cloud_pt = rtpmaps(&call.cloud_invite, "audio")
        .into_iter()
        .find(|(_, n)| n == "telephone-event/48000")
        .map(|(pt, _)| pt)
        .unwrap_or_else(|| panic!("no 48 kHz events offered to the cloud"));
    for p in key_press_pt(101, 5, 10, 4800) {
        w.send_rtp(room_media(), call.room_port, &p);
    }
    w.advance(Duration::from_millis(100));
    let to_cloud = events_with_pt(&w.take_rtp(cloud_media()), cloud_pt);
    assert!(
        to_cloud.iter().any(|(e, end)| *e == 5 && *end),
        "{to_cloud:?}"
    );
}

#[test]
fn telephone_event_at_an_odd_rate_is_left_out_and_hostile_events_do_no_harm() {
    let mut w = World::new();
    let sdp = room_sdp(
        "0 101",
        &["a=rtpmap:0 PCMU/8000", "a=rtpmap:101 telephone-event/12345"],
        None,
    );
    let call = w.connect_with("te-odd", OPEN, &sdp, |inv| {
        cloud_answer(inv, 1, CLOUD_RTP, "sendrecv")
    });
    let answer = w
        .wire
        .iter()
        .rev()
        .find(|m| m.to == addr(ROOM) && m.msg.status() == Some(200))
        .map(|m| m.msg.clone())
        .unwrap_or_else(|| panic!("no 200 to the room"));
    let maps = rtpmaps(&answer, "audio");
    assert_eq!(maps, vec![(0, "PCMU/8000".to_owned())], "{answer:?}");
    // Packets with that payload type anyway, one with an end duration of 65535: no panic,
    // and the call goes on.
    for p in key_press_pt(101, 9, 40, 65535) {
        w.send_rtp(room_media(), call.room_port, &p);
    }
    w.advance(Duration::from_millis(100));
    assert_eq!(w.live_calls(), 1);
}

#[test]
fn an_end_packet_of_the_longest_duration_passes_without_harm() {
    let mut w = World::new();
    let call = w.connect("te-65535");
    for p in key_press_pt(101, 3, 50, 65535) {
        w.send_rtp(room_media(), call.room_port, &p);
    }
    w.advance(Duration::from_millis(200));
    let to_cloud = events_with_pt(&w.take_rtp(cloud_media()), 101);
    assert!(
        to_cloud.iter().any(|(e, end)| *e == 3 && *end),
        "{to_cloud:?}"
    );
    assert_eq!(w.live_calls(), 1);
}

#[test]
fn events_at_8_khz_next_to_opus_reach_a_cloud_with_48_khz_events() {
    let mut w = World::new();
    // As baresip offers: Opus, with its key presses at 8 kHz.
    let sdp = room_sdp(
        "111 101",
        &[
            "a=rtpmap:111 opus/48000/2",
            "a=rtpmap:101 telephone-event/8000",
            "a=fmtp:101 0-15",
        ],
        None,
    );
    let call = w.connect_with("te-mixed", OPEN, &sdp, |inv| {
        cloud_answer(inv, 1, CLOUD_RTP, "sendrecv")
    });
    let answer = w
        .wire
        .iter()
        .rev()
        .find(|m| m.to == addr(ROOM) && m.msg.status() == Some(200))
        .map(|m| m.msg.clone())
        .unwrap_or_else(|| panic!("no 200 to the room"));
    assert!(
        rtpmaps(&answer, "audio").contains(&(101, "telephone-event/8000".to_owned())),
        "{answer:?}"
    );
    let cloud_pt = rtpmaps(&call.cloud_invite, "audio")
        .into_iter()
        .find(|(_, n)| n == "telephone-event/48000")
        .map(|(pt, _)| pt)
        .unwrap_or_else(|| panic!("no 48 kHz events offered to the cloud"));
    for p in key_press_pt(101, 8, 10, 800) {
        w.send_rtp(room_media(), call.room_port, &p);
    }
    w.advance(Duration::from_millis(400));
    let to_cloud = events_with_pt(&w.take_rtp(cloud_media()), cloud_pt);
    assert!(
        to_cloud.iter().any(|(e, end)| *e == 8 && *end),
        "{to_cloud:?}"
    );
}

/// The room's H.264 offer: one format, payload type 100, with `fmtp` (None: no fmtp line).
fn room_video(fmtp: Option<&str>) -> String {
    let mut v = format!(
        "m=video {} RTP/AVP 100\r\na=rtpmap:100 H264/90000\r\n",
        ROOM_RTP + 2
    );
    if let Some(f) = fmtp {
        v.push_str(&format!("a=fmtp:100 {f}\r\n"));
    }
    v.push_str("a=sendrecv\r\n");
    v
}

/// The cloud's answer to our offer: PCMU, and H.264 on the payload type of ours with
/// `packetization-mode` `mode`, at `plid`.
pub(crate) fn cloud_answer_with_video(offer: &Sip, plid: &str, mode: u8) -> String {
    let audio = cloud_answer(offer, 1, CLOUD_RTP, "sendrecv");
    let pt = rtpmaps(offer, "video")
        .into_iter()
        .map(|(pt, _)| pt)
        .find(|pt| {
            let line = format!("a=fmtp:{pt} ");
            let fmtp = offer.body().lines().find(|l| l.starts_with(&line));
            let mode_of = fmtp
                .and_then(|l| l.split("packetization-mode=").nth(1))
                .and_then(|m| m.get(..1))
                .unwrap_or("0");
            mode_of == mode.to_string()
        })
        .unwrap_or_else(|| panic!("no mode {mode} H.264 in our offer: {offer:?}"));
    format!(
        "{audio}m=video {} RTP/AVP {pt}\r\na=rtpmap:{pt} H264/90000\r\n\
         a=fmtp:{pt} profile-level-id={plid};packetization-mode={mode}\r\na=sendrecv\r\n",
        CLOUD_RTP + 2
    )
}

/// The room's 200 among what the gateway sent.
pub(crate) fn room_ok(w: &World) -> Sip {
    w.wire
        .iter()
        .rev()
        .find(|m| m.to == addr(ROOM) && m.msg.status() == Some(200))
        .map(|m| m.msg.clone())
        .unwrap_or_else(|| panic!("no 200 to the room"))
}

/// `(port, fmtp lines)` of the video section of an SDP.
pub(crate) fn video_of(sip: &Sip) -> (u16, Vec<String>) {
    let sdp = sip.sdp();
    let m = sdp
        .media
        .iter()
        .find(|m| m.media.to_string() == "video")
        .unwrap_or_else(|| panic!("no video in {sip:?}"));
    let mut inside = false;
    let mut fmtps = Vec::new();
    for l in sip.body().lines() {
        if let Some(rest) = l.strip_prefix("m=") {
            inside = rest.starts_with("video");
        } else if inside {
            if let Some(f) = l.strip_prefix("a=fmtp:") {
                fmtps.push(f.to_owned());
            }
        }
    }
    (m.port, fmtps)
}

/// A call with H.264 offered by the room as `room_fmtp`, the cloud answering `plid` in
/// `mode`.
fn video_call(w: &mut World, id: &str, room_fmtp: Option<&str>, plid: &str, mode: u8) -> Bridged {
    let sdp = room_sdp(
        "0 101",
        &["a=rtpmap:0 PCMU/8000", "a=rtpmap:101 telephone-event/8000"],
        Some(&room_video(room_fmtp)),
    );
    let plid = plid.to_owned();
    w.connect_with(id, OPEN, &sdp, move |inv| {
        cloud_answer_with_video(inv, &plid, mode)
    })
}

#[test]
fn h264_is_answered_in_the_offers_profile_at_the_lower_level_and_passes_unchanged() {
    let mut w = World::new();
    let call = video_call(
        &mut w,
        "h264-ok",
        Some("profile-level-id=42c00d;packetization-mode=1"),
        "42e01f",
        1,
    );
    let (port, fmtps) = video_of(&room_ok(&w));
    assert_ne!(port, 0, "video taken");
    assert_eq!(
        fmtps,
        vec!["100 profile-level-id=42c00d;packetization-mode=1".to_owned()],
        "the room's own profile and level, never ours"
    );
    // A NAL unit from the room reaches the cloud byte for byte.
    let nal = [0x65u8, 0x88, 0x84, 0x00, 0x33, 0xff, 0x01, 0x02];
    let mut p = vec![0x80, 0x80 | 100, 0, 7, 0, 0, 0x10, 0, 0, 0, 0x77, 0x77];
    p.extend_from_slice(&nal);
    let from = SocketAddr::new(addr(ROOM).ip(), ROOM_RTP + 2);
    w.send_rtp(from, port, &p);
    w.advance(Duration::from_millis(20));
    let to = SocketAddr::new(addr(CLOUD).ip(), CLOUD_RTP + 2);
    let got = w.take_rtp(to);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got.first().and_then(|s| s.bytes.get(12..)), Some(&nal[..]));
    let _ = call;
}

/// The cloud's answer to our offer: PCMU, and video refused (port 0).
pub(crate) fn cloud_refuses_video(offer: &Sip) -> String {
    let audio = cloud_answer(offer, 1, CLOUD_RTP, "sendrecv");
    let pt = rtpmaps(offer, "video")
        .first()
        .map(|(pt, _)| *pt)
        .unwrap_or_else(|| panic!("no video in our offer: {offer:?}"));
    format!("{audio}m=video 0 RTP/AVP {pt}\r\n")
}

#[test]
fn h264_the_cloud_refuses_gets_port_0_and_audio_goes_on() {
    let mut w = World::new();
    let sdp = room_sdp(
        "0 101",
        &["a=rtpmap:0 PCMU/8000", "a=rtpmap:101 telephone-event/8000"],
        Some(&room_video(Some(
            "profile-level-id=640028;packetization-mode=1",
        ))),
    );
    let _call = w.connect_with("h264-high", OPEN, &sdp, cloud_refuses_video);
    assert_eq!(video_of(&room_ok(&w)).0, 0);
    assert_eq!(w.live_calls(), 1, "audio goes on");
}

#[test]
fn h264_is_offered_upstream_only_in_the_modes_the_room_offered() {
    let mut w = World::new();
    // The room takes mode 0 only (no packetization-mode): a mode 1 format from the cloud
    // could never reach it unchanged, so none is offered.
    let sdp = room_sdp(
        "0 101",
        &["a=rtpmap:0 PCMU/8000", "a=rtpmap:101 telephone-event/8000"],
        Some(&room_video(Some("profile-level-id=42e01f"))),
    );
    let call = w.connect_with("h264-mode", OPEN, &sdp, cloud_refuses_video);
    let (_, offered) = video_of(&call.cloud_invite);
    assert!(!offered.is_empty(), "video offered upstream");
    assert!(
        offered.iter().all(|f| !f.contains("packetization-mode=1")),
        "{offered:?}"
    );
    assert_eq!(video_of(&room_ok(&w)).0, 0);
    assert_eq!(w.live_calls(), 1);
}

#[test]
fn h264_with_an_invalid_profile_level_id_gets_port_0() {
    for plid in ["zzzzzz", "42e01", "42e01f00", "+2e01f", ""] {
        let mut w = World::new();
        let fmtp = format!("profile-level-id={plid};packetization-mode=1");
        let _call = video_call(&mut w, "h264-bad", Some(&fmtp), "42e01f", 1);
        assert_eq!(video_of(&room_ok(&w)).0, 0, "{plid}");
        assert_eq!(w.live_calls(), 1);
    }
}

/// The cloud's answer listing `formats` (`(pt, rtpmap)`) as given, plus telephone-event 101.
pub(crate) fn cloud_answer_formats(formats: &[(u8, &str)]) -> String {
    let ip = addr(CLOUD).ip();
    let pts: Vec<String> = formats.iter().map(|(pt, _)| pt.to_string()).collect();
    let mut s = format!(
        "v=0\r\no=cloud 9 1 IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\n\
         m=audio {CLOUD_RTP} RTP/AVP {} 101\r\n",
        pts.join(" ")
    );
    for (pt, name) in formats {
        s.push_str(&format!("a=rtpmap:{pt} {name}\r\n"));
    }
    s.push_str("a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=sendrecv\r\n");
    s
}

/// An RTP packet of `pt` with a 160-byte payload.
pub(crate) fn audio_packet(pt: u8, seq: u16, ssrc: u32) -> Vec<u8> {
    let mut p = vec![0x80, pt];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&(u32::from(seq) * 160).to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend(std::iter::repeat_n(0xd5, 160));
    p
}

/// The payload types of the audio-sized RTP packets among `sent`.
fn audio_pts(sent: &[Sent]) -> Vec<u8> {
    sent.iter()
        .filter(|s| s.bytes.len() == 172)
        .filter_map(|s| s.bytes.get(1).map(|b| b & 0x7f))
        .collect()
}

/// The audio formats of the m-line of an SDP, in order.
fn audio_formats(sip: &Sip) -> Vec<String> {
    sip.sdp()
        .media
        .first()
        .map(|m| m.formats.clone())
        .unwrap_or_default()
}

#[test]
fn the_room_is_answered_every_codec_both_legs_agreed_in_its_own_order() {
    let mut w = World::new();
    let sdp = room_sdp(
        "8 0 101",
        &[
            "a=rtpmap:8 PCMA/8000",
            "a=rtpmap:0 PCMU/8000",
            "a=rtpmap:101 telephone-event/8000",
        ],
        None,
    );
    let _call = w.connect_with("order", OPEN, &sdp, |_| {
        cloud_answer_formats(&[(0, "PCMU/8000"), (8, "PCMA/8000")])
    });
    assert_eq!(audio_formats(&room_ok(&w)), vec!["8", "0", "101"]);
    assert_eq!(
        w.calls().summaries().first().and_then(|s| s.audio),
        Some("pass-through")
    );
}

#[test]
fn a_peer_switching_to_another_agreed_codec_is_still_carried() {
    let mut w = World::new();
    let sdp = room_sdp(
        "0 8 101",
        &[
            "a=rtpmap:0 PCMU/8000",
            "a=rtpmap:8 PCMA/8000",
            "a=rtpmap:101 telephone-event/8000",
        ],
        None,
    );
    let call = w.connect_with("switch", OPEN, &sdp, |_| {
        cloud_answer_formats(&[(0, "PCMU/8000"), (8, "PCMA/8000")])
    });
    for seq in 0..3 {
        w.send_rtp(
            cloud_media(),
            call.cloud_port,
            &audio_packet(0, seq, 0xbbbb),
        );
        w.send_rtp(room_media(), call.room_port, &audio_packet(0, seq, 0xaaaa));
        w.advance(Duration::from_millis(20));
    }
    // Both switch to PCMA, which both legs agreed.
    for seq in 3..6 {
        w.send_rtp(
            cloud_media(),
            call.cloud_port,
            &audio_packet(8, seq, 0xbbbb),
        );
        w.send_rtp(room_media(), call.room_port, &audio_packet(8, seq, 0xaaaa));
        w.advance(Duration::from_millis(20));
    }
    assert_eq!(audio_pts(&w.take_rtp(room_media())), vec![0, 0, 0, 8, 8, 8]);
    assert_eq!(
        audio_pts(&w.take_rtp(cloud_media())),
        vec![0, 0, 0, 8, 8, 8]
    );
}

#[test]
fn a_format_the_cloud_answered_but_we_never_offered_is_no_codec_of_the_call() {
    let mut w = World::new();
    // G.729 was not in our offer: an answer may not add it (RFC 3264 §6.1).
    let call = w.connect_with("stray", OPEN, &sip_text::pcmu(1, ROOM_RTP), |_| {
        cloud_answer_formats(&[(18, "G729/8000"), (0, "PCMU/8000")])
    });
    assert_eq!(w.live_calls(), 1, "{}", w.trace());
    assert_eq!(
        w.calls().summaries().first().and_then(|s| s.audio),
        Some("pass-through")
    );
    w.send_rtp(cloud_media(), call.cloud_port, &audio_packet(0, 1, 0xbbbb));
    w.send_rtp(cloud_media(), call.cloud_port, &audio_packet(18, 2, 0xbbbb));
    w.advance(Duration::from_millis(20));
    assert_eq!(audio_pts(&w.take_rtp(room_media())), vec![0]);
}

#[test]
fn a_room_reoffer_of_h264_in_another_mode_gets_port_0() {
    let mut w = World::new();
    let mut call = video_call(
        &mut w,
        "h264-reoffer",
        Some("profile-level-id=42e01f;packetization-mode=1"),
        "42e01f",
        1,
    );
    assert_ne!(video_of(&room_ok(&w)).0, 0);
    // The room re-offers video in mode 0 only: the cloud still speaks mode 1.
    let mut sdp = room_sdp(
        "0 101",
        &["a=rtpmap:0 PCMU/8000", "a=rtpmap:101 telephone-event/8000"],
        Some(&room_video(Some("profile-level-id=42e01f"))),
    );
    sdp = sdp.replace("o=room 7 1", "o=room 7 2");
    w.send(ROOM, &call.room.request("INVITE", "", Some(&sdp)));
    let ok = w.final_response(ROOM);
    assert_eq!(ok.status(), Some(200), "{ok:?}");
    assert_eq!(video_of(&ok).0, 0, "{ok:?}");
    assert_ne!(audio_port(&ok), 0);
}

#[test]
fn a_transcoded_peer_switching_to_another_agreed_codec_is_transcoded_not_dropped() {
    let mut w = World::new();
    // The room speaks PCMA only; the cloud agreed PCMU and G.722: the relay transcodes.
    let sdp = room_sdp(
        "8 101",
        &["a=rtpmap:8 PCMA/8000", "a=rtpmap:101 telephone-event/8000"],
        None,
    );
    let call = w.connect_with("switch-transcoded", OPEN, &sdp, |_| {
        cloud_answer_formats(&[(0, "PCMU/8000"), (9, "G722/8000")])
    });
    assert_eq!(
        w.calls().summaries().first().and_then(|s| s.audio),
        Some("transcode")
    );
    for seq in 0..3 {
        w.send_rtp(
            cloud_media(),
            call.cloud_port,
            &audio_packet(0, seq, 0xbbbb),
        );
        w.advance(Duration::from_millis(20));
    }
    let before = audio_pts(&w.take_rtp(room_media()));
    assert!(
        !before.is_empty() && before.iter().all(|pt| *pt == 8),
        "{before:?}"
    );
    // The cloud switches to G.722, which it agreed too.
    for seq in 3..8 {
        w.send_rtp(
            cloud_media(),
            call.cloud_port,
            &audio_packet(9, seq, 0xbbbb),
        );
        w.advance(Duration::from_millis(20));
    }
    let after = audio_pts(&w.take_rtp(room_media()));
    assert!(
        after.len() >= 4 && after.iter().all(|pt| *pt == 8),
        "{after:?}"
    );
    // A payload type nobody agreed is still dropped.
    w.send_rtp(cloud_media(), call.cloud_port, &audio_packet(18, 9, 0xbbbb));
    w.advance(Duration::from_millis(20));
    assert!(audio_pts(&w.take_rtp(room_media())).is_empty());
}

#[test]
fn a_switch_to_a_codec_only_one_leg_agreed_is_transcoded_on_a_pass_through_call() {
    let mut w = World::new();
    // The room agreed PCMU alone; the cloud PCMU and PCMA.
    let call = w.connect_with("switch-one-leg", OPEN, &sip_text::pcmu(1, ROOM_RTP), |_| {
        cloud_answer_formats(&[(0, "PCMU/8000"), (8, "PCMA/8000")])
    });
    assert_eq!(
        w.calls().summaries().first().and_then(|s| s.audio),
        Some("pass-through")
    );
    for seq in 0..3 {
        w.send_rtp(
            cloud_media(),
            call.cloud_port,
            &audio_packet(0, seq, 0xbbbb),
        );
        w.advance(Duration::from_millis(20));
    }
    assert_eq!(audio_pts(&w.take_rtp(room_media())), vec![0, 0, 0]);
    // PCMA, which the room never agreed: it hears PCMU, transcoded.
    for seq in 3..8 {
        w.send_rtp(
            cloud_media(),
            call.cloud_port,
            &audio_packet(8, seq, 0xbbbb),
        );
        w.advance(Duration::from_millis(20));
    }
    let after = audio_pts(&w.take_rtp(room_media()));
    assert!(
        after.len() >= 4 && after.iter().all(|pt| *pt == 0),
        "{after:?}"
    );
}

#[test]
fn our_h264_offer_to_the_cloud_goes_no_higher_than_the_rooms_level() {
    let mut w = World::new();
    let sdp = room_sdp(
        "0 101",
        &["a=rtpmap:0 PCMU/8000", "a=rtpmap:101 telephone-event/8000"],
        Some(&room_video(Some(
            "profile-level-id=42e00d;packetization-mode=1",
        ))),
    );
    w.send(ROOM, &room_invite("h264-level", OPEN, Some(&sdp), ""));
    let offer = w.request(CLOUD, "INVITE");
    let (port, fmtps) = video_of(&offer);
    assert_ne!(port, 0);
    // Level 1.3 in the mode the room takes, and no other mode: it could never reach the
    // room unchanged.
    assert!(
        fmtps.contains(&"96 profile-level-id=42e00d;packetization-mode=1".to_owned()),
        "{fmtps:?}"
    );
    assert!(
        fmtps.iter().all(|f| !f.contains("640028")),
        "never above the room's profile: {fmtps:?}"
    );
}
