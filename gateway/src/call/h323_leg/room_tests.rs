//! The H.323 room leg against a scripted room system (an outgoing `H323Call` of our own
//! stack, on a virtual network): a fastStart room answered with its codec, a slow-start room
//! without tunnelling offered to over a separate H.245 connection, digits, both ends of the
//! call, and the dial strings room systems send.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::net::SocketAddr;
use std::time::Instant;

use roomgate_core::call::{EndCause, UpstreamFailure};
use roomgate_core::media_spec::Codec;
use roomgate_h323::call::{CallConfig, CallEvent, Dial, IncomingSetup};
use roomgate_h323::endpoint::{Event, H323Call, Transmit};
use roomgate_h323::h245::session::{SessionConfig, SessionEvent};
use roomgate_h323::ras::{AliasAddress, TransportAddress};
use roomgate_h323::tpkt::TpktDecoder;

use super::media_map;
use super::room::*;

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn payloads(p: &[u8]) -> Vec<Vec<u8>> {
    let mut d = TpktDecoder::default();
    d.push(p);
    std::iter::from_fn(|| d.next_payload().unwrap()).collect()
}

/// Moves packets between the room (`a`) and our leg's call (`b`) until both are quiet; the
/// separate H.245 connection comes up when either asks for it.
fn run(now: Instant, room: &mut H323Call, leg: &mut H323RoomLeg) {
    for _ in 0..64 {
        let mut moved = false;
        while let Some(t) = room.poll_transmit() {
            moved = true;
            match t {
                Transmit::Signalling(p) => payloads(&p)
                    .iter()
                    .for_each(|q| leg.call().handle_signalling(now, q)),
                Transmit::H245(p) => payloads(&p)
                    .iter()
                    .for_each(|q| leg.call().handle_h245(now, q)),
                Transmit::ConnectH245(_) => {
                    room.h245_connected(now);
                    leg.call().h245_connected(now);
                }
            }
        }
        leg.pump(now);
        while let Some(t) = leg.call().poll_transmit() {
            moved = true;
            match t {
                Transmit::Signalling(p) => payloads(&p)
                    .iter()
                    .for_each(|q| room.handle_signalling(now, q)),
                Transmit::H245(p) => payloads(&p).iter().for_each(|q| room.handle_h245(now, q)),
                Transmit::ConnectH245(_) => {
                    room.h245_connected(now);
                    leg.call().h245_connected(now);
                }
            }
        }
        if !moved {
            return;
        }
    }
    panic!("never quiet");
}

/// A room dials `dialled`; returns it, our leg, and the Setup the leg was made from.
fn room_calls(
    now: Instant,
    dialled: &str,
    fast_start: bool,
    tunnelling: bool,
) -> (H323Call, H323RoomLeg, IncomingSetup) {
    let config = CallConfig {
        tunnelling,
        ..CallConfig::default()
    };
    let room_rtp = addr("127.0.0.1:6000");
    let dial = Dial {
        call_reference: 5,
        call_identifier: [1; 16],
        conference_id: [2; 16],
        destination: vec![AliasAddress::DialedDigits(dialled.into())],
        fast_start: if fast_start {
            media_map::propose(
                &[
                    Codec::new("PCMU", 8000, 1, 0),
                    Codec::new("PCMA", 8000, 1, 8),
                ],
                room_rtp,
                addr("127.0.0.1:6001"),
                1,
            )
        } else {
            Vec::new()
        },
        ..Dial::default()
    };
    let mut room = H323Call::outgoing(
        now,
        config.clone(),
        SessionConfig {
            terminal_type: 50,
            ..SessionConfig::default()
        },
        &dial,
    )
    .unwrap();
    let caps = media_map::capabilities(&[Codec::new("PCMA", 8000, 1, 8)]).unwrap();
    room.start_h245(now, caps, 0x0011_2233);
    let mut ours = H323Call::incoming(now, config, SessionConfig::default());
    while let Some(Transmit::Signalling(p)) = room.poll_transmit() {
        payloads(&p)
            .iter()
            .for_each(|q| ours.handle_signalling(now, q));
    }
    let setup = loop {
        match ours.poll_event() {
            Some(Event::Call(CallEvent::Setup(s))) => break *s,
            Some(_) => {}
            None => panic!("no Setup"),
        }
    };
    let leg = H323RoomLeg::new(ours, &setup);
    (room, leg, setup)
}

fn room_events(room: &mut H323Call) -> Vec<Event> {
    std::iter::from_fn(|| room.poll_event()).collect()
}

fn leg_events(leg: &mut H323RoomLeg) -> Vec<RoomEvent> {
    std::iter::from_fn(|| leg.poll_event()).collect()
}

#[test]
fn a_fast_start_room_is_answered_with_its_codec_and_hears_the_end_cause() {
    let t0 = Instant::now();
    let (mut room, mut leg, setup) = room_calls(t0, "1001*1234", true, true);
    assert_eq!(dial_string(&setup).as_deref(), Some("1001*1234"));
    let offer = leg.offer().unwrap().audio().unwrap().clone();
    let names: Vec<&str> = offer.codecs.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["PCMU", "PCMA"]);
    leg.ring(t0);
    run(t0, &mut room, &mut leg);
    assert!(room_events(&mut room).contains(&Event::Call(CallEvent::Alerting)));

    let ours = OurMedia {
        codec: Codec::new("PCMA", 8000, 1, 8),
        rtp: addr("127.0.0.1:7000"),
        rtcp: addr("127.0.0.1:7001"),
        video: None,
    };
    leg.answer(t0, ours, None, 7).unwrap();
    run(t0, &mut room, &mut leg);
    let ev = room_events(&mut room);
    let accepted = ev.iter().find_map(|e| match e {
        Event::Call(CallEvent::FastStartAccepted(l)) => Some(l.clone()),
        _ => None,
    });
    let (codec, to, _) = media_map::accepted(&accepted.expect("fastStart accepted")).unwrap();
    assert_eq!(
        (codec.name.as_str(), to),
        ("PCMA", Some(addr("127.0.0.1:7000")))
    );
    assert!(ev.contains(&Event::Call(CallEvent::Connected)));
    let media = leg_events(&mut leg)
        .into_iter()
        .find_map(|e| match e {
            RoomEvent::Media(m) => Some(m),
            _ => None,
        })
        .unwrap();
    let audio = media.audio().unwrap();
    assert_eq!(audio.codec().unwrap().name, "PCMA");
    assert_eq!(audio.remote_rtp, Some(addr("127.0.0.1:6000")));

    // Digits by H.245 user input, one event each.
    room.session().send_user_input("12#");
    room.pump(t0);
    run(t0, &mut room, &mut leg);
    let digits: Vec<char> = leg_events(&mut leg)
        .into_iter()
        .filter_map(|e| match e {
            RoomEvent::Digit(d) => Some(d),
            _ => None,
        })
        .collect();
    assert_eq!(digits, ['1', '2', '#']);

    // The core ends the call (no such meeting): the room hears cause 1.
    leg.end(t0, EndCause::NotFound);
    run(t0, &mut room, &mut leg);
    assert!(
        room_events(&mut room).contains(&Event::Call(CallEvent::Released {
            cause: 1,
            by_peer: true
        }))
    );
    assert!(leg.is_ended());
}

#[test]
fn a_slow_start_room_is_offered_to_over_a_separate_h245_connection() {
    let t0 = Instant::now();
    let (mut room, mut leg, _) = room_calls(t0, "1000", false, false);
    assert!(
        leg.offer().is_none(),
        "a slow-start room makes no offer: we offer"
    );
    let ours = OurMedia {
        codec: Codec::new("PCMU", 8000, 1, 0),
        rtp: addr("127.0.0.1:7100"),
        rtcp: addr("127.0.0.1:7101"),
        video: None,
    };
    let listener = TransportAddress::Ip {
        ip: [127, 0, 0, 1],
        port: 7200,
    };
    leg.answer(t0, ours, Some(listener), 9).unwrap();
    run(t0, &mut room, &mut leg);
    // The room (scripted) opens its channel once H.245 is up, and accepts ours.
    let mut opened = false;
    for _ in 0..4 {
        for e in room_events(&mut room) {
            match e {
                Event::H245(SessionEvent::ChannelRequested { number, olc }) => {
                    assert_eq!(media_map::incoming_audio(&olc).unwrap().0.name, "PCMU");
                    let ack = media_map::audio_ack(addr("127.0.0.1:6100"), addr("127.0.0.1:6101"))
                        .unwrap();
                    room.session().accept_channel(number, ack).unwrap();
                }
                Event::H245(SessionEvent::RemoteCapabilities(_)) if !opened => {
                    let olc = media_map::open_audio(
                        &Codec::new("PCMU", 8000, 1, 0),
                        addr("127.0.0.1:6101"),
                    )
                    .unwrap();
                    room.session().open_channel(t0, olc).unwrap();
                    opened = true;
                }
                _ => {}
            }
        }
        room.pump(t0);
        run(t0, &mut room, &mut leg);
    }
    let media: Vec<_> = leg_events(&mut leg)
        .into_iter()
        .filter_map(|e| match e {
            RoomEvent::Media(m) => Some(m),
            _ => None,
        })
        .collect();
    let last = media.last().expect("media from the room's Ack");
    let audio = last.audio().unwrap();
    assert_eq!(audio.remote_rtp, Some(addr("127.0.0.1:6100")));
    assert_eq!(audio.codec().unwrap().name, "PCMU");

    // The room hangs up.
    room.session().end_session();
    room.call().release(16);
    room.pump(t0);
    run(t0, &mut room, &mut leg);
    assert!(leg_events(&mut leg)
        .iter()
        .any(|e| matches!(e, RoomEvent::HungUp { cause: 16 })));
}

#[test]
fn dial_strings_as_room_systems_send_them() {
    let t0 = Instant::now();
    for (dialled, want) in [
        ("1000", Some("1000")),
        ("1000*4321", Some("1000*4321")),
        // Not a dial string: handed on as it is, for the core to refuse as not found.
        ("#1000", Some("#1000")),
    ] {
        let (_, _, setup) = room_calls(t0, dialled, false, true);
        assert_eq!(dial_string(&setup).as_deref(), want, "{dialled}");
    }
    // Nothing dialled at all (the gateway's bare address): no dial string, the room is
    // asked for the meeting ID.
    let mut setup = room_calls(t0, "#", false, true).2;
    setup.destination.clear();
    setup.called_number = None;
    assert_eq!(dial_string(&setup), None);
    setup.destination = vec![
        AliasAddress::H323Id("Boardroom".into()),
        AliasAddress::UrlId("h323:1000.4321@gw.example".into()),
    ];
    // The first alias that reads as a dial string wins; a plain name ("Boardroom") is one.
    assert_eq!(dial_string(&setup).as_deref(), Some("Boardroom"));
    setup.destination.remove(0);
    assert_eq!(dial_string(&setup).as_deref(), Some("1000.4321"));
    setup.called_number = Some("2000".into());
    assert_eq!(
        dial_string(&setup).as_deref(),
        Some("2000"),
        "the called number first"
    );
}

#[test]
fn end_causes_and_upstream_causes_map_both_ways() {
    assert_eq!(q931_cause(EndCause::Normal), 16);
    assert_eq!(q931_cause(EndCause::NotFound), 1);
    assert_eq!(q931_cause(EndCause::Upstream(UpstreamFailure::Busy)), 17);
    assert_eq!(
        q931_cause(EndCause::Unavailable {
            retry_after: Some(5)
        }),
        41
    );
    for f in [
        UpstreamFailure::NotFound,
        UpstreamFailure::Busy,
        UpstreamFailure::Declined,
        UpstreamFailure::Timeout,
        UpstreamFailure::NotAcceptable,
    ] {
        assert_eq!(
            upstream_failure(q931_cause(EndCause::Upstream(f))),
            f,
            "{f:?}"
        );
    }
    assert_eq!(upstream_failure(200), UpstreamFailure::Failed);
}
