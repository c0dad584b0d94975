//! Load smoke test of the real binary: sipp calls a meeting at 20 calls/s for 15 s (1 s hold,
//! no media) whose upstream is a sipp UAS; every call must succeed. Afterwards file
//! descriptors, relay ports, transactions and tasks must be back at their baseline, and RSS
//! within 10 % of the warmed-up baseline. The rate search against sipp→sipp is
//! `scripts/load.sh` (not run in CI).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{free_port, ServeOptions, Server, Sipp};

/// The last gauges line the server logged, as (name, value) pairs.
fn gauges(server: &Server) -> Vec<(String, u64)> {
    let log = server.log();
    let line = log
        .lines()
        .rev()
        .find(|l| l.contains("gauges calls="))
        .expect("the server logs its gauges");
    let tail = &line[line.find("calls=").unwrap()..];
    tail.split_whitespace()
        .filter_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            Some((k.to_owned(), v.trim_matches('"').parse().ok()?))
        })
        .collect()
}

fn gauge(g: &[(String, u64)], name: &str) -> u64 {
    g.iter().find(|(k, _)| k == name).map(|(_, v)| *v).unwrap()
}

fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count()
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap()
        .parse()
        .unwrap()
}

/// Waits until the gauges show no call, no session and no transaction (timers run out).
fn wait_idle(server: &Server, limit: Duration) -> Vec<(String, u64)> {
    let deadline = Instant::now() + limit;
    loop {
        let g = gauges(server);
        if gauge(&g, "calls") == 0
            && gauge(&g, "relay_sessions") == 0
            && gauge(&g, "transactions") == 0
        {
            return g;
        }
        assert!(
            Instant::now() < deadline,
            "not idle after {limit:?}: {g:?}\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn run_calls(server: &Server, uas_port: u16, rate: u32, calls: u32) {
    let uas = Sipp::uas("load_uas.xml", uas_port)
        .args(&["-m", &calls.to_string()])
        .no_trace_msg()
        .spawn();
    let uac = Sipp::new("load_uac.xml", server.udp)
        .args(&[
            "-s",
            "5000",
            "-r",
            &rate.to_string(),
            "-m",
            &calls.to_string(),
            "-d",
            "1000",
            "-mp",
            &common::sipp_media_port().to_string(),
        ])
        .no_trace_msg()
        .run(Duration::from_secs(60));
    let uas = uas.wait(Duration::from_secs(60));
    assert_eq!(
        uac.cumulative("Successful call"),
        Some(u64::from(calls)),
        "{}",
        uac.report()
    );
    assert_eq!(uac.cumulative("Failed call"), Some(0), "{}", uac.report());
    uac.assert_success();
    uas.assert_success();
}

#[test]
fn twenty_calls_per_second_for_fifteen_seconds_and_resources_return() {
    let server = Server::start_with(ServeOptions {
        sip: "t1_ms = 100\ntimer_d_ms = 500".into(),
        extra: "[gateway]\nmax_calls = 100\n".into(),
        media_pairs: Some(200),
        ..ServeOptions::default()
    });
    let uas_port = free_port();
    let added = Command::new(env!("CARGO_BIN_EXE_roomgate"))
        .args(["meeting", "add", "5000", "--upstream"])
        .arg(format!("sip:load@127.0.0.1:{uas_port}"))
        .args(["--srtp", "off", "--data-dir"])
        .arg(server.dir.join("roomgate-data"))
        .output()
        .unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let pid = server.process.id();
    // Warm up with the same run as the one measured (allocators, connection tables,
    // codec-free relay paths), then the baseline. The allocator (mimalloc) keeps pages from
    // the run's peak, which depends on how the cores were shared: a 40-call warm-up left
    // the baseline below the steady state (+13 % after 300 calls once in CI, +1 to +7 %
    // alone), while a leak still grows from one run to the next.
    run_calls(&server, uas_port, 20, 300);
    let base = wait_idle(&server, Duration::from_secs(30));
    let (base_fds, base_rss) = (open_fds(pid), rss_kib(pid));

    run_calls(&server, uas_port, 20, 300);

    let after = wait_idle(&server, Duration::from_secs(30));
    for name in ["free_port_pairs", "connections", "tasks"] {
        assert_eq!(
            gauge(&after, name),
            gauge(&base, name),
            "{name} back to baseline: {base:?} → {after:?}"
        );
    }
    assert_eq!(open_fds(pid), base_fds, "file descriptors back to baseline");
    let rss = rss_kib(pid);
    assert!(
        rss * 10 <= base_rss * 11,
        "RSS within 10 % of the warmed-up baseline: {base_rss} KiB → {rss} KiB"
    );
    eprintln!("load smoke: 300 calls at 20/s; fds {base_fds}, RSS {base_rss} → {rss} KiB, gauges {after:?}");
}
