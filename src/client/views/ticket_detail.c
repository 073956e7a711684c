/* ticket_detail: a ticket laid out as lines for the detail view: every field, the
 * assignments, extensions, urges, supervisions, callbacks and the whole timeline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "hotline/text.h"
#include "hotline/util.h"
#include "i18n.h"
#include "ui/draw.h"
#include "views/ticket_detail.h"
#include "views/ticket_text.h"

/* Columns of the label column. */
#define LABEL_W 16
/* Most lines one wrapped value takes. */
#define VALUE_MAX_LINES 400

void
ticket_lines_add(struct ticket_lines *l, const char *text, enum slot slot)
{
    if (l->n == l->cap) {
        l->cap = l->cap != 0 ? l->cap * 2 : 64;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n].text = text_sanitize(text != NULL ? text : "", 0);
    l->v[l->n].slot = slot;
    l->n++;
}

void
ticket_lines_fini(struct ticket_lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].text);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* A label padded to LABEL_W columns (by display width) followed by the value's first line. */
static char *
label_pad(const char *label)
{
    char *t = text_truncate(label, LABEL_W - 1);
    int w = text_width(t);
    struct strbuf sb;

    strbuf_init(&sb);
    strbuf_adds(&sb, t);
    for (; w < LABEL_W; w++)
        strbuf_addc(&sb, ' ');
    free(t);
    return strbuf_detach(&sb);
}

/* "Label    value", the value (untrusted) wrapped under itself. */
static void
field(struct ticket_lines *l, int width, const char *label, const char *value, enum slot slot)
{
    char *pad = label_pad(label);
    char *clean = text_sanitize(value != NULL ? value : "", TEXT_KEEP_NEWLINES);
    int vw = width - LABEL_W > 10 ? width - LABEL_W : 10;
    size_t n = draw_wrap(clean, vw, NULL, 0);
    struct draw_line *lines;

    if (n > VALUE_MAX_LINES)
        n = VALUE_MAX_LINES;
    if (n == 0)
        ticket_lines_add(l, pad, slot);
    lines = xcalloc(n + 1, sizeof *lines);
    draw_wrap(clean, vw, lines, n);
    for (size_t i = 0; i < n; i++) {
        char *part = xstrndup(clean + lines[i].off, lines[i].len);
        char *line = i == 0 ? xasprintf("%s%s", pad, part)
                            : xasprintf("%*s%s", LABEL_W, "", part);

        ticket_lines_add(l, line, slot);
        free(line);
        free(part);
    }
    free(lines);
    free(clean);
    free(pad);
}

/* A field with a time value (omitted when unset). */
static void
time_field(const struct app *app, struct ticket_lines *l, int width, const char *label,
           hl_time t)
{
    char buf[40];

    if (t == 0)
        return;
    app_format_time(app, t, true, buf, sizeof buf);
    field(l, width, label, buf, SLOT_NORMAL);
}

/* A section heading (after an empty line). */
static void
heading(struct ticket_lines *l, const char *title)
{
    ticket_lines_add(l, "", SLOT_NORMAL);
    ticket_lines_add(l, title, SLOT_HEADER);
}

char *
ticket_detail_caller(const struct ticket *t)
{
    const struct caller *c = &t->caller;
    const char *hidden = _("(hidden)");
    struct strbuf sb;

    strbuf_init(&sb);
    if (c->name != NULL)
        strbuf_adds(&sb, c->name);
    else if (c->confidential)
        strbuf_adds(&sb, hidden);
    if (c->salutation != SALUTATION_NONE)
        strbuf_adds(&sb, salutation_str(c->salutation));
    strbuf_adds(&sb, "  ");
    if (c->phone != NULL)
        strbuf_adds(&sb, c->phone);
    else if (c->confidential)
        strbuf_adds(&sb, hidden);
    if (c->confidential)
        strbuf_addf(&sb, "  [%s]", _("confidential"));
    return strbuf_detach(&sb);
}

/* The flags as words. */
static char *
flags_text(unsigned flags)
{
    struct strbuf sb;

    strbuf_init(&sb);
    for (unsigned bit = 1; bit < (1u << FLAG_COUNT); bit <<= 1) {
        if (flags & bit)
            strbuf_addf(&sb, "%s%s", sb.len > 0 ? _(", ") : "", ticket_text_flag(bit));
    }
    return strbuf_detach(&sb);
}

/* The matter and bookkeeping fields. */
static void
build_fields(const struct app *app, const struct ticket *t, int width, struct ticket_lines *l)
{
    char buf[256], left[32];
    enum slot slot;
    char *s;
    hl_time dl = ticket_text_deadline(t);

    snprintf(buf, sizeof buf, "%s · %s · %s · v%lld", t->id, ticket_text_status(t->status),
             ticket_text_nature(t->nature), (long long)t->version);
    ticket_lines_add(l, buf, SLOT_TITLE);
    field(l, width, _("Subject"), t->title, SLOT_NORMAL);
    ticket_text_left(dl, app_now(app), (t->flags & FLAG_NEAR_DUE) != 0, left, sizeof left,
                     &slot);
    if (dl != 0) {
        char when[32];

        app_format_time(app, dl, true, when, sizeof when);
        snprintf(buf, sizeof buf, "%s  (%s)", when, left);
        field(l, width, t->status == STATUS_REPLIED || t->status == STATUS_CALLBACK
                            ? _("Callback due") : _("Due"), buf, slot);
    }
    if (t->due_rule != NULL)
        field(l, width, _("Rule"), t->due_rule, SLOT_MUTED);
    s = flags_text(t->flags);
    if (s[0] != '\0')
        field(l, width, _("Flags"), s, (t->flags & (FLAG_OVERDUE | FLAG_EMERGENCY))
                                           ? SLOT_OVERDUE : SLOT_WARN);
    free(s);
    field(l, width, _("Urgency"), ticket_text_urgency(t->urgency),
          t->urgency == URGENCY_EMERGENCY ? SLOT_EMERGENCY : SLOT_NORMAL);
    if (t->complaint_level > 0) {
        snprintf(buf, sizeof buf, "%d", t->complaint_level);
        field(l, width, _("Complaint level"), buf, SLOT_NORMAL);
    }
    field(l, width, _("Channel"), ticket_text_channel(t->channel), SLOT_NORMAL);
    s = ticket_detail_caller(t);
    field(l, width, _("Caller"), s, SLOT_NORMAL);
    free(s);
    if (t->caller.address != NULL || t->caller.confidential)
        field(l, width, _("Address"), t->caller.address != NULL ? t->caller.address
                                                                : _("(hidden)"), SLOT_NORMAL);
    if (t->caller.org != NULL)
        field(l, width, _("Organisation"), t->caller.org, SLOT_NORMAL);
    field(l, width, _("Category"), t->category, SLOT_NORMAL);
    field(l, width, _("Location"), t->location, SLOT_NORMAL);
    time_field(app, l, width, _("Occurred"), t->occurred_at);
    time_field(app, l, width, _("Caller's limit"), t->requested_due);
    field(l, width, _("Description"), t->description, SLOT_NORMAL);
    if (t->answer != NULL)
        field(l, width, _("Answer"), t->answer, SLOT_NORMAL);
    if (t->resolution != RESOLUTION_NONE)
        field(l, width, _("Resolution"), resolution_str(t->resolution), SLOT_NORMAL);
    time_field(app, l, width, _("Callback at"), t->callback_at);
    time_field(app, l, width, _("Accepted"), t->created_at);
    field(l, width, _("Taken by"), t->created_by, SLOT_NORMAL);
    time_field(app, l, width, _("Updated"), t->updated_at);
    time_field(app, l, width, _("Closed"), t->closed_at);
}

/* Assignments, extensions, urges, supervisions, callbacks. */
static void
build_histories(const struct app *app, const struct ticket *t, int width,
                struct ticket_lines *l)
{
    char buf[512], w1[32], w2[32];

    heading(l, _("Assignments"));
    if (t->n_assignments == 0)
        ticket_lines_add(l, _("  none: not dispatched"), SLOT_MUTED);
    for (size_t i = 0; i < t->n_assignments; i++) {
        const struct assignment *a = &t->assignments[i];

        app_format_time(app, a->dispatched_at, true, w1, sizeof w1);
        app_format_time(app, a->due_at, true, w2, sizeof w2);
        snprintf(buf, sizeof buf, "  %s (%s)  %s  %s %s  %s %s",
                 app_unit_name(app, a->unit), a->role == ROLE_LEAD ? _("lead") : _("assist"),
                 ticket_text_assign_state(a->state), _("dispatched"), w1, _("due"), w2);
        ticket_lines_add(l, buf, SLOT_NORMAL);
        if (a->reply != NULL)
            field(l, width, _("    reply"), a->reply, SLOT_NORMAL);
        if (a->return_reason != NULL)
            field(l, width, _("    returned"), a->return_reason, SLOT_WARN);
    }
    if (t->n_extensions > 0) {
        heading(l, _("Extensions"));
        for (size_t i = 0; i < t->n_extensions; i++) {
            const struct extension *x = &t->extensions[i];

            app_format_time(app, x->requested_at, true, w1, sizeof w1);
            snprintf(buf, sizeof buf, _("  %s: %d days asked %s by %s (%s)"),
                     app_unit_name(app, x->unit), x->days, w1,
                     x->requested_by != NULL ? x->requested_by : "-", ext_state_str(x->state));
            ticket_lines_add(l, buf, x->state == EXT_PENDING ? SLOT_WARN : SLOT_NORMAL);
            field(l, width, _("    reason"), x->reason, SLOT_NORMAL);
        }
    }
    if (t->n_urges > 0) {
        heading(l, _("Urges"));
        for (size_t i = 0; i < t->n_urges; i++) {
            app_format_time(app, t->urges[i].at, true, w1, sizeof w1);
            snprintf(buf, sizeof buf, "  %s  %s  %s", w1,
                     t->urges[i].by != NULL ? t->urges[i].by : "-",
                     t->urges[i].note != NULL ? t->urges[i].note : "");
            ticket_lines_add(l, buf, SLOT_NORMAL);
        }
    }
    if (t->n_supervisions > 0) {
        heading(l, _("Supervision"));
        for (size_t i = 0; i < t->n_supervisions; i++) {
            app_format_time(app, t->supervisions[i].at, true, w1, sizeof w1);
            snprintf(buf, sizeof buf, "  %s  %s  %s", w1,
                     t->supervisions[i].by != NULL ? t->supervisions[i].by : "-",
                     t->supervisions[i].note != NULL ? t->supervisions[i].note : "");
            ticket_lines_add(l, buf, SLOT_NORMAL);
        }
    }
    if (t->n_callbacks > 0) {
        heading(l, _("Callbacks"));
        for (size_t i = 0; i < t->n_callbacks; i++) {
            const struct callback *c = &t->callbacks[i];

            app_format_time(app, c->at, true, w1, sizeof w1);
            snprintf(buf, sizeof buf, "  %s  %s  %s %s  %s", w1, c->by != NULL ? c->by : "-",
                     ticket_text_outcome(c->outcome), ticket_text_satisfaction(c->satisfaction),
                     c->note != NULL ? c->note : "");
            ticket_lines_add(l, buf, c->satisfaction == SAT_DISSATISFIED ? SLOT_WARN
                                                                          : SLOT_NORMAL);
        }
    }
}

/* The timeline, oldest first. */
static void
build_timeline(const struct app *app, const struct ticket *t, struct ticket_lines *l)
{
    char buf[512], w[32];

    heading(l, _("Timeline"));
    for (size_t i = 0; i < t->n_events; i++) {
        const struct event *ev = &t->events[i];

        app_format_time(app, ev->at, true, w, sizeof w);
        if (ev->from != ev->to)
            snprintf(buf, sizeof buf, "  %s  %s  %s  %s → %s  %s", w,
                     ticket_text_event(ev->type), ev->by != NULL ? ev->by : "-",
                     ticket_text_status(ev->from), ticket_text_status(ev->to),
                     ev->note != NULL ? ev->note : "");
        else
            snprintf(buf, sizeof buf, "  %s  %s  %s  %s", w,
                     ticket_text_event(ev->type), ev->by != NULL ? ev->by : "-",
                     ev->note != NULL ? ev->note : "");
        ticket_lines_add(l, buf, SLOT_NORMAL);
    }
}

void
ticket_detail_build(const struct app *app, const struct ticket *t, int width,
                    struct ticket_lines *out)
{
    build_fields(app, t, width, out);
    build_histories(app, t, width, out);
    build_timeline(app, t, out);
}
