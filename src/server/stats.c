/* stats: the KPI counts of a period from tickets and call records, per group, for GET /stats. */
#include "stats.h"

#include <stdlib.h>
#include <string.h>

#include "hotline/util.h"
#include "workflow.h"

/* The same-day dispatch cutoffs of the 12345 city standard (002 三、(三)4(2)②), which
 * data/rules.json records as informational: taken 08:30-17:00 -> by 17:00; taken after
 * 17:00 -> by 12:00 the next day; taken before 08:30 -> by 12:00 that day. */
#define CUTOFF_DAY_START (8 * 3600 + 30 * 60)
#define CUTOFF_DAY_END   (17 * 3600)
#define CUTOFF_NOON      (12 * 3600)
/* Working days for "dispatched / resolved within 2 working days". */
#define WITHIN_WORKDAYS  2
/* Calendar days for "callback within 3 days" (12345 回访及时率). */
#define CALLBACK_DAYS    3
/* Failed attempts that make a caller unreachable for the reply-rate KPI (kpi.h). */
#define UNREACHABLE_FAILS 2
/* KPI ranked relative to the best group (DB51/T 2963 A.4). */
static const char best_kpi[] = "db51_2963.ticket_timely_resolution_rate";

/* One row of the count definitions. */
struct count_def {
    const char *count;
    const char *placed_by;
    const char *rule;
};

/* Every count of struct kpi_counts: what places it in the period and when it counts. */
static const struct count_def count_defs[] = {
    { "calls_offered", "offered_at",
      "Calls offered to the agent queue (from the phone system), abandoned ones included." },
    { "calls_answered", "offered_at", "Of calls_offered: answered by an agent." },
    { "calls_answered_15s", "offered_at",
      "Of calls_answered: answered at most 15 s after being offered." },
    { "wait_seconds_total", "offered_at", "Sum of answered_at - offered_at over answered calls." },
    { "wait_samples", "offered_at", "Answered calls summed in wait_seconds_total." },
    { "calls_resolved", "created_at",
      "Tickets with channel phone closed with resolution direct (centre only)." },
    { "requests_total", "created_at", "Tickets accepted in the period, any channel and nature." },
    { "complaints_verified", "-",
      "Not recorded on tickets (verified complaints about the hotline's own service): 0." },
    { "complaints_severe", "-", "Not recorded on tickets: 0." },
    { "praise_verified", "-",
      "Not recorded on tickets (verified praise of the hotline's own service): 0." },
    { "praise_exceptional", "-", "Not recorded on tickets: 0." },
    { "dispatch_due", "created_at",
      "Tickets not answered directly that were dispatched, or are still undispatched and open "
      "after their same-day cutoff (centre only; withdrawn before dispatch: not counted)." },
    { "dispatched_same_day", "created_at",
      "Of dispatch_due: first dispatch by the cutoff (taken 08:30-17:00: 17:00; after 17:00: "
      "12:00 next day; before 08:30: 12:00)." },
    { "dispatched_2wd", "created_at",
      "Of dispatch_due: first dispatch within 2 working days (rules' deadline mode)." },
    { "work_orders", "created_at", "Tickets dispatched to at least one unit." },
    { "work_orders_resolved", "created_at",
      "Of work_orders: the lead's reply stands (status replied, callback, closed or archived, "
      "not withdrawn); in a unit group, that unit's assignment replied." },
    { "work_orders_resolved_2wd", "created_at",
      "Of work_orders_resolved: that reply within 2 working days of acceptance." },
    { "returned", "created_at", "Of work_orders: returned by a unit at least once ('return' event)." },
    { "redo", "created_at",
      "Of work_orders: sent back for redo at least once (dissatisfied callback or reopen to "
      "in_progress); in a unit group, the lead unit's." },
    { "replies_due", "assignment due_at",
      "Assignments (not returned) whose due_at is in the period and that were replied, or whose "
      "due_at passed while the ticket was open." },
    { "replies_on_time", "assignment due_at", "Of replies_due: replied at or before due_at." },
    { "callbacks_due", "callback deadline of the lead's latest reply",
      "Tickets owing a callback (nature requires one, the lead replied), once the deadline has "
      "passed or the round is settled (reached, refused or closed unreachable)." },
    { "unreachable", "callback deadline",
      "Of callbacks_due: closed unreachable, or at least 2 failed attempts and never reached." },
    { "confidential_excluded", "callback deadline",
      "Of callbacks_due and not unreachable: confidential caller." },
    { "callbacks_done_3d", "callback deadline",
      "Of callbacks_due: caller reached (or declined) within 3 calendar days of the reply." },
    { "replies_confirmed", "callback deadline",
      "Of callbacks_due, not confidential, not unreachable: reached and rated." },
    { "satisfied", "callback deadline", "Of callbacks_due: last rating of the round satisfied." },
    { "basic", "callback deadline", "Of callbacks_due: last rating basic." },
    { "dissatisfied", "callback deadline", "Of callbacks_due: last rating dissatisfied." },
    { "sms_received", "created_at", "Tickets with channel sms (centre only)." },
    { "sms_invalid", "-", "Invalid messages make no ticket: 0." },
    { "sms_replied_same_day", "created_at",
      "Of the SMS: first answer, dispatch or close on the local day of receipt." },
};

/* One group's accumulator. */
struct group {
    char *key;
    struct kpi_counts counts;
};

struct stats {
    struct stats_ctx ctx;
    enum stats_group by;
    hl_time from, to, now;
    struct kpi_counts overall;
    struct group *groups;
    size_t n_groups;
};

static const char *const group_names[STATS_GROUP_COUNT] = {
    "none", "unit", "agent", "category", "nature",
};

/* Name a grouping. */
const char *
stats_group_str(enum stats_group g)
{
    return (unsigned)g < STATS_GROUP_COUNT ? group_names[g] : "none";
}

/* Parse a grouping name. */
bool
stats_group_parse(const char *s, enum stats_group *out)
{
    if (str_empty(s)) {
        *out = STATS_GROUP_NONE;
        return true;
    }
    for (size_t i = 0; i < STATS_GROUP_COUNT; i++) {
        if (strcmp(s, group_names[i]) == 0) {
            *out = (enum stats_group)i;
            return true;
        }
    }
    return false;
}

/* Count the rows of the count definitions. */
size_t
stats_definition_count(void)
{
    return ARRAY_SIZE(count_defs);
}

/* Read one row of the count definitions. */
bool
stats_definition(size_t i, const char **count, const char **placed_by, const char **rule)
{
    if (i >= ARRAY_SIZE(count_defs))
        return false;
    *count = count_defs[i].count;
    *placed_by = count_defs[i].placed_by;
    *rule = count_defs[i].rule;
    return true;
}

/* Create an accumulator for one period and grouping. */
struct stats *
stats_new(const struct stats_ctx *c, enum stats_group group, hl_time from, hl_time to,
          hl_time now)
{
    struct stats *s = xcalloc(1, sizeof *s);

    if (c != NULL)
        s->ctx = *c;
    s->by = (unsigned)group < STATS_GROUP_COUNT ? group : STATS_GROUP_NONE;
    s->from = from;
    s->to = to;
    s->now = now;
    return s;
}

/* Free an accumulator. */
void
stats_free(struct stats **sp)
{
    struct stats *s;

    if (sp == NULL || *sp == NULL)
        return;
    s = *sp;
    for (size_t i = 0; i < s->n_groups; i++)
        free(s->groups[i].key);
    free(s->groups);
    free(s);
    *sp = NULL;
}

/* The accumulator of a key, created when missing. */
static struct kpi_counts *
group_of(struct stats *s, const char *key)
{
    if (key == NULL)
        key = "";
    for (size_t i = 0; i < s->n_groups; i++) {
        if (strcmp(s->groups[i].key, key) == 0)
            return &s->groups[i].counts;
    }
    s->groups = xrealloc(s->groups, (s->n_groups + 1) * sizeof *s->groups);
    memset(&s->groups[s->n_groups], 0, sizeof s->groups[s->n_groups]);
    s->groups[s->n_groups].key = xstrdup(key);
    return &s->groups[s->n_groups++].counts;
}

/* Look up the counts of a group or the overall entry. */
const struct kpi_counts *
stats_counts(const struct stats *s, const char *key)
{
    if (s == NULL)
        return NULL;
    if (key == NULL)
        return &s->overall;
    for (size_t i = 0; i < s->n_groups; i++) {
        if (strcmp(s->groups[i].key, key) == 0)
            return &s->groups[i].counts;
    }
    return NULL;
}

/* Count the groups seen so far. */
size_t
stats_group_count(const struct stats *s)
{
    return s != NULL ? s->n_groups : 0;
}

/* Find the top-level category of a code. */
const char *
stats_category_top(const struct stats_ctx *c, const char *code, char *buf, size_t sz)
{
    size_t best = 0;
    const char *dot;

    if (sz == 0)
        return buf;
    buf[0] = '\0';
    if (str_empty(code))
        return buf;
    for (size_t i = 0; c != NULL && c->top_categories != NULL && i < c->n_top_categories; i++) {
        const char *top = c->top_categories[i];
        size_t n = top != NULL ? strlen(top) : 0;

        if (n == 0 || n <= best || strncmp(code, top, n) != 0)
            continue;
        if (code[n] == '\0' || code[n] == '.')
            best = n;
    }
    if (best > 0) {
        str_copy(buf, sz < best + 1 ? sz : best + 1, code);
        return buf;
    }
    dot = strrchr(code, '.');
    if (dot == NULL) {
        str_copy(buf, sz, code);
        return buf;
    }
    str_copy(buf, sz < (size_t)(dot - code) + 1 ? sz : (size_t)(dot - code) + 1, code);
    return buf;
}

/* True when t is in [from, to). */
static bool
in_period(const struct stats *s, hl_time t)
{
    return t != 0 && t >= s->from && t < s->to;
}

/* Local day number of an instant. */
static int64_t
local_day(const struct tz *tz, hl_time t, int *sod)
{
    struct civil_time ct;

    tz_to_civil(tz, t, &ct);
    if (sod != NULL)
        *sod = ct.hour * 3600 + ct.minute * 60 + ct.second;
    return datetime_days_from_civil(ct.year, ct.month, ct.day);
}

/* Instant of a local day at a clock time. */
static hl_time
local_at(const struct tz *tz, int64_t day, int sod)
{
    int y;
    int m;
    int d;

    datetime_civil_from_days(day, &y, &m, &d);
    return tz_from_civil(tz, y, m, d, sod / 3600, sod / 60 % 60, sod % 60);
}

/* The same-day dispatch cutoff of a ticket accepted at `created`. */
static hl_time
dispatch_cutoff(const struct stats *s, hl_time created)
{
    int sod;
    int64_t day = local_day(s->ctx.tz, created, &sod);

    if (sod < CUTOFF_DAY_START)
        return local_at(s->ctx.tz, day, CUTOFF_NOON);
    if (sod < CUTOFF_DAY_END)
        return local_at(s->ctx.tz, day, CUTOFF_DAY_END);
    return local_at(s->ctx.tz, day + 1, CUTOFF_NOON);
}

/* End of "within 2 working days" of an instant. */
static hl_time
within_workdays(const struct stats *s, hl_time from)
{
    struct deadline dl;

    memset(&dl, 0, sizeof dl);
    calendar_deadline(s->ctx.cal, s->ctx.tz, from, WITHIN_WORKDAYS,
                      rules_deadline_mode(s->ctx.rules), &dl);
    return dl.due;
}

/* The lead assignment (else the first), as rules.c picks it. */
static const struct assignment *
lead_of(const struct ticket *t)
{
    for (size_t i = 0; t->assignments != NULL && i < t->n_assignments; i++) {
        if (t->assignments[i].role == ROLE_LEAD)
            return &t->assignments[i];
    }
    return t->n_assignments > 0 && t->assignments != NULL ? &t->assignments[0] : NULL;
}

/* The unit's replied assignment, else any of its assignments, else NULL. */
static const struct assignment *
unit_assignment(const struct ticket *t, const char *unit)
{
    const struct assignment *any = NULL;

    for (size_t i = 0; t->assignments != NULL && i < t->n_assignments; i++) {
        const struct assignment *a = &t->assignments[i];

        if (a->unit == NULL || strcmp(a->unit, unit) != 0)
            continue;
        if (a->state == ASSIGN_REPLIED)
            return a;
        if (any == NULL)
            any = a;
    }
    return any;
}

/* True when event ev is a "return" by unit (NULL: by any unit); see workflow.h notes. */
static bool
is_return_by(const struct event *ev, const char *unit)
{
    size_t n;

    if (ev->type == NULL || strcmp(ev->type, "return") != 0)
        return false;
    if (unit == NULL)
        return true;
    n = strlen(unit);
    return ev->note != NULL && strncmp(ev->note, unit, n) == 0 && ev->note[n] == ':';
}

/* True when the ticket was sent back for redo at least once. */
static bool
was_redone(const struct ticket *t)
{
    for (size_t i = 0; t->events != NULL && i < t->n_events; i++) {
        const struct event *ev = &t->events[i];

        if (ev->type == NULL || ev->to != STATUS_IN_PROGRESS)
            continue;
        if (strcmp(ev->type, "callback") == 0 || strcmp(ev->type, "reopen") == 0)
            return true;
    }
    return false;
}

/* True when an SMS ticket got its first answer, dispatch or close on its local day. */
static bool
sms_same_day(const struct stats *s, const struct ticket *t)
{
    for (size_t i = 0; t->events != NULL && i < t->n_events; i++) {
        const char *ty = t->events[i].type;

        if (ty == NULL)
            continue;
        if (strcmp(ty, "resolve_direct") == 0 || strcmp(ty, "dispatch") == 0
            || strcmp(ty, "close") == 0)
            return local_day(s->ctx.tz, t->events[i].at, NULL)
                   == local_day(s->ctx.tz, t->created_at, NULL);
    }
    return false;
}

/* The ticket-level counts placed by created_at; unit non-NULL: that unit's view. */
static void
count_cohort(const struct stats *s, const struct ticket *t, const char *unit,
             struct kpi_counts *k)
{
    hl_time first = workflow_first_dispatch(t);
    bool returned = false;

    k->requests_total = 1;
    if (unit == NULL) {
        if (t->channel == CHANNEL_PHONE && t->resolution == RESOLUTION_DIRECT)
            k->calls_resolved = 1;
        if (t->channel == CHANNEL_SMS) {
            k->sms_received = 1;
            k->sms_replied_same_day = sms_same_day(s, t) ? 1 : 0;
        }
        if (t->resolution != RESOLUTION_DIRECT
            && (first != 0
                || (ticket_is_open(t) && s->now > dispatch_cutoff(s, t->created_at)))) {
            k->dispatch_due = 1;
            if (first != 0 && first <= dispatch_cutoff(s, t->created_at))
                k->dispatched_same_day = 1;
            if (first != 0 && first <= within_workdays(s, t->created_at))
                k->dispatched_2wd = 1;
        }
    }
    if (first == 0)
        return;
    k->work_orders = 1;
    {
        const struct assignment *a = unit != NULL ? unit_assignment(t, unit) : lead_of(t);
        bool standing = (t->status == STATUS_REPLIED || t->status == STATUS_CALLBACK
                         || t->status == STATUS_CLOSED || t->status == STATUS_ARCHIVED)
                        && t->resolution != RESOLUTION_WITHDRAWN;

        if (standing && a != NULL && a->state == ASSIGN_REPLIED) {
            k->work_orders_resolved = 1;
            if (a->replied_at <= within_workdays(s, t->created_at))
                k->work_orders_resolved_2wd = 1;
        }
    }
    for (size_t i = 0; t->events != NULL && i < t->n_events && !returned; i++)
        returned = is_return_by(&t->events[i], unit);
    k->returned = returned ? 1 : 0;
    if (was_redone(t)) {
        const struct assignment *m = lead_of(t);

        /* the redo goes to the lead: in a unit group only the lead unit counts it */
        if (unit == NULL || (m != NULL && m->unit != NULL && strcmp(m->unit, unit) == 0))
            k->redo = 1;
    }
}

/* Replies placed by each assignment's due_at; unit non-NULL: only its assignments. */
static void
count_replies(const struct stats *s, const struct ticket *t, const char *unit,
              struct kpi_counts *k)
{
    for (size_t i = 0; t->assignments != NULL && i < t->n_assignments; i++) {
        const struct assignment *a = &t->assignments[i];
        bool replied = a->state == ASSIGN_REPLIED;

        if (unit != NULL && (a->unit == NULL || strcmp(a->unit, unit) != 0))
            continue;
        if (a->state == ASSIGN_RETURNED || !in_period(s, a->due_at))
            continue;
        if (!replied) {
            bool open_at_due = ticket_is_open(t) || t->closed_at > a->due_at;

            if (a->due_at >= s->now || !open_at_due)
                continue;
        }
        k->replies_due++;
        if (replied && a->replied_at <= a->due_at)
            k->replies_on_time++;
    }
}

/* The callback of the lead's latest reply, placed by its deadline; unit non-NULL: only
 * for the lead unit. */
static void
count_callback(const struct stats *s, const struct ticket *t, const char *unit,
               struct kpi_counts *k)
{
    const struct assignment *m = lead_of(t);
    hl_time due;
    hl_time contact = 0;
    int failed = 0;
    bool reached = false;
    bool refused = false;
    bool unreachable;
    enum satisfaction last = SAT_NONE;

    if (m == NULL || m->replied_at == 0 || !rules_callback_required(s->ctx.rules, t->nature))
        return;
    if (unit != NULL && (m->unit == NULL || strcmp(m->unit, unit) != 0))
        return;
    due = rules_callback_due(s->ctx.rules, s->ctx.cal, s->ctx.tz, t, m->replied_at);
    if (!in_period(s, due))
        return;
    for (size_t i = 0; t->callbacks != NULL && i < t->n_callbacks; i++) {
        const struct callback *cb = &t->callbacks[i];

        if (cb->at < m->replied_at)
            continue;
        if (cb->outcome == CB_REACHED || cb->outcome == CB_REFUSED) {
            if (contact == 0)
                contact = cb->at;
            if (cb->outcome == CB_REACHED) {
                reached = true;
                if (cb->satisfaction != SAT_NONE)
                    last = cb->satisfaction;
            } else {
                refused = true;
            }
        } else {
            failed++;
        }
    }
    unreachable = t->resolution == RESOLUTION_UNREACHABLE
                  || (failed >= UNREACHABLE_FAILS && !reached && !refused);
    if (!reached && !refused && t->resolution != RESOLUTION_UNREACHABLE && due >= s->now)
        return;    /* not due yet and not settled */
    k->callbacks_due = 1;
    k->unreachable = unreachable ? 1 : 0;
    k->confidential_excluded = !unreachable && t->caller.confidential ? 1 : 0;
    if (contact != 0 && contact <= m->replied_at + (hl_time)CALLBACK_DAYS * 86400)
        k->callbacks_done_3d = 1;
    if (reached && last != SAT_NONE && !unreachable && !t->caller.confidential)
        k->replies_confirmed = 1;
    k->satisfied = last == SAT_SATISFIED ? 1 : 0;
    k->basic = last == SAT_BASIC ? 1 : 0;
    k->dissatisfied = last == SAT_DISSATISFIED ? 1 : 0;
}

/* All counts of one ticket from one view (unit NULL: the whole ticket). */
static void
ticket_counts(const struct stats *s, const struct ticket *t, const char *unit,
              struct kpi_counts *k)
{
    memset(k, 0, sizeof *k);
    if (in_period(s, t->created_at))
        count_cohort(s, t, unit, k);
    count_replies(s, t, unit, k);
    count_callback(s, t, unit, k);
}

/* True when every count is zero. */
static bool
counts_zero(const struct kpi_counts *k)
{
    for (size_t i = 0; i < kpi_counts_field_count(); i++) {
        if (kpi_counts_get(k, i) != 0)
            return false;
    }
    return true;
}

/* Append a copy of unit to the list unless it is there already or the list is full. */
static void
push_unit(char **units, size_t *n, size_t cap, const char *unit, size_t len)
{
    if (unit == NULL || len == 0 || *n >= cap)
        return;
    for (size_t i = 0; i < *n; i++) {
        if (strlen(units[i]) == len && strncmp(units[i], unit, len) == 0)
            return;
    }
    units[(*n)++] = xstrndup(unit, len);
}

/* Add a ticket to the group of every unit that holds an assignment or returned it. */
static void
add_units(struct stats *s, const struct ticket *t)
{
    char *units[MODEL_MAX_ITEMS * 2];
    size_t n = 0;
    struct kpi_counts k;

    for (size_t i = 0; t->assignments != NULL && i < t->n_assignments; i++) {
        const char *u = t->assignments[i].unit;

        push_unit(units, &n, ARRAY_SIZE(units), u, u != NULL ? strlen(u) : 0);
    }
    for (size_t i = 0; t->events != NULL && i < t->n_events; i++) {
        const struct event *ev = &t->events[i];
        const char *colon;

        if (!is_return_by(ev, NULL) || ev->note == NULL)
            continue;
        colon = strchr(ev->note, ':');
        if (colon != NULL)
            push_unit(units, &n, ARRAY_SIZE(units), ev->note, (size_t)(colon - ev->note));
    }
    for (size_t i = 0; i < n; i++) {
        ticket_counts(s, t, units[i], &k);
        if (!counts_zero(&k))
            kpi_counts_add(group_of(s, units[i]), &k);
        free(units[i]);
    }
}

/* Count one ticket into the overall entry and its groups. */
void
stats_add_ticket(struct stats *s, const struct ticket *t)
{
    struct kpi_counts k;
    char key[128];

    if (s == NULL || t == NULL || s->ctx.rules == NULL || s->ctx.tz == NULL)
        return;
    ticket_counts(s, t, NULL, &k);
    if (!counts_zero(&k))
        kpi_counts_add(&s->overall, &k);
    switch (s->by) {
    case STATS_GROUP_UNIT:
        add_units(s, t);
        break;
    case STATS_GROUP_AGENT:
        if (!counts_zero(&k))
            kpi_counts_add(group_of(s, t->created_by), &k);
        break;
    case STATS_GROUP_CATEGORY:
        if (!counts_zero(&k))
            kpi_counts_add(group_of(s, stats_category_top(&s->ctx, t->category, key, sizeof key)),
                           &k);
        break;
    case STATS_GROUP_NATURE:
        if (!counts_zero(&k))
            kpi_counts_add(group_of(s, (unsigned)t->nature < NATURE_COUNT
                                       ? nature_str(t->nature) : ""), &k);
        break;
    case STATS_GROUP_NONE:
    case STATS_GROUP_COUNT:
    default:
        break;
    }
}

/* Add aggregated call counts. */
void
stats_add_calls(struct stats *s, const char *agent, uint64_t offered, uint64_t answered,
                uint64_t answered_15s, uint64_t wait_seconds)
{
    struct kpi_counts k;

    if (s == NULL)
        return;
    memset(&k, 0, sizeof k);
    k.calls_offered = offered;
    k.calls_answered = answered;
    k.calls_answered_15s = answered_15s;
    k.wait_seconds_total = wait_seconds;
    k.wait_samples = answered;
    if (agent == NULL)
        kpi_counts_add(&s->overall, &k);
    else if (s->by == STATS_GROUP_AGENT)
        kpi_counts_add(group_of(s, agent), &k);
}

/* Count one call record. */
void
stats_add_call_record(struct stats *s, const struct call_record *r)
{
    struct kpi_counts k;

    if (s == NULL || r == NULL || !in_period(s, r->offered_at))
        return;
    memset(&k, 0, sizeof k);
    k.calls_offered = 1;
    if (r->answered_at != 0 && r->answered_at >= r->offered_at) {
        hl_time wait = r->answered_at - r->offered_at;

        k.calls_answered = 1;
        k.calls_answered_15s = wait <= 15 ? 1 : 0;
        k.wait_seconds_total = (uint64_t)wait;
        k.wait_samples = 1;
    }
    kpi_counts_add(&s->overall, &k);
    if (s->by == STATS_GROUP_AGENT && !str_empty(r->agent))
        kpi_counts_add(group_of(s, r->agent), &k);
}

/* Order groups by key. */
static int
cmp_group(const void *a, const void *b)
{
    return strcmp(((const struct group *)a)->key, ((const struct group *)b)->key);
}

/* The rate of the ranked KPI in results, or false when it has no value. */
static bool
ranked_rate(const struct kpi_results *r, double *rate)
{
    const struct kpi_result *x = kpi_results_find(r, best_kpi);

    if (x == NULL || x->status != KPI_OK)
        return false;
    *rate = x->value;
    return true;
}

/* One entry {"group","key","counts","kpis","score"}. */
static cJSON *
entry_json(const struct stats *s, const char *group, const char *key,
           const struct kpi_counts *k, const struct kpi_opts *opts)
{
    cJSON *o = cJSON_CreateObject();
    struct kpi_results *r = kpi_compute(s->ctx.kpis, k, opts);
    struct kpi_score score;

    cJSON_AddStringToObject(o, "group", group);
    if (key != NULL)
        cJSON_AddStringToObject(o, "key", key);
    else
        cJSON_AddNullToObject(o, "key");
    cJSON_AddItemToObject(o, "counts", kpi_counts_to_json(k));
    if (r != NULL) {
        cJSON_AddItemToObject(o, "kpis", kpi_results_to_json(r));
        kpi_db51_score(r, &score);
        cJSON_AddItemToObject(o, "score", kpi_score_to_json(&score));
    } else {
        cJSON_AddItemToObject(o, "kpis", cJSON_CreateArray());
        cJSON_AddNullToObject(o, "score");
    }
    kpi_results_free(&r);
    return o;
}

/* Add an instant as RFC 3339 in the centre's zone. */
static void
add_time(const struct stats *s, cJSON *o, const char *name, hl_time t)
{
    char buf[40];

    tz_format_rfc3339(s->ctx.tz, t, buf, sizeof buf);
    cJSON_AddStringToObject(o, name, buf);
}

/* Build the GET /stats body. */
cJSON *
stats_to_json(const struct stats *s)
{
    cJSON *o;
    cJSON *arr;
    cJSON *best;
    struct group *sorted = NULL;
    struct kpi_opts opts;
    const char *best_key = NULL;

    if (s == NULL || s->ctx.tz == NULL)
        return cJSON_CreateNull();
    memset(&opts, 0, sizeof opts);
    if (s->n_groups > 0) {
        sorted = xmalloc(s->n_groups * sizeof *sorted);
        memcpy(sorted, s->groups, s->n_groups * sizeof *sorted);
        qsort(sorted, s->n_groups, sizeof *sorted, cmp_group);
    }
    for (size_t i = 0; i < s->n_groups; i++) {
        struct kpi_results *r = kpi_compute(s->ctx.kpis, &sorted[i].counts, NULL);
        double rate;

        if (r != NULL && ranked_rate(r, &rate) && (!opts.has_best || rate > opts.best_rate)) {
            opts.has_best = true;
            opts.best_rate = rate;
            best_key = sorted[i].key;
        }
        kpi_results_free(&r);
    }
    o = cJSON_CreateObject();
    add_time(s, o, "from", s->from);
    add_time(s, o, "to", s->to);
    add_time(s, o, "now", s->now);
    cJSON_AddStringToObject(o, "group", stats_group_str(s->by));
    best = cJSON_AddObjectToObject(o, "best");
    cJSON_AddStringToObject(best, "kpi", best_kpi);
    if (best_key != NULL) {
        cJSON_AddStringToObject(best, "key", best_key);
        cJSON_AddNumberToObject(best, "rate", opts.best_rate);
    } else {
        cJSON_AddNullToObject(best, "key");
        cJSON_AddNullToObject(best, "rate");
    }
    arr = cJSON_AddArrayToObject(o, "groups");
    for (size_t i = 0; i < s->n_groups; i++)
        cJSON_AddItemToArray(arr, entry_json(s, stats_group_str(s->by), sorted[i].key,
                                             &sorted[i].counts, opts.has_best ? &opts : NULL));
    cJSON_AddItemToObject(o, "overall", entry_json(s, "none", NULL, &s->overall,
                                                   opts.has_best ? &opts : NULL));
    arr = cJSON_AddArrayToObject(o, "definitions");
    for (size_t i = 0; i < ARRAY_SIZE(count_defs); i++) {
        cJSON *d = cJSON_CreateObject();

        cJSON_AddStringToObject(d, "count", count_defs[i].count);
        cJSON_AddStringToObject(d, "placed_by", count_defs[i].placed_by);
        cJSON_AddStringToObject(d, "rule", count_defs[i].rule);
        cJSON_AddItemToArray(arr, d);
    }
    free(sorted);
    return o;
}
