/* timers: a min-heap of deadlines (milliseconds) with callbacks; pure, no clock of its own. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A timer's callback; arg is what was given to timers_add. */
typedef void (*timers_fn)(void *arg);

/* One pending timer. */
struct timer_entry {
    int64_t deadline;   /* milliseconds on the caller's clock */
    uint64_t id;        /* > 0, increasing: equal deadlines run in the order added */
    timers_fn fn;
    void *arg;
};

/* The heap; embed it and use timers_init/timers_fini. */
struct timers {
    struct timer_entry *heap;
    size_t len;
    size_t cap;
    uint64_t next_id;
    struct timer_entry *batch;   /* timers being run by timers_run (cancel reaches them too) */
    size_t batch_len;
    size_t batch_cap;
};

/* Initialise an empty heap. */
void timers_init(struct timers *t);
/* Release the heap's memory (pending timers are dropped without running). */
void timers_fini(struct timers *t);
/* Add a timer firing at deadline; returns its id (never 0). */
uint64_t timers_add(struct timers *t, int64_t deadline, timers_fn fn, void *arg);
/* Cancel a pending timer; false when it already ran, was cancelled, or id is 0. */
bool timers_cancel(struct timers *t, uint64_t id);
/* Earliest pending deadline into *deadline; false when nothing is pending. */
bool timers_next(const struct timers *t, int64_t *deadline);
/* Milliseconds from now until the earliest deadline (0 if overdue), -1 when nothing is pending;
 * suitable as a poll(2) timeout (capped at INT_MAX). */
int timers_timeout(const struct timers *t, int64_t now);
/* Run every timer whose deadline is <= now, earliest first (ties in the order added).
 * Callbacks may add and cancel timers; timers they add run at the earliest on the next call.
 * Returns how many callbacks ran. */
size_t timers_run(struct timers *t, int64_t now);
/* Number of pending timers. */
size_t timers_count(const struct timers *t);
