//! SSH control of room systems: an operator asks Roomgate to make a room dial a meeting, hang
//! up, or report its call state, and Roomgate does it over the room's own SSH console.
//!
//! This touches nothing in the call path. The pieces:
//! - [`Endpoint`]: a room as the store keeps it (address, user, the path of a key file, the
//!   console dialect and the pinned host key). Key files are referenced, never copied.
//! - [`command`]: typed operations. Every value that reaches a console line is checked against
//!   a narrow character set first, so no operator or API input is ever interpolated into a
//!   console command unchecked (a meeting ID like `1234; xCommand ...` is refused before any
//!   SSH traffic).
//! - [`dialect`]: what each console is sent and how its answer is read. Console output is
//!   hostile input: parsers are bounded and never panic.
//! - [`ssh`]: the client (russh): the pinned host key must match, public-key authentication
//!   only, connect/auth/command timeouts, output bounded in bytes and time.
//! - [`service`]: one operation end to end, with its audit and security events; the CLI
//!   ([`cli`]) and the admin API ([`api`]) both go through it.

pub mod api;
pub mod cli;
pub mod command;
pub mod dialect;
pub mod service;
pub mod ssh;

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

pub use command::{DialString, MeetingId};
pub use dialect::Dialect;

/// Longest endpoint name; names are typed on command lines and appear in URLs.
pub const MAX_NAME_LEN: usize = 64;
/// Longest host name (DNS limit).
pub const MAX_HOST_LEN: usize = 253;
/// Longest SSH user name.
pub const MAX_USER_LEN: usize = 64;
/// Longest key file path stored.
pub const MAX_KEY_PATH_LEN: usize = 4096;

/// A room system the gateway can control over SSH.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    /// The operator's name for the room, e.g. `boardroom`; see [`validate_name`].
    pub name: String,
    /// Host name or IP address of the room's SSH console.
    pub host: String,
    pub port: u16,
    pub user: String,
    /// The private key file (OpenSSH format), read at each use; never copied into the store.
    pub key_file: PathBuf,
    pub dialect: Dialect,
    /// The room's host key, pinned when the endpoint was added.
    pub host_key: Fingerprint,
}

/// Why an endpoint definition or an operation's input was refused. Messages never repeat a
/// refused value that could hold control characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    #[error("invalid endpoint name: 1 to {MAX_NAME_LEN} characters of 0-9 A-Z a-z _ - .")]
    Name,
    #[error("invalid host: a host name or IP address (at most {MAX_HOST_LEN} characters)")]
    Host,
    #[error("invalid port")]
    Port,
    #[error("invalid SSH user: 1 to {MAX_USER_LEN} characters of 0-9 A-Z a-z _ - .")]
    User,
    #[error("invalid key file path: empty, longer than {MAX_KEY_PATH_LEN} bytes, or not absolute")]
    KeyPath,
    #[error("invalid host key fingerprint: expected SHA256:<43 base64 characters> as ssh-keygen -l prints it")]
    Fingerprint,
    #[error(
        "invalid meeting ID: 1 to {} characters of 0-9 A-Z a-z _ -",
        crate::store::MAX_ID_LEN
    )]
    Meeting,
    #[error("invalid dial address: a host name or IP address with an optional port")]
    DialAddress,
    #[error("unknown dialect (cisco-xapi or poly)")]
    Dialect,
    #[error("command not allowed for {dialect}; allowed: {allowed}")]
    NotAllowed {
        dialect: &'static str,
        allowed: String,
    },
}

fn name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

/// Checks an endpoint name: 1..=64 of `[0-9A-Za-z_.-]`, not starting with `.` or `-` (it
/// is a path segment in the admin API and an argument on command lines).
pub fn validate_name(name: &str) -> Result<(), InputError> {
    let ok = (1..=MAX_NAME_LEN).contains(&name.len())
        && name.bytes().all(name_byte)
        && !name.starts_with(['.', '-']);
    ok.then_some(()).ok_or(InputError::Name)
}

/// Checks a host: an IPv4/IPv6 address, or a DNS name of letters, digits, `-` and `.`.
pub fn validate_host(host: &str) -> Result<(), InputError> {
    if host.parse::<std::net::IpAddr>().is_ok() {
        return Ok(());
    }
    let ok = (1..=MAX_HOST_LEN).contains(&host.len())
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.'))
        && !host.starts_with(['-', '.']);
    ok.then_some(()).ok_or(InputError::Host)
}

/// Parses `HOST[:PORT]` (IPv6 as `[addr]:port` or bare); the SSH port defaults to 22.
pub fn parse_host_port(text: &str) -> Result<(String, u16), InputError> {
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (h, after) = rest.split_once(']').ok_or(InputError::Host)?;
        match after.strip_prefix(':') {
            Some(p) => (h, Some(p)),
            None if after.is_empty() => (h, None),
            None => return Err(InputError::Host),
        }
    } else if text.matches(':').count() == 1 {
        let (h, p) = text.split_once(':').ok_or(InputError::Host)?;
        (h, Some(p))
    } else {
        (text, None)
    };
    let port = match port {
        Some(p) => p
            .parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .ok_or(InputError::Port)?,
        None => 22,
    };
    validate_host(host)?;
    Ok((host.to_owned(), port))
}

/// Checks an SSH user name.
pub fn validate_user(user: &str) -> Result<(), InputError> {
    let ok = (1..=MAX_USER_LEN).contains(&user.len()) && user.bytes().all(name_byte);
    ok.then_some(()).ok_or(InputError::User)
}

impl Endpoint {
    /// Checks every field; the store calls this on the way in and on the way out.
    pub fn validate(&self) -> Result<(), InputError> {
        validate_name(&self.name)?;
        validate_host(&self.host)?;
        if self.port == 0 {
            return Err(InputError::Port);
        }
        validate_user(&self.user)?;
        let path = self.key_file.as_os_str();
        if path.is_empty() || path.len() > MAX_KEY_PATH_LEN || !self.key_file.is_absolute() {
            return Err(InputError::KeyPath);
        }
        if self
            .key_file
            .to_str()
            .is_none_or(|p| p.chars().any(char::is_control))
        {
            return Err(InputError::KeyPath);
        }
        Ok(())
    }

    /// `host:port` as a socket address string (IPv6 in brackets).
    pub fn address(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// A host key's SHA-256 fingerprint as OpenSSH prints it: `SHA256:` and the unpadded base64
/// of the digest (43 characters). Kept as text: it is compared, printed and stored, never
/// computed from here.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Fingerprint(String);

/// Unpadded base64 of 32 bytes.
const FINGERPRINT_B64_LEN: usize = 43;

impl Fingerprint {
    /// Parses `SHA256:<43 base64 characters>`; the last character must be one a 32-byte
    /// digest can end in, so a mistyped fingerprint is refused rather than never matching.
    pub fn parse(text: &str) -> Result<Fingerprint, InputError> {
        let b64 = text
            .strip_prefix("SHA256:")
            .ok_or(InputError::Fingerprint)?;
        let ok = b64.len() == FINGERPRINT_B64_LEN
            && b64
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
            // 256 bits = 42 characters and 4 bits: the last character's low 2 bits are 0.
            && b64
                .bytes()
                .last()
                .and_then(|b| {
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                        .iter()
                        .position(|c| *c == b)
                })
                .is_some_and(|v| v % 4 == 0);
        ok.then(|| Fingerprint(text.to_owned()))
            .ok_or(InputError::Fingerprint)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({})", self.0)
    }
}

/// Console text made safe to print on a terminal or put in JSON for one: control characters
/// other than newline and tab become U+FFFD, so a hostile console cannot send escape
/// sequences to the operator's terminal. Carriage returns are dropped.
pub fn printable(text: &str) -> String {
    text.chars()
        .filter(|c| *c != '\r')
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_hosts_and_users() {
        for good in ["boardroom", "room-2.b", "A_1"] {
            validate_name(good).unwrap();
        }
        for bad in ["", ".x", "-x", "a b", "a/b", "a;b", &"x".repeat(65)] {
            assert!(validate_name(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            parse_host_port("10.0.0.5").unwrap(),
            ("10.0.0.5".into(), 22)
        );
        assert_eq!(
            parse_host_port("room.example.com:2222").unwrap(),
            ("room.example.com".into(), 2222)
        );
        assert_eq!(parse_host_port("[::1]:22").unwrap(), ("::1".into(), 22));
        assert_eq!(parse_host_port("::1").unwrap(), ("::1".into(), 22));
        for bad in ["", "h:0", "h:x", "a b", "h;rm", "[::1", "-h", "h:99999"] {
            assert!(parse_host_port(bad).is_err(), "{bad:?}");
        }
        assert!(validate_user("admin").is_ok());
        assert!(validate_user("ad min").is_err());
        assert!(validate_user("").is_err());
    }

    #[test]
    fn fingerprints_as_openssh_prints_them() {
        let fp = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s";
        assert_eq!(Fingerprint::parse(fp).unwrap().as_str(), fp);
        for bad in [
            "uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s",
            "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2",
            "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2t",
            "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s=",
            "MD5:aa:bb",
            "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3t;2s",
        ] {
            assert!(Fingerprint::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn printable_removes_escape_sequences() {
        assert_eq!(printable("a\x1b[2Jb\r\nc\td"), "a\u{FFFD}[2Jb\nc\td");
    }
}
