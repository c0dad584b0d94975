//! The `h323_h245` fuzz entry point, beside the others of [`crate::fuzzing`] (kept here so
//! the H.245 codec lands without touching them).

use super::{MultimediaSystemControlMessage, OpenLogicalChannel, RequestMessage};

pub use super::session::fuzzing::{h245_session, h245_session_seeds};

/// Decodes `data` as a MultimediaSystemControlMessage and as a fastStart OpenLogicalChannel;
/// whatever decodes must encode, and the encoding must decode to the same value (not
/// necessarily to the input's octets: a sender may use a longer length form than ours).
/// The typed extension accessors and the FunctionNotUnderstood answer must not panic, and
/// the answer must decode.
#[allow(clippy::panic)] // Fuzz invariants: a panic is the report.
pub fn h323_h245(data: &[u8]) {
    if let Ok(msg) = MultimediaSystemControlMessage::decode(data) {
        let bytes = msg
            .encode()
            .unwrap_or_else(|e| panic!("decoded H.245 message does not encode: {e}"));
        let again = MultimediaSystemControlMessage::decode(&bytes)
            .unwrap_or_else(|e| panic!("encoded H.245 message does not decode: {e}"));
        assert_eq!(again, msg, "re-decoded H.245 message differs");
        if let MultimediaSystemControlMessage::Request(RequestMessage::OpenLogicalChannel(olc)) =
            &msg
        {
            drop((olc.encryption_sync(), olc.generic_information()));
        }
        if let Some(answer) = msg.function_not_understood() {
            let octets = answer
                .encode()
                .unwrap_or_else(|e| panic!("functionNotUnderstood does not encode: {e}"));
            if let Err(e) = MultimediaSystemControlMessage::decode(&octets) {
                panic!("functionNotUnderstood does not decode: {e}");
            }
        }
    }
    if let Ok(olc) = OpenLogicalChannel::decode(data) {
        let bytes = olc
            .encode()
            .unwrap_or_else(|e| panic!("decoded OpenLogicalChannel does not encode: {e}"));
        let again = OpenLogicalChannel::decode(&bytes)
            .unwrap_or_else(|e| panic!("encoded OpenLogicalChannel does not decode: {e}"));
        assert_eq!(again, olc, "re-decoded OpenLogicalChannel differs");
        drop((olc.encryption_sync(), olc.generic_information()));
    }
}
