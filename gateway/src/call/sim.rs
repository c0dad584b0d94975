//! One turn of a gateway with no socket: what the call scenarios and the `call_legs` fuzz
//! target both do at each instant — drain the transaction layer (its datagrams out, its
//! events into the transaction user), collect what the calls ask the driver for, and hand
//! the relay's events to the calls. The caller delivers the datagrams and carries out the
//! actions its own way (a script, or fuzz input).

use std::net::SocketAddr;
use std::time::Instant;

use roomgate_sip::transaction::Output;

use super::media_plane::LocalRelay;
use super::Action;
use crate::sip::tu::Tu;

/// What one turn produced.
#[derive(Default)]
pub(crate) struct Turn {
    /// SIP datagrams the gateway sent, with their destinations, in order.
    pub sip: Vec<(SocketAddr, Vec<u8>)>,
    /// Requests for the driver (resolution, PIN attempts, TLS names).
    pub actions: Vec<Action>,
    /// Anything happened: another turn may be needed.
    pub moved: bool,
}

pub(crate) fn turn(tu: &mut Tu, relay: &LocalRelay, now: Instant) -> Turn {
    let mut t = Turn::default();
    while let Some(out) = tu.layer.poll_output() {
        t.moved = true;
        match out {
            Output::Transmit(x) => t.sip.push((x.destination.addr, x.bytes)),
            Output::Event(e) => tu.handle_event(now, e),
        }
    }
    let Some(calls) = tu.calls.as_mut() else {
        return t;
    };
    while let Some(a) = calls.poll_action() {
        t.moved = true;
        t.actions.push(a);
    }
    while calls.poll_cdr().is_some() {}
    for r in relay.take_results() {
        t.moved = true;
        calls.on_plane_result(&mut tu.layer, now, r);
    }
    for e in relay.take_events() {
        t.moved |= calls.on_relay_event(&mut tu.layer, now, e);
    }
    t
}
