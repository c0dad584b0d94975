//! Console dialects: the lines each kind of room system is sent for an operation, when its
//! answer is complete, and how that answer is read.
//!
//! A session is a console shell (what an operator gets with `ssh admin@room`): we send the
//! command line and then the console's log-out line, and read until the console closes the
//! channel or the answer is complete, whichever comes first. Parsers are tolerant (banners,
//! prompts, notifications and unknown lines are skipped; case is ignored where consoles vary)
//! and bounded: at most [`MAX_CALLS`] calls, values cut at [`MAX_VALUE_LEN`] characters.

pub mod cisco;
pub mod poly;

use std::fmt;

use serde::{Deserialize, Serialize};

use super::command::Operation;
use super::InputError;

/// Most calls read from one status answer; a room has a handful at most.
pub const MAX_CALLS: usize = 16;
/// Longest value kept from a console line; the rest is cut.
pub const MAX_VALUE_LEN: usize = 256;

/// The console language of a room system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
pub enum Dialect {
    /// Cisco/Tandberg TelePresence xAPI (`xCommand`, `xStatus`).
    #[serde(rename = "cisco-xapi")]
    #[value(name = "cisco-xapi")]
    CiscoXapi,
    /// Poly (Polycom) Group Series / VideoOS command-line API (`dial manual`, `callinfo`).
    #[serde(rename = "poly")]
    #[value(name = "poly")]
    Poly,
}

impl Dialect {
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::CiscoXapi => "cisco-xapi",
            Dialect::Poly => "poly",
        }
    }

    pub fn parse(text: &str) -> Result<Dialect, InputError> {
        match text {
            "cisco-xapi" => Ok(Dialect::CiscoXapi),
            "poly" => Ok(Dialect::Poly),
            _ => Err(InputError::Dialect),
        }
    }

    /// The diagnostic commands `endpoint exec` may run on this dialect.
    pub fn diagnostics(self) -> &'static [&'static str] {
        match self {
            Dialect::CiscoXapi => cisco::DIAGNOSTICS,
            Dialect::Poly => poly::DIAGNOSTICS,
        }
    }

    /// The allow-listed command `text` names (case and runs of spaces ignored), as an
    /// [`Operation::Diagnostic`]. What is sent is our constant, not `text`.
    pub fn diagnostic(self, text: &str) -> Result<Operation, InputError> {
        let wanted: Vec<String> = text
            .split_ascii_whitespace()
            .map(str::to_ascii_lowercase)
            .collect();
        self.diagnostics()
            .iter()
            .position(|c| {
                c.split_ascii_whitespace()
                    .map(str::to_ascii_lowercase)
                    .eq(wanted.iter().cloned())
            })
            .map(Operation::Diagnostic)
            .ok_or_else(|| InputError::NotAllowed {
                dialect: self.as_str(),
                allowed: self.diagnostics().join(", "),
            })
    }

    /// The lines sent for `op`, each without its newline, the log-out line last.
    pub fn lines(self, op: &Operation) -> Vec<String> {
        match self {
            Dialect::CiscoXapi => cisco::lines(op),
            Dialect::Poly => poly::lines(op),
        }
    }

    /// Whether `output` already holds the whole answer to `op`, so reading can stop before
    /// the console closes the channel.
    pub fn complete(self, op: &Operation, output: &str) -> bool {
        match self {
            Dialect::CiscoXapi => cisco::complete(op, output),
            Dialect::Poly => poly::complete(op, output),
        }
    }

    /// Reads the answer to `op`.
    pub fn read_answer(self, op: &Operation, output: &str) -> Result<Answer, ConsoleError> {
        match self {
            Dialect::CiscoXapi => cisco::parse(op, output),
            Dialect::Poly => poly::parse(op, output),
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a console answered, read into data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Answer {
    Dialled(Dialled),
    HungUp(HungUp),
    Status(CallStatus),
    /// A diagnostic command's output, made printable.
    Output {
        output: String,
    },
}

/// The room accepted the dial command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dialled {
    /// The room's id for the new call, when its console says.
    pub call_id: Option<String>,
}

/// The room accepted the hang-up command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HungUp {
    pub hung_up: bool,
}

/// The room's calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct CallStatus {
    pub in_call: bool,
    pub calls: Vec<CallInfo>,
}

/// One call as a console reports it; fields a console does not give are `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct CallInfo {
    pub id: String,
    /// The console's word for the call state, lower case (`connected`, `dialling`, ...).
    pub state: Option<String>,
    /// The far end: number, URI or address.
    pub remote: Option<String>,
    pub display_name: Option<String>,
    pub direction: Option<String>,
    pub protocol: Option<String>,
    pub media: Media,
}

/// Media of a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Media {
    /// `video`, `audio`, ...
    pub call_type: Option<String>,
    /// The console's name for the encryption in use (`Aes-128`, `None`, ...).
    pub encryption: Option<String>,
    pub transmit_kbps: Option<u32>,
    pub receive_kbps: Option<u32>,
    pub duration_s: Option<u64>,
}

/// Why an answer could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConsoleError {
    /// The console answered with an error; its reason, made printable and cut.
    #[error("the room refused the command: {0}")]
    Refused(String),
    /// Nothing in the output is an answer to the command.
    #[error("the room's answer was not understood")]
    Unrecognised,
}

/// `value` without surrounding quotes (straight or typographic) and spaces, made printable and
/// cut to [`MAX_VALUE_LEN`] characters.
pub(crate) fn clean_value(value: &str) -> String {
    let v = value
        .trim()
        .trim_matches(|c| matches!(c, '"' | '\u{201c}' | '\u{201d}'))
        .trim();
    super::printable(v).chars().take(MAX_VALUE_LEN).collect()
}

/// Fuzz entry: what a room's console sends is input from the network. The first byte picks
/// the dialect (bit 0) and the operation (bits 1–2); the rest is the console's output, read
/// whole and at every line boundary the way answers arrive in pieces. Neither `complete` nor
/// the answer reader may panic, whatever the console writes.
#[doc(hidden)]
pub fn fuzz_console(data: &[u8]) {
    use super::command::{DialProtocol, DialString, MeetingId};
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let dialect = if selector & 1 == 0 {
        Dialect::CiscoXapi
    } else {
        Dialect::Poly
    };
    let op = match (selector >> 1) & 3 {
        0 => match MeetingId::parse("1001")
            .and_then(|m| DialString::new(&m, "gw.example.com", DialProtocol::Sip))
        {
            Ok(d) => Operation::Dial(d),
            Err(_) => return,
        },
        1 => Operation::Hangup,
        2 => Operation::Status,
        _ => Operation::Diagnostic(usize::from(selector >> 3)),
    };
    let output = String::from_utf8_lossy(rest);
    for (at, _) in output.match_indices('\n') {
        let part = output.get(..=at).unwrap_or_default();
        if dialect.complete(&op, part) {
            let _ = dialect.read_answer(&op, part);
        }
    }
    let _ = dialect.complete(&op, &output);
    let _ = dialect.read_answer(&op, &output);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostics_are_matched_not_passed_through() {
        let d = Dialect::CiscoXapi;
        assert_eq!(
            d.diagnostic("xstatus   systemunit").unwrap(),
            Operation::Diagnostic(0)
        );
        assert!(d.diagnostic("xStatus SystemUnit; xCommand Boot").is_err());
        assert!(d.diagnostic("xCommand SystemUnit Boot").is_err());
        assert!(Dialect::Poly.diagnostic("status").is_ok());
        assert!(Dialect::Poly.diagnostic("reboot now").is_err());
        assert_eq!(Dialect::parse("cisco-xapi").unwrap(), Dialect::CiscoXapi);
        assert!(Dialect::parse("yealink").is_err());
    }

    #[test]
    fn values_are_cleaned_and_bounded() {
        assert_eq!(clean_value(" \"sip:a@b\" "), "sip:a@b");
        assert_eq!(clean_value("\u{201c}x\u{201d}"), "x");
        assert_eq!(clean_value(&"v".repeat(1000)).len(), MAX_VALUE_LEN);
        assert_eq!(clean_value("a\x1bb"), "a\u{FFFD}b");
    }
}
