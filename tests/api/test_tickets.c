/* test_tickets: the ticket side of the API on a live hotlined: intake, every workflow
 * action, the rule refusals, the role matrix, masking and audit, idempotency, If-Match,
 * the feed, the flag sweep and a list of hostile requests.
 *
 * The server runs on its test clock (HOTLINED_FAKE_NOW, for tests only) so the rules
 * see a known instant: Tuesday 2026-11-24 10:00 in Asia/Shanghai. Tickets "in the
 * past" are made straight in the store with workflow_create/workflow_apply at past
 * instants, as demo data is. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hotline/calendar.h"
#include "hotline/codec.h"
#include "hotline/datetime.h"
#include "hotline/rules.h"
#include "hotline/tz.h"
#include "hotline/util.h"
#include "auth.h"
#include "feed.h"
#include "fixture.h"
#include "harness.h"
#include "server.h"
#include "store.h"
#include "workflow.h"

/* The password of every account. */
#define PW FIXTURE_PW
/* The server's test clock: a Tuesday morning. */
#define T0_TEXT FIXTURE_T0_TEXT
/* The late-night clock of the last test: New Year's Eve, in the quiet hours. */
#define NIGHT_TEXT "2026-12-31T22:30:00+08:00"

/* The world of fixture.c. */
static struct fixture_world *W;

/* ---- helpers: processes, tokens, requests ---- */

/* True when the ticket carries the named flag. */
static bool
has_flag(const cJSON *t, const char *flag)
{
    const cJSON *f;

    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(t, "flags")) {
        if (cJSON_IsString(f) && strcmp(f->valuestring, flag) == 0)
            return true;
    }
    return false;
}

/* Assert a workflow refusal: status, code (= field), rule (or null) and possible_from. */
static void
expect_refusal(const struct http_reply *r, long status, const char *code, const char *rule,
               bool has_possible_from)
{
    const cJSON *err;

    fixture_expect_error(r, status, code);
    err = cJSON_GetObjectItemCaseSensitive(r->json, "error");
    fixture_expect_str(err, "field", code);
    if (rule != NULL && strcmp(rule, "*") == 0)
        assert_non_null(fixture_js(err, "rule"));   /* some rule id */
    else if (rule != NULL)
        fixture_expect_str(err, "rule", rule);
    else
        assert_true(fixture_jnull(err, "rule"));
    if (has_possible_from)
        assert_non_null(fixture_js(err, "possible_from"));
    else
        assert_true(fixture_jnull(err, "possible_from"));
}

/* GET a ticket as who (must be 200); caller frees with cJSON_Delete. */
static cJSON *
fetch(enum who w, const char *id)
{
    struct http_reply r;
    char path[128];
    cJSON *t;

    snprintf(path, sizeof path, "/api/v1/tickets/%s", id);
    fixture_get_as(w, path, &r);
    if (r.status != 200)
        fail_msg("GET %s as %s: %ld %s", id, fixture_who_name[w], r.status, r.body.buf);
    t = r.json;
    r.json = NULL;
    http_reply_fini(&r);
    return t;
}

/* The instant of an RFC 3339 text (fails the test when it is none). */
static hl_time
instant(const char *s)
{
    hl_time t = 0;
    int offset;

    if (s == NULL || !datetime_parse_rfc3339(s, &t, &offset))
        fail_msg("not an instant: %s", s != NULL ? s : "(null)");
    return t;
}

/* ---- setup ---- */

/* Group setup: the world of fixture.c with its five accounts. */
static int
setup(void **state)
{
    return fixture_world_setup(state, NULL, 0, &W);
}

/* ---- the happy paths ---- */

/* Intake -> dispatch -> accept -> reply -> callback (closes) -> archive. */
static void
test_work_order_path(void **state)
{
    struct http_reply r;
    const char *inm[] = { "If-None-Match: \"1\"", NULL };
    char phone[32], id[32], path[128], loc[160], *body;
    const cJSON *ev;
    cJSON *t;
    const char *types[] = { "created", "dispatch", "accept", "reply", "callback", "archive" };
    size_t i = 0;

    (void)state;
    fixture_next_phone(phone, sizeof phone);
    body = fixture_create_body("complaint", phone, "\"complaint_level\":2");
    fixture_post_as(W_AGENT, "/api/v1/tickets", body, &r);
    free(body);
    assert_int_equal(r.status, 201);
    str_copy(id, sizeof id, fixture_js(r.json, "id"));
    /* the id carries the acceptance date of the server's clock */
    assert_int_equal(strncmp(id, "HL20261124-", 11), 0);
    assert_int_equal(strlen(id), 17);
    snprintf(loc, sizeof loc, "/api/v1/tickets/%s", id);
    assert_string_equal(r.location, loc);
    assert_string_equal(r.etag, "\"1\"");
    assert_int_equal(fixture_jint(r.json, "version"), 1);
    fixture_expect_str(r.json, "status", "accepted");
    fixture_expect_str(r.json, "created_by", "agent1");
    /* the server's clock started at T0 and runs on */
    assert_int_equal(strncmp(fixture_js(r.json, "created_at"), "2026-11-24T10:0", 15), 0);
    /* level 2 complaint: 24 hours */
    assert_int_equal(instant(fixture_js(r.json, "due_at")) - instant(fixture_js(r.json, "created_at")), 86400);
    fixture_expect_str(r.json, "due_rule", "12345:complaint.level2");
    http_reply_fini(&r);

    snprintf(path, sizeof path, "/api/v1/tickets/%s", id);
    fixture_get_as(W_AGENT, path, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.etag, "\"1\"");
    http_reply_fini(&r);
    fixture_req_as(W_AGENT, "GET", path, NULL, 0, inm, &r);
    assert_int_equal(r.status, 304);
    assert_string_equal(r.etag, "\"1\"");
    http_reply_fini(&r);

    fixture_act_ok(W_AGENT, id, "dispatch",
                   "{\"units\":[{\"unit\":\"water\",\"role\":\"lead\"},{\"unit\":\"gas\",\"role\":\"assist\"}],"
                   "\"note\":\"请核查\"}", "dispatched");
    fixture_act_ok(W_UNIT, id, "accept", NULL, "in_progress");
    fixture_act_ok(W_UNIT, id, "reply", "{\"reply\":\"已约谈组织者，音量已降低。\"}", "replied");
    t = fetch(W_AGENT, id);
    assert_true(fixture_jnull(t, "resolution"));   /* null while open */
    assert_non_null(fixture_js(t, "callback_due_at"));
    cJSON_Delete(t);
    fixture_act_ok(W_AGENT, id, "callback", "{\"outcome\":\"reached\",\"satisfaction\":\"satisfied\"}",
                   "closed");
    t = fetch(W_AGENT, id);
    fixture_expect_str(t, "resolution", "unit");
    assert_true(fixture_jnull(t, "callback_due_at"));
    cJSON_Delete(t);
    fixture_act(W_AGENT, id, "archive", "{}", &r);
    expect_refusal(&r, 403, "forbidden_role", NULL, false);
    http_reply_fini(&r);
    fixture_act_ok(W_SUP, id, "archive", "{}", "archived");

    t = fetch(W_AGENT, id);
    fixture_expect_str(t, "status", "archived");
    assert_int_equal(fixture_jint(t, "version"), 6);
    cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(t, "events")) {
        assert_true(i < ARRAY_SIZE(types));
        fixture_expect_str(ev, "type", types[i]);
        i++;
    }
    assert_int_equal(i, ARRAY_SIZE(types));
    cJSON_Delete(t);
}

/* A consult needs no callback: dispatch -> reply -> close -> archive; archived is read-only. */
static void
test_close_path(void **state)
{
    struct http_reply r;
    char id[32];
    cJSON *t;

    (void)state;
    fixture_create_ticket("consult", NULL, id);
    fixture_act_ok(W_AGENT, id, "dispatch", "{\"units\":[{\"unit\":\"water\",\"role\":\"lead\"}]}",
                   "dispatched");
    fixture_act_ok(W_UNIT, id, "reply", "{\"reply\":\"已答复。\"}", "replied");
    t = fetch(W_AGENT, id);
    assert_true(fixture_jnull(t, "callback_due_at"));
    cJSON_Delete(t);
    fixture_act(W_AGENT, id, "schedule_callback", "{\"at\":\"2026-11-24T15:00:00+08:00\"}", &r);
    expect_refusal(&r, 409, "callback_not_required", "12345:callback_required.consult", false);
    http_reply_fini(&r);
    fixture_act_ok(W_AGENT, id, "close", "{\"note\":\"已办结\"}", "closed");
    t = fetch(W_AGENT, id);
    fixture_expect_str(t, "resolution", "unit");
    assert_non_null(fixture_js(t, "closed_at"));
    cJSON_Delete(t);
    fixture_act_ok(W_ADMIN, id, "archive", NULL, "archived");
    fixture_act(W_AGENT, id, "close", "{}", &r);
    expect_refusal(&r, 409, "archived_read_only", NULL, false);
    http_reply_fini(&r);
    fixture_act(W_SUP, id, "reopen", "{\"reason\":\"x\"}", &r);
    expect_refusal(&r, 409, "archived_read_only", NULL, false);
    http_reply_fini(&r);
}

/* First contact: resolve_direct closes at once; reopen brings it back; withdrawal. */
static void
test_direct_answer(void **state)
{
    struct http_reply r;
    char id[32];
    cJSON *t;

    (void)state;
    fixture_create_ticket("consult", NULL, id);
    fixture_act_ok(W_AGENT, id, "resolve_direct",
                   "{\"answer\":\"社会生活噪声由属地街道办处理。\",\"kb_refs\":[\"KB-0012\"]}", "closed");
    t = fetch(W_AGENT, id);
    fixture_expect_str(t, "resolution", "direct");
    fixture_expect_str(t, "answer", "社会生活噪声由属地街道办处理。");
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(t, "kb_refs"), 0)
                            ->valuestring, "KB-0012");
    cJSON_Delete(t);
    fixture_act(W_AGENT, id, "reopen", "{\"reason\":\"来电人补充\"}", &r);
    expect_refusal(&r, 403, "forbidden_role", NULL, false);
    http_reply_fini(&r);
    fixture_act_ok(W_SUP, id, "reopen", "{\"reason\":\"来电人补充情况\"}", "accepted");
    fixture_act_ok(W_AGENT, id, "close", "{\"note\":\"来电人撤回\"}", "closed");
    t = fetch(W_AGENT, id);
    fixture_expect_str(t, "resolution", "withdrawn");
    cJSON_Delete(t);
}

/* PATCH edits the matter before dispatch; refused after. */
static void
test_patch(void **state)
{
    struct http_reply r;
    char id[32], path[128];
    cJSON *t;

    (void)state;
    fixture_create_ticket("complaint", NULL, id);
    snprintf(path, sizeof path, "/api/v1/tickets/%s", id);
    {
        const char *im[] = { "If-Match: \"1\"", NULL };

        fixture_req_as(W_AGENT, "PATCH", path, "{\"complaint_level\":3,\"title\":\"噪音（改）\"}", 0, im,
                       &r);
    }
    assert_int_equal(r.status, 200);
    assert_string_equal(r.etag, "\"2\"");
    fixture_expect_str(r.json, "title", "噪音（改）");
    /* the deadline follows the new level: 3 hours */
    assert_int_equal(instant(fixture_js(r.json, "due_at")) - instant(fixture_js(r.json, "created_at")), 3 * 3600);
    fixture_expect_str(r.json, "due_rule", "12345:complaint.level3");
    http_reply_fini(&r);
    fixture_act_ok(W_AGENT, id, "dispatch", "{\"units\":[{\"unit\":\"water\",\"role\":\"lead\"}]}",
                   "dispatched");
    {
        const char *im[] = { "If-Match: \"3\"", NULL };

        fixture_req_as(W_AGENT, "PATCH", path, "{\"title\":\"太晚\"}", 0, im, &r);
    }
    expect_refusal(&r, 409, "invalid_state", NULL, false);
    http_reply_fini(&r);
    t = fetch(W_AGENT, id);
    fixture_expect_str(t, "title", "噪音（改）");
    cJSON_Delete(t);
}

/* ---- rule refusals ---- */

/* invalid_state, urge_too_early, urge_limit, return_window_closed. */
static void
test_refusals_timing(void **state)
{
    struct http_reply r;
    const cJSON *err;
    char id[32], old[32], old2[32];
    hl_time sat = fixture_local(2026, 11, 21, 10, 0);

    (void)state;
    /* invalid_state: answering directly what is dispatched already */
    fixture_create_ticket("help", NULL, id);
    fixture_act_ok(W_AGENT, id, "dispatch",
                   "{\"units\":[{\"unit\":\"water\",\"role\":\"lead\"},{\"unit\":\"gas\",\"role\":\"assist\"}]}",
                   "dispatched");
    fixture_act(W_AGENT, id, "resolve_direct", "{\"answer\":\"x\",\"kb_refs\":[]}", &r);
    expect_refusal(&r, 409, "invalid_state", NULL, false);
    http_reply_fini(&r);
    fixture_act(W_UNIT, id, "reopen", "{\"reason\":\"x\"}", &r);
    expect_refusal(&r, 403, "forbidden_role", NULL, false);
    http_reply_fini(&r);
    /* urge_too_early: dispatched a moment ago; possible from half the period */
    fixture_act(W_AGENT, id, "urge", "{\"note\":\"请加快\"}", &r);
    expect_refusal(&r, 409, "urge_too_early", "12345:urge", true);
    err = cJSON_GetObjectItemCaseSensitive(r.json, "error");
    /* period Tue 10:00 .. Thu 23:59:59 (2 working days after Tuesday): half is about
     * 31 h later (the clock has run on a little since 10:00) */
    assert_int_equal(strncmp(fixture_js(err, "possible_from"), "2026-11-25T17:0", 15), 0);
    http_reply_fini(&r);
    /* an assist may return within its window */
    fixture_act_ok(W_UNIT_OTHER, id, "return", "{\"reason\":\"不属于本单位职责\"}", "dispatched");

    /* urge_limit: dispatched on Saturday, half the period is long gone on Tuesday */
    fixture_seed_ticket("help", NULL, sat, "{\"units\":[{\"unit\":\"water\",\"role\":\"lead\"}]}", sat,
                        old);
    fixture_act_ok(W_AGENT, old, "urge", "{\"note\":\"第一次催办\"}", "dispatched");
    fixture_act_ok(W_SUP, old, "urge", NULL, "dispatched");
    fixture_act(W_AGENT, old, "urge", "{\"note\":\"第三次\"}", &r);
    expect_refusal(&r, 409, "urge_limit", "12345:urge", false);
    http_reply_fini(&r);

    /* return_window_closed: 1 working day after Saturday 10:00 is Monday 10:00 */
    fixture_seed_ticket("help", NULL, sat, "{\"units\":[{\"unit\":\"water\",\"role\":\"lead\"}]}", sat,
                        old2);
    fixture_act(W_UNIT, old2, "return", "{\"reason\":\"不属于本单位\"}", &r);
    expect_refusal(&r, 409, "return_window_closed", "12345:return_window", false);
    http_reply_fini(&r);
    /* nothing changed (the flag sweep may have touched the flags, never the workflow) */
    {
        cJSON *t = fetch(W_AGENT, old2);

        assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(t, "events")), 2);
        fixture_expect_str(t, "status", "dispatched");
        assert_string_equal(fixture_js(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(t, "assignments"),
                                                  0), "state"), "dispatched");
        cJSON_Delete(t);
    }
}

/* extension_too_long, extension_pending, extension_needs_supervisor, extension_limit. */
static void
test_refusals_extension(void **state)
{
    struct http_reply r;
    char id[32];
    cJSON *t;

    (void)state;
    fixture_create_ticket("help", NULL, id);
    fixture_act_ok(W_AGENT, id, "dispatch", "{\"units\":[{\"unit\":\"water\",\"role\":\"lead\"}]}",
                   "dispatched");
    fixture_act(W_UNIT, id, "request_extension", "{\"days\":8,\"reason\":\"需协调\"}", &r);
    expect_refusal(&r, 409, "extension_too_long", "12345:extension", false);
    http_reply_fini(&r);
    fixture_act(W_UNIT, id, "request_extension", "{\"days\":0,\"reason\":\"需协调\"}", &r);
    fixture_expect_error(&r, 422, NULL);
    http_reply_fini(&r);
    fixture_act(W_AGENT, id, "decide_extension", "{\"approve\":true}", &r);
    expect_refusal(&r, 409, "extension_none_pending", "12345:extension", false);
    http_reply_fini(&r);
    fixture_act_ok(W_UNIT, id, "request_extension", "{\"days\":3,\"reason\":\"需协调供水公司\"}", NULL);
    fixture_act(W_UNIT, id, "request_extension", "{\"days\":2,\"reason\":\"再延\"}", &r);
    expect_refusal(&r, 409, "extension_pending", "12345:extension", false);
    http_reply_fini(&r);
    fixture_act(W_UNIT, id, "decide_extension", "{\"approve\":true}", &r);
    expect_refusal(&r, 403, "forbidden_role", NULL, false);
    http_reply_fini(&r);
    fixture_act_ok(W_AGENT, id, "decide_extension", "{\"approve\":true,\"note\":\"同意\"}", NULL);
    t = fetch(W_AGENT, id);
    /* Thu 23:59:59 + 3 calendar days */
    fixture_expect_str(t, "due_at", "2026-11-29T23:59:59+08:00");
    cJSON_Delete(t);
    fixture_act_ok(W_UNIT, id, "request_extension", "{\"days\":2,\"reason\":\"仍需协调\"}", NULL);
    fixture_act(W_AGENT, id, "decide_extension", "{\"approve\":true}", &r);
    expect_refusal(&r, 403, "extension_needs_supervisor", "12345:extension", false);
    http_reply_fini(&r);
    fixture_act_ok(W_SUP, id, "decide_extension", "{\"approve\":true}", NULL);
    fixture_act(W_UNIT, id, "request_extension", "{\"days\":1,\"reason\":\"第三次\"}", &r);
    expect_refusal(&r, 409, "extension_limit", "12345:extension", false);
    http_reply_fini(&r);
}

/* callback_too_soon, callback_quiet_hours (scheduling into the night), callback_not_due,
 * callback_needs_satisfaction. */
static void
test_refusals_callback(void **state)
{
    struct http_reply r;
    const cJSON *err;
    char id[32];

    (void)state;
    fixture_create_ticket("help", NULL, id);
    fixture_act_ok(W_AGENT, id, "dispatch", "{\"units\":[{\"unit\":\"water\",\"role\":\"lead\"}]}",
                   "dispatched");
    fixture_act_ok(W_UNIT, id, "reply", "{\"reply\":\"已修复。\"}", "replied");
    fixture_act(W_AGENT, id, "callback", "{\"outcome\":\"reached\"}", &r);
    fixture_expect_error(&r, 422, NULL);
    http_reply_fini(&r);
    fixture_act_ok(W_AGENT, id, "callback", "{\"outcome\":\"no_answer\",\"note\":\"无人接听\"}",
                   "callback");
    fixture_act(W_AGENT, id, "callback", "{\"outcome\":\"busy\"}", &r);
    expect_refusal(&r, 409, "callback_too_soon", "12345:callback_interval", true);
    err = cJSON_GetObjectItemCaseSensitive(r.json, "error");
    {
        cJSON *t = fetch(W_AGENT, id);
        const cJSON *cb = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(t, "callbacks"), 0);

        /* two hours after the first attempt */
        assert_int_equal(instant(fixture_js(err, "possible_from")) - instant(fixture_js(cb, "at")), 2 * 3600);
        cJSON_Delete(t);
    }
    http_reply_fini(&r);
    fixture_act(W_AGENT, id, "schedule_callback", "{\"at\":\"2026-11-24T22:30:00+08:00\"}", &r);
    expect_refusal(&r, 409, "callback_quiet_hours", "12345:callback_quiet_hours", true);
    err = cJSON_GetObjectItemCaseSensitive(r.json, "error");
    fixture_expect_str(err, "possible_from", "2026-11-25T08:00:00+08:00");
    http_reply_fini(&r);
    fixture_act(W_AGENT, id, "schedule_callback", "{\"at\":\"2026-11-20T15:00:00+08:00\"}", &r);
    fixture_expect_error(&r, 422, "callback_in_past");
    http_reply_fini(&r);
    fixture_act_ok(W_AGENT, id, "schedule_callback", "{\"at\":\"2026-11-24T16:00:00+08:00\"}",
                   "callback");
    fixture_act(W_AGENT, id, "callback", "{\"outcome\":\"no_answer\"}", &r);
    assert_int_equal(r.status, 409);
    http_reply_fini(&r);
}

/* ---- roles ---- */

/* One row of the role matrix: a request and what each kind of user gets. */
struct matrix_row {
    const char *method;
    const char *path;           /* "%s" is the ticket id */
    const char *body;
    char ticket;                /* 'D' dispatched to water, 'A' accepted, 0 none */
    bool if_match;              /* send the current ETag */
    long want[W_COUNT];         /* agent, unit, unit other, supervisor, admin, none, expired */
};

/* The role matrix over the ticket endpoints: ONE table. */
static void
test_role_matrix(void **state)
{
    static const struct matrix_row rows[] = {
        { "GET", "/api/v1/tickets/%s", NULL, 'D', false, { 200, 200, 404, 200, 200, 401, 401 } },
        { "HEAD", "/api/v1/tickets/%s", NULL, 'D', false, { 200, 200, 404, 200, 200, 401, 401 } },
        { "GET", "/api/v1/tickets?limit=5", NULL, 0, false, { 200, 200, 200, 200, 200, 401, 401 } },
        { "POST", "/api/v1/tickets", "CREATE", 0, false, { 201, 403, 403, 201, 201, 401, 401 } },
        { "PATCH", "/api/v1/tickets/%s", "{\"title\":\"改\"}", 'A', true,
          { 200, 403, 403, 200, 200, 401, 401 } },
        { "POST", "/api/v1/tickets/%s/urge", "{}", 'D', false, { 409, 403, 404, 409, 409, 401, 401 } },
        { "POST", "/api/v1/tickets/%s/supervise", "{\"note\":\"重点\"}", 'D', false,
          { 403, 403, 404, 200, 200, 401, 401 } },
        { "POST", "/api/v1/tickets/%s/dispatch", "{\"units\":[{\"unit\":\"gas\",\"role\":\"lead\"}]}",
          'D', false, { 409, 403, 404, 409, 409, 401, 401 } },
        { "POST", "/api/v1/tickets/%s/accept", NULL, 'D', false, { 403, 200, 404, 403, 403, 401, 401 } },
        { "GET", "/api/v1/callers/13700000009/tickets", NULL, 0, false,
          { 200, 200, 200, 200, 200, 401, 401 } },
        { "GET", "/api/v1/callbacks", NULL, 0, false, { 200, 403, 403, 200, 200, 401, 401 } },
        { "GET", "/api/v1/audit", NULL, 0, false, { 403, 403, 403, 200, 200, 401, 401 } },
        { "GET", "/api/v1/feed?wait=0", NULL, 0, false, { 200, 200, 200, 200, 200, 401, 401 } },
    };
    char d[32], a[32], path[160], etag_hdr[64];
    size_t i;
    int w;

    (void)state;
    fixture_create_ticket("help", NULL, d);
    fixture_act_ok(W_AGENT, d, "dispatch", "{\"units\":[{\"unit\":\"water\",\"role\":\"lead\"}]}",
                   "dispatched");
    fixture_create_ticket("help", NULL, a);
    for (i = 0; i < ARRAY_SIZE(rows); i++) {
        for (w = 0; w < W_COUNT; w++) {
            const struct matrix_row *row = &rows[i];
            const char *extra[] = { NULL, NULL };
            const char *body = row->body;
            char *create = NULL, phone[32];
            struct http_reply r;

            {
                /* the id goes where the pattern says %s */
                const char *pct = strstr(row->path, "%s");
                const char *tid = row->ticket == 'D' ? d : row->ticket == 'A' ? a : "";

                if (pct == NULL)
                    str_copy(path, sizeof path, row->path);
                else
                    snprintf(path, sizeof path, "%.*s%s%s", (int)(pct - row->path), row->path,
                             tid, pct + 2);
            }
            if (row->if_match) {
                cJSON *t = fetch(W_AGENT, a);

                snprintf(etag_hdr, sizeof etag_hdr, "If-Match: \"%ld\"", fixture_jint(t, "version"));
                extra[0] = etag_hdr;
                cJSON_Delete(t);
            }
            if (body != NULL && strcmp(body, "CREATE") == 0) {
                fixture_next_phone(phone, sizeof phone);
                create = fixture_create_body("help", phone, NULL);
                body = create;
            }
            fixture_req_as((enum who)w, row->method, path, body, 0, extra, &r);
            if (r.status != row->want[w])
                fail_msg("%s %s as %s: expected %ld, got %ld %s", row->method, path, fixture_who_name[w],
                         row->want[w], r.status, r.body.buf != NULL ? r.body.buf : "");
            if (r.status >= 400 && strcmp(row->method, "HEAD") != 0)
                fixture_expect_error(&r, r.status, NULL);
            if (w == W_UNIT_OTHER && r.status == 200 && r.body.buf != NULL)
                assert_null(strstr(r.body.buf, d));   /* never listed for another unit */
            http_reply_fini(&r);
            free(create);
        }
    }
}

/* ---- confidential callers ---- */

/* Units see a confidential caller masked, find it by no masked field; every read of it
 * is audited. */
static void
test_confidential(void **state)
{
    struct http_reply r;
    const cJSON *caller, *it;
    char id[32], path[200], phone[32];
    bool seen_unit = false, seen_agent = false;
    int n = 0;

    (void)state;
    fixture_create_confidential(W_AGENT, phone, sizeof phone, id);
    fixture_act_ok(W_AGENT, id, "dispatch", "{\"units\":[{\"unit\":\"water\",\"role\":\"lead\"}]}",
                   "dispatched");

    /* the unit: masked */
    snprintf(path, sizeof path, "/api/v1/tickets/%s", id);
    fixture_get_as(W_UNIT, path, &r);
    assert_int_equal(r.status, 200);
    caller = cJSON_GetObjectItemCaseSensitive(r.json, "caller");
    assert_true(fixture_jnull(caller, "name"));
    assert_true(fixture_jnull(caller, "phone"));
    assert_true(fixture_jnull(caller, "address"));
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(caller, "confidential")));
    assert_null(strstr(r.body.buf, phone));
    http_reply_fini(&r);
    /* in its list too */
    fixture_get_as(W_UNIT, "/api/v1/tickets?status=dispatched&limit=100", &r);
    assert_int_equal(r.status, 200);
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(r.json, "items")) {
        if (strcmp(fixture_js(it, "id"), id) == 0) {
            n++;
            assert_true(fixture_jnull(cJSON_GetObjectItemCaseSensitive(it, "caller"), "name"));
        }
    }
    assert_int_equal(n, 1);
    assert_null(strstr(r.body.buf, phone));
    http_reply_fini(&r);
    /* never found by a masked field */
    snprintf(path, sizeof path, "/api/v1/callers/%s/tickets", phone);
    fixture_get_as(W_UNIT, path, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.json, "items")), 0);
    http_reply_fini(&r);
    snprintf(path, sizeof path, "/api/v1/tickets?caller_phone=%s&count=1", phone);
    fixture_get_as(W_UNIT, path, &r);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.json, "items")), 0);
    assert_int_equal(fixture_jint(r.json, "total"), 0);
    http_reply_fini(&r);
    fixture_get_as(W_UNIT, "/api/v1/tickets?q=%E4%BF%9D%E5%AF%86%E4%BA%BA", &r);   /* 保密人 */
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.json, "items")), 0);
    http_reply_fini(&r);
    /* the agent: in clear, found by phone */
    snprintf(path, sizeof path, "/api/v1/callers/%s/tickets", phone);
    fixture_get_as(W_AGENT, path, &r);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.json, "items")), 1);
    http_reply_fini(&r);
    {
        cJSON *t = fetch(W_AGENT, id);

        fixture_expect_str(cJSON_GetObjectItemCaseSensitive(t, "caller"), "name", "保密人");
        cJSON_Delete(t);
    }
    /* the audit: both reads */
    snprintf(path, sizeof path, "/api/v1/audit?ticket=%s", id);
    fixture_get_as(W_SUP, path, &r);
    assert_int_equal(r.status, 200);
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(r.json, "items")) {
        fixture_expect_str(it, "ticket_id", id);
        assert_non_null(fixture_js(it, "at"));
        if (strcmp(fixture_js(it, "what"), "read_confidential") == 0) {
            seen_unit |= strcmp(fixture_js(it, "user_id"), "u_water") == 0;
            seen_agent |= strcmp(fixture_js(it, "user_id"), "agent1") == 0;
        }
    }
    assert_true(seen_unit);
    assert_true(seen_agent);
    assert_true(fixture_jnull(r.json, "next_cursor"));
    http_reply_fini(&r);
}

/* ---- idempotency and If-Match ---- */

/* The same key and body three times: one ticket; the key with another body: 422. */
static void
test_idempotency(void **state)
{
    const char *key[] = { "Idempotency-Key: 9b2f6f1e-3c1a-4c55-9d0e-1a7b5c2e8f40", NULL };
    struct http_reply r;
    char phone[32], id[32] = "", path[128], *body, *other;
    int i;

    (void)state;
    fixture_next_phone(phone, sizeof phone);
    body = fixture_create_body("help", phone, NULL);
    for (i = 0; i < 3; i++) {
        fixture_req_as(W_AGENT, "POST", "/api/v1/tickets", body, 0, key, &r);
        assert_int_equal(r.status, i == 0 ? 201 : 200);
        if (i == 0)
            str_copy(id, sizeof id, fixture_js(r.json, "id"));
        else
            fixture_expect_str(r.json, "id", id);
        assert_string_equal(r.etag, "\"1\"");
        http_reply_fini(&r);
    }
    snprintf(path, sizeof path, "/api/v1/callers/%s/tickets?count=1", phone);
    fixture_get_as(W_AGENT, path, &r);
    assert_int_equal(fixture_jint(r.json, "total"), 1);
    http_reply_fini(&r);
    other = fixture_create_body("help", phone, "\"urgency\":\"urgent\"");
    fixture_req_as(W_AGENT, "POST", "/api/v1/tickets", other, 0, key, &r);
    fixture_expect_error(&r, 422, "idempotency_key_reused");
    fixture_expect_str(cJSON_GetObjectItemCaseSensitive(r.json, "error"), "field", "Idempotency-Key");
    http_reply_fini(&r);
    fixture_get_as(W_AGENT, path, &r);
    assert_int_equal(fixture_jint(r.json, "total"), 1);
    http_reply_fini(&r);
    free(other);
    free(body);
}

/* A stale If-Match is 412 with the current ticket; nothing changes. No If-Match on
 * PATCH is 428. */
static void
test_if_match(void **state)
{
    const char *stale[] = { "If-Match: \"1\"", NULL };
    const cJSON *err, *cur;
    struct http_reply r;
    char id[32], path[128];
    cJSON *t;

    (void)state;
    fixture_create_ticket("help", NULL, id);
    snprintf(path, sizeof path, "/api/v1/tickets/%s", id);
    http_patch(W->h, path, "\"1\"", "{}", &r);   /* no token */
    assert_int_equal(r.status, 401);
    http_reply_fini(&r);
    fixture_req_as(W_AGENT, "PATCH", path, "{\"title\":\"第一版\"}", 0, stale, &r);
    assert_int_equal(r.status, 200);
    http_reply_fini(&r);
    fixture_req_as(W_AGENT, "PATCH", path, "{\"title\":\"覆盖\"}", 0, stale, &r);
    fixture_expect_error(&r, 412, "version_mismatch");
    err = cJSON_GetObjectItemCaseSensitive(r.json, "error");
    fixture_expect_str(err, "field", "If-Match");
    cur = cJSON_GetObjectItemCaseSensitive(err, "current");
    assert_int_equal(fixture_jint(cur, "version"), 2);
    fixture_expect_str(cur, "title", "第一版");
    assert_string_equal(r.etag, "\"2\"");
    http_reply_fini(&r);
    fixture_req_as(W_AGENT, "PATCH", path, "{\"title\":\"无条件\"}", 0, NULL, &r);
    fixture_expect_error(&r, 428, "precondition_required");
    http_reply_fini(&r);
    /* actions honour it too */
    snprintf(path, sizeof path, "/api/v1/tickets/%s/dispatch", id);
    fixture_req_as(W_AGENT, "POST", path, "{\"units\":[{\"unit\":\"water\",\"role\":\"lead\"}]}", 0,
                   stale, &r);
    fixture_expect_error(&r, 412, "version_mismatch");
    http_reply_fini(&r);
    t = fetch(W_AGENT, id);
    assert_int_equal(fixture_jint(t, "version"), 2);
    fixture_expect_str(t, "title", "第一版");
    fixture_expect_str(t, "status", "accepted");
    cJSON_Delete(t);
}

/* ---- flags: repeat caller and cluster ---- */

/* A second open ticket of a caller is repeat_caller; five callers on one place cluster
 * (all of them). */
static void
test_repeat_and_cluster(void **state)
{
    struct http_reply r;
    char phone[32], first[32] = "", *body;
    int i;

    (void)state;
    fixture_next_phone(phone, sizeof phone);
    body = fixture_create_body("help", phone, NULL);
    fixture_post_as(W_AGENT, "/api/v1/tickets", body, &r);
    assert_false(has_flag(r.json, "repeat_caller"));
    http_reply_fini(&r);
    fixture_post_as(W_AGENT, "/api/v1/tickets", body, &r);
    assert_int_equal(r.status, 201);
    assert_true(has_flag(r.json, "repeat_caller"));
    http_reply_fini(&r);
    free(body);
    for (i = 0; i < 5; i++) {
        fixture_next_phone(phone, sizeof phone);
        body = xasprintf("{\"channel\":\"phone\",\"caller\":{\"phone\":\"%s\"},\"nature\":\"complaint\","
                         "\"category\":\"urban.env.construction_noise\",\"description\":\"夜间施工\","
                         "\"location\":\"文化路夜市工地\"}", phone);
        fixture_post_as(W_AGENT, "/api/v1/tickets", body, &r);
        free(body);
        assert_int_equal(r.status, 201);
        if (i == 0)
            str_copy(first, sizeof first, fixture_js(r.json, "id"));
        assert_int_equal(has_flag(r.json, "cluster"), i == 4);
        http_reply_fini(&r);
    }
    {
        cJSON *t = fetch(W_AGENT, first);

        assert_true(has_flag(t, "cluster"));
        cJSON_Delete(t);
    }
    fixture_get_as(W_AGENT, "/api/v1/tickets?flag=cluster&category=urban.env.construction_noise&count=1", &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(fixture_jint(r.json, "total"), 5);
    http_reply_fini(&r);
}

/* ---- lists ---- */

/* Filters, order, cursor paging, counts; unit users are held to their unit. */
static void
test_lists(void **state)
{
    struct http_reply r;
    const cJSON *it;
    char path[512], cursor[600], ids[3][32];
    long total;
    int i, seen = 0;

    (void)state;
    for (i = 0; i < 3; i++)
        fixture_create_ticket("suggestion", NULL, ids[i]);
    fixture_get_as(W_AGENT, "/api/v1/tickets?nature=suggestion&count=1&limit=2", &r);
    assert_int_equal(r.status, 200);
    total = fixture_jint(r.json, "total");
    assert_int_equal(total, 3);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.json, "items")), 2);
    /* newest first */
    assert_string_equal(fixture_js(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r.json, "items"), 0),
                                   "id"), ids[2]);
    assert_non_null(fixture_js(r.json, "next_cursor"));
    snprintf(cursor, sizeof cursor, "%s", fixture_js(r.json, "next_cursor"));
    http_reply_fini(&r);
    {
        char *enc = curl_easy_escape(NULL, cursor, 0);

        snprintf(path, sizeof path, "/api/v1/tickets?nature=suggestion&limit=2&cursor=%s", enc);
        curl_free(enc);
    }
    fixture_get_as(W_AGENT, path, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.json, "items")), 1);
    assert_string_equal(fixture_js(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r.json, "items"), 0),
                                   "id"), ids[0]);
    assert_true(fixture_jnull(r.json, "next_cursor"));
    http_reply_fini(&r);
    /* mine, created_by, order=due, due_before, updated_since, q, category prefix */
    fixture_get_as(W_AGENT, "/api/v1/tickets?mine=1&nature=suggestion&order=due&due_before="
                    "2027-01-01T00:00:00%2B08:00&updated_since=2026-11-24T00:00:00Z"
                    "&category=urban.env.&q=%E5%B9%BF%E5%9C%BA%E8%88%9E&count=1", &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(fixture_jint(r.json, "total"), 3);
    http_reply_fini(&r);
    fixture_get_as(W_AGENT, "/api/v1/tickets?created_by=sup1&nature=suggestion&count=1", &r);
    assert_int_equal(fixture_jint(r.json, "total"), 0);
    http_reply_fini(&r);
    /* created_from/created_to: the three were accepted on 2026-11-24 after 10:00 (+08:00);
     * a date is a whole local day, an instant bound is exact (from inclusive, to exclusive) */
    {
        static const struct {
            const char *query;
            long total;
        } cases[] = {
            { "created_from=2026-11-24&created_to=2026-11-24", 3 },
            { "created_from=2026-11-24", 3 },
            { "created_to=2026-11-24", 3 },
            { "created_from=2026-11-25", 0 },
            { "created_to=2026-11-23", 0 },
            { "created_from=2026-11-24T00:00:00%2B08:00&created_to=2026-11-25T00:00:00%2B08:00",
              3 },
            { "created_from=2026-11-23T16:00:00Z", 3 },
            { "created_to=2026-11-24T10:00:00%2B08:00", 0 },
            { "created_from=2026-11-24T16:00:00Z", 0 },
        };
        size_t k;

        for (k = 0; k < ARRAY_SIZE(cases); k++) {
            snprintf(path, sizeof path, "/api/v1/tickets?nature=suggestion&count=1&%s",
                     cases[k].query);
            fixture_get_as(W_AGENT, path, &r);
            if (r.status != 200 || fixture_jint(r.json, "total") != cases[k].total)
                fail_msg("%s: %ld %s", cases[k].query, r.status,
                         r.body.buf != NULL ? r.body.buf : "");
            http_reply_fini(&r);
        }
    }
    /* a unit user asking for another unit still gets only its own */
    fixture_get_as(W_UNIT_OTHER, "/api/v1/tickets?unit=water&limit=100", &r);
    assert_int_equal(r.status, 200);
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(r.json, "items")) {
        const cJSON *as;
        bool gas = false;

        cJSON_ArrayForEach(as, cJSON_GetObjectItemCaseSensitive(it, "assignments"))
            gas |= strcmp(fixture_js(as, "unit"), "gas") == 0;
        assert_true(gas);
        seen++;
    }
    (void)seen;
    http_reply_fini(&r);
    /* the callback queue: soonest first, only replied/callback */
    fixture_get_as(W_AGENT, "/api/v1/callbacks?due_before=2027-01-01T00:00:00%2B08:00", &r);
    assert_int_equal(r.status, 200);
    {
        const char *prev = NULL;

        cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(r.json, "items")) {
            const char *st = fixture_js(it, "status");

            assert_true(strcmp(st, "replied") == 0 || strcmp(st, "callback") == 0);
            assert_non_null(fixture_js(it, "callback_due_at"));
            if (prev != NULL)
                assert_true(strcmp(prev, fixture_js(it, "callback_due_at")) <= 0);
            prev = fixture_js(it, "callback_due_at");
        }
    }
    http_reply_fini(&r);
}

/* ---- feed ---- */

/* A parked feed request of another console. */
struct waiter {
    struct http_client *c;
    char auth[160];
    char path[128];
    long long done_ms;
    struct http_reply r;
};

/* Thread: long-poll the feed until an answer carries a ticket.created (another change,
 * such as the flag sweep, may wake it first), at most 5 answers. */
static void *
waiter_main(void *arg)
{
    struct waiter *wt = arg;
    const char *headers[] = { wt->auth, NULL };
    int i;

    for (i = 0; i < 5; i++) {
        const cJSON *ev;
        long seq;

        http_client_request(wt->c, "GET", wt->path, headers, NULL, 0, &wt->r);
        wt->done_ms = harness_now_ms();
        if (wt->r.status != 200)
            return NULL;
        cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(wt->r.json, "events")) {
            const cJSON *type = cJSON_GetObjectItemCaseSensitive(ev, "type");

            if (cJSON_IsString(type) && strcmp(type->valuestring, "ticket.created") == 0)
                return NULL;
        }
        seq = (long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(wt->r.json, "seq"));
        snprintf(wt->path, sizeof wt->path, "/api/v1/feed?since=%ld&wait=20", seq);
        http_reply_fini(&wt->r);
    }
    return NULL;
}

/* A create wakes a parked feed request at once (well within 100 ms), with the event. */
static void
test_feed_wakes(void **state)
{
    struct waiter wt;
    struct http_reply r;
    pthread_t th;
    const cJSON *ev;
    long long start, created_ms;
    char id[32];
    long seq;
    bool found = false;

    (void)state;
    memset(&wt, 0, sizeof wt);
    fixture_get_as(W_AGENT, "/api/v1/feed", &r);
    assert_int_equal(r.status, 200);
    seq = fixture_jint(r.json, "seq");
    assert_true(seq >= 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.json, "events")), 0);
    http_reply_fini(&r);
    wt.c = http_client_new(W->h);
    snprintf(wt.auth, sizeof wt.auth, "Authorization: Bearer %s", W->tok[W_SUP]);
    snprintf(wt.path, sizeof wt.path, "/api/v1/feed?since=%ld&wait=20", seq);
    start = harness_now_ms();
    assert_int_equal(pthread_create(&th, NULL, waiter_main, &wt), 0);
    usleep(300 * 1000);
    {
        struct http_reply cr;
        char phone[32], *body;

        fixture_next_phone(phone, sizeof phone);
        body = fixture_create_body("help", phone, NULL);
        fixture_post_as(W_AGENT, "/api/v1/tickets", body, &cr);
        created_ms = harness_now_ms();
        assert_int_equal(cr.status, 201);
        str_copy(id, sizeof id, fixture_js(cr.json, "id"));
        http_reply_fini(&cr);
        free(body);
    }
    pthread_join(th, NULL);
    assert_int_equal(wt.r.status, 200);
    /* it was parked, and woke within 100 ms of the create's answer */
    assert_true(wt.done_ms - start >= 250);
    if (wt.done_ms - created_ms >= 100)
        fail_msg("the feed answered %lld ms after the create", wt.done_ms - created_ms);
    cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(wt.r.json, "events")) {
        if (fixture_js(ev, "ticket_id") != NULL && strcmp(fixture_js(ev, "ticket_id"), id) == 0) {
            fixture_expect_str(ev, "type", "ticket.created");
            assert_true(fixture_jnull(ev, "phone"));
            found = true;
        }
    }
    assert_true(found);
    assert_true(fixture_jint(wt.r.json, "seq") > seq);
    http_reply_fini(&wt.r);
    http_client_free(&wt.c);
}

/* Units receive only events of tickets dispatched to them. */
static void
test_feed_units(void **state)
{
    struct http_reply r;
    const cJSON *ev;
    char id[32], id2[32], path[96];
    long seq;
    bool saw = false;

    (void)state;
    fixture_get_as(W_UNIT_OTHER, "/api/v1/feed", &r);
    seq = fixture_jint(r.json, "seq");
    http_reply_fini(&r);
    fixture_create_ticket("help", NULL, id);
    fixture_act_ok(W_AGENT, id, "dispatch", "{\"units\":[{\"unit\":\"gas\",\"role\":\"lead\"}]}",
                   "dispatched");
    fixture_create_ticket("help", NULL, id2);
    fixture_act_ok(W_AGENT, id2, "dispatch", "{\"units\":[{\"unit\":\"water\",\"role\":\"lead\"}]}",
                   "dispatched");
    snprintf(path, sizeof path, "/api/v1/feed?since=%ld&wait=0", seq);
    fixture_get_as(W_UNIT_OTHER, path, &r);
    assert_int_equal(r.status, 200);
    cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(r.json, "events")) {
        const char *tid = fixture_js(ev, "ticket_id");

        assert_true(tid == NULL || strcmp(tid, id2) != 0);
        if (tid != NULL && strcmp(tid, id) == 0 && strcmp(fixture_js(ev, "action"), "dispatch") == 0)
            saw = true;
        assert_non_null(strstr(fixture_js(ev, "unit") != NULL ? fixture_js(ev, "unit") : "gas", "gas"));
    }
    assert_true(saw);
    http_reply_fini(&r);
}

/* ---- the flag sweep ---- */

/* An overdue ticket nobody touched gets its flag from the sweep, with a feed event. */
static void
test_sweep(void **state)
{
    struct server srv;
    struct http_reply r;
    const cJSON *ev;
    struct err e;
    char id[32], path[96];
    long seq;
    int changed;
    bool saw = false;
    cJSON *t;
    hl_time thu = fixture_local(2026, 11, 19, 10, 0);

    (void)state;
    err_clear(&e);
    fixture_get_as(W_AGENT, "/api/v1/feed", &r);
    seq = fixture_jint(r.json, "seq");
    http_reply_fini(&r);
    fixture_seed_ticket("help", NULL, thu, "{\"units\":[{\"unit\":\"water\",\"role\":\"lead\"}]}", thu, id);
    t = fetch(W_AGENT, id);
    assert_false(has_flag(t, "overdue"));
    cJSON_Delete(t);
    memset(&srv, 0, sizeof srv);
    srv.tz = W->tz;
    srv.calendar = W->cal;
    srv.rules = W->rules;
    srv.wf = W->wf;
    srv.store = W->st;
    srv.clock_skew = W->t0 - (hl_time)time(NULL);
    srv.feed = feed_new(0, &e);
    assert_non_null(srv.feed);
    changed = server_sweep_once(&srv, &e);
    if (changed < 0)
        fail_msg("sweep: %s", e.msg);
    feed_free(&srv.feed);
    t = fetch(W_AGENT, id);
    assert_true(has_flag(t, "overdue"));
    cJSON_Delete(t);
    /* a second sweep finds nothing new for it */
    snprintf(path, sizeof path, "/api/v1/feed?since=%ld&wait=0", seq);
    fixture_get_as(W_AGENT, path, &r);
    cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(r.json, "events")) {
        if (fixture_js(ev, "ticket_id") != NULL && strcmp(fixture_js(ev, "ticket_id"), id) == 0 &&
            fixture_js(ev, "action") != NULL && strcmp(fixture_js(ev, "action"), "reflag") == 0)
            saw = true;
    }
    assert_true(saw);
    http_reply_fini(&r);
}

/* ---- hostile and malformed requests ---- */

/* One bad request and the answer it must get. */
struct bad {
    const char *what;
    enum who who;
    const char *method;
    const char *path;
    const char *header;         /* one extra header line, or NULL */
    const char *body;           /* NULL: none */
    size_t len;                 /* 0: strlen(body) */
    long status;
    const char *code;           /* NULL: any code */
};

/* At least 30 malformed and hostile requests, each with its 4xx; the server stays up. */
static void
test_hostile(void **state)
{
#define C "{\"channel\":\"phone\",\"caller\":{\"phone\":\"13900000000\"},\"nature\":\"help\","
    static const char nul_body[] = C "\"description\":\"a\0b\"}";
    static const struct bad bads[] = {
        { "truncated JSON", W_AGENT, "POST", "/api/v1/tickets", NULL, C "\"description\":\"x", 0,
          400, "malformed_json" },
        { "invalid UTF-8", W_AGENT, "POST", "/api/v1/tickets", NULL, C "\"description\":\"\xff\xfe\"}",
          0, 400, "malformed_json" },
        { "overlong UTF-8", W_AGENT, "POST", "/api/v1/tickets", NULL,
          C "\"description\":\"\xc0\xaf\"}", 0, 400, "malformed_json" },
        { "NUL byte in the body", W_AGENT, "POST", "/api/v1/tickets", NULL, nul_body,
          sizeof nul_body - 1, 400, "malformed_json" },
        { "escaped NUL in a string", W_AGENT, "POST", "/api/v1/tickets", NULL,
          C "\"description\":\"a\\u0000b\"}", 0, 400, "malformed_json" },
        { "duplicate key", W_AGENT, "POST", "/api/v1/tickets", NULL,
          C "\"description\":\"a\",\"description\":\"b\"}", 0, 400, "malformed_json" },
        { "trailing data", W_AGENT, "POST", "/api/v1/tickets", NULL, C "\"description\":\"a\"} {}",
          0, 400, "malformed_json" },
        { "empty body", W_AGENT, "POST", "/api/v1/tickets", NULL, "", 0, 400, NULL },
        { "number with a leading zero", W_AGENT, "POST", "/api/v1/tickets", NULL,
          C "\"description\":\"a\",\"complaint_level\":01}", 0, 400, "malformed_json" },
        { "huge number", W_AGENT, "POST", "/api/v1/tickets", NULL,
          "{\"channel\":\"phone\",\"caller\":{\"phone\":\"13900000000\"},\"nature\":\"complaint\","
          "\"description\":\"a\",\"complaint_level\":1e400}", 0, 422, "invalid" },
        { "wrong type", W_AGENT, "POST", "/api/v1/tickets", NULL,
          "{\"channel\":5,\"nature\":\"help\",\"description\":\"a\"}", 0, 422, "invalid" },
        { "object for a string", W_AGENT, "POST", "/api/v1/tickets", NULL,
          C "\"description\":{\"a\":1}}", 0, 422, "invalid" },
        { "unknown field", W_AGENT, "POST", "/api/v1/tickets", NULL,
          C "\"description\":\"a\",\"is_admin\":true}", 0, 422, "invalid" },
        { "unknown enum", W_AGENT, "POST", "/api/v1/tickets", NULL,
          "{\"channel\":\"pigeon\",\"nature\":\"help\",\"description\":\"a\"}", 0, 422, "invalid" },
        { "array for the body", W_AGENT, "POST", "/api/v1/tickets", NULL, "[1,2,3]", 0, 422, NULL },
        { "SQL in a field is only text, but a bad phone is not", W_AGENT, "POST", "/api/v1/tickets",
          NULL, "{\"channel\":\"phone\",\"caller\":{\"phone\":\"1'; DROP TABLE tickets;--\"},"
          "\"nature\":\"help\",\"description\":\"a\"}", 0, 422, "invalid" },
        { "not JSON content type", W_AGENT, "POST", "/api/v1/tickets", "Content-Type: text/plain",
          C "\"description\":\"a\"}", 0, 415, "unsupported_media_type" },
        { "SQL metacharacters in an id", W_AGENT, "GET",
          "/api/v1/tickets/HL1%27%20OR%20%271%27%3D%271", NULL, NULL, 0, 404, "not_found" },
        { "almost an id", W_AGENT, "GET", "/api/v1/tickets/HL20261124-00001", NULL, NULL, 0, 404,
          "not_found" },
        { "unknown ticket", W_AGENT, "GET", "/api/v1/tickets/HL20261124-999999", NULL, NULL, 0, 404,
          "not_found" },
        { "path traversal", W_AGENT, "GET", "/api/v1/tickets/../../etc/passwd", NULL, NULL, 0, 400,
          NULL },
        { "encoded path traversal", W_AGENT, "GET", "/api/v1/tickets/..%2F..%2Fetc%2Fpasswd", NULL,
          NULL, 0, 400, NULL },
        { "NUL in the path", W_AGENT, "GET", "/api/v1/tickets/HL20261124-000001%00", NULL, NULL, 0,
          400, NULL },
        { "unknown action", W_AGENT, "POST", "/api/v1/tickets/HL20261124-000001/frobnicate", NULL,
          "{}", 0, 404, "not_found" },
        { "action on an unknown ticket", W_AGENT, "POST", "/api/v1/tickets/HL20261124-999999/urge",
          NULL, "{}", 0, 404, "not_found" },
        { "unknown field in an action", W_AGENT, "POST", "/api/v1/tickets/HL20261124-000001/urge",
          NULL, "{\"note\":\"x\",\"force\":true}", 0, 422, "invalid" },
        { "dispatch to a unit that does not exist", W_AGENT, "POST",
          "/api/v1/tickets/HL20261124-000001/dispatch", NULL,
          "{\"units\":[{\"unit\":\"x'; DROP TABLE units;--\",\"role\":\"lead\"}]}", 0, 422, "invalid" },
        { "two leads", W_AGENT, "POST", "/api/v1/tickets/HL20261124-000001/dispatch", NULL,
          "{\"units\":[{\"unit\":\"water\",\"role\":\"lead\"},{\"unit\":\"gas\",\"role\":\"lead\"}]}",
          0, 422, "invalid" },
        { "bad callback outcome", W_AGENT, "POST", "/api/v1/tickets/HL20261124-000001/callback",
          NULL, "{\"outcome\":\"maybe\"}", 0, 422, "invalid" },
        { "deep nesting in an action", W_AGENT, "POST", "/api/v1/tickets/HL20261124-000001/urge",
          NULL, "DEEP", 0, 400, "malformed_json" },
        { "PATCH without If-Match", W_AGENT, "PATCH", "/api/v1/tickets/HL20261124-000001", NULL,
          "{\"title\":\"x\"}", 0, 428, "precondition_required" },
        { "garbage If-Match", W_AGENT, "PATCH", "/api/v1/tickets/HL20261124-000001",
          "If-Match: yesterday", "{\"title\":\"x\"}", 0, 400, "invalid_header" },
        { "Idempotency-Key with a space", W_AGENT, "POST", "/api/v1/tickets",
          "Idempotency-Key: a b", C "\"description\":\"a\"}", 0, 400, "invalid_header" },
        { "overlong Idempotency-Key", W_AGENT, "POST", "/api/v1/tickets", "LONGKEY",
          C "\"description\":\"a\"}", 0, 400, NULL },
        { "overlong header", W_AGENT, "GET", "/api/v1/tickets/HL20261124-000001", "LONGHDR", NULL, 0,
          400, NULL },
        { "unknown query parameter", W_AGENT, "GET", "/api/v1/tickets?stat=open", NULL, NULL, 0, 400,
          "invalid_parameter" },
        { "limit 0", W_AGENT, "GET", "/api/v1/tickets?limit=0", NULL, NULL, 0, 400,
          "invalid_parameter" },
        { "limit 101", W_AGENT, "GET", "/api/v1/tickets?limit=101", NULL, NULL, 0, 400,
          "invalid_parameter" },
        { "limit not a number", W_AGENT, "GET", "/api/v1/tickets?limit=1;DROP", NULL, NULL, 0, 400,
          "invalid_parameter" },
        { "unknown status", W_AGENT, "GET", "/api/v1/tickets?status=open,closed", NULL, NULL, 0, 400,
          "invalid_parameter" },
        { "unknown flag", W_AGENT, "GET", "/api/v1/tickets?flag=urgent", NULL, NULL, 0, 400,
          "invalid_parameter" },
        { "not a phone", W_AGENT, "GET", "/api/v1/tickets?caller_phone=abc", NULL, NULL, 0, 400,
          "invalid_parameter" },
        { "not an instant", W_AGENT, "GET", "/api/v1/tickets?updated_since=yesterday", NULL, NULL, 0,
          400, "invalid_parameter" },
        { "created_from not a date", W_AGENT, "GET", "/api/v1/tickets?created_from=2026-02-30",
          NULL, NULL, 0, 400, "invalid_parameter" },
        { "created_to before created_from", W_AGENT, "GET",
          "/api/v1/tickets?created_from=2026-11-24&created_to=2026-11-23", NULL, NULL, 0, 400,
          "invalid_parameter" },
        { "forged cursor", W_AGENT, "GET", "/api/v1/tickets?cursor=%27%20OR%201%3D1%20--", NULL, NULL,
          0, 400, "invalid_parameter" },
        { "unknown order", W_AGENT, "GET", "/api/v1/tickets?order=random()", NULL, NULL, 0, 400,
          "invalid_parameter" },
        { "category with traversal", W_AGENT, "GET", "/api/v1/tickets?category=..%2F..%2F", NULL,
          NULL, 0, 400, "invalid_parameter" },
        { "control character in q", W_AGENT, "GET", "/api/v1/tickets?q=a%01b", NULL, NULL, 0, 400,
          NULL },
        { "repeated parameter", W_AGENT, "GET", "/api/v1/tickets?limit=1&limit=2", NULL, NULL, 0, 400,
          "invalid_parameter" },
        { "caller that is no phone", W_AGENT, "GET", "/api/v1/callers/not-a-phone/tickets", NULL,
          NULL, 0, 400, "invalid_parameter" },
        { "negative feed since", W_AGENT, "GET", "/api/v1/feed?since=-1", NULL, NULL, 0, 400,
          "invalid_parameter" },
        { "feed wait too long", W_AGENT, "GET", "/api/v1/feed?wait=1000", NULL, NULL, 0, 400,
          "invalid_parameter" },
        { "audit of a non-id", W_SUP, "GET", "/api/v1/audit?ticket=1%20OR%201", NULL, NULL, 0, 400,
          "invalid_parameter" },
        { "method not allowed", W_AGENT, "DELETE", "/api/v1/tickets", NULL, NULL, 0, 405, NULL },
        { "garbage token", W_NONE, "GET", "/api/v1/tickets", "Authorization: Bearer ' OR 1=1 --",
          NULL, 0, 401, NULL },
        { "text too long", W_AGENT, "POST", "/api/v1/tickets", NULL, "LONGTEXT", 0, 422, "invalid" },
    };
#undef C
    struct http_reply r;
    char *deep, *longkey, *longhdr, *longtext;
    size_t i, n4xx = 0;

    (void)state;
    /* 100 levels: deeper than CODEC_MAX_DEPTH */
    deep = calloc(1, 256);
    memset(deep, '[', 100);
    memset(deep + 100, ']', 100);
    longkey = calloc(1, 400);
    memcpy(longkey, "Idempotency-Key: ", 17);
    memset(longkey + 17, 'k', 300);
    longhdr = calloc(1, 9000);
    memcpy(longhdr, "If-None-Match: ", 15);
    memset(longhdr + 15, 'x', 8000);
    {
        struct strbuf sb;
        int k;

        strbuf_init(&sb);
        strbuf_adds(&sb, "{\"channel\":\"web\",\"nature\":\"help\",\"description\":\"");
        for (k = 0; k < 8001; k++)
            strbuf_adds(&sb, "字");
        strbuf_adds(&sb, "\"}");
        longtext = strbuf_detach(&sb);
    }
    for (i = 0; i < ARRAY_SIZE(bads); i++) {
        const struct bad *b = &bads[i];
        const char *body = b->body, *extra[] = { b->header, NULL };

        if (body != NULL && strcmp(body, "DEEP") == 0)
            body = deep;
        if (body != NULL && strcmp(body, "LONGTEXT") == 0)
            body = longtext;
        if (b->header != NULL && strcmp(b->header, "LONGKEY") == 0)
            extra[0] = longkey;
        if (b->header != NULL && strcmp(b->header, "LONGHDR") == 0)
            extra[0] = longhdr;
        if (b->header != NULL && strncmp(b->header, "Content-Type", 12) == 0) {
            /* send this content type instead of JSON */
            const char *headers[] = { NULL, b->header, NULL };
            char auth[160];

            snprintf(auth, sizeof auth, "Authorization: Bearer %s", W->tok[b->who]);
            headers[0] = auth;
            http_request(W->h, b->method, b->path, headers, body, strlen(body), &r);
        } else if (b->who == W_NONE && b->header != NULL) {
            http_request(W->h, b->method, b->path, extra, body, body != NULL ? strlen(body) : 0, &r);
        } else {
            fixture_req_as(b->who, b->method, b->path, body, b->len, extra, &r);
        }
        if (r.status != b->status)
            fail_msg("%s (%s %s): expected %ld, got %ld %s", b->what, b->method, b->path, b->status,
                     r.status, r.body.buf != NULL ? r.body.buf : r.error);
        fixture_expect_error(&r, b->status, b->code);
        n4xx += r.status >= 400 && r.status < 500;
        http_reply_fini(&r);
    }
    assert_true(n4xx >= 30);
    /* SQL in q is only text: an empty page, not an error */
    fixture_get_as(W_AGENT, "/api/v1/tickets?q=%27%20OR%20%271%27%3D%271%27%3B%20DROP%20TABLE%20tickets%3B--",
                   &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.json, "items")), 0);
    http_reply_fini(&r);
    fixture_get_as(W_AGENT, "/api/v1/tickets?q=%25%25_%5C", &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.json, "items")), 0);
    http_reply_fini(&r);
    /* still up, tables intact */
    http_get(W->h, "/api/v1/health", &r);
    assert_int_equal(r.status, 200);
    http_reply_fini(&r);
    fixture_get_as(W_AGENT, "/api/v1/tickets?limit=1", &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.json, "items")), 1);
    http_reply_fini(&r);
    free(deep);
    free(longkey);
    free(longhdr);
    free(longtext);
}

/* ---- the night clock ---- */

/* Keep the Warning header of a response. */
static size_t
warning_header(char *data, size_t size, size_t nmemb, void *arg)
{
    size_t n = size * nmemb;

    if (n > 8 && strncasecmp(data, "Warning:", 8) == 0)
        snprintf(arg, 256, "%.*s", (int)(n - 8), data + 8);
    return n;
}

/* Discard a body. */
static size_t
discard(char *data, size_t size, size_t nmemb, void *arg)
{
    (void)data;
    (void)arg;
    return size * nmemb;
}

/* On New Year's Eve at 22:30: a callback attempt is refused for the quiet hours, and a
 * deadline that runs into the next year (outside the calendar) comes with a Warning. */
static void
test_night_clock(void **state)
{
    struct http_reply r;
    const cJSON *err;
    char id[32], warning[256] = "", url[256], auth[160], phone[32], *body;
    struct curl_slist *hl = NULL;
    long status = 0;
    CURL *c;

    (void)state;
    fixture_create_ticket("help", NULL, id);
    fixture_act_ok(W_AGENT, id, "dispatch", "{\"units\":[{\"unit\":\"water\",\"role\":\"lead\"}]}",
                   "dispatched");
    fixture_act_ok(W_UNIT, id, "reply", "{\"reply\":\"已处理。\"}", "replied");
    harness_stop(W->h);
    setenv(SERVER_FAKE_NOW_ENV, NIGHT_TEXT, 1);
    harness_restart(W->h);
    /* sessions live on the server's clock: log in again five weeks later */
    W->now = instant(NIGHT_TEXT);
    fixture_login("agent1", W->tok[W_AGENT], sizeof W->tok[W_AGENT]);
    fixture_act(W_AGENT, id, "callback", "{\"outcome\":\"reached\",\"satisfaction\":\"satisfied\"}", &r);
    expect_refusal(&r, 409, "callback_quiet_hours", "12345:callback_quiet_hours", true);
    err = cJSON_GetObjectItemCaseSensitive(r.json, "error");
    assert_non_null(strstr(fixture_js(err, "possible_from"), "T08:00:00+08:00"));
    http_reply_fini(&r);

    fixture_next_phone(phone, sizeof phone);
    body = fixture_create_body("help", phone, NULL);
    c = curl_easy_init();
    snprintf(url, sizeof url, "%s/api/v1/tickets", W->h->base);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", W->tok[W_AGENT]);
    hl = curl_slist_append(hl, auth);
    hl = curl_slist_append(hl, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, warning_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, warning);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    assert_int_equal(status, 201);
    assert_non_null(strstr(warning, "299 hotlined \""));
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    free(body);
    /* back to the day clock for whoever runs next */
    harness_stop(W->h);
    setenv(SERVER_FAKE_NOW_ENV, T0_TEXT, 1);
    harness_restart(W->h);
    W->now = W->t0;
    fixture_login("agent1", W->tok[W_AGENT], sizeof W->tok[W_AGENT]);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_work_order_path),
        cmocka_unit_test(test_close_path),
        cmocka_unit_test(test_direct_answer),
        cmocka_unit_test(test_patch),
        cmocka_unit_test(test_refusals_timing),
        cmocka_unit_test(test_refusals_extension),
        cmocka_unit_test(test_refusals_callback),
        cmocka_unit_test(test_role_matrix),
        cmocka_unit_test(test_confidential),
        cmocka_unit_test(test_idempotency),
        cmocka_unit_test(test_if_match),
        cmocka_unit_test(test_repeat_and_cluster),
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_feed_wakes),
        cmocka_unit_test(test_feed_units),
        cmocka_unit_test(test_sweep),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_night_clock),
    };

    curl_global_init(CURL_GLOBAL_DEFAULT);
    return cmocka_run_group_tests(tests, setup, fixture_world_teardown);
}
