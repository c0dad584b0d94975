//! `roomgate h323-load`: a small H.323 call generator, so the H.323 call-setup rate can be
//! measured like the SIP one (`scripts/load.sh`): calls at a fixed rate to a meeting, each a
//! fastStart Setup with tunnelled H.245 on its own TCP connection, held, then released.
//! Reports how many connected, were released and timed out, with set-up time percentiles.
//! No media is sent (the SIP load caller sends none either).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use roomgate_core::media_spec::Codec;
use roomgate_h323::call::{CallConfig, CallEvent, Dial};
use roomgate_h323::endpoint::{Event, H323Call, Transmit};
use roomgate_h323::h245::session::SessionConfig;
use roomgate_h323::ras::AliasAddress;
use roomgate_h323::tpkt::TpktDecoder;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::call::h323_leg::media_map;

/// Most calls in progress at once (each holds a connection); past it a call due to start is
/// counted as not placed rather than queued, so the offered rate stays honest.
pub const MAX_IN_FLIGHT: u64 = 20_000;

/// What to run.
#[derive(Debug, Clone)]
pub struct LoadPlan {
    pub to: SocketAddr,
    pub meeting: String,
    pub rate: u32,
    pub seconds: u32,
    pub hold: Duration,
    /// How long a call may take to connect.
    pub timeout: Duration,
}

/// How the calls ended.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LoadReport {
    pub offered: u64,
    pub connected: u64,
    /// Released by the gateway before Connect (any cause), or the connection failed.
    pub failed: u64,
    pub timed_out: u64,
    /// Not placed: more than [`MAX_IN_FLIGHT`] calls in progress.
    pub not_placed: u64,
    /// Setup → Connect, milliseconds: median, 99th percentile, worst.
    pub setup_ms: (u64, u64, u64),
}

impl std::fmt::Display for LoadReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "offered={} connected={} failed={} timed_out={} not_placed={} setup_ms_p50={} p99={} max={}",
            self.offered,
            self.connected,
            self.failed,
            self.timed_out,
            self.not_placed,
            self.setup_ms.0,
            self.setup_ms.1,
            self.setup_ms.2
        )
    }
}

enum Outcome {
    Connected(Duration),
    Failed,
    TimedOut,
}

/// One call: Setup, wait for Connect, hold, release.
async fn one_call(plan: &LoadPlan, n: u64) -> Outcome {
    let started = Instant::now();
    let Ok(Ok(mut stream)) = tokio::time::timeout(plan.timeout, TcpStream::connect(plan.to)).await
    else {
        return Outcome::Failed;
    };
    let _ = stream.set_nodelay(true);
    let mut id = [0u8; 16];
    id[..8].copy_from_slice(&n.to_be_bytes());
    id[8..].copy_from_slice(&(std::process::id() as u64).to_be_bytes());
    let pcmu = Codec::new("PCMU", 8000, 1, 0);
    let dial = Dial {
        call_reference: u16::try_from(n % 0x7fff).unwrap_or(0) + 1,
        call_identifier: id,
        conference_id: id,
        destination: vec![AliasAddress::DialedDigits(plan.meeting.clone())],
        called_number: Some(plan.meeting.clone()),
        source: vec![AliasAddress::H323Id("roomgate-load".into())],
        fast_start: media_map::propose(
            std::slice::from_ref(&pcmu),
            // Discard port: the relay's packets for a call with no media go nowhere useful.
            SocketAddr::from(([127, 0, 0, 1], 9)),
            SocketAddr::from(([127, 0, 0, 1], 9)),
            1,
        ),
        ..Dial::default()
    };
    let Ok(mut call) = H323Call::outgoing(
        started,
        CallConfig::default(),
        SessionConfig::default(),
        &dial,
    ) else {
        return Outcome::Failed;
    };
    if let Ok(caps) = media_map::capabilities(std::slice::from_ref(&pcmu)) {
        call.start_h245(started, caps, (n as u32) & 0x00ff_ffff);
    }
    let mut decoder = TpktDecoder::default();
    let mut buf = vec![0u8; 4096];
    let deadline = started + plan.timeout;
    let mut connected_after = None;
    loop {
        let now = Instant::now();
        call.handle_timeout(now);
        call.pump(now);
        while let Some(t) = call.poll_transmit() {
            if let Transmit::Signalling(p) = t {
                if stream.write_all(&p).await.is_err() {
                    return Outcome::Failed;
                }
            }
        }
        while let Some(e) = call.poll_event() {
            match e {
                Event::Call(CallEvent::Connected) => connected_after = Some(started.elapsed()),
                Event::Call(CallEvent::Released { .. }) if connected_after.is_none() => {
                    return Outcome::Failed;
                }
                _ => {}
            }
        }
        if let Some(took) = connected_after {
            tokio::time::sleep(plan.hold).await;
            call.call().release(16);
            call.pump(Instant::now());
            while let Some(t) = call.poll_transmit() {
                if let Transmit::Signalling(p) = t {
                    let _ = stream.write_all(&p).await;
                }
            }
            let _ = stream.shutdown().await;
            return Outcome::Connected(took);
        }
        if now >= deadline {
            return Outcome::TimedOut;
        }
        let wait = deadline.saturating_duration_since(now);
        match tokio::time::timeout(wait, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Outcome::Failed,
            Ok(Ok(n)) => {
                decoder.push(buf.get(..n).unwrap_or_default());
                loop {
                    match decoder.next_payload() {
                        Ok(Some(p)) => call.handle_signalling(Instant::now(), &p),
                        Ok(None) => break,
                        Err(_) => return Outcome::Failed,
                    }
                }
            }
            Err(_) => return Outcome::TimedOut,
        }
    }
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted.get(i).copied().unwrap_or(0)
}

/// Runs `plan` and reports how the calls ended.
pub async fn run(plan: LoadPlan) -> LoadReport {
    let plan = Arc::new(plan);
    let in_flight = Arc::new(AtomicU64::new(0));
    let report = Arc::new(Mutex::new((LoadReport::default(), Vec::<u64>::new())));
    let total = u64::from(plan.rate) * u64::from(plan.seconds);
    let interval = Duration::from_secs(1) / plan.rate.max(1);
    let start = tokio::time::Instant::now();
    let mut tasks = Vec::new();
    for n in 0..total {
        tokio::time::sleep_until(start + interval * u32::try_from(n).unwrap_or(u32::MAX)).await;
        let mut r = report.lock().unwrap_or_else(|e| e.into_inner());
        r.0.offered += 1;
        if in_flight.load(Ordering::Relaxed) >= MAX_IN_FLIGHT {
            r.0.not_placed += 1;
            continue;
        }
        drop(r);
        in_flight.fetch_add(1, Ordering::Relaxed);
        let (plan, in_flight, report) = (plan.clone(), in_flight.clone(), report.clone());
        tasks.push(tokio::spawn(async move {
            let outcome = one_call(&plan, n).await;
            in_flight.fetch_sub(1, Ordering::Relaxed);
            let mut r = report.lock().unwrap_or_else(|e| e.into_inner());
            match outcome {
                Outcome::Connected(took) => {
                    r.0.connected += 1;
                    r.1.push(u64::try_from(took.as_millis()).unwrap_or(u64::MAX));
                }
                Outcome::Failed => r.0.failed += 1,
                Outcome::TimedOut => r.0.timed_out += 1,
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let mut r = report.lock().unwrap_or_else(|e| e.into_inner());
    let mut times = std::mem::take(&mut r.1);
    times.sort_unstable();
    r.0.setup_ms = (
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times.last().copied().unwrap_or(0),
    );
    r.0.clone()
}
