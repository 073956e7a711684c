/* statusbar: the bottom line: connection state, a message, counts and the clock. */
#pragma once

#include <curses.h>

#include "theme.h"

/* What the status bar shows; strings are owned copies. */
struct statusbar {
    char *conn;              /* connection state text ("未连接") */
    enum slot conn_slot;
    char *msg;               /* the current message; NULL = none */
    enum slot msg_slot;
    char *counts;            /* "outbox: 2 waiting"; NULL = none */
    char clock[8];           /* "HH:MM" */
};

/* Where the parts go (columns from the left). */
struct statusbar_layout {
    int conn_x, conn_w;
    int msg_x, msg_w;
    int right_x, right_w;    /* counts + clock */
};

/* An empty status bar. */
void statusbar_init(struct statusbar *sb);
/* Free its strings. */
void statusbar_fini(struct statusbar *sb);
/* Set the connection text and slot. */
void statusbar_set_conn(struct statusbar *sb, const char *text, enum slot s);
/* Set (text != NULL) or clear (NULL) the message. */
void statusbar_set_message(struct statusbar *sb, const char *text, enum slot s);
/* Set (text != NULL) or clear the counts. */
void statusbar_set_counts(struct statusbar *sb, const char *text);
/* Place the parts in width columns: connection on the left, counts and clock on the right,
 * the message in between (it gets what is left). Pure. */
void statusbar_layout(const struct statusbar *sb, int width, struct statusbar_layout *out);
/* Draw the bar in width columns. */
void statusbar_draw(const struct statusbar *sb, WINDOW *w, int width, const struct theme *th);
