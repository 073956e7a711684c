#!/usr/bin/env bash
# watch_small: the dashboard in a small tmux pane (40x12: header, counters and alerts, every
# line within 40 columns) and laid out again at 80x24, 120x40 and 200x50 when resized.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/watch_lib.sh"

# Fail unless every line of the pane is at most $1 display columns wide.
fits() {
    screen | python3 -c '
import sys, unicodedata
limit = int(sys.argv[1])
for n, line in enumerate(sys.stdin.read().split("\n"), 1):
    w = sum(0 if unicodedata.combining(c) else
            2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line.rstrip())
    if w > limit:
        print("line %d is %d columns: %s" % (n, w, line))
        sys.exit(1)
' "$1" || fail "a line is wider than $1 columns"
}

watch_setup
start_shell 40 12
start_hotline --watch --lang en
step "40x12: header, counters, alerts"
wait_for "Alerts (" 10
wait_for "live" 10
fits 40
row 1 | grep -qE '[0-2][0-9]:[0-5][0-9]' || fail "no clock in the header: '$(row 1)'"
for part in Open Overdue "Near due" Returned "Alerts (" HL20; do
    expect "$part"
done
expect_not "KPIs"
expect_not "Units (worst first)"
expect_no_caller

step "80x24: KPIs, units, alerts, intake and the key hints"
resize 80 24
wait_for "KPIs"
fits 80
for part in "Units (worst first)" "Intake per hour" "Month score" "q Quit" "Alerts ("; do
    expect "$part"
done
row 24 | grep -q "^q Quit" || fail "row 24 is '$(row 24)'"

step "120x40: all counters on one line"
resize 120 40
wait_for "Resolved within 2 working days"
fits 120
row 2 | grep -q "Open.*Overdue.*Returned" || fail "row 2 is '$(row 2)'"

step "200x50: three columns"
resize 200 50
wait_for "Awaiting callback"
fits 200
screen | grep -q "KPIs.*Units (worst first).*Alerts (" || fail "no three columns"

step "back to 40x12"
resize 40 12
wait_for "Alerts ("
wait_gone "KPIs"
fits 40

step "scrolling the alerts and the help overlay"
first=$(row 7)
keys Down
sleep 0.3
[ "$(row 7)" != "$first" ] || fail "Down did not scroll the alerts"
keys Home
keys '?'
wait_for "Pause or resume updates"
keys Escape
wait_gone "Pause or resume updates"
keys q
expect_exit 0
