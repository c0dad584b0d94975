//! The H.245 ↔ MediaSpec mapping against what chan_ooh323 sent in a captured fastStart call:
//! its Setup's four proposals, its own fastStart answer, and its TerminalCapabilitySet.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::net::SocketAddr;

use roomgate_core::media_spec::{Codec, Direction, StreamRole};
use roomgate_h323::h245::{
    DataType, ForwardMultiplexParameters, MultimediaSystemControlMessage, OpenLogicalChannel,
    RequestMessage, ReverseMultiplexParameters,
};

use super::media_map::*;

macro_rules! vector {
    ($name:literal) => {
        include_bytes!(concat!(
            "../../../../h323/tests/vectors/h245/",
            $name,
            ".per"
        ))
        .as_slice()
    };
}

/// chan_ooh323's Setup proposals: receive µ-law, send µ-law, receive A-law, send A-law.
fn asterisk_proposals() -> Vec<OpenLogicalChannel> {
    [
        vector!("olc_fs_12030_1721_00_0"),
        vector!("olc_fs_12030_1721_00_1"),
        vector!("olc_fs_12030_1721_00_2"),
        vector!("olc_fs_12030_1721_00_3"),
    ]
    .iter()
    .map(|b| OpenLogicalChannel::decode(b).unwrap())
    .collect()
}

/// chan_ooh323's own fastStart answer to those proposals (in its Alerting).
fn asterisk_answer() -> Vec<OpenLogicalChannel> {
    [
        vector!("olc_fs_1721_12030_01_0"),
        vector!("olc_fs_1721_12030_01_1"),
    ]
    .iter()
    .map(|b| OpenLogicalChannel::decode(b).unwrap())
    .collect()
}

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

#[test]
fn asterisk_proposals_read_as_the_far_ends_audio() {
    let spec = offered(&asterisk_proposals());
    let audio = spec.stream(StreamRole::Audio).unwrap();
    let names: Vec<&str> = audio.codecs.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["PCMU", "PCMA"]);
    assert_eq!(audio.codecs[0].payload_type, 0);
    assert_eq!(audio.codecs[1].payload_type, 8);
    assert_eq!(audio.remote_rtp, Some(addr("127.0.0.1:20086")));
    assert_eq!(audio.remote_rtcp, Some(addr("127.0.0.1:20087")));
    assert_eq!(audio.direction, Direction::SendRecv);
}

#[test]
fn our_answer_has_the_shape_of_asterisks_own() {
    let ours_rtp = addr("127.0.0.1:30000");
    let ours_rtcp = addr("127.0.0.1:30001");
    let pcmu = Codec::new("PCMU", 8000, 1, 0);
    let answer = accept(&asterisk_proposals(), &pcmu, ours_rtp, ours_rtcp).unwrap();
    let theirs = asterisk_answer();
    assert_eq!(answer.len(), theirs.len());
    for (ours, theirs) in answer.iter().zip(&theirs) {
        assert_eq!(
            ours.forward_logical_channel_number,
            theirs.forward_logical_channel_number
        );
        assert_eq!(
            ours.reverse_logical_channel_parameters.is_some(),
            theirs.reverse_logical_channel_parameters.is_some()
        );
        // Round trip through the codec.
        assert_eq!(
            &OpenLogicalChannel::decode(&ours.encode().unwrap()).unwrap(),
            ours
        );
    }
    // The channel toward us names where we receive; the one from us only our RTCP.
    let to_us = answer
        .iter()
        .find(|o| o.reverse_logical_channel_parameters.is_none())
        .unwrap();
    let ForwardMultiplexParameters::H2250LogicalChannelParameters(p) = &to_us
        .forward_logical_channel_parameters
        .multiplex_parameters
    else {
        panic!()
    };
    assert_eq!(p.media_channel.as_ref().and_then(socket_of), Some(ours_rtp));
    assert_eq!(
        p.media_control_channel.as_ref().and_then(socket_of),
        Some(ours_rtcp)
    );
    assert!(matches!(
        to_us.forward_logical_channel_parameters.data_type,
        DataType::AudioData(roomgate_h323::h245::AudioCapability::G711Ulaw64k(20))
    ));
    let from_us = answer
        .iter()
        .find(|o| o.reverse_logical_channel_parameters.is_some())
        .unwrap();
    let Some(ReverseMultiplexParameters::H2250LogicalChannelParameters(p)) = &from_us
        .reverse_logical_channel_parameters
        .as_ref()
        .unwrap()
        .multiplex_parameters
    else {
        panic!()
    };
    assert_eq!(p.media_channel, None);
    assert_eq!(
        p.media_control_channel.as_ref().and_then(socket_of),
        Some(ours_rtcp)
    );

    // A-law picks the other pair; a codec nobody proposed gets no answer.
    let pcma = Codec::new("PCMA", 8000, 1, 8);
    let answer = accept(&asterisk_proposals(), &pcma, ours_rtp, ours_rtcp).unwrap();
    let numbers: Vec<u32> = answer
        .iter()
        .map(|o| o.forward_logical_channel_number)
        .collect();
    assert_eq!(numbers, [1003, 1004]);
    assert!(accept(
        &asterisk_proposals(),
        &Codec::new("G722", 8000, 1, 9),
        ours_rtp,
        ours_rtcp
    )
    .is_none());
}

#[test]
fn our_capability_set_reads_back_and_asterisks_reads_as_g711() {
    let codecs = [
        Codec::new("PCMU", 8000, 1, 0),
        Codec::new("G722", 8000, 1, 9),
        Codec::new("opus", 48000, 2, 111),
        Codec::new("PCMA", 8000, 1, 8),
    ];
    let tcs = capabilities(&codecs).unwrap();
    let msg = MultimediaSystemControlMessage::Request(RequestMessage::TerminalCapabilitySet(
        Box::new(tcs.clone()),
    ));
    let back = MultimediaSystemControlMessage::decode(&msg.encode().unwrap()).unwrap();
    assert_eq!(back, msg);
    let remote = remote_capabilities(&tcs);
    let names: Vec<&str> = remote.audio.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["PCMU", "G722", "PCMA"],
        "opus is not an H.245 audio capability here"
    );
    assert_eq!(
        remote.telephone_event.unwrap().payload_type,
        TELEPHONE_EVENT_PT
    );
    assert!(remote.user_input);

    let theirs = MultimediaSystemControlMessage::decode(vector!("tun_fs_1721_12030_02_0")).unwrap();
    let MultimediaSystemControlMessage::Request(RequestMessage::TerminalCapabilitySet(tcs)) =
        theirs
    else {
        panic!("not a TCS: {theirs:?}")
    };
    let remote = remote_capabilities(&tcs);
    let names: Vec<&str> = remote.audio.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["PCMU", "PCMA"]);
    assert!(remote.user_input);
}

#[test]
fn proposals_we_cannot_carry_are_left_out() {
    let mut proposals = asterisk_proposals();
    // Video session, and audio we do not speak.
    for o in &mut proposals {
        if let ForwardMultiplexParameters::H2250LogicalChannelParameters(p) =
            &mut o.forward_logical_channel_parameters.multiplex_parameters
        {
            p.session_id = 2;
        }
        if let Some(r) = o.reverse_logical_channel_parameters.as_mut() {
            r.data_type = DataType::AudioData(roomgate_h323::h245::AudioCapability::G729(2));
        }
    }
    assert!(offered(&proposals).streams.is_empty());
    // A flood of proposals is read up to the bound only.
    let many: Vec<OpenLogicalChannel> =
        (0..1000).map(|_| asterisk_proposals()[1].clone()).collect();
    let spec = offered(&many);
    assert_eq!(spec.audio().unwrap().codecs.len(), 1);
    assert!(open_audio(&Codec::new("opus", 48000, 2, 111), addr("127.0.0.1:1")).is_none());
    let olc = open_audio(&Codec::new("PCMA", 8000, 1, 8), addr("[::1]:5005")).unwrap();
    assert_eq!(
        OpenLogicalChannel::decode(&olc.encode().unwrap()).unwrap(),
        olc
    );
}

#[test]
fn slow_start_channels_read_and_answered_like_asterisks() {
    // chan_ooh323's OpenLogicalChannel toward its peer, and the peer's Ack (slow start).
    let olc = MultimediaSystemControlMessage::decode(vector!("h245_ss_12030_12033_04")).unwrap();
    let MultimediaSystemControlMessage::Request(RequestMessage::OpenLogicalChannel(olc)) = olc
    else {
        panic!("not an OLC")
    };
    let (codec, rtcp) = incoming_audio(&olc).unwrap();
    assert_eq!(codec.name, "PCMU");
    assert!(rtcp.is_some());
    let theirs = MultimediaSystemControlMessage::decode(vector!("h245_ss_12033_12030_05")).unwrap();
    let MultimediaSystemControlMessage::Response(
        roomgate_h323::h245::ResponseMessage::OpenLogicalChannelAck(theirs),
    ) = theirs
    else {
        panic!("not an OLCAck")
    };
    let (rtp, rtcp) = ack_addresses(&theirs);
    assert!(rtp.is_some() && rtcp.is_some(), "{theirs:?}");

    let ours = audio_ack(addr("127.0.0.1:30000"), addr("127.0.0.1:30001")).unwrap();
    assert_eq!(
        ack_addresses(&ours),
        (Some(addr("127.0.0.1:30000")), Some(addr("127.0.0.1:30001")))
    );
    let msg = MultimediaSystemControlMessage::Response(
        roomgate_h323::h245::ResponseMessage::OpenLogicalChannelAck(Box::new(ours)),
    );
    assert_eq!(
        MultimediaSystemControlMessage::decode(&msg.encode().unwrap()).unwrap(),
        msg
    );
    // Video or an unknown codec is not audio we carry.
    let video = roomgate_h323::h245::samples::open_logical_channel_h264().unwrap();
    assert!(incoming_audio(&video).is_none());
}

#[test]
fn our_proposals_have_asterisks_shape_and_its_answer_reads_back() {
    let rtp = addr("127.0.0.1:30000");
    let rtcp = addr("127.0.0.1:30001");
    let ours = propose(
        &[
            Codec::new("PCMU", 8000, 1, 0),
            Codec::new("opus", 48000, 2, 111),
            Codec::new("PCMA", 8000, 1, 8),
        ],
        rtp,
        rtcp,
        1001,
    );
    let theirs = asterisk_proposals();
    assert_eq!(
        ours.len(),
        theirs.len(),
        "opus has no H.245 audio capability here"
    );
    for (o, t) in ours.iter().zip(&theirs) {
        assert_eq!(
            o.forward_logical_channel_number,
            t.forward_logical_channel_number
        );
        assert_eq!(
            o.reverse_logical_channel_parameters.is_some(),
            t.reverse_logical_channel_parameters.is_some()
        );
        assert_eq!(
            &OpenLogicalChannel::decode(&o.encode().unwrap()).unwrap(),
            o
        );
    }
    // Read as an offer, ours says what we said.
    let spec = offered(&ours);
    let audio = spec.audio().unwrap();
    assert_eq!(audio.remote_rtp, Some(rtp));
    assert_eq!(audio.codecs.len(), 2);
    // A callee that accepts answers like chan_ooh323 did: the sending channel carries where it
    // receives.
    let answer = accept(
        &ours,
        &Codec::new("PCMA", 8000, 1, 8),
        addr("127.0.0.1:40000"),
        addr("127.0.0.1:40001"),
    )
    .unwrap();
    let (codec, to, to_rtcp) = accepted(&answer).unwrap();
    assert_eq!(codec.name, "PCMA");
    assert_eq!(to, Some(addr("127.0.0.1:40000")));
    assert_eq!(to_rtcp, Some(addr("127.0.0.1:40001")));
    // chan_ooh323's own answer reads the same way.
    let (codec, to, _) = accepted(&asterisk_answer()).unwrap();
    assert_eq!(codec.name, "PCMU");
    assert_eq!(to, Some(addr("127.0.0.1:20162")));
}
