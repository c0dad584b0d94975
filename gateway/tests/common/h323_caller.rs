//! A room system of our own H.323 stack for the tests: an outgoing fastStart call (PCMU,
//! tunnelled H.245) dialling a meeting over a real TCP connection.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use roomgate::call::h323_leg::media_map;
use roomgate_core::media_spec::Codec;
use roomgate_h323::call::{CallConfig, CallEvent, Dial};
use roomgate_h323::endpoint::{Event, H323Call, Transmit};
use roomgate_h323::h245::session::SessionConfig;
use roomgate_h323::ras::AliasAddress;
use roomgate_h323::tpkt::TpktDecoder;

/// An outgoing call to `dialled` as `source` (an H.323-ID). The CallIdentifier must be
/// unique per call: the gateway takes one it already has for a loop.
pub fn caller(dialled: &str, reference: u16, call_identifier: [u8; 16], source: &str) -> H323Call {
    let dial = Dial {
        call_reference: reference,
        call_identifier,
        conference_id: [0x5a; 16],
        destination: vec![AliasAddress::DialedDigits(dialled.into())],
        called_number: Some(dialled.into()),
        source: vec![AliasAddress::H323Id(source.into())],
        fast_start: media_map::propose(
            &[Codec::new("PCMU", 8000, 1, 0)],
            SocketAddr::from(([127, 0, 0, 1], 40_000)),
            SocketAddr::from(([127, 0, 0, 1], 40_001)),
            1,
        ),
        ..Dial::default()
    };
    let now = Instant::now();
    let mut call =
        H323Call::outgoing(now, CallConfig::default(), SessionConfig::default(), &dial).unwrap();
    let caps = media_map::capabilities(&[Codec::new("PCMU", 8000, 1, 0)]).unwrap();
    call.start_h245(now, caps, 0x0042_4242);
    call
}

/// Writes what `call` queued for the signalling connection.
fn write_out(call: &mut H323Call, stream: &mut impl Write) {
    while let Some(t) = call.poll_transmit() {
        if let Transmit::Signalling(p) = t {
            let _ = stream.write_all(&p);
        }
    }
}

/// Places `call` from `from` to `to`: `Ok` once connected and held for `hold` (then released
/// by us, normal clearing), `Err(cause)` when the gateway released it, `Err(0)` when nothing
/// happened within `limit`.
pub fn call_meeting(
    from: IpAddr,
    to: SocketAddr,
    mut call: H323Call,
    hold: Duration,
    limit: Duration,
) -> Result<(), u8> {
    let mut stream = crate::common::connect_from(from, to).map_err(|_| 0u8)?;
    stream
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let mut decoder = TpktDecoder::default();
    let deadline = Instant::now() + limit;
    let mut buf = [0u8; 4096];
    let mut connected_at: Option<Instant> = None;
    while Instant::now() < deadline {
        let now = Instant::now();
        call.handle_timeout(now);
        if connected_at.is_some_and(|t| now >= t + hold) {
            call.call().release(16);
            call.pump(now);
            write_out(&mut call, &mut stream);
            return Ok(());
        }
        call.pump(now);
        write_out(&mut call, &mut stream);
        while let Some(e) = call.poll_event() {
            match e {
                Event::Call(CallEvent::Connected) => connected_at = Some(now),
                Event::Call(CallEvent::Released { cause, .. }) => return Err(cause),
                _ => {}
            }
        }
        match stream.read(&mut buf) {
            Ok(0) => return Err(0),
            Ok(n) => {
                decoder.push(&buf[..n]);
                while let Ok(Some(p)) = decoder.next_payload() {
                    call.handle_signalling(Instant::now(), &p);
                }
            }
            Err(_) => {}
        }
    }
    Err(0)
}
