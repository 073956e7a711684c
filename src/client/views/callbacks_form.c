/* callbacks_form: the small forms of the callbacks tab: record an attempt (outcome,
 * satisfaction, the caller's words), agree a time (schedule), close as unreachable (note). */
#include <stdlib.h>
#include <string.h>

#include "hotline/util.h"
#include "i18n.h"
#include "ui/draw.h"
#include "views/callbacks_form.h"
#include "views/ticket_text.h"

/* Columns of the label column. */
#define LABEL_W 18

void
callbacks_form_open(struct callbacks_form *f, enum callbacks_form_kind kind,
                    const struct ticket *t, const struct tz *tz, hl_time at)
{
    callbacks_form_close(f);
    f->kind = kind;
    f->ticket_id = xstrdup(t->id != NULL ? t->id : "");
    f->version = t->version;
    f->outcome = CB_REACHED;
    f->satisfaction = SAT_SATISFIED;
    input_init(&f->note, MODEL_MAX_TEXT, 0);
    datetime_field_init(&f->at);
    if (at != 0)
        datetime_field_set(&f->at, tz, at);
    f->focus = kind == CALLBACKS_FORM_ATTEMPT ? CALLBACKS_FIELD_OUTCOME : CALLBACKS_FIELD_NOTE;
    switch (kind) {
    case CALLBACKS_FORM_ATTEMPT:
        f->title = xasprintf(_("Callback attempt: %s"), f->ticket_id);
        break;
    case CALLBACKS_FORM_SCHEDULE:
        f->title = xasprintf(_("Agree a time with the caller: %s"), f->ticket_id);
        break;
    default:
        f->title = xasprintf(_("Close %s"), f->ticket_id);
        break;
    }
}

void
callbacks_form_close(struct callbacks_form *f)
{
    if (f->kind != CALLBACKS_FORM_NONE) {
        input_fini(&f->note);
        datetime_field_fini(&f->at);
    }
    free(f->ticket_id);
    free(f->title);
    free(f->error);
    memset(f, 0, sizeof *f);
}

bool
callbacks_form_is_open(const struct callbacks_form *f)
{
    return f->kind != CALLBACKS_FORM_NONE;
}

void
callbacks_form_set_error(struct callbacks_form *f, const char *msg)
{
    free(f->error);
    f->error = msg != NULL ? xstrdup(msg) : NULL;
}

/* Move the attempt form's focus by delta, skipping satisfaction unless reached. */
static void
move_focus(struct callbacks_form *f, int delta)
{
    int i = (int)f->focus;

    do {
        i = (i + delta + 3) % 3;
    } while (i == CALLBACKS_FIELD_SATISFACTION && f->outcome != CB_REACHED);
    f->focus = (enum callbacks_form_field)i;
}

enum callbacks_form_result
callbacks_form_key(struct callbacks_form *f, const struct key_event *ev)
{
    int delta = 0;

    if (ev->cmd == CMD_CANCEL)
        return CALLBACKS_FORM_CANCEL;
    if (ev->cmd == CMD_ENTER)
        return CALLBACKS_FORM_SUBMIT;
    if (f->kind == CALLBACKS_FORM_SCHEDULE) {
        datetime_field_key(&f->at, ev);
        return CALLBACKS_FORM_KEEP;
    }
    if (f->kind == CALLBACKS_FORM_CLOSE) {
        input_key(&f->note, ev);
        return CALLBACKS_FORM_KEEP;
    }
    if (ev->cmd == CMD_FIELD_NEXT || (ev->keycode && ev->ch == KEY_DOWN)) {
        move_focus(f, 1);
        return CALLBACKS_FORM_KEEP;
    }
    if (ev->cmd == CMD_FIELD_PREV || (ev->keycode && ev->ch == KEY_UP)) {
        move_focus(f, -1);
        return CALLBACKS_FORM_KEEP;
    }
    if (f->focus == CALLBACKS_FIELD_NOTE) {
        input_key(&f->note, ev);
        return CALLBACKS_FORM_KEEP;
    }
    if (ev->keycode && ev->ch == KEY_LEFT)
        delta = -1;
    else if ((ev->keycode && ev->ch == KEY_RIGHT) || (!ev->keycode && ev->ch == ' '))
        delta = 1;
    if (delta == 0)
        return CALLBACKS_FORM_KEEP;
    if (f->focus == CALLBACKS_FIELD_OUTCOME)
        f->outcome = (enum cb_outcome)(((int)f->outcome + delta + CB_OUTCOME_COUNT) %
                                       CB_OUTCOME_COUNT);
    else    /* SAT_NONE is not a choice */
        f->satisfaction = (enum satisfaction)(((int)f->satisfaction - 1 + delta + SAT_COUNT - 1) %
                                              (SAT_COUNT - 1) + 1);
    return CALLBACKS_FORM_KEEP;
}

/* A trimmed copy of s, NULL when blank. */
static char *
trimmed(const char *s)
{
    size_t a = 0, b = strlen(s);

    while (a < b && s[a] == ' ')
        a++;
    while (b > a && s[b - 1] == ' ')
        b--;
    return b > a ? xstrndup(s + a, b - a) : NULL;
}

int
callbacks_form_body(const struct callbacks_form *f, const struct tz *tz,
                    struct action_body *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    switch (f->kind) {
    case CALLBACKS_FORM_ATTEMPT:
        out->action = ACTION_CALLBACK;
        out->outcome = f->outcome;
        out->satisfaction = f->outcome == CB_REACHED ? f->satisfaction : SAT_NONE;
        out->note = trimmed(input_text(&f->note));
        return HL_OK;
    case CALLBACKS_FORM_SCHEDULE:
        out->action = ACTION_SCHEDULE_CALLBACK;
        return datetime_field_value(&f->at, tz, &out->at, e);
    case CALLBACKS_FORM_CLOSE:
        out->action = ACTION_CLOSE;
        out->note = trimmed(input_text(&f->note));
        return HL_OK;
    default:
        return err_set(e, HL_EINVAL, "form", "no form is open");
    }
}

/* Draw a label, focused or not. */
static void
label(WINDOW *w, int y, int x, const char *text, bool focus, const struct theme *th)
{
    draw_text(w, y, x, LABEL_W - 1, text, theme_attr(th, focus ? SLOT_KEY : SLOT_LABEL));
}

/* Draw a choice: "< reached >" when focused. */
static void
choice(WINDOW *w, int y, int x, int width, const char *value, bool focus, const struct theme *th)
{
    char *s = focus ? xasprintf("< %s >", value) : xstrdup(value);
    attr_t a = theme_attr(th, focus ? SLOT_INPUT_FOCUS : SLOT_DIALOG);

    draw_fill(w, y, x, width, a);
    draw_text(w, y, x, width, s, a);
    free(s);
}

void
callbacks_form_draw(struct callbacks_form *f, WINDOW *w, const struct rect *area,
                    const struct theme *th, int *cy, int *cx)
{
    int h = f->kind == CALLBACKS_FORM_ATTEMPT ? 10 : 7;
    struct rect box = layout_center(area, h, area->w - 4 < 72 ? area->w - 4 : 72);
    int x = box.x + 2, fx = box.x + 2 + LABEL_W, fw = box.w - LABEL_W - 4, y = box.y + 2;
    attr_t dlg = theme_attr(th, SLOT_DIALOG);
    const char *hint;

    if (box.h < 5 || fw < 10)
        return;
    draw_frame(w, &box, f->title, theme_attr(th, SLOT_BORDER), dlg);
    switch (f->kind) {
    case CALLBACKS_FORM_ATTEMPT:
        label(w, y, x, _("Outcome"), f->focus == CALLBACKS_FIELD_OUTCOME, th);
        choice(w, y++, fx, fw, ticket_text_outcome(f->outcome),
               f->focus == CALLBACKS_FIELD_OUTCOME, th);
        label(w, y, x, _("Satisfaction"), f->focus == CALLBACKS_FIELD_SATISFACTION, th);
        if (f->outcome == CB_REACHED)
            choice(w, y, fx, fw, ticket_text_satisfaction(f->satisfaction),
                   f->focus == CALLBACKS_FIELD_SATISFACTION, th);
        else
            draw_text(w, y, fx, fw, _("(only when the caller was reached)"),
                      theme_attr(th, SLOT_MUTED));
        y++;
        label(w, y, x, _("Caller's words"), f->focus == CALLBACKS_FIELD_NOTE, th);
        input_draw(&f->note, w, y, fx, fw,
                   theme_attr(th, f->focus == CALLBACKS_FIELD_NOTE ? SLOT_INPUT_FOCUS
                                                                   : SLOT_INPUT), cx);
        if (f->focus == CALLBACKS_FIELD_NOTE)
            *cy = y;
        y += 2;
        if (f->outcome == CB_REACHED && f->satisfaction == SAT_DISSATISFIED)
            draw_text(w, y, x, box.w - 4,
                      _("Dissatisfied: the ticket goes back to the unit to redo (退回重办)."),
                      theme_attr(th, SLOT_WARN));
        else if (f->outcome != CB_REACHED && f->outcome != CB_REFUSED)
            draw_text(w, y, x, box.w - 4, _("A failed attempt: call again once the rules' "
                                             "interval has passed."), theme_attr(th, SLOT_MUTED));
        hint = _("←→ change, ↑↓ move, Enter records, Esc cancels");
        break;
    case CALLBACKS_FORM_SCHEDULE: {
        size_t first;
        int c;

        label(w, y, x, _("Call at"), true, th);
        draw_fill(w, y, fx, DATETIME_FIELD_LEN + 1, theme_attr(th, SLOT_INPUT_FOCUS));
        edit_view(&f->at.ed, DATETIME_FIELD_LEN + 1, &first, &c);
        draw_clip(w, y, fx, DATETIME_FIELD_LEN + 1, f->at.ed.buf + first, f->at.ed.len - first,
                  theme_attr(th, SLOT_INPUT_FOCUS));
        draw_text(w, y, fx + DATETIME_FIELD_LEN + 2, fw - DATETIME_FIELD_LEN - 2,
                  _("YYYY-MM-DD HH:MM"), theme_attr(th, SLOT_MUTED));
        *cy = y;
        *cx = fx + c;
        hint = _("Not in the quiet hours. Enter agrees the time, Esc cancels");
        break;
    }
    default:
        label(w, y, x, _("Note"), true, th);
        input_draw(&f->note, w, y, fx, fw, theme_attr(th, SLOT_INPUT_FOCUS), cx);
        *cy = y;
        hint = _("Enter closes the ticket, Esc cancels");
        break;
    }
    if (f->error != NULL)
        draw_text(w, box.y + box.h - 3, x, box.w - 4, f->error, theme_attr(th, SLOT_ERROR));
    draw_text(w, box.y + box.h - 2, x, box.w - 4, hint, theme_attr(th, SLOT_MUTED));
}
