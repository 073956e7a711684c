/* test_calls: the phone system's API on a live hotlined: call events (the answer pops the
 * agent's intake through the feed, with the caller's number for that agent only) and
 * call-record imports as NDJSON or a JSON array. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hotline/tz.h"
#include "hotline/util.h"
#include "auth.h"
#include "fixture.h"
#include "harness.h"
#include "store.h"

#define PW "calls-tests-pw-1"

/* The unit of u_water, added with the accounts. */
static const struct fixture_unit units[] = {
    { "water", "市自来水公司" },
};

static const struct fixture_account accounts[] = {
    { "agent1", "张三", USER_AGENT, NULL },
    { "agent2", "李四", USER_AGENT, NULL },
    { "sup1", "王班长", USER_SUPERVISOR, NULL },
    { "pbx", "话务系统", USER_ADMIN, NULL },
    { "u_water", "水务接单员", USER_UNIT, "water" },
};

enum { AGENT1, AGENT2, SUP, PBX, UNIT };

/* Group setup: the server on the real clock, the accounts logged in. */
static int
start(void **state)
{
    struct fixture *f;

    f = fixture_start(state, NULL, units, ARRAY_SIZE(units), accounts, ARRAY_SIZE(accounts),
                      PW);
    fixture_login_all(f, accounts, ARRAY_SIZE(accounts), PW);
    return 0;
}

/* One request as account who with a body of content type ctype (NULL: no header). */
static long
call_as(struct fixture *f, int who, const char *method, const char *path, const char *ctype,
        const char *body, struct http_reply *r)
{
    char auth[256], ct[128];
    const char *hdr[3];
    int n = 0;

    snprintf(auth, sizeof auth, "Authorization: Bearer %s", f->tok[who]);
    hdr[n++] = auth;
    if (ctype != NULL) {
        snprintf(ct, sizeof ct, "Content-Type: %s", ctype);
        hdr[n++] = ct;
    }
    hdr[n] = NULL;
    return http_request(f->h, method, path, hdr, body, body != NULL ? strlen(body) : 0, r);
}

/* POST /calls with a JSON event as who. */
static long
event(struct fixture *f, int who, const char *json, struct http_reply *r)
{
    return call_as(f, who, "POST", "/api/v1/calls", "application/json", json, r);
}

/* The feed's position for who. */
static long long
feed_seq(struct fixture *f, int who)
{
    struct http_reply r;
    long long seq;

    assert_int_equal(call_as(f, who, "GET", "/api/v1/feed", NULL, NULL, &r), 200);
    seq = (long long)cJSON_GetObjectItemCaseSensitive(r.json, "seq")->valuedouble;
    http_reply_fini(&r);
    return seq;
}

/* The call.answer events after seq as who sees them; r keeps the document. */
static const cJSON *
answers_after(struct fixture *f, int who, long long seq, struct http_reply *r, int *n)
{
    char path[128];
    const cJSON *events;
    const cJSON *ev;
    const cJSON *last = NULL;

    snprintf(path, sizeof path, "/api/v1/feed?since=%lld&wait=0", seq);
    assert_int_equal(call_as(f, who, "GET", path, NULL, NULL, r), 200);
    events = cJSON_GetObjectItemCaseSensitive(r->json, "events");
    assert_true(cJSON_IsArray(events));
    *n = 0;
    cJSON_ArrayForEach(ev, events) {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(ev, "type");

        if (cJSON_IsString(type) && strcmp(type->valuestring, "call.answer") == 0) {
            last = ev;
            (*n)++;
        }
    }
    return last;
}

/* A new call, its answer by agent1 and the hangup: 204 each; the answer reaches agent1's
 * feed with the caller's number, other users' feeds without it. */
static void
test_answer_pops_intake(void **state)
{
    struct fixture *f = *state;
    struct http_reply r;
    const cJSON *ev;
    long long seq = feed_seq(f, AGENT1);
    int n = 0;

    assert_int_equal(event(f, PBX, "{\"call_id\":\"c-1\",\"type\":\"new_call\","
                                   "\"caller\":\"13812345678\",\"queue\":\"12345\","
                                   "\"at\":\"2026-11-22T09:14:20+08:00\"}", &r), 204);
    assert_int_equal((int)r.body.len, 0);
    http_reply_fini(&r);
    /* nothing to pop before the answer */
    ev = answers_after(f, AGENT1, seq, &r, &n);
    assert_int_equal(n, 0);
    http_reply_fini(&r);
    assert_int_equal(event(f, PBX, "{\"call_id\":\"c-1\",\"type\":\"answer\","
                                   "\"caller\":\"13812345678\",\"queue\":\"12345\","
                                   "\"agent\":\"agent1\",\"at\":\"2026-11-22T09:14:32+08:00\"}",
                           &r), 204);
    http_reply_fini(&r);

    ev = answers_after(f, AGENT1, seq, &r, &n);
    assert_int_equal(n, 1);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(ev, "agent")->valuestring, "agent1");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(ev, "phone")->valuestring,
                        "13812345678");
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(ev, "ticket_id")));
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(ev, "at")->valuestring,
                        "2026-11-22T09:14:32+08:00");
    http_reply_fini(&r);
    /* another agent and a supervisor see that agent1 took a call, not who called */
    ev = answers_after(f, AGENT2, seq, &r, &n);
    assert_int_equal(n, 1);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(ev, "agent")->valuestring, "agent1");
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(ev, "phone")));
    http_reply_fini(&r);
    ev = answers_after(f, SUP, seq, &r, &n);
    if (n > 0)
        assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(ev, "phone")));
    http_reply_fini(&r);
    ev = answers_after(f, UNIT, seq, &r, &n);
    if (n > 0)
        assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(ev, "phone")));
    http_reply_fini(&r);

    assert_int_equal(event(f, PBX, "{\"call_id\":\"c-1\",\"type\":\"hangup\","
                                   "\"at\":\"2026-11-22T09:19:05+08:00\"}", &r), 204);
    http_reply_fini(&r);
    /* a hangup pops nothing */
    ev = answers_after(f, AGENT1, seq, &r, &n);
    assert_int_equal(n, 1);
    http_reply_fini(&r);
}

/* An agent records its own call (new_call, answer, hangup naming itself): 204 each, and
 * its answer pops no intake (its console has the call open). (20 November: outside the
 * period test_import counts.) */
static void
test_agent_own_call(void **state)
{
    struct fixture *f = *state;
    struct http_reply r;
    long long seq = feed_seq(f, AGENT2);
    int n = 0;

    assert_int_equal(event(f, AGENT2, "{\"call_id\":\"a-1\",\"type\":\"new_call\","
                                      "\"caller\":\"13900001111\",\"agent\":\"agent2\","
                                      "\"at\":\"2026-11-20T10:00:00+08:00\"}", &r), 204);
    http_reply_fini(&r);
    assert_int_equal(event(f, AGENT2, "{\"call_id\":\"a-1\",\"type\":\"answer\","
                                      "\"caller\":\"13900001111\",\"agent\":\"agent2\","
                                      "\"at\":\"2026-11-20T10:00:00+08:00\"}", &r), 204);
    http_reply_fini(&r);
    assert_int_equal(event(f, AGENT2, "{\"call_id\":\"a-1\",\"type\":\"hangup\","
                                      "\"agent\":\"agent2\","
                                      "\"at\":\"2026-11-20T10:03:00+08:00\"}", &r), 204);
    http_reply_fini(&r);
    answers_after(f, AGENT2, seq, &r, &n);
    assert_int_equal(n, 0);
    http_reply_fini(&r);
}

/* Only the phone system's admin account sends any event, an agent only its own; bodies
 * are strict. */
static void
test_event_errors(void **state)
{
    struct fixture *f = *state;
    struct http_reply r;

    /* an agent's event without agent, or for another agent */
    assert_int_equal(event(f, AGENT1, "{\"call_id\":\"c-2\",\"type\":\"new_call\","
                                      "\"at\":\"2026-11-22T09:00:00+08:00\"}", &r), 403);
    assert_error_reply(&r, 403, "forbidden_role", NULL);
    http_reply_fini(&r);
    assert_int_equal(event(f, AGENT1, "{\"call_id\":\"c-2\",\"type\":\"answer\","
                                      "\"caller\":\"13812345678\",\"agent\":\"agent2\","
                                      "\"at\":\"2026-11-22T09:00:00+08:00\"}", &r), 403);
    assert_error_reply(&r, 403, "forbidden_role", NULL);
    http_reply_fini(&r);
    assert_int_equal(event(f, UNIT, "{\"call_id\":\"c-2\",\"type\":\"new_call\","
                                    "\"agent\":\"u_water\","
                                    "\"at\":\"2026-11-22T09:00:00+08:00\"}", &r), 403);
    assert_error_reply(&r, 403, "forbidden_role", NULL);
    http_reply_fini(&r);
    assert_int_equal(event(f, SUP, "{\"call_id\":\"c-2\",\"type\":\"new_call\","
                                   "\"at\":\"2026-11-22T09:00:00+08:00\"}", &r), 403);
    http_reply_fini(&r);
    /* an answer names its agent */
    assert_int_equal(event(f, PBX, "{\"call_id\":\"c-2\",\"type\":\"answer\","
                                   "\"at\":\"2026-11-22T09:00:00+08:00\"}", &r), 422);
    assert_error_reply(&r, 422, "invalid", "agent");
    http_reply_fini(&r);
    assert_int_equal(event(f, PBX, "{\"call_id\":\"c-2\",\"type\":\"ring\","
                                   "\"at\":\"2026-11-22T09:00:00+08:00\"}", &r), 422);
    assert_error_reply(&r, 422, "invalid", "type");
    http_reply_fini(&r);
    assert_int_equal(event(f, PBX, "{\"call_id\":\"c-2\",\"type\":\"new_call\","
                                   "\"at\":\"2026-11-22T09:00:00+08:00\",\"dtmf\":\"1\"}", &r),
                     422);
    assert_error_reply(&r, 422, "invalid", "dtmf");
    http_reply_fini(&r);
    assert_int_equal(event(f, PBX, "{\"call_id\":\"c-2\",", &r), 400);
    assert_error_reply(&r, 400, "malformed_json", NULL);
    http_reply_fini(&r);
    assert_int_equal(event(f, PBX, "{\"call_id\":\"a\",\"call_id\":\"b\",\"type\":\"new_call\","
                                   "\"at\":\"2026-11-22T09:00:00+08:00\"}", &r), 400);
    http_reply_fini(&r);
    /* NDJSON is for imports only */
    assert_int_equal(call_as(f, PBX, "POST", "/api/v1/calls", "application/x-ndjson",
                             "{\"call_id\":\"c-2\"}\n", &r), 415);
    assert_error_reply(&r, 415, "unsupported_media_type", NULL);
    http_reply_fini(&r);
    assert_int_equal(http_post(f->h, "/api/v1/calls", "{}", &r), 401);
    http_reply_fini(&r);
}

/* Value of an integer member. */
static int
int_of(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

    assert_true(cJSON_IsNumber(v));
    return (int)v->valuedouble;
}

/* NDJSON: good lines kept, blank lines skipped, CRLF accepted, each bad line reported
 * with its number; a JSON array reports positions; other types are 415. */
static void
test_import(void **state)
{
    static const char ndjson[] =
        "{\"call_id\":\"i-1\",\"caller\":\"13812345678\",\"queue\":\"12345\",\"agent\":\"agent1\","
        "\"offered_at\":\"2026-11-22T09:14:20+08:00\",\"answered_at\":\"2026-11-22T09:14:32+08:00\","
        "\"ended_at\":\"2026-11-22T09:19:05+08:00\"}\r\n"
        "\n"
        "{\"call_id\":\"i-2\",\"caller\":\"01088886666\",\"queue\":\"12345\",\"agent\":null,"
        "\"offered_at\":\"2026-11-22T09:15:01+08:00\",\"answered_at\":null,"
        "\"ended_at\":\"2026-11-22T09:15:40+08:00\"}\n"
        "{\"call_id\":\"i-3\",\"offered_at\":\"2026-11-22T09:20:00+08:00\","
        "\"ended_at\":\"2026-11-22T09:10:00+08:00\"}\n"
        "[1,2\n"
        "{\"call_id\":\"i-4\",\"offered_at\":\"2026-11-22T09:20:00+08:00\","
        "\"ended_at\":\"2026-11-22T09:21:00+08:00\",\"mood\":\"good\"}";
    static const char array[] =
        "[{\"call_id\":\"j-1\",\"offered_at\":\"2026-11-22T10:00:00+08:00\","
        "\"answered_at\":\"2026-11-22T10:00:05+08:00\",\"ended_at\":\"2026-11-22T10:01:00+08:00\"},"
        "{\"call_id\":\"j-2\"},"
        "{\"call_id\":\"j-3\",\"offered_at\":\"2026-11-22T10:02:00+08:00\","
        "\"answered_at\":null,\"ended_at\":\"2026-11-22T10:02:30+08:00\"}]";
    struct fixture *f = *state;
    struct http_reply r;
    const cJSON *errors;

    assert_int_equal(call_as(f, PBX, "POST", "/api/v1/calls/import", "application/x-ndjson",
                             ndjson, &r), 200);
    assert_int_equal(int_of(r.json, "added"), 2);
    errors = cJSON_GetObjectItemCaseSensitive(r.json, "errors");
    assert_int_equal(cJSON_GetArraySize(errors), 3);
    assert_int_equal(int_of(cJSON_GetArrayItem(errors, 0), "line"), 4);
    assert_non_null(strstr(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(errors, 0),
                                                           "message")->valuestring, "ended_at"));
    assert_int_equal(int_of(cJSON_GetArrayItem(errors, 1), "line"), 5);
    assert_int_equal(int_of(cJSON_GetArrayItem(errors, 2), "line"), 6);
    assert_non_null(strstr(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(errors, 2),
                                                           "message")->valuestring, "mood"));
    http_reply_fini(&r);
    /* the charset parameter is fine */
    assert_int_equal(call_as(f, PBX, "POST", "/api/v1/calls/import",
                             "application/x-ndjson; charset=utf-8", "\n\n", &r), 200);
    assert_int_equal(int_of(r.json, "added"), 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.json, "errors")), 0);
    http_reply_fini(&r);

    assert_int_equal(call_as(f, PBX, "POST", "/api/v1/calls/import", "application/json", array,
                             &r), 200);
    assert_int_equal(int_of(r.json, "added"), 2);
    errors = cJSON_GetObjectItemCaseSensitive(r.json, "errors");
    assert_int_equal(cJSON_GetArraySize(errors), 1);
    assert_int_equal(int_of(cJSON_GetArrayItem(errors, 0), "line"), 2);
    http_reply_fini(&r);
    assert_int_equal(call_as(f, PBX, "POST", "/api/v1/calls/import", "application/json",
                             "{\"call_id\":\"x\"}", &r), 422);
    http_reply_fini(&r);
    assert_int_equal(call_as(f, PBX, "POST", "/api/v1/calls/import", "text/plain", ndjson, &r),
                     415);
    assert_error_reply(&r, 415, "unsupported_media_type", NULL);
    http_reply_fini(&r);
    assert_int_equal(call_as(f, AGENT1, "POST", "/api/v1/calls/import", "application/x-ndjson",
                             ndjson, &r), 403);
    http_reply_fini(&r);

    /* the records count: 22 November holds i-1 (answered after 12 s), i-2 (abandoned),
     * j-1 (5 s), j-3 (abandoned) and the events' call c-1 (answered after 12 s) */
    assert_int_equal(call_as(f, SUP, "GET", "/api/v1/stats?from=2026-11-22&to=2026-11-22", NULL,
                             NULL, &r), 200);
    {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(r.json, "total"), "counts");

        assert_int_equal(int_of(c, "calls_offered"), 5);
        assert_int_equal(int_of(c, "calls_answered"), 3);
        assert_int_equal(int_of(c, "calls_answered_15s"), 3);
        assert_int_equal(int_of(c, "wait_seconds_total"), 12 + 5 + 12);
    }
    http_reply_fini(&r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answer_pops_intake),
        cmocka_unit_test(test_event_errors),
        cmocka_unit_test(test_agent_own_call),
        cmocka_unit_test(test_import),
    };

    return cmocka_run_group_tests(tests, start, fixture_stop);
}
