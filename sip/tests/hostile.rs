//! Hostile input: deterministic mutations of every conformance message (bit flips, cuts,
//! repeated and inserted bytes) through the datagram decoder and the stream framer. Each must
//! return, with an error or a message, never a panic, and never claim more bytes than it got.
//! The fuzz targets do this with coverage guidance; this keeps a fixed sweep in `cargo test`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;

use roomgate_sip::{decode_datagram, Frame, StreamFramer};

fn seeds() -> Vec<Vec<u8>> {
    let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let mut out = Vec::new();
    for dir in ["rfc4475", "rfc5118/wire-ersip"] {
        for entry in std::fs::read_dir(base.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with(".tsv") || name.ends_with(".md") || name == "SHA256SUMS" {
                continue;
            }
            out.push(std::fs::read(path).unwrap());
        }
    }
    out
}

struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const INTERESTING: &[&[u8]] = &[
    b"\r\n",
    b"\r\n ",
    b";",
    b",",
    b"<",
    b">",
    b"\"",
    b"\\",
    b"%",
    b":",
    b"[",
    b"]",
    b"@",
    b"Content-Length: 99999999999\r\n",
    b"\0",
    b"\xff",
];

fn mutate(rng: &mut XorShift, seed: &[u8]) -> Vec<u8> {
    let mut m = seed.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(m.len() + 1);
        match rng.below(5) {
            0 if !m.is_empty() => {
                let i = at.min(m.len() - 1);
                m[i] ^= 1 << rng.below(8);
            }
            1 => m.truncate(at),
            2 => {
                let piece = INTERESTING[rng.below(INTERESTING.len())];
                m.splice(at..at, piece.iter().copied());
            }
            3 if !m.is_empty() => {
                let end = (at + rng.below(64)).min(m.len());
                let start = at.min(end);
                let copy: Vec<u8> = m[start..end].to_vec();
                m.splice(start..start, copy);
            }
            _ => {
                let end = (at + rng.below(16)).min(m.len());
                m.drain(at.min(end)..end);
            }
        }
    }
    m
}

#[test]
fn mutated_messages_never_panic() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let seeds = seeds();
    assert!(seeds.len() >= 60);
    for seed in &seeds {
        for _ in 0..300 {
            let input = mutate(&mut rng, seed);
            if let Ok(msg) = decode_datagram(&input) {
                assert!(msg.consumed <= input.len());
                let mut out = Vec::new();
                msg.write_to(&mut out);
                decode_datagram(&out).expect("a valid message re-serializes to a valid message");
            }
            // One framer per stream, as a transport keeps one per connection.
            let framer = StreamFramer::default();
            let mut buf = &input[..];
            for _ in 0..16 {
                match framer.next_frame(buf) {
                    Ok(Some((frame, used))) => {
                        assert!(used > 0 && used <= buf.len());
                        if let Frame::Message(m) = frame {
                            assert_eq!(m.consumed, used);
                        }
                        buf = &buf[used..];
                    }
                    Ok(None) | Err(_) => break,
                }
            }
        }
    }
}
