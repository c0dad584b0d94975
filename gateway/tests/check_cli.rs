//! `roomgate check` as an operator runs it: the real binary on the embedded defaults, on the
//! shipped `examples/roomgate.toml` (with certificate files made here), and on files with a
//! typo'd key, an unreadable certificate, a media range over the SIP port and a key that is
//! not the certificate's, each named in its own message, all of them listed together when a
//! file has several. Also keeps the README's configuration reference equal to the example.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::TempDir;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `roomgate <args>` in `cwd`.
fn roomgate(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_roomgate"))
        .args(args)
        .current_dir(cwd)
        .env_remove("ROOMGATE_DATA")
        .output()
        .unwrap()
}

/// `check --config <text written to a file>` in `dir`: (exit code, stdout, listed problems).
fn check_text(dir: &TempDir, text: &str) -> (i32, String, Vec<String>) {
    let file = dir.join("roomgate.toml");
    std::fs::write(&file, text).unwrap();
    check_file(dir.path(), &file)
}

fn check_file(cwd: &Path, file: &Path) -> (i32, String, Vec<String>) {
    let out = roomgate(cwd, &["check", "--config", file.to_str().unwrap()]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    let problems = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("  - "))
        .map(str::to_owned)
        .collect::<Vec<_>>();
    if out.status.success() {
        assert!(problems.is_empty(), "exit 0 with problems: {stderr}");
    } else {
        assert!(
            stderr.contains(&format!(
                "serve would not start: {} problem(s)",
                problems.len()
            )),
            "{stderr}"
        );
    }
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        problems,
    )
}

/// Names of the files in `dir`, recursively, sorted.
fn files_in(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_in(&path));
        } else {
            out.push(path.display().to_string());
        }
    }
    out.sort();
    out
}

/// A CA, a leaf it signed and the leaf's key, as PEM files under `dir/tls/`.
fn make_tls(dir: &Path) {
    let tls = dir.join("tls");
    std::fs::create_dir_all(&tls).unwrap();
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "Roomgate check CA");
    let ca = ca.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&key, &ca, &ca_key)
        .unwrap();
    std::fs::write(tls.join("private-ca.pem"), ca.pem()).unwrap();
    std::fs::write(tls.join("cert.pem"), leaf.pem()).unwrap();
    std::fs::write(tls.join("key.pem"), key.serialize_pem()).unwrap();
}

#[test]
fn the_defaults_are_accepted_and_show_where_they_listen() {
    let dir = TempDir::new("check-defaults");
    let out = roomgate(dir.path(), &["check"]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{stdout}\n{:?}", out.stderr);
    for line in [
        "configuration: embedded defaults",
        "SIP UDP:       127.0.0.1:5060",
        "SIP TCP:       127.0.0.1:5060",
        "SIP TLS:       off (no sip.tls.certificate)",
        "admin HTTP:    127.0.0.1:8081 (API and /metrics)",
        // (then one relay worker per core of the machine)
        "media UDP:     127.0.0.1:20000-20999 (500 port pairs, ",
        "echo TLS:      127.0.0.1:0 (any free port)",
        "ng control:    off",
        "store:         sqlite ./roomgate-data/roomgate.sqlite3 (meetings, CDRs), \
         ./roomgate-data/lockout.sqlite3 (wrong-PIN budgets)",
        "ok: serve would start with this configuration",
    ] {
        assert!(
            stdout
                .lines()
                .any(|l| l == line || (line.ends_with(", ") && l.starts_with(line))),
            "no {line:?} in\n{stdout}"
        );
    }
    // One signalling thread per four cores, at least one.
    let per_four = (std::thread::available_parallelism().map_or(1, usize::from) / 4).max(1);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with(&format!("signalling:    {per_four} runtime thread"))),
        "{stdout}"
    );
    // It checks; it does not create the data directory or a token.
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn ng_control_is_shown_and_a_non_loopback_address_is_warned_about() {
    let dir = TempDir::new("check-ng");
    let file = dir.path().join("ng.toml");
    std::fs::write(&file, "[ng]\nlisten = \"127.0.0.1:22222\"\n").unwrap();
    let (code, stdout, problems) = check_file(dir.path(), &file);
    assert_eq!(code, 0, "{problems:?}");
    assert!(
        stdout
            .lines()
            .any(|l| l == "ng control:    UDP 127.0.0.1:22222"),
        "{stdout}"
    );
    // Allowed when configured, but named for what it is: an unauthenticated control port.
    std::fs::write(&file, "[ng]\nlisten = \"0.0.0.0:22222\"\n").unwrap();
    let (code, stdout, _) = check_file(dir.path(), &file);
    assert_eq!(code, 0);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("ng control:"))
        .unwrap();
    assert!(
        line.contains("0.0.0.0:22222")
            && line.contains("warning")
            && line.contains("no authentication"),
        "{line}"
    );
    // A port taken by another listener is a problem, as for every listener.
    std::fs::write(&file, "[ng]\nlisten = \"127.0.0.1:5060\"\n").unwrap();
    let (code, _, problems) = check_file(dir.path(), &file);
    assert_ne!(code, 0);
    assert!(
        problems.iter().any(|p| p.contains("ng.listen")),
        "{problems:?}"
    );
}

#[test]
fn a_gatekeeper_registration_is_shown_and_checked() {
    let dir = TempDir::new("check-gk");
    let file = dir.path().join("gk.toml");
    std::fs::write(
        &file,
        "[h323]\nlisten = [\"127.0.0.1:1720\"]\n[h323.gatekeeper]\nenabled = true\n\
         address = \"192.0.2.1:1719\"\ne164 = [\"4930\"]\n",
    )
    .unwrap();
    let (code, stdout, problems) = check_file(dir.path(), &file);
    assert_eq!(code, 0, "{problems:?}");
    let line = stdout
        .lines()
        .find(|l| l.starts_with("H.323 gatekeeper:"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        line.contains("192.0.2.1:1719")
            && line.contains("127.0.0.1:1719")
            && line.contains("roomgate, 4930"),
        "{line}"
    );
    // A wildcard listener without `advertise`, and an alias RAS cannot carry, are problems.
    std::fs::write(
        &file,
        "[h323]\nlisten = [\"0.0.0.0:1720\"]\n[h323.gatekeeper]\nenabled = true\n\
         e164 = [\"49-30\"]\n",
    )
    .unwrap();
    let (code, _, problems) = check_file(dir.path(), &file);
    assert_ne!(code, 0);
    assert!(
        problems.iter().any(|p| p.contains("advertise")),
        "{problems:?}"
    );
    assert!(problems.iter().any(|p| p.contains("E.164")), "{problems:?}");
}

#[test]
fn the_shipped_example_is_accepted() {
    let dir = TempDir::new("check-example");
    make_tls(dir.path());
    let before = files_in(dir.path());
    let (code, stdout, problems) = check_file(dir.path(), &repo().join("examples/roomgate.toml"));
    assert_eq!(code, 0, "{problems:?}\n{stdout}");
    assert!(
        stdout.contains("SIP TLS:       127.0.0.1:5061 (certificate tls/cert.pem)"),
        "{stdout}"
    );
    assert_eq!(files_in(dir.path()), before);
}

#[test]
fn the_readme_reference_is_the_example() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let section = readme
        .split("## Configuration reference")
        .nth(1)
        .expect("README has a configuration reference");
    let block = section
        .split("```toml\n")
        .nth(1)
        .and_then(|b| b.split("\n```").next())
        .expect("a toml block in it");
    let example = std::fs::read_to_string(repo().join("examples/roomgate.toml")).unwrap();
    assert_eq!(
        block.trim(),
        example.trim(),
        "README's configuration reference differs from examples/roomgate.toml"
    );
}

#[test]
fn a_typo_in_a_key_is_named() {
    let dir = TempDir::new("check-typo");
    let (code, _, problems) = check_text(&dir, "[sip]\nudp = []\n\n[media]\nport_mni = 40000\n");
    assert_eq!(code, 1);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].ends_with("roomgate.toml:5: media.port_mni: unknown field `port_mni`, expected one of `ip`, `port_min`, `port_max`, `inactivity_timeout_s`, `workers`"),
        "{problems:?}"
    );
}

#[test]
fn an_unreadable_certificate_is_named() {
    let dir = TempDir::new("check-cert");
    make_tls(dir.path());
    let (code, _, problems) = check_text(
        &dir,
        "[sip.tls]\ncertificate = \"tls/missing.pem\"\nprivate_key = \"tls/key.pem\"\n",
    );
    assert_eq!(code, 1);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("sip.tls.certificate tls/missing.pem: cannot read: "),
        "{problems:?}"
    );
    // A file that is there but holds no certificate is as bad.
    std::fs::write(dir.join("tls/empty.pem"), "not a certificate\n").unwrap();
    let (code, _, problems) = check_text(
        &dir,
        "[sip.tls]\ncertificate = \"tls/empty.pem\"\nprivate_key = \"tls/key.pem\"\n",
    );
    assert_eq!(code, 1);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("tls/empty.pem: no certificate found"),
        "{problems:?}"
    );
}

#[test]
fn a_media_range_over_the_sip_port_is_named_and_serve_refuses_it_too() {
    let dir = TempDir::new("check-overlap");
    let text = "[sip]\nudp = [\"127.0.0.1:40100\"]\n[media]\nport_min = 40000\nport_max = 40999\n";
    let (code, _, problems) = check_text(&dir, text);
    assert_eq!(code, 1);
    assert_eq!(
        problems,
        ["sip.udp UDP 127.0.0.1:40100 overlaps media UDP 127.0.0.1:40000-40999: they cannot both be bound"]
    );
    // The same rule stops `serve` before it binds anything.
    let out = roomgate(dir.path(), &["serve", "--config", "roomgate.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains(&problems[0]), "{stderr}");
    assert!(
        files_in(dir.path()).len() == 1,
        "{:?}",
        files_in(dir.path())
    );
}

#[test]
fn every_problem_of_a_file_is_listed() {
    let dir = TempDir::new("check-all");
    make_tls(dir.path());
    let (code, stdout, problems) = check_text(
        &dir,
        "[sip]\nudp = [\"127.0.0.1:20100\"]\ntcpp = []\n\n\
         [sip.tls]\ncertificate = \"tls/missing.pem\"\nprivate_key = \"tls/key.pem\"\n",
    );
    assert_eq!(code, 1);
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(problems[0].ends_with("roomgate.toml:3: sip.tcpp: unknown field `tcpp`, expected one of `udp`, `tcp`, `tls_listen`, `tls`, `auth`, `t1_ms`, `t2_ms`, `t4_ms`, `timer_d_ms`"), "{problems:?}");
    assert!(
        problems[1].starts_with("sip.udp UDP 127.0.0.1:20100 overlaps media"),
        "{problems:?}"
    );
    assert!(
        problems[2].starts_with("sip.tls.certificate tls/missing.pem: cannot read"),
        "{problems:?}"
    );
    // What the rest of the file says is still shown.
    assert!(
        stdout.contains("SIP UDP:       127.0.0.1:20100"),
        "{stdout}"
    );
}

#[test]
fn a_key_that_is_not_the_certificates_is_refused() {
    let dir = TempDir::new("check-mismatch");
    make_tls(dir.path());
    std::fs::write(
        dir.join("tls/other-key.pem"),
        KeyPair::generate().unwrap().serialize_pem(),
    )
    .unwrap();
    let (code, _, problems) = check_text(
        &dir,
        "[sip.tls]\ncertificate = \"tls/cert.pem\"\nprivate_key = \"tls/other-key.pem\"\n",
    );
    assert_eq!(code, 1);
    assert_eq!(
        problems,
        ["sip.tls.private_key tls/other-key.pem does not match the certificate in sip.tls.certificate tls/cert.pem"]
    );
    // The matching key passes.
    let (code, _, problems) = check_text(
        &dir,
        "[sip.tls]\ncertificate = \"tls/cert.pem\"\nprivate_key = \"tls/key.pem\"\n",
    );
    assert_eq!(code, 0, "{problems:?}");
}
