//! `fail2ban/roomgate.conf` against the real `fail2ban-regex` (Debian package `fail2ban`), on
//! event lines produced by the lockout core: the filter must find every wrong PIN and every
//! source block, with the caller's address as the host, and nothing else.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::net::IpAddr;

use roomgate::lockout::{Budgets, LockoutConfig};

const T0: u64 = 1_700_000_000;

#[test]
fn fail2ban_regex_matches_pin_failures_and_source_blocks() {
    let mut b = Budgets::new(LockoutConfig::default());
    let mut wrong = |meeting: &str, source: &str| {
        let r = b
            .reserve(T0, meeting, source.parse::<IpAddr>().unwrap())
            .unwrap();
        b.settle(T0, r, false);
    };
    // 10 wrong PINs from one IPv4 source (the 10th blocks it), 10 from one IPv6 /64 (blocks
    // it), and 1 with a meeting ID that tries to forge a source address.
    for n in 0..10 {
        wrong(&format!("m{n}"), "192.0.2.7");
    }
    for n in 0..10 {
        wrong(&format!("v{n}"), &format!("2001:db8:1:2::{:x}", n + 1));
    }
    wrong("x\",\"source\":\"203.0.113.66", "198.51.100.5");
    // 21 on one meeting from many sources: the 21st locks it; that meeting_locked line must
    // not match (it names no source).
    for n in 0..21 {
        wrong("1000", &format!("198.51.100.{}", 10 + n));
    }
    let lines: Vec<String> = std::iter::from_fn(|| b.poll_event())
        .map(|e| e.to_json_line())
        .collect();
    let pin_failures = lines.iter().filter(|l| l.contains("pin_failure")).count();
    let blocks = lines
        .iter()
        .filter(|l| l.contains("source_blocked"))
        .count();
    let locks = lines
        .iter()
        .filter(|l| l.contains("meeting_locked"))
        .count();
    assert_eq!((pin_failures, blocks, locks), (42, 2, 1));

    let dir = std::env::temp_dir().join(format!("roomgate-f2b-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("security.log");
    std::fs::write(&log, lines.join("\n") + "\n").unwrap();
    // The summary, and the hosts fail2ban would ban (one per matched line).
    let (summary, hosts) = common::fail2ban_regex(&log);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        summary.contains(&format!(
            "Lines: {} lines, 0 ignored, 44 matched, 1 missed",
            lines.len()
        )),
        "{summary}"
    );
    assert_eq!(hosts.len(), 44, "{hosts:?}");
    let count = |h: &str| hosts.iter().filter(|x| *x == h).count();
    // 10 failures and the block.
    assert_eq!(count("192.0.2.7"), 11);
    // The block is reported with the address that tipped it.
    assert_eq!(count("2001:db8:1:2::a"), 2);
    // The forged address is never a host; the real caller is.
    assert_eq!(count("203.0.113.66"), 0);
    assert_eq!(count("198.51.100.5"), 1);
}
