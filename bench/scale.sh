#!/usr/bin/env bash
# bench/scale.sh: ticket lists and statistics of hotlined at 100,000 tickets, with wrk.
#
#   bench/scale.sh [BUILD_DIR]           (default: build)
#
# Builds a database of $BENCH_TICKETS (100000) demo tickets with bench/gen_tickets.sh (or
# uses $BENCH_DB, which it then changes: the server migrates it and its sweep saves
# flags), starts hotlined on a free loopback port, logs in as the demo agent agent01 (the
# lists) and the demo supervisor sup01 (the statistics), collects request paths through
# the API (units, callers' phones, keyset cursors deep in the list), then runs wrk for
# $BENCH_SECONDS (10) per line, 16 keep-alive connections, 2 threads; each request takes
# one path of its run's list at random (bench/list_filters.lua, bench/stats.lua). Prints
# a table: requests/s, p50 and p99 (wrk's --latency), requests, errors, and the server's
# CPU time per request (utime + stime of hotlined from /proc over the run, divided by the
# requests: less disturbed by other work on the machine than the wall clock).
# A benchmark, never a test: it fails only when it cannot run.
# Environment: BENCH_TICKETS (100000), BENCH_DB, BENCH_SECONDS (10), BENCH_KEEP=1 keeps
# the temporary directory (server log, path lists, each wrk output).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
bench_build "${1:-build}"
secs=${BENCH_SECONDS:-10}
tickets=${BENCH_TICKETS:-100000}
conns=16
threads=2
open="accepted,dispatched,in_progress,returned,replied,callback"

bench_need wrk "wrk is not installed (Debian: apt-get install wrk)"
bench_need python3 "python3 is needed to collect request paths"
bench_need curl "curl is needed to log in"
bench_tmp hotlined-scale

gen_note="given (${BENCH_DB:-})"
if [ -n "${BENCH_DB:-}" ]; then
    db=$BENCH_DB
    [ -f "$db" ] || die "BENCH_DB=$db: no such file"
else
    step "$tickets demo tickets (bench/gen_tickets.sh)"
    db="$tmp/scale.db"
    "$here/gen_tickets.sh" "$tickets" "$db" "$build" >/dev/null 2>"$tmp/gen.out" ||
        { cat "$tmp/gen.out" >&2; die "gen_tickets.sh failed"; }
    gen_note=$(grep '^tickets=' "$tmp/gen.out")
fi

step "starting hotlined"
bench_serve "$db"
agent=$(bench_login agent01)
sup=$(bench_login sup01)

step "collecting request paths (units, phones, cursors)"
python3 - "$url" "$agent" "$tmp" "$open" <<'EOF' || die "cannot collect request paths"
import datetime, json, random, sys, urllib.parse, urllib.request

url, token, out, open_ = sys.argv[1:5]
api = url + "/api/v1"
rnd = random.Random(1)


def get(path):
    req = urllib.request.Request(api + path, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req) as r:
        return json.load(r)


def write(name, paths):
    with open(f"{out}/{name}.paths", "w") as f:
        for p in paths:
            f.write("/api/v1" + p + "\n")


q = urllib.parse.quote
units = [u["code"] for u in get("/meta")["units"]]
# the newest 1,000 tickets: their callers' phones (repeat callers included) and terms
phones, cursor = [], None
for _ in range(10):
    page = get("/tickets?limit=100" + ("&cursor=" + q(cursor, safe="") if cursor else ""))
    phones += [t["caller"]["phone"] for t in page["items"] if t.get("caller", {}).get("phone")]
    cursor = page["next_cursor"]
# keyset cursors 20 to 200 pages of 50 deep (1,000 to 10,000 tickets), newest first
deep, cursor = [], None
for n in range(1, 201):
    page = get("/tickets?limit=50" + ("&cursor=" + q(cursor, safe="") if cursor else ""))
    cursor = page["next_cursor"]
    if cursor is None:
        break
    if n >= 20:
        deep.append("/tickets?limit=50&cursor=" + q(cursor, safe=""))
# the same, 20 pages deep, for one unit's open tickets
unit_deep, cursor = [], None
for n in range(1, 41):
    page = get(f"/tickets?unit=urban_mgmt&status={open_}&limit=50"
               + ("&cursor=" + q(cursor, safe="") if cursor else ""))
    cursor = page["next_cursor"]
    if cursor is None:
        break
    if n >= 20:
        unit_deep.append(f"/tickets?unit=urban_mgmt&status={open_}&limit=50&cursor="
                         + q(cursor, safe=""))
now = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8)))
hours = []
for h in range(48):      # the watch mode's per-hour counts, today and yesterday
    s = (now - datetime.timedelta(hours=h)).replace(minute=0, second=0, microsecond=0)
    e = s + datetime.timedelta(hours=1)
    hours.append(f"/tickets?created_from={q(s.isoformat())}&created_to={q(e.isoformat())}"
                 "&limit=1&count=1")
write("list_first", ["/tickets?limit=50"])
write("list_first_count", ["/tickets?limit=50&count=1"])
write("list_status", [f"/tickets?status={s}&limit=50&count=1"
                      for s in ("accepted", "returned", "callback", open_)])
write("list_unit", [f"/tickets?unit={u}&limit=50" for u in units])
write("list_unit_open", [f"/tickets?unit={u}&status={open_}&limit=50&count=1" for u in units])
write("count_unit_watch", [f"/tickets?unit={u}&status={s}{f}&limit=1&count=1" for u in units
                           for s, f in ((open_, ""), (open_, "&flag=overdue"),
                                        ("returned", ""))])
write("count_watch", [f"/tickets?status={s}{f}&limit=1&count=1" for s, f in (
    (open_, ""), ("accepted", ""), (open_, "&flag=overdue"), (open_, "&flag=near_due"),
    ("callback", ""), ("returned", ""), (open_, "&flag=emergency"))])
write("list_overdue", [f"/tickets?flag=overdue&status={open_}&limit=50&count=1"])
write("list_phone", [f"/tickets?caller_phone={q(p)}&limit=50" for p in sorted(set(phones))])
write("count_hour", hours)
write("list_created_day", [f"/tickets?created_from={(now - datetime.timedelta(days=d)).date()}"
                           f"&created_to={(now - datetime.timedelta(days=d)).date()}&limit=50"
                           "&count=1" for d in range(30)])
write("list_q", [f"/tickets?q={q(t)}&limit=50" for t in
                 ("停水", "夜市噪声", "路灯不亮", "燃气表充值", "电梯", "拖欠工资")])
write("list_order_due", [f"/tickets?order=due&status={open_}&limit=50"])
write("list_order_updated", ["/tickets?order=updated&limit=50"])
write("list_order_callback", [f"/tickets?order=callback_due&status=replied,callback&limit=50"])
write("list_deep", deep)
write("list_unit_deep", unit_deep or [f"/tickets?unit=urban_mgmt&status={open_}&limit=50"])
month = now.date().replace(day=1)
write("stats_month", [f"/stats?from={month}&to={now.date()}"])
write("stats_month_unit", [f"/stats?from={month}&to={now.date()}&group=unit"])
write("stats_month_agent", [f"/stats?from={month}&to={now.date()}&group=agent"])
write("stats_30d_unit", [f"/stats?from={now.date() - datetime.timedelta(days=30)}"
                         f"&to={now.date()}&group=unit"])
write("stats_today", [f"/stats?from={now.date()}&to={now.date()}"])
EOF
export BENCH_DIR="$here"

# cpu: the server's utime + stime in clock ticks.
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
tck=$(getconf CLK_TCK)
load_before=$(bench_loadavg)
results="$tmp/results"
: >"$results"
# run NAME TOKEN SCRIPT: wrk over the paths of NAME.
run() {
    local name=$1 token=$2 script=$3 c0 c1 line reqs
    step "$name (-t$threads -c$conns, ${secs}s)"
    curl -sf -o /dev/null -H "Authorization: Bearer $token" "$url$(head -n1 "$tmp/$name.paths")" ||
        die "$name: $(head -n1 "$tmp/$name.paths") failed"
    c0=$(cpu)
    line=$(bench_wrk "$name" env BENCH_NAME="$name" BENCH_PATHS="$tmp/$name.paths" \
        HOTLINE_TOKEN="$token" wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout 10s --latency \
        -s "$here/$script" "$url") || exit 1
    c1=$(cpu)
    reqs=$(bench_value requests "$line")
    printf '%s cpu_ms=%s\n' "$line" \
        "$(awk -v a="$c0" -v b="$c1" -v t="$tck" -v r="$reqs" \
            'BEGIN { printf "%.2f", (r > 0 ? (b - a) * 1000 / t / r : 0) }')" >>"$results"
}
for name in list_first list_first_count list_status list_unit list_unit_open count_unit_watch \
    count_watch list_overdue list_phone count_hour list_created_day list_q list_order_due \
    list_order_updated list_order_callback list_deep list_unit_deep; do
    run "$name" "$agent" list_filters.lua
done
for name in stats_today stats_month stats_month_unit stats_month_agent stats_30d_unit; do
    run "$name" "$sup" stats.lua
done

bench_header "$load_before"
printf 'hotlined: %s, RSS %s MiB after the runs\n' "$("$exe" --version 2>/dev/null | head -n1)" \
    "$(awk '/VmRSS/ {printf "%d", $2 / 1024}' "/proc/$pid/status")"
printf 'data:     %s; database %s MiB\n' "$gen_note" \
    "$(du -m "$db" | cut -f1)"
printf 'command:  bench/scale.sh %s (%ss per run, wrk -t%s -c%s)\n\n' "${1:-build}" "$secs" \
    "$threads" "$conns"
printf '| %-20s | %9s | %8s | %9s | %9s | %6s | %11s |\n' run "req/s" "p50 ms" "p99 ms" \
    requests errors "CPU ms/req"
printf '|%s|%s|%s|%s|%s|%s|%s|\n' ---------------------- ----------- ---------- ----------- \
    ----------- -------- -------------
while read -r line; do
    printf '| %-20s | %9s | %8s | %9s | %9s | %6s | %11s |\n' \
        "$(printf '%s' "$line" | cut -d' ' -f2)" "$(bench_value rps "$line")" \
        "$(bench_value p50_ms "$line")" "$(bench_value p99_ms "$line")" "$(bench_value requests "$line")" \
        "$(bench_value errors "$line")" "$(bench_value cpu_ms "$line")"
done <"$results"
printf '\npaths of each run: %s/*.paths (BENCH_KEEP=1 keeps them)\n' "$tmp"
