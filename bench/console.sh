#!/usr/bin/env bash
# console.sh: the console's budgets of DESIGN §7, timed on a pseudo-terminal by ptybench.
#
#   ninja -C build src/server/hotlined src/client/hotline
#   bench/console.sh build          # the build directory (default: build)
#
# Builds bench/ptybench.c with cc, makes a temporary database with BENCH_TICKETS demo
# tickets, starts hotlined on loopback, logs the demo agent agent01 in (a token file), and
# runs the real `hotline` with its own XDG directories. Prints one table. See bench/README.md.
# shellcheck source-path=SCRIPTDIR
set -eu

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
bench_build "${1:-build}" "${BENCH_HOTLINED:-}"
runs=${BENCH_RUNS:-20}
tickets=${BENCH_TICKETS:-10000}
idle=${BENCH_IDLE:-60}
hotline=$build/src/client/hotline
[ -x "$hotline" ] || die "no $hotline: build first (ninja -C $build src/client/hotline)"
bench_tmp hotline-console-bench

step "building ptybench"
cc -std=c17 -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
    -Wformat=2 -Wwrite-strings -Wcast-qual -o "$tmp/ptybench" "$root/bench/ptybench.c" -lutil
pty=$tmp/ptybench

step "demo data: $tickets tickets"
bench_demo "$tmp/db.sqlite" "${BENCH_ARTICLES:-0}" --tickets "$tickets"

step "starting hotlined"
bench_serve "$tmp/db.sqlite"

export HOME=$tmp/home XDG_CONFIG_HOME=$tmp/config XDG_STATE_HOME=$tmp/state
export XDG_CACHE_HOME=$tmp/cache XDG_DATA_HOME=$tmp/data LANG=C.UTF-8
unset LC_ALL LANGUAGE NO_COLOR TMUX
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_STATE_HOME" "$XDG_CACHE_HOME" "$XDG_DATA_HOME"
printf 'demo1234\n' | "$hotline" login --server "$url" --user agent01 \
    --token-file "$tmp/token" >/dev/null
console=("$hotline" --lang en --server "$url" --user agent01 --token-file "$tmp/token")
results=$tmp/results
: >"$results"

# The screen of tab 1 is whole when the body, the footer and the status line are there.
paint_markers=("Intake: a new call" "Quit" "connecting|online|offline")
pages=$((tickets / 100 + 3))

# ptybench SIZE SCRIPT: run the console under the script, results appended.
run() {
    local size=$1 script=$2
    "$pty" -s "$size" "$script" -- "${console[@]}" | tee -a "$results" >&2
}

# Percentiles of the paint_ms values of LABEL in the results.
paint_stats() {
    grep "^$1 " "$results" | sed -n 's/.*paint_ms=\([0-9.]*\).*/\1/p' | sort -n |
        awk -v label="$1" '{ v[NR] = $1 } END {
            if (NR == 0) { print label " n=0"; exit }
            p50 = v[int((NR + 1) / 2)]; k = int(NR * 0.99 + 0.999999); if (k < 1) k = 1
            printf "%s n=%d p50_ms=%.3f p99_ms=%.3f max_ms=%.3f\n", label, NR, p50, v[k], v[NR] }'
}

cat >"$tmp/paint.txt" <<EOF
paint start "${paint_markers[0]}" "${paint_markers[1]}" "${paint_markers[2]}"
quit F10
EOF

step "start, cold cache (no cache file), 80x24, $runs runs"
for _ in $(seq "$runs"); do
    rm -rf "$XDG_CACHE_HOME/hotline"
    "$pty" -s 80x24 "$tmp/paint.txt" -- "${console[@]}" | sed 's/^start /start_cold /' >>"$results"
done

step "filling the cache: every page of the All queue"
{
    echo "quiet 500"
    echo "send F6"
    echo "send Left"
    echo "quiet 150"
    for _ in $(seq "$pages"); do echo "send End"; done
    echo "quit F10"
} >"$tmp/fill.txt"
run 80x24 "$tmp/fill.txt"
cached=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from tickets").fetchone()[0])' "$XDG_CACHE_HOME/hotline/cache.db")
echo "cached_tickets n=$cached" >>"$results"

step "start, warm cache ($cached tickets), 80x24, $runs runs"
for _ in $(seq "$runs"); do
    "$pty" -s 80x24 "$tmp/paint.txt" -- "${console[@]}" | sed 's/^start /start_warm /' >>"$results"
done

step "navigation in the All queue with every page loaded, 80x24"
{
    echo "paint start"
    echo "quiet 500"
    echo "send F6"
    echo "send Left"
    echo "quiet 150"
    for _ in $(seq "$pages"); do echo "send End"; done
    echo "quiet 30"
    echo "send Home"
    echo "sleep 500"
    echo "measure nav_down 300 Down"
    echo "measure nav_up 300 Up"
    echo "measure nav_pgdn 100 PgDn"
    echo "measure nav_pgup 100 PgUp"
    echo "rss rss_nav"
    echo "idle idle_console $idle"
    echo "rss rss_end"
    echo "quit F10"
} >"$tmp/nav.txt"
run 80x24 "$tmp/nav.txt"

step "tab switch and full repaint, 200x50"
cat >"$tmp/tabs.txt" <<EOF
paint start
quiet 500
send F6
quiet 30
measure tab_switch 100 F6 F5
measure tab_cycle 100 F6 F7 F8 F5
measure repaint 50 C-l
quit F10
EOF
run 200x50 "$tmp/tabs.txt"

step "search as you type in the intake description, 80x24"
cat >"$tmp/search.txt" <<EOF
paint start
send F2
send Tab Tab Tab Tab Tab Tab Tab Tab Tab
sleep 500
quiet 400
pace 1500
measure search 40 燃 气 热 水 器 Bs Bs Bs Bs Bs
rss rss_search
quit F10 y
EOF
run 80x24 "$tmp/search.txt"

step "watch mode, idle ${idle} s, 120x40"
cat >"$tmp/watch.txt" <<EOF
paint start
sleep 2000
idle idle_watch $idle
rss rss_watch
quit q
EOF
"$pty" -s 120x40 "$tmp/watch.txt" -- "${console[@]}" --watch | tee -a "$results" >&2

paint_stats start_cold >>"$results"
paint_stats start_warm >>"$results"

# ---- the table ----
get() { grep "^$1 " "$results" | tail -n 1 | tr ' ' '\n' | sed -n "s/^$2=//p"; }
kb() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
echo
echo "console budgets (DESIGN §7): $tickets tickets, $cached cached; load $(bench_loadavg)"
printf '%-44s %-34s %s\n' "what" "measured" "budget"
printf '%-44s %-34s %s\n' "start to first full paint, warm, 80x24" \
    "p50 $(get start_warm p50_ms) p99 $(get start_warm p99_ms) ms" "<= 50 ms"
printf '%-44s %-34s %s\n' "start to first full paint, cold, 80x24" \
    "p50 $(get start_cold p50_ms) p99 $(get start_cold p99_ms) ms" "-"
for l in nav_down nav_up nav_pgdn nav_pgup; do
    printf '%-44s %-34s %s\n' "key to settled screen: $l" \
        "p50 $(get $l p50_ms) p99 $(get $l p99_ms) ms" "p50 <= 1, p99 <= 5 ms"
done
for l in nav_down nav_up nav_pgdn nav_pgup tab_switch tab_cycle repaint search; do
    printf '%-44s %-34s %s\n' "console CPU per key: $l" "$(get $l cpu_ms_per_key) ms" \
        "(load-independent)"
done
for l in nav_down nav_up nav_pgdn nav_pgup; do
    printf '%-44s %-34s %s\n' "bytes per key: $l" \
        "mean $(get $l bytes_mean) max $(get $l bytes_max) B" "<= 1 KB"
done
for l in tab_switch tab_cycle repaint; do
    printf '%-44s %-34s %s\n' "200x50: $l" "p50 $(get $l p50_ms) p99 $(get $l p99_ms) ms" \
        "p50 <= 5 ms"
done
printf '%-44s %-34s %s\n' "search as you type (KB suggestions)" \
    "p50 $(get search p50_ms) p99 $(get search p99_ms) ms" "p99 <= 30 ms"
printf '%-44s %-34s %s\n' "console idle ${idle} s (tickets tab)" \
    "$(get idle_console bytes) B, cpu $(get idle_console cpu_pct)%" "-"
printf '%-44s %-34s %s\n' "watch mode idle ${idle} s" \
    "$(get idle_watch bytes) B, cpu $(get idle_watch cpu_pct)%" "<= 0.1%, 0 B/s"
printf '%-44s %-34s %s\n' "peak RSS, $cached cached, all rows loaded" \
    "$(kb "$(get rss_end hwm_kb)")" "<= 32 MiB"
