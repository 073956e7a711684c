#!/usr/bin/env bash
# bench/kb_profile.sh: knowledge-base search latency one request at a time.
#
#   bench/kb_profile.sh [BUILD_DIR] [DB]      (defaults: build, a new temporary database)
#
# Where bench/server.sh measures 16 concurrent connections (on a small shared machine
# mostly queueing), this sends the searches of bench/kb_search.lua one after another on
# one keep-alive connection (curl) and reports, per class (1, 2, 4 characters and long
# sentences that take the bigram fallback), p50/p99/max of the time the server logged
# for each request (server side: parse, search, JSON) and of the client's total time.
# DB: a database with the articles already imported (reused, never written; e.g. one
# kept by BENCH_KEEP=1 bench/server.sh); without it one is made like bench/server.sh
# does. Environment: KB_ROUNDS (20) rounds of every term, BENCH_ARTICLES (50000).
# A benchmark, never a test: it fails only when it cannot run.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
bench_build "${1:-build}"
db=${2:-}
rounds=${KB_ROUNDS:-20}
articles=${BENCH_ARTICLES:-50000}

bench_need curl "curl is needed"
bench_need python3 "python3 is needed"
bench_tmp hotlined-kbprof

if [ -z "$db" ]; then
    db="$tmp/bench.db"
    step "demo data and $articles articles"
    bench_demo "$db" "$articles"
else
    [ -f "$db" ] || die "no database $db"
    # a copy: serving may migrate or write the file
    cp "$db" "$tmp/bench.db"
    db="$tmp/bench.db"
fi

bench_serve "$db"
token=$(bench_login agent01)

# The terms: bench/kb_search.lua's lists, and sentences an agent types into intake.
terms() {
    case $1 in
    1) echo 气 水 卡 单 证 税 路 电 ;;
    2) echo 停水 报装 回访 工单 安检 舱单 公告 督办 ;;
    4) echo 单一窗口 燃气泄漏 退回重办 办理流程 承办单位 便民服务 三方通话 置换通气 ;;
    long) echo 我家燃气表显示余额不足但是昨天刚充值过了 小区停水已经三天了物业说是管道维修 \
        申请办理居住证需要哪些材料 反映噪音扰民问题希望尽快处理 公交车司机态度恶劣要求投诉处理 \
        工单退回重办流程怎么走 市民来电反映路灯不亮 ;;
    esac
}

# stats FILE: p50 p99 max of the numbers in FILE (ms).
stats() {
    python3 -c '
import sys
v = sorted(float(x) for x in open(sys.argv[1]) if x.strip())
q = lambda p: v[min(len(v) - 1, int(p * len(v)))]
print("%d %.2f %.2f %.2f" % (len(v), q(0.50), q(0.99), v[-1]))' "$1"
}

load_before=$(bench_loadavg)
printf '| %-6s | %5s | %-22s | %-22s |\n' class n "server p50/p99/max ms" "client p50/p99/max ms"
printf '|%s|%s|%s|%s|\n' -------- ------- ------------------------ ------------------------
for class in 1 2 4 long; do
    : >"$tmp/curl.cfg"
    for _ in $(seq 1 "$rounds"); do
        for t in $(terms "$class"); do
            q=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$t")
            printf 'url = "%s/api/v1/kb?limit=20&q=%s"\noutput = /dev/null\n' "$url" "$q" >>"$tmp/curl.cfg"
        done
    done
    before=$(wc -l <"$tmp/server.log")
    curl -s -H "Authorization: Bearer $token" -w '%{time_total}\n' -K "$tmp/curl.cfg" |
        awk '{ printf "%.3f\n", $1 * 1000 }' >"$tmp/client.ms"
    sleep 0.2
    tail -n +"$((before + 1))" "$tmp/server.log" | grep ' GET /api/v1/kb' |
        sed -n 's/.* 200 \([0-9.]*\)ms.*/\1/p' >"$tmp/server.ms"
    read -r n sp50 sp99 smax <<<"$(stats "$tmp/server.ms")"
    read -r _ cp50 cp99 cmax <<<"$(stats "$tmp/client.ms")"
    printf '| %-6s | %5s | %-22s | %-22s |\n' "$class" "$n" "$sp50 / $sp99 / $smax" "$cp50 / $cp99 / $cmax"
done
printf '\nload: %s before, %s after (1/5/15 min); %s rounds of each term, one keep-alive client\n' \
    "$load_before" "$(bench_loadavg)" "$rounds"
