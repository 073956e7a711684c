#!/usr/bin/env bash
# term: a terminal hotline cannot use gives a clear error and a non-zero exit, and the
# terminal is left alone.
. "$(dirname "$0")/lib.sh"

start_shell 80 24
step "TERM=dumb"
shell_run "TERM=dumb '$HOTLINE_BIN' --lang en; echo EXIT=\$?"
wait_for "EXIT=1"
expect "hotline: terminal type 'dumb' cannot move the cursor"
step "TERM=xyz (unknown)"
fresh
shell_run "TERM=xyz-unknown '$HOTLINE_BIN' --lang en; echo EXIT=\$?"
wait_for "EXIT=1"
expect "hotline: terminal type 'xyz-unknown' is unknown: set TERM"
step "TERM unset"
fresh
shell_run "env -u TERM '$HOTLINE_BIN' --lang en; echo EXIT=\$?"
wait_for "EXIT=1"
expect "hotline: TERM is not set"
step "in Chinese"
fresh
shell_run "TERM=xyz-unknown '$HOTLINE_BIN' --lang zh_CN; echo EXIT=\$?"
wait_for "EXIT=1"
expect "未知的终端类型“xyz-unknown”"
step "not a terminal"
fresh
shell_run "'$HOTLINE_BIN' --lang en </dev/null; echo EXIT=\$?"
wait_for "EXIT=1"
expect "standard input and output must be a terminal"
step "a bad option and a bad config file exit 2 before the screen changes"
fresh
shell_run "'$HOTLINE_BIN' --bogus; echo EXIT=\$?"
wait_for "EXIT=2"
expect "hotline: unknown option '--bogus' (see hotline --help)"
mkdir -p "$XDG_CONFIG_HOME/hotline"
printf '[server]\nurl = https://ok.example\n[ui]\nthem = dark\n' >"$XDG_CONFIG_HOME/hotline/config"
fresh
shell_run "'$HOTLINE_BIN' --lang en; echo EXIT=\$?"
wait_for "EXIT=2"
expect "hotline: $XDG_CONFIG_HOME/hotline/config:4: unknown key 'them' in"
