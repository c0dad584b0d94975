//! openh264 encode → RFC 6184 packetize (MTU 1200) → reorder/loss → depacketize → decode.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use roomgate_media::codec::video::{H264Decoder, H264Encoder, H264EncoderConfig, I420};
use roomgate_media::h264::{Depacketizer, DepacketizerOutput, Packetizer, NAL_IDR};

const W: usize = 320;
const H: usize = 240;

/// A diagonal gradient that moves two pixels per frame, with a moving chroma tint.
fn gradient(frame: usize) -> Vec<u8> {
    let mut buf = vec![0u8; W * H * 3 / 2];
    let (y, uv) = buf.split_at_mut(W * H);
    for r in 0..H {
        for c in 0..W {
            y[r * W + c] = ((r + c + 2 * frame) % 256) as u8;
        }
    }
    let (u, v) = uv.split_at_mut(W * H / 4);
    for r in 0..H / 2 {
        for c in 0..W / 2 {
            u[r * W / 2 + c] = (128 + (c + frame) % 64) as u8;
            v[r * W / 2 + c] = (128 - (r + frame) % 64) as u8;
        }
    }
    buf
}

fn encoder() -> H264Encoder {
    H264Encoder::new(H264EncoderConfig {
        bitrate: 500_000,
        max_fps: 30.0,
    })
    .unwrap()
}

fn has_idr(au: &[u8]) -> bool {
    roomgate_media::h264::annexb_nals(au).any(|n| n[0] & 0x1f == NAL_IDR)
}

struct Pkt {
    seq: u16,
    ts: u32,
    marker: bool,
    data: Vec<u8>,
}

#[test]
fn encode_packetize_shuffle_drop_depacketize_decode() {
    let mut enc = encoder();
    let mut pk = Packetizer::new(1200);
    let mut pkts = Vec::new();
    let mut seq = 40_000u16;
    let mut keyframes = Vec::new();
    for f in 0..30 {
        if f == 20 {
            enc.request_keyframe();
        }
        let pic = gradient(f);
        let frame = enc
            .encode(&I420::from_contiguous(&pic, W, H).unwrap())
            .unwrap();
        assert_eq!(frame.keyframe, has_idr(frame.data), "frame {f}");
        if frame.keyframe {
            keyframes.push(f);
        }
        pk.packetize(frame.data, |p, m| {
            assert!(p.len() <= 1200);
            pkts.push(Pkt {
                seq,
                ts: f as u32 * 3000,
                marker: m,
                data: p.to_vec(),
            });
            seq = seq.wrapping_add(1);
        });
    }
    assert_eq!(
        keyframes,
        [0, 20],
        "first frame and the requested one are IDRs"
    );
    assert!(pkts.len() > 30, "the IDR needs FU-A fragments");

    // Shuffle within blocks of 4 (keep the first packet first) and drop one packet of frame 10.
    let drop_seq = pkts.iter().find(|p| p.ts == 10 * 3000).unwrap().seq;
    let first = pkts.remove(0);
    let mut rest: Vec<Pkt> = pkts.into_iter().filter(|p| p.seq != drop_seq).collect();
    for (i, chunk) in rest.chunks_mut(4).enumerate() {
        let n = chunk.len();
        chunk.rotate_left(i % n);
    }
    rest.insert(0, first);

    let mut dp = Depacketizer::new(8);
    let mut dec = H264Decoder::new().unwrap();
    let mut decoded = Vec::new();
    let mut plis = 0;
    let mut packed = Vec::new();
    for p in &rest {
        dp.handle_packet(p.seq, p.ts, p.marker, &p.data);
        while let Some(o) = dp.poll_output() {
            match o {
                DepacketizerOutput::AccessUnit(au) => {
                    if let Some(pic) = dec.decode(&au.data).unwrap() {
                        assert_eq!((pic.width(), pic.height()), (W, H));
                        pic.write_i420(&mut packed);
                        assert_eq!(packed.len(), W * H * 3 / 2);
                        let f = (au.timestamp / 3000) as usize;
                        // Lossy, but close to the source picture.
                        let src = gradient(f);
                        let mad: u64 = src[..W * H]
                            .iter()
                            .zip(&packed[..W * H])
                            .map(|(a, b)| u64::from(a.abs_diff(*b)))
                            .sum::<u64>()
                            / (W * H) as u64;
                        assert!(mad < 12, "frame {f}: mean abs diff {mad}");
                        decoded.push(f);
                    }
                    dp.recycle(au.data);
                }
                DepacketizerOutput::NeedKeyframe => plis += 1,
            }
        }
    }
    dp.flush();
    while let Some(o) = dp.poll_output() {
        if let DepacketizerOutput::AccessUnit(au) = o {
            if dec.decode(&au.data).unwrap().is_some() {
                decoded.push((au.timestamp / 3000) as usize);
            }
        }
    }
    // Frames 0-9 decode; the loss in 10 asks for a keyframe; 10-19 are dropped; 20-29 decode.
    assert_eq!(plis, 1, "{:?}", dp.stats());
    let want: Vec<usize> = (0..10).chain(20..30).collect();
    assert_eq!(decoded, want, "{:?}", dp.stats());
}

#[test]
fn keyframe_on_request() {
    let mut enc = encoder();
    let pic = gradient(0);
    let i420 = I420::from_contiguous(&pic, W, H).unwrap();
    assert!(enc.encode(&i420).unwrap().keyframe);
    for _ in 0..3 {
        assert!(!enc.encode(&i420).unwrap().keyframe);
    }
    enc.request_keyframe();
    let f = enc.encode(&i420).unwrap();
    assert!(f.keyframe && has_idr(f.data));
    assert!(!enc.encode(&i420).unwrap().keyframe);
    assert!(I420::from_contiguous(&pic[..100], W, H).is_none());
}

/// openh264-sys2 silently drops its assembly when nasm is missing (build.rs refuses that);
/// check the SSE2 kernels really are linked into this binary.
#[test]
#[cfg(target_arch = "x86_64")]
fn openh264_built_with_assembly() {
    let exe = std::fs::read(std::env::current_exe().unwrap()).unwrap();
    let needle = b"WelsSampleSatd4x4_sse2";
    assert!(
        exe.windows(needle.len()).any(|w| w == needle),
        "openh264 was built without nasm assembly"
    );
}
