#!/usr/bin/env bash
# Memory per concurrent call (issues 16 and 18): resident memory (RSS) of `roomgate serve`
# grown per call, with SRTP on both legs, at each count given (default: 1000 and the most the
# file-descriptor limit allows).
#
#   ./scripts/memory-per-call.sh [CALLS...]
#   BIN=/path/to/roomgate ./scripts/memory-per-call.sh ...   # skip the release build
#
# Two measurements per count, each on a freshly started gateway (so no call reuses memory an
# earlier one freed, and the figure is the growth a first N calls cause):
#   sip:   N bridged calls held at once: sipp rooms offering SDES-SRTP (AES_CM_128, RTP/SAVP,
#          rtcp-mux; gateway/tests/sipp/srtp_hold_uac.xml) into a meeting whose upstream is a
#          sipp UAS answering AES_256_CM with rtcp-mux (srtp_hold_uas.xml): dialogs,
#          transactions, call state, relay sessions and SRTP contexts of both legs. No media
#          flows (sipp sends no SRTP).
#   relay: N calls set up through the same relay by `roomgate bench-relay --mode srtp
#          --rtcp-mux` over `[ng]`, carrying SRTP both ways (AES_CM_128 <-> AES_256_CM
#          re-encrypted, 10 packets/s per stream): the relay's share with its buffers busy.
# The per-call figure is (RSS with N calls - RSS before them) / N, after a warm-up of a few
# calls; file descriptors and the gauges are printed beside it. The largest count is what
# `ulimit -Hn` leaves after the relay's ports and a reserve for everything else: the relay
# binds the RTP port of each pair at start (two pairs a call), and with rtcp-mux on both legs
# no RTCP port, so a call costs two descriptors; or what the ports below the kernel's
# ephemeral range hold (four a call), whichever is less.
set -euo pipefail

cd "$(dirname "$0")/.."
command -v sipp >/dev/null || { echo "sipp missing: apt-get install sip-tester" >&2; exit 2; }
if [ -z "${BIN:-}" ]; then
    cargo build --release -p roomgate >&2
    BIN=${CARGO_TARGET_DIR:-$PWD/target}/release/roomgate
fi
BIN=$(realpath "$BIN")
SCEN=$PWD/gateway/tests/sipp
WORK=$(mktemp -d /tmp/roomgate-memory.XXXXXX)
SERVER_PID=
UAS_PID=
cleanup() {
    [ -n "$SERVER_PID" ] && kill -KILL "$SERVER_PID" 2>/dev/null || true
    [ -n "$UAS_PID" ] && kill -KILL "$UAS_PID" 2>/dev/null || true
}
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)"
FD_LIMIT=$(ulimit -n)
# Descriptors kept for everything but the relay's ports (listeners, stores, logs, runtime).
FD_RESERVE=400
# Relay ports start here: below the ephemeral range, above the ports below 1024.
PORT_MIN=1100
MOST=$(((FD_LIMIT - FD_RESERVE) / 2 / 100 * 100))
# Ports end below 32768 (the ephemeral range starts there), so at most that many calls.
MOST_BY_PORTS=$(((32768 - PORT_MIN - 100) / 4 / 100 * 100))
[ "$MOST" -gt "$MOST_BY_PORTS" ] && MOST=$MOST_BY_PORTS
COUNTS=("$@")
[ ${#COUNTS[@]} -eq 0 ] && COUNTS=(1000 "$MOST")
# bench-relay holds four descriptors per call of its own.
BENCH_MOST=$(((FD_LIMIT - 100) / 4))
[ "$BENCH_MOST" -gt 4000 ] && BENCH_MOST=4000

. scripts/free-port.sh

rss() { awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status"; }
fds() { find "/proc/$SERVER_PID/fd" -mindepth 1 -maxdepth 1 | wc -l; }
gauges() { grep "gauges" "$DIR/roomgate.log" | tail -1 | sed 's/.*gauges //'; }
gauge() { gauges | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k {print $2}'; }

# start_server NAME CALLS: a gateway sized for CALLS calls, meeting 5000 -> the UAS port.
start_server() {
    local name=$1 calls=$2 pairs
    DIR="$WORK/$name"
    mkdir -p "$DIR"
    SIP_PORT=$(free_port)
    UAS_PORT=$(free_port)
    NG_PORT=$(free_port)
    pairs=$((calls * 2 + 50))
    cat >"$DIR/roomgate.toml" <<EOF
[sip]
udp = ["127.0.0.1:$SIP_PORT"]
tcp = ["127.0.0.1:$SIP_PORT"]
tls_listen = []
[limits]
transactions_per_source_per_second = 100000
transactions_burst = 100000
max_transactions = 200000
[gateway]
max_calls = $((calls + 100))
[media]
port_min = $PORT_MIN
port_max = $((PORT_MIN + pairs * 2 - 1))
# sipp sends no media: calls must not end for want of it while they are counted.
inactivity_timeout_s = 3600
[echo]
enabled = false
[admin]
listen = "127.0.0.1:0"
[ng]
listen = "127.0.0.1:$NG_PORT"
EOF
    (cd "$DIR" && exec env ROOMGATE_LOG=warn,roomgate::gauges=info "$BIN" serve \
        --config roomgate.toml >/dev/null 2>"$DIR/roomgate.log") &
    SERVER_PID=$!
    for _ in $(seq 300); do
        ss -lun | grep -q ":$NG_PORT " && break
        sleep 0.1
    done
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$DIR/roomgate.log" >&2; exit 1; }
    "$BIN" meeting add 5000 --upstream "sip:mem@127.0.0.1:$UAS_PORT" --srtp mandatory \
        --suite AES_256_CM_HMAC_SHA1_80 --data-dir "$DIR/roomgate-data" >/dev/null
    sleep 3 # the relay binds its range; the first gauges line
}

stop_server() {
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}

# sip_calls N HOLD_S RATE: N SRTP calls at RATE calls/s, each held HOLD_S; returns at once
# (sipp runs in the background, its PID in UAC_PID).
sip_calls() {
    local n=$1 hold=$2 rate=$3
    # -mp: sipp's default media port (6000) lies in the relay's range.
    (cd "$DIR" && exec sipp -sf "$SCEN/srtp_hold_uas.xml" -i 127.0.0.1 -p "$UAS_PORT" -m "$n" \
        -mp "$(free_port)" \
        -nostdin -timeout $((hold + n / rate + 60)) >"uas-$n.out" 2>&1) &
    UAS_PID=$!
    sleep 0.5
    (cd "$DIR" && exec sipp "127.0.0.1:$SIP_PORT" -sf "$SCEN/srtp_hold_uac.xml" -s 5000 \
        -i 127.0.0.1 -p "$(free_port)" -mp "$(free_port)" -r "$rate" -m "$n" -d $((hold * 1000)) \
        -l "$n" -nostdin -timeout $((hold + n / rate + 60)) -trace_stat -stf "stat-$n.csv" \
        >"uac-$n.out" 2>&1) &
    UAC_PID=$!
}

# wait_calls N: until the gauges show N calls in progress and none in set-up (at most 120 s).
wait_calls() {
    for _ in $(seq 240); do
        [ "$(gauge calls)" = "$1" ] && [ "$(gauge calls_in_setup)" = 0 ] && return 0
        sleep 0.5
    done
    echo "  only $(gauges)" >&2
    return 1
}

# wait_steady: until no transaction is left (the INVITEs' own end 32 s after their answer),
# at most 60 s.
wait_steady() {
    for _ in $(seq 120); do
        [ "$(gauge transactions)" = 0 ] && return 0
        sleep 0.5
    done
}

sip_round() {
    local n=$1 base base_fd at at_fd steady ok rate=200 hold
    start_server "sip-$n" "$n"
    sip_calls 20 1 20
    wait "$UAC_PID" || { echo "warm-up failed: $DIR/uac-20.out" >&2; exit 1; }
    kill -KILL "$UAS_PID" 2>/dev/null || true
    wait_steady
    base=$(rss)
    base_fd=$(fds)
    hold=$((n / rate + 75))
    sip_calls "$n" "$hold" "$rate"
    ok=0
    wait_calls "$n" || ok=1
    sleep 3 # a gauges line with every call
    at=$(rss)
    at_fd=$(fds)
    echo "sip   calls=$n  base RSS ${base} KiB, fds ${base_fd}"
    echo "      all set up: RSS ${at} KiB, $(((at - base) * 1024 / n)) bytes per call; fds ${at_fd};" \
        "$(gauges)"
    wait_steady
    sleep 3
    steady=$(rss)
    echo "      steady (set-up transactions over): RSS ${steady} KiB," \
        "$(((steady - base) * 1024 / n)) bytes per call; $(gauges)"
    wait "$UAC_PID" || ok=1
    kill -KILL "$UAS_PID" 2>/dev/null || true
    python3 - "$DIR/stat-$n.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1]), delimiter=';'))
head, last = rows[0], rows[-1]
want = ["OutgoingCall(C)", "SuccessfulCall(C)", "FailedCall(C)"]
print("      sipp: " + "  ".join(f"{w.replace('(C)', '')}={last[head.index(w)]}" for w in want))
PY
    stop_server
    [ "$ok" = 0 ] || { echo "  round failed: see $DIR" >&2; return 1; }
}

relay_round() {
    local n=$1
    [ "$n" -gt "$BENCH_MOST" ] && n=$BENCH_MOST
    start_server "relay-$n" "$n"
    "$BIN" bench-relay --ng "127.0.0.1:$NG_PORT" --calls 10 --seconds 1 --mode srtp \
        --relay-pid "$SERVER_PID" >/dev/null 2>&1 || true
    sleep 1
    local out
    out=$("$BIN" bench-relay --ng "127.0.0.1:$NG_PORT" --calls "$n" --seconds 5 \
        --pps-per-stream 10 --mode srtp --rtcp-mux --relay-pid "$SERVER_PID" --json \
        2>"$DIR/bench.err") || true
    echo "$out" >"$DIR/bench.json"
    python3 - "$DIR/bench.json" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except ValueError:
    sys.exit("relay: no report (see bench.err beside " + sys.argv[1] + ")")
print(f"relay calls={r['calls']}  RSS {r['relay_rss_before_kib']} -> {r['relay_rss_kib']} KiB: "
      f"{r['relay_rss_per_call_bytes']} bytes per call; descriptors {r['relay_fds_before']} -> "
      f"{r['relay_fds']} (media flowing: "
      f"{r['delivered']} of {r['sent']} packets delivered, {r['corrupted']} corrupted, "
      f"{r['undecryptable']} undecryptable)")
PY
    stop_server
}

echo "binary: $BIN; file limit $FD_LIMIT (most calls: $MOST sip, $BENCH_MOST relay)" >&2
status=0
for n in "${COUNTS[@]}"; do
    sip_round "$n" || status=1
done
for n in "${COUNTS[@]}"; do
    relay_round "$n" || status=1
done
echo "work dir: $WORK"
exit $status
