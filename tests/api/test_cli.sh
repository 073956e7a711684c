#!/usr/bin/env bash
# test_cli: the operator commands of hotlined end to end (unit, user, kb, demo-data, check)
# in a temporary directory. $HOTLINED is the binary, $HOTLINE_DATA the data directory.
set -u

exe=${HOTLINED:?set HOTLINED to the hotlined binary}
data=${HOTLINE_DATA:?set HOTLINE_DATA to the data directory}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hotlined-cli.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
db="$tmp/t.db"
fails=0
checks=0

fail() {
    printf 'FAIL: %s\n' "$*"
    fails=$((fails + 1))
}

# run [STDIN] -- ARGS...: run hotlined with --db $db; sets rc, out, err.
run_in() {
    local input=$1
    shift
    printf '%s' "$input" >"$tmp/stdin"
    "$exe" "$@" <"$tmp/stdin" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    out=$(cat "$tmp/out")
    err=$(cat "$tmp/err")
}
run() { run_in "" --db "$db" "$@"; }
runpw() { local pw=$1; shift; run_in "$pw" --db "$db" "$@"; }

# expect CODE WHAT: the last run exited with CODE.
expect() {
    checks=$((checks + 1))
    if [ "$rc" -ne "$1" ]; then
        fail "$2: exit $rc, expected $1 (stdout: $out) (stderr: $err)"
        return 1
    fi
    return 0
}
# has TEXT WHERE WHAT: TEXT occurs in $out or $err.
has() {
    local hay
    checks=$((checks + 1))
    if [ "$2" = out ]; then hay=$out; else hay=$err; fi
    case "$hay" in
    *"$1"*) return 0 ;;
    esac
    fail "$3: '$1' not in std$2: $hay"
    return 1
}
# oneline WHAT: stderr is a single line.
oneline() {
    checks=$((checks + 1))
    local n
    n=$(printf '%s\n' "$err" | wc -l)
    [ "$n" -eq 1 ] || fail "$1: stderr is $n lines, expected one: $err"
}

# ---- help and usage ----
for c in "unit" "unit add" "unit list" "user" "user add" "user passwd" "user list" \
         "user disable" "kb" "kb import" "kb export" "demo-data" "check"; do
    # shellcheck disable=SC2086
    run $c --help
    expect 0 "$c --help" && has "usage: hotlined" out "$c --help"
done
run_in "" --help
expect 0 "hotlined --help"
for c in unit user kb demo-data check; do
    has "$c" out "hotlined --help lists $c"
done
run frobnicate
expect 2 "unknown command"
run unit
expect 2 "unit without a command" && oneline "unit without a command"
run unit remove water
expect 2 "unit remove"

# ---- units ----
run unit add water --name 市水务局
expect 0 "unit add water" && has "added unit water" out "unit add water"
run unit add gas --name=燃气集团
expect 0 "unit add gas --name=..."
run unit add water --name 另一个
expect 1 "unit add duplicate" && has "already exists" err "unit add duplicate" &&
    oneline "unit add duplicate"
run unit add housing
expect 2 "unit add without --name"
run unit add "bad code" --name X
expect 2 "unit add with a space in the code"
run unit list
expect 0 "unit list"
has "市水务局" out "unit list shows water" && has "gas" out "unit list shows gas"
[ "$(printf '%s\n' "$out" | wc -l)" -eq 3 ] || fail "unit list: expected header + 2 rows: $out"

# ---- users ----
runpw $'correct horse 1\n' user add zhangsan --name 张三 --role agent
expect 0 "user add zhangsan" && has "added user zhangsan" out "user add zhangsan"
runpw $'correct horse 1\n' user add zhangsan --name 张三 --role agent
expect 1 "user add duplicate" && has "already exists" err "user add duplicate" &&
    oneline "user add duplicate"
runpw $'correct horse 1\n' user add lisi --name 李四 --role boss
expect 2 "user add bad role" && has "--role 'boss'" err "user add bad role" &&
    oneline "user add bad role"
runpw $'short\n' user add lisi --name 李四 --role supervisor
expect 2 "user add short password" && has "shorter than 8" err "short password"
runpw $'\n' user add lisi --name 李四 --role supervisor
expect 2 "user add empty password" && has "empty" err "empty password"
runpw "" user add lisi --name 李四 --role supervisor
expect 1 "user add without input" && has "no password" err "no input"
runpw $'abc\xff\xfe1234567\n' user add lisi --name 李四 --role supervisor
expect 2 "user add invalid UTF-8 password"
runpw $'密码密码密码密码\n' user add lisi --name 李四 --role supervisor
expect 0 "user add with a Chinese password of 8 characters"
runpw $'password-w1\n' user add w1 --name 水务接单 --role unit
expect 2 "role unit without --unit"
runpw $'password-w1\n' user add w1 --name 水务接单 --role unit --unit nosuch
expect 1 "role unit with an unknown unit" && has "unit nosuch does not exist" err "unknown unit"
runpw $'password-w1\n' user add w1 --name 水务接单 --role unit --unit water
expect 0 "role unit with --unit water"
runpw $'password-a1\n' user add a1 --name 管理员 --role admin --unit water
expect 2 "--unit for role admin"
run user list
expect 0 "user list"
has "DISABLED" out "user list header"
line=$(printf '%s\n' "$out" | grep '^zhangsan ')
case "$line" in
*张三*agent*no) ;;
*) fail "user list row of zhangsan: '$line'" ;;
esac
line=$(printf '%s\n' "$out" | grep '^w1 ')
case "$line" in
*unit*water*no) ;;
*) fail "user list row of w1: '$line'" ;;
esac
runpw $'another horse 2\n' user passwd zhangsan
expect 0 "user passwd" && has "sessions are revoked" out "user passwd"
runpw $'tiny\n' user passwd zhangsan
expect 2 "user passwd short"
runpw $'another horse 2\n' user passwd ghost
expect 1 "user passwd unknown" && has "no user ghost" err "passwd unknown"
run user disable zhangsan
expect 0 "user disable"
run user disable ghost
expect 1 "user disable unknown"
run user list
line=$(printf '%s\n' "$out" | grep '^zhangsan ')
case "$line" in
*yes) ;;
*) fail "zhangsan should be disabled: '$line'" ;;
esac

# ---- knowledge base ----
run kb import "$data/kb/articles.json"
expect 0 "kb import" && has "imported 40 articles" out "kb import count"
run kb export
expect 0 "kb export"
cp "$tmp/out" "$tmp/export1.json"
n=$(grep -c '"id":' "$tmp/export1.json")
[ "$n" -eq 40 ] || fail "kb export: $n ids, expected 40"
grep -q '"kind":[[:space:]]*"guide"' "$tmp/export1.json" || fail "kb export: kind not in English"
grep -q '"status"' "$tmp/export1.json" && fail "kb export: status is not part of the import format"
# import the export into a new database and export again: the same text
run_in "" --db "$tmp/t2.db" kb import "$tmp/export1.json"
expect 0 "kb import of an export" && has "imported 40 articles" out "re-import count"
run_in "" --db "$tmp/t2.db" kb export
cp "$tmp/out" "$tmp/export2.json"
cmp -s "$tmp/export1.json" "$tmp/export2.json" || fail "kb export | import | export differs"
# import again over the same ids replaces, no duplicates
run kb import "$tmp/export1.json"
expect 0 "kb import again"
run kb export
cmp -s "$tmp/export1.json" "$tmp/out" || fail "re-import of the same ids changed the export"
# standard input
run_in "$(cat "$tmp/export1.json")" --db "$tmp/t3.db" kb import -
expect 0 "kb import -" && has "imported 40 articles" out "kb import -"
printf '[{"title":"x","kind":"guide","scope":"national","body":"b","colour":"red"}]' \
    >"$tmp/bad.json"
run kb import "$tmp/bad.json"
expect 1 "kb import with an unknown field" && has "colour" err "unknown field named"
run kb import "$tmp/nosuch.json"
expect 1 "kb import of a missing file"
run kb import
expect 2 "kb import without a file"

# ---- demo data and check ----
ddb="$tmp/demo.db"
run_in "" --db "$ddb" demo-data --tickets 60 --seed 7
expect 0 "demo-data" && has "password" out "demo-data prints the logins"
run_in "" --db "$ddb" check
expect 0 "check after demo-data"
run_in "" --db "$ddb" demo-data --tickets 10
expect 1 "demo-data twice without --force" && has "--force" err "demo-data refusal names --force"
run_in "" --db "$ddb" demo-data --tickets abc
expect 2 "demo-data --tickets abc"
run_in "" --db "$ddb" check --tz Nowhere/Atlantis
expect 2 "check with an unknown zone"
run check
expect 0 "check of the CLI database"

# ---- the default database is ./hotline.db ----
(cd "$tmp" && "$exe" unit add parks --name 园林局 >/dev/null 2>&1) || fail "unit add in cwd"
[ -f "$tmp/hotline.db" ] || fail "no ./hotline.db made without --db"

echo "test_cli: $checks checks, $fails failed"
[ "$fails" -eq 0 ]
