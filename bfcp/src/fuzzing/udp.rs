//! Fuzz entry point for UDP reassembly.

use std::time::Instant;

use super::machines::{fragmented, message, Script};
use crate::header::{CommonHeader, Header, Version};
use crate::limits::{HEADER_LEN, MAX_MESSAGE_LEN, MAX_PENDING_REASSEMBLIES};
use crate::message::Fragment;
use crate::primitive::Primitive;
use crate::udp::Reassembler;

/// The peer whose messages are cut by our own fragmenter and must come back whole; the
/// hand-made fragments use peers 0..3.
const CLEAN_PEER: u16 = 1000;

/// Feeds a reassembler raw datagrams, hand-made fragments (any offsets, lengths, totals,
/// peers and transactions, so overlaps, conflicts and floods) and the fragments of real
/// messages in a scripted order with a duplicate, and moves time. Every message it
/// completes is as long as its header says; a message we cut comes back exactly once and
/// octet for octet; it stays inside its named limits.
pub fn bfcp_reassembly(data: &[u8]) {
    let _ = bfcp_reassembly_counts(data);
}

/// [`bfcp_reassembly`], returning the messages completed and the datagrams or messages
/// dropped, for the seed replay test.
#[allow(clippy::panic)]
pub fn bfcp_reassembly_counts(data: &[u8]) -> (u64, u64) {
    let mut s = Script { data };
    let mut r = Reassembler::new();
    let mut now = Instant::now();
    let mut tx: u16 = 0;
    while !s.done() {
        match s.u8() % 4 {
            0 => {
                let peer = u16::from(s.u8() % 3);
                let n = usize::from(s.u8());
                let raw = s.bytes(n).to_vec();
                if let Ok(Some(whole)) = r.push(now, peer, &raw) {
                    check_whole(&whole);
                }
            }
            1 => {
                let peer = u16::from(s.u8() % 3);
                let primitive = s.pick(&Primitive::ALL).unwrap_or(Primitive::Hello);
                let mut header = Header::new(Version::V2, primitive, 7, u16::from(s.u8() % 4), 1);
                header.responder = s.u8() & 1 != 0;
                let payload_units = u16::from(s.u8());
                let offset = u16::from(s.u8());
                let units = usize::from(s.u8() % 8) + 1;
                let mut data = s.bytes(units * 4).to_vec();
                data.resize(units * 4, 0);
                let fragment = Fragment {
                    header,
                    payload_units,
                    offset,
                    data,
                };
                if let Ok(bytes) = fragment.encode() {
                    if let Ok(Some(whole)) = r.push(now, peer, &bytes) {
                        check_whole(&whole);
                    }
                }
            }
            2 => {
                tx = tx.wrapping_add(1);
                let msg = message(&mut s, Version::V2, tx, 1);
                let Ok(expected) = msg.encode() else {
                    continue;
                };
                let datagrams = fragmented(&mut s, &msg);
                if datagrams.len() < 2 {
                    continue;
                }
                let mut got = Vec::new();
                for d in &datagrams {
                    match r.push(now, CLEAN_PEER, d) {
                        Ok(Some(whole)) => got.push(whole),
                        Ok(None) => {}
                        Err(e) => panic!("our own fragment refused: {e}"),
                    }
                }
                assert_eq!(got, vec![expected], "our fragments do not come back whole");
            }
            _ => {
                s.time(&mut now);
                if r.poll_timeout().is_some_and(|t| t <= now) {
                    r.handle_timeout(now);
                }
                if let Some(t) = r.poll_timeout() {
                    assert!(t > now, "an expired reassembly was kept");
                }
            }
        }
        assert!(
            r.pending() <= MAX_PENDING_REASSEMBLIES,
            "reassemblies unbounded"
        );
        assert!(
            r.buffered() <= r.pending() * MAX_MESSAGE_LEN,
            "reassembly data unbounded"
        );
    }
    (r.completed(), r.dropped())
}

#[allow(clippy::panic)]
fn check_whole(whole: &[u8]) {
    let h = CommonHeader::decode(whole).unwrap_or_else(|e| panic!("reassembled header: {e}"));
    assert!(h.fragment.is_none(), "reassembled message keeps the F bit");
    assert_eq!(whole.len(), HEADER_LEN + usize::from(h.payload_units) * 4);
    assert!(whole.len() <= MAX_MESSAGE_LEN);
}
