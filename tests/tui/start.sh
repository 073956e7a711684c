#!/usr/bin/env bash
# start: at 80x24 the console shows the tab bar, the empty state, key hints and the status bar.
. "$(dirname "$0")/lib.sh"

start_shell 80 24
start_hotline --lang en
step "tab bar on the first row, hotline on its right"
wait_for "1 Intake"
row 1 | grep -q '^ 1 Intake  2 Tickets  3 Knowledge base  4 Callbacks  *hotline$' ||
    fail "tab bar row is '$(row 1)'"
step "the intake tab's honest empty state"
expect "Intake: a new call"
expect "Not connected: no server is configured."
step "key hints on row 23, from the key table"
row 23 | grep -q '^F1 Help  F2 Call  F4 Hold  1-4 Tabs  / Search  : Command  F10 Quit' ||
    fail "footer row is '$(row 23)'"
step "status bar on row 24: connection state and a clock"
row 24 | grep -qE '^ no server +[0-2][0-9]:[0-5][0-9]$' || fail "status row is '$(row 24)'"
step "nothing else drawn beyond 80 columns or 24 rows"
[ "$(screen | wc -l)" -eq 24 ] || fail "expected 24 rows"
keys q
expect_exit 0

step "with a server configured: the sign-in form over the tab; Esc shows why nothing is there"
fresh
start_hotline --lang en --server http://127.0.0.1:9 --user 1001
wait_for "Sign in"
expect "http://127.0.0.1:9"
row 1 | grep -q 'hotline · 1001$' || fail "tab bar row is '$(row 1)'"
wait_for "reconnecting — next try"
row 24 | grep -qE '^ reconnecting — next try [0-2][0-9]:[0-5][0-9]:[0-5][0-9]' ||
    fail "status row is '$(row 24)'"
keys Escape
wait_gone "Sign in"
wait_for "Not connected to http://127.0.0.1:9"
keys F10
expect_exit 0
