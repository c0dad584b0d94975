#!/usr/bin/env bash
# Installs the real H.323 peer the H.323 tests call: Asterisk with chan_ooh323 from Debian sid,
# in a debootstrap chroot (no H.323 program is packaged for the host's own release). Idempotent:
# a chroot that already has Asterisk and chan_ooh323 is reused, so only a fresh machine pays
# the few minutes and ~900 MB. Needs root (debootstrap, chroot, mount). Prints the chroot's
# path on success.
#
#   ROOMGATE_SIDROOT   where the chroot lives (default /opt/sidroot)
set -euo pipefail

ROOT="${ROOMGATE_SIDROOT:-/opt/sidroot}"

have_peer() {
    [[ -x "$ROOT/usr/sbin/asterisk" ]] && ls "$ROOT"/usr/lib/*/asterisk/modules/chan_ooh323.so >/dev/null 2>&1
}

mount_proc() {
    if ! mountpoint -q "$ROOT/proc"; then
        mount -t proc proc "$ROOT/proc"
    fi
}

if have_peer; then
    mount_proc
    echo "$ROOT"
    exit 0
fi

if [[ "$(id -u)" != 0 ]]; then
    echo "h323-peer: need root to build the sid chroot at $ROOT" >&2
    exit 1
fi

# The mirror apt already uses on this machine.
mirror=""
if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    mirror="$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)"
fi
if [[ -z "$mirror" && -f /etc/apt/sources.list ]]; then
    mirror="$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list)"
fi
mirror="${mirror:-http://deb.debian.org/debian}"

if ! command -v debootstrap >/dev/null; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends debootstrap
fi

if [[ ! -x "$ROOT/usr/bin/apt-get" ]]; then
    rm -rf "$ROOT"
    debootstrap --variant=minbase sid "$ROOT" "$mirror" >&2
fi
echo 'Acquire::Check-Valid-Until "false";' >"$ROOT/etc/apt/apt.conf.d/99novalid"
# Packages must not start services inside the chroot.
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
chmod +x "$ROOT/usr/sbin/policy-rc.d"
mount_proc
echo "127.0.0.1 localhost $(hostname)" >"$ROOT/etc/hosts"
chroot "$ROOT" sh -c 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends asterisk asterisk-ooh323 asterisk-modules' >&2

if ! have_peer; then
    echo "h323-peer: asterisk or chan_ooh323 missing after the install" >&2
    exit 1
fi
echo "$ROOT"
