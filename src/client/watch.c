/* watch: `hotline --watch`, the supervisor's read-only live dashboard, and its --once snapshots. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "buildconf.h"
#include "hotline/text.h"
#include "hotline/tz.h"
#include "hotline/util.h"
#include "i18n.h"
#include "keys.h"
#include "log.h"
#include "loop.h"
#include "net.h"
#include "session.h"
#include "term.h"
#include "theme.h"
#include "ui/draw.h"
#include "ui/footer.h"
#include "ui/help.h"
#include "watch.h"
#include "watch_model.h"
#include "xdg.h"

/* Every status but closed and archived. */
#define OPEN_STATUSES "accepted,dispatched,in_progress,returned,replied,callback"
/* Tickets fetched per alert kind in a full refresh. */
#define ALERT_LIST_LIMIT 30
/* Feed changes are gathered this long before refetching. */
#define DEBOUNCE_MS 200
/* Statistics are recomputed by the server: at most one fetch per this many ms from the feed. */
#define STATS_GAP_MS 5000
/* Tickets refetched one by one after a batch of changes; beyond it, the alert lists. */
#define TICKET_QUEUE 16
/* Long-poll wait of the feed, seconds (the server's maximum). */
#define FEED_WAIT_S 60
/* With a live feed, a full refresh every this many intervals (and at least every 5 min). */
#define SAFETY_INTERVALS 10
#define SAFETY_MIN_S 300
/* Reconnection: probe at most this far apart; "offline" after this long without answers. */
#define BACKOFF_MAX_MS 15000
#define OFFLINE_AFTER_MS 15000
/* --once gives up after this long. */
#define ONCE_TIMEOUT_MS 60000
/* The bell rings at most this often, ms. */
#define BELL_GAP_MS 2000

/* What a request fetches. */
enum part {
    P_META,       /* GET /meta: profile, units */
    P_COUNTS,     /* GET /tickets?count=1&limit=1 per counter */
    P_ALERTS,     /* GET /tickets?flag=...&status=open per alert kind */
    P_UNITS,      /* GET /tickets?unit=...&count=1 per unit: open, overdue, returned */
    P_STATS,      /* GET /stats: today, the month by unit */
    P_INTAKE,     /* GET /tickets?created_from=&created_to=&count=1 per hour, today and yesterday */
    P_TICKETS,    /* GET /tickets/{id} of the tickets a feed batch touched */
    P_COUNT
};

/* One counter's query. */
struct count_spec {
    enum watch_counter counter;
    const char *status;
    const char *flag;
};

static const struct count_spec count_specs[] = {
    {WATCH_C_OPEN, OPEN_STATUSES, NULL},
    {WATCH_C_TO_DISPATCH, "accepted", NULL},
    {WATCH_C_OVERDUE, OPEN_STATUSES, "overdue"},
    {WATCH_C_NEAR_DUE, OPEN_STATUSES, "near_due"},
    {WATCH_C_CALLBACK, "callback", NULL},
    {WATCH_C_RETURNED, "returned", NULL},
    {WATCH_C_EMERGENCY, OPEN_STATUSES, "emergency"},
};

/* Counter labels for narrow cells. */
static const char *const counter_short[WATCH_C_COUNT] = {
    N_("Open"), N_("Today"), N_("Dispatch"), N_("Overdue"), N_("Near due"), N_("Callback"),
    N_("Returned"), N_("Emerg."),
};

/* The keys of watch mode. There is no pause command in the shared table: the hold command
 * stands in for it (it means "hold updates" here). */
static const struct key_binding watch_bindings[] = {
    {'q', false, CMD_QUIT, N_("Quit"), N_("Quit"), NULL},
    {KEY_F(10), true, CMD_QUIT, NULL, NULL, NULL},
    {'?', false, CMD_HELP, N_("Show the keys"), N_("Help"), NULL},
    {KEY_F(1), true, CMD_HELP, NULL, NULL, NULL},
    {'p', false, CMD_HOLD, N_("Pause or resume updates"), N_("Pause"), NULL},
    {KEY_UP, true, CMD_UP, N_("Scroll the alerts up"), N_("Scroll"), "↑↓"},
    {'k', false, CMD_UP, NULL, NULL, NULL},
    {KEY_DOWN, true, CMD_DOWN, N_("Scroll the alerts down"), NULL, NULL},
    {'j', false, CMD_DOWN, NULL, NULL, NULL},
    {KEY_PPAGE, true, CMD_PAGE_UP, N_("Page up"), NULL, NULL},
    {KEY_NPAGE, true, CMD_PAGE_DOWN, N_("Page down"), NULL, NULL},
    {KEY_HOME, true, CMD_HOME, N_("First row"), NULL, NULL},
    {'g', false, CMD_HOME, NULL, NULL, NULL},
    {KEY_END, true, CMD_END, N_("Last row"), NULL, NULL},
    {'G', false, CMD_END, NULL, NULL, NULL},
    {KEYS_CTRL('l'), false, CMD_REDRAW, N_("Redraw the screen"), NULL, NULL},
    {KEYS_ESC, false, CMD_CANCEL, N_("Close or cancel"), NULL, NULL},
};

static const struct keymap watch_keys = {
    N_("Watch mode (read-only)"), watch_bindings, ARRAY_SIZE(watch_bindings),
};

/* The dashboard. */
struct watch {
    struct config *cfg;
    const struct watch_opts *o;
    struct log log;
    struct tz *tz;
    struct loop *loop;            /* NULL with --once */
    struct timers once_timers;    /* --once: the api's timers, never run */
    struct net *net;
    struct api *api;
    struct session_info session;
    char *server;

    struct term term;
    struct theme theme;
    WINDOW *win;
    struct help help;
    bool help_open;
    struct watch_layout layout;
    size_t layout_kpis;
    bool relayout;
    bool dirty;
    int alert_top;

    struct watch_model model;
    char *centre;                 /* [ui] centre_name, or "<profile> hotline" */
    char *profile;
    char *unit_name;
    bool have_meta;
    char problem[256];            /* what the header says is wrong ("" when nothing) */

    int inflight[P_COUNT];
    bool again[P_COUNT];
    unsigned want;                /* parts the debounce timer fetches (1 << part) */
    uint64_t debounce_timer;
    uint64_t stats_timer;
    int64_t stats_last_ms;
    uint64_t tick_timer;
    int64_t last_bell_ms;
    bool all_units;
    bool unit_want[WATCH_MAX_UNITS];
    char tickets[TICKET_QUEUE][WATCH_ID_SZ];
    size_t n_tickets;
    bool intake_full;
    bool intake_incremental;
    int intake_waiting;           /* hour counts not answered yet */
    bool intake_failed;           /* one of them failed: the model keeps its counts */
    int intake_hour;              /* the local hour of the last count, -1 before one */
    struct watch_intake intake_new;

    enum api_conn conn;
    bool feed_live;               /* the feed has answered since the last (re)connection */
    hl_time data_at;              /* wall clock of the last answer with data */
    hl_time next_poll;            /* wall clock of the next poll (or safety refresh) */
    int64_t day;                  /* today's local day number */
    char clock[8];
    bool expired;
    bool paused;
    bool closing;
    bool quit;
    bool failed;                  /* --once: a request failed (once_error says why) */
    char once_error[320];
};

/* Context of one request. */
struct req {
    struct watch *w;
    enum part part;
    int index;                    /* counter spec, alert kind, period (0 today, 1 month), hour */
    int sub;                      /* units: 0 open, 1 overdue, 2 returned; intake: 0 today,
                                   * 1 yesterday */
    char key[WATCH_CODE_SZ];      /* a unit code or a ticket id */
};

static void start_part(struct watch *w, enum part p);
static void schedule_tick(struct watch *w);

/* Wall clock, seconds. */
static hl_time
now_s(void)
{
    return (hl_time)(loop_wall_ms() / 1000);
}

/* The local day number of an instant. */
static int64_t
local_day(const struct watch *w, hl_time t)
{
    struct civil_time ct;

    tz_to_civil(w->tz, t, &ct);
    return datetime_days_from_civil(ct.year, ct.month, ct.day);
}

/* Mark the screen for the next render. */
static void
mark(struct watch *w, bool changed)
{
    if (changed)
        w->dirty = true;
}

/* Ring the bell (--bell), not more often than BELL_GAP_MS. */
static void
ring(struct watch *w, unsigned fresh)
{
    int64_t now = loop_now_ms();

    if (fresh == 0 || !w->o->bell || w->loop == NULL || !w->term.active)
        return;
    if (w->last_bell_ms != 0 && now - w->last_bell_ms < BELL_GAP_MS)
        return;
    w->last_bell_ms = now;
    beep();
}

/* ---- requests ---- */

/* Remember why a request failed (logged; --once reports it). */
static void
note_failure(struct watch *w, const struct req *r, const struct api_result *res)
{
    static const char *const names[P_COUNT] = {"meta", "counts", "alerts", "units", "stats",
                                                "intake", "ticket"};

    if (res->status == 403 && r->part == P_STATS) {
        snprintf(w->problem, sizeof w->problem, "%s",
                 _("statistics need a supervisor or admin login"));
        w->dirty = true;
    }
    if (res->status == 404 && r->part == P_UNITS && w->o->unit != NULL) {
        snprintf(w->problem, sizeof w->problem, _("unknown unit %s"), w->o->unit);
        w->dirty = true;
    }
    LOG_WARN(&w->log, "%s request failed (HTTP %ld): %s", names[r->part], res->status,
             res->err.msg);
    if (!w->failed) {
        w->failed = true;
        snprintf(w->once_error, sizeof w->once_error, "%s", res->err.msg);
    }
}

/* A request of part p finished: run it again when more was asked for meanwhile. */
static void
part_done(struct watch *w, enum part p)
{
    if (w->inflight[p] > 0)
        w->inflight[p]--;
    if (w->inflight[p] == 0 && w->again[p] && !w->closing) {
        w->again[p] = false;
        start_part(w, p);
    }
}

/* A new request context. */
static struct req *
req_new(struct watch *w, enum part p, int index, int sub, const char *key)
{
    struct req *r = xcalloc(1, sizeof *r);

    r->w = w;
    r->part = p;
    r->index = index;
    r->sub = sub;
    if (key != NULL)
        str_copy(r->key, sizeof r->key, key);
    return r;
}

/* Count a started request, or drop its context when it could not start. */
static bool
started(struct watch *w, struct req *r, uint64_t id, const struct err *e)
{
    if (id == 0) {
        LOG_WARN(&w->log, "cannot start a request: %s", e->msg);
        if (!w->failed) {
            w->failed = true;
            snprintf(w->once_error, sizeof w->once_error, "%s", e->msg);
        }
        free(r);
        return false;
    }
    w->inflight[r->part]++;
    return true;
}

static void on_list(struct api_result *res, void *arg);

/* GET /tickets with q for part p. */
static bool
list(struct watch *w, enum part p, int index, int sub, const char *key,
     const struct api_ticket_query *q)
{
    struct req *r = req_new(w, p, index, sub, key);
    struct err e;

    err_clear(&e);
    return started(w, r, api_ticket_list(w->api, q, on_list, r, &e), &e);
}

/* Blank out every caller in a page as it arrives: nothing personal is kept or drawn. */
static void
mask_page(struct api_page *pg)
{
    for (size_t i = 0; i < pg->n; i++)
        ticket_mask_caller(&pg->items[i]);
}

/* Fetch the counters. */
static void
fetch_counts(struct watch *w)
{
    for (size_t i = 0; i < ARRAY_SIZE(count_specs); i++) {
        struct api_ticket_query q = {
            .status = count_specs[i].status, .flag = count_specs[i].flag,
            .unit = w->o->unit, .limit = 1, .count = true,
        };

        list(w, P_COUNTS, (int)i, 0, NULL, &q);
    }
}

/* Fetch the alert lists (their totals fill the flag counters too). */
static void
fetch_alerts(struct watch *w)
{
    for (int k = 0; k < WATCH_A_COUNT; k++) {
        unsigned flag = watch_alert_flag((enum watch_alert_kind)k);
        struct api_ticket_query q = {
            .status = OPEN_STATUSES, .flag = flag_str(flag), .unit = w->o->unit,
            .limit = ALERT_LIST_LIMIT, .count = true,
        };

        list(w, P_ALERTS, k, 0, NULL, &q);
    }
}

/* Fetch the queue counts of the units asked for (all after a full refresh). */
static void
fetch_units(struct watch *w)
{
    static const char *const statuses[3] = {OPEN_STATUSES, OPEN_STATUSES, "returned"};
    static const char *const flags[3] = {NULL, "overdue", NULL};

    if (!w->have_meta) {
        w->all_units = true;
        return;    /* after /meta */
    }
    for (size_t i = 0; i < w->model.n_units; i++) {
        if (!w->all_units && !w->unit_want[i])
            continue;
        w->unit_want[i] = false;
        for (int s = 0; s < 3; s++) {
            struct api_ticket_query q = {
                .status = statuses[s], .flag = flags[s], .unit = w->model.units[i].code,
                .limit = 1, .count = true,
            };

            list(w, P_UNITS, (int)i, s, w->model.units[i].code, &q);
        }
    }
    w->all_units = false;
}

static void on_stats(struct api_result *res, void *arg);

/* Fetch today's and the month's statistics (by unit for the units' rates and --unit). */
static void
fetch_stats(struct watch *w)
{
    hl_time now = now_s();
    struct civil_time ct;
    hl_time from[2];
    struct err e;

    tz_to_civil(w->tz, now, &ct);
    from[0] = tz_from_civil(w->tz, ct.year, ct.month, ct.day, 0, 0, 0);
    from[1] = tz_from_civil(w->tz, ct.year, ct.month, 1, 0, 0, 0);
    w->stats_last_ms = loop_now_ms();
    for (int i = 0; i < 2; i++) {
        struct req *r = req_new(w, P_STATS, i, 0, NULL);
        const char *group = i == 1 || w->o->unit != NULL ? "unit" : NULL;

        err_clear(&e);
        started(w, r, api_stats(w->api, from[i], 0, group, on_stats, r, &e), &e);
    }
}

/* The instant local hour h (0-24) of the local day number day begins. */
static hl_time
hour_start(const struct watch *w, int64_t day, int h)
{
    int y, m, d;

    if (h >= 24) {
        day++;
        h = 0;
    }
    datetime_civil_from_days(day, &y, &m, &d);
    return tz_from_civil(w->tz, y, m, d, h, 0, 0);
}

/* Count the tickets accepted in local hour h of day (sub 0: today, 1: yesterday). */
static void
count_hour(struct watch *w, int64_t day, int h, int sub)
{
    struct api_ticket_query q = {
        .unit = w->o->unit, .limit = 1, .count = true,
        .created_from = hour_start(w, day, h), .created_to = hour_start(w, day, h + 1),
    };

    if (list(w, P_INTAKE, h, sub, NULL, &q))
        w->intake_waiting++;
    else
        w->intake_failed = true;
}

/* Count the tickets accepted per hour today and yesterday, one count per hour: only the
 * hours since the last count when that is today's (a new ticket only adds to them), else
 * all of them. */
static void
fetch_intake(struct watch *w)
{
    hl_time now = now_s();
    int64_t today = local_day(w, now);
    struct civil_time ct;
    int first = 0;

    tz_to_civil(w->tz, now, &ct);
    /* A unit's intake changes when tickets are dispatched to it: always count it whole. */
    w->intake_incremental = !w->intake_full && w->o->unit == NULL && w->model.intake.known &&
                            w->model.intake.day == today && !w->model.intake.partial &&
                            w->intake_hour >= 0 && w->intake_hour <= ct.hour;
    w->intake_full = false;
    w->intake_waiting = 0;
    w->intake_failed = false;
    if (w->intake_incremental) {
        w->intake_new = w->model.intake;
        first = w->intake_hour;
    } else {
        watch_intake_reset(&w->intake_new, today);
        for (int h = 0; h < 24; h++)
            count_hour(w, today - 1, h, 1);
    }
    w->intake_hour = ct.hour;
    for (int h = first; h <= ct.hour; h++)
        count_hour(w, today, h, 0);
}

static void on_ticket(struct api_result *res, void *arg);

/* Fetch the tickets a batch of changes touched. */
static void
fetch_tickets(struct watch *w)
{
    for (size_t i = 0; i < w->n_tickets; i++) {
        struct req *r = req_new(w, P_TICKETS, 0, 0, w->tickets[i]);
        struct err e;

        err_clear(&e);
        started(w, r, api_ticket_get(w->api, w->tickets[i], on_ticket, r, &e), &e);
    }
    w->n_tickets = 0;
}

static void on_meta(struct api_result *res, void *arg);

/* Start fetching part p, or ask for it again when it is under way. */
static void
start_part(struct watch *w, enum part p)
{
    struct req *r;
    struct err e;

    if (w->closing || w->expired)
        return;
    if (w->inflight[p] > 0) {
        w->again[p] = true;
        return;
    }
    switch (p) {
    case P_META:
        r = req_new(w, P_META, 0, 0, NULL);
        err_clear(&e);
        started(w, r, api_meta(w->api, on_meta, r, &e), &e);
        break;
    case P_COUNTS:
        fetch_counts(w);
        break;
    case P_ALERTS:
        fetch_alerts(w);
        break;
    case P_UNITS:
        fetch_units(w);
        break;
    case P_STATS:
        fetch_stats(w);
        break;
    case P_INTAKE:
        fetch_intake(w);
        break;
    case P_TICKETS:
        fetch_tickets(w);
        break;
    default:
        break;
    }
}

/* Timer: the statistics may be fetched again. */
static void
stats_timer_fire(void *arg)
{
    struct watch *w = arg;

    w->stats_timer = 0;
    if (!w->paused)
        start_part(w, P_STATS);
}

/* Fetch the statistics now, or once STATS_GAP_MS has passed since the last fetch. */
static void
stats_soon(struct watch *w)
{
    int64_t since = loop_now_ms() - w->stats_last_ms;

    if (w->stats_last_ms == 0 || since >= STATS_GAP_MS || w->loop == NULL) {
        start_part(w, P_STATS);
        return;
    }
    if (w->stats_timer == 0)
        w->stats_timer = loop_after(w->loop, (int)(STATS_GAP_MS - since), stats_timer_fire, w);
}

/* Fetch everything again (start, reconnection, polling, a new day). */
static void
refresh_all(struct watch *w, bool intake_full)
{
    if (w->paused || w->expired)
        return;
    if (!w->have_meta)
        start_part(w, P_META);
    if (intake_full)
        w->intake_full = true;
    w->all_units = true;
    w->n_tickets = 0;
    start_part(w, P_COUNTS);
    start_part(w, P_ALERTS);
    start_part(w, P_UNITS);
    start_part(w, P_STATS);
    start_part(w, P_INTAKE);
}

/* ---- answers ---- */

/* An answer with data came: the data is current as of now. */
static void
note_data(struct watch *w)
{
    hl_time now = now_s();

    /* The header shows the age in minutes: redraw only when that could change. */
    if (w->data_at / 60 != now / 60)
        w->dirty = true;
    w->data_at = now;
}

/* Finish the intake count: the model takes it. */
static void
intake_finish(struct watch *w, bool partial)
{
    if (partial)
        w->intake_new.partial = true;
    mark(w, watch_model_set_intake(&w->model, &w->intake_new));
    mark(w, watch_model_set_counter(&w->model, WATCH_C_TODAY,
                                    watch_intake_today_total(&w->model.intake)));
}

/* The answer of one hour's count (ok false: it failed); the model takes the counts when
 * every hour has answered and none failed. */
static void
take_intake(struct watch *w, const struct req *r, const struct api_page *pg, bool ok)
{
    if (ok && pg->total >= 0 && r->index >= 0 && r->index < 24) {
        int n = pg->total > 1000000 ? 1000000 : (int)pg->total;

        if (r->sub == 0)
            w->intake_new.today[r->index] = n;
        else
            w->intake_new.yesterday[r->index] = n;
    } else {
        w->intake_failed = true;
    }
    if (w->intake_waiting > 0)
        w->intake_waiting--;
    if (w->intake_waiting > 0)
        return;
    if (w->intake_failed) {
        w->intake_hour = -1;    /* count everything again next time */
        return;
    }
    intake_finish(w, false);
}

/* Answer of a ticket list (counters, alerts, units, intake). */
static void
on_list(struct api_result *res, void *arg)
{
    struct req *r = arg;
    struct watch *w = r->w;
    unsigned fresh = 0;

    if (!res->cancelled && res->code == HL_OK) {
        mask_page(&res->page);
        note_data(w);
        switch (r->part) {
        case P_COUNTS:
            if (res->page.total >= 0)
                mark(w, watch_model_set_counter(&w->model, count_specs[r->index].counter,
                                                res->page.total));
            break;
        case P_ALERTS:
            mark(w, watch_model_alerts_replace(&w->model, (enum watch_alert_kind)r->index,
                                               res->page.items, res->page.n, now_s(), &fresh));
            ring(w, fresh);
            break;
        case P_UNITS:
            if (res->page.total >= 0)
                mark(w, watch_model_set_unit_counts(&w->model, r->key,
                                                    r->sub == 0 ? res->page.total : -1,
                                                    r->sub == 1 ? res->page.total : -1,
                                                    r->sub == 2 ? res->page.total : -1));
            break;
        case P_INTAKE:
            take_intake(w, r, &res->page, true);
            break;
        default:
            break;
        }
    } else {
        if (!res->cancelled)
            note_failure(w, r, res);
        if (r->part == P_INTAKE)
            take_intake(w, r, &res->page, false);
    }
    part_done(w, r->part);
    free(r);
}

/* True when the ticket is dispatched to unit code. */
static bool
ticket_has_unit(const struct ticket *t, const char *code)
{
    for (size_t i = 0; i < t->n_assignments; i++) {
        if (t->assignments[i].unit != NULL && strcmp(t->assignments[i].unit, code) == 0)
            return true;
    }
    return false;
}

/* Answer of GET /tickets/{id} after a change: its alerts as they are now. */
static void
on_ticket(struct api_result *res, void *arg)
{
    struct req *r = arg;
    struct watch *w = r->w;
    unsigned fresh = 0;

    if (!res->cancelled && res->code == HL_OK && res->ticket != NULL) {
        ticket_mask_caller(res->ticket);
        note_data(w);
        if (w->o->unit != NULL && !ticket_has_unit(res->ticket, w->o->unit))
            mark(w, watch_model_forget_ticket(&w->model, r->key));
        else
            mark(w, watch_model_apply_ticket(&w->model, res->ticket, now_s(), &fresh));
        ring(w, fresh);
    } else if (!res->cancelled && (res->status == 404 || res->status == 403)) {
        mark(w, watch_model_forget_ticket(&w->model, r->key));
    } else if (!res->cancelled) {
        note_failure(w, r, res);
    }
    part_done(w, r->part);
    free(r);
}

/* The stats group the dashboard shows: the unit's with --unit, else the centre's. */
static const struct api_stats_group *
stats_group(const struct watch *w, const struct api_stats *s)
{
    if (w->o->unit == NULL)
        return &s->total;
    for (size_t i = 0; i < s->n_groups; i++) {
        if (s->groups[i].key != NULL && strcmp(s->groups[i].key, w->o->unit) == 0)
            return &s->groups[i];
    }
    return NULL;
}

/* Answer of GET /stats (today or the month). */
static void
on_stats(struct api_result *res, void *arg)
{
    struct req *r = arg;
    struct watch *w = r->w;
    struct watch_kpis k;

    if (!res->cancelled && res->code == HL_OK && res->stats != NULL) {
        const struct api_stats *s = res->stats;
        const char *profile = w->profile != NULL ? w->profile : s->profile;

        note_data(w);
        watch_kpis_from_group(stats_group(w, s), profile, s->from, s->to, &k);
        mark(w, watch_model_set_kpis(r->index == 0 ? &w->model.today : &w->model.month, &k));
        if (r->index == 1)
            mark(w, watch_model_set_unit_rates(&w->model, s));
        if (w->profile == NULL && s->profile != NULL)
            w->profile = xstrdup(s->profile);
    } else if (!res->cancelled) {
        note_failure(w, r, res);
    }
    part_done(w, r->part);
    free(r);
}

/* Answer of GET /meta: the profile, the units and their names. */
static void
on_meta(struct api_result *res, void *arg)
{
    struct req *r = arg;
    struct watch *w = r->w;

    if (!res->cancelled && res->code == HL_OK && res->meta != NULL) {
        const struct api_meta *m = res->meta;

        note_data(w);
        w->have_meta = true;
        free(w->profile);
        w->profile = xstrdup(m->profile != NULL ? m->profile : "");
        if (w->o->unit != NULL) {
            struct api_unit one = {(char *)(uintptr_t)w->o->unit, NULL};

            for (size_t i = 0; i < m->n_units; i++) {
                if (m->units[i].code != NULL && strcmp(m->units[i].code, w->o->unit) == 0)
                    one.name = m->units[i].name;
            }
            if (one.name == NULL) {
                snprintf(w->problem, sizeof w->problem, _("unknown unit %s"), w->o->unit);
                LOG_WARN(&w->log, "unit %s is not in /meta", w->o->unit);
            }
            free(w->unit_name);
            w->unit_name = xstrdup(one.name != NULL ? one.name : w->o->unit);
            mark(w, watch_model_set_units(&w->model, &one, 1));
        } else {
            mark(w, watch_model_set_units(&w->model, m->units, m->n_units));
        }
        if (w->cfg->centre_name == NULL) {
            free(w->centre);
            w->centre = xasprintf("%s %s", w->profile[0] != '\0' ? w->profile : "hotline",
                                  _("hotline"));
        }
        w->dirty = true;
        w->all_units = true;
        if (!w->o->once)
            start_part(w, P_UNITS);
    } else if (!res->cancelled) {
        note_failure(w, r, res);
    }
    part_done(w, r->part);
    free(r);
}

/* ---- the feed ---- */

/* True when the comma-separated list names code. */
static bool
list_has(const char *list_s, const char *code)
{
    size_t n = strlen(code);

    for (const char *p = list_s; p != NULL && *p != '\0';) {
        const char *end = strchr(p, ',');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

        if (len == n && strncmp(p, code, n) == 0)
            return true;
        p = end != NULL ? end + 1 : NULL;
    }
    return false;
}

/* Queue a ticket for refetching; false when the queue is full. */
static bool
queue_ticket(struct watch *w, const char *id)
{
    for (size_t i = 0; i < w->n_tickets; i++) {
        if (strcmp(w->tickets[i], id) == 0)
            return true;
    }
    if (w->n_tickets == TICKET_QUEUE)
        return false;
    str_copy(w->tickets[w->n_tickets++], WATCH_ID_SZ, id);
    return true;
}

/* Ask for the units of a feed event's list. */
static void
want_units(struct watch *w, const char *units)
{
    for (size_t i = 0; i < w->model.n_units; i++) {
        if (list_has(units, w->model.units[i].code)) {
            w->unit_want[i] = true;
            w->want |= 1u << P_UNITS;
        }
    }
}

/* Timer: fetch what the changes of the last DEBOUNCE_MS touched. */
static void
debounce_fire(void *arg)
{
    struct watch *w = arg;
    unsigned want = w->want;

    w->debounce_timer = 0;
    w->want = 0;
    if (w->paused)
        return;
    for (int p = 0; p < P_COUNT; p++) {
        if (!(want & (1u << p)))
            continue;
        if (p == P_STATS)
            stats_soon(w);
        else
            start_part(w, (enum part)p);
    }
}

/* A batch of feed events: note what they touch and fetch it after the debounce. */
static void
on_feed(struct watch *w, const struct api_event *ev)
{
    const char *unit = w->o->unit;

    if (!w->feed_live) {
        w->feed_live = true;
        w->dirty = true;
        w->next_poll = 0;
        schedule_tick(w);
    }
    if (w->paused)
        return;
    if (ev->feed_reset) {
        refresh_all(w, true);
        return;
    }
    for (size_t i = 0; i < ev->n_events; i++) {
        const struct api_feed_event *e = &ev->events[i];
        bool created;

        if (e->type == NULL)
            continue;
        if (strcmp(e->type, "call.answer") == 0) {
            w->want |= 1u << P_STATS;
            continue;
        }
        created = strcmp(e->type, "ticket.created") == 0;
        if (!created && strcmp(e->type, "ticket.updated") != 0)
            continue;
        if (unit != NULL && !list_has(e->unit, unit))
            continue;
        w->want |= (1u << P_COUNTS) | (1u << P_STATS);
        if (created || (unit != NULL && e->action != NULL && strcmp(e->action, "dispatch") == 0))
            w->want |= 1u << P_INTAKE;
        if (unit != NULL && e->action != NULL && strcmp(e->action, "dispatch") == 0)
            w->intake_full = true;
        if (e->ticket_id != NULL) {
            if (queue_ticket(w, e->ticket_id))
                w->want |= 1u << P_TICKETS;
            else
                w->want |= 1u << P_ALERTS;
        }
        if (e->unit != NULL)
            want_units(w, e->unit);
    }
    if (w->want != 0 && w->debounce_timer == 0 && w->loop != NULL)
        w->debounce_timer = loop_after(w->loop, DEBOUNCE_MS, debounce_fire, w);
}

/* Events of the api: connection, session, feed. */
static void
on_api_event(const struct api_event *ev, void *arg)
{
    struct watch *w = arg;
    enum api_conn prev = w->conn;

    if (w->closing)
        return;
    switch (ev->kind) {
    case API_EV_CONN:
        w->conn = ev->conn->state;
        w->dirty = true;
        if (w->conn != API_ONLINE) {
            /* With a live feed the data was current until the connection broke. */
            if (w->feed_live && prev == API_ONLINE)
                w->data_at = ev->conn->since != 0 ? ev->conn->since : now_s();
            w->feed_live = false;
        }
        if (w->loop == NULL)
            break;
        if (w->conn == API_ONLINE && prev != API_ONLINE) {
            /* A server that answered the feed before serves it again: the api re-arms the
             * long poll on reconnection, and its quiet answers raise no event. */
            w->feed_live = api_feed_seq(w->api) >= 0;
            refresh_all(w, false);
        }
        w->next_poll = 0;
        schedule_tick(w);
        break;
    case API_EV_SESSION_EXPIRED:
        w->expired = true;
        w->dirty = true;
        snprintf(w->problem, sizeof w->problem, "%s",
                 _("session expired: sign in again with hotline login"));
        api_feed_stop(w->api);
        break;
    case API_EV_FEED:
        on_feed(w, ev);
        break;
    default:
        break;
    }
}

/* ---- time ---- */

/* Take the minute clock and the day; a new day rolls the intake and refetches. */
static void
update_clock(struct watch *w, hl_time now)
{
    struct civil_time ct;
    char clock[8];
    int64_t day;

    tz_to_civil(w->tz, now, &ct);
    snprintf(clock, sizeof clock, "%02d:%02d", ct.hour, ct.minute);
    if (strcmp(clock, w->clock) != 0) {
        str_copy(w->clock, sizeof w->clock, clock);
        w->dirty = true;    /* the clock and the alerts' "how long" move on */
    }
    day = datetime_days_from_civil(ct.year, ct.month, ct.day);
    if (w->day != 0 && day != w->day) {
        struct watch_intake in = w->model.intake;

        if (!watch_intake_roll(&in, day))
            w->intake_full = true;
        mark(w, watch_model_set_intake(&w->model, &in));
        mark(w, watch_model_set_counter(&w->model, WATCH_C_TODAY, watch_intake_today_total(&in)));
        w->day = day;
        refresh_all(w, w->intake_full);
    }
    w->day = day;
}

/* Seconds between polls: the interval without a feed, the safety refresh with one. */
static int
poll_period(const struct watch *w)
{
    int s = w->o->interval;

    if (w->feed_live) {
        s *= SAFETY_INTERVALS;
        if (s < SAFETY_MIN_S)
            s = SAFETY_MIN_S;
    }
    return s;
}

/* Timer: the minute clock, the fading "new" marks, and polling when it is due. */
static void
tick(void *arg)
{
    struct watch *w = arg;
    hl_time now = now_s();

    w->tick_timer = 0;
    update_clock(w, now);
    mark(w, watch_model_age_alerts(&w->model, now));
    if (w->next_poll != 0 && now >= w->next_poll) {
        w->next_poll = 0;
        if (w->conn == API_ONLINE)
            refresh_all(w, false);
    }
    schedule_tick(w);
}

/* Wake at the next minute or the next poll, whichever comes first; both are aligned to the
 * wall clock, so with a 30 s interval the clock and the poll share their wake-ups. */
static void
schedule_tick(struct watch *w)
{
    int64_t now_ms = loop_wall_ms();
    hl_time now = (hl_time)(now_ms / 1000);
    int period = poll_period(w);
    hl_time next = (now / 60 + 1) * 60;

    if (w->loop == NULL || w->closing)
        return;
    if (w->next_poll == 0 || w->next_poll <= now)
        w->next_poll = (now / period + 1) * period;
    if (w->next_poll < next)
        next = w->next_poll;
    if (w->tick_timer != 0)
        loop_cancel(w->loop, w->tick_timer);
    /* A little after the boundary, so the clock already reads the new minute. */
    w->tick_timer = loop_after(w->loop, (int)(next * 1000 - now_ms) + 20, tick, w);
}

/* ---- drawing ---- */

/* A time of day as HH:MM, or MM-DD HH:MM when not today. */
static void
fmt_hhmm(const struct watch *w, hl_time t, char *buf, size_t sz)
{
    struct civil_time ct;

    if (t == 0) {
        str_copy(buf, sz, "—");
        return;
    }
    tz_to_civil(w->tz, t, &ct);
    if (datetime_days_from_civil(ct.year, ct.month, ct.day) != w->day)
        snprintf(buf, sz, "%02d-%02d %02d:%02d", ct.month, ct.day, ct.hour, ct.minute);
    else
        snprintf(buf, sz, "%02d:%02d", ct.hour, ct.minute);
}

/* The connection and data-age texts of the header, long and short, and their slot. */
static enum slot
conn_text(const struct watch *w, char *lng, size_t lsz, char *shrt, size_t ssz)
{
    const struct api_conn_state *cs = api_conn(w->api);
    char data[24], since[24];
    hl_time now = now_s();

    fmt_hhmm(w, w->data_at, data, sizeof data);
    if (w->expired) {
        snprintf(lng, lsz, "%s", _("session expired: run hotline login"));
        snprintf(shrt, ssz, "%s", _("session expired"));
        return SLOT_ERROR;
    }
    if (w->paused) {
        snprintf(lng, lsz, _("paused — data from %s"), data);
        snprintf(shrt, ssz, "%s", _("paused"));
        return SLOT_WARN;
    }
    switch (w->conn) {
    case API_ONLINE:
        if (w->data_at == 0) {
            snprintf(lng, lsz, "%s", _("connecting…"));
            snprintf(shrt, ssz, "%s", _("connecting…"));
            return SLOT_MUTED;
        }
        if (w->feed_live) {
            snprintf(lng, lsz, "%s", _("online · live"));
            snprintf(shrt, ssz, "%s", _("live"));
        } else if (now - w->data_at < 60) {
            snprintf(lng, lsz, "%s", _("online · updated just now"));
            snprintf(shrt, ssz, "%s", _("online"));
        } else {
            snprintf(lng, lsz, _("online · updated %d min ago"), (int)((now - w->data_at) / 60));
            snprintf(shrt, ssz, "%s", _("online"));
        }
        return SLOT_OK;
    case API_RECONNECTING:
        snprintf(lng, lsz, _("reconnecting — data from %s"), data);
        snprintf(shrt, ssz, _("reconnecting, data %s"), data);
        return SLOT_WARN;
    case API_OFFLINE:
    default:
        fmt_hhmm(w, cs->since, since, sizeof since);
        snprintf(lng, lsz, _("offline since %s — data from %s"), since, data);
        snprintf(shrt, ssz, _("offline, data %s"), data);
        return SLOT_WARN;
    }
}

/* Attributes of a slot. */
static attr_t
A(const struct watch *w, enum slot s)
{
    return theme_attr(&w->theme, s);
}

/* The header: centre, unit, date and time on the left; connection and data age on the right. */
static void
draw_header(struct watch *w, const struct rect *r)
{
    char lng[192], shrt[96], date[48], name[192];
    const char *centre = w->centre != NULL ? w->centre : "hotline";
    struct civil_time ct;
    enum slot cs = conn_text(w, lng, sizeof lng, shrt, sizeof shrt);
    struct {
        const char *name;
        const char *when;
        const char *conn;
    } tries[5];
    char hm[8];
    int x = r->x, nw, ww, cw;
    size_t i;

    tz_to_civil(w->tz, now_s(), &ct);
    snprintf(date, sizeof date, "%04d-%02d-%02d %s", ct.year, ct.month, ct.day, w->clock);
    str_copy(hm, sizeof hm, w->clock);
    if (w->unit_name != NULL)
        snprintf(name, sizeof name, "%s · %s", centre, w->unit_name);
    else
        str_copy(name, sizeof name, centre);
    tries[0].name = name, tries[0].when = date, tries[0].conn = lng;
    tries[1].name = name, tries[1].when = hm, tries[1].conn = lng;
    tries[2].name = name, tries[2].when = hm, tries[2].conn = shrt;
    tries[3].name = w->unit_name != NULL ? w->unit_name : centre, tries[3].when = hm,
    tries[3].conn = shrt;
    tries[4].name = "", tries[4].when = hm, tries[4].conn = shrt;
    for (i = 0; i < ARRAY_SIZE(tries) - 1; i++) {
        char *n = text_sanitize(tries[i].name, 0);

        nw = text_width(n);
        free(n);
        if (nw + (nw > 0 ? 2 : 0) + text_width(tries[i].when) + 2 + text_width(tries[i].conn) <=
            r->w)
            break;
    }
    draw_fill(w->win, r->y, r->x, r->w, A(w, SLOT_TITLE));
    cw = text_width(tries[i].conn);
    if (cw > r->w)
        cw = r->w;
    draw_text_right(w->win, r->y, r->x, r->w, tries[i].conn, A(w, cs));
    ww = r->w - cw - 1;
    if (tries[i].name[0] != '\0' && ww > 0) {
        x += draw_text(w->win, r->y, x, ww, tries[i].name, A(w, SLOT_TITLE));
        x += 2;
    }
    if (r->x + ww - x > 0)
        draw_text(w->win, r->y, x, r->x + ww - x, tries[i].when, A(w, SLOT_TITLE));
}

/* Slot of a counter's value. */
static enum slot
counter_slot(enum watch_counter c, int64_t v)
{
    if (v <= 0)
        return SLOT_NORMAL;
    switch (c) {
    case WATCH_C_OVERDUE:
        return SLOT_OVERDUE;
    case WATCH_C_NEAR_DUE:
        return SLOT_NEAR_DUE;
    case WATCH_C_EMERGENCY:
        return SLOT_EMERGENCY;
    case WATCH_C_RETURNED:
        return SLOT_WARN;
    default:
        return SLOT_NORMAL;
    }
}

/* The counters, per_line cells to a line. */
static void
draw_counters(struct watch *w, const struct rect *r, int per)
{
    int cw = r->w / (per > 0 ? per : 1);

    for (int i = 0; i < WATCH_C_COUNT; i++) {
        int64_t v = w->model.counters.v[i];
        int y = r->y + i / per, x = r->x + (i % per) * cw;
        const char *label = _(watch_counter_label((enum watch_counter)i));
        char val[24];
        enum slot s = counter_slot((enum watch_counter)i, v);
        int vw;

        if (y >= r->y + r->h)
            break;
        if (v < 0)
            str_copy(val, sizeof val, "—");
        else
            snprintf(val, sizeof val, "%lld", (long long)v);
        vw = text_width(val);
        if (text_width(label) + 1 + vw > cw - 2)
            label = _(counter_short[i]);
        draw_text(w->win, y, x, cw - vw - 3, label, A(w, s == SLOT_NORMAL ? SLOT_LABEL : s));
        draw_text_right(w->win, y, x, cw - 2, val, A(w, s == SLOT_NORMAL ? SLOT_NORMAL : s) |
                                                       A_BOLD);
    }
}

/* Slot of a pass/fail verdict. */
static enum slot
pass_slot(int pass)
{
    return pass == 1 ? SLOT_OK : pass == 0 ? SLOT_ERROR : SLOT_NORMAL;
}

/* Number of KPI rows shown. */
static size_t
kpis_shown(const struct watch *w)
{
    size_t n = 0;

    for (size_t i = 0; i < w->model.month.n || i < w->model.today.n; i++) {
        const struct watch_kpi *t = i < w->model.today.n ? &w->model.today.v[i] : NULL;
        const struct watch_kpi *m = i < w->model.month.n ? &w->model.month.v[i] : NULL;

        if (watch_kpi_shown(t, m))
            n++;
    }
    return n == 0 ? 8 : n;
}

/* The KPIs of today and the month against their targets, and the month's score. */
static void
draw_kpis(struct watch *w, const struct rect *r)
{
    const int vw = 8, tw = 8;
    int lw = r->w - 2 * vw - tw, y = r->y, last = r->y + r->h - 1;
    char tv[32], mv[32], tg[32], sc[96];

    if (r->h <= 0)
        return;
    draw_text(w->win, y++, r->x, r->w, _("KPIs"), A(w, SLOT_TITLE));
    if (y > last)
        return;
    draw_text_right(w->win, y, r->x + lw, vw, _("today"), A(w, SLOT_HEADER));
    draw_text_right(w->win, y, r->x + lw + vw, vw, _("month"), A(w, SLOT_HEADER));
    draw_text_right(w->win, y, r->x + lw + 2 * vw, tw, _("target"), A(w, SLOT_HEADER));
    y++;
    for (size_t i = 0; i < w->model.month.n || i < w->model.today.n; i++) {
        const struct watch_kpi *t = i < w->model.today.n ? &w->model.today.v[i] : NULL;
        const struct watch_kpi *m = i < w->model.month.n ? &w->model.month.v[i] : NULL;
        const struct watch_kpi *any = m != NULL ? m : t;

        if (!watch_kpi_shown(t, m))
            continue;
        if (y >= last)
            break;    /* the last line is the score's */
        str_copy(tv, sizeof tv, "—");
        str_copy(mv, sizeof mv, "—");
        if (t != NULL)
            watch_kpi_format(t, tv, sizeof tv);
        if (m != NULL)
            watch_kpi_format(m, mv, sizeof mv);
        watch_kpi_format_target(any, tg, sizeof tg);
        draw_text(w->win, y, r->x, lw - 1,
                  text_width(_(any->label)) <= lw - 1 ? _(any->label) : _(any->label_short),
                  A(w, SLOT_LABEL));
        draw_text_right(w->win, y, r->x + lw, vw, tv,
                        A(w, t != NULL ? pass_slot(t->pass) : SLOT_NORMAL));
        draw_text_right(w->win, y, r->x + lw + vw, vw, mv,
                        A(w, m != NULL ? pass_slot(m->pass) : SLOT_NORMAL));
        draw_text_right(w->win, y, r->x + lw + 2 * vw, tw, tg, A(w, SLOT_MUTED));
        y++;
    }
    if (w->model.month.has_score) {
        snprintf(sc, sizeof sc, "%.1f / %.0f%s%s", w->model.month.score, w->model.month.score_max,
                 w->model.month.score_complete ? "" : _(" (incomplete)"),
                 w->model.month.ranked_last ? _(" (ranked last)") : "");
    } else {
        str_copy(sc, sizeof sc, "—");
    }
    {
        const char *label = r->w >= 50 ? _("Month score (DB51/T 2963 A)") : _("Month score");
        int sw = draw_text_right(w->win, last, r->x, r->w, sc,
                                 A(w, w->model.month.ranked_last ? SLOT_ERROR : SLOT_TITLE));

        draw_text(w->win, last, r->x, r->w - sw - 1, label, A(w, SLOT_HEADER));
    }
}

/* The per-unit table, worst first. */
static void
draw_units(struct watch *w, const struct rect *r)
{
    bool narrow = r->w < 56;
    const int nw = narrow ? 5 : 8, rw = 8;
    size_t idx[WATCH_MAX_UNITS];
    size_t n = watch_model_units_sorted(&w->model, idx);
    int name_w = r->w - 3 * nw - rw, y = r->y;
    char a[24];

    if (r->h <= 0)
        return;
    draw_text(w->win, y++, r->x, r->w, _("Units (worst first)"), A(w, SLOT_TITLE));
    if (y >= r->y + r->h)
        return;
    draw_text_right(w->win, y, r->x + name_w, nw, _("open"), A(w, SLOT_HEADER));
    draw_text_right(w->win, y, r->x + name_w + nw, nw, narrow ? _("ovd.") : _("overdue"),
                    A(w, SLOT_HEADER));
    draw_text_right(w->win, y, r->x + name_w + 2 * nw, nw, _("ret."), A(w, SLOT_HEADER));
    draw_text_right(w->win, y, r->x + name_w + 3 * nw, rw, _("on time"), A(w, SLOT_HEADER));
    y++;
    if (n == 0 && y < r->y + r->h)
        draw_text(w->win, y, r->x, r->w, _("no units yet"), A(w, SLOT_MUTED));
    for (size_t i = 0; i < n && y < r->y + r->h; i++, y++) {
        const struct watch_unit *u = &w->model.units[idx[i]];
        int64_t v[3] = {u->open, u->overdue, u->returned};

        draw_text(w->win, y, r->x, name_w - 1, u->name, A(w, SLOT_NORMAL));
        for (int c = 0; c < 3; c++) {
            enum slot s = c == 1 && v[c] > 0 ? SLOT_OVERDUE : c == 2 && v[c] > 0 ? SLOT_WARN
                                                                                    : SLOT_NORMAL;

            if (v[c] < 0)
                str_copy(a, sizeof a, "—");
            else
                snprintf(a, sizeof a, "%lld", (long long)v[c]);
            draw_text_right(w->win, y, r->x + name_w + c * nw, nw, a, A(w, s));
        }
        if (u->has_rate)
            snprintf(a, sizeof a, "%.1f%%", u->on_time_rate);
        else
            str_copy(a, sizeof a, "—");
        draw_text_right(w->win, y, r->x + name_w + 3 * nw, rw, a, A(w, pass_slot(u->rate_pass)));
    }
}

/* Slot of an alert kind. */
static enum slot
alert_slot(enum watch_alert_kind k)
{
    switch (k) {
    case WATCH_A_EMERGENCY:
        return SLOT_EMERGENCY;
    case WATCH_A_OVERDUE:
        return SLOT_OVERDUE;
    case WATCH_A_NEAR_DUE:
        return SLOT_NEAR_DUE;
    default:
        return SLOT_WARN;
    }
}

/* "How long" of an alert, in words for wide panes. */
static void
alert_how_long(const struct watch_alert *a, hl_time now, bool compact, char *buf, size_t sz)
{
    char d[48];
    int64_t s = watch_alert_seconds(a, now);

    watch_format_duration(s, compact, d, sizeof d);
    if (compact) {
        str_copy(buf, sz, d);
        return;
    }
    switch (a->kind) {
    case WATCH_A_OVERDUE:
        snprintf(buf, sz, _("%s over"), d);
        break;
    case WATCH_A_NEAR_DUE:
        if (s > 0)
            snprintf(buf, sz, _("due in %s"), d);
        else
            snprintf(buf, sz, "%s", _("due now"));
        break;
    case WATCH_A_DISSATISFIED:
        snprintf(buf, sz, _("%s ago"), d);
        break;
    case WATCH_A_LATE_DISPATCH:
        snprintf(buf, sz, _("waited %s"), d);
        break;
    default:
        snprintf(buf, sz, _("open %s"), d);
        break;
    }
}

/* Keep the alert scroll position inside the list. */
static void
clamp_alerts(struct watch *w, int rows)
{
    int max = (int)w->model.n_alerts - rows;

    if (max < 0)
        max = 0;
    if (w->alert_top > max)
        w->alert_top = max;
    if (w->alert_top < 0)
        w->alert_top = 0;
}

/* Widest translated label of a set. */
static int
widest(const char *(*label)(enum watch_alert_kind))
{
    int m = 0;

    for (int k = 0; k < WATCH_A_COUNT; k++) {
        int lw = text_width(_(label((enum watch_alert_kind)k)));

        if (lw > m)
            m = lw;
    }
    return m;
}

/* The alerts, newest first, scrolled: new mark, kind, ticket id, unit, how long. */
static void
draw_alerts(struct watch *w, const struct rect *r)
{
    bool long_dur = r->w >= 80;
    const char *(*label)(enum watch_alert_kind) = watch_alert_label;
    int kind_w = widest(label) + 1, id_w = 18, dur_w = long_dur ? 16 : 5;
    int unit_w, rows = r->h - 1, y = r->y;
    hl_time now = now_s();
    char head[96], dur[64];

    if (r->h <= 0)
        return;
    if (1 + kind_w + id_w + 10 + dur_w > r->w) {
        label = watch_alert_label_short;
        kind_w = widest(label) + 1;
    }
    unit_w = r->w - 1 - kind_w - id_w - dur_w;
    clamp_alerts(w, rows);
    if (w->model.n_alerts > (size_t)rows && rows > 0)
        snprintf(head, sizeof head, "%s (%zu) %d-%d", _("Alerts"), w->model.n_alerts,
                 w->alert_top + 1, w->alert_top + rows);
    else
        snprintf(head, sizeof head, "%s (%zu)", _("Alerts"), w->model.n_alerts);
    draw_text(w->win, y++, r->x, r->w, head, A(w, SLOT_TITLE));
    if (w->model.n_alerts == 0 && rows > 0) {
        draw_text(w->win, y, r->x, r->w, _("no alerts"), A(w, SLOT_MUTED));
        return;
    }
    if (unit_w < 5) {
        /* Too narrow for the unit: give its room to the id. */
        id_w += unit_w > 0 ? unit_w : 0;
        unit_w = 0;
    }
    for (int i = 0; i < rows && (size_t)(w->alert_top + i) < w->model.n_alerts; i++, y++) {
        const struct watch_alert *a = &w->model.alerts[w->alert_top + i];
        int x = r->x;

        draw_text(w->win, y, x, 1, a->is_new ? "*" : " ", A(w, SLOT_HIGHLIGHT));
        x += 1;
        draw_text(w->win, y, x, kind_w - 1, _(label(a->kind)), A(w, alert_slot(a->kind)));
        x += kind_w;
        draw_text(w->win, y, x, id_w - 1, a->ticket_id, A(w, SLOT_NORMAL));
        x += id_w;
        if (unit_w > 0) {
            draw_text(w->win, y, x, unit_w - 1,
                      a->unit[0] != '\0' ? watch_model_unit_name(&w->model, a->unit) : "—",
                      A(w, SLOT_MUTED));
            x += unit_w;
        }
        alert_how_long(a, now, !long_dur, dur, sizeof dur);
        draw_text_right(w->win, y, x, r->x + r->w - x, dur, A(w, alert_slot(a->kind)));
    }
}

/* The intake per hour, today against yesterday: a bar chart when tall, else sparklines. */
static void
draw_intake(struct watch *w, const struct rect *r)
{
    const struct watch_intake *in = &w->model.intake;
    struct civil_time ct;
    char head[128], spark[24 * 4 + 1];
    int max = 1, hours, y = r->y, lw;
    int64_t tt = 0, yt = 0;

    if (r->h <= 0)
        return;
    tz_to_civil(w->tz, now_s(), &ct);
    hours = in->known && in->day == w->day ? ct.hour + 1 : 24;
    for (int h = 0; h < 24; h++) {
        if (in->today[h] > max)
            max = in->today[h];
        if (in->yesterday[h] > max)
            max = in->yesterday[h];
        if (h < hours) {
            tt += in->today[h];
            yt += in->yesterday[h];
        }
    }
    snprintf(head, sizeof head, _("Intake per hour: today %lld, yesterday %lld by this hour%s"),
             (long long)tt, (long long)yt, in->partial ? " +" : "");
    draw_text(w->win, y++, r->x, r->w, head, A(w, SLOT_TITLE));
    if (!in->known) {
        if (y < r->y + r->h)
            draw_text(w->win, y, r->x, r->w, _("counting…"), A(w, SLOT_MUTED));
        return;
    }
    lw = 6;
    if (r->h >= 7 && r->w >= lw + 48) {
        /* Bars: per hour, today then yesterday, in eighths of a cell. */
        static const char *const eighths[9] = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
        int ch = r->h - 3, bw = (r->w - lw) / 24;

        for (int row = 0; row < ch; row++) {
            int yy = y + row;
            long base = (long)(ch - 1 - row) * 8;

            for (int h = 0; h < 24; h++) {
                int x = r->x + lw + h * bw;
                int vals[2] = {h < hours ? in->today[h] : 0, in->yesterday[h]};

                for (int s = 0; s < 2; s++) {
                    long e8 = (long)vals[s] * ch * 8 / max - base;

                    if (e8 <= 0)
                        continue;
                    draw_text(w->win, yy, x + s, 1, eighths[e8 > 8 ? 8 : e8],
                              A(w, s == 0 ? SLOT_OK : SLOT_MUTED));
                }
            }
        }
        snprintf(head, sizeof head, "%d", max);
        draw_text_right(w->win, y, r->x, lw - 1, head, A(w, SLOT_MUTED));
        draw_text_right(w->win, y + ch - 1, r->x, lw - 1, "0", A(w, SLOT_MUTED));
        for (int h = 0; h < 24; h += 3) {
            snprintf(head, sizeof head, "%d", h);
            draw_text(w->win, y + ch, r->x + lw + h * bw, bw * 3, head, A(w, SLOT_MUTED));
        }
        draw_text(w->win, y + ch + 1, r->x + lw, r->w - lw, _("█ today"), A(w, SLOT_OK));
        draw_text(w->win, y + ch + 1, r->x + lw + 12, r->w - lw - 12, _("█ yesterday"),
                  A(w, SLOT_MUTED));
        return;
    }
    if (y < r->y + r->h) {
        draw_text(w->win, y, r->x, lw, _("today"), A(w, SLOT_LABEL));
        draw_text(w->win, y, r->x + lw, r->w - lw,
                  watch_spark(in->today, (size_t)hours, max, true, spark, sizeof spark),
                  A(w, SLOT_OK));
        y++;
    }
    if (y < r->y + r->h) {
        draw_text(w->win, y, r->x, lw, _("yest."), A(w, SLOT_LABEL));
        draw_text(w->win, y, r->x + lw, r->w - lw,
                  watch_spark(in->yesterday, 24, max, true, spark, sizeof spark),
                  A(w, SLOT_MUTED));
        y++;
    }
    if (y < r->y + r->h && r->w >= lw + 24)
        draw_text(w->win, y, r->x + lw, r->w - lw, "0     6     12    18   23", A(w, SLOT_MUTED));
}

/* The key hints. */
static void
draw_footer(struct watch *w, const struct rect *r)
{
    const struct keymap *maps[1] = {&watch_keys};
    struct key_hint hints[8];
    size_t n = keys_hints(maps, 1, hints, ARRAY_SIZE(hints));
    WINDOW *sub = derwin(w->win, 1, r->w, r->y, r->x);

    if (sub == NULL)
        return;
    if (w->paused) {
        for (size_t i = 0; i < n; i++) {
            if (strcmp(hints[i].label, "Pause") == 0)
                hints[i].label = N_("Resume");
        }
    }
    footer_draw(sub, r->w, hints, n, &w->theme);
    if (w->problem[0] != '\0') {
        int used = 0;

        for (size_t i = 0; i < footer_fit(hints, n, r->w); i++)
            used += text_width(hints[i].key) + 1 + text_width(_(hints[i].label)) + 2;
        if (r->w - used > 10)
            draw_text_right(sub, 0, used, r->w - used, w->problem, A(w, SLOT_WARN));
    }
    delwin(sub);
}

/* Lay the screen out again (a new size, or a different number of KPI rows). */
static void
relayout(struct watch *w)
{
    size_t nk = kpis_shown(w);

    watch_layout_compute(w->term.rows, w->term.cols, nk, &w->layout);
    w->layout_kpis = nk;
    if (w->win != NULL)
        delwin(w->win);
    w->win = newwin(w->term.rows > 0 ? w->term.rows : 1, w->term.cols > 0 ? w->term.cols : 1, 0, 0);
    if (w->win != NULL)
        leaveok(w->win, TRUE);
    w->relayout = false;
}

/* Draw the whole frame and let ncurses send only what changed. */
static void
render(struct watch *w)
{
    const struct watch_layout *l = &w->layout;

    if (w->relayout || w->layout_kpis != kpis_shown(w))
        relayout(w);
    if (w->win == NULL)
        return;
    wbkgdset(w->win, ' ' | A(w, SLOT_NORMAL));
    werase(w->win);
    if (l->too_small) {
        draw_text(w->win, 0, 0, w->term.cols, _("window too small"), A(w, SLOT_WARN));
    } else {
        draw_header(w, &l->header);
        draw_counters(w, &l->counters, l->counters_per_line);
        draw_kpis(w, &l->kpis);
        draw_units(w, &l->units);
        draw_alerts(w, &l->alerts);
        draw_intake(w, &l->intake);
        if (l->footer.h > 0)
            draw_footer(w, &l->footer);
        if (w->help_open) {
            const struct keymap *maps[1] = {&watch_keys};
            struct rect body = {1, 0, w->term.rows - 1, w->term.cols};

            help_draw(&w->help, w->win, &body, maps, 1, &w->theme);
        }
    }
    wnoutrefresh(w->win);
    doupdate();
    w->dirty = false;
}

/* ---- input and signals ---- */

/* Pause or resume: paused, nothing is fetched and the screen keeps what it shows. */
static void
toggle_pause(struct watch *w)
{
    w->paused = !w->paused;
    if (w->paused) {
        if (w->feed_live && w->conn == API_ONLINE)
            w->data_at = now_s();    /* the feed kept it current until now */
        api_feed_stop(w->api);
        if (w->debounce_timer != 0)
            loop_cancel(w->loop, w->debounce_timer);
        w->debounce_timer = 0;
        w->want = 0;
    } else {
        api_feed_start(w->api, -1);
        refresh_all(w, false);
    }
    w->dirty = true;
}

/* One key. */
static void
on_key(struct watch *w, wint_t ch, bool keycode)
{
    struct key_event ev = {ch, keycode, keys_lookup(&watch_keys, ch, keycode)};
    int page = w->layout.alerts.h > 2 ? w->layout.alerts.h - 2 : 1;

    if (w->help_open) {
        if (!help_key(&w->help, &ev))
            w->help_open = false;
        w->dirty = true;
        return;
    }
    switch (ev.cmd) {
    case CMD_QUIT:
        w->quit = true;
        break;
    case CMD_HELP:
        help_open(&w->help);
        w->help_open = true;
        break;
    case CMD_HOLD:
        toggle_pause(w);
        break;
    case CMD_UP:
        w->alert_top--;
        break;
    case CMD_DOWN:
        w->alert_top++;
        break;
    case CMD_PAGE_UP:
        w->alert_top -= page;
        break;
    case CMD_PAGE_DOWN:
        w->alert_top += page;
        break;
    case CMD_HOME:
        w->alert_top = 0;
        break;
    case CMD_END:
        w->alert_top = (int)w->model.n_alerts;
        break;
    case CMD_REDRAW:
        term_repaint_all(&w->term);
        break;
    default:
        return;
    }
    clamp_alerts(w, w->layout.alerts.h - 1);
    w->dirty = true;
}

/* The terminal's fd for the loop. */
static int
input_fds(void *arg, struct pollfd *out, int max, int *timeout_ms)
{
    struct watch *w = arg;

    (void)timeout_ms;
    if (max < 1 || !w->term.active)
        return 0;
    out[0].fd = term_fd(&w->term);
    out[0].events = POLLIN;
    return 1;
}

/* Read the pending keys. */
static void
input_dispatch(void *arg, const struct pollfd *fds, int n)
{
    struct watch *w = arg;
    wint_t ch;
    bool keycode;

    if (n > 0 && (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)) && !(fds[0].revents & POLLIN)) {
        w->quit = true;
        return;
    }
    if (n > 0 && !(fds[0].revents & POLLIN))
        return;
    while (!w->quit && term_read(&w->term, &ch, &keycode))
        on_key(w, ch, keycode);
}

/* Signals: quit, resize, suspend, continue. */
static void
on_signals(void *arg, unsigned sigs)
{
    struct watch *w = arg;

    if (sigs & LOOP_SIG_QUIT)
        w->quit = true;
    if (sigs & LOOP_SIG_SUSPEND)
        term_suspend(&w->term, w->loop);
    if (sigs & LOOP_SIG_CONT)
        term_repaint_all(&w->term);
    if (sigs & (LOOP_SIG_RESIZE | LOOP_SIG_SUSPEND | LOOP_SIG_CONT)) {
        term_resize(&w->term);
        /* The terminal may have kept another part of the old screen than curses thinks:
         * paint every cell once. */
        term_repaint_all(&w->term);
        w->relayout = true;
        w->dirty = true;
    }
}

/* ---- setup ---- */

/* Load the theme the configuration names (the default when it cannot be found). */
static void
load_theme(struct watch *w)
{
    char *conf = xdg_app_dir(XDG_CONFIG, false, NULL);
    char *dirs[3];
    size_t nd = 0;
    char *path;
    struct err e;

    if (conf != NULL) {
        dirs[nd++] = xasprintf("%s/themes", conf);
        free(conf);
    }
    dirs[nd++] = xstrdup(HOTLINE_DATADIR "/themes");
    dirs[nd++] = xstrdup(HOTLINE_SOURCE_DIR "/themes");
    theme_init_default(&w->theme);
    path = theme_find(w->cfg->theme != NULL ? w->cfg->theme : "default",
                      (const char *const *)dirs, nd);
    err_clear(&e);
    if (path != NULL && theme_load_file(&w->theme, path, &e) != HL_OK)
        LOG_WARN(&w->log, "%s", e.msg);
    free(path);
    for (size_t i = 0; i < nd; i++)
        free(dirs[i]);
    theme_apply(&w->theme, w->term.depth, w->term.default_colors);
}

/* Open the log under $XDG_STATE_HOME/hotline (nothing goes to the terminal). */
static void
open_log(struct watch *w)
{
    char *dir = xdg_app_dir(XDG_STATE, true, NULL);
    char *path;

    if (dir == NULL)
        return;
    path = xasprintf("%s/watch.log", dir);
    log_open(&w->log, path, LOG_LEVEL_INFO);
    free(path);
    free(dir);
}

/* Token, server, network and api. HL_OK or an error with e filled. */
static int
connect_api(struct watch *w, struct timers *timers, struct err *e)
{
    struct net_opts no = {
        .insecure = w->cfg->insecure, .cacert = w->cfg->cacert, .user_agent = "hotline-watch",
    };
    struct api_opts ao = {
        .feed_wait_s = FEED_WAIT_S, .backoff_max_ms = BACKOFF_MAX_MS,
        .offline_after_ms = OFFLINE_AFTER_MS, .tz = w->tz,
    };
    int rc;

    rc = session_resolve(w->cfg->token_file, &w->session, e);
    if (rc != HL_OK) {
        if (rc == HL_ENOENT)
            err_set(e, HL_ENOENT, "token",
                    _("not signed in: run hotline login --server URL --user ID first"));
        return rc;
    }
    if (w->cfg->server_url != NULL)
        w->server = xstrdup(w->cfg->server_url);
    else if (w->session.server != NULL)
        w->server = xstrdup(w->session.server);
    else
        return err_set(e, HL_EINVAL, "server",
                       _("no server: give --server URL or set [server] url in the configuration"));
    w->net = net_new(&no, e);
    if (w->net == NULL)
        return HL_EIO;
    ao.base_url = w->server;
    w->api = api_new(w->net, timers, &ao, on_api_event, w, e);
    if (w->api == NULL)
        return HL_EINVAL;
    api_set_token(w->api, w->session.token);
    return HL_OK;
}

/* --once: fetch everything once, print the snapshot, exit. */
static int
run_once(struct watch *w)
{
    struct watch_snapshot s;
    char *out;

    start_part(w, P_META);
    if (!net_run_until_idle(w->net, ONCE_TIMEOUT_MS) || !w->have_meta) {
        fprintf(stderr, "hotline: %s\n", w->failed ? w->once_error : _("no answer from the server"));
        return 1;
    }
    w->day = local_day(w, now_s());
    refresh_all(w, true);
    start_part(w, P_UNITS);
    if (!net_run_until_idle(w->net, ONCE_TIMEOUT_MS)) {
        fprintf(stderr, "hotline: %s\n", _("the server did not answer in time"));
        return 1;
    }
    if (w->failed) {
        fprintf(stderr, "hotline: %s\n", w->problem[0] != '\0' ? w->problem : w->once_error);
        return 1;
    }
    memset(&s, 0, sizeof s);
    s.centre = w->centre;
    s.unit = w->o->unit;
    s.unit_name = w->unit_name;
    s.profile = w->profile;
    s.tz = w->tz;
    s.now = now_s();
    s.connection = "online";
    s.data_at = w->data_at;
    out = w->o->json ? watch_model_json(&w->model, &s) : watch_model_text(&w->model, &s);
    fputs(out, stdout);
    if (out[0] != '\0' && out[strlen(out) - 1] != '\n')
        fputc('\n', stdout);
    free(out);
    return fflush(stdout) == 0 ? 0 : 1;
}

/* The dashboard in the terminal until q or a signal. */
static int
run_live(struct watch *w)
{
    struct loop_source input = {input_fds, input_dispatch, w};
    struct loop_source netsrc;

    net_loop_source(w->net, &netsrc);
    loop_add_source(w->loop, &input);
    loop_add_source(w->loop, &netsrc);
    load_theme(w);
    w->relayout = true;
    update_clock(w, now_s());
    start_part(w, P_META);
    refresh_all(w, true);
    api_feed_start(w->api, -1);
    schedule_tick(w);
    w->dirty = true;
    while (!w->quit) {
        if (w->dirty)
            render(w);
        if (loop_iterate(w->loop) < 0) {
            LOG_ERR(&w->log, "waiting failed: quitting");
            return 1;
        }
    }
    return 0;
}

int
watch_run(struct config *cfg, const struct watch_opts *o)
{
    struct watch *w = xcalloc(1, sizeof *w);
    const char *no_color = getenv("NO_COLOR");
    struct err e;
    struct err tzerr;
    int rc = 1;

    w->cfg = cfg;
    w->o = o;
    log_init(&w->log);
    open_log(w);
    watch_model_init(&w->model);
    w->conn = API_ONLINE;
    err_clear(&e);
    err_clear(&tzerr);
    w->tz = tz_load(cfg->timezone != NULL ? cfg->timezone : "Asia/Shanghai", &tzerr);
    if (w->tz == NULL) {
        LOG_WARN(&w->log, "time zone: %s; using UTC+8", tzerr.msg);
        w->tz = tz_fixed("UTC+8", 8 * 3600);
    }
    if (cfg->centre_name != NULL)
        w->centre = xstrdup(cfg->centre_name);
    if (o->once) {
        timers_init(&w->once_timers);
        if (connect_api(w, &w->once_timers, &e) != HL_OK) {
            fprintf(stderr, "hotline: %s\n", e.msg);
            goto out;
        }
        rc = run_once(w);
        goto out;
    }
    w->loop = loop_new(on_signals, w, &e);
    if (w->loop == NULL) {
        fprintf(stderr, "hotline: %s\n", e.msg);
        goto out;
    }
    /* Sign-in problems are reported before the screen changes. */
    if (connect_api(w, loop_timers(w->loop), &e) != HL_OK) {
        fprintf(stderr, "hotline: %s\n", e.msg);
        goto out;
    }
    if (term_start(&w->term, no_color != NULL && no_color[0] != '\0', &e) != HL_OK) {
        fprintf(stderr, "%s\n", e.msg);
        goto out;
    }
    LOG_INFO(&w->log, "watch starting: server %s, unit %s, interval %d s", w->server,
             o->unit != NULL ? o->unit : "(all)", o->interval);
    rc = run_live(w);
out:
    w->closing = true;
    api_free(&w->api);
    net_free(&w->net);
    if (w->win != NULL)
        delwin(w->win);
    term_stop(&w->term);
    loop_free(&w->loop);
    if (o->once)
        timers_fini(&w->once_timers);
    session_info_fini(&w->session);
    free(w->server);
    free(w->centre);
    free(w->profile);
    free(w->unit_name);
    tz_free(&w->tz);
    log_fini(&w->log);
    free(w);
    return rc;
}

/* ---- command line ---- */

/* The value of option name at argv[*i] ("--name V" or "--name=V"); NULL when argv[*i] is not
 * that option. *missing is set when the value is absent. */
static const char *
opt_value(int argc, char **argv, int *i, const char *name, bool *missing)
{
    size_t n = strlen(name);
    const char *a = argv[*i];

    if (strncmp(a, name, n) != 0 || (a[n] != '\0' && a[n] != '='))
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    (*i)++;
    return argv[*i];
}

int
watch_take_args(int *argc, char **argv, struct watch_opts *o, struct err *e)
{
    const char *valued[] = {"--unit", "--interval"};
    int out = 1;
    const char *first = NULL;

    memset(o, 0, sizeof *o);
    o->interval = WATCH_INTERVAL_DEFAULT;
    for (int i = 1; i < *argc; i++) {
        const char *a = argv[i];
        bool missing = false, taken = false;

        if (strcmp(a, "--watch") == 0) {
            o->watch = true;
            continue;
        }
        if (strcmp(a, "--bell") == 0 || strcmp(a, "--once") == 0 || strcmp(a, "--json") == 0) {
            o->bell |= strcmp(a, "--bell") == 0;
            o->once |= strcmp(a, "--once") == 0;
            o->json |= strcmp(a, "--json") == 0;
            if (first == NULL)
                first = a;
            continue;
        }
        for (size_t k = 0; k < ARRAY_SIZE(valued) && !taken; k++) {
            int at = i;
            const char *v = opt_value(*argc, argv, &i, valued[k], &missing);

            if (missing)
                return err_set(e, HL_EINVAL, valued[k], _("%s needs a value"), valued[k]);
            if (v == NULL)
                continue;
            taken = true;
            if (first == NULL)
                first = argv[at];
            if (v[0] == '\0')
                return err_set(e, HL_EINVAL, valued[k], _("%s needs a value"), valued[k]);
            if (k == 0) {
                o->unit = v;
            } else {
                long n;

                if (!str_to_long(v, WATCH_INTERVAL_MIN, WATCH_INTERVAL_MAX, &n))
                    return err_set(e, HL_EINVAL, "--interval",
                                   _("--interval must be a number of seconds from %d to %d, "
                                     "not '%s'"),
                                   WATCH_INTERVAL_MIN, WATCH_INTERVAL_MAX, v);
                o->interval = (int)n;
            }
        }
        if (!taken)
            argv[out++] = argv[i];
    }
    argv[out] = NULL;
    *argc = out;
    if (first != NULL && !o->watch)
        return err_set(e, HL_EINVAL, first, _("%s works only with --watch"), first);
    if (o->json && !o->once)
        return err_set(e, HL_EINVAL, "--json", "%s", _("--json works only with --once"));
    return HL_OK;
}

void
watch_usage(FILE *f)
{
    fprintf(f, "%s", _("watch mode (the supervisor's read-only dashboard):\n"
                       "  --watch             live dashboard of queues, deadlines and KPIs\n"
                       "  --unit CODE         only one responsible unit\n"
                       "  --interval SECONDS  polling period without the change feed (30)\n"
                       "  --bell              ring on a new emergency or a newly overdue ticket\n"
                       "  --once [--json]     print a snapshot (text or JSON) and exit\n"));
}
