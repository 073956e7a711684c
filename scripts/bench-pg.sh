#!/usr/bin/env bash
# bench-pg.sh: run bench/server.sh unchanged against the PostgreSQL store.
#
#   scripts/bench-pg.sh [BUILD_DIR] [URI]      (default: build; a private cluster)
#
# bench/server.sh makes its database with `hotlined --db <tmp>/bench.db ...`. This script
# hands it a hotlined that turns that --db into a fresh database on a PostgreSQL cluster
# (URI given, or a private one from scripts/pg-test-cluster.sh with PostgreSQL's default,
# durable settings), so both stores are measured by the same commands, data and wrk
# scripts. The database is dropped afterwards; the private cluster is stopped.
# Environment as bench/server.sh (BENCH_SECONDS, BENCH_ARTICLES, BENCH_KEEP).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../bench/lib.sh
. "$here/../bench/lib.sh"
bench_build "${1:-build}"
bench_need psql "psql is needed (postgresql-client)"

cluster=
uri=${2:-}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hotline-bench-pg.XXXXXX")
db="bench_$$"
cleanup() {
    [ -n "$uri" ] && psql -q "$uri" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    [ -n "$cluster" ] && "$here/pg-test-cluster.sh" stop "$cluster"
    rm -rf "$tmp"
}
trap cleanup EXIT
if [ -z "$uri" ]; then
    uri=$("$here/pg-test-cluster.sh" start 2>"$tmp/cluster.err") || { cat "$tmp/cluster.err" >&2; exit 1; }
    cluster=$(sed -n 's/^pg-test-cluster: started in \([^ ]*\) .*/\1/p' "$tmp/cluster.err")
fi
psql -q "$uri" -c "CREATE DATABASE $db" >/dev/null
# The database's URI: the cluster's with the database name replaced.
target=$(printf '%s\n' "$uri" | sed -E "s#^(postgres(ql)?://[^/?]*)(/[^?]*)?#\\1/$db#")

# A hotlined whose --db (always bench/server.sh's temporary file) becomes $target.
mkdir -p "$tmp/build/src/server"
cat >"$tmp/build/src/server/hotlined" <<EOF
#!/usr/bin/env bash
args=()
while [ \$# -gt 0 ]; do
    if [ "\$1" = --db ] && [ \$# -ge 2 ]; then args+=(--db '$target'); shift 2; continue; fi
    args+=("\$1"); shift
done
exec '$exe' "\${args[@]}"
EOF
chmod +x "$tmp/build/src/server/hotlined"
echo "== store: PostgreSQL ($(psql -At "$uri" -c 'SHOW server_version'), synchronous_commit=$(psql -At "$uri" -c 'SHOW synchronous_commit'))" >&2
"$root/bench/server.sh" "$tmp/build"
