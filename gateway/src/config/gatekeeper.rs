//! `[h323.gatekeeper]`: registering the gateway with an H.323 gatekeeper, so room systems
//! registered to it reach meetings by the gateway's aliases and every call is admitted by
//! it. Off by default: most deployments dial the gateway's address directly.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use roomgate_h323::gatekeeper::{ClientConfig, Timers};
use roomgate_h323::ras::AliasAddress;
use serde::Deserialize;

/// The RAS port (H.225.0 §7.7: 1719 for unicast RAS).
pub const RAS_PORT: u16 = 1719;

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct GatekeeperConfig {
    pub enabled: bool,
    /// The gatekeeper's RAS address (`host:port`, port 1719 when left out); absent:
    /// multicast discovery (224.0.1.41:1718).
    pub address: Option<String>,
    /// The gatekeeper identifier to ask for (GRQ/RRQ); absent: whichever answers.
    pub gatekeeper_id: Option<String>,
    /// Where our RAS socket listens; port 0: any free port. Absent: the first H.323 listen
    /// address's IP, port 1719.
    pub ras_listen: Option<SocketAddr>,
    /// Our call signalling address as the gatekeeper hands it out; absent: the first H.323
    /// listen address (which must then be a specific IP).
    pub advertise: Option<SocketAddr>,
    /// Our H.323-ID aliases.
    pub h323_ids: Vec<String>,
    /// Our E.164 numbers (dialledDigits: 0-9, #, * and comma).
    pub e164: Vec<String>,
    /// The registration lifetime asked for; the lightweight keep-alive RRQ goes at three
    /// quarters of what the gatekeeper grants.
    pub time_to_live_s: u32,
    /// RAS retransmission: wait per try and tries after the first.
    pub request_timeout_ms: u64,
    pub retries: u8,
    /// After a failed registration, discovery again after this long.
    pub retry_after_s: u64,
    /// Bandwidth asked per call (ARQ), kbit/s for both directions together.
    pub bandwidth_kbps: u32,
}

impl Default for GatekeeperConfig {
    fn default() -> Self {
        let timers = Timers::default();
        GatekeeperConfig {
            enabled: false,
            address: None,
            gatekeeper_id: None,
            ras_listen: None,
            advertise: None,
            h323_ids: vec!["roomgate".to_owned()],
            e164: Vec::new(),
            time_to_live_s: 300,
            request_timeout_ms: timers.request_timeout.as_millis() as u64,
            retries: timers.retries,
            retry_after_s: timers.retry_after.as_secs(),
            bandwidth_kbps: 1920,
        }
    }
}

impl GatekeeperConfig {
    /// Our aliases as RAS names them.
    pub fn aliases(&self) -> Vec<AliasAddress> {
        let ids = self.h323_ids.iter().cloned().map(AliasAddress::H323Id);
        let numbers = self.e164.iter().cloned().map(AliasAddress::DialedDigits);
        ids.chain(numbers).collect()
    }

    /// The RAS socket's address, given the H.323 listen addresses.
    pub fn ras_listen_on(&self, h323_listen: &[SocketAddr]) -> SocketAddr {
        self.ras_listen.unwrap_or_else(|| {
            let ip = h323_listen
                .first()
                .map_or(IpAddr::from([127, 0, 0, 1]), |a| a.ip());
            SocketAddr::new(ip, RAS_PORT)
        })
    }

    /// The client's configuration: `gatekeeper` resolved, our RAS and call signalling
    /// addresses as bound.
    pub fn client(
        &self,
        gatekeeper: Option<SocketAddr>,
        ras_address: SocketAddr,
        call_signal_address: SocketAddr,
    ) -> ClientConfig {
        ClientConfig {
            gatekeeper,
            gatekeeper_id: self.gatekeeper_id.clone(),
            ras_address,
            call_signal_address,
            aliases: self.aliases(),
            time_to_live: Some(self.time_to_live_s),
            // 100 bit/s units.
            bandwidth: self.bandwidth_kbps.saturating_mul(10),
            timers: Timers {
                request_timeout: Duration::from_millis(self.request_timeout_ms),
                retries: self.retries,
                retry_after: Duration::from_secs(self.retry_after_s),
            },
        }
    }

    /// What is wrong with the section, when enabled.
    pub fn problems(&self, h323_listen: &[SocketAddr]) -> Vec<String> {
        let mut out = Vec::new();
        if !self.enabled {
            return out;
        }
        if h323_listen.is_empty() {
            out.push("h323.gatekeeper needs h323.listen (calls come to us there)".into());
        }
        let advertised = self.advertise.or_else(|| h323_listen.first().copied());
        if advertised.is_some_and(|a| a.ip().is_unspecified()) {
            out.push(
                "h323.gatekeeper.advertise: give the call signalling address the gatekeeper \
                 hands out (h323.listen is a wildcard)"
                    .into(),
            );
        }
        if self.h323_ids.is_empty() && self.e164.is_empty() {
            out.push("h323.gatekeeper: at least one of h323_ids and e164".into());
        }
        if self.time_to_live_s == 0 || self.request_timeout_ms == 0 || self.retry_after_s == 0 {
            out.push(
                "h323.gatekeeper time_to_live_s, request_timeout_ms and retry_after_s must be > 0"
                    .into(),
            );
        }
        // The same check the client makes at start: every alias encodes in an RRQ.
        let any: SocketAddr = SocketAddr::from(([127, 0, 0, 1], RAS_PORT));
        let client = self.client(None, any, any);
        if roomgate_h323::gatekeeper::Client::new(std::time::Instant::now(), client, 1).is_err() {
            out.push(
                "h323.gatekeeper aliases: H.323-IDs of 1 to 256 characters, E.164 numbers of 1 \
                 to 128 of 0-9 # * ,"
                    .into(),
            );
        }
        out
    }
}
