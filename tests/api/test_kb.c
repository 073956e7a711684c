/* test_kb: the knowledge base over HTTP on a live hotlined: Chinese search over the sample
 * articles (1-, 2- and many-character queries, title hits first, 【】 snippets, validity
 * dates), drafts hidden from agents, the draft -> review -> published flow, If-Match. */
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

/* Every account has this password. */
#define PW "kb-tests-pw-1"
/* The server's clock for these tests: a Thursday inside the validity of the sample
 * notice KB-0017 (停水, 2025-03-05..09) and before KB-0018, KB-0038 and KB-0040 start. */
#define FAKE_NOW "2025-03-06T10:00:00+08:00"

/* The unit of u_water, added with the accounts. */
static const struct fixture_unit units[] = {
    { "water", "市自来水公司" },
};

static const struct fixture_account accounts[] = {
    { "agent1", "张三", USER_AGENT, NULL },
    { "sup1", "王班长", USER_SUPERVISOR, NULL },
    { "admin1", "管理员", USER_ADMIN, NULL },
    { "u_water", "水务接单员", USER_UNIT, "water" },
};

enum { AGENT, SUP, ADMIN, UNIT };

/* Group setup: the server on the fake clock, accounts, the sample articles imported. */
static int
start(void **state)
{
    struct fixture *f;
    char path[1200], out[512], err[2048];
    const char *args[8];
    int rc;

    f = fixture_start(state, FAKE_NOW, units, ARRAY_SIZE(units), accounts, ARRAY_SIZE(accounts),
                      PW);
    snprintf(path, sizeof path, "%s/kb/articles.json", f->h->data);
    args[0] = "--db";
    args[1] = f->h->db;
    args[2] = "kb";
    args[3] = "import";
    args[4] = path;
    args[5] = NULL;
    rc = harness_run(args, out, sizeof out, err, sizeof err, 60000);
    if (rc != 0)
        fail_msg("kb import: exit %d: %s %s", rc, out, err);
    assert_non_null(strstr(out, "imported 40 articles"));
    fixture_login_all(f, accounts, ARRAY_SIZE(accounts), PW);
    return 0;
}

/* One request as account who, with a JSON body (may be NULL) and one extra header line
 * (may be NULL). */
static long
call(struct fixture *f, int who, const char *method, const char *path, const char *body,
     const char *extra, struct http_reply *r)
{
    char auth[256];
    const char *hdr[4];
    int n = 0;

    snprintf(auth, sizeof auth, "Authorization: Bearer %s", f->tok[who]);
    hdr[n++] = auth;
    if (body != NULL)
        hdr[n++] = "Content-Type: application/json";
    if (extra != NULL)
        hdr[n++] = extra;
    hdr[n] = NULL;
    return http_request(f->h, method, path, hdr, body, body != NULL ? strlen(body) : 0, r);
}

/* GET /api/v1/kb with q percent-encoded and more query text appended (may be ""). */
static long
search(struct fixture *f, int who, const char *q, const char *more, struct http_reply *r)
{
    char path[1024];
    char *esc = NULL;

    if (q != NULL) {
        CURL *c = curl_easy_init();

        esc = curl_easy_escape(c, q, 0);
        curl_easy_cleanup(c);
    }
    snprintf(path, sizeof path, "/api/v1/kb?%s%s%s", esc != NULL ? "q=" : "",
             esc != NULL ? esc : "", more);
    curl_free(esc);
    return call(f, who, "GET", path, NULL, NULL, r);
}

/* String member of an object (must be a string); borrowed. */
static const char *
str_of(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

    if (!cJSON_IsString(v))
        fail_msg("%s: not a string", name);
    return v->valuestring;
}

/* The items of a page; asserts the list shape. */
static const cJSON *
items_of(const struct http_reply *r)
{
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(r->json, "items");

    assert_true(cJSON_IsArray(items));
    assert_non_null(cJSON_GetObjectItemCaseSensitive(r->json, "next_cursor"));
    return items;
}

/* True when id is one of ids[0..n). */
static bool
one_of(const char *id, const char *const *ids, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (strcmp(id, ids[i]) == 0)
            return true;
    }
    return false;
}

/* Assert a result page: the title hits (any order) first, then the body hits (any order),
 * nothing else; every item is a search item with the match in 【】 in its snippet. */
static void
assert_ranked(const struct http_reply *r, const char *q, const char *const *title_hits,
              size_t nt, const char *const *body_hits, size_t nb)
{
    const cJSON *items = items_of(r);
    const cJSON *it;
    char mark[256];
    size_t i = 0;

    snprintf(mark, sizeof mark, "【%s】", q);
    assert_int_equal(cJSON_GetArraySize(items), (int)(nt + nb));
    cJSON_ArrayForEach(it, items) {
        const char *id = str_of(it, "id");

        if (i < nt) {
            if (!one_of(id, title_hits, nt))
                fail_msg("q=%s: item %zu is %s, expected a title hit", q, i, id);
            assert_non_null(strstr(str_of(it, "title"), q));
        } else if (!one_of(id, body_hits, nb)) {
            fail_msg("q=%s: item %zu is %s, expected a body hit", q, i, id);
        }
        if (strstr(str_of(it, "snippet"), mark) == NULL)
            fail_msg("q=%s: snippet of %s lacks %s: %s", q, id, mark, str_of(it, "snippet"));
        /* search items carry every article field; the body comes with GET /kb/{id} */
        assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(it, "body")));
        str_of(it, "kind");
        str_of(it, "scope");
        str_of(it, "valid_from");
        assert_non_null(cJSON_GetObjectItemCaseSensitive(it, "valid_to"));
        assert_non_null(cJSON_GetObjectItemCaseSensitive(it, "region"));
        assert_non_null(cJSON_GetObjectItemCaseSensitive(it, "category"));
        i++;
    }
}

/* One character: 气 is in six titles valid on 2025-03-06 and in the body of two more;
 * the notices KB-0038/KB-0040 (titles) and KB-0018 (body) are not valid yet for agents,
 * supervisors see them. */
static void
test_search_one_char(void **state)
{
    static const char *const agent_titles[] = {
        "KB-0031", "KB-0032", "KB-0033", "KB-0034", "KB-0035", "KB-0037",
    };
    static const char *const agent_bodies[] = { "KB-0036", "KB-0039" };
    static const char *const sup_titles[] = {
        "KB-0031", "KB-0032", "KB-0033", "KB-0034", "KB-0035", "KB-0037", "KB-0038", "KB-0040",
    };
    static const char *const sup_bodies[] = { "KB-0036", "KB-0039", "KB-0018" };
    struct fixture *f = *state;
    struct http_reply r;

    assert_int_equal(search(f, AGENT, "气", "", &r), 200);
    assert_ranked(&r, "气", agent_titles, 6, agent_bodies, 2);
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r.json, "next_cursor")));
    http_reply_fini(&r);
    assert_int_equal(search(f, SUP, "气", "", &r), 200);
    assert_ranked(&r, "气", sup_titles, 8, sup_bodies, 3);
    http_reply_fini(&r);
    /* a unit user sees what agents see */
    assert_int_equal(search(f, UNIT, "气", "", &r), 200);
    assert_ranked(&r, "气", agent_titles, 6, agent_bodies, 2);
    http_reply_fini(&r);
}

/* Two characters: 停水 finds the water-cut notice valid today; 停气 names a notice valid
 * only from 2025-05-18, invisible to agents and visible to supervisors. */
static void
test_search_two_chars(void **state)
{
    static const char *const water[] = { "KB-0017" };
    static const char *const gas[] = { "KB-0038" };
    struct fixture *f = *state;
    struct http_reply r;
    const cJSON *it;

    assert_int_equal(search(f, AGENT, "停水", "", &r), 200);
    assert_ranked(&r, "停水", water, 1, NULL, 0);
    it = cJSON_GetArrayItem(items_of(&r), 0);
    assert_string_equal(str_of(it, "kind"), "notice");
    assert_string_equal(str_of(it, "status"), "published");
    assert_string_equal(str_of(it, "valid_from"), "2025-03-05");
    assert_string_equal(str_of(it, "valid_to"), "2025-03-09");
    assert_string_equal(str_of(it, "region"), "示例市");
    assert_string_equal(str_of(it, "category"), "urban.env.water_supply");
    http_reply_fini(&r);
    assert_int_equal(search(f, AGENT, "停气", "", &r), 200);
    assert_int_equal(cJSON_GetArraySize(items_of(&r)), 0);
    http_reply_fini(&r);
    assert_int_equal(search(f, SUP, "停气", "", &r), 200);
    assert_ranked(&r, "停气", gas, 1, NULL, 0);
    http_reply_fini(&r);
}

/* Four and five characters (the trigram path): 单一窗口 is in two titles and five bodies;
 * 卡介质密码 only in the title of KB-0001. */
static void
test_search_long(void **state)
{
    static const char *const titles[] = { "KB-0001", "KB-0004" };
    static const char *const bodies[] = { "KB-0002", "KB-0005", "KB-0006", "KB-0008", "KB-0011" };
    static const char *const card[] = { "KB-0001" };
    struct fixture *f = *state;
    struct http_reply r;

    assert_int_equal(search(f, AGENT, "单一窗口", "", &r), 200);
    assert_ranked(&r, "单一窗口", titles, 2, bodies, 5);
    http_reply_fini(&r);
    assert_int_equal(search(f, AGENT, "卡介质密码", "", &r), 200);
    assert_ranked(&r, "卡介质密码", card, 1, NULL, 0);
    http_reply_fini(&r);
    /* surrounding blanks are not part of the query */
    assert_int_equal(search(f, AGENT, " 卡介质密码 ", "", &r), 200);
    assert_ranked(&r, "卡介质密码", card, 1, NULL, 0);
    http_reply_fini(&r);
}

/* Filters and pages: kind, scope, region, category prefix, limit and cursor. */
static void
test_search_filters(void **state)
{
    struct fixture *f = *state;
    struct http_reply r;
    const cJSON *items;
    const cJSON *it;
    const cJSON *cur;
    char more[512];
    int n = 0;

    /* the only notice valid on 2025-03-06 */
    assert_int_equal(search(f, AGENT, NULL, "kind=notice", &r), 200);
    items = items_of(&r);
    assert_int_equal(cJSON_GetArraySize(items), 1);
    assert_string_equal(str_of(cJSON_GetArrayItem(items, 0), "id"), "KB-0017");
    http_reply_fini(&r);
    /* gas articles of 山东省 */
    assert_int_equal(search(f, AGENT, "燃气", "&category=urban.env.&region=%E5%B1%B1%E4%B8%9C%E7%9C%81",
                            &r), 200);
    items = items_of(&r);
    assert_int_equal(cJSON_GetArraySize(items), 4);   /* KB-0031, 0033, 0035, 0039 */
    cJSON_ArrayForEach(it, items)
        assert_string_equal(str_of(it, "region"), "山东省");
    http_reply_fini(&r);
    /* of the seven 单一窗口 articles only KB-0011 (宁夏) is local */
    assert_int_equal(search(f, AGENT, "单一窗口", "&scope=local", &r), 200);
    items = items_of(&r);
    assert_int_equal(cJSON_GetArraySize(items), 1);
    assert_string_equal(str_of(cJSON_GetArrayItem(items, 0), "id"), "KB-0011");
    assert_string_equal(str_of(cJSON_GetArrayItem(items, 0), "scope"), "local");
    http_reply_fini(&r);
    /* 11 hits for a supervisor, in pages of 5 */
    assert_int_equal(search(f, SUP, "气", "&limit=5", &r), 200);
    assert_int_equal(cJSON_GetArraySize(items_of(&r)), 5);
    n += 5;
    for (;;) {
        CURL *c;
        char *esc;

        cur = cJSON_GetObjectItemCaseSensitive(r.json, "next_cursor");
        if (cJSON_IsNull(cur))
            break;
        assert_true(cJSON_IsString(cur));
        c = curl_easy_init();
        esc = curl_easy_escape(c, cur->valuestring, 0);
        curl_easy_cleanup(c);
        snprintf(more, sizeof more, "&limit=5&cursor=%s", esc);
        curl_free(esc);
        http_reply_fini(&r);
        assert_int_equal(search(f, SUP, "气", more, &r), 200);
        n += cJSON_GetArraySize(items_of(&r));
        assert_true(n <= 11);
    }
    http_reply_fini(&r);
    assert_int_equal(n, 11);
    /* bad parameters */
    assert_int_equal(search(f, AGENT, "气", "&limit=0", &r), 400);
    assert_error_reply(&r, 400, "invalid_parameter", "limit");
    http_reply_fini(&r);
    assert_int_equal(search(f, AGENT, "气", "&limit=101", &r), 400);
    http_reply_fini(&r);
    assert_int_equal(search(f, AGENT, NULL, "kind=poem", &r), 400);
    assert_error_reply(&r, 400, "invalid_parameter", "kind");
    http_reply_fini(&r);
    assert_int_equal(search(f, AGENT, NULL, "scope=global", &r), 400);
    assert_error_reply(&r, 400, "invalid_parameter", "scope");
    http_reply_fini(&r);
    assert_int_equal(search(f, AGENT, NULL, "category=a%20b", &r), 400);
    assert_error_reply(&r, 400, "invalid_parameter", "category");
    http_reply_fini(&r);
    assert_int_equal(search(f, AGENT, "气", "&cursor=garbage", &r), 400);
    assert_error_reply(&r, 400, "invalid_parameter", "cursor");
    http_reply_fini(&r);
    /* no token */
    assert_int_equal(http_get(f->h, "/api/v1/kb?q=x", &r), 401);
    http_reply_fini(&r);
}

/* GET /kb/{id}: the whole article with its ETag; a notice out of its validity dates is 404
 * for agents and units, not for supervisors. */
static void
test_get_article(void **state)
{
    struct fixture *f = *state;
    struct http_reply r;

    assert_int_equal(call(f, AGENT, "GET", "/api/v1/kb/KB-0001", NULL, NULL, &r), 200);
    assert_string_equal(str_of(r.json, "id"), "KB-0001");
    assert_string_equal(str_of(r.json, "title"), "单一窗口卡介质密码重置办理指引");
    assert_non_null(strstr(str_of(r.json, "body"), "卡介质"));
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r.json, "snippet")));
    assert_string_equal(r.etag, "\"1\"");
    http_reply_fini(&r);
    assert_int_equal(call(f, AGENT, "GET", "/api/v1/kb/KB-0040", NULL, NULL, &r), 404);
    assert_error_reply(&r, 404, "not_found", NULL);
    http_reply_fini(&r);
    assert_int_equal(call(f, UNIT, "GET", "/api/v1/kb/KB-0040", NULL, NULL, &r), 404);
    http_reply_fini(&r);
    assert_int_equal(call(f, SUP, "GET", "/api/v1/kb/KB-0040", NULL, NULL, &r), 200);
    http_reply_fini(&r);
    assert_int_equal(call(f, SUP, "GET", "/api/v1/kb/KB-9999", NULL, NULL, &r), 404);
    http_reply_fini(&r);
}

/* Assert a 412 version_mismatch naming If-Match, with the current article (its id and
 * version) as error.current. */
static void
assert_stale(const struct http_reply *r, const char *id, int version)
{
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(r->json, "error");
    const cJSON *cur = cJSON_GetObjectItemCaseSensitive(err, "current");

    if (r->status != 412)
        fail_msg("expected 412, got %ld: %s", r->status, strbuf_str(&r->body));
    assert_string_equal(str_of(err, "code"), "version_mismatch");
    assert_string_equal(str_of(err, "field"), "If-Match");
    assert_true(strlen(str_of(err, "message")) > 10);
    assert_string_equal(str_of(cur, "id"), id);
    assert_int_equal((int)cJSON_GetObjectItemCaseSensitive(cur, "version")->valuedouble, version);
    assert_string_equal(r->etag, version == 1 ? "\"1\"" : version == 2 ? "\"2\"" : "?");
}

/* The id of a 201 reply, checked against Location; owned. */
static char *
created_id(const struct http_reply *r)
{
    char loc[256];
    const char *id = str_of(r->json, "id");

    snprintf(loc, sizeof loc, "/api/v1/kb/%s", id);
    assert_string_equal(r->location, loc);
    return xstrdup(id);
}

/* POST /api/v1/kb/{id}/publish {"status": to} as account who. */
static long
publish(struct fixture *f, int who, const char *id, const char *to, struct http_reply *r)
{
    char path[256], body[128];

    snprintf(path, sizeof path, "/api/v1/kb/%s/publish", id);
    snprintf(body, sizeof body, "{\"status\":\"%s\"}", to);
    return call(f, who, "POST", path, body, NULL, r);
}

/* The feed's position now. */
static long long
feed_seq(struct fixture *f)
{
    struct http_reply r;
    long long seq;

    assert_int_equal(call(f, SUP, "GET", "/api/v1/feed", NULL, NULL, &r), 200);
    seq = (long long)cJSON_GetObjectItemCaseSensitive(r.json, "seq")->valuedouble;
    http_reply_fini(&r);
    return seq;
}

/* A draft is invisible to agents until it is published; the flow is draft -> review ->
 * published, back to draft from review or published, anything else 409; a publish
 * appends kb.published to the feed. */
static void
test_publish_flow(void **state)
{
    static const char draft[] =
        "{\"title\":\"社区集中供暖停暖应急处置口径\",\"kind\":\"业务知识\",\"scope\":\"local\","
        "\"region\":\"示例市\",\"category\":\"urban.env.heating\",\"tags\":[\"供暖\",\"停暖\"],"
        "\"body\":\"适用情形：小区突发停暖。\\n处置：登记地址与停暖时间，转供热单位办理。\","
        "\"valid_from\":\"2025-01-01\",\"valid_to\":null}";
    struct fixture *f = *state;
    struct http_reply r;
    const cJSON *ev;
    const cJSON *events;
    char path[256];
    char feed[300];
    char *id;
    long long seq;
    bool seen = false;

    /* only supervisors and admins write */
    assert_int_equal(call(f, AGENT, "POST", "/api/v1/kb", draft, NULL, &r), 403);
    assert_error_reply(&r, 403, "forbidden_role", NULL);
    http_reply_fini(&r);
    assert_int_equal(call(f, SUP, "POST", "/api/v1/kb", draft, NULL, &r), 201);
    assert_string_equal(str_of(r.json, "status"), "draft");
    assert_string_equal(str_of(r.json, "kind"), "knowledge");
    assert_string_equal(r.etag, "\"1\"");
    id = created_id(&r);
    http_reply_fini(&r);
    snprintf(path, sizeof path, "/api/v1/kb/%s", id);

    /* the draft: supervisors find it, agents do not */
    assert_int_equal(search(f, SUP, "停暖", "", &r), 200);
    assert_int_equal(cJSON_GetArraySize(items_of(&r)), 1);
    assert_string_equal(str_of(cJSON_GetArrayItem(items_of(&r), 0), "status"), "draft");
    http_reply_fini(&r);
    assert_int_equal(search(f, AGENT, "停暖", "", &r), 200);
    assert_int_equal(cJSON_GetArraySize(items_of(&r)), 0);
    http_reply_fini(&r);
    assert_int_equal(call(f, AGENT, "GET", path, NULL, NULL, &r), 404);
    http_reply_fini(&r);

    /* draft -> published skips review */
    assert_int_equal(publish(f, SUP, id, "published", &r), 409);
    assert_error_reply(&r, 409, "invalid_state", "status");
    http_reply_fini(&r);
    assert_int_equal(publish(f, AGENT, id, "review", &r), 403);
    http_reply_fini(&r);
    assert_int_equal(publish(f, SUP, id, "review", &r), 200);
    assert_string_equal(str_of(r.json, "status"), "review");
    assert_string_equal(r.etag, "\"2\"");
    http_reply_fini(&r);
    assert_int_equal(call(f, AGENT, "GET", path, NULL, NULL, &r), 404);
    http_reply_fini(&r);
    /* review -> review is no move */
    assert_int_equal(publish(f, SUP, id, "review", &r), 409);
    assert_error_reply(&r, 409, "invalid_state", "status");
    http_reply_fini(&r);

    seq = feed_seq(f);
    /* a stale If-Match is refused */
    snprintf(feed, sizeof feed, "%s/publish", path);
    assert_int_equal(call(f, SUP, "POST", feed,
                          "{\"status\":\"published\"}", "If-Match: \"1\"", &r), 412);
    assert_stale(&r, id, 2);
    http_reply_fini(&r);
    assert_int_equal(call(f, ADMIN, "POST", feed, "{\"status\":\"published\"}",
                          "If-Match: \"2\"", &r), 200);
    assert_string_equal(str_of(r.json, "status"), "published");
    http_reply_fini(&r);

    /* now agents see it, and the feed says so */
    assert_int_equal(call(f, AGENT, "GET", path, NULL, NULL, &r), 200);
    http_reply_fini(&r);
    assert_int_equal(search(f, AGENT, "停暖", "", &r), 200);
    assert_int_equal(cJSON_GetArraySize(items_of(&r)), 1);
    assert_non_null(strstr(str_of(cJSON_GetArrayItem(items_of(&r), 0), "snippet"), "【停暖】"));
    http_reply_fini(&r);
    snprintf(feed, sizeof feed, "/api/v1/feed?since=%lld&wait=0", seq);
    assert_int_equal(call(f, AGENT, "GET", feed, NULL, NULL, &r), 200);
    events = cJSON_GetObjectItemCaseSensitive(r.json, "events");
    assert_true(cJSON_IsArray(events));
    cJSON_ArrayForEach(ev, events) {
        if (strcmp(str_of(ev, "type"), "kb.published") == 0)
            seen = true;
    }
    if (!seen)
        fail_msg("no kb.published event after seq %lld: %s", seq, strbuf_str(&r.body));
    http_reply_fini(&r);

    /* published -> review is refused; withdrawing goes back to draft */
    assert_int_equal(publish(f, SUP, id, "review", &r), 409);
    http_reply_fini(&r);
    assert_int_equal(publish(f, SUP, id, "draft", &r), 200);
    assert_string_equal(str_of(r.json, "status"), "draft");
    http_reply_fini(&r);
    assert_int_equal(call(f, AGENT, "GET", path, NULL, NULL, &r), 404);
    http_reply_fini(&r);

    /* bodies are strict */
    snprintf(feed, sizeof feed, "%s/publish", path);
    assert_int_equal(call(f, SUP, "POST", feed, "{\"status\":\"done\"}", NULL, &r), 422);
    assert_error_reply(&r, 422, "invalid", "status");
    http_reply_fini(&r);
    assert_int_equal(call(f, SUP, "POST", feed, "{\"status\":\"review\",\"why\":1}", NULL, &r),
                     422);
    assert_error_reply(&r, 422, "invalid", "why");
    http_reply_fini(&r);
    assert_int_equal(call(f, SUP, "POST", feed, "{\"status\":", NULL, &r), 400);
    assert_error_reply(&r, 400, "malformed_json", NULL);
    http_reply_fini(&r);
    assert_int_equal(publish(f, SUP, "KB-9999", "review", &r), 404);
    http_reply_fini(&r);
    free(id);
}

/* POST with an id that exists is 409; a bad body 422. PATCH needs If-Match: 428 without,
 * 412 with a stale one (and the current article), 200 with the right one. */
static void
test_create_and_patch(void **state)
{
    struct fixture *f = *state;
    struct http_reply r;
    char *id;
    char path[256];
    char etag[64];

    assert_int_equal(call(f, SUP, "POST", "/api/v1/kb",
                          "{\"id\":\"KB-0001\",\"title\":\"重复\",\"kind\":\"guide\","
                          "\"scope\":\"national\",\"body\":\"x\"}", NULL, &r), 409);
    assert_error_reply(&r, 409, "already_exists", "id");
    http_reply_fini(&r);
    assert_int_equal(call(f, SUP, "POST", "/api/v1/kb",
                          "{\"title\":\"缺正文\",\"kind\":\"guide\",\"scope\":\"national\"}", NULL,
                          &r), 422);
    assert_error_reply(&r, 422, "invalid", "body");
    http_reply_fini(&r);
    assert_int_equal(call(f, SUP, "POST", "/api/v1/kb",
                          "{\"title\":\"多余字段\",\"kind\":\"guide\",\"scope\":\"national\","
                          "\"body\":\"x\",\"status\":\"published\"}", NULL, &r), 422);
    http_reply_fini(&r);
    assert_int_equal(call(f, ADMIN, "POST", "/api/v1/kb",
                          "{\"id\":\"LOCAL-7\",\"title\":\"自定义编号的文章\",\"kind\":\"spec\","
                          "\"scope\":\"national\",\"body\":\"正文\"}", NULL, &r), 201);
    id = created_id(&r);
    assert_string_equal(id, "LOCAL-7");
    http_reply_fini(&r);
    snprintf(path, sizeof path, "/api/v1/kb/%s", id);

    assert_int_equal(call(f, SUP, "PATCH", path, "{\"valid_to\":\"2026-12-31\"}", NULL, &r),
                     428);
    assert_error_reply(&r, 428, "precondition_required", "If-Match");
    http_reply_fini(&r);
    assert_int_equal(call(f, SUP, "PATCH", path, "{\"valid_to\":\"2026-12-31\"}",
                          "If-Match: \"7\"", &r), 412);
    assert_stale(&r, "LOCAL-7", 1);
    http_reply_fini(&r);
    assert_int_equal(call(f, SUP, "PATCH", path, "{\"valid_to\":\"2026-12-31\"}",
                          "If-Match: nonsense", &r), 400);
    http_reply_fini(&r);
    assert_int_equal(call(f, AGENT, "PATCH", path, "{\"valid_to\":\"2026-12-31\"}",
                          "If-Match: \"1\"", &r), 403);
    http_reply_fini(&r);
    assert_int_equal(call(f, SUP, "PATCH", path, "{\"valid_to\":\"2026-12-31\",\"tags\":[\"规范\"]}",
                          "If-Match: \"1\"", &r), 200);
    assert_string_equal(str_of(r.json, "valid_to"), "2026-12-31");
    assert_string_equal(r.etag, "\"2\"");
    str_copy(etag, sizeof etag, r.etag);
    http_reply_fini(&r);
    /* valid_to before valid_from, an unknown field, an empty patch: 422 and nothing changes */
    snprintf(etag, sizeof etag, "If-Match: \"2\"");
    assert_int_equal(call(f, SUP, "PATCH", path,
                          "{\"valid_from\":\"2027-01-01\"}", etag, &r), 422);
    http_reply_fini(&r);
    assert_int_equal(call(f, SUP, "PATCH", path, "{\"colour\":\"red\"}", etag, &r), 422);
    http_reply_fini(&r);
    assert_int_equal(call(f, SUP, "PATCH", path, "{}", etag, &r), 422);
    http_reply_fini(&r);
    assert_int_equal(call(f, SUP, "GET", path, NULL, NULL, &r), 200);
    assert_string_equal(r.etag, "\"2\"");
    assert_string_equal(str_of(r.json, "valid_from"), "2025-03-06");
    http_reply_fini(&r);
    free(id);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_search_one_char),
        cmocka_unit_test(test_search_two_chars),
        cmocka_unit_test(test_search_long),
        cmocka_unit_test(test_search_filters),
        cmocka_unit_test(test_get_article),
        cmocka_unit_test(test_publish_flow),
        cmocka_unit_test(test_create_and_patch),
    };

    return cmocka_run_group_tests(tests, start, fixture_stop);
}
