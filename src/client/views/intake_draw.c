/* intake_draw: drawing the intake tab: the form, the caller's history and the suggestions
 * beside it, the standard phrases, the panels over the form, and the number read out. */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "hotline/text.h"
#include "hotline/util.h"
#include "i18n.h"
#include "ui/checkbox.h"
#include "ui/draw.h"
#include "views/intake_big.h"
#include "views/intake_phrases.h"
#include "views/intake_view.h"
#include "views/views.h"

/* Columns of the widest translated label (4..12), plus a space. */
static int
label_width(void)
{
    int lw = 4;

    for (size_t i = 0; i < INTAKE_F_COUNT; i++) {
        int tw;

        if (i == INTAKE_F_CONFIDENTIAL)
            continue;       /* drawn with its own label width */
        tw = text_width(_(intake_field_label((enum intake_field)i)));

        if (tw > lw)
            lw = tw;
    }
    return (lw > 12 ? 12 : lw) + 1;
}

/* The status of a ticket in the console's language. */
static const char *
status_text(enum status s)
{
    return strcmp(i18n_lang(), "en") == 0 ? status_str(s) : status_label(s);
}

/* The daily sequence of a ticket id ("000042" of "HL20261122-000042"), or the id. */
static const char *
short_id(const char *id)
{
    const char *dash = id != NULL ? strrchr(id, '-') : NULL;

    if (id == NULL)
        return "";
    return dash != NULL && str_starts_with(id, "HL") ? dash + 1 : id;
}

/* Elapsed seconds as "MM:SS" (or "H:MM:SS"). */
static void
format_elapsed(long secs, char *buf, size_t sz)
{
    if (secs < 0)
        secs = 0;
    if (secs >= 3600)
        snprintf(buf, sz, "%ld:%02ld:%02ld", secs / 3600, secs / 60 % 60, secs % 60);
    else
        snprintf(buf, sz, "%02ld:%02ld", secs / 60, secs % 60);
}

/* Draw one field (label and value) at y,x in width columns, label lw columns wide. */
static void
draw_field(struct intake_view *v, WINDOW *w, enum intake_field f, int y, int x, int width,
           int lw)
{
    const struct theme *th = &v->app->theme;
    bool focused = v->focus == f && v->modal == INTAKE_MODAL_NONE && v->stage == INTAKE_FORM;
    attr_t in_attr = theme_attr(th, focused ? SLOT_INPUT_FOCUS : SLOT_INPUT);
    int vx = x + lw;
    int vw = width - lw;
    int cx = vx;
    char *s;

    if (vw < 4)
        return;
    draw_text(w, y, x, lw - 1, _(intake_field_label(f)),
              theme_attr(th, focused ? SLOT_TITLE : SLOT_LABEL));
    switch (intake_field_kind(f)) {
    case INTAKE_KIND_TEXT:
        if (f == INTAKE_F_DUE) {
            size_t first;

            draw_fill(w, y, vx, vw, in_attr);
            edit_view(&v->due.ed, vw, &first, &cx);
            cx += vx;
            if (v->due.ed.len == 0 && !focused)
                draw_text(w, y, vx, vw, _("YYYY-MM-DD HH:MM (optional)"),
                          in_attr | theme_attr(th, SLOT_MUTED));
            else
                draw_clip(w, y, vx, vw, v->due.ed.buf + first, v->due.ed.len - first, in_attr);
        } else {
            input_draw(&v->in[f], w, y, vx, vw, in_attr, &cx);
            if (f == INTAKE_F_PHONE && v->in[f].ed.len == 0 && !focused)
                draw_text(w, y, vx, vw, _("the caller's number"), theme_attr(th, SLOT_MUTED));
        }
        break;
    case INTAKE_KIND_AREA:
        break;      /* drawn by the caller: it spans rows */
    case INTAKE_KIND_CHOICE: {
        const char *t = intake_form_choice_text(&v->form, f);

        s = xasprintf("<%s>", t[0] != '\0' ? _(t) : _("choose"));
        draw_fill(w, y, vx, vw, in_attr);
        draw_text(w, y, vx, vw, s, in_attr);
        free(s);
        cx = vx + 1;
        break;
    }
    case INTAKE_KIND_PICKER:
        draw_fill(w, y, vx, vw, in_attr);
        if (v->form.category[0] == '\0') {
            draw_text(w, y, vx, vw, _("Enter: choose from the tree"),
                      in_attr | theme_attr(th, SLOT_MUTED));
        } else {
            int used = draw_text(w, y, vx, vw, v->form.category_label[0] != '\0'
                                 ? v->form.category_label : v->form.category, in_attr);

            if (used + 2 < vw)
                draw_text(w, y, vx + used + 1, vw - used - 1, v->form.category,
                          in_attr | theme_attr(th, SLOT_MUTED));
        }
        break;
    case INTAKE_KIND_CHECK: {
        struct checkbox cb = {v->form.confidential};

        checkbox_draw(&cb, w, y, vx, vw, v->form.confidential ? _("hide name, phone, address")
                                                                : _("not confidential"),
                      focused, th, &cx);
        break;
    }
    }
    if (focused)
        app_set_cursor(v->app, w, y, cx);
}

/* The form in r. */
static void
draw_form(struct intake_view *v, WINDOW *w, const struct rect *r)
{
    const struct theme *th = &v->app->theme;
    int lw = label_width();
    int half = r->w / 2;
    int y = r->y;
    int dh = r->h - 14;
    char buf[32];
    char *s;
    int x;

    if (dh > 10)
        dh = 10;
    if (dh < 2)
        dh = 2;
    /* The header: call clock, hold clock. */
    format_elapsed((long)(app_now(v->app) - v->form.call_started), buf, sizeof buf);
    s = xasprintf(_("Call %s"), buf);
    x = r->x + draw_text(w, y, r->x, r->w, s, theme_attr(th, SLOT_TITLE));
    free(s);
    if (v->on_hold) {
        format_elapsed((long)(app_now(v->app) - v->hold_since), buf, sizeof buf);
        s = xasprintf(_("ON HOLD %s"), buf);
        x += 2 + draw_text(w, y, x + 2, r->x + r->w - x - 2, s,
                           theme_attr(th, SLOT_WARN) | A_BOLD);
        free(s);
    }
    if (v->stage == INTAKE_SENDING)
        draw_text(w, y, x + 2, r->x + r->w - x - 2, _("sending..."), theme_attr(th, SLOT_WARN));
    else if (v->form.confidential)
        draw_text(w, y, x + 2, r->x + r->w - x - 2, _("confidential caller"),
                  theme_attr(th, SLOT_WARN));
    y++;
    draw_field(v, w, INTAKE_F_PHONE, y++, r->x, r->w, lw);
    draw_field(v, w, INTAKE_F_SALUTATION, y, r->x, half, lw);
    draw_field(v, w, INTAKE_F_NAME, y++, r->x + half + 1, r->w - half - 1, lw);
    draw_field(v, w, INTAKE_F_ADDRESS, y++, r->x, r->w, lw);
    draw_field(v, w, INTAKE_F_ORG, y++, r->x, r->w, lw);
    draw_field(v, w, INTAKE_F_CHANNEL, y, r->x, half, lw);
    draw_field(v, w, INTAKE_F_NATURE, y++, r->x + half + 1, r->w - half - 1, lw);
    if (intake_field_visible(&v->form, INTAKE_F_LEVEL))
        draw_field(v, w, INTAKE_F_LEVEL, y, r->x, r->w, lw);
    y++;
    draw_field(v, w, INTAKE_F_CATEGORY, y++, r->x, r->w, lw);
    draw_field(v, w, INTAKE_F_TITLE, y++, r->x, r->w, lw);
    {
        bool focused = v->focus == INTAKE_F_DESCRIPTION && v->modal == INTAKE_MODAL_NONE
                       && v->stage == INTAKE_FORM;
        struct rect area = {y, r->x + lw, dh, r->w - lw};
        int cy, cx;

        draw_text(w, y, r->x, lw - 1, _(intake_field_label(INTAKE_F_DESCRIPTION)),
                  theme_attr(th, focused ? SLOT_TITLE : SLOT_LABEL));
        v->desc_width = area.w;
        textarea_draw(&v->desc, w, &area,
                      theme_attr(th, focused ? SLOT_INPUT_FOCUS : SLOT_INPUT), &cy, &cx);
        if (focused)
            app_set_cursor(v->app, w, cy, cx);
        y += dh;
    }
    draw_field(v, w, INTAKE_F_LOCATION, y++, r->x, r->w, lw);
    draw_field(v, w, INTAKE_F_URGENCY, y++, r->x, r->w, lw);
    draw_field(v, w, INTAKE_F_DUE, y++, r->x, r->w, lw);
    draw_field(v, w, INTAKE_F_CONFIDENTIAL, y++, r->x, r->w,
               text_width(_(intake_field_label(INTAKE_F_CONFIDENTIAL))) + 1);
    if (y < r->y + r->h) {
        if (v->problem != NULL)
            draw_text(w, y, r->x, r->w, _(v->problem), theme_attr(th, SLOT_ERROR));
        else
            draw_text(w, y, r->x, r->w, _("F9 answer  F12 work order  F3 phrases  F4 hold"),
                      theme_attr(th, SLOT_MUTED));
    }
}

/* A section heading; returns the rows used. */
static int
heading(struct intake_view *v, WINDOW *w, int y, int x, int width, const char *text)
{
    draw_fill(w, y, x, width, theme_attr(&v->app->theme, SLOT_HEADER));
    draw_text(w, y, x, width, text, theme_attr(&v->app->theme, SLOT_HEADER));
    return 1;
}

/* The caller's history in r; returns the rows used. */
static int
draw_history(struct intake_view *v, WINDOW *w, const struct rect *r, int max_rows)
{
    const struct theme *th = &v->app->theme;
    struct intake_history_summary sum;
    int y = r->y;
    char *s;

    intake_history_summarize(v->hist, v->nhist, &sum);
    if (v->hist_key[0] == '\0')
        s = xstrdup(_("Caller's history"));
    else if (!v->hist_server && v->hist_call != 0)
        s = xasprintf(_("History of %s (cache; asking the server)"), v->hist_key);
    else if (!v->hist_server)
        s = xasprintf(_("History of %s (cache)"), v->hist_key);
    else
        s = xasprintf(_("History of %s: %zu"), v->hist_key, sum.total);
    y += heading(v, w, y, r->x, r->w, s);
    free(s);
    if (v->hist_key[0] == '\0') {
        y += draw_paragraph(w, &(struct rect){y, r->x, max_rows - 1, r->w}, 0,
                            _("Type the caller's number: their earlier tickets appear here."),
                            theme_attr(th, SLOT_MUTED));
        return y - r->y;
    }
    if (v->hist_error != NULL && y < r->y + max_rows)
        draw_text(w, y++, r->x, r->w, v->hist_error, theme_attr(th, SLOT_ERROR));
    if (sum.repeat_warning && y < r->y + max_rows) {
        s = xasprintf(_("Repeat caller: %zu open ticket(s)"), sum.open);
        draw_text(w, y++, r->x, r->w, s, theme_attr(th, SLOT_WARN) | A_BOLD);
        free(s);
    }
    if (v->nhist == 0 && y < r->y + max_rows)
        draw_text(w, y++, r->x, r->w,
                  v->hist_call != 0 ? _("Looking the number up...") : _("No earlier tickets."),
                  theme_attr(th, SLOT_MUTED));
    for (size_t i = 0; i < v->nhist && y < r->y + max_rows; i++) {
        const struct ticket *t = &v->hist[i];
        char when[32];
        enum slot slot = SLOT_NORMAL;

        app_format_time(v->app, t->created_at, true, when, sizeof when);
        when[5] = '\0';      /* "MM-DD" */
        if (t->flags & FLAG_OVERDUE)
            slot = SLOT_OVERDUE;
        else if (!ticket_is_open(t))
            slot = SLOT_MUTED;
        s = xasprintf("%s %s %s %s", when, short_id(t->id), status_text(t->status),
                      t->title != NULL ? t->title : nature_label(t->nature));
        draw_text(w, y++, r->x, r->w, s, theme_attr(th, slot));
        free(s);
    }
    return y - r->y;
}

/* The suggestions in r; returns the rows used. */
static int
draw_suggestions(struct intake_view *v, WINDOW *w, const struct rect *r)
{
    const struct theme *th = &v->app->theme;
    size_t order[INTAKE_SUGGEST_MAX * 2];
    size_t n = intake_net_order(v, order);
    int y = r->y;

    y += heading(v, w, y, r->x, r->w, _("Knowledge base"));
    if (n == 0 && y < r->y + r->h) {
        y += draw_paragraph(w, &(struct rect){y, r->x, r->h - 1, r->w}, 0,
                            app_online(v->app)
                                ? _("Type the subject or the details: matching articles and "
                                    "notices for the caller's area appear here.")
                                : _("Not connected: no suggestions until the server answers."),
                            theme_attr(th, SLOT_MUTED));
    }
    for (size_t k = 0; k < n && y < r->y + r->h; k++) {
        const struct intake_suggest *s = &v->sugg[order[k]];
        bool notice = s->a.kind == KB_NOTICE;
        char *line = xasprintf("%s%s%s", s->chosen ? "* " : "", notice ? _("[notice] ") : "",
                               s->a.title != NULL ? s->a.title : s->a.id);

        draw_text(w, y++, r->x, r->w, line, theme_attr(th, notice ? SLOT_EMERGENCY : SLOT_NORMAL));
        free(line);
    }
    return y - r->y;
}

/* The standard phrases in r. */
static void
draw_phrases(struct intake_view *v, WINDOW *w, const struct rect *r)
{
    const struct theme *th = &v->app->theme;
    const struct api_meta *m = app_meta(v->app);
    struct intake_phrase_ctx c = {0};
    int row = 0;
    char *s;

    c.profile = m != NULL ? m->profile : NULL;
    c.channel = v->form.channel;
    c.holiday = intake_phrase_holiday(app_calendar(v->app), app_tz(v->app), app_now(v->app));
    c.surname = intake_form_text(&v->form, INTAKE_F_NAME);
    c.salutation = v->form.salutation;
    c.ticket_id = v->result.id[0] != '\0' ? v->result.id : NULL;
    c.unit = v->result.unit;
    if (c.holiday != NULL)
        s = xasprintf(_("Standard phrases (holiday: %s)"), c.holiday);
    else
        s = xstrdup(_("Standard phrases"));
    row += heading(v, w, r->y, r->x, r->w, s);
    free(s);
    for (int p = 0; p < INTAKE_PHRASE_COUNT && row < r->h; p++) {
        const char *label = _(intake_phrase_label((enum intake_phrase)p));
        char *text = intake_phrase_text((enum intake_phrase)p, &c);
        char *line = xasprintf("%s: %s", label, text);
        int used;

        /* "Label: text" wrapped, the label drawn again in its own colour. */
        used = draw_paragraph(w, r, row, line, theme_attr(th, SLOT_NORMAL));
        if (used > 0)
            draw_text(w, r->y + row, r->x, r->w, label, theme_attr(th, SLOT_LABEL));
        row += used;
        free(line);
        free(text);
    }
}

/* The right side: phrases, or the history and the suggestions. */
static void
draw_side(struct intake_view *v, WINDOW *w, const struct rect *r)
{
    int used;
    struct rect rest;

    if (r->w < 12 || r->h < 4)
        return;
    if (v->phrases) {
        draw_phrases(v, w, r);
        return;
    }
    used = draw_history(v, w, r, r->h / 2);
    rest = (struct rect){r->y + used + 1, r->x, r->h - used - 1, r->w};
    if (rest.h > 1)
        draw_suggestions(v, w, &rest);
}

/* One row of the answer panel's article list. */
static void
answer_row(void *arg, WINDOW *w, size_t index, int y, int x, int width, bool selected)
{
    struct intake_view *v = arg;
    const struct theme *th = &v->app->theme;
    size_t order[INTAKE_SUGGEST_MAX * 2];
    size_t n = intake_net_order(v, order);
    const struct intake_suggest *s;
    attr_t a = theme_attr(th, selected && v->ans_focus == 0 ? SLOT_SELECTED : SLOT_DIALOG);
    char *line;

    draw_fill(w, y, x, width, a);
    if (index >= n)
        return;
    s = &v->sugg[order[index]];
    line = xasprintf("[%s] %s %s%s", s->chosen ? "x" : " ", s->a.id != NULL ? s->a.id : "",
                     s->a.kind == KB_NOTICE ? _("[notice] ") : "",
                     s->a.title != NULL ? s->a.title : "");
    draw_text(w, y, x, width, line, a);
    free(line);
}

/* The answer panel. */
static void
draw_answer(struct intake_view *v, WINDOW *w, const struct rect *area)
{
    const struct theme *th = &v->app->theme;
    attr_t dlg = theme_attr(th, SLOT_DIALOG);
    struct rect f = {area->y, area->x, area->h, area->w};
    struct rect in = {f.y + 1, f.x + 2, f.h - 2, f.w - 4};
    size_t order[INTAKE_SUGGEST_MAX * 2];
    struct rect lr, tr;
    int lh, cy, cx;

    /* Suggestions may still arrive while the panel is open. */
    list_set_count(&v->ans_list, intake_net_order(v, order));
    lh = (int)v->ans_list.count;
    draw_frame(w, &f, _("Answer directly"), dlg, dlg);
    if (lh > in.h / 3)
        lh = in.h / 3;
    if (v->ans_list.count == 0) {
        draw_text(w, in.y, in.x, in.w, _("No suggestions: write the answer yourself."),
                  dlg | theme_attr(th, SLOT_MUTED));
        lh = 1;
    } else {
        draw_text(w, in.y, in.x, in.w,
                  _("Articles used (Space marks one; its text fills the answer):"), dlg);
        lr = (struct rect){in.y + 1, in.x, lh, in.w};
        list_draw(&v->ans_list, w, &lr, answer_row, v);
        lh++;
    }
    draw_text(w, in.y + lh, in.x, in.w,
              v->answer_edited ? _("Answer given to the caller (edited):")
                               : _("Answer given to the caller (edit freely):"), dlg);
    tr = (struct rect){in.y + lh + 1, in.x, in.h - lh - 2, in.w};
    v->answer_width = tr.w;
    textarea_draw(&v->answer, w, &tr, theme_attr(th, v->ans_focus == 1 ? SLOT_INPUT_FOCUS
                                                                       : SLOT_INPUT), &cy, &cx);
    draw_text(w, in.y + in.h - 1, in.x, in.w,
              _("Tab: articles/answer  F9: record the answer and close  Esc: back"),
              dlg | theme_attr(th, SLOT_MUTED));
    if (v->ans_focus == 1)
        app_set_cursor(v->app, w, cy, cx);
}

/* One row of the dispatch panel's unit list. */
static void
unit_row(void *arg, WINDOW *w, size_t index, int y, int x, int width, bool selected)
{
    struct intake_view *v = arg;
    const struct theme *th = &v->app->theme;
    const struct picker_item *it = picker_match(&v->picker, index);
    attr_t a = theme_attr(th, selected ? SLOT_SELECTED : SLOT_DIALOG);
    long idx;
    const char *mark;
    char *line;
    int mw;

    draw_fill(w, y, x, width, a);
    if (it == NULL)
        return;
    idx = (long)(it - v->items);
    mark = idx == v->lead ? _("lead") : v->assist[idx] ? _("assist") : "";
    mw = text_width(_("lead")) > text_width(_("assist")) ? text_width(_("lead"))
                                                        : text_width(_("assist"));
    draw_text(w, y, x, mw, mark, a | (idx == v->lead ? A_BOLD : 0));
    line = xasprintf("%s  %s", it->label, it->code);
    draw_text(w, y, x + mw + 1, width - mw - 1, line, a);
    free(line);
}

/* The dispatch panel. */
static void
draw_dispatch(struct intake_view *v, WINDOW *w, const struct rect *area)
{
    const struct theme *th = &v->app->theme;
    attr_t dlg = theme_attr(th, SLOT_DIALOG);
    struct rect f = *area;
    struct rect in = {f.y + 1, f.x + 2, f.h - 2, f.w - 4};
    struct strbuf sb;
    struct rect lr;
    char when[32];
    int lw, cx;
    int y = in.y;

    draw_frame(w, &f, _("Create a work order"), dlg, dlg);
    if (v->due_known) {
        char *s;

        app_format_time(v->app, v->due_est.due, true, when, sizeof when);
        s = xasprintf(_("Deadline %s"), when);
        draw_text(w, y++, in.x, in.w, s, dlg | A_BOLD);
        free(s);
        if (strcmp(v->due_est.rule, "requested") == 0)
            s = xstrdup(_("the caller's own time limit: earlier than the rule's"));
        else
            s = xasprintf(_("rule %s: %s"), v->due_est.rule, v->due_est.label);
        draw_text(w, y++, in.x, in.w, s, dlg);
        free(s);
        if (v->due_est.fallback)
            draw_text(w, y++, in.x, in.w, v->due_est.warning, theme_attr(th, SLOT_WARN));
    } else {
        draw_text(w, y++, in.x, in.w,
                  _("Deadline: computed by the server (the rules are not known here yet)."),
                  dlg);
    }
    strbuf_init(&sb);
    strbuf_adds(&sb, _("Lead: "));
    strbuf_adds(&sb, v->lead >= 0 ? v->items[v->lead].label : _("(Enter on a unit)"));
    for (size_t i = 0; i < v->nitems; i++) {
        if (v->assist[i]) {
            strbuf_adds(&sb, "  + ");
            strbuf_adds(&sb, v->items[i].label);
        }
    }
    draw_text(w, y++, in.x, in.w, strbuf_str(&sb), dlg);
    strbuf_fini(&sb);
    lw = draw_text(w, y, in.x, in.w / 3, _("Filter: "), theme_attr(th, SLOT_LABEL));
    input_draw(&v->picker.filter, w, y, in.x + lw, in.w - lw, theme_attr(th, SLOT_INPUT_FOCUS),
               &cx);
    app_set_cursor(v->app, w, y, cx);
    y++;
    lr = (struct rect){y, in.x, in.y + in.h - 1 - y, in.w};
    if (picker_count(&v->picker) == 0)
        draw_text(w, lr.y, lr.x, lr.w, _("No match: change the filter."),
                  dlg | theme_attr(th, SLOT_MUTED));
    else
        list_draw(&v->picker.list, w, &lr, unit_row, v);
    draw_text(w, in.y + in.h - 1, in.x, in.w,
              _("Enter: lead unit  Space: assisting unit  F12: dispatch  Esc: back"),
              dlg | theme_attr(th, SLOT_MUTED));
}

/* The category picker panel. */
static void
draw_category(struct intake_view *v, WINDOW *w, const struct rect *area)
{
    const struct theme *th = &v->app->theme;
    attr_t dlg = theme_attr(th, SLOT_DIALOG);
    struct rect in = {area->y + 1, area->x + 2, area->h - 2, area->w - 4};
    int cy = in.y, cx = in.x;

    draw_frame(w, area, _("Category: type to filter, Enter chooses, Esc closes"), dlg, dlg);
    picker_draw(&v->picker, w, &in, th, &cy, &cx);
    app_set_cursor(v->app, w, cy, cx);
}

/* The number in big digits (or boxed when they do not fit), centred; returns rows used. */
static int
draw_number(struct intake_view *v, WINDOW *w, int y, const struct rect *r)
{
    const struct theme *th = &v->app->theme;
    int bw = intake_big_width(v->result.id);
    attr_t fill = theme_attr(th, SLOT_NORMAL) | A_REVERSE;
    attr_t norm = theme_attr(th, SLOT_TITLE) | A_BOLD;

    if (bw + 2 <= r->w && r->h >= 14) {
        int x0 = r->x + (r->w - bw) / 2;

        for (int row = 0; row < INTAKE_BIG_ROWS; row++) {
            char *line = intake_big_row(v->result.id, row);
            int x = x0;

            for (size_t i = 0; line[i] != '\0';) {
                uint32_t cp;
                size_t n = text_utf8_decode(line + i, strlen(line + i), &cp);

                if (cp == '#') {
                    draw_fill(w, y + row, x, 1, fill);
                    x++;
                } else if (cp == ' ') {
                    x++;
                } else {
                    char one[8];

                    memcpy(one, line + i, n);
                    one[n] = '\0';
                    x += draw_text(w, y + row, x, r->x + r->w - x, one, norm);
                }
                i += n;
            }
            free(line);
        }
        return INTAKE_BIG_ROWS;
    }
    {
        int tw = text_width(v->result.id) + 4;
        struct rect box = {y, r->x + (r->w - tw) / 2, 3, tw};

        if (box.x < r->x)
            box.x = r->x;
        draw_frame(w, &box, NULL, norm, theme_attr(th, SLOT_NORMAL));
        draw_text(w, y + 1, box.x + 2, tw - 4, v->result.id, norm);
        return 3;
    }
}

/* The outcome: the number to read out, the unit and deadline, what to say. */
static void
draw_result(struct intake_view *v, WINDOW *w, const struct rect *r)
{
    const struct theme *th = &v->app->theme;
    struct rect text = {r->y, r->x + 2, r->h, r->w - 4};
    int y = r->y + 1;
    char when[32];
    char *s;

    if (v->result.provisional)
        s = xstrdup(_("Queued: not sent yet. Provisional number:"));
    else if (v->result.order)
        s = xstrdup(_("Work order created: read the number to the caller"));
    else
        s = xstrdup(_("Answered directly: the ticket is closed. Its number:"));
    draw_text(w, y, text.x, text.w, s, theme_attr(th, v->result.provisional ? SLOT_WARN
                                                                              : SLOT_TITLE));
    free(s);
    y += 2;
    y += draw_number(v, w, y, r) + 1;
    s = xasprintf(_("Number: %s"), v->result.id);
    draw_text(w, y++, text.x, text.w, s, theme_attr(th, SLOT_TITLE) | A_BOLD);
    free(s);
    if (v->result.order && v->result.unit != NULL) {
        s = xasprintf(_("Lead unit: %s"), v->result.unit);
        draw_text(w, y++, text.x, text.w, s, theme_attr(th, SLOT_NORMAL));
        free(s);
    }
    if (v->result.order && v->result.due != 0) {
        app_format_time(v->app, v->result.due, true, when, sizeof when);
        s = xasprintf(v->result.provisional ? _("Deadline (estimated here): %s")
                                            : _("Deadline: %s"), when);
        draw_text(w, y++, text.x, text.w, s, theme_attr(th, SLOT_NORMAL));
        free(s);
    }
    if (v->result.message != NULL && y < r->y + r->h)
        y += draw_paragraph(w, &text, y - r->y, v->result.message,
                            theme_attr(th, v->result.action_failed || v->result.provisional
                                               ? SLOT_WARN : SLOT_NORMAL));
    if (v->result.phrase != NULL && y + 1 < r->y + r->h) {
        s = xasprintf(_("Say: %s"), v->result.phrase);
        y += draw_paragraph(w, &text, y - r->y, s, theme_attr(th, SLOT_HIGHLIGHT));
        free(s);
    }
    if (y + 1 < r->y + r->h)
        draw_text(w, r->y + r->h - 1, text.x, text.w,
                  _("Enter: done (the closing phrase: 感谢您的来电，再见！)  F2: next call"),
                  theme_attr(th, SLOT_MUTED));
}

/* No call: what the tab is for and how to start. */
static void
draw_idle(struct intake_view *v, WINDOW *w, const struct rect *r)
{
    const struct theme *th = &v->app->theme;
    struct rect text = {r->y + 3, r->x + 2, r->h - 3, r->w - 4};
    char *conn = app_conn_sentence(v->app);
    int row;

    draw_text(w, r->y + 1, r->x + 2, r->w - 4, _(intake_view_ops.title),
              theme_attr(th, SLOT_TITLE));
    row = draw_paragraph(w, &text, 0, _(intake_view_ops.about), theme_attr(th, SLOT_NORMAL));
    row += 1;
    row += draw_paragraph(w, &text, row,
                          _("F2 (or Enter, or :call) takes a call: the cursor starts on the "
                            "caller's phone. Calls answered on the phone system open here by "
                            "themselves."),
                          theme_attr(th, SLOT_NORMAL));
    row += 1;
    row += draw_paragraph(w, &text, row, conn, theme_attr(th, app_conn_slot(v->app)));
    row += 1;
    draw_paragraph(w, &text, row, _("F3 shows the standard phrases; ? lists every key."),
                   theme_attr(th, SLOT_MUTED));
    free(conn);
}

void
intake_draw_view(struct intake_view *v, WINDOW *w, const struct rect *r)
{
    int side = r->w >= 120 ? r->w * 2 / 5 : r->w - 47;
    struct rect form, right, over;

    if (r->h < 10 || r->w < 40)
        return;
    if (side < 20)
        side = 20;
    form = (struct rect){r->y, r->x, r->h, r->w - side - 1};
    right = (struct rect){r->y, r->x + form.w + 1, r->h, side};
    switch (v->stage) {
    case INTAKE_IDLE:
        if (v->phrases) {
            draw_idle(v, w, &form);
            draw_phrases(v, w, &right);
        } else {
            draw_idle(v, w, r);
        }
        return;
    case INTAKE_DONE:
        if (v->phrases) {
            draw_result(v, w, &form);
            draw_phrases(v, w, &right);
        } else {
            draw_result(v, w, r);
        }
        return;
    default:
        break;
    }
    draw_form(v, w, &form);
    mvwvline(w, r->y, form.x + form.w, ACS_VLINE | theme_attr(&v->app->theme, SLOT_BORDER), r->h);
    draw_side(v, w, &right);
    over = (struct rect){r->y + 1, r->x, r->h - 1, r->w};
    switch (v->modal) {
    case INTAKE_MODAL_CATEGORY:
        draw_category(v, w, &over);
        break;
    case INTAKE_MODAL_ANSWER:
        draw_answer(v, w, &over);
        break;
    case INTAKE_MODAL_DISPATCH:
        draw_dispatch(v, w, &over);
        break;
    default:
        break;
    }
}
