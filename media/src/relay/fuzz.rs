//! Fuzz entry of the relay core.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::srtp::Policy;

use super::{
    DtmfConfig, Leg, LegConfig, PlayFrame, Relay, RelayConfig, StreamConfig, StreamKind, StreamMode,
};

/// Fuzz entry: a configured core (audio: plain NAT leg A, SRTP leg B with a null-ish key;
/// video: plain legs, B's far end taking keyframe requests and bitrate limits by signalling)
/// fed arbitrary datagrams, ports (`0x40` in the op: the video stream's), sources and time
/// steps; must not panic or grow unbounded.
#[doc(hidden)]
pub fn fuzz_relay(data: &[u8]) {
    let t0 = Instant::now();
    let mut relay = Relay::new(
        t0,
        RelayConfig {
            port_min: 50000,
            port_max: 50011,
            ..RelayConfig::default()
        },
    );
    let suite = crate::srtp::Suite::AesCm128HmacSha1_80;
    let key = [7u8; 16];
    let salt = [9u8; 14];
    let addr = |p: u16| SocketAddr::from(([127, 0, 0, 1], p));
    let cfg = StreamConfig {
        kind: StreamKind::Audio,
        mode: StreamMode::PassThrough,
        clock_rate: 8000,
        a: LegConfig {
            remote_rtp: Some(addr(1000)),
            nat: true,
            rewrite: true,
            dtmf: Some(DtmfConfig {
                payload_type: 101,
                clock_rate: 8000,
                forward: false,
            }),
            ..LegConfig::default()
        },
        b: LegConfig {
            remote_rtp: Some(addr(2000)),
            rtcp_mux: true,
            srtp_in: Some(Policy::new(suite, &key, &salt)),
            srtp_out: Some(Policy::new(suite, &key, &salt)),
            rewrite: true,
            ..LegConfig::default()
        },
    };
    let video = StreamConfig {
        kind: StreamKind::Video,
        mode: StreamMode::PassThrough,
        clock_rate: 90000,
        a: LegConfig {
            remote_rtp: Some(addr(1000)),
            nat: true,
            ..LegConfig::default()
        },
        b: LegConfig {
            remote_rtp: Some(addr(2000)),
            nat: true,
            control_by_signalling: true,
            ..LegConfig::default()
        },
    };
    let Ok(id) = relay.add_session(t0, &[cfg, video]) else {
        return;
    };
    // The socket layer hears of the RTCP ports legs without mux use: here A's audio, and
    // both video legs (B's audio muxes).
    assert_eq!(rtcp_ports(&mut relay), [(true, 1), (true, 5), (true, 7)]);
    let mut now = t0;
    let mut buf = vec![0u8; 2048];
    let mut rest = data;
    for _ in 0..256 {
        let Some((&op, tail)) = rest.split_first() else {
            break;
        };
        let Some((&n, tail)) = tail.split_first() else {
            break;
        };
        let n = usize::from(n).min(tail.len());
        let (body, tail) = tail.split_at(n);
        rest = tail;
        match op % 8 {
            0 => {
                now += Duration::from_millis(n as u64 * 40);
                relay.handle_timeout(now);
                while relay.poll_transmit(now, &mut buf).is_some() {}
            }
            1 => {
                let _ = relay.play(
                    now,
                    id,
                    Leg::B,
                    StreamKind::Audio,
                    PlayFrame::Encoded {
                        payload_type: 0,
                        payload: body,
                        samples: 160,
                    },
                    &mut buf,
                );
            }
            k => {
                let stream = if op & 0x40 != 0 { 4 } else { 0 };
                let port = 50000 + stream + u16::from(k % 4);
                let src = addr(if op & 0x80 != 0 {
                    1000
                } else {
                    2000 + u16::from(op & 1)
                });
                if let Some(b) = buf.get_mut(..n) {
                    b.copy_from_slice(body);
                }
                let _ = relay.handle_datagram(now, port, src, &mut buf, n);
            }
        }
        while relay.poll_event().is_some() {}
    }
    let _ = relay.remove_session(id);
    assert_eq!(rtcp_ports(&mut relay), [(false, 1), (false, 5), (false, 7)]);
}

/// What `poll_rtcp_port` reports, as (in use, offset in the range), in port order.
fn rtcp_ports(relay: &mut Relay) -> Vec<(bool, u16)> {
    let mut out = Vec::new();
    while let Some((port, used)) = relay.poll_rtcp_port() {
        out.push((used, port.wrapping_sub(50000)));
    }
    out.sort_by_key(|&(_, p)| p);
    out
}
