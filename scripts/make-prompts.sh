#!/usr/bin/env bash
# Regenerates the spoken IVR prompts in gateway/prompts/ with espeak-ng (Debian: apt-get install
# espeak-ng). The gateway embeds these files (gateway/src/prompts.rs, include_bytes!), so run
# this only when a text or the voice changes, and commit the result.
#
#   ./scripts/make-prompts.sh
#
# The files are espeak-ng's own output, unchanged: mono 16-bit little-endian PCM WAV at 22050 Hz.
# They are not converted to 8 kHz here because that would need another tool (sox); instead the
# gateway resamples them to 8 kHz once, when it loads them, with roomgate-media's resampler.
# Fixed voice and speed, so that a regeneration with the same espeak-ng version gives the same
# bytes.
set -euo pipefail

cd "$(dirname "$0")/.."
command -v espeak-ng >/dev/null || { echo "espeak-ng missing: apt-get install espeak-ng" >&2; exit 2; }

OUT=gateway/prompts
VOICE=en-us
SPEED=150   # words per minute; espeak-ng's default is 175, a little fast over a phone line
mkdir -p "$OUT"

say() {
    espeak-ng -v "$VOICE" -s "$SPEED" -w "$OUT/$1.wav" "$2"
    echo "$OUT/$1.wav"
}

say enter-pin "Please enter the meeting password, followed by the pound key."
say wrong-pin "That password is not correct."
say joining "You are now joining the meeting."
say disconnected "You have been disconnected."
say enter-meeting-id "Please enter the meeting I D, followed by the pound key."
say wrong-meeting-id "That meeting I D is not correct."
