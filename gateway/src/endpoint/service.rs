//! One endpoint operation end to end, the same for the CLI and the admin API: check the input
//! (before any SSH traffic), look the endpoint up, run the console session, read the answer,
//! and write the audit event (and a security event for a refused host key) with who asked.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::command::{DialProtocol, DialString, MeetingId, Operation};
use super::dialect::{Answer, ConsoleError, Dialect};
use super::ssh::{self, Limits, SshError};
use super::{Endpoint, Fingerprint, InputError};
use crate::lockout::{unix_seconds, SecurityEvent, SecuritySink};
use crate::store::{Store, StoreError};

/// `[endpoints]`: SSH control of room systems.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct EndpointsConfig {
    /// The gateway address rooms dial (`host` or `host:port`, no scheme): the dial string is
    /// `MEETING@dial_address`. Default: the first SIP listener (UDP, then TCP) whose address
    /// is not unspecified.
    pub dial_address: Option<String>,
    /// `sip` or `h323`: how rooms are told to dial.
    pub dial_protocol: DialProtocol,
    /// TCP connect plus key exchange, and then authentication, each (seconds).
    pub connect_timeout_s: u64,
    /// From sending a command until its answer is complete (seconds).
    pub command_timeout_s: u64,
    /// Console output kept per operation (bytes); the rest is cut.
    pub max_output_bytes: usize,
}

/// Longest timeout accepted: a console operation holds an operator's terminal or an admin
/// request slot.
pub const MAX_TIMEOUT_S: u64 = 300;
/// Output bound range: enough for `xStatus` trees, small enough to keep in memory per request.
pub const MIN_OUTPUT_BYTES: usize = 1024;
pub const MAX_OUTPUT_BYTES: usize = 4 * 1024 * 1024;

impl Default for EndpointsConfig {
    fn default() -> Self {
        EndpointsConfig {
            dial_address: None,
            dial_protocol: DialProtocol::Sip,
            connect_timeout_s: 10,
            command_timeout_s: 15,
            max_output_bytes: 64 * 1024,
        }
    }
}

impl EndpointsConfig {
    /// Every problem with the section, for `check` and `serve`.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(a) = &self.dial_address {
            if super::command::validate_dial_address(a).is_err() {
                out.push(format!(
                    "endpoints.dial_address: {}",
                    InputError::DialAddress
                ));
            }
        }
        for (key, v) in [
            ("connect_timeout_s", self.connect_timeout_s),
            ("command_timeout_s", self.command_timeout_s),
        ] {
            if !(1..=MAX_TIMEOUT_S).contains(&v) {
                out.push(format!("endpoints.{key} must be 1..={MAX_TIMEOUT_S}"));
            }
        }
        if !(MIN_OUTPUT_BYTES..=MAX_OUTPUT_BYTES).contains(&self.max_output_bytes) {
            out.push(format!(
                "endpoints.max_output_bytes must be {MIN_OUTPUT_BYTES}..={MAX_OUTPUT_BYTES}"
            ));
        }
        out
    }

    pub fn limits(&self) -> Limits {
        Limits {
            connect: Duration::from_secs(self.connect_timeout_s),
            command: Duration::from_secs(self.command_timeout_s),
            max_output: self.max_output_bytes,
        }
    }
}

/// The dial address in use: `[endpoints] dial_address`, else the first SIP listener that is
/// not bound to the unspecified address (its port left out when it is 5060).
pub fn dial_address(config: &crate::config::Config) -> Option<String> {
    if let Some(a) = &config.endpoints.dial_address {
        return Some(a.clone());
    }
    let sip = &config.sip;
    sip.udp
        .iter()
        .chain(&sip.tcp)
        .find(|a| !a.ip().is_unspecified())
        .map(|a| match (a.ip(), a.port()) {
            (std::net::IpAddr::V6(ip), 5060) => format!("[{ip}]"),
            (ip, 5060) => ip.to_string(),
            _ => a.to_string(),
        })
}

/// What an operator asks of an endpoint, before it is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Dial { meeting: String },
    Hangup,
    Status,
    Exec { command: String },
}

impl Request {
    fn name(&self) -> &'static str {
        match self {
            Request::Dial { .. } => "dial",
            Request::Hangup => "hangup",
            Request::Status => "status",
            Request::Exec { .. } => "exec",
        }
    }
}

/// The result of an operation, as the CLI prints it and the API returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub endpoint: String,
    pub operation: &'static str,
    /// For a dial: what the room was told to dial.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dialled: Option<String>,
    pub result: Answer,
    /// The console's output was longer than `max_output_bytes` and was cut.
    pub truncated: bool,
}

/// Why an operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EndpointError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("no endpoint {0}")]
    NotFound(String),
    #[error(
        "no dial address: set [endpoints] dial_address (or a SIP listener that is not 0.0.0.0)"
    )]
    NoDialAddress,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Ssh(#[from] SshError),
    #[error("{endpoint}: {source}{}", if *.truncated { " (output was cut at the bound)" } else { "" })]
    Console {
        endpoint: String,
        source: ConsoleError,
        truncated: bool,
    },
    #[error("internal error: {0}")]
    Internal(String),
}

impl EndpointError {
    /// The audit outcome name.
    pub fn outcome(&self) -> &'static str {
        match self {
            EndpointError::Input(_) | EndpointError::NoDialAddress => "invalid_input",
            EndpointError::NotFound(_) => "not_found",
            EndpointError::Store(_) | EndpointError::Internal(_) => "internal_error",
            EndpointError::Ssh(e) => e.kind(),
            EndpointError::Console {
                source: ConsoleError::Refused(_),
                ..
            } => "refused_by_room",
            EndpointError::Console { .. } => "not_understood",
        }
    }
}

/// Endpoint operations over one store, writing events to one sink.
#[derive(Debug, Clone)]
pub struct Service {
    pub store: Store,
    pub sink: Arc<SecuritySink>,
    pub config: EndpointsConfig,
    /// See [`dial_address`].
    pub dial_address: Option<String>,
}

/// A new endpoint as an operator gives it.
#[derive(Debug, Clone)]
pub struct NewEndpoint {
    pub name: String,
    pub host: String,
    pub port: u16,
    pub user: String,
    pub key_file: PathBuf,
    pub dialect: Dialect,
}

fn now() -> u64 {
    unix_seconds(SystemTime::now())
}

/// Runs blocking store work off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, EndpointError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| EndpointError::Internal(format!("store task: {e}")))?
        .map_err(EndpointError::from)
}

fn load_key(
    path: PathBuf,
    passphrase: Option<Zeroizing<String>>,
) -> Result<Arc<russh::keys::PrivateKey>, EndpointError> {
    Ok(Arc::new(ssh::load_key(&path, passphrase.as_ref())?))
}

impl Service {
    fn audit(
        &self,
        endpoint: &str,
        operation: &'static str,
        who: &str,
        outcome: &'static str,
        dialled: Option<String>,
    ) {
        self.sink.emit(&SecurityEvent::EndpointOperation {
            time: now(),
            endpoint: endpoint.to_owned(),
            operation,
            who: who.to_owned(),
            outcome,
            dialled,
        });
    }

    /// A host-key refusal is a security event of its own, besides the audit record.
    fn host_key_event(&self, endpoint: &str, who: &str, e: &EndpointError) {
        let (address, reason, expected, presented) = match e {
            EndpointError::Ssh(SshError::HostKeyChanged {
                address,
                expected,
                presented,
            }) => (address, "changed", Some(expected.to_string()), presented),
            EndpointError::Ssh(SshError::HostKeyUnknown { address, presented }) => {
                (address, "unknown", None, presented)
            }
            _ => return,
        };
        self.sink.emit(&SecurityEvent::EndpointHostKeyRefused {
            time: now(),
            endpoint: endpoint.to_owned(),
            address: address.clone(),
            who: who.to_owned(),
            reason,
            expected,
            presented: presented.clone(),
        });
    }

    fn finish<T>(
        &self,
        endpoint: &str,
        operation: &'static str,
        who: &str,
        dialled: Option<String>,
        result: Result<T, EndpointError>,
    ) -> Result<T, EndpointError> {
        match &result {
            Ok(_) => self.audit(endpoint, operation, who, "ok", dialled),
            Err(e) => {
                self.host_key_event(endpoint, who, e);
                self.audit(endpoint, operation, who, e.outcome(), dialled);
            }
        }
        result
    }

    /// Adds (or replaces) an endpoint. Without `accept` the room's fingerprint is learned and
    /// refused ([`SshError::HostKeyUnknown`] carries it for the operator). With it, the room
    /// must present exactly that key and accept our public key before anything is stored.
    pub async fn add(
        &self,
        who: &str,
        new: NewEndpoint,
        accept: Option<&str>,
        passphrase: Option<Zeroizing<String>>,
    ) -> Result<(Endpoint, bool), EndpointError> {
        let name = new.name.clone();
        let result = self.try_add(new, accept, passphrase).await;
        self.finish(&name, "add", who, None, result)
    }

    async fn try_add(
        &self,
        new: NewEndpoint,
        accept: Option<&str>,
        passphrase: Option<Zeroizing<String>>,
    ) -> Result<(Endpoint, bool), EndpointError> {
        let limits = self.config.limits();
        // A placeholder pin until the room has shown its key; validated like the real one.
        let placeholder = Fingerprint::parse("SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")?;
        let mut endpoint = Endpoint {
            name: new.name,
            host: new.host,
            port: new.port,
            user: new.user,
            key_file: new.key_file,
            dialect: new.dialect,
            host_key: placeholder,
        };
        endpoint.validate()?;
        let Some(accept) = accept else {
            return Err(ssh::learn_host_key(&endpoint.address(), &limits)
                .await
                .into());
        };
        endpoint.host_key = Fingerprint::parse(accept)?;
        let key = load_key(endpoint.key_file.clone(), passphrase)?;
        ssh::session(&endpoint, key, &[], &|_| true, &limits).await?;
        let store = self.store.clone();
        let stored = endpoint.clone();
        let replaced = blocking(move || store.put_endpoint(&stored)).await?;
        Ok((endpoint, replaced))
    }

    pub async fn list(&self) -> Result<Vec<Endpoint>, EndpointError> {
        let store = self.store.clone();
        blocking(move || store.list_endpoints()).await
    }

    /// Removes an endpoint; [`EndpointError::NotFound`] when there is none.
    pub async fn remove(&self, who: &str, name: &str) -> Result<(), EndpointError> {
        let store = self.store.clone();
        let owned = name.to_owned();
        let result = async {
            super::validate_name(name)?;
            if blocking(move || store.remove_endpoint(&owned)).await? {
                Ok(())
            } else {
                Err(EndpointError::NotFound(name.to_owned()))
            }
        }
        .await;
        self.finish(name, "remove", who, None, result)
    }

    /// The stored endpoint `name`.
    pub async fn get(&self, name: &str) -> Result<Endpoint, EndpointError> {
        super::validate_name(name)?;
        let store = self.store.clone();
        let owned = name.to_owned();
        blocking(move || store.get_endpoint(&owned))
            .await?
            .ok_or_else(|| EndpointError::NotFound(name.to_owned()))
    }

    /// Runs `request` on endpoint `name`. Every input is checked before any connection is
    /// made; the outcome is audited whatever it is.
    pub async fn operate(
        &self,
        who: &str,
        name: &str,
        request: Request,
        passphrase: Option<Zeroizing<String>>,
    ) -> Result<Report, EndpointError> {
        let operation = request.name();
        let mut dialled = None;
        let result = async {
            let endpoint = self.get(name).await?;
            let op = self.operation(&endpoint, &request)?;
            if let Operation::Dial(d) = &op {
                dialled = Some(d.uri.clone());
            }
            let key = load_key(endpoint.key_file.clone(), passphrase)?;
            let dialect = endpoint.dialect;
            let lines = dialect.lines(&op);
            let complete = |out: &str| dialect.complete(&op, out);
            let transcript =
                ssh::session(&endpoint, key, &lines, &complete, &self.config.limits()).await?;
            let result = dialect
                .read_answer(&op, &transcript.output)
                .map_err(|source| EndpointError::Console {
                    endpoint: endpoint.name.clone(),
                    source,
                    truncated: transcript.truncated,
                })?;
            tracing::info!(endpoint = %endpoint.name, operation, truncated = transcript.truncated,
                "endpoint operation done");
            Ok(Report {
                endpoint: endpoint.name,
                operation,
                dialled: dialled.clone(),
                result,
                truncated: transcript.truncated,
            })
        }
        .await;
        self.finish(name, operation, who, dialled, result)
    }

    /// The typed operation for `request`: a hostile meeting ID or a command off the
    /// allow-list stops here.
    fn operation(
        &self,
        endpoint: &Endpoint,
        request: &Request,
    ) -> Result<Operation, EndpointError> {
        Ok(match request {
            Request::Dial { meeting } => {
                let meeting = MeetingId::parse(meeting)?;
                let address = self
                    .dial_address
                    .as_deref()
                    .ok_or(EndpointError::NoDialAddress)?;
                Operation::Dial(DialString::new(
                    &meeting,
                    address,
                    self.config.dial_protocol,
                )?)
            }
            Request::Hangup => Operation::Hangup,
            Request::Status => Operation::Status,
            Request::Exec { command } => endpoint.dialect.diagnostic(command)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_bounds() {
        assert!(EndpointsConfig::default().problems().is_empty());
        let bad = EndpointsConfig {
            dial_address: Some("gw example".into()),
            connect_timeout_s: 0,
            command_timeout_s: 301,
            max_output_bytes: 10,
            ..EndpointsConfig::default()
        };
        assert_eq!(bad.problems().len(), 4);
    }

    #[test]
    fn dial_address_falls_back_to_a_sip_listener() {
        let mut c = crate::config::Config::default();
        assert_eq!(dial_address(&c).as_deref(), Some("127.0.0.1"));
        c.sip.udp = vec!["0.0.0.0:5060".parse().unwrap()];
        c.sip.tcp = vec!["192.0.2.1:5070".parse().unwrap()];
        assert_eq!(dial_address(&c).as_deref(), Some("192.0.2.1:5070"));
        c.endpoints.dial_address = Some("gw.example.com".into());
        assert_eq!(dial_address(&c).as_deref(), Some("gw.example.com"));
        c.endpoints.dial_address = None;
        c.sip.tcp.clear();
        assert_eq!(dial_address(&c), None);
    }
}
