#!/usr/bin/env bash
# tabs: digits and F5-F8 switch tabs; the tab bar marks the active one.
. "$(dirname "$0")/lib.sh"

start_shell 80 24
start_hotline --lang en
wait_for "Intake: a new call"
step "2 -> Tickets"
keys 2
wait_for "Tickets: work orders"
expect_not "Intake: a new call"
step "F7 -> Knowledge base"
keys F7
wait_for "Knowledge base: articles and notices"
step "4 -> Callbacks"
keys 4
wait_for "Callbacks: the due list"
step "F6 -> Tickets, F8 -> Callbacks, F5 -> Intake, 3 -> Knowledge base, 1 -> Intake"
keys F6
wait_for "Tickets: work orders"
keys F8
wait_for "Callbacks: the due list"
keys F5
wait_for "Intake: a new call"
keys 3
wait_for "Knowledge base: articles and notices"
keys 1
wait_for "Intake: a new call"
step "the active tab is drawn in its own colours"
keys 2
wait_for "Tickets: work orders"
# tab_active is black on cyan, bold; inactive tabs white on blue.
screen_attrs | head -n 1 | grep -q $'\e\\[1m\e\\[30m\e\\[46m 2 Tickets ' ||
    screen_attrs | head -n 1 | grep -q '46m 2 Tickets' ||
    fail "tab 2 is not highlighted: $(screen_attrs | head -n 1 | cat -v)"
step "F2 (new call) goes to intake and says why there is no form"
keys F2
wait_for "New call: the intake form needs a connection to the server."
expect "Intake: a new call"
step "F4 with no call in progress"
keys F4
wait_for "Hold: no call in progress."
keys q
expect_exit 0
