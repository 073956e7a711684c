#!/usr/bin/env bash
# cmdline: ':' opens the command line; Tab completes commands and arguments; Enter runs.
. "$(dirname "$0")/lib.sh"

start_shell 80 24
start_hotline --lang en
wait_for "Intake: a new call"
step ": then 'ca' Tab completes to 'call'"
keys 2
wait_for "Tickets: work orders"
keys ':'
wait_gone "F1 Help"
type_text "ca"
keys Tab
wait_for ":call"
row 23 | grep -q '^:call *$' || fail "command line row is '$(row 23)'"
step "Enter runs it: the intake tab, and why there is no form"
keys Enter
wait_for "New call: the intake form needs a connection to the server."
expect "Intake: a new call"
expect "F1 Help"
step "ambiguous: 't' Tab lists tab and theme"
keys ':' t Tab
wait_for "tab  theme"
step "arguments: 'heme d' Tab lists the themes starting with d"
type_text "heme d"
keys Tab
wait_for "dark  default"
type_text "a"
keys Tab
wait_for ":theme dark"
keys Enter
wait_for "theme: dark"
step "unknown commands are named"
keys ':'
type_text "bogus"
keys Enter
wait_for "unknown command 'bogus' (Tab lists the commands)"
step "Esc leaves the command line without running it"
keys ':' q
keys Escape
wait_for "F1 Help"
expect "Intake: a new call"
step "history: Up brings back the last command"
keys ':' Up
wait_for ":bogus"
keys Escape
step ":tab 3 and :quit"
keys ':'
type_text "tab 3"
keys Enter
wait_for "Knowledge base: articles and notices"
keys ':'
type_text "quit"
keys Enter
expect_exit 0
