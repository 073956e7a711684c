/* router: the const table of API paths and the matching of a request against it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "router.h"

/* Longest capture name in a pattern. */
#define NAME_MAX_LEN 31

/* The API of hotlined, base /api/v1 (DESIGN §5). One line per method and path. */
const struct route router_api_routes[] = {
    { HTTP_GET, "/api/v1/health", h_health_get, ROUTE_PUBLIC },
    { HTTP_POST, "/api/v1/session", h_session_post, ROUTE_PUBLIC },
    { HTTP_GET, "/api/v1/session", h_session_get, 0 },
    { HTTP_DELETE, "/api/v1/session", h_session_delete, 0 },
    { HTTP_GET, "/api/v1/feed", h_feed_get, 0 },
    { HTTP_POST, "/api/v1/tickets", h_tickets_create, 0 },
    { HTTP_GET, "/api/v1/tickets", h_tickets_list, 0 },
    { HTTP_GET, "/api/v1/tickets/{id}", h_tickets_get, 0 },
    { HTTP_PATCH, "/api/v1/tickets/{id}", h_tickets_patch, 0 },
    { HTTP_POST, "/api/v1/tickets/{id}/{action}", h_actions_post, 0 },
    { HTTP_GET, "/api/v1/callers/{phone}/tickets", h_callers_tickets, ROUTE_PRIVATE_PATH },
    { HTTP_GET, "/api/v1/callbacks", h_callbacks_list, 0 },
    { HTTP_GET, "/api/v1/audit", h_audit_list, 0 },
    { HTTP_GET, "/api/v1/meta", h_meta_get, 0 },
    { HTTP_GET, "/api/v1/kb", h_kb_search, 0 },
    { HTTP_POST, "/api/v1/kb", h_kb_create, 0 },
    { HTTP_GET, "/api/v1/kb/{id}", h_kb_get, 0 },
    { HTTP_PATCH, "/api/v1/kb/{id}", h_kb_patch, 0 },
    { HTTP_POST, "/api/v1/kb/{id}/publish", h_kb_publish, 0 },
    { HTTP_POST, "/api/v1/calls", h_calls_event, 0 },
    { HTTP_POST, "/api/v1/calls/import", h_calls_import, ROUTE_NDJSON },
    { HTTP_GET, "/api/v1/stats", h_stats_get, 0 },
};

const size_t router_api_count = ARRAY_SIZE(router_api_routes);

/* One capture found while matching, not yet copied into the request. */
struct capture {
    const char *name;
    size_t namelen;
    const char *value;
};

/* Match the segments of req against pattern; captures go to caps (at most
 * REQUEST_PARAMS_MAX), their number to *ncaps. */
static bool
match_pattern(const char *pattern, const struct request *req, struct capture *caps, size_t *ncaps)
{
    const char *p = pattern + 1;
    size_t i = 0;

    *ncaps = 0;
    while (*p != '\0') {
        const char *slash = strchr(p, '/');
        size_t len = slash != NULL ? (size_t)(slash - p) : strlen(p);
        const char *seg;

        if (i >= req->nsegments)
            return false;
        seg = req->segments[i];
        if (len >= 2 && p[0] == '{' && p[len - 1] == '}') {
            if (seg[0] == '\0' || *ncaps == REQUEST_PARAMS_MAX)
                return false;
            caps[*ncaps].name = p + 1;
            caps[*ncaps].namelen = len - 2;
            caps[*ncaps].value = seg;
            (*ncaps)++;
        } else if (strlen(seg) != len || memcmp(seg, p, len) != 0) {
            return false;
        }
        i++;
        p += len;
        if (*p == '/')
            p++;
    }
    return i == req->nsegments;
}

/* True when the segments of req could never be a safe path. */
static bool
bad_segments(const struct request *req)
{
    size_t i;

    if (req->nsegments > REQUEST_SEGMENTS_MAX)
        return true;
    for (i = 0; i < req->nsegments; i++) {
        const char *seg = req->segments[i];

        if (seg == NULL || strnlen(seg, REQUEST_SEGMENT_MAX + 1) > REQUEST_SEGMENT_MAX)
            return true;
        if (strcmp(seg, ".") == 0 || strcmp(seg, "..") == 0 || strchr(seg, '/') != NULL)
            return true;
    }
    return false;
}

/* Add a method name to the Allow list unless it is there already. */
static void
allow_add(char *allow, size_t allowsz, const char *name)
{
    size_t len = strlen(name);
    const char *p = allow;

    while ((p = strstr(p, name)) != NULL) {
        if ((p == allow || p[-1] == ' ') && (p[len] == ',' || p[len] == '\0'))
            return;
        p += len;
    }
    if (allow[0] != '\0')
        str_append(allow, allowsz, ", ");
    str_append(allow, allowsz, name);
}

/* Match req (method and segments) against n routes. */
enum router_status
router_match(const struct route *table, size_t n, struct request *req,
             const struct route **route, char *allow, size_t allowsz)
{
    struct capture caps[REQUEST_PARAMS_MAX];
    bool path_known = false;
    size_t i, ncaps = 0;

    *route = NULL;
    if (allowsz > 0)
        allow[0] = '\0';
    if (bad_segments(req))
        return ROUTER_BAD_PATH;
    for (i = 0; i < n; i++) {
        const struct route *r = &table[i];
        bool same;

        if (!match_pattern(r->pattern, req, caps, &ncaps))
            continue;
        path_known = true;
        same = r->method == req->method || (req->method == HTTP_HEAD && r->method == HTTP_GET);
        if (same) {
            size_t c;

            for (c = 0; c < req->nparams; c++) {
                free(req->params[c].name);
                free(req->params[c].value);
            }
            req->nparams = 0;
            for (c = 0; c < ncaps; c++) {
                req->params[c].name = xstrndup(caps[c].name, caps[c].namelen);
                req->params[c].value = xstrdup(caps[c].value);
            }
            req->nparams = ncaps;
            *route = r;
            return ROUTER_FOUND;
        }
        if (allowsz > 0) {
            allow_add(allow, allowsz, request_method_str(r->method));
            if (r->method == HTTP_GET)
                allow_add(allow, allowsz, "HEAD");
        }
    }
    return path_known ? ROUTER_METHOD_NOT_ALLOWED : ROUTER_NOT_FOUND;
}

/* Check one pattern; false with why on the first problem. */
static bool
check_pattern(const char *pattern, char *why, size_t whysz)
{
    const char *p;
    int ncaps = 0;

    if (pattern == NULL || pattern[0] != '/' || pattern[1] == '\0') {
        snprintf(why, whysz, "pattern '%s' must start with '/' and name a path",
                 pattern != NULL ? pattern : "(null)");
        return false;
    }
    p = pattern + 1;
    while (*p != '\0') {
        const char *slash = strchr(p, '/');
        size_t len = slash != NULL ? (size_t)(slash - p) : strlen(p);

        if (len == 0) {
            snprintf(why, whysz, "pattern '%s' has an empty segment", pattern);
            return false;
        }
        if (p[0] == '{' || p[len - 1] == '}' || memchr(p, '{', len) != NULL) {
            if (len < 3 || p[0] != '{' || p[len - 1] != '}' || len - 2 > NAME_MAX_LEN ||
                memchr(p + 1, '{', len - 2) != NULL || memchr(p + 1, '}', len - 2) != NULL) {
                snprintf(why, whysz, "pattern '%s' has a malformed capture", pattern);
                return false;
            }
            if (++ncaps > REQUEST_PARAMS_MAX) {
                snprintf(why, whysz, "pattern '%s' has more than %d captures", pattern,
                         REQUEST_PARAMS_MAX);
                return false;
            }
        }
        p += len;
        if (*p == '/') {
            p++;
            if (*p == '\0') {
                snprintf(why, whysz, "pattern '%s' ends with '/'", pattern);
                return false;
            }
        }
    }
    return true;
}

/* Check every pattern and entry of a table; false with why on the first problem. */
bool
router_check_table(const struct route *table, size_t n, char *why, size_t whysz)
{
    size_t i, j;

    for (i = 0; i < n; i++) {
        if (!check_pattern(table[i].pattern, why, whysz))
            return false;
        if (table[i].handler == NULL || table[i].method >= HTTP_OTHER) {
            snprintf(why, whysz, "route '%s' needs a handler and a known method",
                     table[i].pattern);
            return false;
        }
        for (j = 0; j < i; j++) {
            if (table[j].method == table[i].method &&
                strcmp(table[j].pattern, table[i].pattern) == 0) {
                snprintf(why, whysz, "route %s %s appears twice",
                         request_method_str(table[i].method), table[i].pattern);
                return false;
            }
        }
    }
    return true;
}
