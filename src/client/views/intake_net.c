/* intake_net: the intake tab and the server: the caller's history, knowledge-base
 * suggestions and notices, and sending an ending (create, then resolve_direct or dispatch;
 * the outbox when the server is away). */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cache.h"
#include "hotline/phone.h"
#include "hotline/util.h"
#include "i18n.h"
#include "views/intake_phrases.h"
#include "views/intake_view.h"

/* ---- history ---- */

/* Replace the history with items (taken over). */
static void
set_history(struct intake_view *v, struct ticket *items, size_t n, bool server)
{
    for (size_t i = 0; i < v->nhist; i++)
        ticket_fini(&v->hist[i]);
    free(v->hist);
    v->hist = items;
    v->nhist = n;
    v->hist_server = server;
}

void
intake_net_history_clear(struct intake_view *v)
{
    struct api *api = app_api(v->app);

    if (v->hist_call != 0 && api != NULL)
        api_cancel(api, v->hist_call);
    v->hist_call = 0;
    set_history(v, NULL, 0, false);
    v->hist_key[0] = '\0';
    free(v->hist_error);
    v->hist_error = NULL;
}

/* The server's history arrived. */
static void
history_done(struct api_result *r, void *arg)
{
    struct intake_view *v = arg;

    if (r->cancelled || r->id != v->hist_call)
        return;
    v->hist_call = 0;
    free(v->hist_error);
    v->hist_error = NULL;
    if (r->code == HL_OK) {
        set_history(v, r->page.items, r->page.n, true);
        r->page.items = NULL;
        r->page.n = 0;
    } else if (!r->offline) {
        v->hist_error = xstrdup(r->err.msg);
    }
    app_mark_dirty(v->app, APP_DIRTY_BODY);
}

void
intake_net_history(struct intake_view *v, bool force)
{
    struct phone p;
    struct cache *cache = app_cache(v->app);
    struct api *api = app_api(v->app);
    struct cache_tickets list = {NULL, 0};
    struct err e;

    if (!intake_form_phone(&v->form, &p)) {
        if (v->hist_key[0] != '\0')
            intake_net_history_clear(v);
        return;
    }
    if (!force && strcmp(p.number, v->hist_key) == 0)
        return;
    intake_net_history_clear(v);
    str_copy(v->hist_key, sizeof v->hist_key, p.number);
    err_clear(&e);
    /* The cache at once ... */
    if (cache != NULL && cache_caller_tickets(cache, p.number, INTAKE_HISTORY_MAX, &list, &e)
        == HL_OK) {
        set_history(v, list.v, list.n, false);
        list.v = NULL;
        list.n = 0;
    }
    cache_tickets_fini(&list);
    /* ... then the server. */
    if (api != NULL && app_online(v->app))
        v->hist_call = api_caller_tickets(api, p.number, INTAKE_HISTORY_MAX, NULL, history_done,
                                          v, &e);
    app_mark_dirty(v->app, APP_DIRTY_BODY);
}

/* ---- suggestions ---- */

/* Drop entry i of the pool. */
static void
drop_suggest(struct intake_view *v, size_t i)
{
    struct api *api = app_api(v->app);

    if (v->sugg[i].body_call != 0 && api != NULL)
        api_cancel(api, v->sugg[i].body_call);
    article_fini(&v->sugg[i].a);
    memmove(&v->sugg[i], &v->sugg[i + 1], (v->nsugg - i - 1) * sizeof *v->sugg);
    v->nsugg--;
}

/* Cancel the searches of the round under way. */
static void
cancel_round(struct intake_view *v)
{
    struct api *api = app_api(v->app);

    for (size_t i = 0; i < INTAKE_KB_CALLS; i++) {
        if (v->kb_calls[i] != 0 && api != NULL)
            api_cancel(api, v->kb_calls[i]);
        v->kb_calls[i] = 0;
    }
}

bool
intake_net_suggest_busy(const struct intake_view *v)
{
    for (size_t i = 0; i < INTAKE_KB_CALLS; i++) {
        if (v->kb_calls[i] != 0)
            return true;
    }
    return false;
}

void
intake_net_suggest_clear(struct intake_view *v)
{
    v->kb_again = false;
    cancel_round(v);
    while (v->nsugg > 0)
        drop_suggest(v, v->nsugg - 1);
    free(v->sugg);
    v->sugg = NULL;
}

/* The pool entry of article id, or -1. */
static long
find_suggest(const struct intake_view *v, const char *id)
{
    for (size_t i = 0; i < v->nsugg; i++) {
        if (v->sugg[i].a.id != NULL && id != NULL && strcmp(v->sugg[i].a.id, id) == 0)
            return (long)i;
    }
    return -1;
}

/* Add article a (taken over) to the pool; counts a hit when it is there already. */
static void
add_suggest(struct intake_view *v, struct article *a, bool notice)
{
    long at = find_suggest(v, a->id);

    if (at >= 0) {
        if (!notice)
            v->sugg[at].hits++;
        v->sugg[at].notice = v->sugg[at].notice || notice;
        if (v->sugg[at].a.body == NULL && a->body != NULL) {
            v->sugg[at].a.body = a->body;
            a->body = NULL;
        }
        article_fini(a);
        return;
    }
    if (v->nsugg >= INTAKE_SUGGEST_MAX * 2) {
        article_fini(a);
        return;
    }
    v->sugg = xrealloc(v->sugg, (v->nsugg + 1) * sizeof *v->sugg);
    memset(&v->sugg[v->nsugg], 0, sizeof *v->sugg);
    v->sugg[v->nsugg].a = *a;
    memset(a, 0, sizeof *a);
    v->sugg[v->nsugg].hits = notice ? 0 : 1;
    v->sugg[v->nsugg].notice = notice;
    v->nsugg++;
}

/* Put a search's answer into the pool. */
static void
take_suggest(struct intake_view *v, struct api_result *r)
{
    if (v->kb_pool_round != v->kb_round) {
        /* The first answer of a new round replaces the old results (chosen ones and the
         * notices stay). */
        for (size_t i = v->nsugg; i > 0; i--) {
            if (!v->sugg[i - 1].chosen && !v->sugg[i - 1].notice)
                drop_suggest(v, i - 1);
            else
                v->sugg[i - 1].hits = 0;
        }
        v->kb_pool_round = v->kb_round;
    }
    for (size_t i = 0; i < r->kb.n; i++)
        add_suggest(v, &r->kb.items[i], false);
    app_mark_dirty(v->app, APP_DIRTY_BODY);
}

/* A search of a round answered. */
static void
suggest_done(struct api_result *r, void *arg)
{
    struct intake_view *v = arg;
    size_t slot = INTAKE_KB_CALLS;

    if (r->cancelled)
        return;
    for (size_t i = 0; i < INTAKE_KB_CALLS; i++) {
        if (v->kb_calls[i] == r->id)
            slot = i;
    }
    if (slot == INTAKE_KB_CALLS)
        return;
    v->kb_calls[slot] = 0;
    if (r->code == HL_OK)
        take_suggest(v, r);
    /* The text changed meanwhile: the next round, now that this one has answered. */
    if (v->kb_again && !intake_net_suggest_busy(v)) {
        v->kb_again = false;
        intake_net_suggest(v);
    }
}

void
intake_net_suggest(struct intake_view *v)
{
    char terms[INTAKE_MAX_TERMS][INTAKE_TERM_MAX];
    struct api *api = app_api(v->app);
    size_t n;
    size_t k = 0;
    struct err e;

    cancel_round(v);
    v->kb_again = false;
    if (api == NULL || !app_online(v->app))
        return;
    v->kb_round++;
    v->kb_round_ms = loop_now_ms();
    n = intake_kb_terms(intake_form_text(&v->form, INTAKE_F_TITLE),
                        intake_form_text(&v->form, INTAKE_F_DESCRIPTION), terms,
                        INTAKE_MAX_TERMS);
    err_clear(&e);
    for (size_t i = 0; i < n; i++) {
        struct api_kb_query q = {0};

        q.q = terms[i];
        q.limit = INTAKE_KB_LIMIT;
        v->kb_calls[k++] = api_kb_search(api, &q, suggest_done, v, &e);
    }
    if (v->form.category[0] != '\0') {
        struct api_kb_query q = {0};

        q.category = v->form.category;
        q.limit = INTAKE_KB_LIMIT;
        v->kb_calls[k++] = api_kb_search(api, &q, suggest_done, v, &e);
    }
}

/* The current notices arrived. */
static void
notices_done(struct api_result *r, void *arg)
{
    struct intake_view *v = arg;

    if (r->cancelled || r->id != v->notice_call)
        return;
    v->notice_call = 0;
    if (r->code != HL_OK)
        return;
    /* Notices no longer current go unless chosen. */
    for (size_t i = v->nsugg; i > 0; i--) {
        if (v->sugg[i - 1].notice && !v->sugg[i - 1].chosen)
            drop_suggest(v, i - 1);
    }
    for (size_t i = 0; i < r->kb.n; i++)
        add_suggest(v, &r->kb.items[i], true);
    app_mark_dirty(v->app, APP_DIRTY_BODY);
}

void
intake_net_notices(struct intake_view *v)
{
    struct api *api = app_api(v->app);
    struct api_kb_query q = {0};
    struct err e;

    if (api == NULL || !app_online(v->app))
        return;
    if (v->notice_call != 0)
        api_cancel(api, v->notice_call);
    q.kind = "notice";
    q.limit = INTAKE_SUGGEST_MAX;
    err_clear(&e);
    v->notice_call = api_kb_search(api, &q, notices_done, v, &e);
}

/* An article's body arrived. */
static void
article_done(struct api_result *r, void *arg)
{
    struct intake_view *v = arg;
    long at = -1;

    if (r->cancelled)
        return;
    for (size_t i = 0; i < v->nsugg; i++) {
        if (v->sugg[i].body_call == r->id)
            at = (long)i;
    }
    if (at < 0)
        return;
    v->sugg[at].body_call = 0;
    if (r->code == HL_OK && r->article != NULL && r->article->body != NULL) {
        free(v->sugg[at].a.body);
        v->sugg[at].a.body = r->article->body;
        r->article->body = NULL;
        intake_view_prefill(v);
    }
    app_mark_dirty(v->app, APP_DIRTY_BODY);
}

void
intake_net_article(struct intake_view *v, size_t i)
{
    struct api *api = app_api(v->app);
    struct cache *cache = app_cache(v->app);
    struct article *cached = NULL;
    struct err e;

    if (i >= v->nsugg || v->sugg[i].a.body != NULL || v->sugg[i].body_call != 0)
        return;
    err_clear(&e);
    if (cache != NULL && cache_get_article(cache, v->sugg[i].a.id, &cached, &e) == HL_OK
        && cached->body != NULL) {
        v->sugg[i].a.body = cached->body;
        cached->body = NULL;
        article_free(&cached);
        return;
    }
    article_free(&cached);
    if (api != NULL && app_online(v->app))
        v->sugg[i].body_call = api_kb_get(api, v->sugg[i].a.id, article_done, v, &e);
}

size_t
intake_net_order(const struct intake_view *v, size_t *order)
{
    const char *addr = intake_form_text(&v->form, INTAKE_F_ADDRESS);
    const char *loc = intake_form_text(&v->form, INTAKE_F_LOCATION);
    size_t n = 0;
    size_t first;

    /* Notices for the caller's area first, in the order they came. */
    for (size_t i = 0; i < v->nsugg; i++) {
        if (intake_notice_matches(&v->sugg[i].a, addr, loc))
            order[n++] = i;
    }
    /* Then the rest by the searches that found them (stable); notices for other areas only
     * when chosen. */
    first = n;
    for (size_t i = 0; i < v->nsugg; i++) {
        const struct intake_suggest *s = &v->sugg[i];
        size_t k;

        if (intake_notice_matches(&s->a, addr, loc) || (s->notice && !s->chosen))
            continue;
        for (k = n; k > first && v->sugg[order[k - 1]].hits < s->hits; k--)
            order[k] = order[k - 1];
        order[k] = i;
        n++;
    }
    return n;
}

/* ---- sending an ending ---- */

void
intake_net_send_fini(struct intake_view *v)
{
    codec_action_fini(&v->send.body);
    free(v->send.ticket_id);
    v->send.ticket_id = NULL;
    v->send.call = 0;
    free(v->result.unit);
    free(v->result.message);
    free(v->result.phrase);
    memset(&v->result, 0, sizeof v->result);
}

/* The lead unit's code in the dispatch body, or NULL. */
static const char *
lead_unit(const struct action_body *b)
{
    for (size_t i = 0; i < b->n_units; i++) {
        if (b->units[i].role == ROLE_LEAD)
            return b->units[i].unit;
    }
    return NULL;
}

/* The phrase to say for the outcome. */
static void
result_phrase(struct intake_view *v)
{
    struct intake_phrase_ctx c = {0};
    const struct api_meta *m = app_meta(v->app);

    c.profile = m != NULL ? m->profile : NULL;
    c.channel = v->form.channel;
    c.surname = intake_form_text(&v->form, INTAKE_F_NAME);
    c.salutation = v->form.salutation;
    c.ticket_id = v->result.id;
    c.unit = v->result.unit;
    free(v->result.phrase);
    v->result.phrase = intake_phrase_text(v->result.order ? INTAKE_PHRASE_TRANSFER
                                                          : INTAKE_PHRASE_ANSWERED, &c);
}

/* Fill the result from the send state. */
static void
result_begin(struct intake_view *v, const char *id, bool provisional)
{
    const char *lead = lead_unit(&v->send.body);

    free(v->result.unit);
    free(v->result.message);
    v->result.order = v->send.order;
    v->result.provisional = provisional;
    str_copy(v->result.id, sizeof v->result.id, id);
    v->result.unit = lead != NULL ? xstrdup(app_unit_name(v->app, lead)) : NULL;
    v->result.message = NULL;
    result_phrase(v);
}

/* The matter of the form as a new ticket; NULL with a message when it cannot be made. */
static struct ticket *
form_ticket(struct intake_view *v)
{
    struct ticket *t = ticket_new();
    struct err e;

    err_clear(&e);
    if (intake_form_to_ticket(&v->form, app_tz(v->app), t, &e) != HL_OK) {
        app_message(v->app, APP_MSG_ERROR, "%s", e.msg);
        ticket_free(&t);
    }
    return t;
}

/* Queue the create and the action in the outbox (the server is away). The create keeps the
 * idempotency key of an online attempt (if one was made): when that attempt reached the
 * server and only its answer was lost, the replay gets the same ticket, not a second one. */
static void
send_queued(struct intake_view *v)
{
    struct api *api = app_api(v->app);
    struct ticket *t = form_ticket(v);
    const char *key;
    char local[64];
    struct err e;

    if (t == NULL) {
        v->stage = INTAKE_FORM;
        return;
    }
    err_clear(&e);
    local[0] = '\0';
    key = v->send.idem_key[0] != '\0' ? v->send.idem_key : NULL;
    if (api == NULL || api_queue_create(api, t, key, local, sizeof local, NULL, &e) != HL_OK) {
        app_message(v->app, APP_MSG_ERROR,
                    _("The server is unreachable and the ticket cannot be queued (%s): the form "
                      "stays as a draft."), api == NULL ? _("no server configured") : e.msg);
        ticket_free(&t);
        v->stage = INTAKE_FORM;
        return;
    }
    ticket_free(&t);
    result_begin(v, local, true);
    if (api_queue_action(api, local, -1, &v->send.body, NULL, &e) != HL_OK)
        v->result.message = xasprintf(_("The ticket is queued as %s, but its %s could not be "
                                        "queued: %s. Finish it in the Tickets tab once it is "
                                        "sent."), local,
                                      v->send.order ? _("dispatch") : _("direct answer"),
                                      e.msg);
    else if (v->send.order)
        v->result.message = xasprintf(_("The server is unreachable: the work order waits in the "
                                        "outbox as %s and is sent (then dispatched) as soon as "
                                        "the connection returns. Its real number replaces %s "
                                        "here; give the caller the number by callback or SMS "
                                        "if the call ends first."), local, local);
    else
        v->result.message = xasprintf(_("The server is unreachable: the answer waits in the "
                                        "outbox as %s and is recorded as soon as the connection "
                                        "returns."), local);
    if (v->send.order && v->due_known)
        v->result.due = v->due_est.due;
    app_outbox_changed(v->app);
    intake_view_show_result(v);
}

/* The events of a call being recorded, sent one after the other (the view may start
 * another call meanwhile: this owns its copies). */
struct call_rec {
    struct api *api;
    struct call_event ev[3];          /* new_call, answer, hangup */
    int next;
};

/* Free a call record. */
static void
call_rec_free(struct call_rec *cr)
{
    for (int i = 0; i < 3; i++)
        call_event_fini(&cr->ev[i]);
    free(cr);
}

/* An event of the call answered: send the next, or stop (a failure is not the agent's
 * business: the call is only missing from the phone statistics). */
static void
call_rec_done(struct api_result *r, void *arg)
{
    struct call_rec *cr = arg;
    struct err e;

    if (r->cancelled || r->code != HL_OK || cr->next >= 3) {
        call_rec_free(cr);
        return;
    }
    err_clear(&e);
    if (api_call_event(cr->api, &cr->ev[cr->next++], call_rec_done, cr, &e) == 0)
        call_rec_free(cr);
}

/* Record the call at its ending (DESIGN §6): new_call and answer at the call's start,
 * hangup now, under the call id made at F2, naming the signed-in agent. Online only: an
 * offline ending skips it quietly; once per call. */
static void
record_call(struct intake_view *v)
{
    const struct app_session *s = app_session(v->app);
    struct api *api = app_api(v->app);
    const char *phone = intake_form_text(&v->form, INTAKE_F_PHONE);
    hl_time started = v->form.call_started, now = app_now(v->app);
    struct call_rec *cr;
    struct err e;

    if (v->call_recorded || api == NULL || !app_online(v->app) || s == NULL ||
        str_empty(s->user_id) || (s->role != USER_AGENT && s->role != USER_ADMIN))
        return;
    err_clear(&e);
    if (v->call_id[0] == '\0' && outbox_make_key(v->call_id, &e) != HL_OK)
        return;
    if (started <= 0 || started > now)
        started = now;
    cr = xcalloc(1, sizeof *cr);
    cr->api = api;
    for (int i = 0; i < 3; i++) {
        cr->ev[i].call_id = xstrdup(v->call_id);
        cr->ev[i].type = i == 0 ? CALL_NEW : i == 1 ? CALL_ANSWER : CALL_HANGUP;
        cr->ev[i].caller = str_empty(phone) || i == 2 ? NULL : xstrdup(phone);
        cr->ev[i].agent = xstrdup(s->user_id);
        cr->ev[i].at = i == 2 ? now : started;
    }
    v->call_recorded = true;
    cr->next = 1;
    if (api_call_event(api, &cr->ev[0], call_rec_done, cr, &e) == 0)
        call_rec_free(cr);
}

/* The action after the create answered. */
static void
action_done(struct api_result *r, void *arg)
{
    struct intake_view *v = arg;
    const char *what = v->send.order ? _("dispatch") : _("direct answer");
    struct api *api = app_api(v->app);
    struct err e;

    if (r->cancelled || r->id != v->send.call)
        return;
    v->send.call = 0;
    result_begin(v, v->send.ticket_id, false);
    if (r->code == HL_OK && r->ticket != NULL) {
        v->result.due = r->ticket->due_at;
        app_ticket_changed(v->app, r->ticket);
        if (v->send.order)
            v->result.message = xasprintf(_("Work order %s created and dispatched."),
                                          v->send.ticket_id);
        else
            v->result.message = xasprintf(_("Ticket %s answered directly and closed."),
                                          v->send.ticket_id);
    } else if (r->offline && api != NULL) {
        err_clear(&e);
        if (api_queue_action(api, v->send.ticket_id, v->send.version, &v->send.body, NULL, &e)
            == HL_OK) {
            v->result.message = xasprintf(_("Ticket %s is created; the connection dropped before "
                                            "its %s: that waits in the outbox and is sent when "
                                            "the server answers again."), v->send.ticket_id,
                                          what);
            app_outbox_changed(v->app);
        } else {
            v->result.action_failed = true;
            v->result.message = xasprintf(_("Ticket %s is created, but its %s failed: %s. Finish "
                                            "it in the Tickets tab."), v->send.ticket_id, what,
                                          e.msg);
        }
    } else {
        v->result.action_failed = true;
        v->result.message = xasprintf(_("Ticket %s is created, but the server refused its %s: "
                                        "%s. Finish it in the Tickets tab."), v->send.ticket_id,
                                      what, r->err.msg);
    }
    intake_view_show_result(v);
}

/* The create answered: go on with the action. */
static void
create_done(struct api_result *r, void *arg)
{
    struct intake_view *v = arg;
    struct api *api = app_api(v->app);
    struct err e;

    if (r->cancelled || r->id != v->send.call)
        return;
    v->send.call = 0;
    if (r->offline) {
        send_queued(v);
        return;
    }
    if (r->code != HL_OK || r->ticket == NULL || r->ticket->id == NULL) {
        app_message(v->app, APP_MSG_ERROR, _("The server refused the ticket: %s"), r->err.msg);
        v->stage = INTAKE_FORM;
        app_mark_dirty(v->app, APP_DIRTY_BODY);
        return;
    }
    free(v->send.ticket_id);
    v->send.ticket_id = xstrdup(r->ticket->id);
    v->send.version = r->ticket->version;
    app_ticket_changed(v->app, r->ticket);
    record_call(v);
    err_clear(&e);
    v->send.call = api != NULL ? api_ticket_action(api, v->send.ticket_id, v->send.version,
                                                   &v->send.body, action_done, v, &e) : 0;
    if (v->send.call == 0) {
        result_begin(v, v->send.ticket_id, false);
        v->result.action_failed = true;
        v->result.message = xasprintf(_("Ticket %s is created, but its %s could not start: %s. "
                                        "Finish it in the Tickets tab."), v->send.ticket_id,
                                      v->send.order ? _("dispatch") : _("direct answer"), e.msg);
        intake_view_show_result(v);
    }
}

void
intake_net_send(struct intake_view *v)
{
    struct api *api = app_api(v->app);
    struct ticket *t;
    struct err e;

    v->stage = INTAKE_SENDING;
    app_mark_dirty(v->app, APP_DIRTY_BODY);
    if (api == NULL || !app_online(v->app)) {
        send_queued(v);
        return;
    }
    t = form_ticket(v);
    if (t == NULL) {
        v->stage = INTAKE_FORM;
        return;
    }
    err_clear(&e);
    if (v->send.idem_key[0] == '\0' && outbox_make_key(v->send.idem_key, &e) != HL_OK)
        v->send.idem_key[0] = '\0';
    v->send.call = api_ticket_create(api, t, v->send.idem_key[0] != '\0' ? v->send.idem_key
                                                                        : NULL,
                                     create_done, v, &e);
    ticket_free(&t);
    if (v->send.call == 0) {
        app_message(v->app, APP_MSG_ERROR, _("The ticket cannot be sent: %s"), e.msg);
        v->stage = INTAKE_FORM;
    }
}

void
intake_net_cancel_all(struct intake_view *v)
{
    struct api *api = app_api(v->app);

    cancel_round(v);
    if (api == NULL)
        return;
    if (v->hist_call != 0)
        api_cancel(api, v->hist_call);
    if (v->notice_call != 0)
        api_cancel(api, v->notice_call);
    if (v->send.call != 0)
        api_cancel(api, v->send.call);
    for (size_t i = 0; i < v->nsugg; i++) {
        if (v->sugg[i].body_call != 0)
            api_cancel(api, v->sugg[i].body_call);
    }
    v->hist_call = v->notice_call = v->send.call = 0;
}
