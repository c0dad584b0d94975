//! H.264 encode/decode adapter over the `openh264` crate (Cisco's OpenH264 built from source
//! by `openh264-sys2`; with `nasm` present it includes the x86 assembly, see `build.rs`).
//!
//! Frames are I420 planes ([`I420`]); access units are Annex B bytes, as the
//! [`crate::h264`] packetizer and depacketizer use. Output buffers belong to the adapter and
//! are reused per frame.

use openh264::encoder::{BitRate, EncoderConfig, FrameRate, FrameType, UsageType};
use openh264::formats::{YUVSlices, YUVSource};
use openh264::OpenH264API;

use super::CodecError;

impl From<openh264::Error> for CodecError {
    fn from(e: openh264::Error) -> Self {
        CodecError::Library(e.to_string())
    }
}

/// Borrowed I420 picture: Y plane `width × height`, U and V `width/2 × height/2`, tightly packed.
#[derive(Debug, Clone, Copy)]
pub struct I420<'a> {
    /// Luma width in pixels (even).
    pub width: usize,
    /// Luma height in pixels (even).
    pub height: usize,
    /// Luma plane.
    pub y: &'a [u8],
    /// Cb plane.
    pub u: &'a [u8],
    /// Cr plane.
    pub v: &'a [u8],
}

impl<'a> I420<'a> {
    /// Splits one contiguous I420 buffer; `None` if it is too short or dimensions are odd.
    pub fn from_contiguous(buf: &'a [u8], width: usize, height: usize) -> Option<Self> {
        if width % 2 != 0 || height % 2 != 0 {
            return None;
        }
        let ys = width * height;
        let cs = ys / 4;
        let (y, rest) = buf.split_at_checked(ys)?;
        let (u, rest) = rest.split_at_checked(cs)?;
        let v = rest.get(..cs)?;
        Some(Self {
            width,
            height,
            y,
            u,
            v,
        })
    }
}

/// Encoder settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct H264EncoderConfig {
    /// Target bit rate in bit/s.
    pub bitrate: u32,
    /// Maximum frame rate.
    pub max_fps: f32,
}

/// openh264 encoder with keyframe-on-request.
pub struct H264Encoder {
    inner: openh264::encoder::Encoder,
    out: Vec<u8>,
    force_idr: bool,
}

impl std::fmt::Debug for H264Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("H264Encoder")
    }
}

/// One encoded access unit (borrowed from the encoder until the next call).
#[derive(Debug)]
pub struct EncodedFrame<'a> {
    /// Annex B bytes (empty when the rate controller skipped the frame).
    pub data: &'a [u8],
    /// An IDR frame.
    pub keyframe: bool,
}

impl H264Encoder {
    /// A real-time camera encoder (constrained baseline, as openh264 produces).
    pub fn new(cfg: H264EncoderConfig) -> Result<Self, CodecError> {
        let config = EncoderConfig::new()
            .bitrate(BitRate::from_bps(cfg.bitrate))
            .max_frame_rate(FrameRate::from_hz(cfg.max_fps))
            .usage_type(UsageType::CameraVideoRealTime);
        let inner =
            openh264::encoder::Encoder::with_api_config(OpenH264API::from_source(), config)?;
        Ok(Self {
            inner,
            out: Vec::with_capacity(64 * 1024),
            force_idr: false,
        })
    }

    /// Makes the next encoded frame an IDR (on PLI/FIR from a receiver).
    pub fn request_keyframe(&mut self) {
        self.force_idr = true;
    }

    /// Encodes one picture.
    pub fn encode(&mut self, frame: &I420<'_>) -> Result<EncodedFrame<'_>, CodecError> {
        let src = YUVSlices::new(
            (frame.y, frame.u, frame.v),
            (frame.width, frame.height),
            (frame.width, frame.width / 2, frame.width / 2),
        );
        if src.y().len() < frame.width * frame.height {
            return Err(CodecError::Unsupported(
                "I420 planes shorter than dimensions",
            ));
        }
        if std::mem::take(&mut self.force_idr) {
            self.inner.force_intra_frame();
        }
        let bs = self.inner.encode(&src)?;
        let keyframe = matches!(bs.frame_type(), FrameType::IDR);
        self.out.clear();
        bs.write_vec(&mut self.out);
        Ok(EncodedFrame {
            data: &self.out,
            keyframe,
        })
    }
}

/// A decoded picture, borrowed from the decoder until the next call (no copy).
pub struct DecodedFrame<'a> {
    inner: openh264::decoder::DecodedYUV<'a>,
}

impl std::fmt::Debug for DecodedFrame<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DecodedFrame({}x{})", self.width(), self.height())
    }
}

impl DecodedFrame<'_> {
    /// Width in pixels.
    pub fn width(&self) -> usize {
        self.inner.dimensions().0
    }

    /// Height in pixels.
    pub fn height(&self) -> usize {
        self.inner.dimensions().1
    }

    /// Row strides of the Y, U and V planes.
    pub fn strides(&self) -> (usize, usize, usize) {
        self.inner.strides()
    }

    /// Luma plane (rows of `strides().0` bytes).
    pub fn y(&self) -> &[u8] {
        self.inner.y()
    }

    /// Cb plane.
    pub fn u(&self) -> &[u8] {
        self.inner.u()
    }

    /// Cr plane.
    pub fn v(&self) -> &[u8] {
        self.inner.v()
    }

    /// Copies the picture as tightly packed I420 into `out` (cleared first; its capacity is
    /// reused).
    pub fn write_i420(&self, out: &mut Vec<u8>) {
        let (w, h) = (self.width(), self.height());
        let (sy, su, sv) = self.strides();
        out.clear();
        copy_plane(out, self.y(), sy, w, h);
        copy_plane(out, self.u(), su, w / 2, h / 2);
        copy_plane(out, self.v(), sv, w / 2, h / 2);
    }
}

/// openh264 decoder.
pub struct H264Decoder {
    inner: openh264::decoder::Decoder,
}

impl std::fmt::Debug for H264Decoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("H264Decoder")
    }
}

impl H264Decoder {
    /// A decoder.
    pub fn new() -> Result<Self, CodecError> {
        Ok(Self {
            inner: openh264::decoder::Decoder::new()?,
        })
    }

    /// Decodes one Annex B access unit; `Ok(None)` when it produced no picture (parameter sets
    /// only, or the decoder is still buffering).
    pub fn decode(&mut self, access_unit: &[u8]) -> Result<Option<DecodedFrame<'_>>, CodecError> {
        Ok(self
            .inner
            .decode(access_unit)?
            .map(|inner| DecodedFrame { inner }))
    }
}

fn copy_plane(dst: &mut Vec<u8>, src: &[u8], stride: usize, w: usize, h: usize) {
    for row in src.chunks(stride.max(1)).take(h) {
        dst.extend_from_slice(row.get(..w).unwrap_or(row));
    }
}
