#!/usr/bin/env bash
# demo_check: the README's run command on a fresh clone, driven in tmux as a newcomer would:
# scripts/demo.sh builds, seeds, serves and opens the console logged in; q quits and the
# server it started is gone. Usage: tests/demo_check.sh [REPO]  (default: this checkout)
set -euo pipefail
src=$(cd "${1:-$(dirname "$0")/..}" && pwd)
command -v tmux >/dev/null || { echo "demo_check: tmux is missing"; exit 1; }
tmp=$(mktemp -d)
sock=hotline-demo-$$
cleanup() {
    tmux -L "$sock" kill-server 2>/dev/null || true
    if [ -n "${server_pid:-}" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

echo "demo_check: cloning $src into a fresh directory"
git clone -q "$src" "$tmp/clone"
export HOME=$tmp/home XDG_DATA_HOME=$tmp/home/data XDG_STATE_HOME=$tmp/home/state \
       XDG_CACHE_HOME=$tmp/home/cache XDG_CONFIG_HOME=$tmp/home/config
mkdir -p "$HOME"
tmux -L "$sock" -f /dev/null new-session -d -x 100 -y 30 \
    "cd $tmp/clone && env HOME=$HOME XDG_DATA_HOME=$XDG_DATA_HOME XDG_STATE_HOME=$XDG_STATE_HOME XDG_CACHE_HOME=$XDG_CACHE_HOME XDG_CONFIG_HOME=$XDG_CONFIG_HOME LANG=C.UTF-8 ./scripts/demo.sh 2>$tmp/demo.err; echo demo-exit=\$? >$tmp/exit; sleep 600"

# Wait up to 10 minutes (a first build) for the logged-in console.
screen=""
for _ in $(seq 1 600); do
    screen=$(tmux -L "$sock" capture-pane -p 2>/dev/null || true)
    if grep -q "agent01" <<<"$screen" && grep -q "online" <<<"$screen"; then
        break
    fi
    [ -f "$tmp/exit" ] && break
    sleep 1
done
if ! grep -q "agent01" <<<"$screen"; then
    echo "demo_check: the console did not come up logged in as agent01; screen:"
    printf '%s\n' "$screen"
    cat "$tmp/demo.err" 2>/dev/null || true
    exit 1
fi
server_pid=$(pgrep -f "$XDG_DATA_HOME/hotline/demo.db serve" | head -n 1 || true)
[ -n "$server_pid" ] || { echo "demo_check: no hotlined serving the demo database"; exit 1; }
echo "demo_check: console up, logged in as agent01, server pid $server_pid"

# Demo data visible: the Tickets tab lists demo tickets.
tmux -L "$sock" send-keys 2
for _ in $(seq 1 20); do
    screen=$(tmux -L "$sock" capture-pane -p)
    grep -qE "HL[0-9]{8}-[0-9]{6}" <<<"$screen" && break
    sleep 0.5
done
grep -qE "HL[0-9]{8}-[0-9]{6}" <<<"$screen" || { echo "demo_check: no demo tickets visible"; printf '%s\n' "$screen"; exit 1; }
echo "demo_check: demo tickets visible on the Tickets tab"

# Back to Intake, quit with q.
tmux -L "$sock" send-keys 1
sleep 0.5
tmux -L "$sock" send-keys q
for _ in $(seq 1 40); do
    [ -f "$tmp/exit" ] && break
    screen=$(tmux -L "$sock" capture-pane -p)
    # A confirmation may be asked: answer yes.
    if grep -qiE "quit\?|\(y/n\)|yes" <<<"$screen"; then tmux -L "$sock" send-keys y; fi
    sleep 0.5
done
[ -f "$tmp/exit" ] || { echo "demo_check: q did not quit the console"; tmux -L "$sock" capture-pane -p; exit 1; }
cat "$tmp/exit"
grep -q "demo-exit=0" "$tmp/exit" || { echo "demo_check: demo.sh failed"; cat "$tmp/demo.err"; exit 1; }
for _ in $(seq 1 20); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.25
done
if kill -0 "$server_pid" 2>/dev/null; then
    echo "demo_check: the server demo.sh started (pid $server_pid) is still running"
    exit 1
fi
echo "demo_check: q quit the console and stopped the server: ok"

# A second run reuses the build and the database: no rebuild, no reseed.
rm -f "$tmp/exit"
second=$(cd "$tmp/clone" && timeout 60 bash -c 'printf "" | ./scripts/demo.sh 2>&1 </dev/null' || true)
if grep -q "creating the demo database" <<<"$second"; then
    echo "demo_check: the second run reseeded the database"; exit 1
fi
echo "demo_check: second run reuses the database: ok"
