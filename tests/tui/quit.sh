#!/usr/bin/env bash
# quit: q, F10, SIGTERM, SIGHUP and Ctrl-C all quit in order and restore the terminal (the
# alternate screen goes, the shell's lines come back) with exit status 0; Ctrl-Z suspends and
# fg resumes with a full redraw.
. "$(dirname "$0")/lib.sh"

start_shell 80 24
shell_run "echo BEFORE-MARK"
wait_for "BEFORE-MARK"
step "q quits"
start_hotline --lang en
wait_for "Intake: a new call"
expect_not "BEFORE-MARK"
keys q
expect_exit 0
expect "BEFORE-MARK"
expect_not "Intake"
expect_not "no server"
step "the terminal is sane again: the shell echoes what is typed"
shell_run "echo typed-back"
wait_for "typed-back"
step "F10 quits"
fresh
shell_run "echo MARK-2"
wait_for "MARK-2"
start_hotline --lang en
wait_for "Intake: a new call"
keys F10
wait_for "EXIT=0"
expect "MARK-2"
expect_not "Intake"
step "SIGTERM, SIGHUP and Ctrl-C (SIGINT) quit in order, restoring the terminal"
for how in TERM HUP INT; do
    fresh
    shell_run "echo MARK-$how"
    wait_for "MARK-$how"
    start_hotline --lang en
    wait_for "Intake: a new call"
    if [ "$how" = INT ]; then
        keys C-c
    else
        pid=$(child_pid)
        [ -n "$pid" ] || fail "no hotline process under the pane's shell"
        kill -"$how" "$pid"
    fi
    expect_exit 0
    expect "MARK-$how"
    expect_not "Intake"
done
step "Ctrl-Z suspends, fg resumes with a full redraw"
fresh
# Straight from bash (bash runs "echo EXIT" as soon as the job stops: EXIT=148).
start_hotline --lang en
wait_for "Intake: a new call"
keys C-z
wait_for "Stopped"
wait_for "EXIT=148"
expect_not "Intake: a new call"
shell_run "fg; echo AFTER=\$?"
wait_for "Intake: a new call"
wait_for "F1 Help"
keys 2
wait_for "Tickets: work orders"
keys q
wait_for "AFTER=0"
expect_not "Tickets: work orders"
