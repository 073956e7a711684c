#!/usr/bin/env bash
# test_kb_publish: a supervisor writes an article in the console and moves it draft ->
# review -> published; agents do not see it before, and find it (highlighted) after.
. "$(dirname "$0")/lib.sh"

server_start

start_shell 80 24
start_hotline --server "$SERVER_URL" --lang en
console_login sup01

step "n: a new article (title, kind, text), F9 saves it as a draft"
keys 3
wait_for "Knowledge base: articles and notices" 10
wait_for "t Kind: all"
keys n
wait_for "New article (saved as a draft)"
type_text "蓝鲸小区临时停气说明"
keys Tab Right Right                      # kind: knowledge -> guide -> case
wait_for "< Case >"
keys Tab Tab
type_text "示例市"
keys Tab
type_text "urban.env.gas_supply"
keys Tab
type_text "停气, 蓝鲸小区"
keys Tab Tab Tab
type_text "蓝鲸小区因燃气管道检修临时停气，预计两小时后恢复供气。"
keys F9
wait_for "Saved KB-" 10
wait_for "· draft · KB-"
expect "Case · Local · 示例市 · urban.env.gas_supply"
expect "Tags: 停气, 蓝鲸小区"
id=$(screen | grep -o 'Saved KB-[0-9]*' | head -n 1 | sed 's/Saved //')
[ -n "$id" ] || fail "no article id on the screen"

step "agents do not see a draft"
body=$(api agent01 GET "/kb?q=%E8%93%9D%E9%B2%B8")
case "$body" in *"$id"*) fail "an agent sees the draft: $body" ;; esac

step "p: draft -> review (asked first)"
keys p
wait_for "Move $id"
expect "from draft to in"
keys y
wait_for "$id is now in review." 10
wait_for "· in review · $id"
step "p: review -> published"
keys p
wait_for "Move $id"
expect "from in review to"
keys y
wait_for "$id is now published." 10
wait_for "· published · $id"
api agent01 GET "/kb/$id" | grep -q '"status":"published"' || fail "not published on the server"

step "sign in as an agent (:login) and find the article with a two-character query"
keys Escape
keys :
type_text "login"
keys Enter
console_login agent01
wait_for "hotline · agent01" 10
keys /
type_text "蓝鲸"
wait_for "1 article" 10
expect "蓝鲸小区临时停气说明"
screen_attrs | grep -q '43m蓝鲸' || fail "蓝鲸 is not highlighted: $(screen_attrs | grep -F '蓝鲸' | cat -v)"
keys Enter Enter
wait_for "预计两小时后恢复供气" 10
expect "· published · $id"
step "agents cannot write"
keys e
wait_for "Only supervisors and admins write and publish articles."
keys Escape
keys q
expect_exit 0
