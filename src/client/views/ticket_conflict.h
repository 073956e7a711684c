/* ticket_conflict: what differs between the version of a ticket the user acted on ("mine")
 * and the server's current one ("theirs"), for the 412 screen. */
#pragma once

#include <stddef.h>

#include "hotline/model.h"

struct app;

/* One differing field; strings owned (ticket_conflict_fini). */
struct ticket_diff {
    const char *field;        /* N_() name */
    char *mine;
    char *theirs;
};

/* The differences (ticket_conflict_fini). */
struct ticket_diffs {
    struct ticket_diff *v;
    size_t n;
};

/* Compare mine and theirs field by field (matter, status, deadline, assignments, histories,
 * version). */
void ticket_conflict_diff(const struct app *app, const struct ticket *mine,
                          const struct ticket *theirs, struct ticket_diffs *out);
/* Release the differences and zero the list. */
void ticket_conflict_fini(struct ticket_diffs *d);
/* A deep copy of a ticket (through the codec). NULL when t is NULL. */
struct ticket *ticket_conflict_copy(const struct ticket *t);
