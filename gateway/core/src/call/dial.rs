//! Dial strings: room systems put the meeting ID, and sometimes its PIN, in the user part
//! (`1000`, `1000*1234`, `1000.1234`), because many cannot send DTMF before they are
//! connected. The PIN is kept apart here and checked by the PIN IVR.

/// Longest meeting ID or PIN taken from a dial string.
pub const MAX_DIAL_PART: usize = 32;

/// A parsed dial string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialString {
    pub meeting: String,
    /// Digits after `*` or `.`; never logged.
    pub pin: Option<String>,
}

/// Splits a (percent-decoded) user part. `None` when it is empty, too long or holds
/// characters no meeting ID has.
pub fn parse(user: &str) -> Option<DialString> {
    let (meeting, pin) = match user.find(['*', '.']) {
        Some(i) => (user.get(..i)?, Some(user.get(i + 1..)?)),
        None => (user, None),
    };
    let id_ok = |s: &str| {
        !s.is_empty()
            && s.len() <= MAX_DIAL_PART
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    if !id_ok(meeting) {
        return None;
    }
    let pin = match pin {
        Some(p)
            if !p.is_empty()
                && p.len() <= MAX_DIAL_PART
                && p.bytes().all(|b| b.is_ascii_digit()) =>
        {
            Some(p.to_owned())
        }
        Some(_) => return None,
        None => None,
    };
    Some(DialString {
        meeting: meeting.to_owned(),
        pin,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meeting_and_pin_forms() {
        assert_eq!(
            parse("1001"),
            Some(DialString {
                meeting: "1001".into(),
                pin: None
            })
        );
        for s in ["1000*1234", "1000.1234"] {
            let d = parse(s).unwrap();
            assert_eq!(d.meeting, "1000");
            assert_eq!(d.pin.as_deref(), Some("1234"));
        }
        for bad in [
            "",
            "*12",
            "1000*",
            "1000*12a",
            "10 00",
            "a/b",
            &"9".repeat(33),
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }
}
