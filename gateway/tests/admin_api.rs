//! The admin HTTP API on a real listener (127.0.0.1:0), spoken to over real TCP with a
//! minimal HTTP/1.1 client, against a real store and a real `LocalGuard` in a temp dir. The
//! SIP core's side of the `AdminQuery` channel is a stand-in task: that channel is our own
//! contract, so the stand-in answers exactly as the driver will.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use roomgate::admin::{AdminState, Token};
use roomgate::call::CallStats;
use roomgate::lockout::{unix_seconds, Guard, LocalGuard, LockoutConfig, SecuritySink};
use roomgate::observe::{AdminQuery, CallView, Cdr, LegView, Qos, SetupHistogram, Snapshot};
use roomgate::store::{Meeting, Store, Upstream, UpstreamCredentials};
use roomgate_media::relay::RelayStats;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};

use common::TempDir;

const TOKEN: &str = "0123456789abcdef0123456789abcdef0123456789abcdef";

// ---------------------------------------------------------------------------------------------
// A minimal HTTP/1.1 client: one request per connection (`Connection: close`), response read
// to EOF, chunked bodies decoded.

#[derive(Debug)]
struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = b.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size_text = std::str::from_utf8(&b[..eol]).unwrap();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + size]);
        b = &b[eol + 2 + size + 2..];
    }
}

fn parse_response(raw: &[u8]) -> Option<Resp> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    if headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"))
    {
        body = dechunk(&body);
    }
    Some(Resp {
        status,
        headers,
        body: String::from_utf8(body).ok()?,
    })
}

/// Sends raw bytes and returns whatever came back before the server closed (bounded).
async fn raw(addr: SocketAddr, bytes: &[u8]) -> Vec<u8> {
    let mut s = TcpStream::connect(addr).await.unwrap();
    // The server may answer and close before it read everything (a body it refuses).
    let _ = s.write_all(bytes).await;
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut out)).await;
    out
}

async fn request(addr: SocketAddr, method: &str, path: &str, token: Option<&str>) -> Resp {
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let req =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n");
    let out = raw(addr, req.as_bytes()).await;
    parse_response(&out).unwrap_or_else(|| {
        panic!(
            "no HTTP response to {method} {path}: {:?}",
            String::from_utf8_lossy(&out)
        )
    })
}

async fn get(addr: SocketAddr, path: &str) -> Resp {
    request(addr, "GET", path, Some(TOKEN)).await
}

// ---------------------------------------------------------------------------------------------
// Prometheus text format 0.0.4, parsed back.

#[derive(Debug, Default)]
struct Family {
    kind: String,
    help: bool,
    /// (sample name, labels, value)
    samples: Vec<(String, BTreeMap<String, String>, f64)>,
}

fn parse_labels(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut rest = text;
    while !rest.is_empty() {
        let (name, after) = rest.split_once("=\"").expect("label name");
        assert!(
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "bad label name {name:?}"
        );
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            match chars.next().expect("unterminated label value") {
                (_, '\\') => value.push(chars.next().expect("escape").1),
                (i, '"') => break i,
                (_, c) => value.push(c),
            }
        };
        out.insert(name.to_owned(), value);
        rest = after[end + 1..].trim_start_matches(',');
    }
    out
}

/// Parses the exposition; panics on anything out of format. Every sample must belong to a
/// family declared (HELP and TYPE) before it.
fn parse_metrics(text: &str) -> BTreeMap<String, Family> {
    let mut families: BTreeMap<String, Family> = BTreeMap::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, help) = rest.split_once(' ').expect("HELP text");
            assert!(!help.is_empty());
            families.entry(name.to_owned()).or_default().help = true;
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect("TYPE kind");
            assert!(
                ["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind),
                "{line}"
            );
            families.entry(name.to_owned()).or_default().kind = kind.to_owned();
        } else {
            assert!(
                !line.starts_with('#') && !line.is_empty(),
                "stray line {line:?}"
            );
            let (series, value) = line.rsplit_once(' ').expect("sample value");
            let value: f64 = value
                .parse()
                .unwrap_or_else(|_| panic!("bad value: {line}"));
            let (name, labels) = match series.split_once('{') {
                Some((n, l)) => (n, parse_labels(l.strip_suffix('}').expect("closing brace"))),
                None => (series, BTreeMap::new()),
            };
            assert!(name.starts_with("roomgate_"), "{name}");
            let family = [
                name,
                name.trim_end_matches("_bucket"),
                name.trim_end_matches("_sum"),
                name.trim_end_matches("_count"),
            ]
            .into_iter()
            .find(|f| families.get(*f).is_some_and(|fam| !fam.kind.is_empty()))
            .unwrap_or_else(|| panic!("sample before its TYPE: {line}"))
            .to_owned();
            let fam = families.get_mut(&family).unwrap();
            assert!(fam.help, "no HELP for {family}");
            if fam.kind == "counter" {
                assert!(name.ends_with("_total"), "counter {name} without _total");
            }
            fam.samples.push((name.to_owned(), labels, value));
        }
    }
    for (name, fam) in &families {
        assert!(fam.help && !fam.kind.is_empty(), "{name}: HELP and TYPE");
        assert!(!fam.samples.is_empty(), "{name}: no samples");
        if fam.kind == "histogram" {
            let buckets: Vec<(f64, f64)> = fam
                .samples
                .iter()
                .filter(|(n, _, _)| n.ends_with("_bucket"))
                .map(|(_, l, v)| {
                    let le = &l["le"];
                    let le = if le == "+Inf" {
                        f64::INFINITY
                    } else {
                        le.parse().unwrap()
                    };
                    (le, *v)
                })
                .collect();
            assert!(
                buckets
                    .windows(2)
                    .all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1),
                "{name}: buckets not monotonic: {buckets:?}"
            );
            let last = buckets.last().expect("buckets");
            assert_eq!(last.0, f64::INFINITY);
            let count = fam
                .samples
                .iter()
                .find(|(n, _, _)| n.ends_with("_count"))
                .expect("_count")
                .2;
            assert_eq!(last.1, count, "{name}: +Inf bucket equals _count");
            assert!(fam.samples.iter().any(|(n, _, _)| n.ends_with("_sum")));
        }
    }
    families
}

fn value(f: &BTreeMap<String, Family>, family: &str, label: Option<(&str, &str)>) -> f64 {
    f[family]
        .samples
        .iter()
        .find(|(_, l, _)| label.is_none_or(|(k, v)| l.get(k).map(String::as_str) == Some(v)))
        .unwrap_or_else(|| panic!("{family} {label:?}"))
        .2
}

// ---------------------------------------------------------------------------------------------
// The API under test.

struct Api {
    addr: SocketAddr,
    store: Store,
    guard: Arc<Guard>,
    stop: watch::Sender<bool>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    _dir: TempDir,
}

fn leg(codec: &str) -> LegView {
    LegView {
        protocol: "sip",
        state: "confirmed",
        peer: Some("192.0.2.10:5060".to_owned()),
        codec: Some(codec.to_owned()),
        crypto_suite: Some("AEAD_AES_256_GCM".to_owned()),
        qos: Some(Qos {
            packets_received: 1000,
            packets_sent: 1000,
            packets_lost: 3,
            loss_percent: 0.3,
            jitter_ms: 2.0,
            rtt_ms: None,
            mos: 4.35,
        }),
    }
}

fn test_snapshot() -> Snapshot {
    let mut setup = SetupHistogram::default();
    for ms in [120, 480, 2600] {
        setup.observe(ms);
    }
    let mut relay = RelayStats {
        datagrams_in: 5000,
        rtp_forwarded: 4900,
        played: 40,
        ..RelayStats::default()
    };
    relay.drops.srtp_auth = 7;
    relay.drops.replay = 2;
    Snapshot {
        calls: vec![CallView {
            id: 42,
            meeting: "1000".to_owned(),
            state: "active",
            started: 1_700_000_000,
            audio: Some("pass-through"),
            room: leg("PCMU/8000"),
            cloud: leg("PCMU/8000"),
        }],
        stats: CallStats {
            started: 4,
            connected: 3,
            ended: 3,
            refused_unknown: 1,
            refused_pin: 2,
            ..CallStats::default()
        },
        setup,
        relay,
        workers: None,
        overload_refused: Default::default(),
        gatekeeper: None,
    }
}

/// Starts the API. `answer`: the driver stand-in answers snapshots with it; `None`: the
/// stand-in takes queries and never answers (a stuck core).
async fn start(answer: Option<Snapshot>) -> Api {
    let dir = TempDir::new("admin-api");
    let store = Store::open(&dir.join("data")).unwrap();
    let sink = Arc::new(SecuritySink::default());
    let config = LockoutConfig {
        meeting_failures: 1,
        source_failures: 2,
        ..LockoutConfig::default()
    };
    let guard = Arc::new(Guard::Local(
        LocalGuard::open(
            config,
            &dir.join("data"),
            unix_seconds(std::time::SystemTime::now()),
            sink.clone(),
        )
        .unwrap(),
    ));
    let (queries, mut rx) = mpsc::channel::<AdminQuery>(4);
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Some(q) = rx.recv().await {
            if let AdminQuery::Snapshot(reply) = q {
                match &answer {
                    Some(s) => {
                        let _ = reply.send(s.clone());
                    }
                    None => held.push(reply),
                }
            }
        }
    });
    let state = AdminState::new(
        queries,
        guard.clone(),
        store.clone(),
        sink,
        Token::new(TOKEN),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stop_rx) = watch::channel(false);
    let server = tokio::spawn(roomgate::admin::serve(listener, state, stop_rx));
    Api {
        addr,
        store,
        guard,
        stop,
        server,
        _dir: dir,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_needs_the_token() {
    let api = start(Some(test_snapshot())).await;
    for path in [
        "/v1/calls",
        "/v1/meetings",
        "/v1/lockouts",
        "/v1/cdrs",
        "/metrics",
        "/nope",
    ] {
        for token in [
            None,
            Some("wrong"),
            Some(&TOKEN[..TOKEN.len() - 1]),
            Some("0123456789abcdef0123456789abcdef0123456789abcdeF"),
        ] {
            let r = request(api.addr, "GET", path, token).await;
            assert_eq!(r.status, 401, "{path} {token:?}");
            assert!(r.header("www-authenticate").unwrap().starts_with("Bearer"));
            assert!(r.json()["error"].is_string());
        }
    }
    let basic = raw(
        api.addr,
        format!("GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {TOKEN}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await;
    assert_eq!(parse_response(&basic).unwrap().status, 401);
    // The scheme is case-insensitive.
    let lower = raw(
        api.addr,
        format!("GET /v1/calls HTTP/1.1\r\nHost: x\r\nauthorization: bearer {TOKEN}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await;
    assert_eq!(parse_response(&lower).unwrap().status, 200);
    assert_eq!(get(api.addr, "/nope").await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_come_from_the_core() {
    let api = start(Some(test_snapshot())).await;
    let r = get(api.addr, "/v1/calls").await;
    assert_eq!(r.status, 200);
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    let calls = r.json();
    assert_eq!(calls.as_array().unwrap().len(), 1);
    assert_eq!(calls[0]["id"], 42);
    assert_eq!(calls[0]["room"]["codec"], "PCMU/8000");
    assert_eq!(calls[0]["cloud"]["qos"]["packets_lost"], 3);

    let one = get(api.addr, "/v1/calls/42").await;
    assert_eq!(one.status, 200);
    assert_eq!(one.json()["meeting"], "1000");
    assert_eq!(get(api.addr, "/v1/calls/43").await.status, 404);
    for bad in [
        "/v1/calls/abc",
        "/v1/calls/-1",
        "/v1/calls/99999999999999999999999",
        "/v1/calls/%ff",
    ] {
        let r = get(api.addr, bad).await;
        assert_eq!(r.status, 400, "{bad}");
        assert!(r.json()["error"].is_string(), "{bad}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_core_that_does_not_answer_gives_503_and_partial_metrics() {
    let api = start(None).await;
    let t = Instant::now();
    let r = get(api.addr, "/v1/calls").await;
    assert_eq!(r.status, 503);
    assert!(r.json()["error"]
        .as_str()
        .unwrap()
        .contains("did not answer"));
    assert!(t.elapsed() < Duration::from_secs(5));
    let m = get(api.addr, "/metrics").await;
    assert_eq!(m.status, 200);
    let f = parse_metrics(&m.body);
    assert_eq!(value(&f, "roomgate_core_up", None), 0.0);
    assert!(f.contains_key("roomgate_pin_failures_total"));
    assert!(!f.contains_key("roomgate_calls_active"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lockouts_are_listed_and_cleared_on_the_real_guard() {
    let api = start(Some(test_snapshot())).await;
    let src: IpAddr = "192.0.2.7".parse().unwrap();
    let v6: IpAddr = "2001:db8:1:2::5".parse().unwrap();
    let now = unix_seconds(std::time::SystemTime::now());
    for (i, ip) in [src, src, v6, v6].into_iter().enumerate() {
        if let Ok(ticket) = api.guard.reserve(now + i as u64, "1000", ip).await.unwrap() {
            api.guard
                .settle(now + i as u64, ticket, false)
                .await
                .unwrap();
        }
    }
    let list = get(api.addr, "/v1/lockouts").await;
    assert_eq!(list.status, 200);
    let body = list.json();
    let has = |kind: &str, key: &str| {
        body.as_array()
            .unwrap()
            .iter()
            .any(|l| l["kind"] == kind && l["key"] == key)
    };
    assert!(has("meeting", "1000"), "{body}");
    assert!(has("source", "192.0.2.7"), "{body}");

    // Security events were counted on the way.
    let f = parse_metrics(&get(api.addr, "/metrics").await.body);
    assert!(value(&f, "roomgate_pin_failures_total", None) >= 2.0);
    assert_eq!(value(&f, "roomgate_meeting_locks_total", None), 1.0);
    assert!(value(&f, "roomgate_source_blocks_total", None) >= 1.0);

    let r = request(
        api.addr,
        "DELETE",
        "/v1/lockouts/source/192.0.2.7",
        Some(TOKEN),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["cleared"]["key"], "192.0.2.7");
    let again = request(
        api.addr,
        "DELETE",
        "/v1/lockouts/source/192.0.2.7",
        Some(TOKEN),
    )
    .await;
    assert_eq!(again.status, 404);
    // An IPv4-mapped address is the same source key.
    assert_eq!(
        request(
            api.addr,
            "DELETE",
            "/v1/lockouts/source/::ffff:192.0.2.7",
            Some(TOKEN)
        )
        .await
        .status,
        404
    );
    let m = request(api.addr, "DELETE", "/v1/lockouts/meeting/1000", Some(TOKEN)).await;
    assert_eq!(m.status, 200, "{}", m.body);
    assert_eq!(
        request(api.addr, "DELETE", "/v1/lockouts/meeting/1000", Some(TOKEN))
            .await
            .status,
        404
    );
    let left = get(api.addr, "/v1/lockouts").await.json();
    assert!(
        !left
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["key"] == "1000" || l["key"] == "192.0.2.7"),
        "{left}"
    );
    for bad in [
        "/v1/lockouts/source/not-an-ip",
        "/v1/lockouts/source/999.1.1.1",
        "/v1/lockouts/meeting/a%20b",
        "/v1/lockouts/meeting/%ff",
    ] {
        let r = request(api.addr, "DELETE", bad, Some(TOKEN)).await;
        assert_eq!(r.status, 400, "{bad}");
        assert!(r.json()["error"].is_string());
    }
    // Wrong method on a known path.
    assert_eq!(
        request(api.addr, "GET", "/v1/lockouts/meeting/1000", Some(TOKEN))
            .await
            .status,
        405
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meetings_never_show_secrets() {
    let api = start(Some(test_snapshot())).await;
    api.store.ensure_demo_meetings().unwrap();
    let mut m = Meeting::new(
        "cloud7",
        Upstream::parse("sips:room7@cloud.example.com").unwrap(),
    );
    m.credentials = Some(UpstreamCredentials {
        username: "gw-user".to_owned(),
        password: "hunter2-very-secret".to_owned(),
        realm: Some("cloud".to_owned()),
    });
    api.store.put_meeting(&m).unwrap();
    let r = get(api.addr, "/v1/meetings").await;
    assert_eq!(r.status, 200);
    assert!(!r.body.contains("$argon2"), "{}", r.body);
    assert!(!r.body.contains("hunter2"), "{}", r.body);
    assert!(!r.body.contains("gw-user"), "{}", r.body);
    let list = r.json();
    let by_id = |id: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(by_id("1000")["has_pin"], true);
    assert_eq!(by_id("1001")["has_pin"], false);
    assert_eq!(by_id("cloud7")["has_credentials"], true);
    assert_eq!(by_id("cloud7")["upstream"], "sips:room7@cloud.example.com");
    assert_eq!(by_id("1000")["srtp"], "mandatory");
}

fn cdr(call: u64) -> Cdr {
    Cdr {
        call,
        meeting: "1000".to_owned(),
        source: "198.51.100.4".parse().unwrap(),
        started: 1_700_000_000 + call,
        connected: Some(1_700_000_001 + call),
        ended: 1_700_000_100 + call,
        setup_ms: Some(700),
        reason: "room_bye".to_owned(),
        pin_failures: 0,
        audio: Some("transcode"),
        room: leg("PCMU/8000"),
        cloud: leg("opus/48000/2"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cdrs_round_trip_newest_first() {
    let api = start(Some(test_snapshot())).await;
    assert_eq!(
        get(api.addr, "/v1/cdrs").await.json(),
        serde_json::json!([])
    );
    for call in 1..=3 {
        let store = api.store.clone();
        tokio::task::spawn_blocking(move || store.insert_cdr(&cdr(call)))
            .await
            .unwrap()
            .unwrap();
    }
    let all = get(api.addr, "/v1/cdrs").await.json();
    let ids: Vec<u64> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["call"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [3, 2, 1]);
    assert_eq!(all[0]["cloud"]["codec"], "opus/48000/2");
    assert_eq!(all[0]["room"]["crypto_suite"], "AEAD_AES_256_GCM");
    assert_eq!(all[0]["source"], "198.51.100.4");
    assert_eq!(all[0]["setup_ms"], 700);
    let two = get(api.addr, "/v1/cdrs?limit=2").await.json();
    assert_eq!(two.as_array().unwrap().len(), 2);
    assert_eq!(two[0]["call"], 3);
    assert_eq!(
        get(api.addr, "/v1/cdrs?limit=100000")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        3
    );
    for bad in ["/v1/cdrs?limit=abc", "/v1/cdrs?limit=-1"] {
        let r = get(api.addr, bad).await;
        assert_eq!(r.status, 400, "{bad}");
        assert!(r.json()["error"].is_string());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_valid_prometheus_text() {
    let api = start(Some(test_snapshot())).await;
    let r = get(api.addr, "/metrics").await;
    assert_eq!(r.status, 200);
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let f = parse_metrics(&r.body);
    assert_eq!(f["roomgate_calls_active"].kind, "gauge");
    assert_eq!(f["roomgate_call_setup_seconds"].kind, "histogram");
    assert_eq!(value(&f, "roomgate_core_up", None), 1.0);
    assert_eq!(value(&f, "roomgate_calls_active", None), 1.0);
    assert_eq!(value(&f, "roomgate_calls_started_total", None), 4.0);
    assert_eq!(value(&f, "roomgate_calls_connected_total", None), 3.0);
    assert_eq!(value(&f, "roomgate_calls_ended_total", None), 3.0);
    assert_eq!(
        value(&f, "roomgate_call_failures_total", Some(("cause", "pin"))),
        2.0
    );
    assert_eq!(
        value(
            &f,
            "roomgate_call_failures_total",
            Some(("cause", "unknown_meeting"))
        ),
        1.0
    );
    assert_eq!(
        value(&f, "roomgate_call_setup_seconds", Some(("le", "0.5"))),
        2.0
    );
    assert_eq!(
        value(&f, "roomgate_call_setup_seconds", Some(("le", "+Inf"))),
        3.0
    );
    let sum = f["roomgate_call_setup_seconds"]
        .samples
        .iter()
        .find(|s| s.0.ends_with("_sum"))
        .unwrap()
        .2;
    assert!((sum - 3.2).abs() < 1e-9, "{sum}");
    assert_eq!(
        value(
            &f,
            "roomgate_media_drops_total",
            Some(("reason", "srtp_auth"))
        ),
        7.0
    );
    assert_eq!(
        value(&f, "roomgate_media_drops_total", Some(("reason", "replay"))),
        2.0
    );
    assert_eq!(
        value(&f, "roomgate_media_rtp_forwarded_total", None),
        4900.0
    );
    assert_eq!(value(&f, "roomgate_media_played_total", None), 40.0);
    assert_eq!(value(&f, "roomgate_media_datagrams_in_total", None), 5000.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_bodies_and_garbage_do_not_hurt_it() {
    let api = start(Some(test_snapshot())).await;
    let body = vec![b'x'; 10 * 1024 * 1024];
    for auth in [String::new(), format!("Authorization: Bearer {TOKEN}\r\n")] {
        let mut req = format!(
            "POST /v1/calls HTTP/1.1\r\nHost: x\r\n{auth}Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        req.extend_from_slice(&body);
        let out = raw(api.addr, &req).await;
        if let Some(r) = parse_response(&out) {
            assert!([401, 413].contains(&r.status), "{}", r.status);
        }
    }
    // Chunked body with no declared length, on a path that reads none.
    let mut chunked = format!(
        "DELETE /v1/lockouts/meeting/1000 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    for _ in 0..160 {
        chunked.extend_from_slice(b"10000\r\n");
        chunked.extend_from_slice(&vec![b'y'; 0x10000]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let _ = raw(api.addr, &chunked).await;
    for garbage in [
        &b"\x00\x01\x02garbage\r\n\r\n"[..],
        b"GET /\x01\x7f HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /v1/calls HTTP/9.9\r\n\r\n",
        b"GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET http://[::1 HTTP/1.1\r\n\r\n",
        b"GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \xff\xfe\r\nConnection: close\r\n\r\n",
    ] {
        let out = raw(api.addr, garbage).await;
        if let Some(r) = parse_response(&out) {
            assert!(r.status >= 400, "{garbage:?} -> {}", r.status);
        }
    }
    let long_path = format!("/v1/calls/{}", "9".repeat(100_000));
    let out = raw(api.addr, format!("GET {long_path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\nConnection: close\r\n\r\n").as_bytes()).await;
    if let Some(r) = parse_response(&out) {
        assert!(r.status >= 400);
    }
    // Still serving, and shuts down cleanly.
    assert_eq!(get(api.addr, "/v1/calls").await.status, 200);
    assert!(!api.server.is_finished());
    api.stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), api.server)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

/// The real binary: `roomgate serve` creates the token file in its data directory and serves
/// `/metrics` with it, and 401 without.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_binary_serves_metrics_with_the_token_file() {
    let port = common::free_port();
    let server = tokio::task::spawn_blocking(move || {
        common::Server::start_with(common::ServeOptions {
            extra: format!("[admin]\nlisten = \"127.0.0.1:{port}\"\n"),
            ..common::ServeOptions::default()
        })
    })
    .await
    .unwrap();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let token_path = server.dir.join("roomgate-data").join("admin.token");
    let token = std::fs::read_to_string(&token_path).unwrap();
    let token = token.trim();
    assert_eq!(token.len(), 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&token_path).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "token file is private");
    }
    let log = server.log();
    assert!(log.contains("admin.token"), "{log}");
    assert!(!log.contains(token), "the token must never be logged");

    let denied = request(addr, "GET", "/metrics", None).await;
    assert_eq!(denied.status, 401);
    let r = request(addr, "GET", "/metrics", Some(token)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let f = parse_metrics(&r.body);
    assert!(f.contains_key("roomgate_pin_failures_total"));
    assert!(f.contains_key("roomgate_core_up"));
    let meetings = request(addr, "GET", "/v1/meetings", Some(token)).await;
    assert_eq!(meetings.status, 200);
    assert!(!meetings.body.contains("$argon2"));
    assert!(meetings
        .json()
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["id"] == "1000" && m["has_pin"] == true));
    drop(server);
}

/// A PIN call through the real binary as the admin side sees it: live in `/v1/calls` (first
/// in PIN entry, then active with each leg's codec and suite), a CDR when it ends, counted
/// in `/metrics`; and its PIN nowhere: not in the API, the metrics, the log, the security
/// log or any file of the data directory (the CDRs live in the store).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pin_call_is_seen_live_and_in_a_cdr_but_its_pin_never() {
    const PIN: &str = "8642097531";
    let port = common::free_port();
    let server = tokio::task::spawn_blocking(move || {
        common::Server::start_with(common::ServeOptions {
            extra: format!("[admin]\nlisten = \"127.0.0.1:{port}\"\n"),
            ..common::ServeOptions::default()
        })
    })
    .await
    .unwrap();
    let data = server.dir.join("roomgate-data");
    // A meeting of our own on the echo service, with a PIN no number in a log could match.
    let mut add = std::process::Command::new(env!("CARGO_BIN_EXE_roomgate"))
        .args([
            "meeting",
            "add",
            "5000",
            "--upstream",
            "echo",
            "--pin-stdin",
        ])
        .arg("--data-dir")
        .arg(&data)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write as _;
        writeln!(add.stdin.take().unwrap(), "{PIN}").unwrap();
    }
    assert!(add.wait().unwrap().success());
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let token = std::fs::read_to_string(data.join("admin.token")).unwrap();
    let token = token.trim().to_owned();
    let get = |path: &'static str| {
        let token = token.clone();
        async move { request(addr, "GET", path, Some(&token)).await }
    };
    let mut bodies = Vec::new();

    let sip = server.udp;
    let mut room = tokio::task::spawn_blocking(move || {
        let mut room = common::pin::RawRoom::at(sip, common::LOCALHOST, "5000");
        assert_eq!(room.call().0, 200);
        room
    })
    .await
    .unwrap();
    let calls = get("/v1/calls").await;
    assert_eq!(calls.status, 200, "{}", calls.body);
    let list = calls.json();
    assert_eq!(list.as_array().unwrap().len(), 1, "{}", calls.body);
    assert_eq!(list[0]["state"], "pin");
    assert_eq!(list[0]["meeting"], "5000");
    assert_eq!(list[0]["cloud"]["state"], "none");
    bodies.push(calls.body);

    room = tokio::task::spawn_blocking(move || {
        room.keys(&format!("{PIN}#"));
        room
    })
    .await
    .unwrap();
    // The joining prompt, then the echo meeting answers.
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let active = loop {
        let calls = get("/v1/calls").await;
        let v = calls.json();
        if v[0]["state"] == "active" {
            bodies.push(calls.body);
            break v;
        }
        assert!(std::time::Instant::now() < deadline, "{}", calls.body);
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(active[0]["room"]["codec"], "PCMU/8000");
    assert_eq!(active[0]["cloud"]["crypto_suite"], "AEAD_AES_256_GCM");
    assert_eq!(active[0]["cloud"]["state"], "confirmed");
    assert!(
        active[0]["room"]["qos"]["mos"].as_f64().is_some(),
        "{active}"
    );

    tokio::task::spawn_blocking(move || assert_eq!(room.request("BYE", "", ""), 200))
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let cdr = loop {
        let cdrs = get("/v1/cdrs").await;
        let v = cdrs.json();
        if v.as_array().is_some_and(|a| !a.is_empty()) {
            bodies.push(cdrs.body);
            break v[0].clone();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no CDR: {}",
            cdrs.body
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(cdr["meeting"], "5000", "{cdr}");
    assert_eq!(cdr["reason"], "room_bye", "{cdr}");
    // The relay worker that ended the session put its last audio counters in the CDR.
    assert!(cdr["room"]["qos"]["mos"].as_f64().is_some(), "{cdr}");
    assert_eq!(cdr["pin_failures"], 0, "{cdr}");
    assert!(cdr["setup_ms"].as_u64().unwrap() > 0, "{cdr}");
    assert!(cdr["connected"].as_u64().is_some(), "{cdr}");
    assert_eq!(cdr["cloud"]["crypto_suite"], "AEAD_AES_256_GCM", "{cdr}");

    let metrics = get("/metrics").await;
    let f = parse_metrics(&metrics.body);
    assert_eq!(value(&f, "roomgate_core_up", None), 1.0);
    assert_eq!(
        value(
            &f,
            "roomgate_pin_attempts_total",
            Some(("result", "correct"))
        ),
        1.0
    );
    assert_eq!(value(&f, "roomgate_calls_connected_total", None), 1.0);
    bodies.push(metrics.body);

    let mut everything = bodies.join("\n");
    everything.push_str(&server.log());
    everything.push_str(&std::fs::read_to_string(data.join("security.log")).unwrap_or_default());
    assert!(!everything.contains(PIN), "the PIN leaked");
    for entry in std::fs::read_dir(&data).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !bytes.windows(PIN.len()).any(|w| w == PIN.as_bytes()),
                "the PIN is in {}",
                path.display()
            );
        }
    }
    drop(server);
}
