#!/usr/bin/env bash
# test_intake_pop: the phone system reports (POST /calls, as admin) that agent01 answered a
# call: the console opens intake with that number and its history without a keystroke; a
# second call while the form holds input asks first; `hotline --call PHONE` starts likewise.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/test_intake_lib.sh"

# POST /calls: an answer by agent01 of a call from $1 (call id $2).
answer_call() {
    local at
    at=$(date +%Y-%m-%dT%H:%M:%S%:z)
    api admin POST /calls "{\"call_id\":\"$2\",\"type\":\"answer\",\"caller\":\"$1\",\"queue\":\"12345\",\"agent\":\"agent01\",\"at\":\"$at\"}" \
        -o /dev/null -w '%{http_code}'
}

server_start
phone=$(demo_repeat_phone)
[ -n "$phone" ] || fail "the demo data has no repeat caller with a mobile number"
intake_console 100 30
step "call.answer for agent01 from $phone: the form opens with the number and its history"
code=$(answer_call "$phone" "c-tui-pop-1")
[ "$code" = 204 ] || fail "POST /calls answered $code"
wait_for "Call answered from $phone." 10
wait_for "History of $phone:" 10
wait_for "Repeat caller:" 10
screen | grep -qE "^Phone +$phone" || fail "the phone field does not hold $phone"
expect "Call 00:0"
step "a call answered by another agent does not pop here"
api admin POST /calls "{\"call_id\":\"c-tui-pop-x\",\"type\":\"answer\",\"caller\":\"13922223333\",\"queue\":\"12345\",\"agent\":\"agent02\",\"at\":\"$(date +%Y-%m-%dT%H:%M:%S%:z)\"}" >/dev/null
step "the next call while the form holds input asks first"
type_text "王"
wait_for "王"
code=$(answer_call "13911112222" "c-tui-pop-2")
[ "$code" = 204 ] || fail "POST /calls answered $code"
wait_for "A call from 13911112222 was answered." 10
expect_not "13922223333"     # agent02's call never popped here
keys y
wait_for "History of 13911112222" 10
step "Esc discards; quit"
keys Escape
wait_for "Discard this call's form?"
keys y
wait_for "Intake: a new call"
keys F10
expect_exit 0
step "hotline --call '${phone:0:3} ${phone:3:4} ${phone:7:4}' opens straight into the call"
fresh
start_hotline --lang en --server "$SERVER_URL" --call "${phone:0:3} ${phone:3:4} ${phone:7:4}"
wait_for "History of $phone:" 15
wait_for "Repeat caller:" 10
keys Escape
wait_for "Discard this call's form?"
keys y
keys F10
expect_exit 0
