/* net: HTTP requests over one libcurl multi handle; nothing here ever blocks. */
#pragma once

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hotline/err.h"
#include "loop.h"

/*
 * One struct net owns one CURLM handle. Requests are started with net_request and
 * finish through their callback, which is called exactly once per request, always
 * from net_dispatch / net_on_fd / net_on_timeout / net_free (never from inside
 * net_request or net_cancel), so a callback may start new requests.
 *
 * Loop integration: net_loop_source() gives the struct loop_source to register with
 * loop_add_source (poll style below). Or by hand, two ways (pick one):
 * - poll style: each iteration, net_pollfds() fills struct pollfd entries and
 *   net_timeout_ms() says how long the loop may sleep for net's sake; after poll,
 *   net_dispatch(net, fds, n) hands the revents back (fds may be the whole array
 *   of the loop: entries that are not net's are ignored);
 * - registration style: net_set_watch() installs callbacks that are told when an fd
 *   must be watched (or no longer) and when the timeout changes; the loop then calls
 *   net_on_fd(fd, revents) and net_on_timeout() when the timeout expires.
 */

/* Longest response body kept, bytes; a larger body fails the request (never cut). */
#define NET_BODY_MAX (8u * 1024u * 1024u)
/* Default request timeout, milliseconds. */
#define NET_TIMEOUT_DEFAULT_MS 10000
/* Most connections kept to one host. */
#define NET_MAX_HOST_CONNECTIONS 4

struct net;

/* Options of net_new; zero is the safe default (TLS verified with the system's CAs). */
struct net_opts {
    bool insecure;            /* --insecure: skip TLS peer and host verification */
    const char *cacert;       /* --cacert FILE: trust these CAs (copied), NULL: system */
    long max_host_connections;/* 0: NET_MAX_HOST_CONNECTIONS */
    size_t body_max;          /* 0: NET_BODY_MAX */
    const char *user_agent;   /* User-Agent (copied); NULL: "hotline" */
};

/* What a finished request got. Everything is borrowed for the callback's duration. */
struct net_response {
    uint64_t id;              /* the id net_request returned */
    long status;              /* HTTP status; 0 when the request failed below HTTP */
    bool cancelled;           /* net_cancel or net_free ended it; nothing else is set */
    bool timed_out;           /* the request's timeout passed (status 0) */
    bool too_large;           /* the body passed the cap (status 0) */
    const char *error;        /* "" on success, else what went wrong (libcurl's text) */
    const char *etag;         /* response headers, "" when absent */
    const char *location;
    const char *content_type;
    long retry_after;         /* seconds of Retry-After, -1 when absent or a date */
    const char *body;         /* NUL-terminated, len bytes ("" when empty) */
    size_t len;
    int64_t elapsed_ms;       /* from net_request to the end */
};

/* Completion of a request. */
typedef void (*net_done_fn)(const struct net_response *r, void *arg);

/* What to watch on an fd (bit set). */
enum net_events {
    NET_IN = 1,
    NET_OUT = 2,
};

/* Registration-style hooks: watch(fd, events, arg) with events 0 means "forget fd";
 * timer(ms, arg) with ms -1 means "no timeout", 0 means "call net_on_timeout soon". */
typedef void (*net_watch_fn)(int fd, int events, void *arg);
typedef void (*net_timer_fn)(long ms, void *arg);

/* A new network context with its multi handle. NULL and e filled when libcurl cannot
 * start or the options are wrong (e.g. a cacert file that cannot be read). */
struct net *net_new(const struct net_opts *opts, struct err *e);
/* Cancel every request (callbacks get cancelled=true), release libcurl; NULLs *net,
 * accepts NULL. Callbacks must not start requests at that point (they get 0). */
void net_free(struct net **net);

/* Start a request: method ("GET", "POST", ...), absolute url, extra header lines
 * ("Name: value", NULL-terminated array, may be NULL), a body of len bytes (copied;
 * NULL for none), a timeout in ms (0: NET_TIMEOUT_DEFAULT_MS). Returns the request id
 * (never 0) or 0 with e filled when it cannot start (bad arguments, net closing). */
uint64_t net_request(struct net *net, const char *method, const char *url,
                     const char *const *headers, const char *body, size_t len,
                     long timeout_ms, net_done_fn done, void *arg, struct err *e);
/* Cancel a request: its callback will be called with cancelled=true at the next
 * dispatch. False when id is unknown or already finished. */
bool net_cancel(struct net *net, uint64_t id);
/* Number of requests started and not yet completed (including cancelled ones whose
 * callback is still due). */
size_t net_pending(const struct net *net);

/* Install registration-style hooks (NULL to remove). watch is called at once for the
 * fds already in use. */
void net_set_watch(struct net *net, net_watch_fn watch, net_timer_fn timer, void *arg);
/* Hand an fd's readiness to libcurl (revents: POLLIN/POLLOUT/POLLERR bits), then run
 * the callbacks of finished requests. */
void net_on_fd(struct net *net, int fd, short revents);
/* Tell libcurl its timeout expired, then run the callbacks of finished requests. */
void net_on_timeout(struct net *net);

/* Poll style: fill up to max entries with the fds to watch; returns how many. */
size_t net_pollfds(const struct net *net, struct pollfd *fds, size_t max);
/* Poll style: how long the loop may sleep for net, ms; -1 when net waits for nothing,
 * 0 when net_dispatch must run now. */
int net_timeout_ms(const struct net *net);
/* Poll style: hand over the revents of a poll (entries of other fds are ignored), run
 * the expired timeout, then the callbacks of finished requests. */
void net_dispatch(struct net *net, const struct pollfd *fds, size_t n);

/* The loop source of net (fds: net_pollfds + net_timeout_ms; dispatch: net_dispatch);
 * register it with loop_add_source. net must outlive the registration. */
void net_loop_source(struct net *net, struct loop_source *out);

/* Block until every request started so far has completed or timeout_ms passed (-1:
 * no limit): a private poll loop for command-line paths with no screen (hotline
 * login). Returns false on timeout. Never use it while the console runs. */
bool net_run_until_idle(struct net *net, int timeout_ms);

/* Milliseconds of the monotonic clock (the time base of net and api timers). */
int64_t net_now_ms(void);
