#!/usr/bin/env bash
# cut_console: the console (tmux) talks to hotlined through cutproxy.py, which lets the
# server answer every 2nd POST to /tickets... and then drops the connection (before the
# answer, or halfway through it). Three work orders are taken on the intake tab (a create,
# then a dispatch each): whatever answer is lost, the console queues the write in its
# outbox (a create with the key of its lost try) and replays it. In the end: the console is
# online with an empty outbox, each work order exists exactly once and was dispatched once.
# Skips (77) without tmux, curl or python3.
# shellcheck source-path=SCRIPTDIR
command -v python3 >/dev/null 2>&1 || { echo "python3 is missing: skipping"; exit 77; }
# shellcheck source=tui.sh
. "$(dirname "$0")/tui.sh"

ORDERS=3
PROXY_PID=""
# Stop the proxy (by its pid), then what lib.sh started.
cut_cleanup() {
    local rc=$?
    if [ -n "$PROXY_PID" ]; then
        kill "$PROXY_PID" 2>/dev/null
        wait "$PROXY_PID" 2>/dev/null
    fi
    (exit "$rc")
    server_cleanup
}
trap cut_cleanup EXIT

server_start
python3 "$HOTLINE_SOURCE/tests/faults/cutproxy.py" --target "127.0.0.1:$SERVER_PORT" \
    --every 2 --match '^POST /api/v1/tickets' --port-file "$TUI_TMP/proxy.port" \
    --stats "$TUI_TMP/proxy.stats" >"$TUI_TMP/proxy.out" 2>&1 &
PROXY_PID=$!
for ((i = 0; i < 100; i++)); do
    [ -s "$TUI_TMP/proxy.port" ] && break
    sleep 0.1
done
[ -s "$TUI_TMP/proxy.port" ] || fail "the proxy did not start: $(cat "$TUI_TMP/proxy.out")"
PROXY_URL=http://127.0.0.1:$(cat "$TUI_TMP/proxy.port")

start_shell 100 30
start_hotline --lang en --server "$PROXY_URL" --user agent01
console_login agent01
wait_for " online " 10
mark="断线$$"

for n in $(seq "$ORDERS"); do
    step "work order $n of $ORDERS through the proxy"
    take_work_order "1380013810$n" "孙" "示例市南湖区" "${mark}-$n" "断线时受理的工单" "南湖区"
    wait_match "Number: (本地-|HL)" 30
    keys Enter
    wait_gone "Number: " 10
done

step "the console ends online with an empty outbox"
wait_no_match "outbox: [1-9]" 60
wait_for " online" 30
outbox_is_empty

step "every work order exists exactly once, dispatched once"
for n in $(seq "$ORDERS"); do
    out=$(api agent01 GET "/tickets?q=${mark}-$n&limit=10&count=1")
    [ "$(echo "$out" | total_of)" = 1 ] || fail "expected exactly one ticket '${mark}-$n': $out"
    id=$(echo "$out" | sed -n 's/.*"items":\[{"id":"\([^"]*\)".*/\1/p')
    t=$(api agent01 GET "/tickets/$id")
    echo "$t" | grep -q '"status":"dispatched"' || fail "$id was not dispatched: $t"
    [ "$(echo "$t" | grep -o '"type":"dispatch"' | wc -l)" = 1 ] ||
        fail "$id was dispatched other than once: $t"
    echo "$t" | grep -q '"version":2,' || fail "$id should be at version 2: $t"
done
out=$(api agent01 GET "/tickets?q=${mark}&limit=10&count=1")
[ "$(echo "$out" | total_of)" = "$ORDERS" ] || fail "expected $ORDERS tickets '$mark': $out"
read -r _ requests _ matching _ cuts _ conns <"$TUI_TMP/proxy.stats"
echo "cut_console: $ORDERS work orders, $matching POSTs to /tickets (of $requests requests," \
    "$conns connections), $cuts answers cut; each order landed once"
[ "$cuts" -ge 2 ] || fail "the proxy cut fewer than 2 answers: the test proved little"
keys F10
expect_exit 0
