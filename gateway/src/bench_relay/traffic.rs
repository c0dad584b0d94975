//! The benchmark's media: what each packet carries, the sender (one thread, paced by a timer
//! wheel of 1 ms slots) and the receivers (one task per endpoint socket on the tool's
//! runtime), and the verifier that decides whether what came back is what was sent.
//!
//! Every payload names its stream, its sequence number and the instant it was sent (same
//! host, same clock: one-way latency needs no clock sync), and the rest of it is a pattern
//! derived from those, so a flipped byte anywhere shows up as corruption. A packet the
//! sender could not put on the wire on time is counted as not placed, never as relay loss.

use std::net::{SocketAddr, UdpSocket};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use roomgate_media::rtp::{RtpBuilder, RtpPacket};
use roomgate_media::srtp::SrtpContext;

use super::report::Histogram;

/// Marks our payloads (and their layout version).
pub const MAGIC: [u8; 4] = *b"RGB1";

/// Magic, stream, sequence number, send instant.
pub const HEADER_LEN: usize = 20;

/// Room for the SRTP tag (and an MKI) after the RTP packet.
const SRTP_ROOM: usize = 64;

/// RTP header of our packets (no CSRCs, no extension).
const RTP_HEADER: usize = 12;

/// A latency above this is not believed (a corrupted send instant).
const MAX_BELIEVED_LATENCY: Duration = Duration::from_secs(60);

/// The pattern byte at offset `j` of the payload of `seq` on `stream`.
fn pattern(stream: u32, seq: u32, j: usize) -> u8 {
    let x = (stream ^ seq.rotate_left(16)).wrapping_mul(0x9E37_79B1);
    (x >> ((j % 4) * 8)) as u8 ^ (j as u8)
}

/// Writes the payload of `seq` on `stream` sent `sent_ns` after the run's epoch.
pub fn fill_payload(out: &mut [u8], stream: u32, seq: u32, sent_ns: u64) {
    for (j, b) in out.iter_mut().enumerate().skip(HEADER_LEN) {
        *b = pattern(stream, seq, j);
    }
    let mut header = [0u8; HEADER_LEN];
    header[..4].copy_from_slice(&MAGIC);
    header[4..8].copy_from_slice(&stream.to_be_bytes());
    header[8..12].copy_from_slice(&seq.to_be_bytes());
    header[12..20].copy_from_slice(&sent_ns.to_be_bytes());
    for (o, h) in out.iter_mut().zip(header) {
        *o = h;
    }
}

/// What a received payload is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Ours, intact: its sequence number and send instant.
    Intact { seq: u32, sent_ns: u64 },
    /// Wrong length, wrong stream, or any byte differs from what was sent.
    Corrupted,
}

/// Checks a payload received for `stream` against what its sender wrote.
pub fn verify(payload: &[u8], stream: u32, len: usize) -> Verdict {
    if payload.len() != len || payload.len() < HEADER_LEN {
        return Verdict::Corrupted;
    }
    let word = |at: usize| -> Option<u32> {
        Some(u32::from_be_bytes(
            payload.get(at..at + 4)?.try_into().ok()?,
        ))
    };
    let (Some(s), Some(seq)) = (word(4), word(8)) else {
        return Verdict::Corrupted;
    };
    let sent_ns = payload
        .get(12..20)
        .and_then(|b| b.try_into().ok())
        .map(u64::from_be_bytes);
    let (Some(sent_ns), true, true) = (sent_ns, payload.starts_with(&MAGIC), s == stream) else {
        return Verdict::Corrupted;
    };
    let rest_ok = payload
        .iter()
        .enumerate()
        .skip(HEADER_LEN)
        .all(|(j, &b)| b == pattern(stream, seq, j));
    if rest_ok {
        Verdict::Intact { seq, sent_ns }
    } else {
        Verdict::Corrupted
    }
}

/// One direction of one call as its sender sees it.
pub struct Sender {
    pub stream: u32,
    pub socket: UdpSocket,
    pub to: SocketAddr,
    pub srtp: Option<SrtpContext>,
    pub sent: u64,
    pub not_placed: u64,
    pub send_errors: u64,
}

/// What the sender thread is asked to do.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    pub pps: u32,
    pub payload: usize,
    pub packets_per_stream: u32,
    pub epoch: Instant,
}

/// Sends every stream's packets on schedule: stream `i` in slot `i % slots` of each packet
/// period. A slot reached more than one period late has its packets counted as not placed
/// (the generator, not the relay, fell behind); a full socket buffer likewise.
pub fn send_all(mut streams: Vec<Sender>, pace: Pace) -> Vec<Sender> {
    let period = Duration::from_secs(1) / pace.pps.max(1);
    let slots = u32::try_from(period.as_millis())
        .unwrap_or(1)
        .clamp(1, 1000);
    let slot_len = period / slots;
    let mut buf = vec![0u8; RTP_HEADER + pace.payload + SRTP_ROOM];
    let mut payload = vec![0u8; pace.payload];
    let start = pace.epoch;
    for k in 0..pace.packets_per_stream {
        for slot in 0..slots {
            let due = start + period * k + slot_len * slot;
            let now = Instant::now();
            if due > now {
                std::thread::sleep(due - now);
            }
            let late = Instant::now().saturating_duration_since(due) > period;
            for s in streams
                .iter_mut()
                .skip(slot as usize)
                .step_by(slots as usize)
            {
                if late {
                    s.not_placed += 1;
                    continue;
                }
                let sent_ns = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
                fill_payload(&mut payload, s.stream, k, sent_ns);
                let Some(n) = packet(s, k, &payload, &mut buf, pace.pps) else {
                    s.send_errors += 1;
                    continue;
                };
                match s.socket.send_to(buf.get(..n).unwrap_or_default(), s.to) {
                    Ok(_) => s.sent += 1,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => s.not_placed += 1,
                    Err(_) => s.send_errors += 1,
                }
            }
        }
    }
    streams
}

/// The RTP (SRTP when keyed) packet of sequence `k` in `buf`; its length.
fn packet(s: &mut Sender, k: u32, payload: &[u8], buf: &mut [u8], pps: u32) -> Option<usize> {
    let b = RtpBuilder {
        marker: false,
        payload_type: 0,
        sequence_number: k as u16,
        timestamp: k.wrapping_mul(8000 / pps.max(1)),
        ssrc: 0x5247_0000 ^ s.stream,
        csrcs: &[],
        extension: None,
        padding: 0,
    };
    let n = b.write(payload, buf).ok()?;
    match &mut s.srtp {
        Some(ctx) => ctx.protect_rtp(buf, n).ok(),
        None => Some(n),
    }
}

/// One direction of one call as its receiver sees it.
pub struct Receiver {
    pub stream: u32,
    pub srtp: Option<SrtpContext>,
    pub payload: usize,
    seen: Vec<u64>,
    pub unique: u64,
    pub duplicates: u64,
    pub corrupted: u64,
    pub undecryptable: u64,
    /// RTCP the relay sent (reports of its own), set aside.
    pub rtcp: u64,
    latency: Arc<Mutex<Histogram>>,
}

impl Receiver {
    pub fn new(
        stream: u32,
        srtp: Option<SrtpContext>,
        payload: usize,
        packets: u32,
        latency: Arc<Mutex<Histogram>>,
    ) -> Receiver {
        Receiver {
            stream,
            srtp,
            payload,
            seen: vec![0; (packets as usize).div_ceil(64)],
            unique: 0,
            duplicates: 0,
            corrupted: 0,
            undecryptable: 0,
            rtcp: 0,
            latency,
        }
    }

    /// One datagram from the relay, received `now_ns` after the epoch.
    pub fn handle(&mut self, datagram: &mut [u8], now_ns: u64) {
        // RFC 5761 §4: payload types 72-76 are RTCP (SR, RR, SDES, BYE, APP).
        if datagram
            .get(1)
            .is_some_and(|b| (72..=76).contains(&(b & 0x7f)))
        {
            self.rtcp += 1;
            return;
        }
        let len = match &mut self.srtp {
            Some(ctx) => match ctx.unprotect_rtp(datagram) {
                Ok(n) => n,
                Err(_) => {
                    self.undecryptable += 1;
                    return;
                }
            },
            None => datagram.len(),
        };
        let Some(rtp) = datagram.get(..len).and_then(|d| RtpPacket::parse(d).ok()) else {
            self.corrupted += 1;
            return;
        };
        match verify(rtp.payload(), self.stream, self.payload) {
            Verdict::Intact { seq, sent_ns } => {
                let latency = now_ns.saturating_sub(sent_ns);
                let (word, bit) = ((seq / 64) as usize, seq % 64);
                let Some(w) = self.seen.get_mut(word) else {
                    // A sequence number never sent.
                    self.corrupted += 1;
                    return;
                };
                if latency > MAX_BELIEVED_LATENCY.as_nanos() as u64 || sent_ns > now_ns {
                    self.corrupted += 1;
                } else if *w & (1 << bit) != 0 {
                    self.duplicates += 1;
                } else {
                    *w |= 1 << bit;
                    self.unique += 1;
                    if let Ok(mut h) = self.latency.lock() {
                        h.record(latency / 1000);
                    }
                }
            }
            Verdict::Corrupted => self.corrupted += 1,
        }
    }
}

/// Receives on `socket` until `stop` says so.
pub async fn receive(
    socket: tokio::net::UdpSocket,
    mut rx: Receiver,
    epoch: Instant,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Receiver {
    let mut buf = vec![0u8; 2048];
    loop {
        tokio::select! {
            r = socket.recv_from(&mut buf) => {
                if let Ok((n, _)) = r {
                    let now_ns = u64::try_from(epoch.elapsed().as_nanos()).unwrap_or(u64::MAX);
                    if let Some(d) = buf.get_mut(..n) {
                        rx.handle(d, now_ns);
                    }
                }
            }
            _ = stop.changed() => break,
        }
    }
    rx
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rx() -> Receiver {
        Receiver::new(
            7,
            None,
            160,
            100,
            Arc::new(Mutex::new(Histogram::default())),
        )
    }

    fn rtp_of(stream: u32, seq: u32, sent_ns: u64) -> Vec<u8> {
        let mut payload = vec![0u8; 160];
        fill_payload(&mut payload, stream, seq, sent_ns);
        let mut s = Sender {
            stream,
            socket: UdpSocket::bind("127.0.0.1:0").unwrap(),
            to: "127.0.0.1:9".parse().unwrap(),
            srtp: None,
            sent: 0,
            not_placed: 0,
            send_errors: 0,
        };
        let mut buf = vec![0u8; 300];
        let n = packet(&mut s, seq, &payload, &mut buf, 50).unwrap();
        buf.truncate(n);
        buf
    }

    #[test]
    fn an_intact_payload_verifies_and_every_flipped_byte_is_corruption() {
        let mut p = vec![0u8; 160];
        fill_payload(&mut p, 7, 42, 123_456);
        assert_eq!(
            verify(&p, 7, 160),
            Verdict::Intact {
                seq: 42,
                sent_ns: 123_456
            }
        );
        assert_eq!(verify(&p, 8, 160), Verdict::Corrupted, "another stream's");
        assert_eq!(verify(&p[..159], 7, 160), Verdict::Corrupted, "truncated");
        for at in [0, 5, 19, 20, 100, 159] {
            let mut bad = p.clone();
            bad[at] ^= 0x01;
            let v = verify(&bad, 7, 160);
            // A flipped sequence number or send instant is another packet's header over
            // this packet's pattern (or an unbelievable instant): caught either way below.
            if (8..20).contains(&at) {
                assert_ne!(v, verify(&p, 7, 160), "byte {at}");
            } else {
                assert_eq!(v, Verdict::Corrupted, "byte {at}");
            }
        }
    }

    #[test]
    fn the_receiver_counts_intact_duplicate_corrupted_and_rtcp() {
        let mut r = rtp_of(7, 3, 1_000_000);
        let mut rx = rx();
        rx.handle(&mut r.clone(), 2_000_000);
        rx.handle(&mut r.clone(), 2_500_000);
        let last = r.len() - 1;
        r[last] ^= 0x80;
        rx.handle(&mut r, 3_000_000);
        // A flipped sequence number lands on another packet's pattern.
        let mut s = rtp_of(7, 4, 1_000_000);
        s[12 + 11] ^= 0x01;
        rx.handle(&mut s, 3_000_000);
        // Beyond what was sent.
        rx.handle(&mut rtp_of(7, 5000, 1_000_000), 3_000_000);
        let mut rtcp = vec![0x80, 200, 0, 6];
        rtcp.extend([0u8; 24]);
        rx.handle(&mut rtcp, 3_000_000);
        assert_eq!(
            (rx.unique, rx.duplicates, rx.corrupted, rx.rtcp),
            (1, 1, 3, 1)
        );
        let h = rx.latency.lock().unwrap();
        assert_eq!(h.count(), 1);
        assert!(
            (950..=1100).contains(&h.quantile(0.5)),
            "{}",
            h.quantile(0.5)
        );
    }

    #[test]
    fn a_packet_that_fails_srtp_authentication_is_undecryptable() {
        use roomgate_media::srtp::{Policy, Suite};
        let policy = Policy::new(Suite::AesCm128HmacSha1_80, &[1; 16], &[2; 14]);
        let mut tx = SrtpContext::new(&policy).unwrap();
        let mut rx = rx();
        rx.srtp = Some(SrtpContext::new(&policy).unwrap());
        let mut good = rtp_of(7, 1, 10);
        let n = good.len();
        good.resize(n + 64, 0);
        let n = tx.protect_rtp(&mut good, n).unwrap();
        good.truncate(n);
        let mut bad = rtp_of(7, 2, 10);
        let n = bad.len();
        bad.resize(n + 64, 0);
        let n = tx.protect_rtp(&mut bad, n).unwrap();
        bad.truncate(n);
        bad[40] ^= 0x01;
        rx.handle(&mut good, 20);
        rx.handle(&mut bad, 20);
        assert_eq!((rx.unique, rx.undecryptable, rx.corrupted), (1, 1, 0));
    }
}
