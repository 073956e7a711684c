#!/usr/bin/env bash
# resize: from 120x40 to 80x24 the screen is laid out again; below 80x24 a centred message asks
# for more room; back at 80x24 everything returns with the state kept.
. "$(dirname "$0")/lib.sh"

start_shell 120 40
start_hotline --lang en
wait_for "Intake: a new call"
step "120x40: status bar on row 40, tab bar 120 wide"
row 40 | grep -qE '^ no server +[0-2][0-9]:[0-5][0-9]$' || fail "row 40 is '$(row 40)'"
r1=$(row 1)
[ "${#r1}" -eq 119 ] || fail "tab bar does not reach column 119: '$r1'"
keys 3
wait_for "Knowledge base: articles and notices"
step "to 80x24"
resize 80 24
sleep 0.3
wait_for "Knowledge base: articles and notices"
row 24 | grep -qE '^ no server +[0-2][0-9]:[0-5][0-9]$' || fail "row 24 is '$(row 24)'"
row 23 | grep -q 'F1 Help' || fail "row 23 is '$(row 23)'"
row 1 | grep -q '4 Callbacks  *hotline$' || fail "row 1 is '$(row 1)'"
step "to 60x20: the enlarge message, centred"
resize 60 20
wait_for "enlarge the window to at least 80x24 (now 60x20)"
expect_not "Knowledge base: articles"
line=$(screen | grep -n "enlarge the window" | cut -d: -f1)
[ "$line" -ge 9 ] && [ "$line" -le 11 ] || fail "message on row $line, not centred"
step "back to 80x24: the same tab, redrawn"
resize 80 24
wait_for "Knowledge base: articles and notices"
expect_not "enlarge the window"
row 23 | grep -q 'F1 Help' || fail "row 23 is '$(row 23)'"
step "79x24 is too small as well"
resize 79 24
wait_for "enlarge the window to at least 80x24 (now 79x24)"
resize 80 24
wait_for "Knowledge base: articles and notices"
step "keys still work after all that"
keys 2
wait_for "Tickets: work orders"
keys q
expect_exit 0
