#!/usr/bin/env bash
# test_callbacks_quiet: quiet hours, whatever the time of day. hotlined runs with a centre's
# rules file whose quiet hours are the two hours from the present hour (Asia/Shanghai, UTC+8
# all year); the console takes the rules from /meta and decides with rules_check as the
# server does: calling is disabled with the next allowed time (the end of the window), an
# attempt is refused before it reaches the server, and the server refuses it too.
. "$(dirname "$0")/lib.sh"

start=$(date -u +%s)
hour=$(( (start / 3600 + 8) % 24 ))
from=$(printf '%02d:00' "$hour")
to_hour=$(( (hour + 2) % 24 ))
to=$(printf '%02d:00' "$to_hour")
cat >"$TUI_TMP/quiet.json" <<EOF
{"profiles":{"12345":{"callback_quiet_hours":{"from":"$from","to":"$to"}}}}
EOF

step "hotlined with quiet hours $from-$to"
server_demo_data
HOTLINE_DATA="${HOTLINE_SOURCE:-}/data" "$HOTLINED_BIN" --db "$SERVER_DB" serve \
    --listen 127.0.0.1:0 --rules "$TUI_TMP/quiet.json" >"$TUI_TMP/server.out" \
    2>>"$TUI_TMP/server.err" &
SERVER_PID=$!
for ((i = 0; i < 200; i++)); do
    grep -q ' listening on http://' "$TUI_TMP/server.out" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$TUI_TMP/server.err"; fail "hotlined exited"; }
    sleep 0.05
done
SERVER_URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$TUI_TMP/server.out" | head -n 1)
[ -n "$SERVER_URL" ] || fail "hotlined did not start"

step "a replied complaint owing a callback (through the API)"
created=$(api agent01 POST /tickets '{"channel":"phone","caller":{"name":"夜间回访","phone":"13900139000"},"nature":"complaint","category":"urban.env.water_supply","description":"水压太低，请处理。"}')
id=$(printf '%s' "$created" | sed -n 's/^{"id":"\([^"]*\)".*/\1/p')
[ -n "$id" ] || fail "no ticket created: $created"
api agent01 POST "/tickets/$id/dispatch" '{"units":[{"unit":"water","role":"lead"}]}' >/dev/null
api u_water POST "/tickets/$id/accept" '{}' >/dev/null
api u_water POST "/tickets/$id/reply" '{"reply":"已调整加压泵，水压恢复正常。"}' |
    grep -q '"status":"replied"' || fail "reply failed"

start_shell 80 24
start_hotline --server "$SERVER_URL" --lang en
console_login agent01
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

step "disabled, with the next allowed time ($to) and the rule's own sentence"
wait_for "○ Calling disabled: quiet hours, no calls now; next allowed"
screen | grep -qE "next allowed ([0-9]{2}-[0-9]{2} )?$to" ||
    fail "the next allowed time is not $to: $(screen | grep -F 'next allowed')"
expect "No callbacks between $from and $to local time"
step "the queue's Call column shows the time too"
screen | grep -F "$id" | grep -qE "( |-)$to" || fail "the row does not show $to"

step "a refuses the attempt in the console (no form, no request)"
keys a
wait_for "Calling disabled: quiet hours"
expect_not "Callback attempt: $id"
api agent01 GET "/tickets/$id" | grep -q '"callbacks":\[\]' || fail "an attempt was recorded"

step "the server agrees: 409 callback_quiet_hours with possible_from"
answer=$(api agent01 POST "/tickets/$id/callback" '{"outcome":"no_answer","note":null}')
printf '%s' "$answer" | grep -q '"code":"callback_quiet_hours"' ||
    fail "the server did not refuse: $answer"
printf '%s' "$answer" | grep -q '"possible_from":"[0-9-]*T'"$to" ||
    fail "possible_from is not $to: $answer"

step "s: agreeing a time inside the quiet hours is refused with the time to agree from"
keys s
wait_for "Agree a time with the caller: $id"
# the hour after the one the test began in (local): ahead, and inside the quiet hours
inside=$(date -u -d "@$(( (start + 8 * 3600) / 3600 * 3600 + 3600 ))" '+%Y-%m-%d %H:%M')
keys C-u
type_text "$inside"
keys Enter
wait_for "Schedule the callback possible from"
keys Escape
wait_gone "Agree a time with the caller"
keys q
expect_exit 0
