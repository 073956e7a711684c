/* input: a one-line input field with history, on top of the edit buffer. */
#pragma once

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "keys.h"
#include "ui/edit.h"

/* What a key did to the field. */
enum input_result {
    INPUT_UNHANDLED = 0,   /* not for the field: pass it on */
    INPUT_HANDLED,         /* consumed: moved, refused, or nothing to do */
    INPUT_CHANGED,         /* the text changed */
    INPUT_SUBMIT,          /* Enter */
    INPUT_CANCEL,          /* Esc */
};

/* A one-line field. */
struct input {
    struct edit ed;
    char **hist;           /* oldest first */
    size_t nhist;
    size_t hist_max;
    size_t hist_pos;       /* == nhist while editing a new line */
    char *draft;           /* the new line, kept while browsing history */
};

/* An empty field of at most max_chars code points remembering hist_max lines (0 = none). */
void input_init(struct input *in, size_t max_chars, size_t hist_max);
/* Free the field and its history. */
void input_fini(struct input *in);
/* The text; borrowed until the next change. */
const char *input_text(const struct input *in);
/* Replace the text, cursor at the end. */
void input_set(struct input *in, const char *s);
/* Remember a submitted line (empty lines and a repeat of the last one are skipped). */
void input_history_add(struct input *in, const char *s);
/* Apply a key: editing keys, Up/Down through history, Enter, Esc. */
enum input_result input_key(struct input *in, const struct key_event *ev);
/* Draw the field at y,x in width columns; *cursor_x gets the cursor's column (window-relative). */
void input_draw(struct input *in, WINDOW *w, int y, int x, int width, attr_t attr, int *cursor_x);
