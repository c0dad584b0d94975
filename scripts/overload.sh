#!/usr/bin/env bash
# How Roomgate behaves past its capacity (issue 18): offer RATE calls/s (e.g. twice the highest
# zero-failure rate `scripts/load.sh` found) for SECONDS, and count how the calls end:
# completed, refused with 503 (overload control), or failed (timeouts and anything else).
# Memory (RSS) and the gauges are taken after a warm-up and again once the gateway is idle.
#
#   ./scripts/overload.sh RATE [SECONDS] [BINARY]
#
# BINARY defaults to a fresh release build of this tree; pass an older build to compare. The
# caller is gateway/tests/sipp/overload_uac.xml (load_uac.xml that takes a 503 as an outcome:
# sipp counts 503s in its scenario screen and fails only lost or broken calls); the upstream is
# load_uas.xml.
set -euo pipefail

cd "$(dirname "$0")/.."
RATE=${1:?usage: overload.sh RATE [SECONDS] [BINARY]}
SECS=${2:-20}
BIN=${3:-}
command -v sipp >/dev/null || { echo "sipp missing: apt-get install sip-tester" >&2; exit 2; }
if [ -z "$BIN" ]; then
    cargo build --release -p roomgate >&2
    BIN=${CARGO_TARGET_DIR:-$PWD/target}/release/roomgate
fi
BIN=$(realpath "$BIN")
SCEN=$PWD/gateway/tests/sipp
WORK=$(mktemp -d /tmp/roomgate-overload.XXXXXX)
SERVER_PID=
UAS_PIDS=()
cleanup() {
    [ -n "$SERVER_PID" ] && kill -KILL "$SERVER_PID" 2>/dev/null || true
    for pid in "${UAS_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
# The relay binds the RTP port of every pair at start (below the ranges the tests pick, and below
# the ephemeral ports): 18,000 ports, 4,500 calls at once, so at 3,000 calls/s and more it is
# the SIP core's capacity that is measured, not the range.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
. scripts/free-port.sh
SIP_PORT=$(free_port)
UAS_PORT=$(free_port)
cat >"$WORK/roomgate.toml" <<EOF
[sip]
udp = ["127.0.0.1:$SIP_PORT"]
tcp = ["127.0.0.1:$SIP_PORT"]
tls_listen = []
[limits]
transactions_per_source_per_second = 100000
transactions_burst = 100000
max_transactions = 1000000
[gateway]
max_calls = 10000
[media]
port_min = 14000
port_max = 31999
[echo]
enabled = false
[admin]
listen = "127.0.0.1:0"
EOF
(cd "$WORK" && exec env ROOMGATE_LOG=warn,roomgate::gauges=info "$BIN" serve --config roomgate.toml \
    >/dev/null 2>"$WORK/roomgate.log") &
SERVER_PID=$!
for _ in $(seq 100); do
    ss -lun | grep -q ":$SIP_PORT " && break
    sleep 0.1
done
kill -0 "$SERVER_PID" || { cat "$WORK/roomgate.log" >&2; exit 1; }
"$BIN" meeting add 5000 --upstream "sip:load@127.0.0.1:$UAS_PORT" --srtp off \
    --data-dir "$WORK/roomgate-data" >/dev/null

rss() { awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status"; }
gauges() { grep "gauges" "$WORK/roomgate.log" | tail -1 | sed 's/.*gauges //'; }
# Waits until the gauges show no call and no transaction (timers run out), at most 90 s.
wait_idle() {
    sleep 3 # a gauges line newer than the traffic (written every 2 s when changed)
    for _ in $(seq 180); do
        gauges | grep -q "^calls=0 relay_sessions=0 .* transactions=0 " && return 0
        sleep 0.5
    done
    echo "not idle: $(gauges)" >&2
}

# run NAME RATE SECONDS → the sipp output in $WORK/NAME
run() {
    local name=$1 rate=$2 secs=$3 calls dir
    calls=$((rate * secs))
    dir="$WORK/$name"
    mkdir -p "$dir"
    (cd "$dir" && sipp -sf "$SCEN/load_uas.xml" -i 127.0.0.1 -p "$UAS_PORT" -nostdin \
        -timeout $((secs + 60)) >uas.out 2>&1) &
    UAS_PIDS+=($!)
    sleep 0.5
    (cd "$dir" && sipp "127.0.0.1:$SIP_PORT" -sf "$SCEN/overload_uac.xml" -s 5000 -i 127.0.0.1 \
        -p "$(free_port)" -mp 32000 -r "$rate" -m "$calls" -d 1000 -l $((rate * 4)) \
        -nostdin -timeout $((secs + 40)) -trace_stat -stf stat.csv >uac.out 2>&1) || true
    kill -KILL "${UAS_PIDS[-1]}" 2>/dev/null || true
}

# Cumulative counters of the last line of sipp's -trace_stat file.
stat() {
    python3 - "$1" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1]), delimiter=';'))
head, last = rows[0], rows[-1]
want = ["TotalCallCreated(C)", "SuccessfulCall(C)", "FailedCall(C)", "FailedMaxUDPRetrans(C)",
        "FailedTimeoutOnRecv(C)", "FailedUnexpectedMessage(C)", "FailedCallRejected(C)", "Retransmissions(C)"]
print("  " + "  ".join(f"{w.replace('(C)', '')}={last[head.index(w)]}" for w in want if w in head))
PY
}
responses() {
    awk '/Scenario Screen/ {screen = ""} {screen = screen "\n" $0} END {print screen}' "$1" |
        awk -v code="$2" '$1 == code && $2 ~ /^<-/ {n += $3} END {print n + 0}'
}

echo "binary: $BIN" >&2
sleep 5 # the relay binds and starts its whole port range
kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/roomgate.log" >&2; exit 1; }
run warmup 100 5
echo "warm-up (100 calls/s for 5 s):"
stat "$WORK/warmup/stat.csv"
wait_idle
BASE_RSS=$(rss)
echo "baseline: RSS ${BASE_RSS} KiB; $(gauges)"
# ROUNDS > 1 repeats the overload: RSS that keeps growing round after round is a leak, RSS
# that stays put after the first is the allocator's high-water mark.
for round in $(seq "${ROUNDS:-1}"); do
    START=$(date +%s)
    run "overload$round" "$RATE" "$SECS"
    echo "round $round: offered ${RATE} calls/s for ${SECS} s ($((RATE * SECS)) calls), took $(($(date +%s) - START)) s:"
    stat "$WORK/overload$round/stat.csv"
    echo "  503 received: $(responses "$WORK/overload$round/uac.out" 503)"
    wait_idle
    echo "  after: RSS $(rss) KiB (baseline ${BASE_RSS}); $(gauges)"
done
PEAK=$(grep "gauges" "$WORK/roomgate.log" | sed 's/.*gauges //' | tr ' ' '\n' |
    awk -F= '$1 == "calls_in_setup" && $2 > s {s = $2} $1 == "queue_delay_ms" && $2 > q {q = $2}
             END {print "peak calls_in_setup=" s + 0 ", peak queue_delay_ms=" q + 0}')
echo "$PEAK"
echo "work dir: $WORK"
