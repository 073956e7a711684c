#!/usr/bin/env bash
# fuzz.sh: build the libFuzzer targets of tests/fuzz with clang (build/fuzz, -Dfuzz=true)
# and run each for SECONDS (default 60) on a copy of its seed corpus.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]     (targets: codec text calendar rules kpi
#                                                   datetime http theme config; default all)
# Exits non-zero when a target crashes, leaks, times out or breaks an invariant, and prints
# the path of the input that did it (kept under build/fuzz/artifacts/<target>/). Replay one
# with: build/fuzz/tests/fuzz/fuzz_<target> <path>
# Environment: CC (default clang), FUZZ_BUILD (default build/fuzz), FUZZ_KEEP_CORPUS=1 keeps
# the grown corpora (the temporary directory is printed) instead of deleting them.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

all_targets=(codec text calendar rules kpi datetime http theme config)
seconds=60
if [ $# -gt 0 ] && [[ "$1" =~ ^[0-9]+$ ]]; then
    seconds=$1
    shift
fi
if [ "$seconds" -lt 1 ]; then
    echo "fuzz.sh: SECONDS must be at least 1" >&2
    exit 2
fi
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
    if [ ! -f "tests/fuzz/fuzz_$t.c" ]; then
        echo "fuzz.sh: unknown target '$t' (known: ${all_targets[*]})" >&2
        exit 2
    fi
done

build=${FUZZ_BUILD:-build/fuzz}
export CC=${CC:-clang}
step() { printf '==> %s\n' "$*"; }

if ! command -v "$CC" >/dev/null 2>&1; then
    echo "fuzz.sh: $CC not found; install clang (Debian: apt-get install clang)" >&2
    exit 2
fi

# Configure once; later runs only rebuild.
if [ ! -f "$build/build.ninja" ]; then
    step "configuring $build with CC=$CC -Dfuzz=true"
    meson setup "$build" -Dfuzz=true -Dtests=false >/dev/null
else
    meson configure "$build" -Dfuzz=true >/dev/null
fi
step "building ${#targets[@]} fuzz targets"
ninja -C "$build" -j "${FUZZ_JOBS:-2}" "${targets[@]/#/tests/fuzz/fuzz_}" >/dev/null

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hotline-fuzz.XXXXXX")
if [ "${FUZZ_KEEP_CORPUS:-0}" = 1 ]; then
    trap 'echo "fuzz.sh: grown corpora kept in $tmp"' EXIT
else
    trap 'rm -rf "$tmp"' EXIT
fi

export HOTLINE_DATA="$root/data"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

failed=()
printf '%-9s %12s %9s %7s %7s %8s  %s\n' target runs exec/s cov ft corpus result
for t in "${targets[@]}"; do
    exe="$build/tests/fuzz/fuzz_$t"
    corpus="$tmp/corpus-$t"
    artifacts="$build/artifacts/$t"
    log="$tmp/$t.log"
    dict=()

    mkdir -p "$corpus" "$artifacts"
    cp -r "tests/fuzz/corpus/$t/." "$corpus/"
    if [ -f "tests/fuzz/$t.dict" ]; then
        dict=(-dict="tests/fuzz/$t.dict")
    else
        case $t in
        codec|calendar|rules|kpi) dict=(-dict=tests/fuzz/json.dict) ;;
        esac
    fi
    rc=0
    # The outer timeout only guards against a wedged process; libFuzzer stops itself.
    timeout -k 10 $((seconds + 120)) "$exe" "$corpus" "${dict[@]}" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$artifacts/" -print_final_stats=1 >"$log" 2>&1 || rc=$?

    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"$last")
    if [ "$rc" -eq 0 ]; then
        result=ok
    else
        result="FAILED (exit $rc)"
        failed+=("$t")
    fi
    printf '%-9s %12s %9s %7s %7s %8s  %s\n' "$t" "${runs:--}" "${eps:--}" "${cov:--}" \
        "${ft:--}" "${corp:--}" "$result"
    if [ "$rc" -ne 0 ]; then
        grep -E 'ERROR: |==fuzz==|SUMMARY|runtime error' "$log" | head -5 | sed 's/^/    /'
        input=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
        if [ -n "$input" ]; then
            echo "    crash input: $input"
            echo "    replay: $exe $input"
        fi
        cp "$log" "$artifacts/last.log"
        echo "    full log: $artifacts/last.log"
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz.sh: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
    exit 1
fi
echo "fuzz.sh: all ${#targets[@]} targets ran ${seconds}s without a finding"
