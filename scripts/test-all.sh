#!/usr/bin/env bash
# Runs every check and test of the workspace: the one command for a fresh Debian machine and
# for CI (.ci/run). Installs the system packages the tests need when it can (root or sudo).
# Set ROOMGATE_SKIP_APT=1 to skip the package step.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages the build and the tests need: compilers and build tools for the -sys crates,
# sipp (sip-tester) and dnsmasq as real peers for the SIP and DNS tests, baresip (baresip-core:
# the binary and every module the tests load: aufile, sndfile, srtp, g711, g722, opus, menu,
# ctrl_tcp) as the real SIP peer with audio, libsrtp2 as the independent SRTP implementation the
# media tests and benchmarks compare against, tshark as the wire-format oracle (every BFCP
# version-1 message we encode must dissect cleanly), libre-dev (libre, baresip's library) as the
# real BFCP-over-UDP peer (bfcp/tests/libre.rs compiles a small C program against it), fail2ban
# (fail2ban-regex) to check our filter
# against the security events, redis-server as the real Redis the cluster backend (shared
# wrong-PIN budgets and meetings, gateway/tests/lockout_redis.rs) is tested against,
# openssh-server (/usr/sbin/sshd, started by gateway/tests/endpoint_ssh.rs on its own port with
# its own config and keys, never the system's) and openssh-client (ssh-keygen) as the real SSH
# console of a room system for `roomgate endpoint`, and kamailio (with its rtpengine module,
# shipped in the main package) as the real SIP proxy driving our relay over ng
# (gateway/tests/kamailio_ng.rs, started on its own ports with its own config).
APT_PACKAGES="build-essential pkg-config cmake nasm sip-tester dnsmasq-base baresip-core openssl libsrtp2-dev fail2ban redis-server tshark libre-dev openssh-server openssh-client kamailio"

step() {
    printf '\n==> %s\n' "$*"
}

install_packages() {
    if [[ "${ROOMGATE_SKIP_APT:-0}" == 1 ]] || ! command -v apt-get >/dev/null; then
        return 0
    fi
    local sudo=()
    if [[ "$(id -u)" != 0 ]]; then
        if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
            sudo=(sudo)
        else
            echo "not root and no sudo: skipping apt-get (need: $APT_PACKAGES)"
            return 0
        fi
    fi
    local missing=()
    for pkg in $APT_PACKAGES; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
    if ((${#missing[@]} == 0)); then
        echo "all present: $APT_PACKAGES"
        return 0
    fi
    "${sudo[@]}" apt-get update
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends "${missing[@]}"
}

# The real H.323 peer (Asterisk with chan_ooh323 in a Debian sid chroot, see
# scripts/h323-peer.sh): about 5 minutes and 900 MB on a fresh machine, instant when present.
# The H.323 interop tests (h323/tests/asterisk_peer.rs) start it with chroot, so they need root
# too; without it they fail and say why.
install_h323_peer() {
    local sudo=()
    if [[ "$(id -u)" != 0 ]]; then
        if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
            sudo=(sudo)
        else
            echo "not root and no sudo: cannot install the H.323 peer (scripts/h323-peer.sh);"
            echo "the H.323 interop tests will fail"
            return 0
        fi
    fi
    "${sudo[@]}" env ${ROOMGATE_SIDROOT:+ROOMGATE_SIDROOT="$ROOMGATE_SIDROOT"} ./scripts/h323-peer.sh
}

# A one-off build: incremental compilation would only add work and disk.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

step "system packages"
install_packages

step "H.323 peer (Asterisk + chan_ooh323 in a sid chroot)"
install_h323_peer

step "format (cargo fmt --check)"
cargo fmt --all -- --check
rustfmt --edition 2021 --check fuzz/fuzz_targets/*.rs

step "lint (cargo clippy -D warnings)"
cargo clippy --workspace --all-targets --all-features -- -D warnings

step "fuzz targets compile on stable"
# Type-checked, not built: the fuzz crate is its own workspace (dependencies at another
# optimisation level), so a build would compile and link everything a second time, while the
# logic the targets call is built and run by the corpus-replay tests below. Running a target
# needs cargo-fuzz (see Fuzzing in the README).
cargo check --manifest-path fuzz/Cargo.toml --bins --target-dir target

if cargo nextest --version >/dev/null 2>&1; then
    step "tests (cargo nextest)"
    cargo nextest run --workspace --all-features
    step "doc tests"
    cargo test --doc --workspace --all-features
else
    step "tests (cargo test)"
    cargo test --workspace --all-features
fi

step "benchmarks compile (dev profile: reuses the test build; cargo bench runs them optimised)"
# --workspace, so features unify as in the test build and its libraries are reused (with
# -p roomgate-benches alone, cargo resolves other features and compiles them again).
cargo build --workspace --benches --all-features

step "all checks passed"
