/* h_stats: GET /api/v1/stats?from=&to=&group=, every KPI with target, pass/fail and the
 * DB51/T 2963 monthly score, for the centre and per unit, agent, category or nature. */
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
    struct ticket_query q;
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

    memset(&q, 0, sizeof q);
    q.nature = -1;
    q.created_from = from - (hl_time)LOOKBACK_DAYS * DAY_SECONDS;
    q.created_to = to;
    rc = srv->store->ops->ticket_scan(srv->store, &q, add_ticket, s, &e);
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
