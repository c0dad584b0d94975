//! `roomgate meeting add|list|remove|set-pin|clear-pin`: the operator's view of the store.
//! Passwords and PINs come in on standard input only (argv is visible to every user through
//! `ps` and `/proc`) and never go out: listings say who the credentials are for, not what they
//! are, and whether a meeting has a PIN, not its hash.
//!
//! Standard input, when a command reads it: for `meeting add`, the upstream password is line 1
//! (with `--password-stdin`) and the PIN is the next line (with `--pin-stdin`), so with both the
//! PIN is line 2; for `meeting set-pin`, the PIN is line 1.

use std::ffi::OsString;
use std::io::{BufRead, Read, Write};
use std::path::PathBuf;

use serde_json::json;

use crate::pin::{hash_pin, PinError, MAX_PIN_LEN};
use crate::store::{
    Meeting, RedisMeetings, RedisStoreError, SrtpMode, Store, StoreError, Upstream,
    UpstreamCredentials, DEFAULT_DATA_DIR, MAX_PASSWORD_LEN,
};

/// The environment variable naming the data directory when `--data-dir` is not given.
pub const DATA_DIR_ENV: &str = "ROOMGATE_DATA";

#[derive(Debug, clap::Subcommand)]
pub enum MeetingCommand {
    /// Add a meeting, or replace the meeting with the same ID.
    Add(AddArgs),
    /// List the meetings, ordered by ID; passwords and PIN hashes are never shown.
    List {
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        data: DataDir,
    },
    /// Remove a meeting; exits 1 when there is none with that ID.
    Remove {
        /// The meeting ID.
        id: String,
        #[command(flatten)]
        data: DataDir,
    },
    /// Set or replace a meeting's PIN, read from the first line of standard input (1-16
    /// digits); only its argon2id hash is stored. Exits 1 when there is no such meeting.
    SetPin {
        /// The meeting ID.
        id: String,
        #[command(flatten)]
        data: DataDir,
    },
    /// Remove a meeting's PIN, so callers join without one. Exits 1 when there is no such
    /// meeting.
    ClearPin {
        /// The meeting ID.
        id: String,
        #[command(flatten)]
        data: DataDir,
    },
}

#[derive(Debug, Clone, clap::Args)]
pub struct DataDir {
    /// Data directory [default: $ROOMGATE_DATA, else ./roomgate-data].
    #[arg(long, value_name = "DIR", conflicts_with = "redis")]
    pub data_dir: Option<PathBuf>,
    /// Work on the Redis store of a cluster instead of a data directory, e.g.
    /// redis://10.0.0.5:6379/0 (as `[store] redis_url`).
    #[arg(long, value_name = "URL")]
    pub redis: Option<String>,
    /// Prefix of the Redis keys (as `[store] redis_prefix`).
    #[arg(long, value_name = "PREFIX", default_value = crate::lockout::redis::DEFAULT_PREFIX, requires = "redis")]
    pub redis_prefix: String,
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// The meeting ID callers dial (1-32 characters of 0-9 A-Z a-z _ -).
    pub id: String,
    /// Where the call goes: a sip: or sips: URI, or `echo` for the built-in echo service.
    #[arg(long, value_name = "URI|echo")]
    pub upstream: String,
    /// SRTP on the upstream leg.
    #[arg(long, value_enum, default_value_t = SrtpMode::Mandatory)]
    pub srtp: SrtpMode,
    /// An SDES suite, e.g. AES_256_CM_HMAC_SHA1_80; repeat in order of preference [default:
    /// the gateway's order, AES-256 first].
    #[arg(long = "suite", value_name = "NAME")]
    pub suites: Vec<String>,
    /// Digest username for the upstream (needs --password-stdin).
    #[arg(long, requires = "password_stdin")]
    pub username: Option<String>,
    /// Read the upstream digest password from the first line of standard input.
    #[arg(long, requires = "username")]
    pub password_stdin: bool,
    /// The digest realm the credentials are for [default: any].
    #[arg(long, requires = "username")]
    pub realm: Option<String>,
    /// Read the meeting PIN (1-16 digits) from standard input: line 1, or line 2 after the
    /// password when --password-stdin is given too. Only its argon2id hash is stored.
    /// `--pin` is the same flag: a PIN is never taken from the command line.
    #[arg(long, visible_alias = "pin")]
    pub pin_stdin: bool,
    #[command(flatten)]
    pub data: DataDir,
}

/// Why a meeting command failed. Every variant means exit status 1; usage errors (exit 2)
/// are clap's, before this runs. No variant carries a password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Redis(#[from] RedisStoreError),
    #[error("no meeting {0}")]
    NotFound(String),
    #[error("cannot read the password from standard input: {0}")]
    PasswordRead(std::io::Error),
    #[error("{0}")]
    Password(&'static str),
    #[error("cannot read the PIN from standard input: {0}")]
    PinRead(std::io::Error),
    #[error("no PIN on standard input")]
    NoPin,
    #[error(transparent)]
    Pin(#[from] PinError),
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
}

impl MeetingCommand {
    /// Whether the command will read a password or PIN from standard input.
    pub fn reads_password(&self) -> bool {
        matches!(self, MeetingCommand::Add(a) if a.password_stdin || a.pin_stdin)
            || matches!(self, MeetingCommand::SetPin { .. })
    }
}

/// Picks the data directory: `--data-dir`, else `$ROOMGATE_DATA` (when not empty), else
/// `./roomgate-data`.
pub fn data_dir(flag: Option<PathBuf>, env: Option<OsString>) -> PathBuf {
    flag.or_else(|| env.filter(|v| !v.is_empty()).map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR))
}

/// Runs one meeting command. `env_data_dir` is `$ROOMGATE_DATA`; `stdin` is read only for
/// `--password-stdin`; results go to `out`.
pub fn run(
    command: MeetingCommand,
    env_data_dir: Option<OsString>,
    stdin: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    match command {
        MeetingCommand::Add(args) => {
            let data = args.data.clone();
            // Everything is read and checked before the store is touched, so bad input
            // changes nothing (not even creating the data directory).
            let meeting = meeting_from_args(args, stdin)?;
            let store = open(data, env_data_dir)?;
            if store.put_meeting(&meeting)? {
                writeln!(out, "replaced meeting {}", meeting.id)?;
            } else {
                writeln!(out, "added meeting {}", meeting.id)?;
            }
        }
        MeetingCommand::List { json, data } => {
            let meetings = open(data, env_data_dir)?.list_meetings()?;
            if json {
                for m in &meetings {
                    writeln!(out, "{}", meeting_json(m))?;
                }
            } else {
                write_table(out, &meetings)?;
            }
        }
        MeetingCommand::Remove { id, data } => {
            if !open(data, env_data_dir)?.remove_meeting(&id)? {
                return Err(CliError::NotFound(id));
            }
            writeln!(out, "removed meeting {id}")?;
        }
        MeetingCommand::SetPin { id, data } => {
            // Read and hash before opening the store, as for `add`.
            let phc = hash_pin(&read_pin(stdin)?)?;
            if !open(data, env_data_dir)?.set_meeting_pin(&id, Some(&phc))? {
                return Err(CliError::NotFound(id));
            }
            writeln!(out, "PIN set for meeting {id}")?;
        }
        MeetingCommand::ClearPin { id, data } => {
            if !open(data, env_data_dir)?.set_meeting_pin(&id, None)? {
                return Err(CliError::NotFound(id));
            }
            writeln!(out, "PIN cleared for meeting {id}")?;
        }
    }
    Ok(())
}

/// The meeting store a command works on.
enum Meetings {
    Sqlite(Store),
    Redis(Box<RedisMeetings>),
}

impl Meetings {
    fn put_meeting(&self, m: &Meeting) -> Result<bool, CliError> {
        Ok(match self {
            Meetings::Sqlite(s) => s.put_meeting(m)?,
            Meetings::Redis(r) => r.put_meeting(m)?,
        })
    }
    fn list_meetings(&self) -> Result<Vec<Meeting>, CliError> {
        Ok(match self {
            Meetings::Sqlite(s) => s.list_meetings()?,
            Meetings::Redis(r) => r.list_meetings()?,
        })
    }
    fn remove_meeting(&self, id: &str) -> Result<bool, CliError> {
        Ok(match self {
            Meetings::Sqlite(s) => s.remove_meeting(id)?,
            Meetings::Redis(r) => r.remove_meeting(id)?,
        })
    }
    fn set_meeting_pin(&self, id: &str, phc: Option<&str>) -> Result<bool, CliError> {
        Ok(match self {
            Meetings::Sqlite(s) => s.set_meeting_pin(id, phc)?,
            Meetings::Redis(r) => r.set_meeting_pin(id, phc)?,
        })
    }
}

/// Opens the store the way `serve` will: the first use of a data directory (or a Redis and
/// prefix), by either, adds the demo meetings, so the CLI lists what callers can dial.
fn open(data: DataDir, env_data_dir: Option<OsString>) -> Result<Meetings, CliError> {
    if let Some(url) = data.redis {
        let store = RedisMeetings::open(&url, &data.redis_prefix)?;
        store.ensure_demo_meetings()?;
        return Ok(Meetings::Redis(Box::new(store)));
    }
    let store = Store::open(&data_dir(data.data_dir, env_data_dir))?;
    store.ensure_demo_meetings()?;
    Ok(Meetings::Sqlite(store))
}

fn meeting_from_args(args: AddArgs, stdin: &mut dyn BufRead) -> Result<Meeting, CliError> {
    let upstream = Upstream::parse(&args.upstream).map_err(StoreError::from)?;
    let credentials = match args.username {
        Some(username) if args.password_stdin => Some(UpstreamCredentials {
            username,
            password: read_password(stdin)?,
            realm: args.realm,
        }),
        // clap's `requires` makes these usage errors already; kept as a second line.
        Some(_) => return Err(CliError::Password("--username needs --password-stdin")),
        None if args.password_stdin || args.realm.is_some() => {
            return Err(CliError::Password(
                "--password-stdin and --realm need --username",
            ))
        }
        None => None,
    };
    // After the password: with both flags the PIN is line 2.
    let pin_hash = if args.pin_stdin {
        Some(hash_pin(&read_pin(stdin)?)?)
    } else {
        None
    };
    let meeting = Meeting {
        id: args.id,
        upstream,
        srtp: args.srtp,
        suites: args.suites,
        credentials,
        pin_hash,
    };
    // Checked here too so that a bad meeting fails before the data directory is created.
    meeting.validated().map_err(StoreError::from)?;
    Ok(meeting)
}

/// The first line of `stdin`, without its line ending. Reads at most a little more than the
/// longest password allowed, so a stream with no newline cannot fill memory.
fn read_password(stdin: &mut dyn BufRead) -> Result<String, CliError> {
    let password = read_line_limited(stdin, MAX_PASSWORD_LEN).map_err(CliError::PasswordRead)?;
    if password.len() > MAX_PASSWORD_LEN {
        return Err(CliError::Password("password on standard input is too long"));
    }
    if password.is_empty() {
        return Err(CliError::Password("no password on standard input"));
    }
    Ok(password)
}

/// The next line of `stdin` as the PIN, without its line ending. Its form is checked by
/// [`hash_pin`]; errors never include what was read.
fn read_pin(stdin: &mut dyn BufRead) -> Result<String, CliError> {
    let pin = read_line_limited(stdin, MAX_PIN_LEN).map_err(CliError::PinRead)?;
    if pin.is_empty() {
        return Err(CliError::NoPin);
    }
    Ok(pin)
}

/// One line of `stdin` without its line ending, reading at most a little more than `max`
/// bytes, so a stream with no newline cannot fill memory (a longer line comes back longer
/// than `max`, for the caller to refuse). What is not read stays in `stdin` for the next line.
fn read_line_limited(stdin: &mut dyn BufRead, max: usize) -> std::io::Result<String> {
    let mut line = String::new();
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(2);
    stdin.take(limit).read_line(&mut line)?;
    let text = line
        .strip_suffix('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .unwrap_or(&line);
    Ok(text.to_owned())
}

/// One `meeting list --json` line. Credentials appear as username and realm only.
fn meeting_json(m: &Meeting) -> serde_json::Value {
    json!({
        "id": m.id,
        "upstream": m.upstream.as_str(),
        "srtp": m.srtp,
        "suites": m.suites,
        "credentials": m.credentials.as_ref().map(|c| json!({
            "username": c.username,
            "realm": c.realm,
        })),
        "pin": m.pin_hash.is_some(),
    })
}

fn credentials_cell(c: Option<&UpstreamCredentials>) -> String {
    match c {
        None => "no".to_owned(),
        Some(UpstreamCredentials {
            username,
            realm: Some(realm),
            ..
        }) => format!("{username} (realm {realm})"),
        Some(c) => c.username.clone(),
    }
}

fn write_table(out: &mut dyn Write, meetings: &[Meeting]) -> std::io::Result<()> {
    if meetings.is_empty() {
        return writeln!(out, "no meetings");
    }
    let header = ["ID", "UPSTREAM", "SRTP", "SUITES", "CREDENTIALS", "PIN"].map(str::to_owned);
    let rows: Vec<[String; 6]> = meetings
        .iter()
        .map(|m| {
            [
                m.id.clone(),
                m.upstream.to_string(),
                m.srtp.to_string(),
                if m.suites.is_empty() {
                    "default".to_owned()
                } else {
                    m.suites.join(",")
                },
                credentials_cell(m.credentials.as_ref()),
                if m.pin_hash.is_some() { "yes" } else { "no" }.to_owned(),
            ]
        })
        .collect();
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (cell, w) in row.iter().zip(widths) {
            line.push_str(&format!("{cell:<w$}  "));
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_dir_prefers_the_flag_then_the_environment() {
        let env = Some(OsString::from("/srv/rg"));
        assert_eq!(
            data_dir(Some("/x".into()), env.clone()),
            PathBuf::from("/x")
        );
        assert_eq!(data_dir(None, env), PathBuf::from("/srv/rg"));
        assert_eq!(
            data_dir(None, Some(OsString::new())),
            PathBuf::from(DEFAULT_DATA_DIR)
        );
        assert_eq!(data_dir(None, None), PathBuf::from(DEFAULT_DATA_DIR));
    }

    #[test]
    fn pin_follows_the_password() {
        let mut input = std::io::Cursor::new(b"pass word\r\n4711\nrest\n".to_vec());
        assert_eq!(read_password(&mut input).unwrap(), "pass word");
        assert_eq!(read_pin(&mut input).unwrap(), "4711");
        let mut empty = std::io::Cursor::new(b"\n".to_vec());
        assert!(matches!(read_pin(&mut empty), Err(CliError::NoPin)));
    }

    #[test]
    fn password_is_the_first_line_without_its_ending() {
        let read = |s: &str| read_password(&mut std::io::Cursor::new(s.as_bytes().to_vec()));
        assert_eq!(read("s3cret\nsecond line\n").unwrap(), "s3cret");
        assert_eq!(read("s3cret\r\n").unwrap(), "s3cret");
        assert_eq!(read("no newline at end").unwrap(), "no newline at end");
        assert_eq!(read(" spaces kept \n").unwrap(), " spaces kept ");
        assert!(matches!(read(""), Err(CliError::Password(_))));
        assert!(matches!(read("\n"), Err(CliError::Password(_))));
        let max = "p".repeat(MAX_PASSWORD_LEN);
        assert_eq!(read(&format!("{max}\n")).unwrap(), max);
        assert_eq!(read(&max).unwrap(), max);
        assert!(matches!(
            read(&format!("{max}p\n")),
            Err(CliError::Password(_))
        ));
        assert!(matches!(
            read(&"p".repeat(10 * MAX_PASSWORD_LEN)),
            Err(CliError::Password(_))
        ));
    }
}
