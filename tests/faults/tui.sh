# shellcheck shell=bash source-path=SCRIPTDIR
# tui.sh: what the console fault tests share (cut_console.sh, frozen.sh); sourced (bash).
# Skips (77) without curl, then sources tests/tui/lib.sh (tmux, the server helpers) and adds:
#   total_of                  the "total" of a list answer on stdin
#   wait_no_match RE [SECS]   wait until no line of the screen matches RE
#   take_work_order PHONE NAME ADDRESS TITLE DESCRIPTION DISTRICT
#                             fill the intake tab (F2) as a noise complaint for 市城市管理局
#                             and create it (the last F12); the caller checks what follows
#   outbox_is_empty           the :outbox command says nothing waits and nothing is held
command -v curl >/dev/null 2>&1 || { echo "curl is missing: skipping"; exit 77; }
# shellcheck source=../tui/lib.sh
. "${HOTLINE_SOURCE:?HOTLINE_SOURCE is not set}/tests/tui/lib.sh"

# The "total" of the list answer on stdin.
total_of() {
    sed -n 's/.*"total":\([0-9]*\).*/\1/p'
}

# Wait until no line of the screen matches the extended regular expression RE.
wait_no_match() {
    local re=$1 limit=${2:-5} i
    for ((i = 0; i < limit * 20; i++)); do
        screen | grep -qE -- "$re" || return 0
        sleep 0.05
    done
    fail "waited ${limit}s for no line to match '$re'"
}

# Take a call on the intake tab and create its work order, led by 市城市管理局.
take_work_order() {
    keys F2
    wait_for "Call 00:0"
    type_text "$1"
    keys Tab Right Tab
    type_text "$2"
    keys Tab
    type_text "$3"
    keys Tab Tab Tab Right Tab
    type_text "社会生活"
    wait_for "社会生活噪声  urban.env.social_noise"
    keys Enter
    type_text "$4"
    keys Tab
    type_text "$5"
    keys Tab
    type_text "$6"
    keys F12
    wait_for "Create a work order"
    type_text "城市管理"
    wait_for "市城市管理局  urban_mgmt"
    keys Enter
    wait_for "Lead: 市城市管理局"
    keys F12
}

# Ask the console (:outbox) and wait for its answer that the outbox is empty.
outbox_is_empty() {
    keys :
    type_text "outbox"
    keys Enter
    wait_for "outbox: 0 waiting, none held" 10
}
