//! `roomgate endpoint add|list|remove|dial|hangup|status|exec`.
//!
//! Key files are named by path and read at each use, never copied. A key's passphrase comes
//! in on the first line of standard input (`--passphrase-stdin`), never from argv, and is
//! wiped after use. Results are JSON on stdout; errors on stderr with exit status 1.

use std::ffi::OsString;
use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use zeroize::Zeroizing;

use super::dialect::Dialect;
use super::service::{self, EndpointError, NewEndpoint, Request, Service};
use super::ssh::SshError;
use crate::config::Config;
use crate::lockout::SecuritySink;
use crate::store::Store;

/// Longest passphrase read from standard input.
pub const MAX_PASSPHRASE_LEN: usize = 1024;

#[derive(Debug, clap::Subcommand)]
pub enum EndpointCommand {
    /// Add (or replace) a room system. Without --accept-host-key the room's host key
    /// fingerprint is printed and nothing is stored; check it on the room's console, then
    /// add again with it. With it, the room must present that key and accept ours.
    Add(AddArgs),
    /// List the endpoints, ordered by name.
    List {
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Remove an endpoint; exits 1 when there is none with that name.
    Remove {
        name: String,
        #[command(flatten)]
        common: Common,
    },
    /// Make the room dial MEETING through this gateway (MEETING@[endpoints] dial_address).
    Dial {
        name: String,
        /// The meeting ID (1-32 characters of 0-9 A-Z a-z _ -).
        meeting: String,
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Hang up the room's calls.
    Hangup {
        name: String,
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// The room's calls: state, remote party, media, as JSON.
    Status {
        name: String,
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Run an allow-listed diagnostic command (e.g. `xStatus SystemUnit`, `version`).
    Exec {
        name: String,
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        key: KeyArgs,
        /// The command, as the dialect's allow-list names it (one argument: quote it).
        command: String,
    },
}

/// Where the store and settings come from.
#[derive(Debug, Clone, clap::Args)]
pub struct Common {
    /// Configuration file, for [endpoints] and the security log [default: embedded defaults].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory [default: $ROOMGATE_DATA, else [store] path of the configuration].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct KeyArgs {
    /// Read the key file's passphrase from the first line of standard input.
    #[arg(long)]
    pub passphrase_stdin: bool,
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// The endpoint's name (1-64 characters of 0-9 A-Z a-z _ - .).
    pub name: String,
    /// The room's SSH console: HOST or HOST:PORT (IPv6 as [ADDR]:PORT).
    #[arg(long, value_name = "H[:PORT]")]
    pub host: String,
    #[arg(long, value_name = "U")]
    pub user: String,
    /// Private key file (OpenSSH format, mode 0600); stored as an absolute path.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    #[arg(long, value_enum)]
    pub dialect: Dialect,
    /// The host key fingerprint to pin, as `ssh-keygen -l` prints it (SHA256:...).
    #[arg(long, value_name = "FINGERPRINT")]
    pub accept_host_key: Option<String>,
    #[command(flatten)]
    pub common: Common,
    #[command(flatten)]
    pub key_args: KeyArgs,
}

impl EndpointCommand {
    /// Whether the command reads a passphrase from standard input.
    pub fn reads_passphrase(&self) -> bool {
        match self {
            EndpointCommand::Add(a) => a.key_args.passphrase_stdin,
            EndpointCommand::Dial { key, .. }
            | EndpointCommand::Hangup { key, .. }
            | EndpointCommand::Status { key, .. }
            | EndpointCommand::Exec { key, .. } => key.passphrase_stdin,
            EndpointCommand::List { .. } | EndpointCommand::Remove { .. } => false,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    #[error(transparent)]
    Endpoint(#[from] EndpointError),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error("security log {path}: {source}")]
    SecurityLog {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read the passphrase from standard input: {0}")]
    PassphraseRead(std::io::Error),
    #[error("{0}")]
    Passphrase(&'static str),
    #[error("cannot resolve the key file path: {0}")]
    KeyPath(std::io::Error),
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
}

/// Who asked, for the audit trail: the process's user id as the kernel reports it (not
/// `$USER`, which the caller sets), with the name `$USER` claims beside it.
pub fn cli_caller() -> String {
    #[cfg(unix)]
    let uid = std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m).to_string())
        .unwrap_or_else(|_| "unknown".to_owned());
    #[cfg(not(unix))]
    let uid = "unknown";
    let user: String = std::env::var("USER")
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .take(32)
        .collect();
    format!("cli uid={uid} user={user}")
}

fn read_passphrase(stdin: &mut dyn BufRead) -> Result<Zeroizing<String>, CliError> {
    let mut line = Zeroizing::new(String::new());
    let limit = u64::try_from(MAX_PASSPHRASE_LEN).unwrap_or(u64::MAX) + 2;
    stdin
        .take(limit)
        .read_line(&mut line)
        .map_err(CliError::PassphraseRead)?;
    let end = line.trim_end_matches(['\n', '\r']).len();
    line.truncate(end);
    if line.len() > MAX_PASSPHRASE_LEN {
        return Err(CliError::Passphrase(
            "passphrase on standard input is too long",
        ));
    }
    if line.is_empty() {
        return Err(CliError::Passphrase("no passphrase on standard input"));
    }
    Ok(line)
}

fn service(common: &Common, env_data_dir: Option<OsString>) -> Result<Service, CliError> {
    let config = match &common.config {
        Some(path) => Config::load(path)?,
        None => Config::default(),
    };
    let dir = common
        .data_dir
        .clone()
        .or_else(|| env_data_dir.filter(|v| !v.is_empty()).map(PathBuf::from))
        .unwrap_or_else(|| config.store.path.clone());
    let store = Store::open(&dir).map_err(EndpointError::from)?;
    let log = dir.join(&config.pin.security_log);
    let sink = SecuritySink::to_file(&log).map_err(|source| CliError::SecurityLog {
        path: log.clone(),
        source,
    })?;
    Ok(Service {
        store,
        sink: Arc::new(sink),
        dial_address: service::dial_address(&config),
        config: config.endpoints,
    })
}

fn absolute(path: &Path) -> Result<PathBuf, CliError> {
    std::path::absolute(path).map_err(CliError::KeyPath)
}

/// Runs one endpoint command. `stdin` is read only with `--passphrase-stdin`.
pub fn run(
    command: EndpointCommand,
    env_data_dir: Option<OsString>,
    stdin: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let passphrase = if command.reads_passphrase() {
        Some(read_passphrase(stdin)?)
    } else {
        None
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    runtime.block_on(run_async(command, env_data_dir, passphrase, out))
}

async fn run_async(
    command: EndpointCommand,
    env_data_dir: Option<OsString>,
    passphrase: Option<Zeroizing<String>>,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let who = cli_caller();
    let (name, request, common) = match command {
        EndpointCommand::Add(args) => return add(args, env_data_dir, passphrase, &who, out).await,
        EndpointCommand::List { json, common } => {
            let endpoints = service(&common, env_data_dir)?.list().await?;
            return list(&endpoints, json, out);
        }
        EndpointCommand::Remove { name, common } => {
            service(&common, env_data_dir)?.remove(&who, &name).await?;
            writeln!(out, "removed endpoint {name}")?;
            return Ok(());
        }
        EndpointCommand::Dial {
            name,
            meeting,
            common,
            ..
        } => (name, Request::Dial { meeting }, common),
        EndpointCommand::Hangup { name, common, .. } => (name, Request::Hangup, common),
        EndpointCommand::Status { name, common, .. } => (name, Request::Status, common),
        EndpointCommand::Exec {
            name,
            common,
            command,
            ..
        } => (name, Request::Exec { command }, common),
    };
    let report = service(&common, env_data_dir)?
        .operate(&who, &name, request, passphrase)
        .await?;
    writeln!(
        out,
        "{}",
        serde_json::to_string_pretty(&report).unwrap_or_default()
    )?;
    Ok(())
}

async fn add(
    args: AddArgs,
    env_data_dir: Option<OsString>,
    passphrase: Option<Zeroizing<String>>,
    who: &str,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let (host, port) = super::parse_host_port(&args.host).map_err(EndpointError::from)?;
    let new = NewEndpoint {
        name: args.name,
        host,
        port,
        user: args.user,
        key_file: absolute(&args.key)?,
        dialect: args.dialect,
    };
    let service = service(&args.common, env_data_dir)?;
    match service
        .add(who, new, args.accept_host_key.as_deref(), passphrase)
        .await
    {
        Ok((endpoint, replaced)) => {
            writeln!(
                out,
                "{} endpoint {} ({} {}@{}, host key {})",
                if replaced { "replaced" } else { "added" },
                endpoint.name,
                endpoint.dialect,
                endpoint.user,
                endpoint.address(),
                endpoint.host_key
            )?;
            Ok(())
        }
        Err(EndpointError::Ssh(SshError::HostKeyUnknown { address, presented })) => {
            // The fingerprint on stdout, alone on its line, for the operator to compare.
            writeln!(out, "{presented}")?;
            Err(EndpointError::Ssh(SshError::HostKeyUnknown { address, presented }).into())
        }
        Err(e) => Err(e.into()),
    }
}

fn list(endpoints: &[super::Endpoint], json: bool, out: &mut dyn Write) -> Result<(), CliError> {
    if json {
        for e in endpoints {
            writeln!(out, "{}", serde_json::to_string(e).unwrap_or_default())?;
        }
        return Ok(());
    }
    if endpoints.is_empty() {
        writeln!(out, "no endpoints")?;
        return Ok(());
    }
    writeln!(out, "NAME\tADDRESS\tUSER\tDIALECT\tHOST KEY\tKEY FILE")?;
    for e in endpoints {
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}",
            e.name,
            e.address(),
            e.user,
            e.dialect,
            e.host_key,
            e.key_file.display()
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passphrase_is_the_first_line_and_bounded() {
        let read = |s: &str| read_passphrase(&mut std::io::Cursor::new(s.as_bytes().to_vec()));
        assert_eq!(
            read("open sesame\r\nnext\n").unwrap().as_str(),
            "open sesame"
        );
        assert!(read("\n").is_err());
        assert!(read(&"p".repeat(MAX_PASSPHRASE_LEN + 5)).is_err());
    }

    #[test]
    fn caller_names_the_uid() {
        assert!(cli_caller().starts_with("cli uid="));
    }
}
