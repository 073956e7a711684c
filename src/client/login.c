/* login: the sign-in form drawn over the body (at start, and again when the session expires). */
#include <stdlib.h>
#include <string.h>

#include "hotline/util.h"
#include "i18n.h"
#include "login.h"
#include "ui/draw.h"

/* Width of the form's box, columns. */
#define BOX_W 64
/* Column of the fields inside the box. */
#define FIELD_X 16

void
login_init(struct login *l, const char *server, const char *user)
{
    memset(l, 0, sizeof *l);
    input_init(&l->user, LOGIN_USER_MAX, 0);
    edit_init(&l->password, LOGIN_PASSWORD_MAX, false);
    l->server = xstrdup(server != NULL ? server : "");
    if (!str_empty(user)) {
        input_set(&l->user, user);
        l->focus = 1;
    }
}

/* Zero the password's bytes. */
static void
wipe(struct edit *e)
{
    if (e->buf != NULL)
        memset(e->buf, 0, e->cap);
}

void
login_fini(struct login *l)
{
    input_fini(&l->user);
    wipe(&l->password);
    edit_fini(&l->password);
    free(l->server);
    free(l->note);
    free(l->error);
    memset(l, 0, sizeof *l);
}

void
login_set_note(struct login *l, const char *note)
{
    free(l->note);
    l->note = xstrdup(note);
}

void
login_set_error(struct login *l, const char *error)
{
    free(l->error);
    l->error = xstrdup(error);
}

const char *
login_user(const struct login *l)
{
    return input_text(&l->user);
}

const char *
login_password(const struct login *l)
{
    return edit_text(&l->password);
}

void
login_clear_password(struct login *l)
{
    wipe(&l->password);
    edit_set(&l->password, "");
}

enum login_result
login_key(struct login *l, const struct key_event *ev)
{
    if (ev->keycode && ev->ch == KEY_F(10))
        return LOGIN_QUIT;
    switch (ev->cmd) {
    case CMD_CANCEL:
        return LOGIN_DISMISS;
    case CMD_FIELD_NEXT:
    case CMD_FIELD_PREV:
        l->focus = 1 - l->focus;
        return LOGIN_NONE;
    case CMD_ENTER:
        if (l->busy)
            return LOGIN_NONE;
        if (str_empty(login_user(l))) {
            l->focus = 0;
            return LOGIN_NONE;
        }
        if (str_empty(login_password(l))) {
            l->focus = 1;
            return LOGIN_NONE;
        }
        return LOGIN_SUBMIT;
    default:
        break;
    }
    if (ev->keycode && (ev->ch == KEY_UP || ev->ch == KEY_DOWN)) {
        l->focus = ev->ch == KEY_UP ? 0 : 1;
        return LOGIN_NONE;
    }
    if (l->focus == 0) {
        if (input_key(&l->user, ev) == INPUT_CHANGED) {
            free(l->error);
            l->error = NULL;
        }
    } else if (edit_key(&l->password, ev->ch, ev->keycode, 0) == EDIT_CHANGED) {
        free(l->error);
        l->error = NULL;
    }
    return LOGIN_NONE;
}

void
login_draw(struct login *l, WINDOW *w, const struct rect *area, const struct theme *th,
           int *cy, int *cx)
{
    attr_t fill = theme_attr(th, SLOT_DIALOG);
    attr_t label = theme_attr(th, SLOT_LABEL);
    struct rect box = layout_center(area, 13, BOX_W);
    struct rect text;
    int fw, y, ux = 0, pcx;
    size_t n;

    draw_frame(w, &box, _("Sign in"), theme_attr(th, SLOT_BORDER), fill);
    fw = box.w - FIELD_X - 2;
    y = box.y + 1;
    draw_text(w, y, box.x + 2, FIELD_X - 3, _("Server"), label);
    draw_text(w, y, box.x + FIELD_X, fw, l->server, fill);
    y += 2;
    draw_text(w, y, box.x + 2, FIELD_X - 3, _("User id"), label);
    input_draw(&l->user, w, y, box.x + FIELD_X, fw,
               theme_attr(th, l->focus == 0 ? SLOT_INPUT_FOCUS : SLOT_INPUT), &ux);
    if (l->focus == 0) {
        *cy = y;
        *cx = ux;
    }
    y += 2;
    draw_text(w, y, box.x + 2, FIELD_X - 3, _("Password"), label);
    draw_fill(w, y, box.x + FIELD_X, fw,
              theme_attr(th, l->focus == 1 ? SLOT_INPUT_FOCUS : SLOT_INPUT));
    n = edit_chars(&l->password);
    pcx = (int)n < fw - 1 ? (int)n : fw - 1;
    for (int i = 0; i < pcx; i++)
        mvwaddch(w, y, box.x + FIELD_X + i,
                 '*' | theme_attr(th, l->focus == 1 ? SLOT_INPUT_FOCUS : SLOT_INPUT));
    if (l->focus == 1) {
        *cy = y;
        *cx = box.x + FIELD_X + pcx;
    }
    y += 2;
    text = (struct rect){y, box.x + 2, 3, box.w - 4};
    if (l->busy)
        draw_paragraph(w, &text, 0, _("Signing in..."), theme_attr(th, SLOT_MUTED));
    else if (l->error != NULL)
        draw_paragraph(w, &text, 0, l->error, theme_attr(th, SLOT_ERROR));
    else if (l->note != NULL)
        draw_paragraph(w, &text, 0, l->note, theme_attr(th, SLOT_WARN));
    draw_text(w, box.y + box.h - 2, box.x + 2, box.w - 4,
              _("Enter: sign in  Tab: next  Esc: use the cache  F10: quit"),
              theme_attr(th, SLOT_MUTED));
}
