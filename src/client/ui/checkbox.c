/* checkbox: a labelled on/off field. */
#include "ui/checkbox.h"
#include "ui/draw.h"

bool
checkbox_key(struct checkbox *cb, const struct key_event *ev)
{
    if ((!ev->keycode && ev->ch == ' ') || ev->cmd == CMD_ENTER) {
        cb->checked = !cb->checked;
        return true;
    }
    return false;
}

void
checkbox_draw(const struct checkbox *cb, WINDOW *w, int y, int x, int width, const char *label,
              bool focused, const struct theme *th, int *cursor_x)
{
    attr_t box = theme_attr(th, focused ? SLOT_INPUT_FOCUS : SLOT_INPUT);

    if (width < 4)
        return;
    draw_text(w, y, x, 3, cb->checked ? "[x]" : "[ ]", box);
    draw_text(w, y, x + 4, width - 4, label, theme_attr(th, SLOT_NORMAL));
    if (cursor_x != NULL)
        *cursor_x = x + 1;
}
