//! The H.323 leg adapter: H.225.0 call signalling and H.245 (`roomgate-h323`) on one side,
//! the neutral call (`MediaSpec`, digits, call phases) on the other. Like the SIP legs it
//! builds and reads protocol messages only; which leg is the room and which the upstream is
//! the driver's business.

use std::time::Instant;

use roomgate_h323::endpoint::H323Call;

pub mod media_map;
pub mod video_map;

/// videoFastUpdatePicture on `video_in`, the channel the far end sends us video on (for a
/// keyframe request from the other leg); false when it sends none.
fn request_fast_update(call: &mut H323Call, video_in: Option<u16>, now: Instant) -> bool {
    let Some(channel) = video_in else {
        return false;
    };
    call.session().request_fast_update(channel);
    call.pump(now);
    true
}

/// FlowControlCommand on `video_in` (H.245 counts in units of 100 bit/s), for a limit the
/// other leg asked of what it receives; `None` lifts it. False when the far end sends no
/// video.
fn limit_video(
    call: &mut H323Call,
    video_in: Option<u16>,
    now: Instant,
    bitrate: Option<u64>,
) -> bool {
    let Some(channel) = video_in else {
        return false;
    };
    let rate = bitrate.map(|b| u32::try_from(b / 100).unwrap_or(u32::MAX));
    call.session().send_flow_control(Some(channel), rate);
    call.pump(now);
    true
}

/// The keys in a user input string or Q.931 keypad element (digits, `*`, `#`); anything
/// else a terminal sends there (letters, spaces) is no key press of a PIN or an IVR.
pub fn keys(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars()
        .filter(|c| c.is_ascii_digit() || *c == '*' || *c == '#')
}
pub mod room;
#[cfg(test)]
mod room_tests;
#[cfg(test)]
mod tests;
pub mod upstream;
