//! H.264 main video on H.323 legs, on the virtual clock: an H.323 room's fastStart video
//! passes through to the SIP cloud and back unchanged; a room proposing only a profile the
//! cloud did not agree is answered without video and keeps its audio; a slow-start room's
//! video channels are opened both ways over H.245 (one in another profile refused); a SIP
//! room's video reaches an H.323 MCU by fastStart, and is refused (audio kept) by an MCU
//! without video; a room answered for its PIN gets its video by H.245 after the PIN. Keyframe
//! requests and bitrate limits across these calls are in `h323_video_control.rs`.

use std::net::SocketAddr;
use std::time::Duration;

use roomgate_core::media_spec::Codec;
use roomgate_h323::call::{CallEvent, IncomingSetup};
use roomgate_h323::endpoint::Event;
use roomgate_h323::h245::session::SessionEvent;
use roomgate_h323::h245::OpenLogicalChannel;

use super::h323::{accepted_port, mcu_world, rtp, RoomDial, MCU_MEETING, MCU_VIDEO, ROOM_VIDEO};
use super::negotiation::{cloud_answer_with_video, room_sdp, video_of};
use super::sip_text::{self, Sip};
use super::{addr, World, CLOUD, CLOUD_RTP, LOCKED, OPEN, PIN, ROOM, ROOM_RTP};
use crate::call::h323_leg::media_map::{self, Way};
use crate::call::h323_leg::video_map::VIDEO_SESSION;
use crate::transport::ConnId;

/// An H.264 format as an H.323 terminal announces it.
pub(super) fn h264(plid: &str, mode: u8, pt: u8) -> Codec {
    let mut c = Codec::new("H264", 90000, 1, pt);
    c.params = vec![
        ("profile-level-id".into(), plid.into()),
        ("packetization-mode".into(), mode.to_string()),
    ];
    c
}

/// An RTP packet of payload type `pt` carrying `nal`.
pub(super) fn video_packet(pt: u8, seq: u16, nal: &[u8]) -> Vec<u8> {
    let mut p = vec![0x80, 0x80 | pt];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&[0, 0, 0x10, 0, 0x00, 0x00, 0x77, 0x77]);
    p.extend_from_slice(nal);
    p
}

/// Sends `nal` from `from` to our `port` on payload type `pt_in` and asserts that it comes out
/// to `to`, unchanged, on payload type `pt_out`; returns the SSRC we sent it with.
pub(super) fn assert_nal_crosses(
    w: &mut World,
    from: SocketAddr,
    port: u16,
    pt_in: u8,
    to: SocketAddr,
    pt_out: u8,
) -> u32 {
    let nal = [
        0x65u8,
        0x88,
        0x84,
        0x00,
        0x33,
        0xff,
        0x01,
        u8::try_from(port % 251).unwrap_or(0),
    ];
    w.send_rtp(from, port, &video_packet(pt_in, 7, &nal));
    w.advance(Duration::from_millis(20));
    let got = w.take_rtp(to);
    assert_eq!(
        got.len(),
        1,
        "{from} → {to}: {got:?}\n{}\n{:?}",
        w.trace(),
        w.relay_stats()
    );
    let bytes = got.first().map(|s| s.bytes.clone()).unwrap_or_default();
    assert_eq!(bytes.get(12..), Some(&nal[..]), "NAL unit unchanged");
    assert_eq!(bytes.get(1).map(|b| b & 0x7f), Some(pt_out), "payload type");
    bytes
        .get(8..12)
        .and_then(|b| b.try_into().ok())
        .map_or(0, u32::from_be_bytes)
}

/// The room's fastStart answer, as it received it.
pub(super) fn fast_start_answer(w: &mut World, room: ConnId) -> Vec<OpenLogicalChannel> {
    w.room(room)
        .events
        .iter()
        .find_map(|e| match e {
            Event::Call(CallEvent::FastStartAccepted(l)) => Some(l.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no fastStart answer"))
}

/// The cloud's INVITE answered with PCMU and H.264 `plid` in `mode`; returns the INVITE.
pub(super) fn cloud_takes_video(w: &mut World, plid: &str, mode: u8) -> Sip {
    let invite = w.request(CLOUD, "INVITE");
    let answer = cloud_answer_with_video(&invite, plid, mode);
    w.send(CLOUD, &invite.reply(200, "OK", "c1", CLOUD, Some(&answer)));
    let _ack = w.request(CLOUD, "ACK");
    invite
}

/// The payload type of the cloud's answer, by our offer's format in `mode`.
pub(super) fn offered_pt(invite: &Sip, mode: u8) -> u8 {
    let (_, fmtps) = video_of(invite);
    fmtps
        .iter()
        .find(|f| {
            let m = f
                .split("packetization-mode=")
                .nth(1)
                .and_then(|m| m.get(..1));
            m.unwrap_or("0") == mode.to_string()
        })
        .and_then(|f| f.split(' ').next())
        .and_then(|pt| pt.parse().ok())
        .unwrap_or_else(|| panic!("no mode {mode} in {fmtps:?}"))
}

pub(super) fn cloud_video() -> SocketAddr {
    SocketAddr::new(addr(CLOUD).ip(), CLOUD_RTP + 2)
}

/// An H.323 room with H.264 in a call whose video passes both ways.
pub(super) struct RoomVideo {
    pub room: ConnId,
    /// Our video port toward the cloud.
    pub cloud_port: u16,
    /// The SSRC of the video we send the cloud.
    pub to_cloud: u32,
}

#[test]
fn an_h323_rooms_h264_passes_through_to_the_sip_cloud_and_back_unchanged() {
    let mut w = World::new();
    room_video_bridged(&mut w);
}

pub(super) fn room_video_bridged(w: &mut World) -> RoomVideo {
    let room = w.h323_dial(RoomDial {
        video: vec![h264("42e01f", 1, 109)],
        ..RoomDial::fast(OPEN)
    });
    let invite = cloud_takes_video(w, "42e01f", 1);
    let (cloud_port, fmtps) = video_of(&invite);
    assert_ne!(cloud_port, 0, "the cloud is offered video");
    assert!(
        fmtps
            .iter()
            .any(|f| f.contains("42e01f") && f.contains("packetization-mode=1")),
        "{fmtps:?}"
    );
    let answer = fast_start_answer(w, room);
    let (codec, to, _) = media_map::accepted_in(&answer, VIDEO_SESSION)
        .unwrap_or_else(|| panic!("video not accepted: {answer:?}"));
    assert_eq!(codec.param("profile-level-id"), Some("42e01f"));
    assert_eq!(codec.param("packetization-mode"), Some("1"));
    assert_eq!(codec.payload_type, 109, "the room's own payload type");
    let our_port = to.map(|a| a.port()).unwrap_or_else(|| panic!("no address"));
    assert_ne!(
        our_port,
        accepted_port(w, room),
        "video has ports of its own"
    );
    let cloud_pt = offered_pt(&invite, 1);
    let to_cloud = assert_nal_crosses(w, addr(ROOM_VIDEO), our_port, 109, cloud_video(), cloud_pt);
    assert_nal_crosses(
        w,
        cloud_video(),
        cloud_port,
        cloud_pt,
        addr(ROOM_VIDEO),
        109,
    );
    RoomVideo {
        room,
        cloud_port,
        to_cloud,
    }
}

#[test]
fn an_h323_room_proposing_another_h264_profile_keeps_its_audio_without_video() {
    let mut w = World::new();
    let room = w.h323_dial(RoomDial {
        video: vec![h264("4d0028", 1, 109)],
        ..RoomDial::fast(OPEN)
    });
    let invite = cloud_takes_video(&mut w, "42e01f", 1);
    let (_, offered) = video_of(&invite);
    assert!(
        offered
            .iter()
            .any(|f| f.contains("profile-level-id=4d0028")),
        "the cloud is offered the room's own profile: {offered:?}"
    );
    assert!(w.room_saw(room, |e| matches!(e, Event::Call(CallEvent::Connected))));
    let answer = fast_start_answer(&mut w, room);
    assert!(
        media_map::accepted_in(&answer, VIDEO_SESSION).is_none(),
        "Main profile cannot pass through to a constrained-baseline cloud: {answer:?}"
    );
    assert!(
        answer
            .iter()
            .enumerate()
            .all(|(i, o)| media_map::proposal(i, o).is_some_and(|p| p.session_id == 1)),
        "only audio channels answered: {answer:?}"
    );
    let port = accepted_port(&mut w, room);
    w.send_rtp(addr("192.0.2.30:6000"), port, &rtp(1));
    let cloud_media = addr(&format!("203.0.113.5:{CLOUD_RTP}"));
    assert_eq!(w.take_rtp(cloud_media).len(), 1, "audio continues");
}

#[test]
fn an_h323_rooms_main_profile_passes_when_the_cloud_takes_it() {
    let mut w = World::new();
    let room = w.h323_dial(RoomDial {
        video: vec![h264("4d0028", 1, 109)],
        ..RoomDial::fast(OPEN)
    });
    let invite = cloud_takes_video(&mut w, "4d0028", 1);
    // Offered only what can pass through to the room: its own profile and mode.
    let (_, offered) = video_of(&invite);
    assert_eq!(offered.len(), 1, "{offered:?}");
    assert!(
        offered
            .iter()
            .all(|f| f.contains("profile-level-id=4d0028") && f.contains("packetization-mode=1")),
        "{offered:?}"
    );
    let answer = fast_start_answer(&mut w, room);
    let (codec, to, _) = media_map::accepted_in(&answer, VIDEO_SESSION)
        .unwrap_or_else(|| panic!("Main profile not accepted: {answer:?}"));
    assert_eq!(codec.param("profile-level-id"), Some("4d0028"));
    let our_port = to.map(|a| a.port()).unwrap_or_else(|| panic!("no address"));
    let (cloud_port, _) = video_of(&invite);
    let cloud_pt = offered_pt(&invite, 1);
    assert_nal_crosses(
        &mut w,
        addr(ROOM_VIDEO),
        our_port,
        109,
        cloud_video(),
        cloud_pt,
    );
    assert_nal_crosses(
        &mut w,
        cloud_video(),
        cloud_port,
        cloud_pt,
        addr(ROOM_VIDEO),
        109,
    );
}

/// The room's requests for the channels the gateway opened toward it, by session.
pub(super) fn channels_requested(
    w: &mut World,
    room: ConnId,
) -> Vec<(u16, u32, Box<OpenLogicalChannel>)> {
    w.room(room)
        .events
        .iter()
        .filter_map(|e| match e {
            Event::H245(SessionEvent::ChannelRequested { number, olc }) => {
                let p = media_map::incoming(olc)?;
                Some((*number, p.0, olc.clone()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn a_slow_start_rooms_h264_channels_open_both_ways_over_h245() {
    let mut w = World::new();
    let room = w.h323_dial(RoomDial {
        fast_start: false,
        video: vec![h264("42e01f", 1, 100)],
        ..RoomDial::fast(OPEN)
    });
    let invite = cloud_takes_video(&mut w, "42e01f", 1);
    let (cloud_port, _) = video_of(&invite);
    assert_ne!(cloud_port, 0, "a slow-start room's cloud is offered video");
    // Our channels toward the room: audio and H.264 in the cloud's format.
    let requested = channels_requested(&mut w, room);
    let (video_number, _, olc) = requested
        .iter()
        .find(|(_, s, _)| *s == VIDEO_SESSION)
        .cloned()
        .unwrap_or_else(|| panic!("no video channel opened to the room: {requested:?}"));
    let (_, codec, _) = media_map::incoming(&olc).unwrap_or_else(|| panic!("unreadable"));
    assert_eq!(codec.param("profile-level-id"), Some("42e01f"));
    assert_eq!(codec.param("packetization-mode"), Some("1"));
    let now = w.now;
    for (number, session, _) in &requested {
        let at = if *session == VIDEO_SESSION {
            (addr(ROOM_VIDEO), addr("192.0.2.30:6003"))
        } else {
            (addr("192.0.2.30:6000"), addr("192.0.2.30:6001"))
        };
        let ack = media_map::channel_ack(*session, at.0, at.1).unwrap_or_else(|e| panic!("{e}"));
        w.room(room)
            .call
            .session()
            .accept_channel(*number, ack)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    // The room opens H.264 Main toward us (refused), then constrained baseline (accepted).
    let main = media_map::open_channel(
        VIDEO_SESSION,
        &h264("4d0028", 1, 100),
        addr("192.0.2.30:6003"),
    )
    .unwrap_or_else(|| panic!("no Main channel"));
    let main_number = w
        .room(room)
        .call
        .session()
        .open_channel(now, main)
        .unwrap_or_else(|e| panic!("{e}"));
    w.settle();
    assert!(
        w.room_saw(room, |e| matches!(e, Event::H245(SessionEvent::ChannelRejected { number }) if *number == main_number)),
        "Main profile refused: {:?}",
        w.room(room).events
    );
    let cb = media_map::open_channel(
        VIDEO_SESSION,
        &h264("42e01f", 1, 100),
        addr("192.0.2.30:6003"),
    )
    .unwrap_or_else(|| panic!("no channel"));
    let cb_number = w
        .room(room)
        .call
        .session()
        .open_channel(now, cb)
        .unwrap_or_else(|e| panic!("{e}"));
    w.settle();
    let ack = w
        .room(room)
        .events
        .iter()
        .find_map(|e| match e {
            Event::H245(SessionEvent::ChannelOpened { number, ack }) if *number == cb_number => {
                Some(ack.clone())
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("constrained baseline not accepted"));
    let (ours, _) = media_map::ack_addresses(&ack);
    let our_port = ours
        .map(|a| a.port())
        .unwrap_or_else(|| panic!("no address"));
    assert!(video_number > 0);
    let cloud_pt = offered_pt(&invite, 1);
    assert_nal_crosses(
        &mut w,
        addr(ROOM_VIDEO),
        our_port,
        100,
        cloud_video(),
        cloud_pt,
    );
    assert_nal_crosses(
        &mut w,
        cloud_video(),
        cloud_port,
        cloud_pt,
        addr(ROOM_VIDEO),
        100,
    );
}

/// A SIP room calling the MCU meeting with PCMU and H.264 constrained baseline (mode 1, 96).
pub(super) fn sip_room_calls_the_mcu(w: &mut World, call_id: &str) -> Sip {
    let video = format!(
        "m=video {} RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n\
         a=fmtp:96 profile-level-id=42e01f;packetization-mode=1\r\na=sendrecv\r\n",
        ROOM_RTP + 2
    );
    let sdp = room_sdp("0", &["a=rtpmap:0 PCMU/8000"], Some(&video));
    let invite = sip_text::room_invite(call_id, MCU_MEETING, Some(&sdp), "");
    w.send(ROOM, &invite);
    let ok = w.final_response(ROOM);
    assert_eq!(ok.status(), Some(200), "{}", w.trace());
    ok
}

pub(super) fn mcu_setup(w: &mut World) -> IncomingSetup {
    let mcu = w.mcu_conn();
    w.room(mcu)
        .events
        .iter()
        .find_map(|e| match e {
            Event::Call(CallEvent::Setup(s)) => Some((**s).clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no Setup"))
}

#[test]
fn a_sip_rooms_h264_reaches_an_h323_mcu_by_fast_start_and_back_unchanged() {
    let mut w = mcu_world();
    mcu_video_bridged(&mut w);
}

/// A SIP room with H.264 calls the MCU meeting; its video passes both ways. Returns our
/// video port toward the room.
pub(super) fn mcu_video_bridged(w: &mut World) -> u16 {
    w.h323.mcu_video = Some(h264("42e01f", 1, 100));
    let ok = sip_room_calls_the_mcu(w, "mcu-video-1");
    let (room_port, fmtps) = video_of(&ok);
    assert_ne!(room_port, 0, "the room's video is taken");
    assert!(
        fmtps.iter().any(|f| f.starts_with("96 ")
            && f.contains("42e01f")
            && f.contains("packetization-mode=1")),
        "{fmtps:?}"
    );
    // Our Setup proposed H.264 both ways in the room's profile and mode.
    let setup = mcu_setup(w);
    let video: Vec<media_map::Proposal> = setup
        .fast_start
        .iter()
        .enumerate()
        .filter_map(|(i, o)| media_map::proposal(i, o))
        .filter(|p| p.session_id == VIDEO_SESSION)
        .collect();
    assert!(video.iter().any(|p| p.way == Way::ToUs), "{video:?}");
    let our_port = video
        .iter()
        .find(|p| p.way == Way::FromUs)
        .and_then(|p| p.rtp)
        .map(|a| a.port())
        .unwrap_or_else(|| panic!("no receive proposal: {video:?}"));
    assert!(video
        .iter()
        .all(|p| p.codec.param("profile-level-id") == Some("42e01f")
            && p.codec.param("packetization-mode") == Some("1")));
    let room_video = SocketAddr::new(addr(ROOM).ip(), ROOM_RTP + 2);
    let mcu_pt = video
        .first()
        .map(|p| p.codec.payload_type)
        .unwrap_or_default();
    assert_nal_crosses(w, room_video, room_port, 96, addr(MCU_VIDEO), mcu_pt);
    assert_nal_crosses(w, addr(MCU_VIDEO), our_port, mcu_pt, room_video, 96);
    room_port
}

#[test]
fn an_h323_mcu_without_video_leaves_the_sip_room_with_audio_only() {
    let mut w = mcu_world();
    let ok = sip_room_calls_the_mcu(&mut w, "mcu-video-2");
    let (room_port, _) = video_of(&ok);
    assert_eq!(room_port, 0, "video refused, never transcoded");
    assert_ne!(super::audio_port(&ok), 0, "audio taken");
}

#[test]
fn an_h323_room_answered_for_its_pin_gets_its_video_by_h245_once_the_cloud_has_some() {
    let mut w = World::new();
    let room = w.h323_dial(RoomDial {
        video: vec![h264("42e01f", 1, 109)],
        ..RoomDial::fast(LOCKED)
    });
    // Answered for PIN entry before any cloud: audio only.
    let answer = fast_start_answer(&mut w, room);
    assert!(media_map::accepted_in(&answer, VIDEO_SESSION).is_none());
    w.room(room)
        .call
        .session()
        .send_user_input(&format!("{PIN}#"));
    w.settle();
    w.advance(Duration::from_secs(5));
    let invite = cloud_takes_video(&mut w, "42e01f", 1);
    let (cloud_port, _) = video_of(&invite);
    assert_ne!(cloud_port, 0);
    // Our video channel toward the room, over H.245, in the cloud's format.
    let requested = channels_requested(&mut w, room);
    let (number, _, olc) = requested
        .iter()
        .find(|(_, s, _)| *s == VIDEO_SESSION)
        .cloned()
        .unwrap_or_else(|| panic!("no video channel after the PIN: {requested:?}"));
    let (_, codec, _) = media_map::incoming(&olc).unwrap_or_else(|| panic!("unreadable"));
    assert_eq!(codec.param("profile-level-id"), Some("42e01f"));
    let ack = media_map::channel_ack(VIDEO_SESSION, addr(ROOM_VIDEO), addr("192.0.2.30:6003"))
        .unwrap_or_else(|e| panic!("{e}"));
    w.room(room)
        .call
        .session()
        .accept_channel(number, ack)
        .unwrap_or_else(|e| panic!("{e}"));
    // The room opens its own video channel toward us: accepted in that format.
    let now = w.now;
    let theirs = media_map::open_channel(
        VIDEO_SESSION,
        &h264("42e01f", 1, 109),
        addr("192.0.2.30:6003"),
    )
    .unwrap_or_else(|| panic!("no channel"));
    let n = w
        .room(room)
        .call
        .session()
        .open_channel(now, theirs)
        .unwrap_or_else(|e| panic!("{e}"));
    w.settle();
    let ack = w
        .room(room)
        .events
        .iter()
        .find_map(|e| match e {
            Event::H245(SessionEvent::ChannelOpened { number, ack }) if *number == n => {
                Some(ack.clone())
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("the room's video channel was not accepted"));
    let our_port = media_map::ack_addresses(&ack)
        .0
        .map(|a| a.port())
        .unwrap_or_else(|| panic!("no address"));
    let cloud_pt = offered_pt(&invite, 1);
    assert_nal_crosses(
        &mut w,
        addr(ROOM_VIDEO),
        our_port,
        109,
        cloud_video(),
        cloud_pt,
    );
    assert_nal_crosses(
        &mut w,
        cloud_video(),
        cloud_port,
        cloud_pt,
        addr(ROOM_VIDEO),
        109,
    );
}
