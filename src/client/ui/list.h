/* list: a scrolling list of virtual rows (the caller draws each visible row) and column layout. */
#pragma once

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "keys.h"
#include "ui/layout.h"

/* Selection and scroll state; rows themselves belong to the caller. */
struct list {
    size_t count;     /* rows */
    size_t sel;       /* selected row (0 when empty) */
    size_t top;       /* first visible row */
    int height;       /* visible rows (set by list_set_height or list_draw) */
};

/* Draw row index at y,x in width columns (selected: it is the selection). */
typedef void (*list_row_fn)(void *arg, WINDOW *w, size_t index, int y, int x, int width,
                            bool selected);

/* A column: minimum and maximum width (0 = no maximum) and a share of the spare room. */
struct list_column {
    const char *title;    /* N_() heading */
    int min;
    int max;
    int flex;             /* 0 = fixed at min */
    bool right;           /* right-aligned (numbers) */
};

/* An empty list. */
void list_init(struct list *l);
/* Set the row count, keeping the selection in range. */
void list_set_count(struct list *l, size_t count);
/* Set the visible height, keeping the selection visible. */
void list_set_height(struct list *l, int height);
/* Select row i (clamped); true when the selection changed. */
bool list_select(struct list *l, size_t i);
/* Move the selection by delta rows (clamped); true when it changed. */
bool list_move(struct list *l, long delta);
/* Apply a movement command (up, down, page up/down, home, end); false when not one or at the edge. */
bool list_cmd(struct list *l, enum cmd c);
/* Draw the visible rows into r (empty rows are cleared); sets the height to r->h. */
void list_draw(struct list *l, WINDOW *w, const struct rect *r, list_row_fn fn, void *arg);
/* Lay out n columns in width columns with gap spaces between shown columns: each shown column
 * gets its minimum, the rest is shared by flex weight up to each maximum; columns that do not
 * fit (from the right) get width 0. Returns how many columns are shown. Pure. */
size_t list_layout(const struct list_column *cols, size_t n, int width, int gap, int *widths);
/* One row of text: each cell cut to its width by display columns (with "…") and padded
 * (right-aligned when cols[i].right), gap spaces between shown cells, zero-width columns
 * skipped. Cells are sanitised. Caller owns. Pure. */
char *list_format_row(const struct list_column *cols, const char *const *cells, const int *widths,
                      size_t n, int gap);
