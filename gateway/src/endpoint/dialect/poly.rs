//! Poly (Polycom) Group Series / VideoOS command-line API over SSH, as the integrator's
//! reference manuals show it:
//!
//! ```text
//! -> dial manual 1920 "1001@gw.example.com" sip
//! dialing manual
//! cs: call[44] chan[0] dialstr[1001@gw.example.com] state[RINGING]
//! active: call[44] speed[1920]
//! -> callinfo all
//! callinfo begin
//! callinfo:44:Gateway:1001@gw.example.com:1920:connected:notmuted:outgoing:videocall
//! callinfo end
//! -> hangup all
//! hanging up all
//! ```
//!
//! With no call, `callinfo all` answers `system is not in a call`. Call-state lines (`cs:`)
//! only come when the session registered for them, so the call id is read when present and
//! otherwise left out. The log-out line is `exit`.

use super::{clean_value, Answer, CallInfo, CallStatus, ConsoleError, Dialled, HungUp, MAX_CALLS};
use crate::endpoint::command::{DialProtocol, Operation};

/// The diagnostic commands `endpoint exec` may run: read-only queries.
pub const DIAGNOSTICS: &[&str] = &[
    "status",
    "callinfo all",
    "getcallstate",
    "whoami",
    "version",
];

/// Call rate of a dial, in kbit/s: Group Series' highest common rate; the room and the
/// gateway negotiate down from it.
pub const DIAL_RATE_KBPS: u32 = 1920;

pub fn lines(op: &Operation) -> Vec<String> {
    let command = match op {
        // The URI is checked (`DialString::new`): no quote, space or control character.
        Operation::Dial(d) => format!(
            "dial manual {DIAL_RATE_KBPS} \"{}\" {}",
            d.uri,
            match d.protocol {
                DialProtocol::Sip => "sip",
                DialProtocol::H323 => "h323",
            }
        ),
        Operation::Hangup => "hangup all".to_owned(),
        Operation::Status => "callinfo all".to_owned(),
        Operation::Diagnostic(i) => DIAGNOSTICS.get(*i).copied().unwrap_or("").to_owned(),
    };
    vec![command, "exit".to_owned()]
}

/// Lines without the `-> ` prompt, trimmed, lower case (Poly consoles vary in case).
fn answer_lines(output: &str) -> impl Iterator<Item = String> + '_ {
    output.lines().map(|l| {
        let l = l.trim();
        l.strip_prefix("->")
            .unwrap_or(l)
            .trim()
            .to_ascii_lowercase()
    })
}

fn is_error(line: &str) -> bool {
    line.starts_with("error") || line.starts_with("info:") || line.contains("command not found")
}

pub fn complete(op: &Operation, output: &str) -> bool {
    if let Operation::Dial(_) = op {
        if dial_complete(output) {
            return true;
        }
    }
    answer_lines(output).any(|l| {
        is_error(&l)
            || match op {
                Operation::Dial(_) => false,
                Operation::Hangup => l.starts_with("hanging up"),
                Operation::Status => l == "callinfo end" || l.contains("not in a call"),
                Operation::Diagnostic(_) => false,
            }
    })
}

/// `dialing manual` alone is not the whole answer: the `cs:`/`active:` line with the call id
/// may come in a later read. The answer is whole once a line after `dialing` carries a call id
/// or is the console's next prompt (a console that gives no call id still ends its answer).
fn dial_complete(output: &str) -> bool {
    let mut lines = output.lines().map(|l| l.trim().to_ascii_lowercase());
    lines.any(|l| {
        l.strip_prefix("->")
            .unwrap_or(&l)
            .trim()
            .starts_with("dialing")
    }) && lines.any(|l| call_id(&l).is_some() || l.starts_with("->"))
}

/// The first error line, as the console wrote it (printable, cut).
fn refusal(output: &str) -> Option<ConsoleError> {
    output
        .lines()
        .map(|l| l.trim().strip_prefix("->").unwrap_or(l.trim()).trim())
        .find(|l| is_error(&l.to_ascii_lowercase()))
        .map(|l| ConsoleError::Refused(clean_value(l)))
}

/// The `N` of `call[N]` in a `cs:` or `active:` line.
fn call_id(line: &str) -> Option<String> {
    let rest = line.split_once("call[")?.1;
    let id = rest.split(']').next()?;
    (!id.is_empty() && id.len() <= 16 && id.bytes().all(|b| b.is_ascii_digit()))
        .then(|| id.to_owned())
}

pub fn parse(op: &Operation, output: &str) -> Result<Answer, ConsoleError> {
    match op {
        Operation::Dial(_) => {
            if let Some(e) = refusal(output) {
                return Err(e);
            }
            if !answer_lines(output).any(|l| l.starts_with("dialing")) {
                return Err(ConsoleError::Unrecognised);
            }
            let call_id = answer_lines(output)
                .filter(|l| l.starts_with("cs:") || l.starts_with("active:"))
                .find_map(|l| call_id(&l));
            Ok(Answer::Dialled(Dialled { call_id }))
        }
        Operation::Hangup => {
            if let Some(e) = refusal(output) {
                return Err(e);
            }
            if !answer_lines(output).any(|l| l.starts_with("hanging up")) {
                return Err(ConsoleError::Unrecognised);
            }
            Ok(Answer::HungUp(HungUp { hung_up: true }))
        }
        Operation::Status => parse_status(output),
        Operation::Diagnostic(_) => Ok(Answer::Output {
            output: crate::endpoint::printable(output),
        }),
    }
}

/// `callinfo:<id>:<name>:<number>:<kbps>:<state>:<muted>:<direction>:<type>`; the name may
/// hold colons, so the fields are taken from both ends.
fn callinfo(line: &str) -> Option<CallInfo> {
    let body = line.trim().strip_prefix("callinfo:")?;
    let (id, rest) = body.split_once(':')?;
    let mut tail = rest.rsplitn(6, ':');
    let call_type = tail.next()?;
    let direction = tail.next()?;
    let _muted = tail.next()?;
    let state = tail.next()?;
    let kbps = tail.next()?;
    let name_number = tail.next()?;
    let (name, number) = name_number.rsplit_once(':').unwrap_or(("", name_number));
    let id = id.trim();
    if id.is_empty() || id.len() > 16 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let rate = kbps.trim().parse().ok();
    let opt = |v: &str| Some(clean_value(v)).filter(|v| !v.is_empty());
    Some(CallInfo {
        id: id.to_owned(),
        state: opt(state).map(|s| s.to_ascii_lowercase()),
        remote: opt(number),
        display_name: opt(name),
        direction: opt(direction).map(|s| s.to_ascii_lowercase()),
        protocol: None,
        media: super::Media {
            call_type: opt(call_type).map(|s| s.to_ascii_lowercase()),
            encryption: None,
            transmit_kbps: rate,
            receive_kbps: rate,
            duration_s: None,
        },
    })
}

fn parse_status(output: &str) -> Result<Answer, ConsoleError> {
    let lines = || {
        output
            .lines()
            .map(|l| l.trim().strip_prefix("->").unwrap_or(l.trim()).trim())
    };
    let mut calls = Vec::new();
    for line in lines() {
        if calls.len() >= MAX_CALLS {
            break;
        }
        if let Some(call) = callinfo(line) {
            calls.push(call);
        }
    }
    let answered = !calls.is_empty()
        || lines().any(|l| {
            let l = l.to_ascii_lowercase();
            l == "callinfo end" || l.contains("not in a call")
        });
    if !answered {
        return Err(refusal(output).unwrap_or(ConsoleError::Unrecognised));
    }
    let in_call = calls
        .iter()
        .any(|c: &CallInfo| c.state.as_deref().is_some_and(|s| s != "disconnected"));
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
                DialProtocol::H323,
            )
            .unwrap(),
        )
    }

    #[test]
    fn dial_lines_and_results() {
        let op = dial();
        assert_eq!(
            lines(&op),
            ["dial manual 1920 \"1001@gw.example.com\" h323", "exit"]
        );
        let out = "Welcome\n-> dialing manual\ncs: call[44] chan[0] dialstr[1001@gw.example.com] state[RINGING]\nactive: call[44] speed[1920]\n";
        assert!(complete(&op, out));
        // The answer arrives in pieces: the greeting's prompt and `dialing` alone are not it.
        assert!(!complete(&op, "Welcome\n-> "));
        assert!(!complete(&op, "Welcome\n-> dialing manual\n"));
        assert!(complete(
            &op,
            "Welcome\n-> dialing manual\nactive: call[44] speed[1920]\n"
        ));
        assert!(complete(&op, "Welcome\n-> dialing manual\n-> "));
        assert!(complete(&op, "error: command not found\n"));
        assert_eq!(
            parse(&op, out).unwrap(),
            Answer::Dialled(Dialled {
                call_id: Some("44".into())
            })
        );
        assert_eq!(
            parse(&op, "Dialing manual\n").unwrap(),
            Answer::Dialled(Dialled { call_id: None })
        );
        assert_eq!(
            parse(&op, "info: IP line (SIP) not enabled.\n"),
            Err(ConsoleError::Refused(
                "info: IP line (SIP) not enabled.".into()
            ))
        );
        assert_eq!(parse(&op, "-> \n"), Err(ConsoleError::Unrecognised));
    }

    #[test]
    fn status() {
        let out = "callinfo begin\ncallinfo:43:Polycom Group: Demo:1001@gw.example.com:1920:connected:notmuted:outgoing:videocall\ncallinfo end\n";
        assert!(complete(&Operation::Status, out));
        let Answer::Status(s) = parse(&Operation::Status, out).unwrap() else {
            panic!()
        };
        assert!(s.in_call);
        let c = &s.calls[0];
        assert_eq!(c.id, "43");
        assert_eq!(c.display_name.as_deref(), Some("Polycom Group: Demo"));
        assert_eq!(c.remote.as_deref(), Some("1001@gw.example.com"));
        assert_eq!(c.state.as_deref(), Some("connected"));
        assert_eq!(c.direction.as_deref(), Some("outgoing"));
        assert_eq!(c.media.call_type.as_deref(), Some("videocall"));
        assert_eq!(c.media.transmit_kbps, Some(1920));
        let Answer::Status(idle) = parse(&Operation::Status, "system is not in a call\n").unwrap()
        else {
            panic!()
        };
        assert!(!idle.in_call);
        assert!(parse(&Operation::Status, "callinfo:x\ncallinfo:1:2\n").is_err());
    }

    #[test]
    fn hangup() {
        assert_eq!(
            parse(&Operation::Hangup, "hanging up all\n").unwrap(),
            Answer::HungUp(HungUp { hung_up: true })
        );
        assert!(parse(&Operation::Hangup, "").is_err());
    }
}
