/* checkbox: a labelled on/off field. */
#pragma once

#include <curses.h>
#include <stdbool.h>

#include "keys.h"
#include "theme.h"

/* A checkbox's state. */
struct checkbox {
    bool checked;
};

/* Toggle on Space or Enter; true when the key was used. */
bool checkbox_key(struct checkbox *cb, const struct key_event *ev);
/* Draw "[x] label" at y,x in width columns; *cursor_x gets the box's column (may be NULL). */
void checkbox_draw(const struct checkbox *cb, WINDOW *w, int y, int x, int width, const char *label,
                   bool focused, const struct theme *th, int *cursor_x);
