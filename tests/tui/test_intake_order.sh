#!/usr/bin/env bash
# test_intake_order: a complaint becomes a work order: the console offers confidentiality,
# shows the deadline before dispatching, and the number large afterwards; the API shows the
# lead unit and the deadline of a level-2 complaint (24 hours).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/test_intake_lib.sh"

intake_console 80 24
step "caller and a complaint: the console offers confidentiality"
keys F2
wait_for "Call 00:0"
type_text "138-0013-8000"
keys Tab Right Tab
type_text "李"
keys Tab
type_text "示例市西城区文化路12号"
keys Tab Tab Tab
keys Right Right Right
wait_for "Keep the caller confidential?"
keys y
wait_for "confidential caller"
expect "<complaint>"
step "graded 2, category from the tree by typing a part of its name"
keys Tab
wait_for "<ungraded>"
keys 2
wait_for "<2 general>"
keys Tab
type_text "社会生活"
wait_for "社会生活噪声  urban.env.social_noise"
keys Enter
wait_for "社会生活噪声 urban.env.social_noise"
type_text "夜市噪声扰民"
keys Tab
type_text "西城区文化路夜市每晚噪声持续到凌晨，影响休息。"
keys Tab
type_text "西城区文化路夜市"
step "F12: the deadline is shown before confirming"
keys F12
wait_for "Create a work order"
wait_for "rule 12345:complaint.level2: complaint level 2: 24 hours"
est=$(screen | sed -n 's/.*Deadline \([0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]\).*/\1/p')
[ -n "$est" ] || fail "no deadline estimate before confirming"
type_text "城市管理"
wait_for "市城市管理局  urban_mgmt"
keys Enter
wait_for "Lead: 市城市管理局"
keys F12
wait_for "Work order created: read the number to the caller" 10
id=$(shown_number)
[ -n "$id" ] || fail "no ticket number on the screen"
step "$id is drawn large (block cells in reverse video) and quoted in the transfer phrase"
n=$(screen_attrs | grep -c $'\e\\[7m')
[ "$n" -ge 5 ] || fail "expected 5 rows of large digits, found $n"
expect "Lead unit: 市城市管理局"
screen | tr -d ' \n' | grep -qF "受理单号是$id，将转交市城市管理局办理" ||
    fail "the transfer phrase does not quote $id and the unit"
shown_due=$(screen | sed -n 's/.*Deadline: \([0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]\).*/\1/p')
[ -n "$shown_due" ] || fail "no deadline on the result"
# The period runs from acceptance (the ticket's creation), not from the dispatch a second
# or so later (DESIGN §4: deadlines count from the day of acceptance).
step "the API: dispatched to the lead unit, due 24 hours after acceptance ($shown_due)"
doc=$(api agent01 GET "/tickets/$id")
json_check "$doc" "
assert d['status'] == 'dispatched', d['status']
assert d['nature'] == 'complaint' and d['complaint_level'] == 2
assert d['category'] == 'urban.env.social_noise', d['category']
assert d['caller']['confidential'] is True
assert d['caller']['phone'] == '13800138000', d['caller']['phone']
assert d['caller']['salutation'] == '先生' and d['caller']['name'] == '李'
a = d['assignments']
assert len(a) == 1 and a[0]['unit'] == 'urban_mgmt' and a[0]['role'] == 'lead', a
assert d['due_rule'] == '12345:complaint.level2', d['due_rule']
due = datetime.datetime.fromisoformat(d['due_at'])
accepted = datetime.datetime.fromisoformat(d['created_at'])
sent = datetime.datetime.fromisoformat(a[0]['dispatched_at'])
assert due - accepted == datetime.timedelta(hours=24), (due, accepted)
assert a[0]['due_at'] == d['due_at'], (a[0]['due_at'], d['due_at'])
assert sent >= accepted, (sent, accepted)
assert due.strftime('%m-%d %H:%M') == '$shown_due', (due, '$shown_due')"
keys Enter
wait_for "Intake: a new call"

step "the caller's own time limit, earlier than the rule's, is the deadline"
limit=$(TZ=Asia/Shanghai date -d '+5 hours' '+%Y-%m-%d %H:%M')
keys F2
wait_for "Call 00:0"
type_text "13800138000"
keys Tab Right Tab
type_text "李"
keys Tab Tab Tab Tab
keys 2
wait_for "<help>"
keys Tab
type_text "路灯"
wait_for "路灯  urban.env.street_lights"
keys Enter
type_text "路灯不亮"
keys Tab
type_text "文化路路灯连续三晚不亮，来电人要求今天修好。"
keys Tab Tab Tab
type_text "$(echo "$limit" | tr -d ': -')"
wait_for "Time limit $limit"
keys F12
wait_for "Create a work order"
wait_for "the caller's own time limit: earlier than the rule's"
expect "Deadline ${limit:5}"
type_text "城市管理"
wait_for "市城市管理局  urban_mgmt"
keys Enter F12
wait_for "Work order created: read the number to the caller" 10
id=$(shown_number)
expect "Deadline: ${limit:5}"
doc=$(api agent01 GET "/tickets/$id")
json_check "$doc" "
assert d['due_rule'] == 'requested', d['due_rule']
assert d['requested_due'] == d['due_at'], (d['requested_due'], d['due_at'])
assert datetime.datetime.fromisoformat(d['due_at']).strftime('%Y-%m-%d %H:%M') == '$limit'"
keys Enter
wait_for "Intake: a new call"
keys F10
expect_exit 0
