/* kb: tab 3 知识库, the knowledge base: search as you type with filters, emergency notices
 * pinned on top, a scrolling reader, and (supervisors) writing and publishing articles. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "app.h"
#include "cache.h"
#include "hotline/datetime.h"
#include "hotline/text.h"
#include "hotline/util.h"
#include "i18n.h"
#include "ui/draw.h"
#include "ui/input.h"
#include "ui/list.h"
#include "ui/picker.h"
#include "views/kb_api.h"
#include "views/kb_edit.h"
#include "views/kb_text.h"
#include "views/views.h"

/* Pause after a key before the search goes out, ms: none, the search starts in the same
 * turn of the loop, after every key already read. While a search is in flight the next
 * one waits for its answer (again), so fast typing costs one search at a time and no
 * connection is dropped by a cancel. */
#define DEBOUNCE_MS 0
/* A search in flight longer than this, ms, is cancelled for a newer query rather than
 * waited for (a stuck answer must not hold the results back until the call times out). */
#define SEARCH_STALE_MS 1000
/* Results asked for. */
#define SEARCH_LIMIT 50
/* Notices asked for (the pinned strip). */
#define NOTICES_LIMIT 20
/* Rows of the pinned strip at most. */
#define PINNED_ROWS 3
/* Articles remembered for searching while offline. */
#define KNOWN_MAX 500
/* Most spans of one snippet drawn. */
#define SPANS_MAX 32

/* What the tab shows. */
enum kb_mode {
    MODE_LIST,       /* search field, filters, pinned notices, results */
    MODE_READER,     /* one article */
    MODE_EDIT,       /* the article form (supervisors) */
    MODE_PICK,       /* the category picker of the filter */
};

/* The tab's state. */
struct kb_view {
    struct app *app;
    enum kb_mode mode;
    enum kb_mode back;            /* where Esc goes from the form */

    /* search */
    bool search_focus;
    struct input search;
    char *query;                  /* the query the results answer ("" for none) */
    char *pending;                /* the query of the call in flight */
    int kind;                     /* filters: -1 any */
    int scope;
    char *category;               /* a code or a prefix ending '.', NULL any */
    char *category_label;
    struct article *items;        /* the results, best first */
    size_t n;
    bool offline;                 /* the results came from the local cache */
    bool more;                    /* the server has more than these */
    bool searching;
    bool loaded;                  /* a search has run since the session began */
    char *error;
    struct list list;
    int pin_sel;                  /* the selected pinned notice, -1: the results */
    uint64_t search_call;
    bool again;                   /* the query changed while a search was in flight */
    int64_t search_ms;            /* when the search in flight started (loop_now_ms) */
    uint64_t timer;

    /* pinned notices */
    struct article *notices;
    size_t n_notices;
    uint64_t notices_call;

    /* reader */
    struct article reader;
    bool has_reader;
    bool reader_full;             /* the whole article (with its text) is here */
    bool reader_cached;           /* it came from the local cache */
    struct kb_lines lines;
    int lines_w;                  /* width the lines were laid out for, -1: stale */
    size_t top;
    int page;                     /* rows of text shown */
    uint64_t get_call;

    /* writing (supervisors) */
    struct kb_edit edit;
    uint64_t save_call;
    uint64_t publish_call;
    char *pub_id;
    int64_t pub_version;
    enum kb_status pub_to;

    /* category picker */
    struct picker picker;
    struct picker_item *pitems;
    bool *pparent;                /* pitems[i] has children */
    size_t npitems;

    /* what this console has seen, for searching offline (the reader's articles also sit in
     * the local cache with their text) */
    struct article *known;
    size_t n_known;
};

static void search_now(struct kb_view *kv);

/* The tab's keys (the search field takes every printable key while it has the cursor). */
static const struct key_binding kb_bindings[] = {
    {'\r', false, CMD_ENTER, NULL, N_("Read"), "Enter"},
    {'t', false, CMD_VIEW_1, N_("Filter by kind (each press: the next kind, then all)"),
     N_("Kind"), NULL},
    {'s', false, CMD_VIEW_2, N_("Filter by scope: national, local, all"), N_("Scope"), NULL},
    {'c', false, CMD_VIEW_3, N_("Filter by category (a picker)"), N_("Category"), NULL},
    {'r', false, CMD_VIEW_8, N_("Search again (refresh the results and notices)"), NULL, NULL},
    {'n', false, CMD_VIEW_4, N_("Write a new article (supervisors)"), NULL, NULL},
    {'e', false, CMD_VIEW_5, N_("Edit the article (supervisors)"), NULL, NULL},
    {'p', false, CMD_VIEW_6, N_("Move the article on: draft → review → published (supervisors)"),
     NULL, NULL},
    {'w', false, CMD_VIEW_7, N_("Send the article back to draft, or withdraw it (supervisors)"),
     NULL, NULL},
};

static const struct keymap kb_keys = {
    N_("Knowledge base"), kb_bindings, ARRAY_SIZE(kb_bindings),
};

/* ---- helpers ---- */

/* Free an array of embedded articles. */
static void
articles_free(struct article *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        article_fini(&v[i]);
    free(v);
}

/* True when the signed-in user writes articles (sees drafts). */
static bool
is_editor(const struct app *app)
{
    const struct app_session *s = app_session(app);

    return s->known && (s->role == USER_SUPERVISOR || s->role == USER_ADMIN);
}

/* Today in the centre's zone, as a day number. */
static int64_t
today(const struct app *app)
{
    struct civil_time c;

    tz_to_civil(app_tz(app), app_now(app), &c);
    return datetime_days_from_civil(c.year, c.month, c.day);
}

/* The search field's text without surrounding spaces, capped. Owned. */
static char *
query_of(const struct kb_view *kv)
{
    const char *s = input_text(&kv->search);
    size_t a = 0, b = strlen(s);
    char *q;
    size_t fit;

    while (a < b && s[a] == ' ')
        a++;
    while (b > a && s[b - 1] == ' ')
        b--;
    q = xstrndup(s + a, b - a);
    if (text_chars(q) > KB_TEXT_QUERY_MAX) {
        fit = 0;
        for (size_t i = 0; i < KB_TEXT_QUERY_MAX && q[fit] != '\0'; i++) {
            uint32_t cp;

            fit += text_utf8_decode(q + fit, strlen(q + fit), &cp);
        }
        q[fit] = '\0';
    }
    return q;
}

/* Remember an article (a copy) for offline search; a whole one replaces a summary. */
static void
remember(struct kb_view *kv, const struct article *a)
{
    size_t i;

    if (a->id == NULL)
        return;
    for (i = 0; i < kv->n_known; i++) {
        if (kv->known[i].id != NULL && strcmp(kv->known[i].id, a->id) == 0)
            break;
    }
    if (i < kv->n_known) {
        if (a->body == NULL && kv->known[i].body != NULL && a->version <= kv->known[i].version)
            return;
        article_fini(&kv->known[i]);
    } else if (kv->n_known == KNOWN_MAX) {
        article_fini(&kv->known[0]);
        memmove(kv->known, kv->known + 1, (kv->n_known - 1) * sizeof *kv->known);
        i = kv->n_known - 1;
    } else {
        kv->known = xrealloc(kv->known, (kv->n_known + 1) * sizeof *kv->known);
        i = kv->n_known++;
    }
    kb_text_copy(&kv->known[i], a);
    free(kv->known[i].snippet);
    kv->known[i].snippet = NULL;
}

/* The selected article (a pinned notice or a result); NULL when none. */
static const struct article *
selected(const struct kb_view *kv)
{
    if (kv->pin_sel >= 0 && (size_t)kv->pin_sel < kv->n_notices)
        return &kv->notices[kv->pin_sel];
    if (kv->n > 0 && kv->list.sel < kv->n)
        return &kv->items[kv->list.sel];
    return NULL;
}

/* Rows the pinned strip takes. */
static size_t
pinned_rows(const struct kb_view *kv)
{
    return kv->n_notices < PINNED_ROWS ? kv->n_notices : PINNED_ROWS;
}

/* Replace the results (taking items). */
static void
set_results(struct kb_view *kv, struct article *items, size_t n, const char *query, bool offline,
            bool more)
{
    char *keep = NULL;
    const struct article *old = kv->n > 0 && kv->list.sel < kv->n ? &kv->items[kv->list.sel]
                                                                   : NULL;
    bool same = kv->query != NULL && strcmp(kv->query, query) == 0;

    if (same && old != NULL && old->id != NULL)
        keep = xstrdup(old->id);
    articles_free(kv->items, kv->n);
    kv->items = items;
    kv->n = n;
    free(kv->query);
    kv->query = xstrdup(query);
    kv->offline = offline;
    kv->more = more;
    kv->loaded = true;
    list_set_count(&kv->list, n);
    list_select(&kv->list, 0);
    kv->list.top = 0;
    for (size_t i = 0; keep != NULL && i < n; i++) {
        if (items[i].id != NULL && strcmp(items[i].id, keep) == 0)
            list_select(&kv->list, i);
    }
    free(keep);
    free(kv->error);
    kv->error = NULL;
    for (size_t i = 0; i < n; i++)
        remember(kv, &items[i]);
    app_mark_dirty(kv->app, APP_DIRTY_BODY);
}

/* A ranked candidate of the offline search. */
struct ranked {
    size_t index;
    int rank;
};

/* Best rank first, then the order remembered (newest last: keep stable). */
static int
cmp_ranked(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;

    if (x->rank != y->rank)
        return y->rank - x->rank;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Search what this console has seen (the local cache holds the articles read, with their
 * text): the offline answer, marked as such. */
static void
search_offline(struct kb_view *kv, const char *q)
{
    struct cache *c = app_cache(kv->app);
    struct kb_filter f = {kv->kind, kv->scope, kv->category};
    bool editor = is_editor(kv->app);
    int64_t day = today(kv->app);
    struct ranked *rk = xcalloc(kv->n_known + 1, sizeof *rk);
    struct article *items;
    size_t n = 0;

    for (size_t i = 0; i < kv->n_known; i++) {
        struct article *a = &kv->known[i];
        int rank;

        if (a->body == NULL && c != NULL && a->id != NULL) {
            struct article *full = NULL;
            struct err e;

            if (cache_get_article(c, a->id, &full, &e) == HL_OK && full != NULL) {
                article_fini(a);
                kb_text_copy(a, full);
                article_free(&full);
            }
        }
        if (!kb_text_visible(a, editor, day) || !kb_text_filter_ok(a, &f))
            continue;
        rank = kb_text_match(a, q, NULL);
        if (rank > 0)
            rk[n++] = (struct ranked){i, rank};
    }
    qsort(rk, n, sizeof *rk, cmp_ranked);
    if (n > SEARCH_LIMIT)
        n = SEARCH_LIMIT;
    items = xcalloc(n + 1, sizeof *items);
    for (size_t i = 0; i < n; i++) {
        const struct article *a = &kv->known[rk[i].index];

        kb_text_copy(&items[i], a);
        free(items[i].snippet);
        kb_text_match(a, q, &items[i].snippet);
    }
    free(rk);
    set_results(kv, items, n, q, true, false);
}

/* ---- calls ---- */

/* Answer of a search. */
static void
search_done(struct api_result *r, void *arg)
{
    struct kb_view *kv = arg;
    char *q;

    if (r->id != kv->search_call)
        return;                   /* a stale search */
    kv->search_call = 0;
    kv->searching = false;
    q = kv->pending;
    kv->pending = NULL;
    if (r->cancelled) {
        kv->again = false;
        free(q);
        return;
    }
    if (r->code != HL_OK) {
        if (r->offline) {
            search_offline(kv, q != NULL ? q : "");
        } else {
            free(kv->error);
            kv->error = xstrdup(r->err.msg);
            app_mark_dirty(kv->app, APP_DIRTY_BODY);
        }
    } else {
        set_results(kv, r->kb.items, r->kb.n, q != NULL ? q : "", false,
                    r->kb.next_cursor != NULL);
        r->kb.items = NULL;
        r->kb.n = 0;
    }
    free(q);
    /* The query changed meanwhile: the next search, now that this one has answered. */
    if (kv->again) {
        kv->again = false;
        search_now(kv);
    }
}

/* Answer of the notices. */
static void
notices_done(struct api_result *r, void *arg)
{
    struct kb_view *kv = arg;
    bool editor = is_editor(kv->app);
    int64_t day;
    size_t n = 0;

    if (r->id != kv->notices_call)
        return;
    kv->notices_call = 0;
    if (r->cancelled || r->code != HL_OK)
        return;
    day = today(kv->app);
    articles_free(kv->notices, kv->n_notices);
    kv->notices = xcalloc(r->kb.n + 1, sizeof *kv->notices);
    for (size_t i = 0; i < r->kb.n; i++) {
        struct article *a = &r->kb.items[i];

        remember(kv, a);
        /* pinned: published and in force today; the server filters so for agents and
         * units (by its own clock), supervisors get every status and date */
        if (a->kind != KB_NOTICE || (editor && !kb_text_visible(a, false, day)) ||
            a->status != KB_PUBLISHED)
            continue;
        kv->notices[n] = *a;
        memset(a, 0, sizeof *a);
        n++;
    }
    kv->n_notices = n;
    if (kv->pin_sel >= (int)pinned_rows(kv))
        kv->pin_sel = -1;
    app_mark_dirty(kv->app, APP_DIRTY_BODY);
}

/* Ask for the emergency notices in force. */
static void
load_notices(struct kb_view *kv)
{
    struct api_kb_query q = {0};
    struct api *api = app_api(kv->app);
    struct err e;

    if (api == NULL || !app_online(kv->app))
        return;
    if (kv->notices_call != 0)
        api_cancel(api, kv->notices_call);
    q.kind = kb_kind_str(KB_NOTICE);
    q.limit = NOTICES_LIMIT;
    err_clear(&e);
    kv->notices_call = api_kb_search(api, &q, notices_done, kv, &e);
}

/* The debounce timer: search now. */
static void
debounce_fire(void *arg)
{
    struct kb_view *kv = arg;

    kv->timer = 0;
    search_now(kv);
}

/* Search after the debounce pause (restarted by each key). */
static void
search_soon(struct kb_view *kv)
{
    loop_cancel(kv->app->loop, kv->timer);
    kv->timer = loop_after(kv->app->loop, DEBOUNCE_MS, debounce_fire, kv);
}

/* Search now with the field's text and the filters, or through the local cache when
 * offline; while a search is in flight, once it has answered. */
static void
search_now(struct kb_view *kv)
{
    struct api *api = app_api(kv->app);
    struct api_kb_query q = {0};
    char *text;
    struct err e;

    if (kv->timer != 0) {
        loop_cancel(kv->app->loop, kv->timer);
        kv->timer = 0;
    }
    text = query_of(kv);
    if (api == NULL || !app_online(kv->app)) {
        search_offline(kv, text);
        free(text);
        return;
    }
    if (kv->search_call != 0 && loop_now_ms() - kv->search_ms < SEARCH_STALE_MS) {
        kv->again = true;
        free(text);
        return;
    }
    if (kv->search_call != 0)
        api_cancel(api, kv->search_call);
    kv->again = false;
    q.q = text[0] != '\0' ? text : NULL;
    q.kind = kv->kind >= 0 ? kb_kind_str((enum kb_kind)kv->kind) : NULL;
    q.scope = kv->scope >= 0 ? kb_scope_str((enum kb_scope)kv->scope) : NULL;
    q.category = kv->category;
    q.limit = SEARCH_LIMIT;
    err_clear(&e);
    kv->search_call = api_kb_search(api, &q, search_done, kv, &e);
    kv->search_ms = loop_now_ms();
    if (kv->search_call == 0) {
        search_offline(kv, text);
        free(text);
        return;
    }
    free(kv->pending);
    kv->pending = text;
    kv->searching = true;
    app_mark_dirty(kv->app, APP_DIRTY_BODY);
}

/* Search and fetch the notices again (a session, a publish, the connection back). */
static void
reload(struct kb_view *kv)
{
    if (app_api(kv->app) == NULL || !app_session(kv->app)->known)
        return;
    search_now(kv);
    load_notices(kv);
}

/* ---- reader ---- */

/* Show a (whole or summary) article in the reader. */
static void
reader_set(struct kb_view *kv, const struct article *a, bool full, bool cached)
{
    struct article copy;

    kb_text_copy(&copy, a);
    if (kv->has_reader)
        article_fini(&kv->reader);
    kv->reader = copy;
    kv->has_reader = true;
    kv->reader_full = full;
    kv->reader_cached = cached;
    kv->lines_w = -1;
    if (full)
        remember(kv, a);
    app_mark_dirty(kv->app, APP_DIRTY_BODY);
}

/* Answer of GET /kb/{id}. */
static void
get_done(struct api_result *r, void *arg)
{
    struct kb_view *kv = arg;
    struct article *cached = NULL;
    struct err e;

    if (r->id != kv->get_call)
        return;
    kv->get_call = 0;
    if (r->cancelled || !kv->has_reader)
        return;
    if (r->code == HL_OK && r->article != NULL) {
        reader_set(kv, r->article, true, false);
        return;
    }
    if (r->offline && app_cache(kv->app) != NULL && kv->reader.id != NULL &&
        cache_get_article(app_cache(kv->app), kv->reader.id, &cached, &e) == HL_OK) {
        reader_set(kv, cached, true, true);
        article_free(&cached);
        return;
    }
    app_message(kv->app, APP_MSG_ERROR, _("Cannot open %s: %s"),
                kv->reader.id != NULL ? kv->reader.id : "?", r->err.msg);
}

/* Open an article in the reader: at once from what is known, then the whole text from the
 * server (or the local cache when offline). */
static void
open_article(struct kb_view *kv, const struct article *a)
{
    struct api *api = app_api(kv->app);
    struct article *cached = NULL;
    char *id;
    struct err e;

    if (a == NULL || a->id == NULL)
        return;
    id = xstrdup(a->id);
    reader_set(kv, a, a->body != NULL, false);
    kv->mode = MODE_READER;
    kv->top = 0;
    if (api != NULL && kv->get_call != 0) {
        api_cancel(api, kv->get_call);
        kv->get_call = 0;
    }
    err_clear(&e);
    if (api != NULL && app_online(kv->app))
        kv->get_call = api_kb_get(api, id, get_done, kv, &e);
    if (kv->get_call == 0 && app_cache(kv->app) != NULL &&
        cache_get_article(app_cache(kv->app), id, &cached, &e) == HL_OK) {
        reader_set(kv, cached, true, true);
        article_free(&cached);
    }
    free(id);
}

/* Lay the reader's lines out for width (when stale). */
static void
reader_layout(struct kb_view *kv, int width)
{
    if (kv->lines_w == width)
        return;
    kb_lines_fini(&kv->lines);
    kb_text_reader(&kv->reader, width, &kv->lines);
    kv->lines_w = width;
}

/* ---- writing (supervisors) ---- */

/* Say that writing needs a supervisor, or the server; true when the user may write now. */
static bool
may_write(struct kb_view *kv)
{
    if (!is_editor(kv->app)) {
        app_message(kv->app, APP_MSG_WARN, "%s",
                    _("Only supervisors and admins write and publish articles."));
        return false;
    }
    if (!app_online(kv->app)) {
        app_message(kv->app, APP_MSG_WARN, "%s",
                    _("Writing articles needs the server: it is not reachable now."));
        return false;
    }
    return true;
}

/* Put a changed article everywhere it is shown. */
static void
article_changed(struct kb_view *kv, const struct article *a)
{
    for (size_t i = 0; i < kv->n; i++) {
        if (kv->items[i].id != NULL && a->id != NULL && strcmp(kv->items[i].id, a->id) == 0) {
            char *snippet = kv->items[i].snippet;

            kv->items[i].snippet = NULL;
            article_fini(&kv->items[i]);
            kb_text_copy(&kv->items[i], a);
            free(kv->items[i].snippet);
            kv->items[i].snippet = snippet;
        }
    }
    if (kv->has_reader && kv->reader.id != NULL && a->id != NULL &&
        strcmp(kv->reader.id, a->id) == 0)
        reader_set(kv, a, a->body != NULL, false);
    remember(kv, a);
}

/* Answer of POST /kb/{id}/publish. */
static void
publish_done(struct api_result *r, void *arg)
{
    struct kb_view *kv = arg;

    if (r->id != kv->publish_call)
        return;
    kv->publish_call = 0;
    if (r->cancelled)
        return;
    if (r->code != HL_OK || r->article == NULL) {
        app_message(kv->app, APP_MSG_ERROR, _("%s was not moved: %s"),
                    kv->pub_id != NULL ? kv->pub_id : "?", r->err.msg);
        return;
    }
    article_changed(kv, r->article);
    app_message(kv->app, APP_MSG_INFO, _("%s is now %s."), r->article->id,
                kb_text_status(r->article->status));
    reload(kv);
}

/* The answer to "move the article?". */
static void
publish_answered(struct app *app, bool yes, void *arg)
{
    struct kb_view *kv = arg;
    struct err e;

    if (!yes || kv->pub_id == NULL || !may_write(kv))
        return;
    err_clear(&e);
    kv->publish_call = kb_api_publish(app, kv->pub_id, kv->pub_to, kv->pub_version,
                                      publish_done, kv, &e);
    if (kv->publish_call == 0)
        app_message(app, APP_MSG_ERROR, _("%s was not moved: %s"), kv->pub_id, e.msg);
}

/* Ask, then move a along the flow: forward (draft -> review -> published) or back to draft. */
static void
publish_step(struct kb_view *kv, const struct article *a, bool back)
{
    enum kb_status to = KB_DRAFT;
    char *msg;

    if (a == NULL || a->id == NULL || !may_write(kv))
        return;
    if (back && a->status == KB_DRAFT) {
        app_message(kv->app, APP_MSG_WARN, _("%s is a draft already."), a->id);
        return;
    }
    if (!back && !kb_api_next_status(a->status, &to)) {
        app_message(kv->app, APP_MSG_WARN, _("%s is published already (w withdraws it)."),
                    a->id);
        return;
    }
    free(kv->pub_id);
    kv->pub_id = xstrdup(a->id);
    kv->pub_version = a->version;
    kv->pub_to = to;
    msg = xasprintf(_("Move %s “%s” from %s to %s?"), a->id, a->title != NULL ? a->title : "",
                    kb_text_status(a->status), kb_text_status(to));
    app_confirm(kv->app, back ? _("Back to draft") : _("Publish"), msg, publish_answered, kv);
    free(msg);
}

/* Answer of POST /kb or PATCH /kb/{id}. */
static void
save_done(struct api_result *r, void *arg)
{
    struct kb_view *kv = arg;
    char *msg;

    if (r->id != kv->save_call)
        return;
    kv->save_call = 0;
    kv->edit.sending = false;
    if (r->cancelled)
        return;
    app_mark_dirty(kv->app, APP_DIRTY_BODY);
    if (r->code != HL_OK || r->article == NULL) {
        if (r->status == 412)
            msg = xasprintf(_("Someone changed the article meanwhile: %s Esc, open it again "
                              "and redo the change."), r->err.msg);
        else
            msg = xasprintf(_("Not saved: %s"), r->err.msg);
        kb_edit_set_error(&kv->edit, msg);
        free(msg);
        return;
    }
    if (kv->mode == MODE_EDIT) {      /* (the form may have been dropped meanwhile) */
        kb_edit_close(&kv->edit);
        reader_set(kv, r->article, true, false);
        kv->mode = MODE_READER;
        kv->top = 0;
    }
    remember(kv, r->article);
    if (r->article->status == KB_DRAFT)
        app_message(kv->app, APP_MSG_INFO, _("Saved %s as a draft: p sends it to review."),
                    r->article->id);
    else
        app_message(kv->app, APP_MSG_INFO, _("Saved %s."), r->article->id);
    reload(kv);
}

/* Send the form. */
static void
save(struct kb_view *kv)
{
    struct article *a = NULL;
    struct err e;

    if (kv->edit.sending || !may_write(kv))
        return;
    err_clear(&e);
    if (kb_edit_article(&kv->edit, today(kv->app), &a, &e) != HL_OK) {
        kb_edit_set_error(&kv->edit, e.msg);
        return;
    }
    kb_edit_set_error(&kv->edit, NULL);
    if (kv->edit.id != NULL)
        kv->save_call = kb_api_patch(kv->app, a, kv->edit.version, save_done, kv, &e);
    else
        kv->save_call = kb_api_create(kv->app, a, save_done, kv, &e);
    if (kv->save_call == 0)
        kb_edit_set_error(&kv->edit, e.msg);
    else
        kv->edit.sending = true;
    article_free(&a);
}

/* Open the form for a new article (a NULL) or for editing a. */
static void
edit_open(struct kb_view *kv, const struct article *a)
{
    if (!may_write(kv))
        return;
    if (a != NULL && a->body == NULL) {
        app_message(kv->app, APP_MSG_WARN, "%s",
                    _("The article's text has not arrived yet: try again in a moment."));
        return;
    }
    kv->back = kv->mode;
    kb_edit_open(&kv->edit, a);
    kv->mode = MODE_EDIT;
    app_mark_dirty(kv->app, APP_DIRTY_BODY | APP_DIRTY_FOOTER);
}

/* The answer to "drop the form?". */
static void
edit_drop_answered(struct app *app, bool yes, void *arg)
{
    struct kb_view *kv = arg;

    if (!yes)
        return;
    if (kv->save_call != 0) {         /* its answer no longer has a form to go to */
        kb_api_cancel(app, kv->save_call);
        kv->save_call = 0;
    }
    kb_edit_close(&kv->edit);
    kv->mode = kv->back == MODE_READER && kv->has_reader ? MODE_READER : MODE_LIST;
    app_mark_dirty(app, APP_DIRTY_BODY | APP_DIRTY_FOOTER);
}

/* ---- category picker ---- */

/* Free the picker's items. */
static void
picker_items_free(struct kb_view *kv)
{
    free(kv->pitems);
    free(kv->pparent);
    kv->pitems = NULL;
    kv->pparent = NULL;
    kv->npitems = 0;
}

/* Open the category picker over /meta's tree ("all categories" first). */
static void
pick_open(struct kb_view *kv)
{
    const struct api_meta *m = app_meta(kv->app);

    if (m == NULL || m->n_categories == 0) {
        app_message(kv->app, APP_MSG_WARN, "%s",
                    _("The category tree has not arrived from the server yet."));
        return;
    }
    picker_items_free(kv);
    kv->pitems = xcalloc(m->n_categories + 1, sizeof *kv->pitems);
    kv->pparent = xcalloc(m->n_categories + 1, sizeof *kv->pparent);
    kv->pitems[0] = (struct picker_item){"", _("All categories"), 0};
    for (size_t i = 0; i < m->n_categories; i++) {
        const struct api_category *c = &m->categories[i];

        kv->pitems[i + 1] = (struct picker_item){c->code, c->label != NULL ? c->label : c->code,
                                                 c->depth};
        if (c->parent >= 0 && (size_t)c->parent < m->n_categories)
            kv->pparent[c->parent + 1] = true;
    }
    kv->npitems = m->n_categories + 1;
    picker_init(&kv->picker, kv->pitems, kv->npitems);
    kv->mode = MODE_PICK;
    app_mark_dirty(kv->app, APP_DIRTY_BODY);
}

/* Take the picker's choice as the category filter. */
static void
pick_chosen(struct kb_view *kv)
{
    const struct picker_item *it = picker_selected(&kv->picker);

    free(kv->category);
    free(kv->category_label);
    kv->category = NULL;
    kv->category_label = NULL;
    if (it != NULL && it->code[0] != '\0') {
        size_t i = (size_t)(it - kv->pitems);

        kv->category = i < kv->npitems && kv->pparent[i] ? xasprintf("%s.", it->code)
                                                         : xstrdup(it->code);
        kv->category_label = xstrdup(it->label);
    }
}

/* Close the picker. */
static void
pick_close(struct kb_view *kv)
{
    picker_fini(&kv->picker);
    picker_items_free(kv);
    kv->mode = MODE_LIST;
    app_mark_dirty(kv->app, APP_DIRTY_BODY);
}

/* ---- keys ---- */

/* Move the selection through the pinned notices and the results. */
static bool
list_move_cmd(struct kb_view *kv, enum cmd c)
{
    int pins = (int)pinned_rows(kv);

    if (kv->pin_sel >= 0) {
        if (c == CMD_UP && kv->pin_sel > 0)
            kv->pin_sel--;
        else if (c == CMD_DOWN && kv->pin_sel + 1 < pins)
            kv->pin_sel++;
        else if ((c == CMD_DOWN || c == CMD_PAGE_DOWN || c == CMD_END) && kv->n > 0) {
            kv->pin_sel = -1;
            if (c == CMD_END)
                list_cmd(&kv->list, c);
            else
                list_select(&kv->list, 0);
        } else if (c == CMD_HOME || c == CMD_PAGE_UP)
            kv->pin_sel = 0;
        else
            return c == CMD_UP || c == CMD_DOWN;
        return true;
    }
    if (pins > 0 && kv->list.sel == 0 && (c == CMD_UP || c == CMD_HOME || c == CMD_PAGE_UP)) {
        kv->pin_sel = c == CMD_UP ? pins - 1 : 0;
        return true;
    }
    if (kv->n == 0 && pins > 0 && c == CMD_DOWN) {
        kv->pin_sel = 0;
        return true;
    }
    return list_cmd(&kv->list, c);
}

/* Keys while the search field has the cursor. */
static bool
search_key(struct kb_view *kv, const struct key_event *ev)
{
    if (ev->cmd == CMD_CANCEL || ev->cmd == CMD_ENTER || ev->cmd == CMD_FIELD_NEXT ||
        (ev->keycode && ev->ch == KEY_DOWN)) {
        kv->search_focus = false;
        if (ev->cmd == CMD_ENTER)
            input_history_add(&kv->search, input_text(&kv->search));
        if (kv->timer != 0)
            search_now(kv);
        app_mark_dirty(kv->app, APP_DIRTY_BODY);
        return true;
    }
    switch (input_key(&kv->search, ev)) {
    case INPUT_CHANGED:
        search_soon(kv);
        app_mark_dirty(kv->app, APP_DIRTY_BODY);
        return true;
    case INPUT_UNHANDLED:
        return false;
    default:
        app_mark_dirty(kv->app, APP_DIRTY_BODY);
        return true;
    }
}

/* Keys of the list. */
static bool
list_key(struct kb_view *kv, const struct key_event *ev)
{
    struct app *app = kv->app;

    if (!ev->keycode && ev->ch >= 0x80 && ev->cmd == CMD_NONE) {
        /* Chinese typed straight into the list starts a search */
        kv->search_focus = true;
        return search_key(kv, ev);
    }
    switch (ev->cmd) {
    case CMD_SEARCH:
    case CMD_FIELD_NEXT:
    case CMD_FIELD_PREV:
        kv->search_focus = true;
        break;
    case CMD_UP:
    case CMD_DOWN:
    case CMD_PAGE_UP:
    case CMD_PAGE_DOWN:
    case CMD_HOME:
    case CMD_END:
        list_move_cmd(kv, ev->cmd);
        break;
    case CMD_ENTER:
        open_article(kv, selected(kv));
        break;
    case CMD_VIEW_1:
        kv->kind = kv->kind + 1 >= KB_KIND_COUNT ? -1 : kv->kind + 1;
        search_now(kv);
        break;
    case CMD_VIEW_2:
        kv->scope = kv->scope + 1 >= KB_SCOPE_COUNT ? -1 : kv->scope + 1;
        search_now(kv);
        break;
    case CMD_VIEW_3:
        pick_open(kv);
        break;
    case CMD_VIEW_4:
        edit_open(kv, NULL);
        break;
    case CMD_VIEW_5:
        if (selected(kv) != NULL && may_write(kv)) {
            open_article(kv, selected(kv));
            if (kv->reader_full)
                edit_open(kv, &kv->reader);
            else
                app_message(app, APP_MSG_INFO, "%s",
                            _("Opening the article: press e again to edit it."));
        }
        break;
    case CMD_VIEW_6:
    case CMD_VIEW_7:
        publish_step(kv, selected(kv), ev->cmd == CMD_VIEW_7);
        break;
    case CMD_VIEW_8:
        reload(kv);
        break;
    case CMD_CANCEL:
        if (input_text(&kv->search)[0] == '\0')
            return false;
        input_set(&kv->search, "");
        search_now(kv);
        break;
    default:
        return false;
    }
    app_mark_dirty(app, APP_DIRTY_BODY);
    return true;
}

/* Keys of the reader. */
static bool
reader_key(struct kb_view *kv, const struct key_event *ev)
{
    size_t n = kv->lines.n;
    size_t page = kv->page > 1 ? (size_t)kv->page - 1 : 1;
    size_t last = n > (size_t)(kv->page > 0 ? kv->page : 1) ? n - (size_t)kv->page : 0;

    switch (ev->cmd) {
    case CMD_UP:
        if (kv->top > 0)
            kv->top--;
        break;
    case CMD_DOWN:
        if (kv->top < last)
            kv->top++;
        break;
    case CMD_PAGE_UP:
        kv->top = kv->top > page ? kv->top - page : 0;
        break;
    case CMD_PAGE_DOWN:
        kv->top = kv->top + page < last ? kv->top + page : last;
        break;
    case CMD_HOME:
        kv->top = 0;
        break;
    case CMD_END:
        kv->top = last;
        break;
    case CMD_CANCEL:
    case CMD_LEFT:
        kv->mode = MODE_LIST;
        break;
    case CMD_VIEW_5:
        if (kv->reader_full)
            edit_open(kv, &kv->reader);
        else if (may_write(kv))
            app_message(kv->app, APP_MSG_WARN, "%s",
                        _("The article's text has not arrived yet: try again in a moment."));
        break;
    case CMD_VIEW_6:
    case CMD_VIEW_7:
        publish_step(kv, &kv->reader, ev->cmd == CMD_VIEW_7);
        break;
    case CMD_VIEW_8:
        open_article(kv, &kv->reader);
        break;
    default:
        if (ev->keycode && (ev->ch == KEY_BACKSPACE)) {
            kv->mode = MODE_LIST;
            break;
        }
        return false;
    }
    app_mark_dirty(kv->app, APP_DIRTY_BODY | APP_DIRTY_FOOTER);
    return true;
}

/* Keys of the form. */
static bool
form_key(struct kb_view *kv, const struct key_event *ev)
{
    if (ev->keycode && ev->ch >= (wint_t)KEY_F(1) && ev->ch <= (wint_t)KEY_F(12) &&
        ev->ch != (wint_t)KEY_F(9))
        return false;
    switch (kb_edit_key(&kv->edit, ev, 0)) {
    case KB_EDIT_SAVE:
        save(kv);
        break;
    case KB_EDIT_CANCEL:
        if (kb_edit_modified(&kv->edit))
            app_confirm(kv->app, _("Article"), _("Drop the changes to this article?"),
                        edit_drop_answered, kv);
        else
            edit_drop_answered(kv->app, true, kv);
        break;
    default:
        break;
    }
    app_mark_dirty(kv->app, APP_DIRTY_BODY);
    return true;
}

/* ---- drawing ---- */

/* Draw a snippet at y,x in width columns: the match in the highlight slot, no brackets,
 * cut on the left when the match would not show. */
static void
draw_snippet(WINDOW *w, int y, int x, int width, const char *snippet, const char *q,
             const struct theme *th, attr_t normal)
{
    char *s = text_sanitize(snippet != NULL ? snippet : "", 0);
    struct kb_span spans[SPANS_MAX];
    size_t n = kb_text_snippet(s, q, spans, SPANS_MAX);
    size_t start;
    int used = 0;

    if (n > SPANS_MAX)
        n = SPANS_MAX;
    start = kb_text_snippet_start(s, spans, n, width);
    if (start > 0)
        used += draw_text(w, y, x, width, "…", normal);
    for (size_t i = 0; i < n && used < width; i++) {
        size_t off = spans[i].off, end = spans[i].off + spans[i].len;

        if (end <= start)
            continue;
        if (off < start)
            off = start;
        used += draw_clip(w, y, x + used, width - used, s + off, end - off,
                          spans[i].hl ? theme_attr(th, SLOT_HIGHLIGHT) : normal);
    }
    free(s);
}

/* Context of the result rows. */
struct row_ctx {
    struct kb_view *kv;
    const struct theme *th;
    bool editor;
    int kind_w;                   /* columns of the widest kind name */
    int64_t today;
};

/* Draw one result: the kind, the title and where it applies; under it the snippet. */
static void
draw_result(struct row_ctx *c, WINDOW *w, size_t i, int y, int x, int width, bool sel)
{
    const struct article *a = &c->kv->items[i];
    attr_t base = theme_attr(c->th, sel ? SLOT_SELECTED
                                        : a->kind == KB_NOTICE ? SLOT_EMERGENCY : SLOT_NORMAL);
    char right[160];
    int used, rw;

    draw_fill(w, y, x, width, theme_attr(c->th, sel ? SLOT_SELECTED : SLOT_NORMAL));
    draw_fill(w, y + 1, x, width, theme_attr(c->th, SLOT_NORMAL));
    str_copy(right, sizeof right, !str_empty(a->region) ? a->region : kb_text_scope(a->scope));
    if (c->editor && a->status != KB_PUBLISHED) {
        str_append(right, sizeof right, " · ");
        str_append(right, sizeof right, kb_text_status(a->status));
    } else if (c->editor && !kb_text_visible(a, false, c->today)) {
        /* published, but outside its validity: agents do not see it today */
        str_append(right, sizeof right, " · ");
        str_append(right, sizeof right, a->valid_to < c->today ? _("expired")
                                                               : _("not yet valid"));
    }
    used = draw_text(w, y, x + 1, c->kind_w, kb_text_kind(a->kind), base);
    used = c->kind_w;
    rw = text_width(right) + 1;
    if (rw > width / 3)
        rw = width / 3;
    draw_text(w, y, x + used + 2, width - used - 3 - rw, a->title != NULL ? a->title : "",
              sel ? base : theme_attr(c->th, SLOT_NORMAL) | A_BOLD);
    draw_text_right(w, y, x, width - 1, right,
                    sel ? base : theme_attr(c->th, c->editor && !kb_text_visible(a, false,
                                                                                c->today)
                                                       ? SLOT_WARN : SLOT_MUTED));
    draw_snippet(w, y + 1, x + 4, width - 5, a->snippet, c->kv->query, c->th,
                 theme_attr(c->th, SLOT_MUTED));
}

/* Draw the pinned notices; returns the rows used. */
static int
draw_pinned(struct kb_view *kv, WINDOW *w, int y, int x, int width, const struct theme *th)
{
    size_t rows = pinned_rows(kv);

    for (size_t i = 0; i < rows; i++) {
        const struct article *a = &kv->notices[i];
        bool sel = kv->pin_sel == (int)i;
        attr_t at = theme_attr(th, sel ? SLOT_SELECTED : SLOT_EMERGENCY);
        char valid[48];
        char *left;
        int used;

        draw_fill(w, y + (int)i, x, width, at);
        if (i + 1 == rows && kv->n_notices > rows)
            left = xasprintf(_("! %zu more notices in force: t filters by kind"),
                             kv->n_notices - rows + 1);
        else
            left = xasprintf("! %s  %s", kb_text_kind(a->kind), a->title != NULL ? a->title : "");
        kb_text_validity(a, valid, sizeof valid);
        used = draw_text_right(w, y + (int)i, x, width - 1, valid, at);
        draw_text(w, y + (int)i, x + 1, width - used - 3, left, at);
        free(left);
    }
    return (int)rows;
}

/* The header's right side: how many, searching, offline. */
static void
draw_state(struct kb_view *kv, WINDOW *w, int y, int x, int width, const struct theme *th)
{
    char *s;
    enum slot slot = SLOT_MUTED;

    if (kv->searching && kv->n == 0)
        s = xstrdup(_("searching…"));
    else if (kv->offline) {
        s = xasprintf(_("offline: %zu from the local cache"), kv->n);
        slot = SLOT_WARN;
    } else if (kv->more)
        s = xasprintf(_("first %zu articles"), kv->n);
    else
        s = xasprintf(ngettext("%zu article", "%zu articles", kv->n), kv->n);
    draw_text_right(w, y, x, width, s, theme_attr(th, slot));
    free(s);
}

/* The filters line. */
static void
draw_filters(struct kb_view *kv, WINDOW *w, int y, int x, int width, const struct theme *th)
{
    char *s = xasprintf(_("t Kind: %s   s Scope: %s   c Category: %s"),
                        kv->kind >= 0 ? kb_text_kind((enum kb_kind)kv->kind) : _("all"),
                        kv->scope >= 0 ? kb_text_scope((enum kb_scope)kv->scope) : _("all"),
                        kv->category_label != NULL ? kv->category_label : _("all"));

    draw_text(w, y, x, width, s, theme_attr(th, SLOT_MUTED));
    free(s);
}

/* The list: search field, filters, pinned notices, results. */
static void
draw_list(struct kb_view *kv, WINDOW *w, const struct rect *r)
{
    struct app *app = kv->app;
    const struct theme *th = &app->theme;
    struct row_ctx ctx = {kv, th, is_editor(app), 0, today(app)};
    int y = r->y, lw, cx = 0, rows;
    size_t per;

    draw_text(w, y, r->x + 1, r->w / 2, _(kb_view_ops.title), theme_attr(th, SLOT_TITLE));
    draw_state(kv, w, y, r->x + r->w / 2, r->w / 2 - 1, th);
    y++;
    lw = draw_text(w, y, r->x + 1, 12, _("Search: "), theme_attr(th, SLOT_LABEL));
    input_draw(&kv->search, w, y, r->x + 1 + lw, r->w - lw - 3,
               theme_attr(th, kv->search_focus ? SLOT_INPUT_FOCUS : SLOT_INPUT), &cx);
    if (kv->search_focus)
        app_set_cursor(app, w, y, cx);
    else if (input_text(&kv->search)[0] == '\0')
        draw_text(w, y, r->x + 1 + lw, r->w - lw - 3,
                  _("/ to type; Chinese typed here searches at once"),
                  theme_attr(th, SLOT_MUTED) | A_UNDERLINE);
    y++;
    draw_filters(kv, w, y++, r->x + 1, r->w - 2, th);
    y += draw_pinned(kv, w, y, r->x, r->w, th);
    rows = r->y + r->h - y;
    if (kv->error != NULL && kv->n == 0) {
        struct rect t = {y + 1, r->x + 2, rows - 1, r->w - 4};

        draw_paragraph(w, &t, 0, kv->error, theme_attr(th, SLOT_ERROR));
        return;
    }
    if (kv->n == 0) {
        struct rect t = {y + 1, r->x + 2, rows - 1, r->w - 4};
        const char *why = kv->searching || !kv->loaded ? ""
                          : kv->offline ? _("Nothing found among the articles this console has "
                                            "seen: the server is not reachable.")
                          : kv->query != NULL && kv->query[0] != '\0'
                              ? _("No article matches: try fewer characters or clear a filter.")
                              : _("No articles.");

        draw_paragraph(w, &t, 0, why, theme_attr(th, SLOT_MUTED));
        return;
    }
    for (int k = 0; k < KB_KIND_COUNT; k++) {
        int kw = text_width(kb_text_kind((enum kb_kind)k));

        if (kw > ctx.kind_w && kw <= 16)
            ctx.kind_w = kw;
    }
    per = rows >= 2 ? (size_t)rows / 2 : 1;
    list_set_height(&kv->list, (int)per);
    for (size_t i = 0; i < per && kv->list.top + i < kv->n; i++) {
        size_t idx = kv->list.top + i;

        draw_result(&ctx, w, idx, y + (int)(2 * i), r->x, r->w,
                    kv->pin_sel < 0 && idx == kv->list.sel);
    }
}

/* Draw one reader line: the query's occurrences highlighted. */
static void
draw_reader_line(WINDOW *w, int y, int x, int width, const struct kb_line *ln, const char *q,
                 const struct theme *th)
{
    attr_t a = theme_attr(th, ln->slot);
    const char *s = ln->text;
    int used = 0;
    long at;

    while (!str_empty(q) && used < width && (at = kb_text_find(s, q)) >= 0) {
        used += draw_clip(w, y, x + used, width - used, s, (size_t)at, a);
        used += draw_clip(w, y, x + used, width - used, s + at, strlen(q),
                          theme_attr(th, SLOT_HIGHLIGHT));
        s += at + (long)strlen(q);
    }
    if (used < width)
        draw_clip(w, y, x + used, width - used, s, strlen(s), a);
}

/* The reader: the article's lines from top, and a status line. */
static void
draw_reader(struct kb_view *kv, WINDOW *w, const struct rect *r)
{
    const struct theme *th = &kv->app->theme;
    int width = r->w - 4;
    char pos[64];
    char *foot;
    size_t last;

    reader_layout(kv, width);
    kv->page = r->h - 1;
    last = kv->lines.n > (size_t)kv->page ? kv->lines.n - (size_t)kv->page : 0;
    if (kv->top > last)
        kv->top = last;
    for (int i = 0; i < kv->page && kv->top + (size_t)i < kv->lines.n; i++)
        draw_reader_line(w, r->y + i, r->x + 2, width, &kv->lines.v[kv->top + (size_t)i],
                         kv->query, th);
    if (!kv->reader_full && kv->lines.n < (size_t)kv->page)
        draw_text(w, r->y + (int)kv->lines.n + 1, r->x + 2, width,
                  kv->get_call != 0 ? _("Loading the text…")
                                    : _("The text is not in the local cache: it shows once "
                                        "the server is reachable."),
                  theme_attr(th, SLOT_MUTED));
    snprintf(pos, sizeof pos, "%zu-%zu/%zu", kv->lines.n > 0 ? kv->top + 1 : 0,
             kv->top + (size_t)kv->page < kv->lines.n ? kv->top + (size_t)kv->page
                                                      : kv->lines.n, kv->lines.n);
    foot = xasprintf("%s%s", kv->reader_cached ? _("offline: from the local cache · ") : "",
                     is_editor(kv->app) ? _("Esc back · ↑↓ PgUp PgDn scroll · e edit · p publish")
                                        : _("Esc back · ↑↓ PgUp PgDn scroll"));
    draw_fill(w, r->y + r->h - 1, r->x, r->w, theme_attr(th, SLOT_NORMAL));
    draw_text(w, r->y + r->h - 1, r->x + 2, r->w - 4 - (int)strlen(pos) - 2, foot,
              theme_attr(th, kv->reader_cached ? SLOT_WARN : SLOT_MUTED));
    draw_text_right(w, r->y + r->h - 1, r->x, r->w - 2, pos, theme_attr(th, SLOT_MUTED));
    free(foot);
}

/* ---- the view ---- */

/* Set up: empty search, no filters. */
static void
kb_open(struct app *app, void *priv)
{
    struct kb_view *kv = priv;

    kv->app = app;
    kv->kind = -1;
    kv->scope = -1;
    kv->pin_sel = -1;
    kv->lines_w = -1;
    input_init(&kv->search, KB_TEXT_QUERY_MAX, 20);
    list_init(&kv->list);
}

/* Free everything (the calls were cancelled when the api closed, before this). */
static void
kb_close(struct app *app, void *priv)
{
    struct kb_view *kv = priv;

    if (kv->timer != 0 && app->loop != NULL)
        loop_cancel(app->loop, kv->timer);
    input_fini(&kv->search);
    free(kv->query);
    free(kv->pending);
    free(kv->category);
    free(kv->category_label);
    free(kv->error);
    articles_free(kv->items, kv->n);
    articles_free(kv->notices, kv->n_notices);
    articles_free(kv->known, kv->n_known);
    if (kv->has_reader)
        article_fini(&kv->reader);
    kb_lines_fini(&kv->lines);
    kb_edit_close(&kv->edit);
    if (kv->mode == MODE_PICK)
        picker_fini(&kv->picker);
    picker_items_free(kv);
    free(kv->pub_id);
}

/* The tab became active: load once a session is there. */
static void
kb_enter(struct app *app, void *priv)
{
    struct kb_view *kv = priv;

    (void)app;
    if (!kv->loaded && kv->search_call == 0)
        reload(kv);
}

/* Draw by mode (the honest empty state without a server or a sign-in). */
static void
kb_draw(struct app *app, void *priv, WINDOW *w, const struct rect *r)
{
    struct kb_view *kv = priv;
    int cy = 0, cx = 0;

    if (app_api(app) == NULL || (!app_session(app)->known && kv->n == 0) || r->h < 8 ||
        r->w < 40) {
        empty_view_draw(app, priv, w, r);
        return;
    }
    switch (kv->mode) {
    case MODE_READER:
        draw_reader(kv, w, r);
        break;
    case MODE_EDIT:
        kb_edit_draw(&kv->edit, w, r, &app->theme, &cy, &cx);
        app_set_cursor(app, w, cy, cx);
        break;
    case MODE_PICK: {
        struct rect pr = {r->y + 1, r->x + 1, r->h - 1, r->w - 2};

        draw_text(w, r->y, r->x + 1, r->w - 2, _("Filter by category: type to narrow, Enter "
                                                 "chooses, Esc cancels"),
                  theme_attr(&app->theme, SLOT_TITLE));
        picker_draw(&kv->picker, w, &pr, &app->theme, &cy, &cx);
        app_set_cursor(app, w, cy, cx);
        break;
    }
    default:
        draw_list(kv, w, r);
        break;
    }
}

/* A key for the tab. */
static bool
kb_key(struct app *app, void *priv, const struct key_event *ev)
{
    struct kb_view *kv = priv;

    if (app_api(app) == NULL || !app_session(app)->known)
        return false;
    switch (kv->mode) {
    case MODE_READER:
        return reader_key(kv, ev);
    case MODE_EDIT:
        return form_key(kv, ev);
    case MODE_PICK:
        switch (picker_key(&kv->picker, ev)) {
        case PICKER_CHOSEN:
            pick_chosen(kv);
            pick_close(kv);
            search_now(kv);
            return true;
        case PICKER_CANCEL:
            pick_close(kv);
            return true;
        case PICKER_UNHANDLED:
            return false;
        default:
            app_mark_dirty(app, APP_DIRTY_BODY);
            return true;
        }
    default:
        return kv->search_focus ? search_key(kv, ev) : list_key(kv, ev);
    }
}

/* Follow the session, the connection and the feed. */
static void
kb_on_event(struct app *app, void *priv, const struct app_event *ev)
{
    struct kb_view *kv = priv;
    const struct api_feed_event *fe;

    switch (ev->kind) {
    case APP_EV_SESSION:
    case APP_EV_RELOAD:
        kv->loaded = false;
        reload(kv);
        break;
    case APP_EV_CONN:
        if (app_online(app) && (kv->offline || !kv->loaded) && kv->search_call == 0)
            reload(kv);
        break;
    case APP_EV_FEED:
        fe = ev->data;
        if (fe != NULL && fe->type != NULL && strncmp(fe->type, "kb.", 3) == 0) {
            search_soon(kv);
            load_notices(kv);
        }
        break;
    case APP_EV_LANG:
    case APP_EV_RESIZE:
        kv->lines_w = -1;
        break;
    default:
        break;
    }
}

/* Unsaved: an article form with changes. */
static bool
kb_unsaved(struct app *app, void *priv)
{
    struct kb_view *kv = priv;

    (void)app;
    return kv->mode == MODE_EDIT && kb_edit_modified(&kv->edit);
}

const struct view_ops kb_view_ops = {
    .name = N_("Knowledge base"),
    .title = N_("Knowledge base: articles and notices"),
    .about = N_("Search articles as you type and filter them by kind and scope; emergency "
                "notices stay pinned on top."),
    .priv_size = sizeof(struct kb_view),
    .open = kb_open,
    .close = kb_close,
    .enter = kb_enter,
    .draw = kb_draw,
    .key = kb_key,
    .on_event = kb_on_event,
    .unsaved = kb_unsaved,
    .keys = &kb_keys,
};
