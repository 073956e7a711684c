#!/usr/bin/env bash
# test_callbacks: the callback queue against a real hotlined with demo data. Two tickets are
# taken through the API to "replied" (a callback is owed); the agent finds them in the queue
# with the reply to read out.
# - A reached, dissatisfied callback: the server sends the ticket back to the unit
#   (in_progress with a new deadline, checked with curl) and the console says so.
# - A failed attempt when the centre closes after one (callback_unreachable 1): the console
#   offers to close as unreachable, with a note; the ticket closes (resolution unreachable).
# So that this runs the same at any hour, the centre's rules file switches the quiet hours off
# (from = to); the console takes its rules from /meta, so both sides agree. Quiet hours are
# tested by test_callbacks_quiet.
. "$(dirname "$0")/lib.sh"

cat >"$TUI_TMP/rules.json" <<'EOF'
{"profiles":{"12345":{"callback_quiet_hours":{"from":"00:00","to":"00:00"},
 "callback_unreachable":{"failed_attempts":1}}}}
EOF
step "hotlined without quiet hours, closing as unreachable after one failed attempt"
server_demo_data
HOTLINE_DATA="${HOTLINE_SOURCE:-}/data" "$HOTLINED_BIN" --db "$SERVER_DB" serve \
    --listen 127.0.0.1:0 --rules "$TUI_TMP/rules.json" >"$TUI_TMP/server.out" \
    2>>"$TUI_TMP/server.err" &
SERVER_PID=$!
for ((i = 0; i < 200; i++)); do
    grep -q ' listening on http://' "$TUI_TMP/server.out" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$TUI_TMP/server.err"; fail "hotlined exited"; }
    sleep 0.05
done
SERVER_URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$TUI_TMP/server.out" | head -n 1)
[ -n "$SERVER_URL" ] || fail "hotlined did not start"

# A complaint dispatched to the water unit, accepted and replied; prints its id.
replied_ticket() {
    local created id
    created=$(api agent01 POST /tickets "{\"channel\":\"phone\",\"caller\":{\"name\":\"$1\",\"phone\":\"$2\"},\"nature\":\"complaint\",\"category\":\"urban.env.water_supply\",\"description\":\"停水两天无人处理，请尽快恢复供水。\"}")
    id=$(printf '%s' "$created" | sed -n 's/^{"id":"\([^"]*\)".*/\1/p')
    [ -n "$id" ] || fail "no ticket created: $created"
    api agent01 POST "/tickets/$id/dispatch" '{"units":[{"unit":"water","role":"lead"}]}' |
        grep -q '"status":"dispatched"' || fail "dispatch failed"
    api u_water POST "/tickets/$id/accept" '{}' | grep -q '"status":"in_progress"' ||
        fail "accept failed"
    api u_water POST "/tickets/$id/reply" '{"reply":"已安排抢修，今日十八时前恢复供水。"}' |
        grep -q '"status":"replied"' || fail "reply failed"
    printf '%s' "$id"
}

# Select ticket $1 in the queue (the newest are due last: from the end upwards).
select_ticket() {
    local i
    keys End
    for ((i = 0; i < 60; i++)); do
        screen | grep -qF "$1 · complaint" && return 0
        keys Up
        sleep 0.05
    done
    wait_for "$1 · complaint"
}

step "two replied complaints (through the API)"
a=$(replied_ticket 回访测试 13800138000)
b=$(replied_ticket 无人接听 13900139000)
[ -n "$a" ] && [ -n "$b" ] || fail "the tickets were not made"

start_shell 80 24
start_hotline --server "$SERVER_URL" --lang en
console_login agent01

step "tab 4: the queue with the reply to read out"
keys 4
wait_for "Callbacks: the due list" 10
wait_for " due · " 10
select_ticket "$a"
expect "Reply to read out"
expect "已安排抢修，今日十八时前恢复供水。"
expect "Attempts: 0 (0 failed)"
expect "● Calling allowed now"

step "record a reached, dissatisfied attempt with the caller's words"
keys a
wait_for "Callback attempt: $a"
keys Down Right Right
wait_for "< dissatisfied >"
wait_for "goes back to the unit to redo"
keys Down
type_text "还是没有水，很不满意"
keys Enter
wait_for "Sent back to" 10
expect "$a: the caller is dissatisfied."
expect "new deadline"
step "the server sent it back to the unit: in_progress (curl)"
ticket=$(api agent01 GET "/tickets/$a")
printf '%s' "$ticket" | grep -q '"status":"in_progress"' ||
    fail "the ticket is not in_progress: $ticket"
printf '%s' "$ticket" | grep -q '"satisfaction":"dissatisfied"' ||
    fail "the callback was not recorded: $ticket"
printf '%s' "$ticket" | grep -q '"note":"还是没有水，很不满意"' ||
    fail "the caller's words were not recorded"
step "it left the queue"
wait_gone "$a · complaint"

step "a failed attempt: no answer"
select_ticket "$b"
keys a
wait_for "Callback attempt: $b"
keys Right
wait_for "< no answer >"
expect "(only when the caller was reached)"
keys Enter
wait_for "$b: attempt recorded (no answer)" 10
step "the close as unreachable is offered, with a note"
wait_for "u closes the ticket as unreachable (with a note)."
keys u
wait_for "Close $b"
wait_for "Unreachable after the callback attempts."
keys Enter
wait_for "$b closed: the caller could not be reached." 10
ticket=$(api agent01 GET "/tickets/$b")
printf '%s' "$ticket" | grep -q '"status":"closed"' || fail "not closed: $ticket"
printf '%s' "$ticket" | grep -q '"resolution":"unreachable"' || fail "not unreachable: $ticket"
wait_gone "$b · complaint"
keys q
expect_exit 0
