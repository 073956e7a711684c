#!/usr/bin/env bash
# writes.sh: durable creates (POST /tickets) repeated on fresh databases, for a median.
#
#   bench/writes.sh [BUILD_DIR]      (default: build)
#
# One `POST /tickets` run says little on a virtual machine: the time of an fsync varies from
# run to run, and with it the creates per second (1,645 to 2,526/s at 16 connections in five
# runs of the same binary). This script makes BENCH_REPEAT (5) fresh demo databases and, on
# each, runs bench/post_ticket.lua with wrk for BENCH_SECONDS (10) at 16 connections, then at
# one sequential client; it prints every run (req/s, p50/p99, the server's CPU per create
# from /proc: utime + stime over the run divided by the creates) and the median of each.
# A benchmark, never a test. Environment: BENCH_REPEAT, BENCH_SECONDS, BENCH_HOTLINED (time
# another hotlined), BENCH_KEEP=1 keeps the last temporary directory.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
bench_build "${1:-build}" "${BENCH_HOTLINED:-}"
secs=${BENCH_SECONDS:-10}
repeat=${BENCH_REPEAT:-5}
bench_need wrk "wrk is not installed (Debian: apt-get install wrk)"
bench_need curl "curl is needed to log in"
bench_need python3 "python3 is needed to read the login answer"
bench_tmp hotlined-writes
export BENCH_DIR="$here"
tck=$(getconf CLK_TCK)
load_before=$(bench_loadavg)

# The server's CPU time so far, in clock ticks.
server_ticks() {
    awk '{print $14 + $15}' "/proc/$pid/stat"
}

# post_run NAME THREADS CONNS: one wrk run; appends "NAME rps p50 p99 cpu_ms" to results.
post_run() {
    local name=$1 t=$2 c=$3 line c0 c1 n
    c0=$(server_ticks)
    line=$(bench_wrk "$name" env BENCH_NAME="$name" \
        wrk -t"$t" -c"$c" -d"${secs}s" --latency -s "$here/post_ticket.lua" "$url")
    c1=$(server_ticks)
    n=$(bench_value requests "$line")
    [ "$n" -gt 0 ] || die "$name: no request answered"
    printf '%s %s %s %s %s\n' "$name" "$(bench_value rps "$line")" \
        "$(bench_value p50_ms "$line")" "$(bench_value p99_ms "$line")" \
        "$(awk -v d="$((c1 - c0))" -v n="$n" -v t="$tck" 'BEGIN { printf "%.3f", d * 1000 / t / n }')" \
        >>"$tmp/results"
}

: >"$tmp/results"
for i in $(seq 1 "$repeat"); do
    step "round $i of $repeat: a fresh database"
    db="$tmp/writes-$i.db"
    bench_demo "$db" 0
    bench_serve "$db"
    HOTLINE_TOKEN=$(bench_login agent01)
    export HOTLINE_TOKEN
    post_run post_c16 2 16
    post_run post_c1 1 1
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=
    rm -f "$db" "$db-wal" "$db-shm"
done

bench_header "$load_before"
printf 'hotlined: %s\n' "$("$exe" --version 2>/dev/null | head -n1)"
printf 'runs:     %s rounds of %ss per run, each on a fresh demo database\n\n' "$repeat" "$secs"
printf '| run      |    req/s |   p50 ms |   p99 ms | CPU ms/create |\n'
printf '|----------|----------|----------|----------|---------------|\n'
sort -s -k1,1 "$tmp/results" | awk '{ printf "| %-8s | %8.0f | %8s | %8s | %13s |\n", $1, $2, $3, $4, $5 }'
printf '\n'
for name in post_c16 post_c1; do
    awk -v name="$name" '$1 == name { print $2 }' "$tmp/results" | sort -n | awk -v name="$name" '
        { rps[NR] = $1 }
        END {
            m = int((NR + 1) / 2)
            printf "%s: median %.0f req/s (min %.0f, max %.0f) over %d runs\n", name, rps[m], rps[1], rps[NR], NR
        }'
done
