//! `roomgate serve`: bind what the configuration names, run the SIP element, stop gracefully
//! on SIGTERM or Ctrl-C (new INVITEs get 503, live transactions finish, then exit).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use roomgate_sip::transaction::{LayerConfig, Timers, TransactionLayer};
use tokio::sync::{mpsc, watch};

use crate::config::Config;
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
}

/// What is listening where, as started.
#[derive(Debug, Clone, Default)]
pub struct Bound {
    pub udp: Vec<SocketAddr>,
    pub tcp: Vec<SocketAddr>,
    pub tls: Vec<SocketAddr>,
}

/// Starts every listener and the SIP core. Returns what is bound and the core's task handle.
pub async fn start(
    config: &Config,
    shutdown: watch::Receiver<bool>,
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
    drop(tx);
    let timers = Timers {
        t1: Duration::from_millis(config.sip.t1_ms),
        t2: Duration::from_millis(config.sip.t2_ms),
        t4: Duration::from_millis(config.sip.t4_ms),
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
    let sender = Sender {
        udp: Arc::new(udp_sockets),
        connections,
    };
    let mut tu = Tu::new(layer, limiter);
    if let Some(auth) = &config.sip.auth {
        tu = tu.with_auth(crate::sip::auth::AuthGate::new(auth)?);
    }
    let core = tokio::spawn(crate::sip::driver::run(tu, rx, sender, shutdown));
    Ok((bound, core))
}

/// Runs until SIGTERM/SIGINT, then drains.
pub async fn run(config: Config) -> Result<(), ServeError> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let (bound, core) = start(&config, stop_rx).await?;
    tracing::info!(udp = ?bound.udp, tcp = ?bound.tcp, tls = ?bound.tls, "roomgate listening");
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
    Ok(())
}
