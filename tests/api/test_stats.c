/* test_stats: GET /meta's shape, and GET /stats over a fixed data set made through the API
 * (five tickets taken through the workflow, call records imported and one call sent as
 * events) with every expected count and KPI computed by hand below. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hotline/tz.h"
#include "hotline/util.h"
#include "auth.h"
#include "fixture.h"
#include "harness.h"
#include "store.h"

#define PW "stats-tests-pw-1"
/* The server's clock: Tuesday 2026-03-10 10:00 in Shanghai, a working day; the whole
 * workflow below runs within seconds of it (never in callback quiet hours). */
#define FAKE_NOW "2026-03-10T10:00:00+08:00"

static const struct fixture_account accounts[] = {
    { "agent1", "张三", USER_AGENT, NULL },
    { "sup1", "王班长", USER_SUPERVISOR, NULL },
    { "admin1", "话务系统", USER_ADMIN, NULL },
    { "u_water", "水务接单员", USER_UNIT, "water" },
    { "u_gas", "燃气接单员", USER_UNIT, "gas" },
    { "u_edu", "教育接单员", USER_UNIT, "edu" },
};

enum { AGENT, SUP, ADMIN, U_WATER, U_GAS, U_EDU };

static const struct fixture_unit units[] = {
    { "water", "市自来水公司" },
    { "gas", "市燃气集团" },
    { "edu", "市教育局" },
};

/* One request as account who, with a body of content type ctype (JSON when NULL) and an
 * extra header line (may be NULL). */
static long
call_as(struct fixture *f, int who, const char *method, const char *path, const char *ctype,
        const char *body, const char *extra, struct http_reply *r)
{
    char auth[256], ct[128];
    const char *hdr[4];
    int n = 0;

    snprintf(auth, sizeof auth, "Authorization: Bearer %s", f->tok[who]);
    hdr[n++] = auth;
    if (body != NULL) {
        snprintf(ct, sizeof ct, "Content-Type: %s", ctype != NULL ? ctype : "application/json");
        hdr[n++] = ct;
    }
    if (extra != NULL)
        hdr[n++] = extra;
    hdr[n] = NULL;
    return http_request(f->h, method, path, hdr, body, body != NULL ? strlen(body) : 0, r);
}

/* A JSON request that must answer want. */
static void
must(struct fixture *f, int who, const char *method, const char *path, const char *body,
     long want)
{
    struct http_reply r;

    if (call_as(f, who, method, path, NULL, body, NULL, &r) != want)
        fail_msg("%s %s as %s: %ld, expected %ld: %s", method, path, accounts[who].id,
                 r.status, want, strbuf_str(&r.body));
    http_reply_fini(&r);
}

/* POST /tickets as agent1; the new id (owned). */
static char *
create(struct fixture *f, const char *body)
{
    struct http_reply r;
    const cJSON *id;
    char *out;

    if (call_as(f, AGENT, "POST", "/api/v1/tickets", NULL, body, NULL, &r) != 201)
        fail_msg("POST /tickets: %ld %s", r.status, strbuf_str(&r.body));
    id = cJSON_GetObjectItemCaseSensitive(r.json, "id");
    assert_true(cJSON_IsString(id));
    out = xstrdup(id->valuestring);
    http_reply_fini(&r);
    return out;
}

/* POST /tickets/{id}/{action} as who; must succeed. */
static void
act(struct fixture *f, int who, const char *id, const char *action, const char *body)
{
    char path[256];

    snprintf(path, sizeof path, "/api/v1/tickets/%s/%s", id, action);
    must(f, who, "POST", path, body, 200);
}

/* The call records imported: on 2026-03-05, 17 answered after 10 s and 6 after 20 s by
 * agent1, one abandoned; one answered on 2026-02-27 and one on 2026-04-01 00:00 (both
 * outside March); then a blank line, a line that is not JSON and a record whose end is
 * before its offer. */
static char *
call_records(void)
{
    struct strbuf sb;
    int i;

    strbuf_init(&sb);
    for (i = 0; i < 23; i++) {
        int wait = i < 17 ? 10 : 20;

        strbuf_addf(&sb,
                    "{\"call_id\":\"imp-%02d\",\"caller\":\"1380000%04d\",\"queue\":\"12345\","
                    "\"agent\":\"agent1\",\"offered_at\":\"2026-03-05T09:%02d:00+08:00\","
                    "\"answered_at\":\"2026-03-05T09:%02d:%02d+08:00\","
                    "\"ended_at\":\"2026-03-05T09:%02d:50+08:00\"}\n",
                    i, i, i, i, wait, i);
    }
    strbuf_adds(&sb, "{\"call_id\":\"imp-lost\",\"caller\":\"01088886666\",\"queue\":\"12345\","
                     "\"agent\":null,\"offered_at\":\"2026-03-05T10:00:00+08:00\","
                     "\"answered_at\":null,\"ended_at\":\"2026-03-05T10:00:40+08:00\"}\r\n");
    strbuf_adds(&sb, "{\"call_id\":\"imp-feb\",\"caller\":\"13900000001\",\"queue\":\"12345\","
                     "\"agent\":\"agent1\",\"offered_at\":\"2026-02-27T09:00:00+08:00\","
                     "\"answered_at\":\"2026-02-27T09:01:00+08:00\","
                     "\"ended_at\":\"2026-02-27T09:05:00+08:00\"}\n");
    strbuf_adds(&sb, "{\"call_id\":\"imp-apr\",\"caller\":\"13900000002\",\"queue\":\"12345\","
                     "\"agent\":\"agent1\",\"offered_at\":\"2026-04-01T00:00:00+08:00\","
                     "\"answered_at\":\"2026-04-01T00:01:00+08:00\","
                     "\"ended_at\":\"2026-04-01T00:05:00+08:00\"}\n");
    strbuf_adds(&sb, "   \n");
    strbuf_adds(&sb, "this is not json\n");
    strbuf_adds(&sb, "{\"call_id\":\"imp-bad\",\"offered_at\":\"2026-03-05T11:00:00+08:00\","
                     "\"answered_at\":null,\"ended_at\":\"2026-03-05T10:00:00+08:00\"}");
    return strbuf_detach(&sb);
}

/*
 * The data set, all accepted on 2026-03-10 around 10:00 by agent1:
 *   T1 phone consult   other.gov_efficiency            resolve_direct -> closed (direct)
 *   T2 phone help      urban.env.water_supply          dispatch water (lead), accept, reply,
 *                                                      callback reached satisfied -> closed
 *   T3 web report      urban.env.gas_supply            dispatch gas, gas returns, dispatch
 *                                                      water, accept, reply, callback reached
 *                                                      dissatisfied -> in_progress (redo)
 *   T4 sms suggestion  urban.env.water_supply          dispatch water, reply, close (no
 *                                                      callback owed for suggestions)
 *   T5 phone help      sci.edu.culture.health.education dispatch edu, still open
 * Calls: the 24 imported March records above plus one call as events on 2026-03-09
 * (new_call 09:00:00, answer 09:00:10 by agent1, hangup 09:03:00).
 */
static int
start(void **state)
{
    struct fixture *f;
    struct http_reply r;
    char *t[5];
    char *recs;
    size_t i;

    f = fixture_start(state, FAKE_NOW, units, ARRAY_SIZE(units), accounts, ARRAY_SIZE(accounts),
                      PW);
    fixture_login_all(f, accounts, ARRAY_SIZE(accounts), PW);

    t[0] = create(f, "{\"channel\":\"phone\",\"caller\":{\"phone\":\"13911110001\"},"
                     "\"nature\":\"consult\",\"category\":\"other.gov_efficiency\","
                     "\"description\":\"咨询办事大厅周末是否开放。\"}");
    t[1] = create(f, "{\"channel\":\"phone\",\"caller\":{\"phone\":\"13911110002\"},"
                     "\"nature\":\"help\",\"category\":\"urban.env.water_supply\","
                     "\"description\":\"家中自来水发黄，请求派人检查。\","
                     "\"location\":\"幸福路12号\"}");
    t[2] = create(f, "{\"channel\":\"web\",\"nature\":\"report\","
                     "\"category\":\"urban.env.gas_supply\","
                     "\"description\":\"举报小区燃气管道私接。\",\"location\":\"和平路3号\"}");
    t[3] = create(f, "{\"channel\":\"sms\",\"caller\":{\"phone\":\"13911110004\"},"
                     "\"nature\":\"suggestion\",\"category\":\"urban.env.water_supply\","
                     "\"description\":\"建议停水前提前三天短信通知。\"}");
    t[4] = create(f, "{\"channel\":\"phone\",\"caller\":{\"phone\":\"13911110005\"},"
                     "\"nature\":\"help\",\"category\":\"sci.edu.culture.health.education\","
                     "\"description\":\"孩子入学报名系统无法登录。\"}");

    act(f, AGENT, t[0], "resolve_direct", "{\"answer\":\"周末上午开放。\",\"kb_refs\":[]}");

    act(f, AGENT, t[1], "dispatch", "{\"units\":[{\"unit\":\"water\",\"role\":\"lead\"}]}");
    act(f, U_WATER, t[1], "accept", "{}");
    act(f, U_WATER, t[1], "reply", "{\"reply\":\"已上门冲洗管道，水质恢复。\"}");
    act(f, AGENT, t[1], "callback", "{\"outcome\":\"reached\",\"satisfaction\":\"satisfied\"}");

    act(f, AGENT, t[2], "dispatch", "{\"units\":[{\"unit\":\"gas\",\"role\":\"lead\"}]}");
    act(f, U_GAS, t[2], "return", "{\"reason\":\"私接管道属供水管网，非燃气。\"}");
    act(f, AGENT, t[2], "dispatch", "{\"units\":[{\"unit\":\"water\",\"role\":\"lead\"}]}");
    act(f, U_WATER, t[2], "accept", "{}");
    act(f, U_WATER, t[2], "reply", "{\"reply\":\"已拆除私接管道。\"}");
    act(f, AGENT, t[2], "callback",
        "{\"outcome\":\"reached\",\"satisfaction\":\"dissatisfied\",\"note\":\"仍有私接\"}");

    act(f, AGENT, t[3], "dispatch", "{\"units\":[{\"unit\":\"water\",\"role\":\"lead\"}]}");
    act(f, U_WATER, t[3], "reply", "{\"reply\":\"已采纳，停水将提前三天通知。\"}");
    act(f, AGENT, t[3], "close", "{\"note\":null}");

    act(f, AGENT, t[4], "dispatch", "{\"units\":[{\"unit\":\"edu\",\"role\":\"lead\"}]}");

    recs = call_records();
    assert_int_equal(call_as(f, ADMIN, "POST", "/api/v1/calls/import", "application/x-ndjson",
                             recs, NULL, &r), 200);
    free(recs);
    /* 26 good records; the blank line 27 is skipped; lines 28 and 29 are bad */
    assert_int_equal((int)cJSON_GetObjectItemCaseSensitive(r.json, "added")->valuedouble, 26);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.json, "errors")), 2);
    assert_int_equal((int)cJSON_GetObjectItemCaseSensitive(
                         cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r.json, "errors"), 0),
                         "line")->valuedouble, 28);
    assert_int_equal((int)cJSON_GetObjectItemCaseSensitive(
                         cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r.json, "errors"), 1),
                         "line")->valuedouble, 29);
    http_reply_fini(&r);
    must(f, ADMIN, "POST", "/api/v1/calls",
         "{\"call_id\":\"ev-1\",\"type\":\"new_call\",\"caller\":\"13922223333\","
         "\"queue\":\"12345\",\"at\":\"2026-03-09T09:00:00+08:00\"}", 204);
    must(f, ADMIN, "POST", "/api/v1/calls",
         "{\"call_id\":\"ev-1\",\"type\":\"answer\",\"caller\":\"13922223333\","
         "\"queue\":\"12345\",\"agent\":\"agent1\",\"at\":\"2026-03-09T09:00:10+08:00\"}", 204);
    must(f, ADMIN, "POST", "/api/v1/calls",
         "{\"call_id\":\"ev-1\",\"type\":\"hangup\",\"at\":\"2026-03-09T09:03:00+08:00\"}", 204);
    for (i = 0; i < 5; i++)
        free(t[i]);
    return 0;
}

/* Member of an object; fails the test when absent. */
static const cJSON *
get(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

    if (v == NULL)
        fail_msg("no member %s", name);
    return v;
}

/* The entry of an array whose member name equals value, or NULL. */
static const cJSON *
find(const cJSON *arr, const char *name, const char *value)
{
    const cJSON *it;

    cJSON_ArrayForEach(it, arr) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, name);

        if (cJSON_IsString(v) && strcmp(v->valuestring, value) == 0)
            return it;
    }
    return NULL;
}

/* Assert one count of a group. */
static void
count_is(const cJSON *group, const char *name, double want)
{
    const cJSON *v = get(get(group, "counts"), name);

    if (!cJSON_IsNumber(v) || v->valuedouble != want)
        fail_msg("count %s: %g, expected %g", name, cJSON_IsNumber(v) ? v->valuedouble : -1.0,
                 want);
}

/* Assert one KPI of a group: its value (NAN: null), and pass (1, 0, -1 for null). */
static void
kpi_is(const cJSON *group, const char *id, double value, int pass)
{
    const cJSON *k = find(get(group, "kpis"), "id", id);
    const cJSON *v;
    const cJSON *p;

    if (k == NULL)
        fail_msg("no KPI %s", id);
    v = get(k, "value");
    p = get(k, "pass");
    if (isnan(value)) {
        if (!cJSON_IsNull(v))
            fail_msg("%s: value %g, expected null", id, v->valuedouble);
    } else if (!cJSON_IsNumber(v) || fabs(v->valuedouble - value) > 1e-9) {
        fail_msg("%s: value %g, expected %g", id, cJSON_IsNumber(v) ? v->valuedouble : -1.0,
                 value);
    }
    if (pass < 0)
        assert_true(cJSON_IsNull(p));
    else if (pass != (cJSON_IsTrue(p) ? 1 : 0) || !cJSON_IsBool(p))
        fail_msg("%s: pass %s, expected %s", id, cJSON_IsBool(p) ? (cJSON_IsTrue(p) ? "true" :
                 "false") : "null", pass ? "true" : "false");
}

/* Points of a KPI of a group. */
static double
points_of(const cJSON *group, const char *id)
{
    const cJSON *k = find(get(group, "kpis"), "id", id);

    assert_non_null(k);
    assert_true(cJSON_IsNumber(get(k, "points")));
    return get(k, "points")->valuedouble;
}

/* GET /stats as the supervisor with a query; must answer 200; r is filled. */
static void
stats(struct fixture *f, const char *query, struct http_reply *r)
{
    char path[512];

    snprintf(path, sizeof path, "/api/v1/stats%s", query);
    if (call_as(f, SUP, "GET", path, NULL, NULL, NULL, r) != 200)
        fail_msg("GET %s: %ld %s", path, r->status, strbuf_str(&r->body));
}

/*
 * March as a whole, hand-computed:
 *   requests_total 5; calls_resolved 1 (T1: phone, answered directly);
 *   dispatch_due 4 (T2-T5), all dispatched by 17:00 the same day and within 2 working days;
 *   work_orders 4; resolved 2 (T2 closed, T4 closed; T3 is back in progress, T5 open), both
 *   within 2 working days; returned 1 (T3 by gas); redo 1 (T3);
 *   replies_due 2 (water on T2 and T4, both on time; T3's water assignment was sent back with
 *   a new deadline still ahead, T5's deadline 03-12 is ahead);
 *   callbacks_due 2 (T2 satisfied, T3 dissatisfied: both reached minutes after the reply),
 *   callbacks_done_3d 2, replies_confirmed 2, satisfied 1, dissatisfied 1;
 *   sms_received 1, replied the same day 1 (T4 dispatched at once);
 *   calls: offered 25 (24 imported in March + 1 by events), answered 24, within 15 s 18
 *   (17 imported + the 10 s event call), waits 17x10 + 6x20 + 10 = 300 s over 24 answers.
 * KPIs: manual answer 24/25 = 96% (fails >= 98, band [96,98) = 15 points); call resolution
 *   1/25 = 4% (0 points); ticket resolution 2/4 = 50% (fails, 0 points); timely resolution
 *   50% (below the 80% floor of the relative score: 0 points); mean wait 300/24 = 12.5 s
 *   (passes < 20, 20 points). Monthly score 15 + 0 + 0 + 0 + 20 = 35 of 100.
 *   answer timeliness 18/24 = 75% (fails >= 80); transfer timeliness 4/4 = 100% (passes);
 *   on-time replies 2/2 = 100%; satisfaction 1/2 = 50% (fails >= 90); answer rate 2/2 =
 *   100% (passes >= 100); redo 1/4 = 25% (fails <= 5); return 1/4 = 25% (fails <= 2);
 *   SMS reply 1/1 = 100%; callback timeliness 2/2 = 100%.
 */
static void
test_month_total(void **state)
{
    struct fixture *f = *state;
    struct http_reply r;
    const cJSON *total;
    const cJSON *score;
    const cJSON *parts;

    stats(f, "?from=2026-03-01&to=2026-03-31", &r);
    assert_string_equal(get(r.json, "from")->valuestring, "2026-03-01T00:00:00+08:00");
    assert_string_equal(get(r.json, "to")->valuestring, "2026-04-01T00:00:00+08:00");
    assert_string_equal(get(r.json, "profile")->valuestring, "12345");
    assert_true(cJSON_IsNull(get(r.json, "group")));
    assert_int_equal(cJSON_GetArraySize(get(r.json, "groups")), 0);
    total = get(r.json, "total");
    assert_true(cJSON_IsNull(get(total, "key")));
    assert_true(cJSON_IsNull(get(total, "label")));

    count_is(total, "requests_total", 5);
    count_is(total, "calls_resolved", 1);
    count_is(total, "dispatch_due", 4);
    count_is(total, "dispatched_same_day", 4);
    count_is(total, "dispatched_2wd", 4);
    count_is(total, "work_orders", 4);
    count_is(total, "work_orders_resolved", 2);
    count_is(total, "work_orders_resolved_2wd", 2);
    count_is(total, "returned", 1);
    count_is(total, "redo", 1);
    count_is(total, "replies_due", 2);
    count_is(total, "replies_on_time", 2);
    count_is(total, "callbacks_due", 2);
    count_is(total, "unreachable", 0);
    count_is(total, "confidential_excluded", 0);
    count_is(total, "callbacks_done_3d", 2);
    count_is(total, "replies_confirmed", 2);
    count_is(total, "satisfied", 1);
    count_is(total, "basic", 0);
    count_is(total, "dissatisfied", 1);
    count_is(total, "sms_received", 1);
    count_is(total, "sms_replied_same_day", 1);
    count_is(total, "calls_offered", 25);
    count_is(total, "calls_answered", 24);
    count_is(total, "calls_answered_15s", 18);
    count_is(total, "wait_seconds_total", 300);
    count_is(total, "wait_samples", 24);

    kpi_is(total, "db51_2963.manual_answer_rate", 96.0, 0);
    kpi_is(total, "db51_2963.call_resolution_rate", 4.0, 0);
    kpi_is(total, "db51_2963.ticket_resolution_rate", 50.0, 0);
    kpi_is(total, "db51_2963.ticket_timely_resolution_rate", 50.0, 0);
    kpi_is(total, "db51_2963.avg_wait", 12.5, 1);
    kpi_is(total, "c12345.answer_timeliness", 75.0, 0);
    kpi_is(total, "c12345.transfer_timeliness", 100.0, 1);
    kpi_is(total, "c12345.on_time_reply_rate", 100.0, 1);
    kpi_is(total, "c12345.reasonable_request_satisfaction", 50.0, 0);
    kpi_is(total, "c12345.answer_rate", 100.0, 1);
    kpi_is(total, "c12345.redo_rate", 25.0, 0);
    kpi_is(total, "ningxia95198.ticket_return_rate", 25.0, 0);
    kpi_is(total, "c12345.sms_reply_rate", 100.0, 1);
    kpi_is(total, "c12345.callback_timeliness", 100.0, 1);
    kpi_is(total, "c12345.process_satisfaction", NAN, -1);
    assert_true(points_of(total, "db51_2963.manual_answer_rate") == 15.0);
    assert_true(points_of(total, "db51_2963.call_resolution_rate") == 0.0);
    assert_true(points_of(total, "db51_2963.ticket_resolution_rate") == 0.0);
    assert_true(points_of(total, "db51_2963.ticket_timely_resolution_rate") == 0.0);
    assert_true(points_of(total, "db51_2963.avg_wait") == 20.0);

    score = get(total, "score");
    assert_true(get(score, "total")->valuedouble == 35.0);
    assert_true(get(score, "max_total")->valuedouble == 100.0);
    assert_true(cJSON_IsFalse(get(score, "ranked_last")));
    parts = get(score, "parts");
    assert_int_equal(cJSON_GetArraySize(parts), 5);
    assert_true(get(find(parts, "id", "db51_2963.manual_answer_rate"), "points")->valuedouble
                == 15.0);
    assert_true(get(find(parts, "id", "db51_2963.avg_wait"), "points")->valuedouble == 20.0);
    http_reply_fini(&r);
}

/* Group by unit: water holds T2, T3 (after gas returned it) and T4; gas only returned T3;
 * edu holds T5. Centre-only counts are 0 in unit groups. */
static void
test_by_unit(void **state)
{
    struct fixture *f = *state;
    struct http_reply r;
    const cJSON *groups;
    const cJSON *g;

    stats(f, "?from=2026-03-01&to=2026-03-31&group=unit", &r);
    assert_string_equal(get(r.json, "group")->valuestring, "unit");
    groups = get(r.json, "groups");
    assert_int_equal(cJSON_GetArraySize(groups), 3);
    g = find(groups, "key", "water");
    assert_non_null(g);
    assert_string_equal(get(g, "label")->valuestring, "市自来水公司");
    count_is(g, "requests_total", 3);
    count_is(g, "work_orders", 3);
    count_is(g, "work_orders_resolved", 2);
    count_is(g, "returned", 0);
    count_is(g, "redo", 1);
    count_is(g, "replies_due", 2);
    count_is(g, "replies_on_time", 2);
    count_is(g, "callbacks_due", 2);
    count_is(g, "dispatch_due", 0);
    count_is(g, "calls_offered", 0);
    kpi_is(g, "db51_2963.ticket_resolution_rate", 100.0 * 2 / 3, 0);
    g = find(groups, "key", "gas");
    assert_non_null(g);
    assert_string_equal(get(g, "label")->valuestring, "市燃气集团");
    count_is(g, "requests_total", 1);
    count_is(g, "work_orders", 1);
    count_is(g, "returned", 1);
    count_is(g, "work_orders_resolved", 0);
    kpi_is(g, "ningxia95198.ticket_return_rate", 100.0, 0);
    g = find(groups, "key", "edu");
    assert_non_null(g);
    count_is(g, "requests_total", 1);
    count_is(g, "work_orders", 1);
    count_is(g, "work_orders_resolved", 0);
    /* the total is the same as without grouping */
    count_is(get(r.json, "total"), "requests_total", 5);
    count_is(get(r.json, "total"), "calls_offered", 25);
    http_reply_fini(&r);
}

/* Group by nature, category and agent. */
static void
test_other_groups(void **state)
{
    struct fixture *f = *state;
    struct http_reply r;
    const cJSON *groups;
    const cJSON *g;

    stats(f, "?from=2026-03-01&to=2026-03-31&group=nature", &r);
    groups = get(r.json, "groups");
    assert_int_equal(cJSON_GetArraySize(groups), 4);
    g = find(groups, "key", "help");
    assert_non_null(g);
    assert_string_equal(get(g, "label")->valuestring, "求助");
    count_is(g, "requests_total", 2);
    count_is(g, "work_orders", 2);
    count_is(g, "work_orders_resolved", 1);
    count_is(g, "callbacks_due", 1);
    count_is(g, "satisfied", 1);
    g = find(groups, "key", "report");
    assert_non_null(g);
    count_is(g, "redo", 1);
    count_is(g, "dissatisfied", 1);
    g = find(groups, "key", "consult");
    assert_non_null(g);
    count_is(g, "calls_resolved", 1);
    count_is(g, "calls_offered", 0);
    http_reply_fini(&r);

    stats(f, "?from=2026-03-01&to=2026-03-31&group=category", &r);
    groups = get(r.json, "groups");
    assert_int_equal(cJSON_GetArraySize(groups), 3);
    g = find(groups, "key", "urban.env");
    assert_non_null(g);
    assert_string_equal(get(g, "label")->valuestring, "城建环保");
    count_is(g, "requests_total", 3);
    g = find(groups, "key", "sci.edu.culture.health");
    assert_non_null(g);
    assert_string_equal(get(g, "label")->valuestring, "科教文卫");
    count_is(g, "requests_total", 1);
    assert_non_null(find(groups, "key", "other"));
    http_reply_fini(&r);

    /* agent1 took every ticket and answered every answered call */
    stats(f, "?from=2026-03-01&to=2026-03-31&group=agent", &r);
    groups = get(r.json, "groups");
    assert_int_equal(cJSON_GetArraySize(groups), 1);
    g = find(groups, "key", "agent1");
    assert_non_null(g);
    assert_string_equal(get(g, "label")->valuestring, "张三");
    count_is(g, "requests_total", 5);
    count_is(g, "calls_answered", 24);
    count_is(g, "calls_answered_15s", 18);
    count_is(g, "wait_seconds_total", 300);
    http_reply_fini(&r);
}

/* Periods: a day without anything; the default period (this month up to now); an instant
 * range; bad parameters; roles. */
static void
test_periods_and_errors(void **state)
{
    struct fixture *f = *state;
    struct http_reply r;
    const cJSON *total;

    /* 2026-03-05: only the 24 imported calls */
    stats(f, "?from=2026-03-05&to=2026-03-05", &r);
    total = get(r.json, "total");
    count_is(total, "calls_offered", 24);
    count_is(total, "calls_answered", 23);
    count_is(total, "requests_total", 0);
    kpi_is(total, "db51_2963.ticket_resolution_rate", NAN, -1);
    http_reply_fini(&r);
    /* default: from the first of the month to now */
    stats(f, "", &r);
    assert_string_equal(get(r.json, "from")->valuestring, "2026-03-01T00:00:00+08:00");
    count_is(get(r.json, "total"), "requests_total", 5);
    count_is(get(r.json, "total"), "calls_offered", 25);
    http_reply_fini(&r);
    /* instants: [09:00:00, 09:00:05) on 03-09 holds the event call's offer */
    stats(f, "?from=2026-03-09T09:00:00%2B08:00&to=2026-03-09T01:00:05Z", &r);
    count_is(get(r.json, "total"), "calls_offered", 1);
    count_is(get(r.json, "total"), "calls_answered", 1);
    http_reply_fini(&r);
    /* February holds the one record of 02-27 */
    stats(f, "?from=2026-02-01&to=2026-02-28", &r);
    count_is(get(r.json, "total"), "calls_offered", 1);
    http_reply_fini(&r);

    assert_int_equal(call_as(f, SUP, "GET", "/api/v1/stats?from=March", NULL, NULL, NULL, &r),
                     400);
    assert_error_reply(&r, 400, "invalid_parameter", "from");
    http_reply_fini(&r);
    assert_int_equal(call_as(f, SUP, "GET", "/api/v1/stats?from=2026-03-10&to=2026-03-01", NULL,
                             NULL, NULL, &r), 400);
    assert_error_reply(&r, 400, "invalid_parameter", "to");
    http_reply_fini(&r);
    assert_int_equal(call_as(f, SUP, "GET", "/api/v1/stats?from=2020-01-01&to=2026-03-01", NULL,
                             NULL, NULL, &r), 400);
    assert_error_reply(&r, 400, "invalid_parameter", "to");
    http_reply_fini(&r);
    assert_int_equal(call_as(f, SUP, "GET", "/api/v1/stats?group=shift", NULL, NULL, NULL, &r),
                     400);
    assert_error_reply(&r, 400, "invalid_parameter", "group");
    http_reply_fini(&r);
    assert_int_equal(call_as(f, AGENT, "GET", "/api/v1/stats", NULL, NULL, NULL, &r), 403);
    assert_error_reply(&r, 403, "forbidden_role", NULL);
    http_reply_fini(&r);
    assert_int_equal(call_as(f, U_WATER, "GET", "/api/v1/stats", NULL, NULL, NULL, &r), 403);
    http_reply_fini(&r);
    assert_int_equal(call_as(f, ADMIN, "GET", "/api/v1/stats", NULL, NULL, NULL, &r), 200);
    http_reply_fini(&r);
}

/* Number of entries of a member array. */
static int
count_of(const cJSON *o, const char *name)
{
    const cJSON *a = get(o, name);

    assert_true(cJSON_IsArray(a));
    return cJSON_GetArraySize(a);
}

/* GET /meta: every list of the reference data, the category tree, units, rules and
 * calendar; an ETag that If-None-Match turns into 304. */
static void
test_meta(void **state)
{
    struct fixture *f = *state;
    struct http_reply r;
    const cJSON *m;
    const cJSON *node;
    const cJSON *leaf;
    const cJSON *years;
    const cJSON *y;
    char inm[200];
    bool has2026 = false;

    assert_int_equal(call_as(f, AGENT, "GET", "/api/v1/meta", NULL, NULL, NULL, &r), 200);
    m = r.json;
    assert_string_equal(get(m, "profile")->valuestring, "12345");
    assert_string_equal(get(m, "tz")->valuestring, "Asia/Shanghai");
    assert_true(cJSON_IsString(get(m, "version")));
    assert_int_equal(count_of(m, "natures"), 9);
    node = find(get(m, "natures"), "code", "consult");
    assert_non_null(node);
    assert_string_equal(get(node, "label")->valuestring, "咨询");
    assert_int_equal(count_of(m, "channels"), 7);
    assert_int_equal(count_of(m, "statuses"), 8);
    assert_string_equal(get(find(get(m, "statuses"), "code", "dispatched"), "label")->valuestring,
                        "已转办");
    assert_int_equal(count_of(m, "urgencies"), 3);
    assert_int_equal(count_of(m, "flags"), 8);
    assert_string_equal(cJSON_GetArrayItem(get(m, "flags"), 0)->valuestring, "near_due");
    assert_int_equal(count_of(m, "kb_kinds"), 5);
    assert_string_equal(get(find(get(m, "kb_kinds"), "code", "notice"), "label")->valuestring,
                        "紧急公告");
    assert_int_equal(count_of(m, "actions"), 14);
    assert_string_equal(cJSON_GetArrayItem(get(m, "actions"), 0)->valuestring, "resolve_direct");

    assert_int_equal(count_of(m, "categories"), 9);
    node = find(get(m, "categories"), "code", "urban.env");
    assert_non_null(node);
    assert_string_equal(get(node, "label")->valuestring, "城建环保");
    assert_true(cJSON_IsString(get(node, "label_en")));
    assert_int_equal(count_of(node, "children"), 35);
    leaf = find(get(node, "children"), "code", "urban.env.water_supply");
    assert_non_null(leaf);
    assert_string_equal(get(leaf, "label")->valuestring, "供水");
    assert_true(cJSON_IsNull(get(leaf, "label_en")));
    assert_int_equal(count_of(leaf, "children"), 0);

    assert_int_equal(count_of(m, "units"), 3);
    assert_string_equal(get(find(get(m, "units"), "code", "water"), "name")->valuestring,
                        "市自来水公司");
    assert_true(cJSON_IsObject(get(m, "rules")));
    assert_non_null(cJSON_GetObjectItemCaseSensitive(get(m, "rules"), "processing"));
    assert_true(cJSON_IsString(get(get(m, "calendar"), "version")));
    years = get(get(m, "calendar"), "years");
    cJSON_ArrayForEach(y, years)
        has2026 = has2026 || y->valuedouble == 2026;
    assert_true(has2026);

    assert_true(r.etag[0] == '"');
    snprintf(inm, sizeof inm, "If-None-Match: %s", r.etag);
    http_reply_fini(&r);
    assert_int_equal(call_as(f, U_WATER, "GET", "/api/v1/meta", NULL, NULL, inm, &r), 304);
    assert_int_equal((int)r.body.len, 0);
    http_reply_fini(&r);
    assert_int_equal(call_as(f, U_WATER, "GET", "/api/v1/meta", NULL, NULL,
                             "If-None-Match: \"1\"", &r), 200);
    http_reply_fini(&r);
    assert_int_equal(http_get(f->h, "/api/v1/meta", &r), 401);
    http_reply_fini(&r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_month_total),
        cmocka_unit_test(test_by_unit),
        cmocka_unit_test(test_other_groups),
        cmocka_unit_test(test_periods_and_errors),
        cmocka_unit_test(test_meta),
    };

    return cmocka_run_group_tests(tests, start, fixture_stop);
}
