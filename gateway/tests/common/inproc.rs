//! The gateway in-process on real loopback sockets, with a fixed set of meetings: for tests
//! that need its counters or a directory without a store.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use roomgate::call::negotiate::{default_suites, MediaPolicy};
use roomgate::call::{MeetingRoute, StaticDirectory, Upstream};
use roomgate::config::Config;
use roomgate_sip::sdp::offer_answer::SrtpPolicy;

use super::{free_media_range, free_port, LOCALHOST};

/// A meeting whose upstream is `uri`, with `srtp` toward it and the default suites.
pub fn route(uri: &str, srtp: SrtpPolicy) -> MeetingRoute {
    MeetingRoute {
        upstream: Upstream::Uri(uri.to_owned()),
        policy: MediaPolicy {
            srtp,
            suites: default_suites(),
        },
        credentials: None,
        pin_hash: None,
    }
}

pub struct Gateway {
    pub rt: tokio::runtime::Runtime,
    pub udp: SocketAddr,
    pub stop: tokio::sync::watch::Sender<bool>,
    pub core: Option<tokio::task::JoinHandle<roomgate::sip::tu::Tu>>,
    /// Its data directory (lockout records, security log).
    pub data_dir: std::path::PathBuf,
}

impl Gateway {
    /// A gateway whose meetings are `meetings` (id → upstream URI, plain RTP toward it).
    pub fn start(meetings: &[(&str, String)], extra: impl FnOnce(&mut Config)) -> Gateway {
        let routes = meetings
            .iter()
            .map(|(id, uri)| ((*id).to_owned(), route(uri, SrtpPolicy::Off)))
            .collect();
        Gateway::start_routes(routes, extra)
    }

    pub fn start_routes(
        directory: HashMap<String, MeetingRoute>,
        extra: impl FnOnce(&mut Config),
    ) -> Gateway {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                std::env::var("ROOMGATE_LOG").unwrap_or_else(|_| "info".into()),
            ))
            .with_test_writer()
            .try_init();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let port = free_port();
        let (min, max) = free_media_range(16);
        let mut config = Config::default();
        config.sip.udp = vec![SocketAddr::new(LOCALHOST, port)];
        config.sip.tcp = vec![SocketAddr::new(LOCALHOST, port)];
        config.sip.tls_listen = vec![];
        config.sip.t1_ms = 100;
        config.sip.timer_d_ms = 500;
        config.media.port_min = min;
        config.media.port_max = max;
        config.gateway.domain = "gw.example".into();
        // Lockout records and security events of this gateway alone.
        config.store.path =
            std::env::temp_dir().join(format!("roomgate-inproc-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&config.store.path);
        extra(&mut config);
        let (stop, stop_rx) = tokio::sync::watch::channel(false);
        let bridge = roomgate::serve::Bridge {
            directory: Box::new(StaticDirectory(directory)),
            echo: None,
            extra_roots: Vec::new(),
            security: None,
            admin: None,
            cdrs: None,
        };
        let (bound, core) = rt
            .block_on(roomgate::serve::start_with(&config, stop_rx, Some(bridge)))
            .unwrap();
        Gateway {
            rt,
            udp: bound.udp[0],
            stop,
            core: Some(core),
            data_dir: config.store.path.clone(),
        }
    }

    /// Stops the gateway and returns its SIP core (for its counters).
    pub fn stop(mut self) -> roomgate::sip::tu::Tu {
        let _ = self.stop.send(true);
        let core = self.core.take().unwrap();
        self.rt
            .block_on(async { tokio::time::timeout(Duration::from_secs(45), core).await })
            .expect("drained in time")
            .expect("core did not panic")
    }
}
