/* help: the key-help overlay, generated from the key tables (the view's, then the global one). */
#include <stdio.h>
#include <string.h>

#include "hotline/text.h"
#include "hotline/util.h"
#include "i18n.h"
#include "ui/draw.h"
#include "ui/help.h"

size_t
help_lines(const struct keymap *const *maps, size_t nmaps, struct help_line *out, size_t max)
{
    struct keys_help_line kl[64];
    size_t n = 0;

    for (size_t m = 0; m < nmaps; m++) {
        size_t k;

        if (maps[m] == NULL)
            continue;
        k = keys_help(maps[m], kl, ARRAY_SIZE(kl));
        if (k == 0 || n >= max)
            continue;
        out[n].heading = true;
        out[n].text = maps[m]->title;
        out[n].keys[0] = '\0';
        n++;
        for (size_t i = 0; i < k && n < max; i++) {
            out[n].heading = false;
            out[n].text = kl[i].help;
            str_copy(out[n].keys, sizeof out[n].keys, kl[i].keys);
            n++;
        }
    }
    return n;
}

void
help_open(struct help *h)
{
    h->top = 0;
}

bool
help_key(struct help *h, const struct key_event *ev)
{
    switch (ev->cmd) {
    case CMD_CANCEL:
    case CMD_QUIT:
    case CMD_HELP:
    case CMD_ENTER:
        return false;
    case CMD_UP:
        if (h->top > 0)
            h->top--;
        return true;
    case CMD_DOWN:
        h->top++;
        return true;
    case CMD_PAGE_UP:
        h->top = h->top > 10 ? h->top - 10 : 0;
        return true;
    case CMD_PAGE_DOWN:
        h->top += 10;
        return true;
    case CMD_HOME:
        h->top = 0;
        return true;
    case CMD_END:
        h->top = HELP_MAX_LINES;    /* help_draw clamps it to the last page */
        return true;
    default:
        return true;
    }
}

void
help_draw(struct help *h, WINDOW *w, const struct rect *area, const struct keymap *const *maps,
          size_t nmaps, const struct theme *th)
{
    struct help_line lines[HELP_MAX_LINES];
    size_t n = help_lines(maps, nmaps, lines, ARRAY_SIZE(lines));
    struct rect r = layout_center(area, area->h, area->w - 4 < 76 ? area->w - 4 : 76);
    int inner_h = r.h - 2;
    int keyw = 0;
    attr_t dlg = theme_attr(th, SLOT_DIALOG);

    draw_frame(w, &r, _("Keys"), dlg, dlg);
    for (size_t i = 0; i < n; i++) {
        int kw = text_width(lines[i].keys);

        if (!lines[i].heading && kw > keyw)
            keyw = kw;
    }
    if (keyw > (r.w - 4) / 2)
        keyw = (r.w - 4) / 2;
    if (h->top > (int)n - inner_h)
        h->top = (int)n - inner_h > 0 ? (int)n - inner_h : 0;
    for (int row = 0; row < inner_h && h->top + row < (int)n; row++) {
        const struct help_line *l = &lines[h->top + row];
        int y = r.y + 1 + row;

        if (l->heading) {
            draw_text(w, y, r.x + 2, r.w - 4, _(l->text), dlg | A_BOLD);
            continue;
        }
        draw_text(w, y, r.x + 3, keyw, l->keys, theme_attr(th, SLOT_KEY));
        draw_text(w, y, r.x + 4 + keyw + 1, r.w - keyw - 7, _(l->text), dlg);
    }
    if ((int)n > inner_h) {
        char more[64];

        snprintf(more, sizeof more, " %d/%zu ", h->top + inner_h < (int)n ? h->top + inner_h : (int)n, n);
        draw_text_right(w, r.y + r.h - 1, r.x, r.w - 2, more, dlg);
    }
}
