#!/usr/bin/env bash
# test.sh: install what the tests need (Debian), build, and run every test twice:
# once plain, once under AddressSanitizer + UndefinedBehaviorSanitizer.
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
    tmux curl sqlite3 python3 groff-base man-db
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
    local log="$dir/test-output.txt" rc=0
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
run_suite build/test-plain none "$@"
if [ "$quick" -eq 0 ]; then
    run_suite build/test-san address,undefined "$@"
fi
printf '\n'
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
