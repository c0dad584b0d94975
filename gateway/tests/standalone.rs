//! The repository stands on its own: no tracked file may name the folder the project was first
//! developed beside (its relative path, two dots and a slash then "shared") or an absolute path
//! of one machine (a home or work directory), because a clone has neither. Test data lives in
//! `<crate>/tests/vectors/` and is read through `CARGO_MANIFEST_DIR`.
//!
//! The search runs `git grep` over the tracked files. Outside a git checkout (a source
//! tarball) there is nothing to search, and the test says so instead of failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap()
}

/// The forbidden paths as an extended regex, put together from pieces so that this file does
/// not match it itself.
fn pattern() -> String {
    let shared = [r"\.\./", "sha", "red"].concat();
    let homes = ["wo", "rk|ro", "ot|ho", "me|Us", "ers"].concat();
    // An absolute path starts the text or follows a character that cannot end a URL host or
    // a relative path (so the path of a URL, or one under `~/`, does not count).
    format!("{shared}|(^|[^A-Za-z0-9_.~-])/({homes})/")
}

/// Whether `root` is the top of a git work tree that git can read; why not, when not.
fn git_checkout(root: &Path) -> Result<(), String> {
    let out = Command::new("git")
        .args(["rev-parse", "--show-toplevel"])
        .current_dir(root)
        .output()
        .map_err(|e| format!("git is not available ({e})"))?;
    if !out.status.success() {
        return Err(format!(
            "{} is not a git checkout (a source tarball?)",
            root.display()
        ));
    }
    let top = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    match top.canonicalize() {
        Ok(top) if top == root => Ok(()),
        _ => Err(format!(
            "{} is inside another git work tree ({}), not a checkout of its own",
            root.display(),
            top.display()
        )),
    }
}

#[test]
fn no_tracked_file_names_a_path_outside_the_repository() {
    let root = repo();
    if let Err(why) = git_checkout(&root) {
        eprintln!("nothing to check: {why}");
        return;
    }
    let out = Command::new("git")
        .args(["grep", "-n", "-E", "-e", &pattern()])
        .current_dir(&root)
        .output()
        .unwrap();
    let found = String::from_utf8_lossy(&out.stdout);
    match out.status.code() {
        Some(1) => {}
        Some(0) => panic!(
            "tracked files name paths outside the repository (copy what they need into it):\n{found}"
        ),
        _ => panic!(
            "git grep failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

/// The pattern finds what it must and leaves ordinary text alone, checked with the same
/// `git grep` on a file outside the repository.
#[test]
fn the_pattern_finds_outside_paths_and_nothing_else() {
    if Command::new("git").arg("--version").output().is_err() {
        eprintln!("nothing to check: git is not available");
        return;
    }
    let dir = std::env::temp_dir().join(format!("roomgate-standalone-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let up = "..";
    let lines = [
        (format!("data in {up}/shared/conformance"), true),
        (format!("\"{up}/{up}/shared/DESIGN.md\""), true),
        (["see /ho", "me/alice/notes"].concat(), true),
        (["/wo", "rk/x/y"].concat(), true),
        (["cd /ro", "ot/.cargo"].concat(), true),
        (
            ["https://example.com/ho", "me/x and ~/.baresip/accounts"].concat(),
            false,
        ),
        (
            "shared by a cluster, sip/tests/vectors/rfc4475".to_owned(),
            false,
        ),
    ];
    let file = dir.join("sample.txt");
    let text: String = lines.iter().map(|(l, _)| format!("{l}\n")).collect();
    std::fs::write(&file, text).unwrap();
    let out = Command::new("git")
        .args([
            "grep",
            "--no-index",
            "-n",
            "-E",
            "-e",
            &pattern(),
            "--",
            "sample.txt",
        ])
        .current_dir(&dir)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "git grep failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let found = String::from_utf8_lossy(&out.stdout);
    for (i, (line, bad)) in lines.iter().enumerate() {
        let hit = found.lines().any(|l| l.contains(&format!(":{}:", i + 1)));
        assert_eq!(hit, *bad, "line {line:?}: found {found}");
    }
}
