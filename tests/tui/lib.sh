#!/usr/bin/env bash
# lib.sh: helpers for the console's tmux tests. Source it from a test script.
#
# Every test gets a private tmux server (socket -L hotline-test-<pid>, no user config), a
# temporary HOME with its own XDG directories, and a bash in the pane with a known prompt.
# The real binary ($HOTLINE_BIN) is typed into that shell, so after it quits the pane shows
# what the terminal was left with. Sanitizer reports go to files and fail the test.
# Exit 77 (skip) only when tmux is missing.
set -u

if ! command -v tmux >/dev/null 2>&1; then
    echo "tmux is not installed: skipping"
    exit 77
fi
if [ -z "${HOTLINE_BIN:-}" ] || [ ! -x "$HOTLINE_BIN" ]; then
    echo "HOTLINE_BIN must name the hotline binary (got '${HOTLINE_BIN:-}')"
    exit 1
fi

TUI_NAME=$(basename "$0" .sh)
TUI_TMP=$(mktemp -d "${TMPDIR:-/tmp}/hotline-tui-XXXXXX")
TUI_SOCK="hotline-test-$$"
TUI_CONF="$TUI_TMP/tmux.conf"
mkdir -p "$TUI_TMP/home" "$TUI_TMP/config" "$TUI_TMP/state" "$TUI_TMP/cache" "$TUI_TMP/data"

# What the pane (and so hotline) sees. LANG=C.UTF-8 exists on every glibc system.
export HOME="$TUI_TMP/home"
export XDG_CONFIG_HOME="$TUI_TMP/config"
export XDG_STATE_HOME="$TUI_TMP/state"
export XDG_CACHE_HOME="$TUI_TMP/cache"
export XDG_DATA_HOME="$TUI_TMP/data"
export LANG=C.UTF-8
unset LC_ALL LANGUAGE NO_COLOR TMUX
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}:log_path=$TUI_TMP/asan"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}:log_path=$TUI_TMP/ubsan"

cat >"$TUI_CONF" <<'CONF'
set -g default-terminal tmux-256color
set -g status off
set -g escape-time 0
set -g history-limit 0
CONF

# Run tmux against the private server.
tmx() {
    tmux -L "$TUI_SOCK" -f "$TUI_CONF" "$@"
}

# The pane's text now (one line per row).
screen() {
    tmx capture-pane -p -t tui 2>/dev/null
}

# The pane's text with colours and attributes as escape sequences.
screen_attrs() {
    tmx capture-pane -p -e -t tui 2>/dev/null
}

# Row n (1-based) of the pane.
row() {
    screen | sed -n "${1}p"
}

# Fail the test, showing the screen.
fail() {
    echo "FAIL ($TUI_NAME): $*"
    echo "---- screen ----"
    screen
    echo "----------------"
    exit 1
}

# Say what is being checked.
step() {
    echo "-- $*"
}

# Wait until the screen contains TEXT (fixed string), at most SECONDS (default 5).
wait_for() {
    local text=$1 limit=${2:-5} i
    for ((i = 0; i < limit * 20; i++)); do
        if screen | grep -qF -- "$text"; then
            return 0
        fi
        sleep 0.05
    done
    fail "waited ${limit}s for '$text'"
}

# Wait until a line of the screen matches the extended regular expression RE.
wait_match() {
    local re=$1 limit=${2:-5} i
    for ((i = 0; i < limit * 20; i++)); do
        if screen | grep -qE -- "$re"; then
            return 0
        fi
        sleep 0.05
    done
    fail "waited ${limit}s for a line matching '$re'"
}

# Wait until TEXT is gone from the screen.
wait_gone() {
    local text=$1 limit=${2:-5} i
    for ((i = 0; i < limit * 20; i++)); do
        if ! screen | grep -qF -- "$text"; then
            return 0
        fi
        sleep 0.05
    done
    fail "waited ${limit}s for '$text' to go away"
}

# Assert the screen contains / does not contain TEXT right now.
expect() {
    screen | grep -qF -- "$1" || fail "expected '$1' on the screen"
}
expect_not() {
    if screen | grep -qF -- "$1"; then
        fail "did not expect '$1' on the screen"
    fi
}

# Send keys (tmux key names: Enter Escape F1 Up BTab C-z ...).
keys() {
    tmx send-keys -t tui "$@"
}

# Send text literally (Chinese, punctuation).
type_text() {
    tmx send-keys -t tui -l -- "$1"
}

# Start the server with a bash at W x H and wait for its prompt.
start_shell() {
    local w=${1:-80} h=${2:-24}
    tmx new-session -d -s tui -x "$w" -y "$h" \
        "env PS1='tui\$ ' PROMPT_COMMAND= bash --norc --noprofile -i" ||
        { echo "cannot start tmux"; exit 1; }
    wait_for 'tui$'
}

# Type a command line into the pane's shell.
shell_run() {
    type_text "$1"
    keys Enter
}

# Clear the pane and wait until only the prompt is left, so old output cannot satisfy a wait.
fresh() {
    local i
    shell_run "clear"
    for ((i = 0; i < 100; i++)); do
        if [ "$(screen | grep -c .)" -le 1 ] && screen | grep -qF 'tui$'; then
            return 0
        fi
        sleep 0.05
    done
    fail "the screen did not clear"
}

# Run hotline in the pane with extra arguments; "echo EXIT=$?" follows it.
start_hotline() {
    local args="" a
    for a in "$@"; do
        args="$args '$a'"
    done
    shell_run "'$HOTLINE_BIN'$args; echo EXIT=\$?"
}

# The pid of the program the pane's shell is running in the foreground (hotline).
child_pid() {
    local shell_pid
    shell_pid=$(tmx display-message -p -t tui '#{pane_pid}')
    ps -o pid= --ppid "$shell_pid" | tr -d ' ' | tail -n 1
}

# Resize the window (and so the pane).
resize() {
    tmx resize-window -t tui -x "$1" -y "$2"
}

# Remove the server and the temporary files; fail on sanitizer reports.
cleanup() {
    local rc=$? f
    tmx kill-server >/dev/null 2>&1
    for f in "$TUI_TMP"/asan.* "$TUI_TMP"/ubsan.*; do
        [ -e "$f" ] || continue
        echo "FAIL ($TUI_NAME): sanitizer report $f:"
        cat "$f"
        rc=1
    done
    rm -rf "$TUI_TMP"
    exit "$rc"
}
trap cleanup EXIT

# Check the pane is back at the shell with exit status CODE.
expect_exit() {
    wait_for "EXIT=$1"
}

# ---- a real backend: hotlined with demo data on a loopback port ----
# Needs HOTLINED_BIN (set by meson). The database lives in $TUI_TMP; the server is killed by
# its pid (cleanup does it too). After server_start: SERVER_PID, SERVER_PORT, SERVER_URL.
SERVER_PID=""
SERVER_PORT=""
SERVER_URL=""
SERVER_DB="$TUI_TMP/hotline.db"

# Make the demo database once (agent01..06, sup01, admin, u_<unit>; password demo1234).
server_demo_data() {
    [ -n "${HOTLINED_BIN:-}" ] && [ -x "$HOTLINED_BIN" ] ||
        { echo "HOTLINED_BIN must name the hotlined binary"; exit 1; }
    [ -e "$SERVER_DB" ] && return 0
    "$HOTLINED_BIN" --db "$SERVER_DB" demo-data "$@" >"$TUI_TMP/demo.out" 2>&1 ||
        { cat "$TUI_TMP/demo.out"; echo "demo-data failed"; exit 1; }
}

# Start hotlined on PORT (default: a free one, then kept for restarts) and wait for its ready line.
server_start() {
    local port=${1:-${SERVER_PORT:-0}} i
    server_demo_data
    : >"$TUI_TMP/server.out"
    HOTLINE_DATA="${HOTLINE_SOURCE:-}/data" "$HOTLINED_BIN" --db "$SERVER_DB" serve \
        --listen "127.0.0.1:$port" >"$TUI_TMP/server.out" 2>>"$TUI_TMP/server.err" &
    SERVER_PID=$!
    for ((i = 0; i < 200; i++)); do
        if grep -q ' listening on http://' "$TUI_TMP/server.out" 2>/dev/null; then
            SERVER_URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$TUI_TMP/server.out" | head -n 1)
            SERVER_PORT=${SERVER_URL##*:}
            return 0
        fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            # The port may still be held a moment after a stop: try again.
            sleep 0.2
            HOTLINE_DATA="${HOTLINE_SOURCE:-}/data" "$HOTLINED_BIN" --db "$SERVER_DB" serve \
                --listen "127.0.0.1:$port" >"$TUI_TMP/server.out" 2>>"$TUI_TMP/server.err" &
            SERVER_PID=$!
        fi
        sleep 0.05
    done
    cat "$TUI_TMP/server.err"
    fail "hotlined did not start"
}

# Stop the server (by its pid) and wait until it is gone.
server_stop() {
    local i
    [ -n "$SERVER_PID" ] || return 0
    kill "$SERVER_PID" 2>/dev/null
    for ((i = 0; i < 100; i++)); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.05
    done
    kill -9 "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=""
}

# A token for USER (password demo1234) from the running server.
api_token() {
    curl -s -X POST -H 'Content-Type: application/json' \
        -d "{\"user\":\"$1\",\"password\":\"demo1234\"}" "$SERVER_URL/api/v1/session" |
        sed -n 's/.*"token":"\([^"]*\)".*/\1/p'
}

# curl the API as USER: api USER METHOD PATH [BODY] [extra curl args...]
api() {
    local user=$1 method=$2 path=$3 body=${4:-} tok
    shift 4 2>/dev/null || shift $#
    tok=$(api_token "$user")
    if [ -n "$body" ]; then
        curl -s -X "$method" -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
            -d "$body" "$@" "$SERVER_URL/api/v1$path"
    else
        curl -s -X "$method" -H "Authorization: Bearer $tok" "$@" "$SERVER_URL/api/v1$path"
    fi
}

# Sign in through the console's sign-in form (it must be on the screen).
console_login() {
    wait_for "Sign in" 10
    keys Up C-e C-u
    type_text "$1"
    keys Down
    type_text "${2:-demo1234}"
    keys Enter
    wait_gone "Password" 10
}

# Stop the server when the test ends (before the tmux cleanup).
server_cleanup() {
    local rc=$?
    server_stop
    (exit "$rc")
    cleanup
}
trap server_cleanup EXIT
