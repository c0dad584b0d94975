//! SIP INFO key presses: the SIP leg reads them here and hands the digit to the call core's
//! PIN entry (`roomgate_core::call::pin`), like an RFC 4733 event from the relay.

/// Reads a SIP INFO body carrying a key press: `application/dtmf-relay` (`Signal=5`, with an
/// optional `Duration=` line) or `application/dtmf` (the bare symbol). `None` for anything
/// else; the caller answers that with an error and counts nothing.
pub fn info_digit(content_type: &str, body: &[u8]) -> Option<char> {
    if body.len() > MAX_INFO_BODY {
        return None;
    }
    let text = std::str::from_utf8(body).ok()?;
    let ct = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let symbol = match ct.as_str() {
        "application/dtmf-relay" => text.lines().find_map(|l| {
            let (k, v) = l.split_once('=')?;
            k.trim().eq_ignore_ascii_case("signal").then(|| v.trim())
        })?,
        "application/dtmf" => text.trim(),
        _ => return None,
    };
    let mut chars = symbol.chars();
    let c = chars.next()?;
    if chars.next().is_some() {
        // Some phones send the event number: 10 is '*', 11 is '#'.
        return match symbol {
            "10" => Some('*'),
            "11" => Some('#'),
            _ => None,
        };
    }
    matches!(c, '0'..='9' | '*' | '#' | 'A'..='D' | 'a'..='d').then(|| c.to_ascii_uppercase())
}

/// Longest DTMF INFO body we read (a key and a duration fit in a few dozen bytes).
pub const MAX_INFO_BODY: usize = 256;

/// A key press passed on from an INFO lasts at least this long (a `Duration=` of 0 or a
/// few milliseconds would be an event nobody hears).
pub const INFO_MIN_DURATION: std::time::Duration = std::time::Duration::from_millis(40);
/// …and at most this long (the relay's generator cuts longer events anyway).
pub const INFO_MAX_DURATION: std::time::Duration = std::time::Duration::from_millis(1000);
/// How long a key press lasts when its INFO does not say.
pub const INFO_DEFAULT_DURATION: std::time::Duration = std::time::Duration::from_millis(160);

/// How long the key press of an INFO lasts: `Duration=` (milliseconds) of an
/// `application/dtmf-relay` body, held within [`INFO_MIN_DURATION`]..=[`INFO_MAX_DURATION`];
/// [`INFO_DEFAULT_DURATION`] without one.
pub fn info_duration(content_type: &str, body: &[u8]) -> std::time::Duration {
    let body = body.get(..MAX_INFO_BODY).unwrap_or(body);
    let ms = std::str::from_utf8(body).ok().and_then(|text| {
        if !content_type
            .trim()
            .eq_ignore_ascii_case("application/dtmf-relay")
        {
            return None;
        }
        text.lines().find_map(|l| {
            let (k, v) = l.split_once('=')?;
            if !k.trim().eq_ignore_ascii_case("duration") {
                return None;
            }
            v.trim().parse::<u64>().ok()
        })
    });
    match ms {
        Some(ms) => {
            std::time::Duration::from_millis(ms).clamp(INFO_MIN_DURATION, INFO_MAX_DURATION)
        }
        None => INFO_DEFAULT_DURATION,
    }
}

/// The RFC 4733 event code of a key (§3.2: 0–9, `*` 10, `#` 11, A–D 12–15).
pub fn event_code(key: char) -> Option<u8> {
    Some(match key {
        '0'..='9' => key as u8 - b'0',
        '*' => 10,
        '#' => 11,
        'A'..='D' => key as u8 - b'A' + 12,
        'a'..='d' => key as u8 - b'a' + 12,
        _ => return None,
    })
}

/// The key of an RFC 4733 event code, for an INFO (None for events that are not keys).
pub fn event_key(event: u8) -> Option<char> {
    Some(match event {
        0..=9 => char::from(b'0' + event),
        10 => '*',
        11 => '#',
        12..=15 => char::from(b'A' + event - 12),
        _ => return None,
    })
}

/// Fuzz entry: the first byte splits the input into an INFO body (read as both DTMF content
/// types) and a script for the core's PIN entry (`roomgate_core::call::pin::fuzz_pin_entry`).
#[doc(hidden)]
pub fn fuzz_pin_entry(data: &[u8]) {
    let split = usize::from(data.first().copied().unwrap_or(0)).min(data.len());
    let (body, script) = data.split_at(split);
    let _ = info_digit("application/dtmf-relay", body);
    let _ = info_digit("application/dtmf", body);
    let _ = info_duration("application/dtmf-relay", body);
    roomgate_core::call::pin::fuzz_pin_entry(script);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_bodies() {
        assert_eq!(
            info_digit("application/dtmf-relay", b"Signal=5\r\nDuration=160\r\n"),
            Some('5')
        );
        assert_eq!(
            info_digit("Application/DTMF-Relay", b"Signal= #\r\n"),
            Some('#')
        );
        assert_eq!(info_digit("application/dtmf", b"11"), Some('#'));
        assert_eq!(info_digit("application/dtmf", b"*"), Some('*'));
        assert_eq!(info_digit("application/dtmf", b"x"), None);
        assert_eq!(info_digit("application/dtmf-relay", b"Duration=1"), None);
        assert_eq!(info_digit("text/plain", b"5"), None);
        assert_eq!(info_digit("application/dtmf", &[0xff, 0xfe]), None);
        assert_eq!(info_digit("application/dtmf", &[b'1'; 300]), None);
    }

    #[test]
    fn info_durations_are_held_between_the_bounds() {
        let d = |body: &[u8]| info_duration("application/dtmf-relay", body);
        let ms = std::time::Duration::from_millis;
        assert_eq!(d(b"Signal=1\r\nDuration=250\r\n"), ms(250));
        assert_eq!(d(b"Signal=1\r\nDuration=5000\r\n"), INFO_MAX_DURATION);
        assert_eq!(d(b"Signal=1\r\nduration = 1001\r\n"), INFO_MAX_DURATION);
        assert_eq!(d(b"Signal=1\r\nDuration=0\r\n"), INFO_MIN_DURATION);
        assert_eq!(d(b"Signal=1\r\nDuration=39\r\n"), INFO_MIN_DURATION);
        assert_eq!(d(b"Signal=1\r\n"), INFO_DEFAULT_DURATION);
        // Beyond u64: unreadable, so the default, not the bound.
        assert_eq!(
            d(b"Signal=1\r\nDuration=99999999999999999999999\r\n"),
            INFO_DEFAULT_DURATION
        );
        // Another content type says nothing about duration.
        assert_eq!(
            info_duration("application/dtmf", b"Duration=5000"),
            INFO_DEFAULT_DURATION
        );
    }
}
