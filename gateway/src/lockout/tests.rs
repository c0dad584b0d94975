use super::*;

/// A virtual clock's start: some time in 2023, in unix seconds.
const T0: u64 = 1_700_000_000;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// One complete wrong attempt at `now`.
fn wrong(b: &mut Budgets, now: u64, meeting: &str, source: &str) -> Result<(), Verdict> {
    let r = b.reserve(now, meeting, ip(source))?;
    b.settle(now, r, false);
    Ok(())
}

fn events(b: &mut Budgets) -> Vec<SecurityEvent> {
    std::iter::from_fn(|| b.poll_event()).collect()
}

/// Each failure from a different source, so only the meeting budget is in play.
fn spread(n: u32) -> String {
    format!("198.51.100.{}", n % 250)
}

#[test]
fn source_keys() {
    assert_eq!(source_key(ip("192.0.2.7")), "192.0.2.7");
    assert_eq!(source_key(ip("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
    assert_eq!(source_key(ip("2001:db8:1:2::ffff")), "2001:db8:1:2::/64");
    assert_eq!(source_key(ip("2001:db8:1:3::1")), "2001:db8:1:3::/64");
    assert_eq!(source_key(ip("::ffff:192.0.2.7")), "192.0.2.7");
}

#[test]
fn per_call_budget_disconnects_after_the_third_wrong_pin() {
    let mut call = CallAttempts::new(&LockoutConfig::default());
    assert!(!call.wrong_pin());
    assert!(!call.wrong_pin());
    assert!(call.wrong_pin());
    assert!(call.exhausted());
}

#[test]
fn meeting_locks_on_the_21st_failure_in_the_window_and_unlocks_after_15_minutes() {
    let mut b = Budgets::new(LockoutConfig::default());
    for n in 0..20 {
        wrong(&mut b, T0 + u64::from(n) * 10, "1000", &spread(n)).unwrap();
    }
    let now = T0 + 200;
    assert_eq!(b.check(now, "1000", ip("203.0.113.1")), Verdict::Allowed);
    wrong(&mut b, now, "1000", "203.0.113.1").unwrap();
    let until = now + 900;
    assert_eq!(
        b.check(now, "1000", ip("203.0.113.2")),
        Verdict::MeetingLocked { until }
    );
    assert_eq!(
        b.reserve(now + 1, "1000", ip("203.0.113.2")).unwrap_err(),
        Verdict::MeetingLocked { until }
    );
    // Other meetings are untouched.
    assert_eq!(b.check(now, "1001", ip("203.0.113.2")), Verdict::Allowed);
    let ev = events(&mut b);
    assert!(ev.contains(&SecurityEvent::MeetingLocked {
        time: now,
        meeting: "1000".into(),
        until
    }));
    assert!(ev.contains(&SecurityEvent::PinFailure {
        time: now,
        meeting: "1000".into(),
        source: ip("203.0.113.1"),
        attempt: 21
    }));
    assert_eq!(
        b.list(now),
        vec![Lockout {
            subject: Subject::Meeting("1000".into()),
            until
        }]
    );
    assert_eq!(
        b.check(until - 1, "1000", ip("203.0.113.2")),
        Verdict::MeetingLocked { until }
    );
    assert_eq!(b.check(until, "1000", ip("203.0.113.2")), Verdict::Allowed);
    assert!(b.list(until).is_empty());
}

#[test]
fn meeting_window_slides() {
    let mut b = Budgets::new(LockoutConfig::default());
    // 20 failures at T0, then 20 more after the first ones left the window: no lock.
    for n in 0..20 {
        wrong(&mut b, T0, "1000", &spread(n)).unwrap();
    }
    for n in 20..40 {
        wrong(&mut b, T0 + 600, "1000", &spread(n)).unwrap();
    }
    assert_eq!(
        b.check(T0 + 600, "1000", ip("203.0.113.9")),
        Verdict::Allowed
    );
    // One more within the window of the second 20 does lock.
    wrong(&mut b, T0 + 601, "1000", "203.0.113.9").unwrap();
    assert!(matches!(
        b.check(T0 + 601, "1000", ip("203.0.113.9")),
        Verdict::MeetingLocked { .. }
    ));
}

#[test]
fn source_is_blocked_after_10_failures_in_10_minutes_for_30_minutes() {
    let mut b = Budgets::new(LockoutConfig::default());
    let src = "192.0.2.7";
    for n in 0..9 {
        // Across meetings: the source budget is per source.
        wrong(&mut b, T0 + n * 60, &format!("m{n}"), src).unwrap();
    }
    assert_eq!(b.check(T0 + 540, "x", ip(src)), Verdict::Allowed);
    wrong(&mut b, T0 + 540, "m9", src).unwrap();
    let until = T0 + 540 + 1800;
    assert_eq!(
        b.check(T0 + 541, "x", ip(src)),
        Verdict::SourceBlocked { until }
    );
    assert!(events(&mut b).contains(&SecurityEvent::SourceBlocked {
        time: T0 + 540,
        source: ip(src),
        key: src.into(),
        until
    }));
    assert_eq!(b.check(T0 + 541, "x", ip("192.0.2.8")), Verdict::Allowed);
    assert_eq!(b.check(until, "x", ip(src)), Verdict::Allowed);
}

#[test]
fn source_failures_outside_the_window_do_not_count() {
    let mut b = Budgets::new(LockoutConfig::default());
    for n in 0..10 {
        wrong(&mut b, T0 + n * 61, "m", "192.0.2.7").unwrap();
    }
    // The tenth comes at 9 * 61 = 549 s, within the first one's window: all ten count.
    assert!(matches!(
        b.check(T0 + 549, "m", ip("192.0.2.7")),
        Verdict::SourceBlocked { .. }
    ));
    let mut b = Budgets::new(LockoutConfig::default());
    for n in 0..10 {
        wrong(&mut b, T0 + n * 67, "m", "192.0.2.7").unwrap();
    }
    // 9 * 67 = 603: the first has left the window, nine remain.
    assert_eq!(b.check(T0 + 603, "m", ip("192.0.2.7")), Verdict::Allowed);
}

#[test]
fn source_block_is_checked_before_the_meeting_lock() {
    let mut b = Budgets::new(LockoutConfig::default());
    for _ in 0..10 {
        wrong(&mut b, T0, "1000", "192.0.2.7").unwrap();
    }
    for n in 0..11 {
        wrong(&mut b, T0, "1000", &spread(n)).unwrap();
    }
    assert!(matches!(
        b.check(T0, "1000", ip("192.0.2.7")),
        Verdict::SourceBlocked { .. }
    ));
    assert!(matches!(
        b.check(T0, "1000", ip("192.0.2.99")),
        Verdict::MeetingLocked { .. }
    ));
}

#[test]
fn ipv6_sources_are_counted_per_64() {
    let mut b = Budgets::new(LockoutConfig::default());
    for n in 0..10 {
        // Ten different addresses in one /64.
        wrong(
            &mut b,
            T0,
            &format!("m{n}"),
            &format!("2001:db8:1:2::{:x}", n + 1),
        )
        .unwrap();
    }
    assert!(matches!(
        b.check(T0, "m", ip("2001:db8:1:2:ffff::1")),
        Verdict::SourceBlocked { .. }
    ));
    assert_eq!(b.check(T0, "m", ip("2001:db8:1:3::1")), Verdict::Allowed);
    assert_eq!(
        b.list(T0).first().map(|l| l.subject.clone()),
        Some(Subject::Source("2001:db8:1:2::/64".into()))
    );
}

#[test]
fn ipv4_mapped_ipv6_counts_as_its_ipv4_address() {
    let mut b = Budgets::new(LockoutConfig::default());
    for n in 0..5 {
        wrong(&mut b, T0, &format!("m{n}"), "::ffff:192.0.2.7").unwrap();
        wrong(&mut b, T0, &format!("n{n}"), "192.0.2.7").unwrap();
    }
    assert!(matches!(
        b.check(T0, "m", ip("192.0.2.7")),
        Verdict::SourceBlocked { .. }
    ));
}

#[test]
fn trusted_sources_are_exempt_from_the_source_budget_only() {
    let config = LockoutConfig {
        trusted_sources: vec![ip("192.0.2.1")],
        ..LockoutConfig::default()
    };
    let mut b = Budgets::new(config);
    for n in 0..15 {
        wrong(&mut b, T0, &format!("m{n}"), "192.0.2.1").unwrap();
    }
    assert_eq!(b.check(T0, "m", ip("192.0.2.1")), Verdict::Allowed);
    assert_eq!(b.check(T0, "m", ip("::ffff:192.0.2.1")), Verdict::Allowed);
    assert_eq!(b.tracked().1, 0, "trusted sources are not even tracked");
    // The meeting budget still applies to a trunk's callers.
    for _ in 0..21 {
        wrong(&mut b, T0, "1000", "192.0.2.1").unwrap();
    }
    assert!(matches!(
        b.check(T0, "1000", ip("192.0.2.1")),
        Verdict::MeetingLocked { .. }
    ));
}

#[test]
fn correct_pins_do_not_count() {
    let mut b = Budgets::new(LockoutConfig::default());
    for _ in 0..100 {
        let r = b.reserve(T0, "1000", ip("192.0.2.7")).unwrap();
        b.settle(T0, r, true);
    }
    assert_eq!(b.check(T0, "1000", ip("192.0.2.7")), Verdict::Allowed);
    assert!(b.poll_event().is_none());
    assert!(b.poll_write().is_none());
}

#[test]
fn reserve_before_verify_bounds_concurrent_attempts() {
    let mut b = Budgets::new(LockoutConfig::default());
    // 100 concurrent attempts from many sources on one meeting: only 21 get through to PIN
    // verification; the rest are refused before any of them has failed.
    let mut held = Vec::new();
    let mut refused = 0;
    for n in 0..100 {
        match b.reserve(T0, "1000", ip(&spread(n))) {
            Ok(r) => held.push(r),
            Err(v) => {
                assert_eq!(v, Verdict::InFlight);
                refused += 1;
            }
        }
    }
    assert_eq!(held.len(), 21);
    assert_eq!(refused, 79);
    for r in held {
        b.settle(T0 + 1, r, false);
    }
    assert!(matches!(
        b.check(T0 + 1, "1000", ip("192.0.2.200")),
        Verdict::MeetingLocked { .. }
    ));

    // One source, many meetings at once: at most 10 in flight.
    let mut b = Budgets::new(LockoutConfig::default());
    let held: Vec<_> = (0..50)
        .filter_map(|n| b.reserve(T0, &format!("m{n}"), ip("192.0.2.7")).ok())
        .collect();
    assert_eq!(held.len(), 10);
    // A correct PIN gives its slot back.
    let mut held = held.into_iter();
    if let Some(r) = held.next() {
        b.settle(T0, r, true);
    }
    assert!(b.reserve(T0, "other", ip("192.0.2.7")).is_ok());
}

#[test]
fn lost_reservations_stop_holding_budget() {
    let mut b = Budgets::new(LockoutConfig::default());
    let held: Vec<_> = (0..10)
        .filter_map(|n| b.reserve(T0, &format!("m{n}"), ip("192.0.2.7")).ok())
        .collect();
    assert_eq!(
        b.reserve(T0, "x", ip("192.0.2.7")).unwrap_err(),
        Verdict::InFlight
    );
    std::mem::forget(held);
    assert!(b
        .reserve(T0 + RESERVATION_TIMEOUT_S, "x", ip("192.0.2.7"))
        .is_ok());
}

#[test]
fn failures_kept_per_key_are_bounded() {
    let config = LockoutConfig {
        meeting_failures: 1000,
        ..LockoutConfig::default()
    };
    let mut b = Budgets::new(config);
    for n in 0..5000 {
        let _ = wrong(&mut b, T0, "1000", &spread(n));
    }
    let track = b.meetings.map.get("1000").unwrap();
    assert!(track.failures.len() <= 1001);
}

#[test]
fn tracked_keys_are_bounded_and_the_first_to_expire_goes_first() {
    let mut b = Budgets::new(LockoutConfig::default());
    // One key locked for a long time, then a flood of new keys.
    for n in 0..21 {
        wrong(&mut b, T0, "victim", &spread(n)).unwrap();
    }
    for n in 0..MAX_TRACKED_KEYS + 10 {
        let r = b.reserve(T0 + 1, &format!("flood{n}"), ip("192.0.2.2"));
        if let Ok(r) = r {
            b.settle(T0 + 1, r, true);
        }
    }
    let (meetings, _) = b.tracked();
    assert!(meetings <= MAX_TRACKED_KEYS);
    // The lock (expiring at T0 + 900) outlives the flood's keys (reservations released at
    // T0 + 1; they mattered until T0 + 1 + RESERVATION_TIMEOUT_S), so it is kept.
    assert!(matches!(
        b.check(T0 + 2, "victim", ip("192.0.2.3")),
        Verdict::MeetingLocked { .. }
    ));
}

#[test]
fn clear_unlocks_and_emits_a_store_write() {
    let mut b = Budgets::new(LockoutConfig::default());
    for n in 0..21 {
        wrong(&mut b, T0, "1000", &spread(n)).unwrap();
    }
    while b.poll_write().is_some() {}
    assert!(b.clear_meeting("1000"));
    assert_eq!(b.check(T0, "1000", ip("192.0.2.1")), Verdict::Allowed);
    assert_eq!(
        b.poll_write(),
        Some(StoreOp::Clear {
            subject: Subject::Meeting("1000".into())
        })
    );
    assert!(!b.clear_source("192.0.2.200"));
}

#[test]
fn events_are_one_json_line_without_a_pin() {
    let mut b = Budgets::new(LockoutConfig::default());
    for _ in 0..10 {
        wrong(&mut b, T0, "1000", "192.0.2.7").unwrap();
    }
    let lines: Vec<String> = events(&mut b).iter().map(|e| e.to_json_line()).collect();
    assert_eq!(
        lines.first().unwrap(),
        r#"{"event":"pin_failure","time":1700000000,"meeting":"1000","source":"192.0.2.7","attempt":1}"#
    );
    assert_eq!(
        lines.last().unwrap(),
        r#"{"event":"source_blocked","time":1700000000,"source":"192.0.2.7","key":"192.0.2.7","until":1700001800}"#
    );
    for l in &lines {
        assert!(!l.contains('\n'));
        assert!(!l.to_ascii_lowercase().contains("pin\""), "{l}");
    }
}

#[test]
fn budgets_survive_a_restart_through_sqlite() {
    let dir = std::env::temp_dir().join(format!(
        "roomgate-lockout-unit-{}-{}",
        std::process::id(),
        unix_seconds(SystemTime::now())
    ));
    let _ = std::fs::remove_dir_all(&dir);
    {
        let store = SqliteLockoutStore::open(&dir).unwrap();
        let mut b = Budgets::new(LockoutConfig::default());
        for n in 0..21 {
            wrong(&mut b, T0, "1000", &spread(n)).unwrap();
        }
        for n in 0..9 {
            wrong(&mut b, T0, &format!("m{n}"), "2001:db8::1").unwrap();
        }
        b.flush(&store).unwrap();
        // Dropped without any shutdown step, as after SIGKILL: every write was committed.
    }
    let store = SqliteLockoutStore::open(&dir).unwrap();
    let mut b = Budgets::load(LockoutConfig::default(), &store, T0 + 60).unwrap();
    assert_eq!(
        b.check(T0 + 60, "1000", ip("192.0.2.1")),
        Verdict::MeetingLocked { until: T0 + 900 }
    );
    // Nine failures of the /64 were restored: one more blocks it.
    wrong(&mut b, T0 + 60, "z", "2001:db8::2").unwrap();
    assert!(matches!(
        b.check(T0 + 60, "z", ip("2001:db8::3")),
        Verdict::SourceBlocked { .. }
    ));
    b.flush(&store).unwrap();
    // Bounded on disk as in memory: the block replaced the failures.
    let records = store.load(T0 + 60, 600).unwrap();
    let locks = records
        .iter()
        .filter(|r| matches!(r, Record::Lock { .. }))
        .count();
    let source_failures = records
        .iter()
        .filter(|r| matches!(r, Record::Failure { subject: Subject::Source(k), .. } if k.starts_with("2001")))
        .count();
    assert_eq!((locks, source_failures), (2, 0), "{records:?}");
    // After expiry, nothing is loaded.
    assert!(store.load(T0 + 60 + 1800, 600).unwrap().is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn default_config_parses_and_unknown_fields_are_rejected() {
    let c: crate::config::Config = toml::from_str(
        "[lockout]\nsource_failures = 5\ntrusted_sources = [\"192.0.2.1\", \"2001:db8::1\"]\n",
    )
    .unwrap();
    assert_eq!(c.lockout.source_failures, 5);
    assert_eq!(c.lockout.meeting_failures, 20);
    assert_eq!(c.lockout.trusted_sources.len(), 2);
    assert!(toml::from_str::<crate::config::Config>("[lockout]\nbogus = 1\n").is_err());
    let zero: crate::config::Config = toml::from_str("[lockout]\nmeeting_window_s = 0\n").unwrap();
    assert!(zero.check().is_err());
}
