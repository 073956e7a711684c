/* dialog: a modal message or yes/no question drawn over the body. */
#pragma once

#include <curses.h>
#include <stdbool.h>

#include "keys.h"
#include "theme.h"
#include "ui/layout.h"

/* The buttons a dialog has. */
enum dialog_kind {
    DIALOG_OK,        /* a message: OK */
    DIALOG_YESNO,     /* a question: Yes / No */
};

/* What a key did. */
enum dialog_result {
    DIALOG_OPEN = 0,  /* still open */
    DIALOG_YES,       /* OK, or Yes */
    DIALOG_NO,        /* No, or Esc */
};

/* A dialog; title and message are owned copies. */
struct dialog {
    enum dialog_kind kind;
    char *title;
    char *message;
    int sel;          /* 0 = Yes/OK, 1 = No */
};

/* Open a dialog (copies title and message; the default answer is No for questions). */
void dialog_init(struct dialog *d, enum dialog_kind kind, const char *title, const char *message);
/* Free the strings. */
void dialog_fini(struct dialog *d);
/* Apply a key: y/n, Left/Right/Tab between buttons, Enter answers, Esc says No. */
enum dialog_result dialog_key(struct dialog *d, const struct key_event *ev);
/* The box the dialog takes inside area (pure: sized by the wrapped message). */
struct rect dialog_rect(const struct dialog *d, const struct rect *area);
/* Draw the dialog centred in area. */
void dialog_draw(const struct dialog *d, WINDOW *w, const struct rect *area, const struct theme *th);
