#!/usr/bin/env bash
# test_intake_history: a demo caller's number typed in another spelling (+86, spaces, dashes)
# brings up that caller's history beside the form: earlier tickets with their status and a
# warning for a repeat caller with open tickets.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/test_intake_lib.sh"

server_start
phone=$(demo_repeat_phone)
[ -n "$phone" ] || fail "the demo data has no repeat caller with a mobile number"
hist=$(api agent01 GET "/callers/$phone/tickets?limit=20")
total=$(printf '%s' "$hist" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')
open=$(printf '%s' "$hist" | python3 -c '
import json,sys
print(sum(1 for t in json.load(sys.stdin)["items"] if t["status"] not in ("closed","archived")))')
first=$(printf '%s' "$hist" | python3 -c '
import json,sys
t=json.load(sys.stdin)["items"][0]
print(t["id"][-6:], t["status"], (t["title"] or "")[:4])')
spelled="+86 ${phone:0:3}-${phone:3:4} ${phone:7:4}"

intake_console 100 30
step "F2 and the number as '$spelled'"
keys F2
wait_for "Call 00:0"
type_text "$spelled"
wait_for "History of $phone: $total" 10
step "the repeat-caller warning: $open open"
expect "Repeat caller: $open open ticket(s)"
step "the newest ticket with its status: $first"
screen | grep -qF "$first" || fail "'$first' is not in the history"
step "another spelling of the same number finds the same history"
keys C-u
type_text "0086${phone:0:3}.${phone:3:4}.${phone:7:4}"
wait_for "History of $phone: $total" 10
expect "Repeat caller: $open open ticket(s)"
step "an incomplete number clears it"
keys BSpace
wait_for "Type the caller's number: their earlier"
expect_not "Repeat caller:"
keys Escape
wait_for "Discard this call's form?"
keys y
wait_for "Intake: a new call"
keys F10
expect_exit 0
