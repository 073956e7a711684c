/* router: the const table of API paths and the matching of a request against it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "request.h"

struct server;

/* A handler: reads the parsed request, fills the reply (or asks to park). */
typedef void (*handler_fn)(struct server *srv, struct request *req, struct reply *rep);

/* Route flags. */
enum route_flags {
    ROUTE_PUBLIC = 1 << 0,        /* answered without authentication */
    ROUTE_PRIVATE_PATH = 1 << 1,  /* path parameters carry personal data: logs show the pattern */
    ROUTE_NDJSON = 1 << 2,        /* also takes an application/x-ndjson body */
};

/* One API path and method. Patterns are literal segments and "{name}" captures. */
struct route {
    enum http_method method;
    const char *pattern;          /* "/api/v1/tickets/{id}/{action}" */
    handler_fn handler;
    unsigned flags;               /* enum route_flags */
};

/* Outcome of a match. */
enum router_status {
    ROUTER_FOUND,                 /* route set, path parameters captured in the request */
    ROUTER_NOT_FOUND,             /* 404 not_found */
    ROUTER_METHOD_NOT_ALLOWED,    /* 405 method_not_allowed, allow lists the methods */
    ROUTER_BAD_PATH,              /* 400: a segment is "." or "..", overlong, or too many */
};

/* The API of hotlined. */
extern const struct route router_api_routes[];
/* Number of entries in router_api_routes. */
extern const size_t router_api_count;

/* Match req (method and segments) against n routes. On ROUTER_FOUND *route is set and
 * req->params holds the captures; on ROUTER_METHOD_NOT_ALLOWED allow gets "GET, HEAD"
 * style text. A HEAD request matches a GET route. */
enum router_status router_match(const struct route *table, size_t n, struct request *req,
                                const struct route **route, char *allow, size_t allowsz);
/* True when every pattern of a table is well formed (starts with '/', no empty segment,
 * captures "{name}" of at most 31 characters, at most REQUEST_PARAMS_MAX of them, and
 * no two entries with the same method and pattern); why gets the first problem. */
bool router_check_table(const struct route *table, size_t n, char *why, size_t whysz);
