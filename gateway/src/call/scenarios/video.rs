//! Main video between rooms offering several H.264 formats and a cloud: the room is
//! answered in a format that passes through the relay unchanged, and the NAL units then
//! cross byte for byte in both directions on the payload types each leg agreed.

use std::time::Duration;

use super::negotiation::{cloud_answer_with_video, room_ok, room_sdp, rtpmaps, video_of};
use super::sip_text::cloud_answer;
use super::*;

/// The room's video section: `formats` as `(payload type, fmtp)` in this order, all H.264.
fn room_video(formats: &[(u8, Option<&str>)]) -> String {
    let pts: Vec<String> = formats.iter().map(|(pt, _)| pt.to_string()).collect();
    let mut v = format!("m=video {} RTP/AVP {}\r\n", ROOM_RTP + 2, pts.join(" "));
    for (pt, fmtp) in formats {
        v.push_str(&format!("a=rtpmap:{pt} H264/90000\r\n"));
        if let Some(f) = fmtp {
            v.push_str(&format!("a=fmtp:{pt} {f}\r\n"));
        }
    }
    v.push_str("a=sendrecv\r\n");
    v
}

/// The room's call offering `formats` of H.264, answered by the cloud through `cloud`.
fn call_with(
    w: &mut World,
    id: &str,
    formats: &[(u8, Option<&str>)],
    cloud: impl FnOnce(&Sip) -> String,
) -> Bridged {
    let sdp = room_sdp(
        "0 101",
        &["a=rtpmap:0 PCMU/8000", "a=rtpmap:101 telephone-event/8000"],
        Some(&room_video(formats)),
    );
    w.connect_with(id, OPEN, &sdp, cloud)
}

/// An RTP packet of payload type `pt` carrying `nal`.
fn video_packet(pt: u8, seq: u16, ssrc: u32, nal: &[u8]) -> Vec<u8> {
    let mut p = vec![0x80, 0x80 | pt];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&[0, 0, 0x10, 0]);
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend_from_slice(nal);
    p
}

/// The payload type the `a=fmtp` line of `fmtps` (as [`video_of`] gives them) names.
fn pt_of(fmtp: &str) -> u8 {
    fmtp.split(' ')
        .next()
        .and_then(|pt| pt.parse().ok())
        .unwrap_or_else(|| panic!("no payload type in {fmtp}"))
}

/// Asserts that NAL units cross the relay unchanged in both directions, each leg sending and
/// receiving on the payload type it agreed (`room_pt`, `cloud_pt`).
fn assert_video_passes(w: &mut World, room_port: u16, cloud_port: u16, room_pt: u8, cloud_pt: u8) {
    let room = SocketAddr::new(addr(ROOM).ip(), ROOM_RTP + 2);
    let cloud = SocketAddr::new(addr(CLOUD).ip(), CLOUD_RTP + 2);
    let nal = [0x65u8, 0x88, 0x84, 0x00, 0x33, 0xff, 0x01, 0x02];
    w.send_rtp(room, room_port, &video_packet(room_pt, 7, 0x7777, &nal));
    w.advance(Duration::from_millis(20));
    let got = w.take_rtp(cloud);
    assert_eq!(got.len(), 1, "room → cloud: {got:?}");
    let first = got.first().map(|s| s.bytes.clone()).unwrap_or_default();
    assert_eq!(first.get(12..), Some(&nal[..]), "room → cloud unchanged");
    assert_eq!(first.get(1).map(|b| b & 0x7f), Some(cloud_pt));
    let back = [0x41u8, 0x9a, 0x02, 0x04, 0x08];
    w.send_rtp(cloud, cloud_port, &video_packet(cloud_pt, 9, 0x5555, &back));
    w.advance(Duration::from_millis(20));
    let got = w.take_rtp(room);
    assert_eq!(got.len(), 1, "cloud → room: {got:?}");
    let first = got.first().map(|s| s.bytes.clone()).unwrap_or_default();
    assert_eq!(first.get(12..), Some(&back[..]), "cloud → room unchanged");
    assert_eq!(first.get(1).map(|b| b & 0x7f), Some(room_pt));
}

#[test]
fn a_room_offering_high_first_is_answered_and_bridged_in_the_constrained_baseline_format() {
    let mut w = World::new();
    let call = call_with(
        &mut w,
        "h264-several",
        &[
            (109, Some("profile-level-id=640c1f;packetization-mode=1")),
            (96, Some("profile-level-id=42e01f;packetization-mode=1")),
            (98, Some("profile-level-id=42801f;packetization-mode=1")),
        ],
        |inv| cloud_answer_with_video(inv, "42e01f", 1),
    );
    let (port, fmtps) = video_of(&room_ok(&w));
    assert_ne!(port, 0, "video taken");
    assert_eq!(fmtps.len(), 1, "{fmtps:?}");
    let room_pt = fmtps.first().map(|f| pt_of(f)).unwrap_or_default();
    assert_eq!(room_pt, 96, "the constrained baseline format: {fmtps:?}");
    let (cloud_video, cloud_fmtps) = video_of(&call.cloud_invite);
    assert_ne!(cloud_video, 0);
    let cloud_pt = cloud_fmtps
        .iter()
        .find(|f| f.contains("42e01f") && f.contains("packetization-mode=1"))
        .map(|f| pt_of(f))
        .unwrap_or_else(|| panic!("{cloud_fmtps:?}"));
    assert_video_passes(&mut w, port, cloud_video, room_pt, cloud_pt);
}

/// The cloud's answer to our offer: PCMU, and the first video format we offered, with our
/// own `a=fmtp` for it (a cloud that accepts what we offer).
fn cloud_accepts_first_video(offer: &Sip) -> String {
    let audio = cloud_answer(offer, 1, CLOUD_RTP, "sendrecv");
    let pt = rtpmaps(offer, "video")
        .first()
        .map(|(pt, _)| *pt)
        .unwrap_or_else(|| panic!("no video in our offer: {offer:?}"));
    let fmtp = video_of(offer)
        .1
        .into_iter()
        .find(|f| pt_of(f) == pt)
        .map(|f| format!("a=fmtp:{f}\r\n"))
        .unwrap_or_default();
    format!(
        "{audio}m=video {} RTP/AVP {pt}\r\na=rtpmap:{pt} H264/90000\r\n{fmtp}a=sendrecv\r\n",
        CLOUD_RTP + 2
    )
}

/// A room offering only `fmtp` (None: no `a=fmtp`) on payload type 100, the cloud accepting
/// what we offer: `want` is in our offer to the cloud and video passes both ways.
fn bridged_in_the_rooms_own_profile(id: &str, fmtp: Option<&str>, want: &str) {
    let mut w = World::new();
    let call = call_with(&mut w, id, &[(100, fmtp)], cloud_accepts_first_video);
    let (cloud_video, offered) = video_of(&call.cloud_invite);
    assert_eq!(
        offered.len(),
        1,
        "only what the room can receive: {offered:?}"
    );
    let cloud_pt = offered
        .iter()
        .find(|f| f.ends_with(want))
        .map(|f| pt_of(f))
        .unwrap_or_else(|| panic!("{want} not offered upstream: {offered:?}"));
    let (port, fmtps) = video_of(&room_ok(&w));
    assert_ne!(port, 0, "video taken: {fmtps:?}");
    assert_eq!(fmtps.first().map(|f| pt_of(f)), Some(100));
    assert_video_passes(&mut w, port, cloud_video, 100, cloud_pt);
}

#[test]
fn a_room_offering_only_baseline_h264_is_bridged_in_baseline() {
    bridged_in_the_rooms_own_profile(
        "h264-baseline",
        Some("profile-level-id=42801f;packetization-mode=1"),
        "profile-level-id=42801f;packetization-mode=1",
    );
}

#[test]
fn a_room_offering_only_high_h264_is_bridged_in_high() {
    bridged_in_the_rooms_own_profile(
        "h264-high-only",
        Some("profile-level-id=640c1f;packetization-mode=1"),
        "profile-level-id=640c1f;packetization-mode=1",
    );
}

#[test]
fn a_room_offering_h264_without_fmtp_is_bridged_in_the_rfc_6184_default() {
    // No profile-level-id: Baseline level 1, mode 0 (RFC 6184 §8.1), spelled out upstream.
    bridged_in_the_rooms_own_profile(
        "h264-default",
        None,
        "profile-level-id=42000a;packetization-mode=0",
    );
}
