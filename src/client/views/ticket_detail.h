/* ticket_detail: a ticket laid out as lines for the detail view: every field, the
 * assignments, extensions, urges, supervisions, callbacks and the whole timeline. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "hotline/model.h"
#include "theme.h"

struct app;

/* One drawn line: sanitised text (owned) and how it is drawn. */
struct ticket_line {
    char *text;
    enum slot slot;
};

/* The lines of a ticket (ticket_lines_fini). */
struct ticket_lines {
    struct ticket_line *v;
    size_t n;
    size_t cap;
};

/* Lay t out in width columns (labels, values wrapped, sections). Wire text is sanitised here.
 * Appends to out. */
void ticket_detail_build(const struct app *app, const struct ticket *t, int width,
                         struct ticket_lines *out);
/* Append one line (text sanitised and cut to width). */
void ticket_lines_add(struct ticket_lines *l, const char *text, enum slot slot);
/* Release the lines and zero the list. */
void ticket_lines_fini(struct ticket_lines *l);
/* "name phone address" of a caller as this user may see it: masked parts read "(hidden)". */
char *ticket_detail_caller(const struct ticket *t);
