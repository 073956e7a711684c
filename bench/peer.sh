#!/usr/bin/env bash
# bench/peer.sh: hotlined against packaged peers on the same machine (DESIGN §7, issue #7).
#
#   sudo bench/peer.sh [BUILD_DIR]        (default: build; needs root: apt-get, www-data)
#
# The peers come from Debian's packages, with SQLite:
#   redmine  Redmine 5 (redmine, redmine-sqlite), served the way its README.Debian
#            recommends: Apache 2 + Passenger (libapache2-mod-passenger), production; an
#            instance of its own ("hotlinebench", via Debian's redmine-instances);
#   rt       Request Tracker 5 (request-tracker5, rt5-db-sqlite, rt5-standalone), its REST2
#            API served by rt-server (Starlet, prefork, "deployment"), with a configuration
#            directory and database of its own under /var/lib/hotline-peer/rt.
# The script installs what is missing, loads the same $PEER_TICKETS (10,000) generated
# tickets (bench/gen_kb.py: title, body) into each peer and into a fresh hotlined, then
# runs the same workload with wrk against each, for $BENCH_SECONDS (10) per run:
#   get     one ticket by id (Redmine: /issues/{id}.json?include=journals)
#   list    the first page of 50, filtered on status, newest first
#   search2 text search for 2 Chinese characters, first 50 results (hotlined: LIKE)
#   search4 the same for 4 characters (hotlined: its FTS5 trigram index)
#   create  a new ticket, durable commit
# each with 16 keep-alive connections (-t2 -c16) and one sequential client (-t1 -c1),
# and prints a table per peer with both sides and the ratio hotlined/peer. A benchmark,
# never a test. Everything it starts (hotlined, a private Apache with Passenger, rt-server)
# it stops at the end.
# Environment: BENCH_SECONDS (10), PEER_TICKETS (10000), PEERS ("redmine rt"), PEER_PROCS
# (Passenger processes / Starlet workers, default 2 per CPU), PEER_OPS ("get list search2
# search4 create": the operations to run), BENCH_KEEP=1 keeps the temporary directory.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
bench_build "${1:-build}"
secs=${BENCH_SECONDS:-10}
ntickets=${PEER_TICKETS:-10000}
procs=${PEER_PROCS:-$(($(nproc) * 2))}
instance=hotlinebench
rm_share=/usr/share/redmine
rm_var=/var/lib/redmine/$instance
rm_db=$rm_var/db/redmine.sqlite3
seed_db=$rm_var/db/seed-$ntickets.sqlite3
seed_dir=$rm_var/db/seed-$ntickets.d
peers=${PEERS:-redmine rt}
rt_var=/var/lib/hotline-peer/rt
rt_db=$rt_var/rt.sqlite3
rt_seed_db=$rt_var/seed-$ntickets.sqlite3
rt_seed_dir=$rt_var/seed-$ntickets.d
rt_pass=benchpass
has_peer() { case " $peers " in *" $1 "*) return 0 ;; esac; return 1; }

[ "$(id -u)" = 0 ] || die "run as root: it installs Debian packages and runs the peers as www-data"
for p in $peers; do case $p in redmine | rt) ;; *) die "PEERS: unknown peer $p (redmine, rt)" ;; esac; done
bench_need python3 "python3 is needed for bench/gen_kb.py"

# ---------------------------------------------------------------- install the peer
pkgs="wrk curl sqlite3"
has_peer redmine && pkgs="$pkgs redmine redmine-sqlite apache2 libapache2-mod-passenger"
has_peer rt && pkgs="$pkgs request-tracker5 rt5-db-sqlite rt5-standalone"
installed() { dpkg-query -W -f '${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed$'; }
missing=
for p in $pkgs; do installed "$p" || missing="$missing $p"; done
# Debian 12's ruby3.1 security updates made bundler 2.3.27 the default gem; it takes the
# Debian-packaged gems without a gems/ directory for deleted ones ("Could not find
# rotp-6.2.0.gem for installation") and redmine's postinst `bundle install --local` fails.
# Debian's own bundler (ruby-bundler) resolves them: make the stub pick it.
bundler_env() {
    local v
    v=$(dpkg-query -W -f '${Version}' ruby-bundler 2>/dev/null | sed 's/-.*//') || v=
    if [ -n "$v" ]; then printf 'BUNDLER_VERSION=%s' "$v"; fi
}
if [ -n "$missing" ]; then
    step "installing$missing (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    debconf-set-selections <<'EOF'
redmine redmine/current-instances string default
redmine redmine/instances/default/dbconfig-install boolean true
redmine redmine/instances/default/database-type select sqlite3
redmine redmine/instances/default/default-language select en
request-tracker5 request-tracker5/dbconfig-install boolean true
request-tracker5 request-tracker5/database-type select sqlite3
request-tracker5 request-tracker5/rtname string hotline.bench
request-tracker5 request-tracker5/organization string hotline.bench
request-tracker5 request-tracker5/correspondaddress string rt@localhost
request-tracker5 request-tracker5/commentaddress string rt-comment@localhost
request-tracker5 request-tracker5/webbaseurl string http://localhost
request-tracker5 request-tracker5/webpath string /rt
request-tracker5 request-tracker5/install-cronjobs boolean false
request-tracker5 request-tracker5/initial-root-password password benchpass
request-tracker5 request-tracker5/handle-siteconfig-permissions boolean true
EOF
    installed ruby-bundler || apt-get install -y -q --no-install-recommends ruby-bundler >/dev/null
    # shellcheck disable=SC2046,SC2086
    env $(bundler_env) apt-get install -y -q --no-install-recommends $missing >/dev/null ||
        env $(bundler_env) dpkg --configure -a || die "apt-get install$missing failed"
fi
# A later apt run (any ruby package's trigger) may have removed Gemfile.lock the same way.
if has_peer redmine && [ ! -s /var/lib/redmine/Gemfile.lock ]; then
    step "regenerating Redmine's Gemfile.lock with Debian's bundler"
    # shellcheck disable=SC2046
    (cd "$rm_share" && env $(bundler_env) bundle install --local --quiet) >/dev/null 2>&1 ||
        die "bundle install --local failed in $rm_share"
    chown www-data:www-data /var/lib/redmine/Gemfile.lock
fi

bench_tmp hotlined-peer
chmod 755 "$tmp"
apache_conf=
rt_pid=
# Stop rt-server and Apache (hotlined is stopped by bench/lib.sh), by their pids.
bench_at_exit() {
    if [ -n "$rt_pid" ] && kill -0 "$rt_pid" 2>/dev/null; then
        kill -TERM "$rt_pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$rt_pid" 2>/dev/null || break; sleep 0.1; done
    fi
    if [ -n "$apache_conf" ] && [ -s "$tmp/apache.pid" ]; then
        local apid
        apid=$(cat "$tmp/apache.pid")
        /usr/sbin/apache2 -f "$apache_conf" -k stop 2>/dev/null || kill -TERM "$apid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$apid" 2>/dev/null || break; sleep 0.1; done
    fi
}

step "generating $ntickets tickets (bench/gen_kb.py --jsonl)"
python3 "$here/gen_kb.py" "$ntickets" --jsonl --categories "$root/data/categories-cn.json" \
    >"$tmp/tickets.jsonl"
chmod 644 "$tmp/tickets.jsonl"

# ---------------------------------------------------------------- Redmine instance
# setup_redmine: the instance, its seed database (made once), restored for this run.
setup_redmine() {
    as_www() { (cd "$rm_share" && runuser -u www-data -- env REDMINE_INSTANCE=$instance RAILS_ENV=production "$@"); }
    /usr/share/redmine/bin/redmine-instances create "$instance"
    install -d -o www-data -g www-data "$rm_var/db"
    cfg=/etc/redmine/$instance
    cat >"$cfg/database.yml.new" <<EOF
    # written by hotline's bench/peer.sh; timeout = Rails' default busy timeout
    production:
      adapter: sqlite3
      database: $rm_db
      timeout: 5000
      encoding: utf8
EOF
    mv "$cfg/database.yml.new" "$cfg/database.yml"
    chown root:www-data "$cfg/database.yml"
    chmod 640 "$cfg/database.yml"
    if [ ! -s "$cfg/secret_key.txt" ]; then
        ruby -rsecurerandom -e 'puts SecureRandom.hex(16)' >"$cfg/secret_key.txt"
        chown root:www-data "$cfg/secret_key.txt"
        chmod 640 "$cfg/secret_key.txt"
    fi
    if [ ! -s "$seed_db" ] || [ ! -s "$seed_dir/ids" ]; then
        step "making the Redmine database with $ntickets issues (once; kept as $seed_db)"
        rm -f "$rm_db" "$seed_db"
        install -d -o www-data -g www-data "$seed_dir"
        as_www env SCHEMA=/dev/null rake db:migrate >"$tmp/rm-migrate.out" 2>&1 ||
            { tail -20 "$tmp/rm-migrate.out" >&2; die "redmine db:migrate failed"; }
        as_www env REDMINE_LANG=en rake redmine:load_default_data >"$tmp/rm-default.out" 2>&1 ||
            { tail -20 "$tmp/rm-default.out" >&2; die "redmine load_default_data failed"; }
        t0=$(date +%s)
        as_www ruby -r ./config/environment "$here/peer/redmine_load.rb" "$tmp/tickets.jsonl" "$seed_dir" \
            >"$tmp/rm-load.out" 2>&1 || { tail -20 "$tmp/rm-load.out" >&2; die "loading Redmine failed"; }
        printf '%s\n' "$(($(date +%s) - t0))" >"$seed_dir/load_secs"
        cp "$rm_db" "$seed_db"
    fi
    step "restoring the Redmine database from $seed_db"
    install -o www-data -g www-data -m 660 "$seed_db" "$rm_db"
    rm -f "$rm_db-journal" "$rm_db-wal" "$rm_db-shm"
}

# ---------------------------------------------------------------- Request Tracker
# rt_env CMD...: CMD as www-data with the configuration of bench/peer.sh's RT.
rt_env() {
    runuser -u www-data -- env RT_SITE_CONFIG="$rt_var/RT_SiteConfig.pm" \
        RT_SITE_CONFIG_DIR="$rt_var/RT_SiteConfig.d" "$@"
}
# setup_rt: a configuration directory of its own (Debian's RT_SiteConfig.d with the database
# moved), the seed database (made once from the one dbconfig-common created), restored.
setup_rt() {
    install -d -o www-data -g www-data -m 755 /var/lib/hotline-peer "$rt_var" "$rt_var/RT_SiteConfig.d"
    rm -f "$rt_var"/RT_SiteConfig.d/*.pm
    cp /etc/request-tracker5/RT_SiteConfig.d/*.pm "$rt_var/RT_SiteConfig.d/"
    printf '# written by bench/peer.sh\n1;\n' >"$rt_var/RT_SiteConfig.pm"
    cat >"$rt_var/RT_SiteConfig.d/90-hotline-bench.pm" <<END
# written by hotline's bench/peer.sh: its own database, served at /, no mail, searches
# of ticket text (unindexed: RT has no full-text index on SQLite), warnings only.
Set(\$DatabaseType, 'SQLite');
Set(\$DatabaseName, '$rt_db');
Set(\$WebPath, '');
Set(%FullTextSearch, Enable => 1, Indexed => 0);
Set(\$MailCommand, 'testfile');
Set(\$LogToSTDERR, 'warning');
Set(\$LogToSyslog, undef);
1;
END
    chown -R www-data:www-data "$rt_var/RT_SiteConfig.d" "$rt_var/RT_SiteConfig.pm"
    if [ ! -s "$rt_seed_db" ] || [ ! -s "$rt_seed_dir/ids" ]; then
        step "making the RT database with $ntickets tickets (once, ~15 min; kept as $rt_seed_db)"
        local src=/var/lib/dbconfig-common/sqlite3/request-tracker5/rtdb t0
        [ -s "$src" ] || die "no $src: reinstall request-tracker5 with dbconfig-common (sqlite3)"
        install -o www-data -g www-data -m 660 "$src" "$rt_db"
        install -d -o www-data -g www-data "$rt_seed_dir"
        t0=$(date +%s)
        (cd / && rt_env RT_ROOT_PASSWORD="$rt_pass" perl "$here/peer/rt_load.pl" \
            "$tmp/tickets.jsonl" "$rt_seed_dir") >"$tmp/rt-load.out" 2>&1 ||
            { tail -20 "$tmp/rt-load.out" >&2; die "loading RT failed"; }
        printf '%s\n' "$(($(date +%s) - t0))" >"$rt_seed_dir/load_secs"
        cp "$rt_db" "$rt_seed_db"
    fi
    step "restoring the RT database from $rt_seed_db"
    install -o www-data -g www-data -m 660 "$rt_seed_db" "$rt_db"
    rm -f "$rt_db-journal" "$rt_db-wal" "$rt_db-shm"
}

has_peer redmine && setup_redmine
has_peer rt && setup_rt

# ---------------------------------------------------------------- hotlined
db="$tmp/hotline.db"
step "hotlined: demo accounts, then $ntickets tickets through POST /api/v1/tickets"
bench_demo "$db" 0 --tickets 1
bench_serve "$db"
token=$(bench_login agent01)
t0=$(date +%s)
python3 "$here/peer/hotlined_load.py" "$url" "$token" "$tmp/tickets.jsonl" "$tmp/hl-ids" >&2 ||
    die "loading hotlined failed"
hl_load_secs=$(($(date +%s) - t0))

# ---------------------------------------------------------------- Apache + Passenger
# start_redmine: a private Apache with Passenger serving the instance; waits for an answer.
start_redmine() {
    port=${PEER_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
    mkdir -p "$tmp/run" "$tmp/passenger"
    apache_conf="$tmp/apache.conf"
    cat >"$apache_conf" <<EOF
    # A private Apache for bench/peer.sh: README.Debian's apache2-passenger-host.conf, on loopback.
    ServerRoot /etc/apache2
    ServerName localhost
    DefaultRuntimeDir $tmp/run
    PidFile $tmp/apache.pid
    Listen 127.0.0.1:$port
    User www-data
    Group www-data
    ErrorLog $tmp/apache-error.log
    LogLevel warn
    LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
    LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
    LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
    LoadModule env_module /usr/lib/apache2/modules/mod_env.so
    LoadModule passenger_module /usr/lib/apache2/modules/mod_passenger.so
    TypesConfig /etc/mime.types
    PassengerRoot /usr/lib/ruby/vendor_ruby/phusion_passenger/locations.ini
    PassengerDefaultRuby /usr/bin/ruby
    PassengerInstanceRegistryDir $tmp/passenger
    PassengerMaxPoolSize $procs
    PassengerMinInstances $procs
    PassengerDefaultUser www-data
    PassengerDisableAnonymousTelemetry on
    <VirtualHost 127.0.0.1:$port>
        RailsEnv production
        SetEnv REDMINE_INSTANCE "$instance"
        PassengerAppGroupName redmine_$instance
        DocumentRoot /usr/share/redmine/public
        <Directory "/usr/share/redmine/public">
            Options -MultiViews
            Require all granted
        </Directory>
    </VirtualHost>
EOF
    step "starting Redmine (Apache + Passenger, $procs processes) on 127.0.0.1:$port"
    # shellcheck disable=SC2046
    env $(bundler_env) /usr/sbin/apache2 -f "$apache_conf" -k start || die "apache2 did not start (see $tmp/apache-error.log)"
    rm_url="http://127.0.0.1:$port"
    rm_key=$(cat "$seed_dir/api_key")
    ok=
    for _ in $(seq 1 600); do
        if curl -sf -H "X-Redmine-API-Key: $rm_key" "$rm_url/issues.json?limit=1" >/dev/null 2>&1; then ok=1; break; fi
        sleep 0.2
    done
    [ -n "$ok" ] || { tail -30 "$tmp/apache-error.log" >&2; die "Redmine does not answer on $rm_url"; }
    rm_version=$(dpkg-query -W -f '${Version}' redmine)
    passenger_version=$(dpkg-query -W -f '${Version}' libapache2-mod-passenger)
}

# ---------------------------------------------------------------- rt-server
# start_rt: rt-server (Starlet) on a free loopback port as www-data; logs in as root and
# keeps the session cookie for REST2 (a password or an auth token is checked with bcrypt,
# cost 12, on every request: 0.35 s each here; a session is what a client keeps).
start_rt() {
    local port ok=
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    step "starting RT (rt-server, Starlet, $procs workers) on 127.0.0.1:$port"
    install -o www-data -g www-data -m 644 /dev/null "$tmp/rt.pid"
    # shellcheck disable=SC2016
    (cd / && rt_env sh -c 'echo $$ >"$0"; exec /usr/share/request-tracker5/libexec/rt-server \
        --host 127.0.0.1 --port "$1" --max-workers "$2"' "$tmp/rt.pid" "$port" "$procs") \
        >"$tmp/rt-server.log" 2>&1 &
    for _ in $(seq 1 100); do [ -s "$tmp/rt.pid" ] && break; sleep 0.1; done
    rt_pid=$(cat "$tmp/rt.pid")
    [ -n "$rt_pid" ] || { cat "$tmp/rt-server.log" >&2; die "rt-server did not start"; }
    rt_url="http://127.0.0.1:$port"
    for _ in $(seq 1 600); do
        if curl -sf -o /dev/null -c "$tmp/rt.cookies" -d "user=root&pass=$rt_pass" \
            "$rt_url/NoAuth/Login.html" && grep -q RT_SID "$tmp/rt.cookies"; then
            ok=1
            break
        fi
        kill -0 "$rt_pid" 2>/dev/null || break
        sleep 0.2
    done
    [ -n "$ok" ] || { tail -30 "$tmp/rt-server.log" >&2; die "RT does not answer on $rt_url (or root cannot log in)"; }
    rt_cookie=$(awk '$6 ~ /^RT_SID/ { print $6 "=" $7 }' "$tmp/rt.cookies" | head -n1)
    curl -sf -o /dev/null -H "Cookie: $rt_cookie" "$rt_url/REST/2.0/queues/all" ||
        die "RT's REST2 does not accept the session cookie"
    rt_version=$(dpkg-query -W -f '${Version}' request-tracker5)
}

rm_url='' rm_key='' rt_url='' rt_cookie='' rt_version='' rm_version='' passenger_version=''
has_peer redmine && start_redmine
has_peer rt && start_rt

# matches TERM: how many tickets each side finds for TERM (the searches should agree).
matches() {
    python3 - "$1" "$url" "$token" "$rm_url" "$rm_key" "$rt_url" "$rt_cookie" <<'PY'
import json, sys, urllib.parse, urllib.request
term, hl, tok, rm, key, rt, cookie = sys.argv[1:8]
q = urllib.parse.quote(term)
def get(u, h):
    try:
        with urllib.request.urlopen(urllib.request.Request(u, headers=h), timeout=300) as r:
            return json.load(r)
    except Exception as e:
        return {}
out = ["hotlined %s" % get(hl + "/api/v1/tickets?limit=1&count=1&q=" + q,
                           {"Authorization": "Bearer " + tok}).get("total", "?")]
if rm:
    out.append("Redmine %s" % get(rm + "/search.json?issues=1&limit=1&q=" + q,
                                  {"X-Redmine-API-Key": key}).get("total_count", "?"))
if rt:
    sql = "(Subject LIKE '%s' OR Content LIKE '%s')" % (term, term)
    out.append("RT %s" % get(rt + "/REST/2.0/tickets?per_page=1&query=" + urllib.parse.quote(sql),
                             {"Cookie": cookie}).get("total", "?"))
print("%s: %s" % (term, ", ".join(out)))
PY
}
match_line="$(matches 工单); $(matches 承办单位)"

# ---------------------------------------------------------------- runs
export BENCH_DIR="$here" HOTLINE_TOKEN="$token" REDMINE_KEY="$rm_key" RT_COOKIE="$rt_cookie"
export REDMINE_PROJECT='' REDMINE_TRACKER=''
if has_peer redmine; then
    REDMINE_PROJECT=$(cat "$seed_dir/project_id")
    REDMINE_TRACKER=$(cat "$seed_dir/tracker_id")
fi
results="$tmp/results"
: >"$results"
# target SYSTEM: "URL SCRIPT IDS" of a side.
target() {
    case $1 in
        hotlined) printf '%s peer_hotlined.lua %s' "$url" "$tmp/hl-ids" ;;
        redmine) printf '%s peer_redmine.lua %s' "$rm_url" "$seed_dir/ids" ;;
        rt) printf '%s peer_rt.lua %s' "$rt_url" "$rt_seed_dir/ids" ;;
    esac
}
# drain SYSTEM: wait until the server has answered what wrk left queued (Passenger and
# Starlet's backlog answer after wrk has gone), so the next run starts on an idle server.
drain() {
    case $1 in
        hotlined) curl -sf -m 300 -o /dev/null -H "Authorization: Bearer $token" "$url/api/v1/tickets?limit=1" ;;
        redmine) curl -sf -m 300 -o /dev/null -H "X-Redmine-API-Key: $rm_key" "$rm_url/issues.json?limit=1" ;;
        rt) curl -sf -m 300 -o /dev/null -H "Cookie: $rt_cookie" "$rt_url/REST/2.0/queues/all" ;;
    esac || true
    sleep 1
}
# run SYSTEM OP THREADS CONNS: one wrk run; its RESULT line goes to $results.
run() {
    local sys=$1 op=$2 t=$3 c=$4 u script ids
    read -r u script ids <<<"$(target "$sys")"
    step "$sys $op (-t$t -c$c, ${secs}s)"
    bench_wrk "$sys-$op-$c" env BENCH_NAME="$sys:$op:$c" PEER_OP="$op" TICKET_IDS="$ids" \
        wrk -t"$t" -c"$c" -d"${secs}s" --timeout 30s --latency -s "$here/$script" "$u" >>"$results"
    drain "$sys"
}
for p in $peers; do
    step "warming up $p (every process, every request kind)"
    read -r u script ids <<<"$(target "$p")"
    for op in get list search2; do
        env BENCH_NAME=warmup PEER_OP=$op TICKET_IDS="$ids" \
            wrk -t2 -c16 -d3s --timeout 30s -s "$here/$script" "$u" >/dev/null 2>&1 || true
        drain "$p"
    done
done
ops=${PEER_OPS:-get list search2 search4 create}
load_before=$(bench_loadavg)
for op in $ops; do
    for sys in hotlined $peers; do
        run "$sys" "$op" 2 16
        run "$sys" "$op" 1 1
    done
done

# ---------------------------------------------------------------- report
# field NAME KEY: the value of KEY=... in the RESULT line of run NAME; KEY ok_rps is the
# rate of good answers (requests - errors) / seconds, what the ratios compare.
field() {
    awk -v n="$1" -v k="$2" '$1 == "RESULT" && $2 == n {
        for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        if (k == "ok_rps") printf "%.1f\n", (v["requests"] > 0 ? v["rps"] * (v["requests"] - v["errors"]) / v["requests"] : 0)
        else print v[k]
        exit }' "$results"
}
# ratio A B: A / B with one decimal ("-" when B is 0 or missing).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0) printf "%.1f\n", a / b; else print "-" }'; }

bench_header "$load_before"
printf 'hotlined: %s, SQLite, default threads; %s tickets loaded over HTTP in %ss\n' \
    "$("$exe" --version 2>/dev/null | head -n1)" "$ntickets" "$hl_load_secs"
if has_peer redmine; then
    printf 'redmine:  Redmine %s (Debian), Apache 2 + Passenger %s, %s processes, production, SQLite;\n' \
        "$rm_version" "$passenger_version" "$procs"
    printf '          REST API, admin API key; loaded once via ActiveRecord in %ss\n' \
        "$(cat "$seed_dir/load_secs" 2>/dev/null || echo '?')"
fi
if has_peer rt; then
    printf 'rt:       Request Tracker %s (Debian), rt-server (Starlet) %s workers, SQLite;\n' \
        "$rt_version" "$procs"
    printf '          REST2, root session cookie; loaded once via RT::Ticket->Create in %ss\n' \
        "$(cat "$rt_seed_dir/load_secs" 2>/dev/null || echo '?')"
fi
printf 'data:     %s tickets from bench/gen_kb.py --jsonl (title, body), the same in each\n' "$ntickets"
printf 'matches:  %s (tickets a search finds)\n' "$match_line"
printf 'command:  bench/peer.sh %s   (PEERS="%s", %ss per run)\n' "${1:-build}" "$peers" "$secs"
for p in $peers; do
    case $p in redmine) name=Redmine ;; rt) name=RT ;; esac
    printf '\nhotlined (hl) against %s (pe):\n\n' "$name"
    printf '| %-7s | %-5s | %10s | %8s | %8s | %9s | %8s | %8s | %8s | %8s | %7s |\n' \
        op "-t/-c" "hl req/s" "hl p50" "hl p99" "pe req/s" "pe p50" "pe p99" "x req/s" "x p99" "errors"
    printf '|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n' --------- ------- ------------ ---------- \
        ---------- ----------- ---------- ---------- ---------- ---------- ---------
    for op in $ops; do
        for c in 16 1; do
            h="hotlined:$op:$c" r="$p:$op:$c"
            case $c in 16) tc=2/16 ;; *) tc=1/1 ;; esac
            printf '| %-7s | %-5s | %10s | %8s | %8s | %9s | %8s | %8s | %8s | %8s | %7s |\n' \
                "$op" "$tc" "$(field "$h" ok_rps)" "$(field "$h" p50_ms)" "$(field "$h" p99_ms)" \
                "$(field "$r" ok_rps)" "$(field "$r" p50_ms)" "$(field "$r" p99_ms)" \
                "$(ratio "$(field "$h" ok_rps)" "$(field "$r" ok_rps)")" \
                "$(ratio "$(field "$r" p99_ms)" "$(field "$h" p99_ms)")" \
                "$(field "$h" errors)/$(field "$r" errors)"
        done
    done
done
if [ "$(echo "$peers" | wc -w)" -gt 1 ]; then
    printf '\nhotlined against the best peer of each run (the budget: list and search >= 100 x):\n\n'
    printf '| %-7s | %-5s | %10s | %-8s | %9s | %8s |\n' op "-t/-c" "hl req/s" "best" "pe req/s" "x req/s"
    printf '|%s|%s|%s|%s|%s|%s|\n' --------- ------- ------------ ---------- ----------- ----------
    for op in $ops; do
        for c in 16 1; do
            best='' best_rps=0
            for p in $peers; do
                r=$(field "$p:$op:$c" ok_rps)
                if awk -v a="$r" -v b="$best_rps" 'BEGIN { exit !(a + 0 > b + 0) }'; then best=$p best_rps=$r; fi
            done
            case $c in 16) tc=2/16 ;; *) tc=1/1 ;; esac
            printf '| %-7s | %-5s | %10s | %-8s | %9s | %8s |\n' "$op" "$tc" \
                "$(field "hotlined:$op:$c" ok_rps)" "${best:--}" "$best_rps" \
                "$(ratio "$(field "hotlined:$op:$c" ok_rps)" "$best_rps")"
        done
    done
fi
printf '\nreq/s = good answers per second (errors left out); latencies in ms (all answers);\n'
printf 'x req/s = hotlined / peer, x p99 = peer p99 / hotlined p99; errors = hotlined/peer (socket\n'
printf 'errors, timeouts, answers >= 400; Redmine'"'"'s create errors are SQLite "database is locked"\n'
printf '500s). Budget (DESIGN §7): list and search at 100 x the best packaged peer.\n'
