#!/usr/bin/env bash
# watch_lib.sh: what the watch-mode tests add to lib.sh (whose server_start, server_stop,
# api_token and api they use): the routes watch mode needs, the supervisor's sign-in, and an
# emergency ticket from a caller whose details must never reach the watch pane.
# Source it after lib.sh. It skips (77) when curl or python3 is missing, or when the backend
# does not serve a route watch mode needs yet (and says which).

for tool in curl python3; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "$tool is not installed: skipping"
        exit 77
    fi
done

# The caller whose details must never reach the watch pane.
SECRET_PHONE=13987654321
SECRET_NAME=王小明
SECRET_ADDRESS=幸福路1号3栋

# GET PATH as the supervisor; prints the HTTP status (the body goes to $TUI_TMP/get.out).
sup_status() {
    curl -s -m 10 -o "$TUI_TMP/get.out" -w '%{http_code}' -H "Authorization: Bearer $SUP_TOKEN" \
        "$SERVER_URL/api/v1$1"
}

# Skip unless the backend serves what watch mode reads.
need_routes() {
    local missing="" p
    SUP_TOKEN=$(api_token sup01)
    if [ -z "$SUP_TOKEN" ]; then
        echo "skipping: the backend does not serve POST /api/v1/session for sup01 yet"
        exit 77
    fi
    for p in "/meta" "/stats" "/feed?wait=0" "/tickets?count=1&limit=1"; do
        [ "$(sup_status "$p")" = 200 ] || missing="$missing GET /api/v1$p"
    done
    if [ -z "$missing" ] && ! grep -q '"total"' "$TUI_TMP/get.out"; then
        missing=" GET /api/v1/tickets?count=1 (no total)"
    fi
    if [ -n "$missing" ]; then
        echo "skipping: the backend does not serve$missing yet"
        exit 77
    fi
}

# The server with demo data, the routes, and `hotline login` as the supervisor sup01.
watch_setup() {
    server_start
    need_routes
    echo demo1234 | "$HOTLINE_BIN" login --server "$SERVER_URL" --user sup01 \
        >"$TUI_TMP/login.out" 2>&1 ||
        { echo "hotline login failed:"; cat "$TUI_TMP/login.out"; exit 1; }
}

# The body of an emergency ticket from the secret caller.
emergency_body() {
    cat <<EOF
{"channel":"phone","caller":{"name":"$SECRET_NAME","salutation":"先生","phone":"$SECRET_PHONE",
 "address":"$SECRET_ADDRESS","org":null,"org_code":null,"confidential":false},
 "nature":"help","category":"urban.env.social_noise","title":"楼道燃气泄漏",
 "description":"来电人反映楼道内有浓烈燃气味。","location":"幸福路1号",
 "occurred_at":null,"urgency":"emergency","complaint_level":null,"requested_due":null}
EOF
}

# An emergency ticket created by agent01; prints its id.
create_emergency() {
    api agent01 POST /tickets "$(emergency_body)" |
        python3 -c 'import json,sys; print(json.load(sys.stdin).get("id") or "")'
}

# Fail when the watch pane shows anything of the secret caller.
expect_no_caller() {
    if screen | grep -qF -e "$SECRET_PHONE" -e "$SECRET_NAME" -e "$SECRET_ADDRESS"; then
        fail "the watch pane shows the caller's personal data"
    fi
}
