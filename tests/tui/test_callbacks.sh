#!/usr/bin/env bash
# test_callbacks: the callback queue against a real hotlined with demo data. A ticket is
# taken through the API to "replied" (a callback is owed); in the console the agent finds it
# in the queue with the reply to read out. In the daytime the agent records a reached,
# dissatisfied callback: the server sends the ticket back to the unit (in_progress, checked
# with curl) and the console says so. In quiet hours (21:00-08:00 Asia/Shanghai) the console
# and the server share the machine's clock, so the test asserts the disabled state with the
# next allowed time (08:00) instead, and that the attempt is refused.
. "$(dirname "$0")/lib.sh"

server_start

step "a complaint dispatched to the water unit, accepted and replied (through the API)"
created=$(api agent01 POST /tickets '{"channel":"phone","caller":{"name":"回访测试","phone":"13800138000"},"nature":"complaint","category":"urban.env.water_supply","description":"停水两天无人处理，请尽快恢复供水。"}')
id=$(printf '%s' "$created" | sed -n 's/^{"id":"\([^"]*\)".*/\1/p')
[ -n "$id" ] || fail "no ticket created: $created"
api agent01 POST "/tickets/$id/dispatch" '{"units":[{"unit":"water","role":"lead"}]}' |
    grep -q '"status":"dispatched"' || fail "dispatch failed"
api u_water POST "/tickets/$id/accept" '{}' | grep -q '"status":"in_progress"' ||
    fail "accept failed"
api u_water POST "/tickets/$id/reply" '{"reply":"已安排抢修，今日十八时前恢复供水。"}' |
    grep -q '"status":"replied"' || fail "reply failed"

start_shell 80 24
start_hotline --server "$SERVER_URL" --lang en
console_login agent01

step "tab 4: the queue, soonest first; the new ticket is due last"
keys 4
wait_for "Callbacks: the due list" 10
wait_for " due · " 10
keys End
for ((i = 0; i < 60; i++)); do
    screen | grep -qF "$id · complaint" && break
    keys Up
    sleep 0.05
done
wait_for "$id · complaint"
expect "Reply to read out"
expect "已安排抢修，今日十八时前恢复供水。"
expect "Attempts: 0 (0 failed)"

# The hour in Asia/Shanghai (UTC+8 all year).
hour=$(( (10#$(date -u +%H) + 8) % 24 ))
if screen | grep -qF "● Calling allowed now"; then
    [ "$hour" -ge 8 ] && [ "$hour" -lt 21 ] ||
        fail "calling is allowed at $hour o'clock (quiet hours 21:00-08:00)"
    step "daytime: record a reached, dissatisfied attempt with the caller's words"
    keys a
    wait_for "Callback attempt: $id"
    keys Down Right Right
    wait_for "< dissatisfied >"
    wait_for "goes back to the unit to redo"
    keys Down
    type_text "还是没有水，很不满意"
    keys Enter
    wait_for "Sent back to" 10
    expect "$id: the caller is dissatisfied."
    expect "new deadline"
    step "the server sent it back to the unit: in_progress (curl)"
    ticket=$(api agent01 GET "/tickets/$id")
    printf '%s' "$ticket" | grep -q '"status":"in_progress"' ||
        fail "the ticket is not in_progress: $ticket"
    printf '%s' "$ticket" | grep -q '"satisfaction":"dissatisfied"' ||
        fail "the callback was not recorded: $ticket"
    printf '%s' "$ticket" | grep -q '"note":"还是没有水，很不满意"' ||
        fail "the caller's words were not recorded"
    step "it left the queue"
    wait_gone "$id · complaint"
else
    [ "$hour" -ge 21 ] || [ "$hour" -lt 8 ] ||
        fail "calling is disabled at $hour o'clock: $(screen | grep -F 'Calling')"
    step "quiet hours: calling is disabled with the next allowed time"
    wait_for "○ Calling disabled: quiet hours, no calls now; next allowed"
    screen | grep -qE 'next allowed ([0-9]{2}-[0-9]{2} )?08:00' ||
        fail "the next allowed time is not 08:00"
    expect "No callbacks between 21:00 and 08:00 local time"
    step "the attempt is refused with the time"
    keys a
    wait_for "Calling disabled:"
    expect_not "Callback attempt: $id"
    api agent01 GET "/tickets/$id" | grep -q '"status":"replied"' ||
        fail "the ticket changed"
fi
keys q
expect_exit 0
