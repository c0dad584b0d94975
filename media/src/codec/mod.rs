//! Audio codec adapters and transcoding.
//!
//! * [`g711`], [`g722`]: pure Rust, bit-exact with the ITU references.
//! * Opus through the `opus` crate (libopus built from its bundled source by `opusic-sys`).
//! * [`resample`]: rational polyphase resampler between 8/16/48 kHz.
//!
//! [`AudioDecoder`] / [`AudioEncoder`] are the traits; [`Decoder`] / [`Encoder`] are enums of
//! the implementations (static dispatch, no boxing), and [`Transcoder`] chains decode →
//! channel mix → resample → encode with buffers that are reused across packets.

pub mod g711;
pub mod g722;
pub mod resample;

use resample::Resampler;

/// Largest PCM frame we decode in one packet: 120 ms at 48 kHz stereo (Opus' maximum).
pub const MAX_PCM_SAMPLES: usize = 5760 * 2;

/// Why a codec operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodecError {
    /// A configuration this adapter does not support (our misuse or peer-incompatible).
    #[error("unsupported: {0}")]
    Unsupported(&'static str),
    /// The output buffer is too small for the frame.
    #[error("output buffer too small: need {need}, have {have}")]
    BufferTooSmall {
        /// Bytes or samples needed.
        need: usize,
        /// Bytes or samples available.
        have: usize,
    },
    /// The payload was rejected by the codec library (peer misbehaved or corrupt packet).
    #[error("codec library error: {0}")]
    Library(String),
}

impl From<opus::Error> for CodecError {
    fn from(e: opus::Error) -> Self {
        CodecError::Library(e.to_string())
    }
}

/// An audio codec and its parameters as negotiated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioCodec {
    /// G.711 µ-law, 8 kHz mono.
    Pcmu,
    /// G.711 A-law, 8 kHz mono.
    Pcma,
    /// G.722 64 kbit/s, 16 kHz mono (RTP clock 8000 by RFC 3551's historic error).
    G722,
    /// Opus at 48 kHz, 1 or 2 channels, with a target bit rate for encoding.
    Opus {
        /// 1 or 2.
        channels: u8,
        /// Encoder target in bit/s (ignored by decoders).
        bitrate: u32,
    },
}

impl AudioCodec {
    /// PCM sample rate of the decoded audio.
    pub fn pcm_rate(&self) -> u32 {
        match self {
            AudioCodec::Pcmu | AudioCodec::Pcma => 8000,
            AudioCodec::G722 => 16000,
            AudioCodec::Opus { .. } => 48000,
        }
    }

    /// Number of interleaved channels.
    pub fn channels(&self) -> usize {
        match self {
            AudioCodec::Opus { channels: 2, .. } => 2,
            _ => 1,
        }
    }

    /// RTP timestamp clock rate.
    pub fn rtp_clock(&self) -> u32 {
        match self {
            AudioCodec::Pcmu | AudioCodec::Pcma | AudioCodec::G722 => 8000,
            AudioCodec::Opus { .. } => 48000,
        }
    }
}

/// Decodes one payload into interleaved PCM at [`AudioCodec::pcm_rate`].
pub trait AudioDecoder {
    /// The codec decoded.
    fn codec(&self) -> AudioCodec;
    /// Decodes `payload` into `out`, returning the number of interleaved samples written.
    fn decode(&mut self, payload: &[u8], out: &mut [i16]) -> Result<usize, CodecError>;
}

/// Encodes interleaved PCM at [`AudioCodec::pcm_rate`] into one payload.
pub trait AudioEncoder {
    /// The codec produced.
    fn codec(&self) -> AudioCodec;
    /// Encodes one frame of `pcm` into `out`, returning the payload length.
    fn encode(&mut self, pcm: &[i16], out: &mut [u8]) -> Result<usize, CodecError>;
}

fn check_room(need: usize, have: usize) -> Result<(), CodecError> {
    if need > have {
        Err(CodecError::BufferTooSmall { need, have })
    } else {
        Ok(())
    }
}

fn opus_channels(channels: u8) -> Result<opus::Channels, CodecError> {
    match channels {
        1 => Ok(opus::Channels::Mono),
        2 => Ok(opus::Channels::Stereo),
        _ => Err(CodecError::Unsupported("opus channels must be 1 or 2")),
    }
}

/// Decoder implementations.
pub enum Decoder {
    /// G.711 µ-law (stateless).
    Pcmu,
    /// G.711 A-law (stateless).
    Pcma,
    /// G.722.
    G722(Box<g722::G722Decoder>),
    /// libopus decoder at 48 kHz.
    Opus(opus::Decoder, u8),
}

impl std::fmt::Debug for Decoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Decoder({:?})", self.codec())
    }
}

impl Decoder {
    /// A decoder for `codec`.
    pub fn new(codec: AudioCodec) -> Result<Self, CodecError> {
        Ok(match codec {
            AudioCodec::Pcmu => Decoder::Pcmu,
            AudioCodec::Pcma => Decoder::Pcma,
            AudioCodec::G722 => Decoder::G722(Box::default()),
            AudioCodec::Opus { channels, .. } => Decoder::Opus(
                opus::Decoder::new(48000, opus_channels(channels)?)?,
                channels,
            ),
        })
    }
}

impl AudioDecoder for Decoder {
    fn codec(&self) -> AudioCodec {
        match self {
            Decoder::Pcmu => AudioCodec::Pcmu,
            Decoder::Pcma => AudioCodec::Pcma,
            Decoder::G722(_) => AudioCodec::G722,
            Decoder::Opus(_, channels) => AudioCodec::Opus {
                channels: *channels,
                bitrate: 0,
            },
        }
    }

    fn decode(&mut self, payload: &[u8], out: &mut [i16]) -> Result<usize, CodecError> {
        match self {
            Decoder::Pcmu => {
                check_room(payload.len(), out.len())?;
                Ok(g711::decode_ulaw(payload, out))
            }
            Decoder::Pcma => {
                check_room(payload.len(), out.len())?;
                Ok(g711::decode_alaw(payload, out))
            }
            Decoder::G722(d) => {
                check_room(payload.len() * 2, out.len())?;
                Ok(d.decode(payload, out))
            }
            Decoder::Opus(d, channels) => {
                // An empty payload asks libopus for loss concealment of one 20 ms frame.
                let frames = d.decode(payload, out, false)?;
                Ok(frames * usize::from(*channels))
            }
        }
    }
}

/// Encoder implementations.
pub enum Encoder {
    /// G.711 µ-law.
    Pcmu,
    /// G.711 A-law.
    Pcma,
    /// G.722.
    G722(Box<g722::G722Encoder>),
    /// libopus encoder at 48 kHz (VoIP application).
    Opus(opus::Encoder, u8, u32),
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Encoder({:?})", self.codec())
    }
}

impl Encoder {
    /// An encoder for `codec`.
    pub fn new(codec: AudioCodec) -> Result<Self, CodecError> {
        Ok(match codec {
            AudioCodec::Pcmu => Encoder::Pcmu,
            AudioCodec::Pcma => Encoder::Pcma,
            AudioCodec::G722 => Encoder::G722(Box::default()),
            AudioCodec::Opus { channels, bitrate } => {
                let mut e =
                    opus::Encoder::new(48000, opus_channels(channels)?, opus::Application::Voip)?;
                let bits = i32::try_from(bitrate).unwrap_or(i32::MAX);
                e.set_bitrate(opus::Bitrate::Bits(bits))?;
                Encoder::Opus(e, channels, bitrate)
            }
        })
    }
}

impl AudioEncoder for Encoder {
    fn codec(&self) -> AudioCodec {
        match self {
            Encoder::Pcmu => AudioCodec::Pcmu,
            Encoder::Pcma => AudioCodec::Pcma,
            Encoder::G722(_) => AudioCodec::G722,
            Encoder::Opus(_, channels, bitrate) => AudioCodec::Opus {
                channels: *channels,
                bitrate: *bitrate,
            },
        }
    }

    fn encode(&mut self, pcm: &[i16], out: &mut [u8]) -> Result<usize, CodecError> {
        match self {
            Encoder::Pcmu => {
                check_room(pcm.len(), out.len())?;
                Ok(g711::encode_ulaw(pcm, out))
            }
            Encoder::Pcma => {
                check_room(pcm.len(), out.len())?;
                Ok(g711::encode_alaw(pcm, out))
            }
            Encoder::G722(e) => {
                check_room(pcm.len() / 2, out.len())?;
                Ok(e.encode(pcm, out))
            }
            Encoder::Opus(e, _, _) => Ok(e.encode(pcm, out)?),
        }
    }
}

/// Decode → channel mix → resample → encode, one packet at a time.
///
/// Intermediate PCM lives in buffers owned by the transcoder and reused for every packet; after
/// the first packet of a given size nothing is allocated.
#[derive(Debug)]
pub struct Transcoder {
    decoder: Decoder,
    encoder: Encoder,
    resampler: Option<Resampler>,
    pcm: Vec<i16>,
    mixed: Vec<i16>,
    resampled: Vec<i16>,
    stereo: Vec<i16>,
}

impl Transcoder {
    /// A transcoder from `from` to `to`.
    pub fn new(from: AudioCodec, to: AudioCodec) -> Result<Self, CodecError> {
        let resampler = if from.pcm_rate() == to.pcm_rate() {
            None
        } else {
            Some(Resampler::new(
                from.pcm_rate(),
                to.pcm_rate(),
                to.channels().min(from.channels()),
            )?)
        };
        Ok(Self {
            decoder: Decoder::new(from)?,
            encoder: Encoder::new(to)?,
            resampler,
            pcm: vec![0; MAX_PCM_SAMPLES],
            mixed: Vec::with_capacity(MAX_PCM_SAMPLES),
            resampled: Vec::with_capacity(MAX_PCM_SAMPLES),
            stereo: Vec::with_capacity(MAX_PCM_SAMPLES),
        })
    }

    /// Transcodes one payload into `out`; returns the output payload length (0 when the
    /// resampler has not yet produced a full frame, which does not happen for 20 ms frames).
    pub fn transcode(&mut self, payload: &[u8], out: &mut [u8]) -> Result<usize, CodecError> {
        let n = self.decoder.decode(payload, &mut self.pcm)?;
        let decoded = self.pcm.get(..n).unwrap_or(&[]);
        let (cin, cout) = (
            self.decoder.codec().channels(),
            self.encoder.codec().channels(),
        );
        // Down-mix before resampling, up-mix after, so the resampler runs on fewer channels.
        let mut pcm: &[i16] = decoded;
        if cin == 2 && cout == 1 {
            self.mixed.clear();
            self.mixed.extend(
                decoded
                    .chunks_exact(2)
                    .map(|p| p.iter().map(|&s| i32::from(s)).sum::<i32>() / 2)
                    .map(|s| s as i16),
            );
            pcm = &self.mixed;
        }
        if let Some(r) = self.resampler.as_mut() {
            r.process(pcm, &mut self.resampled);
            pcm = &self.resampled;
        }
        if cin == 1 && cout == 2 {
            self.stereo.clear();
            self.stereo.extend(pcm.iter().flat_map(|&s| [s, s]));
            return self.encoder.encode(&self.stereo, out);
        }
        if pcm.is_empty() {
            return Ok(0);
        }
        self.encoder.encode(pcm, out)
    }
}

/// Fuzz entry: the first byte picks a transcoding path between the audio codecs, the rest
/// is split into payloads (one length byte each) that go through it as a peer would send
/// them. Must never panic; every buffer stays at its fixed size.
#[doc(hidden)]
pub fn fuzz_transcode(data: &[u8]) {
    const CODECS: [AudioCodec; 5] = [
        AudioCodec::Pcmu,
        AudioCodec::Pcma,
        AudioCodec::G722,
        AudioCodec::Opus {
            channels: 1,
            bitrate: 32_000,
        },
        AudioCodec::Opus {
            channels: 2,
            bitrate: 32_000,
        },
    ];
    let Some((&pick, mut rest)) = data.split_first() else {
        return;
    };
    let from = CODECS
        .get(usize::from(pick % 5))
        .copied()
        .unwrap_or(AudioCodec::Pcmu);
    let to = CODECS
        .get(usize::from(pick / 5 % 5))
        .copied()
        .unwrap_or(AudioCodec::Pcmu);
    let Ok(mut transcoder) = Transcoder::new(from, to) else {
        return;
    };
    let mut out = [0u8; 4000];
    // Bounded: every round consumes at least one byte.
    while let Some((&len, tail)) = rest.split_first() {
        let n = usize::from(len).min(tail.len());
        let (payload, next) = tail.split_at(n);
        let _ = transcoder.transcode(payload, &mut out);
        rest = next;
    }
}

#[cfg(test)]
mod tests;
pub mod video;
