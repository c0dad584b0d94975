//! Two endpoints back to back on a virtual network and clock: fastStart with tunnelled H.245,
//! slow start with a separate H.245 connection, channels opened and closed, a media pause,
//! user input, and the failures (H.245 connection lost, a peer that never lets us connect).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::time::{Duration, Instant};

use super::*;
use crate::call::{cause, CallConfig, CallState, Dial};
use crate::h245::session::SessionConfig;
use crate::h245::{
    samples, AudioCapability, DataType, ForwardLogicalChannelParameters,
    ForwardMultiplexParameters, H2250LogicalChannelParameters, OpenLogicalChannel,
    OpenLogicalChannelAck, TransportAddress as H245Address,
};
use crate::ras::{AliasAddress, TransportAddress};
use crate::tpkt::TpktDecoder;

fn tcs() -> TerminalCapabilitySet {
    samples::terminal_capability_set().unwrap()
}

fn audio_olc() -> OpenLogicalChannel {
    OpenLogicalChannel {
        forward_logical_channel_number: 1,
        forward_logical_channel_parameters: ForwardLogicalChannelParameters {
            port_number: None,
            data_type: DataType::AudioData(AudioCapability::G711Ulaw64k(20)),
            multiplex_parameters: ForwardMultiplexParameters::H2250LogicalChannelParameters(
                H2250LogicalChannelParameters {
                    non_standard: None,
                    session_id: 1,
                    associated_session_id: None,
                    media_channel: None,
                    media_guaranteed_delivery: None,
                    media_control_channel: Some(H245Address::ipv4([127, 0, 0, 1], 5001)),
                    media_control_guaranteed_delivery: None,
                    silence_suppression: None,
                    destination: None,
                    dynamic_rtp_payload_type: None,
                    media_packetization: None,
                    extensions: Default::default(),
                },
            ),
            extensions: Default::default(),
        },
        reverse_logical_channel_parameters: None,
        extensions: Default::default(),
    }
}

fn dial(tunnelling_hint: &str) -> Dial {
    Dial {
        call_reference: 9,
        call_identifier: [1; 16],
        conference_id: [2; 16],
        destination: vec![AliasAddress::DialedDigits(tunnelling_hint.into())],
        ..Dial::default()
    }
}

/// The virtual network: signalling both ways, and the separate H.245 connection once both
/// ends asked for it.
struct Net {
    h245_up: bool,
    connects: Vec<TransportAddress>,
}

fn payloads(p: &[u8]) -> Vec<Vec<u8>> {
    let mut d = TpktDecoder::default();
    d.push(p);
    std::iter::from_fn(|| d.next_payload().unwrap()).collect()
}

impl Net {
    fn new() -> Self {
        Net {
            h245_up: false,
            connects: Vec::new(),
        }
    }

    /// Moves everything until both ends are quiet. The caller is `a`.
    fn run(&mut self, now: Instant, a: &mut H323Call, b: &mut H323Call) {
        for _ in 0..64 {
            let moved = self.step(now, a, b) | self.step(now, b, a);
            if !moved {
                return;
            }
        }
        panic!("never quiet");
    }

    fn step(&mut self, now: Instant, from: &mut H323Call, to: &mut H323Call) -> bool {
        let mut moved = false;
        while let Some(t) = from.poll_transmit() {
            moved = true;
            match t {
                Transmit::Signalling(p) => {
                    for q in payloads(&p) {
                        to.handle_signalling(now, &q);
                    }
                }
                Transmit::H245(p) => {
                    assert!(self.h245_up, "H.245 packet before the connection");
                    for q in payloads(&p) {
                        to.handle_h245(now, &q);
                    }
                }
                Transmit::ConnectH245(addr) => {
                    self.connects.push(addr);
                    self.h245_up = true;
                    from.h245_connected(now);
                    to.h245_connected(now);
                }
            }
        }
        moved
    }
}

fn events(c: &mut H323Call) -> Vec<Event> {
    std::iter::from_fn(|| c.poll_event()).collect()
}

fn h245_events(ev: &[Event]) -> Vec<&SessionEvent> {
    ev.iter()
        .filter_map(|e| match e {
            Event::H245(h) => Some(h),
            _ => None,
        })
        .collect()
}

#[test]
fn fast_start_with_tunnelled_h245_settles_roles_and_capabilities() {
    let t0 = Instant::now();
    let mut d = dial("1001");
    d.fast_start = vec![audio_olc()];
    let mut caller =
        H323Call::outgoing(t0, CallConfig::default(), SessionConfig::default(), &d).unwrap();
    let mut callee = H323Call::incoming(
        t0,
        CallConfig::default(),
        SessionConfig {
            terminal_type: 50,
            ..SessionConfig::default()
        },
    );
    // The caller starts H.245 at once: it waits until the callee's first answer says whether
    // it tunnels.
    caller.start_h245(t0, tcs(), 0x0012_3456);
    let mut net = Net::new();
    net.run(t0, &mut caller, &mut callee);
    let ev = events(&mut callee);
    let Some(Event::Call(CallEvent::Setup(setup))) = ev.first() else {
        panic!("{ev:?}")
    };
    assert_eq!(setup.fast_start.len(), 1);
    // The callee answers with the fastStart channel and starts its own H.245.
    let accepted = setup.fast_start.clone();
    callee.start_h245(t0, tcs(), 0x0065_4321);
    callee.call().alert(Some(&accepted)).unwrap();
    callee.call().connect(None, None).unwrap();
    callee.pump(t0);
    net.run(t0, &mut caller, &mut callee);

    let a = events(&mut caller);
    let b = events(&mut callee);
    assert!(net.connects.is_empty(), "tunnelled: no separate connection");
    assert!(a.contains(&Event::Call(CallEvent::FastStartAccepted(accepted))));
    assert!(a.contains(&Event::Call(CallEvent::Connected)));
    // The gateway (60) is master over the terminal (50), on both sides' books.
    assert!(h245_events(&a).contains(&&SessionEvent::MsdDone { master: true }));
    assert!(h245_events(&b).contains(&&SessionEvent::MsdDone { master: false }));
    for ev in [&a, &b] {
        let h = h245_events(ev);
        assert!(
            h.iter()
                .any(|e| matches!(e, SessionEvent::RemoteCapabilities(_))),
            "{h:?}"
        );
        assert!(h.contains(&&SessionEvent::CapabilitiesAcked), "{h:?}");
    }

    // User input travels tunnelled in Facility messages.
    caller.session().send_user_input("1234#");
    caller.pump(t0);
    net.run(t0, &mut caller, &mut callee);
    assert!(h245_events(&events(&mut callee)).contains(&&SessionEvent::UserInput("1234#".into())));

    // End: EndSessionCommand, then Release Complete.
    caller.session().end_session();
    caller.call().release(cause::NORMAL);
    caller.pump(t0);
    net.run(t0, &mut caller, &mut callee);
    assert!(callee.is_released());
}

#[test]
fn slow_start_with_a_separate_h245_connection_opens_channels_both_ways() {
    let t0 = Instant::now();
    let no_tunnel = CallConfig {
        tunnelling: false,
        ..CallConfig::default()
    };
    let mut caller = H323Call::outgoing(
        t0,
        no_tunnel.clone(),
        SessionConfig::default(),
        &dial("1000"),
    )
    .unwrap();
    let mut callee = H323Call::incoming(t0, no_tunnel, SessionConfig::default());
    caller.start_h245(t0, tcs(), 7);
    let mut net = Net::new();
    net.run(t0, &mut caller, &mut callee);
    events(&mut callee);
    // The callee offers its H.245 listener in Connect; the caller connects to it.
    let ours = TransportAddress::Ip {
        ip: [127, 0, 0, 1],
        port: 41_000,
    };
    callee.start_h245(t0, tcs(), 0x00ff_ffff);
    callee.call().connect(None, Some(ours.clone())).unwrap();
    callee.pump(t0);
    net.run(t0, &mut caller, &mut callee);
    assert_eq!(net.connects, [ours]);
    let a = events(&mut caller);
    let b = events(&mut callee);
    assert_eq!(caller.call().h245_transport(), H245Transport::Separate);
    assert_eq!(caller.call().state(), CallState::Active);
    let (ma, mb) = (caller.session().is_master(), callee.session().is_master());
    assert!(ma.is_some() && mb.is_some() && ma != mb, "{a:?} {b:?}");
    assert!(h245_events(&b)
        .iter()
        .any(|e| matches!(e, SessionEvent::RemoteCapabilities(_))));

    // Slow start: each side opens its audio channel; the other accepts.
    let n = caller.session().open_channel(t0, audio_olc()).unwrap();
    caller.pump(t0);
    net.run(t0, &mut caller, &mut callee);
    let requested = h245_events(&events(&mut callee))
        .into_iter()
        .find_map(|e| match e {
            SessionEvent::ChannelRequested { number, .. } => Some(*number),
            _ => None,
        })
        .unwrap();
    assert_eq!(requested, n);
    let ack = OpenLogicalChannelAck {
        forward_logical_channel_number: 0,
        reverse_logical_channel_parameters: None,
        extensions: Default::default(),
    };
    callee.session().accept_channel(requested, ack).unwrap();
    callee.pump(t0);
    net.run(t0, &mut caller, &mut callee);
    assert!(h245_events(&events(&mut caller))
        .iter()
        .any(|e| matches!(e, SessionEvent::ChannelOpened { number, .. } if *number == n)));

    // A media pause (empty capability set), then the channel closed by its opener.
    callee.session().send_empty_capabilities(t0);
    callee.pump(t0);
    net.run(t0, &mut caller, &mut callee);
    assert!(h245_events(&events(&mut caller)).contains(&&SessionEvent::RemotePaused));
    caller.session().close_channel(t0, n).unwrap();
    caller.pump(t0);
    net.run(t0, &mut caller, &mut callee);
    assert!(h245_events(&events(&mut callee))
        .contains(&&SessionEvent::ChannelClosedByPeer { number: n }));
    assert!(h245_events(&events(&mut caller)).contains(&&SessionEvent::ChannelClosed { number: n }));

    // Losing the H.245 connection ends the call with a Release Complete.
    caller.h245_lost(t0);
    net.run(t0, &mut caller, &mut callee);
    assert!(caller.is_released());
    assert!(
        events(&mut callee).contains(&Event::Call(CallEvent::Released {
            cause: CAUSE_H245_FAILED,
            by_peer: true
        }))
    );
}

#[test]
fn h245_that_can_never_be_sent_is_bounded_and_releases_the_call() {
    let t0 = Instant::now();
    let no_tunnel = CallConfig {
        tunnelling: false,
        ..CallConfig::default()
    };
    let mut caller =
        H323Call::outgoing(t0, no_tunnel.clone(), SessionConfig::default(), &dial("1")).unwrap();
    let mut callee = H323Call::incoming(t0, no_tunnel, SessionConfig::default());
    let mut net = Net::new();
    net.run(t0, &mut caller, &mut callee);
    // The callee connects without offering an H.245 address: nobody can connect.
    callee.call().connect(None, None).unwrap();
    callee.pump(t0);
    net.run(t0, &mut caller, &mut callee);
    caller.start_h245(t0, tcs(), 1);
    for _ in 0..MAX_WAITING_H245 {
        caller.session().send_user_input("1");
    }
    caller.pump(t0);
    net.run(t0, &mut caller, &mut callee);
    assert!(caller.is_released());
    assert!(net.connects.is_empty());
    assert!(
        events(&mut callee).contains(&Event::Call(CallEvent::Released {
            cause: CAUSE_H245_FAILED,
            by_peer: true
        }))
    );
}

#[test]
fn timers_of_both_machines_are_one_deadline() {
    let t0 = Instant::now();
    let mut caller = H323Call::outgoing(
        t0,
        CallConfig::default(),
        SessionConfig::default(),
        &dial("1"),
    )
    .unwrap();
    // T303 (4 s) is sooner than T101/T106 (30 s).
    caller.start_h245(t0, tcs(), 5);
    assert_eq!(caller.poll_timeout(), Some(t0 + Duration::from_secs(4)));
    caller.handle_timeout(t0 + Duration::from_secs(4));
    assert!(caller.is_released());
    let released = events(&mut caller).into_iter().any(|e| {
        e == Event::Call(CallEvent::Released {
            cause: cause::NO_USER_RESPONDING,
            by_peer: false,
        })
    });
    assert!(released);
}
