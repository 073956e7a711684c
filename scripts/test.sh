#!/usr/bin/env bash
# test.sh: install what the tests need (Debian), build, and run every test twice:
# once plain, once under AddressSanitizer + UndefinedBehaviorSanitizer. A private
# PostgreSQL cluster (scripts/pg-test-cluster.sh, stopped at exit) gives the PostgreSQL
# store's tests their database (HOTLINE_TEST_PG), and the plain build runs the api suite
# a second time on it (HOTLINE_TEST_STORE=pg).
# Usage: scripts/test.sh [--quick] [meson test args...]   (--quick: plain build only)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

quick=0
if [ "${1:-}" = "--quick" ]; then
    quick=1
    shift
fi

# Debian packages the build and the tests need.
packages=(
    gcc meson ninja-build pkg-config gettext tzdata ca-certificates
    libncurses-dev libcurl4-openssl-dev libcjson-dev libsqlite3-dev
    libmicrohttpd-dev libsodium-dev libcmocka-dev libinih-dev
    tmux curl sqlite3 python3 groff-base man-db clang libclang-rt-dev
    postgresql libpq-dev
)
# The OpenAPI linter runs on node; Debian's nodejs only when no node is there already.
command -v node >/dev/null 2>&1 || packages+=(nodejs npm)

step() { printf '==> %s\n' "$*"; }

install_missing() {
    local missing=() p
    for p in "${packages[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
            missing+=("$p")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    step "installing Debian packages: ${missing[*]}"
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo=(sudo)
        else
            echo "test.sh: missing packages (${missing[*]}) and not root: install them with apt-get" >&2
            exit 1
        fi
    fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
}

passed=0
failed=0

# Configure (or reconfigure) a build directory, build it and run meson test in it.
run_suite() {
    local dir=$1 sanitize=$2
    shift 2
    step "configuring $dir (sanitize=$sanitize)"
    if [ -f "$dir/build.ninja" ]; then
        meson setup --reconfigure "$dir" -Dsanitize="$sanitize" -Dwerror=true >/dev/null
    else
        meson setup "$dir" -Dsanitize="$sanitize" -Dwerror=true >/dev/null
    fi
    step "building $dir"
    ninja -C "$dir" >/dev/null
    step "testing $dir"
    run_tests "$dir" "$dir/test-output.txt" "$@"
}

# Run meson test in a built directory, logging to $2, and count the results.
run_tests() {
    local dir=$1 log=$2 rc=0
    shift 2
    meson test -C "$dir" --print-errorlogs --num-processes 2 "$@" 2>&1 | tee "$log" || rc=1
    local ok fail
    ok=$(awk '/^Ok:/ {print $2}' "$log" | tail -n 1)
    fail=$(awk '/^(Fail|Unexpected Pass|Timeout):/ {s += $NF} END {print s + 0}' "$log")
    passed=$((passed + ${ok:-0}))
    failed=$((failed + fail))
    if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
        failed=$((failed + 1))
    fi
}

install_missing
export LANG=${LANG:-C.UTF-8}

# A private PostgreSQL cluster for the PostgreSQL store's tests, stopped on exit (also
# on failure or ^C). When it cannot start, that counts as a failure and those tests skip.
pg_dir=
stop_pg() {
    if [ -n "$pg_dir" ]; then
        scripts/pg-test-cluster.sh stop "$pg_dir" || true
        pg_dir=
    fi
}
trap stop_pg EXIT
step "starting a private PostgreSQL cluster (scripts/pg-test-cluster.sh)"
pg_err=$(mktemp)
if pg_uri=$(scripts/pg-test-cluster.sh start --fast 2>"$pg_err"); then
    pg_dir=$(sed -n 's/^pg-test-cluster: started in \([^ ]*\) .*/\1/p' "$pg_err")
    export HOTLINE_TEST_PG=$pg_uri
else
    cat "$pg_err" >&2
    echo "test.sh: no PostgreSQL test cluster: the PostgreSQL store's tests skip" >&2
    failed=$((failed + 1))
fi
rm -f "$pg_err"

run_suite build/test-plain none "$@"
if [ -n "${HOTLINE_TEST_PG:-}" ]; then
    step "testing build/test-plain: the api suite again, on PostgreSQL"
    HOTLINE_TEST_STORE=pg run_tests build/test-plain build/test-plain/test-output-pg.txt \
        --suite api "$@"
fi
# The README's run command, on a fresh clone, as a newcomer would use it (only with a
# full run: it builds a clone of HEAD, so it needs git and committed work).
if [ $# -eq 0 ] && [ -d .git ]; then
    step "checking scripts/demo.sh on a fresh clone (tests/demo_check.sh)"
    if tests/demo_check.sh "$root"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi
fi
if [ "$quick" -eq 0 ]; then
    run_suite build/test-san address,undefined "$@"
fi
# Every libFuzzer target for a short while (HOTLINE_FUZZ_SECONDS each, default 15):
# scripts/fuzz.sh 60 or more is the real fuzzing run.
if [ "$quick" -eq 0 ] && [ $# -eq 0 ]; then
    fuzz_secs=${HOTLINE_FUZZ_SECONDS:-15}
    step "fuzzing every target for ${fuzz_secs}s (scripts/fuzz.sh)"
    if scripts/fuzz.sh "$fuzz_secs" >build/fuzz-output.txt 2>&1; then
        passed=$((passed + 1))
        grep -E '^ *(codec|text|calendar|rules|kpi|datetime|http|theme|config)\b' build/fuzz-output.txt || true
    else
        failed=$((failed + 1))
        tail -n 40 build/fuzz-output.txt
    fi
fi
printf '\n'
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
