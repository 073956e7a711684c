/* kpi: the KPIs of data/kpis-cn.json computed from counts, with targets, pass/fail and
 * the monthly DB51/T 2963 appendix A score. Pure arithmetic; the only I/O is loading
 * the definitions file. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "hotline/err.h"

/* Largest definitions file accepted, in bytes. */
#define KPI_FILE_MAX (4u * 1024u * 1024u)
/* Most KPIs, bands, sub-thresholds and exclusions read from one file / entry. */
#define KPI_MAX_DEFS 1024
#define KPI_MAX_BANDS 64
#define KPI_MAX_PARTS 16
#define KPI_MAX_EXCLUSIONS 64

/* Comparison of a threshold. */
enum kpi_op {
    KPI_OP_NONE,      /* no threshold */
    KPI_OP_GE,        /* ">=" or "≥" */
    KPI_OP_GT,        /* ">" */
    KPI_OP_LE,        /* "<=" or "≤" */
    KPI_OP_LT,        /* "<" */
    KPI_OP_EQ,        /* "=" or "==" */
    KPI_OP_APPROX,    /* "≈" or "~": no tolerance is defined, so never decided */
    KPI_OP_UNKNOWN,   /* any other text: never decided */
};

/* A target: value compared with the KPI value in the KPI's unit. */
struct kpi_threshold {
    enum kpi_op op;
    char *op_text;    /* as written in the file (owned); NULL when op is KPI_OP_NONE */
    double value;
};

/* One named part of a compound threshold ({"general": {op, value}, ...}). */
struct kpi_subthreshold {
    char *name;       /* owned */
    struct kpi_threshold t;
};

/* Shape of an entry's "threshold". */
enum kpi_threshold_kind {
    KPI_THR_NONE,       /* null or absent */
    KPI_THR_SIMPLE,     /* {op, value} */
    KPI_THR_COMPOUND,   /* object of named {op, value} */
    KPI_THR_ODD,        /* anything else: treated as no threshold, with a warning */
};

/* Points for values in [lower, upper); has_lower/has_upper false means unbounded. */
struct kpi_band {
    bool has_lower, has_upper;
    double lower, upper;
    double points;
};

/* How an entry is scored. */
enum kpi_method {
    KPI_SCORE_NONE,       /* scoring null or absent */
    KPI_SCORE_BANDS,      /* first band containing the value */
    KPI_SCORE_RELATIVE,   /* max_points × rate / best_rate, 0 below zero_below */
    KPI_SCORE_ADJUSTMENT, /* per praise / per complaint points */
    KPI_SCORE_ODD,        /* unknown method or malformed: no points, with a warning */
};

/* The "scoring" object of an entry. */
struct kpi_scoring {
    enum kpi_method method;
    double max_points;          /* max_points, or the highest band; 0 for adjustments */
    struct kpi_band *bands;     /* owned; KPI_SCORE_BANDS */
    size_t n_bands;
    double zero_below;          /* KPI_SCORE_RELATIVE; 0 when not given */
    double per_praise;          /* KPI_SCORE_ADJUSTMENT: per verified praise (+1) */
    double per_exceptional;     /* extra per exceptional praise (+2) */
    double per_complaint;       /* per verified complaint (-3) */
};

/* One entry of kpis[]. Strings are owned by the kpi_defs and never NULL ("" when absent). */
struct kpi_def {
    char *id;
    char *name_zh;
    char *name_en;
    char *hotline;
    char *source;
    char *clause;
    char *unit;
    enum kpi_threshold_kind threshold_kind;
    struct kpi_threshold threshold;       /* KPI_THR_SIMPLE */
    struct kpi_subthreshold *parts;       /* KPI_THR_COMPOUND, owned */
    size_t n_parts;
    struct kpi_scoring scoring;
    char **exclusions;                    /* owned strings */
    size_t n_exclusions;
    const char *problem;                  /* static sentence: what had an unknown shape, or NULL */
};

struct kpi_defs;

/* Parse a definitions document (format of data/kpis-cn.json). NULL + e when it is not
 * JSON, kpis is not an array, or an entry is not an object with a unique non-empty id.
 * Odd thresholds or scorings are not errors: they set the entry's problem. */
struct kpi_defs *kpi_defs_parse(const char *json, size_t len, struct err *e);
/* Load a definitions file; error messages start with the path. */
struct kpi_defs *kpi_defs_load(const char *path, struct err *e);
/* Free the definitions and NULL the pointer; accepts NULL. */
void kpi_defs_free(struct kpi_defs **d);
/* Number of entries. */
size_t kpi_defs_count(const struct kpi_defs *d);
/* Entry i (file order), or NULL when out of range; borrowed from d. */
const struct kpi_def *kpi_defs_at(const struct kpi_defs *d, size_t i);
/* Entry with this id, or NULL; borrowed from d. */
const struct kpi_def *kpi_defs_find(const struct kpi_defs *d, const char *id);
/* The file's "version" (0 when absent). */
int kpi_defs_version(const struct kpi_defs *d);

/*
 * Raw counts for one period [from, to) and one group (the whole centre, a unit, an
 * agent, a category or a nature), as a backend can count them from call records and
 * tickets. All are plain counts (0 when the backend has no such data).
 *
 * Cohort rule: calls are counted by the time they were offered; ticket counts are over
 * the tickets accepted (created) in the period, their outcome taken when the
 * statistics are computed. "Of X" means the field is a subset of field X.
 */
struct kpi_counts {
    /* Calls, from the phone system (POST /calls events, /calls/import records). */
    uint64_t calls_offered;         /* inbound calls that asked for an agent (entered the agent
                                     * queue after the IVR), abandoned ones included */
    uint64_t calls_answered;        /* of calls_offered: answered by an agent */
    uint64_t calls_answered_15s;    /* of calls_answered: answered at most 15 s after offered */
    uint64_t wait_seconds_total;    /* sum over the wait samples of answered_at - offered_at, s */
    uint64_t wait_samples;          /* answered calls summed in wait_seconds_total (all of them,
                                     * or the 20 monthly spot checks of DB51/T 2963 A.5) */
    uint64_t calls_resolved;        /* inbound calls resolved on the call: tickets with channel
                                     * phone closed with resolution direct (first contact) */

    /* Requests and feedback. */
    uint64_t requests_total;        /* tickets accepted, any channel, any nature */
    uint64_t complaints_verified;   /* verified complaints about the hotline's own service
                                     * (staff attitude or work quality), received in the period */
    uint64_t complaints_severe;     /* of complaints_verified: bad impact or major loss
                                     * (DB51/T 2963 A.6: ranked last for the period) */
    uint64_t praise_verified;       /* verified praise of the hotline's service */
    uint64_t praise_exceptional;    /* of praise_verified: solved a hard problem, recovered a
                                     * major loss or built a good image (+2 more) */

    /* Dispatch (转办). */
    uint64_t dispatch_due;          /* tickets not answered directly that had to be dispatched */
    uint64_t dispatched_same_day;   /* of dispatch_due: dispatched by the same-day cutoff of the
                                     * profile (12345: 17:00 of the day of acceptance; taken
                                     * 17:00-08:30: by 12:00) */
    uint64_t dispatched_2wd;        /* of dispatch_due: dispatched within 2 working days */

    /* Work orders: tickets dispatched to at least one unit. */
    uint64_t work_orders;
    uint64_t work_orders_resolved;  /* of work_orders: resolved, i.e. the lead unit replied and
                                     * the ticket reached replied, callback, closed or archived
                                     * (withdrawn tickets are not resolved) */
    uint64_t work_orders_resolved_2wd; /* of work_orders_resolved: lead reply within 2 working
                                        * days of acceptance (per the calendar) */
    uint64_t returned;              /* of work_orders: returned (退单) by a unit at least once */
    uint64_t redo;                  /* of work_orders: sent back for redo (退回重办) at least once,
                                     * after audit or a dissatisfied callback */

    /* Unit replies. */
    uint64_t replies_due;           /* assignments of the work orders whose due_at (with approved
                                     * extensions) has passed, or that were replied */
    uint64_t replies_on_time;       /* of replies_due: replied at or before due_at */

    /* Callbacks (回访). */
    uint64_t callbacks_due;         /* tickets owing a callback (callback_due_at set) */
    uint64_t unreachable;           /* of callbacks_due: caller never reached (closed unreachable,
                                     * or at least 2 failed attempts and no reach) */
    uint64_t confidential_excluded; /* of callbacks_due and NOT unreachable: confidential callers
                                     * (12345 reply rate excludes them); disjoint from unreachable */
    uint64_t callbacks_done_3d;     /* of callbacks_due: caller reached within 3 calendar days of
                                     * the unit's reply */
    uint64_t replies_confirmed;     /* of callbacks_due less confidential_excluded and
                                     * unreachable: reached, and the caller confirmed having
                                     * received an answer */
    uint64_t satisfied;             /* of callbacks_due: last reached callback rated satisfied */
    uint64_t basic;                 /* ... rated basic (基本满意) */
    uint64_t dissatisfied;          /* ... rated dissatisfied */

    /* SMS channel. */
    uint64_t sms_received;          /* SMS received (tickets with channel sms) */
    uint64_t sms_invalid;           /* of sms_received: invalid (empty, spam, unreadable) */
    uint64_t sms_replied_same_day;  /* of the valid SMS: replied on the local day of receipt */
};

/* Names of the count fields (the JSON keys), in struct order. */
size_t kpi_counts_field_count(void);
/* Name of field i ("calls_offered" ...), NULL when out of range; static. */
const char *kpi_counts_field_name(size_t i);
/* Value of field i (0 when out of range). */
uint64_t kpi_counts_get(const struct kpi_counts *c, size_t i);
/* Set field by name; false when the name is unknown. */
bool kpi_counts_set(struct kpi_counts *c, const char *name, uint64_t v);
/* Add every field of b to acc (saturating at UINT64_MAX), e.g. to total several groups. */
void kpi_counts_add(struct kpi_counts *acc, const struct kpi_counts *b);
/* The counts as a JSON object {"calls_offered": n, ...}; caller owns. */
cJSON *kpi_counts_to_json(const struct kpi_counts *c);

/* What a result holds. */
enum kpi_status {
    KPI_OK,             /* value computed */
    KPI_NO_DATA,        /* denominator 0: nothing to measure in this period */
    KPI_NOT_MEASURED,   /* a ticket system cannot compute this KPI (reason says why) */
    KPI_BAD_COUNTS,     /* the counts contradict each other (subset larger than its set) */
};

/* Outcome of comparing a value with a target. */
enum kpi_verdict {
    KPI_UNKNOWN,        /* no value, no target, or an undecidable op */
    KPI_PASS,
    KPI_FAIL,
};

/* One computed KPI. Pointers are borrowed from the kpi_defs (or static) and valid while
 * the kpi_defs lives. */
struct kpi_result {
    const struct kpi_def *def;
    enum kpi_status status;
    const char *reason;         /* why there is no value (status not OK), else NULL */
    const char *note;           /* how it is measured, a caveat or an exclusion, or NULL */
    const char *warning;        /* problem of the definition entry, or NULL */
    const char *unit;           /* unit of value: def->unit, or "percent" for per-item limits */
    bool has_ratio;             /* numerator and denominator are meaningful */
    uint64_t numerator;
    uint64_t denominator;
    double value;               /* 0 unless KPI_OK; never NaN or infinite */
    bool has_target;
    enum kpi_op target_op;
    const char *target_op_text; /* ">=", or the file's text */
    double target_value;
    bool has_limit;             /* per-item limit (e.g. answer within 15 s): value is the share
                                 * meeting it and the target is ">= 100" */
    enum kpi_op limit_op;
    const char *limit_op_text;
    double limit_value;
    const char *limit_unit;     /* "second", "working_day" */
    enum kpi_verdict pass;
    bool has_points;            /* a scoring exists and points were computed */
    double points;
    double max_points;
};

/* All KPIs of a definitions file for one set of counts. */
struct kpi_results {
    struct kpi_result *v;       /* one per definition, in file order */
    size_t n;
    struct kpi_counts counts;   /* copy of the input */
};

/* Options of kpi_compute. */
struct kpi_opts {
    bool has_best;              /* several groups are ranked: best_rate is set */
    double best_rate;           /* the best group's rate for relative_to_best KPIs
                                 * (percent); without it a group is its own best */
};

/* Compute every KPI of d from c (opts may be NULL). Never divides by zero. Free with
 * kpi_results_free. */
struct kpi_results *kpi_compute(const struct kpi_defs *d, const struct kpi_counts *c,
                                const struct kpi_opts *opts);
/* Free results and NULL the pointer; accepts NULL. */
void kpi_results_free(struct kpi_results **r);
/* Result with this id, or NULL; borrowed from r. */
const struct kpi_result *kpi_results_find(const struct kpi_results *r, const char *id);

/* Threshold operator of a text (">=", "≥", ...); KPI_OP_UNKNOWN for other text. */
enum kpi_op kpi_op_parse(const char *s);
/* Canonical text of an operator (">=", "≈", "" for NONE, "?" for UNKNOWN); static. */
const char *kpi_op_str(enum kpi_op op);
/* Compare value with a target. */
enum kpi_verdict kpi_check(enum kpi_op op, double target, double value);
/* Points of the first band holding value; false when no band does. */
bool kpi_band_points(const struct kpi_band *bands, size_t n, double value, double *points);
/* Relative score: 0 when rate < zero_below, else max_points × rate / best (a best below
 * rate counts as rate; result within [0, max_points]). */
double kpi_relative_points(double rate, double best, double max_points, double zero_below);
/* Wire name of a status: "ok", "no_data", "not_measured", "invalid_counts"; static. */
const char *kpi_status_str(enum kpi_status s);

/* One of the five 20-point parts of the DB51/T 2963 appendix A score. */
struct kpi_score_part {
    const char *id;                     /* static KPI id */
    const struct kpi_result *result;    /* borrowed; NULL when the definitions lack it */
    bool scored;                        /* points are valid */
    double points;
    double max_points;
    const char *reason;                 /* why not scored, else NULL; static */
};

#define KPI_DB51_PARTS 5

/* The monthly DB51/T 2963 score of one group. */
struct kpi_score {
    struct kpi_score_part parts[KPI_DB51_PARTS];  /* A.1 .. A.5 */
    bool adjustment_scored;         /* the A.6 definition exists and is well formed */
    double adjustment;              /* A.6 points (+ praise, - complaints) */
    uint64_t praise_verified;
    uint64_t praise_exceptional;
    uint64_t complaints_verified;
    uint64_t complaints_severe;
    bool ranked_last;               /* a severe complaint: ranked last whatever the total */
    double total;                   /* scored parts + adjustment */
    double max_total;               /* sum of the parts' max points (100) */
    bool complete;                  /* every part and the adjustment were scored */
};

/* Score one group's results by DB51/T 2963 appendix A. */
void kpi_db51_score(const struct kpi_results *r, struct kpi_score *out);

/* The results as a JSON array of {id, name_zh, name_en, hotline, clause, unit, value,
 * numerator, denominator, status, reason?, note?, warning?, target, limit?, targets?, pass,
 * points, max_points?}; value/pass/points are null when unknown. Caller owns. */
cJSON *kpi_results_to_json(const struct kpi_results *r);
/* The score as a JSON object {standard, total, max_total, complete, ranked_last,
 * missing[], parts[], adjustment{}}. Caller owns. */
cJSON *kpi_score_to_json(const struct kpi_score *s);
