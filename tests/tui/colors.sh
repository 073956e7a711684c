#!/usr/bin/env bash
# colors: 256 colours, 8 colours (TERM=xterm), none (NO_COLOR): the screen uses what the
# terminal has. Checked on the escape sequences tmux saw.
. "$(dirname "$0")/lib.sh"

start_shell 80 24
step "256 colours: the dark theme uses the 256-colour palette"
start_hotline --lang en --theme dark
wait_for "Intake: a new call"
screen_attrs | grep -q '38;5;' || fail "no 256-colour sequences: $(screen_attrs | head -2 | cat -v)"
keys q
expect_exit 0

step "8 colours (TERM=xterm): the same theme maps to basic colours"
fresh
shell_run "TERM=xterm '$HOTLINE_BIN' --lang en --theme dark; echo EXIT=\$?"
wait_for "Intake: a new call"
attrs=$(screen_attrs)
echo "$attrs" | grep -q '38;5;' && fail "256-colour sequences on an 8-colour terminal"
echo "$attrs" | grep -qE $'\e\\[(3[0-7]|4[0-7])m' || fail "no basic colours: $(echo "$attrs" | head -2 | cat -v)"
keys q
expect_exit 0

step "NO_COLOR: attributes only"
fresh
shell_run "NO_COLOR=1 '$HOTLINE_BIN' --lang en; echo EXIT=\$?"
wait_for "Intake: a new call"
attrs=$(screen_attrs)
# 39 and 49 (the default colours) are how tmux writes "no colour"; anything else is a colour.
colour=$'\e\\[([0-9]+;)*(3[0-8]|4[0-8])[;m]'
echo "$attrs" | grep -qE "$colour" &&
    fail "colours despite NO_COLOR: $(echo "$attrs" | grep -E "$colour" | head -2 | cat -v)"
echo "$attrs" | grep -q $'\e\\[7m' || fail "no reverse video for the bars"
keys q
expect_exit 0

step "a broken theme file: file:line in the status bar, default colours"
mkdir -p "$XDG_CONFIG_HOME/hotline/themes"
printf '[colors]\ntab = red blue\noverdue = reed default\n' >"$XDG_CONFIG_HOME/hotline/themes/broken.theme"
fresh
start_hotline --lang en --theme broken
wait_for "broken.theme:3: unknown colour 'reed'"
keys q
expect_exit 0
