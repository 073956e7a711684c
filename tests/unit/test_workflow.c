/* Tests of workflow: intake, edits and the workflow actions on a ticket, on fixed dates around National Day 2026. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hotline/codec.h"
#include "hotline/rules.h"
#include "hotline/util.h"
#include "workflow.h"

/* The real 12345 rules, the holiday calendar and Asia/Shanghai. */
struct fixture {
    struct rules *rules;
    struct calendar *cal;
    struct tz *tz;
    struct wf_ctx ctx;
};

static const struct rule_actor AGENT = { USER_AGENT, NULL, "a1" };
static const struct rule_actor AGENT2 = { USER_AGENT, NULL, "a2" };
static const struct rule_actor SUPERVISOR = { USER_SUPERVISOR, NULL, "s1" };
static const struct rule_actor WATER = { USER_UNIT, "water", "u_water" };
static const struct rule_actor URBAN = { USER_UNIT, "urban_mgmt", "u_urban" };
static const struct rule_actor HOUSING = { USER_UNIT, "housing", "u_housing" };
static const struct rule_actor GAS = { USER_UNIT, "gas", "u_gas" };

/* Instant of an RFC 3339 literal. */
static hl_time
T(const char *s)
{
    hl_time t = 0;

    if (!datetime_parse_rfc3339(s, &t, NULL))
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

/* Load rules, calendar and zone. */
static int
setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    char *rp = data_path("rules.json");
    char *cp = data_path("holidays-cn.json");
    struct err e;

    f->rules = rules_load(rp, "12345", NULL, &e);
    if (f->rules == NULL)
        fprintf(stderr, "%s\n", e.msg);
    f->cal = calendar_load(cp, &e);
    if (f->cal == NULL)
        fprintf(stderr, "%s\n", e.msg);
    f->tz = tz_load("Asia/Shanghai", &e);
    free(rp);
    free(cp);
    f->ctx.rules = f->rules;
    f->ctx.cal = f->cal;
    f->ctx.tz = f->tz;
    *state = f;
    return f->rules != NULL && f->cal != NULL && f->tz != NULL ? 0 : -1;
}

/* Free the fixture. */
static int
teardown(void **state)
{
    struct fixture *f = *state;

    rules_free(&f->rules);
    calendar_free(&f->cal);
    tz_free(&f->tz);
    free(f);
    return 0;
}

/* A ticket decoded from a create body, created by AGENT at `at`. */
static struct ticket *
intake(struct fixture *f, const char *json, const char *at)
{
    struct err e;
    cJSON *j = codec_parse(json, strlen(json), &e);
    struct ticket *t;
    struct rule_due due;

    assert_non_null(j);
    t = codec_ticket_create_decode(j, &e);
    cJSON_Delete(j);
    if (t == NULL)
        fail_msg("create body: %s", e.msg);
    assert_int_equal(workflow_create(&f->ctx, t, &AGENT, T(at), &due, &e), HL_OK);
    t->id = xstrdup("HL20260929-000001");
    t->version = 1;
    return t;
}

static const char HELP_BODY[] =
    "{\"channel\":\"phone\",\"caller\":{\"name\":\"张伟\",\"salutation\":\"先生\","
    "\"phone\":\"13812345678\",\"address\":\"东城区人民路88号\"},\"nature\":\"help\","
    "\"category\":\"urban.env.water_supply\",\"title\":\"幸福里小区停水\","
    "\"description\":\"幸福里小区3号楼从昨晚起停水，无任何通知。\",\"location\":\"东城区幸福里小区\"}";

static const char CONSULT_BODY[] =
    "{\"channel\":\"phone\",\"caller\":{\"phone\":\"13912345678\"},\"nature\":\"consult\","
    "\"category\":\"urban.env.housing_fund\",\"description\":\"住房公积金提取需要哪些材料？\"}";

/* Apply action `name` with JSON body (NULL = empty) by who at `at`; returns the status. */
static int
act(struct fixture *f, struct ticket *t, const char *name, const char *body,
    const struct rule_actor *who, const char *at, struct err *e)
{
    struct action_body b;
    struct verdict v;
    enum action a;
    cJSON *j = NULL;
    int rc;

    assert_true(action_parse(name, &a));
    if (body != NULL) {
        j = codec_parse(body, strlen(body), e);
        assert_non_null(j);
    }
    rc = codec_action_decode(a, j, &b, e);
    cJSON_Delete(j);
    if (rc != HL_OK)
        fail_msg("%s body: %s", name, e->msg);
    rc = workflow_apply(&f->ctx, t, &b, who, T(at), &v, e);
    assert_int_equal(v.ok, rc == HL_OK);
    codec_action_fini(&b);
    return rc;
}

/* Apply an action that must succeed. */
static void
ok(struct fixture *f, struct ticket *t, const char *name, const char *body,
   const struct rule_actor *who, const char *at)
{
    struct err e;

    if (act(f, t, name, body, who, at, &e) != HL_OK)
        fail_msg("%s at %s refused: %s: %s", name, at, e.field, e.msg);
}

/* Apply an action that must be refused with code, leaving the ticket byte-identical. */
static void
refused(struct fixture *f, struct ticket *t, const char *name, const char *body,
        const struct rule_actor *who, const char *at, const char *code)
{
    struct err e;
    char *before = codec_ticket_encode(t, f->tz);
    char *after;

    assert_int_equal(act(f, t, name, body, who, at, &e), HL_ERULE);
    assert_string_equal(e.field, code);
    assert_true(strlen(e.msg) > 10);
    after = codec_ticket_encode(t, f->tz);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

/* Assert an instant equals an RFC 3339 literal. */
static void
at_eq(hl_time got, const char *want)
{
    if (got != T(want)) {
        char buf[40];

        datetime_format_rfc3339(got, 8 * 3600, buf, sizeof buf);
        fail_msg("got %s, want %s", buf, want);
    }
}

/* Assert event i. */
static void
ev_eq(const struct ticket *t, size_t i, const char *type, const char *by, enum status from,
      enum status to, const char *at, const char *note)
{
    assert_true(i < t->n_events);
    assert_string_equal(t->events[i].type, type);
    assert_string_equal(t->events[i].by, by);
    assert_int_equal(t->events[i].from, from);
    assert_int_equal(t->events[i].to, to);
    at_eq(t->events[i].at, at);
    if (note == NULL)
        assert_null(t->events[i].note);
    else
        assert_string_equal(t->events[i].note, note);
}

/* The ticket survives encode -> decode -> encode unchanged. */
static void
round_trip(struct fixture *f, const struct ticket *t)
{
    char *a = codec_ticket_encode(t, f->tz);
    struct err e;
    cJSON *j = codec_parse(a, strlen(a), &e);
    struct ticket *d;
    char *b;

    assert_non_null(j);
    d = codec_ticket_decode(j, &e);
    cJSON_Delete(j);
    assert_non_null(d);
    b = codec_ticket_encode(d, f->tz);
    assert_string_equal(a, b);
    free(a);
    free(b);
    ticket_free(&d);
}

/* ------------------------------------------------------------------ create */

/* Intake sets status, times, the deadline across National Day, and the "created" event. */
static void
test_create(void **state)
{
    struct fixture *f = *state;
    struct ticket *t = intake(f, HELP_BODY, "2026-09-29T10:00:00+08:00");

    assert_int_equal(t->status, STATUS_ACCEPTED);
    at_eq(t->created_at, "2026-09-29T10:00:00+08:00");
    at_eq(t->updated_at, "2026-09-29T10:00:00+08:00");
    assert_string_equal(t->created_by, "a1");
    /* 2 working days after Tue 29 Sep: Wed 30 Sep, then (1-7 Oct off) Thu 8 Oct */
    at_eq(t->due_at, "2026-10-08T23:59:59+08:00");
    assert_string_equal(t->due_rule, "12345:help");
    assert_string_equal(t->calendar, calendar_version(f->cal));
    assert_int_equal(t->n_events, 1);
    ev_eq(t, 0, "created", "a1", STATUS_ACCEPTED, STATUS_ACCEPTED,
          "2026-09-29T10:00:00+08:00", NULL);
    assert_int_equal(t->flags, 0);
    round_trip(f, t);
    ticket_free(&t);
}

/* A replayed creation keeps created_at; emergency sets the flag; units may not create. */
static void
test_create_replay_emergency_forbidden(void **state)
{
    struct fixture *f = *state;
    struct ticket *t = ticket_new();
    struct rule_due due;
    struct err e;
    char *before;
    char *after;

    t->nature = NATURE_ALARM;
    t->urgency = URGENCY_EMERGENCY;
    t->description = xstrdup("闻到浓烈燃气味");
    t->created_at = T("2026-09-29T22:15:00+08:00");
    assert_int_equal(workflow_create(&f->ctx, t, &SUPERVISOR, T("2026-10-12T09:00:00+08:00"),
                                     &due, &e), HL_OK);
    at_eq(t->created_at, "2026-09-29T22:15:00+08:00");
    at_eq(t->updated_at, "2026-09-29T22:15:00+08:00");
    assert_true(due.emergency);
    assert_false(due.fallback);
    at_eq(due.due, "2026-10-08T23:59:59+08:00");
    assert_true(t->flags & FLAG_EMERGENCY);
    /* still accepted on 12 Oct: long past the 2-hour dispatch limit, and overdue */
    assert_true(t->flags & FLAG_LATE_DISPATCH);
    assert_true(t->flags & FLAG_OVERDUE);
    ticket_free(&t);

    t = ticket_new();
    t->description = xstrdup("x");
    before = codec_ticket_encode(t, f->tz);
    assert_int_equal(workflow_create(&f->ctx, t, &WATER, T("2026-09-29T10:00:00+08:00"), NULL,
                                     &e), HL_ERULE);
    assert_string_equal(e.field, "forbidden_role");
    assert_int_equal(workflow_err_kind(&e), VERDICT_FORBIDDEN);
    after = codec_ticket_encode(t, f->tz);
    assert_string_equal(before, after);
    free(before);
    free(after);
    ticket_free(&t);
}

/* ------------------------------------------------------------------ happy path */

/* Intake -> dispatch (lead + assist) -> accept -> reply -> callback satisfied -> closed -> archive. */
static void
test_happy_path(void **state)
{
    struct fixture *f = *state;
    struct ticket *t = intake(f, HELP_BODY, "2026-09-29T10:00:00+08:00");
    const struct assignment *w;
    const struct assignment *u;

    ok(f, t, "dispatch", "{\"units\":[{\"unit\":\"water\",\"role\":\"lead\"},"
       "{\"unit\":\"urban_mgmt\",\"role\":\"assist\"}],\"note\":\"请尽快恢复供水\"}",
       &AGENT, "2026-09-29T10:30:00+08:00");
    assert_int_equal(t->status, STATUS_DISPATCHED);
    assert_int_equal(t->n_assignments, 2);
    w = &t->assignments[0];
    u = &t->assignments[1];
    assert_string_equal(w->unit, "water");
    assert_int_equal(w->role, ROLE_LEAD);
    assert_int_equal(w->state, ASSIGN_DISPATCHED);
    at_eq(w->dispatched_at, "2026-09-29T10:30:00+08:00");
    at_eq(w->due_at, "2026-10-08T23:59:59+08:00");
    assert_string_equal(u->unit, "urban_mgmt");
    assert_int_equal(u->role, ROLE_ASSIST);
    at_eq(u->due_at, "2026-10-08T23:59:59+08:00");
    ev_eq(t, 1, "dispatch", "a1", STATUS_ACCEPTED, STATUS_DISPATCHED,
          "2026-09-29T10:30:00+08:00", "water (lead), urban_mgmt (assist); 请尽快恢复供水");
    assert_false(t->flags & FLAG_LATE_DISPATCH);

    /* the assist accepts first: the ticket is in progress */
    ok(f, t, "accept", NULL, &URBAN, "2026-09-29T11:00:00+08:00");
    assert_int_equal(t->status, STATUS_IN_PROGRESS);
    assert_int_equal(t->assignments[1].state, ASSIGN_ACCEPTED);
    at_eq(t->assignments[1].accepted_at, "2026-09-29T11:00:00+08:00");
    ok(f, t, "accept", NULL, &WATER, "2026-09-29T11:30:00+08:00");
    assert_int_equal(t->status, STATUS_IN_PROGRESS);
    assert_int_equal(t->assignments[0].state, ASSIGN_ACCEPTED);
    ev_eq(t, 3, "accept", "u_water", STATUS_IN_PROGRESS, STATUS_IN_PROGRESS,
          "2026-09-29T11:30:00+08:00", "water");

    /* the assist's reply leaves the status alone; the lead's is the ticket's */
    ok(f, t, "reply", "{\"reply\":\"已配合排查管网阀门。\"}", &URBAN,
       "2026-09-30T09:00:00+08:00");
    assert_int_equal(t->status, STATUS_IN_PROGRESS);
    assert_int_equal(t->callback_due_at, 0);
    ok(f, t, "reply", "{\"reply\":\"已于9月30日14时恢复供水，系管道爆裂抢修。\"}", &WATER,
       "2026-09-30T15:00:00+08:00");
    assert_int_equal(t->status, STATUS_REPLIED);
    assert_int_equal(t->assignments[0].state, ASSIGN_REPLIED);
    assert_string_equal(t->assignments[0].reply, "已于9月30日14时恢复供水，系管道爆裂抢修。");
    at_eq(t->assignments[0].replied_at, "2026-09-30T15:00:00+08:00");
    /* callback within 1 working day of the reply: the next working day is 8 Oct */
    at_eq(t->callback_due_at, "2026-10-08T23:59:59+08:00");
    ev_eq(t, 5, "reply", "u_water", STATUS_IN_PROGRESS, STATUS_REPLIED,
          "2026-09-30T15:00:00+08:00", "water");

    /* a callback at 22:00 is inside the quiet hours */
    refused(f, t, "callback", "{\"outcome\":\"reached\",\"satisfaction\":\"satisfied\"}",
            &AGENT2, "2026-10-01T22:00:00+08:00", "callback_quiet_hours");
    ok(f, t, "callback", "{\"outcome\":\"reached\",\"satisfaction\":\"satisfied\","
       "\"note\":\"市民表示满意\"}", &AGENT2, "2026-10-08T10:00:00+08:00");
    assert_int_equal(t->status, STATUS_CLOSED);
    assert_int_equal(t->resolution, RESOLUTION_UNIT);
    at_eq(t->closed_at, "2026-10-08T10:00:00+08:00");
    assert_int_equal(t->callback_due_at, 0);
    assert_int_equal(t->n_callbacks, 1);
    assert_int_equal(t->callbacks[0].outcome, CB_REACHED);
    assert_int_equal(t->callbacks[0].satisfaction, SAT_SATISFIED);
    assert_string_equal(t->callbacks[0].by, "a2");
    ev_eq(t, 6, "callback", "a2", STATUS_REPLIED, STATUS_CLOSED,
          "2026-10-08T10:00:00+08:00", "reached, satisfied; 市民表示满意");

    refused(f, t, "archive", NULL, &AGENT, "2026-10-09T09:00:00+08:00", "forbidden_role");
    ok(f, t, "archive", NULL, &SUPERVISOR, "2026-10-09T09:00:00+08:00");
    assert_int_equal(t->status, STATUS_ARCHIVED);
    at_eq(t->updated_at, "2026-10-09T09:00:00+08:00");
    assert_int_equal(t->n_events, 8);
    ev_eq(t, 7, "archive", "s1", STATUS_CLOSED, STATUS_ARCHIVED, "2026-10-09T09:00:00+08:00",
          NULL);
    assert_int_equal(t->flags, 0);
    refused(f, t, "reopen", "{\"reason\":\"x\"}", &SUPERVISOR, "2026-10-09T10:00:00+08:00",
            "archived_read_only");
    round_trip(f, t);
    ticket_free(&t);
}

/* A direct answer closes at once with the answer and the articles. */
static void
test_direct(void **state)
{
    struct fixture *f = *state;
    struct ticket *t = intake(f, CONSULT_BODY, "2026-09-29T10:00:00+08:00");

    refused(f, t, "resolve_direct", "{\"answer\":\"x\"}", &WATER, "2026-09-29T10:03:00+08:00",
            "forbidden_role");
    ok(f, t, "resolve_direct", "{\"answer\":\"提取需身份证、银行卡及相关证明材料。\","
       "\"kb_refs\":[\"KB-0016\"]}", &AGENT, "2026-09-29T10:03:00+08:00");
    assert_int_equal(t->status, STATUS_CLOSED);
    assert_int_equal(t->resolution, RESOLUTION_DIRECT);
    assert_string_equal(t->answer, "提取需身份证、银行卡及相关证明材料。");
    assert_int_equal(t->kb_refs.n, 1);
    assert_string_equal(t->kb_refs.v[0], "KB-0016");
    at_eq(t->closed_at, "2026-09-29T10:03:00+08:00");
    ev_eq(t, 1, "resolve_direct", "a1", STATUS_ACCEPTED, STATUS_CLOSED,
          "2026-09-29T10:03:00+08:00", "KB-0016");
    assert_int_equal(t->n_assignments, 0);
    refused(f, t, "dispatch", "{\"units\":[{\"unit\":\"water\",\"role\":\"lead\"}]}", &AGENT,
            "2026-09-29T10:05:00+08:00", "invalid_state");
    round_trip(f, t);
    ticket_free(&t);
}

/* The lead returns within its window; re-dispatch replaces the returned assignment. */
static void
test_return_redispatch(void **state)
{
    struct fixture *f = *state;
    struct ticket *t = intake(f, HELP_BODY, "2026-09-29T10:00:00+08:00");
    struct ticket *late;

    ok(f, t, "dispatch", "{\"units\":[{\"unit\":\"water\",\"role\":\"lead\"},"
       "{\"unit\":\"urban_mgmt\",\"role\":\"assist\"}]}", &AGENT, "2026-09-29T10:30:00+08:00");
    refused(f, t, "return", "{\"reason\":\"x\"}", &HOUSING, "2026-09-29T16:00:00+08:00",
            "not_your_unit");
    ok(f, t, "return", "{\"reason\":\"属于物业管理范围，非市政供水\"}", &WATER,
       "2026-09-29T16:00:00+08:00");
    assert_int_equal(t->status, STATUS_RETURNED);
    assert_int_equal(t->assignments[0].state, ASSIGN_RETURNED);
    assert_string_equal(t->assignments[0].return_reason, "属于物业管理范围，非市政供水");
    at_eq(t->assignments[0].returned_at, "2026-09-29T16:00:00+08:00");
    ev_eq(t, 2, "return", "u_water", STATUS_DISPATCHED, STATUS_RETURNED,
          "2026-09-29T16:00:00+08:00", "water: 属于物业管理范围，非市政供水");

    /* back at the centre: the matter can still be edited */
    {
        struct err e;
        const char *p = "{\"location\":\"东城区幸福里小区3号楼\"}";
        cJSON *j = codec_parse(p, strlen(p), &e);

        assert_int_equal(workflow_patch(&f->ctx, t, j, &AGENT, T("2026-09-29T16:30:00+08:00"),
                                        &e), HL_OK);
        cJSON_Delete(j);
        assert_string_equal(t->location, "东城区幸福里小区3号楼");
        ev_eq(t, 3, "edited", "a1", STATUS_RETURNED, STATUS_RETURNED,
              "2026-09-29T16:30:00+08:00", "location");
        at_eq(t->due_at, "2026-10-08T23:59:59+08:00");
    }

    ok(f, t, "dispatch", "{\"units\":[{\"unit\":\"housing\",\"role\":\"lead\"},"
       "{\"unit\":\"urban_mgmt\",\"role\":\"assist\"}]}", &AGENT, "2026-09-29T17:00:00+08:00");
    assert_int_equal(t->status, STATUS_DISPATCHED);
    assert_int_equal(t->n_assignments, 2);
    assert_string_equal(t->assignments[0].unit, "urban_mgmt");
    assert_int_equal(t->assignments[0].role, ROLE_ASSIST);
    at_eq(t->assignments[0].dispatched_at, "2026-09-29T10:30:00+08:00");
    assert_string_equal(t->assignments[1].unit, "housing");
    assert_int_equal(t->assignments[1].role, ROLE_LEAD);
    assert_int_equal(t->assignments[1].state, ASSIGN_DISPATCHED);
    at_eq(t->assignments[1].dispatched_at, "2026-09-29T17:00:00+08:00");
    at_eq(t->assignments[1].due_at, "2026-10-08T23:59:59+08:00");
    /* the first dispatch (10:30) was within 2 hours: no late_dispatch despite 17:00 */
    assert_false(t->flags & FLAG_LATE_DISPATCH);
    at_eq(workflow_first_dispatch(t), "2026-09-29T10:30:00+08:00");
    /* water no longer holds the ticket */
    refused(f, t, "accept", NULL, &WATER, "2026-09-29T17:10:00+08:00", "not_your_unit");
    ok(f, t, "accept", NULL, &HOUSING, "2026-09-29T17:10:00+08:00");
    assert_int_equal(t->status, STATUS_IN_PROGRESS);
    /* the return window (1 working day, same time) ended 30 Sep 17:00 */
    refused(f, t, "return", "{\"reason\":\"x\"}", &HOUSING, "2026-10-08T09:00:00+08:00",
            "return_window_closed");
    round_trip(f, t);
    ticket_free(&t);

    /* a dispatch 3 hours after acceptance is late */
    late = intake(f, HELP_BODY, "2026-09-29T10:00:00+08:00");
    ok(f, late, "dispatch", "{\"units\":[{\"unit\":\"water\",\"role\":\"lead\"}]}", &AGENT,
       "2026-09-29T13:00:00+08:00");
    assert_true(late->flags & FLAG_LATE_DISPATCH);
    ticket_free(&late);
}

/* A dissatisfied callback sends the ticket back to the lead with a new deadline. */
static void
test_dissatisfied_redo(void **state)
{
    struct fixture *f = *state;
    struct ticket *t = intake(f, HELP_BODY, "2026-09-29T10:00:00+08:00");

    ok(f, t, "dispatch", "{\"units\":[{\"unit\":\"water\",\"role\":\"lead\"}]}", &AGENT,
       "2026-09-29T10:30:00+08:00");
    ok(f, t, "accept", NULL, &WATER, "2026-09-29T11:00:00+08:00");
    ok(f, t, "reply", "{\"reply\":\"已恢复供水。\"}", &WATER, "2026-09-30T15:00:00+08:00");
    ok(f, t, "schedule_callback", "{\"at\":\"2026-10-08T10:00:00+08:00\"}", &AGENT,
       "2026-09-30T16:00:00+08:00");
    assert_int_equal(t->status, STATUS_CALLBACK);
    at_eq(t->callback_at, "2026-10-08T10:00:00+08:00");
    ev_eq(t, 4, "schedule_callback", "a1", STATUS_REPLIED, STATUS_CALLBACK,
          "2026-09-30T16:00:00+08:00", "agreed for 2026-10-08T10:00:00+08:00");
    refused(f, t, "callback", "{\"outcome\":\"reached\",\"satisfaction\":\"satisfied\"}",
            &AGENT, "2026-10-08T09:00:00+08:00", "callback_not_due");
    {
        /* the codec already insists on a satisfaction; the rules do too */
        struct action_body b;
        struct verdict v;
        struct err e;
        char *before = codec_ticket_encode(t, f->tz);
        char *after;

        memset(&b, 0, sizeof b);
        b.action = ACTION_CALLBACK;
        b.outcome = CB_REACHED;
        assert_int_equal(workflow_apply(&f->ctx, t, &b, &AGENT, T("2026-10-08T10:00:00+08:00"),
                                        &v, &e), HL_ERULE);
        assert_string_equal(e.field, "callback_needs_satisfaction");
        after = codec_ticket_encode(t, f->tz);
        assert_string_equal(before, after);
        free(before);
        free(after);
    }
    ok(f, t, "callback", "{\"outcome\":\"reached\",\"satisfaction\":\"dissatisfied\","
       "\"note\":\"水压仍然很低\"}", &AGENT, "2026-10-08T10:00:00+08:00");
    assert_int_equal(t->status, STATUS_IN_PROGRESS);
    assert_int_equal(t->resolution, RESOLUTION_NONE);
    assert_int_equal(t->closed_at, 0);
    assert_int_equal(t->callback_due_at, 0);
    assert_int_equal(t->callback_at, 0);
    /* the nature's 2 working days from Thu 8 Oct: Fri 9 Oct, then Sat 10 Oct (make-up day) */
    at_eq(t->due_at, "2026-10-10T23:59:59+08:00");
    assert_string_equal(t->due_rule, "12345:help");
    assert_int_equal(t->assignments[0].state, ASSIGN_ACCEPTED);
    at_eq(t->assignments[0].due_at, "2026-10-10T23:59:59+08:00");
    assert_true(t->flags & FLAG_DISSATISFIED);
    ev_eq(t, 5, "callback", "a1", STATUS_CALLBACK, STATUS_IN_PROGRESS,
          "2026-10-08T10:00:00+08:00", "reached, dissatisfied; 水压仍然很低");

    /* redone: reply again, the caller is satisfied now */
    ok(f, t, "reply", "{\"reply\":\"更换减压阀后水压正常。\"}", &WATER,
       "2026-10-09T11:00:00+08:00");
    assert_int_equal(t->status, STATUS_REPLIED);
    at_eq(t->callback_due_at, "2026-10-10T23:59:59+08:00");
    ok(f, t, "callback", "{\"outcome\":\"reached\",\"satisfaction\":\"basic\"}", &AGENT,
       "2026-10-09T15:00:00+08:00");
    assert_int_equal(t->status, STATUS_CLOSED);
    assert_int_equal(t->resolution, RESOLUTION_UNIT);
    assert_false(t->flags & FLAG_DISSATISFIED);
    round_trip(f, t);
    ticket_free(&t);
}

/* An approved extension moves the ticket's and the unit's deadline by 7 days. */
static void
test_extension(void **state)
{
    struct fixture *f = *state;
    struct ticket *t = intake(f, HELP_BODY, "2026-09-29T10:00:00+08:00");

    ok(f, t, "dispatch", "{\"units\":[{\"unit\":\"water\",\"role\":\"lead\"},"
       "{\"unit\":\"gas\",\"role\":\"assist\"}]}", &AGENT, "2026-09-29T10:30:00+08:00");
    ok(f, t, "accept", NULL, &WATER, "2026-09-29T11:00:00+08:00");
    refused(f, t, "request_extension", "{\"days\":8,\"reason\":\"x\"}", &WATER,
            "2026-09-30T10:00:00+08:00", "extension_too_long");
    refused(f, t, "decide_extension", "{\"approve\":true}", &AGENT,
            "2026-09-30T10:00:00+08:00", "extension_none_pending");
    ok(f, t, "request_extension", "{\"days\":7,\"reason\":\"需更换主管道，节后施工\"}", &WATER,
       "2026-09-30T10:00:00+08:00");
    assert_int_equal(t->n_extensions, 1);
    assert_int_equal(t->extensions[0].state, EXT_PENDING);
    assert_string_equal(t->extensions[0].unit, "water");
    assert_string_equal(t->extensions[0].requested_by, "u_water");
    assert_int_equal(t->extensions[0].days, 7);
    ev_eq(t, 3, "request_extension", "u_water", STATUS_IN_PROGRESS, STATUS_IN_PROGRESS,
          "2026-09-30T10:00:00+08:00", "water: 7 days: 需更换主管道，节后施工");
    refused(f, t, "request_extension", "{\"days\":2,\"reason\":\"x\"}", &WATER,
            "2026-09-30T10:30:00+08:00", "extension_pending");
    ok(f, t, "decide_extension", "{\"approve\":true,\"note\":\"同意\"}", &AGENT,
       "2026-09-30T11:00:00+08:00");
    at_eq(t->due_at, "2026-10-15T23:59:59+08:00");
    assert_string_equal(t->due_rule, "12345:extension");
    assert_int_equal(t->extensions[0].state, EXT_APPROVED);
    assert_string_equal(t->extensions[0].decided_by, "a1");
    assert_string_equal(t->extensions[0].note, "同意");
    at_eq(t->extensions[0].decided_at, "2026-09-30T11:00:00+08:00");
    at_eq(t->extensions[0].new_due_at, "2026-10-15T23:59:59+08:00");
    at_eq(t->assignments[0].due_at, "2026-10-15T23:59:59+08:00");
    /* the assist's deadline does not move */
    at_eq(t->assignments[1].due_at, "2026-10-08T23:59:59+08:00");
    ev_eq(t, 4, "decide_extension", "a1", STATUS_IN_PROGRESS, STATUS_IN_PROGRESS,
          "2026-09-30T11:00:00+08:00", "approved 7 days for water; 同意");

    /* a second one needs a supervisor; a rejection does not */
    ok(f, t, "request_extension", "{\"days\":3,\"reason\":\"材料未到\"}", &WATER,
       "2026-10-12T10:00:00+08:00");
    refused(f, t, "decide_extension", "{\"approve\":true}", &AGENT,
            "2026-10-12T11:00:00+08:00", "extension_needs_supervisor");
    ok(f, t, "decide_extension", "{\"approve\":false,\"note\":\"请按期办结\"}", &AGENT,
       "2026-10-12T11:00:00+08:00");
    assert_int_equal(t->extensions[1].state, EXT_REJECTED);
    at_eq(t->due_at, "2026-10-15T23:59:59+08:00");
    assert_int_equal(t->extensions[1].new_due_at, 0);
    round_trip(f, t);
    ticket_free(&t);
}

/* Urge after half the period, at most two; supervise sets the flag. */
static void
test_urge_supervise(void **state)
{
    struct fixture *f = *state;
    struct ticket *t = intake(f, HELP_BODY, "2026-09-29T10:00:00+08:00");
    struct err e;
    hl_time from;

    ok(f, t, "dispatch", "{\"units\":[{\"unit\":\"water\",\"role\":\"lead\"}]}", &AGENT,
       "2026-09-29T10:30:00+08:00");
    from = rules_urge_from(f->rules, t);
    /* half of 29 Sep 10:30 .. 8 Oct 23:59:59 */
    at_eq(from, "2026-10-04T05:15:00+08:00");
    refused(f, t, "urge", "{\"note\":\"市民催促\"}", &AGENT, "2026-10-04T05:14:59+08:00",
            "urge_too_early");
    ok(f, t, "urge", "{\"note\":\"市民催促\"}", &AGENT, "2026-10-04T05:15:00+08:00");
    ok(f, t, "urge", NULL, &AGENT, "2026-10-05T09:00:00+08:00");
    assert_int_equal(t->n_urges, 2);
    assert_string_equal(t->urges[0].note, "市民催促");
    assert_null(t->urges[1].note);
    refused(f, t, "urge", NULL, &AGENT, "2026-10-06T09:00:00+08:00", "urge_limit");
    refused(f, t, "supervise", "{\"note\":\"x\"}", &AGENT, "2026-10-06T09:00:00+08:00",
            "forbidden_role");
    ok(f, t, "supervise", "{\"note\":\"节日期间停水，督办\"}", &SUPERVISOR,
       "2026-10-06T09:00:00+08:00");
    assert_int_equal(t->n_supervisions, 1);
    assert_int_equal(t->flags, FLAG_SUPERVISED);
    ev_eq(t, 4, "supervise", "s1", STATUS_DISPATCHED, STATUS_DISPATCHED,
          "2026-10-06T09:00:00+08:00", "节日期间停水，督办");
    /* near due from 75% of the period: 29 Sep 10:30 + ceil(0.75 * 826199 s) = 6 Oct 14:37:30 */
    assert_int_equal(workflow_flags(&f->ctx, t, T("2026-10-06T14:37:29+08:00")),
                     FLAG_SUPERVISED);
    assert_int_equal(workflow_flags(&f->ctx, t, T("2026-10-06T14:37:30+08:00")),
                     FLAG_SUPERVISED | FLAG_NEAR_DUE);
    assert_int_equal(workflow_flags(&f->ctx, t, T("2026-10-09T00:00:00+08:00")),
                     FLAG_SUPERVISED | FLAG_OVERDUE);
    /* a missing body is HL_EINVAL, not a rule error */
    {
        struct verdict v;

        assert_int_equal(workflow_apply(&f->ctx, t, NULL, &AGENT, 0, &v, &e), HL_EINVAL);
        assert_false(v.ok);
        assert_string_equal(v.code, "invalid_request");
    }
    round_trip(f, t);
    ticket_free(&t);
}

/* Close: withdrawn before a reply, unreachable after 3 failed attempts; reopen. */
static void
test_close_reopen(void **state)
{
    struct fixture *f = *state;
    struct ticket *t = intake(f, HELP_BODY, "2026-09-29T10:00:00+08:00");

    ok(f, t, "dispatch", "{\"units\":[{\"unit\":\"water\",\"role\":\"lead\"}]}", &AGENT,
       "2026-09-29T10:30:00+08:00");
    ok(f, t, "close", "{\"note\":\"市民来电撤诉\"}", &AGENT, "2026-09-29T12:00:00+08:00");
    assert_int_equal(t->status, STATUS_CLOSED);
    assert_int_equal(t->resolution, RESOLUTION_WITHDRAWN);
    ev_eq(t, 2, "close", "a1", STATUS_DISPATCHED, STATUS_CLOSED, "2026-09-29T12:00:00+08:00",
          "市民来电撤诉");
    ticket_free(&t);

    t = intake(f, HELP_BODY, "2026-09-29T10:00:00+08:00");
    ok(f, t, "dispatch", "{\"units\":[{\"unit\":\"water\",\"role\":\"lead\"}]}", &AGENT,
       "2026-09-29T10:30:00+08:00");
    ok(f, t, "reply", "{\"reply\":\"已处理。\"}", &WATER, "2026-09-30T10:00:00+08:00");
    refused(f, t, "close", NULL, &AGENT, "2026-09-30T11:00:00+08:00",
            "unreachable_needs_attempts");
    ok(f, t, "callback", "{\"outcome\":\"no_answer\"}", &AGENT, "2026-09-30T11:00:00+08:00");
    assert_int_equal(t->status, STATUS_CALLBACK);
    refused(f, t, "callback", "{\"outcome\":\"busy\"}", &AGENT, "2026-09-30T12:59:00+08:00",
            "callback_too_soon");
    ok(f, t, "callback", "{\"outcome\":\"busy\"}", &AGENT, "2026-09-30T13:00:00+08:00");
    ok(f, t, "callback", "{\"outcome\":\"wrong_number\"}", &AGENT,
       "2026-09-30T15:00:00+08:00");
    assert_int_equal(t->callbacks[2].satisfaction, SAT_NONE);
    ok(f, t, "close", "{\"note\":\"三次未接通\"}", &AGENT, "2026-09-30T16:00:00+08:00");
    assert_int_equal(t->status, STATUS_CLOSED);
    assert_int_equal(t->resolution, RESOLUTION_UNREACHABLE);
    at_eq(t->closed_at, "2026-09-30T16:00:00+08:00");

    refused(f, t, "reopen", "{\"reason\":\"x\"}", &AGENT, "2026-10-08T09:00:00+08:00",
            "forbidden_role");
    ok(f, t, "reopen", "{\"reason\":\"市民再次来电，问题未解决\"}", &SUPERVISOR,
       "2026-10-08T09:00:00+08:00");
    assert_int_equal(t->status, STATUS_IN_PROGRESS);
    assert_int_equal(t->resolution, RESOLUTION_NONE);
    assert_int_equal(t->closed_at, 0);
    at_eq(t->due_at, "2026-10-10T23:59:59+08:00");
    assert_int_equal(t->assignments[0].state, ASSIGN_ACCEPTED);
    at_eq(t->assignments[0].due_at, "2026-10-10T23:59:59+08:00");
    ev_eq(t, t->n_events - 1, "reopen", "s1", STATUS_CLOSED, STATUS_IN_PROGRESS,
          "2026-10-08T09:00:00+08:00", "市民再次来电，问题未解决");
    /* the lead can reply again */
    ok(f, t, "reply", "{\"reply\":\"再次上门处理完毕。\"}", &WATER, "2026-10-09T10:00:00+08:00");
    assert_int_equal(t->status, STATUS_REPLIED);
    round_trip(f, t);
    ticket_free(&t);
}

/* Patch: the deadline follows nature and level; refused after dispatch and for units. */
static void
test_patch(void **state)
{
    struct fixture *f = *state;
    struct ticket *t = intake(f, CONSULT_BODY, "2026-09-29T10:00:00+08:00");
    struct err e;
    const char *p1 = "{\"nature\":\"complaint\",\"complaint_level\":2}";
    const char *p2 = "{\"title\":\"改\"}";
    const char *same = "{\"description\":\"住房公积金提取需要哪些材料？\",\"title\":\"公积金\"}";
    cJSON *js = codec_parse(same, strlen(same), &e);
    const char *bad = "{\"complaint_level\":5}";
    cJSON *j1 = codec_parse(p1, strlen(p1), &e);
    cJSON *j2 = codec_parse(p2, strlen(p2), &e);
    cJSON *jb = codec_parse(bad, strlen(bad), &e);
    char *before;
    char *after;

    at_eq(t->due_at, "2026-10-08T23:59:59+08:00");
    before = codec_ticket_encode(t, f->tz);
    assert_int_equal(workflow_patch(&f->ctx, t, j2, &WATER, T("2026-09-29T10:05:00+08:00"), &e),
                     HL_ERULE);
    assert_string_equal(e.field, "forbidden_role");
    assert_int_equal(workflow_patch(&f->ctx, t, jb, &AGENT, T("2026-09-29T10:05:00+08:00"), &e),
                     HL_EINVAL);
    after = codec_ticket_encode(t, f->tz);
    assert_string_equal(before, after);
    free(before);
    free(after);

    assert_int_equal(workflow_patch(&f->ctx, t, j1, &AGENT, T("2026-09-29T10:05:00+08:00"), &e),
                     HL_OK);
    assert_int_equal(t->nature, NATURE_COMPLAINT);
    /* level 2: 24 elapsed hours from acceptance */
    at_eq(t->due_at, "2026-09-30T10:00:00+08:00");
    assert_string_equal(t->due_rule, "12345:complaint.level2");
    assert_null(t->calendar);
    ev_eq(t, 1, "edited", "a1", STATUS_ACCEPTED, STATUS_ACCEPTED, "2026-09-29T10:05:00+08:00",
          "nature, complaint_level");
    at_eq(t->updated_at, "2026-09-29T10:05:00+08:00");
    /* only the fields that changed are named */
    assert_int_equal(workflow_patch(&f->ctx, t, js, &AGENT, T("2026-09-29T10:06:00+08:00"), &e),
                     HL_OK);
    ev_eq(t, 2, "edited", "a1", STATUS_ACCEPTED, STATUS_ACCEPTED, "2026-09-29T10:06:00+08:00",
          "title");
    assert_int_equal(workflow_patch(&f->ctx, t, js, &AGENT, T("2026-09-29T10:07:00+08:00"), &e),
                     HL_OK);
    ev_eq(t, 3, "edited", "a1", STATUS_ACCEPTED, STATUS_ACCEPTED, "2026-09-29T10:07:00+08:00",
          "no change");
    at_eq(t->due_at, "2026-09-30T10:00:00+08:00");

    ok(f, t, "dispatch", "{\"units\":[{\"unit\":\"housing\",\"role\":\"lead\"}]}", &AGENT,
       "2026-09-29T10:30:00+08:00");
    before = codec_ticket_encode(t, f->tz);
    assert_int_equal(workflow_patch(&f->ctx, t, j2, &AGENT, T("2026-09-29T11:00:00+08:00"), &e),
                     HL_ERULE);
    assert_string_equal(e.field, "invalid_state");
    assert_int_equal(workflow_err_kind(&e), VERDICT_CONFLICT);
    after = codec_ticket_encode(t, f->tz);
    assert_string_equal(before, after);
    free(before);
    free(after);
    cJSON_Delete(j1);
    cJSON_Delete(j2);
    cJSON_Delete(jb);
    cJSON_Delete(js);
    ticket_free(&t);
}

/* Every refusal through workflow_apply leaves the ticket byte-identical. */
static void
test_refusals_untouched(void **state)
{
    struct fixture *f = *state;
    struct ticket *t = intake(f, HELP_BODY, "2026-09-29T10:00:00+08:00");
    struct verdict v;
    struct err e;
    struct action_body b;

    refused(f, t, "accept", NULL, &WATER, "2026-09-29T10:10:00+08:00", "not_your_unit");
    refused(f, t, "archive", NULL, &SUPERVISOR, "2026-09-29T10:10:00+08:00",
            "archive_not_closed");
    refused(f, t, "urge", NULL, &AGENT, "2026-09-29T10:10:00+08:00", "invalid_state");
    refused(f, t, "callback", "{\"outcome\":\"busy\"}", &AGENT, "2026-09-29T10:10:00+08:00",
            "invalid_state");
    refused(f, t, "reopen", "{\"reason\":\"x\"}", &SUPERVISOR, "2026-09-29T10:10:00+08:00",
            "invalid_state");
    ok(f, t, "dispatch", "{\"units\":[{\"unit\":\"gas\",\"role\":\"lead\"}]}", &AGENT,
       "2026-09-29T10:30:00+08:00");
    refused(f, t, "dispatch", "{\"units\":[{\"unit\":\"gas\",\"role\":\"lead\"}]}", &AGENT,
            "2026-09-29T10:40:00+08:00", "invalid_state");
    refused(f, t, "reply", "{\"reply\":\"x\"}", &AGENT, "2026-09-29T10:40:00+08:00",
            "forbidden_role");
    refused(f, t, "schedule_callback", "{\"at\":\"2026-10-08T10:00:00+08:00\"}", &AGENT,
            "2026-09-29T10:40:00+08:00", "invalid_state");
    ok(f, t, "reply", "{\"reply\":\"已处理\"}", &GAS, "2026-09-29T15:00:00+08:00");
    refused(f, t, "schedule_callback", "{\"at\":\"2026-09-29T23:00:00+08:00\"}", &AGENT,
            "2026-09-29T16:00:00+08:00", "callback_quiet_hours");
    refused(f, t, "schedule_callback", "{\"at\":\"2026-09-29T12:00:00+08:00\"}", &AGENT,
            "2026-09-29T16:00:00+08:00", "callback_in_past");
    refused(f, t, "accept", NULL, &GAS, "2026-09-29T16:00:00+08:00", "invalid_state");

    /* an unknown action is refused too, with the verdict filled */
    memset(&b, 0, sizeof b);
    b.action = ACTION_COUNT;
    assert_int_equal(workflow_apply(&f->ctx, t, &b, &AGENT, T("2026-09-29T16:00:00+08:00"), &v,
                                    &e), HL_ERULE);
    assert_false(v.ok);
    assert_string_equal(v.code, "unknown_action");
    assert_int_equal(workflow_err_kind(&e), VERDICT_INVALID);
    ticket_free(&t);
}

/* Run the workflow tests. */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create),
        cmocka_unit_test(test_create_replay_emergency_forbidden),
        cmocka_unit_test(test_happy_path),
        cmocka_unit_test(test_direct),
        cmocka_unit_test(test_return_redispatch),
        cmocka_unit_test(test_dissatisfied_redo),
        cmocka_unit_test(test_extension),
        cmocka_unit_test(test_urge_supervise),
        cmocka_unit_test(test_close_reopen),
        cmocka_unit_test(test_patch),
        cmocka_unit_test(test_refusals_untouched),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
