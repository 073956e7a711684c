#!/usr/bin/env bash
# watch_json: `hotline --watch --once --json` prints a snapshot whose KPI values equal the
# server's GET /stats for the same periods (today and the month, and the units' on-time reply
# rates), and neither snapshot (JSON or text) holds a caller's personal data.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/watch_lib.sh"

watch_setup
id=$(create_emergency)
[ -n "$id" ] || fail "cannot create a ticket"

step "--once --json"
"$HOTLINE_BIN" --watch --once --json --lang en >"$TUI_TMP/once.json" 2>"$TUI_TMP/once.err" ||
    fail "--once --json failed: $(cat "$TUI_TMP/once.err")"
step "compare with GET /stats for the same periods"
python3 - "$TUI_TMP/once.json" "$SERVER_URL" "$SUP_TOKEN" "$id" <<'PY' || fail "the snapshot does not match /stats"
import json, sys, urllib.parse, urllib.request

snap_path, base, token, new_id = sys.argv[1:5]
snap = json.load(open(snap_path))

def stats(frm, to, group=None):
    q = {"from": frm, "to": to}
    if group:
        q["group"] = group
    req = urllib.request.Request(base + "/api/v1/stats?" + urllib.parse.urlencode(q),
                                 headers={"Authorization": "Bearer " + token})
    return json.load(urllib.request.urlopen(req, timeout=10))

bad = []
checked = 0
for period in ("today", "month"):
    p = snap["kpis"][period]
    assert p["known"], period + " KPIs unknown"
    st = stats(p["from"], p["to"], "unit")
    by_id = {k["id"]: k for k in st["total"]["kpis"]}
    for it in p["items"]:
        if it["id"] is None:
            continue
        k = by_id.get(it["id"])
        if k is None:
            bad.append("%s %s: not in /stats" % (period, it["id"]))
            continue
        checked += 1
        if it["value"] != k["value"]:
            bad.append("%s %s: %r != %r" % (period, it["id"], it["value"], k["value"]))
        if it["pass"] != k["pass"]:
            bad.append("%s %s: pass %r != %r" % (period, it["id"], it["pass"], k["pass"]))
        if it["status"] != k["status"]:
            bad.append("%s %s: status %r != %r" % (period, it["id"], it["status"], k["status"]))
        if (it["target"] or {}).get("value") != (k["target"] or {}).get("value"):
            bad.append("%s %s: target differs" % (period, it["id"]))
    sc = p["score"]
    if sc is None or sc["total"] != st["total"]["score"]["total"]:
        bad.append("%s: score %r != %r" % (period, sc and sc["total"], st["total"]["score"]["total"]))
    if period == "month":
        rates = {}
        for g in st["groups"]:
            for k in g["kpis"]:
                if k["id"] == "c12345.on_time_reply_rate":
                    rates[g["key"]] = k["value"]
        for u in snap["units"]:
            checked += 1
            if u["on_time_reply_rate"] != rates.get(u["code"]):
                bad.append("unit %s: %r != %r" % (u["code"], u["on_time_reply_rate"],
                                                   rates.get(u["code"])))
if checked < 10:
    bad.append("only %d values compared" % checked)
c = snap["counters"]
for key in ("open", "accepted_today", "to_dispatch", "overdue", "near_due",
            "awaiting_callback", "returned", "emergencies_open"):
    if not isinstance(c.get(key), int) or c[key] < 0:
        bad.append("counter %s is %r" % (key, c.get(key)))
if c["emergencies_open"] < 1:
    bad.append("the new emergency is not counted")
if c["accepted_today"] != sum(snap["intake"]["today"]):
    bad.append("accepted today %r != the hourly sum" % c["accepted_today"])
if not any(a["ticket_id"] == new_id and a["kind"] == "emergency" for a in snap["alerts"]):
    bad.append("no emergency alert for " + new_id)
for b in bad:
    print("MISMATCH:", b)
print("compared %d values" % checked)
sys.exit(1 if bad else 0)
PY
for f in "$TUI_TMP/once.json"; do
    if grep -qF -e "$SECRET_PHONE" -e "$SECRET_NAME" "$f"; then
        fail "the JSON snapshot holds the caller's data"
    fi
done

step "--once: plain text, no curses, no caller data"
"$HOTLINE_BIN" --watch --once --lang en >"$TUI_TMP/once.txt" 2>&1 || fail "--once failed"
grep -q "^Emergencies open: [1-9]" "$TUI_TMP/once.txt" || fail "no counters in the text snapshot"
grep -qF "$id" "$TUI_TMP/once.txt" || fail "no alert for $id in the text snapshot"
if grep -q $'\x1b' "$TUI_TMP/once.txt"; then
    fail "escape sequences in the text snapshot"
fi
if grep -qF -e "$SECRET_PHONE" -e "$SECRET_NAME" "$TUI_TMP/once.txt"; then
    fail "the text snapshot holds the caller's data"
fi

step "--once for one unit"
"$HOTLINE_BIN" --watch --once --json --unit gas >"$TUI_TMP/unit.json" 2>&1 || fail "--unit gas failed"
python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["unit"] == "gas", s["unit"]
assert [u["code"] for u in s["units"]] == ["gas"], s["units"]
assert s["kpis"]["month"]["known"]
' "$TUI_TMP/unit.json" || fail "the unit snapshot is wrong: $(head -c 400 "$TUI_TMP/unit.json")"

step "watch mode never writes: only GETs in the server log"
if grep -E '(POST|PATCH|PUT|DELETE) /api/v1/(tickets|kb|calls)' "$TUI_TMP/server.err" | grep -q ' sup01$'; then
    fail "watch mode made a write call"
fi
echo "ok"
