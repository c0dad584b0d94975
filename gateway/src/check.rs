//! `roomgate check [--config FILE]`: would `serve` start with this configuration? It reads
//! the file with the same parser and applies the same rules as `serve` (`Config::read`,
//! `Config::problems`), then the checks `serve` can only make on the file system: that the
//! certificate, key and CA files can be read and the key belongs to the certificate (built
//! with the same rustls calls as the listeners), that the data directory is a directory and
//! that an existing admin token file is valid. It binds nothing and creates nothing, so it
//! can run beside a live gateway, before a restart.
//!
//! The report lists what would listen where and which store would be opened, and every
//! problem found, not only the first.

use std::path::Path;

use crate::config::{Config, Parsed, StoreBackend};
use crate::transport::tls;

/// What `check` found.
#[derive(Debug, Default)]
pub struct Report {
    /// What would listen where and which store would open, one line each (empty when the
    /// file could not be read at all).
    pub plan: Vec<String>,
    /// Every reason `serve` would not start; empty when it would.
    pub problems: Vec<String>,
}

impl Report {
    /// True when `serve` would start.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks the configuration in `path`, or the embedded defaults when there is none.
pub fn check(path: Option<&Path>) -> Report {
    let mut report = Report::default();
    let config = match path {
        Some(p) => {
            let Parsed { config, errors } = Config::read(p);
            report
                .problems
                .extend(errors.iter().map(ToString::to_string));
            config
        }
        None => Some(Config::default()),
    };
    let Some(config) = config else {
        return report;
    };
    report.plan = plan(&config, path);
    report.problems.extend(config.problems());
    report.problems.extend(files(&config));
    report
}

/// What would listen where, and the store.
fn plan(c: &Config, path: Option<&Path>) -> Vec<String> {
    let addrs = |list: &[std::net::SocketAddr]| {
        if list.is_empty() {
            "none".to_owned()
        } else {
            list.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let mut out = vec![format!(
        "configuration: {}",
        path.map_or("embedded defaults".to_owned(), |p| p.display().to_string())
    )];
    out.push(format!("SIP UDP: {}", addrs(&c.sip.udp)));
    out.push(format!("SIP TCP: {}", addrs(&c.sip.tcp)));
    out.push(match &c.sip.tls.certificate {
        Some(cert) => format!(
            "SIP TLS: {} (certificate {})",
            addrs(&c.sip.tls_listen),
            cert.display()
        ),
        None => "SIP TLS: off (no sip.tls.certificate)".to_owned(),
    });
    out.push(if c.h323.listen.is_empty() {
        "H.323 TCP: off".to_owned()
    } else {
        format!(
            "H.323 TCP: {} (call signalling; {} Setups/s per source)",
            addrs(&c.h323.listen),
            c.h323.setups_per_source_per_second
        )
    });
    let gk = &c.h323.gatekeeper;
    if gk.enabled {
        out.push(format!(
            "H.323 gatekeeper: {} from RAS {} as {} (keep-alive within {} s)",
            gk.address
                .as_deref()
                .unwrap_or("discovered by multicast (224.0.1.41:1718)"),
            gk.ras_listen_on(&c.h323.listen),
            gk.h323_ids
                .iter()
                .chain(&gk.e164)
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
            gk.time_to_live_s
        ));
    }
    out.push(if c.admin.enabled {
        format!("admin HTTP: {} (API and /metrics)", c.admin.listen)
    } else {
        "admin HTTP: off".to_owned()
    });
    out.push(format!(
        "signalling: {} runtime thread{}",
        c.gateway.signalling_thread_count(),
        if c.gateway.signalling_thread_count() == 1 {
            ""
        } else {
            "s"
        }
    ));
    // As `serve` starts them: one per core when 0, never more than there are pairs.
    let workers = c
        .media
        .worker_count()
        .min(usize::try_from(c.media_pairs()).unwrap_or(usize::MAX))
        .max(1);
    out.push(match c.media_ports() {
        Some(r) => format!(
            "media UDP: {}:{}-{} ({} port pairs, {} relay worker{}{})",
            c.media.ip,
            r.start(),
            r.end(),
            c.media_pairs(),
            workers,
            if workers == 1 { "" } else { "s" },
            ephemeral_warning(&r)
        ),
        None => format!(
            "media UDP: {} ports {}-{} (no whole pair)",
            c.media.ip, c.media.port_min, c.media.port_max
        ),
    });
    out.push(if c.echo.enabled {
        let any = if c.echo.listen.port() == 0 {
            " (any free port)"
        } else {
            ""
        };
        format!("echo TLS: {}{any}", c.echo.listen)
    } else {
        "echo TLS: off".to_owned()
    });
    out.push(match c.ng.listen {
        None => "ng control: off".to_owned(),
        Some(a) if a.ip().is_loopback() => format!("ng control: UDP {a}"),
        Some(a) => format!(
            "ng control: UDP {a} (warning: not loopback, and ng has no authentication: \
             anyone who reaches it controls the relay)"
        ),
    });
    let dir = &c.store.path;
    let db = dir.join(crate::store::DB_FILE_NAME);
    out.push(match c.store.backend {
        StoreBackend::Sqlite => format!(
            "store: sqlite {} (meetings, CDRs), {} (wrong-PIN budgets)",
            db.display(),
            dir.join(crate::lockout::LOCKOUT_DB_FILE_NAME).display()
        ),
        StoreBackend::Redis => format!(
            "store: redis {} prefix {:?} (meetings, wrong-PIN budgets); sqlite {} (CDRs)",
            redact_url(&c.store.redis_url),
            c.store.redis_prefix,
            db.display()
        ),
    });
    out.push(format!(
        "security log: {}",
        dir.join(&c.pin.security_log).display()
    ));
    // Values in one column: "SIP UDP:       127.0.0.1:5060".
    out.iter()
        .map(|line| match line.split_once(": ") {
            Some((label, value)) => format!("{:<15}{value}", format!("{label}:")),
            None => line.clone(),
        })
        .collect()
}

/// A warning when the kernel may give ports of the media range to UDP sockets bound to
/// port 0 (its `ip_local_port_range`, less `ip_local_reserved_ports`): the RTCP port of a
/// pair is bound only while a leg without rtcp-mux needs it, and one taken meanwhile leaves
/// that leg without RTCP. Empty when the files cannot be read (not Linux).
fn ephemeral_warning(range: &std::ops::RangeInclusive<u16>) -> String {
    let read = |f: &str| std::fs::read_to_string(format!("/proc/sys/net/ipv4/{f}")).ok();
    let Some(ephemeral) = read("ip_local_port_range").and_then(|t| port_ranges(&t).pop()) else {
        return String::new();
    };
    let reserved = read("ip_local_reserved_ports").map_or_else(Vec::new, |t| port_ranges(&t));
    if !exposed(range, ephemeral, &reserved) {
        return String::new();
    }
    format!(
        "; warning: inside the kernel's ephemeral ports {}-{}: reserve it in \
         net.ipv4.ip_local_reserved_ports or move it below, or a leg without rtcp-mux may \
         find its RTCP port taken",
        ephemeral.0, ephemeral.1
    )
}

/// Port ranges from a sysctl's text: `32768\t60999` (one range) or `8080,9000-9100`.
fn port_ranges(text: &str) -> Vec<(u16, u16)> {
    let text = text.trim();
    if let Some((a, b)) = text.split_once(char::is_whitespace) {
        return match (a.parse(), b.trim().parse()) {
            (Ok(a), Ok(b)) => vec![(a, b)],
            _ => Vec::new(),
        };
    }
    text.split(',')
        .filter_map(|part| {
            let (a, b) = part
                .trim()
                .split_once('-')
                .unwrap_or((part.trim(), part.trim()));
            Some((a.parse().ok()?, b.parse().ok()?))
        })
        .collect()
}

/// Whether a port of `range` lies in `ephemeral` and in none of `reserved`.
fn exposed(
    range: &std::ops::RangeInclusive<u16>,
    ephemeral: (u16, u16),
    reserved: &[(u16, u16)],
) -> bool {
    let (lo, hi) = (
        (*range.start()).max(ephemeral.0),
        (*range.end()).min(ephemeral.1),
    );
    (lo..=hi).any(|p| !reserved.iter().any(|&(a, b)| (a..=b).contains(&p)))
}

/// `url` with any password left out: the user-info part becomes `***`, and so does the
/// value of a query parameter that names a password (`redis+unix:///s?pass=...`).
pub fn redact_url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let (main, query) = match rest.split_once('?') {
        Some((m, q)) => (m, Some(q)),
        None => (rest, None),
    };
    let (authority, tail) = match main.find('/') {
        Some(i) => main.split_at(i),
        None => (main, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((_, host)) => format!("***@{host}"),
        None => authority.to_owned(),
    };
    let mut out = format!("{scheme}://{authority}{tail}");
    if let Some(q) = query {
        let params: Vec<String> = q
            .split('&')
            .map(|kv| match kv.split_once('=') {
                Some((k, _)) if k.to_ascii_lowercase().contains("pass") => format!("{k}=***"),
                _ => kv.to_owned(),
            })
            .collect();
        out.push('?');
        out.push_str(&params.join("&"));
    }
    out
}

/// The checks that need the file system, as `serve` would meet them at start.
fn files(c: &Config) -> Vec<String> {
    let mut out = Vec::new();
    if let (Some(cert), Some(key)) = (&c.sip.tls.certificate, &c.sip.tls.private_key) {
        let certs = readable("sip.tls.certificate", cert)
            .and_then(|()| tls::load_certs(cert).map_err(|e| format!("sip.tls.certificate: {e}")));
        let keys = readable("sip.tls.private_key", key)
            .and_then(|()| tls::load_key(key).map_err(|e| format!("sip.tls.private_key: {e}")));
        match (certs, keys) {
            (Ok(_), Ok(_)) => {
                // The listener's own configuration: rustls refuses a key that is not the
                // certificate's.
                if let Err(e) = tls::server_config(cert, key) {
                    out.push(match e {
                        tls::TlsError::Rustls(rustls::Error::InconsistentKeys(_)) => format!(
                            "sip.tls.private_key {} does not match the certificate in sip.tls.certificate {}",
                            key.display(),
                            cert.display()
                        ),
                        e => format!("sip.tls.certificate and sip.tls.private_key: {e}"),
                    });
                }
            }
            (certs, keys) => {
                out.extend(certs.err());
                out.extend(keys.err());
            }
        }
    }
    if let Some(ca) = &c.sip.tls.ca {
        if let Err(e) = readable("sip.tls.ca", ca).and_then(|()| {
            tls::client_config(Some(ca), None).map_err(|e| format!("sip.tls.ca: {e}"))
        }) {
            out.push(e);
        }
    }
    let dir = &c.store.path;
    if dir.exists() && !dir.is_dir() {
        out.push(format!("store.path {} is not a directory", dir.display()));
    }
    if c.admin.enabled && c.admin.token.is_none() {
        let path = c.admin.token_path(dir);
        if path.exists() {
            if let Err(e) = crate::admin::read_token(&path) {
                out.push(format!("admin.token_file: {e}"));
            }
        }
    }
    out
}

/// Whether `path` can be opened for reading, as a sentence naming `key` when not.
fn readable(key: &str, path: &Path) -> Result<(), String> {
    std::fs::File::open(path)
        .map(drop)
        .map_err(|e| format!("{key} {}: cannot read: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show_in_a_printed_url() {
        assert_eq!(
            redact_url("redis://:hunter2@10.0.0.5:6380/2"),
            "redis://***@10.0.0.5:6380/2"
        );
        assert_eq!(redact_url("redis://user:hunter2@host"), "redis://***@host");
        assert_eq!(
            redact_url("redis://127.0.0.1:6379/0"),
            "redis://127.0.0.1:6379/0"
        );
        assert_eq!(
            redact_url("redis+unix:///run/redis.sock?db=1&pass=hunter2"),
            "redis+unix:///run/redis.sock?db=1&pass=***"
        );
    }

    #[test]
    fn a_media_range_the_kernel_may_hand_out_is_found() {
        assert_eq!(port_ranges("32768\t60999\n"), vec![(32768, 60999)]);
        assert_eq!(
            port_ranges("8080,40000-40499\n"),
            vec![(8080, 8080), (40000, 40499)]
        );
        assert_eq!(port_ranges("\n"), vec![]);
        let eph = (32768, 60999);
        assert!(exposed(&(40000..=40999), eph, &[]));
        assert!(!exposed(&(16000..=31999), eph, &[]), "below it");
        assert!(exposed(&(32000..=32999), eph, &[]), "straddling");
        assert!(
            !exposed(&(40000..=40999), eph, &[(40000, 40999)]),
            "reserved"
        );
        assert!(
            exposed(&(40000..=40999), eph, &[(40000, 40499)]),
            "half reserved"
        );
    }

    #[test]
    fn the_defaults_pass_and_say_where_they_listen() {
        let r = check(None);
        assert!(r.ok(), "{:?}", r.problems);
        let plan = r.plan.join("\n");
        assert!(plan.contains("SIP UDP:       127.0.0.1:5060"), "{plan}");
        assert!(
            plan.contains("media UDP:     127.0.0.1:20000-20999 (500 port pairs, "),
            "{plan}"
        );
        assert!(
            plan.contains("sqlite ./roomgate-data/roomgate.sqlite3"),
            "{plan}"
        );
    }

    #[test]
    fn a_redis_store_is_shown_without_its_password() {
        let dir = std::env::temp_dir().join(format!("roomgate-check-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("redis.toml");
        std::fs::write(
            &file,
            "[store]\nbackend = \"redis\"\nredis_url = \"redis://:hunter2@10.0.0.5:6380/2\"\n",
        )
        .unwrap();
        let r = check(Some(&file));
        let _ = std::fs::remove_dir_all(&dir);
        assert!(r.ok(), "{:?}", r.problems);
        let plan = r.plan.join("\n");
        assert!(plan.contains("redis redis://***@10.0.0.5:6380/2"), "{plan}");
        assert!(!plan.contains("hunter2"), "{plan}");
    }
}
