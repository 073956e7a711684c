#!/usr/bin/env bash
# help: '?' shows the keys from the key table; Esc closes it at once; F1 too.
. "$(dirname "$0")/lib.sh"

start_shell 80 24
start_hotline --lang en
wait_for "Intake: a new call"
step "? opens the overlay listing keys and what they do"
keys '?'
wait_for "Keys"
expect "Everywhere"
expect "F1 ?"
expect "Show the keys of this tab"
expect "1 F5"
expect "Intake tab"
expect "Command line (call, theme, lang, help, quit)"
step "End shows the rest of the table"
keys End
wait_for "Quit (asks first when a form has unsaved input)"
expect "F10 q"
expect_not "Show the keys of this tab"
step "Home and j scroll back"
keys Home
wait_for "Show the keys of this tab"
# j scrolls a line at a time: as many as the view's own keys above the line take.
for ((n = 0; n < 20; n++)); do
    screen | grep -qF "Show the keys of this tab" || break
    keys j
    sleep 0.05
done
wait_gone "Show the keys of this tab"
step "Esc closes it (no escape delay to speak of)"
start=$(date +%s%N)
keys Escape
wait_for "Intake: a new call" 2
end=$(date +%s%N)
echo "   closed after $(((end - start) / 1000000)) ms"
expect_not "Everywhere"
step "F1 opens it, q closes it without quitting"
keys F1
wait_for "Show the keys of this tab"
keys q
wait_gone "Show the keys of this tab"
expect "Intake: a new call"
step "in Chinese"
keys ':'
type_text "lang zh_CN"
keys Enter
wait_for "1 受理  2 工单  3 知识库  4 回访"
keys '?'
wait_for "全局按键"
expect "显示本标签页的按键"
keys Escape
wait_gone "全局按键"
keys q
expect_exit 0
