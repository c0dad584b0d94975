//! Message framing on stream transports (TCP, TLS). The transport appends received bytes to a
//! buffer and asks for the next frame: `Ok(None)` means "need more bytes", `Err` means the
//! stream is beyond repair and must be closed (there is no way to resynchronise a SIP stream).

use crate::error::ParseError;
use crate::limits::MAX_MESSAGE_SIZE;
use crate::message::{content_length, find_header_end, parse_head, Message};

/// One frame taken off the front of a stream buffer. (Not boxed: a frame is moved once per
/// message, and boxing would allocate on every one.)
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame<'a> {
    /// A double-CRLF keep-alive ping (RFC 5626 §4.4.1); answer with a single CRLF pong.
    Ping,
    /// A single-CRLF keep-alive pong.
    Pong,
    /// A whole message, parsed (not yet validated).
    Message(Message<'a>),
}

/// Why a stream must be closed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FramingError {
    #[error("no message end within {limit} bytes")]
    TooLarge { limit: usize },
    #[error("stream message without Content-Length")]
    MissingContentLength,
    #[error(transparent)]
    Parse(#[from] ParseError),
}

/// Frames SIP messages on a byte stream with a size limit.
///
/// Use one framer per stream and call [`StreamFramer::next_frame`] with the stream's buffer,
/// only ever appended to, until it returns a frame; then drop that frame's bytes from the
/// front. The framer remembers how far it has searched and how long the pending message is,
/// so a peer that sends one byte at a time costs linear work, not quadratic.
#[derive(Debug, Clone)]
pub struct StreamFramer {
    max_message: usize,
    /// Bytes at the front of the buffer already searched for the end of the headers.
    scanned: std::cell::Cell<usize>,
    /// Total length of the message whose headers are complete but whose body is not.
    pending_total: std::cell::Cell<Option<usize>>,
}

impl Default for StreamFramer {
    fn default() -> Self {
        Self::new(MAX_MESSAGE_SIZE)
    }
}

impl StreamFramer {
    /// `max_message` is capped at [`MAX_MESSAGE_SIZE`].
    pub fn new(max_message: usize) -> Self {
        Self {
            max_message: max_message.min(MAX_MESSAGE_SIZE),
            scanned: std::cell::Cell::new(0),
            pending_total: std::cell::Cell::new(None),
        }
    }

    fn reset(&self) {
        self.scanned.set(0);
        self.pending_total.set(None);
    }

    /// Takes the next frame from the front of `buf`, returning it with the number of bytes it
    /// used; the caller drops that many bytes from its buffer.
    pub fn next_frame<'a>(
        &self,
        buf: &'a [u8],
    ) -> Result<Option<(Frame<'a>, usize)>, FramingError> {
        // A buffer shorter than what we searched is a new one: start over.
        if buf.len() < self.scanned.get() {
            self.reset();
        }
        let result = self.frame(buf);
        if !matches!(result, Ok(None)) {
            self.reset();
        }
        result
    }

    fn frame<'a>(&self, buf: &'a [u8]) -> Result<Option<(Frame<'a>, usize)>, FramingError> {
        if let Some(total) = self.pending_total.get() {
            if buf.len() < total {
                return Ok(None);
            }
        }
        match buf {
            [] | [b'\r'] | [b'\r', b'\n'] | [b'\r', b'\n', b'\r'] => return Ok(None),
            [b'\r', b'\n', b'\r', b'\n', ..] => return Ok(Some((Frame::Ping, 4))),
            [b'\r', b'\n', ..] => return Ok(Some((Frame::Pong, 2))),
            _ => {}
        }
        let window = buf.get(..buf.len().min(self.max_message)).unwrap_or(buf);
        // Resume the search 3 bytes back, in case the CRLFCRLF straddles the old end.
        let resume = self.scanned.get().saturating_sub(3).min(window.len());
        let found = find_header_end(window.get(resume..).unwrap_or_default()).map(|e| e + resume);
        let Some(header_end) = found else {
            if buf.len() >= self.max_message {
                return Err(FramingError::TooLarge {
                    limit: self.max_message,
                });
            }
            self.scanned.set(window.len());
            return Ok(None);
        };
        // Keep the search able to find these same headers again once the body is complete.
        self.scanned.set(header_end.saturating_sub(4));
        let head = parse_head(buf, 0, header_end)?;
        let body_len = content_length(&head.headers)?.ok_or(FramingError::MissingContentLength)?;
        let total = header_end + body_len;
        if total > self.max_message {
            return Err(FramingError::TooLarge {
                limit: self.max_message,
            });
        }
        let Some(body) = buf.get(header_end..total) else {
            self.pending_total.set(Some(total));
            return Ok(None);
        };
        let msg = Message {
            start: head.start,
            headers: head.headers,
            body,
            consumed: total,
            core: crate::message::CoreHeaders::default(),
        };
        Ok(Some((Frame::Message(msg), total)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSG: &[u8] = b"MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 5\r\n\r\nhello";

    #[test]
    fn waits_for_whole_message_at_every_split() {
        let framer = StreamFramer::default();
        for cut in 0..MSG.len() {
            assert_eq!(
                framer.next_frame(&MSG[..cut]).unwrap(),
                None,
                "cut at {cut}"
            );
        }
        let mut stream = MSG.to_vec();
        stream.extend_from_slice(b"\r\n\r\n");
        stream.extend_from_slice(MSG);
        let (frame, used) = framer.next_frame(&stream).unwrap().unwrap();
        assert!(matches!(frame, Frame::Message(ref m) if m.body == b"hello"));
        assert_eq!(used, MSG.len());
        let (frame, used2) = framer.next_frame(&stream[used..]).unwrap().unwrap();
        assert_eq!((frame, used2), (Frame::Ping, 4));
        let (frame, _) = framer.next_frame(&stream[used + 4..]).unwrap().unwrap();
        assert!(matches!(frame, Frame::Message(_)));
    }

    #[test]
    fn byte_at_a_time_matches_whole_and_searches_linearly() {
        let framer = StreamFramer::default();
        let mut msg = b"MESSAGE sip:a@b SIP/2.0\r\n".to_vec();
        for i in 0..200 {
            msg.extend_from_slice(format!("X-Pad-{i}: {}\r\n", "y".repeat(60)).as_bytes());
        }
        msg.extend_from_slice(b"Content-Length: 5\r\n\r\nhello");
        let mut buf = Vec::new();
        let mut frames = 0;
        for &b in &msg {
            buf.push(b);
            if let Some((frame, used)) = framer.next_frame(&buf).unwrap() {
                assert!(
                    matches!(frame, Frame::Message(ref m) if m.body == b"hello" && m.headers.len() == 201)
                );
                assert_eq!(used, msg.len());
                frames += 1;
                buf.drain(..used);
            }
        }
        assert_eq!(frames, 1);
        assert!(buf.is_empty());
        // The framer is ready for the next message on the same stream.
        assert!(matches!(
            framer.next_frame(MSG).unwrap(),
            Some((Frame::Message(_), _))
        ));
    }

    #[test]
    fn keep_alives() {
        let framer = StreamFramer::default();
        assert_eq!(framer.next_frame(b"\r\n").unwrap(), None);
        assert_eq!(
            framer.next_frame(b"\r\nINV").unwrap(),
            Some((Frame::Pong, 2))
        );
    }

    #[test]
    fn limits_and_faults() {
        let framer = StreamFramer::new(64);
        assert!(matches!(
            framer.next_frame(&[b'A'; 64]),
            Err(FramingError::TooLarge { .. })
        ));
        assert!(matches!(
            framer.next_frame(b"MESSAGE sip:a@b SIP/2.0\r\nl: 60\r\n\r\n"),
            Err(FramingError::TooLarge { .. })
        ));
        assert!(matches!(
            framer.next_frame(b"MESSAGE sip:a@b SIP/2.0\r\nX: y\r\n\r\n"),
            Err(FramingError::MissingContentLength)
        ));
        assert!(matches!(
            StreamFramer::default().next_frame(b"MESSAGE sip:a@b SIP/2.0\r\nl: -1\r\n\r\n"),
            Err(FramingError::Parse(_))
        ));
    }
}
