/* request: one parsed HTTP request and the reply a handler builds for it, free of libmicrohttpd. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "hotline/datetime.h"
#include "hotline/err.h"
#include "hotline/model.h"
#include "hotline/util.h"

/* Bounds on what a request may carry; anything beyond is refused with a 4xx. */
#define REQUEST_TARGET_MAX   8192            /* raw request-target, bytes */
#define REQUEST_SEGMENTS_MAX 16              /* path segments */
#define REQUEST_SEGMENT_MAX  200             /* one decoded path segment, bytes */
#define REQUEST_QUERY_MAX    32              /* query parameters */
#define REQUEST_QNAME_MAX    64              /* one decoded query parameter name, bytes */
#define REQUEST_QVALUE_MAX   4096            /* one decoded query parameter value, bytes */
#define REQUEST_PARAMS_MAX   4               /* path parameters captured by the router */
#define REQUEST_HEADER_MAX   4096            /* one copied header value, bytes */
#define REQUEST_BODY_MAX     (1024 * 1024)   /* body bytes (413 beyond) */

/* HTTP methods the server knows; anything else is HTTP_OTHER. */
enum http_method {
    HTTP_GET,
    HTTP_HEAD,
    HTTP_POST,
    HTTP_PUT,
    HTTP_PATCH,
    HTTP_DELETE,
    HTTP_OPTIONS,
    HTTP_OTHER,
    HTTP_METHOD_COUNT,
};

/* One name=value pair (a query parameter or a captured path parameter). */
struct request_param {
    char *name;
    char *value;
};

/* The selected request headers, copied (NULL when absent). */
struct request_headers {
    char *authorization;
    char *content_type;
    char *if_match;
    char *if_none_match;
    char *idempotency_key;
    char *request_id;
};

/* One request as handlers see it. Owned by http.c; freed with request_fini in one place. */
struct request {
    enum http_method method;
    char method_name[16];                          /* as sent, for logs and errors */
    char *path;                                    /* decoded, without the query */
    char *segments[REQUEST_SEGMENTS_MAX];          /* decoded path segments (point into segbuf) */
    size_t nsegments;
    char *segbuf;
    struct request_param query[REQUEST_QUERY_MAX]; /* decoded, in order; names may repeat */
    size_t nquery;
    struct request_param params[REQUEST_PARAMS_MAX]; /* path parameters by pattern name */
    size_t nparams;
    struct request_headers headers;
    struct strbuf body;                            /* body bytes; body.buf NULL when empty */
    char remote[64];                               /* client address, "-" when unknown */
    int64_t start_ms;                              /* monotonic milliseconds at arrival */
    hl_time received_at;                           /* wall clock at arrival */
    struct user user;                              /* filled by authentication */
    bool authed;
    bool resumed;                                  /* the handler is called again after parking */
    void *scratch;                                 /* the handler's own state across a park */
    void (*scratch_free)(void *scratch);           /* frees scratch in request_fini, may be NULL */
};

/* Maximum extra response headers a handler may add. */
#define REPLY_HEADERS_MAX 8

/* What a handler answers. status 0 means "no answer yet". */
struct reply {
    int status;
    struct strbuf body;
    const char *content_type;        /* static string; NULL means JSON (UTF-8) */
    char *etag;                      /* owned, already quoted: "\"3\"" */
    char *location;                  /* owned */
    struct request_param headers[REPLY_HEADERS_MAX];
    size_t nheaders;
    bool close;                      /* close the connection after this reply */
    /* Parking: set park and return; the handler is called again with req->resumed once
     * a sequence number > park_after_seq is published, park_deadline (monotonic ms)
     * passes, or the server shuts down. On that second call it must answer. */
    bool park;
    int64_t park_after_seq;
    int64_t park_deadline;
};

/* Zero a request. */
void request_init(struct request *req);
/* Release everything a request owns (user, scratch, strings) and zero it. */
void request_fini(struct request *req);
/* Method of an HTTP method name ("GET" -> HTTP_GET; unknown -> HTTP_OTHER). */
enum http_method request_method_parse(const char *name);
/* Canonical name of a method ("GET"); borrowed static string. */
const char *request_method_str(enum http_method m);
/* Parse a raw request-target ("/a/b%20c?x=1&y") into path, segments and query: strict
 * percent-decoding; refuses NUL, control characters, invalid UTF-8, encoded '/', "." and
 * ".." segments and anything over the bounds above. On error fills e (field "path" or
 * "query") and the request keeps no partial result. */
int request_parse_target(struct request *req, const char *target, struct err *e);
/* First value of a query parameter, or NULL; borrowed until request_fini. */
const char *request_query(const struct request *req, const char *name);
/* Value of a path parameter captured by the router ("id"), or NULL; borrowed. */
const char *request_param(const struct request *req, const char *name);
/* True when a Content-Type is JSON: "application/json", any case, optionally with
 * "; charset=utf-8" (also any case and spacing); other parameters or charsets are not. */
bool request_content_type_is_json(const char *content_type);
/* True when a Content-Type is NDJSON: "application/x-ndjson", with the same rules. */
bool request_content_type_is_ndjson(const char *content_type);
/* The body parsed as JSON. On failure (empty, malformed, invalid UTF-8) fills rep with
 * 400 malformed_json and returns NULL. Caller owns the result (cJSON_Delete). */
cJSON *request_json_body(const struct request *req, struct reply *rep);

/* Initialise an empty reply. */
void reply_init(struct reply *rep);
/* Release what a reply owns and reset it. */
void reply_fini(struct reply *rep);
/* Empty the reply (status, body, headers, park) so it can be filled anew. */
void reply_reset(struct reply *rep);
/* Answer with a JSON document; root is consumed (deleted) in every case. */
void reply_json(struct reply *rep, int status, cJSON *root);
/* Answer {"error":{"code","message","field"}}; field NULL gives JSON null. */
void reply_error(struct reply *rep, int status, const char *code, const char *field,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Answer with plain UTF-8 text (Content-Type text/plain; charset=utf-8). */
void reply_text(struct reply *rep, int status, const char *text);
/* Set the ETag from a version number: "\"<version>\"". */
void reply_set_etag(struct reply *rep, int64_t version);
/* Set the Location header (copied). */
void reply_set_location(struct reply *rep, const char *location);
/* Add a response header (both copied); false when REPLY_HEADERS_MAX are used. */
bool reply_add_header(struct reply *rep, const char *name, const char *value);
/* Ask to park until a sequence number > after_seq is published or deadline_ms passes. */
void reply_park(struct reply *rep, int64_t after_seq, int64_t deadline_ms);
