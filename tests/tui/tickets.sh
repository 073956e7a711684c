#!/usr/bin/env bash
# tickets: the tickets tab against a real hotlined with demo data: queue counts, the detail
# and its timeline, an urge refused too early with its reason and time, a unit user accepting
# and replying, a confidential caller masked for the unit, and a 412 conflict resolved.
. "$(dirname "$0")/lib.sh"

server_start
start_shell 110 32

# The number in '"total":N' of a list answer.
total_of() {
    sed -n 's/.*"total":\([0-9]*\).*/\1/p'
}

# The id of a ticket answer.
id_of() {
    sed -n 's/^{"id":"\([^"]*\)".*/\1/p'
}

# Open the detail of ticket $1 through the filter.
open_ticket() {
    keys /
    wait_for "Filter and search"
    keys C-u
    type_text "$1"
    keys Enter
    # The unfiltered queue may list the same ticket: wait for the filter to be applied (the
    # list is emptied then) before waiting for its row, or the next Enter may meet no row.
    wait_for "Filter: \"$1\""
    wait_match "^$1 " 10
    keys Enter
    wait_match "^ HL[0-9]{8}-[0-9]{6} · "
    screen | sed -n '2p' | grep -qF "$1" || fail "the detail is not $1"
}

step "queues show the server's counts"
start_hotline --lang en --server "$SERVER_URL"
console_login agent01
keys 2
overdue=$(api agent01 GET '/tickets?flag=overdue&limit=1&count=1' | total_of)
all=$(api agent01 GET '/tickets?limit=1&count=1' | total_of)
returned=$(api agent01 GET '/tickets?status=returned&limit=1&count=1' | total_of)
[ -n "$overdue" ] && [ -n "$all" ] || fail "no totals from the API"
wait_for " Overdue $overdue " 10
wait_for " All $all"
wait_for " Returned $returned "
expect "Time left"

step "filter and search: a Chinese substring, then a nature, then a date range"
keys Left
wait_match "^ All: $all tickets"
keys /
wait_for "Filter and search"
type_text "垃圾"
keys Enter
wait_for 'Filter: "垃圾"'
n=$(api agent01 GET "/tickets?q=%E5%9E%83%E5%9C%BE&limit=1&count=1" | total_of)
wait_match "^ All: $n tickets"
keys /
wait_for "Filter and search"
keys Tab Tab Right Enter
wait_for 'Filter: "垃圾" consult'
n=$(api agent01 GET "/tickets?q=%E5%9E%83%E5%9C%BE&nature=consult&limit=1&count=1" | total_of)
wait_match "^ All: $n tickets"
# The day of the newest ticket (its id carries the centre's local date): "today" has no
# ticket yet in the first minutes after midnight in Shanghai.
day=$(api agent01 GET "/tickets?limit=1" | grep -o '"id":"HL[0-9]\{8\}-' | head -1 | tr -dc '0-9')
[ ${#day} -eq 8 ] || fail "no ticket to take a day from"
today=${day:0:4}-${day:4:2}-${day:6:2}
keys Escape
wait_gone "Filter:"
keys /
wait_for "Filter and search"
keys Tab Tab Tab Tab
type_text "$today"
keys Tab
type_text "$today"
keys Enter
wait_for "Filter: $today..$today"
wait_match "^HL${today//-/}-"
if screen | grep -E '^HL[0-9]{8}-' | grep -v "^HL${today//-/}-" | grep -q .; then
    fail "a ticket not accepted today passed the date range"
fi
keys Escape
wait_gone "Filter:"
keys Right
wait_match "^ Mine: [0-9]+ tickets, [0-9]+ loaded"

step "the detail shows every field and the timeline"
keys Enter
wait_match "^ HL[0-9]{8}-[0-9]{6} · "
expect "Subject"
keys End
wait_for "Timeline"
expect "Assignments"
expect "created"
keys Home
wait_match "^ HL[0-9]{8}-[0-9]{6} · "
keys Escape
wait_gone "Esc: back to the list"

step "an urge refused too early shows its reason and the time it becomes possible"
early=$(api agent01 POST /tickets \
    '{"channel":"phone","caller":{"name":"李","phone":"13800138000"},"nature":"help","title":"催办测试","description":"路灯不亮"}' |
    id_of)
[ -n "$early" ] || fail "could not create a ticket"
api agent01 POST "/tickets/$early/dispatch" '{"units":[{"unit":"water","role":"lead"}]}' >/dev/null
open_ticket "$early"
expect "dispatched"
keys a
wait_for "Actions"
expect "possible from"
keys u
wait_for "Urge possible from"
row 32 | grep -qE 'Urge possible from [0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}: half of the period' ||
    fail "status row is '$(row 32)'"
keys Escape
keys Escape
wait_gone "Esc: back to the list"

step "Enter typed ahead of the filtered list opens its ticket once the list arrives"
keys /
wait_for "Filter and search"
keys C-u
type_text "$early"
keys Enter Enter
wait_match "^ HL[0-9]{8}-[0-9]{6} · " 10
screen | sed -n '2p' | grep -qF "$early" || fail "the detail is not $early"
keys Escape
wait_gone "Esc: back to the list"
keys Escape
wait_gone "Filter:"

step "a 412 conflict: both versions side by side, then mine on top of theirs"
conflict=$(api agent01 POST /tickets \
    '{"channel":"web","nature":"consult","title":"版本一","description":"冲突测试"}' | id_of)
[ -n "$conflict" ] || fail "could not create a ticket"
open_ticket "$conflict"
expect "版本一"
api agent02 PATCH "/tickets/$conflict" '{"title":"版本二"}' -H 'If-Match: "1"' >/dev/null
keys a
wait_for "Actions"
keys d
wait_for "Dispatch to units ·"
keys Space
keys Enter
wait_for "Conflict: the ticket changed since you opened it"
expect "Yours (v1)"
expect "Theirs (v2)"
screen | grep -q "Subject.*版本一.*版本二" || fail "the titles are not side by side"
keys m
wait_for "Dispatch to units: done"
state=$(api agent01 GET "/tickets/$conflict")
echo "$state" | grep -q '"status":"dispatched"' || fail "$conflict was not dispatched"
echo "$state" | grep -q '"title":"版本二"' || fail "their title was overwritten"
echo "$state" | grep -q '"version":3' || fail "expected version 3"
keys Escape
wait_gone "Esc: back to the list"
keys F10
expect_exit 0

step "a unit user sees its tickets, accepts and replies; a confidential caller stays masked"
unit_t=$(api agent01 POST /tickets \
    '{"channel":"phone","caller":{"name":"王五","phone":"13900139000","confidential":true},"nature":"help","title":"水管爆裂","description":"楼下水管爆裂"}' |
    id_of)
[ -n "$unit_t" ] || fail "could not create a ticket"
api agent01 POST "/tickets/$unit_t/dispatch" '{"units":[{"unit":"water","role":"lead"}]}' >/dev/null
fresh
start_hotline --lang en --server "$SERVER_URL" --user u_water
console_login u_water
keys 2
wait_for " To accept "
open_ticket "$unit_t"
expect "(hidden)"
expect_not "13900139000"
expect_not "王五"
keys a
wait_for "Actions"
expect_not "d  Dispatch"
expect_not "u  Urge"
keys c
wait_for "Accept $unit_t?"
keys y
wait_for "Accept: done" 10
wait_for "in progress"
keys a
wait_for "Actions"
keys p
wait_for "Reply ·"
type_text "已派人维修，水管已修好"
keys Enter
wait_for "Reply: done" 10
state=$(api agent01 GET "/tickets/$unit_t")
echo "$state" | grep -q '"status":"replied"' || fail "$unit_t is not replied: $state"
echo "$state" | grep -q '"reply":"已派人维修，水管已修好"' || fail "the reply is not stored"
keys Escape
keys F10
expect_exit 0
