//! Framing of BFCP over TCP and TLS (RFC 8855 §6.2, as in RFC 4582): messages follow one
//! another on the stream with nothing in between, and the common header's Payload Length
//! says where each ends.
//!
//! [`StreamFramer`] is the sans-IO half of a tokio-util style decoder: the caller pushes
//! whatever the socket returned and takes whole messages out; `Ok(None)` means "read more".
//! An `Err` means the stream can no longer be framed and must be closed. A message that is
//! framed but does not decode is *not* a stream error: its length was readable, the next
//! message starts after it, and the floor control server answers it with an Error.
//!
//! Cost is linear in the octets received however the peer splits them: the header is read
//! once per message, the length it gives is remembered, and a push only compares the
//! buffered length against it until the message is complete.

use crate::limits::{HEADER_LEN, MAX_MESSAGE_LEN, MAX_STREAM_BUFFER};

/// The F bit (RFC 8855 §5.1): no significance over a reliable transport.
const F_BIT: u8 = 0x08;

/// Why the stream must be closed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StreamError {
    /// The header announces a message larger than we accept; skipping it would mean
    /// trusting the rest of a stream that already broke our limits.
    #[error("stream message of {declared} octets exceeds the limit of {limit}")]
    TooLarge { declared: usize, limit: usize },
    /// The caller pushed more than the framer holds without taking messages out.
    #[error("stream buffer would hold {size} octets, over the limit of {limit}")]
    BufferFull { size: usize, limit: usize },
    /// An earlier error ended the stream; nothing after it is framed.
    #[error("stream already failed: {0}")]
    Failed(Box<StreamError>),
}

/// Cuts a byte stream into BFCP messages.
#[derive(Debug)]
pub struct StreamFramer {
    buf: Vec<u8>,
    /// Octets of `buf` already handed out; compacted away on the next push.
    start: usize,
    /// Length of the message at `start`, once its header has arrived.
    need: Option<usize>,
    max_message_len: usize,
    failed: Option<StreamError>,
    /// Headers parsed, for the test that proves each is read once.
    #[cfg(test)]
    header_reads: usize,
}

impl Default for StreamFramer {
    fn default() -> Self {
        StreamFramer::new()
    }
}

impl StreamFramer {
    /// A framer accepting messages up to [`MAX_MESSAGE_LEN`] octets.
    pub fn new() -> Self {
        StreamFramer::with_max_message_len(MAX_MESSAGE_LEN)
    }

    /// A framer with a smaller message limit (larger ones are capped at [`MAX_MESSAGE_LEN`],
    /// the most the decoder takes anyway).
    pub fn with_max_message_len(limit: usize) -> Self {
        StreamFramer {
            buf: Vec::new(),
            start: 0,
            need: None,
            max_message_len: limit.clamp(HEADER_LEN, MAX_MESSAGE_LEN),
            failed: None,
            #[cfg(test)]
            header_reads: 0,
        }
    }

    /// Octets received and not yet returned as a message.
    pub fn buffered(&self) -> usize {
        self.buf.len().saturating_sub(self.start)
    }

    /// Appends octets read from the stream. Take every whole message out with
    /// [`StreamFramer::next_frame`] after each push and push at most [`MAX_MESSAGE_LEN`]
    /// octets at a time: then this fails only for a broken stream.
    pub fn push(&mut self, data: &[u8]) -> Result<(), StreamError> {
        self.check_failed()?;
        if self.start > 0 {
            // Each compaction moves at most one partial message, once per message taken.
            self.buf.drain(..self.start);
            self.start = 0;
        }
        let size = self.buf.len().saturating_add(data.len());
        if size > MAX_STREAM_BUFFER {
            return Err(self.fail(StreamError::BufferFull {
                size,
                limit: MAX_STREAM_BUFFER,
            }));
        }
        self.buf.extend_from_slice(data);
        Ok(())
    }

    /// The next whole message, exactly as long as its header says, or `None` until more
    /// octets arrive. A version-2 message has its F bit cleared (RFC 8855 §5.1: it has no
    /// significance here), so it decodes as a whole message rather than a fragment.
    pub fn next_frame(&mut self) -> Result<Option<Vec<u8>>, StreamError> {
        self.check_failed()?;
        let need = match self.need {
            Some(n) => n,
            None => {
                let Some(header) = self.buf.get(self.start..self.start + HEADER_LEN) else {
                    return Ok(None);
                };
                let units = match header {
                    [_, _, hi, lo, ..] => usize::from(u16::from_be_bytes([*hi, *lo])),
                    _ => 0,
                };
                let declared = HEADER_LEN + units * 4;
                if declared > self.max_message_len {
                    return Err(self.fail(StreamError::TooLarge {
                        declared,
                        limit: self.max_message_len,
                    }));
                }
                #[cfg(test)]
                {
                    self.header_reads += 1;
                }
                self.need = Some(declared);
                declared
            }
        };
        let end = self.start + need;
        let Some(bytes) = self.buf.get(self.start..end) else {
            return Ok(None);
        };
        let mut frame = bytes.to_vec();
        if let Some(first) = frame.first_mut() {
            if *first >> 5 == 2 {
                *first &= !F_BIT;
            }
        }
        self.start = end;
        self.need = None;
        Ok(Some(frame))
    }

    fn check_failed(&self) -> Result<(), StreamError> {
        match &self.failed {
            Some(e) => Err(StreamError::Failed(Box::new(e.clone()))),
            None => Ok(()),
        }
    }

    fn fail(&mut self, e: StreamError) -> StreamError {
        self.failed = Some(e.clone());
        self.buf = Vec::new();
        self.start = 0;
        e
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::{Attribute, Header, Message, Primitive, Value, Version};

    fn request(version: Version, tx: u16) -> Vec<u8> {
        Message::new(
            Header::new(version, Primitive::FloorRequest, 1, tx, 2),
            vec![Attribute::mandatory(Value::FloorId(1))],
        )
        .encode()
        .unwrap()
    }

    fn hello(tx: u16) -> Vec<u8> {
        Message::new(Header::new(Version::V1, Primitive::Hello, 1, tx, 2), vec![])
            .encode()
            .unwrap()
    }

    fn drain(f: &mut StreamFramer) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        while let Some(frame) = f.next_frame().unwrap() {
            out.push(frame);
        }
        out
    }

    #[test]
    fn whole_messages_back_to_back_in_any_chunking() {
        let messages = [request(Version::V1, 1), hello(2), request(Version::V2, 3)];
        let stream: Vec<u8> = messages.concat();
        for chunk in 1..=stream.len() {
            let mut f = StreamFramer::new();
            let mut got = Vec::new();
            for piece in stream.chunks(chunk) {
                f.push(piece).unwrap();
                got.extend(drain(&mut f));
            }
            assert_eq!(got, messages, "chunk size {chunk}");
            assert_eq!(f.buffered(), 0);
        }
    }

    #[test]
    fn partial_message_waits() {
        let m = request(Version::V1, 1);
        let mut f = StreamFramer::new();
        f.push(&m[..11]).unwrap();
        assert_eq!(f.next_frame().unwrap(), None);
        f.push(&m[11..m.len() - 1]).unwrap();
        assert_eq!(f.next_frame().unwrap(), None);
        f.push(&m[m.len() - 1..]).unwrap();
        assert_eq!(f.next_frame().unwrap(), Some(m));
    }

    #[test]
    fn undecodable_message_is_framed_and_the_stream_goes_on() {
        // Unknown primitive 99 with one word of junk, then a valid Hello.
        let junk = [
            0x20, 99, 0, 1, 0, 0, 0, 1, 0, 7, 0, 2, 0xde, 0xad, 0xbe, 0xef,
        ];
        let mut f = StreamFramer::new();
        f.push(&junk).unwrap();
        f.push(&hello(8)).unwrap();
        let frames = drain(&mut f);
        assert_eq!(frames.len(), 2);
        assert!(Message::decode(&frames[0]).is_err());
        assert_eq!(
            Message::decode(&frames[1]).unwrap().header.primitive,
            Primitive::Hello
        );
    }

    #[test]
    fn f_bit_is_cleared_in_version_2_only() {
        let mut v2 = request(Version::V2, 4);
        v2[0] |= F_BIT;
        let mut f = StreamFramer::new();
        f.push(&v2).unwrap();
        let frame = f.next_frame().unwrap().unwrap();
        assert_eq!(Message::decode(&frame).unwrap().header.transaction_id, 4);
        let mut v1 = request(Version::V1, 5);
        v1[0] |= F_BIT;
        f.push(&v1).unwrap();
        assert_eq!(f.next_frame().unwrap().unwrap(), v1);
    }

    #[test]
    fn oversized_declaration_closes_the_stream() {
        let mut f = StreamFramer::with_max_message_len(64);
        f.push(&[0x20, 1, 0, 14, 0, 0, 0, 1, 0, 1, 0, 1]).unwrap();
        assert_eq!(
            f.next_frame(),
            Err(StreamError::TooLarge {
                declared: 68,
                limit: 64
            })
        );
        assert!(matches!(f.push(&hello(1)), Err(StreamError::Failed(_))));
        assert!(matches!(f.next_frame(), Err(StreamError::Failed(_))));
    }

    #[test]
    fn largest_declaration_and_oversized_push_close_the_stream() {
        // 0xffff units = 262,152 octets: over MAX_MESSAGE_LEN.
        let mut f = StreamFramer::new();
        f.push(&[0x20, 1, 0xff, 0xff, 0, 0, 0, 1, 0, 1, 0, 1])
            .unwrap();
        assert!(matches!(f.next_frame(), Err(StreamError::TooLarge { .. })));
        let mut f = StreamFramer::new();
        let big = vec![0u8; MAX_STREAM_BUFFER + 1];
        assert!(matches!(f.push(&big), Err(StreamError::BufferFull { .. })));
    }

    #[test]
    fn byte_by_byte_reads_each_header_once() {
        // 2,000 messages fed one octet at a time: the header of each is parsed once, and
        // nothing but the current partial message stays buffered.
        let one = request(Version::V1, 9);
        let stream = one.repeat(2000);
        let mut f = StreamFramer::new();
        let mut count = 0;
        for b in &stream {
            f.push(std::slice::from_ref(b)).unwrap();
            while let Some(frame) = f.next_frame().unwrap() {
                assert_eq!(frame, one);
                count += 1;
            }
            assert!(f.buffered() < one.len());
        }
        assert_eq!(count, 2000);
        assert_eq!(f.header_reads, 2000);
    }
}
