#!/usr/bin/env bash
# console: the console against a real hotlined: sign in, the token file, untrusted text drawn
# inert, offline and back online on the same port, writes waiting in the outbox and replayed
# exactly once, and a resize that keeps the selected ticket.
. "$(dirname "$0")/lib.sh"

server_start
start_shell 100 30

step "sign in with agent01/demo1234: online, the token kept with mode 0600"
start_hotline --lang en --server "$SERVER_URL"
console_login agent01
wait_for "signed in as agent01"
row 30 | grep -q '^ online' || fail "status row is '$(row 30)'"
row 1 | grep -q 'hotline · agent01$' || fail "tab bar row is '$(row 1)'"
[ "$(stat -c %a "$XDG_STATE_HOME/hotline/token")" = 600 ] || fail "token file mode is not 600"
grep -q '^user=agent01$' "$XDG_STATE_HOME/hotline/token" || fail "token file names no user"

step "the server refuses raw escape characters in a ticket (422)"
code=$(api agent01 POST /tickets \
    '{"channel":"web","nature":"consult","title":"\u001b[2J","description":"x"}' \
    -o /dev/null -w '%{http_code}')
[ "$code" = 422 ] || fail "a raw ESC in a title was answered $code"

step "what passes (C1 controls, bidi and zero-width characters) draws inert"
body='{"channel":"web","nature":"consult","title":"INERT\u009b2J\u009d0;x\u009cT\u202eEND",'
body=$body'"description":"D\u009b2J \u200b \u009d0;x\u009c tail","location":"L\u202eOC"}'
inert=$(api agent01 POST /tickets "$body" | sed -n 's/^{"id":"\([^"]*\)".*/\1/p')
[ -n "$inert" ] || fail "could not create the ticket with escapes"
keys 2
wait_for "Mine "
keys /
wait_for "Filter and search"
type_text "$inert"
keys Enter
wait_match "^$inert "
keys Enter
wait_match "^ HL[0-9]{8}-[0-9]{6} · "
expect "INERT<U+009B>2J<U+009D>0;x<U+009C>T<U+202E>END"
expect "D<U+009B>2J <U+200B> <U+009D>0;x<U+009C> tail"
row 1 | grep -q '^ 1 Intake  2 Tickets' || fail "the tab bar was overwritten: '$(row 1)'"
row 30 | grep -q '^ online' || fail "the status bar was overwritten: '$(row 30)'"
title=$(tmx display-message -p -t tui '#{pane_title}')
[ "$title" != "x" ] || fail "the pane title was set by the ticket's text"
keys Escape
wait_gone "Esc: back to the list"
keys Escape
wait_gone "Filter:"

step "resize keeps the selected ticket"
wait_for "soonest deadline first"
keys Down Down Down
keys Enter
wait_match "^ HL[0-9]{8}-[0-9]{6} · "
want=$(screen | sed -n '2p' | grep -oE 'HL[0-9]{8}-[0-9]{6}')
[ -n "$want" ] || fail "no ticket in the detail"
keys Escape
wait_gone "Esc: back to the list"
resize 120 40
sleep 0.3
resize 90 26
sleep 0.3
keys Enter
wait_match "^ HL[0-9]{8}-[0-9]{6} · "
screen | sed -n '2p' | grep -qF "$want" || fail "after the resize the selected ticket is not $want"
keys Escape
resize 100 30
wait_gone "Esc: back to the list"

step "the server stops: the status bar says reconnecting, with the next try"
server_stop
wait_for "reconnecting — next try" 15
row 30 | grep -qE '^ reconnecting — next try [0-2][0-9]:[0-5][0-9]:[0-5][0-9]' ||
    fail "status row is '$(row 30)'"

step "offline: the list comes from the cache, an action waits in the outbox"
closing=$inert
keys /
wait_for "Filter and search"
type_text "$closing"
keys Enter
wait_match "^$closing "
keys Enter
wait_match "^ HL[0-9]{8}-[0-9]{6} · "
screen | sed -n '2p' | grep -qF "$closing" || fail "the detail is not $closing"
keys a
wait_for "Actions"
keys l
wait_for "Close ·"
type_text "closed while offline"
keys Enter
wait_for "kept in the outbox"
wait_for "outbox: 1 waiting"

step "the server returns on the same port: online again, the outbox replays once"
server_start "$SERVER_PORT"
wait_for " online" 45
wait_gone "outbox: 1 waiting" 20
status=$(api agent01 GET "/tickets/$closing" | grep -o '"status":"[a-z_]*"' | head -n 1)
[ "$status" = '"status":"closed"' ] || fail "$closing is $status after the replay"
closes=$(api agent01 GET "/tickets/$closing" | grep -o '"type":"close"' | wc -l)
[ "$closes" = 1 ] || fail "$closing was closed $closes times"

step "the session expires: the sign-in form comes back over the view, which stays as it was"
token=$(sed -n 's/^token=//p' "$XDG_STATE_HOME/hotline/token")
curl -s -X DELETE -H "Authorization: Bearer $token" "$SERVER_URL/api/v1/session" >/dev/null
keys r
wait_for "Sign in" 10
expect "session has expired"
screen | sed -n '2p' | grep -qF "$closing" || fail "the detail under the sign-in form is gone"
console_login agent01
wait_for "signed in as agent01"
screen | sed -n '2p' | grep -qF "$closing" || fail "the detail did not stay after signing in"
[ "$(sed -n 's/^token=//p' "$XDG_STATE_HOME/hotline/token")" != "$token" ] ||
    fail "the new token was not stored"

keys Escape
keys F10
expect_exit 0

step "started again with the server away: the stored session, the queues painted from the cache"
server_stop
fresh
start_hotline --lang en --server "$SERVER_URL"
wait_for "1 Intake"
expect_not "Sign in"
row 1 | grep -q 'hotline · agent01$' || fail "tab bar row is '$(row 1)'"
keys 2
wait_for "cached: the server has not answered yet" 10
wait_match "^HL[0-9]{8}-[0-9]{6} "
wait_for "reconnecting — next try" 15
keys F10
expect_exit 0
