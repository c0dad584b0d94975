//! Keyframe requests and bitrate limits across an H.323 leg's video, on the virtual clock:
//! videoFastUpdatePicture ↔ RTCP PLI/FIR between an H.323 room and the SIP cloud and between
//! a SIP room and an H.323 MCU; TMMBR and REMB from the SIP cloud as FlowControlCommand to an
//! H.323 room (TMMBN back), none toward a SIP leg that agreed no bitrate feedback, and
//! FlowControlCommand between two H.323 legs.

use std::net::SocketAddr;
use std::time::Duration;

use roomgate_h323::call::CallEvent;
use roomgate_h323::endpoint::Event;
use roomgate_h323::h245::session::SessionEvent;
use roomgate_h323::h245::OpenLogicalChannel;

use super::h323::{mcu_world, RoomDial, MCU_MEETING};
use super::h323_video::{
    fast_start_answer, h264, mcu_setup, mcu_video_bridged, room_video_bridged,
};
use super::{addr, World, CLOUD, CLOUD_RTP, ROOM, ROOM_RTP};
use crate::call::h323_leg::media_map::{self, Way};
use crate::call::h323_leg::video_map::VIDEO_SESSION;
use crate::transport::ConnId;

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
