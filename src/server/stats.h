/* stats: the KPI counts of a period from tickets and call records, per group, for GET /stats. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "hotline/calendar.h"
#include "hotline/datetime.h"
#include "hotline/kpi.h"
#include "hotline/model.h"
#include "hotline/rules.h"
#include "hotline/tz.h"

/*
 * Pure: the handler scans the store (ticket_scan, call_counts) and feeds this
 * module; it returns the JSON of GET /stats?from=&to=&group=.
 *
 * Which timestamp places a ticket in the period [from, to) depends on the count
 * (one table in stats.c, also sent as "definitions" in the JSON):
 *   - requests, dispatch, work orders, SMS, calls resolved: created_at (the
 *     cohort of kpi.h: tickets accepted in the period, their outcome as of now);
 *   - replies_due / replies_on_time: each assignment's due_at (a reply due in the
 *     period; an unreplied one only once due_at has passed while the ticket was open);
 *   - callbacks (callbacks_due ... dissatisfied): the callback deadline of the lead's
 *     latest reply (rules_callback_due), counted once it has passed or the callback
 *     round is settled;
 *   - calls: offered_at (stats_add_call_record) or as the caller counted them.
 * "Now" (given to stats_new) decides what is already due.
 *
 * Groups: unit (every unit holding an assignment or having returned the ticket),
 * agent (created_by), category (the top-level code of the ticket's category), nature,
 * or none (only the overall entry). The overall entry counts each ticket once. In a
 * unit group the centre's own counts (dispatch, SMS, calls resolved) are 0, replies
 * count only that unit's assignments, returned only that unit's returns, resolution
 * that unit's reply, and callbacks go to the lead unit. Calls reach agent groups
 * only; other groupings show them in the overall entry.
 *
 * Counts kpi.h defines that tickets cannot give stay 0: complaints_verified,
 * complaints_severe, praise_verified, praise_exceptional (verified feedback about
 * the hotline's own service is not recorded on tickets) and sms_invalid.
 */

/* How GET /stats groups. */
enum stats_group {
    STATS_GROUP_NONE,
    STATS_GROUP_UNIT,
    STATS_GROUP_AGENT,
    STATS_GROUP_CATEGORY,
    STATS_GROUP_NATURE,
    STATS_GROUP_COUNT
};

/* Wire name of a grouping ("unit"); static. */
const char *stats_group_str(enum stats_group g);
/* Grouping of a wire name; NULL or "" is none; false when unknown. */
bool stats_group_parse(const char *s, enum stats_group *out);

/* What stats need (all borrowed for the life of the stats). */
struct stats_ctx {
    const struct rules *rules;
    const struct calendar *cal;
    const struct tz *tz;
    const struct kpi_defs *kpis;
    const char *const *top_categories;  /* top-level category codes ("urban.env"), or NULL:
                                         * then a code's top level is the code without its
                                         * last ".segment" */
    size_t n_top_categories;
};

struct stats;

/* New accumulator for [from, to) grouped by group, judged at now. Free with stats_free. */
struct stats *stats_new(const struct stats_ctx *c, enum stats_group group, hl_time from,
                        hl_time to, hl_time now);
/* Free and NULL the pointer; accepts NULL. */
void stats_free(struct stats **s);
/* Count one ticket (any ticket may be given; those outside the period add nothing). */
void stats_add_ticket(struct stats *s, const struct ticket *t);
/* Add call counts already restricted to the period: agent NULL adds them to the overall
 * entry (the centre's totals: give them once); an agent adds them to that agent's group
 * when grouping by agent (ignored otherwise). Every answered call is a wait sample. */
void stats_add_calls(struct stats *s, const char *agent, uint64_t offered, uint64_t answered,
                     uint64_t answered_15s, uint64_t wait_seconds);
/* Count one call record offered in the period: overall, and its agent's group when
 * grouping by agent. */
void stats_add_call_record(struct stats *s, const struct call_record *r);
/* Counts of a group key, or the overall counts for key NULL; NULL when no such group.
 * Borrowed until the next add or stats_free. */
const struct kpi_counts *stats_counts(const struct stats *s, const char *key);
/* Number of groups (0 for grouping none). */
size_t stats_group_count(const struct stats *s);
/* Group key of a ticket's category under this context ("urban.env" for
 * "urban.env.water_supply"); "" for none. Writes buf (>= 1 byte) and returns it. */
const char *stats_category_top(const struct stats_ctx *c, const char *code, char *buf,
                               size_t sz);
/* The GET /stats body: {"from","to","group","now","best":{"kpi","key","rate"},
 * "groups":[{"group","key","counts","kpis","score"}...] (by key),
 * "overall":{"group":"none","key":null,...}, "definitions":[{"count","placed_by",
 * "rule"}...]}. relative_to_best KPIs are ranked across the groups (the overall entry
 * against the best group). Caller owns. */
cJSON *stats_to_json(const struct stats *s);
/* The count definitions table: number of rows, and row i (false when out of range). */
size_t stats_definition_count(void);
bool stats_definition(size_t i, const char **count, const char **placed_by, const char **rule);
