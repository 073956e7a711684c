#!/usr/bin/env bash
# cut_api: the API through cutproxy.py, which lets hotlined answer every 3rd POST and then
# drops the connection (before the answer, or halfway through it). A client that retries a
# create with the same Idempotency-Key until it gets an answer makes exactly one ticket per
# key: 20 keys -> 20 tickets, the replays answered 200 with the first attempt's ticket.
# A retried action is not replayed by key: its If-Match makes the retry a 412 whose current
# ticket shows the action done once. Skips (77) without curl or python3.
# shellcheck source-path=SCRIPTDIR
set -u
HOTLINED=${HOTLINED:?HOTLINED is not set}
HERE=$(cd "$(dirname "$0")" && pwd)
PW=correct-horse-7
N=20
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v curl >/dev/null 2>&1 || { echo "skip: no curl"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "skip: no python3"; exit 77; }

DIR=$(mktemp -d "${TMPDIR:-/tmp}/hl-cut.XXXXXX") || exit 1
PPID_=""
# shellcheck source=lib.sh
. "$HERE/lib.sh"
cleanup() {
    [ -n "$PPID_" ] && kill "$PPID_" 2>/dev/null && wait "$PPID_" 2>/dev/null
    [ -n "$SPID" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
    rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

DB=$DIR/t.db
hl_user "$DB" agent1 "$PW"
hl_serve "$DB" server
DIRECT=$BASE

python3 "$HERE/cutproxy.py" --target "127.0.0.1:$port" --every 3 --match '^POST ' \
    --port-file "$DIR/proxy.port" --stats "$DIR/proxy.stats" >"$DIR/proxy.out" 2>&1 &
PPID_=$!
for _ in $(seq 100); do
    [ -s "$DIR/proxy.port" ] && break
    sleep 0.1
done
[ -s "$DIR/proxy.port" ] || fail "the proxy did not start: $(cat "$DIR/proxy.out")"
CUT=http://127.0.0.1:$(cat "$DIR/proxy.port")/api/v1

hl_login agent1 "$PW"

# post URL PATH BODY [headers...]: until an answer comes (at most 10 tries); status in ST,
# body in $DIR/body, the tries in TRIES.
post() {
    local url=$1 path=$2 body=$3
    shift 3
    TRIES=0
    ST=000
    while [ "$TRIES" -lt 10 ]; do
        TRIES=$((TRIES + 1))
        ST=$(curl -s -o "$DIR/body" -w '%{http_code}' --max-time 10 -X POST \
            -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' "$@" \
            --data-binary "$body" "$url$path")
        case $ST in
        000) continue ;;
        *) [ -s "$DIR/body" ] || continue
           # a cut halfway leaves a status line but a partial body: that is no answer
           python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$DIR/body" \
               2>/dev/null || continue
           return 0 ;;
        esac
    done
    return 1
}

mark="断线$$"
tries=0 replays=0 created=0
declare -A seen
for i in $(seq "$N"); do
    key="cut-api-$$-$i"
    post "$CUT" /tickets "{\"channel\":\"web\",\"nature\":\"consult\",\"title\":\"$mark-$i\",\"description\":\"经代理断线重试\"}" \
        -H "Idempotency-Key: $key" || fail "create $i got no answer in $TRIES tries"
    tries=$((tries + TRIES))
    case $ST in
    201) created=$((created + 1)) ;;
    200) replays=$((replays + 1)) ;;
    *) fail "create $i: $ST $(cat "$DIR/body")" ;;
    esac
    id=$(sed -n 's/^{"id":"\([^"]*\)".*/\1/p' "$DIR/body")
    [ -n "$id" ] || fail "create $i: no id in $(cat "$DIR/body")"
    [ -z "${seen[$id]:-}" ] || fail "create $i answered with $id, the ticket of another key"
    seen[$id]=1
done
total=$(curl -s -H "Authorization: Bearer $TOK" "$DIRECT/tickets?q=$mark&limit=1&count=1" |
    sed -n 's/.*"total":\([0-9]*\).*/\1/p')
echo "creates: $N keys, $tries POSTs, $created answered 201, $replays answered 200 (replay)," \
    "$total tickets; proxy: $(cat "$DIR/proxy.stats")"
[ "$total" = "$N" ] || fail "expected $N tickets '$mark', found $total"
[ "$tries" -gt "$N" ] || fail "the proxy cut nothing: the test proved nothing"
[ "$replays" -ge 1 ] || fail "no retry was answered as a replay (200)"

# An action through the proxy, retried with the version it was sent on.
post "$CUT" "/tickets/$id/resolve_direct" '{"answer":"已答复","kb_refs":[]}' -H 'If-Match: "1"' ||
    fail "resolve_direct got no answer"
case $ST in
200) echo "action: answered on try $TRIES" ;;
412) echo "action: try $TRIES got 412 (the lost first try had applied it)" ;;
*) fail "resolve_direct: $ST $(cat "$DIR/body")" ;;
esac
t=$(curl -s -H "Authorization: Bearer $TOK" "$DIRECT/tickets/$id")
echo "$t" | grep -q '"status":"closed"' || fail "$id is not closed: $t"
[ "$(echo "$t" | grep -o '"type":"resolve_direct"' | wc -l)" = 1 ] ||
    fail "resolve_direct applied other than once: $t"
kill -0 "$SPID" 2>/dev/null || fail "hotlined died"
echo ok
