# shellcheck shell=bash
# bench/lib.sh: what the benchmark scripts share; sourced (bash) by bench/*.sh and
# scripts/bench-pg.sh, never run.
#
#   . "$(dirname "$0")/lib.sh"        (or the path of bench/lib.sh from elsewhere)
#
# Sets root (the source tree), bench_name (the script's path from root, for messages) and
# exports HOTLINE_DATA=$root/data. Then:
#   bench_build DIR [HOTLINED]   build (DIR, relative to root unless absolute) and exe (its
#                                src/server/hotlined, or HOTLINED); dies without it
#   bench_need CMD WHY           dies with WHY unless CMD is installed
#   bench_tmp NAME               tmp: a new temporary directory, removed at exit (kept, and
#                                named, with BENCH_KEEP=1); at exit the server is stopped by
#                                its pid first, then bench_at_exit runs if the script has one
#   bench_demo DB N [ARG...]     a new database DB: hotlined demo-data ARG..., then N
#                                synthetic articles (bench/gen_kb.py) imported, published,
#                                when N > 0; sets import_secs (the import's time)
#   bench_serve DB               hotlined serve on a free loopback port (--listen
#                                127.0.0.1:0, the port read from its ready line), log in
#                                $tmp/server.log; sets pid and url
#   bench_login USER             prints the token of a demo user (password demo1234)
#   bench_wrk NAME COMMAND...    runs COMMAND (env ... wrk ...) into $tmp/NAME.out, prints
#                                its RESULT line (bench/common.lua)
#   bench_value KEY LINE         the value of KEY=... in a RESULT line
#   bench_loadavg                the load average (1, 5, 15 minutes)
#   bench_header LOAD_BEFORE     the report's date, machine and load lines
#   die MESSAGE, step MESSAGE    stop with an error / say what comes next (stderr)

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench_name=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
bench_name=${bench_name#"$root"/}
export HOTLINE_DATA="$root/data"
tmp=
pid=
url=

# Stop with MESSAGE on stderr, named after the script.
die() {
    printf '%s: %s\n' "$bench_name" "$*" >&2
    exit 1
}

# Say what the script does next.
step() {
    printf '== %s\n' "$*" >&2
}

# Die with WHY unless the command CMD is installed.
bench_need() {
    command -v "$1" >/dev/null || die "$2"
}

# Compile the one-file C program bench/NAME.c into $tmp/NAME with the warnings of meson.build
# as errors, then any extra arguments (libraries).
bench_cc() {
    local name=$1
    shift
    bench_need cc "cc is needed to build bench/$name.c"
    cc -std=c17 -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wformat=2 -Wwrite-strings -Wcast-qual -o "$tmp/$name" "$root/bench/$name.c" "$@"
}

# Set build and exe from the build directory DIR (and HOTLINED, when given and not empty).
bench_build() {
    build=$1
    case $build in /*) ;; *) build="$root/$build" ;; esac
    exe=${2:-$build/src/server/hotlined}
    [ -x "$exe" ] || die "no $exe: build first (ninja -C $build src/server/hotlined)"
}

# Stop the server, run the script's bench_at_exit, remove (or keep) the temporary directory.
bench_cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    if declare -F bench_at_exit >/dev/null; then
        bench_at_exit
    fi
    if [ -z "$tmp" ]; then
        return 0
    elif [ "${BENCH_KEEP:-0}" = 1 ]; then
        printf 'kept %s\n' "$tmp" >&2
    else
        rm -rf "$tmp"
    fi
}

# Make the temporary directory tmp (hotlined-NAME.XXXXXX) and clean up at exit.
bench_tmp() {
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
    trap bench_cleanup EXIT
}

# Make the database DB: demo-data with ARGs, then N articles of bench/gen_kb.py imported.
# shellcheck disable=SC2034 # import_secs is read by the scripts
bench_demo() {
    local db=$1 n=$2 t0
    shift 2
    "$exe" --db "$db" demo-data "$@" >"$tmp/demo.out" 2>&1 || { cat "$tmp/demo.out" >&2; die "demo-data failed"; }
    import_secs=0
    [ "$n" -gt 0 ] || return 0
    step "generating $n articles"
    python3 "$root/bench/gen_kb.py" "$n" --categories "$root/data/categories-cn.json" >"$tmp/kb.json"
    step "importing them"
    t0=$(date +%s)
    "$exe" --db "$db" kb import "$tmp/kb.json" >"$tmp/import.out" 2>&1 || { cat "$tmp/import.out" >&2; die "kb import failed"; }
    import_secs=$(($(date +%s) - t0))
}

# Start hotlined serve on the database DB on a free loopback port; wait for its ready line.
bench_serve() {
    "$exe" --db "$1" serve --listen 127.0.0.1:0 --data "$root/data" --log "$tmp/server.log" \
        >"$tmp/server.out" 2>&1 &
    pid=$!
    url=
    for _ in $(seq 1 600); do
        url=$(sed -n 's/.* listening on \(http:[^ ]*\) .*/\1/p' "$tmp/server.out" | head -n1)
        [ -n "$url" ] && return 0
        kill -0 "$pid" 2>/dev/null || { cat "$tmp/server.out" >&2; die "hotlined did not start"; }
        sleep 0.1
    done
    die "hotlined printed no ready line"
}

# Print the token of the demo user USER (password demo1234) from the server at url.
bench_login() {
    curl -sf -H 'Content-Type: application/json' -d "{\"user\":\"$1\",\"password\":\"demo1234\"}" \
        "$url/api/v1/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])' ||
        die "cannot log in as $1"
}

# Run COMMAND (a wrk run) with its output in $tmp/NAME.out; print its RESULT line.
bench_wrk() {
    local name=$1 out="$tmp/$1.out"
    shift
    "$@" >"$out" 2>&1 || { cat "$out" >&2; die "wrk $name failed"; }
    grep '^RESULT ' "$out" || { cat "$out" >&2; die "no result from $name"; }
}

# Print the value of KEY=... in the RESULT line LINE.
bench_value() {
    printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# Print the load average over 1, 5 and 15 minutes.
bench_loadavg() {
    cut -d' ' -f1-3 /proc/loadavg
}

# Print the report's first lines: date, machine, load (LOAD_BEFORE the runs and now).
bench_header() {
    printf '\n'
    printf 'date:     %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    printf 'machine:  %s CPUs, %s, %s MiB RAM, %s\n' "$(nproc)" \
        "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)" \
        "$(awk '/MemTotal/ {printf "%d", $2 / 1024}' /proc/meminfo)" "$(uname -sr)"
    printf 'load:     %s before the runs, %s after (1/5/15 min; other work shares the CPUs)\n' \
        "$1" "$(bench_loadavg)"
}
