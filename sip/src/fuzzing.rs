//! Fuzz entry points, shared by the cargo-fuzz targets in `fuzz/` and by the corpus replay
//! tests in `sip/tests/`. Each takes arbitrary bytes and panics only when an invariant of this
//! crate breaks; errors returned for hostile input are expected and ignored.

use crate::error::{DecodeError, Fault, ParseError};
use crate::framing::{Frame, FramingError, StreamFramer};
use crate::header_name::HeaderName;
use crate::message::Message;
use crate::owned::OwnedMessage;
use crate::uas_check::{uas_refusal, UasCapabilities};
use crate::validate::decode_datagram;

/// Header fields as (name, value), Content-Length left out: the serializer writes its own.
fn fields<'m>(msg: &'m Message<'_>) -> Vec<(HeaderName<'m>, &'m str)> {
    msg.headers
        .iter()
        .filter(|h| h.name != HeaderName::ContentLength)
        .map(|h| (h.name, h.value.as_ref()))
        .collect()
}

/// Canonical form can be longer than what was received (compact names are written in full),
/// so a message at a size limit may legitimately fail to decode once re-serialized.
fn is_size_limit(e: &DecodeError) -> bool {
    matches!(
        e.fault,
        Fault::Parse(
            ParseError::TooLarge { .. }
                | ParseError::HeaderTooLong { .. }
                | ParseError::StartLineTooLong { .. }
        )
    )
}

/// Calls every typed accessor. Validation ran the same parsers over every known header, so
/// the mandatory single-valued ones must succeed; the rest may fail on cross-field rules.
#[allow(clippy::panic)] // Fuzz invariant: a validated message whose typed header fails.
fn exercise_accessors(msg: &Message<'_>) {
    fn must<T, E: std::fmt::Debug>(what: &str, r: Result<T, E>) {
        if let Err(e) = r {
            panic!("{what} failed on a validated message: {e:?}");
        }
    }
    must("top_via", msg.top_via());
    must("from_header", msg.from_header());
    must("to_header", msg.to_header());
    must("call_id", msg.call_id());
    must("cseq", msg.cseq());
    must("max_forwards", msg.max_forwards());
    must("content_type", msg.content_type());
    must("expires", msg.expires());
    must("session_expires", msg.session_expires());
    must("min_se", msg.min_se());
    let _ = msg.vias();
    let _ = msg.contacts();
    let _ = msg.routes();
    let _ = msg.record_routes();
    let _ = msg.p_asserted_identities();
    let _ = msg.accept();
    for name in [
        HeaderName::Supported,
        HeaderName::Require,
        HeaderName::ProxyRequire,
        HeaderName::Unsupported,
        HeaderName::Allow,
        HeaderName::ContentEncoding,
    ] {
        let _ = msg.tokens(name);
    }
    for name in [
        HeaderName::Authorization,
        HeaderName::ProxyAuthorization,
        HeaderName::WwwAuthenticate,
        HeaderName::ProxyAuthenticate,
    ] {
        let _ = msg.auth(name);
    }
    let _ = msg.reasons();
    let _ = msg.user_agent();
    let _ = msg.method();
    let _ = uas_refusal(msg, &UasCapabilities::default());
}

/// Decode one datagram; if it validates, its canonical serialization must decode to the same
/// start line, header fields and body, and serializing that again must give the same bytes.
#[allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)] // Fuzz entry: panicking on a broken invariant is its purpose.
pub fn sip_message(data: &[u8]) {
    let Ok(msg) = decode_datagram(data) else {
        return;
    };
    exercise_accessors(&msg);
    let mut wire = Vec::with_capacity(data.len() + 64);
    msg.write_to(&mut wire);
    let again = match decode_datagram(&wire) {
        Ok(m) => m,
        Err(e) if is_size_limit(&e) => return,
        Err(e) => panic!(
            "canonical form does not decode: {e}\n{}",
            String::from_utf8_lossy(&wire)
        ),
    };
    assert_eq!(msg.start, again.start, "start line changed");
    assert_eq!(msg.body, again.body, "body changed");
    assert_eq!(fields(&msg), fields(&again), "header fields changed");
    assert_eq!(
        again.consumed,
        wire.len(),
        "canonical form has trailing bytes"
    );
    let mut twice = Vec::with_capacity(wire.len());
    again.write_to(&mut twice);
    assert_eq!(wire, twice, "serialization is not idempotent");
    assert_eq!(
        msg.to_owned_message().to_bytes(),
        wire,
        "OwnedMessage and Message serialize differently"
    );
}

/// A frame taken off the stream, owned so the buffer can move on.
#[derive(Debug, PartialEq, Eq)]
enum Taken {
    Ping,
    Pong,
    Message {
        bytes: Vec<u8>,
        owned: Box<OwnedMessage>,
    },
}

/// Everything a transport saw on one stream: the frames, then either the error that closed
/// the stream or the bytes left waiting for more.
#[derive(Debug, PartialEq, Eq)]
struct StreamLog {
    frames: Vec<Taken>,
    end: Result<Vec<u8>, FramingError>,
}

/// Takes every complete frame off the front of `buf`. Returns `Err` when the stream must close.
#[allow(clippy::panic, clippy::indexing_slicing)] // Fuzz invariant checks; `used` is asserted in bounds first.
fn drain(
    framer: &StreamFramer,
    buf: &mut Vec<u8>,
    frames: &mut Vec<Taken>,
) -> Result<(), FramingError> {
    // Every frame consumes at least one byte, so this bounds the loop.
    for _ in 0..=buf.len() {
        let Some((frame, used)) = framer.next_frame(buf)? else {
            return Ok(());
        };
        assert!(
            used > 0 && used <= buf.len(),
            "frame used {used} of {} bytes",
            buf.len()
        );
        let taken = match frame {
            Frame::Ping => {
                assert_eq!(used, 4, "ping is CRLFCRLF");
                Taken::Ping
            }
            Frame::Pong => {
                assert_eq!(used, 2, "pong is CRLF");
                Taken::Pong
            }
            Frame::Message(m) => {
                assert_eq!(m.consumed, used, "message consumed != frame length");
                let _ = crate::validate::validate(&m);
                Taken::Message {
                    bytes: buf[..used].to_vec(),
                    owned: Box::new(m.to_owned_message()),
                }
            }
        };
        frames.push(taken);
        buf.drain(..used);
    }
    panic!("framer made no progress");
}

fn frame_stream<'c>(chunks: impl Iterator<Item = &'c [u8]>) -> StreamLog {
    let framer = StreamFramer::default();
    let mut buf = Vec::new();
    let mut frames = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        if let Err(e) = drain(&framer, &mut buf, &mut frames) {
            return StreamLog {
                frames,
                end: Err(e),
            };
        }
    }
    StreamLog {
        frames,
        end: Ok(buf),
    }
}

/// Frame `data` as a TCP stream arriving in chunks whose sizes come from its first bytes (the
/// bytes stay part of the stream, so a plain SIP message is still a useful seed), and require
/// the same frames and outcome as when the whole stream arrives at once.
#[allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)] // Fuzz entry: panicking on a broken invariant is its purpose.
pub fn stream_framer(data: &[u8]) {
    let sizes: Vec<usize> = data.iter().take(8).map(|&b| usize::from(b % 64)).collect();
    // Keep the chunk count (and so the framer's rescans) bounded on large inputs.
    let floor = data.len() / 256 + 1;
    let mut rest = data;
    let mut pieces = Vec::new();
    while !rest.is_empty() {
        let size = sizes[pieces.len() % sizes.len()].max(floor).min(rest.len());
        let (piece, tail) = rest.split_at(size);
        pieces.push(piece);
        rest = tail;
    }
    let chunked = frame_stream(pieces.iter().copied());
    let whole = frame_stream(std::iter::once(data));
    assert_eq!(
        chunked, whole,
        "chunked framing differs from framing at once"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_points_accept_odd_input() {
        for input in [
            &b""[..],
            b"\r\n",
            b"\r\n\r\n\r\nX",
            b"MESSAGE sip:a@b SIP/2.0\r\nl: 3\r\n\r\nabc\r\n\r\nMESSAGE sip:a@b SIP/2.0\r\n",
            b"OPTIONS sip:a@b SIP/2.0\r\nv: SIP/2.0/UDP h;branch=z9hG4bK1\r\nt: <sip:a@b>\r\n\
              f: <sip:c@d>;tag=1\r\ni: x\r\nCSeq: 1 OPTIONS\r\nX-A: a\r\n  b\r\n\r\n",
        ] {
            sip_message(input);
            stream_framer(input);
        }
    }
}
