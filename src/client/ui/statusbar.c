/* statusbar: the bottom line: connection state, a message, counts and the clock. */
#include <stdlib.h>
#include <string.h>

#include "hotline/text.h"
#include "hotline/util.h"
#include "ui/draw.h"
#include "ui/statusbar.h"

void
statusbar_init(struct statusbar *sb)
{
    memset(sb, 0, sizeof *sb);
    sb->conn_slot = SLOT_STATUS;
    sb->msg_slot = SLOT_STATUS;
}

void
statusbar_fini(struct statusbar *sb)
{
    free(sb->conn);
    free(sb->msg);
    free(sb->counts);
    memset(sb, 0, sizeof *sb);
}

/* Replace an owned string (NULL clears). */
static void
set(char **dst, const char *src)
{
    free(*dst);
    *dst = src != NULL ? xstrdup(src) : NULL;
}

void
statusbar_set_conn(struct statusbar *sb, const char *text, enum slot s)
{
    set(&sb->conn, text);
    sb->conn_slot = s;
}

void
statusbar_set_message(struct statusbar *sb, const char *text, enum slot s)
{
    set(&sb->msg, text);
    sb->msg_slot = s;
}

void
statusbar_set_counts(struct statusbar *sb, const char *text)
{
    set(&sb->counts, text);
}

void
statusbar_layout(const struct statusbar *sb, int width, struct statusbar_layout *out)
{
    int conn = sb->conn != NULL ? text_width(sb->conn) + 2 : 0;
    int right = text_width(sb->clock) + 1;

    if (sb->counts != NULL)
        right += text_width(sb->counts) + 2;
    if (conn > width / 2)     /* "reconnecting — next try 14:02:31" fits at 80 columns */
        conn = width / 2;
    if (right > width / 3)
        right = width / 3;
    out->conn_x = 0;
    out->conn_w = conn;
    out->right_w = right;
    out->right_x = width - right;
    out->msg_x = conn + 1;
    out->msg_w = width - conn - right - 2;
    if (out->msg_w < 0)
        out->msg_w = 0;
}

void
statusbar_draw(const struct statusbar *sb, WINDOW *w, int width, const struct theme *th)
{
    struct statusbar_layout l;
    attr_t base = theme_attr(th, SLOT_STATUS);

    statusbar_layout(sb, width, &l);
    draw_fill(w, 0, 0, width, base);
    if (sb->conn != NULL) {
        attr_t a = theme_attr(th, sb->conn_slot);

        draw_fill(w, 0, l.conn_x, l.conn_w, a);
        draw_text(w, 0, l.conn_x + 1, l.conn_w - 2, sb->conn, a);
    }
    if (sb->msg != NULL && l.msg_w > 0)
        draw_text(w, 0, l.msg_x, l.msg_w, sb->msg, theme_attr(th, sb->msg_slot));
    if (l.right_w > 1) {
        char *right = sb->counts != NULL ? xasprintf("%s  %s", sb->counts, sb->clock)
                                         : xstrdup(sb->clock);

        draw_text_right(w, 0, l.right_x, l.right_w - 1, right, base);
        free(right);
    }
}
