/* watch_model: the supervisor dashboard's data (counters, KPIs, units, alerts, hourly intake),
 * its layout and its plain-text and JSON snapshots; pure: no curses, no network. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api.h"
#include "hotline/datetime.h"
#include "hotline/model.h"
#include "hotline/tz.h"
#include "ui/layout.h"

/*
 * Everything here is bounded: a fixed number of units, KPIs and alerts, 24 + 24 hourly
 * buckets. Updating the model never allocates per event, so a dashboard left open for days
 * keeps a flat memory profile. Every setter returns true only when something that is drawn
 * changed: the caller marks the screen dirty on that and on nothing else.
 *
 * No caller data enters the model: alerts keep the ticket id, the unit, the kind and the
 * instants they need, nothing of struct caller.
 */

/* Most alerts kept; the oldest are dropped beyond this. */
#define WATCH_MAX_ALERTS 200
/* Most units in the per-unit table. */
#define WATCH_MAX_UNITS 64
/* Most KPI rows. */
#define WATCH_MAX_KPIS 12
/* How long an alert is marked new after it first appeared, seconds. */
#define WATCH_ALERT_NEW_S 600
/* Ids remembered at the intake high-water second (tickets accepted in the same second). */
#define WATCH_INTAKE_HIGH_IDS 16
/* Room for a ticket id, a unit code, a unit name. */
#define WATCH_ID_SZ 40
#define WATCH_CODE_SZ 64
#define WATCH_NAME_SZ 96

/* The counters row. */
enum watch_counter {
    WATCH_C_OPEN,           /* not closed or archived */
    WATCH_C_TODAY,          /* accepted today (local day of the centre) */
    WATCH_C_TO_DISPATCH,    /* status accepted: waiting for a direct answer or dispatch */
    WATCH_C_OVERDUE,
    WATCH_C_NEAR_DUE,
    WATCH_C_CALLBACK,       /* status callback: awaiting the callback */
    WATCH_C_RETURNED,       /* status returned: a unit refused, back to the dispatcher */
    WATCH_C_EMERGENCY,      /* open emergencies */
    WATCH_C_COUNT
};

/* Kinds of alerts, most severe first (the order breaks ties when sorting). */
enum watch_alert_kind {
    WATCH_A_EMERGENCY,
    WATCH_A_OVERDUE,
    WATCH_A_NEAR_DUE,
    WATCH_A_DISSATISFIED,
    WATCH_A_CLUSTER,
    WATCH_A_LATE_DISPATCH,
    WATCH_A_COUNT
};

/* Counter values; -1 = not known yet. */
struct watch_counters {
    int64_t v[WATCH_C_COUNT];
};

/* One alert: a ticket in a condition that needs the supervisor. */
struct watch_alert {
    enum watch_alert_kind kind;
    char ticket_id[WATCH_ID_SZ];
    char unit[WATCH_CODE_SZ];   /* the lead unit's code (or the first unit's), "" before dispatch */
    hl_time at;                 /* when the condition arose: the sort key, newest first */
    hl_time ref;                /* what "how long" counts from (or to, for near due) */
    hl_time end;                /* late dispatch: when it was dispatched, 0 while it waits */
    hl_time first_seen;         /* when this dashboard first saw it */
    bool is_new;                /* appeared after the first load of its kind */
};

/* One KPI row: a concept ("first-contact resolution") and the KPI the server computed for it. */
struct watch_kpi {
    const char *key;            /* JSON key, static: "first_contact" */
    const char *label;          /* N_() label, static */
    const char *label_short;    /* N_() label for narrow columns, static */
    bool calls;                 /* needs call records: hidden while there are none */
    bool present;               /* the server sent a KPI for it */
    char id[WATCH_CODE_SZ];     /* the server's KPI id ("db51_2963.call_resolution_rate") */
    char status[24];            /* ok, no_data, not_measured, invalid_counts */
    char unit[24];              /* percent, second, ... */
    bool has_value;
    double value;
    bool has_target;
    char op[8];                 /* ">=", "<=", ... */
    double target;
    int pass;                   /* 1 pass, 0 fail, -1 unknown */
};

/* The KPIs of one period (today or the month) for the centre or one unit. */
struct watch_kpis {
    bool known;
    hl_time from, to;           /* the period the server computed (to exclusive) */
    struct watch_kpi v[WATCH_MAX_KPIS];
    size_t n;
    bool has_score;             /* the DB51/T 2963 appendix A score */
    double score;
    double score_max;
    bool score_complete;
    bool ranked_last;
};

/* One row of the per-unit table. Counts -1 = not known yet. */
struct watch_unit {
    char code[WATCH_CODE_SZ];
    char name[WATCH_NAME_SZ];
    int64_t open;
    int64_t overdue;
    int64_t returned;
    bool has_rate;              /* on-time reply rate of the month */
    double on_time_rate;        /* percent */
    int rate_pass;              /* the rate against its target: 1 pass, 0 fail, -1 unknown */
};

/* Tickets accepted per local hour, today and yesterday. */
struct watch_intake {
    bool known;
    int64_t day;                /* the local day number "today" refers to */
    int today[24];
    int yesterday[24];
    bool partial;               /* the count stopped at its page limit */
    hl_time high;               /* newest acceptance counted */
    char high_ids[WATCH_INTAKE_HIGH_IDS][WATCH_ID_SZ];   /* tickets counted at that second */
    size_t n_high;
};

/* The whole dashboard. Embed it; watch_model_init. */
struct watch_model {
    struct watch_counters counters;
    struct watch_kpis today;
    struct watch_kpis month;
    struct watch_unit units[WATCH_MAX_UNITS];
    size_t n_units;
    struct watch_alert alerts[WATCH_MAX_ALERTS];   /* newest first */
    size_t n_alerts;
    bool alerts_loaded[WATCH_A_COUNT];             /* the first list of a kind came */
    struct watch_intake intake;
};

/* Empty model: every count unknown. */
void watch_model_init(struct watch_model *m);

/* Label of a counter (N_() text, translate with _()). */
const char *watch_counter_label(enum watch_counter c);
/* JSON key of a counter ("accepted_today"). */
const char *watch_counter_key(enum watch_counter c);
/* Set a counter; true when it changed. */
bool watch_model_set_counter(struct watch_model *m, enum watch_counter c, int64_t v);

/* Label of an alert kind (N_() text). */
const char *watch_alert_label(enum watch_alert_kind k);
/* Short label of an alert kind for narrow panes (N_() text). */
const char *watch_alert_label_short(enum watch_alert_kind k);
/* JSON key of an alert kind ("near_due"). */
const char *watch_alert_key(enum watch_alert_kind k);
/* The ticket flag behind an alert kind (FLAG_OVERDUE ...). */
unsigned watch_alert_flag(enum watch_alert_kind k);
/* The alert of kind k a ticket raises at now; false when it raises none (flag not set,
 * closed). Overdue counts from the earliest deadline passed (the ticket's, the callback's or
 * an unreplied unit's), near due towards the nearest one to come. first_seen and is_new are
 * left zero. */
bool watch_alert_from_ticket(const struct ticket *t, enum watch_alert_kind k, hl_time now,
                             struct watch_alert *out);
/* Replace the alerts of kind k by those of the tickets listed (a list fetch of that flag);
 * *fresh (may be NULL) is increased by the new emergencies and new overdue tickets that
 * appeared after the first list of their kind. True when the alert list changed. */
bool watch_model_alerts_replace(struct watch_model *m, enum watch_alert_kind k,
                                const struct ticket *tickets, size_t n, hl_time now,
                                unsigned *fresh);
/* Bring every alert of one ticket up to date from the ticket as it is now (a feed change);
 * like watch_model_alerts_replace for *fresh. True when the alert list changed. */
bool watch_model_apply_ticket(struct watch_model *m, const struct ticket *t, hl_time now,
                              unsigned *fresh);
/* Drop every alert of a ticket (it is gone, or no longer concerns the view). */
bool watch_model_forget_ticket(struct watch_model *m, const char *ticket_id);
/* Update the "new" marks for the time now (they fade after WATCH_ALERT_NEW_S); true when
 * one changed. */
bool watch_model_age_alerts(struct watch_model *m, hl_time now);
/* "How long" of an alert at now, in seconds: open for, overdue by, due in (near due, negative
 * once past), waited for dispatch (late dispatch). */
int64_t watch_alert_seconds(const struct watch_alert *a, hl_time now);

/* Choose and copy the dashboard's KPIs from a stats group (NULL: none known) of a profile
 * ("12345": KPI ids naming it are preferred). */
void watch_kpis_from_group(const struct api_stats_group *g, const char *profile, hl_time from,
                           hl_time to, struct watch_kpis *out);
/* Set today's or the month's KPIs; true when they changed. */
bool watch_model_set_kpis(struct watch_kpis *dst, const struct watch_kpis *src);
/* True when a KPI row is shown: it needs no calls, or call records exist for it. */
bool watch_kpi_shown(const struct watch_kpi *today, const struct watch_kpi *month);
/* Format a KPI value in its unit ("96.3%", "12.4 s", "—") into buf. */
void watch_kpi_format(const struct watch_kpi *k, char *buf, size_t sz);
/* Format a KPI's target ("≥95%") into buf ("" when none). */
void watch_kpi_format_target(const struct watch_kpi *k, char *buf, size_t sz);

/* Set the units (codes and names, e.g. from /meta); keeps the counts of units that stay.
 * At most WATCH_MAX_UNITS. True when the list changed. */
bool watch_model_set_units(struct watch_model *m, const struct api_unit *units, size_t n);
/* The row of a unit, or NULL. */
struct watch_unit *watch_model_unit(struct watch_model *m, const char *code);
/* Name of a unit for display (the code when unknown). Borrowed from the model or code. */
const char *watch_model_unit_name(const struct watch_model *m, const char *code);
/* Set one unit's queue counts (-1: leave unknown); true when changed. */
bool watch_model_set_unit_counts(struct watch_model *m, const char *code, int64_t open,
                                 int64_t overdue, int64_t returned);
/* Take each unit's on-time reply rate from stats grouped by unit; true when changed. */
bool watch_model_set_unit_rates(struct watch_model *m, const struct api_stats *s);
/* Compare two units for the table: worst first (overdue, then the lower on-time rate, then
 * returned, then open; then by code). qsort-style. */
int watch_unit_cmp(const struct watch_unit *a, const struct watch_unit *b);
/* Indexes of the units worst first into idx (room for m->n_units); returns the count. */
size_t watch_model_units_sorted(const struct watch_model *m, size_t *idx);

/* What watch_intake_count did with a ticket. */
enum watch_intake_step {
    WATCH_INTAKE_COUNTED,       /* counted in today's or yesterday's hour */
    WATCH_INTAKE_SKIPPED,       /* already counted, or from a later day: go on */
    WATCH_INTAKE_STOP,          /* older than what is wanted: stop paging */
};

/* Start a count for the local day number today: everything zero. */
void watch_intake_reset(struct watch_intake *in, int64_t today);
/* Count one ticket (pages come newest first). prev NULL: a full count down to yesterday's
 * start; else an incremental count on top of prev (a copy of which in is): stops below
 * prev's newest, skips what prev counted at that second. */
enum watch_intake_step watch_intake_count(struct watch_intake *in,
                                          const struct watch_intake *prev,
                                          const struct tz *tz, const char *id,
                                          hl_time created_at);
/* Move to the local day number day: yesterday takes today's counts when day follows.
 * Returns false when the counts cannot be carried over (a gap): count again. */
bool watch_intake_roll(struct watch_intake *in, int64_t day);
/* Tickets accepted today. */
int64_t watch_intake_today_total(const struct watch_intake *in);
/* Set the intake; true when what is drawn changed. */
bool watch_model_set_intake(struct watch_model *m, const struct watch_intake *in);
/* A sparkline of n values into buf (one "▁".."█" per value, " " for zero when zero_blank),
 * scaled to max (0: the largest value). Returns buf. */
const char *watch_spark(const int *v, size_t n, int max, bool zero_blank, char *buf, size_t sz);

/* Format a duration ("45 s", "12 min", "3 h 05 min", "2 d 4 h", translated) into buf; compact:
 * "45s", "12m", "3h05", "2d4h" for narrow panes. Negative durations are shown as positive. */
void watch_format_duration(int64_t seconds, bool compact, char *buf, size_t sz);

/* Which sections a screen size shows. */
enum watch_layout_mode {
    WATCH_LAYOUT_COMPACT,       /* a small pane: header, counters, alerts */
    WATCH_LAYOUT_MEDIUM,        /* 80x24: everything, small */
    WATCH_LAYOUT_WIDE,          /* 120x40 */
    WATCH_LAYOUT_FULL,          /* 200x50: three columns */
};

/* Where the sections go; a section with h == 0 is not shown. */
struct watch_layout {
    int rows;
    int cols;
    enum watch_layout_mode mode;
    bool too_small;             /* below 20x4: only a message */
    struct rect header;
    struct rect counters;
    int counters_per_line;
    struct rect kpis;
    struct rect units;
    struct rect alerts;
    struct rect intake;
    struct rect footer;
};

/* Smallest size drawn at all. */
#define WATCH_MIN_COLS 20
#define WATCH_MIN_ROWS 4

/* Lay out a rows x cols screen for n_kpis KPI rows (pure). */
void watch_layout_compute(int rows, int cols, size_t n_kpis, struct watch_layout *out);

/* Settings of a snapshot (--once). */
struct watch_snapshot {
    const char *centre;         /* the centre's name */
    const char *unit;           /* the unit of a one-unit view, NULL for the centre */
    const char *unit_name;
    const char *profile;
    const struct tz *tz;
    hl_time now;
    const char *connection;     /* "online", "offline" ... */
    hl_time data_at;            /* last successful update, 0 when none */
};

/* The dashboard as plain text for scripts (--once): no caller data, no colours. Caller owns. */
char *watch_model_text(const struct watch_model *m, const struct watch_snapshot *s);
/* The dashboard as JSON (--once --json): KPI values exactly as the server sent them.
 * Caller owns. */
char *watch_model_json(const struct watch_model *m, const struct watch_snapshot *s);
