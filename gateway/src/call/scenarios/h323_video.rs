//! H.264 main video on H.323 legs, on the virtual clock: an H.323 room's fastStart video
//! passes through to the SIP cloud and back unchanged; a room proposing only a profile the
//! cloud did not agree is answered without video and keeps its audio; a slow-start room's
//! video channels are opened both ways over H.245 (one in another profile refused); a SIP
//! room's video reaches an H.323 MCU by fastStart, and is refused (audio kept) by an MCU
//! without video; a room answered for its PIN gets its video by H.245 after the PIN; keyframe
//! requests (videoFastUpdatePicture ↔ PLI) and bitrate limits (FlowControlCommand ↔
//! TMMBR/REMB, and between two H.323 legs) cross each way.

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
fn h264(plid: &str, mode: u8, pt: u8) -> Codec {
    let mut c = Codec::new("H264", 90000, 1, pt);
    c.params = vec![
        ("profile-level-id".into(), plid.into()),
        ("packetization-mode".into(), mode.to_string()),
    ];
    c
}

/// An RTP packet of payload type `pt` carrying `nal`.
fn video_packet(pt: u8, seq: u16, nal: &[u8]) -> Vec<u8> {
    let mut p = vec![0x80, 0x80 | pt];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&[0, 0, 0x10, 0, 0x00, 0x00, 0x77, 0x77]);
    p.extend_from_slice(nal);
    p
}

/// Sends `nal` from `from` to our `port` on payload type `pt_in` and asserts that it comes out
/// to `to`, unchanged, on payload type `pt_out`; returns the SSRC we sent it with.
fn assert_nal_crosses(
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
fn fast_start_answer(w: &mut World, room: ConnId) -> Vec<OpenLogicalChannel> {
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
fn cloud_takes_video(w: &mut World, plid: &str, mode: u8) -> Sip {
    let invite = w.request(CLOUD, "INVITE");
    let answer = cloud_answer_with_video(&invite, plid, mode);
    w.send(CLOUD, &invite.reply(200, "OK", "c1", CLOUD, Some(&answer)));
    let _ack = w.request(CLOUD, "ACK");
    invite
}

/// The payload type of the cloud's answer, by our offer's format in `mode`.
fn offered_pt(invite: &Sip, mode: u8) -> u8 {
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

fn cloud_video() -> SocketAddr {
    SocketAddr::new(addr(CLOUD).ip(), CLOUD_RTP + 2)
}

/// An H.323 room with H.264 in a call whose video passes both ways.
struct RoomVideo {
    room: ConnId,
    /// Our video port toward the cloud.
    cloud_port: u16,
    /// The SSRC of the video we send the cloud.
    to_cloud: u32,
}

#[test]
fn an_h323_rooms_h264_passes_through_to_the_sip_cloud_and_back_unchanged() {
    let mut w = World::new();
    room_video_bridged(&mut w);
}

fn room_video_bridged(w: &mut World) -> RoomVideo {
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

/// The PLIs among `sent`: `(sender SSRC, media SSRC)`.
fn plis(sent: &[crate::call::media_plane::Sent]) -> Vec<(u32, u32)> {
    sent.iter()
        .flat_map(|s| roomgate_media::rtcp::parse_compound(&s.bytes).collect::<Vec<_>>())
        .filter_map(|p| match p {
            Ok(roomgate_media::rtcp::RtcpPacket::Pli(f)) => Some((f.sender_ssrc, f.media_ssrc)),
            _ => None,
        })
        .collect()
}

/// The videoFastUpdatePicture requests `conn`'s call received, by channel.
fn fast_updates(w: &mut World, conn: ConnId) -> Vec<u16> {
    w.room(conn)
        .events
        .iter()
        .filter_map(|e| match e {
            Event::H245(SessionEvent::FastUpdateRequested { channel }) => Some(*channel),
            _ => None,
        })
        .collect()
}

/// A PLI from `from` (an RTCP address) to our RTCP port `port`, about `media`.
fn send_pli(w: &mut World, from: SocketAddr, port: u16, media: u32) {
    let mut buf = vec![0u8; 256];
    let mut wr = roomgate_media::rtcp::CompoundWriter::new(&mut buf);
    wr.receiver_report(0x0bad_cafe, &[])
        .and_then(|wr| wr.pli(0x0bad_cafe, media))
        .unwrap_or_else(|e| panic!("{e}"));
    let n = wr.len();
    w.send_rtp(from, port, buf.get(..n).unwrap_or_default());
    w.advance(Duration::from_millis(20));
}

#[test]
fn keyframe_requests_cross_between_an_h323_room_and_the_sip_cloud() {
    let mut w = World::new();
    let v = room_video_bridged(&mut w);
    let cloud_rtcp = SocketAddr::new(addr(CLOUD).ip(), CLOUD_RTP + 3);
    let _ = w.take_rtp(cloud_rtcp);
    // The room's videoFastUpdatePicture reaches the cloud as an RTCP PLI about its video
    // (the SSRC it sent in the bridging check).
    let ours = w
        .room(v.room)
        .events
        .iter()
        .find_map(|e| match e {
            Event::Call(CallEvent::FastStartAccepted(l)) => l
                .iter()
                .enumerate()
                .find(|(i, o)| {
                    o.reverse_logical_channel_parameters.is_some()
                        && media_map::proposal(*i, o).is_some_and(|p| p.session_id == VIDEO_SESSION)
                })
                .map(|(_, o)| o.forward_logical_channel_number),
            _ => None,
        })
        .and_then(|n| u16::try_from(n).ok())
        .unwrap_or_else(|| panic!("no channel from us"));
    w.room(v.room).call.session().request_fast_update(ours);
    w.settle();
    w.advance(Duration::from_millis(20));
    let sent = w.take_rtp(cloud_rtcp);
    assert_eq!(
        plis(&sent).iter().map(|p| p.1).collect::<Vec<_>>(),
        [0x7777],
        "one PLI about the cloud's source: {sent:?}"
    );
    // The cloud's PLI about the room's video reaches the room as videoFastUpdatePicture on
    // the channel the room sends on, and is not sent to the room as RTCP.
    assert!(fast_updates(&mut w, v.room).is_empty());
    let room_rtcp = addr("192.0.2.30:6003");
    let _ = w.take_rtp(room_rtcp);
    send_pli(&mut w, cloud_rtcp, v.cloud_port + 1, 0);
    let answer = fast_start_answer(&mut w, v.room);
    let theirs = answer
        .iter()
        .enumerate()
        .find(|(i, o)| {
            o.reverse_logical_channel_parameters.is_none()
                && media_map::proposal(*i, o).is_some_and(|p| p.session_id == VIDEO_SESSION)
        })
        .and_then(|(_, o)| u16::try_from(o.forward_logical_channel_number).ok())
        .unwrap_or_else(|| panic!("no video channel of the room's: {answer:?}"));
    assert_eq!(fast_updates(&mut w, v.room), [theirs]);
    assert!(
        plis(&w.take_rtp(room_rtcp)).is_empty(),
        "no RTCP PLI to the room"
    );
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
fn channels_requested(w: &mut World, room: ConnId) -> Vec<(u16, u32, Box<OpenLogicalChannel>)> {
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
fn sip_room_calls_the_mcu(w: &mut World, call_id: &str) -> Sip {
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

fn mcu_setup(w: &mut World) -> IncomingSetup {
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
fn mcu_video_bridged(w: &mut World) -> u16 {
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
fn keyframe_requests_cross_between_a_sip_room_and_an_h323_mcu() {
    let mut w = mcu_world();
    let room_port = mcu_video_bridged(&mut w);
    let mcu = w.mcu_conn();
    // The SIP room's PLI reaches the MCU as videoFastUpdatePicture on its channel toward us
    // (our receive proposal it accepted), not as RTCP.
    let mcu_rtcp = addr("203.0.113.40:7003");
    let _ = w.take_rtp(mcu_rtcp);
    let room_rtcp = SocketAddr::new(addr(ROOM).ip(), ROOM_RTP + 3);
    send_pli(&mut w, room_rtcp, room_port + 1, 0);
    let channels = fast_updates(&mut w, mcu);
    let setup = mcu_setup(&mut w);
    let receive = setup
        .fast_start
        .iter()
        .enumerate()
        .filter_map(|(i, o)| Some((media_map::proposal(i, o)?, o.forward_logical_channel_number)))
        .find(|(p, _)| p.session_id == VIDEO_SESSION && p.way == Way::FromUs)
        .and_then(|(_, n)| u16::try_from(n).ok())
        .unwrap_or_else(|| panic!("no receive proposal"));
    assert_eq!(channels, [receive]);
    assert!(
        plis(&w.take_rtp(mcu_rtcp)).is_empty(),
        "no RTCP PLI to the MCU"
    );
    // The MCU's videoFastUpdatePicture reaches the room as an RTCP PLI about the room's
    // video (SSRC 0x7777, sent in the bridging check).
    let _ = w.take_rtp(room_rtcp);
    let ours = setup
        .fast_start
        .iter()
        .enumerate()
        .filter_map(|(i, o)| Some((media_map::proposal(i, o)?, o.forward_logical_channel_number)))
        .find(|(p, _)| p.session_id == VIDEO_SESSION && p.way == Way::ToUs)
        .and_then(|(_, n)| u16::try_from(n).ok())
        .unwrap_or_else(|| panic!("no send proposal"));
    w.room(mcu).call.session().request_fast_update(ours);
    w.settle();
    w.advance(Duration::from_millis(20));
    let sent = w.take_rtp(room_rtcp);
    assert_eq!(
        plis(&sent).iter().map(|p| p.1).collect::<Vec<_>>(),
        [0x7777],
        "{sent:?}"
    );
}

#[test]
fn an_h323_mcu_without_video_leaves_the_sip_room_with_audio_only() {
    let mut w = mcu_world();
    let ok = sip_room_calls_the_mcu(&mut w, "mcu-video-2");
    let (room_port, _) = video_of(&ok);
    assert_eq!(room_port, 0, "video refused, never transcoded");
    assert_ne!(super::audio_port(&ok), 0, "audio taken");
}

/// The FlowControlCommands `conn`'s call received: `(channel, rate in 100 bit/s)`.
fn flow_controls(w: &mut World, conn: ConnId) -> Vec<(Option<u16>, Option<u32>)> {
    w.room(conn)
        .events
        .iter()
        .filter_map(|e| match e {
            Event::H245(SessionEvent::FlowControl {
                channel,
                max_bit_rate_100bps,
            }) => Some((*channel, *max_bit_rate_100bps)),
            _ => None,
        })
        .collect()
}

/// The channel number of the proposal of `session` in `list` that has (`reverse`) or has
/// not reverse parameters.
fn channel_in(list: &[OpenLogicalChannel], session: u32, reverse: bool) -> u16 {
    list.iter()
        .enumerate()
        .find(|(i, o)| {
            o.reverse_logical_channel_parameters.is_some() == reverse
                && media_map::proposal(*i, o).is_some_and(|p| p.session_id == session)
        })
        .and_then(|(_, o)| u16::try_from(o.forward_logical_channel_number).ok())
        .unwrap_or_else(|| {
            panic!("no channel of session {session} (reverse {reverse}) in {list:?}")
        })
}

/// Whether any RTCP among `sent` has a packet `what` matches.
fn has_rtcp(
    sent: &[crate::call::media_plane::Sent],
    what: impl Fn(&roomgate_media::rtcp::RtcpPacket<'_>) -> bool,
) -> bool {
    sent.iter()
        .any(|s| roomgate_media::rtcp::parse_compound(&s.bytes).any(|p| p.is_ok_and(|p| what(&p))))
}

#[test]
fn tmmbr_and_remb_from_the_sip_cloud_reach_an_h323_room_as_flow_control() {
    use roomgate_media::rtcp::{CompoundWriter, Remb, RtcpPacket, TmmbEntry};
    let mut w = World::new();
    let v = room_video_bridged(&mut w);
    let answer = fast_start_answer(&mut w, v.room);
    let theirs = channel_in(&answer, VIDEO_SESSION, false);
    let cloud_rtcp = SocketAddr::new(addr(CLOUD).ip(), CLOUD_RTP + 3);
    let _ = w.take_rtp(cloud_rtcp);
    // TMMBR about our video to the cloud: FlowControlCommand on the room's channel toward
    // us, in units of 100 bit/s, and the cloud hears its TMMBN.
    let mut buf = vec![0u8; 256];
    let mut wr = CompoundWriter::new(&mut buf);
    wr.receiver_report(0x0bad_cafe, &[])
        .and_then(|wr| {
            wr.tmmbr(
                0x0bad_cafe,
                &[TmmbEntry::from_bitrate(v.to_cloud, 384_000, 40)],
            )
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let n = wr.len();
    w.send_rtp(
        cloud_rtcp,
        v.cloud_port + 1,
        buf.get(..n).unwrap_or_default(),
    );
    w.advance(Duration::from_millis(20));
    assert_eq!(flow_controls(&mut w, v.room), [(Some(theirs), Some(3840))]);
    let sent = w.take_rtp(cloud_rtcp);
    assert!(
        has_rtcp(&sent, |p| matches!(p, RtcpPacket::Tmmbn(_))),
        "TMMBN to the cloud"
    );
    // A REMB naming our SSRC does the same.
    let remb = Remb {
        sender_ssrc: 0x0bad_cafe,
        bitrate: 1_000_000,
        ssrcs: vec![v.to_cloud],
    }
    .to_bytes();
    w.send_rtp(cloud_rtcp, v.cloud_port + 1, &remb);
    w.advance(Duration::from_millis(20));
    let got = flow_controls(&mut w, v.room);
    assert_eq!(got.len(), 2, "{got:?}");
    let (channel, rate) = got.get(1).copied().unwrap_or_default();
    assert_eq!(channel, Some(theirs));
    // 1 000 000 in REMB's 18-bit mantissa loses its low bits.
    assert!(
        rate.is_some_and(|r| (9_990..=10_000).contains(&r)),
        "{rate:?}"
    );
    // The room's own FlowControlCommand on our video toward it has no way to the SIP cloud,
    // which agreed no TMMBR or REMB with us: nothing is sent there, and the call goes on.
    let ours = channel_in(&answer, VIDEO_SESSION, true);
    w.room(v.room)
        .call
        .session()
        .send_flow_control(Some(ours), Some(1000));
    w.settle();
    w.advance(Duration::from_millis(20));
    let sent = w.take_rtp(cloud_rtcp);
    assert!(!has_rtcp(&sent, |p| matches!(p, RtcpPacket::Tmmbr(_))));
    assert_eq!(w.live_calls(), 1);
}

#[test]
fn flow_control_from_an_h323_room_reaches_an_h323_mcu_on_its_video_channel() {
    let mut w = mcu_world();
    w.h323.mcu_video = Some(h264("42e01f", 1, 96));
    let room = w.h323_dial(RoomDial {
        video: vec![h264("42e01f", 1, 109)],
        ..RoomDial::fast(MCU_MEETING)
    });
    assert!(w.room_saw(room, |e| matches!(e, Event::Call(CallEvent::Connected))));
    let answer = fast_start_answer(&mut w, room);
    let ours = channel_in(&answer, VIDEO_SESSION, true);
    let mcu = w.mcu_conn();
    let setup = mcu_setup(&mut w);
    // The MCU sends us video on our receive proposal.
    let mcu_sends_on = channel_in(&setup.fast_start, VIDEO_SESSION, true);
    w.room(room)
        .call
        .session()
        .send_flow_control(Some(ours), Some(5000));
    w.settle();
    assert_eq!(
        flow_controls(&mut w, mcu),
        [(Some(mcu_sends_on), Some(5000))]
    );
    // Lifting the limit (noRestriction) goes on too; a limit on audio does not.
    let audio = channel_in(&answer, 1, true);
    w.room(room)
        .call
        .session()
        .send_flow_control(Some(audio), Some(100));
    w.room(room)
        .call
        .session()
        .send_flow_control(Some(ours), None);
    w.settle();
    assert_eq!(
        flow_controls(&mut w, mcu),
        [(Some(mcu_sends_on), Some(5000)), (Some(mcu_sends_on), None)]
    );
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
