//! The `h323_call` fuzz entry point: one call driven by a script against a peer call, with
//! hostile payloads mixed in. Shared by `fuzz/fuzz_targets/h323_call.rs` and the seed replay
//! test; it panics only when an invariant of the call machine breaks.

use std::time::{Duration, Instant};

use super::{Call, CallConfig, CallEvent, CallState, Dial, MAX_PENDING};
use crate::h225::UserInformation;
use crate::h245::{MultimediaSystemControlMessage, RequestMessage, RoundTripDelayRequest};
use crate::q931::Message;
use crate::ras::AliasAddress;
use crate::tpkt::TpktDecoder;

/// Most script steps run per input: bounds the work of one input.
const MAX_STEPS: usize = 512;

/// What a run saw, for the seed replay test to assert on.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CallRun {
    pub packets: usize,
    pub events: usize,
    pub connected: bool,
    pub released: bool,
}

fn rtd(n: u8) -> MultimediaSystemControlMessage {
    MultimediaSystemControlMessage::Request(RequestMessage::RoundTripDelayRequest(Box::new(
        RoundTripDelayRequest {
            sequence_number: u32::from(n),
            extensions: Default::default(),
        },
    )))
}

/// Takes every packet `call` wrote, checking each is one TPKT carrying Q.931 whose user-user
/// element (when present) is H.225.0 we can decode.
#[allow(clippy::panic)] // Fuzz invariants: a panic is the report.
fn written(call: &mut Call, run: &mut CallRun) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while let Some(p) = call.poll_transmit() {
        let mut d = TpktDecoder::default();
        d.push(&p);
        let payload = match d.next_payload() {
            Ok(Some(payload)) if d.buffered() == 0 => payload,
            other => panic!("a packet we wrote is not one TPKT: {other:?}"),
        };
        let m = Message::decode(&payload)
            .unwrap_or_else(|e| panic!("we wrote Q.931 that does not decode: {e}"));
        if let Some(u) = m.user_user() {
            if let Err(e) = UserInformation::decode(&u.data) {
                panic!("we wrote H.225.0 that does not decode: {e}");
            }
        }
        run.packets += 1;
        out.push(payload);
    }
    out
}

#[allow(clippy::panic)] // Fuzz invariants: a panic is the report.
fn events(call: &mut Call, run: &mut CallRun, setups: &mut Vec<super::IncomingSetup>) {
    let mut n = 0;
    while let Some(e) = call.poll_event() {
        n += 1;
        if n > MAX_PENDING + 1 {
            panic!("more events than the queue bound");
        }
        match e {
            CallEvent::Setup(s) => setups.push(*s),
            CallEvent::Connected => run.connected = true,
            CallEvent::Released { .. } if !call.is_released() => {
                panic!("Released reported while the call is not released");
            }
            _ => {}
        }
        run.events += 1;
    }
}

/// The first octet picks our side (bit 0: incoming, we answer a peer that dials; else we dial
/// a peer that answers) and the peer's tunnelling (bit 1); then each octet is an operation.
#[allow(clippy::panic)] // Fuzz invariants: a panic is the report.
pub fn h323_call(data: &[u8]) -> CallRun {
    let mut run = CallRun::default();
    let Some((&mode, mut script)) = data.split_first() else {
        return run;
    };
    let t0 = Instant::now();
    let mut now = t0;
    let peer_config = CallConfig {
        tunnelling: mode & 2 == 0,
        ..CallConfig::default()
    };
    let dial = Dial {
        call_reference: 0x0101,
        call_identifier: [7; 16],
        conference_id: [8; 16],
        destination: vec![AliasAddress::DialedDigits("1001".into())],
        called_number: Some("1001".into()),
        ..Dial::default()
    };
    let we_answer = mode & 1 == 1;
    let (mut us, mut peer) = if we_answer {
        let Ok(peer) = Call::outgoing(now, peer_config, &dial) else {
            panic!("the peer's Setup does not build");
        };
        (Call::incoming(now, CallConfig::default()), peer)
    } else {
        let Ok(us) = Call::outgoing(now, CallConfig::default(), &dial) else {
            panic!("our Setup does not build");
        };
        (us, Call::incoming(now, peer_config))
    };
    let mut setups = Vec::new();
    let mut peer_setups = Vec::new();
    let mut steps = 0;
    while let Some((&op, rest)) = script.split_first() {
        script = rest;
        steps += 1;
        if steps > MAX_STEPS {
            break;
        }
        match op % 12 {
            // Deliver what each side wrote to the other.
            0 => {
                for p in written(&mut peer, &mut run) {
                    us.handle_payload(now, &p);
                }
                for p in written(&mut us, &mut run) {
                    peer.handle_payload(now, &p);
                }
            }
            // Hostile: the next octets (length-prefixed) as a payload.
            1 => {
                let Some((&len, rest)) = script.split_first() else {
                    break;
                };
                let (payload, rest) = rest.split_at(usize::from(len).min(rest.len()));
                script = rest;
                us.handle_payload(now, payload);
            }
            // Hostile: one of the peer's packets with an octet flipped.
            2 => {
                let Some((&at, rest)) = script.split_first() else {
                    break;
                };
                script = rest;
                for mut p in written(&mut peer, &mut run) {
                    let i = usize::from(at) % p.len().max(1);
                    if let Some(b) = p.get_mut(i) {
                        *b ^= 0x5a;
                    }
                    us.handle_payload(now, &p);
                }
            }
            3 => {
                let _ = us.proceeding();
                let _ = peer.proceeding();
            }
            4 => {
                let fs = setups
                    .last()
                    .map(|s: &super::IncomingSetup| s.fast_start.clone());
                let _ = us.alert(fs.as_deref());
                let pfs = peer_setups
                    .last()
                    .map(|s: &super::IncomingSetup| s.fast_start.clone());
                let _ = peer.alert(pfs.as_deref());
            }
            5 => {
                let _ = us.connect(None, None);
                let _ = peer.connect(None, None);
            }
            6 => {
                let _ = us.send_h245(&rtd(op));
            }
            7 => {
                let _ = peer.send_h245(&rtd(op));
            }
            8 => us.release(op / 12),
            9 => peer.release(16),
            10 => {
                now += Duration::from_secs(u64::from(op / 12) * 5);
                us.handle_timeout(now);
                peer.handle_timeout(now);
            }
            _ => us.connection_lost(),
        }
        events(&mut us, &mut run, &mut setups);
        events(&mut peer, &mut run, &mut peer_setups);
        if us.is_released() {
            run.released = true;
            // Nothing leaves a released call after its Release Complete.
            written(&mut us, &mut run);
            us.handle_payload(now, &[0x08, 0x02, 0x01, 0x01, 0x5a]);
            let _ = us.send_h245(&rtd(0));
            let _ = us.connect(None, None);
            if !written(&mut us, &mut run).is_empty() {
                panic!("a released call wrote a packet");
            }
            if us.state() != CallState::Released {
                panic!("released call left the Released state");
            }
        }
        if let Some(deadline) = us.poll_timeout() {
            if deadline < t0 {
                panic!("a deadline before the call began");
            }
        }
    }
    run
}
