/* watch_model: the supervisor dashboard's data, layout and snapshots (pure). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "hotline/text.h"
#include "hotline/util.h"
#include "i18n.h"
#include "watch_model.h"

#define HOUR_S 3600
#define DAY_S 86400
/* When a ticket counts as dispatched late after acceptance (DESIGN §4: within 2 hours). */
#define LATE_DISPATCH_S (2 * HOUR_S)

static const char *const counter_labels[WATCH_C_COUNT] = {
    N_("Open"), N_("Accepted today"), N_("To dispatch"), N_("Overdue"), N_("Near due"),
    N_("Awaiting callback"), N_("Returned"), N_("Emergencies open"),
};
static const char *const counter_keys[WATCH_C_COUNT] = {
    "open", "accepted_today", "to_dispatch", "overdue", "near_due", "awaiting_callback",
    "returned", "emergencies_open",
};
static const char *const alert_labels[WATCH_A_COUNT] = {
    N_("Emergency"), N_("Overdue"), N_("Near due"), N_("Dissatisfied"), N_("Cluster"),
    N_("Late dispatch"),
};
static const char *const alert_short[WATCH_A_COUNT] = {
    N_("Emerg."), N_("Overdue"), N_("Near"), N_("Dissat."), N_("Cluster"), N_("Late"),
};
static const char *const alert_keys[WATCH_A_COUNT] = {
    "emergency", "overdue", "near_due", "dissatisfied", "cluster", "late_dispatch",
};
static const unsigned alert_flags[WATCH_A_COUNT] = {
    FLAG_EMERGENCY, FLAG_OVERDUE, FLAG_NEAR_DUE, FLAG_DISSATISFIED, FLAG_CLUSTER,
    FLAG_LATE_DISPATCH,
};

/* A KPI row of the dashboard and the server KPIs that can fill it, in order of preference. */
struct concept {
    const char *key;
    const char *label;
    const char *label_short;
    bool calls;
    const char *ids[4];
};

static const struct concept concepts[] = {
    {"first_contact", N_("First-contact resolution"), N_("First contact"), false,
     {"db51_2963.call_resolution_rate", "ningxia95198.call_resolution_rate", NULL, NULL}},
    {"resolution", N_("Work-order resolution"), N_("Resolution"), false,
     {"db51_2963.ticket_resolution_rate", "ningxia95198.ticket_resolution_rate", NULL, NULL}},
    {"timely_resolution", N_("Resolved within 2 working days"), N_("Within 2 wd"), false,
     {"db51_2963.ticket_timely_resolution_rate", "ningxia95198.ticket_timely_resolution_rate",
      NULL, NULL}},
    {"return_rate", N_("Return rate"), N_("Return rate"), false,
     {"ningxia95198.ticket_return_rate", NULL, NULL, NULL}},
    {"redo_rate", N_("Redo rate"), N_("Redo rate"), false, {"c12345.redo_rate", NULL, NULL, NULL}},
    {"callback_timeliness", N_("Callback timeliness"), N_("Callback time"), false,
     {"c12345.callback_timeliness", NULL, NULL, NULL}},
    {"satisfaction", N_("Satisfaction"), N_("Satisfaction"), false,
     {"c12345.reasonable_request_satisfaction", "c12345plan.satisfaction", NULL, NULL}},
    {"dispatch_timeliness", N_("Dispatch timeliness"), N_("Dispatch time"), false,
     {"c12345.transfer_timeliness", NULL, NULL, NULL}},
    {"answer_rate", N_("Answer rate"), N_("Answer rate"), true,
     {"c12345.manual_answer_rate", "db51_2963.manual_answer_rate",
      "ningxia95198.call_completion_rate", NULL}},
    {"avg_wait", N_("Average wait"), N_("Avg wait"), true,
     {"db51_2963.avg_wait", "ningxia95198.avg_wait", NULL, NULL}},
};

/* The KPI behind each unit's on-time reply rate. */
#define ON_TIME_REPLY_ID "c12345.on_time_reply_rate"

void
watch_model_init(struct watch_model *m)
{
    memset(m, 0, sizeof *m);
    for (size_t i = 0; i < WATCH_C_COUNT; i++)
        m->counters.v[i] = -1;
}

const char *
watch_counter_label(enum watch_counter c)
{
    return c < WATCH_C_COUNT ? counter_labels[c] : "";
}

const char *
watch_counter_key(enum watch_counter c)
{
    return c < WATCH_C_COUNT ? counter_keys[c] : "";
}

bool
watch_model_set_counter(struct watch_model *m, enum watch_counter c, int64_t v)
{
    if (c >= WATCH_C_COUNT || m->counters.v[c] == v)
        return false;
    m->counters.v[c] = v;
    return true;
}

/* ---- alerts ---- */

const char *
watch_alert_label(enum watch_alert_kind k)
{
    return k < WATCH_A_COUNT ? alert_labels[k] : "";
}

const char *
watch_alert_label_short(enum watch_alert_kind k)
{
    return k < WATCH_A_COUNT ? alert_short[k] : "";
}

const char *
watch_alert_key(enum watch_alert_kind k)
{
    return k < WATCH_A_COUNT ? alert_keys[k] : "";
}

unsigned
watch_alert_flag(enum watch_alert_kind k)
{
    return k < WATCH_A_COUNT ? alert_flags[k] : 0;
}

/* The unit an alert names: the lead's, else the first assignment's, else none. */
static const char *
alert_unit(const struct ticket *t)
{
    const struct assignment *a = ticket_lead(t);

    if (a == NULL && t->n_assignments > 0)
        a = &t->assignments[0];
    return a != NULL && a->unit != NULL ? a->unit : "";
}

/* When the first unit got the ticket, 0 when none did. */
static hl_time
first_dispatch(const struct ticket *t)
{
    hl_time first = 0;

    for (size_t i = 0; i < t->n_assignments; i++) {
        hl_time d = t->assignments[i].dispatched_at;

        if (d != 0 && (first == 0 || d < first))
            first = d;
    }
    return first;
}

/* The last callback rated dissatisfied, 0 when none. */
static hl_time
last_dissatisfied(const struct ticket *t)
{
    hl_time at = 0;

    for (size_t i = 0; i < t->n_callbacks; i++) {
        if (t->callbacks[i].satisfaction == SAT_DISSATISFIED && t->callbacks[i].at > at)
            at = t->callbacks[i].at;
    }
    return at;
}

/* The deadlines a ticket is held to now: its own (until replied), the callback's (once
 * replied), each unit's that has not replied. */
static size_t
deadlines(const struct ticket *t, hl_time *out, size_t max)
{
    size_t n = 0;
    bool replied = t->status == STATUS_REPLIED || t->status == STATUS_CALLBACK;

    if (t->due_at != 0 && !replied && n < max)
        out[n++] = t->due_at;
    if (t->callback_due_at != 0 && replied && n < max)
        out[n++] = t->callback_due_at;
    for (size_t i = 0; i < t->n_assignments && n < max; i++) {
        const struct assignment *a = &t->assignments[i];

        if (a->due_at != 0 && a->state != ASSIGN_REPLIED && a->state != ASSIGN_RETURNED)
            out[n++] = a->due_at;
    }
    return n;
}

/* The earliest deadline passed at now (passed) or the nearest to come (!passed); 0 if none. */
static hl_time
pick_deadline(const struct ticket *t, hl_time now, bool passed)
{
    hl_time d[MODEL_MAX_ITEMS + 2], best = 0;
    size_t n = deadlines(t, d, ARRAY_SIZE(d));

    for (size_t i = 0; i < n; i++) {
        if ((passed && d[i] <= now) || (!passed && d[i] > now)) {
            if (best == 0 || d[i] < best)
                best = d[i];
        }
    }
    return best;
}

bool
watch_alert_from_ticket(const struct ticket *t, enum watch_alert_kind k, hl_time now,
                        struct watch_alert *out)
{
    hl_time created, d;

    if (t == NULL || t->id == NULL || k >= WATCH_A_COUNT || !ticket_is_open(t))
        return false;
    if (!(t->flags & alert_flags[k]) &&
        !(k == WATCH_A_EMERGENCY && t->urgency == URGENCY_EMERGENCY))
        return false;
    memset(out, 0, sizeof *out);
    out->kind = k;
    str_copy(out->ticket_id, sizeof out->ticket_id, t->id);
    str_copy(out->unit, sizeof out->unit, alert_unit(t));
    created = t->created_at != 0 ? t->created_at : t->updated_at;
    switch (k) {
    case WATCH_A_EMERGENCY:
    case WATCH_A_CLUSTER:
        out->at = created;
        out->ref = created;
        break;
    case WATCH_A_OVERDUE:
        /* Overdue since the first deadline that passed (the flag may be the server's view
         * of a deadline this client cannot see: then since the last change). */
        d = pick_deadline(t, now, true);
        out->at = d != 0 ? d : t->updated_at;
        out->ref = out->at;
        break;
    case WATCH_A_NEAR_DUE:
        /* Near due from the moment 75% of the period was gone. */
        d = pick_deadline(t, now, false);
        out->ref = d != 0 ? d : t->due_at != 0 ? t->due_at : t->updated_at;
        out->at = out->ref > created ? created + (out->ref - created) * 3 / 4 : out->ref;
        break;
    case WATCH_A_DISSATISFIED:
        out->at = last_dissatisfied(t);
        if (out->at == 0)
            out->at = t->updated_at;
        out->ref = out->at;
        break;
    case WATCH_A_LATE_DISPATCH:
        out->at = created + LATE_DISPATCH_S;
        out->ref = created;
        out->end = first_dispatch(t);
        break;
    default:
        return false;
    }
    return true;
}

int64_t
watch_alert_seconds(const struct watch_alert *a, hl_time now)
{
    int64_t s;

    if (a->kind == WATCH_A_NEAR_DUE)
        s = a->ref - now;    /* time left */
    else if (a->kind == WATCH_A_LATE_DISPATCH && a->end != 0)
        s = a->end - a->ref; /* how long it waited */
    else
        s = now - a->ref;
    return s;
}

/* Order of the list: newest condition first, then the more severe kind, then the newer id. */
static int
alert_order(const struct watch_alert *a, const struct watch_alert *b)
{
    int c;

    if (a->at != b->at)
        return a->at > b->at ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    c = strcmp(a->ticket_id, b->ticket_id);
    return c > 0 ? -1 : c < 0 ? 1 : 0;
}

/* Index of the alert (kind, id), or -1. */
static long
alert_find(const struct watch_model *m, enum watch_alert_kind k, const char *id)
{
    for (size_t i = 0; i < m->n_alerts; i++) {
        if (m->alerts[i].kind == k && strcmp(m->alerts[i].ticket_id, id) == 0)
            return (long)i;
    }
    return -1;
}

/* Remove alert i. */
static void
alert_remove_at(struct watch_model *m, size_t i)
{
    memmove(&m->alerts[i], &m->alerts[i + 1], (m->n_alerts - i - 1) * sizeof m->alerts[0]);
    m->n_alerts--;
}

/* Move alert i to its place in the order (the rest is sorted). */
static void
alert_settle(struct watch_model *m, size_t i)
{
    struct watch_alert a = m->alerts[i];

    while (i > 0 && alert_order(&a, &m->alerts[i - 1]) < 0) {
        m->alerts[i] = m->alerts[i - 1];
        i--;
    }
    while (i + 1 < m->n_alerts && alert_order(&m->alerts[i + 1], &a) < 0) {
        m->alerts[i] = m->alerts[i + 1];
        i++;
    }
    m->alerts[i] = a;
}

/* Insert or update an alert; true when the list changed. */
static bool
alert_upsert(struct watch_model *m, const struct watch_alert *a, hl_time now, unsigned *fresh)
{
    long i = alert_find(m, a->kind, a->ticket_id);
    struct watch_alert *cur;

    if (i >= 0) {
        cur = &m->alerts[i];
        if (cur->at == a->at && cur->ref == a->ref && cur->end == a->end &&
            strcmp(cur->unit, a->unit) == 0)
            return false;
        cur->at = a->at;
        cur->ref = a->ref;
        cur->end = a->end;
        str_copy(cur->unit, sizeof cur->unit, a->unit);
        alert_settle(m, (size_t)i);
        return true;
    }
    if (m->n_alerts == WATCH_MAX_ALERTS) {
        /* Full: the oldest goes, unless the newcomer is older still. */
        if (alert_order(a, &m->alerts[m->n_alerts - 1]) > 0)
            return false;
        m->n_alerts--;
    }
    cur = &m->alerts[m->n_alerts++];
    *cur = *a;
    cur->first_seen = now;
    cur->is_new = m->alerts_loaded[a->kind];
    if (cur->is_new && fresh != NULL &&
        (a->kind == WATCH_A_EMERGENCY || a->kind == WATCH_A_OVERDUE))
        (*fresh)++;
    alert_settle(m, m->n_alerts - 1);
    return true;
}

/* Remove the alert (kind, id); true when there was one. */
static bool
alert_drop(struct watch_model *m, enum watch_alert_kind k, const char *id)
{
    long i = alert_find(m, k, id);

    if (i < 0)
        return false;
    alert_remove_at(m, (size_t)i);
    return true;
}

bool
watch_model_alerts_replace(struct watch_model *m, enum watch_alert_kind k,
                           const struct ticket *tickets, size_t n, hl_time now, unsigned *fresh)
{
    struct watch_alert a;
    bool changed = false;
    size_t i = 0;

    if (k >= WATCH_A_COUNT)
        return false;
    /* Drop the alerts of this kind that the list no longer has. */
    while (i < m->n_alerts) {
        bool keep = m->alerts[i].kind != k;

        for (size_t j = 0; !keep && j < n; j++) {
            if (tickets[j].id != NULL && strcmp(tickets[j].id, m->alerts[i].ticket_id) == 0 &&
                watch_alert_from_ticket(&tickets[j], k, now, &a))
                keep = true;
        }
        if (keep) {
            i++;
        } else {
            alert_remove_at(m, i);
            changed = true;
        }
    }
    for (size_t j = 0; j < n; j++) {
        if (watch_alert_from_ticket(&tickets[j], k, now, &a) && alert_upsert(m, &a, now, fresh))
            changed = true;
    }
    m->alerts_loaded[k] = true;
    return changed;
}

bool
watch_model_apply_ticket(struct watch_model *m, const struct ticket *t, hl_time now,
                         unsigned *fresh)
{
    struct watch_alert a;
    bool changed = false;

    if (t == NULL || t->id == NULL)
        return false;
    for (int k = 0; k < WATCH_A_COUNT; k++) {
        if (watch_alert_from_ticket(t, (enum watch_alert_kind)k, now, &a)) {
            if (alert_upsert(m, &a, now, fresh))
                changed = true;
        } else if (alert_drop(m, (enum watch_alert_kind)k, t->id)) {
            changed = true;
        }
    }
    return changed;
}

bool
watch_model_forget_ticket(struct watch_model *m, const char *ticket_id)
{
    bool changed = false;

    for (int k = 0; k < WATCH_A_COUNT; k++) {
        if (alert_drop(m, (enum watch_alert_kind)k, ticket_id))
            changed = true;
    }
    return changed;
}

bool
watch_model_age_alerts(struct watch_model *m, hl_time now)
{
    bool changed = false;

    for (size_t i = 0; i < m->n_alerts; i++) {
        struct watch_alert *a = &m->alerts[i];

        if (a->is_new && now - a->first_seen >= WATCH_ALERT_NEW_S) {
            a->is_new = false;
            changed = true;
        }
    }
    return changed;
}

/* ---- KPIs ---- */

/* True when a KPI id belongs to the profile's own standard ("c12345.*" for "12345"). */
static bool
id_of_profile(const char *id, const char *profile)
{
    const char *dot = strchr(id, '.');
    size_t plen;

    if (profile == NULL || profile[0] == '\0' || dot == NULL)
        return false;
    plen = strlen(profile);
    for (const char *p = id; p + plen <= dot; p++) {
        if (strncmp(p, profile, plen) == 0)
            return true;
    }
    return false;
}

/* The group's KPI with this id, or NULL. */
static const struct api_kpi *
group_kpi(const struct api_stats_group *g, const char *id)
{
    for (size_t i = 0; g != NULL && i < g->n_kpis; i++) {
        if (g->kpis[i].id != NULL && strcmp(g->kpis[i].id, id) == 0)
            return &g->kpis[i];
    }
    return NULL;
}

/* The server KPI that fills a concept: the profile's own first, then in order. */
static const struct api_kpi *
pick_kpi(const struct api_stats_group *g, const struct concept *c, const char *profile)
{
    const struct api_kpi *k;

    for (size_t i = 0; i < ARRAY_SIZE(c->ids) && c->ids[i] != NULL; i++) {
        k = group_kpi(g, c->ids[i]);
        if (k != NULL && id_of_profile(c->ids[i], profile))
            return k;
    }
    for (size_t i = 0; i < ARRAY_SIZE(c->ids) && c->ids[i] != NULL; i++) {
        k = group_kpi(g, c->ids[i]);
        if (k != NULL)
            return k;
    }
    return NULL;
}

void
watch_kpis_from_group(const struct api_stats_group *g, const char *profile, hl_time from,
                      hl_time to, struct watch_kpis *out)
{
    memset(out, 0, sizeof *out);
    out->known = g != NULL;
    out->from = from;
    out->to = to;
    for (size_t i = 0; i < ARRAY_SIZE(concepts) && i < WATCH_MAX_KPIS; i++) {
        const struct concept *c = &concepts[i];
        struct watch_kpi *w = &out->v[out->n++];
        const struct api_kpi *k = g != NULL ? pick_kpi(g, c, profile) : NULL;

        w->key = c->key;
        w->label = c->label;
        w->label_short = c->label_short;
        w->calls = c->calls;
        w->pass = -1;
        if (k == NULL)
            continue;
        w->present = true;
        str_copy(w->id, sizeof w->id, k->id);
        str_copy(w->status, sizeof w->status, k->status != NULL ? k->status : "");
        str_copy(w->unit, sizeof w->unit, k->unit != NULL ? k->unit : "");
        w->has_value = k->has_value && isfinite(k->value);
        w->value = w->has_value ? k->value : 0;
        w->has_target = k->has_target && isfinite(k->target_value);
        if (w->has_target) {
            str_copy(w->op, sizeof w->op, k->target_op != NULL ? k->target_op : "");
            w->target = k->target_value;
        }
        w->pass = k->pass;
    }
    if (g != NULL && g->score_max > 0) {
        out->has_score = true;
        out->score = g->score_total;
        out->score_max = g->score_max;
        out->score_complete = g->score_complete;
        out->ranked_last = g->ranked_last;
    }
}

/* True when two KPI rows show the same. */
static bool
kpi_eq(const struct watch_kpi *a, const struct watch_kpi *b)
{
    return a->key == b->key && a->label == b->label && a->present == b->present && strcmp(a->id, b->id) == 0 &&
           strcmp(a->status, b->status) == 0 && strcmp(a->unit, b->unit) == 0 &&
           a->has_value == b->has_value && a->value == b->value &&
           a->has_target == b->has_target && strcmp(a->op, b->op) == 0 &&
           a->target == b->target && a->pass == b->pass;
}

bool
watch_model_set_kpis(struct watch_kpis *dst, const struct watch_kpis *src)
{
    bool same = dst->known == src->known && dst->n == src->n &&
                dst->has_score == src->has_score && dst->score == src->score &&
                dst->score_max == src->score_max &&
                dst->score_complete == src->score_complete &&
                dst->ranked_last == src->ranked_last;

    for (size_t i = 0; same && i < src->n; i++)
        same = kpi_eq(&dst->v[i], &src->v[i]);
    /* The period moves with every fetch ("to" is now): keep it without redrawing. */
    *dst = *src;
    return !same;
}

bool
watch_kpi_shown(const struct watch_kpi *today, const struct watch_kpi *month)
{
    const struct watch_kpi *k = today != NULL ? today : month;

    if (k == NULL || !k->calls)
        return true;
    return (today != NULL && today->has_value) || (month != NULL && month->has_value);
}

/* A number in a KPI's unit ("96.3%", "12.4 s"). */
static void
format_in_unit(double v, const char *unit, char *buf, size_t sz)
{
    if (strcmp(unit, "percent") == 0)
        snprintf(buf, sz, "%.1f%%", v);
    else if (strcmp(unit, "second") == 0)
        snprintf(buf, sz, _("%.1f s"), v);
    else
        snprintf(buf, sz, "%.1f", v);
}

void
watch_kpi_format(const struct watch_kpi *k, char *buf, size_t sz)
{
    if (!k->present || !k->has_value)
        str_copy(buf, sz, "—");
    else
        format_in_unit(k->value, k->unit, buf, sz);
}

void
watch_kpi_format_target(const struct watch_kpi *k, char *buf, size_t sz)
{
    const char *op;
    char num[32];

    if (!k->present || !k->has_target) {
        str_copy(buf, sz, "");
        return;
    }
    op = k->op;
    if (strcmp(op, ">=") == 0)
        op = "≥";
    else if (strcmp(op, "<=") == 0)
        op = "≤";
    if (strcmp(k->unit, "percent") == 0 && k->target == floor(k->target))
        snprintf(num, sizeof num, "%.0f%%", k->target);
    else if (strcmp(k->unit, "second") == 0 && k->target == floor(k->target))
        snprintf(num, sizeof num, _("%.0f s"), k->target);
    else
        format_in_unit(k->target, k->unit, num, sizeof num);
    snprintf(buf, sz, "%s%s", op, num);
}

/* ---- units ---- */

bool
watch_model_set_units(struct watch_model *m, const struct api_unit *units, size_t n)
{
    struct watch_unit *old = xmalloc(sizeof m->units);
    size_t n_old = m->n_units;
    bool changed;

    memcpy(old, m->units, sizeof m->units);
    m->n_units = 0;
    for (size_t i = 0; i < n && m->n_units < WATCH_MAX_UNITS; i++) {
        struct watch_unit *u = &m->units[m->n_units];

        if (units[i].code == NULL || units[i].code[0] == '\0')
            continue;
        memset(u, 0, sizeof *u);
        str_copy(u->code, sizeof u->code, units[i].code);
        str_copy(u->name, sizeof u->name,
                 units[i].name != NULL && units[i].name[0] != '\0' ? units[i].name
                                                                   : units[i].code);
        u->open = u->overdue = u->returned = -1;
        u->rate_pass = -1;
        for (size_t j = 0; j < n_old; j++) {
            if (strcmp(old[j].code, u->code) == 0) {
                u->open = old[j].open;
                u->overdue = old[j].overdue;
                u->returned = old[j].returned;
                u->has_rate = old[j].has_rate;
                u->on_time_rate = old[j].on_time_rate;
                u->rate_pass = old[j].rate_pass;
                break;
            }
        }
        m->n_units++;
    }
    changed = n_old != m->n_units;
    for (size_t i = 0; !changed && i < n_old; i++)
        changed = strcmp(old[i].code, m->units[i].code) != 0 ||
                  strcmp(old[i].name, m->units[i].name) != 0;
    free(old);
    return changed;
}

struct watch_unit *
watch_model_unit(struct watch_model *m, const char *code)
{
    for (size_t i = 0; code != NULL && i < m->n_units; i++) {
        if (strcmp(m->units[i].code, code) == 0)
            return &m->units[i];
    }
    return NULL;
}

const char *
watch_model_unit_name(const struct watch_model *m, const char *code)
{
    for (size_t i = 0; code != NULL && i < m->n_units; i++) {
        if (strcmp(m->units[i].code, code) == 0)
            return m->units[i].name;
    }
    return code != NULL ? code : "";
}

bool
watch_model_set_unit_counts(struct watch_model *m, const char *code, int64_t open,
                            int64_t overdue, int64_t returned)
{
    struct watch_unit *u = watch_model_unit(m, code);
    bool changed = false;

    if (u == NULL)
        return false;
    if (open >= 0 && u->open != open) {
        u->open = open;
        changed = true;
    }
    if (overdue >= 0 && u->overdue != overdue) {
        u->overdue = overdue;
        changed = true;
    }
    if (returned >= 0 && u->returned != returned) {
        u->returned = returned;
        changed = true;
    }
    return changed;
}

/* The on-time reply KPI of a group: the 12345 one, else any "*.on_time_reply_rate". */
static const struct api_kpi *
on_time_kpi(const struct api_stats_group *g)
{
    const struct api_kpi *k = group_kpi(g, ON_TIME_REPLY_ID);

    for (size_t i = 0; k == NULL && i < g->n_kpis; i++) {
        const char *id = g->kpis[i].id;
        const char *dot = id != NULL ? strchr(id, '.') : NULL;

        if (dot != NULL && strcmp(dot + 1, "on_time_reply_rate") == 0)
            k = &g->kpis[i];
    }
    return k;
}

bool
watch_model_set_unit_rates(struct watch_model *m, const struct api_stats *s)
{
    bool changed = false;

    for (size_t i = 0; i < m->n_units; i++) {
        struct watch_unit *u = &m->units[i];
        const struct api_kpi *k = NULL;
        bool has = false;
        double v = 0;
        int pass = -1;

        for (size_t j = 0; s != NULL && j < s->n_groups; j++) {
            if (s->groups[j].key != NULL && strcmp(s->groups[j].key, u->code) == 0) {
                k = on_time_kpi(&s->groups[j]);
                break;
            }
        }
        if (k != NULL && k->has_value && isfinite(k->value)) {
            has = true;
            v = k->value;
            pass = k->pass;
        }
        if (has != u->has_rate || v != u->on_time_rate || pass != u->rate_pass) {
            u->has_rate = has;
            u->on_time_rate = v;
            u->rate_pass = pass;
            changed = true;
        }
    }
    return changed;
}

int
watch_unit_cmp(const struct watch_unit *a, const struct watch_unit *b)
{
    int64_t ao = a->overdue > 0 ? a->overdue : 0, bo = b->overdue > 0 ? b->overdue : 0;
    int64_t ar = a->returned > 0 ? a->returned : 0, br = b->returned > 0 ? b->returned : 0;
    int64_t an = a->open > 0 ? a->open : 0, bn = b->open > 0 ? b->open : 0;
    /* A unit with no rate yet ranks as if it were on time. */
    double arate = a->has_rate ? a->on_time_rate : 100.0;
    double brate = b->has_rate ? b->on_time_rate : 100.0;

    if (ao != bo)
        return ao > bo ? -1 : 1;
    if (arate != brate)
        return arate < brate ? -1 : 1;
    if (ar != br)
        return ar > br ? -1 : 1;
    if (an != bn)
        return an > bn ? -1 : 1;
    return strcmp(a->code, b->code);
}

size_t
watch_model_units_sorted(const struct watch_model *m, size_t *idx)
{
    size_t n = m->n_units;

    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    /* Insertion sort: at most WATCH_MAX_UNITS rows, and stable. */
    for (size_t i = 1; i < n; i++) {
        size_t v = idx[i], j = i;

        while (j > 0 && watch_unit_cmp(&m->units[v], &m->units[idx[j - 1]]) < 0) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = v;
    }
    return n;
}

/* ---- intake ---- */

void
watch_intake_reset(struct watch_intake *in, int64_t today)
{
    memset(in, 0, sizeof *in);
    in->known = true;
    in->day = today;
}

/* True when prev counted id at its newest second. */
static bool
seen_at_high(const struct watch_intake *prev, const char *id)
{
    for (size_t i = 0; i < prev->n_high; i++) {
        if (strcmp(prev->high_ids[i], id) == 0)
            return true;
    }
    return false;
}

/* Remember a counted ticket for the high-water mark. */
static void
note_high(struct watch_intake *in, const char *id, hl_time created_at)
{
    if (created_at > in->high) {
        in->high = created_at;
        in->n_high = 0;
    }
    if (created_at == in->high && in->n_high < WATCH_INTAKE_HIGH_IDS)
        str_copy(in->high_ids[in->n_high++], WATCH_ID_SZ, id);
}

enum watch_intake_step
watch_intake_count(struct watch_intake *in, const struct watch_intake *prev,
                   const struct tz *tz, const char *id, hl_time created_at)
{
    struct civil_time ct;
    int64_t day;

    if (id == NULL || created_at == 0)
        return WATCH_INTAKE_SKIPPED;
    if (prev != NULL) {
        if (created_at < prev->high)
            return WATCH_INTAKE_STOP;
        if (created_at == prev->high && seen_at_high(prev, id))
            return WATCH_INTAKE_SKIPPED;
    }
    tz_to_civil(tz, created_at, &ct);
    day = datetime_days_from_civil(ct.year, ct.month, ct.day);
    if (day < in->day - 1)
        return WATCH_INTAKE_STOP;
    if (day > in->day)
        return WATCH_INTAKE_SKIPPED;   /* the server's day already turned: counted then */
    if (day == in->day)
        in->today[ct.hour]++;
    else
        in->yesterday[ct.hour]++;
    note_high(in, id, created_at);
    return WATCH_INTAKE_COUNTED;
}

bool
watch_intake_roll(struct watch_intake *in, int64_t day)
{
    if (day == in->day)
        return true;
    if (day == in->day + 1) {
        memcpy(in->yesterday, in->today, sizeof in->today);
        memset(in->today, 0, sizeof in->today);
        in->day = day;
        return true;
    }
    memset(in->today, 0, sizeof in->today);
    memset(in->yesterday, 0, sizeof in->yesterday);
    in->day = day;
    return false;
}

int64_t
watch_intake_today_total(const struct watch_intake *in)
{
    int64_t n = 0;

    for (size_t h = 0; h < 24; h++)
        n += in->today[h];
    return n;
}

bool
watch_model_set_intake(struct watch_model *m, const struct watch_intake *in)
{
    const struct watch_intake *o = &m->intake;
    bool same = o->known == in->known && o->day == in->day && o->partial == in->partial &&
                memcmp(o->today, in->today, sizeof o->today) == 0 &&
                memcmp(o->yesterday, in->yesterday, sizeof o->yesterday) == 0;

    m->intake = *in;
    return !same;
}

const char *
watch_spark(const int *v, size_t n, int max, bool zero_blank, char *buf, size_t sz)
{
    static const char *const levels[8] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    size_t len = 0;

    if (sz == 0)
        return buf;
    buf[0] = '\0';
    if (max <= 0) {
        for (size_t i = 0; i < n; i++)
            if (v[i] > max)
                max = v[i];
    }
    for (size_t i = 0; i < n; i++) {
        const char *g;

        if (v[i] <= 0 || max <= 0) {
            g = zero_blank ? " " : levels[0];
        } else {
            long lvl = ((long)v[i] * 8 + max - 1) / max;   /* 1..8: anything shows */

            if (lvl > 8)
                lvl = 8;
            g = levels[lvl - 1];
        }
        if (len + strlen(g) + 1 > sz)
            break;
        memcpy(buf + len, g, strlen(g));
        len += strlen(g);
        buf[len] = '\0';
    }
    return buf;
}

void
watch_format_duration(int64_t seconds, bool compact, char *buf, size_t sz)
{
    if (seconds < 0)
        seconds = seconds == INT64_MIN ? INT64_MAX : -seconds;
    if (compact) {
        if (seconds < 60)
            snprintf(buf, sz, "%ds", (int)seconds);
        else if (seconds < HOUR_S)
            snprintf(buf, sz, "%dm", (int)(seconds / 60));
        else if (seconds < DAY_S)
            snprintf(buf, sz, "%dh%02d", (int)(seconds / HOUR_S), (int)(seconds % HOUR_S / 60));
        else if (seconds < 100LL * DAY_S)
            snprintf(buf, sz, "%dd%dh", (int)(seconds / DAY_S), (int)(seconds % DAY_S / HOUR_S));
        else
            snprintf(buf, sz, "%lldd", (long long)(seconds / DAY_S > 99999 ? 99999 : seconds / DAY_S));
        return;
    }
    if (seconds < 60)
        snprintf(buf, sz, _("%d s"), (int)seconds);
    else if (seconds < HOUR_S)
        snprintf(buf, sz, _("%d min"), (int)(seconds / 60));
    else if (seconds < DAY_S)
        snprintf(buf, sz, _("%d h %02d min"), (int)(seconds / HOUR_S),
                 (int)(seconds % HOUR_S / 60));
    else if (seconds < 1000LL * DAY_S)
        snprintf(buf, sz, _("%d d %d h"), (int)(seconds / DAY_S), (int)(seconds % DAY_S / HOUR_S));
    else
        snprintf(buf, sz, _("%d d"), (int)(seconds / DAY_S > 999999 ? 999999 : seconds / DAY_S));
}

/* ---- layout ---- */

/* A rectangle; negative sizes become 0. */
static struct rect
rect_of(int y, int x, int h, int w)
{
    struct rect r = {y, x, h < 0 ? 0 : h, w < 0 ? 0 : w};

    if (r.h == 0 || r.w == 0)
        r.h = r.w = 0;
    return r;
}

void
watch_layout_compute(int rows, int cols, size_t n_kpis, struct watch_layout *out)
{
    int per, lines, top, avail, left_w, right_x, right_w, kpi_h, intake_h;

    memset(out, 0, sizeof *out);
    out->rows = rows;
    out->cols = cols;
    if (rows < WATCH_MIN_ROWS || cols < WATCH_MIN_COLS) {
        out->too_small = true;
        return;
    }
    out->header = rect_of(0, 0, 1, cols);
    if (cols >= 180 && rows >= 45)
        out->mode = WATCH_LAYOUT_FULL;
    else if (cols >= 120 && rows >= 36)
        out->mode = WATCH_LAYOUT_WIDE;
    else if (cols >= 80 && rows >= 22)
        out->mode = WATCH_LAYOUT_MEDIUM;
    else
        out->mode = WATCH_LAYOUT_COMPACT;

    /* Counters: cells of at least 20 columns (15 when all eight fit on one line). */
    if (cols >= 15 * WATCH_C_COUNT && out->mode != WATCH_LAYOUT_COMPACT)
        per = WATCH_C_COUNT;
    else
        per = cols / 20 < 1 ? 1 : cols / 20 > 4 ? 4 : cols / 20;
    lines = (WATCH_C_COUNT + per - 1) / per;
    if (lines > rows - 1)
        lines = rows - 1;
    out->counters_per_line = per;
    out->counters = rect_of(1, 0, lines, cols);
    top = 1 + lines;

    if (out->mode == WATCH_LAYOUT_COMPACT) {
        /* A small pane: counters and alerts only, no footer. */
        out->alerts = rect_of(top, 0, rows - top, cols);
        return;
    }
    out->footer = rect_of(rows - 1, 0, 1, cols);
    avail = rows - 1 - top;
    kpi_h = (int)n_kpis + 3;    /* heading, column heads, rows, score */

    if (out->mode == WATCH_LAYOUT_FULL) {
        int w1 = cols * 32 / 100, w2 = cols * 34 / 100;

        intake_h = avail - kpi_h - 1;
        if (intake_h > 16)
            intake_h = 16;
        if (intake_h < 4) {
            intake_h = 4;
            kpi_h = avail - intake_h - 1;
        }
        out->kpis = rect_of(top, 0, kpi_h, w1);
        out->intake = rect_of(top + avail - intake_h, 0, intake_h, w1);
        out->units = rect_of(top, w1 + 1, avail, w2);
        out->alerts = rect_of(top, w1 + w2 + 2, avail, cols - w1 - w2 - 2);
        return;
    }
    /* MEDIUM and WIDE: KPIs over units on the left, alerts over intake on the right. */
    left_w = (cols - 1) / 2;
    right_x = left_w + 1;
    right_w = cols - right_x;
    if (kpi_h > avail - 4)
        kpi_h = avail - 4;
    out->kpis = rect_of(top, 0, kpi_h, left_w);
    out->units = rect_of(top + kpi_h, 0, avail - kpi_h, left_w);
    intake_h = out->mode == WATCH_LAYOUT_WIDE ? 12 : 4;
    if (intake_h > avail / 2)
        intake_h = avail / 2;
    out->alerts = rect_of(top, right_x, avail - intake_h, right_w);
    out->intake = rect_of(top + avail - intake_h, right_x, intake_h, right_w);
}

/* ---- snapshots ---- */

/* An instant as RFC 3339 in the zone into buf ("" for 0). */
static void
fmt_instant(const struct tz *tz, hl_time t, char *buf, size_t sz)
{
    if (t == 0)
        str_copy(buf, sz, "");
    else
        tz_format_rfc3339(tz, t, buf, sz);
}

/* Append "label: value" for a counter. */
static void
text_counter(struct strbuf *sb, const struct watch_model *m, enum watch_counter c)
{
    if (m->counters.v[c] >= 0)
        strbuf_addf(sb, "%s: %lld\n", _(counter_labels[c]), (long long)m->counters.v[c]);
    else
        strbuf_addf(sb, "%s: —\n", _(counter_labels[c]));
}

/* Append the KPI table of text snapshots. */
static void
text_kpis(struct strbuf *sb, const struct watch_model *m)
{
    char tv[32], mv[32], tg[32];

    strbuf_addf(sb, "\n%s\t%s\t%s\t%s\t%s\n", _("KPI"), _("today"), _("month"), _("target"),
                _("month result"));
    for (size_t i = 0; i < m->month.n || i < m->today.n; i++) {
        const struct watch_kpi *t = i < m->today.n ? &m->today.v[i] : NULL;
        const struct watch_kpi *mo = i < m->month.n ? &m->month.v[i] : NULL;
        const struct watch_kpi *any = mo != NULL ? mo : t;

        if (!watch_kpi_shown(t, mo))
            continue;
        if (t != NULL)
            watch_kpi_format(t, tv, sizeof tv);
        else
            str_copy(tv, sizeof tv, "—");
        if (mo != NULL)
            watch_kpi_format(mo, mv, sizeof mv);
        else
            str_copy(mv, sizeof mv, "—");
        watch_kpi_format_target(any, tg, sizeof tg);
        strbuf_addf(sb, "%s\t%s\t%s\t%s\t%s\n", _(any->label), tv, mv, tg,
                    mo == NULL || mo->pass < 0 ? "—" : mo->pass ? _("pass") : _("FAIL"));
    }
    if (m->month.has_score)
        strbuf_addf(sb, "%s\t%.1f / %.0f%s%s\n", _("Month score (DB51/T 2963)"), m->month.score,
                    m->month.score_max, m->month.score_complete ? "" : _(" (incomplete)"),
                    m->month.ranked_last ? _(" (ranked last)") : "");
}

/* The value of a count for a text cell ("—" when unknown). */
static void
count_cell(int64_t v, char *buf, size_t sz)
{
    if (v < 0)
        str_copy(buf, sz, "—");
    else
        snprintf(buf, sz, "%lld", (long long)v);
}

/* Append text from the wire made safe to print (no control characters, no tabs). */
static void
add_clean(struct strbuf *sb, const char *s)
{
    char *t = text_sanitize(s != NULL ? s : "", 0);

    strbuf_adds(sb, t);
    free(t);
}

char *
watch_model_text(const struct watch_model *m, const struct watch_snapshot *s)
{
    struct strbuf sb;
    char when[40], data[40], a[24], b[24], c[24], dur[48];
    size_t idx[WATCH_MAX_UNITS];
    size_t n;

    strbuf_init(&sb);
    fmt_instant(s->tz, s->now, when, sizeof when);
    fmt_instant(s->tz, s->data_at, data, sizeof data);
    add_clean(&sb, s->centre != NULL ? s->centre : "hotline");
    if (s->unit != NULL) {
        strbuf_adds(&sb, " · ");
        add_clean(&sb, s->unit_name != NULL ? s->unit_name : s->unit);
    }
    strbuf_addf(&sb, "\n%s: %s\n%s: %s\n%s: %s\n\n", _("Time"), when, _("Connection"),
                s->connection != NULL ? s->connection : "", _("Data from"),
                data[0] != '\0' ? data : "—");
    for (int i = 0; i < WATCH_C_COUNT; i++)
        text_counter(&sb, m, (enum watch_counter)i);
    text_kpis(&sb, m);
    n = watch_model_units_sorted(m, idx);
    if (n > 0) {
        strbuf_addf(&sb, "\n%s\t%s\t%s\t%s\t%s\n", _("Unit"), _("open"), _("overdue"),
                    _("returned"), _("on time"));
        for (size_t i = 0; i < n; i++) {
            const struct watch_unit *u = &m->units[idx[i]];

            count_cell(u->open, a, sizeof a);
            count_cell(u->overdue, b, sizeof b);
            count_cell(u->returned, c, sizeof c);
            add_clean(&sb, u->name);
            strbuf_addf(&sb, "\t%s\t%s\t%s\t", a, b, c);
            if (u->has_rate)
                strbuf_addf(&sb, "%.1f%%\n", u->on_time_rate);
            else
                strbuf_adds(&sb, "—\n");
        }
    }
    strbuf_addf(&sb, "\n%s (%zu)\n", _("Alerts"), m->n_alerts);
    for (size_t i = 0; i < m->n_alerts; i++) {
        const struct watch_alert *al = &m->alerts[i];

        watch_format_duration(watch_alert_seconds(al, s->now), false, dur, sizeof dur);
        strbuf_addf(&sb, "%s\t", _(alert_labels[al->kind]));
        add_clean(&sb, al->ticket_id);
        strbuf_adds(&sb, "\t");
        add_clean(&sb, al->unit[0] != '\0' ? watch_model_unit_name(m, al->unit) : "—");
        strbuf_addf(&sb, "\t%s\n", dur);
    }
    strbuf_addf(&sb, "\n%s\n%s\t", _("Intake per hour"), _("today"));
    for (int h = 0; h < 24; h++)
        strbuf_addf(&sb, "%s%d", h > 0 ? " " : "", m->intake.today[h]);
    strbuf_addf(&sb, "\n%s\t", _("yesterday"));
    for (int h = 0; h < 24; h++)
        strbuf_addf(&sb, "%s%d", h > 0 ? " " : "", m->intake.yesterday[h]);
    strbuf_adds(&sb, "\n");
    return strbuf_detach(&sb);
}

/* Add a number, or null when unknown. */
static void
json_count(cJSON *o, const char *key, int64_t v)
{
    if (v < 0)
        cJSON_AddNullToObject(o, key);
    else
        cJSON_AddNumberToObject(o, key, (double)v);
}

/* Add an instant as RFC 3339, or null. */
static void
json_time(cJSON *o, const char *key, const struct tz *tz, hl_time t)
{
    char buf[40];

    if (t == 0) {
        cJSON_AddNullToObject(o, key);
        return;
    }
    fmt_instant(tz, t, buf, sizeof buf);
    cJSON_AddStringToObject(o, key, buf);
}

/* The KPIs of a period as a JSON object. */
static cJSON *
json_kpis(const struct watch_kpis *k, const struct tz *tz)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *items;

    cJSON_AddBoolToObject(o, "known", k->known);
    json_time(o, "from", tz, k->from);
    json_time(o, "to", tz, k->to);
    items = cJSON_AddArrayToObject(o, "items");
    for (size_t i = 0; i < k->n; i++) {
        const struct watch_kpi *w = &k->v[i];
        cJSON *it = cJSON_CreateObject();

        cJSON_AddStringToObject(it, "key", w->key);
        cJSON_AddStringToObject(it, "label", _(w->label));
        if (w->present) {
            cJSON_AddStringToObject(it, "id", w->id);
            cJSON_AddStringToObject(it, "status", w->status);
            cJSON_AddStringToObject(it, "unit", w->unit);
        } else {
            cJSON_AddNullToObject(it, "id");
            cJSON_AddStringToObject(it, "status", "missing");
            cJSON_AddNullToObject(it, "unit");
        }
        if (w->has_value)
            cJSON_AddNumberToObject(it, "value", w->value);
        else
            cJSON_AddNullToObject(it, "value");
        if (w->has_target) {
            cJSON *t = cJSON_AddObjectToObject(it, "target");

            cJSON_AddStringToObject(t, "op", w->op);
            cJSON_AddNumberToObject(t, "value", w->target);
        } else {
            cJSON_AddNullToObject(it, "target");
        }
        if (w->pass < 0)
            cJSON_AddNullToObject(it, "pass");
        else
            cJSON_AddBoolToObject(it, "pass", w->pass != 0);
        cJSON_AddItemToArray(items, it);
    }
    if (k->has_score) {
        cJSON *sc = cJSON_AddObjectToObject(o, "score");

        cJSON_AddStringToObject(sc, "standard", "DB51/T 2963-2022 appendix A");
        cJSON_AddNumberToObject(sc, "total", k->score);
        cJSON_AddNumberToObject(sc, "max_total", k->score_max);
        cJSON_AddBoolToObject(sc, "complete", k->score_complete);
        cJSON_AddBoolToObject(sc, "ranked_last", k->ranked_last);
    } else {
        cJSON_AddNullToObject(o, "score");
    }
    return o;
}

char *
watch_model_json(const struct watch_model *m, const struct watch_snapshot *s)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *o, *arr;
    size_t idx[WATCH_MAX_UNITS];
    size_t n;
    char *out;

    cJSON_AddStringToObject(root, "centre", s->centre != NULL ? s->centre : "");
    if (s->unit != NULL) {
        cJSON_AddStringToObject(root, "unit", s->unit);
        cJSON_AddStringToObject(root, "unit_name", s->unit_name != NULL ? s->unit_name : s->unit);
    } else {
        cJSON_AddNullToObject(root, "unit");
        cJSON_AddNullToObject(root, "unit_name");
    }
    if (s->profile != NULL)
        cJSON_AddStringToObject(root, "profile", s->profile);
    else
        cJSON_AddNullToObject(root, "profile");
    json_time(root, "generated_at", s->tz, s->now);
    cJSON_AddStringToObject(root, "connection", s->connection != NULL ? s->connection : "");
    json_time(root, "data_at", s->tz, s->data_at);

    o = cJSON_AddObjectToObject(root, "counters");
    for (int i = 0; i < WATCH_C_COUNT; i++)
        json_count(o, counter_keys[i], m->counters.v[i]);

    o = cJSON_AddObjectToObject(root, "kpis");
    cJSON_AddItemToObject(o, "today", json_kpis(&m->today, s->tz));
    cJSON_AddItemToObject(o, "month", json_kpis(&m->month, s->tz));

    arr = cJSON_AddArrayToObject(root, "units");
    n = watch_model_units_sorted(m, idx);
    for (size_t i = 0; i < n; i++) {
        const struct watch_unit *u = &m->units[idx[i]];
        cJSON *it = cJSON_CreateObject();

        cJSON_AddStringToObject(it, "code", u->code);
        cJSON_AddStringToObject(it, "name", u->name);
        json_count(it, "open", u->open);
        json_count(it, "overdue", u->overdue);
        json_count(it, "returned", u->returned);
        if (u->has_rate)
            cJSON_AddNumberToObject(it, "on_time_reply_rate", u->on_time_rate);
        else
            cJSON_AddNullToObject(it, "on_time_reply_rate");
        cJSON_AddItemToArray(arr, it);
    }

    arr = cJSON_AddArrayToObject(root, "alerts");
    for (size_t i = 0; i < m->n_alerts; i++) {
        const struct watch_alert *a = &m->alerts[i];
        cJSON *it = cJSON_CreateObject();

        cJSON_AddStringToObject(it, "kind", alert_keys[a->kind]);
        cJSON_AddStringToObject(it, "ticket_id", a->ticket_id);
        if (a->unit[0] != '\0') {
            cJSON_AddStringToObject(it, "unit", a->unit);
            cJSON_AddStringToObject(it, "unit_name", watch_model_unit_name(m, a->unit));
        } else {
            cJSON_AddNullToObject(it, "unit");
            cJSON_AddNullToObject(it, "unit_name");
        }
        json_time(it, "since", s->tz, a->at);
        cJSON_AddNumberToObject(it, "seconds", (double)watch_alert_seconds(a, s->now));
        cJSON_AddBoolToObject(it, "new", a->is_new);
        cJSON_AddItemToArray(arr, it);
    }

    o = cJSON_AddObjectToObject(root, "intake");
    cJSON_AddBoolToObject(o, "known", m->intake.known);
    cJSON_AddItemToObject(o, "today", cJSON_CreateIntArray(m->intake.today, 24));
    cJSON_AddItemToObject(o, "yesterday", cJSON_CreateIntArray(m->intake.yesterday, 24));
    cJSON_AddBoolToObject(o, "partial", m->intake.partial);

    out = cJSON_Print(root);
    cJSON_Delete(root);
    if (out == NULL)
        return xstrdup("{}");
    /* cJSON's buffer comes from malloc: hand over a copy the caller frees with free(). */
    {
        char *copy = xstrdup(out);

        cJSON_free(out);
        out = copy;
    }
    return out;
}
