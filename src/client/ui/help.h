/* help: the key-help overlay, generated from the key tables (the view's, then the global one). */
#pragma once

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "keys.h"
#include "theme.h"
#include "ui/layout.h"

/* Most lines the overlay lists. */
#define HELP_MAX_LINES 128

/* One line of the overlay: a heading (a keymap's title) or a key line. */
struct help_line {
    bool heading;
    const char *text;          /* untranslated: a title or a help text */
    char keys[64];             /* key names, for key lines */
};

/* The overlay's scroll state. */
struct help {
    int top;
};

/* The overlay's lines for maps (NULL entries and empty maps are skipped): per map a heading
 * and one line per command. Returns the count (at most max). Pure. */
size_t help_lines(const struct keymap *const *maps, size_t nmaps, struct help_line *out, size_t max);
/* Scroll to the top. */
void help_open(struct help *h);
/* Apply a key; returns false when the overlay should close (Esc, q, ?, F1, Enter). */
bool help_key(struct help *h, const struct key_event *ev);
/* Draw the overlay over area. */
void help_draw(struct help *h, WINDOW *w, const struct rect *area, const struct keymap *const *maps,
               size_t nmaps, const struct theme *th);
