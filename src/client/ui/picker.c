/* picker: choose one (code, label) item with an incremental filter (category tree, units). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hotline/util.h"
#include "i18n.h"
#include "ui/draw.h"
#include "ui/picker.h"

void
picker_init(struct picker *p, const struct picker_item *items, size_t nitems)
{
    memset(p, 0, sizeof *p);
    p->items = items;
    p->nitems = nitems;
    p->match = xcalloc(nitems > 0 ? nitems : 1, sizeof *p->match);
    input_init(&p->filter, 64, 0);
    list_init(&p->list);
    picker_set_filter(p, "");
}

void
picker_fini(struct picker *p)
{
    free(p->match);
    input_fini(&p->filter);
    memset(p, 0, sizeof *p);
}

/* ASCII lower case of one byte; other bytes unchanged. */
static char
fold(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* True when term[0..n) occurs in s, ASCII letters without case. */
static bool
contains(const char *s, const char *term, size_t n)
{
    if (s == NULL)
        return false;
    for (; *s != '\0'; s++) {
        size_t k = 0;

        while (k < n && s[k] != '\0' && fold(s[k]) == fold(term[k]))
            k++;
        if (k == n)
            return true;
    }
    return false;
}

bool
picker_matches(const struct picker_item *it, const char *query)
{
    const char *q = query;

    for (;;) {
        size_t n = 0;

        while (*q == ' ')
            q++;
        if (*q == '\0')
            return true;
        while (q[n] != '\0' && q[n] != ' ')
            n++;
        if (!contains(it->code, q, n) && !contains(it->label, q, n))
            return false;
        q += n;
    }
}

void
picker_set_filter(struct picker *p, const char *query)
{
    if (strcmp(input_text(&p->filter), query) != 0)
        input_set(&p->filter, query);
    p->nmatch = 0;
    for (size_t i = 0; i < p->nitems; i++) {
        if (picker_matches(&p->items[i], query))
            p->match[p->nmatch++] = i;
    }
    list_set_count(&p->list, p->nmatch);
    list_select(&p->list, 0);
}

size_t
picker_count(const struct picker *p)
{
    return p->nmatch;
}

const struct picker_item *
picker_match(const struct picker *p, size_t i)
{
    return i < p->nmatch ? &p->items[p->match[i]] : NULL;
}

const struct picker_item *
picker_selected(const struct picker *p)
{
    return picker_match(p, p->list.sel);
}

enum picker_result
picker_key(struct picker *p, const struct key_event *ev)
{
    if (ev->keycode && (ev->ch == KEY_UP || ev->ch == KEY_DOWN || ev->ch == KEY_PPAGE
                        || ev->ch == KEY_NPAGE)) {
        list_cmd(&p->list, ev->cmd);
        return PICKER_NONE;
    }
    switch (input_key(&p->filter, ev)) {
    case INPUT_SUBMIT:
        return picker_selected(p) != NULL ? PICKER_CHOSEN : PICKER_NONE;
    case INPUT_CANCEL:
        return PICKER_CANCEL;
    case INPUT_CHANGED: {
        char *q = xstrdup(input_text(&p->filter));

        picker_set_filter(p, q);
        free(q);
        return PICKER_NONE;
    }
    case INPUT_HANDLED:
        return PICKER_NONE;
    default:
        return PICKER_UNHANDLED;
    }
}

/* Row drawing for the match list. */
struct row_ctx {
    struct picker *p;
    const struct theme *th;
};

/* Draw one matching item: indented label, then its code muted. */
static void
draw_row(void *arg, WINDOW *w, size_t index, int y, int x, int width, bool selected)
{
    struct row_ctx *c = arg;
    const struct picker_item *it = picker_match(c->p, index);
    attr_t a = theme_attr(c->th, selected ? SLOT_SELECTED : SLOT_NORMAL);
    int indent = it->depth * 2;
    int used;

    draw_fill(w, y, x, width, a);
    if (indent > width / 3)
        indent = width / 3;
    used = indent + draw_text(w, y, x + indent, width - indent, it->label, a);
    if (used + 2 < width)
        draw_text(w, y, x + used + 2, width - used - 2, it->code,
                  selected ? a : theme_attr(c->th, SLOT_MUTED));
}

void
picker_draw(struct picker *p, WINDOW *w, const struct rect *r, const struct theme *th,
            int *cy, int *cx)
{
    struct row_ctx ctx = {p, th};
    struct rect lr;
    char count[48];
    int lw;
    int cwidth;

    if (r->h < 2 || r->w < 10)
        return;
    lw = draw_text(w, r->y, r->x, r->w / 3, _("Filter: "), theme_attr(th, SLOT_LABEL));
    snprintf(count, sizeof count, "%zu/%zu", p->nmatch, p->nitems);
    cwidth = (int)strlen(count) + 1;
    input_draw(&p->filter, w, r->y, r->x + lw, r->w - lw - cwidth, theme_attr(th, SLOT_INPUT_FOCUS), cx);
    draw_text_right(w, r->y, r->x + r->w - cwidth, cwidth, count, theme_attr(th, SLOT_MUTED));
    if (cy != NULL)
        *cy = r->y;
    lr = (struct rect){r->y + 1, r->x, r->h - 1, r->w};
    if (p->nmatch == 0) {
        draw_fill_rect(w, &lr, theme_attr(th, SLOT_NORMAL));
        draw_text(w, lr.y, lr.x, lr.w, _("No match: change the filter."), theme_attr(th, SLOT_MUTED));
        return;
    }
    list_draw(&p->list, w, &lr, draw_row, &ctx);
}
