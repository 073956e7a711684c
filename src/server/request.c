/* request: parsing of the request-target, query and body, and building of replies. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hotline/text.h"
#include "request.h"

static const char *const method_names[HTTP_METHOD_COUNT] = {
    [HTTP_GET] = "GET",
    [HTTP_HEAD] = "HEAD",
    [HTTP_POST] = "POST",
    [HTTP_PUT] = "PUT",
    [HTTP_PATCH] = "PATCH",
    [HTTP_DELETE] = "DELETE",
    [HTTP_OPTIONS] = "OPTIONS",
    [HTTP_OTHER] = "OTHER",
};

/* Why a percent-decoding failed. */
enum decode_result {
    DECODE_OK,
    DECODE_BAD_ESCAPE,   /* '%' not followed by two hex digits */
    DECODE_TOO_LONG,     /* more than the output can hold */
    DECODE_NUL,          /* decodes to a NUL byte */
    DECODE_CONTROL,      /* decodes to a control character */
    DECODE_BAD_UTF8,     /* the decoded bytes are not UTF-8 */
};

/* Zero a request. */
void
request_init(struct request *req)
{
    memset(req, 0, sizeof *req);
    strbuf_init(&req->body);
    str_copy(req->remote, sizeof req->remote, "-");
}

/* Free the parsed target (path, segments, query, path parameters). */
static void
clear_target(struct request *req)
{
    size_t i;

    free(req->path);
    req->path = NULL;
    free(req->segbuf);
    req->segbuf = NULL;
    memset(req->segments, 0, sizeof req->segments);
    req->nsegments = 0;
    for (i = 0; i < req->nquery; i++) {
        free(req->query[i].name);
        free(req->query[i].value);
    }
    memset(req->query, 0, sizeof req->query);
    req->nquery = 0;
    for (i = 0; i < req->nparams; i++) {
        free(req->params[i].name);
        free(req->params[i].value);
    }
    memset(req->params, 0, sizeof req->params);
    req->nparams = 0;
}

/* Release everything a request owns (user, scratch, strings) and zero it. */
void
request_fini(struct request *req)
{
    if (req == NULL)
        return;
    clear_target(req);
    free(req->headers.authorization);
    free(req->headers.content_type);
    free(req->headers.if_match);
    free(req->headers.if_none_match);
    free(req->headers.idempotency_key);
    free(req->headers.request_id);
    strbuf_fini(&req->body);
    user_fini(&req->user);
    if (req->scratch != NULL && req->scratch_free != NULL)
        req->scratch_free(req->scratch);
    memset(req, 0, sizeof *req);
}

/* Method of an HTTP method name; HTTP_OTHER when unknown. */
enum http_method
request_method_parse(const char *name)
{
    int m;

    if (name == NULL)
        return HTTP_OTHER;
    for (m = 0; m < HTTP_OTHER; m++) {
        if (strcmp(name, method_names[m]) == 0)
            return (enum http_method)m;
    }
    return HTTP_OTHER;
}

/* Canonical name of a method ("GET"). */
const char *
request_method_str(enum http_method m)
{
    if ((int)m < 0 || m >= HTTP_METHOD_COUNT)
        return "OTHER";
    return method_names[m];
}

/* Value of one hex digit, or -1. */
static int
hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decode n bytes of s into out (room for cap bytes plus a NUL); '+' becomes a
 * space when plus_space. Checks NUL, control characters and UTF-8 of the result. */
static enum decode_result
decode(const char *s, size_t n, bool plus_space, char *out, size_t cap, size_t *outlen)
{
    size_t i = 0, o = 0;

    while (i < n) {
        unsigned char c = (unsigned char)s[i];

        if (c == '%') {
            int hi, lo;

            if (n - i < 3)
                return DECODE_BAD_ESCAPE;
            hi = hexval(s[i + 1]);
            lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0)
                return DECODE_BAD_ESCAPE;
            c = (unsigned char)(hi * 16 + lo);
            i += 3;
        } else {
            if (c == '+' && plus_space)
                c = ' ';
            i++;
        }
        if (c == '\0')
            return DECODE_NUL;
        if (c < 0x20 || c == 0x7f)
            return DECODE_CONTROL;
        /* C1 controls (U+0080-009F, UTF-8 C2 80-C2 9F) are controls too. */
        if (c >= 0x80 && c <= 0x9f && o > 0 && (unsigned char)out[o - 1] == 0xc2)
            return DECODE_CONTROL;
        if (o >= cap)
            return DECODE_TOO_LONG;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    if (!text_utf8_valid(out, o))
        return DECODE_BAD_UTF8;
    *outlen = o;
    return DECODE_OK;
}

/* A sentence for a failed decoding of what (e.g. "path segment 2"). */
static int
decode_error(struct err *e, const char *field, enum decode_result r, const char *what, size_t max)
{
    switch (r) {
    case DECODE_BAD_ESCAPE:
        return err_set(e, HL_EINVAL, field,
                       "%s has a malformed percent-encoding "
                       "('%%' must be followed by two hex digits)", what);
    case DECODE_TOO_LONG:
        return err_set(e, HL_EINVAL, field, "%s is longer than %zu bytes", what, max);
    case DECODE_NUL:
        return err_set(e, HL_EINVAL, field, "%s contains a NUL byte", what);
    case DECODE_CONTROL:
        return err_set(e, HL_EINVAL, field, "%s contains a control character", what);
    case DECODE_BAD_UTF8:
        return err_set(e, HL_EINVAL, field, "%s is not valid UTF-8 once decoded", what);
    case DECODE_OK:
        break;
    }
    return HL_OK;
}

/* Parse the path part (n bytes at s, starting with '/') into req. */
static int
parse_path(struct request *req, const char *s, size_t n, struct err *e)
{
    struct strbuf path;
    size_t i = 1, used = 0;
    int rc = HL_OK;

    strbuf_init(&path);
    req->segbuf = xmalloc(n + 1);
    if (n == 1) {
        /* "/" alone: no segments */
        req->path = xstrdup("/");
        goto out;
    }
    while (i <= n) {
        const char *seg = s + i;
        const char *slash = memchr(seg, '/', n - i);
        size_t rawlen = slash != NULL ? (size_t)(slash - seg) : n - i;
        size_t declen = 0;
        enum decode_result r;
        char what[48];

        if (req->nsegments == REQUEST_SEGMENTS_MAX) {
            rc = err_set(e, HL_EINVAL, "path", "the path has more than %d segments",
                         REQUEST_SEGMENTS_MAX);
            goto out;
        }
        snprintf(what, sizeof what, "path segment %zu", req->nsegments + 1);
        r = decode(seg, rawlen, false, req->segbuf + used, REQUEST_SEGMENT_MAX, &declen);
        if (r != DECODE_OK) {
            rc = decode_error(e, "path", r, what, REQUEST_SEGMENT_MAX);
            goto out;
        }
        if (memchr(req->segbuf + used, '/', declen) != NULL) {
            rc = err_set(e, HL_EINVAL, "path", "%s contains an encoded '/'", what);
            goto out;
        }
        if (strcmp(req->segbuf + used, ".") == 0 || strcmp(req->segbuf + used, "..") == 0) {
            rc = err_set(e, HL_EINVAL, "path", "%s is '%s': dot segments are not allowed",
                         what, req->segbuf + used);
            goto out;
        }
        req->segments[req->nsegments++] = req->segbuf + used;
        strbuf_addc(&path, '/');
        strbuf_add(&path, req->segbuf + used, declen);
        used += declen + 1;
        i += rawlen + 1;
    }
    req->path = strbuf_detach(&path);
out:
    strbuf_fini(&path);
    return rc;
}

/* Parse the query part (n bytes at s, after '?') into req. */
static int
parse_query(struct request *req, const char *s, size_t n, struct err *e)
{
    char name[REQUEST_QNAME_MAX + 1];
    char *value = xmalloc(REQUEST_QVALUE_MAX + 1);
    size_t i = 0;
    int rc = HL_OK;

    while (i < n) {
        const char *piece = s + i;
        const char *amp = memchr(piece, '&', n - i);
        size_t plen = amp != NULL ? (size_t)(amp - piece) : n - i;
        const char *eq = memchr(piece, '=', plen);
        size_t nlen = eq != NULL ? (size_t)(eq - piece) : plen;
        size_t declen = 0, vlen = 0;
        enum decode_result r;

        i += plen + 1;
        if (plen == 0)
            continue;   /* "a=1&&b=2" */
        if (nlen == 0) {
            rc = err_set(e, HL_EINVAL, "query", "a query parameter has no name");
            goto out;
        }
        if (req->nquery == REQUEST_QUERY_MAX) {
            rc = err_set(e, HL_EINVAL, "query", "the query has more than %d parameters",
                         REQUEST_QUERY_MAX);
            goto out;
        }
        r = decode(piece, nlen, true, name, REQUEST_QNAME_MAX, &declen);
        if (r != DECODE_OK) {
            rc = decode_error(e, "query", r, "a query parameter name", REQUEST_QNAME_MAX);
            goto out;
        }
        value[0] = '\0';
        if (eq != NULL) {
            r = decode(eq + 1, plen - nlen - 1, true, value, REQUEST_QVALUE_MAX, &vlen);
            if (r != DECODE_OK) {
                char what[REQUEST_QNAME_MAX + 32];

                snprintf(what, sizeof what, "query parameter '%s'", name);
                rc = decode_error(e, name, r, what, REQUEST_QVALUE_MAX);
                goto out;
            }
        }
        req->query[req->nquery].name = xstrndup(name, declen);
        req->query[req->nquery].value = xstrndup(value, vlen);
        req->nquery++;
    }
out:
    free(value);
    return rc;
}

/* Parse a raw request-target ("/a/b%20c?x=1&y") into path, segments and query. */
int
request_parse_target(struct request *req, const char *target, struct err *e)
{
    size_t len, plen;
    const char *q;
    int rc;

    clear_target(req);
    if (target == NULL || target[0] != '/') {
        rc = err_set(e, HL_EINVAL, "path", "the request target must be a path starting with '/'");
        goto out;
    }
    len = strnlen(target, REQUEST_TARGET_MAX + 1);
    if (len > REQUEST_TARGET_MAX) {
        rc = err_set(e, HL_EINVAL, "path", "the request target is longer than %d bytes",
                     REQUEST_TARGET_MAX);
        goto out;
    }
    if (memchr(target, '#', len) != NULL) {
        rc = err_set(e, HL_EINVAL, "path", "the request target contains a raw '#'");
        goto out;
    }
    q = memchr(target, '?', len);
    plen = q != NULL ? (size_t)(q - target) : len;
    rc = parse_path(req, target, plen, e);
    if (rc != HL_OK)
        goto out;
    if (q != NULL)
        rc = parse_query(req, q + 1, len - plen - 1, e);
out:
    if (rc != HL_OK)
        clear_target(req);
    return rc;
}

/* First value of a query parameter, or NULL. */
const char *
request_query(const struct request *req, const char *name)
{
    size_t i;

    for (i = 0; i < req->nquery; i++) {
        if (strcmp(req->query[i].name, name) == 0)
            return req->query[i].value;
    }
    return NULL;
}

/* Value of a path parameter captured by the router ("id"), or NULL. */
const char *
request_param(const struct request *req, const char *name)
{
    size_t i;

    for (i = 0; i < req->nparams; i++) {
        if (strcmp(req->params[i].name, name) == 0)
            return req->params[i].value;
    }
    return NULL;
}

/* Skip optional whitespace (spaces and tabs). */
static const char *
skip_ows(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* True when a Content-Type is the media type `type` (any case), optionally with
 * "; charset=utf-8". */
static bool
content_type_is(const char *ct, const char *type)
{
    static const char charset[] = "charset";
    size_t typelen = strlen(type);
    const char *s;

    if (ct == NULL)
        return false;
    s = skip_ows(ct);
    if (strncasecmp(s, type, typelen) != 0)
        return false;
    s = skip_ows(s + typelen);
    if (*s == '\0')
        return true;
    if (*s != ';')
        return false;
    s = skip_ows(s + 1);
    if (strncasecmp(s, charset, sizeof charset - 1) != 0)
        return false;
    s = skip_ows(s + sizeof charset - 1);
    if (*s != '=')
        return false;
    s = skip_ows(s + 1);
    if (strncasecmp(s, "utf-8", 5) == 0)
        s += 5;
    else if (strncasecmp(s, "\"utf-8\"", 7) == 0)
        s += 7;
    else
        return false;
    s = skip_ows(s);
    return *s == '\0';
}

/* True when a Content-Type is JSON. */
bool
request_content_type_is_json(const char *ct)
{
    return content_type_is(ct, "application/json");
}

/* True when a Content-Type is NDJSON. */
bool
request_content_type_is_ndjson(const char *ct)
{
    return content_type_is(ct, "application/x-ndjson");
}

/* The body parsed as JSON. */
cJSON *
request_json_body(const struct request *req, struct reply *rep)
{
    const char *end = NULL;
    cJSON *root;
    size_t len = req->body.len;

    if (len == 0 || req->body.buf == NULL) {
        reply_error(rep, 400, "malformed_json", NULL,
                    "the request body is empty: send a JSON document");
        return NULL;
    }
    if (memchr(req->body.buf, '\0', len) != NULL || !text_utf8_valid(req->body.buf, len)) {
        reply_error(rep, 400, "malformed_json", NULL, "the request body is not valid UTF-8 text");
        return NULL;
    }
    root = cJSON_ParseWithLengthOpts(req->body.buf, len, &end, false);
    if (root != NULL) {
        while (end != NULL && end < req->body.buf + len &&
               (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
            end++;
        if (end != req->body.buf + len) {
            cJSON_Delete(root);
            root = NULL;
        }
    }
    if (root == NULL) {
        size_t at = end != NULL && end >= req->body.buf ? (size_t)(end - req->body.buf) : 0;

        reply_error(rep, 400, "malformed_json", NULL,
                    "the request body is not a single valid JSON document (error at byte %zu)", at);
    }
    return root;
}

/* Initialise an empty reply. */
void
reply_init(struct reply *rep)
{
    memset(rep, 0, sizeof *rep);
    strbuf_init(&rep->body);
}

/* Release what a reply owns and reset it. */
void
reply_fini(struct reply *rep)
{
    size_t i;

    if (rep == NULL)
        return;
    strbuf_fini(&rep->body);
    free(rep->etag);
    free(rep->location);
    for (i = 0; i < rep->nheaders; i++) {
        free(rep->headers[i].name);
        free(rep->headers[i].value);
    }
    reply_init(rep);
}

/* Empty the reply (status, body, headers, park) so it can be filled anew. */
void
reply_reset(struct reply *rep)
{
    reply_fini(rep);
}

/* Answer with a JSON document. */
void
reply_json(struct reply *rep, int status, cJSON *root)
{
    char *text = root != NULL ? cJSON_PrintUnformatted(root) : NULL;

    cJSON_Delete(root);
    strbuf_reset(&rep->body);
    rep->content_type = NULL;
    if (text == NULL) {
        rep->status = 500;
        strbuf_adds(&rep->body, "{\"error\":{\"code\":\"internal_error\","
                                "\"message\":\"the reply could not be encoded\",\"field\":null}}");
        return;
    }
    rep->status = status;
    strbuf_adds(&rep->body, text);
    free(text);
}

/* Answer {"error":{"code","message","field"}}. */
void
reply_error(struct reply *rep, int status, const char *code, const char *field,
            const char *fmt, ...)
{
    char msg[512];
    cJSON *root = cJSON_CreateObject();
    cJSON *error = cJSON_AddObjectToObject(root, "error");
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cJSON_AddStringToObject(error, "code", code);
    cJSON_AddStringToObject(error, "message", msg);
    if (field != NULL)
        cJSON_AddStringToObject(error, "field", field);
    else
        cJSON_AddNullToObject(error, "field");
    reply_json(rep, status, root);
}

/* Answer with plain UTF-8 text. */
void
reply_text(struct reply *rep, int status, const char *text)
{
    rep->status = status;
    rep->content_type = "text/plain; charset=utf-8";
    strbuf_reset(&rep->body);
    strbuf_adds(&rep->body, text);
}

/* Set the ETag from a version number. */
void
reply_set_etag(struct reply *rep, int64_t version)
{
    free(rep->etag);
    rep->etag = xasprintf("\"%lld\"", (long long)version);
}

/* Set the Location header (copied). */
void
reply_set_location(struct reply *rep, const char *location)
{
    free(rep->location);
    rep->location = xstrdup(location);
}

/* Add a response header (both copied). */
bool
reply_add_header(struct reply *rep, const char *name, const char *value)
{
    if (rep->nheaders == REPLY_HEADERS_MAX)
        return false;
    rep->headers[rep->nheaders].name = xstrdup(name);
    rep->headers[rep->nheaders].value = xstrdup(value);
    rep->nheaders++;
    return true;
}

/* Ask to park until a sequence number > after_seq is published or deadline_ms passes. */
void
reply_park(struct reply *rep, int64_t after_seq, int64_t deadline_ms)
{
    rep->park = true;
    rep->park_after_seq = after_seq;
    rep->park_deadline = deadline_ms;
}
