# shellcheck shell=sh
# lib.sh: what the API-level fault tests share (cut_api.sh, test_disk.sh, test_readonly.sh);
# sourced (POSIX sh), after the test has set DIR (its temporary directory) and fail().
# Needs $HOTLINED and $HOTLINE_DATA (set by meson), curl.
#   hl_user DB USER PASSWORD   an agent account in the database DB (before serving it)
#   hl_serve DB NAME [ARG...]  hotlined serve DB on a free loopback port (ARGs added), output
#                              in $DIR/NAME.out, .err, .log; sets SPID (and adds it to PIDS)
#                              before it waits for the ready line, then port and BASE
#                              (http://127.0.0.1:port/api/v1)
#   hl_login USER PASSWORD     TOK: a token from the server at BASE
SPID=""
PIDS=""

# Add the agent USER with PASSWORD to the database DB.
hl_user() {
    printf '%s\n%s\n' "$3" "$3" | "$HOTLINED" --db "$1" user add "$2" --name 张三 --role agent \
        >/dev/null 2>"$DIR/user.err" || fail "user add: $(cat "$DIR/user.err")"
}

# Start hotlined on the database DB (log files NAME.*) and wait for its ready line.
hl_serve() {
    hl_db=$1 hl_name=$2
    shift 2
    "$HOTLINED" --db "$hl_db" serve --listen 127.0.0.1:0 --data "${HOTLINE_DATA:?}" "$@" \
        --log "$DIR/$hl_name.log" >"$DIR/$hl_name.out" 2>"$DIR/$hl_name.err" &
    SPID=$!
    PIDS="$PIDS $SPID"
    port=""
    hl_i=0
    while [ $hl_i -lt 100 ]; do
        port=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\) .*/\1/p' "$DIR/$hl_name.out")
        [ -n "$port" ] && break
        kill -0 "$SPID" 2>/dev/null || fail "hotlined ($hl_name) exited: $(cat "$DIR/$hl_name.err")"
        sleep 0.1
        hl_i=$((hl_i + 1))
    done
    [ -n "$port" ] || fail "hotlined ($hl_name) printed no ready line"
    BASE=http://127.0.0.1:$port/api/v1
}

# Log USER in with PASSWORD at BASE: the token in TOK.
hl_login() {
    TOK=$(curl -s -H 'Content-Type: application/json' \
        -d "{\"user\":\"$1\",\"password\":\"$2\"}" "$BASE/session" |
        sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p')
    [ -n "$TOK" ] || fail "login"
}
