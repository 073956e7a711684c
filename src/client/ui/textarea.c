/* textarea: a multi-line text field wrapped by display width, on top of the edit buffer. */
#include <stdlib.h>

#include "ui/draw.h"
#include "ui/textarea.h"

void
textarea_init(struct textarea *ta, size_t max_chars)
{
    edit_init(&ta->ed, max_chars, true);
}

void
textarea_fini(struct textarea *ta)
{
    edit_fini(&ta->ed);
}

enum edit_result
textarea_key(struct textarea *ta, const struct key_event *ev, int width)
{
    return edit_key(&ta->ed, ev->ch, ev->keycode, width);
}

void
textarea_draw(struct textarea *ta, WINDOW *w, const struct rect *r, attr_t attr, int *cy, int *cx)
{
    size_t n;
    struct edit_row *rows;
    size_t top;
    size_t crow;
    int ccol;

    if (r->w < 1 || r->h < 1)
        return;
    top = edit_scroll_rows(&ta->ed, r->w, r->h);
    rows = edit_wrap(&ta->ed, r->w, &n);
    draw_fill_rect(w, r, attr);
    for (int i = 0; i < r->h && top + (size_t)i < n; i++) {
        const struct edit_row *row = &rows[top + (size_t)i];

        draw_clip(w, r->y + i, r->x, r->w, ta->ed.buf + row->start, row->end - row->start, attr);
    }
    free(rows);
    edit_cursor_rc(&ta->ed, r->w, &crow, &ccol);
    if (cy != NULL)
        *cy = r->y + (int)(crow - top);
    if (cx != NULL)
        *cx = r->x + ccol;
}
