//! The rules a parsed configuration must keep before `serve` starts, collected rather than
//! stopping at the first: `roomgate check` lists them all, and `serve` refuses to start with
//! the same list. Everything here is pure (no file or socket is touched), so the rules are
//! the same whichever command applies them; what needs the file system is in `crate::check`.

use std::net::{IpAddr, SocketAddr};
use std::ops::RangeInclusive;

use super::{parse_suites, Config};

/// Port pairs a media range may hold at most: the RTP port of every pair is bound at start
/// (a descriptor and a receive task each), and the relay's tables are sized by it.
pub const MAX_MEDIA_PAIRS: u32 = 16_000;
/// Most signalling runtime threads (the SIP core is one task; more threads serve only
/// connections' TLS and H.323 work).
pub const MAX_SIGNALLING_THREADS: usize = 64;

/// A transport a listener uses; only listeners of the same transport can collide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proto {
    Udp,
    Tcp,
}

/// Something `serve` binds: what the configuration calls it, its transport, its address and
/// its ports (one, or the media range).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    pub name: String,
    pub proto: Proto,
    pub ip: IpAddr,
    pub ports: RangeInclusive<u16>,
}

impl std::fmt::Display for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let proto = match self.proto {
            Proto::Udp => "UDP",
            Proto::Tcp => "TCP",
        };
        let ip = SocketAddr::new(self.ip, 0).to_string();
        let ip = ip.trim_end_matches(":0");
        if self.ports.start() == self.ports.end() {
            write!(f, "{} {proto} {ip}:{}", self.name, self.ports.start())
        } else {
            write!(
                f,
                "{} {proto} {ip}:{}-{}",
                self.name,
                self.ports.start(),
                self.ports.end()
            )
        }
    }
}

impl Config {
    /// The ports the media relay binds: `port_min` rounded up to even, then whole even/odd
    /// pairs up to `port_max` (as `roomgate_media::relay::pool::PortPool` hands them out).
    /// `None` when the range holds no pair.
    pub fn media_ports(&self) -> Option<RangeInclusive<u16>> {
        let (min, max) = (self.media.port_min, self.media.port_max);
        let base = min.checked_add(min & 1)?;
        if max <= base {
            return None;
        }
        let pairs = (u32::from(max) - u32::from(base)).div_ceil(2);
        let last = u32::from(base) + pairs * 2 - 1;
        Some(base..=u16::try_from(last).ok()?)
    }

    /// The number of RTP/RTCP port pairs in [`Config::media_ports`].
    pub fn media_pairs(&self) -> u32 {
        self.media_ports().map_or(0, |r| {
            (u32::from(*r.end()) - u32::from(*r.start())).div_ceil(2)
        })
    }

    /// Everything `serve` binds, as configured (port 0 = any free port, which cannot
    /// collide, so such listeners are left out).
    pub fn listeners(&self) -> Vec<Listener> {
        let one = |name: &str, proto, a: &SocketAddr| Listener {
            name: name.to_owned(),
            proto,
            ip: a.ip(),
            ports: a.port()..=a.port(),
        };
        let mut out = Vec::new();
        out.extend(self.sip.udp.iter().map(|a| one("sip.udp", Proto::Udp, a)));
        out.extend(self.sip.tcp.iter().map(|a| one("sip.tcp", Proto::Tcp, a)));
        if self.tls_enabled() {
            out.extend(
                self.sip
                    .tls_listen
                    .iter()
                    .map(|a| one("sip.tls_listen", Proto::Tcp, a)),
            );
        }
        out.extend(
            self.h323
                .listen
                .iter()
                .map(|a| one("h323.listen", Proto::Tcp, a)),
        );
        if self.admin.enabled {
            out.push(one("admin.listen", Proto::Tcp, &self.admin.listen));
        }
        if self.echo.enabled {
            out.push(one("echo.listen", Proto::Tcp, &self.echo.listen));
        }
        if let Some(a) = &self.ng.listen {
            out.push(one("ng.listen", Proto::Udp, a));
        }
        if self.h323.gatekeeper.enabled {
            let ras = self.h323.gatekeeper.ras_listen_on(&self.h323.listen);
            out.push(one("h323.gatekeeper.ras_listen", Proto::Udp, &ras));
        }
        out.retain(|l| *l.ports.start() != 0);
        if let Some(ports) = self.media_ports() {
            out.push(Listener {
                name: "media".to_owned(),
                proto: Proto::Udp,
                ip: self.media.ip,
                ports,
            });
        }
        out
    }

    /// Every rule this configuration breaks, one sentence each naming the keys involved;
    /// empty when `serve` can start with it (as far as the file itself can tell).
    pub fn problems(&self) -> Vec<String> {
        let mut out = self.endpoints.problems();
        let mut bad = |m: String| out.push(m);
        if self.sip.tls.certificate.is_some() != self.sip.tls.private_key.is_some() {
            bad("sip.tls.certificate and sip.tls.private_key go together".into());
        }
        if self.limits.max_message_size > roomgate_sip::limits::MAX_MESSAGE_SIZE
            || self.limits.max_message_size < 1024
        {
            bad("limits.max_message_size must be 1024..=65535".into());
        }
        if self.sip.t1_ms == 0 || self.sip.t2_ms < self.sip.t1_ms {
            bad("sip.t1_ms must be > 0 and sip.t2_ms >= sip.t1_ms".into());
        }
        if let Some(auth) = &self.sip.auth {
            for a in &auth.algorithms {
                if roomgate_sip::digest::Algorithm::parse(a).is_none() {
                    bad(format!("sip.auth.algorithms: unknown {a}"));
                }
            }
            for u in &auth.users {
                if u.password.is_some() == u.ha1_md5.is_some() {
                    bad(format!(
                        "sip.auth user {}: give password or ha1_md5, not both or neither",
                        u.username
                    ));
                }
            }
            if let Some(secret) = &auth.nonce_secret {
                let ok = (32..=128).contains(&secret.len())
                    && secret.bytes().all(|b| b.is_ascii_hexdigit());
                if !ok {
                    bad("sip.auth.nonce_secret must be 32-128 hex digits".into());
                }
            }
        }
        if let Err(e) = parse_suites(&self.gateway.room_suites) {
            bad(format!("gateway.room_suites: {e}"));
        }
        for h in &self.gateway.trusted_upstreams {
            if !is_upstream_host(h) {
                bad(format!(
                    "gateway.trusted_upstreams: {h:?} is not a host name or address \
                     (no scheme, user or port: e.g. \"cloud.example.com\", \"203.0.113.5\")"
                ));
            }
        }
        for t in &self.gateway.trunks {
            if let Err(e) = parse_suites(&t.suites) {
                bad(format!("gateway.trunks {}: {e}", t.name));
            }
        }
        if self.media.port_min == 0 {
            bad("media.port_min must be 1..=65535 (port 0 would bind random ports)".into());
        }
        let pairs = self.media_pairs();
        if !(1..=MAX_MEDIA_PAIRS).contains(&pairs) {
            bad(format!(
                "media.port_min..port_max must hold 1..={MAX_MEDIA_PAIRS} port pairs \
                 (even RTP port, odd RTCP port), has {pairs}"
            ));
        }
        let most = roomgate_media::relay::workers::MAX_WORKERS;
        if self.media.workers > most {
            bad(format!("media.workers must be 0 (one per core) ..={most}"));
        } else if usize::try_from(pairs).is_ok_and(|p| p >= 1 && self.media.workers > p) {
            // (0, one per core, is cut to the pairs there are.)
            bad(format!(
                "media.workers ({}) exceeds the port pairs of media.port_min..port_max ({pairs}): \
                 each worker needs at least one",
                self.media.workers
            ));
        }
        if self.gateway.signalling_threads > MAX_SIGNALLING_THREADS {
            bad(format!(
                "gateway.signalling_threads must be 0 (one per four cores) ..={MAX_SIGNALLING_THREADS}"
            ));
        }
        if self.gateway.max_calls == 0 || self.gateway.setup_timeout_s == 0 {
            bad("gateway.max_calls and gateway.setup_timeout_s must be > 0".into());
        }
        if self.store.path.as_os_str().is_empty() {
            bad("store.path must not be empty".into());
        }
        if let Err(e) = self.store.check_redis() {
            bad(e.to_string());
        }
        if self.limits.inbound_queue == 0 || self.limits.max_connections == 0 {
            bad("limits.inbound_queue and limits.max_connections must be > 0".into());
        }
        if self.limits.overload_queue_delay_ms == 0 || self.limits.max_calls_in_setup == 0 {
            bad("limits.overload_queue_delay_ms and limits.max_calls_in_setup must be > 0".into());
        }
        let h = &self.h323;
        if h.max_connections_per_source == 0
            || h.max_connections == 0
            || h.setups_per_source_per_second == 0
            || h.setups_burst == 0
            || h.idle_timeout_s == 0
            || h.partial_timeout_s == 0
            || h.h245_connect_timeout_s == 0
        {
            bad("h323 limits and timeouts must be > 0".into());
        }
        for p in h.gatekeeper.problems(&h.listen) {
            bad(p);
        }
        if self.pin.inter_digit_timeout_s == 0
            || self.pin.entry_timeout_s < self.pin.inter_digit_timeout_s
        {
            bad("pin.inter_digit_timeout_s must be > 0 and at most pin.entry_timeout_s".into());
        }
        if let Err(m) = self.lockout.check() {
            bad(m.to_owned());
        }
        if self.admin.enabled {
            if self.admin.token.is_some() && self.admin.token_file.is_some() {
                bad("admin.token and admin.token_file: give one, not both".into());
            }
            if let Some(t) = &self.admin.token {
                if let Err(m) = crate::admin::check_token(t) {
                    bad(format!("admin.token: {m}"));
                }
            }
            if self
                .admin
                .token_file
                .as_ref()
                .is_some_and(|p| p.as_os_str().is_empty())
            {
                bad("admin.token_file must not be empty".into());
            }
        }
        out.extend(overlaps(&self.listeners()));
        out
    }
}

/// Whether two bound addresses can take the same port: the same address, or one of them the
/// unspecified address of its family. `[::]` also takes IPv4 ports on a dual-stack host.
fn same_place(a: IpAddr, b: IpAddr) -> bool {
    let (a, b) = (a.to_canonical(), b.to_canonical());
    if a == b {
        return true;
    }
    let any6 = |ip: IpAddr| ip == IpAddr::from(std::net::Ipv6Addr::UNSPECIFIED);
    if any6(a) || any6(b) {
        return true;
    }
    (a.is_unspecified() || b.is_unspecified()) && a.is_ipv4() == b.is_ipv4()
}

/// Each pair of listeners that would fight over a port, as one sentence.
fn overlaps(listeners: &[Listener]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, a) in listeners.iter().enumerate() {
        for b in listeners.iter().skip(i + 1) {
            let ports_meet = a.ports.start() <= b.ports.end() && b.ports.start() <= a.ports.end();
            if a.proto == b.proto && ports_meet && same_place(a.ip, b.ip) {
                out.push(format!("{a} overlaps {b}: they cannot both be bound"));
            }
        }
    }
    out
}

/// A host name or an IP address (IPv6 with or without brackets), as a trusted upstream is
/// written: a URI, a port or a user part would never match a meeting's host, silently.
fn is_upstream_host(h: &str) -> bool {
    let bare = h
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .unwrap_or(h);
    if bare.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    let name = h.strip_suffix('.').unwrap_or(h);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> Config {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn the_defaults_keep_every_rule() {
        assert_eq!(Config::default().problems(), Vec::<String>::new());
        assert_eq!(Config::default().media_ports(), Some(20000..=20999));
    }

    #[test]
    fn trusted_upstreams_are_hosts_not_uris() {
        let c = config(
            "[gateway]\ntrusted_upstreams = [\"cloud.example.com\", \"203.0.113.5\", \"[2001:db8::1]\", \"2001:db8::2\", \"Edge-1.example.\"]\n",
        );
        assert_eq!(c.problems(), Vec::<String>::new());
        for bad in [
            "sip:cloud.example.com",
            "cloud.example.com:5061",
            "user@cloud.example.com",
            "",
            "a..b",
            "-edge.example",
            "two words",
        ] {
            let c = config(&format!("[gateway]\ntrusted_upstreams = [{bad:?}]\n"));
            let p = c.problems();
            assert_eq!(p.len(), 1, "{bad}: {p:?}");
            assert!(p[0].starts_with("gateway.trusted_upstreams: "), "{p:?}");
        }
    }

    #[test]
    fn media_ports_are_whole_pairs_from_an_even_base() {
        let c = config("[media]\nport_min = 40001\nport_max = 40006\n");
        assert_eq!(c.media_ports(), Some(40002..=40005));
        assert!(c.problems().is_empty());
        let c = config("[media]\nport_min = 40001\nport_max = 40002\n");
        assert_eq!(c.media_ports(), None);
        assert!(c.problems()[0].contains("has 0"), "{:?}", c.problems());
        let c = config("[media]\nport_min = 0\nport_max = 100\n");
        assert!(c.problems()[0].contains("port 0"), "{:?}", c.problems());
        let c = config("[media]\nport_min = 65534\nport_max = 65535\n");
        assert_eq!(c.media_ports(), Some(65534..=65535));
        let c = config("[media]\nport_min = 10000\nport_max = 41999\n");
        assert!(c.problems().is_empty(), "{:?}", c.problems());
        let c = config("[media]\nport_min = 10000\nport_max = 42001\n");
        assert!(c.problems()[0].contains("has 16001"), "{:?}", c.problems());
    }

    #[test]
    fn relay_workers_are_bounded_by_the_limit_and_the_port_pairs() {
        let c = config("[media]\nworkers = 2\nport_min = 40000\nport_max = 40003\n");
        assert!(c.problems().is_empty(), "{:?}", c.problems());
        let c = config("[media]\nworkers = 3\nport_min = 40000\nport_max = 40003\n");
        assert!(
            c.problems()[0].contains("media.workers (3)"),
            "{:?}",
            c.problems()
        );
        let c = config("[media]\nworkers = 65\n");
        assert!(
            c.problems()[0].contains("media.workers must be"),
            "{:?}",
            c.problems()
        );
        // 0 is one per core, cut to the pairs there are: never a problem.
        let c = config("[media]\nworkers = 0\nport_min = 40000\nport_max = 40001\n");
        assert!(c.problems().is_empty(), "{:?}", c.problems());
        assert!(c.media.worker_count() >= 1);
    }

    #[test]
    fn signalling_threads_are_bounded_and_0_means_at_least_one() {
        let c = config("[gateway]\nsignalling_threads = 2\n");
        assert!(c.problems().is_empty(), "{:?}", c.problems());
        assert_eq!(c.gateway.signalling_thread_count(), 2);
        let c = config("[gateway]\nsignalling_threads = 65\n");
        assert!(
            c.problems()[0].contains("gateway.signalling_threads must be"),
            "{:?}",
            c.problems()
        );
        let c = config("");
        assert!(c.gateway.signalling_thread_count() >= 1);
    }

    #[test]
    fn a_media_range_over_a_sip_port_is_an_overlap() {
        let c = config("[sip]\nudp = [\"0.0.0.0:20010\"]\n[media]\nip = \"127.0.0.1\"\n");
        let p = c.problems();
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(
            p[0],
            "sip.udp UDP 0.0.0.0:20010 overlaps media UDP 127.0.0.1:20000-20999: they cannot both be bound"
        );
        // TCP on that port is another socket; another address is another place.
        assert!(config("[sip]\ntcp = [\"127.0.0.1:20010\"]\n")
            .problems()
            .is_empty());
        assert!(config("[sip]\nudp = [\"127.0.0.2:20010\"]\n")
            .problems()
            .is_empty());
    }

    #[test]
    fn tcp_listeners_collide_only_when_enabled() {
        let p = config("[sip]\ntcp = [\"127.0.0.1:8081\"]\n").problems();
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].starts_with("sip.tcp TCP 127.0.0.1:8081 overlaps admin.listen"));
        assert!(
            config("[sip]\ntcp = [\"127.0.0.1:8081\"]\n[admin]\nenabled = false\n")
                .problems()
                .is_empty()
        );
        // The TLS listener counts once TLS is on; [::] meets 127.0.0.1 (dual stack).
        let tls = "[sip]\ntls_listen = [\"[::]:5060\"]\n";
        assert!(config(tls).problems().is_empty());
        let on = format!("{tls}[sip.tls]\ncertificate = \"c\"\nprivate_key = \"k\"\n");
        let p = config(&on).problems();
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].starts_with("sip.tcp TCP 127.0.0.1:5060 overlaps sip.tls_listen TCP [::]:5060")
        );
        // Port 0 is any free port and never collides.
        assert!(
            config("[echo]\nlisten = \"127.0.0.1:0\"\n[admin]\nlisten = \"127.0.0.1:0\"\n")
                .problems()
                .is_empty()
        );
    }

    #[test]
    fn overload_limits_must_be_positive() {
        let c = config("[limits]\noverload_queue_delay_ms = 0\n");
        assert_eq!(c.problems().len(), 1, "{:?}", c.problems());
        assert!(c.problems()[0].contains("limits.overload_queue_delay_ms"));
        assert_eq!(
            config("[limits]\nmax_calls_in_setup = 0\n")
                .problems()
                .len(),
            1
        );
        let ok = config("[limits]\noverload_queue_delay_ms = 50\nmax_calls_in_setup = 2\n");
        assert!(ok.problems().is_empty(), "{:?}", ok.problems());
        assert_eq!(ok.overload().max_calls_in_setup, 2);
    }

    #[test]
    fn every_problem_is_listed() {
        let c =
            config("[sip]\nt1_ms = 0\n[limits]\nmax_message_size = 10\n[gateway]\nmax_calls = 0\n");
        assert_eq!(c.problems().len(), 3, "{:?}", c.problems());
        let e = c.check().unwrap_err().to_string();
        assert!(e.contains("sip.t1_ms") && e.contains("limits.max_message_size"));
        assert!(e.contains("gateway.max_calls"), "{e}");
    }
}
