#!/usr/bin/env bash
# test_intake_answer: at 80x24 a new call with a Chinese description is answered directly from
# the knowledge-base article the console suggests; the API shows the ticket closed as direct.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/test_intake_lib.sh"

intake_console 80 24
step "F2 starts a call: the clock runs, the cursor is on the phone"
keys F2
wait_for "Call 00:0"
expect "Phone"
[ "$(cursor_row)" = 2 ] || fail "cursor on row $(cursor_row), expected the phone's row 2"
type_text "139 0011 2233"
wait_for "History of 13900112233"
wait_for "No earlier tickets." 10
step "the nature, then the details in Chinese: suggestions follow the typing"
keys Tab Tab Tab Tab Tab Tab
keys Right
wait_for "<consult>"
keys Tab Tab Tab
type_text "市民咨询租房怎么提取公积金"
wait_for "市民咨询租房怎么提取公积金"
wait_for "住房公积金提取常见情形" 10
step "F9: the article chosen fills the answer with its text"
keys F9
wait_for "Articles used"
expect "[ ] KB-0016 住房公积金提取常见情形"
keys Space
wait_for "[x] KB-0016"
wait_for "租房自住" 10
keys F9
wait_for "Answered directly: the ticket is closed." 10
id=$(shown_number)
[ -n "$id" ] || fail "no ticket number on the screen"
screen | tr -d ' \n' | grep -qF "以上答复您清楚了吗" || fail "no after-answer phrase"
step "the API: $id closed as a direct answer from KB-0016"
doc=$(api agent01 GET "/tickets/$id")
json_check "$doc" '
assert d["status"] == "closed", d["status"]
assert d["resolution"] == "direct", d["resolution"]
assert d["kb_refs"] == ["KB-0016"], d["kb_refs"]
assert d["nature"] == "consult", d["nature"]
assert d["description"] == "市民咨询租房怎么提取公积金", d["description"]
assert d["caller"]["phone"] == "13900112233", d["caller"]["phone"]
assert "租房自住" in d["answer"], d["answer"]
assert d["closed_at"] is not None'
step "Enter ends the call; nothing is left to save"
keys Enter
wait_for "Intake: a new call"
keys F10
expect_exit 0
[ ! -e "$XDG_STATE_HOME/hotline/draft.json" ] || fail "the draft was left behind"
