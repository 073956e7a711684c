/* draw: drawing helpers that sanitise and measure every string by display width. */
#pragma once

#include <curses.h>
#include <stddef.h>

#include "ui/layout.h"

/* One wrapped line: bytes [off, off + len) of the text, width columns. */
struct draw_line {
    size_t off;
    size_t len;
    int width;
};

/* Draw s sanitised at y,x in at most cols columns, cut with "…" when longer; returns the
 * columns drawn. */
int draw_text(WINDOW *w, int y, int x, int cols, const char *s, attr_t attr);
/* Draw s[0..len) sanitised at y,x clipped to cols columns (no ellipsis); returns columns drawn. */
int draw_clip(WINDOW *w, int y, int x, int cols, const char *s, size_t len, attr_t attr);
/* Draw s so that it ends at column x + cols (cut with "…" when longer); returns its width. */
int draw_text_right(WINDOW *w, int y, int x, int cols, const char *s, attr_t attr);
/* Fill cols cells with spaces. */
void draw_fill(WINDOW *w, int y, int x, int cols, attr_t attr);
/* Fill a rectangle with spaces. */
void draw_fill_rect(WINDOW *w, const struct rect *r, attr_t attr);
/* Draw a frame on r's border with an optional title, and fill the inside. */
void draw_frame(WINDOW *w, const struct rect *r, const char *title, attr_t border, attr_t fill);
/* Wrap sanitised text (newlines kept) into lines of at most width columns: breaks after
 * spaces, before and after wide characters, or anywhere when a word is longer than a line.
 * Fills at most max lines; returns how many lines the whole text needs. Pure. */
size_t draw_wrap(const char *s, int width, struct draw_line *out, size_t max);
/* Draw s wrapped into r starting at row (inside r); returns the number of rows used. */
int draw_paragraph(WINDOW *w, const struct rect *r, int row, const char *s, attr_t attr);
