#!/usr/bin/env bash
# test_intake_offline: the form survives a crash (kill -9) as a draft restored at start; with
# the server away the answer goes to the outbox under a provisional number 本地-N, replaced by
# the server's number once the outbox is replayed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/test_intake_lib.sh"

intake_console 80 24
step "a form typed, then the console killed"
keys F2
wait_for "Call 00:0"
type_text "13700137000"
keys Tab Tab
type_text "赵"
keys Tab Tab Tab Tab
keys Right
wait_for "<consult>"
keys Tab Tab Tab
type_text "咨询小区停水什么时候恢复"
wait_for "咨询小区停水什么时候恢复"
for ((i = 0; i < 40; i++)); do
    grep -qF "咨询小区停水什么时候恢复" "$XDG_STATE_HOME/hotline/draft.json" 2>/dev/null && break
    sleep 0.05
done
grep -qF "咨询小区停水什么时候恢复" "$XDG_STATE_HOME/hotline/draft.json" ||
    fail "no draft written"
kill -9 "$(child_pid)"
wait_for "tui\$"
step "started again: the draft comes back with a message"
fresh
shell_run "stty sane"
start_hotline --lang en --server "$SERVER_URL"
wait_for "Restored the form of an unfinished call" 10
expect "咨询小区停水什么时候恢复"
screen | grep -qE "Name +赵" || fail "the name was not restored"
wait_for " online " 10
step "the server goes away: the answer is queued with a provisional number"
server_stop
keys F9
wait_for "Answer given to the caller"
type_text "已告知来电人：抢修完成后恢复供水。"
keys F9
wait_for "Queued: not sent yet." 15
expect "Number: 本地-1"
expect "waits in the outbox as 本地-1"
wait_for "outbox: 2 waiting"
step "the server returns: the outbox sends it and the real number replaces 本地-1"
server_start
wait_for "Sent from the outbox: the number is now HL" 60
id=$(screen | sed -n 's/.*the number is now \(HL[0-9]*-[0-9]*\).*/\1/p' | head -n 1)
[ -n "$id" ] || fail "no server number"
wait_for "Number: $id"
wait_gone " waiting " 30
doc=$(api agent01 GET "/tickets/$id")
json_check "$doc" '
assert d["status"] == "closed" and d["resolution"] == "direct", (d["status"], d["resolution"])
assert d["description"] == "咨询小区停水什么时候恢复"
assert d["caller"]["name"] == "赵"
assert d["answer"] == "已告知来电人：抢修完成后恢复供水。", d["answer"]'
keys Enter
wait_for "Intake: a new call"
keys F10
expect_exit 0
[ ! -e "$XDG_STATE_HOME/hotline/draft.json" ] || fail "the draft was left behind"
