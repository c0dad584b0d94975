//! The audio codecs the relay can decode and encode, by their RTP names: one table for every
//! leg and for the echo service.

use roomgate_media::codec::AudioCodec;

/// What relay codec an RTP encoding is, if the relay can transcode it.
pub fn relay_codec(name: &str, rate: u32) -> Option<AudioCodec> {
    if name.eq_ignore_ascii_case("PCMU") && rate == 8000 {
        Some(AudioCodec::Pcmu)
    } else if name.eq_ignore_ascii_case("PCMA") && rate == 8000 {
        Some(AudioCodec::Pcma)
    } else if name.eq_ignore_ascii_case("G722") && rate == 8000 {
        Some(AudioCodec::G722)
    } else if name.eq_ignore_ascii_case("opus") && rate == 48000 {
        // Decoded to mono: a conference bridge mixes to mono anyway, and libopus decodes a
        // stereo stream into one channel.
        Some(AudioCodec::Opus {
            channels: 1,
            bitrate: 32_000,
        })
    } else {
        None
    }
}

/// Whether two relay codecs are the same codec (pass-through possible), whatever their
/// encoder settings.
pub fn same_codec(a: AudioCodec, b: AudioCodec) -> bool {
    matches!(
        (a, b),
        (AudioCodec::Pcmu, AudioCodec::Pcmu)
            | (AudioCodec::Pcma, AudioCodec::Pcma)
            | (AudioCodec::G722, AudioCodec::G722)
            | (AudioCodec::Opus { .. }, AudioCodec::Opus { .. })
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_case_insensitive_and_rates_exact() {
        assert_eq!(relay_codec("pcmu", 8000), Some(AudioCodec::Pcmu));
        assert_eq!(relay_codec("PCMA", 8000), Some(AudioCodec::Pcma));
        assert_eq!(relay_codec("G722", 8000), Some(AudioCodec::G722));
        assert!(relay_codec("OPUS", 48000).is_some());
        assert_eq!(relay_codec("PCMU", 16000), None);
        assert_eq!(relay_codec("G729", 8000), None);
        let opus = relay_codec("opus", 48000).unwrap_or(AudioCodec::Pcmu);
        assert!(same_codec(
            opus,
            AudioCodec::Opus {
                channels: 2,
                bitrate: 64_000
            }
        ));
        assert!(!same_codec(AudioCodec::Pcmu, AudioCodec::Pcma));
    }
}
