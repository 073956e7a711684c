#!/usr/bin/env bash
# watch_soak: the dashboard's memory stays flat under a stream of feed events. `hotline --watch`
# (80x24) runs against a real hotlined with demo data while a few keep-alive connections make
# at least 5,000 feed events in about 100 s (tickets created by agent01, supervise actions by
# sup01 on open tickets). The watch process's VmRSS is sampled every 2 s: after the warm-up
# (the first 1,000 events) it may grow by less than 2 MiB until the end. The pane must still
# show the header online and quit cleanly; sanitizer reports fail the test (lib.sh cleanup).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/watch_lib.sh"

EVENTS=${SOAK_EVENTS:-5000}
RATE=${SOAK_RATE:-50}          # events per second
WARMUP=1000
BOUND_KB=2048
# ASan holds freed memory in a quarantine (256 MB by default), which reads as growth: keep it
# small so the RSS shows what the program keeps. (Ignored without ASan.)
export ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=1:thread_local_quarantine_size_kb=64"

cat >"$TUI_TMP/soak.py" <<'PY'
# soak.py URL PID TOTAL RATE OUT: make TOTAL feed events at about RATE per second against
# hotlined at URL from 4 keep-alive connections; "events rss_kb seconds" of process PID every
# 2 s go to OUT.
import http.client, json, sys, threading, time, urllib.parse

url, pid, total, rate, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    float(sys.argv[4]), sys.argv[5]
u = urllib.parse.urlsplit(url)
lock = threading.Lock()
done = errors = slot = 0
stop = False
pool = []
TICKET = {"channel": "phone",
          "caller": {"name": "赵测试", "salutation": "先生", "phone": "13800000000",
                     "address": None, "org": None, "org_code": None, "confidential": False},
          "nature": "help", "category": "urban.env.social_noise", "title": "夜间施工噪音",
          "description": "来电人反映夜间施工噪音扰民。", "location": "幸福路2号",
          "occurred_at": None, "urgency": "normal", "complaint_level": None,
          "requested_due": None}

def connect():
    return http.client.HTTPConnection(u.hostname, u.port, timeout=30)

def call(c, method, path, body=None, token=None):
    h = {"Content-Type": "application/json"}
    if token:
        h["Authorization"] = "Bearer " + token
    c.request(method, "/api/v1" + path,
              body=json.dumps(body).encode() if body is not None else None, headers=h)
    r = c.getresponse()
    data = r.read()
    return r.status, (json.loads(data) if data else None)

def token(c, user):
    return call(c, "POST", "/session", {"user": user, "password": "demo1234"})[1]["token"]

def rss_kb():
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1

def worker(n, t0):
    global done, errors, slot
    c = connect()
    agent, sup = token(c, "agent01"), token(c, "sup01")
    i = 0
    while True:
        with lock:
            if stop or done >= total or errors > 200:
                return
            k = slot
            slot += 1
            tid = pool[(k * 7919) % len(pool)] if pool else None
        i += 1
        wait = t0 + k / rate - time.time()
        if wait > 0:
            time.sleep(wait)
        try:
            if tid is None or k % 4 == 0:
                st, j = call(c, "POST", "/tickets", TICKET, agent)
                ok = st in (200, 201)
                if ok:
                    with lock:
                        pool.append(j["id"])
            else:
                st, j = call(c, "POST", "/tickets/%s/supervise" % tid,
                             {"note": "督办 %d" % k}, sup)
                ok = st == 200
                if not ok:
                    with lock:
                        if tid in pool:
                            pool.remove(tid)
        except (OSError, http.client.HTTPException, ValueError, KeyError, TypeError):
            ok = False
            c.close()
            c = connect()
        with lock:
            if ok:
                done += 1
            else:
                errors += 1

c = connect()
st, j = call(c, "GET", "/tickets?status=accepted,dispatched,in_progress&limit=100", None,
             token(c, "sup01"))
pool.extend(t["id"] for t in j["items"])
c.close()
t0 = time.time()
threads = [threading.Thread(target=worker, args=(n, t0)) for n in range(4)]
for t in threads:
    t.start()
with open(out, "w") as f:
    while any(t.is_alive() for t in threads):
        with lock:
            d = done
        f.write("%d %d %.1f\n" % (d, rss_kb(), time.time() - t0))
        f.flush()
        time.sleep(2)
        if time.time() - t0 > 170:
            stop = True
    for t in threads:
        t.join()
    f.write("%d %d %.1f\n" % (done, rss_kb(), time.time() - t0))
print("generated %d events (%d refused) in %.0f s" % (done, errors, time.time() - t0))
sys.exit(0 if done >= total else 1)
PY

# The change feed's current sequence number.
feed_seq() {
    [ "$(sup_status "/feed?wait=0")" = 200 ] || fail "GET /feed failed"
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["seq"])' "$TUI_TMP/get.out"
}

watch_setup
start_shell 80 24
start_hotline --watch --lang en
step "the dashboard comes up, the feed live"
wait_for "online · live" 15
pid=$(child_pid)
[ -n "$pid" ] && [ -r "/proc/$pid/status" ] || { echo "no /proc for hotline: skipping"; exit 77; }
seq0=$(feed_seq)

step "$EVENTS feed events at about $RATE/s, sampling the RSS of $pid"
python3 "$TUI_TMP/soak.py" "$SERVER_URL" "$pid" "$EVENTS" "$RATE" "$TUI_TMP/rss" ||
    fail "could not make $EVENTS events"
seq1=$(feed_seq)
kill -0 "$pid" 2>/dev/null || fail "hotline --watch died"
# Let the dashboard fetch what the last batches touched, then take the final sample.
sleep 6
end_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
echo "$EVENTS $end_kb settled" >>"$TUI_TMP/rss"

read -r warm_n warm_kb < <(awk -v w="$WARMUP" '$1 >= w && $2 > 0 {print $1, $2; exit}' \
    "$TUI_TMP/rss")
max_kb=$(awk -v w="$warm_n" '$1 >= w && $2 > max {max = $2} END {print max}' "$TUI_TMP/rss")
first_kb=$(awk 'NR == 1 {print $2}' "$TUI_TMP/rss")
echo "feed events: $((seq1 - seq0)) (seq $seq0 -> $seq1)"
echo "RSS: start $first_kb kB, warm-up ($warm_n events) $warm_kb kB," \
    "end $end_kb kB (growth $((end_kb - warm_kb)) kB), max after warm-up $max_kb kB"
[ $((seq1 - seq0)) -ge "$EVENTS" ] || fail "only $((seq1 - seq0)) feed events"
[ -n "$warm_kb" ] && [ -n "$end_kb" ] || fail "no RSS samples: $(cat "$TUI_TMP/rss")"
[ $((end_kb - warm_kb)) -lt "$BOUND_KB" ] ||
    fail "RSS grew by $((end_kb - warm_kb)) kB after warm-up: $(tr '\n' ' ' <"$TUI_TMP/rss")"

step "the header still says online, the pane still draws"
wait_for "online" 10
row 1 | grep -qE '[0-2][0-9]:[0-5][0-9]' || fail "no clock in the header: '$(row 1)'"
expect "Alerts ("

step "q quits cleanly (leak check under ASan)"
keys q
expect_exit 0
