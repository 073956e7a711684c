/* picker: choose one (code, label) item with an incremental filter (category tree, units). */
#pragma once

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "keys.h"
#include "theme.h"
#include "ui/input.h"
#include "ui/layout.h"
#include "ui/list.h"

/* One choice. Strings are borrowed from the caller for the picker's lifetime. */
struct picker_item {
    const char *code;     /* "urban.env.social_noise" */
    const char *label;    /* "社会生活噪声" */
    int depth;            /* indentation level in a tree (0 = top) */
};

/* What a key did. */
enum picker_result {
    PICKER_NONE = 0,      /* handled, still open */
    PICKER_CHOSEN,        /* Enter on an item: picker_selected() */
    PICKER_CANCEL,        /* Esc */
    PICKER_UNHANDLED,
};

/* A picker over a borrowed array of items. */
struct picker {
    const struct picker_item *items;
    size_t nitems;
    size_t *match;        /* indexes of the items that pass the filter, in order */
    size_t nmatch;
    struct input filter;
    struct list list;
};

/* A picker showing every item. */
void picker_init(struct picker *p, const struct picker_item *items, size_t nitems);
/* Free the picker (not the items). */
void picker_fini(struct picker *p);
/* True when every space-separated term of query occurs in the item's code or label
 * (ASCII letters compared without case; Chinese by exact substring). An empty query matches. */
bool picker_matches(const struct picker_item *it, const char *query);
/* Set the filter text and recompute the matches (selection back to the first). */
void picker_set_filter(struct picker *p, const char *query);
/* Number of matching items. */
size_t picker_count(const struct picker *p);
/* The i-th matching item. */
const struct picker_item *picker_match(const struct picker *p, size_t i);
/* The selected item; NULL when nothing matches. */
const struct picker_item *picker_selected(const struct picker *p);
/* Apply a key: typing filters, Up/Down/PgUp/PgDn move, Enter chooses, Esc cancels. */
enum picker_result picker_key(struct picker *p, const struct key_event *ev);
/* Draw a filter line and the matches in r; *cy, *cx get the cursor position. */
void picker_draw(struct picker *p, WINDOW *w, const struct rect *r, const struct theme *th,
                 int *cy, int *cx);
