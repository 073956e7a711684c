/* Tests for watch_model without a terminal: counters, alerts (kinds, order, dedup, newly
 * overdue, the bound), KPI choice and formatting, units worst first, hourly intake counting,
 * sparklines, durations, the layout at 40x12 .. 200x50, and the text and JSON snapshots. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "hotline/datetime.h"
#include "hotline/model.h"
#include "hotline/tz.h"
#include "hotline/util.h"
#include "watch_model.h"

/* A writable copy of a string literal (the API structs hold char *). */
#define S(lit) ((char[]){lit})

/* 2026-11-22T12:00:00+08:00 */
#define NOW ((hl_time)1795320000)
#define MIN 60
#define HOUR 3600
#define DAY 86400

/* A ticket with an id, flags, creation time and a due time (in a caller's array). */
static void
make_ticket(struct ticket *t, const char *id, unsigned flags, hl_time created, hl_time due)
{
    memset(t, 0, sizeof *t);
    t->id = xstrdup(id);
    t->flags = flags;
    t->created_at = created;
    t->updated_at = created;
    t->due_at = due;
    t->status = STATUS_DISPATCHED;
    t->caller.name = xstrdup("王小明");
    t->caller.phone = xstrdup("13987654321");
    t->caller.address = xstrdup("幸福路1号");
}

/* Give a ticket a lead unit. */
static void
add_unit(struct ticket *t, const char *unit, enum assign_role role, hl_time dispatched)
{
    struct assignment *a = ticket_add_assignment(t);

    a->unit = xstrdup(unit);
    a->role = role;
    a->dispatched_at = dispatched;
    a->due_at = t->due_at;
}

/* NOW is the instant the tests assume: check it once. */
static void
test_now(void **state)
{
    char buf[40];
    struct tz *tz = tz_fixed("CST", 8 * HOUR);

    (void)state;
    tz_format_rfc3339(tz, NOW, buf, sizeof buf);
    assert_string_equal(buf, "2026-11-22T12:00:00+08:00");
    tz_free(&tz);
}

/* Counters start unknown and report a change only when the value changes. */
static void
test_counters(void **state)
{
    struct watch_model m;

    (void)state;
    watch_model_init(&m);
    for (int i = 0; i < WATCH_C_COUNT; i++)
        assert_int_equal(m.counters.v[i], -1);
    assert_true(watch_model_set_counter(&m, WATCH_C_OVERDUE, 4));
    assert_false(watch_model_set_counter(&m, WATCH_C_OVERDUE, 4));
    assert_true(watch_model_set_counter(&m, WATCH_C_OVERDUE, 0));
    assert_false(watch_model_set_counter(&m, WATCH_C_COUNT, 1));
    assert_string_equal(watch_counter_key(WATCH_C_TODAY), "accepted_today");
    assert_string_equal(watch_counter_label(WATCH_C_CALLBACK), "Awaiting callback");
}

/* Each kind of alert from a ticket: when it arose and what "how long" counts. */
static void
test_alert_kinds(void **state)
{
    struct ticket t;
    struct watch_alert a;

    (void)state;
    /* Accepted 10:00, due in 2 h at 14:00 (near due), emergency, lead unit water. */
    make_ticket(&t, "HL20261122-000001", FLAG_EMERGENCY | FLAG_NEAR_DUE | FLAG_CLUSTER,
                NOW - 2 * HOUR, NOW + 2 * HOUR);
    add_unit(&t, "gas", ROLE_ASSIST, NOW - HOUR);
    add_unit(&t, "water", ROLE_LEAD, NOW - 90 * MIN);
    assert_true(watch_alert_from_ticket(&t, WATCH_A_EMERGENCY, NOW, &a));
    assert_string_equal(a.ticket_id, "HL20261122-000001");
    assert_string_equal(a.unit, "water");
    assert_int_equal(a.at, NOW - 2 * HOUR);
    assert_int_equal(watch_alert_seconds(&a, NOW), 2 * HOUR);
    /* Near due: 75% of 4 h after acceptance = 13:00 from 10:00 ... at 13:00; due in 2 h. */
    assert_true(watch_alert_from_ticket(&t, WATCH_A_NEAR_DUE, NOW, &a));
    assert_int_equal(a.at, NOW - 2 * HOUR + 3 * HOUR);
    assert_int_equal(a.ref, NOW + 2 * HOUR);
    assert_int_equal(watch_alert_seconds(&a, NOW), 2 * HOUR);
    assert_true(watch_alert_from_ticket(&t, WATCH_A_CLUSTER, NOW, &a));
    assert_false(watch_alert_from_ticket(&t, WATCH_A_OVERDUE, NOW, &a));
    assert_false(watch_alert_from_ticket(&t, WATCH_A_DISSATISFIED, NOW, &a));
    /* Late dispatch: waited from acceptance to the first dispatch (10:00 -> 10:30). */
    t.flags = FLAG_LATE_DISPATCH;
    assert_true(watch_alert_from_ticket(&t, WATCH_A_LATE_DISPATCH, NOW, &a));
    assert_int_equal(a.at, NOW);
    assert_int_equal(watch_alert_seconds(&a, NOW), 30 * MIN);
    /* The urgency alone raises an emergency alert too. */
    t.urgency = URGENCY_EMERGENCY;
    assert_true(watch_alert_from_ticket(&t, WATCH_A_EMERGENCY, NOW, &a));
    /* Closed: nothing. */
    t.status = STATUS_CLOSED;
    assert_false(watch_alert_from_ticket(&t, WATCH_A_EMERGENCY, NOW, &a));
    ticket_fini(&t);

    /* Overdue since its due time passed (3 h ago). */
    make_ticket(&t, "HL20261121-000002", FLAG_OVERDUE, NOW - DAY, NOW - 3 * HOUR);
    assert_true(watch_alert_from_ticket(&t, WATCH_A_OVERDUE, NOW, &a));
    assert_int_equal(a.at, NOW - 3 * HOUR);
    assert_int_equal(watch_alert_seconds(&a, NOW), 3 * HOUR);
    assert_string_equal(a.unit, "");
    /* Replied, awaiting the callback: the callback's deadline counts, not the ticket's. */
    t.status = STATUS_CALLBACK;
    t.due_at = NOW + DAY;
    t.callback_due_at = NOW - 20 * MIN;
    assert_true(watch_alert_from_ticket(&t, WATCH_A_OVERDUE, NOW, &a));
    assert_int_equal(watch_alert_seconds(&a, NOW), 20 * MIN);
    /* Dissatisfied since the last dissatisfied callback. */
    t.flags = FLAG_DISSATISFIED;
    ticket_add_callback(&t)->satisfaction = SAT_SATISFIED;
    t.callbacks[0].at = NOW - 5 * HOUR;
    ticket_add_callback(&t)->satisfaction = SAT_DISSATISFIED;
    t.callbacks[1].at = NOW - 4 * HOUR;
    assert_true(watch_alert_from_ticket(&t, WATCH_A_DISSATISFIED, NOW, &a));
    assert_int_equal(a.at, NOW - 4 * HOUR);
    ticket_fini(&t);
}

/* Lists replace their kind; the first list is the baseline, later arrivals are new and
 * counted for the bell (emergencies and overdue only); an unchanged list changes nothing. */
static void
test_alerts_replace(void **state)
{
    struct watch_model m;
    struct ticket t[3];
    unsigned fresh = 0;

    (void)state;
    watch_model_init(&m);
    make_ticket(&t[0], "HL20261120-000001", FLAG_OVERDUE, NOW - 3 * DAY, NOW - 2 * DAY);
    make_ticket(&t[1], "HL20261121-000001", FLAG_OVERDUE, NOW - 2 * DAY, NOW - 1 * DAY);
    make_ticket(&t[2], "HL20261122-000009", FLAG_OVERDUE, NOW - 5 * HOUR, NOW - 10 * MIN);
    assert_true(watch_model_alerts_replace(&m, WATCH_A_OVERDUE, t, 2, NOW, &fresh));
    assert_int_equal(m.n_alerts, 2);
    assert_int_equal(fresh, 0);
    assert_false(m.alerts[0].is_new);
    /* Newest first: overdue since one day before the other. */
    assert_string_equal(m.alerts[0].ticket_id, "HL20261121-000001");
    assert_string_equal(m.alerts[1].ticket_id, "HL20261120-000001");
    /* The same list again: nothing changes. */
    assert_false(watch_model_alerts_replace(&m, WATCH_A_OVERDUE, t, 2, NOW + MIN, &fresh));
    /* A newly overdue ticket appears, the oldest leaves. */
    assert_true(watch_model_alerts_replace(&m, WATCH_A_OVERDUE, &t[1], 2, NOW + 2 * MIN, &fresh));
    assert_int_equal(fresh, 1);
    assert_int_equal(m.n_alerts, 2);
    assert_string_equal(m.alerts[0].ticket_id, "HL20261122-000009");
    assert_true(m.alerts[0].is_new);
    assert_int_equal(m.alerts[0].first_seen, NOW + 2 * MIN);
    assert_false(m.alerts[1].is_new);
    /* "New" fades after WATCH_ALERT_NEW_S. */
    assert_false(watch_model_age_alerts(&m, NOW + 2 * MIN + WATCH_ALERT_NEW_S - 1));
    assert_true(watch_model_age_alerts(&m, NOW + 2 * MIN + WATCH_ALERT_NEW_S));
    assert_false(m.alerts[0].is_new);
    /* A near-due newcomer after its baseline does not ring. */
    fresh = 0;
    t[0].flags = FLAG_NEAR_DUE;
    t[0].due_at = NOW + HOUR;
    /* An empty first list changes nothing drawn but sets the baseline. */
    assert_false(watch_model_alerts_replace(&m, WATCH_A_NEAR_DUE, NULL, 0, NOW, &fresh));
    assert_true(m.alerts_loaded[WATCH_A_NEAR_DUE]);
    assert_true(watch_model_alerts_replace(&m, WATCH_A_NEAR_DUE, t, 1, NOW, &fresh));
    assert_int_equal(fresh, 0);
    assert_int_equal(m.n_alerts, 3);
    /* A ticket in a list without its flag raises nothing. */
    assert_false(watch_model_alerts_replace(&m, WATCH_A_CLUSTER, t, 3, NOW, &fresh));
    for (int i = 0; i < 3; i++)
        ticket_fini(&t[i]);
}

/* One ticket brought up to date after a feed change: alerts added, updated, removed; the
 * same kind of the same ticket is never listed twice. */
static void
test_apply_ticket(void **state)
{
    struct watch_model m;
    struct ticket t;
    unsigned fresh = 0;

    (void)state;
    watch_model_init(&m);
    assert_false(watch_model_alerts_replace(&m, WATCH_A_EMERGENCY, NULL, 0, NOW, &fresh));
    make_ticket(&t, "HL20261122-000047", FLAG_EMERGENCY | FLAG_OVERDUE, NOW - MIN, NOW - 1);
    assert_true(watch_model_apply_ticket(&m, &t, NOW, &fresh));
    assert_int_equal(m.n_alerts, 2);
    /* Only the emergency rings: the overdue list has no baseline yet. */
    assert_int_equal(fresh, 1);
    assert_false(watch_model_apply_ticket(&m, &t, NOW, &fresh));
    assert_int_equal(m.n_alerts, 2);
    assert_int_equal(fresh, 1);
    /* Dispatched: the unit appears. */
    add_unit(&t, "gas", ROLE_LEAD, NOW);
    assert_true(watch_model_apply_ticket(&m, &t, NOW, &fresh));
    assert_string_equal(m.alerts[0].unit, "gas");
    /* No longer overdue. */
    t.flags = FLAG_EMERGENCY;
    assert_true(watch_model_apply_ticket(&m, &t, NOW, &fresh));
    assert_int_equal(m.n_alerts, 1);
    assert_int_equal(m.alerts[0].kind, WATCH_A_EMERGENCY);
    /* Closed: gone. */
    t.status = STATUS_CLOSED;
    assert_true(watch_model_apply_ticket(&m, &t, NOW, &fresh));
    assert_int_equal(m.n_alerts, 0);
    t.status = STATUS_DISPATCHED;
    assert_true(watch_model_apply_ticket(&m, &t, NOW, &fresh));
    assert_true(watch_model_forget_ticket(&m, "HL20261122-000047"));
    assert_false(watch_model_forget_ticket(&m, "HL20261122-000047"));
    ticket_fini(&t);
}

/* The list keeps the WATCH_MAX_ALERTS newest; memory does not grow with events. */
static void
test_alert_bound(void **state)
{
    struct watch_model m;
    struct ticket t;
    char id[32];

    (void)state;
    watch_model_init(&m);
    for (int i = 0; i < WATCH_MAX_ALERTS + 50; i++) {
        snprintf(id, sizeof id, "HL20261122-%06d", i);
        make_ticket(&t, id, FLAG_CLUSTER, NOW - 1000 * HOUR + i * MIN, NOW + DAY);
        watch_model_apply_ticket(&m, &t, NOW, NULL);
        ticket_fini(&t);
    }
    assert_int_equal(m.n_alerts, WATCH_MAX_ALERTS);
    assert_string_equal(m.alerts[0].ticket_id, "HL20261122-000249");
    assert_string_equal(m.alerts[WATCH_MAX_ALERTS - 1].ticket_id, "HL20261122-000050");
    /* An older one than all kept is not let in. */
    make_ticket(&t, "HL20261001-000001", FLAG_CLUSTER, NOW - 2000 * HOUR, NOW + DAY);
    assert_false(watch_model_apply_ticket(&m, &t, NOW, NULL));
    ticket_fini(&t);
    for (size_t i = 1; i < m.n_alerts; i++)
        assert_true(m.alerts[i - 1].at >= m.alerts[i].at);
}

/* A stats group with some KPIs (strings static: the group is not freed). */
static struct api_kpi kpis_fixture[] = {
    {.id = S("db51_2963.manual_answer_rate"), .unit = S("percent"),
     .status = S("ok"), .has_value = true, .value = 93.5201928872815, .has_target = true,
     .target_op = S(">="), .target_value = 98, .pass = 0},
    {.id = S("c12345.manual_answer_rate"), .unit = S("percent"), .status = S("ok"),
     .has_value = true, .value = 93.5201928872815, .has_target = true,
     .target_op = S(">="), .target_value = 95, .pass = 0},
    {.id = S("db51_2963.avg_wait"), .unit = S("second"), .status = S("ok"),
     .has_value = true, .value = 14.791169835642926, .has_target = true,
     .target_op = S("<"), .target_value = 20, .pass = 1},
    {.id = S("c12345.redo_rate"), .unit = S("percent"), .status = S("no_data"),
     .has_value = false, .has_target = true, .target_op = S("<="), .target_value = 5,
     .pass = -1},
    {.id = S("c12345.on_time_reply_rate"), .unit = S("percent"),
     .status = S("ok"), .has_value = true, .value = 70.94972067039106, .has_target = true,
     .target_op = S(">="), .target_value = 95, .pass = 0},
};

/* Find a KPI row by key. */
static const struct watch_kpi *
row(const struct watch_kpis *k, const char *key)
{
    for (size_t i = 0; i < k->n; i++) {
        if (strcmp(k->v[i].key, key) == 0)
            return &k->v[i];
    }
    fail_msg("no row %s", key);
    return NULL;
}

/* The profile's own KPI is preferred; values, targets and verdicts copied; formatting. */
static void
test_kpis(void **state)
{
    struct api_stats_group g = {0};
    struct watch_kpis a, b;
    const struct watch_kpi *k;
    char buf[32];

    (void)state;
    g.kpis = kpis_fixture;
    g.n_kpis = ARRAY_SIZE(kpis_fixture);
    g.score_total = 20;
    g.score_max = 100;
    g.score_complete = true;
    watch_kpis_from_group(&g, "12345", NOW - DAY, NOW + 1, &a);
    assert_true(a.known);
    assert_int_equal(a.n, 10);
    k = row(&a, "answer_rate");
    assert_string_equal(k->id, "c12345.manual_answer_rate");
    assert_true(k->value == 93.5201928872815);
    assert_int_equal(k->pass, 0);
    watch_kpi_format(k, buf, sizeof buf);
    assert_string_equal(buf, "93.5%");
    watch_kpi_format_target(k, buf, sizeof buf);
    assert_string_equal(buf, "≥95%");
    /* Another profile without its own KPI here: the first listed that exists wins. */
    watch_kpis_from_group(&g, "95198", NOW - DAY, NOW + 1, &b);
    assert_string_equal(row(&b, "answer_rate")->id, "c12345.manual_answer_rate");
    /* The first-contact row: db51 before ningxia, whatever the profile. */
    assert_false(row(&b, "first_contact")->present);
    k = row(&a, "avg_wait");
    watch_kpi_format(k, buf, sizeof buf);
    assert_string_equal(buf, "14.8 s");
    watch_kpi_format_target(k, buf, sizeof buf);
    assert_string_equal(buf, "<20 s");
    k = row(&a, "redo_rate");
    assert_true(k->present);
    assert_false(k->has_value);
    watch_kpi_format(k, buf, sizeof buf);
    assert_string_equal(buf, "—");
    k = row(&a, "satisfaction");
    assert_false(k->present);
    watch_kpi_format_target(k, buf, sizeof buf);
    assert_string_equal(buf, "");
    assert_true(a.has_score);
    assert_true(a.score == 20.0);
    /* Call KPIs show only with call records. */
    assert_true(watch_kpi_shown(row(&a, "answer_rate"), NULL));
    assert_true(watch_kpi_shown(row(&a, "redo_rate"), NULL));
    watch_kpis_from_group(NULL, "12345", 0, 0, &b);
    assert_false(b.known);
    assert_false(watch_kpi_shown(row(&b, "answer_rate"), row(&b, "avg_wait")));
    /* Setting: a change only when something shown changes (the period may move). */
    memset(&b, 0, sizeof b);
    assert_true(watch_model_set_kpis(&b, &a));
    a.to += 30;
    assert_false(watch_model_set_kpis(&b, &a));
    assert_int_equal(b.to, a.to);
    a.v[0].value += 0.1;
    assert_true(watch_model_set_kpis(&b, &a));
}

/* Units keep their counts across a new unit list; rates come from stats by unit; the table
 * is sorted worst first. */
static void
test_units(void **state)
{
    struct watch_model m;
    struct api_unit units[3] = {
        {S("water"), S("市自来水公司")}, {S("gas"), S("市燃气集团")},
        {S("urban"), NULL},
    };
    struct api_stats_group groups[2] = {0};
    struct api_stats s = {0};
    size_t idx[WATCH_MAX_UNITS];

    (void)state;
    watch_model_init(&m);
    assert_true(watch_model_set_units(&m, units, 3));
    assert_false(watch_model_set_units(&m, units, 3));
    assert_string_equal(watch_model_unit_name(&m, "urban"), "urban");
    assert_string_equal(watch_model_unit_name(&m, "gas"), "市燃气集团");
    assert_string_equal(watch_model_unit_name(&m, "nope"), "nope");
    assert_int_equal(m.units[0].open, -1);
    assert_true(watch_model_set_unit_counts(&m, "water", 7, 2, 2));
    assert_false(watch_model_set_unit_counts(&m, "water", 7, -1, -1));
    assert_true(watch_model_set_unit_counts(&m, "gas", 10, 2, 0));
    assert_true(watch_model_set_unit_counts(&m, "urban", 29, 8, 5));
    assert_false(watch_model_set_unit_counts(&m, "none", 1, 1, 1));
    groups[0].key = S("water");
    groups[0].kpis = &kpis_fixture[4];    /* 70.9% */
    groups[0].n_kpis = 1;
    groups[1].key = S("gas");
    s.groups = groups;
    s.n_groups = 2;
    assert_true(watch_model_set_unit_rates(&m, &s));
    assert_false(watch_model_set_unit_rates(&m, &s));
    assert_true(watch_model_unit(&m, "water")->has_rate);
    assert_int_equal(watch_model_unit(&m, "water")->rate_pass, 0);
    assert_false(watch_model_unit(&m, "gas")->has_rate);
    /* urban: 8 overdue first; water and gas tie on 2 overdue: water's lower rate first. */
    assert_int_equal(watch_model_units_sorted(&m, idx), 3);
    assert_string_equal(m.units[idx[0]].code, "urban");
    assert_string_equal(m.units[idx[1]].code, "water");
    assert_string_equal(m.units[idx[2]].code, "gas");
    /* A new list keeps the counts of the units that stay. */
    assert_true(watch_model_set_units(&m, &units[1], 1));
    assert_int_equal(m.n_units, 1);
    assert_int_equal(m.units[0].open, 10);
}

/* Hourly intake: a full count stops before yesterday; an incremental one adds only what is
 * newer than the last count; a new day moves today to yesterday. */
static void
test_intake(void **state)
{
    struct tz *tz = tz_fixed("CST", 8 * HOUR);
    struct watch_intake in, prev;
    int64_t today = datetime_days_from_civil(2026, 11, 22);

    (void)state;
    watch_intake_reset(&in, today);
    /* Pages come newest first: 11:59:30, 11:59:30 (same second), 09:05, yesterday 23:10,
     * yesterday 00:00:00, the day before 23:59:59 (stop). */
    assert_int_equal(watch_intake_count(&in, NULL, tz, "A", NOW - 30), WATCH_INTAKE_COUNTED);
    assert_int_equal(watch_intake_count(&in, NULL, tz, "B", NOW - 30), WATCH_INTAKE_COUNTED);
    assert_int_equal(watch_intake_count(&in, NULL, tz, "C", NOW - 2 * HOUR - 55 * MIN),
                     WATCH_INTAKE_COUNTED);
    assert_int_equal(watch_intake_count(&in, NULL, tz, "D", NOW - 12 * HOUR - 50 * MIN),
                     WATCH_INTAKE_COUNTED);
    assert_int_equal(watch_intake_count(&in, NULL, tz, "E", NOW - 36 * HOUR),
                     WATCH_INTAKE_COUNTED);
    assert_int_equal(watch_intake_count(&in, NULL, tz, "F", NOW - 36 * HOUR - 1),
                     WATCH_INTAKE_STOP);
    assert_int_equal(watch_intake_count(&in, NULL, tz, NULL, NOW), WATCH_INTAKE_SKIPPED);
    assert_int_equal(in.today[11], 2);
    assert_int_equal(in.today[9], 1);
    assert_int_equal(in.yesterday[23], 1);
    assert_int_equal(in.yesterday[0], 1);
    assert_int_equal(watch_intake_today_total(&in), 3);
    assert_int_equal(in.high, NOW - 30);
    assert_int_equal(in.n_high, 2);
    /* Incremental: a new one at 11:59:50, then B again (same second as before), then A. */
    prev = in;
    assert_int_equal(watch_intake_count(&in, &prev, tz, "G", NOW - 10), WATCH_INTAKE_COUNTED);
    assert_int_equal(watch_intake_count(&in, &prev, tz, "B", NOW - 30), WATCH_INTAKE_SKIPPED);
    assert_int_equal(watch_intake_count(&in, &prev, tz, "H", NOW - 30), WATCH_INTAKE_COUNTED);
    assert_int_equal(watch_intake_count(&in, &prev, tz, "C", NOW - 3 * HOUR), WATCH_INTAKE_STOP);
    assert_int_equal(in.today[11], 4);
    assert_int_equal(watch_intake_today_total(&in), 5);
    /* Tomorrow's ticket (the server's day turned first) is skipped. */
    assert_int_equal(watch_intake_count(&in, NULL, tz, "I", NOW + 13 * HOUR), WATCH_INTAKE_SKIPPED);
    /* Model: a change only when the counts change. */
    {
        struct watch_model m;

        watch_model_init(&m);
        assert_true(watch_model_set_intake(&m, &in));
        assert_false(watch_model_set_intake(&m, &in));
    }
    /* The next day: today becomes yesterday; a gap cannot be carried over. */
    assert_true(watch_intake_roll(&in, today));
    assert_true(watch_intake_roll(&in, today + 1));
    assert_int_equal(in.yesterday[11], 4);
    assert_int_equal(watch_intake_today_total(&in), 0);
    assert_false(watch_intake_roll(&in, today + 3));
    assert_int_equal(in.yesterday[11], 0);
    tz_free(&tz);
}

/* Sparklines and durations. */
static void
test_spark_duration(void **state)
{
    int v[5] = {0, 1, 4, 8, 3};
    char buf[64];

    (void)state;
    assert_string_equal(watch_spark(v, 5, 0, true, buf, sizeof buf), " ▁▄█▃");
    assert_string_equal(watch_spark(v, 5, 0, false, buf, sizeof buf), "▁▁▄█▃");
    assert_string_equal(watch_spark(v, 5, 16, true, buf, sizeof buf), " ▁▂▄▂");
    /* A buffer too small for everything keeps whole glyphs. */
    assert_string_equal(watch_spark(v, 5, 0, true, buf, 8), " ▁▄");
    watch_format_duration(45, false, buf, sizeof buf);
    assert_string_equal(buf, "45 s");
    watch_format_duration(12 * MIN + 59, false, buf, sizeof buf);
    assert_string_equal(buf, "12 min");
    watch_format_duration(3 * HOUR + 5 * MIN, false, buf, sizeof buf);
    assert_string_equal(buf, "3 h 05 min");
    watch_format_duration(-(2 * DAY + 4 * HOUR + 59), false, buf, sizeof buf);
    assert_string_equal(buf, "2 d 4 h");
    watch_format_duration(3 * HOUR + 5 * MIN, true, buf, sizeof buf);
    assert_string_equal(buf, "3h05");
    watch_format_duration(28 * MIN, true, buf, sizeof buf);
    assert_string_equal(buf, "28m");
    watch_format_duration(DAY + 19 * HOUR, true, buf, sizeof buf);
    assert_string_equal(buf, "1d19h");
    watch_format_duration(INT64_MIN, true, buf, sizeof buf);
    assert_string_equal(buf, "99999d");
}

/* True when two rectangles share a cell. */
static bool
overlap(struct rect a, struct rect b)
{
    if (a.h == 0 || b.h == 0)
        return false;
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/* Every shown section lies on the screen and no two overlap. */
static void
check_layout(const struct watch_layout *l)
{
    struct rect r[7] = {l->header, l->counters, l->kpis, l->units, l->alerts, l->intake,
                        l->footer};

    for (int i = 0; i < 7; i++) {
        if (r[i].h == 0)
            continue;
        assert_true(r[i].y >= 0 && r[i].x >= 0);
        assert_true(r[i].y + r[i].h <= l->rows);
        assert_true(r[i].x + r[i].w <= l->cols);
        for (int j = i + 1; j < 7; j++)
            assert_false(overlap(r[i], r[j]));
    }
}

/* Layouts from a small tmux pane to a full screen. */
static void
test_layout(void **state)
{
    struct watch_layout l;

    (void)state;
    /* 40x12: header, counters two to a line, alerts below; nothing else. */
    watch_layout_compute(12, 40, 10, &l);
    check_layout(&l);
    assert_false(l.too_small);
    assert_int_equal(l.mode, WATCH_LAYOUT_COMPACT);
    assert_int_equal(l.counters_per_line, 2);
    assert_int_equal(l.counters.y, 1);
    assert_int_equal(l.counters.h, 4);
    assert_int_equal(l.alerts.y, 5);
    assert_int_equal(l.alerts.h, 7);
    assert_int_equal(l.alerts.w, 40);
    assert_int_equal(l.kpis.h, 0);
    assert_int_equal(l.units.h, 0);
    assert_int_equal(l.intake.h, 0);
    assert_int_equal(l.footer.h, 0);
    /* 80x24: counters four to a line; KPIs over units, alerts over intake; footer. */
    watch_layout_compute(24, 80, 10, &l);
    check_layout(&l);
    assert_int_equal(l.mode, WATCH_LAYOUT_MEDIUM);
    assert_int_equal(l.counters_per_line, 4);
    assert_int_equal(l.counters.h, 2);
    assert_int_equal(l.kpis.y, 3);
    assert_int_equal(l.kpis.h, 13);
    assert_int_equal(l.kpis.w, 39);
    assert_int_equal(l.units.y, 16);
    assert_int_equal(l.units.h, 7);
    assert_int_equal(l.alerts.x, 40);
    assert_int_equal(l.alerts.h, 16);
    assert_int_equal(l.intake.h, 4);
    assert_int_equal(l.intake.y, 19);
    assert_int_equal(l.footer.y, 23);
    /* 120x40: all counters on one line, a taller intake chart. */
    watch_layout_compute(40, 120, 10, &l);
    check_layout(&l);
    assert_int_equal(l.mode, WATCH_LAYOUT_WIDE);
    assert_int_equal(l.counters_per_line, 8);
    assert_int_equal(l.counters.h, 1);
    assert_int_equal(l.kpis.y, 2);
    assert_int_equal(l.units.h, 37 - 13);
    assert_int_equal(l.intake.h, 12);
    assert_int_equal(l.alerts.h, 25);
    /* 200x50: three columns, alerts and units full height. */
    watch_layout_compute(50, 200, 10, &l);
    check_layout(&l);
    assert_int_equal(l.mode, WATCH_LAYOUT_FULL);
    assert_int_equal(l.kpis.w, 64);
    assert_int_equal(l.units.x, 65);
    assert_int_equal(l.units.h, 47);
    assert_int_equal(l.alerts.x, 65 + 68 + 1);
    assert_int_equal(l.alerts.w, 200 - 134);
    assert_int_equal(l.alerts.h, 47);
    assert_int_equal(l.intake.h, 16);
    /* Fewer KPI rows leave more to the units. */
    watch_layout_compute(24, 80, 8, &l);
    assert_int_equal(l.kpis.h, 11);
    /* Odd sizes stay on the screen; below 20x4 only a message. */
    for (int rows = 4; rows <= 60; rows += 7) {
        for (int cols = 20; cols <= 230; cols += 13) {
            watch_layout_compute(rows, cols, 10, &l);
            check_layout(&l);
            assert_true(l.alerts.h > 0 || rows < 6);
        }
    }
    watch_layout_compute(3, 40, 10, &l);
    assert_true(l.too_small);
    watch_layout_compute(12, 19, 10, &l);
    assert_true(l.too_small);
}

/* A model with a bit of everything, built from tickets that carry a caller. */
static void
fill_model(struct watch_model *m, const struct tz *tz)
{
    struct api_stats_group g = {0};
    struct watch_kpis k;
    struct ticket t;
    struct api_unit u = {S("gas"), S("市燃气集团")};

    watch_model_init(m);
    watch_model_set_units(m, &u, 1);
    watch_model_set_unit_counts(m, "gas", 3, 1, 0);
    for (int i = 0; i < WATCH_C_COUNT; i++)
        watch_model_set_counter(m, (enum watch_counter)i, i * 10);
    watch_model_set_counter(m, WATCH_C_RETURNED, -1);
    g.kpis = kpis_fixture;
    g.n_kpis = ARRAY_SIZE(kpis_fixture);
    g.score_total = 20;
    g.score_max = 100;
    watch_kpis_from_group(&g, "12345", NOW - 21 * DAY - 12 * HOUR, NOW + 1, &k);
    watch_model_set_kpis(&m->month, &k);
    make_ticket(&t, "HL20261122-000047", FLAG_EMERGENCY, NOW - 5 * MIN, NOW + DAY);
    add_unit(&t, "gas", ROLE_LEAD, NOW);
    watch_model_apply_ticket(m, &t, NOW, NULL);
    ticket_fini(&t);
    watch_intake_reset(&m->intake, datetime_days_from_civil(2026, 11, 22));
    watch_intake_count(&m->intake, NULL, tz, "HL20261122-000047", NOW - 5 * MIN);
}

/* JSON: counters, KPI values exactly as the server sent them, alerts, intake; nothing of
 * the caller. */
static void
test_json(void **state)
{
    struct tz *tz = tz_fixed("CST", 8 * HOUR);
    struct watch_model m;
    struct watch_snapshot s = {.centre = "12345 热线", .profile = "12345", .now = NOW,
                               .connection = "online", .data_at = NOW - 3};
    const cJSON *items, *it, *v;
    cJSON *root;
    char *out;
    bool seen = false;

    (void)state;
    s.tz = tz;
    fill_model(&m, tz);
    out = watch_model_json(&m, &s);
    assert_null(strstr(out, "13987654321"));
    assert_null(strstr(out, "王小明"));
    assert_null(strstr(out, "幸福路"));
    root = cJSON_Parse(out);
    assert_non_null(root);
    assert_string_equal(cJSON_GetObjectItem(root, "centre")->valuestring, "12345 热线");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(root, "unit")));
    assert_string_equal(cJSON_GetObjectItem(root, "generated_at")->valuestring,
                        "2026-11-22T12:00:00+08:00");
    v = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "counters"), "overdue");
    assert_true(v->valuedouble == 30);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "counters"),
                                                 "returned")));
    v = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "kpis"), "month");
    assert_string_equal(cJSON_GetObjectItem(v, "from")->valuestring, "2026-11-01T00:00:00+08:00");
    items = cJSON_GetObjectItem(v, "items");
    cJSON_ArrayForEach(it, items) {
        if (strcmp(cJSON_GetObjectItem(it, "key")->valuestring, "avg_wait") == 0) {
            seen = true;
            assert_string_equal(cJSON_GetObjectItem(it, "id")->valuestring, "db51_2963.avg_wait");
            /* Bit for bit what the server said. */
            assert_true(cJSON_GetObjectItem(it, "value")->valuedouble == 14.791169835642926);
            assert_true(cJSON_IsTrue(cJSON_GetObjectItem(it, "pass")));
            assert_string_equal(
                cJSON_GetObjectItem(cJSON_GetObjectItem(it, "target"), "op")->valuestring, "<");
        }
    }
    assert_true(seen);
    assert_true(cJSON_GetObjectItem(cJSON_GetObjectItem(v, "score"), "total")->valuedouble == 20);
    it = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "alerts"), 0);
    assert_string_equal(cJSON_GetObjectItem(it, "kind")->valuestring, "emergency");
    assert_string_equal(cJSON_GetObjectItem(it, "unit_name")->valuestring, "市燃气集团");
    assert_true(cJSON_GetObjectItem(it, "seconds")->valuedouble == 300);
    it = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "intake"), "today");
    assert_int_equal(cJSON_GetArraySize(it), 24);
    assert_true(cJSON_GetArrayItem(it, 11)->valuedouble == 1);
    it = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "units"), 0);
    assert_string_equal(cJSON_GetObjectItem(it, "code")->valuestring, "gas");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(it, "on_time_reply_rate")));
    cJSON_Delete(root);
    free(out);
    tz_free(&tz);
}

/* Text: readable lines, wire text made safe, nothing of the caller. */
static void
test_text(void **state)
{
    struct tz *tz = tz_fixed("CST", 8 * HOUR);
    struct watch_model m;
    struct watch_snapshot s = {.centre = "12345 热线\x1b[2J", .unit = "gas",
                               .unit_name = "市燃气集团", .now = NOW, .connection = "online"};
    char *out;

    (void)state;
    s.tz = tz;
    fill_model(&m, tz);
    out = watch_model_text(&m, &s);
    assert_null(strstr(out, "\x1b"));
    assert_null(strstr(out, "13987654321"));
    assert_null(strstr(out, "王小明"));
    assert_non_null(strstr(out, " · 市燃气集团\n"));
    assert_non_null(strstr(out, "Overdue: 30\n"));
    assert_non_null(strstr(out, "Returned: —\n"));
    assert_non_null(strstr(out, "Average wait\t—\t14.8 s\t<20 s\tpass\n"));
    assert_non_null(strstr(out, "Emergency\tHL20261122-000047\t市燃气集团\t5 min\n"));
    assert_non_null(strstr(out, "市燃气集团\t3\t1\t0\t—\n"));
    assert_non_null(strstr(out, "today\t0 0 0 0 0 0 0 0 0 0 0 1 0"));
    free(out);
    tz_free(&tz);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_now),
        cmocka_unit_test(test_counters),
        cmocka_unit_test(test_alert_kinds),
        cmocka_unit_test(test_alerts_replace),
        cmocka_unit_test(test_apply_ticket),
        cmocka_unit_test(test_alert_bound),
        cmocka_unit_test(test_kpis),
        cmocka_unit_test(test_units),
        cmocka_unit_test(test_intake),
        cmocka_unit_test(test_spark_duration),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_text),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
