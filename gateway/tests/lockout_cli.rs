//! `roomgate lockout list|clear` as an operator runs it: the real binary on a data directory
//! whose lockout records were written through the library, as `serve` writes them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use roomgate::lockout::{unix_seconds, Budgets, LockoutConfig, SqliteLockoutStore};

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn roomgate(args: &[&str], dir: &Path) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_roomgate"))
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env_remove("ROOMGATE_DATA")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    out
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap()
}

/// Locks meeting 1000 and blocks 192.0.2.7 and the /64 of 2001:db8:1:2::1, at the real time
/// (the command lists what is locked now).
fn populate(dir: &Path) -> u64 {
    let now = unix_seconds(std::time::SystemTime::now());
    let store = SqliteLockoutStore::open(dir).unwrap();
    let mut b = Budgets::new(LockoutConfig::default());
    let mut wrong = |meeting: &str, source: &str| {
        let r = b
            .reserve(now, meeting, source.parse::<IpAddr>().unwrap())
            .unwrap();
        b.settle(now, r, false);
    };
    for n in 0..21 {
        wrong("1000", &format!("198.51.100.{n}"));
    }
    for n in 0..10 {
        wrong(&format!("m{n}"), "192.0.2.7");
        wrong(&format!("v{n}"), &format!("2001:db8:1:2::{:x}", n + 1));
    }
    b.flush(&store).unwrap();
    now
}

#[test]
fn list_and_clear() {
    let dir =
        TempDir(std::env::temp_dir().join(format!("roomgate-lockout-cli-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&dir.0);
    let now = populate(&dir.0);

    let out = roomgate(&["lockout", "list"], &dir.0);
    assert!(out.status.success());
    let table = text(&out.stdout);
    let rows: Vec<&str> = table.lines().collect();
    assert_eq!(rows.len(), 4, "{table}");
    assert!(rows[0].starts_with("KIND"), "{table}");
    assert!(rows[1].starts_with("meeting  1000"), "{table}");
    assert!(table.contains("source   192.0.2.7"), "{table}");
    assert!(table.contains("source   2001:db8:1:2::/64"), "{table}");

    let out = roomgate(&["lockout", "list", "--json"], &dir.0);
    assert!(out.status.success());
    let json: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        json[0],
        serde_json::json!({"kind": "meeting", "key": "1000", "until": now + 900})
    );
    assert_eq!(json.len(), 3);

    // Clear by meeting, and by any address in the blocked /64.
    let out = roomgate(&["lockout", "clear", "--meeting", "1000"], &dir.0);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "cleared meeting 1000\n");
    let out = roomgate(
        &["lockout", "clear", "--source", "2001:db8:1:2::ffff"],
        &dir.0,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "cleared source 2001:db8:1:2::/64\n");

    let out = roomgate(&["lockout", "list", "--json"], &dir.0);
    let left = text(&out.stdout);
    assert_eq!(left.lines().count(), 1, "{left}");
    assert!(left.contains("192.0.2.7"));

    // Nothing to clear: exit 1 with the reason on stderr.
    let out = roomgate(&["lockout", "clear", "--meeting", "1000"], &dir.0);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("nothing to clear for meeting 1000"));

    // Usage errors are clap's (exit 2): neither or both targets, or a bad address.
    for args in [
        &["lockout", "clear"][..],
        &[
            "lockout",
            "clear",
            "--meeting",
            "1",
            "--source",
            "192.0.2.7",
        ],
        &["lockout", "clear", "--source", "not-an-ip"],
    ] {
        assert_eq!(roomgate(args, &dir.0).status.code(), Some(2), "{args:?}");
    }

    let out = roomgate(&["lockout", "clear", "--source", "192.0.2.7"], &dir.0);
    assert!(out.status.success());
    let out = roomgate(&["lockout", "list"], &dir.0);
    assert_eq!(text(&out.stdout), "no lockouts\n");
}
