//! The call core stays protocol-neutral: its manifest names no SIP or H.323 crate, so no
//! protocol type can reach it (a dependency added by mistake fails here, in CI).

#[test]
fn the_core_depends_on_no_protocol_crate() {
    let manifest = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
        .unwrap_or_default();
    assert!(manifest.contains("[dependencies]"), "manifest not read");
    for forbidden in [
        "roomgate-sip",
        "roomgate-h323",
        "roomgate-bfcp",
        "roomgate\"",
        "rsip",
    ] {
        let deps: Vec<&str> = manifest
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .filter(|l| l.contains(forbidden))
            .collect();
        assert!(
            deps.is_empty(),
            "the core must not depend on {forbidden}: {deps:?}"
        );
    }
}
