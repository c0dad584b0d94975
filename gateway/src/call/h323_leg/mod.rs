//! The H.323 leg adapter: H.225.0 call signalling and H.245 (`roomgate-h323`) on one side,
//! the neutral call (`MediaSpec`, digits, call phases) on the other. Like the SIP legs it
//! builds and reads protocol messages only; which leg is the room and which the upstream is
//! the driver's business.

pub mod media_map;
pub mod video_map;

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
