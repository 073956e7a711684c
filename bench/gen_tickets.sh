#!/usr/bin/env bash
# bench/gen_tickets.sh: build a database of N demo tickets for the benchmarks at scale.
#
#   bench/gen_tickets.sh N [DB] [BUILD_DIR]     (DB default: a new temporary file;
#                                                BUILD_DIR default: build)
#
# Runs `hotlined demo-data --tickets N --seed $BENCH_SEED (1) --force`: the 14 demo units,
# the demo users (password demo1234), the sample articles, N tickets accepted over the
# last 30 days, each built by the workflow (workflow_create/workflow_apply at simulated
# instants: every status, nature, category, unit, overdue, returned, redo, callbacks,
# extensions, urges) and saved by the store's ticket_create, the same code as
# POST /tickets; plus about 100 + N/5 call records a day. Prints the database path on
# stdout and, on stderr, the load time, the peak memory of the generator, the database
# size and the load average. A benchmark helper, never a test.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
n=${1:?usage: bench/gen_tickets.sh N [DB] [BUILD_DIR]}
db=${2:-}
bench_build "${3:-build}"
case $n in ''|*[!0-9]*) die "N must be a number of tickets, got '$n'" ;; esac
if [ -z "$db" ]; then
    db=$(mktemp -u "${TMPDIR:-/tmp}/hotlined-tickets-$n.XXXXXX").db
fi
[ -e "$db" ] && die "$db exists: give a new path"

out=$(mktemp "${TMPDIR:-/tmp}/gen_tickets.XXXXXX")
trap 'rm -f "$out"' EXIT
load=$(bench_loadavg)
t0=$(date +%s.%N)
if command -v /usr/bin/time >/dev/null; then
    /usr/bin/time -f 'maxrss_kb=%M user_s=%U sys_s=%S' -o "$out.time" \
        "$exe" --db "$db" demo-data --tickets "$n" --seed "${BENCH_SEED:-1}" --force \
        >"$out" 2>&1 || { cat "$out" >&2; die "demo-data failed"; }
else
    "$exe" --db "$db" demo-data --tickets "$n" --seed "${BENCH_SEED:-1}" --force \
        >"$out" 2>&1 || { cat "$out" >&2; die "demo-data failed"; }
fi
t1=$(date +%s.%N)
head -n 1 "$out" >&2
bytes=$(stat -c %s "$db")
awk -v n="$n" -v t0="$t0" -v t1="$t1" -v b="$bytes" -v m="$(cat "$out.time" 2>/dev/null || true)" \
    -v l0="$load" -v l1="$(bench_loadavg)" 'BEGIN {
    printf "tickets=%s load_s=%.1f db_mb=%.1f %s load_before=%s load_after=%s\n",
        n, t1 - t0, b / 1048576, m, l0, l1 }' >&2
rm -f "$out.time"
printf '%s\n' "$db"
