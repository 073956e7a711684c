#!/usr/bin/env bash
# test_intake_lib: helpers of the intake tests (source after lib.sh): a console signed in as
# agent01 against a hotlined with demo data, and JSON checks through python3.
for tool in curl python3; do
    command -v "$tool" >/dev/null 2>&1 || { echo "$tool is not installed: skipping"; exit 77; }
done

# Start the server (unless it runs) and a console of W x H signed in as agent01, on the idle
# intake tab.
intake_console() {
    [ -n "$SERVER_PID" ] || server_start
    start_shell "${1:-80}" "${2:-24}"
    start_hotline --lang en --server "$SERVER_URL" --user agent01
    console_login agent01
    wait_for " online " 10
    wait_for "Intake: a new call" 5
}

# Run python3 code with the JSON document $1 as `d`; the code asserts (non-zero exit fails).
json_check() {
    local doc=$1 code=$2
    printf '%s' "$doc" | python3 -c "import json,sys,datetime
d=json.load(sys.stdin)
$code" || fail "JSON check failed on: ${doc:0:600}"
}

# The ticket number shown on the result screen ("Number: HL...").
shown_number() {
    screen | sed -n 's/.*Number: \(HL[0-9]*-[0-9]*\).*/\1/p' | head -n 1
}

# A mobile number of a demo caller with open tickets (repeat caller), as the server stores it.
demo_repeat_phone() {
    api agent01 GET "/tickets?flag=repeat_caller&limit=100" | python3 -c '
import json,sys
for t in json.load(sys.stdin)["items"]:
    p = t["caller"]["phone"] or ""
    if len(p) == 11 and p.startswith("1") and t["status"] not in ("closed", "archived"):
        print(p); break'
}

# The row (0-based, in the pane) of the terminal cursor.
cursor_row() {
    tmx display-message -p -t tui '#{cursor_y}'
}
