#!/usr/bin/env bash
# outbox: a ticket created while the server is away waits in the outbox (the status bar counts
# it), then replays exactly once when the server returns on the same port: one ticket, created
# and dispatched, whatever the retries. The form is the intake tab's (tests/tui/test_intake_*).
. "$(dirname "$0")/lib.sh"

server_start
start_shell 100 30
start_hotline --lang en --server "$SERVER_URL" --user agent01
console_login agent01
wait_for " online " 10
subject="离线工单$$"
[ "$(api agent01 GET "/tickets?q=$subject&limit=1&count=1" | sed -n 's/.*"total":\([0-9]*\).*/\1/p')" = 0 ] ||
    fail "a ticket '$subject' exists already"

step "the server stops; a work order is taken all the same"
server_stop
wait_for "reconnecting — next try" 15
keys F2
wait_for "Call 00:0"
type_text "13800138001"
keys Tab Right Tab
type_text "赵"
keys Tab
type_text "示例市东城区"
keys Tab Tab Tab Right Tab
type_text "社会生活"
wait_for "社会生活噪声  urban.env.social_noise"
keys Enter
type_text "$subject"
keys Tab
type_text "离线时受理的工单"
keys Tab
type_text "东城区"
keys F12
wait_for "Create a work order"
type_text "城市管理"
wait_for "市城市管理局  urban_mgmt"
keys Enter
wait_for "Lead: 市城市管理局"
keys F12

step "it waits in the outbox under a local number"
wait_for "Number: 本地-"
wait_match "outbox: [12] waiting"
sleep 1
[ "$(ls "$XDG_STATE_HOME/hotline/outbox.db")" ] || fail "no outbox file under XDG_STATE_HOME"

step "the server returns on the same port: the outbox empties, exactly one ticket exists"
server_start "$SERVER_PORT"
wait_for " online" 45
wait_gone "waiting" 20
out=$(api agent01 GET "/tickets?q=$subject&limit=10&count=1")
[ "$(echo "$out" | sed -n 's/.*"total":\([0-9]*\).*/\1/p')" = 1 ] ||
    fail "expected exactly one ticket '$subject': $out"
echo "$out" | grep -q '"status":"dispatched"' || fail "the replayed ticket was not dispatched: $out"
echo "$out" | grep -q '"unit":"urban_mgmt"' || fail "the lead unit is not urban_mgmt: $out"

keys Enter
step ":outbox says nothing waits and nothing is held"
keys :
type_text "outbox"
keys Enter
wait_for "outbox: 0 waiting, none held"
keys F10
expect_exit 0
