/* dialog: a modal message or yes/no question drawn over the body. */
#include <stdlib.h>
#include <string.h>

#include "hotline/text.h"
#include "hotline/util.h"
#include "i18n.h"
#include "ui/dialog.h"
#include "ui/draw.h"

/* Widest a dialog gets, in columns. */
#define DIALOG_MAX_W 60

void
dialog_init(struct dialog *d, enum dialog_kind kind, const char *title, const char *message)
{
    d->kind = kind;
    d->title = xstrdup(title != NULL ? title : "");
    d->message = xstrdup(message != NULL ? message : "");
    d->sel = kind == DIALOG_YESNO ? 1 : 0;
}

void
dialog_fini(struct dialog *d)
{
    free(d->title);
    free(d->message);
    memset(d, 0, sizeof *d);
}

enum dialog_result
dialog_key(struct dialog *d, const struct key_event *ev)
{
    if (ev->cmd == CMD_CANCEL)
        return d->kind == DIALOG_OK ? DIALOG_YES : DIALOG_NO;
    if (ev->cmd == CMD_ENTER)
        return d->sel == 0 ? DIALOG_YES : DIALOG_NO;
    if (d->kind == DIALOG_OK)
        return DIALOG_OPEN;
    if (!ev->keycode && (ev->ch == 'y' || ev->ch == 'Y'))
        return DIALOG_YES;
    if (!ev->keycode && (ev->ch == 'n' || ev->ch == 'N'))
        return DIALOG_NO;
    if (ev->cmd == CMD_LEFT || ev->cmd == CMD_RIGHT || ev->cmd == CMD_FIELD_NEXT
        || ev->cmd == CMD_FIELD_PREV)
        d->sel = 1 - d->sel;
    return DIALOG_OPEN;
}

struct rect
dialog_rect(const struct dialog *d, const struct rect *area)
{
    char *t = text_sanitize(d->message, TEXT_KEEP_NEWLINES);
    int inner = area->w - 4 < DIALOG_MAX_W - 4 ? area->w - 4 : DIALOG_MAX_W - 4;
    struct draw_line lines[32];
    size_t n;
    int widest = text_width(d->title) + 4;
    int h;

    if (inner < 10)
        inner = 10;
    n = draw_wrap(t, inner, lines, ARRAY_SIZE(lines));
    for (size_t i = 0; i < n && i < ARRAY_SIZE(lines); i++) {
        if (lines[i].width > widest)
            widest = lines[i].width;
    }
    if (widest < 24)
        widest = 24;
    if (widest > inner)
        widest = inner;
    free(t);
    h = (int)(n < ARRAY_SIZE(lines) ? n : ARRAY_SIZE(lines)) + 4;   /* frame, blank, buttons */
    return layout_center(area, h, widest + 4);
}

/* Draw one button, highlighted when selected; returns its width. */
static int
button(WINDOW *w, int y, int x, const char *label, bool selected, const struct theme *th)
{
    char *s = xasprintf("[ %s ]", label);
    int used = draw_text(w, y, x, 20, s, theme_attr(th, selected ? SLOT_SELECTED : SLOT_DIALOG));

    free(s);
    return used;
}

void
dialog_draw(const struct dialog *d, WINDOW *w, const struct rect *area, const struct theme *th)
{
    struct rect r = dialog_rect(d, area);
    struct rect inside = {r.y + 1, r.x + 2, r.h - 3, r.w - 4};
    int by = r.y + r.h - 2;

    draw_frame(w, &r, d->title, theme_attr(th, SLOT_DIALOG), theme_attr(th, SLOT_DIALOG));
    draw_paragraph(w, &inside, 0, d->message, theme_attr(th, SLOT_DIALOG));
    if (d->kind == DIALOG_OK) {
        char *s = xasprintf("[ %s ]", _("OK"));
        int bw = text_width(s);

        free(s);
        button(w, by, r.x + (r.w - bw) / 2, _("OK"), true, th);
        return;
    }
    {
        char *yes = xasprintf("[ %s ]", _("Yes"));
        char *no = xasprintf("[ %s ]", _("No"));
        int total = text_width(yes) + 2 + text_width(no);
        int x = r.x + (r.w - total) / 2;

        free(yes);
        free(no);
        x += button(w, by, x, _("Yes"), d->sel == 0, th) + 2;
        button(w, by, x, _("No"), d->sel == 1, th);
    }
}
