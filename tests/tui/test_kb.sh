#!/usr/bin/env bash
# test_kb: the knowledge base against a real hotlined with demo data. The server's clock is
# set (HOTLINED_FAKE_NOW, tests only) to a day when the sample 停水 notice (KB-0017, valid
# 2025-03-05 to 2025-03-09) is in force, so it is pinned and agents can find it. A
# two-character Chinese query shows the match highlighted (the server's 【】 are not drawn),
# Enter opens the article in the reader, Esc goes back.
. "$(dirname "$0")/lib.sh"

export HOTLINED_FAKE_NOW=2025-03-06T10:00:00+08:00
server_start

start_shell 80 24
start_hotline --server "$SERVER_URL" --lang en
console_login agent01

step "tab 3: the knowledge base with the notice in force pinned on top"
keys 3
wait_for "Knowledge base: articles and notices" 10
wait_for "! Emergency notice  【模板】高新区部分区域计划停水通知" 10
wait_for "2025-03-05 – 2025-03-09"

step "a two-character Chinese query as you type"
keys /
type_text "停水"
wait_for "Search: 停水"
wait_for "1 article" 10
# pinned, and the result (its kind, title and snippet)
[ "$(screen | grep -c '【模板】高新区部分区域计划停水通知')" -ge 2 ] || fail "the result is not shown"
step "the match is drawn in the highlight slot, without the server's brackets"
expect_not "【停水】"
# highlight: black on yellow (theme slot highlight)
screen_attrs | grep -qE $'\e\\[(30;43|30m\e\\[43)m停水' ||
    screen_attrs | grep -q '43m停水' ||
    fail "停水 is not highlighted: $(screen_attrs | grep -F '停水' | cat -v)"

step "Enter leaves the field, Enter opens the article in the reader"
keys Enter
keys Enter
wait_for "坐席答复口径" 10
expect "Valid 2025-03-05 – 2025-03-09 · published · KB-0017"
expect "Esc back"
# the body is wrapped by display width (76 columns: 38 Chinese characters or the digits
# that fit), nothing lost at the break
screen | grep -q '^  因主管网阀门更换施工，高新区部分区域计划于2025年3月8日（周六）8:00至20:00停$' ||
    fail "the first line of the text is not wrapped at 76 columns"
screen | grep -q '^  止供水。$' || fail "the rest of the wrapped line is missing"
step "the query is highlighted in the text too"
screen_attrs | grep -q '43m停水' || fail "停水 is not highlighted in the reader"
keys PageDown
keys Escape
wait_for "Search: 停水"

step "a filter by kind: guides only -> the notice is gone"
keys t t
wait_for "t Kind: Guide"
wait_for "No article matches" 10
keys t t t t
wait_for "t Kind: all"
wait_for "1 article" 10

step "Esc clears the search"
keys Escape
wait_gone "Search: 停水"
keys q
expect_exit 0
