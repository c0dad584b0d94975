//! RFC 3263 server location: which transport, address and port a SIP URI is sent to.
//! NAPTR picks the transport, SRV the hosts and ports, A/AAAA the addresses; configured static
//! overrides bypass DNS for a host name (handy for a fixed cloud or a test bed).

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};

use hickory_resolver::config::{NameServerConfigGroup, ResolverConfig};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::proto::rr::{RData, RecordType};
use hickory_resolver::TokioResolver;
use roomgate_sip::{Host, SipUri};

use crate::transport::Proto;

/// One place to try, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub proto: Proto,
    pub addr: SocketAddr,
    /// The name TLS verifies the certificate against (the URI's host, RFC 5922).
    pub server_name: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("unsupported transport {0}")]
    Transport(String),
    #[error("no address found for {0}")]
    NotFound(String),
    #[error("DNS: {0}")]
    Dns(String),
}

/// Most SRV targets followed per lookup; a hostile zone cannot make us chase more.
const MAX_SRV_TARGETS: usize = 8;

pub struct Resolver {
    dns: TokioResolver,
    overrides: BTreeMap<String, Vec<SocketAddr>>,
}

fn default_port(proto: Proto) -> u16 {
    if proto == Proto::Tls {
        5061
    } else {
        5060
    }
}

fn proto_from_param(t: &str) -> Result<Proto, ResolveError> {
    match t.to_ascii_lowercase().as_str() {
        "udp" => Ok(Proto::Udp),
        "tcp" => Ok(Proto::Tcp),
        "tls" => Ok(Proto::Tls),
        other => Err(ResolveError::Transport(other.to_owned())),
    }
}

impl Resolver {
    /// `server` replaces the system's DNS servers (tests point it at a loopback server).
    pub fn new(
        overrides: BTreeMap<String, Vec<SocketAddr>>,
        server: Option<SocketAddr>,
    ) -> Result<Self, ResolveError> {
        let dns = match server {
            Some(addr) => {
                let group = NameServerConfigGroup::from_ips_clear(&[addr.ip()], addr.port(), true);
                let config = ResolverConfig::from_parts(None, vec![], group);
                TokioResolver::builder_with_config(config, TokioConnectionProvider::default())
                    .build()
            }
            None => TokioResolver::builder_tokio()
                .map_err(|e| ResolveError::Dns(e.to_string()))?
                .build(),
        };
        let overrides = overrides
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect();
        Ok(Resolver { dns, overrides })
    }

    /// Destinations for `uri`, best first.
    pub async fn resolve(&self, uri: &SipUri<'_>) -> Result<Vec<Destination>, ResolveError> {
        let explicit = uri.transport().map(proto_from_param).transpose()?;
        // RFC 3263 §4.1: a sips URI always goes over TLS.
        let explicit = if uri.secure {
            Some(Proto::Tls)
        } else {
            explicit
        };
        let name = match &uri.host {
            Host::Ipv4(a) => return Ok(vec![literal(IpAddr::V4(*a), uri, explicit)]),
            Host::Ipv6(a) => return Ok(vec![literal(IpAddr::V6(*a), uri, explicit)]),
            Host::Domain(d) => d.trim_end_matches('.').to_ascii_lowercase(),
        };
        if let Some(addrs) = self.overrides.get(&name) {
            let proto = explicit.unwrap_or(Proto::Udp);
            return Ok(addrs
                .iter()
                .map(|a| Destination {
                    proto,
                    addr: *a,
                    server_name: name.clone(),
                })
                .collect());
        }
        if let Some(port) = uri.port {
            // §4.2: an explicit port means A/AAAA only.
            let proto = explicit.unwrap_or(Proto::Udp);
            return self.addresses(&name, port, proto, &name).await;
        }
        let services = match explicit {
            Some(p) => vec![p],
            None => self.naptr(&name, uri.secure).await,
        };
        let candidates: Vec<Proto> = if services.is_empty() {
            if uri.secure {
                vec![Proto::Tls]
            } else {
                vec![Proto::Tls, Proto::Tcp, Proto::Udp]
            }
        } else {
            services
        };
        for proto in &candidates {
            let found = self.srv(&name, *proto).await?;
            if !found.is_empty() {
                return Ok(found);
            }
        }
        // No SRV: the host itself on the default port of the chosen transport.
        let proto = explicit.unwrap_or(if uri.secure { Proto::Tls } else { Proto::Udp });
        self.addresses(&name, default_port(proto), proto, &name)
            .await
    }

    /// NAPTR records that name SIP services, in order (RFC 3263 §4.1).
    async fn naptr(&self, name: &str, secure: bool) -> Vec<Proto> {
        let Ok(lookup) = self.dns.lookup(name, RecordType::NAPTR).await else {
            return Vec::new();
        };
        let mut records: Vec<(u16, u16, Proto)> = lookup
            .iter()
            .filter_map(|r| match r {
                RData::NAPTR(n) => {
                    let service = String::from_utf8_lossy(n.services()).to_ascii_uppercase();
                    let proto = match service.as_str() {
                        "SIPS+D2T" => Some(Proto::Tls),
                        "SIP+D2T" if !secure => Some(Proto::Tcp),
                        "SIP+D2U" if !secure => Some(Proto::Udp),
                        _ => None,
                    }?;
                    Some((n.order(), n.preference(), proto))
                }
                _ => None,
            })
            .collect();
        records.sort();
        let mut out = Vec::new();
        for (_, _, p) in records {
            if !out.contains(&p) {
                out.push(p);
            }
        }
        out
    }

    async fn srv(&self, name: &str, proto: Proto) -> Result<Vec<Destination>, ResolveError> {
        let service = match proto {
            Proto::Tls => format!("_sips._tcp.{name}."),
            Proto::Tcp => format!("_sip._tcp.{name}."),
            Proto::Udp => format!("_sip._udp.{name}."),
        };
        let Ok(lookup) = self.dns.srv_lookup(service).await else {
            return Ok(Vec::new());
        };
        let mut records: Vec<_> = lookup.iter().cloned().collect();
        // Lowest priority first; within a priority, heavier weight first (RFC 2782's weighted
        // random choice made deterministic, so retries are predictable).
        records.sort_by_key(|r| (r.priority(), std::cmp::Reverse(r.weight())));
        let mut out = Vec::new();
        for r in records.into_iter().take(MAX_SRV_TARGETS) {
            let target = r.target().to_utf8();
            let target = target.trim_end_matches('.');
            if let Ok(mut found) = self.addresses(target, r.port(), proto, name).await {
                out.append(&mut found);
            }
        }
        Ok(out)
    }

    async fn addresses(
        &self,
        host: &str,
        port: u16,
        proto: Proto,
        server_name: &str,
    ) -> Result<Vec<Destination>, ResolveError> {
        let lookup = self
            .dns
            .lookup_ip(format!("{host}."))
            .await
            .map_err(|e| ResolveError::Dns(e.to_string()))?;
        let out: Vec<Destination> = lookup
            .iter()
            .map(|ip| Destination {
                proto,
                addr: SocketAddr::new(ip, port),
                server_name: server_name.to_owned(),
            })
            .collect();
        if out.is_empty() {
            return Err(ResolveError::NotFound(host.to_owned()));
        }
        Ok(out)
    }
}

fn literal(ip: IpAddr, uri: &SipUri<'_>, explicit: Option<Proto>) -> Destination {
    let proto = explicit.unwrap_or(Proto::Udp);
    Destination {
        proto,
        addr: SocketAddr::new(ip, uri.port.unwrap_or(default_port(proto))),
        server_name: ip.to_string(),
    }
}
