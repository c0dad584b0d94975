//! `roomgate meeting` as an operator runs it: the real binary on a real data directory. The
//! upstream password goes in on stdin and must never come out: not on stdout or stderr of any
//! command, and never in anyone's argv.
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
        args.iter().all(|a| !a.contains(PASSWORD)),
        "test bug: password in argv"
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
        assert!(!String::from_utf8_lossy(&cmdline).contains(PASSWORD));
    }
    let mut pipe = child.stdin.take().unwrap();
    // The child may exit without reading (e.g. usage errors): a broken pipe is fine.
    let _ = pipe.write_all(stdin.as_bytes());
    drop(pipe);
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stdout.contains(PASSWORD), "password on stdout: {stdout}");
    assert!(!stderr.contains(PASSWORD), "password on stderr: {stderr}");
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
        ["1000", "builtin:echo", "mandatory", "default", "no", "no"]
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

/// Reads the stored password straight from the SQLite file, as an independent check that
/// the CLI stored what it read from stdin.
fn read_password_column(data: &Path, id: &str) -> Option<String> {
    let conn = rusqlite::Connection::open(data.join("roomgate.sqlite3")).unwrap();
    conn.query_row("SELECT password FROM meetings WHERE id = ?1", [id], |r| {
        r.get(0)
    })
    .unwrap()
}
