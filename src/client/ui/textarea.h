/* textarea: a multi-line text field wrapped by display width, on top of the edit buffer. */
#pragma once

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "keys.h"
#include "ui/edit.h"
#include "ui/layout.h"

/* A multi-line field. */
struct textarea {
    struct edit ed;
};

/* An empty area of at most max_chars code points. */
void textarea_init(struct textarea *ta, size_t max_chars);
/* Free the area. */
void textarea_fini(struct textarea *ta);
/* Apply a key; width is the area's width (for up/down). Up on the first row and Down on the
 * last are EDIT_UNHANDLED, so a form can move to the neighbouring field. */
enum edit_result textarea_key(struct textarea *ta, const struct key_event *ev, int width);
/* Draw into r; *cy, *cx get the cursor's window position (may be NULL). */
void textarea_draw(struct textarea *ta, WINDOW *w, const struct rect *r, attr_t attr, int *cy, int *cx);
