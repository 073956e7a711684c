/* http: the HTTP front (libmicrohttpd): connections, bodies, parking, dispatch to handlers. */
#pragma once

#include <stdbool.h>
#include <sys/socket.h>

#include "hotline/err.h"

struct server;
struct http;

/* Defaults of the HTTP front. */
#define HTTP_DEFAULT_LISTEN   "127.0.0.1:8080"
#define HTTP_IDLE_TIMEOUT_S   30      /* idle keep-alive connections are closed after this */
#define HTTP_MAX_CONNECTIONS  1024    /* lowered to fit the open-files limit */
#define HTTP_DRAIN_MS         10000   /* how long shutdown waits for requests in flight */
#define HTTP_BODY_TIMEOUT_S   30      /* a request body must arrive whole within this */

/* A parsed listen address. */
struct http_addr {
    struct sockaddr_storage ss;
    socklen_t len;
    char text[96];                    /* "127.0.0.1:8080", "[::1]:8080", canonical */
};

/* How to run the HTTP front. */
struct http_config {
    struct http_addr addr;
    unsigned threads;                 /* worker threads (>= 1) */
    unsigned idle_timeout_s;
    unsigned max_connections;
    unsigned body_timeout_s;          /* from the request line to the body's last byte; a
                                       * slower upload is cut (slow loris); 0: the default */
    const char *tls_cert_pem;         /* PEM certificate (chain) for HTTPS, or NULL: plain HTTP */
    const char *tls_key_pem;          /* its PEM private key (both or neither; borrowed,
                                       * must outlive the front) */
};

/* Parse "ADDR:PORT" (IPv4 dotted quad or "localhost") or "[IPv6]:PORT"; port 0..65535,
 * 0 picks a free port. false and e filled (field "listen") when malformed. */
bool http_parse_addr(const char *text, struct http_addr *out, struct err *e);
/* Bind the listen socket and start the worker threads. The server (borrowed, must
 * outlive the front) provides the feed, the log and the authenticator. NULL and e
 * filled (e.g. "cannot listen on 127.0.0.1:8080: Address already in use ...") on failure. */
struct http *http_start(struct server *srv, const struct http_config *cfg, struct err *e);
/* The port actually bound (useful with port 0). */
int http_port(const struct http *h);
/* The base URL actually bound, "http://127.0.0.1:8080" ("https://" with TLS); borrowed. */
const char *http_url(const struct http *h);
/* Stop accepting connections; replies from now on close their connection. */
void http_quiesce(struct http *h);
/* Wait until no request is in flight, at most timeout_ms; true when none is left. */
bool http_drain(struct http *h, int timeout_ms);
/* Stop the worker threads, close every connection and free; NULLs, accepts NULL.
 * No request may be parked any more (wake them with feed_shutdown and drain first). */
void http_stop(struct http **h);
