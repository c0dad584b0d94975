//! Fuzz entry points, shared by the cargo-fuzz targets `fuzz/fuzz_targets/bfcp_*.rs` and by
//! the seed replay test `bfcp/tests/fuzz_corpus.rs`. They panic only when an invariant of
//! this crate breaks; errors for hostile input are expected.

mod machines;
mod udp;

pub use machines::{
    bfcp_participant, bfcp_participant_udp_stats, bfcp_server, bfcp_server_udp_stats,
};
pub use udp::{bfcp_reassembly, bfcp_reassembly_counts};

use crate::limits::{HEADER_LEN, MAX_MESSAGE_LEN, MAX_STREAM_BUFFER};
use crate::message::{Fragment, Message};
use crate::stream::{StreamError, StreamFramer};

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

/// Cuts `data[1..]` into messages twice: in chunks whose sizes come from `data[0]`, and in
/// pieces as large as the framer takes. How a peer splits its bytes must not change what is
/// framed or where the stream fails; every frame is as long as its header says, and the
/// buffer stays under its limit.
#[allow(clippy::panic)] // Fuzz invariants: a panic is the report.
pub fn bfcp_stream(data: &[u8]) {
    let Some((seed, stream)) = data.split_first() else {
        return;
    };
    let mut sizes = ChunkSizes(u32::from(*seed) | 1);
    let chunked = frame_all(stream, || sizes.next());
    let whole = frame_all(stream, || MAX_MESSAGE_LEN);
    assert_eq!(chunked, whole, "framing depends on chunking");
    for frame in &chunked.0 {
        let units = match frame.as_slice() {
            [_, _, hi, lo, ..] => usize::from(u16::from_be_bytes([*hi, *lo])),
            _ => panic!("frame shorter than a header"),
        };
        assert_eq!(frame.len(), HEADER_LEN + units * 4, "frame length");
    }
}

/// Frames and the error that ended the stream, if any.
type Framed = (Vec<Vec<u8>>, Option<StreamError>);

#[allow(clippy::panic)]
fn frame_all(stream: &[u8], mut chunk: impl FnMut() -> usize) -> Framed {
    let mut f = StreamFramer::new();
    let mut frames = Vec::new();
    let mut rest = stream;
    while !rest.is_empty() {
        let (piece, tail) = rest.split_at(chunk().clamp(1, rest.len()));
        rest = tail;
        if let Err(e) = f.push(piece) {
            return (frames, Some(e));
        }
        loop {
            match f.next_frame() {
                Ok(Some(frame)) => frames.push(frame),
                Ok(None) => break,
                Err(e) => return (frames, Some(e)),
            }
        }
        assert!(f.buffered() <= MAX_STREAM_BUFFER, "buffer over its limit");
    }
    (frames, None)
}

/// A small deterministic generator of chunk sizes (1..=64 octets).
struct ChunkSizes(u32);

impl ChunkSizes {
    fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        (self.0 % 64) as usize + 1
    }
}
