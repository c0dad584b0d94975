//! Cisco/Tandberg TelePresence xAPI over the SSH console (TSH), as the codec API reference
//! guides show it:
//!
//! ```text
//! xCommand Dial Number: "1001@gw.example.com" Protocol: Sip
//! OK
//! *r DialResult (status=OK):
//!     CallId: 2
//!     ConferenceId: 1
//! ** end
//!
//! xStatus Call
//! *s Call 2 Status: Connected
//! *s Call 2 RemoteNumber: "1001@gw.example.com"
//! *s Call 2 Encryption Type: "Aes-128"
//! ** end
//! OK
//! ```
//!
//! Older TC/TANDBERG software ends result blocks with `*r/end` and names them `Result`; both
//! are read. The log-out line is `bye`.

use super::{clean_value, Answer, CallInfo, CallStatus, ConsoleError, Dialled, HungUp, MAX_CALLS};
use crate::endpoint::command::{DialProtocol, Operation};

/// The diagnostic commands `endpoint exec` may run: read-only status trees.
pub const DIAGNOSTICS: &[&str] = &[
    "xStatus SystemUnit",
    "xStatus Call",
    "xStatus SIP",
    "xStatus H323",
    "xStatus Network",
    "xStatus MediaChannels",
    "xStatus Diagnostics",
    "xStatus Conference",
    "xStatus Standby",
];

/// The lines sent for `op`, then `bye`.
pub fn lines(op: &Operation) -> Vec<String> {
    let command = match op {
        // The URI is checked (`DialString::new`): no quote, space or control character can
        // be in it, so quoting it is safe.
        Operation::Dial(d) => format!(
            "xCommand Dial Number: \"{}\" Protocol: {}",
            d.uri,
            match d.protocol {
                DialProtocol::Sip => "Sip",
                DialProtocol::H323 => "H323",
            }
        ),
        Operation::Hangup => "xCommand Call Disconnect".to_owned(),
        Operation::Status => "xStatus Call".to_owned(),
        Operation::Diagnostic(i) => DIAGNOSTICS.get(*i).copied().unwrap_or("").to_owned(),
    };
    vec![command, "bye".to_owned()]
}

fn is_terminator(line: &str) -> bool {
    let l = line.trim();
    l == "** end" || l.eq_ignore_ascii_case("*r/end")
}

fn is_final(line: &str) -> bool {
    let l = line.trim();
    l == "OK" || l == "ERROR"
}

/// Complete once a block has ended and the console has said `OK` or `ERROR` after it.
pub fn complete(_op: &Operation, output: &str) -> bool {
    let mut ended = false;
    for line in output.lines() {
        if is_terminator(line) {
            ended = true;
        } else if ended && is_final(line) {
            return true;
        }
    }
    false
}

/// A `*r <Name> (status=<S>):` header: the name and the status, lower case.
fn result_header(line: &str) -> Option<(String, String)> {
    let rest = line.trim().strip_prefix("*r ")?;
    let (name, after) = rest.split_once('(')?;
    let status = after
        .trim_start()
        .to_ascii_lowercase()
        .strip_prefix("status=")?
        .split(')')
        .next()?
        .trim()
        .to_owned();
    Some((name.trim().to_ascii_lowercase(), status))
}

/// The lines of the first result block whose name passes `wanted`: its status and its
/// `Key: value` lines (indented, or `*r Name Key: value` in other output modes).
fn result_block(
    output: &str,
    wanted: impl Fn(&str) -> bool,
) -> Option<(String, Vec<(String, String)>)> {
    let mut lines = output.lines();
    let (name, status) = lines
        .by_ref()
        .find_map(|l| result_header(l).filter(|(n, _)| wanted(n)))?;
    let mut fields = Vec::new();
    for line in lines {
        if is_terminator(line) || result_header(line).is_some() {
            break;
        }
        let body = line.trim();
        let body = body
            .strip_prefix("*r ")
            .and_then(|b| {
                let lower = b.to_ascii_lowercase();
                lower
                    .starts_with(&name)
                    .then(|| b.get(name.len()..).unwrap_or(""))
            })
            .unwrap_or(body);
        if let Some((k, v)) = body.split_once(':') {
            if fields.len() < 32 {
                fields.push((k.trim().to_ascii_lowercase(), clean_value(v)));
            }
        }
    }
    Some((status, fields))
}

fn field<'a>(fields: &'a [(String, String)], key: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// The refusal reason of a block with `status=error`.
fn refusal(fields: &[(String, String)]) -> ConsoleError {
    let reason = ["reason", "description", "cause"]
        .iter()
        .find_map(|k| field(fields, k))
        .unwrap_or("status=Error");
    ConsoleError::Refused(reason.to_owned())
}

pub fn parse(op: &Operation, output: &str) -> Result<Answer, ConsoleError> {
    match op {
        Operation::Dial(_) => {
            let (status, fields) = result_block(output, |n| n == "dialresult" || n == "result")
                .ok_or_else(|| bare_error(output))?;
            if status != "ok" {
                return Err(refusal(&fields));
            }
            Ok(Answer::Dialled(Dialled {
                call_id: field(&fields, "callid")
                    .or_else(|| field(&fields, "callref"))
                    .map(str::to_owned),
            }))
        }
        Operation::Hangup => {
            let (status, fields) =
                result_block(output, |n| n.contains("disconnect") || n == "result")
                    .ok_or_else(|| bare_error(output))?;
            if status != "ok" {
                return Err(refusal(&fields));
            }
            Ok(Answer::HungUp(HungUp { hung_up: true }))
        }
        Operation::Status => parse_status(output),
        Operation::Diagnostic(_) => Ok(Answer::Output {
            output: crate::endpoint::printable(output),
        }),
    }
}

/// No result block: an `ERROR` line is a refusal (e.g. an unknown command), anything else is
/// not an answer.
fn bare_error(output: &str) -> ConsoleError {
    if output.lines().any(|l| l.trim() == "ERROR") {
        ConsoleError::Refused("ERROR".to_owned())
    } else {
        ConsoleError::Unrecognised
    }
}

/// `*s Call <id> <Key ...>: <value>` lines, grouped by call id in order of appearance.
fn parse_status(output: &str) -> Result<Answer, ConsoleError> {
    let mut calls: Vec<CallInfo> = Vec::new();
    let mut answered = false;
    for line in output.lines() {
        if is_terminator(line) {
            answered = true;
            continue;
        }
        let Some(rest) = line.trim().strip_prefix("*s Call ") else {
            continue;
        };
        answered = true;
        let Some((id, rest)) = rest.split_once(' ') else {
            continue;
        };
        if id.is_empty() || id.len() > 16 || !id.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let Some((key, value)) = rest.split_once(':') else {
            continue;
        };
        let call = match calls.iter().position(|c| c.id == id) {
            Some(i) => calls.get_mut(i),
            None if calls.len() < MAX_CALLS => {
                calls.push(CallInfo {
                    id: id.to_owned(),
                    ..CallInfo::default()
                });
                calls.last_mut()
            }
            None => None,
        };
        let Some(call) = call else { continue };
        let value = clean_value(value);
        match key.trim().to_ascii_lowercase().as_str() {
            "status" => call.state = Some(value.to_ascii_lowercase()),
            "remotenumber" => call.remote = Some(value),
            "callbacknumber" if call.remote.is_none() => call.remote = Some(value),
            "displayname" => call.display_name = Some(value),
            "direction" => call.direction = Some(value.to_ascii_lowercase()),
            "protocol" => call.protocol = Some(value.to_ascii_lowercase()),
            "calltype" => call.media.call_type = Some(value.to_ascii_lowercase()),
            "encryption type" => call.media.encryption = Some(value),
            "transmitcallrate" => call.media.transmit_kbps = value.parse().ok(),
            "receivecallrate" => call.media.receive_kbps = value.parse().ok(),
            "duration" => call.media.duration_s = value.parse().ok(),
            _ => {}
        }
    }
    if !answered {
        return Err(bare_error(output));
    }
    let in_call = calls
        .iter()
        .any(|c| c.state.as_deref().is_some_and(|s| s != "idle"));
    Ok(Answer::Status(CallStatus { in_call, calls }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoint::command::{DialString, MeetingId};

    fn dial() -> Operation {
        Operation::Dial(
            DialString::new(
                &MeetingId::parse("1001").unwrap(),
                "gw.example.com",
                DialProtocol::Sip,
            )
            .unwrap(),
        )
    }

    const BANNER: &str =
        "Welcome to room\r\nCisco Codec Release ce 9.15.3\r\n*r Login successful\r\n\r\nOK\r\n\r\n";

    #[test]
    fn dial_lines_and_results() {
        assert_eq!(
            lines(&dial()),
            [
                "xCommand Dial Number: \"1001@gw.example.com\" Protocol: Sip",
                "bye"
            ]
        );
        let ok = format!("{BANNER}OK\r\n*r DialResult (status=OK):\r\n    CallId: 2\r\n    ConferenceId: 1\r\n** end\r\n");
        assert_eq!(
            parse(&dial(), &ok).unwrap(),
            Answer::Dialled(Dialled {
                call_id: Some("2".into())
            })
        );
        let terse = "*r DialResult (status=OK):\n*r DialResult CallId: 7\n*r DialResult ConferenceId: 3\n** end\nOK\n";
        assert!(complete(&dial(), terse));
        assert_eq!(
            parse(&dial(), terse).unwrap(),
            Answer::Dialled(Dialled {
                call_id: Some("7".into())
            })
        );
        let old = "*r Result (status=OK):\nCallRef: 2\nLogTag: 313\n*r/end\nOK\n";
        assert!(complete(&dial(), old));
        assert!(
            matches!(parse(&dial(), old), Ok(Answer::Dialled(Dialled { call_id: Some(id) })) if id == "2")
        );
        let err = "*r DialResult (status=Error):\n    Reason: \"Invalid number\"\n** end\nERROR\n";
        assert_eq!(
            parse(&dial(), err),
            Err(ConsoleError::Refused("Invalid number".into()))
        );
        assert_eq!(parse(&dial(), BANNER), Err(ConsoleError::Unrecognised));
        assert!(!complete(&dial(), BANNER));
        assert_eq!(
            parse(&dial(), "Command not recognized.\nERROR\n"),
            Err(ConsoleError::Refused("ERROR".into()))
        );
    }

    #[test]
    fn status_block() {
        let out = "*s Call 27 Status: Connected\n*s Call 27 Direction: Outgoing\n*s Call 27 Protocol: \u{201c}sip\u{201d}\n*s Call 27 RemoteNumber: \"1001@gw.example.com\"\n*s Call 27 DisplayName: \"Gateway\"\n*s Call 27 CallType: Video\n*s Call 27 TransmitCallRate: 768\n*s Call 27 ReceiveCallRate: 968\n*s Call 27 Encryption Type: \"Aes-128\"\n*s Call 27 Duration: 123\n** end\nOK\n";
        assert!(complete(&Operation::Status, out));
        let Answer::Status(s) = parse(&Operation::Status, out).unwrap() else {
            panic!()
        };
        assert!(s.in_call);
        let c = &s.calls[0];
        assert_eq!(c.id, "27");
        assert_eq!(c.state.as_deref(), Some("connected"));
        assert_eq!(c.remote.as_deref(), Some("1001@gw.example.com"));
        assert_eq!(c.protocol.as_deref(), Some("sip"));
        assert_eq!(c.media.encryption.as_deref(), Some("Aes-128"));
        assert_eq!(c.media.transmit_kbps, Some(768));
        assert_eq!(c.media.duration_s, Some(123));
        let Answer::Status(idle) = parse(&Operation::Status, "** end\nOK\n").unwrap() else {
            panic!()
        };
        assert!(!idle.in_call && idle.calls.is_empty());
        assert_eq!(
            parse(&Operation::Status, "garbage\n"),
            Err(ConsoleError::Unrecognised)
        );
    }

    #[test]
    fn hostile_status_is_bounded() {
        let mut out = String::new();
        for i in 0..1000 {
            out.push_str(&format!("*s Call {i} Status: Connected\n"));
        }
        out.push_str("*s Call x Status: y\n*s Call 1\n*s Call 99999999999999999999 Status: z\n*s Call 1 RemoteNumber:");
        out.push_str(&"a".repeat(10_000));
        let Answer::Status(s) = parse(&Operation::Status, &out).unwrap() else {
            panic!()
        };
        assert_eq!(s.calls.len(), MAX_CALLS);
        assert_eq!(
            s.calls[1].remote.as_ref().unwrap().len(),
            super::super::MAX_VALUE_LEN
        );
    }

    #[test]
    fn hangup() {
        let ok = "*r CallDisconnectResult (status=OK):\n** end\nOK\n";
        assert_eq!(
            parse(&Operation::Hangup, ok).unwrap(),
            Answer::HungUp(HungUp { hung_up: true })
        );
        assert_eq!(lines(&Operation::Hangup)[0], "xCommand Call Disconnect");
    }
}
