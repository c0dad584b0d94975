//! The Redis backend against a real `redis-server`: wrong-PIN budgets shared by two gateway
//! "nodes" (two guards, two connections) with concurrent attempts, a restart, clears reaching
//! both nodes' 403 checks, Redis dying and coming back; meetings in Redis; the CLI.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "common/redis.rs"]
mod redis_server;

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use redis_server::RedisServer;
use roomgate::call::Directory;
use roomgate::lockout::{
    unix_seconds, Guard, GuardError, LockoutConfig, RedisGuard, SecuritySink, Subject, Ticket,
    Verdict,
};
use roomgate::store::{Meeting, RedisMeetings, Upstream, UpstreamCredentials};

/// Refresh interval of the test nodes' blocked-source views.
const REFRESH: Duration = Duration::from_millis(100);

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn now() -> u64 {
    unix_seconds(SystemTime::now())
}

/// Each attempt from a different source, so only the meeting budget is in play.
fn spread(n: u32) -> IpAddr {
    ip(&format!("198.51.100.{}", n % 250))
}

/// A security-event file in a fresh temp directory.
fn events_file(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "roomgate-lockout-redis-{tag}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("security.log")
}

fn events(path: &PathBuf) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A gateway node's guard on `redis`, events to `sink`.
fn node(redis: &RedisServer, config: &LockoutConfig, sink: &Arc<SecuritySink>) -> Arc<Guard> {
    Arc::new(Guard::Redis(
        RedisGuard::open(
            config.clone(),
            &redis.url(),
            "roomgate:",
            Some(REFRESH),
            sink.clone(),
        )
        .unwrap(),
    ))
}

/// Reserves `attempts` concurrently, alternating between the nodes, all before any settles.
async fn reserve_all(
    nodes: &[Arc<Guard>; 2],
    attempts: Vec<(String, IpAddr)>,
    now: u64,
) -> (Vec<Ticket>, Vec<Verdict>) {
    let mut set = tokio::task::JoinSet::new();
    for (n, (meeting, source)) in attempts.into_iter().enumerate() {
        let g = nodes[n % 2].clone();
        set.spawn(async move { g.reserve(now, &meeting, source).await.unwrap() });
    }
    let (mut held, mut refused) = (Vec::new(), Vec::new());
    while let Some(r) = set.join_next().await {
        match r.unwrap() {
            Ok(t) => held.push(t),
            Err(v) => refused.push(v),
        }
    }
    (held, refused)
}

/// Settles every ticket as a wrong PIN, concurrently, alternating between the nodes (any
/// node may settle any node's ticket: the state is in Redis).
async fn fail_all(nodes: &[Arc<Guard>; 2], held: Vec<Ticket>, now: u64) {
    let mut set = tokio::task::JoinSet::new();
    for (n, t) in held.into_iter().enumerate() {
        let g = nodes[(n + 1) % 2].clone();
        set.spawn(async move { g.settle(now, t, false).await.unwrap() });
    }
    while let Some(r) = set.join_next().await {
        r.unwrap();
    }
}

/// Waits (bounded) until `f` holds.
async fn eventually(what: &str, limit: Duration, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !f() {
        assert!(Instant::now() < deadline, "not within {limit:?}: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meeting_budget_is_shared_and_atomic_across_nodes() {
    let redis = RedisServer::start();
    let path = events_file("meeting");
    let sink = Arc::new(SecuritySink::to_file(&path).unwrap());
    let config = LockoutConfig::default();
    let nodes = [node(&redis, &config, &sink), node(&redis, &config, &sink)];
    let now = now();
    let attempts = (0..100).map(|n| ("1000".to_owned(), spread(n))).collect();
    let (held, refused) = reserve_all(&nodes, attempts, now).await;
    // meeting_failures = 20: the 21st failure locks, so 21 attempts may be verified at once.
    assert_eq!(held.len(), 21);
    assert_eq!(refused.len(), 79);
    assert!(
        refused.iter().all(|v| *v == Verdict::InFlight),
        "{refused:?}"
    );
    fail_all(&nodes, held, now).await;
    let until = now + 900;
    for g in &nodes {
        assert_eq!(
            g.reserve(now + 1, "1000", ip("203.0.113.1"))
                .await
                .unwrap()
                .unwrap_err(),
            Verdict::MeetingLocked { until }
        );
        // Other meetings are untouched.
        let t = g
            .reserve(now + 1, "1001", ip("203.0.113.1"))
            .await
            .unwrap()
            .unwrap();
        g.settle(now + 1, t, true).await.unwrap();
        assert!(g.healthy());
    }
    // Exactly the local guard's events: failures 1..=21 (each counted once, in Redis order),
    // then one lock.
    let ev = events(&path);
    let mut attempts: Vec<u64> = ev
        .iter()
        .filter(|e| e["event"] == "pin_failure")
        .map(|e| e["attempt"].as_u64().unwrap())
        .collect();
    attempts.sort_unstable();
    assert_eq!(attempts, (1..=21).collect::<Vec<u64>>());
    let locks: Vec<_> = ev
        .iter()
        .filter(|e| e["event"] == "meeting_locked")
        .collect();
    assert_eq!(locks.len(), 1);
    assert_eq!(locks[0]["until"], until);
    assert_eq!(locks[0]["meeting"], "1000");
    assert_eq!(
        nodes[0].list(now + 1).await.unwrap(),
        vec![roomgate::lockout::Lockout {
            subject: Subject::Meeting("1000".into()),
            until
        }]
    );
    // The lock ends when it says.
    let t = nodes[1]
        .reserve(until, "1000", ip("203.0.113.1"))
        .await
        .unwrap()
        .unwrap();
    nodes[1].settle(until, t, true).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn source_budget_is_shared_and_reaches_both_nodes_403_checks() {
    let redis = RedisServer::start();
    let path = events_file("source");
    let sink = Arc::new(SecuritySink::to_file(&path).unwrap());
    let config = LockoutConfig::default();
    let nodes = [node(&redis, &config, &sink), node(&redis, &config, &sink)];
    let now = now();
    let src = ip("192.0.2.7");
    let attempts = (0..50).map(|n| (format!("m{n}"), src)).collect();
    let (held, refused) = reserve_all(&nodes, attempts, now).await;
    assert_eq!(held.len(), 10);
    assert!(refused.iter().all(|v| *v == Verdict::InFlight));
    fail_all(&nodes, held, now).await;
    let until = now + 1800;
    for g in &nodes {
        assert_eq!(
            g.reserve(now, "x", src).await.unwrap().unwrap_err(),
            Verdict::SourceBlocked { until }
        );
    }
    // Both nodes' synchronous view (the INVITE 403 check) follows within the refresh.
    for g in &nodes {
        eventually("source blocked on both nodes", 10 * REFRESH, || {
            g.source_blocked(now, src) == Some(until)
        })
        .await;
        assert_eq!(g.source_blocked(now, ip("192.0.2.8")), None);
        assert_eq!(g.source_blocked(until, src), None);
    }
    let ev = events(&path);
    let blocks: Vec<_> = ev
        .iter()
        .filter(|e| e["event"] == "source_blocked")
        .collect();
    assert_eq!(blocks.len(), 1);
    assert_eq!(blocks[0]["key"], "192.0.2.7");
    assert_eq!(blocks[0]["source"], "192.0.2.7");
    assert_eq!(blocks[0]["until"], until);
    // Never a PIN in the events.
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.to_ascii_lowercase().contains("\"pin\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ipv6_sources_count_per_64_and_trusted_sources_only_skip_the_source_budget() {
    let redis = RedisServer::start();
    let sink = Arc::new(SecuritySink::default());
    let config = LockoutConfig {
        trusted_sources: vec![ip("192.0.2.1")],
        ..LockoutConfig::default()
    };
    let nodes = [node(&redis, &config, &sink), node(&redis, &config, &sink)];
    let now = now();
    // Ten addresses of one /64, alternating nodes.
    for n in 0..10u32 {
        let g = &nodes[n as usize % 2];
        let t = g
            .reserve(
                now,
                &format!("v{n}"),
                ip(&format!("2001:db8:1:2::{:x}", n + 1)),
            )
            .await
            .unwrap()
            .unwrap();
        g.settle(now, t, false).await.unwrap();
    }
    assert!(matches!(
        nodes[0]
            .reserve(now, "m", ip("2001:db8:1:2:ffff::1"))
            .await
            .unwrap(),
        Err(Verdict::SourceBlocked { .. })
    ));
    let t = nodes[1]
        .reserve(now, "m", ip("2001:db8:1:3::1"))
        .await
        .unwrap()
        .unwrap();
    nodes[1].settle(now, t, true).await.unwrap();
    assert_eq!(
        nodes[1]
            .list(now)
            .await
            .unwrap()
            .first()
            .map(|l| l.subject.clone()),
        Some(Subject::Source("2001:db8:1:2::/64".into()))
    );
    // A trusted trunk: 15 wrong PINs across meetings never block it (nor its mapped form).
    for n in 0..15u32 {
        let g = &nodes[n as usize % 2];
        let t = g
            .reserve(now, &format!("t{n}"), ip("192.0.2.1"))
            .await
            .unwrap()
            .unwrap();
        g.settle(now, t, false).await.unwrap();
    }
    for g in &nodes {
        g.settle(
            now,
            g.reserve(now, "t", ip("::ffff:192.0.2.1"))
                .await
                .unwrap()
                .unwrap(),
            true,
        )
        .await
        .unwrap();
        assert_eq!(g.source_blocked(now, ip("192.0.2.1")), None);
    }
    // ...but the meeting budget applies to its callers.
    for n in 0..21u32 {
        let g = &nodes[n as usize % 2];
        let t = g
            .reserve(now, "1000", ip("192.0.2.1"))
            .await
            .unwrap()
            .unwrap();
        g.settle(now, t, false).await.unwrap();
    }
    assert!(matches!(
        nodes[0]
            .reserve(now, "1000", ip("192.0.2.1"))
            .await
            .unwrap(),
        Err(Verdict::MeetingLocked { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_node_sees_the_locks_and_clear_reaches_every_node() {
    let redis = RedisServer::start();
    let sink = Arc::new(SecuritySink::default());
    let config = LockoutConfig::default();
    let nodes = [node(&redis, &config, &sink), node(&redis, &config, &sink)];
    let now = now();
    let src = ip("192.0.2.7");
    for n in 0..21 {
        let t = nodes[n as usize % 2]
            .reserve(now, "1000", spread(n))
            .await
            .unwrap()
            .unwrap();
        nodes[0].settle(now, t, false).await.unwrap();
    }
    for n in 0..10 {
        let t = nodes[1]
            .reserve(now, &format!("m{n}"), src)
            .await
            .unwrap()
            .unwrap();
        nodes[1].settle(now, t, false).await.unwrap();
    }
    // A node that starts now (or a restarted one) sees both at once in its reserve, and in
    // its 403 check after its first refresh.
    let fresh = node(&redis, &config, &sink);
    assert_eq!(
        fresh
            .reserve(now + 5, "1000", ip("203.0.113.9"))
            .await
            .unwrap()
            .unwrap_err(),
        Verdict::MeetingLocked { until: now + 900 }
    );
    eventually("fresh node sees the block", 10 * REFRESH, || {
        fresh.source_blocked(now + 5, src) == Some(now + 1800)
    })
    .await;
    let all = [nodes[0].clone(), nodes[1].clone(), fresh.clone()];
    for g in &all {
        eventually("every node sees the block", 10 * REFRESH, || {
            g.source_blocked(now + 5, src).is_some()
        })
        .await;
    }
    assert_eq!(fresh.list(now + 5).await.unwrap().len(), 2);
    // Clear on the fresh node: every node's reserve at once, every 403 check within the
    // refresh interval.
    assert!(fresh
        .clear(now + 5, &Subject::Meeting("1000".into()))
        .await
        .unwrap());
    assert!(fresh
        .clear(now + 5, &Subject::Source("192.0.2.7".into()))
        .await
        .unwrap());
    assert!(!fresh
        .clear(now + 5, &Subject::Source("192.0.2.7".into()))
        .await
        .unwrap());
    for g in &all {
        let t = g.reserve(now + 5, "1000", src).await.unwrap().unwrap();
        g.settle(now + 5, t, true).await.unwrap();
        eventually("block lifted on every node", 10 * REFRESH, || {
            g.source_blocked(now + 5, src).is_none()
        })
        .await;
    }
    assert!(fresh.list(now + 5).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_down_fails_closed_quickly_and_recovers() {
    let mut redis = RedisServer::start();
    let sink = Arc::new(SecuritySink::default());
    let g = node(&redis, &LockoutConfig::default(), &sink);
    let now = now();
    let ticket = g
        .reserve(now, "1000", ip("192.0.2.7"))
        .await
        .unwrap()
        .unwrap();
    assert!(g.healthy());
    redis.kill();
    let start = Instant::now();
    let r = g.reserve(now, "1000", ip("192.0.2.8")).await;
    assert!(matches!(r, Err(GuardError::Unavailable(_))), "{r:?}");
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    assert!(!g.healthy());
    let start = Instant::now();
    let r = g.settle(now, ticket, false).await;
    assert!(matches!(r, Err(GuardError::Unavailable(_))), "{r:?}");
    assert!(start.elapsed() < Duration::from_secs(2));
    let start = Instant::now();
    assert!(matches!(g.list(now).await, Err(GuardError::Unavailable(_))));
    assert!(start.elapsed() < Duration::from_secs(2));
    // The background refresh keeps it unhealthy while Redis is away...
    tokio::time::sleep(3 * REFRESH).await;
    assert!(!g.healthy());
    // ...and notices when it is back, with no operation needed.
    redis.restart();
    eventually("healthy again", Duration::from_secs(10), || g.healthy()).await;
    let t = g
        .reserve(now, "1000", ip("192.0.2.8"))
        .await
        .unwrap()
        .unwrap();
    g.settle(now, t, true).await.unwrap();
    assert!(g.healthy());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_local_guard_is_always_healthy() {
    let dir = std::env::temp_dir().join(format!(
        "roomgate-lockout-redis-local-{}",
        std::process::id()
    ));
    let g = Guard::Local(
        roomgate::lockout::LocalGuard::open(
            LockoutConfig::default(),
            &dir,
            now(),
            Arc::new(SecuritySink::default()),
        )
        .unwrap(),
    );
    assert!(g.healthy());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn meetings_are_shared_and_the_pin_is_stored_only_as_its_hash() {
    let mut redis = RedisServer::start();
    let a = RedisMeetings::open(&redis.url(), "rg-test:").unwrap();
    let b = RedisMeetings::open(&redis.url(), "rg-test:").unwrap();
    assert!(a.ensure_demo_meetings().unwrap());
    assert!(!b.ensure_demo_meetings().unwrap());
    let phc = roomgate::pin::hash_pin("4711").unwrap();
    let meeting = Meeting {
        credentials: Some(UpstreamCredentials {
            username: "gw".into(),
            password: "s3cret-pass".into(),
            realm: Some("cloud.example".into()),
        }),
        pin_hash: Some(phc.clone()),
        suites: vec!["AES_256_CM_HMAC_SHA1_80".into()],
        ..Meeting::new("2000", Upstream::parse("sips:2000@cloud.example").unwrap())
    };
    assert!(!a.put_meeting(&meeting).unwrap());
    assert!(a.put_meeting(&meeting).unwrap(), "second put replaces");
    assert_eq!(b.get_meeting("2000").unwrap().unwrap(), meeting);
    let route = Directory::meeting(&b, "2000").unwrap().unwrap();
    assert_eq!(route.pin_hash.as_deref(), Some(phc.as_str()));
    assert_eq!(route.credentials, Some(("gw".into(), "s3cret-pass".into())));
    assert!(Directory::meeting(&b, "2001").unwrap().is_none());
    assert!(Directory::meeting(&b, "../../etc").unwrap().is_none());
    // The stored record: the PIN hash, never the PIN.
    let client = redis::Client::open(redis.url()).unwrap();
    let mut c = client.get_connection().unwrap();
    let record: Vec<(String, String)> = redis::cmd("HGETALL")
        .arg("rg-test:meeting:2000")
        .query(&mut c)
        .unwrap();
    assert!(!record.is_empty());
    assert!(
        record.iter().all(|(_, v)| !v.contains("4711")),
        "{record:?}"
    );
    assert!(record
        .iter()
        .any(|(k, v)| k == "pin_hash" && v.starts_with("$argon2id$")));
    let ids: Vec<String> = b
        .list_meetings()
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(ids, ["1000", "1001", "2000"]);
    assert!(b.get_meeting("1000").unwrap().unwrap().pin_hash.is_some());
    assert!(b.get_meeting("1001").unwrap().unwrap().pin_hash.is_none());
    assert!(b.set_meeting_pin("2000", None).unwrap());
    assert!(a.get_meeting("2000").unwrap().unwrap().pin_hash.is_none());
    assert!(!b.set_meeting_pin("nope", Some(&phc)).unwrap());
    assert!(
        b.set_meeting_pin("2000", Some("4711")).is_err(),
        "a PIN is never stored"
    );
    assert!(a.remove_meeting("2000").unwrap());
    assert!(!a.remove_meeting("2000").unwrap());
    // Removed demo meetings stay removed.
    assert!(a.remove_meeting("1001").unwrap());
    assert!(!a.ensure_demo_meetings().unwrap());
    assert!(b.get_meeting("1001").unwrap().is_none());
    // A corrupt record is an error (503 for the call), not a route.
    redis::cmd("HSET")
        .arg("rg-test:meeting:1000")
        .arg("pin_hash")
        .arg("1234")
        .query::<i64>(&mut c)
        .unwrap();
    assert!(Directory::meeting(&b, "1000").is_err());
    // Redis down: the lookup fails fast, and works again once Redis is back.
    redis.kill();
    let start = Instant::now();
    assert!(Directory::meeting(&b, "1000").is_err());
    assert!(start.elapsed() < Duration::from_secs(2));
    redis.restart();
    assert!(Directory::meeting(&b, "1000").unwrap().is_none());
}

fn roomgate(args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_roomgate"))
        .args(args)
        .env_remove("ROOMGATE_DATA")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut input = child.stdin.take().unwrap();
        input.write_all(stdin.as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!err.contains("panicked"), "{err}");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        err,
    )
}

#[test]
fn cli_manages_meetings_and_lockouts_in_redis() {
    let redis = RedisServer::start();
    let url = redis.url();
    let (ok, out, err) = roomgate(
        &[
            "meeting",
            "add",
            "2000",
            "--upstream",
            "echo",
            "--pin-stdin",
            "--redis",
            &url,
        ],
        "4711\n",
    );
    assert!(ok, "{err}");
    assert_eq!(out.trim(), "added meeting 2000");
    let (ok, out, err) = roomgate(&["meeting", "list", "--json", "--redis", &url], "");
    assert!(ok, "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["1000", "1001", "2000"]);
    assert_eq!(lines[2]["pin"], true);
    assert!(!out.contains("4711") && !out.contains("argon2"));
    let (ok, out, _) = roomgate(&["meeting", "list", "--redis", &url], "");
    assert!(
        ok && out.contains("2000") && out.contains("builtin:echo"),
        "{out}"
    );
    // Another prefix is another store.
    let (ok, out, _) = roomgate(
        &[
            "meeting",
            "list",
            "--json",
            "--redis",
            &url,
            "--redis-prefix",
            "other:",
        ],
        "",
    );
    assert!(ok && !out.contains("2000"), "{out}");
    let (ok, _, _) = roomgate(&["meeting", "remove", "2000", "--redis", &url], "");
    assert!(ok);
    let (ok, _, err) = roomgate(&["meeting", "remove", "2000", "--redis", &url], "");
    assert!(!ok && err.contains("no meeting 2000"), "{err}");
    // --redis and --data-dir together is a usage error.
    let (ok, _, _) = roomgate(
        &["meeting", "list", "--redis", &url, "--data-dir", "/tmp/x"],
        "",
    );
    assert!(!ok);

    // Lockouts: block a source through a guard, list and clear it with the CLI.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let g = RedisGuard::open(
            LockoutConfig::default(),
            &url,
            "roomgate:",
            None,
            Arc::new(SecuritySink::default()),
        )
        .unwrap();
        let g = Guard::Redis(g);
        let now = now();
        for n in 0..10 {
            let t = g
                .reserve(now, &format!("m{n}"), ip("192.0.2.7"))
                .await
                .unwrap()
                .unwrap();
            g.settle(now, t, false).await.unwrap();
        }
    });
    let (ok, out, err) = roomgate(&["lockout", "list", "--json", "--redis", &url], "");
    assert!(ok, "{err}");
    assert!(
        out.contains("\"kind\":\"source\"") && out.contains("192.0.2.7"),
        "{out}"
    );
    let (ok, out, err) = roomgate(
        &["lockout", "clear", "--source", "192.0.2.7", "--redis", &url],
        "",
    );
    assert!(ok, "{err}");
    assert_eq!(out.trim(), "cleared source 192.0.2.7");
    let (ok, out, _) = roomgate(&["lockout", "list", "--redis", &url], "");
    assert!(ok);
    assert_eq!(out.trim(), "no lockouts");
    let (ok, _, err) = roomgate(
        &["lockout", "clear", "--meeting", "1000", "--redis", &url],
        "",
    );
    assert!(!ok && err.contains("nothing to clear"), "{err}");
}

/// A virtual clock's start (2023): the scripts use the `now` they are given, never Redis
/// time, so the windows can be tested like the local budgets' unit tests.
const T0: u64 = 1_700_000_000;

async fn wrong(g: &Guard, now: u64, meeting: &str, source: IpAddr) -> Result<(), Verdict> {
    let t = g.reserve(now, meeting, source).await.unwrap()?;
    g.settle(now, t, false).await.unwrap();
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn windows_reservations_and_bounds_match_the_local_budgets() {
    let redis = RedisServer::start();
    let sink = Arc::new(SecuritySink::default());
    let g = node(&redis, &LockoutConfig::default(), &sink);
    // The meeting window slides: 20 at T0, 20 more once those left it, no lock; one more does.
    for n in 0..20 {
        wrong(&g, T0, "1000", spread(n)).await.unwrap();
    }
    for n in 20..40 {
        wrong(&g, T0 + 600, "1000", spread(n)).await.unwrap();
    }
    wrong(&g, T0 + 601, "1000", ip("203.0.113.9"))
        .await
        .unwrap();
    assert_eq!(
        g.reserve(T0 + 601, "1000", ip("203.0.113.10"))
            .await
            .unwrap()
            .unwrap_err(),
        Verdict::MeetingLocked {
            until: T0 + 601 + 900
        }
    );
    // Source failures outside the window do not count (9 * 67 = 603 s).
    for n in 0..10u64 {
        wrong(&g, T0 + n * 67, &format!("s{n}"), ip("192.0.2.50"))
            .await
            .unwrap();
    }
    let t = g
        .reserve(T0 + 603, "s", ip("192.0.2.50"))
        .await
        .unwrap()
        .unwrap();
    g.settle(T0 + 603, t, true).await.unwrap();
    // Correct PINs never count.
    for _ in 0..30 {
        let t = g
            .reserve(T0, "2000", ip("192.0.2.60"))
            .await
            .unwrap()
            .unwrap();
        g.settle(T0, t, true).await.unwrap();
    }
    // Lost reservations stop holding budget after RESERVATION_TIMEOUT_S.
    let mut lost = Vec::new();
    for n in 0..10 {
        lost.push(
            g.reserve(T0, &format!("l{n}"), ip("192.0.2.70"))
                .await
                .unwrap()
                .unwrap(),
        );
    }
    assert_eq!(
        g.reserve(T0, "x", ip("192.0.2.70"))
            .await
            .unwrap()
            .unwrap_err(),
        Verdict::InFlight
    );
    std::mem::forget(lost);
    let t = g
        .reserve(
            T0 + roomgate::lockout::RESERVATION_TIMEOUT_S,
            "x",
            ip("192.0.2.70"),
        )
        .await
        .unwrap()
        .unwrap();
    g.settle(T0 + 60, t, true).await.unwrap();

    // Bounded: a meeting with a huge budget keeps at most budget + 1 failures, and every key
    // has a TTL.
    let big = LockoutConfig {
        meeting_failures: 1000,
        ..LockoutConfig::default()
    };
    let g2 = node(&redis, &big, &sink);
    let mut allowed = 0;
    for n in 0..1200u32 {
        if wrong(&g2, T0 + u64::from(n) / 100, "big", spread(n))
            .await
            .is_ok()
        {
            allowed += 1;
        }
    }
    // The 1001st failure locked the meeting (and replaced its failures).
    assert_eq!(allowed, 1001);
    let client = redis::Client::open(redis.url()).unwrap();
    let mut c = client.get_connection().unwrap();
    let n: u64 = redis::cmd("ZCARD")
        .arg("roomgate:lockout:meeting:big:failures")
        .query(&mut c)
        .unwrap();
    assert!(n <= 1001, "{n}");
    let keys: Vec<String> = redis::cmd("KEYS").arg("roomgate:*").query(&mut c).unwrap();
    assert!(!keys.is_empty());
    for k in keys {
        let ttl: i64 = redis::cmd("TTL").arg(&k).query(&mut c).unwrap();
        assert!(ttl > 0, "{k} has no TTL ({ttl})");
    }
}
