/* intake: tab 1 受理, taking a call: the caller's phone first (history pops up), the matter
 * with knowledge-base suggestions as it is typed, standard phrases and a hold timer, then
 * an answer given directly or a work order dispatched, its number shown large. */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "hotline/util.h"
#include "i18n.h"
#include "views/intake.h"
#include "views/intake_view.h"
#include "views/views.h"

/* The tab's own keys for the help overlay (the form's last line shows them too; the footer
 * keeps the global hints). The shared command table has no commands for phrases, answer and
 * work order, so their lines borrow commands that mean nothing on this tab: the handler looks
 * at the keys themselves. Tab, arrows, Space, Enter and Esc work as everywhere. */
static const struct key_binding intake_bindings[] = {
    {KEY_F(3), true, CMD_SEARCH, N_("Show or hide the standard phrases"), NULL, NULL},
    {KEY_F(9), true, CMD_PAGE_UP, N_("Answer directly from the knowledge base"), NULL, NULL},
    {KEY_F(12), true, CMD_PAGE_DOWN, N_("Create a work order and dispatch it"), NULL, NULL},
};

static const struct keymap intake_keys = {
    N_("Intake"), intake_bindings, ARRAY_SIZE(intake_bindings),
};

/* Is the key this function key? */
static bool
is_fkey(const struct key_event *ev, int n)
{
    return ev->keycode && ev->ch == (wint_t)KEY_F(n);
}

/* True when the key is a plain Space. */
static bool
is_space(const struct key_event *ev)
{
    return !ev->keycode && ev->ch == ' ';
}

/* ---- timers ---- */

/* The call and hold clocks: redraw every second while a call is on (timer). */
static void
tick(void *arg)
{
    struct intake_view *v = arg;

    v->tick_timer = 0;
    if (v->stage == INTAKE_IDLE)
        return;
    if (app_active_view(v->app)->priv == v)
        app_mark_dirty(v->app, APP_DIRTY_BODY);
    v->tick_timer = loop_after(v->app->loop, 1000, tick, v);
}

/* Start the clocks. */
static void
start_tick(struct intake_view *v)
{
    if (v->tick_timer == 0 && v->app->loop != NULL)
        v->tick_timer = loop_after(v->app->loop, 1000, tick, v);
}

/* Save the draft now (or remove it when there is nothing worth keeping). */
static void
save_draft(struct intake_view *v)
{
    struct err e;

    if (v->draft_path == NULL)
        return;
    if ((v->stage != INTAKE_FORM && v->stage != INTAKE_SENDING)
        || !intake_form_touched(&v->form)) {
        intake_draft_remove(v->draft_path);
        return;
    }
    err_clear(&e);
    if (intake_draft_save(v->draft_path, &v->form, app_now(v->app), &e) != HL_OK)
        LOG_WARN(&v->app->log, "%s", e.msg);
}

/* The draft's debounce ran out (timer). */
static void
draft_fire(void *arg)
{
    struct intake_view *v = arg;

    v->draft_timer = 0;
    save_draft(v);
}

/* The suggestions' debounce ran out (timer). */
static void
kb_fire(void *arg)
{
    struct intake_view *v = arg;

    v->kb_timer = 0;
    intake_net_suggest(v);
}

/* Remind the agent to speak to the held caller (timer). */
static void
hold_remind(void *arg)
{
    struct intake_view *v = arg;
    long secs = (long)(app_now(v->app) - v->hold_since);

    v->hold_timer = 0;
    if (!v->on_hold)
        return;
    app_message(v->app, APP_MSG_WARN, _("On hold %ld s: speak to the caller now (F3: phrases)."),
                secs);
    if (v->bell)
        beep();
    v->hold_timer = loop_after(v->app->loop, INTAKE_HOLD_REMIND_MS, hold_remind, v);
    app_mark_dirty(v->app, APP_DIRTY_BODY);
}

/* Take the call back from hold. */
static void
stop_hold(struct intake_view *v)
{
    v->on_hold = false;
    if (v->hold_timer != 0)
        loop_cancel(v->app->loop, v->hold_timer);
    v->hold_timer = 0;
}

/* Hold the caller, or take the call back. */
static void
toggle_hold(struct intake_view *v)
{
    if (v->on_hold) {
        long secs = (long)(app_now(v->app) - v->hold_since);

        stop_hold(v);
        app_message(v->app, APP_MSG_INFO, _("Call taken back after %ld s on hold."), secs);
    } else {
        v->on_hold = true;
        v->hold_since = app_now(v->app);
        v->hold_timer = loop_after(v->app->loop, INTAKE_HOLD_REMIND_MS, hold_remind, v);
        app_message(v->app, APP_MSG_INFO, "%s",
                    _("Caller on hold: you are reminded every 30 s to speak to them (F4 takes "
                      "the call back)."));
    }
    app_mark_dirty(v->app, APP_DIRTY_BODY);
}

/* ---- the form ---- */

void
intake_view_load_widgets(struct intake_view *v)
{
    for (size_t i = 0; i < INTAKE_F_COUNT; i++) {
        enum intake_field f = (enum intake_field)i;

        if (intake_field_kind(f) == INTAKE_KIND_TEXT && f != INTAKE_F_DUE)
            input_set(&v->in[f], intake_form_text(&v->form, f));
    }
    edit_set(&v->due.ed, intake_form_text(&v->form, INTAKE_F_DUE));
    edit_set(&v->desc.ed, intake_form_text(&v->form, INTAKE_F_DESCRIPTION));
    v->desc.ed.cur = 0;
    v->desc.ed.top_row = 0;
}

void
intake_view_changed(struct intake_view *v, enum intake_field field)
{
    struct loop *loop = v->app->loop;

    v->send.idem_key[0] = '\0';        /* another body: another idempotency key */
    free(v->problem);
    v->problem = NULL;
    if (loop != NULL) {
        loop_cancel(loop, v->draft_timer);
        v->draft_timer = loop_after(loop, INTAKE_DRAFT_DEBOUNCE_MS, draft_fire, v);
    }
    if (field == INTAKE_F_PHONE)
        intake_net_history(v, false);
    if ((field == INTAKE_F_TITLE || field == INTAKE_F_DESCRIPTION || field == INTAKE_F_CATEGORY)
        && loop != NULL) {
        loop_cancel(loop, v->kb_timer);
        v->kb_timer = 0;
        if (intake_net_suggest_busy(v) && loop_now_ms() - v->kb_round_ms < INTAKE_KB_STALE_MS)
            v->kb_again = true;    /* asked again when the round in flight has answered */
        else
            v->kb_timer = loop_after(loop, INTAKE_KB_DEBOUNCE_MS, kb_fire, v);
    }
    app_mark_dirty(v->app, APP_DIRTY_BODY);
}

void
intake_view_prefill(struct intake_view *v)
{
    const struct article *chosen[INTAKE_SUGGEST_MAX * 2];
    size_t n = 0;
    char *text;

    if (v->modal != INTAKE_MODAL_ANSWER || v->answer_edited)
        return;
    for (size_t i = 0; i < v->nsugg && n < ARRAY_SIZE(chosen); i++) {
        if (v->sugg[i].chosen)
            chosen[n++] = &v->sugg[i].a;
    }
    text = intake_answer_prefill(chosen, n);
    edit_set(&v->answer.ed, text);
    free(text);
    app_mark_dirty(v->app, APP_DIRTY_BODY);
}

/* Close the modal and free its lists. */
static void
close_modal(struct intake_view *v)
{
    if (v->modal == INTAKE_MODAL_CATEGORY || v->modal == INTAKE_MODAL_DISPATCH)
        picker_fini(&v->picker);
    free(v->items);
    v->items = NULL;
    v->nitems = 0;
    free(v->assist);
    v->assist = NULL;
    v->modal = INTAKE_MODAL_NONE;
    app_mark_dirty(v->app, APP_DIRTY_BODY | APP_DIRTY_FOOTER);
}

/* Forget everything of a call. */
static void
reset_call(struct intake_view *v)
{
    struct loop *loop = v->app->loop;

    if (v->modal != INTAKE_MODAL_NONE)
        close_modal(v);
    stop_hold(v);
    if (loop != NULL) {
        loop_cancel(loop, v->kb_timer);
        loop_cancel(loop, v->draft_timer);
    }
    v->kb_timer = v->draft_timer = 0;
    intake_net_history_clear(v);
    intake_net_suggest_clear(v);
    intake_net_send_fini(v);
    memset(v->send.idem_key, 0, sizeof v->send.idem_key);
    intake_form_clear(&v->form);
    v->form.call_started = 0;
    v->call_id[0] = '\0';
    v->call_recorded = false;
    free(v->problem);
    v->problem = NULL;
    intake_view_load_widgets(v);
    v->focus = INTAKE_F_PHONE;
    v->answer_edited = false;
}

void
intake_view_end_call(struct intake_view *v)
{
    reset_call(v);
    v->stage = INTAKE_IDLE;
    if (v->tick_timer != 0)
        loop_cancel(v->app->loop, v->tick_timer);
    v->tick_timer = 0;
    intake_draft_remove(v->draft_path);
    app_mark_dirty(v->app, APP_DIRTY_BODY | APP_DIRTY_FOOTER);
}

/* Start a call: an empty form (phone filled when known), the clocks, notices and history. */
static void
start_call(struct intake_view *v, const char *phone)
{
    struct err e;

    reset_call(v);
    v->form.call_started = app_now(v->app);
    err_clear(&e);
    if (outbox_make_key(v->call_id, &e) != HL_OK)
        v->call_id[0] = '\0';    /* made again when the call is recorded */
    v->stage = INTAKE_FORM;
    if (!str_empty(phone)) {
        intake_form_set_text(&v->form, INTAKE_F_PHONE, phone);
        intake_view_load_widgets(v);
        v->focus = INTAKE_F_NAME;
    }
    start_tick(v);
    app_switch_tab(v->app, 0);
    intake_net_notices(v);
    intake_net_history(v, true);
    app_mark_dirty(v->app, APP_DIRTY_BODY | APP_DIRTY_FOOTER);
}

/* A phone number waiting for the answer to "discard the form?". */
struct pending_call {
    struct intake_view *v;
    char phone[128];
};

/* The answer to "start a new call and discard the form?". */
static void
new_call_answered(struct app *app, bool yes, void *arg)
{
    struct pending_call *p = arg;

    (void)app;
    if (yes)
        start_call(p->v, p->phone[0] != '\0' ? p->phone : NULL);
    else if (p->phone[0] != '\0')
        app_message(p->v->app, APP_MSG_WARN,
                    _("Call from %s not taken into the form: finish the current one first."),
                    p->phone);
    free(p);
}

/* Start a new call, asking first when the current form holds input. */
static void
request_call(struct intake_view *v, const char *phone)
{
    struct pending_call *p;

    if (v->stage == INTAKE_SENDING) {
        app_message(v->app, APP_MSG_WARN, "%s",
                    _("The ticket is still being sent: wait for its number first."));
        return;
    }
    if (v->stage != INTAKE_FORM || !intake_form_touched(&v->form)) {
        start_call(v, phone);
        return;
    }
    p = xcalloc(1, sizeof *p);
    p->v = v;
    str_copy(p->phone, sizeof p->phone, phone != NULL ? phone : "");
    app_switch_tab(v->app, 0);
    if (phone != NULL) {
        char *msg = xasprintf(_("A call from %s was answered. Discard the current call's form "
                                "and take the new one?"), phone);

        app_confirm(v->app, _("New call"), msg, new_call_answered, p);
        free(msg);
    } else {
        app_confirm(v->app, _("New call"),
                    _("Discard the current call's form and start a new call?"),
                    new_call_answered, p);
    }
}

/* The answer to "discard this form?". */
static void
discard_answered(struct app *app, bool yes, void *arg)
{
    (void)app;
    if (yes)
        intake_view_end_call(arg);
}

/* The caller's answer to the confidentiality offer. */
static void
confidential_answered(struct app *app, bool yes, void *arg)
{
    struct intake_view *v = arg;

    intake_form_answer_confidential(&v->form, yes);
    app_message(app, APP_MSG_INFO, "%s",
                yes ? _("The caller stays confidential: units and watch mode will not see the "
                        "name, phone or address.")
                    : _("The caller does not ask for confidentiality."));
    intake_view_changed(v, INTAKE_F_CONFIDENTIAL);
}

/* Offer confidentiality when the nature asks for it (complaints and reports). */
static void
maybe_offer_confidential(struct intake_view *v, bool due)
{
    if (!due)
        return;
    app_confirm(v->app, _("Confidentiality"),
                _("This is a complaint or a report: ask the caller whether their name, phone and "
                  "address must stay confidential. Keep the caller confidential?"),
                confidential_answered, v);
}

/* Show a check's first problem and move to its field. */
static void
show_problem(struct intake_view *v, const struct intake_problem *p, size_t n)
{
    free(v->problem);
    v->problem = xstrdup(p[0].msg);
    v->focus = p[0].field;
    if (n > 1)
        app_message(v->app, APP_MSG_ERROR, _("%s (and %zu more)"), _(p[0].msg), n - 1);
    else
        app_message(v->app, APP_MSG_ERROR, "%s", _(p[0].msg));
    app_mark_dirty(v->app, APP_DIRTY_BODY);
}

/* Check the form for purpose; false (with the problem shown) when it is not ready. */
static bool
form_ready(struct intake_view *v, enum intake_purpose purpose)
{
    struct intake_problem p[INTAKE_MAX_PROBLEMS];
    size_t n = intake_form_check(&v->form, purpose, app_tz(v->app), app_now(v->app), p,
                                 ARRAY_SIZE(p));

    if (n == 0)
        return true;
    show_problem(v, p, n);
    return false;
}

/* The items of the category picker from /meta. */
static bool
open_category(struct intake_view *v, const struct key_event *first)
{
    const struct api_meta *m = app_meta(v->app);

    if (m == NULL || m->n_categories == 0) {
        app_message(v->app, APP_MSG_WARN, "%s",
                    _("The category tree is not known yet: it comes with the server's reference "
                      "data once connected."));
        return true;
    }
    v->items = xcalloc(m->n_categories, sizeof *v->items);
    for (size_t i = 0; i < m->n_categories; i++) {
        v->items[i].code = m->categories[i].code;
        v->items[i].label = m->categories[i].label;
        v->items[i].depth = m->categories[i].depth;
    }
    v->nitems = m->n_categories;
    picker_init(&v->picker, v->items, v->nitems);
    v->modal = INTAKE_MODAL_CATEGORY;
    if (first != NULL)
        picker_key(&v->picker, first);
    app_mark_dirty(v->app, APP_DIRTY_BODY | APP_DIRTY_FOOTER);
    return true;
}

/* The deadline the work order would get now, with the rules from /meta and this console's
 * calendar (the server's answer is the one that counts). */
static void
estimate_due(struct intake_view *v)
{
    const struct rules *rules = app_rules(v->app);
    struct ticket *t = ticket_new();
    struct err e;

    v->due_known = false;
    err_clear(&e);
    if (rules != NULL && intake_form_to_ticket(&v->form, app_tz(v->app), t, &e) == HL_OK) {
        rules_due(rules, app_calendar(v->app), app_tz(v->app), t, app_now(v->app),
                  &v->due_est);
        v->due_known = v->due_est.due != 0;
    }
    ticket_free(&t);
}

/* Open the dispatch panel: units from /meta, the deadline estimate. */
static void
open_dispatch(struct intake_view *v)
{
    const struct api_meta *m = app_meta(v->app);

    if (!form_ready(v, INTAKE_FOR_ORDER))
        return;
    if (m == NULL || m->n_units == 0) {
        app_message(v->app, APP_MSG_WARN, "%s",
                    _("The responsible units are not known yet: they come with the server's "
                      "reference data once connected."));
        return;
    }
    v->items = xcalloc(m->n_units, sizeof *v->items);
    for (size_t i = 0; i < m->n_units; i++) {
        v->items[i].code = m->units[i].code;
        v->items[i].label = m->units[i].name != NULL ? m->units[i].name : m->units[i].code;
        v->items[i].depth = 0;
    }
    v->nitems = m->n_units;
    v->assist = xcalloc(v->nitems, sizeof *v->assist);
    v->lead = -1;
    picker_init(&v->picker, v->items, v->nitems);
    estimate_due(v);
    v->modal = INTAKE_MODAL_DISPATCH;
    app_mark_dirty(v->app, APP_DIRTY_BODY | APP_DIRTY_FOOTER);
}

/* Open the answer panel: the suggestions to choose from and the answer text. */
static void
open_answer(struct intake_view *v)
{
    size_t order[INTAKE_SUGGEST_MAX * 2];

    if (!form_ready(v, INTAKE_FOR_ANSWER))
        return;
    v->modal = INTAKE_MODAL_ANSWER;
    list_init(&v->ans_list);
    list_set_count(&v->ans_list, intake_net_order(v, order));
    v->ans_focus = v->ans_list.count > 0 ? 0 : 1;
    if (!v->answer_edited)
        intake_view_prefill(v);
    app_mark_dirty(v->app, APP_DIRTY_BODY | APP_DIRTY_FOOTER);
}

/* Index in the pool of the answer list's selected row, or -1. */
static long
answer_selected(const struct intake_view *v)
{
    size_t order[INTAKE_SUGGEST_MAX * 2];
    size_t n = intake_net_order(v, order);

    return v->ans_list.sel < n ? (long)order[v->ans_list.sel] : -1;
}

/* True when s has more than spaces. */
static bool
not_blank(const char *s)
{
    for (; *s != '\0'; s++) {
        if (*s != ' ' && *s != '\n' && *s != '\t')
            return true;
    }
    return false;
}

/* Send the direct answer. */
static void
send_answer(struct intake_view *v)
{
    const char *text = edit_text(&v->answer.ed);

    if (!not_blank(text)) {
        app_message(v->app, APP_MSG_ERROR, "%s",
                    _("Answer: choose the articles used (Space) or write what the caller was "
                      "told."));
        v->ans_focus = v->ans_list.count > 0 && v->ans_focus == 1 ? 0 : 1;
        return;
    }
    codec_action_fini(&v->send.body);
    v->send.order = false;
    v->send.body.action = ACTION_RESOLVE_DIRECT;
    v->send.body.answer = xstrdup(text);
    for (size_t i = 0; i < v->nsugg; i++) {
        if (v->sugg[i].chosen && v->sugg[i].a.id != NULL)
            strlist_add(&v->send.body.kb_refs, v->sugg[i].a.id);
    }
    close_modal(v);
    stop_hold(v);
    intake_net_send(v);
}

/* Send the work order to the chosen units. */
static void
send_order(struct intake_view *v)
{
    size_t n = 0;

    if (v->lead < 0) {
        app_message(v->app, APP_MSG_ERROR, "%s",
                    _("Dispatch: choose the lead unit (Enter); Space adds assisting units."));
        return;
    }
    codec_action_fini(&v->send.body);
    v->send.order = true;
    v->send.body.action = ACTION_DISPATCH;
    v->send.body.units = xcalloc(v->nitems, sizeof *v->send.body.units);
    v->send.body.units[n].unit = xstrdup(v->items[v->lead].code);
    v->send.body.units[n++].role = ROLE_LEAD;
    for (size_t i = 0; i < v->nitems; i++) {
        if (v->assist[i] && (long)i != v->lead) {
            v->send.body.units[n].unit = xstrdup(v->items[i].code);
            v->send.body.units[n++].role = ROLE_ASSIST;
        }
    }
    v->send.body.n_units = n;
    close_modal(v);
    stop_hold(v);
    intake_net_send(v);
}

void
intake_view_show_result(struct intake_view *v)
{
    v->stage = INTAKE_DONE;
    stop_hold(v);
    if (v->draft_timer != 0)
        loop_cancel(v->app->loop, v->draft_timer);
    v->draft_timer = 0;
    intake_draft_remove(v->draft_path);
    if (v->result.message != NULL)
        app_message(v->app, v->result.action_failed ? APP_MSG_ERROR : APP_MSG_INFO, "%s",
                    v->result.message);
    app_mark_dirty(v->app, APP_DIRTY_BODY | APP_DIRTY_FOOTER);
}

/* ---- keys ---- */

/* A key for the category picker. */
static bool
category_key(struct intake_view *v, const struct key_event *ev)
{
    const struct picker_item *it;

    switch (picker_key(&v->picker, ev)) {
    case PICKER_CHOSEN:
        it = picker_selected(&v->picker);
        if (it != NULL)
            intake_form_set_category(&v->form, it->code, it->label);
        close_modal(v);
        v->focus = intake_field_step(&v->form, INTAKE_F_CATEGORY, 1);
        intake_view_changed(v, INTAKE_F_CATEGORY);
        return true;
    case PICKER_CANCEL:
        close_modal(v);
        return true;
    default:
        app_mark_dirty(v->app, APP_DIRTY_BODY);
        return true;
    }
}

/* A key for the dispatch panel: filter, move, Enter lead, Space assist, F12 send. */
static bool
dispatch_key(struct intake_view *v, const struct key_event *ev)
{
    const struct picker_item *it = picker_selected(&v->picker);
    long idx = it != NULL ? (long)(it - v->items) : -1;

    if (is_fkey(ev, 12)) {
        send_order(v);
        return true;
    }
    if (ev->cmd == CMD_CANCEL) {
        close_modal(v);
        return true;
    }
    if (ev->cmd == CMD_ENTER) {
        if (idx >= 0) {
            v->lead = v->lead == idx ? -1 : idx;
            v->assist[idx] = false;
        }
        app_mark_dirty(v->app, APP_DIRTY_BODY);
        return true;
    }
    if (is_space(ev)) {
        if (idx >= 0 && idx != v->lead)
            v->assist[idx] = !v->assist[idx];
        app_mark_dirty(v->app, APP_DIRTY_BODY);
        return true;
    }
    if (picker_key(&v->picker, ev) == PICKER_UNHANDLED)
        return !ev->keycode || ev->cmd != CMD_NONE;
    app_mark_dirty(v->app, APP_DIRTY_BODY);
    return true;
}

/* A key for the answer panel. */
static bool
answer_key(struct intake_view *v, const struct key_event *ev)
{
    long at;

    if (is_fkey(ev, 9)) {
        send_answer(v);
        return true;
    }
    if (ev->cmd == CMD_CANCEL) {
        close_modal(v);
        return true;
    }
    if (ev->cmd == CMD_FIELD_NEXT || ev->cmd == CMD_FIELD_PREV) {
        v->ans_focus = v->ans_focus == 0 || v->ans_list.count == 0 ? 1 : 0;
        app_mark_dirty(v->app, APP_DIRTY_BODY);
        return true;
    }
    if (v->ans_focus == 0 && !ev->keycode && ev->ch > ' ' && ev->ch != 127
        && ev->cmd != CMD_UP && ev->cmd != CMD_DOWN) {
        v->ans_focus = 1;     /* typing goes to the answer */
        edit_end(&v->answer.ed);
    }
    if (v->ans_focus == 0) {
        if (is_space(ev) || ev->cmd == CMD_ENTER) {
            at = answer_selected(v);
            if (at >= 0) {
                v->sugg[at].chosen = !v->sugg[at].chosen;
                intake_net_article(v, (size_t)at);
                intake_view_prefill(v);
            }
        } else if (ev->keycode && (ev->ch == KEY_UP || ev->ch == KEY_DOWN || ev->ch == KEY_PPAGE
                                   || ev->ch == KEY_NPAGE || ev->ch == KEY_HOME
                                   || ev->ch == KEY_END)) {
            list_cmd(&v->ans_list, ev->cmd);
        } else if (ev->cmd == CMD_UP || ev->cmd == CMD_DOWN) {
            list_cmd(&v->ans_list, ev->cmd);
        } else {
            return !ev->keycode || ev->cmd != CMD_NONE;
        }
        app_mark_dirty(v->app, APP_DIRTY_BODY);
        return true;
    }
    switch (textarea_key(&v->answer, ev, v->answer_width > 0 ? v->answer_width : 40)) {
    case EDIT_CHANGED:
        v->answer_edited = true;
        /* fall through */
    case EDIT_MOVED:
    case EDIT_REFUSED:
        app_mark_dirty(v->app, APP_DIRTY_BODY);
        return true;
    default:
        if (ev->keycode && ev->ch == KEY_UP && v->ans_list.count > 0) {
            v->ans_focus = 0;
            app_mark_dirty(v->app, APP_DIRTY_BODY);
        }
        return !ev->keycode || ev->cmd != CMD_NONE;
    }
}

/* Digits pick a choice: the nature 1-9, the level 1-3, urgency 1-3, channel 1-7, title 0-2. */
static bool
choice_digit(struct intake_view *v, const struct key_event *ev)
{
    int d;

    if (ev->keycode || ev->ch < '0' || ev->ch > '9')
        return false;
    d = (int)(ev->ch - '0');
    switch (v->focus) {
    case INTAKE_F_NATURE:
        if (d >= 1 && d <= NATURE_COUNT)
            maybe_offer_confidential(v, intake_form_set_nature(&v->form, (enum nature)(d - 1)));
        break;
    case INTAKE_F_LEVEL:
        if (d <= 3)
            v->form.complaint_level = d;
        break;
    case INTAKE_F_URGENCY:
        if (d >= 1 && d <= URGENCY_COUNT)
            v->form.urgency = (enum urgency)(d - 1);
        break;
    case INTAKE_F_CHANNEL:
        if (d >= 1 && d <= CHANNEL_COUNT)
            v->form.channel = (enum channel)(d - 1);
        break;
    case INTAKE_F_SALUTATION:
        if (d < SALUTATION_COUNT)
            v->form.salutation = (enum salutation)d;
        break;
    default:
        return false;
    }
    intake_view_changed(v, v->focus);
    return true;
}

/* A key for the focused field; false when the field does not use it. */
static bool
field_key(struct intake_view *v, const struct key_event *ev)
{
    enum intake_field f = v->focus;
    enum edit_result r;

    switch (intake_field_kind(f)) {
    case INTAKE_KIND_AREA:
        r = textarea_key(&v->desc, ev, v->desc_width > 0 ? v->desc_width : 30);
        if (r == EDIT_CHANGED) {
            intake_form_set_text(&v->form, f, edit_text(&v->desc.ed));
            intake_view_changed(v, f);
        }
        if (r != EDIT_UNHANDLED)
            app_mark_dirty(v->app, APP_DIRTY_BODY);
        return r != EDIT_UNHANDLED;
    case INTAKE_KIND_TEXT:
        if (f == INTAKE_F_DUE) {
            r = datetime_field_key(&v->due, ev);
            if (r == EDIT_CHANGED) {
                intake_form_set_text(&v->form, f, edit_text(&v->due.ed));
                intake_view_changed(v, f);
            }
        } else {
            r = edit_key(&v->in[f].ed, ev->ch, ev->keycode, 0);
            if (r == EDIT_CHANGED) {
                intake_form_set_text(&v->form, f, edit_text(&v->in[f].ed));
                intake_view_changed(v, f);
            }
        }
        if (r != EDIT_UNHANDLED)
            app_mark_dirty(v->app, APP_DIRTY_BODY);
        return r != EDIT_UNHANDLED;
    case INTAKE_KIND_CHOICE:
        if (ev->cmd == CMD_LEFT || ev->cmd == CMD_RIGHT || is_space(ev)) {
            bool due = intake_form_cycle(&v->form, f, ev->cmd == CMD_LEFT ? -1 : 1);

            intake_view_changed(v, f);
            maybe_offer_confidential(v, due);
            return true;
        }
        return choice_digit(v, ev);
    case INTAKE_KIND_PICKER:
        if (ev->cmd == CMD_ENTER || is_space(ev))
            return open_category(v, NULL);
        if (!ev->keycode && ev->ch >= 32 && ev->ch != 127)
            return open_category(v, ev);
        if (ev->keycode && (ev->ch == KEY_BACKSPACE || ev->ch == KEY_DC)) {
            intake_form_set_category(&v->form, NULL, NULL);
            intake_view_changed(v, f);
            return true;
        }
        return false;
    case INTAKE_KIND_CHECK:
        if (ev->cmd == CMD_ENTER || is_space(ev)) {
            v->form.confidential = !v->form.confidential;
            v->form.confidential_asked = true;
            intake_view_changed(v, f);
            return true;
        }
        return false;
    }
    return false;
}

/* Move the focus by dir fields. */
static void
move_focus(struct intake_view *v, int dir)
{
    v->focus = intake_field_step(&v->form, v->focus, dir);
    app_mark_dirty(v->app, APP_DIRTY_BODY);
}

/* A key while the form is shown. */
static bool
form_key(struct intake_view *v, const struct key_event *ev)
{
    switch (v->modal) {
    case INTAKE_MODAL_CATEGORY:
        return category_key(v, ev);
    case INTAKE_MODAL_ANSWER:
        return answer_key(v, ev);
    case INTAKE_MODAL_DISPATCH:
        return dispatch_key(v, ev);
    default:
        break;
    }
    if (is_fkey(ev, 9)) {
        open_answer(v);
        return true;
    }
    if (is_fkey(ev, 12)) {
        open_dispatch(v);
        return true;
    }
    if (ev->cmd == CMD_CANCEL) {
        if (intake_form_touched(&v->form))
            app_confirm(v->app, _("Discard"),
                        _("Discard this call's form? What was typed is lost."),
                        discard_answered, v);
        else
            intake_view_end_call(v);
        return true;
    }
    if (!intake_field_visible(&v->form, v->focus))
        v->focus = intake_field_step(&v->form, v->focus, 1);
    if (field_key(v, ev))
        return true;
    switch (ev->cmd) {
    case CMD_FIELD_NEXT:
    case CMD_ENTER:
        move_focus(v, 1);
        return true;
    case CMD_FIELD_PREV:
        move_focus(v, -1);
        return true;
    case CMD_DOWN:
    case CMD_UP:
        if (ev->keycode || intake_field_kind(v->focus) != INTAKE_KIND_TEXT) {
            move_focus(v, ev->cmd == CMD_DOWN ? 1 : -1);
            return true;
        }
        return false;
    default:
        /* Printable keys the field refused stay here (no tab switch while typing). */
        return !ev->keycode && ev->ch >= 32 && intake_field_kind(v->focus) != INTAKE_KIND_CHOICE
               && intake_field_kind(v->focus) != INTAKE_KIND_CHECK;
    }
}

/* Handle a key. */
static bool
intake_key(struct app *app, void *priv, const struct key_event *ev)
{
    struct intake_view *v = priv;

    if (is_fkey(ev, 2) || (ev->cmd == CMD_NEW_CALL && v->modal == INTAKE_MODAL_NONE)) {
        if (app_api(app) == NULL)
            return false;    /* no server configured: the app says why there is no form */
        request_call(v, NULL);
        return true;
    }
    if (is_fkey(ev, 4) || ev->cmd == CMD_HOLD) {
        if (v->stage == INTAKE_IDLE)
            return false;
        toggle_hold(v);
        return true;
    }
    if (is_fkey(ev, 3)) {
        v->phrases = !v->phrases;
        app_mark_dirty(v->app, APP_DIRTY_BODY);
        return true;
    }
    switch (v->stage) {
    case INTAKE_FORM:
        return form_key(v, ev);
    case INTAKE_SENDING:
        return ev->cmd == CMD_CANCEL || is_fkey(ev, 9) || is_fkey(ev, 12);
    case INTAKE_DONE:
        if (ev->cmd == CMD_ENTER || ev->cmd == CMD_CANCEL) {
            intake_view_end_call(v);
            return true;
        }
        return false;
    case INTAKE_IDLE:
    default:
        if (ev->cmd == CMD_ENTER && app_api(app) != NULL) {
            request_call(v, NULL);
            return true;
        }
        return false;
    }
}

/* ---- life cycle ---- */

/* Set up the form and its widgets; restore a draft left by a crash or a disconnect. */
static void
intake_open(struct app *app, void *priv)
{
    struct intake_view *v = priv;
    hl_time saved = 0;
    struct err e;

    v->app = app;
    v->bell = true;
    v->lead = -1;
    intake_form_init(&v->form);
    for (size_t i = 0; i < INTAKE_F_COUNT; i++)
        input_init(&v->in[i], intake_field_max((enum intake_field)i), 0);
    datetime_field_init(&v->due);
    textarea_init(&v->desc, INTAKE_MAX_TEXT);
    textarea_init(&v->answer, INTAKE_MAX_TEXT);
    v->focus = INTAKE_F_PHONE;
    err_clear(&e);
    v->draft_path = intake_draft_path(&e);
    if (v->draft_path == NULL)
        return;
    if (intake_draft_load(v->draft_path, &v->form, &saved, &e) == HL_OK
        && intake_form_touched(&v->form)) {
        char when[32];

        app_format_time(app, saved, true, when, sizeof when);
        if (v->form.call_started == 0)
            v->form.call_started = saved;
        v->stage = INTAKE_FORM;
        intake_view_load_widgets(v);
        start_tick(v);
        intake_net_history(v, true);
        app_message(app, APP_MSG_WARN,
                    _("Restored the form of an unfinished call (saved %s); Esc discards it."),
                    when);
    } else if (e.code != HL_OK && e.code != HL_ENOENT) {
        LOG_WARN(&app->log, "%s", e.msg);
        intake_form_clear(&v->form);
    }
}

/* Free everything; keep the draft of a call in progress. */
static void
intake_close(struct app *app, void *priv)
{
    struct intake_view *v = priv;

    (void)app;
    if (v->stage == INTAKE_FORM || v->stage == INTAKE_SENDING)
        save_draft(v);
    intake_net_cancel_all(v);
    if (v->app->loop != NULL) {
        loop_cancel(v->app->loop, v->tick_timer);
        loop_cancel(v->app->loop, v->hold_timer);
        loop_cancel(v->app->loop, v->draft_timer);
        loop_cancel(v->app->loop, v->kb_timer);
    }
    if (v->modal != INTAKE_MODAL_NONE)
        close_modal(v);
    for (size_t i = 0; i < v->nhist; i++)
        ticket_fini(&v->hist[i]);
    free(v->hist);
    free(v->hist_error);
    for (size_t i = 0; i < v->nsugg; i++)
        article_fini(&v->sugg[i].a);
    free(v->sugg);
    intake_net_send_fini(v);
    for (size_t i = 0; i < INTAKE_F_COUNT; i++)
        input_fini(&v->in[i]);
    datetime_field_fini(&v->due);
    textarea_fini(&v->desc);
    textarea_fini(&v->answer);
    intake_form_fini(&v->form);
    free(v->problem);
    free(v->draft_path);
}

/* Draw the tab. */
static void
intake_draw(struct app *app, void *priv, WINDOW *w, const struct rect *r)
{
    (void)app;
    intake_draw_view(priv, w, r);
}

/* React to the app's events: the screen pop, the reference data, the connection. */
static void
intake_on_event(struct app *app, void *priv, const struct app_event *ev)
{
    struct intake_view *v = priv;

    switch (ev->kind) {
    case APP_EV_CALL_ANSWER:
        app_message(app, APP_MSG_INFO, _("Call answered from %s."),
                    ev->id != NULL ? ev->id : _("an unknown number"));
        request_call(v, ev->id);
        break;
    case APP_EV_META:
        if (v->modal == INTAKE_MODAL_CATEGORY || v->modal == INTAKE_MODAL_DISPATCH)
            close_modal(v);    /* its items borrowed the old reference data */
        break;
    case APP_EV_SESSION:
    case APP_EV_CONN:
        if (v->stage == INTAKE_FORM && app_online(app)) {
            if (v->notice_call == 0)
                intake_net_notices(v);
            if (!v->hist_server && v->hist_call == 0)
                intake_net_history(v, true);
        }
        break;
    case APP_EV_OUTBOX: {
        const struct api_event *oe = ev->data;

        if (v->stage == INTAKE_DONE && v->result.provisional && oe != NULL
            && oe->local_id != NULL && oe->ticket_id != NULL
            && strcmp(oe->local_id, v->result.id) == 0) {
            str_copy(v->result.id, sizeof v->result.id, oe->ticket_id);
            v->result.provisional = false;
            free(v->result.message);
            v->result.message = xasprintf(_("Sent from the outbox: the number is now %s."),
                                          oe->ticket_id);
            free(v->result.phrase);
            v->result.phrase = NULL;
            app_mark_dirty(app, APP_DIRTY_BODY);
        }
        break;
    }
    default:
        break;
    }
}

/* True while a call's form holds input. */
static bool
intake_unsaved(struct app *app, void *priv)
{
    struct intake_view *v = priv;

    (void)app;
    return (v->stage == INTAKE_FORM && intake_form_touched(&v->form))
        || v->stage == INTAKE_SENDING;
}

void
intake_start_call(struct app *app, const char *phone)
{
    struct intake_view *v = app->views[0].priv;

    if (v != NULL && app->views[0].ops == &intake_view_ops)
        request_call(v, phone);
}

const struct view_ops intake_view_ops = {
    .name = N_("Intake"),
    .title = N_("Intake: a new call"),
    .about = N_("Take a call: the caller's phone number first, then their history, the nature "
                "and category of the matter, and its description with knowledge-base "
                "suggestions. Answer directly or create a work order."),
    .priv_size = sizeof(struct intake_view),
    .open = intake_open,
    .close = intake_close,
    .draw = intake_draw,
    .key = intake_key,
    .on_event = intake_on_event,
    .unsaved = intake_unsaved,
    .keys = &intake_keys,
};
