//! Every test works on a real SQLite file in its own directory under the system temp dir.

use super::*;

/// A fresh data directory, removed when dropped.
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    pub(crate) fn new(name: &str) -> TempDir {
        static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let dir = std::env::temp_dir().join(format!(
            "roomgate-store-{name}-{}-{n}-{nanos}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        TempDir(dir)
    }
    /// The data directory, one level down so that creating it is part of the test.
    pub(crate) fn data(&self) -> PathBuf {
        self.0.join("data")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn full_meeting(id: &str) -> Meeting {
    Meeting {
        id: id.to_owned(),
        upstream: Upstream::Uri("sips:room-42@cloud.example.com;transport=tls".to_owned()),
        srtp: SrtpMode::Optional,
        suites: vec![
            "AEAD_AES_256_GCM".to_owned(),
            "AES_256_CM_HMAC_SHA1_80".to_owned(),
            "AES_CM_128_HMAC_SHA1_80".to_owned(),
        ],
        credentials: Some(UpstreamCredentials {
            username: "gateway-7".to_owned(),
            password: "correct horse battery staple".to_owned(),
            realm: Some("cloud.example.com".to_owned()),
        }),
        pin_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g".to_owned()),
    }
}

#[test]
fn every_field_round_trips() {
    let tmp = TempDir::new("roundtrip");
    let store = Store::open(&tmp.data()).unwrap();
    let full = full_meeting("room_1-A");
    assert!(!store.put_meeting(&full).unwrap());
    assert_eq!(store.get_meeting("room_1-A").unwrap(), Some(full));

    // The other variant of every optional field.
    let mut bare = Meeting::new("1002", Upstream::Echo);
    bare.srtp = SrtpMode::Off;
    bare.credentials = Some(UpstreamCredentials {
        username: "u".to_owned(),
        password: String::new(),
        realm: None,
    });
    store.put_meeting(&bare).unwrap();
    assert_eq!(store.get_meeting("1002").unwrap(), Some(bare));

    let plain = Meeting::new("1003", Upstream::Uri("sip:1003@192.0.2.1:5070".to_owned()));
    store.put_meeting(&plain).unwrap();
    assert_eq!(store.get_meeting("1003").unwrap(), Some(plain));

    assert_eq!(store.get_meeting("nope").unwrap(), None);
}

#[test]
fn put_replaces_and_reports_it() {
    let tmp = TempDir::new("replace");
    let store = Store::open(&tmp.data()).unwrap();
    store.put_meeting(&full_meeting("2000")).unwrap();
    let replacement = Meeting::new("2000", Upstream::Echo);
    assert!(store.put_meeting(&replacement).unwrap());
    // Replaced whole: no credentials, suites or PIN survive from the old row.
    assert_eq!(store.get_meeting("2000").unwrap(), Some(replacement));
    assert_eq!(store.list_meetings().unwrap().len(), 1);
}

#[test]
fn remove_says_whether_there_was_one() {
    let tmp = TempDir::new("remove");
    let store = Store::open(&tmp.data()).unwrap();
    store.put_meeting(&full_meeting("3000")).unwrap();
    assert!(store.remove_meeting("3000").unwrap());
    assert_eq!(store.get_meeting("3000").unwrap(), None);
    assert!(!store.remove_meeting("3000").unwrap());
}

#[test]
fn list_is_ordered_by_id() {
    let tmp = TempDir::new("list");
    let store = Store::open(&tmp.data()).unwrap();
    for id in ["b", "1001", "A", "1000", "999", "a-1"] {
        store
            .put_meeting(&Meeting::new(id, Upstream::Echo))
            .unwrap();
    }
    let ids: Vec<String> = store
        .list_meetings()
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(ids, ["1000", "1001", "999", "A", "a-1", "b"]);
}

#[test]
fn demo_meetings_are_seeded_once_and_stay_removed() {
    let tmp = TempDir::new("demo");
    let store = Store::open(&tmp.data()).unwrap();
    assert!(store.ensure_demo_meetings().unwrap());
    let demo = store.list_meetings().unwrap();
    let pin_hash = demo[0].pin_hash.clone().unwrap();
    assert!(crate::pin::verify_pin(&pin_hash, DEMO_PIN));
    assert_eq!(
        demo,
        vec![
            Meeting {
                pin_hash: Some(pin_hash),
                ..Meeting::new("1000", Upstream::Echo)
            },
            Meeting::new("1001", Upstream::Echo)
        ]
    );
    assert_eq!(demo[0].srtp, SrtpMode::Mandatory);
    assert!(demo[0].suites.is_empty() && demo[0].credentials.is_none());

    assert!(!store.ensure_demo_meetings().unwrap());
    assert!(store.remove_meeting("1000").unwrap());
    assert!(store.remove_meeting("1001").unwrap());
    assert!(!store.ensure_demo_meetings().unwrap());
    drop(store);
    // Not after a restart either: the flag is in the file.
    let store = Store::open(&tmp.data()).unwrap();
    assert!(!store.ensure_demo_meetings().unwrap());
    assert!(store.list_meetings().unwrap().is_empty());
}

#[test]
fn demo_seeding_keeps_a_meeting_the_operator_made_first() {
    let tmp = TempDir::new("demo-keep");
    let store = Store::open(&tmp.data()).unwrap();
    let mine = full_meeting("1000");
    store.put_meeting(&mine).unwrap();
    assert!(store.ensure_demo_meetings().unwrap());
    assert_eq!(store.get_meeting("1000").unwrap(), Some(mine));
    assert_eq!(
        store.get_meeting("1001").unwrap(),
        Some(Meeting::new("1001", Upstream::Echo))
    );
}

#[test]
fn data_survives_reopening_and_clones_share_it() {
    let tmp = TempDir::new("reopen");
    {
        let store = Store::open(&tmp.data()).unwrap();
        let clone = store.clone();
        clone.put_meeting(&full_meeting("4000")).unwrap();
        assert!(store.get_meeting("4000").unwrap().is_some());
    }
    let store = Store::open(&tmp.data()).unwrap();
    assert_eq!(
        store.get_meeting("4000").unwrap(),
        Some(full_meeting("4000"))
    );
    assert_eq!(store.path(), tmp.data().join(DB_FILE_NAME));
}

#[test]
fn opens_in_wal_mode_at_the_current_schema_version() {
    let tmp = TempDir::new("schema");
    let store = Store::open(&tmp.data()).unwrap();
    let conn = Connection::open(store.path()).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    // A second process with its own connection sees the first one's writes.
    store
        .put_meeting(&Meeting::new("5000", Upstream::Echo))
        .unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM meetings", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn refuses_a_database_from_a_newer_roomgate() {
    let tmp = TempDir::new("newer");
    drop(Store::open(&tmp.data()).unwrap());
    let conn = Connection::open(tmp.data().join(DB_FILE_NAME)).unwrap();
    conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    drop(conn);
    match Store::open(&tmp.data()) {
        Err(StoreError::SchemaTooNew {
            found, supported, ..
        }) => {
            assert_eq!(found, SCHEMA_VERSION + 1);
            assert_eq!(supported, SCHEMA_VERSION);
        }
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
}

#[cfg(unix)]
#[test]
fn directory_and_file_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = TempDir::new("perms");
    let store = Store::open(&tmp.data()).unwrap();
    store.put_meeting(&full_meeting("6000")).unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&tmp.data()), 0o700);
    assert_eq!(mode(store.path()), 0o600);
    let wal = tmp.data().join(format!("{DB_FILE_NAME}-wal"));
    assert_eq!(mode(&wal), 0o600);

    // A file someone opened up gets closed again on the next open.
    drop(store);
    std::fs::set_permissions(
        tmp.data().join(DB_FILE_NAME),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let store = Store::open(&tmp.data()).unwrap();
    assert_eq!(mode(store.path()), 0o600);
}

fn invalid(store: &Store, m: Meeting) -> MeetingError {
    match store.put_meeting(&m) {
        Err(StoreError::Invalid(e)) => e,
        other => panic!("{m:?} should be refused, got {other:?}"),
    }
}

#[test]
fn invalid_ids_are_refused() {
    let tmp = TempDir::new("bad-id");
    let store = Store::open(&tmp.data()).unwrap();
    let long = "1".repeat(MAX_ID_LEN + 1);
    for id in ["", "10 01", "1001@host", "é", "a.b", "../x", long.as_str()] {
        let e = invalid(&store, Meeting::new(id, Upstream::Echo));
        assert_eq!(e, MeetingError::BadId(id.to_owned()));
    }
    store
        .put_meeting(&Meeting::new("1".repeat(MAX_ID_LEN), Upstream::Echo))
        .unwrap();
    assert_eq!(store.list_meetings().unwrap().len(), 1);
}

#[test]
fn invalid_upstreams_are_refused() {
    let tmp = TempDir::new("bad-uri");
    let store = Store::open(&tmp.data()).unwrap();
    for uri in [
        "tel:+15551234",
        "https://cloud.example.com",
        "sip:",
        "sip:user@",
        "cloud.example.com",
        "sip:alice:hunter2@cloud.example.com",
        "echo",
    ] {
        let e = invalid(&store, Meeting::new("7000", Upstream::Uri(uri.to_owned())));
        assert!(
            matches!(e, MeetingError::BadUpstream { .. }),
            "{uri}: {e:?}"
        );
    }
    let long = format!("sip:{}@example.com", "a".repeat(MAX_URI_LEN));
    assert!(matches!(
        Upstream::parse(&long),
        Err(MeetingError::BadUpstream { .. })
    ));
    assert_eq!(Upstream::parse("echo").unwrap(), Upstream::Echo);
    assert_eq!(Upstream::parse(ECHO_UPSTREAM).unwrap(), Upstream::Echo);
    assert_eq!(
        Upstream::parse("SIPS:x@example.com").unwrap(),
        Upstream::Uri("SIPS:x@example.com".to_owned())
    );
    assert!(store.list_meetings().unwrap().is_empty());
}

#[test]
fn h323_upstreams_are_parsed_stored_and_kept_off_mandatory_srtp() {
    let tmp = TempDir::new("h323-upstream");
    let store = Store::open(&tmp.data()).unwrap();
    let parsed = |t: &str| crate::store::H323Target::parse(t);
    assert_eq!(
        parsed("h323:200@mcu.example.com").unwrap(),
        crate::store::H323Target {
            alias: "200".into(),
            host: "mcu.example.com".into(),
            port: 1720
        }
    );
    assert_eq!(parsed("h323:room-1@192.0.2.7:1721").unwrap().port, 1721);
    assert_eq!(
        parsed("h323:200@[2001:db8::7]:1730").unwrap().host,
        "2001:db8::7"
    );
    assert_eq!(parsed("h323:200@[2001:db8::7]").unwrap().port, 1720);
    for bad in [
        "h323:@host",
        "h323:200",
        "h323:200@",
        "h323:200@host:0",
        "h323:200@host:99999",
        "h323:a b@host",
        "h323:200@ho st",
        "h323:200@[2001:db8::7",
    ] {
        assert!(parsed(bad).is_err(), "{bad}");
        assert!(Upstream::parse(bad).is_err(), "{bad}");
    }
    let text = "h323:200@192.0.2.7:1721";
    let upstream = Upstream::parse(text).unwrap();
    assert_eq!(upstream, Upstream::H323(text.to_owned()));
    // Its media is RTP: a meeting requiring SRTP cannot have it.
    let e = invalid(&store, Meeting::new("7100", upstream.clone()));
    assert!(matches!(e, MeetingError::BadUpstream { .. }), "{e:?}");
    let mut m = Meeting::new("7100", upstream);
    m.srtp = SrtpMode::Off;
    assert!(
        !store.put_meeting(&m).unwrap(),
        "a new meeting, none replaced"
    );
    let back = store.get_meeting("7100").unwrap().unwrap();
    assert_eq!(back.upstream.as_str(), text);
}

#[test]
fn suites_are_checked_and_stored_in_standard_spelling() {
    let tmp = TempDir::new("suites");
    let store = Store::open(&tmp.data()).unwrap();
    let mut m = Meeting::new("8000", Upstream::Echo);
    m.suites = vec!["SEED_CTR_128_HMAC_SHA1_80".to_owned()];
    assert_eq!(
        invalid(&store, m.clone()),
        MeetingError::UnknownSuite("SEED_CTR_128_HMAC_SHA1_80".to_owned())
    );
    m.suites = vec![
        "AES_CM_256_HMAC_SHA1_80".to_owned(),
        "AES_256_CM_HMAC_SHA1_80".to_owned(),
    ];
    assert_eq!(
        invalid(&store, m.clone()),
        MeetingError::DuplicateSuite("AES_256_CM_HMAC_SHA1_80".to_owned())
    );
    m.suites = vec!["AES_CM_128_HMAC_SHA1_80".to_owned(); MAX_SUITES + 1];
    assert_eq!(invalid(&store, m.clone()), MeetingError::TooManySuites);

    m.suites = vec![
        "aes_cm_256_hmac_sha1_32".to_owned(),
        "AEAD_AES_128_GCM".to_owned(),
    ];
    store.put_meeting(&m).unwrap();
    assert_eq!(
        store.get_meeting("8000").unwrap().unwrap().suites,
        ["AES_256_CM_HMAC_SHA1_32", "AEAD_AES_128_GCM"]
    );
}

#[test]
fn invalid_credentials_are_refused_without_echoing_the_password() {
    let tmp = TempDir::new("bad-cred");
    let store = Store::open(&tmp.data()).unwrap();
    let secret = "p".repeat(MAX_PASSWORD_LEN + 1);
    for (username, password, realm) in [
        ("", "pw", None),
        ("a\"b", "pw", None),
        ("a\nb", "pw", None),
        ("ok", "pw", Some("")),
        ("ok", "pw", Some("r\u{1b}[31m")),
        ("ok", secret.as_str(), None),
    ] {
        let mut m = Meeting::new("9000", Upstream::Echo);
        m.credentials = Some(UpstreamCredentials {
            username: username.to_owned(),
            password: password.to_owned(),
            realm: realm.map(str::to_owned),
        });
        let e = invalid(&store, m);
        assert!(matches!(e, MeetingError::BadCredentials(_)), "{e:?}");
        assert!(!e.to_string().contains(&secret));
    }
}

#[test]
fn pin_is_set_and_cleared_without_touching_the_rest() {
    let tmp = TempDir::new("pin");
    let store = Store::open(&tmp.data()).unwrap();
    let mut m = full_meeting("2000");
    m.pin_hash = None;
    store.put_meeting(&m).unwrap();
    let phc = crate::pin::hash_pin("4711").unwrap();
    assert!(store.set_meeting_pin("2000", Some(&phc)).unwrap());
    let got = store.get_meeting("2000").unwrap().unwrap();
    assert!(crate::pin::verify_pin(
        got.pin_hash.as_deref().unwrap(),
        "4711"
    ));
    assert_eq!(got.credentials, m.credentials);
    assert!(store.set_meeting_pin("2000", None).unwrap());
    assert_eq!(store.get_meeting("2000").unwrap(), Some(m));
    assert!(!store.set_meeting_pin("nope", None).unwrap());
    assert!(matches!(
        store.set_meeting_pin("2000", Some("4711")),
        Err(StoreError::Pin(_))
    ));
}

#[test]
fn debug_output_shows_whether_there_is_a_pin_not_the_hash() {
    let m = full_meeting("1001");
    let hash = m.pin_hash.clone().unwrap();
    for text in [format!("{m:?}"), format!("{m:#?}")] {
        assert!(!text.contains(&hash) && !text.contains("argon2"), "{text}");
        assert!(text.contains("pin: true"), "{text}");
    }
    let open = Meeting::new("1002", Upstream::Echo);
    assert!(format!("{open:?}").contains("pin: false"));
}

#[test]
fn debug_output_never_contains_the_password() {
    let m = full_meeting("1001");
    let password = "correct horse battery staple";
    for text in [
        format!("{m:?}"),
        format!("{m:#?}"),
        format!("{:?}", m.credentials),
    ] {
        assert!(!text.contains(password), "{text}");
        assert!(text.contains("gateway-7"), "{text}");
    }
}

#[test]
fn hand_edited_rows_are_reported_as_corrupt() {
    let tmp = TempDir::new("corrupt");
    let store = Store::open(&tmp.data()).unwrap();
    let conn = Connection::open(store.path()).unwrap();
    conn.execute(
        "INSERT INTO meetings (id, upstream, srtp, suites) VALUES ('x', 'http://e', 'off', '')",
        [],
    )
    .unwrap();
    match store.get_meeting("x") {
        Err(StoreError::Corrupt { id, .. }) => assert_eq!(id, "x"),
        other => panic!("expected Corrupt, got {other:?}"),
    }
    assert!(matches!(
        store.list_meetings(),
        Err(StoreError::Corrupt { .. })
    ));
    conn.execute(
        "UPDATE meetings SET upstream = 'builtin:echo', password = 'pw' WHERE id = 'x'",
        [],
    )
    .unwrap();
    assert!(matches!(
        store.get_meeting("x"),
        Err(StoreError::Corrupt { .. })
    ));
}
