//! Fuzz entry point, shared by the cargo-fuzz target `fuzz/fuzz_targets/bfcp_codec.rs` and by
//! the seed replay test `bfcp/tests/fuzz_corpus.rs`. It panics only when an invariant of this
//! crate breaks; errors for hostile input are expected.

use crate::message::{Fragment, Message};

/// Decodes `data` as a message (or a fragment); whatever decodes must encode, the encoding
/// must decode to the same value, and encoding that again must give the same octets.
#[allow(clippy::panic)] // Fuzz invariants: a panic is the report.
pub fn bfcp_codec(data: &[u8]) {
    if let Ok(msg) = Message::decode(data) {
        let _ = msg.validate();
        let bytes = msg
            .encode()
            .unwrap_or_else(|e| panic!("decoded message does not encode: {e}"));
        let again = Message::decode(&bytes)
            .unwrap_or_else(|e| panic!("encoded message does not decode: {e}"));
        assert_eq!(again, msg, "re-decoded message differs");
        let twice = again
            .encode()
            .unwrap_or_else(|e| panic!("re-decoded message does not encode: {e}"));
        assert_eq!(twice, bytes, "encoding is not stable");
    }
    if let Ok(frag) = Fragment::decode(data) {
        let bytes = frag
            .encode()
            .unwrap_or_else(|e| panic!("decoded fragment does not encode: {e}"));
        let again = Fragment::decode(&bytes)
            .unwrap_or_else(|e| panic!("encoded fragment does not decode: {e}"));
        assert_eq!(again, frag, "re-decoded fragment differs");
    }
}
