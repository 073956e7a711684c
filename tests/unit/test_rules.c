/* Tests of rules: rule profiles, deadlines, the action checks, transitions and flags. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hotline/rules.h"
#include "hotline/util.h"

/* Shared by the tests: the real rules (three profiles), the calendar and the zone. */
struct fixture {
    char *rules_path;
    struct rules *r12345;
    struct rules *r956100;
    struct rules *r95198;
    struct calendar *cal;
    struct tz *tz;
};

static const struct rule_actor AGENT = { USER_AGENT, NULL, "a1" };
static const struct rule_actor SUPERVISOR = { USER_SUPERVISOR, NULL, "s1" };
static const struct rule_actor ADMIN = { USER_ADMIN, NULL, "root" };
static const struct rule_actor UNIT1 = { USER_UNIT, "U1", "u1" };
static const struct rule_actor UNIT2 = { USER_UNIT, "U2", "u2" };

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

/* Load one profile of data/rules.json or fail. */
static struct rules *
load_profile(const char *path, const char *profile)
{
    struct err e;
    struct rules *r;

    err_clear(&e);
    r = rules_load(path, profile, NULL, &e);
    if (r == NULL)
        fprintf(stderr, "cannot load %s profile %s: %s\n", path, profile, e.msg);
    return r;
}

/* Load the rules, the holiday calendar and Asia/Shanghai. */
static int
setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    char *cal_path = data_path("holidays-cn.json");
    struct err e;

    f->rules_path = data_path("rules.json");
    f->r12345 = load_profile(f->rules_path, "12345");
    f->r956100 = load_profile(f->rules_path, "956100");
    f->r95198 = load_profile(f->rules_path, "95198");
    f->cal = calendar_load(cal_path, &e);
    if (f->cal == NULL)
        fprintf(stderr, "cannot load %s: %s\n", cal_path, e.msg);
    free(cal_path);
    f->tz = tz_load("Asia/Shanghai", &e);
    *state = f;
    if (f->r12345 == NULL || f->r956100 == NULL || f->r95198 == NULL || f->cal == NULL
        || f->tz == NULL)
        return -1;
    return 0;
}

/* Free the fixture. */
static int
teardown(void **state)
{
    struct fixture *f = *state;

    rules_free(&f->r12345);
    rules_free(&f->r956100);
    rules_free(&f->r95198);
    calendar_free(&f->cal);
    tz_free(&f->tz);
    free(f->rules_path);
    free(f);
    return 0;
}

/* A ticket of a nature in a status, accepted at created. */
static struct ticket *
mk(enum nature n, enum status s, const char *created)
{
    struct ticket *t = ticket_new();

    t->nature = n;
    t->status = s;
    t->created_at = T(created);
    return t;
}

/* Add an assignment of unit with role, dispatched at `at`, in state st. */
static struct assignment *
assign(struct ticket *t, const char *unit, enum assign_role role, const char *at,
       enum assign_state st)
{
    struct assignment *a = ticket_add_assignment(t);

    a->unit = xstrdup(unit);
    a->role = role;
    a->dispatched_at = T(at);
    a->state = st;
    return a;
}

/* Add a callback attempt. */
static void
attempt(struct ticket *t, const char *at, enum cb_outcome o, enum satisfaction s)
{
    struct callback *cb = ticket_add_callback(t);

    cb->at = T(at);
    cb->outcome = o;
    cb->satisfaction = s;
}

/* Run rules_check and return the code. */
static const char *
check(const struct rules *r, const struct fixture *f, const struct ticket *t, enum action a,
      const struct rule_actor *who, const char *now, struct verdict *v)
{
    rules_check(r, f->cal, f->tz, t, a, who, T(now), v);
    return v->code;
}

/* Run rules_check_args and return the code. */
static const char *
check_args(const struct rules *r, const struct fixture *f, const struct ticket *t,
           enum action a, const struct rule_actor *who, const struct action_body *b,
           const char *now, struct verdict *v)
{
    rules_check_args(r, f->cal, f->tz, t, a, who, b, T(now), v);
    return v->code;
}

/* Due of a fresh ticket of nature n (complaint level lv) accepted at `at`. */
static void
due_of(const struct rules *r, const struct fixture *f, enum nature n, int lv, const char *at,
       struct rule_due *d)
{
    struct ticket *t = mk(n, STATUS_ACCEPTED, at);

    t->complaint_level = lv;
    rules_due(r, f->cal, f->tz, t, T(at), d);
    ticket_free(&t);
}

/* ------------------------------------------------------------- loading */

/* The three profiles load with their names and the documented thresholds. */
static void
test_profiles(void **state)
{
    struct fixture *f = *state;
    struct err e;
    struct rules *def;

    assert_string_equal(rules_profile(f->r12345), "12345");
    assert_string_equal(rules_profile(f->r956100), "956100");
    assert_string_equal(rules_profile(f->r95198), "95198");
    assert_int_equal(rules_deadline_mode(f->r12345), DEADLINE_END_OF_DAY);
    assert_int_equal(rules_cluster_min_callers(f->r12345), 5);
    assert_int_equal(rules_cluster_days(f->r12345), 30);
    assert_int_equal(rules_urge_max(f->r12345), 2);
    assert_int_equal(rules_extension_max_days(f->r12345), 7);
    assert_int_equal(rules_unreachable_attempts(f->r12345), 3);
    /* callbacks: every nature except consult, suggestion, praise */
    for (int n = 0; n < NATURE_COUNT; n++) {
        bool want = n != NATURE_CONSULT && n != NATURE_SUGGESTION && n != NATURE_PRAISE;

        assert_int_equal(rules_callback_required(f->r12345, (enum nature)n), want);
        assert_int_equal(rules_callback_required(f->r956100, (enum nature)n), want);
        assert_int_equal(rules_callback_required(f->r95198, (enum nature)n), want);
    }
    /* NULL/"" profile = default_profile */
    def = rules_load(f->rules_path, NULL, NULL, &e);
    assert_non_null(def);
    assert_string_equal(rules_profile(def), "12345");
    assert_non_null(strstr(rules_json(def), "\"profile\":\"12345\""));
    assert_non_null(strstr(rules_json(def), "\"12345:complaint.level2\""));
    rules_free(&def);
    rules_free(&def);
}

/* Unknown profiles, missing files and broken JSON give errors naming the file. */
static void
test_load_errors(void **state)
{
    struct fixture *f = *state;
    struct err e;
    struct rules *r;

    err_clear(&e);
    r = rules_load(f->rules_path, "110", NULL, &e);
    assert_null(r);
    assert_int_equal(e.code, HL_ENOENT);
    assert_non_null(strstr(e.msg, "\"110\""));
    assert_non_null(strstr(e.msg, "956100"));

    r = rules_load("/nonexistent/rules.json", NULL, NULL, &e);
    assert_null(r);
    assert_int_equal(e.code, HL_ENOENT);
    assert_non_null(strstr(e.msg, "/nonexistent/rules.json"));

    r = rules_parse("{\"profiles\":", 12, "bad.json", NULL, NULL, 0, NULL, &e);
    assert_null(r);
    assert_int_equal(e.code, HL_EINVAL);
    assert_true(str_starts_with(e.msg, "bad.json: "));

    r = rules_parse("[]", 2, "arr.json", NULL, NULL, 0, NULL, &e);
    assert_null(r);
    assert_int_equal(e.code, HL_EINVAL);

    {
        const char *text = "{\"default_profile\":\"x\",\"profiles\":{\"x\":{}}}";

        r = rules_parse(text, strlen(text), "x.json", NULL, NULL, 0, NULL, &e);
    }
    assert_null(r);
    assert_string_equal(e.field, "profiles.x.deadline_mode");
    assert_non_null(strstr(e.msg, "x.json: profiles.x.deadline_mode: missing"));
}

/* Write text to a new temporary file; returns its path (caller unlinks and frees). */
static char *
temp_file(const char *text)
{
    char *path = xstrdup("/tmp/test_rules_XXXXXX");
    int fd = mkstemp(path);
    size_t n = strlen(text);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    close(fd);
    return path;
}

/* Load profile 12345 with an override text; returns rules or NULL with e. */
static struct rules *
with_override(const struct fixture *f, const char *text, struct err *e, char **path_out)
{
    char *path = temp_file(text);
    struct rules *r;

    err_clear(e);
    r = rules_load(f->rules_path, "12345", path, e);
    *path_out = path;
    return r;
}

/* An override file changes one limit and is named as the rule's source; errors name
 * the override file and the field. */
static void
test_override(void **state)
{
    struct fixture *f = *state;
    struct err e;
    struct rules *r;
    struct rule_due d;
    char *path;

    r = with_override(f, "{\"profiles\":{\"12345\":{\"processing\":{\"consult\":"
                         "{\"limit\":{\"value\":3}}}}}}", &e, &path);
    assert_non_null(r);
    /* Tue 2026-03-03 10:00 + 3 WD -> Fri 2026-03-06 end of day (was Thu with 2 WD) */
    due_of(r, f, NATURE_CONSULT, 0, "2026-03-03T10:00:00+08:00", &d);
    assert_int_equal(d.due, T("2026-03-06T23:59:59+08:00"));
    assert_string_equal(d.rule, "12345:consult");
    assert_string_equal(d.label, "consult: 3 working days");
    /* other limits unchanged */
    due_of(r, f, NATURE_HELP, 0, "2026-03-03T10:00:00+08:00", &d);
    assert_int_equal(d.due, T("2026-03-05T23:59:59+08:00"));
    assert_non_null(strstr(rules_json(r), path));
    rules_free(&r);
    unlink(path);
    free(path);

    /* an optional per-nature entry can be added; callback setting flipped */
    r = with_override(f, "{\"profiles\":{\"12345\":{\"dispatch\":{\"natures\":{\"complaint\":"
                         "{\"limit\":{\"value\":30,\"unit\":\"minute\"}}}},"
                         "\"callback_required\":{\"suggestion\":{\"required\":true}}}}}",
                      &e, &path);
    assert_non_null(r);
    assert_true(rules_callback_required(r, NATURE_SUGGESTION));
    {
        struct ticket *t = mk(NATURE_COMPLAINT, STATUS_ACCEPTED, "2026-03-03T10:00:00+08:00");

        assert_int_equal(rules_flags(r, f->cal, f->tz, t, T("2026-03-03T10:30:00+08:00")), 0);
        assert_int_equal(rules_flags(r, f->cal, f->tz, t, T("2026-03-03T10:30:01+08:00")),
                         FLAG_LATE_DISPATCH);
        ticket_free(&t);
    }
    rules_free(&r);
    unlink(path);
    free(path);

    /* a typo names the file and the field */
    r = with_override(f, "{\"profiles\":{\"12345\":{\"processing\":{\"consult\":"
                         "{\"limit\":{\"valeu\":3}}}}}}", &e, &path);
    assert_null(r);
    assert_int_equal(e.code, HL_EINVAL);
    assert_string_equal(e.field, "profiles.12345.processing.consult.limit.valeu");
    assert_non_null(strstr(e.msg, path));
    assert_non_null(strstr(e.msg, "unknown field"));
    unlink(path);
    free(path);

    /* a bad value */
    r = with_override(f, "{\"profiles\":{\"12345\":{\"urge\":{\"max_per_ticket\":-1}}}}", &e,
                      &path);
    assert_null(r);
    assert_string_equal(e.field, "profiles.12345.urge.max_per_ticket");
    assert_non_null(strstr(e.msg, path));
    unlink(path);
    free(path);

    /* a wrong type */
    r = with_override(f, "{\"profiles\":{\"12345\":{\"extension\":{\"before_due\":\"no\"}}}}",
                      &e, &path);
    assert_null(r);
    assert_string_equal(e.field, "profiles.12345.extension.before_due");
    unlink(path);
    free(path);

    /* not an object, an object for a value */
    r = with_override(f, "[]", &e, &path);
    assert_null(r);
    assert_non_null(strstr(e.msg, path));
    unlink(path);
    free(path);
    r = with_override(f, "{\"profiles\":{\"12345\":{\"near_due\":{\"elapsed_fraction\":{}}}}}",
                      &e, &path);
    assert_null(r);
    assert_string_equal(e.field, "profiles.12345.near_due.elapsed_fraction");
    unlink(path);
    free(path);
    r = with_override(f, "{\"profiles\":{\"12345\":{\"near_due\":{\"elapsed_fraction\":1.5}}}}",
                      &e, &path);
    assert_null(r);
    assert_string_equal(e.field, "profiles.12345.near_due.elapsed_fraction");
    unlink(path);
    free(path);

    /* an unknown profile, a changed id */
    r = with_override(f, "{\"profiles\":{\"12346\":{}}}", &e, &path);
    assert_null(r);
    assert_string_equal(e.field, "profiles.12346");
    unlink(path);
    free(path);
    r = with_override(f, "{\"profiles\":{\"12345\":{\"urge\":{\"id\":\"mine\"}}}}", &e, &path);
    assert_null(r);
    assert_string_equal(e.field, "profiles.12345.urge.id");
    unlink(path);
    free(path);
}

/* ------------------------------------------------------------ deadlines */

/* Every nature of profile 12345, accepted Tuesday 2026-03-03 10:00. */
static void
test_due_12345(void **state)
{
    struct fixture *f = *state;
    const char *at = "2026-03-03T10:00:00+08:00";
    static const enum nature two_wd[] = {
        NATURE_CONSULT, NATURE_HELP, NATURE_COMPLAINT, NATURE_REPORT, NATURE_SUGGESTION,
        NATURE_PRAISE, NATURE_ALARM,
    };
    struct rule_due d;
    char id[64];

    for (size_t i = 0; i < ARRAY_SIZE(two_wd); i++) {
        due_of(f->r12345, f, two_wd[i], 0, at, &d);
        /* Wed 4 (1), Thu 5 (2) -> end of Thursday */
        assert_int_equal(d.due, T("2026-03-05T23:59:59+08:00"));
        snprintf(id, sizeof id, "12345:%s", nature_str(two_wd[i]));
        assert_string_equal(d.rule, id);
        assert_string_equal(d.calendar, calendar_version(f->cal));
        assert_false(d.fallback);
        assert_int_equal(d.contact_due, 0);
        assert_false(d.emergency);
    }
    /* complaint levels: elapsed hours */
    due_of(f->r12345, f, NATURE_COMPLAINT, 1, at, &d);
    assert_int_equal(d.due, T("2026-03-05T10:00:00+08:00"));
    assert_string_equal(d.rule, "12345:complaint.level1");
    assert_string_equal(d.label, "complaint level 1: 48 hours");
    assert_string_equal(d.calendar, "");
    due_of(f->r12345, f, NATURE_COMPLAINT, 2, at, &d);
    assert_int_equal(d.due, T("2026-03-04T10:00:00+08:00"));
    assert_string_equal(d.rule, "12345:complaint.level2");
    due_of(f->r12345, f, NATURE_COMPLAINT, 3, at, &d);
    assert_int_equal(d.due, T("2026-03-03T13:00:00+08:00"));
    assert_string_equal(d.rule, "12345:complaint.level3");
    /* a complaint level on another nature is ignored */
    due_of(f->r12345, f, NATURE_HELP, 3, at, &d);
    assert_int_equal(d.due, T("2026-03-05T23:59:59+08:00"));
    /* repair: 3 WD, contact within 2 hours */
    due_of(f->r12345, f, NATURE_REPAIR, 0, at, &d);
    assert_int_equal(d.due, T("2026-03-06T23:59:59+08:00"));
    assert_string_equal(d.rule, "12345:repair");
    assert_int_equal(d.contact_due, T("2026-03-03T12:00:00+08:00"));
    assert_string_equal(d.contact_rule, "12345:repair.contact");
    /* service: 7 WD (Wed 4 .. Thu 12), contact within 1 WD */
    due_of(f->r12345, f, NATURE_SERVICE, 0, at, &d);
    assert_int_equal(d.due, T("2026-03-12T23:59:59+08:00"));
    assert_string_equal(d.label, "service: 7 working days");
    assert_int_equal(d.contact_due, T("2026-03-04T23:59:59+08:00"));
}

/* Holidays, make-up days, requested_due and emergency. */
static void
test_due_edges(void **state)
{
    struct fixture *f = *state;
    struct rule_due d;
    struct ticket *t;

    /* Fri 2026-04-03; Qingming Sat 4 .. Mon 6 off -> Tue 7 (1), Wed 8 (2) */
    due_of(f->r12345, f, NATURE_HELP, 0, "2026-04-03T16:30:00+08:00", &d);
    assert_int_equal(d.due, T("2026-04-08T23:59:59+08:00"));
    /* Sat 2026-02-14 is a make-up working day; Spring Festival 15..23 off ->
     * Tue 24 (1), Wed 25 (2) */
    due_of(f->r12345, f, NATURE_HELP, 0, "2026-02-14T09:00:00+08:00", &d);
    assert_int_equal(d.due, T("2026-02-25T23:59:59+08:00"));
    /* accepted late on a Sunday: Mon 9 (1), Tue 10 (2) */
    due_of(f->r12345, f, NATURE_HELP, 0, "2026-03-08T23:30:00+08:00", &d);
    assert_int_equal(d.due, T("2026-03-10T23:59:59+08:00"));

    /* the caller's earlier requested_due wins */
    t = mk(NATURE_CONSULT, STATUS_ACCEPTED, "2026-03-03T10:00:00+08:00");
    t->requested_due = T("2026-03-04T12:00:00+08:00");
    rules_due(f->r12345, f->cal, f->tz, t, t->created_at, &d);
    assert_int_equal(d.due, T("2026-03-04T12:00:00+08:00"));
    assert_string_equal(d.rule, "requested");
    assert_string_equal(d.calendar, "");
    /* a later one does not */
    t->requested_due = T("2026-03-10T12:00:00+08:00");
    rules_due(f->r12345, f->cal, f->tz, t, t->created_at, &d);
    assert_int_equal(d.due, T("2026-03-05T23:59:59+08:00"));
    assert_string_equal(d.rule, "12345:consult");
    /* equal: the rule stays */
    t->requested_due = T("2026-03-05T23:59:59+08:00");
    rules_due(f->r12345, f->cal, f->tz, t, t->created_at, &d);
    assert_string_equal(d.rule, "12345:consult");
    /* a graded complaint's 3 hours beat a requested day */
    t->nature = NATURE_COMPLAINT;
    t->complaint_level = 3;
    t->requested_due = T("2026-03-04T10:00:00+08:00");
    rules_due(f->r12345, f->cal, f->tz, t, t->created_at, &d);
    assert_int_equal(d.due, T("2026-03-03T13:00:00+08:00"));
    /* emergency: same limit, flagged */
    t->nature = NATURE_ALARM;
    t->complaint_level = 0;
    t->requested_due = 0;
    t->urgency = URGENCY_EMERGENCY;
    rules_due(f->r12345, f->cal, f->tz, t, t->created_at, &d);
    assert_int_equal(d.due, T("2026-03-05T23:59:59+08:00"));
    assert_true(d.emergency);
    /* a redo ignores a requested_due already past */
    t->requested_due = T("2026-03-04T12:00:00+08:00");
    rules_redo_due(f->r12345, f->cal, f->tz, t, T("2026-03-10T10:00:00+08:00"), &d);
    assert_int_equal(d.due, T("2026-03-12T23:59:59+08:00"));
    assert_string_equal(d.rule, "12345:alarm");
    ticket_free(&t);
}

/* Profile 956100 differs: consult 1 WD, report 5 WD, minute dispatch limits. */
static void
test_due_956100(void **state)
{
    struct fixture *f = *state;
    const char *at = "2026-03-03T10:00:00+08:00";
    struct rule_due d;
    struct ticket *t;

    due_of(f->r956100, f, NATURE_CONSULT, 0, at, &d);
    assert_int_equal(d.due, T("2026-03-04T23:59:59+08:00"));
    assert_string_equal(d.rule, "956100:consult");
    due_of(f->r956100, f, NATURE_REPORT, 0, at, &d);
    assert_int_equal(d.due, T("2026-03-10T23:59:59+08:00"));
    due_of(f->r956100, f, NATURE_COMPLAINT, 2, at, &d);
    assert_int_equal(d.due, T("2026-03-04T10:00:00+08:00"));
    assert_string_equal(d.rule, "956100:complaint.level2");
    /* 95198: one 2-WD limit, repairs included */
    due_of(f->r95198, f, NATURE_REPAIR, 0, at, &d);
    assert_int_equal(d.due, T("2026-03-05T23:59:59+08:00"));
    assert_string_equal(d.rule, "95198:repair");

    /* repair dispatch within 5 minutes at 956100, 2 hours at 12345 */
    t = mk(NATURE_REPAIR, STATUS_ACCEPTED, at);
    assert_int_equal(rules_flags(f->r956100, f->cal, f->tz, t, T("2026-03-03T10:05:00+08:00")), 0);
    assert_int_equal(rules_flags(f->r956100, f->cal, f->tz, t, T("2026-03-03T10:05:01+08:00")),
                     FLAG_LATE_DISPATCH);
    assert_int_equal(rules_flags(f->r12345, f->cal, f->tz, t, T("2026-03-03T10:05:01+08:00")), 0);
    ticket_free(&t);
}

/* ---------------------------------------------------------------- checks */

/* The role matrix at some points. */
static void
test_roles(void **state)
{
    struct fixture *f = *state;
    struct verdict v;
    struct ticket *t = mk(NATURE_HELP, STATUS_ACCEPTED, "2026-03-03T10:00:00+08:00");
    const char *now = "2026-03-03T10:30:00+08:00";

    t->due_at = T("2026-03-05T23:59:59+08:00");
    assert_string_equal(check(f->r12345, f, t, ACTION_DISPATCH, &AGENT, now, &v), "ok");
    assert_true(v.ok);
    assert_int_equal(v.kind, VERDICT_OK);
    assert_string_equal(check(f->r12345, f, t, ACTION_RESOLVE_DIRECT, &SUPERVISOR, now, &v), "ok");
    assert_string_equal(check(f->r12345, f, t, ACTION_DISPATCH, &UNIT1, now, &v),
                        "forbidden_role");
    assert_false(v.ok);
    assert_int_equal(v.kind, VERDICT_FORBIDDEN);
    assert_non_null(strstr(v.message, "A unit user may not dispatch"));
    assert_string_equal(check(f->r12345, f, t, ACTION_SUPERVISE, &AGENT, now, &v),
                        "forbidden_role");
    assert_non_null(strstr(v.message, "An agent user"));
    assert_string_equal(check(f->r12345, f, t, ACTION_SUPERVISE, &ADMIN, now, &v), "ok");
    assert_string_equal(check(f->r12345, f, t, ACTION_ACCEPT, &AGENT, now, &v), "forbidden_role");
    /* accept from accepted: the unit has no assignment yet */
    assert_string_equal(check(f->r12345, f, t, ACTION_ACCEPT, &UNIT1, now, &v), "not_your_unit");
    /* an action from the wrong state */
    assert_string_equal(check(f->r12345, f, t, ACTION_URGE, &AGENT, now, &v), "invalid_state");
    assert_int_equal(v.kind, VERDICT_CONFLICT);
    assert_non_null(strstr(v.message, "dispatched or in_progress"));
    assert_string_equal(check(f->r12345, f, t, ACTION_ARCHIVE, &SUPERVISOR, now, &v),
                        "archive_not_closed");

    /* dispatched to U1 */
    t->status = STATUS_DISPATCHED;
    assign(t, "U1", ROLE_LEAD, "2026-03-03T10:30:00+08:00", ASSIGN_DISPATCHED);
    assert_string_equal(check(f->r12345, f, t, ACTION_ACCEPT, &UNIT1, now, &v), "ok");
    assert_string_equal(check(f->r12345, f, t, ACTION_ACCEPT, &UNIT2, now, &v), "not_your_unit");
    assert_int_equal(v.kind, VERDICT_FORBIDDEN);
    assert_string_equal(check(f->r12345, f, t, ACTION_REPLY, &UNIT2, now, &v), "not_your_unit");
    assert_string_equal(check(f->r12345, f, t, ACTION_DISPATCH, &AGENT, now, &v),
                        "invalid_state");
    /* a unit user without a unit code */
    {
        const struct rule_actor nounit = { USER_UNIT, NULL, "u9" };

        assert_string_equal(check(f->r12345, f, t, ACTION_ACCEPT, &nounit, now, &v),
                            "not_your_unit");
    }

    /* closed: reopen by a supervisor only, archive */
    t->status = STATUS_CLOSED;
    assert_string_equal(check(f->r12345, f, t, ACTION_REOPEN, &AGENT, now, &v), "forbidden_role");
    assert_string_equal(check(f->r12345, f, t, ACTION_REOPEN, &SUPERVISOR, now, &v), "ok");
    assert_string_equal(check(f->r12345, f, t, ACTION_ARCHIVE, &ADMIN, now, &v), "ok");
    assert_string_equal(check(f->r12345, f, t, ACTION_CLOSE, &AGENT, now, &v), "invalid_state");
    /* archived: read-only */
    t->status = STATUS_ARCHIVED;
    assert_string_equal(check(f->r12345, f, t, ACTION_REOPEN, &SUPERVISOR, now, &v),
                        "archived_read_only");
    assert_string_equal(check(f->r12345, f, t, ACTION_ARCHIVE, &SUPERVISOR, now, &v),
                        "archived_read_only");
    /* intake and editing the matter */
    rules_check_create(&AGENT, &v);
    assert_true(v.ok);
    rules_check_create(&UNIT1, &v);
    assert_string_equal(v.code, "forbidden_role");
    t->status = STATUS_RETURNED;
    rules_check_edit(t, &SUPERVISOR, &v);
    assert_true(v.ok);
    rules_check_edit(t, &UNIT1, &v);
    assert_string_equal(v.code, "forbidden_role");
    t->status = STATUS_DISPATCHED;
    rules_check_edit(t, &AGENT, &v);
    assert_string_equal(v.code, "invalid_state");
    t->status = STATUS_ARCHIVED;
    rules_check_edit(t, &AGENT, &v);
    assert_string_equal(v.code, "archived_read_only");
    /* junk in */
    rules_check(f->r12345, f->cal, f->tz, t, ACTION_COUNT, &AGENT, 0, &v);
    assert_string_equal(v.code, "unknown_action");
    rules_check(f->r12345, f->cal, f->tz, NULL, ACTION_URGE, &AGENT, 0, &v);
    assert_string_equal(v.code, "invalid_request");
    t->status = (enum status)99;
    assert_string_equal(check(f->r12345, f, t, ACTION_CLOSE, &AGENT, now, &v), "invalid_state");
    ticket_free(&t);
}

/* Urge: exactly at half the period, one second before, the third urge. */
static void
test_urge(void **state)
{
    struct fixture *f = *state;
    struct verdict v;
    struct ticket *t = mk(NATURE_HELP, STATUS_IN_PROGRESS, "2026-03-03T10:00:00+08:00");
    struct err e;

    /* period: dispatched 03 12:00 .. due 05 23:59:59 = 215999 s; half rounds up to
     * 108000 s = 30 h -> 04 18:00:00 */
    assign(t, "U1", ROLE_LEAD, "2026-03-03T12:00:00+08:00", ASSIGN_ACCEPTED);
    t->due_at = T("2026-03-05T23:59:59+08:00");
    assert_int_equal(rules_urge_from(f->r12345, t), T("2026-03-04T18:00:00+08:00"));
    assert_string_equal(check(f->r12345, f, t, ACTION_URGE, &AGENT, "2026-03-04T17:59:59+08:00",
                              &v), "urge_too_early");
    assert_int_equal(v.kind, VERDICT_CONFLICT);
    assert_int_equal(v.possible_from, T("2026-03-04T18:00:00+08:00"));
    assert_string_equal(v.rule, "12345:urge");
    assert_non_null(strstr(v.message, "2026-03-04 18:00"));
    assert_non_null(strstr(v.message, "explain"));
    assert_int_equal(rules_verdict_err(&v, &e), HL_ERULE);
    assert_string_equal(e.field, "urge_too_early");
    assert_string_equal(check(f->r12345, f, t, ACTION_URGE, &AGENT, "2026-03-04T18:00:00+08:00",
                              &v), "ok");
    assert_int_equal(v.possible_from, 0);
    assert_int_equal(rules_verdict_err(&v, &e), HL_OK);
    /* two urges made: the third is refused, even when overdue */
    ticket_add_urge(t)->at = T("2026-03-04T18:00:00+08:00");
    assert_string_equal(check(f->r12345, f, t, ACTION_URGE, &AGENT, "2026-03-05T09:00:00+08:00",
                              &v), "ok");
    ticket_add_urge(t)->at = T("2026-03-05T09:00:00+08:00");
    assert_string_equal(check(f->r12345, f, t, ACTION_URGE, &SUPERVISOR,
                              "2026-03-06T09:00:00+08:00", &v), "urge_limit");
    assert_int_equal(v.possible_from, 0);
    /* not dispatched yet: the period starts at acceptance */
    ticket_free(&t);
    t = mk(NATURE_HELP, STATUS_DISPATCHED, "2026-03-03T00:00:00+08:00");
    t->due_at = T("2026-03-05T00:00:00+08:00");
    assert_int_equal(rules_urge_from(f->r12345, t), T("2026-03-04T00:00:00+08:00"));
    ticket_free(&t);
}

/* Return: within 1 working day of dispatch, across a weekend. */
static void
test_return_window(void **state)
{
    struct fixture *f = *state;
    struct verdict v;
    struct ticket *t = mk(NATURE_HELP, STATUS_DISPATCHED, "2026-03-06T14:00:00+08:00");

    /* dispatched Friday 15:00 -> window ends Monday 2026-03-09 15:00:00 */
    assign(t, "U1", ROLE_LEAD, "2026-03-06T15:00:00+08:00", ASSIGN_DISPATCHED);
    t->due_at = T("2026-03-10T23:59:59+08:00");
    assert_int_equal(rules_return_window_end(f->r12345, f->cal, f->tz,
                                             t->assignments[0].dispatched_at),
                     T("2026-03-09T15:00:00+08:00"));
    assert_string_equal(check(f->r12345, f, t, ACTION_RETURN, &UNIT1, "2026-03-09T15:00:00+08:00",
                              &v), "ok");
    assert_string_equal(check(f->r12345, f, t, ACTION_RETURN, &UNIT1, "2026-03-09T15:00:01+08:00",
                              &v), "return_window_closed");
    assert_int_equal(v.kind, VERDICT_CONFLICT);
    assert_int_equal(v.possible_from, 0);
    assert_string_equal(v.rule, "12345:return_window");
    assert_non_null(strstr(v.message, "2026-03-09 15:00"));
    /* accepted but still inside the window: may return */
    t->assignments[0].state = ASSIGN_ACCEPTED;
    assert_string_equal(check(f->r12345, f, t, ACTION_RETURN, &UNIT1, "2026-03-07T10:00:00+08:00",
                              &v), "ok");
    /* replied: no more returning */
    t->assignments[0].state = ASSIGN_REPLIED;
    assert_string_equal(check(f->r12345, f, t, ACTION_RETURN, &UNIT1, "2026-03-07T10:00:00+08:00",
                              &v), "invalid_state");
    ticket_free(&t);
}

/* Extension: 7 days ok, 8 refused, one pending, a second approval needs a supervisor. */
static void
test_extension(void **state)
{
    struct fixture *f = *state;
    struct verdict v;
    struct action_body b;
    struct ticket *t = mk(NATURE_HELP, STATUS_IN_PROGRESS, "2026-03-03T10:00:00+08:00");
    struct extension *x;
    struct transition tr;
    const char *now = "2026-03-04T10:00:00+08:00";

    assign(t, "U1", ROLE_LEAD, "2026-03-03T11:00:00+08:00", ASSIGN_ACCEPTED);
    t->due_at = T("2026-03-05T23:59:59+08:00");
    memset(&b, 0, sizeof b);
    b.action = ACTION_REQUEST_EXTENSION;
    b.days = 7;
    assert_string_equal(check_args(f->r12345, f, t, ACTION_REQUEST_EXTENSION, &UNIT1, &b, now,
                                   &v), "ok");
    b.days = 8;
    assert_string_equal(check_args(f->r12345, f, t, ACTION_REQUEST_EXTENSION, &UNIT1, &b, now,
                                   &v), "extension_too_long");
    assert_int_equal(v.kind, VERDICT_CONFLICT);
    assert_non_null(strstr(v.message, "at most 7 days"));
    b.days = 0;
    assert_string_equal(check_args(f->r12345, f, t, ACTION_REQUEST_EXTENSION, &UNIT1, &b, now,
                                   &v), "extension_days_invalid");
    assert_int_equal(v.kind, VERDICT_INVALID);
    rules_check_extension_days(f->r12345, 7, &v);
    assert_true(v.ok);
    rules_check_extension_days(f->r12345, 8, &v);
    assert_string_equal(v.code, "extension_too_long");
    /* without arguments the days are not checked */
    assert_string_equal(check(f->r12345, f, t, ACTION_REQUEST_EXTENSION, &UNIT1, now, &v), "ok");
    assert_string_equal(check(f->r12345, f, t, ACTION_REQUEST_EXTENSION, &UNIT2, now, &v),
                        "not_your_unit");
    /* after the deadline */
    assert_string_equal(check(f->r12345, f, t, ACTION_REQUEST_EXTENSION, &UNIT1,
                              "2026-03-06T00:00:00+08:00", &v), "extension_after_due");
    assert_string_equal(check(f->r12345, f, t, ACTION_REQUEST_EXTENSION, &UNIT1,
                              "2026-03-05T23:59:59+08:00", &v), "ok");

    /* nothing pending: nothing to decide */
    b.action = ACTION_DECIDE_EXTENSION;
    b.approve = true;
    assert_string_equal(check_args(f->r12345, f, t, ACTION_DECIDE_EXTENSION, &AGENT, &b, now,
                                   &v), "extension_none_pending");
    /* first request pending: the agent (dispatch seat) approves */
    x = ticket_add_extension(t);
    x->state = EXT_PENDING;
    x->days = 3;
    x->requested_at = T("2026-03-04T09:00:00+08:00");
    assert_string_equal(check(f->r12345, f, t, ACTION_REQUEST_EXTENSION, &UNIT1, now, &v),
                        "extension_pending");
    assert_string_equal(check_args(f->r12345, f, t, ACTION_DECIDE_EXTENSION, &AGENT, &b, now,
                                   &v), "ok");
    assert_string_equal(check_args(f->r12345, f, t, ACTION_DECIDE_EXTENSION, &UNIT1, &b, now,
                                   &v), "forbidden_role");
    /* approving moves the deadline by 3 calendar days */
    rules_transition(f->r12345, f->cal, f->tz, t, ACTION_DECIDE_EXTENSION, &AGENT, &b, T(now), &tr);
    assert_true(tr.set_due);
    assert_int_equal(tr.due.due, T("2026-03-08T23:59:59+08:00"));
    assert_string_equal(tr.due.rule, "12345:extension");
    assert_int_equal(tr.status, STATUS_IN_PROGRESS);
    x->state = EXT_APPROVED;
    t->due_at = T("2026-03-08T23:59:59+08:00");
    /* a second request may be made; its approval needs a supervisor */
    assert_string_equal(check(f->r12345, f, t, ACTION_REQUEST_EXTENSION, &UNIT1, now, &v), "ok");
    x = ticket_add_extension(t);
    x->state = EXT_PENDING;
    x->days = 7;
    x->requested_at = T("2026-03-04T10:00:00+08:00");
    assert_string_equal(check_args(f->r12345, f, t, ACTION_DECIDE_EXTENSION, &AGENT, &b, now,
                                   &v), "extension_needs_supervisor");
    assert_int_equal(v.kind, VERDICT_FORBIDDEN);
    assert_non_null(strstr(v.message, "supervisor"));
    assert_string_equal(check_args(f->r12345, f, t, ACTION_DECIDE_EXTENSION, &SUPERVISOR, &b, now,
                                   &v), "ok");
    b.approve = false;
    assert_string_equal(check_args(f->r12345, f, t, ACTION_DECIDE_EXTENSION, &AGENT, &b, now,
                                   &v), "ok");
    rules_transition(f->r12345, f->cal, f->tz, t, ACTION_DECIDE_EXTENSION, &AGENT, &b, T(now), &tr);
    assert_false(tr.set_due);
    /* two approved: no third request */
    x->state = EXT_APPROVED;
    assert_string_equal(check(f->r12345, f, t, ACTION_REQUEST_EXTENSION, &UNIT1, now, &v),
                        "extension_limit");
    ticket_free(&t);
}

/* Callback edges: quiet hours 21:00-08:00, 2 hours between attempts, 3 failures. */
static void
test_callback(void **state)
{
    struct fixture *f = *state;
    struct verdict v;
    struct action_body b;
    struct ticket *t = mk(NATURE_HELP, STATUS_REPLIED, "2026-03-02T10:00:00+08:00");
    struct assignment *a;

    a = assign(t, "U1", ROLE_LEAD, "2026-03-02T11:00:00+08:00", ASSIGN_REPLIED);
    a->replied_at = T("2026-03-03T10:00:00+08:00");
    t->due_at = T("2026-03-04T23:59:59+08:00");
    t->callback_due_at = T("2026-03-04T23:59:59+08:00");

    assert_string_equal(check(f->r12345, f, t, ACTION_CALLBACK, &AGENT, "2026-03-03T20:59:59+08:00",
                              &v), "ok");
    assert_string_equal(check(f->r12345, f, t, ACTION_CALLBACK, &AGENT, "2026-03-03T21:00:00+08:00",
                              &v), "callback_quiet_hours");
    assert_int_equal(v.possible_from, T("2026-03-04T08:00:00+08:00"));
    assert_string_equal(v.rule, "12345:callback_quiet_hours");
    assert_non_null(strstr(v.message, "21:00"));
    assert_non_null(strstr(v.message, "2026-03-04 08:00"));
    assert_string_equal(check(f->r12345, f, t, ACTION_CALLBACK, &AGENT, "2026-03-04T07:59:59+08:00",
                              &v), "callback_quiet_hours");
    assert_int_equal(v.possible_from, T("2026-03-04T08:00:00+08:00"));
    assert_string_equal(check(f->r12345, f, t, ACTION_CALLBACK, &AGENT, "2026-03-04T00:00:00+08:00",
                              &v), "callback_quiet_hours");
    assert_int_equal(v.possible_from, T("2026-03-04T08:00:00+08:00"));
    assert_string_equal(check(f->r12345, f, t, ACTION_CALLBACK, &AGENT, "2026-03-04T08:00:00+08:00",
                              &v), "ok");

    /* a failed attempt at 14:00: the next from 16:00:00 */
    attempt(t, "2026-03-03T14:00:00+08:00", CB_NO_ANSWER, SAT_NONE);
    t->status = STATUS_CALLBACK;
    assert_string_equal(check(f->r12345, f, t, ACTION_CALLBACK, &AGENT, "2026-03-03T15:59:59+08:00",
                              &v), "callback_too_soon");
    assert_int_equal(v.possible_from, T("2026-03-03T16:00:00+08:00"));
    assert_string_equal(v.rule, "12345:callback_interval");
    assert_string_equal(check(f->r12345, f, t, ACTION_CALLBACK, &AGENT, "2026-03-03T16:00:00+08:00",
                              &v), "ok");
    /* a failed attempt at 20:00: the next 2 hours later falls in quiet hours */
    attempt(t, "2026-03-03T20:00:00+08:00", CB_BUSY, SAT_NONE);
    assert_string_equal(check(f->r12345, f, t, ACTION_CALLBACK, &AGENT, "2026-03-03T20:30:00+08:00",
                              &v), "callback_too_soon");
    assert_int_equal(v.possible_from, T("2026-03-04T08:00:00+08:00"));
    /* two failures: closing as unreachable needs a third */
    assert_string_equal(check(f->r12345, f, t, ACTION_CLOSE, &AGENT, "2026-03-03T20:30:00+08:00",
                              &v), "unreachable_needs_attempts");
    assert_int_equal(v.possible_from, T("2026-03-04T08:00:00+08:00"));
    assert_non_null(strstr(v.message, "2 so far"));
    attempt(t, "2026-03-04T08:00:00+08:00", CB_WRONG_NUMBER, SAT_NONE);
    assert_string_equal(check(f->r12345, f, t, ACTION_CLOSE, &AGENT, "2026-03-04T08:01:00+08:00",
                              &v), "ok");
    {
        struct transition tr;

        rules_transition(f->r12345, f->cal, f->tz, t, ACTION_CLOSE, &AGENT, NULL,
                         T("2026-03-04T08:01:00+08:00"), &tr);
        assert_int_equal(tr.status, STATUS_CLOSED);
        assert_true(tr.set_resolution);
        assert_int_equal(tr.resolution, RESOLUTION_UNREACHABLE);
        assert_true(tr.set_closed_at);
    }

    /* an agreed time is respected */
    t->callback_at = T("2026-03-04T15:00:00+08:00");
    assert_string_equal(check(f->r12345, f, t, ACTION_CALLBACK, &AGENT, "2026-03-04T14:59:59+08:00",
                              &v), "callback_not_due");
    assert_int_equal(v.possible_from, T("2026-03-04T15:00:00+08:00"));
    assert_string_equal(check(f->r12345, f, t, ACTION_CALLBACK, &AGENT, "2026-03-04T15:00:00+08:00",
                              &v), "ok");

    /* arguments: reached needs a satisfaction */
    memset(&b, 0, sizeof b);
    b.action = ACTION_CALLBACK;
    b.outcome = CB_REACHED;
    assert_string_equal(check_args(f->r12345, f, t, ACTION_CALLBACK, &AGENT, &b,
                                   "2026-03-04T15:00:00+08:00", &v), "callback_needs_satisfaction");
    assert_int_equal(v.kind, VERDICT_INVALID);
    b.satisfaction = SAT_BASIC;
    assert_string_equal(check_args(f->r12345, f, t, ACTION_CALLBACK, &AGENT, &b,
                                   "2026-03-04T15:00:00+08:00", &v), "ok");

    /* scheduling: not in quiet hours, not in the past */
    b.action = ACTION_SCHEDULE_CALLBACK;
    b.at = T("2026-03-04T21:00:00+08:00");
    assert_string_equal(check_args(f->r12345, f, t, ACTION_SCHEDULE_CALLBACK, &AGENT, &b,
                                   "2026-03-04T15:00:00+08:00", &v), "callback_quiet_hours");
    assert_int_equal(v.possible_from, T("2026-03-05T08:00:00+08:00"));
    b.at = T("2026-03-04T20:59:59+08:00");
    assert_string_equal(check_args(f->r12345, f, t, ACTION_SCHEDULE_CALLBACK, &AGENT, &b,
                                   "2026-03-04T15:00:00+08:00", &v), "ok");
    b.at = T("2026-03-04T14:00:00+08:00");
    assert_string_equal(check_args(f->r12345, f, t, ACTION_SCHEDULE_CALLBACK, &AGENT, &b,
                                   "2026-03-04T15:00:00+08:00", &v), "callback_in_past");

    /* no callback for consult, suggestion, praise */
    t->nature = NATURE_SUGGESTION;
    assert_string_equal(check(f->r12345, f, t, ACTION_CALLBACK, &AGENT, "2026-03-04T15:00:00+08:00",
                              &v), "callback_not_required");
    assert_string_equal(v.rule, "12345:callback_required.suggestion");
    assert_string_equal(check(f->r12345, f, t, ACTION_CLOSE, &AGENT, "2026-03-04T15:00:00+08:00",
                              &v), "ok");
    ticket_free(&t);
}

/* ----------------------------------------------------------- transitions */

/* The state machine: statuses, callback due, a dissatisfied callback, reopen. */
static void
test_transitions(void **state)
{
    struct fixture *f = *state;
    struct transition tr;
    struct action_body b;
    struct ticket *t = mk(NATURE_HELP, STATUS_ACCEPTED, "2026-03-03T10:00:00+08:00");

    t->due_at = T("2026-03-05T23:59:59+08:00");
    rules_transition(f->r12345, f->cal, f->tz, t, ACTION_RESOLVE_DIRECT, &AGENT, NULL,
                     T("2026-03-03T10:05:00+08:00"), &tr);
    assert_int_equal(tr.status, STATUS_CLOSED);
    assert_int_equal(tr.resolution, RESOLUTION_DIRECT);
    rules_transition(f->r12345, f->cal, f->tz, t, ACTION_CLOSE, &AGENT, NULL,
                     T("2026-03-03T10:05:00+08:00"), &tr);
    assert_int_equal(tr.resolution, RESOLUTION_WITHDRAWN);
    rules_transition(f->r12345, f->cal, f->tz, t, ACTION_DISPATCH, &AGENT, NULL,
                     T("2026-03-03T11:00:00+08:00"), &tr);
    assert_int_equal(tr.status, STATUS_DISPATCHED);

    t->status = STATUS_DISPATCHED;
    assign(t, "U1", ROLE_LEAD, "2026-03-03T11:00:00+08:00", ASSIGN_DISPATCHED);
    assign(t, "U2", ROLE_ASSIST, "2026-03-03T11:00:00+08:00", ASSIGN_DISPATCHED);
    rules_transition(f->r12345, f->cal, f->tz, t, ACTION_ACCEPT, &UNIT2, NULL,
                     T("2026-03-03T12:00:00+08:00"), &tr);
    assert_int_equal(tr.status, STATUS_IN_PROGRESS);
    rules_transition(f->r12345, f->cal, f->tz, t, ACTION_RETURN, &UNIT2, NULL,
                     T("2026-03-03T12:00:00+08:00"), &tr);
    assert_int_equal(tr.status, STATUS_DISPATCHED);
    rules_transition(f->r12345, f->cal, f->tz, t, ACTION_RETURN, &UNIT1, NULL,
                     T("2026-03-03T12:00:00+08:00"), &tr);
    assert_int_equal(tr.status, STATUS_RETURNED);

    /* a lead's reply on Friday 15:00: callback due Monday end of day */
    t->status = STATUS_IN_PROGRESS;
    rules_transition(f->r12345, f->cal, f->tz, t, ACTION_REPLY, &UNIT2, NULL,
                     T("2026-03-06T15:00:00+08:00"), &tr);
    assert_int_equal(tr.status, STATUS_IN_PROGRESS);
    assert_false(tr.set_callback_due);
    rules_transition(f->r12345, f->cal, f->tz, t, ACTION_REPLY, &UNIT1, NULL,
                     T("2026-03-06T15:00:00+08:00"), &tr);
    assert_int_equal(tr.status, STATUS_REPLIED);
    assert_true(tr.set_callback_due);
    assert_int_equal(tr.callback_due_at, T("2026-03-09T23:59:59+08:00"));
    assert_int_equal(rules_callback_due(f->r12345, f->cal, f->tz, t,
                                        T("2026-03-06T15:00:00+08:00")),
                     T("2026-03-09T23:59:59+08:00"));

    /* callbacks */
    t->status = STATUS_CALLBACK;
    memset(&b, 0, sizeof b);
    b.action = ACTION_CALLBACK;
    b.outcome = CB_NO_ANSWER;
    rules_transition(f->r12345, f->cal, f->tz, t, ACTION_CALLBACK, &AGENT, &b,
                     T("2026-03-09T10:00:00+08:00"), &tr);
    assert_int_equal(tr.status, STATUS_CALLBACK);
    assert_false(tr.set_closed_at);
    b.outcome = CB_REACHED;
    b.satisfaction = SAT_SATISFIED;
    rules_transition(f->r12345, f->cal, f->tz, t, ACTION_CALLBACK, &AGENT, &b,
                     T("2026-03-09T10:00:00+08:00"), &tr);
    assert_int_equal(tr.status, STATUS_CLOSED);
    assert_int_equal(tr.resolution, RESOLUTION_UNIT);
    assert_true(tr.set_closed_at);
    /* dissatisfied Tuesday 10:00: back to the unit, 2 WD from now */
    b.satisfaction = SAT_DISSATISFIED;
    rules_transition(f->r12345, f->cal, f->tz, t, ACTION_CALLBACK, &AGENT, &b,
                     T("2026-03-10T10:00:00+08:00"), &tr);
    assert_int_equal(tr.status, STATUS_IN_PROGRESS);
    assert_true(tr.set_due);
    assert_int_equal(tr.due.due, T("2026-03-12T23:59:59+08:00"));
    assert_string_equal(tr.due.rule, "12345:help");
    assert_true(tr.set_callback_due);
    assert_int_equal(tr.callback_due_at, 0);

    /* no callback owed for praise: the reply owes none */
    t->nature = NATURE_PRAISE;
    t->status = STATUS_IN_PROGRESS;
    rules_transition(f->r12345, f->cal, f->tz, t, ACTION_REPLY, &UNIT1, NULL,
                     T("2026-03-06T15:00:00+08:00"), &tr);
    assert_int_equal(tr.callback_due_at, 0);

    /* reopen and archive */
    t->nature = NATURE_HELP;
    t->status = STATUS_CLOSED;
    rules_transition(f->r12345, f->cal, f->tz, t, ACTION_REOPEN, &SUPERVISOR, NULL,
                     T("2026-03-10T10:00:00+08:00"), &tr);
    assert_int_equal(tr.status, STATUS_IN_PROGRESS);
    assert_int_equal(tr.resolution, RESOLUTION_NONE);
    assert_int_equal(tr.due.due, T("2026-03-12T23:59:59+08:00"));
    rules_transition(f->r12345, f->cal, f->tz, t, ACTION_ARCHIVE, &SUPERVISOR, NULL,
                     T("2026-03-10T10:00:00+08:00"), &tr);
    assert_int_equal(tr.status, STATUS_ARCHIVED);
    ticket_free(&t);

    /* a directly resolved ticket reopens to accepted */
    t = mk(NATURE_CONSULT, STATUS_CLOSED, "2026-03-03T10:00:00+08:00");
    rules_transition(f->r12345, f->cal, f->tz, t, ACTION_REOPEN, &ADMIN, NULL,
                     T("2026-03-04T10:00:00+08:00"), &tr);
    assert_int_equal(tr.status, STATUS_ACCEPTED);
    ticket_free(&t);

    /* extended due keeps the clock time */
    assert_int_equal(rules_extended_due(NULL, 5, 1), 5);
}

/* ----------------------------------------------------------------- flags */

/* near_due at 75%, overdue after due, late_dispatch after 2 hours, and the others. */
static void
test_flags(void **state)
{
    struct fixture *f = *state;
    struct ticket *t = mk(NATURE_HELP, STATUS_IN_PROGRESS, "2026-03-03T10:00:00+08:00");
    const struct rules *r = f->r12345;

    /* period 03 12:00 .. 05 23:59:59 = 215999 s; 75% rounds up to 162000 s = 45 h
     * -> 05 09:00:00 */
    assign(t, "U1", ROLE_LEAD, "2026-03-03T12:00:00+08:00", ASSIGN_ACCEPTED);
    t->due_at = T("2026-03-05T23:59:59+08:00");
    assert_int_equal(rules_flags(r, f->cal, f->tz, t, T("2026-03-05T08:59:59+08:00")), 0);
    assert_int_equal(rules_flags(r, f->cal, f->tz, t, T("2026-03-05T09:00:00+08:00")),
                     FLAG_NEAR_DUE);
    assert_int_equal(rules_flags(r, f->cal, f->tz, t, T("2026-03-05T23:59:59+08:00")),
                     FLAG_NEAR_DUE);
    assert_int_equal(rules_flags(r, f->cal, f->tz, t, T("2026-03-06T00:00:00+08:00")),
                     FLAG_OVERDUE);
    /* dispatched exactly 2 hours after acceptance is on time, one second later is late */
    t->assignments[0].dispatched_at = T("2026-03-03T12:00:01+08:00");
    assert_int_equal(rules_flags(r, f->cal, f->tz, t, T("2026-03-03T13:00:00+08:00")),
                     FLAG_LATE_DISPATCH);
    t->assignments[0].dispatched_at = T("2026-03-03T12:00:00+08:00");
    /* kept bits, emergency, supervised, dissatisfied */
    t->flags = FLAG_REPEAT_CALLER | FLAG_CLUSTER | FLAG_NEAR_DUE | FLAG_OVERDUE;
    t->urgency = URGENCY_EMERGENCY;
    ticket_add_supervision(t)->at = T("2026-03-03T13:00:00+08:00");
    attempt(t, "2026-03-03T12:30:00+08:00", CB_REACHED, SAT_DISSATISFIED);
    attempt(t, "2026-03-03T12:40:00+08:00", CB_NO_ANSWER, SAT_NONE);
    assert_int_equal(rules_flags(r, f->cal, f->tz, t, T("2026-03-03T13:00:00+08:00")),
                     FLAG_REPEAT_CALLER | FLAG_CLUSTER | FLAG_EMERGENCY | FLAG_SUPERVISED
                     | FLAG_DISSATISFIED);
    attempt(t, "2026-03-04T12:30:00+08:00", CB_REACHED, SAT_SATISFIED);
    t->status = STATUS_CLOSED;
    assert_int_equal(rules_flags(r, f->cal, f->tz, t, T("2026-03-09T13:00:00+08:00")),
                     FLAG_REPEAT_CALLER | FLAG_CLUSTER | FLAG_SUPERVISED);
    ticket_free(&t);

    /* never dispatched: late once 2 hours have passed while still accepted */
    t = mk(NATURE_HELP, STATUS_ACCEPTED, "2026-03-03T10:00:00+08:00");
    t->due_at = T("2026-03-05T23:59:59+08:00");
    assert_int_equal(rules_flags(r, f->cal, f->tz, t, T("2026-03-03T12:00:00+08:00")), 0);
    assert_int_equal(rules_flags(r, f->cal, f->tz, t, T("2026-03-03T12:00:01+08:00")),
                     FLAG_LATE_DISPATCH);
    /* answered directly: no dispatch owed */
    t->status = STATUS_CLOSED;
    assert_int_equal(rules_flags(r, f->cal, f->tz, t, T("2026-03-03T12:00:01+08:00")), 0);
    /* waiting for a callback past its due */
    t->status = STATUS_CALLBACK;
    t->callback_due_at = T("2026-03-04T23:59:59+08:00");
    assert_int_equal(rules_flags(r, f->cal, f->tz, t, T("2026-03-04T23:59:59+08:00")), 0);
    assert_int_equal(rules_flags(r, f->cal, f->tz, t, T("2026-03-05T00:00:00+08:00")),
                     FLAG_OVERDUE);
    assert_int_equal(rules_flags(NULL, f->cal, f->tz, t, 0), 0);
    assert_int_equal(rules_flags(r, f->cal, f->tz, NULL, 0), 0);
    ticket_free(&t);
}

/* Run the tests. */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_profiles),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_override),
        cmocka_unit_test(test_due_12345),
        cmocka_unit_test(test_due_edges),
        cmocka_unit_test(test_due_956100),
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_urge),
        cmocka_unit_test(test_return_window),
        cmocka_unit_test(test_extension),
        cmocka_unit_test(test_callback),
        cmocka_unit_test(test_transitions),
        cmocka_unit_test(test_flags),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
