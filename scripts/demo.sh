#!/usr/bin/env bash
# demo.sh: build hotline, start hotlined on a free loopback port with a demo database,
# and open the console logged in as a demo user. Quitting the console stops the server.
#
#   scripts/demo.sh                  the agent's console (agent01)
#   scripts/demo.sh --watch          the supervisor's watch mode (sup01)
#   scripts/demo.sh --role unit      a responsible unit's console (u_water)
#   scripts/demo.sh --role supervisor
#   scripts/demo.sh --db PATH        another database (default $XDG_DATA_HOME/hotline/demo.db)
#
# The second run reuses the build and the database. Demo password: demo1234.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

role=agent
watch=0
db=""
while [ $# -gt 0 ]; do
    case "$1" in
        --watch) watch=1; role=supervisor ;;
        --role) role=${2:?--role needs agent, unit or supervisor}; shift ;;
        --db) db=${2:?--db needs a path}; shift ;;
        -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "demo.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
    esac
    shift
done
case "$role" in
    agent) user=agent01 ;;
    unit) user=u_water ;;
    supervisor) user=sup01 ;;
    *) echo "demo.sh: --role must be agent, unit or supervisor, not '$role'" >&2; exit 2 ;;
esac

step() { printf '==> %s\n' "$*"; }

packages=(gcc meson ninja-build pkg-config gettext tzdata ca-certificates curl
          libncurses-dev libcurl4-openssl-dev libcjson-dev libsqlite3-dev
          libmicrohttpd-dev libsodium-dev libinih-dev)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    step "installing Debian packages: ${missing[*]}"
    sudo=()
    [ "$(id -u)" -ne 0 ] && sudo=(sudo)
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends "${missing[@]}" >/dev/null
fi

build=${HOTLINE_DEMO_BUILD:-$root/build/demo}
if [ ! -f "$build/build.ninja" ]; then
    step "configuring $build"
    meson setup "$build" -Dtests=false >/dev/null
fi
step "building (ninja -C $build)"
ninja -C "$build" src/server/hotlined src/client/hotline >/dev/null
hotlined=$build/src/server/hotlined
hotline=$build/src/client/hotline

data_home=${XDG_DATA_HOME:-$HOME/.local/share}/hotline
state_home=${XDG_STATE_HOME:-$HOME/.local/state}/hotline
mkdir -p "$data_home" "$state_home"
chmod 700 "$state_home"
[ -n "$db" ] || db=$data_home/demo.db
if [ ! -f "$db" ]; then
    step "creating the demo database $db (units, users, knowledge base, tickets)"
    "$hotlined" --db "$db" demo-data >/dev/null
else
    step "using the demo database $db"
fi

log=$state_home/demo-hotlined.log
ready=$(mktemp)
step "starting hotlined on a free loopback port (log: $log)"
"$hotlined" --db "$db" serve --listen 127.0.0.1:0 --log "$log" >"$ready" 2>>"$log" &
server_pid=$!
stop_server() {
    if kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -f "$ready"
}
trap stop_server EXIT
url=""
for _ in $(seq 1 100); do
    url=$(grep -o 'http://[0-9.]*:[0-9]*' "$ready" 2>/dev/null | head -n 1 || true)
    [ -n "$url" ] && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "demo.sh: hotlined did not start; see $log" >&2
        exit 1
    fi
    sleep 0.1
done
[ -n "$url" ] || { echo "demo.sh: hotlined did not report its port; see $log" >&2; exit 1; }
step "hotlined is serving $url (pid $server_pid)"

token=$state_home/demo-$user.token
step "logging in as $user (password demo1234)"
printf 'demo1234\n' | "$hotline" login --server "$url" --user "$user" --token-file "$token" >/dev/null

if [ "$watch" -eq 1 ]; then
    step "opening watch mode as $user; q quits and stops the server"
    "$hotline" --server "$url" --user "$user" --token-file "$token" --watch
else
    step "opening the console as $user; q quits and stops the server"
    "$hotline" --server "$url" --user "$user" --token-file "$token"
fi
