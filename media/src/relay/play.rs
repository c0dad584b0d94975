//! What the application sends on a leg itself: prompt frames, RFC 4733 events, and keyframe
//! requests.

use std::time::Instant;

use super::{
    rewrite, Leg, OutEvent, PlayFrame, Relay, RelayError, SessionId, StreamKind, Transmit,
};
use crate::codec::AudioEncoder;
use crate::rtcp::CompoundWriter;
use crate::rtp::RtpBuilder;

impl Relay {
    /// Sends one frame of a prompt on a leg, continuing the leg's SSRC, sequence and
    /// timestamp; pacing (one call per frame duration) is the caller's.
    pub fn play(
        &mut self,
        now: Instant,
        id: SessionId,
        leg: Leg,
        kind: StreamKind,
        frame: PlayFrame<'_>,
        buf: &mut [u8],
    ) -> Result<Transmit, RelayError> {
        let st = self.stream_mut(id, kind)?;
        let l = st
            .legs
            .get_mut(leg.index())
            .ok_or(RelayError::UnknownStream)?;
        let to = l.latch.destination().ok_or(RelayError::NoDestination)?;
        let mut marker = false;
        let mut same_ts = false;
        let (pt, samples, payload): (u8, u32, &[u8]) = match frame {
            PlayFrame::Encoded {
                payload_type,
                payload,
                samples,
            } => (payload_type, samples, payload),
            PlayFrame::Event {
                payload_type,
                payload,
                start,
            } => {
                marker = start;
                same_ts = !start;
                (payload_type, rewrite::EVENT_TS_STEP, payload)
            }
            PlayFrame::Pcm(pcm) => {
                let ((codec, pt), enc) = match (l.codec, l.encoder.as_mut()) {
                    (Some(c), Some(e)) => (c, e),
                    _ => return Err(RelayError::NoCodec),
                };
                let n = enc.encode(pcm, &mut st.scratch)?;
                let per_ch = pcm.len() / codec.channels().max(1);
                let samples = (per_ch as u64 * u64::from(codec.rtp_clock())
                    / u64::from(codec.pcm_rate().max(1))) as u32;
                (pt, samples, st.scratch.get(..n).unwrap_or(&[]))
            }
        };
        let (ssrc, seq, ts) = if same_ts {
            l.rewriter.next_local_same_ts()
        } else {
            l.rewriter.next_local(samples)
        };
        let n = RtpBuilder {
            marker,
            payload_type: pt & 0x7f,
            sequence_number: seq,
            timestamp: ts,
            ssrc,
            ..RtpBuilder::default()
        }
        .write(payload, buf)
        .map_err(|_| RelayError::BufferTooSmall)?;
        let plen = payload.len();
        let n = match l.tx.as_mut() {
            Some(tx) => tx
                .protect_rtp(buf, n)
                .map_err(|_| RelayError::BufferTooSmall)?,
            None => n,
        };
        l.sent_rtp(now, ts, plen, n);
        let t = Transmit {
            from_port: l.rtp_port,
            to,
            len: n,
        };
        self.stats.played = self.stats.played.saturating_add(1);
        Ok(t)
    }

    /// Asks the far end of `leg` for a keyframe: an RTCP PLI (RFC 4585 §6.3.1, in a compound
    /// packet after an empty RR) from this leg's SSRC about the source that far end sends,
    /// for a request that came by signalling on the other leg (an H.323 room's or MCU's
    /// videoFastUpdatePicture) and so never reached the RTCP path.
    pub fn request_keyframe(
        &mut self,
        id: SessionId,
        leg: Leg,
        kind: StreamKind,
        buf: &mut [u8],
    ) -> Result<Transmit, RelayError> {
        let l = self
            .stream_mut(id, kind)?
            .legs
            .get_mut(leg.index())
            .ok_or(RelayError::UnknownStream)?;
        let to = l.rtcp_destination().ok_or(RelayError::NoDestination)?;
        let sender = l.rewriter.out_ssrc();
        let media = l.recv.ssrc.unwrap_or(0);
        let mut w = CompoundWriter::new(buf);
        w.receiver_report(sender, &[])
            .and_then(|w| w.pli(sender, media))
            .map_err(|_| RelayError::BufferTooSmall)?;
        let n = w.len();
        let n = match l.tx.as_mut() {
            Some(tx) => tx
                .protect_rtcp(buf, n)
                .map_err(|_| RelayError::BufferTooSmall)?,
            None => n,
        };
        l.sent(n);
        let t = Transmit {
            from_port: l.rtcp_port(),
            to,
            len: n,
        };
        self.stats.feedback_sent = self.stats.feedback_sent.saturating_add(1);
        Ok(t)
    }

    /// Sends RFC 4733 event `ev` on a leg, paced: its packets come out of
    /// [`poll_transmit`](Self::poll_transmit) as [`poll_timeout`](Self::poll_timeout) comes
    /// due, one per update interval, then the end packet three times at that interval; an
    /// event asked for while another is being sent follows it. Use this rather than
    /// [`play`](Self::play) with [`PlayFrame::Event`] for a digit to send on: `play` sends
    /// whatever it is given at once.
    pub fn send_event(
        &mut self,
        now: Instant,
        id: SessionId,
        leg: Leg,
        kind: StreamKind,
        ev: OutEvent,
    ) -> Result<(), RelayError> {
        let l = self
            .stream_mut(id, kind)?
            .legs
            .get_mut(leg.index())
            .ok_or(RelayError::UnknownStream)?;
        l.latch.destination().ok_or(RelayError::NoDestination)?;
        l.tones.push(now, ev)
    }
}
