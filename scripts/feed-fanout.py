#!/usr/bin/env python3
"""feed-fanout.py: how long a change takes to reach N long-polls parked on the feed.

    scripts/feed-fanout.py --watch URL --write URL --token TOKEN [--watchers 200] [--rounds 5]

Parks N watchers (one thread and one keep-alive connection each) on
GET URL/api/v1/feed?since=<seq>&wait=30 of the --watch server, then creates one ticket
through the --write server (the same server, or another instance on the same
PostgreSQL database) and measures, for every watcher, the time from just before the
POST to the moment its answer carrying the new ticket arrived. Prints p50, p99 and max
per round and overall. A measuring tool, not a test.
"""
import argparse
import http.client
import json
import statistics
import threading
import time
import urllib.parse


def conn(url):
    u = urllib.parse.urlsplit(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=60)


def request(c, method, path, token, body=None, headers=None):
    h = {"Authorization": "Bearer " + token}
    if body is not None:
        h["Content-Type"] = "application/json"
    h.update(headers or {})
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    return r.status, json.loads(data) if data else None


def watcher(url, token, since, ready, start, found, out, i):
    c = conn(url)
    request(c, "GET", "/api/v1/health", token)          # connect before the clock runs
    ready.release()
    seq = since
    while True:
        st, body = request(c, "GET", "/api/v1/feed?since=%d&wait=30" % seq, token)
        got = time.monotonic()
        if st != 200:
            out[i] = None
            return
        start.wait()
        if any(ev.get("ticket_id") == found[0] for ev in body.get("events", [])):
            out[i] = got
            return
        seq = body["seq"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--watch", required=True)
    ap.add_argument("--write", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--watchers", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    allms = []
    for rnd in range(a.rounds):
        c = conn(a.watch)
        _, pos = request(c, "GET", "/api/v1/feed", a.token)
        since = pos["seq"]
        ready = threading.Semaphore(0)
        start = threading.Event()
        found = [None]
        out = [None] * a.watchers
        threads = [threading.Thread(target=watcher, daemon=True,
                                    args=(a.watch, a.token, since, ready, start, found, out, i))
                   for i in range(a.watchers)]
        for t in threads:
            t.start()
        for _ in threads:
            ready.acquire()
        time.sleep(1.0)                                   # let every poll park
        w = conn(a.write)
        body = json.dumps({"channel": "phone", "nature": "complaint", "complaint_level": 2,
                           "category": "urban.env.social_noise", "title": "小区噪音",
                           "description": "feed fan-out measurement", "location": "幸福路88号",
                           "caller": {"name": "李", "salutation": "女士",
                                      "phone": "1390000%04d" % rnd}})
        t0 = time.monotonic()
        st, created = request(w, "POST", "/api/v1/tickets", a.token, body)
        if st != 201:
            raise SystemExit("create: %d %s" % (st, created))
        found[0] = created["id"]
        start.set()
        for t in threads:
            t.join(40)
        ms = sorted((x - t0) * 1000 for x in out if x is not None)
        missing = a.watchers - len(ms)
        allms += ms
        print("round %d: %d watchers, p50 %.1f ms, p99 %.1f ms, max %.1f ms, missing %d"
              % (rnd + 1, a.watchers, statistics.median(ms), ms[int(len(ms) * 0.99) - 1],
                 ms[-1], missing))
    allms.sort()
    print("all: %d answers, p50 %.1f ms, p99 %.1f ms, max %.1f ms"
          % (len(allms), statistics.median(allms), allms[int(len(allms) * 0.99) - 1],
             allms[-1]))


if __name__ == "__main__":
    main()
