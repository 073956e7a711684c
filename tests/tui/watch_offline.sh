#!/usr/bin/env bash
# watch_offline: with the backend stopped the header turns to "offline since HH:MM — data
# from HH:MM" (the data stays on the screen), and back to online when the backend returns on
# the same port. p pauses and resumes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/watch_lib.sh"

watch_setup
start_shell 100 30
start_hotline --watch --lang en
wait_for "online · live" 10
wait_for "Alerts (" 10
step "p pauses, p resumes"
keys p
wait_for "paused — data from"
keys p
wait_for "online · live" 10

step "the backend stops: reconnecting, then offline, the data kept"
server_stop
wait_for "reconnecting" 10
wait_for "offline since" 40
row 1 | grep -qE 'offline since [0-2][0-9]:[0-5][0-9] — data from [0-2][0-9]:[0-5][0-9]' ||
    fail "header is '$(row 1)'"
expect "Alerts ("
expect "KPIs"

step "the backend returns on the same port: online again"
server_start
wait_for "online" 40
wait_gone "offline since" 5
expect_no_caller
keys q
expect_exit 0
