//! The configuration file (TOML). Every field has an embedded default, so `roomgate serve`
//! with no file runs a complete gateway on loopback; a file overrides only what it names.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

mod gatekeeper;
mod parse;
mod validate;

pub use gatekeeper::GatekeeperConfig;

/// The RAS port a gatekeeper address without one means.
pub fn gatekeeper_ras_port() -> u16 {
    gatekeeper::RAS_PORT
}

pub use parse::Parsed;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Syntax {
        path: PathBuf,
        source: Box<toml::de::Error>,
    },
    /// A key the parser rejected (unknown, or a value of the wrong type), with the line it
    /// is on in the file as written.
    #[error("{path}:{line}: {key}: {message}")]
    Key {
        path: PathBuf,
        line: usize,
        key: String,
        message: String,
    },
    #[error("{0}")]
    Invalid(String),
    /// More than one of the above, one per line.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Several(Vec<ConfigError>),
}

impl ConfigError {
    /// One error for a list of them.
    fn from_list(mut errors: Vec<ConfigError>) -> Option<ConfigError> {
        match errors.len() {
            0 => None,
            1 => errors.pop(),
            _ => Some(ConfigError::Several(errors)),
        }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub sip: SipConfig,
    pub h323: H323Config,
    pub limits: Limits,
    pub dns: DnsConfig,
    pub gateway: GatewayConfig,
    pub media: MediaConfig,
    pub echo: EchoSettings,
    pub store: StoreConfig,
    /// Wrong-PIN budgets (see `crate::lockout`).
    pub lockout: crate::lockout::LockoutConfig,
    /// PIN entry (see `roomgate_core::call::pin`).
    pub pin: PinConfig,
    /// The admin HTTP API and `/metrics`.
    pub admin: AdminConfig,
    /// SSH control of room systems (see `crate::endpoint`).
    pub endpoints: crate::endpoint::service::EndpointsConfig,
    /// rtpengine ng control of the relay (see `crate::ng`).
    pub ng: NgConfig,
}

/// `[ng]`: rtpengine's ng control protocol, so a SIP proxy's rtpengine module can put its
/// calls' media through the relay. Off unless `listen` is given; ng has no authentication,
/// so a loopback address is the one to use (`roomgate check` warns about any other).
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(default, deny_unknown_fields)]
pub struct NgConfig {
    /// UDP address of the ng listener (rtpengine's default port is 22222).
    pub listen: Option<SocketAddr>,
}

/// PIN entry: timeouts and where security events are written.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct PinConfig {
    /// Seconds after a digit until the entry counts as finished without '#'; also how long
    /// silence after the prompt lasts before the prompt is repeated.
    pub inter_digit_timeout_s: u64,
    /// Seconds the whole PIN entry may take (prompts included) before the caller is told
    /// "you have been disconnected" and hung up: a caller who never sends digits does not
    /// hold a call and its ports for ever.
    pub entry_timeout_s: u64,
    /// Security events (JSON lines, for fail2ban). Relative paths are inside the data
    /// directory.
    pub security_log: PathBuf,
}

impl Default for PinConfig {
    fn default() -> Self {
        PinConfig {
            inter_digit_timeout_s: 5,
            entry_timeout_s: 60,
            security_log: PathBuf::from("security.log"),
        }
    }
}

/// The admin HTTP API (`/v1/...`) and Prometheus `/metrics`, both behind a bearer token.
/// Plain HTTP: it listens on loopback by default; to reach it from elsewhere put a TLS proxy
/// in front, or bind a management network you trust.
#[derive(Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AdminConfig {
    pub enabled: bool,
    pub listen: SocketAddr,
    /// File holding the bearer token (hex). Created 0600 with 32 random bytes when missing;
    /// default `<store.path>/admin.token`.
    pub token_file: Option<PathBuf>,
    /// The token inline instead of a file. Discouraged: config files get copied and logged.
    pub token: Option<String>,
}

impl Default for AdminConfig {
    fn default() -> Self {
        AdminConfig {
            enabled: true,
            listen: SocketAddr::from(([127, 0, 0, 1], 8081)),
            token_file: None,
            token: None,
        }
    }
}

impl PinConfig {
    pub fn timeouts(&self) -> roomgate_core::call::PinTimeouts {
        roomgate_core::call::PinTimeouts {
            inter_digit: Duration::from_secs(self.inter_digit_timeout_s),
            total: Duration::from_secs(self.entry_timeout_s),
        }
    }
}

impl AdminConfig {
    /// The token file in use: `token_file`, or `admin.token` in the data directory.
    pub fn token_path(&self, data_dir: &Path) -> PathBuf {
        self.token_file
            .clone()
            .unwrap_or_else(|| data_dir.join(crate::admin::TOKEN_FILE_NAME))
    }
}

// The inline token stays out of Debug output (configs get logged).
impl std::fmt::Debug for AdminConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminConfig")
            .field("enabled", &self.enabled)
            .field("listen", &self.listen)
            .field("token_file", &self.token_file)
            .field("token", &self.token.as_ref().map(|_| "<set>"))
            .finish()
    }
}

pub use crate::store::SrtpMode;

/// The B2BUA: how calls are bridged to meetings.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct GatewayConfig {
    /// Domain of the identities we present upstream (From, P-Asserted-Identity).
    pub domain: String,
    /// Calls at once; above it INVITEs get 503 with Retry-After.
    pub max_calls: usize,
    /// Seconds the cloud leg may take to answer before the room gets 504.
    pub setup_timeout_s: u64,
    /// SRTP policy toward room systems and trunks not listed in `trunks`.
    pub room_srtp: SrtpMode,
    /// SDES suites accepted from rooms, preferred first (empty: AES-256 GCM/CM, then
    /// AES-128 GCM/CM, then the `_32` tags).
    pub room_suites: Vec<String>,
    /// Per-trunk media policy, matched by source address.
    pub trunks: Vec<TrunkConfig>,
    /// Upstream hosts inside our trust domain (RFC 3325), as names or addresses matched
    /// against the host of a meeting's URI: only they get P-Asserted-Identity, since an
    /// upstream outside it could pass the assertion on as vouched for. Empty: none (the
    /// built-in echo service is always trusted).
    pub trusted_upstreams: Vec<String>,
    /// Threads of the signalling runtime (SIP, H.323, TLS, admin; the SIP core itself is one
    /// task). 0: one per four cores, at least one — the relay workers take the cores for
    /// media, and a second signalling thread on a small machine costs more in wake-ups
    /// between threads than it gives (measured: see README, "Call set-up").
    pub signalling_threads: usize,
}

impl GatewayConfig {
    /// Signalling threads to start: `signalling_threads`, or one per four cores when 0.
    pub fn signalling_thread_count(&self) -> usize {
        match self.signalling_threads {
            0 => (std::thread::available_parallelism().map_or(1, usize::from) / 4).max(1),
            n => n,
        }
    }
}

/// A PBX or SBC that hands calls over, and the media policy its leg gets.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TrunkConfig {
    pub name: String,
    /// Source IP addresses of the trunk.
    pub sources: Vec<std::net::IpAddr>,
    pub srtp: SrtpMode,
    #[serde(default)]
    pub suites: Vec<String>,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        GatewayConfig {
            domain: "roomgate.invalid".to_owned(),
            max_calls: 500,
            setup_timeout_s: 30,
            room_srtp: SrtpMode::Optional,
            room_suites: Vec::new(),
            trunks: Vec::new(),
            trusted_upstreams: Vec::new(),
            signalling_threads: 0,
        }
    }
}

/// The media relay.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MediaConfig {
    /// Address the relay binds and puts in SDP.
    pub ip: std::net::IpAddr,
    /// UDP port range (pairs: even RTP, odd RTCP). RTP ports are bound at start, an RTCP
    /// port while a leg without rtcp-mux uses it.
    pub port_min: u16,
    pub port_max: u16,
    /// A call with no media in either direction for this long is hung up (seconds).
    pub inactivity_timeout_s: u64,
    /// Relay worker threads, each owning its share of the sessions and ports (0: one per
    /// core the process may use).
    pub workers: usize,
}

impl MediaConfig {
    /// Workers to start: `workers`, or one per available core when 0.
    pub fn worker_count(&self) -> usize {
        match self.workers {
            0 => std::thread::available_parallelism().map_or(1, usize::from),
            n => n,
        }
    }
}

impl Default for MediaConfig {
    fn default() -> Self {
        MediaConfig {
            ip: std::net::IpAddr::from([127, 0, 0, 1]),
            port_min: 20000,
            port_max: 20999,
            inactivity_timeout_s: 60,
            workers: 0,
        }
    }
}

/// The built-in echo service (the upstream of the demo meetings).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct EchoSettings {
    pub enabled: bool,
    /// Its own TLS listener (port 0: any free port).
    pub listen: SocketAddr,
}

impl Default for EchoSettings {
    fn default() -> Self {
        EchoSettings {
            enabled: true,
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        }
    }
}

/// Parses suite names from the file; unknown names are an error.
pub fn parse_suites(names: &[String]) -> Result<Vec<roomgate_sip::sdp::CryptoSuite>, ConfigError> {
    names
        .iter()
        .map(|n| match roomgate_sip::sdp::CryptoSuite::parse(n).0 {
            roomgate_sip::sdp::CryptoSuite::Other(_) => {
                Err(ConfigError::Invalid(format!("unknown SRTP suite {n}")))
            }
            s if roomgate_media::srtp::Suite::from_name(s.name()).is_none() => Err(
                ConfigError::Invalid(format!("SRTP suite {n} is not supported")),
            ),
            s => Ok(s),
        })
        .collect()
}

/// SIP listeners and protocol timers.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SipConfig {
    /// UDP listen addresses.
    pub udp: Vec<SocketAddr>,
    /// TCP listen addresses.
    pub tcp: Vec<SocketAddr>,
    /// TLS listen addresses; used only when `tls.certificate` is set.
    pub tls_listen: Vec<SocketAddr>,
    pub tls: TlsConfig,
    /// Digest authentication of incoming requests (trunks from PBXs); off when absent.
    pub auth: Option<AuthConfig>,
    /// RFC 3261 T1, T2, T4 in milliseconds.
    pub t1_ms: u64,
    pub t2_ms: u64,
    pub t4_ms: u64,
    /// Timer D over UDP in milliseconds: how long a client INVITE transaction absorbs
    /// retransmitted error responses (RFC 3261: at least 32 s).
    pub timer_d_ms: u64,
}

/// H.323 call signalling: room systems dialling in over H.225.0/H.245 (TCP).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct H323Config {
    /// TCP listen addresses for call signalling; empty: no H.323.
    pub listen: Vec<SocketAddr>,
    /// Connections per source address (call signalling and H.245 together) and in total.
    pub max_connections_per_source: usize,
    pub max_connections: usize,
    /// Setups accepted per source address per second, with this burst; beyond it a Setup
    /// gets Release Complete before any work.
    pub setups_per_source_per_second: u32,
    pub setups_burst: u32,
    /// A connection silent this long is closed (calls stay quiet for long stretches).
    pub idle_timeout_s: u64,
    /// A TPKT packet begun must be finished within this long.
    pub partial_timeout_s: u64,
    /// How long an H.245 connection may take to be made, either way.
    pub h245_connect_timeout_s: u64,
    /// Registration with a gatekeeper (off by default).
    pub gatekeeper: GatekeeperConfig,
}

impl Default for H323Config {
    fn default() -> Self {
        let transport = crate::h323::H323Settings::default();
        let calls = crate::call::H323CallSettings::default();
        H323Config {
            listen: vec![SocketAddr::from(([127, 0, 0, 1], 1720))],
            max_connections_per_source: transport.limits.per_source,
            max_connections: transport.limits.total,
            setups_per_source_per_second: calls.setups_per_source_per_second,
            setups_burst: calls.setups_burst,
            idle_timeout_s: transport.idle_timeout.as_secs(),
            partial_timeout_s: transport.partial_timeout.as_secs(),
            h245_connect_timeout_s: transport.connect_timeout.as_secs(),
            gatekeeper: GatekeeperConfig::default(),
        }
    }
}

impl H323Config {
    /// The transport's settings.
    pub fn transport(&self) -> crate::h323::H323Settings {
        crate::h323::H323Settings {
            limits: crate::transport::ConnectionLimits {
                per_source: self.max_connections_per_source,
                total: self.max_connections,
            },
            idle_timeout: std::time::Duration::from_secs(self.idle_timeout_s),
            partial_timeout: std::time::Duration::from_secs(self.partial_timeout_s),
            connect_timeout: std::time::Duration::from_secs(self.h245_connect_timeout_s),
        }
    }

    /// The calls' settings.
    pub fn calls(&self) -> crate::call::H323CallSettings {
        crate::call::H323CallSettings {
            setups_per_source_per_second: self.setups_per_source_per_second,
            setups_burst: self.setups_burst,
        }
    }
}

/// TLS material. Outbound connections verify the peer against the public web PKI roots, plus
/// `ca` when a private CA signs the cloud's certificate.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(default, deny_unknown_fields)]
pub struct TlsConfig {
    /// PEM certificate chain for our listeners (and for mTLS toward the cloud).
    pub certificate: Option<PathBuf>,
    /// PEM private key for `certificate`.
    pub private_key: Option<PathBuf>,
    /// PEM file of extra trusted CA certificates for outbound connections.
    pub ca: Option<PathBuf>,
}

/// Digest authentication (RFC 8760) of incoming requests.
#[derive(Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    pub realm: String,
    /// Methods that must authenticate (default INVITE). ACK and CANCEL never can (RFC 3261
    /// §22.1), so they are ignored here.
    #[serde(default = "default_auth_methods")]
    pub methods: Vec<String>,
    /// Algorithms offered, preferred first (default SHA-256 then MD5; SIPp before 3.7.3 only
    /// understands MD5 and only reads the first challenge).
    #[serde(default = "default_auth_algorithms")]
    pub algorithms: Vec<String>,
    /// Hex key (32–128 hex digits) that signs nonces; give every cluster node the same one so
    /// a nonce from one is good on another. Random per process when absent.
    pub nonce_secret: Option<String>,
    pub users: Vec<AuthUser>,
}

/// One user. Give `password`, or `ha1_md5` (hex MD5 of `user:realm:password`) to keep the
/// password out of the file (then offer only MD5).
#[derive(Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AuthUser {
    pub username: String,
    pub password: Option<String>,
    pub ha1_md5: Option<String>,
}

fn default_auth_methods() -> Vec<String> {
    vec!["INVITE".to_owned()]
}

fn default_auth_algorithms() -> Vec<String> {
    vec!["SHA-256".to_owned(), "MD5".to_owned()]
}

// Secrets stay out of Debug output (configs get logged).
impl std::fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthConfig")
            .field("realm", &self.realm)
            .field("methods", &self.methods)
            .field("algorithms", &self.algorithms)
            .field(
                "users",
                &self
                    .users
                    .iter()
                    .map(|u| u.username.as_str())
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for AuthUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthUser")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// Abuse limits. Each exists because a peer could otherwise exhaust something of ours.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest SIP message accepted on any transport, in bytes (at most 65,535).
    pub max_message_size: usize,
    /// New transactions a single source IP may open per second; above it requests are
    /// answered 503 with Retry-After, so one flooder cannot starve other callers.
    pub transactions_per_source_per_second: u32,
    /// Burst allowance on top of the per-second rate.
    pub transactions_burst: u32,
    /// Live server and client transactions in total; beyond it new requests get 503.
    pub max_transactions: usize,
    /// Concurrent TCP/TLS connections from one source IP.
    pub max_connections_per_source: usize,
    /// Concurrent TCP/TLS connections in total.
    pub max_connections: usize,
    /// A connection with no traffic for this long is closed (seconds).
    pub idle_timeout_s: u64,
    /// A new connection must finish TLS and deliver its first message within this (seconds);
    /// slow or half-open connections are closed.
    pub handshake_timeout_s: u64,
    /// Received messages waiting for the SIP core; when full, UDP datagrams are dropped and
    /// stream readers wait.
    pub inbound_queue: usize,
    /// Overload control: a new INVITE that waited longer than this (milliseconds) for the SIP
    /// core is answered 503 + Retry-After at once, so callers past capacity get a refusal
    /// they can route elsewhere instead of a timeout.
    pub overload_queue_delay_ms: u64,
    /// Overload control: with this many calls in set-up (not yet answered and acknowledged;
    /// PIN entry excluded) new INVITEs get 503 + Retry-After.
    pub max_calls_in_setup: usize,
}

/// RFC 3263 resolution. `overrides` maps a host name to fixed addresses, bypassing DNS.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(default, deny_unknown_fields)]
pub struct DnsConfig {
    pub overrides: BTreeMap<String, Vec<SocketAddr>>,
    /// DNS server to ask instead of the system resolver (e.g. `127.0.0.1:5353`).
    pub server: Option<SocketAddr>,
}

/// Where meetings and the wrong-PIN budgets live.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum StoreBackend {
    /// The embedded SQLite files in `path`: one gateway.
    #[default]
    Sqlite,
    /// A Redis shared by several gateways (a cluster); see `crate::cluster`.
    Redis,
}

/// The store (meetings, and the upstream passwords with them; the wrong-PIN budgets).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// Data directory; the SQLite file `roomgate.sqlite3` lives in it. Created 0700 when
    /// missing. A relative path is relative to the working directory of `roomgate serve`.
    /// With the Redis backend it still holds this node's own files (the echo certificate).
    pub path: PathBuf,
    /// `sqlite` (default) or `redis`.
    pub backend: StoreBackend,
    /// The Redis (`redis://[user:password@]host[:port][/db]`) when `backend = "redis"`.
    pub redis_url: String,
    /// Prefix of every Redis key, so several deployments can share one Redis.
    pub redis_prefix: String,
    /// How often (milliseconds) a node re-reads the blocked sources from Redis for its 403
    /// check; a block made by another node reaches this node within this interval.
    pub redis_refresh_ms: u64,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            path: PathBuf::from(crate::store::DEFAULT_DATA_DIR),
            backend: StoreBackend::Sqlite,
            redis_url: crate::lockout::redis::DEFAULT_URL.to_owned(),
            redis_prefix: crate::lockout::redis::DEFAULT_PREFIX.to_owned(),
            redis_refresh_ms: 1000,
        }
    }
}

/// Longest `store.redis_prefix`: keys stay short, and a prefix is a name, not data.
pub const MAX_REDIS_PREFIX_LEN: usize = 64;

impl StoreConfig {
    /// Checks the Redis settings (whatever the backend, so a switch to Redis does not meet a
    /// bad value for the first time in production).
    pub fn check_redis(&self) -> Result<(), ConfigError> {
        let url = &self.redis_url;
        if !(url.starts_with("redis://")
            || url.starts_with("redis+unix://")
            || url.starts_with("unix://"))
        {
            return Err(ConfigError::Invalid(
                "store.redis_url must start with redis:// (or redis+unix:// / unix://)".to_owned(),
            ));
        }
        if let Err(e) = redis::Client::open(url.as_str()) {
            // The URL may hold a password: name the problem, not the value.
            return Err(ConfigError::Invalid(format!(
                "store.redis_url: {:?}",
                e.kind()
            )));
        }
        let p = &self.redis_prefix;
        if p.len() > MAX_REDIS_PREFIX_LEN || p.chars().any(|c| c.is_control() || c.is_whitespace())
        {
            return Err(ConfigError::Invalid(format!(
                "store.redis_prefix: at most {MAX_REDIS_PREFIX_LEN} bytes, no spaces or control characters"
            )));
        }
        if !(100..=60_000).contains(&self.redis_refresh_ms) {
            return Err(ConfigError::Invalid(
                "store.redis_refresh_ms must be 100..=60000".to_owned(),
            ));
        }
        Ok(())
    }

    /// The refresh interval of the blocked-source view.
    pub fn redis_refresh(&self) -> Duration {
        Duration::from_millis(self.redis_refresh_ms)
    }
}

impl Default for SipConfig {
    fn default() -> Self {
        let loopback = SocketAddr::from(([127, 0, 0, 1], 5060));
        SipConfig {
            udp: vec![loopback],
            tcp: vec![loopback],
            tls_listen: vec![SocketAddr::from(([127, 0, 0, 1], 5061))],
            tls: TlsConfig::default(),
            auth: None,
            t1_ms: 500,
            t2_ms: 4000,
            t4_ms: 5000,
            timer_d_ms: 32_000,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_size: roomgate_sip::limits::MAX_MESSAGE_SIZE,
            transactions_per_source_per_second: 200,
            transactions_burst: 400,
            max_transactions: 10_000,
            max_connections_per_source: 64,
            max_connections: 4096,
            idle_timeout_s: 300,
            handshake_timeout_s: 10,
            inbound_queue: 4096,
            overload_queue_delay_ms: crate::sip::overload::DEFAULT_QUEUE_DELAY.as_millis() as u64,
            max_calls_in_setup: crate::sip::overload::DEFAULT_MAX_CALLS_IN_SETUP,
        }
    }
}

impl Config {
    /// Reads and parses `path` without validating: every unknown key is reported (and left
    /// out), not only the first. `serve` and `check` both start here.
    pub fn read(path: &Path) -> Parsed {
        match std::fs::read_to_string(path) {
            Ok(text) => parse::parse(path, &text),
            Err(source) => Parsed {
                config: None,
                errors: vec![ConfigError::Read {
                    path: path.to_owned(),
                    source,
                }],
            },
        }
    }

    /// [`Config::read`] then [`Config::check`]: the configuration `serve` runs with, or every
    /// reason it cannot.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let Parsed { config, mut errors } = Self::read(path);
        if let Some(c) = &config {
            if let Err(e) = c.check() {
                errors.push(e);
            }
        }
        match (config, ConfigError::from_list(errors)) {
            (Some(c), None) => Ok(c),
            (_, Some(e)) => Err(e),
            (None, None) => Err(ConfigError::Invalid("configuration not read".to_owned())),
        }
    }

    /// Rejects combinations that cannot work, so a bad file fails at start, not at the first
    /// call. Every problem is listed (see [`Config::problems`]).
    pub fn check(&self) -> Result<(), ConfigError> {
        let problems = self.problems();
        if !problems.is_empty() {
            return Err(ConfigError::Invalid(problems.join("\n")));
        }
        if self.admin.enabled && !self.admin.listen.ip().is_loopback() {
            tracing::warn!(listen = %self.admin.listen,
                "admin API listens beyond loopback over plain HTTP: use a trusted network or a TLS proxy");
        }
        Ok(())
    }

    pub fn tls_enabled(&self) -> bool {
        self.sip.tls.certificate.is_some()
    }

    pub fn idle_timeout(&self) -> Duration {
        Duration::from_secs(self.limits.idle_timeout_s)
    }

    pub fn handshake_timeout(&self) -> Duration {
        Duration::from_secs(self.limits.handshake_timeout_s)
    }

    pub fn overload(&self) -> crate::sip::overload::OverloadSettings {
        crate::sip::overload::OverloadSettings {
            max_queue_delay: Duration::from_millis(self.limits.overload_queue_delay_ms),
            max_calls_in_setup: self.limits.max_calls_in_setup,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_file_overrides_only_what_it_names() {
        let c: Config =
            toml::from_str("[sip]\nudp = [\"127.0.0.1:5070\"]\n[limits]\nmax_connections = 9\n")
                .unwrap();
        assert_eq!(c.sip.udp, vec!["127.0.0.1:5070".parse().unwrap()]);
        assert_eq!(c.sip.tcp, SipConfig::default().tcp);
        assert_eq!(c.limits.max_connections, 9);
        assert_eq!(
            c.limits.max_transactions,
            Limits::default().max_transactions
        );
        c.check().unwrap();
    }

    #[test]
    fn auth_users_are_checked_and_never_printed() {
        let text = "[sip.auth]\nrealm = \"r\"\nalgorithms = [\"MD5\"]\n[[sip.auth.users]]\nusername = \"trunk\"\npassword = \"s3cret-pw\"\n";
        let c: Config = toml::from_str(text).unwrap();
        c.check().unwrap();
        assert!(!format!("{c:?}").contains("s3cret-pw"));
        let both = text.replace("password = \"s3cret-pw\"", "");
        assert!(toml::from_str::<Config>(&both).unwrap().check().is_err());
    }

    #[test]
    fn store_path_defaults_to_the_data_directory_and_can_be_set() {
        assert_eq!(
            Config::default().store.path,
            PathBuf::from("./roomgate-data")
        );
        let c: Config = toml::from_str("[store]\npath = \"/var/lib/roomgate\"\n").unwrap();
        assert_eq!(c.store.path, PathBuf::from("/var/lib/roomgate"));
        c.check().unwrap();
        assert!(toml::from_str::<Config>("[store]\ndir = \"x\"\n").is_err());
        let empty: Config = toml::from_str("[store]\npath = \"\"\n").unwrap();
        assert!(empty.check().is_err());
    }

    #[test]
    fn admin_defaults_to_loopback_with_a_token_file_in_the_data_directory() {
        let c = Config::default();
        assert!(c.admin.enabled);
        assert_eq!(c.admin.listen, "127.0.0.1:8081".parse().unwrap());
        assert_eq!(
            c.admin.token_path(&c.store.path),
            PathBuf::from("./roomgate-data/admin.token")
        );
        let c: Config = toml::from_str(
            "[admin]\nlisten = \"127.0.0.1:9000\"\ntoken = \"0123456789abcdef0123456789abcdef\"\n",
        )
        .unwrap();
        c.check().unwrap();
        assert!(!format!("{c:?}").contains("0123456789abcdef"));
        let short: Config = toml::from_str("[admin]\ntoken = \"abc\"\n").unwrap();
        assert!(short.check().is_err());
        let both: Config = toml::from_str(
            "[admin]\ntoken = \"0123456789abcdef0123456789abcdef\"\ntoken_file = \"t\"\n",
        )
        .unwrap();
        assert!(both.check().is_err());
        let off: Config = toml::from_str("[admin]\nenabled = false\ntoken = \"x\"\n").unwrap();
        off.check().unwrap();
    }

    #[test]
    fn rejects_unknown_keys_and_bad_combinations() {
        assert!(toml::from_str::<Config>("[sip]\nudpp = []\n").is_err());
        let mut c = Config::default();
        c.sip.tls.certificate = Some("x.pem".into());
        assert!(c.check().is_err());
        c.sip.tls.certificate = None;
        c.limits.max_message_size = 100_000;
        assert!(c.check().is_err());
    }

    #[test]
    fn store_backend_defaults_to_sqlite_and_redis_settings_are_checked() {
        let c = Config::default();
        assert_eq!(c.store.backend, StoreBackend::Sqlite);
        assert_eq!(c.store.redis_url, "redis://127.0.0.1:6379/0");
        assert_eq!(c.store.redis_prefix, "roomgate:");
        assert_eq!(c.store.redis_refresh(), Duration::from_secs(1));
        let c: Config = toml::from_str(
            "[store]\nbackend = \"redis\"\nredis_url = \"redis://:pw@10.0.0.5:6380/2\"\nredis_prefix = \"rg1:\"\n",
        )
        .unwrap();
        assert_eq!(c.store.backend, StoreBackend::Redis);
        c.check().unwrap();
        assert!(toml::from_str::<Config>("[store]\nbackend = \"mysql\"\n").is_err());
        for bad in [
            "redis_url = \"http://x\"",
            "redis_url = \"redis://\"",
            "redis_prefix = \"a b\"",
            "redis_refresh_ms = 0",
        ] {
            let c: Config = toml::from_str(&format!("[store]\n{bad}\n")).unwrap();
            let e = c.check().unwrap_err().to_string();
            assert!(e.contains("store.redis"), "{bad}: {e}");
        }
        // The error never repeats the URL (it may hold a password).
        let c: Config =
            toml::from_str("[store]\nredis_url = \"redis://:hunter2@host:notaport\"\n").unwrap();
        let e = c.check().unwrap_err().to_string();
        assert!(!e.contains("hunter2"), "{e}");
    }
}
