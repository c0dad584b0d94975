#!/usr/bin/env bash
# Our relay against rtpengine, driven by the same generator in the same run.
#
#   ./scripts/bench-relay.sh [sweep|fixed] [MODES...]        # default: sweep plain srtp gcm
#   SECONDS_PER_STEP=5 START_CALLS=100 FIXED_CALLS=200 ROUNDS=3 ./scripts/bench-relay.sh fixed
#   WORKERS="1 2" ./scripts/bench-relay.sh fixed srtp       # one gateway per worker count
#   ROOMGATE_BASELINE=/path/to/older/roomgate WORKERS=1 ./scripts/bench-relay.sh fixed srtp
#
# Starts a release `roomgate serve` with `[ng] listen` per entry of WORKERS (default "1 2":
# `[media] workers`, relay worker threads; `ours-wN` in the output) and, when installed
# (`apt-get install rtpengine-daemon`), rtpengine in userspace (`--table=-1`, no kernel
# forwarding), each with its own port range, then for each mode runs `roomgate bench-relay`
# against one, then the other:
#   sweep: `--sweep` from START_CALLS calls (SECONDS_PER_STEP each): every step, the best
#          passing one (p99 < 10 ms, loss < 0.1 %, generator on schedule) and the overload step;
#   fixed: FIXED_CALLS calls for 10 s, ROUNDS rounds alternating the relays, for the
#          packets per relay CPU-second of each at the same offered rate.
# The relays' CPU time is read from /proc; the generator shares the machine's cores with
# them, which is why packets per relay CPU-second is the figure to compare.
set -euo pipefail

cd "$(dirname "$0")/.."
WHAT=${1:-sweep}
shift || true
MODES=("$@")
if [ ${#MODES[@]} -eq 0 ]; then
    MODES=(plain srtp gcm)
fi
STEP=${SECONDS_PER_STEP:-5}
START=${START_CALLS:-100}
FIXED=${FIXED_CALLS:-200}
ROUNDS=${ROUNDS:-3}

cargo build --release -p roomgate >&2
BIN_DIR=$(cd "${CARGO_TARGET_DIR:-target}" && pwd)
BIN=$BIN_DIR/release/roomgate
WORK=$(mktemp -d /tmp/roomgate-bench-relay.XXXXXX)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
# The relay binds the RTP port of every pair at start; the generator holds four descriptors a call.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
free_udp() {
    python3 -c '
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
print(u.getsockname()[1]); u.close()'
}
# A free range of `$1` consecutive UDP ports below the ephemeral range.
free_range() {
    python3 -c '
import socket, sys
n = int(sys.argv[1])
for base in range(12000, 32000 - n, 500):
    socks = []
    try:
        for p in range(base, base + n):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", p)); socks.append(s)
        print(base, base + n - 1); break
    except OSError:
        pass
    finally:
        for s in socks: s.close()
' "$1"
}

RELAYS=()
# name:binary:workers (workers empty: the key is left out, for builds older than it)
INSTANCES=()
for workers in ${WORKERS:-1 2}; do
    INSTANCES+=("ours-w$workers:$BIN:$workers")
done
if [ -n "${ROOMGATE_BASELINE:-}" ]; then
    INSTANCES+=("baseline:$ROOMGATE_BASELINE:${BASELINE_WORKERS:-}")
fi
for instance in "${INSTANCES[@]}"; do
name=${instance%%:*}
rest=${instance#*:}
bin=${rest%:*}
workers=${rest##*:}
OURS_NG=$(free_udp)
SIP=$(free_udp)
read -r MIN MAX < <(free_range 6000)
mkdir -p "$WORK/$name"
cat >"$WORK/$name/roomgate.toml" <<EOF
[sip]
udp = ["127.0.0.1:$SIP"]
tcp = ["127.0.0.1:$SIP"]
tls_listen = []
[media]
port_min = $MIN
port_max = $MAX
${workers:+workers = $workers}
[ng]
listen = "127.0.0.1:$OURS_NG"
[h323]
listen = ["127.0.0.1:0"]
[admin]
listen = "127.0.0.1:0"
[gateway]
max_calls = 4000
EOF
(cd "$WORK/$name" && ROOMGATE_LOG=warn exec "$bin" serve --config roomgate.toml) \
    2>"$WORK/$name/roomgate.log" &
PIDS+=($!)
RELAYS+=("$name:$OURS_NG")
# Bound before the next range is looked for.
sleep 2
done
if command -v rtpengine >/dev/null; then
    RTPE_NG=$(free_udp)
    # Its ports are bound per call, from the ephemeral range's top (no kernel module: --table=-1).
    # --config-file=none: not Debian's /etc/rtpengine/rtpengine.conf (its CLI and HTTP ports).
    rtpengine --config-file=none --interface=127.0.0.1 --listen-ng="127.0.0.1:$RTPE_NG" \
        --foreground --table=-1 --log-stderr -L 4 --port-min=40000 --port-max=59999 \
        --pidfile="$WORK/rtpengine.pid" 2>"$WORK/rtpengine.log" &
    PIDS+=($!)
    RELAYS+=("rtpengine:$RTPE_NG")
else
    echo "rtpengine missing (apt-get install rtpengine-daemon): ours only" >&2
fi
sleep 3
echo "# $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
if [ "$WHAT" = sweep ]; then
    for mode in "${MODES[@]}"; do
        for relay in "${RELAYS[@]}"; do
            echo "=== ${relay%%:*} $mode (load $(cut -d' ' -f1 /proc/loadavg))"
            "$BIN" bench-relay --ng "127.0.0.1:${relay##*:}" --mode "$mode" \
                --calls "$START" --seconds "$STEP" --sweep || true
        done
    done
else
    for round in $(seq "$ROUNDS"); do
        for mode in "${MODES[@]}"; do
            for relay in "${RELAYS[@]}"; do
                printf '%s round=%s load=%s ' "${relay%%:*}" "$round" "$(cut -d' ' -f1 /proc/loadavg)"
                "$BIN" bench-relay --ng "127.0.0.1:${relay##*:}" --mode "$mode" \
                    --calls "$FIXED" --seconds 10 || true
                sleep 1
            done
        done
    done
fi
