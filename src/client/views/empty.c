/* empty: the honest empty state a tab shows while it has nothing to show. */
#include <stdlib.h>

#include "app.h"
#include "hotline/util.h"
#include "i18n.h"
#include "ui/draw.h"
#include "views/views.h"

void
empty_view_draw(struct app *app, void *priv, WINDOW *w, const struct rect *r)
{
    const struct view_ops *ops = app_active_view(app)->ops;
    const struct theme *th = &app->theme;
    struct rect text = {r->y + 3, r->x + 2, r->h - 3, r->w - 4};
    char *conn = app_conn_sentence(app);
    int row;

    (void)priv;
    if (r->h < 6 || r->w < 20) {
        free(conn);
        return;
    }
    draw_text(w, r->y + 1, r->x + 2, r->w - 4, _(ops->title), theme_attr(th, SLOT_TITLE));
    row = draw_paragraph(w, &text, 0, _(ops->about), theme_attr(th, SLOT_NORMAL));
    row += 1;
    row += draw_paragraph(w, &text, row, conn, theme_attr(th, app_conn_slot(app)));
    row += 1;
    draw_paragraph(w, &text, row,
                   _("Press ? for the keys, : for the command line, F10 or q to quit."),
                   theme_attr(th, SLOT_MUTED));
    free(conn);
}
