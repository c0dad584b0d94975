//! Fuzz entry points, shared by the cargo-fuzz targets `fuzz/fuzz_targets/h323_*.rs` and by
//! the seed replay test `h323/tests/fuzz_corpus.rs`. They panic only when an invariant of
//! this crate breaks; errors for hostile input are expected.

use crate::h225::{MessageBody, UserInformation};
use crate::limits::TPKT_HEADER_LEN;
use crate::q931::Message;
use crate::ras::RasMessage;
use crate::tpkt::{TpktDecoder, TpktError};

/// Everything one decoder yields for a stream: payloads, then the error or the octets left.
type Outcome = (Vec<Vec<u8>>, Result<usize, TpktError>);

fn frame(chunks: &mut dyn Iterator<Item = &[u8]>) -> Outcome {
    let mut decoder = TpktDecoder::default();
    let mut payloads = Vec::new();
    for chunk in chunks {
        decoder.push(chunk);
        loop {
            match decoder.next_payload() {
                Ok(Some(p)) => payloads.push(p),
                Ok(None) => break,
                Err(e) => return (payloads, Err(e)),
            }
        }
    }
    (payloads, Ok(decoder.buffered()))
}

/// The first octet chooses chunk sizes (1 to 64 octets, varying); the rest is a TCP stream.
/// Chunked framing must yield exactly what one push yields, the same error included, and each
/// payload must be the octets its header announced at the right stream position.
#[allow(clippy::panic)] // Fuzz invariants: a panic is the report.
pub fn h323_tpkt(data: &[u8]) {
    let Some((&control, stream)) = data.split_first() else {
        return;
    };
    let whole = frame(&mut std::iter::once(stream));
    let mut rest = stream;
    let mut step = usize::from(control);
    let mut chunked = std::iter::from_fn(|| {
        if rest.is_empty() {
            return None;
        }
        step = step.wrapping_mul(31).wrapping_add(7);
        let (chunk, tail) = rest.split_at((step % 64 + 1).min(rest.len()));
        rest = tail;
        Some(chunk)
    });
    let chunked = frame(&mut chunked);
    assert_eq!(chunked, whole, "chunked framing differs from one push");
    let mut at = 0usize;
    for payload in &whole.0 {
        let body = stream.get(at + TPKT_HEADER_LEN..at + TPKT_HEADER_LEN + payload.len());
        assert_eq!(
            body,
            Some(&payload[..]),
            "payload is not the stream's octets"
        );
        at += TPKT_HEADER_LEN + payload.len();
    }
    if let Ok(left) = whole.1 {
        assert_eq!(at + left, stream.len(), "octets lost");
    }
}

/// Decodes `data` as a Q.931 message; whatever decodes must encode to the same octets, and
/// those must decode to the same value.
#[allow(clippy::panic)] // Fuzz invariants: a panic is the report.
pub fn h323_q931(data: &[u8]) {
    if let Ok(msg) = Message::decode(data) {
        let bytes = msg
            .encode()
            .unwrap_or_else(|e| panic!("decoded message does not encode: {e}"));
        assert_eq!(bytes, data, "re-encoding differs from the input");
        let again = Message::decode(&bytes)
            .unwrap_or_else(|e| panic!("encoded message does not decode: {e}"));
        assert_eq!(again, msg, "re-decoded message differs");
    }
}

/// Decodes `data` as a RAS message; whatever decodes must encode, and the encoding must
/// decode to the same value (not necessarily to the input's octets: a sender may use a
/// longer length form than ours). The typed extension accessors must not panic either.
#[allow(clippy::panic)] // Fuzz invariants: a panic is the report.
pub fn h323_ras(data: &[u8]) {
    let Ok(msg) = RasMessage::decode(data) else {
        return;
    };
    let bytes = msg
        .encode()
        .unwrap_or_else(|e| panic!("decoded RAS message does not encode: {e}"));
    let again = RasMessage::decode(&bytes)
        .unwrap_or_else(|e| panic!("encoded RAS message does not decode: {e}"));
    assert_eq!(again, msg, "re-decoded RAS message differs");
    match &msg {
        RasMessage::GatekeeperRequest(m) => drop(m.feature_set()),
        RasMessage::RegistrationRequest(m) => drop((m.feature_set(), m.generic_data())),
        RasMessage::RegistrationConfirm(m) => drop((m.alternate_gatekeeper(), m.pre_granted_arq())),
        RasMessage::AdmissionRequest(m) => drop((m.call_identifier(), m.feature_set())),
        RasMessage::AdmissionConfirm(m) => drop((m.destination_type(), m.uuies_requested())),
        RasMessage::LocationConfirm(m) => drop(m.destination_type()),
        _ => {}
    }
}

/// Decodes `data` as an H323-UserInformation (H.225.0 call signalling); whatever decodes must
/// encode, and the encoding must decode to the same value. The typed extension accessors must
/// not panic either.
#[allow(clippy::panic)] // Fuzz invariants: a panic is the report.
pub fn h323_h225(data: &[u8]) {
    let Ok(ui) = UserInformation::decode(data) else {
        return;
    };
    let bytes = ui
        .encode()
        .unwrap_or_else(|e| panic!("decoded H.225.0 PDU does not encode: {e}"));
    let again = UserInformation::decode(&bytes)
        .unwrap_or_else(|e| panic!("encoded H.225.0 PDU does not decode: {e}"));
    assert_eq!(again, ui, "re-decoded H.225.0 PDU differs");
    let pdu = &ui.h323_uu_pdu;
    drop((pdu.h245_tunneling(), pdu.h245_control(), pdu.generic_data()));
    match ui.body() {
        MessageBody::Setup(m) => drop((m.call_identifier(), m.fast_start())),
        MessageBody::CallProceeding(m) => drop((m.call_identifier(), m.fast_start())),
        MessageBody::Connect(m) => drop((m.call_identifier(), m.fast_start())),
        MessageBody::Alerting(m) => drop((m.call_identifier(), m.fast_start())),
        MessageBody::Facility(m) => drop((m.call_identifier(), m.feature_set())),
        MessageBody::ReleaseComplete(m) => drop((m.call_identifier(), m.destination_info())),
        _ => {}
    }
}
