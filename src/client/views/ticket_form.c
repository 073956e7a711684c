/* ticket_form: the form of one workflow action (or of an edit of the matter) on a ticket:
 * its fields, keys, drawing and the action body it makes. */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "app.h"
#include "hotline/text.h"
#include "hotline/util.h"
#include "i18n.h"
#include "ui/draw.h"
#include "views/ticket_form.h"
#include "views/ticket_text.h"

/* Longest text typed into a field, characters (the wire's limit for notes and replies). */
#define TEXT_MAX 2000
/* Rows of the unit list. */
#define UNITS_ROWS 8
/* Width of the label column. */
#define LABEL_W 16

static const char *const approve_choices[] = {N_("approve"), N_("reject")};
static const char *const outcome_choices[] = {
    N_("reached"), N_("no answer"), N_("busy"), N_("refused"), N_("wrong number"),
};
static const char *const satisfaction_choices[] = {
    N_("satisfied"), N_("basically satisfied"), N_("dissatisfied"),
};

bool
ticket_form_trivial(enum action a)
{
    return a == ACTION_ACCEPT || a == ACTION_ARCHIVE;
}

/* Add a field. */
static struct ticket_form_field *
add(struct ticket_form *f, enum ticket_form_kind kind, const char *label, bool required)
{
    struct ticket_form_field *fl = &f->f[f->n++];

    memset(fl, 0, sizeof *fl);
    fl->kind = kind;
    fl->label = label;
    fl->required = required;
    input_init(&fl->in, kind == TICKET_FORM_NUMBER ? 6 : TEXT_MAX, 0);
    datetime_field_init(&fl->dt);
    return fl;
}

/* Add a choice field. */
static void
add_choice(struct ticket_form *f, const char *label, const char *const *choices, size_t n)
{
    struct ticket_form_field *fl = add(f, TICKET_FORM_CHOICE, label, true);

    fl->choices = choices;
    fl->nchoices = n;
}

/* The common start of both kinds of form. */
static void
start(struct ticket_form *f, const struct ticket *t)
{
    ticket_form_close(f);
    f->open = true;
    f->ticket_id = xstrdup(t->id);
    f->version = t->version;
    list_init(&f->ulist);
}

void
ticket_form_open(struct ticket_form *f, struct app *app, const struct ticket *t, enum action a)
{
    const struct api_meta *m = app_meta(app);

    start(f, t);
    f->action = a;
    switch (a) {
    case ACTION_RESOLVE_DIRECT:
        add(f, TICKET_FORM_TEXT, N_("Answer"), true);
        add(f, TICKET_FORM_TEXT, N_("Articles used"), false);
        break;
    case ACTION_DISPATCH:
        add(f, TICKET_FORM_UNITS, N_("Units"), true);
        add(f, TICKET_FORM_TEXT, N_("Note"), false);
        if (m != NULL && m->n_units > 0) {
            f->units = xcalloc(m->n_units, sizeof *f->units);
            for (size_t i = 0; i < m->n_units; i++) {
                f->units[i].code = m->units[i].code;
                f->units[i].name = m->units[i].name != NULL ? m->units[i].name
                                                            : m->units[i].code;
            }
            f->n_units = m->n_units;
        }
        list_set_count(&f->ulist, f->n_units);
        break;
    case ACTION_RETURN:
    case ACTION_REOPEN:
        add(f, TICKET_FORM_TEXT, N_("Reason"), true);
        break;
    case ACTION_REPLY:
        add(f, TICKET_FORM_TEXT, N_("Reply"), true);
        break;
    case ACTION_REQUEST_EXTENSION:
        add(f, TICKET_FORM_NUMBER, N_("Days"), true);
        add(f, TICKET_FORM_TEXT, N_("Reason"), true);
        break;
    case ACTION_DECIDE_EXTENSION:
        add_choice(f, N_("Decision"), approve_choices, ARRAY_SIZE(approve_choices));
        add(f, TICKET_FORM_TEXT, N_("Note"), false);
        break;
    case ACTION_SCHEDULE_CALLBACK:
        add(f, TICKET_FORM_DATETIME, N_("Call back at"), true);
        if (t->callback_due_at != 0)
            datetime_field_set(&f->f[0].dt, app_tz(app), t->callback_due_at);
        break;
    case ACTION_CALLBACK:
        add_choice(f, N_("Outcome"), outcome_choices, ARRAY_SIZE(outcome_choices));
        add_choice(f, N_("Satisfaction"), satisfaction_choices,
                   ARRAY_SIZE(satisfaction_choices));
        add(f, TICKET_FORM_TEXT, N_("Note"), false);
        break;
    default:   /* urge, supervise, close: a note */
        add(f, TICKET_FORM_TEXT, N_("Note"), false);
        break;
    }
}

void
ticket_form_open_edit(struct ticket_form *f, const struct ticket *t)
{
    struct ticket_form_field *fl;

    start(f, t);
    f->edit = true;
    fl = add(f, TICKET_FORM_TEXT, N_("Subject"), false);
    fl->name = "title";
    input_set(&fl->in, t->title != NULL ? t->title : "");
    fl = add(f, TICKET_FORM_TEXT, N_("Location"), false);
    fl->name = "location";
    input_set(&fl->in, t->location != NULL ? t->location : "");
    fl = add(f, TICKET_FORM_TEXT, N_("Description"), true);
    fl->name = "description";
    input_set(&fl->in, t->description != NULL ? t->description : "");
}

void
ticket_form_close(struct ticket_form *f)
{
    for (size_t i = 0; i < f->n; i++) {
        input_fini(&f->f[i].in);
        datetime_field_fini(&f->f[i].dt);
    }
    free(f->units);
    free(f->ticket_id);
    free(f->error);
    memset(f, 0, sizeof *f);
}

void
ticket_form_set_error(struct ticket_form *f, const char *msg)
{
    free(f->error);
    f->error = xstrdup(msg);
}

/* Space on a unit: none -> lead -> assist -> none; one lead at most. */
static void
cycle_unit(struct ticket_form *f)
{
    struct ticket_form_unit *u;

    if (f->n_units == 0)
        return;
    u = &f->units[f->ulist.sel];
    u->role = (u->role + 1) % 3;
    if (u->role == 1) {
        for (size_t i = 0; i < f->n_units; i++) {
            if (&f->units[i] != u && f->units[i].role == 1)
                f->units[i].role = 2;
        }
    }
}

enum ticket_form_result
ticket_form_key(struct ticket_form *f, const struct key_event *ev)
{
    struct ticket_form_field *fl = &f->f[f->focus];

    switch (ev->cmd) {
    case CMD_CANCEL:
        return TICKET_FORM_CANCEL;
    case CMD_ENTER:
        return TICKET_FORM_SUBMIT;
    case CMD_FIELD_NEXT:
        f->focus = (f->focus + 1) % f->n;
        return TICKET_FORM_NONE;
    case CMD_FIELD_PREV:
        f->focus = (f->focus + f->n - 1) % f->n;
        return TICKET_FORM_NONE;
    default:
        break;
    }
    switch (fl->kind) {
    case TICKET_FORM_UNITS:
        if (!ev->keycode && ev->ch == ' ') {
            cycle_unit(f);
            return TICKET_FORM_NONE;
        }
        if (list_cmd(&f->ulist, ev->cmd))
            return TICKET_FORM_NONE;
        if (ev->cmd == CMD_DOWN && f->focus + 1 < f->n)
            f->focus++;
        return TICKET_FORM_NONE;
    case TICKET_FORM_CHOICE:
        if (ev->cmd == CMD_LEFT)
            fl->choice = (fl->choice + fl->nchoices - 1) % fl->nchoices;
        else if (ev->cmd == CMD_RIGHT || (!ev->keycode && ev->ch == ' '))
            fl->choice = (fl->choice + 1) % fl->nchoices;
        else if (ev->cmd == CMD_DOWN)
            f->focus = (f->focus + 1) % f->n;
        else if (ev->cmd == CMD_UP)
            f->focus = (f->focus + f->n - 1) % f->n;
        return TICKET_FORM_NONE;
    case TICKET_FORM_DATETIME:
        if (datetime_field_key(&fl->dt, ev) == EDIT_UNHANDLED) {
            if (ev->keycode && ev->ch == KEY_DOWN)
                f->focus = (f->focus + 1) % f->n;
            else if (ev->keycode && ev->ch == KEY_UP)
                f->focus = (f->focus + f->n - 1) % f->n;
        }
        return TICKET_FORM_NONE;
    default:
        if (ev->keycode && (ev->ch == KEY_DOWN || ev->ch == KEY_UP)) {
            f->focus = (f->focus + (ev->ch == KEY_DOWN ? 1 : f->n - 1)) % f->n;
            return TICKET_FORM_NONE;
        }
        if (fl->kind == TICKET_FORM_NUMBER && !ev->keycode && ev->ch >= 32 &&
            (ev->ch < '0' || ev->ch > '9'))
            return TICKET_FORM_NONE;
        input_key(&fl->in, ev);
        return TICKET_FORM_NONE;
    }
}

/* The text of a field, NULL when blank. */
static const char *
text_of(const struct ticket_form_field *fl)
{
    const char *s = input_text(&fl->in);

    for (const char *p = s; *p != '\0'; p++) {
        if (*p != ' ')
            return s;
    }
    return NULL;
}

/* A copy of a field's text, NULL when blank. */
static char *
dup_of(const struct ticket_form_field *fl)
{
    return xstrdup(text_of(fl));
}

/* Fill the units of a dispatch; HL_EINVAL when none is chosen. */
static int
dispatch_units(const struct ticket_form *f, struct action_body *b, struct err *e)
{
    size_t n = 0;
    bool lead = false;

    for (size_t i = 0; i < f->n_units; i++) {
        if (f->units[i].role != 0)
            n++;
        lead = lead || f->units[i].role == 1;
    }
    if (n == 0)
        return err_set(e, HL_EINVAL, "units",
                       _("Choose at least one unit: Space marks it lead, again assist."));
    b->units = xcalloc(n, sizeof *b->units);
    for (size_t i = 0; i < f->n_units; i++) {
        if (f->units[i].role == 0)
            continue;
        b->units[b->n_units].unit = xstrdup(f->units[i].code);
        /* Without a lead, the first unit chosen leads. */
        b->units[b->n_units].role = f->units[i].role == 1 || (!lead && b->n_units == 0)
                                        ? ROLE_LEAD : ROLE_ASSIST;
        b->n_units++;
    }
    return HL_OK;
}

/* Split "KB-1, KB-2" into the article list. */
static void
kb_refs(const char *s, struct strlist *out)
{
    char *copy = xstrdup(s != NULL ? s : "");
    char *p = copy;

    while (*p != '\0') {
        char *end = p + strcspn(p, ", ");

        if (end > p) {
            char c = *end;

            *end = '\0';
            strlist_add(out, p);
            *end = c;
        }
        p = *end != '\0' ? end + 1 : end;
    }
    free(copy);
}

int
ticket_form_body(const struct ticket_form *f, struct app *app, struct action_body *b,
                 struct err *e)
{
    int rc = HL_OK;
    long days;

    memset(b, 0, sizeof *b);
    b->action = f->action;
    for (size_t i = 0; i < f->n; i++) {
        const struct ticket_form_field *fl = &f->f[i];

        if (fl->required && (fl->kind == TICKET_FORM_TEXT || fl->kind == TICKET_FORM_NUMBER) &&
            text_of(fl) == NULL)
            return err_set(e, HL_EINVAL, fl->label, _("%s: required"), _(fl->label));
    }
    switch (f->action) {
    case ACTION_RESOLVE_DIRECT:
        b->answer = dup_of(&f->f[0]);
        kb_refs(text_of(&f->f[1]), &b->kb_refs);
        break;
    case ACTION_DISPATCH:
        rc = dispatch_units(f, b, e);
        b->note = dup_of(&f->f[1]);
        break;
    case ACTION_RETURN:
    case ACTION_REOPEN:
        b->reason = dup_of(&f->f[0]);
        break;
    case ACTION_REPLY:
        b->reply = dup_of(&f->f[0]);
        break;
    case ACTION_REQUEST_EXTENSION:
        if (!str_to_long(input_text(&f->f[0].in), 1, 365, &days))
            return err_set(e, HL_EINVAL, "days", _("Days: give a number of days (1 to 7)."));
        b->days = (int)days;
        b->reason = dup_of(&f->f[1]);
        break;
    case ACTION_DECIDE_EXTENSION:
        b->approve = f->f[0].choice == 0;
        b->note = dup_of(&f->f[1]);
        break;
    case ACTION_SCHEDULE_CALLBACK:
        rc = datetime_field_value(&f->f[0].dt, app_tz(app), &b->at, e);
        break;
    case ACTION_CALLBACK:
        b->outcome = (enum cb_outcome)f->f[0].choice;
        b->satisfaction = b->outcome == CB_REACHED ? (enum satisfaction)(f->f[1].choice + 1)
                                                   : SAT_NONE;
        b->note = dup_of(&f->f[2]);
        break;
    default:
        if (f->n > 0)
            b->note = dup_of(&f->f[0]);
        break;
    }
    if (rc != HL_OK)
        codec_action_fini(b);
    return rc;
}

void
ticket_form_apply_edit(const struct ticket_form *f, struct ticket *t, struct strlist *fields)
{
    for (size_t i = 0; i < f->n; i++) {
        const struct ticket_form_field *fl = &f->f[i];
        char **dst = NULL;
        const char *now = text_of(fl);

        if (fl->name == NULL)
            continue;
        if (strcmp(fl->name, "title") == 0)
            dst = &t->title;
        else if (strcmp(fl->name, "location") == 0)
            dst = &t->location;
        else if (strcmp(fl->name, "description") == 0)
            dst = &t->description;
        if (dst == NULL)
            continue;
        if ((*dst == NULL && now == NULL) ||
            (*dst != NULL && now != NULL && strcmp(*dst, now) == 0))
            continue;
        free(*dst);
        *dst = xstrdup(now);
        strlist_add(fields, fl->name);
    }
}

/* Draw one unit row of the dispatch list. */
static void
unit_row(void *arg, WINDOW *w, size_t i, int y, int x, int width, bool selected)
{
    struct ticket_form *f = ((void **)arg)[0];
    struct app *app = ((void **)arg)[1];
    const struct ticket_form_unit *u = &f->units[i];
    const char *mark = u->role == 1 ? _("lead") : u->role == 2 ? _("assist") : "";
    char *line = xasprintf("[%s] %s (%s)", u->role != 0 ? "x" : " ", u->name, u->code);
    attr_t a = theme_attr(&app->theme, selected ? SLOT_SELECTED : SLOT_INPUT);

    draw_fill(w, y, x, width, a);
    draw_text(w, y, x + 1, width - 12, line, a);
    draw_text_right(w, y, x, width - 1, mark, a);
    free(line);
}

void
ticket_form_draw(struct ticket_form *f, struct app *app, WINDOW *w, const struct rect *area,
                 int *cy, int *cx)
{
    const struct theme *th = &app->theme;
    int rows = 0, bw, fx, fw, y;
    struct rect box, err;
    char *title;

    *cy = *cx = -1;
    for (size_t i = 0; i < f->n; i++)
        rows += f->f[i].kind == TICKET_FORM_UNITS ? UNITS_ROWS + 1 : 2;
    bw = area->w - 4 < 76 ? area->w - 4 : 76;
    box = layout_center(area, rows + 7, bw);
    if (f->edit)
        title = xasprintf(_("Edit %s"), f->ticket_id);
    else
        title = xasprintf("%s · %s", ticket_text_action(f->action), f->ticket_id);
    draw_frame(w, &box, title, theme_attr(th, SLOT_BORDER), theme_attr(th, SLOT_DIALOG));
    free(title);
    fx = box.x + 2 + LABEL_W;
    fw = box.w - LABEL_W - 4;
    y = box.y + 2;
    for (size_t i = 0; i < f->n; i++) {
        struct ticket_form_field *fl = &f->f[i];
        bool focus = i == f->focus;
        attr_t a = theme_attr(th, focus ? SLOT_INPUT_FOCUS : SLOT_INPUT);
        char *label = xasprintf("%s%s", _(fl->label), fl->required ? " *" : "");
        int x;

        draw_text(w, y, box.x + 2, LABEL_W - 1, label, theme_attr(th, SLOT_LABEL));
        free(label);
        switch (fl->kind) {
        case TICKET_FORM_UNITS: {
            struct rect lr = {y, fx, UNITS_ROWS, fw};
            void *arg[2] = {f, app};

            if (f->n_units == 0) {
                draw_text(w, y, fx, fw, _("no units known yet (the server's /meta)"),
                          theme_attr(th, SLOT_MUTED));
            } else {
                list_draw(&f->ulist, w, &lr, unit_row, arg);
            }
            y += UNITS_ROWS + 1;
            continue;
        }
        case TICKET_FORM_CHOICE: {
            char *c = xasprintf("< %s >", _(fl->choices[fl->choice]));

            draw_fill(w, y, fx, fw, a);
            draw_text(w, y, fx, fw, c, a);
            free(c);
            break;
        }
        case TICKET_FORM_DATETIME: {
            size_t first;

            draw_fill(w, y, fx, DATETIME_FIELD_LEN + 1, a);
            edit_view(&fl->dt.ed, DATETIME_FIELD_LEN + 1, &first, &x);
            draw_clip(w, y, fx, DATETIME_FIELD_LEN + 1, fl->dt.ed.buf + first,
                      fl->dt.ed.len - first, a);
            draw_text(w, y, fx + DATETIME_FIELD_LEN + 2, fw - DATETIME_FIELD_LEN - 2,
                      "YYYY-MM-DD HH:MM", theme_attr(th, SLOT_MUTED));
            if (focus) {
                *cy = y;
                *cx = fx + x;
            }
            break;
        }
        default:
            input_draw(&fl->in, w, y, fx, fw, a, &x);
            if (focus) {
                *cy = y;
                *cx = x;
            }
            break;
        }
        y += 2;
    }
    err = (struct rect){box.y + box.h - 4, box.x + 2, 2, box.w - 4};
    if (f->error != NULL)
        draw_paragraph(w, &err, 0, f->error, theme_attr(th, SLOT_ERROR));
    draw_text(w, box.y + box.h - 2, box.x + 2, box.w - 4,
              f->action == ACTION_DISPATCH && !f->edit
                  ? _("Space: lead/assist  Tab: next field  Enter: send  Esc: cancel")
                  : _("Tab: next field  Left/Right: choose  Enter: send  Esc: cancel"),
              theme_attr(th, SLOT_MUTED));
}
