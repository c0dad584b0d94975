//! The `h323_endpoint` fuzz entry point: two [`H323Call`]s back to back (one dials, one
//! answers), driven by a script that mixes commands on either side, deliveries, damaged
//! packets on either connection and time. It panics only when an invariant breaks: every
//! packet we write frames and decodes, H.245 never goes out on a connection that is not up,
//! nothing leaves a released call, and the queues stay bounded.

use std::time::{Duration, Instant};

use super::{Event, H323Call, Transmit, MAX_WAITING_H245};
use crate::call::{CallConfig, CallEvent, Dial, MAX_PENDING};
use crate::h245::session::SessionConfig;
use crate::h245::{samples, MultimediaSystemControlMessage};
use crate::q931::Message;
use crate::ras::AliasAddress;
use crate::tpkt::TpktDecoder;

/// Most script steps per input.
const MAX_STEPS: usize = 512;

/// What a run reached, for the seed replay test.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct EndpointRun {
    pub connected: bool,
    pub h245_up: bool,
    pub msd_done: bool,
    pub user_input: bool,
    pub released: bool,
}

struct Side {
    call: H323Call,
    h245_up: bool,
    setup: Option<Vec<crate::h245::OpenLogicalChannel>>,
}

#[allow(clippy::panic)] // Fuzz invariants: a panic is the report.
fn one_payload(p: &[u8]) -> Vec<u8> {
    let mut d = TpktDecoder::default();
    d.push(p);
    match d.next_payload() {
        Ok(Some(payload)) if d.buffered() == 0 => payload,
        other => panic!("a packet we wrote is not one TPKT: {other:?}"),
    }
}

/// Takes what `from` wants written; delivers it to `to` unless `damage` says otherwise.
#[allow(clippy::panic)] // Fuzz invariants: a panic is the report.
fn deliver(now: Instant, from: &mut Side, to: &mut Side, damage: Option<u8>) {
    let mut n = 0;
    while let Some(t) = from.call.poll_transmit() {
        n += 1;
        if n > MAX_PENDING * 4 {
            panic!("unbounded output");
        }
        match t {
            Transmit::Signalling(p) => {
                let mut payload = one_payload(&p);
                if Message::decode(&payload).is_err() {
                    panic!("we wrote Q.931 that does not decode");
                }
                if let Some(at) = damage {
                    let i = usize::from(at) % payload.len().max(1);
                    if let Some(b) = payload.get_mut(i) {
                        *b ^= 0xa5;
                    }
                }
                to.call.handle_signalling(now, &payload);
            }
            Transmit::H245(p) => {
                if !from.h245_up {
                    panic!("H.245 written before its connection was up");
                }
                let mut payload = one_payload(&p);
                if MultimediaSystemControlMessage::decode(&payload).is_err() {
                    panic!("we wrote H.245 that does not decode");
                }
                if let Some(at) = damage {
                    let i = usize::from(at) % payload.len().max(1);
                    if let Some(b) = payload.get_mut(i) {
                        *b ^= 0xa5;
                    }
                }
                if to.h245_up {
                    to.call.handle_h245(now, &payload);
                }
            }
            Transmit::ConnectH245(_) => {
                from.h245_up = true;
                to.h245_up = true;
                from.call.h245_connected(now);
                to.call.h245_connected(now);
            }
        }
    }
}

fn events(side: &mut Side, run: &mut EndpointRun) {
    while let Some(e) = side.call.poll_event() {
        match e {
            Event::Call(CallEvent::Setup(s)) => side.setup = Some(s.fast_start),
            Event::Call(CallEvent::Connected) => run.connected = true,
            Event::H245(crate::h245::session::SessionEvent::MsdDone { .. }) => run.msd_done = true,
            Event::H245(crate::h245::session::SessionEvent::UserInput(_)) => run.user_input = true,
            _ => {}
        }
    }
    run.h245_up |= side.h245_up;
}

/// The first octet sets the configuration (bit 0: caller tunnels, bit 1: callee tunnels,
/// bit 2: the caller proposes fastStart); each following octet is one operation.
#[allow(clippy::panic)] // Fuzz invariants: a panic is the report.
pub fn h323_endpoint(data: &[u8]) -> EndpointRun {
    let mut run = EndpointRun::default();
    let Some((&mode, mut script)) = data.split_first() else {
        return run;
    };
    let t0 = Instant::now();
    let mut now = t0;
    let config = |tunnelling| CallConfig {
        tunnelling,
        ..CallConfig::default()
    };
    let Ok(tcs) = samples::terminal_capability_set() else {
        panic!("the sample capability set does not build");
    };
    let fast_start = if mode & 4 != 0 {
        samples::open_logical_channel_h264().into_iter().collect()
    } else {
        Vec::new()
    };
    let dial = Dial {
        call_reference: 0x0202,
        call_identifier: [5; 16],
        conference_id: [6; 16],
        destination: vec![AliasAddress::DialedDigits("1001".into())],
        fast_start,
        ..Dial::default()
    };
    let Ok(caller) =
        H323Call::outgoing(now, config(mode & 1 != 0), SessionConfig::default(), &dial)
    else {
        panic!("the Setup does not build");
    };
    let mut a = Side {
        call: caller,
        h245_up: false,
        setup: None,
    };
    let mut b = Side {
        call: H323Call::incoming(now, config(mode & 2 != 0), SessionConfig::default()),
        h245_up: false,
        setup: None,
    };
    let listener = crate::ras::TransportAddress::Ip {
        ip: [127, 0, 0, 1],
        port: 1,
    };
    let mut steps = 0;
    while let Some((&op, rest)) = script.split_first() {
        script = rest;
        steps += 1;
        if steps > MAX_STEPS {
            break;
        }
        let arg = op / 16;
        match op % 16 {
            0 => {
                deliver(now, &mut a, &mut b, None);
                deliver(now, &mut b, &mut a, None);
            }
            1 => deliver(now, &mut a, &mut b, Some(arg)),
            2 => deliver(now, &mut b, &mut a, Some(arg)),
            3 => a
                .call
                .start_h245(now, tcs.clone(), u32::from(op) * 0x0101_0101),
            4 => b
                .call
                .start_h245(now, tcs.clone(), u32::from(op) * 0x0303_0303),
            5 => {
                let fs = b.setup.clone();
                let _ = b.call.call().alert(fs.as_deref());
            }
            6 => {
                let addr = (arg & 1 == 1).then(|| listener.clone());
                let _ = b.call.call().connect(None, addr);
            }
            7 => a.call.session().send_user_input("12#"),
            8 => b.call.session().send_user_input("9"),
            9 => {
                if let Ok(olc) = samples::open_logical_channel_h264() {
                    let _ = a.call.session().open_channel(now, olc);
                }
            }
            10 => b.call.session().send_empty_capabilities(now),
            11 => {
                now += Duration::from_secs(u64::from(arg) * 3);
                a.call.handle_timeout(now);
                b.call.handle_timeout(now);
            }
            12 => a.call.call().release(16),
            13 => b.call.h245_lost(now),
            14 => a.call.connection_lost(now),
            _ => a.call.session().end_session(),
        }
        a.call.pump(now);
        b.call.pump(now);
        events(&mut a, &mut run);
        events(&mut b, &mut run);
        for side in [&mut a, &mut b] {
            if side.call.waiting.len() > MAX_WAITING_H245 + 1 {
                panic!("H.245 waiting past its bound");
            }
            if side.call.is_released() {
                run.released = true;
                // Nothing but what was already queued leaves a released call.
                let _ = std::iter::from_fn(|| side.call.poll_transmit()).count();
                side.call.session().send_user_input("1");
                side.call.pump(now);
                if let Some(Transmit::Signalling(_) | Transmit::H245(_)) = side.call.poll_transmit()
                {
                    panic!("a released call wrote a packet");
                }
            }
        }
    }
    run
}
