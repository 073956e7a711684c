#!/usr/bin/env bash
# frozen: the backend hangs (SIGSTOP) while an agent works in the console (tmux).
# While frozen: tab switches and list moves still redraw, a ticket opens from the cache, the
# console says it is reconnecting once its requests time out, and a dispatch and a new work
# order (sent while the console still believed it was online) wait in the outbox. After
# SIGCONT the server also runs the requests it had taken before it froze: every write lands
# exactly once (one ticket with the marker, one dispatch event, versions as expected) and the
# outbox empties. Skips (77) without tmux or curl.
# shellcheck source=tui.sh
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/tui.sh"

FROZEN=0
# Never leave a stopped server behind: continue it before lib.sh stops it.
frozen_cleanup() {
    local rc=$?
    [ "$FROZEN" = 1 ] && [ -n "$SERVER_PID" ] && kill -CONT "$SERVER_PID" 2>/dev/null
    (exit "$rc")
    server_cleanup
}
trap frozen_cleanup EXIT

id_of() { sed -n 's/^{"id":"\([^"]*\)".*/\1/p'; }
count_of() { grep -o "$1" | wc -l | tr -d ' '; }

server_start
mark="冻结$$"
t1=$(api agent01 POST /tickets \
    "{\"channel\":\"phone\",\"caller\":{\"phone\":\"13800138011\"},\"nature\":\"help\",\"title\":\"${mark}甲\",\"description\":\"路灯不亮\"}" | id_of)
t2=$(api agent01 POST /tickets \
    "{\"channel\":\"phone\",\"caller\":{\"phone\":\"13800138012\"},\"nature\":\"help\",\"title\":\"${mark}乙\",\"description\":\"井盖缺失\"}" | id_of)
[ -n "$t1" ] && [ -n "$t2" ] || fail "could not create the tickets"

start_shell 110 32
start_hotline --lang en --server "$SERVER_URL" --user agent01
console_login agent01
wait_for " online " 10

step "online: the two tickets are listed (and so cached)"
keys 2
wait_match "^ Mine: " 10
keys /
wait_for "Filter and search"
keys C-u
type_text "$mark"
keys Enter
wait_match "^$t2 " 10
wait_match "^$t1 " 10
# the list's order (the first row is selected): moving down must select the other one
first=$(screen | grep -oE "^($t1|$t2) " | head -n 1 | tr -d ' ')
second=$t1
[ "$first" = "$t1" ] && second=$t2

step "the server freezes (SIGSTOP)"
kill -STOP "$SERVER_PID"
FROZEN=1

step "keys still redraw: tab switches and list moves"
keys 3
wait_gone "Filter: \"$mark\""
keys 1
wait_match "Intake"
keys 2
wait_for "Filter: \"$mark\""
wait_match "^$first "

step "a listed ticket opens from the cache"
keys Down Enter
wait_match "^ $second · " 5
keys Escape
wait_gone "Esc: back to the list"
keys Up Enter
wait_match "^ $first · " 5
expect "cached"

step "a dispatch sent to the frozen server (the console still believes it is online)"
keys a
wait_for "Actions"
keys d
wait_for "Dispatch to units ·"
keys Space
keys Enter
keys Escape
wait_gone "Esc: back to the list"

step "a work order taken on the intake tab"
take_work_order "13800138013" "钱" "示例市西城区" "${mark}丙" "冻结时受理的工单" "西城区"

step "after the request timeout: reconnecting, both writes wait in the outbox"
wait_for "reconnecting" 30
wait_for "Number: 本地-" 30
wait_match "outbox: [2-4] waiting" 30
keys Enter
keys 2
wait_for "Filter: \"$mark\""

step "the server continues (SIGCONT): it also runs what it had taken in before freezing"
kill -CONT "$SERVER_PID"
FROZEN=0
wait_for " online" 60
wait_no_match "outbox: [1-9]" 30
outbox_is_empty

step "every write landed exactly once"
out=$(api agent01 GET "/tickets?q=${mark}丙&limit=10&count=1")
[ "$(echo "$out" | total_of)" = 1 ] || fail "expected exactly one ticket '${mark}丙': $out"
echo "$out" | grep -q '"status":"dispatched"' || fail "the new work order was not dispatched: $out"
out=$(api agent01 GET "/tickets?q=${mark}&limit=10&count=1")
[ "$(echo "$out" | total_of)" = 3 ] || fail "expected 3 tickets '$mark' in all: $out"
t=$(api agent01 GET "/tickets/$first")
echo "$t" | grep -q '"status":"dispatched"' || fail "$first was not dispatched: $t"
echo "$t" | grep -q '"version":2,' || fail "$first should be at version 2 (created, dispatched): $t"
[ "$(echo "$t" | count_of '"type":"dispatch"')" = 1 ] || fail "$first was dispatched more than once: $t"
t=$(api agent01 GET "/tickets/$second")
echo "$t" | grep -q '"version":1,' || fail "$second changed although nobody acted on it: $t"
echo "frozen: 1 create + 1 dispatch queued while frozen, each landed once"
keys F10
expect_exit 0
