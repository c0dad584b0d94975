//! `roomgate bench-relay`: a load tool for any relay that speaks rtpengine's ng protocol
//! (ours under `roomgate serve` with `[ng] listen`, or rtpengine itself), so the two can be
//! compared by the same generator in the same run.
//!
//! The tool is the proxy and both endpoints of every call: it sets the calls up by ng
//! offer/answer ([`calls`]), sends both directions of each at a fixed packet rate
//! ([`traffic`]), verifies every payload after decryption, and reports offered and delivered
//! rates, loss, latency percentiles and the relay's CPU time ([`report`]). A sweep finds the
//! highest number of calls whose step passes (p99 under [`SWEEP_P99`], loss under
//! [`SWEEP_LOSS_PCT`]) and shows the step above it. Every call is deleted at the end, whatever
//! happened, so the relay's ports go back.

pub mod calls;
pub mod ng;
pub mod report;
pub mod traffic;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use roomgate_media::srtp::SrtpContext;
use serde::Serialize;

pub use report::Report;
use report::{cpu_seconds, Histogram, Latency};
use traffic::{Pace, Receiver, Sender};

/// Most calls in one run or sweep step: each holds four descriptors of ours (two endpoint
/// sockets, each also held by the sender thread) and two port pairs of the relay's.
pub const MAX_CALLS: u32 = 4000;

/// Longest run.
pub const MAX_SECONDS: u32 = 600;

/// Highest packet rate per stream.
pub const MAX_PPS_PER_STREAM: u32 = 1000;

/// Most packets one run sends (calls × seconds × packets/s per stream, per direction): the
/// receivers keep one bit per packet, so this bounds them to 125 MB.
pub const MAX_PACKETS_PER_DIRECTION: u64 = 500_000_000;

/// Payload sizes: room for our header, and below any path MTU with SRTP added.
pub const MIN_PAYLOAD: usize = traffic::HEADER_LEN;
pub const MAX_PAYLOAD: usize = 1200;

/// How long the receivers keep listening after the last packet was sent.
pub const DRAIN: Duration = Duration::from_millis(500);

/// A sweep step passes with its p99 latency under this…
pub const SWEEP_P99: Duration = Duration::from_millis(10);
/// …and under this loss (percent of packets sent), with nothing corrupted.
pub const SWEEP_LOSS_PCT: f64 = 0.1;
/// A step whose generator failed to place more than this share (percent) of its packets says
/// nothing about the relay: it does not pass.
pub const SWEEP_NOT_PLACED_PCT: f64 = 0.1;
/// Most steps in a sweep.
pub const MAX_SWEEP_STEPS: usize = 14;

/// What the streams carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// RTP/AVP on both sides.
    Plain,
    /// SDES-SRTP re-encrypted by the relay: AES_CM_128_HMAC_SHA1_80 on A's side,
    /// AES_256_CM_HMAC_SHA1_80 on B's.
    Srtp,
    /// SDES-SRTP with AEAD: AEAD_AES_128_GCM on A's side, AEAD_AES_256_GCM on B's.
    Gcm,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Plain => "plain",
            Mode::Srtp => "srtp",
            Mode::Gcm => "gcm",
        }
    }
}

/// What to run.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The relay's ng socket.
    pub ng: SocketAddr,
    /// Calls (the first step's, in a sweep).
    pub calls: u32,
    pub seconds: u32,
    pub pps_per_stream: u32,
    pub payload: usize,
    pub mode: Mode,
    /// Both endpoints offer and answer rtcp-mux (RFC 5761): RTCP on the RTP port.
    pub rtcp_mux: bool,
    /// The relay's process, for its CPU time; found from the ng port when `None`.
    pub relay_pid: Option<u32>,
}

/// Why a run could not be made (what it measured is in [`Report`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BenchError {
    #[error("{0}")]
    Plan(String),
    #[error("socket: {0}")]
    Io(#[source] std::io::Error),
    #[error("ng {0}: no answer from the relay")]
    NgTimeout(String),
    #[error("ng answer unusable: {0}")]
    NgAnswer(String),
    #[error("ng {command} refused: {result} {reason}")]
    NgRefused {
        command: String,
        result: String,
        reason: String,
    },
    #[error("call {call}: relay's SDP: {what}")]
    RelaySdp { call: String, what: String },
    #[error("SRTP context: {0}")]
    Srtp(String),
    #[error("internal: {0}")]
    Internal(&'static str),
}

impl Plan {
    fn check(&self) -> Result<(), BenchError> {
        let bad = |m: String| Err(BenchError::Plan(m));
        if self.calls == 0 || self.calls > MAX_CALLS {
            return bad(format!("--calls must be 1..={MAX_CALLS}"));
        }
        if self.seconds == 0 || self.seconds > MAX_SECONDS {
            return bad(format!("--seconds must be 1..={MAX_SECONDS}"));
        }
        if self.pps_per_stream == 0 || self.pps_per_stream > MAX_PPS_PER_STREAM {
            return bad(format!("--pps-per-stream must be 1..={MAX_PPS_PER_STREAM}"));
        }
        let packets =
            u64::from(self.calls) * u64::from(self.seconds) * u64::from(self.pps_per_stream);
        if packets > MAX_PACKETS_PER_DIRECTION {
            return bad(format!(
                "--calls x --seconds x --pps-per-stream must be at most {MAX_PACKETS_PER_DIRECTION}"
            ));
        }
        if !(MIN_PAYLOAD..=MAX_PAYLOAD).contains(&self.payload) {
            return bad(format!("--payload must be {MIN_PAYLOAD}..={MAX_PAYLOAD}"));
        }
        Ok(())
    }
}

/// A distinct prefix per run, so calls of an earlier, interrupted run never collide.
fn run_tag() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("rgbench-{}-{nanos:x}", std::process::id())
}

fn context(p: &roomgate_media::srtp::Policy) -> Result<SrtpContext, BenchError> {
    SrtpContext::new(p).map_err(|e| BenchError::Srtp(e.to_string()))
}

/// One run: sets up `plan.calls` calls, sends for `plan.seconds`, deletes them.
pub fn run(plan: &Plan) -> Result<Report, BenchError> {
    plan.check()?;
    let mut ng = ng::NgClient::new(plan.ng)?;
    let relay_pid = plan.relay_pid.or_else(|| report::pid_of_udp(plan.ng));
    let rss_before = relay_pid.and_then(report::rss_kib);
    let fds_before = relay_pid.and_then(report::fd_count);
    let tag = run_tag();
    let mut set_up = Vec::with_capacity(plan.calls as usize);
    let mut ids = Vec::with_capacity(plan.calls as usize);
    let mut failure = None;
    for i in 0..plan.calls {
        let id = format!("{tag}-{i}");
        ids.push(id.clone());
        match calls::set_up(&mut ng, plan.ng, id, plan.mode, plan.rtcp_mux) {
            Ok(c) => set_up.push(c),
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    let fds = relay_pid.and_then(report::fd_count);
    let result = match failure {
        Some(e) => Err(e),
        None => traffic_phase(plan, set_up, relay_pid),
    };
    // Whatever happened, the relay's calls go.
    let deleted = ids.iter().filter(|id| calls::delete(&mut ng, id)).count();
    let still_listed = calls::still_listed(&mut ng, &ids);
    let mut report = result?;
    report.relay_rss_before_kib = rss_before;
    report.relay_fds_before = fds_before;
    report.relay_fds = fds;
    if let (Some(before), Some(at)) = (rss_before, report.relay_rss_kib) {
        report.relay_rss_per_call_bytes =
            Some(at.saturating_sub(before) * 1024 / u64::from(report.calls.max(1)));
    }
    report.deleted = u32::try_from(deleted).unwrap_or(u32::MAX);
    report.still_listed = still_listed;
    tracing::info!(%report, "bench-relay run");
    Ok(report)
}

fn traffic_phase(
    plan: &Plan,
    set_up: Vec<calls::Call>,
    relay_pid: Option<u32>,
) -> Result<Report, BenchError> {
    let packets = plan
        .seconds
        .checked_mul(plan.pps_per_stream)
        .ok_or(BenchError::Internal("packet count"))?;
    let latency = Arc::new(Mutex::new(Histogram::default()));
    let mut senders = Vec::with_capacity(set_up.len() * 2);
    let mut receivers = Vec::with_capacity(set_up.len() * 2);
    for (i, c) in set_up.into_iter().enumerate() {
        let (ab, ba) = (2 * i as u32, 2 * i as u32 + 1);
        let (a_tx, a_rx, b_tx, b_rx) = match &c.keys {
            Some(k) => (
                Some(context(&k.a_send)?),
                Some(context(&k.a_recv)?),
                Some(context(&k.b_send)?),
                Some(context(&k.b_recv)?),
            ),
            None => (None, None, None, None),
        };
        for (stream, socket, to, srtp) in [(ab, &c.a, c.a_to, a_tx), (ba, &c.b, c.b_to, b_tx)] {
            senders.push(Sender {
                stream,
                socket: socket.try_clone().map_err(BenchError::Io)?,
                to,
                srtp,
                sent: 0,
                not_placed: 0,
                send_errors: 0,
            });
        }
        // A hears B's stream, B hears A's.
        for (stream, socket, srtp) in [(ba, c.a, a_rx), (ab, c.b, b_rx)] {
            socket.set_nonblocking(true).map_err(BenchError::Io)?;
            let rx = Receiver::new(stream, srtp, plan.payload, packets, latency.clone());
            receivers.push((socket, rx));
        }
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(BenchError::Io)?;
    let cpu_pid = relay_pid.filter(|p| cpu_seconds(*p).is_some());
    let (senders, receivers, elapsed, cpu, rss) = runtime.block_on(async {
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let epoch = Instant::now() + Duration::from_millis(50);
        let mut tasks = Vec::with_capacity(receivers.len());
        for (socket, rx) in receivers {
            let socket = tokio::net::UdpSocket::from_std(socket).map_err(BenchError::Io)?;
            tasks.push(tokio::spawn(traffic::receive(
                socket,
                rx,
                epoch,
                stop_rx.clone(),
            )));
        }
        let cpu_before = cpu_pid.and_then(report::cpu_times);
        let pace = Pace {
            pps: plan.pps_per_stream,
            payload: plan.payload,
            packets_per_stream: packets,
            epoch,
        };
        let sender = std::thread::Builder::new()
            .name("bench-relay-send".into())
            .spawn(move || traffic::send_all(senders, pace))
            .map_err(BenchError::Io)?;
        while !sender.is_finished() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let elapsed = epoch.elapsed();
        // Every call set up and carrying media: the relay's memory at its fullest.
        let rss = relay_pid.and_then(report::rss_kib);
        let senders = sender
            .join()
            .map_err(|_| BenchError::Internal("sender thread panicked"))?;
        tokio::time::sleep(DRAIN).await;
        let cpu_after = cpu_pid.and_then(report::cpu_times);
        let _ = stop_tx.send(true);
        let mut receivers = Vec::with_capacity(tasks.len());
        for t in tasks {
            receivers.push(
                t.await
                    .map_err(|_| BenchError::Internal("receiver task failed"))?,
            );
        }
        let cpu = cpu_before
            .zip(cpu_after)
            .map(|(b, a)| ((a.0 - b.0).max(0.0), (a.1 - b.1).max(0.0)));
        Ok::<_, BenchError>((senders, receivers, elapsed, cpu, rss))
    })?;
    let mut r = Report {
        mode: plan.mode.name().into(),
        calls: u32::try_from(senders.len() / 2).unwrap_or(u32::MAX),
        streams: u32::try_from(senders.len()).unwrap_or(u32::MAX),
        seconds: elapsed.as_secs_f64(),
        pps_per_stream: plan.pps_per_stream,
        payload: plan.payload,
        relay_pid: cpu_pid,
        relay_cpu_s: cpu.map(|(user, system)| user + system),
        relay_sys_s: cpu.map(|(_, system)| system),
        relay_rss_kib: rss,
        ..Report::default()
    };
    for s in &senders {
        r.sent += s.sent;
        r.not_placed += s.not_placed;
        r.send_errors += s.send_errors;
    }
    r.offered = r.sent + r.not_placed + r.send_errors;
    for x in &receivers {
        r.delivered += x.unique;
        r.duplicates += x.duplicates;
        r.corrupted += x.corrupted;
        r.undecryptable += x.undecryptable;
        r.rtcp += x.rtcp;
    }
    r.lost = r.sent.saturating_sub(r.delivered);
    let secs = elapsed.as_secs_f64().max(1e-3);
    r.offered_pps = r.offered as f64 / secs;
    r.delivered_pps = r.delivered as f64 / secs;
    r.loss_pct = if r.sent == 0 {
        0.0
    } else {
        100.0 * r.lost as f64 / r.sent as f64
    };
    if let Ok(h) = latency.lock() {
        r.latency = Latency::of(&h);
    }
    r.pkts_per_relay_cpu_s = r
        .relay_cpu_s
        .filter(|c| *c > 0.0)
        .map(|c| r.delivered as f64 / c);
    r.pkts_per_relay_sys_s = r
        .relay_sys_s
        .filter(|c| *c > 0.0)
        .map(|c| r.delivered as f64 / c);
    Ok(r)
}

/// Whether a sweep step passes, and if not, why.
pub fn verdict(r: &Report) -> Result<(), String> {
    if r.corrupted > 0 || r.undecryptable > 0 {
        return Err(format!(
            "{} corrupted, {} undecryptable",
            r.corrupted, r.undecryptable
        ));
    }
    let not_placed_pct = 100.0 * r.not_placed as f64 / (r.offered.max(1) as f64);
    if not_placed_pct > SWEEP_NOT_PLACED_PCT {
        return Err(format!(
            "generator-limited: {not_placed_pct:.2}% not placed"
        ));
    }
    if r.loss_pct >= SWEEP_LOSS_PCT {
        return Err(format!("loss {:.3}%", r.loss_pct));
    }
    if r.latency.p99_us >= SWEEP_P99.as_micros() as u64 {
        return Err(format!("p99 {} us", r.latency.p99_us));
    }
    Ok(())
}

/// One step of a sweep.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub report: Report,
    pub pass: bool,
    /// Why it failed.
    pub reason: Option<String>,
}

/// A sweep: every step in the order run, the best passing one and the failing one just above.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Sweep {
    pub steps: Vec<Step>,
    /// Index in `steps` of the passing step with the most calls.
    pub best: Option<usize>,
    /// Index in `steps` of the failing step with the fewest calls above `best`.
    pub overload: Option<usize>,
    /// Why the sweep ended early: a step that could not be run, and its calls.
    pub stopped: Option<String>,
}

/// The number of calls to try next, or `None` when the bracket is narrow enough.
fn next_calls(start: u32, pass: Option<u32>, fail: Option<u32>) -> Option<u32> {
    match (pass, fail) {
        (None, None) => Some(start),
        (Some(p), None) => (p < MAX_CALLS).then(|| p.saturating_mul(2).min(MAX_CALLS)),
        (None, Some(f)) => (f > 1).then_some(f / 2),
        (Some(p), Some(f)) => (f - p > (p / 8).max(1)).then_some(p + (f - p) / 2),
    }
}

/// Doubles the calls from `plan.calls` until a step fails, then bisects between the best
/// passing and the first failing step (to within an eighth); each step is a full [`run`].
/// An error (a relay that stops answering) ends the sweep with what was measured so far.
pub fn sweep(plan: &Plan, mut on_step: impl FnMut(&Step)) -> Result<Sweep, BenchError> {
    plan.check()?;
    let mut out = Sweep::default();
    let (mut pass, mut fail): (Option<u32>, Option<u32>) = (None, None);
    while out.steps.len() < MAX_SWEEP_STEPS {
        let Some(calls) = next_calls(plan.calls, pass, fail) else {
            break;
        };
        let step_plan = Plan {
            calls,
            ..plan.clone()
        };
        let report = match run(&step_plan) {
            Ok(r) => r,
            Err(e) if out.steps.is_empty() => return Err(e),
            Err(e) => {
                tracing::warn!(error = %e, calls, "sweep step failed to run; stopping");
                out.stopped = Some(format!("{calls} calls: {e}"));
                break;
            }
        };
        let v = verdict(&report);
        let step = Step {
            report,
            pass: v.is_ok(),
            reason: v.err(),
        };
        on_step(&step);
        if step.pass {
            pass = Some(pass.map_or(calls, |p| p.max(calls)));
        } else {
            fail = Some(fail.map_or(calls, |f| f.min(calls)));
        }
        out.steps.push(step);
        // Let the relay release the step's ports before the next.
        std::thread::sleep(Duration::from_millis(500));
    }
    out.best = pass.and_then(|p| out.steps.iter().position(|s| s.pass && s.report.calls == p));
    out.overload = fail.and_then(|f| {
        out.steps
            .iter()
            .position(|s| !s.pass && s.report.calls == f)
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_out_of_bounds_are_refused_before_any_call() {
        let ok = Plan {
            ng: "127.0.0.1:9".parse().unwrap(),
            calls: 10,
            seconds: 2,
            pps_per_stream: 50,
            payload: 160,
            mode: Mode::Plain,
            rtcp_mux: false,
            relay_pid: None,
        };
        assert!(ok.check().is_ok());
        for bad in [
            Plan {
                calls: 0,
                ..ok.clone()
            },
            Plan {
                calls: MAX_CALLS + 1,
                ..ok.clone()
            },
            Plan {
                seconds: 0,
                ..ok.clone()
            },
            Plan {
                pps_per_stream: MAX_PPS_PER_STREAM + 1,
                ..ok.clone()
            },
            Plan {
                payload: MIN_PAYLOAD - 1,
                ..ok.clone()
            },
            Plan {
                payload: MAX_PAYLOAD + 1,
                ..ok.clone()
            },
            Plan {
                calls: MAX_CALLS,
                seconds: MAX_SECONDS,
                pps_per_stream: 500,
                ..ok.clone()
            },
        ] {
            assert!(matches!(bad.check(), Err(BenchError::Plan(_))), "{bad:?}");
        }
    }

    #[test]
    fn the_sweep_doubles_then_bisects_to_an_eighth() {
        assert_eq!(next_calls(50, None, None), Some(50));
        assert_eq!(next_calls(50, Some(50), None), Some(100));
        assert_eq!(next_calls(50, Some(3000), None), Some(MAX_CALLS));
        assert_eq!(next_calls(50, Some(MAX_CALLS), None), None);
        assert_eq!(next_calls(50, None, Some(50)), Some(25));
        assert_eq!(next_calls(50, None, Some(1)), None);
        assert_eq!(next_calls(50, Some(400), Some(800)), Some(600));
        assert_eq!(next_calls(50, Some(400), Some(450)), None);
    }

    #[test]
    fn a_step_fails_on_loss_latency_corruption_or_a_generator_that_fell_behind() {
        let good = Report {
            offered: 10_000,
            sent: 10_000,
            delivered: 9_995,
            lost: 5,
            loss_pct: 0.05,
            latency: Latency {
                p99_us: 900,
                ..Latency::default()
            },
            ..Report::default()
        };
        assert_eq!(verdict(&good), Ok(()));
        let lossy = Report {
            loss_pct: 0.2,
            ..good.clone()
        };
        assert!(verdict(&lossy).unwrap_err().contains("loss"));
        let slow = Report {
            latency: Latency {
                p99_us: 10_000,
                ..Latency::default()
            },
            ..good.clone()
        };
        assert!(verdict(&slow).unwrap_err().contains("p99"));
        let bad = Report {
            corrupted: 1,
            ..good.clone()
        };
        assert!(verdict(&bad).unwrap_err().contains("corrupted"));
        let behind = Report {
            not_placed: 100,
            ..good
        };
        assert!(verdict(&behind).unwrap_err().contains("generator"));
    }
}
