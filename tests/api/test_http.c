/* test_http: the HTTP foundation: request parsing and routing, then a live hotlined on
 * loopback: health, errors, body limits, keep-alive, the long-poll feed, shutdown. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "hotline/datetime.h"
#include "hotline/tz.h"
#include "hotline/util.h"
#include "auth.h"
#include "harness.h"
#include "http.h"
#include "log.h"
#include "store.h"
#include "request.h"
#include "router.h"
#include "store.h"

/* ---- request parsing, routing, replies (no server) ---- */

/* Parse target into req; assert success. */
static void
parse_ok(struct request *req, const char *target)
{
    struct err e;

    err_clear(&e);
    request_init(req);
    if (request_parse_target(req, target, &e) != HL_OK)
        fail_msg("'%s' should parse, got: %s", target, e.msg);
}

/* Assert that target is refused, naming field, with a message containing part. */
static void
parse_bad(const char *target, const char *field, const char *part)
{
    struct request req;
    struct err e;

    err_clear(&e);
    request_init(&req);
    if (request_parse_target(&req, target, &e) == HL_OK)
        fail_msg("'%s' should be refused", target);
    assert_string_equal(e.field, field);
    if (strstr(e.msg, part) == NULL)
        fail_msg("'%s': message \"%s\" lacks \"%s\"", target, e.msg, part);
    assert_null(req.path);
    assert_int_equal(req.nsegments, 0);
    assert_int_equal(req.nquery, 0);
    request_fini(&req);
}

/* Targets decode into path, segments and query; every unsafe form is refused. */
static void
test_parse_target(void **state)
{
    struct request req;
    char *long_target;
    size_t i;

    (void)state;
    parse_ok(&req, "/api/v1/health");
    assert_string_equal(req.path, "/api/v1/health");
    assert_int_equal(req.nsegments, 3);
    assert_string_equal(req.segments[0], "api");
    assert_string_equal(req.segments[2], "health");
    assert_int_equal(req.nquery, 0);
    request_fini(&req);

    parse_ok(&req, "/");
    assert_string_equal(req.path, "/");
    assert_int_equal(req.nsegments, 0);
    request_fini(&req);

    /* decoded segments; '+' is literal in a path; a trailing slash leaves an empty one */
    parse_ok(&req, "/api/v1/callers/%2B86%20138%2b/tickets/");
    assert_int_equal(req.nsegments, 6);
    assert_string_equal(req.segments[3], "+86 138+");
    assert_string_equal(req.segments[5], "");
    assert_string_equal(req.path, "/api/v1/callers/+86 138+/tickets/");
    request_fini(&req);

    parse_ok(&req, "/a+b/%E5%B7%A5%E5%8D%95");
    assert_string_equal(req.segments[0], "a+b");
    assert_string_equal(req.segments[1], "工单");
    request_fini(&req);

    /* query: decoded, '+' is a space, empty pieces skipped, a bare name has "" */
    parse_ok(&req, "/kb?q=%E5%99%AA%E9%9F%B3+a&&limit=5&flag&q=second&");
    assert_int_equal(req.nquery, 4);
    assert_string_equal(req.query[0].name, "q");
    assert_string_equal(req.query[0].value, "噪音 a");
    assert_string_equal(request_query(&req, "q"), "噪音 a");   /* the first one */
    assert_string_equal(request_query(&req, "limit"), "5");
    assert_string_equal(request_query(&req, "flag"), "");
    assert_null(request_query(&req, "cursor"));
    assert_string_equal(req.query[3].value, "second");
    assert_string_equal(req.path, "/kb");
    request_fini(&req);

    parse_ok(&req, "/x?a=b=c");
    assert_string_equal(request_query(&req, "a"), "b=c");
    request_fini(&req);

    parse_bad("/api/%zz", "path", "malformed percent-encoding");
    parse_bad("/api/%4", "path", "malformed percent-encoding");
    parse_bad("/api/a%", "path", "malformed percent-encoding");
    parse_bad("/..", "path", "dot segments");
    parse_bad("/api/../etc", "path", "segment 2 is '..'");
    parse_bad("/api/%2e%2E/x", "path", "'..'");
    parse_bad("/./a", "path", "'.'");
    parse_bad("/a%00b", "path", "NUL");
    parse_bad("/a%2Fb", "path", "encoded '/'");
    parse_bad("/a%0Ab", "path", "control character");
    parse_bad("/a%7F", "path", "control character");
    parse_bad("/%FF", "path", "UTF-8");
    parse_bad("/%C0%AF", "path", "UTF-8");   /* overlong '/' */
    parse_bad("api/v1", "path", "starting with '/'");
    parse_bad("", "path", "starting with '/'");
    parse_bad("http://example.com/api", "path", "starting with '/'");
    parse_bad("/a#frag", "path", "'#'");
    parse_bad("/x?=1", "query", "no name");
    parse_bad("/x?q=%zz", "q", "query parameter 'q' has a malformed");
    parse_bad("/x?q=a%00", "q", "NUL");
    parse_bad("/x?%FF=1", "query", "UTF-8");
    parse_bad("/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17", "path", "more than 16 segments");

    /* 16 segments pass; a segment of 200 bytes passes, 201 does not */
    parse_ok(&req, "/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16");
    assert_int_equal(req.nsegments, 16);
    request_fini(&req);
    long_target = malloc(REQUEST_TARGET_MAX + 16);
    long_target[0] = '/';
    memset(long_target + 1, 'a', 200);
    long_target[201] = '\0';
    parse_ok(&req, long_target);
    assert_int_equal(strlen(req.segments[0]), 200);
    request_fini(&req);
    long_target[201] = 'a';
    long_target[202] = '\0';
    parse_bad(long_target, "path", "longer than 200 bytes");
    /* an encoded segment counts decoded bytes: 66 x "%E5%B7%A5" = 198 bytes */
    str_copy(long_target, REQUEST_TARGET_MAX, "/");
    for (i = 0; i < 66; i++)
        str_append(long_target, REQUEST_TARGET_MAX, "%E5%B7%A5");
    parse_ok(&req, long_target);
    assert_int_equal(strlen(req.segments[0]), 198);
    request_fini(&req);
    /* a target over 8192 bytes */
    memset(long_target, 'a', REQUEST_TARGET_MAX + 1);
    long_target[0] = '/';
    long_target[REQUEST_TARGET_MAX + 1] = '\0';
    parse_bad(long_target, "path", "longer than 8192 bytes");
    /* 32 query parameters pass, 33 do not; a value of 4097 bytes does not */
    str_copy(long_target, REQUEST_TARGET_MAX, "/x?");
    for (i = 0; i < 32; i++)
        str_append(long_target, REQUEST_TARGET_MAX, "p=1&");
    parse_ok(&req, long_target);
    assert_int_equal(req.nquery, 32);
    request_fini(&req);
    str_append(long_target, REQUEST_TARGET_MAX, "p=1");
    parse_bad(long_target, "query", "more than 32 parameters");
    str_copy(long_target, REQUEST_TARGET_MAX, "/x?q=");
    memset(long_target + 5, 'v', 4097);
    long_target[5 + 4097] = '\0';
    parse_bad(long_target, "q", "longer than 4096 bytes");
    free(long_target);
}

/* Method names map to the enum and back. */
static void
test_methods(void **state)
{
    (void)state;
    assert_int_equal(request_method_parse("GET"), HTTP_GET);
    assert_int_equal(request_method_parse("PATCH"), HTTP_PATCH);
    assert_int_equal(request_method_parse("get"), HTTP_OTHER);
    assert_int_equal(request_method_parse("BREW"), HTTP_OTHER);
    assert_int_equal(request_method_parse(NULL), HTTP_OTHER);
    assert_string_equal(request_method_str(HTTP_DELETE), "DELETE");
}

/* Handlers for the router tests: they only need to be distinct. */
static void
h_one(struct server *srv, struct request *req, struct reply *rep)
{
    (void)srv;
    (void)req;
    reply_text(rep, 200, "one");
}

/* A second handler for the router tests. */
static void
h_two(struct server *srv, struct request *req, struct reply *rep)
{
    (void)srv;
    (void)req;
    reply_text(rep, 200, "two");
}

static const struct route test_routes[] = {
    { HTTP_GET, "/api/v1/tickets", h_one, 0 },
    { HTTP_POST, "/api/v1/tickets", h_two, 0 },
    { HTTP_GET, "/api/v1/tickets/{id}", h_one, 0 },
    { HTTP_PATCH, "/api/v1/tickets/{id}", h_two, 0 },
    { HTTP_POST, "/api/v1/tickets/{id}/{action}", h_two, 0 },
    { HTTP_GET, "/api/v1/callers/{phone}/tickets", h_one, ROUTE_PRIVATE_PATH },
};

/* Route method + target against test_routes. */
static enum router_status
route(struct request *req, enum http_method m, const char *target, const struct route **r,
      char *allow, size_t allowsz)
{
    parse_ok(req, target);
    req->method = m;
    return router_match(test_routes, ARRAY_SIZE(test_routes), req, r, allow, allowsz);
}

/* Patterns match, capture parameters, answer 404, 405 with Allow, and refuse bad segments. */
static void
test_router(void **state)
{
    struct request req;
    const struct route *r;
    char allow[64], why[160];

    (void)state;
    assert_int_equal(route(&req, HTTP_GET, "/api/v1/tickets", &r, allow, sizeof allow),
                     ROUTER_FOUND);
    assert_ptr_equal(r, &test_routes[0]);
    assert_int_equal(req.nparams, 0);
    request_fini(&req);

    assert_int_equal(route(&req, HTTP_POST, "/api/v1/tickets/HL20261122-000042/dispatch?x=1",
                           &r, allow, sizeof allow), ROUTER_FOUND);
    assert_ptr_equal(r, &test_routes[4]);
    assert_int_equal(req.nparams, 2);
    assert_string_equal(request_param(&req, "id"), "HL20261122-000042");
    assert_string_equal(request_param(&req, "action"), "dispatch");
    assert_null(request_param(&req, "phone"));
    request_fini(&req);

    /* HEAD is served by the GET route */
    assert_int_equal(route(&req, HTTP_HEAD, "/api/v1/tickets/HL1", &r, allow, sizeof allow),
                     ROUTER_FOUND);
    assert_ptr_equal(r, &test_routes[2]);
    request_fini(&req);

    assert_int_equal(route(&req, HTTP_DELETE, "/api/v1/tickets/HL1", &r, allow, sizeof allow),
                     ROUTER_METHOD_NOT_ALLOWED);
    assert_null(r);
    assert_string_equal(allow, "GET, HEAD, PATCH");
    assert_int_equal(req.nparams, 0);
    request_fini(&req);

    assert_int_equal(route(&req, HTTP_GET, "/api/v1/tickets/HL1/close", &r, allow, sizeof allow),
                     ROUTER_METHOD_NOT_ALLOWED);
    assert_string_equal(allow, "POST");
    request_fini(&req);

    /* unknown paths, a trailing slash, an empty capture, a longer path */
    assert_int_equal(route(&req, HTTP_GET, "/api/v1/nothing", &r, allow, sizeof allow),
                     ROUTER_NOT_FOUND);
    assert_string_equal(allow, "");
    request_fini(&req);
    assert_int_equal(route(&req, HTTP_GET, "/api/v1/tickets/", &r, allow, sizeof allow),
                     ROUTER_NOT_FOUND);
    request_fini(&req);
    assert_int_equal(route(&req, HTTP_GET, "/api/v1/callers//tickets", &r, allow, sizeof allow),
                     ROUTER_NOT_FOUND);
    request_fini(&req);
    assert_int_equal(route(&req, HTTP_GET, "/api/v1/tickets/a/b/c", &r, allow, sizeof allow),
                     ROUTER_NOT_FOUND);
    request_fini(&req);
    assert_int_equal(route(&req, HTTP_GET, "/", &r, allow, sizeof allow), ROUTER_NOT_FOUND);
    request_fini(&req);

    /* the router itself refuses unsafe segments, whoever filled them */
    request_init(&req);
    req.method = HTTP_GET;
    req.nsegments = 4;
    req.segments[0] = (char *)(uintptr_t)"api";
    req.segments[1] = (char *)(uintptr_t)"v1";
    req.segments[2] = (char *)(uintptr_t)"tickets";
    req.segments[3] = (char *)(uintptr_t)"..";
    assert_int_equal(router_match(test_routes, ARRAY_SIZE(test_routes), &req, &r, allow,
                                  sizeof allow), ROUTER_BAD_PATH);
    req.segments[3] = (char *)(uintptr_t)"a/b";
    assert_int_equal(router_match(test_routes, ARRAY_SIZE(test_routes), &req, &r, allow,
                                  sizeof allow), ROUTER_BAD_PATH);
    req.nsegments = 0;

    /* the tables */
    assert_true(router_check_table(test_routes, ARRAY_SIZE(test_routes), why, sizeof why));
    if (!router_check_table(router_api_routes, router_api_count, why, sizeof why))
        fail_msg("the API route table is malformed: %s", why);
    {
        const struct route bad1[] = { { HTTP_GET, "/a/{id", h_one, 0 } };
        const struct route bad2[] = { { HTTP_GET, "/a//b", h_one, 0 } };
        const struct route bad3[] = { { HTTP_GET, "/a", h_one, 0 }, { HTTP_GET, "/a", h_two, 0 } };
        const struct route bad4[] = { { HTTP_GET, "/{a}/{b}/{c}/{d}/{e}", h_one, 0 } };
        const struct route bad5[] = { { HTTP_GET, "/a/", h_one, 0 } };

        assert_false(router_check_table(bad1, 1, why, sizeof why));
        assert_non_null(strstr(why, "malformed capture"));
        assert_false(router_check_table(bad2, 1, why, sizeof why));
        assert_non_null(strstr(why, "empty segment"));
        assert_false(router_check_table(bad3, 2, why, sizeof why));
        assert_non_null(strstr(why, "twice"));
        assert_false(router_check_table(bad4, 1, why, sizeof why));
        assert_non_null(strstr(why, "more than 4 captures"));
        assert_false(router_check_table(bad5, 1, why, sizeof why));
    }
}

/* Only application/json, optionally with charset=utf-8, counts as JSON. */
static void
test_content_type(void **state)
{
    (void)state;
    assert_true(request_content_type_is_json("application/json"));
    assert_true(request_content_type_is_json("Application/JSON"));
    assert_true(request_content_type_is_json("application/json; charset=utf-8"));
    assert_true(request_content_type_is_json("application/json;charset=UTF-8"));
    assert_true(request_content_type_is_json("application/json ; charset = \"utf-8\" "));
    assert_false(request_content_type_is_json(NULL));
    assert_false(request_content_type_is_json(""));
    assert_false(request_content_type_is_json("text/plain"));
    assert_false(request_content_type_is_json("application/jsonp"));
    assert_false(request_content_type_is_json("application/json; charset=latin1"));
    assert_false(request_content_type_is_json("application/json; boundary=x"));
    assert_false(request_content_type_is_json("application/json; charset=utf-8; x=y"));
    assert_false(request_content_type_is_json("application/x-www-form-urlencoded"));
}

/* Parse body as the JSON body of a request; the reply's status (0 when parsed). */
static int
json_body_status(const char *body, size_t len, cJSON **out)
{
    struct request req;
    struct reply rep;
    int status;

    request_init(&req);
    reply_init(&rep);
    strbuf_add(&req.body, body, len);
    *out = request_json_body(&req, &rep);
    status = rep.status;
    if (status != 0)
        assert_non_null(strstr(rep.body.buf, "\"code\":\"malformed_json\""));
    reply_fini(&rep);
    request_fini(&req);
    return status;
}

/* Bodies parse as one JSON document; empty, trailing, NUL, bad UTF-8 and deep ones are 400. */
static void
test_json_body(void **state)
{
    struct strbuf deep;
    cJSON *j;
    int i;

    (void)state;
    assert_int_equal(json_body_status("{\"a\": [1, 2]}\r\n", 15, &j), 0);
    assert_non_null(j);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "a")), 2);
    cJSON_Delete(j);
    assert_int_equal(json_body_status("", 0, &j), 400);
    assert_null(j);
    assert_int_equal(json_body_status("{} {}", 5, &j), 400);
    assert_int_equal(json_body_status("{\"a\":", 5, &j), 400);
    assert_int_equal(json_body_status("{}\0x", 4, &j), 400);
    assert_int_equal(json_body_status("{\"a\":\"\xff\"}", 9, &j), 400);
    strbuf_init(&deep);
    for (i = 0; i < 5000; i++)
        strbuf_addc(&deep, '[');
    for (i = 0; i < 5000; i++)
        strbuf_addc(&deep, ']');
    assert_int_equal(json_body_status(deep.buf, deep.len, &j), 400);
    strbuf_fini(&deep);
}

/* Replies: the exact error shape, JSON, ETag, Location, headers, park, text. */
static void
test_replies(void **state)
{
    struct reply rep;
    cJSON *root;

    (void)state;
    reply_init(&rep);
    reply_error(&rep, 409, "rule_urge_too_early", "urge", "wait %d more hours", 3);
    assert_int_equal(rep.status, 409);
    assert_null(rep.content_type);
    assert_string_equal(rep.body.buf, "{\"error\":{\"code\":\"rule_urge_too_early\","
                                      "\"message\":\"wait 3 more hours\",\"field\":\"urge\"}}");
    reply_reset(&rep);
    assert_int_equal(rep.status, 0);
    reply_error(&rep, 404, "not_found", NULL, "quote \" and \\ and 中文");
    assert_string_equal(rep.body.buf, "{\"error\":{\"code\":\"not_found\",\"message\":"
                                      "\"quote \\\" and \\\\ and 中文\",\"field\":null}}");
    reply_reset(&rep);
    root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "seq", 7);
    reply_json(&rep, 201, root);
    assert_int_equal(rep.status, 201);
    assert_string_equal(rep.body.buf, "{\"seq\":7}");
    reply_set_etag(&rep, 12);
    assert_string_equal(rep.etag, "\"12\"");
    reply_set_location(&rep, "/api/v1/tickets/HL20261122-000042");
    assert_string_equal(rep.location, "/api/v1/tickets/HL20261122-000042");
    assert_true(reply_add_header(&rep, "Retry-After", "3"));
    reply_park(&rep, 5, 1000);
    assert_true(rep.park);
    assert_int_equal(rep.park_after_seq, 5);
    reply_text(&rep, 200, "plain");
    assert_string_equal(rep.content_type, "text/plain; charset=utf-8");
    assert_string_equal(rep.body.buf, "plain");
    reply_fini(&rep);
    reply_fini(&rep);
}

/* Log lines carry query names only, patterns for private paths, and escape paths. */
static void
test_log_format(void **state)
{
    struct request req;
    char line[512];

    (void)state;
    parse_ok(&req, "/api/v1/feed?since=123&wait=25&q=%E5%BC%A0%E4%B8%89+13800138000");
    str_copy(req.method_name, sizeof req.method_name, "GET");
    log_format_request(line, sizeof line, "2026-11-22T10:00:00+08:00", &req, NULL, 200, 2001.26);
    assert_string_equal(line,
                        "2026-11-22T10:00:00+08:00 GET /api/v1/feed?since&wait&q 200 2001.3ms -");
    request_fini(&req);

    /* a path with personal data logs its pattern; a signed-in user logs its id */
    parse_ok(&req, "/api/v1/callers/13800138000/tickets");
    str_copy(req.method_name, sizeof req.method_name, "GET");
    req.authed = true;
    req.user.id = xstrdup("u42");
    log_format_request(line, sizeof line, "T", &req, "/api/v1/callers/{phone}/tickets", 403, 0.04);
    assert_string_equal(line, "T GET /api/v1/callers/{phone}/tickets 403 0.0ms u42");
    request_fini(&req);

    /* spaces and controls cannot split or fake a line; no status when none was sent */
    parse_ok(&req, "/a%20b/%22x%22%3F?a%3Db=1");
    str_copy(req.method_name, sizeof req.method_name, "GET");
    log_format_request(line, sizeof line, "T", &req, NULL, 0, 12.345);
    assert_string_equal(line, "T GET /a%20b/%22x%22%3F?a%3Db - 12.3ms -");
    request_fini(&req);
}

/* Listen addresses: IPv4, localhost, [IPv6], ports 0-65535, and refusals. */
static void
test_parse_addr(void **state)
{
    struct http_addr a;
    struct err e;

    (void)state;
    assert_true(http_parse_addr("127.0.0.1:8080", &a, &e));
    assert_string_equal(a.text, "127.0.0.1:8080");
    assert_int_equal(a.ss.ss_family, AF_INET);
    assert_true(http_parse_addr("0.0.0.0:0", &a, &e));
    assert_true(http_parse_addr("localhost:9", &a, &e));
    assert_string_equal(a.text, "127.0.0.1:9");
    assert_true(http_parse_addr("[::1]:65535", &a, &e));
    assert_string_equal(a.text, "[::1]:65535");
    assert_int_equal(a.ss.ss_family, AF_INET6);
    err_clear(&e);
    assert_false(http_parse_addr("127.0.0.1", &a, &e));
    assert_string_equal(e.field, "listen");
    assert_non_null(strstr(e.msg, "expected ADDR:PORT"));
    assert_false(http_parse_addr("127.0.0.1:65536", &a, &e));
    assert_non_null(strstr(e.msg, "0 to 65535"));
    assert_false(http_parse_addr("127.0.0.1:-1", &a, &e));
    assert_false(http_parse_addr("127.0.0.1:80x", &a, &e));
    assert_false(http_parse_addr(":80", &a, &e));
    assert_false(http_parse_addr("example.com:80", &a, &e));
    assert_false(http_parse_addr("::1:80", &a, &e));
    assert_false(http_parse_addr("[::1]80", &a, &e));
    assert_false(http_parse_addr("[]:80", &a, &e));
    assert_false(http_parse_addr("", &a, &e));
}

/* ---- a live server ---- */

/* A string member of a JSON object, or NULL. */
static const char *
jstr(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* An integer member of a JSON object; fails the test when missing. */
static long long
jint(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

    if (!cJSON_IsNumber(v))
        fail_msg("member \"%s\" is not a number", name);
    return (long long)v->valuedouble;
}

/* The store kind the servers run on: "postgresql" with HOTLINE_TEST_STORE=pg. */
static const char *
store_kind(void)
{
    const char *v = getenv("HOTLINE_TEST_STORE");

    return v != NULL && strcmp(v, "pg") == 0 ? "postgresql" : "sqlite";
}

/* Assert a health reply with this profile, zone and offset. */
static void
check_health(struct harness *h, const char *profile, const char *tz, int offset)
{
    struct http_reply r;
    hl_time t;
    int off = -1;

    assert_int_equal(http_get(h, "/api/v1/health", &r), 200);
    assert_non_null(r.json);
    assert_int_equal(cJSON_GetArraySize(r.json), 7);
    assert_string_equal(jstr(r.json, "status"), "ok");
    assert_string_equal(jstr(r.json, "version"), HOTLINE_VERSION);
    assert_string_equal(jstr(r.json, "store"), store_kind());
    assert_string_equal(jstr(r.json, "profile"), profile);
    assert_string_equal(jstr(r.json, "tz"), tz);
    assert_non_null(jstr(r.json, "calendar"));
    assert_true(str_starts_with(jstr(r.json, "calendar"), "holidays-cn/"));
    assert_true(datetime_parse_rfc3339(jstr(r.json, "time"), &t, &off));
    assert_int_equal(off, offset);
    assert_true(llabs((long long)(t - (hl_time)time(NULL))) < 120);
    assert_string_equal(r.content_type, "application/json; charset=utf-8");
    assert_string_equal(r.cache_control, "no-store");
    http_reply_fini(&r);
}

/* Make an agent and a session in h's database for the feed (defined below). */
static void authorize(struct harness *h);

/* Group setup: one server for the tests that do not stop it. */
static int
start_shared(void **state)
{
    *state = harness_start(NULL);
    authorize(*state);
    return 0;
}

/* Group teardown: SIGTERM, exit status 0 asserted, temp dir removed. */
static int
stop_shared(void **state)
{
    struct harness *h = *state;

    harness_free(&h);
    return 0;
}

/* GET /health has every field, and the ready line tells the port; HEAD works. */
static void
test_health(void **state)
{
    struct harness *h = *state;
    char expect[512];
    struct http_reply r;

    char *shown = store_display(h->db);   /* a PostgreSQL password is never printed */

    check_health(h, "12345", "Asia/Shanghai", 8 * 3600);
    snprintf(expect, sizeof expect,
             "hotlined %s listening on http://127.0.0.1:%d (store %s %s, profile 12345, "
             "tz Asia/Shanghai)", HOTLINE_VERSION, h->port, store_kind(), shown);
    free(shown);
    assert_string_equal(h->ready, expect);
    /* HEAD answers like GET, without a body */
    assert_int_equal(http_request(h, "HEAD", "/api/v1/health", NULL, NULL, 0, &r), 200);
    assert_int_equal(r.body.len, 0);
    assert_string_equal(r.content_type, "application/json; charset=utf-8");
    http_reply_fini(&r);
}

/* Unknown paths answer 404 not_found in the error shape. */
static void
test_not_found(void **state)
{
    struct harness *h = *state;
    struct http_reply r;

    http_get(h, "/api/v1/nothing-here", &r);
    assert_error_reply(&r, 404, "not_found", NULL);
    assert_string_equal(r.cache_control, "no-store");
    http_reply_fini(&r);
    http_get(h, "/", &r);
    assert_error_reply(&r, 404, "not_found", NULL);
    http_reply_fini(&r);
    http_get(h, "/api/v1/health/", &r);
    assert_error_reply(&r, 404, "not_found", NULL);
    http_reply_fini(&r);
    http_request(h, "DELETE", "/api/v2/health", NULL, NULL, 0, &r);
    assert_error_reply(&r, 404, "not_found", NULL);
    http_reply_fini(&r);
}

/* A known path with another method answers 405 with Allow. */
static void
test_method_not_allowed(void **state)
{
    struct harness *h = *state;
    struct http_reply r;

    http_post(h, "/api/v1/health", "{}", &r);
    assert_error_reply(&r, 405, "method_not_allowed", NULL);
    assert_string_equal(r.allow, "GET, HEAD");
    http_reply_fini(&r);
    http_request(h, "DELETE", "/api/v1/feed", NULL, NULL, 0, &r);
    assert_error_reply(&r, 405, "method_not_allowed", NULL);
    assert_string_equal(r.allow, "GET, HEAD");
    http_reply_fini(&r);
    http_request(h, "BREW", "/api/v1/health", NULL, NULL, 0, &r);
    assert_error_reply(&r, 405, "method_not_allowed", NULL);
    http_reply_fini(&r);
}

/* Bodies over 1 MiB answer 413 (announced or chunked); the server stays up. */
static void
test_body_too_large(void **state)
{
    struct harness *h = *state;
    const char *json[] = { "Content-Type: application/json", NULL };
    const char *chunked[] = { "Content-Type: application/json", "Transfer-Encoding: chunked",
                              NULL };
    size_t big = 2 * 1024 * 1024;
    char *body = malloc(big);
    struct http_reply r;

    memset(body, ' ', big);
    body[0] = '[';
    body[big - 1] = ']';
    /* Content-Length over the cap: refused before the body is read */
    http_request(h, "POST", "/api/v1/health", json, body, big, &r);
    assert_error_reply(&r, 413, "body_too_large", NULL);
    assert_string_equal(r.connection, "close");
    http_reply_fini(&r);
    /* no length announced: refused once the cap is crossed */
    http_request(h, "POST", "/api/v1/health", chunked, body, big, &r);
    assert_error_reply(&r, 413, "body_too_large", NULL);
    http_reply_fini(&r);
    /* one byte over */
    http_request(h, "POST", "/api/v1/health", json, body, REQUEST_BODY_MAX + 1, &r);
    assert_error_reply(&r, 413, "body_too_large", NULL);
    http_reply_fini(&r);
    /* exactly the cap is read, then routed (health has no POST) */
    body[REQUEST_BODY_MAX - 1] = ']';
    http_request(h, "POST", "/api/v1/health", json, body, REQUEST_BODY_MAX, &r);
    assert_error_reply(&r, 405, "method_not_allowed", NULL);
    http_reply_fini(&r);
    free(body);
    check_health(h, "12345", "Asia/Shanghai", 8 * 3600);
}

/* Bodies that are not JSON answer 415. */
static void
test_unsupported_media_type(void **state)
{
    struct harness *h = *state;
    const char *text[] = { "Content-Type: text/plain", NULL };
    const char *form[] = { "Content-Type: application/x-www-form-urlencoded", NULL };
    const char *latin[] = { "Content-Type: application/json; charset=latin1", NULL };
    const char *none[] = { "Content-Type:", NULL };
    const char *utf8[] = { "Content-Type: application/json; charset=UTF-8", NULL };
    struct http_reply r;

    http_request(h, "POST", "/api/v1/health", text, "{}", 2, &r);
    assert_error_reply(&r, 415, "unsupported_media_type", NULL);
    http_reply_fini(&r);
    http_request(h, "PATCH", "/api/v1/health", form, "a=1", 3, &r);
    assert_error_reply(&r, 415, "unsupported_media_type", NULL);
    http_reply_fini(&r);
    http_request(h, "PUT", "/api/v1/health", latin, "{}", 2, &r);
    assert_error_reply(&r, 415, "unsupported_media_type", NULL);
    http_reply_fini(&r);
    http_request(h, "POST", "/api/v1/health", none, "{}", 2, &r);
    assert_error_reply(&r, 415, "unsupported_media_type", NULL);
    http_reply_fini(&r);
    /* JSON with a UTF-8 charset passes the check (and meets the router) */
    http_request(h, "POST", "/api/v1/health", utf8, "{}", 2, &r);
    assert_error_reply(&r, 405, "method_not_allowed", NULL);
    http_reply_fini(&r);
    /* no body, no check */
    http_request(h, "POST", "/api/v1/health", text, NULL, 0, &r);
    assert_error_reply(&r, 405, "method_not_allowed", NULL);
    http_reply_fini(&r);
}

/* Malformed escapes, dot segments, NUL, encoded slashes, long segments: 400. */
static void
test_bad_paths(void **state)
{
    struct harness *h = *state;
    static const char *const bad[] = {
        "/api/v1/%zz", "/api/v1/%4", "/api/v1/../v1/health", "/api/v1/%2e%2e/health",
        "/api/./v1/health", "/api/v1/health%00", "/api/v1/a%2Fb", "/api/v1/%FF",
        "/api/v1/%0D%0AX-Injected:%201",
    };
    struct http_reply r;
    char path[512];
    size_t i;

    for (i = 0; i < ARRAY_SIZE(bad); i++) {
        http_get(h, bad[i], &r);
        if (r.status != 400)
            fail_msg("%s: expected 400, got %ld", bad[i], r.status);
        assert_error_reply(&r, 400, "invalid_path", NULL);
        http_reply_fini(&r);
    }
    str_copy(path, sizeof path, "/api/v1/");
    memset(path + 8, 'x', 201);
    path[8 + 201] = '\0';
    http_get(h, path, &r);
    assert_error_reply(&r, 400, "invalid_path", NULL);
    assert_non_null(strstr(jstr(cJSON_GetObjectItem(r.json, "error"), "message"), "200 bytes"));
    http_reply_fini(&r);
    http_get(h, "/api/v1/feed?wait=%G0", &r);
    assert_error_reply(&r, 400, "invalid_query", "wait");
    http_reply_fini(&r);
    http_get(h, "/api/v1/feed?=3", &r);
    assert_error_reply(&r, 400, "invalid_query", "query");
    http_reply_fini(&r);
    check_health(h, "12345", "Asia/Shanghai", 8 * 3600);
}

/* 50 requests travel on one kept-alive connection. */
static void
test_keep_alive(void **state)
{
    struct harness *h = *state;
    struct http_client *c = http_client_new(h);
    struct http_reply r;
    long connects = 0, port = -1;
    int i;

    for (i = 0; i < 50; i++) {
        assert_int_equal(http_client_request(c, "GET", "/api/v1/health", NULL, NULL, 0, &r), 200);
        assert_string_equal(jstr(r.json, "status"), "ok");
        assert_string_not_equal(r.connection, "close");
        connects += r.connects;
        if (port == -1)
            port = r.local_port;
        assert_int_equal(r.local_port, port);
        http_reply_fini(&r);
    }
    assert_int_equal(connects, 1);
    http_client_free(&c);
}

/* The feed needs a session: "Authorization: Bearer <token>" of the harness last
 * authorized (a test-only file-scope value). */
static char feed_auth[160];

/* Make an agent and a session straight in h's database; remember the header. */
static void
authorize(struct harness *h)
{
    char tok[AUTH_TOKEN_LEN + 1], hash[AUTH_TOKEN_HASH_LEN + 1], pw[AUTH_PWHASH_MAX];
    struct tz *tz = tz_fixed("UTC", 0);
    struct store *st;
    struct user u;
    struct err e;
    hl_time now = (hl_time)time(NULL);
    int rc;

    err_clear(&e);
    memset(&u, 0, sizeof u);
    u.id = xstrdup("feeder");
    u.name = xstrdup("feeder");
    u.role = USER_AGENT;
    assert_int_equal(auth_init(&e), HL_OK);
    st = store_open(h->db, tz, &e);
    assert_non_null(st);
    assert_int_equal(auth_hash_password("correct-horse-7", AUTH_COST_MIN, pw, sizeof pw, &e), HL_OK);
    rc = st->ops->user_add(st, &u, pw, &e);
    assert_true(rc == HL_OK || rc == HL_ECONFLICT);
    auth_new_token(tok, sizeof tok);
    auth_token_hash(tok, hash, sizeof hash);
    assert_int_equal(st->ops->session_add(st, hash, "feeder", now, now + 3600, &e), HL_OK);
    st->ops->close(st);
    user_fini(&u);
    tz_free(&tz);
    snprintf(feed_auth, sizeof feed_auth, "Authorization: Bearer %s", tok);
}

/* GET path of the feed with the session of authorize. */
static long
feed_get(struct harness *h, const char *path, struct http_reply *r)
{
    const char *headers[] = { feed_auth, NULL };

    return http_request(h, "GET", path, headers, NULL, 0, r);
}

/* The feed's current sequence number. */
static long long
feed_seq(struct harness *h)
{
    struct http_reply r;
    long long seq;

    assert_int_equal(feed_get(h, "/api/v1/feed", &r), 200);
    seq = jint(r.json, "seq");
    http_reply_fini(&r);
    return seq;
}

/* The feed refuses bad since/wait and answers at once when it need not wait. */
static void
test_feed_params(void **state)
{
    struct harness *h = *state;
    static const char *const bad_wait[] = {
        "61", "-1", "abc", "", "2.5", "1e1", "%205", "%2B5", "5%20",
    };
    static const char *const bad_since[] = { "-5", "x", "", "99999999999999999999", "+1", "%201" };
    struct http_reply r;
    char path[128];
    long long seq = feed_seq(h);
    size_t i;

    for (i = 0; i < ARRAY_SIZE(bad_wait); i++) {
        snprintf(path, sizeof path, "/api/v1/feed?since=%lld&wait=%s", seq, bad_wait[i]);
        feed_get(h, path, &r);
        assert_error_reply(&r, 400, "invalid_parameter", "wait");
        http_reply_fini(&r);
    }
    for (i = 0; i < ARRAY_SIZE(bad_since); i++) {
        snprintf(path, sizeof path, "/api/v1/feed?since=%s&wait=1", bad_since[i]);
        feed_get(h, path, &r);
        assert_error_reply(&r, 400, "invalid_parameter", "since");
        http_reply_fini(&r);
    }
    /* answered at once: no since, wait=0, a client ahead of the feed */
    assert_int_equal(feed_get(h, "/api/v1/feed?wait=30", &r), 200);
    assert_true(r.seconds < 1.0);
    assert_int_equal(jint(r.json, "seq"), seq);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "events")), 0);
    assert_int_equal(cJSON_GetArraySize(r.json), 2);
    http_reply_fini(&r);
    snprintf(path, sizeof path, "/api/v1/feed?since=%lld&wait=0", seq);
    assert_int_equal(feed_get(h, path, &r), 200);
    assert_true(r.seconds < 1.0);
    http_reply_fini(&r);
    snprintf(path, sizeof path, "/api/v1/feed?since=%lld&wait=30", seq + 5);
    assert_int_equal(feed_get(h, path, &r), 200);
    assert_true(r.seconds < 1.0);
    assert_int_equal(jint(r.json, "seq"), seq);
    http_reply_fini(&r);
}

/* A long poll with nothing new answers after its wait with no events. */
static void
test_feed_park(void **state)
{
    struct harness *h = *state;
    struct http_reply r;
    char path[128];
    long long seq = feed_seq(h);
    const cJSON *events;

    snprintf(path, sizeof path, "/api/v1/feed?since=%lld&wait=2", seq);
    assert_int_equal(feed_get(h, path, &r), 200);
    assert_true(r.seconds >= 1.8);
    assert_true(r.seconds < 4.0);
    assert_int_equal(jint(r.json, "seq"), seq);
    events = cJSON_GetObjectItemCaseSensitive(r.json, "events");
    assert_true(cJSON_IsArray(events));
    assert_int_equal(cJSON_GetArraySize(events), 0);
    assert_string_not_equal(r.connection, "close");
    http_reply_fini(&r);
    /* the same connection goes on serving after a park */
    assert_int_equal(http_get(h, "/api/v1/health", &r), 200);
    assert_int_equal(r.connects, 0);
    http_reply_fini(&r);
}

/* A long poll and its outcome, run on its own connection. */
struct long_poll {
    struct harness *h;
    char path[128];
    struct http_reply r;
    _Atomic bool done;
};

/* Thread: warm the connection up, then long-poll. */
static void *
long_poll_main(void *arg)
{
    struct long_poll *lp = arg;
    struct http_client *c = http_client_new(lp->h);
    struct http_reply warm;

    const char *headers[] = { feed_auth, NULL };

    http_client_request(c, "GET", "/api/v1/health", NULL, NULL, 0, &warm);
    http_reply_fini(&warm);
    http_client_request(c, "GET", lp->path, headers, NULL, 0, &lp->r);
    http_client_free(&c);
    lp->done = true;
    return NULL;
}

/* libcurl write callback that drops the body. */
static size_t
discard(char *data, size_t size, size_t nmemb, void *arg)
{
    (void)data;
    (void)arg;
    return size * nmemb;
}

/* 210 long polls park at once (suspended connections hold no thread): all answer after
 * their wait, and other requests are served meanwhile. */
static void
test_feed_many_parked(void **state)
{
    enum { N = 210 };
    struct harness *h = *state;
    CURLM *multi = curl_multi_init();
    CURL *easy[N];
    char url[160];
    long long seq = feed_seq(h), start = harness_now_ms();
    int running = 0, done = 0, i;
    bool probed = false;
    struct curl_slist *auth = curl_slist_append(NULL, feed_auth);

    snprintf(url, sizeof url, "%s/api/v1/feed?since=%lld&wait=2", h->base, seq);
    for (i = 0; i < N; i++) {
        easy[i] = curl_easy_init();
        curl_easy_setopt(easy[i], CURLOPT_URL, url);
        curl_easy_setopt(easy[i], CURLOPT_HTTPHEADER, auth);
        curl_easy_setopt(easy[i], CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(easy[i], CURLOPT_TIMEOUT_MS, 20000L);
        curl_multi_add_handle(multi, easy[i]);
    }
    while (done < N && harness_now_ms() - start < 20000) {
        CURLMsg *msg;
        int left;

        curl_multi_perform(multi, &running);
        while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
            long status = 0;
            double secs = 0;

            if (msg->msg != CURLMSG_DONE)
                continue;
            if (msg->data.result != CURLE_OK)
                fail_msg("a parked request failed: %s", curl_easy_strerror(msg->data.result));
            curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
            curl_easy_getinfo(msg->easy_handle, CURLINFO_TOTAL_TIME, &secs);
            assert_int_equal(status, 200);
            if (secs < 1.8)
                fail_msg("a parked request answered after %.3f s, before its 2 s wait", secs);
            done++;
        }
        if (!probed && harness_now_ms() - start > 700) {
            struct http_reply r;

            probed = true;
            assert_int_equal(http_get(h, "/api/v1/health", &r), 200);
            assert_true(r.seconds < 0.5);
            http_reply_fini(&r);
            assert_int_equal(done, 0);
        }
        curl_multi_poll(multi, NULL, 0, 50, NULL);
    }
    assert_int_equal(done, N);
    assert_true(probed);
    for (i = 0; i < N; i++) {
        curl_multi_remove_handle(multi, easy[i]);
        curl_easy_cleanup(easy[i]);
    }
    curl_multi_cleanup(multi);
    curl_slist_free_all(auth);
}

/* The request log holds no query values or tokens; X-Request-Id is echoed when safe. */
static void
test_log_lines(void **state)
{
    struct harness *h = *state;
    const char *hdr[] = { "X-Request-Id: trace-42.a_b", feed_auth, NULL };
    const char *hdr_bad[] = { "X-Request-Id: has space", NULL };
    struct http_reply r;
    char *log;
    size_t len;

    http_request(h, "GET", "/api/v1/feed?since=918273&wait=0&q=%E5%BC%A0%E4%B8%89", hdr, NULL, 0,
                 &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.request_id, "trace-42.a_b");
    http_reply_fini(&r);
    http_request(h, "GET", "/api/v1/health", hdr_bad, NULL, 0, &r);
    assert_string_equal(r.request_id, "");
    http_reply_fini(&r);
    log = file_read_all(h->log, 16 * 1024 * 1024, &len);
    assert_non_null(log);
    assert_non_null(strstr(log, " GET /api/v1/feed?since&wait&q 200 "));
    assert_null(strstr(log, "918273"));
    assert_null(strstr(log, "张三"));
    assert_null(strstr(log, feed_auth + strlen("Authorization: Bearer ")));
    assert_non_null(strstr(log, " server: hotlined " HOTLINE_VERSION " listening on "));
    free(log);
}

/* SIGTERM answers a parked long poll and hotlined exits 0. */
static void
test_sigterm_while_parked(void **state)
{
    struct harness *h = harness_start(NULL);
    struct long_poll lp;
    pthread_t th;
    long long seq, t0;
    char *log;
    size_t len;

    (void)state;
    memset(&lp, 0, sizeof lp);
    authorize(h);
    seq = feed_seq(h);
    lp.h = h;
    snprintf(lp.path, sizeof lp.path, "/api/v1/feed?since=%lld&wait=30", seq);
    assert_int_equal(pthread_create(&th, NULL, long_poll_main, &lp), 0);
    usleep(1000 * 1000);
    assert_false(lp.done);   /* parked */
    t0 = harness_now_ms();
    harness_stop(h);         /* asserts exit status 0 */
    assert_true(harness_now_ms() - t0 < 5000);
    pthread_join(th, NULL);
    assert_int_equal(lp.r.status, 200);
    assert_int_equal(jint(lp.r.json, "seq"), seq);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(lp.r.json, "events")), 0);
    assert_string_equal(lp.r.connection, "close");
    assert_true(lp.r.seconds < 10.0);
    http_reply_fini(&lp.r);
    log = file_read_all(h->log, 16 * 1024 * 1024, &len);
    assert_non_null(log);
    assert_non_null(strstr(log, " server: stopping on SIGTERM\n"));
    assert_non_null(strstr(log, " GET /api/v1/feed?since&wait 200 "));
    assert_non_null(strstr(log, " server: stopped\n"));
    free(log);
    harness_free(&h);
}

/* A second hotlined on a busy port exits 1 with a one-line reason. */
static void
test_port_in_use(void **state)
{
    struct harness *h = harness_start(NULL);
    char listen[64], logpath[400], out[256], err[1024], expect[256];
    const char *args[] = { "serve", "--listen", listen, "--data", getenv("HOTLINE_DATA"),
                           "--log", logpath, NULL };
    int rc;

    (void)state;
    snprintf(listen, sizeof listen, "127.0.0.1:%d", h->port);
    snprintf(logpath, sizeof logpath, "%s/log2", h->tmpdir);
    rc = harness_run(args, out, sizeof out, err, sizeof err, 10000);
    assert_int_equal(rc, 1);
    assert_string_equal(out, "");
    snprintf(expect, sizeof expect,
             "hotlined: cannot listen on 127.0.0.1:%d: Address already in use "
             "(is another hotlined running? use --listen)\n", h->port);
    assert_string_equal(err, expect);
    check_health(h, "12345", "Asia/Shanghai", 8 * 3600);
    harness_free(&h);
}

/* Profile, zone and threads options reach /health and the ready line. */
static void
test_options(void **state)
{
    static const char *const extra[] = { "--profile", "95198", "--tz", "UTC", "--threads", "3",
                                         NULL };
    struct harness *h = harness_start(extra);

    (void)state;
    check_health(h, "95198", "UTC", 0);
    assert_non_null(strstr(h->ready, ", profile 95198, tz UTC)"));
    harness_free(&h);
}

/* hotlined restarts on the same database after kill -9; SIGHUP reopens the log. */
static void
test_kill_restart_sighup(void **state)
{
    struct harness *h = harness_start(NULL);
    int first_port = h->port;
    char *log;
    size_t len;

    (void)state;
    check_health(h, "12345", "Asia/Shanghai", 8 * 3600);
    harness_kill(h);
    assert_int_equal(h->pid, 0);
    harness_restart(h);
    assert_true(h->port > 0);
    (void)first_port;
    check_health(h, "12345", "Asia/Shanghai", 8 * 3600);
    harness_signal(h, SIGHUP);
    usleep(200 * 1000);
    check_health(h, "12345", "Asia/Shanghai", 8 * 3600);
    log = file_read_all(h->log, 16 * 1024 * 1024, &len);
    assert_non_null(log);
    assert_non_null(strstr(log, " server: SIGHUP: log reopened\n"));
    free(log);
    harness_stop(h);
    harness_free(&h);
}

/* Run hotlined with args; assert the exit code and a one-line stderr containing part. */
static void
expect_usage(const char *const *args, int code, const char *part)
{
    char out[256], err[1024];
    int rc = harness_run(args, out, sizeof out, err, sizeof err, 10000);

    if (rc != code)
        fail_msg("%s %s: expected exit %d, got %d (stderr: %s)", args[1],
                 args[2] != NULL ? args[2] : "", code, rc, err);
    assert_string_equal(out, "");
    assert_true(str_starts_with(err, "hotlined: "));
    assert_non_null(strchr(err, '\n'));
    assert_int_equal(strchr(err, '\n')[1], '\0');   /* one line */
    if (strstr(err, part) == NULL)
        fail_msg("stderr \"%s\" lacks \"%s\"", err, part);
}

/* Bad options exit 2 (usage) or 1 (runtime) with one line on stderr. */
static void
test_usage_errors(void **state)
{
    const char *data = getenv("HOTLINE_DATA");
    const char *a1[] = { "serve", "--threads", "0", NULL };
    const char *a2[] = { "serve", "--listen", "nowhere", NULL };
    const char *a3[] = { "serve", "--profile", "110", NULL };
    const char *a4[] = { "serve", "--data", "/nonexistent-hotline-data", "--listen",
                         "127.0.0.1:0", NULL };
    const char *a5[] = { "serve", "--tz", "Nowhere/City", NULL };
    const char *a6[] = { "serve", "--data", data, "--rules", "/nonexistent-rules.json",
                         "--listen", "127.0.0.1:0", NULL };
    const char *a7[] = { "serve", "extra", NULL };
    const char *a8[] = { "serve", "--frobnicate", "1", NULL };
    const char *a9[] = { "serve", "--listen", NULL };
    const char *a10[] = { "serve", "--data", data, "--db", "/nonexistent-dir/x.db", "--listen",
                          "127.0.0.1:0", NULL };
    const char *a11[] = { "serve", "--data", data, "--log", "/nonexistent-dir/log", "--listen",
                          "127.0.0.1:0", NULL };
    char out[4096], err[256];

    (void)state;
    expect_usage(a1, 2, "--threads '0': expected a number from 1 to 64");
    expect_usage(a2, 2, "expected ADDR:PORT");
    expect_usage(a3, 2, "expected 12345, 95198 or 956100");
    expect_usage(a4, 2, "not a directory");
    expect_usage(a5, 2, "Nowhere/City");
    expect_usage(a6, 1, "/nonexistent-rules.json");
    expect_usage(a7, 2, "unexpected argument 'extra'");
    expect_usage(a8, 2, "unknown option '--frobnicate'");
    expect_usage(a9, 2, "--listen needs a value");
    expect_usage(a10, 1, "/nonexistent-dir does not exist");
    expect_usage(a11, 1, "cannot open log file /nonexistent-dir/log");
    {
        const char *help[] = { "serve", "--help", NULL };

        assert_int_equal(harness_run(help, out, sizeof out, err, sizeof err, 10000), 0);
        assert_true(str_starts_with(out, "usage: hotlined [--db PATH] serve [OPTIONS]\n"));
    }
}

/* Run the tests. */
int
main(void)
{
    const struct CMUnitTest units[] = {
        cmocka_unit_test(test_parse_target),
        cmocka_unit_test(test_methods),
        cmocka_unit_test(test_router),
        cmocka_unit_test(test_content_type),
        cmocka_unit_test(test_json_body),
        cmocka_unit_test(test_replies),
        cmocka_unit_test(test_log_format),
        cmocka_unit_test(test_parse_addr),
    };
    const struct CMUnitTest shared[] = {
        cmocka_unit_test(test_health),
        cmocka_unit_test(test_not_found),
        cmocka_unit_test(test_method_not_allowed),
        cmocka_unit_test(test_body_too_large),
        cmocka_unit_test(test_unsupported_media_type),
        cmocka_unit_test(test_bad_paths),
        cmocka_unit_test(test_keep_alive),
        cmocka_unit_test(test_feed_params),
        cmocka_unit_test(test_feed_park),
        cmocka_unit_test(test_feed_many_parked),
        cmocka_unit_test(test_log_lines),
    };
    const struct CMUnitTest own[] = {
        cmocka_unit_test(test_sigterm_while_parked),
        cmocka_unit_test(test_port_in_use),
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_kill_restart_sighup),
        cmocka_unit_test(test_usage_errors),
    };
    int failed = 0;

    failed += cmocka_run_group_tests_name("http-units", units, NULL, NULL);
    failed += cmocka_run_group_tests_name("http-live", shared, start_shared, stop_shared);
    failed += cmocka_run_group_tests_name("http-lifecycle", own, NULL, NULL);
    return failed != 0;
}
