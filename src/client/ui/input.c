/* input: a one-line input field with history, on top of the edit buffer. */
#include <stdlib.h>
#include <string.h>

#include "hotline/util.h"
#include "ui/draw.h"
#include "ui/input.h"

void
input_init(struct input *in, size_t max_chars, size_t hist_max)
{
    memset(in, 0, sizeof *in);
    edit_init(&in->ed, max_chars, false);
    in->hist_max = hist_max;
}

void
input_fini(struct input *in)
{
    edit_fini(&in->ed);
    for (size_t i = 0; i < in->nhist; i++)
        free(in->hist[i]);
    free(in->hist);
    free(in->draft);
    memset(in, 0, sizeof *in);
}

const char *
input_text(const struct input *in)
{
    return edit_text(&in->ed);
}

void
input_set(struct input *in, const char *s)
{
    edit_set(&in->ed, s);
    in->hist_pos = in->nhist;
}

void
input_history_add(struct input *in, const char *s)
{
    if (in->hist_max == 0 || str_empty(s))
        return;
    if (in->nhist > 0 && strcmp(in->hist[in->nhist - 1], s) == 0) {
        in->hist_pos = in->nhist;
        return;
    }
    if (in->nhist == in->hist_max) {
        free(in->hist[0]);
        memmove(in->hist, in->hist + 1, (in->nhist - 1) * sizeof *in->hist);
        in->nhist--;
    }
    in->hist = xrealloc(in->hist, (in->nhist + 1) * sizeof *in->hist);
    in->hist[in->nhist++] = xstrdup(s);
    in->hist_pos = in->nhist;
}

/* Show history entry pos (nhist = the draft). */
static void
show_history(struct input *in, size_t pos)
{
    if (in->hist_pos == in->nhist) {
        free(in->draft);
        in->draft = xstrdup(edit_text(&in->ed));
    }
    in->hist_pos = pos;
    edit_set(&in->ed, pos == in->nhist ? (in->draft != NULL ? in->draft : "") : in->hist[pos]);
    in->ed.modified = true;
}

enum input_result
input_key(struct input *in, const struct key_event *ev)
{
    enum edit_result r;

    if (ev->cmd == CMD_ENTER)
        return INPUT_SUBMIT;
    if (ev->cmd == CMD_CANCEL)
        return INPUT_CANCEL;
    if (ev->keycode && ev->ch == KEY_UP) {
        if (in->hist_pos > 0)
            show_history(in, in->hist_pos - 1);
        return INPUT_HANDLED;
    }
    if (ev->keycode && ev->ch == KEY_DOWN) {
        if (in->hist_pos < in->nhist)
            show_history(in, in->hist_pos + 1);
        return INPUT_HANDLED;
    }
    r = edit_key(&in->ed, ev->ch, ev->keycode, 0);
    switch (r) {
    case EDIT_CHANGED:
        return INPUT_CHANGED;
    case EDIT_MOVED:
    case EDIT_REFUSED:
        return INPUT_HANDLED;
    default:
        return INPUT_UNHANDLED;
    }
}

void
input_draw(struct input *in, WINDOW *w, int y, int x, int width, attr_t attr, int *cursor_x)
{
    size_t first;
    int cx;

    draw_fill(w, y, x, width, attr);
    edit_view(&in->ed, width, &first, &cx);
    draw_clip(w, y, x, width, in->ed.buf + first, in->ed.len - first, attr);
    if (cursor_x != NULL)
        *cursor_x = x + cx;
}
