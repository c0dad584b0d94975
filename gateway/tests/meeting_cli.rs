//! `roomgate meeting` as an operator runs it: the real binary on a real data directory. The
//! upstream password and the meeting PINs go in on stdin and must never come out: not on
//! stdout or stderr of any command, and never in anyone's argv; PINs are stored only as
//! argon2id hashes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const PASSWORD: &str = "Tr0ub4dor&3-never-printed";
/// PINs used below; six digits that appear nowhere else in these tests.
const PIN: &str = "739146";
const PIN2: &str = "582064";
const SECRETS: [&str; 3] = [PASSWORD, PIN, PIN2];

/// A data directory of its own under the temp dir, removed at the end.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let dir = std::env::temp_dir().join(format!(
            "roomgate-meeting-cli-{name}-{}-{nanos}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the binary with `args`, feeding `stdin`; checks that the password is in none of
/// argv, stdout and stderr, and that nothing panicked.
fn roomgate(args: &[&str], stdin: &str, env_data: Option<&Path>) -> Output {
    assert!(
        args.iter().all(|a| SECRETS.iter().all(|s| !a.contains(s))),
        "test bug: secret in argv"
    );
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_roomgate"));
    cmd.args(args)
        .env_remove("ROOMGATE_DATA")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(dir) = env_data {
        cmd.env("ROOMGATE_DATA", dir);
    }
    let mut child = cmd.spawn().unwrap();
    // While the child runs, its argv as the kernel shows it to every user.
    #[cfg(target_os = "linux")]
    if let Ok(cmdline) = std::fs::read(format!("/proc/{}/cmdline", child.id())) {
        let cmdline = String::from_utf8_lossy(&cmdline);
        assert!(SECRETS.iter().all(|s| !cmdline.contains(s)));
    }
    let mut pipe = child.stdin.take().unwrap();
    // The child may exit without reading (e.g. usage errors): a broken pipe is fine.
    let _ = pipe.write_all(stdin.as_bytes());
    drop(pipe);
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for secret in SECRETS {
        assert!(!stdout.contains(secret), "secret on stdout: {stdout}");
        assert!(!stderr.contains(secret), "secret on stderr: {stderr}");
    }
    // Nor any hash, even when the PIN is unknown to the test.
    assert!(!stdout.contains("argon2") && !stderr.contains("argon2"));
    assert!(!stderr.contains("panicked"), "{stderr}");
    out
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap()
}

#[test]
fn add_list_remove_through_the_binary() {
    let tmp = TempDir::new("main");
    let data = tmp.0.join("data");
    let d = data.to_str().unwrap();

    // Add with credentials; the password arrives on stdin with a trailing newline.
    let out = roomgate(
        &[
            "meeting",
            "add",
            "2000",
            "--upstream",
            "sips:room-2000@cloud.example.com",
            "--srtp",
            "optional",
            "--suite",
            "AEAD_AES_256_GCM",
            "--suite",
            "AES_CM_256_HMAC_SHA1_80",
            "--username",
            "gw-user",
            "--realm",
            "cloud.example.com",
            "--password-stdin",
            "--data-dir",
            d,
        ],
        &format!("{PASSWORD}\nignored second line\n"),
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "added meeting 2000\n");
    assert!(data.join("roomgate.sqlite3").is_file());

    // The password was stored: exactly the first line, without its newline.
    let conn_password = read_password_column(&data, "2000");
    assert_eq!(conn_password.as_deref(), Some(PASSWORD));

    // Add again: replaced, and it says so.
    let out = roomgate(
        &[
            "meeting",
            "add",
            "3000",
            "--upstream",
            "echo",
            "--data-dir",
            d,
        ],
        "",
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "added meeting 3000\n");
    let out = roomgate(
        &[
            "meeting",
            "add",
            "3000",
            "--upstream",
            "sip:3000@192.0.2.7:5070",
            "--srtp",
            "off",
            "--data-dir",
            d,
        ],
        "",
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "replaced meeting 3000\n");

    // Table: the demo meetings (first use of the directory), then ours, ordered by id.
    let out = roomgate(&["meeting", "list", "--data-dir", d], "", None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 5, "{table}");
    let cols = |l: &str| l.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
    assert_eq!(
        cols(lines[0]),
        ["ID", "UPSTREAM", "SRTP", "SUITES", "CREDENTIALS", "PIN"]
    );
    assert_eq!(
        cols(lines[1]),
        ["1000", "builtin:echo", "mandatory", "default", "no", "yes"]
    );
    assert_eq!(
        cols(lines[2]),
        ["1001", "builtin:echo", "mandatory", "default", "no", "no"]
    );
    assert_eq!(
        cols(lines[3]),
        [
            "2000",
            "sips:room-2000@cloud.example.com",
            "optional",
            "AEAD_AES_256_GCM,AES_256_CM_HMAC_SHA1_80",
            "gw-user",
            "(realm",
            "cloud.example.com)",
            "no"
        ]
    );
    assert_eq!(
        cols(lines[4]),
        [
            "3000",
            "sip:3000@192.0.2.7:5070",
            "off",
            "default",
            "no",
            "no"
        ]
    );

    // JSON lines, through ROOMGATE_DATA instead of --data-dir.
    let out = roomgate(&["meeting", "list", "--json"], "", Some(&data));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(json.len(), 4);
    assert_eq!(
        json[2],
        serde_json::json!({
            "id": "2000",
            "upstream": "sips:room-2000@cloud.example.com",
            "srtp": "optional",
            "suites": ["AEAD_AES_256_GCM", "AES_256_CM_HMAC_SHA1_80"],
            "credentials": {"username": "gw-user", "realm": "cloud.example.com"},
            "pin": false
        })
    );
    assert_eq!(json[0]["upstream"], "builtin:echo");
    assert_eq!(json[0]["pin"], true);
    assert_eq!(json[1]["pin"], false);
    assert_eq!(json[0]["credentials"], serde_json::Value::Null);
    assert_eq!(json[3]["srtp"], "off");

    // Remove, then remove again: exit 1 with a message.
    let out = roomgate(&["meeting", "remove", "2000", "--data-dir", d], "", None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "removed meeting 2000\n");
    let out = roomgate(&["meeting", "remove", "2000", "--data-dir", d], "", None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "");
    assert_eq!(text(&out.stderr), "roomgate: no meeting 2000\n");

    // Removed demo meetings stay removed.
    for id in ["1000", "1001"] {
        let out = roomgate(&["meeting", "remove", id, "--data-dir", d], "", None);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }
    let out = roomgate(&["meeting", "list", "--json", "--data-dir", d], "", None);
    let ids: Vec<String> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].to_string())
        .collect();
    assert_eq!(ids, ["\"3000\""]);
}

#[test]
fn invalid_input_exits_1_and_changes_nothing() {
    let tmp = TempDir::new("invalid");
    let data = tmp.0.join("data");
    let d = data.to_str().unwrap();
    for (args, reason) in [
        (vec!["bad id!", "--upstream", "echo"], "invalid meeting id"),
        (
            vec!["4000", "--upstream", "tel:+15551234"],
            "invalid upstream",
        ),
        (
            vec![
                "4000",
                "--upstream",
                "echo",
                "--suite",
                "SEED_CTR_128_HMAC_SHA1_80",
            ],
            "unknown SRTP suite",
        ),
        (
            vec![
                "4000",
                "--upstream",
                "echo",
                "--username",
                "u",
                "--password-stdin",
            ],
            "no password on standard input",
        ),
    ] {
        let mut argv = vec!["meeting", "add"];
        argv.extend(args);
        argv.extend(["--data-dir", d]);
        let out = roomgate(&argv, "", None);
        assert_eq!(out.status.code(), Some(1), "{argv:?}");
        let stderr = text(&out.stderr);
        assert!(stderr.contains(reason), "{argv:?}: {stderr}");
        assert_eq!(text(&out.stdout), "");
    }
    // Refused before the store was touched: the data directory was never created.
    assert!(!data.exists());

    // A password in the URI is refused, and not echoed back.
    let uri = format!("sip:alice:{}@example.com", "hunter2");
    let out = roomgate(
        &[
            "meeting",
            "add",
            "4000",
            "--upstream",
            &uri,
            "--data-dir",
            d,
        ],
        "",
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("password in the URI"));
}

#[test]
fn usage_errors_exit_2() {
    let tmp = TempDir::new("usage");
    let d = tmp.0.join("data");
    let d = d.to_str().unwrap();
    for argv in [
        // The password may not be given on the command line at all.
        vec![
            "meeting",
            "add",
            "1",
            "--upstream",
            "echo",
            "--password",
            "x",
        ],
        // Credentials come as a pair.
        vec![
            "meeting",
            "add",
            "1",
            "--upstream",
            "echo",
            "--username",
            "u",
        ],
        vec![
            "meeting",
            "add",
            "1",
            "--upstream",
            "echo",
            "--password-stdin",
        ],
        vec![
            "meeting",
            "add",
            "1",
            "--upstream",
            "echo",
            "--srtp",
            "maybe",
        ],
        vec!["meeting", "add", "1"],
        vec!["meeting", "remove"],
    ] {
        let mut argv = argv;
        argv.extend(["--data-dir", d]);
        let out = roomgate(&argv, PASSWORD, None);
        assert_eq!(out.status.code(), Some(2), "{argv:?}");
    }
    assert!(!tmp.0.exists());
}

#[test]
fn pins_are_read_from_stdin_and_stored_only_as_hashes() {
    let tmp = TempDir::new("pin");
    let data = tmp.0.join("data");
    let d = data.to_str().unwrap();

    // PIN alone: line 1.
    let out = roomgate(
        &[
            "meeting",
            "add",
            "5000",
            "--upstream",
            "echo",
            "--pin-stdin",
            "--data-dir",
            d,
        ],
        &format!("{PIN}\n"),
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "added meeting 5000\n");

    // Password and PIN: password line 1, PIN line 2.
    let out = roomgate(
        &[
            "meeting",
            "add",
            "5001",
            "--upstream",
            "sip:5001@192.0.2.9",
            "--username",
            "u",
            "--password-stdin",
            "--pin-stdin",
            "--data-dir",
            d,
        ],
        &format!("{PASSWORD}\n{PIN2}\n"),
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        read_password_column(&data, "5001").as_deref(),
        Some(PASSWORD)
    );

    let out = roomgate(&["meeting", "list", "--json", "--data-dir", d], "", None);
    let pins: Vec<(String, bool)> = text(&out.stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["id"].as_str().unwrap().to_owned(),
                v["pin"].as_bool().unwrap(),
            )
        })
        .collect();
    let expect = |v: &[(&str, bool)]| -> Vec<(String, bool)> {
        v.iter().map(|(id, p)| ((*id).to_owned(), *p)).collect()
    };
    assert_eq!(
        pins,
        expect(&[
            ("1000", true),
            ("1001", false),
            ("5000", true),
            ("5001", true)
        ])
    );
    let out = roomgate(&["meeting", "list", "--data-dir", d], "", None);
    let table = text(&out.stdout);
    let row = table.lines().find(|l| l.starts_with("5000 ")).unwrap();
    assert!(row.trim_end().ends_with("yes"), "{table}");

    // In the file: argon2id PHC strings, and the PIN as no column value anywhere.
    let hashes = pin_hash_column(&data);
    assert!(hashes["5000"].as_deref().unwrap().starts_with("$argon2id$"));
    assert!(hashes["5001"].as_deref().unwrap().starts_with("$argon2id$"));
    assert_eq!(hashes["1001"], None);
    assert_no_column_holds(&data, &[PIN, PIN2]);
    for file in ["roomgate.sqlite3", "roomgate.sqlite3-wal"] {
        if let Ok(bytes) = std::fs::read(data.join(file)) {
            let bytes = String::from_utf8_lossy(&bytes);
            assert!(!bytes.contains(PIN) && !bytes.contains(PIN2), "{file}");
        }
    }

    // The hashes verify, through the library the gateway uses, and the demo PIN is 1234.
    let store = roomgate::store::Store::open(&data).unwrap();
    let hash = |id: &str| store.get_meeting(id).unwrap().unwrap().pin_hash.unwrap();
    assert!(roomgate::pin::verify_pin(&hash("5000"), PIN));
    assert!(!roomgate::pin::verify_pin(&hash("5000"), PIN2));
    assert!(roomgate::pin::verify_pin(&hash("5001"), PIN2));
    assert!(roomgate::pin::verify_pin(&hash("1000"), "1234"));
    assert!(!roomgate::pin::verify_pin(&hash("1000"), "1235"));

    // set-pin replaces (and sets on an open meeting); clear-pin removes.
    let out = roomgate(
        &["meeting", "set-pin", "5000", "--data-dir", d],
        &format!("{PIN2}\n"),
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "PIN set for meeting 5000\n");
    assert!(roomgate::pin::verify_pin(&hash("5000"), PIN2));
    assert!(!roomgate::pin::verify_pin(&hash("5000"), PIN));
    let out = roomgate(&["meeting", "set-pin", "1001", "--data-dir", d], PIN, None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(roomgate::pin::verify_pin(&hash("1001"), PIN));
    let out = roomgate(&["meeting", "clear-pin", "5000", "--data-dir", d], "", None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "PIN cleared for meeting 5000\n");
    assert_eq!(store.get_meeting("5000").unwrap().unwrap().pin_hash, None);
    // The rest of 5001 survives a PIN change.
    let out = roomgate(&["meeting", "clear-pin", "5001", "--data-dir", d], "", None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        read_password_column(&data, "5001").as_deref(),
        Some(PASSWORD)
    );

    // Unknown meeting: exit 1. Bad PINs: exit 1, nothing changed, the input not echoed.
    let out = roomgate(&["meeting", "set-pin", "9999", "--data-dir", d], PIN, None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stderr), "roomgate: no meeting 9999\n");
    let out = roomgate(&["meeting", "clear-pin", "9999", "--data-dir", d], "", None);
    assert_eq!(out.status.code(), Some(1));
    for bad in ["", "\n", "12a4\n", "12345678901234567\n", "58 2064\n"] {
        let out = roomgate(&["meeting", "set-pin", "1000", "--data-dir", d], bad, None);
        assert_eq!(out.status.code(), Some(1), "{bad:?}");
        let stderr = text(&out.stderr);
        assert!(stderr.contains("PIN"), "{stderr}");
        assert!(
            !stderr.contains("12a4") && !stderr.contains("1234567"),
            "{stderr}"
        );
    }
    assert!(roomgate::pin::verify_pin(&hash("1000"), "1234"));
    assert_no_column_holds(&data, &[PIN, PIN2, "1234"]);
}

#[test]
fn a_pin_is_never_taken_from_argv() {
    let tmp = TempDir::new("pin-argv");
    let d = tmp.0.join("data");
    let d = d.to_str().unwrap();
    for argv in [
        vec!["meeting", "add", "1", "--upstream", "echo", "--pin", "1"],
        vec!["meeting", "set-pin", "1000", "1"],
        vec!["meeting", "set-pin", "1000", "--pin", "1"],
        vec!["meeting", "set-pin"],
        vec!["meeting", "clear-pin"],
    ] {
        let mut argv = argv;
        argv.extend(["--data-dir", d]);
        let out = roomgate(&argv, "1\n", None);
        assert_eq!(out.status.code(), Some(2), "{argv:?}");
    }
    assert!(!tmp.0.exists());
}

/// Every meeting's `pin_hash` column, straight from the SQLite file.
fn pin_hash_column(data: &Path) -> std::collections::HashMap<String, Option<String>> {
    let conn = rusqlite::Connection::open(data.join("roomgate.sqlite3")).unwrap();
    let mut stmt = conn.prepare("SELECT id, pin_hash FROM meetings").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// No column of any meeting row is, or contains, one of `values`.
fn assert_no_column_holds(data: &Path, values: &[&str]) {
    let conn = rusqlite::Connection::open(data.join("roomgate.sqlite3")).unwrap();
    let mut stmt = conn.prepare("SELECT * FROM meetings").unwrap();
    let n = stmt.column_count();
    let rows: Vec<Vec<Option<String>>> = stmt
        .query_map([], |r| (0..n).map(|i| r.get(i)).collect())
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(!rows.is_empty());
    for row in rows {
        for cell in row.into_iter().flatten() {
            for v in values {
                assert!(!cell.contains(v), "column value {cell:?} holds a PIN");
            }
        }
    }
}

/// Reads the stored password straight from the SQLite file, as an independent check that
/// the CLI stored what it read from stdin.
fn read_password_column(data: &Path, id: &str) -> Option<String> {
    let conn = rusqlite::Connection::open(data.join("roomgate.sqlite3")).unwrap();
    conn.query_row("SELECT password FROM meetings WHERE id = ?1", [id], |r| {
        r.get(0)
    })
    .unwrap()
}

#[test]
fn pin_flag_reads_the_pin_from_stdin() {
    let tmp = TempDir::new("pin-flag");
    let d = tmp.0.join("data");
    let d = d.to_str().unwrap();
    let out = roomgate(
        &[
            "meeting",
            "add",
            "7",
            "--upstream",
            "echo",
            "--pin",
            "--data-dir",
            d,
        ],
        "97531\n",
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let hash = pin_hash_column(&tmp.0.join("data"))["7"].clone().unwrap();
    assert!(roomgate::pin::verify_pin(&hash, "97531"));
}
