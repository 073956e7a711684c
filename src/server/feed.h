/* feed: the change feed's sequence number and the long-poll waiters parked on it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hotline/err.h"

/* The hub: the last published sequence number and the parked waiters, ordered by
 * deadline; one timer thread wakes them. Every function is thread-safe. */
struct feed;

/* Why a parked waiter is woken. */
enum feed_wake {
    FEED_WAKE_PUBLISH,    /* a sequence number > its after_seq was published */
    FEED_WAKE_DEADLINE,   /* its deadline passed */
    FEED_WAKE_SHUTDOWN,   /* feed_shutdown was called */
};

/* Called exactly once per successful park, from the hub's timer thread (or from the
 * thread calling feed_shutdown), never while the hub's lock is held: it may call back
 * into the hub. It should be quick (hand the waiter back to its owner). */
typedef void (*feed_wake_fn)(void *waiter, enum feed_wake why, void *arg);

/* Outcome of feed_park. */
enum feed_park_result {
    FEED_PARKED,     /* parked: wake_fn will be called exactly once (unless cancelled) */
    FEED_READY,      /* not parked: the last sequence number is already > after_seq */
    FEED_EXPIRED,    /* not parked: the deadline has already passed */
    FEED_CLOSED,     /* not parked: the hub is shutting down */
};

/* Monotonic clock in milliseconds: the time base of park deadlines. */
int64_t feed_now_ms(void);
/* A hub whose last sequence number is last_seq, with its timer thread started.
 * NULL and e filled when the thread cannot be created. Free with feed_free. */
struct feed *feed_new(int64_t last_seq, struct err *e);
/* Stop the timer thread and free the hub; NULLs the pointer, accepts NULL. Waiters
 * still parked are dropped without a call: call feed_shutdown first. */
void feed_free(struct feed **hub);
/* Record that the change numbered seq is committed; waiters with after_seq < seq are
 * woken. A seq not above the last one is ignored. */
void feed_publish(struct feed *hub, int64_t seq);
/* The last published sequence number. */
int64_t feed_last_seq(struct feed *hub);
/* Park waiter (an opaque pointer, not dereferenced) until a sequence number > after_seq
 * is published, deadline_ms (feed_now_ms time base) passes, or the hub shuts down. */
enum feed_park_result feed_park(struct feed *hub, void *waiter, int64_t after_seq,
                                int64_t deadline_ms, feed_wake_fn wake_fn, void *arg);
/* Remove a parked waiter without calling it; false when it is not parked (never was,
 * or its wake call has been made or is under way). */
bool feed_cancel(struct feed *hub, void *waiter);
/* Wake every parked waiter with FEED_WAKE_SHUTDOWN (before returning) and refuse
 * further parks with FEED_CLOSED. */
void feed_shutdown(struct feed *hub);
/* Number of waiters parked now. */
size_t feed_waiting(struct feed *hub);
