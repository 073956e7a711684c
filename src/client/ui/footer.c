/* footer: the key-hint line ("F1 Help  F2 Call ..."), from the key tables. */
#include "hotline/text.h"
#include "i18n.h"
#include "ui/draw.h"
#include "ui/footer.h"

/* Columns of one hint: key, space, label, and two spaces after it. */
static int
hint_width(const struct key_hint *h)
{
    return text_width(h->key) + 1 + text_width(_(h->label)) + 2;
}

size_t
footer_fit(const struct key_hint *hints, size_t n, int width)
{
    int col = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        int hw = hint_width(&hints[i]);

        if (col + hw > width)
            break;
        col += hw;
    }
    return i;
}

void
footer_draw(WINDOW *w, int width, const struct key_hint *hints, size_t n, const struct theme *th)
{
    size_t shown = footer_fit(hints, n, width);
    int col = 0;

    draw_fill(w, 0, 0, width, theme_attr(th, SLOT_FOOTER));
    for (size_t i = 0; i < shown; i++) {
        col += draw_text(w, 0, col, width - col, hints[i].key, theme_attr(th, SLOT_KEY));
        col += 1;
        col += draw_text(w, 0, col, width - col, _(hints[i].label), theme_attr(th, SLOT_FOOTER));
        col += 2;
    }
}
