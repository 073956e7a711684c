#!/bin/sh
# test_readonly: the database turns read-only under a live hotlined, then writable again.
# Root ignores file modes and the busy file system cannot be remounted read-only, so the
# database file and its WAL get the immutable attribute (`chattr +i`), which binds root too.
# (The -shm index is left alone: SQLite maps it into memory, and a mapped file that turns
# immutable kills the process with SIGBUS, whatever the program.)
# While read-only: creates and actions get a 5xx with a JSON error body whose message says
# the database is read-only and what to do; reads and /health keep answering 200 from every
# worker thread (16 concurrent reads). Writable again (`chattr -i`): 24 creates, 4 at a time,
# all succeed on every worker thread, nothing made in the read-only window exists, and
# `hotlined check` passes. Skips (77) without root, chattr or a file system with the
# immutable attribute (tmpfs before Linux 6.0, overlayfs).
# Needs $HOTLINED, $HOTLINE_DATA, curl.
# shellcheck source-path=SCRIPTDIR
set -u
HOTLINED=${HOTLINED:?HOTLINED is not set}
PW=correct-horse-7
fail() {
    echo "FAIL: $*" >&2
    [ -s "${DIR:-/nonexistent}/server.err" ] && tail -n 20 "$DIR/server.err" >&2
    exit 1
}

[ "$(id -u)" = 0 ] || { echo "skip: not root (chattr +i needs CAP_LINUX_IMMUTABLE)"; exit 77; }
command -v curl >/dev/null || { echo "skip: no curl"; exit 77; }
command -v chattr >/dev/null || { echo "skip: no chattr"; exit 77; }
DIR=$(mktemp -d "${TMPDIR:-/tmp}/hl-ro.XXXXXX") || exit 1
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
cleanup() {
    chattr -i "$DIR"/t.db "$DIR"/t.db-wal "$DIR"/probe 2>/dev/null
    [ -n "$SPID" ] && kill -CONT "$SPID" 2>/dev/null && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
    rm -rf "$DIR"
}
trap cleanup EXIT INT TERM
: >"$DIR/probe"
if ! chattr +i "$DIR/probe" 2>"$DIR/chattr.err"; then
    echo "skip: the file system of $DIR has no immutable attribute: $(cat "$DIR/chattr.err")"
    exit 77
fi
chattr -i "$DIR/probe"
DB=$DIR/t.db

hl_user "$DB" agent1 "$PW"
hl_serve "$DB" server --threads 4
hl_login agent1 "$PW"
MARK="只读$$"

# create N: POST a ticket titled "$MARK-N"; prints "<status> <body>"
create() {
    st=$(curl -s -o "$DIR/c.$1" -w '%{http_code}' -H "Authorization: Bearer $TOK" \
        -H 'Content-Type: application/json' \
        --data-binary "{\"channel\":\"web\",\"nature\":\"consult\",\"title\":\"$MARK-$1\",\"description\":\"只读测试\"}" \
        "$BASE/tickets")
    echo "$st $(cat "$DIR/c.$1")"
    rm -f "$DIR/c.$1"
}
# get PATH: the status of a GET
get() {
    curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOK" "$BASE$1"
}

out=$(create first)
case $out in 201*) ;; *) fail "create before: $out" ;; esac
ID=$(echo "$out" | sed -n 's/.*"id":"\(HL[0-9-]*\)".*/\1/p')
[ -n "$ID" ] || fail "no id in $out"
[ -e "$DB-wal" ] || fail "no WAL file next to the database"

echo "-- read-only: chattr +i on the database and its WAL"
chattr +i "$DB" "$DB-wal" || fail "chattr +i"
refused=0
for n in 1 2 3 4 5 6 7 8; do
    out=$(create "ro-$n")
    case $out in
    5??*) refused=$((refused + 1))
          echo "$out" | grep -q '"error":{"code"' || fail "5xx without a JSON error body: $out"
          echo "$out" | grep -qi 'read-only' || fail "the error does not say the database is read-only: $out"
          echo "$out" | grep -qi 'writable' || fail "the error does not say what to do: $out"
          LAST=$out ;;
    *) fail "create on a read-only database: $out" ;;
    esac
done
echo "read-only: $refused of 8 creates refused; last: $LAST"
st=$(curl -s -o "$DIR/body" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOK" \
    -H 'Content-Type: application/json' -H 'If-Match: "1"' \
    -d '{"answer":"已答复","kb_refs":[]}' "$BASE/tickets/$ID/resolve_direct")
case $st in
5??) grep -qi 'read-only' "$DIR/body" || fail "action: the error does not say read-only: $(cat "$DIR/body")" ;;
*) fail "an action on a read-only database: $st $(cat "$DIR/body")" ;;
esac
# 16 reads at once, so that every worker thread serves (and opens its connection) now
P=""
for n in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
    get "/tickets/$ID" >"$DIR/get.$n" &
    P="$P $!"
done
for p in $P; do wait "$p"; done
kill -0 "$SPID" 2>/dev/null || fail "hotlined died on a read-only database"
okr=0
for n in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
    [ "$(cat "$DIR/get.$n")" = 200 ] && okr=$((okr + 1))
done
[ $okr = 16 ] || fail "only $okr of 16 reads answered 200 on a read-only database"
[ "$(get "/tickets?limit=5")" = 200 ] || fail "list on a read-only database"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/health")" = 200 ] || fail "health on a read-only database"
echo "read-only: 16 of 16 concurrent reads, a list and /health answered 200"

echo "-- writable again: chattr -i"
chattr -i "$DB" "$DB-wal" || fail "chattr -i"
okw=0
for round in 1 2 3 4 5 6; do
    P=""
    for k in 1 2 3 4; do
        create "rw-$round-$k" >"$DIR/rw.$k" &
        P="$P $!"
    done
    for p in $P; do wait "$p"; done
    for k in 1 2 3 4; do
        case $(cat "$DIR/rw.$k") in
        201*) okw=$((okw + 1)) ;;
        *) fail "create $round/$k after the database is writable again: $(cat "$DIR/rw.$k")" ;;
        esac
    done
done
echo "writable again: $okw of 24 creates (4 at a time) answered 201"
total=$(curl -s -H "Authorization: Bearer $TOK" "$BASE/tickets?q=$MARK&limit=1&count=1" |
    sed -n 's/.*"total":\([0-9]*\).*/\1/p')
[ "$total" = 25 ] || fail "expected 25 tickets '$MARK' (1 before, 24 after), found $total"
st=$(get "/tickets/$ID")
[ "$st" = 200 ] || fail "read after: $st"
kill "$SPID"
wait "$SPID" || fail "hotlined did not exit cleanly"
SPID=""
"$HOTLINED" --db "$DB" check >"$DIR/check.out" 2>&1 || fail "hotlined check: $(cat "$DIR/check.out")"
echo "ok"
