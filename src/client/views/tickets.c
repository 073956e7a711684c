/* tickets: tab 2 工单, work orders: queues with live counts, filters, the detail with its
 * timeline, every workflow action with the rule behind it, and the 412 conflict screen. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "app.h"
#include "cache.h"
#include "hotline/text.h"
#include "hotline/util.h"
#include "i18n.h"
#include "ui/draw.h"
#include "ui/input.h"
#include "ui/list.h"
#include "views/ticket_conflict.h"
#include "views/ticket_detail.h"
#include "views/ticket_form.h"
#include "views/ticket_text.h"
#include "views/views.h"

/* Tickets asked for per page (the API's largest). */
#define PAGE_LIMIT 100
/* Load the next page when the selection comes this close to the last loaded row. */
#define PREFETCH 30
/* Pause after a change before the counts and the list are asked for again, ms. */
#define REFRESH_DELAY_MS 700
/* Most cached tickets looked at to paint the queues before the server answers. */
#define CACHE_SCAN 5000
/* Gap between list columns. */
#define GAP 1

/* The queues, in the order of the queue bar. */
enum queue_id {
    Q_MINE, Q_DISPATCH, Q_RETURNED, Q_NEAR_DUE, Q_OVERDUE, Q_AWAIT_REPLY, Q_AWAIT_CALLBACK,
    Q_SUPERVISED, Q_ALL, Q_COUNT
};

/* What a queue asks the server for. */
struct queue_def {
    const char *name;          /* N_() */
    const char *unit_name;     /* N_() for unit users; NULL: name */
    const char *status;        /* statuses (comma-separated) for the centre's roles */
    const char *unit_status;   /* ... for a unit user */
    const char *flag;
    bool mine;                 /* centre roles: only the tickets I took */
    const char *order;
};

static const struct queue_def queues[Q_COUNT] = {
    [Q_MINE] = {N_("Mine"), N_("Mine"), "accepted,dispatched,in_progress,returned,replied,callback",
                "dispatched,in_progress", NULL, true, "due"},
    [Q_DISPATCH] = {N_("To dispatch"), N_("To accept"), "accepted,returned", "dispatched", NULL,
                    false, "due"},
    [Q_RETURNED] = {N_("Returned"), NULL, "returned", "returned", NULL, false, "due"},
    [Q_NEAR_DUE] = {N_("Near due"), NULL, NULL, NULL, "near_due", false, "due"},
    [Q_OVERDUE] = {N_("Overdue"), NULL, NULL, NULL, "overdue", false, "due"},
    [Q_AWAIT_REPLY] = {N_("Awaiting reply"), NULL, "dispatched,in_progress",
                       "dispatched,in_progress", NULL, false, "due"},
    [Q_AWAIT_CALLBACK] = {N_("Awaiting callback"), NULL, "replied,callback", "replied,callback",
                          NULL, false, "callback_due"},
    [Q_SUPERVISED] = {N_("Supervised"), NULL, NULL, NULL, "supervised", false, "due"},
    [Q_ALL] = {N_("All"), NULL, NULL, NULL, NULL, false, "due"},
};

/* The list's columns. */
enum { COL_ID, COL_STATUS, COL_NATURE, COL_TITLE, COL_LEAD, COL_LEFT, COL_COUNT };

static const struct list_column columns[COL_COUNT] = {
    [COL_ID] = {N_("Id"), 17, 17, 0, false},
    [COL_STATUS] = {N_("Status"), 8, 11, 1, false},
    [COL_NATURE] = {N_("Nature"), 6, 10, 1, false},
    [COL_TITLE] = {N_("Subject"), 12, 0, 6, false},
    [COL_LEAD] = {N_("Lead unit"), 8, 18, 2, false},
    [COL_LEFT] = {N_("Time left"), 9, 9, 0, true},
};

/* One row of the list: what the columns need, not the whole ticket (10,000 rows stay small). */
struct row {
    char *id;
    char *title;
    char *lead;                /* unit code, NULL when not dispatched */
    enum status status;
    enum nature nature;
    hl_time deadline;
    hl_time created_at;
    unsigned flags;
};

/* The filter of `/`. */
struct filter {
    char *q;                   /* free text (Chinese substring), NULL = none */
    int status;                /* -1 = any */
    int nature;                /* -1 = any */
    char *unit;                /* unit code, NULL = any */
    int64_t from_day;          /* accepted on or after this local day; INT64_MIN = none */
    int64_t to_day;            /* ... on or before; INT64_MAX = none */
};

/* The filter form's fields. */
enum { FF_TEXT, FF_STATUS, FF_NATURE, FF_UNIT, FF_FROM, FF_TO, FF_COUNT };

/* What the body shows. */
enum mode { MODE_LIST, MODE_DETAIL, MODE_CONFLICT };

/* An entry of the actions menu: an action, or the edit of the matter. */
struct menu_entry {
    bool edit;
    enum action action;
    bool ok;
    char *why;                 /* the refusal worded, owned; NULL when ok */
    char *reason;              /* the same without the action's name, for the menu */
};

/* The letter that picks an action in the menu (Latin letters work with any input method). */
static const char menu_letters[ACTION_COUNT] = {
    [ACTION_RESOLVE_DIRECT] = 'n', [ACTION_DISPATCH] = 'd', [ACTION_ACCEPT] = 'c',
    [ACTION_RETURN] = 'r', [ACTION_REPLY] = 'p', [ACTION_REQUEST_EXTENSION] = 'x',
    [ACTION_DECIDE_EXTENSION] = 'y', [ACTION_URGE] = 'u', [ACTION_SUPERVISE] = 's',
    [ACTION_SCHEDULE_CALLBACK] = 'b', [ACTION_CALLBACK] = 'i', [ACTION_CLOSE] = 'l',
    [ACTION_REOPEN] = 'o', [ACTION_ARCHIVE] = 'v',
};
/* The letter of the edit entry. */
#define MENU_EDIT_LETTER 'e'

/* A queue count request (the callback's argument). */
struct count_req {
    struct tickets_view *v;
    size_t q;
    uint64_t call;
};

struct tickets_view {
    struct app *app;
    size_t q;                           /* the active queue */
    int64_t counts[Q_COUNT];            /* -1 unknown */
    bool counts_cached;
    struct count_req count_reqs[Q_COUNT];

    struct row *rows;
    size_t n;
    size_t cap;
    char *cursor;                       /* the next page, NULL at the end */
    uint64_t page_call;
    bool page_first;                    /* the page in flight replaces the rows */
    bool open_pending;                  /* Enter met the emptied list: open when it loads */
    bool cached;                        /* the rows come from the local cache */
    int64_t total;                      /* the active queue's total with the filter, -1 */
    char *error;                        /* the last list error, NULL */
    char *keep_id;                      /* select this ticket after a reload */
    struct list list;
    uint64_t refresh_timer;
    bool started;                       /* a session is known: lists were asked for */

    struct filter filter;
    bool filter_open;
    struct input ff_text, ff_from, ff_to;
    size_t ff_status, ff_nature, ff_unit, ff_focus;
    char *ff_error;

    enum mode mode;
    char *detail_id;
    struct ticket *detail;
    bool detail_cached;
    uint64_t detail_call;
    struct ticket_lines lines;
    int lines_width;
    bool lines_stale;
    int scroll;

    bool menu_open;
    struct menu_entry menu[ACTION_COUNT + 1];
    size_t menu_n;
    size_t menu_sel;

    struct ticket_form form;
    enum action confirm_action;         /* the action a yes/no question is about */
    uint64_t action_call;
    bool pending_set;                   /* an action or edit was sent and is not settled */
    bool pending_edit;
    struct action_body pending;         /* the action sent */
    struct ticket *pending_ticket;      /* edit: the edited copy; action: the version seen */
    struct strlist pending_fields;      /* edit: the fields changed */

    struct ticket *c_theirs;            /* conflict: the server's version */
    struct ticket_diffs diffs;
    int c_scroll;
};

static void load_page(struct tickets_view *v, bool first);
static void load_counts(struct tickets_view *v);
static void load_detail(struct tickets_view *v);
static void open_detail(struct tickets_view *v);

/* ---- rows ---- */

/* Free one row's strings. */
static void
row_fini(struct row *r)
{
    free(r->id);
    free(r->title);
    free(r->lead);
    memset(r, 0, sizeof *r);
}

/* Drop every row. */
static void
rows_clear(struct tickets_view *v)
{
    for (size_t i = 0; i < v->n; i++)
        row_fini(&v->rows[i]);
    v->n = 0;
}

/* A row from a ticket. */
static void
row_of(struct row *r, const struct ticket *t)
{
    const struct assignment *lead = ticket_lead(t);

    r->id = xstrdup(t->id);
    r->title = xstrdup(t->title != NULL ? t->title : t->description);
    r->lead = xstrdup(lead != NULL ? lead->unit
                      : t->n_assignments > 0 ? t->assignments[0].unit : NULL);
    r->status = t->status;
    r->nature = t->nature;
    r->deadline = ticket_text_deadline(t);
    r->created_at = t->created_at;
    r->flags = t->flags;
}

/* Append a row. */
static void
rows_add(struct tickets_view *v, const struct ticket *t)
{
    if (v->n == v->cap) {
        v->cap = v->cap != 0 ? v->cap * 2 : 256;
        v->rows = xrealloc(v->rows, v->cap * sizeof *v->rows);
    }
    row_of(&v->rows[v->n++], t);
}

/* The index of the row with id, or -1. */
static long
row_find(const struct tickets_view *v, const char *id)
{
    for (size_t i = 0; id != NULL && i < v->n; i++) {
        if (strcmp(v->rows[i].id, id) == 0)
            return (long)i;
    }
    return -1;
}

/* The selected row, NULL when the list is empty. */
static const struct row *
selected_row(const struct tickets_view *v)
{
    return v->n > 0 && v->list.sel < v->n ? &v->rows[v->list.sel] : NULL;
}

/* Remember the selected ticket, to find it again after a reload. */
static void
keep_selection(struct tickets_view *v)
{
    const struct row *r = selected_row(v);

    free(v->keep_id);
    v->keep_id = r != NULL ? xstrdup(r->id) : NULL;
}

/* Select the kept ticket again (or stay at the same index). */
static void
restore_selection(struct tickets_view *v)
{
    long i = row_find(v, v->keep_id);

    list_set_count(&v->list, v->n);
    if (i >= 0)
        list_select(&v->list, (size_t)i);
}

/* ---- queues and filters ---- */

/* True when the user is a unit's user. */
static bool
is_unit(const struct tickets_view *v)
{
    return app_session(v->app)->role == USER_UNIT;
}

/* A queue's name for this user, translated. */
static const char *
queue_name(const struct tickets_view *v, size_t q)
{
    if (is_unit(v) && queues[q].unit_name != NULL)
        return _(queues[q].unit_name);
    return _(queues[q].name);
}

/* A queue's statuses for this user. */
static const char *
queue_status(const struct tickets_view *v, size_t q)
{
    return is_unit(v) ? queues[q].unit_status : queues[q].status;
}

/* True when word is one of the comma-separated words of list. */
static bool
in_list(const char *list, const char *word)
{
    size_t n = strlen(word);

    for (const char *p = list; p != NULL && *p != '\0';) {
        const char *end = strchr(p, ',');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

        if (len == n && strncmp(p, word, n) == 0)
            return true;
        p = end != NULL ? end + 1 : NULL;
    }
    return false;
}

/* The local day a ticket was accepted. */
static int64_t
local_day(const struct tickets_view *v, hl_time t)
{
    struct civil_time ct;

    tz_to_civil(app_tz(v->app), t, &ct);
    return datetime_days_from_civil(ct.year, ct.month, ct.day);
}

/* True when the filter's date range (applied here, the API has none) lets t in. */
static bool
date_ok(const struct tickets_view *v, hl_time created_at)
{
    int64_t d;

    if (v->filter.from_day == INT64_MIN && v->filter.to_day == INT64_MAX)
        return true;
    d = local_day(v, created_at);
    return d >= v->filter.from_day && d <= v->filter.to_day;
}

/* True when a cached ticket belongs in queue q (as the server would decide). */
static bool
queue_match(const struct tickets_view *v, size_t q, const struct ticket *t)
{
    const struct queue_def *d = &queues[q];
    const char *st = queue_status(v, q);
    const struct app_session *s = app_session(v->app);
    unsigned flag;

    if (st != NULL && !in_list(st, status_str(t->status)))
        return false;
    if (d->flag != NULL && flag_parse(d->flag, &flag) && (t->flags & flag) == 0)
        return false;
    if (d->mine && !is_unit(v) &&
        (t->created_by == NULL || s->user_id == NULL || strcmp(t->created_by, s->user_id) != 0))
        return false;
    return true;
}

/* True when a cached ticket passes the filter. */
static bool
filter_match(const struct tickets_view *v, const struct ticket *t)
{
    const struct filter *f = &v->filter;

    if (f->status >= 0 && t->status != (enum status)f->status)
        return false;
    if (f->nature >= 0 && t->nature != (enum nature)f->nature)
        return false;
    if (f->q != NULL && (t->title == NULL || strstr(t->title, f->q) == NULL) &&
        (t->description == NULL || strstr(t->description, f->q) == NULL) &&
        (t->location == NULL || strstr(t->location, f->q) == NULL) && strstr(t->id, f->q) == NULL)
        return false;
    if (f->unit != NULL) {
        bool found = false;

        for (size_t i = 0; i < t->n_assignments && !found; i++)
            found = t->assignments[i].unit != NULL && strcmp(t->assignments[i].unit, f->unit) == 0;
        if (!found)
            return false;
    }
    return date_ok(v, t->created_at);
}

/* True when any filter is set. */
static bool
filter_active(const struct tickets_view *v)
{
    const struct filter *f = &v->filter;

    return f->q != NULL || f->status >= 0 || f->nature >= 0 || f->unit != NULL ||
           f->from_day != INT64_MIN || f->to_day != INT64_MAX;
}

/* Reset the filter. */
static void
filter_clear(struct filter *f)
{
    free(f->q);
    free(f->unit);
    f->q = NULL;
    f->unit = NULL;
    f->status = -1;
    f->nature = -1;
    f->from_day = INT64_MIN;
    f->to_day = INT64_MAX;
}

/* Order rows by deadline (none last), then by id. */
static int
row_cmp(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    hl_time dx = x->deadline != 0 ? x->deadline : INT64_MAX;
    hl_time dy = y->deadline != 0 ? y->deadline : INT64_MAX;

    if (dx != dy)
        return dx < dy ? -1 : 1;
    return strcmp(x->id, y->id);
}

/* Paint the queue from the local cache (before the server answers, or while it is away);
 * the counts too unless the server's are known. */
static void
paint_from_cache(struct tickets_view *v)
{
    bool counts = true;

    struct cache *c = app_cache(v->app);
    struct cache_tickets l = {0};
    struct err e;

    if (c == NULL || !app_session(v->app)->known)
        return;
    err_clear(&e);
    if (cache_recent_tickets(c, CACHE_SCAN, &l, &e) != HL_OK)
        return;
    keep_selection(v);
    rows_clear(v);
    for (size_t q = 0; q < Q_COUNT; q++)
        counts = counts && (v->counts[q] < 0 || v->counts_cached);
    for (size_t q = 0; counts && q < Q_COUNT; q++)
        v->counts[q] = 0;
    for (size_t i = 0; i < l.n; i++) {
        const struct ticket *t = &l.v[i];

        for (size_t q = 0; counts && q < Q_COUNT; q++) {
            if (queue_match(v, q, t))
                v->counts[q]++;
        }
        if (queue_match(v, v->q, t) && filter_match(v, t))
            rows_add(v, t);
    }
    cache_tickets_fini(&l);
    if (v->n > 1)
        qsort(v->rows, v->n, sizeof *v->rows, row_cmp);
    if (counts)
        v->counts_cached = true;
    v->cached = true;
    v->total = (int64_t)v->n;
    free(v->cursor);
    v->cursor = NULL;
    restore_selection(v);
}

/* ---- loading from the server ---- */

/* Fill a list query for queue q, with the filter when with_filter (strings borrowed); false
 * when the filter's status lies outside the queue's statuses (nothing can match). */
static bool
queue_query(const struct tickets_view *v, size_t q, bool with_filter,
            struct api_ticket_query *out, char *status, size_t ssz)
{
    const struct queue_def *d = &queues[q];
    const char *st = queue_status(v, q);

    memset(out, 0, sizeof *out);
    out->flag = d->flag;
    out->mine = d->mine && !is_unit(v);
    out->order = d->order;
    status[0] = '\0';
    if (st != NULL)
        str_copy(status, ssz, st);
    if (with_filter) {
        if (v->filter.status >= 0) {
            const char *want = status_str((enum status)v->filter.status);

            /* Within the queue's statuses only: outside them nothing matches. */
            if (st != NULL && !in_list(st, want))
                return false;
            str_copy(status, ssz, want);
        }
        out->q = v->filter.q;
        out->nature = v->filter.nature >= 0 ? nature_str((enum nature)v->filter.nature) : NULL;
        out->unit = v->filter.unit;
    }
    out->status = status[0] != '\0' ? status : NULL;
    return true;
}

/* Answer of a page of the active queue. */
static void
page_done(struct api_result *r, void *arg)
{
    struct tickets_view *v = arg;
    bool first;

    if (r->cancelled || r->id != v->page_call)
        return;
    v->page_call = 0;
    first = v->page_first;
    free(v->error);
    v->error = NULL;
    if (r->code != HL_OK) {
        v->open_pending = false;
        if (!r->offline && r->status != 401)
            v->error = xstrdup(r->err.msg);
        app_mark_dirty(v->app, APP_DIRTY_BODY);
        return;
    }
    if (first) {
        keep_selection(v);
        rows_clear(v);
        v->cached = false;
        v->total = r->page.total;
    }
    for (size_t i = 0; i < r->page.n; i++) {
        if (date_ok(v, r->page.items[i].created_at))
            rows_add(v, &r->page.items[i]);
    }
    free(v->cursor);
    v->cursor = r->page.next_cursor;
    r->page.next_cursor = NULL;
    if (first)
        restore_selection(v);
    else
        list_set_count(&v->list, v->n);
    if (first && v->open_pending) {
        v->open_pending = false;
        if (v->mode == MODE_LIST && !v->filter_open)
            open_detail(v);
    }
    /* A date range drops rows here: keep loading until the screen is full. */
    if (v->cursor != NULL && v->n < v->list.sel + (size_t)v->list.height + PREFETCH)
        load_page(v, false);
    app_mark_dirty(v->app, APP_DIRTY_BODY);
}

/* Ask for the first page of the active queue (first) or the next one. */
static void
load_page(struct tickets_view *v, bool first)
{
    struct api *api = app_api(v->app);
    struct api_ticket_query q;
    char status[96];
    struct err e;

    if (api == NULL || !app_session(v->app)->known)
        return;
    if (!first && (v->cursor == NULL || v->page_call != 0))
        return;
    if (v->page_call != 0)
        api_cancel(api, v->page_call);
    v->page_call = 0;
    if (!queue_query(v, v->q, true, &q, status, sizeof status)) {
        rows_clear(v);
        free(v->cursor);
        v->cursor = NULL;
        v->cached = false;
        v->total = 0;
        list_set_count(&v->list, 0);
        return;
    }
    q.limit = PAGE_LIMIT;
    q.count = first;
    if (first) {
        free(v->cursor);
        v->cursor = NULL;
    } else {
        q.cursor = v->cursor;
    }
    v->page_first = first;
    err_clear(&e);
    v->page_call = api_ticket_list(api, &q, page_done, v, &e);
    if (v->page_call == 0) {
        free(v->error);
        v->error = xstrdup(e.msg);
    }
}

/* Answer of a queue's count. */
static void
count_done(struct api_result *r, void *arg)
{
    struct count_req *cr = arg;
    struct tickets_view *v = cr->v;

    if (r->cancelled || r->id != cr->call)
        return;
    cr->call = 0;
    if (r->code != HL_OK || r->page.total < 0)
        return;
    v->counts[cr->q] = r->page.total;
    v->counts_cached = false;
    app_mark_dirty(v->app, APP_DIRTY_BODY);
}

/* Ask for every queue's count (count=1, one row). */
static void
load_counts(struct tickets_view *v)
{
    struct api *api = app_api(v->app);

    if (api == NULL || !app_session(v->app)->known)
        return;
    for (size_t i = 0; i < Q_COUNT; i++) {
        struct count_req *cr = &v->count_reqs[i];
        struct api_ticket_query q;
        char status[96];
        struct err e;

        if (cr->call != 0)
            api_cancel(api, cr->call);
        cr->v = v;
        cr->q = i;
        /* The counts are the queues' own, without the filter. */
        queue_query(v, i, false, &q, status, sizeof status);
        q.limit = 1;
        q.count = true;
        err_clear(&e);
        cr->call = api_ticket_list(api, &q, count_done, cr, &e);
    }
}

/* Counts and the first page again (after a change), keeping the place in the list. */
static void
reload_all(struct tickets_view *v)
{
    load_counts(v);
    /* Deep in a long list a reload would lose the place: only the top is reloaded. */
    if (v->list.sel + PREFETCH < PAGE_LIMIT || v->cached)
        load_page(v, true);
    if (v->mode != MODE_LIST && v->detail_id != NULL && v->action_call == 0 &&
        !v->form.open && v->mode != MODE_CONFLICT)
        load_detail(v);
}

/* Timer: the debounced refresh. */
static void
refresh_fire(void *arg)
{
    struct tickets_view *v = arg;

    v->refresh_timer = 0;
    reload_all(v);
}

/* Refresh soon (changes come in bursts). */
static void
refresh_soon(struct tickets_view *v)
{
    if (v->refresh_timer != 0 || v->app->loop == NULL)
        return;
    v->refresh_timer = loop_after(v->app->loop, REFRESH_DELAY_MS, refresh_fire, v);
}

/* Show the active queue afresh: from the server when online (the cache is read only while
 * the server is away: decoding thousands of cached tickets costs more than a page). */
static void
show_queue(struct tickets_view *v)
{
    list_init(&v->list);
    v->open_pending = false;
    if (app_online(v->app)) {
        rows_clear(v);
        v->cached = false;
        v->total = -1;
    } else {
        paint_from_cache(v);
    }
    load_page(v, true);
    app_mark_dirty(v->app, APP_DIRTY_BODY);
}

/* Switch to queue q. */
static void
set_queue(struct tickets_view *v, size_t q)
{
    if (q >= Q_COUNT)
        return;
    v->q = q;
    show_queue(v);
}

/* ---- detail ---- */

/* Use t (owned from now on) as the detail. */
static void
set_detail(struct tickets_view *v, struct ticket *t, bool cached)
{
    ticket_free(&v->detail);
    v->detail = t;
    v->detail_cached = cached;
    v->lines_stale = true;
    app_mark_dirty(v->app, APP_DIRTY_BODY);
}

/* Answer of GET /tickets/{id} for the detail. */
static void
detail_done(struct api_result *r, void *arg)
{
    struct tickets_view *v = arg;

    if (r->cancelled || r->id != v->detail_call)
        return;
    v->detail_call = 0;
    if (r->code != HL_OK) {
        if (!r->offline && r->status != 401)
            app_message(v->app, APP_MSG_ERROR, "%s", r->err.msg);
        return;
    }
    set_detail(v, r->ticket, false);
    r->ticket = NULL;
}

/* Ask for the detail's ticket. */
static void
load_detail(struct tickets_view *v)
{
    struct api *api = app_api(v->app);
    struct err e;

    if (api == NULL || v->detail_id == NULL)
        return;
    if (v->detail_call != 0)
        api_cancel(api, v->detail_call);
    err_clear(&e);
    v->detail_call = api_ticket_get(api, v->detail_id, detail_done, v, &e);
}

/* Open the detail of the selected ticket: the cached copy at once, then the server's. */
static void
open_detail(struct tickets_view *v)
{
    const struct row *r = selected_row(v);
    struct cache *c = app_cache(v->app);
    struct ticket *t = NULL;

    if (r == NULL)
        return;
    free(v->detail_id);
    v->detail_id = xstrdup(r->id);
    ticket_free(&v->detail);
    if (c != NULL && cache_get_ticket(c, r->id, &t, NULL) == HL_OK)
        set_detail(v, t, true);
    v->scroll = 0;
    v->mode = MODE_DETAIL;
    load_detail(v);
    app_mark_dirty(v->app, APP_DIRTY_BODY | APP_DIRTY_FOOTER);
}

/* Back from the detail to the list. */
static void
close_detail(struct tickets_view *v)
{
    v->mode = MODE_LIST;
    v->menu_open = false;
    app_mark_dirty(v->app, APP_DIRTY_BODY | APP_DIRTY_FOOTER);
}

/* ---- actions ---- */

/* Free the menu's sentences. */
static void
menu_clear(struct tickets_view *v)
{
    for (size_t i = 0; i < v->menu_n; i++) {
        free(v->menu[i].why);
        free(v->menu[i].reason);
    }
    v->menu_n = 0;
}

/* The actions this user may see on the detail, each decided by rules_check now. */
static void
build_menu(struct tickets_view *v)
{
    const struct rules *rules = app_rules(v->app);
    struct rule_actor who;
    struct verdict vd;
    hl_time now = app_now(v->app);

    menu_clear(v);
    app_actor(v->app, &who);
    for (int a = 0; a < ACTION_COUNT; a++) {
        struct menu_entry *m;

        if (rules != NULL) {
            rules_check(rules, app_calendar(v->app), app_tz(v->app), v->detail, (enum action)a,
                        &who, now, &vd);
            /* Another role's actions are not shown at all. */
            if (!vd.ok && strcmp(vd.code, "forbidden_role") == 0)
                continue;
        } else {
            vd.ok = true;
        }
        m = &v->menu[v->menu_n++];
        m->edit = false;
        m->action = (enum action)a;
        m->ok = vd.ok;
        m->why = vd.ok ? NULL : ticket_text_refusal(v->app, (enum action)a, &vd);
        m->reason = NULL;
        if (!vd.ok && vd.possible_from != 0) {
            char when[32];

            app_format_time(v->app, vd.possible_from, true, when, sizeof when);
            m->reason = xasprintf(_("possible from %s: %s"), when, ticket_text_reason(&vd));
        } else if (!vd.ok) {
            m->reason = xstrdup(ticket_text_reason(&vd));
        }
    }
    rules_check_edit(v->detail, &who, &vd);
    if (strcmp(vd.code, "forbidden_role") != 0) {
        struct menu_entry *m = &v->menu[v->menu_n++];

        m->edit = true;
        m->ok = vd.ok;
        m->why = vd.ok ? NULL : xasprintf(_("Edit: %s"), ticket_text_reason(&vd));
        m->reason = vd.ok ? NULL : xstrdup(ticket_text_reason(&vd));
    }
    /* Start on the first possible action. */
    v->menu_sel = 0;
    for (size_t i = 0; i < v->menu_n; i++) {
        if (v->menu[i].ok) {
            v->menu_sel = i;
            break;
        }
    }
}

/* Forget the action in flight. */
static void
pending_clear(struct tickets_view *v)
{
    if (v->pending_set)
        codec_action_fini(&v->pending);
    v->pending_set = false;
    v->pending_edit = false;
    ticket_free(&v->pending_ticket);
    strlist_fini(&v->pending_fields);
}

/* Close the conflict screen. */
static void
conflict_close(struct tickets_view *v)
{
    ticket_free(&v->c_theirs);
    ticket_conflict_fini(&v->diffs);
    v->c_scroll = 0;
    v->mode = v->detail_id != NULL ? MODE_DETAIL : MODE_LIST;
    app_mark_dirty(v->app, APP_DIRTY_BODY | APP_DIRTY_FOOTER);
}

/* Show the 412 screen: the version acted on against theirs (owned from now on). */
static void
conflict_open(struct tickets_view *v, struct ticket *theirs)
{
    ticket_free(&v->c_theirs);
    ticket_conflict_fini(&v->diffs);
    v->c_theirs = theirs;
    ticket_conflict_diff(v->app, v->pending_ticket != NULL ? v->pending_ticket : v->detail,
                         theirs, &v->diffs);
    v->c_scroll = 0;
    v->mode = MODE_CONFLICT;
    app_message(v->app, APP_MSG_WARN, "%s",
                _("Someone changed the ticket first: compare both versions and choose."));
    app_mark_dirty(v->app, APP_DIRTY_BODY | APP_DIRTY_FOOTER);
}

static void send_pending(struct tickets_view *v, int64_t version);

/* Put the pending action or edit into the outbox (the server is away). */
static void
queue_pending(struct tickets_view *v, int64_t version)
{
    struct api *api = app_api(v->app);
    struct err e;
    int rc;

    err_clear(&e);
    if (v->pending_edit)
        rc = api_queue_patch(api, v->pending_ticket, version, &v->pending_fields, NULL, &e);
    else
        rc = api_queue_action(api, v->detail_id, version, &v->pending, NULL, &e);
    if (rc != HL_OK) {
        app_message(v->app, APP_MSG_ERROR, _("cannot keep the change for later: %s"), e.msg);
        return;
    }
    app_outbox_changed(v->app);
    app_message(v->app, APP_MSG_WARN, "%s",
                _("kept in the outbox until the server is back"));
    pending_clear(v);
}

/* Answer of an action or an edit. */
static void
action_done(struct api_result *r, void *arg)
{
    struct tickets_view *v = arg;
    char *msg;

    if (r->cancelled || r->id != v->action_call)
        return;
    v->action_call = 0;
    app_mark_dirty(v->app, APP_DIRTY_BODY);
    if (r->code == HL_OK && r->ticket != NULL) {
        app_message(v->app, APP_MSG_INFO, _("%s: done (%s, v%lld)"),
                    v->pending_edit ? _("Edit") : ticket_text_action(v->pending.action),
                    r->ticket->id, (long long)r->ticket->version);
        pending_clear(v);
        set_detail(v, r->ticket, false);
        r->ticket = NULL;
        app_ticket_changed(v->app, v->detail);
        refresh_soon(v);
        return;
    }
    if (r->status == 412) {
        if (r->current != NULL) {
            conflict_open(v, r->current);
            r->current = NULL;
        } else {
            load_detail(v);
            app_message(v->app, APP_MSG_WARN, "%s", _("the ticket changed meanwhile: look again"));
            pending_clear(v);
        }
        return;
    }
    if (r->offline) {
        queue_pending(v, v->pending_ticket != NULL ? v->pending_ticket->version : -1);
        return;
    }
    if (r->status == 401) {
        /* The login comes back; the change is not lost: it waits in the outbox. */
        queue_pending(v, v->pending_ticket != NULL ? v->pending_ticket->version : -1);
        return;
    }
    if (v->pending_edit)
        msg = xasprintf(_("Edit: %s"), r->err.msg);
    else
        msg = ticket_text_server_refusal(v->app, v->pending.action, r->error_code,
                                         r->possible_from, r->err.msg);
    app_message(v->app, APP_MSG_ERROR, "%s", msg);
    free(msg);
    pending_clear(v);
    load_detail(v);
}

/* Send the pending action or edit on top of version (If-Match). */
static void
send_pending(struct tickets_view *v, int64_t version)
{
    struct api *api = app_api(v->app);
    struct err e;

    if (api == NULL)
        return;
    if (!app_online(v->app)) {
        queue_pending(v, version);
        return;
    }
    err_clear(&e);
    if (v->pending_edit)
        v->action_call = api_ticket_patch(api, v->pending_ticket, version, &v->pending_fields,
                                          action_done, v, &e);
    else
        v->action_call = api_ticket_action(api, v->detail_id, version, &v->pending, action_done,
                                           v, &e);
    if (v->action_call == 0) {
        app_message(v->app, APP_MSG_ERROR, "%s", e.msg);
        pending_clear(v);
        return;
    }
    app_message(v->app, APP_MSG_INFO, "%s", _("sending..."));
}

/* Submit the open form: check what can be checked here, then send. */
static void
submit_form(struct tickets_view *v)
{
    struct action_body b;
    struct err e;

    err_clear(&e);
    pending_clear(v);
    if (v->form.edit) {
        v->pending_ticket = ticket_conflict_copy(v->detail);
        if (v->pending_ticket == NULL)
            return;
        ticket_form_apply_edit(&v->form, v->pending_ticket, &v->pending_fields);
        if (v->pending_fields.n == 0) {
            ticket_form_set_error(&v->form, _("Nothing was changed."));
            pending_clear(v);
            return;
        }
        v->pending_edit = true;
    } else {
        struct verdict vd;
        struct rule_actor who;

        if (ticket_form_body(&v->form, v->app, &b, &e) != HL_OK) {
            ticket_form_set_error(&v->form, e.msg);
            return;
        }
        /* Arguments the rules can judge here (days, satisfaction) are judged here; timing
         * and state are the server's to decide with its own clock. */
        app_actor(v->app, &who);
        if (app_rules(v->app) != NULL) {
            rules_check_args(app_rules(v->app), app_calendar(v->app), app_tz(v->app), v->detail,
                             b.action, &who, &b, app_now(v->app), &vd);
            if (!vd.ok && (vd.kind == VERDICT_INVALID ||
                           strcmp(vd.code, "extension_too_long") == 0)) {
                char *msg = ticket_text_refusal(v->app, b.action, &vd);

                ticket_form_set_error(&v->form, msg);
                free(msg);
                codec_action_fini(&b);
                return;
            }
        }
        v->pending = b;
        v->pending_set = true;
        v->pending_ticket = ticket_conflict_copy(v->detail);
    }
    ticket_form_close(&v->form);
    send_pending(v, v->detail->version);
}

/* The answer to "accept/archive this ticket?". */
static void
trivial_answered(struct app *app, bool yes, void *arg)
{
    struct tickets_view *v = arg;
    enum action a = v->confirm_action;

    (void)app;
    if (!yes || v->detail == NULL)
        return;
    pending_clear(v);
    memset(&v->pending, 0, sizeof v->pending);
    v->pending.action = a;
    v->pending_set = true;
    v->pending_ticket = ticket_conflict_copy(v->detail);
    send_pending(v, v->detail->version);
}

/* Enter on a menu entry: its form, a question, or why not. */
static void
choose_menu(struct tickets_view *v)
{
    struct menu_entry *m;
    char *q;

    if (v->menu_sel >= v->menu_n || v->detail == NULL)
        return;
    m = &v->menu[v->menu_sel];
    if (!m->ok) {
        app_message(v->app, APP_MSG_WARN, "%s", m->why);
        return;
    }
    v->menu_open = false;
    if (m->edit) {
        ticket_form_open_edit(&v->form, v->detail);
    } else if (ticket_form_trivial(m->action)) {
        v->confirm_action = m->action;
        q = xasprintf(_("%s %s?"), ticket_text_action(m->action), v->detail->id);
        app_confirm(v->app, ticket_text_action(m->action), q, trivial_answered, v);
        free(q);
    } else {
        ticket_form_open(&v->form, v->app, v->detail, m->action);
    }
    app_mark_dirty(v->app, APP_DIRTY_BODY);
}

/* ---- the filter form ---- */

/* Open the filter form with the filter's values. */
static void
filter_open(struct tickets_view *v)
{
    char buf[16];

    input_set(&v->ff_text, v->filter.q != NULL ? v->filter.q : "");
    v->ff_status = (size_t)(v->filter.status + 1);
    v->ff_nature = (size_t)(v->filter.nature + 1);
    v->ff_unit = 0;
    if (v->filter.unit != NULL && app_meta(v->app) != NULL) {
        for (size_t i = 0; i < app_meta(v->app)->n_units; i++) {
            if (strcmp(app_meta(v->app)->units[i].code, v->filter.unit) == 0)
                v->ff_unit = i + 1;
        }
    }
    buf[0] = '\0';
    if (v->filter.from_day != INT64_MIN)
        datetime_format_date(v->filter.from_day, buf, sizeof buf);
    input_set(&v->ff_from, buf);
    buf[0] = '\0';
    if (v->filter.to_day != INT64_MAX)
        datetime_format_date(v->filter.to_day, buf, sizeof buf);
    input_set(&v->ff_to, buf);
    v->ff_focus = FF_TEXT;
    free(v->ff_error);
    v->ff_error = NULL;
    v->filter_open = true;
    app_mark_dirty(v->app, APP_DIRTY_BODY);
}

/* Apply the filter form; false with ff_error set when a date is wrong. */
static bool
filter_apply(struct tickets_view *v)
{
    struct filter f = {NULL, -1, -1, NULL, INT64_MIN, INT64_MAX};
    const char *from = input_text(&v->ff_from), *to = input_text(&v->ff_to);
    const struct api_meta *m = app_meta(v->app);

    if (from[0] != '\0' && !datetime_parse_date(from, &f.from_day)) {
        free(v->ff_error);
        v->ff_error = xstrdup(_("From: give a date as YYYY-MM-DD"));
        return false;
    }
    if (to[0] != '\0' && !datetime_parse_date(to, &f.to_day)) {
        free(v->ff_error);
        v->ff_error = xstrdup(_("To: give a date as YYYY-MM-DD"));
        return false;
    }
    f.q = str_empty(input_text(&v->ff_text)) ? NULL : xstrdup(input_text(&v->ff_text));
    f.status = (int)v->ff_status - 1;
    f.nature = (int)v->ff_nature - 1;
    if (v->ff_unit > 0 && m != NULL && v->ff_unit <= m->n_units)
        f.unit = xstrdup(m->units[v->ff_unit - 1].code);
    filter_clear(&v->filter);
    v->filter = f;
    return true;
}

/* Move a choice of the filter form by delta within n values. */
static void
cycle(size_t *c, size_t n, int delta)
{
    if (n == 0)
        return;
    *c = (*c + n + (size_t)(delta < 0 ? n - 1 : 1)) % n;
}

/* A key for the filter form. */
static void
filter_key(struct tickets_view *v, const struct key_event *ev)
{
    const struct api_meta *m = app_meta(v->app);
    size_t nunits = m != NULL ? m->n_units + 1 : 1;
    struct input *in = v->ff_focus == FF_TEXT ? &v->ff_text
                       : v->ff_focus == FF_FROM ? &v->ff_from
                       : v->ff_focus == FF_TO ? &v->ff_to : NULL;

    switch (ev->cmd) {
    case CMD_CANCEL:
        v->filter_open = false;
        return;
    case CMD_ENTER:
        if (filter_apply(v)) {
            v->filter_open = false;
            show_queue(v);
        }
        return;
    case CMD_FIELD_NEXT:
        v->ff_focus = (v->ff_focus + 1) % FF_COUNT;
        return;
    case CMD_FIELD_PREV:
        v->ff_focus = (v->ff_focus + FF_COUNT - 1) % FF_COUNT;
        return;
    default:
        break;
    }
    if (ev->keycode && (ev->ch == KEY_UP || ev->ch == KEY_DOWN)) {
        v->ff_focus = (v->ff_focus + (ev->ch == KEY_DOWN ? 1 : FF_COUNT - 1)) % FF_COUNT;
        return;
    }
    if (in != NULL) {
        input_key(in, ev);
        return;
    }
    if (ev->cmd == CMD_LEFT || ev->cmd == CMD_RIGHT || (!ev->keycode && ev->ch == ' ')) {
        int d = ev->cmd == CMD_LEFT ? -1 : 1;

        if (v->ff_focus == FF_STATUS)
            cycle(&v->ff_status, STATUS_COUNT + 1, d);
        else if (v->ff_focus == FF_NATURE)
            cycle(&v->ff_nature, NATURE_COUNT + 1, d);
        else if (v->ff_focus == FF_UNIT)
            cycle(&v->ff_unit, nunits, d);
    }
}

/* Draw the filter form. */
static void
filter_draw(struct tickets_view *v, WINDOW *w, const struct rect *area)
{
    const struct theme *th = &v->app->theme;
    const struct api_meta *m = app_meta(v->app);
    static const char *const labels[FF_COUNT] = {
        N_("Text"), N_("Status"), N_("Nature"), N_("Unit"), N_("Accepted from"), N_("Accepted to"),
    };
    struct rect box = layout_center(area, FF_COUNT * 2 + 5, area->w - 4 < 70 ? area->w - 4 : 70);
    int fx = box.x + 18, fw = box.w - 20;

    draw_frame(w, &box, _("Filter and search"), theme_attr(th, SLOT_BORDER),
               theme_attr(th, SLOT_DIALOG));
    for (int i = 0; i < FF_COUNT; i++) {
        int y = box.y + 2 + i * 2, cx = 0;
        attr_t a = theme_attr(th, (size_t)i == v->ff_focus ? SLOT_INPUT_FOCUS : SLOT_INPUT);
        const char *val = NULL;
        char *choice;

        draw_text(w, y, box.x + 2, 15, _(labels[i]), theme_attr(th, SLOT_LABEL));
        switch (i) {
        case FF_TEXT:
        case FF_FROM:
        case FF_TO: {
            struct input *in = i == FF_TEXT ? &v->ff_text : i == FF_FROM ? &v->ff_from : &v->ff_to;

            input_draw(in, w, y, fx, fw, a, &cx);
            if ((size_t)i == v->ff_focus)
                app_set_cursor(v->app, w, y, cx);
            continue;
        }
        case FF_STATUS:
            val = v->ff_status == 0 ? _("any")
                                    : ticket_text_status((enum status)(v->ff_status - 1));
            break;
        case FF_NATURE:
            val = v->ff_nature == 0 ? _("any")
                                    : ticket_text_nature((enum nature)(v->ff_nature - 1));
            break;
        default:
            val = v->ff_unit == 0 || m == NULL || v->ff_unit > m->n_units ? _("any")
                  : m->units[v->ff_unit - 1].name;
            break;
        }
        choice = xasprintf("< %s >", val != NULL ? val : "?");
        draw_fill(w, y, fx, fw, a);
        draw_text(w, y, fx, fw, choice, a);
        free(choice);
    }
    if (v->ff_error != NULL)
        draw_text(w, box.y + box.h - 3, box.x + 2, box.w - 4, v->ff_error,
                  theme_attr(th, SLOT_ERROR));
    draw_text(w, box.y + box.h - 2, box.x + 2, box.w - 4,
              _("Text: a Chinese substring, an id. Left/Right choose. Enter applies, Esc closes."),
              theme_attr(th, SLOT_MUTED));
}

/* ---- drawing ---- */

/* The queue bar, wrapped over as many lines as it needs; returns the lines used. */
static int
draw_queues(struct tickets_view *v, WINDOW *w, const struct rect *r)
{
    const struct theme *th = &v->app->theme;
    int x = r->x, y = r->y;

    for (size_t i = 0; i < Q_COUNT; i++) {
        char count[24], *label;
        int width;

        if (v->counts[i] >= 0)
            snprintf(count, sizeof count, "%lld", (long long)v->counts[i]);
        else
            str_copy(count, sizeof count, "…");
        label = xasprintf(" %s %s ", queue_name(v, i), count);
        width = text_width(label);
        if (x > r->x && x + width > r->x + r->w) {
            x = r->x;
            y++;
        }
        draw_text(w, y, x, r->w - (x - r->x), label,
                  theme_attr(th, i == v->q ? SLOT_TAB_ACTIVE : SLOT_TAB));
        x += width + 1;
        free(label);
    }
    return y - r->y + 1;
}

/* A summary of the active filter, or NULL. Caller owns. */
static char *
filter_summary(const struct tickets_view *v)
{
    const struct filter *f = &v->filter;
    struct strbuf sb;
    char d[16];

    if (!filter_active(v))
        return NULL;
    strbuf_init(&sb);
    strbuf_adds(&sb, _("Filter:"));
    if (f->q != NULL)
        strbuf_addf(&sb, " \"%s\"", f->q);
    if (f->status >= 0)
        strbuf_addf(&sb, " %s", ticket_text_status((enum status)f->status));
    if (f->nature >= 0)
        strbuf_addf(&sb, " %s", ticket_text_nature((enum nature)f->nature));
    if (f->unit != NULL)
        strbuf_addf(&sb, " %s", app_unit_name(v->app, f->unit));
    if (f->from_day != INT64_MIN || f->to_day != INT64_MAX) {
        strbuf_adds(&sb, " ");
        if (f->from_day != INT64_MIN) {
            datetime_format_date(f->from_day, d, sizeof d);
            strbuf_adds(&sb, d);
        }
        strbuf_adds(&sb, "..");
        if (f->to_day != INT64_MAX) {
            datetime_format_date(f->to_day, d, sizeof d);
            strbuf_adds(&sb, d);
        }
    }
    strbuf_addf(&sb, "  (%s)", _("Esc clears"));
    return strbuf_detach(&sb);
}

/* Draw one ticket row (list_row_fn). */
static void
draw_row(void *arg, WINDOW *w, size_t i, int y, int x, int width, bool selected)
{
    struct tickets_view *v = arg;
    const struct theme *th = &v->app->theme;
    const struct row *r = &v->rows[i];
    int widths[COL_COUNT];
    const char *cells[COL_COUNT];
    char left[32], *line;
    enum slot slot;
    attr_t base = theme_attr(th, selected ? SLOT_SELECTED : SLOT_NORMAL);
    int lx = x;

    list_layout(columns, COL_COUNT, width, GAP, widths);
    ticket_text_left(r->deadline, app_now(v->app), (r->flags & FLAG_NEAR_DUE) != 0, left,
                     sizeof left, &slot);
    cells[COL_ID] = r->id;
    cells[COL_STATUS] = ticket_text_status(r->status);
    cells[COL_NATURE] = ticket_text_nature(r->nature);
    cells[COL_TITLE] = r->title != NULL ? r->title : "";
    cells[COL_LEAD] = r->lead != NULL ? app_unit_name(v->app, r->lead) : "-";
    cells[COL_LEFT] = "";
    line = list_format_row(columns, cells, widths, COL_COUNT, GAP);
    draw_fill(w, y, x, width, base);
    draw_text(w, y, x, width, line, base);
    free(line);
    for (int c = 0; c < COL_LEFT; c++)
        lx += widths[c] > 0 ? widths[c] + GAP : 0;
    if (widths[COL_LEFT] > 0)
        draw_text_right(w, y, lx, widths[COL_LEFT], left,
                        selected ? base : theme_attr(th, slot));
    if ((r->flags & FLAG_EMERGENCY) && !selected)
        draw_text(w, y, x, 1, "!", theme_attr(th, SLOT_EMERGENCY));
}

/* The list mode: queue bar, filter line, headings, rows, summary. */
static void
draw_list(struct tickets_view *v, WINDOW *w, const struct rect *r)
{
    const struct theme *th = &v->app->theme;
    const char *cells[COL_COUNT];
    int widths[COL_COUNT];
    char *s, *summary;
    struct rect lr;
    int y = r->y;

    y += draw_queues(v, w, r);
    s = filter_summary(v);
    if (s != NULL) {
        draw_text(w, y++, r->x + 1, r->w - 2, s, theme_attr(th, SLOT_HIGHLIGHT));
        free(s);
    }
    list_layout(columns, COL_COUNT, r->w, GAP, widths);
    for (int c = 0; c < COL_COUNT; c++)
        cells[c] = _(columns[c].title);
    s = list_format_row(columns, cells, widths, COL_COUNT, GAP);
    draw_fill(w, y, r->x, r->w, theme_attr(th, SLOT_HEADER));
    draw_text(w, y++, r->x, r->w, s, theme_attr(th, SLOT_HEADER));
    free(s);
    lr = (struct rect){y, r->x, r->y + r->h - 1 - y, r->w};
    if (lr.h < 1)
        return;
    list_set_count(&v->list, v->n);
    if (v->n == 0) {
        struct rect t = {y + 1, r->x + 2, lr.h - 1, r->w - 4};
        char *conn = app_conn_sentence(v->app);

        if (!app_session(v->app)->known)
            draw_paragraph(w, &t, 0, conn, theme_attr(th, app_conn_slot(v->app)));
        else if (v->page_call != 0)
            draw_paragraph(w, &t, 0, _("Loading..."), theme_attr(th, SLOT_MUTED));
        else
            draw_paragraph(w, &t, 0, _("No tickets in this queue."), theme_attr(th, SLOT_MUTED));
        free(conn);
    } else {
        list_draw(&v->list, w, &lr, draw_row, v);
    }
    if (v->total >= 0)
        summary = xasprintf(_("%s: %lld tickets, %zu loaded, soonest deadline first"),
                            queue_name(v, v->q), (long long)v->total, v->n);
    else
        summary = xasprintf(_("%s: %zu tickets shown"), queue_name(v, v->q), v->n);
    if (v->cached) {
        s = xasprintf("%s · %s", summary, _("cached: the server has not answered yet"));
        free(summary);
        summary = s;
    }
    if (v->error != NULL) {
        s = xasprintf("%s · %s", summary, v->error);
        free(summary);
        summary = s;
    }
    draw_text(w, r->y + r->h - 1, r->x + 1, r->w - 2, summary,
              theme_attr(th, v->error != NULL ? SLOT_ERROR : v->cached ? SLOT_WARN : SLOT_MUTED));
    free(summary);
}

/* The actions menu over the detail. */
static void
draw_menu(struct tickets_view *v, WINDOW *w, const struct rect *r)
{
    const struct theme *th = &v->app->theme;
    struct rect box = layout_center(r, (int)v->menu_n + 4, r->w - 4);

    draw_frame(w, &box, _("Actions"), theme_attr(th, SLOT_BORDER), theme_attr(th, SLOT_DIALOG));
    for (size_t i = 0; i < v->menu_n && (int)i < box.h - 4; i++) {
        const struct menu_entry *m = &v->menu[i];
        int y = box.y + 2 + (int)i;
        bool sel = i == v->menu_sel;
        attr_t a = theme_attr(th, sel ? SLOT_SELECTED : m->ok ? SLOT_NORMAL : SLOT_MUTED);
        const char *name = m->edit ? _("Edit the matter") : ticket_text_action(m->action);
        char *label = xasprintf("%c  %s", m->edit ? MENU_EDIT_LETTER : menu_letters[m->action],
                                name);

        draw_fill(w, y, box.x + 1, box.w - 2, a);
        draw_text(w, y, box.x + 2, 24, label, a);
        free(label);
        if (m->reason != NULL)
            draw_text(w, y, box.x + 27, box.w - 29, m->reason, a);
    }
}

/* The detail mode: the ticket's lines, scrolled. */
static void
draw_detail(struct tickets_view *v, WINDOW *w, const struct rect *r)
{
    const struct theme *th = &v->app->theme;
    int rows = r->h - 1;
    char *status;

    if (v->detail == NULL) {
        draw_text(w, r->y + 1, r->x + 2, r->w - 4, _("Loading..."), theme_attr(th, SLOT_MUTED));
        return;
    }
    if (v->lines_stale || v->lines_width != r->w - 2) {
        ticket_lines_fini(&v->lines);
        ticket_detail_build(v->app, v->detail, r->w - 2, &v->lines);
        v->lines_width = r->w - 2;
        v->lines_stale = false;
    }
    if (v->scroll > (int)v->lines.n - rows)
        v->scroll = (int)v->lines.n - rows;
    if (v->scroll < 0)
        v->scroll = 0;
    for (int i = 0; i < rows && (size_t)(v->scroll + i) < v->lines.n; i++) {
        const struct ticket_line *l = &v->lines.v[v->scroll + i];

        draw_text(w, r->y + i, r->x + 1, r->w - 2, l->text, theme_attr(th, l->slot));
    }
    status = xasprintf("%s%s  %s", v->detail_cached ? _("cached · ") : "",
                       v->pending_set ? _("sending...") : "",
                       _("a: actions  e: edit  r: refresh  Esc: back to the list"));
    draw_text(w, r->y + r->h - 1, r->x + 1, r->w - 2, status, theme_attr(th, SLOT_MUTED));
    free(status);
    if (v->menu_open)
        draw_menu(v, w, r);
}

/* The conflict mode: yours and theirs side by side, the fields that differ. */
static void
draw_conflict(struct tickets_view *v, WINDOW *w, const struct rect *r)
{
    const struct theme *th = &v->app->theme;
    int fw = 14, cw = (r->w - fw - 4) / 2, y = r->y;
    const struct ticket *mine = v->pending_ticket != NULL ? v->pending_ticket : v->detail;
    char *s, *h1, *h2;

    draw_text(w, y++, r->x + 1, r->w - 2, _("Conflict: the ticket changed since you opened it"),
              theme_attr(th, SLOT_TITLE));
    if (v->pending_edit)
        s = xasprintf(_("Your change: an edit of %zu field(s), made on v%lld."),
                      v->pending_fields.n, mine != NULL ? (long long)mine->version : 0LL);
    else
        s = xasprintf(_("Your change: %s, made on v%lld."), ticket_text_action(v->pending.action),
                      mine != NULL ? (long long)mine->version : 0LL);
    draw_text(w, y++, r->x + 1, r->w - 2, s, theme_attr(th, SLOT_NORMAL));
    free(s);
    y++;
    h1 = xasprintf(_("Yours (v%lld)"), mine != NULL ? (long long)mine->version : 0LL);
    h2 = xasprintf(_("Theirs (v%lld)"), (long long)v->c_theirs->version);
    draw_fill(w, y, r->x, r->w, theme_attr(th, SLOT_HEADER));
    draw_text(w, y, r->x + 1, fw, _("Field"), theme_attr(th, SLOT_HEADER));
    draw_text(w, y, r->x + 2 + fw, cw, h1, theme_attr(th, SLOT_HEADER));
    draw_text(w, y, r->x + 3 + fw + cw, cw, h2, theme_attr(th, SLOT_HEADER));
    free(h1);
    free(h2);
    y++;
    for (size_t i = (size_t)v->c_scroll; i < v->diffs.n && y < r->y + r->h - 2; i++) {
        const struct ticket_diff *d = &v->diffs.v[i];

        draw_text(w, y, r->x + 1, fw, _(d->field), theme_attr(th, SLOT_LABEL));
        draw_text(w, y, r->x + 2 + fw, cw, d->mine, theme_attr(th, SLOT_NORMAL));
        draw_text(w, y, r->x + 3 + fw + cw, cw, d->theirs, theme_attr(th, SLOT_HIGHLIGHT));
        y++;
    }
    draw_text(w, r->y + r->h - 1, r->x + 1, r->w - 2,
              _("m: apply yours on top of theirs   t or Esc: keep theirs (yours is dropped)"),
              theme_attr(th, SLOT_WARN));
}

/* view_ops.draw */
static void
tickets_draw(struct app *app, void *priv, WINDOW *w, const struct rect *r)
{
    struct tickets_view *v = priv;

    if (r->h < 6 || r->w < 20)
        return;
    /* Nobody signed in (no server, or the sign-in put off): the honest empty state. */
    if (!app_session(app)->known && v->n == 0) {
        empty_view_draw(app, priv, w, r);
        return;
    }
    switch (v->mode) {
    case MODE_DETAIL:
        draw_detail(v, w, r);
        break;
    case MODE_CONFLICT:
        if (v->c_theirs != NULL) {
            draw_conflict(v, w, r);
            break;
        }
        /* fall through */
    default:
        draw_list(v, w, r);
        break;
    }
    if (v->filter_open)
        filter_draw(v, w, r);
    if (v->form.open) {
        int cy, cx;

        ticket_form_draw(&v->form, v->app, w, r, &cy, &cx);
        if (cy >= 0)
            app_set_cursor(v->app, w, cy, cx);
    }
}

/* ---- keys ---- */

static const struct key_binding bindings[] = {
    {'a', false, CMD_VIEW_1, N_("Actions on the ticket (with the rule when not possible)"),
     N_("Actions"), NULL},
    {'e', false, CMD_VIEW_2, N_("Edit the matter (before dispatch)"), NULL, NULL},
    {'r', false, CMD_VIEW_3, N_("Refresh from the server"), N_("Refresh"), NULL},
    {']', false, CMD_VIEW_4, N_("Next queue (also Right, Tab)"), N_("Queue"), "←→"},
    {'[', false, CMD_VIEW_5, N_("Previous queue (also Left, Shift-Tab)"), NULL, NULL},
    {'m', false, CMD_VIEW_6, N_("Conflict: apply yours on top of theirs"), NULL, NULL},
    {'t', false, CMD_VIEW_7, N_("Conflict: keep theirs"), NULL, NULL},
};

static const struct keymap tickets_keys = {
    N_("Tickets"), bindings, ARRAY_SIZE(bindings),
};

/* Keys of the list mode. */
static bool
list_key(struct tickets_view *v, const struct key_event *ev)
{
    if (ev->cmd != CMD_ENTER)
        v->open_pending = false;
    switch (ev->cmd) {
    case CMD_ENTER:
    case CMD_VIEW_1:
        /* Typed ahead of a reloading queue (filter, Enter, Enter): open its first row when
         * the page arrives rather than drop the key. */
        if (ev->cmd == CMD_ENTER && v->n == 0 && v->page_call != 0 && v->page_first) {
            v->open_pending = true;
            return true;
        }
        open_detail(v);
        if (ev->cmd == CMD_VIEW_1 && v->detail != NULL) {
            build_menu(v);
            v->menu_open = true;
        }
        return true;
    case CMD_RIGHT:
    case CMD_FIELD_NEXT:
    case CMD_VIEW_4:
        set_queue(v, (v->q + 1) % Q_COUNT);
        return true;
    case CMD_LEFT:
    case CMD_FIELD_PREV:
    case CMD_VIEW_5:
        set_queue(v, (v->q + Q_COUNT - 1) % Q_COUNT);
        return true;
    case CMD_SEARCH:
        filter_open(v);
        return true;
    case CMD_VIEW_3:
        reload_all(v);
        return true;
    case CMD_CANCEL:
        if (!filter_active(v))
            return false;
        filter_clear(&v->filter);
        set_queue(v, v->q);
        app_message(v->app, APP_MSG_INFO, "%s", _("filter cleared"));
        return true;
    default:
        break;
    }
    if (list_cmd(&v->list, ev->cmd)) {
        if (v->cursor != NULL && v->list.sel + PREFETCH >= v->n)
            load_page(v, false);
        app_mark_dirty(v->app, APP_DIRTY_BODY);
        return true;
    }
    return false;
}

/* Keys of the detail mode. */
static bool
detail_key(struct tickets_view *v, const struct key_event *ev)
{
    int page = v->app->layout.body.h > 4 ? v->app->layout.body.h - 3 : 1;

    if (v->menu_open) {
        for (size_t i = 0; !ev->keycode && i < v->menu_n; i++) {
            const struct menu_entry *m = &v->menu[i];

            if ((wint_t)(m->edit ? MENU_EDIT_LETTER : menu_letters[m->action]) == ev->ch) {
                v->menu_sel = i;
                choose_menu(v);
                app_mark_dirty(v->app, APP_DIRTY_BODY);
                return true;
            }
        }
        switch (ev->cmd) {
        case CMD_UP:
            if (v->menu_sel > 0)
                v->menu_sel--;
            break;
        case CMD_DOWN:
            if (v->menu_sel + 1 < v->menu_n)
                v->menu_sel++;
            break;
        case CMD_ENTER:
            choose_menu(v);
            break;
        case CMD_CANCEL:
        case CMD_VIEW_1:
            v->menu_open = false;
            break;
        default:
            break;
        }
        app_mark_dirty(v->app, APP_DIRTY_BODY);
        return true;
    }
    switch (ev->cmd) {
    case CMD_ENTER:
    case CMD_VIEW_1:
        if (v->detail == NULL)
            return true;
        if (v->action_call != 0) {
            app_message(v->app, APP_MSG_INFO, "%s", _("wait: the last change is being sent"));
            return true;
        }
        build_menu(v);
        v->menu_open = true;
        break;
    case CMD_VIEW_2:
        if (v->detail != NULL) {
            struct rule_actor who;
            struct verdict vd;

            app_actor(v->app, &who);
            rules_check_edit(v->detail, &who, &vd);
            if (vd.ok)
                ticket_form_open_edit(&v->form, v->detail);
            else
                app_message(v->app, APP_MSG_WARN, _("Edit: %s"), ticket_text_reason(&vd));
        }
        break;
    case CMD_VIEW_3:
        load_detail(v);
        break;
    case CMD_CANCEL:
        close_detail(v);
        break;
    case CMD_UP:
        v->scroll--;
        break;
    case CMD_DOWN:
        v->scroll++;
        break;
    case CMD_PAGE_UP:
        v->scroll -= page;
        break;
    case CMD_PAGE_DOWN:
        v->scroll += page;
        break;
    case CMD_HOME:
        v->scroll = 0;
        break;
    case CMD_END:
        v->scroll = INT_MAX / 2;
        break;
    default:
        return false;
    }
    app_mark_dirty(v->app, APP_DIRTY_BODY);
    return true;
}

/* Keys of the conflict screen. */
static bool
conflict_key(struct tickets_view *v, const struct key_event *ev)
{
    switch (ev->cmd) {
    case CMD_VIEW_6:
    case CMD_ENTER: {
        /* Mine on top of theirs: the edit's fields onto their version, or the action again. */
        int64_t version = v->c_theirs->version;
        struct ticket *theirs = v->c_theirs;

        v->c_theirs = NULL;
        if (v->pending_edit) {
            struct ticket *base = ticket_conflict_copy(theirs);

            for (size_t i = 0; base != NULL && i < v->pending_fields.n; i++) {
                const char *f = v->pending_fields.v[i];

                if (strcmp(f, "title") == 0) {
                    free(base->title);
                    base->title = xstrdup(v->pending_ticket->title);
                } else if (strcmp(f, "location") == 0) {
                    free(base->location);
                    base->location = xstrdup(v->pending_ticket->location);
                } else if (strcmp(f, "description") == 0) {
                    free(base->description);
                    base->description = xstrdup(v->pending_ticket->description);
                }
            }
            if (base != NULL) {
                ticket_free(&v->pending_ticket);
                v->pending_ticket = base;
            }
        }
        set_detail(v, theirs, false);
        conflict_close(v);
        send_pending(v, version);
        return true;
    }
    case CMD_VIEW_7:
    case CMD_CANCEL: {
        struct ticket *theirs = v->c_theirs;

        v->c_theirs = NULL;
        set_detail(v, theirs, false);
        pending_clear(v);
        conflict_close(v);
        app_message(v->app, APP_MSG_INFO, "%s", _("kept theirs: your change was dropped"));
        return true;
    }
    case CMD_DOWN:
        if ((size_t)v->c_scroll + 1 < v->diffs.n)
            v->c_scroll++;
        break;
    case CMD_UP:
        if (v->c_scroll > 0)
            v->c_scroll--;
        break;
    default:
        break;
    }
    app_mark_dirty(v->app, APP_DIRTY_BODY);
    return true;    /* the screen keeps every key until the user chooses */
}

/* view_ops.key */
static bool
tickets_key(struct app *app, void *priv, const struct key_event *ev)
{
    struct tickets_view *v = priv;

    (void)app;
    if (v->form.open) {
        switch (ticket_form_key(&v->form, ev)) {
        case TICKET_FORM_SUBMIT:
            submit_form(v);
            break;
        case TICKET_FORM_CANCEL:
            ticket_form_close(&v->form);
            break;
        default:
            break;
        }
        app_mark_dirty(v->app, APP_DIRTY_BODY);
        return true;
    }
    if (v->filter_open) {
        filter_key(v, ev);
        app_mark_dirty(v->app, APP_DIRTY_BODY);
        return true;
    }
    switch (v->mode) {
    case MODE_DETAIL:
        return detail_key(v, ev);
    case MODE_CONFLICT:
        if (v->c_theirs != NULL)
            return conflict_key(v, ev);
        v->mode = MODE_LIST;
        /* fall through */
    default:
        return list_key(v, ev);
    }
}

/* ---- lifecycle and events ---- */

/* A session began (or began again): the cache at once, then the server. */
static void
start(struct tickets_view *v)
{
    v->started = true;
    /* Decoding thousands of cached tickets is for a visible tab only (tickets_enter). */
    if (app_active_view(v->app)->priv == v)
        paint_from_cache(v);
    load_counts(v);
    load_page(v, true);
    if (v->mode != MODE_LIST && v->detail_id != NULL)
        load_detail(v);
}

/* view_ops.on_event */
static void
tickets_on_event(struct app *app, void *priv, const struct app_event *ev)
{
    struct tickets_view *v = priv;

    (void)app;
    switch (ev->kind) {
    case APP_EV_SESSION:
        start(v);
        break;
    case APP_EV_CONN:
        if (v->started && app->conn == APP_CONN_ONLINE)
            refresh_soon(v);
        break;
    case APP_EV_FEED:
        if (ev->data != NULL && ((const struct api_feed_event *)ev->data)->type != NULL &&
            str_starts_with(((const struct api_feed_event *)ev->data)->type, "ticket."))
            refresh_soon(v);
        break;
    case APP_EV_TICKET:
    case APP_EV_OUTBOX:
        refresh_soon(v);
        break;
    case APP_EV_RELOAD:
        list_init(&v->list);
        reload_all(v);
        break;
    case APP_EV_LANG:
    case APP_EV_META:
        v->lines_stale = true;
        if (v->menu_open && v->detail != NULL)
            build_menu(v);
        break;
    default:
        break;
    }
    app_mark_dirty(app, APP_DIRTY_BODY);
}

/* view_ops.open */
static void
tickets_open(struct app *app, void *priv)
{
    struct tickets_view *v = priv;

    v->app = app;
    for (size_t i = 0; i < Q_COUNT; i++)
        v->counts[i] = -1;
    v->total = -1;
    list_init(&v->list);
    filter_clear(&v->filter);
    input_init(&v->ff_text, 100, 0);
    input_init(&v->ff_from, 10, 0);
    input_init(&v->ff_to, 10, 0);
}

/* view_ops.enter: the tab became active; while the server is away, paint from the cache
 * what nothing has painted yet. */
static void
tickets_enter(struct app *app, void *priv)
{
    struct tickets_view *v = priv;

    if (v->started && !app_online(app) && v->n == 0 && !v->cached)
        paint_from_cache(v);
}

/* view_ops.close */
static void
tickets_close(struct app *app, void *priv)
{
    struct tickets_view *v = priv;

    if (v->refresh_timer != 0 && app->loop != NULL)
        loop_cancel(app->loop, v->refresh_timer);
    rows_clear(v);
    free(v->rows);
    free(v->cursor);
    free(v->error);
    free(v->keep_id);
    filter_clear(&v->filter);
    input_fini(&v->ff_text);
    input_fini(&v->ff_from);
    input_fini(&v->ff_to);
    free(v->ff_error);
    free(v->detail_id);
    ticket_free(&v->detail);
    ticket_lines_fini(&v->lines);
    menu_clear(v);
    ticket_form_close(&v->form);
    pending_clear(v);
    ticket_free(&v->c_theirs);
    ticket_conflict_fini(&v->diffs);
}

/* view_ops.unsaved */
static bool
tickets_unsaved(struct app *app, void *priv)
{
    struct tickets_view *v = priv;

    (void)app;
    return v->form.open || v->mode == MODE_CONFLICT;
}

const struct view_ops tickets_view_ops = {
    .name = N_("Tickets"),
    .title = N_("Tickets: work orders"),
    .about = N_("Queues and filters of work orders, each with its timeline and every workflow "
                "action (dispatch, reply, extension, urge, callback, close) with the rule "
                "behind it."),
    .priv_size = sizeof(struct tickets_view),
    .open = tickets_open,
    .close = tickets_close,
    .enter = tickets_enter,
    .draw = tickets_draw,
    .key = tickets_key,
    .on_event = tickets_on_event,
    .unsaved = tickets_unsaved,
    .keys = &tickets_keys,
};
