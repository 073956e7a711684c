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
search_runs=${BENCH_SEARCH_RUNS:-2}
search_keys=${BENCH_SEARCH_KEYS:-200}
only=${BENCH_ONLY:-}
hotline=$build/src/client/hotline
[ -x "$hotline" ] || die "no $hotline: build first (ninja -C $build src/client/hotline)"
bench_tmp hotline-console-bench

step "building ptybench"
bench_cc ptybench -lutil
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

# ptybench SIZE SCRIPT: run the console under the script, results appended; every measured
# key in $keys, the server's run-queue wait counted with the console's.
keys=$tmp/keys
run() {
    local size=$1 script=$2
    "$pty" -w "$pid" -k "$keys" -s "$size" "$script" -- "${console[@]}" | tee -a "$results" >&2
}

# True when the part NAME is to run (BENCH_ONLY: a list of start nav tabs search watch).
want() {
    [ -z "$only" ] || [[ " $only " == *" $1 "* ]]
}

# Percentiles of the paint_ms values of LABEL in the results.
paint_stats() {
    grep "^$1 " "$results" | sed -n 's/.*paint_ms=\([0-9.]*\).*/\1/p' | sort -n |
        awk -v label="$1" '{ v[NR] = $1 } END {
            if (NR == 0) { print label " n=0"; exit }
            p50 = v[int((NR + 1) / 2)]; k = int(NR * 0.99 + 0.999999); if (k < 1) k = 1
            printf "%s n=%d p50_ms=%.3f p99_ms=%.3f max_ms=%.3f\n", label, NR, p50, v[k], v[NR] }'
}

# Print "p50 p90 p99 max" (ms) of the numbers on stdin (nearest rank).
pcts() {
    sort -n | awk '{ v[NR] = $1 }
        function pct(p,  k) { k = int(NR * p / 100 + 0.999999); if (k < 1) k = 1; return v[k] }
        END { if (NR > 0) printf "%.3f %.3f %.3f %.3f", pct(50), pct(90), pct(99), v[NR] }'
}

# Pool the keys of LABEL in $keys (every run): latency percentiles, the same less the
# run-queue waits (nowait_*), and how many keys waited 1 ms or more for a CPU.
key_stats() {
    local rows lat busy n waited
    rows=$(awk -v label="$1" '$1 == label {
            l = w = 0
            for (i = 4; i <= NF; i++) {
                if ($i ~ /^latency_ms=/) l = substr($i, 12) + 0
                if ($i ~ /^wait_ms=/) w = substr($i, 9) + 0
            }
            printf "%.3f %.3f %d\n", l, (l > w ? l - w : 0), (w >= 1) }' "$keys")
    n=$(printf '%s\n' "$rows" | grep -c . || true)
    waited=$(printf '%s\n' "$rows" | awk '{ s += $3 } END { print s + 0 }')
    read -r -a lat <<<"$(printf '%s\n' "$rows" | awk 'NF { print $1 }' | pcts)"
    read -r -a busy <<<"$(printf '%s\n' "$rows" | awk 'NF { print $2 }' | pcts)"
    printf '%s n=%s p50_ms=%s p90_ms=%s p99_ms=%s max_ms=%s waited=%s ' "$1" "$n" \
        "${lat[0]:-}" "${lat[1]:-}" "${lat[2]:-}" "${lat[3]:-}" "$waited"
    printf 'nowait_p50_ms=%s nowait_p90_ms=%s nowait_p99_ms=%s nowait_max_ms=%s\n' \
        "${busy[0]:-}" "${busy[1]:-}" "${busy[2]:-}" "${busy[3]:-}"
}

cat >"$tmp/paint.txt" <<EOF
paint start "${paint_markers[0]}" "${paint_markers[1]}" "${paint_markers[2]}"
quit F10
EOF

cached=-
if want start; then
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

fi

if want nav; then
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
fi

if want tabs; then
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

fi

# Search as you type, the keys of every run pooled: in the intake description (a new call,
# the knowledge-base suggestions; paced after the call timer's tick) and in the knowledge-base
# tab's search field (typing Chinese into the list starts the search). The quiet period, 400
# ms, is longer than any pause of the console; no key is sent near the minute (the clock).
if want search; then
step "search as you type, intake description and knowledge-base tab, 80x24, $search_runs runs of $search_keys keys each"
cat >"$tmp/search_intake.txt" <<EOF
paint start
send F2
send Tab Tab Tab Tab Tab Tab Tab Tab Tab
sleep 500
quiet 400
pace 1500
clock 300
measure search_intake $search_keys 燃 气 热 水 器 Bs Bs Bs Bs Bs
rss rss_search
quit F10 y
EOF
cat >"$tmp/search_kb.txt" <<EOF
paint start
send F7
sleep 800
quiet 400
clock 300
measure search_kb $search_keys 燃 气 热 水 器 Bs Bs Bs Bs Bs
quit F10
EOF
for _ in $(seq "$search_runs"); do
    rm -f "$XDG_STATE_HOME/hotline/draft.json"      # each run starts on an empty form
    run 80x24 "$tmp/search_intake.txt"
    run 80x24 "$tmp/search_kb.txt"
done
key_stats search_intake | sed 's/^search_intake /search_intake_all /' >>"$results"
key_stats search_kb | sed 's/^search_kb /search_kb_all /' >>"$results"
fi

if want watch; then
step "watch mode, idle ${idle} s, 120x40"
cat >"$tmp/watch.txt" <<EOF
paint start
sleep 2000
idle idle_watch $idle
rss rss_watch
quit q
EOF
"$pty" -s 120x40 "$tmp/watch.txt" -- "${console[@]}" --watch | tee -a "$results" >&2

fi

paint_stats start_cold >>"$results"
paint_stats start_warm >>"$results"

# ---- the table ----
get() { grep "^$1 " "$results" | tail -n 1 | tr ' ' '\n' | sed -n "s/^$2=//p"; }
kb() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
echo
echo "console budgets (DESIGN §7): $tickets tickets, $cached cached; load $(bench_loadavg)"
printf '%-44s %-34s %s\n' "what" "measured" "budget"
if want start; then
printf '%-44s %-34s %s\n' "start to first full paint, warm, 80x24" \
    "p50 $(get start_warm p50_ms) p99 $(get start_warm p99_ms) ms" "<= 50 ms"
printf '%-44s %-34s %s\n' "start to first full paint, cold, 80x24" \
    "p50 $(get start_cold p50_ms) p99 $(get start_cold p99_ms) ms" "-"
fi
for l in nav_down nav_up nav_pgdn nav_pgup; do
    want nav || break
    printf '%-44s %-34s %s\n' "key to settled screen: $l" \
        "p50 $(get $l p50_ms) p99 $(get $l p99_ms) ms" "p50 <= 1, p99 <= 5 ms"
done
for l in nav_down nav_up nav_pgdn nav_pgup tab_switch tab_cycle repaint search_intake search_kb; do
    [ -n "$(get $l cpu_ms_per_key)" ] || continue
    printf '%-44s %-34s %s\n' "console CPU per key: $l" "$(get $l cpu_ms_per_key) ms" \
        "(load-independent)"
done
for l in nav_down nav_up nav_pgdn nav_pgup; do
    want nav || break
    printf '%-44s %-34s %s\n' "bytes per key: $l" \
        "mean $(get $l bytes_mean) max $(get $l bytes_max) B" "<= 1 KB"
done
for l in tab_switch tab_cycle repaint; do
    want tabs || break
    printf '%-44s %-34s %s\n' "200x50: $l" "p50 $(get $l p50_ms) p99 $(get $l p99_ms) ms" \
        "p50 <= 5 ms"
done
for l in search_intake_all search_kb_all; do
    want search || break
    printf '%-44s %-34s %s\n' "search as you type: ${l%_all}, $(get $l n) keys" \
        "p50 $(get $l p50_ms) p90 $(get $l p90_ms) p99 $(get $l p99_ms) max $(get $l max_ms) ms" \
        "p99 <= 30 ms"
    printf '%-44s %-34s %s\n' "  less run-queue waits ($(get $l waited) keys waited)" \
        "p50 $(get $l nowait_p50_ms) p90 $(get $l nowait_p90_ms) p99 $(get $l nowait_p99_ms) max $(get $l nowait_max_ms) ms" \
        "(the machine's load)"
done
if want nav; then
printf '%-44s %-34s %s\n' "console idle ${idle} s (tickets tab)" \
    "$(get idle_console bytes) B, cpu $(get idle_console cpu_pct)%" "-"
fi
if want watch; then
printf '%-44s %-34s %s\n' "watch mode idle ${idle} s" \
    "$(get idle_watch bytes) B, cpu $(get idle_watch cpu_pct)%" "<= 0.1%, 0 B/s"
fi
if want nav; then
printf '%-44s %-34s %s\n' "peak RSS, $cached cached, all rows loaded" \
    "$(kb "$(get rss_end hwm_kb)")" "<= 32 MiB"
fi
