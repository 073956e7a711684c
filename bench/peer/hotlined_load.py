#!/usr/bin/env python3
"""Load tickets into hotlined through POST /api/v1/tickets (bench/peer.sh).

    hotlined_load.py URL TOKEN TICKETS.jsonl IDS_OUT

One ticket per line of TICKETS.jsonl (bench/gen_kb.py --jsonl): title -> title, body ->
description, category -> category; one keep-alive connection; the ticket ids are written
to IDS_OUT, one per line. Standard library only.
"""
import http.client
import json
import sys
import urllib.parse

NATURES = ["consult", "help", "complaint", "suggestion", "repair", "service"]


def main():
    url, token, path, out = sys.argv[1:5]
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    ids = []
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if not line.strip():
                continue
            a = json.loads(line)
            body = {
                "channel": "phone",
                "caller": {"phone": "139%08d" % i},
                "nature": NATURES[i % len(NATURES)],
                "category": a["category"],
                "title": a["title"],
                "description": a["body"],
            }
            conn.request("POST", "/api/v1/tickets", json.dumps(body, ensure_ascii=False).encode(),
                         {"Authorization": "Bearer " + token,
                          "Content-Type": "application/json",
                          "Idempotency-Key": "peer-load-%d" % i})
            r = conn.getresponse()
            data = r.read()
            if r.status >= 300:
                sys.exit("hotlined_load: ticket %d: HTTP %d %s" % (i, r.status, data[:300]))
            ids.append(json.loads(data)["id"])
    with open(out, "w") as f:
        f.write("\n".join(ids) + "\n")
    print("hotlined: %d tickets" % len(ids))


if __name__ == "__main__":
    main()
