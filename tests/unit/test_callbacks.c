/* test_callbacks: the callbacks tab without a terminal: the call button from rules_check's
 * verdict (quiet hours, 2 hours between attempts, an agreed time, a closed ticket), the
 * round of attempts, the reply to read out, the result sentences, the forms' bodies. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hotline/model.h"
#include "hotline/rules.h"
#include "hotline/tz.h"
#include "hotline/util.h"
#include "views/callbacks_form.h"
#include "views/callbacks_state.h"

/* Instants at +08:00 (2026-11-23 is a Monday). */
#define T_1123_0900 1795395600     /* 2026-11-23 09:00 */
#define T_1123_1000 1795399200     /* 2026-11-23 10:00 */
#define T_1123_1100 1795402800     /* 2026-11-23 11:00 */
#define T_1123_1200 1795406400     /* 2026-11-23 12:00 */
#define T_1123_2230 1795444200     /* 2026-11-23 22:30 */
#define T_1123_2359 1795449599     /* 2026-11-23 23:59:59 */
#define T_1124_0600 1795471200     /* 2026-11-24 06:00 */
#define T_1124_0800 1795478400     /* 2026-11-24 08:00 */
#define T_1124_1500 1795503600     /* 2026-11-24 15:00 */
#define T_1124_2359 1795535999     /* 2026-11-24 23:59:59 */

/* Rules of profile 12345 and the zone. */
struct fixture {
    struct rules *rules;
    struct tz *tz;
};

/* Load data/rules.json (HOTLINE_DATA) and a +08:00 zone. */
static int
setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    const char *dir = getenv("HOTLINE_DATA");
    char *path = xasprintf("%s/rules.json", str_empty(dir) ? "data" : dir);
    struct err e;

    err_clear(&e);
    f->rules = rules_load(path, "12345", NULL, &e);
    if (f->rules == NULL)
        fprintf(stderr, "cannot load %s: %s\n", path, e.msg);
    free(path);
    f->tz = tz_fixed("UTC+8", 8 * 3600);
    *state = f;
    return f->rules != NULL ? 0 : -1;
}

/* Free the fixture. */
static int
teardown(void **state)
{
    struct fixture *f = *state;

    rules_free(&f->rules);
    tz_free(&f->tz);
    free(f);
    return 0;
}

/* A complaint the lead unit replied to at replied; owing a callback. */
static struct ticket *
replied_ticket(hl_time replied)
{
    struct ticket *t = ticket_new();
    struct assignment *as;

    t->id = xstrdup("HL20261120-000009");
    t->version = 7;
    t->nature = NATURE_COMPLAINT;
    t->status = STATUS_REPLIED;
    t->created_at = replied - 86400;
    t->due_at = replied + 86400;
    t->callback_due_at = T_1124_2359;
    as = ticket_add_assignment(t);
    as->unit = xstrdup("water");
    as->role = ROLE_LEAD;
    as->state = ASSIGN_REPLIED;
    as->dispatched_at = replied - 3600;
    as->replied_at = replied;
    as->reply = xstrdup("已安排抢修，今日恢复供水。");
    return t;
}

/* Add an attempt. */
static void
attempt(struct ticket *t, hl_time at, enum cb_outcome o, enum satisfaction s)
{
    struct callback *cb = ticket_add_callback(t);

    cb->at = at;
    cb->by = xstrdup("agent01");
    cb->outcome = o;
    cb->satisfaction = s;
    t->status = STATUS_CALLBACK;
}

/* rules_check of a callback by agent01 at now. */
static void
check_callback(const struct fixture *f, const struct ticket *t, hl_time now, struct verdict *v)
{
    struct rule_actor who = {USER_AGENT, NULL, "agent01"};

    rules_check(f->rules, NULL, f->tz, t, ACTION_CALLBACK, &who, now, v);
}

/* Allowed: the control is enabled, green, without a time. */
static void
test_button_ok(void **state)
{
    struct fixture *f = *state;
    struct ticket *t = replied_ticket(T_1123_1000);
    struct verdict v;
    struct callbacks_button b;

    check_callback(f, t, T_1123_1100, &v);
    assert_true(v.ok);
    callbacks_state_button(&v, f->tz, T_1123_1100, &b);
    assert_true(b.enabled);
    assert_int_equal(b.slot, SLOT_OK);
    assert_int_equal(b.from, 0);
    assert_string_equal(b.text, "Calling allowed now");
    assert_string_equal(b.detail, "");
    ticket_free(&t);
}

/* Quiet hours at 22:30: disabled until 08:00 the next day, the rule's sentence kept. */
static void
test_button_quiet_hours(void **state)
{
    struct fixture *f = *state;
    struct ticket *t = replied_ticket(T_1123_1000);
    struct verdict v;
    struct callbacks_button b;

    check_callback(f, t, T_1123_2230, &v);
    assert_false(v.ok);
    assert_string_equal(v.code, "callback_quiet_hours");
    assert_true(v.possible_from == T_1124_0800);
    callbacks_state_button(&v, f->tz, T_1123_2230, &b);
    assert_false(b.enabled);
    assert_int_equal(b.slot, SLOT_WARN);
    assert_true(b.from == T_1124_0800);
    assert_string_equal(b.text, "Calling disabled: quiet hours, no calls now; next allowed "
                                "11-24 08:00");
    assert_string_equal(b.detail, v.message);
    assert_non_null(strstr(b.detail, "No callbacks between 21:00 and 08:00 local time"));
    /* after midnight the same morning: the time alone */
    check_callback(f, t, T_1124_0600, &v);
    callbacks_state_button(&v, f->tz, T_1124_0600, &b);
    assert_string_equal(b.text, "Calling disabled: quiet hours, no calls now; next allowed "
                                "08:00");
    ticket_free(&t);
}

/* An attempt an hour ago: the next one from two hours after it. */
static void
test_button_too_soon(void **state)
{
    struct fixture *f = *state;
    struct ticket *t = replied_ticket(T_1123_0900);
    struct verdict v;
    struct callbacks_button b;

    attempt(t, T_1123_1000, CB_NO_ANSWER, SAT_NONE);
    check_callback(f, t, T_1123_1100, &v);
    assert_string_equal(v.code, "callback_too_soon");
    callbacks_state_button(&v, f->tz, T_1123_1100, &b);
    assert_false(b.enabled);
    assert_int_equal(b.slot, SLOT_WARN);
    assert_true(b.from == T_1123_1200);
    assert_string_equal(b.text, "Calling disabled: too soon after the last attempt; next "
                                "allowed 12:00");
    /* at 12:00 sharp it is allowed */
    check_callback(f, t, T_1123_1200, &v);
    assert_true(v.ok);
    ticket_free(&t);
}

/* A time agreed with the caller: not before it. */
static void
test_button_agreed_time(void **state)
{
    struct fixture *f = *state;
    struct ticket *t = replied_ticket(T_1123_0900);
    struct verdict v;
    struct callbacks_button b;

    t->callback_at = T_1124_1500;
    check_callback(f, t, T_1123_1100, &v);
    assert_string_equal(v.code, "callback_not_due");
    callbacks_state_button(&v, f->tz, T_1123_1100, &b);
    assert_false(b.enabled);
    assert_int_equal(b.slot, SLOT_WARN);
    assert_string_equal(b.text, "Calling disabled: the caller booked a later time; next "
                                "allowed 11-24 15:00");
    ticket_free(&t);
}

/* Not a matter of time (a closed ticket, a unit user): muted, no time. */
static void
test_button_impossible(void **state)
{
    struct fixture *f = *state;
    struct ticket *t = replied_ticket(T_1123_0900);
    struct rule_actor unit = {USER_UNIT, "water", "u_water"};
    struct verdict v;
    struct callbacks_button b;

    t->status = STATUS_CLOSED;
    check_callback(f, t, T_1123_1100, &v);
    assert_string_equal(v.code, "invalid_state");
    callbacks_state_button(&v, f->tz, T_1123_1100, &b);
    assert_false(b.enabled);
    assert_int_equal(b.slot, SLOT_MUTED);
    assert_int_equal(b.from, 0);
    assert_string_equal(b.text, "Calling not possible: not possible in the ticket's present "
                                "state");
    t->status = STATUS_REPLIED;
    rules_check(f->rules, NULL, f->tz, t, ACTION_CALLBACK, &unit, T_1123_1100, &v);
    callbacks_state_button(&v, f->tz, T_1123_1100, &b);
    assert_false(b.enabled);
    assert_string_equal(b.text, "Calling not possible: your role may not do this");
    ticket_free(&t);
}

/* A verdict with an unknown code: the rule's own sentence is the reason. */
static void
test_button_unknown_code(void **state)
{
    struct fixture *f = *state;
    struct verdict v;
    struct callbacks_button b;

    memset(&v, 0, sizeof v);
    v.code = "something_new";
    str_copy(v.message, sizeof v.message, "A newer server's rule.");
    callbacks_state_button(&v, f->tz, T_1123_1100, &b);
    assert_false(b.enabled);
    assert_int_equal(b.slot, SLOT_MUTED);
    assert_string_equal(b.text, "Calling not possible: A newer server's rule.");
}

/* Times: the clock alone today, with the date another day, "-" for none. */
static void
test_when(void **state)
{
    struct fixture *f = *state;
    char buf[32];

    callbacks_state_when(f->tz, T_1123_2359, T_1123_0900, buf, sizeof buf);
    assert_string_equal(buf, "23:59");
    callbacks_state_when(f->tz, T_1124_0800, T_1123_2230, buf, sizeof buf);
    assert_string_equal(buf, "11-24 08:00");
    callbacks_state_when(f->tz, 0, T_1123_2230, buf, sizeof buf);
    assert_string_equal(buf, "-");
}

/* The round: attempts before the latest reply do not count; refused is not a failure. */
static void
test_round(void **state)
{
    struct ticket *t = replied_ticket(T_1123_1000);
    struct callbacks_round rd;

    (void)state;
    attempt(t, T_1123_0900, CB_NO_ANSWER, SAT_NONE);        /* an earlier round */
    attempt(t, T_1123_1100, CB_BUSY, SAT_NONE);
    attempt(t, T_1123_2230, CB_WRONG_NUMBER, SAT_NONE);
    callbacks_state_round(t, &rd);
    assert_int_equal(rd.attempts, 2);
    assert_int_equal(rd.failed, 2);
    assert_false(rd.refused);
    assert_true(rd.last == T_1123_2230);
    attempt(t, T_1124_0800, CB_REFUSED, SAT_NONE);
    callbacks_state_round(t, &rd);
    assert_int_equal(rd.attempts, 3);
    assert_int_equal(rd.failed, 2);
    assert_true(rd.refused);
    ticket_free(&t);
}

/* Three failed attempts: rules_check lets the ticket close (as unreachable). */
static void
test_unreachable_after_three(void **state)
{
    struct fixture *f = *state;
    struct ticket *t = replied_ticket(T_1123_0900);
    struct rule_actor who = {USER_AGENT, NULL, "agent01"};
    struct verdict v;
    struct callbacks_round rd;

    assert_int_equal(rules_unreachable_attempts(f->rules), 3);
    attempt(t, T_1123_1000, CB_NO_ANSWER, SAT_NONE);
    attempt(t, T_1123_1200, CB_BUSY, SAT_NONE);
    rules_check(f->rules, NULL, f->tz, t, ACTION_CLOSE, &who, T_1124_0800, &v);
    assert_false(v.ok);
    assert_string_equal(v.code, "unreachable_needs_attempts");
    attempt(t, T_1124_0800, CB_NO_ANSWER, SAT_NONE);
    callbacks_state_round(t, &rd);
    assert_int_equal(rd.failed, 3);
    rules_check(f->rules, NULL, f->tz, t, ACTION_CLOSE, &who, T_1124_1500, &v);
    assert_true(v.ok);
    ticket_free(&t);
}

/* The reply read out: the lead's; else the first unit that replied. */
static void
test_reply(void **state)
{
    struct ticket *t = replied_ticket(T_1123_1000);
    struct assignment *assist;

    (void)state;
    assert_string_equal(callbacks_state_reply(t)->reply, "已安排抢修，今日恢复供水。");
    free(t->assignments[0].reply);
    t->assignments[0].reply = NULL;
    assert_null(callbacks_state_reply(t));
    assist = ticket_add_assignment(t);
    assist->unit = xstrdup("housing");
    assist->role = ROLE_ASSIST;
    assist->reply = xstrdup("已配合完成。");
    assert_string_equal(callbacks_state_reply(t)->unit, "housing");
    ticket_free(&t);
}

/* The sentences after an action. */
static void
test_result(void **state)
{
    struct fixture *f = *state;
    struct ticket *t = replied_ticket(T_1123_1000);
    struct action_body b;
    char buf[512];
    enum slot slot;

    memset(&b, 0, sizeof b);
    b.action = ACTION_CALLBACK;
    b.outcome = CB_REACHED;
    b.satisfaction = SAT_DISSATISFIED;
    t->status = STATUS_IN_PROGRESS;
    t->due_at = T_1124_2359;
    callbacks_state_result(t, &b, "市水务局", 0, f->tz, T_1123_1100, buf, sizeof buf, &slot);
    assert_string_equal(buf, "HL20261120-000009: the caller is dissatisfied. Sent back to "
                             "市水务局 to redo (退回重办), now in progress, new deadline "
                             "11-24 23:59.");
    assert_int_equal(slot, SLOT_WARN);

    b.satisfaction = SAT_BASIC;
    t->status = STATUS_CLOSED;
    callbacks_state_result(t, &b, "市水务局", 0, f->tz, T_1123_1100, buf, sizeof buf, &slot);
    assert_string_equal(buf, "HL20261120-000009 closed: the caller is basically satisfied.");
    assert_int_equal(slot, SLOT_OK);

    b.outcome = CB_NO_ANSWER;
    b.satisfaction = SAT_NONE;
    t->status = STATUS_CALLBACK;
    callbacks_state_result(t, &b, NULL, T_1124_0800, f->tz, T_1123_1100, buf, sizeof buf,
                           &slot);
    assert_string_equal(buf, "HL20261120-000009: attempt recorded (no answer); next attempt "
                             "from 11-24 08:00.");
    assert_int_equal(slot, SLOT_NORMAL);

    b.outcome = CB_REFUSED;
    callbacks_state_result(t, &b, NULL, 0, f->tz, T_1123_1100, buf, sizeof buf, &slot);
    assert_string_equal(buf, "HL20261120-000009: the caller declined the callback; u closes "
                             "the ticket.");

    b.action = ACTION_SCHEDULE_CALLBACK;
    t->callback_at = T_1124_1500;
    callbacks_state_result(t, &b, NULL, 0, f->tz, T_1123_1100, buf, sizeof buf, &slot);
    assert_string_equal(buf, "HL20261120-000009: agreed with the caller to call at 11-24 15:00.");

    b.action = ACTION_CLOSE;
    t->status = STATUS_CLOSED;
    t->resolution = RESOLUTION_UNREACHABLE;
    callbacks_state_result(t, &b, NULL, 0, f->tz, T_1123_1100, buf, sizeof buf, &slot);
    assert_string_equal(buf, "HL20261120-000009 closed: the caller could not be reached.");
    ticket_free(&t);
}

/* The forms' bodies: an attempt (satisfaction only when reached), a time, a close. */
static void
test_form_bodies(void **state)
{
    struct fixture *f = *state;
    struct ticket *t = replied_ticket(T_1123_1000);
    struct callbacks_form form;
    struct action_body b;
    struct err e;
    struct key_event right = {KEY_RIGHT, true, CMD_RIGHT};
    struct key_event down = {KEY_DOWN, true, CMD_DOWN};
    struct key_event enter = {'\r', false, CMD_ENTER};

    memset(&form, 0, sizeof form);
    callbacks_form_open(&form, CALLBACKS_FORM_ATTEMPT, t, f->tz, 0);
    assert_string_equal(form.ticket_id, "HL20261120-000009");
    assert_int_equal(form.version, 7);
    assert_int_equal(callbacks_form_key(&form, &down), CALLBACKS_FORM_KEEP);
    assert_int_equal(form.focus, CALLBACKS_FIELD_SATISFACTION);
    callbacks_form_key(&form, &right);
    callbacks_form_key(&form, &right);
    assert_int_equal(form.satisfaction, SAT_DISSATISFIED);
    callbacks_form_key(&form, &right);                   /* wraps, never to none */
    assert_int_equal(form.satisfaction, SAT_SATISFIED);
    callbacks_form_key(&form, &right);
    callbacks_form_key(&form, &right);
    input_set(&form.note, "  还是很吵，没有解决 ");
    assert_int_equal(callbacks_form_key(&form, &enter), CALLBACKS_FORM_SUBMIT);
    assert_int_equal(callbacks_form_body(&form, f->tz, &b, &e), HL_OK);
    assert_int_equal(b.action, ACTION_CALLBACK);
    assert_int_equal(b.outcome, CB_REACHED);
    assert_int_equal(b.satisfaction, SAT_DISSATISFIED);
    assert_string_equal(b.note, "还是很吵，没有解决");
    codec_action_fini(&b);
    /* not reached: no satisfaction; the focus skips it */
    form.focus = CALLBACKS_FIELD_OUTCOME;
    callbacks_form_key(&form, &right);
    assert_int_equal(form.outcome, CB_NO_ANSWER);
    callbacks_form_key(&form, &down);
    assert_int_equal(form.focus, CALLBACKS_FIELD_NOTE);
    input_set(&form.note, "   ");
    assert_int_equal(callbacks_form_body(&form, f->tz, &b, &e), HL_OK);
    assert_int_equal(b.satisfaction, SAT_NONE);
    assert_null(b.note);
    codec_action_fini(&b);

    callbacks_form_open(&form, CALLBACKS_FORM_SCHEDULE, t, f->tz, T_1124_1500);
    assert_string_equal(edit_text(&form.at.ed), "2026-11-24 15:00");
    assert_int_equal(callbacks_form_body(&form, f->tz, &b, &e), HL_OK);
    assert_int_equal(b.action, ACTION_SCHEDULE_CALLBACK);
    assert_true(b.at == T_1124_1500);
    codec_action_fini(&b);
    edit_set(&form.at.ed, "2026-11-24 25:00");
    assert_int_equal(callbacks_form_body(&form, f->tz, &b, &e), HL_EINVAL);
    codec_action_fini(&b);

    callbacks_form_open(&form, CALLBACKS_FORM_CLOSE, t, f->tz, 0);
    input_set(&form.note, "三次未接通");
    assert_int_equal(callbacks_form_body(&form, f->tz, &b, &e), HL_OK);
    assert_int_equal(b.action, ACTION_CLOSE);
    assert_string_equal(b.note, "三次未接通");
    codec_action_fini(&b);
    callbacks_form_close(&form);
    assert_false(callbacks_form_is_open(&form));
    ticket_free(&t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_button_ok),
        cmocka_unit_test(test_button_quiet_hours),
        cmocka_unit_test(test_button_too_soon),
        cmocka_unit_test(test_button_agreed_time),
        cmocka_unit_test(test_button_impossible),
        cmocka_unit_test(test_button_unknown_code),
        cmocka_unit_test(test_when),
        cmocka_unit_test(test_round),
        cmocka_unit_test(test_unreachable_after_three),
        cmocka_unit_test(test_reply),
        cmocka_unit_test(test_result),
        cmocka_unit_test(test_form_bodies),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
