#!/usr/bin/env bash
# bench/run.sh: benchmark wscheck against its own echo server (`wscheck serve`) on loopback.
#
# Measures pipe throughput (100,000 lines), idle CPU (10 s), handshake latency and peak RSS, and,
# where websocat is installed, runs the same throughput workload through websocat for comparison.
# A benchmark, not a test: it fails only when it cannot measure (build error, lost echoes),
# never because a figure misses its goal. Prints a Markdown table and writes bench/results.md.
#
# Usage: bench/run.sh            (from anywhere; builds with `cargo build --release` first)
# Environment:
#   WEBSOCAT=/path/to/websocat   use this websocat instead of the one on PATH
#   BENCH_RUNS=3                 throughput runs per client; the median wall time is reported
#   BENCH_LINES=100000           lines piped through per throughput run
#   BENCH_IDLE_SECS=10           how long the idle-CPU session sits idle
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

LINES=${BENCH_LINES:-100000}
RUNS=${BENCH_RUNS:-3}
IDLE_SECS=${BENCH_IDLE_SECS:-10}
WAIT=200ms # wscheck's -w: quiet time it waits after stdin EOF before closing (default 1 s)
BIN=$ROOT/target/release/wscheck
RESULTS=$ROOT/bench/results.md

# Goals. The idle-CPU one comes from the issue (SPEC §5: "an idle connection costs no CPU");
# the others are proposed here so that a regression shows up (see bench/README.md).
GOAL_IDLE_MS=20
GOAL_RSS_KIB=16384 # 16 MiB
GOAL_HANDSHAKE_MS=10

say() { printf '%s\n' "$*" >&2; }
die() {
    say "bench: error: $*"
    exit 1
}

# --- tools ---------------------------------------------------------------------------------------
apt_install() { # apt_install PACKAGE: install a Debian package, only when running as root
    if [[ $(id -u) -ne 0 ]]; then
        die "$1 is missing; install it with: sudo apt-get install $1"
    fi
    say "bench: installing the Debian package '$1' (apt-get)"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >&2
}
[[ -x /usr/bin/time ]] || apt_install time
command -v hyperfine >/dev/null || apt_install hyperfine
command -v cargo >/dev/null || die "cargo not found (https://rustup.rs)"

WEBSOCAT=${WEBSOCAT:-$(command -v websocat || true)}
if [[ -n $WEBSOCAT && ! -x $WEBSOCAT ]]; then
    die "WEBSOCAT=$WEBSOCAT is not an executable"
fi

# --- build ---------------------------------------------------------------------------------------
say "bench: cargo build --release"
cargo build --release >&2
[[ -x $BIN ]] || die "$BIN was not built"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/wscheck-bench.XXXXXX")
SERVER_PID=
IDLE_PID=
cleanup() {
    exec 3>&-
    if [[ -n $IDLE_PID ]]; then kill "$IDLE_PID" 2>/dev/null || true; fi
    if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null || true; fi
    wait 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT

# --- helpers -------------------------------------------------------------------------------------
now_ns() { date +%s%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
verdict() { # verdict CONDITION-AS-AWK-EXPRESSION -> "met" / "MISSED"
    awk "BEGIN { print ($1) ? \"met\" : \"MISSED\" }"
}

# throughput NAME CMD...: pipe $LINES lines through CMD $RUNS times; sets TP_COUNT (echoes of the
# run with the fewest), TP_WALL_MS (median wall time), TP_RATE (echoes per second at the median),
# TP_RSS_KIB (highest peak RSS).
throughput() {
    local name=$1 i start end count rss
    shift
    local walls=() counts=() rsss=()
    for ((i = 1; i <= RUNS; i++)); do
        start=$(now_ns)
        if ! /usr/bin/time -f '%M' -o "$TMP/$name.time" "$@" <"$TMP/lines" >"$TMP/$name.out" 2>"$TMP/$name.err"; then
            say "bench: $name exited with an error; its stderr ends with:"
            tail -n 5 "$TMP/$name.err" >&2
            die "$name failed during the throughput run"
        fi
        end=$(now_ns)
        count=$(wc -l <"$TMP/$name.out")
        rss=$(tail -n 1 "$TMP/$name.time")
        walls+=("$(((end - start) / 1000))")
        counts+=("$count")
        rsss+=("$rss")
        say "bench:   $name run $i: $count echoes in $(((end - start) / 1000000)) ms, peak RSS $rss KiB"
    done
    TP_WALL_US=$(printf '%s\n' "${walls[@]}" | median)
    TP_COUNT=$(printf '%s\n' "${counts[@]}" | sort -n | head -n 1)
    TP_RSS_KIB=$(printf '%s\n' "${rsss[@]}" | sort -n | tail -n 1)
    TP_WALL_MS=$(awk -v u="$TP_WALL_US" 'BEGIN { printf "%.0f", u / 1000 }')
    TP_RATE=$(awk -v c="$TP_COUNT" -v u="$TP_WALL_US" 'BEGIN { printf "%.0f", c / (u / 1e6) }')
}

# --- server --------------------------------------------------------------------------------------
"$BIN" serve --port 0 >"$TMP/serve.out" 2>"$TMP/serve.err" &
SERVER_PID=$!
URL=
for _ in $(seq 1 100); do # the first stdout line is the URL; wait for it (at most 10 s)
    if [[ $(wc -l <"$TMP/serve.out") -ge 1 ]]; then
        URL=$(head -n 1 "$TMP/serve.out")
        break
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || die "wscheck serve exited: $(cat "$TMP/serve.err")"
    sleep 0.1
done
[[ $URL == ws://* ]] || die "wscheck serve did not print its URL (got '$URL')"
say "bench: echo server at $URL"

# --- 1. throughput -------------------------------------------------------------------------------
seq 1 "$LINES" >"$TMP/lines"
say "bench: 1. throughput: $LINES lines through 'wscheck -w $WAIT URL', $RUNS runs"
throughput wscheck "$BIN" -w "$WAIT" "$URL"
if [[ $TP_COUNT -ne $LINES ]]; then
    die "wscheck echoed $TP_COUNT of $LINES lines: replies were lost (the benchmark cannot go on)"
fi
cmp -s "$TMP/wscheck.out" "$TMP/lines" || die "wscheck's echoes differ from the lines sent (order or content)"
WS_RATE=$TP_RATE WS_WALL_MS=$TP_WALL_MS WS_RSS_KIB=$TP_RSS_KIB

# --- 2. idle CPU ---------------------------------------------------------------------------------
say "bench: 2. idle CPU: 'wscheck URL' with stdin open and idle for $IDLE_SECS s"
mkfifo "$TMP/idle.in"
"$BIN" -w "$WAIT" "$URL" <"$TMP/idle.in" >"$TMP/idle.out" 2>"$TMP/idle.err" &
IDLE_PID=$!
exec 3>"$TMP/idle.in" # hold the writing end open: stdin stays open, nothing arrives
sleep "$IDLE_SECS"
kill -0 "$IDLE_PID" 2>/dev/null || die "the idle wscheck exited early: $(tail -n 3 "$TMP/idle.err")"
[[ $(cat "/proc/$IDLE_PID/comm") == wscheck ]] || die "PID $IDLE_PID is not wscheck"
# utime and stime are fields 14 and 15 of /proc/PID/stat (after the ')' that ends the command name),
# in clock ticks, summed over all threads of the process, dead ones included.
read -r UTIME STIME < <(sed 's/.*) //' "/proc/$IDLE_PID/stat" | awk '{ print $12, $13 }')
TICK=$(getconf CLK_TCK)
IDLE_MS=$(((UTIME + STIME) * 1000 / TICK))
# The same figure with nanosecond resolution: on-CPU time of each live thread (schedstat field 1).
IDLE_PRECISE_MS=$(cat /proc/"$IDLE_PID"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.2f", s / 1e6 }')
IDLE_THREADS=$(find /proc/"$IDLE_PID"/task -mindepth 1 -maxdepth 1 | wc -l)
exec 3>&- # EOF: wscheck waits $WAIT of quiet, closes with 1000 and exits 0
wait "$IDLE_PID" || die "the idle wscheck exited with status $? after stdin EOF"
IDLE_PID=
say "bench:   utime+stime ${IDLE_MS} ms (tick $((1000 / TICK)) ms), schedstat ${IDLE_PRECISE_MS} ms, $IDLE_THREADS threads"

# --- 3. handshake --------------------------------------------------------------------------------
say "bench: 3. handshake: hyperfine --warmup 20 --runs 200 'wscheck --handshake-only URL'"
hyperfine -N --warmup 20 --runs 200 --export-json "$TMP/handshake.json" \
    "$BIN --handshake-only $URL" >&2
HS_MEDIAN_MS=$(grep -o '"median": *[0-9.eE+-]*' "$TMP/handshake.json" | head -n 1 |
    awk -F: '{ printf "%.2f", $2 * 1000 }')
[[ -n $HS_MEDIAN_MS ]] || die "no median in hyperfine's JSON"
/usr/bin/time -f '%M' -o "$TMP/hs.time" "$BIN" --handshake-only "$URL" >/dev/null 2>&1 ||
    die "wscheck --handshake-only failed"
HS_RSS_KIB=$(tail -n 1 "$TMP/hs.time")

# --- 4. websocat ---------------------------------------------------------------------------------
WSC_NOTE=
if [[ -n $WEBSOCAT ]]; then
    WSC_VERSION=$("$WEBSOCAT" --version 2>/dev/null | head -n 1)
    say "bench: 4. websocat ($WSC_VERSION): $LINES lines through 'websocat -q URL', $RUNS runs"
    throughput websocat "$WEBSOCAT" -q "$URL"
    WSC_RATE=$TP_RATE WSC_WALL_MS=$TP_WALL_MS WSC_RSS_KIB=$TP_RSS_KIB WSC_COUNT=$TP_COUNT
    if [[ $WSC_COUNT -ne $LINES ]]; then
        WSC_NOTE=" (websocat lost $((LINES - WSC_COUNT)) replies: it got $WSC_COUNT of $LINES)"
        say "bench:   websocat received $WSC_COUNT of $LINES echoes"
    fi
    RATIO=$(awk -v a="$WS_RATE" -v b="$WSC_RATE" 'BEGIN { printf "%.2f", a / b }')
else
    WSC_VERSION=
    echo "websocat: not installed, skipped (cargo install websocat)"
fi

# --- report --------------------------------------------------------------------------------------
{
    echo "## wscheck benchmark"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- src Cargo.toml Cargo.lock 2>/dev/null || echo ' + uncommitted changes'),"
    echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')), Linux $(uname -r), $(rustc --version)."
    echo "Loopback against \`wscheck serve\`. Throughput: $LINES lines (\`seq 1 $LINES\`), median of $RUNS runs,"
    echo "wall time of the whole run (process start to exit, handshake included) with \`-w $WAIT\`:"
    echo "wscheck waits $WAIT of quiet after stdin EOF before it closes, and that wait is in the figure."
    echo
    echo "| metric | value | goal | |"
    echo "|---|---|---|---|"
    echo "| throughput: echoes received | $LINES of $LINES | all | met |"
    if [[ -n $WEBSOCAT ]]; then
        echo "| throughput: msgs/s (wall ${WS_WALL_MS} ms) | $WS_RATE | ≥ websocat* | $(verdict "$RATIO >= 1") |"
    else
        echo "| throughput: msgs/s (wall ${WS_WALL_MS} ms) | $WS_RATE | ≥ websocat* | not measured |"
    fi
    echo "| throughput: peak RSS | $(mib "$WS_RSS_KIB") | < $(mib $GOAL_RSS_KIB)* | $(verdict "$WS_RSS_KIB < $GOAL_RSS_KIB") |"
    echo "| idle CPU, ${IDLE_SECS} s connected, stdin idle | ${IDLE_MS} ms (precise: ${IDLE_PRECISE_MS} ms) | < $GOAL_IDLE_MS ms | $(verdict "$IDLE_MS < $GOAL_IDLE_MS") |"
    echo "| handshake-only, start to exit (median of 200) | ${HS_MEDIAN_MS} ms | < $GOAL_HANDSHAKE_MS ms* | $(verdict "$HS_MEDIAN_MS < $GOAL_HANDSHAKE_MS") |"
    echo "| handshake-only: peak RSS | $(mib "$HS_RSS_KIB") | < $(mib $GOAL_RSS_KIB)* | $(verdict "$HS_RSS_KIB < $GOAL_RSS_KIB") |"
    if [[ -n $WEBSOCAT ]]; then
        echo "| websocat -q: echoes received | $WSC_COUNT of $LINES | — | |"
        echo "| websocat -q: msgs/s (wall ${WSC_WALL_MS} ms) | $WSC_RATE | — | |"
        echo "| websocat -q: peak RSS | $(mib "$WSC_RSS_KIB") | — | |"
        echo "| ratio wscheck / websocat msgs/s | ${RATIO}× | ≥ 1* | $(verdict "$RATIO >= 1") |"
    fi
    echo
    echo "Idle CPU is utime+stime from /proc/PID/stat (${IDLE_SECS} s, connect and handshake included, $((1000 / TICK)) ms ticks);"
    echo "\"precise\" sums the threads' on-CPU nanoseconds from /proc/PID/task/*/schedstat."
    echo "Goals marked * are proposed by bench/ (see bench/README.md); the idle-CPU goal is from the issue."
    if [[ -n $WEBSOCAT ]]; then
        echo "websocat: $WSC_VERSION, \`websocat -q URL < lines\`$WSC_NOTE."
    else
        echo "websocat: not installed, skipped (cargo install websocat)."
    fi
} >"$RESULTS"

echo
cat "$RESULTS"
say
say "bench: results written to ${RESULTS#"$ROOT"/}"
