/* tabbar: the top line: numbered tabs ("1 受理  2 工单 ...") and a note on the right. */
#include <stdio.h>
#include <stdlib.h>

#include "hotline/text.h"
#include "hotline/util.h"
#include "ui/draw.h"
#include "ui/tabbar.h"

/* The text of tab i: "1 受理". Caller owns. Tabs are padded by a space each side and sit
 * side by side, so labels are two spaces apart: "1 受理  2 工单  3 知识库  4 回访". */
static char *
tab_text(const char *label, size_t i)
{
    return xasprintf("%zu %s", i + 1, label);
}

size_t
tabbar_layout(const char *const *labels, size_t n, int width, int *x, int *w)
{
    int col = 0;
    size_t i;

    for (i = 0; i < n && i < TABBAR_MAX; i++) {
        char *t = tab_text(labels[i], i);
        int tw = text_width(t) + 2;   /* a space each side */

        free(t);
        if (col + tw > width)
            break;
        x[i] = col;
        w[i] = tw;
        col += tw;
    }
    return i;
}

void
tabbar_draw(WINDOW *w, int width, const char *const *labels, size_t n, size_t active,
            const char *right, const struct theme *th)
{
    int xs[TABBAR_MAX];
    int ws[TABBAR_MAX];
    size_t shown = tabbar_layout(labels, n, width, xs, ws);
    int end = 0;

    draw_fill(w, 0, 0, width, theme_attr(th, SLOT_TAB));
    for (size_t i = 0; i < shown; i++) {
        attr_t a = theme_attr(th, i == active ? SLOT_TAB_ACTIVE : SLOT_TAB);
        char *t = tab_text(labels[i], i);

        draw_fill(w, 0, xs[i], ws[i], a);
        draw_text(w, 0, xs[i] + 1, ws[i] - 2, t, a);
        free(t);
        end = xs[i] + ws[i];
    }
    if (right != NULL && width - end > 4) {
        int rw = text_width(right);

        if (rw > width - end - 3)
            rw = width - end - 3;
        draw_text_right(w, 0, width - rw - 1, rw, right, theme_attr(th, SLOT_TAB));
    }
}
