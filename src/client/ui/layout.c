/* layout: where the tab bar, body, footer and status bar go for a terminal size (pure). */
#include <string.h>

#include "ui/layout.h"

/* A rectangle. */
static struct rect
rect_make(int y, int x, int h, int w)
{
    struct rect r;

    r.y = y;
    r.x = x;
    r.h = h < 0 ? 0 : h;
    r.w = w < 0 ? 0 : w;
    return r;
}

void
layout_compute(int rows, int cols, struct layout *out)
{
    memset(out, 0, sizeof *out);
    out->rows = rows;
    out->cols = cols;
    out->too_small = rows < LAYOUT_MIN_ROWS || cols < LAYOUT_MIN_COLS;
    if (out->too_small) {
        out->body = rect_make(0, 0, rows, cols);
        return;
    }
    out->tabbar = rect_make(0, 0, 1, cols);
    out->body = rect_make(1, 0, rows - 3, cols);
    out->footer = rect_make(rows - 2, 0, 1, cols);
    out->status = rect_make(rows - 1, 0, 1, cols);
}

struct rect
layout_center(const struct rect *area, int h, int w)
{
    if (h > area->h)
        h = area->h;
    if (w > area->w)
        w = area->w;
    return rect_make(area->y + (area->h - h) / 2, area->x + (area->w - w) / 2, h, w);
}
