//! Typed operations on a room's console. Nothing in here is text an operator typed: a
//! [`MeetingId`] and a [`DialString`] can only be built from values that passed a narrow
//! character check, and diagnostic commands are chosen from a per-dialect allow-list (see
//! [`super::dialect`]), so a console line is always our own constant with checked values in
//! it, never a shell or console fragment from outside.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::InputError;

/// A meeting ID as callers dial it: the store's rule (1..=32 of `[0-9A-Za-z_-]`). No
/// spaces, quotes, `;`, `*` or `.`, so a PIN can never ride along in a dial string that
/// rooms log and display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingId(String);

impl MeetingId {
    pub fn parse(text: &str) -> Result<MeetingId, InputError> {
        crate::store::validate_id(text).map_err(|_| InputError::Meeting)?;
        Ok(MeetingId(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The signalling a room uses to reach the gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum DialProtocol {
    #[default]
    Sip,
    H323,
}

/// Longest dial address (`host[:port]`).
pub const MAX_DIAL_ADDRESS_LEN: usize = 260;

/// Checks the gateway address rooms dial: a host name or IP address, optionally with a port
/// (IPv6 in brackets then). Only `[0-9A-Za-z.-:[]]`.
pub fn validate_dial_address(text: &str) -> Result<(), InputError> {
    let ok = (1..=MAX_DIAL_ADDRESS_LEN).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b':' | b'[' | b']'))
        && !text.starts_with(['-', '.', ':']);
    ok.then_some(()).ok_or(InputError::DialAddress)
}

/// What a room dials to reach a meeting through Roomgate: `MEETING@ADDRESS`, with the
/// protocol. Both halves are checked, so the string needs no quoting or escaping anywhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DialString {
    pub uri: String,
    pub protocol: DialProtocol,
}

impl DialString {
    pub fn new(
        meeting: &MeetingId,
        address: &str,
        protocol: DialProtocol,
    ) -> Result<DialString, InputError> {
        validate_dial_address(address)?;
        Ok(DialString {
            uri: format!("{}@{address}", meeting.as_str()),
            protocol,
        })
    }
}

impl fmt::Display for DialString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.uri)
    }
}

/// One operation on a room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operation {
    Dial(DialString),
    Hangup,
    Status,
    /// An allow-listed diagnostic command, by its index in the dialect's list.
    Diagnostic(usize),
}

impl Operation {
    /// The name used in audit events and errors.
    pub fn name(&self) -> &'static str {
        match self {
            Operation::Dial(_) => "dial",
            Operation::Hangup => "hangup",
            Operation::Status => "status",
            Operation::Diagnostic(_) => "exec",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_meeting_ids_are_refused() {
        for bad in [
            "1234; xCommand SystemUnit FactoryReset Confirm: Yes",
            "1234\nxCommand Call Disconnect",
            "1234\"",
            "12'34",
            "1234*5678",
            "",
            "1234 ",
            "$(reboot)",
            &"1".repeat(33),
        ] {
            assert_eq!(MeetingId::parse(bad), Err(InputError::Meeting), "{bad:?}");
        }
        assert_eq!(MeetingId::parse("1001").unwrap().as_str(), "1001");
    }

    #[test]
    fn dial_strings() {
        let m = MeetingId::parse("1001").unwrap();
        let d = DialString::new(&m, "gw.example.com", DialProtocol::Sip).unwrap();
        assert_eq!(d.uri, "1001@gw.example.com");
        assert_eq!(
            DialString::new(&m, "[2001:db8::1]:5061", DialProtocol::H323)
                .unwrap()
                .uri,
            "1001@[2001:db8::1]:5061"
        );
        for bad in ["", "gw example", "gw\"", "gw;x", "-gw", "gw\n"] {
            assert!(
                DialString::new(&m, bad, DialProtocol::Sip).is_err(),
                "{bad:?}"
            );
        }
    }
}
