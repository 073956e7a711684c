#!/bin/sh
# test_disk: a live hotlined on (a) a full disk and (b) a read-only database.
# (a) the database on a 3 MiB tmpfs (needs root and mount; exit 77 = skipped otherwise),
#     the rest of the space filled: writes get a 5xx with an error body naming the cause,
#     reads (GET /tickets/{id}, /health) keep working; the filler deleted, writes work again.
# (b) a second hotlined on the same file opened `file:PATH?mode=ro`: reads work, writes 5xx.
# Needs $HOTLINED, $HOTLINE_DATA, curl.
# shellcheck source-path=SCRIPTDIR
set -u
HOTLINED=${HOTLINED:?HOTLINED is not set}
PW=correct-horse-7
fail() { echo "FAIL: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || { echo "skip: not root, cannot mount a tmpfs"; exit 77; }
command -v curl >/dev/null || { echo "skip: no curl"; exit 77; }
DIR=$(mktemp -d /tmp/hl-disk.XXXXXX) || exit 1
MNT=$DIR/mnt
mkdir -p "$MNT"
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    umount "$MNT" 2>/dev/null
    rm -rf "$DIR"
}
trap cleanup EXIT INT TERM
if ! mount -t tmpfs -o size=3m tmpfs "$MNT" 2>"$DIR/mount.err"; then
    echo "skip: mount not permitted: $(cat "$DIR/mount.err")"
    exit 77
fi
DB=$MNT/t.db

# req METHOD PATH [BODY]: status into ST, body into $DIR/body
req() {
    if [ $# -ge 3 ]; then
        ST=$(curl -s -o "$DIR/body" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $TOK" \
            -H 'Content-Type: application/json' --data-binary "$3" "$BASE$2")
    else
        ST=$(curl -s -o "$DIR/body" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $TOK" \
            "$BASE$2")
    fi
}

N=0
create() {
    N=$((N + 1))
    req POST /tickets "{\"channel\":\"phone\",\"caller\":{\"phone\":\"1391234$(printf %04d $N)\"},\"nature\":\"help\",\"description\":\"磁盘测试 $N $(head -c 300 /dev/zero | tr '\0' 'x')\"}"
}

"$HOTLINED" --db "$DB" migrate >/dev/null 2>&1 || true
hl_user "$DB" agent1 "$PW"
hl_serve "$DB" a
hl_login agent1 "$PW"
create
[ "$ST" = 201 ] || fail "create on an empty disk: $ST $(cat "$DIR/body")"
ID=$(sed -n 's/.*"id":"\(HL[0-9-]*\)".*/\1/p' "$DIR/body" | head -n1)
[ -n "$ID" ] || fail "no id in $(cat "$DIR/body")"

# (a) fill the disk
dd if=/dev/zero of="$MNT/filler" bs=64k 2>/dev/null
sync
ok5xx=0 named=0 ok201=0
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
    create
    case $ST in
    5??) ok5xx=$((ok5xx + 1))
         grep -q '"error"' "$DIR/body" || fail "5xx without an error body: $(cat "$DIR/body")"
         grep -qiE 'full|space|disk|SQLITE_FULL' "$DIR/body" && named=$((named + 1))
         LAST5=$(cat "$DIR/body") ;;
    201) ok201=$((ok201 + 1)) ;;
    *) fail "create on a full disk: unexpected $ST $(cat "$DIR/body")" ;;
    esac
done
echo "full disk: $ok5xx of 20 creates refused with 5xx ($named naming the cause), $ok201 fit"
[ $ok5xx -ge 1 ] || fail "no write was refused on a full disk"
echo "last refusal: $LAST5"
[ $named -ge 1 ] || fail "the 5xx body does not name the cause (disk full): $LAST5"
req GET "/tickets/$ID"
[ "$ST" = 200 ] || fail "read on a full disk: $ST $(cat "$DIR/body")"
ST=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/health")
[ "$ST" = 200 ] || fail "health on a full disk: $ST"
rm -f "$MNT/filler"
sync
create
[ "$ST" = 201 ] || fail "create after freeing the disk: $ST $(cat "$DIR/body")"
echo "full disk: reads kept working, writes work again after freeing space"

# (b) read-only: serve refuses a `file:...?mode=ro` target (it looks for a directory
# named "file:..."), and root ignores file modes, so the file system itself goes read-only
# under the running server (mount -o remount,ro).
mount -o remount,ro "$MNT" || { echo "skip (b): remount,ro not permitted"; echo ok; exit 0; }
req GET "/tickets/$ID"
[ "$ST" = 200 ] || { mount -o remount,rw "$MNT"; fail "read on a read-only fs: $ST $(cat "$DIR/body")"; }
create
RO=$ST
ROBODY=$(cat "$DIR/body")
ST=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/health")
HE=$ST
mount -o remount,rw "$MNT"
case $RO in
5??) echo "$ROBODY" | grep -q '"error"' || fail "read-only 5xx without an error body: $ROBODY"
     echo "read-only: create -> $RO $ROBODY" ;;
*) fail "create on a read-only fs: $RO $ROBODY" ;;
esac
[ "$HE" = 200 ] || fail "health on a read-only fs: $HE"
create
[ "$ST" = 201 ] || fail "create after remount rw: $ST $(cat "$DIR/body")"
echo "read-only: reads kept working, writes work again after remount rw"
echo "ok"
