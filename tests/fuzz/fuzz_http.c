/* fuzz_http: the request path of hotlined in-process, without sockets: what http.c does
 * between libmicrohttpd and a handler (headers, request-target, routing, content type,
 * JSON body) and the body decoders the handlers call.
 *
 * Input (separator '\n', like HTTP/1.1 without CR):
 *   METHOD SP request-target '\n'       (no space: the whole line is the target, GET)
 *   Name: value '\n' ...                 (headers, until an empty line)
 *   '\n' body                            (the rest, as it arrives)
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "hotline/codec.h"
#include "hotline/text.h"
#include "hotline/util.h"

#include "auth.h"
#include "hticket.h"
#include "request.h"
#include "router.h"

/* One line of the input; *pos moves past its '\n'. Returns its length. */
static size_t
next_line(const uint8_t *data, size_t size, size_t *pos, const char **line)
{
    const uint8_t *start = data + *pos;
    const uint8_t *nl = memchr(start, '\n', size - *pos);
    size_t n = nl != NULL ? (size_t)(nl - start) : size - *pos;

    *line = (const char *)start;
    *pos += n + (nl != NULL ? 1 : 0);
    return n;
}

/* Copy a header value as http.c does (refused over REQUEST_HEADER_MAX); false if refused. */
static bool
copy_header(char **slot, const char *v, size_t n)
{
    char *copy = xstrndup(v, n);
    bool ok = strnlen(copy, REQUEST_HEADER_MAX + 1) <= REQUEST_HEADER_MAX;

    if (ok) {
        free(*slot);
        *slot = copy;
    } else {
        free(copy);
    }
    return ok;
}

/* Store one "Name: value" line in the request's selected headers. */
static bool
take_header(struct request *req, const char *line, size_t n)
{
    static const struct {
        const char *name;
        size_t off;
    } known[] = {
        { "authorization", offsetof(struct request_headers, authorization) },
        { "content-type", offsetof(struct request_headers, content_type) },
        { "if-match", offsetof(struct request_headers, if_match) },
        { "if-none-match", offsetof(struct request_headers, if_none_match) },
        { "idempotency-key", offsetof(struct request_headers, idempotency_key) },
        { "x-request-id", offsetof(struct request_headers, request_id) },
    };
    const char *colon = memchr(line, ':', n);
    size_t nlen, k;
    const char *v;

    if (colon == NULL)
        return true;
    nlen = (size_t)(colon - line);
    v = colon + 1;
    while (v < line + n && (*v == ' ' || *v == '\t'))
        v++;
    for (k = 0; k < ARRAY_SIZE(known); k++) {
        if (strlen(known[k].name) == nlen && strncasecmp(line, known[k].name, nlen) == 0) {
            char **slot = (char **)(void *)((char *)&req->headers + known[k].off);

            return copy_header(slot, v, (size_t)(line + n - v));
        }
    }
    return true;
}

/* True when s is valid UTF-8 without C0 controls or DEL. (request.c lets C1 controls,
 * U+0080-009F, through: see the fuzzing report; they are not checked here.) */
static bool
decoded_ok(const char *s)
{
    size_t i;

    if (!text_utf8_valid(s, strlen(s)))
        return false;
    for (i = 0; s[i] != '\0'; i++) {
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    }
    return true;
}

/* Check a parsed target against the promises of request_parse_target. */
static void
check_target(const struct request *req)
{
    size_t i;

    FUZZ_CHECK(req->path != NULL && req->path[0] == '/', "parsed path");
    FUZZ_CHECK(decoded_ok(req->path), "path has controls or bad UTF-8");
    FUZZ_CHECK(req->nsegments <= REQUEST_SEGMENTS_MAX, "%zu segments", req->nsegments);
    FUZZ_CHECK(req->nquery <= REQUEST_QUERY_MAX, "%zu query parameters", req->nquery);
    for (i = 0; i < req->nsegments; i++) {
        const char *s = req->segments[i];

        FUZZ_CHECK(s != NULL && strlen(s) <= REQUEST_SEGMENT_MAX, "segment %zu", i);
        FUZZ_CHECK(strcmp(s, ".") != 0 && strcmp(s, "..") != 0, "dot segment %zu", i);
        FUZZ_CHECK(strchr(s, '/') == NULL, "segment %zu holds '/'", i);
        FUZZ_CHECK(decoded_ok(s), "segment %zu has controls or bad UTF-8", i);
    }
    for (i = 0; i < req->nquery; i++) {
        const struct request_param *q = &req->query[i];

        FUZZ_CHECK(q->name[0] != '\0' && strlen(q->name) <= REQUEST_QNAME_MAX, "query name");
        FUZZ_CHECK(strlen(q->value) <= REQUEST_QVALUE_MAX, "query value");
        FUZZ_CHECK(decoded_ok(q->name) && decoded_ok(q->value),
                   "query parameter %zu has controls or bad UTF-8", i);
        FUZZ_CHECK(request_query(req, q->name) != NULL, "query %s not found", q->name);
    }
}

/* The router on segments split from the raw path without decoding (no parse_target
 * promises: the router must stand on its own). */
static void
route_raw(enum http_method method, const char *target)
{
    struct request req;
    const struct route *route;
    char *copy = xstrdup(target);
    char *q = strchr(copy, '?');
    char allow[64];
    char *p = copy + 1;

    request_init(&req);
    req.method = method;
    if (q != NULL)
        *q = '\0';
    while (copy[0] == '/' && req.nsegments < REQUEST_SEGMENTS_MAX) {
        char *slash = strchr(p, '/');

        req.segments[req.nsegments++] = p;
        if (slash == NULL)
            break;
        *slash = '\0';
        p = slash + 1;
    }
    (void)router_match(router_api_routes, router_api_count, &req, &route, allow, sizeof allow);
    FUZZ_CHECK(memchr(allow, '\0', sizeof allow) != NULL, "allow not terminated");
    memset(req.segments, 0, sizeof req.segments);   /* borrowed from copy */
    req.nsegments = 0;
    request_fini(&req);
    free(copy);
}

/* The decoder the handler of route would run on a JSON body. */
static void
decode_body(const struct route *route, const struct request *req, const cJSON *json)
{
    const char *pattern = route->pattern;
    struct err e;

    err_clear(&e);
    if (route->method == HTTP_POST && strcmp(pattern, "/api/v1/tickets") == 0) {
        struct ticket *t = codec_ticket_create_decode(json, &e);

        ticket_free(&t);
    } else if (route->method == HTTP_PATCH && strcmp(pattern, "/api/v1/tickets/{id}") == 0) {
        struct ticket *t = ticket_new();
        struct strlist fields = { NULL, 0 };

        t->channel = CHANNEL_WEB;
        t->nature = NATURE_HELP;
        t->description = xstrdup("求助");
        (void)codec_ticket_patch_apply(json, t, &fields, &e);
        strlist_fini(&fields);
        ticket_free(&t);
    } else if (route->method == HTTP_POST
               && strcmp(pattern, "/api/v1/tickets/{id}/{action}") == 0) {
        enum action a;
        struct action_body b;

        if (action_parse(request_param(req, "action"), &a)
            && codec_action_decode(a, json, &b, &e) == HL_OK)
            codec_action_fini(&b);
    } else if (route->method == HTTP_POST && strcmp(pattern, "/api/v1/kb") == 0) {
        struct article *a = codec_article_input_decode(json, &e);

        article_free(&a);
    } else if (route->method == HTTP_POST && strcmp(pattern, "/api/v1/calls") == 0) {
        struct call_event c;

        if (codec_call_event_decode(json, &c, &e) == HL_OK)
            call_event_fini(&c);
    }
}

/* One input: a request as http.c hands it to a handler. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct request req;
    struct reply rep;
    const struct route *route = NULL;
    enum router_status rs;
    const char *line, *sp;
    char method[16];
    char *target;
    char allow[64];
    size_t pos = 0, n;
    struct err e;
    int64_t version;
    bool headers_ok = true;

    request_init(&req);
    reply_init(&rep);

    /* Request line. */
    n = next_line(data, size, &pos, &line);
    sp = memchr(line, ' ', n);
    if (sp != NULL && (size_t)(sp - line) < sizeof method) {
        memcpy(method, line, (size_t)(sp - line));
        method[sp - line] = '\0';
        target = xstrndup(sp + 1, n - (size_t)(sp - line) - 1);
    } else {
        str_copy(method, sizeof method, "GET");
        target = xstrndup(line, n);
    }
    req.method = request_method_parse(method);
    str_copy(req.method_name, sizeof req.method_name, method);
    FUZZ_CHECK(strcmp(request_method_str(req.method), method) == 0
               || req.method == HTTP_OTHER, "method %s", method);

    /* Headers. */
    while (pos < size) {
        n = next_line(data, size, &pos, &line);
        if (n == 0)
            break;
        headers_ok = take_header(&req, line, n) && headers_ok;
    }

    /* Body, capped as take_body does. */
    if (pos < size && size - pos <= REQUEST_BODY_MAX)
        strbuf_add(&req.body, (const char *)data + pos, size - pos);

    route_raw(req.method, target);
    err_clear(&e);
    if (request_parse_target(&req, target, &e) != HL_OK) {
        FUZZ_CHECK(e.code == HL_EINVAL && e.msg[0] != '\0', "target refused without message");
        FUZZ_CHECK(strcmp(e.field, "path") == 0 || strcmp(e.field, "query") == 0
                   || request_query(&req, e.field) == NULL, "error field %s", e.field);
        FUZZ_CHECK(req.path == NULL && req.nsegments == 0 && req.nquery == 0,
                   "a refused target left a partial result");
        FUZZ_CHECK(text_utf8_valid(e.msg, strlen(e.msg)), "target error message not UTF-8");
        goto out;
    }
    check_target(&req);

    /* Headers as the handlers read them. */
    if (req.headers.authorization != NULL) {
        char token[AUTH_TOKEN_LEN + 8];

        if (auth_bearer_token(req.headers.authorization, token, sizeof token))
            FUZZ_CHECK(strlen(token) == AUTH_TOKEN_LEN, "bearer token of %zu bytes",
                       strlen(token));
    }
    if (hticket_if_match(&req, &rep, &version) < 0)
        FUZZ_CHECK(rep.status == 400, "bad If-Match answered %d", rep.status);
    reply_reset(&rep);
    (void)request_content_type_is_ndjson(req.headers.content_type);

    rs = router_match(router_api_routes, router_api_count, &req, &route, allow, sizeof allow);
    switch (rs) {
    case ROUTER_FOUND:
        FUZZ_CHECK(route != NULL && req.nparams <= REQUEST_PARAMS_MAX, "found route");
        for (n = 0; n < req.nparams; n++)
            FUZZ_CHECK(request_param(&req, req.params[n].name) != NULL, "param %s",
                       req.params[n].name);
        if (request_param(&req, "id") != NULL)
            (void)hticket_path_id(&req, &rep);
        reply_reset(&rep);
        break;
    case ROUTER_METHOD_NOT_ALLOWED:
        FUZZ_CHECK(allow[0] != '\0', "405 without Allow");
        reply_error(&rep, 405, "method_not_allowed", NULL, "%s is not allowed here; use %s",
                    req.method_name, allow);
        FUZZ_CHECK(reply_add_header(&rep, "Allow", allow), "Allow header refused");
        goto out;
    case ROUTER_NOT_FOUND:
    case ROUTER_BAD_PATH:
        goto out;
    }

    /* The body, when the content type lets it through. */
    if (headers_ok && request_content_type_is_json(req.headers.content_type)) {
        cJSON *json = request_json_body(&req, &rep);

        if (json == NULL) {
            FUZZ_CHECK(rep.status == 400, "bad body answered %d", rep.status);
            FUZZ_CHECK(text_utf8_valid(rep.body.buf, rep.body.len), "error body not UTF-8");
        } else {
            decode_body(route, &req, json);
            reply_json(&rep, 200, json);
            FUZZ_CHECK(rep.status == 200 && rep.body.len > 0, "reply_json");
        }
    }
out:
    free(target);
    reply_fini(&rep);
    request_fini(&req);
    return 0;
}
