#!/usr/bin/env bash
# bench/server.sh: measure hotlined against the budgets of DESIGN §7 with wrk.
#
#   bench/server.sh [BUILD_DIR]          (default: build)
#
# Makes a temporary database with `hotlined demo-data` and 50,000 synthetic articles
# (bench/gen_kb.py), starts hotlined on a free loopback port, logs in as a demo agent and
# runs wrk (Debian package wrk; LuaJIT scripts bench/*.lua) for $BENCH_SECONDS (10) each:
#   GET /tickets/{id}      16 keep-alive connections, 2 threads, random ids
#   POST /tickets          durable commit, unique Idempotency-Key: 16 connections, then
#                          one sequential client (-c1 -t1)
#   GET /tickets           the first page of the list
#   GET /kb?q=             1-, 2- and 4-character Chinese queries over 50,000 articles
# then prints a table. A benchmark, never a test: it fails only when it cannot run.
# Environment: BENCH_SECONDS, BENCH_ARTICLES (50000), BENCH_KEEP=1 keeps the temp dir.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build="$root/$build" ;; esac
exe="$build/src/server/hotlined"
secs=${BENCH_SECONDS:-10}
articles=${BENCH_ARTICLES:-50000}
conns=16
threads=2

die() { printf 'bench/server.sh: %s\n' "$*" >&2; exit 1; }
[ -x "$exe" ] || die "no $exe: build first (ninja -C $build src/server/hotlined)"
command -v wrk >/dev/null || die "wrk is not installed (Debian: apt-get install wrk)"
command -v python3 >/dev/null || die "python3 is needed for bench/gen_kb.py"
command -v curl >/dev/null || die "curl is needed to log in"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hotlined-bench.XXXXXX")
pid=
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
        printf 'kept %s\n' "$tmp" >&2
    else
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT
db="$tmp/bench.db"
export HOTLINE_DATA="$root/data"

step() { printf '== %s\n' "$*" >&2; }

step "demo data"
"$exe" --db "$db" demo-data >"$tmp/demo.out" 2>&1 || { cat "$tmp/demo.out" >&2; die "demo-data failed"; }
step "generating $articles articles"
python3 "$here/gen_kb.py" "$articles" --categories "$root/data/categories-cn.json" >"$tmp/kb.json"
step "importing them"
t0=$(date +%s)
"$exe" --db "$db" kb import "$tmp/kb.json" >"$tmp/import.out" 2>&1 || { cat "$tmp/import.out" >&2; die "kb import failed"; }
t1=$(date +%s)
import_secs=$((t1 - t0))

step "starting hotlined"
"$exe" --db "$db" serve --listen 127.0.0.1:0 --data "$root/data" --log "$tmp/server.log" \
    >"$tmp/server.out" 2>&1 &
pid=$!
url=
for _ in $(seq 1 100); do
    url=$(sed -n 's/.* listening on \(http:[^ ]*\) .*/\1/p' "$tmp/server.out" | head -n1)
    [ -n "$url" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$tmp/server.out" >&2; die "hotlined did not start"; }
    sleep 0.1
done
[ -n "$url" ] || die "hotlined printed no ready line"

token=$(curl -sf -H 'Content-Type: application/json' \
    -d '{"user":"agent01","password":"demo1234"}' "$url/api/v1/session" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])') ||
    die "cannot log in as agent01"
export HOTLINE_TOKEN="$token" BENCH_DIR="$here"

# Every ticket id of the demo data (pages of 100).
: >"$tmp/ids"
cursor=
while :; do
    page=$(curl -sf -H "Authorization: Bearer $token" \
        "$url/api/v1/tickets?limit=100${cursor:+&cursor=$cursor}") || die "cannot list tickets"
    cursor=$(printf '%s' "$page" | python3 -c '
import json, sys, urllib.parse
d = json.load(sys.stdin)
with open(sys.argv[1], "a") as f:
    for t in d["items"]:
        f.write(t["id"] + "\n")
print(urllib.parse.quote(d["next_cursor"], safe="") if d["next_cursor"] else "")' "$tmp/ids")
    [ -n "$cursor" ] || break
done
export TICKET_IDS="$tmp/ids"
nids=$(wc -l <"$tmp/ids")

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
results="$tmp/results"
: >"$results"
# run NAME THREADS CONNS SCRIPT [VAR=VALUE...]
run() {
    local name=$1 t=$2 c=$3 script=$4
    shift 4
    step "$name (-t$t -c$c, ${secs}s)"
    env BENCH_NAME="$name" "$@" wrk -t"$t" -c"$c" -d"${secs}s" --latency -s "$here/$script" "$url" \
        >"$tmp/$name.out" 2>&1 || { cat "$tmp/$name.out" >&2; die "wrk $name failed"; }
    grep '^RESULT ' "$tmp/$name.out" >>"$results" || { cat "$tmp/$name.out" >&2; die "no result from $name"; }
}
run get_ticket "$threads" "$conns" get_ticket.lua
run post_ticket_c16 "$threads" "$conns" post_ticket.lua
run post_ticket_c1 1 1 post_ticket.lua
run list_tickets "$threads" "$conns" list_tickets.lua
run kb_q1 "$threads" "$conns" kb_search.lua KB_CHARS=1
run kb_q2 "$threads" "$conns" kb_search.lua KB_CHARS=2
run kb_q4 "$threads" "$conns" kb_search.lua KB_CHARS=4
step "feed fan-out: a change reaching 200 parked watchers (scripts/feed-fanout.py)"
python3 "$here/../scripts/feed-fanout.py" --watch "$url" --write "$url" --token "$token" \
    --watchers 200 --rounds 5 >"$tmp/fanout.out" 2>&1 || { cat "$tmp/fanout.out" >&2; die "feed fan-out failed"; }

# value KEY LINE: the value of key=value in a RESULT line.
value() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

printf '\n'
printf 'date:     %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
printf 'machine:  %s CPUs, %s, %s MiB RAM, %s\n' "$(nproc)" \
    "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)" \
    "$(awk '/MemTotal/ {printf "%d", $2 / 1024}' /proc/meminfo)" "$(uname -sr)"
printf 'load:     %s before the runs, %s after (1/5/15 min; other work shares the CPUs)\n' \
    "$load_before" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'hotlined: %s\n' "$("$exe" --version 2>/dev/null | head -n1)"
printf 'data:     %s demo tickets (%s ids), %s articles (import %ss), %ss per run\n' \
    "$nids" "$nids" "$articles" "$import_secs" "$secs"
printf 'command:  bench/server.sh %s\n\n' "${1:-build}"
printf '| %-16s | %-9s | %9s | %8s | %8s | %9s | %6s |\n' run "-t/-c" "req/s" "p50 ms" "p99 ms" requests errors
printf '|%s|%s|%s|%s|%s|%s|%s|\n' ------------------ ----------- ----------- ---------- ---------- ----------- --------
while read -r line; do
    name=$(printf '%s' "$line" | cut -d' ' -f2)
    case $name in post_ticket_c1) tc="1/1" ;; *) tc="$threads/$conns" ;; esac
    printf '| %-16s | %-9s | %9s | %8s | %8s | %9s | %6s |\n' "$name" "$tc" \
        "$(value rps "$line")" "$(value p50_ms "$line")" "$(value p99_ms "$line")" \
        "$(value requests "$line")" "$(value errors "$line")"
done <"$results"
printf '\nfeed fan-out to 200 parked watchers (budget p99 <= 250 ms):\n'
cat "$tmp/fanout.out"
