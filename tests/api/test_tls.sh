#!/usr/bin/env bash
# test_tls: `hotlined serve --tls-cert/--tls-key` end to end. A throwaway CA and a server
# certificate for IP:127.0.0.1 are made with openssl in a temporary directory; curl and the
# console's net layer (tls_net_probe, linking src/client/net.c) must accept the server with
# the CA and refuse it without; plain HTTP to the TLS port must fail; option errors exit
# 2 (usage) or 1 (unreadable file, named). Exit 77 (skipped) without openssl or curl.
set -u

exe=${HOTLINED:?set HOTLINED to the hotlined binary}
data=${HOTLINE_DATA:?set HOTLINE_DATA to the data directory}
probe=${1:?usage: test_tls.sh TLS_NET_PROBE}
command -v openssl >/dev/null || { echo "SKIP: no openssl"; exit 77; }
command -v curl >/dev/null || { echo "SKIP: no curl"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hotlined-tls.XXXXXX") || exit 1
pid=
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; fi
    rm -rf "$tmp"
}
trap cleanup EXIT
fails=0
checks=0

fail() {
    printf 'FAIL: %s\n' "$*"
    fails=$((fails + 1))
}
check() {   # check WHAT CMD...: CMD succeeds
    checks=$((checks + 1))
    local what=$1
    shift
    "$@" >"$tmp/o" 2>"$tmp/e" || fail "$what: $(cat "$tmp/o" "$tmp/e" | head -5)"
}
refuse() {  # refuse WHAT CMD...: CMD fails
    checks=$((checks + 1))
    local what=$1
    shift
    if "$@" >"$tmp/o" 2>"$tmp/e"; then fail "$what: succeeded: $(head -3 "$tmp/o")"; fi
}

# ---- a throwaway CA and a server certificate for 127.0.0.1 ----
(
    cd "$tmp" || exit 1
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 \
        -subj "/CN=hotline test CA" 2>/dev/null &&
    openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr \
        -subj "/CN=127.0.0.1" 2>/dev/null &&
    printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >ext &&
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
        -out server.pem -days 2 -extfile ext 2>/dev/null &&
    # a second CA that did not sign the server's certificate
    openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem -days 2 \
        -subj "/CN=other CA" 2>/dev/null
) || { echo "FAIL: openssl could not make the certificates"; exit 1; }

# ---- option validation ----
run() { "$exe" --db "$tmp/t.db" serve --listen 127.0.0.1:0 --data "$data" "$@" \
            >"$tmp/o" 2>"$tmp/e" </dev/null & local p=$!; 
        # the happy path never exits by itself: give up after 10 s
        for _ in $(seq 100); do kill -0 $p 2>/dev/null || break; sleep 0.1; done
        if kill -0 $p 2>/dev/null; then kill $p; wait $p; rc=999; else wait $p; rc=$?; fi; }
run --tls-cert "$tmp/server.pem"
checks=$((checks + 1))
[ "$rc" -eq 2 ] && grep -q -- "--tls-key" "$tmp/e" || fail "cert without key: exit $rc: $(cat "$tmp/e")"
run --tls-key "$tmp/server.key"
checks=$((checks + 1))
[ "$rc" -eq 2 ] && grep -q -- "--tls-cert" "$tmp/e" || fail "key without cert: exit $rc: $(cat "$tmp/e")"
run --tls-cert "$tmp/nope.pem" --tls-key "$tmp/server.key"
checks=$((checks + 1))
[ "$rc" -eq 1 ] && grep -q "$tmp/nope.pem" "$tmp/e" || fail "missing cert: exit $rc: $(cat "$tmp/e")"
cp "$tmp/server.key" "$tmp/locked.key"
chmod 000 "$tmp/locked.key"
if [ "$(id -u)" -ne 0 ]; then
    run --tls-cert "$tmp/server.pem" --tls-key "$tmp/locked.key"
    checks=$((checks + 1))
    [ "$rc" -eq 1 ] && grep -q "$tmp/locked.key" "$tmp/e" || fail "unreadable key: exit $rc: $(cat "$tmp/e")"
fi
run --tls-cert "$tmp/server.pem" --tls-key "$tmp"
checks=$((checks + 1))
[ "$rc" -eq 1 ] && grep -q -- "$tmp" "$tmp/e" || fail "key is a directory: exit $rc: $(cat "$tmp/e")"
printf 'not a pem\n' >"$tmp/junk.pem"
run --tls-cert "$tmp/junk.pem" --tls-key "$tmp/server.key"
checks=$((checks + 1))
[ "$rc" -eq 1 ] && grep -qi "certificate" "$tmp/e" || fail "junk cert: exit $rc: $(cat "$tmp/e")"
run --token-hours 0
checks=$((checks + 1))
[ "$rc" -eq 2 ] && grep -q -- "--token-hours" "$tmp/e" || fail "--token-hours 0: exit $rc: $(cat "$tmp/e")"

# ---- serve HTTPS ----
mkfifo "$tmp/ready"
"$exe" --db "$tmp/t.db" serve --listen 127.0.0.1:0 --data "$data" --log "$tmp/log" \
    --tls-cert "$tmp/server.pem" --tls-key "$tmp/server.key" >"$tmp/ready" 2>"$tmp/stderr" &
pid=$!
line=
read -r -t 15 line <"$tmp/ready"
case "$line" in
*" listening on https://127.0.0.1:"*) ;;
*) echo "FAIL: no https ready line: '$line' $(cat "$tmp/stderr")"; exit 1 ;;
esac
port=${line#* listening on https://127.0.0.1:}
port=${port%% *}
url="https://127.0.0.1:$port/api/v1/health"
checks=$((checks + 1))

check "curl with the CA" curl -sS --fail --max-time 10 --cacert "$tmp/ca.pem" "$url"
checks=$((checks + 1))
grep -q '"status"' "$tmp/o" || fail "health body over TLS: $(cat "$tmp/o")"
refuse "curl without the CA (system trust)" curl -sS --max-time 10 "$url"
checks=$((checks + 1))
grep -qi "certificate\|SSL\|verif" "$tmp/e" || fail "curl without CA: not a verification error: $(cat "$tmp/e")"
refuse "curl with another CA" curl -sS --max-time 10 --cacert "$tmp/other.pem" "$url"
refuse "plain HTTP to the TLS port" curl -sS --fail --max-time 5 "http://127.0.0.1:$port/api/v1/health"
check "curl --insecure (no verification) still talks TLS" curl -sS --fail --max-time 10 -k "$url"
check "console net layer with --cacert" "$probe" "$url" "$tmp/ca.pem"
checks=$((checks + 1))
"$probe" "$url" >"$tmp/o" 2>"$tmp/e"
prc=$?
[ "$prc" -eq 1 ] || fail "console net layer without CA: exit $prc, expected 1: $(cat "$tmp/o" "$tmp/e")"
checks=$((checks + 1))
"$probe" "$url" "$tmp/other.pem" >"$tmp/o" 2>"$tmp/e"
prc=$?
[ "$prc" -eq 1 ] || fail "console net layer with another CA: exit $prc, expected 1: $(cat "$tmp/o" "$tmp/e")"
# the server survived the refused handshakes and the plain-HTTP attempt
check "health after refused handshakes" curl -sS --fail --max-time 10 --cacert "$tmp/ca.pem" "$url"

kill -TERM "$pid"
wait "$pid"
src=$?
pid=
checks=$((checks + 1))
[ "$src" -eq 0 ] || fail "hotlined exited $src after SIGTERM: $(cat "$tmp/stderr")"

printf '%d checks, %d failed\n' "$checks" "$fails"
[ "$fails" -eq 0 ]
