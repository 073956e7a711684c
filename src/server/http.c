/* http: the HTTP front (libmicrohttpd): connections, bodies, parking, dispatch to handlers.
 * The only file that includes microhttpd.h. One struct exchange per request, made when
 * the request line arrives (URI log callback) and freed in on_completed, nowhere else. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "hotline/util.h"
#include "feed.h"
#include "http.h"
#include "log.h"
#include "request.h"
#include "router.h"
#include "server.h"

/* Bytes of an over-long chunked body read and dropped before the connection is cut. */
#define DISCARD_MAX (4 * REQUEST_BODY_MAX)

static const char json_type[] = "application/json; charset=utf-8";

struct http {
    struct server *srv;               /* borrowed */
    int64_t body_timeout_ms;          /* a body slower than this is cut */
    struct MHD_Daemon *daemon;
    bool quiesced;                    /* the listen socket is closed */
    int port;
    char url[128];
    atomic_bool draining;
    pthread_mutex_t lock;             /* guards in_flight */
    pthread_cond_t idle;              /* signalled when in_flight drops to 0 (monotonic) */
    long in_flight;                   /* requests with complete headers, not yet done */
};

/* All the state of one request, from its request line to its completion. */
struct exchange {
    struct http *http;
    struct MHD_Connection *conn;
    char *target;                     /* the raw request-target */
    struct request req;
    struct reply rep;
    const struct route *route;        /* set once matched */
    bool started;                     /* the first access call (headers) is done */
    bool too_large;                   /* the body went over REQUEST_BODY_MAX */
    size_t discarded;                 /* body bytes dropped after that */
    bool parked;                      /* suspended, waiting for the feed hub */
    bool counted;                     /* headers complete: counted in in_flight */
    int64_t start_us;                 /* monotonic microseconds at the request line */
    int status;                       /* status sent, 0 when none */
};

/* Monotonic clock in microseconds, for the duration in the log. */
static int64_t
now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Count requests in flight up or down; wake http_drain at zero. */
static void
in_flight_add(struct http *h, long delta)
{
    pthread_mutex_lock(&h->lock);
    h->in_flight += delta;
    if (h->in_flight == 0)
        pthread_cond_broadcast(&h->idle);
    pthread_mutex_unlock(&h->lock);
}

/* MHD's URI log callback: the request line has arrived; make the exchange. */
static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct http *h = cls;
    struct exchange *x = xcalloc(1, sizeof *x);

    x->http = h;
    x->conn = conn;
    x->target = xstrndup(uri != NULL ? uri : "", REQUEST_TARGET_MAX + 1);
    request_init(&x->req);
    reply_init(&x->rep);
    x->req.start_ms = feed_now_ms();
    x->start_us = now_us();
    x->req.received_at = (hl_time)time(NULL);
    return x;
}

/* MHD's completion callback: log the request and free its exchange (the one place). */
static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
    struct http *h = cls;
    struct exchange *x = *con_cls;
    const char *pattern = NULL;

    if (x == NULL)
        return;
    if (x->route != NULL && (x->route->flags & ROUTE_PRIVATE_PATH))
        pattern = x->route->pattern;
    if (x->req.path == NULL && x->req.method_name[0] == '\0')
        str_copy(x->req.method_name, sizeof x->req.method_name, "-");
    log_request(h->srv->log, &x->req, pattern, x->status,
                (double)(now_us() - x->start_us) / 1000.0);
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && x->status != 0)
        log_msg(h->srv->log, "http", "reply %d to %s was not fully sent (code %d)",
                x->status, x->req.method_name, (int)toe);
    request_fini(&x->req);
    reply_fini(&x->rep);
    if (x->counted)
        in_flight_add(h, -1);
    free(x->target);
    free(x);
    *con_cls = NULL;
}

/* MHD's error logger: into our log. */
static void __attribute__((format(printf, 2, 0)))
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    struct http *h = cls;

    log_msgv(h->srv->log, "microhttpd", fmt, ap);
}

/* True when a request id is safe to echo: 1-64 of [A-Za-z0-9._-]. */
static bool
request_id_ok(const char *s)
{
    size_t n = 0;

    for (; s[n] != '\0'; n++) {
        char c = s[n];

        if (n >= 64 || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return false;
    }
    return n > 0;
}

/* Turn the reply into an MHD response and queue it. */
static enum MHD_Result
send_reply(struct exchange *x)
{
    struct http *h = x->http;
    struct reply *rep = &x->rep;
    struct MHD_Response *resp;
    size_t len = rep->body.len, i;
    char *body = strbuf_detach(&rep->body);
    enum MHD_Result ok;

    resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (resp == NULL) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            rep->content_type != NULL ? rep->content_type : json_type);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (rep->etag != NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, rep->etag);
    if (rep->location != NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, rep->location);
    for (i = 0; i < rep->nheaders; i++) {
        if (MHD_add_response_header(resp, rep->headers[i].name, rep->headers[i].value) != MHD_YES)
            log_msg(h->srv->log, "http", "refused response header '%s'", rep->headers[i].name);
    }
    if (x->req.headers.request_id != NULL && request_id_ok(x->req.headers.request_id))
        MHD_add_response_header(resp, "X-Request-Id", x->req.headers.request_id);
    if (rep->close || atomic_load(&h->draining))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    x->status = rep->status;
    ok = MHD_queue_response(x->conn, (unsigned)rep->status, resp);
    MHD_destroy_response(resp);
    return ok;
}

/* Answer an error at once, closing the connection when the body was not read. */
static enum MHD_Result
send_error(struct exchange *x, int status, const char *code, const char *field, bool close,
           const char *msg)
{
    reply_reset(&x->rep);
    reply_error(&x->rep, status, code, field, "%s", msg);
    x->rep.close = close;
    return send_reply(x);
}

/* Copy a request header (NULL when absent); false when it is longer than allowed. */
static bool
copy_header(struct MHD_Connection *conn, const char *name, char **out)
{
    const char *v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);

    if (v == NULL)
        return true;
    if (strnlen(v, REQUEST_HEADER_MAX + 1) > REQUEST_HEADER_MAX)
        return false;
    *out = xstrdup(v);
    return true;
}

/* The client's address as text. */
static void
remote_text(struct MHD_Connection *conn, char *buf, size_t sz)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci != NULL ? ci->client_addr : NULL;

    if (sa == NULL)
        return;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in4 = (const struct sockaddr_in *)(const void *)sa;

        inet_ntop(AF_INET, &in4->sin_addr, buf, (socklen_t)sz);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;

        inet_ntop(AF_INET6, &in6->sin6_addr, buf, (socklen_t)sz);
    }
}

/* True when the body is NDJSON and the route it goes to takes NDJSON (ROUTE_NDJSON). */
static bool
ndjson_allowed(struct request *req)
{
    const struct route *route = NULL;

    if (!request_content_type_is_ndjson(req->headers.content_type))
        return false;
    return router_match(router_api_routes, router_api_count, req, &route, NULL, 0) ==
               ROUTER_FOUND &&
           (route->flags & ROUTE_NDJSON);
}

/* First call for a request: headers are in. Parse the target and headers, refuse
 * what cannot be served before any body is read. */
static enum MHD_Result
begin(struct exchange *x, const char *method)
{
    struct MHD_Connection *conn = x->conn;
    struct request *req = &x->req;
    struct request_headers *hd = &req->headers;
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_LENGTH);
    const char *te = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_TRANSFER_ENCODING);
    long length = 0;
    bool has_body;
    struct err e;

    x->started = true;
    x->counted = true;
    in_flight_add(x->http, 1);
    req->method = request_method_parse(method);
    str_copy(req->method_name, sizeof req->method_name, method != NULL ? method : "-");
    remote_text(conn, req->remote, sizeof req->remote);
    if (!copy_header(conn, MHD_HTTP_HEADER_AUTHORIZATION, &hd->authorization) ||
        !copy_header(conn, MHD_HTTP_HEADER_CONTENT_TYPE, &hd->content_type) ||
        !copy_header(conn, MHD_HTTP_HEADER_IF_MATCH, &hd->if_match) ||
        !copy_header(conn, MHD_HTTP_HEADER_IF_NONE_MATCH, &hd->if_none_match) ||
        !copy_header(conn, "Idempotency-Key", &hd->idempotency_key) ||
        !copy_header(conn, "X-Request-Id", &hd->request_id))
        return send_error(x, 400, "invalid_header", NULL, true,
                          "a request header is longer than 4096 bytes");
    err_clear(&e);
    if (request_parse_target(req, x->target, &e) != HL_OK) {
        bool in_path = strcmp(e.field, "path") == 0;

        return send_error(x, 400, in_path ? "invalid_path" : "invalid_query",
                          in_path ? NULL : e.field, true, e.msg);
    }
    if (te != NULL && strcasecmp(te, "chunked") != 0)
        return send_error(x, 501, "not_implemented", "Transfer-Encoding", true,
                          "only Transfer-Encoding: chunked is understood; send the body as is "
                          "with a Content-Length");
    if (cl != NULL && !str_to_long(cl, 0, LONG_MAX, &length))
        return send_error(x, 400, "invalid_header", "Content-Length", true,
                          "the Content-Length header is not a number");
    if (length > REQUEST_BODY_MAX) {
        char msg[128];

        snprintf(msg, sizeof msg, "the request body is larger than %d bytes",
                 REQUEST_BODY_MAX);
        return send_error(x, 413, "body_too_large", NULL, true, msg);
    }
    has_body = length > 0 || te != NULL;
    if (has_body && (req->method == HTTP_POST || req->method == HTTP_PUT ||
                     req->method == HTTP_PATCH) &&
        !request_content_type_is_json(hd->content_type) && !ndjson_allowed(req))
        return send_error(x, 415, "unsupported_media_type", NULL, true,
                          "send the body as Content-Type: application/json (UTF-8)");
    return MHD_YES;
}

/* A chunk of body: keep it, or drop it once over the cap; cut a body that trickles in
 * slower than the body timeout (slow loris: the idle timeout alone never fires while a
 * byte comes now and then). */
static enum MHD_Result
take_body(struct exchange *x, const char *data, size_t n)
{
    if (feed_now_ms() - x->req.start_ms > x->http->body_timeout_ms) {
        log_msg(x->http->srv->log, "http",
                "%s: the request body took longer than %lld s: connection closed", x->req.remote,
                (long long)(x->http->body_timeout_ms / 1000));
        return MHD_NO;
    }
    if (!x->too_large && x->req.body.len + n > REQUEST_BODY_MAX) {
        x->too_large = true;
        strbuf_fini(&x->req.body);
    }
    if (x->too_large) {
        x->discarded += n;
        return x->discarded > DISCARD_MAX ? MHD_NO : MHD_YES;
    }
    strbuf_add(&x->req.body, data, n);
    return MHD_YES;
}

/* The feed hub's wake-up: hand the connection back to its worker thread. */
static void
on_wake(void *waiter, enum feed_wake why, void *arg)
{
    struct exchange *x = waiter;

    (void)why;
    (void)arg;
    MHD_resume_connection(x->conn);
}

/* Suspend the connection and park it on the feed hub; resume at once if not parked. */
static enum MHD_Result
park(struct exchange *x)
{
    struct http *h = x->http;
    enum feed_park_result r;

    x->rep.park = false;
    x->parked = true;
    MHD_suspend_connection(x->conn);
    r = feed_park(h->srv->feed, x, x->rep.park_after_seq, x->rep.park_deadline, on_wake, h);
    if (r != FEED_PARKED)
        MHD_resume_connection(x->conn);
    return MHD_YES;
}

/* Authenticate a request to a non-public route; false when rep holds the refusal. */
static bool
authenticate(struct server *srv, struct request *req, struct reply *rep)
{
    if (srv->authenticate != NULL && srv->authenticate(srv, req, rep))
        return true;
    if (rep->status == 0)
        reply_error(rep, 401, "unauthorized", NULL,
                    "sign in first: POST /api/v1/session, then send Authorization: Bearer <token>");
    return false;
}

/* The whole request is in (or it was resumed): route it, run the handler, answer or park. */
static enum MHD_Result
dispatch(struct exchange *x)
{
    struct server *srv = x->http->srv;
    struct request *req = &x->req;
    char allow[64];

    if (x->too_large) {
        char msg[128];

        snprintf(msg, sizeof msg, "the request body is larger than %d bytes",
                 REQUEST_BODY_MAX);
        return send_error(x, 413, "body_too_large", NULL, true, msg);
    }
    if (x->parked) {
        x->parked = false;
        req->resumed = true;
        reply_reset(&x->rep);
        x->route->handler(srv, req, &x->rep);
        if (x->rep.park || x->rep.status == 0)
            return send_error(x, 500, "internal_error", NULL, false,
                              "the handler did not answer after waiting");
        return send_reply(x);
    }
    switch (router_match(router_api_routes, router_api_count, req, &x->route, allow,
                         sizeof allow)) {
    case ROUTER_FOUND:
        break;
    case ROUTER_NOT_FOUND:
        return send_error(x, 404, "not_found", NULL, false, "no such path in the API");
    case ROUTER_METHOD_NOT_ALLOWED:
        reply_error(&x->rep, 405, "method_not_allowed", NULL, "%s is not allowed here; use %s",
                    req->method_name, allow);
        reply_add_header(&x->rep, MHD_HTTP_HEADER_ALLOW, allow);
        return send_reply(x);
    case ROUTER_BAD_PATH:
        return send_error(x, 400, "invalid_path", NULL, false, "the path is not allowed");
    }
    if (!(x->route->flags & ROUTE_PUBLIC) && !authenticate(srv, req, &x->rep))
        return send_reply(x);
    x->route->handler(srv, req, &x->rep);
    if (x->rep.park)
        return park(x);
    if (x->rep.status == 0)
        return send_error(x, 500, "internal_error", NULL, false, "the handler gave no answer");
    return send_reply(x);
}

/* MHD's access handler: called for the headers, for each piece of body, and once the
 * request is complete (again after a resume). */
static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
    struct exchange *x = *con_cls;

    (void)cls;
    (void)url;
    (void)version;
    if (x == NULL)
        return MHD_NO;   /* no request line seen: cannot happen with the URI callback */
    if (!x->started) {
        x->conn = conn;
        return begin(x, method);
    }
    if (*upload_size > 0) {
        size_t n = *upload_size;

        *upload_size = 0;
        return take_body(x, upload_data, n);
    }
    return dispatch(x);
}

/* Parse "ADDR:PORT" (IPv4 dotted quad or "localhost") or "[IPv6]:PORT". */
bool
http_parse_addr(const char *text, struct http_addr *out, struct err *e)
{
    char host[64];
    const char *colon, *port_text;
    size_t hlen;
    long port;
    bool v6 = false;

    memset(out, 0, sizeof *out);
    if (text == NULL || text[0] == '\0')
        goto bad;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');

        if (close == NULL || close[1] != ':')
            goto bad;
        hlen = (size_t)(close - text - 1);
        if (hlen == 0 || hlen >= sizeof host)
            goto bad;
        memcpy(host, text + 1, hlen);
        host[hlen] = '\0';
        port_text = close + 2;
        v6 = true;
    } else {
        colon = strrchr(text, ':');
        if (colon == NULL || colon == text)
            goto bad;
        hlen = (size_t)(colon - text);
        if (hlen >= sizeof host)
            goto bad;
        memcpy(host, text, hlen);
        host[hlen] = '\0';
        port_text = colon + 1;
    }
    if (port_text[0] < '0' || port_text[0] > '9' || !str_to_long(port_text, 0, 65535, &port)) {
        err_set(e, HL_EINVAL, "listen", "--listen '%s': the port must be a number from 0 to 65535",
                text);
        return false;
    }
    if (v6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)(void *)&out->ss;

        if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
            goto bad;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        out->len = sizeof *in6;
        snprintf(out->text, sizeof out->text, "[%s]:%d", host, (int)port);
    } else {
        struct sockaddr_in *in4 = (struct sockaddr_in *)(void *)&out->ss;

        if (strcmp(host, "localhost") == 0)
            str_copy(host, sizeof host, "127.0.0.1");
        if (inet_pton(AF_INET, host, &in4->sin_addr) != 1)
            goto bad;
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)port);
        out->len = sizeof *in4;
        snprintf(out->text, sizeof out->text, "%s:%d", host, (int)port);
    }
    return true;
bad:
    err_set(e, HL_EINVAL, "listen",
            "--listen '%s': expected ADDR:PORT such as 127.0.0.1:8080 or [::1]:8080",
            text != NULL ? text : "");
    return false;
}

/* Make, bind and listen on the socket of addr; -1 and e filled on failure. */
static int
open_listener(const struct http_addr *addr, struct err *e)
{
    int fd, one = 1, saved;
    const char *hint = "";

    fd = socket(addr->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        goto fail;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (addr->ss.ss_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, (const struct sockaddr *)(const void *)&addr->ss, addr->len) != 0 ||
        listen(fd, SOMAXCONN) != 0)
        goto fail;
    return fd;
fail:
    saved = errno;
    if (fd >= 0)
        close(fd);
    if (saved == EADDRINUSE)
        hint = " (is another hotlined running? use --listen)";
    else if (saved == EACCES)
        hint = " (ports below 1024 need privileges: pick another with --listen)";
    else if (saved == EADDRNOTAVAIL)
        hint = " (the address is not one of this machine's)";
    err_set(e, HL_EIO, "listen", "cannot listen on %s: %s%s", addr->text, strerror(saved), hint);
    return -1;
}

/* The bound port of a socket, or -1. */
static int
bound_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;

    if (getsockname(fd, (struct sockaddr *)(void *)&ss, &len) != 0)
        return -1;
    if (ss.ss_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)(const void *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)(const void *)&ss)->sin6_port);
    return -1;
}

/* Bind the listen socket and start the worker threads. */
struct http *
http_start(struct server *srv, const struct http_config *cfg, struct err *e)
{
    struct http *h;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ITC | MHD_USE_ERROR_LOG;
    pthread_condattr_t attr;
    char host[96];
    int fd;
    /* the certificate and key options, only with TLS (MHD warns about them otherwise) */
    struct MHD_OptionItem tls_opts[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)(uintptr_t)cfg->tls_cert_pem},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)(uintptr_t)cfg->tls_key_pem},
        {MHD_OPTION_END, 0, NULL},
    };

    if (cfg->tls_cert_pem == NULL)
        tls_opts[0].option = MHD_OPTION_END;
    if ((cfg->tls_cert_pem == NULL) != (cfg->tls_key_pem == NULL)) {
        err_set(e, HL_EINVAL, "tls", "HTTPS needs both a certificate and its key");
        return NULL;
    }
    if (cfg->tls_cert_pem != NULL) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            err_set(e, HL_EIO, "tls",
                    "this libmicrohttpd was built without TLS support: run without "
                    "--tls-cert/--tls-key behind a TLS proxy, or install one built with GnuTLS");
            return NULL;
        }
        flags |= MHD_USE_TLS;
    }
    fd = open_listener(&cfg->addr, e);
    if (fd < 0)
        return NULL;
    if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES)
        flags |= MHD_USE_EPOLL;
    else
        flags |= MHD_USE_POLL;
    if (cfg->addr.ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    h = xcalloc(1, sizeof *h);
    h->srv = srv;
    h->body_timeout_ms = 1000 * (int64_t)(cfg->body_timeout_s > 0 ? cfg->body_timeout_s
                                                                  : HTTP_BODY_TIMEOUT_S);
    h->port = bound_port(fd);
    atomic_init(&h->draining, false);
    pthread_mutex_init(&h->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&h->idle, &attr);
    pthread_condattr_destroy(&attr);
    str_copy(host, sizeof host, cfg->addr.text);
    *strrchr(host, ':') = '\0';
    snprintf(h->url, sizeof h->url, "%s://%s:%d", cfg->tls_cert_pem != NULL ? "https" : "http",
             host, h->port);
    h->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, h,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, h,
        MHD_OPTION_ARRAY, tls_opts,
        MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)(cfg->threads > 1 ? cfg->threads : 0),
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg->idle_timeout_s,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)cfg->max_connections,
        MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, h,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
        MHD_OPTION_END);
    if (h->daemon == NULL) {
        if (cfg->tls_cert_pem != NULL)
            err_set(e, HL_EIO, "tls", "cannot start the HTTPS server on %s: is the key the "
                    "certificate's, are both PEM? (see the log)", cfg->addr.text);
        else
            err_set(e, HL_EIO, "listen", "cannot start the HTTP server on %s (see the log)",
                    cfg->addr.text);
        close(fd);
        pthread_cond_destroy(&h->idle);
        pthread_mutex_destroy(&h->lock);
        free(h);
        return NULL;
    }
    return h;
}

/* The port actually bound (useful with port 0). */
int
http_port(const struct http *h)
{
    return h->port;
}

/* The base URL actually bound, "http://127.0.0.1:8080" or "https://...". */
const char *
http_url(const struct http *h)
{
    return h->url;
}

/* Stop accepting connections. */
void
http_quiesce(struct http *h)
{
    MHD_socket fd;

    atomic_store(&h->draining, true);
    if (h->quiesced)
        return;
    h->quiesced = true;
    fd = MHD_quiesce_daemon(h->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);   /* ours now: refuse connections waiting in the backlog */
}

/* Wait until no request is in flight, at most timeout_ms. */
bool
http_drain(struct http *h, int timeout_ms)
{
    int64_t deadline = feed_now_ms() + timeout_ms;
    bool idle;

    pthread_mutex_lock(&h->lock);
    while (h->in_flight > 0 && feed_now_ms() < deadline) {
        struct timespec ts;

        ts.tv_sec = (time_t)(deadline / 1000);
        ts.tv_nsec = (long)(deadline % 1000) * 1000000;
        pthread_cond_timedwait(&h->idle, &h->lock, &ts);
    }
    idle = h->in_flight == 0;
    pthread_mutex_unlock(&h->lock);
    return idle;
}

/* Stop the worker threads, close every connection and free. */
void
http_stop(struct http **hp)
{
    struct http *h;

    if (hp == NULL || *hp == NULL)
        return;
    h = *hp;
    MHD_stop_daemon(h->daemon);
    pthread_cond_destroy(&h->idle);
    pthread_mutex_destroy(&h->lock);
    free(h);
    *hp = NULL;
}
