//! `roomgate serve`: bind what the configuration names, run the SIP element, stop gracefully
//! on SIGTERM or Ctrl-C (new INVITEs get 503, live transactions finish, then exit).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use roomgate_sip::transaction::{LayerConfig, Timers, TransactionLayer};
use tokio::sync::{mpsc, watch};

use crate::config::Config;
use crate::lockout::{Guard, SecuritySink};
use crate::observe::AdminQuery;
use crate::sip::rate_limit::RateLimiter;
use crate::sip::tu::Tu;
use crate::stats::Stats;
use crate::transport::{self, ConnectionLimits, Connections, Sender, StreamSettings};

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {proto} {addr}: {source}")]
    Bind {
        proto: &'static str,
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Tls(#[from] transport::tls::TlsError),
    #[error(transparent)]
    Auth(#[from] crate::sip::auth::AuthSetupError),
    #[error("cannot install signal handler: {0}")]
    Signal(std::io::Error),
    #[error("cannot bind the media relay ports {min}-{max} on {ip}: {source}")]
    Media {
        ip: std::net::IpAddr,
        min: u16,
        max: u16,
        source: std::io::Error,
    },
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Resolve(#[from] crate::resolve::ResolveError),
    #[error("{0}")]
    Setup(String),
    #[error(transparent)]
    AdminToken(#[from] crate::admin::TokenError),
}

/// What the B2BUA is given besides the configuration: where meetings come from and where
/// the echo service listens.
pub struct Bridge {
    pub directory: Box<dyn crate::call::Directory>,
    pub echo: Option<(SocketAddr, String)>,
    /// Extra trusted roots for outbound TLS (the echo service's CA).
    pub extra_roots: Vec<rustls_pki_types::CertificateDer<'static>>,
    /// The lockout guard and security sink, shared with the admin API so both see (and clear)
    /// the same budgets. `None` in tests that bridge without PINs.
    pub security: Option<Security>,
    /// The admin API's queries, handed to the SIP driver (see `Network::admin`).
    pub admin: Option<mpsc::Receiver<AdminQuery>>,
    /// Where CDRs of ended calls go (None: not kept).
    pub cdrs: Option<mpsc::Sender<crate::observe::Cdr>>,
}

/// The one lockout guard of the process and the sink its events go to.
#[derive(Clone)]
pub struct Security {
    pub guard: Arc<Guard>,
    pub sink: Arc<SecuritySink>,
}

/// What is listening where, as started.
#[derive(Debug, Clone, Default)]
pub struct Bound {
    pub udp: Vec<SocketAddr>,
    pub tcp: Vec<SocketAddr>,
    pub tls: Vec<SocketAddr>,
    /// H.323 call signalling (TCP).
    pub h323: Vec<SocketAddr>,
    /// The admin API, when enabled.
    pub admin: Option<SocketAddr>,
    /// The ng control listener, when `[ng] listen` is set.
    pub ng: Option<SocketAddr>,
    /// The RAS socket, when registering with a gatekeeper.
    pub ras: Option<SocketAddr>,
}

/// Starts every listener and the SIP core. Returns what is bound and the core's task handle.
pub async fn start(
    config: &Config,
    shutdown: watch::Receiver<bool>,
) -> Result<(Bound, tokio::task::JoinHandle<Tu>), ServeError> {
    start_with(config, shutdown, None).await
}

/// As [`start`], bridging calls when `bridge` is given.
pub async fn start_with(
    config: &Config,
    shutdown: watch::Receiver<bool>,
    bridge: Option<Bridge>,
) -> Result<(Bound, tokio::task::JoinHandle<Tu>), ServeError> {
    let stats = Arc::new(Stats::default());
    let (tx, rx) = mpsc::channel(config.limits.inbound_queue);
    let connections = Connections::new(ConnectionLimits {
        per_source: config.limits.max_connections_per_source,
        total: config.limits.max_connections,
    });
    let settings = StreamSettings {
        max_message: config.limits.max_message_size,
        idle_timeout: config.idle_timeout(),
        handshake_timeout: config.handshake_timeout(),
        stats: stats.clone(),
    };
    let mut bound = Bound::default();
    let mut udp_sockets = Vec::new();
    for addr in &config.sip.udp {
        let s = transport::spawn_udp(
            *addr,
            tx.clone(),
            config.limits.max_message_size,
            stats.clone(),
        )
        .await
        .map_err(|source| ServeError::Bind {
            proto: "UDP",
            addr: *addr,
            source,
        })?;
        bound.udp.push(s.local_addr().unwrap_or(*addr));
        udp_sockets.push(s);
    }
    for addr in &config.sip.tcp {
        let local =
            transport::spawn_tcp_listener(*addr, tx.clone(), connections.clone(), settings.clone())
                .await
                .map_err(|source| ServeError::Bind {
                    proto: "TCP",
                    addr: *addr,
                    source,
                })?;
        bound.tcp.push(local);
    }
    if let (Some(cert), Some(key)) = (&config.sip.tls.certificate, &config.sip.tls.private_key) {
        let acceptor = tokio_rustls::TlsAcceptor::from(transport::tls::server_config(cert, key)?);
        for addr in &config.sip.tls_listen {
            let local = transport::spawn_tls_listener(
                *addr,
                tx.clone(),
                connections.clone(),
                settings.clone(),
                acceptor.clone(),
            )
            .await
            .map_err(|source| ServeError::Bind {
                proto: "TLS",
                addr: *addr,
                source,
            })?;
            bound.tls.push(local);
        }
    }
    let inbound_tx = tx;
    let timers = Timers {
        t1: Duration::from_millis(config.sip.t1_ms),
        t2: Duration::from_millis(config.sip.t2_ms),
        t4: Duration::from_millis(config.sip.t4_ms),
        timer_d: Duration::from_millis(config.sip.timer_d_ms),
        ..Timers::default()
    };
    let layer = TransactionLayer::new(LayerConfig {
        timers,
        max_transactions: config.limits.max_transactions,
        ..LayerConfig::default()
    });
    let limiter = RateLimiter::new(
        config.limits.transactions_per_source_per_second,
        config.limits.transactions_burst,
    );
    let sender = Sender::new(udp_sockets, connections.clone());
    let mut tu = Tu::new(layer, limiter).with_overload(config.overload());
    if let Some(auth) = &config.sip.auth {
        tu = tu.with_auth(crate::sip::auth::AuthGate::new(auth)?);
    }
    let network = match bridge {
        Some(bridge) => {
            let (calls, network, media) = bridge_parts(
                config,
                &mut bound,
                bridge,
                inbound_tx,
                connections,
                settings,
            )
            .await?;
            tu = tu.with_calls(calls);
            if let Some(addr) = config.ng.listen {
                // Sessions of ng calls live in the same relay as the SIP calls' sessions.
                let (local, _task) =
                    crate::ng::listen::spawn(addr, media, config.media.ip, shutdown.clone())
                        .await
                        .map_err(|source| ServeError::Bind {
                            proto: "ng UDP",
                            addr,
                            source,
                        })?;
                bound.ng = Some(local);
            }
            Some(network)
        }
        None => {
            if config.ng.listen.is_some() {
                tracing::warn!("[ng] listen ignored: no media relay without the bridge");
            }
            drop(inbound_tx);
            None
        }
    };
    let core = tokio::spawn(crate::sip::driver::run_with(
        tu, rx, sender, shutdown, network,
    ));
    Ok((bound, core))
}

fn policy(
    mode: crate::config::SrtpMode,
    suites: &[String],
    default: Vec<roomgate_sip::sdp::CryptoSuite>,
) -> Result<crate::call::negotiate::MediaPolicy, ServeError> {
    let parsed = crate::config::parse_suites(suites)?;
    Ok(crate::call::negotiate::MediaPolicy {
        srtp: mode.policy(),
        suites: if parsed.is_empty() { default } else { parsed },
    })
}

/// The relay, the outbound side and the B2BUA.
async fn bridge_parts(
    config: &Config,
    bound: &mut Bound,
    bridge: Bridge,
    inbound: transport::Inbound,
    connections: Connections,
    settings: StreamSettings,
) -> Result<
    (
        crate::call::Calls,
        crate::sip::driver::Network,
        Arc<crate::call::media_plane::MediaPlane>,
    ),
    ServeError,
> {
    use crate::call::negotiate::room_suites;
    use roomgate_media::relay::{workers::RelayWorkers, RelayConfig};
    let m = &config.media;
    let workers = RelayWorkers::start(
        m.ip,
        std::time::Instant::now(),
        RelayConfig {
            port_min: m.port_min,
            port_max: m.port_max,
            max_sessions: config.gateway.max_calls,
            inactivity_timeout: Duration::from_secs(m.inactivity_timeout_s),
            ssrc_seed: rand::random(),
            ntp_at_start: roomgate_media::relay::rtcp_term::ntp_from_system_time(
                std::time::SystemTime::now(),
            ),
            ..RelayConfig::default()
        },
        m.worker_count(),
    )
    .await
    .map_err(|source| ServeError::Media {
        ip: m.ip,
        min: m.port_min,
        max: m.port_max,
        source,
    })?;
    let media_events = workers
        .take_events()
        .ok_or_else(|| ServeError::Setup("relay events taken twice".into()))?;
    let tls = transport::tls::client_config_with(
        config.sip.tls.ca.as_deref(),
        match (&config.sip.tls.certificate, &config.sip.tls.private_key) {
            (Some(c), Some(k)) => Some((c.as_path(), k.as_path())),
            _ => None,
        },
        &bridge.extra_roots,
    )?;
    let outbound = transport::outbound::Outbound {
        inbound,
        connections,
        settings,
        tls: Some(tokio_rustls::TlsConnector::from(tls)),
    };
    let resolver = crate::resolve::Resolver::new(config.dns.overrides.clone(), config.dns.server)?;
    let sip_host = bound
        .udp
        .first()
        .or(bound.tcp.first())
        .map(|a| {
            if a.ip().is_unspecified() {
                SocketAddr::new(m.ip, a.port()).to_string()
            } else {
                a.to_string()
            }
        })
        .unwrap_or_else(|| m.ip.to_string());
    let mut trunks = Vec::new();
    for t in &config.gateway.trunks {
        trunks.push((t.sources.clone(), policy(t.srtp, &t.suites, room_suites())?));
    }
    let settings = crate::call::BridgeSettings {
        media_ip: m.ip,
        gateway_domain: config.gateway.domain.clone(),
        trusted_upstreams: config.gateway.trusted_upstreams.clone(),
        sip_host,
        room_policy: policy(
            config.gateway.room_srtp,
            &config.gateway.room_suites,
            room_suites(),
        )?,
        trunks,
        max_calls: config.gateway.max_calls,
        setup_timeout: Duration::from_secs(config.gateway.setup_timeout_s),
        echo: bridge.echo,
        t1: Duration::from_millis(config.sip.t1_ms),
        pin_timeouts: config.pin.timeouts(),
    };
    let guard = match bridge.security {
        Some(s) => s.guard,
        None => Arc::new(local_guard(config)?),
    };
    let prompts =
        crate::prompts::embedded().map_err(|e| ServeError::Setup(format!("prompts: {e}")))?;
    let media: Arc<crate::call::media_plane::MediaPlane> = Arc::new(workers.into());
    let media_results = media
        .take_results()
        .ok_or_else(|| ServeError::Setup("relay results taken twice".into()))?;
    let calls = crate::call::Calls::new(settings, bridge.directory, media.clone())
        .with_pin(guard.clone(), &prompts)
        .with_h323(config.h323.calls());
    let mut h323 = start_h323(config, bound).await?;
    let calls = match h323.as_mut() {
        Some(net) => start_gatekeeper(config, calls, net, bound).await?,
        None => calls,
    };
    Ok((
        calls,
        crate::sip::driver::Network {
            outbound,
            resolver: Some(Arc::new(resolver)),
            media_events: Some(media_events),
            media_results: Some(media_results),
            guard: Some(guard),
            admin: bridge.admin,
            cdrs: bridge.cdrs,
            h323,
        },
        media,
    ))
}

/// The H.323 listeners (none configured: no H.323), and the transport the SIP core drives
/// its calls' connections with.
async fn start_h323(
    config: &Config,
    bound: &mut Bound,
) -> Result<Option<crate::sip::driver::H323Net>, ServeError> {
    if config.h323.listen.is_empty() {
        return Ok(None);
    }
    let (tx, rx) = mpsc::channel(config.limits.inbound_queue);
    let transport = crate::h323::H323Transport::new(config.h323.transport(), tx);
    for addr in &config.h323.listen {
        let local = transport
            .listen(*addr)
            .await
            .map_err(|source| ServeError::Bind {
                proto: "TCP (H.323)",
                addr: *addr,
                source,
            })?;
        tracing::info!(%local, "H.323 listening");
        bound.h323.push(local);
    }
    Ok(Some(crate::sip::driver::H323Net {
        transport,
        inbound: rx,
        ras: None,
    }))
}

/// Datagrams read from the RAS socket and not yet taken by the SIP core; beyond, they are
/// dropped (RAS retransmits).
const RAS_QUEUE: usize = 256;
/// Largest RAS datagram read (an IRR with many calls stays far below).
const MAX_RAS_DATAGRAM: usize = 8192;

/// `[h323.gatekeeper]`: the RAS socket bound, the gatekeeper's address resolved, and the
/// calls registering with it.
async fn start_gatekeeper(
    config: &Config,
    calls: crate::call::Calls,
    net: &mut crate::sip::driver::H323Net,
    bound: &mut Bound,
) -> Result<crate::call::Calls, ServeError> {
    let gk = &config.h323.gatekeeper;
    if !gk.enabled {
        return Ok(calls);
    }
    let listen = gk.ras_listen_on(&config.h323.listen);
    let socket = tokio::net::UdpSocket::bind(listen)
        .await
        .map_err(|source| ServeError::Bind {
            proto: "UDP (H.323 RAS)",
            addr: listen,
            source,
        })?;
    let local = socket
        .local_addr()
        .map_err(|e| ServeError::Setup(format!("RAS socket: {e}")))?;
    let call_signal = gk
        .advertise
        .or_else(|| bound.h323.first().copied())
        .ok_or_else(|| ServeError::Setup("h323.gatekeeper needs an H.323 listener".into()))?;
    // A wildcard RAS socket is reached at the call signalling address's IP.
    let ras_address = if local.ip().is_unspecified() {
        SocketAddr::new(call_signal.ip(), local.port())
    } else {
        local
    };
    let gatekeeper = match &gk.address {
        Some(a) => Some(resolve_gatekeeper(a).await?),
        None => None,
    };
    let client = roomgate_h323::gatekeeper::Client::new(
        std::time::Instant::now(),
        gk.client(gatekeeper, ras_address, call_signal),
        rand::random::<u16>(),
    )
    .map_err(|e| ServeError::Setup(format!("h323.gatekeeper: {e}")))?;
    let socket = Arc::new(socket);
    let (tx, rx) = mpsc::channel(RAS_QUEUE);
    let reader = socket.clone();
    tokio::spawn(async move {
        let mut buf = vec![0u8; MAX_RAS_DATAGRAM];
        loop {
            match reader.recv_from(&mut buf).await {
                Ok((n, from)) => {
                    let datagram = buf.get(..n).unwrap_or_default().to_vec();
                    if let Err(mpsc::error::TrySendError::Closed(_)) = tx.try_send((from, datagram))
                    {
                        return;
                    }
                }
                Err(e) => tracing::debug!(error = %e, "RAS receive failed"),
            }
        }
    });
    tracing::info!(ras = %local, gatekeeper = ?gatekeeper, "H.323 gatekeeper registration starting");
    bound.ras = Some(local);
    net.ras = Some(crate::sip::driver::RasNet {
        socket,
        inbound: rx,
    });
    Ok(calls.with_gatekeeper(client, gk.bandwidth_kbps.saturating_mul(10)))
}

/// The gatekeeper's RAS address: `host:port`, or a host alone on port 1719.
async fn resolve_gatekeeper(text: &str) -> Result<SocketAddr, ServeError> {
    if let Ok(a) = text.parse::<SocketAddr>() {
        return Ok(a);
    }
    let with_port = match text.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') && port.parse::<u16>().is_ok() => text.to_owned(),
        _ => format!("{text}:{}", crate::config::gatekeeper_ras_port()),
    };
    tokio::net::lookup_host(with_port.as_str())
        .await
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| ServeError::Setup(format!("h323.gatekeeper.address {text}: not resolved")))
}

/// The security event sink of `[pin] security_log` (inside the data directory when relative).
pub fn security_sink(config: &Config) -> Result<crate::lockout::SecuritySink, ServeError> {
    crate::store::create_private_dir(&config.store.path)
        .map_err(|e| ServeError::Setup(format!("data directory: {e}")))?;
    let path = config.store.path.join(&config.pin.security_log);
    crate::lockout::SecuritySink::to_file(&path)
        .map_err(|e| ServeError::Setup(format!("security log {}: {e}", path.display())))
}

/// This process's budgets, kept in `lockout.sqlite3` in the data directory.
pub fn local_guard(config: &Config) -> Result<crate::lockout::Guard, ServeError> {
    let sink = Arc::new(security_sink(config)?);
    let now = crate::lockout::unix_seconds(std::time::SystemTime::now());
    crate::lockout::LocalGuard::open(config.lockout.clone(), &config.store.path, now, sink)
        .map(crate::lockout::Guard::Local)
        .map_err(|e| ServeError::Setup(format!("lockout store: {e}")))
}

/// CDRs waiting for the store; beyond this the SIP core drops (and counts) them.
pub const CDR_QUEUE: usize = 4096;

/// CDRs stored in one transaction at most.
pub const CDR_BATCH: usize = 512;

/// How long the CDRs of calls that end together gather before they are stored.
pub const CDR_GATHER: std::time::Duration = std::time::Duration::from_millis(100);

/// Stores CDRs as calls end, on the blocking pool (SQLite): what ends within
/// [`CDR_GATHER`] of the first goes in one transaction, so the commit rate stays low
/// whatever the call rate. Committing each CDR as it came (a transaction per call under
/// load) cost more than the commits: each one changes the database under the SIP core's
/// meeting lookups, whose connection then reads its pages again.
async fn write_cdrs(store: crate::store::Store, mut rx: mpsc::Receiver<crate::observe::Cdr>) {
    let mut batch = Vec::with_capacity(CDR_BATCH);
    while rx.recv_many(&mut batch, CDR_BATCH).await > 0 {
        let _ = tokio::time::timeout(CDR_GATHER, async {
            while batch.len() < CDR_BATCH {
                let room = CDR_BATCH - batch.len();
                if rx.recv_many(&mut batch, room).await == 0 {
                    break; // closed: store what there is
                }
            }
        })
        .await;
        let s = store.clone();
        let cdrs = std::mem::take(&mut batch);
        let n = cdrs.len();
        let r = tokio::task::spawn_blocking(move || s.insert_cdrs(&cdrs)).await;
        match r {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, cdrs = n, "CDRs not stored"),
            Err(e) => tracing::warn!(error = %e, "CDR writer task failed"),
        }
    }
}

/// The meeting store, with the demo meetings on first start.
fn open_store(config: &Config) -> Result<crate::store::Store, ServeError> {
    let store = crate::store::Store::open(&config.store.path)
        .map_err(|e| ServeError::Setup(format!("meeting store: {e}")))?;
    // With the Redis backend, meetings live in Redis (seeded there); this node's SQLite file
    // keeps only its CDRs.
    if config.store.backend == crate::config::StoreBackend::Sqlite
        && store
            .ensure_demo_meetings()
            .map_err(|e| ServeError::Setup(format!("meeting store: {e}")))?
    {
        tracing::info!(path = %store.path().display(), "demo meetings 1000 and 1001 created");
    }
    Ok(store)
}

/// The bridge over `store`, and the echo service.
async fn open_bridge(
    config: &Config,
    store: crate::store::Store,
    shutdown: watch::Receiver<bool>,
) -> Result<Bridge, ServeError> {
    // Meetings come from Redis when the cluster store is configured; the local SQLite store
    // still keeps this node's CDRs.
    let directory: Box<dyn crate::call::Directory> = match config.store.backend {
        crate::config::StoreBackend::Sqlite => Box::new(store),
        crate::config::StoreBackend::Redis => {
            crate::cluster::open_directory(config).map_err(|e| ServeError::Setup(e.to_string()))?
        }
    };
    let mut bridge = Bridge {
        directory,
        echo: None,
        extra_roots: Vec::new(),
        security: None,
        admin: None,
        cdrs: None,
    };
    if config.echo.enabled {
        let echo = crate::echo::start(
            crate::echo::EchoConfig {
                listen: config.echo.listen,
                media_ip: config.media.ip,
                cert_dir: config.store.path.clone(),
                ..crate::echo::EchoConfig::default()
            },
            shutdown,
        )
        .await
        .map_err(|e| ServeError::Setup(format!("echo service: {e}")))?;
        tracing::info!(addr = %echo.addr, "echo service listening (TLS)");
        bridge.echo = Some((echo.addr, echo.server_name.clone()));
        bridge.extra_roots.push(echo.ca_der.clone());
    }
    Ok(bridge)
}

/// The admin token: inline from the config, or from its file (created at first start).
/// Logs where the file is, never the token.
fn admin_token(config: &Config) -> Result<crate::admin::Token, ServeError> {
    if let Some(t) = &config.admin.token {
        tracing::warn!("admin token given inline in the config; prefer admin.token_file");
        return Ok(crate::admin::Token::new(t));
    }
    let path = config.admin.token_path(&config.store.path);
    let (token, created) = crate::admin::load_or_create(&path)?;
    if created {
        tracing::info!(path = %path.display(), "admin API token created");
    } else {
        tracing::info!(path = %path.display(), "admin API token read");
    }
    Ok(token)
}

/// Binds the admin listener and spawns the API. Bound before the SIP side starts, so a taken
/// port stops the gateway before it takes any call.
async fn start_admin(
    config: &Config,
    state: crate::admin::AdminState,
    shutdown: watch::Receiver<bool>,
) -> Result<(SocketAddr, tokio::task::JoinHandle<()>), ServeError> {
    let addr = config.admin.listen;
    let bind_err = |source| ServeError::Bind {
        proto: "admin HTTP",
        addr,
        source,
    };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(bind_err)?;
    let local = listener.local_addr().map_err(bind_err)?;
    let task = tokio::spawn(async move {
        if let Err(e) = crate::admin::serve(listener, state, shutdown).await {
            tracing::error!(error = %e, "admin API stopped");
        }
    });
    Ok((local, task))
}

/// Runs until SIGTERM/SIGINT, then drains.
pub async fn run(config: Config) -> Result<(), ServeError> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let store = open_store(&config)?;
    let sink = Arc::new(security_sink(&config)?);
    let guard = crate::cluster::open_guard(
        &config,
        crate::lockout::unix_seconds(std::time::SystemTime::now()),
        sink.clone(),
    )
    .map_err(|e| ServeError::Setup(format!("lockout store: {e}")))?;
    let security = Security {
        guard: Arc::new(guard),
        sink,
    };
    let mut bridge = open_bridge(&config, store.clone(), stop_rx.clone()).await?;
    bridge.security = Some(security.clone());
    let mut admin = None;
    if config.admin.enabled {
        let (queries, rx) = mpsc::channel(crate::admin::QUERY_QUEUE);
        let state = crate::admin::AdminState::new(
            queries,
            security.guard.clone(),
            store.clone(),
            security.sink.clone(),
            admin_token(&config)?,
        )
        .with_endpoints(crate::endpoint::service::Service {
            store: store.clone(),
            sink: security.sink.clone(),
            dial_address: crate::endpoint::service::dial_address(&config),
            config: config.endpoints.clone(),
        });
        admin = Some(start_admin(&config, state, stop_rx.clone()).await?);
        bridge.admin = Some(rx);
    }
    let (cdr_tx, cdr_rx) = mpsc::channel(CDR_QUEUE);
    bridge.cdrs = Some(cdr_tx);
    let cdr_writer = tokio::spawn(write_cdrs(store.clone(), cdr_rx));
    let (mut bound, core) = start_with(&config, stop_rx, Some(bridge)).await?;
    bound.admin = admin.as_ref().map(|(addr, _)| *addr);
    tracing::info!(udp = ?bound.udp, tcp = ?bound.tcp, tls = ?bound.tls, h323 = ?bound.h323,
        admin = ?bound.admin, ng = ?bound.ng, "roomgate listening");
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(ServeError::Signal)?;
    tokio::select! {
        _ = term.recv() => tracing::info!("SIGTERM received"),
        _ = tokio::signal::ctrl_c() => tracing::info!("interrupt received"),
    }
    let _ = stop_tx.send(true);
    match core.await {
        Ok(tu) => tracing::info!(stats = ?tu.stats, "stopped"),
        Err(e) => tracing::warn!(error = %e, "SIP core ended abnormally"),
    }
    // The core is gone, so is the CDR sender: the writer stores what is queued, then ends.
    let _ = tokio::time::timeout(Duration::from_secs(5), cdr_writer).await;
    if let Some((_, task)) = admin {
        // Requests in progress get a moment to finish; a stuck client does not hold exit.
        let _ = tokio::time::timeout(Duration::from_secs(2), task).await;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::store::cdr::tests::cdr;
    use crate::store::tests::TempDir;

    /// CDRs of calls that end within the gather window are stored together, after it; one
    /// that comes as the queue closes is stored too.
    #[tokio::test]
    async fn cdrs_ending_together_are_stored_together_and_none_is_lost_at_close() {
        let tmp = TempDir::new("cdr-gather");
        let store = crate::store::Store::open(&tmp.data()).unwrap();
        let (tx, rx) = mpsc::channel(16);
        let writer = tokio::spawn(write_cdrs(store.clone(), rx));
        let first = std::time::Instant::now();
        tx.send(cdr(1)).await.unwrap();
        tokio::time::sleep(CDR_GATHER / 4).await;
        tx.send(cdr(2)).await.unwrap();
        let count = store.cdr_count().unwrap();
        if first.elapsed() < CDR_GATHER {
            assert_eq!(count, 0, "stored before the gather window ended");
        }
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while store.cdr_count().unwrap() < 2 {
            assert!(
                std::time::Instant::now() < deadline,
                "the CDRs were not stored"
            );
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        tx.send(cdr(3)).await.unwrap();
        drop(tx);
        tokio::time::timeout(std::time::Duration::from_secs(10), writer)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(store.cdr_count().unwrap(), 3);
    }
}
