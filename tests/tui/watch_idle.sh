#!/usr/bin/env bash
# watch_idle: with nothing changing the dashboard writes nothing to the terminal and uses
# (almost) no CPU. Measured between two minute boundaries (the clock shows minutes): 30 s of
# the pane's output (tmux pipe-pane) must be empty, and the process may use at most 3 clock
# ticks (30 ms, 0.1% of 30 s).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/watch_lib.sh"

watch_setup
start_shell 120 40
start_hotline --watch --lang en
wait_for "online · live" 10
wait_for "Intake per hour" 10
pid=$(child_pid)
[ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || { echo "no /proc for hotline: skipping"; exit 77; }

# Start just after a minute boundary (the clock tick), so the window holds none.
sec=$(date +%S)
sec=${sec#0}
if [ "$sec" -gt 25 ]; then
    sleep $((62 - sec))
else
    sleep 2
fi
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
step "30 s idle"
tmx pipe-pane -t tui -o "cat >>'$TUI_TMP/idle.raw'"
t0=$(ticks)
sleep 30
t1=$(ticks)
tmx pipe-pane -t tui
bytes=$(wc -c <"$TUI_TMP/idle.raw" 2>/dev/null || echo 0)
echo "idle: $bytes bytes written, $((t1 - t0)) CPU ticks in 30 s"
[ "$bytes" -eq 0 ] || fail "wrote $bytes bytes while idle: $(cat -v "$TUI_TMP/idle.raw" | head -c 300)"
[ $((t1 - t0)) -le 3 ] || fail "used $((t1 - t0)) CPU ticks in 30 s while idle"
keys q
expect_exit 0
