#!/usr/bin/env bash
# Highest zero-failure call rate through Roomgate, against sipp→sipp directly, in one run.
#
#   ./scripts/load.sh [SECONDS_PER_STEP] [RATES...]
#   ROOMGATE_BASELINE=/path/to/older/roomgate ./scripts/load.sh ...
#
# Each step runs sipp's load caller (gateway/tests/sipp/load_uac.xml: PCMU offer, 1 s hold,
# BYE; no media) at one rate for SECONDS_PER_STEP (default 10) against
#   direct:   the load UAS (load_uas.xml) itself;
#   roomgate: a release `roomgate serve` whose meeting 5000 has that UAS as its upstream.
#   h323:     `roomgate h323-load` (fastStart Setups, tunnelled H.245, 1 s hold) into the same
#             meeting, so H.323 and SIP call-setup rates come from one run (every call from one
#             source on its own connection: the per-source H.323 limits are lifted).
# Each step also prints the gateway's CPU time per call (µs, from /proc over the step) and,
# when it refused calls, why (its overload refusals by reason over the step, from /metrics).
# The gateway's configured caps (per-source rates, max_calls, max_calls_in_setup,
# max_transactions) are lifted, so what stops it is its capacity: overload control still
# refuses new INVITEs once the SIP core falls behind (queue delay). A refusal counted as
# calls_in_setup_503 or transactions_503 in the step lines would mean a cap was left in place.
# A step passes when every call succeeded (sipp exit 0, no failed call; h323-load exit 0). The
# script prints the highest passing rate of each and their ratio (goal: Roomgate at least 0.8
# of direct).
# With ROOMGATE_BASELINE, an older build (e.g. `cargo build --release` of an earlier commit)
# runs beside this one with its own ports and data, and is stepped the same way in the same
# run, so before/after figures share the machine's state.
set -euo pipefail

cd "$(dirname "$0")/.."
STEP=${1:-10}
shift || true
RATES=("$@")
if [ ${#RATES[@]} -eq 0 ]; then
    RATES=(50 100 200 300 400 600 800 1000 1300 1600 2000 2500 3000 4000 5000)
fi

command -v sipp >/dev/null || { echo "sipp missing: apt-get install sip-tester" >&2; exit 2; }
cargo build --release -p roomgate >&2
BIN=target/release/roomgate
BASELINE=${ROOMGATE_BASELINE:-}
WORK=$(mktemp -d /tmp/roomgate-load.XXXXXX)
SERVER_PIDS=()
declare -A ADMIN_PORTS=()
UAS_PORT=
cleanup() {
    # SIGTERM drains (up to 40 s while transactions finish); the run is over, so do not wait.
    for pid in "${SERVER_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    pkill -f "load_uas.xml -i 127.0.0.1 -p ${UAS_PORT:-none}" 2>/dev/null || true
    pkill -f "load_uas.xml -i 127.0.0.1 -p ${BASE_UAS_PORT:-none}" 2>/dev/null || true
}
trap cleanup EXIT
# The relay binds the RTP port of every pair at start, RTCP ports as legs need them.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
. scripts/free-port.sh
UAS_PORT=$(free_port)
# The baseline's upstream is a UAS of its own: calls still in flight after one target's last
# step must not land on (and use up) the next target's UAS.
BASE_UAS_PORT=$(free_port)

# start_server NAME BINARY PORT_MIN PORT_MAX UAS_PORT: starts a gateway with meeting 5000 →
# the load UAS and sets SERVER_PORT to its SIP port (not in a subshell: its PID must stay
# known).
start_server() {
    local name=$1 bin=$2 pmin=$3 pmax=$4 uas=$5 dir h323="" admin
    SERVER_PORT=$(free_port)
    admin=$(free_port)
    ADMIN_PORTS[$name]=$admin
    # This build's H.323 listener (a baseline build may predate [h323]).
    if [ "$name" = roomgate ]; then
        H323_PORT=$(free_port)
        h323="[h323]
listen = [\"127.0.0.1:$H323_PORT\"]
setups_per_source_per_second = 100000
setups_burst = 100000
max_connections_per_source = 100000
max_connections = 100000"
    fi
    dir="$WORK/$name"
    mkdir -p "$dir"
    cat >"$dir/roomgate.toml" <<EOF
[sip]
udp = ["127.0.0.1:$SERVER_PORT"]
tcp = ["127.0.0.1:$SERVER_PORT"]
tls_listen = []
[limits]
transactions_per_source_per_second = 100000
transactions_burst = 100000
max_transactions = 1000000
max_calls_in_setup = 100000
[gateway]
max_calls = 10000
[media]
port_min = $pmin
port_max = $pmax
[echo]
enabled = false
[admin]
listen = "127.0.0.1:$admin"
$h323
EOF
    (cd "$dir" && exec env ROOMGATE_LOG=warn "$bin" serve --config roomgate.toml \
        >/dev/null 2>"$dir/roomgate.log") &
    SERVER_PIDS+=($!)
    for _ in $(seq 100); do
        grep -q "roomgate listening\|Error\|error" "$dir/roomgate.log" 2>/dev/null && break
        ss -lun | grep -q ":$SERVER_PORT " && break
        sleep 0.1
    done
    if ! kill -0 "${SERVER_PIDS[-1]}" 2>/dev/null; then
        echo "$name did not start:" >&2
        cat "$dir/roomgate.log" >&2
        exit 1
    fi
    "$bin" meeting add 5000 --upstream "sip:load@127.0.0.1:$uas" --srtp off \
        --data-dir "$dir/roomgate-data" >/dev/null
}

# The relay binds its whole port range at start: ranges below the ephemeral ports, and the
# same size for both builds when a baseline runs (11,000 ports each: 2,750 calls at once,
# two port pairs a call). Alone, this build gets 18,000 (4,500 calls: a 1-s hold at 3,000
# calls/s and more), within a file limit of 20,000.
if [ -n "$BASELINE" ]; then
    start_server roomgate "$PWD/$BIN" 20000 30999 "$UAS_PORT"
    SIP_PORT=$SERVER_PORT
    start_server baseline "$(realpath "$BASELINE")" 9000 19999 "$BASE_UAS_PORT"
    BASE_PORT=$SERVER_PORT
else
    start_server roomgate "$PWD/$BIN" 14000 31999 "$UAS_PORT"
    SIP_PORT=$SERVER_PORT
fi

# refusals LABEL: that gateway's overload refusals so far, by reason ("reason=n ..."; empty for
# "direct" or a build whose /metrics has no reasons).
refusals() {
    local name=roomgate
    [ "$1" = baseline ] && name=baseline
    [ "$1" = direct ] && return 0
    local port=${ADMIN_PORTS[$name]:-} token
    [ -n "$port" ] || return 0
    token=$(cat "$WORK/$name/roomgate-data/admin.token" 2>/dev/null) || return 0
    curl -s -m 2 -H "Authorization: Bearer $token" "http://127.0.0.1:$port/metrics" 2>/dev/null |
        sed -n 's/^roomgate_overload_refused_total{reason="\([a-z_]*\)"} \([0-9]*\)$/\1=\2/p' |
        tr '\n' ' ' || true
}

# refused_during LABEL BEFORE: the refusals by reason since BEFORE (as `refusals` printed it).
refused_during() {
    local after r name n before
    after=$(refusals "$1")
    [ -n "$after" ] || return 0
    r=""
    for kv in $after; do
        name=${kv%%=*}
        n=${kv#*=}
        before=$(echo "$2" | tr ' ' '\n' | sed -n "s/^$name=//p")
        r="$r ${name}_503=$((n - ${before:-0}))"
    done
    echo "$r"
}

# cpu_ticks LABEL: user+system clock ticks of that gateway so far (empty for "direct").
cpu_ticks() {
    local pid=
    case $1 in
        roomgate | h323) pid=${SERVER_PIDS[0]} ;;
        baseline) pid=${SERVER_PIDS[1]:-} ;;
    esac
    [ -n "$pid" ] && awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || true
}

# cpu_per_call LABEL TICKS_BEFORE CALLS: the gateway's CPU time per call over the step (µs),
# which, unlike the pass/fail rate, does not depend on how the 2 cores were shared.
cpu_per_call() {
    local after
    after=$(cpu_ticks "$1")
    [ -n "$2" ] && [ -n "$after" ] || return 0
    echo " cpu_us_per_call=$(( (after - $2) * 1000000 / $(getconf CLK_TCK) / $3 ))"
}

# run_step TARGET RATE LABEL → 0 when every call succeeded
run_step() {
    local target=$1 rate=$2 label=$3 uas=$UAS_PORT
    [ "$label" = baseline ] && uas=$BASE_UAS_PORT
    local calls=$((rate * STEP)) ticks refused
    ticks=$(cpu_ticks "$label")
    refused=$(refusals "$label")
    local dir="$WORK/$label-$rate"
    mkdir -p "$dir"
    (cd "$dir" && sipp -sf "$OLDPWD/gateway/tests/sipp/load_uas.xml" -i 127.0.0.1 -p "$uas" \
        -m "$calls" -nostdin -timeout $((STEP + 40)) -bg >/dev/null 2>&1 || true)
    local ok=0
    (cd "$dir" && sipp "$target" -sf "$OLDPWD/gateway/tests/sipp/load_uac.xml" -s 5000 -i 127.0.0.1 \
        -p "$(free_port)" -mp "$(free_port)" -r "$rate" -m "$calls" -d 1000 -l $((rate * 4)) \
        -nostdin -timeout $((STEP + 30)) -timeout_error -trace_stat -stf stat.csv \
        >uac.out 2>&1) || ok=1
    pkill -f "load_uas.xml -i 127.0.0.1 -p $uas" 2>/dev/null || true
    sleep 2
    local failed
    failed=$(grep -a "Failed call" "$dir/uac.out" | tail -1 | awk -F'|' '{gsub(/ /,"",$3); print $3}')
    echo "$label rate=$rate calls=$calls failed=${failed:-?} exit=$ok$(cpu_per_call "$label" "$ticks" "$calls")$(refused_during "$label" "$refused")" >&2
    [ "$ok" = 0 ] && [ "${failed:-1}" = 0 ]
}

best() {
    local target=$1 label=$2 top=0
    for r in "${RATES[@]}"; do
        if run_step "$target" "$r" "$label"; then top=$r; else break; fi
    done
    echo "$top"
}

# run_h323_step RATE → 0 when every H.323 call connected (same UAS upstream as the SIP steps)
run_h323_step() {
    local rate=$1 uas=$UAS_PORT
    local calls=$((rate * STEP)) ticks refused
    ticks=$(cpu_ticks h323)
    refused=$(refusals h323)
    local dir="$WORK/h323-$rate"
    mkdir -p "$dir"
    (cd "$dir" && sipp -sf "$OLDPWD/gateway/tests/sipp/load_uas.xml" -i 127.0.0.1 -p "$uas" \
        -m "$calls" -nostdin -timeout $((STEP + 40)) -bg >/dev/null 2>&1 || true)
    local ok=0
    "$BIN" h323-load --to "127.0.0.1:$H323_PORT" --meeting 5000 --rate "$rate" \
        --seconds "$STEP" --hold-ms 1000 >"$dir/report" 2>&1 || ok=1
    pkill -f "load_uas.xml -i 127.0.0.1 -p $uas" 2>/dev/null || true
    sleep 2
    echo "h323 rate=$rate $(cat "$dir/report")$(cpu_per_call h323 "$ticks" "$calls")$(refused_during h323 "$refused")" >&2
    [ "$ok" = 0 ]
}

DIRECT=$(best "127.0.0.1:$UAS_PORT" direct)
# With a baseline, ROOMGATE_BASELINE_FIRST=1 steps it before this build (run both orders to
# see what going second costs); between targets the calls left over from the last step finish.
if [ -n "$BASELINE" ] && [ "${ROOMGATE_BASELINE_FIRST:-0}" = 1 ]; then
    sleep 15
    BEFORE=$(best "127.0.0.1:$BASE_PORT" baseline)
fi
sleep 15
THROUGH=$(best "127.0.0.1:$SIP_PORT" roomgate)
sleep 15
H323=0
for r in "${RATES[@]}"; do
    if run_h323_step "$r"; then H323=$r; else break; fi
done
if [ -n "$BASELINE" ] && [ "${ROOMGATE_BASELINE_FIRST:-0}" != 1 ]; then
    sleep 15
    BEFORE=$(best "127.0.0.1:$BASE_PORT" baseline)
fi
echo
echo "highest zero-failure rate (calls/s, 1 s hold, ${STEP} s per step, $(nproc) cores):"
echo "  sipp -> sipp directly:         $DIRECT"
echo "  sipp -> roomgate -> sipp:      $THROUGH"
echo "  h323 -> roomgate -> sipp:      $H323  (roomgate h323-load, H.323 room to the same SIP meeting)"
if [ "$DIRECT" -gt 0 ]; then
    python3 -c "print(f'  ratio roomgate/direct:         {$THROUGH/$DIRECT:.2f}  (goal >= 0.80)')"
fi
if [ -n "$BASELINE" ]; then
    echo "  sipp -> baseline -> sipp:      $BEFORE  ($BASELINE)"
    if [ "$BEFORE" -gt 0 ]; then
        python3 -c "print(f'  ratio this build/baseline:     {$THROUGH/$BEFORE:.2f}')"
    fi
fi
