/* h_feed: GET /api/v1/feed?since=&wait=, the change feed as a long poll over the store's events. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "hotline/util.h"
#include "feed.h"
#include "handlers.h"
#include "hticket.h"
#include "log.h"
#include "server.h"
#include "store.h"

/* Longest and default wait of a long poll, seconds. */
#define WAIT_MAX 60
#define WAIT_DEFAULT 25
/* Most events in one answer; the client continues from the returned seq. */
#define FEED_BATCH 500

/* The feed query: where the client is and how long it will wait. */
struct feed_query {
    bool has_since;
    int64_t since;
    long wait;
};

/* Parse a whole number in [0,max]: digits only (no sign, no spaces). */
static bool
parse_count(const char *s, long max, long *out)
{
    return s[0] >= '0' && s[0] <= '9' && str_to_long(s, 0, max, out);
}

/* Parse since= and wait=; false with rep filled (400) when one is malformed. */
static bool
parse_query(const struct request *req, struct reply *rep, struct feed_query *q)
{
    const char *since = request_query(req, "since");
    const char *wait = request_query(req, "wait");
    long v;

    q->has_since = false;
    q->since = 0;
    q->wait = WAIT_DEFAULT;
    if (since != NULL) {
        if (!parse_count(since, LONG_MAX, &v)) {
            reply_error(rep, 400, "invalid_parameter", "since",
                        "since must be a sequence number (an integer >= 0) from an earlier reply");
            return false;
        }
        q->has_since = true;
        q->since = v;
    }
    if (wait != NULL && !parse_count(wait, WAIT_MAX, &q->wait)) {
        reply_error(rep, 400, "invalid_parameter", "wait",
                    "wait must be a whole number of seconds from 0 to %d", WAIT_MAX);
        return false;
    }
    return true;
}

/* True when csv (comma-separated codes) lists unit. */
static bool
csv_has(const char *csv, const char *unit)
{
    size_t n;

    if (csv == NULL || unit == NULL)
        return false;
    n = strlen(unit);
    while (*csv != '\0') {
        const char *end = strchr(csv, ',');
        size_t len = end != NULL ? (size_t)(end - csv) : strlen(csv);

        if (len == n && memcmp(csv, unit, n) == 0)
            return true;
        if (end == NULL)
            break;
        csv = end + 1;
    }
    return false;
}

/* True when the signed-in user receives ev: a unit user only events of tickets
 * dispatched to its unit and article publications. */
static bool
deliver(const struct request *req, const struct feed_event *ev)
{
    if (req->user.role != USER_UNIT)
        return true;
    if (ev->type != NULL && strcmp(ev->type, "kb.published") == 0)
        return true;
    return ev->ticket_id != NULL && csv_has(ev->unit, req->user.unit);
}

/* Add a string member, or null when s is NULL. */
static void
add_str(cJSON *o, const char *name, const char *s)
{
    if (s != NULL)
        cJSON_AddStringToObject(o, name, s);
    else
        cJSON_AddNullToObject(o, name);
}

/* One event as the signed-in user receives it: the caller's number of a call.answer
 * only for the agent it names. */
static cJSON *
event_json(struct server *srv, const struct request *req, const struct feed_event *ev)
{
    cJSON *o = cJSON_CreateObject();
    bool updated = ev->type != NULL && strcmp(ev->type, "ticket.updated") == 0;
    bool mine = ev->agent != NULL && req->user.id != NULL && strcmp(ev->agent, req->user.id) == 0;
    char at[48];

    server_format_time(srv, ev->at, at, sizeof at);
    cJSON_AddNumberToObject(o, "seq", (double)ev->seq);
    add_str(o, "type", ev->type != NULL ? ev->type : "");
    add_str(o, "ticket_id", ev->ticket_id);
    cJSON_AddStringToObject(o, "at", at);
    add_str(o, "action", updated ? ev->action : NULL);
    add_str(o, "unit", ev->unit);
    add_str(o, "agent", ev->agent);
    add_str(o, "phone", mine ? ev->phone : NULL);
    return o;
}

/* Answer {"seq","events":[...]}: the changes after since (none when !fetch). */
static void
reply_changes(struct server *srv, const struct request *req, struct reply *rep, int64_t since,
              bool fetch)
{
    struct store *st = srv->store;
    struct feed_event *evs = NULL;
    size_t n = 0, i;
    int64_t seq = feed_last_seq(srv->feed);
    struct err e;
    cJSON *root, *events;

    err_clear(&e);
    if (fetch && st->ops->feed_since(st, since, FEED_BATCH, &evs, &n, &e) != HL_OK) {
        log_msg(srv->log, "feed", "%s", e.msg);
        reply_error(rep, 500, "io", NULL, "%s", e.msg);
        return;
    }
    root = cJSON_CreateObject();
    events = cJSON_AddArrayToObject(root, "events");
    for (i = 0; i < n; i++) {
        if (deliver(req, &evs[i]))
            cJSON_AddItemToArray(events, event_json(srv, req, &evs[i]));
    }
    if (n > 0)
        seq = evs[n - 1].seq;
    else if (fetch && seq < since)
        seq = since;
    for (i = 0; i < n; i++)
        feed_event_fini(&evs[i]);
    free(evs);
    cJSON_AddNumberToObject(root, "seq", (double)seq);
    reply_json(rep, 200, root);
}

/* GET /api/v1/feed?since=&wait=: answer at once when there is news, else park. */
void
h_feed_get(struct server *srv, struct request *req, struct reply *rep)
{
    struct feed_query q;
    int64_t last;

    if (!parse_query(req, rep, &q))
        return;
    last = feed_last_seq(srv->feed);
    if (q.has_since && q.since > last) {
        /* Committed rows may be a moment ahead of the hub: ask the store. */
        struct err e;
        int64_t stored = 0;

        err_clear(&e);
        if (srv->store->ops->feed_last_seq(srv->store, &stored, &e) == HL_OK && stored > last)
            last = stored;
    }
    /* Without since, or ahead of us (a reset store): the position only. */
    if (!q.has_since || q.since > last) {
        reply_changes(srv, req, rep, last, false);
        return;
    }
    /* News, no wait, or the call after waiting: the changes. */
    if (req->resumed || q.since < last || q.wait == 0) {
        reply_changes(srv, req, rep, q.since, true);
        return;
    }
    reply_park(rep, q.since, feed_now_ms() + (int64_t)q.wait * 1000);
}
