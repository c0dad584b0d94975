//! Media of a connected call through the relay core: audio and RFC 4733 key presses carried
//! both ways (passed through, or generated again when the relay transcodes), and silence
//! ending the call.

use std::time::Duration;

use super::negotiation::{audio_packet, cloud_answer_formats};
use super::pin::{cloud_media, key_press, room_media};
use super::sip_text::{cloud_answer, plain_sdp};
use super::*;

/// A PCMU packet (20 ms of silence).
pub(crate) fn pcmu_packet(seq: u16, ssrc: u32) -> Vec<u8> {
    let mut p = vec![0x80, 0];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&(u32::from(seq) * 160).to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend(std::iter::repeat_n(0xff, 160));
    p
}

/// The telephone-event packets among `sent`.
fn event_packets(sent: &[Sent], pt: u8) -> Vec<&Sent> {
    sent.iter()
        .filter(|s| s.bytes.len() == 16 && s.bytes.get(1).is_some_and(|b| b & 0x7f == pt))
        .collect()
}

/// RFC 4733 event codes in the telephone-event packets among `sent`, with their end bits.
fn events(sent: &[Sent], pt: u8) -> Vec<(u8, bool)> {
    event_packets(sent, pt)
        .into_iter()
        .filter_map(|s| Some((*s.bytes.get(12)?, s.bytes.get(13)? & 0x80 != 0)))
        .collect()
}

#[test]
fn audio_is_relayed_both_ways_from_the_ports_in_our_sdp() {
    let mut w = World::new();
    let call = w.connect("audio");
    for seq in 0..5 {
        w.send_rtp(room_media(), call.room_port, &pcmu_packet(seq, 0xaaaa));
        w.send_rtp(cloud_media(), call.cloud_port, &pcmu_packet(seq, 0xbbbb));
        w.advance(Duration::from_millis(20));
    }
    let to_cloud = w.take_rtp(cloud_media());
    let to_room = w.take_rtp(room_media());
    let rtp = |v: &[Sent]| v.iter().filter(|s| s.bytes.len() == 172).count();
    assert_eq!(rtp(&to_cloud), 5);
    assert_eq!(rtp(&to_room), 5);
    assert!(to_cloud
        .iter()
        .all(|s| s.from_port == call.cloud_port || s.from_port == call.cloud_port + 1));
    // A stranger's packets to the room port are not relayed.
    let stranger = "192.0.2.66:30000".parse().unwrap_or_else(|e| panic!("{e}"));
    w.send_rtp(stranger, call.room_port, &pcmu_packet(9, 0xcccc));
    assert_eq!(rtp(&w.take_rtp(cloud_media())), 0);
}

#[test]
fn key_presses_pass_through_both_ways() {
    let mut w = World::new();
    let call = w.connect("dtmf-pass");
    for p in key_press(5, 10, 1600, 0xaaaa) {
        w.send_rtp(room_media(), call.room_port, &p);
    }
    for p in key_press(7, 20, 3200, 0xbbbb) {
        w.send_rtp(cloud_media(), call.cloud_port, &p);
    }
    w.advance(Duration::from_millis(100));
    let to_cloud = events(&w.take_rtp(cloud_media()), 101);
    let to_room = events(&w.take_rtp(room_media()), 101);
    assert!(
        to_cloud.iter().any(|(e, end)| *e == 5 && *end),
        "{to_cloud:?}"
    );
    assert!(
        to_room.iter().any(|(e, end)| *e == 7 && *end),
        "{to_room:?}"
    );
}

#[test]
fn key_presses_are_generated_again_when_the_relay_transcodes() {
    let mut w = World::new();
    // The room speaks PCMA, the cloud PCMU: the relay transcodes and the events it cannot
    // pass through (payload types and timestamps differ) are generated for the other leg.
    let room_sdp = plain_sdp(1, ROOM_RTP, &[(8, "PCMA/8000")], "sendrecv");
    let call = w.connect_with("dtmf-trans", OPEN, &room_sdp, |inv| {
        let a = cloud_answer(inv, 1, CLOUD_RTP, "sendrecv");
        a.lines()
            .map(|l| match l {
                l if l.starts_with("m=audio") => format!("m=audio {CLOUD_RTP} RTP/AVP 0 101"),
                l if l.starts_with("a=rtpmap:") => {
                    "a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000".into()
                }
                l => l.to_owned(),
            })
            .map(|l| l + "\r\n")
            .collect()
    });
    assert_eq!(
        w.calls().summaries().first().and_then(|s| s.audio),
        Some("transcode")
    );
    for p in key_press(3, 10, 1600, 0xaaaa) {
        w.send_rtp(room_media(), call.room_port, &p);
    }
    w.advance(Duration::from_millis(500));
    let sent = w.take_rtp(cloud_media());
    let to_cloud = events(&sent, 101);
    assert!(
        !to_cloud.is_empty() && to_cloud.iter().all(|(e, _)| *e == 3),
        "{to_cloud:?}"
    );
    // RFC 4733 §2.5.1.4: the end packet three times; and paced, never a burst.
    assert_eq!(
        to_cloud.iter().filter(|(_, end)| *end).count(),
        3,
        "{to_cloud:?}"
    );
    let times: Vec<_> = event_packets(&sent, 101).iter().map(|s| s.at).collect();
    assert!(
        times.windows(2).all(|p| p[1] > p[0]),
        "one packet per update interval: {times:?}"
    );

    for p in key_press(9, 20, 3200, 0xbbbb) {
        w.send_rtp(cloud_media(), call.cloud_port, &p);
    }
    w.advance(Duration::from_millis(500));
    let to_room = events(&w.take_rtp(room_media()), 101);
    assert!(
        to_room.iter().any(|(e, _)| *e == 9),
        "cloud key press reaches the room: {to_room:?}"
    );
}

#[test]
fn media_silence_ends_a_connected_call_on_both_legs() {
    let mut w = World::new();
    let _call = w.connect("silent-media");
    w.advance(Duration::from_secs(25));
    assert_eq!(w.live_calls(), 1);
    w.advance(Duration::from_secs(10));
    assert_eq!(w.request(ROOM, "BYE").method(), Some("BYE"));
    assert_eq!(w.request(CLOUD, "BYE").method(), Some("BYE"));
}

#[test]
fn media_keeps_a_call_alive_past_the_inactivity_timeout() {
    let mut w = World::new();
    let call = w.connect("talking");
    for seq in 0..40u16 {
        w.send_rtp(room_media(), call.room_port, &pcmu_packet(seq, 0xaaaa));
        w.advance(Duration::from_secs(1));
    }
    assert!(w.take(ROOM).iter().all(|m| m.method() != Some("BYE")));
    assert_eq!(w.live_calls(), 1);
}

/// `(sequence number, timestamp)` of the audio-sized RTP packets among `sent`.
fn seq_ts(sent: &[Sent]) -> Vec<(u16, u32)> {
    sent.iter()
        .filter(|s| s.bytes.len() == 172)
        .filter_map(|s| {
            let seq = u16::from_be_bytes([*s.bytes.get(2)?, *s.bytes.get(3)?]);
            let ts = s.bytes.get(4..8)?;
            Some((seq, u32::from_be_bytes([ts[0], ts[1], ts[2], ts[3]])))
        })
        .collect()
}

#[test]
fn numbering_stays_continuous_across_a_switch_between_pass_through_and_transcoding() {
    let mut w = World::new();
    // The room agreed PCMU alone; the cloud PCMU and PCMA: PCMA from the cloud is
    // transcoded, PCMU passed through, both under the cloud's one SSRC.
    let call = w.connect_with("switch-seq", OPEN, &pcmu_sdp(), |_| {
        cloud_answer_formats(&[(0, "PCMU/8000"), (8, "PCMA/8000")])
    });
    let pts = [0, 0, 0, 8, 8, 8, 8, 0, 0, 0, 8, 8, 0, 0];
    for (seq, pt) in (100u16..).zip(pts) {
        w.send_rtp(
            cloud_media(),
            call.cloud_port,
            &audio_packet(pt, seq, 0xbbbb),
        );
        w.advance(Duration::from_millis(20));
    }
    let got = seq_ts(&w.take_rtp(room_media()));
    assert!(got.len() >= pts.len() - 2, "{got:?}");
    for pair in got.windows(2) {
        let [(s0, t0), (s1, t1)] = pair else { continue };
        assert_eq!(s1.wrapping_sub(*s0), 1, "consecutive: {got:?}");
        let step = t1.wrapping_sub(*t0);
        assert!(step > 0 && step < 0x8000_0000, "forward: {got:?}");
    }
}

#[test]
fn a_peer_alternating_codecs_every_packet_builds_one_decoder_per_codec() {
    let mut w = World::new();
    // Pass-through on PCMU; the cloud also agreed PCMA and G.722, which the room did not:
    // alternating them every packet switches the transcoding pipeline's decoder each time.
    let call = w.connect_with("switch-churn", OPEN, &pcmu_sdp(), |_| {
        cloud_answer_formats(&[(0, "PCMU/8000"), (8, "PCMA/8000"), (9, "G722/8000")])
    });
    let before = w.relay_stats().decoders_built;
    for seq in 0u16..200 {
        let pt = if seq % 2 == 0 { 8 } else { 9 };
        w.send_rtp(
            cloud_media(),
            call.cloud_port,
            &audio_packet(pt, seq, 0xbbbb),
        );
        w.advance(Duration::from_millis(20));
    }
    let built = w.relay_stats().decoders_built - before;
    assert!(
        built <= 1,
        "one decoder for the codec switched to, then reused: {built}"
    );
    let heard = w.take_rtp(room_media());
    assert!(
        heard.len() >= 150,
        "the room keeps hearing audio: {}",
        heard.len()
    );
}

/// The room's SDP: PCMU only on [`ROOM_RTP`].
fn pcmu_sdp() -> String {
    super::sip_text::pcmu(1, ROOM_RTP)
}
