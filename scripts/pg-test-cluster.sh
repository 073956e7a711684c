#!/usr/bin/env bash
# pg-test-cluster.sh: a private, throw-away PostgreSQL cluster for tests and benchmarks.
#
#   scripts/pg-test-cluster.sh start [--fast]   initdb into a new temporary directory, start
#                                               the server on a free loopback port (its unix
#                                               socket in that directory), create database
#                                               "hotline"; print the directory on stderr and
#                                               the URI on stdout
#   scripts/pg-test-cluster.sh stop DIR         stop that cluster and remove its directory
#   scripts/pg-test-cluster.sh uri DIR          print the URI of a running cluster again
#
# --fast turns fsync and synchronous_commit off (tests only: a crash of the machine loses
# the cluster, which is thrown away anyway). Without it the settings are PostgreSQL's
# defaults, which is what benchmarks should measure.
#
# The server runs as an unprivileged user: the caller, or when run as root the system
# user hotline-test (created when missing). The superuser "hotline" has a random
# password (scram-sha-256), written into the URI; nothing listens beyond 127.0.0.1.
# Uses the server binaries of Debian's postgresql package (/usr/lib/postgresql/*/bin).
set -euo pipefail

die() { echo "pg-test-cluster: $*" >&2; exit 1; }

bindir() {
    local d
    if command -v pg_config >/dev/null 2>&1; then
        d=$(pg_config --bindir)
        [ -x "$d/initdb" ] && { echo "$d"; return; }
    fi
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$d" ] && [ -x "$d/initdb" ] || die "no PostgreSQL server binaries (apt-get install postgresql)"
    echo "$d"
}

# Run a command as the cluster's owner.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u hotline-test -- "$@"
    else
        "$@"
    fi
}

ensure_user() {
    [ "$(id -u)" -eq 0 ] || return 0
    id -u hotline-test >/dev/null 2>&1 && return 0
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
        hotline-test || die "cannot create the system user hotline-test"
}

# A TCP port on 127.0.0.1 that nothing answers on.
free_port() {
    local port i
    for i in $(seq 1 50); do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
    die "no free port found"
}

start() {
    local fast=0 bin dir port pw i
    [ "${1:-}" = "--fast" ] && fast=1
    bin=$(bindir)
    ensure_user
    dir=$(mktemp -d "${TMPDIR:-/tmp}/hotline-pg.XXXXXX")
    mkdir -p "$dir/data" "$dir/sock"
    pw=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
    printf '%s\n' "$pw" >"$dir/pw"
    chmod 700 "$dir"
    chmod 600 "$dir/pw"
    [ "$(id -u)" -eq 0 ] && chown -R hotline-test: "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U hotline --pwfile="$dir/pw" \
        --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; die "initdb failed (see above)"; }
    {
        echo "listen_addresses = '127.0.0.1'"
        echo "unix_socket_directories = '$dir/sock'"
        echo "max_connections = 300"
        echo "log_min_messages = warning"
        if [ "$fast" -eq 1 ]; then
            echo "fsync = off"
            echo "synchronous_commit = off"
            echo "full_page_writes = off"
        fi
    } | as_owner tee -a "$dir/data/postgresql.conf" >/dev/null
    for i in 1 2 3 4 5; do
        port=$(free_port)
        if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
            -o "-p $port" start >/dev/null 2>&1; then
            echo "$port" | as_owner tee "$dir/port" >/dev/null
            break
        fi
        port=
    done
    [ -n "$port" ] || { tail -n 20 "$dir/server.log" >&2; rm -rf "$dir"; die "the server did not start"; }
    as_owner env PGPASSWORD="$pw" "$bin/psql" -q -h "$dir/sock" -p "$port" \
        -U hotline -d postgres -c 'CREATE DATABASE hotline' >/dev/null \
        || die "cannot create database hotline"
    echo "pg-test-cluster: started in $dir (stop: $0 stop $dir)" >&2
    uri "$dir"
}

uri() {
    local dir=$1
    [ -f "$dir/port" ] && [ -f "$dir/pw" ] || die "$dir is not a running test cluster"
    echo "postgresql://hotline:$(cat "$dir/pw")@127.0.0.1:$(cat "$dir/port")/hotline"
}

stop() {
    local dir=${1:-} bin
    [ -n "$dir" ] || die "usage: $0 stop DIR"
    case "$dir" in
        */hotline-pg.*) ;;
        *) die "$dir is not a directory this script made" ;;
    esac
    [ -d "$dir" ] || return 0
    bin=$(bindir)
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 \
            || as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
}

case "${1:-}" in
    start) shift; start "$@" ;;
    stop) shift; stop "$@" ;;
    uri) shift; uri "$@" ;;
    *) echo "usage: $0 start [--fast] | stop DIR | uri DIR" >&2; exit 2 ;;
esac
