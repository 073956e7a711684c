/* kpi: the KPIs of data/kpis-cn.json computed from counts, with targets, pass/fail and
 * the monthly DB51/T 2963 appendix A score. */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "hotline/err.h"
#include "hotline/codec.h"
#include "hotline/kpi.h"
#include "hotline/util.h"

/* Longest id accepted, in bytes. */
#define ID_MAX 200
/* Points of a DB51/T 2963 part when its definition gives none. */
#define DB51_PART_POINTS 20.0
/* Where kpi_defs_parse says the text came from. */
#define PARSE_ORIGIN "(kpi definitions)"

struct kpi_defs {
    struct kpi_def *v;
    size_t n;
    int version;
};

/* ---- count fields ---- */

struct count_field {
    const char *name;
    size_t off;
};

#define CF(f) { #f, offsetof(struct kpi_counts, f) }

static const struct count_field count_fields[] = {
    CF(calls_offered),
    CF(calls_answered),
    CF(calls_answered_15s),
    CF(wait_seconds_total),
    CF(wait_samples),
    CF(calls_resolved),
    CF(requests_total),
    CF(complaints_verified),
    CF(complaints_severe),
    CF(praise_verified),
    CF(praise_exceptional),
    CF(dispatch_due),
    CF(dispatched_same_day),
    CF(dispatched_2wd),
    CF(work_orders),
    CF(work_orders_resolved),
    CF(work_orders_resolved_2wd),
    CF(returned),
    CF(redo),
    CF(replies_due),
    CF(replies_on_time),
    CF(callbacks_due),
    CF(unreachable),
    CF(confidential_excluded),
    CF(callbacks_done_3d),
    CF(replies_confirmed),
    CF(satisfied),
    CF(basic),
    CF(dissatisfied),
    CF(sms_received),
    CF(sms_invalid),
    CF(sms_replied_same_day),
};

_Static_assert(sizeof(struct kpi_counts) == ARRAY_SIZE(count_fields) * sizeof(uint64_t),
               "every field of struct kpi_counts must be listed in count_fields");

/* Read the count at byte offset off. */
static uint64_t
field_at(const struct kpi_counts *c, size_t off)
{
    uint64_t v;

    memcpy(&v, (const unsigned char *)c + off, sizeof v);
    return v;
}

/* Write the count at byte offset off. */
static void
field_put(struct kpi_counts *c, size_t off, uint64_t v)
{
    memcpy((unsigned char *)c + off, &v, sizeof v);
}

/* Number of count fields. */
size_t
kpi_counts_field_count(void)
{
    return ARRAY_SIZE(count_fields);
}

/* Name of count field i, or NULL. */
const char *
kpi_counts_field_name(size_t i)
{
    return i < ARRAY_SIZE(count_fields) ? count_fields[i].name : NULL;
}

/* Value of count field i. */
uint64_t
kpi_counts_get(const struct kpi_counts *c, size_t i)
{
    if (c == NULL || i >= ARRAY_SIZE(count_fields))
        return 0;
    return field_at(c, count_fields[i].off);
}

/* Set a count field by name. */
bool
kpi_counts_set(struct kpi_counts *c, const char *name, uint64_t v)
{
    if (c == NULL || name == NULL)
        return false;
    for (size_t i = 0; i < ARRAY_SIZE(count_fields); i++) {
        if (strcmp(count_fields[i].name, name) == 0) {
            field_put(c, count_fields[i].off, v);
            return true;
        }
    }
    return false;
}

/* Add the counts of b to acc, saturating. */
void
kpi_counts_add(struct kpi_counts *acc, const struct kpi_counts *b)
{
    if (acc == NULL || b == NULL)
        return;
    for (size_t i = 0; i < ARRAY_SIZE(count_fields); i++) {
        uint64_t x = field_at(acc, count_fields[i].off);
        uint64_t y = field_at(b, count_fields[i].off);

        field_put(acc, count_fields[i].off, x > UINT64_MAX - y ? UINT64_MAX : x + y);
    }
}

/* Render the counts as a JSON object. */
cJSON *
kpi_counts_to_json(const struct kpi_counts *c)
{
    cJSON *o = cJSON_CreateObject();

    for (size_t i = 0; i < ARRAY_SIZE(count_fields); i++)
        cJSON_AddNumberToObject(o, count_fields[i].name,
                                c != NULL ? (double)field_at(c, count_fields[i].off) : 0.0);
    return o;
}

/* ---- the formula table ---- */

enum fkind {
    F_NONE,     /* not measurable from what a ticket system records */
    F_RATIO,    /* percent: 100 × numerator / denominator */
    F_MEAN,     /* numerator / denominator, in the KPI's unit */
    F_LIMIT,    /* per-item limit: percent of items meeting it; passes only at 100 */
    F_ADJUST,   /* praise and complaint points */
};

/* One count in a denominator: added (sign 1) or subtracted (sign -1); sign 0 ends. */
struct term {
    size_t off;
    int sign;
};

#define MAX_TERMS 3

/* How one KPI id is computed from struct kpi_counts. */
struct formula {
    const char *id;
    enum fkind kind;
    size_t num;                     /* offset of the numerator count */
    struct term den[MAX_TERMS];
    const char *unit;               /* unit the definition must have (F_LIMIT: of the limit) */
    double limit;                   /* F_LIMIT: the limit the counts were taken with */
    const char *text;               /* F_NONE: the reason; otherwise a note or NULL */
};

#define OFF(f) offsetof(struct kpi_counts, f)
#define PLUS(f) { OFF(f), 1 }
#define MINUS(f) { OFF(f), -1 }
#define RATIO(id_, n_, note_, ...) \
    { .id = (id_), .kind = F_RATIO, .num = OFF(n_), .den = { __VA_ARGS__ }, \
      .unit = "percent", .text = (note_) }
#define LIMIT(id_, n_, unit_, limit_, note_, ...) \
    { .id = (id_), .kind = F_LIMIT, .num = OFF(n_), .den = { __VA_ARGS__ }, \
      .unit = (unit_), .limit = (limit_), .text = (note_) }
#define MEAN(id_, n_, note_, ...) \
    { .id = (id_), .kind = F_MEAN, .num = OFF(n_), .den = { __VA_ARGS__ }, \
      .unit = "second", .text = (note_) }
#define NONE(id_, reason_) { .id = (id_), .kind = F_NONE, .text = (reason_) }

static const char note_incidents[] =
    "The seed excludes sudden incidents, system failures and calls beyond seat capacity; "
    "the system records no such periods, so nothing is excluded.";
static const char note_satisfaction[] =
    "Satisfied callbacks over all rated callbacks; basic (基本满意) is not counted as satisfied; "
    "unreachable callers are not rated and so are excluded; every rated request counts as "
    "reasonable (tickets carry no reasonableness mark).";
static const char note_wait[] =
    "Mean wait over the answered calls sampled (offered to answered).";

/* Every KPI id of kpis-cn.json: how it is computed, or why it cannot be. */
static const struct formula formulas[] = {
    RATIO("ningxia95198.call_completion_rate", calls_answered,
          "Connected means answered by an agent.", PLUS(calls_offered)),
    MEAN("ningxia95198.avg_wait", wait_seconds_total, note_wait, PLUS(wait_samples)),
    RATIO("ningxia95198.call_resolution_rate", calls_resolved,
          "Phone tickets closed on the call over all calls offered, as the seed's formula says.",
          PLUS(calls_offered)),
    RATIO("ningxia95198.ticket_resolution_rate", work_orders_resolved, NULL, PLUS(work_orders)),
    RATIO("ningxia95198.ticket_timely_resolution_rate", work_orders_resolved_2wd, NULL,
          PLUS(work_orders)),
    RATIO("ningxia95198.ticket_return_rate", returned, NULL, PLUS(work_orders)),
    RATIO("ningxia95198.user_complaint_rate", complaints_verified,
          "An annual KPI: meaningful over a whole year. The seed defines no base; all requests "
          "accepted are used.", PLUS(requests_total)),
    RATIO("db51_2963.manual_answer_rate", calls_answered, NULL, PLUS(calls_offered)),
    RATIO("db51_2963.call_resolution_rate", calls_resolved,
          "Phone tickets closed on the call over all calls offered (A.2: B = all inbound calls).",
          PLUS(calls_offered)),
    RATIO("db51_2963.ticket_resolution_rate", work_orders_resolved, NULL, PLUS(work_orders)),
    RATIO("db51_2963.ticket_timely_resolution_rate", work_orders_resolved_2wd,
          "Scored relative to the best group (A.4); clause 7's 95% full mark is the target.",
          PLUS(work_orders)),
    MEAN("db51_2963.avg_wait", wait_seconds_total,
         "A.5 averages 20 random spot checks a month; this is the mean over the calls sampled.",
         PLUS(wait_samples)),
    { .id = "db51_2963.praise_complaint", .kind = F_ADJUST, .unit = "points",
      .text = "A severe complaint ranks the group last for the period whatever its points." },
    RATIO("c12345.manual_answer_rate", calls_answered, note_incidents, PLUS(calls_offered)),
    RATIO("c12345.answer_timeliness", calls_answered_15s, note_incidents, PLUS(calls_answered)),
    RATIO("c12345.sms_reply_rate", sms_replied_same_day,
          "Invalid messages are excluded; sudden incidents and system failures are not recorded.",
          PLUS(sms_received), MINUS(sms_invalid)),
    RATIO("c12345.complaint_rate", complaints_verified,
          "Valid calls are counted as the requests accepted (a nuisance call makes no ticket).",
          PLUS(requests_total)),
    NONE("c12345.process_satisfaction",
         "Needs the caller's rating of the agent right after each call (from the phone system); "
         "callbacks rate the handling of the request, not the call."),
    RATIO("c12345.transfer_timeliness", dispatched_same_day, NULL, PLUS(dispatch_due)),
    RATIO("c12345.on_time_reply_rate", replies_on_time, NULL, PLUS(replies_due)),
    RATIO("c12345.reasonable_request_satisfaction", satisfied, note_satisfaction,
          PLUS(satisfied), PLUS(basic), PLUS(dissatisfied)),
    RATIO("c12345.answer_rate", replies_confirmed,
          "Confidential callers and callers unreachable on two attempts are excluded.",
          PLUS(callbacks_due), MINUS(confidential_excluded), MINUS(unreachable)),
    RATIO("c12345.redo_rate", redo, NULL, PLUS(work_orders)),
    RATIO("c12345.callback_timeliness", callbacks_done_3d,
          "Callers who could not be reached are excluded.",
          PLUS(callbacks_due), MINUS(unreachable)),
    RATIO("c12345plan.connection_rate", calls_answered, NULL, PLUS(calls_offered)),
    RATIO("c12345plan.satisfaction", satisfied,
          "Satisfied callbacks over all rated callbacks; basic (基本满意) is not counted as "
          "satisfied.", PLUS(satisfied), PLUS(basic), PLUS(dissatisfied)),
    NONE("c12345plan.general_resolution_time",
         "General and complex issues have different limits (5 and 10 working days) and tickets "
         "carry no mark saying which an issue is."),
    NONE("sanmen12345.monthly_stats",
         "A list of monthly figures, not one KPI: orders assigned, returned and the rates are "
         "reported by the counts and the other KPIs."),
    NONE("mayor12345.recording_qa",
         "Scored by inspectors listening to 30 recordings per operator a month; the system "
         "holds no recordings or checklists."),
    RATIO("gb_hotline.call_completion_rate", calls_answered,
          "Over the whole period, not the worst continuous 24 hours.", PLUS(calls_offered)),
    LIMIT("gb_hotline.answer_time", calls_answered_15s, "second", 15.0,
          "Per-call limit: the share of answered calls picked up within it; passes at 100%.",
          PLUS(calls_answered)),
    NONE("gb_hotline.media_response_time",
         "Needs the arrival and first-response time of each SMS or message from the messaging "
         "gateway; a ticket records only when an agent registered it."),
    NONE("gb_hotline.mailbox_response_time",
         "Needs the arrival time of each mailbox letter; a ticket records only when an agent "
         "registered it."),
    LIMIT("gb_hotline.transfer_time", dispatched_2wd, "working_day", 2.0,
          "Per-order limit: the share of orders needing transfer dispatched within it; passes "
          "at 100%.", PLUS(dispatch_due)),
    NONE("gb_hotline.typing_speed",
         "Agents' typing speed is tested, not recorded by the ticket system."),
    NONE("gb_hotline.seat_area", "A workplace requirement, checked on site."),
    NONE("db51_2963.speech_rate", "Needs speech analysis of call recordings."),
};

/* The formula of a KPI id, or NULL. */
static const struct formula *
formula_find(const char *id)
{
    for (size_t i = 0; i < ARRAY_SIZE(formulas); i++) {
        if (strcmp(formulas[i].id, id) == 0)
            return &formulas[i];
    }
    return NULL;
}

/* ---- operators and scoring helpers ---- */

/* Parse a threshold operator. */
enum kpi_op
kpi_op_parse(const char *s)
{
    static const struct {
        const char *text;
        enum kpi_op op;
    } ops[] = {
        { ">=", KPI_OP_GE }, { "≥", KPI_OP_GE }, { ">", KPI_OP_GT },
        { "<=", KPI_OP_LE }, { "≤", KPI_OP_LE }, { "<", KPI_OP_LT },
        { "=", KPI_OP_EQ }, { "==", KPI_OP_EQ }, { "≈", KPI_OP_APPROX }, { "~", KPI_OP_APPROX },
    };

    if (s == NULL)
        return KPI_OP_UNKNOWN;
    for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
        if (strcmp(ops[i].text, s) == 0)
            return ops[i].op;
    }
    return KPI_OP_UNKNOWN;
}

/* Canonical text of an operator. */
const char *
kpi_op_str(enum kpi_op op)
{
    switch (op) {
    case KPI_OP_NONE: return "";
    case KPI_OP_GE: return ">=";
    case KPI_OP_GT: return ">";
    case KPI_OP_LE: return "<=";
    case KPI_OP_LT: return "<";
    case KPI_OP_EQ: return "=";
    case KPI_OP_APPROX: return "≈";
    case KPI_OP_UNKNOWN: break;
    }
    return "?";
}

/* Compare a value with a target. */
enum kpi_verdict
kpi_check(enum kpi_op op, double target, double value)
{
    bool ok;

    if (!isfinite(target) || !isfinite(value))
        return KPI_UNKNOWN;
    switch (op) {
    case KPI_OP_GE: ok = value >= target; break;
    case KPI_OP_GT: ok = value > target; break;
    case KPI_OP_LE: ok = value <= target; break;
    case KPI_OP_LT: ok = value < target; break;
    case KPI_OP_EQ: ok = value == target; break;
    case KPI_OP_NONE:
    case KPI_OP_APPROX:
    case KPI_OP_UNKNOWN:
    default:
        return KPI_UNKNOWN;
    }
    return ok ? KPI_PASS : KPI_FAIL;
}

/* Find the points of the band holding value. */
bool
kpi_band_points(const struct kpi_band *bands, size_t n, double value, double *points)
{
    if (bands == NULL || !isfinite(value))
        return false;
    for (size_t i = 0; i < n; i++) {
        const struct kpi_band *b = &bands[i];

        if (b->has_lower && !(value >= b->lower))
            continue;
        if (b->has_upper && !(value < b->upper))
            continue;
        if (points != NULL)
            *points = b->points;
        return true;
    }
    return false;
}

/* Score a rate relative to the best rate. */
double
kpi_relative_points(double rate, double best, double max_points, double zero_below)
{
    double p;

    if (!isfinite(rate) || !isfinite(best) || !isfinite(max_points) || !isfinite(zero_below))
        return 0.0;
    if (rate < zero_below || rate <= 0.0 || max_points <= 0.0)
        return 0.0;
    if (best < rate)
        best = rate;
    p = max_points * (rate / best);
    if (p > max_points)
        p = max_points;
    return p < 0.0 ? 0.0 : p;
}

/* Wire name of a result status. */
const char *
kpi_status_str(enum kpi_status s)
{
    switch (s) {
    case KPI_OK: return "ok";
    case KPI_NO_DATA: return "no_data";
    case KPI_NOT_MEASURED: return "not_measured";
    case KPI_BAD_COUNTS: return "invalid_counts";
    }
    return "not_measured";
}

/* ---- loading ---- */

/* Free what one definition owns. */
static void
def_fini(struct kpi_def *k)
{
    free(k->id);
    free(k->name_zh);
    free(k->name_en);
    free(k->hotline);
    free(k->source);
    free(k->clause);
    free(k->unit);
    free(k->threshold.op_text);
    for (size_t i = 0; i < k->n_parts; i++) {
        free(k->parts[i].name);
        free(k->parts[i].t.op_text);
    }
    free(k->parts);
    free(k->scoring.bands);
    for (size_t i = 0; i < k->n_exclusions; i++)
        free(k->exclusions[i]);
    free(k->exclusions);
    memset(k, 0, sizeof *k);
}

/* Free definitions and NULL the pointer. */
void
kpi_defs_free(struct kpi_defs **d)
{
    if (d == NULL || *d == NULL)
        return;
    for (size_t i = 0; i < (*d)->n; i++)
        def_fini(&(*d)->v[i]);
    free((*d)->v);
    free(*d);
    *d = NULL;
}

/* A copy of the string member key of o, or "" when absent or not a string. */
static char *
dup_member(const cJSON *o, const char *key)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

    return xstrdup(cJSON_IsString(it) && it->valuestring != NULL ? it->valuestring : "");
}

/* True with *out set when o[key] is a finite number. */
static bool
number_member(const cJSON *o, const char *key, double *out)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

    if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble))
        return false;
    *out = it->valuedouble;
    return true;
}

/* Read {op, value} into t; false (t untouched) when it has another shape. */
static bool
parse_threshold(const cJSON *o, struct kpi_threshold *t)
{
    const cJSON *op;
    double v;

    if (!cJSON_IsObject(o))
        return false;
    op = cJSON_GetObjectItemCaseSensitive(o, "op");
    if (!cJSON_IsString(op) || op->valuestring == NULL
        || op->valuestring[0] == '\0' || strlen(op->valuestring) > 16
        || !number_member(o, "value", &v))
        return false;
    t->op = kpi_op_parse(op->valuestring);
    t->op_text = xstrdup(op->valuestring);
    t->value = v;
    return true;
}

/* Read the threshold member into k; false when its shape is unknown. */
static bool
parse_threshold_member(const cJSON *o, struct kpi_def *k)
{
    const cJSON *th = cJSON_GetObjectItemCaseSensitive(o, "threshold");
    const cJSON *it;
    size_t n = 0;

    k->threshold_kind = KPI_THR_NONE;
    if (th == NULL || cJSON_IsNull(th))
        return true;
    k->threshold_kind = KPI_THR_ODD;
    if (!cJSON_IsObject(th))
        return false;
    if (cJSON_GetObjectItemCaseSensitive(th, "op") != NULL) {
        if (!parse_threshold(th, &k->threshold))
            return false;
        k->threshold_kind = KPI_THR_SIMPLE;
        return true;
    }
    cJSON_ArrayForEach(it, th) {
        n++;
    }
    if (n == 0 || n > KPI_MAX_PARTS)
        return false;
    k->parts = xcalloc(n, sizeof *k->parts);
    cJSON_ArrayForEach(it, th) {
        struct kpi_subthreshold *p = &k->parts[k->n_parts];

        if (it->string == NULL || !parse_threshold(it, &p->t))
            return false;
        p->name = xstrdup(it->string);
        k->n_parts++;
    }
    k->threshold_kind = KPI_THR_COMPOUND;
    return true;
}

/* Read a band bound: absent or null is unbounded; false when it is something else. */
static bool
parse_bound(const cJSON *band, const char *key, bool *has, double *v)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(band, key);

    *has = false;
    if (it == NULL || cJSON_IsNull(it))
        return true;
    if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble))
        return false;
    *has = true;
    *v = it->valuedouble;
    return true;
}

/* Read scoring.bands into s; false when malformed. */
static bool
parse_bands(const cJSON *sc, struct kpi_scoring *s)
{
    const cJSON *bands = cJSON_GetObjectItemCaseSensitive(sc, "bands");
    const cJSON *it;
    int n = cJSON_GetArraySize(bands);
    double best = 0.0;

    if (!cJSON_IsArray(bands) || n <= 0 || n > KPI_MAX_BANDS)
        return false;
    s->bands = xcalloc((size_t)n, sizeof *s->bands);
    cJSON_ArrayForEach(it, bands) {
        struct kpi_band *b = &s->bands[s->n_bands];

        if (!cJSON_IsObject(it) || !parse_bound(it, "lower", &b->has_lower, &b->lower)
            || !parse_bound(it, "upper", &b->has_upper, &b->upper)
            || !number_member(it, "points", &b->points))
            return false;
        if (b->has_lower && b->has_upper && !(b->lower < b->upper))
            return false;
        if (s->n_bands == 0 || b->points > best)
            best = b->points;
        s->n_bands++;
    }
    if (cJSON_GetObjectItemCaseSensitive(sc, "max_points") == NULL)
        s->max_points = best;
    return true;
}

/* Read the scoring member into k; false when its shape is unknown. */
static bool
parse_scoring_member(const cJSON *o, struct kpi_def *k)
{
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(o, "scoring");
    const cJSON *method;
    struct kpi_scoring *s = &k->scoring;

    s->method = KPI_SCORE_NONE;
    if (sc == NULL || cJSON_IsNull(sc))
        return true;
    s->method = KPI_SCORE_ODD;
    if (!cJSON_IsObject(sc))
        return false;
    method = cJSON_GetObjectItemCaseSensitive(sc, "method");
    if (!cJSON_IsString(method) || method->valuestring == NULL)
        return false;
    if (cJSON_GetObjectItemCaseSensitive(sc, "max_points") != NULL
        && (!number_member(sc, "max_points", &s->max_points) || s->max_points < 0.0))
        return false;
    if (strcmp(method->valuestring, "bands") == 0) {
        if (!parse_bands(sc, s))
            return false;
        s->method = KPI_SCORE_BANDS;
    } else if (strcmp(method->valuestring, "relative_to_best") == 0) {
        if (!(s->max_points > 0.0))
            return false;
        if (cJSON_GetObjectItemCaseSensitive(sc, "zero_below") != NULL
            && !number_member(sc, "zero_below", &s->zero_below))
            return false;
        s->method = KPI_SCORE_RELATIVE;
    } else if (strcmp(method->valuestring, "adjustment") == 0) {
        if (!number_member(sc, "per_verified_praise", &s->per_praise)
            || !number_member(sc, "per_verified_complaint", &s->per_complaint))
            return false;
        if (cJSON_GetObjectItemCaseSensitive(sc, "extra_for_exceptional_praise") != NULL
            && !number_member(sc, "extra_for_exceptional_praise", &s->per_exceptional))
            return false;
        s->method = KPI_SCORE_ADJUSTMENT;
    } else {
        return false;
    }
    return true;
}

/* Read the exclusions member into k; false when it is not a list of strings. */
static bool
parse_exclusions(const cJSON *o, struct kpi_def *k)
{
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(o, "exclusions");
    const cJSON *it;
    int n = cJSON_GetArraySize(ex);
    bool ok = true;

    if (ex == NULL || cJSON_IsNull(ex))
        return true;
    if (!cJSON_IsArray(ex))
        return false;
    if (n <= 0)
        return true;
    if (n > KPI_MAX_EXCLUSIONS) {
        n = KPI_MAX_EXCLUSIONS;
        ok = false;
    }
    k->exclusions = xcalloc((size_t)n, sizeof *k->exclusions);
    cJSON_ArrayForEach(it, ex) {
        if (k->n_exclusions == (size_t)n)
            break;
        if (!cJSON_IsString(it) || it->valuestring == NULL) {
            ok = false;
            continue;
        }
        k->exclusions[k->n_exclusions++] = xstrdup(it->valuestring);
    }
    return ok;
}

/* Read one kpis[] entry; HL_OK, or an error naming origin and the entry. */
static int
parse_entry(const cJSON *o, size_t idx, const char *origin, struct kpi_def *k, struct err *e)
{
    const cJSON *id;
    char field[64];
    bool thr_ok, sc_ok, ex_ok;

    snprintf(field, sizeof field, "kpis[%zu].id", idx);
    if (!cJSON_IsObject(o))
        return err_set(e, HL_EINVAL, field, "%s: kpis[%zu] is not an object", origin, idx);
    id = cJSON_GetObjectItemCaseSensitive(o, "id");
    if (!cJSON_IsString(id) || id->valuestring == NULL || id->valuestring[0] == '\0')
        return err_set(e, HL_EINVAL, field, "%s: kpis[%zu] has no id (a non-empty string)",
                       origin, idx);
    if (strlen(id->valuestring) > ID_MAX)
        return err_set(e, HL_EINVAL, field, "%s: kpis[%zu].id is longer than %d bytes",
                       origin, idx, ID_MAX);
    k->id = xstrdup(id->valuestring);
    k->name_zh = dup_member(o, "name_zh");
    k->name_en = dup_member(o, "name_en");
    k->hotline = dup_member(o, "hotline");
    k->source = dup_member(o, "source");
    k->clause = dup_member(o, "clause");
    k->unit = dup_member(o, "unit");
    thr_ok = parse_threshold_member(o, k);
    sc_ok = parse_scoring_member(o, k);
    ex_ok = parse_exclusions(o, k);
    if (!thr_ok && !sc_ok)
        k->problem = "The threshold and the scoring of this KPI have an unknown shape.";
    else if (!thr_ok)
        k->problem = "The threshold of this KPI has an unknown shape; it is not checked.";
    else if (!sc_ok)
        k->problem = "The scoring of this KPI has an unknown shape; it earns no points.";
    else if (!ex_ok)
        k->problem = "The exclusions of this KPI are not a list of strings.";
    return HL_OK;
}

/* Line number (1-based) of byte pos in json. */
static int
line_of(const char *json, size_t len, const char *pos)
{
    int line = 1;

    if (pos == NULL || pos < json || pos > json + len)
        return 0;
    for (const char *p = json; p < pos; p++) {
        if (*p == '\n')
            line++;
    }
    return line;
}

/* Parse a definitions document; origin names it in messages. */
static struct kpi_defs *
parse_defs(const char *json, size_t len, const char *origin, struct err *e)
{
    cJSON *root = NULL;
    const cJSON *kpis, *it, *ver;
    const char *end = NULL;
    struct kpi_defs *d = NULL;
    char field[96];
    int n;

    err_clear(e);
    if (json == NULL || len == 0) {
        err_set(e, HL_EINVAL, origin, "%s: empty, expected a JSON object with kpis[]", origin);
        goto out;
    }
    root = cJSON_ParseWithLengthOpts(json, len, &end, false);
    if (root == NULL) {
        int line = line_of(json, len, end);

        snprintf(field, sizeof field, "%.80s:%d", origin, line);
        err_set(e, HL_EINVAL, field, "%s:%d: not valid JSON", origin, line);
        goto out;
    }
    while (end != NULL && end < json + len && (*end == ' ' || *end == '\t' || *end == '\n'
                                               || *end == '\r' || *end == '\0'))
        end++;
    if (end != NULL && end < json + len) {
        int line = line_of(json, len, end);

        snprintf(field, sizeof field, "%.80s:%d", origin, line);
        err_set(e, HL_EINVAL, field, "%s:%d: unexpected text after the JSON document",
                origin, line);
        goto out;
    }
    if (codec_check_strict(json, len, origin, e) != HL_OK)
        goto out;
    if (!cJSON_IsObject(root)) {
        err_set(e, HL_EINVAL, "", "%s: expected a JSON object with kpis[]", origin);
        goto out;
    }
    kpis = cJSON_GetObjectItemCaseSensitive(root, "kpis");
    if (!cJSON_IsArray(kpis)) {
        err_set(e, HL_EINVAL, "kpis", "%s: kpis is missing or not an array", origin);
        goto out;
    }
    n = cJSON_GetArraySize(kpis);
    if (n > KPI_MAX_DEFS) {
        err_set(e, HL_EINVAL, "kpis", "%s: %d KPIs, more than the limit of %d", origin, n,
                KPI_MAX_DEFS);
        goto out;
    }
    d = xcalloc(1, sizeof *d);
    ver = cJSON_GetObjectItemCaseSensitive(root, "version");
    if (cJSON_IsNumber(ver) && ver->valuedouble >= 0 && ver->valuedouble <= 1e9)
        d->version = (int)ver->valuedouble;
    d->v = xcalloc(n > 0 ? (size_t)n : 1, sizeof *d->v);
    cJSON_ArrayForEach(it, kpis) {
        size_t i = d->n;

        if (parse_entry(it, i, origin, &d->v[i], e) != HL_OK) {
            def_fini(&d->v[i]);
            kpi_defs_free(&d);
            goto out;
        }
        d->n++;
        for (size_t j = 0; j < i; j++) {
            if (strcmp(d->v[j].id, d->v[i].id) == 0) {
                snprintf(field, sizeof field, "kpis[%zu].id", i);
                err_set(e, HL_EINVAL, field, "%s: kpis[%zu]: duplicate id \"%s\" (also kpis[%zu])",
                        origin, i, d->v[i].id, j);
                kpi_defs_free(&d);
                goto out;
            }
        }
    }
out:
    cJSON_Delete(root);
    return d;
}

/* Parse a definitions document held in memory. */
struct kpi_defs *
kpi_defs_parse(const char *json, size_t len, struct err *e)
{
    return parse_defs(json, len, PARSE_ORIGIN, e);
}

/* Load a definitions file. */
struct kpi_defs *
kpi_defs_load(const char *path, struct err *e)
{
    struct kpi_defs *d = NULL;
    char *json = NULL;
    size_t len = 0;

    err_clear(e);
    json = file_load(path, "KPI definitions", KPI_FILE_MAX, &len, e);
    if (json == NULL)
        goto out;
    d = parse_defs(json, len, path, e);
out:
    free(json);
    return d;
}

/* Count the definitions. */
size_t
kpi_defs_count(const struct kpi_defs *d)
{
    return d != NULL ? d->n : 0;
}

/* Return definition i. */
const struct kpi_def *
kpi_defs_at(const struct kpi_defs *d, size_t i)
{
    return d != NULL && i < d->n ? &d->v[i] : NULL;
}

/* Find a definition by id. */
const struct kpi_def *
kpi_defs_find(const struct kpi_defs *d, const char *id)
{
    if (d == NULL || id == NULL)
        return NULL;
    for (size_t i = 0; i < d->n; i++) {
        if (strcmp(d->v[i].id, id) == 0)
            return &d->v[i];
    }
    return NULL;
}

/* Return the file version. */
int
kpi_defs_version(const struct kpi_defs *d)
{
    return d != NULL ? d->version : 0;
}

/* ---- computing ---- */

static const char reason_no_formula[] =
    "No formula for this KPI id: it is not one this system knows how to count.";
static const char reason_unit[] =
    "The definition's unit or limit differs from what the counts measure.";
static const char reason_no_data[] =
    "No data: nothing to count in this period (denominator 0).";
static const char reason_bad_sum[] =
    "The counts contradict each other: the exclusions exceed the base.";
static const char reason_bad_ratio[] =
    "The counts contradict each other: the numerator exceeds the denominator.";
static const char reason_bad_adjust[] =
    "The counts contradict each other: more exceptional praise than praise, or more severe "
    "complaints than complaints.";
static const char warn_no_band[] = "The value lies in no scoring band; it earns no points.";

/* Denominator of f over c; false when a subtraction underflows or a sum overflows. */
static bool
denominator_of(const struct formula *f, const struct kpi_counts *c, uint64_t *out)
{
    uint64_t plus = 0, minus = 0;

    for (size_t i = 0; i < MAX_TERMS && f->den[i].sign != 0; i++) {
        uint64_t v = field_at(c, f->den[i].off);

        if (f->den[i].sign > 0) {
            if (plus > UINT64_MAX - v)
                return false;
            plus += v;
        } else {
            if (minus > UINT64_MAX - v)
                return false;
            minus += v;
        }
    }
    if (minus > plus)
        return false;
    *out = plus - minus;
    return true;
}

/* True when the definition has the unit (and limit) the formula's counts measure. */
static bool
def_matches(const struct formula *f, const struct kpi_def *k)
{
    switch (f->kind) {
    case F_RATIO:
    case F_MEAN:
        return strcmp(k->unit, f->unit) == 0;
    case F_LIMIT:
        return strcmp(k->unit, f->unit) == 0 && k->threshold_kind == KPI_THR_SIMPLE
               && k->threshold.op == KPI_OP_LE && k->threshold.value == f->limit;
    case F_ADJUST:
        return k->scoring.method == KPI_SCORE_ADJUSTMENT;
    case F_NONE:
        break;
    }
    return false;
}

/* Fill the value of a ratio, mean or per-item-limit KPI. */
static void
compute_ratio(const struct formula *f, const struct kpi_counts *c, struct kpi_result *r)
{
    uint64_t num = field_at(c, f->num), den = 0;

    r->has_ratio = true;
    r->numerator = num;
    if (!denominator_of(f, c, &den)) {
        r->status = KPI_BAD_COUNTS;
        r->reason = reason_bad_sum;
        return;
    }
    r->denominator = den;
    if (den == 0) {
        r->status = KPI_NO_DATA;
        r->reason = reason_no_data;
        return;
    }
    if (f->kind == F_MEAN) {
        r->value = (double)num / (double)den;
    } else if (num > den) {
        r->status = KPI_BAD_COUNTS;
        r->reason = reason_bad_ratio;
        return;
    } else {
        /* Multiply first: exact when the rate is a whole percentage. */
        r->value = (double)num * 100.0 / (double)den;
    }
    r->status = KPI_OK;
}

/* Fill the praise / complaint adjustment. */
static void
compute_adjust(const struct kpi_def *k, const struct kpi_counts *c, struct kpi_result *r)
{
    const struct kpi_scoring *s = &k->scoring;

    if (c->praise_exceptional > c->praise_verified
        || c->complaints_severe > c->complaints_verified) {
        r->status = KPI_BAD_COUNTS;
        r->reason = reason_bad_adjust;
        return;
    }
    r->value = s->per_praise * (double)c->praise_verified
               + s->per_exceptional * (double)c->praise_exceptional
               + s->per_complaint * (double)c->complaints_verified;
    if (!isfinite(r->value)) {
        r->value = 0.0;
        r->status = KPI_BAD_COUNTS;
        r->reason = reason_bad_adjust;
        return;
    }
    r->status = KPI_OK;
    r->has_points = true;
    r->points = r->value;
}

/* Points of a computed value by the definition's scoring. */
static void
score_result(const struct kpi_def *k, const struct kpi_opts *o, struct kpi_result *r)
{
    const struct kpi_scoring *s = &k->scoring;
    double best;

    if (s->method == KPI_SCORE_BANDS || s->method == KPI_SCORE_RELATIVE)
        r->max_points = s->max_points;
    if (r->status != KPI_OK)
        return;
    if (s->method == KPI_SCORE_BANDS) {
        r->has_points = kpi_band_points(s->bands, s->n_bands, r->value, &r->points);
        if (!r->has_points && r->warning == NULL)
            r->warning = warn_no_band;
    } else if (s->method == KPI_SCORE_RELATIVE) {
        best = o != NULL && o->has_best && isfinite(o->best_rate) ? o->best_rate : r->value;
        r->points = kpi_relative_points(r->value, best, s->max_points, s->zero_below);
        r->has_points = true;
    }
}

/* Compute one KPI. */
static void
compute_one(const struct kpi_def *k, const struct kpi_counts *c, const struct kpi_opts *o,
            struct kpi_result *r)
{
    const struct formula *f = formula_find(k->id);

    r->def = k;
    r->unit = k->unit;
    r->warning = k->problem;
    r->pass = KPI_UNKNOWN;
    if (k->threshold_kind == KPI_THR_SIMPLE) {
        r->has_target = true;
        r->target_op = k->threshold.op;
        r->target_op_text = k->threshold.op_text;
        r->target_value = k->threshold.value;
    }
    if (f == NULL) {
        r->status = KPI_NOT_MEASURED;
        r->reason = reason_no_formula;
        return;
    }
    if (f->kind == F_NONE) {
        r->status = KPI_NOT_MEASURED;
        r->reason = f->text;
        return;
    }
    r->note = f->text;
    if (!def_matches(f, k)) {
        r->status = KPI_NOT_MEASURED;
        r->reason = reason_unit;
        r->note = NULL;
        return;
    }
    if (f->kind == F_LIMIT) {
        r->has_limit = true;
        r->limit_op = k->threshold.op;
        r->limit_op_text = k->threshold.op_text;
        r->limit_value = k->threshold.value;
        r->limit_unit = k->unit;
        r->unit = "percent";
        r->target_op = KPI_OP_GE;
        r->target_op_text = kpi_op_str(KPI_OP_GE);
        r->target_value = 100.0;
    }
    if (f->kind == F_ADJUST)
        compute_adjust(k, c, r);
    else
        compute_ratio(f, c, r);
    if (r->status == KPI_OK && r->has_target)
        r->pass = kpi_check(r->target_op, r->target_value, r->value);
    if (f->kind != F_ADJUST)
        score_result(k, o, r);
}

/* Compute every KPI from the counts. */
struct kpi_results *
kpi_compute(const struct kpi_defs *d, const struct kpi_counts *c, const struct kpi_opts *opts)
{
    struct kpi_results *r = xcalloc(1, sizeof *r);
    size_t n = kpi_defs_count(d);

    if (c != NULL)
        r->counts = *c;
    r->v = xcalloc(n > 0 ? n : 1, sizeof *r->v);
    for (size_t i = 0; i < n; i++)
        compute_one(&d->v[i], &r->counts, opts, &r->v[i]);
    r->n = n;
    return r;
}

/* Free results and NULL the pointer. */
void
kpi_results_free(struct kpi_results **r)
{
    if (r == NULL || *r == NULL)
        return;
    free((*r)->v);
    free(*r);
    *r = NULL;
}

/* Find a result by id. */
const struct kpi_result *
kpi_results_find(const struct kpi_results *r, const char *id)
{
    if (r == NULL || id == NULL)
        return NULL;
    for (size_t i = 0; i < r->n; i++) {
        if (strcmp(r->v[i].def->id, id) == 0)
            return &r->v[i];
    }
    return NULL;
}

/* ---- DB51/T 2963 appendix A ---- */

static const char *const db51_parts[KPI_DB51_PARTS] = {
    "db51_2963.manual_answer_rate",            /* A.1 */
    "db51_2963.call_resolution_rate",          /* A.2 */
    "db51_2963.ticket_resolution_rate",        /* A.3 */
    "db51_2963.ticket_timely_resolution_rate", /* A.4 */
    "db51_2963.avg_wait",                      /* A.5 */
};
static const char db51_adjustment[] = "db51_2963.praise_complaint";   /* A.6 */

/* Score one group by DB51/T 2963 appendix A. */
void
kpi_db51_score(const struct kpi_results *r, struct kpi_score *out)
{
    const struct kpi_result *adj;

    memset(out, 0, sizeof *out);
    out->complete = true;
    for (size_t i = 0; i < KPI_DB51_PARTS; i++) {
        struct kpi_score_part *p = &out->parts[i];
        const struct kpi_result *res = kpi_results_find(r, db51_parts[i]);

        p->id = db51_parts[i];
        p->result = res;
        p->max_points = res != NULL && res->max_points > 0.0 ? res->max_points
                                                              : DB51_PART_POINTS;
        if (res == NULL)
            p->reason = "This KPI is missing from the KPI definitions.";
        else if (res->status != KPI_OK)
            p->reason = res->reason;
        else if (!res->has_points)
            p->reason = res->warning != NULL ? res->warning : "This KPI has no scoring.";
        else
            p->scored = true;
        if (p->scored) {
            p->points = res->points;
            out->total += p->points;
        } else {
            out->complete = false;
        }
        out->max_total += p->max_points;
    }
    if (r != NULL) {
        out->praise_verified = r->counts.praise_verified;
        out->praise_exceptional = r->counts.praise_exceptional;
        out->complaints_verified = r->counts.complaints_verified;
        out->complaints_severe = r->counts.complaints_severe;
    }
    out->ranked_last = out->complaints_severe > 0;
    adj = kpi_results_find(r, db51_adjustment);
    if (adj != NULL && adj->status == KPI_OK && adj->has_points) {
        out->adjustment_scored = true;
        out->adjustment = adj->points;
        out->total += adj->points;
    } else {
        out->complete = false;
    }
}

/* ---- JSON ---- */

/* Add {op, value} as key of o. */
static void
add_target(cJSON *o, const char *key, const char *op, double value)
{
    cJSON *t = cJSON_AddObjectToObject(o, key);

    cJSON_AddStringToObject(t, "op", op != NULL ? op : "");
    cJSON_AddNumberToObject(t, "value", value);
}

/* Add a number, or null when has is false. */
static void
add_number_or_null(cJSON *o, const char *key, bool has, double v)
{
    if (has && isfinite(v))
        cJSON_AddNumberToObject(o, key, v);
    else
        cJSON_AddNullToObject(o, key);
}

/* Add a string when s is not NULL. */
static void
add_string_if(cJSON *o, const char *key, const char *s)
{
    if (s != NULL)
        cJSON_AddStringToObject(o, key, s);
}

/* One result as a JSON object. */
static cJSON *
result_to_json(const struct kpi_result *r)
{
    const struct kpi_def *k = r->def;
    cJSON *o = cJSON_CreateObject();
    bool ok = r->status == KPI_OK;

    cJSON_AddStringToObject(o, "id", k->id);
    cJSON_AddStringToObject(o, "name_zh", k->name_zh);
    cJSON_AddStringToObject(o, "name_en", k->name_en);
    cJSON_AddStringToObject(o, "hotline", k->hotline);
    cJSON_AddStringToObject(o, "clause", k->clause);
    cJSON_AddStringToObject(o, "unit", r->unit != NULL ? r->unit : "");
    add_number_or_null(o, "value", ok, r->value);
    add_number_or_null(o, "numerator", r->has_ratio, (double)r->numerator);
    add_number_or_null(o, "denominator", r->has_ratio, (double)r->denominator);
    cJSON_AddStringToObject(o, "status", kpi_status_str(r->status));
    add_string_if(o, "reason", r->reason);
    add_string_if(o, "note", r->note);
    add_string_if(o, "warning", r->warning);
    if (r->has_target)
        add_target(o, "target", r->target_op_text, r->target_value);
    else
        cJSON_AddNullToObject(o, "target");
    if (r->has_limit) {
        add_target(o, "limit", r->limit_op_text, r->limit_value);
        cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(o, "limit"), "unit",
                                r->limit_unit != NULL ? r->limit_unit : "");
    }
    if (k->threshold_kind == KPI_THR_COMPOUND) {
        cJSON *arr = cJSON_AddArrayToObject(o, "targets");

        for (size_t i = 0; i < k->n_parts; i++) {
            cJSON *t = cJSON_CreateObject();

            cJSON_AddStringToObject(t, "name", k->parts[i].name);
            cJSON_AddStringToObject(t, "op", k->parts[i].t.op_text);
            cJSON_AddNumberToObject(t, "value", k->parts[i].t.value);
            cJSON_AddItemToArray(arr, t);
        }
    }
    if (r->pass == KPI_UNKNOWN)
        cJSON_AddNullToObject(o, "pass");
    else
        cJSON_AddBoolToObject(o, "pass", r->pass == KPI_PASS);
    add_number_or_null(o, "points", r->has_points, r->points);
    if (r->max_points > 0.0)
        cJSON_AddNumberToObject(o, "max_points", r->max_points);
    return o;
}

/* Render the results as a JSON array. */
cJSON *
kpi_results_to_json(const struct kpi_results *r)
{
    cJSON *arr = cJSON_CreateArray();

    for (size_t i = 0; r != NULL && i < r->n; i++)
        cJSON_AddItemToArray(arr, result_to_json(&r->v[i]));
    return arr;
}

/* Render the score as a JSON object. */
cJSON *
kpi_score_to_json(const struct kpi_score *s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *missing, *parts, *adj;

    cJSON_AddStringToObject(o, "standard", "DB51/T 2963-2022 appendix A");
    cJSON_AddNumberToObject(o, "total", s->total);
    cJSON_AddNumberToObject(o, "max_total", s->max_total);
    cJSON_AddBoolToObject(o, "complete", s->complete);
    cJSON_AddBoolToObject(o, "ranked_last", s->ranked_last);
    missing = cJSON_AddArrayToObject(o, "missing");
    parts = cJSON_AddArrayToObject(o, "parts");
    for (size_t i = 0; i < KPI_DB51_PARTS; i++) {
        const struct kpi_score_part *p = &s->parts[i];
        cJSON *po = cJSON_CreateObject();

        cJSON_AddStringToObject(po, "id", p->id != NULL ? p->id : "");
        if (p->result != NULL) {
            cJSON_AddStringToObject(po, "name_zh", p->result->def->name_zh);
            cJSON_AddStringToObject(po, "name_en", p->result->def->name_en);
            cJSON_AddStringToObject(po, "status", kpi_status_str(p->result->status));
            add_number_or_null(po, "value", p->result->status == KPI_OK, p->result->value);
        } else {
            cJSON_AddStringToObject(po, "status", "missing");
            cJSON_AddNullToObject(po, "value");
        }
        cJSON_AddBoolToObject(po, "scored", p->scored);
        add_number_or_null(po, "points", p->scored, p->points);
        cJSON_AddNumberToObject(po, "max_points", p->max_points);
        add_string_if(po, "reason", p->reason);
        cJSON_AddItemToArray(parts, po);
        if (!p->scored && p->id != NULL)
            cJSON_AddItemToArray(missing, cJSON_CreateString(p->id));
    }
    if (!s->adjustment_scored)
        cJSON_AddItemToArray(missing, cJSON_CreateString(db51_adjustment));
    adj = cJSON_AddObjectToObject(o, "adjustment");
    cJSON_AddStringToObject(adj, "id", db51_adjustment);
    cJSON_AddBoolToObject(adj, "scored", s->adjustment_scored);
    add_number_or_null(adj, "points", s->adjustment_scored, s->adjustment);
    cJSON_AddNumberToObject(adj, "praise_verified", (double)s->praise_verified);
    cJSON_AddNumberToObject(adj, "praise_exceptional", (double)s->praise_exceptional);
    cJSON_AddNumberToObject(adj, "complaints_verified", (double)s->complaints_verified);
    cJSON_AddNumberToObject(adj, "complaints_severe", (double)s->complaints_severe);
    return o;
}
