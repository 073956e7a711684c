/* callbacks: tab 4 回访, the callback queue: the tickets owing a callback soonest first, the
 * reply the caller must hear, whether calling is allowed now (rules_check), and the forms to
 * record an attempt, agree a time or close as unreachable. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "app.h"
#include "cache.h"
#include "hotline/text.h"
#include "hotline/util.h"
#include "i18n.h"
#include "outbox.h"
#include "ui/draw.h"
#include "ui/list.h"
#include "views/callbacks_form.h"
#include "views/callbacks_state.h"
#include "views/ticket_detail.h"
#include "views/ticket_text.h"
#include "views/views.h"

/* Tickets asked for (the queue is short: it is work due within a working day). */
#define QUEUE_LIMIT 100
/* Tickets of the local cache looked through when offline. */
#define CACHE_SCAN 2000
/* A change in the feed reloads the queue after this pause, ms. */
#define FEED_PAUSE_MS 500
/* The verdicts are computed again each minute (quiet hours begin and end). */
#define TICK_MS 60000
/* Most lines of the reply shown. */
#define REPLY_LINES 4

/* The tab's state. */
struct callbacks_view {
    struct app *app;
    struct ticket *items;         /* the queue, soonest callback_due_at first */
    size_t n;
    struct list list;
    bool loaded;
    bool loading;
    bool stale;                   /* tickets changed while the tab was hidden */
    bool offline;                 /* the queue came from the local cache */
    char *error;
    uint64_t list_call;
    uint64_t feed_timer;
    uint64_t tick_timer;

    struct callbacks_form form;
    uint64_t action_call;
    struct action_body sent;      /* what is in flight (for the outbox when no answer) */
    char *sent_id;
    int64_t sent_version;

    char *result;                 /* the last action's result, shown under the detail */
    enum slot result_slot;
    char *queued_id;              /* the ticket whose action waits in the outbox */
};

static void load(struct callbacks_view *cv);

/* The tab's keys. */
static const struct key_binding callbacks_bindings[] = {
    {'a', false, CMD_VIEW_1, N_("Record a callback attempt (outcome, satisfaction, the "
                                "caller's words)"), N_("Attempt"), NULL},
    {'s', false, CMD_VIEW_2, N_("Agree a time with the caller (schedule the callback)"),
     N_("Schedule"), NULL},
    {'u', false, CMD_VIEW_3, N_("Close as unreachable after the failed attempts (or when the "
                                "caller declined)"), N_("Close"), NULL},
    {'r', false, CMD_VIEW_8, N_("Load the queue again"), NULL, NULL},
};

static const struct keymap callbacks_keys = {
    N_("Callbacks"), callbacks_bindings, ARRAY_SIZE(callbacks_bindings),
};

/* ---- the queue ---- */

/* Free an array of embedded tickets. */
static void
tickets_free(struct ticket *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ticket_fini(&v[i]);
    free(v);
}

/* True when a ticket belongs in the queue. */
static bool
owing(const struct ticket *t)
{
    return (t->status == STATUS_REPLIED || t->status == STATUS_CALLBACK) &&
           t->callback_due_at != 0;
}

/* Soonest callback first, then the ticket id. */
static int
cmp_due(const void *a, const void *b)
{
    const struct ticket *x = a, *y = b;

    if (x->callback_due_at != y->callback_due_at)
        return x->callback_due_at < y->callback_due_at ? -1 : 1;
    return strcmp(x->id != NULL ? x->id : "", y->id != NULL ? y->id : "");
}

/* The selected ticket, NULL when none. */
static const struct ticket *
selected(const struct callbacks_view *cv)
{
    return cv->n > 0 && cv->list.sel < cv->n ? &cv->items[cv->list.sel] : NULL;
}

/* Replace the queue (taking items), keeping the selected ticket selected. */
static void
set_queue(struct callbacks_view *cv, struct ticket *items, size_t n, bool offline)
{
    const struct ticket *old = selected(cv);
    char *keep = old != NULL && old->id != NULL ? xstrdup(old->id) : NULL;

    tickets_free(cv->items, cv->n);
    cv->items = items;
    cv->n = n;
    cv->offline = offline;
    cv->loaded = true;
    list_set_count(&cv->list, n);
    for (size_t i = 0; keep != NULL && i < n; i++) {
        if (items[i].id != NULL && strcmp(items[i].id, keep) == 0)
            list_select(&cv->list, i);
    }
    free(keep);
    free(cv->error);
    cv->error = NULL;
    app_mark_dirty(cv->app, APP_DIRTY_BODY);
}

/* The queue from the local cache (offline): the cached tickets owing a callback. */
static void
load_cached(struct callbacks_view *cv)
{
    struct cache *c = app_cache(cv->app);
    struct cache_tickets all = {0};
    struct ticket *items;
    size_t n = 0;
    struct err e;

    err_clear(&e);
    if (c == NULL || cache_recent_tickets(c, CACHE_SCAN, &all, &e) != HL_OK) {
        set_queue(cv, NULL, 0, true);
        return;
    }
    items = xcalloc(all.n + 1, sizeof *items);
    for (size_t i = 0; i < all.n; i++) {
        if (!owing(&all.v[i]))
            continue;
        items[n++] = all.v[i];
        memset(&all.v[i], 0, sizeof all.v[i]);
    }
    cache_tickets_fini(&all);
    qsort(items, n, sizeof *items, cmp_due);
    set_queue(cv, items, n, true);
}

/* Answer of GET /callbacks. */
static void
list_done(struct api_result *r, void *arg)
{
    struct callbacks_view *cv = arg;

    if (r->id != cv->list_call)
        return;
    cv->list_call = 0;
    cv->loading = false;
    if (r->cancelled)
        return;
    if (r->code != HL_OK) {
        if (r->offline) {
            load_cached(cv);
        } else {
            cv->loaded = true;
            free(cv->error);
            cv->error = r->status == 403
                            ? xstrdup(_("Callbacks are made by the centre's agents and "
                                        "supervisors: your role has no callback queue."))
                            : xstrdup(r->err.msg);
            app_mark_dirty(cv->app, APP_DIRTY_BODY);
        }
        return;
    }
    cv->stale = false;
    set_queue(cv, r->page.items, r->page.n, false);
    r->page.items = NULL;
    r->page.n = 0;
}

/* Load the queue (from the server, else from the local cache). */
static void
load(struct callbacks_view *cv)
{
    struct api *api = app_api(cv->app);
    struct err e;

    if (api == NULL || !app_session(cv->app)->known)
        return;
    if (!app_online(cv->app)) {
        /* Decoding thousands of cached tickets is for a visible tab only: callbacks_enter
         * loads when the tab is shown. */
        if (app_active_view(cv->app)->priv == cv)
            load_cached(cv);
        return;
    }
    if (cv->list_call != 0)
        api_cancel(api, cv->list_call);
    err_clear(&e);
    cv->list_call = api_callbacks(api, 0, NULL, list_done, cv, &e);
    cv->loading = cv->list_call != 0;
    if (cv->list_call == 0)
        load_cached(cv);
    app_mark_dirty(cv->app, APP_DIRTY_BODY);
}

/* Timer: a change came through the feed a moment ago. */
static void
feed_fire(void *arg)
{
    struct callbacks_view *cv = arg;

    cv->feed_timer = 0;
    load(cv);
}

/* A ticket changed elsewhere (feed, outbox): load the queue again after a pause. */
static void
reload_soon(struct callbacks_view *cv, const char *ticket_id)
{
    if (ticket_id == NULL || !cv->loaded || cv->app->loop == NULL)
        return;
    if (app_active_view(cv->app)->priv != cv) {
        cv->stale = true;             /* loaded when the tab is shown again */
        return;
    }
    if (cv->feed_timer == 0)          /* at most one reload per pause, however busy */
        cv->feed_timer = loop_after(cv->app->loop, FEED_PAUSE_MS, feed_fire, cv);
}

/* Timer: time passed (quiet hours, the 2-hour gap): draw the verdicts again. */
static void
tick_fire(void *arg)
{
    struct callbacks_view *cv = arg;

    cv->tick_timer = loop_after(cv->app->loop, TICK_MS, tick_fire, cv);
    if (app_active_view(cv->app)->priv == cv)
        app_mark_dirty(cv->app, APP_DIRTY_BODY);
}

/* Put a changed ticket in the queue (or take it out when it owes no callback now). */
static void
ticket_changed(struct callbacks_view *cv, const struct ticket *t)
{
    struct err e;
    size_t i;

    if (t == NULL || t->id == NULL)
        return;
    for (i = 0; i < cv->n; i++) {
        if (cv->items[i].id != NULL && strcmp(cv->items[i].id, t->id) == 0)
            break;
    }
    if (i == cv->n)
        return;
    if (owing(t)) {
        char *doc = codec_ticket_encode(t, NULL);
        cJSON *json = codec_parse(doc, strlen(doc), &e);
        struct ticket *copy = json != NULL ? codec_ticket_decode(json, &e) : NULL;

        cJSON_Delete(json);
        free(doc);
        if (copy != NULL) {
            ticket_fini(&cv->items[i]);
            cv->items[i] = *copy;
            free(copy);
        }
    } else {
        ticket_fini(&cv->items[i]);
        memmove(cv->items + i, cv->items + i + 1, (cv->n - i - 1) * sizeof *cv->items);
        cv->n--;
        list_set_count(&cv->list, cv->n);
    }
    app_mark_dirty(cv->app, APP_DIRTY_BODY);
}

/* ---- rules ---- */

/* rules_check of action a on t now, with the body when given. False when the rules have not
 * arrived (then the server decides). */
static bool
check(struct callbacks_view *cv, const struct ticket *t, enum action a,
      const struct action_body *b, struct verdict *v)
{
    const struct rules *r = app_rules(cv->app);
    struct rule_actor who;

    if (r == NULL) {
        memset(v, 0, sizeof *v);
        v->ok = true;
        v->code = "ok";
        return false;
    }
    app_actor(cv->app, &who);
    if (b != NULL)
        rules_check_args(r, app_calendar(cv->app), app_tz(cv->app), t, a, &who, b,
                         app_now(cv->app), v);
    else
        rules_check(r, app_calendar(cv->app), app_tz(cv->app), t, a, &who, app_now(cv->app),
                    v);
    return true;
}

/* The call control of t now. */
static void
button_of(struct callbacks_view *cv, const struct ticket *t, struct callbacks_button *out)
{
    struct verdict v;

    check(cv, t, ACTION_CALLBACK, NULL, &v);
    callbacks_state_button(&v, app_tz(cv->app), app_now(cv->app), out);
}

/* ---- actions ---- */

/* Set the result line. */
static void
set_result(struct callbacks_view *cv, const char *text, enum slot slot)
{
    free(cv->result);
    cv->result = text != NULL ? xstrdup(text) : NULL;
    cv->result_slot = slot;
    app_mark_dirty(cv->app, APP_DIRTY_BODY);
}

/* Forget what was in flight. */
static void
sent_clear(struct callbacks_view *cv)
{
    codec_action_fini(&cv->sent);
    free(cv->sent_id);
    cv->sent_id = NULL;
}

/* Put what could not be sent into the outbox; true when it is there. */
static bool
queue_sent(struct callbacks_view *cv)
{
    struct api *api = app_api(cv->app);
    int64_t seq = 0;
    struct err e;
    char *msg;

    err_clear(&e);
    if (api == NULL || app_outbox(cv->app) == NULL ||
        api_queue_action(api, cv->sent_id, cv->sent_version, &cv->sent, &seq, &e) != HL_OK) {
        msg = xasprintf(_("Not sent and not kept: %s"), e.msg[0] != '\0' ? e.msg
                                                                        : _("no outbox"));
        set_result(cv, msg, SLOT_ERROR);
        free(msg);
        return false;
    }
    app_outbox_changed(cv->app);
    msg = xasprintf(_("%s: “%s” waits in the outbox; it is sent once the server is back."),
                    cv->sent_id, ticket_text_action(cv->sent.action));
    set_result(cv, msg, SLOT_WARN);
    free(msg);
    free(cv->queued_id);
    cv->queued_id = xstrdup(cv->sent_id);
    return true;
}

/* Answer of an action. */
static void
action_done(struct api_result *r, void *arg)
{
    struct callbacks_view *cv = arg;
    const struct assignment *lead;
    struct verdict v;
    char buf[512];
    enum slot slot;
    char *msg;

    if (r->id != cv->action_call)
        return;
    cv->action_call = 0;
    if (r->cancelled) {
        sent_clear(cv);
        return;
    }
    if (r->code != HL_OK || r->ticket == NULL) {
        if (r->offline) {
            queue_sent(cv);
        } else {
            msg = ticket_text_server_refusal(cv->app, cv->sent.action, r->error_code,
                                             r->possible_from, r->err.msg);
            set_result(cv, msg, SLOT_ERROR);
            free(msg);
            if (r->current != NULL)
                ticket_changed(cv, r->current);
        }
        sent_clear(cv);
        return;
    }
    lead = ticket_lead(r->ticket);
    if (lead == NULL && r->ticket->n_assignments > 0)
        lead = &r->ticket->assignments[0];
    v.possible_from = 0;
    if (owing(r->ticket))
        check(cv, r->ticket, ACTION_CALLBACK, NULL, &v);
    callbacks_state_result(r->ticket, &cv->sent,
                           lead != NULL ? app_unit_name(cv->app, lead->unit) : NULL,
                           owing(r->ticket) && !v.ok ? v.possible_from : 0, app_tz(cv->app),
                           app_now(cv->app), buf, sizeof buf, &slot);
    set_result(cv, buf, slot);
    sent_clear(cv);
    app_ticket_changed(cv->app, r->ticket);     /* this tab too: APP_EV_TICKET */
}

/* Send the open form's action (through the outbox when the server is away). */
static void
submit(struct callbacks_view *cv)
{
    const struct ticket *t = NULL;
    struct api *api = app_api(cv->app);
    struct action_body b;
    struct verdict v;
    struct err e;
    char *msg;

    for (size_t i = 0; i < cv->n; i++) {
        if (cv->items[i].id != NULL && strcmp(cv->items[i].id, cv->form.ticket_id) == 0)
            t = &cv->items[i];
    }
    err_clear(&e);
    if (t == NULL || api == NULL) {
        callbacks_form_set_error(&cv->form, _("The ticket left the queue meanwhile."));
        return;
    }
    if (cv->action_call != 0) {
        callbacks_form_set_error(&cv->form, _("The previous action is still on its way."));
        return;
    }
    if (callbacks_form_body(&cv->form, app_tz(cv->app), &b, &e) != HL_OK) {
        callbacks_form_set_error(&cv->form, e.msg);
        return;
    }
    if (check(cv, t, b.action, &b, &v) && !v.ok) {
        msg = ticket_text_refusal(cv->app, b.action, &v);
        callbacks_form_set_error(&cv->form, msg);
        free(msg);
        codec_action_fini(&b);
        return;
    }
    sent_clear(cv);
    cv->sent = b;
    cv->sent_id = xstrdup(t->id);
    cv->sent_version = t->version;
    callbacks_form_close(&cv->form);
    if (!app_online(cv->app)) {
        queue_sent(cv);
        sent_clear(cv);
        return;
    }
    cv->action_call = api_ticket_action(api, cv->sent_id, cv->sent_version, &cv->sent,
                                        action_done, cv, &e);
    if (cv->action_call == 0) {
        queue_sent(cv);
        sent_clear(cv);
        return;
    }
    set_result(cv, _("Sending…"), SLOT_MUTED);
}

/* Open a form over the selected ticket, when the rules allow the action. */
static void
open_form(struct callbacks_view *cv, enum callbacks_form_kind kind)
{
    const struct ticket *t = selected(cv);
    struct callbacks_round rd;
    struct callbacks_button btn;
    struct verdict v;
    hl_time at = 0;
    char *msg;

    if (t == NULL)
        return;
    switch (kind) {
    case CALLBACKS_FORM_ATTEMPT:
        button_of(cv, t, &btn);
        if (!btn.enabled) {
            app_message(cv->app, btn.slot == SLOT_WARN ? APP_MSG_WARN : APP_MSG_ERROR, "%s",
                        btn.text);
            return;
        }
        break;
    case CALLBACKS_FORM_SCHEDULE:
        if (check(cv, t, ACTION_SCHEDULE_CALLBACK, NULL, &v) && !v.ok) {
            msg = ticket_text_refusal(cv->app, ACTION_SCHEDULE_CALLBACK, &v);
            app_message(cv->app, APP_MSG_ERROR, "%s", msg);
            free(msg);
            return;
        }
        /* start from the next time calling is allowed, else an hour from now */
        check(cv, t, ACTION_CALLBACK, NULL, &v);
        at = !v.ok && v.possible_from != 0 ? v.possible_from : app_now(cv->app) + 3600;
        at = (at + 3599) / 3600 * 3600;
        break;
    case CALLBACKS_FORM_CLOSE:
        if (check(cv, t, ACTION_CLOSE, NULL, &v) && !v.ok) {
            msg = ticket_text_refusal(cv->app, ACTION_CLOSE, &v);
            app_message(cv->app, APP_MSG_WARN, "%s", msg);
            free(msg);
            return;
        }
        break;
    default:
        return;
    }
    callbacks_form_open(&cv->form, kind, t, app_tz(cv->app), at);
    if (kind == CALLBACKS_FORM_CLOSE) {
        callbacks_state_round(t, &rd);
        if (!rd.refused)
            input_set(&cv->form.note, _("Unreachable after the callback attempts."));
    }
    app_mark_dirty(cv->app, APP_DIRTY_BODY | APP_DIRTY_FOOTER);
}

/* ---- drawing ---- */

/* Columns of the queue. */
static const struct list_column columns[] = {
    {N_("Due"), 11, 11, 0, false},
    {N_("Ticket"), 17, 17, 0, false},
    {N_("Caller"), 8, 18, 2, false},
    {N_("Nature"), 8, 10, 0, false},
    {N_("Tries"), 5, 5, 0, true},
    {N_("Call from"), 11, 14, 0, false},
    {N_("Matter"), 0, 0, 3, false},
};
#define NCOLS ARRAY_SIZE(columns)

/* Context of the rows. */
struct row_ctx {
    struct callbacks_view *cv;
    const int *widths;
};

/* The caller as a row shows it: name and salutation, else the number; "(hidden)" when the
 * server masked them. Owned. */
static char *
caller_name(const struct ticket *t)
{
    const struct caller *c = &t->caller;

    if (!str_empty(c->name))
        return xasprintf("%s%s", c->name, c->salutation != SALUTATION_NONE
                                              ? salutation_str(c->salutation) : "");
    if (!str_empty(c->phone))
        return xstrdup(c->phone);
    return xstrdup(c->confidential ? _("(hidden)") : "-");
}

/* One row of the queue. */
static void
draw_row(void *arg, WINDOW *w, size_t index, int y, int x, int width, bool sel)
{
    struct row_ctx *c = arg;
    struct callbacks_view *cv = c->cv;
    const struct ticket *t = &cv->items[index];
    const struct theme *th = &cv->app->theme;
    hl_time now = app_now(cv->app);
    struct callbacks_round rd;
    struct callbacks_button btn;
    char due[24], tries[8], call[32];
    char *caller = caller_name(t);
    const char *cells[NCOLS];
    char *line;
    attr_t a;

    callbacks_state_when(app_tz(cv->app), t->callback_due_at, now, due, sizeof due);
    callbacks_state_round(t, &rd);
    snprintf(tries, sizeof tries, "%zu", rd.attempts);
    button_of(cv, t, &btn);
    if (btn.enabled)
        str_copy(call, sizeof call, _("now"));
    else if (btn.from != 0)
        callbacks_state_when(app_tz(cv->app), btn.from, now, call, sizeof call);
    else
        str_copy(call, sizeof call, "-");
    cells[0] = due;
    cells[1] = t->id != NULL ? t->id : "";
    cells[2] = caller;
    cells[3] = ticket_text_nature(t->nature);
    cells[4] = tries;
    cells[5] = call;
    cells[6] = t->title != NULL ? t->title : t->description != NULL ? t->description : "";
    line = list_format_row(columns, cells, c->widths, NCOLS, 1);
    a = theme_attr(th, sel ? SLOT_SELECTED
                           : t->callback_due_at < now ? SLOT_OVERDUE : SLOT_NORMAL);
    draw_fill(w, y, x, width, a);
    draw_text(w, y, x + 1, width - 1, line, a);
    free(line);
    free(caller);
}

/* The detail of the selected ticket: who, the reply to read out, attempts, the verdict. */
static void
draw_detail(struct callbacks_view *cv, const struct ticket *t, WINDOW *w, const struct rect *r)
{
    const struct theme *th = &cv->app->theme;
    const struct tz *tz = app_tz(cv->app);
    hl_time now = app_now(cv->app);
    const struct assignment *as = callbacks_state_reply(t);
    struct callbacks_round rd;
    struct callbacks_button btn;
    struct verdict vclose;
    struct rect text;
    char when[32];
    char *s, *caller;
    int y = r->y;
    int bottom = r->y + r->h;

    caller = ticket_detail_caller(t);
    s = xasprintf("%s · %s · %s", t->id != NULL ? t->id : "", ticket_text_nature(t->nature),
                  caller);
    draw_text(w, y++, r->x, r->w, s, theme_attr(th, SLOT_HEADER));
    free(s);
    free(caller);
    if (as != NULL) {
        callbacks_state_when(tz, as->replied_at, now, when, sizeof when);
        s = xasprintf(_("Reply to read out (%s, %s):"), app_unit_name(cv->app, as->unit), when);
        draw_text(w, y++, r->x, r->w, s, theme_attr(th, SLOT_LABEL));
        free(s);
        text = (struct rect){y, r->x + 2, REPLY_LINES, r->w - 2};
        if (y + REPLY_LINES > bottom - 3)
            text.h = bottom - 3 - y > 1 ? bottom - 3 - y : 1;
        y += draw_paragraph(w, &text, 0, as->reply, theme_attr(th, SLOT_NORMAL));
    } else {
        draw_text(w, y++, r->x, r->w, _("No unit has replied yet."), theme_attr(th, SLOT_MUTED));
    }
    callbacks_state_round(t, &rd);
    if (t->callback_at != 0) {
        callbacks_state_when(tz, t->callback_at, now, when, sizeof when);
        s = xasprintf(_("Attempts: %zu (%zu failed) · agreed time %s"), rd.attempts, rd.failed,
                      when);
    } else {
        s = xasprintf(_("Attempts: %zu (%zu failed)"), rd.attempts, rd.failed);
    }
    if (y < bottom)
        draw_text(w, y++, r->x, r->w, s, theme_attr(th, SLOT_MUTED));
    free(s);
    button_of(cv, t, &btn);
    if (y < bottom) {
        s = xasprintf("%s %s", btn.enabled ? "●" : "○", btn.text);
        draw_text(w, y++, r->x, r->w, s, theme_attr(th, btn.slot) | A_BOLD);
        free(s);
    }
    if (!btn.enabled && btn.detail[0] != '\0' && y < bottom) {
        /* the rule's own sentence: two lines when there is room for the hint after it */
        text = (struct rect){y, r->x + 2, bottom - y - 1 >= 2 ? 2 : 1, r->w - 2};
        if (text.h == 1)
            draw_text(w, y++, text.x, text.w, btn.detail, theme_attr(th, SLOT_MUTED));
        else
            y += draw_paragraph(w, &text, 0, btn.detail, theme_attr(th, SLOT_MUTED));
    }
    if (y < bottom) {
        bool can_close = check(cv, t, ACTION_CLOSE, NULL, &vclose) && vclose.ok &&
                         (rd.refused || rd.failed >= (size_t)rules_unreachable_attempts(
                                                        app_rules(cv->app)));

        if (can_close)
            s = xstrdup(rd.refused ? _("u closes the ticket: the caller declined the callback.")
                                   : _("u closes the ticket as unreachable (with a note)."));
        else
            s = xstrdup(btn.enabled ? _("a records the attempt · s agrees a time with the caller")
                                    : _("s agrees a time with the caller"));
        draw_text(w, y++, r->x, r->w, s, theme_attr(th, can_close ? SLOT_WARN : SLOT_MUTED));
        free(s);
    }
    /* the attempts so far, newest first, as room allows */
    for (size_t i = t->n_callbacks; i > 0 && y + 1 < bottom; i--) {
        const struct callback *cb = &t->callbacks[i - 1];

        if (i == t->n_callbacks)
            y++;
        callbacks_state_when(tz, cb->at, now, when, sizeof when);
        s = xasprintf("%-11s  %s%s%s  %s  %s", when, ticket_text_outcome(cb->outcome),
                      cb->satisfaction != SAT_NONE ? " · " : "",
                      ticket_text_satisfaction(cb->satisfaction), cb->by != NULL ? cb->by : "",
                      cb->note != NULL ? cb->note : "");
        draw_text(w, y++, r->x + 2, r->w - 2, s, theme_attr(th, SLOT_MUTED));
        free(s);
    }
}

/* The last action's result, on the last two rows of r. */
static void
draw_result(struct callbacks_view *cv, WINDOW *w, const struct rect *r)
{
    struct rect t = {r->y + r->h - 2, r->x + 1, 2, r->w - 2};

    if (cv->result == NULL)
        return;
    draw_fill_rect(w, &t, theme_attr(&cv->app->theme, SLOT_NORMAL));
    draw_paragraph(w, &t, 0, cv->result, theme_attr(&cv->app->theme, cv->result_slot));
}

/* The queue, the detail and the result lines. */
static void
draw_queue(struct callbacks_view *cv, WINDOW *w, const struct rect *r)
{
    const struct theme *th = &cv->app->theme;
    int widths[NCOLS];
    const char *titles[NCOLS];
    struct row_ctx ctx = {cv, widths};
    struct rect lr, dr;
    int list_h, res_h;
    char *head, *state;
    size_t overdue = 0;
    hl_time now = app_now(cv->app);

    for (size_t i = 0; i < cv->n; i++) {
        if (cv->items[i].callback_due_at < now)
            overdue++;
    }
    draw_text(w, r->y, r->x + 1, r->w / 2, _(callbacks_view_ops.title),
              theme_attr(th, SLOT_TITLE));
    if (!cv->loaded)
        state = xstrdup(_("loading…"));
    else if (cv->offline)
        state = xasprintf(_("offline: %zu from the local cache"), cv->n);
    else
        state = xasprintf(_("%zu due · %zu overdue"), cv->n, overdue);
    draw_text_right(w, r->y, r->x + r->w / 2, r->w / 2 - 1, state,
                    theme_attr(th, cv->offline ? SLOT_WARN : SLOT_MUTED));
    free(state);
    if (cv->error != NULL) {
        struct rect t = {r->y + 2, r->x + 2, r->h - 2, r->w - 4};

        draw_paragraph(w, &t, 0, cv->error, theme_attr(th, SLOT_ERROR));
        return;
    }
    if (cv->n == 0) {
        struct rect t = {r->y + 2, r->x + 2, r->h - 2, r->w - 4};

        if (cv->loaded)
            draw_paragraph(w, &t, 0, cv->offline
                                         ? _("No callback is due among the tickets in the "
                                             "local cache.")
                                         : _("No callback is due: every replied ticket has "
                                             "been called back."),
                           theme_attr(th, SLOT_MUTED));
        draw_result(cv, w, r);
        return;
    }
    list_layout(columns, NCOLS, r->w - 1, 1, widths);
    for (size_t i = 0; i < NCOLS; i++)
        titles[i] = _(columns[i].title);
    head = list_format_row(columns, titles, widths, NCOLS, 1);
    draw_text(w, r->y + 1, r->x + 1, r->w - 1, head, theme_attr(th, SLOT_HEADER));
    free(head);
    res_h = cv->result != NULL ? 2 : 0;
    list_h = (r->h - 2 - res_h) / 2;
    if ((size_t)list_h > cv->n + 1)
        list_h = (int)cv->n + 1;
    if (list_h < 3)
        list_h = 3;
    lr = (struct rect){r->y + 2, r->x, list_h, r->w};
    list_draw(&cv->list, w, &lr, draw_row, &ctx);
    mvwhline(w, lr.y + lr.h, r->x, ACS_HLINE, r->w);
    dr = (struct rect){lr.y + lr.h + 1, r->x + 1, r->h - (lr.y + lr.h + 1 - r->y) - res_h,
                       r->w - 2};
    if (selected(cv) != NULL && dr.h > 2)
        draw_detail(cv, selected(cv), w, &dr);
    draw_result(cv, w, r);
}

/* ---- the view ---- */

/* Set up. */
static void
callbacks_open(struct app *app, void *priv)
{
    struct callbacks_view *cv = priv;

    cv->app = app;
    list_init(&cv->list);
}

/* Free everything (the calls were cancelled when the api closed, before this). */
static void
callbacks_close(struct app *app, void *priv)
{
    struct callbacks_view *cv = priv;

    if (app->loop != NULL) {
        loop_cancel(app->loop, cv->feed_timer);
        loop_cancel(app->loop, cv->tick_timer);
    }
    tickets_free(cv->items, cv->n);
    callbacks_form_close(&cv->form);
    sent_clear(cv);
    free(cv->error);
    free(cv->result);
    free(cv->queued_id);
}

/* The tab became active: load when never loaded, or when the queue came from the cache. */
static void
callbacks_enter(struct app *app, void *priv)
{
    struct callbacks_view *cv = priv;

    if ((!cv->loaded || cv->offline || cv->stale) && cv->list_call == 0)
        load(cv);
    if (cv->tick_timer == 0 && app->loop != NULL)
        cv->tick_timer = loop_after(app->loop, TICK_MS, tick_fire, cv);
}

/* Draw (the honest empty state without a server or a sign-in). */
static void
callbacks_draw(struct app *app, void *priv, WINDOW *w, const struct rect *r)
{
    struct callbacks_view *cv = priv;
    int cy = 0, cx = 0;

    if (app_api(app) == NULL || !app_session(app)->known || r->h < 10 || r->w < 40) {
        empty_view_draw(app, priv, w, r);
        return;
    }
    draw_queue(cv, w, r);
    if (callbacks_form_is_open(&cv->form)) {
        callbacks_form_draw(&cv->form, w, r, &app->theme, &cy, &cx);
        app_set_cursor(app, w, cy, cx);
    }
}

/* A key for the tab. */
static bool
callbacks_key(struct app *app, void *priv, const struct key_event *ev)
{
    struct callbacks_view *cv = priv;

    if (app_api(app) == NULL || !app_session(app)->known)
        return false;
    if (callbacks_form_is_open(&cv->form)) {
        if (ev->keycode && ev->ch >= (wint_t)KEY_F(1) && ev->ch <= (wint_t)KEY_F(12))
            return false;
        switch (callbacks_form_key(&cv->form, ev)) {
        case CALLBACKS_FORM_SUBMIT:
            submit(cv);
            break;
        case CALLBACKS_FORM_CANCEL:
            callbacks_form_close(&cv->form);
            break;
        default:
            break;
        }
        app_mark_dirty(app, APP_DIRTY_BODY | APP_DIRTY_FOOTER);
        return true;
    }
    switch (ev->cmd) {
    case CMD_UP:
    case CMD_DOWN:
    case CMD_PAGE_UP:
    case CMD_PAGE_DOWN:
    case CMD_HOME:
    case CMD_END:
        list_cmd(&cv->list, ev->cmd);
        break;
    case CMD_VIEW_1:
    case CMD_ENTER:
        open_form(cv, CALLBACKS_FORM_ATTEMPT);
        break;
    case CMD_VIEW_2:
        open_form(cv, CALLBACKS_FORM_SCHEDULE);
        break;
    case CMD_VIEW_3:
        open_form(cv, CALLBACKS_FORM_CLOSE);
        break;
    case CMD_VIEW_8:
        load(cv);
        break;
    case CMD_CANCEL:
        if (cv->result == NULL)
            return false;
        set_result(cv, NULL, SLOT_NORMAL);
        break;
    default:
        return false;
    }
    app_mark_dirty(app, APP_DIRTY_BODY);
    return true;
}

/* Follow the session, the connection, the feed and changes made in other tabs. */
static void
callbacks_on_event(struct app *app, void *priv, const struct app_event *ev)
{
    struct callbacks_view *cv = priv;
    const struct api_event *aev;

    switch (ev->kind) {
    case APP_EV_SESSION:
    case APP_EV_RELOAD:
        cv->loaded = false;
        load(cv);
        break;
    case APP_EV_CONN:
        if (app_online(app) && (cv->offline || !cv->loaded) && cv->list_call == 0)
            load(cv);
        break;
    case APP_EV_OUTBOX:
        aev = ev->data;
        if (aev != NULL && ev->id != NULL && cv->queued_id != NULL &&
            strcmp(ev->id, cv->queued_id) == 0 && aev->outbox_state == OUTBOX_DONE) {
            char *msg = xasprintf(_("%s: the action kept in the outbox has been sent."),
                                  ev->id);

            set_result(cv, msg, SLOT_OK);
            free(msg);
            free(cv->queued_id);
            cv->queued_id = NULL;
        }
        reload_soon(cv, ev->id);
        break;
    case APP_EV_FEED:
        reload_soon(cv, ev->id);
        break;
    case APP_EV_TICKET:
        ticket_changed(cv, ev->data);
        break;
    default:
        break;
    }
}

/* Unsaved: an open form with typed words. */
static bool
callbacks_unsaved(struct app *app, void *priv)
{
    struct callbacks_view *cv = priv;

    (void)app;
    return callbacks_form_is_open(&cv->form) && cv->form.note.ed.modified &&
           input_text(&cv->form.note)[0] != '\0';
}

const struct view_ops callbacks_view_ops = {
    .name = N_("Callbacks"),
    .title = N_("Callbacks: the due list"),
    .about = N_("Callbacks due after a unit's reply: schedule them, record each attempt and "
                "the caller's satisfaction."),
    .priv_size = sizeof(struct callbacks_view),
    .open = callbacks_open,
    .close = callbacks_close,
    .enter = callbacks_enter,
    .draw = callbacks_draw,
    .key = callbacks_key,
    .on_event = callbacks_on_event,
    .unsaved = callbacks_unsaved,
    .keys = &callbacks_keys,
};
