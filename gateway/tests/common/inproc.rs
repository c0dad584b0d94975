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
        Gateway::start_with(extra, |_| {
            (
                Box::new(StaticDirectory(directory)) as Box<dyn roomgate::call::Directory>,
                None,
            )
        })
    }

    /// A node of a cluster: meetings and wrong-PIN budgets in the Redis at `url` (with
    /// `prefix`), as `roomgate serve` opens them with `[store] backend = "redis"`.
    pub fn start_cluster(url: &str, prefix: &str, extra: impl FnOnce(&mut Config)) -> Gateway {
        let (url, prefix) = (url.to_owned(), prefix.to_owned());
        Gateway::start_with(
            move |c| {
                c.store.backend = roomgate::config::StoreBackend::Redis;
                c.store.redis_url = url;
                c.store.redis_prefix = prefix;
                extra(c);
            },
            |config| {
                let sink = std::sync::Arc::new(roomgate::serve::security_sink(config).unwrap());
                let now = roomgate::lockout::unix_seconds(std::time::SystemTime::now());
                let guard = roomgate::cluster::open_guard(config, now, sink.clone()).unwrap();
                let directory = roomgate::cluster::open_directory(config).unwrap();
                let security = roomgate::serve::Security {
                    guard: std::sync::Arc::new(guard),
                    sink,
                };
                (
                    directory as Box<dyn roomgate::call::Directory>,
                    Some(security),
                )
            },
        )
    }

    fn start_with(
        extra: impl FnOnce(&mut Config),
        bridge_parts: impl FnOnce(
            &Config,
        ) -> (
            Box<dyn roomgate::call::Directory>,
            Option<roomgate::serve::Security>,
        ),
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
        // Any free port: the default 1720 would collide between parallel tests.
        config.h323.listen = vec![SocketAddr::new(LOCALHOST, 0)];
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
        let (directory, security) = {
            let _in_runtime = rt.enter();
            bridge_parts(&config)
        };
        let bridge = roomgate::serve::Bridge {
            directory,
            echo: None,
            extra_roots: Vec::new(),
            security,
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
