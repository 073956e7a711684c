#!/usr/bin/env bash
# watch_alert: two panes on one tmux window: the supervisor's `hotline --watch` and an agent's
# shell. The agent creates an emergency ticket through the API; the watch pane shows the alert
# within 2 seconds (through the change feed), the counters move, and the caller's name, phone
# and address never appear in the watch pane, not even in the bytes sent to it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/watch_lib.sh"

# The open-emergencies counter (full or short label) from the counter rows.
emergencies() {
    screen | sed -n '2,5p' | sed -n 's/.*\(Emergencies open\|Emerg\.\) *\([0-9][0-9]*\).*/\2/p' |
        head -n 1
}

watch_setup
start_shell 200 40
tmx split-window -h -t tui -l 50 "env PS1='agent\$ ' PROMPT_COMMAND= bash --norc --noprofile -i"
tmx select-pane -t tui.0
tmx pipe-pane -t tui.0 -o "cat >>'$TUI_TMP/watch.raw'"
start_hotline --watch --lang en
step "the dashboard comes up with the demo data, the feed live"
wait_for "Overdue" 10
wait_for "online · live" 10
wait_for "Alerts (" 10
before=$(emergencies)
[ -n "$before" ] || fail "no emergency counter"
expect_no_caller

step "the agent creates an emergency ticket in the other pane"
emergency_body >"$TUI_TMP/body.json"
cat >"$TUI_TMP/agent.sh" <<AGENT
curl -s -X POST -H 'Authorization: Bearer $(api_token agent01)' \\
    -H 'Content-Type: application/json' -d @'$TUI_TMP/body.json' '$SERVER_URL/api/v1/tickets' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' >'$TUI_TMP/newid.part' &&
    mv '$TUI_TMP/newid.part' '$TUI_TMP/newid' && cat '$TUI_TMP/newid'
AGENT
tmx send-keys -t tui.1 -l -- ". '$TUI_TMP/agent.sh'"
tmx send-keys -t tui.1 Enter
for ((i = 0; i < 100; i++)); do
    [ -s "$TUI_TMP/newid" ] && break
    sleep 0.05
done
id=$(cat "$TUI_TMP/newid" 2>/dev/null)
[ -n "$id" ] || fail "the agent could not create the ticket"
step "created $id: the watch pane shows it within 2 s"
wait_for "$id" 2
screen | grep -F "$id" | grep -q "Emerg" || fail "the alert for $id is not an emergency alert"
# The counter comes from its own request and may land one render after the alert.
for ((i = 0; i < 40; i++)); do
    after=$(emergencies)
    [ "$after" -eq $((before + 1)) ] && break
    sleep 0.05
done
[ "$after" -eq $((before + 1)) ] || fail "emergencies open went from $before to $after within 2 s"

step "nothing of the caller in the watch pane, on screen or in its bytes"
expect_no_caller
sleep 1
if grep -qF -e "$SECRET_PHONE" -e "$SECRET_NAME" "$TUI_TMP/watch.raw"; then
    fail "the caller's data was sent to the watch pane"
fi
# (ncurses sends only the cells that change, so the id need not appear whole in the bytes.)
[ -s "$TUI_TMP/watch.raw" ] || fail "the pipe of the watch pane saw nothing"

step "the agent's pane shows the new id"
tmx capture-pane -p -t tui.1 | grep -qF "$id" || fail "the agent pane does not show $id"

step "q quits cleanly"
keys q
expect_exit 0
