/* h_stats: GET /api/v1/stats?from=&to=&group=, every KPI with target, pass/fail and the
 * DB51/T 2963 monthly score, for the centre and per unit, agent, category or nature.
 *
 * Every request counts every ticket of the period and the year before it, and decoding
 * 100,000 ticket documents takes seconds, so with SQLite the decoded tickets are kept
 * between requests (without their free texts, which no count reads) and brought up to
 * date from the change feed before each request: every committed change of a ticket
 * appends a feed row in its transaction, and SQLite commits them in seq order, so the
 * rows after the last one applied name exactly the tickets to read again. The counts
 * are computed afresh from those tickets at each request's "now", so they are the same
 * as a full scan's. PostgreSQL (several instances; sequence numbers are taken before
 * commit, so a later row can be seen before an earlier one) scans every time. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "hotline/datetime.h"
#include "hotline/kpi.h"
#include "hotline/rules.h"
#include "hotline/util.h"
#include "handlers.h"
#include "server.h"
#include "stats.h"
#include "store.h"

/* Longest period, days: a leap year and some slack for "last 13 months" views. */
#define PERIOD_MAX_DAYS 400
/* Tickets accepted this long before the period are not scanned: their replies and
 * callbacks could only fall into it after a year of redo. */
#define LOOKBACK_DAYS   366
#define DAY_SECONDS     86400

/* Parse a period bound: "YYYY-MM-DD" (start of that local day; end_of_day: start of the
 * next day) or an RFC 3339 instant. false when neither. */
static bool
parse_bound(const struct server *srv, const char *s, bool end_of_day, hl_time *out)
{
    int64_t day;
    int y, m, d;

    if (strlen(s) == 10 && datetime_parse_date(s, &day)) {
        if (end_of_day)
            day++;
        datetime_civil_from_days(day, &y, &m, &d);
        *out = tz_from_civil(srv->tz, y, m, d, 0, 0, 0);
        return true;
    }
    return datetime_parse_rfc3339(s, out, NULL);
}

/* Read from, to and group; false with rep filled (400). */
static bool
parse_query(const struct server *srv, const struct request *req, struct reply *rep,
            hl_time now, hl_time *from, hl_time *to, enum stats_group *group)
{
    const char *f = request_query(req, "from");
    const char *t = request_query(req, "to");
    const char *g = request_query(req, "group");
    struct civil_time c;

    tz_to_civil(srv->tz, now, &c);
    *from = tz_from_civil(srv->tz, c.year, c.month, 1, 0, 0, 0);
    *to = now + 1;     /* exclusive: everything up to and including this second */
    if (f != NULL && !parse_bound(srv, f, false, from)) {
        reply_error(rep, 400, "invalid_parameter", "from",
                    "from must be a date (2026-11-01) or an RFC 3339 instant "
                    "(2026-11-01T00:00:00+08:00)");
        return false;
    }
    if (t != NULL && !parse_bound(srv, t, true, to)) {
        reply_error(rep, 400, "invalid_parameter", "to",
                    "to must be a date (2026-11-30, inclusive) or an RFC 3339 instant "
                    "(exclusive)");
        return false;
    }
    if (*to <= *from) {
        reply_error(rep, 400, "invalid_parameter", "to",
                    "to must be after from (a date in to counts up to the end of that day)");
        return false;
    }
    if (*to - *from > (hl_time)PERIOD_MAX_DAYS * DAY_SECONDS) {
        reply_error(rep, 400, "invalid_parameter", "to",
                    "the period is longer than %d days: ask for a shorter one", PERIOD_MAX_DAYS);
        return false;
    }
    if (g != NULL && (g[0] == '\0' || strcmp(g, "none") == 0 ||
                      !stats_group_parse(g, group))) {
        reply_error(rep, 400, "invalid_parameter", "group",
                    "group must be unit, agent, category or nature");
        return false;
    }
    if (g == NULL)
        *group = STATS_GROUP_NONE;
    return true;
}

/* Feed one scanned ticket to the accumulator. */
static bool
add_ticket(const struct ticket *t, void *arg)
{
    stats_add_ticket(arg, t);
    return true;
}

/* ---- the ticket cache (SQLite) ---- */

/* The cache holds tickets created this long before the moment it was built: requests
 * whose period starts later than that (with the lookback) read it, others scan. */
#define CACHE_SPAN_DAYS  (LOOKBACK_DAYS + PERIOD_MAX_DAYS + 62)
/* Feed rows read per batch when bringing the cache up to date. */
#define CACHE_FEED_BATCH 1000
/* More changed rows than this since the last request: build the cache again. */
#define CACHE_REBUILD_ROWS 20000

/* The decoded tickets of the server's database, oldest first (created_at, id). */
struct stats_cache {
    pthread_rwlock_t lock;
    bool built;                 /* false until the first build, and after a failed one */
    hl_time since;              /* tickets created at or after this are held */
    int64_t seq;                /* feed rows up to this one are applied */
    char *seq_type;             /* the feed row seq: type, ticket and time, to notice */
    char *seq_ticket;           /* another database behind the same server */
    hl_time seq_at;
    struct ticket **items;
    size_t n, cap;
};

/* Free a string member and NULL it. */
static void
drop(char **s)
{
    free(*s);
    *s = NULL;
}

/* Free the texts no count reads (stats.c reads the notes of "return" events only). */
static void
slim(struct ticket *t)
{
    drop(&t->title);
    drop(&t->description);
    drop(&t->location);
    drop(&t->answer);
    drop(&t->due_rule);
    drop(&t->calendar);
    drop(&t->caller.name);
    drop(&t->caller.phone);
    drop(&t->caller.address);
    drop(&t->caller.org);
    drop(&t->caller.org_code);
    for (size_t i = 0; t->assignments != NULL && i < t->n_assignments; i++) {
        drop(&t->assignments[i].reply);
        drop(&t->assignments[i].return_reason);
    }
    for (size_t i = 0; t->extensions != NULL && i < t->n_extensions; i++) {
        drop(&t->extensions[i].reason);
        drop(&t->extensions[i].requested_by);
        drop(&t->extensions[i].decided_by);
    }
    for (size_t i = 0; t->urges != NULL && i < t->n_urges; i++) {
        drop(&t->urges[i].by);
        drop(&t->urges[i].note);
    }
    for (size_t i = 0; t->supervisions != NULL && i < t->n_supervisions; i++) {
        drop(&t->supervisions[i].by);
        drop(&t->supervisions[i].note);
    }
    for (size_t i = 0; t->callbacks != NULL && i < t->n_callbacks; i++) {
        drop(&t->callbacks[i].by);
        drop(&t->callbacks[i].note);
    }
    for (size_t i = 0; t->events != NULL && i < t->n_events; i++) {
        drop(&t->events[i].by);
        if (t->events[i].type == NULL || strcmp(t->events[i].type, "return") != 0)
            drop(&t->events[i].note);
    }
    strlist_fini(&t->kb_refs);
}

/* Compare two tickets by created_at, then id (the order of the store's scan). */
static int
cmp_created(const struct ticket *a, const struct ticket *b)
{
    if (a->created_at != b->created_at)
        return a->created_at < b->created_at ? -1 : 1;
    return strcmp(a->id != NULL ? a->id : "", b->id != NULL ? b->id : "");
}

/* Empty the cache. */
static void
cache_clear(struct stats_cache *c)
{
    for (size_t i = 0; i < c->n; i++)
        ticket_free(&c->items[i]);
    free(c->items);
    drop(&c->seq_type);
    drop(&c->seq_ticket);
    c->items = NULL;
    c->n = c->cap = 0;
    c->built = false;
    c->seq = 0;
}

/* A new, empty cache for one server's /stats. */
struct stats_cache *
h_stats_cache_new(void)
{
    struct stats_cache *c = xcalloc(1, sizeof *c);

    pthread_rwlock_init(&c->lock, NULL);
    return c;
}

/* Free a cache made by h_stats_cache_new and NULL the pointer (NULL is fine). */
void
h_stats_cache_free(struct stats_cache **c)
{
    if (*c == NULL)
        return;
    cache_clear(*c);
    pthread_rwlock_destroy(&(*c)->lock);
    free(*c);
    *c = NULL;
}

/* Put a slimmed ticket in its place, replacing the held one with its id (looked for
 * only when the ticket may be held: fresh is false). Takes t. */
static void
cache_put(struct stats_cache *c, struct ticket *t, bool fresh)
{
    size_t lo = 0, hi = c->n;

    slim(t);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (cmp_created(c->items[mid], t) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < c->n && strcmp(c->items[lo]->id, t->id) == 0) {
        ticket_free(&c->items[lo]);
        c->items[lo] = t;
        return;
    }
    for (size_t i = 0; !fresh && i < c->n; i++) {  /* held under another created_at */
        if (strcmp(c->items[i]->id, t->id) == 0) {
            ticket_free(&c->items[i]);
            memmove(&c->items[i], &c->items[i + 1], (c->n - i - 1) * sizeof *c->items);
            c->n--;
            if (i < lo)
                lo--;
            break;
        }
    }
    if (t->created_at < c->since) {
        ticket_free(&t);
        return;
    }
    if (c->n == c->cap) {
        c->cap = c->cap == 0 ? 1024 : c->cap * 2;
        c->items = xrealloc(c->items, c->cap * sizeof *c->items);
    }
    memmove(&c->items[lo + 1], &c->items[lo], (c->n - lo) * sizeof *c->items);
    c->items[lo] = t;
    c->n++;
}

/* Keep the tickets of a page (moved out of it; the page is emptied). */
static void
cache_take(struct stats_cache *c, struct ticket_page *page)
{
    for (size_t i = 0; i < page->n; i++) {
        struct ticket *t = xmalloc(sizeof *t);

        *t = page->items[i];
        memset(&page->items[i], 0, sizeof page->items[i]);
        slim(t);
        if (c->n == c->cap) {
            c->cap = c->cap == 0 ? 1024 : c->cap * 2;
            c->items = xrealloc(c->items, c->cap * sizeof *c->items);
        }
        c->items[c->n++] = t;
    }
}

/* True when two strings, either of which may be NULL, are equal. */
static bool
same_str(const char *a, const char *b)
{
    return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

/* Remember the feed row seq (to notice a different database later). */
static int
cache_mark(struct stats_cache *c, struct store *st, int64_t seq, struct err *e)
{
    struct feed_event *evs = NULL;
    size_t n = 0;
    int rc;

    drop(&c->seq_type);
    drop(&c->seq_ticket);
    c->seq = seq;
    c->seq_at = 0;
    if (seq <= 0)
        return HL_OK;
    rc = st->ops->feed_since(st, seq - 1, 1, &evs, &n, e);
    if (rc == HL_OK && n > 0 && evs[0].seq == seq) {
        c->seq_type = evs[0].type != NULL ? xstrdup(evs[0].type) : NULL;
        c->seq_ticket = evs[0].ticket_id != NULL ? xstrdup(evs[0].ticket_id) : NULL;
        c->seq_at = evs[0].at;
    }
    for (size_t i = 0; i < n; i++)
        feed_event_fini(&evs[i]);
    free(evs);
    return rc;
}

/* True when the feed row seq is still the one remembered. */
static bool
cache_same_db(struct stats_cache *c, struct store *st, struct err *e)
{
    struct feed_event *evs = NULL;
    size_t n = 0;
    bool same;

    if (c->seq <= 0)
        return true;
    if (st->ops->feed_since(st, c->seq - 1, 1, &evs, &n, e) != HL_OK)
        return false;
    same = n > 0 && evs[0].seq == c->seq && evs[0].at == c->seq_at
           && same_str(evs[0].type, c->seq_type)
           && same_str(evs[0].ticket_id, c->seq_ticket);
    for (size_t i = 0; i < n; i++)
        feed_event_fini(&evs[i]);
    free(evs);
    return same;
}

/* Build the cache from a full scan of the tickets created since now - CACHE_SPAN_DAYS. */
static int
cache_build(struct stats_cache *c, struct server *srv, hl_time now, struct err *e)
{
    struct store *st = srv->store;
    struct ticket_query q;
    char *cursor = NULL;
    int64_t seq = 0;
    int rc;

    cache_clear(c);
    rc = st->ops->feed_last_seq(st, &seq, e);
    if (rc != HL_OK)
        return rc;
    memset(&q, 0, sizeof q);
    q.nature = -1;
    c->since = now - (hl_time)CACHE_SPAN_DAYS * DAY_SECONDS;
    q.created_from = c->since;
    q.limit = 100;
    do {            /* newest first, page by page (the pages' tickets are ours to keep) */
        struct ticket_page page;

        rc = st->ops->ticket_list(st, &q, &page, e);
        if (rc != HL_OK)
            break;
        cache_take(c, &page);
        free(cursor);
        cursor = page.next_cursor;
        page.next_cursor = NULL;
        ticket_page_fini(&page);
        q.cursor = cursor;
    } while (cursor != NULL);
    free(cursor);
    for (size_t i = 0; i < c->n / 2; i++) {     /* oldest first */
        struct ticket *t = c->items[i];

        c->items[i] = c->items[c->n - 1 - i];
        c->items[c->n - 1 - i] = t;
    }
    if (rc == HL_OK)
        rc = cache_mark(c, st, seq, e);
    if (rc != HL_OK) {
        cache_clear(c);
        return rc;
    }
    c->built = true;
    return HL_OK;
}

/* Read again the tickets the feed rows after the cache's name. *rebuild set when there
 * are too many of them. */
static int
cache_catch_up(struct stats_cache *c, struct store *st, int64_t last, bool *rebuild,
               struct err *e)
{
    int rc = HL_OK;

    *rebuild = last - c->seq > CACHE_REBUILD_ROWS;
    while (rc == HL_OK && !*rebuild && c->seq < last) {
        struct feed_event *evs = NULL;
        size_t n = 0, i;
        int64_t upto = c->seq;

        rc = st->ops->feed_since(st, c->seq, CACHE_FEED_BATCH, &evs, &n, e);
        for (i = 0; rc == HL_OK && i < n; i++) {
            struct ticket *t = NULL;

            if (evs[i].ticket_id != NULL && strncmp(evs[i].type, "ticket.", 7) == 0) {
                rc = st->ops->ticket_get(st, evs[i].ticket_id, &t, e);
                if (rc == HL_ENOENT)
                    rc = HL_OK;    /* not there: nothing to count */
                else if (rc == HL_OK)
                    cache_put(c, t, strcmp(evs[i].type, "ticket.created") == 0);
            }
            if (rc == HL_OK)
                upto = evs[i].seq;
        }
        for (i = 0; i < n; i++)
            feed_event_fini(&evs[i]);
        free(evs);
        if (rc == HL_OK && n == 0)
            break;
        if (rc == HL_OK)
            rc = cache_mark(c, st, upto, e);
    }
    return rc;
}

/* Bring the cache up to date for srv (build it when it was never built, when the
 * database behind it changed, or when it is too far behind). Called with the write
 * lock held. */
static int
cache_refresh(struct stats_cache *c, struct server *srv, hl_time now, struct err *e)
{
    struct store *st = srv->store;
    int64_t last = 0;
    bool rebuild;
    int rc;

    if (!c->built || !cache_same_db(c, st, e))
        return cache_build(c, srv, now, e);
    rc = st->ops->feed_last_seq(st, &last, e);
    if (rc != HL_OK)
        return rc;
    if (last < c->seq)
        return cache_build(c, srv, now, e);
    rc = cache_catch_up(c, st, last, &rebuild, e);
    if (rc == HL_OK && rebuild)
        rc = cache_build(c, srv, now, e);
    return rc;
}

/* True when the cache is current for srv (built, same database, nothing new in the
 * feed). Called with a lock held. */
static bool
cache_current(struct stats_cache *c, struct server *srv, struct err *e)
{
    int64_t last = 0;

    return c->built && srv->store->ops->feed_last_seq(srv->store, &last, e) == HL_OK
           && last == c->seq && cache_same_db(c, srv->store, e);
}

/* Count the tickets created in [from, to) into s: from the server's cache when it has
 * one (SQLite) and it reaches back to from, else by a scan. */
static int
count_tickets(struct server *srv, struct stats *s, hl_time from, hl_time to, hl_time now,
              struct err *e)
{
    struct stats_cache *c = srv->stats_cache;
    struct ticket_query q;
    int rc = HL_OK;

    if (c != NULL) {
        pthread_rwlock_rdlock(&c->lock);
        if (!cache_current(c, srv, e)) {
            pthread_rwlock_unlock(&c->lock);
            pthread_rwlock_wrlock(&c->lock);
            rc = cache_refresh(c, srv, now, e);
            pthread_rwlock_unlock(&c->lock);
            pthread_rwlock_rdlock(&c->lock);
        }
        if (rc == HL_OK && c->built && from >= c->since) {
            for (size_t i = 0; i < c->n && c->items[i]->created_at < to; i++) {
                if (c->items[i]->created_at >= from)
                    stats_add_ticket(s, c->items[i]);
            }
            pthread_rwlock_unlock(&c->lock);
            return HL_OK;
        }
        pthread_rwlock_unlock(&c->lock);
        if (rc != HL_OK)
            return rc;
    }
    memset(&q, 0, sizeof q);
    q.nature = -1;
    q.created_from = from;
    q.created_to = to;
    return srv->store->ops->ticket_scan(srv->store, &q, add_ticket, s, e);
}

/* Names of the groups: units, users or categories, as code -> label pairs. */
struct names {
    char **keys;
    char **labels;
    size_t n;
};

/* Remember one name. */
static void
names_add(struct names *nm, const char *key, const char *label)
{
    nm->keys = xrealloc(nm->keys, (nm->n + 1) * sizeof *nm->keys);
    nm->labels = xrealloc(nm->labels, (nm->n + 1) * sizeof *nm->labels);
    nm->keys[nm->n] = xstrdup(key != NULL ? key : "");
    nm->labels[nm->n] = xstrdup(label);
    nm->n++;
}

/* The label of key, or NULL. */
static const char *
names_find(const struct names *nm, const char *key)
{
    size_t i;

    for (i = 0; i < nm->n; i++) {
        if (strcmp(nm->keys[i], key) == 0)
            return nm->labels[i];
    }
    return NULL;
}

/* Release the names. */
static void
names_fini(struct names *nm)
{
    size_t i;

    for (i = 0; i < nm->n; i++) {
        free(nm->keys[i]);
        free(nm->labels[i]);
    }
    free(nm->keys);
    free(nm->labels);
    memset(nm, 0, sizeof *nm);
}

/* Units as names. */
static int
unit_names(struct server *srv, struct names *nm, struct err *e)
{
    struct unit *units = NULL;
    size_t n = 0, i;

    if (srv->store->ops->unit_list(srv->store, &units, &n, e) != HL_OK)
        return e->code;
    for (i = 0; i < n; i++) {
        names_add(nm, units[i].code, units[i].name);
        unit_fini(&units[i]);
    }
    free(units);
    return HL_OK;
}

/* Users as names; with calls, add each agent's call counts of the period to s. */
static int
user_names(struct server *srv, struct names *nm, struct stats *s, hl_time from, hl_time to,
           struct err *e)
{
    struct user_row *users = NULL;
    size_t n = 0, i;
    int rc = HL_OK;

    if (srv->store->ops->user_list(srv->store, &users, &n, e) != HL_OK)
        return e->code;
    for (i = 0; i < n; i++) {
        const struct user *u = &users[i].user;
        int64_t offered = 0, answered = 0, answered_15s = 0, wait = 0;

        names_add(nm, u->id, u->name);
        if (rc == HL_OK && s != NULL && u->role == USER_AGENT) {
            rc = srv->store->ops->call_counts(srv->store, from, to, u->id, &offered, &answered,
                                             &answered_15s, &wait, e);
            if (rc == HL_OK && offered > 0)
                stats_add_calls(s, u->id, (uint64_t)offered, (uint64_t)answered,
                                (uint64_t)answered_15s, (uint64_t)wait);
        }
    }
    for (i = 0; i < n; i++)
        user_row_fini(&users[i]);
    free(users);
    return rc;
}

/* Top-level categories as names (nm may be NULL) and as the codes stats needs (borrowed
 * from tree). */
static void
category_names(const cJSON *tree, struct names *nm, const char ***codes, size_t *n)
{
    const cJSON *node;

    *codes = NULL;
    *n = 0;
    cJSON_ArrayForEach(node, tree) {
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(node, "code");
        const cJSON *lab = cJSON_GetObjectItemCaseSensitive(node, "label");

        if (!cJSON_IsString(code) || !cJSON_IsString(lab))
            continue;
        if (nm != NULL)
            names_add(nm, code->valuestring, lab->valuestring);
        *codes = xrealloc(*codes, (*n + 1) * sizeof **codes);
        (*codes)[(*n)++] = code->valuestring;
    }
}

/* The label of one group's key. */
static const char *
group_label(enum stats_group group, const struct names *nm, const char *key)
{
    enum nature n;

    if (group == STATS_GROUP_NATURE)
        return nature_parse(key, &n) ? nature_label(n) : NULL;
    return names_find(nm, key);
}

/* Add "label" to an entry. */
static void
add_label(cJSON *entry, const char *text)
{
    cJSON_DeleteItemFromObjectCaseSensitive(entry, "label");
    if (text != NULL)
        cJSON_AddStringToObject(entry, "label", text);
    else
        cJSON_AddNullToObject(entry, "label");
}

/* Shape stats_to_json's document as the API's Stats: "overall" becomes "total", group
 * none becomes null, "profile" and each group's "label" are added. */
static void
shape(cJSON *o, const struct server *srv, enum stats_group group, const struct names *nm)
{
    cJSON *total = cJSON_DetachItemFromObjectCaseSensitive(o, "overall");
    cJSON *groups = cJSON_GetObjectItemCaseSensitive(o, "groups");
    cJSON *g;

    if (total == NULL)
        total = cJSON_DetachItemFromObjectCaseSensitive(o, "total");
    if (total != NULL) {
        add_label(total, NULL);
        cJSON_AddItemToObject(o, "total", total);
    }
    cJSON_DeleteItemFromObjectCaseSensitive(o, "profile");
    cJSON_AddStringToObject(o, "profile", rules_profile(srv->rules));
    if (group == STATS_GROUP_NONE)
        cJSON_ReplaceItemInObjectCaseSensitive(o, "group", cJSON_CreateNull());
    cJSON_ArrayForEach(g, groups) {
        const cJSON *key = cJSON_GetObjectItemCaseSensitive(g, "key");

        add_label(g, cJSON_IsString(key) ? group_label(group, nm, key->valuestring) : NULL);
    }
}

/* GET /api/v1/stats: the KPIs of a period (supervisor, admin). */
void
h_stats_get(struct server *srv, struct request *req, struct reply *rep)
{
    hl_time now = server_now(srv), from = 0, to = 0;
    enum stats_group group = STATS_GROUP_NONE;
    struct stats_ctx ctx;
    struct stats *s = NULL;
    struct names nm;
    const char **codes = NULL;
    size_t n_codes = 0;
    cJSON *tree = NULL;
    cJSON *out;
    struct err e;
    int64_t offered = 0, answered = 0, answered_15s = 0, wait = 0;
    int rc;

    memset(&nm, 0, sizeof nm);
    if (req->user.role != USER_SUPERVISOR && req->user.role != USER_ADMIN) {
        reply_error(rep, 403, "forbidden_role", NULL,
                    "A%s %s user may not read the statistics: they are for supervisors and "
                    "admins.", req->user.role == USER_AGENT ? "n" : "",
                    user_role_str(req->user.role));
        return;
    }
    if (!parse_query(srv, req, rep, now, &from, &to, &group))
        return;
    err_clear(&e);
    tree = h_meta_categories(srv, &e);
    if (tree == NULL) {
        reply_error(rep, 500, "internal_error", NULL, "%s", e.msg);
        goto out;
    }
    memset(&ctx, 0, sizeof ctx);
    ctx.rules = srv->rules;
    ctx.cal = srv->calendar;
    ctx.tz = srv->tz;
    ctx.kpis = srv->kpis;
    category_names(tree, group == STATS_GROUP_CATEGORY ? &nm : NULL, &codes, &n_codes);
    ctx.top_categories = n_codes > 0 ? codes : NULL;
    ctx.n_top_categories = n_codes;
    s = stats_new(&ctx, group, from, to, now);

    rc = count_tickets(srv, s, from - (hl_time)LOOKBACK_DAYS * DAY_SECONDS, to, now, &e);
    if (rc == HL_OK)
        rc = srv->store->ops->call_counts(srv->store, from, to, NULL, &offered, &answered,
                                         &answered_15s, &wait, &e);
    if (rc == HL_OK)
        stats_add_calls(s, NULL, (uint64_t)offered, (uint64_t)answered, (uint64_t)answered_15s,
                        (uint64_t)wait);
    if (rc == HL_OK && group == STATS_GROUP_UNIT)
        rc = unit_names(srv, &nm, &e);
    if (rc == HL_OK && group == STATS_GROUP_AGENT)
        rc = user_names(srv, &nm, s, from, to, &e);
    if (rc != HL_OK) {
        reply_error(rep, 500, "io", NULL, "%s", e.msg[0] != '\0' ? e.msg : "the database failed");
        goto out;
    }
    out = stats_to_json(s);
    shape(out, srv, group, &nm);
    reply_json(rep, 200, out);
out:
    stats_free(&s);
    free(codes);
    names_fini(&nm);
    cJSON_Delete(tree);
}
