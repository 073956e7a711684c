/* list: a scrolling list of virtual rows (the caller draws each visible row) and column layout. */
#include <stdlib.h>
#include <string.h>

#include "hotline/text.h"
#include "hotline/util.h"
#include "ui/draw.h"
#include "ui/list.h"

void
list_init(struct list *l)
{
    memset(l, 0, sizeof *l);
    l->height = 1;
}

/* Keep sel in range and visible. */
static void
fix(struct list *l)
{
    size_t h = l->height > 0 ? (size_t)l->height : 1;

    if (l->count == 0) {
        l->sel = 0;
        l->top = 0;
        return;
    }
    if (l->sel >= l->count)
        l->sel = l->count - 1;
    if (l->top > l->sel)
        l->top = l->sel;
    if (l->sel >= l->top + h)
        l->top = l->sel - h + 1;
    /* No empty space below the last row when rows could fill it. */
    if (l->top > 0 && l->count - l->top < h)
        l->top = l->count > h ? l->count - h : 0;
}

void
list_set_count(struct list *l, size_t count)
{
    l->count = count;
    fix(l);
}

void
list_set_height(struct list *l, int height)
{
    l->height = height > 0 ? height : 1;
    fix(l);
}

bool
list_select(struct list *l, size_t i)
{
    size_t old = l->sel;

    l->sel = i;
    fix(l);
    return l->sel != old;
}

bool
list_move(struct list *l, long delta)
{
    size_t target;

    if (l->count == 0)
        return false;
    if (delta < 0)
        target = (size_t)(-delta) > l->sel ? 0 : l->sel - (size_t)(-delta);
    else
        target = l->sel + (size_t)delta >= l->count ? l->count - 1 : l->sel + (size_t)delta;
    return list_select(l, target);
}

bool
list_cmd(struct list *l, enum cmd c)
{
    long page = l->height > 1 ? l->height - 1 : 1;

    switch (c) {
    case CMD_UP:
        return list_move(l, -1);
    case CMD_DOWN:
        return list_move(l, 1);
    case CMD_PAGE_UP:
        /* First to the top of the page, then a page up: like less and tig. */
        if (l->sel > l->top)
            return list_select(l, l->top);
        return list_move(l, -page);
    case CMD_PAGE_DOWN: {
        size_t bottom = l->top + (size_t)l->height - 1;

        if (l->count == 0)
            return false;
        if (bottom >= l->count)
            bottom = l->count - 1;
        if (l->sel < bottom)
            return list_select(l, bottom);
        return list_move(l, page);
    }
    case CMD_HOME:
        return list_select(l, 0);
    case CMD_END:
        return l->count > 0 && list_select(l, l->count - 1);
    default:
        return false;
    }
}

void
list_draw(struct list *l, WINDOW *w, const struct rect *r, list_row_fn fn, void *arg)
{
    list_set_height(l, r->h);
    for (int i = 0; i < r->h; i++) {
        size_t idx = l->top + (size_t)i;

        if (idx < l->count)
            fn(arg, w, idx, r->y + i, r->x, r->w, idx == l->sel);
        else
            draw_fill(w, r->y + i, r->x, r->w, A_NORMAL);   /* the window's background */
    }
}

size_t
list_layout(const struct list_column *cols, size_t n, int width, int gap, int *widths)
{
    int used = 0;
    size_t shown = 0;
    long total_flex = 0;

    for (size_t i = 0; i < n; i++)
        widths[i] = 0;
    /* Minimums first, left to right, while they fit. */
    for (size_t i = 0; i < n; i++) {
        int need = cols[i].min + (shown > 0 ? gap : 0);

        if (used + need > width)
            break;
        widths[i] = cols[i].min;
        used += need;
        shown++;
    }
    /* Spare room by flex weight, in rounds, capped at each maximum. */
    for (;;) {
        int spare = width - used;
        int given = 0;

        total_flex = 0;
        for (size_t i = 0; i < shown; i++) {
            if (cols[i].flex > 0 && (cols[i].max == 0 || widths[i] < cols[i].max))
                total_flex += cols[i].flex;
        }
        if (spare <= 0 || total_flex == 0)
            break;
        for (size_t i = 0; i < shown && given < spare; i++) {
            long share;

            if (cols[i].flex <= 0 || (cols[i].max != 0 && widths[i] >= cols[i].max))
                continue;
            share = (long)spare * cols[i].flex / total_flex;
            if (share < 1)
                share = 1;
            if (share > spare - given)
                share = spare - given;
            if (cols[i].max != 0 && widths[i] + share > cols[i].max)
                share = cols[i].max - widths[i];
            widths[i] += (int)share;
            given += (int)share;
        }
        used += given;
        if (given == 0)
            break;
    }
    return shown;
}

char *
list_format_row(const struct list_column *cols, const char *const *cells, const int *widths,
                size_t n, int gap)
{
    struct strbuf sb;
    bool first = true;

    strbuf_init(&sb);
    for (size_t i = 0; i < n; i++) {
        char *t;
        int tw;

        if (widths[i] <= 0)
            continue;
        if (!first) {
            for (int k = 0; k < gap; k++)
                strbuf_addc(&sb, ' ');
        }
        first = false;
        t = text_truncate(cells[i] != NULL ? cells[i] : "", widths[i]);
        tw = text_width(t);
        if (cols[i].right) {
            for (int k = tw; k < widths[i]; k++)
                strbuf_addc(&sb, ' ');
            strbuf_adds(&sb, t);
        } else {
            strbuf_adds(&sb, t);
            for (int k = tw; k < widths[i]; k++)
                strbuf_addc(&sb, ' ');
        }
        free(t);
    }
    return strbuf_detach(&sb);
}
