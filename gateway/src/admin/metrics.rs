//! Prometheus text exposition (format 0.0.4), written by hand: a dozen families rendered from
//! one [`Snapshot`] do not justify a metrics registry, and rendering from the snapshot keeps
//! the SIP core free of shared atomics (it hands out counters it already keeps).
//!
//! When the core did not answer in time the call and media families are left out and
//! `roomgate_core_up` is 0, so a scrape still returns the security counters and an alert can
//! fire on the core rather than on a missing target.

use std::fmt::Write;

use crate::lockout::SecurityCounts;
use crate::observe::{Snapshot, SETUP_BUCKETS_MS};

/// The Content-Type of the exposition.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

struct Out(String);

impl Out {
    fn family(&mut self, name: &str, kind: &str, help: &str) {
        // Writing to a String cannot fail.
        let _ = writeln!(self.0, "# HELP {name} {help}");
        let _ = writeln!(self.0, "# TYPE {name} {kind}");
    }

    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: impl std::fmt::Display) {
        self.0.push_str(name);
        if !labels.is_empty() {
            self.0.push('{');
            for (i, (k, v)) in labels.iter().enumerate() {
                if i > 0 {
                    self.0.push(',');
                }
                // Label values here are our own constants; escape anyway, per the format.
                let v = v
                    .replace('\\', "\\\\")
                    .replace('"', "\\\"")
                    .replace('\n', "\\n");
                let _ = write!(self.0, "{k}=\"{v}\"");
            }
            self.0.push('}');
        }
        let _ = writeln!(self.0, " {value}");
    }

    fn counter(&mut self, name: &str, help: &str, value: u64) {
        self.family(name, "counter", help);
        self.sample(name, &[], value);
    }
}

/// Renders every family. `snapshot` is `None` when the SIP core did not answer.
pub fn render(snapshot: Option<&Snapshot>, security: SecurityCounts) -> String {
    let mut o = Out(String::with_capacity(4096));
    o.family(
        "roomgate_core_up",
        "gauge",
        "Whether the SIP core answered this scrape (0: call and media metrics are missing).",
    );
    o.sample("roomgate_core_up", &[], u8::from(snapshot.is_some()));

    o.counter(
        "roomgate_pin_failures_total",
        "Wrong PINs entered.",
        security.pin_failures,
    );
    o.counter(
        "roomgate_pin_refused_total",
        "PIN attempts refused unverified: meeting locked, source blocked, or budget in flight.",
        security.pin_refused,
    );
    o.counter(
        "roomgate_meeting_locks_total",
        "Meetings locked after too many wrong PINs.",
        security.meeting_locks,
    );
    o.counter(
        "roomgate_source_blocks_total",
        "Source addresses blocked after too many wrong PINs.",
        security.source_blocks,
    );
    o.counter(
        "roomgate_endpoint_operations_total",
        "Operations on room systems over SSH, whatever their outcome (endpoint dial, status, ...).",
        security.endpoint_operations,
    );
    o.counter(
        "roomgate_endpoint_host_keys_refused_total",
        "Room SSH host keys refused: changed since pinned, or not pinned.",
        security.endpoint_host_keys_refused,
    );

    let Some(s) = snapshot else {
        return o.0;
    };
    let st = &s.stats;
    o.family("roomgate_calls_active", "gauge", "Calls in progress.");
    o.sample("roomgate_calls_active", &[], s.calls.len());
    o.family(
        "roomgate_calls_active_by_protocol",
        "gauge",
        "Calls in progress by the protocol of their room leg.",
    );
    for protocol in ["sip", "h323"] {
        let n = s
            .calls
            .iter()
            .filter(|c| c.room.protocol == protocol)
            .count();
        o.sample(
            "roomgate_calls_active_by_protocol",
            &[("protocol", protocol)],
            n,
        );
    }
    o.counter(
        "roomgate_calls_started_total",
        "Calls accepted from rooms.",
        st.started,
    );
    o.counter(
        "roomgate_calls_connected_total",
        "Calls bridged to their meeting.",
        st.connected,
    );
    o.counter("roomgate_calls_ended_total", "Calls ended.", st.ended);
    o.family(
        "roomgate_call_failures_total",
        "counter",
        "Calls refused or failed, by cause.",
    );
    for (cause, n) in [
        ("unknown_meeting", st.refused_unknown),
        ("capacity", st.refused_capacity),
        ("media", st.refused_media),
        ("cloud_failed", st.cloud_failed),
        ("pin", st.refused_pin),
        ("source_blocked", st.refused_blocked),
        ("lockout_unavailable", st.lockout_unavailable),
    ] {
        o.sample("roomgate_call_failures_total", &[("cause", cause)], n);
    }

    o.family(
        "roomgate_pin_attempts_total",
        "counter",
        "PIN attempts checked, by result (wrong includes attempts refused by a budget).",
    );
    for (result, n) in [("correct", st.pin_correct), ("wrong", st.pin_wrong)] {
        o.sample("roomgate_pin_attempts_total", &[("result", result)], n);
    }
    o.family(
        "roomgate_srtp_crypto_unusable_total",
        "counter",
        "SDES crypto lines (or answers) our SRTP contexts cannot apply, by reason.",
    );
    for (reason, n) in st.srtp.by_reason() {
        o.sample(
            "roomgate_srtp_crypto_unusable_total",
            &[("reason", reason)],
            n,
        );
    }
    o.counter(
        "roomgate_srtp_refused_total",
        "Offers or answers refused because their SRTP could not be applied or would be dropped.",
        st.srtp.refused,
    );
    o.family(
        "roomgate_overload_refused_total",
        "counter",
        "New INVITEs answered 503 because the gateway was overloaded, by reason (queue_delay: the SIP core fell behind; calls_in_setup: too many calls not yet answered; transactions: the transaction table reached the part kept for calls already admitted).",
    );
    for (reason, n) in s.overload_refused.by_reason() {
        o.sample("roomgate_overload_refused_total", &[("reason", reason)], n);
    }
    o.counter(
        "roomgate_cdrs_dropped_total",
        "Call detail records dropped because the store writer fell behind.",
        st.cdrs_dropped,
    );

    let h = &s.setup;
    o.family(
        "roomgate_call_setup_seconds",
        "histogram",
        "Time from the room's INVITE to the bridged call.",
    );
    let mut cumulative = 0u64;
    for (bound, n) in SETUP_BUCKETS_MS.iter().zip(h.counts.iter()) {
        cumulative = cumulative.saturating_add(*n);
        let le = (*bound as f64 / 1000.0).to_string();
        o.sample(
            "roomgate_call_setup_seconds_bucket",
            &[("le", &le)],
            cumulative,
        );
    }
    cumulative = cumulative.saturating_add(h.over);
    o.sample(
        "roomgate_call_setup_seconds_bucket",
        &[("le", "+Inf")],
        cumulative,
    );
    o.sample(
        "roomgate_call_setup_seconds_sum",
        &[],
        h.sum_ms as f64 / 1000.0,
    );
    o.sample("roomgate_call_setup_seconds_count", &[], h.count);

    let r = &s.relay;
    o.counter(
        "roomgate_media_datagrams_in_total",
        "Datagrams received by the media relay.",
        r.datagrams_in,
    );
    o.counter(
        "roomgate_media_rtp_forwarded_total",
        "RTP packets forwarded between legs (passed through or transcoded).",
        r.rtp_forwarded,
    );
    o.counter(
        "roomgate_media_played_total",
        "RTP packets generated by the gateway (prompts).",
        r.played,
    );
    o.counter(
        "roomgate_media_rtcp_terminated_total",
        "RTCP compounds consumed by the relay.",
        r.rtcp_terminated,
    );
    let d = &r.drops;
    o.family(
        "roomgate_media_drops_total",
        "counter",
        "Datagrams the media relay dropped, by reason.",
    );
    for (reason, n) in [
        ("unknown_port", d.unknown_port),
        ("not_latched_source", d.not_latched_source),
        ("srtp_auth", d.srtp_auth),
        ("replay", d.replay),
        ("srtp_other", d.srtp_other),
        ("malformed_rtp", d.malformed_rtp),
        ("rtcp_parse", d.rtcp_parse),
        ("unknown_payload_type", d.unknown_payload_type),
        ("inactive_session", d.inactive_session),
        ("buffer_too_small", d.buffer_too_small),
        ("no_destination", d.no_destination),
        ("transcode_error", d.transcode_error),
    ] {
        o.sample("roomgate_media_drops_total", &[("reason", reason)], n);
    }
    if let Some(w) = &s.workers {
        o.family(
            "roomgate_media_workers",
            "gauge",
            "Relay worker threads (each its own relay core, ports and sessions).",
        );
        o.sample("roomgate_media_workers", &[], w.workers);
        o.counter(
            "roomgate_media_jobs_refused_total",
            "Commands to a relay worker refused because its queue was full (the call got 503).",
            w.jobs_refused,
        );
        o.counter(
            "roomgate_media_events_dropped_total",
            "Relay events dropped because the signalling side's queue was full.",
            w.events_dropped,
        );
        o.counter(
            "roomgate_media_send_errors_total",
            "Datagrams the relay's sockets could not send (full buffer, unreachable).",
            w.send_errors,
        );
        o.counter(
            "roomgate_media_gso_datagrams_total",
            "Forwarded datagrams that left in a GSO send of several.",
            w.gso_datagrams,
        );
        o.family(
            "roomgate_media_rtcp_ports_bound",
            "gauge",
            "RTCP ports bound for legs without rtcp-mux (each RTP port is bound at start).",
        );
        o.sample("roomgate_media_rtcp_ports_bound", &[], w.rtcp_bound);
        o.counter(
            "roomgate_media_rtcp_bind_errors_total",
            "RTCP ports a leg without rtcp-mux needed that could not be bound (no RTCP on it).",
            w.rtcp_bind_errors,
        );
    }
    if let Some(gk) = &s.gatekeeper {
        o.family(
            "roomgate_h323_gatekeeper_registered",
            "gauge",
            "1 while registered with the H.323 gatekeeper, else 0.",
        );
        o.sample(
            "roomgate_h323_gatekeeper_registered",
            &[],
            u8::from(gk.state == "registered"),
        );
        let c = &gk.counters;
        o.family(
            "roomgate_h323_ras_messages_total",
            "counter",
            "RAS datagrams to and from the gatekeeper.",
        );
        for (direction, n) in [
            ("sent", c.sent),
            ("received", c.received),
            ("retransmitted", c.retransmitted),
            ("malformed", c.malformed),
            ("ignored", c.ignored),
        ] {
            o.sample(
                "roomgate_h323_ras_messages_total",
                &[("kind", direction)],
                n,
            );
        }
        o.counter(
            "roomgate_h323_gatekeeper_registrations_total",
            "Full registrations confirmed (RCF), first and re-registrations.",
            c.registrations,
        );
        o.family(
            "roomgate_h323_admissions_total",
            "counter",
            "Calls the gatekeeper admitted (ACF) or refused (ARJ, no answer).",
        );
        o.sample(
            "roomgate_h323_admissions_total",
            &[("outcome", "admitted")],
            c.admitted,
        );
        o.sample(
            "roomgate_h323_admissions_total",
            &[("outcome", "refused")],
            c.refused,
        );
    }
    o.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::{CallStats, SrtpRuleStats};
    use crate::observe::SetupHistogram;
    use roomgate_media::relay::RelayStats;

    fn snapshot() -> Snapshot {
        let mut setup = SetupHistogram::default();
        for ms in [90, 400, 400, 3000, 90_000] {
            setup.observe(ms);
        }
        let mut relay = RelayStats {
            datagrams_in: 1000,
            rtp_forwarded: 990,
            played: 7,
            ..RelayStats::default()
        };
        relay.drops.srtp_auth = 3;
        Snapshot {
            calls: Vec::new(),
            stats: CallStats {
                started: 5,
                connected: 4,
                refused_pin: 1,
                srtp: SrtpRuleStats {
                    unusable: [0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0],
                    refused: 1,
                },
                ..CallStats::default()
            },
            setup,
            relay,
            workers: Some(roomgate_media::relay::workers::WorkerTotals {
                workers: 2,
                jobs_refused: 4,
                ..Default::default()
            }),
            overload_refused: crate::sip::overload::RefusedCounts {
                queue_delay: 6,
                calls_in_setup: 1,
                transactions: 8,
            },
            gatekeeper: Some(roomgate_h323::gatekeeper::Status {
                state: "registered",
                counters: roomgate_h323::gatekeeper::Counters {
                    admitted: 3,
                    ..Default::default()
                },
                ..Default::default()
            }),
        }
    }

    #[test]
    fn renders_counters_labels_and_a_cumulative_histogram() {
        let text = render(
            Some(&snapshot()),
            SecurityCounts {
                pin_failures: 9,
                meeting_locks: 1,
                source_blocks: 2,
                pin_refused: 4,
                srtp_refused: 0,
                ..SecurityCounts::default()
            },
        );
        for line in [
            "roomgate_core_up 1",
            "roomgate_calls_started_total 5",
            "roomgate_call_failures_total{cause=\"pin\"} 1",
            "roomgate_call_setup_seconds_bucket{le=\"0.1\"} 1",
            "roomgate_call_setup_seconds_bucket{le=\"0.5\"} 3",
            "roomgate_call_setup_seconds_bucket{le=\"60\"} 4",
            "roomgate_call_setup_seconds_bucket{le=\"+Inf\"} 5",
            "roomgate_call_setup_seconds_sum 93.89",
            "roomgate_call_setup_seconds_count 5",
            "roomgate_pin_failures_total 9",
            "roomgate_source_blocks_total 2",
            "roomgate_pin_refused_total 4",
            "roomgate_srtp_crypto_unusable_total{reason=\"mki\"} 2",
            "roomgate_srtp_crypto_unusable_total{reason=\"lifetime\"} 0",
            "roomgate_srtp_refused_total 1",
            "roomgate_media_drops_total{reason=\"srtp_auth\"} 3",
            "roomgate_media_played_total 7",
            "roomgate_overload_refused_total{reason=\"queue_delay\"} 6",
            "roomgate_overload_refused_total{reason=\"calls_in_setup\"} 1",
            "roomgate_overload_refused_total{reason=\"transactions\"} 8",
            "roomgate_media_workers 2",
            "roomgate_media_jobs_refused_total 4",
            "roomgate_h323_gatekeeper_registered 1",
            "roomgate_h323_admissions_total{outcome=\"admitted\"} 3",
            "# TYPE roomgate_call_setup_seconds histogram",
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line}:\n{text}");
        }
    }

    #[test]
    fn without_the_core_only_security_and_up() {
        let text = render(None, SecurityCounts::default());
        assert!(text.contains("roomgate_core_up 0\n"));
        assert!(text.contains("roomgate_pin_failures_total 0\n"));
        assert!(!text.contains("roomgate_calls_active"));
    }
}
