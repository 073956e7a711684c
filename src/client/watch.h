/* watch: `hotline --watch`, the supervisor's read-only live dashboard, and its --once snapshots. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "config.h"
#include "hotline/err.h"

/*
 * The dashboard only reads: it calls GET /meta, /tickets, /tickets/{id}, /stats, /feed and
 * /health, never a write, and it attaches no cache or outbox (nothing of a caller is kept
 * anywhere: tickets are masked on receipt and only ids, units and instants are kept).
 *
 * Updates come from the change feed (long poll); each batch of changes refetches only what
 * it touches, debounced. Without a feed it polls every --interval seconds. Idle, it wakes for
 * the minute clock and the feed's long-poll answer, and writes to the terminal only what
 * changed (ncurses' diff of an unchanged frame is empty).
 */

/* Default, smallest and largest --interval, seconds. */
#define WATCH_INTERVAL_DEFAULT 30
#define WATCH_INTERVAL_MIN 2
#define WATCH_INTERVAL_MAX 3600

/* The watch options of the command line; strings are borrowed from argv. */
struct watch_opts {
    bool watch;               /* --watch */
    const char *unit;         /* --unit CODE: one unit's view */
    int interval;             /* --interval SECONDS */
    bool bell;                /* --bell: ring on a new emergency or a newly overdue ticket */
    bool once;                /* --once: print a plain-text snapshot and exit */
    bool json;                /* --json (with --once): the snapshot as JSON */
};

/* Take the watch options out of argv (shifting the rest down and lowering *argc) so the
 * console's own parser sees only its options. HL_EINVAL with a message for a bad value, or
 * a watch option without --watch. */
int watch_take_args(int *argc, char **argv, struct watch_opts *o, struct err *e);
/* Print the usage lines of the watch options to f. */
void watch_usage(FILE *f);
/* Run the dashboard (or print the snapshot with --once) with the console's configuration;
 * returns the process exit status (0, 1 failure). */
int watch_run(struct config *cfg, const struct watch_opts *o);
