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
# then the feed fan-out (bench/fanout.c, built here with cc: 200 long polls parked on
# GET /feed, 5 tickets created) and prints a table. A benchmark, never a test: it fails
# only when it cannot run.
# Environment: BENCH_SECONDS, BENCH_ARTICLES (50000), BENCH_KEEP=1 keeps the temp dir.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
bench_build "${1:-build}"
secs=${BENCH_SECONDS:-10}
articles=${BENCH_ARTICLES:-50000}
conns=16
threads=2

bench_need wrk "wrk is not installed (Debian: apt-get install wrk)"
bench_need python3 "python3 is needed for bench/gen_kb.py"
bench_need curl "curl is needed to log in"
bench_tmp hotlined-bench
db="$tmp/bench.db"

step "building fanout"
bench_cc fanout

step "demo data"
bench_demo "$db" "$articles"

step "starting hotlined"
bench_serve "$db"
token=$(bench_login agent01)
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

load_before=$(bench_loadavg)
results="$tmp/results"
: >"$results"
# run NAME THREADS CONNS SCRIPT [VAR=VALUE...]
run() {
    local name=$1 t=$2 c=$3 script=$4
    shift 4
    step "$name (-t$t -c$c, ${secs}s)"
    bench_wrk "$name" env BENCH_NAME="$name" "$@" \
        wrk -t"$t" -c"$c" -d"${secs}s" --latency -s "$here/$script" "$url" >>"$results"
}
run get_ticket "$threads" "$conns" get_ticket.lua
run post_ticket_c16 "$threads" "$conns" post_ticket.lua
run post_ticket_c1 1 1 post_ticket.lua
run list_tickets "$threads" "$conns" list_tickets.lua
run kb_q1 "$threads" "$conns" kb_search.lua KB_CHARS=1
run kb_q2 "$threads" "$conns" kb_search.lua KB_CHARS=2
run kb_q4 "$threads" "$conns" kb_search.lua KB_CHARS=4
step "feed fan-out: a change reaching 200 parked watchers (bench/fanout.c)"
"$tmp/fanout" --watch "$url" --write "$url" --token "$token" \
    --watchers 200 --rounds 5 >"$tmp/fanout.out" 2>&1 || { cat "$tmp/fanout.out" >&2; die "feed fan-out failed"; }

bench_header "$load_before"
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
        "$(bench_value rps "$line")" "$(bench_value p50_ms "$line")" "$(bench_value p99_ms "$line")" \
        "$(bench_value requests "$line")" "$(bench_value errors "$line")"
done <"$results"
printf '\nfeed fan-out to 200 parked watchers (budget p99 <= 250 ms):\n'
cat "$tmp/fanout.out"
