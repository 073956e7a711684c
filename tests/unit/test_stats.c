/* Tests of stats: KPI counts of a period from ten hand-built tickets and four calls, per group. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hotline/codec.h"
#include "hotline/kpi.h"
#include "hotline/rules.h"
#include "hotline/util.h"
#include "stats.h"
#include "workflow.h"

#define N_TICKETS 11

/* Rules, calendar, zone, KPI definitions and the tickets T0..T10 of the scenario. */
struct fixture {
    struct rules *rules;
    struct calendar *cal;
    struct tz *tz;
    struct kpi_defs *kpis;
    struct wf_ctx wf;
    struct stats_ctx sc;
    struct ticket *t[N_TICKETS];
    struct call_record calls[4];
};

static const struct rule_actor A1 = { USER_AGENT, NULL, "a1" };
static const struct rule_actor A2 = { USER_AGENT, NULL, "a2" };
static const struct rule_actor WATER = { USER_UNIT, "water", "u_water" };
static const struct rule_actor GAS = { USER_UNIT, "gas", "u_gas" };
static const struct rule_actor HOUSING = { USER_UNIT, "housing", "u_housing" };
static const struct rule_actor URBAN = { USER_UNIT, "urban_mgmt", "u_urban" };
static const struct rule_actor ENV = { USER_UNIT, "env", "u_env" };

static const char *const TOPS[] = {
    "urban.env", "agri.econ", "justice.civil", "industry.transport", "labor.hr",
    "sci.edu.culture.health", "finance.tax", "services", "other",
};

/* Instant of an RFC 3339 literal ("+08:00" appended when no zone is given). */
static hl_time
T(const char *s)
{
    hl_time t = 0;
    char buf[64];

    snprintf(buf, sizeof buf, "%s%s", s, strchr(s + 10, '+') != NULL ? "" : "+08:00");
    if (!datetime_parse_rfc3339(buf, &t, NULL))
        fail_msg("bad time literal %s", s);
    return t;
}

/* Path of a file in $HOTLINE_DATA. Caller frees. */
static char *
data_path(const char *name)
{
    const char *dir = getenv("HOTLINE_DATA");

    return xasprintf("%s/%s", str_empty(dir) ? "data" : dir, name);
}

/* A ticket created by who at `at`. */
static struct ticket *
mk(struct fixture *f, enum channel ch, enum nature n, const char *category, bool confidential,
   const char *at, const struct rule_actor *who)
{
    struct ticket *t = ticket_new();
    struct err e;

    t->id = xstrdup("HL20261012-000001");
    t->channel = ch;
    t->nature = n;
    t->category = xstrdup(category);
    t->description = xstrdup("测试");
    t->caller.phone = xstrdup("13800000000");
    t->caller.confidential = confidential;
    t->created_at = T(at);
    if (workflow_create(&f->wf, t, who, T(at), NULL, &e) != HL_OK)
        fail_msg("create: %s", e.msg);
    return t;
}

/* Apply an action that must succeed; body fields as given. */
static void
go(struct fixture *f, struct ticket *t, struct action_body *b, const struct rule_actor *who,
   const char *at)
{
    struct err e;
    struct verdict v;

    if (workflow_apply(&f->wf, t, b, who, T(at), &v, &e) != HL_OK)
        fail_msg("%s at %s: %s: %s", action_str(b->action), at, e.field, e.msg);
}

/* Simple actions without arguments beyond a text. */
static void
simple(struct fixture *f, struct ticket *t, enum action a, const struct rule_actor *who,
       const char *at)
{
    struct action_body b;
    char text[] = "文本";

    memset(&b, 0, sizeof b);
    b.action = a;
    b.answer = text;
    b.reason = text;
    b.reply = text;
    go(f, t, &b, who, at);
}

/* Dispatch to a lead and an optional assist. */
static void
dispatch(struct fixture *f, struct ticket *t, const char *lead, const char *assist,
         const char *at)
{
    struct action_body b;
    struct action_unit u[2];

    memset(&b, 0, sizeof b);
    memset(u, 0, sizeof u);
    u[0].unit = (char *)(uintptr_t)lead;
    u[0].role = ROLE_LEAD;
    u[1].unit = (char *)(uintptr_t)assist;
    u[1].role = ROLE_ASSIST;
    b.action = ACTION_DISPATCH;
    b.units = u;
    b.n_units = assist != NULL ? 2 : 1;
    go(f, t, &b, &A1, at);
}

/* A callback attempt. */
static void
callback(struct fixture *f, struct ticket *t, enum cb_outcome o, enum satisfaction s,
         const char *at)
{
    struct action_body b;

    memset(&b, 0, sizeof b);
    b.action = ACTION_CALLBACK;
    b.outcome = o;
    b.satisfaction = s;
    go(f, t, &b, &A2, at);
}

/* Build the scenario (see the comments for what each ticket contributes). */
static int
setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    char *rp = data_path("rules.json");
    char *cp = data_path("holidays-cn.json");
    char *kp = data_path("kpis-cn.json");
    struct err e;
    struct ticket **t = f->t;
    struct action_body b;

    f->rules = rules_load(rp, "12345", NULL, &e);
    f->cal = calendar_load(cp, &e);
    f->tz = tz_load("Asia/Shanghai", &e);
    f->kpis = kpi_defs_load(kp, &e);
    free(rp);
    free(cp);
    free(kp);
    *state = f;
    if (f->rules == NULL || f->cal == NULL || f->tz == NULL || f->kpis == NULL)
        return -1;
    f->wf.rules = f->rules;
    f->wf.cal = f->cal;
    f->wf.tz = f->tz;
    f->sc.rules = f->rules;
    f->sc.cal = f->cal;
    f->sc.tz = f->tz;
    f->sc.kpis = f->kpis;
    f->sc.top_categories = TOPS;
    f->sc.n_top_categories = ARRAY_SIZE(TOPS);

    /* T0: September, answered directly: outside the period, counts nothing. */
    t[0] = mk(f, CHANNEL_PHONE, NATURE_CONSULT, "urban.env.housing_fund", false,
              "2026-09-20T09:00:00", &A1);
    simple(f, t[0], ACTION_RESOLVE_DIRECT, &A1, "2026-09-20T09:05:00");

    /* T1: phone consult answered directly: request, call resolved. */
    t[1] = mk(f, CHANNEL_PHONE, NATURE_CONSULT, "urban.env.housing_fund", false,
              "2026-10-12T09:00:00", &A1);
    simple(f, t[1], ACTION_RESOLVE_DIRECT, &A1, "2026-10-12T09:05:00");

    /* T2: help, dispatched 10:30 to water, replied on time, callback satisfied. */
    t[2] = mk(f, CHANNEL_PHONE, NATURE_HELP, "urban.env.water_supply", false,
              "2026-10-12T10:00:00", &A1);
    dispatch(f, t[2], "water", NULL, "2026-10-12T10:30:00");
    simple(f, t[2], ACTION_ACCEPT, &WATER, "2026-10-12T11:00:00");
    simple(f, t[2], ACTION_REPLY, &WATER, "2026-10-13T15:00:00");
    callback(f, t[2], CB_REACHED, SAT_SATISFIED, "2026-10-14T10:00:00");

    /* T3: web complaint taken 18:00 (cutoff 12:00 next day), housing lead replies late
     * (due 14 Oct 23:59:59), urban_mgmt assist on time; 3 failed callbacks: unreachable. */
    t[3] = mk(f, CHANNEL_WEB, NATURE_COMPLAINT, "urban.env.property_services", false,
              "2026-10-12T18:00:00", &A2);
    dispatch(f, t[3], "housing", "urban_mgmt", "2026-10-13T11:00:00");
    simple(f, t[3], ACTION_ACCEPT, &HOUSING, "2026-10-13T11:30:00");
    simple(f, t[3], ACTION_REPLY, &URBAN, "2026-10-13T16:00:00");
    simple(f, t[3], ACTION_REPLY, &HOUSING, "2026-10-15T10:00:00");
    callback(f, t[3], CB_NO_ANSWER, SAT_NONE, "2026-10-15T14:00:00");
    callback(f, t[3], CB_BUSY, SAT_NONE, "2026-10-15T16:30:00");
    callback(f, t[3], CB_NO_ANSWER, SAT_NONE, "2026-10-16T10:00:00");
    simple(f, t[3], ACTION_CLOSE, &A2, "2026-10-16T11:00:00");

    /* T4: confidential help; gas returns, water takes it, dissatisfied callback, redo,
     * reply again 19 Oct (after the 2-working-day mark of 15 Oct), basic. */
    t[4] = mk(f, CHANNEL_PHONE, NATURE_HELP, "urban.env.gas_supply", true,
              "2026-10-13T09:00:00", &A1);
    dispatch(f, t[4], "gas", NULL, "2026-10-13T09:20:00");
    simple(f, t[4], ACTION_RETURN, &GAS, "2026-10-13T14:00:00");
    dispatch(f, t[4], "water", NULL, "2026-10-13T15:00:00");
    simple(f, t[4], ACTION_ACCEPT, &WATER, "2026-10-13T15:30:00");
    simple(f, t[4], ACTION_REPLY, &WATER, "2026-10-14T16:00:00");
    callback(f, t[4], CB_REACHED, SAT_DISSATISFIED, "2026-10-15T10:00:00");
    simple(f, t[4], ACTION_REPLY, &WATER, "2026-10-19T17:00:00");
    callback(f, t[4], CB_REACHED, SAT_BASIC, "2026-10-20T10:00:00");

    /* T5: SMS consult at 20:00 answered the next morning: not the same day. */
    t[5] = mk(f, CHANNEL_SMS, NATURE_CONSULT, "labor.hr.employee_pension", false,
              "2026-10-14T20:00:00", &A2);
    simple(f, t[5], ACTION_RESOLVE_DIRECT, &A2, "2026-10-15T09:00:00");

    /* T6: SMS report dispatched the same day to env, accepted, never replied (overdue). */
    t[6] = mk(f, CHANNEL_SMS, NATURE_REPORT, "urban.env.air_pollution", false,
              "2026-10-14T10:00:00", &A1);
    dispatch(f, t[6], "env", NULL, "2026-10-14T10:30:00");
    simple(f, t[6], ACTION_ACCEPT, &ENV, "2026-10-14T11:00:00");

    /* T7: withdrawn before dispatch: a request, nothing more. */
    t[7] = mk(f, CHANNEL_PHONE, NATURE_HELP, "justice.civil.social_assistance", false,
              "2026-10-15T09:00:00", &A1);
    simple(f, t[7], ACTION_CLOSE, &A1, "2026-10-15T09:30:00");

    /* T8: repair never dispatched: dispatch due, neither same day nor within 2 WD. */
    t[8] = mk(f, CHANNEL_PHONE, NATURE_REPAIR, "industry.transport.power_supply", false,
              "2026-10-15T16:00:00", &A2);

    /* T9: service dispatched to market, due 9 Nov: no reply due yet. */
    t[9] = mk(f, CHANNEL_PHONE, NATURE_SERVICE, "finance.tax.business_license", false,
              "2026-10-29T10:00:00", &A1);
    dispatch(f, t[9], "market", NULL, "2026-10-29T10:10:00");

    /* T10: September ticket; 7-day extension to 7 Oct, replied late 8 Oct, callback 9 Oct
     * (in the period) satisfied: counts only replies and callbacks. */
    t[10] = mk(f, CHANNEL_PHONE, NATURE_HELP, "urban.env.water_supply", false,
               "2026-09-28T10:00:00", &A1);
    dispatch(f, t[10], "water", NULL, "2026-09-28T10:30:00");
    memset(&b, 0, sizeof b);
    b.action = ACTION_REQUEST_EXTENSION;
    b.days = 7;
    b.reason = (char *)(uintptr_t)"节日";
    go(f, t[10], &b, &WATER, "2026-09-29T09:00:00");
    memset(&b, 0, sizeof b);
    b.action = ACTION_DECIDE_EXTENSION;
    b.approve = true;
    go(f, t[10], &b, &A1, "2026-09-29T10:00:00");
    simple(f, t[10], ACTION_REPLY, &WATER, "2026-10-08T10:00:00");
    callback(f, t[10], CB_REACHED, SAT_SATISFIED, "2026-10-09T10:00:00");

    /* Calls: two answered by a1 (10 s and 20 s), one abandoned, one in September (a2). */
    f->calls[0].offered_at = T("2026-10-12T08:59:00");
    f->calls[0].answered_at = T("2026-10-12T08:59:10");
    f->calls[0].ended_at = T("2026-10-12T09:06:00");
    f->calls[0].agent = xstrdup("a1");
    f->calls[1].offered_at = T("2026-10-12T09:59:00");
    f->calls[1].answered_at = T("2026-10-12T09:59:20");
    f->calls[1].ended_at = T("2026-10-12T10:06:00");
    f->calls[1].agent = xstrdup("a1");
    f->calls[2].offered_at = T("2026-10-13T12:00:00");
    f->calls[2].ended_at = T("2026-10-13T12:01:00");
    f->calls[3].offered_at = T("2026-09-30T12:00:00");
    f->calls[3].answered_at = T("2026-09-30T12:00:05");
    f->calls[3].ended_at = T("2026-09-30T12:03:00");
    f->calls[3].agent = xstrdup("a2");
    return 0;
}

/* Free the fixture. */
static int
teardown(void **state)
{
    struct fixture *f = *state;

    for (size_t i = 0; i < N_TICKETS; i++)
        ticket_free(&f->t[i]);
    for (size_t i = 0; i < ARRAY_SIZE(f->calls); i++)
        call_record_fini(&f->calls[i]);
    rules_free(&f->rules);
    calendar_free(&f->cal);
    tz_free(&f->tz);
    kpi_defs_free(&f->kpis);
    free(f);
    return 0;
}

/* Stats of October 2026 judged on 30 Oct 12:00, grouped by g, with every ticket and call. */
static struct stats *
october(struct fixture *f, enum stats_group g)
{
    struct stats *s = stats_new(&f->sc, g, T("2026-10-01T00:00:00"), T("2026-11-01T00:00:00"),
                                T("2026-10-30T12:00:00"));

    for (size_t i = 0; i < N_TICKETS; i++)
        stats_add_ticket(s, f->t[i]);
    for (size_t i = 0; i < ARRAY_SIZE(f->calls); i++)
        stats_add_call_record(s, &f->calls[i]);
    return s;
}

/* Compare counts with expected name=value pairs; every other count must be 0. */
static void
expect_counts(const struct kpi_counts *k, const char *const *names, const uint64_t *values,
              size_t n)
{
    assert_non_null(k);
    for (size_t i = 0; i < kpi_counts_field_count(); i++) {
        const char *name = kpi_counts_field_name(i);
        uint64_t want = 0;

        for (size_t j = 0; j < n; j++) {
            if (strcmp(names[j], name) == 0)
                want = values[j];
        }
        if (kpi_counts_get(k, i) != want)
            fail_msg("%s: got %llu, want %llu", name, (unsigned long long)kpi_counts_get(k, i),
                     (unsigned long long)want);
    }
}

#define EXPECT(k, ...)                                                              \
    do {                                                                            \
        const struct { const char *n; uint64_t v; } pairs_[] = { __VA_ARGS__ };     \
        const char *names_[ARRAY_SIZE(pairs_)];                                     \
        uint64_t values_[ARRAY_SIZE(pairs_)];                                       \
        for (size_t i_ = 0; i_ < ARRAY_SIZE(pairs_); i_++) {                        \
            names_[i_] = pairs_[i_].n;                                              \
            values_[i_] = pairs_[i_].v;                                             \
        }                                                                           \
        expect_counts((k), names_, values_, ARRAY_SIZE(pairs_));                    \
    } while (0)

/* The overall counts, hand-computed from the scenario. */
static void
test_overall(void **state)
{
    struct fixture *f = *state;
    struct stats *s = october(f, STATS_GROUP_NONE);

    assert_int_equal(stats_group_count(s), 0);
    EXPECT(stats_counts(s, NULL),
           { "calls_offered", 3 }, { "calls_answered", 2 }, { "calls_answered_15s", 1 },
           { "wait_seconds_total", 30 }, { "wait_samples", 2 },
           { "calls_resolved", 1 },                        /* T1 */
           { "requests_total", 9 },                        /* T1..T9 */
           { "dispatch_due", 6 },                          /* T2 T3 T4 T6 T8 T9 */
           { "dispatched_same_day", 5 }, { "dispatched_2wd", 5 },
           { "work_orders", 5 },                           /* T2 T3 T4 T6 T9 */
           { "work_orders_resolved", 3 },                  /* T2 T3 T4 */
           { "work_orders_resolved_2wd", 1 },              /* T2 */
           { "returned", 1 }, { "redo", 1 },               /* T4 */
           { "replies_due", 6 },                           /* T2, T3 x2, T4, T6, T10 */
           { "replies_on_time", 3 },                       /* T2, T3 urban_mgmt, T4 */
           { "callbacks_due", 4 },                         /* T2 T3 T4 T10 */
           { "unreachable", 1 },                           /* T3 */
           { "confidential_excluded", 1 },                 /* T4 */
           { "callbacks_done_3d", 3 },                     /* T2 T4 T10 */
           { "replies_confirmed", 2 },                     /* T2 T10 */
           { "satisfied", 2 }, { "basic", 1 },
           { "sms_received", 2 }, { "sms_replied_same_day", 1 });
    stats_free(&s);
}

/* Rates from the counts, through kpi.c, in the JSON. */
static void
test_json_rates(void **state)
{
    struct fixture *f = *state;
    struct stats *s = october(f, STATS_GROUP_NONE);
    cJSON *j = stats_to_json(s);
    const cJSON *overall = cJSON_GetObjectItemCaseSensitive(j, "overall");
    const cJSON *kpis = cJSON_GetObjectItemCaseSensitive(overall, "kpis");
    const cJSON *k;
    struct {
        const char *id;
        double value;
    } want[] = {
        { "c12345.on_time_reply_rate", 50.0 },                    /* 3 / 6 */
        { "db51_2963.ticket_resolution_rate", 60.0 },             /* 3 / 5 */
        { "db51_2963.ticket_timely_resolution_rate", 20.0 },      /* 1 / 5 */
        { "c12345.answer_rate", 100.0 },                          /* 2 / (4 - 1 - 1) */
        { "c12345.callback_timeliness", 100.0 },                  /* 3 / (4 - 1) */
        { "c12345plan.satisfaction", 200.0 / 3.0 },               /* 2 / 3 */
        { "c12345.transfer_timeliness", 500.0 / 6.0 },            /* 5 / 6 */
        { "db51_2963.manual_answer_rate", 200.0 / 3.0 },          /* 2 / 3 */
        { "db51_2963.avg_wait", 15.0 },                           /* 30 s / 2 */
        { "c12345.sms_reply_rate", 50.0 },                        /* 1 / 2 */
        { "c12345.redo_rate", 20.0 },                             /* 1 / 5 */
        { "ningxia95198.ticket_return_rate", 20.0 },              /* 1 / 5 */
        { "c12345.answer_timeliness", 50.0 },                     /* 1 / 2 */
    };

    assert_non_null(j);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(j, "group")->valuestring, "none");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(j, "from")->valuestring,
                        "2026-10-01T00:00:00+08:00");
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(overall, "key")));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "groups")), 0);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(
                         cJSON_GetObjectItemCaseSensitive(overall, "counts"),
                         "requests_total")->valueint, 9);
    for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
        bool found = false;

        cJSON_ArrayForEach(k, kpis) {
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(k, "id");
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(k, "value");

            if (!cJSON_IsString(id) || strcmp(id->valuestring, want[i].id) != 0)
                continue;
            found = true;
            if (!cJSON_IsNumber(v) || fabs(v->valuedouble - want[i].value) > 1e-6)
                fail_msg("%s: got %g, want %g", want[i].id, cJSON_IsNumber(v) ? v->valuedouble
                         : -1.0, want[i].value);
        }
        if (!found)
            fail_msg("%s missing", want[i].id);
    }
    assert_non_null(cJSON_GetObjectItemCaseSensitive(overall, "score"));
    assert_int_equal((size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j,
                                                                      "definitions")),
                     kpi_counts_field_count());
    cJSON_Delete(j);
    stats_free(&s);
}

/* Unit groups: each unit's own view; the best timely rate ranks them. */
static void
test_units(void **state)
{
    struct fixture *f = *state;
    struct stats *s = october(f, STATS_GROUP_UNIT);
    cJSON *j;
    const cJSON *best;
    const cJSON *groups;

    assert_int_equal(stats_group_count(s), 6);
    EXPECT(stats_counts(s, "water"),                      /* T2, T4 (after gas), T10 */
           { "requests_total", 2 }, { "work_orders", 2 }, { "work_orders_resolved", 2 },
           { "work_orders_resolved_2wd", 1 }, { "redo", 1 },
           { "replies_due", 3 }, { "replies_on_time", 2 },
           { "callbacks_due", 3 }, { "confidential_excluded", 1 }, { "callbacks_done_3d", 3 },
           { "replies_confirmed", 2 }, { "satisfied", 2 }, { "basic", 1 });
    EXPECT(stats_counts(s, "gas"),                        /* returned T4 */
           { "requests_total", 1 }, { "work_orders", 1 }, { "returned", 1 });
    EXPECT(stats_counts(s, "housing"),                    /* T3 lead, late, unreachable */
           { "requests_total", 1 }, { "work_orders", 1 }, { "work_orders_resolved", 1 },
           { "replies_due", 1 }, { "callbacks_due", 1 }, { "unreachable", 1 });
    EXPECT(stats_counts(s, "urban_mgmt"),                 /* T3 assist, on time */
           { "requests_total", 1 }, { "work_orders", 1 }, { "work_orders_resolved", 1 },
           { "work_orders_resolved_2wd", 1 }, { "replies_due", 1 }, { "replies_on_time", 1 });
    EXPECT(stats_counts(s, "env"),                        /* T6 overdue */
           { "requests_total", 1 }, { "work_orders", 1 }, { "replies_due", 1 });
    EXPECT(stats_counts(s, "market"),                     /* T9 not due yet */
           { "requests_total", 1 }, { "work_orders", 1 });
    assert_null(stats_counts(s, "police_nonemg"));
    /* the overall entry still counts every ticket once */
    assert_int_equal(stats_counts(s, NULL)->requests_total, 9);

    j = stats_to_json(s);
    best = cJSON_GetObjectItemCaseSensitive(j, "best");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(best, "key")->valuestring, "urban_mgmt");
    assert_true(fabs(cJSON_GetObjectItemCaseSensitive(best, "rate")->valuedouble - 100.0) < 1e-9);
    groups = cJSON_GetObjectItemCaseSensitive(j, "groups");
    assert_int_equal(cJSON_GetArraySize(groups), 6);
    /* sorted by key: env gas housing market urban_mgmt water */
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(groups, 0),
                                                         "key")->valuestring, "env");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(groups, 5),
                                                         "key")->valuestring, "water");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(groups, 5),
                                                         "group")->valuestring, "unit");
    {
        /* water: timely rate 50% is below A.4's 80% floor: 0 points; urban_mgmt: 20 */
        const cJSON *entries[2] = { cJSON_GetArrayItem(groups, 5), cJSON_GetArrayItem(groups, 4) };
        const double points[2] = { 0.0, 20.0 };

        for (size_t e = 0; e < 2; e++) {
            const cJSON *k;
            bool found = false;

            cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(entries[e], "kpis")) {
                const cJSON *id = cJSON_GetObjectItemCaseSensitive(k, "id");

                if (strcmp(id->valuestring, "db51_2963.ticket_timely_resolution_rate") != 0)
                    continue;
                found = true;
                assert_true(fabs(cJSON_GetObjectItemCaseSensitive(k, "points")->valuedouble
                                 - points[e]) < 1e-9);
            }
            assert_true(found);
        }
    }
    cJSON_Delete(j);
    stats_free(&s);
}

/* Agent groups: tickets by created_by, calls by the answering agent. */
static void
test_agents(void **state)
{
    struct fixture *f = *state;
    struct stats *s = october(f, STATS_GROUP_AGENT);

    assert_int_equal(stats_group_count(s), 2);
    EXPECT(stats_counts(s, "a2"),                          /* T3 T5 T8 */
           { "requests_total", 3 }, { "dispatch_due", 2 }, { "dispatched_same_day", 1 },
           { "dispatched_2wd", 1 }, { "work_orders", 1 }, { "work_orders_resolved", 1 },
           { "replies_due", 2 }, { "replies_on_time", 1 }, { "callbacks_due", 1 },
           { "unreachable", 1 }, { "sms_received", 1 });
    EXPECT(stats_counts(s, "a1"),                          /* T1 T2 T4 T6 T7 T9 T10 */
           { "calls_offered", 2 }, { "calls_answered", 2 }, { "calls_answered_15s", 1 },
           { "wait_seconds_total", 30 }, { "wait_samples", 2 }, { "calls_resolved", 1 },
           { "requests_total", 6 }, { "dispatch_due", 4 }, { "dispatched_same_day", 4 },
           { "dispatched_2wd", 4 }, { "work_orders", 4 }, { "work_orders_resolved", 2 },
           { "work_orders_resolved_2wd", 1 }, { "returned", 1 }, { "redo", 1 },
           { "replies_due", 4 }, { "replies_on_time", 2 }, { "callbacks_due", 3 },
           { "confidential_excluded", 1 }, { "callbacks_done_3d", 3 },
           { "replies_confirmed", 2 }, { "satisfied", 2 }, { "basic", 1 },
           { "sms_received", 1 }, { "sms_replied_same_day", 1 });
    /* aggregated call counts: agent NULL goes to the overall entry only */
    stats_add_calls(s, NULL, 10, 9, 8, 90);
    stats_add_calls(s, "a2", 4, 4, 4, 20);
    assert_int_equal(stats_counts(s, NULL)->calls_offered, 13);
    assert_int_equal(stats_counts(s, NULL)->wait_samples, 11);
    assert_int_equal(stats_counts(s, "a2")->calls_offered, 4);
    assert_int_equal(stats_counts(s, "a2")->wait_seconds_total, 20);
    stats_free(&s);
}

/* Category (top-level) and nature groups; category keys; group names. */
static void
test_category_nature(void **state)
{
    struct fixture *f = *state;
    struct stats *s = october(f, STATS_GROUP_CATEGORY);
    struct stats_ctx bare;
    char buf[64];
    enum stats_group g;

    /* urban.env: T1 T2 T3 T4 T6 (T10 adds replies/callbacks); labor.hr: T5;
     * justice.civil: T7; industry.transport: T8; finance.tax: T9 */
    assert_int_equal(stats_group_count(s), 5);
    assert_int_equal(stats_counts(s, "urban.env")->requests_total, 5);
    assert_int_equal(stats_counts(s, "urban.env")->replies_due, 6);
    assert_int_equal(stats_counts(s, "labor.hr")->sms_received, 1);
    assert_int_equal(stats_counts(s, "industry.transport")->dispatch_due, 1);
    assert_int_equal(stats_counts(s, "finance.tax")->work_orders, 1);
    assert_int_equal(stats_counts(s, "justice.civil")->requests_total, 1);
    stats_free(&s);

    s = october(f, STATS_GROUP_NATURE);
    /* help: T2 T4 T7 (+T10 callbacks) */
    assert_int_equal(stats_counts(s, "help")->requests_total, 3);
    assert_int_equal(stats_counts(s, "help")->callbacks_due, 3);
    assert_int_equal(stats_counts(s, "consult")->requests_total, 2);
    assert_int_equal(stats_counts(s, "consult")->calls_resolved, 1);
    assert_int_equal(stats_counts(s, "complaint")->unreachable, 1);
    stats_free(&s);

    assert_string_equal(stats_category_top(&f->sc, "sci.edu.culture.health.education", buf,
                                           sizeof buf), "sci.edu.culture.health");
    assert_string_equal(stats_category_top(&f->sc, "services", buf, sizeof buf), "services");
    assert_string_equal(stats_category_top(&f->sc, "urban.envx.y", buf, sizeof buf), "urban.envx");
    assert_string_equal(stats_category_top(&f->sc, NULL, buf, sizeof buf), "");
    memset(&bare, 0, sizeof bare);
    assert_string_equal(stats_category_top(&bare, "urban.env.water_supply", buf, sizeof buf),
                        "urban.env");
    assert_string_equal(stats_category_top(&bare, "other", buf, sizeof buf), "other");
    assert_string_equal(stats_category_top(&f->sc, "urban.env.water_supply", buf, 4), "urb");

    assert_true(stats_group_parse("unit", &g));
    assert_int_equal(g, STATS_GROUP_UNIT);
    assert_true(stats_group_parse("", &g));
    assert_int_equal(g, STATS_GROUP_NONE);
    assert_false(stats_group_parse("units", &g));
    assert_string_equal(stats_group_str(STATS_GROUP_CATEGORY), "category");
}

/* Every count of kpi.h has one definition, in struct order; empty stats are all zero. */
static void
test_definitions_and_empty(void **state)
{
    struct fixture *f = *state;
    struct stats *s;
    cJSON *j;
    const char *count;
    const char *placed;
    const char *rule;

    assert_int_equal(stats_definition_count(), kpi_counts_field_count());
    for (size_t i = 0; i < stats_definition_count(); i++) {
        assert_true(stats_definition(i, &count, &placed, &rule));
        assert_string_equal(count, kpi_counts_field_name(i));
        assert_true(strlen(rule) > 5);
    }
    assert_false(stats_definition(stats_definition_count(), &count, &placed, &rule));

    s = stats_new(&f->sc, STATS_GROUP_UNIT, T("2026-12-01T00:00:00"), T("2027-01-01T00:00:00"),
                  T("2027-01-02T00:00:00"));
    for (size_t i = 0; i < N_TICKETS; i++)
        stats_add_ticket(s, f->t[i]);
    stats_add_ticket(s, NULL);
    stats_add_call_record(s, NULL);
    assert_int_equal(stats_group_count(s), 0);
    EXPECT(stats_counts(s, NULL), { "requests_total", 0 });
    j = stats_to_json(s);
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(j, "best"), "rate")));
    cJSON_Delete(j);
    stats_free(&s);
    stats_free(&s);
}

/* Run the stats tests. */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_overall),
        cmocka_unit_test(test_json_rates),
        cmocka_unit_test(test_units),
        cmocka_unit_test(test_agents),
        cmocka_unit_test(test_category_nature),
        cmocka_unit_test(test_definitions_and_empty),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
